"""Writing results safely: atomic output folders, inert CSV cells, JSON run records.

Every command that writes a folder goes through :func:`atomic_output_dir`: results are written in a
temporary sibling folder that replaces the target only once complete, so an interrupted or failed
run leaves either the previous complete output or nothing. Single files written in place (the
parse cache, coding sheets, run records) go through :func:`atomic_write`, the one helper that writes
a temporary sibling and moves it over the target with :func:`os.replace`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
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


def atomic_write(
    path: str | Path,
    data: str | bytes | Callable[[Path], object],
    *,
    encoding: str = "utf-8",
) -> Path:
    """Write one file so that readers see either the old complete file or the new one.

    The content goes to a temporary file in the same folder (same file system, so the final
    :func:`os.replace` is atomic on POSIX and Windows), which replaces ``path`` only once fully
    written; on any error the temporary file is removed and ``path`` is untouched.

    Parameters
    ----------
    path : path
        Final file; its folder must exist.
    data : str, bytes or callable
        Text (written with ``encoding``, ``\n`` line ends kept as given), bytes, or a writer
        ``data(tmp_path)`` for libraries that write to a path themselves (pyarrow, openpyxl,
        pandas, NumPy).
    encoding : str
        Encoding of text ``data``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        If the folder is not writable or the writer fails (after cleaning up).
    """
    path = Path(path)
    # A fresh random name next to the target, created by the writer itself (not by mkstemp, whose
    # 0600 mode would carry over to the final file and hide run outputs from the user's group).
    # The leading dot keeps it out of folder listings and globs.
    tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(6)}")
    try:
        if isinstance(data, (str, bytes)):
            with tmp.open("xb") as fh:
                fh.write(data.encode(encoding) if isinstance(data, str) else data)
        else:
            data(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """:func:`atomic_write` of text (the common case, spelled like :meth:`Path.write_text`)."""
    return atomic_write(path, text, encoding=encoding)


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as UTF-8 CSV (no index) with formula-like text cells neutralised (atomic)."""
    frame = neutralise_frame(df)
    return atomic_write(
        path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    )


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
    """Write ``obj`` as indented, key-sorted UTF-8 JSON (stable bytes; atomic)."""
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=_json_default)
    return atomic_write_text(path, text + "\n")


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
