"""Quotes worth quoting (issue 15): typical, informative, varied, masked; workbook per theme."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from openpyxl import load_workbook

from textmine.themes.quotes import quote_key, repeats_label, select_quotes, typicality

LONG = [
    "le respect de la nature et des espaces verts en ville",
    "moins de pollution de l'air et des rivières autour de nous",
    "garder des forêts propres et protéger les animaux sauvages",
    "la nature doit être préservée pour nos enfants plus tard",
    "réduire le bruit des voitures et la pollution dans les rues",
    "des parcs publics entretenus avec des arbres et des fleurs",
]


def test_quote_key_ignores_case_accents_and_punctuation():
    assert quote_key("La  Nature !") == quote_key("la nature") == "la nature"
    assert quote_key("Écologie") == quote_key("ecologie")


def test_bare_repetition_of_the_label_is_never_a_quote():
    assert repeats_label("la nature", ["nature"], "nature / environnement")
    assert repeats_label("Nature.", ["nature"], "nature")
    assert not repeats_label("protéger la nature", ["protéger", "nature"], "nature")


def test_111_copies_of_the_label_give_way_to_informative_answers():
    masked = ["la nature"] * 111 + LONG + ["nature ok"]
    terms = [["nature"]] * 111 + [t.split()[:4] for t in LONG] + [["nature", "ok"]]
    n = len(masked)
    rep = sp.csr_matrix(np.ones((n, 1)))
    weights = np.r_[np.full(111, 0.99), np.linspace(0.8, 0.5, len(LONG)), [0.95]]
    quotes = select_quotes(weights, np.ones(n, bool), typicality(rep, np.ones(1)), masked=masked,
                           terms=terms, n_quotes=3, label="nature")
    assert "la nature" not in quotes
    assert quotes == LONG[:3]  # long answers first, by weight
    # With few long answers, a short one that says something fills the last place.
    quotes = select_quotes(weights, np.r_[np.ones(112, bool), np.zeros(len(LONG) - 1, bool),
                                          [True]],
                           typicality(rep, np.ones(1)), masked=masked, terms=terms, n_quotes=3,
                           label="nature / environnement")
    assert quotes == [LONG[0], "nature ok"]  # the short answer says more than the label


@pytest.fixture(scope="module")
def nature_run(tmp_path_factory):
    """A finished run where theme 1 holds 111 copies of "la nature" and one repeated quote."""
    from report_fixtures import make_run

    from textmine.config import ReportOptions
    from textmine.outputs import write_csv
    from textmine.report import write_report

    folder = make_run(tmp_path_factory.mktemp("nature") / "run")
    answers = pd.read_csv(folder / "answers.csv", dtype=str, keep_default_na=False)
    extra = [{"respondent_id": f"n{i:03d}", "text": "la nature", "status": "themed",
              "theme_id": "1", "weight": "0.999", "themes": "1"} for i in range(111)]
    extra += [{"respondent_id": f"p{i:03d}", "text": "Les parcs et la nature en ville.",
               "status": "themed", "theme_id": "1", "weight": "0.9", "themes": "1"}
              for i in range(5)]
    write_csv(pd.concat([answers, pd.DataFrame(extra)], ignore_index=True),
              folder / "answers.csv")
    themes = pd.read_csv(folder / "themes.csv", dtype=str, keep_default_na=False)
    themes.loc[themes["theme_id"] == "1", "quote_1"] = "Les parcs et la nature en ville."
    write_csv(themes, folder / "themes.csv")
    write_report(folder, options=ReportOptions(lang="fr", wordclouds=False))
    return folder


def test_theme_sheet_lists_distinct_texts_with_counts(nature_run):
    ws = load_workbook(nature_run / "report.xlsx")["1 Outils de visio"]
    header = [c.value for c in ws[1]]
    text_col, n_col = header.index("Réponse (données personnelles masquées)"), header.index(
        "Réponses identiques")
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    texts = [r[text_col] for r in rows]
    assert texts.count("la nature") == 1
    assert rows[texts.index("la nature")][n_col] == 111
    assert rows[0][text_col] == "Les parcs et la nature en ville." and rows[0][n_col] == 5
    assert rows[0][0] == "✓ 1"
    assert len(rows) < 60  # distinct texts, not 111 rows of "la nature"


def test_report_shows_a_repeated_quote_once_with_its_count(nature_run):
    html = (nature_run / "report.html").read_text(encoding="utf-8")
    assert html.count("Les parcs et la nature en ville.") == 1
    assert "×5" in html


def test_ined_k1_quotes_are_informative(cli, raw, tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    path = raw / "ined_pee1992_k1" / "PEE_K1_extract.csv"
    if not path.is_file():
        pytest.skip("INED K1 extract absent")
    out = tmp_path / "k1"
    res = cli("themes", path, "--text-col", "K1", "--id-col", "qnumq", "--k", "6",
              "--out", out, "--report", "--by", "aget")
    assert res.code == 0, res.err
    themes = pd.read_csv(out / "themes.csv", dtype=str, keep_default_na=False)
    for _, row in themes.iterrows():
        quotes = [row[c] for c in themes.columns if c.startswith("quote_") and row[c]]
        assert len({quote_key(q) for q in quotes}) == len(quotes)
        for q in quotes:
            assert quote_key(q) != quote_key(row["label"])
        # Most quotes say something: at least one of each theme's quotes has 4 words or more.
        assert not quotes or max(len(quote_key(q).split()) for q in quotes) >= 4
    wb = load_workbook(out / "report.xlsx")
    for name in wb.sheetnames[3:3 + len(themes)]:
        texts = [r[3].value for r in wb[name].iter_rows(min_row=2)]
        assert len(texts) == len(set(texts))
