"""The Reinert part of a report: read a run's classes, draw the dendrogram, section and sheets.

A run folder holding ``classes.csv`` (``textmine reinert``) gets a Reinert section in
report.html (dendrogram, each class with its profile terms and characteristic segments) and
three sheets in report.xlsx (classes, profiles, characteristic segments). A Reinert run folder
has no ``themes.csv``: :func:`theme_frames` presents its classes as the themes the rest of the
report already shows (prevalence, class × closed question tables), through
:func:`textmine.classes.views.as_themes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from textmine.classes.views import as_themes, distinct_texts, leaf_classes
from textmine.report.i18n import percent
from textmine.runfolder import (
    ANSWERS_CSV,
    CHARACTERISTIC_SEGMENTS_CSV,
    CLASSES_CSV,
    DENDROGRAM,
    PROFILES_CSV,
    read_run_csv,
)

#: The section's own words (kept here so the shared i18n table is untouched).
WORDS = {
    "fr": {"reinert": "Classification de Reinert", "dendrogram": "Dendrogramme des classes",
           "dendrogram_caption": "Classification descendante hiérarchique (méthode Reinert, "
           "comme IRaMuTeQ et rainette) : taille de chaque classe et ses termes les plus "
           "caractéristiques (χ²).",
           "class": "Classe", "size": "segments",
           "share_classified": "des segments classés", "profile": "Termes sur-représentés",
           "segments": "Segments caractéristiques", "unclassified": "non classés",
           "sheet_classes": "Classes", "sheet_profiles": "Profils",
           "sheet_segments": "Segments caractéristiques"},
    "en": {"reinert": "Reinert classification", "dendrogram": "Dendrogram of the classes",
           "dendrogram_caption": "Descending hierarchical classification (Reinert method, as "
           "in IRaMuTeQ and rainette): size of each class and its most characteristic terms "
           "(χ²).",
           "class": "Class", "size": "segments",
           "share_classified": "of classified segments", "profile": "Over-represented terms",
           "segments": "Characteristic segments", "unclassified": "unclassified",
           "sheet_classes": "Classes", "sheet_profiles": "Profiles",
           "sheet_segments": "Characteristic segments"},
}


@dataclass
class ReinertData:
    """The Reinert tables of a run folder.

    Attributes
    ----------
    classes, profiles, characteristic : pandas.DataFrame
        ``classes.csv``, ``profiles.csv``, ``characteristic_segments.csv``.
    """

    classes: pd.DataFrame
    profiles: pd.DataFrame
    characteristic: pd.DataFrame


def load_reinert(folder: str | Path) -> ReinertData | None:
    """The Reinert tables of ``folder``, or ``None`` when it has no ``classes.csv``."""
    folder = Path(folder)
    if not (folder / CLASSES_CSV).is_file():
        return None
    return ReinertData(
        classes=read_run_csv(folder, CLASSES_CSV, columns=("class", "size", "share")),
        profiles=read_run_csv(folder, PROFILES_CSV, columns=("class", "term", "chi2", "sign")),
        characteristic=read_run_csv(folder, CHARACTERISTIC_SEGMENTS_CSV, required=False,
                                    columns=("class", "rank", "text"))
        if (folder / CHARACTERISTIC_SEGMENTS_CSV).is_file() else pd.DataFrame(
            columns=["class", "rank", "text"]),
    )


def theme_frames(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``themes`` and ``answers`` frames of a Reinert run folder (classes seen as themes)."""
    data = load_reinert(folder)
    if data is None:
        raise FileNotFoundError(Path(folder) / CLASSES_CSV)
    answers = read_run_csv(folder, ANSWERS_CSV, columns=("respondent_id", "status", "class_id"))
    return as_themes(data.classes, data.profiles, answers, data.characteristic)


def draw_dendrogram(data: ReinertData, folder: Path) -> Path:
    """Draw ``dendrogram.png`` and ``.svg`` into ``folder``; returns the PNG."""
    from textmine.classes.figures import plot_dendrogram

    folder.mkdir(parents=True, exist_ok=True)
    return plot_dendrogram(data.classes, data.profiles, folder / DENDROGRAM)[0]


def profile_terms(data: ReinertData, *, n_terms: int = 12) -> dict[int, list[str]]:
    """The strongest over-represented terms of each leaf class (as shown in the section)."""
    out = {}
    for label in leaf_classes(data.classes):
        prof = data.profiles[(data.profiles["class"] == label) & (data.profiles["sign"] == "over")]
        out[label] = [str(t) for t in prof.sort_values("chi2", ascending=False)["term"]
                      .head(n_terms)]
    return out


def section(data: ReinertData, *, lang: str, n_terms: int = 12,
            n_segments: int = 3, folder: Path | None = None) -> dict[str, Any]:
    """What the report template shows of a Reinert classification (``image`` added by html).

    With the run ``folder``, each profile term links to a few concordance lines of the class's
    segments (:func:`textmine.report.concordance.class_concordances`), as theme terms do.
    """
    from textmine.report.concordance import class_concordances

    words = WORDS.get(lang, WORDS["fr"])
    classes = data.classes.set_index("class")
    concordances = (class_concordances(folder, profile_terms(data, n_terms=n_terms))
                    if folder is not None else {})
    cards = []
    for label in leaf_classes(data.classes):
        prof = data.profiles[(data.profiles["class"] == label) & (data.profiles["sign"] == "over")]
        prof = prof.sort_values("chi2", ascending=False).head(n_terms)
        segs = data.characteristic[data.characteristic["class"] == label]
        segs = distinct_texts(segs.sort_values("rank")["text"], n_segments)
        cards.append({
            "id": label, "label": str(classes.loc[label].get("label", "") or ""),
            "size": int(classes.loc[label, "size"]),
            # % of the classified segments (IRaMuTeQ's base); older runs lack the column
            "share": percent(_share_classified(classes, label), lang),
            "terms": [f"{str(t).replace('_', ' ')} ({c:.0f})"
                      for t, c in zip(prof["term"], prof["chi2"], strict=True)],
            "segments": [str(s) for s in segs],
            "concordances": concordances.get(label, []),
        })
    unclassified = int(classes.loc[0, "size"]) if 0 in classes.index else 0
    return {"w": words, "cards": cards, "unclassified": unclassified}


def _share_classified(classes: pd.DataFrame, label: int) -> float:
    """Share of class ``label`` among the classified segments (``classes`` indexed by class)."""
    if "share_classified" in classes.columns and not pd.isna(
            classes.loc[label, "share_classified"]):
        return float(classes.loc[label, "share_classified"])
    classified = int(classes.loc[leaf_classes(classes.reset_index()), "size"].sum())
    return float(classes.loc[label, "size"]) / classified if classified else 0.0


def write_sheets(wb: Any, data: ReinertData, taken: set[str], *, lang: str) -> None:
    """Add the classes, profiles and characteristic segments sheets to a workbook."""
    from textmine.report.xlsx import sheet_name, write_table

    words = WORDS.get(lang, WORDS["fr"])
    write_table(wb.create_sheet(sheet_name(words["sheet_classes"], taken)), data.classes,
                formats={"share": "0.0%", "share_classified": "0.0%", "height": "0.0"})
    write_table(wb.create_sheet(sheet_name(words["sheet_profiles"], taken)), data.profiles,
                formats={"pct_in_class": "0.0", "chi2": "0.00", "p_value": "0.0000"})
    write_table(wb.create_sheet(sheet_name(words["sheet_segments"], taken)),
                data.characteristic, wrap=("text",), formats={"score": "0.0"})


__all__ = ["WORDS", "ReinertData", "draw_dendrogram", "load_reinert", "profile_terms",
           "section", "theme_frames", "write_sheets"]
