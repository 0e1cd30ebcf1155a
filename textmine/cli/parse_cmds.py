"""CLI command about French text processing: ``textmine parse``."""

from __future__ import annotations

from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import (
    DictionaryFile,
    Encoding,
    Force,
    IdCol,
    Jobs,
    Model,
    OutDir,
    Profile,
    Scheduler,
    Sep,
    Sheet,
    Survey,
    TextCol,
    engine_options,
    read_options,
)
from textmine.cli.progress import PROGRESS_MIN, progress_bar
from textmine.config import TextOptions


@app.command()
def parse(
    path: Survey,
    text_col: TextCol,
    out: OutDir,
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    model: Model = TextOptions.model,
    no_mask: Annotated[bool, typer.Option(
        "--no-mask", help="Do not mask e-mails, phones, URLs and names in quotes.")] = False,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Neither read nor write the parse cache.")] = False,
    dictionary: DictionaryFile = None,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
    force: Force = False,
) -> None:
    """Process the answers of one open question into features and write OUT/terms.csv."""
    from textmine.pipeline import COUNT_NON_ANSWER, TERMS_CSV, use_engine
    from textmine.pipeline.parse_run import run_parse

    text_options = TextOptions(model=model, mask_pii=not no_mask, cache=not no_cache,
                               dictionary=str(dictionary) if dictionary else None)
    engine = engine_options(jobs, scheduler)
    with use_engine(engine), progress_bar(min_total=PROGRESS_MIN) as progress:
        corpus = run_parse(
            path, text_col=text_col, out=out,
            read_options=read_options(id_col, sheet, encoding, sep, profile),
            text_options=text_options, force=force, progress=progress,
        )  # fmt: skip
    counts = corpus.info["counts"]
    typer.echo(f"answers: {counts['answers']}    non-answers: {counts[COUNT_NON_ANSWER]}    "
               f"empty: {counts['empty']}    duplicates: {counts['duplicates']}")
    typer.echo(f"vocabulary: {counts['vocabulary']} terms    answers without terms: "
               f"{counts['no_terms']}    cache: {corpus.info['cache']}")
    top = ", ".join(f"{term} ({n})" for term, n in corpus.info["top_terms"][:10])
    typer.echo(f"top terms: {top}")
    if corpus.info.get("dictionary"):  # editable dictionary (issue 16, section 3)
        d = corpus.info["dictionary"]
        typer.echo(f"dictionary: {d['path']} read as a {d['format']} dictionary, {d['rows']} "
                   f"rows: {d['dropped']} forms dropped, {d['grouped']} forms grouped")
    note = corpus.info["duplicates"].get("note")
    if note:
        typer.echo(f"note: {note}; `textmine themes --dedupe` fits the themes on distinct texts.")
    typer.echo(f"written: {out / TERMS_CSV}")
