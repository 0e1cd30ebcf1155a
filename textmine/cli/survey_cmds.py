"""CLI commands (survey)."""

from textmine.cli.app import app  # noqa: F401
