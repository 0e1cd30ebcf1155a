"""From parsed tokens to features: lexicon, stop words, expressions, negation, collocations.

Per unique text: each token becomes an item (content word, function word, boundary or skipped);
curated expressions are joined; negation scopes prefix what they govern with ``pas_``. Over the
corpus: collocations are learned and joined. The result is one list of features per text.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from textmine.text.parse import CONTENT_POS, FLAG_PER, ParsedDocs
from textmine.text.pii import PLACEHOLDERS


def _all_caps(texts: Sequence[str]) -> bool:
    """An answer written in capitals: its capitals say nothing about acronyms."""
    words = [t for t in texts if len(t) > 1 and t.isalpha()]
    return len(words) >= 3 and sum(t.isupper() for t in words) >= 0.8 * len(words)


def doc_items(parsed: ParsedDocs, i: int, lex: Lexicon) -> list[Item]:
    """Items ``(value, lower, kind)`` of doc ``i`` (see :func:`textmine.text.negation.negate`)."""
    rows = parsed.tokens(i)
    texts = parsed.text[rows.start:rows.stop]
    caps = _all_caps(texts)
    items: list[Item] = []
    for r, text in zip(rows, texts, strict=False):
        low = text.lower()
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
            items.append((fixed, low, WORD))
            continue
        lemma = ELISIONS.get(lemma, lemma)
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


def extract_terms(
    parsed: ParsedDocs,
    lex: Lexicon,
    *,
    weights: Sequence[int] | None = None,
    negation: bool = True,
    learn: bool = True,
    min_count: int = 5,
    threshold: float = 0.5,
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
    """
    per_doc: list[list[Feature]] = []
    index = index_by_first(lex.mwes)
    for i in range(len(parsed)):
        items = join_curated(doc_items(parsed, i, lex), index)
        per_doc.append(negate(items, enabled=negation))
    learned: dict[tuple[str, str], str] = {}
    if learn and per_doc:
        learned = learn_collocations(
            per_doc, weights if weights is not None else [1] * len(per_doc),
            min_count=min_count, threshold=threshold,
        )
    terms = [[feature(v, neg) for v, neg, _ in join_learned(feats, learned)] for feats in per_doc]
    return terms, sorted(learned.values())
