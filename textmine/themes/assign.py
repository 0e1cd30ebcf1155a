"""Assigning themes to answers: several themes per answer, never a theme for a non-answer.

Rule (documented in run.json under ``assignment``):

- answers whose status is ``non-answer`` or ``empty`` keep it and are never themed;
- an answer is ``unassigned`` when it has no term of the model's vocabulary, or when its strongest
  theme weight is below ``min_weight`` (no usable signal);
- otherwise it is ``themed`` and carries every theme whose weight is at least
  ``relative_threshold`` × its strongest theme weight; the primary theme is the strongest (lowest
  theme id on exact ties) and ``weight`` is the primary theme's share of the answer's total theme
  weight (0–1, rounded to 4 decimals).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from textmine.runfolder import ANSWER_STATUSES, OK, THEMED, UNASSIGNED, count_key

ASSIGNMENT_RULE = (
    "themes with weight >= relative_threshold x the answer's largest theme weight; "
    "unassigned if no vocabulary term or largest weight < min_weight; "
    "non-answer/empty never themed"
)


def assign_themes(
    weights: np.ndarray,
    *,
    ids: Sequence[str],
    texts: Sequence[str],
    status: Sequence[str],
    has_terms: np.ndarray,
    relative_threshold: float = 0.5,
    min_weight: float = 0.01,
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
        chosen = np.flatnonzero(row >= relative_threshold * top)
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
