"""Which constraint of the coder's threshold rule binds: an ablation on fitted coders.

For each corpus of :mod:`bench_coding` (same loading, subsampling and stratified splits) and each
split at one share coded, the default coder (``CodingOptions``: USE embeddings, weight 2) is fitted
once; its thresholds are then recomputed from its out-of-fold scores under each variant of the
rule (no refit), and applied to the held-out answers. Variants switch one constraint at a time
of the per-code rule (minimum coded examples, Wilson bound of the per-code precision, calibrated
check, held-out bound, shrinkage toward the pooled precision) and of the answer-level rule of
single-code surveys. Reported per variant and target: realised precision of the automatic codes
on the held-out answers (mean over splits, and pooled TP / automatic codes over splits with its
95 % Wilson interval) and share of held-out answers coded automatically (mean ± sd).

Usage: ``.venv/bin/python scripts/bench_coding_ablation.py --corpora an_titles --share 0.3``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import textmine.coding.learn as learn
from textmine.coding import MultiLabelCoder, with_embeddings
from textmine.config import CodingOptions, TextOptions
from textmine.tables.stats import wilson_interval
from textmine.text.corpus import process_answers
from textmine.text.embeddings import embed_texts

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_coding import CORPORA, load_corpus, split  # noqa: E402

#: name -> (module constants to set, min_positives or None for the coder's).
VARIANTS: dict[str, tuple[dict, int | None]] = {
    "per-code (rule before)": ({"ANSWER_LEVEL": False}, None),
    "per-code, min examples 1": ({"ANSWER_LEVEL": False}, 1),
    "per-code, precision bound z 0": ({"ANSWER_LEVEL": False, "PRECISION_BOUND_Z": 0.0}, None),
    "per-code, no calibrated check": ({"ANSWER_LEVEL": False, "CALIBRATED_CHECK": False}, None),
    "per-code, held-out bound z 0": ({"ANSWER_LEVEL": False, "HELDOUT_BOUND_Z": 0.0}, None),
    "per-code, no shrinkage": ({"ANSWER_LEVEL": False, "PRIOR_STRENGTH": 0.0}, None),
    "per-code, all off": ({"ANSWER_LEVEL": False, "PRECISION_BOUND_Z": 0.0,
                           "CALIBRATED_CHECK": False, "HELDOUT_BOUND_Z": 0.0}, None),
    "answer-level, floor 0.5": ({"ANSWER_LEVEL": True, "ANSWER_MIN_SCORE": 0.5}, None),
    "answer-level, floor 0.5, min examples 1": ({"ANSWER_LEVEL": True,
                                                  "ANSWER_MIN_SCORE": 0.5}, 1),
    "answer-level, floor 0.5, no calibrated check": ({"ANSWER_LEVEL": True,
                                                       "ANSWER_MIN_SCORE": 0.5,
                                                       "CALIBRATED_CHECK": False}, None),
    "answer-level, floor 0.5, precision bound z 0.5": ({"ANSWER_LEVEL": True,
                                                         "ANSWER_MIN_SCORE": 0.5,
                                                         "PRECISION_BOUND_Z": 0.5}, None),
    "answer-level, floor 0.3 (default)": ({"ANSWER_LEVEL": True, "ANSWER_MIN_SCORE": 0.3},
                                           None),
    "answer-level, floor 0.2": ({"ANSWER_LEVEL": True, "ANSWER_MIN_SCORE": 0.2}, None),
    "answer-level, floor 0.3, held-out z 1": ({"ANSWER_LEVEL": True, "ANSWER_MIN_SCORE": 0.3,
                                               "ANSWER_HELDOUT_Z": 1.0}, None),
    "answer-level, floor 0.3, held-out z 0.5": ({"ANSWER_LEVEL": True, "ANSWER_MIN_SCORE": 0.3,
                                                 "ANSWER_HELDOUT_Z": 0.5}, None),
    "answer-level, floor 0.5, held-out z 1": ({"ANSWER_LEVEL": True, "ANSWER_MIN_SCORE": 0.5,
                                                "ANSWER_HELDOUT_Z": 1.0}, None),
}
TARGETS = (0.7, 0.8, 0.9)


@contextlib.contextmanager
def constants(values: dict):
    saved = {k: getattr(learn, k) for k in values}
    for k, v in values.items():
        setattr(learn, k, v)
    try:
        yield
    finally:
        for k, v in saved.items():
            setattr(learn, k, v)


def run(key: str, share: float, seeds: int, max_n: int, cache: Path,
        variants: tuple[str, ...] = tuple(VARIANTS)) -> list[dict]:
    _, texts, labels, _ = load_corpus(key, max_n)
    corpus = process_answers(texts, options=TextOptions(), cache_dir=cache)
    opts = CodingOptions()
    docs = with_embeddings(corpus.terms, embed_texts(texts.tolist(), model=opts.embedding_model,
                                                     cache_dir=cache))  # fmt: skip
    Y = pd.get_dummies(labels).astype(int).reset_index(drop=True)
    rows = []
    for seed in range(seeds):
        tr, te = split(key, np.arange(len(texts)), labels.values, seed=seed, train_size=share)
        coder = MultiLabelCoder(random_state=seed, embedding_model=opts.embedding_model,
                                embedding_weight=opts.embedding_weight)  # fmt: skip
        coder.fit([docs[i] for i in tr], Y.iloc[tr])
        test = [docs[i] for i in te]
        proba, truth = coder.predict_proba(test), Y.values[te]
        few = int((coder.n_positives_ < coder.min_positives).sum())
        for name in variants:
            values, min_pos = VARIANTS[name]
            with constants(values):
                coder.answer_level_ = bool(learn.ANSWER_LEVEL and coder.single_code_)
                coder.min_positives = min_pos or opts.min_positives
                coder.n_positives_ = coder.cv_truth_.sum(axis=0)
                for t in TARGETS:
                    pred = coder.decide(proba, coder.thresholds_for(t))
                    rows.append({"key": key, "seed": seed, "variant": name, "target": t,
                                 "tp": int((pred & truth).sum()), "auto": int(pred.sum()),
                                 "cov": float(pred.any(axis=1).mean()), "few": few})  # fmt: skip
            coder.min_positives = opts.min_positives
        print(f"{key} seed {seed} done ({few} codes with < {opts.min_positives} examples)",
              flush=True)  # fmt: skip
    return rows


def table(df: pd.DataFrame) -> str:
    lines = ["| corpus | rule | " + " | ".join(
        f"@{t} realised, mean of splits | @{t} pooled TP/auto (95 % CI) | @{t} auto"
        for t in TARGETS) + " |", "|---|---|" + "---|" * (3 * len(TARGETS))]  # fmt: skip
    for (key, name), part in df.groupby(["key", "variant"], sort=False):
        cells = [key, name]
        for t in TARGETS:
            p = part[part["target"] == t]
            ratio = (p["tp"] / p["auto"].replace(0, np.nan)).dropna()
            mean = f"{ratio.mean():.3f} ({len(ratio)} splits)" if len(ratio) else "n/a"
            tp, n = int(p["tp"].sum()), int(p["auto"].sum())
            if n:
                lo, hi = wilson_interval(np.array([tp]), np.array([n]), level=0.95)
                pooled = f"{tp}/{n} = {tp / n:.3f} ({lo[0]:.2f}–{hi[0]:.2f})"
            else:
                pooled = "0 automatic"
            cov = f"{100 * p['cov'].mean():.0f} ± {100 * p['cov'].std(ddof=1):.0f} %"
            cells += [mean, pooled, cov]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="*", default=["an_titles"], choices=list(CORPORA))
    parser.add_argument("--share", type=float, default=0.3)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--max-n", type=int, default=400)
    parser.add_argument("--csv", type=Path, default=None)
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get(
        "TEXTMINE_CACHE_DIR", "/tmp/textmine_bench_cache")))  # fmt: skip
    args = parser.parse_args()
    rows = []
    for key in args.corpora:
        rows += run(key, args.share, args.seeds, args.max_n, args.cache, tuple(args.variants))
        df = pd.DataFrame(rows)
        if args.csv:
            df.to_csv(args.csv, index=False)
    print(table(pd.DataFrame(rows)))


if __name__ == "__main__":
    main()
