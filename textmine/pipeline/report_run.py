"""``textmine report RUN_DIR``: (re)write the report of a finished run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textmine.config import ReportOptions
from textmine.outputs import replace_entries
from textmine.report import REPORT_ENTRIES, render_report
from textmine.report.i18n import check_lang
from textmine.report.rundata import load_run
from textmine.runfolder import check_run_folder, run_report_options


def rewrite_report(folder: str | Path, *, options: ReportOptions | None = None,
                   lang: str | None = None, title: str | None = None,
                   wordclouds: bool | None = None) -> list[Path]:
    """(Re)write the report of a finished run folder, replacing its previous report.

    The new report is built in a temporary folder inside the run and moved into place only once
    complete, so a failure leaves the previous report untouched.

    Parameters
    ----------
    folder : str or Path
        The run folder.
    options : ReportOptions, optional
        Used as given. Without it, the report options recorded in the run's run.json
        (``settings.report_options``; the defaults for a run that has none), with ``lang``,
        ``title`` and ``wordclouds`` replacing the recorded ones when given.
    lang, title, wordclouds : optional
        ``--lang``, ``--title``, ``--wordclouds/--no-wordclouds`` of ``textmine report``.

    Raises
    ------
    InputFileError
        Not a run folder.
    OptionError
        An unknown language.
    """
    folder = Path(folder)
    check_lang(options.lang if options is not None else lang or ReportOptions.lang)
    check_run_folder(folder, "report")
    data = load_run(folder)
    if options is None:
        given = {k: v for k, v in (("lang", lang), ("title", title), ("wordclouds", wordclouds))
                 if v is not None}
        options = replace(run_report_options(data.run) or ReportOptions(), **given)
        check_lang(options.lang)
    data.use_labels(options)
    return replace_entries(folder, lambda tmp: render_report(data, tmp, options),
                           names=REPORT_ENTRIES)
