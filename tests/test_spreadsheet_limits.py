"""Spreadsheet bombs are refused in one line before parsing (textmine.survey.limits, issue 20).

Every bomb here is a small file built in ``tmp_path``: what it would unpack or expand to is
never produced.
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from textmine.config import ReadOptions
from textmine.errors import InputFileError
from textmine.survey import limits, read_survey

SURVEY = pd.DataFrame({"id": ["r1", "r2", "r3"], "avis": ["Trop de visio", "Rien", "Bien"]})


def _rezip(src: Path, dst: Path, replace: dict[str, bytes]) -> Path:
    """Copy the zip ``src`` to ``dst`` with some members' content replaced."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info)))
    return dst


@pytest.fixture
def xlsx(tmp_path) -> Path:
    path = tmp_path / "ok.xlsx"
    SURVEY.to_excel(path, index=False)
    return path


@pytest.fixture
def ods(tmp_path) -> Path:
    path = tmp_path / "ok.ods"
    SURVEY.to_excel(path, index=False, engine="odf")
    return path


def _sheet(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{rows}</sheetData></worksheet>"
    ).encode()


def _refused(path: Path, pattern: str) -> str:
    with pytest.raises(InputFileError, match=pattern) as info:
        read_survey(path)
    message = str(info.value)
    assert "\n" not in message and "CSV" in message
    return message


def test_ordinary_spreadsheets_pass(xlsx, ods):
    assert read_survey(xlsx, options=ReadOptions(id_col="id")).source.n_rows == 3
    assert read_survey(ods, options=ReadOptions(id_col="id")).source.n_rows == 3


def test_one_huge_cell_packed_tight_is_refused(xlsx, tmp_path):
    # 8 MiB of zeros in one inline-string cell pack to ~8 KiB (ratio ~1000).
    cell = '<c r="A1" t="inlineStr"><is><t>' + "0" * (8 * 1024**2) + "</t></is></c>"
    bomb = _rezip(xlsx, tmp_path / "bomb.xlsx",
                  {"xl/worksheets/sheet1.xml": _sheet(f'<row r="1">{cell}</row>')})
    assert bomb.stat().st_size < 100_000
    _refused(bomb, r"bomb\.xlsx is refused: its part xl/worksheets/sheet1\.xml unpacks to "
                   r"8\.0 MiB, \d+ times its packed size \(limit 100\)")


def test_a_member_declaring_a_huge_size_is_refused(xlsx, tmp_path):
    data = bytearray(xlsx.read_bytes())
    # Central directory entry of the sheet: uncompressed size (offset 24) set to 1.5 GiB.
    name = b"xl/worksheets/sheet1.xml"
    at = next(m.start() for m in re.finditer(rb"PK\x01\x02", data)
              if data[m.start() + 46: m.start() + 46 + len(name)] == name)
    data[at + 24: at + 28] = struct.pack("<I", 3 * 1024**3 // 2)
    bomb = tmp_path / "liar.xlsx"
    bomb.write_bytes(bytes(data))
    _refused(bomb, r"its part xl/worksheets/sheet1\.xml unpacks to 1\.5 GiB, more than the "
                   r"1\.0 GiB limit")


@pytest.mark.parametrize(("rows", "pattern"), [
    ('<row r="1048577"><c r="A1048577"><v>1</v></c></row>', r"more than 1,048,576 rows"),
    ('<row r="1"><c r="XFE1"><v>1</v></c></row>', r"more than 16,384 columns"),
    ('<row r="1"><c r="XFD1"><v>1</v></c></row><row r="2000"><c r="A2000"><v>1</v></c></row>',
     r"more than 20,000,000 cells \(2,000 rows x 16,384 columns\)"),
])
def test_xlsx_beyond_the_format_limits_is_refused(xlsx, tmp_path, rows, pattern):
    bomb = _rezip(xlsx, tmp_path / "big.xlsx", {"xl/worksheets/sheet1.xml": _sheet(rows)})
    _refused(bomb, r"sheet sheet1\.xml of big\.xlsx (has|holds) " + pattern)


def _ods_with(ods: Path, tmp_path: Path, edit) -> Path:
    with zipfile.ZipFile(ods) as zf:
        content = zf.read("content.xml").decode("utf-8")
    return _rezip(ods, tmp_path / "bomb.ods", {"content.xml": edit(content).encode("utf-8")})


def test_ods_repeated_cells_are_refused(ods, tmp_path):
    bomb = _ods_with(ods, tmp_path, lambda c: c.replace(
        "<table:table-cell ", '<table:table-cell table:number-columns-repeated="300000000" ', 1))
    assert bomb.stat().st_size < 10_000
    _refused(bomb, r"sheet '.*' of bomb\.ods has more than 16,384 columns")


def test_ods_repeated_rows_are_refused(ods, tmp_path):
    bomb = _ods_with(ods, tmp_path, lambda c: c.replace(
        "<table:table-row", '<table:table-row table:number-rows-repeated="300000000"', 1))
    _refused(bomb, r"sheet '.*' of bomb\.ods has more than 1,048,576 rows")


def test_ods_repeated_full_rows_count_as_cells(ods, tmp_path):
    # Within the row and column limits, but 2,000,000 rows x 16,000 cells with a value.
    def edit(content: str) -> str:
        row = ('<table:table-row table:number-rows-repeated="2000">'
               '<table:table-cell table:number-columns-repeated="16000" office:value-type="float" '
               'office:value="1"/></table:table-row>')
        return content.replace("</table:table>", row + "</table:table>", 1)

    _refused(_ods_with(ods, tmp_path, edit), r"holds more than 2,000,000 cells")


def test_ods_under_the_xlsx_cell_bound_is_still_refused(ods, tmp_path):
    # An 838-byte file of 1,200 x 16,384 repeated values (19.7 million cells, under the .xlsx
    # bound) kept odfpy busy for minutes: .ods has its own, lower bound.
    def edit(content: str) -> str:
        row = ('<table:table-row table:number-rows-repeated="1200">'
               '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" '
               'office:value="1"/></table:table-row>')
        return content.replace("</table:table>", row + "</table:table>", 1)

    _refused(_ods_with(ods, tmp_path, edit), r"holds more than 2,000,000 cells")


def test_libreoffice_trailing_empty_repeats_pass(ods, tmp_path):
    # LibreOffice pads sheets up to the format's limits with empty repeated rows and cells.
    def edit(content: str) -> str:
        pad = ('<table:table-row table:number-rows-repeated="1048570">'
               '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')
        return content.replace("</table:table>", pad + "</table:table>", 1)

    survey = read_survey(_ods_with(ods, tmp_path, edit), options=ReadOptions(id_col="id"))
    assert survey.source.n_rows == 3


def test_limits_are_the_documented_ones():
    assert (limits.MAX_ROWS, limits.MAX_COLUMNS) == (1_048_576, 16_384)
    assert limits.MAX_MEMBER_BYTES == 1024**3 and limits.MAX_RATIO == 100
    doc = (Path(__file__).resolve().parents[1] / "docs" / "robustness.md").read_text("utf-8")
    for text in ("1,048,576", "16,384", "1 GiB", "100 times", "20,000,000"):
        assert text in doc, text
