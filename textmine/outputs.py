"""Writing results safely: atomic output folders, inert CSV cells, JSON run records.

Every command that writes a folder goes through :func:`atomic_output_dir`: results are written in a
temporary sibling folder that replaces the target only once complete, so an interrupted or failed
run leaves either the previous complete output or nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from textmine.errors import OutputError

#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Return ``value`` made inert for spreadsheets.

    Strings starting with ``= + - @`` or tab/CR get a leading apostrophe, which spreadsheets show
    as text; numbers and other values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def restore_cell(value: Any) -> Any:
    """Undo :func:`neutralise_cell` on a value read back from a textmine CSV.

    Used on join keys (respondent ids) so that an id such as ``-12`` or ``=A1`` still matches the
    survey after a round trip through a neutralised CSV.
    """
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells and headers cannot become formulas.

    Numbers are untouched. Headers can come from untrusted text too (code names of a shared
    codebook, theme labels in wide tables).
    """
    out = df.copy()
    out.columns = [neutralise_cell(c) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    return out


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as UTF-8 CSV (no index) with formula-like text cells neutralised."""
    path = Path(path)
    neutralise_frame(df).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks (run records, cache and model checksums)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_version(name: str) -> str:
    """Installed version of a distribution, or ``"unknown"`` (e.g. running from a source tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def run_versions(model: str | None = None, model_version: str | None = None) -> dict[str, str]:
    """Versions recorded in every ``run.json``: textmine, spaCy and its model, scikit-learn...

    Parameters
    ----------
    model : str, optional
        Name of the spaCy pipeline used (``fr_core_news_sm``); its version is looked up when
        ``model_version`` is not given.
    """
    if model and not model_version:
        model_version = package_version(model.replace("_", "-"))
    return {
        "textmine": package_version("textmine"),
        "spacy": package_version("spacy"),
        "spacy_model": model,
        "spacy_model_version": model_version,
        "scikit-learn": package_version("scikit-learn"),
        "numpy": package_version("numpy"),
        "pandas": package_version("pandas"),
        "python": platform.python_version(),
    }


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__} to JSON")


def write_json(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` as indented, key-sorted UTF-8 JSON (stable bytes for reproducibility)."""
    path = Path(path)
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=_json_default)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def safe_filename(name: str, *, max_len: int = 60) -> str:
    """Return a portable file-name fragment built from ``name`` (e.g. a theme label).

    Accents are removed, anything but letters, digits, ``-`` and ``_`` becomes ``_``, and the
    result can never be empty, ``.``/``..`` or contain a path separator.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_name).strip("_")[:max_len].strip("_")
    return cleaned or "untitled"


def check_out_holds_no_input(out: str | Path, inputs: Sequence[str | Path]) -> None:
    """Refuse an output folder that is or contains an input: replacing it would delete the input.

    Raises
    ------
    OutputError
        If one of ``inputs`` is ``out`` itself or lies inside it.
    """
    target = Path(out).resolve()
    for path in inputs:
        resolved = Path(path).resolve()
        if resolved == target or target in resolved.parents:
            raise OutputError(
                f"Output folder {out} holds the input file {Path(path).name}; choose another --out "
                "(replacing the folder would delete it)."
            )


def unique_filenames(names: Sequence[str]) -> dict[str, str]:
    """Safe file-name stem of each name, unique even on case-insensitive file systems.

    Names that sanitise alike (``Q1/évolution`` and ``Q1 evolution``, ``Age`` and ``age``) get
    ``_2``, ``_3``... so that no output file silently replaces another on macOS or Windows.
    """
    stems: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = safe_filename(name)
        stem, i = base, 2
        while stem.casefold() in used:
            stem, i = f"{base}_{i}", i + 1
        used.add(stem.casefold())
        stems[name] = stem
    return stems


@contextlib.contextmanager
def atomic_output_dir(
    out: str | Path, *, force: bool = False, inputs: Sequence[str | Path] = ()
) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``out`` only if the block completes.

    Parameters
    ----------
    out : path
        Final output folder.
    force : bool
        Replace an existing non-empty ``out``. Without it, an existing non-empty folder is an error
        (raised before anything is written).
    inputs : sequence of paths
        Files or folders the run reads; ``out`` may not be or contain any of them, so that even
        ``force`` can never delete what the user gave.

    Raises
    ------
    OutputError
        If ``out`` exists and is not empty without ``force``, is a file, or holds an input.
    """
    out = Path(out)
    if out.name in ("", "..") or Path.cwd().is_relative_to(out.resolve()):
        raise OutputError(f"Output folder '{out}' is the current folder or one of its parents; "
                          "give a new folder name.")  # replacing it would delete the user's work
    check_out_holds_no_input(out, inputs)
    if out.exists() and not out.is_dir():
        raise OutputError(f"Output path {out} exists and is a file; choose a folder name.")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError(
            f"Output folder {out} already exists and is not empty; use --force to replace it."
        )
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    except OSError as exc:
        raise OutputError(f"Cannot create output folder next to {out}: {exc.strerror}.") from exc
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # Swap in: move the old folder aside first so that at every instant one complete copy exists.
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
        os.replace(out, old / "previous")
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
