"""``textmine run PROJECT`` and ``textmine demo``: every open question of a project, one command.

The survey is read (and hashed) once; for each ``[[open]]`` question of the project file,
:func:`textmine.pipeline.themes_run.write_themes_run` writes a complete run folder (themes,
tables, report) into ``OUT/<question>/`` (with a ``[reinert]`` section, also a Reinert run
folder in ``OUT/<question>/reinert/``); then a summary (``summary.csv``, ``summary.md``) and an
``index.html`` linking the reports are written beside them. Everything happens inside one
:func:`textmine.outputs.atomic_output_dir`: a failure on the third question leaves the previous
output (or nothing), never half a project.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import textmine
from textmine.codebook import load_codebook
from textmine.config import EngineOptions
from textmine.engine import use_engine
from textmine.errors import InputFileError, OptionError
from textmine.outputs import atomic_output_dir, unique_filenames
from textmine.pipeline.reinert_run import write_reinert_run
from textmine.pipeline.themes_run import write_themes_run
from textmine.project import load_project
from textmine.report.i18n import check_lang
from textmine.report.rundata import RunData, load_run
from textmine.report.summary import write_summary
from textmine.runfolder import REINERT_DIR
from textmine.survey import read_survey

logger = logging.getLogger(__name__)

#: The demo project, relative to the source tree (``make demo`` installs the package editable).
DEMO_PROJECT = Path("data") / "textmine.toml"


def question_folders(columns: list[str]) -> dict[str, str]:
    """Folder name of each open question: its column made file-safe, unique."""
    return unique_filenames(columns)


def _codebook_path(codebook: str | Path | None, project_dir: Path) -> Path | None:
    if not codebook:
        return None
    path = Path(codebook)
    # The project file names codebooks relative to itself, whatever the working directory.
    return path if path.is_absolute() else project_dir / path


def run_project(
    project_file: str | Path,
    *,
    out: str | Path | None = None,
    force: bool = False,
    lang: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    dictionary: str | Path | None = None,
    engine: EngineOptions | None = None,
) -> Path:
    """Run every open question of a project file into one output folder.

    Parameters
    ----------
    project_file : path
        ``textmine.toml`` (format: docs/architecture.md, "Project file").
    out : path, optional
        Output folder; default: the project's ``[output] dir``.
    force : bool
        Replace an existing non-empty output folder.
    lang : str, optional
        Report language (``fr`` or ``en``); default: the project's ``[report] lang``.
    progress : callable(done, total), optional
        Called while the answers of each open question are parsed (see
        :func:`textmine.text.corpus.process_answers`).
    dictionary : path, optional
        Edited word dictionary; replaces the project's ``[text] dictionary``.
    engine : EngineOptions, optional
        Where the spaCy stage runs (``--jobs``/``--scheduler``); default: the project's
        ``[engine]``.

    Returns
    -------
    Path
        The output folder: ``<question>/`` per open question, ``summary.csv``, ``summary.md``,
        ``index.html`` and a copy of the project file.
    """
    project = load_project(project_file, out_given=out is not None)
    if dictionary is not None:  # editable dictionary (issue 16, section 3)
        project = replace(project, text=replace(project.text, dictionary=str(dictionary)))
    options = project.report if lang is None else replace(project.report, lang=lang)
    check_lang(options.lang)
    if not project.open:
        raise OptionError(
            f"Project file {project_file} has no [[open]] question; add one with its column name."
        )
    out = Path(out) if out is not None else Path(project.output_dir)
    folders = question_folders([q.column for q in project.open])
    project_dir = Path(project.path).resolve().parent
    inputs = [Path(project.path), Path(project.survey_path)] + (
        [Path(project.text.dictionary)] if project.text.dictionary else []) + [
        p for q in project.open if (p := _codebook_path(q.codebook, project_dir))]
    # Codebooks are read before the survey so that a broken one fails fast.
    codebooks = {q.column: _codebook_path(q.codebook, project_dir) for q in project.open}
    loaded = {col: load_codebook(path) if path else None for col, path in codebooks.items()}
    engine = engine if engine is not None else project.engine  # issue 19
    with use_engine(engine), atomic_output_dir(out, force=force, inputs=inputs) as tmp:
        # One read (and one hash) of the survey for every open question: they share it.
        survey = read_survey(project.survey_path, options=project.read)
        check_option_labels(project, survey)
        runs: list[tuple[str, str, RunData]] = []
        for question in project.open:
            logger.info("Open question %s -> %s/", question.column, folders[question.column])
            folder = write_themes_run(
                tmp / folders[question.column], survey, text_col=question.column,
                read_options=project.read, text_options=project.text,
                theme_options=question.themes, codebook=loaded[question.column],
                codebook_path=codebooks[question.column],
                by=tuple(project.by), effects=tuple(project.effects),
                table_options=project.tables, report=True,
                report_options=replace(
                    options, question=question.label or question.column,
                    question_labels=tuple((c.column, c.label) for c in project.closed if c.label)
                    + tuple(pair for c in project.closed for pair in c.options),
                ),
                progress=progress, analysis=project.analysis,
            )  # fmt: skip
            if project.reinert is not None:  # [reinert]: Reinert classification too
                write_reinert_run(
                    folder / REINERT_DIR, survey, text_col=question.column,
                    read_options=project.read, text_options=project.text,
                    reinert_options=project.reinert, by=tuple(project.by),
                    table_options=project.tables, report=True,
                    report_options=replace(options, title=question.label or question.column),
                    progress=progress, analysis_options=project.analysis,
                )  # fmt: skip
            data = load_run(folder)
            data.title = question.label or question.column
            runs.append((question.column, folders[question.column], data))
        title = Path(project.path).name
        write_summary(tmp, runs, title=title, lang=options.lang)
        shutil.copyfile(project.path, tmp / Path(project.path).name)
    return out


def demo_project() -> Path:
    """Path of the demo project file shipped in the source tree (``data/textmine.toml``)."""
    source_tree = Path(textmine.__file__).resolve().parents[1]
    for path in (source_tree / DEMO_PROJECT, Path.cwd() / DEMO_PROJECT):
        if path.is_file():
            return path
    raise InputFileError(
        f"Demo project {DEMO_PROJECT} not found next to the package or in {Path.cwd()}; run "
        "`textmine demo` from the textmine source folder."
    )


def run_demo(
    *,
    out: str | Path = Path("out") / "demo",
    force: bool = False,
    lang: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Run the demo project (``data/textmine.toml``: the illustrative survey) into ``out``."""
    return run_project(demo_project(), out=out, force=force, lang=lang, progress=progress)


def check_option_labels(project, survey) -> None:
    """Refuse ``options = {...}`` keys that are not options of their multiple-choice question.

    A mistyped key (``outil_1`` for ``outils_1``) was ignored: the column name stayed in every
    table with no word said.

    Raises
    ------
    OptionError
        A key that is not one of the question's options (its 0/1 columns, or its answers when
        the options share one column), with the options to choose from.
    """
    for spec in project.closed:
        if not spec.options:
            continue
        levels = [str(level) for level in survey.question(spec.column).levels]
        unknown = [key for key, _ in spec.options if key not in set(levels)]
        if unknown:
            raise OptionError(
                f"options of column '{spec.column}' in {Path(project.path).name} name "
                f"{', '.join(repr(k) for k in unknown)}, not an option of that question; its "
                f"options are: {', '.join(levels)}."
            )
