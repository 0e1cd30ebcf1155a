"""textmine concordance: form, lemma and expression matching, sorting, formats, run folders."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.report.concordance import render_concordance
from textmine.text.concordance import feature_spans, form_spans, kwic, sort_lines, tokenize

ANSWERS = {
    "r1": "Pas assez de moyens humains pour la communication.",
    "r2": "Le moyen le plus simple : un Écran partagé.",
    "r3": "Des moyens financiers et un cadre de vie agréable.",
    "r4": "RAS",
    "r5": "Un meilleur cadre de travail, des ecrans plus grands.",
    "r6": "Les cadres de vie changent; plus de moyens matériels.",
}
GROUPS = {"r1": "A", "r2": "B", "r3": "A", "r4": "B", "r5": "B", "r6": "A"}


@pytest.fixture
def survey(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"id": list(ANSWERS), "q": list(ANSWERS.values()),
                  "g": [GROUPS[k] for k in ANSWERS]}).to_csv(path, index=False)
    return path


def test_form_spans_case_accent_prefix_and_expression():
    assert form_spans("Un Écran, deux ecrans", ["écran"]) == [(1, 2)]
    assert form_spans("Un Écran, deux ecrans", ["écran*"]) == [(1, 2), (3, 4)]
    assert form_spans("Un Écran", ["écran"], exact=True) == []
    assert form_spans("le cadre de vie, le cadre, de vie", ["cadre", "de", "vie"]) == [
        (1, 4), (5, 8)]  # punctuation between words does not break an expression
    assert [t.text for t in tokenize("l'environnement d’abord")] == [
        "l'", "environnement", "d’", "abord"]


def test_kwic_window_and_edges():
    text = "un deux trois quatre cinq six sept"
    (line,) = kwic("r", text, [(3, 4)], window=2)
    assert (line["left"], line["keyword"], line["right"]) == ("deux trois", "quatre", "cinq six")
    (line,) = kwic("r", text, [(0, 1)], window=8)
    assert (line["left"], line["right"]) == ("", "deux trois quatre cinq six sept")


def test_sorting_right_left_modality():
    lines = pd.DataFrame({
        "respondent_id": ["1", "2", "3"], "left": ["b z", "a y", "c x"],
        "keyword": ["k", "k", "k"], "right": ["zeta", "alpha", "beta"], "g": ["B", "A", "B"],
    })
    assert sort_lines(lines, "right")["respondent_id"].tolist() == ["2", "3", "1"]
    assert sort_lines(lines, "left")["respondent_id"].tolist() == ["3", "2", "1"]
    assert sort_lines(lines, "modality", ["g"])["respondent_id"].tolist() == ["2", "3", "1"]


def test_feature_spans_find_inflections_and_expressions():
    assert feature_spans("Les cadres de vie changent", "cadre_vie") == [(1, 4)]
    assert feature_spans("pas assez de moyens", "pas_moyen") == [(3, 4)]


def test_html_page_escapes_hostile_text():
    payload = '<script>alert(1)</script> "><img src=x onerror=alert(1)> {{ 7*7 }}'
    lines = pd.DataFrame({"respondent_id": ["<b>"], "left": [payload], "keyword": ["k"],
                          "right": [payload], "g": [payload]})
    page = render_concordance(lines, title=payload, caption=payload, by=["g"])
    assert "<script>" not in page and "<img src=x" not in page and "{{ 7*7 }}" in page


def test_cli_form_lemma_expression_and_formats(cli, survey, tmp_path):
    out = tmp_path / "form.csv"
    r = cli("concordance", survey, "--text-col", "q", "--id-col", "id", "--term", "moyens",
            "--out", out, "--by", "g")
    assert r.code == 0, r.err
    form = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(form.columns) == ["respondent_id", "left", "keyword", "right", "g"]
    assert sorted(form["respondent_id"]) == ["r1", "r3", "r6"]  # not "moyen" of r2
    r = cli("concordance", survey, "--text-col", "q", "--id-col", "id", "--term", "moyen",
            "--lemma", "--out", tmp_path / "lemma.csv")
    assert r.code == 0, r.err
    lemma = pd.read_csv(tmp_path / "lemma.csv", dtype=str, keep_default_na=False)
    assert sorted(lemma["respondent_id"]) == ["r1", "r2", "r3", "r6"]
    assert set(lemma["keyword"]) == {"moyen", "moyens"}
    assert "lemmas searched: moyen" in r.out
    # an expression, by lemma: "cadres de vie" is found, "cadre de travail" is not
    r = cli("concordance", survey, "--text-col", "q", "--id-col", "id", "--term",
            "cadre de vie", "--lemma", "--out", tmp_path / "mwe.xlsx", "--window", "2")
    assert r.code == 0, r.err
    mwe = pd.read_excel(tmp_path / "mwe.xlsx", dtype=str).fillna("")
    assert sorted(mwe["keyword"]) == ["cadre de vie", "cadres de vie"]
    assert set(mwe["right"]) == {"agréable", "changent; plus"}
    first = (tmp_path / "mwe.xlsx").read_bytes()
    r = cli("concordance", survey, "--text-col", "q", "--id-col", "id", "--term",
            "cadre de vie", "--lemma", "--out", tmp_path / "mwe.xlsx", "--window", "2",
            "--force")
    assert r.code == 0 and (tmp_path / "mwe.xlsx").read_bytes() == first
    r = cli("concordance", survey, "--text-col", "q", "--id-col", "id", "--term", "écran",
            "--out", tmp_path / "c.html", "--by", "g", "--sort", "modality")
    assert r.code == 0, r.err
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "Écran" in page and "ecrans" not in page  # form: "ecrans" is another form


def test_cli_run_folder_input_and_bad_input(cli, survey, tmp_path):
    run = tmp_path / "run"
    r = cli("parse", survey, "--text-col", "q", "--id-col", "id", "--out", run)
    assert r.code == 0, r.err
    r = cli("concordance", run, "--term", "moyens", "--out", tmp_path / "k.csv")
    assert r.code == 0, r.err
    lines = pd.read_csv(tmp_path / "k.csv", dtype=str, keep_default_na=False)
    assert sorted(lines["respondent_id"]) == ["r1", "r3", "r6"]
    assert cli("concordance", run, "--term", "x", "--out", tmp_path / "k.txt").code == 2
    r = cli("concordance", survey, "--text-col", "q", "--term", "x", "--out",
            tmp_path / "s.csv", "--sort", "modality")
    assert r.code == 2 and "--by" in r.err
    r = cli("concordance", run, "--term", "moyens", "--out", tmp_path / "k.csv")
    assert r.code == 2 and "--force" in r.err


def test_report_chips_link_to_concordances(tmp_path):
    from report_fixtures import make_run

    from textmine.config import ReportOptions
    from textmine.report import write_report

    folder = make_run(tmp_path / "run", tables=False)
    write_report(folder, options=ReportOptions(xlsx=False, wordclouds=False))
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert '<details class="conc">' in page
    anchors = set(__import__("re").findall(r'href="#(conc-\d+-\d+)"', page))
    assert anchors and all(f'id="{a}"' in page for a in anchors)
    assert "<script>" not in page
