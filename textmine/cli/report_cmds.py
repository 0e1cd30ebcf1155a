"""CLI commands (report)."""

from textmine.cli.app import app  # noqa: F401
