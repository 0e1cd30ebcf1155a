"""Theme models: scikit-learn estimators fitted on answers × terms count matrices.

Every model takes raw counts (``DocTermMatrix.X``) and learns its own weighting, so that a saved
model re-applies exactly the same transformation to new answers. After ``fit`` each model has

- ``components_`` (k × terms, non-negative): how much each term weighs in each theme;
- ``transform(X)`` (answers × k, non-negative): how much of each theme each answer carries;
- ``represent(X)``: the weighted, row-normalised matrix the model sees (used for typicality).

Four methods:

``nmf``
    NMF on sublinear TF-IDF (rows l2-normalised), the classic choice for survey answers.
``lda``
    Latent Dirichlet Allocation on counts (scikit-learn, batch variational Bayes).
``short``
    NMF on TF-IDF *smoothed by term co-occurrence*: each answer is expanded with the terms that
    share answers with its own terms (cosine of the terms' answer-occurrence vectors, the
    ``n_neighbors`` strongest per term), weighted by ``smoothing``. Answers of 3–8 words rarely
    share a term even when they talk about the same thing; the expansion lets "carburant" and
    "essence" meet through the answers where they co-occur. ``--method auto`` uses it for
    corpora too small for ``semantic``.
``semantic``
    k-means on the UMAP layout of the answers' sentence embeddings (as BERTopic), theme
    centroids in the space of the embeddings joined with the SVD of their ``short``
    representation; weights from the cosines to the centroids, terms from the weighted mean
    TF-IDF (:class:`SemanticThemes`). It recovered human labels best on average
    over 7 labelled corpora (docs/bench_themes.md), so ``--method auto`` picks it when there
    are enough answers.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import psi
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import LatentDirichletAllocation, non_negative_factorization
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted, check_non_negative, validate_data

from textmine.config import THEME_METHODS

logger = logging.getLogger(__name__)

METHODS = THEME_METHODS  # declared with the options, which check it when built
# With H fixed, each answer's weights are a small non-negative least-squares problem; solving it to
# convergence makes an answer's weights independent of the other answers in the batch (so that
# `textmine apply` codes an answer the same way alone or in a file).
_TRANSFORM_TOL = 1e-10
_TRANSFORM_MAX_ITER = 2000


def _sublinear_tfidf(X: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    out = sp.csr_matrix(X, dtype=np.float64, copy=True)
    # 1 + log(tf) for counts; fractional weights (below 1) are kept as they are so that the
    # weighting stays non-negative and continuous.
    out.data = np.where(out.data >= 1.0, 1.0 + np.log(np.maximum(out.data, 1.0)), out.data)
    return sp.csr_matrix(out @ sp.diags(idf))


def _learn_idf(X: sp.csr_matrix) -> np.ndarray:
    # Smooth IDF as in scikit-learn's TfidfTransformer (never zero, never infinite).
    n = X.shape[0]
    df = np.bincount(sp.csr_matrix(X).indices, minlength=X.shape[1]).astype(np.float64)
    return np.log((1.0 + n) / (1.0 + df)) + 1.0


def _cooccurrence_neighbors(X: sp.csr_matrix, n_neighbors: int) -> sp.csr_matrix:
    """Term × term cosine of answer-occurrence vectors, keeping each term's strongest neighbours."""
    B = sp.csr_matrix(X, copy=True)
    B.data[:] = 1.0
    G = normalize(sp.csr_matrix(B.T), axis=1)
    S = sp.csr_matrix(G @ G.T)
    S.setdiag(0.0)
    S.eliminate_zeros()
    # Keep the top neighbours per row so that the matrix stays sparse on large vocabularies.
    rows, cols, vals = [], [], []
    for i in range(S.shape[0]):
        start, end = S.indptr[i], S.indptr[i + 1]
        if end == start:
            continue
        data, idx = S.data[start:end], S.indices[start:end]
        if end - start > n_neighbors:
            # Stable ordering (value desc, then column) keeps runs reproducible on ties.
            order = np.lexsort((idx, -data))[:n_neighbors]
            data, idx = data[order], idx[order]
        rows.append(np.full(len(idx), i))
        cols.append(idx)
        vals.append(data)
    if not rows:
        return sp.csr_matrix(S.shape, dtype=np.float64)
    out = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=S.shape
    )
    out.sort_indices()
    return out


def _nonneg_input(estimator: BaseEstimator, X: object, *, reset: bool) -> sp.csr_matrix:
    X = validate_data(
        estimator, X, accept_sparse="csr", dtype=np.float64, reset=reset, ensure_min_samples=1
    )
    check_non_negative(X, type(estimator).__name__)
    return sp.csr_matrix(X)


class _NonNegativeSparseInput:
    """Tells scikit-learn's checks that the theme models take sparse, non-negative input."""

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        return tags


class NMFThemes(_NonNegativeSparseInput, TransformerMixin, BaseEstimator):
    """NMF themes on sublinear TF-IDF, optionally smoothed by term co-occurrence and seeded.

    With ``seed_terms`` the factorisation is guided (see :meth:`_guided_nmf`): seeded themes
    come first and keep their seed terms; free themes are found beside them.

    Parameters
    ----------
    n_themes : int
        Number of themes (components).
    smoothing : float
        Weight of the co-occurrence expansion (0 = plain NMF on TF-IDF).
    n_neighbors : int
        Neighbours kept per term in the co-occurrence expansion.
    seed_terms : tuple of tuple of int
        Column indices of the seed terms of each seeded theme; seeded themes come first, in this
        order. The NMF starts from seed-term rows and seed columns are up-weighted.
    seed_weight : float
        Factor applied to the seed-term columns before normalisation.
    seed_strength : float
        Weight of the pull of seeded themes towards their seed terms (see ``_guided_nmf``).
    init : {"nndsvdar", "nndsvda", "random"}
        NMF initialisation of unseeded models.
    max_iter, tol : int, float
        NMF solver settings.
    random_state : int
        Seed of the NMF initialisation.

    Attributes
    ----------
    components_ : ndarray (n_themes, n_features)
        Theme × term weights, rows of unit l2 norm.
    idf_ : ndarray (n_features,)
    term_weights_ : ndarray (n_features,)
        Column factors (seed up-weighting; 1 elsewhere).
    smoothing_matrix_ : scipy.sparse.csr_matrix (n_features, n_features)
        Co-occurrence neighbours (empty when ``smoothing`` is 0).
    n_iter_ : int
    """

    def __init__(
        self,
        n_themes: int = 8,
        *,
        smoothing: float = 0.0,
        n_neighbors: int = 20,
        seed_terms: tuple[tuple[int, ...], ...] = (),
        seed_weight: float = 2.0,
        seed_strength: float = 0.2,
        init: str = "nndsvdar",
        max_iter: int = 400,
        tol: float = 1e-4,
        random_state: int | None = 0,
    ) -> None:
        self.n_themes = n_themes
        self.smoothing = smoothing
        self.n_neighbors = n_neighbors
        self.seed_terms = seed_terms
        self.seed_weight = seed_weight
        self.seed_strength = seed_strength
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _represent(self, X: sp.csr_matrix) -> sp.csr_matrix:
        Xt = normalize(_sublinear_tfidf(X, self.idf_) @ sp.diags(self.term_weights_))
        if self.smoothing > 0 and self.smoothing_matrix_.nnz:
            Xt = normalize(Xt + self.smoothing * (Xt @ self.smoothing_matrix_))
        return sp.csr_matrix(Xt)

    def _custom_init(self, Xt: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        k, n_feat = self.n_themes, Xt.shape[1]
        rng = np.random.default_rng(self.random_state)
        scale = np.sqrt(Xt.mean() / k) if Xt.nnz else 1.0
        H = rng.uniform(0.0, scale, size=(k, n_feat))
        for j, cols in enumerate(self.seed_terms):
            # Seeded rows start on their seeds only (tiny mass elsewhere so that they can grow).
            H[j] = scale * 1e-2
            H[j, list(cols)] = 1.0
        W = np.asarray(Xt @ H.T)
        W = np.maximum(W / np.maximum((H * H).sum(axis=1), 1e-12), 1e-6)
        return W, H

    def _guided_nmf(self, Xt: sp.csr_matrix) -> tuple[np.ndarray, int]:
        """NMF whose seeded rows are pulled towards their seed terms.

        Minimises ``||Xt - W H||^2 + mu * sum_j ||H_j - S_j||^2`` over seeded rows j, where
        ``S_j`` spreads a unit norm over theme j's seed terms and ``mu = seed_strength * n``
        (n answers, rows of Xt have unit norm, so the data term grows with n). Multiplicative
        updates (Lee & Seung, with the prior added to numerator and denominator) keep W, H >= 0.
        The prior keeps every seed term in its theme while letting the theme gather the terms
        that co-occur with its seeds.
        """
        W, H = self._custom_init(Xt)
        k, n_feat = H.shape
        S = np.zeros((k, n_feat))
        mu = np.zeros((k, 1))
        for j, cols in enumerate(self.seed_terms):
            if cols:
                S[j, list(cols)] = 1.0 / np.sqrt(len(cols))
                mu[j] = self.seed_strength * Xt.shape[0]
        eps = 1e-12
        previous = np.inf
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):
            H *= (np.asarray(Xt.T @ W).T + mu * S) / (W.T @ W @ H + mu * H + eps)
            W *= np.asarray(Xt @ H.T) / (W @ (H @ H.T) + eps)
            if n_iter % 10 == 0:
                # Cheap objective: ||X||^2 - 2 tr(W^T X H^T) + tr(W^T W H H^T), prior included.
                fit = (-2.0 * np.sum(W * np.asarray(Xt @ H.T))
                       + np.sum((W.T @ W) * (H @ H.T)) + np.sum(mu * (H - S) ** 2))
                if abs(previous - fit) <= self.tol * max(abs(previous), 1.0):
                    break
                previous = fit
        return H, n_iter

    def fit(self, X: object, y: object = None) -> NMFThemes:
        """Learn the weighting, the expansion and the themes from counts ``X``."""
        X = _nonneg_input(self, X, reset=True)
        n_feat = X.shape[1]
        if len(self.seed_terms) > self.n_themes:
            raise ValueError(
                f"{len(self.seed_terms)} seeded themes need n_themes >= {len(self.seed_terms)}."
            )
        self.idf_ = _learn_idf(X)
        self.term_weights_ = np.ones(n_feat)
        for cols in self.seed_terms:
            self.term_weights_[list(cols)] = self.seed_weight
        self.smoothing_matrix_ = (
            _cooccurrence_neighbors(X, self.n_neighbors)
            if self.smoothing > 0
            else sp.csr_matrix((n_feat, n_feat), dtype=np.float64)
        )
        Xt = self._represent(X)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            if self.seed_terms:
                H, self.n_iter_ = self._guided_nmf(Xt)
            else:
                # NNDSVD needs k <= min(n_samples, n_features); "random" is used by the
                # stability sweep, where the seed must matter.
                init = self.init if self.n_themes <= min(Xt.shape) else "random"
                _, H, self.n_iter_ = non_negative_factorization(
                    Xt, n_components=self.n_themes, init=init, solver="cd",
                    max_iter=self.max_iter, tol=self.tol, random_state=self.random_state,
                )  # fmt: skip
        if any(issubclass(w.category, ConvergenceWarning) for w in caught):
            logger.debug("NMF stopped at max_iter=%d before converging.", self.max_iter)
        norms = np.linalg.norm(H, axis=1, keepdims=True)
        self.components_ = H / np.where(norms > 0, norms, 1.0)
        return self

    def represent(self, X: object) -> sp.csr_matrix:
        """The weighted, row-normalised matrix the model factorises."""
        check_is_fitted(self)
        return self._represent(_nonneg_input(self, X, reset=False))

    def transform(self, X: object) -> np.ndarray:
        """Theme weights of each answer (non-negative; rows of answers without terms are 0)."""
        check_is_fitted(self)
        Xt = self._represent(_nonneg_input(self, X, reset=False))
        W, _, _ = non_negative_factorization(
            Xt, H=self.components_, n_components=self.components_.shape[0],
            update_H=False, solver="cd", max_iter=_TRANSFORM_MAX_ITER, tol=_TRANSFORM_TOL,
        )  # fmt: skip
        return np.asarray(W)

    def state_arrays(self) -> dict[str, np.ndarray]:
        """Learned arrays, for safe persistence (see :mod:`textmine.themes.persist`)."""
        check_is_fitted(self)
        S = self.smoothing_matrix_
        return {
            "components": self.components_,
            "idf": self.idf_,
            "term_weights": self.term_weights_,
            "smoothing_data": S.data,
            "smoothing_indices": S.indices.astype(np.int64),
            "smoothing_indptr": S.indptr.astype(np.int64),
        }

    def set_state_arrays(self, arrays: dict[str, np.ndarray]) -> NMFThemes:
        """Restore learned arrays saved by :meth:`state_arrays` (no fitting)."""
        H = np.asarray(arrays["components"], dtype=np.float64)
        n_feat = H.shape[1]
        self.components_ = H
        self.idf_ = np.asarray(arrays["idf"], dtype=np.float64)
        self.term_weights_ = np.asarray(arrays["term_weights"], dtype=np.float64)
        self.smoothing_matrix_ = sp.csr_matrix(
            (arrays["smoothing_data"], arrays["smoothing_indices"], arrays["smoothing_indptr"]),
            shape=(n_feat, n_feat),
        )
        self.n_features_in_ = n_feat
        self.n_iter_ = 0
        return self


class ShortTextThemes(NMFThemes):
    """:class:`NMFThemes` with co-occurrence smoothing on by default (for very short answers).

    Parameters are those of :class:`NMFThemes`; ``smoothing`` defaults to 2.0 and
    ``n_neighbors`` to 50 (the best setting on the benchmark titles, docs/bench_themes.md).
    """

    def __init__(
        self,
        n_themes: int = 8,
        *,
        smoothing: float = 2.0,
        n_neighbors: int = 50,
        seed_terms: tuple[tuple[int, ...], ...] = (),
        seed_weight: float = 2.0,
        seed_strength: float = 0.2,
        init: str = "nndsvdar",
        max_iter: int = 400,
        tol: float = 1e-4,
        random_state: int | None = 0,
    ) -> None:
        super().__init__(
            n_themes, smoothing=smoothing, n_neighbors=n_neighbors, seed_terms=seed_terms,
            seed_weight=seed_weight, seed_strength=seed_strength, init=init, max_iter=max_iter,
            tol=tol,
            random_state=random_state,
        )  # fmt: skip


class LDAThemes(_NonNegativeSparseInput, TransformerMixin, BaseEstimator):
    """Latent Dirichlet Allocation themes on counts.

    Parameters
    ----------
    n_themes : int
    doc_topic_prior, topic_word_prior : float or None
        Dirichlet priors (``None``: 1 / n_themes, as scikit-learn).
    max_iter : int
        Passes of batch variational Bayes.
    random_state : int

    Attributes
    ----------
    components_ : ndarray (n_themes, n_features)
        Theme × term probabilities (rows sum to 1).
    pseudo_counts_ : ndarray (n_themes, n_features)
        The variational parameters scikit-learn learned (needed to code new answers).
    """

    def __init__(
        self,
        n_themes: int = 8,
        *,
        doc_topic_prior: float | None = None,
        topic_word_prior: float | None = None,
        max_iter: int = 50,
        random_state: int | None = 0,
    ) -> None:
        self.n_themes = n_themes
        self.doc_topic_prior = doc_topic_prior
        self.topic_word_prior = topic_word_prior
        self.max_iter = max_iter
        self.random_state = random_state

    def _lda(self) -> LatentDirichletAllocation:
        return LatentDirichletAllocation(
            n_components=self.n_themes, doc_topic_prior=self.doc_topic_prior,
            topic_word_prior=self.topic_word_prior, learning_method="batch",
            max_iter=self.max_iter, random_state=self.random_state,
        )  # fmt: skip

    def fit(self, X: object, y: object = None) -> LDAThemes:
        """Fit LDA on counts ``X``."""
        X = _nonneg_input(self, X, reset=True)
        self.model_ = self._lda().fit(X)
        self.pseudo_counts_ = self.model_.components_
        self.components_ = self.pseudo_counts_ / self.pseudo_counts_.sum(axis=1, keepdims=True)
        self.n_iter_ = self.model_.n_iter_
        return self

    def represent(self, X: object) -> sp.csr_matrix:
        """Counts normalised per answer (l2), for typicality."""
        check_is_fitted(self)
        return sp.csr_matrix(normalize(_nonneg_input(self, X, reset=False)))

    def transform(self, X: object) -> np.ndarray:
        """Theme proportions of each answer (rows sum to 1; uniform for answers without terms)."""
        check_is_fitted(self)
        return np.asarray(self.model_.transform(_nonneg_input(self, X, reset=False)))

    def state_arrays(self) -> dict[str, np.ndarray]:
        """Learned arrays, for safe persistence."""
        check_is_fitted(self)
        return {"components": self.components_, "pseudo_counts": self.pseudo_counts_}

    def set_state_arrays(self, arrays: dict[str, np.ndarray]) -> LDAThemes:
        """Restore a fitted state from :meth:`state_arrays` (rebuilds scikit-learn's LDA)."""
        counts = np.asarray(arrays["pseudo_counts"], dtype=np.float64)
        lda = self._lda()
        k, n_feat = counts.shape
        lda.components_ = counts
        # What LatentDirichletAllocation.transform reads, recomputed from the pseudo-counts.
        lda.exp_dirichlet_component_ = np.exp(
            psi(counts) - psi(counts.sum(axis=1))[:, np.newaxis]
        )
        lda.doc_topic_prior_ = 1.0 / k if self.doc_topic_prior is None else self.doc_topic_prior
        lda.topic_word_prior_ = (
            1.0 / k if self.topic_word_prior is None else self.topic_word_prior
        )
        lda.n_features_in_ = n_feat
        lda.n_batch_iter_ = 1
        lda.n_iter_ = 0
        lda.bound_ = 0.0
        self.model_ = lda
        self.pseudo_counts_ = counts
        self.components_ = np.asarray(arrays["components"], dtype=np.float64)
        self.n_features_in_ = n_feat
        self.n_iter_ = 0
        return self


def make_model(
    method: str,
    n_themes: int,
    *,
    random_state: int | None,
    seed_terms: tuple[tuple[int, ...], ...] = (),
    max_iter: int | None = None,
    init: str = "nndsvdar",
) -> NMFThemes | LDAThemes | SemanticThemes:
    """Build the estimator of ``method`` (``short``, ``nmf``, ``lda``, ``semantic``).

    Raises
    ------
    ValueError
        If ``method`` is unknown or seeds are asked of LDA (callers turn this into OptionError).
    """
    if method in ("short", "nmf"):
        cls = ShortTextThemes if method == "short" else NMFThemes
        model = cls(n_themes, seed_terms=seed_terms, init=init, random_state=random_state)
    elif method == "lda":
        if seed_terms:
            raise ValueError("seeded themes need method 'short' or 'nmf', not 'lda'")
        model = LDAThemes(n_themes, random_state=random_state)
    elif method == "semantic":
        model = SemanticThemes(n_themes, seed_terms=seed_terms, random_state=random_state)
    else:
        raise ValueError(f"unknown method {method!r}")
    if max_iter is not None:
        model.set_params(max_iter=max_iter)
    return model


def graph_neighbors(n_neighbors: int, n_answers: int) -> int:
    """Neighbours per answer in the graph: at most a quarter of the answers (small corpora)."""
    return max(2, min(n_neighbors, n_answers // 4))


def neighbour_graph(Z: np.ndarray, n_neighbors: int) -> sp.csr_matrix:
    """Symmetric binary graph linking each answer to its ``n_neighbors`` nearest answers.

    Returns
    -------
    sparse matrix (n_answers, n_answers)
    """
    from sklearn.neighbors import kneighbors_graph

    G = kneighbors_graph(Z, n_neighbors, include_self=False)
    G = sp.csr_matrix(G.maximum(G.T))
    G.data[:] = 1.0
    return G


def spectral_coordinates(
    Z: np.ndarray, n_neighbors: int, dims: int, random_state: int | None
) -> np.ndarray:
    """Laplacian eigenmap of the answers' neighbour graph (rows of ``Z`` are unit vectors).

    The graph links each answer to its ``n_neighbors`` nearest answers (euclidean distance
    between unit vectors ranks as cosine), made symmetric and binary. As UMAP does in BERTopic,
    clustering these coordinates follows the answers' neighbourhoods rather than one global
    metric (Belkin & Niyogi 2003; spectral clustering: Ng, Jordan & Weiss 2001).

    Returns
    -------
    ndarray (n_answers, dims)
    """
    return graph_coordinates(neighbour_graph(Z, n_neighbors), dims, random_state)


def graph_coordinates(G: sp.csr_matrix, dims: int, random_state: int | None) -> np.ndarray:
    """Laplacian eigenmap of a neighbour graph ``G`` (:func:`neighbour_graph`), shape
    (n_answers, dims): :func:`spectral_coordinates` when the graph is needed again."""
    from sklearn.manifold import SpectralEmbedding

    with warnings.catch_warnings():
        # "Graph is not fully connected": the eigenmap is still defined per component.
        warnings.simplefilter("ignore", UserWarning)
        return SpectralEmbedding(
            n_components=dims, affinity="precomputed", random_state=random_state
        ).fit_transform(G)


#: UMAP settings of the semantic model's layout: BERTopic's (5 dimensions, 15 neighbours,
#: cosine, ``min_dist`` 0: points packed in their clusters, Grootendorst 2022).
UMAP_DIMS, UMAP_NEIGHBORS = 5, 15
#: Below this many answers umap-learn finds the neighbours exactly (from all distances).
UMAP_EXACT_BELOW = 4096


def umap_coordinates(E: np.ndarray, n_neighbors: int, dims: int, random_state: int | None,
                     n_epochs: int | None = None) -> np.ndarray:
    """UMAP layout of the answers' sentence embeddings, shape (n_answers, dims).

    The fuzzy neighbour graph of the embeddings (cosine) laid out by attraction along its
    edges and repulsion of random pairs, started from its spectral embedding (McInnes, Healy &
    Melville 2018, umap-learn). Its clusters are tighter than the eigenmap's, so k-means finds
    them (issue 14: AN titles ARI 0.411 -> 0.470, docs/bench_themes.md). With a seed the layout is
    reproducible and runs on one thread.

    Raises
    ------
    ValueError
        If there are fewer than ``dims + 2`` answers (``umap-learn``'s spectral start needs
        them).
    """
    import umap

    if E.shape[0] < dims + 2:
        raise ValueError(f"{E.shape[0]} answers are too few for a {dims}-d UMAP layout")
    X, metric = E, "cosine"
    if E.shape[0] < UMAP_EXACT_BELOW:
        # umap-learn computes the exact distances of small data pair by pair in Python (20 s
        # of the 22 s for 4,000 answers); the same cosine distances as one matrix product
        U = normalize(np.asarray(E, dtype=np.float64))
        X, metric = np.clip(1.0 - U @ U.T, 0.0, 2.0), "precomputed"
        np.fill_diagonal(X, 0.0)
    with warnings.catch_warnings():
        # "n_jobs value 1 overridden to 1 by setting random_state": expected with a seed.
        warnings.simplefilter("ignore", UserWarning)
        return umap.UMAP(n_components=dims, n_neighbors=n_neighbors, min_dist=0.0,
                         metric=metric, n_epochs=n_epochs,
                         random_state=random_state).fit_transform(X)


def seeded_starts(Z: np.ndarray, low: np.ndarray, A: np.ndarray, free_centres: np.ndarray,
                  labels: np.ndarray | None = None, min_labelled: int = 3) -> np.ndarray:
    """Starting centres of seeded k-means in the coordinates ``low`` of the answers ``Z``.

    Seeded theme j starts at the mean of ``low`` over its seed-labelled answers (``labels ==
    j``) when there are at least ``min_labelled`` of them (Basu, Banerjee & Mooney 2002), else
    over the answers whose cosine to anchor j (row j of ``A``, joined space) is among the
    highest (``max(3, n / (4 k))`` answers; the out-of-sample point of a Laplacian eigenmap is
    the mean of its neighbours' coordinates). The free themes start at the centres of an
    unseeded k-means (``free_centres``, k rows) left over once each seeded start has taken its
    nearest one (Hungarian matching).

    Returns
    -------
    ndarray (k, low.shape[1])
        Seeded starts first, in anchor order.
    """
    from scipy.optimize import linear_sum_assignment

    k = free_centres.shape[0]
    m = max(3, Z.shape[0] // (4 * k))
    S = Z @ A.T
    starts = []
    for j in range(A.shape[0]):
        rows = np.flatnonzero(labels == j) if labels is not None else np.array([], int)
        if len(rows) < min_labelled:
            rows = np.argsort(-S[:, j], kind="stable")[:m]
        starts.append(low[rows].mean(axis=0))
    starts = np.vstack(starts)
    cost = np.linalg.norm(starts[:, None, :] - free_centres[None, :, :], axis=2)
    _, taken = linear_sum_assignment(cost)
    left = [c for c in range(k) if c not in set(taken.tolist())]
    return np.vstack([starts, free_centres[left]])


def seed_labelled(X: sp.csr_matrix, seed_terms: tuple[tuple[int, ...], ...]) -> np.ndarray:
    """Seeded theme of each answer that writes seed terms of one theme only, else -1.

    Only the seed terms of a single codebook entry count (a term shared by entries says
    nothing about which one); an answer goes to the entry of which it writes the most such
    terms, and a tie, or none, leaves it unlabelled.

    Parameters
    ----------
    X : sparse matrix (n_answers, n_features)
        Term counts.
    seed_terms : tuple of tuple of int
        Seed columns of each seeded theme.

    Returns
    -------
    ndarray of int (n_answers,)
    """
    from collections import Counter

    X = sp.csr_matrix(X)
    n = X.shape[0]
    if not seed_terms or n == 0:
        return np.full(n, -1, dtype=np.int64)
    entries = Counter(c for cols in seed_terms for c in set(cols))
    S = np.zeros((n, len(seed_terms)))
    for j, cols in enumerate(seed_terms):
        own = sorted(c for c in set(cols) if entries[c] == 1)
        if own:
            S[:, j] = np.asarray((X[:, own] > 0).sum(axis=1)).ravel()
    labels = S.argmax(axis=1).astype(np.int64)
    top = S.max(axis=1)
    second = np.sort(S, axis=1)[:, -2] if S.shape[1] > 1 else np.zeros(n)
    labels[(top == 0) | (second == top)] = -1
    return labels


def spread_seed_labels(G: sp.csr_matrix, labels: np.ndarray, n_seeded: int, *,
                       alpha: float, keep: float, n_iter: int = 50) -> np.ndarray:
    """Seed labels spread over the answers' neighbour graph to their closest unlabelled answers.

    Label spreading (Zhou, Bousquet, Lal, Weston & Schölkopf 2004; label propagation: Zhu &
    Ghahramani 2002): ``F <- alpha S F + (1 - alpha) Y`` with ``S = D^-1/2 G D^-1/2``, ``Y`` the
    one-hot seed labels. An unlabelled answer reached by the spreading takes its strongest
    theme when its share ``max F / sum F`` is among the highest ``keep`` of those reached
    (equal shares: the strongest ``max F`` first):
    a tag name is written by few answers, and the answers around them carry the same theme.
    Not scikit-learn's ``LabelSpreading``: it builds its own k-nearest-neighbour graph from the
    features (not the model's symmetric graph) and returns normalised distributions, in which
    the reach (``sum F``: 0 for an answer the spreading never got to) is lost.

    Parameters
    ----------
    G : sparse matrix (n_answers, n_answers)
        Symmetric neighbour graph (:func:`neighbour_graph`).
    labels : ndarray of int (n_answers,)
        Seed labels (:func:`seed_labelled`; -1: none).
    n_seeded : int
        Number of seeded themes.
    alpha : float
        Weight of the neighbours against the seed labels (0 < alpha < 1).
    keep : float
        Share of the reached unlabelled answers that take a label.
    n_iter : int
        Iterations of the spreading.

    Returns
    -------
    ndarray of int (n_answers,)
        The labels, the seed-labelled answers unchanged.
    """
    n = G.shape[0]
    known = labels >= 0
    if not known.any() or keep <= 0:
        return labels
    degree = np.asarray(G.sum(axis=1)).ravel()
    half = sp.diags(1.0 / np.sqrt(np.maximum(degree, 1.0)))
    S = sp.csr_matrix(half @ G @ half)
    Y = np.zeros((n, n_seeded))
    Y[np.flatnonzero(known), labels[known]] = 1.0
    F = Y.copy()
    for _ in range(n_iter):
        F = alpha * (S @ F) + (1.0 - alpha) * Y
    total = F.sum(axis=1)
    reached = ~known & (total > 0)
    out = labels.copy()
    if reached.any():
        share = F.max(axis=1) / np.where(total > 0, total, 1.0)
        rows = np.flatnonzero(reached)
        # by share, then by strength: with one seeded theme every share is 1, and the
        # answers nearest the labelled ones must still come first
        order = np.lexsort((-F[rows].max(axis=1), -share[rows]))
        take = rows[order[: int(np.ceil(keep * len(rows)))]]
        out[take] = F[take].argmax(axis=1)
    return out


def constrained_kmeans(low: np.ndarray, init: np.ndarray, labels: np.ndarray,
                       max_iter: int) -> tuple[np.ndarray, int]:
    """K-means from ``init`` in which the labelled answers keep their theme.

    Constrained k-means (Basu, Banerjee & Mooney 2002, "Semi-supervised clustering by
    seeding"): each iteration assigns the unlabelled answers to their nearest centre and the
    labelled ones (``labels >= 0``) to their own, then moves each centre to its answers' mean.

    Returns
    -------
    tuple of (ndarray of int (n_answers,), int)
        Theme of each answer and the iterations run.
    """
    C = np.array(init, dtype=np.float64)
    fixed = labels >= 0
    assign = np.zeros(low.shape[0], dtype=np.int64)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        d = ((low[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)
        assign = d.argmin(axis=1)
        assign[fixed] = labels[fixed]
        moved = np.vstack([low[assign == j].mean(axis=0) if (assign == j).any() else C[j]
                           for j in range(C.shape[0])])
        if np.allclose(moved, C):
            break
        C = moved
    return assign, n_iter


class EmbeddingRows:
    """Per-answer sentence embeddings held as distinct vectors and an index (issue 19).

    Behaves as the ``(len(index), d)`` array ``vectors[index]`` for what the semantic model
    does with embeddings (``shape``, ``len``, slices and row indices, which return arrays),
    without holding one copy per answer: a resampled consultation of 1M answers has ~56k
    distinct texts (2 GiB of float32 per-answer rows at 512 dimensions, 0.1 GiB distinct).
    ``np.asarray`` gives the full array (kept correct for any other use).

    Parameters
    ----------
    vectors : ndarray (n_distinct, d)
        One row per distinct text.
    index : ndarray of int (n_answers,)
        Each answer's row in ``vectors``.
    """

    ndim = 2

    def __init__(self, vectors: np.ndarray, index: np.ndarray) -> None:
        self.vectors = np.asarray(vectors)
        self.index = np.asarray(index, dtype=np.int64)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.index), int(self.vectors.shape[1]))

    @property
    def dtype(self) -> np.dtype:
        return self.vectors.dtype

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, rows: object) -> np.ndarray:
        return self.vectors[self.index[rows]]

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        out = self.vectors[self.index]
        return out if dtype is None else out.astype(dtype)


#: Rows of the joined space computed at a time (:meth:`SemanticThemes.joined`).
JOINED_BLOCK_ROWS = 8192


class JoinedRows:
    """Answers' vectors in the semantic model's joined space, held once per distinct answer.

    A consultation repeats answers (campaigns, resampling: 1M answers, ~56k distinct texts);
    equal answers have equal joined vectors, so they are computed and kept once, with each
    answer's row among them (issue 19: the per-answer float64 matrix was 4.6 GiB at 1M
    answers, and the catch-all split held a second copy of a theme's rows). Means over answers
    are means over the distinct rows weighted by their answers.

    Parameters
    ----------
    Xt : sparse matrix (n_distinct, n_features)
        The distinct answers' smoothed TF-IDF rows (the lexical side before the SVD).
    Z : ndarray (n_distinct, n_dims)
        Their joined vectors (:meth:`SemanticThemes.joined`).
    index : ndarray of int (n_answers,)
        Each answer's row in ``Z``.
    """

    def __init__(self, Xt: sp.csr_matrix, Z: np.ndarray, index: np.ndarray) -> None:
        self.Xt, self.Z, self.index = Xt, Z, np.asarray(index, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.index)

    def take(self, rows: np.ndarray) -> JoinedRows:
        """The answers ``rows`` (positions or a mask), sharing the distinct rows (no copy)."""
        return JoinedRows(self.Xt, self.Z, self.index[rows])

    def rows(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """The joined vectors of the answers ``rows``, one row per answer (a copy)."""
        return self.Z[self.index[rows]]

    def counts(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """How many of the answers ``rows`` each distinct row stands for."""
        return np.bincount(self.index[rows], minlength=self.Z.shape[0]).astype(np.float64)

    def mean(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Mean joined vector of the answers ``rows`` (weighted by repeats)."""
        w = self.counts(rows)
        return (w @ self.Z) / w.sum()

    def nearest(self, centroids: np.ndarray) -> np.ndarray:
        """Each answer's most similar centroid (largest cosine for unit rows)."""
        return np.asarray(self.Z @ centroids.T).argmax(axis=1)[self.index]


def _distinct_answers(
    X: sp.csr_matrix, embeddings: np.ndarray
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Distinct answers' counts and embeddings, and each answer's row among them.

    Answers sharing an :class:`EmbeddingRows` row (one per distinct text) are one distinct
    answer when their counts are equal too, which is checked, not assumed; plain arrays are
    kept one row per answer.

    Returns
    -------
    tuple of (sparse matrix (n_distinct, n_features), ndarray (n_distinct, d),
    ndarray of int (n_answers,))
    """
    n = X.shape[0]
    if len(embeddings) != n:
        raise ValueError(f"{len(embeddings)} embeddings for {n} answers; give one per answer.")
    if isinstance(embeddings, EmbeddingRows) and n:
        used, first, index = np.unique(embeddings.index, return_index=True,
                                       return_inverse=True)
        X_u = sp.csr_matrix(X[first])
        if (X_u[index] != X).nnz == 0:
            return X_u, embeddings.vectors[used], index.ravel()
    return X, embeddings, np.arange(n)


class SemanticThemes(_NonNegativeSparseInput, TransformerMixin, BaseEstimator):
    """Themes from sentence embeddings and words together: spherical k-means on both.

    Each answer is described by two unit vectors joined side by side: its sentence embedding
    (semantic evidence: "essence" and "carburant" are close even when no answer uses both) and
    the latent semantic analysis (truncated SVD) of its co-occurrence-smoothed TF-IDF row
    (lexical evidence, as in ``short``). Weighted by ``sqrt(1 - lexical_weight)`` and
    ``sqrt(lexical_weight)`` the joined vector has unit norm. The themes are found by k-means
    on the UMAP layout of the embeddings (``layout``, as BERTopic finds its clusters); each
    theme's centroid is then the mean joined vector of its answers, so that every answer, new
    ones included, goes to the theme it is closest to by a mix of the two cosines. An answer's
    theme weights are a softmax of its cosines to the theme centroids (temperature
    ``temperature``): an answer between two themes carries both under the usual
    relative-threshold rule. Each theme's terms (``components_``) are the mean
    TF-IDF of the answers weighted by their theme weight, so labels, word clouds and
    typicality read words as for the other methods.

    Coding new answers needs their embeddings from the same sentence encoder: the model keeps
    the centroids and the SVD basis (arrays only, see :mod:`textmine.themes.persist`).

    Parameters
    ----------
    n_themes : int
    lexical_weight : float
        Share of the lexical side in the squared distance (0: embeddings only, 1: words only).
    n_lexical_dims : int
        Dimensions of the SVD of the lexical side (capped by the matrix size).
    smoothing, n_neighbors : float, int
        Co-occurrence smoothing of the lexical side (as :class:`ShortTextThemes`).
    temperature : float
        Softmax temperature on cosines (smaller: crisper weights).
    n_graph_neighbors : int
        Neighbours per answer in the graph.
    graph_dims : int or None
        Dimensions of the graph's spectral embedding, where k-means finds the themes
        (``None``: ``max(5, n_themes)``, k eigenvectors as in Ng, Jordan & Weiss 2001 and at
        least BERTopic's 5 UMAP dimensions; ``0``: k-means on the joined vectors directly).
    layout : {"umap", "spectral"}
        Where k-means finds the themes: ``"umap"``, the UMAP layout of the sentence embeddings
        (:func:`umap_coordinates`, BERTopic's settings); ``"spectral"``, the Laplacian eigenmap
        of the joined vectors' neighbour graph (``graph_dims`` dimensions), the layout before
        issue 14's measurement (AN titles ARI 0.411 against 0.470 with UMAP; 7-corpus table in
        docs/bench_themes.md).
    umap_epochs : int or None
        Optimisation epochs of the UMAP layout (``None``: umap-learn's rule, 500 below 10,000
        answers; the partition sample holds at most ``graph_max_docs``).
    graph_max_docs : int
        Larger corpora are partitioned on a seeded random sample of this many answers; every
        answer then goes to its nearest theme centroid. The lexical SVD axes are learned on at
        most three times as many answers.
    embedding_model : str
        Name of the sentence encoder whose embeddings the model takes (recorded so that new
        answers are embedded by the same one; see :mod:`textmine.text.embeddings`).
    center_embeddings : bool
        Subtract the fitted answers' mean embedding before the cosines (off: on the 7-corpus
        benchmark it raised mean ARI but cost INED K1 0.04 NMI, below plain NMF;
        docs/benchmarks.md).
    seed_terms : tuple of tuple of int
        Seed columns of the seeded themes (a codebook), which come first; with ``anchors``
        given to :meth:`fit` the themes are seeded semantic themes.
    anchor_weight : float
        Weight of a seeded theme's anchor (unit vector) added to the mean of its answers (unit
        vector) in its centroid.
    min_seed_labelled : int
        Seed-labelled answers (writing seed terms of one seeded theme only) a seeded theme
        needs for them to keep it during the k-means; below, its anchor alone leads it.
    seed_spread : float
        Label spreading weight ``alpha`` of the seed labels over the neighbour graph (0: not
        spread; :func:`spread_seed_labels`).
    seed_spread_keep : float
        Share of the answers reached by the spreading that take a seed label.
    n_init, max_iter : int
        k-means restarts and iterations.
    random_state : int

    Attributes
    ----------
    components_ : ndarray (n_themes, n_features)
        Theme × term weights (rows of unit l2 norm).
    centroids_ : ndarray (n_themes, n_dims_embedding + n_lexical_dims)
        Unit-norm theme centroids in the joined space.
    svd_components_ : ndarray (n_lexical_dims, n_features)
    embedding_mean_ : ndarray (n_dims_embedding,)
        Mean subtracted from the embeddings (zeros unless ``center_embeddings``).
    idf_, term_weights_, smoothing_matrix_ :
        The lexical weighting (as :class:`NMFThemes`).

    References
    ----------
    Dhillon & Modha (2001), "Concept decompositions for large sparse text data using
    clustering" (spherical k-means); Grootendorst (2022), BERTopic (clusters of embeddings
    described by class-based TF-IDF).
    McInnes, Healy & Melville (2018), "UMAP: Uniform Manifold Approximation and
    Projection for Dimension Reduction" (the layout, umap-learn).
    """

    needs_embeddings = True

    def __init__(
        self,
        n_themes: int = 8,
        *,
        lexical_weight: float = 0.3,
        n_lexical_dims: int = 100,
        smoothing: float = 2.0,
        n_neighbors: int = 50,
        temperature: float = 0.05,
        n_graph_neighbors: int = 30,
        graph_dims: int | None = None,
        graph_max_docs: int = 4000,
        layout: str = "umap",
        umap_epochs: int | None = None,
        n_init: int = 10,
        max_iter: int = 300,
        embedding_model: str = "use-multilingual-v3",
        center_embeddings: bool = False,
        seed_terms: tuple[tuple[int, ...], ...] = (),
        anchor_weight: float = 1.0,
        min_seed_labelled: int = 3,
        seed_spread: float = 0.9,
        seed_spread_keep: float = 0.25,
        random_state: int | None = 0,
    ) -> None:
        self.n_themes = n_themes
        self.center_embeddings = center_embeddings
        self.seed_terms = seed_terms
        self.anchor_weight = anchor_weight
        self.min_seed_labelled = min_seed_labelled
        self.seed_spread = seed_spread
        self.seed_spread_keep = seed_spread_keep
        self.embedding_model = embedding_model
        self.n_graph_neighbors = n_graph_neighbors
        self.graph_dims = graph_dims
        self.graph_max_docs = graph_max_docs
        self.layout = layout
        self.umap_epochs = umap_epochs
        self.lexical_weight = lexical_weight
        self.n_lexical_dims = n_lexical_dims
        self.smoothing = smoothing
        self.n_neighbors = n_neighbors
        self.temperature = temperature
        self.n_init = n_init
        self.max_iter = max_iter
        self.random_state = random_state

    def _lexical(self) -> NMFThemes:
        lex = NMFThemes(1, smoothing=self.smoothing, n_neighbors=self.n_neighbors)
        lex.idf_, lex.term_weights_ = self.idf_, self.term_weights_
        lex.smoothing_matrix_ = self.smoothing_matrix_
        return lex

    def _represent(self, X: sp.csr_matrix) -> sp.csr_matrix:
        return self._lexical()._represent(X)

    def _semantic_side(self, embeddings: np.ndarray) -> np.ndarray:
        E = normalize(np.asarray(embeddings, dtype=np.float64))
        # Centred on the fitted answers' mean (zero when not centring): sentence embeddings share
        # a common direction (all answers to one question are "about" it), which inflates every
        # cosine and hides the differences between answers (Mu & Viswanath 2018, "All-but-the-
        # top"; Ethayarajh 2019 on anisotropy).
        if not self.embedding_mean_.any():
            return E  # uncentred: no second copy of a large corpus's embeddings (memory)
        return normalize(E - self.embedding_mean_)

    def joined(self, Xt: sp.csr_matrix, embeddings: np.ndarray) -> np.ndarray:
        """The answers' joined unit vectors: semantic side, then lexical side.

        Returns
        -------
        ndarray (n_answers, n_dims_embedding + n_lexical_dims)
        """
        if not isinstance(embeddings, EmbeddingRows):
            embeddings = np.asarray(embeddings)
        if embeddings.shape[0] != Xt.shape[0]:
            raise ValueError(
                f"{embeddings.shape[0]} embeddings for {Xt.shape[0]} answers; "
                "give one per answer."
            )
        # Built block of rows by block of rows into one array (issue 19, memory at 1M
        # answers): every step is row by row (unit rows, a sparse row times the SVD basis, a
        # scale), so the blocks equal the one-piece computation bit for bit, without its
        # float64 copies of every answer's embedding (4 GiB each at 1M answers).
        n = Xt.shape[0]
        d = embeddings.shape[1]
        Z = np.empty((n, d + self.svd_components_.shape[0]), dtype=np.float64)
        w = float(self.lexical_weight)
        for start in range(0, n, JOINED_BLOCK_ROWS):
            stop = min(start + JOINED_BLOCK_ROWS, n)
            E = self._semantic_side(embeddings[start:stop])
            L = normalize(np.asarray(Xt[start:stop] @ self.svd_components_.T))
            np.multiply(np.sqrt(1.0 - w), E, out=Z[start:stop, :d])
            np.multiply(np.sqrt(w), L, out=Z[start:stop, d:])
        return Z

    def _anchors(self, anchors: np.ndarray | None, n_features: int) -> np.ndarray | None:
        """Seeded themes' points in the joined space (rows of unit norm), or None.

        The semantic side is the embedding of the codebook entry (its name and seeds, given by
        the caller); the lexical side is the smoothed TF-IDF of the entry's seed terms, as if
        an answer wrote exactly them.
        """
        n_seeded = len(self.seed_terms) if anchors is None else np.asarray(anchors).shape[0]
        if n_seeded == 0:
            return None
        counts = sp.lil_matrix((n_seeded, n_features))
        for j, cols in enumerate(self.seed_terms[:n_seeded]):
            for c in cols:
                counts[j, c] = 1.0
        L = normalize(np.asarray(self._represent(sp.csr_matrix(counts)) @ self.svd_components_.T))
        w = float(self.lexical_weight)
        if anchors is None:
            # Seed terms only: the lexical side carries the whole anchor.
            return normalize(L)
        E = self._semantic_side(anchors)
        return normalize(np.hstack([np.sqrt(1.0 - w) * E, np.sqrt(w) * L]))

    def _soft(self, Z: np.ndarray) -> np.ndarray:
        sim = Z @ self.centroids_.T
        logits = (sim - sim.max(axis=1, keepdims=True)) / self.temperature
        P = np.exp(logits)
        return P / P.sum(axis=1, keepdims=True)

    def _umap_layout(self, Z: np.ndarray) -> np.ndarray | None:
        """UMAP coordinates of the rows of ``Z`` (joined vectors), from their semantic side.

        k-means then runs on them, as in BERTopic; the centroids are taken in the joined space
        (:meth:`fit`). Laid out once per distinct answer, in the order they come (the layout
        depends on it): copies of one short answer ("la nature" x111) would otherwise be each
        other's only neighbours, an island k-means takes for a theme (INED K1 NMI 0.636 ->
        0.688). ``None`` when there are too few distinct answers for a layout.

        Returns
        -------
        ndarray (n_rows, UMAP_DIMS) or None
        """
        E = normalize(Z[:, : self.embedding_mean_.shape[0]])
        _, first, inverse = np.unique(E, axis=0, return_index=True, return_inverse=True)
        if len(first) < UMAP_DIMS + 2:
            return None
        order = np.argsort(first)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        E_u = E[first[order]]
        return umap_coordinates(E_u, graph_neighbors(UMAP_NEIGHBORS, len(E_u)), UMAP_DIMS,
                                self.random_state, self.umap_epochs)[rank[inverse.ravel()]]

    def semantic_closeness(self, embeddings: np.ndarray) -> np.ndarray:
        """Each answer's largest cosine between its embedding and the semantic side of the
        theme centroids.

        Returns
        -------
        ndarray (n_answers,)
        """
        C = normalize(self.centroids_[:, : self.embedding_mean_.shape[0]])
        # block by block: no float64 copy of a large survey's embeddings (memory)
        return np.concatenate([np.zeros(0)] + [
            (self._semantic_side(embeddings[i:i + JOINED_BLOCK_ROWS]) @ C.T).max(axis=1)
            for i in range(0, len(embeddings), JOINED_BLOCK_ROWS)])

    def _partition(self, J: JoinedRows, A: np.ndarray | None = None,
                   seed_labels: np.ndarray | None = None) -> np.ndarray:
        """Theme of each answer: k-means on the layout (``layout``: UMAP of the embeddings, or
        the spectral coordinates of the neighbour graph), on a sample.

        With anchors ``A`` (seeded themes, rows in the joined space) k-means is run again from
        starts given by them (seeded k-means, Basu, Banerjee & Mooney 2002; see
        :func:`seeded_starts`): seeded themes come first. With ``seed_labels`` too (each
        answer's seeded theme from the seed terms it writes, -1: none; :func:`seed_labelled`)
        the labels are first spread to the closest answers on the graph
        (:func:`spread_seed_labels`) and the k-means is constrained: labelled answers keep
        their theme (constrained k-means, :func:`constrained_kmeans`) when the theme has at
        least ``min_seed_labelled`` of them.
        """
        from sklearn.cluster import KMeans

        n = len(J)
        rng = np.random.default_rng(self.random_state)
        sample = (np.arange(n) if n <= self.graph_max_docs
                  else np.sort(rng.choice(n, self.graph_max_docs, replace=False)))
        Zs = J.rows(sample)
        n_neighbors = graph_neighbors(self.n_graph_neighbors, len(sample))
        dims = max(5, self.n_themes) if self.graph_dims is None else int(self.graph_dims)
        use_graph = n_neighbors >= 2 and len(sample) > dims + 2 and dims > 0
        use_umap = use_graph and self.layout == "umap" and self.lexical_weight < 1
        spread = A is not None and seed_labels is not None and self.seed_spread > 0
        # the graph is built once: seeded themes spread their labels over it below
        G = neighbour_graph(Zs, n_neighbors) if use_graph and (spread or not use_umap) else None
        low = self._umap_layout(Zs) if use_umap else None
        if low is None:
            low = graph_coordinates(G, dims, self.random_state) if G is not None else Zs
        km = KMeans(n_clusters=self.n_themes, n_init=self.n_init, max_iter=self.max_iter,
                    random_state=self.random_state)
        sample_labels = km.fit_predict(low)
        self.n_iter_ = int(km.n_iter_)
        if A is not None and seed_labels is not None and (seed_labels >= 0).any():
            # Seed-labelled answers (tag names written) keep their theme: on tag-name codebooks
            # (5 seeds; AN titles 8 rubriques / République numérique 11 sections) seeded starts
            # alone gained +0.022 / +0.001 NMI over unseeded, this +0.033 / +0.030 (spreading
            # keep 0.25, best mean; 0.2: +0.032 / +0.029; 0.3: +0.028 / +0.031; no spreading:
            # +0.034 / +0.014). Checked on two corpora it was not chosen on (2026-12-01, 5
            # seeds): AN full questions -0.004 (seeded starts alone -0.019), RUA arguments by
            # section +0.031 (-0.026); the demo's seeded F1 with semantic 0.456 -> 0.649.
            labels = np.asarray(seed_labels)[sample]
            if G is not None and self.seed_spread > 0:
                labels = spread_seed_labels(G, labels, A.shape[0], alpha=self.seed_spread,
                                            keep=self.seed_spread_keep)
            counts = np.bincount(labels[labels >= 0], minlength=A.shape[0])
            # a theme with too few labelled answers is led by its anchor alone
            labels = np.where((labels >= 0) & (counts[np.maximum(labels, 0)]
                                               >= self.min_seed_labelled), labels, -1)
            init = seeded_starts(Zs, low, A, km.cluster_centers_, labels,
                                 self.min_seed_labelled)
            sample_labels, self.n_iter_ = constrained_kmeans(low, init, labels, self.max_iter)
        elif A is not None:
            km = KMeans(n_clusters=self.n_themes, n_init=1, max_iter=self.max_iter,
                        init=seeded_starts(Zs, low, A, km.cluster_centers_),
                        random_state=self.random_state)
            sample_labels = km.fit_predict(low)
            self.n_iter_ = int(km.n_iter_)
        if len(sample) == n:
            return sample_labels
        C = normalize(np.vstack([Zs[sample_labels == j].mean(axis=0) for j in
                                 range(self.n_themes)]))
        return J.nearest(C)

    def fit(self, X: object, y: object = None, *, embeddings: np.ndarray,
            anchors: np.ndarray | None = None) -> SemanticThemes:
        """Learn the lexical weighting, the SVD basis and the centroids.

        Parameters
        ----------
        X : sparse matrix (n_answers, n_features)
            Term counts.
        embeddings : ndarray (n_answers, n_dims)
            Sentence embeddings of the same answers, in the same order.
        anchors : ndarray (n_seeded, n_dims), optional
            Sentence embeddings of the codebook entries (name and seeds) of the seeded themes,
            which come first; with ``seed_terms`` alone the anchors are lexical only.

        Raises
        ------
        ValueError
            If the embeddings do not have one row per answer, or there are more seeded themes
            than themes.
        """
        from sklearn.decomposition import TruncatedSVD

        X = _nonneg_input(self, X, reset=True)
        n_feat = X.shape[1]
        self.idf_ = _learn_idf(X)
        self.term_weights_ = np.ones(n_feat)
        self.smoothing_matrix_ = (
            _cooccurrence_neighbors(X, self.n_neighbors)
            if self.smoothing > 0
            else sp.csr_matrix((n_feat, n_feat), dtype=np.float64)
        )
        # Equal answers are represented and joined once (issue 19: memory at 1M answers).
        X_u, E_u, index = _distinct_answers(X, embeddings)
        Xt = self._represent(X_u)
        n_dims = max(1, min(self.n_lexical_dims, min(len(index), n_feat) - 1))
        svd = TruncatedSVD(n_components=n_dims, algorithm="randomized",
                           random_state=self.random_state)
        # The lexical axes are learned on a seeded sample of large corpora (speed: the SVD of
        # 67k smoothed rows took most of the fit); corpora up to graph_max_docs * 3 use all rows.
        n_rows = len(index)
        limit = 3 * self.graph_max_docs
        rows = (np.arange(n_rows) if n_rows <= limit else np.sort(
            np.random.default_rng(self.random_state).choice(n_rows, limit, replace=False)))
        svd.fit(Xt[index[rows]])
        self.svd_components_ = svd.components_
        if self.center_embeddings and len(index):
            self.embedding_mean_ = np.average(normalize(np.asarray(E_u, dtype=np.float64)),
                                              axis=0, weights=np.bincount(index))
        else:
            # the width only: no float64 copy of the embeddings (memory)
            self.embedding_mean_ = np.zeros(np.shape(E_u)[1])
        J = JoinedRows(Xt, self.joined(Xt, E_u), index)
        A = self._anchors(anchors, n_feat) if (anchors is not None or self.seed_terms) else None
        if A is not None and A.shape[0] > self.n_themes:
            raise ValueError(f"{A.shape[0]} seeded themes for {self.n_themes} themes.")
        # each answer's seeded theme from the seed terms it writes (-1: none)
        seed_labels = (seed_labelled(X_u, self.seed_terms[: A.shape[0]])[index]
                       if A is not None and self.seed_terms else None)
        labels = self._partition(J, A, seed_labels)
        # Centroids in the joined space code every answer, new ones included.
        C = np.vstack([J.mean(labels == j) if (labels == j).any() else J.rows(j)
                       for j in range(self.n_themes)])
        if A is not None:
            # A seeded theme keeps its anchor in its centroid (weight ``anchor_weight`` against
            # the mean of its answers): the codebook entry stays the prior of its theme.
            C[: A.shape[0]] = normalize(C[: A.shape[0]]) + self.anchor_weight * A
        self._set_centroids(C, J)
        return self

    def _set_centroids(self, C: np.ndarray, J: JoinedRows) -> None:
        self.centroids_ = normalize(C)
        # each distinct answer's weights counted as many times as it was given
        W = self._soft(J.Z) * J.counts()[:, None]
        H = np.asarray(sp.csr_matrix(J.Xt).T @ W).T
        H = np.maximum(H, 0.0)
        norms = np.linalg.norm(H, axis=1, keepdims=True)
        self.components_ = H / np.where(norms > 0, norms, 1.0)

    def subpartition(self, J: JoinedRows, n_parts: int,
                     random_state: int | None) -> np.ndarray:
        """Partition some answers' joined vectors by the model's own rule (graph + k-means).

        Used to split a catch-all theme (:mod:`textmine.themes.catchall`): its answers are
        re-clustered with the same features and graph settings.

        Parameters
        ----------
        J : JoinedRows
            Joined vectors (:meth:`joined_rows`) of the answers to partition (n_rows).
        n_parts : int
            Parts wanted.
        random_state : int or None

        Returns
        -------
        ndarray of int (n_rows,)
            Part of each row, in ``0 .. n_parts - 1``.
        """
        from sklearn.base import clone

        return clone(self).set_params(n_themes=n_parts, random_state=random_state,
                                      graph_dims=0)._partition(J)

    def set_centroids(self, centroids: np.ndarray, X: object, *,
                      embeddings: np.ndarray,
                      joined: JoinedRows | None = None) -> SemanticThemes:
        """Replace the theme centroids (themes split or added) and recompute the terms.

        Parameters
        ----------
        centroids : ndarray (n_themes, n_dims)
            New centroids in the joined space (normalised here); ``n_themes`` follows.
        X : sparse matrix (n_answers, n_features)
            Term counts of the answers the model was fitted on.
        embeddings : ndarray (n_answers, n_dims_embedding)
            Their sentence embeddings.
        joined : JoinedRows, optional
            ``self.joined_rows(X, embeddings)`` when the caller already holds it (not built a
            second time: memory).
        """
        check_is_fitted(self)
        J = self.joined_rows(X, embeddings) if joined is None else joined
        self.set_params(n_themes=int(np.asarray(centroids).shape[0]))
        self._set_centroids(np.asarray(centroids, dtype=np.float64), J)
        return self

    def joined_rows(self, X: object, embeddings: np.ndarray) -> JoinedRows:
        """The answers' joined vectors, computed once per distinct answer.

        Parameters
        ----------
        X : sparse matrix (n_answers, n_features)
            Term counts.
        embeddings : ndarray or EmbeddingRows (n_answers, n_dims_embedding)
            Their sentence embeddings; with :class:`EmbeddingRows`, answers sharing an
            embedding row and a row of counts are one distinct answer.

        Returns
        -------
        JoinedRows
        """
        check_is_fitted(self)
        X_u, E_u, index = _distinct_answers(_nonneg_input(self, X, reset=False), embeddings)
        Xt = self._represent(X_u)
        return JoinedRows(Xt, self.joined(Xt, E_u), index)

    def represent(self, X: object) -> sp.csr_matrix:
        """The smoothed TF-IDF rows (unit norm) of the lexical side."""
        check_is_fitted(self)
        return self._represent(_nonneg_input(self, X, reset=False))

    def transform(self, X: object, *, embeddings: np.ndarray) -> np.ndarray:
        """Theme weights of each answer (softmax of cosines to the centroids; rows sum to 1)."""
        J = self.joined_rows(X, embeddings)
        return self._soft(J.Z)[J.index]

    def state_arrays(self) -> dict[str, np.ndarray]:
        """Learned arrays, for safe persistence (see :mod:`textmine.themes.persist`)."""
        check_is_fitted(self)
        S = self.smoothing_matrix_
        # Centroids and SVD axes have signs; persistence stores non-negative arrays only, so
        # they are saved as positive and negative parts.
        return {
            "components": self.components_,
            "idf": self.idf_,
            "term_weights": self.term_weights_,
            "smoothing_data": S.data,
            "smoothing_indices": S.indices.astype(np.int64),
            "smoothing_indptr": S.indptr.astype(np.int64),
            "centroids_pos": np.maximum(self.centroids_, 0.0),
            "centroids_neg": np.maximum(-self.centroids_, 0.0),
            "svd_pos": np.maximum(self.svd_components_, 0.0),
            "svd_neg": np.maximum(-self.svd_components_, 0.0),
            "embedding_mean_pos": np.maximum(self.embedding_mean_, 0.0),
            "embedding_mean_neg": np.maximum(-self.embedding_mean_, 0.0),
        }

    def set_state_arrays(self, arrays: dict[str, np.ndarray]) -> SemanticThemes:
        """Restore learned arrays saved by :meth:`state_arrays` (no fitting)."""
        H = np.asarray(arrays["components"], dtype=np.float64)
        n_feat = H.shape[1]
        self.components_ = H
        self.idf_ = np.asarray(arrays["idf"], dtype=np.float64)
        self.term_weights_ = np.asarray(arrays["term_weights"], dtype=np.float64)
        self.smoothing_matrix_ = sp.csr_matrix(
            (arrays["smoothing_data"], arrays["smoothing_indices"], arrays["smoothing_indptr"]),
            shape=(n_feat, n_feat),
        )
        self.centroids_ = (np.asarray(arrays["centroids_pos"], dtype=np.float64)
                           - np.asarray(arrays["centroids_neg"], dtype=np.float64))
        self.svd_components_ = (np.asarray(arrays["svd_pos"], dtype=np.float64)
                                - np.asarray(arrays["svd_neg"], dtype=np.float64))
        n_emb = self.centroids_.shape[1] - self.svd_components_.shape[0]
        # Models saved before centring (no mean saved) coded answers uncentred: a zero mean.
        self.embedding_mean_ = (
            np.asarray(arrays["embedding_mean_pos"], dtype=np.float64)
            - np.asarray(arrays["embedding_mean_neg"], dtype=np.float64)
            if "embedding_mean_pos" in arrays else np.zeros(n_emb))
        self.n_features_in_ = n_feat
        self.n_iter_ = 0
        return self
