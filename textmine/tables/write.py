"""Writing a run's tables: ``crosstab_<COL>.csv``, ``specificities_<COL>.csv``, ``effects.csv``.

:func:`write_tables` writes into a folder the caller already made safe (``run_themes`` writes
inside its :func:`textmine.outputs.atomic_output_dir`); ``textmine crosstab RUN_DIR``
(:mod:`textmine.pipeline.tables_run`) calls it on a finished run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from textmine.config import TableOptions
from textmine.outputs import unique_filenames
from textmine.runfolder import EFFECTS_CSV, crosstab_csv, specificities_csv, write_run_csv
from textmine.tables.crosstab import ClosedData, closed_data, crosstab_frame, survey_weight_series
from textmine.tables.effects import effects_frame
from textmine.tables.specificities import specificities_frame

log = logging.getLogger(__name__)


def write_table_files(
    folder: str | Path,
    *,
    answers: pd.DataFrame,
    themes: pd.DataFrame,
    terms: pd.DataFrame | None,
    questions: Sequence[ClosedData],
    effect_covariates: Sequence[ClosedData] = (),
    weights: pd.Series | None = None,
    options: TableOptions = TableOptions(),
) -> list[Path]:
    """Write the table files from plain pandas data (engine of :func:`write_tables`).

    Benjamini–Hochberg adjusts across every crosstab test written together (all themes x all
    questions). Without ``terms`` no specificities are written.
    """
    folder = Path(folder)
    written: list[Path] = []
    stems = unique_filenames([q.name for q in questions])
    if questions:
        table = crosstab_frame(answers, themes, questions, weights=weights, options=options)
        for q in questions:
            part = table[table["question"] == q.name]
            written.append(write_run_csv(part, folder, crosstab_csv(stems[q.name])))
        if terms is not None:
            for q in questions:
                spec = specificities_frame(terms, [q], min_freq=options.spec_min_freq)
                written.append(write_run_csv(spec, folder, specificities_csv(stems[q.name])))
    if effect_covariates:
        eff = effects_frame(answers, themes, effect_covariates, weights=weights, options=options)
        written.append(write_run_csv(eff, folder, EFFECTS_CSV))
    log.info("Wrote %d table files into %s.", len(written), folder)
    return written


def write_tables(
    folder: str | Path,
    *,
    answers: pd.DataFrame,
    themes: pd.DataFrame,
    terms: pd.DataFrame | None,
    survey: object,
    by: Sequence[str],
    weights: str | pd.Series | None = None,
    effects: Sequence[str] = (),
    options: TableOptions = TableOptions(),
) -> list[Path]:
    """Write ``crosstab_<COL>.csv``, ``specificities_<COL>.csv``, ``effects.csv`` into ``folder``.

    Parameters
    ----------
    folder : path
        Existing folder (already made safe by the caller).
    answers, themes, terms : DataFrame
        ``answers.csv``, ``themes.csv`` and ``terms.csv`` of the run (``terms`` may be ``None``).
    survey : textmine.survey.Survey
        The survey the answers come from.
    by : sequence of str
        Closed questions to cross with the themes (one crosstab and specificities file each).
    weights : str, Series or None
        Weight column, Series, or ``None`` for the survey's declared weights (if any).
    effects : sequence of str
        Closed questions of the effects model (``effects.csv``); empty for none.
    options : TableOptions
        Table options.

    Returns
    -------
    list of Path
        The files written.
    """
    questions = [closed_data(survey, name) for name in by]
    covs = [closed_data(survey, name) for name in effects]
    return write_table_files(
        folder,
        answers=answers,
        themes=themes,
        terms=terms,
        questions=questions,
        effect_covariates=covs,
        weights=survey_weight_series(survey, weights),
        options=options,
    )
