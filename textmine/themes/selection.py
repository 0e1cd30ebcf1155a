"""Choosing the number of themes k: coherence, exclusivity and stability across seeds.

For each k in ``k_values`` the model is fitted ``n_seeds`` times (seeds ``seed``, ``seed + 1``...,
random initialisation so that the seed matters, fewer iterations than the final fit) on the same
count matrix, and three scores are computed:

``coherence``
    mean NPMI of the pairs of each theme's ``n_top`` heaviest terms, from answer co-occurrence in
    this corpus (-1: never together, 0: independent, 1: always together), averaged over themes
    and seeds;
``exclusivity``
    mean share of each top term's weight that belongs to its own theme (1: terms used by one
    theme only), averaged over themes and seeds;
``stability``
    mean cosine between the themes of the first seed and the themes of each other seed after
    optimal one-to-one matching (Hungarian algorithm on the theme × term vectors).

Rule (:data:`K_RULE`): among the k whose stability is at least :data:`STABILITY_MIN` (all k if
none is), take the k with the highest coherence; exclusivity breaks ties (coherence equal to 3
decimals), then the smallest k. Coherence and stability drive the choice because exclusivity
falls almost mechanically as k grows; it is reported so that the researcher can judge.

Speed: the NMF-family models weight (and smooth) the count matrix once, then only the
factorisation is repeated for each k and seed, with :data:`SWEEP_MAX_ITER` iterations; corpora
larger than :data:`SWEEP_MAX_DOCS` answers are scored on a seeded random sample of that size.
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

from textmine.themes.models import make_model

logger = logging.getLogger(__name__)

STABILITY_MIN = 0.8
K_RULE = (
    f"among k with seed stability >= {STABILITY_MIN} (all k if none), the k with the highest "
    "NPMI coherence; ties (3 decimals) to higher exclusivity, then smaller k"
)
SWEEP_MAX_ITER = 100
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
    """Apply :data:`K_RULE` to a table with columns k, coherence, exclusivity, stability."""
    stable = table[table["stability"] >= STABILITY_MIN]
    pool = stable if len(stable) else table
    ranked = pool.assign(_coh=pool["coherence"].round(3), _exc=pool["exclusivity"].round(6))
    ranked = ranked.sort_values(["_coh", "_exc", "k"], ascending=[False, False, True])
    return int(ranked["k"].iloc[0])


def _fit_components(
    X: sp.csr_matrix, k: int, seed: int, method: str, Xt: sp.csr_matrix | None
) -> np.ndarray:
    if Xt is None:  # LDA: the whole model is refitted
        return make_model(method, k, random_state=seed, max_iter=SWEEP_MAX_ITER).fit(X).components_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, H, _ = non_negative_factorization(
            Xt, n_components=k, init="random", solver="cd", max_iter=SWEEP_MAX_ITER,
            random_state=seed,
        )  # fmt: skip
    return H


def sweep_k(
    X: sp.csr_matrix,
    k_values: Sequence[int],
    *,
    method: str,
    seed: int = 0,
    n_seeds: int = 3,
    n_top: int = 10,
) -> tuple[pd.DataFrame, int]:
    """Fit each k ``n_seeds`` times and score it; returns the k_selection table and chosen k.

    Parameters
    ----------
    X : csr_matrix
        Counts of the answers that have terms.
    k_values : sequence of int
        The k to try.
    method : str
        Theme model (see :func:`textmine.themes.models.make_model`).

    Returns
    -------
    table : DataFrame
        One row per k: ``k, coherence, exclusivity, stability, chosen``.
    k : int
        The chosen k.
    """
    if X.shape[0] > SWEEP_MAX_DOCS:
        rows_kept = np.sort(
            np.random.default_rng(seed).choice(X.shape[0], SWEEP_MAX_DOCS, replace=False)
        )
        X = sp.csr_matrix(X[rows_kept])
    Xt = None
    if method != "lda":
        # Weighting and smoothing do not depend on k: compute them once.
        Xt = make_model(method, 1, random_state=seed, max_iter=1).fit(X).represent(X)
    rows = []
    for k in k_values:
        comps = [_fit_components(X, k, (seed + s) % 2**32, method, Xt)
                 for s in range(max(n_seeds, 1))]
        coh = np.mean([npmi_coherence(top_indices(c, n_top), X) for c in comps])
        exc = np.mean([exclusivity(c, n_top) for c in comps])
        stab = (
            np.mean([matched_similarity(comps[0], c) for c in comps[1:]])
            if len(comps) > 1
            else 1.0
        )
        logger.info("k=%d: coherence %.3f, exclusivity %.3f, stability %.3f", k, coh, exc, stab)
        rows.append({"k": k, "coherence": coh, "exclusivity": exc, "stability": stab})
    table = pd.DataFrame(rows)
    for col in ("coherence", "exclusivity", "stability"):
        table[col] = table[col].round(4)
    chosen = choose_k(table)
    table["chosen"] = table["k"] == chosen
    return table, chosen


def plot_k_selection(table: pd.DataFrame, path: str | Path) -> Path:
    """Draw the three scores against k, the chosen k marked, into a PNG file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    chosen = int(table.loc[table["chosen"], "k"].iloc[0])
    for ax, col, title in zip(
        axes,
        ("coherence", "exclusivity", "stability"),
        ("Coherence (NPMI)", "Exclusivity", "Stability across seeds"),
        strict=True,
    ):
        ax.plot(table["k"], table[col], marker="o", color="#33658a")
        ax.axvline(chosen, color="#f26419", linestyle="--", linewidth=1)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("k")
    fig.suptitle(f"Choice of the number of themes: k = {chosen}", fontsize=11)
    fig.tight_layout()
    # Fixed metadata so that the PNG bytes do not depend on the date.
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path
