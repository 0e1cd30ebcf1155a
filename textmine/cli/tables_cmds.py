"""CLI commands (tables)."""

from textmine.cli.app import app  # noqa: F401
