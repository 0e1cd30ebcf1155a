"""Coding sheets: export answers for human coders (XLSX or CSV) and read their codes back.

The sheet has one row per answer (``respondent_id``, masked ``text``, ``suggestions``) and one
column per code. A coder types 1 where a code applies (0 or 1 are offered in a drop-down in the
XLSX). A row counts as *coded* as soon as one of its code cells is filled (0 or 1); rows left
blank are uncoded. Codes can also be given as a long CSV ``respondent_id,code`` (one line per
code; an empty ``code`` marks an answer read and given no code), optionally with the columns
``coder``, ``question``, ``time`` and ``source`` of a workspace export (one coder and one
question per file).
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from textmine.codebook import Codebook
from textmine.errors import ColumnError, DataError, InputFileError, OutputError
from textmine.outputs import append_inert, atomic_write, restore_cell, workbook_text, write_csv
from textmine.survey.sniff import decode_text
from textmine.text.pii import PLACEHOLDERS
from textmine.workbook import save_workbook

logger = logging.getLogger(__name__)

#: Name of the sheet holding the answers and code columns.
SHEET_NAME = "Codage"
#: Name of the sheet describing the codes.
CODEBOOK_SHEET = "Codebook"
ID_COL = "respondent_id"
#: The free code column (last column of the sheet): a coder writes there the name of a code the
#: sheet lacks (several separated by ``;``); read back, each name becomes a code of that answer.
FREE_CODE_COL = "autre_code"
#: Columns of the sheet that are not codes.
FIXED_COLUMNS = (ID_COL, "text", "suggestions", FREE_CODE_COL)
#: Sheet of an XLSX coding sheet recording how it was made (run, id column, sample).
INFO_SHEET = "Info"
#: Input message of every code cell of an XLSX sheet: how to say "none of these codes".
NONE_PROMPT = ("1 : le code s'applique ; 0 : il ne s'applique pas. Que des 0 : aucun de ces "
               "codes. Ligne vide : réponse non codée.")
#: Columns of a long file of codes (``textmine workspace export --format csv`` writes them all).
LONG_COLUMNS = frozenset({ID_COL, "code", "coder", "question", "time", "source"})
_TRUE = {"1", "1.0", "x", "X", "true", "True", "TRUE"}
_FALSE = {"0", "0.0", "false", "False", "FALSE"}


def coding_sheet_frame(
    ids: Sequence[str],
    texts: Sequence[str],
    codes: Sequence[str],
    *,
    suggestions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Table of a coding sheet: fixed columns then one empty column per code.

    Raises
    ------
    DataError
        If a code is named like a fixed column, or is given twice.
    """
    codes = [str(c) for c in codes]
    clash = sorted(set(codes) & set(FIXED_COLUMNS))
    if clash:
        raise DataError(f"Code name(s) {', '.join(clash)} clash with sheet columns; rename them.")
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise DataError(f"Code(s) {', '.join(dupes)} given twice; code names must be unique.")
    if len(ids) != len(texts):
        raise DataError(f"{len(ids)} ids but {len(texts)} texts; give one text per id.")
    frame = pd.DataFrame(
        {
            ID_COL: [str(i) for i in ids],
            "text": list(texts),
            "suggestions": list(suggestions) if suggestions is not None else [""] * len(ids),
        }
    )
    for code in codes:
        frame[code] = pd.Series([None] * len(ids), dtype=object)
    frame[FREE_CODE_COL] = pd.Series([None] * len(ids), dtype=object)
    return frame


def _replace_file(path: Path, force: bool, write: Callable[[Path], object]) -> Path:
    """Write through ``write(tmp_path)`` then move into place (a failed write leaves no file)."""
    if path.exists() and not force:
        raise OutputError(f"Output file {path} already exists; use --force to replace it.")
    if path.is_dir():
        raise OutputError(f"Output path {path} is a folder; give a file name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, write)


def write_sheet_csv(frame: pd.DataFrame, path: str | Path, *, force: bool = False) -> Path:
    """Write the coding sheet ``frame`` as UTF-8 CSV (text cells made inert)."""
    return _replace_file(Path(path), force, lambda tmp: write_csv(frame, tmp))


def write_sheet_xlsx(
    frame: pd.DataFrame, path: str | Path, *, codebook: Codebook | None = None, force: bool = False,
    info: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write the coding sheet ``frame`` as an XLSX workbook for coders.

    Sheet ``Codage``: bold frozen header, autofilter, wrapped text, a 0/1 drop-down in every code
    cell. Sheet ``Codebook``: name, description and seed words of each code (code names only
    when ``codebook`` is None). Sheet ``Info`` (when ``info`` is given): one ``key, value``
    row each (the run, its id column, the sample drawn). Text cells that a spreadsheet would
    read as formulas stay text (:func:`textmine.outputs.append_inert`), as written.
    """
    codes = [c for c in frame.columns if c not in FIXED_COLUMNS]

    def write(tmp: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = SHEET_NAME
        append_inert(ws, [str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            append_inert(ws, row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "D2"
        ws.auto_filter.ref = ws.dimensions
        widths = {ID_COL: 14, "text": 80, "suggestions": 40, FREE_CODE_COL: 24}
        wrap = Alignment(wrap_text=True, vertical="top")
        for j, col in enumerate(frame.columns, start=1):
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = widths.get(col, max(6, min(len(str(col)) + 2, 24)))
            if col in ("text", "suggestions"):
                for cell in ws[letter][1:]:
                    cell.alignment = wrap
        if codes and len(frame):
            # A row of 0 is an answer read and given none of these codes; a blank row is not
            # coded: the coder is told so in every code cell.
            dv = DataValidation(
                type="list", formula1='"0,1"', allow_blank=True, showErrorMessage=True,
                errorTitle="Code", error="Tapez 1 si le code s'applique, 0 sinon.",
                showInputMessage=True, promptTitle="Code",
                prompt=NONE_PROMPT,
            )
            positions = [j for j, c in enumerate(frame.columns, start=1) if c in codes]
            first = get_column_letter(positions[0])
            last = get_column_letter(positions[-1])
            dv.add(f"{first}2:{last}{len(frame) + 1}")
            ws.add_data_validation(dv)
        cb = wb.create_sheet(CODEBOOK_SHEET)
        cb.append(["name", "description", "seeds"])
        themes = {t.name: t for t in codebook.themes} if codebook is not None else {}
        for code in codes:
            theme = themes.get(code)
            append_inert(cb, [code, theme.description if theme else "",
                              "; ".join(theme.seeds) if theme else ""])
        for cell in cb[1]:
            cell.font = Font(bold=True)
        cb.column_dimensions["A"].width = 30
        cb.column_dimensions["B"].width = 60
        cb.column_dimensions["C"].width = 40
        if info:
            about = wb.create_sheet(INFO_SHEET)
            about.append(["key", "value"])
            for key, value in info:
                append_inert(about, [str(key), str(value)])
            about.column_dimensions["A"].width = 20
            about.column_dimensions["B"].width = 60
        save_workbook(wb, tmp)

    return _replace_file(Path(path), force, write)


# -- reading coded answers back ---------------------------------------------------------------
def _clean_id(value: object) -> str:
    """Respondent id as text, undoing the apostrophe that made a formula-like id inert."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restore_cell(str(value).strip())


def _xlsx_rows(path: Path, sheet: str | None, *, formulas: bool) -> tuple[str, list[tuple]]:
    """Name and rows (values) of a sheet of an XLSX file: formulas as written or their cached
    values."""
    try:
        wb = load_workbook(path, read_only=True, data_only=not formulas)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputFileError(f"Cannot read {path} as an XLSX workbook ({exc}).") from exc
    name = sheet or (SHEET_NAME if SHEET_NAME in wb.sheetnames else wb.sheetnames[0])
    if name not in wb.sheetnames:
        raise InputFileError(
            f"Sheet '{name}' not found in {path}; sheets: {', '.join(wb.sheetnames)}."
        )
    rows = list(wb[name].iter_rows(values_only=True))
    wb.close()
    return name, rows


@functools.lru_cache(maxsize=8)
def _decoded_csv(data: bytes, name: str) -> str:
    """A CSV sheet's text, decoded once per content (a command reads a labels file up to three
    times: its codes, its texts, its question; the guessed encoding is said once)."""
    text, encoding = decode_text(data, name, None)
    if not encoding.startswith("utf"):
        logger.warning("%s: detected encoding %s (not UTF-8).", name, encoding)
    return text


def _read_table(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str]:
    """Raw table of strings from an XLSX sheet or a CSV, plus a name for messages."""
    if not path.is_file():
        raise InputFileError(f"Labels file {path} not found; check the path.")
    if not path.read_bytes().strip():
        raise InputFileError(
            f"Labels file {path} is empty; export the coding sheet again or give a long CSV "
            "with columns respondent_id,code."
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        name, rows = _xlsx_rows(path, sheet, formulas=True)
        if any(isinstance(v, str) and v.startswith("=") for r in rows for v in r):
            # The cached values of the formulas; a formula never computed (a file written by a
            # program, not saved by a spreadsheet) has none and was read as blank: 1s and 0s
            # silently lost (trial 2026-12-01).
            values = _xlsx_rows(path, name, formulas=False)[1]
            header = [str(h) for h in rows[0]] if rows else []
            lost = [f"{get_column_letter(j + 1)}{i + 1}" for i, (r, v) in
                    enumerate(zip(rows, values, strict=False)) if i
                    for j, (f, x) in enumerate(zip(r, v, strict=False))
                    if x is None and isinstance(f, str) and f.startswith("=")
                    and header[j] not in ("text", "suggestions")]
            if lost:
                raise DataError(
                    f"{len(lost)} cell(s) of sheet '{name}' of {path} hold a formula with no "
                    f"saved value ({', '.join(lost[:3])}): open and save the file in a "
                    "spreadsheet, or type 1 or 0 in them.")
            rows = values
        if not rows:
            raise DataError(f"Sheet '{name}' of {path} is empty.")
        header = [_clean_id(h) if h is not None else "" for h in rows[0]]
        body = [["" if v is None else v for v in r] for r in rows[1:]]
        table = pd.DataFrame(body, columns=header, dtype=object)
        return table, f"sheet '{name}' of {path}"
    if path.suffix.lower() in (".ods", ".xls"):
        raise InputFileError(f"Labels file {path} is a {path.suffix.lower()} workbook, which "
                             "textmine does not read as a coding sheet; save it as .xlsx or "
                             ".csv.")
    # A sheet saved by a French spreadsheet may be Windows-1252: decoded as a survey is (a
    # binary file refused, the encoding detected and said; re-trial 2026-12-01: refused as
    # "not UTF-8").
    text = _decoded_csv(path.read_bytes(), path.name)
    try:
        table = pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str,
                            keep_default_na=False)  # fmt: skip
    except (pd.errors.ParserError, csv_error()) as exc:
        raise InputFileError(f"Cannot read {path} as a CSV ({exc}).") from exc
    table.columns = [_clean_id(c) for c in table.columns]
    return table, str(path)


def csv_error() -> type[Exception]:
    """The csv module's error class (the python CSV engine raises it for odd quoting)."""
    import csv

    return csv.Error


def _cell_value(value: object, where: str) -> int | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return int(value)
    text = str(value).strip()
    if text == "":
        return None
    if text in _TRUE:
        return 1
    if text in _FALSE:
        return 0
    raise DataError(f"{where} holds '{text}'; use 1 (code applies), 0, or leave it empty.")


def read_coded(
    path: str | Path,
    *,
    codes: Sequence[str] | None = None,
    ids: Collection[str] | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read human codes from a coding sheet (XLSX/CSV) or a long CSV ``respondent_id,code``.

    Parameters
    ----------
    path : path
        The filled coding sheet, or a long CSV with columns ``respondent_id`` and ``code``.
    codes : sequence of str, optional
        Allowed codes (the codebook); an unknown code is an error. Default: the codes found.
    ids : collection of str, optional
        Respondent ids of the survey; an unknown id is an error (see also
        :func:`check_coded_ids`, which also catches ids that match row numbers by accident).
    sheet : str, optional
        Sheet of an XLSX file (default ``Codage``, else the first sheet).

    Returns
    -------
    DataFrame
        Index ``respondent_id`` (str) of the coded answers only, one 0/1 column per code (the
        codebook's codes and order when ``codes`` is given).

    Raises
    ------
    InputFileError, ColumnError, DataError
        Unreadable file, no ``respondent_id`` column, bad cell values, unknown codes or ids,
        an id given twice in a sheet.
    """
    path = Path(path)
    table, where = _read_table(path, sheet)
    if ID_COL not in table.columns:
        raise ColumnError(
            f"Column '{ID_COL}' not found in {where}; available columns: "
            f"{', '.join(map(str, table.columns[:10]))}."
        )
    table[ID_COL] = table[ID_COL].map(_clean_id)
    no_id = table[ID_COL] == ""
    marks = table.drop(columns=[c for c in (ID_COL, "text", "suggestions") if c in table])
    marked = marks.astype(str).apply(lambda col: col.str.strip()).ne("").any(axis=1)
    n_lost = int((no_id & marked).sum())
    if n_lost:
        logger.warning("%d coded row(s) of %s have no %s: left out (give each coded row its "
                       "respondent's id).", n_lost, where, ID_COL)
    table = table[~no_id]
    is_long = "code" in table.columns and not (set(table.columns) - LONG_COLUMNS)
    if is_long:
        _one_coder_and_question(table, where)
    wide = _from_long(table, where) if is_long else _from_sheet(table, where)
    wide = unify_code_names(wide, where, {code_key(c): str(c) for c in codes or ()})
    blank = [str(c) for c in wide.columns if wide[c].isna().all()]
    if codes is not None:
        codes = [str(c) for c in codes]
        # A codebook code left blank everywhere was read and not applied (0 on coded rows).
        blank = [c for c in blank if c not in codes]
    if blank:
        # A column nobody filled on any answer is not a code the coders used (the free-theme
        # columns ``textmine sheet`` adds beside a codebook's, left empty): as a code with no
        # example it sent every answer writing its words to review (1,338 answers instead of
        # 59, trial 2026-12-01).
        logger.warning(
            "Code column(s) %s of %s left blank on every answer: not used as codes (type 1 or "
            "0 in a column to code with it).", ", ".join(repr(c) for c in blank[:5])
            + (f" and {len(blank) - 5} more" if len(blank) > 5 else ""), where)
        wide = wide.drop(columns=blank)
    coded = wide.notna().any(axis=1)
    wide = wide[coded].fillna(0).astype(int)
    if codes is not None:
        unknown = [c for c in wide.columns if c not in codes]
        if unknown:
            raise DataError(
                f"Unknown code(s) {', '.join(repr(c) for c in unknown[:5])} in {where}; "
                f"codebook codes: {', '.join(codes[:10])}. Fix the codes or the codebook."
            )
        absent = [c for c in codes if c not in wide.columns]
        if absent and not is_long:
            # A code the sheet has no column for was never shown to the coder: its answers are
            # not coded for it, and a 0 would claim that the code does not apply.
            raise DataError(
                f"Code(s) {', '.join(repr(c) for c in absent[:5])} of the codebook have no "
                f"column in {where}; add the column(s) and code them, or leave them out of "
                "the codebook."
            )
        wide = wide.reindex(columns=codes, fill_value=0)
    if ids is not None:
        # The one check of every reader: ids matching the survey only partly are one error.
        check_coded_ids(list(wide.index), list(ids), where=where)
    if wide.empty:
        raise DataError(f"No coded answer in {where}; type 1 or 0 in the code columns.")
    wide = wide.astype(int)
    # A sheet shows its coder every column: a code without one was not coded (not a 0). A long
    # file lists the codes applied only: a code it lacks was applied to none of its answers.
    wide.attrs["layout"] = "long" if is_long else "sheet"
    return wide


def check_coded_ids(
    coded_ids: Sequence[str],
    survey_ids: Sequence[str],
    *,
    columns: pd.DataFrame | None = None,
    id_col: str | None = None,
    where: str,
) -> None:
    """Refuse coded ids that match the survey only partly, or match row numbers by accident.

    Parameters
    ----------
    coded_ids : sequence of str
        Respondent ids of the coded answers (labels file).
    survey_ids : sequence of str
        Respondent ids of the survey (row numbers ``"1"``..``"n"`` when read without an id
        column).
    columns : DataFrame, optional
        The survey's columns as read (text); searched for the coded ids when the survey was read
        without ``id_col``.
    id_col : str, optional
        The id column the survey was read with (None: rows numbered).
    where : str
        The labels file, for messages.

    Raises
    ------
    DataError
        One line: the survey was read without ``--id-col`` but a column holds the coded ids
        (even if they also happen to be row numbers); or some coded ids are not in the survey.
    """
    coded = [str(i) for i in coded_ids]
    if not coded:
        return
    if id_col is None and columns is not None:
        wanted = set(coded)
        rows = [str(i) for i in survey_ids]
        for name in columns.columns:
            values = columns[name].dropna().astype(str).str.strip()
            if values.duplicated().any() or values.tolist() == rows[: len(values)]:
                continue  # not an id column, or one that is the row numbers themselves
            hits = len(wanted & set(values))
            if hits >= max(1, 0.8 * len(wanted)):
                raise DataError(
                    f"{hits} of {len(wanted)} respondent ids of {where} are values of column "
                    f"'{name}' of the survey, but the survey was read without --id-col "
                    f"(respondents numbered by row): add --id-col {name}."
                )
    known = set(map(str, survey_ids))
    missing = [i for i in coded if i not in known]
    if missing:
        found = len(coded) - len(missing)
        raise DataError(
            f"{len(missing)} of {len(coded)} respondent id(s) of {where} are not in the "
            f"survey ({found} {'is' if found == 1 else 'are'}): {', '.join(missing[:3])}; "
            "check --id-col and that the labels come from this survey."
        )


def _one_coder_and_question(table: pd.DataFrame, where: str) -> None:
    """Refuse a long file mixing coders or questions: their codes are not one coder's labels."""
    for column, option in (("coder", "--coder"), ("question", "--question")):
        if column in table.columns:
            values = sorted({str(v).strip() for v in table[column]} - {""})
            if len(values) > 1:
                raise DataError(
                    f"{where} holds the codes of {len(values)} {column}s ({', '.join(values[:5])})"
                    f"; export one {column} (textmine workspace export {option} NAME)."
                )


def code_key(name: object) -> str:
    """A code name as compared: spaces and case folded ("Cadre  de Vie " is "cadre de vie")."""
    return " ".join(str(name).split()).casefold()


def unify_code_names(wide: pd.DataFrame, where: str,
                     spelling: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One code per name whatever its case and spacing, said in one line when anything changed.

    Columns of ``wide`` whose names are equal by :func:`code_key` are one code (a 1 in any of
    them is a 1; blank only where all are blank), named as ``spelling`` gives it (by key: a
    codebook's or the other coder's spelling), else as first written. ``nature``, ``Nature``
    and a codebook's ``Nature`` were separate codes: each too thin to be automatic, and
    ``agree`` compared them as different codes (κ 0.00; trial 2026-12-01). Merging is a guess,
    so it is said.

    Returns
    -------
    DataFrame
        ``wide`` itself when nothing changed, else a new frame with the same index and attrs.
    """
    spelling = spelling or {}
    groups: dict[str, list[str]] = {}
    for col in wide.columns:
        groups.setdefault(code_key(col), []).append(col)
    said = []
    for key, cols in groups.items():
        name = spelling.get(key, cols[0])
        others = sorted(str(c) for c in cols if c != name)
        if others:
            said.append(f"{', '.join(repr(o) for o in others)} as {name!r}")
    if not said:
        return wide
    logger.warning("%s: codes spelt differently only in case or spacing taken as one: %s%s",
                   where, "; ".join(said[:5]), " ..." if len(said) > 5 else "")
    out = pd.DataFrame({spelling.get(key, cols[0]): wide[cols].max(axis=1)
                        for key, cols in groups.items()}, index=wide.index)  # fmt: skip
    out.attrs = dict(wide.attrs)
    return out


def merge_coded(parts: Sequence[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """The coded answers of several labels files as one table (``code --labels A --labels B``).

    A researcher codes a first sheet, then ``next_to_code.xlsx``; both are learnt from. Codes
    are matched by :func:`code_key` (spelt as first written). A code absent from a file is
    taken as not given to that file's answers, and said (a file coded before the code existed
    may hold answers it fits). An answer in several files must carry the same codes in each; it
    is counted once, and said.

    Parameters
    ----------
    parts : sequence of (name, DataFrame)
        Each file's name and :func:`read_coded` table (index respondent ids, 0/1 columns).

    Returns
    -------
    DataFrame
        Index respondent id (each once, in order of first appearance), one 0/1 column per code
        (order of first appearance).

    Raises
    ------
    DataError
        An answer coded differently in two files.
    """
    if len(parts) == 1:
        return parts[0][1]
    spelling: dict[str, str] = {}
    for _, wide in parts:
        for col in wide.columns:
            spelling.setdefault(code_key(col), str(col))
    codes = list(spelling.values())
    tables = []
    for name, wide in parts:
        wide = unify_code_names(wide, name, spelling)
        missing = [c for c in codes if c not in wide.columns]
        # A long file lists the codes it applies: there a code it lacks is a 0 by construction.
        if missing and len(wide) and wide.attrs.get("layout") == "sheet":
            logger.warning(
                "%s has no column for %s: its %d coded answers are taken as not having %s.",
                name, ", ".join(repr(c) for c in missing[:5]) + (" ..." if len(missing) > 5
                                                               else ""),
                len(wide), "them" if len(missing) > 1 else "it",
            )  # fmt: skip
        tables.append((name, wide.reindex(columns=codes, fill_value=0).astype(int)))
    seen: dict[str, tuple[str, tuple]] = {}
    for name, wide in tables:
        rows = wide.itertuples(index=False, name=None)
        again = 0
        for rid, row in zip(wide.index.map(str), rows, strict=True):
            again += rid in seen
            if rid in seen and seen[rid][1] != row:
                first, before = seen[rid]

                def said(r: tuple) -> str:
                    return ", ".join(c for c, v in zip(codes, r, strict=True) if v) or "no code"

                raise DataError(
                    f"Respondent {rid} is coded differently in {first} ({said(before)}) and in "
                    f"{name} ({said(row)}); keep one of the two codings, then run again."
                )
            seen.setdefault(rid, (name, row))
        if again:
            # a sheet given twice under two names (a copy) must not pass for new answers
            logger.warning("%s: %d of its %d coded answers are also in an earlier --labels file "
                           "with the same codes; each is counted once.", name, again, len(wide))
    out = pd.concat([w for _, w in tables])
    out = out[~out.index.duplicated(keep="first")]
    out.index.name = ID_COL
    out.attrs = {"layout": "sheet" if any(w.attrs.get("layout") == "sheet" for _, w in parts)
                 else "long"}
    return out


def _from_long(table: pd.DataFrame, where: str) -> pd.DataFrame:
    table = table.assign(code=table["code"].map(lambda c: str(c).strip()))
    ids = list(dict.fromkeys(table[ID_COL]))
    codes = list(dict.fromkeys(c for c in table["code"] if c))
    wide = pd.DataFrame(0, index=pd.Index(ids, name=ID_COL), columns=codes)
    for rid, code in zip(table[ID_COL], table["code"], strict=True):
        if code:
            wide.loc[rid, code] = 1
    return wide


def sheet_info(path: str | Path) -> dict[str, str]:
    """The ``Info`` sheet of an XLSX coding sheet as a dict (empty for a CSV or without one)."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.is_file():
        return {}
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # unreadable: read_coded says so in one line
        return {}
    try:
        if INFO_SHEET not in wb.sheetnames:
            return {}
        rows = list(wb[INFO_SHEET].iter_rows(min_row=2, values_only=True))
    finally:
        wb.close()
    return {restore_cell(str(r[0])): restore_cell(str(r[1])) for r in rows
            if len(r) >= 2 and r[0] is not None and r[1] is not None}


def column_values(path: str | Path, column: str, *, sheet: str | None = None) -> list[str]:
    """Distinct non-empty values of ``column`` in a coding sheet or long file (XLSX or CSV).

    Empty when the file has no such column (a coding sheet has no ``coder`` column; a
    workspace export, CSV or XLSX, has one).

    Raises
    ------
    InputFileError
        As :func:`read_coded` (call that first for its messages).
    """
    table, _ = _read_table(Path(path), sheet)
    if column not in table.columns:
        return []
    return sorted({str(v).strip() for v in table[column]} - {""})


def sheet_texts(path: str | Path, *, sheet: str | None = None) -> dict[str, str]:
    """The answer text of each row of a coding sheet, by respondent id.

    Empty for a long CSV or a sheet without a ``text`` column. Lets a reader check that the
    sheet was made for the question it is read into (same respondents, other question).

    Raises
    ------
    InputFileError, ColumnError
        As :func:`read_coded` (call that first for its messages).
    """
    table, _ = _read_table(Path(path), sheet)
    if ID_COL not in table.columns or "text" not in table.columns:
        return {}
    return {_clean_id(rid): restore_cell(str(text)) for rid, text
            in zip(table[ID_COL], table["text"], strict=True) if _clean_id(rid)}


def _free_codes(table: pd.DataFrame) -> list[list[str]]:
    """The code names written in the free code column, per row (``;``-separated)."""
    if FREE_CODE_COL not in table.columns:
        return [[] for _ in range(len(table))]
    return [[n.strip() for n in str(v).split(";") if n.strip()] if v is not None else []
            for v in table[FREE_CODE_COL]]


def _from_sheet(table: pd.DataFrame, where: str) -> pd.DataFrame:
    code_cols = [c for c in table.columns if c not in FIXED_COLUMNS and c != ""]
    # A name in the free column is matched to a code column (or to another free name) whatever
    # its case and spacing: a coder writing "nature" beside the "Nature" column means that code,
    # not a second one.
    spelling = {code_key(c): c for c in code_cols}
    free = []
    for names in _free_codes(table):
        row = []
        for name in names:
            key = code_key(name)
            if key not in spelling:
                spelling[key] = name
                code_cols.append(name)
            row.append(spelling[key])
        free.append(row)
    if not code_cols:
        raise DataError(f"No code column in {where}; add one column per code after 'suggestions'.")
    dupes = table[ID_COL][table[ID_COL].duplicated()].tolist()
    if dupes:
        raise DataError(f"Respondent id(s) {', '.join(dupes[:3])} appear twice in {where}.")
    values: dict[str, list[int | None]] = {}
    for col in code_cols:
        cells = table[col] if col in table.columns else [None] * len(table)
        values[col] = [
            _cell_value(v, f"Cell ({ID_COL}={rid}, code '{col}') of {where}")
            for rid, v in zip(table[ID_COL], cells, strict=True)
        ]
        for i, names in enumerate(free):
            if col in names:  # a code written in the free column applies to that answer
                values[col][i] = 1
    # blanks kept (NaN): read_coded tells unused columns and uncoded rows from 0
    return pd.DataFrame(values, index=pd.Index(table[ID_COL].tolist(), name=ID_COL),
                        dtype=float)


#: Characters of an answer compared when checking a sheet's texts (a workbook cell holds at most
#: 32,767 characters, and a long answer differs early if it differs at all).
TEXT_KEY_CHARS = 200


def text_key(text: object) -> str:
    """An answer's text as compared between a sheet and a survey (spaces and case folded,
    without the control characters a workbook cannot hold: a sheet was written without them)."""
    return " ".join(workbook_text(str(text)).split())[:TEXT_KEY_CHARS].casefold()


def matching_texts(keys: Mapping[str, str], answers: Mapping[str, Sequence[str]]) -> int:
    """How many sheet rows (``keys``: :func:`text_key` by id) hold one of their answer's texts.

    ``answers`` gives, by respondent id, the texts an answer may be shown as (as written,
    masked).
    """
    return sum(1 for rid, key in keys.items()
               if key in {text_key(t) for t in answers.get(rid, ())})


def answered_question(keys: Mapping[str, str],
                      answers: Mapping[str, Mapping[str, Sequence[str]]]) -> str | None:
    """The question most of the sheet rows (``keys``, :func:`text_key` by id) hold the answers
    to, among ``answers`` (by question, the texts of each id as for :func:`matching_texts`);
    None when no question has at least half of them."""
    best = max(answers, key=lambda q: matching_texts(keys, answers[q]), default=None)
    if best is None or not keys or 2 * matching_texts(keys, answers[best]) < len(keys):
        return None
    return best


def sheet_keys(path: str | Path, ids: Sequence[str], *, sheet: str | None = None) -> dict[str, str]:
    """:func:`text_key` of the sheet's text of each of ``ids`` that has one (empty: no texts)."""
    texts = sheet_texts(path, sheet=sheet)
    return {rid: text_key(texts[rid]) for rid in ids if texts.get(rid, "").strip()}


def recorded_question(path: str | Path, *, sheet: str | None = None) -> str | None:
    """The question a labels file says it codes: its ``Info`` sheet's ``question`` (coding
    sheets written by textmine), else the one value of its ``question`` column (a workspace
    export); None when it says nothing (or names several questions, refused on reading).
    """
    recorded = sheet_info(path).get("question")
    if recorded:
        return recorded
    try:
        values = column_values(path, "question", sheet=sheet)
    except (InputFileError, DataError):  # unreadable: read_coded says so in one line
        return None
    return values[0] if len(values) == 1 else None


#: Placeholders of masked personal data (textmine.text.pii), folded as in :func:`text_key`.
_PLACEHOLDER = re.compile("|".join(re.escape(p.casefold()) for p in PLACEHOLDERS.values()))


def _shown_as(key: str, answer: str) -> bool:
    """Whether a sheet's text (``key``, :func:`text_key`) shows ``answer`` (spaces and case
    folded like :func:`text_key`, **not** cut), a masked part standing for any words: a run
    masks names it learnt from the whole survey, which masking one answer alone does not find
    ("[nom] des pharmaciens" for "Rémunération des pharmaciens")."""
    answer = " ".join(workbook_text(answer).split()).casefold()
    if key == answer[:TEXT_KEY_CHARS]:
        return True
    parts = _PLACEHOLDER.split(key)
    if len(parts) == 1:
        return False
    pattern = ".*".join(re.escape(part) for part in parts)
    # A key cut at TEXT_KEY_CHARS ends inside the answer, and where a placeholder is shorter
    # than the words it hides, further than the answer's own cut would (trial: the demo's
    # "Framadate" masked as "[nom]" in a 220-character answer refused textmine's own sheet).
    return re.fullmatch(pattern + (".*" if len(key) >= TEXT_KEY_CHARS else ""), answer,
                        flags=re.DOTALL) is not None


def check_rows_line_up(path: Path, keys: Mapping[str, str],
                        answers: Mapping[str, Sequence[str]]) -> None:
    """Refuse coded rows whose text is not the answer of their id (the file codes the question).

    Ids that no longer line up with their texts (a cell deleted in the id column, rows sorted
    one column at a time) put one respondent's codes on another's answer: with most rows still
    right the file passed the question check and trained the coder on 62 wrong rows of 150
    (trial 2026-12-01).
    """
    wrong = [rid for rid, key in keys.items()
             if not any(_shown_as(key, str(t)) for t in answers.get(rid, ()))]
    if wrong:
        raise DataError(
            f"The text of {len(wrong)} of the {len(keys)} coded rows of {path.name} is not the "
            f"answer of its respondent_id ({', '.join(wrong[:3])}"
            f"{', ...' if len(wrong) > 3 else ''}): ids and texts no longer line up (a cell "
            "deleted or rows sorted column by column?); fix the sheet or make it again with "
            "textmine sheet.")


def check_sheet_question(
    path: str | Path,
    coded_ids: Sequence[str],
    *,
    question: str,
    answers: Mapping[str, Sequence[str]],
    others: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    sheet: str | None = None,
    sole_question: bool = False,
) -> str | None:
    """Refuse a coding sheet made for another question than ``question``.

    A sheet written by textmine records its question (text column) in its ``Info`` sheet: a
    sheet for another question is refused, naming both. A sheet without that record (a CSV, a
    long file, a hand-made sheet) is checked on its texts when it has some (most coded rows
    must hold the answer to ``question``, as written or masked; the question whose answers they
    are is named when found among ``others``), and accepted otherwise.

    Parameters
    ----------
    path : path
        The labels file (coding sheet or long CSV).
    coded_ids : sequence of str
        Respondent ids of its coded answers.
    question : str
        The question (text column) the file is read for.
    answers : mapping
        Texts of each respondent's answer to ``question`` (as written, masked), by id.
    others : mapping, optional
        The same for the survey's other questions, by question.
    sheet : str, optional
        Sheet of an XLSX file.
    sole_question : bool
        ``question`` is the survey's only open question: a file that records no question can
        only code it, so nothing is assumed (None; its texts, if any, are still checked).

    Returns
    -------
    str or None
        What was assumed, for a file that records no question while the survey has other open
        questions (one line to say); None when the file records ``question`` or when
        ``sole_question``.

    Raises
    ------
    DataError
        The file records another question, or its texts are not the answers to ``question``.
    """
    path = Path(path)
    recorded = recorded_question(path, sheet=sheet)
    if recorded and recorded != question:
        raise DataError(
            f"{path.name} codes the question '{recorded}' (as it records), not "
            f"'{question}'; give the sheet made for '{question}', or --text-col {recorded}."
        )
    keys = sheet_keys(path, coded_ids, sheet=sheet)
    if recorded:
        check_rows_line_up(path, keys, answers)
        return None
    if not keys:
        # With one open question there is no other the file could code: nothing to say.
        return (None if sole_question else
                f"{path.name} records no question and holds no texts: assumed to code "
                f"'{question}'")  # fmt: skip
    hits = matching_texts(keys, answers)
    if 2 * hits >= len(keys):
        check_rows_line_up(path, keys, answers)
        if sole_question:
            return None
        return (f"{path.name} records no question; {hits} of its {len(keys)} coded texts are "
                f"answers to '{question}': assumed made for it")  # fmt: skip
    best = answered_question(keys, others or {})
    where = (f"they are the answers to '{best}' (--text-col {best})" if best is not None
             else f"check that it was made for '{question}' of this survey")
    raise DataError(
        f"The texts of {len(keys) - hits} of the {len(keys)} coded rows of {path.name} are not "
        f"the answers to '{question}'; {where}."
    )


def check_same_question(a: str | Path, b: str | Path, coded_both: Sequence[str], *,
                        sheet: str | None = None,
                        known: tuple[str | None, str | None] = (None, None)) -> str | None:
    """Refuse two coders' files made for different questions (``textmine agree``).

    Both files' ``Info`` records are compared when both have one; otherwise their texts of the
    answers both coded are compared (most must be equal). ``known`` gives a file's question
    when it is known otherwise (the question read from a workspace, whose answers are not a
    sheet's texts: no text comparison then).

    Returns
    -------
    str or None
        What was assumed when a file records no question (one line to say); None otherwise.

    Raises
    ------
    DataError
        The files record different questions, or hold different texts for the same answers.
    """
    a, b = Path(a), Path(b)
    qa = known[0] or recorded_question(a, sheet=sheet)
    qb = known[1] or recorded_question(b, sheet=sheet)
    if qa and qb and qa != qb:
        raise DataError(
            f"{a.name} codes the question '{qa}' but {b.name} codes '{qb}' (as they record); "
            "agreement compares two coders of the same question: give two sheets of one "
            "question."
        )
    if any(known):  # a workspace holds no sheet texts to compare
        ka: dict[str, str] = {}
        kb: dict[str, str] = {}
    else:
        ka, kb = sheet_keys(a, coded_both, sheet=sheet), sheet_keys(b, coded_both, sheet=sheet)
    common = [rid for rid in ka if rid in kb]
    same = sum(ka[rid] == kb[rid] for rid in common)
    if common and 2 * same < len(common):
        raise DataError(
            f"{a.name} and {b.name} hold different texts for {len(common) - same} of the "
            f"{len(common)} answers both coded: they were made for different questions; give "
            "two sheets of one question."
        )
    if qa and qb:
        return None
    missing = [p.name for p, q in ((a, qa), (b, qb)) if not q]
    known = qa or qb
    basis = (f"their texts of the {len(common)} answers both coded agree" if common
             else "nothing to compare")
    return (f"{' and '.join(missing)} record{'s' if len(missing) == 1 else ''} no question; "
            + (f"assumed to code '{known}' like the other ({basis})" if known
               else f"assumed to code the same question ({basis})"))

