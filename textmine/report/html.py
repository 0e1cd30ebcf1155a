"""The self-contained HTML report: one file, styles and images inline, nothing fetched.

Every piece of respondent or user text goes through :func:`html.escape`; a Content-Security-Policy
meta tag also forbids scripts and any resource that is not an inline ``data:`` image, so the file
stays inert even if a future change forgot an escape.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import pandas as pd

from textmine.config import TableOptions
from textmine.outputs import package_version
from textmine.report.charts import wilson_interval
from textmine.report.colours import residual_colour, theme_colours
from textmine.report.i18n import colon, heading, number, percent, strings
from textmine.report.markdown import (
    format_p,
    multi_variable,
    question_name,
    status_rows,
    theme_rows,
    ticked_only,
)
from textmine.report.rundata import RunData, display_text
from textmine.report.xlsx import flatten
from textmine.runfolder import COUNT_NON_ANSWER


@dataclass
class Figures:
    """PNG files drawn for a report (all optional)."""

    clouds: dict[int, Path] = field(default_factory=dict)
    prevalence: Path | None = None
    by_group: dict[str, Path] = field(default_factory=dict)
    k_selection: Path | None = None


def _version() -> str:
    return package_version("textmine")


def esc(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute (``None``/NaN become ``""``)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    return html.escape(str(value), quote=True)


#: Folder of the page template and style sheet (package data).
RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "report"


def _resource(name: str) -> str:
    return (RESOURCES / name).read_text(encoding="utf-8")


def data_uri(path: Path) -> str:
    """Return the PNG/SVG file at ``path`` as a ``data:`` URI (the report needs no other file)."""
    mime = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _img(path: Path | None, alt: str, cls: str = "") -> str:
    if path is None or not path.is_file():
        return ""
    klass = f' class="{cls}"' if cls else ""
    return f'<img{klass} src="{data_uri(path)}" alt="{esc(alt)}">'


def _tile(num: object, label: str) -> str:
    return (f'<div class="tile"><div class="num">{esc(num)}</div>'
            f'<div class="lab">{esc(label)}</div></div>')


def _overview(data: RunData, figures: Figures, w: dict[str, str], lang: str) -> str:
    counts = data.counts()
    k, why = data.k_choice(lang)
    tiles = "".join([
        _tile(counts["respondents"], w["respondents"]),
        _tile(counts["answers_ok"], w["answers_ok"]),
        _tile(counts["themed"], w["themed"]),
        _tile(counts["unassigned"], w["unassigned"]),
        _tile(counts[COUNT_NON_ANSWER], w["nonanswers"]),
        _tile(counts["empty"], w["empty"]),
        _tile(k, w["k"]),
    ])
    parts = [f'<section id="overview"><h2>{esc(w["overview"])}</h2>',
             f'<div class="tiles">{tiles}</div>']
    if why:
        parts.append(f'<div class="why"><strong>{esc(w["k_why"])}.</strong> {esc(why)}</div>')
    if figures.prevalence:
        parts.append(f'<figure>{_img(figures.prevalence, w["prevalence_chart"])}'
                     f'<figcaption>{esc(w["prevalence_caption"])}</figcaption></figure>')
    parts.append("</section>")
    return "\n".join(parts)


def _theme_cards(data: RunData, figures: Figures, colours: dict[int, str],
                 w: dict[str, str], lang: str) -> str:
    total = data.counts()["answers_ok"]
    cards = []
    for _, row in data.themes.sort_values("theme_id").iterrows():
        tid = int(row["theme_id"])
        n = int(row["n_answers"])
        share = n / total if total else 0.0
        low, high = wilson_interval(n, total) if total else (float("nan"), float("nan"))
        ci = (f"{esc(w['ci95'])} {percent(float(low), lang)} – {percent(float(high), lang)}"
              if total else "")
        terms = [t.strip().replace("_", " ")
                 for t in display_text(row.get("top_terms", "")).split(";") if t.strip()]
        chips = "".join(f"<li>{esc(t)}</li>" for t in terms)
        quotes = [display_text(row[c]) for c in data.quote_columns if display_text(row[c]).strip()]
        quote_html = ("".join(f"<blockquote>{esc(q)}</blockquote>" for q in quotes)
                      or f'<p class="caption">{esc(w["no_quotes"])}</p>')
        label = display_text(row["label"])
        cloud = _img(figures.clouds.get(tid), f"{w['wordcloud_alt']} {tid}. {label}", "cloud")
        cards.append(
            f'<article class="card" id="theme-{tid}" style="--c:{colours[tid]}">'
            f"<h3>{tid}. {esc(label)}</h3>"
            f'<div class="prev">{esc(w["prevalence"])}{colon(lang)}{n} '
            f'{esc(w["n_answers"].lower())} · '
            f"<strong>{percent(share, lang)}</strong> ({ci})</div>"
            f'<div class="bar"><span style="width:{100 * share:.1f}%"></span></div>'
            f'<ul class="terms" aria-label="{esc(w["top_terms"])}">{chips}</ul>'
            f"{cloud}<h4>{esc(w['quotes'])}</h4>{quote_html}</article>"
        )
    return (f'<section id="themes"><h2>{esc(w["themes"])}</h2>'
            f'<div class="cards">{"".join(cards)}</div></section>')


def _heat_table(crosstab: pd.DataFrame, colours: dict[int, str], w: dict[str, str], lang: str,
                alpha: float) -> str:
    view = theme_rows(crosstab, alpha=alpha)
    if not len(view):
        return ""
    multi = multi_variable(view)
    modalities = list(dict.fromkeys(view["modality"]))
    sizes = view.groupby("modality", sort=False)["n_modality"].first()
    head = "".join(f'<th class="num">{esc(display_text(m))}<br><small>n = {int(sizes[m])}'
                   f"</small></th>" for m in modalities)
    if not multi:
        head += (f"<th class=\"num\">{esc(w['p_adjusted'])}</th>"
                 f"<th class=\"num\">{esc(w['cramers_v'])}</th>")
    head = f"<tr><th>{esc(w['theme'])}</th>{head}</tr>"

    def row_html(sub: pd.DataFrame, first_cell: str) -> str:
        cells = sub.set_index("modality")
        tds = []
        for mod in modalities:
            if mod not in cells.index:
                tds.append("<td></td>")
                continue
            cell = cells.loc[mod]
            share, resid = cell["share"], float(cell["adj_residual"])
            text = "" if share != share else percent(share, lang) + cell["marks"]
            klass = "num sig" if cell["significant"] else "num"
            title = (f"{w['adj_residual']} = {number(resid, lang, digits=2)}"
                     if resid == resid else "")
            colour = residual_colour(resid, muted=not cell["significant"])
            tds.append(f'<td class="{klass}" style="background:{colour}" '
                       f'title="{esc(title)}">{esc(text)}</td>')
        p = float(sub["p_adjusted"].iloc[0]) if "p_adjusted" in sub else float("nan")
        v = float(sub["cramers_v"].iloc[0]) if "cramers_v" in sub else float("nan")
        v_text = "" if v != v else number(v, lang, digits=2)
        tests = ("" if multi else f'<td class="num">{esc(format_p(p, lang))}</td>'
                 f'<td class="num">{v_text}</td>')
        return f"{first_cell}{''.join(tds)}{tests}</tr>"

    rows = []
    for tid, sub in view.groupby("theme_id", sort=True):
        label = display_text(sub["label"].iloc[0])
        colour = colours.get(int(tid), "#666666")
        rows.append(row_html(sub, f'<tr><td style="--c:{colour}"><span class="swatch"></span>'
                                  f"{int(tid)}. {esc(label)}</td>"))
    # Who did not answer, or got no theme, by group: a non-response pattern is a finding too.
    names = {"unassigned": w["unassigned"], "non-answer": w["nonanswers"], "empty": w["empty"]}
    status_done = False
    for status, sub in status_rows(crosstab, alpha=alpha).groupby("label", sort=False):
        if sub["n"].sum() > 0:
            name = names.get(str(status), display_text(status))
            klass = "" if status_done else ' class="first-status"'
            status_done = True
            rows.append(row_html(sub, f'<tr{klass}><td class="status">{esc(name)}</td>'))
    legend = (f'<p class="legend"><span class="box" style="background:{residual_colour(4.0)}">'
              f'</span>{esc(w["legend_more"])}<span class="box" '
              f'style="background:{residual_colour(-4.0)}"></span>{esc(w["legend_less"])}</p>')
    return (f'<div class="scroll"><table class="heat">{head}{"".join(rows)}</table></div>'
            f"{legend}")


def _specificities(spec: pd.DataFrame, w: dict[str, str], *, top: int) -> str:
    if spec is None or not len(spec):
        return ""
    spec = ticked_only(spec.assign(modality=spec["modality"].astype(str)))
    spec["modality"] = spec["modality"].map(display_text)
    spec["specificity"] = pd.to_numeric(spec["specificity"], errors="coerce")
    rows = []
    for mod, sub in spec.groupby("modality", sort=False):
        best = sub[sub["specificity"] > 0].sort_values("specificity", ascending=False).head(top)
        terms = ", ".join(display_text(t).replace("_", " ") for t in best["term"])
        rows.append(f"<tr><td>{esc(mod)}</td><td>{esc(terms)}</td></tr>")
    return (f"<h4>{esc(w['specificities'])}</h4><p class=\"caption\">"
            f"{esc(w['specificities_caption'])}</p><table><tr><th>{esc(w['modality'])}</th>"
            f"<th>{esc(w['top_terms'])}</th></tr>{''.join(rows)}</table>")


def _crosstabs(data: RunData, figures: Figures, colours: dict[int, str], w: dict[str, str],
               lang: str, alpha: float, top_terms: int) -> str:
    if not data.crosstabs:
        return ""
    parts = [f'<section id="crosstabs"><h2>{esc(w["crosstabs"])}</h2>',
             f'<p class="caption">{esc(w["crosstab_caption"])}</p>']
    for stem, crosstab in data.crosstabs.items():
        name = question_name(crosstab, stem)
        label = data.question_labels.get(name)
        shown = f"{label} ({name})" if label and label != name else name
        parts.append(f"<h3>{esc(heading(w['variable'], shown, lang))}</h3>")
        parts.append(_heat_table(crosstab, colours, w, lang, alpha))
        chart = figures.by_group.get(stem)
        if chart:
            parts.append(f"<figure>{_img(chart, w['by_group_chart'] + ' ' + shown)}"
                         f"<figcaption>{esc(w['by_group_caption'])}</figcaption></figure>")
        parts.append(_specificities(data.specificities.get(stem), w, top=top_terms))
    effects = (_effects(data.effects, colours, w, lang, alpha)
               if data.effects is not None and len(data.effects) else "")
    if effects:
        parts.append(f"<h3>{esc(w['effects'])}</h3>{effects}")
    parts.append("</section>")
    return "\n".join(parts)


def p_stars(p: float) -> str:
    """``*``, ``**``, ``***`` for p below 0.05, 0.01, 0.001."""
    if p != p:
        return ""
    return "*" * sum(p < t for t in (0.05, 0.01, 0.001))


def _effects(effects: pd.DataFrame, colours: dict[int, str], w: dict[str, str], lang: str,
             alpha: float) -> str:
    """Odds ratios as a theme x (covariate: level) table; long format without covariate info."""
    if "covariate" not in effects or "level" not in effects:
        return ""
    table = effects.copy()
    table["column"] = [f"{display_text(c)}: {display_text(lv)}"
                       for c, lv in zip(table["covariate"], table["level"], strict=True)]
    columns = list(dict.fromkeys(table["column"]))
    firsts = table.groupby("column", sort=False)[["covariate", "level", "reference"]].first()
    # Two header rows: the covariate over its levels, then each level with its reference.
    spans: list[list] = []
    for col in columns:
        cov = display_text(firsts.loc[col, "covariate"])
        if spans and spans[-1][0] == cov:
            spans[-1][1] += 1
        else:
            spans.append([cov, 1])
    top = "".join(f'<th class="num" colspan="{n}">{esc(cov)}</th>' for cov, n in spans)
    head = "".join(f'<th class="num">{esc(display_text(firsts.loc[c, "level"]))}<br><small>'
                   f'({esc(w["ref"])} {esc(display_text(firsts.loc[c, "reference"]))})'
                   "</small></th>" for c in columns)
    rows = []
    for tid, sub in table.groupby("theme_id", sort=True):
        cells = sub.set_index("column")
        tds = []
        for col in columns:
            if col not in cells.index:
                tds.append("<td></td>")
                continue
            cell = cells.loc[col]
            odds, low, high, p = (float(pd.to_numeric(cell[c], errors="coerce"))
                                  for c in ("odds_ratio", "ci_low", "ci_high", "p_value"))
            if odds != odds:
                note = display_text(cell.get("note", ""))
                tds.append(f'<td class="num" title="{esc(note)}">—</td>')
                continue
            text = (f"{number(odds, lang, digits=2)} [{number(low, lang, digits=2)}–"
                    f"{number(high, lang, digits=2)}]{p_stars(p)}")
            significant = p == p and p < alpha
            # Same colour code as the crosstabs: blue above 1 (more often), red below.
            colour = residual_colour(3.0 if odds > 1 else -3.0, muted=not significant)
            klass = "num sig" if significant else "num"
            tds.append(f'<td class="{klass}" style="background:{colour}">{esc(text)}</td>')
        label = display_text(sub["label"].iloc[0])
        colour = colours.get(int(tid), "#666666")
        rows.append(f'<tr><td style="--c:{colour}"><span class="swatch"></span>{int(tid)}. '
                    f"{esc(label)}</td>{''.join(tds)}</tr>")
    return (f'<p class="caption">{esc(w["effects_caption"])}</p><div class="scroll">'
            f'<table class="heat effects"><tr><th rowspan="2">{esc(w["theme"])}</th>{top}</tr>'
            f'<tr>{head}</tr>{"".join(rows)}</table></div>')


def _k_section(data: RunData, figures: Figures, w: dict[str, str], lang: str) -> str:
    if figures.k_selection is None:
        return ""
    _, why = data.k_choice(lang)
    note = f'<div class="why">{esc(why)}</div>' if why else ""
    return (f'<section id="k-selection"><h2>{esc(w["k_selection"])}</h2>{note}'
            f"<figure>{_img(figures.k_selection, w['k_selection'])}"
            f"<figcaption>{esc(w['k_selection_caption'])}</figcaption></figure></section>")


def _record(data: RunData, w: dict[str, str]) -> str:
    rows = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in flatten(data.run))
    return (f'<section id="record"><h2>{esc(w["run_record"])}</h2>'
            f'<p class="caption">{esc(w["run_record_caption"])}</p>'
            f"<details><summary>{esc(w['run_record'])}</summary>"
            f'<table class="record"><tr><th>{esc(w["key"])}</th><th>{esc(w["value"])}</th></tr>'
            f"{rows}</table></details></section>")


def render_report(data: RunData, figures: Figures, colours: dict[int, str], *, lang: str = "fr",
                  alpha: float = TableOptions().alpha, top_terms: int = 10) -> str:
    """Return the report of one run as a complete HTML document (a string)."""
    w = strings(lang)
    sections = [
        ("overview", w["overview"], _overview(data, figures, w, lang)),
        ("themes", w["themes"], _theme_cards(data, figures, colours, w, lang)),
        ("crosstabs", w["crosstabs"], _crosstabs(data, figures, colours, w, lang, alpha,
                                                top_terms)),
        ("k-selection", w["k_selection"], _k_section(data, figures, w, lang)),
        ("record", w["run_record"], _record(data, w)),
    ]
    toc = "".join(f'<a href="#{anchor}">{esc(title)}</a>' for anchor, title, body in sections
                  if body)
    source = data.run.get("input") if isinstance(data.run.get("input"), dict) else {}
    meta = " · ".join(str(x) for x in (Path(str(source.get("path", ""))).name,
                                       data.run.get("created", "")) if x)
    return Template(_resource("report.html")).substitute(
        lang=lang, title=esc(w["title"]), question=esc(data.question()), meta=esc(meta),
        nav=f'<nav class="toc" aria-label="{esc(w["contents"])}">{toc}</nav>',
        css=_resource("report.css"),
        body="\n".join(body for _, _, body in sections if body),
        footer=esc(f"{w['generated']} {_version()}".strip()), version=esc(_version()),
    )


def write_html(data: RunData, path: Path, figures: Figures, colours: dict[int, str], *,
               lang: str = "fr", alpha: float = TableOptions().alpha, top_terms: int = 10) -> Path:
    """Write the report of one run to ``path`` (UTF-8, self-contained)."""
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


def render_index(entries: list[IndexEntry], *, title: str, lang: str = "fr") -> str:
    """Return the project index page linking every question's report (relative links only)."""
    w = strings(lang)
    sep = colon(lang)
    cards = []
    for entry in entries:
        href = esc(f"{entry.folder}/report.html")
        colours = theme_colours(tid for tid, _, _ in entry.themes)
        items = "".join(f'<li style="--c:{colours[tid]}"><span class="swatch"></span>'
                        f"{esc(label)} ({percent(share, lang)})</li>"
                        for tid, label, share in entry.themes)
        cards.append(
            f'<article class="card" style="--c:#34495e"><h3>{esc(entry.question)}</h3>'
            f'<div class="prev">{esc(w["respondents"])}{sep}{entry.respondents} · '
            f'{esc(w["answers_ok"])}{sep}{entry.answers_ok} · {esc(w["k"])}{sep}{entry.k}</div>'
            f'<ul class="index-themes">{items}</ul>'
            f'<p><a href="{href}">{esc(w["report_link"])}</a> · {esc(w["folder"])} '
            f"<code>{esc(entry.folder)}/</code></p></article>"
        )
    body = (f'<section><p class="caption">{esc(w["index_intro"])}</p>'
            f'<div class="cards">{"".join(cards)}</div></section>')
    return Template(_resource("report.html")).substitute(
        lang=lang, title=esc(w["index_title"]), question=esc(title), meta="",
        nav="", css=_resource("report.css"), body=body,
        footer=esc(f"{w['generated']} {_version()}".strip()), version=esc(_version()),
    )
