"""Time the factor map and the similarity graph with and without the final label pass (issue 17).

For each CA folder (``ca_eigenvalues.csv``, ``ca_rows.csv``, ``ca_columns.csv``) and similarity
folder (``nodes.csv``, ``edges.csv``) given, the figure function is run twice in the same process:

- ``adjustText only``: :func:`textmine.report.analysis_figures.separate_labels` replaced by a
  function that only counts the overlapping label pairs (what the figures were before the pass;
  no leader lines);
- ``with the pass``: the figure as textmine draws it.

It prints the wall time of each (median of ``--repeat`` runs), the ratio, the time of the pass
alone, the label pairs that overlap at the end (read from the renderer's boxes), and the labels
that cover or touch a marker (a point, triangle or node: its box from the scatter collections of
the axes, ``sqrt(size) / 2`` points around its centre). ``--pass-only`` draws only the figure as
textmine draws it (the other columns are left empty), e.g. to compare two versions of textmine
on the same tables (``PYTHONPATH=/other/checkout python scripts/bench_label_overlap.py ...``).

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

import numpy as np
import pandas as pd

from textmine.report import analysis_figures as af


def labels_on_markers(ax, texts) -> int:
    """Labels whose drawn box overlaps the box of any scatter marker of ``ax`` (display px)."""
    renderer = ax.figure.canvas.get_renderer()
    labels = af.label_boxes(texts, renderer)
    markers = []
    for coll in ax.collections:
        offsets = np.asarray(coll.get_offsets(), dtype=float)
        if not len(offsets):
            continue
        r = np.broadcast_to(np.sqrt(coll.get_sizes()) / 2 * ax.figure.dpi / 72, (len(offsets),))
        c = ax.transData.transform(offsets)
        markers.append(np.column_stack([c[:, 0] - r, c[:, 1] - r, c[:, 0] + r, c[:, 1] + r]))
    if not markers or not len(labels):
        return 0
    m = np.vstack(markers)
    ox = (np.minimum(labels[:, None, 2], m[None, :, 2])
          - np.maximum(labels[:, None, 0], m[None, :, 0]))
    oy = (np.minimum(labels[:, None, 3], m[None, :, 3])
          - np.maximum(labels[:, None, 1], m[None, :, 1]))
    return int(((ox >= 0) & (oy >= 0)).any(axis=1).sum())


def _run(draw, *, with_pass: bool) -> tuple[float, float, int, int]:
    """(total seconds, pass seconds, overlapping pairs at the end, labels on a marker) of one
    drawing."""
    real = af.separate_labels
    spent, left, on = [0.0], [0], [0]

    def counted(ax, texts, x, y, **kw):
        start = time.perf_counter()
        if with_pass:
            left[0] = real(ax, texts, x, y, **kw)
        else:
            renderer = ax.figure.canvas.get_renderer()
            left[0] = len(af.overlapping_pairs(af.label_boxes(texts, renderer)))
        spent[0] = time.perf_counter() - start
        left[0] = len(af.overlapping_pairs(af.label_boxes(texts,
                                                          ax.figure.canvas.get_renderer())))
        on[0] = labels_on_markers(ax, texts)
        return left[0]

    af.separate_labels = counted
    try:
        start = time.perf_counter()
        draw()
        total = time.perf_counter() - start
    finally:
        af.separate_labels = real
    return total, spent[0], left[0], on[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ca", type=Path, action="append", default=[])
    parser.add_argument("--similarity", type=Path, action="append", default=[])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--pass-only", action="store_true",
                        help="Draw only the figure as textmine draws it (no adjustText-only run).")
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
          "| overlapping pairs: before / after | labels on a marker: before / after |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            tmp = str(args.keep)
        for n, (name, draw) in enumerate(jobs):
            before, after = [], []
            for i in range(args.repeat):
                if not args.pass_only:
                    before.append(_run(lambda d=draw, i=i, n=n: d(Path(tmp) / f"{n}_before_{i}"),
                                       with_pass=False))
                after.append(_run(lambda d=draw, i=i, n=n: d(Path(tmp) / f"{n}_after_{i}"),
                                  with_pass=True))
            ta = statistics.median(t for t, *_ in after)
            tp = statistics.median(p for _, p, *_ in after)
            if before:
                tb = statistics.median(t for t, *_ in before)
                print(f"| {name} | {tb:.1f} | {ta:.1f} | {ta / tb:.2f} | {tp:.2f} "
                      f"| {before[-1][2]} / {after[-1][2]} | {before[-1][3]} / {after[-1][3]} |",
                      flush=True)
            else:
                print(f"| {name} | | {ta:.1f} | | {tp:.2f} | / {after[-1][2]} "
                      f"| / {after[-1][3]} |", flush=True)


if __name__ == "__main__":
    main()
