"""Statistics of textmine.tables.stats checked against scipy/statsmodels on hand-made tables."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests

from textmine.tables import stats

# Directors vs officers x "mentions the DSI overlap": large enough for the chi-square.
BIG = np.array([[30, 12, 8], [40, 55, 60]])
# Small counts: expected counts below 5 force an exact test.
SMALL_2X2 = np.array([[4, 0], [1, 5]])
SMALL_2X3 = np.array([[3, 0, 1], [1, 4, 2]])


def test_pearson_chi2_matches_scipy_without_correction():
    stat, dof, p = stats.pearson_chi2(BIG)
    ref = sps.chi2_contingency(BIG, correction=False)
    assert stat == pytest.approx(ref.statistic)
    assert dof == ref.dof
    assert p == pytest.approx(ref.pvalue)


def test_pearson_chi2_2x2_has_no_continuity_correction():
    table = np.array([[20, 10], [10, 20]])
    stat, _, _ = stats.pearson_chi2(table)
    assert stat == pytest.approx(sps.chi2_contingency(table, correction=False).statistic)
    assert stat != pytest.approx(sps.chi2_contingency(table, correction=True).statistic)


def test_expected_counts_match_scipy():
    assert np.allclose(stats.expected_counts(BIG), sps.contingency.expected_freq(BIG))


def test_adjusted_residuals_match_statsmodels():
    ref = Table(BIG).standardized_resids
    assert np.allclose(stats.adjusted_residuals(BIG), np.asarray(ref))


def test_cramers_v_matches_scipy():
    assert stats.cramers_v(BIG) == pytest.approx(
        sps.contingency.association(BIG, method="cramer", correction=False)
    )


def test_fisher_is_chosen_for_small_2x2_and_matches_scipy():
    res = stats.independence_test(SMALL_2X2)
    assert res.test == stats.FISHER
    assert res.p_value == pytest.approx(sps.fisher_exact(SMALL_2X2).pvalue)


def test_chi_square_is_chosen_when_expected_counts_allow():
    res = stats.independence_test(BIG)
    assert res.test == stats.CHI2
    assert res.p_value == pytest.approx(sps.chi2_contingency(BIG, correction=False).pvalue)
    assert res.dof == 2


def test_min_expected_threshold_changes_the_choice():
    assert stats.independence_test(BIG, min_expected=50).test == stats.MONTE_CARLO


def _exact_chi2_p(table: np.ndarray) -> float:
    """Exact conditional p-value of the chi-square statistic, by enumerating all 2 x c tables."""
    cols = table.sum(axis=0)
    r1 = table[0].sum()
    n = table.sum()
    obs, _, _ = stats.pearson_chi2(table)
    total = 0.0
    for first in itertools.product(*[range(c + 1) for c in cols]):
        if sum(first) != r1:
            continue
        t = np.vstack([first, cols - np.array(first)])
        prob = np.prod([math.comb(int(c), int(x)) for c, x in zip(cols, first, strict=True)])
        prob /= math.comb(int(n), int(r1))
        if stats.pearson_chi2(t)[0] >= obs - 1e-9:
            total += prob
    return total


def test_monte_carlo_agrees_with_exact_enumeration():
    res = stats.independence_test(SMALL_2X3, n_permutations=20000, seed=3)
    assert res.test == stats.MONTE_CARLO
    exact = _exact_chi2_p(SMALL_2X3)
    se = math.sqrt(exact * (1 - exact) / 20000)
    assert abs(res.p_value - exact) < 4 * se


def test_monte_carlo_agrees_with_scipy_monte_carlo():
    method = sps.MonteCarloMethod(n_resamples=20000, rng=np.random.default_rng(1))
    ref = sps.chi2_contingency(SMALL_2X3, correction=False, method=method).pvalue
    _, p = stats.monte_carlo_chi2(SMALL_2X3, n_permutations=20000, seed=2)
    assert abs(p - ref) < 0.02


def test_monte_carlo_is_reproducible_with_seed():
    a = stats.monte_carlo_chi2(SMALL_2X3, n_permutations=500, seed=7)
    b = stats.monte_carlo_chi2(SMALL_2X3, n_permutations=500, seed=7)
    assert a == b


def test_monte_carlo_is_scipys_with_the_same_seed_for_three_rows():
    table = np.array([[3, 0, 1], [1, 4, 2], [0, 1, 3]])
    stat, p = stats.monte_carlo_chi2(table, n_permutations=2000, seed=4)
    method = sps.MonteCarloMethod(n_resamples=2000, rng=np.random.default_rng(4))
    ref = sps.chi2_contingency(table, correction=False, method=method)
    assert (stat, p) == (pytest.approx(ref.statistic), ref.pvalue)
    assert 1 / 2001 <= p <= 1


def test_monte_carlo_drops_empty_rows_and_columns():
    padded = np.array([[3, 0, 0, 1], [0, 0, 0, 0], [1, 0, 4, 2]])
    assert stats.monte_carlo_chi2(padded, n_permutations=300, seed=1) == stats.monte_carlo_chi2(
        SMALL_2X3, n_permutations=300, seed=1
    )


def test_cramers_v_of_a_weighted_table_uses_scipys_formula():
    # scipy's association() refuses non-integer tables; the weighted path must agree with it on
    # a table whose weighted counts are a multiple of an integer table (V is scale-free).
    v = stats.cramers_v(BIG * 1.37)
    assert v == pytest.approx(sps.contingency.association(BIG, method="cramer"))


def test_benjamini_hochberg_of_only_nan_is_nan():
    assert np.isnan(stats.benjamini_hochberg(np.array([np.nan, np.nan]))).all()
    assert stats.benjamini_hochberg(np.array([])).shape == (0,)


def test_degenerate_table_is_untestable():
    res = stats.independence_test(np.array([[0, 0, 0], [5, 3, 2]]))
    assert res.test == stats.NO_TEST
    assert math.isnan(res.p_value)


def test_cochran_armitage_matches_statsmodels_linear_by_linear():
    x = np.array([5, 9, 14, 20])
    n = np.array([30, 31, 29, 33])
    z, p = stats.cochran_armitage(x, n)
    ref = Table(np.vstack([x, n - x]).T).test_ordinal_association(
        row_scores=np.arange(4), col_scores=np.array([1, 0])
    )
    # Cochran-Armitage uses N where the linear-by-linear statistic uses N - 1.
    assert z == pytest.approx(ref.zscore * math.sqrt(n.sum() / (n.sum() - 1)))
    assert p == pytest.approx(2 * sps.norm.sf(abs(z)))
    assert z > 0


def test_cochran_armitage_sign_follows_decreasing_trend():
    z, _ = stats.cochran_armitage(np.array([20, 10, 2]), np.array([30, 30, 30]))
    assert z < 0


def test_mann_whitney_matches_scipy():
    values = np.array([21.0, 35, 44, 52, 60, 29, 33, 47, 58, 63, 38])
    group = np.array([1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1], dtype=bool)
    res = stats.mann_whitney(values, group)
    ref = sps.mannwhitneyu(values[group], values[~group], method="asymptotic")
    assert res.p_value == pytest.approx(ref.pvalue)
    assert res.test == stats.MANN_WHITNEY


def test_kruskal_wallis_matches_scipy():
    values = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9])
    groups = np.array(["a", "a", "a", "b", "b", "b", "c", "c", "c"])
    res = stats.kruskal_wallis(values, groups)
    assert res.p_value == pytest.approx(sps.kruskal([1, 2, 3], [4, 5, 6], [7, 8, 9]).pvalue)


def test_benjamini_hochberg_matches_statsmodels_and_keeps_nan():
    p = np.array([0.01, 0.04, np.nan, 0.03, 0.2, 0.001])
    adj = stats.benjamini_hochberg(p)
    ok = ~np.isnan(p)
    assert np.allclose(adj[ok], multipletests(p[ok], method="fdr_bh")[1])
    assert np.isnan(adj[2])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_benjamini_hochberg_property(p):
    adj = stats.benjamini_hochberg(np.array(p))
    assert np.allclose(adj, multipletests(p, method="fdr_bh")[1])


def test_rao_scott_with_equal_weights_is_pearson():
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 2, 200)
    cols = rng.integers(0, 3, 200)
    table = np.zeros((2, 3))
    np.add.at(table, (rows, cols), 1)
    stat, p, delta, dof = stats.rao_scott_chi2(rows, cols, np.full(200, 2.5))
    pearson = sps.chi2_contingency(table, correction=False)
    assert delta == pytest.approx(200 / 199)
    assert stat == pytest.approx(pearson.statistic * 199 / 200)
    assert dof == 2


def test_rao_scott_design_effect_tracks_unequal_weighting():
    # Weights unrelated to the table: the mean design effect is close to Kish's 1 + CV^2.
    rng = np.random.default_rng(1)
    rows = rng.integers(0, 2, 4000)
    cols = rng.integers(0, 3, 4000)
    w = rng.choice([1.0, 4.0], size=4000)
    _, p, delta, _ = stats.rao_scott_chi2(rows, cols, w)
    assert delta == pytest.approx(stats.kish_design_effect(w), rel=0.15)
    assert 0 <= p <= 1


def _rao_scott_44(rows, cols, w):
    """Rao & Scott (1984) eq. 4.4: mean design effect from cell and margin design effects."""
    n = w.size
    ri = np.unique(rows, return_inverse=True)[1]
    ci = np.unique(cols, return_inverse=True)[1]
    nr, nc = ri.max() + 1, ci.max() + 1

    def deff(ind):
        prop = np.sum(w * ind) / w.sum()
        var = n / (n - 1) * np.sum(w**2 * (ind - prop) ** 2) / w.sum() ** 2
        return prop, var / (prop * (1 - prop) / n)

    acc = 0.0
    for i in range(nr):
        for j in range(nc):
            prop, d = deff(((ri == i) & (ci == j)).astype(float))
            acc += (1 - prop) * d
    for i in range(nr):
        prop, d = deff((ri == i).astype(float))
        acc -= (1 - prop) * d
    for j in range(nc):
        prop, d = deff((ci == j).astype(float))
        acc -= (1 - prop) * d
    return acc / ((nr - 1) * (nc - 1))


def test_rao_scott_design_effect_agrees_with_closed_form():
    rng = np.random.default_rng(5)
    rows = rng.integers(0, 2, 400)
    cols = rng.integers(0, 3, 400)
    w = rng.uniform(0.3, 3, 400) * (1 + rows)  # weights related to the rows
    stat, p, delta, dof = stats.rao_scott_chi2(rows, cols, w)
    assert delta == pytest.approx(_rao_scott_44(rows, cols, w), rel=0.02)
    table = np.zeros((2, 3))
    np.add.at(table, (rows, cols), w)
    x2w = sps.chi2_contingency(table * 400 / w.sum(), correction=False).statistic
    assert stat == pytest.approx(x2w / delta)
    assert p == pytest.approx(sps.chi2.sf(x2w / delta, dof))
