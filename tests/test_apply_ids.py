"""``textmine apply`` without --id-col keeps the respondent ids of the model's run."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
from test_themes_data import make_corpus

MESSAGE = "using id column 'id' as in the model's run"


@pytest.fixture(scope="module")
def frame():
    corpus = make_corpus()
    n = len(corpus.ids)
    # Ids that are neither 1..n nor in file order: row numbers can never pass for them.
    ids = [f"R{1000 - i}" for i in range(n)]
    return pd.DataFrame({"id": ids, "fonction": (["Com", "DG"] * n)[:n],
                         "reponse": corpus.texts})


@pytest.fixture
def run(cli, frame, tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    pytest.importorskip("textmine.text.corpus")
    path = tmp_path / "enquete.csv"
    frame.to_csv(path, sep=";", index=False)
    res = cli("themes", path, "--text-col", "reponse", "--id-col", "id", "--k", "3",
              "--out", tmp_path / "run")
    assert res.code == 0, res.err
    return tmp_path / "run"


def _write_new(frame: pd.DataFrame, path, *, rows: slice, drop_id: bool = False):
    new = frame.iloc[rows]
    if drop_id:
        new = new.drop(columns="id")
    new.to_csv(path, index=False)  # another separator than the run's file, on purpose
    return path


def _ids(out) -> list[str]:
    return pd.read_csv(out / "answers.csv", dtype=str, keep_default_na=False)[
        "respondent_id"].tolist()


@pytest.mark.parametrize("given", ["model", "run"])
def test_apply_uses_the_run_id_column_and_says_so(cli, frame, run, tmp_path, caplog, given):
    new = _write_new(frame, tmp_path / "nouvelles.csv", rows=slice(5, 11))
    target = run / "model" if given == "model" else run
    with caplog.at_level(logging.WARNING):
        res = cli("apply", target, new, "--text-col", "reponse", "--out", tmp_path / "new")
    assert res.code == 0, res.err
    assert _ids(tmp_path / "new") == frame["id"].iloc[5:11].tolist()
    said = [r.getMessage() for r in caplog.records if MESSAGE in r.getMessage()]
    assert len(said) == 1 and "\n" not in said[0]
    record = json.loads((tmp_path / "new" / "run.json").read_text(encoding="utf-8"))
    assert record["settings"]["read"]["id_col"] == "id"


def test_apply_without_the_id_column_numbers_rows(cli, frame, run, tmp_path, caplog):
    new = _write_new(frame, tmp_path / "sans_id.csv", rows=slice(0, 4), drop_id=True)
    with caplog.at_level(logging.WARNING):
        res = cli("apply", run / "model", new, "--text-col", "reponse", "--out", tmp_path / "n")
    assert res.code == 0, res.err
    assert _ids(tmp_path / "n") == ["1", "2", "3", "4"]
    assert not any(MESSAGE in r.getMessage() for r in caplog.records)


def test_apply_id_col_given_wins(cli, frame, run, tmp_path, caplog):
    new = frame.iloc[:4].assign(code=["a", "b", "c", "d"])
    path = tmp_path / "autre.csv"
    new.to_csv(path, index=False)
    with caplog.at_level(logging.WARNING):
        res = cli("apply", run / "model", path, "--text-col", "reponse", "--id-col", "code",
                  "--out", tmp_path / "n")
    assert res.code == 0, res.err
    assert _ids(tmp_path / "n") == ["a", "b", "c", "d"]
    assert not any(MESSAGE in r.getMessage() for r in caplog.records)
