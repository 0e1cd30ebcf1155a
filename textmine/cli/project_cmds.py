"""CLI commands about project files: ``textmine run`` and ``textmine demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import DictionaryFile, Force, Jobs, Lang, Scheduler, engine_options
from textmine.cli.progress import progress_bar
from textmine.config import ReportOptions

#: Default output folder of ``textmine demo`` (what ``make demo`` writes).
DEMO_OUT = Path("out") / "demo"


def _done(out: Path) -> None:
    from textmine.pipeline import INDEX_HTML

    typer.echo(f"Results written to {out}")
    if (out / INDEX_HTML).is_file():
        typer.echo(f"Open {out / INDEX_HTML} in a browser to read the reports.")


@app.command()
def run(
    project: Annotated[Path, typer.Argument(help="Project file (textmine.toml).")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Output folder (default: the output dir of the project file).")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Report language: fr or en (default: the project's, else fr).")] = None,
    dictionary: DictionaryFile = None,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
    force: Force = False,
) -> None:
    """Run every open question of a project file: themes, tables, reports, summary."""
    from textmine.pipeline.project_run import run_project

    with progress_bar() as progress:
        result = run_project(project, out=out, force=force, lang=lang, progress=progress,
                             dictionary=dictionary,
                             engine=engine_options(jobs, scheduler))  # issue 19
    _done(result)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = DEMO_OUT,
    lang: Lang = ReportOptions.lang,
    force: Force = False,
) -> None:
    """Run the whole pipeline on the shipped (illustrative) demo survey."""
    from textmine.pipeline.project_run import run_demo

    with progress_bar() as progress:
        result = run_demo(out=out, force=force, lang=lang, progress=progress)
    _done(result)
