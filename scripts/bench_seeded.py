"""Seeded themes with a codebook made of the tag names, against unseeded themes (issue 14, item 5).

A codebook whose themes are the human tags' names, each with its name as its only seed (what a
researcher writes first), is given to ``discover_themes``; the primary theme of each answer is
compared with the tag by NMI. Settings, each over seeds 0..4 (mean ± sd), in one run:

- plain scikit-learn NMF on TF-IDF (k = number of tags): the baseline;
- textmine unseeded (default settings, k = number of tags);
- textmine seeded with the tag names through ``nmf`` (seed terms pull the factorisation) or
  ``semantic`` (each entry's name and seeds embedded as the anchor of its theme), seeds alone
  (the default ``seed_neighbours = 0``) or expanded with 5 neighbours (co-occurrence; with
  ``semantic`` also 5 terms closest in meaning), and the default settings (``--method auto``).

Corpora (../shared/data/raw, see each PROVENANCE.md): Assemblée nationale written questions,
titles, 8 most frequent ``rubrique`` (the AN's indexing); République numérique 2015 opinions
(title + body), the 11 sections (``type.subtitle``) holding at least 20 opinions (loaders
shared with
``bench_themes.py``). Also the demo
survey's seeded themes against its hand coding (mean F1 of seeded themes), to check that the
expansion does not hurt a researcher's codebook with real seed words.

``--heldout``: only unseeded against seeded (default settings) on two corpora with named labels
the seeded settings were not chosen on, AN full questions by rubrique and RUA arguments by
section. ``--pairs``: the same on all four corpora (AN titles and République numérique too).

Usage: ``PYTHONPATH=. python scripts/bench_seeded.py [--demo-only | --heldout | --pairs]`` (about 15
minutes on 2 cores; the République numérique fits take most of it). Prints markdown tables.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

from textmine.codebook import Codebook, CodebookTheme
from textmine.config import ReadOptions, TextOptions, ThemeOptions
from textmine.survey import open_answers, read_survey
from textmine.text.corpus import process_answers
from textmine.themes import discover_themes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_themes import (  # noqa: E402
    load_an,
    load_rn,
    load_rua,
    markdown,
    plain_nmf,
    seed_processor,
    subsample,
)

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
SEEDS = range(5)


def primary(result) -> np.ndarray:
    return result.answers["theme_id"].fillna(0).astype(int).to_numpy()


def tag_codebook(tags: list[str]) -> Codebook:
    """The codebook a researcher writes first: each tag's name as its only seed."""
    return Codebook(themes=tuple(CodebookTheme(name=t, seeds=(t,)) for t in tags))


def nmi_table(name: str, texts: pd.Series, y: np.ndarray,
              only: tuple[str, ...] | None = None) -> list[dict]:
    tags = sorted(set(y))
    k = len(tags)
    corpus = process_answers(texts, options=TextOptions())
    book = tag_codebook(tags)
    seeds = seed_processor(TextOptions())
    settings = {
        "plain sklearn NMF": None,
        "textmine unseeded": {},
        "seeded nmf, tag names alone": {"method": "nmf"},
        "seeded nmf, tag names + 5 co-occurrence neighbours": {"method": "nmf",
                                                                "seed_neighbours": 5},
        "seeded semantic, tag names alone": {"method": "semantic"},
        "seeded semantic, tag names + 5 neighbours of each kind": {"method": "semantic",
                                                                    "seed_neighbours": 5},
        "seeded, default settings": {"method": "auto"},
    }
    rows = []
    for label, extra in settings.items():
        if only is not None and label not in only:
            continue
        scores, times = [], []
        for seed in SEEDS:
            t0 = time.perf_counter()
            if extra is None:
                pred = plain_nmf(texts.tolist(), k, seed)
            elif label == "textmine unseeded":
                pred = primary(discover_themes(corpus, options=ThemeOptions(
                    k=k, seed=seed, stability_resamples=0)))
            else:
                pred = primary(discover_themes(
                    corpus, options=ThemeOptions(seed=seed, extra_themes=0,
                                                 stability_resamples=0, **extra),
                    codebook=book, seed_processor=seeds))
            times.append(time.perf_counter() - t0)
            scores.append(normalized_mutual_info_score(y, pred))
        rows.append({"corpus": name, "setting": label, "n": len(texts), "k": k,
                     "nmi_mean": float(np.mean(scores)), "nmi_sd": float(np.std(scores)),
                     "fit_s": float(np.mean(times))})
        print(f"  {name}: {label}: {np.mean(scores):.3f} ± {np.std(scores):.3f}", flush=True)
    return rows


def demo_f1() -> pd.DataFrame:
    """Mean F1 of the demo's seeded themes against its hand coding, with and without expansion."""
    from textmine.codebook import load_codebook

    repo = Path(__file__).resolve().parents[1] / "data"
    survey = read_survey(repo / "demo_survey.csv", options=ReadOptions(id_col="id"))
    truth = pd.read_csv(repo / "demo_truth.csv", dtype=str, keep_default_na=False)
    out = []
    for method, n in (("nmf", 0), ("nmf", 5), ("semantic", 0), ("semantic", 5), ("auto", 0)):
        f1s = []
        for question, book in (("q_evolution", "codebook_evolution.yaml"),
                               ("q_outils", "codebook_outils.yaml"),
                               ("q_manques", "codebook_manques.yaml")):
            corpus = process_answers(open_answers(survey, question), options=TextOptions())
            codebook = load_codebook(repo / book)
            result = discover_themes(
                corpus, options=ThemeOptions(method=method, seed_neighbours=n,
                                             stability_resamples=0),
                codebook=codebook, seed_processor=seed_processor(TextOptions()))
            coded = truth[truth["question"] == question].set_index("respondent_id")["themes"]
            coded = coded.reindex(corpus.ids).fillna("")
            answers = result.answers.set_index("respondent_id")["themes"]
            for tid, name in zip(result.themes["theme_id"], result.themes["label"], strict=True):
                if name not in codebook.names:
                    continue
                pred = answers.map(lambda cell, t=str(tid): t in cell.split(";"))
                true = coded.map(lambda cell, n=name: n in cell.split(";"))
                tp = int((pred & true).sum())
                p, r = tp / max(pred.sum(), 1), tp / max(true.sum(), 1)
                f1s.append(2 * p * r / max(p + r, 1e-9))
        out.append({"method": method, "seed_neighbours": n, "seeded themes": len(f1s),
                    "mean F1": float(np.mean(f1s))})
    return pd.DataFrame(out)


def main() -> None:
    if "--demo-only" in sys.argv:
        print(markdown(demo_f1()))
        return
    rows = []
    if "--heldout" in sys.argv or "--pairs" in sys.argv:
        only = ("textmine unseeded", "seeded, default settings")
        if "--pairs" in sys.argv:
            # the target's two corpora, unseeded against seeded only
            rows += nmi_table("AN titles (8 rubriques)", *load_an("titre"), only)
            rows += nmi_table("République numérique (11 sections)", *load_rn(names=True), only)
        # Corpora with named labels the seeded settings were not chosen on (2026-12-01).
        rows += nmi_table("AN questions (8 rubriques)", *subsample(*load_an("question")), only)
        rows += nmi_table("RUA arguments (3 sections)", *subsample(*load_rua()), only)
        print(markdown(pd.DataFrame(rows)))
        return
    print("AN titles (8 rubriques)", flush=True)
    rows += nmi_table("AN titles (8 rubriques)", *load_an("titre"))
    print("République numérique (11 sections)", flush=True)
    rows += nmi_table("République numérique (11 sections)", *load_rn(names=True))
    table = pd.DataFrame(rows)
    table["nmi"] = [f"{m:.3f} ± {s:.3f}" for m, s in zip(table["nmi_mean"], table["nmi_sd"],
                                                         strict=True)]
    print()
    print(markdown(table[["corpus", "setting", "n", "k", "nmi", "fit_s"]]))
    base = table.set_index(["corpus", "setting"])["nmi_mean"]
    print()
    for corpus in table["corpus"].unique():
        gain = (base[(corpus, "seeded, default settings")]
                - base[(corpus, "textmine unseeded")])
        print(f"{corpus}: seeded (default) - unseeded = {gain:+.3f}")
    print()
    print("Demo survey, seeded themes against the hand coding")
    print(markdown(demo_f1()))


if __name__ == "__main__":
    main()
