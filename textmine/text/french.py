"""French spelling rules applied to an answer before spaCy sees it, and French word lists.

Survey answers are typed on phones, in capitals, in inclusive writing, without accents. Each rule
below rewrites the *analysed* copy of an answer only (quotes and outputs keep the answer as
written); :func:`prepare_text` applies them in this order:

1. **inclusive writing** -> the base (masculine) form: ``agent·e·s`` -> ``agents``,
   ``élu·es`` -> ``élus``, ``Directeur·rice`` -> ``Directeur``, ``étudiant(e)s`` -> ``étudiants``,
   ``acteur.rice.s`` -> ``acteurs``, ``ami-e-s`` -> ``amis``, ``tou·te·s`` -> ``tous``
   (:func:`degender`);
2. **elision followed by a quote**: ``L'"intranet"`` -> ``"L'intranet"`` so that the elided
   article and the word are separate tokens (:func:`split_elision_quotes`);
3. **capitals**: an answer written in capitals, or in Title Case (every word capitalised,
   function words included), is lower-cased except its known acronyms (:func:`fold_capitals`);
4. **missing accents**: a word written without accents that is not itself a French word gets the
   accented spelling when that spelling is clearly more frequent (:func:`restore_accents`; the
   frequencies are those of the ``wordfreq`` package, the French dictionary that of ``simplemma``;
   both ship their data, nothing is downloaded).

:func:`known_word` and :func:`fallback_lemma` serve the lemma check of :mod:`textmine.text.terms`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

# --- 1. inclusive writing -------------------------------------------------------------------

_L = r"[^\W\d_]"
#: Feminine endings written after a dot, a hyphen or in parentheses (``.e``, ``-rice``...).
_FEM = (r"e|es|ne|nes|le|les|te|tes|se|ses|sse|sses|rice|rices|trice|trices|euse|euses|ère|ères"
        r"|ve|ves|fe|fes|ice|ices|elle|elles|ale|ales")
#: Middle dots: unambiguous inclusive separators (· U+00B7, ⋅ U+22C5, • U+2022, ‧ U+2027).
_DOTS = "·⋅•‧"
_MID = re.compile(rf"({_L}{{2,}})[{_DOTS}]({_L}+)(?:[{_DOTS}]({_L}+))?")
_DOT = re.compile(rf"(?<![\w.@/])({_L}{{2,}})\.({_FEM})(?:\.(s))?(?![\w@/]|\.{_L})")
_HYPHEN = re.compile(
    rf"(?<![\w-])({_L}{{2,}})-(e|es|ne|nes|le|les|rice|rices|trice|trices|euse|euses|ère|ères)"
    rf"(?:-(s))?(?![\w-])"
)
_PAREN = re.compile(rf"({_L}{{2,}})\(({_FEM}|s)\)(?:\((s)\)|(s)(?!\w))?", re.IGNORECASE)
#: Words whose inclusive form is not stem + ending (``tou·te·s`` -> ``tous``).
_SPECIAL = {"tou": "tous", "tout": "tous"}


#: Endings that double the stem's last consonant (``citoyen.ne``, ``réel.le``): any other stem
#: means the dot or hyphen is something else (``fin.les`` is a missing space, ``dis-le`` a verb).
_DOUBLED = {"ne": "n", "nes": "n", "le": "l", "les": "l", "te": "t", "tes": "t", "se": "s",
            "ses": "s", "sse": "", "sses": ""}


def _base(stem: str, ending: str, plural: str | None, whole: str = "") -> str:
    doubled = _DOUBLED.get(ending.lower())
    if whole and doubled and not stem.lower().endswith(doubled):
        return whole
    plural_mark = bool(plural) or ending.lower().endswith("s") and ending.lower() != "s"
    special = _SPECIAL.get(stem.lower())
    if special is not None:
        return special.capitalize() if stem[0].isupper() else special
    if ending.lower() == "s":  # ami(s), ami·s: only a plural mark
        return stem + ending
    if plural_mark and not stem.lower().endswith(("s", "x")):
        return stem + ("S" if stem.isupper() else "s")
    return stem


def degender(text: str) -> str:
    """Return ``text`` with inclusive writing reduced to the base (masculine) form.

    Parameters
    ----------
    text : str
        A normalised answer.

    Returns
    -------
    str
        ``agent·e·s`` -> ``agents``, ``élu·es`` -> ``élus``, ``Chargé·e`` -> ``Chargé``,
        ``étudiant(e)s`` -> ``étudiants``, ``acteur.rice.s`` -> ``acteurs``, ``ami-e-s`` ->
        ``amis``, ``tou·te·s`` -> ``tous``. Abbreviations (``c.-à-d.``, ``M.``), numbers, URLs,
        e-mails and hyphenated words (``porte-parole``, ``dis-le``) are left alone: a dot or a
        hyphen counts only before a feminine ending (``e``, ``es``, ``rice``, ``euse``...).

    Examples
    --------
    >>> degender("Les agent·e·s ont été sollicité·e·s")
    'Les agents ont été sollicités'
    """
    if any(d in text for d in _DOTS):
        text = _MID.sub(lambda m: _base(m[1], m[2], m[3]), text)
    if "." in text:
        text = _DOT.sub(lambda m: _base(m[1], m[2], m[3], m[0]), text)
    if "-" in text:
        text = _HYPHEN.sub(lambda m: _base(m[1], m[2], m[3], m[0]), text)
    if "(" in text:
        text = _PAREN.sub(lambda m: _base(m[1], m[2], m[3] or m[4], m[0]), text)
    return text


# --- 2. elision followed by a quote ---------------------------------------------------------

_ELISION_QUOTE = re.compile(
    r"(?<![\w'])((?:jusqu|lorsqu|puisqu|qu|[ldjnscmt])')\s*[\"']+(?=\w)", re.IGNORECASE
)


def split_elision_quotes(text: str) -> str:
    """Drop a quote that follows an elision: ``L'"intranet"`` -> ``L'intranet"``.

    The text is normalised first (every quote is ``"``, every apostrophe ``'``), so this covers
    ``« » “ ” ‹ › ’`` too; without it spaCy reads ``l'"intranet`` as one word. The closing quote
    stays (punctuation after the word); the elided word stays next to what precedes it
    (``manque d'«outils»`` -> ``pas_outil``).
    """
    if "'" not in text:
        return text
    return _ELISION_QUOTE.sub(r"\1", text)


# --- 3. capitals ----------------------------------------------------------------------------

_WORDS = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_TOKEN = re.compile(r"[^\W_]+")


def _letters(text: str) -> list[str]:
    return [w for w in _WORDS.findall(text) if len(w) > 1]


def shouting(text: str, words: list[str] | None = None) -> bool:
    """Whether an answer is written in capitals (at least 80 % of its words of 2+ letters).

    ``words``: :func:`_letters` of ``text`` when the caller has them already.
    """
    words = _letters(text) if words is None else words
    return len(words) >= 2 and sum(w.isupper() for w in words) >= 0.8 * len(words)


def title_case(text: str, function_words: Iterable[str], words: list[str] | None = None) -> bool:
    """Whether an answer is in Title Case: 3+ words, all capitalised, a function word included.

    A sentence with a few proper names is not: its function words (``de``, ``des``, ``la``) are in
    lower case. ``words``: :func:`_letters` of ``text`` when the caller has them already.
    """
    words = _letters(text) if words is None else words
    if len(words) < 3 or not all(w[0].isupper() and not w.isupper() for w in words):
        return False
    fw = set(function_words)
    parts = [p.lower() for w in words for p in re.split(r"(?<=')|-", w) if p]
    return any(p in fw or p.rstrip("'") in fw for p in parts)


def fold_capitals(text: str, keep: Iterable[str], function_words: Iterable[str] = ()) -> str:
    """Lower-case an answer written in capitals or in Title Case, except the words in ``keep``.

    Parameters
    ----------
    text : str
        A normalised answer (placeholders such as ``EMAILX`` must be listed in ``keep``).
    keep : iterable of str
        Words kept as written, compared in lower case (acronyms: ``dsi``, ``rh``...).
    function_words : iterable of str
        Lower-case function words: a Title Case answer must contain one.

    Examples
    --------
    >>> fold_capitals("MANQUE DE MOYENS À LA DSI", {"dsi"})
    'manque de moyens à la DSI'
    """
    # Either needs two capitals at least (two words in capitals, or three capitalised words):
    # most answers are rejected by this count alone, without splitting them into words.
    if sum(map(str.isupper, text)) < 2:
        return text
    words = _letters(text)
    if not (shouting(text, words) or title_case(text, function_words, words)):
        return text
    kept = {k.lower() for k in keep}
    return _TOKEN.sub(lambda m: m[0] if m[0].lower() in kept else m[0].lower(), text)


# --- 4. French words: dictionary, frequencies, accents, lemmas --------------------------------


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@functools.cache
def _frequencies() -> dict[str, float]:
    """wordfreq's French word frequencies (shipped with the package)."""
    import wordfreq

    return wordfreq.get_frequency_dict("fr", wordlist="best")


@functools.cache
def _accent_index() -> dict[str, tuple[str, float, float]]:
    """Unaccented spelling -> (most frequent accented word, its frequency, the runner-up's)."""
    best: dict[str, list[tuple[float, str]]] = {}
    for word, freq in _frequencies().items():
        if freq < 1e-7 or word.isascii() or not word.isalpha():
            continue
        bare = _fold(word)
        if bare != word and bare.isascii():
            best.setdefault(bare, []).append((freq, word))
    out: dict[str, tuple[str, float, float]] = {}
    for bare, options in best.items():
        options.sort(reverse=True)
        out[bare] = (options[0][1], options[0][0], options[1][0] if len(options) > 1 else 0.0)
    return out


def _simplemma_known(word: str) -> bool:
    import simplemma

    return simplemma.is_known(word, lang="fr")


@functools.lru_cache(maxsize=200_000)
def simplemma_lemma(word: str) -> str:
    """simplemma's French lemma of a lower-case ``word`` (the word itself when unknown)."""
    import simplemma

    return simplemma.lemmatize(word, lang="fr").lower()


#: An accented spelling must be this many times more frequent than the bare one...
ACCENT_RATIO = 10.0
#: ... and this many times more frequent than the next accented spelling.
ACCENT_MARGIN = 3.0


@functools.lru_cache(maxsize=200_000)
def accented(word: str) -> str | None:
    """The accented spelling of a lower-case unaccented ``word``, or None to keep it.

    A word is changed only when it is not a French word of its own (simplemma's dictionary, where
    a listed unaccented variant whose lemma is the accented word does not count) and the accented
    spelling is at least ``ACCENT_RATIO`` times more frequent than it and ``ACCENT_MARGIN`` times
    more frequent than any other accented spelling (``eleve``: élevé or élève, kept).
    """
    if len(word) < 2 or not word.isascii() or not word.isalpha():
        return None
    entry = _accent_index().get(word)
    if entry is None:
        return None
    target, freq, runner_up = entry
    if freq < ACCENT_RATIO * _frequencies().get(word, 0.0) or freq < ACCENT_MARGIN * runner_up:
        return None
    if _simplemma_known(word):
        lemma = simplemma_lemma(word)
        if lemma.isascii() or _fold(lemma) != _fold(simplemma_lemma(target)):
            return None  # a word of its own ("cote", "a", "la")
    return target


_ASCII_WORD = re.compile(r"(?<![\w-])[A-Za-z]{2,}(?![\w-])")


def restore_accents(text: str, merges: dict[str, str] | None = None) -> str:
    """Give the accented spelling to the unaccented words of ``text`` (see :func:`accented`).

    ``merges`` (optional) receives each change, bare -> accented, in lower case. Words in
    capitals are left alone (acronyms); a capitalised word keeps its capital.
    """
    def repl(m: re.Match[str]) -> str:
        word = m[0]
        if word.isupper():
            return word
        target = accented(word.lower())
        if target is None:
            return word
        if merges is not None:
            merges[word.lower()] = target
        return target[0].upper() + target[1:] if word[0].isupper() else target

    return _ASCII_WORD.sub(repl, text)


def warm_up() -> None:
    """Load the data of this module's rules now (wordfreq's list, simplemma's dictionary, the
    accent index): a few seconds once per process, which a worker pays before its tasks."""
    _accent_index()
    _simplemma_known("maison")


def known_word(word: str) -> bool:
    """Whether ``word`` (lower case) is a French word: in simplemma's dictionary or frequent."""
    if _simplemma_known(word):
        return True
    return _frequencies().get(word, 0.0) >= 1e-6  # Zipf >= 3


@functools.lru_cache(maxsize=200_000)
def fallback_lemma(form: str, lemma: str) -> str:
    """Correct a spaCy ``lemma`` of ``form`` that is not a French word.

    Returns ``lemma`` when it is the form or a known word; otherwise simplemma's lemma of the form
    when that is a known word (``remarque``/``remarqu`` -> ``remarque``, ``pèse``/``pès`` ->
    ``peser``); otherwise the form itself (``spécialement``/``spécialemer`` -> ``spécialement``).
    """
    if lemma == form or not form.isalpha() or known_word(lemma):
        return lemma
    other = simplemma_lemma(form)
    if other != form and known_word(other):
        return other
    return form


def prepare_text(text: str, keep: Iterable[str], function_words: Iterable[str] = (),
                 merges: dict[str, str] | None = None) -> str:
    """Apply the rules of this module, in order, to one normalised answer.

    Parameters
    ----------
    text : str
        Normalised answer, personal data already replaced by placeholders.
    keep : iterable of str
        Acronyms and placeholders kept in capitals (lower case).
    function_words : iterable of str
        Function words (a Title Case answer has one).
    merges : dict, optional
        Receives the accents restored (bare -> accented).
    """
    text = degender(text)
    text = split_elision_quotes(text)
    text = fold_capitals(text, keep, function_words)
    return restore_accents(text, merges)
