"""Orchestration of ``textmine workspace init | serve | export | import`` (issue 18).

Each function opens the workspace, calls :mod:`textmine.workspace` and returns what the command
line prints. ``init`` builds the new database under a temporary name beside the target and
renames it into place only once complete (no half-made project).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from textmine import interrupts
from textmine.codebook import load_codebook
from textmine.config import CodingOptions, ReadOptions, TextOptions, WorkspaceOptions
from textmine.errors import DataError, OptionError, OutputError, TextmineError
from textmine.outputs import file_sha256
from textmine.runfolder import EMPTY

logger = logging.getLogger(__name__)


def run_workspace_init(
    project: str | Path,
    *,
    survey_path: str | Path,
    text_cols: Sequence[str],
    read_options: ReadOptions = ReadOptions(),
    text_options: TextOptions = TextOptions(),
    codebook_path: str | Path | None = None,
    coder: str = "coder",
    themes_run: str | Path | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Create the workspace ``project`` from a survey (``textmine workspace init``).

    ``themes_run``: the folder of a ``textmine themes`` run on one of ``text_cols`` (its
    ``run.json`` names it), whose themes become a filter of the page.

    Returns
    -------
    dict
        ``path``, ``respondents``, ``answers`` (per question), ``codes``, ``closed``,
        ``themes`` (what :func:`attach_themes` did, or ``None``).

    Raises
    ------
    OutputError
        ``project`` exists (without ``force``), is the survey, or cannot be written.
    ColumnError, DataError, InputFileError
        From reading the survey, its text columns and the codebook.
    """
    from textmine.survey import closed_question, open_answers, read_survey
    from textmine.text.corpus import process_answers
    from textmine.workspace.build import (
        CLOSED_KINDS,
        check_coder_name,
        closed_values,
        fill_workspace,
    )
    from textmine.workspace.db import EXTENSION, create_database

    project = Path(project)
    if project.suffix.lower() != EXTENSION:
        raise OutputError(f"Workspace file {project.name} must end in {EXTENSION}; e.g. "
                          f"{project.with_suffix(EXTENSION).name}.")  # fmt: skip
    if Path(survey_path).resolve() == project.resolve():
        raise OutputError("The workspace file would replace the survey; choose another name.")
    if project.exists() and not force:
        raise OutputError(f"Workspace {project} already exists; use --force to replace it.")
    if project.exists():
        _check_replaceable(project)
    if not project.parent.is_dir():
        raise OutputError(f"Folder {project.parent} does not exist; create it first.")
    if not text_cols:
        raise OptionError("Give at least one open question with --text-col.")
    if len(set(text_cols)) != len(text_cols):
        raise OptionError("--text-col is given twice with the same column; give each once.")
    coder = check_coder_name(coder)
    codebook = load_codebook(codebook_path) if codebook_path else None
    run_tables = _read_themes_run(themes_run) if themes_run is not None else None
    survey = read_survey(survey_path, options=read_options)
    answers = {}
    for col in text_cols:
        series = open_answers(survey, col)
        corpus = process_answers(series, options=text_options, progress=progress)
        frame = pd.DataFrame({
            "respondent_id": corpus.ids, "text": corpus.texts, "masked": corpus.masked,
            "terms": [" ".join(t) for t in corpus.terms], "status": corpus.status,
        })  # fmt: skip
        frame = frame[frame["status"] != EMPTY]
        if frame.empty:
            raise DataError(f"Column '{col}' has no answer to code; check --text-col.")
        answers[col] = (survey.question(col).label, frame)
    closed = {}
    for name, question in survey.questions.items():
        if question.kind in CLOSED_KINDS:
            closed[name] = (question.label, question.kind,
                            closed_values(closed_question(survey, name), question.kind))
    source = {"path": str(Path(survey_path).resolve()), "sha256": file_sha256(survey_path),
              "id_col": read_options.id_col, "read": asdict(read_options),
              "text_cols": list(text_cols),
              "codebook": str(codebook_path) if codebook_path else None}  # fmt: skip
    tmp = project.with_name(f".{project.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        conn = create_database(tmp)
        try:
            fill_workspace(conn, respondent_ids=[str(i) for i in survey.data.index],
                           closed=closed, answers=answers, codebook=codebook, coder=coder,
                           source=source)  # fmt: skip
            themes = (_attach(conn, run_tables, question=None, coder=coder, name=project.name)
                      if run_tables is not None else None)  # fmt: skip
        finally:
            conn.close()  # the last connection checkpoints the WAL into the file
        os.replace(tmp, project)
    except BaseException:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        raise
    _prepare_features(project)
    n_codes = len(codebook.themes) if codebook else 0
    return {"path": project, "respondents": len(survey.data),
            "answers": {q: len(f) for q, (_, f) in answers.items()}, "codes": n_codes,
            "closed": list(closed), "themes": themes}  # fmt: skip


def _read_themes_run(run_dir: str | Path) -> dict:
    """``answers.csv``, ``themes.csv`` and the question of a finished themes run."""
    from textmine.errors import InputFileError
    from textmine.runfolder import ANSWERS_CSV, THEMES_CSV, read_run, read_run_csv

    run_dir = Path(run_dir)
    if not run_dir.is_dir() or not (run_dir / THEMES_CSV).is_file():
        raise InputFileError(f"{run_dir} is not the folder of a finished 'textmine themes' run "
                             f"(no {THEMES_CSV}); give that folder.")  # fmt: skip
    try:
        text_col = read_run(run_dir).input.get("text_col")
    except TextmineError:
        text_col = None  # a run without run.json: the question is chosen by the workspace
    return {"answers": read_run_csv(run_dir, ANSWERS_CSV), "themes": read_run_csv(
        run_dir, THEMES_CSV), "question": text_col, "run": run_dir.name}


def _attach(conn: sqlite3.Connection, tables: dict, *, question: str | None,
            coder: str, name: str) -> dict:
    from textmine.workspace.build import set_themes
    from textmine.workspace.db import transaction
    from textmine.workspace.exchange import choose_question

    chosen = choose_question(conn, name, question, tables["question"])
    with transaction(conn):
        result = set_themes(conn, question=chosen, answers=tables["answers"],
                            themes=tables["themes"], run=tables["run"], coder=coder,
                            run_question=tables["question"])
    if question is None and tables["question"] and chosen != tables["question"]:
        # A guess (the texts matched, set_themes checked them): say it.
        logger.warning("themes run %s analysed '%s', which workspace %s does not hold; its "
                       "themes were attached to '%s', the workspace's only question "
                       "(--question to choose)", tables["run"], tables["question"], name, chosen)
    question = chosen
    return {**result, "question": question}


def attach_themes(project: str | Path, run_dir: str | Path, *, question: str | None = None,
                  coder: str = "import") -> dict:
    """Attach the themes of a themes run to a workspace (``workspace import PROJECT RUN_DIR``).

    The question is ``question``, else the one the run analysed (its ``run.json``), else the
    workspace's only question. Earlier themes of that question are replaced.

    Returns
    -------
    dict
        ``kind`` ("themes"), ``question``, ``themes``, ``assigned``, ``unknown``.
    """
    from textmine.workspace.build import check_coder_name
    from textmine.workspace.db import connect, database_error

    tables = _read_themes_run(run_dir)
    coder = check_coder_name(coder)
    conn = connect(project, write_check=True)
    try:
        return {"kind": "themes", **_attach(conn, tables, question=question, coder=coder,
                                            name=Path(project).name)}
    except sqlite3.Error as exc:
        raise database_error(exc, project) from exc
    finally:
        conn.close()


def _prepare_features(project: Path) -> None:
    """Count every answer's terms and character n-grams now, into the textmine cache.

    The first background refit then only reads them (seconds, not a minute, for 100,000
    answers). A failure costs only that time later, never the new workspace.
    """
    from textmine.workspace.db import connect
    from textmine.workspace.scoring import workspace_features

    try:
        conn = connect(project)
        try:
            workspace_features(conn)
        finally:
            conn.close()
    except (OSError, sqlite3.Error, TextmineError, MemoryError) as exc:
        logger.warning("answer features not prepared for %s (%s); the first refit will "
                       "compute them", project, exc)


def _check_replaceable(project: Path) -> None:
    """Refuse ``--force`` over a file that is not a workspace, or over an open workspace.

    An open workspace has its ``-wal`` file beside it (SQLite removes it when the last
    connection closes): replacing the file under it would pair the old write-ahead log with the
    new database, and a server using it would write into the new one.
    """
    from textmine.workspace.db import connect

    if not project.is_file():
        raise OutputError(f"{project} is not a file; choose another workspace name.")
    if Path(f"{project}-wal").exists():
        raise OutputError(
            f"Workspace {project} is in use (its -wal file exists: a server or another program "
            "has it open, or was killed); stop it (after a crash, serve it once and stop it), "
            "then run again."
        )
    try:
        connect(project).close()
    except TextmineError as exc:
        raise OutputError(
            f"{project} exists and is not a usable textmine workspace ({exc}); --force replaces "
            "only a workspace: move the file away or choose another name."
        ) from exc


def _port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise OptionError(
                f"Cannot listen on {host}:{port} ({exc.strerror}); choose another --port or "
                "stop the program using it."
            ) from exc


def workspace_url(options: WorkspaceOptions, token: str) -> str:
    """The URL printed at start: host, port and the access token."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    return f"http://{host}:{options.port}/?token={token}"


def run_workspace_serve(
    project: str | Path,
    *,
    options: WorkspaceOptions = WorkspaceOptions(),
    coding_options: CodingOptions = CodingOptions(),
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the workspace until Ctrl-C (``textmine workspace serve``).

    The database is opened for writing once before listening, so that a locked, read-only or
    damaged file is refused in one line. ``announce`` receives the URL with its access token.
    """
    import uvicorn

    from textmine.workspace.app import build_app
    from textmine.workspace.db import connect
    from textmine.workspace.suggest import Refitter

    project = Path(project)
    conn = connect(project, write_check=True)
    refitter = Refitter(project, every=options.refit_every, options=coding_options)
    refitter.warm()  # the refit process starts (and imports) while the first pages are served
    try:
        refitter.maybe_start(conn)
    except sqlite3.Error as exc:
        from textmine.workspace.db import database_error

        raise database_error(exc, project) from exc
    finally:
        conn.close()
    _port_free(options.host, options.port)
    token = secrets.token_urlsafe(24)
    hosts = ("127.0.0.1", "localhost", "::1", options.host)
    app = build_app(project, token=token, password=options.password,
                    allowed_hosts=tuple(dict.fromkeys(hosts)), refitter=refitter)  # fmt: skip
    config = uvicorn.Config(app, host=options.host, port=options.port, log_level="warning",
                            access_log=False, lifespan="off")  # fmt: skip

    class Server(uvicorn.Server):
        async def on_tick(self, counter: int) -> bool:
            # A Ctrl-C before uvicorn's own handlers are in place is only recorded (polled()).
            if stop_requested():
                self.should_exit = True
            return await super().on_tick(counter)

    server = Server(config)
    url = workspace_url(options, token)
    try:
        # From the announcement on, a Ctrl-C stops the server cleanly whenever it comes.
        with interrupts.polled() as stop_requested:
            announce(f"Workspace {project.name} served at {url}")
            announce("Open that link in your browser; press Ctrl-C to stop.")
            if options.open_browser:
                import webbrowser

                webbrowser.open(url)
            server.run()
    finally:
        refitter.close()
    announce("Workspace server stopped.")


def run_workspace_export(project: str | Path, *, fmt: str, out: str | Path,
                         question: str | None = None, coder: str | None = None,
                         force: bool = False) -> tuple[Path, int]:
    """Export the workspace's codes (``textmine workspace export``); returns path and rows."""
    from textmine.workspace.db import connect, database_error
    from textmine.workspace.exchange import export_workspace

    conn = connect(project)
    try:
        return export_workspace(conn, Path(project), out, fmt=fmt, question=question,
                                coder=coder, force=force)  # fmt: skip
    except sqlite3.Error as exc:
        raise database_error(exc, project) from exc
    finally:
        conn.close()


def run_workspace_import(project: str | Path, file: str | Path, *, coder: str | None = None,
                         question: str | None = None, sheet: str | None = None) -> dict:
    """Import a filled coding sheet, a codebook, or a themes run's folder
    (``textmine workspace import``)."""
    from textmine.workspace.db import connect, database_error
    from textmine.workspace.exchange import import_file

    if Path(file).is_dir():
        return attach_themes(project, file, question=question, coder=coder or "import")
    if not Path(file).exists():
        from textmine.errors import InputFileError

        raise InputFileError(f"{file} not found; give a coding sheet (.xlsx, .csv), a codebook "
                             "(.qdc, .yaml) or the folder of a 'textmine themes' run.")

    conn = connect(project, write_check=True)
    try:
        return import_file(conn, file, coder=coder, question=question, sheet=sheet)
    except sqlite3.Error as exc:
        raise database_error(exc, project) from exc
    finally:
        conn.close()


def run_workspace_refit(project: str | Path, *,
                        coding_options: CodingOptions = CodingOptions()) -> dict:
    """Refit the coder now, in the foreground (benchmarks and scripts)."""
    from textmine.workspace.suggest import refit

    return refit(project, options=coding_options)


def is_workspace(path: str | Path) -> bool:
    """Whether ``path`` names a workspace project (``.tmdb``) rather than a labels file."""
    return Path(path).suffix.lower() == ".tmdb"


def read_workspace_codes(project: str | Path, *, question: str | None = None,
                         coder: str | None = None, codes: list[str] | None = None,
                         default_question: str | None = None,
                         texts: Mapping[str, str] | None = None,
                         coder_flag: str = "--coder") -> tuple[pd.DataFrame, dict]:
    """One coder's codes on one open question of a workspace, as a labels file reads.

    Used by ``textmine code --labels``, ``textmine agree`` and ``textmine crosstab`` when they
    are given a ``.tmdb`` file. ``question`` defaults to ``default_question`` when the
    workspace has it (``code``'s ``--text-col``), else to its only question. ``texts`` (the
    survey's answers that the codes will be learnt from, by respondent id: ``code``'s
    ``--text-col``) must be the answers the codes were given to: most coded answers' texts
    must be those of the question read (as written or masked), else the codes are refused
    (codes of another open question of the same survey match its ids too). ``coder_flag`` is
    the option named when several coders and none chosen.

    Returns
    -------
    coded : DataFrame
        Respondents x codes, 0/1 (see :func:`textmine.workspace.exchange.workspace_codes`).
    info : dict
        ``question``, ``coder`` and ``source`` (the survey recorded at ``init``: ``path``,
        ``sha256``, ``id_col``...).

    Raises
    ------
    OptionError
        Several questions or coders and none chosen (one line naming them).
    DataError, InputFileError
        Nothing coded; the codes are of other texts than ``texts``; unreadable, locked or
        missing workspace.
    """
    from textmine.workspace.db import connect, database_error, get_meta
    from textmine.workspace.exchange import choose_question, workspace_codes

    project = Path(project)
    conn = connect(project)
    try:
        question = choose_question(conn, project.name, question, default_question)
        coded, coder = workspace_codes(conn, project.name, question=question, coder=coder,
                                       codes=codes, coder_flag=coder_flag)  # fmt: skip
        source = get_meta(conn, "source") or {}
        if texts is not None:
            _check_coded_texts(conn, project.name, question, list(coded.index), texts,
                               default_question)  # fmt: skip
    except sqlite3.Error as exc:
        raise database_error(exc, project) from exc
    finally:
        conn.close()
    logger.info("codes of coder %s on %s read from workspace %s", coder, question, project.name)
    return coded, {"question": question, "coder": coder, "source": source}


def _check_coded_texts(conn: sqlite3.Connection, name: str, question: str, ids: list[str],
                       texts: Mapping[str, str], text_col: str | None) -> None:
    """Refuse codes of ``question`` learnt as codes of other answers (``texts``)."""
    from textmine.coding.sheet import text_key
    from textmine.workspace.build import answers_matching

    keys = {rid: text_key(texts[rid]) for rid in ids
            if isinstance(texts.get(rid), str) and texts[rid].strip()}  # fmt: skip
    if not keys or 2 * answers_matching(conn, question, keys) >= len(keys):
        return
    hits = answers_matching(conn, question, keys)
    given = f"--text-col {text_col}" if text_col else "the survey's question"
    raise DataError(
        f"The codes of '{question}' in workspace {name} were given to other answers than those "
        f"of {given}: {len(keys) - hits} of the {len(keys)} coded answers have another text; "
        f"give --text-col {question}, or the workspace where {text_col or 'that question'} "
        "was coded."
    )
