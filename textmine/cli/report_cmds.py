"""CLI commands ``textmine run`` (a whole project), ``textmine demo`` and ``textmine report``."""

from __future__ import annotations

from pathlib import Path

import typer

from textmine.cli.app import app
from textmine.config import ReportOptions
from textmine.runfolder import INDEX_HTML


def _done(out: Path) -> None:
    typer.echo(f"Results written to {out}")
    if (out / INDEX_HTML).is_file():
        typer.echo(f"Open {out / INDEX_HTML} in a browser to read the reports.")


@app.command()
def run(
    project: Path = typer.Argument(..., help="Project file (textmine.toml)."),
    out: Path | None = typer.Option(
        None, "--out", help="Output folder (default: the output dir of the project file)."
    ),
    lang: str | None = typer.Option(
        None, "--lang", help="Report language: fr or en (default: the project's, else fr)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
) -> None:
    """Run every open question of a project file: themes, tables, reports, summary."""
    from textmine.pipeline.project_run import run_project

    _done(run_project(project, out=out, force=force, lang=lang, progress=True))


@app.command()
def demo(
    out: Path = typer.Option(Path("out") / "demo", "--out", help="Output folder."),
    lang: str = typer.Option(ReportOptions.lang, "--lang", help="Report language: fr or en."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
) -> None:
    """Run the whole pipeline on the shipped (illustrative) demo survey."""
    from textmine.pipeline.project_run import run_demo

    _done(run_demo(out=out, force=force, lang=lang, progress=True))


@app.command()
def report(
    run_dir: Path = typer.Argument(..., help="Folder of a finished `textmine themes` run."),
    lang: str = typer.Option(ReportOptions.lang, "--lang", help="Report language: fr or en."),
    title: str = typer.Option("", "--title", help="The question as worded for readers."),
    wordclouds: bool = typer.Option(
        ReportOptions.wordclouds, "--wordclouds/--no-wordclouds", help="Draw the word clouds."
    ),
) -> None:
    """(Re)write report.html, report.xlsx, figures/ and tables_md/ of a finished run."""
    from textmine.pipeline.report_run import rewrite_report

    options = ReportOptions(lang=lang, title=title, wordclouds=wordclouds)
    files = rewrite_report(run_dir, options=options)
    typer.echo(f"{len(files)} report files written to {run_dir}")
