"""``textmine report RUN_DIR``: (re)write the report of a finished run."""

from __future__ import annotations

from pathlib import Path

from textmine.config import ReportOptions
from textmine.outputs import replace_entries
from textmine.report import REPORT_ENTRIES, render_report
from textmine.report.i18n import check_lang
from textmine.report.rundata import load_run
from textmine.runfolder import check_run_folder


def rewrite_report(folder: str | Path, *, options: ReportOptions = ReportOptions()) -> list[Path]:
    """(Re)write the report of a finished run folder, replacing its previous report.

    The new report is built in a temporary folder inside the run and moved into place only once
    complete, so a failure leaves the previous report untouched.
    """
    check_lang(options.lang)
    folder = Path(folder)
    check_run_folder(folder, "report")
    data = load_run(folder)
    data.use_labels(options)
    return replace_entries(folder, lambda tmp: render_report(data, tmp, options),
                           names=REPORT_ENTRIES)
