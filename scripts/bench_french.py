"""Lemma quality of the French text stage on the real Grand Débat answers (issue 12 part 2).

Prints the share of single-word features (not negated, not expressions) that are French words
(simplemma's dictionary or wordfreq Zipf >= 3), the most frequent non-words, the accents restored
and the duplicate note. Run it with ``PYTHONPATH`` pointing at the code to measure (for a
before/after comparison, an exported older commit): ``python scripts/bench_french.py 3000``.
"""

from __future__ import annotations

import argparse
import glob
import random
from collections import Counter
from pathlib import Path

import pandas as pd

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
DATA = RAW / "granddebat_disaitek_samples"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, nargs="?", default=3000)
    args = parser.parse_args()

    # The word check always comes from the current french.py, whatever code is measured.
    import importlib.util

    from textmine.config import TextOptions
    from textmine.text.corpus import process_answers

    spec = importlib.util.spec_from_file_location(
        "french", Path(__file__).resolve().parents[1] / "textmine" / "text" / "french.py")
    french = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(french)

    texts: list[str] = []
    for path in sorted(glob.glob(str(DATA / "gd_animation_*.csv"))):
        texts += pd.read_csv(path, usecols=["comment"])["comment"].fillna("").astype(str).tolist()
    random.Random(0).shuffle(texts)
    texts = texts[: args.size]
    corpus = process_answers(pd.Series(texts, index=[str(i) for i in range(len(texts))]),
                             options=TextOptions(cache=False))
    toks = [t for doc in corpus.terms for t in doc if "_" not in t and t.islower() and t.isalpha()]
    types = set(toks)
    known = sum(french.known_word(t) for t in toks)
    known_types = sum(french.known_word(t) for t in types)
    counts = corpus.info["counts"]
    print(f"answers {len(texts)}, ok {counts['ok']}, non-answers {counts['non_answers']}, "
          f"tokens {len(toks)}, words {known / len(toks):.2%}, types {len(types)}, "
          f"word types {known_types / len(types):.2%}, vocabulary {counts['vocabulary']}")
    print("top non-words:",
          Counter(t for t in toks if not french.known_word(t)).most_common(15))
    accents = corpus.info.get("accents", {})
    print("accents:", {k: v for k, v in accents.items() if k != "pairs"},
          list(accents.get("pairs", {}).items())[:15])
    print("duplicates:", corpus.info.get("duplicates"))


if __name__ == "__main__":
    main()
