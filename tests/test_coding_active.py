"""Which answers to code next (coding/active.py), the learning curve (coding/curve.py) and the
saved coder (coding/persist.py)."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from test_coding_learn import synthetic

from textmine.coding.active import answer_vectors, knn_density, select_next, usefulness
from textmine.coding.curve import CURVE_COLUMNS, learning_curve
from textmine.coding.learn import MultiLabelCoder
from textmine.coding.persist import ARRAYS_NPZ, CODER_JSON, load_coder, save_coder
from textmine.errors import ModelFileError, OptionError


def _pool() -> tuple[list[list[str]], np.ndarray]:
    """Ten answers about trains (a dense topic, two of them identical), one odd answer, and
    an answer without terms; scores equally uncertain for all but two confident answers."""
    docs = [["train", "retard", "gare"], ["train", "retard", "gare"], ["train", "retard", "quai"],
            ["train", "gare", "quai"], ["retard", "train", "billet"], ["train", "billet", "gare"],
            ["gare", "quai", "retard"], ["train", "quai", "billet"], ["train", "retard"],
            ["gare", "train"], ["licorne", "arc-en-ciel"], []]  # fmt: skip
    scores = np.full((len(docs), 2), 0.5)
    scores[8] = [0.99, 0.01]  # confident: little to learn
    scores[9] = [0.02, 0.98]
    return docs, scores


def test_dense_uncertain_answers_come_first_and_duplicates_are_skipped():
    docs, scores = _pool()
    vectors = answer_vectors(docs)
    chosen = select_next(scores, vectors, 4)
    assert len(chosen) == 4 and len(set(chosen)) == 4
    assert 10 not in chosen[:3]  # the odd answer is uncertain but represents nobody
    assert not {0, 1} <= set(chosen)  # identical answers: one of them only
    assert 11 not in chosen  # no terms, never before answers with terms
    assert {8, 9}.isdisjoint(chosen)  # confident answers teach little


def test_usefulness_is_uncertainty_times_density():
    docs, scores = _pool()
    vectors = answer_vectors(docs)
    unc, dens, useful = usefulness(scores, vectors, n_neighbours=3)
    assert np.allclose(useful, unc * dens)
    assert unc[0] == pytest.approx(1.0) and unc[8] < 0.1
    assert dens[10] == 0.0 and dens[11] == 0.0 and dens[0] > 0.5


def test_knn_density_leaves_the_answer_itself_out():
    X = sparse.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    dens = knn_density(X, X, n_neighbours=1)
    assert dens.tolist() == [1.0, 1.0, 0.0]
    assert knn_density(X[:1], X, n_neighbours=2, self_in_pool=False)[0] == pytest.approx(1.0)


def test_answers_close_to_coded_ones_are_skipped():
    docs, scores = _pool()
    vectors = answer_vectors(docs + [["train", "retard", "gare"]])
    chosen = select_next(scores, vectors[:-1], 3, coded_vectors=vectors[-1:])
    assert {0, 1}.isdisjoint(chosen)


def test_more_answers_asked_than_uncoded_gives_them_all_and_bad_numbers_are_refused():
    docs, scores = _pool()
    vectors = answer_vectors(docs)
    assert sorted(select_next(scores, vectors, 50)) == list(range(len(docs)))
    for bad in (0, -3, 2.5):
        with pytest.raises(OptionError, match="--next"):
            select_next(scores, vectors, bad)
    with pytest.raises(OptionError, match="duplicate_similarity"):
        select_next(scores, vectors, 2, duplicate_similarity=0)
    assert select_next(scores[:0], vectors[:0], 3).tolist() == []


def test_learning_curve_grows_with_held_out_points():
    docs, Y = synthetic(150, seed=1)
    curve = learning_curve(docs, Y, coder=MultiLabelCoder(cv_folds=3), repeats=2)
    assert tuple(curve.columns) == CURVE_COLUMNS
    assert curve["n_coded"].tolist() == [30, 60, 90, 120]
    assert ((curve["micro_f1"] > 0) & (curve["micro_f1"] <= 1)).all()
    assert ((curve["auto_share"] >= 0) & (curve["auto_share"] <= 1)).all()
    assert (curve["micro_f1_sd"] >= 0).all()
    # More coded answers, a better coder (clear words, 10 % noise).
    assert curve["micro_f1"].iloc[-1] > curve["micro_f1"].iloc[0]


def test_learning_curve_of_too_few_answers_is_empty():
    docs, Y = synthetic(10)  # 8 answers to learn from: below MIN_CURVE_SIZE
    curve = learning_curve(docs, Y, coder=MultiLabelCoder(cv_folds=3))
    assert curve.empty and tuple(curve.columns) == CURVE_COLUMNS


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    docs, Y = synthetic()
    coder = MultiLabelCoder(cv_folds=3).fit(docs, Y)
    folder = tmp_path_factory.mktemp("coder")
    save_coder(coder, folder, text_options={"model": "fr_core_news_sm"},
               expected={"precision": 0.9, "sentence": "s"}, fitted_on={"coded": 90},
               seeds={"salaire": ["paie"]})  # fmt: skip
    return coder, folder


def test_saved_coder_codes_exactly_as_the_fitted_one(saved):
    coder, folder = saved
    back = load_coder(folder)
    new = [["salaire", "travail"], ["visio", "prime"], ["formation"], []]
    assert np.array_equal(back.coder.predict_proba(new), coder.predict_proba(new))
    assert np.array_equal(back.coder.predict(new), coder.predict(new))
    assert np.array_equal(back.coder.suggest(new), coder.suggest(new))
    assert list(back.coder.classes_) == list(coder.classes_)
    assert back.expected["precision"] == 0.9 and back.fitted_on == {"coded": 90}
    assert back.seeds == {"salaire": ["paie"]} and back.embedding_model is None
    meta = json.loads((folder / CODER_JSON).read_text("utf-8"))
    assert len(meta["arrays_sha256"]) == 64 and "embedding_model" in meta


def test_saving_twice_gives_the_same_bytes(saved, tmp_path):
    coder, folder = saved
    save_coder(coder, tmp_path, text_options={"model": "fr_core_news_sm"},
               expected={"precision": 0.9, "sentence": "s"}, fitted_on={"coded": 90},
               seeds={"salaire": ["paie"]})  # fmt: skip
    assert (tmp_path / ARRAYS_NPZ).read_bytes() == (folder / ARRAYS_NPZ).read_bytes()


def _copy(folder, tmp_path):
    import shutil

    target = tmp_path / "copy"
    shutil.copytree(folder, target)
    return target


def test_a_tampered_or_foreign_coder_is_one_clear_error(saved, tmp_path):
    _, folder = saved
    with pytest.raises(ModelFileError, match="not a saved textmine coder"):
        load_coder(tmp_path / "missing")
    bad = _copy(folder, tmp_path)
    with open(bad / ARRAYS_NPZ, "ab") as fh:
        fh.write(b"x")
    with pytest.raises(ModelFileError, match="does not match the checksum"):
        load_coder(bad)


def test_another_schema_version_is_refused(saved, tmp_path):
    _, folder = saved
    bad = _copy(folder, tmp_path)
    meta = json.loads((bad / CODER_JSON).read_text("utf-8"))
    meta["schema_version"] = 99
    (bad / CODER_JSON).write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ModelFileError, match="schema version 99"):
        load_coder(bad)
    meta["schema_version"], meta["schema"] = 1, "textmine.theme_model"
    (bad / CODER_JSON).write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ModelFileError, match="not a saved textmine coder"):
        load_coder(bad)


def test_arrays_with_a_valid_checksum_but_wrong_shapes_or_pickles_are_refused(saved, tmp_path):
    from textmine.outputs import file_sha256

    _, folder = saved
    bad = _copy(folder, tmp_path)
    with np.load(bad / ARRAYS_NPZ, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["platt"] = arrays["platt"][:1]
    np.savez(bad / ARRAYS_NPZ, **arrays)
    meta = json.loads((bad / CODER_JSON).read_text("utf-8"))
    meta["arrays_sha256"] = file_sha256(bad / ARRAYS_NPZ)
    (bad / CODER_JSON).write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ModelFileError, match="unexpected shapes"):
        load_coder(bad)
    # An object array needs pickle to load: refused with one line, never unpickled.
    arrays["platt"] = np.array([{"a": 1}], dtype=object)
    with zipfile.ZipFile(bad / ARRAYS_NPZ, "w") as zf:
        for name, value in arrays.items():
            with zf.open(f"{name}.npy", "w") as fh:
                np.lib.format.write_array(fh, value, allow_pickle=True)
    meta["arrays_sha256"] = file_sha256(bad / ARRAYS_NPZ)
    (bad / CODER_JSON).write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ModelFileError, match="cannot be loaded"):
        load_coder(bad)


def test_impossible_values_are_refused(saved, tmp_path):
    from textmine.outputs import file_sha256

    _, folder = saved
    bad = _copy(folder, tmp_path)
    with np.load(bad / ARRAYS_NPZ, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["cv_scores"] = arrays["cv_scores"] + 5.0
    np.savez(bad / ARRAYS_NPZ, **arrays)
    meta = json.loads((bad / CODER_JSON).read_text("utf-8"))
    meta["arrays_sha256"] = file_sha256(bad / ARRAYS_NPZ)
    (bad / CODER_JSON).write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ModelFileError, match="impossible values"):
        load_coder(bad)


def test_vectors_of_answers_without_terms():
    X = answer_vectors([[], []])
    assert X.shape == (2, 0)
    assert isinstance(pd.DataFrame(X.toarray()), pd.DataFrame)


def test_saved_single_code_coder_keeps_deciding_at_the_answer_level(tmp_path):
    rng = np.random.default_rng(0)
    codes = ["salaire", "télétravail", "formation"]
    docs = [[*rng.choice(["salaire", "paie", "prime"] if c == "salaire" else
                         ["visio", "domicile"] if c == "télétravail" else ["stage", "apprendre"],
                         2), "travail"] for c in codes * 40]  # fmt: skip
    Y = pd.DataFrame([{k: int(k == c) for k in codes} for c in codes * 40])
    coder = MultiLabelCoder(cv_folds=3).fit(docs, Y)
    assert coder.answer_level_
    save_coder(coder, tmp_path, text_options={"model": "fr_core_news_sm"})
    back = load_coder(tmp_path).coder
    assert back.answer_level_
    new = [["salaire", "visio", "travail"], ["stage", "travail"], ["paie"]]
    assert np.array_equal(back.predict(new), coder.predict(new))
    assert (back.predict(new).sum(axis=1) <= 1).all()


@pytest.mark.parametrize("change", ["swap", "repeat"])
def test_code_names_changed_in_coder_json_are_refused(saved, tmp_path, change):
    # Trial 2026-12-01: swapping two names in coder.json relabelled every code silently;
    # repeated names gave contradictory rows. The names are under the arrays' checksum now.
    _, folder = saved
    bad = _copy(folder, tmp_path)
    meta = json.loads((bad / CODER_JSON).read_text("utf-8"))
    codes = meta["codes"]
    meta["codes"] = ([codes[1], codes[0], *codes[2:]] if change == "swap"
                     else [codes[0]] * len(codes))
    (bad / CODER_JSON).write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ModelFileError, match=r"^The codes of .* are not those the coder was "
                                             r"saved with"):
        load_coder(bad)


def test_a_coder_saved_before_the_open_world_rule_follows_it_when_loaded(
        tmp_path, monkeypatch, caplog):
    # A coder saved without the open-world rule codes "pollution" (9 examples) automatically;
    # read back now, its statement says 14 are needed, so it must not code it.
    from test_coding_learn import _open_world

    import textmine.coding.learn as learn

    docs, Y = _open_world(mid=9)
    monkeypatch.setattr(learn, "OPEN_WORLD_SHARE", None)
    old = MultiLabelCoder(cv_folds=3).fit(docs, Y)
    j = list(old.classes_).index("pollution")
    assert old.automatic_[j]  # what the coder did before the rule
    save_coder(old, tmp_path)
    monkeypatch.undo()
    with caplog.at_level("WARNING"):
        back = load_coder(tmp_path).coder
    assert not back.automatic_[j] and np.isinf(back.thresholds_[j])
    assert back.automatic_[[list(back.classes_).index(c) for c in ("salaire", "formation")]].all()
    assert "saved before the open-world rule: 1 code(s) with fewer than 14" in caplog.text
    new = [["pollution", "air", "travail"]]
    assert back.predict(new)[0, j] == 0
