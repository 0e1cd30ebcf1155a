"""Theme fit for many answers (issue 19 §2): ``MiniBatchNMF.partial_fit`` over partitions vs a
fit on a stated sample followed by a distributed transform, against the one-process fit.

Corpus: the Grand Débat sample answers (``../shared/data/raw/granddebat_disaitek_samples``,
read in place), label = the question file of origin (8 labels, k = 8), ``--n`` answers drawn
without replacement (seed 0). Answers are processed by textmine (``process_answers``, every
core) and counted by ``document_term_matrix`` with the default ``ThemeOptions`` filters; every
variant factorises the same matrix (sublinear TF-IDF, rows l2-normalised, as ``NMFThemes``).

Variants, each over ``--seeds`` seeds (the model's ``random_state``; the sample's seed):

* ``one``: ``NMFThemes`` fitted on every answer, transform in one call (the reference);
* ``sample``: ``NMFThemes`` fitted on ``--sample`` answers drawn at random, then
  ``textmine.themes.partitioned.partitioned_transform`` over partitions of 5,000 rows on
  ``--jobs`` processes;
* ``partial_fit``: IDF from the summed document frequencies, then
  ``sklearn.decomposition.MiniBatchNMF.partial_fit`` on partitions of 5,000 rows, ``--epochs``
  passes, then its transform.

Printed per variant, mean ± sd over seeds: NMI and ARI of the dominant theme against the labels,
ARI against the reference's dominant theme, mean cosine of the matched themes (Hungarian
matching) with the reference, fit and transform wall time, peak memory of the fit in this
process (tracemalloc). The load average is printed with the table.

Usage: ``.venv/bin/python scripts/bench_theme_fit.py [--n 20000] [--sample 5000] [--seeds 3]``
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import MiniBatchNMF
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.preprocessing import normalize

from textmine.config import EngineOptions, ThemeOptions
from textmine.engine import use_engine
from textmine.features import document_term_matrix
from textmine.text.corpus import process_answers
from textmine.themes.models import NMFThemes, _learn_idf, _sublinear_tfidf
from textmine.themes.partitioned import partitioned_transform

RAW = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "raw"
PART = 5_000


def load(n: int) -> tuple[pd.Series, np.ndarray]:
    texts, labels = [], []
    for path in sorted((RAW / "granddebat_disaitek_samples").glob("gd_animation_*.csv")):
        col = pd.read_csv(path, usecols=["comment"], dtype=str)["comment"].dropna()
        col = col[col.str.strip() != ""]
        texts += col.tolist()
        labels += [path.stem.removeprefix("gd_animation_")] * len(col)
    rng = np.random.default_rng(0)
    pick = np.sort(rng.choice(len(texts), size=min(n, len(texts)), replace=False))
    ids = [f"gd{i}" for i in pick]
    return (pd.Series([texts[i] for i in pick], index=ids),
            np.array([labels[i] for i in pick]))


def matched_cosine(a: np.ndarray, b: np.ndarray) -> float:
    sim = normalize(a) @ normalize(b).T
    r, c = linear_sum_assignment(-sim)
    return float(sim[r, c].mean())


def timed(fn):
    tracemalloc.start()
    start = time.perf_counter()
    out = fn()
    wall = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 1024**2
    tracemalloc.stop()
    return out, wall, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    texts, labels = load(args.n)
    k = len(set(labels))
    with use_engine(EngineOptions(jobs=args.jobs)):
        corpus = process_answers(texts)
    opts = ThemeOptions()
    dtm = document_term_matrix(corpus, min_df=opts.min_df, max_df=opts.max_df)
    rows = np.flatnonzero(dtm.n_terms_per_row > 0)
    X, y = dtm.X[rows], labels[rows]
    print(f"{len(texts):,} Grand Débat answers, {X.shape[0]:,} with terms, {X.shape[1]:,} "
          f"terms, k = {k}; sample {args.sample:,}; partitions of {PART:,}; "
          f"--jobs {args.jobs}")
    results: dict[str, list[dict]] = {"one": [], "sample": [], "partial_fit": []}
    for seed in range(args.seeds):
        ref, fit_s, fit_mib = timed(lambda s=seed: NMFThemes(k, random_state=s).fit(X))
        W_ref, tr_s, _ = timed(lambda m=ref: m.transform(X))
        dom_ref = W_ref.argmax(axis=1)
        results["one"].append({"nmi": normalized_mutual_info_score(y, dom_ref),
                               "ari": adjusted_rand_score(y, dom_ref), "ari_ref": 1.0,
                               "cos": 1.0, "fit": fit_s, "tr": tr_s, "mib": fit_mib})
        rng = np.random.default_rng(seed)
        pick = np.sort(rng.choice(X.shape[0], size=min(args.sample, X.shape[0]),
                                  replace=False))
        model, fit_s, fit_mib = timed(
            lambda s=seed, p=pick: NMFThemes(k, random_state=s).fit(X[p]))
        with use_engine(EngineOptions(jobs=args.jobs)):
            W, tr_s, _ = timed(lambda m=model: partitioned_transform(m, X,
                                                                     partition_rows=PART))
        dom = W.argmax(axis=1)
        results["sample"].append({"nmi": normalized_mutual_info_score(y, dom),
                                  "ari": adjusted_rand_score(y, dom),
                                  "ari_ref": adjusted_rand_score(dom_ref, dom),
                                  "cos": matched_cosine(ref.components_, model.components_),
                                  "fit": fit_s, "tr": tr_s, "mib": fit_mib})

        def partial(s=seed):
            Xt = normalize(_sublinear_tfidf(X, _learn_idf(X)))
            mb = MiniBatchNMF(n_components=k, random_state=s, batch_size=1024)
            for _ in range(args.epochs):
                for a in range(0, Xt.shape[0], PART):
                    mb.partial_fit(Xt[a:a + PART])
            return mb, Xt

        (mb, Xt), fit_s, fit_mib = timed(partial)
        W, tr_s, _ = timed(lambda m=mb, t=Xt: m.transform(t))
        dom = W.argmax(axis=1)
        results["partial_fit"].append({"nmi": normalized_mutual_info_score(y, dom),
                                       "ari": adjusted_rand_score(y, dom),
                                       "ari_ref": adjusted_rand_score(dom_ref, dom),
                                       "cos": matched_cosine(ref.components_,
                                                             mb.components_),
                                       "fit": fit_s, "tr": tr_s, "mib": fit_mib})
        print(f"seed {seed} done", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} (2 cores)\n")
    print("| variant | NMI labels | ARI labels | ARI vs one | matched cosine vs one | "
          "fit (s) | transform (s) | fit peak (MiB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rs in results.items():
        def ms(key, fmt=".3f", rs=rs):
            v = np.array([r[key] for r in rs])
            return f"{v.mean():{fmt}} ± {v.std(ddof=1) if len(v) > 1 else 0:{fmt}}"
        print(f"| {name} | {ms('nmi')} | {ms('ari')} | {ms('ari_ref')} | {ms('cos')} | "
              f"{ms('fit', '.1f')} | {ms('tr', '.1f')} | {ms('mib', '.0f')} |")


if __name__ == "__main__":
    main()
