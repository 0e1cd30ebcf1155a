"""The shipped demo survey (data/): readable, realistic, planted associations, reproducible."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import chi2_contingency, mannwhitneyu

from textmine.codebook import load_codebook

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
GENERATOR = REPO / "scripts" / "make_demo_survey.py"
QUESTIONS = ["q_evolution", "q_outils", "q_manques"]
OUTILS = [f"outils_{i}" for i in range(1, 7)]
TESTED_BY = ["fonction", "taille", "sollicite_plus", *OUTILS, "anciennete"]


@pytest.fixture(scope="module")
def gen():
    """The generator script, imported as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_demo_survey", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_demo_survey"] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return pd.read_csv(DATA / "demo_survey.csv", sep=";", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return pd.read_csv(DATA / "demo_truth.csv", dtype=str, keep_default_na=False)


def _mentions(truth: pd.DataFrame, question: str, theme: str) -> pd.Series:
    """0/1 per respondent with a substantive answer to ``question``: carries ``theme``."""
    rows = truth[(truth.question == question) & truth.status.isin(["themed", "unassigned"])]
    return rows.set_index("respondent_id").themes.str.split(";").apply(lambda t: int(theme in t))


def _p_value(survey: pd.DataFrame, mentions: pd.Series, column: str) -> float:
    x = survey.set_index("id").loc[mentions.index, column]
    if column == "anciennete":
        years = pd.to_numeric(x, errors="coerce")
        ok = years.notna()
        return mannwhitneyu(years[ok & (mentions == 1)], years[ok & (mentions == 0)]).pvalue
    return chi2_contingency(pd.crosstab(x, mentions), correction=False)[1]


def test_csv_reads_with_expected_columns(survey, gen):
    assert list(survey.columns) == list(gen.COLUMNS)
    assert list(survey.columns) == [
        "id", "fonction", "type_collectivite", "taille", "sollicite_plus",
        "contribution_publication", "anciennete", *OUTILS, *QUESTIONS, "poids",
    ]  # fmt: skip
    assert len(survey) == 285
    assert survey.id.is_unique
    assert survey.id.iloc[0] == "R001" and survey.id.iloc[-1] == "R285"


@pytest.mark.parametrize(
    ("column", "modality", "share"),
    [
        ("fonction", "Chargé·e de communication numérique", 0.59),
        ("fonction", "Directeur·rice de la communication", 0.37),
        ("taille", "10 000 à 50 000 habitants", 0.57),
        ("taille", "Plus de 50 000 habitants", 0.24),
        ("sollicite_plus", "Oui", 0.82),
    ],
)
def test_marginals_follow_the_published_shares(survey, column, modality, share):
    assert (survey[column] == modality).mean() == pytest.approx(share, abs=0.01)


def test_other_closed_columns_are_plausible(survey):
    assert (survey.contribution_publication == "Oui").mean() > 0.95
    assert set(survey.taille) == {
        "Moins de 10 000 habitants", "10 000 à 50 000 habitants", "Plus de 50 000 habitants",
    }  # fmt: skip
    # Departments, regions and metropolises are large authorities.
    big_types = survey.type_collectivite.isin(["Département", "Région", "Métropole"])
    assert big_types.any()
    assert (survey.taille[big_types] == "Plus de 50 000 habitants").all()
    years = pd.to_numeric(survey.anciennete, errors="coerce")
    assert years.notna().sum() >= 280 and years.min() >= 0 and years.max() <= 35
    assert survey[OUTILS].isin(["0", "1"]).all().all()
    assert survey.outils_1.astype(int).mean() > 0.8
    weights = survey.poids.astype(float)
    assert weights.mean() == pytest.approx(1.0, abs=1e-3)
    assert weights.min() > 0 and weights.nunique() > 50


def test_truth_matches_the_survey(survey, truth, gen):
    assert list(truth.columns) == ["respondent_id", "question", "status", "themes", "has_pii"]
    assert len(truth) == 3 * 285
    assert set(truth.respondent_id) == set(survey.id)
    texts = survey.set_index("id")
    for row in truth.itertuples():
        text = texts.at[row.respondent_id, row.question]
        assert (text.strip() == "") == (row.status == "empty"), row
        assert bool(row.themes) == (row.status == "themed"), row
    names = set(load_codebook(DATA / "codebook.yaml").names)
    planted = {n for themes in truth.themes for n in themes.split(";") if n}
    assert planted == names


def test_every_question_has_non_answers_blanks_and_long_answers(survey, truth):
    for question in QUESTIONS:
        status = truth[truth.question == question].status.value_counts()
        assert status["empty"] >= 3 and status["non-answer"] >= 3
        lengths = survey[question].str.len()
        assert (lengths.between(1, 30)).sum() >= 20, question  # short fragments
        assert (lengths > 200).sum() >= 5, question  # long paragraphs


def test_answers_are_written_like_real_ones(survey):
    text = "\n".join(survey[QUESTIONS].to_numpy().ravel())
    needles = ["’", "RAS", "NSP", "DSI", "visio", "dircom", "comm'", "RH", "pas assez de moyens",
               "aucun soutien de la DSI", "06 12 34 56 78", "M. Dupont"]  # fmt: skip
    for needle in needles:
        assert needle in text, needle
    assert re.search(r"[\w.]+@[\w-]+\.fr", text)
    assert re.search(r"\bequipe\b|\bsysteme\b|\bmateriel\b|\bcommunaute\b", text)  # no accents
    assert any("\n" in answer for answer in survey[QUESTIONS].to_numpy().ravel())


def test_personal_data_only_where_flagged(survey, truth):
    pii = re.compile(r"@|\b0\d( \d\d){4}\b|\bM\. Dupont\b|\bMme Leroy\b")
    texts = survey.set_index("id")
    flagged = {(r.respondent_id, r.question) for r in truth.itertuples() if r.has_pii == "1"}
    found = {(rid, q) for q in QUESTIONS for rid, t in texts[q].items() if pii.search(t)}
    assert found == flagged and len(flagged) == 6


@pytest.mark.parametrize(
    ("question", "theme", "column", "modality"),
    [
        (
            "q_evolution",
            "Chevauchement avec la DSI",
            "fonction",
            "Directeur·rice de la communication",
        ),
        ("q_evolution", "Rôle de conseil", "sollicite_plus", "Oui"),
        ("q_outils", "Live et événements", "taille", "Plus de 50 000 habitants"),
        ("q_manques", "Manque de moyens", "taille", "Moins de 10 000 habitants"),
    ],
)
def test_planted_associations_are_strong(survey, truth, question, theme, column, modality):
    mentions = _mentions(truth, question, theme)
    group = survey.set_index("id").loc[mentions.index, column] == modality
    assert mentions[group].mean() - mentions[~group].mean() > 0.25
    assert _p_value(survey, mentions, column) < 1e-4


def test_nothing_else_is_associated_in_the_truth(survey, truth, gen):
    names = gen.yaml.safe_load(gen.PHRASES.read_text(encoding="utf-8"))["themes"]
    planted = {(p.question, names[p.theme], p.column) for p in gen.PLANTED}
    assert len(planted) == 4
    smallest = 1.0
    for question, themes in gen.BASE_RATES.items():
        for code in themes:
            mentions = _mentions(truth, question, names[code])
            for column in TESTED_BY:
                if (question, names[code], column) not in planted:
                    smallest = min(smallest, _p_value(survey, mentions, column))
    assert smallest > 0.01


def test_codebooks_load_and_cover_the_planted_themes(truth):
    assert len(load_codebook(DATA / "codebook.yaml").themes) == 6
    for question in QUESTIONS:
        codebook = load_codebook(DATA / f"codebook_{question.removeprefix('q_')}.yaml")
        rows = truth[truth.question == question]
        planted = {n for themes in rows.themes for n in themes.split(";") if n}
        assert set(codebook.names) == planted, question
        assert all(len(t.seeds) >= 8 and t.description for t in codebook.themes)


def test_phrase_banks_are_rich(gen):
    spec = gen.yaml.safe_load(gen.PHRASES.read_text(encoding="utf-8"))
    for question, rates in gen.BASE_RATES.items():
        banks = spec["questions"][question]["banks"]
        assert set(banks) == set(rates)
        for theme, bank in banks.items():
            assert len(set(bank)) >= 15, (question, theme)


def test_project_file_points_at_the_demo(survey):
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    path = DATA / "textmine.toml"
    project = tomllib.loads(path.read_text(encoding="utf-8"))
    assert (path.parent / project["survey"]["path"]).is_file()
    assert project["survey"]["id_col"] == "id" and project["survey"]["weights"] == "poids"
    assert [q["column"] for q in project["open"]] == QUESTIONS
    for question in project["open"]:
        assert (path.parent / question["codebook"]).is_file() and question["label"]
    closed = {c["column"]: c for c in project["closed"]}
    assert set(closed) - {"outils"} <= set(survey.columns)
    assert closed["taille"]["type"] == "ordinal"
    assert set(closed["taille"]["levels"]) == set(survey.taille)
    assert set(project["tables"]["by"]) <= set(closed)
    # the demo report shows a factor map and a similarity graph for each open question
    assert project["analysis"]["ca"] is True and project["analysis"]["similarity"] is True
    assert set(project["analysis"]["ca_by"]) <= set(closed)
    # inside the project folder (docs/robustness.md, "Faults"); `make demo` passes --out out/demo
    assert (path.parent / project["output"]["dir"]).resolve() == DATA.resolve() / "out" / "demo"


def test_project_file_loads_with_the_project_parser():
    project_mod = pytest.importorskip("textmine.project")
    project = project_mod.load_project(DATA / "textmine.toml")
    assert [q.column for q in project.open] == QUESTIONS
    assert project.read.id_col == "id"


def test_generator_is_deterministic(gen, tmp_path):
    first = gen.main(tmp_path / "a")
    second = gen.main(tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        shipped = (DATA / a.name).read_bytes()
        assert a.read_bytes() == b.read_bytes() == shipped, a.name
