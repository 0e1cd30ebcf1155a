"""INED 1992 (open question K1): textmine's specificities side by side with R.temis's output.

R.temis's published run on this file (``QO_Pee_K1_rtemis_outputs_extracted.md`` in
``../shared/data/raw/ined_pee1992_k1/``) lists, for each age band (``aget``), the specific terms
with their counts, a "t value" (the normal quantile of the one-sided hypergeometric probability)
and that probability. This script reproduces the analysis with textmine's public API in two ways:

- ``rtemis`` terms: the answers tokenised the way R.temis's ``build_dtm`` does (lower case, split
  on anything but letters/digits, words of 2+ characters, no stop-word removal, no
  lemmatisation). It gives exactly R.temis's 2017 x 1157 matrix with 12,222 occurrences, so the
  probabilities must agree to the printed precision: this checks the statistics.
- ``textmine`` terms: K1 processed by ``textmine.text.corpus.process_answers`` (spaCy lemmas, French
  stop words, negation, multi-word expressions). It shows what a textmine user actually gets. If
  that module is not available yet, the script says so and shows the ``rtemis`` terms only.

Usage::

    .venv/bin/python scripts/ined_specificities.py [--raw ../shared/data/raw] [--by aget]
        [--top 10] [--markdown]

Prints the comparison tables (markdown with ``--markdown``).
"""

from __future__ import annotations

import argparse
import math
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from scipy.stats import norm

from textmine.config import ReadOptions, TableOptions
from textmine.survey import open_answers, read_survey
from textmine.tables import crosstab, effects, specificities

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RAW = ROOT.parent / "shared" / "data" / "raw"
FOLDER = "ined_pee1992_k1"
ROW = re.compile(
    r"^(?P<term>\S+)\s+(?P<pct_tl>[-\d.]+)\s+(?P<pct_lt>[-\d.]+)\s+(?P<glob>[-\d.]+)\s+"
    r"(?P<occ>\d+)\s+(?P<gocc>\d+)\s+(?P<t>-?[\d.]+|-?Inf)(?:\s+(?P<prob>[\d.]+))?$"
)


def rtemis_tokens(text: str) -> str:
    """Tokenise like R.temis's build_dtm: lower case, split on non-word characters, >= 2 chars."""
    return " ".join(w for w in re.split(r"[^\w]+", text.lower()) if len(w) >= 2)


def parse_rtemis(path: Path, levels: list[str]) -> pd.DataFrame:
    """Specific terms per modality printed by R.temis (first 'Mots spécifiques' section)."""
    text = path.read_text(encoding="utf-8")
    start = text.index("### Mots spécifiques par modalités")
    end = text.index("### Réponses spécifiques par modalités")
    rows, probs, level, sign = [], {}, None, 1
    for line in text[start:end].splitlines():
        head = re.match(r"^\$`(.+)`$", line.strip())
        if head:
            level, sign = head.group(1), 1
            continue
        if level is None or level not in levels:
            continue
        if line.startswith("---"):
            sign = -1
            continue
        m = ROW.match(line.strip())
        if m:
            rows.append(
                {
                    "modality": level,
                    "term": m["term"],
                    "rank": sum(r["modality"] == level for r in rows) + 1,
                    "rtemis_occ": int(m["occ"]),
                    "rtemis_total": int(m["gocc"]),
                    "rtemis_t": float(m["t"].replace("Inf", "inf")),
                    "rtemis_prob": float(m["prob"]) if m["prob"] else math.nan,
                    "side": sign,
                }
            )
            continue
        wrapped = re.match(r"^(\S+)\s+([\d.]+)$", line.strip())
        if wrapped:  # R wrapped the Prob. column into its own block
            probs[(level, wrapped.group(1))] = float(wrapped.group(2))
    out = pd.DataFrame(rows)
    fill = [
        probs.get((m, t), p)
        for m, t, p in zip(out.modality, out.term, out.rtemis_prob, strict=True)
    ]
    out["rtemis_prob"] = fill
    return out


def textmine_terms(answers: pd.Series) -> pd.DataFrame | None:
    """terms table from textmine's French processing, or None if it is not available yet."""
    try:
        from textmine.text.corpus import process_answers  # noqa: PLC0415
    except ImportError:
        return None
    # A throw-away parse cache: the benchmark must not leave files in the user's cache folder.
    with tempfile.TemporaryDirectory(prefix="textmine-ined-") as cache:
        corpus = process_answers(answers, cache_dir=Path(cache))
    return corpus.to_frame()


def rtemis_rule(spec: pd.DataFrame, level: str, n: int) -> str:
    """R.temis's selection: the n terms with the largest |specificity| at p < 0.05, both signs.

    Printed like R.temis: over-used terms, then "|", then under-used ones, by decreasing score.
    """
    rows = spec[(spec["modality"] == level) & (spec["p_value"] < 0.05)]
    # Ties (same counts, same probability) are broken alphabetically, as R.temis does.
    rows = rows.assign(strength=rows["specificity"].abs().round(9))
    rows = rows.sort_values(["strength", "term"], ascending=[False, True]).head(n)
    rows = rows.sort_values(["specificity", "term"], ascending=[False, True], kind="stable")
    over = rows[rows["specificity"] > 0]["term"].tolist()
    under = rows[rows["specificity"] < 0]["term"].tolist()
    return ", ".join(over) + " | " + ", ".join(under)


#: Keyword themes for the respondent-level part (a stand-in for a themes run, stated as such).
KEYWORD_THEMES = {
    "1": ("nature", r"\bnature"),
    "2": ("pollution", r"pollu"),
    "3": ("cadre / qualité de vie", r"cadre de vie|qualit[ée] de (la )?vie"),
    "4": ("ce qui nous entoure", r"autour|entour"),
    "5": ("écologie", r"[ée]colog"),
}
AGE_LEVELS = ("20-29ans", "30-39ans", "40-49ans", "50-59ans", "60ans+")


def keyword_answers(answers: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """answers/themes tables where a respondent mentions a theme if its pattern matches."""
    rows = []
    for rid, text in answers.items():
        low = text.lower()
        ids = [tid for tid, (_, pat) in KEYWORD_THEMES.items() if re.search(pat, low)]
        status = "themed" if ids else ("unassigned" if low.strip() else "empty")
        rows.append((rid, status, ids[0] if ids else "", ";".join(ids)))
    frame = pd.DataFrame(rows, columns=["respondent_id", "status", "theme_id", "themes"])
    themes = pd.DataFrame(
        {"theme_id": list(KEYWORD_THEMES), "label": [v[0] for v in KEYWORD_THEMES.values()]}
    )
    return frame, themes


def respondent_tables(folder: Path, fmt) -> None:
    """Keyword themes x closed questions with textmine.tables.crosstab and effects."""
    options = ReadOptions(
        id_col="qnumq", types=(("aget", "ordinal"),), levels=(("aget", AGE_LEVELS),)
    )
    survey = read_survey(folder / "PEE_K1_extract.csv", options=options)
    answers, themes = keyword_answers(open_answers(survey, "K1"))
    by = ["aget", "sexe", "dipl", "vote"]
    t0 = time.perf_counter()
    table = crosstab(answers, themes, survey, by)
    eff = effects(answers, themes, survey, ["aget", "sexe", "dipl"])
    took = time.perf_counter() - t0
    tests = table[table["row_type"] == "theme"].drop_duplicates(["question", "theme_id"])
    show = tests[["label", "question", "test", "p_value", "p_adjusted", "cramers_v"]].copy()
    show["trend_p_value"] = tests["trend_p_value"]
    for c in ("p_value", "p_adjusted", "trend_p_value"):
        show[c] = show[c].map(lambda v: "" if pd.isna(v) else f"{v:.2g}")
    show["cramers_v"] = show["cramers_v"].round(3)
    print("## Respondent level: keyword themes x closed questions (crosstab)")
    print(fmt(show))
    age = table[(table["question"] == "aget") & (table["row_type"] == "theme")]
    wide = age.pivot(index="label", columns="modality", values="pct").round(1)
    print("\n% of each age band mentioning the theme")
    print(fmt(wide.reset_index()))
    print("\n## Effects (logistic regression on aget + sexe + dipl), odds ratios p < 0.05")
    sig = eff[eff["p_value"] < 0.05][
        ["label", "term", "reference", "odds_ratio", "ci_low", "ci_high", "p_value"]
    ]
    sig = sig.assign(p_value=sig["p_value"].map(lambda v: f"{v:.2g}"))
    print(fmt(sig.round(3)))
    print(f"\ncrosstab (4 questions) + effects on 2017 respondents: {took:.2f} s")


def to_markdown(df: pd.DataFrame) -> str:
    """A GitHub markdown table (pandas' to_markdown needs tabulate, not a dependency)."""
    cells = [[str(c) for c in df.columns]] + [
        ["" if pd.isna(v) else str(v).replace("|", "\\|") for v in row]
        for row in df.itertuples(index=False)
    ]
    lines = ["| " + " | ".join(r) + " |" for r in cells]
    lines.insert(1, "|" + "---|" * len(df.columns))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="raw data folder")
    parser.add_argument("--by", default="aget", help="closed question (R.temis shows aget)")
    parser.add_argument("--top", type=int, default=10, help="terms per modality")
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    args = parser.parse_args(argv)

    folder = args.raw / FOLDER
    survey = read_survey(folder / "PEE_K1_extract.csv", options=ReadOptions(id_col="qnumq"))
    answers = open_answers(survey, "K1")
    levels = [str(lv) for lv in survey.data[args.by].cat.categories]
    options = TableOptions(spec_min_freq=2)

    t0 = time.perf_counter()
    rt_terms = pd.DataFrame(
        {
            "respondent_id": answers.index,
            "status": "ok",
            "terms": [rtemis_tokens(a) for a in answers],
        }
    )
    spec_rt = specificities(rt_terms, survey, args.by, options=options)
    t_rt = time.perf_counter() - t0
    n_occ = sum(len(t.split()) for t in rt_terms["terms"])
    n_types = len({w for t in rt_terms["terms"] for w in t.split()})

    ref = parse_rtemis(folder / "QO_Pee_K1_rtemis_outputs_extracted.md", levels)
    merged = ref.merge(
        spec_rt[["modality", "term", "freq_modality", "freq_total", "p_value", "specificity"]],
        on=["modality", "term"],
        how="left",
    )
    merged["textmine_t"] = [
        s * norm.isf(p) for s, p in zip(merged["side"], merged["p_value"], strict=True)
    ]
    merged["prob_match"] = (merged["p_value"].round(4) - merged["rtemis_prob"]).abs() <= 1e-4

    t0 = time.perf_counter()
    tm_terms = textmine_terms(answers)
    t_tm = time.perf_counter() - t0
    spec_tm = (
        specificities(tm_terms, survey, args.by, options=options) if tm_terms is not None else None
    )

    fmt = to_markdown if args.markdown else (lambda df: df.to_string())
    print(f"INED PEE 1992, K1 x {args.by}: {len(answers)} answers")
    print(
        f"R.temis-style tokens: {n_occ} occurrences, {n_types} distinct terms "
        f"(R.temis: 12222, 1157); specificities in {t_rt:.2f} s"
    )
    print()
    print("## Every term R.temis lists, recomputed by textmine on the same tokens")
    cols = [
        "modality",
        "term",
        "rtemis_occ",
        "freq_modality",
        "rtemis_total",
        "freq_total",
        "rtemis_t",
        "textmine_t",
        "rtemis_prob",
        "p_value",
        "specificity",
    ]
    show = merged[cols].copy()
    for c in ("textmine_t", "specificity"):
        show[c] = show[c].round(3)
    show["p_value"] = show["p_value"].map(lambda v: f"{v:.4f}" if v >= 1e-4 else f"{v:.1e}")
    print(fmt(show))
    print(
        f"\nprobabilities equal to R.temis's at 4 decimals: {int(merged['prob_match'].sum())}"
        f" / {len(merged)}; counts equal: "
        f"{int((merged['rtemis_occ'] == merged['freq_modality']).sum())} / {len(merged)}"
    )
    print()
    print(f"## {args.top} most specific terms per modality, p < 0.05 (over-used | under-used)")
    side = []
    for level in levels:
        sel = ref[ref["modality"] == level]
        rt_list = (
            ", ".join(sel[sel["side"] > 0]["term"])
            + " | "
            + ", ".join(sel[sel["side"] < 0]["term"])
        )
        row = {
            "modality": level,
            "R.temis": rt_list,
            "textmine (R.temis tokens)": rtemis_rule(spec_rt, level, args.top),
        }
        if spec_tm is not None:
            row["textmine (lemmas)"] = rtemis_rule(spec_tm, level, args.top)
        side.append(row)
    print(fmt(pd.DataFrame(side)))
    if spec_tm is None:
        print(
            "\nnote: textmine.text.corpus.process_answers is not available yet; only the"
            " R.temis-style"
            " tokenisation (simple lower-case split) was run."
        )
    else:
        print(f"\ntextmine French processing of K1: {t_tm:.1f} s")
    print()
    respondent_tables(folder, fmt)
    print(
        f"\nmachine: {platform.python_version()} on {platform.machine()}, "
        f"{time.strftime('%Y-%m-%d')}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
