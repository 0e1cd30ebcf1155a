"""``--method auto``: the theme model chosen from measured properties of the answers.

The rule (:data:`METHOD_RULE`) was set on the cross-corpus benchmark (``scripts/bench_themes.py``,
docs/benchmarks.md): ``semantic`` (sentence embeddings + words) recovered human labels best on
average and never fell below plain NMF beyond noise, for short and long answers alike, but it
needs enough answers to build a neighbour graph; with a codebook, seeded themes are fitted with
``nmf`` (seeds are words; co-occurrence smoothing and embeddings blur them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: Below this many answers with terms, ``auto`` fits ``short`` (too few for a neighbour graph).
MIN_SEMANTIC_ANSWERS = 50
METHOD_RULE = (
    f"with a codebook: nmf (seeded themes); otherwise semantic when at least "
    f"{MIN_SEMANTIC_ANSWERS} answers have terms, short below"
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
    X: sp.csr_matrix, texts: list[str], *, seeded: bool
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

    Returns
    -------
    MethodChoice
    """
    n, vocab = int(X.shape[0]), int(X.shape[1])
    median_words = float(np.median([len(t.split()) for t in texts])) if texts else 0.0
    if seeded:
        method = "nmf"
        reason = ("method nmf: a codebook gives seeded themes, fitted on words without "
                  "smoothing so that each keeps its seed terms")
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
