"""Exceptions and warnings raised by textmine.

Every *expected* failure (bad file, missing column, impossible option) raises a subclass of
:class:`TextmineError` whose message is one line saying what went wrong, which value, and what to
do. The CLI prints that line on stderr and exits with code 2, without a traceback. Each subclass
also derives from the matching built-in exception so that library users can catch it the usual way.
"""

from __future__ import annotations


class TextmineError(Exception):
    """Base class of every expected textmine failure (the CLI exits with code 2)."""


class InputFileError(TextmineError, OSError):
    """A survey, labels, codebook, project or model file cannot be read as it is."""


class DataError(TextmineError, ValueError):
    """The data was read but cannot be used (no rows, duplicate ids, empty text column...)."""


class ColumnError(DataError, KeyError):
    """A column named by the user does not exist (the message lists the available ones)."""

    def __str__(self) -> str:  # KeyError would quote the message; keep it a plain line.
        return str(self.args[0]) if self.args else ""


class OptionError(TextmineError, ValueError):
    """An option value is impossible for this data (k too large, unknown method...)."""


class ModelFileError(TextmineError, ValueError):
    """A saved model or cache file is missing, tampered with or from an incompatible version."""


class OutputError(TextmineError, OSError):
    """The output folder cannot be written (exists without --force, not writable...)."""


class DataQualityWarning(UserWarning):
    """Something in the data deserves the researcher's attention; the message carries counts."""


def quote_list(values, *, limit: int = 30) -> str:
    """Return ``'a', 'b', 'c'`` (at most ``limit`` items, then ``and N more``) for messages."""
    values = list(values)
    shown = ", ".join(f"'{v}'" for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def plain_list(values, *, limit: int = 30) -> str:
    """Return ``a, b, c`` (at most ``limit`` items, then ``and N more``) for messages."""
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")
