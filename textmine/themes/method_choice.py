"""``--method auto``: the theme model chosen from measured properties of the answers.

The rule (:data:`METHOD_RULE`) was set on the cross-corpus benchmark (``scripts/bench_themes.py``,
docs/benchmarks.md): ``semantic`` (sentence embeddings + words) recovered human labels best on
average and never fell below plain NMF beyond noise, for short and long answers alike, but it
needs enough answers to build a neighbour graph. With a codebook it depends on what the codebook
gives (``scripts/bench_seeded.py``): lists of seed words are fitted with ``nmf`` (seeds are words;
co-occurrence smoothing and embeddings blur them: mean F1 of the demo's seeded themes 0.76 with
``nmf``, 0.47 with ``semantic``), but a codebook of theme names with at most
:data:`MAX_NAME_SEEDS` seeds per theme carries its meaning in the names, which the answers rarely
write: its entries are embedded as anchors of semantic themes (tag-name codebooks: AN titles NMI
0.517 against 0.338 with ``nmf``, République numérique 0.179 against 0.166).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: Below this many answers with terms, ``auto`` fits ``short`` (too few for a neighbour graph).
MIN_SEMANTIC_ANSWERS = 50
#: A codebook with at most this many seeds per theme (on average) is a codebook of names.
MAX_NAME_SEEDS = 2
METHOD_RULE = (
    f"with a codebook of seed lists (more than {MAX_NAME_SEEDS} seeds per theme): nmf; "
    f"otherwise semantic when at least {MIN_SEMANTIC_ANSWERS} answers have terms (a codebook of "
    "names anchors semantic themes), short (nmf with a codebook) below"
)


@dataclass(frozen=True)
class MethodChoice:
    """The method ``auto`` chose and the measurements it was chosen on.

    Attributes
    ----------
    method : str
        ``semantic``, ``short`` or ``nmf``.
    answers : int
        Answers with at least one term (the ones the model is fitted on).
    median_words : float
        Median number of words of those answers.
    vocabulary : int
        Terms kept (columns of the document-term matrix).
    reason : str
        One sentence saying why (English; the report words it in its language).
    """

    method: str
    answers: int
    median_words: float
    vocabulary: int
    reason: str

    def record(self) -> dict:
        """The ``method_choice`` block of run.json."""
        return {"asked": "auto", "method": self.method, "answers": self.answers,
                "median_words": self.median_words, "vocabulary": self.vocabulary,
                "rule": METHOD_RULE, "reason": self.reason}


def choose_method(
    X: sp.csr_matrix, texts: list[str], *, seeded: bool, seeds_per_theme: float | None = None
) -> MethodChoice:
    """Apply :data:`METHOD_RULE` to the answers the themes will be fitted on.

    Parameters
    ----------
    X : csr_matrix (n_answers, n_terms)
        Counts of the answers with terms.
    texts : list of str
        Their texts (for the median length, recorded).
    seeded : bool
        Whether a codebook gives seeded themes.
    seeds_per_theme : float, optional
        Mean number of seeds per codebook theme (``None``: taken as a codebook of seed lists).

    Returns
    -------
    MethodChoice
    """
    n, vocab = int(X.shape[0]), int(X.shape[1])
    median_words = float(np.median([len(t.split()) for t in texts])) if texts else 0.0
    names_only = seeded and seeds_per_theme is not None and seeds_per_theme <= MAX_NAME_SEEDS
    if seeded and not (names_only and n >= MIN_SEMANTIC_ANSWERS):
        method = "nmf"
        reason = ("method nmf: a codebook gives seeded themes, fitted on words without "
                  "smoothing so that each keeps its seed terms" + (
                      f" (a codebook of names, but only {n} answers have terms, fewer than the "
                      f"{MIN_SEMANTIC_ANSWERS} needed to group them by meaning)"
                      if names_only else ""))
    elif names_only:
        method = "semantic"
        reason = (f"method semantic: the codebook names its themes with {seeds_per_theme:g} "
                  f"seeds per theme on average (at most {MAX_NAME_SEEDS}), so each theme is "
                  f"anchored on the meaning of its name; {n} answers (median {median_words:g} "
                  f"words, {vocab} terms)")
    elif n >= MIN_SEMANTIC_ANSWERS:
        method = "semantic"
        reason = (f"method semantic: {n} answers (median {median_words:g} words, {vocab} terms) "
                  f"are enough to group them by meaning as well as by words (at least "
                  f"{MIN_SEMANTIC_ANSWERS})")
    else:
        method = "short"
        reason = (f"method short: only {n} answers have terms, fewer than the "
                  f"{MIN_SEMANTIC_ANSWERS} needed to group them by meaning")
    return MethodChoice(method, n, median_words, vocab, reason)
