"""The typer application object and the error handling shared by every command."""

from __future__ import annotations

import logging
import sys
import warnings

import typer

from textmine import interrupts
from textmine.errors import TextmineError

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


def _interrupted() -> int:
    """Print the one line of an interrupted run; return 130, 143 or 129 (SIGINT, TERM, HUP)."""
    written = interrupts.written()
    if written is not None:
        print(f"error: interrupted after the output was complete; {written} holds the new "
              "results.", file=sys.stderr)
    else:
        print("error: interrupted; no output was written.", file=sys.stderr)
    return interrupts.exit_code(interrupts.received())


def _format_warning(message, category, filename, lineno, line=None) -> str:
    return f"WARNING: {' '.join(str(message).split())}\n"


def _repeated_option(argv: list[str]) -> str | None:
    """The message for a one-value option given twice, or None.

    click keeps the last value of such an option without a word: ``code --labels a.xlsx
    --labels b.xlsx`` learnt from b.xlsx alone (trial 2026-12-01; ``--labels`` now takes
    several). Options that take several
    values (``--by``) and flags are left alone. The command's options are read from the click
    command typer builds (duck-typed: typer may ship its own copy of click).
    """
    import typer.main

    command = typer.main.get_command(app)
    rest = list(argv)
    while rest and hasattr(command, "commands") and rest[0] in command.commands:
        command, rest = command.commands[rest[0]], rest[1:]
    single = {name for param in getattr(command, "params", [])
              if getattr(param, "param_type_name", "") == "option"
              and not getattr(param, "multiple", False) and not getattr(param, "is_flag", False)
              for name in getattr(param, "opts", [])}
    values: dict[str, list[str]] = {}
    for i, token in enumerate(rest):
        if token == "--":
            break
        name, eq, value = token.partition("=")
        if name in single:
            values.setdefault(name, []).append(value if eq else
                                               (rest[i + 1] if i + 1 < len(rest) else ""))
    for name, given in values.items():
        if len(given) > 1:
            return f"{name} given {len(given)} times ({', '.join(given)}); give it once."
    return None


def run_app(argv: list[str] | None = None) -> int:
    """Run the app and return its exit code; expected errors become one stderr line, code 2.

    A stray :class:`OSError` (a file system failure that no library code turned into a
    :class:`TextmineError`) is a last-resort one line with code 2 too.
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    # Data-quality warnings (warnings.warn) print like the log: one "WARNING: ..." line, without
    # the source path and line that Python's default format adds (the format only: recording
    # warnings with catch_warnings still works).
    warnings.formatwarning = _format_warning
    interrupts.reset()
    repeated = _repeated_option(list(sys.argv[1:] if argv is None else argv))
    if repeated:
        print(f"error: {repeated}", file=sys.stderr)
        return 2
    try:
        # In non-standalone mode typer *returns* the code of typer.Exit (and 130 for Ctrl-C).
        code = app(args=argv, standalone_mode=False, prog_name="textmine")
    except TextmineError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        return _interrupted()
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}; check the disk space and permissions.",
              file=sys.stderr)
        return 2
    except Exception as exc:
        # Usage errors of the (vendored) click arrive here in non-standalone mode; they are
        # recognised by their interface because typer may ship its own copy of click.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            return 2
        if type(exc).__name__ == "Abort":
            return 1
        if interrupts.received() is not None:
            # The signal's exception raised inside C code (an extension module being imported)
            # can surface as another exception: the run was still interrupted (CI 2026-12-01:
            # SIGTERM during pyarrow's import of ssl gave "TypeError: expected a message
            # argument" and a traceback).
            return _interrupted()
        raise
    if code == 130 or interrupts.received() is not None:
        # a signal whose exception something swallowed after the output was in place
        return _interrupted()
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
