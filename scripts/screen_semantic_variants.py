"""Screen variants of the semantic model's partition on the bench corpora (issue 14).

Each variant replaces :meth:`SemanticThemes._partition` (or changes the constructor defaults)
and runs the public pipeline of ``bench_themes.py`` (``discover_themes``, stability off), so the
scores are those the harness would report. A screening tool, not a method: none of these
variants is in the model (the measured results are reported on issue 14).

Usage: ``PYTHONPATH=. .venv/bin/python scripts/screen_semantic_variants.py CORPUS VARIANTS
SEEDS OUT.csv`` (CORPUS: part of a corpus name, "" for all; VARIANTS: comma-separated keys of
:data:`VARIANTS`).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_themes as B  # noqa: E402

from textmine.config import TextOptions  # noqa: E402
from textmine.text.corpus import process_answers  # noqa: E402
from textmine.themes import models as M  # noqa: E402

B.STABILITY["resamples"] = 0
#: The variant being run (a value of :data:`VARIANTS`).
OPT: dict = {}
ORIGINAL_PARTITION = M.SemanticThemes._partition
DEFAULTS = dict(M.SemanticThemes.__init__.__kwdefaults__)
PARAMS = ("lexical_weight", "temperature", "n_graph_neighbors", "graph_dims", "layout")

VARIANTS: dict[str, dict] = {
    "base": {},
    "model": {"original": True},
    "model_spectral": {"original": True, "layout": "spectral"},
    "model_lw0.4": {"original": True, "lexical_weight": 0.4},
    "model_lw0.5": {"original": True, "lexical_weight": 0.5},
    "lw0.2": {"lexical_weight": 0.2},
    "lw0.4": {"lexical_weight": 0.4},
    "lw0.5": {"lexical_weight": 0.5},
    "lw0.6": {"lexical_weight": 0.6},
    "T0.02": {"temperature": 0.02},
    "T0.1": {"temperature": 0.1},
    "rownorm": {"rownorm": True},
    "selftune": {"graph": "selftune"},
    "mutual": {"graph": "mutual"},
    "refine3": {"refine": 3},
    "refine10": {"refine": 10},
    "consensus10": {"consensus": 10},
    "pca50": {"pca": 50},
    "pca100": {"pca": 100},
    "pca100w": {"pca": 100, "whiten": True},
    "pca100+lw0.4": {"pca": 100, "lexical_weight": 0.4},
    "pca100+lw0.5": {"pca": 100, "lexical_weight": 0.5},
    "tsne2": {"tsne": 2},
    "tsne3": {"tsne": 3},
    "spec+tsne2": {"tsne": 2, "tsne_init": "spectral"},
    "tsne2p50": {"tsne": 2, "perplexity": 50},
    "umap5": {"umap": 5},
    "umap5e200": {"umap": 5, "epochs": 200},
    "umapk": {"umap": "k"},
    "umap5nn30": {"umap": 5, "umap_nn": 30},
    "umapZ": {"umap": 5, "umap_input": "joined"},
    "umapZe200": {"umap": 5, "umap_input": "joined", "epochs": 200},
    "concat": {"umap": 5, "concat": True},
}


def set_defaults() -> None:
    """Constructor defaults of the variant (kept by ``clone``, so catch-all splits see them)."""
    kd = M.SemanticThemes.__init__.__kwdefaults__
    kd.clear()
    kd.update(DEFAULTS)
    kd.update({key: OPT[key] for key in PARAMS if key in OPT})


def graph(Zs: np.ndarray, nn: int) -> sp.csr_matrix:
    """The neighbour graph of the variant: binary (default), mutual or self-tuning."""
    from sklearn.neighbors import kneighbors_graph

    mode = OPT.get("graph", "binary")
    if mode == "selftune":
        # Zelnik-Manor & Perona (2004): w_ij = exp(-d_ij^2 / (s_i s_j)), s_i = distance to
        # the 7th neighbour.
        D = kneighbors_graph(Zs, nn, mode="distance", include_self=False).tocsr()
        rows = np.repeat(np.arange(D.shape[0]), np.diff(D.indptr))
        kk = min(7, nn)
        s = np.array([np.sort(D.data[D.indptr[i]:D.indptr[i + 1]])[kk - 1]
                      for i in range(D.shape[0])]) + 1e-9
        W = sp.csr_matrix((np.exp(-D.data ** 2 / (s[rows] * s[D.indices])), D.indices,
                           D.indptr), shape=D.shape)
        return sp.csr_matrix(W.maximum(W.T))
    G = kneighbors_graph(Zs, nn, include_self=False)
    if mode == "mutual":
        # mutual neighbours, plus each answer's 3 nearest so that none is left alone
        G3 = kneighbors_graph(Zs, 3, include_self=False)
        G = sp.csr_matrix(G.minimum(G.T).maximum(G3.maximum(G3.T)))
    else:
        G = sp.csr_matrix(G.maximum(G.T))
    G.data[:] = 1.0
    return G


def partition(self: M.SemanticThemes, Z: np.ndarray, A: np.ndarray | None = None,
              seed_labels: np.ndarray | None = None) -> np.ndarray:
    """:meth:`SemanticThemes._partition` with the variant's changes (small unseeded corpora)."""
    from sklearn.cluster import KMeans
    from sklearn.manifold import SpectralEmbedding

    if (OPT.get("original") or A is not None or len(Z) > self.graph_max_docs
            or self.graph_dims == 0):
        return ORIGINAL_PARTITION(self, Z, A, seed_labels)
    Z = Z.rows() if isinstance(Z, M.JoinedRows) else Z
    Zs = Z
    if OPT.get("pca"):
        from sklearn.decomposition import PCA

        Zs = normalize(PCA(n_components=min(OPT["pca"], Z.shape[0] - 1),
                           whiten=OPT.get("whiten", False),
                           random_state=self.random_state).fit_transform(Z))
    nn = M.graph_neighbors(self.n_graph_neighbors, Zs.shape[0])
    dims = max(5, self.n_themes) if self.graph_dims is None else int(self.graph_dims)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        low = SpectralEmbedding(n_components=dims, affinity="precomputed",
                                random_state=self.random_state).fit_transform(graph(Zs, nn))
    if OPT.get("umap"):
        # UMAP of the sentence-embedding side only (McInnes, Healy & Melville 2018), as
        # BERTopic does; k-means then runs on its coordinates
        import umap

        d = self.embedding_mean_.shape[0]
        E = Zs if OPT.get("umap_input") == "joined" else normalize(Zs[:, :d])
        ud = dims if OPT["umap"] == "k" else int(OPT["umap"])
        eig = low
        low = umap.UMAP(n_components=ud, n_neighbors=OPT.get("umap_nn", 15), min_dist=0.0,
                        metric="cosine", n_epochs=OPT.get("epochs"),
                        random_state=self.random_state).fit_transform(E)
        if OPT.get("concat"):
            # both layouts, each scaled to unit total variance, side by side
            low = np.hstack([low / np.sqrt(low.var(axis=0).sum()),
                             eig / np.sqrt(eig.var(axis=0).sum())])
    if OPT.get("tsne"):
        # a neighbour embedding that sharpens the clusters, as UMAP's layout does (t-SNE: van
        # der Maaten & Hinton 2008; scikit-learn's Barnes-Hut), optionally from the spectral
        # coordinates (UMAP starts its layout from them)
        from sklearn.manifold import TSNE

        init = "pca"
        if OPT.get("tsne_init") == "spectral":
            init = low[:, : OPT["tsne"]] / np.abs(low[:, : OPT["tsne"]]).max() * 1e-2
        low = TSNE(n_components=OPT["tsne"], metric="cosine", init=init,
                   perplexity=min(OPT.get("perplexity", 30.0), (Zs.shape[0] - 1) / 3),
                   random_state=self.random_state).fit_transform(Zs)
    if OPT.get("rownorm"):
        low = normalize(low)  # Ng, Jordan & Weiss (2001)
    km = KMeans(n_clusters=self.n_themes, n_init=self.n_init, max_iter=self.max_iter,
                random_state=self.random_state)
    labels = km.fit_predict(low)
    if OPT.get("consensus"):
        from scipy.cluster.hierarchy import fcluster, linkage

        rs0 = 0 if self.random_state is None else self.random_state
        runs = [labels] + [KMeans(n_clusters=self.n_themes, n_init=1,
                                  random_state=rs0 * 100 + r + 1).fit_predict(low)
                           for r in range(OPT["consensus"])]
        co = np.mean([(L[:, None] == L[None, :]) for L in runs], axis=0)
        tree = linkage(1 - co[np.triu_indices(len(co), 1)], method="average")
        labels = fcluster(tree, self.n_themes, criterion="maxclust") - 1
    for _ in range(OPT.get("refine", 0)):
        # spherical k-means in the joined space, started from the spectral labels
        C = normalize(np.vstack([Z[labels == j].mean(axis=0) if (labels == j).any() else Z[j]
                                 for j in range(self.n_themes)]))
        new = (Z @ C.T).argmax(axis=1)
        if (new == labels).all():
            break
        labels = new
    self.n_iter_ = int(km.n_iter_)
    return labels


def main() -> None:
    if len(sys.argv) != 5:
        sys.exit("usage: screen_semantic_variants.py CORPUS VARIANTS SEEDS OUT.csv")
    only, names, n_seeds, out = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4]
    unknown = [v for v in names if v not in VARIANTS]
    if unknown:
        sys.exit(f"unknown variant(s): {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    M.SemanticThemes._partition = partition
    rows = []
    for name, _scope, texts, y in B.corpora():
        if only.lower() not in name.lower():
            continue
        k = len(set(y))
        corpus = process_answers(texts, options=TextOptions())
        E = B.embed([str(t) for t in texts])
        for v in names:
            OPT.clear()
            OPT.update(VARIANTS[v])
            set_defaults()
            for seed in range(n_seeds):
                pred, fit_s, _ = B.textmine_predictions(corpus, k, "semantic", seed, E)
                ari, nmi = B.scores(y, pred)
                rows.append({"data": name, "method": v, "seed": seed, "ari": ari, "nmi": nmi,
                             "fit_s": fit_s})
            d = pd.DataFrame(rows)
            d = d[(d.method == v) & (d.data == name)]
            print(f"{name} {v}: ARI {d.ari.mean():.3f} ± {d.ari.std():.3f}  "
                  f"NMI {d.nmi.mean():.3f} ± {d.nmi.std():.3f}", flush=True)
            pd.DataFrame(rows).to_csv(out, index=False)


if __name__ == "__main__":
    main()
