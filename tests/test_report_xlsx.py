"""The workbook: sheets, headers, layout, and no formula from respondent text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from report_fixtures import HOSTILE, built_report

from textmine.outputs import FORMULA_PREFIXES
from textmine.report.xlsx import flatten, sheet_name


@pytest.fixture(scope="module")
def workbook():
    return load_workbook(built_report("fr") / "report.xlsx")


def test_sheets_in_order(workbook):
    names = workbook.sheetnames
    assert names[:3] == ["Synthèse", "Thèmes", "Réponses"]
    assert names[3:7] == ["1 Outils de visio", "2 Chevauchement avec la DSI",
                          "3 Manque de moyens", "4 =Conseil <i>stratégique< i> &"]
    assert names[7:] == ["Tableaux croisés", "Tableaux (page)", "Spécificités", "Effets",
                         "Informations"]


def test_headers_frozen_and_filtered(workbook):
    ws = workbook["Réponses"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Identifiant", "Statut", "Thème principal", "Libellé",
                          "Poids du thème", "Thèmes"]
    # One 0/1 column per theme (issue 15), then the answer.
    assert header[6:10] == ["1 Outils de visio", "2 Chevauchement avec la DSI",
                            "3 Manque de moyens", '4 =Conseil <i>stratégique</i> & "élus"']
    assert header[10:] == ["Réponse (données personnelles masquées)"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:K")
    assert ws.column_dimensions["K"].width == 60
    assert ws["K2"].alignment.wrap_text
    themes = workbook["Thèmes"]
    assert [c.value for c in themes[1]] == ["Thème", "Libellé", "Termes clés", "Réponses",
                                            "Part", "Citation 1", "Citation 2", "Citation 3"]
    assert themes["E2"].number_format == "0.0%"
    assert 0 < themes["E2"].value < 1


def test_no_cell_is_a_formula(workbook):
    texts = []
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    # The answer as written, a string that stays text when edited.
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    if cell.value.startswith(FORMULA_PREFIXES):
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                    texts.append(cell.value)
    for answer in HOSTILE:
        assert answer in texts
    # No sheet shows CSV's escape apostrophe (the Réponses sheet's closed questions did).
    assert not any(t.startswith("'") and t[1:].startswith(FORMULA_PREFIXES) for t in texts)


def test_theme_sheet_lists_quotes_first(workbook):
    ws = workbook["1 Outils de visio"]
    assert [c.value for c in ws[1]] == ["Citation retenue", "Réponses identiques",
                                        "Poids du thème",
                                        "Réponse (données personnelles masquées)", "Répondants"]
    assert ws["A2"].value.startswith("✓") and ws["D2"].value in HOSTILE[:2]
    flags = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert flags == sorted(flags, key=lambda f: (not f, f))


def test_crosstab_sheet_formats_and_highlights(workbook):
    ws = workbook["Tableaux croisés"]
    header = [c.value for c in ws[1]]
    pct = header.index("% de la modalité") + 1
    marks = header.index("Significativité") + 1
    assert ws.cell(row=2, column=pct).number_format == "0.0%"
    starred = [r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=marks).value]
    assert starred
    for r in starred:
        assert ws.cell(row=r, column=pct).fill.fgColor.rgb not in (None, "00000000")
    # The hostile group name is text as written, quote-prefixed so that it cannot run.
    modality = header.index("Modalité") + 1
    cells = {ws.cell(row=r, column=modality).value: ws.cell(row=r, column=modality)
             for r in range(2, ws.max_row + 1)}
    hostile = cells["=cmd|'/C calc'!A0"]
    assert hostile.data_type == "s" and hostile.quotePrefix


@given(st.lists(st.text(min_size=0, max_size=50), min_size=1, max_size=12))
def test_sheet_names_are_valid_and_unique(names):
    taken: set[str] = set()
    out = [sheet_name(n, taken) for n in names]
    assert len({o.lower() for o in out}) == len(out)
    for o in out:
        assert 1 <= len(o) <= 31
        assert not set(o) & set("[]:*?/\\")
        assert not o.startswith("'") and not o.endswith("'")
        assert o.lower() != "history"


def test_sheet_name_examples():
    taken: set[str] = set()
    assert sheet_name("a/b:c*?[d]", taken) == "a b c d"
    assert sheet_name("A B C D", taken) == "A B C D (2)"
    assert sheet_name("x" * 40, taken) == "x" * 31
    assert sheet_name("x" * 40, taken) == "x" * 27 + " (2)"


def test_flatten_run_record():
    rows = flatten({"a": {"b": 1, "c": [1, 2]}, "d": [{"e": "f"}]})
    assert rows == [("a.b", 1), ("a.c", "1, 2"), ("d[0].e", "f")]


def test_summary_sheet_counts_and_k(workbook):
    ws = workbook["Synthèse"]
    values = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
              for r in range(2, ws.max_row + 1)}
    assert values["Répondants"] == 60
    assert values["Nombre de thèmes"] == 4
    assert values["Choix du nombre de thèmes"].startswith("k = 4 choisi automatiquement")
    assert values["Fichier"] == "demo_survey.csv"


def test_effects_sheet_keeps_every_row(workbook):
    ws = workbook["Effets"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Thème", "Libellé", "Coefficient du modèle"]
    assert "Rapport de cotes" in header and "Covariable" in header
    assert ws.max_row == 3


def test_top_specificities_keep_group_order_and_best_terms():
    import pandas as pd

    from textmine.report.xlsx import top_specificities

    spec = pd.DataFrame({"modality": ["b", "b", "b", "a", "a"],
                         "term": ["x", "y", "z", "u", "v"],
                         "specificity": [1.0, 3.0, -2.0, 0.5, 2.0]})
    out = top_specificities(spec, n=1)
    assert out[["modality", "term"]].values.tolist() == [["b", "y"], ["a", "v"]]
    assert top_specificities(spec, n=5)["term"].tolist() == ["y", "x", "v", "u"]


def test_closed_questions_shown_as_written(tmp_path):
    # closed.csv escapes formula-like values with an apostrophe (CSV); the workbook's answers
    # sheet shows them as the respondent chose them, inert (break-it trial 2026-12-01).
    import shutil

    import pandas as pd

    from textmine.config import ReportOptions
    from textmine.outputs import write_csv
    from textmine.report import write_report

    folder = tmp_path / "run"
    shutil.copytree(built_report(), folder)
    for old in folder.glob("report.*"):
        old.unlink()
    ids = pd.read_csv(folder / "answers.csv", dtype=str)["respondent_id"]
    hostile = "=cmd|'/C calc'!A0"
    write_csv(pd.DataFrame({"respondent_id": ids,
                            "fonction": [hostile] + ["Agent"] * (len(ids) - 1)}),
              folder / "closed.csv")
    write_report(folder, options=ReportOptions(lang="fr"))
    ws = load_workbook(folder / "report.xlsx")["Réponses"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    shown = [c for c in cells if c.value.endswith("calc'!A0")]
    assert shown and all(c.value == hostile and c.quotePrefix for c in shown)
