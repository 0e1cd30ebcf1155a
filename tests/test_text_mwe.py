"""Curated expressions and learned collocations (textmine.text.mwe)."""

from __future__ import annotations

from textmine.text.mwe import index_by_first, join_curated, join_learned, learn_collocations


def test_join_curated_takes_the_longest_match_and_skips_boundaries():
    mwes = index_by_first({("transport", "en", "commun"): "transport_commun",
                           ("en", "commun"): "x"})
    items = [("transport", "transports", "W"), ("en", "en", "F"), ("commun", "commun", "W")]
    assert join_curated(items, mwes) == [("transport_commun", "transports en commun", "W")]
    broken = [items[0], ("en", "en", "F"), (",", ",", "B"), items[2]]
    assert join_curated(broken, mwes) == broken


def _docs():
    pair = [("transition", False, False), ("écologique", False, True)]
    other = [("transition", False, False), ("voiture", False, False)]
    noise = [("voiture", False, False), ("vélo", False, True)]
    return [pair, other, noise, [("écologique", False, False)]]


def test_learn_collocations_needs_count_and_npmi():
    docs = _docs()
    learned = learn_collocations(docs, [6, 1, 1, 1], min_count=5, threshold=0.3)
    assert learned == {("transition", "écologique"): "transition_écologique"}
    assert learn_collocations(docs, [4, 1, 1, 1], min_count=5, threshold=0.3) == {}
    assert learn_collocations(docs, [6, 1, 1, 1], min_count=5, threshold=0.99) == {}


def test_join_learned_respects_links_and_negation():
    pairs = {("a", "b"): "a_b"}
    assert join_learned([("a", False, False), ("b", False, True)], pairs) == [("a_b", False, False)]
    unlinked = [("a", False, False), ("b", False, False)]
    assert join_learned(unlinked, pairs) == unlinked
    mixed = [("a", True, False), ("b", False, True)]
    assert join_learned(mixed, pairs) == mixed


def test_joined_expressions_are_not_joined_again():
    docs = [[("interdire", False, False), ("signe_religieux", False, True)]] * 10
    assert learn_collocations(docs, [1] * 10, min_count=5, threshold=0.0) == {}
