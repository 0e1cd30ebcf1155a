"""A Reinert classification seen as themes: the frames the tables and the report already read.

The crosstabs (:func:`textmine.tables.write_tables`) and the report read ``themes.csv``
(``theme_id``, ``label``...) and ``answers.csv`` (``status`` themed/unassigned/non-answer/empty,
``theme_id``, ``themes``). A class is a theme that each classified respondent has as primary
class; :func:`as_themes` maps the Reinert frames onto that contract, so classes × closed
questions go through the very same crosstab code.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from textmine.runfolder import CLASSIFIED, THEMED, UNASSIGNED, UNCLASSIFIED
from textmine.themes.quotes import quote_key

#: Reinert status -> the themes status the tables read.
STATUS_AS_THEMES = {CLASSIFIED: THEMED, UNCLASSIFIED: UNASSIGNED}


def class_labels(classes: pd.DataFrame, profiles: pd.DataFrame, *, n_terms: int = 3,
                 lang: str = "fr") -> dict[int, str]:
    """``Classe 3 : terme, terme, terme`` for each leaf class (its strongest ``over`` terms).

    Parameters
    ----------
    classes : pandas.DataFrame
        ``classes.csv`` (``class``, ``height``: leaves have height 0 or are the double
        classification's classes).
    profiles : pandas.DataFrame
        ``profiles.csv`` (``class``, ``term``, ``chi2``, ``sign``).
    n_terms : int
        Terms named in each label.
    lang : {"fr", "en"}
        ``Classe`` or ``Class``.

    Returns
    -------
    dict of int to str
    """
    word = "Classe" if lang == "fr" else "Class"
    colon = " : " if lang == "fr" else ": "
    out = {}
    for label in leaf_classes(classes):
        prof = profiles[(profiles["class"] == label) & (profiles["sign"] == "over")]
        terms = prof.sort_values("chi2", ascending=False)["term"].head(n_terms)
        names = ", ".join(str(t).replace("_", " ") for t in terms)
        out[label] = f"{word} {label}{colon}{names}" if names else f"{word} {label}"
    return out


def distinct_texts(texts: Iterable[object], n: int) -> list[str]:
    """The first ``n`` texts that differ by :func:`textmine.themes.quotes.quote_key`.

    Short answers repeat (``des masques au début`` given by 8 respondents, with or without
    accents and punctuation): the best-ranked characteristic segments are often copies of one
    text, and the report shows each quote once with its number of copies.
    """
    out: list[str] = []
    seen: set[str] = set()
    for text in texts:
        key = quote_key(str(text))
        if key and key not in seen:
            seen.add(key)
            out.append(str(text))
            if len(out) == n:
                break
    return out


def leaf_classes(classes: pd.DataFrame) -> list[int]:
    """The classes answers can belong to (1..k), in order: leaves of the dendrogram."""
    frame = classes[classes["class"] > 0]
    if "height" in frame and frame["parent"].notna().any():
        frame = frame[frame["height"].fillna(0) == 0]
    return sorted(int(c) for c in frame["class"])


def as_themes(classes: pd.DataFrame, profiles: pd.DataFrame, answers: pd.DataFrame,
              characteristic: pd.DataFrame | None = None, *, n_quotes: int = 3,
              n_terms: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The themes and answers frames of a Reinert run (``themes.csv`` / ``answers.csv`` shape).

    Parameters
    ----------
    classes, profiles : pandas.DataFrame
        ``classes.csv`` and ``profiles.csv`` of the run.
    answers : pandas.DataFrame
        The run's answers.csv (``respondent_id, text, status, class_id, share_*``).
    characteristic : pandas.DataFrame, optional
        ``characteristic_segments.csv``: its best segments become the quotes.
    n_quotes, n_terms : int
        Quotes and top terms kept per class.

    Returns
    -------
    themes : pandas.DataFrame
        ``theme_id, label, top_terms, n_answers, share, quote_1..`` (one row per leaf class;
        ``n_answers`` counts respondents whose primary class it is).
    answers : pandas.DataFrame
        ``respondent_id, text, status, theme_id, themes`` with statuses mapped (classified ->
        themed, unclassified -> unassigned).
    """
    labels = class_labels(classes, profiles)
    class_id = pd.array(answers["class_id"], dtype="Int64")
    status = answers["status"].astype(str).map(lambda s: STATUS_AS_THEMES.get(s, s))
    view = pd.DataFrame({
        "respondent_id": answers["respondent_id"].astype(str).to_numpy(),
        "text": answers["text"].to_numpy() if "text" in answers else "",
        "status": status.to_numpy(),
        "theme_id": class_id,
        "themes": [("" if pd.isna(c) else str(int(c))) for c in class_id],
    })
    n_base = int(view["status"].isin([THEMED, UNASSIGNED]).sum())
    rows = []
    for label in leaf_classes(classes):
        prof = profiles[(profiles["class"] == label) & (profiles["sign"] == "over")]
        terms = prof.sort_values("chi2", ascending=False)["term"].head(n_terms)
        n = int((view["theme_id"] == label).fillna(False).sum())
        row = {"theme_id": label, "label": labels[label], "top_terms": "; ".join(terms),
               "n_answers": n, "share": n / n_base if n_base else 0.0}
        quotes = []
        if characteristic is not None and len(characteristic):
            part = characteristic[characteristic["class"] == label].sort_values("rank")
            quotes = distinct_texts(part["text"], n_quotes)
        for i in range(n_quotes):
            row[f"quote_{i + 1}"] = quotes[i] if i < len(quotes) else ""
        rows.append(row)
    themes = pd.DataFrame(rows, columns=["theme_id", "label", "top_terms", "n_answers", "share",
                                         *[f"quote_{i + 1}" for i in range(n_quotes)]])
    return themes, view


__all__ = ["STATUS_AS_THEMES", "as_themes", "class_labels", "distinct_texts", "leaf_classes"]
