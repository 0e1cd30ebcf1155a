"""A workspace's codes straight into ``textmine crosstab``, ``textmine code`` and ``agree``."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from workspace_fixtures import CODES, answers_frame

from textmine.errors import OptionError
from textmine.pipeline.tables_run import workspace_answers
from textmine.pipeline.workspace_run import read_workspace_codes
from textmine.workspace import db, edits


def _survey(tmp_path, second_question: bool = False):
    frame, truth = answers_frame(60)
    data = {"id": frame["respondent_id"], "taille": ["Grande", "Petite"] * 30 + ["Grande"],
            "q1": frame["text"]}
    if second_question:
        data["q2"] = frame["text"].str.upper()
    survey = tmp_path / "survey.csv"
    pd.DataFrame(data).to_csv(survey, index=False)
    return survey, truth


def _code(project, truth, coders: dict[str, int], question: str = "q1"):
    """Code the first n answers of ``question`` for each coder (bob: 'Temps' where truth is
    'Moyens', a disagreement)."""
    conn = db.connect(project)
    ids = {r[0]: r[1] for r in conn.execute(
        "SELECT respondent_id, id FROM answers WHERE question = ?", (question,))}
    for coder, n in coders.items():
        for rid, code in list(truth.items())[:n]:
            if coder == "bob" and code == "Moyens":
                code = "Temps"
            cid = conn.execute("SELECT id FROM codes WHERE name = ?", (code,)).fetchone()
            cid = cid[0] if cid else edits.add_code(conn, code, coder)
            edits.change_coding(conn, ids[rid], coder, version=0, action="set", codes=[cid])
    conn.close()


@pytest.fixture
def project(cli, tmp_path):
    survey, truth = _survey(tmp_path)
    path = tmp_path / "p.tmdb"
    r = cli("workspace", "init", path, "--survey", survey, "--text-col", "q1", "--id-col", "id",
            "--coder", "alice")
    assert r.code == 0, r.err
    return path, survey, truth


def test_crosstab_of_a_workspace_crosses_its_codes_with_closed_questions(cli, project, tmp_path):
    path, survey, truth = project
    _code(path, truth, {"alice": 45})
    r = cli("crosstab", path, "--by", "taille", "--out", tmp_path / "tables")
    assert r.code == 0, r.err
    table = pd.read_csv(tmp_path / "tables" / "crosstab_taille.csv")
    themes = table[table["row_type"] == "theme"]
    assert set(CODES) <= set(themes["theme_id"].astype(str))
    answers = pd.read_csv(tmp_path / "tables" / "answers.csv", dtype=str)
    assert len(answers) == 45  # the base: answers the coder coded, not all 61
    # Each code is given to 15 of the 45 coded answers: the table's counts say so.
    record = json.loads((tmp_path / "tables" / "run.json").read_text())
    assert record["input"]["coder"] == "alice" and record["input"]["text_col"] == "q1"
    # No --out: one line.
    r = cli("crosstab", path, "--by", "taille")
    assert r.code == 2 and "--out" in r.err and "Traceback" not in r.err


def test_crosstab_with_several_coders_asks_which_one(cli, project, tmp_path):
    path, _, truth = project
    _code(path, truth, {"alice": 30, "bob": 30})
    r = cli("crosstab", path, "--by", "taille", "--out", tmp_path / "t")
    assert r.code == 2 and "2 coders" in r.err and "--coder" in r.err
    assert not (tmp_path / "t").exists()
    r = cli("crosstab", path, "--by", "taille", "--out", tmp_path / "t", "--coder", "bob")
    assert r.code == 0, r.err
    r = cli("crosstab", path, "--by", "taille", "--out", tmp_path / "u", "--coder", "carol")
    assert r.code == 2 and "carol" in r.err and "alice, bob" in r.err


def test_a_changed_survey_is_refused_for_the_crosstab(cli, project, tmp_path):
    path, survey, truth = project
    _code(path, truth, {"alice": 20})
    survey.write_text(survey.read_text(encoding="utf-8") + "R999,Petite,encore\n",
                      encoding="utf-8")
    r = cli("crosstab", path, "--by", "taille", "--out", tmp_path / "t")
    assert r.code != 0 and "changed since workspace" in r.err


def test_workspace_options_on_a_run_folder_are_refused(cli, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    r = cli("crosstab", run, "--by", "taille", "--coder", "alice")
    assert r.code == 2 and "--coder applies to a workspace" in r.err


def test_several_open_questions_need_question(cli, tmp_path):
    survey, truth = _survey(tmp_path, second_question=True)
    path = tmp_path / "two.tmdb"
    r = cli("workspace", "init", path, "--survey", survey, "--text-col", "q1", "--text-col",
            "q2", "--id-col", "id", "--coder", "alice")
    assert r.code == 0, r.err
    _code(path, truth, {"alice": 20}, question="q2")
    r = cli("crosstab", path, "--by", "taille", "--out", tmp_path / "t")
    assert r.code == 2 and "2 open questions (q1, q2)" in r.err and "--question" in r.err
    r = cli("crosstab", path, "--by", "taille", "--out", tmp_path / "t", "--question", "q2")
    assert r.code == 0, r.err
    with pytest.raises(OptionError, match="not in workspace"):
        read_workspace_codes(path, question="q3")
    # textmine code reads the question named by --text-col.
    coded, info = read_workspace_codes(path, default_question="q2")
    assert info["question"] == "q2" and len(coded) == 20


def test_code_learns_from_a_workspace(cli, project, tmp_path):
    path, survey, truth = project
    _code(path, truth, {"alice": 40, "bob": 30})
    r = cli("code", survey, "--text-col", "q1", "--id-col", "id", "--labels", path,
            "--out", tmp_path / "code")
    assert r.code == 2 and "choose one with --coder" in r.err
    r = cli("code", survey, "--text-col", "q1", "--id-col", "id", "--labels", path,
            "--coder", "alice", "--out", tmp_path / "code")
    assert r.code == 0, r.err
    assert "40 coded answers learnt" in r.out
    codes = pd.read_csv(tmp_path / "code" / "codes.csv", dtype=str)
    assert set(codes["code"].dropna()) == set(CODES)
    r = cli("code", survey, "--text-col", "q1", "--id-col", "id", "--labels", survey,
            "--coder", "alice", "--out", tmp_path / "code2")
    assert r.code == 2 and "labels file" in r.err


def test_agree_compares_the_two_coders_of_a_workspace(cli, project, tmp_path, caplog):
    path, survey, truth = project
    _code(path, truth, {"alice": 30, "bob": 30})
    r = cli("agree", path, path, "--survey", survey, "--id-col", "id", "--out", tmp_path / "ag")
    assert r.code == 0, r.err
    assert "Agreement on the 30 answers both coders coded" in r.out
    assert "comparing the two coders of q1 in p.tmdb: alice and bob" in caplog.text
    table = pd.read_csv(tmp_path / "ag" / "agreement.csv")
    moyens = table[table["code"] == "Moyens"].iloc[0]
    assert moyens["cohen_kappa"] < 0.5  # bob never gave 'Moyens'
    _code(path, truth, {"carol": 10})
    r = cli("agree", path, path, "--survey", survey, "--id-col", "id", "--out", tmp_path / "b")
    assert r.code == 2 and "--coder-a" in r.err
    r = cli("agree", path, path, "--survey", survey, "--id-col", "id", "--coder-a", "alice",
            "--coder-b", "carol", "--out", tmp_path / "b")
    assert r.code == 0 and "10 answers both coders coded" in r.out


def test_workspace_answers_are_a_runs_answers_and_themes():
    coded = pd.DataFrame([[1, 0], [0, 0], [1, 1]], index=["a", "b", "c"],
                         columns=["Outils", "Temps"])
    answers, themes = workspace_answers(coded)
    assert answers["status"].tolist() == ["themed", "unassigned", "themed"]
    assert answers["themes"].tolist() == ["Outils", "", "Outils;Temps"]
    assert themes["label"].tolist() == ["Outils", "Temps"]


def test_a_moved_survey_is_said_for_the_crosstab(cli, project, tmp_path):
    path, survey, truth = project
    _code(path, truth, {"alice": 20})
    survey.rename(tmp_path / "elsewhere.csv")
    r = cli("crosstab", path, "--by", "taille", "--out", tmp_path / "t")
    assert r.code != 0 and "recorded in workspace p.tmdb not found" in r.err
    assert "Traceback" not in r.err and not (tmp_path / "t").exists()
