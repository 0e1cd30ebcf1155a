"""Similarity analysis (tables/similarity.py): indices, maximum spanning tree, communities."""

from __future__ import annotations

import numpy as np
import pytest

from textmine.errors import DataError, OptionError
from textmine.tables.similarity import (
    maximum_spanning_tree,
    presence,
    similarity_analysis,
    similarity_matrix,
)


def test_maximum_spanning_tree_of_a_small_graph():
    terms = ["a", "b", "c", "d"]
    sim = np.array([[0, 5, 1, 0], [5, 0, 4, 2], [1, 4, 0, 3], [0, 2, 3, 0]], dtype=float)
    tree = maximum_spanning_tree(terms, sim)
    edges = {tuple(sorted(e)) for e in tree.edges()}
    # Kruskal by hand: a-b (5), b-c (4), c-d (3); a-c (1) and b-d (2) close cycles.
    assert edges == {("a", "b"), ("b", "c"), ("c", "d")}
    assert sum(d["weight"] for *_, d in tree.edges(data=True)) == 12


def test_indices():
    X = presence([["a", "b"], ["a", "b"], ["a"], ["b", "c"]], ["a", "b", "c"])
    cooc, jac = similarity_matrix(X, "jaccard")
    assert cooc[0, 1] == 2 and jac[0, 1] == pytest.approx(2 / (3 + 3 - 2))
    _, cos = similarity_matrix(X, "cosine")
    assert cos[1, 2] == pytest.approx(1 / np.sqrt(3 * 1))


def test_similarity_analysis_tree_and_communities():
    docs = [["pomme", "poire"]] * 5 + [["chat", "chien"]] * 5 + [["pomme", "chat"]] + [
        ["poire", "fruit"]] * 3 + [["chien", "os"]] * 3
    result = similarity_analysis(docs, top=10, seed=1)
    assert len(result.edges) == len(result.nodes) - 1  # a tree
    assert set(result.nodes.columns) >= {"term", "frequency", "community"}
    comm = result.nodes.set_index("term")["community"]
    assert comm["pomme"] == comm["poire"] and comm["chat"] == comm["chien"]
    assert comm["pomme"] != comm["chat"]
    again = similarity_analysis(docs, top=10, seed=1)
    assert again.nodes.equals(result.nodes) and again.edges.equals(result.edges)


def test_bad_input_one_line():
    with pytest.raises(DataError) as err:
        similarity_analysis([["a"], ["b"]], top=10)
    assert "at least 3 distinct terms" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(DataError, match="same answer"):
        similarity_analysis([["a"], ["b"], ["c"]], top=10)
    with pytest.raises(OptionError, match="cooccurrence"):
        similarity_analysis([["a", "b", "c"]], index="dice")
