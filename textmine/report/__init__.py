"""Reports of a finished run: workbook, self-contained HTML, word clouds, charts, paper tables.

The report reads only the files of a run folder (see :func:`textmine.report.rundata.load_run`), so
it can be (re)written from a finished run without re-running the analysis.
"""

from __future__ import annotations

import logging
from pathlib import Path

from textmine.config import ReportOptions
from textmine.outputs import safe_filename
from textmine.report.charts import group_prevalence_chart, k_selection_chart, prevalence_chart
from textmine.report.clouds import write_wordclouds
from textmine.report.colours import theme_colours
from textmine.report.html import Figures, write_html
from textmine.report.i18n import check_lang
from textmine.report.markdown import write_paper_tables
from textmine.report.rundata import RunData, load_run
from textmine.report.xlsx import write_workbook
from textmine.runfolder import (
    FIGURES_DIR,
    K_SELECTION_PNG,
    REPORT_ENTRIES,
    REPORT_HTML,
    REPORT_XLSX,
    TABLES_MD_DIR,
)

__all__ = ["REPORT_ENTRIES", "RunData", "load_run", "render_report", "write_report"]

logger = logging.getLogger(__name__)



def draw_figures(data: RunData, folder: Path, *, options: ReportOptions) -> Figures:
    """Draw the word clouds and charts of ``data`` into ``folder`` and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    colours = theme_colours(data.themes["theme_id"])
    figures = Figures()
    if options.wordclouds and data.term_weights is not None and len(data.term_weights):
        figures.clouds = write_wordclouds(
            data.term_weights, data.themes, colours, folder,
            max_terms=options.max_cloud_terms, svg=options.svg, seed=options.seed)
    total = data.counts()["answers_ok"]
    if len(data.themes) and total:
        figures.prevalence = prevalence_chart(data.themes, total, colours,
                                              folder / "prevalence.png", lang=options.lang,
                                              classes=data.reinert is not None)
    for column, crosstab in data.crosstabs.items():
        if len(crosstab):
            path = folder / f"prevalence_by_{safe_filename(column)}.png"
            figures.by_group[column] = group_prevalence_chart(
                crosstab, colours, path, variable=data.closed_label(column), lang=options.lang)
    if data.k_selection is not None and "k" in data.k_selection and len(data.k_selection):
        figures.k_selection = k_selection_chart(data.k_selection, data.chosen_k(),
                                                folder / K_SELECTION_PNG, lang=options.lang)
    elif (data.folder / K_SELECTION_PNG).is_file():
        figures.k_selection = data.folder / K_SELECTION_PNG
    if data.reinert is not None:  # Reinert classification (issue 16)
        from textmine.report.reinert import draw_dendrogram

        figures.dendrogram = draw_dendrogram(data.reinert, folder)
    return figures


def render_report(data: RunData, dest: Path, options: ReportOptions) -> list[Path]:
    colours = theme_colours(data.themes["theme_id"])
    alpha = data.alpha()
    figures = draw_figures(data, dest / FIGURES_DIR, options=options)
    written = sorted(p for p in (dest / FIGURES_DIR).iterdir() if p.is_file())
    written += write_paper_tables(data, dest / TABLES_MD_DIR, lang=options.lang, alpha=alpha)
    if options.xlsx:
        written.append(write_workbook(data, dest / REPORT_XLSX, lang=options.lang, alpha=alpha,
                                      max_specific_terms=options.sheet_specific_terms))
    if options.html:
        written.append(write_html(data, dest / REPORT_HTML, figures, colours,
                                  lang=options.lang, alpha=alpha,
                                  top_terms=options.top_specific_terms))
    logger.info("Report of %s: %d files written.", data.folder, len(written))
    return written


def write_report(folder: str | Path, *, options: ReportOptions = ReportOptions()) -> list[Path]:
    """Write ``report.html``, ``report.xlsx``, ``figures/`` and ``tables_md/`` into a run folder.

    Called inside the run's :func:`textmine.outputs.atomic_output_dir` by the pipeline; use
    :func:`rewrite_report` to replace the report of a finished run.

    Parameters
    ----------
    folder : path
        Run folder holding ``themes.csv``, ``answers.csv`` and the other tables of a run.
    options : ReportOptions
        Language and which outputs to write.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    OptionError
        If ``options.lang`` is not ``fr`` or ``en``.
    InputFileError
        If the folder is not a finished run.
    """
    check_lang(options.lang)
    data = load_run(folder)
    data.use_labels(options)
    return render_report(data, Path(folder), options)
