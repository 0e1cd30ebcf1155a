"""CLI command ``textmine crosstab``: recompute the tables of a finished themes or Reinert run."""

from __future__ import annotations

from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import Effects, Reference, RunDir, Weights, reference_pairs
from textmine.config import TableOptions


@app.command()
def crosstab(
    run_dir: RunDir,
    by: Annotated[list[str], typer.Option(
        "--by", help="Closed question to cross with the themes (repeat for several).")],
    weights: Weights = None,
    effects: Effects = None,
    reference: Reference = None,
    include_nonanswers: Annotated[bool, typer.Option(
        "--include-nonanswers",
        help="Count non-answers and empty answers in the base (as mentioning no theme).",
    )] = False,
    seed: Annotated[int, typer.Option(
        "--seed", help="Seed of the Monte-Carlo exact tests.")] = TableOptions.seed,
) -> None:
    """Recompute crosstab_<COL>.csv, specificities_<COL>.csv and effects.csv in RUN_DIR."""
    from textmine.pipeline.tables_run import recompute_tables

    options = TableOptions(include_nonanswers=include_nonanswers, seed=seed,
                           reference=reference_pairs(reference))
    files = recompute_tables(run_dir, by=by, weights=weights, effects=list(effects or ()),
                             options=options)
    for path in files:
        typer.echo(str(path))
