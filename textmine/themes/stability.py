"""Stability of each theme: would the same theme come back on another sample of the answers?

The model is refitted on ``n_resamples`` bootstrap resamples of the answers it was fitted on
(rows drawn with replacement, seeded; at most :data:`MAX_RESAMPLE` rows each), with the same
method, number of themes and seeds. The themes of each refit are matched one-to-one to the
run's themes by the Hungarian algorithm on the cosine of their term weights
(:func:`scipy.optimize.linear_sum_assignment`, maximising the total cosine); a theme's
**stability** is its mean matched cosine over the resamples, in [0, 1]. A theme below
:data:`UNSTABLE_BELOW` is flagged unstable: on another sample of the same answers its words
would form another theme (the approach of Greene, O'Callaghan & Cunningham 2014, "How many
topics? Stability analysis for topic models", with term-weight cosine in place of top-term
agreement).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.preprocessing import normalize

#: Mean matched cosine under which a theme is flagged unstable.
UNSTABLE_BELOW = 0.6
#: Largest resample: above it, each refit draws this many answers (an m-out-of-n bootstrap,
#: Bickel, Götze & van Zwet 1997), so that the cost stays bounded on large surveys.
MAX_RESAMPLE = 2000


def matched_cosine(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Cosine of each reference theme with the theme of ``other`` matched to it.

    Parameters
    ----------
    reference : ndarray (k, n_terms)
        Theme × term weights of the run.
    other : ndarray (k2, n_terms)
        Theme × term weights of a refit (same columns).

    Returns
    -------
    ndarray (k,)
        Cosine of each reference theme with its match (0 for a theme left unmatched when
        ``k2 < k``).
    """
    C = normalize(np.asarray(reference, dtype=np.float64)) @ normalize(
        np.asarray(other, dtype=np.float64)).T
    rows, cols = linear_sum_assignment(C, maximize=True)
    out = np.zeros(C.shape[0])
    out[rows] = C[rows, cols]
    return out


def theme_stability(
    refit: Callable[[np.ndarray, int], np.ndarray],
    X: sp.csr_matrix,
    reference: np.ndarray,
    *,
    n_resamples: int = 10,
    random_state: int | None = 0,
) -> np.ndarray:
    """Mean matched cosine of each theme over bootstrap refits.

    Parameters
    ----------
    refit : callable(rows, seed) -> ndarray (k2, n_terms)
        Fits the run's model on the rows ``rows`` of ``X`` (a resample), as the run did (same
        method, k, seeds and catch-all splits), and returns its theme × term weights; ``seed``
        differs for each resample, so that each refit starts differently but reproducibly.
    X : csr_matrix (n_answers, n_terms)
        The counts the run's model was fitted on.
    reference : ndarray (k, n_terms)
        The run's theme × term weights (before edits).
    n_resamples : int
        Bootstrap resamples (the cost is about ``n_resamples`` fits).
    random_state : int or None
        Seed of the resampling.

    Returns
    -------
    ndarray (k,)
        Stability of each theme in [0, 1] (NaN for all when ``n_resamples`` is 0).
    """
    k = reference.shape[0]
    if n_resamples <= 0 or X.shape[0] < 2:
        return np.full(k, np.nan)
    rng = np.random.default_rng(random_state)
    total = np.zeros(k)
    for b in range(n_resamples):
        rows = np.sort(rng.integers(0, X.shape[0], size=min(X.shape[0], MAX_RESAMPLE)))
        total += matched_cosine(reference, refit(rows, b + 1 + (random_state or 0)))
    return total / n_resamples


def final_stability(fitted: np.ndarray, theme_map: np.ndarray) -> np.ndarray:
    """Stability of the final themes: the mean over the fitted themes merged into each."""
    M = np.asarray(theme_map, dtype=np.float64)
    sizes = M.sum(axis=0)
    return (fitted @ M) / np.where(sizes > 0, sizes, 1.0)
