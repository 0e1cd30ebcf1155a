"""CLI command ``textmine crosstab``: recompute the tables of a finished themes or Reinert run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import Effects, Force, Reference, Weights, reference_pairs
from textmine.config import TableOptions
from textmine.errors import OptionError


@app.command()
def crosstab(
    run_dir: Annotated[Path, typer.Argument(
        metavar="RUN_DIR|PROJECT.tmdb",
        help="Folder of a finished themes or Reinert run, or a coding workspace (.tmdb): its "
             "codes are crossed (with --out).")],
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
    out: Annotated[Path | None, typer.Option(
        "--out", help="With a workspace: output folder (created).")] = None,
    question: Annotated[str | None, typer.Option(
        "--question", help="With a workspace: its open question (needed with several).")] = None,
    coder: Annotated[str | None, typer.Option(
        "--coder", help="With a workspace: whose codes (needed with several coders).")] = None,
    force: Force = False,
) -> None:
    """Recompute crosstab_<COL>.csv, specificities_<COL>.csv and effects.csv in RUN_DIR.

    Given a coding workspace (PROJECT.tmdb), cross its codes with the closed questions of the
    survey it was made from and write the tables into --out.
    """
    from textmine.pipeline.tables_run import recompute_tables, run_workspace_crosstab
    from textmine.pipeline.workspace_run import is_workspace

    options = TableOptions(include_nonanswers=include_nonanswers, seed=seed,
                           reference=reference_pairs(reference))
    if is_workspace(run_dir):
        if out is None:
            raise OptionError(f"Give --out DIR: the codes of {run_dir.name} are crossed into a "
                              "new folder.")  # fmt: skip
        files = run_workspace_crosstab(run_dir, by=by, out=out, question=question, coder=coder,
                                       weights=weights, effects=list(effects or ()),
                                       options=options, force=force)  # fmt: skip
        for path in files:
            typer.echo(str(path))
        return
    given = [flag for flag, value in (("--out", out), ("--question", question),
                                      ("--coder", coder)) if value is not None]
    if given:
        what = ("a run folder, whose tables are recomputed in place" if Path(run_dir).is_dir()
                else "not a workspace (.tmdb)")
        raise OptionError(f"{given[0]} applies to a workspace (.tmdb); {run_dir} is {what}: "
                          "leave it out.")
    files = recompute_tables(run_dir, by=by, weights=weights, effects=list(effects or ()),
                             options=options)
    for path in files:
        typer.echo(str(path))
