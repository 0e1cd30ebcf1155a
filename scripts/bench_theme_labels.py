"""Labels, membership, catch-alls and stability of themes (issue 14, items 4, 7 and 8).

Prints, as markdown tables:

1. the demo survey (``data/``, its codebooks, default settings): per question, the largest free
   theme's share (target <= 35 %) and whether every label and top term is written in the answers;
2. INED K1 (``../shared/data/raw/ined_pee1992_k1``, very short answers, k = 7 as R.temis): the
   themes (label, share, stability, under-assigned), and the answers writing "nature" that are
   outside the theme whose lead word it is (the issue counted 219 of 866);
3. the cost of the stability measure: fit time with ``stability_resamples`` 0 and 10 on INED
   K1 and the AN titles, and the ratio.

Usage: ``PYTHONPATH=. python scripts/bench_theme_labels.py`` (a few minutes on 2 cores).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from textmine.codebook import load_codebook
from textmine.config import ReadOptions, TextOptions, ThemeOptions
from textmine.survey import open_answers, read_survey
from textmine.text.corpus import process_answers
from textmine.themes import discover_themes
from textmine.themes.catchall import OTHERS_LABEL

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_seeded import load_an  # noqa: E402
from bench_themes import markdown, seed_processor  # noqa: E402

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
DATA = Path(__file__).resolve().parents[1] / "data"


def demo() -> pd.DataFrame:
    survey = read_survey(DATA / "demo_survey.csv", options=ReadOptions(id_col="id"))
    rows = []
    for question, book in (("q_evolution", "codebook_evolution.yaml"),
                           ("q_outils", "codebook_outils.yaml"),
                           ("q_manques", "codebook_manques.yaml")):
        corpus = process_answers(open_answers(survey, question), options=TextOptions())
        codebook = load_codebook(DATA / book)
        for seeded in (True, False):
            result = discover_themes(
                corpus, options=ThemeOptions(k="auto"), codebook=codebook if seeded else None,
                seed_processor=seed_processor(TextOptions()) if seeded else None)
            t = result.themes
            free = t[~t["label"].isin(codebook.names if seeded else [])
                     & (t["label"] != OTHERS_LABEL)]
            joined = " ".join(" ".join(corpus.masked).split()).casefold()
            forms = [f for label, top in zip(free["label"], free["top_terms"], strict=True)
                     for f in [*label.split(" / "), *top.split("; ")] if f]
            rows.append({
                "question": question, "codebook": "yes" if seeded else "no",
                "themes": len(t), "free themes": len(free),
                "largest free share": float(free["share"].max()) if len(free) else 0.0,
                "Divers / autres": int((t["label"] == OTHERS_LABEL).sum()),
                "label/top terms written in the answers": f"{sum(f in joined for f in forms)}"
                                                          f"/{len(forms)}",
                "splits": len(result.info["catch_all"]["splits"]),
            })
    return pd.DataFrame(rows)


def ined() -> tuple[pd.DataFrame, str]:
    survey = read_survey(RAW / "ined_pee1992_k1" / "PEE_K1_extract.csv",
                         options=ReadOptions(encoding="latin-1", sep=";", id_col="qnumq"))
    corpus = process_answers(open_answers(survey, "K1"), options=TextOptions())
    result = discover_themes(corpus, options=ThemeOptions(k=7))
    t, a = result.themes, result.answers
    says = a["text"].str.contains(r"\bnature\b", case=False, regex=True)
    lead = t.index[t["label"].str.split(" / ").str[0] == "nature"]
    note = f"answers writing 'nature': {int(says.sum())}"
    for i in lead:
        tid = str(int(t.loc[i, "theme_id"]))
        inside = a["themes"].astype(str).map(lambda c, tid=tid: tid in c.split(";"))
        note += (f"; outside theme {tid} '{t.loc[i, 'label']}': "
                 f"{int((says & ~inside).sum())}")
    both = a.loc[a["text"].str.fullmatch(r"(?i)\s*la nature, cadre de vie\s*"), "themes"]
    note += f"; 'la nature, cadre de vie' carries themes {sorted(set(both))}"
    cols = ["theme_id", "label", "n_answers", "share", "stability", "under_assigned", "quote_1"]
    return t[cols], note


def stability_cost() -> pd.DataFrame:
    survey = read_survey(RAW / "ined_pee1992_k1" / "PEE_K1_extract.csv",
                         options=ReadOptions(encoding="latin-1", sep=";", id_col="qnumq"))
    sets = {"INED K1 (k = 7)": (open_answers(survey, "K1"), 7),
            "AN titles (k = 8)": (load_an()[0], 8)}
    rows = []
    for name, (texts, k) in sets.items():
        corpus = process_answers(texts, options=TextOptions())
        times = {}
        for n in (0, 5):
            t0 = time.perf_counter()
            discover_themes(corpus, options=ThemeOptions(k=k, stability_resamples=n))
            times[n] = time.perf_counter() - t0
        rows.append({"corpus": name, "answers": len(texts), "fit_s (no stability)": times[0],
                     "fit_s (5 resamples)": times[5], "ratio": times[5] / times[0]})
    return pd.DataFrame(rows)


def main() -> None:
    print("Demo survey (default settings)")
    print(markdown(demo()))
    print()
    table, note = ined()
    print("INED K1, k = 7")
    print(markdown(table))
    print(note)
    print()
    print("Cost of the stability measure")
    print(markdown(stability_cost()))


if __name__ == "__main__":
    main()
