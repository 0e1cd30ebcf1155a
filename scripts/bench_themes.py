"""Benchmark of theme recovery (ARI, NMI) and fit time, against plain scikit-learn.

Runs on real third-party data in ``../shared/data/raw`` (read in place):

1. Assemblée nationale written questions: titles (``titre``) of the questions of the 8 most
   frequent ``rubrique`` (the human labels), k = 8.
2. Grand Débat: 1,000 answers from each of the 8 question files (label = question of origin), k = 8.
3. INED PEE 1992, question K1 (k = 7): themes printed for comparison with R.temis's 7 classes.
4. Fit time of the default method for 10,000 and all 71,448 Grand Débat answers.

The baseline is what a user of scikit-learn would write: TfidfVectorizer with spaCy's French
stop list, NMF (k components, random_state=0), argmax. Each textmine method is run with its
default settings (``ThemeOptions(k=...)``) through the public API (``process_answers`` +
``discover_themes``); unassigned answers count as one extra predicted class.

Usage: ``.venv/bin/python scripts/bench_themes.py [--skip-70k]``
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from spacy.lang.fr.stop_words import STOP_WORDS

from textmine.codebook import load_codebook
from textmine.config import ReadOptions, TextOptions, ThemeOptions
from textmine.survey import open_answers, read_survey
from textmine.text.corpus import process_answers
from textmine.themes import discover_themes

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
METHODS = ("short", "nmf", "lda")


def markdown(df: pd.DataFrame) -> str:
    """A GitHub markdown table (pandas' to_markdown needs tabulate, not a dependency)."""

    def cell(v: object) -> str:
        text = f"{v:.3f}" if isinstance(v, float) else str(v)
        return text.replace("|", "/").replace("\n", " ")

    lines = ["| " + " | ".join(map(str, df.columns)) + " |",
             "|" + "|".join("---" for _ in df.columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(False)]
    return "\n".join(lines)


def plain_nmf(texts: list[str], k: int) -> np.ndarray:
    """The baseline: TF-IDF with spaCy's stop list + NMF + argmax."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X = TfidfVectorizer(stop_words=sorted(STOP_WORDS)).fit_transform(texts)
        W = NMF(n_components=k, random_state=0).fit_transform(X)
    return W.argmax(axis=1)


def scores(y: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    return adjusted_rand_score(y, pred), normalized_mutual_info_score(y, pred)


def textmine_predictions(corpus, k: int, method: str) -> tuple[np.ndarray, float, dict]:
    t0 = time.perf_counter()
    result = discover_themes(corpus, options=ThemeOptions(k=k, method=method))
    elapsed = time.perf_counter() - t0
    pred = result.answers["theme_id"].fillna(0).astype(int).to_numpy()
    return pred, elapsed, result.info["counts"]


def recovery(name: str, texts: pd.Series, y: np.ndarray, k: int) -> list[dict]:
    rows = []
    t0 = time.perf_counter()
    base = plain_nmf(texts.tolist(), k)
    rows.append({"data": name, "method": "plain sklearn NMF", "n": len(texts),
                 "ari": scores(y, base)[0], "nmi": scores(y, base)[1],
                 "fit_s": time.perf_counter() - t0, "unassigned": 0})
    t0 = time.perf_counter()
    corpus = process_answers(texts, options=TextOptions())
    parse_s = time.perf_counter() - t0
    for method in METHODS:
        pred, fit_s, counts = textmine_predictions(corpus, k, method)
        ari, nmi = scores(y, pred)
        rows.append({"data": name, "method": f"textmine {method}", "n": len(texts), "ari": ari,
                     "nmi": nmi, "fit_s": fit_s, "unassigned": counts["unassigned"]})
    print(f"  ({name}: text processing {parse_s:.1f} s)")
    return rows


def load_an() -> tuple[pd.Series, np.ndarray]:
    survey = read_survey(RAW / "an_questions_ecrites_16e" / "data.csv",
                         options=ReadOptions(encoding="cp1252", sep="|", id_col="id"))
    rubrique = survey.data["rubrique"].astype(str)
    top = rubrique.value_counts().index[:8]
    keep = rubrique.isin(top)
    titles = open_answers(survey, "titre")[keep]
    return titles, rubrique[keep].to_numpy()


def load_gd(per_file: int | None, seed: int = 0) -> tuple[pd.Series, np.ndarray]:
    texts, labels = [], []
    for path in sorted((RAW / "granddebat_disaitek_samples").glob("gd_animation_*.csv")):
        df = pd.read_csv(path, usecols=["comment"], dtype=str).fillna("")
        if per_file is not None:
            df = df.sample(n=per_file, random_state=seed)
        texts += df["comment"].tolist()
        labels += [path.stem.removeprefix("gd_animation_")] * len(df)
    ids = [f"gd{i}" for i in range(len(texts))]
    return pd.Series(texts, index=pd.Index(ids, name="respondent_id")), np.array(labels)


def ined_themes() -> pd.DataFrame:
    survey = read_survey(RAW / "ined_pee1992_k1" / "PEE_K1_extract.csv",
                         options=ReadOptions(encoding="latin-1", sep=";", id_col="qnumq"))
    corpus = process_answers(open_answers(survey, "K1"), options=TextOptions())
    result = discover_themes(corpus, options=ThemeOptions(k=7))
    print("  counts:", result.info["counts"])
    return result.themes[["theme_id", "label", "n_answers", "top_terms", "quote_1"]]


def seeded_demo() -> pd.DataFrame:
    """Seeded themes (default settings) against the demo survey's hand coding (demo_truth.csv)."""
    repo = Path(__file__).resolve().parents[1] / "data"
    survey = read_survey(repo / "demo_survey.csv", options=ReadOptions(id_col="id"))
    truth = pd.read_csv(repo / "demo_truth.csv", dtype=str, keep_default_na=False)
    rows = []
    for question, book in (("q_evolution", "codebook_evolution.yaml"),
                           ("q_outils", "codebook_outils.yaml"),
                           ("q_manques", "codebook_manques.yaml")):
        corpus = process_answers(open_answers(survey, question), options=TextOptions())
        codebook = load_codebook(repo / book)
        seeds = seed_processor(TextOptions())
        result = discover_themes(corpus, options=ThemeOptions(), codebook=codebook,
                                 seed_processor=seeds)
        coded = truth[truth["question"] == question].set_index("respondent_id")["themes"]
        coded = coded.reindex(corpus.ids).fillna("")
        answers = result.answers.set_index("respondent_id")["themes"]
        for tid, name in zip(result.themes["theme_id"], result.themes["label"], strict=True):
            if name not in codebook.names:
                continue
            pred = answers.map(lambda cell, t=str(tid): t in cell.split(";"))
            true = coded.map(lambda cell, n=name: n in cell.split(";"))
            tp = int((pred & true).sum())
            precision, recall = tp / max(pred.sum(), 1), tp / max(true.sum(), 1)
            f1 = 2 * precision * recall / max(precision + recall, 1e-9)
            rows.append({"question": question, "theme": name, "coded": int(true.sum()),
                         "found": int(pred.sum()), "precision": precision, "recall": recall,
                         "f1": f1})
    return pd.DataFrame(rows)


def seed_processor(options: TextOptions):
    """Seeds through the same text pipeline as the answers (as ``textmine themes`` does)."""

    def process(phrases: list[str]) -> list[list[str]]:
        index = pd.Index([f"seed{i}" for i in range(len(phrases))], name="respondent_id")
        return process_answers(pd.Series(phrases, index=index), options=options).terms

    return process


def timing(n: int | None) -> dict:
    texts, _ = load_gd(None)
    if n is not None:
        texts = texts.sample(n=n, random_state=0)
    t0 = time.perf_counter()
    corpus = process_answers(texts, options=TextOptions())
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    discover_themes(corpus, options=ThemeOptions(k=8))
    fit_s = time.perf_counter() - t0
    return {"answers": len(texts), "text_processing_s": round(parse_s, 1),
            "themes_fit_s (k=8, default method)": round(fit_s, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-70k", action="store_true", help="Skip the 71,448-answer timing.")
    args = parser.parse_args()
    print(f"# bench_themes — {date.today()} — {platform.python_version()}, "
          f"default method: {ThemeOptions().method}")
    rows = []
    titles, y = load_an()
    rows += recovery("AN titles (8 rubriques)", titles, y, 8)
    texts, y = load_gd(1000)
    rows += recovery("Grand Débat (8 questions x 1000)", texts, y, 8)
    table = pd.DataFrame(rows)
    print(markdown(table))
    demo = seeded_demo()
    print("\nSeeded themes vs the demo survey's hand coding (default settings):")
    print(markdown(demo))
    print(f"mean F1 = {demo['f1'].mean():.3f}")
    print("\nINED K1, k = 7:")
    print(markdown(ined_themes()))
    print("\nFit time:")
    sizes = [10000] if args.skip_70k else [10000, None]
    print(markdown(pd.DataFrame([timing(n) for n in sizes])))


if __name__ == "__main__":
    main()
