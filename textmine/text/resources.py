"""Reading the language data files of ``textmine/resources/text/`` (one entry per line)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

#: Package data folder (plain files: editable, diffable, shipped as package data).
DATA_DIR = Path(__file__).resolve().parents[1] / "resources" / "text"
FILES = (
    "acronyms.txt",
    "keep_words.txt",
    "lexicon.tsv",
    "mwe.txt",
    "nonanswers.txt",
    "stop_words_extra.txt",
)


@functools.cache
def _read(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")


def read_lines(name: str) -> tuple[str, ...]:
    """Return the entries of a data file: stripped lines, without blanks and ``#`` comments."""
    lines = (line.strip() for line in _read(name).splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def resources_digest() -> str:
    """Return a SHA-256 over every data file (part of the cache key: an edit invalidates it)."""
    digest = hashlib.sha256()
    for name in FILES:
        digest.update(name.encode() + b"\0" + _read(name).encode("utf-8") + b"\0")
    return digest.hexdigest()
