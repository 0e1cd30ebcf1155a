"""Document-term matrices built from a processed corpus.

The corpus already holds each answer's features (lemmas, negated forms, multi-word expressions
joined with ``_``), so this module only counts them: no tokenisation happens here, which keeps the
theme models and the text pipeline in agreement about what a "term" is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NoReturn, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from textmine.errors import OptionError

WEIGHTINGS = ("count", "binary")

#: Answers per partition when the matrix is built on the command's engine (issue 19).
PARTITION_ANSWERS = 50_000
#: Below this many answers the matrix is counted in this process: sending the term lists to
#: worker processes costs more than counting them.
PARALLEL_MIN_ANSWERS = 200_000


class TermsLike(Protocol):
    """What :func:`document_term_matrix` needs from a corpus: ids, statuses and term lists."""

    ids: list[str]
    status: list[str]
    terms: list[list[str]]


@dataclass
class DocTermMatrix:
    """A sparse answers × terms matrix.

    Attributes
    ----------
    X : scipy.sparse.csr_matrix
        Counts (or 0/1) of each term in each answer; one row per corpus answer, in corpus order.
    ids : list of str
        Respondent ids of the rows.
    terms : list of str
        Vocabulary, in column order (sorted).
    """

    X: sp.csr_matrix
    ids: list[str]
    terms: list[str]

    @property
    def n_terms_per_row(self) -> np.ndarray:
        """Number of distinct vocabulary terms in each answer."""
        return np.diff(self.X.indptr)


def _identity(doc: list[str]) -> list[str]:
    # The corpus already holds the features; the vectoriser must not re-tokenise them.
    return doc


#: Prefix of negated features made by the text pipeline ("pas_moyen"): never split.
NEGATION_PREFIX = "pas_"


def with_mwe_parts(terms: list[str]) -> list[str]:
    """Add the words of each multi-word expression after it (``noyade_piscine`` -> +noyade,
    +piscine); negated features (``pas_moyen``) are left whole.

    Short answers rarely share a feature; counting an expression's words too lets "noyades en
    piscine" and "prévention des noyades" meet, while the expression itself stays a feature (and
    the label shows it).
    """
    out: list[str] = []
    for term in terms:
        out.append(term)
        if "_" in term and not term.startswith(NEGATION_PREFIX):
            out.extend(part for part in term.split("_") if len(part) > 1)
    return out


def _usable_terms(corpus: TermsLike, mwe_parts: bool) -> list[list[str]]:
    # Non-answers and empty answers never contribute terms, whatever their term list says.
    return [
        (with_mwe_parts(t) if mwe_parts else list(t)) if s == "ok" else []
        for t, s in zip(corpus.terms, corpus.status, strict=True)
    ]


def document_term_matrix(
    corpus: TermsLike,
    *,
    min_df: int = 1,
    max_df: float = 1.0,
    weighting: str = "count",
    mwe_parts: bool = False,
    keep: Collection[str] = (),
    vocabulary: Sequence[str] | None = None,
) -> DocTermMatrix:
    """Count the corpus terms of every answer.

    Parameters
    ----------
    corpus : Corpus
        Processed answers (only answers with status ``ok`` contribute terms).
    min_df : int
        Keep terms found in at least this many answers.
    max_df : float
        Drop terms found in more than this share of the answers with terms (``1.0`` keeps all).
    weighting : {"count", "binary"}
        Raw counts or presence/absence. TF-IDF weighting is learned by the theme models themselves
        so that a saved model re-applies the same IDF to new answers.
    mwe_parts : bool
        Also count the words of multi-word expressions (see :func:`with_mwe_parts`).
    keep : collection of str
        Terms kept whatever their document frequency (a codebook's seed terms).
    vocabulary : sequence of str, optional
        Fixed vocabulary (a saved model's); ``min_df``/``max_df`` are then ignored.

    Returns
    -------
    DocTermMatrix

    Raises
    ------
    OptionError
        If ``weighting`` is unknown or no term survives the filters.
    """
    if weighting not in WEIGHTINGS:
        raise OptionError(
            f"Unknown weighting '{weighting}'; choose one of {', '.join(WEIGHTINGS)}."
        )
    rows = _distinct_rows(corpus)
    if rows is not None:
        return _distinct_matrix(corpus, rows, min_df=min_df, max_df=max_df,
                                binary=weighting == "binary", mwe_parts=mwe_parts, keep=keep,
                                vocabulary=vocabulary)
    docs = _usable_terms(corpus, mwe_parts)
    n_with_terms = sum(1 for d in docs if d)
    binary = weighting == "binary"
    partitions = _partitions(len(docs))
    if partitions is not None:
        X, terms = _partitioned_matrix(docs, partitions, n_with_terms, min_df=min_df,
                                       max_df=max_df, binary=binary, keep=keep,
                                       vocabulary=vocabulary)
        return DocTermMatrix(X, list(corpus.ids), terms)
    if vocabulary is not None:
        vec = CountVectorizer(
            analyzer=_identity, vocabulary=list(vocabulary), binary=binary, dtype=np.float64
        )
        X = vec.transform(docs)
        return DocTermMatrix(sp.csr_matrix(X), list(corpus.ids), list(vocabulary))
    if n_with_terms == 0:
        raise OptionError(
            f"None of the {len(docs)} answers has any term left; check the text column "
            "and the non-answer list."
        )
    # max_df is a share of the answers that have terms, so that non-answers do not dilute it.
    max_count = max(int(np.floor(max_df * n_with_terms)), 1) if max_df < 1.0 else n_with_terms
    vec = CountVectorizer(analyzer=_identity, binary=binary, dtype=np.float64)
    X = sp.csr_matrix(vec.fit_transform(docs))
    terms = vec.get_feature_names_out()
    df = np.diff(sp.csc_matrix(X).indptr)
    kept = np.isin(terms, list(keep)) if keep else np.zeros(len(terms), dtype=bool)
    keep_mask = ((df >= min_df) & (df <= max_count)) | kept
    if not keep_mask.any():
        _raise_no_terms_left(docs, min_df, max_df, n_with_terms)
    X = sp.csr_matrix(X[:, np.flatnonzero(keep_mask)])
    X.sort_indices()
    return DocTermMatrix(X, list(corpus.ids), [str(t) for t in terms[keep_mask]])


def _distinct_rows(corpus: TermsLike) -> np.ndarray | None:
    """Each answer's row in the corpus's distinct term lists (``-1``: no terms), or ``None``.

    Only a corpus that knows its distinct texts (:class:`textmine.text.corpus.Corpus` from
    ``process_answers``: ``doc_of`` and ``distinct_terms``) is counted by distinct text.
    """
    doc_of = getattr(corpus, "doc_of", None)
    distinct = getattr(corpus, "distinct_terms", None)
    if doc_of is None or distinct is None or len(doc_of) != len(corpus.status) or not distinct:
        return None
    ok = np.fromiter((s == "ok" for s in corpus.status), dtype=bool, count=len(corpus.status))
    # Non-answers and empty answers never contribute terms, whatever their index says.
    return np.where(ok, np.asarray(doc_of, dtype=np.int64), -1)


def _distinct_matrix(corpus: TermsLike, rows: np.ndarray, *, min_df: int, max_df: float,
                     binary: bool, mwe_parts: bool, keep: Collection[str],
                     vocabulary: Sequence[str] | None) -> DocTermMatrix:
    """The document–term matrix counted once per distinct text and expanded to the answers.

    Memory and time at scale (issue 19): 1M resampled answers hold ~56k distinct texts, so the
    counts are made on those and each answer's row is its text's row (``X_distinct[rows]``,
    an integer index: no term list per answer). Document frequencies are the distinct rows'
    presence weighted by their number of answers, so ``min_df``/``max_df`` see the answers as
    the answer-by-answer count does; the matrix equals it entry for entry
    (``tests/test_scale.py::test_distinct_matrix_equals_answer_by_answer``).
    """
    distinct = corpus.distinct_terms  # type: ignore[attr-defined]
    docs = [with_mwe_parts(t) for t in distinct] if mwe_parts else distinct
    n_answers = np.bincount(rows[rows >= 0], minlength=len(docs)).astype(np.int64)
    has_terms = np.array([bool(d) for d in docs], dtype=bool)
    n_with_terms = int(n_answers[has_terms].sum())
    if vocabulary is not None:
        vec = CountVectorizer(analyzer=_identity, vocabulary=list(vocabulary), binary=binary,
                              dtype=np.float64)
        X = _expand_rows(sp.csr_matrix(vec.transform(docs)), rows)
        return DocTermMatrix(X, list(corpus.ids), list(vocabulary))
    if n_with_terms == 0:
        raise OptionError(
            f"None of the {len(rows)} answers has any term left; check the text column "
            "and the non-answer list."
        )
    partitions = _partitions(len(docs))
    if partitions is not None:  # many distinct texts: counted by partition on the engine
        X, terms = _partitioned_matrix(docs, partitions, n_with_terms, min_df=min_df,
                                       max_df=max_df, binary=binary, keep=keep,
                                       vocabulary=None, weights=n_answers)
        X = _expand_rows(X, rows)
        X.sort_indices()
        return DocTermMatrix(X, list(corpus.ids), terms)
    max_count = max(int(np.floor(max_df * n_with_terms)), 1) if max_df < 1.0 else n_with_terms
    vec = CountVectorizer(analyzer=_identity, binary=binary, dtype=np.float64)
    X = sp.csr_matrix(vec.fit_transform(docs))
    terms = vec.get_feature_names_out()
    present = X.copy()
    present.data[:] = 1
    df = np.asarray(present.T @ n_answers).ravel()
    kept = np.isin(terms, list(keep)) if keep else np.zeros(len(terms), dtype=bool)
    # A distinct text no answer holds any more (df 0) must not bring its terms in.
    keep_mask = (((df >= min_df) & (df <= max_count)) | kept) & (df > 0)
    if not keep_mask.any():
        _raise_no_terms_left([d for d, n in zip(docs, n_answers, strict=True) if n], min_df,
                             max_df, n_with_terms)
    X = _expand_rows(sp.csr_matrix(X[:, np.flatnonzero(keep_mask)]), rows)
    X.sort_indices()
    return DocTermMatrix(X, list(corpus.ids), [str(t) for t in terms[keep_mask]])


def _expand_rows(X_distinct: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    """One row per answer: its distinct text's row, or an empty row where ``rows`` is -1."""
    empty = sp.csr_matrix((1, X_distinct.shape[1]), dtype=X_distinct.dtype)
    stacked = sp.vstack([X_distinct, empty], format="csr")
    return sp.csr_matrix(stacked[np.where(rows >= 0, rows, X_distinct.shape[0])])


def _partitions(n_docs: int) -> list[tuple[int, int]] | None:
    """Row ranges of the partitions when the command's engine spreads work, else ``None``."""
    from textmine.engine import current_engine

    engine = current_engine()
    if n_docs < PARALLEL_MIN_ANSWERS or (engine.jobs <= 1 and engine.scheduler is None):
        return None
    return [(start, min(start + PARTITION_ANSWERS, n_docs))
            for start in range(0, n_docs, PARTITION_ANSWERS)]


def partition_document_frequencies(docs: Sequence[Sequence[str]],
                                   weights: Sequence[int] | None = None) -> Counter:
    """Map step: in how many answers of one partition each term occurs.

    Parameters
    ----------
    docs : sequence of sequence of str
        The term lists of the partition's answers (or of its distinct texts).
    weights : sequence of int, optional
        Number of answers of each distinct text (each doc counts once when omitted).

    Returns
    -------
    collections.Counter
        term -> number of answers of the partition holding it.
    """
    df: Counter = Counter()
    if weights is None:
        for doc in docs:
            df.update(set(doc))
        return df
    for doc, n in zip(docs, weights, strict=True):
        if n > 0:  # a distinct text no answer holds brings no term in
            for t in set(doc):
                df[t] += int(n)
    return df


def partition_counts(docs: Sequence[Sequence[str]], *, vocabulary: Sequence[str],
                     binary: bool) -> sp.csr_matrix:
    """Map step: the rows of one partition against a fixed vocabulary.

    Parameters
    ----------
    docs : sequence of sequence of str
        The term lists of the partition's answers.
    vocabulary : sequence of str
        The columns, in order (terms outside it are not counted).
    binary : bool
        Presence/absence instead of counts.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``len(docs) x len(vocabulary)`` float64 counts, column indices sorted.
    """
    vec = CountVectorizer(analyzer=_identity, vocabulary=list(vocabulary), binary=binary,
                          dtype=np.float64)
    X = sp.csr_matrix(vec.transform(list(docs)))
    X.sort_indices()
    return X


def _partitioned_matrix(docs: list[list[str]],
                        partitions: list[tuple[int, int]], n_with_terms: int, *, min_df: int,
                        max_df: float, binary: bool, keep: Collection[str],
                        vocabulary: Sequence[str] | None,
                        weights: np.ndarray | None = None) -> tuple[sp.csr_matrix, list[str]]:
    """The document–term matrix by map-reduce over row partitions on the command's engine.

    Round 1 (without a fixed vocabulary) sums the partitions' document frequencies into the
    vocabulary and applies ``min_df``/``max_df``/``keep`` exactly as the one-process path does;
    round 2 counts every partition against that vocabulary; the partitions' rows are stacked in
    order. The result equals the one-process matrix entry for entry (tests/test_scale.py).
    With ``weights`` (answers per distinct text) ``docs`` are distinct texts: the document
    frequencies are weighted and the rows stay one per distinct text (the caller expands them).
    """
    from textmine.engine import current_engine

    engine = current_engine()
    parts = [(docs[a:b],) for a, b in partitions]
    if vocabulary is None:
        weighted = ([(docs[a:b], weights[a:b].tolist()) for a, b in partitions]
                    if weights is not None else parts)
        if n_with_terms == 0:
            raise OptionError(
                f"None of the {len(docs)} answers has any term left; check the text column "
                "and the non-answer list."
            )
        df: Counter = Counter()
        for counts in engine.map(partition_document_frequencies, weighted):
            df.update(counts)
        max_count = (max(int(np.floor(max_df * n_with_terms)), 1) if max_df < 1.0
                     else n_with_terms)
        keep_set = set(keep)
        terms = sorted(t for t, n in df.items()
                       if (min_df <= n <= max_count) or t in keep_set)
        if not terms:
            _raise_no_terms_left(docs, min_df, max_df, n_with_terms)
    else:
        terms = [str(t) for t in vocabulary]
    blocks = engine.map(partition_counts, parts,
                        broadcast={"vocabulary": terms, "binary": binary})
    X = sp.csr_matrix(sp.vstack(blocks, format="csr"))
    X.sort_indices()
    return X, terms


def _raise_no_terms_left(docs: Sequence[Sequence[str]], min_df: int, max_df: float,
                         n_with_terms: int) -> NoReturn:
    """Refuse a vocabulary emptied by the filters, in one line that says why."""
    distinct = {frozenset(d) for d in docs if d}
    if n_with_terms > 1 and len(distinct) == 1:
        # Every answer has the same terms ("la nature" x 30): no filter can help, say so.
        example = ", ".join(sorted(next(iter(distinct)))[:3])
        raise OptionError(
            f"All {n_with_terms} answers with terms have the same terms ({example}): "
            "there is nothing to tell them apart; themes need answers that differ."
        )
    raise OptionError(_no_terms_left(min_df, max_df, n_with_terms))


def _no_terms_left(min_df: int, max_df: float, n_with_terms: int) -> str:
    """Message for a vocabulary emptied by the filters: only hints that can help.

    ``--min-df`` is suggested only when it is above 1, and ``max_df`` (no CLI option: the
    ``max_df`` key of a project file's ``[themes]`` section, or ``ThemeOptions.max_df``) only when
    it is below 1.
    """
    hints = []
    if min_df > 1:
        hints.append("a lower --min-df (e.g. --min-df 1)")
    if max_df < 1.0:
        hints.append("a higher max_df ([themes] max_df in textmine.toml, ThemeOptions.max_df)")
    advice = (
        "try " + " or ".join(hints) if hints
        else "the answers have too few distinct terms; check the text column and the "
        "non-answer list"
    )
    return (
        f"After filtering (min_df={min_df}, max_df={max_df}), no terms remain in "
        f"{n_with_terms} answers; {advice}."
    )
