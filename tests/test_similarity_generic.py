"""Similarity analysis: generic French words left out by default, communities laid out apart."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from textmine.config import AnalysisOptions
from textmine.errors import OptionError
from textmine.report.analysis_figures import community_layout, similarity_graph
from textmine.tables.similarity import GENERIC_TERMS, similarity_analysis

#: "plus" is in every answer: with it the tree is a star around "plus".
DOCS = ([["plus", "vélo", "bus", "train"]] * 6 + [["plus", "écran", "souris", "clavier"]] * 6
        + [["plus", "élu", "reconnaissance", "confiance"]] * 6 + [["vélo", "train"]] * 3
        + [["écran", "clavier"]] * 3 + [["élu", "confiance"]] * 3)


def test_generic_words_make_a_hub_unless_dropped():
    kept = similarity_analysis(DOCS, top=20)
    degree = kept.nodes.set_index("term")["degree"]
    assert degree["plus"] >= 3  # the hub the three topics hang on
    dropped = similarity_analysis(DOCS, top=20, drop=GENERIC_TERMS)
    assert "plus" not in set(dropped.nodes["term"])
    assert dropped.info["dropped"] == ["plus"]
    # without the hub, each topic is its own community
    community = dropped.nodes.set_index("term")["community"]
    assert community["vélo"] == community["train"] != community["écran"] == community["souris"]


def test_generic_terms_are_adverbs_and_general_words():
    assert {"plus", "très", "bien", "beaucoup", "toujours", "faire"} <= GENERIC_TERMS
    assert not {"vélo", "reconnaissance", "ordinateur", "travail"} & GENERIC_TERMS


def test_drop_generic_option_is_checked():
    assert AnalysisOptions().drop_generic is True
    with pytest.raises(OptionError, match="drop_generic"):
        AnalysisOptions(drop_generic="yes")


def _discs(pos, community):
    groups: dict[int, list[np.ndarray]] = {}
    for node, p in pos.items():
        groups.setdefault(community[node], []).append(np.asarray(p))
    return {c: (np.mean(ps, axis=0), max(np.linalg.norm(p - np.mean(ps, axis=0)) for p in ps))
            for c, ps in groups.items()}


def test_community_layout_keeps_communities_apart():
    # three stars joined by one edge each: a tree with three communities
    graph = nx.Graph()
    community = {}
    for c, hub in enumerate(("a", "b", "c"), start=1):
        community[hub] = c
        for i in range(8):
            leaf = f"{hub}{i}"
            graph.add_edge(hub, leaf, dist=1.0)
            community[leaf] = c
    graph.add_edge("a", "b", dist=2.0)
    graph.add_edge("b", "c", dist=2.0)
    pos = community_layout(graph, community)
    assert set(pos) == set(graph.nodes)
    discs = _discs(pos, community)
    for a in discs:
        for b in discs:
            if a < b:
                (ca, ra), (cb, rb) = discs[a], discs[b]
                assert np.linalg.norm(ca - cb) > ra + rb  # the regions do not overlap
    again = community_layout(graph, community)  # deterministic: no random start
    assert all(np.allclose(again[n], pos[n]) for n in pos)


def test_similarity_figure_of_a_forest(tmp_path):
    result = similarity_analysis(DOCS, top=20, drop=GENERIC_TERMS)
    paths = similarity_graph(result.nodes, result.edges, tmp_path / "g")
    assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.is_file() for p in paths)


def test_cli_keep_generic(cli, tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    texts = ["plus de vélo et plus de bus", "plus de train, plus de vélo",
             "plus d'écran et plus de clavier", "plus de clavier, plus de souris"] * 5
    path = tmp_path / "s.csv"
    pd.DataFrame({"id": range(len(texts)), "q": texts}).to_csv(path, index=False)
    res = cli("similarity", path, "--text-col", "q", "--id-col", "id", "--out", tmp_path / "a")
    assert res.code == 0, res.err
    assert "plus" not in set(pd.read_csv(tmp_path / "a" / "nodes.csv")["term"])
    res = cli("similarity", path, "--text-col", "q", "--id-col", "id", "--keep-generic",
              "--out", tmp_path / "b")
    assert res.code == 0, res.err
    assert "plus" in set(pd.read_csv(tmp_path / "b" / "nodes.csv")["term"])
