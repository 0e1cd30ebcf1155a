"""CLI commands of assisted coding: ``textmine code``, ``textmine agree``, ``textmine sheet``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from textmine.cli.app import ENCODING_HELP, PROFILE_HELP, SEP_HELP, app
from textmine.config import CodingOptions, ReadOptions

_DEFAULTS = CodingOptions()


@app.command()
def code(
    path: Path = typer.Argument(..., help="Survey file (csv, xlsx, ods, parquet, sav, dta...)."),
    text_col: str = typer.Option(..., "--text-col", help="Column of the open question."),
    labels: Path = typer.Option(
        ..., "--labels",
        help="Coded answers: a filled coding sheet (xlsx/csv) or a long CSV respondent_id,code.",
    ),  # fmt: skip
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    id_col: str | None = typer.Option(None, "--id-col", help="Column of respondent ids."),
    sheet: str | None = typer.Option(None, "--sheet", help="Sheet of a spreadsheet survey file."),
    encoding: str | None = typer.Option(None, "--encoding", help=ENCODING_HELP),
    sep: str | None = typer.Option(None, "--sep", help=SEP_HELP),
    profile: str = typer.Option("auto", "--profile", help=PROFILE_HELP),
    codebook: Path | None = typer.Option(
        None, "--codebook", help="Codebook (.yaml, .qdc or .csv); codes outside it are refused."
    ),
    target_precision: float = typer.Option(
        _DEFAULTS.target_precision, "--target-precision",
        help="Precision that automatic codes must reach; the rest goes to the review queue.",
    ),  # fmt: skip
    seed: int = typer.Option(_DEFAULTS.seed, "--seed", help="Seed of the cross-validations."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
) -> None:
    """Learn from coded answers, code the others where confident, queue the doubtful ones."""
    from textmine.pipeline.coding_run import run_code

    result = run_code(
        path, text_col=text_col, labels_path=labels, out=out,
        read_options=ReadOptions(id_col=id_col, sheet=sheet, encoding=encoding, sep=sep,
                        profile=profile),
        coding_options=CodingOptions(target_precision=target_precision, seed=seed),
        codebook_path=codebook, force=force, progress=True,
    )  # fmt: skip
    counts = json.loads((result / "run.json").read_text(encoding="utf-8"))["counts"]
    coverage = counts["coverage"]
    typer.echo(
        f"{counts['coded_used_for_training']} coded answers learnt; "
        f"{counts['auto_coded']} of {counts['uncoded_with_text']} other answers coded "
        f"automatically ({'n/a' if coverage is None else f'{coverage:.0%}'}), "
        f"{counts['review_queue']} in the review queue."
    )
    typer.echo(f"Results written to {result}")


@app.command()
def agree(
    a: Path = typer.Argument(..., help="Codes of the first coder (coding sheet or long CSV)."),
    b: Path = typer.Argument(..., help="Codes of the second coder (coding sheet or long CSV)."),
    survey: Path = typer.Option(
        ..., "--survey", help="Survey file: its respondents are the units of agreement."
    ),
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    id_col: str | None = typer.Option(None, "--id-col", help="Column of respondent ids."),
    sheet: str | None = typer.Option(None, "--sheet", help="Sheet of a spreadsheet survey file."),
    encoding: str | None = typer.Option(None, "--encoding", help=ENCODING_HELP),
    sep: str | None = typer.Option(None, "--sep", help=SEP_HELP),
    profile: str = typer.Option("auto", "--profile", help=PROFILE_HELP),
    codebook: Path | None = typer.Option(
        None, "--codebook", help="Codebook (.yaml, .qdc or .csv); codes outside it are refused."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
) -> None:
    """Agreement of two coders per code: Cohen's kappa, Krippendorff's alpha, % agreement."""
    from textmine.pipeline.coding_run import run_agree

    result = run_agree(
        a, b, survey_path=survey, out=out,
        read_options=ReadOptions(id_col=id_col, sheet=sheet, encoding=encoding, sep=sep,
                        profile=profile),
        codebook_path=codebook, force=force,
    )  # fmt: skip
    typer.echo(f"Results written to {result}")


@app.command("sheet")
def sheet_cmd(
    run_dir: Path = typer.Argument(..., help="Output folder of 'textmine themes'."),
    out: Path = typer.Option(..., "--out", help="Coding sheet file to write (.xlsx or .csv)."),
    csv: bool = typer.Option(False, "--csv", help="Write a CSV instead of an XLSX workbook."),
    codebook: Path | None = typer.Option(
        None, "--codebook",
        help="Codebook (.yaml, .qdc or .csv) whose codes become columns; default the themes.",
    ),  # fmt: skip
    force: bool = typer.Option(False, "--force", help="Replace an existing file."),
) -> None:
    """Write a coding sheet (one row per answer, one 0/1 column per code) for a themes run."""
    from textmine.pipeline.coding_run import run_sheet

    result = run_sheet(run_dir, out=out, csv=csv or out.suffix.lower() == ".csv",
                       codebook_path=codebook, force=force)  # fmt: skip
    typer.echo(f"Coding sheet written to {result}")


@app.command("codebook")
def codebook_cmd(
    source: Path = typer.Argument(..., help="Codebook to read (.yaml, .qdc or .csv)."),
    out: Path = typer.Option(
        ..., "--out", help="Codebook to write: .qdc (REFI-QDA: QualCoder, NVivo, ATLAS.ti, "
        "MAXQDA), .yaml or .csv."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing file."),
) -> None:
    """Convert a codebook between YAML, REFI-QDA codebook XML (.qdc) and CSV."""
    from textmine.coding.interchange import convert_codebook

    typer.echo(f"Codebook written to {convert_codebook(source, out, force=force)}")
