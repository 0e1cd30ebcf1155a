"""CLI command ``textmine edit``: rename, merge and drop themes of a finished run."""

from __future__ import annotations

from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import RunDir


@app.command()
def edit(
    run_dir: RunDir,
    rename: Annotated[list[str] | None, typer.Option(
        "--rename", metavar="ID=NAME",
        help='Rename a theme, e.g. --rename 3="Pollution" (repeat for several).')] = None,
    merge: Annotated[list[str] | None, typer.Option(
        "--merge", metavar="ID,ID=NAME",
        help='Merge themes into the first id, named NAME, e.g. --merge 3,4="Pollution et '
             'déchets" (repeatable).')] = None,
    drop: Annotated[list[str] | None, typer.Option(
        "--drop", metavar="ID",
        help="Drop a theme; its answers fall to their next theme or become unassigned "
             "(repeatable).")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Report language: fr or en (default: that of the run's report).")] = None,
) -> None:
    """Rename, merge and drop themes of RUN_DIR without re-running; ids stay as they are."""
    from textmine.pipeline.edit_run import edit_run

    result = edit_run(run_dir, rename=rename or (), merge=merge or (), drop=drop or (),
                      lang=lang)
    for line in result.log:
        typer.echo(line)
    n = len(result.themes)
    typer.echo(f"{n} theme{'s' if n > 1 else ''} now in {run_dir}: " + "; ".join(
        f"{tid} {label} ({n})" for tid, label, n in result.themes))
