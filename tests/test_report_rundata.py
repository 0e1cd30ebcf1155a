"""Reading a finished run folder for the report."""

from __future__ import annotations

from report_fixtures import make_run

from textmine.report import load_run
from textmine.report.rundata import display_text, k_explanation


def test_load_run_keeps_answers_as_text(tmp_path):
    folder = make_run(tmp_path / "run")
    data = load_run(folder)
    assert data.answers["respondent_id"].iloc[0] == "r001"
    assert "RAS" in set(data.answers["text"])
    status = data.answers["status"].value_counts()
    assert data.counts() == {"respondents": 60, "themed": status["themed"],
                             "unassigned": status["unassigned"],
                             "non_answer": status["non-answer"], "empty": status["empty"],
                             "answers_ok": status["themed"] + status["unassigned"]}
    assert set(data.crosstabs) == {"fonction", "outils"}
    assert data.chosen_k() == 4


def test_display_text_takes_off_only_the_neutralising_apostrophe():
    assert display_text("'=SUM(A1)") == "=SUM(A1)"
    assert display_text("'-2+3") == "-2+3"
    assert display_text("'quote'") == "'quote'"
    assert display_text(float("nan")) == ""


def test_k_explanation_codebook_with_free_themes():
    info = {"k": 8, "k_chosen_by": "codebook", "k_rule": None, "n_themes_final": 8,
            "seeded_themes": [{}] * 6}
    assert k_explanation(info, None, "fr") == (
        "La grille de codage fournit 6 thèmes de départ. S'y ajoutent 2 thèmes libres, trouvés "
        "dans les réponses que la grille ne couvre pas (réglage extra_themes).")


def test_k_explanation_fixed_then_edited():
    info = {"k": 5, "k_chosen_by": "fixed", "k_rule": None, "n_themes_final": 4}
    assert k_explanation(info, None, "en") == (
        "k = 5 set in the settings. After merging, dropping or adding themes: 4 themes.")


def test_k_explanation_unknown_rule_is_quoted_as_recorded():
    info = {"k": 3, "k_chosen_by": "auto", "k_rule": "best silhouette"}
    assert k_explanation(info, None, "en") == "k = 3 chosen automatically: best silhouette."
    assert k_explanation({}, None, "fr") == ""


def test_recorded_k_rules_are_translated():
    from textmine.report.rundata import translate_rule
    from textmine.themes.selection import K_RULE

    french = translate_rule(K_RULE, "fr")
    assert french != K_RULE and french.startswith("le k dont la stabilité")
    assert "80\u00a0%" in french
    assert translate_rule(K_RULE, "en").startswith("the k whose stability across 80% resamples")
    # Rules recorded by earlier versions are still worded.
    old = ("among k with seed stability >= 0.8 (all k if none), the k with the highest NPMI "
           "coherence; ties (3 decimals) to higher exclusivity, then smaller k")
    assert translate_rule(old, "en").startswith("among the k whose stability")
    assert translate_rule("a rule from the future", "fr") == "a rule from the future"


def test_broken_run_folders_are_one_line_errors(cli, tmp_path):
    run = make_run(tmp_path / "run")
    (run / "themes.csv").write_text("", encoding="utf-8")
    res = cli("report", run)
    assert res.code == 2 and res.err.startswith(f"error: Cannot read {run / 'themes.csv'}")
    (run / "themes.csv").write_text("x\n1\n", encoding="utf-8")
    res = cli("report", run)
    assert res.code == 2
    assert "themes.csv lacks column(s) theme_id, label; give the folder" in res.err
    (run / "themes.csv").write_text("theme_id,label\nun,A\n", encoding="utf-8")
    res = cli("report", run)
    assert res.code == 2 and "theme ids that are not whole numbers" in res.err
    assert "Traceback" not in res.err
