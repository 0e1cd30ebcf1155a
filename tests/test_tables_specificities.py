"""Lafon specificities (textmine.tables.specificities) against direct hypergeometric sums."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import hypergeom

from textmine.errors import ColumnError
from textmine.tables import ClosedData, lafon_specificity, specificities_frame

# Young respondents talk about pollution and ecology, older ones about their garden.
TERMS = pd.DataFrame(
    {
        "respondent_id": [str(i) for i in range(8)],
        "status": ["ok"] * 7 + ["non-answer"],
        "terms": [
            "pollution écologie nature",
            "pollution nature planète",
            "écologie pollution",
            "nature pollution",
            "jardin nature calme",
            "jardin campagne nature",
            "jardin calme nature cadre_de_vie",
            "",
        ],
    }
)
AGE = pd.Series(
    pd.Categorical(["20-29"] * 4 + ["60+"] * 4, categories=["20-29", "60+"]),
    index=[str(i) for i in range(8)],
)


def _direct(k: int, big_k: int, n: int, big_n: int) -> float:
    """Signed -log10 probability by summing hypergeometric probabilities one by one."""
    expected = big_k * n / big_n
    if k > expected:
        p = sum(hypergeom.pmf(x, big_n, big_k, n) for x in range(k, min(big_k, n) + 1))
        return -math.log10(p)
    p = sum(hypergeom.pmf(x, big_n, big_k, n) for x in range(0, k + 1))
    return math.log10(p)


def test_lafon_matches_direct_hypergeometric_sums():
    cases = [
        (8, 10, 30, 100),
        (0, 10, 30, 100),
        (3, 10, 30, 100),
        (2, 2, 30, 100),
        (1, 40, 50, 300),
    ]
    for k, big_k, n, big_n in cases:
        spec, p = lafon_specificity(np.array([k]), np.array([big_k]), n, big_n)
        assert spec[0] == pytest.approx(_direct(k, big_k, n, big_n), rel=1e-9, abs=1e-12)
        assert p[0] == pytest.approx(10 ** -abs(spec[0]))


def test_lafon_is_finite_for_extreme_counts():
    spec, _ = lafon_specificity(np.array([500]), np.array([500]), 1000, 100000)
    assert np.isfinite(spec[0]) and spec[0] > 300


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_lafon_property(data):
    big_n = data.draw(st.integers(2, 200))
    big_k = data.draw(st.integers(1, big_n))
    n = data.draw(st.integers(1, big_n))
    lo, hi = max(0, n + big_k - big_n), min(n, big_k)
    k = data.draw(st.integers(lo, hi))
    spec, p = lafon_specificity(np.array([k]), np.array([big_k]), n, big_n)
    assert 0 < p[0] <= 1 + 1e-12
    assert (spec[0] > 0) == (k > big_k * n / big_n)
    assert spec[0] == pytest.approx(_direct(k, big_k, n, big_n), rel=1e-6, abs=1e-9)


def test_specificities_counts_and_signs():
    out = specificities_frame(TERMS, [ClosedData("aget", "single", AGE)], min_freq=2)
    young = out[out["modality"] == "20-29"].set_index("term")
    old = out[out["modality"] == "60+"].set_index("term")
    assert young.loc["pollution", "freq_modality"] == 4
    assert young.loc["pollution", "freq_total"] == 4
    # Every term's occurrences split between the modalities of a single-choice question.
    both = young["freq_modality"] + old["freq_modality"].reindex(young.index)
    assert (both == young["freq_total"]).all()
    assert young.loc["pollution", "specificity"] > 0
    assert old.loc["pollution", "specificity"] < 0
    assert old.index[0] == "jardin"  # sorted by decreasing specificity
    assert "planète" not in young.index  # below min_freq
    # Sizes count every occurrence, rare terms included: 10 of the corpus's 20.
    assert young["n_modality_terms"].iloc[0] == 10
    assert young.loc["pollution", "specificity"] == pytest.approx(_direct(4, 4, 10, 20))


def test_specificities_multiple_choice_uses_ticked_respondents():
    ticked = pd.DataFrame({"vélo": [1, 1, 1, 0, 0, 0, 0, 0]}, index=AGE.index)
    out = specificities_frame(TERMS, [ClosedData("transport", "multiple", ticked)])
    assert set(out["modality"]) == {"vélo: yes"}
    assert out.set_index("term").loc["pollution", "freq_modality"] == 3


def test_missing_terms_column_is_an_error():
    with pytest.raises(ColumnError, match=r"Column 'terms' not found in the terms table"):
        specificities_frame(TERMS.drop(columns="terms"), [ClosedData("a", "single", AGE)])


def test_ined_reproduces_rtemis_published_probabilities(raw):
    """R.temis's printed t values for K1 x aget, recomputed on the same tokens (2017 answers)."""
    import re

    from scipy.stats import norm

    from textmine.config import ReadOptions
    from textmine.survey import open_answers, read_survey
    from textmine.tables import specificities

    path = raw / "ined_pee1992_k1" / "PEE_K1_extract.csv"
    survey = read_survey(path, options=ReadOptions(id_col="qnumq"))
    answers = open_answers(survey, "K1")
    # R.temis's build_dtm: lower case, split on non-word characters, words of 2+ characters.
    tokens = [" ".join(w for w in re.split(r"[^\w]+", a.lower()) if len(w) >= 2) for a in answers]
    terms = pd.DataFrame({"respondent_id": answers.index, "status": "ok", "terms": tokens})
    spec = specificities(terms, survey, "aget").set_index(["modality", "term"])
    assert spec.loc[("20-29ans", "pollution"), "freq_modality"] == 32
    # (modality, term, published t value); t = signed normal quantile of the probability.
    published = [
        ("20-29ans", "pollution", 3.597375),
        ("20-29ans", "futur", 2.233463),
        ("30-39ans", "espace", 4.535542),
        ("50-59ans", "eau", -3.022971),
        ("60ans+", "nature", -3.932301),
    ]
    for modality, term, t in published:
        row = spec.loc[(modality, term)]
        assert math.copysign(norm.isf(row["p_value"]), row["specificity"]) == pytest.approx(
            t, abs=1e-5
        )
