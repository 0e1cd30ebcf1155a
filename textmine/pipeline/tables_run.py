"""``textmine crosstab RUN_DIR``: recompute the table files of a finished themes or Reinert run.

A Reinert run (``textmine reinert``, or ``<question>/reinert/`` of ``textmine run``) is read
as themes (:func:`textmine.classes.views.as_themes`: each classified respondent has their
primary class), so classes × closed questions go through the same crosstab code; its terms
(for the specificities) are those of its segments, from the parse cache.

It rereads a finished run and replaces only the table files, each written to a temporary folder
first and moved into place (:func:`textmine.outputs.replace_entries`), so the run's other files
are never touched and an interrupted call leaves complete files only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

import pandas as pd

from textmine.config import TableOptions, TextOptions
from textmine.errors import DataError, InputFileError
from textmine.outputs import replace_entries
from textmine.runfolder import (
    ANSWERS_CSV,
    CHARACTERISTIC_SEGMENTS_CSV,
    CLASSES_CSV,
    PROFILES_CSV,
    SEGMENTS_CSV,
    TERMS_CSV,
    THEMES_CSV,
    RunRecord,
    check_run_folder,
    read_run,
    read_run_csv,
    recorded_options,
    run_read_options,
    run_survey_path,
)
from textmine.survey import read_survey
from textmine.survey.weights import check_weights_role
from textmine.tables import write_tables
from textmine.tables.write import write_closed_answers

log = logging.getLogger(__name__)


def recompute_tables(
    run_dir: str | Path,
    *,
    by: Sequence[str],
    weights: str | None = None,
    effects: Sequence[str] = (),
    options: TableOptions = TableOptions(),
) -> list[Path]:
    """Recompute the table files of a finished themes or Reinert run, in place and safely.

    Reads ``run.json`` (survey path and the read options of the run: id column, sheet, types,
    levels, weights), ``answers.csv``, ``themes.csv`` and ``terms.csv`` (optional) from
    ``run_dir``, rereads the survey, and replaces or adds the table files only. Without
    ``weights``, the weights recorded with the run (if any) are used.

    Returns
    -------
    list of Path
        The table files now in ``run_dir``.
    """
    run_dir = Path(run_dir)
    check_run_folder(run_dir, "crosstab")  # a file, a missing folder: one line each
    record = read_run(run_dir)
    survey_path = run_survey_path(record, run_dir)
    read_options = run_read_options(record)
    if weights is None:  # the weights the run was made with (themes --weights)
        weights = record.settings.get("weights")
    if weights is not None and weights != read_options.weights:
        # Other weights than the run's: the reader checks them (the one weight rule).
        read_options = replace(read_options, weights=weights)
    check_weights_role(weights, id_col=read_options.id_col, text_col=record.input.get("text_col"),
                       by=by)
    survey = read_survey(survey_path, options=read_options)
    recorded = record.input.get("sha256")
    if recorded and survey.source.sha256 != recorded:
        # Answers join the survey by id; with row-number ids an edited file would silently
        # attach answers to the wrong respondents.
        raise DataError(
            f"Survey file {survey_path.name} changed since the run in {run_dir} (sha256 differs); "
            "rerun the themes command on the current file."
        )
    answers = read_run_csv(run_dir, ANSWERS_CSV)
    _check_answers_match(answers, survey.data.index, record, run_dir)
    if record.command == "reinert":
        themes, answers, terms = _reinert_as_themes(run_dir, record, answers)
    else:
        themes = read_run_csv(run_dir, THEMES_CSV)
        terms = read_run_csv(run_dir, TERMS_CSV, required=False)
    if terms is None:
        log.warning("terms.csv not found in %s; specificities are not written.", run_dir)
    previous = [*(record.settings.get("by") or []), *(record.settings.get("effects") or [])]

    def build(tmp: Path) -> list[Path]:
        written = write_tables(tmp, answers=answers, themes=themes, terms=terms, survey=survey,
                               by=list(by), weights=weights, effects=list(effects),
                               options=options)
        # closed.csv keeps the questions crossed before as well as the new ones.
        closed = write_closed_answers(tmp, answers=answers, survey=survey,
                                      names=[*map(str, previous), *by, *effects])
        return [*[p for p in written if p != closed], closed]

    final = replace_entries(run_dir, build)
    _record_tables(run_dir, record, by=by, effects=effects, weights=weights, options=options,
                   files=final)
    return final


def _reinert_as_themes(run_dir: Path, record: RunRecord, answers):
    """Themes, answers and terms frames of a Reinert run folder (classes seen as themes)."""
    from textmine.classes.segments import segment_corpus
    from textmine.classes.views import as_themes
    from textmine.pipeline.reinert_run import terms_by_respondent

    classes = read_run_csv(run_dir, CLASSES_CSV)
    profiles = read_run_csv(run_dir, PROFILES_CSV)
    characteristic = read_run_csv(run_dir, CHARACTERISTIC_SEGMENTS_CSV, required=False)
    themes, view = as_themes(classes, profiles, answers, characteristic)
    segments = read_run_csv(run_dir, SEGMENTS_CSV)
    stored = record.settings.get("text")
    text_options = TextOptions(**recorded_options(TextOptions, stored)[0]) if isinstance(
        stored, dict) else TextOptions()
    corpus = segment_corpus(segments, options=text_options)
    terms = terms_by_respondent(segments, corpus.terms, corpus.status)
    return themes, view, terms


def _check_answers_match(answers, survey_ids, record, run_dir: Path) -> None:
    """Refuse an answers.csv that no longer matches the run: respondents missing from the
    survey, or another number of rows than the run recorded (an edited or truncated file would
    give tables on other respondents than the report, silently)."""
    unknown = answers.loc[~answers["respondent_id"].isin(survey_ids), "respondent_id"]
    if len(unknown):
        raise DataError(
            f"{ANSWERS_CSV} of {run_dir} names {len(unknown)} respondents that are not in the "
            f"survey (first: {', '.join(map(str, unknown[:3]))}); it was edited: rerun the themes "
            "command."
        )
    expected = record.counts.get("rows_read")
    if isinstance(expected, int) and len(answers) != expected:
        raise DataError(
            f"{ANSWERS_CSV} of {run_dir} has {len(answers)} rows but the run read {expected} "
            "answers; it was edited or cut: rerun the themes command."
        )


def _record_tables(run_dir: Path, record: RunRecord, *, by: Sequence[str],
                   effects: Sequence[str], weights: str | None, options: TableOptions,
                   files: Sequence[Path]) -> None:
    """Keep run.json true after the tables were recomputed.

    The closed questions now crossed are added to ``settings.by``; ``settings.effects``,
    ``settings.weights`` and ``settings.tables`` become those of the tables just written when
    effects were recomputed (without ``--effects``, the previous effects.csv and its settings
    stay); ``tables`` lists the table files of the folder.
    """
    settings = dict(record.settings)
    previous_by = [str(b) for b in settings.get("by") or []]
    settings["by"] = list(dict.fromkeys([*previous_by, *by]))
    if effects:
        settings["effects"] = list(effects)
    settings["weights"] = weights
    settings["tables"] = asdict(options)
    names = {p.name for p in files} | set(record.tables or [])
    record.settings = settings
    record.tables = sorted(n for n in names if (run_dir / n).is_file())
    record.write(run_dir)


def workspace_answers(coded: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A workspace's codes as the ``answers`` and ``themes`` tables of a run (codes = themes).

    Parameters
    ----------
    coded : DataFrame
        Respondents x codes, 0/1 (the answers one coder coded).

    Returns
    -------
    answers : DataFrame
        ``respondent_id``, ``status`` (``themed`` with at least one code, ``unassigned`` when
        the coder read the answer and gave none), ``theme_id`` (the first code) and ``themes``
        (every code, ``;``-joined).
    themes : DataFrame
        ``theme_id`` and ``label``: the code names, in codebook order.
    """
    names = [str(c) for c in coded.columns]
    rows = []
    for rid, values in zip(coded.index, coded.to_numpy(), strict=True):
        given = [n for n, v in zip(names, values, strict=True) if v]
        rows.append({"respondent_id": str(rid), "status": "themed" if given else "unassigned",
                     "theme_id": given[0] if given else "", "themes": ";".join(given)})
    answers = pd.DataFrame(rows, columns=["respondent_id", "status", "theme_id", "themes"])
    return answers, pd.DataFrame({"theme_id": names, "label": names})


def run_workspace_crosstab(
    project: str | Path,
    *,
    by: Sequence[str],
    out: str | Path,
    question: str | None = None,
    coder: str | None = None,
    weights: str | None = None,
    effects: Sequence[str] = (),
    options: TableOptions = TableOptions(),
    force: bool = False,
) -> list[Path]:
    """Cross a workspace's codes with closed questions (``textmine crosstab PROJECT.tmdb``).

    The codes of one coder on one open question (see
    :func:`textmine.pipeline.workspace_run.read_workspace_codes`) are the themes; the base is
    the answers that coder coded (an uncoded answer is not "no code"). The survey is reread
    from the path recorded at ``workspace init`` with its read options, and refused if it
    changed since. Writes ``crosstab_<COL>.csv``, ``effects.csv`` (with ``effects``),
    ``closed.csv``, the ``answers.csv`` and ``themes.csv`` crossed, and ``run.json`` into
    ``out`` (no specificities: a workspace has no term table per respondent).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    InputFileError
        The recorded survey is missing or changed.
    OptionError, DataError
        Several questions or coders and none chosen; nothing coded; unknown closed question.
    """
    from textmine.outputs import atomic_output_dir
    from textmine.pipeline.workspace_run import read_workspace_codes
    from textmine.runfolder import input_block, relative_path, versions_block, write_run_csv

    project = Path(project)
    coded, info = read_workspace_codes(project, question=question, coder=coder)
    source = info["source"]
    survey_path = Path(source.get("path") or "")
    if not source.get("path") or not survey_path.is_file():
        raise InputFileError(
            f"Survey {survey_path} recorded in workspace {project.name} not found; put it back "
            "there (the crosstabs join the codes to its closed questions)."
        )
    read_options = run_read_options({"input": {"id_col": source.get("id_col")},
                                     "settings": {"read": source.get("read")}})
    if weights is not None:
        read_options = replace(read_options, weights=weights)
    check_weights_role(weights, id_col=read_options.id_col, text_col=info["question"], by=by)
    survey = read_survey(survey_path, options=read_options)
    if source.get("sha256") and survey.source.sha256 != source["sha256"]:
        raise InputFileError(
            f"Survey file {survey_path.name} changed since workspace {project.name} was made "
            "(sha256 differs); its respondents may no longer match the coded answers."
        )
    answers, themes = workspace_answers(coded)
    with atomic_output_dir(out, force=force, inputs=[project, survey_path]) as tmp:
        written = write_tables(tmp, answers=answers, themes=themes, terms=None, survey=survey,
                               by=list(by), weights=weights, effects=list(effects),
                               options=options)  # fmt: skip
        write_run_csv(answers, tmp, ANSWERS_CSV)
        write_run_csv(themes, tmp, THEMES_CSV)
        RunRecord(
            command="crosstab",
            settings={"by": list(by), "effects": list(effects), "weights": weights,
                      "tables": asdict(options), "read": asdict(read_options)},
            versions=versions_block(),
            input=input_block(survey.source, text_col=info["question"], base=tmp,
                              workspace=relative_path(project, tmp), coder=info["coder"]),
            counts={"coded_answers": len(answers),
                    "with_a_code": int((answers["status"] == "themed").sum()),
                    "codes": len(themes)},
        ).write(tmp)  # fmt: skip
        names = [p.name for p in written] + [ANSWERS_CSV, THEMES_CSV]
    return [Path(out) / n for n in names]
