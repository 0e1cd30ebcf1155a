"""Choosing the number of themes k: stability across resamples, relative to structure-free data.

For each k in ``k_values`` the model is fitted on pairs of random subsamples of
:data:`SUBSAMPLE` of the answers (``n_seeds`` pairs, seeds ``seed``, ``seed + 1``...), and each
answer the two subsamples share gets its strongest theme in both fits. The scores per k:

``stability``
    mean adjusted Rand index between the two fits' themes on the shared answers (1: the same
    partition whatever the sample; 0: no more agreement than chance);
``stability_null``
    the same on structure-free data: the model's input with each column shuffled over the
    answers (term frequencies and, for embeddings, each dimension's distribution are kept; what
    goes together is destroyed);
``stability_gain``
    ``stability`` minus the straight line fitted through ``stability_null`` over the k tried
    (the null changes smoothly with k; the line removes its resampling noise): the stability
    that the answers' structure explains;
``coherence``
    mean NPMI of the pairs of each theme's ``n_top`` heaviest terms, from answer co-occurrence
    (-1: never together, 0: independent, 1: always together), for reading only;
``exclusivity``
    mean share of each top term's weight that belongs to its own theme, for reading only.

Rule (:data:`K_RULE`): the k with the highest ``stability_gain``; gains within
:data:`GAIN_TIE` of the best go to the smaller k. Plain stability falls with k on any data and
coherence falls with k on short answers (their words rarely co-occur), so maximising either
drifts to the smallest k; the null removes the part of stability any data would show at that k
(the idea of Clest, Dudoit & Fridlyand 2002, Genome Biology 3(7); stability by resampling:
Lange et al. 2004, Neural Computation 16(6)). When the chosen k is the smallest or largest k
tried, :func:`sweep_k` says so (the data may hold fewer or more themes than the range allows).

Speed: the model's input (weighted, smoothed TF-IDF; joined embeddings for ``semantic``) is
computed once; only the factorisation or clustering is repeated, with :data:`SWEEP_MAX_ITER`
iterations; corpora larger than :data:`SWEEP_MAX_DOCS` answers are scored on a seeded random
sample of that size.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import non_negative_factorization
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score

from textmine.themes.models import graph_neighbors, make_model, spectral_coordinates

logger = logging.getLogger(__name__)

#: Share of the answers in each resample.
SUBSAMPLE = 0.8
#: Stability gains this close to the best count as ties (resolved to the smaller k).
GAIN_TIE = 0.01
K_RULE = (
    f"the k whose stability across {SUBSAMPLE:.0%} resamples (adjusted Rand index) most exceeds "
    f"that of the same model on structure-free data (columns shuffled; straight line over k); "
    f"gains within {GAIN_TIE} of the best go to the smaller k"
)
SWEEP_MAX_ITER = 100
#: k-means restarts per fit in the sweep (one restart often stops in a poor local optimum)
SWEEP_N_INIT = 4
#: Resample pairs on the structure-free data per resample pair on the data (its scores vary more).
NULL_PAIRS = 2
#: Larger corpora are scored on a seeded random sample of this many answers (speed).
SWEEP_MAX_DOCS = 2000


def top_indices(components: np.ndarray, n_top: int) -> list[np.ndarray]:
    """Column indices of each theme's ``n_top`` heaviest terms (ties by column)."""
    n = components.shape[1]
    return [np.lexsort((np.arange(n), -row))[:n_top] for row in components]


def npmi_coherence(top: Sequence[np.ndarray], X: sp.csr_matrix) -> float:
    """Mean NPMI of top-term pairs, from answer co-occurrence in ``X`` (counts or 0/1)."""
    B = sp.csc_matrix(X, dtype=np.float64, copy=True)
    B.data[:] = 1.0
    n_docs = max(B.shape[0], 1)
    scores = []
    for idx in top:
        if len(idx) < 2:
            continue
        sub = B[:, idx]
        co = np.asarray((sub.T @ sub).todense())
        p = np.diag(co) / n_docs
        vals = []
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                p_ab = co[a, b] / n_docs
                if p_ab <= 0:
                    vals.append(-1.0)
                elif p_ab >= 1:
                    vals.append(1.0)
                else:
                    vals.append(np.log(p_ab / (p[a] * p[b])) / -np.log(p_ab))
        scores.append(float(np.mean(vals)))
    return float(np.mean(scores)) if scores else 0.0


def exclusivity(components: np.ndarray, n_top: int) -> float:
    """Mean share of each top term's (theme-normalised) weight held by its own theme."""
    comp = np.maximum(components, 0.0)
    beta = comp / np.maximum(comp.sum(axis=1, keepdims=True), 1e-300)
    share = beta / np.maximum(beta.sum(axis=0, keepdims=True), 1e-300)
    tops = top_indices(components, n_top)
    return float(np.mean([share[k, idx].mean() for k, idx in enumerate(tops)]))


def matched_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Mean cosine between the rows of ``a`` and ``b`` after optimal one-to-one matching."""
    an = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-300)
    bn = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-300)
    sim = an @ bn.T
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].mean())


def choose_k(table: pd.DataFrame) -> int:
    """Apply :data:`K_RULE` to a table with columns ``k`` and ``stability_gain``."""
    best = table["stability_gain"].max()
    pool = table[table["stability_gain"] >= best - GAIN_TIE - 1e-12]
    return int(pool["k"].min())


def k_at_edge(table: pd.DataFrame) -> str | None:
    """``"smallest"`` or ``"largest"`` when the chosen k is an end of the range tried, else None."""
    ks = table["k"]
    if len(ks) < 2:
        return None
    chosen = int(table.loc[table["chosen"], "k"].iloc[0])
    if chosen == int(ks.min()):
        return "smallest"
    if chosen == int(ks.max()):
        return "largest"
    return None


def _null_sparse(Xt: sp.csr_matrix, rng: np.random.Generator) -> sp.csr_matrix:
    """Each column's non-zero values moved to random answers (column sums kept)."""
    C = sp.csc_matrix(Xt, copy=True)
    n = C.shape[0]
    for j in range(C.shape[1]):
        start, end = C.indptr[j], C.indptr[j + 1]
        if end > start:
            C.indices[start:end] = np.sort(rng.choice(n, end - start, replace=False))
    return sp.csr_matrix(C)


def _null_dense(Z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each column shuffled over the rows independently, rows brought back to unit norm."""
    null = rng.permuted(Z, axis=0)
    return null / np.maximum(np.linalg.norm(null, axis=1, keepdims=True), 1e-12)


def _labels_and_components(
    data: sp.csr_matrix | np.ndarray,
    rep: sp.csr_matrix,
    k: int,
    seed: int,
    method: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Strongest theme of each row of ``data`` and the theme × term weights of one fit."""
    if method == "semantic":
        from sklearn.cluster import KMeans

        # data: spectral coordinates of the neighbour graph; the model uses max(5, k) of them.
        km = KMeans(n_clusters=k, n_init=SWEEP_N_INIT, max_iter=SWEEP_MAX_ITER, random_state=seed)
        labels = km.fit_predict(data[:, : max(5, k)])
        onehot = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))),
                               shape=(k, len(labels)))
        return labels, np.asarray((onehot @ rep).todense())
    if method == "lda":
        model = make_model("lda", k, random_state=seed, max_iter=SWEEP_MAX_ITER).fit(data)
        return model.transform(data).argmax(axis=1), model.components_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W, H, _ = non_negative_factorization(
            data, n_components=k, init="random", solver="cd", max_iter=SWEEP_MAX_ITER,
            random_state=seed,
        )  # fmt: skip
    return np.asarray(W).argmax(axis=1), H


def _resample_stability(
    data: sp.csr_matrix | np.ndarray,
    rep: sp.csr_matrix,
    k: int,
    seed: int,
    method: str,
) -> tuple[float, np.ndarray]:
    """ARI between fits on two random subsamples, on the answers they share."""
    n = data.shape[0]
    rng = np.random.default_rng(seed)
    size = min(n, max(k + 1, int(round(SUBSAMPLE * n))))
    a = np.sort(rng.choice(n, size, replace=False))
    b = np.sort(rng.choice(n, size, replace=False))
    la, comps = _labels_and_components(data[a], rep[a], k, seed, method)
    lb, _ = _labels_and_components(data[b], rep[b], k, seed + 7919, method)
    _, ia, ib = np.intersect1d(a, b, return_indices=True)
    if len(ia) < 2:
        return 0.0, comps
    return float(adjusted_rand_score(la[ia], lb[ib])), comps


def sweep_k(
    X: sp.csr_matrix,
    k_values: Sequence[int],
    *,
    method: str,
    seed: int = 0,
    n_seeds: int = 3,
    n_top: int = 10,
    embeddings: np.ndarray | None = None,
) -> tuple[pd.DataFrame, int]:
    """Score each k by resampling stability against a null; returns the table and chosen k.

    Parameters
    ----------
    X : csr_matrix (n_answers, n_terms)
        Counts of the answers that have terms.
    k_values : sequence of int
        The k to try.
    method : str
        Theme model (see :func:`textmine.themes.models.make_model`).
    seed : int
        First seed (resample pairs use ``seed``, ``seed + 1``...).
    n_seeds : int
        Resample pairs per k (and as many on the null data).
    n_top : int
        Top terms per theme for coherence and exclusivity.
    embeddings : ndarray (n_answers, n_dims), optional
        Sentence embeddings of the answers (needed by ``semantic``).

    Returns
    -------
    table : DataFrame
        One row per k: ``k, stability_gain, stability, stability_null, coherence,
        exclusivity, chosen``.
    k : int
        The chosen k (:data:`K_RULE`); a warning is logged when it is an end of the range.

    Raises
    ------
    ValueError
        If ``method`` is ``semantic`` and no embeddings are given.
    """
    if X.shape[0] > SWEEP_MAX_DOCS:
        rows_kept = np.sort(
            np.random.default_rng(seed).choice(X.shape[0], SWEEP_MAX_DOCS, replace=False)
        )
        X = sp.csr_matrix(X[rows_kept])
        if embeddings is not None:
            embeddings = np.asarray(embeddings)[rows_kept]
    X = sp.csr_matrix(X, dtype=np.float64)
    null_rng = np.random.default_rng(seed + 104729)
    if method == "semantic":
        if embeddings is None:
            raise ValueError("method 'semantic' needs the answers' embeddings to choose k")
        # The input space (joined embeddings and lexical SVD, then the spectral coordinates of
        # its neighbour graph) does not depend on k: computed once, for the data and the null.
        # (fitted for its representation only: no layout, graph_dims 0)
        model = make_model("semantic", 2, random_state=seed).set_params(graph_dims=0).fit(
            X, embeddings=embeddings)
        rep = model.represent(X)
        Z = model.joined(rep, embeddings)
        n_neighbors = graph_neighbors(model.n_graph_neighbors, Z.shape[0])
        dims = min(max(5, max(k_values)), Z.shape[0] - 2)
        data = spectral_coordinates(Z, n_neighbors, dims, seed)
        null = spectral_coordinates(_null_dense(Z, null_rng), n_neighbors, dims, seed)
    elif method == "lda":
        rep = X
        data, null = X, _null_sparse(X, null_rng)
    else:
        # Weighting and smoothing do not depend on k: compute them once.
        rep = make_model(method, 1, random_state=seed, max_iter=1).fit(X).represent(X)
        data, null = rep, _null_sparse(rep, null_rng)
    rows = []
    for k in k_values:
        real, null_scores, comps = [], [], []
        for s in range(max(n_seeds, 1)):
            s_seed = (seed + s) % 2**31
            value, c = _resample_stability(data, rep, k, s_seed, method)
            real.append(value)
            comps.append(c)
            for t in range(NULL_PAIRS):
                null_scores.append(
                    _resample_stability(null, rep, k, s_seed + 1000 * (t + 1), method)[0])
        stab, stab0 = float(np.mean(real)), float(np.mean(null_scores))
        coh = np.mean([npmi_coherence(top_indices(c, n_top), X) for c in comps])
        exc = np.mean([exclusivity(c, n_top) for c in comps])
        logger.info("k=%d: stability %.3f (null %.3f), coherence %.3f, exclusivity %.3f",
                    k, stab, stab0, coh, exc)
        rows.append({"k": k, "stability": stab, "stability_null": stab0, "coherence": coh,
                     "exclusivity": exc})
    table = pd.DataFrame(rows)
    # Stability on structure-free data changes smoothly with k; the straight line through the
    # null scores removes most of their resampling noise before it is subtracted.
    if len(table) >= 3:
        slope, intercept = np.polyfit(table["k"], table["stability_null"], 1)
        null_line = intercept + slope * table["k"]
    else:
        null_line = table["stability_null"]
    table.insert(1, "stability_gain", table["stability"] - null_line)
    for col in ("stability_gain", "stability", "stability_null", "coherence", "exclusivity"):
        table[col] = table[col].astype(float).round(4)
    chosen = choose_k(table)
    table["chosen"] = table["k"] == chosen
    edge = k_at_edge(table)
    if edge:
        lo, hi = int(table["k"].min()), int(table["k"].max())
        logger.warning(
            "k = %d is the %s k tried (%d..%d): the answers may hold %s themes than this range "
            "allows; widen the range (%s in a project's textmine.toml, `textmine run`) or give "
            "--k.", chosen, edge, lo, hi, "fewer" if edge == "smallest" else "more",
            "k_min" if edge == "smallest" else "k_max",
        )  # fmt: skip
    return table, chosen


def plot_k_selection(table: pd.DataFrame, path: str | Path) -> Path:
    """Draw the stability gain, the stability (with its null) and coherence against k."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    chosen = int(table.loc[table["chosen"], "k"].iloc[0])
    for ax, col, title in zip(
        axes,
        ("stability_gain", "stability", "coherence"),
        ("Stability beyond chance", "Stability across resamples (null dotted)",
         "Coherence (NPMI)"),
        strict=True,
    ):
        ax.plot(table["k"], table[col], marker="o", color="#33658a")
        if col == "stability" and "stability_null" in table:
            ax.plot(table["k"], table["stability_null"], linestyle=":", color="#86bbd8")
        ax.axvline(chosen, color="#f26419", linestyle="--", linewidth=1)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("k")
    fig.suptitle(f"Choice of the number of themes: k = {chosen}", fontsize=11)
    fig.tight_layout()
    # Fixed metadata so that the PNG bytes do not depend on the date.
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path
