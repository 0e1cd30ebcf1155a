"""Tests of textmine.themes.assign (multi-theme assignment)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from textmine.themes.assign import assign_themes, status_counts, theme_counts


def _assign(W, status=None, has_terms=None, **kw):
    n = len(W)
    return assign_themes(
        np.asarray(W, dtype=float), ids=[f"r{i}" for i in range(n)], texts=["t"] * n,
        status=status or ["ok"] * n,
        has_terms=np.ones(n, bool) if has_terms is None else np.asarray(has_terms),
        **kw,
    )  # fmt: skip


def test_several_themes_above_the_relative_threshold():
    a = _assign([[0.6, 0.4, 0.1]], relative_threshold=0.5)
    assert a.loc[0, "themes"] == "1;2"
    assert a.loc[0, "theme_id"] == 1
    assert a.loc[0, "weight"] == round(0.6 / 1.1, 4)
    assert a.loc[0, "status"] == "themed"


def test_non_answers_and_empty_keep_their_status_and_no_theme():
    a = _assign([[0.9, 0.0], [0.9, 0.0]], status=["non-answer", "empty"])
    assert a["status"].tolist() == ["non-answer", "empty"]
    assert a["theme_id"].isna().all()
    assert a["themes"].tolist() == ["", ""]


def test_no_signal_is_unassigned():
    a = _assign([[0.0, 0.0], [0.005, 0.001], [0.3, 0.0]], has_terms=[True, True, False],
                min_weight=0.01)
    assert a["status"].tolist() == ["unassigned"] * 3


def test_columns_and_counts():
    a = _assign([[0.6, 0.4], [0.0, 0.9], [0, 0]], status=["ok", "ok", "non-answer"])
    assert list(a.columns) == ["respondent_id", "text", "status", "theme_id", "weight", "themes"]
    assert theme_counts(a, 2).tolist() == [1, 2]
    assert status_counts(a) == {"themed": 2, "unassigned": 0, "non_answer": 1, "empty": 0,
                                "multi_theme": 1}


@settings(max_examples=60, deadline=None)
@given(
    arrays(float, (6, 4), elements=st.floats(0, 1, allow_nan=False)),
    st.floats(0.1, 1.0),
)
def test_primary_theme_is_always_among_the_assigned_and_all_pass_the_threshold(W, rel):
    a = _assign(W, relative_threshold=rel)
    for i, row in a.iterrows():
        if row["status"] != "themed":
            assert W[i].max() < 0.01
            continue
        ids = [int(t) for t in row["themes"].split(";")]
        assert int(row["theme_id"]) in ids
        assert all(W[i, t - 1] >= rel * W[i].max() for t in ids)
        assert pd.notna(row["weight"]) and 0 < row["weight"] <= 1
