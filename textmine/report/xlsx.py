"""The workbook to share with colleagues (openpyxl).

Sheets: summary, themes, answers, one sheet per theme with its answers, crosstabs, specificities,
effects, run information. Every text cell is neutralised (no answer can become a formula) and
typed as a string; headers are frozen and filtered, columns sized and wrapped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from textmine.outputs import inert_text_cell, restore_cell, workbook_text
from textmine.report.analysis_section import ca_sheet  # issue 17
from textmine.report.analysis_section import words as ca_words_of  # issue 17
from textmine.report.colours import residual_colour
from textmine.report.i18n import number, strings
from textmine.report.markdown import crosstab_view
from textmine.report.rundata import RunData, display_text, input_name, shareable
from textmine.runfolder import COUNT_NON_ANSWER
from textmine.workbook import save_workbook

#: Characters Excel forbids in sheet names.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="34495E")
_WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_name(name: str, taken: set[str]) -> str:
    """Return a valid, unique (case-insensitive) Excel sheet name built from ``name``.

    Excel limits names to 31 characters without ``[]:*?/\\``, not starting or ending with an
    apostrophe, and refuses "History".
    """
    base = _SHEET_FORBIDDEN.sub(" ", workbook_text(str(name)))
    base = " ".join(base.split()).strip("'") or "Sheet"
    if base.lower() == "history":
        base = "History_"
    candidate = base[:31].rstrip()
    i = 2
    while candidate.lower() in taken:
        suffix = f" ({i})"
        candidate = base[: 31 - len(suffix)].rstrip() + suffix
        i += 1
    taken.add(candidate.lower())
    return candidate


def put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """Write one cell: text inert and typed as a string, numbers as numbers, NaN empty."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        cell.value = None
    elif isinstance(value, (int, float, bool)):
        cell.value = value
    else:
        # Never a formula, whatever openpyxl guessed from the first character.
        cell.value = workbook_text(str(value))
        inert_text_cell(cell)


def write_table(
    ws: Worksheet,
    table: pd.DataFrame,
    *,
    start_row: int = 1,
    wrap: tuple[str, ...] = (),
    formats: dict[str, str] | None = None,
    max_width: int = 60,
) -> None:
    """Write ``table`` with a styled, frozen, filtered header row and sized columns."""
    formats = formats or {}
    for j, name in enumerate(table.columns, start=1):
        put(ws, start_row, j, str(name))
        head = ws.cell(row=start_row, column=j)
        head.font, head.fill = _HEADER_FONT, _HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center")
    # Styles only where needed: per-cell styling dominates the time of large sheets.
    styled = [(j, _WRAP if name in wrap else None, formats.get(name))
              for j, name in enumerate(table.columns, start=1)]
    for i, values in enumerate(table.itertuples(index=False), start=start_row + 1):
        for (j, align, fmt), value in zip(styled, values, strict=True):
            put(ws, i, j, value)
            if align is not None or fmt is not None:
                cell = ws.cell(row=i, column=j)
                if align is not None:
                    cell.alignment = align
                if fmt is not None:
                    cell.number_format = fmt
    for j, name in enumerate(table.columns, start=1):
        lengths = [len(str(name))] + [len(str(v)) for v in table.iloc[:200, j - 1] if pd.notna(v)]
        width = max_width if name in wrap else min(max(lengths) + 2, max_width)
        ws.column_dimensions[get_column_letter(j)].width = max(8, width)
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    last = get_column_letter(max(1, len(table.columns)))
    ws.auto_filter.ref = f"A{start_row}:{last}{start_row + max(1, len(table))}"


#: Longest cell of respondent ids (a spreadsheet cell holds at most 32,767 characters).
_MAX_IDS_CELL = 30_000


def _ids_cell(ids: str) -> str:
    """Respondent ids of one text, cut (with "…") where a cell would overflow."""
    if len(ids) <= _MAX_IDS_CELL:
        return ids
    return ids[: ids.rfind(";", 0, _MAX_IDS_CELL)] + ";…"


def _with_copies(text: str, n: int) -> str:
    """A quote with its number of copies when it was given more than once ("… (×111)")."""
    return f"{text} (×{n})" if n > 1 else text


def _summary(data: RunData, words: dict[str, str]) -> pd.DataFrame:
    counts = data.counts()
    k, why = data.k_choice(words["lang"])
    source = data.run.get("input", {}) if isinstance(data.run.get("input"), dict) else {}
    rows = [
        (words["question"], data.question()),
        (words["input"], input_name(data.run)),
        ("sha256", str(source.get("sha256") or "")),
        (words["respondents"], counts["respondents"]),
        (words["answers_ok"], counts["answers_ok"]),
        (words["themed"], counts["themed"]),
        (words["unassigned"], counts["unassigned"]),
        (words["nonanswers"], counts[COUNT_NON_ANSWER]),
        (words["empty"], counts["empty"]),
        (words["k"], k),
        (words["k_why"], why),
    ]
    return pd.DataFrame(rows, columns=[words["key"], words["value"]])


def flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Flatten nested dicts/lists of ``run.json`` into ``(dotted.key, value)`` rows."""
    if isinstance(obj, dict):
        rows: list[tuple[str, Any]] = []
        for key in obj:
            rows += flatten(obj[key], f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        rows = []
        for i, value in enumerate(obj):
            rows += flatten(value, f"{prefix}[{i}]")
        return rows
    if isinstance(obj, list):
        return [(prefix, ", ".join(str(v) for v in obj))]
    return [(prefix, obj)]


def top_specificities(spec: pd.DataFrame, *, n: int) -> pd.DataFrame:
    """The ``n`` most over-used terms (specificity > 0) of each group, most specific first.

    The CSV keeps every term; the sheet keeps what a reader scans (thousands of rows of
    under-used or neutral terms would bury them).
    """
    spec = spec.copy()
    score = pd.to_numeric(spec["specificity"], errors="coerce")
    spec = spec[score > 0].assign(_s=score[score > 0])
    keys = [c for c in ("question", "variable", "modality") if c in spec]
    # Groups keep the order of the CSV (level order); terms by decreasing specificity within.
    spec["_g"] = spec.groupby(keys, sort=False).ngroup()
    spec = spec.sort_values(["_g", "_s"], ascending=[True, False], kind="stable")
    return spec.groupby("_g", sort=False).head(n).drop(columns=["_s", "_g"])


def _closed_columns(data: RunData, answers: pd.DataFrame) -> pd.DataFrame:
    """The closed questions of ``closed.csv`` aligned on ``answers``, headed by their labels."""
    if data.closed is None or "respondent_id" not in data.closed:
        return pd.DataFrame(index=answers.index)
    closed = data.closed.drop_duplicates("respondent_id").set_index("respondent_id")
    ids = answers["respondent_id"].astype(str)
    out = pd.DataFrame(index=answers.index)
    headers: set[str] = set()
    for column in closed.columns:
        header = display_text(data.closed_label(str(column)))
        while header in headers:  # two questions with one label stay two columns
            header += " "
        headers.add(header)
        # closed.csv prefixed formula-like values with an apostrophe; the workbook shows them
        # as written (its cells are made inert otherwise: put).
        out[header] = closed[column].reindex(ids).map(restore_cell).to_numpy()
    return out


def _theme_flags(data: RunData, themes: pd.DataFrame) -> pd.DataFrame:
    """One 0/1 column per theme (``"3 Pollution"``): 1 when the answer carries the theme.

    Empty for non-answers and empty answers (they are not coded); 0 for unassigned answers.
    """
    status = data.answers["status"].astype(str)
    coded = status.isin(["themed", "unassigned"])
    out = pd.DataFrame(index=data.answers.index)
    for _, theme in themes.iterrows():
        tid = int(theme["theme_id"])
        flag = data.members(tid).astype(int)
        out[f"{tid} {display_text(theme['label'])}"] = flag.where(coded).astype("Int64")
    return out


def write_wide_tables(ws: Worksheet, data: RunData, words: dict[str, str], *,
                      alpha: float) -> None:
    """Theme x group tables as in the report, one block per closed question, fit to a page.

    Each block: the question's label (and, for a single-variable question, the test's adjusted
    p, Cramér's V and the trend test's p), a header of groups (with their size) over two
    columns each, ``n`` and ``%`` (a number formatted with its significance marks, bold and
    coloured when significant), then one row per theme. Printed landscape, one page wide.
    """
    from textmine.report.markdown import (
        format_p,
        has_trend,
        is_weighted,
        multi_variable,
        theme_rows,
    )

    bold = Font(bold=True)
    row = 1
    weighted = any(is_weighted(c) for c in data.crosstabs.values())
    put(ws, row, 1, words["wide_note"] + (" " + words["weighted_note"] if weighted else ""))
    ws.cell(row=row, column=1).alignment = Alignment(wrap_text=False)
    row += 2
    widest = 1
    for column, crosstab in data.crosstabs.items():
        view = theme_rows(crosstab, alpha=alpha)
        if not len(view):
            continue
        title = display_text(data.closed_label(str(column)))
        put(ws, row, 1, title)
        ws.cell(row=row, column=1).font = Font(bold=True, size=12)
        row += 1
        modalities = list(dict.fromkeys(view["modality"]))
        sizes = view.groupby("modality", sort=False)["n_modality"].first()
        put(ws, row, 1, words["theme"])
        ws.cell(row=row, column=1).font = bold
        for j, mod in enumerate(modalities):
            col = 2 + 2 * j
            put(ws, row, col, f"{display_text(mod)} (n = {int(sizes[mod])})")
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + 1)
            ws.cell(row=row, column=col).font = bold
            ws.cell(row=row, column=col).alignment = Alignment(wrap_text=True,
                                                               horizontal="center")
            put(ws, row + 1, col, words["n_short"])
            put(ws, row + 1, col + 1, "%")
        extra = []
        if not multi_variable(view):
            extra = [("p_adjusted", words["p_adjusted"]), ("cramers_v", words["cramers_v"])]
            if has_trend(view):
                extra.append(("trend_p_value", words["trend_p"]))
            extra = [(key, name) for key, name in extra if key in view]
        last = 2 + 2 * len(modalities)
        for k, (_, name) in enumerate(extra):
            put(ws, row, last + k, name)
            ws.cell(row=row, column=last + k).font = bold
        row += 2
        for theme_id, sub in view.groupby("theme_id", sort=True):
            cells = sub.set_index("modality")
            put(ws, row, 1, f"{int(theme_id)}. {display_text(sub['label'].iloc[0])}")
            for j, mod in enumerate(modalities):
                if mod not in cells.index:
                    continue
                cell = cells.loc[mod]
                col = 2 + 2 * j
                put(ws, row, col, pd.to_numeric(cell["n"], errors="coerce"))
                put(ws, row, col + 1, float(cell["share"]))
                share = ws.cell(row=row, column=col + 1)
                share.number_format = f'0.0%"{cell["marks"]}"' if cell["marks"] else "0.0%"
                if cell["significant"]:
                    share.font = bold
                    share.fill = PatternFill("solid", fgColor=residual_colour(
                        float(cell["adj_residual"])).lstrip("#"))
            for k, (key, _) in enumerate(extra):
                value = float(pd.to_numeric(sub[key], errors="coerce").iloc[0])
                text = (format_p(value, words["lang"]) if key != "cramers_v"
                        else ("" if value != value else number(value, words["lang"], digits=2)))
                put(ws, row, last + k, text)
            row += 1
        widest = max(widest, last - 1 + len(extra))
        row += 1
    ws.column_dimensions["A"].width = 38
    for j in range(2, widest + 1):
        ws.column_dimensions[get_column_letter(j)].width = 9
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def write_workbook(data: RunData, path: Path, *, lang: str = "fr",
                   alpha: float = 0.05, max_specific_terms: int = 50) -> Path:
    """Write the run's workbook to ``path`` (see the module docstring for the sheets)."""
    words = strings(lang, classes=data.reinert is not None)
    wb = Workbook()
    taken: set[str] = set()
    labels = dict(zip(data.themes["theme_id"].astype(int), data.themes["label"], strict=True))
    total = data.counts()["answers_ok"]

    ws = wb.active
    ws.title = sheet_name(words["summary"], taken)
    write_table(ws, _summary(data, words), wrap=(words["value"],), max_width=90)

    themes = data.themes.sort_values("theme_id")
    table = pd.DataFrame({
        words["theme"]: themes["theme_id"].astype(int),
        words["label"]: themes["label"].map(display_text),
        words["top_terms"]: themes.get("top_terms", pd.Series("", index=themes.index))
        .map(display_text).str.replace("_", " "),
        words["n_answers"]: themes["n_answers"].astype(int),
        words["share"]: themes["n_answers"] / total if total else np.nan,
    })
    quotes = {int(t): data.quotes(int(t)) for t in themes["theme_id"]}
    for i, _col in enumerate(data.quote_columns, start=1):
        table[f"{words['quote']} {i}"] = [
            _with_copies(*quotes[int(t)][i - 1]) if i <= len(quotes[int(t)]) else ""
            for t in themes["theme_id"]]
    quote_headers = tuple(f"{words['quote']} {i}" for i in range(1, len(data.quote_columns) + 1))
    write_table(wb.create_sheet(sheet_name(words["themes"], taken)), table,
                wrap=(words["top_terms"], *quote_headers), formats={words["share"]: "0.0%"})

    answers = data.answers
    status_words = {s: words.get(f"status_{s}", s) for s in answers["status"].dropna().unique()}
    table = pd.DataFrame({
        words["respondent_id"]: answers["respondent_id"],
        words["status"]: answers["status"].map(status_words),
        words["theme_id"]: answers["theme_id"],
        words["label"]: answers["theme_id"].map(lambda t: "" if pd.isna(t) else
                                                display_text(labels.get(int(t), ""))),
        words["weight"]: pd.to_numeric(answers.get("weight"), errors="coerce"),
        words["themes_all"]: answers.get("themes", pd.Series("", index=answers.index)),
    })
    table = pd.concat([table, _closed_columns(data, answers), _theme_flags(data, themes)],
                      axis=1)
    table[words["text"]] = answers["text"].map(display_text)
    write_table(wb.create_sheet(sheet_name(words["answers"], taken)), table,
                wrap=(words["text"],), formats={words["weight"]: "0.000"})

    for _, theme in themes.iterrows():
        tid = int(theme["theme_id"])
        texts = data.theme_texts(tid)
        table = pd.DataFrame({
            words["is_quote"]: texts["quote"].map(lambda q: f"✓ {q}" if q else ""),
            words["copies"]: texts["n"].astype(int),
            words["weight"]: texts["weight"],
            words["text"]: texts["text"],
            words["respondent_ids"]: texts["respondent_ids"].map(_ids_cell),
        })
        ws = wb.create_sheet(sheet_name(f"{tid} {display_text(theme['label'])}", taken))
        write_table(ws, table, wrap=(words["text"],), formats={words["weight"]: "0.000"},
                    max_width=100)

    if data.crosstabs:
        ws = wb.create_sheet(sheet_name(words["sheet_crosstabs"], taken))
        frames = []
        for column, crosstab in data.crosstabs.items():
            view = crosstab_view(crosstab, alpha=alpha)
            if "question" not in view:
                view.insert(0, "question", column)
            view["question"] = view["question"].map(lambda q: data.closed_label(str(q)))
            frames.append(view)
        view = pd.concat(frames, ignore_index=True)
        cols = [c for c in ("question", "variable", "theme_id", "label", "modality", "n",
                            "n_modality", "share", "marks", "adj_residual", "expected", "flag",
                            "test", "p_value", "p_adjusted", "cramers_v", "trend_p_value",
                            "row_type") if c in view]
        table = view[cols].copy()
        for c in ("label", "modality"):
            table[c] = table[c].map(display_text)
        names = {c: words.get(c, c) for c in cols}
        names.update({"theme_id": words["theme"], "share": words["pct"],
                      "marks": words["significance"]})
        write_table(ws, table.rename(columns=names),
                    formats={words["pct"]: "0.0%", words["adj_residual"]: "0.00",
                             words["expected"]: "0.0", words["p_value"]: "0.0000",
                             words["p_adjusted"]: "0.0000", words["cramers_v"]: "0.00"})
        share_col = cols.index("share") + 1
        for i, (sig, resid) in enumerate(zip(view["significant"], view["adj_residual"],
                                             strict=True), start=2):
            if sig:
                fill = residual_colour(float(resid)).lstrip("#")
                ws.cell(row=i, column=share_col).fill = PatternFill("solid", fgColor=fill)
                ws.cell(row=i, column=share_col).font = Font(bold=True)

    if data.crosstabs:
        write_wide_tables(wb.create_sheet(sheet_name(words["sheet_wide"], taken)), data,
                          words, alpha=alpha)

    if data.specificities:
        frames = []
        for column, spec in data.specificities.items():
            spec = top_specificities(spec, n=max_specific_terms)
            if "question" not in spec:
                spec.insert(0, "question", column)
            spec["question"] = spec["question"].map(lambda q: data.closed_label(str(q)))
            frames.append(spec)
        table = pd.concat(frames, ignore_index=True)
        for c in ("modality", "term"):
            if c in table:
                table[c] = table[c].map(display_text)
        table = table.rename(columns={c: words.get(c, c) for c in table.columns})
        write_table(wb.create_sheet(sheet_name(words["sheet_specificities"], taken)), table,
                    formats={words["specificity"]: "0.00"})

    if data.effects is not None and len(data.effects):
        table = data.effects.copy()
        for c in ("label", "term"):
            if c in table:
                table[c] = table[c].map(display_text)
        names = {**words, "theme_id": words["theme"], "term": words["model_term"]}
        table = table.rename(columns={c: names.get(c, c) for c in table.columns})
        write_table(wb.create_sheet(sheet_name(words["sheet_effects"], taken)), table,
                    formats={words["odds_ratio"]: "0.00", words["ci_low"]: "0.00",
                             words["ci_high"]: "0.00", words["p_value"]: "0.0000"})

    # --- issue 17: correspondence analysis sheets ---
    ca_tables = ca_sheet(data.folder, lang)
    if ca_tables is not None:
        ca_words = ca_words_of(lang)
        eig, points = ca_tables
        write_table(wb.create_sheet(sheet_name(ca_words["sheet_ca_eig"], taken)), eig,
                    formats={"eigenvalue": "0.0000", "percent": "0.00",
                             "cumulative_percent": "0.00"})
        points = points.assign(label=points["label"].map(display_text))
        write_table(wb.create_sheet(sheet_name(ca_words["sheet_ca"], taken)), points,
                    formats={c: "0.000" for c in points.columns
                             if c.split("_")[0] in ("dim", "ctr", "cos2")})
    # --- end issue 17 ---
    if data.reinert is not None:  # Reinert classification (issue 16)
        from textmine.report.reinert import write_sheets

        write_sheets(wb, data.reinert, taken, lang=lang)

    rows = flatten(shareable(data.run))
    table = pd.DataFrame(rows or [("", "")], columns=[words["key"], words["value"]])
    table[words["value"]] = table[words["value"]].map(
        lambda v: v if isinstance(v, (int, float)) and not isinstance(v, bool) else
        ("" if v is None else str(v)))
    write_table(wb.create_sheet(sheet_name(words["run_info"], taken)), table,
                wrap=(words["value"],), max_width=90)
    save_workbook(wb, path)
    return path
