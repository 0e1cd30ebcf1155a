"""CLI commands ``textmine themes`` (find themes) and ``textmine apply`` (code with a model)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from textmine.cli.app import ENCODING_HELP, PROFILE_HELP, SEP_HELP, app
from textmine.config import ReadOptions, ReportOptions, ThemeOptions
from textmine.errors import OptionError


def _parse_k(value: str) -> int | str:
    if value.strip().lower() == "auto":
        return "auto"
    try:
        return int(value)
    except ValueError:
        msg = f"--k {value!r} is neither a number nor 'auto'; give --k 8 or --k auto."
        raise OptionError(msg) from None


def _summary(out: Path) -> None:
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    c = run["counts"]
    typer.echo(
        f"{c.get('themed', 0)} answers themed, {c.get('unassigned', 0)} unassigned, "
        f"{c.get('non_answer', 0)} non-answers, {c.get('empty', 0)} empty."
    )
    typer.echo(f"Results written to {out}")


@app.command()
def themes(
    path: Path = typer.Argument(..., help="Survey file (csv, xlsx, ods, parquet, sav, dta...)."),
    text_col: str = typer.Option(..., "--text-col", help="Column of the open question."),
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    id_col: str | None = typer.Option(None, "--id-col", help="Column of respondent ids."),
    sheet: str | None = typer.Option(None, "--sheet", help="Sheet of a spreadsheet file."),
    encoding: str | None = typer.Option(None, "--encoding", help=ENCODING_HELP),
    sep: str | None = typer.Option(None, "--sep", help=SEP_HELP),
    profile: str = typer.Option("auto", "--profile", help=PROFILE_HELP),
    k: str = typer.Option(
        str(ThemeOptions.k), "--k", help="Number of themes, or 'auto' to choose it."
    ),
    method: str = typer.Option(
        ThemeOptions.method, "--method", help="Theme model: short (default), nmf or lda."
    ),
    seed: int = typer.Option(ThemeOptions.seed, "--seed", help="Random seed (reproducible)."),
    min_df: int = typer.Option(
        ThemeOptions.min_df, "--min-df",
        help="Keep only terms found in at least this many answers (1 for very few answers).",
    ),  # fmt: skip
    codebook: Path | None = typer.Option(
        None, "--codebook", help="YAML codebook of named themes with seed words (and edits)."
    ),
    extra_themes: int = typer.Option(
        ThemeOptions.extra_themes, "--extra-themes",
        help="Free themes found beside the codebook's themes.",
    ),  # fmt: skip
    by: list[str] = typer.Option(
        [], "--by", help="Closed question to cross with the themes (repeatable)."
    ),
    weights: str | None = typer.Option(None, "--weights", help="Survey weight column."),
    effects: list[str] = typer.Option(
        [], "--effects", help="Closed question of the effects model (repeatable)."
    ),
    report: bool = typer.Option(False, "--report", help="Also write report.html/.xlsx."),
    lang: str = typer.Option(ReportOptions.lang, "--lang", help="Report language: fr or en."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
) -> None:
    """Find the themes of an open question and assign them to the answers."""
    from textmine.pipeline.themes_run import run_themes

    options = ThemeOptions(k=_parse_k(k), method=method, seed=seed, extra_themes=extra_themes,
                           min_df=min_df)
    read_options = ReadOptions(id_col=id_col, sheet=sheet, encoding=encoding, sep=sep,
                        profile=profile)
    result = run_themes(
        path, text_col=text_col, out=out, read_options=read_options,
        theme_options=options, codebook_path=codebook, force=force, by=tuple(by),
        weights=weights, effects=tuple(effects), report=report,
        report_options=ReportOptions(lang=lang), progress=sys.stderr.isatty(),
    )  # fmt: skip
    _summary(result)


@app.command()
def apply(
    model_dir: Path = typer.Argument(..., help="model/ folder of a finished themes run."),
    path: Path = typer.Argument(..., help="Survey file with the answers to code."),
    text_col: str = typer.Option(..., "--text-col", help="Column of the open question."),
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    id_col: str | None = typer.Option(None, "--id-col", help="Column of respondent ids."),
    sheet: str | None = typer.Option(None, "--sheet", help="Sheet of a spreadsheet file."),
    encoding: str | None = typer.Option(None, "--encoding", help=ENCODING_HELP),
    sep: str | None = typer.Option(None, "--sep", help=SEP_HELP),
    profile: str = typer.Option("auto", "--profile", help=PROFILE_HELP),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
) -> None:
    """Code new answers with a saved theme model (same text settings as the model's run)."""
    from textmine.pipeline.themes_run import run_apply

    result = run_apply(
        model_dir, path, text_col=text_col, out=out,
        read_options=ReadOptions(id_col=id_col, sheet=sheet, encoding=encoding, sep=sep,
                        profile=profile),
        force=force, progress=sys.stderr.isatty(),
    )  # fmt: skip
    _summary(result)
