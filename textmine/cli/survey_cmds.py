"""CLI commands about survey files: ``textmine inspect`` and ``textmine init``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import Encoding, IdCol, Profile, Sep, Sheet, Survey, read_options

_EXAMPLE_WIDTH = 28


def _short(text: str, width: int = _EXAMPLE_WIDTH) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _sep_name(sep: str | None) -> str:
    return {None: "none (one column)", "\t": "tab"}.get(sep, repr(sep))


@app.command()
def inspect(
    path: Survey,
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
) -> None:
    """Show how a survey file is read: encoding, separator, rows and the type of each column."""
    # Pipeline modules are imported when a command runs, so that `--help` stays instant.
    from textmine.pipeline.survey_run import inspect_survey

    read = read_options(id_col, sheet, encoding, sep, profile)
    survey, table = inspect_survey(path, options=read)
    src = survey.source
    typer.echo(f"file: {src.path.name} ({src.format})")
    if src.encoding is not None:
        typer.echo(f"encoding: {src.encoding}    separator: {_sep_name(src.sep)}")
    if src.sheet is not None:
        typer.echo(f"sheet: {src.sheet}")
    if src.detected or src.profile != "none":  # weak evidence: nothing to say
        typer.echo(f"profile: {src.profile}    detected: {src.detected or 'nothing'}")
    ids = f"column '{src.id_col}'" if src.id_col else "row numbers (choose a column with --id-col)"
    typer.echo(f"rows: {src.n_rows}    ids: {ids}")
    kinds: dict[str, int] = {}
    for q in survey.questions.values():
        kinds[q.kind] = kinds.get(q.kind, 0) + 1
    typer.echo("questions: " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
    typer.echo("")
    rows = [("column", "type", "non-empty", "distinct", "examples")]
    for rec in table.itertuples(index=False):
        kind = rec.kind if rec.question == rec.column else f"{rec.kind} ({rec.question})"
        if survey.question(rec.column).personal:
            kind += ", personal data"
        examples = " | ".join(_short(e) for e in (rec.example_1, rec.example_2) if e)
        rows.append((_short(rec.column, 40), kind, str(rec.n_nonempty), str(rec.n_distinct),
                     examples))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]),
                 r[3].rjust(widths[3]), r[4]]
        typer.echo("  ".join(cells).rstrip())


@app.command()
def init(
    path: Annotated[Path, typer.Argument(
        metavar="SURVEY", help="Survey file to start a project from.")],
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    out: Annotated[str | None, typer.Option(
        "--out", help="Project file to write (default: textmine.toml in the current "
                      "folder); an existing file is never overwritten.")] = None,
) -> None:
    """Write a commented starter project file (textmine.toml) from the detected column types."""
    from textmine.pipeline.survey_run import init_project

    read = read_options(id_col, sheet, encoding, sep, profile)
    written = init_project(path, options=read, out=out)
    typer.echo(f"wrote {written}; check the question types, labels and level orders in it.")
