"""CLI commands (themes)."""

from textmine.cli.app import app  # noqa: F401
