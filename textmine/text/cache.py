"""On-disk cache of parsed texts: Parquet + NumPy + a JSON record of checksums (no pickle).

Three kinds of entries: ``parse`` (tokens, lemmas, POS of the unique texts; keyed by the texts,
the model and its version, the tagging mode), ``terms`` (their features; keyed by the parse key,
the feature options and the data files), so that changing a feature option re-uses the parse and
an unchanged re-run loads the features directly, and ``answers`` (what the preparation of the
raw answers gave: status, distinct text, accents restored; keyed by the raw answers in order, the
options and the preparation code), so that a re-run of the same answers reads its features
without normalising a single answer. An entry is a folder
``<root>/<kind>/<key[:2]>/<key>/`` holding ``tokens.parquet``, optionally ``vectors.npy``, and
``meta.json`` (format, settings, SHA-256 of each file, and ``meta_sha256``: the SHA-256 of the
record itself in canonical JSON, so that a flipped bit in the counts or settings is caught),
written last. Each file is written to a temporary name then moved into place
(:func:`textmine.outputs.atomic_write`), so a reader sees either a complete file or none. An
entry whose checksums do not match (interrupted write, disk error, tampering) is reported with a
warning, ignored, and rebuilt by the caller.

The root is ``cache_dir`` if given, else ``$TEXTMINE_CACHE_DIR``, else the user cache folder
(``$XDG_CACHE_HOME/textmine`` or ``~/.cache/textmine``; ``%LOCALAPPDATA%\\textmine\\Cache`` on
Windows, ``~/Library/Caches/textmine`` on macOS).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from textmine.outputs import atomic_write, atomic_write_text, file_sha256
from textmine.text.parse import ParsedDocs

logger = logging.getLogger(__name__)

FORMAT = 2  # 2: meta.json checksums itself (entries of format 1 are rebuilt)
_TOKENS, _VECTORS, _META = "tokens.parquet", "vectors.npy", "meta.json"
_META_DIGEST = "meta_sha256"


def meta_digest(meta: dict) -> str:
    """SHA-256 of ``meta`` (without its own digest) in canonical JSON.

    Canonical: keys sorted, no spaces, non-ASCII escaped, so the digest depends on the values
    only, not on how the file was indented.
    """
    body = {k: v for k, v in meta.items() if k != _META_DIGEST}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _read_meta(path: Path) -> dict | None:
    """Return the verified record of ``meta.json``; ``None`` for an entry of an older format.

    Raises
    ------
    ValueError
        The file is not a JSON object or its digest does not match its content.
    """
    meta = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise ValueError("meta.json is not a JSON object")
    digest = meta.get(_META_DIGEST)
    if digest is None and meta.get("format") != FORMAT:
        return None  # written by an older textmine: a plain miss, rebuilt silently
    if not isinstance(digest, str) or digest != meta_digest(meta):
        raise ValueError("checksum of meta.json does not match its content")
    if meta.get("format") != FORMAT:
        return None
    return meta


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """Return the cache folder (see the module docstring for the search order)."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get("TEXTMINE_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "textmine" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "textmine"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "textmine"


def parse_key(texts: list[str], settings: dict) -> str:
    """SHA-256 of the parse settings and the unique texts, in order."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode("utf-8"))
    for text in texts:
        digest.update(b"\0" + text.encode("utf-8"))
    return digest.hexdigest()


def _entry(root: Path, kind: str, key: str) -> Path:
    return root / kind / key[:2] / key



def has_entry(root: Path, kind: str, key: str) -> bool:
    """Whether an entry is there (its record written; not verified, see :func:`_load_entry`)."""
    try:
        return (_entry(root, kind, key) / _META).is_file()
    except OSError:
        return False


def _save_entry(root: Path, kind: str, key: str, table, vectors: np.ndarray | None,
                meta: dict) -> Path | None:
    """Write one entry (Parquet table, optional float array, meta.json last)."""
    import pyarrow.parquet as pq

    folder = _entry(root, kind, key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / _META).unlink(missing_ok=True)  # invalid until the new meta is written
        atomic_write(folder / _TOKENS, lambda p: pq.write_table(table, p, compression="zstd"))
        files = {_TOKENS: file_sha256(folder / _TOKENS)}
        if vectors is not None:
            def _save_vectors(p: Path) -> None:
                with p.open("wb") as fh:
                    np.save(fh, vectors.astype(np.float32), allow_pickle=False)
            atomic_write(folder / _VECTORS, _save_vectors)
            files[_VECTORS] = file_sha256(folder / _VECTORS)
        meta = {**meta, "format": FORMAT, "files": files}
        meta[_META_DIGEST] = meta_digest(meta)
        atomic_write_text(folder / _META, json.dumps(meta, sort_keys=True, indent=1))
    except OSError as exc:
        logger.warning("Cannot write the cache entry %s (%s); continuing without it.",
                       folder, exc.strerror or exc)
        return None
    return folder


def _load_entry(root: Path, kind: str, key: str):
    """Return ``(table, vectors, meta)`` of a verified entry, or ``None`` (corrupt: a warning)."""
    import pyarrow.parquet as pq

    folder = _entry(root, kind, key)
    meta_path = folder / _META
    try:
        if not meta_path.is_file():
            return None
    except OSError as exc:  # e.g. a cache folder of mode 000: run without the cache
        logger.warning("Cannot read the cache folder %s (%s); continuing without the cache.",
                       root, exc.strerror or exc)
        return None
    try:
        meta = _read_meta(meta_path)
        if meta is None:
            return None
        for name, digest in meta["files"].items():
            if file_sha256(folder / name) != digest:
                raise ValueError(f"checksum of {name} does not match")
        table = pq.read_table(folder / _TOKENS)
        vectors = None
        if _VECTORS in meta["files"]:
            vectors = np.load(folder / _VECTORS, allow_pickle=False)
        return table, vectors, meta
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("Cache entry %s is corrupt (%s); computing it again.", folder, exc)
        return None


def save_parsed(root: Path, key: str, parsed: ParsedDocs, settings: dict) -> Path | None:
    """Store ``parsed`` under ``key``; return the entry folder (``None`` if not writable)."""
    import pyarrow as pa

    doc = np.repeat(np.arange(len(parsed), dtype=np.int32), np.diff(parsed.offsets))
    table = pa.table({
        "doc": pa.array(doc, type=pa.int32()),
        "text": pa.array(parsed.text, type=pa.string()),
        "lemma": pa.array(parsed.lemma, type=pa.string()),
        "pos": pa.array(parsed.pos, type=pa.string()).dictionary_encode(),
        "flags": pa.array(parsed.flags, type=pa.uint8()),
    })
    meta = {"n_docs": len(parsed), "settings": settings, "stats": parsed.stats}
    return _save_entry(root, "parse", key, table, parsed.vectors, meta)


def load_parsed(root: Path, key: str) -> ParsedDocs | None:
    """Return the cached parse ``key``, or ``None`` if absent or corrupt."""
    entry = _load_entry(root, "parse", key)
    if entry is None:
        return None
    table, vectors, meta = entry
    try:
        n_docs = int(meta["n_docs"])
        doc = table.column("doc").to_numpy()
        offsets = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(doc, minlength=n_docs), out=offsets[1:])
        return ParsedDocs(
            offsets=offsets,
            text=table.column("text").to_pylist(),
            lemma=table.column("lemma").to_pylist(),
            pos=[str(p) for p in table.column("pos").to_pylist()],
            flags=table.column("flags").to_numpy().astype(np.uint8),
            vectors=vectors,
            stats=dict(meta.get("stats", {})),
        )
    except (KeyError, ValueError, TypeError) as exc:
        logger.warning("Cache entry %s is corrupt (%s); computing it again.", key, exc)
        return None


def texts_digest(texts: list[str]) -> str:
    """SHA-256 of a list of texts, in order (each one delimited)."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(b"\0" + text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def answers_key(texts_sha256: str, settings: dict) -> str:
    """SHA-256 of the preparation settings and the raw answers (:func:`texts_digest`)."""
    body = json.dumps([settings, texts_sha256], sort_keys=True, default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


_HEX64 = frozenset("0123456789abcdef")


def save_parse_hint(root: Path, key: str, parse_key_: str) -> None:
    """Remember which parse the answers of ``key`` needed last time (one line, no checksum).

    A hint only: :func:`textmine.text.corpus.process_answers` reads it to decide whether to
    start worker processes early (is spaCy going to run?); a wrong or stale hint costs time,
    never a wrong result.
    """
    path = root / "hints" / key[:2] / f"{key}.txt"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, parse_key_ + "\n")
    except OSError:
        pass  # no hint: workers are started at the first task, as without it


def load_parse_hint(root: Path, key: str) -> str | None:
    """The parse key remembered by :func:`save_parse_hint`, or ``None``."""
    try:
        text = (root / "hints" / key[:2] / f"{key}.txt").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if len(text) == 64 and set(text) <= _HEX64 else None


@dataclass
class PreparedAnswers:
    """What the preparation of the raw answers gave, one entry per answer.

    Attributes
    ----------
    status : list of str
        ``ok``, ``non-answer`` or ``empty``.
    doc_of : list of int or None
        Index of each answer's distinct prepared text (``None`` unless ``ok``).
    accents : list of dict
        Accents restored in each answer (bare -> accented).
    n_unique : int
        Number of distinct prepared texts.
    parse_key : str
        :func:`parse_key` of the distinct prepared texts (the features are found from it).
    masked : list of str or None
        Each answer with its personal data masked, ``None`` where it is the answer as written
        (the person names come from the parse of ``parse_key``, so they are fixed by the key).
    notes : dict
        Notes computed from the answers and statuses alone (``language``, ``duplicates``).
    """

    status: list[str]
    doc_of: list[int | None]
    accents: list[dict[str, str]]
    n_unique: int
    parse_key: str
    masked: list[str | None]
    notes: dict


#: Status codes of the ``answers`` entries (the order is part of the format).
_STATUS_CODES = ("ok", "non-answer", "empty")


def save_answers(root: Path, key: str, prepared: PreparedAnswers) -> Path | None:
    """Store the preparation of a list of answers under ``key`` (:func:`answers_key`)."""
    import pyarrow as pa

    code = {s: i for i, s in enumerate(_STATUS_CODES)}
    table = pa.table({
        "status": pa.array([code[s] for s in prepared.status], type=pa.uint8()),
        "doc": pa.array([-1 if d is None else d for d in prepared.doc_of], type=pa.int32()),
        # accents are rare: one JSON object per answer, "" when none were restored
        "accents": pa.array([json.dumps(a, ensure_ascii=False) if a else ""
                             for a in prepared.accents], type=pa.string()),
        "masked": pa.array(prepared.masked, type=pa.string()),
    })
    meta = {"n_answers": len(prepared.status), "n_unique": prepared.n_unique,
            "parse_key": prepared.parse_key, "notes": prepared.notes}
    return _save_entry(root, "answers", key, table, None, meta)


def load_answers(root: Path, key: str) -> PreparedAnswers | None:
    """Return the cached preparation ``key``, or ``None`` if absent or corrupt."""
    entry = _load_entry(root, "answers", key)
    if entry is None:
        return None
    table, _, meta = entry
    try:
        codes = table.column("status").to_numpy()
        docs = table.column("doc").to_numpy()
        n, n_unique = int(meta["n_answers"]), int(meta["n_unique"])
        if len(codes) != n or len(docs) != n or (len(docs) and int(docs.max()) >= n_unique):
            raise ValueError("counts do not match")
        accents = [json.loads(a) if a else {} for a in table.column("accents").to_pylist()]
        return PreparedAnswers(
            status=[_STATUS_CODES[c] for c in codes.tolist()],
            doc_of=[None if d < 0 else d for d in docs.tolist()],
            accents=accents,
            n_unique=n_unique,
            parse_key=str(meta["parse_key"]),
            masked=table.column("masked").to_pylist(),
            notes=dict(meta["notes"]),
        )
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        logger.warning("Cache entry %s is corrupt (%s); computing it again.", key, exc)
        return None


@dataclass
class CachedTerms:
    """Features of unique texts, with what masking and ``Corpus.info`` need."""

    terms: list[str]  # space-joined features per unique text
    names: list[str]  # person names per unique text, TAB-joined
    vectors: np.ndarray | None
    meta: dict


def save_terms(root: Path, key: str, cached: CachedTerms) -> Path | None:
    """Store the features of a corpus under ``key`` (a parse key + feature settings)."""
    import pyarrow as pa

    table = pa.table({"terms": pa.array(cached.terms, type=pa.string()),
                      "names": pa.array(cached.names, type=pa.string())})
    return _save_entry(root, "terms", key, table, cached.vectors, cached.meta)


def load_terms(root: Path, key: str) -> CachedTerms | None:
    """Return the cached features ``key``, or ``None`` if absent or corrupt."""
    entry = _load_entry(root, "terms", key)
    if entry is None:
        return None
    table, vectors, meta = entry
    return CachedTerms(table.column("terms").to_pylist(), table.column("names").to_pylist(),
                       vectors, meta)
