"""Reinert classification: rainette's reference split, chi-squares, reassignment, frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.stats import chi2_contingency

from textmine.classes.figures import plot_dendrogram
from textmine.classes.reinert import (
    CLASS_COLUMNS,
    PROFILE_COLUMNS,
    SEGMENT_COLUMNS,
    ReinertOptions,
    classify_segments,
    cut_chi2,
    double_classification,
    presence_matrix,
    profiles,
    reinert_tree,
    split_units,
)
from textmine.errors import DataError, OptionError

RAINETTE_ROWS = ["11100", "00110", "10000", "11110", "11111", "10000", "11100"]


def _matrix(rows):
    return sp.csr_matrix(np.array([[int(c) for c in r] for r in rows], dtype=float))


def _chi2_table(X, mask):
    table = np.vstack([np.asarray(X[mask].sum(axis=0)).ravel(),
                       np.asarray(X[~mask].sum(axis=0)).ravel()])
    return chi2_contingency(table, correction=False)[0]


def test_rainette_reference_matrix():
    X = _matrix(RAINETTE_ROWS)
    split = split_units(X)
    assert (split.order + 1).tolist() == [3, 6, 1, 7, 4, 5, 2]
    np.testing.assert_allclose(split.cut_chi2, [2.287, 4.843, 3.271, 4.505, 4.173, 3.427],
                               atol=5e-4)
    assert split.chi2 == pytest.approx(4.843, abs=5e-4)
    tree = reinert_tree(X, k=2, min_split_members=3)
    assert tree.cut(2).tolist() == [2, 2, 1, 2, 2, 1, 2]
    assert tree.heights == [pytest.approx(4.8431, abs=1e-4)]


def test_cut_chi2_matches_scipy():
    rng = np.random.default_rng(1)
    X = sp.csr_matrix((rng.random((30, 12)) < 0.3).astype(float))
    X = X[X.getnnz(axis=1) > 0][:, X.getnnz(axis=0) > 0]
    order = rng.permutation(X.shape[0])
    values = cut_chi2(X, order)
    for t in (1, 5, 17, X.shape[0] - 1):
        mask = np.zeros(X.shape[0], dtype=bool)
        mask[order[:t]] = True
        assert values[t - 1] == pytest.approx(_chi2_table(X, mask), rel=1e-9)


def _random_matrices(count, seed=0):
    rng = np.random.default_rng(seed)
    while count:
        X = sp.csr_matrix((rng.random((12, 8)) < 0.35).astype(float))
        if (X.getnnz(axis=1) == 0).any() or (X.getnnz(axis=0) == 0).any():
            continue
        count -= 1
        yield X


def test_reassignment_correct_version_reports_the_partition_chi2():
    differ = 0
    for X in _random_matrices(200):
        good = split_units(X)
        legacy = split_units(X, _rainette_lookup=True)
        # the correct version's height is the chi-square of the partition it returns
        assert good.chi2 == pytest.approx(_chi2_table(X, good.first), rel=1e-9)
        assert good.chi2 >= good.cut_chi2.max() - 1e-12
        differ += not np.array_equal(good.first, legacy.first)
    # the two readings agree until the group lists drift from the CA order
    assert 0 < differ < 200


def test_profiles_match_scipy_2x2():
    X, vocab = presence_matrix([["a", "b"], ["a"], ["b", "c"], ["c"], ["a", "c"], ["b"]])
    classes = np.array([1, 1, 2, 2, 1, 0])
    prof = profiles(X, vocab, classes, min_chi2=0)
    assert list(prof.columns) == PROFILE_COLUMNS
    row = prof[(prof["class"] == 1) & (prof["term"] == "a")].iloc[0]
    table = [[3, 0], [0, 2]]
    chi2, p, _, _ = chi2_contingency(table, correction=False)
    assert row["chi2"] == pytest.approx(chi2) and row["p_value"] == pytest.approx(p)
    assert row["sign"] == "over" and row["n_units_in_class"] == 3 and row["n_units_total"] == 3


def _toy(n=60, seed=0):
    rng = np.random.default_rng(seed)
    vocab = [["mer", "plage", "sable", "bateau"], ["forêt", "arbre", "chêne", "mousse"],
             ["ville", "rue", "bruit", "voiture"]]
    terms, segs = [], []
    for i in range(n):
        group = vocab[i % 3]
        terms.append(list(rng.choice(group, size=3, replace=False)) + (["vent"] if i % 4 else []))
        segs.append((f"r{i}_1", f"r{i}", " ".join(terms[-1])))
    terms.append([])
    segs.append(("rX_1", "rX", "..."))
    return pd.DataFrame(segs, columns=["segment_id", "respondent_id", "text"]), terms


def test_classify_segments_frames():
    segments, terms = _toy()
    result = classify_segments(segments, terms, options=ReinertOptions(
        k=3, min_segment_size=0, min_split_members=5))
    assert list(result.classes.columns) == CLASS_COLUMNS
    assert list(result.segments.columns) == SEGMENT_COLUMNS
    seg = result.segments
    assert seg.loc[seg["segment_id"] == "rX_1", "class"].item() == 0
    # the three planted vocabularies are the three classes
    found = {frozenset(seg[seg["class"] == c]["respondent_id"].str[1:].astype(int) % 3)
             for c in (1, 2, 3)}
    assert found == {frozenset({0}), frozenset({1}), frozenset({2})}
    leaves = result.classes[result.classes["height"] == 0]
    assert leaves["size"].sum() == 60 and result.classes.loc[0, "size"] == 1
    root = result.classes[result.classes["parent"].isna() & (result.classes["class"] > 0)]
    assert len(root) == 1 and root["size"].item() == 60
    answers = result.answers
    assert list(answers.columns[:4]) == ["respondent_id", "text", "status", "class_id"]
    assert {"share_1", "share_2", "share_3"} <= set(answers.columns)
    assert answers.set_index("respondent_id").loc["rX", "status"] == "unclassified"
    cs = result.characteristic_segments
    assert (cs.groupby("class")["score"].apply(lambda s: s.is_monotonic_decreasing)).all()
    top = result.profiles[(result.profiles["sign"] == "over")].groupby("class").head(1)
    assert len(top) == 3


def test_double_classification_toy():
    segments, terms = _toy(90)
    result = classify_segments(segments, terms, options=ReinertOptions(
        k=3, min_split_members=5, double=(0, 1), min_members=5))
    assert result.info["method"] == "reinert-double"
    assert sorted(result.classes["class"]) == [0, 1, 2, 3]
    levels = [np.array([1, 1, 2, 2, 0])]
    classes, crossings = double_classification(levels, levels, k=2, min_members=1, min_chi2=0)
    assert classes.tolist() == [1, 1, 2, 2, 0] and len(crossings) == 2


def test_bad_inputs():
    empty = pd.DataFrame(columns=["segment_id", "respondent_id", "text"])
    with pytest.raises(DataError, match="empty"):
        classify_segments(empty, [])
    one = pd.DataFrame([("a_1", "a", "x y z")], columns=["segment_id", "respondent_id", "text"])
    with pytest.raises(DataError, match="at least 3"):
        classify_segments(one, [["x", "y", "z"]])
    segments, terms = _toy(12)
    with pytest.raises(OptionError, match="larger than"):
        classify_segments(segments, terms, options=ReinertOptions(k=50, min_segment_size=0))
    for bad in ({"k": 1}, {"min_split_members": 2}, {"unit": "words"}, {"double": (3, 3)}):
        with pytest.raises(OptionError):
            ReinertOptions(**bad)


def test_dendrogram_figure(tmp_path):
    segments, terms = _toy()
    result = classify_segments(segments, terms, options=ReinertOptions(
        k=3, min_segment_size=0, min_split_members=5))
    written = plot_dendrogram(result.classes, result.profiles, tmp_path / "dendrogram")
    assert [p.suffix for p in written] == [".png", ".svg"]
    assert all(p.stat().st_size > 1000 for p in written)


def _longest_blank_run(flags) -> int:
    best = run = 0
    for blank in flags:
        run = run + 1 if blank else 0
        best = max(best, run)
    return best


@pytest.mark.parametrize("n_terms", [1, 3, 8])
def test_dendrogram_has_no_empty_band(tmp_path, n_terms):
    """The terms' panel is sized to its lists and the file cropped: no band of blank rows
    (the figure once kept a fixed share of its height for 8 terms, blank under short lists)."""
    import matplotlib.image as mpimg

    classes = pd.DataFrame({"class": [0, 1, 2, 3, 4, 5],
                            "size": [10, 30, 20, 25, 55, 45], "share": [0.1] * 6,
                            "parent": [None, 4, 4, 5, None, None],
                            "height": [None, 0.0, 0.0, 0.0, 120.0, 300.0]})
    # leaf 3 under node 5, with node 4 (leaves 1, 2)
    classes.loc[classes["class"] == 4, "parent"] = 5
    profiles = pd.DataFrame([(c, f"mot_{c}_{i}", 50.0 - i, "over") for c in (1, 2, 3)
                             for i in range(n_terms if c != 3 else 1)],
                            columns=["class", "term", "chi2", "sign"])
    png = plot_dendrogram(classes, profiles, tmp_path / "d")[0]
    image = mpimg.imread(png)[:, :, :3]
    blank_rows = (image > 0.97).all(axis=(1, 2))
    height = len(blank_rows)
    # the saved padding (0.15 in at 100 dpi) and a line or two of text at most, anywhere
    # (the fixed layout left 235 to 332 blank rows under these lists)
    assert _longest_blank_run(blank_rows) < 40, (_longest_blank_run(blank_rows), height)
    assert not blank_rows[height // 2:].all()
