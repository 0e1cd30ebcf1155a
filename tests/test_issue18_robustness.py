"""Issue 18 trial (a new user, then someone trying to break it): the faults found, each kind.

- a themes run of another open question of the same survey (its respondents match) was
  attached to the workspace's question, silently, by ``workspace import`` and ``init --themes``;
- ``code --text-col Q --labels PROJECT.tmdb`` learnt the codes of another question of the
  workspace as codes of Q's answers (the ids match);
- ``agree P.tmdb P.tmdb --coder-a X --coder-b X`` gave a perfect agreement of one coder with
  themself; one coder only gave "2 coders ... 1 coders" advice that could not be followed;
- ``workspace export --force`` replaced the survey file the workspace was made from.
"""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
from workspace_fixtures import answers_frame

from textmine.errors import DataError
from textmine.pipeline.workspace_run import attach_themes, read_workspace_codes
from textmine.workspace import db, edits

#: A second open question: other texts from the same respondents.
OTHER = ["la mairie a fermé ses guichets", "nous avons recruté un stagiaire",
         "les élus ont voulu des vidéos", "rien de particulier à signaler"]


def _survey(tmp_path):
    frame, truth = answers_frame(60)
    q2 = [f"{OTHER[i % 4]} [{i}]" for i in range(len(frame))]
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"id": frame["respondent_id"], "taille": ["A", "B"] * 30 + ["A"],
                  "q1": frame["text"], "q2": q2}).to_csv(survey, index=False)  # fmt: skip
    return survey, frame, q2, truth


def _run(folder, ids, texts, text_col):
    """A finished themes run's files (answers.csv with its text column, themes.csv, run.json)."""
    folder.mkdir()
    pd.DataFrame({"respondent_id": ids, "text": texts, "status": "themed",
                  "theme_id": [1 + i % 2 for i in range(len(ids))],
                  "themes": [str(1 + i % 2) for i in range(len(ids))]}).to_csv(
        folder / "answers.csv", index=False)  # fmt: skip
    pd.DataFrame({"theme_id": [1, 2], "label": ["un", "deux"]}).to_csv(folder / "themes.csv",
                                                                        index=False)
    (folder / "run.json").write_text(json.dumps({
        "schema_version": 1, "command": "themes",
        "input": {"path": "survey.csv", "text_col": text_col}}))
    return folder


@pytest.fixture
def two(cli, tmp_path):
    """Survey with q1 and q2; workspaces of q1 only and of both; runs of q1 and of q2."""
    survey, frame, q2, truth = _survey(tmp_path)
    ids = frame["respondent_id"].tolist()
    one = tmp_path / "one.tmdb"
    both = tmp_path / "both.tmdb"
    for path, cols in ((one, ["q1"]), (both, ["q1", "q2"])):
        args = [x for c in cols for x in ("--text-col", c)]
        r = cli("workspace", "init", path, "--survey", survey, "--id-col", "id", *args,
                "--coder", "alice")
        assert r.code == 0, r.err
    # The run of q1 writes its texts with other spaces and case: still the same answers.
    run1 = _run(tmp_path / "run_q1", ids, ["  " + t.upper() for t in frame["text"]], "q1")
    run2 = _run(tmp_path / "run_q2", ids, q2, "q2")
    return {"survey": survey, "one": one, "both": both, "run1": run1, "run2": run2,
            "truth": truth, "tmp": tmp_path}


def _themes(path):
    conn = db.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM themes").fetchone()[0]
    finally:
        conn.close()


def test_a_themes_run_of_another_question_is_refused(cli, two):
    # The run's question is not in the workspace: its texts are not q1's answers.
    r = cli("workspace", "import", two["one"], two["run2"])
    assert r.code == 2 and "Traceback" not in r.err
    assert "are not the answers to 'q1'" in r.err and "the run analysed 'q2'" in r.err
    assert len(r.err.strip().splitlines()) == 1
    # Forcing the question does not make them q1's answers either.
    r = cli("workspace", "import", two["one"], two["run2"], "--question", "q1")
    assert r.code == 2 and "are not the answers to 'q1'" in r.err
    assert _themes(two["one"]) == 0  # nothing attached
    # In a workspace holding both questions, the message names the right one.
    with pytest.raises(DataError, match="answers to 'q2': attach it with --question q2"):
        attach_themes(two["both"], two["run2"], question="q1")
    assert attach_themes(two["both"], two["run2"])["question"] == "q2"
    assert attach_themes(two["both"], two["run1"])["question"] == "q1"


def test_init_with_the_themes_run_of_another_question_writes_nothing(cli, two):
    out = two["tmp"] / "new.tmdb"
    r = cli("workspace", "init", out, "--survey", two["survey"], "--id-col", "id",
            "--text-col", "q1", "--themes", two["run2"])
    assert r.code == 2 and "the run analysed 'q2'" in r.err and "Traceback" not in r.err
    assert not out.exists()
    assert not [p for p in two["tmp"].iterdir() if p.name.startswith("new.tmdb")]


def test_a_run_of_a_renamed_question_is_attached_and_the_guess_said(cli, two, caplog):
    # Same texts, another column name in run.json: the workspace's only question, said.
    frame, _ = answers_frame(60)
    renamed = _run(two["tmp"] / "renamed", frame["respondent_id"].tolist(),
                   frame["text"].tolist(), "verbatim")
    with caplog.at_level(logging.WARNING):
        r = cli("workspace", "import", two["one"], renamed)
    assert r.code == 0, r.err
    assert "analysed 'verbatim'" in caplog.text and "attached to 'q1'" in caplog.text


def _code(path, truth, coder, question="q1", n=30):
    conn = db.connect(path)
    ids = {r[0]: r[1] for r in conn.execute(
        "SELECT respondent_id, id FROM answers WHERE question = ?", (question,))}
    for rid, code in list(truth.items())[:n]:
        cid = conn.execute("SELECT id FROM codes WHERE name = ?", (code,)).fetchone()
        cid = cid[0] if cid else edits.add_code(conn, code, coder)
        edits.change_coding(conn, ids[rid], coder, version=0, action="set", codes=[cid])
    conn.close()


def test_code_refuses_the_codes_of_another_question(cli, two):
    _code(two["one"], two["truth"], "alice")
    out = two["tmp"] / "code"
    # --text-col q2, a workspace of q1 only: its codes are not codes of q2's answers.
    r = cli("code", two["survey"], "--text-col", "q2", "--id-col", "id", "--labels", two["one"],
            "--out", out)
    assert r.code == 2 and "Traceback" not in r.err
    assert "The codes of 'q1' in workspace one.tmdb" in r.err and "--text-col q1" in r.err
    assert not out.exists()
    # Choosing the question does not make them q2's codes either.
    r = cli("code", two["survey"], "--text-col", "q2", "--id-col", "id", "--labels", two["one"],
            "--question", "q1", "--out", out)
    assert r.code == 2 and "other answers than those of --text-col q2" in r.err
    assert not out.exists()
    # The API: texts of q1 pass, texts of q2 do not.
    frame, _ = answers_frame(60)
    texts = dict(zip(frame["respondent_id"], frame["text"], strict=True))
    coded, info = read_workspace_codes(two["one"], texts=texts, default_question="q1")
    assert info["question"] == "q1" and len(coded) == 30
    q2 = pd.read_csv(two["survey"], dtype=str).set_index("id")["q2"].to_dict()
    with pytest.raises(DataError, match="other answers"):
        read_workspace_codes(two["one"], texts=q2, default_question="q2")


def test_agree_refuses_one_coder_against_themself(cli, two):
    _code(two["one"], two["truth"], "alice")
    path, survey, out = two["one"], two["survey"], two["tmp"] / "ag"
    r = cli("agree", path, path, "--survey", survey, "--id-col", "id", "--coder-a", "alice",
            "--coder-b", "alice", "--out", out)
    assert r.code == 2 and "both 'alice'" in r.err and "Traceback" not in r.err
    assert not out.exists()
    # One coder only: said as such, with advice that can be followed.
    r = cli("agree", path, path, "--survey", survey, "--id-col", "id", "--out", out)
    assert r.code == 2 and "one coder (alice)" in r.err and "1 coders" not in r.err
    assert not out.exists()
    _code(path, two["truth"], "bob", n=20)
    r = cli("agree", path, path, "--survey", survey, "--id-col", "id", "--out", out)
    assert r.code == 0 and "20 answers both coders coded" in r.out


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_never_replaces_the_survey_it_was_made_from(cli, tmp_path, fmt):
    frame, truth = answers_frame(60)
    survey = tmp_path / f"survey.{fmt}"
    data = pd.DataFrame({"id": frame["respondent_id"], "q1": frame["text"]})
    data.to_csv(survey, index=False) if fmt == "csv" else data.to_excel(survey, index=False)
    before = survey.read_bytes()
    project = tmp_path / "p.tmdb"
    r = cli("workspace", "init", project, "--survey", survey, "--id-col", "id", "--text-col",
            "q1", "--coder", "alice")
    assert r.code == 0, r.err
    _code(project, truth, "alice", n=10)
    r = cli("workspace", "export", project, "--format", fmt, "--out", survey, "--force")
    assert r.code == 2 and "is the survey the workspace was made from" in r.err
    assert survey.read_bytes() == before
    r = cli("workspace", "export", project, "--format", fmt, "--out", project, "--force")
    assert r.code == 2 and "is the workspace itself" in r.err


def test_undo_never_takes_back_a_change_made_in_another_tab(tmp_path):
    from workspace_fixtures import Browser, make_workspace

    from textmine.workspace.app import build_app

    project = make_workspace(tmp_path)
    app = build_app(project, token="secret-token")
    tab_a = Browser(app, "alice")
    tab_b = Browser(app, "alice")  # the same coder in a second tab
    tab_b.client.cookies = tab_a.client.cookies
    tab_b.csrf = tab_a.csrf
    r = tab_a.code(1, 1, version=0)
    assert r.status_code == 200 and r.json()["version"] == 1
    r = tab_b.code(1, 2, version=1)  # tab B, which showed version 1, adds a code
    assert r.status_code == 200 and r.json()["version"] == 2
    # Tab A still shows version 1: its undo would take back B's change, unseen. Refused.
    r = tab_a.post("/api/undo", {"answer_id": 1, "version": 1})
    assert r.status_code == 409 and "changed on another page" in r.json()["error"]
    assert r.json()["current"]["codes"] == [1, 2]
    conn = db.connect(project)
    codes = [row[0] for row in conn.execute(
        "SELECT code_id FROM codings WHERE answer_id = 1 AND coder = 'alice' ORDER BY code_id")]
    conn.close()
    assert codes == [1, 2]
    # A page showing the current version undoes it (the last change, B's code 2).
    r = tab_a.post("/api/undo", {"answer_id": 1, "version": 2})
    assert r.status_code == 200 and r.json()["codes"] == [1]
    # A page on another answer undoes the last change and is sent to its answer.
    tab_a.code(2, 1, version=0)
    r = tab_a.post("/api/undo", {"answer_id": 1, "version": 3})
    assert r.status_code == 200 and r.json()["answer_id"] == 2 and r.json()["codes"] == []



@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_no_coded_answer_is_refused_and_writes_nothing(cli, two, fmt):
    out = two["tmp"] / f"codes.{fmt}"
    r = cli("workspace", "export", two["one"], "--format", fmt, "--out", out)
    assert r.code == 2 and "No coded answer in one.tmdb" in r.err and not out.exists()
    _code(two["one"], two["truth"], "alice", n=5)
    # Coded, but not by the coder chosen (nor in the question chosen): the same line.
    _code(two["both"], two["truth"], "bob", question="q2", n=5)
    r = cli("workspace", "export", two["both"], "--format", fmt, "--question", "q1",
            "--out", out)
    assert r.code == 2 and "for question q1" in r.err and not out.exists()
    r = cli("workspace", "export", two["both"], "--format", fmt, "--coder", "alice",
            "--out", out)
    assert r.code == 2 and "for coder alice" in r.err and not out.exists()
    r = cli("workspace", "export", two["one"], "--format", fmt, "--out", out)
    assert r.code == 0 and "5 rows written" in r.out and out.exists()


def test_importing_a_missing_file_says_it_is_missing(cli, two):
    for name in ("codes.csv", "codebook.qdc", "run_folder"):
        r = cli("workspace", "import", two["one"], two["tmp"] / name)
        assert r.code == 2 and "not found" in r.err and "Traceback" not in r.err


@pytest.mark.parametrize("value, said", [
    ("'abc'", "no valid schema version"), ("'2.5'", "no valid schema version"),
    (None, "none in its meta table"), ("0", "older than any this textmine upgrades"),
    ("-1", "older than any this textmine upgrades"), ("99", "upgrade textmine"),
])
def test_a_damaged_or_foreign_schema_version_is_one_line(cli, two, value, said):
    import sqlite3

    path = two["one"]
    conn = sqlite3.connect(path)
    if value is None:
        conn.execute("DELETE FROM meta WHERE key = 'schema_version'")
    else:
        conn.execute(f"UPDATE meta SET value = {value} WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    for args in (("workspace", "export", path, "--format", "csv", "--out", two["tmp"] / "x.csv"),
                 ("crosstab", path, "--by", "taille", "--out", two["tmp"] / "t"),
                 ("workspace", "serve", path, "--port", "7599")):
        r = cli(*args)
        assert r.code == 2 and said in r.err and "Traceback" not in r.err, r.err
        assert len(r.err.strip().splitlines()) == 1
    assert path.read_bytes() == before
    assert not (two["tmp"] / "x.csv").exists() and not (two["tmp"] / "t").exists()


def test_agree_names_its_own_coder_options(cli, two):
    """`agree` has --coder-a/--coder-b, no --coder: its advice names the one to use."""
    _code(two["one"], two["truth"], "alice")
    _code(two["one"], two["truth"], "bob", n=20)
    _code(two["both"], two["truth"], "carol", n=20)
    survey, out = two["survey"], two["tmp"] / "ag"
    for a, b, flag in ((two["one"], two["both"], "--coder-a"),
                       (two["both"], two["one"], "--coder-b")):
        r = cli("agree", a, b, "--survey", survey, "--id-col", "id", "--question", "q1",
                "--out", out)
        assert r.code == 2 and f"choose one with {flag}." in r.err, r.err
        assert not out.exists()
    r = cli("agree", two["one"], two["both"], "--survey", survey, "--id-col", "id",
            "--question", "q1", "--coder-a", "bob", "--out", out)
    assert r.code == 0 and "20 answers both coders coded" in r.out


def test_the_code_history_reads_as_text_not_json(tmp_path):
    """The history showed `{"name": "Propret\\u00e9", "parent_id": null}`: names as written."""
    import html

    from workspace_fixtures import Browser, make_workspace

    from textmine.workspace.app import build_app

    project = make_workspace(tmp_path)
    b = Browser(build_app(project, token="secret-token"), "alice")
    assert b.post("/api/codes/add", {"name": "Propreté", "parent_id": ""}).status_code == 200
    conn = db.connect(project)
    parent = conn.execute("SELECT id FROM codes WHERE name = 'Propreté'").fetchone()[0]
    outils = conn.execute("SELECT id FROM codes WHERE name = 'Outils'").fetchone()[0]
    temps = conn.execute("SELECT id, version FROM codes WHERE name = 'Temps'").fetchone()
    conn.close()
    assert b.post("/api/codes/add", {"name": "Rues", "parent_id": parent}).status_code == 200
    assert b.post("/api/codes/merge", {"code_id": temps[0], "version": temps[1],
                                       "into_id": outils}).status_code == 200
    page = html.unescape(b.client.get("/codes").text)
    assert "name: Propreté" in page and "\\u00e9" not in page
    assert "name: Rues; parent: Propreté" in page
    assert "merged: Temps; into: Outils; codings moved: 0" in page
    assert '"parent_id"' not in page and "null" not in page


def test_the_agreement_page_says_when_one_coder_is_compared_with_themself(tmp_path):
    import html

    from workspace_fixtures import Browser, make_workspace

    from textmine.workspace.app import build_app

    project = make_workspace(tmp_path)
    _, truth = answers_frame(60)
    _code(project, truth, "alice", n=10)
    _code(project, truth, "bob", n=10)
    b = Browser(build_app(project, token="secret-token"), "alice")
    page = html.unescape(b.client.get("/agreement?a=alice&b=alice").text)
    assert "Both coders are alice: choose two different coders." in page
    assert 'id="agreement-table"' not in page
    page = html.unescape(b.client.get("/agreement?a=alice&b=bob").text)
    assert 'id="agreement-table"' in page and "counts answer × code decisions" in page


@pytest.mark.parametrize("wait", [0.0, 8.0])
def test_ctrl_c_in_the_terminal_stops_serve_without_a_traceback(tmp_path, wait):
    """Ctrl-C reaches the whole process group, the refit process too (starting, or idle)."""
    import os
    import re
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from workspace_fixtures import make_workspace

    repo = Path(__file__).resolve().parents[1]
    project = make_workspace(tmp_path)
    _, truth = answers_frame(60)
    _code(project, truth, "alice", n=8)  # enough codes for a refit at start
    env = {**os.environ, "PYTHONPATH": str(repo)}
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "textmine.cli", "workspace", "serve", str(project), "--port",
         str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=repo,
        start_new_session=True,
    )  # fmt: skip
    try:
        line = proc.stdout.readline().decode()
        assert re.search(r"http://127\.0\.0\.1:\d+/\?token=", line), line
        time.sleep(wait)
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        out, err = proc.communicate(timeout=120)
    # Just after the link is printed the server may not listen yet: the CLI's one line then.
    assert (proc.returncode == 0 and b"Workspace server stopped." in out) or (
        proc.returncode == 130 and err.strip() == b"error: interrupted; no output was written."
    ), (proc.returncode, err)
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err, err.decode()[-2000:]


def test_a_theme_filter_of_another_question_or_an_unknown_id_is_dropped(cli, two):
    """A kept link (a theme of the other question, an id no longer there) showed "any theme"
    over 0 answers."""
    import html

    from workspace_fixtures import Browser

    from textmine.workspace.app import build_app

    assert attach_themes(two["both"], two["run1"])["question"] == "q1"
    conn = db.connect(two["both"])
    first = conn.execute("SELECT MIN(id) FROM themes WHERE question = 'q1'").fetchone()[0]
    conn.close()
    b = Browser(build_app(two["both"], token="secret-token"), "alice")
    for url in (f"/list?q=q2&theme={first}", "/list?q=q1&theme=999", "/list?q=q1&code=999"):
        page = html.unescape(b.client.get(url).text)
        assert "<h2>61 answers</h2>" in page, url
    page = html.unescape(b.client.get(f"/list?q=q1&theme={first}").text)
    assert "<h2>31 answers</h2>" in page  # theme "un": every other answer
