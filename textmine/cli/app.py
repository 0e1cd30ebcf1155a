"""The typer application object and the error handling shared by every command."""

from __future__ import annotations

import logging
import sys

import typer

from textmine.errors import TextmineError

#: Help of the read options shared by every command that reads a survey.
ENCODING_HELP = "Force the text encoding (e.g. utf-8, cp1252, latin-1) instead of detecting it."
SEP_HELP = "Force the separator of a text file (, ; | or tab) instead of detecting it."
PROFILE_HELP = ("Layout of the platform export: auto (detect it), none (read as is), qualtrics, "
                "surveymonkey, limesurvey, googleforms, kobo or msforms.")

app = typer.Typer(
    name="textmine",
    help="Qualitative text mining of French open-ended survey answers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str) -> None:
    """Print ``message`` as one line on stderr and exit with code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def run_app(argv: list[str] | None = None) -> int:
    """Run the app and return its exit code; expected errors become one stderr line, code 2."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        # In non-standalone mode typer *returns* the code of typer.Exit (and 130 for Ctrl-C).
        code = app(args=argv, standalone_mode=False, prog_name="textmine")
    except TextmineError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted; no output was written.", file=sys.stderr)
        return 130
    except Exception as exc:
        # Usage errors of the (vendored) click arrive here in non-standalone mode; they are
        # recognised by their interface because typer may ship its own copy of click.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            return 2
        if type(exc).__name__ == "Abort":
            return 1
        raise
    if code == 130:
        print("error: interrupted; no output was written.", file=sys.stderr)
    return code if isinstance(code, int) else 0


@app.callback()
def _root() -> None:
    """Qualitative text mining of French open-ended survey answers."""


@app.command()
def version() -> None:
    """Print the versions of textmine, spaCy, scikit-learn and Python."""
    import platform
    from importlib.metadata import version as _v

    for name in ("textmine", "spacy", "scikit-learn", "pandas"):
        typer.echo(f"{name} {_v(name)}")
    typer.echo(f"python {platform.python_version()}")
