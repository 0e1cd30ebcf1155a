"""Time ``textmine.survey.read_survey`` on the real surveys of ``../shared/data/raw``.

For each file: rows, columns, detected encoding and separator, the question kinds found, and the
best of ``--repeat`` wall-clock times (reading + typing, the whole public call).

Usage::

    .venv/bin/python scripts/bench_survey.py [--raw ../shared/data/raw] [--repeat 5]
        [--write docs/bench_survey.md]

Prints a markdown table; ``--write`` also saves it with the machine description and the date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import time
from collections import Counter
from pathlib import Path

from textmine.survey import read_survey

FILES = [
    "ined_pee1992_k1/PEE_K1_extract.csv",
    "an_questions_ecrites_16e/data.csv",
    "granddebat_disaitek_samples/gd_animation_fiscalite_13.csv",
    "decidim_mel_granddebat/commentaires_debats.csv",
    "decidim_mel_granddebat/propositions-libres.csv",
    "rua_consultation_2019/rua-fonctionnement.csv",
    "republique_numerique_2015/votes_counts.csv",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "data" / "raw")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", type=Path, default=None)
    args = parser.parse_args()

    lines = [
        "| file | bytes | rows | columns | encoding | sep | kinds | best time (s) |",
        "|---|---:|---:|---:|---|---|---|---:|",
    ]
    for name in FILES:
        path = args.raw / name
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            survey = read_survey(path)
            times.append(time.perf_counter() - start)
        kinds = Counter(q.kind for q in survey.questions.values())
        src = survey.source
        sep = {"\t": "tab", "|": "pipe"}.get(src.sep, f"`{src.sep}`")
        lines.append(
            f"| {name} | {path.stat().st_size:,} | {src.n_rows:,} | {survey.data.shape[1]} | "
            f"{src.encoding} | {sep} | "
            f"{', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))} | {min(times):.3f} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.write:
        header = (
            "## Reading surveys (`read_survey`)\n\n"
            f"Measured {dt.date.today().isoformat()} with `scripts/bench_survey.py "
            f"--repeat {args.repeat}`; machine: 2 cores, 24 GiB, Python "
            f"{platform.python_version()} (shared with other jobs, so times are upper bounds). "
            "Time = best of the repeats of the whole public call (read, detect encoding and "
            "separator, type every column).\n\n"
        )
        args.write.write_text(header + table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
