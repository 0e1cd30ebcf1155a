"""``textmine report RUN_DIR``: (re)write the report of a finished run."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from textmine.config import ReportOptions
from textmine.errors import OutputError
from textmine.report import REPORT_ENTRIES, render_report
from textmine.report.i18n import check_lang
from textmine.report.rundata import load_run


def rewrite_report(folder: str | Path, *, options: ReportOptions = ReportOptions()) -> list[Path]:
    """(Re)write the report of a finished run folder, replacing its previous report.

    The new report is built in a temporary folder inside the run and moved into place only once
    complete, so a failure leaves the previous report untouched.
    """
    check_lang(options.lang)
    folder = Path(folder)
    data = load_run(folder)
    data.use_labels(options)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".report-tmp-", dir=folder))
    except OSError as exc:
        raise OutputError(f"Cannot write the report into {folder}: {exc.strerror}.") from exc
    try:
        written = render_report(data, tmp, options)
        for name in REPORT_ENTRIES:
            target = folder / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            if (tmp / name).exists():
                os.replace(tmp / name, target)
    except OSError as exc:
        raise OutputError(f"Cannot write the report into {folder}: {exc}.") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [folder / p.relative_to(tmp) for p in written]
