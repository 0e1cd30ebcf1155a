"""CLI commands of assisted coding: ``textmine code``, ``agree``, ``sheet`` and ``codebook``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import (
    CodingCodebook,
    DictionaryFile,
    Encoding,
    Force,
    ForceFile,
    IdCol,
    OutDir,
    Profile,
    RunDir,
    Sep,
    Sheet,
    Survey,
    TextCol,
    read_options,
)
from textmine.cli.progress import progress_bar
from textmine.config import CodingOptions, TextOptions

_CODED_HELP = "coding sheet or long CSV"


@app.command()
def code(
    path: Survey,
    text_col: TextCol,
    labels: Annotated[Path, typer.Option(
        "--labels",
        help="Coded answers: a filled coding sheet (xlsx/csv) or a long CSV respondent_id,code.",
    )],
    out: OutDir,
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    codebook: CodingCodebook = None,
    target_precision: Annotated[float, typer.Option(
        "--target-precision",
        help="Precision that automatic codes must reach; the rest goes to the review queue.",
    )] = CodingOptions.target_precision,
    seed: Annotated[int, typer.Option(
        "--seed", help="Seed of the cross-validations.")] = CodingOptions.seed,
    dictionary: DictionaryFile = None,
    force: Force = False,
    embeddings: Annotated[str, typer.Option(
        "--embeddings",
        help="Sentence encoder added to the word features (use-multilingual-v3, "
             "fr-core-news-md-mean) or 'none'.",
    )] = str(CodingOptions.embedding_model),
) -> None:
    """Learn from coded answers, code the others where confident, queue the doubtful ones."""
    from textmine.pipeline import RunRecord
    from textmine.pipeline.coding_run import run_code

    options = CodingOptions(target_precision=target_precision, seed=seed,
                            embedding_model=embeddings)  # fmt: skip
    read = read_options(id_col, sheet, encoding, sep, profile)
    with progress_bar() as progress, progress_bar(label="embedding") as embed_progress:
        result = run_code(
            path, text_col=text_col, labels_path=labels, out=out, read_options=read,
            coding_options=options, codebook_path=codebook, force=force, progress=progress,
            text_options=TextOptions(dictionary=str(dictionary) if dictionary else None),
            embed_progress=embed_progress,
        )  # fmt: skip
    record = RunRecord.read(result)
    counts, coding = record.counts, record.coding or {}
    coverage = counts["coverage"]
    for entry in coding.get("review", []):
        typer.echo(entry["message"])
    typer.echo(
        f"{counts['coded_used_for_training']} coded answers learnt; "
        f"{counts['auto_coded']} of {counts['uncoded_with_text']} other answers coded "
        f"automatically ({'n/a' if coverage is None else f'{coverage:.0%}'}), "
        f"{counts['review_queue']} in the review queue."
    )
    if "expected" in coding:
        sentence = coding["expected"]["sentence"]
        typer.echo(f"Checked on coded answers the coder did not learn from: {sentence}.")
    typer.echo(f"Results written to {result}")


@app.command()
def agree(
    a: Annotated[Path, typer.Argument(help=f"Codes of the first coder ({_CODED_HELP}).")],
    b: Annotated[Path, typer.Argument(help=f"Codes of the second coder ({_CODED_HELP}).")],
    survey: Annotated[Path, typer.Option(
        "--survey", help="Survey file: its respondents are the units of agreement.")],
    out: OutDir,
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    codebook: CodingCodebook = None,
    force: Force = False,
) -> None:
    """Agreement of two coders per code on the answers both coded: kappa, alpha, % agreement."""
    from textmine.pipeline.coding_run import agreement_lines, run_agree

    result = run_agree(
        a, b, survey_path=survey, out=out,
        read_options=read_options(id_col, sheet, encoding, sep, profile),
        codebook_path=codebook, force=force,
    )  # fmt: skip
    for line in agreement_lines(result):
        typer.echo(line)
    typer.echo(f"Results written to {result}")


@app.command("sheet")
def sheet_cmd(
    run_dir: RunDir,
    out: Annotated[Path, typer.Option(
        "--out", help="Coding sheet file to write (.xlsx or .csv).")],
    csv: Annotated[bool, typer.Option(
        "--csv", help="Write a CSV instead of an XLSX workbook.")] = False,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook",
        help="Codebook (.yaml, .qdc or .csv) whose codes become columns; default the themes.",
    )] = None,
    force: ForceFile = False,
) -> None:
    """Write a coding sheet (one row per answer, one 0/1 column per code) for a themes run."""
    from textmine.pipeline.coding_run import run_sheet

    result = run_sheet(run_dir, out=out, csv=csv or out.suffix.lower() == ".csv",
                       codebook_path=codebook, force=force)  # fmt: skip
    typer.echo(f"Coding sheet written to {result}")


@app.command("codebook")
def codebook_cmd(
    source: Annotated[Path, typer.Argument(help="Codebook to read (.yaml, .qdc or .csv).")],
    out: Annotated[Path, typer.Option(
        "--out", help="Codebook to write: .qdc (REFI-QDA: QualCoder, NVivo, ATLAS.ti, "
                      "MAXQDA), .yaml or .csv.")],
    force: ForceFile = False,
) -> None:
    """Convert a codebook between YAML, REFI-QDA codebook XML (.qdc) and CSV."""
    from textmine.pipeline.coding_run import run_codebook

    typer.echo(f"Codebook written to {run_codebook(source, out, force=force)}")
