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
from textmine.runfolder import (
    CLOSED_CSV,
    EFFECTS_CSV,
    crosstab_csv,
    specificities_csv,
    write_run_csv,
)
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
    if questions or effect_covariates:
        closed = closed_answers_frame(answers, [*questions, *effect_covariates])
        written.append(write_run_csv(closed, folder, CLOSED_CSV))
    log.info("Wrote %d table files into %s.", len(written), folder)
    return written


def closed_answers_frame(answers: pd.DataFrame, questions: Sequence[ClosedData]) -> pd.DataFrame:
    """The closed questions of ``questions`` for the respondents of ``answers`` (``closed.csv``).

    Returns
    -------
    DataFrame
        ``respondent_id`` (in the order of ``answers``), then one column per single, ordinal or
        numeric question (its answer) and one 0/1 column per option of a multiple choice (named
        after the option column); each question once.
    """
    from textmine.tables.respondents import clean_id

    ids = [clean_id(i) for i in answers["respondent_id"]]
    out = pd.DataFrame({"respondent_id": ids})
    for q in {q.name: q for q in questions}.values():
        data = q.data.copy()
        data.index = [clean_id(i) for i in data.index]
        frame = data if isinstance(data, pd.DataFrame) else data.rename(q.name).to_frame()
        for column in frame.columns:
            if column in out.columns:
                continue
            values = frame[column].reindex(ids)
            if isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype(object)
            out[column] = values.to_numpy()
    return out


def write_closed_answers(folder: str | Path, *, answers: pd.DataFrame, survey: object,
                         names: Sequence[str]) -> Path:
    """Write ``closed.csv`` for the closed questions ``names`` of ``survey`` (each once).

    ``textmine crosstab`` calls it with every question of the run (those crossed before and
    now), so that adding a question never drops the others from the answers sheet.
    """
    questions = [closed_data(survey, name) for name in dict.fromkeys(names)]
    return write_run_csv(closed_answers_frame(answers, questions), folder, CLOSED_CSV)


def check_closed_questions(survey: object, names: Sequence[str]) -> None:
    """Check that every name in ``names`` is a closed question of ``survey`` that tables take.

    Called by the runs before their slow steps (text stage, model fitting, classification), so
    that a misspelt ``--by`` is refused at once instead of after minutes of work.

    Raises
    ------
    ColumnError
        A name that is not a question of the survey (the message lists the closed ones).
    OptionError
        A question of a type tables cannot cross (e.g. an open question).
    """
    for name in dict.fromkeys(names):
        closed_data(survey, name)


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
