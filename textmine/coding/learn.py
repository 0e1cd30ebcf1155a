"""Learning from coded answers: a multi-label coder with precision-targeted thresholds.

The coder is trained on the answers a researcher already coded. For every code it fits a
logistic regression on TF-IDF features of the answers' terms (lemmas from
:func:`textmine.text.corpus.process_answers`) plus character n-grams of those terms, which recover
inflections and compounds that a small training set never shows. Out-of-fold decision values are
Platt-scaled into calibrated scores, and the threshold of each code is the lowest score at which
a lower confidence bound of the out-of-fold precision, shrunk toward the pooled precision of every
code, still reaches ``target_precision`` (as does the mean calibrated score above it), and never
below 0.5: above it a code is assigned automatically, below it
the answer goes to the researcher's review queue, most informative answers first (uncertainty
sampling). The thresholds are checked on answers they were not chosen on (thresholds chosen on
the other folds, applied to each held-out fold): a code whose held-out precision misses the
target gets a higher threshold (chosen for a stricter precision, the lowest that passes on the
held-out folds); a code for which none passes, or with fewer than ``min_positives`` coded
examples (:data:`OPEN_WORLD_FACTOR` times that where many coded answers carry only such codes,
:data:`OPEN_WORLD_SHARE`), is never assigned automatically, and the held-out folds give the
run's *expected* precision and share coded automatically.

In a single-code survey (nearly every coded answer has exactly one code) the decision is taken
at the answer level instead (:data:`ANSWER_LEVEL`): an answer gets its most likely code when
that code's calibrated score reaches ONE cut shared by every code, chosen the same way (lower
Wilson bound of the precision reaching the target) on the out-of-fold top codes of every coded
answer pooled, and checked on held-out folds (cut chosen on the other folds, the pooled held-out
precision must reach the target, else the cut is chosen for a stricter precision). The pooled
evidence is about ten times that of one code, so the bound is tight where per-code bounds on a
handful of examples are far below the precision actually reached. A code with fewer than
``min_positives`` coded examples is still never assigned automatically: an answer whose most
likely code is such a code goes to review. New answers are scored by the average of the fold
models, i.e. models trained on as many answers as those that chose the thresholds.

Sentence embeddings of the answers (:mod:`textmine.text.embeddings`) can be added to the
lexical features: the answers then come as :class:`AnswerTerms` (their terms, carrying the
answer's vector; :func:`with_embeddings`), and the coder is built with ``embedding_model`` set.
The embedding block (L2-normalised rows times ``embedding_weight``) is stacked beside the TF-IDF
blocks, whose rows also have unit norm, so one logistic regression per code weighs both. Mean
word vectors of spaCy (``Corpus.vectors``) are not used: on the benchmarks they did not
measurably help (see ``docs/bench_coding.md``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import norm
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.utils.validation import check_is_fitted

from textmine.config import CodingOptions
from textmine.errors import DataError, OptionError
from textmine.tables.stats import wilson_interval

if TYPE_CHECKING:  # only for the annotation of __sklearn_tags__
    from sklearn.utils import Tags

logger = logging.getLogger(__name__)

_DEFAULTS = CodingOptions()

#: Lowest calibrated score at which a code may be assigned automatically.
MIN_SCORE = 0.5

#: Weight of the pooled precision in a code's precision estimate, in pseudo-assignments.
PRIOR_STRENGTH = 10.0

#: Right held-out automatic codes a code needs to pass the held-out check.
MIN_HELDOUT_RIGHT = 3

#: Step by which the precision a failing code's threshold is chosen for is raised.
RAISE_STEP = 0.025

#: Highest precision a raised code's threshold is chosen for.
MAX_CODE_TARGET = 0.99

#: Normal quantile of the one-sided lower confidence bound of a code's (shrunk) precision that
#: chooses its threshold (0: the point estimate).
PRECISION_BOUND_Z = 1.0

#: Normal quantile of the lower confidence bound of a code's shrunk held-out precision that
#: passes the held-out check (0: the point estimate).
HELDOUT_BOUND_Z = 1.0

#: Whether the mean calibrated score of the answers above a threshold must reach the target too.
CALIBRATED_CHECK = True

#: Whether a single-code survey (:attr:`MultiLabelCoder.single_code_`) is coded at the answer
#: level: an answer gets its most likely code when that code's calibrated score reaches ONE cut
#: shared by every code, chosen on the pooled out-of-fold top-code predictions (about ten times
#: the assignments of one code, so its confidence bound is tight), instead of per-code cuts.
ANSWER_LEVEL = True

#: Normal quantile of the lower bound of the pooled held-out precision of the answer-level rule
#: (0: the point estimate). Its cut is already chosen on a lower bound (:data:`PRECISION_BOUND_Z`)
#: over the inner folds; the held-out folds check that it holds on unseen answers. 0.5 rather
#: than the point estimate: on thin held-out evidence (Decidim 30 %, RUA 50 % at 0.9: 16/22 and
#: 98/115 right in one split) the point check let through codes that missed the target; with
#: 0.5 those cells get no automatic code, for a cost of 51 -> 48 % coded on AN titles at 0.8
#: (docs/benchmarks.md, "Held-out check of the answer-level rule").
ANSWER_HELDOUT_Z = 0.5

#: Right held-out automatic codes, every code together, a run needs before any code is
#: automatic (both rules: the answer-level cut and the per-code thresholds of a multi-label
#: survey). On thin evidence a Wilson bound is no guarantee, all the less as the aims are tried
#: one after the other and the first that passes is kept: on République numérique proposals
#: (120 coded answers) two splits of five passed at 0.8 on 9 right of 10 held-out codes (one
#: after failing at 0.8 on 11/13) and realised 9/11 and 11/16 on new answers; on Decidim
#: proposals (48 and 81 coded) single splits passed on 13/15 at 0.8 and 20/21 at 0.9 and
#: realised 12/16 and 12/14. Answer-level rule: with 3 (before) 4 of the 36 cells (6 corpora x
#: 30/50 % coded x 3 targets, 10 splits) of ``scripts/bench_coding.py`` missed target - 0.03,
#: with 10 two, with 20 one, with 25 none, for 33.8 -> 32.5 % of answers coded automatically at
#: 0.8 (mean over corpora; AN titles unchanged, their held-out evidence is ample). Per-code
#: rule (the same corpora coded as if several codes could apply): 5 cells missed with each
#: code's own 3 right only (RN proposals 30 % @0.8 0.753, RUA 50 % @0.9 0.778, ...), none
#: with 25 pooled (docs/benchmarks.md). A survey with too few coded answers to reach it gets no
#: automatic code: its answers go to review, and the console says so.
POOLED_MIN_HELDOUT_RIGHT = 25

#: Lowest calibrated score of the top code at which the answer-level rule may code an answer.
#: Scores are one-vs-rest (they need not sum to 1 over codes), so the top code's score
#: understates how often the top code is right; the pooled precision above the cut (its lower
#: bound) is what the cut is chosen on.
ANSWER_MIN_SCORE = 0.3

#: Whether Platt scaling fits its sigmoid to Platt's prior-corrected targets,
#: ``(n+ + 1)/(n+ + 2)`` for a code's coded answers and ``1/(n- + 2)`` for the others, as
#: scikit-learn's ``CalibratedClassifierCV(method="sigmoid")`` does (Platt 1999, sec. 2.2),
#: instead of 0 and 1.
PLATT_PRIOR_TARGETS = False

#: Two-sided level of the intervals of the expected precision and share coded automatically.
EXPECTED_LEVEL = 0.95

#: Share of the coded answers (those given a code) whose codes all have fewer than
#: ``min_positives`` examples at which the coder is in an *open world*: many answers then
#: belong to codes it cannot learn, and a code with a handful of examples takes them with a
#: high score (its few out-of-fold examples all ranked first, Platt's sigmoid becomes a step).
#: There a code needs :data:`OPEN_WORLD_FACTOR` times ``min_positives`` coded examples to be
#: automatic. A free coding of every AN title by rubrique (30 % coded: 63 % of the coded
#: titles in rubriques of fewer than 7) realised 0.66 at target 0.7 on fresh splits, its
#: codes of 7-9 examples right about half the time; the benchmark corpora whose codes all have
#: 10 answers or more are at 0-23 % when 30 % or more is coded (docs/benchmarks.md). ``None``:
#: never.
OPEN_WORLD_SHARE: float | None = 1 / 3

#: How many times ``min_positives`` coded examples a code needs to be automatic in an open
#: world (:data:`OPEN_WORLD_SHARE`).
OPEN_WORLD_FACTOR = 2


class AnswerTerms(list):
    """The terms of one answer (a list of str) carrying the answer's sentence embedding.

    Attributes
    ----------
    vector : ndarray of float32, shape (d,)
        L2-normalised embedding of the answer's text (:func:`textmine.text.embeddings.embed_texts`).
    """

    def __init__(self, terms: Sequence[str], vector: np.ndarray) -> None:
        super().__init__(str(t) for t in terms)
        self.vector = np.asarray(vector, dtype=np.float32)


def with_embeddings(X: Sequence[Sequence[str] | str], vectors: np.ndarray) -> list[AnswerTerms]:
    """Pair the terms of each answer with its embedding, for a coder using embeddings.

    Parameters
    ----------
    X : sequence of term lists (or space-joined term strings), length n
    vectors : array of shape (n, d)
        Embeddings of the same answers, in the same order.

    Raises
    ------
    DataError
        ``X`` and ``vectors`` do not have the same number of answers.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    docs = as_term_lists(X)
    if vectors.ndim != 2 or len(vectors) != len(docs):
        raise DataError(f"{len(docs)} answers but embeddings of shape {vectors.shape}; give one "
                        "embedding row per answer.")  # fmt: skip
    return [AnswerTerms(d, v) for d, v in zip(docs, vectors, strict=True)]


def as_term_lists(X: Sequence[Sequence[str] | str]) -> list[list[str]]:
    """Return ``X`` as a list of term lists (a string is split on white space, as in terms.csv).

    :class:`AnswerTerms` are kept as they are (with their embeddings).
    """
    out: list[list[str]] = []
    for doc in X:
        if isinstance(doc, AnswerTerms):
            out.append(doc)
        elif doc is None or (isinstance(doc, float) and np.isnan(doc)):
            out.append([])
        elif isinstance(doc, str):
            out.append(doc.split())
        else:
            out.append([str(t) for t in doc])
    return out


def _identity(doc: list[str]) -> list[str]:
    return doc


class CodingFeatures:
    """TF-IDF of terms plus TF-IDF of character n-grams of the space-joined terms, plus
    (optionally) the answers' sentence embeddings.

    A plain helper (not a public estimator): the coder builds one per fit.

    Attributes
    ----------
    embedding_model : str or None
        Name of the sentence encoder whose vectors the answers must carry
        (:class:`AnswerTerms`), ``None`` for lexical features only.
    embedding_weight : float
        Factor of the embedding block (rows of unit norm, like each TF-IDF block).
    embedding_dim_ : int or None
        Number of dimensions of the embeddings seen when fitted.
    """

    def __init__(self, *, char_ngrams: bool, min_df: int, embedding_model: str | None = None,
                 embedding_weight: float = 1.0) -> None:  # fmt: skip
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.embedding_model = embedding_model
        self.embedding_weight = embedding_weight
        self.embedding_dim_: int | None = None

    def _embedding_block(self, docs: list[list[str]]) -> sparse.csr_matrix:
        """Embeddings carried by the answers, times the weight, as a sparse block."""
        missing = sum(not isinstance(d, AnswerTerms) for d in docs)
        if missing:
            raise DataError(
                f"The coder uses sentence embeddings ({self.embedding_model}) but {missing} of "
                f"{len(docs)} answers come without one; pair terms and embeddings with "
                "with_embeddings(terms, embed_texts(texts, model=...))."
            )
        V = (np.vstack([d.vector for d in docs]) if docs
             else np.zeros((0, self.embedding_dim_ or 0), dtype=np.float32))  # fmt: skip
        if self.embedding_dim_ is None:
            self.embedding_dim_ = V.shape[1]
        elif V.shape[1] != self.embedding_dim_:
            raise DataError(
                f"Embeddings of {V.shape[1]} dimensions given to a coder fitted on "
                f"{self.embedding_dim_} ({self.embedding_model}); embed with the same model."
            )
        return sparse.csr_matrix(V * np.float32(self.embedding_weight))

    def fit_transform(self, docs: list[list[str]]) -> sparse.csr_matrix:
        # Terms seen once still matter in a small coded sample: min_df applies to char n-grams
        # only, whose number max_features caps on long answers.
        self.words_ = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=1)
        blocks = [self.words_.fit_transform(docs)]
        if self.char_ngrams:
            self.chars_ = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=self.min_df,
                max_features=20000,
            )
            blocks.append(self.chars_.fit_transform([" ".join(d) for d in docs]))
        if self.embedding_model is not None:
            self.embedding_dim_ = None
            blocks.append(self._embedding_block(docs))
        return sparse.hstack(blocks).tocsr()

    def transform(self, docs: list[list[str]]) -> sparse.csr_matrix:
        blocks = [self.words_.transform(docs)]
        if self.char_ngrams:
            blocks.append(self.chars_.transform([" ".join(d) for d in docs]))
        if self.embedding_model is not None:
            blocks.append(self._embedding_block(docs))
        return sparse.hstack(blocks).tocsr()


def wilson_lower(successes: np.ndarray, n: np.ndarray, *, z: float = 1.0) -> np.ndarray:
    """Lower bound of the Wilson score interval of a proportion (z = 1: about 84 % one-sided).

    Parameters
    ----------
    successes, n : array of the same shape
        Correct assignments and assignments.
    z : float
        Normal quantile of the one-sided bound.

    Returns
    -------
    ndarray
        The lower bound of :func:`textmine.tables.stats.wilson_interval` (statsmodels' Wilson
        interval) at two-sided level ``1 - 2 sf(z)``; NaN where ``n`` is 0.
    """
    low, _ = wilson_interval(successes, n, level=1 - 2 * float(norm.sf(z)))
    return low


def threshold_for_precision(
    scores: np.ndarray,
    truth: np.ndarray,
    *,
    target_precision: float,
    min_assigned: int = 3,
    prior: float | None = None,
    prior_strength: float = 0.0,
    z: float = 1.0,
    floor: float | None = None,
) -> float:
    """Lowest score whose assigned set reaches ``target_precision`` on held-out scores.

    Without a prior, precision is estimated conservatively by the lower bound of its Wilson
    interval (z = 1). With a ``prior`` (the pooled precision of every code at the same cut),
    the per-code precision is shrunk toward it: ``(tp + m * prior) / (n + m)`` with
    ``m = prior_strength``, so that a code with few assignments borrows strength from the others
    instead of trusting a handful of lucky high scores; the lower Wilson bound of that shrunk
    proportion (z = :data:`PRECISION_BOUND_Z`, over ``n + m`` trials) must reach the target, as
    choosing the lowest passing cut among many picks the lucky ones. With
    :data:`CALIBRATED_CHECK`, the mean calibrated score of the answers at or above the cut (the
    precision the calibrated scores themselves expect) must reach the target too. At least
    ``min_assigned`` true positives are required and the threshold is never below
    :data:`MIN_SCORE`. Returns ``inf`` (never assign) when no threshold reaches the target.

    Parameters
    ----------
    scores : array of shape (n,)
        Out-of-fold scores of one code.
    truth : array of shape (n,)
        0/1 human codes.
    target_precision : float
        Required precision of the automatically assigned codes, in (0, 1].
    min_assigned : int
        Minimum number of true positives above the threshold.
    prior : callable or None
        Pooled precision of every code at a cut, as a function of the cut score (vectorised);
        ``None`` for the Wilson lower bound.
    prior_strength : float
        Weight ``m`` of the prior, in pseudo-assignments.
    z : float
        Normal quantile of the Wilson lower bound without a prior (0: the point estimate).
    floor : float or None
        Lowest threshold allowed (:data:`MIN_SCORE` when None).
    """
    order = np.argsort(-scores, kind="stable")
    s, t = scores[order], truth[order].astype(float)
    tp = np.cumsum(t)
    n = np.arange(1, len(s) + 1)
    # Only cut between distinct scores: ties are assigned together.
    last_of_tie = np.r_[s[1:] != s[:-1], True]
    if prior is None:
        estimate = wilson_lower(tp, n, z=z) if z > 0 else tp / n
    elif PRECISION_BOUND_Z > 0:
        estimate = wilson_lower(tp + prior_strength * prior(s), n + prior_strength,
                                z=PRECISION_BOUND_Z)  # fmt: skip
    else:
        estimate = (tp + prior_strength * prior(s)) / (n + prior_strength)
    ok = last_of_tie & (tp >= min_assigned) & (estimate >= target_precision)
    if CALIBRATED_CHECK:
        ok &= np.cumsum(s) / n >= target_precision
    # A calibrated score under MIN_SCORE means the code is more likely wrong than right: never
    # assign it, however many easy answers above would keep the overall precision high.
    ok &= s >= (MIN_SCORE if floor is None else floor)
    if not ok.any():
        return float("inf")
    return float(s[np.flatnonzero(ok)[-1]])


def heldout_passes(tp: int, n: int, *, pooled: float, target_precision: float) -> bool:
    """Whether a code's held-out automatic codes keep the precision promise.

    The held-out precision ``tp / n`` is shrunk toward the ``pooled`` held-out precision of every
    code (:data:`PRIOR_STRENGTH` pseudo-assignments), and the lower confidence bound of that
    shrunk proportion (Wilson, z = :data:`HELDOUT_BOUND_Z`; the point estimate when 0) must reach
    the target. Shrinkage alone must not carry a code on the others' strength: it also needs
    :data:`MIN_HELDOUT_RIGHT` right codes of its own and more right than wrong ones.

    Parameters
    ----------
    tp, n : int
        Right held-out automatic codes of the code, and its held-out automatic codes.
    pooled : float
        Held-out precision of every code together at the same target.
    target_precision : float
        The precision promised.

    Notes
    -----
    Why a bound, not the point estimate: a failing code's threshold is raised step by step and
    the first aim that passes on the held-out folds is kept, so with few held-out codes the
    check picks the lucky folds. On RUA proposals (300 answers, 30 % coded, sentence
    embeddings) the point estimate let a code through at 0.9 that was right 72 % of the time on
    new answers (``scripts/bench_coding.py``).
    """
    if tp < MIN_HELDOUT_RIGHT or tp / n <= MIN_SCORE:
        return False
    successes, trials = tp + PRIOR_STRENGTH * pooled, n + PRIOR_STRENGTH
    if HELDOUT_BOUND_Z > 0:
        estimate = float(wilson_lower(np.array([successes]), np.array([trials]),
                                      z=HELDOUT_BOUND_Z)[0])  # fmt: skip
    else:
        estimate = successes / trials
    return estimate >= target_precision


def pooled_precision(scores: np.ndarray, truth: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Pooled precision of every code at a score cut: a step function of the cut.

    Parameters
    ----------
    scores, truth : arrays of shape (n, n_codes)
        Out-of-fold calibrated scores and 0/1 human codes.

    Returns
    -------
    callable
        ``f(cuts) -> precision`` of all (answer, code) pairs scored at or above each cut
        (1.0 above the highest score).
    """
    flat_s, flat_t = scores.ravel(), truth.ravel().astype(float)
    order = np.argsort(-flat_s, kind="stable")
    s_sorted = flat_s[order]
    prec = np.cumsum(flat_t[order]) / np.arange(1, len(s_sorted) + 1)

    def at(cuts: np.ndarray) -> np.ndarray:
        # Number of pairs scored >= cut: position in the descending order.
        k = np.searchsorted(-s_sorted, -np.asarray(cuts, dtype=float), side="right")
        return np.where(k > 0, prec[np.maximum(k - 1, 0)], 1.0)

    return at


def best_f1_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """Score threshold maximising F1 on held-out scores (``inf`` for a code never coded)."""
    n_true = truth.sum()
    if n_true == 0:
        return float("inf")
    order = np.argsort(-scores, kind="stable")
    s, t = scores[order], truth[order].astype(float)
    tp = np.cumsum(t)
    f1 = 2 * tp / (np.arange(1, len(s) + 1) + n_true)
    f1[~np.r_[s[1:] != s[:-1], True]] = -1.0  # cut only between distinct scores
    return float(s[int(np.argmax(f1))])


def _platt(decision: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of a logistic map from decision values to probabilities."""
    if truth.min() == truth.max():
        return 0.0, (8.0 if truth[0] else -8.0)
    x = decision.reshape(-1, 1)
    if PLATT_PRIOR_TARGETS:
        # Soft targets as weights of a positive and a negative copy of every answer.
        n_pos = int(truth.sum())
        target = np.where(truth == 1, (n_pos + 1) / (n_pos + 2), 1 / (len(truth) - n_pos + 2))
        lr = LogisticRegression(C=1e4).fit(
            np.r_[x, x], np.r_[np.ones(len(x)), np.zeros(len(x))],
            sample_weight=np.r_[target, 1 - target],
        )
    else:
        lr = LogisticRegression(C=1e4).fit(x, truth)
    slope = float(lr.coef_[0, 0])
    if slope <= 0:
        # Out-of-fold decisions that rank the wrong answers first (a code with a handful of
        # examples) must not be inverted into confident scores: the code's score becomes its
        # prior, and its threshold cannot be reached.
        prior = float(np.clip(truth.mean(), 1e-3, 1 - 1e-3))
        return 0.0, float(np.log(prior / (1 - prior)))
    return slope, float(lr.intercept_[0])


class MultiLabelCoder(ClassifierMixin, BaseEstimator):
    """Multi-label coder: one calibrated logistic regression per code, precision-targeted.

    Parameters
    ----------
    target_precision : float
        Precision the automatically assigned codes should reach (estimated by cross-validation).
    cv_folds : int
        Folds of the internal cross-validation that calibrates scores and chooses thresholds.
    C : float
        Inverse regularisation strength of the logistic regressions.
    char_ngrams : bool
        Add character 2–5-grams of the terms to the term features.
    min_df : int
        Minimum document frequency of a character n-gram.
    min_positives : int
        Codes with fewer coded answers are scored but never assigned automatically.
    random_state : int
        Seed of the cross-validation split.
    embedding_model : str or None
        Name of the sentence encoder whose embeddings the answers carry (:class:`AnswerTerms`,
        built by :func:`with_embeddings`), added to the lexical features; ``None`` (the
        estimator's default, as it is given terms only) for lexical features alone. The
        pipeline's default is ``CodingOptions.embedding_model``.
    embedding_weight : float
        Factor of the embedding block against the TF-IDF blocks.

    Attributes
    ----------
    classes_ : ndarray of str
        Code names, in the column order of ``Y``.
    thresholds_ : ndarray of shape (n_codes,)
        Score from which a code is assigned (``inf``: never assigned automatically).
    cv_scores_ : ndarray of shape (n_samples, n_codes)
        Calibrated out-of-fold scores of the training answers.
    cv_truth_ : ndarray of shape (n_samples, n_codes)
        The training codes (kept to recompute thresholds for another target precision).
    best_thresholds_ : ndarray of shape (n_codes,)
        Thresholds maximising cross-validated F1 (used by :meth:`suggest`).
    at_least_one_, single_code_ : bool
        Whether nearly every (90 %) coded answer had at least one / exactly one code.
    platt_ : ndarray of shape (n_codes, 2)
        Slope and intercept mapping decision values to calibrated scores.
    fold_models_ : list
        Features and per-code models of each cross-validation fold (they score new answers).
    n_positives_ : ndarray of shape (n_codes,)
        Number of coded answers carrying each code.
    cv_fold_ : ndarray of shape (n_samples,)
        Cross-validation fold of each training answer.
    automatic_ : ndarray of bool, shape (n_codes,)
        Codes that may be assigned automatically (the others always go to review).
    code_targets_ : ndarray of shape (n_codes,)
        Precision each code's threshold was chosen for: ``target_precision``, higher for a
        code whose threshold was raised to pass the held-out check, ``nan`` where not automatic.
    expected_ : dict
        Expected precision of automatic codes and share of answers coded automatically, with
        intervals, measured on held-out folds (:meth:`expected_for`).
    none_threshold_, best_none_threshold_ : float
        *None of these codes*: an answer whose highest score is at most ``1 - none_threshold_``
        is given no code automatically (:meth:`predict_none`), and ``1 -
        best_none_threshold_`` is the same cut for the best guesses (:meth:`suggest`); ``inf``
        when the coded answers do not support it (see :meth:`set_none_thresholds`).
    none_expected_ : dict
        Held-out precision of *none of these codes* (:meth:`set_none_thresholds`).
    """

    def __init__(
        self,
        *,
        target_precision: float = _DEFAULTS.target_precision,
        cv_folds: int = _DEFAULTS.cv_folds,
        C: float = _DEFAULTS.C,
        char_ngrams: bool = _DEFAULTS.char_ngrams,
        min_df: int = _DEFAULTS.min_df,
        min_positives: int = _DEFAULTS.min_positives,
        random_state: int = _DEFAULTS.seed,
        embedding_model: str | None = None,
        embedding_weight: float = _DEFAULTS.embedding_weight,
    ) -> None:
        self.embedding_model = embedding_model
        self.embedding_weight = embedding_weight
        self.target_precision = target_precision
        self.cv_folds = cv_folds
        self.C = C
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.min_positives = min_positives
        self.random_state = random_state

    def __sklearn_tags__(self) -> Tags:
        """scikit-learn tags: term lists in, a 0/1 matrix of codes out.

        The input is text (term lists or space-joined terms), never a numeric 2-d array, so
        ``sklearn.utils.estimator_checks`` skips the checks that feed numeric arrays; the target
        is a required multi-label 0/1 matrix (one column per code).
        """
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_class = False
            tags.classifier_tags.multi_label = True
        return tags

    # -- fitting ---------------------------------------------------------------------------
    def _check_params(self, n: int) -> None:
        if not 0 < self.target_precision <= 1:
            raise OptionError(
                f"target_precision must be in (0, 1]; got {self.target_precision}. Try 0.8."
            )
        if self.cv_folds < 2:
            raise OptionError(f"cv_folds must be at least 2; got {self.cv_folds}.")
        if n < self.cv_folds:
            raise DataError(
                f"Only {n} coded answers for {self.cv_folds}-fold cross-validation; "
                f"code at least {self.cv_folds} answers."
            )

    def _fit_decisions(
        self, docs: list[list[str]], Y: np.ndarray
    ) -> tuple[CodingFeatures, list[LogisticRegression | float]]:
        """Fit features and one model per code (a constant where a code is all 0 or all 1)."""
        feats = CodingFeatures(char_ngrams=self.char_ngrams, min_df=self.min_df,
                               embedding_model=self.embedding_model,
                               embedding_weight=self.embedding_weight)  # fmt: skip
        X = feats.fit_transform(docs)
        models: list[LogisticRegression | float] = []
        for j in range(Y.shape[1]):
            y = Y[:, j]
            if y.min() == y.max():
                models.append(8.0 if y[0] else -8.0)
            else:
                # liblinear penalises the intercept: scale it so that it can carry the prior.
                lr = LogisticRegression(C=self.C, solver="liblinear", intercept_scaling=10.0)
                models.append(lr.fit(X, y))
        return feats, models

    @staticmethod
    def _decisions(
        feats: CodingFeatures, models: list[LogisticRegression | float], docs: list[list[str]]
    ) -> np.ndarray:
        X = feats.transform(docs)
        out = np.empty((len(docs), len(models)))
        for j, m in enumerate(models):
            out[:, j] = m if isinstance(m, float) else m.decision_function(X)
        return out

    def fit(
        self, X: Sequence[Sequence[str] | str], Y: pd.DataFrame | np.ndarray
    ) -> MultiLabelCoder:
        """Learn from coded answers.

        Parameters
        ----------
        X : sequence of term lists (or space-joined term strings), length n
        Y : DataFrame or array of shape (n, n_codes)
            0/1 human codes; a DataFrame's columns name the codes.

        Returns
        -------
        self
        """
        docs = as_term_lists(X)
        if isinstance(Y, pd.DataFrame):
            classes = np.asarray([str(c) for c in Y.columns], dtype=object)
            Ya = Y.to_numpy()
        else:
            Ya = np.asarray(Y)
            if Ya.ndim == 1:
                Ya = Ya.reshape(-1, 1)
            classes = np.asarray([str(j) for j in range(Ya.shape[1])], dtype=object)
        if Ya.shape[0] != len(docs):
            raise DataError(f"X has {len(docs)} answers but Y has {Ya.shape[0]} rows.")
        if not np.isin(Ya, (0, 1)).all():
            raise DataError("Y must hold only 0 and 1 (one column per code).")
        Ya = Ya.astype(int)
        self._check_params(len(docs))
        if not any(docs):
            raise DataError("No coded answer has any term; nothing to learn from.")
        # Out-of-fold decisions calibrate the scores and choose thresholds on unseen answers.
        # The fold models themselves score new answers (averaged), so that thresholds apply to
        # models trained on as many answers as those that chose them.
        oof = np.zeros(Ya.shape, dtype=float)
        folds = KFold(self.cv_folds, shuffle=True, random_state=self.random_state)
        self.fold_models_ = []
        self.cv_fold_ = np.zeros(len(docs), dtype=int)
        for k, (train, test) in enumerate(folds.split(docs)):
            self.cv_fold_[test] = k
            feats, models = self._fit_decisions([docs[i] for i in train], Ya[train])
            oof[test] = self._decisions(feats, models, [docs[i] for i in test])
            self.fold_models_.append((feats, models))
        self.platt_ = np.array([_platt(oof[:, j], Ya[:, j]) for j in range(Ya.shape[1])])
        self.cv_scores_ = self._calibrate(oof)
        self.cv_truth_ = Ya
        self.classes_ = classes
        self.n_positives_ = Ya.sum(axis=0)
        # Best guesses mimic how many codes the coders gave: at least one when nearly every
        # coded answer has one, exactly the most likely one when nearly every answer has one.
        n_codes = Ya.sum(axis=1)
        self.at_least_one_ = bool((n_codes > 0).mean() >= 0.9)
        # Answers given no code ("none of these codes") say nothing about how many codes an
        # answer takes: a one-code scheme with such rows is still single-code (trial
        # 2026-12-01: 274 rows of 0 beside 118 single codes switched the AN titles to the
        # per-code rule).
        has_code = n_codes > 0
        self.single_code_ = bool(has_code.any() and (n_codes[has_code] == 1).mean() >= 0.9)
        self.answer_level_ = bool(ANSWER_LEVEL and self.single_code_)
        self.thresholds_, self.code_targets_ = self._thresholds_and_aims(self.target_precision)
        self.automatic_ = np.isfinite(self.thresholds_)
        self.expected_ = self.expected_for(self.target_precision)
        self.best_thresholds_ = np.array(
            [best_f1_threshold(self.cv_scores_[:, j], Ya[:, j]) for j in range(Ya.shape[1])]
        )
        self.set_none_thresholds()
        never = [str(c) for c, t in zip(classes, self.thresholds_, strict=True) if np.isinf(t)]
        if never:
            logger.info(
                "%d code(s) never reach precision %.2f and go to review only: %s",
                len(never), self.target_precision, ", ".join(never[:5]),
            )
        return self

    def learnable_codes(self) -> np.ndarray:
        """Codes that may be assigned automatically: shape (n_codes,), bool.

        A code needs ``min_positives`` coded answers where it applies *and* as many where it
        does not: a code ticked on every coded answer (or nearly) cannot be told from the
        others, however high its cross-validated precision looks (trial 2026-12-01: a code put
        on all 150 coded answers was made automatic for every new answer with an expected
        precision of 0.97; it was right on 46 of 113).
        """
        negatives = len(self.cv_truth_) - self.n_positives_
        return (self.n_positives_ >= self.min_positives) & (negatives >= self.min_positives)

    def open_world_share(self) -> float:
        """Share of the coded answers given a code whose codes all have fewer than
        ``min_positives`` coded examples (0 when no coded answer has a code).

        Compared with :data:`OPEN_WORLD_SHARE` by :meth:`needed_positives`.
        """
        truth = np.asarray(self.cv_truth_, dtype=bool)
        with_code = truth.any(axis=1)
        if not with_code.any():
            return 0.0
        thick = self.n_positives_ >= self.min_positives
        thin_only = with_code & ~(truth & thick).any(axis=1)
        return float(thin_only.sum() / with_code.sum())

    def needed_positives(self) -> int:
        """Coded examples a code needs to be assigned automatically: ``min_positives``, or
        :data:`OPEN_WORLD_FACTOR` times it in an open world (:data:`OPEN_WORLD_SHARE`)."""
        open_world = OPEN_WORLD_SHARE is not None and self.open_world_share() >= OPEN_WORLD_SHARE
        return int(self.min_positives * (OPEN_WORLD_FACTOR if open_world else 1))

    def automatic_candidates(self) -> np.ndarray:
        """Codes the held-out search may make automatic: shape (n_codes,), bool.

        :meth:`learnable_codes` with at least :meth:`needed_positives` coded examples. A code
        that is learnable but not a candidate still gives the review queue its best guesses.
        """
        return self.learnable_codes() & (self.n_positives_ >= self.needed_positives())

    def _choose_thresholds(
        self, target_precision: float, rows: np.ndarray, code_targets: np.ndarray | None = None,
    ) -> np.ndarray:
        """Per-code thresholds chosen on the out-of-fold scores of ``rows`` only.

        ``code_targets`` (shape (n_codes,)) is the precision each code's threshold is chosen
        for (a code raised by :meth:`heldout_for` aims higher than ``target_precision``).
        """
        scores, truth = self.cv_scores_[rows], self.cv_truth_[rows]
        prior = pooled_precision(scores, truth)
        out = np.full(scores.shape[1], np.inf)
        learnable = self.automatic_candidates()
        for j in range(len(out)):
            if learnable[j]:
                aim = target_precision if code_targets is None else float(code_targets[j])
                out[j] = threshold_for_precision(
                    scores[:, j], truth[:, j], target_precision=aim,
                    prior=prior, prior_strength=PRIOR_STRENGTH,
                )  # fmt: skip
        return out

    def _heldout_codes(
        self, codes: np.ndarray, aim: float,
        priors: list[tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]],
    ) -> np.ndarray:
        """0/1 held-out codes of ``codes``, thresholds chosen for ``aim`` on the other folds.

        ``priors`` holds, per fold, the outer rows and the pooled precision of the inner rows.
        """
        dec = np.zeros((len(self.cv_truth_), len(codes)), dtype=int)
        for outer, prior in priors:
            inner = ~outer
            for c, j in enumerate(codes):
                th = threshold_for_precision(
                    self.cv_scores_[inner, j], self.cv_truth_[inner, j], target_precision=aim,
                    prior=prior, prior_strength=PRIOR_STRENGTH,
                )  # fmt: skip
                dec[outer, c] = self.cv_scores_[outer, j] >= th
        return dec

    def heldout_search(
        self, target_precision: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Held-out automatic codes, raising the threshold of a code that fails its check.

        For every cross-validation fold, thresholds are chosen on the out-of-fold scores of
        the *other* folds (inner) and applied to the scores of that fold (outer), which came
        from a model that never saw it: the codes it gets are those an uncoded answer would
        get. A code passes if its held-out precision, shrunk toward the pooled held-out
        precision of every code (:data:`PRIOR_STRENGTH` pseudo-assignments), reaches the
        target, with at least :data:`MIN_HELDOUT_RIGHT` right codes of its own and more right
        than wrong ones. A code that fails is not switched off: its thresholds are chosen again
        for a stricter precision (steps of :data:`RAISE_STEP` up to :data:`MAX_CODE_TARGET`),
        i.e. higher thresholds, and the lowest that passes on the outer folds is kept. Only a code
        for which no threshold passes, or with fewer than ``min_positives`` coded examples,
        goes to review entirely.

        Parameters
        ----------
        target_precision : float
            Required precision of automatic codes.

        Returns
        -------
        decisions : ndarray of shape (n_samples, n_codes)
            0/1 held-out automatic codes (0 for every code that is not automatic).
        automatic : ndarray of bool, shape (n_codes,)
            Codes that may be assigned automatically at this target.
        code_targets : ndarray of shape (n_codes,)
            Precision each code's threshold is chosen for: ``target_precision``, higher for a
            raised code, ``nan`` for a code that is not automatic.
        """
        check_is_fitted(self, "cv_scores_")
        if getattr(self, "answer_level_", False):
            return self._answer_level_search(target_precision)
        dec, automatic, code_targets = self._per_code_search(target_precision)
        if int((dec & self.cv_truth_).sum()) < POOLED_MIN_HELDOUT_RIGHT:
            # too little held-out evidence for any promise: every code goes to review
            return (np.zeros_like(dec), np.zeros(len(automatic), dtype=bool),
                    np.full(len(automatic), np.nan))  # fmt: skip
        return dec, automatic, code_targets

    def _per_code_search(
        self, target_precision: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`heldout_search` of the per-code rule, before the pooled evidence count."""
        n_codes = self.cv_truth_.shape[1]
        enough = self.automatic_candidates()
        priors = []
        for k in np.unique(self.cv_fold_):
            outer = self.cv_fold_ == k
            priors.append(
                (outer, pooled_precision(self.cv_scores_[~outer], self.cv_truth_[~outer]))
            )
        candidates = np.flatnonzero(enough)
        dec = np.zeros(self.cv_truth_.shape, dtype=int)
        dec[:, candidates] = self._heldout_codes(candidates, target_precision, priors)
        # The pooled held-out precision at the common target is the prior of every check.
        tp_all, n_all = int((dec & self.cv_truth_).sum()), int(dec.sum())
        pooled = tp_all / n_all if n_all else 0.0

        def passes(d: np.ndarray, j: int) -> bool:
            tp, n = int((d & self.cv_truth_[:, j]).sum()), int(d.sum())
            return heldout_passes(tp, n, pooled=pooled, target_precision=target_precision)

        code_targets = np.full(n_codes, float(target_precision))
        automatic = np.array([enough[j] and passes(dec[:, j], j) for j in range(n_codes)])
        aims = np.arange(target_precision + RAISE_STEP, MAX_CODE_TARGET + 1e-9, RAISE_STEP)
        for j in np.flatnonzero(enough & ~automatic):
            for aim in aims:
                d = self._heldout_codes(np.array([j]), float(aim), priors)[:, 0]
                if passes(d, j):
                    code_targets[j], dec[:, j], automatic[j] = round(float(aim), 4), d, True
                    break
        automatic = automatic.astype(bool)
        code_targets[~automatic] = np.nan
        dec[:, ~automatic] = 0
        return dec, automatic, code_targets

    # -- answer-level rule (single-code surveys) --------------------------------------------
    def _answer_cut(self, rows: np.ndarray, aim: float) -> float:
        """One cut on the top code's score, chosen on the out-of-fold scores of ``rows``.

        Answers whose most likely code has fewer than ``min_positives`` coded examples are left
        out: they are never coded automatically. The cut is the lowest at which the lower Wilson
        bound (z = :data:`PRECISION_BOUND_Z`) of the pooled precision of the top codes above it
        reaches ``aim`` (:func:`threshold_for_precision`, never below :data:`MIN_SCORE`).
        """
        scores, truth = self.cv_scores_[rows], self.cv_truth_[rows]
        if not len(scores):
            return float("inf")
        top = scores.argmax(axis=1)
        top_score = scores[np.arange(len(top)), top]
        correct = truth[np.arange(len(top)), top]
        eligible = self.automatic_candidates()[top]
        if not eligible.any():
            return float("inf")
        return threshold_for_precision(
            top_score[eligible], correct[eligible], target_precision=aim,
            min_assigned=MIN_HELDOUT_RIGHT, z=PRECISION_BOUND_Z, floor=ANSWER_MIN_SCORE,
        )  # fmt: skip

    def _answer_heldout(self, aim: float) -> np.ndarray:
        """0/1 held-out top codes: the cut chosen on the other folds, applied to each fold."""
        dec = np.zeros(self.cv_truth_.shape, dtype=int)
        for k in np.unique(self.cv_fold_):
            outer = self.cv_fold_ == k
            cut = self._answer_cut(~outer, aim)
            th = np.where(self.automatic_candidates(), cut, np.inf)
            dec[outer] = self.decide(self.cv_scores_[outer], th)
        return dec

    def _answer_level_search(
        self, target_precision: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`heldout_search` for the answer-level rule of a single-code survey.

        The cut is chosen for ``target_precision`` on the inner folds and applied to the outer
        folds; if the pooled held-out precision of the top codes (lower Wilson bound at z =
        :data:`ANSWER_HELDOUT_Z`) misses the target, or fewer than
        :data:`POOLED_MIN_HELDOUT_RIGHT` held-out codes are right, the cut is chosen again for a
        stricter precision (steps of :data:`RAISE_STEP` up to :data:`MAX_CODE_TARGET`); if none
        passes, nothing is automatic.
        """
        n_codes = self.cv_truth_.shape[1]
        enough = self.automatic_candidates()
        aims = np.arange(target_precision, MAX_CODE_TARGET + 1e-9, RAISE_STEP)
        for aim in aims if enough.any() else []:
            dec = self._answer_heldout(float(aim))
            tp, n = int((dec & self.cv_truth_).sum()), int(dec.sum())
            if tp < POOLED_MIN_HELDOUT_RIGHT:
                continue
            low = (float(wilson_lower(np.array([tp]), np.array([n]), z=ANSWER_HELDOUT_Z)[0])
                   if ANSWER_HELDOUT_Z > 0 else tp / n)  # fmt: skip
            if low >= target_precision:
                rows = np.ones(len(self.cv_truth_), dtype=bool)
                automatic = enough & np.isfinite(self._answer_cut(rows, float(aim)))
                targets = np.where(automatic, round(float(aim), 4), np.nan)
                dec[:, ~automatic] = 0
                return dec, automatic, targets
        return (np.zeros(self.cv_truth_.shape, dtype=int), np.zeros(n_codes, dtype=bool),
                np.full(n_codes, np.nan))  # fmt: skip

    def heldout_right(self, target_precision: float) -> int:
        """Right held-out automatic codes, every code together, at ``target_precision``.

        With fewer than :data:`POOLED_MIN_HELDOUT_RIGHT`, nothing is automatic at this target
        (nor, having fewer automatic codes, at a stricter one): too little evidence, more coded
        answers needed. Answer-level rule: its top codes at the cut chosen for the target;
        per-code rule: the codes that passed their own check.
        """
        check_is_fitted(self, "cv_scores_")
        if getattr(self, "answer_level_", False):
            dec = self._answer_heldout(float(target_precision))
        else:
            dec = self._per_code_search(float(target_precision))[0]
        return int((dec & self.cv_truth_).sum())

    def decide(self, scores: np.ndarray, thresholds: np.ndarray | None = None) -> np.ndarray:
        """0/1 automatic codes from calibrated scores and per-code thresholds.

        A code is assigned where its score reaches its threshold; with the answer-level rule of
        a single-code survey (``answer_level_``) only the answer's most likely code can be, so
        an answer whose most likely code is not automatic gets no code (it goes to review).

        Parameters
        ----------
        scores : array of shape (n, n_codes)
            Calibrated scores (:meth:`predict_proba`).
        thresholds : array of shape (n_codes,), optional
            Per-code thresholds (:meth:`thresholds_for`); ``thresholds_`` when omitted.
        """
        scores = np.asarray(scores, dtype=float)
        th = self.thresholds_ if thresholds is None else np.asarray(thresholds, dtype=float)
        out = (scores >= th).astype(int)
        if getattr(self, "answer_level_", False) and scores.ndim == 2 and scores.shape[1]:
            top = np.zeros(scores.shape, dtype=int)
            top[np.arange(len(scores)), scores.argmax(axis=1)] = 1
            out &= top
        return out

    def heldout_for(self, target_precision: float) -> tuple[np.ndarray, np.ndarray]:
        """Held-out automatic codes and automatic codes (see :meth:`heldout_search`).

        Returns
        -------
        decisions : ndarray of shape (n_samples, n_codes)
            0/1 held-out automatic codes (0 for every code that is not automatic).
        automatic : ndarray of bool, shape (n_codes,)
            Codes that may be assigned automatically at this target.
        """
        dec, automatic, _ = self.heldout_search(target_precision)
        return dec, automatic

    def expected_for(self, target_precision: float) -> dict[str, float | int | None]:
        """Expected precision of automatic codes and share of answers coded automatically.

        Measured on held-out folds (:meth:`heldout_for`), with Wilson intervals at
        :data:`EXPECTED_LEVEL`.

        Returns
        -------
        dict
            ``target_precision``, ``precision``, ``precision_low``, ``precision_high`` (None
            when nothing was assigned), ``coverage``, ``coverage_low``, ``coverage_high``,
            ``n_assigned``, ``n_answers``, ``automatic_codes``, ``level``.
        """
        dec, automatic = self.heldout_for(target_precision)
        out = expected_block(dec, self.cv_truth_, target_precision=target_precision)
        out["automatic_codes"] = int(automatic.sum())
        return out

    def _calibrate(self, decision: np.ndarray) -> np.ndarray:
        z = decision * self.platt_[:, 0] + self.platt_[:, 1]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def thresholds_for(self, target_precision: float) -> np.ndarray:
        """Per-code thresholds reaching ``target_precision``, ``inf`` where not automatic.

        Thresholds are chosen on every out-of-fold score (shrunk per-code precision, see
        :func:`threshold_for_precision`), each code for the precision that passed the held-out
        check of :meth:`heldout_search` (higher than the target for a raised code); codes for
        which no threshold passes, or with fewer than ``min_positives`` coded examples, get
        ``inf``.
        """
        return self._thresholds_and_aims(target_precision)[0]

    def _thresholds_and_aims(self, target_precision: float) -> tuple[np.ndarray, np.ndarray]:
        check_is_fitted(self, "cv_scores_")
        _, automatic, aims = self.heldout_search(target_precision)
        rows = np.ones(len(self.cv_truth_), dtype=bool)
        if getattr(self, "answer_level_", False):
            if not automatic.any():
                return np.full(len(automatic), np.inf), aims
            cut = self._answer_cut(rows, float(np.nanmax(aims)))
            return np.where(automatic, cut, np.inf), aims
        out = self._choose_thresholds(target_precision, rows, np.nan_to_num(aims, nan=1.0))
        out[~automatic] = np.inf
        return out, aims

    # -- "none of these codes" -------------------------------------------------------------
    def set_none_thresholds(self) -> MultiLabelCoder:
        """Choose when an answer gets *none of these codes* (no code applies), from the
        coded answers the coders read and gave no code.

        The *none* score of an answer is ``1 - max(score of every code)``. Automatic *none*
        (:meth:`predict_none`) uses the lowest cut whose out-of-fold precision (Wilson lower
        bound, :func:`threshold_for_precision`) reaches ``target_precision``; the cut is kept
        only if it also holds on answers it was not chosen on (cut chosen on the other folds,
        applied to each fold: held-out precision at least the target, with at least
        :data:`MIN_HELDOUT_RIGHT` right *none*), else ``inf``. Best guesses (:meth:`suggest`)
        use the cut maximising the F1 of *none*. Without any coded answer given no code, both
        are ``inf``: *none* is never guessed. Recomputed from the stored out-of-fold scores
        (a saved coder gets them on loading). The code thresholds are not changed.

        Returns
        -------
        self
        """
        check_is_fitted(self, "cv_scores_")
        truth = self.cv_truth_.sum(axis=1) == 0
        none_score = _none_score(self.cv_scores_)
        self.best_none_threshold_ = best_f1_threshold(none_score, truth)
        cut = threshold_for_precision(none_score, truth.astype(int),
                                      target_precision=self.target_precision,
                                      min_assigned=MIN_HELDOUT_RIGHT)  # fmt: skip
        held = np.zeros(len(truth), dtype=bool)
        for k in np.unique(self.cv_fold_):
            outer = self.cv_fold_ == k
            inner_cut = threshold_for_precision(
                none_score[~outer], truth[~outer].astype(int),
                target_precision=self.target_precision, min_assigned=MIN_HELDOUT_RIGHT,
            )  # fmt: skip
            held[outer] = none_score[outer] >= inner_cut
        right, n = int((held & truth).sum()), int(held.sum())
        # "none" is learnt like a code: it needs coded answers where it does not apply too
        # (every coded answer given no code made "none" automatic at a claimed 1.00), and as
        # much held-out evidence as the codes (a trial: 57 answers given "none" under 0.82
        # (0.59-0.94) from 22 coded-none answers, while no code could be checked).
        counterexamples = int((~truth).sum())
        if not (n and right >= POOLED_MIN_HELDOUT_RIGHT and right / n >= self.target_precision
                and counterexamples >= self.min_positives):
            cut = float("inf")
        self.none_threshold_ = float(cut)
        block = expected_block(held[:, None], truth[:, None],
                               target_precision=self.target_precision)  # fmt: skip
        self.none_expected_ = {
            "coded_none": int(truth.sum()), "threshold": _finite(cut),
            "precision": block["precision"], "precision_low": block["precision_low"],
            "precision_high": block["precision_high"], "n_assigned": n, "n_right": right,
            "automatic": bool(np.isfinite(cut)),
        }  # fmt: skip
        return self

    def predict_none(self, X: Sequence[Sequence[str] | str]) -> np.ndarray:
        """Whether each answer gets *none of these codes* automatically, shape (n,).

        True where no code is assigned automatically and the highest score of every code is low
        enough (:meth:`set_none_thresholds`); never for an answer without any term.
        """
        check_is_fitted(self, "none_threshold_")
        docs = as_term_lists(X)
        none = _none_score(self.predict_proba(docs)) >= self.none_threshold_
        none &= ~self.predict(docs).any(axis=1) if len(self.classes_) else True
        none[[len(d) == 0 for d in docs]] = False
        return none

    # -- prediction ------------------------------------------------------------------------
    def predict_proba(self, X: Sequence[Sequence[str] | str]) -> np.ndarray:
        """Calibrated score of every code for every answer, shape (n, n_codes)."""
        check_is_fitted(self, "fold_models_")
        docs = as_term_lists(X)
        scores = np.mean(
            [self._calibrate(self._decisions(f, m, docs)) for f, m in self.fold_models_], axis=0
        )
        # An answer without any term carries no evidence: it never gets a confident code.
        empty = np.array([len(d) == 0 for d in docs], dtype=bool)
        scores[empty] = np.minimum(scores[empty], self.cv_truth_.mean(axis=0))
        return scores

    def predict(self, X: Sequence[Sequence[str] | str]) -> np.ndarray:
        """0/1 codes assigned automatically (score at or above the code's threshold).

        Answers without any term are never coded automatically.
        """
        docs = as_term_lists(X)
        out = self.decide(self.predict_proba(docs))
        out[[len(d) == 0 for d in docs]] = 0
        return out

    def suggest(self, X: Sequence[Sequence[str] | str]) -> np.ndarray:
        """0/1 best-guess codes: per-code thresholds maximising cross-validated F1.

        Unlike :meth:`predict`, every answer gets its most likely code(s), confident or not:
        at least one code when nearly every coded answer had one, and only the most likely code
        (plus any code assigned automatically) when nearly every coded answer had exactly one.
        The most likely code is never forced onto an answer whose best guess is *none of these
        codes* (its highest score under the best-F1 cut of *none*, learnt from coded answers
        given no code; see :meth:`set_none_thresholds`): such an answer gets no code.
        Used to compare with other classifiers by F1.
        """
        docs = as_term_lists(X)
        scores = self.predict_proba(docs)
        if not scores.shape[1]:
            return np.zeros(scores.shape, dtype=int)
        top = np.zeros(scores.shape, dtype=int)
        top[np.arange(len(scores)), scores.argmax(axis=1)] = 1
        # A coder fitted before "none of these codes" existed has no cut: never none.
        none_cut = getattr(self, "best_none_threshold_", float("inf"))
        top[_none_score(scores) >= none_cut] = 0
        if self.single_code_:
            return np.maximum(top, self.predict(docs))
        out = (scores >= self.best_thresholds_).astype(int)
        if self.at_least_one_:
            none = out.sum(axis=1) == 0
            out[none] = top[none]
        return out


def _none_score(scores: np.ndarray) -> np.ndarray:
    """Score of *none of these codes*: one minus the highest code score, shape (n,)."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2 or not scores.shape[1]:
        return np.ones(len(scores))
    return 1.0 - scores.max(axis=1)


def _finite(x: float) -> float | None:
    return round(float(x), 4) if np.isfinite(x) else None


def expected_block(
    decisions: np.ndarray, truth: np.ndarray, *, target_precision: float
) -> dict[str, float | int | None]:
    """Precision of held-out automatic codes and share of answers coded, with Wilson intervals.

    Parameters
    ----------
    decisions, truth : arrays of shape (n, n_codes)
        0/1 automatic codes given to held-out coded answers, and their human codes.
    target_precision : float
        The target the thresholds aimed at (recorded).

    Returns
    -------
    dict
        ``target_precision``, ``precision``, ``precision_low``, ``precision_high`` (None when
        nothing was assigned), ``coverage``, ``coverage_low``, ``coverage_high``,
        ``n_assigned``, ``n_right`` (of them right), ``n_answers``, ``level``
        (:data:`EXPECTED_LEVEL`).
    """
    dec = np.asarray(decisions, dtype=int)
    truth = np.asarray(truth, dtype=int)
    tp = int((dec & truth).sum())
    n_assigned = int(dec.sum())
    covered = int(dec.any(axis=1).sum()) if dec.ndim == 2 and dec.shape[1] else 0
    n = len(dec)

    def num(x: float) -> float | None:
        return round(float(x), 4) if np.isfinite(x) else None

    out: dict[str, float | int | None] = {
        "target_precision": float(target_precision),
        "precision": None, "precision_low": None, "precision_high": None,
        "coverage": None, "coverage_low": None, "coverage_high": None,
        "n_assigned": n_assigned, "n_right": tp, "n_answers": n, "level": EXPECTED_LEVEL,
    }  # fmt: skip
    if n_assigned:
        low, high = wilson_interval(np.array([tp]), np.array([n_assigned]), level=EXPECTED_LEVEL)
        out.update(precision=num(tp / n_assigned), precision_low=num(low[0]),
                   precision_high=num(high[0]))  # fmt: skip
    if n:
        low, high = wilson_interval(np.array([covered]), np.array([n]), level=EXPECTED_LEVEL)
        out.update(coverage=num(covered / n), coverage_low=num(low[0]), coverage_high=num(high[0]))
    return out


def expected_sentence(expected: dict[str, float | int | None]) -> str:
    """One line stating the expected precision and share coded automatically.

    >>> line = expected_sentence({"precision": 0.81, "precision_low": 0.74,
    ...     "precision_high": 0.87, "coverage": 0.46, "coverage_low": 0.4, "coverage_high": 0.52})
    >>> line.split("; ")[0]
    'expected precision of automatic codes 0.81 (0.74–0.87)'
    >>> line.split("; ")[1]
    '46 % of answers coded automatically (40–52 %)'
    """
    cov = expected.get("coverage")
    if cov is None:
        share = "share of answers coded automatically unknown"
    else:
        share = (
            f"{100 * float(cov):.0f} % of answers coded automatically "
            f"({100 * float(expected['coverage_low']):.0f}–"
            f"{100 * float(expected['coverage_high']):.0f} %)"
        )
    if expected.get("precision") is None:
        return f"no answer would be coded automatically (no code reaches the target); {share}"
    return (
        f"expected precision of automatic codes {float(expected['precision']):.2f} "
        f"({float(expected['precision_low']):.2f}–{float(expected['precision_high']):.2f}); "
        + share
    )


def _fold(text: str) -> str:
    """Lower case without accents, for matching a code's words in answers."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: Words of code names too common to mark an answer as mentioning the code.
_NAME_STOPWORDS = frozenset(
    "autre autres avec dans des les pour par sur une aux est pas plus sans sous entre tout "
    "tous toutes cette ces leur leurs nos vos".split()
)


def code_word_stems(name: str, seeds: Sequence[str] = ()) -> list[str]:
    """Stems of a code's own words (its name and codebook seeds), to find answers mentioning it.

    Each word of at least four letters (accents and case folded, common words left out) is cut
    to its first ``max(4, len - 4)`` letters: ``pollution`` -> ``pollu`` (pollué, polluer...).
    """
    stems: list[str] = []
    for phrase in (name, *seeds):
        for word in re.findall(r"\w+", _fold(str(phrase))):
            if len(word) < 4 or word.isdigit() or word in _NAME_STOPWORDS:
                continue
            stem = word[: max(4, len(word) - 4)]
            if stem not in stems:
                stems.append(stem)
    return stems


def mentions(texts: Sequence[str], stems: Sequence[str]) -> np.ndarray:
    """Whether each text holds a word starting with one of ``stems`` (accents and case folded)."""
    if not stems:
        return np.zeros(len(texts), dtype=bool)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + ")")
    return np.array([bool(pattern.search(_fold(str(t)))) for t in texts], dtype=bool)


def uncertainty(scores: np.ndarray) -> np.ndarray:
    """Highest binary entropy (bits) over codes: how much coding an answer would teach the model."""
    p = np.clip(scores, 1e-12, 1 - 1e-12)
    ent = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    return ent.max(axis=1) if ent.ndim == 2 and ent.shape[1] else np.zeros(len(scores))


def review_queue(
    ids: Sequence[str],
    texts: Sequence[str],
    scores: np.ndarray,
    assigned: np.ndarray,
    classes: Sequence[str],
    *,
    n_candidates: int = 3,
    to_check: np.ndarray | None = None,
    mentioned: np.ndarray | None = None,
    none: np.ndarray | None = None,
) -> pd.DataFrame:
    """Answers a person must code: no automatic code, or a code that cannot be automatic.

    Parameters
    ----------
    ids, texts : sequences of str
        Respondent ids and (masked) texts of the answers.
    scores : array of shape (n, n_codes)
        Calibrated scores (:meth:`MultiLabelCoder.predict_proba`).
    assigned : array of shape (n, n_codes)
        0/1 automatic codes (:meth:`MultiLabelCoder.predict`).
    classes : sequence of str
        Code names.
    n_candidates : int
        Number of best codes listed per answer.
    to_check : array of bool, shape (n, n_codes), optional
        Answers to check for codes that cannot be assigned automatically (they mention the
        code's words or the code is their best guess); such answers are queued even when they
        got another code automatically.
    mentioned : array of bool, shape (n, n_codes), optional
        The part of ``to_check`` where the answer holds the code's own words: those answers come
        first.
    none : array of bool, shape (n,), optional
        Answers given *none of these codes* automatically (:meth:`MultiLabelCoder.predict_none`):
        settled, not queued.

    Returns
    -------
    DataFrame
        ``rank``, ``respondent_id``, ``text``, ``uncertainty``, ``best_code``, ``best_score``,
        ``candidates`` (``code (score)`` for the best ``n_candidates`` codes, ``; ``-joined),
        ``check_codes`` (codes not assigned automatically that this answer may carry).
        Answers mentioning such a code's words first, then the others most uncertain first.
    """
    scores = np.asarray(scores, dtype=float)
    n = len(scores)
    classes = list(classes)
    check = (np.zeros(scores.shape, dtype=bool) if to_check is None
             else np.asarray(to_check, dtype=bool))  # fmt: skip
    words = (np.zeros(scores.shape, dtype=bool) if mentioned is None
             else np.asarray(mentioned, dtype=bool))  # fmt: skip
    unassigned = ~np.asarray(assigned, dtype=bool).any(axis=1) if n else np.zeros(0, dtype=bool)
    queued = unassigned | check.any(axis=1) if n else unassigned
    if none is not None and n:
        queued &= ~np.asarray(none, dtype=bool)
    rows = np.flatnonzero(queued)
    unc = uncertainty(scores[rows]) if len(classes) else np.zeros(len(rows))
    first = words[rows].any(axis=1) if len(classes) else np.zeros(len(rows), dtype=bool)
    order_idx = np.lexsort((-unc, ~first))
    records = []
    for rank, k in enumerate(order_idx, start=1):
        i = rows[k]
        best = np.argsort(-scores[i], kind="stable")[:n_candidates]
        records.append(
            {
                "rank": rank,
                "respondent_id": ids[i],
                "text": texts[i],
                "uncertainty": round(float(unc[k]), 4),
                "best_code": classes[best[0]] if len(best) else "",
                "best_score": round(float(scores[i, best[0]]), 4) if len(best) else np.nan,
                "candidates": "; ".join(f"{classes[j]} ({scores[i, j]:.2f})" for j in best),
                "check_codes": "; ".join(classes[j] for j in np.flatnonzero(check[i])),
            }
        )
    cols = ["rank", "respondent_id", "text", "uncertainty", "best_code", "best_score",
            "candidates", "check_codes"]  # fmt: skip
    return pd.DataFrame.from_records(records, columns=cols)
