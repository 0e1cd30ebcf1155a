"""Scoring every answer of a workspace after a refit: features computed once, one product per refit.

:meth:`textmine.coding.learn.MultiLabelCoder.predict_proba` re-analyses each text for each of
its cross-validation fold models (word TF-IDF and character n-grams, in Python): about three
minutes for 100,000 answers. Here the analysis runs once per workspace: the term counts and the
character 2–5-gram counts of every answer, over the vocabulary of all answers, are kept as
sparse matrices (sublinear term frequencies ``1 + log(count)``, as the coder's
``TfidfVectorizer(sublinear_tf=True)`` computes them) in an ``.npz`` file of the textmine cache,
keyed by the SHA-256 of the answers' ids and terms (the answers of a workspace never change
after ``init``).

A fold model's TF-IDF block of an answer is ``w * idf / ||w * idf||`` over that fold's
vocabulary (a subset of all answers' vocabulary), so its linear decision is
``(W[:, V] @ (idf * coef)) / sqrt((W[:, V] ** 2) @ idf ** 2) + intercept``: one sparse
matrix product for every fold and code at once (:func:`score_answers`). The result equals
``predict_proba`` (checked on a sample of answers at every refit; on any difference, e.g. a
coder whose features are not the kind computed here, the slow path is used and a warning says
so).
"""

from __future__ import annotations

import hashlib
import io
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from textmine.coding.learn import CodingFeatures, MultiLabelCoder, as_term_lists
from textmine.outputs import atomic_write
from textmine.text.cache import cache_root

logger = logging.getLogger(__name__)

#: Version of the cached feature files (bump when their content changes).
FEATURES_FORMAT = 1

#: Character n-gram sizes counted (those of the coder's ``char_wb`` vectoriser).
CHAR_NGRAMS = (2, 5)

#: Answers on which the fast scores are compared with ``predict_proba`` at every refit.
CHECK_SAMPLE = 64

#: Largest difference of scores accepted between the two paths.
CHECK_TOLERANCE = 1e-4


def _split(doc: str) -> list[str]:
    return doc.split()


@dataclass
class AnswerFeatures:
    """Sublinear term and character n-gram frequencies of every answer of a workspace.

    Attributes
    ----------
    ids : ndarray of shape (n,)
        Answer ids, in the row order of the matrices.
    words, chars : csr_matrix of shape (n, n_words) and (n, n_ngrams), float32
        ``1 + log(count)`` of each term (each character 2–5-gram of the space-joined terms).
    word_index, char_index : dict of str to int
        Column of each term and n-gram.
    key : str
        SHA-256 of the answers' ids and terms (the cache key).
    """

    ids: np.ndarray
    words: sparse.csr_matrix
    chars: sparse.csr_matrix
    word_index: dict[str, int]
    char_index: dict[str, int]
    key: str

    @property
    def empty(self) -> np.ndarray:
        """Answers without any term, shape (n,), bool."""
        return np.diff(self.words.indptr) == 0


def answers_key(ids: list[int], terms: list[str]) -> str:
    """SHA-256 of the feature settings and of each answer's id and terms, in order."""
    digest = hashlib.sha256(f"workspace-features/{FEATURES_FORMAT}/{CHAR_NGRAMS}".encode())
    for i, t in zip(ids, terms, strict=True):
        digest.update(f"\0{i}\0{t}".encode())
    return digest.hexdigest()


def _sublinear(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    out = counts.astype(np.float32).tocsr()
    out.data = np.log(out.data) + np.float32(1.0)
    return out


def compute_features(ids: list[int], terms: list[str], key: str | None = None) -> AnswerFeatures:
    """Count the terms and character n-grams of every answer (the slow step, once per workspace).

    Parameters
    ----------
    ids : list of int, length n
        Answer ids.
    terms : list of str, length n
        Space-joined terms of each answer.
    key : str, optional
        Cache key (computed from ``ids`` and ``terms`` if not given).
    """
    docs = [" ".join(t.split()) for t in terms]
    words = CountVectorizer(analyzer=_split, lowercase=False)
    chars = CountVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS)
    W = words.fit_transform(docs) if any(docs) else sparse.csr_matrix((len(docs), 0))
    C = chars.fit_transform(docs) if any(docs) else sparse.csr_matrix((len(docs), 0))
    return AnswerFeatures(
        ids=np.asarray(ids, dtype=np.int64), words=_sublinear(W), chars=_sublinear(C),
        word_index=dict(getattr(words, "vocabulary_", {})),
        char_index=dict(getattr(chars, "vocabulary_", {})),
        key=key or answers_key(ids, terms),
    )  # fmt: skip


def _cache_path(key: str, cache_dir: str | Path | None) -> Path:
    return cache_root(cache_dir) / "workspace-features" / key[:2] / f"{key}.npz"


def _save(features: AnswerFeatures, path: Path) -> None:
    def vocab(index: dict[str, int]) -> np.ndarray:
        out = [""] * len(index)
        for term, col in index.items():
            out[col] = term
        return np.asarray(out, dtype=str)

    buffer = io.BytesIO()
    np.savez(
        buffer, format=np.int64(FEATURES_FORMAT), key=np.asarray(features.key), ids=features.ids,
        words_data=features.words.data, words_indices=features.words.indices,
        words_indptr=features.words.indptr, words_shape=np.asarray(features.words.shape),
        chars_data=features.chars.data, chars_indices=features.chars.indices,
        chars_indptr=features.chars.indptr, chars_shape=np.asarray(features.chars.shape),
        word_vocab=vocab(features.word_index), char_vocab=vocab(features.char_index),
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, buffer.getvalue())


def _load(path: Path, key: str, n: int) -> AnswerFeatures:
    with np.load(path, allow_pickle=False) as z:
        if int(z["format"]) != FEATURES_FORMAT or str(z["key"]) != key:
            raise ValueError("written for other answers or by another textmine")

        def matrix(name: str) -> sparse.csr_matrix:
            return sparse.csr_matrix(
                (z[f"{name}_data"], z[f"{name}_indices"], z[f"{name}_indptr"]),
                shape=tuple(int(s) for s in z[f"{name}_shape"]),
            )

        features = AnswerFeatures(
            ids=z["ids"], words=matrix("words"), chars=matrix("chars"),
            word_index={t: i for i, t in enumerate(z["word_vocab"].tolist())},
            char_index={t: i for i, t in enumerate(z["char_vocab"].tolist())}, key=key,
        )  # fmt: skip
    if len(features.ids) != n or features.words.shape[0] != n or features.chars.shape[0] != n:
        raise ValueError("row counts do not match the workspace")
    return features


def workspace_features(conn: sqlite3.Connection, *, ids: list[int] | None = None,
                       terms: list[str] | None = None,
                       cache_dir: str | Path | None = None) -> tuple[AnswerFeatures, dict]:
    """The features of every answer, from the cache or computed (and cached) now.

    Parameters
    ----------
    conn : sqlite3.Connection
        An open workspace.
    ids, terms : list, optional
        Every answer's id and terms in id order, when the caller has read them already.
    cache_dir : path, optional
        Cache root (default ``$TEXTMINE_CACHE_DIR`` or the user cache folder).

    Returns
    -------
    features : AnswerFeatures
        Rows in answer id order.
    info : dict
        ``cached`` (bool: read from the cache) and ``path`` (the cache file).
    """
    if ids is None or terms is None:
        rows = conn.execute("SELECT id, terms FROM answers ORDER BY id").fetchall()
        ids, terms = [int(r[0]) for r in rows], [r[1] for r in rows]
    key = answers_key(ids, terms)
    path = _cache_path(key, cache_dir)
    if path.is_file():
        try:
            return _load(path, key, len(ids)), {"cached": True, "path": path}
        except (OSError, ValueError, KeyError) as exc:
            # A damaged or foreign file is rebuilt: the cache only saves time.
            logger.warning("workspace feature cache %s unreadable (%s); rebuilding it", path, exc)
    features = compute_features(ids, terms, key)
    try:
        _save(features, path)
    except OSError as exc:
        logger.warning("workspace feature cache not written to %s (%s)", path, exc)
    return features, {"cached": False, "path": path}


def _fast_kind(feats: object) -> bool:
    """Whether a fold's features are the TF-IDF blocks :func:`score_answers` reproduces."""
    if type(feats) is not CodingFeatures or feats.embedding_model is not None:
        return False
    vects = [feats.words_] + ([feats.chars_] if feats.char_ngrams else [])
    for v in vects:
        if not (v.sublinear_tf and v.use_idf and v.norm == "l2" and not v.binary):
            return False
    if feats.char_ngrams:
        c = feats.chars_
        if c.analyzer != "char_wb" or not c.lowercase or c.preprocessor is not None:
            return False
        lo, hi = c.ngram_range
        if lo < CHAR_NGRAMS[0] or hi > CHAR_NGRAMS[1]:
            return False
    return callable(feats.words_.analyzer)


def _columns(vocabulary: dict[str, int], index: dict[str, int]) -> np.ndarray | None:
    """Global column of each fold column (``None`` if a term is unknown to the workspace)."""
    out = np.empty(len(vocabulary), dtype=np.int64)
    for term, col in vocabulary.items():
        g = index.get(term)
        if g is None:
            return None
        out[col] = g
    return out


def fast_decisions(coder: MultiLabelCoder, features: AnswerFeatures) -> np.ndarray | None:
    """Decision values of every fold model for every answer, shape (n_folds, n, n_codes).

    ``None`` when a fold's features are not of the kind computed here (then use
    :meth:`MultiLabelCoder.predict_proba`).
    """
    folds = coder.fold_models_
    if not all(_fast_kind(f) for f, _ in folds):
        return None
    n, J, F = len(features.ids), len(coder.classes_), len(folds)
    dec = np.zeros((F, n, J))
    blocks = [("words_", features.words, features.word_index)]
    if folds and folds[0][0].char_ngrams:
        blocks.append(("chars_", features.chars, features.char_index))
    offsets = [0] * F
    for attr, W, index in blocks:
        cols = []
        for f, _ in folds:
            c = _columns(getattr(f, attr).vocabulary_, index)
            if c is None:
                return None
            cols.append(c)
        union = np.unique(np.concatenate(cols)) if cols else np.zeros(0, dtype=np.int64)
        # Selecting columns costs a pass over the matrix: worth it only when the folds know a
        # small part of the workspace's vocabulary (many answers, few coded).
        if len(union) > W.shape[1] // 2:
            union, sub = np.arange(W.shape[1]), W
        else:
            sub = W[:, union]
        # float32 weights: the product runs in float32 (half the memory traffic); decisions
        # stay within 1e-5 of the float64 ones, far below the 3 decimals stored.
        weights = np.zeros((len(union), F * J), dtype=np.float32)
        idf2 = np.zeros((len(union), F), dtype=np.float32)
        for k, ((f, models), c) in enumerate(zip(folds, cols, strict=True)):
            pos = np.searchsorted(union, c)
            idf = getattr(f, attr).idf_
            idf2[pos, k] = idf**2
            for j, m in enumerate(models):
                if not isinstance(m, float):
                    weights[pos, k * J + j] = idf * m.coef_[0, offsets[k]:offsets[k] + len(c)]
            offsets[k] += len(c)
        # Same structure, squared values (indices shared, not copied).
        squares = sparse.csr_matrix((sub.data**2, sub.indices, sub.indptr), shape=sub.shape)
        norms = np.sqrt(np.asarray(squares @ idf2, dtype=float))  # (n, F)
        norms[norms == 0] = 1.0  # an answer without terms in this block: a zero block
        numer = np.asarray(sub @ weights, dtype=float).reshape(n, F, J)
        dec += (numer / norms[:, :, None]).transpose(1, 0, 2)
    for k, (_, models) in enumerate(folds):
        for j, m in enumerate(models):
            if isinstance(m, float):
                dec[k, :, j] = m
            else:
                dec[k, :, j] += m.intercept_[0]
    return dec


def score_answers(coder: MultiLabelCoder, features: AnswerFeatures, terms: list[str],
                  *, check: int = CHECK_SAMPLE) -> tuple[np.ndarray, bool]:
    """Calibrated scores of every code for every answer, as ``coder.predict_proba``.

    Parameters
    ----------
    coder : MultiLabelCoder
        A fitted coder.
    features : AnswerFeatures
        The workspace's features (:func:`workspace_features`).
    terms : list of str, length n
        The answers' terms in the same order (for the check and the slow path).
    check : int
        Answers (spread over the workspace) whose scores are compared with ``predict_proba``.

    Returns
    -------
    scores : ndarray of shape (n, n_codes)
    fast : bool
        Whether the one-product path was used (``False``: ``predict_proba``, with a warning).
    """
    dec = fast_decisions(coder, features)
    if dec is not None:
        scores = np.mean([coder._calibrate(d) for d in dec], axis=0)
        empty = features.empty
        scores[empty] = np.minimum(scores[empty], coder.cv_truth_.mean(axis=0))
        sample = np.unique(np.linspace(0, len(terms) - 1, min(check, len(terms))).astype(int))
        if not len(sample):
            return scores, True
        slow = coder.predict_proba(as_term_lists([terms[i] for i in sample]))
        diff = float(np.abs(slow - scores[sample]).max()) if slow.size else 0.0
        if diff <= CHECK_TOLERANCE:
            return scores, True
        logger.warning("fast scores differ from predict_proba by %.2g; scoring the slow way",
                       diff)
    else:
        logger.warning("coder features not of the cached kind; scoring the slow way")
    return coder.predict_proba(as_term_lists(terms)), False
