"""Benchmark of assisted coding on real answers that people labelled.

Data (read in place from ../shared/data/raw, never copied):
- Assemblée nationale written questions (July-Sept 2022): ``titre`` (short title) labelled with
  its ``rubrique`` by the Assemblée's staff; the 10 most frequent rubriques (417 questions).
- République numérique consultation (2015): arguments labelled with the section of the bill they
  were posted under (a noisy label); the 8 most frequent sections, duplicates dropped.

Protocol: for each data set and split seed, 30 % of the answers play the coded answers (stratified
split), the coder learns from them and codes the other 70 %. Both the coder and the baseline see
the same split. The baseline is a plain TF-IDF (scikit-learn defaults, raw text) + one-vs-rest
logistic regression with balanced classes, predicting every code whose probability is >= 0.5.

The coder is evaluated twice: its best guesses (``suggest``: per-code thresholds maximising
cross-validated F1) for micro/macro F1 against the baseline, and its automatic codes (``predict``:
thresholds reaching the target precision) for the precision of assigned codes and coverage (share
of the uncoded answers that get at least one code automatically).

Usage: ``.venv/bin/python scripts/bench_coding.py [--seeds 3] [--out docs/bench_coding.md]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import html
import json
import os
import platform
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.multiclass import OneVsRestClassifier

from textmine.coding import MultiLabelCoder
from textmine.config import TextOptions
from textmine.text.corpus import process_answers

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"


def load_an(top: int = 10) -> tuple[pd.Series, pd.Series]:
    """AN question titles and their rubrique (``top`` most frequent rubriques)."""
    df = pd.read_csv(RAW / "an_questions_ecrites_16e" / "data.csv", sep="|", encoding="cp1252")
    keep = df["rubrique"].value_counts().index[:top]
    df = df[df["rubrique"].isin(keep)]
    ids = "an" + df["id"].astype(str)
    return pd.Series(df["titre"].values, index=ids), pd.Series(df["rubrique"].values, index=ids)


def load_rn(top: int = 8) -> tuple[pd.Series, pd.Series]:
    """République numérique arguments and the bill section they were posted under."""
    rows = []
    for path in sorted(glob.glob(str(RAW / "republique_numerique_2015" / "opinions" / "*.json"))):
        opinion = json.loads(Path(path).read_text(encoding="utf-8"))["opinion"]
        for arg in opinion.get("arguments", []):
            body = html.unescape(re.sub(r"<[^>]+>", " ", arg.get("body") or ""))
            rows.append((f"rn{arg['id']}", " ".join(body.split()), opinion["type"]["subtitle"]))
    df = pd.DataFrame(rows, columns=["id", "text", "label"]).drop_duplicates("text")
    df = df[df["text"] != ""]
    df = df[df["label"].isin(df["label"].value_counts().index[:top])]
    index = pd.Index(df["id"])
    return pd.Series(df["text"].values, index=index), pd.Series(df["label"].values, index=index)


def scores(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Micro/macro F1, micro precision and recall, coverage (share with >= 1 code)."""
    return {
        "micro_f1": f1_score(truth, pred, average="micro", zero_division=0),
        "macro_f1": f1_score(truth, pred, average="macro", zero_division=0),
        "precision": precision_score(truth, pred, average="micro", zero_division=0),
        "recall": recall_score(truth, pred, average="micro", zero_division=0),
        "coverage": float((pred.sum(axis=1) > 0).mean()),
    }


def run(name: str, texts: pd.Series, labels: pd.Series, seeds: int, cache: Path) -> list[dict]:
    t0 = time.perf_counter()
    corpus = process_answers(texts, options=TextOptions(), cache_dir=cache)
    parse_s = time.perf_counter() - t0
    terms = corpus.terms
    Y = pd.get_dummies(labels).astype(int).reset_index(drop=True)
    rows = []
    for seed in range(seeds):
        tr, te = train_test_split(
            np.arange(len(texts)), train_size=0.3, random_state=seed, stratify=labels.values
        )
        truth = Y.values[te]
        t0 = time.perf_counter()
        vec = TfidfVectorizer()
        base = OneVsRestClassifier(LogisticRegression(class_weight="balanced", max_iter=1000))
        base.fit(vec.fit_transform(texts.values[tr]), Y.values[tr])
        base_pred = base.predict(vec.transform(texts.values[te]))
        rows.append({"data": name, "seed": seed, "model": "baseline TF-IDF + LR (balanced)",
                     "fit_s": time.perf_counter() - t0, **scores(base_pred, truth)})
        t0 = time.perf_counter()
        coder = MultiLabelCoder(random_state=seed).fit([terms[i] for i in tr], Y.iloc[tr])
        fit_s = time.perf_counter() - t0
        test_terms = [terms[i] for i in te]
        proba = coder.predict_proba(test_terms)
        rows.append({"data": name, "seed": seed, "model": "coder, best guesses",
                     "fit_s": fit_s, **scores(coder.suggest(test_terms), truth)})
        for target in (0.7, 0.8, 0.9):
            pred = (proba >= coder.thresholds_for(target)).astype(int)
            pred[[len(t) == 0 for t in test_terms]] = 0
            rows.append({"data": name, "seed": seed, "model": f"coder, automatic @{target}",
                         "fit_s": fit_s, **scores(pred, truth)})
    for r in rows:
        r["n"], r["n_codes"], r["parse_s"] = len(texts), Y.shape[1], parse_s
    return rows


def markdown(table: pd.DataFrame, n_seeds: int) -> str:
    cols = ["micro_f1", "macro_f1", "precision", "recall", "coverage", "fit_s"]
    lines = [
        "## Assisted coding (`scripts/bench_coding.py`)",
        "",
        f"Machine: 2 cores, 24 GiB, Python {platform.python_version()}; "
        f"{dt.date.today().isoformat()}. Mean over {n_seeds} stratified 30 %/70 % splits; "
        "the coder learns from the 30 % and codes the 70 %.",
        "",
    ]
    for name, part in table.groupby("data", sort=False):
        first = part.iloc[0]
        lines += [
            f"### {name} ({int(first['n'])} answers, {int(first['n_codes'])} codes; "
            f"French processing {first['parse_s']:.0f} s, parse cache as found)",
            "",
            "| model | micro F1 | macro F1 | precision | recall | coverage | fit (s) |",
            "|---|---|---|---|---|---|---|",
        ]
        means = part.groupby("model", sort=False)[cols].mean()
        for model, r in means.iterrows():
            lines.append(
                f"| {model} | " + " | ".join(
                    f"{r[c]:.1f}" if c == "fit_s" else f"{r[c]:.3f}" for c in cols
                ) + " |"
            )
        gain = means.loc["coder, best guesses", "micro_f1"] - means.iloc[0]["micro_f1"]
        lines += ["", f"Best guesses minus baseline, micro-F1: {gain:+.4f}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="number of random splits")
    parser.add_argument("--out", type=Path, default=None, help="write the markdown table here")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp"))
                        / "textmine_bench_cache", help="parse cache folder")
    args = parser.parse_args()
    rows = []
    for name, loader in (("Assemblée nationale titles / rubrique", load_an),
                         ("République numérique arguments / section", load_rn)):
        texts, labels = loader()
        rows += run(name, texts, labels, args.seeds, args.cache)
    table = pd.DataFrame(rows)
    text = markdown(table, args.seeds)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
