"""Non-answers ("RAS", "NSP", "je ne sais pas", "-", ...): flagged, kept, never themed."""

from __future__ import annotations

from collections.abc import Iterable

from textmine.runfolder import EMPTY as RF_EMPTY
from textmine.runfolder import NON_ANSWER as RF_NON_ANSWER
from textmine.runfolder import OK as RF_OK
from textmine.text.normalise import fold_key, normalise_text
from textmine.text.resources import read_lines

#: Status values of an answer (owned by the run-folder contract: terms.csv, answers.csv).
OK, NON_ANSWER, EMPTY = RF_OK, RF_NON_ANSWER, RF_EMPTY


def nonanswer_keys(extra: Iterable[str] = ()) -> frozenset[str]:
    """Return the folded keys of ``resources/text/nonanswers.txt`` plus ``extra``."""
    entries = list(read_lines("nonanswers.txt")) + list(extra)
    return frozenset(k for k in (fold_key(e) for e in entries) if k)


#: Words that say "nothing" (folded: lower case, no accents). A short answer made only of
#: these, the fillers and punctuation, with at least one of these, is a non-answer.
NOTHING_WORDS = frozenset({
    "rien", "pas", "aucun", "aucune", "non", "ras", "neant", "nsp", "idem", "nada", "merci",
    "bonjour", "cordialement", "nul", "nulle",
})
#: Words that can go with them without saying anything ("de particulier", "pour le moment"...).
FILLER_WORDS = frozenset({
    "de", "d", "du", "des", "plus", "autre", "autres", "particulier", "particuliere",
    "particulierement", "specialement", "special", "speciale", "specifique", "vraiment",
    "remarque", "remarques", "commentaire", "commentaires", "observation", "observations",
    "suggestion", "suggestions", "idee", "avis", "chose", "a", "signaler", "ajouter", "rajouter",
    "dire", "preciser", "ajout", "pour", "le", "la", "l", "moment", "instant", "je", "j", "n",
    "ne", "ai", "vois", "sais", "en", "sinon", "bien", "c", "est", "ca", "cela", "voila", "tout",
    "dit", "encore", "une", "fois", "mon", "cote", "part", "que", "qu", "y", "il", "ce", "sujet",
    "propos", "beaucoup", "bonne", "journee", "svp", "et", "ni", "moi", "me", "semble", "trop",
    "vous", "deja", "ok",
    "supplementaire", "supplementaires", "complementaire", "complementaires", "particuliers",
})
#: The rule looks at answers of at most this many words.
MAX_RULE_WORDS = 8
_ELIDED = ("qu", "d", "l", "n", "j", "c", "s", "m")


def _filler(word: str) -> bool:
    if word in FILLER_WORDS or word in NOTHING_WORDS:
        return True
    # fold_key drops apostrophes: "dautre" is d'autre, "nai" n'ai, "cest" c'est.
    return any(word.startswith(e) and (word[len(e):] in FILLER_WORDS
                                       or word[len(e):] in NOTHING_WORDS) for e in _ELIDED)


def nothing_said(key: str) -> bool:
    """Whether a folded answer says nothing: a few words, all of :data:`NOTHING_WORDS` or
    :data:`FILLER_WORDS`, one of the first (``rien de particulier``, ``non merci``,
    ``pas specialement``); ``rien ne fonctionne`` and ``pas de moyens`` say something."""
    words = key.split()
    if not words or len(words) > MAX_RULE_WORDS:
        return False
    return any(w in NOTHING_WORDS for w in words) and all(_filler(w) for w in words)


def is_nonanswer_key(key: str, keys: frozenset[str]) -> bool:
    """Whether a folded answer (:func:`fold_key`) is a non-answer: blank once folded (only
    punctuation), listed in ``keys``, or saying nothing (:func:`nothing_said`)."""
    return not key or key in keys or nothing_said(key)


def answer_status(text: str, keys: frozenset[str]) -> str:
    """Return ``"empty"``, ``"non-answer"`` or ``"ok"`` for one raw answer.

    Blank answers are empty; answers whose folded form is in ``keys``, that contain no letter
    or digit at all (``-``, ``/``, ``…``, ``?``), or that are a few words saying nothing
    (:func:`nothing_said`: ``Rien de particulier``, ``Non merci``) are non-answers.
    """
    norm = normalise_text(text)
    if not norm:
        return EMPTY
    if is_nonanswer_key(fold_key(norm), keys):
        return NON_ANSWER
    return OK
