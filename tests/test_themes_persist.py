"""Tests of textmine.themes.persist (safe model files)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_themes_data import make_corpus

from textmine.config import ThemeOptions
from textmine.errors import ModelFileError
from textmine.features import document_term_matrix
from textmine.outputs import file_sha256
from textmine.themes import code_answers, discover_themes, load_model, save_model


@pytest.fixture(scope="module", params=["short", "lda"])
def fitted(request):
    return discover_themes(make_corpus(), options=ThemeOptions(k=3, method=request.param))


def test_round_trip_codes_answers_identically(fitted, tmp_path):
    save_model(fitted.model, tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    assert loaded.labels == fitted.model.labels and loaded.terms == fitted.model.terms
    X = document_term_matrix(make_corpus(), vocabulary=loaded.terms).X
    np.testing.assert_allclose(loaded.weights(X), fitted.model.weights(X))
    coded = code_answers(loaded, make_corpus())
    assert coded.answers.equals(fitted.answers)


def test_saving_twice_gives_identical_bytes(fitted, tmp_path):
    save_model(fitted.model, tmp_path / "a")
    save_model(fitted.model, tmp_path / "b")
    for name in ("model.json", "arrays.npz"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.fixture
def saved(tmp_path):
    model = discover_themes(make_corpus(), options=ThemeOptions(k=3)).model
    return save_model(model, tmp_path / "model")


def test_tampered_arrays_are_refused(saved):
    npz = saved / "arrays.npz"
    data = bytearray(npz.read_bytes())
    data[-30] ^= 0xFF
    npz.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"arrays.npz does not match the checksum in "
                                             r"model.json \(modified or corrupted\)"):
        load_model(saved)


def _rewrite(saved, arrays: dict) -> None:
    np.savez(saved / "arrays.npz", **arrays)
    meta = json.loads((saved / "model.json").read_text())
    meta["arrays_sha256"] = file_sha256(saved / "arrays.npz")
    (saved / "model.json").write_text(json.dumps(meta))


def test_wrong_shapes_are_refused_even_with_a_matching_checksum(saved):
    with np.load(saved / "arrays.npz") as data:
        arrays = dict(data)
    arrays["est_components"] = arrays["est_components"][:, :-1]
    _rewrite(saved, arrays)
    with pytest.raises(ModelFileError, match=r"Arrays est_components in .* have unexpected "
                                             r"shapes or types; the model is damaged"):
        load_model(saved)


def test_pickled_object_arrays_are_refused(saved):
    with np.load(saved / "arrays.npz") as data:
        arrays = dict(data)
    arrays["theme_map"] = np.array([{"evil": 1}], dtype=object)
    _rewrite(saved, arrays)
    with pytest.raises(ModelFileError, match=r"cannot be loaded \(ValueError: Object arrays "
                                             r"cannot be loaded when allow_pickle=False"):
        load_model(saved)


def test_unknown_schema_version_and_estimator_are_refused(saved):
    meta = json.loads((saved / "model.json").read_text())
    (saved / "model.json").write_text(json.dumps({**meta, "schema_version": 99}))
    with pytest.raises(ModelFileError, match=r"has schema version 99; this textmine reads "
                                             r"version 1"):
        load_model(saved)
    (saved / "model.json").write_text(json.dumps({**meta, "estimator": "os.system"}))
    with pytest.raises(ModelFileError, match=r"cannot be loaded \(KeyError: 'os.system'\)"):
        load_model(saved)
    # The method recorded beside the estimator is one textmine fits (not "auto", not any text).
    for bad in ("bogus", "auto", ["nmf"], None):
        (saved / "model.json").write_text(json.dumps({**meta, "method": bad}))
        with pytest.raises(ModelFileError, match=r"^Unknown theme method .* in .*model\.json; "
                                                 r"the model is damaged: re-run textmine "
                                                 r"themes\.$"):
            load_model(saved)


def test_missing_folder(tmp_path):
    with pytest.raises(ModelFileError, match=r"is not a textmine model folder \(needs "
                                             r"model.json and arrays.npz\)"):
        load_model(tmp_path)


def test_non_finite_or_negative_arrays_are_refused(saved):
    with np.load(saved / "arrays.npz") as data:
        arrays = dict(data)
    arrays["est_idf"] = arrays["est_idf"] * np.inf
    _rewrite(saved, arrays)
    with pytest.raises(ModelFileError, match=r"Arrays est_idf in .* hold non-finite or negative "
                                             r"values; the model is damaged"):
        load_model(saved)


def test_deeply_nested_json_is_refused(saved):
    (saved / "model.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ModelFileError, match=r"model.json is not valid JSON"):
        load_model(saved)
