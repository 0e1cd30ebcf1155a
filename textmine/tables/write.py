"""Writing a run's tables: ``crosstab_<COL>.csv``, ``specificities_<COL>.csv``, ``effects.csv``.

:func:`write_tables` writes into a folder the caller already made safe (``run_themes`` writes
inside its :func:`textmine.outputs.atomic_output_dir`). :func:`recompute_tables` serves
``textmine crosstab RUN_DIR``: it rereads a finished run and replaces only the table files, each
written to a temporary file first and moved into place with ``os.replace``, so the run's other
files are never touched and an interrupted call leaves complete files only.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from textmine.config import ReadOptions, TableOptions
from textmine.errors import ColumnError, DataError, InputFileError, OutputError
from textmine.outputs import restore_cell, unique_filenames, write_csv
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
            written.append(write_csv(part, folder / f"crosstab_{stems[q.name]}.csv"))
        if terms is not None:
            for q in questions:
                spec = specificities_frame(terms, [q], min_freq=options.spec_min_freq)
                written.append(write_csv(spec, folder / f"specificities_{stems[q.name]}.csv"))
    if effect_covariates:
        eff = effects_frame(answers, themes, effect_covariates, weights=weights, options=options)
        written.append(write_csv(eff, folder / "effects.csv"))
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


def _read_run_csv(run_dir: Path, name: str, *, required: bool = True) -> pd.DataFrame | None:
    path = run_dir / name
    if not path.is_file():
        if required:
            raise InputFileError(
                f"{name} not found in {run_dir}; pass the folder of a finished themes run."
            )
        return None
    # Ids stay text: "007" must not become 7; ids neutralised on writing are restored.
    # "NA" or "null" are valid ids and labels (the survey reader keeps them): only empty cells
    # are missing.
    table = pd.read_csv(
        path, dtype={"respondent_id": str, "theme_id": str, "themes": str},
        keep_default_na=False, na_values=[""],
    )
    if "respondent_id" in table:
        table["respondent_id"] = table["respondent_id"].map(restore_cell)
    return table


def _tuples(value: object) -> object:
    """JSON lists back to the tuples of the frozen option dataclasses (recursively)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def run_read_options(record: dict) -> ReadOptions:
    """ReadOptions of a run: ``settings.read`` when recorded (types, levels, weights...), else
    the ``input`` block's id column and sheet."""
    info = record.get("input") or {}
    saved = (record.get("settings") or {}).get("read")
    if isinstance(saved, dict):
        known = {f for f in ReadOptions.__dataclass_fields__}
        kwargs = {k: _tuples(v) for k, v in saved.items() if k in known}
        kwargs.setdefault("id_col", info.get("id_col"))
        kwargs.setdefault("sheet", info.get("sheet"))
        return ReadOptions(**kwargs)
    return ReadOptions(id_col=info.get("id_col"), sheet=info.get("sheet"))


def read_run(run_dir: str | Path) -> dict:
    """Read ``run.json`` of a finished run (it must name the survey in ``input.path``)."""
    run_dir = Path(run_dir)
    path = run_dir / "run.json"
    if not path.is_file():
        raise InputFileError(
            f"run.json not found in {run_dir}; pass the folder of a finished themes run."
        )
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(f"Cannot read {path}: {exc}; rerun the themes command.") from exc
    info = record.get("input") if isinstance(record, dict) else None
    if not isinstance(info, dict) or not info.get("path"):
        raise InputFileError(
            f"{path} has no input.path; rerun the themes command to record the survey file."
        )
    return record


def recompute_tables(
    run_dir: str | Path,
    *,
    by: Sequence[str],
    weights: str | None = None,
    effects: Sequence[str] = (),
    options: TableOptions = TableOptions(),
) -> list[Path]:
    """Recompute the table files of a finished themes run, in place and safely.

    Reads ``run.json`` (survey path and the read options of the run: id column, sheet, types,
    levels, weights), ``answers.csv``, ``themes.csv`` and ``terms.csv`` (optional) from
    ``run_dir``, rereads the survey, and replaces or adds the table files only. Without
    ``weights``, the weights recorded with the run (if any) are used.

    Returns
    -------
    list of Path
        The table files now in ``run_dir``.
    """
    from textmine.survey import read_survey

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputFileError(f"Run folder {run_dir} not found; pass the folder of a themes run.")
    record = read_run(run_dir)
    survey_path = Path(record["input"]["path"])
    if not survey_path.is_absolute() and not survey_path.exists():
        survey_path = run_dir / survey_path
    if not survey_path.is_file():
        raise InputFileError(
            f"Survey file {survey_path} named in {run_dir / 'run.json'} not found; put it back "
            "or rerun the themes command."
        )
    survey = read_survey(survey_path, options=run_read_options(record))
    if weights is None:  # the weights the run was made with (themes --weights)
        weights = (record.get("settings") or {}).get("weights")
    recorded = record["input"].get("sha256")
    if recorded and survey.source.sha256 != recorded:
        # Answers join the survey by id; with row-number ids an edited file would silently
        # attach answers to the wrong respondents.
        raise DataError(
            f"Survey file {survey_path.name} changed since the run in {run_dir} (sha256 differs); "
            "rerun the themes command on the current file."
        )
    if weights is not None and weights not in survey.data.columns:
        raise ColumnError(
            f"Weight column '{weights}' not found in {survey_path.name}; available columns: "
            f"{', '.join(map(str, survey.data.columns))}."
        )
    answers = _read_run_csv(run_dir, "answers.csv")
    themes = _read_run_csv(run_dir, "themes.csv")
    terms = _read_run_csv(run_dir, "terms.csv", required=False)
    if terms is None:
        log.warning("terms.csv not found in %s; specificities are not written.", run_dir)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".tables.tmp-", dir=run_dir))
    except OSError as exc:
        raise OutputError(f"Cannot write into {run_dir}: {exc.strerror}.") from exc
    try:
        files = write_tables(
            tmp,
            answers=answers,
            themes=themes,
            terms=terms,
            survey=survey,
            by=list(by),
            weights=weights,
            effects=list(effects),
            options=options,
        )
        final = []
        for f in files:
            os.replace(f, run_dir / f.name)
            final.append(run_dir / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
