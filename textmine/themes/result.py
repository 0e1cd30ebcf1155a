"""Containers of a theme run: the fitted (and edited) model, and the tables it produced."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from textmine.themes.models import LDAThemes, NMFThemes, SemanticThemes


@dataclass
class FittedThemes:
    """A fitted theme model with everything needed to code new answers.

    Attributes
    ----------
    estimator : NMFThemes or LDAThemes
        The fitted estimator (its columns are ``terms``).
    method : str
    terms : list of str
        Vocabulary (features as produced by the text pipeline).
    theme_map : ndarray (k_fitted, k_final)
        Edits (merge/drop) as a 0/1 matrix: final weights = ``estimator.transform(X) @ theme_map``.
    labels : list of str
        Final theme labels (theme_id = position + 1).
    top_terms : list of list of str
        Final themes' top terms (FREX order, shown with spaces).
    seeded : list of str
        Labels of the final themes that come from codebook seeds.
    relative_threshold, min_weight : float
        Assignment rule used (see :mod:`textmine.themes.assign`).
    mwe_parts : bool
        Whether the words of multi-word expressions were counted (see :mod:`textmine.features`).
    text_options : dict
        The text processing settings the vocabulary was built with (re-used by ``apply``).
    theme_ids : list of int
        Theme id of each final theme after ``textmine edit`` (ids are never renumbered: a
        dropped theme leaves a gap); empty means ``1..k``.
    """

    estimator: NMFThemes | LDAThemes | SemanticThemes
    method: str
    terms: list[str]
    theme_map: np.ndarray
    labels: list[str]
    top_terms: list[list[str]]
    seeded: list[str] = field(default_factory=list)
    relative_threshold: float = 0.5
    min_weight: float = 0.01
    mwe_parts: bool = False
    text_options: dict = field(default_factory=dict)
    theme_ids: list[int] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        """The theme id of each final theme (``1..k`` unless the run was edited)."""
        return list(self.theme_ids) if self.theme_ids else list(range(1, self.n_themes + 1))

    @property
    def n_themes(self) -> int:
        """Number of final themes."""
        return len(self.labels)

    @property
    def components(self) -> np.ndarray:
        """Final themes × terms weights (merged themes summed)."""
        return self.theme_map.T @ self.estimator.components_

    @property
    def needs_embeddings(self) -> bool:
        """Whether coding answers needs their sentence embeddings (method ``semantic``)."""
        return bool(getattr(self.estimator, "needs_embeddings", False))

    def weights(self, X: sp.csr_matrix, embeddings: np.ndarray | None = None) -> np.ndarray:
        """Final theme weights of answers given their term counts ``X``.

        ``embeddings`` (one row per row of ``X``) are needed when :attr:`needs_embeddings`.
        """
        # every answer of a big survey: partition by partition on the engine (issue 19)
        from textmine.themes.partitioned import engine_transform

        if self.needs_embeddings:
            if embeddings is None:
                raise ValueError("this theme model needs the answers' sentence embeddings")
            return engine_transform(self.estimator, X, embeddings=embeddings) @ self.theme_map
        return engine_transform(self.estimator, X) @ self.theme_map


@dataclass
class ThemeResult:
    """Everything a theme run produced.

    Attributes
    ----------
    themes : DataFrame
        ``themes.csv``: theme_id, label, top_terms, n_answers, share, quote_1..quote_n.
    answers : DataFrame
        ``answers.csv``: respondent_id, text, status, theme_id, weight, themes.
    term_weights : DataFrame
        ``term_weights.csv``: theme_id, term, weight.
    k_selection : DataFrame or None
        ``k_selection.csv`` when k was chosen automatically.
    model : FittedThemes
    info : dict
        Settings, counts and decisions for run.json.
    seed_expansion : DataFrame or None
        ``seed_expansion.csv`` with a codebook: theme_id, theme, term (as written in the
        answers), feature, cosine: the neighbours added to each theme's seeds.
    """

    themes: pd.DataFrame
    answers: pd.DataFrame
    term_weights: pd.DataFrame
    k_selection: pd.DataFrame | None
    model: FittedThemes
    info: dict
    seed_expansion: pd.DataFrame | None = None
