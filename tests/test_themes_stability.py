"""Stability of each theme over bootstrap refits (issue 14, item 8)."""

from __future__ import annotations

import numpy as np
import pytest
from test_themes_data import make_corpus

from textmine.config import ThemeOptions
from textmine.errors import OptionError
from textmine.themes import discover_themes
from textmine.themes.stability import (
    UNSTABLE_BELOW,
    final_stability,
    matched_cosine,
    theme_stability,
)


def test_matching_ignores_the_order_of_themes():
    ref = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert np.allclose(matched_cosine(ref, ref[[2, 0, 1]]), 1.0)


def test_matching_is_one_to_one():
    ref = np.array([[1.0, 0.0], [0.9, 0.1]])
    other = np.array([[1.0, 0.0], [0.0, 1.0]])
    cos = matched_cosine(ref, other)
    # Both themes look like other's first; Hungarian gives it to one and the second to the other.
    assert sorted(np.round(cos, 3)) == sorted([1.0, round(0.1 / np.hypot(0.9, 0.1), 3)])


def test_a_theme_that_does_not_come_back_is_unstable():
    def fixed(X, seed):
        """A 'refit' that always finds the same two themes, whatever the sample."""
        return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])

    ref = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # the second theme never comes back
    X = np.ones((10, 3))
    import scipy.sparse as sp

    stab = theme_stability(fixed, sp.csr_matrix(X), ref, n_resamples=3)
    assert stab[0] == pytest.approx(1.0) and stab[1] == pytest.approx(0.0)
    assert stab[1] < UNSTABLE_BELOW


def test_merged_themes_take_the_mean_of_their_parts():
    M = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert np.allclose(final_stability(np.array([0.4, 0.8, 0.9]), M), [0.6, 0.9])


def test_themes_csv_has_a_stability_per_theme_and_run_json_the_rule():
    result = discover_themes(make_corpus(), options=ThemeOptions(k=3, stability_resamples=4))
    stab = result.themes["stability"]
    assert len(stab) == 3 and ((stab >= 0) & (stab <= 1)).all()
    info = result.info["stability"]
    assert info["resamples"] == 4 and info["unstable_below"] == UNSTABLE_BELOW
    assert info["unstable"] == [int(t) for t in result.themes["theme_id"][stab < UNSTABLE_BELOW]]


def test_stability_can_be_turned_off_and_is_reproducible():
    off = discover_themes(make_corpus(), options=ThemeOptions(k=3, stability_resamples=0))
    assert "stability" not in off.themes.columns
    a = discover_themes(make_corpus(), options=ThemeOptions(k=3, stability_resamples=3))
    b = discover_themes(make_corpus(), options=ThemeOptions(k=3, stability_resamples=3))
    assert a.themes["stability"].tolist() == b.themes["stability"].tolist()


def test_bad_number_of_resamples_is_refused():
    with pytest.raises(OptionError, match="stability"):
        ThemeOptions(stability_resamples=-1)
