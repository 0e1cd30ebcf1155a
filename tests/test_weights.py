"""Survey weights end to end: one rule for --weights, ReadOptions.weights and [survey] weights."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_themes_data import make_corpus

from textmine.config import ReadOptions
from textmine.errors import DataError, OptionError
from textmine.survey import read_survey, resolve_weights
from textmine.survey.weights import weights_read_options, zero_weight_note

ZERO = ("r001", "r002")  # the two respondents of weight 0
NOTE = "2 respondents have weight 0 and are left out of weighted figures."


def _survey_frame() -> pd.DataFrame:
    corpus = make_corpus()
    n = len(corpus.ids)
    poids = np.where(np.arange(n) % 3 == 0, "2,5", "0,8").astype(object)
    frame = pd.DataFrame({
        "id": corpus.ids,
        "fonction": (["Chargé de com", "Directeur"] * n)[:n],
        "poids": poids,
        "reponse": corpus.texts,
    })  # fmt: skip
    frame.loc[frame["id"].isin(ZERO), "poids"] = "0"
    return frame


@pytest.fixture
def corpus_module(tmp_path_factory, monkeypatch):
    # The CLI runs the whole pipeline, text processing included; parse cache kept private.
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    return pytest.importorskip("textmine.text.corpus")


def _write(tmp_path, frame: pd.DataFrame):
    path = tmp_path / "enquete.csv"
    frame.to_csv(path, sep=";", index=False)
    return path


def _themes(cli, survey, out, *extra):
    return cli("themes", survey, "--text-col", "reponse", "--id-col", "id", "--out", out,
               "--k", "3", "--seed", "3", "--by", "fonction", *extra)  # fmt: skip


def test_zero_weights_go_through_themes_with_a_note(cli, tmp_path, corpus_module):
    frame = _survey_frame()
    survey = _write(tmp_path, frame)
    with pytest.warns(match=NOTE):
        res = _themes(cli, survey, tmp_path / "w", "--weights", "poids")
    assert res.code == 0, res.err
    res_plain = _themes(cli, survey, tmp_path / "u")
    assert res_plain.code == 0, res_plain.err
    run = json.loads((tmp_path / "w" / "run.json").read_text(encoding="utf-8"))
    assert run["notes"] == [NOTE]
    assert run["settings"]["weights"] == "poids"
    assert run["settings"]["read"]["weights"] == "poids"
    assert json.loads((tmp_path / "u" / "run.json").read_text(encoding="utf-8"))["notes"] == []

    read = {"dtype": str, "keep_default_na": False}
    table = pd.read_csv(tmp_path / "w" / "crosstab_fonction.csv", **read)
    plain = pd.read_csv(tmp_path / "u" / "crosstab_fonction.csv", **read)
    table, plain = (t[t["row_type"] == "theme"].reset_index(drop=True) for t in (table, plain))
    # Unweighted counts keep the zero-weight respondents.
    assert table["n"].tolist() == plain["n"].tolist()
    assert table["n_modality"].tolist() == plain["n_modality"].tolist()
    # Weighted percentages are computed by hand without them.
    answers = pd.read_csv(tmp_path / "w" / "answers.csv", **read).set_index("respondent_id")
    base = answers[answers["status"].isin(["themed", "unassigned"])]
    assert set(ZERO) <= set(base.index)  # the test means something: both are in the base
    weights = frame.set_index("id")["poids"].str.replace(",", ".").astype(float)
    role = frame.set_index("id")["fonction"]
    for row in table.itertuples():
        mod = base.index[role.loc[base.index] == row.modality]
        kept = [i for i in mod if weights[i] > 0]
        yes = [i for i in kept if row.theme_id in base.loc[i, "themes"].split(";")]
        expected = 100 * weights[yes].sum() / weights[kept].sum()
        assert float(row.weighted_pct) == pytest.approx(expected), row


@pytest.mark.parametrize(
    ("cell", "shown"),
    [("-1", "-1"), ("beaucoup", "'beaucoup'"), ("", "missing")],
)
def test_an_invalid_weight_is_one_line_naming_the_row(cli, tmp_path, cell, shown):
    frame = _survey_frame()
    frame.loc[4, "poids"] = cell  # data row 5
    res = _themes(cli, _write(tmp_path, frame), tmp_path / "o", "--weights", "poids")
    assert res.code == 2
    assert res.err == (
        f"error: 1 row has an invalid weight in column 'poids' (data row 5: {shown}); weights "
        "must be numbers >= 0: correct these cells (weight 0 keeps a respondent out of the "
        "weighted figures).\n"
    )
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("cell", ["1e308", "1e-320", "1e13"])
def test_extreme_weights_are_one_line_naming_the_rows(cli, tmp_path, cell):
    # Weights whose sums overflow or underflow (or span 1e12) made scipy fail with a traceback.
    frame = _survey_frame()
    frame.loc[4, "poids"] = cell  # data row 5
    res = _themes(cli, _write(tmp_path, frame), tmp_path / "o", "--weights", "poids")
    assert res.code == 2
    assert res.err.startswith("error: The weights in column 'poids' range from ")
    assert "data row 5" in res.err and res.err.count("\n") == 1
    assert "rescale or correct the weight column." in res.err
    assert not (tmp_path / "o").exists()


def test_every_entry_meets_the_same_rule(tmp_path):
    frame = _survey_frame()
    frame["autre"] = frame["poids"]
    frame.loc[4, "autre"] = "-2"
    path = _write(tmp_path, frame)
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    # A weight column named to the tables is checked as the reader checks it.
    with pytest.raises(DataError, match=r"\(respondent 'r005': -2\); weights must be numbers"):
        resolve_weights(survey, "autre")
    with pytest.warns(match=NOTE):
        weights = resolve_weights(survey, "poids")
    assert zero_weight_note(weights) == NOTE
    assert weights.loc[list(ZERO)].tolist() == [0.0, 0.0]


def test_two_weight_columns_are_refused():
    options = ReadOptions(weights="poids")
    assert weights_read_options(options, None) is options
    assert weights_read_options(options, "poids") is options
    assert weights_read_options(ReadOptions(), "poids").weights == "poids"
    with pytest.raises(OptionError, match=r"^Two weight columns given \('poids' and 'autre'\)"):
        weights_read_options(options, "autre")


@pytest.mark.parametrize(("column", "role"), [
    ("id", "the id column (--id-col)"),
    ("reponse", "the open question analysed (--text-col)"),
    ("fonction", "also a --by question"),
])
@pytest.mark.parametrize("command", ["themes", "reinert"])
def test_a_weight_column_with_another_role_is_one_line_before_any_work(cli, tmp_path, column,
                                                                      role, command):
    survey = _write(tmp_path, _survey_frame())
    res = cli(command, survey, "--text-col", "reponse", "--id-col", "id", "--out",
              tmp_path / "o", "--by", "fonction", "--weights", column)
    assert res.code == 2
    assert res.err == (
        f"error: The weight column '{column}' is {role}; give --weights the column holding "
        "the survey weights (numbers >= 0), or leave it out.\n"
    )
    assert not (tmp_path / "o").exists()


def test_the_id_column_as_weights_is_refused_when_the_options_are_built():
    with pytest.raises(OptionError, match=r"^The weight column 'id' is the id column"):
        ReadOptions(id_col="id", weights="id")
    with pytest.raises(OptionError, match=r"^The weight column 'id' is the id column"):
        weights_read_options(ReadOptions(id_col="id"), "id")
    with pytest.raises(OptionError, match=r"is the open question analysed"):
        weights_read_options(ReadOptions(id_col="id"), "q", text_col="q")
