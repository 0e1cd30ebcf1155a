"""The top-level ``models/``: theme models of the demo survey (scripts/make_models.py)."""

from __future__ import annotations

import importlib.util
import json
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest

from textmine.outputs import file_sha256
from textmine.themes import load_model

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
QUESTIONS = ("q_evolution", "q_outils", "q_manques")


def _script():
    path = ROOT / "scripts" / "make_models.py"
    spec = importlib.util.spec_from_file_location("make_models", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def private_cache(tmp_path_factory, monkeypatch):
    # Parsing the demo answers from scratch, as a fresh clone would; the user cache is untouched.
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    return pytest.importorskip("textmine.text.corpus")


def test_models_hold_one_safe_model_per_demo_question():
    sums = _script().read_sums(MODELS)
    assert sorted(sums) == sorted(f"{q}/{f}" for q in QUESTIONS for f in ("arrays.npz",
                                                                           "model.json"))
    for name, digest in sums.items():
        assert file_sha256(MODELS / name) == digest, name
    for q in QUESTIONS:
        text = (MODELS / q / "model.json").read_text(encoding="utf-8")
        # A shared model must not carry paths of the machine that made it.
        assert str(ROOT) not in text and "/home/" not in text and "/tmp/" not in text
        assert load_model(MODELS / q).labels


def test_apply_on_models(cli, tmp_path, private_cache):
    out = tmp_path / "manques"
    res = cli("apply", MODELS / "q_manques", ROOT / "data" / "demo_survey.csv",
              "--text-col", "q_manques", "--id-col", "id", "--out", out)  # fmt: skip
    assert res.code == 0, res.err
    themes = pd.read_csv(out / "themes.csv")
    assert themes["label"].tolist() == list(load_model(MODELS / "q_manques").labels)
    answers = pd.read_csv(out / "answers.csv", dtype=str, keep_default_na=False)
    assert len(answers) == 285 and (answers["status"] == "themed").sum() > 200


def test_remaking_a_model_gives_identical_bytes(tmp_path, private_cache):
    recorded = json.loads((MODELS / "q_outils" / "model.json").read_text(encoding="utf-8"))
    if recorded["sklearn_version"] != version("scikit-learn"):
        pytest.skip("models/ was made with another scikit-learn; remake it to compare bytes")
    sums = _script().make_models(tmp_path, only=["q_outils"])
    stored = _script().read_sums(MODELS)
    assert sums == {k: v for k, v in stored.items() if k.startswith("q_outils/")}
