"""Workbooks are byte-identical between identical runs (textmine.workbook, issue 20)."""

from __future__ import annotations

import io
import time
import zipfile

import pandas as pd
from report_fixtures import built_report

from textmine.coding.sheet import coding_sheet_frame, write_sheet_xlsx
from textmine.report.rundata import load_run
from textmine.report.xlsx import write_workbook
from textmine.workbook import FIXED_TIME, fixed_time, reproducible_zip


def _write_both(folder, tag):
    data = load_run(built_report("fr"))
    report = write_workbook(data, folder / f"report_{tag}.xlsx")
    frame = coding_sheet_frame(["r1", "r2"], ["Pas assez de primes.", "=SUM(A1)"],
                               ["Salaire", "Formation"])
    sheet = write_sheet_xlsx(frame, folder / f"codage_{tag}.xlsx")
    return report.read_bytes(), sheet.read_bytes()


def test_two_writes_give_identical_bytes(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = _write_both(tmp_path, "a")
    time.sleep(2.1)  # zip dates have a 2-second resolution
    second = _write_both(tmp_path, "b")
    assert first[0] == second[0], "report.xlsx differs between two identical writes"
    assert first[1] == second[1], "the coding sheet differs between two identical writes"
    with zipfile.ZipFile(io.BytesIO(first[0])) as zf:
        core = zf.read("docProps/core.xml").decode("utf-8")
        assert {i.date_time for i in zf.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert "2000-01-01T00:00:00Z</dcterms:created>" in core
    assert "2000-01-01T00:00:00Z</dcterms:modified>" in core
    # Still a workbook that pandas/openpyxl read.
    assert not pd.read_excel(io.BytesIO(first[1])).empty


def test_source_date_epoch_sets_the_timestamp(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert fixed_time().isoformat() == "2023-11-14T22:13:20+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")
    assert fixed_time() == FIXED_TIME


def test_reproducible_zip_keeps_members_and_order():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("b.txt", "deux")
        zf.writestr("a.txt", "un")
    out = reproducible_zip(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        assert zf.namelist() == ["b.txt", "a.txt"]
        assert zf.read("a.txt") == b"un"
