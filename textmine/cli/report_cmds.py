"""CLI command ``textmine report``: (re)write the report of a finished run."""

from __future__ import annotations

from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import Lang, RunDir
from textmine.config import ReportOptions


@app.command()
def report(
    run_dir: RunDir,
    lang: Lang = ReportOptions.lang,
    title: Annotated[str, typer.Option(
        "--title", help="The question as worded for readers.")] = "",
    wordclouds: Annotated[bool, typer.Option(
        "--wordclouds/--no-wordclouds", help="Draw the word clouds.")] = ReportOptions.wordclouds,
) -> None:
    """(Re)write report.html, report.xlsx, figures/ and tables_md/ of a finished run."""
    from textmine.pipeline.report_run import rewrite_report

    options = ReportOptions(lang=lang, title=title, wordclouds=wordclouds)
    files = rewrite_report(run_dir, options=options)
    typer.echo(f"{len(files)} report files written to {run_dir}")
