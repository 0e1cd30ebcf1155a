"""Benchmark of "none of these codes" (issue 13 §5) on labelled corpora of ../shared/data/raw.

The labelled corpora give every answer a code. To get answers no code applies to, the smallest
categories (together at least ``--none-share`` of the answers) are removed from the codebook:
their answers become answers coded with *no code* (a row of zeros), as a coder would code an
answer about a subject the codebook lacks. A share of the answers is coded (the coder learns from
them), the rest is held out. Per corpus, mean ± sd over splits:

- best-guess micro-F1 with the most likely code forced onto every answer (the behaviour before
  the fix: ``best_none_threshold_`` set to infinity) and with *none* learnt (now), and the share
  of held-out *none* answers that the best guess gives a code;
- automatic *none* (:meth:`MultiLabelCoder.predict_none`): realised precision on the held-out
  answers against the target, expected (held-out folds of the coded answers), share of held-out
  answers given it;
- realised precision of the automatic codes (unchanged by *none*).

Usage: ``python scripts/bench_coding_none.py [--corpora an_titles rua_proposals] [--seeds 3]
[--max-n 400] [--share 0.3] [--none-share 0.2]``. Lexical features only (the default coder).
``ined_k1_rules``: the INED K1 answers coded by word rules (:data:`INED_RULES`), where about half
of the answers hold no code's words: a corpus where "none" is real and learnable.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_coding import CORPORA, RAW  # noqa: E402

from textmine.coding.learn import MultiLabelCoder  # noqa: E402
from textmine.config import TextOptions  # noqa: E402
from textmine.text.corpus import process_answers  # noqa: E402

TARGET = 0.8


def none_categories(labels: pd.Series, share: float) -> list[str]:
    """The smallest categories that together hold at least ``share`` of the answers."""
    counts = labels.value_counts().sort_values()
    out, total = [], 0
    for name, n in counts.items():
        if total >= share * len(labels) or len(out) >= len(counts) - 2:
            break
        out.append(str(name))
        total += int(n)
    return out


#: INED K1 answers coded by the code's own word stems (a rule coder standing in for a person):
#: about half of the answers hold none of them and are "none of these codes".
INED_RULES = {"Pollution": r"pollu", "Nature": r"natur", "Bruit": r"bruit|calme",
              "Propreté": r"propr|sal[ei]"}


def load_ined_rules() -> tuple[pd.Series, pd.DataFrame]:
    """INED K1 answers (../shared/data/raw/ined_pee1992_k1) and their rule codes."""
    df = pd.read_csv(RAW / "ined_pee1992_k1" / "PEE_K1_extract.csv", sep=";",
                     encoding="latin-1", dtype=str, keep_default_na=False)  # fmt: skip
    df = df[df["K1"].str.strip() != ""]
    texts = pd.Series(df["K1"].values, index=[f"k{i}" for i in range(len(df))])
    low = texts.str.lower()
    Y = pd.DataFrame({c: low.str.contains(p).astype(int).values for c, p in INED_RULES.items()})
    return texts, Y


def load(key: str, *, max_n: int, none_share: float) -> tuple[str, pd.Series, pd.DataFrame]:
    """Name, texts and 0/1 codes (rows of zeros: no code applies) of a corpus."""
    if key == "ined_k1_rules":
        texts, Y = load_ined_rules()
        if len(texts) > max_n:
            idx = np.sort(np.random.default_rng(0).choice(len(texts), max_n, replace=False))
            texts, Y = texts.iloc[idx], Y.iloc[idx].reset_index(drop=True)
        return "INED K1, codes by word rules", texts, Y
    name, loader = CORPORA[key]
    texts, labels = loader()
    keep = labels.map(labels.value_counts()) >= 10
    texts, labels = texts[keep], labels[keep].astype(str)
    if len(texts) >= max_n + labels.nunique():
        idx, _ = train_test_split(np.arange(len(texts)), train_size=max_n, random_state=0,
                                  stratify=labels.values)  # fmt: skip
        idx = np.sort(idx)
        texts, labels = texts.iloc[idx], labels.iloc[idx]
    dropped = none_categories(labels, none_share)
    Y = pd.get_dummies(labels).astype(int).reset_index(drop=True).drop(columns=dropped)
    return name, texts, Y


def run(key: str, *, seeds: int, max_n: int, share: float, none_share: float,
        cache: Path) -> list[dict]:
    name, texts, Y = load(key, max_n=max_n, none_share=none_share)
    is_none = Y.sum(axis=1).to_numpy() == 0
    # Splits stratified on the first code (or none), as the other coding benchmarks.
    strata = np.where(is_none, -1, Y.values.argmax(axis=1))
    corpus = process_answers(texts, options=TextOptions(), cache_dir=cache)
    terms = corpus.terms
    rows = []
    for seed in range(seeds):
        tr, te = train_test_split(np.arange(len(texts)), train_size=share, random_state=seed,
                                  stratify=strata)  # fmt: skip
        truth = Y.values[te]
        coder = MultiLabelCoder(random_state=seed, target_precision=TARGET)
        coder.fit([terms[i] for i in tr], Y.iloc[tr])
        test = [terms[i] for i in te]
        row = {"key": key, "data": name, "n": len(texts), "codes": Y.shape[1],
               "none_share": float(is_none.mean()), "seed": seed}  # fmt: skip
        now = coder.suggest(test)
        cut = coder.best_none_threshold_
        coder.best_none_threshold_ = float("inf")  # the behaviour before: always forced
        forced = coder.suggest(test)
        coder.best_none_threshold_ = cut
        held_none = is_none[te]
        row["f1_forced"] = f1_score(truth, forced, average="micro", zero_division=0)
        row["f1_none"] = f1_score(truth, now, average="micro", zero_division=0)
        row["none_given_code_forced"] = float(forced[held_none].any(axis=1).mean())
        row["none_given_code_now"] = float(now[held_none].any(axis=1).mean())
        auto_none = coder.predict_none(test)
        row["auto_none_share"] = float(auto_none.mean())
        row["auto_none_prec"] = (float(held_none[auto_none].mean()) if auto_none.any()
                                 else float("nan"))  # fmt: skip
        row["auto_none_exp"] = coder.none_expected_["precision"]
        pred = coder.predict(test)
        row["codes_prec"] = (float((pred & truth).sum() / pred.sum()) if pred.sum()
                             else float("nan"))  # fmt: skip
        row["codes_share"] = float(pred.any(axis=1).mean())
        rows.append(row)
        print(f"{key} seed {seed}: F1 forced {row['f1_forced']:.3f} now {row['f1_none']:.3f}; "
              f"auto none {row['auto_none_share']:.2f} at precision {row['auto_none_prec']:.3f}",
              flush=True)  # fmt: skip
    return rows


def _ms(values: pd.Series, pct: bool = False) -> str:
    values = values.dropna()
    if values.empty:
        return "n/a"
    scale = 100 if pct else 1
    fmt = "{:.0f} ± {:.0f} %" if pct else "{:.3f} ± {:.3f}"
    return fmt.format(scale * values.mean(), scale * values.std(ddof=1) if len(values) > 1 else 0)


def markdown(table: pd.DataFrame) -> str:
    lines = [
        "| data (answers, codes kept, share *none*) | best-guess micro-F1, forced | best-guess "
        "micro-F1, *none* learnt | *none* answers given a code: forced / now | automatic *none*:"
        " share of answers | realised precision (target 0.8) | expected | automatic codes: "
        "realised precision |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for _key, g in table.groupby("key", sort=False):
        first = g.iloc[0]
        lines.append(
            f"| {first['data']} ({first['n']}, {first['codes']}, {first['none_share']:.0%}) | "
            f"{_ms(g['f1_forced'])} | {_ms(g['f1_none'])} | "
            f"{_ms(g['none_given_code_forced'], True)} / {_ms(g['none_given_code_now'], True)} | "
            f"{_ms(g['auto_none_share'], True)} | {_ms(g['auto_none_prec'])} | "
            f"{_ms(g['auto_none_exp'].astype(float))} | {_ms(g['codes_prec'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", nargs="*", default=[*CORPORA, "ined_k1_rules"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-n", type=int, default=400)
    parser.add_argument("--share", type=float, default=0.3)
    parser.add_argument("--none-share", type=float, default=0.2)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/tm_bench_none_cache"))
    args = parser.parse_args()
    started = time.perf_counter()
    rows = []
    for key in args.corpora:
        rows += run(key, seeds=args.seeds, max_n=args.max_n, share=args.share,
                    none_share=args.none_share, cache=args.cache)  # fmt: skip
    table = pd.DataFrame(rows)
    print()
    print(f"{args.share:.0%} coded, {args.seeds} splits, max {args.max_n} answers per corpus, "
          f"{time.perf_counter() - started:.0f} s")
    print(markdown(table))


if __name__ == "__main__":
    main()
