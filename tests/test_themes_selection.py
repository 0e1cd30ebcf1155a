"""Tests of textmine.themes.selection (choosing k)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from test_themes_data import make_corpus

from textmine.features import document_term_matrix
from textmine.themes.selection import (
    exclusivity,
    matched_similarity,
    npmi_coherence,
    plot_k_selection,
    sweep_k,
)


def test_npmi_is_one_for_terms_always_together_and_minus_one_for_never():
    X = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 0]]))
    assert npmi_coherence([np.array([0, 1])], X) == pytest.approx(1.0)
    assert npmi_coherence([np.array([0, 2])], X) == pytest.approx(-1.0)


def test_npmi_is_zero_for_independent_terms():
    X = sp.csr_matrix(np.array([[1, 1], [1, 0], [0, 1], [0, 0]]))
    assert npmi_coherence([np.array([0, 1])], X) == pytest.approx(0.0, abs=1e-12)


def test_exclusivity_of_disjoint_and_identical_themes():
    assert exclusivity(np.array([[1.0, 1.0, 0, 0], [0, 0, 1.0, 1.0]]), 2) == pytest.approx(1.0)
    assert exclusivity(np.array([[1.0, 1.0], [1.0, 1.0]]), 2) == pytest.approx(0.5)


def test_matched_similarity_ignores_theme_order():
    a = np.array([[1.0, 0, 0], [0, 1.0, 0.2]])
    assert matched_similarity(a, a[::-1]) == pytest.approx(1.0)


def test_sweep_table_has_one_row_per_k_and_one_choice(tmp_path):
    X = document_term_matrix(make_corpus()).X
    X = X[np.diff(X.indptr) > 0]
    table, k = sweep_k(X, [2, 3, 4], method="short", n_seeds=2)
    assert table["k"].tolist() == [2, 3, 4]
    assert list(table.columns) == ["k", "stability_gain", "stability", "stability_null",
                                   "coherence", "exclusivity", "chosen"]
    assert table["chosen"].sum() == 1 and int(table.loc[table["chosen"], "k"].iloc[0]) == k
    assert table["stability"].between(0, 1.0000001).all()
    png = plot_k_selection(table, tmp_path / "k.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
