"""Paper tables (Markdown/CSV) and the crosstab view shared by every output."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from report_fixtures import built_report

from textmine.outputs import FORMULA_PREFIXES
from textmine.report.markdown import (
    crosstab_view,
    crosstab_wide,
    format_p,
    stars,
    theme_rows,
    to_markdown,
)


def _crosstab(p_adjusted: float) -> pd.DataFrame:
    return pd.DataFrame({
        "theme_id": [1, 1, 2, 2], "label": ["Visio", "Visio", "DSI", "DSI"],
        "modality": ["Dircom", "Chargé", "Dircom", "Chargé"],
        "n": [5, 20, 18, 2], "n_modality": [40, 40, 40, 40],
        "adj_residual": [-3.5, 3.5, 2.1, -2.1], "p_adjusted": [p_adjusted] * 2 + [0.2] * 2,
        "cramers_v": [0.4, 0.4, 0.2, 0.2],
    })


@pytest.mark.parametrize(("residual", "expected"), [
    (0.0, ""), (1.95, ""), (-1.96, "*"), (2.6, "**"), (-3.3, "***"), (float("nan"), "")])
def test_stars(residual, expected):
    assert stars(residual) == expected


def test_marks_only_where_the_theme_test_is_significant():
    view = crosstab_view(_crosstab(0.001))
    assert view["marks"].tolist() == ["***", "***", "", ""]
    assert view["share"].tolist() == [0.125, 0.5, 0.45, 0.05]
    assert not crosstab_view(_crosstab(0.3))["significant"].any()


def test_weighted_share_replaces_the_count_share():
    table = _crosstab(0.001).assign(weighted_pct=[10.0, np.nan, 50.0, 5.0])
    assert crosstab_view(table)["share"].tolist() == [0.10, 0.5, 0.5, 0.05]


def test_wide_table_in_french_and_english():
    wide = crosstab_wide(_crosstab(0.0001), lang="fr")
    assert wide.columns.tolist() == ["Thème", "Dircom (n = 40)", "Chargé (n = 40)", "p ajusté",
                                     "V de Cramér"]
    assert wide.iloc[0].tolist() == ["1. Visio", "12,5\u202f%*** (5)", "50,0\u202f%*** (20)",
                                     "< 0,001", "0,40"]
    wide_en = crosstab_wide(_crosstab(0.0001), lang="en")
    assert wide_en.iloc[1].tolist() == ["2. DSI", "45.0% (18)", "5.0% (2)", "0.200", "0.20"]


def test_status_rows_are_left_out_and_multiple_choice_keeps_ticked_options():
    table = pd.DataFrame({
        "question": "outils", "variable": ["visio", "visio", "cloud", "cloud", "visio"],
        "theme_id": ["1", "1", "1", "1", ""], "label": ["Visio"] * 4 + ["unassigned"],
        "modality": ["visio: yes", "visio: no", "cloud: yes", "cloud: no", "visio: yes"],
        "n": [8, 2, 3, 7, 1], "n_modality": [10, 30, 12, 28, 10], "adj_residual": 0.0,
        "p_adjusted": 0.5, "row_type": ["theme"] * 4 + ["status"],
    })
    view = theme_rows(table)
    assert view["modality"].tolist() == ["visio", "cloud"]
    assert view["theme_id"].tolist() == [1, 1]


def test_format_p():
    assert format_p(0.0004, "fr") == "< 0,001"
    assert format_p(0.0123, "en") == "0.012"
    assert format_p(float("nan"), "en") == ""


def test_markdown_cells_cannot_break_the_table_or_inject_html():
    table = pd.DataFrame({"a": ["x | y", "<script>alert(1)</script>", "deux\nlignes",
                                "< 0,001", "R&D &amp;"], "n": [1, 2, 3, 4, 5]})
    text = to_markdown(table)
    assert text.splitlines() == [
        "| a | n |", "|---|---:|", "| x \\| y | 1 |",
        "| \\<script>alert(1)\\</script> | 2 |", "| deux lignes | 3 |",
        "| < 0,001 | 4 |", "| R&D \\&amp; | 5 |"]
    assert "&lt;" not in text  # one escaping rule per format: no HTML entity in Markdown
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    assert "<script>" not in html and "&lt;script&gt;" in html


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_paper_tables_written_and_csv_cells_neutralised():
    folder = built_report("fr")
    names = sorted(p.name for p in (folder / "tables_md").iterdir())
    assert names == ["crosstab_fonction.csv", "crosstab_fonction.md", "crosstab_outils.csv",
                     "crosstab_outils.md", "themes.csv", "themes.md"]
    md = (folder / "tables_md" / "crosstab_fonction.md").read_text(encoding="utf-8")
    assert md.startswith("**Thèmes selon les questions fermées\u00a0: fonction**")
    assert "\\<i>" in md and "&lt;" not in md
    for path in [*folder.glob("*.csv"), *(folder / "tables_md").glob("*.csv")]:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(FORMULA_PREFIXES) or _is_number(cell), cell
    themes = pd.read_csv(folder / "tables_md" / "themes.csv")
    assert themes.columns.tolist() == ["Thème", "Libellé", "Termes clés", "Réponses", "Part"]
    assert themes["Libellé"].iloc[3] == "'=Conseil <i>stratégique</i> & \"élus\""
