"""The workspace database: one SQLite file per coding project.

Why SQLite through the standard library: one file the researcher can copy, no server, and the
guarantees the workspace needs (atomic transactions, a write-ahead log so that pages are read
while a coder writes, ``PRAGMA integrity_check``). Every change runs in one ``BEGIN IMMEDIATE``
transaction (:func:`transaction`) and appends a row to the ``audit`` table, which triggers make
append-only. The schema version lives in ``meta``; :data:`MIGRATIONS` upgrades an older file when
it is opened and a newer file is refused in one line.

Tables (see :data:`SCHEMA`): ``meta``, ``questions`` (open questions), ``closed_questions`` and
``closed_values`` (one row per respondent, closed question and modality), ``respondents``,
``answers`` (original and masked text, terms, the model's scores and the usefulness of coding
it), ``codes`` (codebook with parent codes and colours), ``code_history`` (rename, merge,
split), ``coders``, ``coded_answers`` (a coder read an answer: its version number), ``codings``
(the codes a coder gave an answer, with their source ``human`` or ``model``), ``memos``,
``model`` (the last fit), ``themes`` and ``answer_themes`` (the themes of a ``textmine themes``
run attached to the project, for the filter by theme) and ``audit``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from textmine.errors import InputFileError, OutputError

#: Version of the schema written by this release (2: themes of a textmine themes run).
SCHEMA_VERSION = 2

#: How long a write waits for another writer's lock before giving up (milliseconds).
BUSY_TIMEOUT_MS = 5000

#: File extension of a workspace project.
EXTENSION = ".tmdb"

#: The coding queue's index (rebuilt by each refit, see textmine.workspace.suggest).
QUEUE_INDEX = "CREATE INDEX answers_queue ON answers(question, usefulness DESC, id)"

#: Themes of a ``textmine themes`` run attached to the project (filter "by theme"): one row
#: per theme of a question, and which answers the run assigned to it (primary or secondary).
THEMES_SCHEMA = """
CREATE TABLE themes(
    id INTEGER PRIMARY KEY, question TEXT NOT NULL REFERENCES questions(name),
    theme_id TEXT NOT NULL, label TEXT NOT NULL, position INTEGER NOT NULL,
    run TEXT NOT NULL, UNIQUE(question, theme_id));
CREATE TABLE answer_themes(
    theme INTEGER NOT NULL REFERENCES themes(id), answer_id INTEGER NOT NULL REFERENCES answers(id),
    PRIMARY KEY(theme, answer_id)) WITHOUT ROWID;
"""

SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE questions(
    name TEXT PRIMARY KEY, label TEXT NOT NULL DEFAULT '', position INTEGER NOT NULL,
    n_answers INTEGER NOT NULL DEFAULT 0);
CREATE TABLE closed_questions(
    name TEXT PRIMARY KEY, label TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL,
    position INTEGER NOT NULL);
CREATE TABLE respondents(
    id TEXT PRIMARY KEY, position INTEGER NOT NULL, closed TEXT NOT NULL DEFAULT '{{}}');
CREATE TABLE closed_values(
    question TEXT NOT NULL, value TEXT NOT NULL, respondent_id TEXT NOT NULL,
    PRIMARY KEY(question, value, respondent_id)) WITHOUT ROWID;
CREATE TABLE answers(
    id INTEGER PRIMARY KEY,
    respondent_id TEXT NOT NULL REFERENCES respondents(id),
    question TEXT NOT NULL REFERENCES questions(name),
    text TEXT NOT NULL,
    masked TEXT NOT NULL,
    terms TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    representativeness REAL NOT NULL DEFAULT 0,
    usefulness REAL NOT NULL DEFAULT 0,
    scores TEXT,
    suggested TEXT,
    n_coders INTEGER NOT NULL DEFAULT 0,
    disputed INTEGER NOT NULL DEFAULT 0,
    UNIQUE(question, respondent_id));
{QUEUE_INDEX};
CREATE INDEX answers_coders ON answers(question, n_coders);
CREATE TABLE codes(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES codes(id),
    colour TEXT NOT NULL DEFAULT '#888888',
    description TEXT NOT NULL DEFAULT '',
    seeds TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    merged_into INTEGER REFERENCES codes(id),
    position INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE code_history(
    id INTEGER PRIMARY KEY, time TEXT NOT NULL, coder TEXT NOT NULL, operation TEXT NOT NULL,
    code_id INTEGER NOT NULL, detail TEXT NOT NULL);
CREATE TABLE coders(name TEXT PRIMARY KEY, created TEXT NOT NULL);
CREATE TABLE coded_answers(
    answer_id INTEGER NOT NULL REFERENCES answers(id), coder TEXT NOT NULL REFERENCES coders(name),
    version INTEGER NOT NULL, time TEXT NOT NULL, PRIMARY KEY(answer_id, coder)) WITHOUT ROWID;
CREATE INDEX coded_answers_coder ON coded_answers(coder, time);
CREATE TABLE codings(
    answer_id INTEGER NOT NULL, coder TEXT NOT NULL, code_id INTEGER NOT NULL REFERENCES codes(id),
    source TEXT NOT NULL CHECK(source IN ('human', 'model')), time TEXT NOT NULL,
    PRIMARY KEY(answer_id, coder, code_id),
    FOREIGN KEY(answer_id, coder) REFERENCES coded_answers(answer_id, coder)) WITHOUT ROWID;
CREATE INDEX codings_code ON codings(code_id, answer_id);
CREATE TABLE memos(
    id INTEGER PRIMARY KEY, target TEXT NOT NULL CHECK(target IN ('answer', 'code')),
    target_id INTEGER NOT NULL, coder TEXT NOT NULL, text TEXT NOT NULL,
    version INTEGER NOT NULL, time TEXT NOT NULL, UNIQUE(target, target_id, coder));
CREATE TABLE model(
    id INTEGER PRIMARY KEY CHECK(id = 1), fitted TEXT NOT NULL, n_trained INTEGER NOT NULL,
    codings_at_fit INTEGER NOT NULL, expected TEXT NOT NULL, codes TEXT NOT NULL,
    seconds REAL NOT NULL);
{THEMES_SCHEMA}
CREATE TABLE audit(
    id INTEGER PRIMARY KEY, time TEXT NOT NULL, coder TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL, before TEXT, after TEXT);
CREATE INDEX audit_coder ON audit(coder, action, time);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END;
"""

def _add_themes(conn: sqlite3.Connection) -> None:
    """Version 1 -> 2: the tables of a themes run's themes."""
    for statement in THEMES_SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


#: Upgrades of an older database: ``MIGRATIONS[v]`` takes a version-``v`` file to ``v + 1``
#: (inside the opening transaction).
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _add_themes}

#: Colours given to codes in codebook order (colour-blind safe palette, Okabe and Ito 2008).
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
           "#999999", "#882255", "#44AA99", "#117733", "#AA4499")


def now() -> str:
    """Current UTC time as ISO 8601 text (seconds, ``Z``)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def database_error(exc: sqlite3.Error, path: str | Path) -> InputFileError:
    """One clear line for a database that is locked, read-only, missing or damaged."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return InputFileError(
            f"Workspace {path} is locked by another program (a long write or an open "
            "transaction); close it or wait, then try again."
        )
    if "readonly" in text or "read-only" in text:
        return InputFileError(
            f"Workspace {path} is read-only (file or folder permissions); make it writable "
            "(chmod u+w) or copy it to a writable folder."
        )
    if "unable to open" in text:
        return InputFileError(
            f"Cannot open workspace {path} (missing file or folder not writable); check the path "
            "and permissions."
        )
    if "not a database" in text or "malformed" in text:
        return InputFileError(
            f"{path} is not a readable textmine workspace ({exc}); give the .tmdb file made by "
            "'textmine workspace init'."
        )
    return InputFileError(f"Workspace {path}: database error ({exc}).")


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    # WAL: readers (pages) never wait for a writer; synchronous FULL: a committed change survives
    # a crash of the machine, not only of the process.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")


def create_database(path: str | Path) -> sqlite3.Connection:
    """Create an empty workspace file, readable and writable by its owner only.

    Raises
    ------
    OutputError
        If ``path`` exists or cannot be created.
    """
    path = Path(path)
    try:
        # Created here with mode 0600 before SQLite opens it: SQLite gives its -wal and -shm
        # files the permissions of the database file.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError as exc:
        raise OutputError(f"Workspace {path} already exists; use --force to replace it.") from exc
    except OSError as exc:
        raise OutputError(f"Cannot create workspace {path} ({exc.strerror}).") from exc
    os.close(fd)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    _configure(conn)
    # executescript commits whatever is pending: the script carries its own transaction.
    conn.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")
    with transaction(conn):
        set_meta(conn, "schema_version", SCHEMA_VERSION)
        set_meta(conn, "created", now())
    return conn


def connect(path: str | Path, *, write_check: bool = False) -> sqlite3.Connection:
    """Open an existing workspace, migrating an older schema.

    Parameters
    ----------
    path : path
        The ``.tmdb`` file.
    write_check : bool
        Take and release the write lock once, so that a locked or read-only file is refused now
        (in one line) rather than at the first edit.

    Raises
    ------
    InputFileError
        Missing, damaged, locked, read-only, or newer-than-this-release file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(
            f"Workspace {path} not found; create it with 'textmine workspace init'."
        )
    if path.stat().st_size == 0:
        raise InputFileError(
            f"Workspace {path} is empty (0 bytes); give the .tmdb file made by "
            "'textmine workspace init'."
        )
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.row_factory = sqlite3.Row
        # The version is read before any PRAGMA that writes (journal_mode=WAL rewrites the
        # header): a file that is not a workspace (another program's SQLite) is left untouched.
        version = schema_version(conn, path)
        _configure(conn)
        if version < SCHEMA_VERSION or write_check:
            with transaction(conn):
                for v in range(version, SCHEMA_VERSION):
                    MIGRATIONS[v](conn)
                    set_meta(conn, "schema_version", v + 1)
    except sqlite3.Error as exc:
        conn.close()
        raise database_error(exc, path) from exc
    except InputFileError:
        conn.close()
        raise
    return conn


def schema_version(conn: sqlite3.Connection, path: str | Path) -> int:
    """Schema version of an open workspace; refuses a file from a later release."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise InputFileError(
                f"{path} is an SQLite file but not a textmine workspace (no meta table); give "
                "the .tmdb file made by 'textmine workspace init'."
            ) from exc
        raise
    raw = row[0] if row else None
    try:
        version = int(str(raw).strip())
    except ValueError:
        # Only a damaged file (or another program's) has no whole-number version: upgrading
        # textmine would not help.
        raise InputFileError(
            f"Workspace {path} has no valid schema version ("
            f"{'none in its meta table' if raw is None else f'meta schema_version = {raw!r}'}): "
            "it is damaged or was not made by textmine; give the .tmdb file made by 'textmine "
            "workspace init' (or a backup of it)."
        ) from None
    if version > SCHEMA_VERSION:
        raise InputFileError(
            f"Workspace {path} has schema version {version}, this textmine reads version "
            f"{SCHEMA_VERSION}; upgrade textmine (pip install -U textmine)."
        )
    if version < SCHEMA_VERSION and version not in MIGRATIONS:
        raise InputFileError(
            f"Workspace {path} has schema version {version}, older than any this textmine "
            f"upgrades (from {min(MIGRATIONS)} to {SCHEMA_VERSION}): it is damaged or was not "
            "made by textmine; give the .tmdb file made by 'textmine workspace init' (or a "
            "backup of it)."
        )
    return version


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: ``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error.

    ``IMMEDIATE`` takes the write lock at the start, so two writers never both read a version
    number and then both write (the second waits up to the busy timeout, then reads the first
    one's change).
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def set_meta(conn: sqlite3.Connection, key: str, value: object) -> None:
    """Store ``value`` (JSON) under ``key`` in ``meta``."""
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(value)))


def get_meta(conn: sqlite3.Connection, key: str, default: object = None) -> object:
    """Value stored under ``key`` in ``meta`` (``default`` if absent)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else default


def audit(conn: sqlite3.Connection, coder: str, action: str, target: str,
          before: object = None, after: object = None) -> int:
    """Append one row to the audit table (inside the caller's transaction); return its id."""
    cur = conn.execute(
        "INSERT INTO audit(time, coder, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)",
        (now(), coder, action, target,
         None if before is None else json.dumps(before, ensure_ascii=False),
         None if after is None else json.dumps(after, ensure_ascii=False)),
    )  # fmt: skip
    return int(cur.lastrowid)


def integrity_ok(conn: sqlite3.Connection) -> bool:
    """Whether ``PRAGMA integrity_check`` and ``foreign_key_check`` find nothing wrong."""
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    if [r[0] for r in rows] != ["ok"]:
        return False
    return not conn.execute("PRAGMA foreign_key_check").fetchall()
