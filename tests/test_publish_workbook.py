"""A workbook and tables a colleague can use (issue 15, points 3-5): answers sheet with the closed
questions and 0/1 theme columns, wide theme x group tables fit to a page, effects tables that
never scroll, multiple-choice options shown with their labels."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from report_fixtures import make_run

from textmine.config import ReportOptions
from textmine.outputs import write_csv
from textmine.report import write_report
from textmine.report.html import effect_tables
from textmine.report.markdown import page_parts
from textmine.report.rundata import load_run
from textmine.survey.columns import option_wording


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = make_run(tmp_path_factory.mktemp("wb") / "run")
    answers = pd.read_csv(folder / "answers.csv", dtype=str)
    n = len(answers)
    write_csv(pd.DataFrame({
        "respondent_id": answers["respondent_id"],
        "fonction": (["Dircom", "Chargé"] * n)[:n],
        "visio": ([1, 0, 1] * n)[:n], "cloud": ([0, 1] * n)[:n],
    }), folder / "closed.csv")
    options = ReportOptions(wordclouds=False, question_labels=(
        ("fonction", "Fonction occupée"), ("visio", "Visioconférence"), ("cloud", "Cloud")))
    write_report(folder, options=options)
    return folder


def test_answers_sheet_has_closed_questions_with_labels_and_theme_flags(run):
    ws = load_workbook(run / "report.xlsx")["Réponses"]
    header = [c.value for c in ws[1]]
    assert {"Fonction occupée", "Visioconférence", "Cloud"} <= set(header)
    assert "fonction" not in header and "visio" not in header
    flags = [h for h in header if h and h[0].isdigit()]
    assert flags[0] == "1 Outils de visio" and len(flags) == 4
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    data = load_run(run)
    members = set(data.answers.loc[data.members(1), "respondent_id"])
    for row in rows:
        if row["Statut"] in ("non-réponse", "vide") or row["Statut"] is None:
            continue
        if row["1 Outils de visio"] is not None:
            assert row["1 Outils de visio"] == int(str(row["Identifiant"]) in members)
    assert {row["Fonction occupée"] for row in rows} == {"Dircom", "Chargé"}


def test_wide_sheet_blocks_per_question_with_counts_percents_and_marks(run):
    ws = load_workbook(run / "report.xlsx")["Tableaux (page)"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    titles = [r[0] for r in values if r[0] in ("fonction", "Fonction occupée", "outils")]
    assert titles == ["Fonction occupée", "outils"]
    flat = [v for r in values for v in r]
    assert "n" in flat and "%" in flat and "Visioconférence (n = " not in flat
    assert any(isinstance(v, str) and v.startswith("Visioconférence (n = ") for v in flat)
    formats = {c.number_format for row in ws.iter_rows() for c in row}
    assert any(f.startswith('0.0%"*') for f in formats)  # marks kept with a number
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_markdown_tables_have_counts_and_fit_a_page(run):
    md = (run / "tables_md" / "crosstab_fonction.md").read_text(encoding="utf-8")
    assert "Entre parenthèses" in md and "(n = " in md
    assert any(line.count("%") and "(" in line.split("|")[2] for line in md.splitlines()
               if line.startswith("| 1."))
    wide = pd.DataFrame({"Thème": ["1. A"], **{f"g{i} (n = 10)": ["1 %"] for i in range(12)},
                         "p ajusté": ["0,1"]})
    parts = page_parts(wide, max_groups=5)
    assert [len(p.columns) for p in parts] == [5, 5, 6]  # 12 groups: 4 + 4 + 4, then the test
    assert list(parts[-1].columns)[-1] == "p ajusté"
    assert all(list(p.columns)[0] == "Thème" for p in parts)
    assert [len(p.columns) for p in page_parts(wide.iloc[:, :7], max_groups=5)] == [4, 4]


def test_effects_tables_never_hold_more_than_five_level_columns(run):
    spans = [["Fonction", 3], ["Taille", 2], ["Région", 8]]
    levels = [(f"l{i}", "ref") for i in range(13)]
    rows = [{"id": 1, "label": "A", "colour": "#000", "cells": list(range(13))}]
    tables = effect_tables(spans, levels, rows, max_columns=5)
    assert [len(t["levels"]) for t in tables] == [5, 5, 3]
    assert tables[0]["spans"] == [("Fonction", 3), ("Taille", 2)]
    assert tables[1]["spans"] == [("Région", 5)] and tables[2]["spans"] == [("Région", 3)]
    assert [c for t in tables for c in t["rows"][0]["cells"]] == list(range(13))
    html = (run / "report.html").read_text(encoding="utf-8")
    assert "@media print" in html and 'class="scroll"><table class="heat effects"' not in html


def test_multiple_choice_options_are_shown_with_their_labels(run):
    html = (run / "report.html").read_text(encoding="utf-8")
    md = (run / "tables_md" / "crosstab_outils.md").read_text(encoding="utf-8")
    assert "Visioconférence" in html and "Visioconférence (n = " in md
    assert "visio (n = " not in md
    data = load_run(run)
    data.use_labels(ReportOptions(question_labels=(("visio", "Visioconférence"),)))
    assert "Visioconférence: yes" in set(data.crosstabs["outils"]["modality"])


@pytest.mark.parametrize("labels, options", [
    (["Outils utilisés [Visio]", "Outils utilisés [Cloud]"], ("Visio", "Cloud")),
    (["Outils - Visio", "Outils - Réseaux sociaux", ""], ("Visio", "Réseaux sociaux", "")),
    (["Q5: Teams", "Q5: Zoom"], ("Teams", "Zoom")),
    (["", "Visio"], ("", "")),
])
def test_option_wording_of_platform_exports(labels, options):
    assert option_wording(labels) == options


def test_project_file_options_reach_the_report_labels(tmp_path):
    from textmine.errors import OptionError
    from textmine.project import load_project

    (tmp_path / "s.csv").write_text("id;o_1;o_2;avis\n1;1;0;ok\n", encoding="utf-8")
    base = ('[survey]\npath = "s.csv"\nid_col = "id"\n[[open]]\ncolumn = "avis"\n'
            '[[closed]]\ncolumn = "o"\ntype = "multiple"\n')
    (tmp_path / "p.toml").write_text(base + 'options = {o_1 = "Visio", o_2 = "Cloud"}\n',
                                     encoding="utf-8")
    assert load_project(tmp_path / "p.toml").closed[0].options == (("o_1", "Visio"),
                                                                   ("o_2", "Cloud"))
    (tmp_path / "q.toml").write_text(base + 'options = ["Visio"]\n', encoding="utf-8")
    with pytest.raises(OptionError, match="options of column 'o'"):
        load_project(tmp_path / "q.toml")


@pytest.mark.parametrize("keys, ok", [("o_1, o_2", True), ("o_1, o_3", False),
                                      ("o1", False)])
def test_option_labels_must_name_options_of_the_question(tmp_path, keys, ok):
    # A mistyped key (o1 for o_1) was ignored: the column name stayed in every table, unsaid.
    from textmine.errors import OptionError
    from textmine.pipeline.project_run import check_option_labels
    from textmine.project import load_project
    from textmine.survey import read_survey

    (tmp_path / "s.csv").write_text("id;o_1;o_2;avis\n1;1;0;ok\n2;0;1;non\n", encoding="utf-8")
    options = ", ".join(f'{k} = "L{i}"' for i, k in enumerate(keys.split(", ")))
    (tmp_path / "p.toml").write_text(
        '[survey]\npath = "s.csv"\nid_col = "id"\n[[open]]\ncolumn = "avis"\n'
        f'[[closed]]\ncolumn = "o"\ntype = "multiple"\noptions = {{{options}}}\n',
        encoding="utf-8")
    project = load_project(tmp_path / "p.toml")
    survey = read_survey(project.survey_path, options=project.read)
    if ok:
        check_option_labels(project, survey)
    else:
        with pytest.raises(OptionError, match=r"not an option of that question.*o_1, o_2"):
            check_option_labels(project, survey)


def test_weighted_percentages_are_said_beside_unweighted_counts(tmp_path):
    # With survey weights the tables show n (unweighted) beside weighted %: 5 of "n = 11" shown
    # as 35.7 % looked wrong, and nothing said the percentages were weighted.
    folder = make_run(tmp_path / "run")
    plain = tmp_path / "plain"
    import shutil

    shutil.copytree(folder, plain)
    path = folder / "crosstab_fonction.csv"
    crosstab = pd.read_csv(path)
    crosstab["weighted_n"] = crosstab["n"] * 0.9
    crosstab["weighted_pct"] = crosstab["pct"] * 0.9
    crosstab.to_csv(path, index=False)
    for run, weighted in ((folder, True), (plain, False)):
        write_report(run, options=ReportOptions(wordclouds=False))
        note = "Pourcentages pondérés"
        html = (run / "report.html").read_text(encoding="utf-8")
        md = (run / "tables_md" / "crosstab_fonction.md").read_text(encoding="utf-8")
        sheet = load_workbook(run / "report.xlsx")["Tableaux (page)"]["A1"].value
        assert (note in html, note in md, note in sheet) == (weighted,) * 3
