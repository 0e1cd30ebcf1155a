"""Paper-ready tables (Markdown and CSV): themes, and crosstabs with significance marks.

The crosstab view defined here (percentages, residual stars) is also what the HTML report and the
workbook show, so that a number reads the same in every output.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from textmine.config import TableOptions
from textmine.outputs import neutralise_cell, safe_filename, write_csv
from textmine.report.i18n import heading, number, percent, strings
from textmine.report.rundata import RunData, display_text

#: |adjusted residual| thresholds of one, two and three stars (two-sided 5 %, 1 %, 0.1 %).
STAR_THRESHOLDS = (1.959964, 2.575829, 3.290527)


def stars(residual: float) -> str:
    """Return ``""``, ``*``, ``**`` or ``***`` for the size of an adjusted residual."""
    if residual != residual:
        return ""
    return "*" * sum(abs(residual) >= t for t in STAR_THRESHOLDS)


def question_name(crosstab: pd.DataFrame, default: str) -> str:
    """Name of the closed question of a crosstab/specificities table (``default`` if unnamed)."""
    if "question" in crosstab and len(crosstab) and pd.notna(crosstab["question"].iloc[0]):
        return str(crosstab["question"].iloc[0])
    return default


def is_weighted(crosstab: pd.DataFrame) -> bool:
    """True when the crosstab's percentages are weighted (``weighted_pct`` filled).

    Its ``n`` stay unweighted counts, so a reader needs to be told: 5 of ``n = 11`` shown as
    35.7 % looks wrong otherwise.
    """
    return "weighted_pct" in crosstab and bool(
        pd.to_numeric(crosstab["weighted_pct"], errors="coerce").notna().any())


def crosstab_view(crosstab: pd.DataFrame, *, alpha: float = TableOptions().alpha) -> pd.DataFrame:
    """Add the columns every output shows to a crosstab table.

    Adds ``share`` (a fraction: ``weighted_pct`` / 100 with survey weights, else
    ``n / n_modality``), ``marks`` (residual stars) and ``significant``. A cell is marked only when
    its theme's test is significant after correction (``p_adjusted``, else ``p_value``, below
    ``alpha``) and ``|adj_residual| >= 1.96``: this keeps the stars from flagging noise in a table
    whose overall association is not significant.
    """
    view = crosstab.copy()
    view["modality"] = view["modality"].astype(str)
    n = pd.to_numeric(view["n"], errors="coerce")
    tot = pd.to_numeric(view["n_modality"], errors="coerce")
    view["share"] = np.where(tot > 0, n / tot.where(tot > 0), np.nan)
    if "weighted_pct" in view:
        weighted = pd.to_numeric(view["weighted_pct"], errors="coerce") / 100
        view["share"] = weighted.where(weighted.notna(), view["share"])
    resid = pd.to_numeric(view.get("adj_residual", pd.Series(np.nan, index=view.index)),
                          errors="coerce")
    p_col = "p_adjusted" if "p_adjusted" in view else ("p_value" if "p_value" in view else None)
    if p_col is None:
        row_ok = pd.Series(True, index=view.index)
    else:
        row_ok = pd.to_numeric(view[p_col], errors="coerce") < alpha
    view["significant"] = row_ok & (resid.abs() >= STAR_THRESHOLDS[0])
    view["marks"] = [stars(r) if ok else "" for r, ok in zip(resid, view["significant"],
                                                             strict=True)]
    view["adj_residual"] = resid
    return view


def theme_rows(crosstab: pd.DataFrame, *, alpha: float = TableOptions().alpha) -> pd.DataFrame:
    """The crosstab rows shown as a theme x group table (``crosstab_view`` columns added).

    Status rows (share of unassigned/non-answers by group) are left out. A multiple-choice
    question has one yes/no variable per option: only the ``"<option>: yes"`` columns are kept, so
    the table reads "among those who ticked the option, x % mention the theme".
    """
    view = crosstab_view(crosstab, alpha=alpha)
    if "row_type" in view:
        view = view[view["row_type"].fillna("theme").astype(str) == "theme"]
    view = view[pd.to_numeric(view["theme_id"], errors="coerce").notna()].copy()
    view["theme_id"] = view["theme_id"].astype(float).astype(int)
    return ticked_only(view)


def status_rows(crosstab: pd.DataFrame, *, alpha: float = TableOptions().alpha) -> pd.DataFrame:
    """The status rows of a crosstab (unassigned, non-answer, empty by group), as theme_rows."""
    if "row_type" not in crosstab:
        return crosstab.iloc[0:0]
    view = crosstab_view(crosstab, alpha=alpha)
    return ticked_only(view[view["row_type"].astype(str) == "status"].copy())


def ticked_only(view: pd.DataFrame) -> pd.DataFrame:
    """Keep the ``"<option>: yes"`` rows of a multiple-choice table, named by the option."""
    if "variable" in view and view["variable"].nunique() > 1:
        yes = view["modality"].str.endswith(": yes")
        if yes.any():
            view = view[yes].copy()
            view["modality"] = view["modality"].str[: -len(": yes")]
    return view


def multi_variable(view: pd.DataFrame) -> bool:
    """Whether a theme_rows table mixes several variables (one test per column, not per row)."""
    return "variable" in view and view["variable"].nunique() > 1


def format_p(p: float, lang: str) -> str:
    """Format a p-value for a table (``< 0.001`` below one in a thousand)."""
    if p != p:
        return ""
    if p < 0.001:
        return "< " + number(0.001, lang, digits=3)
    return number(p, lang, digits=3)


def has_trend(view: pd.DataFrame) -> bool:
    """Whether a crosstab carries a trend test (an ordinal question: ``trend_p_value`` set)."""
    return "trend_p_value" in view and bool(
        pd.to_numeric(view["trend_p_value"], errors="coerce").notna().any())


def themes_table(data: RunData, *, lang: str = "fr") -> pd.DataFrame:
    """Themes table for a paper: id, label, key terms, answers, share."""
    words = strings(lang)
    total = data.counts()["answers_ok"]
    rows = []
    for _, row in data.themes.sort_values("theme_id").iterrows():
        n = int(row["n_answers"])
        rows.append({
            words["theme"]: int(row["theme_id"]),
            words["label"]: display_text(row["label"]),
            words["top_terms"]: display_text(row.get("top_terms", "")).replace("_", " "),
            words["n_answers"]: n,
            words["share"]: percent(n / total, lang) if total else "",
        })
    return pd.DataFrame(rows)


def crosstab_wide(crosstab: pd.DataFrame, *, lang: str = "fr",
                  alpha: float = TableOptions().alpha, counts: bool = True) -> pd.DataFrame:
    """One row per theme, one column per group: ``42,0 %** (17)`` (share of the group, marks,
    count of the group's answers mentioning the theme; ``counts=False`` leaves the count out);
    then the test's adjusted p, Cramér's V and the trend test's p (ordinal questions)."""
    words = strings(lang)
    view = theme_rows(crosstab, alpha=alpha)
    modalities = list(dict.fromkeys(view["modality"]))
    sizes = view.groupby("modality", sort=False)["n_modality"].first()
    rows = []
    for theme_id, sub in view.groupby("theme_id", sort=True):
        cells = sub.set_index("modality")
        row: dict[str, object] = {
            words["theme"]: f"{int(theme_id)}. {display_text(sub['label'].iloc[0])}"
        }
        for mod in modalities:
            if mod in cells.index:
                cell = cells.loc[mod]
                share = cell["share"]
                count = pd.to_numeric(cell["n"], errors="coerce")
                shown = "" if share != share else percent(share, lang) + cell["marks"]
                if shown and counts and count == count:
                    shown += f" ({int(count)})"
                row[f"{display_text(mod)} (n = {int(sizes[mod])})"] = shown
        if "p_adjusted" in sub and not multi_variable(view):
            row[words["p_adjusted"]] = format_p(float(sub["p_adjusted"].iloc[0]), lang)
        if "cramers_v" in sub and not multi_variable(view):
            v = float(sub["cramers_v"].iloc[0])
            row[words["cramers_v"]] = "" if v != v else number(v, lang, digits=2)
        if has_trend(view) and not multi_variable(view):
            trend = float(pd.to_numeric(sub["trend_p_value"], errors="coerce").iloc[0])
            row[words["trend_p"]] = format_p(trend, lang)
        rows.append(row)
    return pd.DataFrame(rows)


#: What could start raw HTML in Markdown: ``<`` before a tag, comment or declaration, ``&``
#: before an entity. Only these get a backslash (CommonMark escape), so ``< 0,001`` stays as is.
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?\w+;)")


def markdown_inert(text: str) -> str:
    """Make ``text`` inert in Markdown without HTML entities.

    Markdown renderers pass raw HTML through, so an answer ``<script>`` must stay text; a
    backslash before the ``<`` (or the ``&`` of an entity) does it, and readers of the raw file
    see no ``&lt;``. ``< 0,001`` and ``R&D`` are left as written.
    """
    return _HTML_START.sub(lambda m: "\\" + m.group(0), text)


def to_markdown(table: pd.DataFrame) -> str:
    """Render ``table`` as a GitHub/pandoc pipe table (cells with ``|`` or newlines made safe)."""

    def cell(value: object) -> str:
        text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
        text = " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")
        return markdown_inert(text)

    header = "| " + " | ".join(cell(c) for c in table.columns) + " |"
    rule = "|" + "|".join(
        "---:" if pd.api.types.is_numeric_dtype(table[c]) else "---" for c in table.columns
    ) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body]) + "\n"


#: Most group columns of one Markdown table: a wide question (8 regions...) is cut into
#: several tables with the same rows, so that each fits the width of a printed page.
MAX_MARKDOWN_GROUPS = 5


def page_parts(wide: pd.DataFrame, *, max_groups: int = MAX_MARKDOWN_GROUPS) -> list[pd.DataFrame]:
    """Cut a wide crosstab into tables of at most ``max_groups`` group columns.

    Parts are balanced (8 groups: 4 + 4); each keeps the theme column; the test columns (p, V,
    trend) go with the last part.
    """
    first, rest = wide.columns[0], list(wide.columns[1:])
    groups = [c for c in rest if " (n = " in str(c)]
    tests = [c for c in rest if c not in groups]
    if len(groups) <= max_groups:
        return [wide]
    n_parts = -(-len(groups) // max_groups)
    size = -(-len(groups) // n_parts)  # balanced: 6 groups are 3 + 3, not 5 + 1
    chunks = [groups[i:i + size] for i in range(0, len(groups), size)]
    return [wide[[first, *chunk, *(tests if i == len(chunks) - 1 else [])]]
            for i, chunk in enumerate(chunks)]


def write_paper_tables(data: RunData, folder: Path, *, lang: str = "fr",
                       alpha: float = TableOptions().alpha) -> list[Path]:
    """Write ``themes.md/.csv`` and wide ``crosstab_<COL>.md/.csv`` (with stars) into ``folder``."""
    words = strings(lang)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    table = themes_table(data, lang=lang)
    (folder / "themes.md").write_text(f"**{words['themes']}**\n\n" + to_markdown(table),
                                      encoding="utf-8")
    written += [folder / "themes.md", write_csv(table, folder / "themes.csv")]
    for stem_name, crosstab in data.crosstabs.items():
        wide = crosstab_wide(crosstab, lang=lang, alpha=alpha)
        stem = f"crosstab_{safe_filename(stem_name)}"
        note = words["crosstab_caption"] + " " + words["count_note"]
        if is_weighted(crosstab):
            note += " " + words["weighted_note"]
        if has_trend(theme_rows(crosstab, alpha=alpha)):
            note += " " + words["trend_rule"]
        title = heading(words["crosstabs"],
                        data.closed_label(question_name(crosstab, stem_name)), lang)
        body = "\n".join(to_markdown(part) for part in page_parts(wide))
        (folder / f"{stem}.md").write_text(
            f"**{title}**\n\n" + body + f"\n{note}\n", encoding="utf-8")
        # Group names become column headers here, which write_csv does not neutralise.
        wide.columns = [neutralise_cell(str(c)) for c in wide.columns]
        written += [folder / f"{stem}.md", write_csv(wide, folder / f"{stem}.csv")]
    return written
