"""CLI commands ``textmine ca`` (correspondence analysis) and ``textmine similarity``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import (
    Encoding,
    Force,
    IdCol,
    Lang,
    OutDir,
    Profile,
    Sep,
    Sheet,
    SurveyOrRun,
    read_options,
)
from textmine.cli.progress import progress_bar
from textmine.config import AnalysisOptions, ReportOptions

OptTextCol = Annotated[str | None, typer.Option(
    "--text-col", help="Column of the open question (default with a run folder: the run's).")]


@app.command()
def ca(
    path: SurveyOrRun,
    out: OutDir,
    by: Annotated[list[str], typer.Option(
        "--by", help="Closed question whose modalities are the columns (repeatable).")],
    text_col: OptTextCol = None,
    rows: Annotated[str, typer.Option(
        "--rows", help="Rows of the table: terms, themes (run folder) or classes.")
    ] = AnalysisOptions.rows,
    min_freq: Annotated[int, typer.Option(
        "--min-freq", help="Terms kept as rows: at least this many occurrences.")
    ] = AnalysisOptions.min_freq,
    supplementary: Annotated[list[str] | None, typer.Option(
        "--supplementary", help="Closed question projected as supplementary columns "
                                "(repeatable).")] = None,
    axes: Annotated[tuple[int, int], typer.Option(
        "--axes", help="The two axes of the factor map.")] = AnalysisOptions.axes,
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    lang: Lang = ReportOptions.lang,
    force: Force = False,
) -> None:
    """Correspondence analysis (AFC): terms or themes x modalities, factor map and tables."""
    from textmine.pipeline.ca_run import run_ca

    options = AnalysisOptions(ca=True, rows=rows, min_freq=min_freq, axes=axes)
    report = ReportOptions(lang=lang)
    read = read_options(id_col, sheet, encoding, sep, profile)
    with progress_bar(sys.stderr.isatty()) as progress:
        result = run_ca(path, out=out, text_col=text_col, by=by,
                        supplementary=list(supplementary or ()), options=options,
                        read_options=read, report_options=report, force=force,
                        progress=progress)
    typer.echo(f"Results written to {result}")


@app.command()
def similarity(
    path: SurveyOrRun,
    out: OutDir,
    text_col: OptTextCol = None,
    top: Annotated[int, typer.Option(
        "--top", help="Number of terms (the most frequent).")] = AnalysisOptions.top,
    index: Annotated[str, typer.Option(
        "--index", help="Similarity index: cooccurrence, jaccard or cosine.")
    ] = AnalysisOptions.index,
    by: Annotated[str | None, typer.Option(
        "--by", help="Closed question of the sub-corpus (with --modality).")] = None,
    modality: Annotated[str | None, typer.Option(
        "--modality", help="Keep only the answers of this modality of --by.")] = None,
    seed: Annotated[int, typer.Option(
        "--seed", help="Seed of the communities.")] = AnalysisOptions.seed,
    keep_generic: Annotated[bool, typer.Option(
        "--keep-generic", help="Keep French adverbs and generic words (plus, très, bien, "
                               "faire...), left out by default.")] = False,
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    lang: Lang = ReportOptions.lang,
    force: Force = False,
) -> None:
    """Similarity analysis: co-occurrence graph of the frequent terms, maximum spanning tree."""
    from textmine.pipeline.ca_run import run_similarity

    options = AnalysisOptions(similarity=True, top=top, index=index, seed=seed,
                              drop_generic=not keep_generic)
    report = ReportOptions(lang=lang)
    read = read_options(id_col, sheet, encoding, sep, profile)
    with progress_bar(sys.stderr.isatty()) as progress:
        result = run_similarity(path, out=out, text_col=text_col, by=by, modality=modality,
                                options=options, read_options=read, report_options=report,
                                force=force, progress=progress)
    typer.echo(f"Results written to {result}")


__all__ = ["ca", "similarity"]
