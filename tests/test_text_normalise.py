"""Normalisation of answers (textmine.text.normalise)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from textmine.text.normalise import fold_key, normalise_text

CURLY = "\u2019\u2018\u02bc\u00ab\u00bb\u201c\u201d\u201e"


def test_typographic_apostrophes_and_quotes_are_unified():
    assert normalise_text("l\u2019équipe d\u02bcici") == "l'équipe d'ici"
    assert normalise_text("\u00ab\u00a0visio\u00a0\u00bb") == '" visio "'
    assert normalise_text("\u201cRAS\u201d") == '"RAS"'


def test_spaces_zero_width_and_repeated_punctuation():
    assert normalise_text("  trop\u200b  de\u202freunions !!!  ") == "trop de reunions !"
    assert normalise_text("bof....") == "bof…"
    assert normalise_text("quoi ??") == "quoi ?"
    assert normalise_text("a\n\n  b") == "a\nb"


def test_nfc_composes_accents():
    decomposed = "te\u0301le\u0301travail"
    assert normalise_text(decomposed) == "télétravail"


def test_fold_key_ignores_case_accents_and_punctuation():
    assert fold_key("R.A.S.") == "ras"
    assert fold_key("Je ne sais PAS !") == "je ne sais pas"
    assert fold_key("Néant") == "neant"
    assert fold_key("pas d\u2019avis") == "pas davis"
    assert fold_key(" - / … ") == ""


@given(st.text())
def test_normalise_is_idempotent(text):
    once = normalise_text(text)
    assert normalise_text(once) == once


@given(st.text())
def test_normalised_text_is_nfc_without_curly_quotes(text):
    out = normalise_text(text)
    assert unicodedata.is_normalized("NFC", out)
    assert not any(ch in out for ch in CURLY)
    assert "\u00a0" not in out and "\u200b" not in out
    assert out == out.strip()


@given(st.text())
def test_fold_key_is_idempotent_and_plain(text):
    key = fold_key(text)
    assert fold_key(key) == key
    assert all(ch.isalnum() or ch == " " for ch in key)


def test_fold_key_of_normalised_text_skips_normalisation():
    norm = normalise_text("Rien  à   signaler !!")
    assert fold_key(norm, normalised=True) == fold_key("Rien  à   signaler !!") == "rien a signaler"
