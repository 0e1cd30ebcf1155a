"""Getting codes out of the workspace and in: long CSV, workbook, REFI-QDA project and codebook.

- ``csv``: one line per code given, ``respondent_id, question, code, coder, time, source``
  (``human``: toggled by the coder; ``model``: the coder accepted the model's suggestion); an
  answer coded with no code has one line with an empty ``code`` ("read, no code applies"). With
  one coder and one question it is a labels file for ``textmine code`` and ``textmine agree``
  (:func:`textmine.coding.sheet.read_coded` reads it).
- ``xlsx``: the same table plus the codebook, its history and the memos
  (:func:`textmine.workbook.save_workbook`: same content, same bytes).
- ``qdpx``: a REFI-QDA project (``urn:QDA-XML:project:1.0``, the exchange format of
  QualCoder, NVivo, ATLAS.ti, MAXQDA): each open question is one text source holding its
  (masked) answers one per paragraph, each coded answer a ``PlainTextSelection`` with one
  ``Coding`` per code and coder (``creatingUser``); GUIDs are uuid5 of names, as in
  :mod:`textmine.coding.interchange`.
- ``qdc``: the codebook (:func:`textmine.coding.interchange.codebook_to_qdc`).

Imports: filled coding sheets (xlsx/csv, read by :func:`textmine.coding.sheet.read_coded`) and
codebooks (``.qdc``, ``.yaml``, read by :func:`textmine.codebook.load_codebook`).
"""

from __future__ import annotations

import errno
import io
import sqlite3
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from textmine.codebook import Codebook, CodebookTheme, load_codebook
from textmine.coding.interchange import code_guid, codebook_to_qdc
from textmine.coding.sheet import (
    column_values,
    matching_texts,
    read_coded,
    sheet_info,
    sheet_keys,
)
from textmine.errors import DataError, OptionError, OutputError
from textmine.outputs import append_inert, atomic_write, write_csv
from textmine.workbook import fixed_time, save_workbook
from textmine.workspace.build import add_codebook, add_coder, check_coder_name
from textmine.workspace.db import audit, get_meta, now, transaction
from textmine.workspace.edits import refresh_agreement

#: Export formats, by the name given to ``--format``.
FORMATS = ("csv", "xlsx", "qdpx", "qdc")

#: Columns of the long CSV export (an interface: keep them).
LONG_COLUMNS = ["respondent_id", "question", "code", "coder", "time", "source"]

QDPX_NAMESPACE = "urn:QDA-XML:project:1.0"
_GUIDS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:textmine:workspace")


def _guid(*parts: object) -> str:
    return str(uuid.uuid5(_GUIDS, "\x1f".join(map(str, parts))))


def codes_long(conn: sqlite3.Connection, *, question: str | None = None,
               coder: str | None = None) -> pd.DataFrame:
    """Every code given, in long form (:data:`LONG_COLUMNS`), answers in survey order."""
    where, params = [], []
    if question:
        where.append("a.question = ?")
        params.append(question)
    if coder:
        where.append("ca.coder = ?")
        params.append(coder)
    sql = (
        "SELECT a.respondent_id, a.question, COALESCE(k.name, '') AS code, ca.coder, "
        "COALESCE(g.time, ca.time) AS time, COALESCE(g.source, 'human') AS source "
        "FROM coded_answers ca JOIN answers a ON a.id = ca.answer_id "
        "JOIN respondents r ON r.id = a.respondent_id "
        "LEFT JOIN codings g ON g.answer_id = ca.answer_id AND g.coder = ca.coder "
        "LEFT JOIN codes k ON k.id = g.code_id "
        + ("WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY a.question, r.position, ca.coder, k.position"
    )
    rows = conn.execute(sql, params).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=LONG_COLUMNS, dtype=object)


def workspace_codebook(conn: sqlite3.Connection) -> Codebook:
    """The active codes as a :class:`textmine.codebook.Codebook` (``Parent / Child`` names)."""
    rows = conn.execute(
        "SELECT c.name, c.description, c.seeds, p.name AS parent FROM codes c "
        "LEFT JOIN codes p ON p.id = c.parent_id WHERE c.active = 1 ORDER BY c.position, c.id"
    ).fetchall()
    themes = []
    for r in rows:
        seeds = tuple(s.strip() for s in r["seeds"].split(";") if s.strip())
        themes.append(CodebookTheme(name=r["name"], seeds=seeds, description=r["description"]))
    return Codebook(themes=tuple(themes))


def _check_out(out: Path, fmt: str, force: bool, inputs: dict[str, Path]) -> None:
    """Refuse an export over one of ``inputs`` (what it is -> path), even with ``force``."""
    if fmt not in FORMATS:
        raise OptionError(f"--format {fmt!r} is not an export format; use one of "
                          f"{', '.join(FORMATS)}.")  # fmt: skip
    for what, path in inputs.items():
        if out.resolve() == path.resolve():
            raise OutputError(f"Output file {out} is {what}; choose another name.")
    if out.suffix.lower() != f".{fmt}":
        raise OutputError(f"Output file {out.name} does not end in .{fmt}; name it *.{fmt}.")
    if out.exists() and not force:
        raise OutputError(f"Output file {out} already exists; use --force to replace it.")
    if out.is_dir():
        raise OutputError(f"Output path {out} is a folder; give a file name.")
    if not out.parent.is_dir():
        raise OutputError(f"Folder {out.parent} does not exist; create it first.")


def export_workspace(conn: sqlite3.Connection, db_path: Path, out: str | Path, *, fmt: str,
                     question: str | None = None, coder: str | None = None,
                     force: bool = False) -> tuple[Path, int]:
    """Write the workspace's codes as ``fmt`` into ``out``; returns the path and rows written.

    Raises
    ------
    OptionError, OutputError
        Unknown format, unknown question or coder, output existing without ``force``.
    """
    out = Path(out)
    inputs = {"the workspace itself": db_path}
    survey = (get_meta(conn, "source") or {}).get("path")
    if survey:  # --force must not replace the survey the workspace was made from
        inputs["the survey the workspace was made from"] = Path(survey)
    _check_out(out, fmt, force, inputs)
    names = [r[0] for r in conn.execute("SELECT name FROM questions ORDER BY position")]
    if question is not None and question not in names:
        raise OptionError(f"--question {question!r} is not in the workspace; questions: "
                          f"{', '.join(names)}.")  # fmt: skip
    coders = [r[0] for r in conn.execute("SELECT name FROM coders ORDER BY name")]
    if coder is not None and coder not in coders:
        raise OptionError(f"--coder {coder!r} never coded here; coders: {', '.join(coders)}.")
    try:
        if fmt == "qdc":
            codebook = workspace_codebook(conn)
            atomic_write(out, codebook_to_qdc(codebook))
            return out, len(codebook.themes)
        table = codes_long(conn, question=question, coder=coder)
        if table.empty and fmt in ("csv", "xlsx"):
            # A table of headers only would pass for "nothing to code" in code/agree/crosstab.
            chosen = " and ".join(x for x in (f"question {question}" if question else "",
                                              f"coder {coder}" if coder else "") if x)
            raise DataError(f"No coded answer in {db_path.name}"
                            f"{' for ' + chosen if chosen else ''}: nothing to export (nothing "
                            "written); code answers first with 'textmine workspace serve'.")
        if fmt == "csv":
            atomic_write(out, lambda tmp: write_csv(table, tmp))
        elif fmt == "xlsx":
            _write_xlsx(conn, table, out)
        else:
            atomic_write(out, _qdpx_bytes(conn, question=question, coder=coder))
    except OSError as exc:
        raise write_error(out, exc) from exc
    return out, len(table)


def write_error(out: Path, exc: OSError) -> OutputError:
    """One line for a failed write of ``out``, naming it (not the temporary file beside it)."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENAMETOOLONG:
        advice = "choose a shorter file name"
    elif exc.errno == errno.ENOSPC:
        advice = f"free some space on the disk holding {out.parent}"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        advice = f"folder {out.parent} is not writable: choose another folder or fix its rights"
    else:
        advice = f"check folder {out.parent} (permissions, free space)"
    return OutputError(f"Cannot write {out} ({reason}); {advice}. Nothing was written.")


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, first: bool = False) -> None:
    ws = wb.active if first else wb.create_sheet(title)
    ws.title = title
    append_inert(ws, [str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        append_inert(ws, row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"


def _write_xlsx(conn: sqlite3.Connection, table: pd.DataFrame, out: Path) -> None:
    wb = Workbook()
    _sheet(wb, "Codes", table, first=True)
    codebook = pd.DataFrame(
        [tuple(r) for r in conn.execute(
            "SELECT c.name, COALESCE(p.name, ''), c.description, c.seeds, c.colour, c.active, "
            "COALESCE(m.name, '') FROM codes c LEFT JOIN codes p ON p.id = c.parent_id "
            "LEFT JOIN codes m ON m.id = c.merged_into ORDER BY c.position, c.id")],
        columns=["name", "parent", "description", "seeds", "colour", "active", "merged_into"],
    )  # fmt: skip
    _sheet(wb, "Codebook", codebook)
    history = pd.DataFrame(
        [tuple(r) for r in conn.execute(
            "SELECT h.time, h.coder, h.operation, c.name, h.detail FROM code_history h "
            "JOIN codes c ON c.id = h.code_id ORDER BY h.id")],
        columns=["time", "coder", "operation", "code", "detail"],
    )  # fmt: skip
    _sheet(wb, "History", history)
    memos = pd.DataFrame(
        [tuple(r) for r in conn.execute(
            "SELECT m.target, CASE m.target WHEN 'answer' THEN a.respondent_id ELSE c.name END, "
            "COALESCE(a.question, ''), m.coder, m.time, m.text FROM memos m "
            "LEFT JOIN answers a ON m.target = 'answer' AND a.id = m.target_id "
            "LEFT JOIN codes c ON m.target = 'code' AND c.id = m.target_id ORDER BY m.id")],
        columns=["on", "respondent_id_or_code", "question", "coder", "time", "memo"],
    )  # fmt: skip
    _sheet(wb, "Memos", memos)
    save_workbook(wb, out)


def _qdpx_bytes(conn: sqlite3.Connection, *, question: str | None,
                coder: str | None) -> bytes:
    """A REFI-QDA project archive: ``project.qde`` plus one text file per open question."""
    ns = f"{{{QDPX_NAMESPACE}}}"
    ET.register_namespace("", QDPX_NAMESPACE)
    stamp = fixed_time().strftime("%Y-%m-%dT%H:%M:%SZ")
    root = ET.Element(f"{ns}Project", {"name": "textmine workspace", "origin": "textmine",
                                        "creationDateTime": stamp})  # fmt: skip
    users = ET.SubElement(root, f"{ns}Users")
    coders = [r[0] for r in conn.execute("SELECT name FROM coders ORDER BY name")
              if coder is None or r[0] == coder]
    for name in coders:
        ET.SubElement(users, f"{ns}User", {"guid": _guid("user", name), "name": name})
    book = ET.SubElement(ET.SubElement(root, f"{ns}CodeBook"), f"{ns}Codes")
    code_rows = conn.execute(
        "SELECT id, name, colour, description FROM codes WHERE active = 1 "
        "ORDER BY position, id").fetchall()  # fmt: skip
    for r in code_rows:
        el = ET.SubElement(book, f"{ns}Code", {"guid": code_guid(r["name"]), "name": r["name"],
                                               "isCodable": "true", "color": r["colour"]})
        if r["description"]:
            ET.SubElement(el, f"{ns}Description").text = r["description"]
    sources = ET.SubElement(root, f"{ns}Sources")
    files: dict[str, str] = {}
    questions = conn.execute("SELECT name, label FROM questions ORDER BY position").fetchall()
    code_name = {r["id"]: r["name"] for r in code_rows}
    for q in questions:
        if question is not None and q["name"] != question:
            continue
        guid = _guid("source", q["name"])
        source = ET.SubElement(sources, f"{ns}TextSource", {
            "guid": guid, "name": q["name"], "plainTextPath": f"internal://{guid}.txt"})
        if q["label"]:
            ET.SubElement(source, f"{ns}Description").text = q["label"]
        text, offsets = [], {}
        position = 0
        for a in conn.execute(
            "SELECT a.id, a.respondent_id, a.masked FROM answers a "
            "JOIN respondents r ON r.id = a.respondent_id WHERE a.question = ? "
            "ORDER BY r.position", (q["name"],),
        ):  # fmt: skip
            body = " ".join(a["masked"].split())
            line = f"[{a['respondent_id']}] {body}"
            # REFI-QDA positions count Unicode characters of the plain text.
            offsets[a["id"]] = (a["respondent_id"], position, position + len(line))
            text.append(line)
            position += len(line) + 1
        files[guid] = "\n".join(text)
        codings = conn.execute(
            "SELECT g.answer_id, g.coder, g.code_id, g.time FROM codings g "
            "JOIN answers a ON a.id = g.answer_id WHERE a.question = ? "
            + ("AND g.coder = ? " if coder else "") + "ORDER BY g.answer_id, g.coder, g.code_id",
            (q["name"], coder) if coder else (q["name"],),
        ).fetchall()  # fmt: skip
        by_answer: dict[int, list] = {}
        for g in codings:
            if g["code_id"] in code_name:
                by_answer.setdefault(g["answer_id"], []).append(g)
        for aid, items in by_answer.items():
            rid, start, end = offsets[aid]
            sel = ET.SubElement(source, f"{ns}PlainTextSelection", {
                "guid": _guid("selection", q["name"], rid), "name": rid,
                "startPosition": str(start), "endPosition": str(end)})
            for g in items:
                coding = ET.SubElement(sel, f"{ns}Coding", {
                    "guid": _guid("coding", aid, g["coder"], g["code_id"]),
                    "creatingUser": _guid("user", g["coder"]),
                    "creationDateTime": g["time"][:19] + "Z"})
                ET.SubElement(coding, f"{ns}CodeRef",
                              {"targetGUID": code_guid(code_name[g["code_id"]])})
    ET.indent(root)
    qde = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
    buffer = io.BytesIO()
    when = fixed_time().timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("project.qde", when), qde)
        for guid, body in files.items():
            zf.writestr(zipfile.ZipInfo(f"sources/{guid}.txt", when), body)
    return buffer.getvalue()


def import_file(conn: sqlite3.Connection, path: str | Path, *, coder: str | None = None,
                question: str | None = None, sheet: str | None = None) -> dict:
    """Read a filled coding sheet or a codebook into the workspace (one transaction).

    A coding sheet (``.xlsx``, ``.csv``, or a long CSV as exported) gives ``coder``'s codes to
    the answers of ``question``; codes unknown to the workspace are added to its codebook (and
    reported). A codebook (``.qdc``, ``.yaml``) adds its new codes.

    Returns
    -------
    dict
        ``kind`` (``codings`` or ``codebook``), ``codes_added``, and for codings ``answers``,
        ``replaced`` (answers this coder had coded, now as in the file), ``coder``,
        ``question``.

    Raises
    ------
    DataError, InputFileError, OptionError
        Unreadable file, ids not in the question, several questions without ``question``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    # A name given (even empty) is checked, never replaced by a default: an empty --coder is
    # a mistake, not "no coder given".
    coder = None if coder is None else check_coder_name(coder)
    names = [r[0] for r in conn.execute("SELECT name FROM questions ORDER BY position")]
    if question is not None and question not in names:
        raise OptionError(f"Question {question!r} is not in the workspace; questions: "
                          f"{', '.join(names)}.")  # fmt: skip
    if suffix in (".qdc", ".yaml", ".yml"):
        codebook = load_codebook(path)
        with transaction(conn):
            add_coder(conn, coder or "import")
            added = add_codebook(conn, codebook, coder=coder or "import")
        return {"kind": "codebook", "codes_added": added}
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise OptionError(f"Cannot import {path.name}: give a coding sheet (.xlsx, .csv) or a "
                          "codebook (.qdc, .yaml).")  # fmt: skip
    wide = read_coded(path, sheet=sheet)
    file_coder = _single_column(path, "coder", sheet)
    file_question = _single_column(path, "question", sheet)
    coder = coder or file_coder or "import"
    # A coding sheet written by textmine records its question (text column) in its Info sheet.
    recorded = sheet_info(path).get("question")
    if recorded and recorded in names and question is not None and question != recorded:
        raise DataError(
            f"{path.name} is a coding sheet for the question '{recorded}' (its Info sheet), not "
            f"'{question}'; import it with --question {recorded}."
        )
    recorded = recorded if recorded in names else None
    question = question or file_question or recorded or (names[0] if len(names) == 1 else None)
    if question is None:
        raise OptionError(f"The workspace has {len(names)} open questions; say which one the "
                          f"file codes with --question ({', '.join(names)}).")  # fmt: skip
    if question not in names:
        raise OptionError(f"Question {question!r} is not in the workspace; questions: "
                          f"{', '.join(names)}.")  # fmt: skip
    ids = {r[0]: r[1] for r in conn.execute(
        "SELECT respondent_id, id FROM answers WHERE question = ?", (question,))}
    missing = [i for i in wide.index if i not in ids]
    if missing:
        raise DataError(
            f"{len(missing)} of {len(wide)} respondent id(s) of {path} have no answer to "
            f"'{question}' in the workspace: {', '.join(missing[:3])}; check the file and "
            "--question."
        )
    _check_sheet_question(conn, path, list(wide.index), question, sheet=sheet)
    with transaction(conn):
        add_coder(conn, coder)
        added = add_codebook(conn, Codebook(themes=tuple(
            CodebookTheme(name=str(c)) for c in wide.columns)), coder=coder)
        code_ids = {r[0]: r[1] for r in conn.execute("SELECT name, id FROM codes")}
        replaced = 0
        t = now()
        for rid, row in wide.iterrows():
            aid = ids[rid]
            old = conn.execute("SELECT version FROM coded_answers WHERE answer_id = ? AND "
                               "coder = ?", (aid, coder)).fetchone()  # fmt: skip
            replaced += old is not None
            conn.execute("DELETE FROM codings WHERE answer_id = ? AND coder = ?", (aid, coder))
            conn.execute(
                "INSERT INTO coded_answers(answer_id, coder, version, time) VALUES (?, ?, 1, ?) "
                "ON CONFLICT(answer_id, coder) DO UPDATE SET version = version + 1, "
                "time = excluded.time", (aid, coder, t),
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO codings(answer_id, coder, code_id, source, time) "
                "VALUES (?, ?, ?, 'human', ?)",
                [(aid, coder, code_ids[str(c)], t) for c, v in row.items() if int(v) == 1],
            )
        refresh_agreement(conn, [ids[rid] for rid in wide.index])
        audit(conn, coder, "import", f"file:{path.name}",
              after={"answers": len(wide), "replaced": replaced, "question": question,
                     "codes_added": added})  # fmt: skip
    return {"kind": "codings", "answers": len(wide), "replaced": replaced, "coder": coder,
            "question": question, "codes_added": added}


def _check_sheet_question(conn: sqlite3.Connection, path: Path, coded_ids: list[str],
                          question: str, *, sheet: str | None) -> None:
    """Refuse a coding sheet whose texts are not the answers of ``question``.

    The respondents of a survey answer every open question, so the ids of a sheet made for
    another question match too: its ``text`` column tells. A sheet whose coded rows mostly
    carry other texts (original or masked, compared on their first characters) is refused,
    naming the question whose answers they are when there is one.
    """
    keys = sheet_keys(path, coded_ids, sheet=sheet)
    if not keys:
        return  # a long CSV, or a sheet without texts: nothing to compare

    def matching(name: str) -> int:
        answers = {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT respondent_id, text, masked FROM answers WHERE question = ?", (name,))}
        return matching_texts(keys, answers)

    hits = matching(question)
    if 2 * hits >= len(keys):
        return
    others = [r[0] for r in conn.execute("SELECT name FROM questions WHERE name != ? "
                                         "ORDER BY position", (question,))]  # fmt: skip
    best = max(others, key=matching, default=None)
    where = (f"they are the answers to '{best}': import it with --question {best}"
             if best is not None and 2 * matching(best) >= len(keys) else
             f"check that the sheet was made for '{question}' of this survey")
    raise DataError(
        f"The texts of {len(keys) - hits} of the {len(keys)} coded rows of {path.name} are not "
        f"the answers to '{question}' in the workspace; {where}."
    )


def _single_column(path: Path, column: str, sheet: str | None) -> str | None:
    """The one value of ``column`` in a long file, CSV or XLSX (``None`` for a sheet or none).

    A workspace export read back names its coder and question, in a workbook as in a CSV.
    """
    values = column_values(path, column, sheet=sheet)
    return values[0] if len(values) == 1 else None


def coders_of(conn: sqlite3.Connection, question: str) -> list[str]:
    """Coders who coded at least one answer of ``question``, by name."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT ca.coder FROM coded_answers ca JOIN answers a ON a.id = ca.answer_id "
        "WHERE a.question = ? ORDER BY ca.coder", (question,))]  # fmt: skip


def choose_question(conn: sqlite3.Connection, name: str, question: str | None,
                    default: str | None = None) -> str:
    """The open question whose codes are read: ``question``, else ``default`` if the workspace
    has it, else its only question.

    Raises
    ------
    OptionError
        ``question`` is not in the workspace, or it has several and none was chosen.
    """
    questions = [r[0] for r in conn.execute("SELECT name FROM questions ORDER BY position")]
    if question is not None:
        if question not in questions:
            raise OptionError(f"Question '{question}' is not in workspace {name}; its open "
                              f"questions: {', '.join(questions)}.")  # fmt: skip
        return question
    if default in questions:
        return default
    if len(questions) == 1:
        return questions[0]
    raise OptionError(f"Workspace {name} has {len(questions)} open questions "
                      f"({', '.join(questions)}); choose one with --question.")  # fmt: skip


def workspace_codes(conn: sqlite3.Connection, name: str, *, question: str,
                    coder: str | None = None, coder_flag: str = "--coder",
                    codes: list[str] | None = None) -> tuple[pd.DataFrame, str]:
    """One coder's codes on one question, as a labels file reads (respondents x codes, 0/1).

    Every code the coder gave counts, typed or accepted from the model's suggestion (as in the
    long CSV export); an answer the coder read and gave no code is a row of zeros.

    Parameters
    ----------
    conn : sqlite3.Connection
        An open workspace.
    name : str
        Its file name (for messages).
    question : str
        Open question (see :func:`choose_question`).
    coder : str, optional
        Whose codes; default the only coder of the question.
    coder_flag : str
        The command's option that chooses the coder (``agree``: ``--coder-a``/``--coder-b``),
        named when several coders and none chosen.
    codes : list of str, optional
        Allowed codes and their order (a codebook); an unknown code is an error.

    Returns
    -------
    coded : DataFrame
        Index ``respondent_id`` (str) of the answers the coder coded, one 0/1 column per code
        (the workspace's active codes in codebook order, or ``codes``).
    coder : str
        The coder read.

    Raises
    ------
    DataError
        Nobody coded the question, or a code is not in ``codes``.
    OptionError
        Several coders and none chosen, or an unknown coder.
    """
    coders = coders_of(conn, question)
    if not coders:
        raise DataError(f"No answer to {question} is coded in workspace {name}; code some "
                        "with 'textmine workspace serve' first.")  # fmt: skip
    if coder is None:
        if len(coders) > 1:
            raise OptionError(f"Workspace {name} holds the codes of {len(coders)} coders on "
                              f"{question} ({', '.join(coders)}); choose one with "
                              f"{coder_flag}.")  # fmt: skip
        coder = coders[0]
    elif coder not in coders:
        raise OptionError(f"Coder '{coder}' coded no answer to {question} in workspace {name}; "
                          f"its coders: {', '.join(coders)}.")  # fmt: skip
    names = [r[0] for r in conn.execute(
        "SELECT name FROM codes WHERE active = 1 ORDER BY position, id")]
    given: dict[str, set[str]] = {}
    for rid, code in conn.execute(
        "SELECT a.respondent_id, k.name FROM coded_answers ca JOIN answers a "
        "ON a.id = ca.answer_id LEFT JOIN codings g ON g.answer_id = ca.answer_id "
        "AND g.coder = ca.coder LEFT JOIN codes k ON k.id = g.code_id "
        "WHERE a.question = ? AND ca.coder = ? ORDER BY a.id", (question, coder),
    ):  # fmt: skip
        given.setdefault(str(rid), set())
        if code is not None:
            given[str(rid)].add(code)
            if code not in names:
                names.append(code)
    if codes is not None:
        unknown = sorted({c for s in given.values() for c in s} - set(codes))
        if unknown:
            raise DataError(
                f"Unknown code(s) {', '.join(repr(c) for c in unknown[:5])} in workspace "
                f"{name}; codebook codes: {', '.join(codes[:10])}. Fix the codes or the "
                "codebook."
            )
        names = list(codes)
    wide = pd.DataFrame([[int(n in given[r]) for n in names] for r in given],
                        index=pd.Index(list(given), dtype=object, name="respondent_id"),
                        columns=names, dtype=int)  # fmt: skip
    return wide, coder
