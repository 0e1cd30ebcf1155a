"""CLI commands (coding)."""

from textmine.cli.app import app  # noqa: F401
