"""Numeric questions in crosstabs: groups that never overlap and cover every value."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from textmine.tables import ClosedData, crosstab_frame
from textmine.tables.crosstab import numeric_binning, numeric_bins

RANGE = re.compile(r"^(-?[\d.]+)(?:–(-?[\d.]+))?$")
INTERVAL = re.compile(r"^([\[(])(-?[\d.e+]+), (-?[\d.e+]+)\]$")


def _check_partition(values: pd.Series, bins: pd.Series) -> None:
    """Every value falls in exactly the group its label names; groups are disjoint, ordered."""
    labels = list(bins.cat.categories)
    assert len(set(labels)) == len(labels)
    assert bins.notna().sum() == values.notna().sum()
    assert set(bins.dropna()) == set(labels)  # no empty group
    spans = []
    for label in labels:
        members = values[bins == label]
        if (m := RANGE.match(label)) is not None:
            low = float(m[1])
            high = float(m[2]) if m[2] is not None else low
            assert members.min() == low and members.max() == high, label
            inside = values.between(low, high)
        else:
            m = INTERVAL.match(label)
            assert m is not None, label
            low, high = float(m[2]), float(m[3])
            inside = (values >= low if m[1] == "[" else values > low) & (values <= high)
        # The label names exactly the group: no value of another group lies in its range.
        assert (inside == (bins == label)).all(), label
        spans.append((low, high))
    for (_, high), (low, _) in zip(spans, spans[1:], strict=False):
        assert high <= low


@pytest.mark.parametrize("values", [
    [1, 2, 2, 3, 3, 3, 4, 5, 5, 1, 3, 4],                      # 1–5 scale
    [1, 1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 5] * 5,                  # with heavy ties
    list(range(0, 11)) * 3 + [10] * 20,                        # 0–10 scale, piled at 10
    [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],   # 0–10, piled at 0
    [3, 6, 6, 6, 9, 9, 12, 15, 20, 25, 30, 6, 6, 9, 3],        # seniority in years
])
def test_discrete_scales_are_partitioned(values):
    s = pd.Series(values, dtype=float, index=[f"r{i}" for i in range(len(values))])
    bins = numeric_bins(s)
    _check_partition(s, bins)
    if s.nunique() <= 7:
        assert list(bins.cat.categories) == [f"{v:g}" for v in sorted(s.unique())]
        assert numeric_binning(s) == "one modality per value"


def test_one_to_five_has_no_overlap_nor_missing_group():
    s = pd.Series([1, 2, 2, 3, 3, 3, 3, 4, 5, 5, 2, 3], dtype=float)
    assert list(numeric_bins(s).cat.categories) == ["1", "2", "3", "4", "5"]


def test_zero_to_ten_quartiles_as_whole_ranges():
    s = pd.Series(list(range(11)) * 4, dtype=float)
    bins = numeric_bins(s)
    assert list(bins.cat.categories) == ["0–2", "3–5", "6–8", "9–10"]
    assert numeric_binning(s) == "quartiles (pandas.qcut)"


def test_ties_merge_edges_and_say_so():
    s = pd.Series([0] * 30 + list(range(1, 11)), dtype=float)
    bins = numeric_bins(s)
    _check_partition(s, bins)
    assert len(bins.cat.categories) < 4
    assert "merged" in numeric_binning(s)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_continuous_values_get_half_open_intervals(seed):
    rng = np.random.default_rng(seed)
    s = pd.Series(rng.gamma(2.0, 10.0, size=200).round(2))
    s.iloc[:5] = np.nan
    bins = numeric_bins(s)
    labels = list(bins.cat.categories)
    assert len(labels) == 4 and labels[0].startswith("[")
    assert all(lab.startswith("(") for lab in labels[1:])
    _check_partition(s.dropna(), bins.dropna())
    assert bins.isna().sum() == 5


def test_crosstab_says_the_binning():
    n = 40
    ids = [f"r{i}" for i in range(n)]
    answers = pd.DataFrame({"respondent_id": ids, "status": "themed",
                            "theme_id": ["1" if i % 3 else "2" for i in range(n)],
                            "weight": 1.0,
                            "themes": ["1" if i % 3 else "2" for i in range(n)]})
    themes = pd.DataFrame({"theme_id": [1, 2], "label": ["Outils", "Réunions"]})
    scale = pd.Series([1 + i % 5 for i in range(n)], index=ids, dtype=float)
    seniority = pd.Series([3 * (i % 11) for i in range(n)], index=ids, dtype=float)
    out = crosstab_frame(answers, themes, [ClosedData("note", "numeric", scale),
                                           ClosedData("anciennete", "numeric", seniority),
                                           ClosedData("role", "single", pd.Series(
                                               pd.Categorical(["a", "b"] * 20), index=ids))])
    theme = out[out["row_type"] == "theme"]
    note = theme[theme["question"] == "note"]
    assert list(dict.fromkeys(note["modality"])) == ["1", "2", "3", "4", "5"]
    assert set(note["binning"]) == {"one modality per value"}
    years = theme[theme["question"] == "anciennete"]
    assert set(years["binning"]) == {"quartiles (pandas.qcut)"}
    bins = numeric_bins(seniority)
    _check_partition(seniority, bins)
    assert list(dict.fromkeys(years["modality"])) == list(bins.cat.categories)
    assert set(theme.loc[theme["question"] == "role", "binning"]) == {""}
