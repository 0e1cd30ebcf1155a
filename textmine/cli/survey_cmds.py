"""CLI commands about survey files: ``textmine inspect`` and ``textmine init``."""

from __future__ import annotations

import typer

from textmine.cli.app import ENCODING_HELP, PROFILE_HELP, SEP_HELP, app
from textmine.config import ReadOptions

_EXAMPLE_WIDTH = 28

_ID_HELP = "Column holding the respondent ids (default: rows are numbered 1..n)."
_SHEET_HELP = "Sheet of an .xlsx/.ods file, by name or 0-based position (default: the first)."


def _options(id_col, sheet, encoding, sep, profile) -> ReadOptions:
    return ReadOptions(id_col=id_col, sheet=sheet, encoding=encoding, sep=sep,
                        profile=profile)


def _short(text: str, width: int = _EXAMPLE_WIDTH) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _sep_name(sep: str | None) -> str:
    return {None: "none (one column)", "\t": "tab"}.get(sep, repr(sep))


@app.command()
def inspect(
    path: str = typer.Argument(..., metavar="SURVEY", help="Survey file (.csv .tsv .txt .xlsx "
                                                            ".ods .parquet .sav .dta)."),
    id_col: str | None = typer.Option(None, "--id-col", help=_ID_HELP),
    sheet: str | None = typer.Option(None, "--sheet", help=_SHEET_HELP),
    encoding: str | None = typer.Option(None, "--encoding", help=ENCODING_HELP),
    sep: str | None = typer.Option(None, "--sep", help=SEP_HELP),
    profile: str = typer.Option("auto", "--profile", help=PROFILE_HELP),
) -> None:
    """Show how a survey file is read: encoding, separator, rows and the type of each column."""
    from textmine.pipeline.survey_run import inspect_survey

    survey, table = inspect_survey(path, options=_options(id_col, sheet, encoding, sep, profile))
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
    path: str = typer.Argument(..., metavar="SURVEY",
                               help="Survey file to start a project from."),
    id_col: str | None = typer.Option(None, "--id-col", help=_ID_HELP),
    sheet: str | None = typer.Option(None, "--sheet", help=_SHEET_HELP),
    encoding: str | None = typer.Option(None, "--encoding", help=ENCODING_HELP),
    sep: str | None = typer.Option(None, "--sep", help=SEP_HELP),
    profile: str = typer.Option("auto", "--profile", help=PROFILE_HELP),
    out: str | None = typer.Option(
        None, "--out", help="Project file to write (default: textmine.toml in the current "
                            "folder); an existing file is never overwritten."),
) -> None:
    """Write a commented starter project file (textmine.toml) from the detected column types."""
    from textmine.pipeline.survey_run import init_project

    written = init_project(path, options=_options(id_col, sheet, encoding, sep, profile), out=out)
    typer.echo(f"wrote {written}; check the question types, labels and level orders in it.")
