"""CLI commands of the coding workspace: ``textmine workspace init|serve|export|import``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import Encoding, ForceFile, IdCol, Profile, Sep, Sheet, read_options
from textmine.cli.progress import progress_bar
from textmine.config import LOCAL_HOSTS, WorkspaceOptions

workspace_app = typer.Typer(
    help="A local web app where researchers code answers with the coder's suggestions.",
    no_args_is_help=True,
)
app.add_typer(workspace_app, name="workspace")

Project = Annotated[Path, typer.Argument(metavar="PROJECT.tmdb", help="Workspace file.")]

#: Environment variable holding the password of a server reachable from other machines.
PASSWORD_ENV = "TEXTMINE_WORKSPACE_PASSWORD"


@workspace_app.command("init")
def init(
    project: Project,
    survey: Annotated[Path, typer.Option("--survey", help="Survey file.")],
    text_col: Annotated[list[str], typer.Option(
        "--text-col", help="Open question to code (repeat for several).")],
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", help="Starting codebook (.yaml, .qdc or .csv).")] = None,
    coder: Annotated[str, typer.Option("--coder", help="Name of the first coder.")] = "coder",
    themes: Annotated[Path | None, typer.Option(
        "--themes", metavar="RUN_DIR",
        help="Folder of a textmine themes run on one of the questions: its themes become a "
             "filter of the page.")] = None,
    force: ForceFile = False,
) -> None:
    """Create a workspace (one SQLite file) holding the survey's answers and codebook."""
    from textmine.pipeline.workspace_run import run_workspace_init

    with progress_bar() as progress:
        result = run_workspace_init(
            project, survey_path=survey, text_cols=text_col, codebook_path=codebook,
            read_options=read_options(id_col, sheet, encoding, sep, profile), coder=coder,
            themes_run=themes, force=force, progress=progress,
        )  # fmt: skip
    counts = ", ".join(f"{n} answers to {q}" for q, n in result["answers"].items())
    typer.echo(f"Workspace {result['path']} created: {result['respondents']} respondents, "
               f"{counts}, {result['codes']} codes, {len(result['closed'])} closed questions.")
    if result["themes"]:
        typer.echo(_themes_line(result["themes"], themes))
    typer.echo(f"Start coding: textmine workspace serve {result['path']}")


def _themes_line(result: dict, run_dir: Path) -> str:
    def count(n: int, noun: str) -> str:
        return f"{n} {noun}{'' if n == 1 else 's'}"

    line = (f"{count(result['themes'], 'theme')} of {run_dir} attached to "
            f"{result['question']} ({count(result['assigned'], 'answer')} with a theme)")
    if result["unknown"]:
        line += (f"; {count(result['unknown'], 'respondent')} of the run "
                 f"{'is' if result['unknown'] == 1 else 'are'} not in the workspace")
    return line + "."


@workspace_app.command("serve")
def serve(
    project: Project,
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = WorkspaceOptions.port,
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on; another than 127.0.0.1 needs a password "
                       f"(${PASSWORD_ENV} or typed when asked).")] = WorkspaceOptions.host,
    open_browser: Annotated[bool, typer.Option(
        "--open", help="Open the workspace in the default browser.")] = False,
) -> None:
    """Serve the workspace on this machine; prints its URL with an access token."""
    from textmine.pipeline.workspace_run import run_workspace_serve

    password = os.environ.get(PASSWORD_ENV) or None
    if host not in LOCAL_HOSTS and password is None and sys.stdin.isatty():
        password = typer.prompt("Password for the other machines", hide_input=True,
                                confirmation_prompt=True)  # fmt: skip
    options = WorkspaceOptions(host=host, port=port, password=password,
                               open_browser=open_browser)  # fmt: skip
    run_workspace_serve(project, options=options, announce=typer.echo)


@workspace_app.command("export")
def export(
    project: Project,
    fmt: Annotated[str, typer.Option(
        "--format", help="csv (long codes), xlsx (workbook), qdpx (REFI-QDA project) or qdc "
                         "(REFI-QDA codebook).")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    question: Annotated[str | None, typer.Option(
        "--question", help="Only this open question.")] = None,
    coder: Annotated[str | None, typer.Option("--coder", help="Only this coder.")] = None,
    force: ForceFile = False,
) -> None:
    """Export the codes: long CSV, workbook, REFI-QDA project (.qdpx) or codebook (.qdc)."""
    from textmine.pipeline.workspace_run import run_workspace_export

    path, n = run_workspace_export(project, fmt=fmt, out=out, question=question, coder=coder,
                                   force=force)  # fmt: skip
    what = "codes" if fmt == "qdc" else "rows"
    typer.echo(f"{n} {what} written to {path}")


@workspace_app.command("import")
def import_cmd(
    project: Project,
    file: Annotated[Path, typer.Argument(
        help="Filled coding sheet (.xlsx/.csv, or a long CSV), codebook (.qdc/.yaml), or the "
             "folder of a textmine themes run (its themes become a filter).")],
    coder: Annotated[str | None, typer.Option(
        "--coder", help="Coder of the sheet (default: its coder column, else 'import').")] = None,
    question: Annotated[str | None, typer.Option(
        "--question", help="Open question the sheet codes (needed with several).")] = None,
    sheet: Sheet = None,
) -> None:
    """Import a filled coding sheet, a codebook, or a themes run's themes into the workspace."""
    from textmine.pipeline.workspace_run import run_workspace_import

    result = run_workspace_import(project, file, coder=coder, question=question, sheet=sheet)
    if result["kind"] == "themes":
        typer.echo(_themes_line(result, file))
        return
    if result["kind"] == "codebook":
        typer.echo(f"{result['codes_added']} new codes added from {file}")
        return
    typer.echo(
        f"{result['answers']} coded answers of {result['question']} imported as coder "
        f"{result['coder']} ({result['replaced']} replaced earlier codes of that coder); "
        f"{result['codes_added']} new codes added to the codebook."
    )
