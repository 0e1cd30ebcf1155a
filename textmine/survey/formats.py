"""Reading survey files into a table of strings, whatever their format.

This is the first half of :func:`textmine.survey.read_survey`: it turns a file into a
:class:`RawTable` (every cell a ``str`` or missing, the header taken from the file itself) and
a :class:`SourceInfo`; :mod:`textmine.survey.columns` then gives each column its type.

Delimited text (``.csv``, ``.tsv``, ``.txt``)
    *Encoding*: a byte-order mark decides (UTF-8 or UTF-16); otherwise the whole file is tried
    as UTF-8 (pure ASCII counts as UTF-8). If that fails, the bytes 0x80-0x9F decide between
    cp1252 and Latin-1: in Latin-1 they are invisible control characters that real text never
    holds, while cp1252 uses them for ``’ « » € œ …``. A file with such bytes (all defined in
    cp1252) is read as cp1252, any other as Latin-1 (both decode the rest identically).
    A file that *mixes* encodings (some lines valid UTF-8 with accents, others not, as when a
    cp1252 row is pasted into a UTF-8 export) is refused with the first non-UTF-8 line number:
    any single guess would turn the accents of one part into mojibake, silently.
    *Line ends*: Windows (CR LF), Unix (LF) and old-Mac (CR only) are all accepted (normalised
    to LF on the decoded text).
    *Separator*: among ``,`` ``;`` ``|`` and tab, the one that splits the header into at least two
    fields and gives the most data rows the header's field count (quote-aware, on whole
    records: the header however long, then about 64 KiB of rows) wins; with none, the file is
    read as a single column.
    Every cell is read as text, so ids such as ``007`` keep their zeros.
Spreadsheets (``.xlsx``, ``.ods``)
    The first sheet unless ``sheet`` names one (or gives its 0-based index). Zip bombs and
    sheets beyond the format's limits are refused before parsing (:mod:`textmine.survey.limits`).
Parquet, SPSS (``.sav``, ``.zsav``) and Stata (``.dta``)
    Values become text as well; the order the file carries travels along: ordered pandas
    categoricals in Parquet, value labels with their codes in SPSS/Stata (the labels replace the
    codes, in code order; SPSS variables whose measure is *nominal* stay unordered).

The header is always read from the file, so duplicated column names are caught (pandas would
silently rename them ``x.1``); names are trimmed (inner runs of spaces become one space) and
empty names become ``unnamed_<position>`` (1-based). Fully empty rows are
skipped. Input files are only ever opened for reading.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import stat
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from textmine.config import ReadOptions
from textmine.errors import (
    ColumnError,
    DataError,
    InputFileError,
    OptionError,
    plain_list,
    quote_list,
)
from textmine.survey.iramuteq import corpus_grid, looks_like_iramuteq
from textmine.survey.limits import check_sheets, check_zip
from textmine.survey.profiles import Detection, apply_profile, excel_sep_line
from textmine.survey.sniff import (
    SUPPORTED_HINT,
    decode_text,
    head_records,
    normalise_sep,
    sniff_separator,
)

logger = logging.getLogger(__name__)

#: File extension -> reader.
FORMATS = {
    ".csv": "delimited",
    ".tsv": "delimited",
    ".txt": "delimited",
    ".xlsx": "excel",
    ".ods": "ods",
    ".parquet": "parquet",
    ".sav": "sav",
    ".zsav": "sav",
    ".dta": "dta",
}


@dataclass(frozen=True)
class SourceInfo:
    """Where a survey came from and how it was read (recorded in every ``run.json``).

    Attributes
    ----------
    path : Path
        The file as given (resolved to an absolute path).
    format : str
        The file extension without the dot (``csv``, ``tsv``, ``txt``, ``xlsx``, ``ods``,
        ``parquet``, ``sav``, ``zsav``, ``dta``).
    encoding, sep : str or None
        Encoding and separator of delimited text (``None`` for other formats; ``sep`` is also
        ``None`` for a one-column text file).
    sheet : str or None
        Sheet read from a spreadsheet.
    sha256 : str
        Hash of the file's bytes.
    n_rows : int
        Number of respondents (rows) read.
    id_col : str or None
        Column of the respondent ids (``None``: ids are row numbers ``"1"``..``"n"``).
    profile : str
        Platform profile applied (:mod:`textmine.survey.profiles`; ``none`` if none).
    detected : str
        One line saying what was detected (platform layout, ``sep=`` line), ``""`` if nothing.
    """

    path: Path
    format: str
    encoding: str | None
    sep: str | None
    sheet: str | None
    sha256: str
    n_rows: int
    id_col: str | None = None
    profile: str = "none"
    detected: str = ""


@dataclass
class RawTable:
    """A survey file as text: what :mod:`textmine.survey.columns` types.

    ``frame`` has one ``str`` column per file column (missing cells are ``NaN``), in file order;
    ``stripped`` is the same with values trimmed of surrounding spaces; ``labels`` maps columns
    to variable labels (SPSS/Stata); ``carried`` maps columns to the level
    order the file carries and whether it is ordered; ``profile`` is what the platform
    profile found (:mod:`textmine.survey.profiles`).
    """

    frame: pd.DataFrame
    source: SourceInfo
    stripped: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    carried: dict[str, tuple[tuple[str, ...], bool]] = field(default_factory=dict)
    profile: Detection = field(default_factory=Detection)


def read_raw(path: str | Path, *, options: ReadOptions = ReadOptions()) -> RawTable:
    """Read a survey file into a :class:`RawTable` of strings (see the module docstring).

    Raises
    ------
    InputFileError
        Missing, empty, binary, undecodable or damaged file; unsupported extension.
    DataError
        Duplicate column names; a header without data rows.
    OptionError
        Missing sheet, unknown encoding, impossible separator.
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise InputFileError(f"Survey file '{path}' not found; check the path.")
    if path.is_dir():
        if any(p.suffix.lower() == ".parquet" for p in path.iterdir()):
            return _read_parquet_folder(path, options)
        raise InputFileError(
            f"'{path}' is a folder without .parquet files; give a survey file's path, or a "
            "folder of Parquet files (one survey split into parts)."
        )
    if not stat.S_ISREG(path.stat().st_mode):
        # A FIFO would block forever and a device such as /dev/zero never ends.
        raise InputFileError(
            f"'{path}' is not a regular file (a pipe or device); give the path of a saved "
            "survey file."
        )
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or "(none)"
        raise InputFileError(
            f"Unsupported file type '{shown}' for {name}; give a {SUPPORTED_HINT} file."
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"Cannot read {name}: {exc.strerror}; check its permissions.") from exc
    if not data:
        raise InputFileError(f"Survey file {name} is empty (0 bytes); export the survey again.")
    digest = hashlib.sha256(data).hexdigest()
    kind = FORMATS[suffix]
    fmt = suffix.lstrip(".")
    labels: dict[str, str] = {}
    carried: dict[str, tuple[tuple[str, ...], bool]] = {}
    encoding = sep = sheet = None
    sep_note = ""
    iramuteq: tuple[dict[str, str], str] | None = None
    if kind == "delimited" and suffix == ".txt" and options.profile != "none":
        # An IRaMuTeQ corpus (``**** *var_modality`` lines; issue 16): one row per text.
        text, encoding = decode_text(data, name, options.encoding)
        if looks_like_iramuteq(text):
            grid, types, said = corpus_grid(text, name)
            iramuteq = (types, said)
    if iramuteq is not None:
        pass
    elif kind == "delimited":
        grid, encoding, sep, sep_note = _read_delimited(data, name, options)
    elif kind in ("excel", "ods"):
        grid, sheet = _read_spreadsheet(data, name, kind, options)
    elif kind == "parquet":
        grid, carried = _read_parquet(data, name)
    else:
        grid, labels, carried = _read_stat(path, name, kind)
    if iramuteq is not None:
        detection = Detection(profile="iramuteq", detected=iramuteq[1], types=iramuteq[0])
    else:
        grid, detection = apply_profile(grid, options.profile)
    if encoding is not None and not options.encoding and not encoding.startswith("utf"):
        # A guessed legacy encoding is said (it decides every accent); "detected" first, so
        # ``textmine inspect``, which prints its own encoding line, can leave it out.
        logger.warning("%s: detected encoding %s (not UTF-8); --encoding forces another.",
                       name, encoding)
    detected = "; ".join(n for n in (detection.detected, sep_note) if n)
    if detected:
        hint = " (--profile none reads the file as it is)" if detection.detected else ""
        logger.warning("%s: detected %s%s.", name, detected, hint)
    labels = {**detection.labels, **labels}
    header = _header_names(grid.iloc[0].tolist() if len(grid) else [], name)
    body = grid.iloc[1:].copy()
    body.columns = header
    body, stripped = _blank_to_na(body, na_values=options.na_values)
    keep = body.notna().any(axis=1).to_numpy()
    body = body[keep].reset_index(drop=True)
    stripped = stripped[keep].reset_index(drop=True)
    if body.empty:
        where = f"sheet '{sheet}' of {name}" if sheet is not None else name
        raise DataError(
            f"{where} has a header but no data rows; export the survey with its answers."
        )
    source = SourceInfo(
        path=path.resolve(), format=fmt, encoding=encoding, sep=sep, sheet=sheet,
        sha256=digest, n_rows=len(body), id_col=options.id_col, profile=detection.profile,
        detected=detected,
    )
    logger.info("read %s: %d rows, %d columns (encoding %s, sep %r, sheet %s)",
                name, len(body), body.shape[1], encoding, sep, sheet)
    return RawTable(frame=body, source=source, stripped=stripped, labels=labels,
                    carried=carried, profile=detection)


# --- delimited text ------------------------------------------------------------------------

def _splits_header(text: str, sep: str) -> bool:
    """Whether ``sep`` splits the first record of ``text`` into at least two fields."""
    first = next(iter(head_records(text, sep, max_chars=0)), [""])
    return len(first) >= 2


def _read_delimited(data: bytes, name: str, options: ReadOptions):
    text, encoding = decode_text(data, name, options.encoding)
    if not text.strip():
        raise InputFileError(f"Survey file {name} has only blank lines; export the survey again.")
    text, sep_line = excel_sep_line(text)
    shown = "\\t" if sep_line == "\t" else sep_line
    note = f"Excel 'sep={shown}' first line skipped" if sep_line is not None else ""
    if options.sep:
        sep = normalise_sep(options.sep)
    elif sep_line is not None and _splits_header(text, sep_line):
        sep = sep_line
    else:
        sep = sniff_separator(text)
        if sep_line is not None:
            # A sep= line that does not split the header is wrong (a file re-saved with another
            # separator): the data decide, and the note says so.
            found = "\\t" if sep == "\t" else sep
            note += f" (it does not split the header; separator '{found}' detected instead)"
    # The header fixes the number of columns: pandas would otherwise take it from the first
    # rows, which may leave out trailing empty fields. It is read whole, however long.
    first = next(iter(head_records(text, sep or "\x1f", max_chars=0)), [""])
    try:
        grid = pd.read_csv(
            io.StringIO(text), sep=sep or "\x1f", header=None, names=list(range(len(first))),
            dtype=str, na_filter=False, quotechar='"', skip_blank_lines=True, engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        reason = " ".join(str(exc).split()).rstrip(".")
        raise InputFileError(
            f"Cannot parse {name} as a table with separator {sep!r}: {reason}; "
            "check the separator (--sep) and the quotes."
        ) from None
    except pd.errors.EmptyDataError:
        raise InputFileError(f"Survey file {name} has no header; export it again.") from None
    return grid, encoding, sep, note


# --- spreadsheets and binary formats ------------------------------------------------------

def _cell_to_str(value) -> str | float:
    """Text of one spreadsheet/Parquet/SPSS cell (``NaN`` when missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return math.nan
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isnan(value):
            return math.nan
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (pd.Timestamp, datetime)):
        if value.hour == value.minute == value.second == 0 and not value.microsecond:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # NumPy scalars
        return _cell_to_str(value.item())
    return str(value)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).map(_cell_to_str)


def _read_spreadsheet(data: bytes, name: str, kind: str, options: ReadOptions):
    engine = "openpyxl" if kind == "excel" else "odf"
    what = "an Excel workbook" if kind == "excel" else "an OpenDocument spreadsheet"
    check_zip(data, name)  # zip bombs and oversized sheets are refused before parsing
    check_sheets(data, name, kind)
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine=engine)
        sheets = [str(s) for s in book.sheet_names]
    except Exception as exc:  # zip/XML errors of the engines have no common base class
        reason = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
        raise InputFileError(
            f"Cannot read {name} as {what} ({reason}); check that it is not damaged or "
            "password-protected."
        ) from None
    if options.sheet is None:
        sheet = sheets[0]
    elif options.sheet in sheets:
        sheet = options.sheet
    elif options.sheet.isdecimal() and int(options.sheet) < len(sheets):
        sheet = sheets[int(options.sheet)]
    else:
        raise OptionError(
            f"Sheet '{options.sheet}' not found in {name}; available sheets: "
            f"{plain_list(sheets)}."
        )
    try:
        grid = book.parse(sheet_name=sheet, header=None, dtype=object)
    except Exception as exc:
        reason = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
        raise InputFileError(f"Cannot read sheet '{sheet}' of {name} ({reason}).") from None
    if grid.dropna(how="all").empty:
        raise DataError(f"Sheet '{sheet}' of {name} is empty; choose another sheet with --sheet.")
    grid = grid.dropna(how="all").reset_index(drop=True)
    # Trailing columns without a header nor any value are formatting leftovers.
    grid = grid.loc[:, grid.notna().any(axis=0)]
    return _as_text(grid), sheet


def _read_parquet(data: bytes, name: str):
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several unrelated types
        reason = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
        raise InputFileError(f"Cannot read {name} as Parquet ({reason}).") from None
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    carried: dict[str, tuple[tuple[str, ...], bool]] = {}
    for col in frame.columns:
        dtype = frame[col].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            levels = tuple(_cell_to_str(c) for c in dtype.categories)
            carried[str(col)] = (levels, bool(dtype.ordered))
    header = pd.DataFrame([[str(c) for c in frame.columns]], columns=frame.columns)
    grid = pd.concat([header, _as_text(frame)], ignore_index=True)
    return grid, carried


#: Rows converted to text at a time when a folder of Parquet files is read.
PARQUET_BATCH_ROWS = 65_536


def parquet_parts(folder: Path) -> list[Path]:
    """The ``*.parquet`` files of ``folder`` in name order, their schemas checked equal.

    Raises
    ------
    InputFileError
        No Parquet file, a file that is not Parquet, or a file whose columns (names or types)
        differ from the first file's.
    """
    parts = sorted((p for p in folder.iterdir()
                    if p.suffix.lower() == ".parquet" and p.is_file()), key=lambda p: p.name)
    if not parts:
        raise InputFileError(
            f"Folder '{folder}' holds no .parquet file; give a folder of Parquet files or a "
            "survey file."
        )
    import pyarrow.parquet as pq

    first = None
    for part in parts:
        try:
            schema = pq.read_schema(part)
        except Exception as exc:  # pyarrow raises several unrelated types
            reason = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
            raise InputFileError(
                f"Cannot read {part.name} of folder '{folder}' as Parquet ({reason})."
            ) from None
        # pandas metadata (index, dtypes) may differ between writers: compare the columns only
        columns = [(f.name, str(f.type)) for f in schema]
        if first is None:
            first = (part, columns)
            continue
        if columns != first[1]:
            ref = dict(first[1])
            mine = dict(columns)
            diff = [f"{n} ({ref.get(n, 'absent')} vs {mine.get(n, 'absent')})"
                    for n in dict.fromkeys([*ref, *mine]) if ref.get(n) != mine.get(n)]
            order = "" if diff else " (same columns, another order)"
            raise InputFileError(
                f"Parquet files of folder '{folder}' do not share one schema: {part.name} "
                f"differs from {first[0].name}{order}: {', '.join(diff[:5])}; write every "
                "part with the same columns and types."
            )
    return parts


def _read_parquet_folder(folder: Path, options: ReadOptions) -> RawTable:
    """A folder of Parquet files (one survey in parts) read part by part, batch by batch.

    Each batch of :data:`PARQUET_BATCH_ROWS` rows is converted to text and kept; the Arrow
    table of a whole part, or of the whole survey, is never built, so memory holds the text
    cells plus one batch. The hash covers every part's name and bytes, in name order.
    """
    import pyarrow.parquet as pq

    parts = parquet_parts(folder)
    digest = hashlib.sha256()
    texts: list[pd.DataFrame] = []
    carried: dict[str, tuple[tuple[str, ...], bool]] = {}
    columns: list[str] | None = None
    for part in parts:
        digest.update(part.name.encode("utf-8") + b"\0")
        with part.open("rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(block)
        try:
            reader = pq.ParquetFile(part)
            for batch in reader.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                frame = batch.to_pandas()
                if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
                    frame = frame.reset_index()  # as a single Parquet file is read
                if columns is None:
                    columns = [str(c) for c in frame.columns]
                for col in frame.columns:
                    dtype = frame[col].dtype
                    if isinstance(dtype, pd.CategoricalDtype):
                        levels = tuple(_cell_to_str(c) for c in dtype.categories)
                        known, ordered = carried.get(str(col), ((), bool(dtype.ordered)))
                        # parts may hold different levels: their union, in first-seen order
                        carried[str(col)] = (tuple(dict.fromkeys([*known, *levels])), ordered)
                texts.append(_as_text(frame))
        except InputFileError:
            raise
        except Exception as exc:  # pyarrow raises several unrelated types
            reason = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
            raise InputFileError(
                f"Cannot read {part.name} of folder '{folder}' as Parquet ({reason})."
            ) from None
    body = (pd.concat(texts, ignore_index=True) if texts
            else pd.DataFrame(columns=columns or []))
    del texts
    header = _header_names(list(body.columns), folder.name)
    body.columns = header
    body, stripped = _blank_to_na(body, na_values=options.na_values)
    keep = body.notna().any(axis=1).to_numpy()
    if not keep.all():
        body = body[keep].reset_index(drop=True)
        stripped = stripped[keep].reset_index(drop=True)
    if body.empty:
        raise DataError(
            f"The {len(parts)} Parquet files of folder '{folder}' hold no data rows; export "
            "the survey with its answers."
        )
    source = SourceInfo(
        path=folder.resolve(), format="parquet", encoding=None, sep=None, sheet=None,
        sha256=digest.hexdigest(), n_rows=len(body), id_col=options.id_col,
    )
    logger.info("read %s: %d Parquet files, %d rows, %d columns", folder.name, len(parts),
                len(body), body.shape[1])
    return RawTable(frame=body, source=source, stripped=stripped, carried=carried)


def _read_stat(path: Path, name: str, kind: str):
    import pyreadstat  # imported here: only SPSS/Stata users pay for it

    reader = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
    try:
        frame, meta = reader(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        reason = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
        what = "an SPSS" if kind == "sav" else "a Stata"
        raise InputFileError(f"Cannot read {name} as {what} file ({reason}).") from None
    labels = {c: lab for c, lab in (meta.column_names_to_labels or {}).items() if lab}
    measures = getattr(meta, "variable_measure", None) or {}
    carried: dict[str, tuple[tuple[str, ...], bool]] = {}
    text = _as_text(frame)
    for col, mapping in (meta.variable_value_labels or {}).items():
        if col not in frame.columns or not mapping:
            continue
        codes = sorted(mapping, key=_code_key)
        by_code = {_cell_to_str(c): str(mapping[c]) for c in codes}
        levels = [by_code[_cell_to_str(c)] for c in codes]
        # Codes found in the data without a label stay as they are, after the labelled ones.
        extra = sorted(set(text[col].dropna()) - set(by_code), key=_code_key)
        text[col] = text[col].map(lambda v, m=by_code: m.get(v, v) if isinstance(v, str) else v)
        levels += [e for e in extra if e not in levels]
        numeric_codes = all(isinstance(c, (int, float)) for c in codes)
        ordered = numeric_codes and measures.get(col) != "nominal"
        carried[col] = (tuple(dict.fromkeys(levels)), ordered)
    header = pd.DataFrame([list(frame.columns)], columns=frame.columns)
    return pd.concat([header, text], ignore_index=True), labels, carried


def _code_key(code) -> tuple[int, float, str]:
    try:
        return (0, float(code), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(code))


# --- header and cells ---------------------------------------------------------------------

def _header_names(cells: list, name: str) -> list[str]:
    names = []
    for i, cell in enumerate(cells):
        text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell)
        names.append(" ".join(text.split()) or f"unnamed_{i + 1}")
    counts = Counter(names)
    duplicated = [n for n, c in counts.items() if c > 1]
    if duplicated:
        raise DataError(
            f"Duplicate column names in {name}: {quote_list(duplicated, limit=5)}; "
            "rename them so that every column name is unique."
        )
    return names


def _blank_to_na(
    frame: pd.DataFrame, *, na_values: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``frame`` with blank cells (and the user's missing-value markers) as ``NaN``, and
    the same with every value trimmed."""
    out, trimmed = {}, {}
    extra = list(na_values)
    for col in frame.columns:
        # Work on the distinct values only: survey columns repeat a lot (blanks, categories).
        codes, uniques = pd.factorize(frame[col].astype(object))
        raw = pd.Series(uniques, dtype=object)
        stripped = raw.str.strip()  # every cell is a str here
        missing = stripped.isna() | (stripped == "")
        if extra:
            missing |= stripped.isin(extra)
        raw_values = np.append(raw.mask(missing).to_numpy(dtype=object), np.nan)
        stripped_values = np.append(stripped.mask(missing).to_numpy(dtype=object), np.nan)
        out[col] = raw_values[codes]  # code -1 (missing) picks the NaN appended last
        trimmed[col] = stripped_values[codes]
    return pd.DataFrame(out, index=frame.index), pd.DataFrame(trimmed, index=frame.index)


def require_column(columns, column: str, name: str) -> None:
    """Raise :class:`ColumnError` unless ``column`` is one of ``columns`` of file ``name``."""
    if column not in columns:
        raise ColumnError(
            f"Column '{column}' not found in {name}; available columns: "
            f"{plain_list(columns)}."
        )
