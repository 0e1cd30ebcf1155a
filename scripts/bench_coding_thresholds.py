"""Benchmark of raised thresholds (issue 13 part 1): a code failing its held-out precision check
gets a higher threshold instead of being switched off. Does the realised precision hold, and how
many more answers are coded automatically?

Data: the corpora of ``scripts/bench_coding.py`` (default: Assemblée nationale titles by
rubrique, 10 most frequent). For each of ``--seeds`` stratified random splits, ``--coded`` (30 %)
of the answers are coded, the rest are held out. The same coder is fitted twice on the same
split: ``switched off`` (before: a failing code never assigned automatically; obtained by
setting ``MAX_CODE_TARGET`` to the target, so no stricter threshold is tried) and ``raised`` (the
default). Reported per target precision (mean ± sd over splits): realised precision of automatic
codes on the held-out answers, share of held-out answers coded automatically, number of
automatic codes, and the precision the coder expected (held-out folds of the coded answers).

Usage: ``.venv/bin/python scripts/bench_coding_thresholds.py [--seeds 5] [--corpora an_titles]``
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

import textmine.coding.learn as learn
from textmine.coding.learn import MultiLabelCoder
from textmine.config import TextOptions
from textmine.text.corpus import process_answers

TARGETS = (0.7, 0.8, 0.9)


def _bench_coding():
    """scripts/bench_coding.py as a module: its corpus loaders (same data, same filters)."""
    path = Path(__file__).with_name("bench_coding.py")
    spec = importlib.util.spec_from_file_location("bench_coding", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fit(docs, Y, seed: int, target: float, raise_thresholds: bool) -> MultiLabelCoder:
    saved = learn.MAX_CODE_TARGET
    try:
        if not raise_thresholds:
            learn.MAX_CODE_TARGET = target  # no stricter precision to try: switched off
        return MultiLabelCoder(random_state=seed, target_precision=target).fit(docs, Y)
    finally:
        learn.MAX_CODE_TARGET = saved


def run(key: str, seeds: int, coded: float, cache: Path) -> list[dict]:
    name, texts, labels, _ = _bench_coding().load_corpus(key)
    terms = process_answers(texts, options=TextOptions(), cache_dir=cache).terms
    Y = pd.get_dummies(labels).astype(int).reset_index(drop=True)
    rows = []
    for seed in range(seeds):
        tr, te = train_test_split(np.arange(len(texts)), train_size=coded, random_state=seed,
                                  stratify=labels.values)  # fmt: skip
        test_docs, truth = [terms[i] for i in te], Y.values[te]
        for target in TARGETS:
            for mode, raise_ in (("switched off", False), ("raised", True)):
                coder = _fit([terms[i] for i in tr], Y.iloc[tr], seed, target, raise_)
                auto = coder.predict(test_docs)
                n = auto.sum()
                rows.append({
                    "key": key, "data": name, "n": len(texts), "seed": seed, "target": target,
                    "mode": mode, "realised": float((auto & truth).sum() / n) if n else np.nan,
                    "auto_share": float(auto.any(axis=1).mean()),
                    "automatic_codes": int(coder.automatic_.sum()),
                    "raised_codes": int(np.nansum(coder.code_targets_ > target + 1e-9)),
                    "expected": coder.expected_["precision"],
                })  # fmt: skip
                r = rows[-1]
                print(f"{key} seed {seed} @{target} {mode:12s}: realised {r['realised']:.3f} "
                      f"auto {r['auto_share']:.2f} codes {r['automatic_codes']}", flush=True)
    return rows


def _ms(v: pd.Series, pct: bool = False) -> str:
    v = v.astype(float).dropna()
    if not len(v):
        return "n/a"
    sd = v.std(ddof=1) if len(v) > 1 else 0.0
    return f"{100 * v.mean():.0f} ± {100 * sd:.0f} %" if pct else f"{v.mean():.3f} ± {sd:.3f}"


def markdown(table: pd.DataFrame, seeds: int, elapsed: float) -> str:
    lines = [f"Mean ± sd over {seeds} splits; {elapsed / 60:.0f} min."]
    for _key, part in table.groupby("key", sort=False):
        first = part.iloc[0]
        lines += ["", f"**{first['data']}** ({int(first['n'])} answers)", "",
                  "| target | failing codes | realised precision | expected | coded automatically "
                  "| automatic codes | raised codes |", "|---:|---|---:|---:|---:|---:|---:|"]
        for (target, mode), rows in part.groupby(["target", "mode"], sort=False):
            lines.append(f"| {target} | {mode} | {_ms(rows['realised'])} | "
                         f"{_ms(rows['expected'])} | {_ms(rows['auto_share'], pct=True)} | "
                         f"{rows['automatic_codes'].mean():.1f} | "
                         f"{rows['raised_codes'].mean():.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--corpora", nargs="*", default=["an_titles"])
    parser.add_argument("--coded", type=float, default=0.3)
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp"))
                        / "textmine_bench_cache")
    args = parser.parse_args()
    t0 = time.perf_counter()
    rows = []
    for key in args.corpora:
        rows += run(key, args.seeds, args.coded, args.cache)
    print(markdown(pd.DataFrame(rows), args.seeds, time.perf_counter() - t0))


if __name__ == "__main__":
    main()
