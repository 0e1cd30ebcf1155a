"""`textmine reinert` and `textmine export-iramuteq`: run folder, report, project, IRaMuTeQ."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from openpyxl import load_workbook

from textmine.classes.reinert import reinert_tree, split_units
from textmine.classes.views import as_themes
from textmine.config import ReadOptions, ReinertOptions
from textmine.errors import DataError, OptionError
from textmine.pipeline.reinert_run import run_export_iramuteq
from textmine.project import load_project
from textmine.runfolder import (
    CHARACTERISTIC_SEGMENTS_CSV,
    CLASSES_CSV,
    CSV_COLUMNS,
    PROFILES_CSV,
    SEGMENTS_CSV,
    RunRecord,
    read_run_csv,
)
from textmine.survey import read_survey
from textmine.survey.iramuteq import iramuteq_name, iramuteq_text, parse_iramuteq

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo_survey.csv"


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


# --- the minimum class size -------------------------------------------------------------------

def _outlier_matrix() -> sp.csr_matrix:
    """40 units on two vocabularies plus 2 units of their own rare words (peeled off alone)."""
    rng = np.random.default_rng(3)
    a = (rng.random((20, 12)) < 0.5).astype(float)
    b = (rng.random((20, 12)) < 0.5).astype(float)
    top = np.hstack([a, np.zeros((20, 12)), np.zeros((20, 4))])
    bottom = np.hstack([np.zeros((20, 12)), b, np.zeros((20, 4))])
    odd = np.zeros((2, 28))
    odd[:, 24:] = 1
    odd[:, 0] = 1
    X = np.vstack([top, bottom, odd])
    X = X[X.sum(axis=1) > 0]
    return sp.csr_matrix(X)


def test_min_class_size_bounds_every_leaf():
    X = _outlier_matrix()
    free = reinert_tree(X, k=4, min_split_members=3)
    sizes = np.bincount(free.levels[-1])[1:]
    assert sizes.min() <= 2  # rainette's split peels the two odd units off
    bounded = reinert_tree(X, k=4, min_split_members=3, min_class_size=8)
    assert np.bincount(bounded.levels[-1])[1:].min() >= 8


def test_split_refuses_impossible_min_size():
    with pytest.raises(DataError, match="at least 10 units"):
        X = _outlier_matrix()[:9]
        split_units(X[:, np.flatnonzero(X.getnnz(axis=0))], min_size=5)


def test_min_class_size_one_is_rainette():
    X = sp.csr_matrix(np.array([[int(c) for c in r] for r in
                                ["11100", "00110", "10000", "11110", "11111", "10000", "11100"]],
                               dtype=float))
    assert reinert_tree(X, k=2, min_split_members=3, min_class_size=1).cut(2).tolist() == [
        2, 2, 1, 2, 2, 1, 2]


@pytest.mark.parametrize("bad", [{"min_class_share": 0.6}, {"min_class_share": -0.1},
                                 {"double": (3, 3)}, {"k": 1}, {"unit": "words"},
                                 {"min_split_members": 2}])
def test_options_checked_when_built(bad):
    with pytest.raises(OptionError):
        ReinertOptions(**bad)


def test_double_list_becomes_tuple():
    assert ReinertOptions(double=[5, 7]).double == (5, 7)


# --- classes seen as themes -------------------------------------------------------------------

def test_as_themes_maps_statuses_and_labels():
    classes = pd.DataFrame({"class": [0, 1, 2, 3], "size": [1, 2, 2, 4],
                            "share": [.1, .2, .2, .4], "parent": pd.array([pd.NA, 3, 3, pd.NA],
                                                                         dtype="Int64"),
                            "height": [np.nan, 0.0, 0.0, 5.0]})
    profiles = pd.DataFrame({"class": [1, 2], "term": ["vélo", "bus"], "chi2": [9.0, 8.0],
                             "sign": ["over", "over"]})
    answers = pd.DataFrame({"respondent_id": ["a", "b", "c", "d"], "text": ["x", "y", "z", ""],
                            "status": ["classified", "classified", "unclassified", "empty"],
                            "class_id": pd.array([1, 2, pd.NA, pd.NA], dtype="Int64")})
    themes, view = as_themes(classes, profiles, answers)
    assert themes["theme_id"].tolist() == [1, 2]
    assert themes["label"].tolist() == ["Classe 1 : vélo", "Classe 2 : bus"]
    assert view["status"].tolist() == ["themed", "themed", "unassigned", "empty"]
    assert view["themes"].tolist() == ["1", "2", "", ""]


# --- IRaMuTeQ format --------------------------------------------------------------------------

def test_manifeste_reads_as_a_survey(raw):
    survey = read_survey(raw / "rainette_manifeste" / "manifeste_pc.txt")
    assert len(survey.data) == 4
    assert survey.questions["partie"].kind == "single"
    assert survey.questions["texte"].kind == "open"
    assert "IRaMuTeQ corpus" in survey.source.detected
    assert survey.source.profile == "iramuteq"


def test_sections_become_a_column(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("**** *sexe_f *age_30\n-*theme_nature\nLa forêt.\n-*theme_ville\nLe bruit.\n"
                    "**** *sexe_h\nRien à dire de plus sur le sujet.\n", encoding="utf-8")
    survey = read_survey(path)
    assert survey.data["section"].astype(str).tolist() == ["theme_nature", "theme_ville", "nan"]
    assert survey.text["texte"].tolist()[:2] == ["La forêt.", "Le bruit."]
    assert survey.questions["age"].kind == "single"


def test_names_fit_iramuteq():
    assert iramuteq_name("Chargé·e de com'") == "Charge_e_de_com"
    assert iramuteq_name("q_manques", underscore=False) == "qmanques"


def _survey_csv(tmp_path: Path) -> Path:
    frame = pd.DataFrame({
        "id": ["r1", "r2", "r3", "r4", "r5"],
        "fonction": ["Directeur·rice", "Chargé·e", "Chargé e", None, "Directeur·rice"],
        "taille": ["< 10 000", "> 50 000", "< 10 000", "> 50 000", "> 50 000"],
        "reponse": ["Plus de temps pour les *projets*.", "RAS", "Un VPN\nqui marche !", "",
                    "Des outils de visio."],
    })
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False, sep=";")
    return path


def test_export_then_import_gives_back_texts_and_variables(tmp_path):
    path = _survey_csv(tmp_path)
    out = tmp_path / "corpus.txt"
    export = run_export_iramuteq(path, text_col="reponse", out=out, by=("fonction", "taille"),
                                 read_options=ReadOptions(id_col="id"))
    assert (export.n_texts, export.n_nonanswers, export.n_empty) == (3, 1, 1)
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8")
    # 'Chargé·e' and 'Chargé e' both clean to 'Charge_e': made unique and reported.
    assert len(export.collisions) == 1 and "Charge_e_2" in export.collision_line()
    back = read_survey(out)
    assert back.text["texte"].tolist() == ["Plus de temps pour les projets .",
                                           "Un VPN\nqui marche !", "Des outils de visio."]
    assert back.text["fonction"].tolist() == ["Directeur_rice", "Charge_e_2", "Directeur_rice"]
    assert back.text["taille"].tolist() == ["10_000", "10_000", "50_000"]
    assert {"fonction", "taille", "texte"} <= set(back.questions)


def test_export_roundtrip_of_clean_values():
    answers = pd.Series(["Un vélo.", "Le bus, le train."], index=["1", "2"])
    closed = {"mode": pd.Series(["velo", "transports"], index=["1", "2"])}
    export = iramuteq_text(answers, closed, status=lambda text: "ok")
    frame = parse_iramuteq(export.text)
    assert frame["texte"].tolist() == answers.tolist()
    assert frame["mode"].tolist() == ["velo", "transports"]
    assert export.text.startswith("**** *mode_velo\n")


def test_cli_export(cli, tmp_path):
    path = _survey_csv(tmp_path)
    out = tmp_path / "c.txt"
    res = cli("export-iramuteq", path, "--text-col", "reponse", "--id-col", "id", "--by",
              "fonction", "--out", out)
    assert res.code == 0, res.err
    assert "3 texts written" in res.out and "1 non-answers, 1 empty" in res.out
    assert "collision" in res.err and len(res.err.strip().splitlines()) == 1
    again = cli("export-iramuteq", path, "--text-col", "reponse", "--out", out)
    assert again.code == 2 and "--force" in again.err


def test_txt_with_stray_first_line_is_one_clear_error(cli, tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("Mon corpus\n**** *a_b\nUn texte.\n", encoding="utf-8")
    res = cli("reinert", path, "--text-col", "texte", "--out", tmp_path / "o")
    assert res.code == 2
    assert "not an IRaMuTeQ corpus" in res.err and len(res.err.strip().splitlines()) == 1


def test_txt_without_stars_is_a_plain_table(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("id\treponse\n1\tbonjour\n", encoding="utf-8")
    assert list(read_survey(path).data.columns) == ["id", "reponse"]


# --- the command ------------------------------------------------------------------------------

def test_reinert_on_the_demo(cli, tmp_path):
    out = tmp_path / "r"
    res = cli("reinert", DEMO, "--text-col", "q_manques", "--id-col", "id", "--k", "5",
              "--by", "fonction", "--out", out)
    assert res.code == 0, res.err
    assert "classes:" in res.out
    for name in (CLASSES_CSV, PROFILES_CSV, SEGMENTS_CSV, CHARACTERISTIC_SEGMENTS_CSV,
                 "answers.csv", "crosstab_fonction.csv", "figures/dendrogram.png",
                 "figures/dendrogram.svg", "report.html", "report.xlsx", "run.json"):
        assert (out / name).is_file(), name
    record = RunRecord.read(out)
    assert record.command == "reinert" and record.settings["reinert"]["k"] == 5
    classes = read_run_csv(out, CLASSES_CSV)
    assert tuple(classes.columns) == CSV_COLUMNS[CLASSES_CSV]
    leaves = classes[(classes["class"] > 0) & (classes["height"] == 0)]
    units = record.counts["units"]
    # share keeps all segments as base; share_classified the classified ones (class 0 empty)
    n_classified = leaves["size"].sum()
    assert pd.isna(classes.loc[classes["class"] == 0, "share_classified"]).all()
    assert leaves["share_classified"].sum() == pytest.approx(1.0)
    assert list(leaves["share_classified"]) == pytest.approx(list(leaves["size"] / n_classified))
    assert (leaves["share_classified"] >= leaves["share"]).all()
    assert leaves["size"].min() >= math.ceil(0.02 * units) - 1
    answers = read_run_csv(out, "answers.csv")
    assert list(answers.columns[:4]) == ["respondent_id", "text", "status", "class_id"]
    assert set(answers["status"]) <= {"classified", "unclassified", "non-answer", "empty"}
    assert answers["respondent_id"].iloc[0] == "R001"
    assert set(read_run_csv(out, PROFILES_CSV)["sign"]) == {"over", "under"}
    crosstab = read_run_csv(out, "crosstab_fonction.csv")
    assert set(crosstab["theme_id"].dropna()) == set(leaves["class"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="reinert"' in html and "Classe 1" in html
    assert "des segments classés" in html
    sheets = load_workbook(out / "report.xlsx", read_only=True).sheetnames
    assert {"Classes", "Profils"} <= set(sheets)
    # The report of a finished Reinert run can be rewritten.
    again = cli("report", out, "--lang", "en")
    assert again.code == 0, again.err
    html_en = (out / "report.html").read_text(encoding="utf-8")
    assert "Reinert classification" in html_en and "of classified segments" in html_en
    assert (out / "figures" / "dendrogram.png").is_file()


@pytest.mark.parametrize("answers, extra, message", [
    (["", " ", ""], (), "empty"),
    (["Les transports en commun manquent cruellement."], (), "needs at least 3"),
    (["vélo bus train", "bus train voiture", "train vélo marche", "voiture bus vélo"],
     ("--k", "50", "--min-segment-size", "0"), "larger than"),
])
def test_bad_input_one_line(cli, tmp_path, answers, extra, message):
    path = tmp_path / "s.csv"
    pd.DataFrame({"x": range(len(answers)), "reponse": answers}).to_csv(path, index=False)
    res = cli("reinert", path, "--text-col", "reponse", *extra, "--out", tmp_path / "o")
    assert res.code == 2
    assert message in res.err and len(res.err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_bad_option_is_refused_before_reading(cli, tmp_path):
    res = cli("reinert", tmp_path / "missing.csv", "--text-col", "x", "--min-class-share", "0.7",
              "--out", tmp_path / "o")
    assert res.code == 2 and "min_class_share" in res.err


# --- the project file -------------------------------------------------------------------------

def test_project_reinert_section(tmp_path):
    (tmp_path / "s.csv").write_text("id;q\n1;a\n", encoding="utf-8")
    path = tmp_path / "textmine.toml"
    path.write_text('[survey]\npath = "s.csv"\n[[open]]\ncolumn = "q"\n'
                    '[reinert]\nk = 4\ndouble = [3, 5]\nmin_class_share = 0.05\n',
                    encoding="utf-8")
    project = load_project(path)
    assert project.reinert == ReinertOptions(k=4, double=(3, 5), min_class_share=0.05)
    path.write_text('[survey]\npath = "s.csv"\n[reinert]\nkk = 4\n', encoding="utf-8")
    with pytest.raises(OptionError, match="kk"):
        load_project(path)
    path.write_text('[survey]\npath = "s.csv"\n[reinert]\ndouble = ["a", 2]\n', encoding="utf-8")
    with pytest.raises(OptionError, match="two integers"):
        load_project(path)
    path.write_text('[survey]\npath = "s.csv"\n', encoding="utf-8")
    assert load_project(path).reinert is None


def test_project_run_writes_a_reinert_folder(cli, tmp_path):
    frame = pd.read_csv(DEMO, sep=";", dtype=str)
    frame[["id", "fonction", "q_manques"]].to_csv(tmp_path / "s.csv", sep=";", index=False)
    (tmp_path / "textmine.toml").write_text(
        '[survey]\npath = "s.csv"\nid_col = "id"\n[[open]]\ncolumn = "q_manques"\n'
        '[[closed]]\ncolumn = "fonction"\ntype = "single"\n[themes]\nk = 4\n'
        '[report]\nwordclouds = false\n[reinert]\nk = 4\n', encoding="utf-8")
    res = cli("run", tmp_path / "textmine.toml", "--out", tmp_path / "out")
    assert res.code == 0, res.err
    folder = tmp_path / "out" / "q_manques" / "reinert"
    assert (folder / CLASSES_CSV).is_file() and (folder / "crosstab_fonction.csv").is_file()
    assert json.loads((folder / "run.json").read_text())["command"] == "reinert"


def test_double_classification_from_the_cli(cli, tmp_path):
    out = tmp_path / "d"
    res = cli("reinert", DEMO, "--text-col", "q_manques", "--id-col", "id", "--k", "4",
              "--double", "0", "3", "--min-class-share", "0", "--out", out)
    assert res.code == 0, res.err
    record = RunRecord.read(out)
    assert record.settings["reinert"]["double"] == [0, 3]
    classes = read_run_csv(out, CLASSES_CSV)
    assert classes["parent"].isna().all()
    assert (out / "figures" / "dendrogram.png").is_file()
    assert 'id="reinert"' in (out / "report.html").read_text(encoding="utf-8")


# --- export-iramuteq --id-col: the respondent id as the variable *id_<id> ------------------------

def test_export_writes_each_id_as_an_iramuteq_variable():
    answers = pd.Series(["Un vélo.", "Le bus.", "Le train.", "À pied."],
                        index=["R001", "r 2/b", "é-3", "R 2 b"])
    closed = {"ID.": pd.Series(["a", "b", "c", "d"], index=answers.index),
              "mode": pd.Series(["velo", "bus", "train", "pied"], index=answers.index)}
    export = iramuteq_text(answers, closed, status=lambda text: "ok", id_column="id")
    heads = [line for line in export.text.splitlines() if line.startswith("****")]
    # the id first, cleaned as a modality (ASCII letters, digits, _); 'R 2 b' and 'r 2/b' clash
    assert heads == ["**** *id_R001 *ID2_a *mode_velo", "**** *id_r_2_b *ID2_b *mode_bus",
                     "**** *id_e_3 *ID2_c *mode_train", "**** *id_R_2_b_2 *ID2_d *mode_pied"]
    assert export.variables["id"] == "id" and export.variables["ID."] == "ID2"
    assert any("'R 2 b' -> 'R_2_b_2'" in c for c in export.collisions)
    frame = parse_iramuteq(export.text)
    assert frame["id"].tolist() == ["R001", "r_2_b", "e_3", "R_2_b_2"]
    # without an id column no id variable is written
    plain = iramuteq_text(answers, closed, status=lambda text: "ok")
    assert "*id_" not in plain.text and plain.text.startswith("**** *ID_a *mode_velo\n")


def test_export_with_id_col_reads_back_with_the_same_ids(tmp_path):
    path = _survey_csv(tmp_path)
    out = tmp_path / "corpus.txt"
    run_export_iramuteq(path, text_col="reponse", out=out, by=("taille",),
                        read_options=ReadOptions(id_col="id"))
    assert out.read_text(encoding="utf-8").startswith("**** *id_r1 *taille_10_000\n")
    back = read_survey(out, options=ReadOptions(id_col="id"))
    assert back.data.index.tolist() == ["r1", "r3", "r5"]
    assert back.text["texte"].tolist()[0] == "Plus de temps pour les projets ."


def test_cli_export_says_the_id_variable(cli, tmp_path):
    path = _survey_csv(tmp_path)
    res = cli("export-iramuteq", path, "--text-col", "reponse", "--id-col", "id", "--out",
              tmp_path / "c.txt")
    assert res.code == 0, res.err
    assert "respondent ids as *id_<id>" in res.out
    text = (tmp_path / "c.txt").read_text(encoding="utf-8")
    assert [line.split()[1] for line in text.splitlines() if line.startswith("****")] == [
        "*id_r1", "*id_r3", "*id_r5"]
    res = cli("export-iramuteq", path, "--text-col", "reponse", "--out", tmp_path / "d.txt")
    assert res.code == 0 and "*id_" not in (tmp_path / "d.txt").read_text(encoding="utf-8")


def test_export_to_a_folder_is_one_line_that_does_not_suggest_force(cli, tmp_path):
    path = _survey_csv(tmp_path)
    folder = tmp_path / "dossier"
    folder.mkdir()
    (folder / "x.txt").write_text("garder", encoding="utf-8")
    for extra in ([], ["--force"]):
        res = cli("export-iramuteq", path, "--text-col", "reponse", "--out", folder, *extra)
        assert res.code == 2 and res.err.strip().count("\n") == 0
        assert "is a folder; give the path of the corpus file" in res.err
        assert "--force" not in res.err
    assert [p.name for p in folder.iterdir()] == ["x.txt"]


def test_export_of_a_multiple_choice_question_writes_one_variable_per_option(cli, tmp_path):
    """--by a multiple-choice question (one column per option) was a KeyError traceback; each
    option column is now its own IRaMuTeQ variable (one modality per variable and text)."""
    out = tmp_path / "c.txt"
    res = cli("export-iramuteq", DEMO, "--text-col", "q_manques", "--id-col", "id", "--by",
              "outils", "--by", "taille", "--out", out)
    assert res.code == 0, res.err
    assert "Traceback" not in res.err
    demo = pd.read_csv(DEMO, sep=";", dtype=str).set_index("id")
    first = out.read_text(encoding="utf-8").splitlines()[0]
    stars = first.split()
    assert stars[:2] == ["****", "*id_R001"]
    assert stars[2:8] == [f"*outils{i}_{demo.loc['R001', f'outils_{i}']}" for i in range(1, 7)]
    assert stars[8] == "*taille_" + iramuteq_name(demo.loc["R001", "taille"])
    back = read_survey(out, options=ReadOptions(id_col="id"))
    assert {f"outils{i}" for i in range(1, 7)} <= set(back.questions)
