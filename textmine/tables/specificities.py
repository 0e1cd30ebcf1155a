"""Lexical specificities (Lafon 1980): terms over- and under-used by each modality's respondents.

For a modality whose respondents wrote ``n`` term occurrences out of ``N`` in the whole corpus,
and a term occurring ``K`` times in the corpus of which ``k`` in the modality's sub-corpus, the
count ``k`` is compared with the hypergeometric distribution ``H(N, K, n)`` (drawing the
modality's ``n`` occurrences without replacement from the corpus):

- over-use (``k > K n / N``): ``p = P(X >= k)``, ``specificity = -log10(p)`` (positive);
- otherwise: ``p = P(X <= k)``, ``specificity = +log10(p)`` (negative, under-use).

``|specificity| >= 2`` means ``p <= 0.01``. This is the score of Lafon, of IRaMuTeQ and TXM; R.temis
prints the same probability as a normal quantile ("t value"). The unit is the term occurrence
(as in lexicometry), not the respondent.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, stats

from textmine.config import TableOptions
from textmine.errors import ColumnError
from textmine.tables.crosstab import ClosedData, _text_index, closed_data, variables
from textmine.tables.respondents import clean_id

log = logging.getLogger(__name__)

COLUMNS = [
    "question",
    "variable",
    "modality",
    "term",
    "freq_modality",
    "freq_total",
    "expected",
    "n_modality_terms",
    "p_value",
    "specificity",
]


def lafon_specificity(
    k: np.ndarray, big_k: np.ndarray, n: np.ndarray, big_n: float
) -> tuple[np.ndarray, np.ndarray]:
    """Signed log10 hypergeometric probability of Lafon, vectorised.

    Parameters
    ----------
    k : array of int
        Occurrences of each term in the sub-corpus.
    big_k : array of int
        Occurrences of each term in the corpus.
    n : int or array of int
        Occurrences (all terms) in the sub-corpus.
    big_n : int
        Occurrences (all terms) in the corpus.

    Returns
    -------
    (specificity, p_value)
        Specificity ``-log10 P(X >= k)`` for over-used terms, ``log10 P(X <= k)`` otherwise, and the
        corresponding one-sided probability. Computed in log space (``logsf``/``logcdf``) so that
        very strong specificities stay finite.

    Notes
    -----
    Why hand-written: no Python library computes Lafon's specificities (they exist in R's
    ``textometry::specificities``, TXM and IRaMuTeQ). Only the signed, one-sided score is
    textmine's; the probabilities themselves are scipy's hypergeometric distribution.

    References
    ----------
    Lafon, P. (1980). Sur la variabilité de la fréquence des formes dans un corpus. *Mots*, 1,
    127–165.
    """
    k = np.asarray(k, dtype=float)
    big_k = np.asarray(big_k, dtype=float)
    n = np.broadcast_to(np.asarray(n, dtype=float), k.shape)
    over = k > big_k * n / big_n
    # scipy's hypergeom(M, n, N): M population, n successes in population, N draws.
    p = np.where(
        over,
        stats.hypergeom.sf(k - 1, big_n, big_k, n),
        stats.hypergeom.cdf(k, big_n, big_k, n),
    )
    with np.errstate(divide="ignore"):
        log_p = np.log(np.clip(p, 0.0, 1.0))
    # Tiny probabilities lose precision or underflow: recompute those few in log space (slow).
    tiny = p < 1e-250
    if tiny.any():
        t_over = tiny & over
        t_under = tiny & ~over
        log_p[t_over] = stats.hypergeom.logsf(k[t_over] - 1, big_n, big_k[t_over], n[t_over])
        log_p[t_under] = stats.hypergeom.logcdf(k[t_under], big_n, big_k[t_under], n[t_under])
    log_p = np.minimum(log_p, 0.0)  # rounding can give tiny positive logs for p == 1
    log10_p = log_p / math.log(10)
    spec = np.where(over, -log10_p, log10_p)
    return spec + 0.0, np.exp(log_p)  # "+ 0.0" turns -0.0 into 0.0


@dataclass(frozen=True)
class TermCounts:
    """Sparse respondent x term occurrence counts."""

    ids: pd.Index
    terms: np.ndarray
    matrix: sparse.csr_matrix


def term_counts(terms: pd.Series) -> TermCounts:
    """Respondent x term occurrence counts from space-separated term strings (index = ids)."""
    vocab: dict[str, int] = {}
    rows, cols, ids = [], [], []
    for rid, text in terms.items():
        if not isinstance(text, str) or not text.strip():
            continue
        row = len(ids)
        ids.append(rid)
        for term in text.split():
            rows.append(row)
            cols.append(vocab.setdefault(term, len(vocab)))
    data = np.ones(len(rows), dtype=np.int64)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(ids), len(vocab)))
    matrix.sum_duplicates()
    return TermCounts(pd.Index(ids), np.array(list(vocab), dtype=object), matrix)


def specificities_frame(
    terms: pd.DataFrame,
    questions: Sequence[ClosedData],
    *,
    min_freq: int = 2,
) -> pd.DataFrame:
    """Lafon specificities of every term for every modality, from plain pandas data.

    Parameters
    ----------
    terms : DataFrame
        As in ``terms.csv``: ``respondent_id``, ``terms`` (space-separated); rows without terms
        are ignored (non-answers have none).
    questions : sequence of ClosedData
        Closed questions whose modalities define the sub-corpora (multiple choice: the
        respondents who ticked each option; numeric: quartile bins).
    min_freq : int
        Report terms occurring at least this many times in the corpus (of respondents with a
        known modality); the corpus size still counts every occurrence.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`, sorted by question, variable, modality and decreasing
        specificity.
    """
    for col in ("respondent_id", "terms"):
        if col not in terms.columns:
            raise ColumnError(
                f"Column '{col}' not found in the terms table; available columns: "
                f"{', '.join(map(str, terms.columns))}. Pass the terms.csv of a themes run."
            )
    ids = [clean_id(i) for i in terms["respondent_id"]]
    series = pd.Series(terms["terms"].to_numpy(), index=ids)
    counts = term_counts(series)
    parts = []
    for question in questions:
        for var_name, modality, _ in variables(question):
            # The corpus: every respondent with terms and a known answer to the question.
            known = _text_index(modality).dropna().index
            if question.kind == "multiple":
                # Only the "yes" side: the sub-corpus of those who ticked the option.
                modality = modality.cat.remove_categories([modality.cat.categories[1]])
            parts.append(
                _specificities_one(counts, modality, known, question.name, var_name, min_freq)
            )
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def _specificities_one(
    counts: TermCounts,
    modality: pd.Series,
    known: pd.Index,
    question: str,
    variable: str,
    min_freq: int,
) -> pd.DataFrame:
    mod = _text_index(modality)
    rows = np.flatnonzero(counts.ids.isin(known))
    if rows.size == 0:
        return pd.DataFrame(columns=COLUMNS)
    sub = counts.matrix[rows]
    codes = mod.reindex(counts.ids[rows]).cat.codes.to_numpy()
    levels = list(mod.cat.categories)
    # One row per modality: indicator (levels x respondents) @ counts (respondents x terms).
    member = np.flatnonzero(codes >= 0)
    indicator = sparse.csr_matrix(
        (np.ones(member.size), (codes[member], member)), shape=(len(levels), rows.size)
    )
    by_level = np.asarray((indicator @ sub).todense(), dtype=float)
    totals = np.asarray(sub.sum(axis=0), dtype=float).ravel()
    # Corpus and sub-corpus sizes count every occurrence (rare terms included, as in Lafon and
    # R.temis); min_freq only filters the terms reported.
    big_n = float(totals.sum())
    if big_n == 0:
        return pd.DataFrame(columns=COLUMNS)
    sizes = by_level.sum(axis=1)
    keep = totals >= min_freq
    freq_total = totals[keep]
    out = []
    for i, level in enumerate(levels):
        k = by_level[i, keep]
        n = float(sizes[i])
        spec, p = lafon_specificity(k, freq_total, n, big_n)
        frame = pd.DataFrame(
            {
                "question": question,
                "variable": variable,
                "modality": str(level),
                "term": counts.terms[keep].astype(str),
                "freq_modality": k.astype(int),
                "freq_total": freq_total.astype(int),
                "expected": freq_total * n / big_n,
                "n_modality_terms": int(n),
                "p_value": p,
                "specificity": spec,
            }
        )
        out.append(frame.sort_values(["specificity", "term"], ascending=[False, True]))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=COLUMNS)


def specificities(
    terms: pd.DataFrame,
    survey: object,
    by: str | Sequence[str],
    *,
    options: TableOptions = TableOptions(),
) -> pd.DataFrame:
    """Lafon specificities of the terms for each modality of closed question(s) of the survey.

    Parameters
    ----------
    terms : DataFrame
        ``terms.csv`` of a run (``respondent_id``, ``status``, ``terms``).
    survey : textmine.survey.Survey
        The survey the answers come from.
    by : str or sequence of str
        Closed question name(s).
    options : TableOptions
        ``spec_min_freq`` sets the minimum corpus frequency of a term.

    Returns
    -------
    DataFrame
        See :func:`specificities_frame`.
    """
    names = [by] if isinstance(by, str) else list(by)
    questions = [closed_data(survey, name) for name in names]
    return specificities_frame(terms, questions, min_freq=options.spec_min_freq)
