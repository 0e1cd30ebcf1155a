"""Table files of a run: write_tables, recompute_tables and the `textmine crosstab` command."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from textmine.config import ReadOptions, TableOptions
from textmine.tables import write_tables

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo_survey.csv"
TRUTH = REPO / "data" / "demo_truth.csv"

SURVEY_CSV = """id;fonction;taille;poids;outils_1;outils_2;q
R01;Directeur;Petite;1.5;1;0;la DSI nous a aidés
R02;Directeur;Grande;0.5;1;1;rien
R03;Chargé;Petite;1.0;0;1;visio et cloud
R04;Chargé;Grande;2.0;0;0;visio tous les jours
R05;Directeur;Petite;1.0;1;0;conflit avec la DSI
R06;Chargé;Petite;1.0;0;1;
R07;Directeur;Grande;1.2;1;1;la DSI et la visio
R08;Chargé;Grande;0.8;1;0;plus de visio
"""
ANSWERS = pd.DataFrame(
    {
        "respondent_id": [f"R0{i}" for i in range(1, 9)],
        "text": ["…"] * 8,
        "status": [
            "themed",
            "non-answer",
            "themed",
            "themed",
            "themed",
            "empty",
            "themed",
            "themed",
        ],
        "theme_id": ["1", "", "2", "2", "1", "", "1", "2"],
        "weight": [0.9, 0, 0.8, 0.7, 0.9, 0, 0.6, 0.8],
        "themes": ["1", "", "2", "2", "1", "", "1;2", "2"],
    }
)
THEMES = pd.DataFrame({"theme_id": [1, 2], "label": ["Chevauchement DSI", "=Visio"]})
TERMS = pd.DataFrame(
    {
        "respondent_id": ANSWERS["respondent_id"],
        "status": ["ok", "non-answer", "ok", "ok", "ok", "empty", "ok", "ok"],
        "terms": [
            "dsi aider",
            "",
            "visio cloud",
            "visio jour",
            "conflit dsi",
            "",
            "dsi visio",
            "visio",
        ],
    }
)
CONTRACT = [
    "theme_id", "label", "modality", "n", "n_modality", "pct", "expected", "adj_residual",
    "p_value", "test", "p_adjusted", "cramers_v",
]  # fmt: skip


@pytest.fixture
def run_dir(tmp_path):
    """A finished themes run: run.json pointing at the survey, answers/themes/terms CSVs."""
    survey = tmp_path / "enquête.csv"
    survey.write_text(SURVEY_CSV, encoding="utf-8")
    run = tmp_path / "run"
    run.mkdir()
    record = {
        "command": "themes",
        "input": {"path": str(survey), "id_col": "id", "sheet": None, "text_col": "q"},
    }
    (run / "run.json").write_text(json.dumps(record), encoding="utf-8")
    ANSWERS.to_csv(run / "answers.csv", index=False)
    THEMES.to_csv(run / "themes.csv", index=False)
    TERMS.to_csv(run / "terms.csv", index=False)
    (run / "model.json").write_text("{}", encoding="utf-8")
    return run


def test_cli_crosstab_writes_tables_and_keeps_the_run(cli, run_dir):
    before = {p.name: p.read_bytes() for p in run_dir.iterdir()}
    res = cli(
        "crosstab",
        run_dir,
        "--by",
        "fonction",
        "--by",
        "outils",
        "--weights",
        "poids",
        "--effects",
        "fonction",
    )
    assert res.code == 0, res.err
    names = {p.name for p in run_dir.iterdir()}
    assert {
        "crosstab_fonction.csv",
        "crosstab_outils.csv",
        "specificities_fonction.csv",
        "specificities_outils.csv",
        "effects.csv",
    } <= names
    assert not [n for n in names if n.startswith(".rebuild.tmp")]
    for name, content in before.items():
        if name != "run.json":  # run.json now says which tables the folder holds
            assert (run_dir / name).read_bytes() == content
    import json
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert {"fonction", "outils"} <= set(run["settings"]["by"])
    assert "effects.csv" in run["tables"]
    table = pd.read_csv(run_dir / "crosstab_fonction.csv", dtype={"theme_id": str})
    assert all(c in table.columns for c in CONTRACT)
    assert "weighted_pct" in table.columns
    # Eight respondents: expected counts are small, so the exact test replaces Rao-Scott.
    assert set(table[table["row_type"] == "theme"]["test"]) == {"fisher-exact (unweighted)"}
    # Formula-like labels are neutralised in the CSV.
    assert "'=Visio" in set(table["label"])
    spec = pd.read_csv(run_dir / "specificities_fonction.csv")
    assert list(spec.columns[:6]) == [
        "question",
        "variable",
        "modality",
        "term",
        "freq_modality",
        "freq_total",
    ]
    eff = pd.read_csv(run_dir / "effects.csv")
    assert {"theme_id", "label", "term", "odds_ratio", "ci_low", "ci_high", "p_value", "n"} <= set(
        eff.columns
    )
    assert str(run_dir / "crosstab_fonction.csv") in res.out


def test_cli_crosstab_rerun_replaces_tables(cli, run_dir):
    assert cli("crosstab", run_dir, "--by", "fonction").code == 0
    first = pd.read_csv(run_dir / "crosstab_fonction.csv")
    res = cli("crosstab", run_dir, "--by", "fonction", "--include-nonanswers")
    assert res.code == 0, res.err
    second = pd.read_csv(run_dir / "crosstab_fonction.csv")
    theme = second[second["row_type"] == "theme"]
    assert theme.groupby("theme_id")["n_modality"].sum().tolist() == [8, 8]
    assert first[first["row_type"] == "theme"].groupby("theme_id")["n_modality"].sum().tolist() == [
        6,
        6,
    ]


def test_cli_crosstab_errors(cli, run_dir, tmp_path):
    res = cli("crosstab", run_dir, "--by", "nope")
    assert res.code == 2
    assert res.err.startswith("error: Closed question 'nope' not found in the survey; available")
    res = cli("crosstab", tmp_path / "absent", "--by", "fonction")
    assert res.code == 2
    assert re.match(r"error: Run folder .*absent not found", res.err)
    (run_dir / "run.json").unlink()
    res = cli("crosstab", run_dir, "--by", "fonction")
    assert res.code == 2
    assert "run.json not found in" in res.err
    assert not [p for p in run_dir.iterdir() if p.name.startswith("crosstab_")]


def test_demo_truth_shows_planted_associations_only():
    """On the demo survey's true themes, the planted associations are the only BH discoveries."""
    if not DEMO.is_file() or not TRUTH.is_file():
        pytest.skip("demo survey not present")
    from textmine.survey import read_survey

    levels = ("Moins de 10 000 habitants", "10 000 à 50 000 habitants", "Plus de 50 000 habitants")
    survey = read_survey(
        DEMO,
        options=ReadOptions(
            id_col="id",
            weights="poids",
            types=(("taille", "ordinal"),),
            levels=(("taille", levels),),
        ),
    )
    truth = pd.read_csv(TRUTH, dtype=str)
    found = set()
    for question, rows in truth.groupby("question"):
        labels = sorted(set(";".join(rows["themes"].dropna()).split(";")) - {""})
        themes = pd.DataFrame({"theme_id": labels, "label": labels})
        answers = rows.assign(theme_id=rows["themes"].fillna("").str.split(";").str[0])
        by = ["fonction", "taille", "sollicite_plus", "outils", "anciennete"]
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(DEMO.parent)
            out = _tables(answers, themes, survey, by)
        hits = out[(out["p_adjusted"] < 0.05) & (out["row_type"] == "theme")]
        found |= {
            (question, q, lab) for q, lab in zip(hits["question"], hits["label"], strict=True)
        }
    assert found == {
        ("q_evolution", "fonction", "Chevauchement avec la DSI"),
        ("q_evolution", "sollicite_plus", "Rôle de conseil"),
        ("q_outils", "taille", "Live et événements"),
        ("q_manques", "taille", "Manque de moyens"),
    }


def _tables(answers, themes, survey, by):
    from textmine.tables import crosstab

    return crosstab(answers, themes, survey, by, options=TableOptions(n_permutations=2000))


def test_write_tables_sanitises_names_and_checks_contract(tmp_path):
    from textmine.survey import read_survey

    survey_path = tmp_path / "s.csv"
    survey_path.write_text(SURVEY_CSV.replace("fonction", "Fonction (actuelle)"), encoding="utf-8")
    survey = read_survey(survey_path, options=ReadOptions(id_col="id"))
    files = write_tables(
        tmp_path,
        answers=ANSWERS,
        themes=THEMES,
        terms=None,
        survey=survey,
        by=["Fonction (actuelle)"],
    )
    assert [f.name for f in files] == ["crosstab_Fonction_actuelle.csv", "closed.csv"]
    table = pd.read_csv(files[0])
    for _, rows in table[table["row_type"] == "theme"].groupby("theme_id"):
        assert rows["n_modality"].sum() == 6
        assert not math.isnan(rows["p_value"].iloc[0])


def test_cli_crosstab_uses_the_read_settings_of_the_run(cli, run_dir):
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    record["settings"] = {"read": {"id_col": "id", "weights": "poids", "types": [], "levels": []}}
    (run_dir / "run.json").write_text(json.dumps(record), encoding="utf-8")
    res = cli("crosstab", run_dir, "--by", "taille")
    assert res.code == 0, res.err
    table = pd.read_csv(run_dir / "crosstab_taille.csv")
    assert "weighted_pct" in table.columns


def test_cli_crosstab_missing_survey(cli, run_dir):
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    Path(record["input"]["path"]).unlink()
    res = cli("crosstab", run_dir, "--by", "taille")
    assert res.code == 2
    assert re.match(r"error: Survey file .*enquête\.csv named in .*run\.json not found", res.err)


def test_cli_crosstab_refuses_a_survey_changed_since_the_run(cli, run_dir):
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    survey = Path(record["input"]["path"])
    record["input"]["sha256"] = hashlib.sha256(survey.read_bytes()).hexdigest()
    (run_dir / "run.json").write_text(json.dumps(record), encoding="utf-8")
    assert cli("crosstab", run_dir, "--by", "taille").code == 0
    survey.write_text(SURVEY_CSV.replace("\n", "\r\n"), encoding="utf-8")  # edited since
    res = cli("crosstab", run_dir, "--by", "taille")
    assert res.code == 2
    assert re.match(r"error: Survey file enquête\.csv changed since the run in .* \(sha", res.err)


def test_cli_crosstab_refuses_an_edited_answers_file(cli, run_dir):
    # Respondents that are not in the survey: the tables would silently drop them.
    edited = ANSWERS.copy()
    edited.loc[edited.index[:2], "respondent_id"] = ["X1", "X2"]
    edited.to_csv(run_dir / "answers.csv", index=False)
    res = cli("crosstab", run_dir, "--by", "fonction")
    assert res.code == 2 and "names 2 respondents that are not in the survey (first: X1, X2)" \
        in res.err
    # Cut to fewer rows than the run read: the tables would not be those of the report.
    ANSWERS.iloc[:3].to_csv(run_dir / "answers.csv", index=False)
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    record["counts"] = {"rows_read": len(ANSWERS)}
    (run_dir / "run.json").write_text(json.dumps(record), encoding="utf-8")
    res = cli("crosstab", run_dir, "--by", "fonction")
    assert res.code == 2 and f"has 3 rows but the run read {len(ANSWERS)} answers" in res.err
    assert not list(run_dir.glob("crosstab_*.csv"))


def test_crosstab_of_a_survey_file_says_it_is_a_file(cli, tmp_path):
    survey = tmp_path / "enquete.csv"
    survey.write_text("id,avis\n1,oui\n", "utf-8")
    res = cli("crosstab", survey, "--by", "x")
    assert res.code == 2 and "enquete.csv is a file, not a run folder" in res.err
    res = cli("crosstab", survey, "--by", "x", "--out", tmp_path / "o")
    assert res.code == 2 and "is a run folder" not in res.err
    assert "is not a workspace (.tmdb)" in res.err
