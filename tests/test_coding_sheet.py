"""Coding sheets: XLSX/CSV export for coders, and reading their codes back with validation."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from textmine.codebook import Codebook, CodebookTheme
from textmine.coding.sheet import (
    CODEBOOK_SHEET,
    NONE_PROMPT,
    SHEET_NAME,
    check_rows_line_up,
    coding_sheet_frame,
    read_coded,
    text_key,
    write_sheet_csv,
    write_sheet_xlsx,
)
from textmine.errors import ColumnError, DataError, OutputError

CODES = ["Salaire", "Charge de travail", "Formation"]
CODEBOOK = Codebook(
    themes=(
        CodebookTheme("Salaire", ("salaire", "prime"), "Rémunération et primes."),
        CodebookTheme("Charge de travail", ("surcharge",), ""),
        CodebookTheme("Formation", (), "Besoins de formation."),
    )
)


@pytest.fixture
def frame() -> pd.DataFrame:
    return coding_sheet_frame(
        ["r1", "r2", "r3", "-4"],
        ["Pas assez de primes.", "=SUM(A1) trop de réunions", "Formation au télétravail",
         "Rien à signaler"],
        CODES,
        suggestions=["Salaire (0.81)", "Charge de travail (0.55)", "", ""],
    )  # fmt: skip


def test_xlsx_sheet_is_ready_for_coders(frame, tmp_path):
    path = write_sheet_xlsx(frame, tmp_path / "codage.xlsx", codebook=CODEBOOK)
    wb = load_workbook(path)
    assert wb.sheetnames == [SHEET_NAME, CODEBOOK_SHEET]
    ws = wb[SHEET_NAME]
    assert [c.value for c in ws[1]] == ["respondent_id", "text", "suggestions", *CODES,
                                       "autre_code"]
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref == "A1:G5"
    assert ws["B2"].alignment.wrap_text
    assert ws.column_dimensions["B"].width == 80
    # Formula-like text and ids are kept as written, strings with Excel's quote prefix.
    for ref, value in (("B3", "=SUM(A1) trop de réunions"), ("A5", "-4")):
        assert ws[ref].value == value and ws[ref].data_type == "s" and ws[ref].quotePrefix
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"0,1"'
    assert str(dv.sqref) == "D2:F5"
    # Every code cell says how to mark "none of these codes" apart from "not coded".
    assert dv.showInputMessage and dv.prompt == NONE_PROMPT and len(NONE_PROMPT) <= 255
    cb = wb[CODEBOOK_SHEET]
    rows = [[c.value for c in r] for r in cb.iter_rows()]
    assert rows[0] == ["name", "description", "seeds"]
    assert rows[1] == ["Salaire", "Rémunération et primes.", "salaire; prime"]


def test_coder_edits_round_trip_through_openpyxl(frame, tmp_path):
    path = write_sheet_xlsx(frame, tmp_path / "codage.xlsx", codebook=CODEBOOK)
    wb = load_workbook(path)
    ws = wb[SHEET_NAME]
    ws["D2"] = 1  # r1: Salaire
    ws["E3"] = "1"  # r2: Charge de travail, typed as text
    ws["F3"] = 0
    ws["D5"] = 0  # -4: read, no code
    wb.save(path)
    coded = read_coded(path, codes=CODES, ids=["r1", "r2", "r3", "-4", "r5"])
    assert coded.index.tolist() == ["r1", "r2", "-4"]  # r3 left blank: uncoded
    assert coded.columns.tolist() == CODES
    assert coded.loc["r1"].tolist() == [1, 0, 0]
    assert coded.loc["r2"].tolist() == [0, 1, 0]
    assert coded.loc["-4"].tolist() == [0, 0, 0]


def test_csv_sheet_round_trip(frame, tmp_path):
    frame.loc[0, "Formation"] = 1
    frame.loc[3, "Salaire"] = 0
    path = write_sheet_csv(frame, tmp_path / "codage.csv")
    assert "'-4" in path.read_text(encoding="utf-8")
    coded = read_coded(path, codes=CODES)
    assert coded.index.tolist() == ["r1", "-4"]
    assert coded.loc["r1"].tolist() == [0, 0, 1]


def test_long_csv_with_empty_code_for_read_but_uncoded(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("respondent_id,code\nr1,Salaire\nr1,Formation\nr2,\nr3,Salaire\n", "utf-8")
    coded = read_coded(path)
    assert coded.index.tolist() == ["r1", "r2", "r3"]
    assert coded.columns.tolist() == ["Salaire", "Formation"]
    assert coded.loc["r2"].sum() == 0
    # With a codebook the columns follow it, unused codes included.
    assert read_coded(path, codes=CODES).columns.tolist() == CODES


def test_long_csv_codes_differing_in_case_or_spacing_are_one_code_and_said(tmp_path, caplog):
    path = tmp_path / "codes.csv"
    path.write_text("respondent_id,code\nr1,nature\nr2,Nature \nr3,NATURE\nr3,cadre  de vie\n"
                    "r4,Cadre de vie\n", "utf-8")
    with caplog.at_level("WARNING"):
        coded = read_coded(path)
    assert coded.columns.tolist() == ["nature", "cadre  de vie"]
    assert coded["nature"].tolist() == [1, 1, 1, 0] and coded["cadre  de vie"].sum() == 2
    assert ("codes spelt differently only in case or spacing taken as one: 'NATURE', 'Nature' "
            "as 'nature'; 'Cadre de vie' as 'cadre  de vie'") in caplog.text


def test_codes_match_a_codebook_and_sheet_columns_whatever_their_case(tmp_path, caplog):
    path = tmp_path / "codes.csv"
    path.write_text("respondent_id,code\nr1,salaire\nr2,FORMATION \n", "utf-8")
    with caplog.at_level("WARNING"):
        coded = read_coded(path, codes=CODES)  # the codebook's spelling wins
    assert coded.columns.tolist() == CODES and coded.loc["r1", "Salaire"] == 1
    assert "'salaire' as 'Salaire'" in caplog.text and "'FORMATION' as 'Formation'" in caplog.text
    sheet = tmp_path / "wide.csv"
    sheet.write_text("respondent_id,text,suggestions,nature,Nature ,cadre\n"
                     "r1,a,,1,,0\nr2,b,,,1,0\nr3,c,,0,0,1\n", "utf-8")
    coded = read_coded(sheet)
    assert coded.columns.tolist() == ["nature", "cadre"]
    assert coded["nature"].tolist() == [1, 1, 0]


def test_unknown_codes_are_named(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("respondent_id,code\nr1,Salaires\nr2,Autre\n", "utf-8")
    with pytest.raises(
        DataError,
        match=rf"^Unknown code\(s\) 'Salaires', 'Autre' in {path}; codebook codes: Salaire, "
        "Charge de travail, Formation. Fix the codes or the codebook.$",
    ):
        read_coded(path, codes=CODES)


def test_unknown_ids_are_named(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("respondent_id,code\nr1,Salaire\nx7,Salaire\nx8,Salaire\nx9,S\nx10,S\n")
    with pytest.raises(
        DataError,
        match=rf"^4 of 5 respondent id\(s\) of {path} are not in the survey \(1 is\): x7, x8, "
              "x9; check ",
    ):
        read_coded(path, ids=["r1", "r2"])


def test_bad_cells_and_missing_id_column_are_refused(frame, tmp_path):
    frame.loc[1, "Salaire"] = "oui"
    path = write_sheet_csv(frame, tmp_path / "codage.csv")
    with pytest.raises(
        DataError,
        match=r"^Cell \(respondent_id=r2, code 'Salaire'\) of .* holds 'oui'; use 1 \(code appl",
    ):
        read_coded(path)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,code\nr1,Salaire\n", "utf-8")
    with pytest.raises(ColumnError, match=r"^Column 'respondent_id' not found in .*: id, code"):
        read_coded(bad)


def test_an_empty_sheet_is_an_error_not_an_empty_result(frame, tmp_path):
    path = write_sheet_xlsx(frame, tmp_path / "codage.xlsx")
    with pytest.raises(DataError, match=r"^No coded answer in sheet 'Codage' of .*; type 1 or 0"):
        read_coded(path)


def test_existing_file_needs_force(frame, tmp_path):
    path = write_sheet_xlsx(frame, tmp_path / "codage.xlsx")
    with pytest.raises(OutputError, match=r"already exists; use --force to replace it\.$"):
        write_sheet_xlsx(frame, path)
    assert write_sheet_xlsx(frame, path, force=True) == path


def test_code_names_must_not_clash_with_columns():
    with pytest.raises(DataError, match=r"^Code name\(s\) text clash with sheet columns; rename"):
        coding_sheet_frame(["r1"], ["x"], ["text"])


def test_a_codebook_code_without_a_sheet_column_is_not_coded_as_zero(frame, tmp_path):
    # The coder never saw a column for "Formation": its answers are not coded for it.
    frame = frame.drop(columns=["Formation"])
    frame.loc[0, "Salaire"] = 1
    frame.loc[1, "Salaire"] = 0  # read, no code applies
    path = write_sheet_csv(frame, tmp_path / "codage.csv")
    with pytest.raises(DataError, match=r"^Code\(s\) 'Formation' of the codebook have no column"):
        read_coded(path, codes=CODES)
    coded = read_coded(path)
    # A row of zeros is coded (no code applies); blank rows are not coded at all.
    assert coded.index.tolist() == [frame.loc[0, "respondent_id"], frame.loc[1, "respondent_id"]]
    assert coded.iloc[1].sum() == 0


def test_code_columns_left_blank_on_every_answer_are_not_codes(frame, tmp_path, caplog):
    # ``textmine sheet`` puts free-theme columns beside a codebook's; a coder who codes only the
    # codebook leaves them empty. As codes with no example they sent every answer writing
    # their words to review (1,338 answers instead of 59, trial 2026-12-01).
    frame.insert(len(frame.columns) - 1, "Theme libre", None)
    frame.loc[0, "Salaire"] = 1
    frame.loc[1, "Charge de travail"] = 1
    path = write_sheet_csv(frame, tmp_path / "codage.csv")
    with caplog.at_level("WARNING"):
        coded = read_coded(path)
    assert coded.columns.tolist() == ["Salaire", "Charge de travail"]
    assert coded.index.tolist() == ["r1", "r2"]
    assert "'Formation', 'Theme libre'" in caplog.text
    assert "left blank on every answer" in caplog.text
    # A codebook code left blank was read and not applied: 0 on the coded answers, as before.
    caplog.clear()
    with caplog.at_level("WARNING"):
        coded = read_coded(path, codes=[*CODES, "Theme libre"])
    assert coded.columns.tolist() == [*CODES, "Theme libre"]
    assert coded["Formation"].tolist() == [0, 0] and "blank" not in caplog.text


def test_coded_rows_without_an_id_are_said(frame, tmp_path, caplog):
    # Trial 2026-12-01: 20 coded rows with an empty id were dropped without a word.
    frame.loc[0, "Salaire"] = 1
    frame.loc[1, "Salaire"] = 0
    frame.loc[1, "respondent_id"] = ""
    frame.loc[2, "respondent_id"] = ""  # not coded: nothing to say
    path = write_sheet_csv(frame, tmp_path / "codage.csv")
    with caplog.at_level("WARNING"):
        coded = read_coded(path)
    assert coded.index.tolist() == ["r1"]
    assert "1 coded row(s) of" in caplog.text and "have no respondent_id" in caplog.text


def test_formula_cells_without_a_saved_value_are_refused(frame, tmp_path):
    # Trial 2026-12-01: 1s written as "=0+1" by a program (never computed by a spreadsheet)
    # were read as blank cells: codes silently lost.
    from openpyxl import load_workbook as load

    path = write_sheet_xlsx(frame, tmp_path / "codage.xlsx")
    wb = load(path)
    ws = wb[SHEET_NAME]
    ws["D2"], ws["D3"], ws["E2"] = "=0+1", 0, 1
    wb.save(path)
    with pytest.raises(DataError, match=r"^1 cell\(s\) of sheet 'Codage' of .* hold a formula "
                                        r"with no saved value \(D2\)"):
        read_coded(path)
    ws["D2"] = 1  # typed as a value: read
    wb.save(path)
    assert read_coded(path).loc["r1", "Salaire"] == 1


def test_a_windows_1252_csv_sheet_is_read_and_its_encoding_said(tmp_path, caplog):
    path = tmp_path / "codage.csv"
    path.write_bytes("respondent_id;text;suggestions;Salaire;Formation\n"
                     "r1;Le salaire évalué;;1;0\nr2;Une formation à côté;;0;1\n".encode("cp1252"))
    with caplog.at_level("WARNING"):
        coded = read_coded(path)
        read_coded(path)  # a command reads it more than once: said once
    assert coded.loc["r1"].tolist() == [1, 0] and coded.loc["r2"].tolist() == [0, 1]
    assert caplog.text.count("codage.csv: detected encoding") == 1


def test_an_ods_or_xls_sheet_is_refused_in_one_line(tmp_path):
    for name in ("codage.ods", "codage.xls"):
        path = tmp_path / name
        path.write_bytes(b"PK\x03\x04 not read")
        with pytest.raises(Exception, match=rf"{name} is a \.(ods|xls) workbook, which textmine "
                                            r"does not read as a coding sheet; save it as"):
            read_coded(path)


def test_control_characters_in_answers_do_not_break_the_sheet(tmp_path):
    # An answer with a BEL or a vertical tab crashed write_sheet_xlsx with openpyxl's
    # IllegalCharacterError (break-it trial 2026-12-01); the sheet drops what a workbook cannot
    # hold, and its rows still line up with the survey's answers when read back.
    answer = "manque\x07 de moyens\x0b matériels"
    frame = coding_sheet_frame(["r1", "r2"], [answer, "trop de réunions"], ["moyens"])
    path = write_sheet_xlsx(frame, tmp_path / "codage.xlsx")
    shown = load_workbook(path)[SHEET_NAME]["B2"].value
    assert shown == "manque de moyens matériels"
    check_rows_line_up(path, {"r1": text_key(shown)}, {"r1": [answer]})
    with pytest.raises(DataError, match="is not the answer of its respondent_id"):
        check_rows_line_up(path, {"r1": text_key("trop de réunions")}, {"r1": [answer]})
