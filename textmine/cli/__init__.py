"""Command-line interface: ``textmine COMMAND ...``.

Each command lives in a small module of this package, parses its options and calls one library
function. Expected failures (:class:`textmine.errors.TextmineError`) are printed as one line on
stderr with exit code 2 and no traceback.

This module stays light: :func:`main` installs the interrupt handler
(:mod:`textmine.interrupts`) *before* it imports typer and the commands, so that Ctrl-C, SIGTERM
or SIGHUP at any moment gives the same one line and exit code (130, 143, 129).
"""

from __future__ import annotations

import sys
from typing import Any

from textmine import interrupts

__all__ = ["app", "main", "run_app"]


def __getattr__(name: str) -> Any:
    """``app`` and ``run_app`` are imported on first use (typer is not loaded before that)."""
    if name in ("app", "run_app"):
        from textmine.cli import app as module

        globals().update(app=module.app, run_app=module.run_app)
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    interrupts.install()  # flag only until armed: the imports below are never cut half-way
    try:
        from textmine.cli import commands  # noqa: F401  (registers the commands on ``app``)
        from textmine.cli.app import run_app

        interrupts.arm()
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", interrupts.received())
        print("error: interrupted; no output was written.", file=sys.stderr)
        sys.exit(interrupts.exit_code(signum))
    try:
        code = run_app(argv)
    except KeyboardInterrupt:  # landed as run_app returned, after its own handling
        from textmine.cli.app import _interrupted

        code = _interrupted()
    # From here a signal is only recorded: the run has said how it ended (a Ctrl-C while the
    # interpreter shut the pools down ended with 130 and no line, trial 2026-12-01).
    interrupts.disarm()
    sys.exit(code)
