"""The self-contained HTML report: one file, styles and images inline, nothing fetched.

The pages are rendered from the jinja2 templates of ``textmine/resources/report/`` (``base.html``
holds the page frame, ``report.html`` the report of one run, ``index.html`` the project index,
``macros.html`` the pieces they share). This module only prepares the values the templates show;
every value, above all respondent or user text (answers, labels, group and column names,
titles), is escaped by the environment's autoescape, never by hand, and nothing in this module is
marked as safe markup. A Content-Security-Policy meta tag also forbids scripts and any resource
that is not an inline ``data:`` image, so the file stays inert even if a template went wrong.
"""

from __future__ import annotations

import base64
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from textmine.config import TableOptions
from textmine.outputs import package_version
from textmine.report.analysis_section import context as analysis_context  # issue 17
from textmine.report.charts import wilson_interval
from textmine.report.colours import residual_colour, theme_colours
from textmine.report.concordance import report_concordances
from textmine.report.i18n import colon, heading, number, percent, strings
from textmine.report.markdown import (
    format_p,
    has_trend,
    is_weighted,
    multi_variable,
    question_name,
    status_rows,
    theme_rows,
    ticked_only,
)
from textmine.report.rundata import RunData, display_text, input_name, shareable
from textmine.report.xlsx import flatten
from textmine.runfolder import COUNT_NON_ANSWER

#: Package (and folder inside it) that holds the page templates and the style sheet.
TEMPLATE_PACKAGE = ("textmine", "resources/report")

#: Colour of a theme that has no colour of its own (a label read back without its id).
_NO_COLOUR = "#666666"


@dataclass
class Figures:
    """PNG files drawn for a report (all optional)."""

    clouds: dict[int, Path] = field(default_factory=dict)
    prevalence: Path | None = None
    by_group: dict[str, Path] = field(default_factory=dict)
    k_selection: Path | None = None
    dendrogram: Path | None = None


@dataclass(frozen=True)
class Image:
    """An image of the page: its ``data:`` URI and its alternative text (survey text allowed)."""

    src: str
    alt: str


def _version() -> str:
    return package_version("textmine")


def blank_missing(value: object) -> object:
    """Show ``None``, NaN and ``pd.NA`` as an empty string; leave any other value as it is.

    It is the environment's ``finalize``: it runs on the value of every ``{{ ... }}`` before
    autoescape, so a missing value never prints as ``None`` or ``nan``.

    Parameters
    ----------
    value : object
        The value of a template expression.

    Returns
    -------
    object
        ``""`` for a missing value, else ``value`` unchanged.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment of the report templates (built once).

    Autoescape is on for every ``.html`` template (and for templates built from strings), an
    undefined name is an error instead of an empty string, and missing values print as ``""``
    (:func:`blank_missing`).

    Returns
    -------
    jinja2.Environment
        The shared environment; templates are loaded from the package data.
    """
    return jinja2.Environment(
        loader=jinja2.PackageLoader(*TEMPLATE_PACKAGE),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        finalize=blank_missing,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def data_uri(path: Path) -> str:
    """Return the PNG/SVG file at ``path`` as a ``data:`` URI (the report needs no other file)."""
    mime = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _image(path: Path | None, alt: str) -> Image | None:
    if path is None or not path.is_file():
        return None
    return Image(src=data_uri(path), alt=alt)


def _page(template: str, *, lang: str, classes: bool = False, **context: Any) -> str:
    """Render one page template with what every page shows (language, strings, version).

    ``classes``: the run is a Reinert classification (the wording says classes, not themes).
    """
    w = strings(lang, classes=classes)
    return environment().get_template(template).render(
        lang=lang, w=w, sep=colon(lang), version=_version(),
        footer=f"{w['generated']} {_version()}".strip(), **context)


def _overview(data: RunData, figures: Figures, w: dict[str, str], lang: str) -> dict[str, Any]:
    counts = data.counts()
    k, why = data.k_choice(lang)
    tiles = [(counts["respondents"], w["respondents"]), (counts["answers_ok"], w["answers_ok"]),
             (counts["themed"], w["themed"]), (counts["unassigned"], w["unassigned"]),
             (counts[COUNT_NON_ANSWER], w["nonanswers"]), (counts["empty"], w["empty"]),
             (k, w["k"])]
    return {"tiles": tiles, "why": why, "note": _pasted_note(data, w, lang),
            "chart": _image(figures.prevalence, w["prevalence_chart"])}


def _pasted_note(data: RunData, w: dict[str, str], lang: str) -> str:
    """The overview's line on a text pasted by many respondents, or ``""``."""
    pasted = data.pasted()
    if pasted is None:
        return ""
    head = w["pasted"].format(n=pasted["largest"],
                              share=percent(pasted["share"], lang, digits=0))
    tail = w["pasted_dedupe"] if pasted["dedupe"] else w["pasted_advice"]
    semicolon = "\u00a0;" if lang == "fr" else ";"  # French: no-break space before ";"
    return f"{head}{semicolon} {tail}"


def _theme_cards(data: RunData, figures: Figures, colours: dict[int, str],
                 w: dict[str, str], lang: str) -> list[dict[str, Any]]:
    total = data.counts()["answers_ok"]
    cards = []
    # -- concordances (issue 16, section 2): a few lines per top term, linked from its chip --
    concordances = report_concordances(data.folder, data.themes, data.answers)
    # -- end concordances --
    for _, row in data.themes.sort_values("theme_id").iterrows():
        tid = int(row["theme_id"])
        n = int(row["n_answers"])
        share = n / total if total else 0.0
        ci = ""
        if total:
            low, high = wilson_interval(n, total)
            ci = f"{w['ci95']} {percent(float(low), lang)} – {percent(float(high), lang)}"
        label = display_text(row["label"])
        # -- issue 14: stability over bootstrap refits and the under-assigned diagnostic --
        diagnostics = []
        stability = row.get("stability")
        if stability is not None and stability == stability:
            below = _dig_stability(data)
            text = f"{w['stability']}{colon(lang)}{float(stability):.2f}"
            if below is not None and float(stability) < below:
                text += f" ({w['unstable']})"
            diagnostics.append(text)
        under = row.get("under_assigned")
        if under is not None and under == under and int(under):
            diagnostics.append(f"{int(under)} {w['under_assigned']}")
        # -- end issue 14 --
        cards.append({
            "id": tid, "colour": colours[tid], "label": label, "n": n,
            "share": percent(share, lang), "ci": ci, "width": f"{100 * share:.1f}",
            "terms": [t.strip().replace("_", " ")
                      for t in display_text(row.get("top_terms", "")).split(";") if t.strip()],
            "quotes": [{"text": q, "copies": n} for q, n in data.quotes(tid)],
            "cloud": _image(figures.clouds.get(tid), f"{w['wordcloud_alt']} {tid}. {label}"),
            "concordances": concordances.get(tid, []),
            "diagnostics": " · ".join(diagnostics),
        })
    return cards


def _dig_stability(data: RunData) -> float | None:
    """The stability under which the run flags a theme unstable (run.json), if recorded."""
    themes = data.run.get("themes") if isinstance(data.run.get("themes"), dict) else {}
    info = themes.get("stability") if isinstance(themes.get("stability"), dict) else {}
    value = info.get("unstable_below")
    return float(value) if isinstance(value, (int, float)) else None


def _heat_table(crosstab: pd.DataFrame, colours: dict[int, str], w: dict[str, str], lang: str,
                alpha: float) -> dict[str, Any] | None:
    """Header, theme rows and status rows of one crosstab's heat map (``None`` if empty)."""
    view = theme_rows(crosstab, alpha=alpha)
    if not len(view):
        return None
    multi = multi_variable(view)
    modalities = list(dict.fromkeys(view["modality"]))
    sizes = view.groupby("modality", sort=False)["n_modality"].first()

    def cells(sub: pd.DataFrame) -> dict[str, Any]:
        by_modality = sub.set_index("modality")
        tds: list[dict[str, str] | None] = []
        for mod in modalities:
            if mod not in by_modality.index:
                tds.append(None)
                continue
            cell = by_modality.loc[mod]
            share, resid = cell["share"], float(cell["adj_residual"])
            tds.append({
                "class": "num sig" if cell["significant"] else "num",
                "colour": residual_colour(resid, muted=not cell["significant"]),
                "title": (f"{w['adj_residual']} = {number(resid, lang, digits=2)}"
                          if resid == resid else ""),
                "text": "" if share != share else percent(share, lang) + cell["marks"],
            })
        p = float(sub["p_adjusted"].iloc[0]) if "p_adjusted" in sub else float("nan")
        v = float(sub["cramers_v"].iloc[0]) if "cramers_v" in sub else float("nan")
        trend = (float(pd.to_numeric(sub["trend_p_value"], errors="coerce").iloc[0])
                 if "trend_p_value" in sub else float("nan"))
        return {"cells": tds, "p": format_p(p, lang),
                "v": "" if v != v else number(v, lang, digits=2), "trend": format_p(trend, lang)}

    rows = []
    for tid, sub in view.groupby("theme_id", sort=True):
        rows.append({"status": False, "id": int(tid), "label": display_text(sub["label"].iloc[0]),
                     "colour": colours.get(int(tid), _NO_COLOUR), **cells(sub)})
    # Who did not answer, or got no theme, by group: a non-response pattern is a finding too.
    names = {"unassigned": w["unassigned"], "non-answer": w["nonanswers"], "empty": w["empty"]}
    first_status = True
    for status, sub in status_rows(crosstab, alpha=alpha).groupby("label", sort=False):
        if sub["n"].sum() > 0:
            rows.append({"status": True, "first": first_status,
                         "label": names.get(str(status), display_text(status)), **cells(sub)})
            first_status = False
    return {"multi": multi, "trend": has_trend(view),
            "modalities": [(display_text(m), int(sizes[m])) for m in modalities],
            "rows": rows, "more": residual_colour(4.0), "less": residual_colour(-4.0)}


def _specificities(spec: pd.DataFrame | None, *, top: int) -> list[tuple[str, str]]:
    """Each group with its ``top`` most over-used terms, comma-joined."""
    if spec is None or not len(spec):
        return []
    spec = ticked_only(spec.assign(modality=spec["modality"].astype(str)))
    spec["modality"] = spec["modality"].map(display_text)
    spec["specificity"] = pd.to_numeric(spec["specificity"], errors="coerce")
    rows = []
    for mod, sub in spec.groupby("modality", sort=False):
        best = sub[sub["specificity"] > 0].sort_values("specificity", ascending=False).head(top)
        rows.append((str(mod),
                     ", ".join(display_text(t).replace("_", " ") for t in best["term"])))
    return rows


def _crosstabs(data: RunData, figures: Figures, colours: dict[int, str], w: dict[str, str],
               lang: str, alpha: float, top_terms: int) -> dict[str, Any] | None:
    if not data.crosstabs:
        return None
    blocks = []
    for stem, crosstab in data.crosstabs.items():
        name = question_name(crosstab, stem)
        shown = data.closed_label(name)
        blocks.append({
            "heading": heading(w["variable"], shown, lang),
            "heat": _heat_table(crosstab, colours, w, lang, alpha),
            "chart": _image(figures.by_group.get(stem), w["by_group_chart"] + " " + shown),
            "specificities": _specificities(data.specificities.get(stem), top=top_terms),
        })
    effects = (_effects(data.effects, colours, lang, alpha, data.closed_label)
               if data.effects is not None and len(data.effects) else None)
    weighted = any(is_weighted(c) for c in data.crosstabs.values())
    return {"blocks": blocks, "effects": effects, "weighted": weighted}


def p_stars(p: float) -> str:
    """``*``, ``**``, ``***`` for p below 0.05, 0.01, 0.001."""
    if p != p:
        return ""
    return "*" * sum(p < t for t in (0.05, 0.01, 0.001))


def _effects(effects: pd.DataFrame, colours: dict[int, str], lang: str,
             alpha: float, label: Any = str) -> dict[str, Any] | None:
    """Odds ratios as a theme x (covariate: level) table; ``None`` without covariate columns."""
    if "covariate" not in effects or "level" not in effects:
        return None
    table = effects.copy()
    table["column"] = [f"{display_text(c)}: {display_text(lv)}"
                       for c, lv in zip(table["covariate"], table["level"], strict=True)]
    columns = list(dict.fromkeys(table["column"]))
    firsts = table.groupby("column", sort=False)[["covariate", "level", "reference"]].first()
    # Two header rows: the covariate over its levels, then each level with its reference.
    spans: list[list[Any]] = []
    for col in columns:
        cov = display_text(label(str(firsts.loc[col, "covariate"])))
        if spans and spans[-1][0] == cov:
            spans[-1][1] += 1
        else:
            spans.append([cov, 1])
    levels = [(display_text(firsts.loc[c, "level"]), display_text(firsts.loc[c, "reference"]))
              for c in columns]
    rows = []
    for tid, sub in table.groupby("theme_id", sort=True):
        by_column = sub.set_index("column")
        tds: list[dict[str, str] | None] = []
        for col in columns:
            if col not in by_column.index:
                tds.append(None)
                continue
            cell = by_column.loc[col]
            # BH-adjusted p (over the run's effects, like the crosstabs) when recorded.
            p_col = "p_adjusted" if "p_adjusted" in cell.index else "p_value"
            odds, low, high, p = (float(pd.to_numeric(cell[c], errors="coerce"))
                                  for c in ("odds_ratio", "ci_low", "ci_high", p_col))
            if odds != odds:
                tds.append({"note": display_text(cell.get("note", ""))})
                continue
            significant = p == p and p < alpha
            # Same colour code as the crosstabs: blue above 1 (more often), red below.
            tds.append({
                "class": "num sig" if significant else "num",
                "colour": residual_colour(3.0 if odds > 1 else -3.0, muted=not significant),
                "text": (f"{number(odds, lang, digits=2)} [{number(low, lang, digits=2)}–"
                         f"{number(high, lang, digits=2)}]{p_stars(p)}"),
                # Shown on two lines (odds ratio, then its interval) so that columns stay narrow.
                "odds": f"{number(odds, lang, digits=2)}{p_stars(p)}",
                "ci": f"[{number(low, lang, digits=2)}–{number(high, lang, digits=2)}]",
            })
        rows.append({"id": int(tid), "label": display_text(sub["label"].iloc[0]),
                     "colour": colours.get(int(tid), _NO_COLOUR), "cells": tds})
    return {"spans": [tuple(s) for s in spans], "levels": levels, "rows": rows,
            "tables": effect_tables(spans, levels, rows)}


#: Most level columns in one effects table: with the theme column it fits the page width (and
#: an A4 page when printed) without scrolling sideways.
MAX_EFFECT_COLUMNS = 5


def effect_tables(spans: list[list[Any]], levels: list[tuple[str, str]],
                  rows: list[dict[str, Any]], *,
                  max_columns: int = MAX_EFFECT_COLUMNS) -> list[dict[str, Any]]:
    """Cut the effects table into tables of at most ``max_columns`` level columns.

    A closed question's levels stay together when they fit in one table; one with more levels
    is cut into several tables (its name repeated). Each table has the same keys as the whole
    (``spans``, ``levels``, ``rows`` with their ``cells``).
    """
    pieces: list[tuple[str, int, int]] = []  # covariate, first column, number of columns
    start = 0
    for cov, span in spans:
        for offset in range(0, span, max_columns):
            pieces.append((cov, start + offset, min(max_columns, span - offset)))
        start += span
    tables: list[list[tuple[str, int, int]]] = []
    for piece in pieces:
        if tables and sum(p[2] for p in tables[-1]) + piece[2] <= max_columns:
            tables[-1].append(piece)
        else:
            tables.append([piece])
    out = []
    for group in tables:
        columns = [c for _, first, n in group for c in range(first, first + n)]
        out.append({
            "spans": [(cov, n) for cov, _, n in group],
            "levels": [levels[c] for c in columns],
            "rows": [{**row, "cells": [row["cells"][c] for c in columns]} for row in rows],
        })
    return out


def render_report(data: RunData, figures: Figures, colours: dict[int, str], *, lang: str = "fr",
                  alpha: float = TableOptions().alpha, top_terms: int = 10) -> str:
    """Return the report of one run as a complete HTML document.

    Parameters
    ----------
    data : RunData
        The finished run, as read from its folder.
    figures : Figures
        The charts and word clouds drawn for it (embedded as ``data:`` URIs).
    colours : dict of int to str
        Colour of each theme id.
    lang : {"fr", "en"}
        Language of the fixed text.
    alpha : float
        Level below which an adjusted p-value marks a cell as significant.
    top_terms : int
        Number of specific terms shown for each group.

    Returns
    -------
    str
        The page, ending with a newline.
    """
    w = strings(lang, classes=data.reinert is not None)
    crosstabs = _crosstabs(data, figures, colours, w, lang, alpha, top_terms)
    k_chart = _image(figures.k_selection, w["k_selection"])
    toc = [("overview", w["overview"]), ("themes", w["themes"])]
    if crosstabs:
        toc.append(("crosstabs", w["crosstabs"]))
    # --- issue 17: correspondence and similarity analysis ---
    analysis = analysis_context(data.folder, lang, _image)
    if analysis and analysis["map"]:
        toc.append(("ca", analysis["w"]["ca"]))
    if analysis and analysis["graph"]:
        toc.append(("similarity", analysis["w"]["similarity"]))
    # --- end issue 17 ---
    if k_chart:
        toc.append(("k-selection", w["k_selection"]))
    reinert = None
    if data.reinert is not None:  # Reinert classification (issue 16)
        from textmine.report.reinert import section

        reinert = section(data.reinert, lang=lang, folder=data.folder)
        reinert["image"] = _image(figures.dendrogram, reinert["w"]["dendrogram"])
        toc.append(("reinert", reinert["w"]["reinert"]))
    toc.append(("record", w["run_record"]))
    meta = " · ".join(str(x) for x in (input_name(data.run), data.run.get("created", "")) if x)
    return _page(
        "report.html", lang=lang, classes=data.reinert is not None,
        title=data.heading or w["title"], question=data.question(),
        meta=meta, toc=toc,
        overview=_overview(data, figures, w, lang),
        cards=_theme_cards(data, figures, colours, w, lang), crosstabs=crosstabs,
        k_selection={"why": data.k_choice(lang)[1], "chart": k_chart} if k_chart else None,
        analysis=analysis,  # issue 17
        reinert=reinert, record=flatten(shareable(data.run)),
    )


def write_html(data: RunData, path: Path, figures: Figures, colours: dict[int, str], *,
               lang: str = "fr", alpha: float = TableOptions().alpha, top_terms: int = 10) -> Path:
    """Write the report of one run to ``path`` (UTF-8, self-contained).

    Parameters
    ----------
    data, figures, colours, lang, alpha, top_terms
        As for :func:`render_report`.
    path : Path
        The file to write (``report.html`` of the run folder).

    Returns
    -------
    Path
        ``path``.
    """
    path.write_text(render_report(data, figures, colours, lang=lang, alpha=alpha,
                                  top_terms=top_terms), encoding="utf-8")
    return path


@dataclass(frozen=True)
class IndexEntry:
    """One question of a project run, as listed on the index page."""

    question: str
    folder: str
    respondents: int
    answers_ok: int
    k: int
    themes: tuple[tuple[int, str, float], ...]  # (theme id, label, share)
    #: Sub-folders of the question holding a report of their own (Reinert: ``reinert``).
    sub_reports: tuple[str, ...] = ()


def render_index(entries: Iterable[IndexEntry], *, title: str, lang: str = "fr") -> str:
    """Return the project index page linking every question's report (relative links only).

    Parameters
    ----------
    entries : iterable of IndexEntry
        The questions of the project, in the order to list them.
    title : str
        Title of the project (shown under the page title).
    lang : {"fr", "en"}
        Language of the fixed text.

    Returns
    -------
    str
        The page, ending with a newline.
    """
    questions = []
    for entry in entries:
        colours = theme_colours(tid for tid, _, _ in entry.themes)
        questions.append({
            "entry": entry,
            "themes": [(colours[tid], label, percent(share, lang))
                       for tid, label, share in entry.themes],
        })
    return _page("index.html", lang=lang, title=strings(lang)["index_title"], question=title,
                 meta="", toc=[], questions=questions)
