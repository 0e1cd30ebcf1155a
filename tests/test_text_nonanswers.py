"""Non-answers (textmine.text.nonanswers)."""

from __future__ import annotations

import pytest

from textmine.text.nonanswers import answer_status, nonanswer_keys

KEYS = nonanswer_keys()


@pytest.mark.parametrize("text", [
    "RAS", "r.a.s.", "Rien à signaler", "NSP", "je ne sais pas", "Je ne sais pas.", "-", "/",
    "…", "...", "Néant", "idem", "Pas d'avis", "pas d\u2019avis", "Aucun", "aucune", "?",
])
def test_non_answers_are_flagged(text):
    assert answer_status(text, KEYS) == "non-answer"


@pytest.mark.parametrize("text", ["", "   ", "\u00a0", "\n\t"])
def test_blanks_are_empty(text):
    assert answer_status(text, KEYS) == "empty"


@pytest.mark.parametrize("text", [
    "aucun moyen", "RAS le bol des réunions", "je ne sais pas utiliser teams", "visio",
])
def test_real_answers_are_ok(text):
    assert answer_status(text, KEYS) == "ok"


def test_extra_non_answers_extend_the_list():
    keys = nonanswer_keys(["Voir Q12"])
    assert answer_status("voir q12 !", keys) == "non-answer"
    assert answer_status("voir q12 !", KEYS) == "ok"


@pytest.mark.parametrize("text", [
    "Sans objet", "sans objet.", "SANS OBJET", "S.O.", "S/O", "SO", "so", "Non concerné",
    "Non concerné(e)", "non concernée", "Non concernés", "Pas concerné", "pas concernée",
    "Je ne suis pas concernée", "Ne me concerne pas", "N/A", "n.a.", "NA", "Non applicable",
    "Ne s'applique pas",
])
def test_sans_objet_and_its_kind_are_non_answers(text):
    assert answer_status(text, KEYS) == "non-answer"


@pytest.mark.parametrize("text", [
    "Sans objet pour moi car je suis en télétravail", "SO du télétravail", "sans objectif clair",
    "Sud-Ouest", "pas concerné par la visio mais par le reste", "solo", "non, pas applicable ici",
])
def test_answers_merely_containing_sans_objet_words_stay_answers(text):
    assert answer_status(text, KEYS) == "ok"
