"""Themes of a textmine themes run attached to a workspace, and the page's filter by theme."""

from __future__ import annotations

import pandas as pd
import pytest
from workspace_fixtures import Browser, answers_frame, make_workspace

from textmine.errors import DataError, InputFileError
from textmine.pipeline.workspace_run import attach_themes
from textmine.workspace import db, queries
from textmine.workspace.app import build_app
from textmine.workspace.build import set_themes
from textmine.workspace.queries import Filters

TOKEN = "secret-token"


def run_folder(folder, ids_themes: dict[str, str], labels: dict[str, str], text_col="q1"):
    """A themes run's answers.csv, themes.csv and run.json, as ``textmine themes`` writes."""
    import json

    folder.mkdir()
    pd.DataFrame({"respondent_id": list(ids_themes),
                  "status": ["themed" if t else "unassigned" for t in ids_themes.values()],
                  "theme_id": [t.split(";")[0] for t in ids_themes.values()],
                  "themes": list(ids_themes.values())}).to_csv(folder / "answers.csv",
                                                               index=False)  # fmt: skip
    pd.DataFrame({"theme_id": list(labels), "label": list(labels.values())}).to_csv(
        folder / "themes.csv", index=False)
    (folder / "run.json").write_text(json.dumps({"command": "themes", "input": {
        "text_col": text_col}}), encoding="utf-8")
    return folder


def test_filter_by_theme_in_queries_and_pages(tmp_path):
    project = make_workspace(tmp_path)
    conn = db.connect(project)
    _, truth = answers_frame(60)
    number = {"Outils": "1", "Moyens": "2", "Temps": "3"}
    # Answers of 'Temps' also get theme 1 as a secondary theme.
    assigned = {rid: number[c] + (";1" if c == "Temps" else "") for rid, c in truth.items()}
    with db.transaction(conn):
        result = set_themes(conn, question="q1", answers=pd.DataFrame({
            "respondent_id": list(assigned), "themes": list(assigned.values())}),
            themes=pd.DataFrame({"theme_id": [1, 2, 3], "label": ["outils", "moyens", "temps"]}),
            run="run", coder="alice")  # fmt: skip
    assert result == {"themes": 3, "assigned": 60, "unknown": 0}
    themes = queries.themes(conn, "q1")
    assert [(t["label"], t["n"]) for t in themes] == [("outils", 40), ("moyens", 20),
                                                      ("temps", 20)]
    moyens = themes[1]["id"]
    f = Filters(question="q1", theme_id=moyens)
    assert f.active and f.query()["theme"] == str(moyens)
    assert queries.count_matching(conn, f, "alice") == 20
    rows = queries.answer_list(conn, f, "alice")
    assert {truth[r["respondent_id"]] for r in rows} == {"Moyens"}
    app = build_app(project, token=TOKEN)
    b = Browser(app, "alice")
    page = b.client.get(f"/list?q=q1&theme={moyens}").text
    assert "20 answers" in page and 'name="theme"' in page and "moyens (20)" in page
    # The queue keeps to the theme too.
    r = b.client.get(f"/next?q=q1&theme={moyens}")
    rid = r.text.split('id="respondent">')[1].split("<")[0]
    assert truth[rid] == "Moyens"
    # A malformed theme filter is ignored, not a server error.
    assert b.client.get("/list?q=q1&theme=%C2%B2").status_code == 200
    assert b.client.get("/list?q=q1&code=%C2%B2").status_code == 200
    assert b.client.get("/list?q=q1&theme=99999999999999999999999").status_code == 200
    conn.close()


def test_workspace_without_themes_shows_no_theme_filter(tmp_path):
    app = build_app(make_workspace(tmp_path), token=TOKEN)
    assert 'name="theme"' not in Browser(app, "alice").client.get("/list?q=q1").text


def test_import_of_a_run_folder_replaces_the_themes(tmp_path, cli):
    project = make_workspace(tmp_path)
    _, truth = answers_frame(60)
    first = run_folder(tmp_path / "run1", {rid: "1" for rid in truth},
                       {"1": "tout", "2": "rien"})
    r = cli("workspace", "import", project, first)
    assert r.code == 0, r.err
    assert "2 themes of" in r.out and "attached to q1 (60 answers with a theme)" in r.out
    ids = {rid: ("2" if i % 2 else "") for i, rid in enumerate(truth)}
    ids["X999"] = "1"
    second = run_folder(tmp_path / "run2", ids, {"1": "un", "2": "deux"})
    r = cli("workspace", "import", project, second)
    assert r.code == 0, r.err
    assert "30 answers with a theme" in r.out and "1 respondent of the run is not" in r.out
    conn = db.connect(project)
    assert [t["label"] for t in queries.themes(conn, "q1")] == ["un", "deux"]
    assert conn.execute("SELECT COUNT(*) FROM answer_themes").fetchone()[0] == 30
    assert conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'themes'").fetchone()[0] == 2
    conn.close()


def test_bad_themes_runs_are_refused_in_one_line(tmp_path, cli):
    project = make_workspace(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    r = cli("workspace", "import", project, empty)
    assert r.code != 0 and "not the folder of a finished 'textmine themes' run" in r.err
    other = run_folder(tmp_path / "other", {"Z1": "1", "Z2": "1"}, {"1": "x"})
    r = cli("workspace", "import", project, other)
    assert r.code != 0 and "No respondent of other with a theme answers q1" in r.err
    wrong_q = run_folder(tmp_path / "wrong", {"R001": "1"}, {"1": "x"}, text_col="q9")
    # The run's question is not in the workspace: its only question is used.
    assert attach_themes(project, wrong_q)["question"] == "q1"
    with pytest.raises(InputFileError):
        attach_themes(project, tmp_path / "missing")
    with pytest.raises(DataError, match="themes.csv"):
        bad = run_folder(tmp_path / "bad", {"R001": "1"}, {"1": "x"})
        pd.DataFrame({"id": [1]}).to_csv(bad / "themes.csv", index=False)
        attach_themes(project, bad)


def test_init_with_a_real_themes_run(tmp_path, cli):
    frame, _ = answers_frame(60)
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"id": frame["respondent_id"], "taille": ["A", "B"] * 30 + ["A"],
                  "q1": frame["text"]}).to_csv(survey, index=False)  # fmt: skip
    r = cli("themes", survey, "--text-col", "q1", "--id-col", "id", "--out", tmp_path / "run",
            "--k", "3", "--stability", "0", "--min-df", "1")
    assert r.code == 0, r.err
    project = tmp_path / "p.tmdb"
    r = cli("workspace", "init", project, "--survey", survey, "--text-col", "q1", "--id-col",
            "id", "--themes", tmp_path / "run")
    assert r.code == 0, r.err
    assert "themes of" in r.out and "attached to q1" in r.out
    conn = db.connect(project)
    themes = queries.themes(conn, "q1")
    run_themes = pd.read_csv(tmp_path / "run" / "themes.csv")
    assert [t["label"] for t in themes] == run_themes["label"].tolist()
    answers = pd.read_csv(tmp_path / "run" / "answers.csv", dtype=str)
    first = themes[0]
    expected = answers["themes"].fillna("").str.split(";").map(
        lambda ts: first["theme_id"] in ts).sum()
    assert first["n"] == expected > 0
    conn.close()
