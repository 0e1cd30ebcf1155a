"""Orchestration of ``textmine themes`` and ``textmine apply`` (no logic of its own).

run_themes: read survey -> process answers -> discover themes -> write tables and model ->
crosstabs (``by``) -> report, all inside one atomic output folder.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path

import pandas as pd

from textmine.codebook import load_codebook
from textmine.config import ReadOptions, ReportOptions, TableOptions, TextOptions, ThemeOptions
from textmine.errors import ModelFileError
from textmine.outputs import atomic_output_dir, run_versions, write_csv, write_json
from textmine.survey import survey_weights
from textmine.survey.weights import weights_read_options, zero_weight_note
from textmine.themes import code_answers, discover_themes, load_model, save_model
from textmine.themes.selection import plot_k_selection

logger = logging.getLogger(__name__)


def _versions(corpus_info: dict) -> dict:
    model = corpus_info.get("model") if isinstance(corpus_info, dict) else None
    model_name = model.get("name") if isinstance(model, dict) else model
    model_version = (model.get("version") if isinstance(model, dict) else None) or (
        corpus_info.get("model_version") if isinstance(corpus_info, dict) else None
    )
    return run_versions(model_name, model_version)


def _input_info(survey, text_col: str) -> dict:
    src = survey.source
    return {
        "path": str(src.path) if src else None,
        "sha256": src.sha256 if src else None,
        "id_col": getattr(src, "id_col", None),
        "sheet": getattr(src, "sheet", None),
        "text_col": text_col,
        "rows": getattr(src, "n_rows", None),
        **_detected_info(survey, text_col),
    }


def _detected_info(survey, text_col: str | None) -> dict:
    """The platform profile, what was detected and the question's wording (for run.json)."""
    src = survey.source
    info = {"profile": getattr(src, "profile", "none"), "detected": getattr(src, "detected", "")}
    if text_col is not None and text_col in survey.questions and survey.questions[text_col].label:
        info["label"] = survey.questions[text_col].label
    return info


def _read_and_process(
    survey_path: str | Path,
    text_col: str,
    read_options: ReadOptions,
    text_options: TextOptions,
    cache_dir: Path | None,
    progress: bool,
):
    from textmine.survey import open_answers, read_survey
    from textmine.text.corpus import process_answers

    survey = read_survey(survey_path, options=read_options)
    answers = open_answers(survey, text_col)
    corpus = process_answers(answers, options=text_options, cache_dir=cache_dir, progress=progress)
    return survey, corpus


def _seed_processor(text_options: TextOptions, cache_dir: Path | None):
    from textmine.text.corpus import process_answers

    def process(phrases: list[str]) -> list[list[str]]:
        series = pd.Series(phrases, index=[f"seed_{i}" for i in range(len(phrases))], dtype=str)
        return [list(t) for t in process_answers(series, options=text_options,
                                                 cache_dir=cache_dir).terms]

    return process


def _terms_frame(corpus) -> pd.DataFrame:
    frame = corpus.to_frame()
    return frame[["respondent_id", "status", "terms"]]


def _write_result(folder: Path, result, corpus) -> None:
    write_csv(result.themes, folder / "themes.csv")
    write_csv(result.answers, folder / "answers.csv")
    write_csv(result.term_weights, folder / "term_weights.csv")
    write_csv(_terms_frame(corpus), folder / "terms.csv")


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
    progress: bool = False,
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
    read_options = weights_read_options(read_options, weights)
    weights = read_options.weights
    out = Path(out)
    inputs = [survey_path] + ([codebook_path] if codebook_path else [])
    with atomic_output_dir(out, force=force, inputs=inputs) as tmp:
        survey, corpus = _read_and_process(
            survey_path, text_col, read_options, text_options, cache_dir, progress
        )
        result = discover_themes(
            corpus, options=theme_options, codebook=codebook,
            seed_processor=_seed_processor(text_options, cache_dir) if codebook else None,
        )  # fmt: skip
        result.model.text_options = asdict(text_options)
        _write_result(tmp, result, corpus)
        if result.k_selection is not None:
            write_csv(result.k_selection, tmp / "k_selection.csv")
            plot_k_selection(result.k_selection, tmp / "k_selection.png")
        save_model(result.model, tmp / "model")
        written_tables: list[str] = []
        if by or effects:
            from textmine.tables import write_tables

            paths = write_tables(
                tmp, answers=result.answers, themes=result.themes,
                terms=_terms_frame(corpus), survey=survey, by=list(by), weights=weights,
                effects=list(effects), options=table_options,
            )  # fmt: skip
            written_tables = [p.name for p in paths]
        corpus_info = dict(getattr(corpus, "info", {}) or {})
        run = {
            "command": "themes",
            "settings": {
                "read": asdict(read_options),
                "text": asdict(text_options),
                "themes": asdict(theme_options),
                "tables": asdict(table_options) if (by or effects) else None,
                "codebook": str(codebook_path) if codebook_path else None,
                "by": list(by),
                "weights": weights,
                "effects": list(effects),
                "report": report,
            },
            "versions": _versions(corpus_info),
            "input": _input_info(survey, text_col),
            "counts": {
                "rows_read": len(corpus.ids),
                "empty": result.info["counts"]["empty"],
                "non_answer": result.info["counts"]["non_answer"],
                "ok": result.info["counts"]["ok"],
                "ok_without_vocabulary_terms": result.info["counts"][
                    "ok_without_vocabulary_terms"
                ],
                "unassigned": result.info["counts"]["unassigned"],
                "themed": result.info["counts"]["themed"],
                "multi_theme": result.info["counts"]["multi_theme"],
                "vocabulary": result.info["counts"]["vocabulary"],
            },
            "themes": {k: v for k, v in result.info.items() if k not in ("counts", "options")},
            "text": corpus_info,
            "tables": written_tables,
            "notes": [note] if (note := zero_weight_note(survey_weights(survey))) else [],
        }
        write_json(run, tmp / "run.json")
        if report:
            from textmine.report import write_report

            write_report(tmp, options=report_options)
    return out


def _text_options_from(stored: dict) -> TextOptions:
    known = {f.name for f in fields(TextOptions)}
    kwargs = {}
    for key, value in stored.items():
        if key not in known:
            raise ModelFileError(
                f"Model text option '{key}' is unknown to this textmine; re-run textmine themes."
            )
        if isinstance(value, list):
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        kwargs[key] = value
    return TextOptions(**kwargs)


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
    progress: bool = False,
) -> Path:
    """Code the answers of ``survey_path`` with a saved model (same text settings as stored).

    Writes themes.csv (counts and quotes on the new answers), answers.csv, term_weights.csv,
    terms.csv and run.json into ``out``.
    """
    model = load_model(model_dir)
    text_options = _text_options_from(model.text_options)
    out = Path(out)
    with atomic_output_dir(out, force=force, inputs=[model_dir, survey_path]) as tmp:
        survey, corpus = _read_and_process(
            survey_path, text_col, read_options, text_options, cache_dir, progress
        )
        result = code_answers(model, corpus, n_quotes=n_quotes)
        _write_result(tmp, result, corpus)
        corpus_info = dict(getattr(corpus, "info", {}) or {})
        write_json(
            {
                "command": "apply",
                "settings": {"read": asdict(read_options), "text": asdict(text_options),
                             "model_dir": str(Path(model_dir).resolve())},
                "versions": _versions(corpus_info),
                "input": _input_info(survey, text_col),
                "counts": result.info["counts"],
                "themes": {k: v for k, v in result.info.items() if k != "counts"},
                "text": corpus_info,
            },
            tmp / "run.json",
        )
    return out
