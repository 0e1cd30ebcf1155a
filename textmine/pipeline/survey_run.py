"""``textmine inspect`` and ``textmine init``: look at a survey, write a starter project file."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from textmine.config import ReadOptions
from textmine.errors import OutputError
from textmine.project import starter_text
from textmine.survey import Survey, read_survey
from textmine.survey import inspect_survey as _inspect_survey

__all__ = ["init_project", "inspect_survey"]


class _NoDetectionWarning(logging.Filter):
    """Drop the reader's ``detected ...`` warning: ``inspect`` prints its own detection line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().split(": ", 1)[-1].startswith("detected ")


def inspect_survey(path: str | Path, *,
                   options: ReadOptions = ReadOptions()) -> tuple[Survey, pd.DataFrame]:
    """Read ``path`` and describe its columns (:func:`textmine.survey.inspect_survey`).

    The reader's warning about what it detected (platform layout, IRaMuTeQ corpus, ``sep=``
    line) is held back: ``textmine inspect`` prints the detection once, on its ``profile:``
    line, so it is not said twice.
    """
    reader_log = logging.getLogger("textmine.survey.formats")
    quiet = _NoDetectionWarning()
    reader_log.addFilter(quiet)
    try:
        return _inspect_survey(path, options=options)
    finally:
        reader_log.removeFilter(quiet)


def init_project(
    survey_path: str | Path, *, options: ReadOptions = ReadOptions(), out: str | Path | None = None
) -> Path:
    """Write a commented starter ``textmine.toml`` for ``survey_path`` and return its path.

    The survey is read with ``options``; every detected open and closed question is declared,
    so the researcher only has to check types, labels and level orders.

    Parameters
    ----------
    survey_path : str or Path
        The survey file.
    options : ReadOptions
        How to read it (id column, sheet, encoding, separator...).
    out : str or Path, optional
        Project file to write; default ``textmine.toml`` in the current folder.

    Raises
    ------
    OutputError
        If ``out`` already exists (it is never overwritten).
    """
    out = Path(out) if out is not None else Path.cwd() / "textmine.toml"
    if out.exists():
        raise OutputError(
            f"{out} already exists; choose another file with --out or edit the existing one."
        )
    survey = read_survey(survey_path, options=options)
    text = starter_text(survey, options, out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        raise OutputError(
            f"{out} already exists; choose another file with --out or edit the existing one."
        ) from None
    except OSError as exc:
        raise OutputError(f"Cannot write {out}: {exc.strerror}.") from None
    return out
