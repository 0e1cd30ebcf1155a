"""Which uncoded answers to code next: uncertainty × representativeness, no near-duplicates.

Active learning for the coder (``textmine code ... --next N``). An answer is worth coding when
the coder is unsure about it (:func:`textmine.coding.learn.uncertainty`, the highest binary
entropy of its codes' calibrated scores) *and* it stands for many other answers: coding an odd
one-off answer teaches the model little however unsure it is. Representativeness is the
*density* of the answer among the uncoded answers, the mean cosine similarity to its
``n_neighbours`` nearest neighbours in TF-IDF space. The usefulness of an answer is
``uncertainty × density`` (information density, Settles & Craven 2008, "An analysis of active
learning strategies for sequence labeling tasks", EMNLP, with β = 1 and a k-nearest-neighbour
density instead of the mean similarity to the whole pool, which favours generic answers in a
corpus of several topics). Answers are then taken in order of usefulness, skipping any answer
nearly identical (cosine >= ``duplicate_similarity``) to one already taken or already coded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from textmine.coding.learn import _identity, as_term_lists, uncertainty
from textmine.errors import OptionError

#: Rows of the similarity matrix computed at once (bounds memory: rows × answers floats).
_CHUNK = 256


def answer_vectors(docs: Sequence[Sequence[str] | str]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows of the answers' terms (the space densities are measured in).

    Parameters
    ----------
    docs : sequence of term lists (or space-joined terms), length n

    Returns
    -------
    csr_matrix of shape (n, n_terms)
        Rows of answers without any term are all zero.
    """
    terms = as_term_lists(docs)
    if not any(terms):
        return sparse.csr_matrix((len(terms), 0))
    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=1)
    return vec.fit_transform(terms).tocsr()


def knn_density(
    candidates: sparse.csr_matrix | np.ndarray,
    pool: sparse.csr_matrix | np.ndarray,
    *,
    n_neighbours: int = 10,
    self_in_pool: bool = True,
) -> np.ndarray:
    """Mean cosine similarity of each candidate to its nearest neighbours in ``pool``.

    Parameters
    ----------
    candidates : matrix of shape (m, d)
        Rows to score (normalised here).
    pool : matrix of shape (n, d)
        Rows the neighbours are taken from (normalised here).
    n_neighbours : int
        Number of nearest neighbours averaged (fewer when the pool is smaller).
    self_in_pool : bool
        The candidates are rows of ``pool``: each candidate's highest similarity (itself) is
        left out.

    Returns
    -------
    ndarray of shape (m,)
        Densities in [0, 1] (0 for an answer without any term).
    """
    a = normalize(sparse.csr_matrix(candidates, dtype=np.float32))
    b = normalize(sparse.csr_matrix(pool, dtype=np.float32))
    k = min(n_neighbours + int(self_in_pool), b.shape[0])
    out = np.zeros(a.shape[0])
    if k <= int(self_in_pool) or a.shape[1] == 0:
        return out
    for start in range(0, a.shape[0], _CHUNK):
        sims = (a[start:start + _CHUNK] @ b.T).toarray()
        top = -np.partition(-sims, k - 1, axis=1)[:, :k]
        top.sort(axis=1)
        # Drop the highest similarity (the answer itself) when candidates are pool rows.
        kept = top[:, :-1] if self_in_pool else top
        out[start:start + _CHUNK] = kept.mean(axis=1)
    return out


def usefulness(
    scores: np.ndarray,
    vectors: sparse.csr_matrix | np.ndarray,
    *,
    n_neighbours: int = 10,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Uncertainty, density and their product for answers (``rows`` of them, default all).

    Parameters
    ----------
    scores : array of shape (n, n_codes)
        Calibrated scores of the uncoded answers.
    vectors : matrix of shape (n, d)
        Their TF-IDF (or any) vectors; densities are measured among all ``n`` answers.
    n_neighbours : int
        Neighbours of the density.
    rows : array of int, optional
        Only these answers are scored.

    Returns
    -------
    uncertainty, density, usefulness : ndarrays of shape (len(rows),)
    """
    rows = np.arange(len(scores)) if rows is None else np.asarray(rows, dtype=int)
    vectors = sparse.csr_matrix(vectors)
    unc = uncertainty(np.asarray(scores, dtype=float)[rows]) if len(rows) else np.zeros(0)
    dens = knn_density(vectors[rows], vectors, n_neighbours=n_neighbours)
    return unc, dens, unc * dens


def select_next(
    scores: np.ndarray,
    vectors: sparse.csr_matrix | np.ndarray,
    n: int,
    *,
    coded_vectors: sparse.csr_matrix | np.ndarray | None = None,
    n_neighbours: int = 10,
    duplicate_similarity: float = 0.9,
    pool_size: int | None = None,
) -> np.ndarray:
    """The ``n`` uncoded answers whose coding would help the coder most, most useful first.

    Parameters
    ----------
    scores : array of shape (n_uncoded, n_codes)
        Calibrated scores of the uncoded answers
        (:meth:`textmine.coding.learn.MultiLabelCoder.predict_proba`).
    vectors : sparse matrix or array of shape (n_uncoded, d)
        Vectors of the same answers in one space (TF-IDF of their terms from
        :func:`answer_vectors`, or sentence embeddings); rows are L2-normalised here, so that
        similarities are cosines. A row of zeros (an answer without any term) is never chosen
        before an answer with terms.
    n : int
        Number of answers wanted, ``1 <= n``; at most ``n_uncoded`` are returned.
    coded_vectors : sparse matrix or array of shape (n_coded, d), optional
        Vectors of the answers already coded, in the same space (same columns): an uncoded
        answer nearly identical to one of them is skipped as well.
    n_neighbours : int
        Nearest neighbours whose mean similarity is an answer's density.
    duplicate_similarity : float
        Cosine similarity from which two answers count as near-duplicates, in (0, 1].
    pool_size : int, optional
        Only the ``pool_size`` most uncertain answers are candidates (densities of all answers
        cost one similarity row per candidate); default ``max(20 n, 2000)``.

    Returns
    -------
    ndarray of int, shape (min(n, n_uncoded),)
        Row indices into ``scores`` in order of usefulness. When removing near-duplicates
        leaves fewer than ``n`` candidates, the skipped ones fill the rest, most useful first.

    Raises
    ------
    OptionError
        ``n`` below 1, ``duplicate_similarity`` outside (0, 1] or ``n_neighbours`` below 1.

    Notes
    -----
    Usefulness is ``uncertainty × density`` (information density, Settles & Craven 2008,
    β = 1); see the module docstring.
    """
    if int(n) != n or n < 1:
        raise OptionError(f"--next must be a whole number of answers, at least 1; got {n}.")
    if not 0 < duplicate_similarity <= 1:
        raise OptionError(f"duplicate_similarity must be in (0, 1]; got {duplicate_similarity}.")
    if n_neighbours < 1:
        raise OptionError(f"n_neighbours must be at least 1; got {n_neighbours}.")
    scores = np.asarray(scores, dtype=float)
    total = len(scores)
    n = min(int(n), total)
    if n == 0:
        return np.zeros(0, dtype=int)
    vectors = normalize(sparse.csr_matrix(vectors, dtype=np.float32))
    unc_all = uncertainty(scores) if scores.ndim == 2 and scores.shape[1] else np.zeros(total)
    size = min(total, pool_size if pool_size is not None else max(20 * n, 2000))
    pool = np.argsort(-unc_all, kind="stable")[:size]
    _, _, useful = usefulness(scores, vectors, n_neighbours=n_neighbours, rows=pool)
    has_terms = np.asarray(vectors[pool].getnnz(axis=1) > 0)
    order = pool[np.lexsort((-useful, ~has_terms))]
    coded = (None if coded_vectors is None or sparse.csr_matrix(coded_vectors).shape[0] == 0
             else normalize(sparse.csr_matrix(coded_vectors, dtype=np.float32)))  # fmt: skip
    chosen: list[int] = []
    skipped: list[int] = []
    for i in order:
        row = vectors[i]
        if row.nnz:
            if chosen and (row @ vectors[chosen].T).max() >= duplicate_similarity:
                skipped.append(int(i))
                continue
            if coded is not None and (row @ coded.T).max() >= duplicate_similarity:
                skipped.append(int(i))
                continue
        chosen.append(int(i))
        if len(chosen) == n:
            break
    if len(chosen) < n:
        in_pool = set(pool.tolist())
        rest = skipped + [int(i) for i in np.argsort(-unc_all, kind="stable") if i not in in_pool]
        chosen += rest[: n - len(chosen)]
    return np.asarray(chosen, dtype=int)
