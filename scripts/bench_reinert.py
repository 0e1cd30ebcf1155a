"""Reinert classification on real French corpora: class sizes against the minimum class share.

Usage: python scripts/bench_reinert.py [--k 7] [--shares 0 0.01 0.02 0.03 0.05]

1. INED K1 (../shared/data/raw/ined_pee1992_k1/PEE_K1_extract.csv, 2017 very short answers,
   whole answers classified): for the default options, each class with its size and top profile
   terms, then the R.temis class (QO_Pee_K1_rtemis_outputs_extracted.md: hierarchical clustering
   after the author's lemmatisation, 7 classes) sharing the most top terms. The R.temis classes
   are a qualitative reference, not exact targets.
2. The minimum class share (``ReinertOptions.min_class_share``) measured on three corpora: INED
   K1 (answers, k = 7), rainette's Manifeste (IRaMuTeQ corpus, segments, k = 5,
   min_segment_size = 15 as in rainette's vignette) and the Grand Débat answers "De quelle
   manière votre vie quotidienne est-elle touchée par le changement climatique ?"
   (gd_animation_transition_14.csv, 8961 answers, k = 9 as the nine clusters of the source).
   For each share: classes reached, smallest and largest class (segments), classes under 1 %,
   unclassified share, and the sum of the split chi-squares (root height: how strongly the
   tree separates the vocabulary).

3. ``--granddebat``: speed and peak memory of ``reinert()`` (default options, k = 10, segments)
   on the 71,448 Grand Débat answers of the 8 files of ``granddebat_disaitek_samples`` (column
   ``comment``), in a child process so that its peak RSS is its own: wall time of the whole call
   (segmenting + text stage + classification), of the classification alone, and peak RSS.
   Run it once with ``--warm`` first (a cold parse of 71k answers takes minutes): the target
   (issue 16) is <= 2 minutes and <= 2 GiB after the parse cache is warm. The cache folder is
   ``$TEXTMINE_CACHE_DIR`` (or the user cache).

Data are read in place; the text stage runs once per corpus (parse cache). Prints elapsed
times and peak memory.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from textmine.classes.reinert import classify_segments, reinert
from textmine.classes.segments import make_segments, segment_corpus
from textmine.config import ReadOptions, ReinertOptions
from textmine.survey import open_answers, read_survey
from textmine.survey.iramuteq import read_iramuteq

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
#: Specific terms of the 7 R.temis classes printed in the reference document.
RTEMIS = {
    1: {"autour", "maison", "chez", "tout"},
    2: {"entourage", "construire", "naturel", "constituer"},
    3: {"entourer", "tout"},
    4: {"cadre", "qualité", "vie"},
    5: {"bien", "être", "où", "vivre"},
    6: {"écologie", "nature", "pollution"},
    7: {"arbre", "calme", "campagne", "espace", "forêt"},
}


def k1_answers() -> pd.Series:
    """The K1 answers indexed by respondent id."""
    path = RAW / "ined_pee1992_k1" / "PEE_K1_extract.csv"
    return open_answers(read_survey(path, options=ReadOptions(id_col="qnumq")), "K1")


def manifeste_answers() -> pd.Series:
    """The four parts of rainette's Manifeste, indexed by part."""
    frame = read_iramuteq(RAW / "rainette_manifeste" / "manifeste_pc.txt")
    return pd.Series(frame["texte"].tolist(), index=[f"p{i + 1}" for i in range(len(frame))])


def granddebat_answers() -> pd.Series:
    """Grand Débat answers on the climate question, numbered from 1."""
    path = RAW / "granddebat_disaitek_samples" / "gd_animation_transition_14.csv"
    return open_answers(read_survey(path), "comment")


def top_terms(profiles: pd.DataFrame, label: int, n: int = 8) -> list[str]:
    """The ``n`` strongest over-represented terms of one class."""
    prof = profiles[(profiles["class"] == label) & (profiles["sign"] == "over")]
    return prof["term"].head(n).tolist()


def k1_table(k: int) -> None:
    """Classes of K1 with the default options, matched with the R.temis classes."""
    answers = k1_answers()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = reinert(answers, options=ReinertOptions(k=k, unit="answers",
                                                         min_segment_size=0))
    elapsed = time.perf_counter() - started
    classes = result.classes.set_index("class")
    print(f"INED K1: {len(answers)} answers, {result.info['counts']}")
    print(f"{'class':>5} {'size':>5} {'share':>6}  {'top terms (+)':<60} best R.temis class")
    matched = set()
    for label in range(1, result.info["k"] + 1):
        top = top_terms(result.profiles, label)
        overlap = {c: len(set(top) & terms) for c, terms in RTEMIS.items()}
        best = max(overlap, key=overlap.get)
        match = f"{best} ({', '.join(sorted(set(top) & RTEMIS[best]))})" if overlap[best] else "-"
        if overlap[best]:
            matched.add(best)
        print(f"{label:>5} {classes.loc[label, 'size']:>5} {classes.loc[label, 'share']:>6.1%}  "
              f"{', '.join(top):<60} {match}")
    print(f"non classés: {classes.loc[0, 'size']}")
    print(f"R.temis classes recovered (top-term overlap): {len(matched)}/7")
    print(f"elapsed {elapsed:.1f} s (text stage + classification; classification alone "
          f"{result.info['seconds']:.2f} s)")


CORPORA = {
    # name: (answers, k, unit, min_segment_size)
    "INED K1": (k1_answers, 7, "answers", 0),
    "Manifeste": (manifeste_answers, 5, "segments", 15),
    "Grand Débat (climat)": (granddebat_answers, 9, "answers", 0),
}


def share_table(shares: list[float]) -> None:
    """Class sizes against ``min_class_share`` on the three corpora."""
    print()
    print(f"{'corpus':<22} {'share':>6} {'classes':>7} {'smallest':>8} {'largest':>7} "
          f"{'<1 %':>4} {'unclassified':>12} {'sum chi2':>9} {'R.temis':>7}")
    for name, (load, k, unit, min_size) in CORPORA.items():
        answers = load()
        size = 40 if unit == "segments" else 10**9
        segments = make_segments(answers, segment_size=size)
        corpus = segment_corpus(segments)
        for share in shares:
            options = ReinertOptions(k=k, unit=unit, min_segment_size=min_size,
                                     min_class_share=share)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = classify_segments(segments, corpus.terms, options=options,
                                           status=corpus.status, answers=answers)
            leaves = result.classes[(result.classes["class"] >= 1)
                                    & (result.classes["class"] <= result.info["k"])]
            total = len(result.segments)
            tiny = int((leaves["size"] < 0.01 * total).sum())
            heights = result.tree.heights if result.tree is not None else []
            recovered = "-"
            if name == "INED K1":
                found = set()
                for label in leaves["class"]:
                    top = set(top_terms(result.profiles, int(label)))
                    best = max(RTEMIS, key=lambda c, t=top: len(t & RTEMIS[c]))
                    if top & RTEMIS[best]:
                        found.add(best)
                recovered = f"{len(found)}/7"
            unclassified = int(result.classes.loc[result.classes["class"] == 0, "size"].sum())
            print(f"{name:<22} {share:>6.3f} {len(leaves):>7} {int(leaves['size'].min()):>8} "
                  f"{int(leaves['size'].max()):>7} {tiny:>4} {unclassified / total:>12.1%} "
                  f"{sum(heights):>9.1f} {recovered:>7}")


def granddebat_all() -> pd.Series:
    """The 71,448 answers of the 8 Grand Débat files (column ``comment``), numbered from 1."""
    texts: list[str] = []
    for path in sorted(glob.glob(str(RAW / "granddebat_disaitek_samples" / "gd_animation_*.csv"))):
        texts += pd.read_csv(path, usecols=["comment"])["comment"].fillna("").astype(str).tolist()
    return pd.Series(texts, index=[f"r{i + 1}" for i in range(len(texts))])


def granddebat_child(result: str) -> None:
    """Run ``reinert()`` on all Grand Débat answers; write wall time, RSS and counts."""
    answers = granddebat_all()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = reinert(answers, options=ReinertOptions())
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss = usage.ru_maxrss / 1024
    # CPU time of the whole process (reading the CSVs and importing included): on a loaded
    # machine wall time overstates what the call costs
    cpu = usage.ru_utime + usage.ru_stime
    leaves = out.classes[(out.classes["class"] >= 1) & (out.classes["class"] <= out.info["k"])]
    Path(result).write_text(json.dumps({
        "answers": len(answers), "wall": wall, "classify": out.info["seconds"], "cpu": cpu,
        "rss_mib": rss, "segments": len(out.segments), "k": int(out.info["k"]),
        "smallest": int(leaves["size"].min()), "largest": int(leaves["size"].max()),
        "unclassified": int(out.classes.loc[out.classes["class"] == 0, "size"].sum()),
    }))


def granddebat_table(runs: int) -> None:
    """Wall time and peak RSS of ``reinert()`` on 71k answers, each run in a new process."""
    print()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"(1/5/15 min), {os.cpu_count()} CPUs")
    print(f"{'run':>3} {'answers':>8} {'segments':>8} {'wall s':>7} {'classify s':>10} "
          f"{'text stage s':>12} {'CPU s':>6} {'peak RSS MiB':>12} {'classes':>7} "
          f"{'smallest':>8} {'largest':>7} {'unclassified':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(1, runs + 1):
            result = Path(tmp) / f"run{run}.json"
            subprocess.run([sys.executable, __file__, "--child", str(result)], check=True)
            r = json.loads(result.read_text())
            print(f"{run:>3} {r['answers']:>8} {r['segments']:>8} {r['wall']:>7.1f} "
                  f"{r['classify']:>10.1f} {r['wall'] - r['classify']:>12.1f} "
                  f"{r['cpu']:>6.1f} {r['rss_mib']:>12.0f} {r['k']:>7} {r['smallest']:>8} "
                  f"{r['largest']:>7} {r['unclassified']:>12}")
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=7)
    parser.add_argument("--shares", type=float, nargs="*",
                        default=[0.0, 0.005, 0.01, 0.02, 0.03, 0.05])
    parser.add_argument("--granddebat", type=int, default=0, metavar="RUNS",
                        help="time reinert() on the 71,448 Grand Débat answers RUNS times "
                             "(each in a new process) instead of the K1/share tables")
    parser.add_argument("--warm", action="store_true",
                        help="only fill the parse cache for --granddebat (the cold parse)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        granddebat_child(args.child)
        return
    started = time.perf_counter()
    if args.warm:
        from textmine.classes.segments import make_segments, segment_corpus
        corpus = segment_corpus(make_segments(granddebat_all()))
        print(f"parse cache: {corpus.info['cache']}, {time.perf_counter() - started:.0f} s")
        return
    if args.granddebat:
        granddebat_table(args.granddebat)
        return
    k1_table(args.k)
    if args.shares:
        share_table(args.shares)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total {time.perf_counter() - started:.1f} s, peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
