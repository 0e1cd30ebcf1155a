"""Charts: Wilson intervals and the figures drawn for a report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from report_fixtures import built_report
from statsmodels.stats.proportion import proportion_confint

from textmine.report.charts import group_prevalence_chart, wilson_interval
from textmine.report.colours import PALETTE, hex_to_rgb, theme_colours


def test_wilson_matches_statsmodels():
    k, n = np.array([0, 8, 19, 51]), np.array([51, 51, 51, 51])
    low, high = wilson_interval(k, n)
    ref_low, ref_high = proportion_confint(k, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, atol=1e-12)


def test_wilson_of_an_empty_group_is_nan():
    low, high = wilson_interval(np.array([0.0]), np.array([0.0]))
    assert np.isnan(low[0]) and np.isnan(high[0])


@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_stays_in_0_1_and_contains_the_estimate(kn):
    k, n = kn
    low, high = wilson_interval(k, n)
    assert 0 <= low <= k / n + 1e-12 <= high + 2e-12 <= 1 + 2e-12


def test_figures_of_the_report():
    figures = built_report("fr") / "figures"
    names = sorted(p.name for p in figures.glob("*.png"))
    assert names == [
        "cloud_01_Outils_de_visio.png", "cloud_02_Chevauchement_avec_la_DSI.png",
        "cloud_03_Manque_de_moyens.png", "cloud_04_Conseil_i_strategique_i_elus.png",
        "k_selection.png", "prevalence.png", "prevalence_by_fonction.png",
        "prevalence_by_outils.png"]
    with Image.open(figures / "prevalence.png") as img:
        colours = {c for _, c in img.convert("RGB").getcolors(maxcolors=1 << 20)}
    # Each theme's bar is drawn in the theme's colour.
    for colour in PALETTE[:4]:
        assert hex_to_rgb(colour) in colours


def test_group_chart_one_panel_per_theme(tmp_path):
    crosstab = pd.DataFrame({
        "theme_id": [1, 1, 2, 2], "label": ["Visio", "Visio", "DSI", "DSI"],
        "modality": ["A", "B", "A", "B"], "n": [3, 9, 5, 5], "n_modality": [10, 10, 10, 10],
        "adj_residual": [0.0] * 4, "p_adjusted": [0.5] * 4})
    path = group_prevalence_chart(crosstab, theme_colours([1, 2]), tmp_path / "g.png",
                                  variable="fonction", lang="en")
    with Image.open(path) as img:
        colours = {c for _, c in img.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert hex_to_rgb(PALETTE[0]) in colours and hex_to_rgb(PALETTE[1]) in colours


def test_dollar_signs_in_labels_and_groups_render_as_text(tmp_path):
    from textmine.report.charts import prevalence_chart

    crosstab = pd.DataFrame({
        "theme_id": [1, 1], "label": ["Prime 5$ à 10^$", "Prime 5$ à 10^$"],
        "modality": ["moins de 5$", "plus de $10^$"], "n": [3, 9], "n_modality": [10, 10],
        "adj_residual": [0.0] * 2, "p_adjusted": [0.5] * 2})
    assert group_prevalence_chart(crosstab, theme_colours([1]), tmp_path / "g.png",
                                  variable="prime", lang="en").is_file()
    themes = pd.DataFrame({"theme_id": [1], "label": ["coût $x^2$ et $"], "n_answers": [4]})
    assert prevalence_chart(themes, 10, theme_colours([1]), tmp_path / "p.png").is_file()


def test_wilson_is_exact_at_0_and_n_for_every_group_size():
    # Issue 11: the formula left ~1e-17 above 0 at p = 0 (below 1 at p = 1) for group sizes such
    # as 3, 6, 7, 12, and the group chart crashed on the negative error bar.
    n = np.repeat(np.arange(1, 401), np.arange(2, 402))  # every (k, n) with 0 <= k <= n <= 400
    k = np.concatenate([np.arange(m + 1) for m in range(1, 401)])
    low, high = wilson_interval(k, n)
    p = k / n
    assert (low <= p).all() and (p <= high).all()
    assert (low >= 0).all() and (high <= 1).all()
    assert (low[k == 0] == 0).all() and (high[k == n] == 1).all()
    assert (low[k > 0] > 0).all() and (high[k < n] < 1).all()
    ref_low, ref_high = proportion_confint(k, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-15)
    np.testing.assert_allclose(high, ref_high, atol=1e-15)


def test_wilson_of_a_weighted_share_stays_around_it():
    low, high = wilson_interval(np.array([0.0, 2.6, 7.0]), np.array([7.0, 7.0, 7.0]))
    assert low[0] == 0 and high[2] == 1
    assert low[1] < 2.6 / 7 < high[1]


def test_error_bars_are_never_negative():
    from textmine.report.charts import xerr

    share = np.array([0.0, 1.0, 0.5])
    bars = xerr(share, share + 1e-17, share - 1e-17)
    assert bars.shape == (2, 3) and (bars >= 0).all()


@pytest.mark.parametrize("size", [3, 6, 7, 12, 14])
def test_group_chart_draws_a_0_and_a_100_percent_group(tmp_path, size):
    # The 14-respondent survey of the bug report: one group where nobody and one where everybody
    # mentions the theme (``--by fonction --report`` crashed with "'xerr' must not contain
    # negative values").
    crosstab = pd.DataFrame({
        "theme_id": [1, 1, 2, 2], "label": ["Visio", "Visio", "DSI", "DSI"],
        "modality": ["A", "B", "A", "B"], "n": [0, size, size, 0],
        "n_modality": [size, size, size, size],
        "adj_residual": [0.0] * 4, "p_adjusted": [0.5] * 4})
    path = group_prevalence_chart(crosstab, theme_colours([1, 2]), tmp_path / "g.png",
                                  variable="fonction", lang="en")
    assert path.is_file()


def test_prevalence_chart_draws_a_theme_of_every_answer(tmp_path):
    from textmine.report.charts import prevalence_chart

    themes = pd.DataFrame({"theme_id": [1, 2], "label": ["Tout", "Rien"], "n_answers": [7, 0]})
    assert prevalence_chart(themes, 7, theme_colours([1, 2]), tmp_path / "p.png").is_file()
