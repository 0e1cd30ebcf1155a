"""Orchestration of ``textmine themes`` and ``textmine apply`` (no logic of its own).

run_themes: read survey -> process answers -> discover themes -> write tables and model ->
crosstabs (``by``) -> report, all inside one atomic output folder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pandas as pd

from textmine.codebook import Codebook, load_codebook
from textmine.config import (
    AnalysisOptions,
    ReadOptions,
    ReportOptions,
    TableOptions,
    TextOptions,
    ThemeOptions,
)
from textmine.errors import ModelFileError
from textmine.outputs import atomic_output_dir
from textmine.report import write_report
from textmine.runfolder import (
    ANSWERS_CSV,
    COUNT_EMPTY,
    COUNT_NON_ANSWER,
    COUNT_OK,
    COUNT_THEMED,
    COUNT_UNASSIGNED,
    CSV_COLUMNS,
    K_SELECTION_CSV,
    K_SELECTION_PNG,
    MODEL_DIR,
    SEED_EXPANSION_CSV,
    TERM_WEIGHTS_CSV,
    TERMS_CSV,
    THEMES_CSV,
    RunRecord,
    input_block,
    model_run_record,
    recorded_id_col,
    recorded_options,
    relative_path,
    report_makeup,
    versions_block,
    write_run_csv,
)
from textmine.survey import Survey, open_answers, read_survey, reread_with_id, survey_weights
from textmine.survey.weights import weights_read_options, zero_weight_note
from textmine.tables import check_closed_questions, write_tables
from textmine.text.corpus import Corpus, process_answers
from textmine.themes import code_answers, discover_themes, load_model, save_model
from textmine.themes.discover import PLACED_BY_EMBEDDING
from textmine.themes.selection import plot_k_selection

logger = logging.getLogger(__name__)


def _process(
    survey: Survey,
    text_col: str,
    text_options: TextOptions,
    cache_dir: Path | None,
    progress: Callable[[int, int], None] | None,
) -> Corpus:
    """Process the answers of one open question of a survey already read."""
    answers = open_answers(survey, text_col)
    return process_answers(answers, options=text_options, cache_dir=cache_dir, progress=progress)


def _seed_processor(text_options: TextOptions, cache_dir: Path | None):
    def process(phrases: list[str]) -> list[list[str]]:
        series = pd.Series(phrases, index=[f"seed_{i}" for i in range(len(phrases))], dtype=str)
        return [list(t) for t in process_answers(series, options=text_options,
                                                 cache_dir=cache_dir).terms]

    return process


def _terms_frame(corpus: Corpus) -> pd.DataFrame:
    return corpus.to_frame()[list(CSV_COLUMNS[TERMS_CSV])]


def _write_result(folder: Path, result, corpus: Corpus) -> None:
    write_run_csv(result.themes, folder, THEMES_CSV)
    write_run_csv(result.answers, folder, ANSWERS_CSV)
    write_run_csv(result.term_weights, folder, TERM_WEIGHTS_CSV)
    write_run_csv(_terms_frame(corpus), folder, TERMS_CSV)
    if getattr(result, "seed_expansion", None) is not None:
        write_run_csv(result.seed_expansion, folder, SEED_EXPANSION_CSV)


def run_themes(
    survey_path: str | Path,
    *,
    text_col: str,
    out: str | Path,
    read_options: ReadOptions = ReadOptions(),
    text_options: TextOptions = TextOptions(),
    theme_options: ThemeOptions = ThemeOptions(),
    codebook_path: str | Path | None = None,
    force: bool = False,
    by: Sequence[str] = (),
    weights: str | None = None,
    effects: Sequence[str] = (),
    table_options: TableOptions = TableOptions(),
    report: bool = False,
    report_options: ReportOptions = ReportOptions(),
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    analysis: AnalysisOptions = AnalysisOptions(),
) -> Path:
    """Find the themes of one open question and write a complete run folder ``out``.

    Writes themes.csv, answers.csv, term_weights.csv, terms.csv, run.json, model/, and with
    ``k="auto"`` k_selection.csv + k_selection.png; with ``by`` the crosstabs (see
    :func:`textmine.tables.write_tables`); with ``report`` the report (see
    :func:`textmine.report.write_report`). Nothing is left behind if a step fails.

    Returns
    -------
    Path
        The output folder.
    """
    codebook = load_codebook(codebook_path) if codebook_path else None
    # --weights, ReadOptions.weights and [survey] weights are one entry: the reader checks it.
    read_options = weights_read_options(read_options, weights, text_col=text_col, by=by)
    weights = read_options.weights
    out = Path(out)
    inputs = [survey_path] + ([codebook_path] if codebook_path else [])
    with atomic_output_dir(out, force=force, inputs=inputs) as tmp:
        survey = read_survey(survey_path, options=read_options)
        write_themes_run(
            tmp, survey, text_col=text_col, read_options=read_options,
            text_options=text_options, theme_options=theme_options, codebook=codebook,
            codebook_path=codebook_path, by=by, weights=weights, effects=effects,
            table_options=table_options, report=report, report_options=report_options,
            cache_dir=cache_dir, progress=progress, analysis=analysis,
        )  # fmt: skip
    return out


def write_themes_run(
    folder: Path,
    survey: Survey,
    *,
    text_col: str,
    read_options: ReadOptions = ReadOptions(),
    text_options: TextOptions = TextOptions(),
    theme_options: ThemeOptions = ThemeOptions(),
    codebook: Codebook | None = None,
    codebook_path: str | Path | None = None,
    by: Sequence[str] = (),
    weights: str | None = None,
    effects: Sequence[str] = (),
    table_options: TableOptions = TableOptions(),
    report: bool = False,
    report_options: ReportOptions = ReportOptions(),
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    analysis: AnalysisOptions = AnalysisOptions(),
) -> Path:
    """Write the run folder of one open question of a survey already read into ``folder``.

    The engine of :func:`run_themes`, which reads the survey; :func:`run_project` reads (and
    hashes) the survey once and calls this for each open question. ``folder`` must already be
    made safe by the caller (inside an :func:`textmine.outputs.atomic_output_dir`); it is
    created if needed. Parameters as in :func:`run_themes`; ``read_options`` are only recorded
    (``textmine crosstab`` rereads the survey with them).

    Returns
    -------
    Path
        ``folder``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    check_closed_questions(survey, [*by, *effects])  # a misspelt --by refused before the fit
    corpus = _process(survey, text_col, text_options, cache_dir, progress)
    result = discover_themes(
        corpus, options=theme_options, codebook=codebook,
        seed_processor=_seed_processor(text_options, cache_dir) if codebook else None,
        question=text_col,
    )  # fmt: skip
    result.model.text_options = asdict(text_options)
    _write_result(folder, result, corpus)
    if result.k_selection is not None:
        write_run_csv(result.k_selection, folder, K_SELECTION_CSV)
        plot_k_selection(result.k_selection, folder / K_SELECTION_PNG)
    save_model(result.model, folder / MODEL_DIR)
    written_tables: list[str] = []
    if by or effects:
        paths = write_tables(
            folder, answers=result.answers, themes=result.themes,
            terms=_terms_frame(corpus), survey=survey, by=list(by), weights=weights,
            effects=list(effects), options=table_options,
        )  # fmt: skip
        written_tables = [p.name for p in paths]
    # --- issue 17: --ca / --similarity (RUN/ca/, RUN/similarity/) ---
    analyses: dict = {}
    if analysis.ca or analysis.similarity:
        from textmine.pipeline.ca_run import write_analyses

        ok = [i for i, status in enumerate(corpus.status) if status == COUNT_OK]
        analyses = write_analyses(
            folder, survey, text_col=text_col, ids=[corpus.ids[i] for i in ok],
            terms=[corpus.terms[i] for i in ok], answers=result.answers, themes=result.themes,
            by=list(by), options=analysis, lang=report_options.lang,
        )  # fmt: skip
    # --- end issue 17 ---
    corpus_info = dict(corpus.info or {})
    counts = result.info["counts"]
    RunRecord(
        command="themes",
        settings={
            "read": asdict(read_options),
            "text": asdict(text_options),
            "themes": asdict(theme_options),
            "tables": asdict(table_options) if (by or effects) else None,
            "codebook": relative_path(codebook_path, folder) if codebook_path else None,
            "by": list(by),
            "weights": weights,
            "effects": list(effects),
            "report": report,
            "report_options": report_makeup(report_options),
        },
        versions=versions_block(corpus_info),
        input=input_block(survey.source, text_col=text_col, base=folder,
                          label=survey.question(text_col).label),
        counts={"rows_read": len(corpus.ids), **{key: counts[key] for key in RUN_COUNTS}},
        themes={k: v for k, v in result.info.items() if k not in ("counts", "options")},
        text=corpus_info,
        tables=written_tables,
        notes=[note for note in (zero_weight_note(survey_weights(survey)),
                                 result.info.get("duplicates_note")) if note],
        labels=run_labels(survey, text_col, [*by, *effects], report_options),
        extra={"analysis": {"options": asdict(analysis), **analyses}} if analyses else {},
    ).write(folder)
    if report:
        write_report(folder, options=report_options)
    return folder


def run_labels(survey: Survey, text_col: str, closed: Sequence[str],
               options: ReportOptions) -> dict[str, Any]:
    """The ``labels`` block of run.json: report title, question wording, closed-question labels.

    The project file's labels (carried by ``options``) come first, then the wording the
    platform export gave each column (``Question.label``); columns without one are left out.
    """
    given = dict(options.question_labels)
    closed_labels = {}
    for column in dict.fromkeys(closed):
        label = given.get(column) or (survey.questions[column].label
                                      if column in survey.questions else "")
        if label and label != column:
            closed_labels[column] = label
        # The options of a multiple choice: project file labels, else the export's wording.
        question = survey.questions.get(column)
        if question is not None and question.kind == "multiple":
            wording = dict(zip(question.levels, question.option_labels, strict=False))
            for option in question.levels:
                label = given.get(option) or wording.get(option, "")
                if label and label != option:
                    closed_labels[option] = label
    question = options.question or (survey.questions[text_col].label
                                    if text_col in survey.questions else "")
    return {"title": options.title, "question": question or "", "closed": closed_labels}


#: Counts of a themes run recorded in run.json (the theme discovery reports a few more).
RUN_COUNTS = (
    COUNT_EMPTY, COUNT_NON_ANSWER, COUNT_OK, "ok_without_vocabulary_terms", PLACED_BY_EMBEDDING,
    COUNT_UNASSIGNED, COUNT_THEMED, "multi_theme", "vocabulary", "fitted_on",
)


def _text_options_from(stored: dict) -> TextOptions:
    kwargs, unknown = recorded_options(TextOptions, stored)
    if unknown:
        raise ModelFileError(
            f"Model text option '{unknown[0]}' is unknown to this textmine; re-run textmine themes."
        )
    return TextOptions(**kwargs)


def read_survey_like_run(
    survey_path: str | Path, read_options: ReadOptions, record: RunRecord | None, *, what: str
) -> Survey:
    """Read a new survey for a run-based command, with the run's id column when none is given.

    Without an id column the respondents would be numbered 1..n and their ids (the join key of
    every later table) silently lost; the run's id column is used instead when the new file has
    it, and that is said in one line (``logging`` warning: stderr with the CLI).

    Parameters
    ----------
    survey_path : str or Path
        The new survey file.
    read_options : ReadOptions
        How to read it, as given; used unchanged when they name an id column.
    record : RunRecord or None
        The run record (``None``: rows are numbered, as before).
    what : str
        The run named in the message, e.g. ``"the model's run"``.
    """
    survey = read_survey(survey_path, options=read_options)
    return reread_with_id(survey, survey_path, read_options, recorded_id_col(record),
                          what=what)[0]


def run_apply(
    model_dir: str | Path,
    survey_path: str | Path,
    *,
    text_col: str,
    out: str | Path,
    read_options: ReadOptions = ReadOptions(),
    force: bool = False,
    n_quotes: int = ThemeOptions.n_quotes,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Code the answers of ``survey_path`` with a saved model (same text settings as stored).

    Writes themes.csv (counts and quotes on the new answers), answers.csv, term_weights.csv,
    terms.csv and run.json into ``out``. ``model_dir`` is the ``model/`` folder of a themes run
    (or the run folder itself). Without ``read_options.id_col`` the respondents keep the ids of
    the id column the model's run used when the new file has that column (said in one line);
    otherwise the rows are numbered.
    """
    record = model_run_record(model_dir)
    if record is not None and not (Path(model_dir) / "model.json").is_file():
        model_dir = Path(model_dir) / MODEL_DIR  # the run folder was given
    model = load_model(model_dir)
    text_options = _text_options_from(model.text_options)
    out = Path(out)
    with atomic_output_dir(out, force=force, inputs=[model_dir, survey_path]) as tmp:
        survey = read_survey_like_run(survey_path, read_options, record, what="the model's run")
        corpus = _process(survey, text_col, text_options, cache_dir, progress)
        result = code_answers(model, corpus, n_quotes=n_quotes)
        _write_result(tmp, result, corpus)
        corpus_info = dict(corpus.info or {})
        RunRecord(
            command="apply",
            # The id column actually used (perhaps the model's run's), so that tables rebuilt
            # from this run join the same respondents.
            settings={"read": asdict(replace(read_options, id_col=survey.source.id_col)),
                      "text": asdict(text_options),
                      "model_dir": relative_path(model_dir, tmp)},
            versions=versions_block(corpus_info),
            input=input_block(survey.source, text_col=text_col, base=tmp,
                              label=survey.question(text_col).label),
            counts=result.info["counts"],
            themes={k: v for k, v in result.info.items() if k != "counts"},
            text=corpus_info,
        ).write(tmp)
    return out
