"""Command-line interface: ``textmine COMMAND ...``.

Each command lives in a small module of this package, parses its options and calls one library
function. Expected failures (:class:`textmine.errors.TextmineError`) are printed as one line on
stderr with exit code 2 and no traceback.
"""

from __future__ import annotations

import sys

from textmine.cli.app import app, run_app

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    # Importing the command modules registers their commands on ``app``.
    from textmine.cli import commands  # noqa: F401

    sys.exit(run_app(argv))
