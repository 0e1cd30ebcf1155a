"""Tests of textmine.themes.seeded and seeded discovery."""

from __future__ import annotations

import logging
from pathlib import Path

from test_themes_data import GROUPS, make_corpus

from textmine.codebook import parse_codebook
from textmine.config import ThemeOptions
from textmine.themes import discover_themes
from textmine.themes.seeded import seed_columns

CODEBOOK = parse_codebook(
    {
        "themes": [
            {"name": "Manque de moyens", "seeds": ["budget", "moyens humains", "effectif"]},
            {"name": "Outils numériques", "seeds": ["visio", "plateforme collaborative", "zoom"]},
        ]
    },
    Path("codebook.yaml"),
)
VOCAB = ["budget", "effectif", "moyens_humains", "outil", "plateforme_collaborative", "visio"]


def test_seed_phrases_match_multi_word_features_and_absent_seeds_are_listed():
    seeds, report = seed_columns(CODEBOOK, VOCAB)
    assert seeds == ((0, 2, 1), (5, 4))
    assert report[1]["matched_terms"] == ["visio", "plateforme_collaborative"]
    assert report[1]["absent_seeds"] == ["zoom"]
    assert report[0]["absent_seeds"] == []


def test_seeds_go_through_the_given_processor():
    # A lemmatising processor maps "outils" to the vocabulary lemma "outil".
    codebook = parse_codebook({"themes": [{"name": "T", "seeds": ["Outils"]}]}, Path("c.yaml"))
    lemmas = {"outils": ["outil"]}
    seeds, report = seed_columns(
        codebook, VOCAB, processor=lambda ps: [lemmas[p.lower()] for p in ps]
    )
    assert seeds == ((3,),) and report[0]["absent_seeds"] == []


def test_seeded_themes_are_found_named_and_counted(caplog):
    with caplog.at_level(logging.WARNING):
        result = discover_themes(
            make_corpus(), options=ThemeOptions(extra_themes=1), codebook=CODEBOOK
        )
    themes = result.themes
    assert themes["label"].tolist()[:2] == ["Manque de moyens", "Outils numériques"]
    assert len(themes) == 3
    answers = result.answers.set_index("respondent_id")
    assert (answers.loc[GROUPS["moyens"], "theme_id"] == 1).all()
    assert (answers.loc[GROUPS["outils"], "theme_id"] == 2).all()
    assert (answers.loc[GROUPS["dsi"], "theme_id"] == 3).all()
    report = result.info["seeded_themes"]
    assert [r["n_answers"] for r in report] == themes["n_answers"].tolist()[:2]
    assert report[1]["absent_seeds"] == ["zoom"]
    assert ("1 of the 6 codebook seeds never became a feature (e.g. theme 'Outils "
            "numériques': zoom); run.json lists them" in caplog.text)
    assert result.model.seeded == ["Manque de moyens", "Outils numériques"]
    assert result.info["method"] == "nmf"  # seeded runs do not smooth (see discover.py)


def test_codebook_edits_are_applied_after_fitting():
    codebook = parse_codebook(
        {"themes": [{"name": "Moyens", "seeds": ["budget"]},
                    {"name": "Outils", "seeds": ["visio"]}],
         "merge": [["Outils", "3"]], "rename": {"Moyens": "Ressources"}},
        Path("c.yaml"),
    )
    result = discover_themes(make_corpus(), options=ThemeOptions(extra_themes=1),
                             codebook=codebook)
    assert result.themes["label"].tolist() == ["Ressources", "Outils"]
    answers = result.answers.set_index("respondent_id")
    assert (answers.loc[GROUPS["dsi"] + GROUPS["outils"], "theme_id"] == 2).all()
    merge_log = result.info["edits"][0]
    assert merge_log.startswith("merged Outils, ") and merge_log.endswith(" into Outils")


def test_a_seed_also_matches_its_negated_form():
    codebook = parse_codebook({"themes": [{"name": "Moyens", "seeds": ["renfort", "budget"]}]},
                              Path("c.yaml"))
    vocab = ["budget", "pas_budget", "pas_renfort"]
    seeds, report = seed_columns(codebook, vocab)
    assert report[0]["matched_terms"] == ["pas_renfort", "budget", "pas_budget"]
    assert report[0]["absent_seeds"] == []


def test_seeds_are_expanded_with_co_occurring_terms_listed_for_the_researcher():
    import numpy as np
    import scipy.sparse as sp

    from textmine.themes.seeded import expand_seeds

    # Terms: 0 essence (seed A), 1 prix (with essence), 2 école (seed B), 3 maître (with école),
    # 4 rare (once, with both).
    X = sp.csr_matrix(np.array([
        [1, 1, 0, 0, 0], [1, 1, 0, 0, 0], [1, 0, 0, 0, 0],
        [0, 0, 1, 1, 0], [0, 0, 1, 1, 0], [0, 0, 0, 1, 1],
    ], dtype=float))
    expanded, added = expand_seeds(X, ((0,), (2,)), n_neighbours=1)
    assert expanded == ((0, 1), (2, 3))
    assert [c for c, _ in added[0]] == [1] and added[0][0][1] > 0.5
    none, nothing = expand_seeds(X, ((0,), (2,)), n_neighbours=0)
    assert none == ((0,), (2,)) and nothing == [[], []]


def test_seed_expansion_is_in_the_result_and_run_info():
    codebook = parse_codebook(
        {"themes": [{"name": "Moyens", "seeds": ["budget"]},
                    {"name": "Outils", "seeds": ["visio"]}]},
        Path("c.yaml"),
    )
    result = discover_themes(make_corpus(), codebook=codebook,
                             options=ThemeOptions(seed_neighbours=2, stability_resamples=0))
    table = result.seed_expansion
    assert list(table.columns) == ["theme_id", "theme", "term", "feature", "cosine", "source"]
    assert set(table["theme"]) <= {"Moyens", "Outils"} and len(table) <= 4
    # 33 answers: too few for semantic themes, so the neighbours are co-occurrence ones only.
    assert result.info["method"] == "nmf" and set(table["source"]) == {"co-occurrence"}
    entries = {e["name"]: e for e in result.info["seeded_themes"]}
    assert entries["Moyens"]["expanded_terms"] == table.loc[table["theme"] == "Moyens",
                                                            "feature"].tolist()
    assert "budget" not in table["feature"].tolist()


def test_no_seed_expansion_by_default():
    codebook = parse_codebook({"themes": [{"name": "Moyens", "seeds": ["budget"]}]},
                              Path("c.yaml"))
    result = discover_themes(make_corpus(), codebook=codebook,
                             options=ThemeOptions(stability_resamples=0))
    assert result.seed_expansion is None
    assert "expanded_terms" not in result.info["seeded_themes"][0]


def test_a_theme_without_any_seed_term_and_twin_themes_are_said(caplog):
    # Trial 2026-12-01: "Espace" (astronaute, fusée: written by no answer) held 14 % of the
    # answers under its name, and two themes with the same seeds split them at random: silent.
    codebook = parse_codebook({"themes": [
        {"name": "Espace", "seeds": ["astronaute", "fusée"]},
        {"name": "Nature A", "seeds": ["visio", "budget"]},
        {"name": "Nature B", "seeds": ["budget", "visio"]},
        {"name": "Moyens", "seeds": ["effectif"]},
    ]}, Path("c.yaml"))  # fmt: skip
    with caplog.at_level(logging.WARNING):
        seed_columns(codebook, VOCAB, question="q1")
    lines = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("question 'q1': Codebook theme(s) 'Espace': none of the seeds")
               for m in lines), lines
    assert any("'Nature A' and 'Nature B' have the same seed terms" in m for m in lines)
    assert not any("Moyens" in m for m in lines)
    assert not any("share seed terms" in m for m in lines)  # identical: said once above
    # overlapping, not identical seed sets: the shared terms are said
    overlap = parse_codebook({"themes": [
        {"name": "A", "seeds": ["budget"]}, {"name": "B", "seeds": ["budget", "visio"]},
    ]}, Path("c.yaml"))  # fmt: skip
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        seed_columns(overlap, VOCAB)
    assert "Codebook themes 'A' and 'B' share seed terms (budget)" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        seed_columns(CODEBOOK, VOCAB)
    assert not any("none of the seeds" in r.getMessage() or "same seed terms" in r.getMessage()
                   for r in caplog.records)


def test_a_seed_whose_writers_are_mostly_in_another_theme_is_said(caplog):
    # Trial 2026-12-01 (INED K1): "entoure", a seed of "Entourage", was written by 182 answers,
    # 6 of them in it, 162 in a free theme: the under-assigned count (top terms) did not show it.
    import pandas as pd
    import scipy.sparse as sp

    from textmine.themes.discover import _say_seed_leaks

    terms = ["entoure", "autour", "pas_autour", "paysage"]
    rows = [[1, 0, 0, 1]] * 12 + [[0, 1, 0, 0]] * 12 + [[0, 0, 1, 0]] * 12
    X = sp.csr_matrix(rows)
    answers = pd.DataFrame({"themes": ["2"] * 11 + ["1"] + ["1"] * 12 + ["2"] * 12})
    themes = pd.DataFrame({"theme_id": [1, 2], "label": ["Entourage", "entoure / paysage"],
                           "share": [0.5, 0.5]})
    report = [{"name": "Entourage", "theme_id": 1,
               "matched_terms": ["entoure", "autour", "pas_autour"]}]
    with caplog.at_level(logging.WARNING):
        _say_seed_leaks(report, X, terms, answers, themes, question="K1")
    assert ("question 'K1': Codebook theme 'Entourage' does not hold the answers writing some "
            "of its seeds ('entoure': 11 of its 12 writers, most in theme 2 'entoure / "
            "paysage')") in caplog.text
    # the negated form is no writer: "autour" is held, "pas_autour" is not counted
    assert "autour" not in caplog.text.split("seeds (")[1].split(")")[0].replace("entoure", "")
    assert report[0]["seed_writers"] == 24 and report[0]["seed_writers_elsewhere"] == 11
    caplog.clear()
    answers["themes"] = ["1"] * 36
    with caplog.at_level(logging.WARNING):
        _say_seed_leaks(report, X, terms, answers, themes)
    assert not caplog.text and report[0]["seeds_elsewhere"] == []
    # a seed of two codebook themes is not checked (it cannot be held by both)
    answers["themes"] = ["2"] * 11 + ["1"] + ["1"] * 12 + ["2"] * 12
    twin = report + [{"name": "Voisins", "theme_id": 2, "matched_terms": ["entoure"]}]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        _say_seed_leaks(twin, X, terms, answers, themes)
    assert "'entoure'" not in caplog.text
    answers["themes"] = ["1"] * 36
    # a seeded theme holding most answers, few writing its seeds: a catch-all, said
    report[0]["n_answers"] = 36
    with caplog.at_level(logging.WARNING):
        _say_seed_leaks(report, X, terms, answers, themes, catch_all=0.35)
    assert "holds 50 % of the answers, only 24 of its 36 writing its seeds" not in caplog.text
    report[0]["n_answers"] = 60
    with caplog.at_level(logging.WARNING):
        _say_seed_leaks(report, X, terms, answers, themes, catch_all=0.35)
    assert "Codebook theme 'Entourage' holds 50 % of the answers, only 24 of its 60" in caplog.text
