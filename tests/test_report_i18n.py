"""Report wording: languages, numbers and percentages."""

from __future__ import annotations

import pytest

from textmine.errors import OptionError
from textmine.report.i18n import LANGUAGES, check_lang, heading, number, percent, strings


def test_both_languages_have_the_same_keys():
    assert set(strings("fr")) == set(strings("en"))
    assert LANGUAGES == ("fr", "en")


def test_unknown_language():
    with pytest.raises(OptionError, match=r"^Report language 'EN' is not available; use one of: "
                                          r"fr, en\.$"):
        check_lang("EN")


def test_numbers_follow_the_language():
    assert number(12.345, "fr", digits=2) == "12,35"
    assert number(12.345, "en", digits=1) == "12.3"
    assert percent(0.125, "fr") == "12,5\u202f%"
    assert percent(0.125, "en") == "12.5%"


def test_heading_colon():
    assert heading("Variable", "taille", "fr") == "Variable\u00a0: taille"
    assert heading("Variable", "taille", "en") == "Variable: taille"
