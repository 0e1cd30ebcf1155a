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
    represented : csr_matrix (n_answers, n_terms)
        The weighted answer × term matrix the model saw (rows l2-normalised).
    theme_terms : ndarray (n_terms,)
        The theme's term weights.
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
    h = np.asarray(theme_terms, dtype=np.float64)
    h = h / (np.linalg.norm(h) or 1.0)
    typicality = np.asarray(represented[idx] @ h).ravel()
    # Rounded keys so that last-digit float noise cannot change the order between runs.
    order = np.lexsort((idx, -np.round(typicality, 9), -np.round(weights[idx], 9)))
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
