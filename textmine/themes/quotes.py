"""Representative quotes: the answers that best show what a theme is about.

For each theme, the answers carrying it are ranked by their weight on the theme, then by
typicality (cosine between the answer's weighted terms and the theme's term weights); an answer is
skipped when its term set is a near-duplicate (Jaccard >= ``max_jaccard``) of a quote already
chosen, or when its masked text repeats one. Quotes are the *masked* texts (personal data hidden).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def select_quotes(
    weights: np.ndarray,
    carriers: np.ndarray,
    represented: sp.csr_matrix,
    theme_terms: np.ndarray,
    *,
    masked: Sequence[str],
    terms: Sequence[Sequence[str]],
    n_quotes: int = 3,
    max_jaccard: float = 0.6,
) -> list[str]:
    """Pick up to ``n_quotes`` masked answers for one theme.

    Parameters
    ----------
    weights : ndarray (n_answers,)
        The answers' weights on this theme.
    carriers : ndarray of bool (n_answers,)
        Answers assigned to this theme.
    represented : csr_matrix (n_answers, n_terms)
        The weighted answer × term matrix the model saw (rows l2-normalised).
    theme_terms : ndarray (n_terms,)
        The theme's term weights.
    masked, terms : sequences
        Masked texts and term lists of the answers.
    """
    idx = np.flatnonzero(carriers)
    if idx.size == 0 or n_quotes <= 0:
        return []
    h = np.asarray(theme_terms, dtype=np.float64)
    h = h / (np.linalg.norm(h) or 1.0)
    typicality = np.asarray(represented[idx] @ h).ravel()
    # Rounded keys so that last-digit float noise cannot change the order between runs.
    order = np.lexsort((idx, -np.round(typicality, 9), -np.round(weights[idx], 9)))
    chosen: list[str] = []
    seen_sets: list[frozenset[str]] = []
    seen_texts: set[str] = set()
    for pos in order:
        i = int(idx[pos])
        text = " ".join(masked[i].split())
        key = text.casefold()
        tset = frozenset(terms[i])
        if not text or key in seen_texts:
            continue
        if any(_jaccard(tset, s) >= max_jaccard for s in seen_sets):
            continue
        chosen.append(text)
        seen_texts.add(key)
        seen_sets.append(tset)
        if len(chosen) == n_quotes:
            break
    return chosen
