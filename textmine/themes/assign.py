"""Assigning themes to answers: several themes per answer, never a theme for a non-answer.

Rule (documented in run.json under ``assignment``):

- answers whose status is ``non-answer`` or ``empty`` keep it and are never themed;
- an answer is ``unassigned`` when it has no term of the model's vocabulary, or when its strongest
  theme weight is below ``min_weight`` (no usable signal); a model on sentence embeddings
  (``semantic``) places an answer whose content words are all rarer than ``min_df`` by its
  embedding alone;
- otherwise it is ``themed`` and carries every theme whose weight is at least
  ``relative_threshold`` × its strongest theme weight; the primary theme is the strongest (lowest
  theme id on exact ties) and ``weight`` is the primary theme's share of the answer's total theme
  weight (0–1, rounded to 4 decimals);
- an answer that writes a theme's **defining word** (its heaviest term, when the term is more
  exclusive to this theme than to any other) also carries that theme, whatever its weight:
  "la nature, cadre de vie" belongs to both "nature" and "cadre de vie" although the weights of
  a short answer favour one (issue 14: on INED K1, 219 of the 866 answers saying "nature" were
  outside the Nature theme).

The **under-assigned** diagnostic counts, per theme, the answers that write one of its defining
words (its :data:`N_DEFINING` heaviest terms that the answers write as words) but do not carry
it: a large count says the theme's membership misses answers a reader would put in it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from textmine.runfolder import ANSWER_STATUSES, OK, THEMED, UNASSIGNED, count_key

ASSIGNMENT_RULE = (
    "themes with weight >= relative_threshold x the answer's largest theme weight; "
    "unassigned if no vocabulary term (semantic: no content word or no embedding) or largest "
    "weight < min_weight; "
    "non-answer/empty never themed; an answer writing a theme's defining word (its heaviest "
    "term, when most exclusive to it) also carries the theme"
)

#: Heaviest terms of a theme whose presence in an answer the under-assigned diagnostic checks.
N_DEFINING = 3


def assign_themes(
    weights: np.ndarray,
    *,
    ids: Sequence[str],
    texts: Sequence[str],
    status: Sequence[str],
    has_terms: np.ndarray,
    relative_threshold: float = 0.5,
    min_weight: float = 0.01,
    writes_defining: np.ndarray | None = None,
) -> pd.DataFrame:
    """Turn answers × themes weights into the ``answers.csv`` table.

    Parameters
    ----------
    weights : ndarray (n_answers, k)
        Non-negative theme weights (theme j is ``theme_id`` j + 1).
    ids, texts, status : sequences
        Respondent ids, texts shown in the table (masked), corpus statuses (``ok``, ``non-answer``,
        ``empty``).
    has_terms : ndarray of bool
        Whether each answer has at least one vocabulary term.
    relative_threshold, min_weight : float
        See the module docstring.
    writes_defining : ndarray of bool (n_answers, k), optional
        Whether each answer writes each theme's defining word (:func:`defining_words`); a
        themed answer then also carries those themes.

    Returns
    -------
    DataFrame
        Columns ``respondent_id``, ``text``, ``status``, ``theme_id`` (nullable Int64),
        ``weight`` (float, NaN if none), ``themes`` (``;``-joined theme ids, "" if none).
    """
    W = np.asarray(weights, dtype=np.float64)
    n = W.shape[0]
    out_status, primary, weight, themes = [], [], [], []
    for i in range(n):
        st = status[i]
        if st != OK:
            out_status.append(st)
            primary.append(pd.NA)
            weight.append(np.nan)
            themes.append("")
            continue
        row = W[i] if W.shape[1] else np.zeros(0)
        top = float(row.max()) if row.size else 0.0
        if not has_terms[i] or top < min_weight or top <= 0:
            out_status.append(UNASSIGNED)
            primary.append(pd.NA)
            weight.append(np.nan)
            themes.append("")
            continue
        chosen = row >= relative_threshold * top
        if writes_defining is not None:
            chosen = chosen | writes_defining[i]
        chosen = np.flatnonzero(chosen)
        j = int(np.argmax(row))
        out_status.append(THEMED)
        primary.append(j + 1)
        weight.append(round(float(row[j] / row.sum()), 4))
        themes.append(";".join(str(c + 1) for c in chosen))
    return pd.DataFrame(
        {
            "respondent_id": list(ids),
            "text": list(texts),
            "status": out_status,
            "theme_id": pd.array(primary, dtype="Int64"),
            "weight": weight,
            "themes": themes,
        }
    )


def theme_counts(answers: pd.DataFrame, k: int) -> np.ndarray:
    """How many answers carry each theme (primary or not), themes 1..k."""
    counts = np.zeros(k, dtype=int)
    for cell in answers["themes"]:
        for t in str(cell).split(";") if cell else ():
            counts[int(t) - 1] += 1
    return counts


def status_counts(answers: pd.DataFrame) -> dict[str, int]:
    """Counts of each answer status plus multi-theme answers (for run.json and the CLI)."""
    st = answers["status"].value_counts()
    multi = int(answers["themes"].astype(str).str.contains(";").sum())
    out = {count_key(s): int(st.get(s, 0)) for s in ANSWER_STATUSES}
    out["multi_theme"] = multi
    return out


def defining_columns(
    components: np.ndarray, usable: np.ndarray | None = None, *, n_defining: int = N_DEFINING
) -> tuple[list[int | None], list[list[int]]]:
    """Each theme's defining word and its heaviest words (term columns).

    Parameters
    ----------
    components : ndarray (k, n_terms)
        Theme × term weights.
    usable : ndarray of bool (n_terms,), optional
        Terms that may define a theme (those the answers write as words: not fragments).
    n_defining : int
        Heaviest terms kept per theme for the under-assigned diagnostic.

    Returns
    -------
    lead : list of (int or None)
        Per theme, its heaviest usable term when that term is more exclusive to it (share of
        the term's weight, ``beta[k, t] / sum_j beta[j, t]``) than to any other theme, else
        ``None``: the word that pulls the answers writing it into the theme.
    heaviest : list of list of int
        Per theme, its ``n_defining`` heaviest usable terms.
    """
    comp = np.maximum(np.asarray(components, dtype=np.float64), 0.0)
    beta = comp / np.maximum(comp.sum(axis=1, keepdims=True), 1e-300)
    excl = beta / np.maximum(beta.sum(axis=0, keepdims=True), 1e-300)
    ok = np.ones(comp.shape[1], dtype=bool) if usable is None else np.asarray(usable, bool)
    lead: list[int | None] = []
    heaviest: list[list[int]] = []
    for k in range(comp.shape[0]):
        order = [int(i) for i in np.lexsort((np.arange(comp.shape[1]), -comp[k]))
                 if ok[i] and comp[k, i] > 0][:n_defining]
        heaviest.append(order)
        # The lead word pulls its answers into the theme it is most exclusive to (one theme).
        lead.append(order[0] if order and int(np.argmax(excl[:, order[0]])) == k else None)
    return lead, heaviest


def writes_columns(X, columns: Sequence[Sequence[int]]) -> np.ndarray:
    """Answers × themes booleans: whether each answer holds one of each theme's ``columns``."""
    import scipy.sparse as sp

    Xc = sp.csc_matrix(X)
    out = np.zeros((X.shape[0], len(columns)), dtype=bool)
    for j, cols in enumerate(columns):
        cols = [c for c in cols if c is not None]
        if cols:
            out[:, j] = np.asarray((Xc[:, cols] > 0).sum(axis=1)).ravel() > 0
    return out


def under_assigned(answers: pd.DataFrame, writes: np.ndarray) -> np.ndarray:
    """Per theme, the answers writing one of its defining words but not carrying it.

    Parameters
    ----------
    answers : DataFrame
        The assignment (:func:`assign_themes`), rows aligned with ``writes``.
    writes : ndarray of bool (n_answers, k)
        Whether each answer writes one of each theme's defining words
        (:func:`writes_columns` of :func:`defining_columns`' ``heaviest``).

    Returns
    -------
    ndarray of int (k,)
    """
    k = writes.shape[1]
    carried = np.zeros_like(writes)
    for i, cell in enumerate(answers["themes"]):
        for t in str(cell).split(";") if cell else ():
            carried[i, int(t) - 1] = True
    codable = answers["status"].isin([THEMED, UNASSIGNED]).to_numpy()[:, None]
    return (writes & ~carried & codable).sum(axis=0).astype(int) if k else np.zeros(0, int)
