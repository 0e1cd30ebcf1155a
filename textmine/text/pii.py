"""Personal data in answers: e-mails, phone numbers, URLs and person names.

Two uses, both leaving the input untouched:

* :func:`protect` replaces each match by a placeholder word before parsing, so that personal data
  never becomes a feature and two answers differing only by an address are parsed once;
* :func:`mask_text` writes the quotable version of an answer (``[e-mail]``, ``[téléphone]``,
  ``[url]``, ``[nom]``).

Person names come from civility patterns (``M. Dupont``, ``Mme Martin``) here, and from spaCy's
named-entity recogniser in :mod:`textmine.text.parse`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Middle dots of inclusive writing (· U+00B7, ⋅ U+22C5, • U+2022, ‧ U+2027): an address written
#: ``jean·dupont@ville.fr`` is one address, masked whole before the inclusive-writing rules run.
_DOTS = "·⋅•‧"
EMAIL = re.compile(rf"[\w.+{_DOTS}-]+@[\w{_DOTS}-]+(?:\.[\w{_DOTS}-]+)+")
#: ``https://`` may arrive as ``https:/`` (runs of ``/`` are unified by
#: :func:`textmine.text.normalise.normalise_text`): any number of slashes, and a scheme alone
#: is a URL too (``https:/`` never becomes a feature).
URL = re.compile(
    r"(?:\bhttps?:/+|\bwww\.)(?:[^\s<>\"]*[^\s<>\".,;:!?)\]])?"
    rf"|\b[\w{_DOTS}-]+(?:\.[\w{_DOTS}-]+)*\.(?:fr|com|org|net|eu|gouv|info|io)\b"
    r"(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]])?",
    re.IGNORECASE,
)
#: French numbers: 0X XX XX XX XX with spaces, dots or dashes, or +33 / 0033 prefixes.
PHONE = re.compile(r"(?<![\d+])(?:(?:\+|00)33\s?(?:\(0\)\s?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
_CAP_WORD = r"[A-ZÀ-ÖØ-Ý][\w'-]+"
#: Civility followed by one or two capitalised words: the words are the name.
CIVILITY = re.compile(
    r"\b(?P<civ>M\.|MM\.|Mr\.?|Mme|Mmes|Mlle|Mlles|Monsieur|Madame|Mademoiselle|Dr\.?|Docteur"
    r"|Me|Maître|Pr\.?)\s+(?P<name>" + _CAP_WORD + r"(?:\s+" + _CAP_WORD + r")?)"
)

_SPACES = re.compile(r" {2,}")

#: Cheap test run first: a text without any of these cannot contain what the patterns above find.
_MAYBE = re.compile(
    r"[@\d]|www\.|https?:|\.(?:fr|com|org|net|eu|gouv|info|io)\b"
    r"|(?-i:\b(?:MM?|Mr|Mmes?|Mlles?|Monsieur|Madame|Mademoiselle|Dr|Docteur|Me|Maître|Pr)[.\s])",
    re.IGNORECASE,
)

#: Placeholder words used in the text given to spaCy (recognised and dropped from features).
PLACEHOLDERS = {"EMAILX": "[e-mail]", "URLX": "[url]", "TELX": "[téléphone]", "NOMX": "[nom]"}


def _civility_name(match: re.Match[str], repl: str) -> str:
    return f"{match.group('civ')} {repl}"


def protect(text: str) -> str:
    """Return ``text`` with personal data replaced by placeholder words for parsing."""
    if _MAYBE.search(text) is None:
        return text
    text = EMAIL.sub(" EMAILX ", text)
    text = URL.sub(" URLX ", text)
    text = PHONE.sub(" TELX ", text)
    text = CIVILITY.sub(lambda m: _civility_name(m, "NOMX"), text)
    return _SPACES.sub(" ", text).strip()


def has_civility(text: str) -> bool:
    """Return whether ``text`` contains a civility pattern such as ``Mme Martin``."""
    return CIVILITY.search(text) is not None


def mask_text(text: str, names: Iterable[str] = ()) -> str:
    """Return ``text`` with e-mails, URLs, phone numbers and person names masked.

    Parameters
    ----------
    text : str
        The answer as written (not modified).
    names : iterable of str
        Person names found by the named-entity recogniser; each occurrence becomes ``[nom]``.
    """
    if _MAYBE.search(text) is not None:
        text = _mask_patterns(text)
    for name in sorted(set(names), key=len, reverse=True):
        if len(name) > 1:
            text = re.sub(r"(?<!\w)" + re.escape(name) + r"(?!\w)", "[nom]", text)
    return text


def _mask_patterns(text: str) -> str:
    text = EMAIL.sub("[e-mail]", text)
    text = URL.sub("[url]", text)
    text = PHONE.sub("[téléphone]", text)
    return CIVILITY.sub(lambda m: _civility_name(m, "[nom]"), text)
