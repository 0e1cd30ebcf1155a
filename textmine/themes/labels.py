"""Theme labels: top terms ranked by frequency and exclusivity (FREX, as in R's stm).

For theme k and term t, with ``beta[k, t]`` the term's share of the theme's weight:

- frequency rank: the empirical CDF of ``beta[k, t]`` among all terms of theme k;
- exclusivity rank: the CDF of ``beta[k, t] / sum_j beta[j, t]`` among all terms;
- FREX = harmonic mean of the two ranks (weight ``frex_weight`` on exclusivity).

Only the :data:`POOL` heaviest terms of a theme compete, so that a rare term seen once in one theme
cannot top the list through exclusivity alone. Multi-word expressions are shown with spaces.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata


def display_term(term: str) -> str:
    """How a feature is shown to people: multi-word expressions joined by spaces."""
    return term.replace("_", " ")


#: Heaviest terms of a theme that compete in the FREX ranking.
POOL = 20


def frex_order(
    components: np.ndarray, *, n_top: int = 10, frex_weight: float = 0.5, pool: int = POOL
) -> list[np.ndarray]:
    """Column indices of each theme's top terms, best first (FREX ranking).

    Parameters
    ----------
    components : ndarray (k, n_terms)
        Non-negative theme × term weights.
    n_top : int
        Terms returned per theme.
    frex_weight : float
        Weight of exclusivity in the harmonic mean (stm's default 0.5).
    pool : int
        Only the ``pool`` heaviest terms of each theme are ranked.
    """
    comp = np.maximum(np.asarray(components, dtype=np.float64), 0.0)
    beta = comp / np.maximum(comp.sum(axis=1, keepdims=True), 1e-300)
    excl = beta / np.maximum(beta.sum(axis=0, keepdims=True), 1e-300)
    n_terms = comp.shape[1]
    out = []
    for k in range(comp.shape[0]):
        f_rank = rankdata(beta[k], method="max") / n_terms
        e_rank = rankdata(excl[k], method="max") / n_terms
        frex = 1.0 / (frex_weight / e_rank + (1.0 - frex_weight) / f_rank)
        # Heaviest terms first (ties broken by column index for reproducibility).
        heavy = np.lexsort((np.arange(n_terms), -beta[k]))[:pool]
        heavy = heavy[beta[k, heavy] > 0]
        order = heavy[np.lexsort((heavy, -beta[k, heavy], -frex[heavy]))]
        out.append(order[:n_top])
    return out


def top_terms(
    components: np.ndarray, terms: Sequence[str], *, n_top: int = 10
) -> list[list[str]]:
    """Each theme's top terms (FREX order), as shown to people.

    A word already shown inside a multi-word expression of the list is skipped (``piscine``
    after ``noyade_piscine``) or replaced by the expression (``lettre`` before ``lettre_info``),
    so that the list says more in the same space.
    """
    out = []
    for idx in frex_order(components, n_top=3 * n_top, pool=max(3 * n_top, POOL)):
        chosen: list[str] = []
        inside: set[str] = set()
        for i in idx:
            term = terms[i]
            if term in inside:
                continue
            if "_" in term:
                parts = set(term.split("_"))
                inside.update(parts)
                # The expression takes the place of its words already listed ("lettre" then
                # "lettre_info" gives "lettre info" once).
                at = next((j for j, t in enumerate(chosen) if t in parts), None)
                chosen = [t for t in chosen if t not in parts]
                chosen.insert(len(chosen) if at is None else at, term)
            else:
                chosen.append(term)
            if len(chosen) == n_top:
                break
        out.append([display_term(t) for t in chosen])
    return out


def theme_label(top: Sequence[str], *, n_terms: int = 3) -> str:
    """A short label from a theme's top terms: the first ``n_terms`` joined by `` / ``."""
    return " / ".join(top[:n_terms]) if top else "(no terms)"
