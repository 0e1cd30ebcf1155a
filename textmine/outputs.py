"""Writing results safely: atomic output folders, inert CSV cells, JSON run records.

Every command that writes a folder goes through :func:`atomic_output_dir`: results are written in a
temporary sibling folder that replaces the target only once complete, so an interrupted or failed
run leaves either the previous complete output or nothing. Single files written in place (the
parse cache, coding sheets, run records) go through :func:`atomic_write`, the one helper that writes
a temporary sibling and moves it over the target with :func:`os.replace`.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import hashlib
import json
import logging
import os
import platform
import re
import secrets
import shutil
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from textmine import interrupts
from textmine.errors import ModelFileError, OutputError, TextmineError

logger = logging.getLogger(__name__)

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


def inert_text_cell(cell: Any) -> None:
    """Make an openpyxl cell holding text inert, its text kept as written.

    The cell is typed as a string, so a workbook never evaluates it; text that a spreadsheet
    would read as a formula (it starts with ``= + - @``, tab or CR) also gets the quote prefix,
    Excel's hidden apostrophe, so that it stays text when the cell is edited. Unlike a CSV
    (:func:`neutralise_cell`), the answer is not changed: an answer "- manque de moyens" reads
    "- manque de moyens", not "'- manque de moyens".
    """
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True


def workbook_text(text: str) -> str:
    """``text`` as a workbook cell can hold it: the control characters XML 1.0 forbids (BEL,
    vertical tab...; openpyxl's ``ILLEGAL_CHARACTERS_RE``) removed, where openpyxl would raise."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def append_inert(ws: Any, values: Sequence[Any]) -> None:
    """Append one row to an openpyxl worksheet, every text cell inert (:func:`inert_text_cell`)
    and without the characters a workbook cannot hold (:func:`workbook_text`)."""
    ws.append([workbook_text(v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        inert_text_cell(cell)


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
    OutputError
        If the folder of ``path`` does not exist (or is a file).
    OSError
        If the folder is not writable or the writer fails (after cleaning up).
    """
    path = Path(path)
    if not path.parent.is_dir():
        # Said plainly: the OSError of the temporary file would name a hidden .tmp path.
        what = "is not a folder" if path.parent.exists() else "does not exist"
        raise OutputError(f"Cannot write {path}: {path.parent} {what}; create the folder or "
                          f"choose another output path.")
    _clean_stale_files(path)
    # A fresh name next to the target, created by the writer itself (not by mkstemp, whose 0600
    # mode would carry over to the final file and hide run outputs from the user's group). The
    # leading dot keeps it out of folder listings and globs; the pid lets the next writer remove
    # what a killed run left behind.
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(6)}")
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


def _clean_stale_files(path: Path) -> None:
    """Remove the temporary files of ``path`` left by writers that no longer run (killed)."""
    prefix = f".{path.name}.tmp-"
    for entry in path.parent.glob(f"{glob.escape(prefix)}*"):
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isascii() and pid.isdecimal() and not pid_alive(int(pid)):
            entry.unlink(missing_ok=True)
            logger.warning("Removed %s, left by an interrupted run (pid %s).", entry, pid)


def replace_entries(
    folder: str | Path,
    build: Callable[[Path], Sequence[Path]],
    *,
    names: Sequence[str] = (),
) -> list[Path]:
    """Rebuild some entries of an existing folder in place, each replaced only once complete.

    ``build(tmp)`` writes the new files (or sub-folders) into a temporary folder inside
    ``folder`` and returns what it wrote; each top-level entry then replaces its namesake in
    ``folder`` (signals held during the moves). ``names`` are entries replaced as a whole: one
    that ``build`` no longer writes is removed. The folder's other files are never touched, and a
    failure in ``build`` leaves ``folder`` as it was. Used by ``textmine report`` and ``textmine
    crosstab`` on a finished run.

    Returns
    -------
    list of Path
        The written paths, now inside ``folder``.

    Raises
    ------
    OutputError
        If ``folder`` cannot be written (one line, with the system's reason).
    """
    folder = Path(folder)
    tmp = folder / f".rebuild.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        os.mkdir(tmp, 0o777)  # the umask applies
    except OSError as exc:
        raise OutputError(f"Cannot write into {folder}: {exc.strerror or exc}.") from exc
    try:
        written = list(build(tmp))
        top = {p.relative_to(tmp).parts[0] for p in written} | set(names)
        interrupts.check()
        with interrupts.deferred():
            for name in sorted(top):
                target = folder / name
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                elif target.exists() or target.is_symlink():
                    target.unlink()
                if (tmp / name).exists():
                    os.replace(tmp / name, target)
    except OSError as exc:
        raise OutputError(f"Cannot write into {folder}: {exc.strerror or exc}.") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [folder / p.relative_to(tmp) for p in written]


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



def read_checked_meta(folder: Path, json_name: str, arrays_name: str, *, schema: str,
                      version: int, not_folder: str, not_schema: str, hint: str,
                      checksum_hint: str) -> tuple[dict, Path, Path]:
    """Read the JSON description of a saved model folder and check it before any array is read.

    Shared by the saved theme model (``themes/persist.py``) and the saved coder
    (``coding/persist.py``): both folders hold ``json_name`` (with ``schema``,
    ``schema_version`` and the SHA-256 ``arrays_sha256`` of ``arrays_name``) and ``arrays_name``.

    Parameters
    ----------
    folder : Path
        The saved folder.
    json_name, arrays_name : str
        File names inside ``folder``.
    schema : str
        Expected ``schema`` value.
    version : int
        Expected ``schema_version`` value.
    not_folder : str
        Whole message when a file is missing.
    not_schema : str
        What the JSON file is not, in "``<path>`` is not ``<not_schema>``; ``<hint>``.".
    hint : str
        What to do, ending the JSON, schema and version messages.
    checksum_hint : str
        What to do when the arrays do not match their checksum.

    Returns
    -------
    (dict, Path, Path)
        The description, the path of the JSON file, the path of the arrays.

    Raises
    ------
    ModelFileError
        A file is missing, the JSON is unreadable, the schema or its version is not the expected
        one, or the arrays do not match their checksum.
    """
    meta_path, npz = folder / json_name, folder / arrays_name
    if not meta_path.is_file() or not npz.is_file():
        raise ModelFileError(not_folder)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ModelFileError(f"{meta_path} is not valid JSON; {hint}.") from exc
    if not isinstance(meta, dict) or meta.get("schema") != schema:
        raise ModelFileError(f"{meta_path} is not {not_schema}; {hint}.")
    if meta.get("schema_version") != version:
        raise ModelFileError(
            f"{meta_path} has schema version {meta.get('schema_version')!r}; this textmine reads "
            f"version {version}: {hint} with this version."
        )
    if file_sha256(npz) != meta.get("arrays_sha256"):
        raise ModelFileError(
            f"{npz} does not match the checksum in {json_name} (modified or corrupted); "
            f"{checksum_hint}."
        )
    return meta, meta_path, npz

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


def _called(option: str, kind: str = "Output folder") -> str:
    """How messages name the output given by ``option``: "Output folder" for ``--out``, else the
    option itself ("--save-model folder"), so that a refusal names the option to change."""
    if option == "--out":
        return kind
    return f"{option} {kind.split()[-1]}"


def check_out_holds_no_input(out: str | Path, inputs: Sequence[str | Path],
                             option: str = "--out") -> None:
    """Refuse an output folder that is or contains an input: replacing it would delete the input.

    ``option`` is the command-line option that gave ``out`` (named in the message).

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
                f"{_called(option)} {out} holds the input file {Path(path).name}; choose another "
                f"{option} (replacing the folder would delete it)."
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


#: File written into every output folder textmine creates; ``--force`` replaces only folders
#: holding it, so that a stray ``--out`` (or a received project file) never deletes user data.
MARKER = ".textmine-output"

#: Locks of dead runs whose content cannot be read are taken over after this many seconds.
_UNREADABLE_LOCK_AGE = 60.0

#: Nesting depth of :func:`atomic_output_dir` in this process (a project run nests question runs).
_DEPTH = [0]


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (a process of another user counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def is_textmine_output(folder: str | Path) -> bool:
    """Whether ``folder`` holds the :data:`MARKER` file that textmine writes in its outputs."""
    marker = Path(folder) / MARKER
    try:
        if marker.is_symlink() or not marker.is_file() or marker.stat().st_size > 65536:
            return False
        return json.loads(marker.read_text(encoding="utf-8")).get("tool") == "textmine"
    except (OSError, ValueError, AttributeError):
        return False


def _write_marker(folder: Path) -> None:
    command = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else ""
    info = {"tool": "textmine", "version": package_version("textmine"), "command": command}
    (folder / MARKER).write_text(json.dumps(info, sort_keys=True) + "\n", encoding="utf-8")


def _lock_owner(lock: Path) -> int | None:
    """Pid written in ``lock``; ``None`` if unreadable (being written, or garbage)."""
    try:
        text = lock.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isascii() and text.isdecimal() else None


def _acquire_lock(out: Path, parent: Path, option: str = "--out") -> Path:
    """Reserve ``out`` with ``<parent>/.<name>.lock`` (exclusive create, holds our pid)."""
    lock = parent / f".{out.name}.lock"
    for _ in range(5):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            owner = _lock_owner(lock)
            if owner is None:
                try:
                    age = time.time() - lock.stat().st_mtime
                except FileNotFoundError:
                    continue
                if age < _UNREADABLE_LOCK_AGE:
                    raise OutputError(f"{_called(option)} {out} is reserved by another textmine "
                                      f"run (lock {lock}); wait for it to end or choose another "
                                      f"{option}.") from None
            elif owner == os.getpid() or pid_alive(owner):
                raise OutputError(f"{_called(option)} {out} is being written by another textmine "
                                  f"run (pid {owner}); wait for it to end or choose another "
                                  f"{option}.") from None
            logger.warning("Taking over the lock of %s left by a run that no longer exists "
                           "(pid %s).", out, owner if owner is not None else "unknown")
            lock.unlink(missing_ok=True)
            continue
        try:
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        finally:
            os.close(fd)
        return lock
    raise OutputError(f"Cannot reserve {_called(option, 'output folder')} {out} (lock {lock} "
                      f"keeps changing); choose another {option}.")


def _release_lock(lock: Path) -> None:
    if _lock_owner(lock) == os.getpid():
        with contextlib.suppress(OSError):
            lock.unlink()


_WORK_NAME = re.compile(r"\.(?P<kind>tmp|old)-(?P<pid>\d+)-[0-9a-f]+$")


def clean_stale(out: Path, parent: Path) -> None:
    """Remove the work folders (``.<name>.tmp-PID-*``, ``.<name>.old-PID-*``) of dead runs.

    A ``.old-*`` folder holds the previous output moved aside by a run killed during the swap:
    if ``out`` is missing it is put back instead. Each action is noted on stderr.
    """
    prefix = f".{out.name}."
    try:
        names = [e.name for e in os.scandir(parent) if e.name.startswith(prefix)]
    except OSError:
        return
    for name in names:
        match = _WORK_NAME.fullmatch(name[len(prefix) - 1:])
        if not match or pid_alive(int(match["pid"])):
            continue
        path = parent / name
        if match["kind"] == "old" and not os.path.lexists(out) and path.is_dir():
            with contextlib.suppress(OSError):
                os.rename(path, out)
                logger.warning("Restored the previous output %s left aside by an interrupted "
                               "run (pid %s).", out, match["pid"])
                continue
        shutil.rmtree(path, ignore_errors=True)
        logger.warning("Removed %s, left by an interrupted run (pid %s).", path, match["pid"])


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(tmp: Path, out: Path, parent: Path) -> Path | None:
    """Put ``tmp`` in place of ``out``; return the folder now holding the previous output."""
    if not os.path.lexists(out):
        os.rename(tmp, out)
        return None
    if _exchange(tmp, out):
        return tmp
    old = parent / f".{out.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)
        raise
    return old


def _make_work_dir(out: Path, parent: Path) -> Path:
    """Create ``.<name>.tmp-PID-RANDOM`` beside ``out``, with the umask's permissions."""
    while True:
        tmp = parent / f".{out.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(tmp, 0o777)  # the umask applies (tempfile.mkdtemp would force 0700)
            return tmp
        except FileExistsError:
            continue


def _os_error(exc: OSError, out: Path, option: str = "--out") -> OutputError:
    where = f" ({exc.filename})" if exc.filename else ""
    return OutputError(f"Cannot write {_called(option, 'output folder')} {out}: "
                       f"{exc.strerror or exc}{where}; nothing was written, check the disk space "
                       f"and permissions or choose another {option}.")


def _check_target(out: Path, parent: Path, force: bool, option: str = "--out") -> bool:
    """Check that ``out`` may be created or replaced; return whether it exists (non-empty)."""
    if os.path.lexists(out) and (out.is_symlink() or not out.is_dir()):
        raise OutputError(f"{_called(option, 'Output path')} {out} exists and is not a folder; "
                          "choose a folder name.")
    existing = out.is_dir() and any(out.iterdir())
    if existing and not force:
        raise OutputError(
            f"{_called(option)} {out} already exists and is not empty; use --force to replace it."
        )
    if existing and not is_textmine_output(out):
        raise OutputError(
            f"{_called(option)} {out} was not written by textmine (no {MARKER} file), so --force "
            "will not replace it; delete it yourself if it is an old output, or choose another "
            f"{option}."
        )
    if existing and not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"{_called(option)} {out} is read-only, so it cannot be replaced; make "
                          f"it writable (chmod u+w) or choose another {option}.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"Cannot write in folder {parent} (permission denied); choose another "
                          f"{option}.")
    return existing


@contextlib.contextmanager
def atomic_output_dir(
    out: str | Path, *, force: bool = False, inputs: Sequence[str | Path] = (),
    option: str = "--out",
) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``out`` only if the block completes.

    Every check runs when the block is entered, before any computation: the target is reserved
    with a lock file ``.<name>.lock`` beside it (a second run on the same ``out`` fails at once),
    the work folders of dead runs are cleaned, and ``out`` must be creatable or replaceable. The
    temporary folder ``.<name>.tmp-PID-RANDOM`` follows the umask and holds the :data:`MARKER`
    file. The final swap is atomic where the system allows it (``renameat2`` exchange on Linux)
    and never cut by SIGINT/SIGTERM/SIGHUP (they are delivered once it is done).

    Parameters
    ----------
    out : path
        Final output folder.
    force : bool
        Replace an existing non-empty ``out``, and only if textmine wrote it (it holds
        :data:`MARKER`). Without it, an existing non-empty folder is an error (raised before
        anything is written).
    inputs : sequence of paths
        Files or folders the run reads; ``out`` may not be or contain any of them, so that even
        ``force`` can never delete what the user gave.
    option : str
        The command-line option that gave ``out``, named in every refusal ("--save-model
        folder ... choose another --save-model").

    Raises
    ------
    OutputError
        If ``out`` exists and is not empty without ``force``, was not written by textmine, is
        read-only, is a file, holds an input, is reserved by a live run; and for any
        :class:`OSError` met while writing or swapping (one line; nothing is left behind).
    """
    out = Path(out)
    try:
        cwd = Path.cwd()
    except OSError:
        raise OutputError("The current folder no longer exists (deleted or moved); go to an "
                          "existing folder and run the command again.") from None
    if out.name in ("", "..") or cwd.is_relative_to(out.resolve()):
        # replacing it would delete the user's work
        raise OutputError(f"{_called(option)} '{out}' is the current folder or one of its "
                          "parents; give a new folder name.")
    check_out_holds_no_input(out, inputs, option)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        lock = _acquire_lock(out, parent, option)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"Cannot create {_called(option, 'output folder')} {out}: "
                          f"{exc.strerror or exc}; choose another {option}.") from exc
    _DEPTH[0] += 1
    try:
        try:
            clean_stale(out, parent)
            existed = _check_target(out, parent, force, option)
        except OutputError:
            raise
        except OSError as exc:
            raise _os_error(exc, out, option) from exc
        previous: Path | None = None
        tmp: Path | None = None
        try:
            # A signal just after the mkdir (when the folder appears) is acted on once ``tmp``
            # is known, inside this try: the work folder is removed, never left behind.
            with interrupts.deferred():
                tmp = _make_work_dir(out, parent)
            _write_marker(tmp)
            yield tmp
            if _lock_owner(lock) != os.getpid():
                raise OutputError(f"{_called(option)} {out} was taken over by another run during "
                                  "this one; nothing was written, run again.")
            if not existed and out.is_dir() and any(out.iterdir()) and not force:
                raise OutputError(f"{_called(option)} {out} appeared during the run; nothing was "
                                  f"written, use --force to replace it or choose another {option}.")
            interrupts.check()
            with interrupts.deferred():
                previous = _swap_in(tmp, out, parent)
                if _DEPTH[0] == 1:
                    interrupts.written(out)
        except BaseException as exc:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            if previous is not None:  # interrupted right after the swap: the new output is in
                shutil.rmtree(previous, ignore_errors=True)
            if isinstance(exc, OSError) and not isinstance(exc, TextmineError):
                raise _os_error(exc, out, option) from exc
            raise
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    finally:
        _DEPTH[0] -= 1
        _release_lock(lock)
