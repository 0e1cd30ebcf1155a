"""Similarity analysis of the vocabulary (IRaMuTeQ's *analyse de similitudes*).

Flament's similarity analysis (Flament 1962, *L'analyse de similitude*; Marchand & Ratinaud 2012,
*L'analyse de similitude appliquée aux corpus textuels*, JADT) as IRaMuTeQ draws it: the most
frequent terms, their co-occurrence within answers, a similarity index, the **maximum spanning
tree** of the weighted graph (the skeleton of strongest links, networkx), and communities of the
tree (networkx's Louvain, fixed seed).

Indices between terms ``a`` and ``b`` (``n_a``: answers holding ``a``; ``n_ab``: both):

- ``cooccurrence``: ``n_ab``;
- ``jaccard``: ``n_ab / (n_a + n_b - n_ab)``;
- ``cosine``: ``n_ab / sqrt(n_a n_b)`` (Salton's index on presence vectors).

Generic terms: French adverbs and very general words (``plus``, ``très``, ``bien``, ``faire``,
``chose``...) are content words for the text stage but co-occur with everything; in a maximum
spanning tree such a term becomes the hub half the vocabulary hangs on, which says nothing and
crowds the figure. :data:`GENERIC_TERMS` are left out by default (``drop_generic``), as
IRaMuTeQ users do by hand when they select the active forms of a similarity analysis.

Stage ``tables`` (5).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from textmine.errors import DataError, OptionError

SIMILARITY_INDICES = ("cooccurrence", "jaccard", "cosine")
#: Fewest terms a similarity graph is drawn for.
MIN_TERMS = 3
#: French adverbs, intensifiers and generic words left out of a similarity analysis by default
#: (lemmas as the text stage writes them). Adverbs of degree, time and manner, and the most
#: general verbs and nouns, which co-occur with any topic.
GENERIC_TERMS = frozenset("""
plus moins très trop bien mal beaucoup peu assez aussi autant encore toujours jamais déjà
souvent parfois vraiment surtout notamment également ainsi alors enfin ensuite puis après
avant maintenant aujourd'hui hier demain tard tôt vite ici là partout ailleurs tout toute
tous toutes mieux pire davantage presque plutôt tellement tant juste seulement simplement
forcément totalement complètement énormément particulièrement rapidement
directement régulièrement facilement beaucoup_plus encore_plus bien_sûr non oui
faire être avoir aller pouvoir devoir falloir vouloir mettre prendre donner venir voir
chose choses truc fois cas niveau part façon manière type sorte
""".split())


@dataclass
class SimilarityResult:
    """The result of :func:`similarity_analysis`.

    Attributes
    ----------
    nodes : DataFrame, shape (T, 4)
        ``term``, ``frequency`` (answers holding it), ``community`` (1..C, largest first),
        ``degree`` (in the tree).
    edges : DataFrame, shape (E, 5)
        Edges of the maximum spanning tree (forest): ``source``, ``target``, ``cooccurrence``,
        ``index`` (the chosen index), ``in_tree`` (always True; kept for Gephi filters).
    graph : networkx.Graph
        The tree with node attributes ``frequency``, ``community`` and edge attributes
        ``weight`` (= index) and ``cooccurrence``.
    info : dict
        Index, number of answers, terms, communities, seed.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    graph: nx.Graph
    info: dict = field(default_factory=dict)


def presence(terms: Sequence[Sequence[str]], vocabulary: Sequence[str]) -> sparse.csr_matrix:
    """Presence (0/1) matrix, shape (n_answers, len(vocabulary))."""
    index = {t: i for i, t in enumerate(vocabulary)}
    rows, cols = [], []
    for d, doc in enumerate(terms):
        for j in {index[t] for t in doc if t in index}:
            rows.append(d)
            cols.append(j)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                             shape=(len(terms), len(vocabulary)))


def similarity_matrix(X: sparse.csr_matrix, index: str = "cooccurrence"
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Co-occurrence counts and the chosen index between the columns of a presence matrix.

    Parameters
    ----------
    X : sparse matrix, shape (n, T)
        Presence of each term in each answer.
    index : {"cooccurrence", "jaccard", "cosine"}

    Returns
    -------
    (cooc, sim) : ndarrays, shape (T, T)
        Counts ``n_ab`` and the index (diagonals set to 0).
    """
    if index not in SIMILARITY_INDICES:
        raise OptionError(f"index={index!r} is unknown; choose one of "
                          f"{', '.join(SIMILARITY_INDICES)}.")
    cooc = np.asarray((X.T @ X).todense(), dtype=float)
    freq = np.diag(cooc).copy()
    np.fill_diagonal(cooc, 0.0)
    if index == "cooccurrence":
        sim = cooc.copy()
    elif index == "jaccard":
        union = freq[:, None] + freq[None, :] - cooc
        sim = np.divide(cooc, union, out=np.zeros_like(cooc), where=union > 0)
    else:
        norm = np.sqrt(np.outer(freq, freq))
        sim = np.divide(cooc, norm, out=np.zeros_like(cooc), where=norm > 0)
    np.fill_diagonal(sim, 0.0)
    return cooc, sim


def maximum_spanning_tree(terms: Sequence[str], sim: np.ndarray, cooc: np.ndarray | None = None
                          ) -> nx.Graph:
    """Maximum spanning tree (forest, if some terms never co-occur) of a similarity matrix.

    Parameters
    ----------
    terms : sequence of str, length T
    sim : ndarray, shape (T, T)
        Symmetric similarities; 0 means no edge.
    cooc : ndarray, shape (T, T), optional
        Co-occurrence counts stored on the edges.

    Returns
    -------
    networkx.Graph
        Every term as a node; the edges of the maximum spanning forest (Kruskal), ties broken
        by the order of ``terms`` so that reruns agree.
    """
    full = nx.Graph()
    full.add_nodes_from(terms)
    i, j = np.nonzero(np.triu(sim, k=1))
    for a, b in zip(i.tolist(), j.tolist(), strict=True):
        full.add_edge(terms[a], terms[b], weight=float(sim[a, b]),
                      cooccurrence=float(cooc[a, b]) if cooc is not None else float(sim[a, b]))
    return nx.maximum_spanning_tree(full, weight="weight", algorithm="kruskal")


def similarity_analysis(terms: Sequence[Sequence[str]], *, top: int = 80,
                        index: str = "cooccurrence", seed: int = 0,
                        drop: frozenset[str] | set[str] = frozenset()) -> SimilarityResult:
    """Similarity analysis of the ``top`` most frequent terms of a set of answers.

    Parameters
    ----------
    terms : sequence of sequences of str, length n
        The terms of each answer (or segment); frequency = number of answers holding a term.
    top : int
        Number of terms kept (most frequent, ties alphabetical).
    index : {"cooccurrence", "jaccard", "cosine"}
    seed : int
        Seed of the Louvain communities.
    drop : set of str
        Terms left out before the most frequent are chosen (e.g. :data:`GENERIC_TERMS`).

    Returns
    -------
    SimilarityResult

    Raises
    ------
    DataError
        Fewer than 3 distinct terms, or no two terms ever in the same answer.
    """
    if index not in SIMILARITY_INDICES:
        raise OptionError(f"--index {index!r} is unknown; choose one of "
                          f"{', '.join(SIMILARITY_INDICES)}.")
    freq = Counter(t for doc in terms for t in set(doc) if t not in drop)
    vocab = sorted(freq, key=lambda t: (-freq[t], t))[:top]
    if len(vocab) < MIN_TERMS:
        raise DataError(f"A similarity analysis needs at least {MIN_TERMS} distinct terms; the "
                        f"answers give {len(vocab)}: give more answers or another sub-corpus.")
    X = presence(terms, vocab)
    cooc, sim = similarity_matrix(X, index)
    if not (sim > 0).any():
        raise DataError("No two of the most frequent terms occur in the same answer; there is no "
                        "similarity graph to draw.")
    tree = maximum_spanning_tree(vocab, sim, cooc)
    # Terms linked to no other (never co-occurring) would float alone: drop them.
    tree.remove_nodes_from([t for t in vocab if tree.degree(t) == 0])
    communities = nx.community.louvain_communities(tree, weight="weight", seed=seed)
    communities = sorted(communities, key=lambda s: (-len(s), min(vocab.index(t) for t in s)))
    community_of = {t: k + 1 for k, members in enumerate(communities) for t in members}
    kept = [t for t in vocab if t in tree]
    for t in kept:
        tree.nodes[t]["frequency"] = int(freq[t])
        tree.nodes[t]["community"] = community_of[t]
    nodes = pd.DataFrame({
        "term": kept,
        "frequency": [int(freq[t]) for t in kept],
        "community": [community_of[t] for t in kept],
        "degree": [int(tree.degree(t)) for t in kept],
    })
    order = {t: i for i, t in enumerate(vocab)}
    edges = sorted(((a, b) if order[a] < order[b] else (b, a) for a, b in tree.edges()),
                   key=lambda e: -tree.edges[e]["weight"])
    edge_frame = pd.DataFrame({
        "source": [a for a, _ in edges],
        "target": [b for _, b in edges],
        "cooccurrence": [int(tree.edges[e]["cooccurrence"]) for e in edges],
        "index": [tree.edges[e]["weight"] for e in edges],
        "in_tree": True,
    })
    info = {"index": index, "answers": len(terms), "terms": len(kept), "top": top,
            "communities": len(communities), "seed": seed,
            "dropped": sorted({t for doc in terms for t in doc if t in drop})}
    return SimilarityResult(nodes=nodes, edges=edge_frame, graph=tree, info=info)
