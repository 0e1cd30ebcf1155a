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
