"""Agreement metrics: equal to scikit-learn, the krippendorff package and hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from textmine.coding.agreement import (
    ALL_CODES,
    coder_agreement,
    cohen_kappa,
    krippendorff_alpha,
    model_agreement,
    percent_agreement,
)
from textmine.coding.learn import MultiLabelCoder
from textmine.errors import DataError

krippendorff = pytest.importorskip("krippendorff")

pairs = st.integers(2, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
    )
)


def test_hand_computed_binary_case():
    # po = 3/4, pe = 1/2 -> kappa 1/2; coincidences o11=2, o10=o01=1, o00=4 -> alpha 1 - 14/30.
    a, b = [1, 1, 0, 0], [1, 0, 0, 0]
    assert percent_agreement(a, b) == 0.75
    assert cohen_kappa(a, b) == pytest.approx(0.5)
    assert krippendorff_alpha([a, b]) == pytest.approx(1 - 14 / 30)


def test_alpha_matches_krippendorffs_published_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 coders, 12 units.
    nan = np.nan
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha(data) == pytest.approx(ref)


@pytest.mark.filterwarnings("ignore::UserWarning")  # sklearn warns on single-label pairs
@settings(max_examples=60, deadline=None)
@given(pairs)
def test_kappa_equals_scikit_learn(pair):
    a, b = pair
    ours, ref = cohen_kappa(a, b), cohen_kappa_score(a, b)
    if np.isnan(ref):
        assert np.isnan(ours)
    else:
        assert ours == pytest.approx(ref)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda m: st.lists(
            st.lists(st.sampled_from([0.0, 1.0, 2.0, np.nan]), min_size=m, max_size=m),
            min_size=2, max_size=30,
        )
    )
)
def test_alpha_equals_krippendorff_package(units):
    data = np.array(units).T  # coders x units
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    values = np.unique(data[:, pairable][~np.isnan(data[:, pairable])])
    if len(values) < 2:
        assert np.isnan(krippendorff_alpha(data))
        return
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha(data) == pytest.approx(ref)


def test_single_value_gives_nan_not_an_error():
    assert np.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))
    assert np.isnan(krippendorff_alpha([[0, 0, 0], [0, 0, 0]]))


def test_unequal_lengths_are_refused():
    with pytest.raises(DataError, match=r"^Both coders must rate the same units; got \(2,\) and"):
        cohen_kappa([0, 1], [0, 1, 1])


def _coded(rows: dict[str, list[int]], codes: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=codes)
    frame.index.name = "respondent_id"
    return frame


def test_agreement_is_computed_on_the_answers_both_coders_coded():
    ids = [f"r{i}" for i in range(1, 9)]
    # r3 coded by a only, r4 by b only; r5 coded by both with no code (a row of zeros);
    # r6..r8 coded by nobody: none of them counts, not even as agreement on absence.
    a = _coded({"r1": [1, 0], "r2": [1, 1], "r3": [0, 1], "r5": [0, 0]}, ["salaire", "charge"])
    b = _coded({"r1": [1, 0], "r2": [0, 1], "r4": [0, 1], "r5": [0, 0]}, ["salaire", "charge"])
    table = coder_agreement(a, b, ids=ids).set_index("code")
    x = np.array([1, 1, 0])
    y = np.array([1, 0, 0])
    row = table.loc["salaire"]
    assert row["n_units"] == 3 and row["n_a"] == 2 and row["n_b"] == 1 and row["n_both"] == 1
    assert row["n_only_a"] == 1 and row["n_only_b"] == 1
    assert row["percent_agreement"] == pytest.approx(2 / 3)
    assert row["cohen_kappa"] == pytest.approx(cohen_kappa_score(x, y))
    ref = krippendorff.alpha(reliability_data=[x, y], level_of_measurement="nominal")
    assert row["krippendorff_alpha"] == pytest.approx(ref)
    # The pooled row rates every (answer coded by both, code) pair.
    assert table.loc[ALL_CODES, "n_units"] == 6


def test_no_answer_coded_by_both_is_an_error():
    a = _coded({"r1": [1]}, ["salaire"])
    b = _coded({"r2": [1]}, ["salaire"])
    with pytest.raises(DataError, match=r"^No answer was coded by both coders \(1 and 1"):
        coder_agreement(a, b, ids=["r1", "r2"])


def test_code_used_by_one_coder_only_is_compared_as_absent_for_the_other():
    ids = ["r1", "r2", "r3"]
    a = _coded({"r1": [1], "r2": [0]}, ["salaire"])
    b = _coded({"r1": [0], "r2": [1]}, ["formation"])
    table = coder_agreement(a, b, ids=ids)
    assert table["code"].tolist() == ["salaire", "formation", ALL_CODES]
    assert table.set_index("code").loc["formation", "n_a"] == 0


def test_unknown_respondents_are_refused():
    a = _coded({"r1": [1], "zz9": [1]}, ["salaire"])
    with pytest.raises(
        DataError, match=r"^1 coded respondent id\(s\) are not in the survey: zz9; check --id-col"
    ):
        coder_agreement(a, a, ids=["r1", "r2"])


def _synthetic(n: int = 60, seed: int = 0) -> tuple[list[list[str]], pd.DataFrame]:
    rng = np.random.default_rng(seed)
    vocab = {"salaire": ["salaire", "paie", "prime"], "charge": ["charge", "surcharge", "stress"]}
    filler = ["travail", "service", "collègue", "année", "mois"]
    docs, rows = [], []
    for _ in range(n):
        codes = {c: int(rng.random() < 0.4) for c in vocab}
        words = list(rng.choice(filler, 3))
        for c, on in codes.items():
            if on:
                words += list(rng.choice(vocab[c], 2))
        docs.append(words)
        rows.append(codes)
    return docs, pd.DataFrame(rows)


def test_model_agreement_is_cross_validated_per_code():
    # enough coded answers for 25 right held-out codes in each fold's coder
    docs, Y = _synthetic(150)
    per_code, trade = model_agreement(
        docs, Y, coder=MultiLabelCoder(cv_folds=3), cv_folds=3, targets=(0.5, 0.9)
    )
    assert per_code["code"].tolist() == ["salaire", "charge", ALL_CODES]
    assert per_code.columns.tolist() == [
        "code", "n_coded", "n_assigned", "precision", "recall", "f1", "cohen_kappa"
    ]
    assert per_code["n_coded"].iloc[:2].tolist() == Y.sum().tolist()
    # The words give the codes away: held-out answers are coded well.
    assert (per_code["f1"].iloc[:2] > 0.8).all()
    assert trade["target_precision"].tolist() == [0.5, 0.9]
    # A higher target can only assign fewer codes.
    assert trade["n_assigned"].iloc[1] <= trade["n_assigned"].iloc[0]
    # The right count is what a run weighs before it keeps its automatic codes.
    assert (trade["n_right"] == (trade["precision"] * trade["n_assigned"]).round()).all()
    assert (trade["n_right"] > 0).all()


def test_model_agreement_needs_enough_coded_answers():
    docs, Y = _synthetic(4)
    with pytest.raises(DataError, match=r"^Only 4 coded answers for 5-fold cross-validation"):
        model_agreement(docs, Y)


def test_coder_agreement_matches_integer_and_text_ids_alike():
    from textmine.coding.agreement import coder_agreement

    a = pd.DataFrame({"X": [1, 0, 1]}, index=[1, 2, 3])
    b = pd.DataFrame({"X": [1, 1, 0]}, index=[1, 2, 3])
    as_int = coder_agreement(a, b, ids=["1", "2", "3", "4"])
    as_text = coder_agreement(
        a.set_axis(["1", "2", "3"]), b.set_axis(["1", "2", "3"]), ids=["1", "2", "3", "4"]
    )
    pd.testing.assert_frame_equal(as_int, as_text)
    assert as_int.loc[as_int["code"] == "X", "n_a"].item() == 2


@pytest.mark.parametrize(
    ("pred", "truth", "expected"),
    [
        ([0, 0, 0], [0, 0, 0], (math.nan, math.nan, math.nan)),  # nothing assigned, nothing coded
        ([1, 0, 0], [0, 0, 0], (0.0, math.nan, 0.0)),
        ([0, 0, 0], [1, 0, 0], (math.nan, 0.0, 0.0)),
        ([1, 1, 0, 0], [1, 0, 1, 0], (0.5, 0.5, 0.5)),
    ],
)
def test_precision_recall_f1_are_nan_when_undefined(pred, truth, expected):
    from textmine.coding.agreement import _prf

    got = _prf(np.array(pred, dtype=bool), np.array(truth, dtype=bool))
    for g, e in zip(got, expected, strict=True):
        assert (math.isnan(g) and math.isnan(e)) or g == pytest.approx(e)
