"""Reinert classification on INED K1, compared with the R.temis classes documented with the data.

Usage: python scripts/bench_reinert.py [--k 7]

Reads ../shared/data/raw/ined_pee1992_k1/PEE_K1_extract.csv in place, classifies whole answers
(K1 answers are short: median 5 words) and prints, for each class, its size and top profile
terms, then the R.temis class (QO_Pee_K1_rtemis_outputs_extracted.md: hierarchical clustering
after the author's lemmatisation, 7 classes) sharing the most top terms. The R.temis classes are
a qualitative reference, not exact targets. Prints the elapsed time and peak memory.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from textmine.classes.reinert import ReinertOptions, reinert
from textmine.config import ReadOptions
from textmine.survey import open_answers, read_survey

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=7)
    parser.add_argument("--min-split-members", type=int, default=10)
    args = parser.parse_args()
    path = RAW / "ined_pee1992_k1" / "PEE_K1_extract.csv"
    survey = read_survey(path, options=ReadOptions(id_col="qnumq"))
    answers = open_answers(survey, "K1")
    started = time.perf_counter()
    result = reinert(answers, options=ReinertOptions(
        k=args.k, unit="answers", min_segment_size=0, min_split_members=args.min_split_members))
    elapsed = time.perf_counter() - started
    classes = result.classes.set_index("class")
    print(f"INED K1: {len(answers)} answers, {result.info['counts']}")
    print(f"{'class':>5} {'size':>5} {'share':>6}  {'top terms (+)':<60} best R.temis class")
    for label in range(1, result.info["k"] + 1):
        prof = result.profiles[(result.profiles["class"] == label)
                               & (result.profiles["sign"] == "+")]
        top = prof["term"].head(8).tolist()
        overlap = {c: len(set(top) & terms) for c, terms in RTEMIS.items()}
        best = max(overlap, key=overlap.get)
        match = f"{best} ({', '.join(sorted(set(top) & RTEMIS[best]))})" if overlap[best] else "-"
        print(f"{label:>5} {classes.loc[label, 'size']:>5} {classes.loc[label, 'share']:>6.1%}  "
              f"{', '.join(top):<60} {match}")
    print(f"non classés: {classes.loc[0, 'size']}")
    profiles = result.profiles
    matched = set()
    for lab in range(1, result.info["k"] + 1):
        top = set(profiles[(profiles["class"] == lab) & (profiles["sign"] == "+")]["term"].head(8))
        matched.add(max(RTEMIS, key=lambda c, top=top: len(top & RTEMIS[c])))
    print(f"R.temis classes recovered (top-term overlap): {len(matched)}/7")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"elapsed {elapsed:.1f} s (text stage + classification; classification alone "
          f"{result.info['seconds']:.2f} s), peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
