"""CLI command ``textmine crosstab``: recompute the tables of a finished themes run."""

from __future__ import annotations

from pathlib import Path

import typer

from textmine.cli.app import app
from textmine.config import TableOptions


@app.command()
def crosstab(
    run_dir: Path = typer.Argument(..., help="Folder of a finished `textmine themes` run."),
    by: list[str] = typer.Option(
        ..., "--by", help="Closed question to cross with the themes (repeat for several)."
    ),
    weights: str | None = typer.Option(
        None, "--weights", help="Survey weight column (weighted % and Rao-Scott test)."
    ),
    effects: list[str] = typer.Option(
        [], "--effects", help="Closed question of the logistic effects model (repeatable)."
    ),
    include_nonanswers: bool = typer.Option(
        False,
        "--include-nonanswers",
        help="Count non-answers and empty answers in the base (as mentioning no theme).",
    ),
    seed: int = typer.Option(
        TableOptions.seed, "--seed", help="Seed of the Monte-Carlo exact tests."
    ),
) -> None:
    """Recompute crosstab_<COL>.csv, specificities_<COL>.csv and effects.csv in RUN_DIR."""
    from textmine.pipeline.tables_run import recompute_tables

    options = TableOptions(include_nonanswers=include_nonanswers, seed=seed)
    files = recompute_tables(run_dir, by=by, weights=weights, effects=effects, options=options)
    for path in files:
        typer.echo(str(path))
