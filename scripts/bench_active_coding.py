"""Benchmark of ``textmine code --next``: does coding the chosen answers beat coding random ones?

Data (read in place from ../shared/data/raw, never copied): the corpora of
``scripts/bench_coding.py`` (default: Assemblée nationale written questions, titles and full
texts, labelled with their ``rubrique`` by the Assemblée's staff, the 10 most frequent ones).

Protocol, for each of ``--seeds`` random splits:

- 30 % of the answers are held out (stratified) to evaluate; they are never coded;
- ``--coded`` (30 %) of all answers, drawn at random from the rest, are coded at the start;
- the remaining answers are the uncoded pool. For ``--rounds`` rounds, each strategy adds
  ``--batch`` (50) answers of the pool with their true codes and the coder is refitted:
  ``random`` (random answers), ``uncertainty`` (the most uncertain answers only) and ``next``
  (:func:`textmine.coding.active.select_next`: uncertainty × density, no near-duplicates; what
  ``textmine code --next`` writes);
- reported on the held-out answers (mean ± sd over seeds): best-guess micro-F1
  (``MultiLabelCoder.suggest``), share coded automatically at target 0.8 and the precision of
  those automatic codes; and the paired difference ``next − random`` in micro-F1.

It also measures the cost of ``learning_curve.csv``: the time of the learning curve against
the time of what ``textmine code`` computes without it (fit + nested cross-validation) on the
same coded answers (ratio in the same run).

Usage: ``.venv/bin/python scripts/bench_active_coding.py [--seeds 5] [--corpora an_titles]``
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from textmine.coding.active import answer_vectors, select_next
from textmine.coding.agreement import nested_agreement
from textmine.coding.curve import learning_curve
from textmine.coding.learn import MultiLabelCoder, uncertainty
from textmine.config import TextOptions
from textmine.text.corpus import process_answers

STRATEGIES = ("random", "uncertainty", "next")


def _bench_coding():
    """The corpus loaders of scripts/bench_coding.py (same data, same filters)."""
    path = Path(__file__).with_name("bench_coding.py")
    spec = importlib.util.spec_from_file_location("bench_coding", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _scores(coder: MultiLabelCoder, docs: list[list[str]], truth: np.ndarray) -> dict:
    best = coder.suggest(docs)
    tp, denom = float((best & truth).sum()), float(best.sum() + truth.sum())
    auto = coder.predict(docs)
    n_auto = auto.sum()
    return {"f1": 2 * tp / denom if denom else 0.0,
            "auto_share": float(auto.any(axis=1).mean()),
            "precision_auto": float((auto & truth).sum() / n_auto) if n_auto else np.nan}


def _choose(strategy: str, coder: MultiLabelCoder, terms: list[list[str]], coded: list[int],
            pool: list[int], batch: int, rng: np.random.Generator) -> list[int]:
    if strategy == "random":
        return [int(i) for i in rng.choice(pool, size=min(batch, len(pool)), replace=False)]
    scores = coder.predict_proba([terms[i] for i in pool])
    if strategy == "uncertainty":
        order = np.argsort(-uncertainty(scores), kind="stable")[:batch]
        return [pool[k] for k in order]
    vectors = answer_vectors([terms[i] for i in coded] + [terms[i] for i in pool])
    rows = select_next(scores, vectors[len(coded):], batch, coded_vectors=vectors[:len(coded)])
    return [pool[k] for k in rows]


def run(key: str, seeds: int, coded_share: float, batch: int, rounds: int, cache: Path,
        max_n: int) -> tuple[list[dict], dict]:
    bench = _bench_coding()
    name, texts, labels, _ = bench.load_corpus(key, max_n)
    corpus = process_answers(texts, options=TextOptions(), cache_dir=cache)
    terms = corpus.terms
    Y = pd.get_dummies(labels).astype(int).reset_index(drop=True)
    n = len(texts)
    rows, cost = [], {}
    for seed in range(seeds):
        rest, test = bench.split(key, np.arange(n), labels.values, seed=seed, test_size=0.3)
        n_start = int(round(coded_share * n))
        start, pool0 = bench.split(key, rest, labels.values[rest], seed=seed,
                                   train_size=n_start)
        test_docs, truth = [terms[i] for i in test], Y.values[test]
        coder0 = MultiLabelCoder(random_state=seed).fit([terms[i] for i in start],
                                                        Y.iloc[start])  # fmt: skip
        base = {"key": key, "data": name, "n": n, "seed": seed, "round": 0,
                "n_coded": len(start), **_scores(coder0, test_docs, truth)}
        for strategy in STRATEGIES:
            rows.append({**base, "strategy": strategy})
        if seed == 0:
            X0, Y0 = [terms[i] for i in start], Y.iloc[start]
            t0 = time.perf_counter()
            MultiLabelCoder(random_state=0).fit(X0, Y0)
            nested_agreement(X0, Y0, coder=MultiLabelCoder(random_state=0), random_state=0)
            t1 = time.perf_counter()
            learning_curve(X0, Y0, coder=MultiLabelCoder(random_state=0), repeats=3)
            t2 = time.perf_counter()
            cost = {"key": key, "n_coded": len(start), "code_s": t1 - t0, "curve_s": t2 - t1}
        for strategy in STRATEGIES:
            rng = np.random.default_rng(1000 + seed)
            coded, pool, coder = list(start), [int(i) for i in pool0], coder0
            for r in range(1, rounds + 1):
                chosen = _choose(strategy, coder, terms, coded, pool, batch, rng)
                coded += chosen
                taken = set(chosen)
                pool = [i for i in pool if i not in taken]
                coder = MultiLabelCoder(random_state=seed).fit([terms[i] for i in coded],
                                                               Y.iloc[coded])  # fmt: skip
                row = {"key": key, "data": name, "n": n, "seed": seed, "round": r,
                       "strategy": strategy, "n_coded": len(coded),
                       **_scores(coder, test_docs, truth)}  # fmt: skip
                rows.append(row)
                print(f"{key} seed {seed} {strategy:11s} +{r * batch}: F1 {row['f1']:.3f} "
                      f"auto {row['auto_share']:.2f}", flush=True)
    return rows, cost


def _ms(v: pd.Series, pct: bool = False) -> str:
    v = v.astype(float).dropna()
    if not len(v):
        return "n/a"
    sd = v.std(ddof=1) if len(v) > 1 else 0.0
    return f"{100 * v.mean():.0f} ± {100 * sd:.0f} %" if pct else f"{v.mean():.3f} ± {sd:.3f}"


def markdown(table: pd.DataFrame, costs: list[dict], seeds: int, batch: int,
             elapsed: float) -> str:
    lines = [f"Python {platform.python_version()}, 2 shared cores, {elapsed / 60:.0f} min; mean ± "
             f"sd over {seeds} random splits; batches of {batch} answers; held-out 30 %."]
    for _key, part in table.groupby("key", sort=False):
        first = part.iloc[0]
        lines += ["", f"**{first['data']}** ({int(first['n'])} answers)", "",
                  "| answers coded | strategy | micro-F1 | automatic share @0.8 | precision of "
                  "automatic codes | F1 next − random (paired) |",
                  "|---:|---|---:|---:|---:|---:|"]
        for r, rows in part.groupby("round"):
            n_coded = int(rows["n_coded"].iloc[0])
            strategies = ["start"] if r == 0 else list(STRATEGIES)
            for s in strategies:
                sub = rows if r == 0 else rows[rows["strategy"] == s]
                sub = sub.drop_duplicates("seed")
                diff = ""
                if s == "next":
                    a = sub.set_index("seed")["f1"]
                    b = rows[rows["strategy"] == "random"].set_index("seed")["f1"]
                    diff = _ms((a - b).dropna())
                lines.append(f"| {n_coded} | {'random start' if r == 0 else s} | "
                             f"{_ms(sub['f1'])} | {_ms(sub['auto_share'], pct=True)} | "
                             f"{_ms(sub['precision_auto'])} | {diff} |")
    for c in costs:
        lines += ["", f"Cost of `learning_curve.csv` on {c['key']} ({c['n_coded']} coded answers): "
                      f"{c['curve_s']:.1f} s against {c['code_s']:.1f} s for the fit and nested "
                      f"cross-validation of `textmine code` (× {c['curve_s'] / c['code_s']:.2f})."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--corpora", nargs="*", default=["an_titles", "an_questions"])
    parser.add_argument("--coded", type=float, default=0.3, help="share coded at the start")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-n", type=int, default=600)
    parser.add_argument("--out", type=Path, default=None, help="write the markdown here")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp"))
                        / "textmine_bench_cache", help="parse cache folder")
    args = parser.parse_args()
    t0 = time.perf_counter()
    rows, costs = [], []
    for key in args.corpora:
        r, c = run(key, args.seeds, args.coded, args.batch, args.rounds, args.cache, args.max_n)
        rows += r
        costs.append(c)
    text = markdown(pd.DataFrame(rows), costs, args.seeds, args.batch, time.perf_counter() - t0)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
