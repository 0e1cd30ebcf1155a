"""Multi-word expressions: the curated list, and collocations learned from the corpus.

Curated expressions (``resources/text/mwe.txt``) are matched on lemma sequences, function words
included, before negation. Collocations are then learned on the features of the whole corpus:
two features that follow each other (same clause, at most one function word between, same
negation) at least ``min_count`` times and whose normalised pointwise mutual information
(NPMI, in [-1, 1]) reaches ``threshold`` are joined with ``_`` (``transition_écologique``);
quantifiers and already joined expressions are never part of a learned pair.
Counts are weighted by how many answers share each unique text.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from textmine.text.negation import QUANTIFIERS

Item = tuple[str, str, str]  # (value, lower, kind)
Feature = tuple[str, bool, bool]  # (value, negated, linked)
MweIndex = dict[str, list[tuple[tuple[str, ...], str]]]  # first word -> [(words, name)]


def index_by_first(mwes: dict[tuple[str, ...], str]) -> MweIndex:
    """Expressions grouped by first word, longest first (what :func:`join_curated` scans)."""
    index: MweIndex = {}
    for words, name in sorted(mwes.items(), key=lambda kv: -len(kv[0])):
        index.setdefault(words[0], []).append((words, name))
    return index


def join_curated(items: list[Item], index: MweIndex) -> list[Item]:
    """Replace the longest curated expression starting at each position by one content item.

    ``items`` carry their lemma as ``value`` for words (kinds ``W``/``F``); boundaries and skipped
    tokens (``B``/``S``) never belong to an expression. ``index`` comes from
    :func:`index_by_first`.
    """
    if not index or len(items) < 2:
        return items
    out: list[Item] = []
    k = 0
    n = len(items)
    while k < n:
        candidates = index.get(items[k][0].lower())
        if candidates:
            for words, name in candidates:
                end = k + len(words)
                window = items[k:end]
                if end <= n and all(
                    kind not in "BS" and value.lower() == word
                    for (value, _, kind), word in zip(window, words, strict=True)
                ):
                    out.append((name, " ".join(low for _, low, _ in window), "W"))
                    k = end
                    break
            else:
                out.append(items[k])
                k += 1
            continue
        out.append(items[k])
        k += 1
    return out


def _pairs(features: Sequence[Feature]):
    for (a, neg_a, _), (b, neg_b, linked) in zip(features, features[1:], strict=False):
        # Expressions already joined stay as they are: no three-word features that would split
        # "signe_religieux" answers into two spellings depending on the words before it.
        if (linked and neg_a == neg_b and a not in QUANTIFIERS and b not in QUANTIFIERS
                and "_" not in a and "_" not in b):
            yield a, b


def learn_collocations(
    docs: Sequence[Sequence[Feature]],
    weights: Sequence[int],
    *,
    min_count: int = 5,
    threshold: float = 0.5,
) -> dict[tuple[str, str], str]:
    """Return the learned pairs ``(a, b) -> "a_b"`` (see the module docstring)."""
    unigrams: Counter = Counter()
    bigrams: Counter = Counter()
    for feats, w in zip(docs, weights, strict=False):
        for value, _, _ in feats:
            unigrams[value] += w
        for pair in _pairs(feats):
            bigrams[pair] += w
    total = sum(unigrams.values())
    learned: dict[tuple[str, str], str] = {}
    for (a, b), n_ab in bigrams.items():
        if n_ab < min_count or a == b:
            continue
        p_ab = n_ab / total
        if p_ab >= 1:
            continue
        pmi = math.log(p_ab / ((unigrams[a] / total) * (unigrams[b] / total)))
        if pmi / -math.log(p_ab) >= threshold:
            learned[(a, b)] = f"{a}_{b}"
    return learned


def join_learned(features: list[Feature], pairs: dict[tuple[str, str], str]) -> list[Feature]:
    """Join learned pairs left to right (each feature joins at most one pair)."""
    if not pairs or len(features) < 2:
        return features
    out: list[Feature] = []
    k = 0
    while k < len(features):
        if k + 1 < len(features):
            (a, neg_a, link_a), (b, neg_b, linked) = features[k], features[k + 1]
            name = pairs.get((a, b))
            if name is not None and linked and neg_a == neg_b:
                out.append((name, neg_a, link_a))
                k += 2
                continue
        out.append(features[k])
        k += 1
    return out
