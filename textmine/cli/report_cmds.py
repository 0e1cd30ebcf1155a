"""CLI command ``textmine report``: (re)write the report of a finished run."""

from __future__ import annotations

from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import RunDir


@app.command()
def report(
    run_dir: RunDir,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Report language: fr or en (default: the run's).")] = None,
    title: Annotated[str | None, typer.Option(
        "--title", help="The question as worded for readers (default: the run's).")] = None,
    wordclouds: Annotated[bool | None, typer.Option(
        "--wordclouds/--no-wordclouds",
        help="Draw the word clouds (default: as the run's report).")] = None,
) -> None:
    """(Re)write report.html, report.xlsx, figures/ and tables_md/ of a finished run, with the
    report options the run was written with unless given here."""
    from textmine.pipeline.report_run import rewrite_report

    files = rewrite_report(run_dir, lang=lang, title=title, wordclouds=wordclouds)
    typer.echo(f"{len(files)} report files written to {run_dir}")
