"""Logistic effects model (textmine.tables.effects) against closed forms and statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from textmine.errors import OptionError
from textmine.tables import ClosedData, effects_frame

THEMES = pd.DataFrame({"theme_id": [1], "label": ["Chevauchement avec la DSI"]})


def _data(n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = [f"r{i}" for i in range(n)]
    role = rng.choice(["chargé de com", "directeur", "autre"], size=n, p=[0.55, 0.35, 0.10])
    size = rng.choice(["petite", "moyenne", "grande"], size=n)
    age = rng.normal(45, 10, size=n).round()
    logit = -1.2 + 1.3 * (role == "directeur") + 0.02 * (age - 45)
    mention = rng.random(n) < 1 / (1 + np.exp(-logit))
    answers = pd.DataFrame(
        {
            "respondent_id": ids,
            "status": "themed",
            "theme_id": np.where(mention, "1", ""),
            "themes": np.where(mention, "1", ""),
        }
    )
    answers.loc[~mention, "status"] = "unassigned"
    frame = pd.DataFrame({"role": role, "size": size, "age": age, "y": mention.astype(int)})
    frame.index = ids
    return answers, frame


def test_single_binary_covariate_gives_the_sample_odds_ratio():
    answers, frame = _data()
    two = frame[frame["role"] != "autre"]
    answers = answers[answers["respondent_id"].isin(two.index)]
    role = pd.Series(pd.Categorical(two["role"]), index=two.index)
    out = effects_frame(answers, THEMES, [ClosedData("role", "single", role)])
    assert len(out) == 1
    row = out.iloc[0]
    assert row["reference"] == "chargé de com"  # the most frequent level
    ct = pd.crosstab(two["role"], two["y"])
    a, b = ct.loc["directeur", 1], ct.loc["directeur", 0]
    c, d = ct.loc["chargé de com", 1], ct.loc["chargé de com", 0]
    odds = a * d / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert row["odds_ratio"] == pytest.approx(odds, rel=1e-6)
    assert row["ci_low"] == pytest.approx(odds * math.exp(-1.959964 * se), rel=1e-5)
    assert row["ci_high"] == pytest.approx(odds * math.exp(1.959964 * se), rel=1e-5)
    assert row["n"] == len(two)
    assert row["n_mentions"] == int(two["y"].sum())


def test_several_covariates_match_statsmodels_logit():
    answers, frame = _data(seed=1)
    covs = [
        ClosedData("role", "single", frame["role"].astype("category")),
        ClosedData("age", "numeric", frame["age"]),
    ]
    out = effects_frame(answers, THEMES, covs).set_index("term")
    ref = smf.logit("y ~ C(role, Treatment('chargé de com')) + age", data=frame.reset_index()).fit(
        disp=0
    )
    name = "C(role, Treatment('chargé de com'))[T.directeur]"
    assert out.loc["role[directeur]", "odds_ratio"] == pytest.approx(
        math.exp(ref.params[name]), rel=1e-5
    )
    assert out.loc["role[directeur]", "p_value"] == pytest.approx(ref.pvalues[name], rel=1e-4)
    assert out.loc["age", "odds_ratio"] == pytest.approx(math.exp(ref.params["age"]), rel=1e-5)
    ci = np.exp(ref.conf_int().loc["age"])
    assert out.loc["age", "ci_low"] == pytest.approx(ci[0], rel=1e-5)


def test_ordinal_reference_is_the_first_level_and_multiple_is_yes_no():
    answers, frame = _data(seed=2)
    levels = ["petite", "moyenne", "grande"]
    size = pd.Series(pd.Categorical(frame["size"], categories=levels, ordered=True), frame.index)
    tools = pd.DataFrame({"visio": (frame["age"] > 45).astype(int)}, index=frame.index)
    out = effects_frame(
        answers,
        THEMES,
        [ClosedData("taille", "ordinal", size), ClosedData("outils", "multiple", tools)],
    )
    assert list(out["term"]) == ["taille[moyenne]", "taille[grande]", "outils[visio]"]
    assert set(out.loc[out["covariate"] == "taille", "reference"]) == {"petite"}
    assert out.loc[out["covariate"] == "outils", "reference"].iloc[0] == "not ticked"


def test_perfect_separation_is_reported_not_estimated():
    answers, frame = _data(seed=3)
    answers = answers.copy()
    mention = frame["role"] == "directeur"  # the theme is mentioned by directors only
    answers["status"] = np.where(mention, "themed", "unassigned")
    answers["themes"] = np.where(mention, "1", "")
    role = frame["role"].astype("category")
    out = effects_frame(answers, THEMES, [ClosedData("role", "single", role)])
    assert out["odds_ratio"].isna().all()
    assert "separation" in out["note"].iloc[0]


def test_weighted_odds_ratio_is_the_weighted_sample_odds_ratio():
    answers, frame = _data(seed=5)
    two = frame[frame["role"] != "autre"]
    answers = answers[answers["respondent_id"].isin(two.index)]
    role = pd.Series(pd.Categorical(two["role"]), index=two.index)
    w = pd.Series(np.where(two["size"] == "grande", 2.5, 1.0), index=two.index)
    out = effects_frame(answers, THEMES, [ClosedData("role", "single", role)], weights=w)
    cell = w.groupby([two["role"], two["y"]]).sum()
    odds = (cell[("directeur", 1)] * cell[("chargé de com", 0)]) / (
        cell[("directeur", 0)] * cell[("chargé de com", 1)]
    )
    assert out["odds_ratio"].iloc[0] == pytest.approx(odds, rel=1e-6)
    assert out["ci_low"].iloc[0] < odds < out["ci_high"].iloc[0]


def test_weighted_fit_is_invariant_to_weight_scale():
    answers, frame = _data(seed=4)
    role = frame["role"].astype("category")
    w = pd.Series(np.where(frame["size"] == "grande", 2.0, 1.0), index=frame.index)
    a = effects_frame(answers, THEMES, [ClosedData("role", "single", role)], weights=w)
    b = effects_frame(answers, THEMES, [ClosedData("role", "single", role)], weights=w * 10)
    assert np.allclose(a["odds_ratio"], b["odds_ratio"])
    assert np.allclose(a["ci_high"], b["ci_high"])


def test_no_covariate_is_an_error():
    answers, _ = _data()
    with pytest.raises(OptionError, match=r"No covariate for the effects model"):
        effects_frame(answers, THEMES, [])


def test_reference_level_is_taken_among_the_respondents_of_the_model():
    answers, frame = _data(n=90, seed=1)
    group = np.array(["a"] * 25 + ["b"] * 25 + ["c"] * 40)
    frame["group"] = group
    answers.loc[group == "c", "status"] = "non-answer"  # the survey's largest group is out
    answers.loc[group == "c", ["theme_id", "themes"]] = ""
    out = effects_frame(answers, THEMES, [ClosedData("group", "single", frame["group"])])
    assert set(out["reference"]) <= {"a", "b"}
    assert "c" not in set(out["level"])
