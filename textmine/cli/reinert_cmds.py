"""CLI commands ``textmine reinert`` (Reinert classification) and ``textmine export-iramuteq``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import (
    ByClasses,
    DictionaryFile,
    Encoding,
    Force,
    ForceFile,
    IdCol,
    Lang,
    OutDir,
    Profile,
    Sep,
    Sheet,
    Survey,
    TextCol,
    Weights,
    read_options,
)
from textmine.cli.progress import progress_bar
from textmine.config import AnalysisOptions, ReinertOptions, ReportOptions, TextOptions

_D = ReinertOptions()


@app.command()
def reinert(
    path: Survey,
    text_col: TextCol,
    out: OutDir,
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    k: Annotated[int, typer.Option("--k", help="Number of classes (k - 1 splits).")] = _D.k,
    min_segment_size: Annotated[int, typer.Option(
        "--min-segment-size", help="A classification unit holds at least this many terms "
        "(short segments of one respondent are merged; 0: one unit per segment).",
    )] = _D.min_segment_size,
    min_split_members: Annotated[int, typer.Option(
        "--min-split-members", help="A cluster with fewer units is not split.",
    )] = _D.min_split_members,
    min_class_share: Annotated[float, typer.Option(
        "--min-class-share", help="No class smaller than this share of the units (0: off).",
    )] = _D.min_class_share,
    unit: Annotated[str, typer.Option(
        "--unit", help="Classify text segments (long answers cut) or whole answers.",
    )] = _D.unit,
    double: Annotated[tuple[int, int] | None, typer.Option(
        "--double", metavar="MIN1 MIN2",
        help="Double classification with these two minimum segment sizes.",
    )] = None,
    by: ByClasses = None,
    weights: Weights = None,
    dictionary: DictionaryFile = None,
    ca: Annotated[bool, typer.Option(
        "--ca", help="Also a correspondence analysis of the classes x the modalities of --by "
                     "(ca/ in the run folder).")] = False,
    similarity: Annotated[bool, typer.Option(
        "--similarity", help="Also a similarity analysis of the segments' terms "
                             "(similarity/ in the run folder).")] = False,
    report: Annotated[bool, typer.Option(
        "--report/--no-report", help="Write report.html/.xlsx (default: yes).")] = True,
    lang: Lang = ReportOptions.lang,
    force: Force = False,
) -> None:
    """Reinert's descending hierarchical classification (IRaMuTeQ, rainette) of an open question."""
    from textmine.pipeline import RunRecord
    from textmine.pipeline.reinert_run import run_reinert

    options = ReinertOptions(k=k, min_segment_size=min_segment_size,
                             min_split_members=min_split_members,
                             min_class_share=min_class_share, unit=unit,
                             double=tuple(double) if double else None)
    report_options = ReportOptions(lang=lang)
    read = read_options(id_col, sheet, encoding, sep, profile)
    with progress_bar(sys.stderr.isatty()) as progress:
        result = run_reinert(
            path, text_col=text_col, out=out, read_options=read, reinert_options=options,
            force=force, by=tuple(by or ()), weights=weights, report=report,
            report_options=report_options, progress=progress,
            text_options=TextOptions(dictionary=str(dictionary) if dictionary else None),
            analysis_options=AnalysisOptions(ca=ca, similarity=similarity, rows="classes"),
        )  # fmt: skip
    record = RunRecord.read(result)
    c = record.counts
    k_made = record.extra.get("reinert", {}).get("k", k)
    typer.echo(
        f"{k_made} classes: {c.get('classified', 0)} answers classified, "
        f"{c.get('unclassified', 0)} unclassified, {c.get('non_answer', 0)} non-answers, "
        f"{c.get('empty', 0)} empty ({c.get('segments', 0)} segments, {c.get('units', 0)} units)."
    )
    typer.echo(f"Results written to {result}")


@app.command("export-iramuteq")
def export_iramuteq(
    path: Survey,
    text_col: TextCol,
    out: Annotated[Path, typer.Option("--out", help="Corpus file to write (.txt).")],
    by: Annotated[list[str] | None, typer.Option(
        "--by", help="Closed question written as a starred variable (repeatable).")] = None,
    id_col: Annotated[str | None, typer.Option(
        "--id-col", help="Column holding the respondent ids, written as the variable *id_<id> "
                         "on each **** line (cleaned as IRaMuTeQ expects).")] = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    force: ForceFile = False,
) -> None:
    """Write an open question as an IRaMuTeQ corpus (one text per answer, starred variables)."""
    from textmine.pipeline.reinert_run import run_export_iramuteq

    export = run_export_iramuteq(path, text_col=text_col, out=out, by=tuple(by or ()),
                                 read_options=read_options(id_col, sheet, encoding, sep, profile),
                                 force=force)
    typer.echo(f"{export.n_texts} texts written to {export.path}; left out: "
               f"{export.n_nonanswers} non-answers, {export.n_empty} empty"
               + (f"; respondent ids as *{export.variables[id_col]}_<id>." if id_col else "."))
    if export.collisions:
        typer.echo(export.collision_line(), err=True)
