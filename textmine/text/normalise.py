"""Typographic normalisation of survey answers, and the folded key used to compare answers.

:func:`normalise_text` is what spaCy sees: Unicode NFC, one kind of apostrophe and quote, plain
spaces, no runs of repeated punctuation. It is idempotent (normalising twice changes nothing), so
the normalised text is also the key under which identical answers are parsed once.
:func:`fold_key` goes further (lower case, no accents, no punctuation) and is only used to match
whole answers against lists such as the non-answers.
"""

from __future__ import annotations

import re
import unicodedata

#: Typographic apostrophes and quotes -> ASCII (French keyboards and word processors mix them).
_TRANSLATE = str.maketrans(
    {
        "\u2019": "'",  # ’ right single quotation mark (the usual French apostrophe)
        "\u2018": "'",  # ‘
        "\u02bc": "'",  # ʼ modifier letter apostrophe
        "\u02b9": "'",  # ʹ
        "\u00b4": "'",  # ´ acute accent used as apostrophe
        "\u0060": "'",  # ` grave accent used as apostrophe
        "\u2032": "'",  # ′ prime
        "\u00ab": '"',  # «
        "\u00bb": '"',  # »
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u2039": '"',  # ‹
        "\u203a": '"',  # ›
        "\u2013": "-",  # – en dash
        "\u2014": "-",  # — em dash
        "\u2212": "-",  # − minus sign
        "\u00a0": " ",  # no-break space (before ; : ! ? in French typography)
        "\u202f": " ",  # narrow no-break space
        "\u2007": " ",  # figure space
        "\u2009": " ",  # thin space
        "\u200a": " ",  # hair space
        "\u3000": " ",  # ideographic space
        "\t": " ",
        "\r": "\n",
        "\u200b": None,  # zero-width space
        "\u200c": None,  # zero-width non-joiner
        "\u200d": None,  # zero-width joiner
        "\u2060": None,  # word joiner
        "\ufeff": None,  # byte-order mark left inside a cell
        "\u00ad": None,  # soft hyphen
    }
)

#: Other control characters (keep only the newline).
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
#: Three or more dots (or dots mixed with an ellipsis) -> one ellipsis character.
_ELLIPSIS = re.compile(r"(?:\.{2,}|…)(?:[.…]*)")
#: Runs of the same punctuation mark ("!!!", "??", ",,") -> one.
_REPEATED = re.compile(r"([!?,;:\-_*=+~#/])\1+")
_SPACES = re.compile(r"[ ]{2,}")
_NEWLINES = re.compile(r"\s*\n\s*")


def normalise_text(text: str) -> str:
    """Return ``text`` with its typography unified, ready for spaCy.

    Parameters
    ----------
    text : str
        One raw answer (never modified: a new string is returned).

    Returns
    -------
    str
        NFC text with ASCII apostrophes and quotes, plain single spaces, no zero-width or control
        characters, ``...`` as ``…``, no runs of repeated punctuation, stripped.

    Examples
    --------
    >>> normalise_text("l\u2019équipe  «\u00a0top\u00a0» !!!")
    'l\\'équipe " top " !'
    """
    # NFC comes after the invisible characters are gone: "a\u2060\u0300" must compose to "à".
    text = text.translate(_TRANSLATE)
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    text = _ELLIPSIS.sub("…", text)
    text = _REPEATED.sub(r"\1", text)
    text = _NEWLINES.sub("\n", text)
    text = _SPACES.sub(" ", text)
    return text.strip()


_FOLD_DROP = re.compile(r"[.']")
_FOLD_SPACE = re.compile(r"[^0-9a-z]+")


def fold_key(text: str, *, normalised: bool = False) -> str:
    """Return the comparison key of a whole answer: lower case, no accents, no punctuation.

    Dots and apostrophes are dropped (``R.A.S.`` -> ``ras``, ``pas d'avis`` -> ``pas davis``),
    every other non-alphanumeric run becomes one space. ``normalised=True`` skips
    :func:`normalise_text` for a text that went through it already.
    """
    text = (text if normalised else normalise_text(text)).lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("œ", "oe").replace("æ", "ae")
    return _FOLD_SPACE.sub(" ", _FOLD_DROP.sub("", text)).strip()
