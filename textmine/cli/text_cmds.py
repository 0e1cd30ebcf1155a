"""CLI commands (text)."""

from textmine.cli.app import app  # noqa: F401
