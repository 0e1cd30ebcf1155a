"""Read a corpus in IRaMuTeQ's text format (``**** *var_modality`` lines) as a survey table.

Format (IRaMuTeQ documentation, "formatage des corpus"): every text starts with a line made of
four stars followed by starred variables, ``**** *partie_I *sexe_femme``; the variable is the
part before the first ``_``, the modality the rest. Inside a text, a line starting with ``-*``
(``-*theme_nature``) opens a thematic section. Everything else is text.

:func:`read_iramuteq` returns one row per text (or per thematic section of a text): the starred
variables as columns, ``section`` when the file has thematic lines, the text as ``texte``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from textmine.errors import DataError, InputFileError

TEXT_COLUMN = "texte"
SECTION_COLUMN = "section"
_HEADER = re.compile(r"^\s*\*{4}(?=\s|$)")
_THEMATIC = re.compile(r"^\s*-\*(\S*)")


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"Cannot read the IRaMuTeQ corpus {str(path)!r}: {exc.strerror}; "
                             f"check the path.") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _variables(line: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in _HEADER.sub("", line).split():
        if not word.startswith("*") or len(word) < 2:
            continue
        name, _, modality = word[1:].partition("_")
        out[name] = modality if modality else name
    return out


def is_iramuteq(path: str | Path) -> bool:
    """Return True if the first non-blank line of ``path`` starts with ``****``."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    return bool(_HEADER.match(line))
    except OSError:
        return False
    return False


def read_iramuteq(path: str | Path) -> pd.DataFrame:
    """Read an IRaMuTeQ corpus into a table, one row per text (or thematic section).

    Parameters
    ----------
    path : str or Path
        UTF-8 text file (cp1252 is accepted as a fallback) in IRaMuTeQ format.

    Returns
    -------
    pandas.DataFrame of shape (n_texts, n_variables + 1 or + 2)
        One column per starred variable (in order of first appearance; empty string when a text
        does not set it), ``section`` (the ``-*`` thematic line's label, only when the file has
        such lines) and ``texte`` (the text's lines joined with newlines, stripped). RangeIndex.

    Raises
    ------
    InputFileError
        If the file cannot be read.
    DataError
        If the file has no ``****`` line, or no text at all.
    """
    path = Path(path)
    lines = _read_text(path).splitlines()
    rows: list[dict[str, str]] = []
    names: list[str] = []
    current: dict[str, str] | None = None
    section = ""
    buffer: list[str] = []
    has_sections = False

    def flush() -> None:
        if current is not None:
            text = "\n".join(buffer).strip()
            if text or not has_sections:
                rows.append({**current, SECTION_COLUMN: section, TEXT_COLUMN: text})
        buffer.clear()

    for line in lines:
        if _HEADER.match(line):
            flush()
            current = _variables(line)
            names.extend(n for n in current if n not in names)
            section = ""
            continue
        thematic = _THEMATIC.match(line)
        if thematic and current is not None:
            has_sections = True
            flush()
            section = thematic.group(1)
            continue
        if current is None:
            if line.strip():
                raise DataError(
                    f"{str(path)!r} is not an IRaMuTeQ corpus: its first text line does not start "
                    f"with '****'; add a '**** *variable_modality' line before each text."
                )
            continue
        buffer.append(line)
    flush()
    if current is None:
        raise DataError(
            f"{str(path)!r} has no '****' line: it is not an IRaMuTeQ corpus; add a "
            f"'**** *variable_modality' line before each text."
        )
    columns = [*names, *([SECTION_COLUMN] if has_sections else []), TEXT_COLUMN]
    frame = pd.DataFrame(rows).reindex(columns=columns).fillna("")
    frame = frame.astype(str)
    if not (frame[TEXT_COLUMN].str.len() > 0).any():
        raise DataError(f"{str(path)!r} has '****' lines but no text; nothing to analyse.")
    return frame


__all__ = ["SECTION_COLUMN", "TEXT_COLUMN", "is_iramuteq", "read_iramuteq"]
