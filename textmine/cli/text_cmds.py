"""CLI command about French text processing: ``textmine parse``."""

from __future__ import annotations

import typer

from textmine.cli.app import PROFILE_HELP, app


@app.command()
def parse(
    path: str = typer.Argument(..., metavar="SURVEY", help="Survey file (.csv .xlsx .ods ...)."),
    text_col: str = typer.Option(..., "--text-col", help="Column holding the open answers."),
    out: str = typer.Option(..., "--out", help="Output folder (receives terms.csv and run.json)."),
    id_col: str | None = typer.Option(
        None, "--id-col", help="Column holding the respondent ids (default: rows numbered 1..n)."),
    sheet: str | None = typer.Option(
        None, "--sheet", help="Sheet of an .xlsx/.ods file, by name or 0-based position."),
    profile: str = typer.Option("auto", "--profile", help=PROFILE_HELP),
    model: str = typer.Option(
        "fr_core_news_sm", "--model",
        help="spaCy model: fr_core_news_sm (fast) or fr_core_news_md (adds word vectors)."),
    no_mask: bool = typer.Option(
        False, "--no-mask", help="Do not mask e-mails, phones, URLs and names in quotes."),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Neither read nor write the parse cache."),
    force: bool = typer.Option(False, "--force", help="Replace a non-empty output folder."),
) -> None:
    """Process the answers of one open question into features and write OUT/terms.csv."""
    from textmine.config import ReadOptions, TextOptions
    from textmine.pipeline.parse_run import run_parse

    corpus = run_parse(
        path, text_col=text_col, out=out,
        read_options=ReadOptions(id_col=id_col, sheet=sheet, profile=profile),
        text_options=TextOptions(model=model, mask_pii=not no_mask, cache=not no_cache),
        force=force, progress=True,
    )
    counts = corpus.info["counts"]
    typer.echo(f"answers: {counts['answers']}    non-answers: {counts['non_answers']}    "
               f"empty: {counts['empty']}    duplicates: {counts['duplicates']}")
    typer.echo(f"vocabulary: {counts['vocabulary']} terms    answers without terms: "
               f"{counts['no_terms']}    cache: {corpus.info['cache']}")
    top = ", ".join(f"{term} ({n})" for term, n in corpus.info["top_terms"][:10])
    typer.echo(f"top terms: {top}")
    typer.echo(f"written: {out}/terms.csv")
