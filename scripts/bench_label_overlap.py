"""Time the factor map and the similarity graph with and without the final label pass (issue 17).

For each CA folder (``ca_eigenvalues.csv``, ``ca_rows.csv``, ``ca_columns.csv``) and similarity
folder (``nodes.csv``, ``edges.csv``) given, the figure function is run twice in the same process:

- ``adjustText only``: :func:`textmine.report.analysis_figures.separate_labels` replaced by a
  function that only counts the overlapping label pairs (what the figures were before the pass;
  no leader lines);
- ``with the pass``: the figure as textmine draws it.

It prints the wall time of each (median of ``--repeat`` runs), the ratio, the time of the pass
alone, and the label pairs that overlap at the end (read from the renderer's boxes).

Usage::

    python scripts/bench_label_overlap.py --ca out/demo/q_evolution/ca \\
        --similarity out/demo/q_evolution/similarity [--ca DIR ...] [--repeat 1]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from textmine.report import analysis_figures as af


def _run(draw, *, with_pass: bool) -> tuple[float, float, int]:
    """(total seconds, pass seconds, overlapping pairs at the end) of one drawing."""
    real = af.separate_labels
    spent, left = [0.0], [0]

    def counted(ax, texts, x, y, **kw):
        start = time.perf_counter()
        if with_pass:
            left[0] = real(ax, texts, x, y, **kw)
        else:
            renderer = ax.figure.canvas.get_renderer()
            left[0] = len(af.overlapping_pairs(af.label_boxes(texts, renderer)))
        spent[0] = time.perf_counter() - start
        return left[0]

    af.separate_labels = counted
    try:
        start = time.perf_counter()
        draw()
        total = time.perf_counter() - start
    finally:
        af.separate_labels = real
    return total, spent[0], left[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ca", type=Path, action="append", default=[])
    parser.add_argument("--similarity", type=Path, action="append", default=[])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None,
                        help="Folder where the figures drawn are kept (default: thrown away).")
    args = parser.parse_args()
    jobs = []
    for folder in args.ca:
        eig, rows, cols = (pd.read_csv(folder / f"ca_{n}.csv")
                           for n in ("eigenvalues", "rows", "columns"))
        jobs.append((f"factor map {folder.parent.name}/{folder.name}",
                     lambda stem, e=eig, r=rows, c=cols: af.factor_map(e, r, c, stem)))
    for folder in args.similarity:
        nodes, edges = pd.read_csv(folder / "nodes.csv"), pd.read_csv(folder / "edges.csv")
        jobs.append((f"similarity graph {folder.parent.name}/{folder.name}",
                     lambda stem, n=nodes, e=edges: af.similarity_graph(n, e, stem)))
    print("| figure | adjustText only (s) | with the pass (s) | ratio | pass alone (s) "
          "| overlapping pairs: before / after |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            tmp = str(args.keep)
        for n, (name, draw) in enumerate(jobs):
            before, after = [], []
            for i in range(args.repeat):
                before.append(_run(lambda d=draw, i=i, n=n: d(Path(tmp) / f"{n}_before_{i}"),
                                   with_pass=False))
                after.append(_run(lambda d=draw, i=i, n=n: d(Path(tmp) / f"{n}_after_{i}"),
                                  with_pass=True))
            tb = statistics.median(t for t, _, _ in before)
            ta = statistics.median(t for t, _, _ in after)
            tp = statistics.median(p for _, p, _ in after)
            print(f"| {name} | {tb:.1f} | {ta:.1f} | {ta / tb:.2f} | {tp:.2f} "
                  f"| {before[-1][2]} / {after[-1][2]} |", flush=True)


if __name__ == "__main__":
    main()
