"""CLI tests of ``textmine themes`` and ``textmine apply`` (in-process)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_themes_data import make_corpus


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    corpus = make_corpus()
    n = len(corpus.ids)
    df = pd.DataFrame({
        "id": corpus.ids,
        "fonction": (["Chargé de com", "Directeur"] * n)[:n],
        "reponse": corpus.texts,
    })
    path = tmp_path_factory.mktemp("survey") / "enquete.csv"
    df.to_csv(path, sep=";", index=False)
    return path


@pytest.fixture
def corpus_module(tmp_path_factory, monkeypatch):
    # These tests run the whole pipeline, text processing included; parse cache kept private.
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    return pytest.importorskip("textmine.text.corpus")


def _themes(cli, survey, out, *extra):
    return cli("themes", survey, "--text-col", "reponse", "--id-col", "id", "--out", out, *extra)


def test_themes_writes_the_run_folder_reproducibly(cli, survey, tmp_path, corpus_module):
    for run in ("a", "b"):
        res = _themes(cli, survey, tmp_path / run, "--k", "3", "--seed", "3")
        assert res.code == 0, res.err
        assert "answers themed" in res.out
        # What --method auto chose, and why, is said on the console (issue 14).
        assert "Theme model (--method auto): method " in res.out
    a, b = tmp_path / "a", tmp_path / "b"
    for name in ("themes.csv", "answers.csv", "terms.csv", "term_weights.csv", "run.json"):
        assert (a / name).is_file()
    for name in ("themes.csv", "answers.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert sorted(p.name for p in (a / "model").iterdir()) == ["arrays.npz", "model.json"]
    answers = pd.read_csv(a / "answers.csv", dtype=str, keep_default_na=False)
    assert list(answers.columns) == ["respondent_id", "text", "status", "theme_id", "weight",
                                     "themes"]
    assert answers.set_index("respondent_id").loc["r034", "status"] == "non-answer"
    run = json.loads((a / "run.json").read_text())
    assert run["command"] == "themes"
    assert len(run["input"]["sha256"]) == 64
    assert set(run["versions"]) >= {"textmine", "spacy", "spacy_model", "scikit-learn", "python"}
    assert run["counts"]["non_answer"] >= 2
    assert run["settings"]["themes"]["k"] == 3


def test_auto_k_writes_selection_table_and_plot(cli, survey, tmp_path, corpus_module):
    res = _themes(cli, survey, tmp_path / "o", "--k", "auto")
    assert res.code == 0, res.err
    table = pd.read_csv(tmp_path / "o" / "k_selection.csv")
    assert table["chosen"].sum() == 1
    assert (tmp_path / "o" / "k_selection.png").stat().st_size > 1000
    run = json.loads((tmp_path / "o" / "run.json").read_text())
    assert run["themes"]["k_rule"].startswith("the k whose stability across 80% resamples")
    assert run["themes"]["method_choice"]["asked"] == "auto"
    assert run["themes"]["method_choice"]["reason"].startswith(f"method {run['themes']['method']}")


def test_k_too_large_is_one_error_line(cli, survey, tmp_path, corpus_module):
    res = _themes(cli, survey, tmp_path / "o", "--k", "500")
    assert res.code == 2
    assert res.err.startswith("error: --k 500 is more than this data allows")
    assert not (tmp_path / "o").exists()


def test_bad_k_value(cli, survey, tmp_path):
    res = _themes(cli, survey, tmp_path / "o", "--k", "beaucoup")
    assert res.code == 2
    assert res.err.strip() == (
        "error: k='beaucoup' is neither a number nor 'auto'; give --k 8 or --k auto."
    )


def test_missing_codebook(cli, survey, tmp_path):
    res = _themes(cli, survey, tmp_path / "o", "--codebook", tmp_path / "none.yaml")
    assert res.code == 2
    assert "error: Codebook file" in res.err and "not found" in res.err


def test_codebook_names_the_seeded_themes(cli, survey, tmp_path, corpus_module):
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text(
        "themes:\n"
        "  - name: Manque de moyens\n    seeds: [budget, effectif, 'moyens humains', "
        "'manque de moyens', 'pas de budget']\n"
        "  - name: Outils\n    seeds: [visio, teams, 'plateforme collaborative', licorne]\n",
        encoding="utf-8",
    )
    res = _themes(cli, survey, tmp_path / "o", "--codebook", codebook, "--extra-themes", "1")
    assert res.code == 0, res.err
    themes = pd.read_csv(tmp_path / "o" / "themes.csv")
    assert themes["label"].tolist()[:2] == ["Manque de moyens", "Outils"]
    run = json.loads((tmp_path / "o" / "run.json").read_text())
    seeded = run["themes"]["seeded_themes"]
    assert seeded[1]["absent_seeds"] == ["licorne"]
    assert seeded[0]["n_answers"] >= 8
    # after a rename, run.json lists the seeded theme under its new name
    res = cli("edit", tmp_path / "o", "--rename", "2=Outils numériques")
    assert res.code == 0, res.err
    edited = json.loads((tmp_path / "o" / "run.json").read_text())["themes"]["seeded_themes"]
    assert [e["name"] for e in edited] == ["Manque de moyens", "Outils numériques"]
    assert edited[1]["absent_seeds"] == ["licorne"]


@pytest.mark.parametrize("method", ["auto", "semantic"])
def test_apply_codes_new_answers_like_the_run(cli, survey, tmp_path, corpus_module, method):
    # A semantic model embeds the new answers with the encoder it was fitted with.
    assert _themes(cli, survey, tmp_path / "run", "--k", "3", "--method", method).code == 0
    res = cli("apply", tmp_path / "run" / "model", survey, "--text-col", "reponse",
              "--id-col", "id", "--out", tmp_path / "applied")
    assert res.code == 0, res.err
    ran = pd.read_csv(tmp_path / "run" / "answers.csv", dtype=str, keep_default_na=False)
    applied = pd.read_csv(tmp_path / "applied" / "answers.csv", dtype=str,
                          keep_default_na=False)
    assert applied["theme_id"].tolist() == ran["theme_id"].tolist()
    assert json.loads((tmp_path / "applied" / "run.json").read_text())["command"] == "apply"


def test_apply_refuses_a_tampered_model(cli, survey, tmp_path, corpus_module):
    assert _themes(cli, survey, tmp_path / "run", "--k", "3").code == 0
    meta = tmp_path / "run" / "model" / "model.json"
    data = json.loads(meta.read_text())
    data["arrays_sha256"] = "0" * 64
    meta.write_text(json.dumps(data))
    res = cli("apply", tmp_path / "run" / "model", survey, "--text-col", "reponse",
              "--out", tmp_path / "applied")
    assert res.code == 2
    assert "does not match the checksum" in res.err
    assert not (tmp_path / "applied").exists()


def test_by_writes_crosstabs(cli, survey, tmp_path, corpus_module):
    res = _themes(cli, survey, tmp_path / "o", "--k", "3", "--by", "fonction")
    assert res.code == 0, res.err
    assert (tmp_path / "o" / "crosstab_fonction.csv").is_file()
    assert json.loads((tmp_path / "o" / "run.json").read_text())["settings"]["by"] == ["fonction"]


def test_report_is_written_into_the_run(cli, survey, tmp_path, corpus_module):
    res = _themes(cli, survey, tmp_path / "o", "--k", "3", "--report", "--lang", "en")
    assert res.code == 0, res.err
    assert (tmp_path / "o" / "report.html").is_file()
    assert (tmp_path / "o" / "report.xlsx").is_file()
    # the report's make-up is recorded, and `textmine report` re-renders with it
    recorded = json.loads((tmp_path / "o" / "run.json").read_text())["settings"]
    assert recorded["report_options"]["lang"] == "en"
    assert cli("report", tmp_path / "o").code == 0
    html = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html


def test_qdc_codebook_gives_the_same_seeded_themes_as_yaml(cli, survey, tmp_path, corpus_module):
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text(
        "themes:\n"
        "  - name: Manque de moyens\n    seeds: [budget, effectif, 'moyens humains']\n"
        "  - name: Outils\n    seeds: [visio, teams, 'plateforme collaborative']\n",
        encoding="utf-8",
    )
    qdc = tmp_path / "codebook.qdc"
    assert cli("codebook", codebook, "--out", qdc).code == 0
    runs = {}
    for name, path in (("yaml", codebook), ("qdc", qdc)):
        res = _themes(cli, survey, tmp_path / name, "--codebook", path, "--extra-themes", "1")
        assert res.code == 0, res.err
        runs[name] = (tmp_path / name / "themes.csv").read_bytes()
    assert runs["qdc"] == runs["yaml"]
    labels = pd.read_csv(tmp_path / "qdc" / "themes.csv")["label"].tolist()
    assert labels[:2] == ["Manque de moyens", "Outils"]


def test_stability_option(cli, survey, tmp_path, corpus_module):
    res = _themes(cli, survey, tmp_path / "off", "--k", "3", "--stability", "0")
    assert res.code == 0, res.err
    themes = pd.read_csv(tmp_path / "off" / "themes.csv")
    assert "stability" not in themes.columns and "under_assigned" in themes.columns
    res = _themes(cli, survey, tmp_path / "on", "--k", "3", "--stability", "2")
    assert res.code == 0, res.err
    run = json.loads((tmp_path / "on" / "run.json").read_text())
    assert run["themes"]["stability"]["resamples"] == 2
    assert pd.read_csv(tmp_path / "on" / "themes.csv")["stability"].between(0, 1).all()
    bad = _themes(cli, survey, tmp_path / "bad", "--k", "3", "--stability", "-1")
    assert bad.code == 2 and "stability" in bad.err and "Traceback" not in bad.err
    assert not (tmp_path / "bad").exists()


def test_console_says_every_choice_textmine_made_for_the_user():
    from textmine.cli.themes_cmds import _theme_choices

    info = {
        "method_choice": {"method": "semantic", "reason": "method semantic: 80 answers"},
        "k": 6, "k_chosen_by": "auto", "k_rule": "the most stable k beyond a null",
        "catch_all": {"others": [{"fitted_theme": 1, "reason": "holds 39 % of the answers"},
                                 {"fitted_theme": 3, "reason": "holds 43 % of the answers"}]},
    }
    lines = _theme_choices(info)
    assert lines[0] == "Theme model (--method auto): method semantic: 80 answers."
    assert lines[1] == "Number of themes (--k auto): 6, the most stable k beyond a null."
    assert lines[2].startswith("2 fitted theme(s) reported as 'Divers / autres': 1 holds 39 %")
    info["catch_all"]["splits"] = [{"theme": 3, "share": 0.4292,
                                    "shares_after": [0.1891, 0.3067]},
                                   {"theme": 1, "share": 0.61, "kept": False}]
    assert _theme_choices(info)[2] == ("1 catch-all theme(s) split (share of the answers before "
                                       "-> after): 3 43 % -> 19 % + 31 %.")
    # Nothing chosen for the user (method and k given), nothing said.
    assert _theme_choices({"method_choice": None, "k": 4, "k_chosen_by": "fixed"}) == []
