"""Tests of textmine.themes.assign (multi-theme assignment)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from textmine.themes.assign import (
    assign_themes,
    defining_columns,
    status_counts,
    theme_counts,
    under_assigned,
    writes_columns,
)


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


def test_an_answer_writing_a_themes_defining_word_also_carries_it():
    # "la nature, cadre de vie": the weights favour cadre de vie, the word says nature too.
    W = [[0.1, 0.9], [0.0, 0.8], [0.7, 0.0]]
    writes = np.array([[True, False], [False, False], [False, False]])
    a = _assign(W, writes_defining=writes)
    assert a["themes"].tolist() == ["1;2", "2", "1"]
    assert a.loc[0, "theme_id"] == 2  # the primary theme still follows the weights
    # Non-answers and answers without terms are never themed by a word.
    b = _assign([[0.0, 0.0]], status=["non-answer"], writes_defining=np.array([[True, True]]))
    assert b.loc[0, "themes"] == ""


def test_defining_word_is_the_heaviest_term_most_exclusive_to_the_theme():
    comp = np.array([[0.9, 0.5, 0.0], [0.3, 0.0, 0.8]])
    lead, heaviest = defining_columns(comp, n_defining=2)
    assert lead == [0, 2]
    assert heaviest == [[0, 1], [2, 0]]
    # A term shared more with another theme defines neither where it is not the most exclusive.
    comp2 = np.array([[0.5, 0.4], [0.9, 0.0]])
    lead2, _ = defining_columns(comp2)
    assert lead2 == [None, 0]
    # Fragments (not usable) never define a theme.
    lead3, heaviest3 = defining_columns(comp, np.array([False, True, True]), n_defining=2)
    assert lead3 == [1, 2] and heaviest3[0] == [1]


def test_under_assigned_counts_codable_answers_writing_the_words_without_the_theme():
    import scipy.sparse as sp

    X = sp.csr_matrix(np.array([[1, 0], [1, 1], [0, 1], [1, 0]], dtype=float))
    writes = writes_columns(X, [[0], [1]])
    assert writes.tolist() == [[True, False], [True, True], [False, True], [True, False]]
    answers = pd.DataFrame({"themes": ["2", "1;2", "2", ""],
                            "status": ["themed", "themed", "themed", "non-answer"]})
    assert under_assigned(answers, writes).tolist() == [1, 0]
