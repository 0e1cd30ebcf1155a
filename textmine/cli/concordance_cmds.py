"""CLI commands ``textmine concordance`` (keyword in context) and ``textmine dictionary``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import (
    DictionaryFile,
    Encoding,
    ForceFile,
    IdCol,
    Lang,
    Model,
    Profile,
    Sep,
    Sheet,
    Survey,
    TextCol,
    read_options,
)
from textmine.cli.progress import progress_bar
from textmine.config import ReportOptions, TextOptions


@app.command()
def concordance(
    source: Annotated[Path, typer.Argument(
        metavar="SURVEY_OR_RUN",
        help="Survey file, or the folder of a finished run (its survey and question).")],
    term: Annotated[str, typer.Option(
        "--term", help="Word, prefix (écolo*) or expression (\"cadre de vie\") to find.")],
    out: Annotated[Path, typer.Option(
        "--out", help="Output file: .csv, .xlsx or .html (the format follows the suffix).")],
    text_col: Annotated[str | None, typer.Option(
        "--text-col", help="Column of the open question (default: the run's question).")] = None,
    lemma: Annotated[bool, typer.Option(
        "--lemma", help="Match every form of the term's lemma (moyen: moyen, moyens).")] = False,
    exact: Annotated[bool, typer.Option(
        "--exact", help="Match forms with case and accents as typed.")] = False,
    window: Annotated[int, typer.Option(
        "--window", help="Words of context on each side.")] = 8,
    by: Annotated[list[str] | None, typer.Option(
        "--by", help="Closed question shown beside each line (repeatable).")] = None,
    sort: Annotated[str, typer.Option(
        "--sort", help="Order of the lines: right (context after), left or modality (--by).",
    )] = "right",
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    dictionary: DictionaryFile = None,
    lang: Lang = ReportOptions.lang,
    force: ForceFile = False,
) -> None:
    """Keyword in context: every occurrence of a word with the words around it."""
    from textmine.pipeline.concordance_run import run_concordance

    text_options = TextOptions(dictionary=str(dictionary)) if dictionary else None
    read = read_options(id_col, sheet, encoding, sep, profile)
    with progress_bar(sys.stderr.isatty()) as progress:
        result = run_concordance(
            source, term=term, out=out, text_col=text_col, lemma=lemma, exact=exact,
            window=window, by=tuple(by or ()), sort=sort, read_options=read,
            text_options=text_options, lang=lang, force=force, progress=progress,
        )  # fmt: skip
    if result.lemmas:
        typer.echo("lemmas searched: " + " ".join("|".join(t) for t in result.lemmas))
    typer.echo(f"{result.lines} lines in {result.answers} answers ({result.text_col} of "
               f"{Path(result.survey).name})")
    if result.not_located:
        typer.echo(f"{result.not_located} answers hold the lemma in their parsed copy only "
                   "(a word rewritten by the spelling rules); they have no line.")
    typer.echo(f"written: {result.path}")


@app.command()
def dictionary(
    path: Survey,
    text_col: TextCol,
    out: Annotated[Path, typer.Option(
        "--out", help="Output file: .csv or .xlsx, to edit in a spreadsheet.")],
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    model: Model = TextOptions.model,
    dictionary: DictionaryFile = None,
    force: ForceFile = False,
) -> None:
    """Write the word dictionary of an open question: one row per form, keep and group_as to
    fill in a spreadsheet, then give it back with --dictionary."""
    from textmine.pipeline.concordance_run import run_dictionary

    text_options = TextOptions(model=model, dictionary=str(dictionary) if dictionary else None)
    with progress_bar(sys.stderr.isatty()) as progress:
        result = run_dictionary(
            path, text_col=text_col, out=out,
            read_options=read_options(id_col, sheet, encoding, sep, profile),
            text_options=text_options, force=force, progress=progress,
        )  # fmt: skip
    if result.applied:
        typer.echo(f"dictionary read: {result.applied}")
    typer.echo(f"{result.rows} forms written to {result.path}; fill keep (no = drop) and "
               "group_as (merge forms), then give it with --dictionary.")
