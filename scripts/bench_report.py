"""Time the demo project run and the report of each question (public API only).

Usage::

    python scripts/bench_report.py            # runs the demo into a temporary folder first
    python scripts/bench_report.py RUN_DIR... # times the report of finished run folders

Prints a Markdown table: seconds to write the report with and without word clouds, report sizes.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from textmine.config import ReportOptions
from textmine.pipeline.project_run import run_demo
from textmine.pipeline.report_run import rewrite_report


def main(argv: list[str]) -> int:
    runs = [Path(a) for a in argv]
    with tempfile.TemporaryDirectory(prefix="textmine-bench-") as tmp:
        if not runs:
            start = time.perf_counter()
            out = run_demo(out=Path(tmp) / "demo", force=True)
            print(f"demo project (3 questions, 285 respondents): "
                  f"{time.perf_counter() - start:.1f} s\n")
            runs = sorted(p for p in out.iterdir() if (p / "themes.csv").is_file())
        print("| run | themes | crosstabs | report s | report s (no clouds) | html KB | xlsx KB |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for run in runs:
            times = []
            for options in (ReportOptions(), ReportOptions(wordclouds=False)):
                start = time.perf_counter()
                rewrite_report(run, options=options)
                times.append(time.perf_counter() - start)
            rewrite_report(run, options=ReportOptions())
            n_themes = sum(1 for _ in (run / "themes.csv").open(encoding="utf-8")) - 1
            n_tables = len(list(run.glob("crosstab_*.csv")))
            html_kb = (run / "report.html").stat().st_size // 1024
            xlsx_kb = (run / "report.xlsx").stat().st_size // 1024
            print(f"| {run.name} | {n_themes} | {n_tables} | {times[0]:.1f} | {times[1]:.1f} | "
                  f"{html_kb} | {xlsx_kb} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
