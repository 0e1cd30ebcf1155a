"""``textmine edit RUN_DIR``: rename, merge and drop themes of a finished run without re-running.

Nothing is parsed or refitted: the saved model's theme map is edited
(:func:`textmine.themes.edit.edit_fitted`), the answers are re-coded from the run's own
``terms.csv`` (the features the parser gave them) with the saved model, and the themes, answers,
term weights, tables and report are rewritten. Theme ids never change (a merged theme keeps its
first id; a dropped theme leaves a gap). Every new file is built in a temporary folder inside the
run and moved into place only once all are complete (:func:`textmine.outputs.replace_entries`):
a bad edit or a failure leaves the run as it was. The edits are appended to run.json
(``themes.edit_history``).
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import tomllib

from textmine.config import ReportOptions, TableOptions, ThemeOptions
from textmine.errors import DataError, InputFileError, ModelFileError
from textmine.outputs import replace_entries
from textmine.report import render_report
from textmine.report.i18n import check_lang
from textmine.report.rundata import RunData, load_run
from textmine.report.summary import write_summary
from textmine.runfolder import (
    ANSWERS_CSV,
    CLOUD_PREFIX,
    DUPLICATES_NOTE,
    FIGURES_DIR,
    INDEX_HTML,
    K_SELECTION_PNG,
    MODEL_DIR,
    REPORT_ENTRIES,
    REPORT_HTML,
    REPORT_XLSX,
    SUMMARY_CSV,
    SUMMARY_MD,
    TERM_WEIGHTS_CSV,
    TERMS_CSV,
    THEMES_CSV,
    RunRecord,
    check_run_folder,
    read_run,
    read_run_csv,
    recorded_options,
    run_read_options,
    run_survey_path,
    write_run_csv,
)
from textmine.survey import read_survey
from textmine.themes import code_answers, load_model, save_model
from textmine.themes.discover import duplicates_notes
from textmine.themes.edit import RunEdits, edit_fitted, parse_run_edits

logger = logging.getLogger(__name__)

#: Counts of run.json that an edit changes.
EDITED_COUNTS = ("themed", "unassigned", "multi_theme")


@dataclass
class RunCorpus:
    """The answers of a finished run as the theme stage reads them (no parsing).

    ``texts`` and ``masked`` are both the masked text of answers.csv (the original text never
    leaves the parser); ``terms`` come from terms.csv.
    """

    ids: list[str]
    texts: list[str]
    masked: list[str]
    status: list[str]
    terms: list[list[str]] = field(default_factory=list)


def run_corpus(run_dir: Path) -> RunCorpus:
    """Rebuild the processed answers of a run from its answers.csv and terms.csv.

    Raises
    ------
    InputFileError
        If terms.csv is missing.
    DataError
        If the two files do not list the same respondents in the same order.
    """
    answers = read_run_csv(run_dir, ANSWERS_CSV, columns=("respondent_id", "text", "status"))
    terms = read_run_csv(run_dir, TERMS_CSV, columns=("respondent_id", "status", "terms"))
    if list(answers["respondent_id"]) != list(terms["respondent_id"]):
        raise DataError(f"{ANSWERS_CSV} and {TERMS_CSV} of {run_dir} do not list the same "
                        "respondents in the same order; one was edited: rerun the themes command.")
    texts = answers["text"].fillna("").astype(str).tolist()
    return RunCorpus(
        ids=answers["respondent_id"].astype(str).tolist(), texts=texts, masked=texts,
        status=terms["status"].fillna("").astype(str).tolist(),
        terms=[str(t).split() if isinstance(t, str) else [] for t in terms["terms"]],
    )


@dataclass(frozen=True)
class EditResult:
    """What ``textmine edit`` did: the log lines and the themes now in the run."""

    log: list[str]
    themes: list[tuple[int, str, int]]  # theme id, label, number of answers
    files: list[Path]


def _report_lang(run_dir: Path, lang: str | None) -> str:
    """The language of the run's report: given, else the one its report.html was written in."""
    if lang:
        return lang
    html = run_dir / REPORT_HTML
    if html.is_file():
        match = re.search(r'<html[^>]*\blang="(\w+)"', html.read_text(encoding="utf-8")[:2000])
        if match:
            return match.group(1)
    return ReportOptions.lang


def _report_options(run_dir: Path, lang: str) -> ReportOptions:
    """The report options the run's report was written with, read from the files it has.

    run.json does not record them, and an edit must not change the report's make-up: a run made
    with ``wordclouds = false`` (or without ``report.xlsx``) stays so after ``textmine edit``
    (the defaults drew clouds into a report that had none). Word clouds are drawn when the run's
    ``figures/`` has some (SVG copies when it has those); ``report.html``/``report.xlsx`` are
    written when the run has them. A run with neither file gets the defaults.
    """
    html = (run_dir / REPORT_HTML).is_file()
    xlsx = (run_dir / REPORT_XLSX).is_file()
    if not (html or xlsx):
        return ReportOptions(lang=lang)
    figures = run_dir / FIGURES_DIR
    clouds = sorted(figures.glob(f"{CLOUD_PREFIX}*.png")) if figures.is_dir() else []
    svg = bool(clouds) and any(figures.glob(f"{CLOUD_PREFIX}*.svg"))
    return ReportOptions(lang=lang, html=html, xlsx=xlsx, wordclouds=bool(clouds),
                         svg=svg if clouds else ReportOptions.svg)


def edit_run(
    run_dir: str | Path,
    *,
    rename: Sequence[str] = (),
    merge: Sequence[str] = (),
    drop: Sequence[str] = (),
    lang: str | None = None,
) -> EditResult:
    """Rename, merge and drop themes of a finished themes run, in place and safely.

    Parameters
    ----------
    run_dir : path
        A folder written by ``textmine themes`` or a question folder of ``textmine run``.
    rename, merge, drop : sequences of str
        ``ID=NAME``, ``ID,ID[,...][=NAME]`` and ``ID`` (see
        :func:`textmine.themes.edit.parse_run_edits`).
    lang : str, optional
        Language of the rewritten report (default: that of the run's report).

    Returns
    -------
    EditResult

    Raises
    ------
    OptionError
        Bad ids, a merge of one theme, dropping every theme (nothing is written).
    InputFileError, ModelFileError, DataError
        Not a themes run, a run without model/ or terms.csv, a survey changed since the run.
    """
    run_dir = Path(run_dir)
    edits = parse_run_edits(rename, merge, drop)
    check_run_folder(run_dir, "edit")
    record = read_run(run_dir)
    if record.command not in ("themes", "apply") and record.command:
        # A reinert, ca, code... folder has no themes to edit: say which command wrote it.
        raise InputFileError(f"{run_dir} was written by textmine {record.command}, which has no "
                             "themes to edit; textmine edit works on a folder written by "
                             "textmine themes or a question folder of textmine run.")
    if not (run_dir / MODEL_DIR).is_dir():
        raise InputFileError(f"{run_dir} has no {MODEL_DIR}/ folder; textmine edit works on a "
                             "folder written by textmine themes or textmine run.")
    lang = _report_lang(run_dir, lang)
    check_lang(lang)
    model = load_model(run_dir / MODEL_DIR)
    old_themes = read_run_csv(run_dir, THEMES_CSV, columns=("theme_id", "label"))
    if [int(t) for t in old_themes["theme_id"]] != model.ids:
        raise ModelFileError(f"{THEMES_CSV} of {run_dir} does not list the themes of its "
                             f"{MODEL_DIR}/ (one was edited by hand); rerun the themes command.")
    theme_settings = record.settings.get("themes") or {}
    n_top = int(theme_settings.get("n_top_terms") or ThemeOptions.n_top_terms)
    n_quotes = sum(bool(re.fullmatch(r"quote_\d+", str(c))) for c in old_themes.columns)
    edited, log = edit_fitted(model, edits, n_top=n_top)
    corpus = run_corpus(run_dir)
    result = code_answers(edited, corpus, n_quotes=n_quotes)
    themes = result.themes
    if DUPLICATES_NOTE in old_themes.columns:
        fitted_on = record.counts.get("fitted_on")
        _, per_theme = duplicates_notes(
            corpus, result.answers, edited.n_themes, dedupe=bool(theme_settings.get("dedupe")),
            n_fitted=int(fitted_on) if isinstance(fitted_on, int) else 0, ids=edited.ids)
        themes[DUPLICATES_NOTE] = per_theme
    survey, by, effects, table_options, weights = _tables_input(run_dir, record)
    with_report = (run_dir / REPORT_HTML).is_file() or bool(record.settings.get("report"))

    def build(tmp: Path) -> list[Path]:
        written = [write_run_csv(themes, tmp, THEMES_CSV),
                   write_run_csv(result.answers, tmp, ANSWERS_CSV),
                   write_run_csv(result.term_weights, tmp, TERM_WEIGHTS_CSV)]
        save_model(edited, tmp / MODEL_DIR)
        written.append(tmp / MODEL_DIR)
        tables: list[Path] = []
        if survey is not None:
            from textmine.tables import write_tables

            tables = write_tables(tmp, answers=result.answers, themes=themes,
                                  terms=read_run_csv(run_dir, TERMS_CSV), survey=survey,
                                  by=by, weights=weights, effects=effects, options=table_options)
            written += tables
        analyses = _analyses(tmp, run_dir, record, survey, corpus, result, by, lang)
        written += [tmp / name for name in analyses]
        _record_edit(record, edits, log, result.info["counts"], len(edited.labels),
                     table_names=[p.name for p in tables],
                     relabelled=_relabelled(old_themes, themes)).write(tmp)
        written.append(tmp / "run.json")
        if with_report:
            written += _render(run_dir, tmp, _report_options(run_dir, lang),
                               own_folder=bool(analyses))
        return written

    summary = _project_summary(run_dir)
    files = replace_entries(run_dir, build, names=REPORT_ENTRIES if with_report else ())
    _rewrite_project_summary(run_dir, summary)
    counts = themes["n_answers"].astype(int).tolist()
    return EditResult(log=log, files=files, themes=list(zip(
        [int(t) for t in themes["theme_id"]], themes["label"].astype(str), counts, strict=True)))


def _tables_input(run_dir: Path, record: RunRecord):
    """The survey and table settings of the run (survey ``None`` when it has no tables)."""
    settings = record.settings
    by = [str(b) for b in settings.get("by") or []]
    effects = [str(e) for e in settings.get("effects") or []]
    if not (by or effects):
        return None, by, effects, TableOptions(), None
    kwargs, _ = recorded_options(TableOptions, settings.get("tables") or {})
    survey_path = run_survey_path(record, run_dir)
    survey = read_survey(survey_path, options=run_read_options(record))
    recorded = record.input.get("sha256")
    if recorded and survey.source.sha256 != recorded:
        raise DataError(
            f"Survey file {survey_path.name} changed since the run in {run_dir} (sha256 "
            "differs); its tables cannot be rewritten: rerun the themes command on the current "
            "file."
        )
    return survey, by, effects, TableOptions(**kwargs), settings.get("weights")


def _relabelled(old_themes: pd.DataFrame, new_themes: pd.DataFrame) -> dict[str, str]:
    """Old label -> new label of the themes kept under the same id whose label changed
    (``--rename``, or the name given to a merge)."""
    old = dict(zip(old_themes["theme_id"].astype(int), old_themes["label"].astype(str),
                   strict=True))
    return {old[i]: label
            for i, label in zip(new_themes["theme_id"].astype(int),
                                new_themes["label"].astype(str), strict=True)
            if i in old and old[i] != label}


def _record_edit(record: RunRecord, edits: RunEdits, log: list[str], counts: dict,
                 n_themes: int, *, table_names: list[str],
                 relabelled: dict[str, str] | None = None) -> RunRecord:
    """run.json after the edit: history appended, final number of themes and counts updated,
    seeded themes listed under their new names (``relabelled``: old label -> new label)."""
    themes = dict(record.themes or {})
    history = list(themes.get("edit_history") or [])
    history.append({**edits.as_record(), "log": log})
    themes["edit_history"] = history
    themes["n_themes_final"] = n_themes
    if relabelled and themes.get("seeded_themes"):
        themes["seeded_themes"] = [
            {**entry, "name": relabelled.get(str(entry.get("name")), entry.get("name"))}
            if isinstance(entry, dict) else entry
            for entry in themes["seeded_themes"]]
    record.themes = themes
    record.counts = {**record.counts, **{k: counts[k] for k in EDITED_COUNTS if k in counts}}
    if table_names:
        record.tables = sorted(set(record.tables or []) | set(table_names))
    return record


def _analyses(tmp: Path, run_dir: Path, record: RunRecord, survey, corpus: RunCorpus, result,
              by: list[str], lang: str) -> list[str]:
    """Rewrite ``ca/`` and ``similarity/`` (their themes are supplementary points) when the run
    made them (``themes --ca/--similarity``); returns the entries written."""
    recorded = record.extra.get("analysis") if isinstance(record.extra, dict) else None
    if survey is None or not isinstance(recorded, dict):
        return []
    from textmine.config import AnalysisOptions
    from textmine.pipeline.ca_run import write_analyses
    from textmine.runfolder import CA_DIR, SIMILARITY_DIR

    kwargs, _ = recorded_options(AnalysisOptions, recorded.get("options") or {})
    options = AnalysisOptions(**kwargs)
    if not (options.ca or options.similarity):
        return []
    ok = [i for i, status in enumerate(corpus.status) if status == "ok"]
    info = write_analyses(tmp, survey, text_col=str(record.input.get("text_col") or ""),
                          ids=[corpus.ids[i] for i in ok], terms=[corpus.terms[i] for i in ok],
                          answers=result.answers, themes=result.themes, by=by, options=options,
                          lang=lang)
    record.extra = {**record.extra, "analysis": {"options": asdict(options), **info}}
    # The report reads its folder: the run's other files it shows come along (same bytes).
    for name in (TERMS_CSV, K_SELECTION_PNG):
        if (run_dir / name).is_file():
            shutil.copyfile(run_dir / name, tmp / name)
    return [name for name in (CA_DIR, SIMILARITY_DIR) if (tmp / name).exists()] + [
        name for name in (TERMS_CSV, K_SELECTION_PNG) if (tmp / name).is_file()]


def _render(run_dir: Path, tmp: Path, options: ReportOptions, *,
            own_folder: bool = False) -> list[Path]:
    """Render the report of the edited tables (in ``tmp``) with the run's other files.

    ``own_folder``: the analyses were rewritten into ``tmp`` (with copies of the files the
    report reads), so the report reads ``tmp``; otherwise it reads the run for them.
    """
    data = load_run(tmp)
    original = load_run(run_dir)
    data.folder = tmp if own_folder else run_dir
    data.k_selection = original.k_selection
    data.reinert = original.reinert
    data.use_labels(options)
    return render_report(data, tmp, options)


def _project_summary(run_dir: Path) -> pd.DataFrame | None:
    """The project's summary.csv when ``run_dir`` is one of its question folders, else ``None``.

    Read before the run is edited: a summary that cannot be read (edited by hand, another
    file) or names a question folder that is gone is said in one line and left as it is
    (rerun ``textmine run`` to rebuild it); it no longer ends the edit in a traceback after
    the run was rewritten.
    """
    project = run_dir.resolve().parent
    summary_path = project / SUMMARY_CSV
    if not summary_path.is_file():
        return None
    try:
        summary = pd.read_csv(summary_path, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError, OSError, pd.errors.ParserError) as exc:
        logger.warning("%s of the project could not be read (%s); it is left as it is: rerun "
                       "textmine run to rebuild it.", summary_path, exc)
        return None
    if "folder" not in summary or run_dir.resolve().name not in set(summary["folder"]):
        return None
    missing = [c for c in ("question", "folder") if c not in summary.columns] + [
        f for f in summary["folder"] if not (project / f / "run.json").is_file()]
    if missing:
        logger.warning("%s of the project lacks %s; it is left as it is: rerun textmine run to "
                       "rebuild it.", summary_path, ", ".join(map(str, missing)))
        return None
    return summary


def _rewrite_project_summary(run_dir: Path, summary: pd.DataFrame | None) -> None:
    """Rewrite the project's summary and index when ``run_dir`` is a question folder of one."""
    if summary is None:
        return
    project = run_dir.resolve().parent
    tomls = sorted(project.glob("*.toml"))
    lang = ReportOptions.lang
    if tomls:
        try:
            lang = str(tomllib.loads(tomls[0].read_text(encoding="utf-8"))
                       .get("report", {}).get("lang") or lang)
        except (tomllib.TOMLDecodeError, OSError, AttributeError):
            pass
    runs: list[tuple[str, str, RunData]] = []
    for column, folder, label in zip(summary["question"], summary["folder"],
                                     summary.get("label", summary["question"]), strict=True):
        data = load_run(project / folder)
        data.title = label or column
        runs.append((column, folder, data))
    title = tomls[0].name if tomls else project.name
    replace_entries(project, lambda tmp: write_summary(tmp, runs, title=title, lang=lang),
                    names=(SUMMARY_CSV, SUMMARY_MD, INDEX_HTML))
