"""The correspondence-analysis and similarity sections of a run's report and workbook (issue 17).

Reads ``RUN/ca/`` and ``RUN/similarity/`` (written by ``themes --ca --similarity``); a run
without them gets no section.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from textmine.runfolder import (
    CA_COLUMNS_CSV,
    CA_DIR,
    CA_EIGENVALUES_CSV,
    CA_MAP,
    CA_ROWS_CSV,
    CA_SCREE,
    CLASSES_CSV,
    NODES_CSV,
    SIMILARITY_DIR,
    SIMILARITY_GRAPH,
    read_run_csv,
)

WORDS = {
    "fr": {
        "ca": "Analyse des correspondances",
        "ca_caption": ("Analyse factorielle des correspondances du tableau lexical (termes × "
                       "modalités). Seuls les termes contribuant plus que la moyenne aux deux "
                       "axes sont montrés ; modalités en rouge, modalités supplémentaires en "
                       "vert italique."),
        "scree": "Valeurs propres", "axis": "Axe", "eigenvalue": "Valeur propre",
        "percent": "% de l'inertie", "cumulative": "% cumulé",
        "similarity": "Analyse de similitudes",
        "similarity_caption": ("Arbre maximum des cooccurrences des termes les plus fréquents : "
                               "taille ~ fréquence, épaisseur ~ indice, couleur = communauté."),
        "ca_caption_classes": ("Analyse des correspondances des classes de Reinert × les "
                               "modalités des questions fermées (segments de chaque classe "
                               "comptés dans la modalité de leur répondant) ; modalités en "
                               "rouge."),
        "sheet_ca": "AFC", "sheet_ca_eig": "AFC valeurs propres", "kind": "type",
        "row": "ligne", "modality": "modalité",
    },
    "en": {
        "ca": "Correspondence analysis",
        "ca_caption": ("Correspondence analysis of the lexical table (terms × modalities). "
                       "Only terms contributing above the mean to the two axes are shown; "
                       "modalities in red, supplementary modalities in green italics."),
        "scree": "Eigenvalues", "axis": "Axis", "eigenvalue": "Eigenvalue",
        "percent": "% of inertia", "cumulative": "cumulative %",
        "similarity": "Similarity analysis",
        "similarity_caption": ("Maximum spanning tree of the co-occurrences of the most frequent "
                               "terms: size ~ frequency, width ~ index, colour = community."),
        "ca_caption_classes": ("Correspondence analysis of the Reinert classes × the modalities "
                               "of the closed questions (segments of each class counted in "
                               "their respondent's modality); modalities in red."),
        "sheet_ca": "CA", "sheet_ca_eig": "CA eigenvalues", "kind": "kind",
        "row": "row", "modality": "modality",
    },
}


def words(lang: str) -> dict[str, str]:
    """The fixed text of these sections in ``lang`` (fr or en)."""
    return WORDS.get(lang, WORDS["fr"])


def _png(folder: Path, stem: str) -> Path | None:
    path = folder / f"{stem}.png"
    return path if path.is_file() else None


def analysis_figures(run_dir: Path) -> dict[str, Path | None]:
    """Paths of the factor map, scree plot and similarity graph of a run (None if absent)."""
    return {"map": _png(run_dir / CA_DIR, CA_MAP), "scree": _png(run_dir / CA_DIR, CA_SCREE),
            "graph": _png(run_dir / SIMILARITY_DIR, SIMILARITY_GRAPH)}


def eigen_rows(run_dir: Path, lang: str) -> list[tuple[str, str, str, str]]:
    """The first axes of ``ca_eigenvalues.csv`` as text cells (at most 6)."""
    eig = read_run_csv(run_dir / CA_DIR, CA_EIGENVALUES_CSV, required=False)
    if eig is None:
        return []
    comma = "," if lang == "fr" else "."
    return [(str(int(r.axis)), f"{r.eigenvalue:.4f}".replace(".", comma),
             f"{r.percent:.1f}".replace(".", comma),
             f"{r.cumulative_percent:.1f}".replace(".", comma))
            for r in eig.head(6).itertuples()]


def ca_sheet(run_dir: Path, lang: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The workbook tables of the CA: eigenvalues, and rows + columns (kind, label, coords...)."""
    folder = run_dir / CA_DIR
    eig = read_run_csv(folder, CA_EIGENVALUES_CSV, required=False)
    rows = read_run_csv(folder, CA_ROWS_CSV, required=False)
    cols = read_run_csv(folder, CA_COLUMNS_CSV, required=False)
    if eig is None or rows is None or cols is None:
        return None
    w = words(lang)
    both = pd.concat([cols.assign(**{w["kind"]: w["modality"]}),
                      rows.assign(**{w["kind"]: w["row"]})], ignore_index=True)
    first = [w["kind"], "label"]
    both = both[first + [c for c in both.columns if c not in first]]
    return eig, both


def similarity_terms(run_dir: Path) -> int:
    """Number of terms of the similarity graph (0 if none)."""
    nodes = read_run_csv(run_dir / SIMILARITY_DIR, NODES_CSV, required=False)
    return 0 if nodes is None else len(nodes)


def context(run_dir: Path, lang: str, image: Any) -> dict[str, Any] | None:
    """Template context of the sections (``image(path, alt)`` makes the embedded image)."""
    figures = analysis_figures(run_dir)
    if not any(figures.values()):
        return None
    w = words(lang)
    if (run_dir / CLASSES_CSV).is_file():  # a Reinert run: the CA rows are its classes
        w = {**w, "ca_caption": w["ca_caption_classes"]}
    return {
        "w": w,
        "map": image(figures["map"], w["ca"]),
        "scree": image(figures["scree"], w["scree"]),
        "eigen": eigen_rows(run_dir, lang),
        "graph": image(figures["graph"], w["similarity"]),
    }
