"""Orchestration of ``textmine reinert`` and ``textmine export-iramuteq`` (no logic of its own).

run_reinert: read survey -> segments -> text stage -> Reinert classification -> classes.csv,
profiles.csv, segments.csv, characteristic_segments.csv, answers.csv -> class × closed
question tables (``by``, through :func:`textmine.tables.write_tables` on the classes seen as
themes) -> dendrogram -> report, all inside one atomic output folder.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path

import pandas as pd

from textmine.classes.figures import plot_dendrogram
from textmine.classes.reinert import reinert
from textmine.classes.views import as_themes, class_labels
from textmine.config import (
    AnalysisOptions,
    ReadOptions,
    ReinertOptions,
    ReportOptions,
    TableOptions,
    TextOptions,
)
from textmine.errors import DataError, DataQualityWarning, OptionError
from textmine.outputs import atomic_output_dir, atomic_write
from textmine.report import write_report
from textmine.runfolder import (
    ANSWERS_CSV,
    CHARACTERISTIC_SEGMENTS_CSV,
    CLASSES_CSV,
    CLASSIFIED,
    DENDROGRAM,
    EMPTY,
    FIGURES_DIR,
    NON_ANSWER,
    OK,
    PROFILES_CSV,
    SEGMENTS_CSV,
    UNCLASSIFIED,
    RunRecord,
    count_key,
    input_block,
    report_makeup,
    versions_block,
    write_run_csv,
)
from textmine.survey import Survey, open_answers, read_survey, survey_weights
from textmine.survey.iramuteq import IramuteqExport, iramuteq_text
from textmine.survey.weights import weights_read_options, zero_weight_note
from textmine.tables import check_closed_questions, write_tables

logger = logging.getLogger(__name__)


def terms_by_respondent(segments: pd.DataFrame, terms: list[list[str]],
                        status: list[str]) -> pd.DataFrame:
    """``terms.csv`` shape (respondent_id, status, terms) from the segments' terms.

    Parameters
    ----------
    segments : pandas.DataFrame
        ``segments.csv`` of the run (``respondent_id`` per segment, in order).
    terms, status : list, length n_segments
        The segments' terms and statuses (:func:`textmine.classes.segments.segment_corpus`).
    """
    seg = segments
    frame = pd.DataFrame({"respondent_id": seg["respondent_id"].astype(str),
                          "terms": [" ".join(t) for t in terms], "ok": [s == "ok" for s in status]})
    grouped = frame.groupby("respondent_id", sort=False).agg(
        terms=("terms", lambda t: " ".join(x for x in t if x)), ok=("ok", "any"))
    return pd.DataFrame({"respondent_id": grouped.index.to_list(),
                         "status": ["ok" if ok else NON_ANSWER for ok in grouped["ok"]],
                         "terms": grouped["terms"].to_list()})


def write_reinert_run(
    folder: Path,
    survey: Survey,
    *,
    text_col: str,
    read_options: ReadOptions = ReadOptions(),
    text_options: TextOptions = TextOptions(),
    reinert_options: ReinertOptions = ReinertOptions(),
    by: Sequence[str] = (),
    weights: str | None = None,
    table_options: TableOptions = TableOptions(),
    report: bool = False,
    report_options: ReportOptions = ReportOptions(),
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    analysis_options: AnalysisOptions = AnalysisOptions(),
) -> Path:
    """Write the Reinert run folder of one open question of a survey already read.

    The engine of :func:`run_reinert` (which reads the survey) and of ``textmine run`` with a
    ``[reinert]`` section. ``folder`` must already be made safe by the caller.

    With ``analysis_options.ca`` the classes are crossed with the modalities of ``by`` in a
    correspondence analysis (``ca/``: the segments of each class counted in their respondent's
    modality, class 0 left out); with ``analysis_options.similarity`` the similarity graph of
    the segments' terms (co-occurrence within a segment) goes into ``similarity/``.

    Returns
    -------
    Path
        ``folder``.
    """
    from textmine.classes.segments import make_segments, segment_corpus

    if analysis_options.ca and not (by or analysis_options.ca_by):
        raise OptionError("--ca needs --by COL (the closed questions whose modalities are the "
                          "columns of the classes x modalities table).")
    folder.mkdir(parents=True, exist_ok=True)
    answers = open_answers(survey, text_col)
    check_closed_questions(survey, by)  # a misspelt --by refused before the classification
    # One text stage for the classification and the specificities: segments then reinert()
    # reuses the parse cache (same texts, same options).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        result = reinert(answers, options=reinert_options, text_options=text_options,
                         cache_dir=cache_dir, progress=progress)
    notes = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    for note in notes:
        logger.warning("%s", note)
    size = reinert_options.segment_size if reinert_options.unit == "segments" else None
    segments = make_segments(answers, segment_size=size)
    corpus = segment_corpus(segments, options=text_options, cache_dir=cache_dir)
    classes = result.classes.copy()
    labels = class_labels(classes, result.profiles)
    classes["label"] = [labels.get(int(c), "non classés" if c == 0 else "")
                        for c in classes["class"]]
    write_run_csv(classes, folder, CLASSES_CSV)
    write_run_csv(result.profiles, folder, PROFILES_CSV)
    write_run_csv(result.segments, folder, SEGMENTS_CSV)
    write_run_csv(result.characteristic_segments, folder, CHARACTERISTIC_SEGMENTS_CSV)
    write_run_csv(result.answers, folder, ANSWERS_CSV)
    (folder / FIGURES_DIR).mkdir(exist_ok=True)
    plot_dendrogram(classes, result.profiles, folder / FIGURES_DIR / DENDROGRAM,
                    title=survey.question(text_col).label or text_col)
    written_tables: list[str] = []
    if by:
        themes, view = as_themes(classes, result.profiles, result.answers,
                                 result.characteristic_segments)
        paths = write_tables(
            folder, answers=view, themes=themes,
            terms=terms_by_respondent(result.segments, corpus.terms, corpus.status), survey=survey,
            by=list(by), weights=weights, options=table_options,
        )  # fmt: skip
        written_tables = [p.name for p in paths]
    analyses: dict = {}
    if analysis_options.ca or analysis_options.similarity:
        from textmine.pipeline.ca_run import write_analyses

        ok = [i for i, st in enumerate(corpus.status) if st == OK]
        analyses = write_analyses(
            folder, survey, text_col=text_col, ids=[corpus.ids[i] for i in ok],
            terms=[corpus.terms[i] for i in ok], answers=result.answers, themes=None,
            by=list(by), options=replace(analysis_options, rows="classes"),
            lang=report_options.lang, segments=result.segments, classes=classes,
        )  # fmt: skip
    status = result.answers["status"]
    counts = {"rows_read": len(answers),
              **{count_key(s): int((status == s).sum())
                 for s in (CLASSIFIED, UNCLASSIFIED, NON_ANSWER, EMPTY)},
              **{f"{key}": value for key, value in result.info["counts"].items()}}
    if "unclassified" in result.info["counts"]:
        counts["unclassified_segments"] = counts.pop("unclassified")
        counts[UNCLASSIFIED] = int((status == UNCLASSIFIED).sum())
    RunRecord(
        command="reinert",
        settings={
            "read": asdict(read_options),
            "text": asdict(text_options),
            "reinert": asdict(reinert_options),
            "tables": asdict(table_options) if by else None,
            "by": list(by),
            "weights": weights,
            "report": report,
            "report_options": report_makeup(report_options),
        },
        versions=versions_block(corpus.info or {}),
        input=input_block(survey.source, text_col=text_col,
                          label=survey.question(text_col).label),
        counts=counts,
        tables=written_tables,
        notes=notes + ([note] if (note := zero_weight_note(survey_weights(survey))) else []),
        extra={"reinert": {k: v for k, v in result.info.items() if k != "counts"},
               **({"analysis": {"options": asdict(replace(analysis_options, rows="classes")),
                                **analyses}} if analyses else {})},
    ).write(folder)
    if report:
        write_report(folder, options=report_options)
    return folder


def run_reinert(
    survey_path: str | Path,
    *,
    text_col: str,
    out: str | Path,
    read_options: ReadOptions = ReadOptions(),
    text_options: TextOptions = TextOptions(),
    reinert_options: ReinertOptions = ReinertOptions(),
    force: bool = False,
    by: Sequence[str] = (),
    weights: str | None = None,
    table_options: TableOptions = TableOptions(),
    report: bool = True,
    report_options: ReportOptions = ReportOptions(),
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    analysis_options: AnalysisOptions = AnalysisOptions(),
) -> Path:
    """Reinert classification of one open question into a complete run folder ``out``.

    Writes classes.csv, profiles.csv, segments.csv, characteristic_segments.csv, answers.csv,
    figures/dendrogram.png + .svg, run.json (command ``reinert``); with ``by`` the class ×
    closed question tables (``crosstab_<COL>.csv``, ``specificities_<COL>.csv``); with
    ``report`` report.html and report.xlsx; with ``analysis_options.ca`` / ``.similarity``
    the CA of the classes x modalities of ``by`` (``ca/``) and the similarity graph
    (``similarity/``). Nothing is left behind if a step fails.

    Returns
    -------
    Path
        The output folder.
    """
    read_options = weights_read_options(read_options, weights, text_col=text_col, by=by)
    weights = read_options.weights
    out = Path(out)
    with atomic_output_dir(out, force=force, inputs=[survey_path]) as tmp:
        survey = read_survey(survey_path, options=read_options)
        write_reinert_run(
            tmp, survey, text_col=text_col, read_options=read_options,
            text_options=text_options, reinert_options=reinert_options, by=by,
            weights=weights, table_options=table_options, report=report,
            report_options=report_options, cache_dir=cache_dir, progress=progress,
            analysis_options=analysis_options,
        )  # fmt: skip
    return out


def run_export_iramuteq(
    survey_path: str | Path,
    *,
    text_col: str,
    out: str | Path,
    by: Sequence[str] = (),
    read_options: ReadOptions = ReadOptions(),
    force: bool = False,
) -> IramuteqExport:
    """Write one open question (and closed questions ``by``) as an IRaMuTeQ corpus file.

    One text per answer, introduced by ``**** *var_modality ...`` (with an id column,
    ``read_options.id_col``, the respondent id first: ``**** *id_R001 ...``); non-answers (``RAS``,
    ``.``...) and blank answers are left out and counted (see
    :func:`textmine.survey.iramuteq.iramuteq_text`). UTF-8 without BOM.

    Returns
    -------
    IramuteqExport
        The file written, the texts written and left out, renamed variables and collisions.
    """
    from textmine.errors import OutputError
    from textmine.text.nonanswers import answer_status, nonanswer_keys

    keys = nonanswer_keys()

    out = Path(out)
    # A folder first: --force cannot replace a folder by a file, so do not suggest it.
    if out.is_dir():
        raise OutputError(f"{out} is a folder; give the path of the corpus file to write "
                          f"(e.g. {out / 'corpus.txt'}).")
    if out.exists() and not force:
        raise OutputError(f"{out} already exists; give --force to replace it.")
    if Path(survey_path).resolve() == out.resolve():
        raise OutputError(f"{out} is the survey file itself; give another output path.")
    survey = read_survey(survey_path, options=read_options)
    answers = open_answers(survey, text_col)
    check_closed_questions(survey, by)  # ColumnError naming the closed questions; no open one
    closed: dict[str, pd.Series] = {}
    for name in by:
        columns = survey.question(name).columns
        # IRaMuTeQ takes one modality per variable and text: a multiple-choice question (one
        # column per option) is written as one variable per option column (*outils1_1).
        for column in columns if len(columns) > 1 else [name]:
            source = column if len(columns) > 1 else columns[0]
            closed[column] = (survey.text[source] if survey.text is not None
                              and source in survey.text else survey.data[source])
    export = iramuteq_text(answers, closed, status=lambda text: answer_status(text, keys),
                           id_column=read_options.id_col)
    if export.n_texts == 0:
        raise DataError(f"No text to write: the {len(answers)} answers of {text_col!r} are "
                        f"{export.n_nonanswers} non-answers (RAS, NSP...) and {export.n_empty} "
                        f"blank; check --text-col.")
    with contextlib.suppress(OSError):  # a file in the way: atomic_write says it in one line
        out.parent.mkdir(parents=True, exist_ok=True)  # as every file output (concordance...)
    atomic_write(out, export.text.encode("utf-8"))
    return export.with_path(out)


__all__ = ["run_export_iramuteq", "run_reinert", "terms_by_respondent", "write_reinert_run"]
