"""``textmine sheet`` for a shared coding task (issue 15, point 6): free code column, random
sample, the id column remembered, free themes beside a codebook."""

from __future__ import annotations

import json

import pandas as pd
from openpyxl import load_workbook
from test_coding_runs import CODES, project  # noqa: F401  (module fixture)

from textmine.coding.sheet import FREE_CODE_COL, INFO_SHEET, SHEET_NAME, read_coded, sheet_info


def test_free_code_column_is_read_back_as_codes(project, cli, tmp_path):  # noqa: F811
    sheet = tmp_path / "codage.xlsx"
    assert cli("sheet", project / "run", "--out", sheet).code == 0
    wb = load_workbook(sheet)
    ws = wb[SHEET_NAME]
    header = [c.value for c in ws[1]]
    assert header[-1] == FREE_CODE_COL
    rows = list(ws.iter_rows(min_row=2))
    rows[0][header.index(FREE_CODE_COL)].value = "Hiérarchie; Salaire"
    rows[1][header.index(CODES[0])].value = 1
    wb.save(sheet)
    coded = read_coded(sheet)
    first, second = str(rows[0][0].value), str(rows[1][0].value)
    assert list(coded.index) == [first, second]
    assert coded.loc[first, "Hiérarchie"] == 1 and coded.loc[second, "Hiérarchie"] == 0
    assert coded.loc[first, "Salaire"] == 1


def test_free_code_names_match_codes_whatever_their_case(project, cli, tmp_path):  # noqa: F811
    # "hiérarchie" written beside the "Hiérarchie" column became a second code.
    sheet = tmp_path / "codage.xlsx"
    assert cli("sheet", project / "run", "--out", sheet).code == 0
    wb = load_workbook(sheet)
    ws = wb[SHEET_NAME]
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2))
    rows[0][header.index(FREE_CODE_COL)].value = f" {CODES[0].upper()} ; Salaire"
    rows[1][header.index(FREE_CODE_COL)].value = "salaire;  SALAIRE "
    wb.save(sheet)
    coded = read_coded(sheet)
    first, second = str(rows[0][0].value), str(rows[1][0].value)
    assert CODES[0].upper() not in coded.columns or CODES[0].upper() == CODES[0]
    assert [c for c in coded.columns if c.casefold() == "salaire"] == ["Salaire"]
    assert coded.loc[first, CODES[0]] == 1 and coded.loc[first, "Salaire"] == 1
    assert coded.loc[second, "Salaire"] == 1


def test_sample_is_random_seeded_and_stated(project, cli, tmp_path, caplog):  # noqa: F811
    a, b, c = (tmp_path / f"{n}.xlsx" for n in "abc")
    res = cli("sheet", project / "run", "--out", a, "--sample", "5", "--seed", "1")
    assert res.code == 0, res.err
    assert "random sample of 5" in caplog.text and "seed 1" in caplog.text
    cli("sheet", project / "run", "--out", b, "--sample", "5", "--seed", "1")
    cli("sheet", project / "run", "--out", c, "--sample", "5", "--seed", "2")

    def ids(path):
        return [r[0] for r in load_workbook(path)[SHEET_NAME].iter_rows(min_row=2,
                                                                         values_only=True)]

    assert len(ids(a)) == 5 and ids(a) == ids(b) and ids(a) != ids(c)
    every = pd.read_csv(project / "run" / "answers.csv", dtype=str)["respondent_id"].tolist()
    assert ids(a) == [i for i in every if i in set(ids(a))]  # kept in the run's order
    assert "seed 1" in sheet_info(a)["sample"]
    res = cli("sheet", project / "run", "--out", tmp_path / "d.xlsx", "--sample", "0")
    assert res.code == 2 and "--sample 0" in res.err


def test_bad_seed_is_one_line_and_a_sample_too_big_is_said(project, cli, tmp_path,  # noqa: F811
                                                             caplog):
    # --seed -1 reached numpy.random.default_rng: a ValueError traceback.
    for seed in ("-1", str(2**32)):
        res = cli("sheet", project / "run", "--out", tmp_path / "x.xlsx", "--sample", "3",
                  "--seed", seed)
        assert res.code == 2 and "seed" in res.err and "Traceback" not in res.err, res.err
        assert len(res.err.strip().splitlines()) == 1
        assert not (tmp_path / "x.xlsx").exists()
    res = cli("sheet", project / "run", "--out", tmp_path / "all.xlsx", "--sample", "100000")
    assert res.code == 0, res.err
    assert "--sample 100000 is not smaller than" in caplog.text
    assert "sample" not in sheet_info(tmp_path / "all.xlsx")


def test_sheet_remembers_the_id_column_for_code_and_agree(project, cli, tmp_path,  # noqa: F811
                                                          caplog):
    run = project / "run"
    record = json.loads((run / "run.json").read_text())
    record["settings"] = {"read": {"id_col": "id"}}
    (run / "run.json").write_text(json.dumps(record))
    sheet = tmp_path / "codage.xlsx"
    try:
        assert cli("sheet", run, "--out", sheet).code == 0
        assert sheet_info(sheet)["id_column"] == "id"
        assert INFO_SHEET in load_workbook(sheet).sheetnames
        wb = load_workbook(sheet)
        ws = wb[SHEET_NAME]
        header = [c.value for c in ws[1]]
        for row in list(ws.iter_rows(min_row=2))[:10]:
            row[header.index(CODES[0])].value = 1
        wb.save(sheet)
        res = cli("agree", sheet, sheet, "--survey", project / "enquete.csv",
                  "--out", tmp_path / "agree")
        assert res.code == 0, res.err
        assert "using id column 'id'" in caplog.text
    finally:
        record["settings"] = {}
        (run / "run.json").write_text(json.dumps(record))


def test_free_themes_beside_a_codebook_are_codes_of_the_sheet(project, cli, tmp_path):  # noqa: F811
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text(f"themes:\n  - name: {CODES[0]}\n    seeds: [salaire]\n  - name: Autre "
                        "chose\n    seeds: [rien]\n", encoding="utf-8")
    sheet = tmp_path / "codage.csv"
    res = cli("sheet", project / "run", "--out", sheet, "--codebook", codebook)
    assert res.code == 0, res.err
    header = pd.read_csv(sheet, dtype=str).columns.tolist()
    # The codebook's codes, then the run's themes the codebook does not name, then autre_code.
    assert header[3:] == [CODES[0], "Autre chose", *CODES[1:], FREE_CODE_COL]
