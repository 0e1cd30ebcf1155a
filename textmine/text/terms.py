"""From parsed tokens to features: lexicon, stop words, expressions, negation, collocations.

Per unique text: each token becomes an item (content word, function word, boundary or skipped);
curated expressions are joined; negation scopes prefix what they govern with ``pas_``. Over the
corpus: collocations are learned and joined. The result is one list of features per text.
"""

from __future__ import annotations

from collections.abc import Sequence

from textmine.text.dictionary import Dictionary
from textmine.text.french import fallback_lemma, known_word, simplemma_lemma
from textmine.text.lexicon import ELISIONS, Lexicon
from textmine.text.mwe import (
    Feature,
    Item,
    index_by_first,
    join_curated,
    join_learned,
    learn_collocations,
)
from textmine.text.negation import BOUND, CUES, FUNC, SKIP, WORD, feature, negate
from textmine.text.parse import CONTENT_POS, FLAG_PER, FLAG_SPACE, ParsedDocs
from textmine.text.pii import PLACEHOLDERS


def _all_caps(texts: Sequence[str]) -> bool:
    """An answer written in capitals: its capitals say nothing about acronyms."""
    words = [t for t in texts if len(t) > 1 and t.isalpha()]
    return len(words) >= 3 and sum(t.isupper() for t in words) >= 0.8 * len(words)


#: Second parts of a hyphenated word that are a pronoun or a particle, not a compound
#: ("a-t-il", "dit-elle", "celui-là", "ce jour-ci", "dis-le"): never joined.
CLITICS = frozenset({"t", "il", "ils", "elle", "elles", "on", "je", "j", "tu", "nous", "vous",
                     "le", "la", "les", "lui", "leur", "leurs", "moi", "toi", "y", "en", "ce",
                     "ci", "là", "même", "mêmes"})


def _compounds(parsed: ParsedDocs, rows: range) -> dict[int, int]:
    """Hyphenated words split by the tokenizer: first row -> row after the last part.

    ``week`` ``-`` ``end`` written without spaces is one word (``week-end``), as are
    ``grands-parents`` and ``visio-conférence``; a part in :data:`CLITICS` is not joined.
    """
    out: dict[int, int] = {}
    r, stop = rows.start, rows.stop
    while r < stop:
        end = r + 1
        while (end + 1 < stop and parsed.text[end] == "-" and parsed.text[end - 1].isalpha()
               and parsed.text[end + 1].isalpha()
               and not parsed.flags[end - 1] & FLAG_SPACE and not parsed.flags[end] & FLAG_SPACE
               and parsed.text[end + 1].lower() not in CLITICS):
            end += 2
        if end > r + 1:
            out[r] = end
        r = end
    return out


def _compound_item(parsed: ParsedDocs, start: int, end: int, lex: Lexicon) -> Item:
    """The item of a hyphenated word joined back (rows ``start`` to ``end``)."""
    written = "".join(parsed.text[start:end])
    low = written.lower()
    fixed = lex.lemmas.get(low)
    if fixed is not None:
        return fixed, low, WORD
    whole = simplemma_lemma(low)
    if whole == low or not known_word(whole):
        parts = [fallback_lemma(parsed.text[r].lower(), parsed.lemma[r])
                 for r in range(start, end, 2)]
        whole = "-".join(lex.lemmas.get(p, p) for p in parts)
    fixed = lex.lemmas.get(whole)
    if fixed is not None:
        return fixed, low, WORD
    stop = low in lex.stop_words or whole in lex.stop_words
    return whole, low, FUNC if stop else WORD


def doc_items(parsed: ParsedDocs, i: int, lex: Lexicon) -> list[Item]:
    """Items ``(value, lower, kind)`` of doc ``i`` (see :func:`textmine.text.negation.negate`).

    Hyphenated words split by the tokenizer are joined back (:func:`_compounds`); a lemma that
    is not a French word is corrected (:func:`textmine.text.french.fallback_lemma`).
    """
    rows = parsed.tokens(i)
    texts = parsed.text[rows.start:rows.stop]
    caps = _all_caps(texts)
    compounds = _compounds(parsed, rows)
    items: list[Item] = []
    skip_to = rows.start
    for r, text in zip(rows, texts, strict=False):
        if r < skip_to:
            continue
        if r in compounds:
            items.append(_compound_item(parsed, r, compounds[r], lex))
            skip_to = compounds[r]
            continue
        low = text.lower()
        if low[:1] == "-" and low[1:] in CLITICS:  # "-il", "-là": an inverted pronoun, a particle
            items.append((text, low, FUNC))
            continue
        if text in PLACEHOLDERS or parsed.flags[r] & FLAG_PER:
            items.append((text, low, SKIP))
            continue
        pos = parsed.pos[r]
        if pos in ("PUNCT", "SYM") or not any(ch.isalnum() for ch in text):
            items.append((text, low, BOUND))
            continue
        acronym = lex.acronyms.get(low)
        if acronym is not None and (not acronym or (text.isupper() and not caps)):
            items.append((low.upper(), low, WORD))
            continue
        lemma = parsed.lemma[r]
        fixed = lex.lemmas.get(low) or lex.lemmas.get(lemma)
        if fixed is not None:
            items.append((fixed, low, FUNC if fixed in lex.stop_words else WORD))
            continue
        lemma = ELISIONS.get(lemma, lemma)
        if pos in CONTENT_POS:
            lemma = fallback_lemma(low, lemma)
        content = (
            pos in CONTENT_POS
            and low not in lex.stop_words
            and lemma not in lex.stop_words
            and low not in CUES
            and len(lemma) > 1
            and any(ch.isalpha() for ch in lemma)
            and not any(ch.isdigit() for ch in lemma)
        )
        items.append((lemma, low, WORD if content else FUNC))
    return items


# -- editable dictionary (issue 16, section 3) ----------------------------------------------
def apply_dictionary(items: list[Item], dictionary: Dictionary | None) -> list[Item]:
    """Apply an edited dictionary to the items of one text (content words only).

    A dropped form becomes a function word (never a feature; it still ends a negation scope as
    other function words do); a grouped form takes its ``group_as`` term as value.
    """
    if dictionary is None or not (dictionary.drop or dictionary.group):
        return items
    out: list[Item] = []
    for value, lower, kind in items:
        if kind == WORD:
            new = dictionary.apply(value, lower)
            out.append((value, lower, FUNC) if new is None else (new, lower, WORD))
        else:
            out.append((value, lower, kind))
    return out
# -- end editable dictionary ----------------------------------------------------------------


def doc_features(parsed: ParsedDocs, lex: Lexicon, *, negation: bool = True,
                 dictionary: Dictionary | None = None) -> list[list[Feature]]:
    """Features of each parsed doc before collocations (a pure function of the doc).

    Lexicon, edited dictionary, curated expressions and negation: everything of
    :func:`extract_terms` that looks at one text only, so that the spaCy stage's tasks can run
    it on their own chunk (:func:`textmine.text.parse.parse_texts`, ``features``).

    Returns
    -------
    list of list of (value, negated, linked)
        One list per doc, as :func:`textmine.text.negation.negate` gives them.
    """
    index = index_by_first(lex.mwes)
    return [negate(join_curated(apply_dictionary(doc_items(parsed, i, lex), dictionary), index),
                   enabled=negation)
            for i in range(len(parsed))]


def extract_terms(
    parsed: ParsedDocs,
    lex: Lexicon,
    *,
    weights: Sequence[int] | None = None,
    negation: bool = True,
    learn: bool = True,
    min_count: int = 5,
    threshold: float = 0.5,
    dictionary: Dictionary | None = None,
    per_doc: list[list[Feature]] | None = None,
) -> tuple[list[list[str]], list[str]]:
    """Return the features of every parsed doc and the learned collocations.

    Parameters
    ----------
    parsed : ParsedDocs
        Unique texts as parsed by :func:`textmine.text.parse.parse_texts`.
    lex : Lexicon
        Word lists (:func:`textmine.text.lexicon.build_lexicon`).
    weights : sequence of int, optional
        Number of answers sharing each unique text (weights the collocation counts).
    negation, learn : bool
        Apply negation scopes; learn collocations.
    min_count, threshold : int, float
        Minimum count and NPMI of a learned collocation.
    dictionary : Dictionary, optional
        An edited dictionary (:mod:`textmine.text.dictionary`): its dropped forms are not
        features, its grouped forms become their ``group_as`` term (before expressions,
        negation and collocations).
    per_doc : list, optional
        :func:`doc_features` of ``parsed`` with the same ``lex``, ``negation`` and
        ``dictionary``, when the spaCy stage's tasks computed them already.
    """
    if per_doc is None or len(per_doc) != len(parsed):
        per_doc = doc_features(parsed, lex, negation=negation, dictionary=dictionary)
    learned: dict[tuple[str, str], str] = {}
    if learn and per_doc:
        learned = learn_collocations(
            per_doc, weights if weights is not None else [1] * len(per_doc),
            min_count=min_count, threshold=threshold,
        )
    terms = [[feature(v, neg) for v, neg, _ in join_learned(feats, learned)] for feats in per_doc]
    return terms, sorted(learned.values())
