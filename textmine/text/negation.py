"""Negation: what a negation governs becomes a different feature, prefixed with ``pas_``.

Representation: content words in the scope of a negation get the
prefix ``pas_``; the cue words themselves are never features. So

* "nous n'avons pas de moyens" -> ``pas_moyen``; "nous avons des moyens" -> ``moyen``;
* "pas assez de moyens" -> ``pas_assez pas_moyen``; "assez de moyens" -> ``assez moyen``;
* "manque de moyens", "absence de moyens", "faute de moyens", "sans moyens", "aucun moyen",
  "moyens insuffisants" -> ``pas_moyen`` (a lack is read as the absence of what is lacking);
* "il n'y a plus de moyens" -> ``pas_moyen``, but "plus de moyens" (more) -> ``plus moyen``.

Negative subjects: ``personne``, ``nul``/``nulle`` (and ``rien``, ``aucun(e)``, already openers)
followed by ``ne``: "personne n'a répondu aux demandes" -> ``pas_répondre pas_demande`` (the
``ne`` opens a scope without ``pas``; "une personne n'a pas répondu" keeps ``personne``).

Cues: ``ne``/``n'`` when followed in the clause by pas, plus, jamais, guère, rien, aucun,
personne, nullement (``ne ... que`` is restrictive, not negative); pas, jamais, guère, aucun,
sans, ni, rien, nullement on their own (spoken "y a pas de moyens"); manque, absence, faute,
insuffisance, pénurie, carence, défaut followed by de/du/des; insuffisamment (forward) and
insuffisant (backward: negates the content word before it). A scope covers at most
``MAX_SCOPE`` content words and governs one constituent: the noun or verb after the cue with its
adjectives and ``de`` complements ("pas de moyens humains", "manque de matériel informatique").
It ends

* at punctuation (a comma included) and at a clause word: a coordinating conjunction that always
  starts a new constituent (mais, car, donc, puis, or, sinon...), a subordinating conjunction or
  a relative pronoun (qui, que, quand, si, parce, puisque, comme, dont, où, lequel...);
* at ``et``/``ou`` introducing a new constituent, i.e. unless the next word is ``de``/``d'``
  (the partitive of a negation: "pas de moyens et de temps" lacks both) or a content word
  ("pas de moyens humains et financiers"); "et aussi le bruit", "et des réunions", "ou alors",
  "et beaucoup de mails" are outside the negation. ``ni`` continues it (it is a cue itself);
* at a linking adverb (aussi, également, ensuite, enfin) once the scope has negated a word
  ("pas aussi simple" keeps ``pas_simple``);
* at a time, place or number complement: depuis, pendant, durant, dès, jusque, avant, après,
  chez, dans; ``à``/``au``/``aux``/``en``/``sur``/``par``/``pour`` followed by a number, a place
  noun ("au bureau", "à la maison") or, after ``en``, a time noun ("en semaine", "en mars");
  a number ("en 5 ans", "trois fois"). "n'est pas à jour" keeps ``pas_jour``.
"""

from __future__ import annotations

from collections.abc import Sequence

NE = frozenset({"ne", "n'"})
NE_COMPLETERS = frozenset({"pas", "plus", "jamais", "guère", "rien", "aucun", "aucune",
                           "personne", "nullement", "nul", "nulle"})
OPENERS = frozenset({"pas", "jamais", "guère", "aucun", "aucune", "sans", "ni", "rien",
                     "nullement", "insuffisamment"})
LACK = frozenset({"manque", "manquer", "absence", "faute", "insuffisance", "pénurie", "carence",
                  "défaut"})
LACK_NEXT = frozenset({"de", "d'", "du", "des"})
BACKWARD = frozenset({"insuffisant", "insuffisante", "insuffisants", "insuffisantes"})
SCOPE_END = frozenset({"mais", "car", "donc", "puis", "or", "parce", "puisque", "cependant",
                       "pourtant", "sinon", "toutefois", "néanmoins", "alors", "qui", "que",
                       "qu'", "lorsque", "quand", "si", "afin", "pour", "comme", "dont", "où",
                       "quoique", "tandis", "lequel", "laquelle", "lesquels", "lesquelles",
                       "auquel", "auxquels", "auxquelles", "duquel", "desquels", "desquelles"})
#: Coordinating conjunctions ending the scope unless what follows continues the constituent.
COORDINATORS = frozenset({"et", "ou"})
#: What may follow ``et``/``ou`` inside the scope: the partitive of a negation.
COORDINATED = frozenset({"de", "d'"})
#: Linking adverbs starting a new constituent once the scope has negated a word.
LINKERS = frozenset({"aussi", "également", "ensuite", "enfin"})
#: Prepositions always introducing a time or place complement, outside the negation.
COMPLEMENT_PREPS = frozenset({"depuis", "pendant", "durant", "dès", "jusque", "jusqu'",
                              "avant", "après", "chez", "dans"})
#: Prepositions introducing a complement when a number, place (or after "en" a time) follows.
MAYBE_COMPLEMENT_PREPS = frozenset({"à", "au", "aux", "en", "sur", "par", "pour"})
#: Words that may stand between such a preposition and its noun.
_DETERMINERS = frozenset({"le", "la", "les", "l'", "un", "une", "des", "du", "mon", "ma",
                          "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos",
                          "votre", "vos", "leur", "leurs", "ce", "cet", "cette", "ces",
                          "quelques", "plusieurs", "moins", "plus", "de", "d'"})
NUMBER_WORDS = frozenset({"deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
                          "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize",
                          "vingt", "trente", "quarante", "cinquante", "soixante", "cent",
                          "mille", "million", "milliard", "quelques", "plusieurs"})
TIME_NOUNS = frozenset({"an", "année", "mois", "semaine", "jour", "journée", "heure", "minute",
                        "matin", "soir", "soirée", "week-end", "trimestre", "semestre",
                        "période", "été", "hiver", "printemps", "automne", "janvier",
                        "février", "mars", "avril", "mai", "juin", "juillet", "août",
                        "septembre", "octobre", "novembre", "décembre", "lundi", "mardi",
                        "mercredi", "jeudi", "vendredi", "samedi", "dimanche"})
PLACE_NOUNS = frozenset({"maison", "domicile", "bureau", "local", "locaux", "site", "terrain",
                         "mairie", "agence", "siège", "étage", "ville", "commune", "région",
                         "département", "extérieur", "intérieur", "campagne", "quartier"})
#: Pronouns that negate the clause as its subject ("personne ne", "nul ne", "rien ne").
NEG_SUBJECTS = frozenset({"personne", "nul", "nulle", "rien", "aucun", "aucune"})
#: Words before "personne" that make it the noun ("une personne ne peut pas").
_NOUN_MARKERS = frozenset({"la", "une", "cette", "chaque", "les", "des", "ces", "toute",
                           "quelle", "de", "d'", "ma", "sa", "ta", "notre", "votre", "leur",
                           "seule", "aucune", "autre", "même"})
#: Words that are cues and never features (even with negation turned off).
CUES = NE | OPENERS | BACKWARD
#: Quantifiers and intensifiers: features of their own, never part of a learned collocation.
QUANTIFIERS = frozenset({"plus", "moins", "peu", "assez", "très", "tres", "trop"})
MAX_SCOPE = 3
PREFIX = "pas_"

#: Kinds of items: content word (a feature), function word, boundary (punctuation), skipped.
WORD, FUNC, BOUND, SKIP = "W", "F", "B", "S"


def _completed(items: Sequence[tuple[str, str, str]], start: int) -> bool:
    """Whether a ``ne`` at ``start`` is followed by a negative word before the clause ends."""
    for _, low, kind in items[start + 1:]:
        if kind == BOUND or (kind != WORD and low in SCOPE_END):
            return False
        if low in NE_COMPLETERS:
            return True
    return False


def _is_number(low: str, kind: str) -> bool:
    # A content word is never a number ("M365", an acronym of the lexicon, is a feature).
    return kind != WORD and (any(ch.isdigit() for ch in low) or low in NUMBER_WORDS)


def _ends_constituent(items: Sequence[tuple[str, str, str]], k: int, taken: int) -> bool:
    """Whether the item at ``k`` starts a constituent outside an open negation scope.

    ``taken`` counts the words the scope has negated so far. See the module docstring for the
    rules; punctuation and clause words (:data:`SCOPE_END`) are handled by :func:`negate`.
    """
    _, low, kind = items[k]
    if low in COORDINATORS:
        if k + 1 >= len(items):
            return True
        _, nxt, kind = items[k + 1]
        # "et de temps" / "et financiers" continue what is lacking; "et aussi le bruit",
        # "et des réunions", "et beaucoup de mails" name something else.
        return not (nxt in COORDINATED or (kind == WORD and nxt not in QUANTIFIERS))
    if low in LINKERS:
        return taken > 0  # "pas aussi simple": the adverb is inside the negation
    if low in COMPLEMENT_PREPS or _is_number(low, kind):
        return True
    if low in MAYBE_COMPLEMENT_PREPS:
        for next_value, nxt, next_kind in items[k + 1:k + 4]:
            if nxt in _DETERMINERS and not _is_number(nxt, next_kind):
                continue
            return (_is_number(nxt, next_kind) or next_value in PLACE_NOUNS
                    or nxt in PLACE_NOUNS
                    or (low == "en" and (next_value in TIME_NOUNS or nxt in TIME_NOUNS)))
    return False


#: Words before "pas" that make it the noun ("le pas de la porte", "à deux pas", "pas à pas").
_PAS_NOUN_MARKERS = frozenset({"le", "un", "ce", "du", "au", "les", "des", "ces", "mes", "ses",
                               "nos", "vos", "leurs", "mon", "son", "ton", "notre", "votre",
                               "leur", "chaque", "premier", "premiers", "petit", "petits",
                               "grand", "grands", "faux", "deux", "trois", "quelques", "cent",
                               "mille", "à"})


def _noun_pas(items: Sequence[tuple[str, str, str]], k: int) -> bool:
    """Whether the "pas" at ``k`` is the noun (a step), not the negation: after a determiner or
    a number ("le pas de la porte", "à deux pas"), or in "pas à pas"."""
    if items[k][1] != "pas":
        return False
    before = items[k - 1][1] if k > 0 else ""
    after = items[k + 1][1] if k + 1 < len(items) else ""
    return before in _PAS_NOUN_MARKERS or (after == "à" and items[k + 2:k + 3] != []
                                           and items[k + 2][1] == "pas")


def _negative_subject(items: Sequence[tuple[str, str, str]], k: int) -> bool:
    """Whether the word at ``k`` is a negative subject: followed by ``ne`` (one function word
    may come between: "personne ne m'a", "rien n'y"), not preceded by a determiner."""
    if k > 0 and items[k - 1][1] in _NOUN_MARKERS:
        return False
    for _, low, kind in items[k + 1:k + 3]:
        if low in NE:
            return True
        if kind != FUNC:
            return False
    return False


def negate(
    items: Sequence[tuple[str, str, str]], *, enabled: bool = True
) -> list[tuple[str, bool, bool]]:
    """Turn a doc's items into features with their negation and adjacency.

    Parameters
    ----------
    items : sequence of (value, lower, kind)
        ``value`` is the feature of a content word (lemma, acronym or expression), ``lower`` the
        word as written in lower case, ``kind`` one of ``W F B S``.
    enabled : bool
        Apply the negation scopes; with ``False`` cues are only dropped.

    Returns
    -------
    list of (feature, negated, linked)
        ``linked`` tells whether the feature directly follows the previous one (same clause, at
        most one function word between): the condition for learning a collocation.
    """
    out: list[tuple[str, bool, bool]] = []
    scope = 0
    ne_open = False
    gap = 99  # function words since the previous feature (99: boundary)
    subject = False  # a negative subject ("personne", "nul") waits for its "ne"
    for k, (value, low, kind) in enumerate(items):
        if kind == BOUND or (kind != WORD and low in SCOPE_END):
            scope, ne_open, gap, subject = 0, False, 99, False
            continue
        # Words the open scope has negated: each opening sets scope to MAX_SCOPE.
        if scope and (low in SCOPE_END or _ends_constituent(items, k, MAX_SCOPE - scope)):
            # A new constituent: the negation stops, the clause goes on ("ne ... plus de
            # moyens et plus de temps" still reads the second "plus" as a negation).
            scope = 0
        if low in NEG_SUBJECTS and _negative_subject(items, k):
            subject = True
            if low in OPENERS and enabled:
                scope = MAX_SCOPE
            gap += 1
            continue
        if kind == SKIP:
            gap = 99
            continue
        if low in NE:
            if enabled and (_completed(items, k) or subject):
                scope, ne_open = MAX_SCOPE, True
            subject = False
            gap += 1
            continue
        if low in OPENERS or (ne_open and low in NE_COMPLETERS):
            if enabled and not _noun_pas(items, k):
                scope = MAX_SCOPE
            gap += 1
            continue
        if low in BACKWARD or value == "insuffisant":
            if enabled:
                if out and gap < 99 and not out[-1][1]:
                    out[-1] = (out[-1][0], True, out[-1][2])
                else:
                    scope = MAX_SCOPE
            gap += 1
            continue
        if (enabled and value in LACK and k + 1 < len(items)
                and items[k + 1][1] in LACK_NEXT):
            scope = MAX_SCOPE
            gap += 1
            continue
        if kind != WORD:
            gap += 1
            continue
        negated = scope > 0
        if negated:
            scope -= 1
        out.append((value, negated, gap <= 1))
        gap = 0
    return out


def feature(value: str, negated: bool) -> str:
    """The feature string of a (possibly negated) value."""
    return PREFIX + value if negated else value
