"""The coding workspace: database, edits with version checks, the app's API, exports, CLI."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from workspace_fixtures import CODES, HOSTILE, Browser, answers_frame, make_workspace

from textmine.codebook import load_codebook
from textmine.coding.sheet import read_coded
from textmine.errors import DataError, InputFileError, OptionError, OutputError
from textmine.workspace import db, edits, queries
from textmine.workspace.app import RESOURCES, build_app
from textmine.workspace.exchange import LONG_COLUMNS, export_workspace, import_file
from textmine.workspace.suggest import Refitter, model_info, refit

REPO = Path(__file__).resolve().parents[1]
TOKEN = "secret-token"


@pytest.fixture
def project(tmp_path) -> Path:
    return make_workspace(tmp_path)


@pytest.fixture
def conn(project):
    c = db.connect(project)
    yield c
    c.close()


def _answer_id(conn, rid: str) -> int:
    return conn.execute("SELECT id FROM answers WHERE respondent_id = ?", (rid,)).fetchone()[0]


def _code_id(conn, name: str) -> int:
    return conn.execute("SELECT id FROM codes WHERE name = ?", (name,)).fetchone()[0]


# -- the database ----------------------------------------------------------------------------
def test_database_file_is_owner_only(project, conn):
    aid = _answer_id(conn, "R001")
    edits.change_coding(conn, aid, "alice", version=0, action="toggle", code_id=1)
    for path in [project, *project.parent.glob("project.tmdb-*")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_database_uses_wal_and_records_its_schema_version(conn):
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.get_meta(conn, "schema_version") == db.SCHEMA_VERSION


def test_newer_schema_is_refused_in_one_line(project, conn):
    with db.transaction(conn):
        db.set_meta(conn, "schema_version", db.SCHEMA_VERSION + 1)
    with pytest.raises(InputFileError,
                       match=f"schema version {db.SCHEMA_VERSION + 1}.*upgrade textmine"):
        db.connect(project)


def test_migration_hook_upgrades_an_older_file(project, conn, monkeypatch):
    def add_colour_note(c):
        c.execute("ALTER TABLE codes ADD COLUMN note TEXT NOT NULL DEFAULT ''")

    later = db.SCHEMA_VERSION + 1
    monkeypatch.setattr(db, "SCHEMA_VERSION", later)
    monkeypatch.setitem(db.MIGRATIONS, later - 1, add_colour_note)
    upgraded = db.connect(project)
    assert db.get_meta(upgraded, "schema_version") == later
    assert "note" in [r[1] for r in upgraded.execute("PRAGMA table_info(codes)")]
    upgraded.close()


def test_a_version_1_workspace_gets_the_themes_tables(project, conn):
    # A file written before themes existed (schema 1): opening it adds the tables, keeps data.
    with db.transaction(conn):
        conn.execute("DROP TABLE answer_themes")
        conn.execute("DROP TABLE themes")
        db.set_meta(conn, "schema_version", 1)
    n = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    conn.close()
    upgraded = db.connect(project)
    assert db.get_meta(upgraded, "schema_version") == db.SCHEMA_VERSION == 2
    assert upgraded.execute("SELECT COUNT(*) FROM themes").fetchone()[0] == 0
    assert upgraded.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == n
    assert db.integrity_ok(upgraded)
    upgraded.close()


def test_audit_table_is_append_only(conn):
    n = conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    assert n >= 1
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit SET coder = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit")


def test_file_that_is_no_workspace_is_refused(tmp_path):
    other = tmp_path / "other.tmdb"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(InputFileError, match="not a textmine workspace"):
        db.connect(other)
    junk = tmp_path / "junk.tmdb"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputFileError, match="not a readable textmine workspace"):
        db.connect(junk)
    with pytest.raises(InputFileError, match="not found"):
        db.connect(tmp_path / "missing.tmdb")


@pytest.mark.parametrize("kind", ["other_sqlite", "empty", "junk", "truncated"])
def test_file_refused_as_workspace_is_left_untouched(tmp_path, project, kind, cli):
    # Never modify the user's files: a refused file (e.g. another program's SQLite project,
    # an empty or damaged file) keeps its bytes, mode and gets no -wal/-shm beside it.
    path = tmp_path / f"{kind}.tmdb"
    if kind == "other_sqlite":
        sqlite3.connect(path).execute("CREATE TABLE t(x)").connection.close()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "junk":
        path.write_bytes(b"not a database at all" * 100)
    else:
        path.write_bytes(project.read_bytes()[:50])
    before = path.read_bytes()
    with pytest.raises(InputFileError, match="workspace"):
        db.connect(path)
    for args in (["export", str(path), "--format", "csv", "--out", str(tmp_path / "x.csv")],
                 ["serve", str(path)]):
        result = cli("workspace", *args)
        assert result.code == 2
        assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(kind)) == [path.name]
    assert not (tmp_path / "x.csv").exists()


def test_existing_file_is_never_replaced_by_create(project):
    with pytest.raises(OutputError, match="already exists"):
        db.create_database(project)


def test_locked_database_gives_one_clear_line(project, monkeypatch, cli):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(project, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(InputFileError, match="locked by another program"):
            db.connect(project, write_check=True)
        result = cli("workspace", "import", project, REPO / "data" / "codebook.yaml")
        assert result.code == 2
        assert result.err.count("\n") == 1 and "locked by another program" in result.err
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_read_only_database_gives_one_clear_line(project, monkeypatch, cli):
    if os.geteuid() != 0:
        project.chmod(0o400)
    else:
        # root writes through file permissions: open the file read-only the way SQLite does
        # for a read-only file system.
        real = sqlite3.connect

        def read_only(path, *args, **kwargs):
            kwargs["uri"] = True
            return real(f"file:{path}?mode=ro", *args, **kwargs)

        monkeypatch.setattr(db.sqlite3, "connect", read_only)
    result = cli("workspace", "import", project, REPO / "data" / "codebook.yaml")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "read-only" in result.err, result.err


_KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    from textmine.workspace import db, edits
    conn = db.connect(sys.argv[1])
    if sys.argv[2] == "raw":
        # One long transaction: thousands of codings and audit rows, never committed.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO coders VALUES ('killer', 't')")
        for i in range(1, 62):
            conn.execute("INSERT OR IGNORE INTO coded_answers VALUES (?, 'killer', 1, 't')", (i,))
            for c in (1, 2, 3):
                conn.execute("INSERT OR IGNORE INTO codings VALUES (?, 'killer', ?, 'human', 't')",
                             (i, c))
        db.audit(conn, "killer", "raw", "x")
        print("inside", flush=True)
        time.sleep(60)
    else:
        print("inside", flush=True)
        version = {}
        while True:  # committed edits, as fast as possible, until killed
            for i in range(1, 62):
                state = edits.change_coding(conn, i, "killer", version=version.get(i, 0),
                                            action="toggle", code_id=1 + i % 3)
                version[i] = state["version"]
""")


@pytest.mark.parametrize("mode", ["raw", "edits"])
def test_killing_the_writer_leaves_a_consistent_database(project, mode):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(project), mode],
                            stdout=subprocess.PIPE, env=env, cwd=REPO)  # fmt: skip
    assert proc.stdout.readline().strip() == b"inside"
    if mode == "edits":
        # Let some edits commit; the kill lands in the middle of one (most of the time).
        while True:
            probe = sqlite3.connect(project)
            done = probe.execute("SELECT COUNT(*) FROM audit WHERE coder='killer'").fetchone()[0]
            probe.close()
            if done > 30:
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    conn = db.connect(project)
    assert db.integrity_ok(conn)
    killer = conn.execute("SELECT COUNT(*) FROM coded_answers WHERE coder='killer'").fetchone()[0]
    audits = conn.execute("SELECT COUNT(*) FROM audit WHERE coder='killer'").fetchone()[0]
    if mode == "raw":
        assert killer == 0 and audits == 0  # nothing of the uncommitted transaction
    else:
        # Every stored coding has the audit row of its last change (same transaction).
        for aid, version in conn.execute(
                "SELECT answer_id, version FROM coded_answers WHERE coder='killer'"):
            rows = conn.execute("SELECT after FROM audit WHERE coder='killer' AND target = ? "
                                "ORDER BY id DESC LIMIT 1", (f"answer:{aid}",)).fetchone()
            assert json.loads(rows[0])["version"] == version
    conn.close()


# -- edits ------------------------------------------------------------------------------------
def test_toggle_records_coder_version_and_audit(conn):
    aid = _answer_id(conn, "R000")
    s1 = edits.change_coding(conn, aid, "alice", version=0, action="toggle", code_id=1)
    assert s1["version"] == 1 and s1["codes"] == [1] and s1["sources"] == {"1": "human"}
    s2 = edits.change_coding(conn, aid, "alice", version=1, action="toggle", code_id=1)
    assert s2["version"] == 2 and s2["codes"] == [] and s2["coded"]  # read, no code applies
    actions = [r[0] for r in conn.execute(
        "SELECT action FROM audit WHERE target = ? ORDER BY id", (f"answer:{aid}",))]
    assert actions == ["toggle", "toggle"]


def test_stale_edit_is_refused_with_the_current_state(conn):
    aid = _answer_id(conn, "R000")
    edits.change_coding(conn, aid, "alice", version=0, action="toggle", code_id=1)
    with pytest.raises(edits.StaleEdit, match="changed elsewhere.*nothing was overwritten") as err:
        edits.change_coding(conn, aid, "alice", version=0, action="toggle", code_id=2)
    assert err.value.current["codes"] == [1] and err.value.current["version"] == 1
    assert queries.coding_state(conn, aid, "alice")["codes"] == [1]


def test_two_coders_code_the_same_answer_independently(conn):
    aid = _answer_id(conn, "R000")
    edits.change_coding(conn, aid, "alice", version=0, action="toggle", code_id=1)
    edits.change_coding(conn, aid, "bob", version=0, action="toggle", code_id=2)
    row = conn.execute("SELECT n_coders, disputed FROM answers WHERE id = ?", (aid,)).fetchone()
    assert tuple(row) == (2, 1)
    assert queries.coding_state(conn, aid, "alice")["others"] == {"bob": [2]}


def test_accept_and_reject_the_suggestion(conn):
    a, b = _answer_id(conn, "R000"), _answer_id(conn, "R001")
    conn.execute("UPDATE answers SET suggested = '[1, 3]' WHERE id IN (?, ?)", (a, b))
    s = edits.change_coding(conn, a, "alice", version=0, action="accept")
    assert s["codes"] == [1, 3] and set(s["sources"].values()) == {"model"}
    edits.change_coding(conn, b, "alice", version=0, action="toggle", code_id=2)
    s = edits.change_coding(conn, b, "alice", version=1, action="reject")
    assert s["codes"] == [2] and s["coded"]


def test_undo_takes_back_the_last_change_and_refuses_stale_ones(conn):
    aid = _answer_id(conn, "R000")
    edits.change_coding(conn, aid, "alice", version=0, action="toggle", code_id=1)
    edits.change_coding(conn, aid, "alice", version=1, action="toggle", code_id=2)
    assert edits.undo(conn, "alice")["codes"] == [1]
    state = edits.undo(conn, "alice")
    assert not state["coded"] and state["codes"] == []
    assert edits.undo(conn, "alice") is None
    edits.change_coding(conn, aid, "alice", version=state["version"], action="toggle", code_id=3)
    # Another page of the same coder changes the coding: undoing would overwrite it.
    conn.execute("UPDATE coded_answers SET version = version + 1 WHERE answer_id = ?", (aid,))
    with pytest.raises(edits.StaleEdit, match="Cannot undo"):
        edits.undo(conn, "alice")


def test_memos_on_answers_and_codes_refuse_stale_versions(conn):
    m = edits.save_memo(conn, "answer", 1, "alice", "à revoir", version=0)
    assert m == {"text": "à revoir", "version": 1}
    with pytest.raises(edits.StaleEdit):
        edits.save_memo(conn, "answer", 1, "alice", "autre", version=0)
    assert edits.save_memo(conn, "code", 1, "alice", "définition", version=0)["version"] == 1
    with pytest.raises(DataError, match="answer or a code"):
        edits.save_memo(conn, "respondent", 1, "alice", "x", version=0)


def test_rename_merge_split_keep_a_history(conn):
    outils, moyens = _code_id(conn, "Outils"), _code_id(conn, "Moyens")
    a1, a2 = _answer_id(conn, "R000"), _answer_id(conn, "R001")
    edits.change_coding(conn, a1, "alice", version=0, action="toggle", code_id=outils)
    edits.change_coding(conn, a2, "alice", version=0, action="set", codes=[outils, moyens])
    edits.rename_code(conn, outils, "Outils numériques", "alice", version=1)
    with pytest.raises(edits.StaleEdit, match="changed elsewhere"):
        edits.rename_code(conn, outils, "Autre nom", "bob", version=1)
    with pytest.raises(DataError, match="already exists"):
        edits.rename_code(conn, outils, "Moyens", "alice", version=2)
    moved = edits.merge_code(conn, moyens, outils, "alice", version=1)
    assert moved == 1
    assert queries.coding_state(conn, a2, "alice")["codes"] == [outils]
    # The page that showed the coding before the merge is now stale.
    with pytest.raises(edits.StaleEdit):
        edits.change_coding(conn, a2, "alice", version=1, action="toggle", code_id=outils)
    with pytest.raises(DataError, match="merged into another code"):
        edits.change_coding(conn, a1, "alice", version=1, action="toggle", code_id=moyens)
    new = edits.split_code(conn, outils, ["Visio", "Partage"], "alice", version=3)
    parents = {r[0] for r in conn.execute(
        "SELECT parent_id FROM codes WHERE id IN (?, ?)", new)}
    assert parents == {outils}
    history = [(r[0], json.loads(r[1])) for r in conn.execute(
        "SELECT operation, detail FROM code_history WHERE operation != 'add' ORDER BY id")]
    assert [h[0] for h in history] == ["rename", "merge", "split"]
    assert history[1][1]["merged"] == "Moyens" and history[1][1]["into"] == "Outils numériques"


# -- the app ----------------------------------------------------------------------------------
@pytest.fixture
def app(project):
    return build_app(project, token=TOKEN, refitter=Refitter(project, every=20))


def test_every_request_needs_the_token_or_its_session(app):
    from starlette.testclient import TestClient

    anon = TestClient(app, base_url="http://127.0.0.1")
    assert anon.get("/next").status_code == 401
    assert anon.get("/a/1").status_code == 401
    assert anon.get("/api/state/1").status_code == 401
    assert anon.get("/?token=wrong").status_code == 403
    r = anon.get(f"/?token={TOKEN}&coder=alice", follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert anon.get("/next").status_code == 200


def test_writes_need_the_csrf_token_and_json(app):
    b = Browser(app, "alice")
    body = {"answer_id": 1, "version": 0, "action": "toggle", "code_id": 1}
    assert b.client.post("/api/coding", json=body).status_code == 403
    assert b.client.post("/api/coding", json=body,
                         headers={"X-CSRF-Token": "forged"}).status_code == 403
    r = b.client.post("/api/coding", content="answer_id=1",
                      headers={"X-CSRF-Token": b.csrf,
                               "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    assert b.post("/api/coding", body).status_code == 200


@pytest.mark.parametrize("url, body", [
    ("/api/coding", {"answer_id": 1, "version": 0, "action": "set", "codes": ["x"]}),
    ("/api/coding", {"answer_id": 1, "version": 0, "action": "set", "codes": "12"}),
    ("/api/coding", {"answer_id": 1e300, "version": 0, "action": "toggle", "code_id": 1}),
    ("/api/coding", {"answer_id": 2**70, "version": 0, "action": "toggle", "code_id": 1}),
    ("/api/coding", {"answer_id": 1.5, "version": 0, "action": "toggle", "code_id": 1}),
    ("/api/coding", {"answer_id": True, "version": 0, "action": "toggle", "code_id": 1}),
    ("/api/codes/add", {"name": "Nouveau", "parent_id": "abc"}),
    ("/api/memo", {"target": "answer", "target_id": [1], "version": 0, "text": "x"}),
])
def test_malformed_api_fields_get_one_line_not_a_server_error(project, url, body):
    # A list of non-numbers, a float, a boolean or a number beyond SQLite's integers was a 500
    # (and "12" was read as the codes 1 and 2): now 400 with one line, nothing written.
    from starlette.testclient import TestClient

    b = Browser(build_app(project, token=TOKEN), "alice")
    b.client = TestClient(b.client.app, base_url="http://127.0.0.1",
                          raise_server_exceptions=False, cookies=b.client.cookies)
    r = b.post(url, body)
    assert r.status_code == 400 and "must be" in r.json()["error"], r.text
    conn = db.connect(project)
    assert conn.execute("SELECT count(*) FROM coded_answers").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM codes WHERE name = 'Nouveau'").fetchone()[0] == 0
    conn.close()


def test_other_host_header_is_refused(app):
    from starlette.testclient import TestClient

    evil = TestClient(app, base_url="http://evil.example")
    assert evil.get(f"/?token={TOKEN}").status_code == 400


def test_password_is_asked_with_the_token(project):
    from starlette.testclient import TestClient

    app = build_app(project, token=TOKEN, password="correct horse")
    c = TestClient(app, base_url="http://127.0.0.1")
    page = c.get(f"/?token={TOKEN}")
    assert "login-form" in page.text and c.get("/next").status_code == 401
    assert c.post("/login", json={"token": TOKEN, "password": "wrong"}).status_code == 403
    assert c.post("/login", json={"token": TOKEN, "password": "correct horse"}).status_code == 200
    assert c.get("/next", follow_redirects=False).headers["location"] == "/coder"


def test_security_headers_and_no_external_resource(app):
    b = Browser(app, "alice")
    for url in ("/next", "/list", "/codes", "/agreement", "/static/workspace.js"):
        csp = b.client.get(url).headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
    for path in RESOURCES.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(src|href)=\"(https?:)?//", text), path
            assert "innerHTML" not in text and "style=" not in text, path


def test_hostile_answer_is_escaped(app, conn):
    b = Browser(app, "alice")
    aid = _answer_id(conn, "R060")
    html = b.client.get(f"/a/{aid}?q=q1").text
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert HOSTILE not in b.client.get("/list?q=q1&search=onerror").text


def test_workspace_without_codes_says_where_to_add_them(tmp_path):
    # A workspace made without --codebook showed an empty "Codes" panel and no way forward.
    from textmine.workspace.build import fill_workspace

    frame, _ = answers_frame(6)
    path = tmp_path / "bare.tmdb"
    conn = db.create_database(path)
    fill_workspace(conn, respondent_ids=frame["respondent_id"].tolist(), closed={},
                   answers={"q1": ("Question 1", frame)}, codebook=None, coder="alice",
                   source={"path": "synthetic"})  # fmt: skip
    conn.close()
    page = Browser(build_app(path, token=TOKEN), "alice").client.get("/next?q=q1").text
    assert 'id="no-codes"' in page and 'href="/codes?q=q1">Codebook</a>' in page
    assert 'id="no-codes"' not in Browser(build_app(make_workspace(tmp_path), token=TOKEN),
                                          "alice").client.get("/next?q=q1").text


def test_pages_name_an_icon_so_the_browser_asks_for_no_missing_favicon(app):
    # Without an icon link every page load asked for /favicon.ico: a 404 in the console.
    b = Browser(app, "alice")
    for url in ("/next", "/list", "/codes", "/agreement", "/coder"):
        assert re.search(r'<link rel="icon" href="data:,">', b.client.get(url).text), url


def test_stale_edit_through_the_api_returns_409_and_current_state(app, conn):
    alice1, alice2 = Browser(app, "alice"), Browser(app, "alice")
    aid = _answer_id(conn, "R000")
    assert alice1.code(aid, 1, 0).json()["version"] == 1
    r = alice2.code(aid, 2, 0)
    assert r.status_code == 409
    assert r.json()["stale"] and r.json()["current"]["codes"] == [1]
    assert "changed elsewhere" in r.json()["error"]


def test_next_answer_queue_and_filters(app, conn):
    b = Browser(app, "alice")
    first = int(re.search(r"/a/(\d+)", str(b.page.url)).group(1))
    top = conn.execute("SELECT id FROM answers ORDER BY usefulness DESC, id LIMIT 1").fetchone()
    assert first == top[0]
    b.code(first, _code_id(conn, "Temps"), 0)
    nxt = b.client.get(f"/next?q=q1&after={first}")
    assert f"/a/{first}" not in str(nxt.url)
    coded = b.client.get("/list?q=q1&status=coded").text
    assert coded.count("/a/") == 1 and f"/a/{first}?" in coded
    by_code = b.client.get(f"/list?q=q1&code={_code_id(conn, 'Temps')}").text
    assert f"/a/{first}?" in by_code and "<h2>1 answer<" in by_code
    small = b.client.get("/list?q=q1&closed=taille%3DPetite").text
    assert "30 answers" in small
    kwic = b.client.get("/list?q=q1&search=visio").text
    assert 'class="kwic">visio<' in kwic
    assert "disputed" in b.client.get("/list?q=q1&status=disputed").text  # the option
    p = queries.progress(conn, "q1", "alice")
    assert (p["total"], p["coded"], p["mine"]) == (61, 1, 1)


def test_agreement_view_per_code_with_disagreements(app, conn):
    alice, bob = Browser(app, "alice"), Browser(app, "bob")
    _, truth = answers_frame(60)
    for i, (rid, code) in enumerate(list(truth.items())[:12]):
        aid = _answer_id(conn, rid)
        alice.code(aid, _code_id(conn, code), 0)
        other = code if i % 4 else CODES[(CODES.index(code) + 1) % 3]  # bob differs 3 times
        bob.code(aid, _code_id(conn, other), 0)
    page = alice.client.get("/agreement?q=q1&a=alice&b=bob").text
    assert "3 disagreements" in page and "kappa" in page
    assert re.search(r"<td>\(all codes\)</td><td>36</td>", page)
    frames, names, ids = queries.coded_frames(conn, "q1")
    assert set(frames) == {"alice", "bob"} and len(frames["alice"]) == 12


def test_codes_api_rename_merge_split_and_history_page(app, conn):
    b = Browser(app, "alice")
    outils, temps = _code_id(conn, "Outils"), _code_id(conn, "Temps")
    assert b.post("/api/codes/rename", {"code_id": outils, "version": 1,
                                        "name": "Outils numériques"}).status_code == 200
    r = b.post("/api/codes/rename", {"code_id": outils, "version": 1, "name": "X"})
    assert r.status_code == 409
    assert b.post("/api/codes/merge", {"code_id": temps, "version": 1,
                                       "into_id": outils}).status_code == 200
    assert b.post("/api/codes/split", {"code_id": outils, "version": 3,
                                       "names": "Visio\nPartage"}).status_code == 200
    assert b.post("/api/codes/add", {"name": "Nouveau", "parent_id": ""}).status_code == 200
    page = b.client.get("/codes").text
    assert "merged into Outils numériques" in page and "split" in page


def test_refit_runs_in_the_background_after_20_codes(app, project, conn):
    b = Browser(app, "alice")
    _, truth = answers_frame(60)
    ws = app.state.workspace
    for rid, code in list(truth.items())[:24]:
        r = b.code(_answer_id(conn, rid), _code_id(conn, code), 0)
        assert r.status_code == 200
    ws.refitter.wait(120)
    assert ws.refitter.last_error is None
    info = model_info(conn)
    assert info is not None and info["n_trained"] >= 20
    scored = conn.execute(
        "SELECT respondent_id, scores, suggested FROM answers WHERE n_coders = 0 "
        "AND scores IS NOT NULL").fetchall()
    assert len(scored) == 61 - 24
    names = {str(_code_id(conn, c)): c for c in CODES}
    right = sum(names[str(json.loads(s)[0])] == truth[rid]
                for rid, _, s in scored if rid in truth and json.loads(s))
    assert right >= 0.8 * (len(scored) - 1)
    page = b.client.get(f"/a/{_answer_id(conn, 'R030')}?q=q1").text
    assert "Suggested:" in page and "Coder fitted on" in page


def test_refit_with_too_few_codes_says_so(project):
    with pytest.raises(DataError, match="code at least 5 answers"):
        refit(project)


# -- export and import --------------------------------------------------------------------------
def _code_some(conn, coders=("alice",), n=12):
    _, truth = answers_frame(60)
    for coder in coders:
        for rid, code in list(truth.items())[:n]:
            edits.change_coding(conn, _answer_id(conn, rid), coder, version=0, action="toggle",
                                code_id=_code_id(conn, code))
    empty = _answer_id(conn, "R059")
    edits.change_coding(conn, empty, coders[0], version=0, action="set", codes=[])
    return truth


def test_export_csv_is_long_and_reads_back_as_labels(project, conn, tmp_path):
    truth = _code_some(conn)
    out, n = export_workspace(conn, project, tmp_path / "codes.csv", fmt="csv")
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table.columns) == LONG_COLUMNS and n == 13
    assert set(table["source"]) == {"human"} and set(table["coder"]) == {"alice"}
    coded = read_coded(out)
    assert len(coded) == 13 and coded.loc["R059"].sum() == 0  # read, no code applies
    assert all(coded.loc[rid, code] == 1 for rid, code in list(truth.items())[:12])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_read_back_keeps_its_coder(project, conn, tmp_path, fmt):
    # The CSV export read back without --coder kept its coder; the workbook's codes went to a
    # coder named "import". Both now name their coder; several coders are refused.
    _code_some(conn, coders=("bob",))
    out, _ = export_workspace(conn, project, tmp_path / f"bob.{fmt}", fmt=fmt, coder="bob")
    conn.execute("DELETE FROM codings")
    conn.execute("DELETE FROM coded_answers")
    result = import_file(conn, out)
    assert result["coder"] == "bob" and result["question"] == "q1" and result["answers"] == 13
    assert [r[0] for r in conn.execute("SELECT DISTINCT coder FROM coded_answers")] == ["bob"]
    _code_some(conn, coders=("alice",))
    both, _ = export_workspace(conn, project, tmp_path / f"both.{fmt}", fmt=fmt)
    with pytest.raises(DataError, match="codes of 2 coders"):
        import_file(conn, both)


def test_export_of_several_coders_is_refused_as_labels_until_filtered(project, conn, tmp_path):
    _code_some(conn, coders=("alice", "bob"))
    both, _ = export_workspace(conn, project, tmp_path / "both.csv", fmt="csv")
    with pytest.raises(DataError, match="codes of 2 coders.*--coder"):
        read_coded(both)
    bob, _ = export_workspace(conn, project, tmp_path / "bob.csv", fmt="csv", coder="bob")
    assert len(read_coded(bob)) == 12
    with pytest.raises(OptionError, match="never coded here"):
        export_workspace(conn, project, tmp_path / "x.csv", fmt="csv", coder="carol")
    with pytest.raises(OutputError, match="already exists"):
        export_workspace(conn, project, bob, fmt="csv")
    with pytest.raises(OutputError, match="does not end in .xlsx"):
        export_workspace(conn, project, tmp_path / "x.csv", fmt="xlsx")
    with pytest.raises(OutputError, match="workspace itself"):
        export_workspace(conn, project, project, fmt="csv", force=True)


def test_export_xlsx_qdpx_qdc(project, conn, tmp_path):
    _code_some(conn, coders=("alice", "bob"))
    edits.save_memo(conn, "code", 1, "alice", "=1+1 définition", version=0)
    xlsx, _ = export_workspace(conn, project, tmp_path / "codes.xlsx", fmt="xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Codes", "Codebook", "History", "Memos"]
    memo = wb["Memos"]["F2"]  # a formula made inert, the memo as written
    assert memo.value == "=1+1 définition" and memo.data_type == "s" and memo.quotePrefix
    qdpx, _ = export_workspace(conn, project, tmp_path / "codes.qdpx", fmt="qdpx")
    with zipfile.ZipFile(qdpx) as zf:
        names = zf.namelist()
        qde = zf.read("project.qde").decode("utf-8")
        source = zf.read(next(n for n in names if n.startswith("sources/"))).decode("utf-8")
    import xml.etree.ElementTree as ET

    ns = {"q": "urn:QDA-XML:project:1.0"}
    root = ET.fromstring(qde)
    assert [u.get("name") for u in root.findall("q:Users/q:User", ns)] == ["alice", "bob"]
    assert len(root.findall("q:CodeBook/q:Codes/q:Code", ns)) == 3
    selections = root.findall(".//q:PlainTextSelection", ns)
    assert len(selections) == 12
    sel = selections[0]
    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
    assert source[start:end].startswith(f"[{sel.get('name')}]")
    assert len(sel.findall("q:Coding", ns)) == 2  # alice and bob
    qdc, n = export_workspace(conn, project, tmp_path / "codes.qdc", fmt="qdc")
    assert load_codebook(qdc).names == CODES and n == 3


def test_import_coding_sheet_and_qdc(project, conn, tmp_path):
    from textmine.coding.sheet import coding_sheet_frame, write_sheet_xlsx

    frame, truth = answers_frame(60)
    sheet = coding_sheet_frame(frame["respondent_id"][:6], frame["text"][:6], [*CODES, "Autre"])
    for i, rid in enumerate(sheet["respondent_id"]):
        for code in [*CODES, "Autre"]:
            sheet.loc[i, code] = int(truth.get(rid) == code)
    path = write_sheet_xlsx(sheet, tmp_path / "sheet.xlsx")
    result = import_file(conn, path, coder="carol")
    assert result == {"kind": "codings", "answers": 6, "replaced": 0, "coder": "carol",
                      "question": "q1", "codes_added": 1}
    state = queries.coding_state(conn, _answer_id(conn, "R000"), "carol")
    assert state["codes"] == [_code_id(conn, truth["R000"])]
    qdc = tmp_path / "book.qdc"
    from textmine.coding.interchange import write_codebook

    write_codebook(load_codebook(REPO / "data" / "codebook_evolution.yaml"), qdc)
    assert import_file(conn, qdc)["codes_added"] == len(load_codebook(qdc).names)
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,code\nZZZ,Outils\n", encoding="utf-8")
    with pytest.raises(DataError, match="have no answer to 'q1'"):
        import_file(conn, bad)


@pytest.mark.parametrize("option", [["--coder", ""], ["--coder", " "], ["--question", ""]])
def test_import_with_an_empty_coder_or_question_is_refused(cli, project, tmp_path, option):
    # `--coder ""` imported the codes as coder "import"; `--question ""` took the only question.
    labels = tmp_path / "labels.csv"
    labels.write_text("respondent_id,code\nR000,Outils\n", encoding="utf-8")
    before = project.read_bytes()
    for file in (labels, REPO / "data" / "codebook_evolution.yaml"):
        result = cli("workspace", "import", str(project), str(file), *option)
        assert result.code == 2 and result.err.count("\n") == 1, result.err
        assert ("Coder name" if option[0] == "--coder" else "Question ''") in result.err
    conn = db.connect(project)
    assert conn.execute("SELECT count(*) FROM coded_answers").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM coders WHERE name = 'import'").fetchone()[0] == 0
    conn.close()
    assert project.read_bytes() == before


def test_import_of_a_sheet_for_another_question_is_refused(tmp_path):
    # Same respondents answer every question: the ids of a sheet made for q2 all match q1 too;
    # its texts tell. Refused, nothing written; the right question is named and then accepted.
    from textmine.coding.sheet import coding_sheet_frame, write_sheet_csv, write_sheet_xlsx
    from textmine.workspace.build import fill_workspace

    q1, truth = answers_frame(30)
    q2 = q1.assign(text=[f"autre question, réponse {i}" for i in range(len(q1))])
    q2["masked"] = q2["text"]
    path = tmp_path / "two.tmdb"
    conn = db.create_database(path)
    fill_workspace(conn, respondent_ids=q1["respondent_id"].tolist(), closed={},
                   answers={"q1": ("Question 1", q1), "q2": ("Question 2", q2)},
                   codebook=None, coder="alice", source={"path": "synthetic"})  # fmt: skip
    sheet = coding_sheet_frame(q2["respondent_id"][:8], q2["text"][:8], CODES)
    for i, rid in enumerate(sheet["respondent_id"]):
        sheet.loc[i, truth[rid]] = 1
    audit_rows = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    for write, name in ((write_sheet_xlsx, "q2.xlsx"), (write_sheet_csv, "q2.csv")):
        file = write(sheet, tmp_path / name)
        with pytest.raises(DataError, match="answers to 'q2': import it with --question q2"):
            import_file(conn, file, coder="carol", question="q1")
    assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == audit_rows
    assert conn.execute("SELECT count(*) FROM codings").fetchone()[0] == 0
    assert import_file(conn, file, coder="carol", question="q2")["answers"] == 8
    # A sheet whose texts are no answer of the workspace at all: told to check the sheet.
    stranger = coding_sheet_frame(q1["respondent_id"][:4], ["un texte inconnu"] * 4, CODES)
    stranger.loc[:, CODES[0]] = 1
    with pytest.raises(DataError, match="check that the sheet was made for 'q1'"):
        import_file(conn, write_sheet_csv(stranger, tmp_path / "x.csv"), question="q1")
    # The q1 sheet, its texts re-spaced (a spreadsheet re-wrapped them), is accepted.
    own = coding_sheet_frame(q1["respondent_id"][:4],
                             ["  " + t.replace(" ", "\n") for t in q1["text"][:4]], CODES)
    own.loc[:, CODES[1]] = 1
    assert import_file(conn, write_sheet_xlsx(own, tmp_path / "own.xlsx"),
                       question="q1")["answers"] == 4
    conn.close()


def test_import_follows_the_question_recorded_in_the_sheet(tmp_path):
    # A sheet written by textmine records its question (Info sheet): imported into it when no
    # --question is given, refused with one line naming both when another is given.
    from textmine.coding.sheet import coding_sheet_frame, write_sheet_xlsx
    from textmine.workspace.build import fill_workspace

    q1, truth = answers_frame(30)
    q2 = q1.assign(text=[f"autre question, réponse {i}" for i in range(len(q1))])
    q2["masked"] = q2["text"]
    conn = db.create_database(tmp_path / "two.tmdb")
    fill_workspace(conn, respondent_ids=q1["respondent_id"].tolist(), closed={},
                   answers={"q1": ("Question 1", q1), "q2": ("Question 2", q2)},
                   codebook=None, coder="alice", source={"path": "synthetic"})  # fmt: skip
    sheet = coding_sheet_frame(q2["respondent_id"][:6], q2["text"][:6], CODES)
    sheet.loc[:, CODES[0]] = 1
    file = write_sheet_xlsx(sheet, tmp_path / "q2.xlsx", info=[("question", "q2")])
    with pytest.raises(DataError) as err:
        import_file(conn, file, coder="carol", question="q1")
    assert str(err.value) == ("q2.xlsx is a coding sheet for the question 'q2' (its Info "
                              "sheet), not 'q1'; import it with --question q2.")  # fmt: skip
    assert conn.execute("SELECT count(*) FROM codings").fetchone()[0] == 0
    result = import_file(conn, file, coder="carol")
    assert result["question"] == "q2" and result["answers"] == 6
    conn.close()


def test_import_refuses_ids_matching_the_question_partly(project, conn, tmp_path):
    from textmine.coding.sheet import coding_sheet_frame, write_sheet_csv

    ids = [r[0] for r in conn.execute("SELECT respondent_id FROM answers LIMIT 3")]
    sheet = coding_sheet_frame([*ids, "Z1", "Z2"], ["x"] * 5, CODES)
    sheet.loc[:, CODES[0]] = 1
    with pytest.raises(DataError, match=r"^2 of 5 respondent id\(s\) of .* have no answer to"):
        import_file(conn, write_sheet_csv(sheet, tmp_path / "partly.csv"), coder="carol")
    assert conn.execute("SELECT count(*) FROM codings WHERE coder = 'carol'").fetchone()[0] == 0


# -- the command line ---------------------------------------------------------------------------
def test_init_force_replaces_only_a_closed_workspace(cli, tmp_path):
    # --force replaced any file named *.tmdb (another program's SQLite file, a folder) and a
    # workspace in use (its -wal beside it would then be replayed onto the new file).
    frame, _ = answers_frame(10)
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"id": frame["respondent_id"], "q1": frame["text"]}).to_csv(survey, index=False)
    init = ("workspace", "init", "--survey", survey, "--text-col", "q1", "--id-col", "id",
            "--force")
    other = tmp_path / "other.tmdb"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    folder = tmp_path / "folder.tmdb"
    folder.mkdir()
    for target, said in ((other, "not a usable textmine workspace"), (folder, "is not a file")):
        before = sorted(p.name for p in tmp_path.iterdir())
        r = cli(*init[:2], target, *init[2:])
        assert r.code == 2 and said in r.err and r.err.count("\n") == 1, r.err
        assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert sqlite3.connect(other).execute("SELECT name FROM sqlite_master").fetchall()
    project = tmp_path / "p.tmdb"
    assert cli(*init[:2], project, *init[2:]).code == 0
    conn = db.connect(project)
    conn.execute("BEGIN IMMEDIATE")  # a server in the middle of a write: the -wal exists
    conn.execute("INSERT INTO coders(name, created) VALUES ('zoe', 'now')")
    r = cli(*init[:2], project, *init[2:])
    assert r.code == 2 and "is in use" in r.err, r.err
    conn.execute("COMMIT")
    conn.close()
    assert cli(*init[:2], project, *init[2:]).code == 0  # closed again: replaced
    conn = db.connect(project)
    assert conn.execute("SELECT count(*) FROM coders WHERE name = 'zoe'").fetchone()[0] == 0
    assert db.integrity_ok(conn)
    conn.close()


def test_cli_init_export_feeds_code_and_agree(cli, tmp_path):
    frame, truth = answers_frame(60)
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"id": frame["respondent_id"], "taille": ["A", "B"] * 30 + ["A"],
                  "q1": frame["text"]}).to_csv(survey, index=False)  # fmt: skip
    project = tmp_path / "p.tmdb"
    r = cli("workspace", "init", project, "--survey", survey, "--text-col", "q1",
            "--id-col", "id", "--codebook", REPO / "data" / "codebook.yaml", "--coder", "alice")
    assert r.code == 0, r.err
    assert "61 answers to q1" in r.out
    assert stat.S_IMODE(project.stat().st_mode) == 0o600
    assert cli("workspace", "init", project, "--survey", survey, "--text-col", "q1").code == 2
    conn = db.connect(project)
    for coder in ("alice", "bob"):
        for i, (rid, code) in enumerate(truth.items()):
            if coder == "bob" and i >= 30:
                break
            edits.change_coding(conn, _answer_id(conn, rid), coder, version=0, action="set",
                                codes=[edits.add_code(conn, code, coder)
                                       if not conn.execute("SELECT 1 FROM codes WHERE name=?",
                                                           (code,)).fetchone()
                                       else _code_id(conn, code)])  # fmt: skip
    conn.close()
    for coder in ("alice", "bob"):
        r = cli("workspace", "export", project, "--format", "csv", "--coder", coder,
                "--out", tmp_path / f"{coder}.csv")
        assert r.code == 0, r.err
    r = cli("agree", tmp_path / "alice.csv", tmp_path / "bob.csv", "--survey", survey,
            "--id-col", "id", "--out", tmp_path / "agree")
    assert r.code == 0, r.err
    assert "Agreement on the 30 answers both coders coded" in r.out
    r = cli("code", survey, "--text-col", "q1", "--id-col", "id", "--labels",
            tmp_path / "bob.csv", "--out", tmp_path / "code")
    assert r.code == 0, r.err
    codes = pd.read_csv(tmp_path / "code" / "codes.csv", dtype=str)
    assert set(codes["code"]) == set(CODES)
    for fmt in ("xlsx", "qdpx", "qdc"):
        r = cli("workspace", "export", project, "--format", fmt, "--out", tmp_path / f"x.{fmt}")
        assert r.code == 0, r.err
    r = cli("workspace", "export", project, "--format", "pdf", "--out", tmp_path / "x.pdf")
    assert r.code == 2 and "not an export format" in r.err
    r = cli("workspace", "import", project, tmp_path / "alice.csv", "--coder", "carol")
    assert r.code == 0 and "60 coded answers of q1 imported as coder carol" in r.out


def test_cli_serve_refuses_an_open_host_without_password(cli, project, monkeypatch):
    monkeypatch.delenv("TEXTMINE_WORKSPACE_PASSWORD", raising=False)
    r = cli("workspace", "serve", project, "--host", "0.0.0.0")
    assert r.code == 2 and "reachable from other machines" in r.err
    r = cli("workspace", "serve", project, "--port", "80")
    assert r.code == 2 and "1024 to 65535" in r.err


def test_serve_prints_its_url_and_stops_cleanly_on_ctrl_c(project):
    import httpx

    from textmine.pipeline.workspace_run import _port_free

    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "textmine.cli", "workspace", "serve", str(project),
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO,
    )  # fmt: skip
    try:
        line = proc.stdout.readline().decode()
        url = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", line).group(0)
        proc.stdout.readline()  # "Open that link..."
        for _ in range(100):  # the URL is printed just before uvicorn listens
            try:
                with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                    assert client.get("/next").status_code == 401
                    assert client.get(url, follow_redirects=True).status_code == 200
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        with pytest.raises(OptionError, match="choose another --port"):
            _port_free("127.0.0.1", port)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert b"Workspace server stopped." in out and not err.strip()


def test_alpha_over_every_coder_matches_the_krippendorff_package():
    import numpy as np
    from krippendorff import alpha

    from textmine.workspace.app import _alpha_all

    frames = {
        "alice": {"1": {"A"}, "2": {"A", "B"}, "3": set(), "4": {"B"}, "5": {"A"}},
        "bob": {"1": {"A"}, "2": {"B"}, "3": {"A"}, "4": {"B"}},
        "carol": {"2": {"A", "B"}, "3": set(), "4": set(), "5": {"A"}},
    }
    got = _alpha_all(frames, ["A", "B"], ["1", "2", "3", "4", "5", "6"])
    units = ["1", "2", "3", "4", "5"]
    for code in ("A", "B"):
        data = np.array([[float(code in frames[c][u]) if u in frames[c] else np.nan
                          for u in units] for c in sorted(frames)])
        assert got[code] == pytest.approx(alpha(reliability_data=data,
                                                level_of_measurement="nominal"))


def test_progress_rate_counts_answers_coded_in_the_page(conn):
    for k in range(7):  # 7 answers over 30 minutes, then an import (no audit row of coding)
        aid = _answer_id(conn, f"R{k:03d}")
        edits.change_coding(conn, aid, "alice", version=0, action="toggle", code_id=1)
        conn.execute("INSERT INTO audit(time, coder, action, target) VALUES (?, 'dora', "
                     "'toggle', ?)", (f"2026-01-01T10:{5 * k:02d}:00.000000Z", f"answer:{aid}"))
        conn.execute("INSERT OR IGNORE INTO coders VALUES ('dora', 't')")
        conn.execute("INSERT INTO coded_answers VALUES (?, 'dora', 1, 't')", (aid,))
    p = queries.progress(conn, "q1", "dora")
    assert p["mine"] == 7 and p["per_hour"] == 14.0  # 7 answers in 30 minutes
    assert p["hours_left"] == round((61 - 7) / 14, 1)
    fresh = queries.progress(conn, "q1", "nobody")
    assert fresh["per_hour"] is None and fresh["hours_left"] is None
    # 6 answers in a few seconds: no pace yet (it announced thousands of answers per hour).
    for k in range(10, 16):
        edits.change_coding(conn, _answer_id(conn, f"R{k:03d}"), "eve", version=0,
                            action="toggle", code_id=1)
    quick = queries.progress(conn, "q1", "eve")
    assert quick["mine"] == 6 and quick["per_hour"] is None and quick["hours_left"] is None


# -- small points of the page ------------------------------------------------------------------
def test_counts_are_said_in_the_singular_for_one(app):
    from textmine.workspace.app import plural

    assert plural(1, "answer") == "1 answer" and plural(0, "answer") == "0 answers"
    assert plural(1234, "answer") == "1,234 answers"
    b = Browser(app, "alice")
    page = b.client.get("/list?q=q1&search=onerror").text
    assert "<h2>1 answer with" in page and "1 answers" not in page


def test_numeric_modalities_are_sorted_by_value(conn):
    with db.transaction(conn):
        conn.execute("INSERT INTO closed_questions VALUES ('age', 'Âge', 'numeric', 5)")
        conn.executemany("INSERT INTO closed_values VALUES ('age', ?, ?)",
                         [(v, f"R{i:03d}") for i, v in enumerate(["10", "9", "2", "100"])])
    ages = next(q for q in queries.closed_questions(conn) if q["name"] == "age")
    assert ages["values"] == ["2", "9", "10", "100"]
    sizes = next(q for q in queries.closed_questions(conn) if q["name"] == "taille")
    assert sizes["values"] == ["Grande", "Petite"]


def test_export_write_failure_names_the_file_not_its_temporary(project, tmp_path, cli):
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    conn = db.connect(project)
    edits.change_coding(conn, 1, "alice", version=0, action="toggle", code_id=1)
    conn.close()  # something to export (an empty export is refused before writing)
    out = nested / ("x" * 240 + ".csv")  # the temporary name beside it is too long
    r = cli("workspace", "export", project, "--format", "csv", "--out", out)
    assert r.code != 0 and "Traceback" not in r.err
    assert f"Cannot write {out}" in r.err and "shorter file name" in r.err
    assert ".tmp-" not in r.err and not list(nested.iterdir())
