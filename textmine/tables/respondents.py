"""From the long ``answers`` table to one row per respondent: who mentions which theme.

Shared by the crosstabs and the effects model. The unit is the respondent: a respondent counts
once per theme however many of their sentences or answers carry it. The base is the respondents
with a codable answer (status ``themed`` or ``unassigned``); non-answers and empty answers join
the base only when asked (they then count as not mentioning any theme).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from textmine.errors import ColumnError, DataError, OptionError

log = logging.getLogger(__name__)

#: Statuses of answers.csv, from the most to the least informative (used to combine runs).
STATUSES = ("themed", "unassigned", "non-answer", "empty")
BASE_STATUSES = ("themed", "unassigned")
ANSWER_COLUMNS = ("respondent_id", "status", "theme_id", "themes")


def clean_id(value: object) -> str:
    """Return a theme or respondent id as text: ``3.0`` -> ``"3"``, NaN/None/NA -> ``""``."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value).strip()


def check_answers(answers: pd.DataFrame) -> pd.DataFrame:
    """Validate an answers table and return it with text ids and a known status per row."""
    missing = [c for c in ("respondent_id", "status") if c not in answers.columns]
    if missing:
        raise ColumnError(
            f"Column '{missing[0]}' not found in the answers table; available columns: "
            f"{', '.join(map(str, answers.columns))}. Pass the answers.csv of a themes run."
        )
    if "themes" not in answers.columns and "theme_id" not in answers.columns:
        raise ColumnError(
            "Neither 'themes' nor 'theme_id' found in the answers table; available columns: "
            f"{', '.join(map(str, answers.columns))}. Pass the answers.csv of a themes run."
        )
    out = answers.copy()
    out["respondent_id"] = out["respondent_id"].map(clean_id)
    out["status"] = out["status"].fillna("empty").astype(str)
    unknown = sorted(set(out["status"]) - set(STATUSES))
    if unknown:
        raise DataError(
            f"Unknown answer status '{unknown[0]}' in the answers table; expected one of "
            f"{', '.join(STATUSES)}."
        )
    dup = out["respondent_id"][out["respondent_id"].duplicated()]
    if len(dup):
        first = dup.iloc[0]
        count = int((out["respondent_id"] == first).sum())
        raise DataError(
            f"Respondent id '{first}' appears {count} times in the answers table; combine "
            "several runs with combine_answers()."
        )
    return out


def theme_sets(answers: pd.DataFrame) -> pd.Series:
    """Set of theme ids mentioned by each respondent (index = respondent id).

    Reads the ``;``-joined ``themes`` column, falling back on the primary ``theme_id`` where
    ``themes`` is empty or absent.
    """
    ans = check_answers(answers)

    def parse(row: pd.Series) -> frozenset[str]:
        raw = row.get("themes", "")
        ids: set[str] = set()
        if isinstance(raw, str):
            ids = {clean_id(t) for t in raw.split(";")} - {""}
        else:
            ids = {clean_id(raw)} - {""}
        if not ids:
            ids = {clean_id(row.get("theme_id"))} - {""}
        return frozenset(ids)

    return pd.Series(
        [parse(row) for _, row in ans.iterrows()], index=pd.Index(ans["respondent_id"])
    )


def mentions_matrix(
    answers: pd.DataFrame, themes: pd.DataFrame, *, include_nonanswers: bool = False
) -> pd.DataFrame:
    """Boolean respondent x theme table: does the respondent mention the theme.

    Parameters
    ----------
    answers : DataFrame
        As in ``answers.csv`` (``respondent_id``, ``status``, ``theme_id``, ``themes``).
    themes : DataFrame
        As in ``themes.csv`` (``theme_id``, ``label``); its order gives the column order.
    include_nonanswers : bool
        Keep non-answers and empty answers in the base (as mentioning nothing).

    Returns
    -------
    DataFrame
        Index = respondent ids of the base, one bool column per theme id (text).
    """
    if "theme_id" not in themes.columns:
        raise ColumnError(
            "Column 'theme_id' not found in the themes table; available columns: "
            f"{', '.join(map(str, themes.columns))}. Pass the themes.csv of a themes run."
        )
    ans = check_answers(answers)
    statuses = STATUSES if include_nonanswers else BASE_STATUSES
    ans = ans[ans["status"].isin(statuses)]
    sets = theme_sets(ans)
    ids = [clean_id(t) for t in themes["theme_id"]]
    unknown = sorted(set().union(*sets.tolist()) - set(ids)) if len(sets) else []
    if unknown:
        log.warning(
            "%d theme ids of the answers are not in the themes table (e.g. %s); ignored.",
            len(unknown),
            unknown[0],
        )
    data = {tid: sets.map(lambda s, tid=tid: tid in s).to_numpy(bool) for tid in ids}
    return pd.DataFrame(data, index=sets.index, columns=ids)


def status_matrix(answers: pd.DataFrame) -> pd.DataFrame:
    """Boolean respondent x status table (``unassigned``, ``non-answer``, ``empty``), all rows."""
    ans = check_answers(answers)
    idx = pd.Index(ans["respondent_id"])
    return pd.DataFrame(
        {s: (ans["status"] == s).to_numpy() for s in ("unassigned", "non-answer", "empty")},
        index=idx,
    )


def theme_labels(themes: pd.DataFrame) -> dict[str, str]:
    """Map theme id (text) -> label (the id itself when the label is missing)."""
    labels = themes["label"] if "label" in themes.columns else themes["theme_id"]
    return {
        clean_id(t): (str(lab) if isinstance(lab, str) and lab else clean_id(t))
        for t, lab in zip(themes["theme_id"], labels, strict=True)
    }


def combine_answers(
    answers_list: Sequence[pd.DataFrame], *, prefixes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Combine the answers of several open questions: "mentions the theme in any of them".

    Parameters
    ----------
    answers_list : sequence of DataFrame
        ``answers`` tables of several runs on the same respondents.
    prefixes : sequence of str, optional
        One prefix per table, prepended as ``"<prefix>:<theme_id>"``. Use it when the runs have
        their own themes (theme 1 of one question is not theme 1 of another); leave it out when
        the theme ids mean the same thing in every run (for example the same codebook).

    Returns
    -------
    DataFrame
        One row per respondent found in any table: ``respondent_id``, ``status`` (the most
        informative over the runs: themed > unassigned > non-answer > empty), ``theme_id`` (the
        first run's primary theme that exists), ``themes`` (``;``-joined union, sorted).
    """
    if not answers_list:
        raise OptionError("combine_answers() got no answers table; pass at least one.")
    if prefixes is not None and len(prefixes) != len(answers_list):
        raise OptionError(
            f"combine_answers() got {len(prefixes)} prefixes for {len(answers_list)} answers "
            "tables; pass one prefix per table."
        )
    rank = {s: i for i, s in enumerate(STATUSES)}
    status: dict[str, str] = {}
    primary: dict[str, str] = {}
    union: dict[str, set[str]] = {}
    for k, answers in enumerate(answers_list):
        ans = check_answers(answers)
        sets = theme_sets(ans)
        pre = f"{prefixes[k]}:" if prefixes is not None else ""
        prim = ans.get("theme_id", pd.Series([""] * len(ans), index=ans.index)).map(clean_id)
        for rid, st, themes_, p in zip(
            ans["respondent_id"], ans["status"], sets.tolist(), prim, strict=True
        ):
            if rid not in status or rank[st] < rank[status[rid]]:
                status[rid] = st
            union.setdefault(rid, set()).update(pre + t for t in themes_)
            if p and not primary.get(rid):
                primary[rid] = pre + p
    ids = list(status)
    return pd.DataFrame(
        {
            "respondent_id": ids,
            "status": [status[i] for i in ids],
            "theme_id": [primary.get(i, "") for i in ids],
            "themes": [";".join(sorted(union[i], key=_id_key)) for i in ids],
        }
    )


def _id_key(theme_id: str) -> tuple[str, int, str]:
    """Sort theme ids by prefix, then numerically when they are numbers (``2`` before ``10``)."""
    head, _, tail = theme_id.rpartition(":")
    return (head, int(tail), theme_id) if tail.isdecimal() else (head, 10**9, theme_id)


def check_overlap(answer_ids: pd.Index, survey_ids: pd.Index, question: str) -> None:
    """Raise if no respondent of the answers is in the survey data of ``question``."""
    if len(answer_ids) and not answer_ids.isin(survey_ids).any():
        raise DataError(
            f"No respondent of the answers table is in the survey data of '{question}' (answers "
            f"id '{answer_ids[0]}', survey id '{survey_ids[0] if len(survey_ids) else ''}'); "
            "read the survey with the same --id-col as the themes run."
        )
