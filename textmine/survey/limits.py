"""Limits checked on a spreadsheet (``.xlsx``, ``.ods``) before it is parsed: no zip bombs.

A spreadsheet is a zip of XML files, and its parsers (openpyxl, odfpy through pandas) hold what
they read in memory: a 1.4 MB ``.xlsx`` whose sheet holds one 994 MB cell took 8.5 GiB, and a
1 KB ``.ods`` whose cell says ``number-columns-repeated="300000000"`` as much. So, before pandas
sees the file:

1. the zip directory is checked (:func:`check_zip`): no member may unpack to more than
   :data:`MAX_MEMBER_BYTES`, all members together to more than :data:`MAX_TOTAL_BYTES`, and no
   member above :data:`RATIO_FLOOR_BYTES` may unpack to more than :data:`MAX_RATIO` times its
   packed size. Python's :mod:`zipfile` never returns more than the size a member declares, so
   a member lying about its size cannot unpack further.
2. the sheets are scanned as a stream, nothing built in memory (:func:`check_sheets`; the
   ``.ods`` ``content.xml`` with :mod:`xml.parsers.expat`, ``.xlsx`` sheets with regular
   expressions): rows and columns stay within the format's own limits
   (:data:`MAX_ROWS` x :data:`MAX_COLUMNS`, Excel's and LibreOffice's), repeated rows and cells of
   ``.ods`` counted as many times as they repeat, and the table pandas would build (rows up to the
   last one with a value times columns up to the last one with a value) stays within
   :data:`MAX_CELLS` cells (:data:`MAX_ODS_CELLS` for ``.ods``).

Every real survey export passes with a wide margin: survey sheets unpack to 5-20 times their
packed size (a 50,000 x 30 sheet of ``1`` written by pandas: 17 times), and 20 million cells are
e.g. 100,000 respondents x 200 columns. A file over a limit is refused in one line that names
the limit and suggests a CSV export, which has none of them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from textmine.errors import InputFileError

#: Largest unpacked size of one zip member (bytes).
MAX_MEMBER_BYTES = 1024**3
#: Largest unpacked size of all members together (bytes).
MAX_TOTAL_BYTES = 2 * 1024**3
#: Largest unpacked/packed size ratio of a member ...
MAX_RATIO = 100
#: ... once it unpacks to more than this (small members such as styles may pack very well).
RATIO_FLOOR_BYTES = 1024**2
#: The format's own limits (Excel 2007+, LibreOffice 7.4+): rows and columns of a sheet.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
#: Largest table (rows x columns) pandas may build from a sheet.
MAX_CELLS = 20_000_000
#: Cells of an ``.ods`` sheet, repeats expanded: odfpy (pandas' reader) materialises every
#: repeated cell, ~5 s and ~50 MB per million cells here (an 838-byte file of 19.6 million
#: repeated cells took over 300 s and 850 MB), so the bound is lower than for ``.xlsx``.
MAX_ODS_CELLS = 2_000_000

_CSV_HINT = "export the survey as CSV instead"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SHEET_MEMBER = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def _size(n: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"


def check_zip(data: bytes, name: str) -> None:
    """Refuse a zip whose members unpack beyond the limits of the module docstring.

    A file that is not a zip is left to the spreadsheet reader (which says it is damaged).

    Raises
    ------
    InputFileError
        A member or the whole archive unpacks to too much, or a member packs too well.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    total = 0
    for info in infos:
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        if size > MAX_MEMBER_BYTES:
            raise InputFileError(
                f"{name} is refused: its part {info.filename} unpacks to {_size(size)}, more "
                f"than the {_size(MAX_MEMBER_BYTES)} limit for a spreadsheet part; {_CSV_HINT}."
            )
        if size > RATIO_FLOOR_BYTES and size / packed > MAX_RATIO:
            raise InputFileError(
                f"{name} is refused: its part {info.filename} unpacks to {_size(size)}, "
                f"{size / packed:.0f} times its packed size (limit {MAX_RATIO}): it looks like a "
                f"zip bomb; {_CSV_HINT}."
            )
    if total > MAX_TOTAL_BYTES:
        raise InputFileError(
            f"{name} is refused: it unpacks to {_size(total)}, more than the "
            f"{_size(MAX_TOTAL_BYTES)} limit for a spreadsheet; {_CSV_HINT}."
        )


class _TooBig(Exception):
    """Raised from a parser callback to stop scanning at the first limit passed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Table:
    """Counts of one sheet as pandas would read it (trailing empty rows and cells dropped)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.rows = 0  # rows so far, repeats included
        self.last_row = 0  # last row holding a value
        self.width = 0  # last column holding a value, over all rows

    def end_row(self, row: int, row_width: int, repeat: int = 1) -> None:
        self.rows = max(self.rows, row + repeat - 1)
        if self.rows > MAX_ROWS:
            raise _TooBig(f"{self.label} has more than {MAX_ROWS:,} rows (the format's limit)")
        if row_width:
            self.last_row = row + repeat - 1
            self.width = max(self.width, row_width)
        if self.last_row * self.width > MAX_ODS_CELLS:
            raise _TooBig(
                f"{self.label} holds more than {MAX_ODS_CELLS:,} cells ({self.last_row:,} rows x "
                f"{self.width:,} columns, repeats counted)"
            )


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def _repeat(attrs: dict[str, str], key: str) -> int:
    try:
        value = int(attrs.get(key, "1"))
    except ValueError:
        return 1
    return max(value, 1)


_XLSX_ROW_REFS = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_XLSX_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b")
_XLSX_CELL_COLS = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Za-z]{1,4})\d')
_XLSX_VALUE_REFS = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Za-z]{1,4})(\d+)"[^>]*(?<!/)>')
_XLSX_VALUE_TAG = re.compile(rb"<(?:\w+:)?c\b[^>]*(?<!/)>")


def _scan_xlsx(stream, label: str) -> None:
    """Count the rows and cells of one ``.xlsx`` worksheet, streamed in 1 MiB chunks.

    Regular expressions on the raw XML (a sheet holds millions of elements: one parser callback
    each would double the reading time). Rows are numbered by their ``r`` attribute (or
    counted), columns by the cells' references (``XFD12``); a cell with content (not
    ``<c .../>``) counts as a value. The rectangle up to the last value, and the number of
    values, are bounded by :data:`MAX_CELLS`.
    """
    n_rows = max_row = value_row = value_col = n_values = 0
    columns: set[bytes] = set()
    carry = b""
    while True:
        chunk = stream.read(1 << 20)
        data = carry + chunk
        cut = data.rfind(b"<") if chunk else len(data)
        if cut <= 0 and chunk:
            carry = data
            continue
        part, carry = data[:cut], data[cut:]
        n_rows += len(_XLSX_ROW_TAG.findall(part))
        max_row = max([max_row, n_rows, *map(int, _XLSX_ROW_REFS.findall(part))])
        columns.update(c.upper() for c in set(_XLSX_CELL_COLS.findall(part)))
        n_values += len(_XLSX_VALUE_TAG.findall(part))
        refs = _XLSX_VALUE_REFS.findall(part)
        if refs:
            last = dict(refs)  # column -> row of its last value in the chunk
            value_row = max(value_row, *map(int, last.values()))
            value_col = max(value_col, *(_column_index(c.decode("ascii")) for c in last))
        widest = max([0] + [_column_index(c.decode("ascii")) for c in columns])
        if widest > MAX_COLUMNS:
            raise _TooBig(f"{label} has more than {MAX_COLUMNS:,} columns (the format's limit)")
        if max(max_row, value_row) > MAX_ROWS:
            raise _TooBig(f"{label} has more than {MAX_ROWS:,} rows (the format's limit)")
        if value_row * value_col > MAX_CELLS or n_values > MAX_CELLS:
            raise _TooBig(
                f"{label} holds more than {MAX_CELLS:,} cells ({value_row:,} rows x "
                f"{value_col:,} columns)"
            )
        if not chunk:
            return


def _ods_handlers(name: str) -> tuple[Callable, Callable]:
    """Expat start/end handlers counting rows and cells of every table of ``content.xml``,
    ``number-rows-repeated`` and ``number-columns-repeated`` included."""
    tables: list[_Table] = []
    state = {"row": 0, "repeat": 1, "col": 0, "width": 0, "cell_repeat": 1, "has_value": False}
    table_tag, row_tag = f"{_TABLE_NS} table", f"{_TABLE_NS} table-row"
    cell_tags = {f"{_TABLE_NS} table-cell", f"{_TABLE_NS} covered-table-cell"}
    rows_key = f"{_TABLE_NS} number-rows-repeated"
    cols_key = f"{_TABLE_NS} number-columns-repeated"
    sheet_key = f"{_TABLE_NS} name"
    type_key = f"{_OFFICE_NS} value-type"
    depth = {"cell": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == table_tag:
            label = f"sheet '{attrs.get(sheet_key, len(tables) + 1)}' of {name}"
            tables.append(_Table(label))
            state["row"] = 0
        elif tag == row_tag:
            state["repeat"] = _repeat(attrs, rows_key)
            state["col"] = state["width"] = 0
        elif tag in cell_tags:
            state["cell_repeat"] = _repeat(attrs, cols_key)
            state["has_value"] = type_key in attrs
            depth["cell"] += 1
            if state["col"] + state["cell_repeat"] > MAX_COLUMNS:
                label = tables[-1].label if tables else name
                raise _TooBig(
                    f"{label} has more than {MAX_COLUMNS:,} columns (the format's limit; "
                    "repeated cells count as many times as they repeat)"
                )
        elif depth["cell"]:
            state["has_value"] = True  # text or other content inside the cell

    def end(tag: str) -> None:
        if tag in cell_tags:
            depth["cell"] -= 1
            state["col"] += state["cell_repeat"]
            if state["has_value"]:
                state["width"] = state["col"]
        elif tag == row_tag and tables:
            first = state["row"] + 1
            state["row"] += state["repeat"]
            tables[-1].end_row(first, state["width"], state["repeat"])

    return start, end


def _scan(stream, start: Callable, end: Callable) -> None:
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    while chunk := stream.read(1 << 20):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def check_sheets(data: bytes, name: str, kind: str) -> None:
    """Refuse a spreadsheet whose sheets pass the row, column or cell limits.

    Parameters
    ----------
    data : bytes
        The ``.xlsx`` or ``.ods`` file (already checked by :func:`check_zip`).
    name : str
        File name for messages.
    kind : str
        ``"excel"`` or ``"ods"``.

    Raises
    ------
    InputFileError
        One line naming the sheet and the limit passed. XML errors are left to the reader.
    """
    from xml.parsers import expat

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with zf:
        if kind == "ods":
            members = [("content.xml", _ods_handlers(name))]
        else:
            sheets = [m for m in zf.namelist() if _SHEET_MEMBER.match(m)]
            members = [(m, f"sheet {m.rsplit('/', 1)[-1]} of {name}") for m in sheets]
        for member, how in members:
            try:
                with zf.open(member) as stream:
                    if isinstance(how, str):
                        _scan_xlsx(stream, how)
                    else:
                        _scan(stream, *how)
            except _TooBig as exc:
                raise InputFileError(f"{exc.message}; {_CSV_HINT}.") from None
            except (KeyError, expat.ExpatError, zipfile.BadZipFile, OSError, ValueError,
                    EOFError):
                return  # damaged: the spreadsheet reader gives its own one-line error
