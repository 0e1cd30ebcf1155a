"""Tests of textmine.themes.quotes."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from textmine.themes.quotes import select_quotes, typicality


def _setup():
    masked = ["visio et teams", "Visio et Teams", "teams et visio", "cloud partout",
              "réunions en visio", "budget"]
    terms = [["visio", "teams"], ["visio", "teams"], ["teams", "visio"], ["cloud"],
             ["réunion", "visio"], ["budget"]]
    # columns: visio, teams, cloud, réunion, budget
    dense = np.array([[1, 1, 0, 0, 0], [1, 1, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 1, 0, 0],
                      [1, 0, 0, 1, 0], [0, 0, 0, 0, 1]], dtype=float)
    rep = sp.csr_matrix(dense / np.linalg.norm(dense, axis=1, keepdims=True))
    theme = np.array([1.0, 0.8, 0.3, 0.2, 0.0])
    return masked, terms, rep, theme


def test_quotes_skip_near_duplicates_and_non_carriers():
    masked, terms, rep, theme = _setup()
    weights = np.array([0.9, 0.95, 0.9, 0.5, 0.6, 0.99])
    carriers = np.array([True, True, True, True, True, False])
    quotes = select_quotes(weights, carriers, typicality(rep, theme), masked=masked, terms=terms,
                           n_quotes=3)
    assert quotes == ["Visio et Teams", "réunions en visio", "cloud partout"]


def test_ties_on_weight_are_broken_by_typicality():
    masked, terms, rep, theme = _setup()
    weights = np.array([0.0, 0.0, 0.0, 0.5, 0.5, 0.0])
    carriers = np.array([False, False, False, True, True, False])
    quotes = select_quotes(weights, carriers, typicality(rep, theme), masked=masked, terms=terms,
                           n_quotes=1)
    assert quotes == ["réunions en visio"]


def test_no_carrier_no_quote():
    masked, terms, rep, theme = _setup()
    none = np.zeros(6, bool)
    assert select_quotes(np.ones(6), none, typicality(rep, theme), masked=masked, terms=terms) == []


def test_an_answer_repeating_a_surface_label_is_no_quote():
    from textmine.themes.quotes import repeats_label

    # Label written as the answers write it, terms are lemmas.
    assert repeats_label("Les consignes nationales", ["consigne_national"],
                         "consignes nationales / sommeil")
    assert not repeats_label("consignes nationales et cantine", ["consigne_national", "cantine"],
                             "consignes nationales / sommeil")


def test_typicality_by_blocks_equals_the_represented_matrix(monkeypatch):
    # Issue 19 (memory at 1M answers): typicality represents the answers block by block,
    # never all at once, and gives what the whole represented matrix gives.
    import textmine.themes.quotes as quotes

    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.poisson(0.4, size=(23, 6)).astype(float))
    H = rng.random((3, 6))
    seen = []

    def represent(block):
        seen.append(block.shape[0])
        return sp.csr_matrix(block.multiply(1.0 / np.maximum(block.sum(axis=1), 1)))

    whole = np.asarray(represent(X) @ (H / np.linalg.norm(H, axis=1, keepdims=True)).T)
    seen.clear()
    monkeypatch.setattr(quotes, "TYPICALITY_BLOCK_ROWS", 5)
    np.testing.assert_allclose(typicality(X, H, represent), whole, rtol=0, atol=1e-15)
    assert max(seen) == 5 and sum(seen) == 23
    np.testing.assert_allclose(typicality(X, H[1], represent), whole[:, 1], rtol=0, atol=1e-15)
