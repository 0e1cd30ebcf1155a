"""Tests of textmine.themes.labels (FREX ranking and labels)."""

from __future__ import annotations

import numpy as np

from textmine.themes.labels import display_term, frex_order, theme_label, top_terms


def test_frex_prefers_exclusive_terms_over_shared_frequent_ones():
    # Term 0 is the most frequent in both themes; term 1 is a bit less frequent but exclusive.
    comp = np.array([[0.3, 0.25, 0.2, 0.15, 0.1, 0.0], [0.3, 0.0, 0.2, 0.1, 0.1, 0.3]])
    order = frex_order(comp, n_top=3)
    assert order[0][0] == 1
    assert order[1][0] == 5


def test_terms_absent_from_a_theme_are_never_its_top_terms():
    comp = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    assert frex_order(comp, n_top=3)[0].tolist() == [0]


def test_multi_word_expressions_are_shown_with_spaces():
    assert display_term("plateforme_collaborative") == "plateforme collaborative"
    comp = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert top_terms(comp, ["budget", "moyens_humains"], n_top=1) == [
        ["moyens humains"], ["budget"]
    ]


def test_label_is_the_first_three_terms():
    assert theme_label(["visio", "teams", "cloud", "outil"]) == "visio / teams / cloud"
    assert theme_label(["visio"]) == "visio"
    assert theme_label([]) == "(no terms)"


def test_words_of_a_listed_expression_are_not_repeated():
    terms = ["lettre", "lettre_info", "slack", "info", "quotidien"]
    comp = np.array([[0.5, 0.4, 0.3, 0.2, 0.1], [0.0, 0.0, 0.0, 0.0, 0.05]])
    assert top_terms(comp, terms, n_top=3)[0] == ["lettre info", "slack", "quotidien"]


def test_no_two_themes_share_a_label():
    from textmine.themes.labels import distinct_labels

    # INED K1 (semantic, k auto): two themes both labelled "nature / respect / protection".
    tops = [["nature", "protection", "respect", "pollution", "oiseaux", "forêt"],
            ["autour", "passe", "région"],
            ["nature", "respect", "protection", "pollution", "oiseaux", "propreté"],
            ["nature", "respect", "protection"],
            ["bruit"]]
    labels = [theme_label(t) for t in tops]
    labels[0] = labels[2]  # same three terms, another order: one label
    out = distinct_labels(labels, tops)
    assert len(set(out)) == len(out)
    assert out[0] == "nature / respect / protection / forêt"
    assert out[2] == "nature / respect / protection / propreté"
    assert out[3] == "nature / respect / protection (3)"  # no term of its own: its rank
    assert out[1] == "autour / passe / région" and out[4] == "bruit"  # unique: unchanged
    # The same term cannot make two labels equal again; single labels are left alone.
    assert distinct_labels(["a", "a"], [["a", "b"], ["a", "b"]]) == ["a (1)", "a (2)"]
    assert distinct_labels(["x / y"], [["x", "y"]]) == ["x / y"]


def test_twin_term_profiles_get_two_labels():
    from textmine.themes.labels import distinct_labels

    # Two themes of the same term profile up to the fourth term.
    terms = ["nature", "respect", "protection", "forêt", "propreté"]
    comps = np.array([[5, 4, 3, 1, 0], [5, 4, 3, 0, 1]], dtype=float)
    tops = top_terms(comps, terms, n_top=5)
    labels = distinct_labels([theme_label(t) for t in tops], tops)
    assert labels[0] != labels[1]
