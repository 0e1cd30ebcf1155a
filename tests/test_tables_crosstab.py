"""Theme x closed question tables (textmine.tables.crosstab and .respondents)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from textmine.config import TableOptions
from textmine.errors import ColumnError, DataError, OptionError
from textmine.tables import ClosedData, combine_answers, crosstab_frame, mentions_matrix
from textmine.tables import stats as tstats

THEMES = pd.DataFrame(
    {"theme_id": [1, 2], "label": ["Chevauchement avec la DSI", "Manque de moyens"]}
)


def _answers(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """rows of (respondent_id, status, themes)."""
    return pd.DataFrame(
        {
            "respondent_id": [r[0] for r in rows],
            "status": [r[1] for r in rows],
            "theme_id": [r[2].split(";")[0] if r[2] else "" for r in rows],
            "weight": 1.0,
            "themes": [r[2] for r in rows],
        }
    )


@pytest.fixture
def survey_like():
    """60 respondents: directors mention the DSI (theme 1) far more often than officers."""
    rows, role = [], {}
    for i in range(60):
        rid = f"r{i:02d}"
        director = i < 24
        role[rid] = "directeur" if director else "chargé de com"
        if i in (58, 59):
            rows.append((rid, "non-answer", ""))
            continue
        if i == 57:
            rows.append((rid, "empty", ""))
            continue
        mentions_dsi = (i % 4 != 0) if director else (i % 5 == 0)
        themes = ["1"] if mentions_dsi else []
        if i % 3 == 0:
            themes.append("2")
        rows.append((rid, "themed" if themes else "unassigned", ";".join(themes)))
    answers = _answers(rows)
    fonction = pd.Series(
        pd.Categorical(list(role.values()), categories=["directeur", "chargé de com"]),
        index=list(role.keys()),
    )
    return answers, fonction


def _theme_rows(out: pd.DataFrame, theme: str) -> pd.DataFrame:
    return out[(out["row_type"] == "theme") & (out["theme_id"] == theme)]


def test_counts_and_percentages_match_pandas(survey_like):
    answers, fonction = survey_like
    out = crosstab_frame(answers, THEMES, [ClosedData("fonction", "single", fonction)])
    rows = _theme_rows(out, "1").set_index("modality")
    base = answers[answers["status"].isin(["themed", "unassigned"])]
    mentions = base["themes"].str.split(";").map(lambda t: "1" in t)
    ref = pd.crosstab(fonction.loc[base["respondent_id"]].to_numpy(), mentions.to_numpy())
    for modality in ("directeur", "chargé de com"):
        assert rows.loc[modality, "n"] == ref.loc[modality, True]
        assert rows.loc[modality, "n_modality"] == ref.loc[modality].sum()
        assert rows.loc[modality, "pct"] == pytest.approx(
            100 * ref.loc[modality, True] / ref.loc[modality].sum()
        )
        assert rows.loc[modality, "pct_of_theme"] == pytest.approx(
            100 * ref.loc[modality, True] / ref[True].sum()
        )
    table = np.array(ref.loc[["directeur", "chargé de com"]]).T[::-1]  # rows yes/no
    chi = sps.chi2_contingency(table, correction=False)
    assert rows["test"].iloc[0] == "chi-square"
    assert rows["p_value"].iloc[0] == pytest.approx(chi.pvalue)
    assert rows.loc["directeur", "expected"] == pytest.approx(chi.expected_freq[0, 0])
    assert rows["cramers_v"].iloc[0] == pytest.approx(
        sps.contingency.association(table, method="cramer", correction=False)
    )
    assert rows.loc["directeur", "flag"] == "over"
    assert rows.loc["chargé de com", "flag"] == "under"


def test_small_counts_use_fisher(survey_like):
    answers, fonction = survey_like
    # Theme 3 mentioned by 3 directors only: expected counts below 5 in a 2x2 table.
    answers = answers.copy()
    for rid in ("r01", "r02", "r03"):
        answers.loc[answers["respondent_id"] == rid, "themes"] += ";3"
    themes = pd.concat([THEMES, pd.DataFrame({"theme_id": [3], "label": ["Visio"]})])
    out = crosstab_frame(answers, themes, [ClosedData("fonction", "single", fonction)])
    rows = _theme_rows(out, "3").set_index("modality")
    base = rows["n_modality"]
    table = np.array([[3, 0], [base["directeur"] - 3, base["chargé de com"]]])
    assert rows["test"].iloc[0] == "fisher-exact"
    assert rows["p_value"].iloc[0] == pytest.approx(sps.fisher_exact(table).pvalue)


def test_base_excludes_nonanswers_unless_asked(survey_like):
    answers, fonction = survey_like
    q = [ClosedData("fonction", "single", fonction)]
    out = crosstab_frame(answers, THEMES, q)
    assert _theme_rows(out, "1")["n_modality"].sum() == 57
    status = out[out["row_type"] == "status"]
    assert set(status["label"]) == {"unassigned", "non-answer", "empty"}
    assert (status["theme_id"] == "").all()
    assert status[status["label"] == "non-answer"]["n"].sum() == 2
    wide = crosstab_frame(answers, THEMES, q, options=TableOptions(include_nonanswers=True))
    assert _theme_rows(wide, "1")["n_modality"].sum() == 60
    assert _theme_rows(wide, "1")["n"].sum() == _theme_rows(out, "1")["n"].sum()


def test_benjamini_hochberg_across_all_questions(survey_like):
    answers, fonction = survey_like
    taille = pd.Series(pd.Categorical(["petite", "moyenne", "grande"] * 20), index=fonction.index)
    out = crosstab_frame(
        answers,
        THEMES,
        [ClosedData("fonction", "single", fonction), ClosedData("taille", "single", taille)],
    )
    tests = out.drop_duplicates(["question", "variable", "theme_id", "label"])
    assert len(tests) == 2 * (2 + 3)  # two questions x (2 themes + 3 status rows)
    assert np.allclose(tests["p_adjusted"], multipletests(tests["p_value"], method="fdr_bh")[1])


def test_ordinal_gets_cochran_armitage_trend(survey_like):
    answers, _ = survey_like
    ids = answers["respondent_id"]
    levels = ["< 10 000", "10 000 - 50 000", "> 50 000"]
    size = pd.Series(
        pd.Categorical([levels[i % 3] for i in range(60)], categories=levels, ordered=True),
        index=ids.to_numpy(),
    )
    out = crosstab_frame(answers, THEMES, [ClosedData("taille", "ordinal", size)])
    rows = _theme_rows(out, "2")
    assert list(rows["modality"]) == levels
    _, p = tstats.cochran_armitage(rows["n"].to_numpy(), rows["n_modality"].to_numpy())
    assert rows["trend_p_value"].iloc[0] == pytest.approx(p)


def test_numeric_uses_mann_whitney_and_quartile_bins(survey_like):
    answers, fonction = survey_like
    age = pd.Series(np.arange(60, dtype=float) + 20, index=fonction.index)
    out = crosstab_frame(answers, THEMES, [ClosedData("age", "numeric", age)])
    rows = _theme_rows(out, "1")
    assert rows["test"].iloc[0] == "mann-whitney"
    assert len(rows) == 4 and rows["modality"].iloc[0] == "20–34"
    assert set(rows["binning"]) == {"quartiles (pandas.qcut)"}
    base = answers[answers["status"].isin(["themed", "unassigned"])]
    yes = base["themes"].str.split(";").map(lambda t: "1" in t).to_numpy()
    values = age.loc[base["respondent_id"]].to_numpy()
    ref = sps.mannwhitneyu(values[yes], values[~yes], method="asymptotic")
    assert rows["p_value"].iloc[0] == pytest.approx(ref.pvalue)


def test_multiple_choice_tests_each_option(survey_like):
    answers, fonction = survey_like
    outils = pd.DataFrame(
        {"visio": [1, 0] * 30, "cloud": [1] * 20 + [0] * 40}, index=fonction.index
    )
    out = crosstab_frame(answers, THEMES, [ClosedData("outils", "multiple", outils)])
    rows = _theme_rows(out, "1")
    assert set(rows["variable"]) == {"visio", "cloud"}
    assert set(rows["modality"]) == {"visio: yes", "visio: no", "cloud: yes", "cloud: no"}
    assert rows.groupby("variable")["n_modality"].sum().tolist() == [57, 57]


def test_weighted_percentages_and_rao_scott(survey_like):
    answers, fonction = survey_like
    w = pd.Series(np.where(np.arange(60) % 2 == 0, 1.0, 3.0), index=fonction.index)
    out = crosstab_frame(answers, THEMES, [ClosedData("fonction", "single", fonction)], weights=w)
    rows = _theme_rows(out, "1").set_index("modality")
    base = answers[answers["status"].isin(["themed", "unassigned"])].set_index("respondent_id")
    yes = base["themes"].str.split(";").map(lambda t: "1" in t)
    d = fonction.loc[base.index] == "directeur"
    wb = w.loc[base.index]
    assert rows.loc["directeur", "weighted_pct"] == pytest.approx(
        100 * wb[d & yes].sum() / wb[d].sum()
    )
    assert rows["test"].iloc[0] == "rao-scott chi-square"
    delta = rows["design_effect"].iloc[0]
    wt = np.array(
        [[wb[d & yes].sum(), wb[~d & yes].sum()], [wb[d & ~yes].sum(), wb[~d & ~yes].sum()]]
    )
    x2w = sps.chi2_contingency(wt * len(wb) / wb.sum(), correction=False).statistic
    assert rows["p_value"].iloc[0] == pytest.approx(sps.chi2.sf(x2w / delta, 1))
    # Constant weights give back the unweighted percentages and (almost) Pearson's p-value.
    flat = crosstab_frame(
        answers,
        THEMES,
        [ClosedData("fonction", "single", fonction)],
        weights=pd.Series(2.0, index=fonction.index),
    )
    flat_rows = _theme_rows(flat, "1")
    q = [ClosedData("fonction", "single", fonction)]
    plain = _theme_rows(crosstab_frame(answers, THEMES, q), "1")
    assert np.allclose(flat_rows["weighted_pct"], plain["pct"])
    n = 57
    assert flat_rows["p_value"].iloc[0] == pytest.approx(
        sps.chi2.sf(
            sps.chi2_contingency(
                np.vstack([plain["n"], plain["n_modality"] - plain["n"]]), correction=False
            ).statistic
            * (n - 1)
            / n,
            1,
        )
    )


def test_zero_weights_stay_in_counts_and_leave_weighted_figures(survey_like):
    answers, fonction = survey_like
    q = [ClosedData("fonction", "single", fonction)]
    w = pd.Series(np.where(np.arange(60) % 2 == 0, 1.0, 3.0), index=fonction.index)
    zero = ["r01", "r04", "r30"]  # two directors, one officer
    w.loc[zero] = 0.0
    out = _theme_rows(crosstab_frame(answers, THEMES, q, weights=w), "1").set_index("modality")
    plain = _theme_rows(crosstab_frame(answers, THEMES, q), "1").set_index("modality")
    # Unweighted counts keep every respondent.
    assert out["n"].tolist() == plain["n"].tolist()
    assert out["n_modality"].tolist() == plain["n_modality"].tolist()
    # Weighted figures are those of the survey without the zero-weight respondents.
    kept = fonction.index.difference(zero)
    without = _theme_rows(
        crosstab_frame(
            answers[~answers["respondent_id"].isin(zero)], THEMES,
            [ClosedData("fonction", "single", fonction.loc[kept])], weights=w.loc[kept],
        ),
        "1",
    ).set_index("modality")  # fmt: skip
    for col in ("weighted_n", "weighted_pct", "expected", "adj_residual", "p_value",
                "design_effect", "cramers_v"):
        assert np.allclose(out[col], without[col]), col
    # ... and by hand.
    base = answers[answers["status"].isin(["themed", "unassigned"])].set_index("respondent_id")
    yes = base["themes"].str.split(";").map(lambda t: "1" in t)
    d = fonction.loc[base.index] == "directeur"
    wb = w.loc[base.index]
    assert out.loc["directeur", "weighted_pct"] == pytest.approx(
        100 * wb[d & yes & (wb > 0)].sum() / wb[d & (wb > 0)].sum()
    )
    assert out["test"].iloc[0] == "rao-scott chi-square"


def test_all_zero_weights_are_an_error(survey_like):
    answers, fonction = survey_like
    w = pd.Series(0.0, index=fonction.index, name="poids")
    with pytest.raises(DataError, match=r"^All weights in column 'poids' are 0"):
        crosstab_frame(answers, THEMES, [ClosedData("f", "single", fonction)], weights=w)


def test_negative_weight_is_an_error(survey_like):
    answers, fonction = survey_like
    w = pd.Series(1.0, index=fonction.index)
    w.iloc[3] = -1
    with pytest.raises(DataError, match=r"^1 row has an invalid weight in column 'weight' "
                       r"\(respondent 'r03': -1\); weights must be numbers >= 0"):
        crosstab_frame(answers, THEMES, [ClosedData("f", "single", fonction)], weights=w)


def test_bad_inputs_have_clear_messages(survey_like):
    answers, fonction = survey_like
    with pytest.raises(ColumnError, match=r"Column 'status' not found in the answers table"):
        crosstab_frame(
            answers.drop(columns="status"), THEMES, [ClosedData("f", "single", fonction)]
        )
    with pytest.raises(OptionError, match=r"Question 'f' has type 'open'; tables need one of"):
        crosstab_frame(answers, THEMES, [ClosedData("f", "open", fonction)])
    with pytest.raises(OptionError, match=r"No closed question to cross the themes with"):
        crosstab_frame(answers, THEMES, [])
    other_ids = fonction.set_axis([f"x{i}" for i in range(60)])
    with pytest.raises(DataError, match=r"No respondent of the answers table is in the survey"):
        crosstab_frame(answers, THEMES, [ClosedData("f", "single", other_ids)])
    bad = answers.copy()
    bad.loc[0, "status"] = "maybe"
    with pytest.raises(DataError, match=r"Unknown answer status 'maybe'"):
        mentions_matrix(bad, THEMES)


def test_nullable_and_float_theme_ids_are_read(survey_like, caplog):
    answers, _ = survey_like
    as_float = answers.assign(
        theme_id=pd.to_numeric(answers["theme_id"]).astype("Int64"),
        themes=answers["themes"].where(answers["themes"] != "", pd.NA),
    )
    mentions = mentions_matrix(as_float, THEMES)
    assert list(mentions.columns) == ["1", "2"]
    assert mentions.equals(mentions_matrix(answers, THEMES))
    assert "not in the themes table" not in caplog.text


def test_combine_answers_mentions_in_any_question():
    q1 = _answers([("1", "themed", "1"), ("2", "unassigned", ""), ("3", "non-answer", "")])
    q2 = _answers([("1", "themed", "2"), ("2", "themed", "1;2"), ("3", "empty", "")])
    both = combine_answers([q1, q2]).set_index("respondent_id")
    assert both.loc["1", "themes"] == "1;2"
    assert both.loc["2", "status"] == "themed"
    assert both.loc["3", "status"] == "non-answer"
    pref = combine_answers([q1, q2], prefixes=["Q1", "Q2"]).set_index("respondent_id")
    assert pref.loc["2", "themes"] == "Q2:1;Q2:2"
    with pytest.raises(OptionError, match=r"got 1 prefixes for 2 answers tables"):
        combine_answers([q1, q2], prefixes=["Q1"])


@settings(max_examples=25, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.sampled_from(["themed", "unassigned", "non-answer", "empty"]),
            st.sets(st.sampled_from(["1", "2"])),
            st.sampled_from(["a", "b", "c", None]),
        ),
        min_size=1,
        max_size=40,
    ),
    include=st.booleans(),
)
def test_table_invariants(data, include):
    rows = []
    for i, (status, themes, _) in enumerate(data):
        if status != "themed":
            themes = set()
        elif not themes:
            themes = {"1"}
        rows.append((str(i), status, ";".join(sorted(themes))))
    answers = _answers(rows)
    q = pd.Series(
        pd.Categorical([d[2] for d in data], categories=["a", "b", "c"]),
        index=[str(i) for i in range(len(data))],
    )
    out = crosstab_frame(
        answers,
        THEMES,
        [ClosedData("q", "single", q)],
        options=TableOptions(include_nonanswers=include, n_permutations=200),
    )
    statuses = ["themed", "unassigned"] + (["non-answer", "empty"] if include else [])
    in_base = [s in statuses and d[2] is not None for (s, _, _), d in zip(data, data, strict=True)]
    themes_rows = out[out["row_type"] == "theme"]
    for _, rows_t in themes_rows.groupby("theme_id"):
        assert rows_t["n_modality"].sum() == sum(in_base)
        assert (rows_t["n"] <= rows_t["n_modality"]).all()
        pct = rows_t["pct"].dropna()
        assert ((pct >= 0) & (pct <= 100)).all()
        if rows_t["n"].sum() > 0:
            assert rows_t["pct_of_theme"].sum() == pytest.approx(100)
    p = out["p_value"].dropna()
    assert ((p >= 0) & (p <= 1)).all()
    assert (out["p_adjusted"].dropna() >= p.loc[out["p_adjusted"].dropna().index] - 1e-12).all()
    assert all(t in {"chi-square", "fisher-exact", "monte-carlo", "none"} for t in out["test"])
    assert not math.isnan(len(out))


@settings(max_examples=20, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.sets(st.sampled_from(["1", "2"])),
            st.sampled_from(["a", "b", "c"]),
            st.floats(0.2, 5.0),
        ),
        min_size=2,
        max_size=40,
    )
)
def test_weighted_table_invariants(data):
    rows = [(str(i), "themed" if t else "unassigned", ";".join(sorted(t))) for i, (t, _, _) in
            enumerate(data)]  # fmt: skip
    ids = [str(i) for i in range(len(data))]
    q = pd.Series(pd.Categorical([d[1] for d in data], categories=["a", "b", "c"]), index=ids)
    w = pd.Series([d[2] for d in data], index=ids)
    out = crosstab_frame(
        _answers(rows),
        THEMES,
        [ClosedData("q", "single", q)],
        weights=w,
        options=TableOptions(n_permutations=200),
    )
    wp = out["weighted_pct"].dropna()
    assert ((wp >= 0) & (wp <= 100 + 1e-9)).all()
    for _, rows_t in out[out["row_type"] == "theme"].groupby("theme_id"):
        assert rows_t["weighted_n"].sum() <= w.sum() + 1e-9
        assert rows_t["n_modality"].sum() == len(data)
    p = out["p_value"].dropna()
    assert ((p >= 0) & (p <= 1)).all()
