"""Representative quotes: the answers that best show what a theme is about.

A quote must be worth quoting in a paper:

- **typical**: the answers carrying a theme are ranked by their weight on the theme, then by
  typicality (cosine between the answer's weighted terms and the theme's term weights);
- **informative**: answers of at least :data:`MIN_QUOTE_WORDS` words come first; a shorter one is
  taken only to fill the remaining places, and an answer that only repeats the theme's label
  (all its terms are words of the label, e.g. "la nature" for the theme "nature") never is;
- **varied**: identical texts (same words, case, accents and punctuation aside; see
  :func:`quote_key`) are one candidate, whose number of copies the report shows ("×111"), and an
  answer whose term set is a near-duplicate (Jaccard >= ``max_jaccard``) of a chosen quote is
  skipped;
- **masked**: quotes are the masked texts (personal data hidden).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

#: An answer of fewer words is a quote only when no longer answer is left.
MIN_QUOTE_WORDS = 4

_WORD = re.compile(r"\w+", re.UNICODE)


def quote_key(text: str) -> str:
    """The comparison key of a text: its words, casefolded and without accents.

    Parameters
    ----------
    text : str
        An answer or a quote.

    Returns
    -------
    str
        Words joined by one space ("La nature !" and "la  Nature" give "la nature").
    """
    folded = unicodedata.normalize("NFKD", str(text).casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_WORD.findall(folded))


def copy_counts(texts: Iterable[str]) -> Counter[str]:
    """Number of copies of each text, by :func:`quote_key` (empty texts left out)."""
    return Counter(k for k in map(quote_key, texts) if k)


def _label_words(label: str) -> frozenset[str]:
    return frozenset(quote_key(str(label).replace("_", " ")).split())


def repeats_label(text: str, terms: Iterable[str], label: str) -> bool:
    """Whether an answer only repeats the theme's label.

    Parameters
    ----------
    text : str
        The answer.
    terms : iterable of str
        Its analysed terms (lemmas, expressions joined with ``_``).
    label : str
        The theme's label.

    Returns
    -------
    bool
        True when the answer's text equals the label or every word of its terms is a word of the
        label (so "la nature" repeats the label "nature / environnement").
    """
    words = _label_words(label)
    if not words:
        return False
    key = quote_key(text)
    if key == quote_key(label):
        return True
    term_words = {w for t in terms for w in quote_key(str(t).replace("_", " ")).split()}
    # Labels are written as the answers write them ("consignes nationales") and terms are
    # lemmas ("consigne_national"): a term word is in the label when a label word is it or an
    # inflection of it (same rule as the labels' surface forms).
    return bool(term_words) and all(
        any(w == t or w.startswith(t[:max(3, len(t) - 2)]) for w in words) for t in term_words
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


#: Answers represented at a time by :func:`typicality` (memory: smoothed rows of 1M answers
#: held at once took 2.8 GiB, and 5.7 GiB while being built; issue 19).
TYPICALITY_BLOCK_ROWS = 50_000


def typicality(X: sp.csr_matrix, theme_terms: np.ndarray, represent=None) -> np.ndarray:
    """Cosine of each answer's weighted terms with each theme's term weights.

    Parameters
    ----------
    X : csr_matrix (n_answers, n_terms)
        The answers' rows: already represented (rows l2-normalised), or counts that
        ``represent`` turns into them block of rows by block of rows (never all at once).
    theme_terms : ndarray (n_themes, n_terms) or (n_terms,)
        Term weights of each theme.
    represent : callable(csr_matrix) -> csr_matrix, optional
        The model's row-wise representation (``estimator.represent``).

    Returns
    -------
    ndarray (n_answers, n_themes), or (n_answers,) for one theme
    """
    H = np.atleast_2d(np.asarray(theme_terms, dtype=np.float64))
    H = H / np.where((norms := np.linalg.norm(H, axis=1, keepdims=True)) > 0, norms, 1.0)
    out = np.zeros((X.shape[0], H.shape[0]))
    for start in range(0, X.shape[0], TYPICALITY_BLOCK_ROWS):
        block = X[start:start + TYPICALITY_BLOCK_ROWS]
        out[start:start + block.shape[0]] = np.asarray(
            (represent(block) if represent else block) @ H.T)
    return out if np.ndim(theme_terms) == 2 else out[:, 0]


def select_quotes(
    weights: np.ndarray,
    carriers: np.ndarray,
    typical: np.ndarray,
    *,
    masked: Sequence[str],
    terms: Sequence[Sequence[str]],
    n_quotes: int = 3,
    max_jaccard: float = 0.6,
    label: str = "",
    min_words: int = MIN_QUOTE_WORDS,
) -> list[str]:
    """Pick up to ``n_quotes`` masked answers for one theme.

    Parameters
    ----------
    weights : ndarray (n_answers,)
        The answers' weights on this theme.
    carriers : ndarray of bool (n_answers,)
        Answers assigned to this theme.
    typical : ndarray (n_answers,)
        The answers' typicality for this theme (:func:`typicality`), which breaks ties of
        weight.
    masked, terms : sequences
        Masked texts and term lists of the answers.
    n_quotes : int
        Number of quotes wanted.
    max_jaccard : float
        Term-set similarity from which two answers are near-duplicates.
    label : str
        The theme's label: an answer that only repeats it is never a quote.
    min_words : int
        Answers shorter than this are taken only when no longer answer is left.

    Returns
    -------
    list of str
        The quotes, best first, each text once (whitespace collapsed).
    """
    idx = np.flatnonzero(carriers)
    if idx.size == 0 or n_quotes <= 0:
        return []
    # Rounded keys so that last-digit float noise cannot change the order between runs.
    order = np.lexsort((idx, -np.round(typical[idx], 9), -np.round(weights[idx], 9)))
    long_first: list[int] = []
    short: list[int] = []
    seen_keys: set[str] = set()
    for pos in order:
        i = int(idx[pos])
        key = quote_key(masked[i])
        if not key or key in seen_keys:
            continue  # one candidate per distinct text: its best-ranked copy
        seen_keys.add(key)
        if repeats_label(masked[i], terms[i], label):
            continue
        (long_first if len(key.split()) >= min_words else short).append(i)
    chosen: list[str] = []
    seen_sets: list[frozenset[str]] = []
    for i in long_first + short:
        tset = frozenset(terms[i])
        if any(_jaccard(tset, s) >= max_jaccard for s in seen_sets):
            continue
        chosen.append(" ".join(masked[i].split()))
        seen_sets.append(tset)
        if len(chosen) == n_quotes:
            break
    return chosen
