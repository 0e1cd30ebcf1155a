"""Scale benchmark: ``textmine themes`` on 10k, 100k and 500k answers, wall time and peak memory.

The answers are resampled with replacement (fixed seed) from the Grand Débat samples in
``../shared/data/raw/granddebat_disaitek_samples/*.csv`` (column ``comment``, about 71k answers)
into a temporary CSV (never into the repository). Each size runs the console script in a child
process with ``--k 8`` and a cold cache (a fresh ``TEXTMINE_CACHE_DIR``); the child's peak
resident memory comes from ``os.wait4`` (``ru_maxrss``, which includes its own children).

Resampling repeats answers, as real consultations do (many respondents paste the same
sentence); textmine parses each distinct normalised answer once, so the French processing cost
grows with the distinct answers (at most ~71k here) while reading, the document-term matrix,
the theme model and the outputs grow with all answers.

Engines (issue 19, ``--engines``): ``one`` (``--jobs 1``: one process), ``jobs:N``
(``--jobs N``), ``local:N`` (``--scheduler local:N``: a Dask LocalCluster of N worker
processes). Besides ``ru_maxrss``, the process tree of the command is sampled every 0.2 s
(psutil): ``peak all`` is the largest sum of RSS over the tree, ``peak/worker`` the largest RSS
of any single descendant process (a pool or Dask worker; ``-`` when there is none).

Usage::

    .venv/bin/python scripts/bench_scale.py [--sizes 10000 100000 500000]
        [--engines one local:1 local:2] [--write-doc]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
RAW = REPO.parent / "shared" / "data" / "raw" / "granddebat_disaitek_samples"
DOC = REPO / "docs" / "bench_scale.md"
MEMORY_BOUND_GIB = 8.0


def load_answers(folder: Path = RAW) -> pd.Series:
    """Every non-blank ``comment`` of the Grand Débat sample files (read in place)."""
    parts = [pd.read_csv(p, usecols=["comment"], dtype=str)["comment"]
             for p in sorted(folder.glob("*.csv"))]
    answers = pd.concat(parts, ignore_index=True).dropna()
    return answers[answers.str.strip() != ""].reset_index(drop=True)


def resample(answers: pd.Series, n: int, *, seed: int = 0) -> pd.DataFrame:
    """``n`` answers drawn with replacement, ids ``1..n``."""
    rng = np.random.default_rng(seed)
    picked = answers.to_numpy()[rng.integers(0, len(answers), size=n)]
    return pd.DataFrame({"id": np.arange(1, n + 1), "comment": picked})


def textmine_command() -> list[str]:
    # ``-m`` run from the repository root (cwd=REPO below): this checkout's textmine, not
    # whichever one the venv's console script was installed from
    return [sys.executable, "-m", "textmine.cli"]


def engine_flags(engine: str) -> list[str]:
    """Command-line flags of an ``--engines`` value (see the module docstring)."""
    if engine == "one":
        return ["--jobs", "1"]
    if engine.startswith("jobs:"):
        return ["--jobs", engine.split(":", 1)[1]]
    return ["--scheduler", engine]


def run_once(csv_path: Path, out: Path, cache: Path, *, k: int, timeout: float,
             engine: str = "one") -> dict:
    """Run ``textmine themes`` once; return wall time, peak RSS (GiB), exit code, stderr tail."""
    import psutil

    env = {**os.environ, "TEXTMINE_CACHE_DIR": str(cache)}
    cmd = textmine_command() + ["themes", str(csv_path), "--text-col", "comment", "--id-col",
                                "id", "--k", str(k), "--out", str(out), *engine_flags(engine)]
    tree_peak = 0
    per_pid: dict[int, int] = {}
    err_path = out.parent / f"{out.name}.stderr"
    start = time.perf_counter()
    with err_path.open("wb") as err:
        load_before = os.getloadavg()[0]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=REPO)
        deadline = start + timeout
        status, rusage = 0, None
        root = psutil.Process(proc.pid)
        while True:
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        rss = p.memory_info().rss
                    except psutil.Error:
                        continue
                    total += rss
                    if p.pid != proc.pid:
                        per_pid[p.pid] = max(per_pid.get(p.pid, 0), rss)
            except psutil.Error:
                pass
            tree_peak = max(tree_peak, total)
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.2)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen the child is reaped
    tail = err_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
    return {
        "wall_s": wall,
        "peak_rss_gib": rusage.ru_maxrss / 1024**2,  # KiB on Linux
        "tree_gib": tree_peak / 1024**3,
        "worker_gib": max(per_pid.values()) / 1024**3 if per_pid else None,
        "engine": engine,
        "load": (load_before, os.getloadavg()[0]),
        "code": proc.returncode,
        "stderr": " | ".join(tail),
    }


def worker_rate(answers: pd.Series, n: int, cache: Path) -> dict:
    """One worker's throughput on ``n`` distinct answers, cold, measured in CPU time.

    The answers go through ``process_answers`` with ``--jobs 1`` in this process (what one
    worker does with its chunks, plus the normalisation and features of the client). CPU
    seconds (``time.process_time``) do not grow with the machine's load the way wall time does,
    so the planning figure of docs/scale.md can be measured on a shared machine.
    """
    from textmine.config import EngineOptions
    from textmine.engine import use_engine
    from textmine.text.corpus import process_answers

    texts = pd.Series(answers.drop_duplicates().to_numpy()[:n])
    texts.index = [f"w{i}" for i in range(len(texts))]
    load = os.getloadavg()[0]
    import resource

    cpu0, wall0 = time.process_time(), time.perf_counter()
    with use_engine(EngineOptions(jobs=1)):
        process_answers(texts, cache_dir=cache)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    return {"n": len(texts), "cpu_s": cpu, "wall_s": wall, "peak_gib": peak,
            "load": (load, os.getloadavg()[0])}


def machine() -> str:
    mem = ""
    try:
        kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal"))
                 .split()[1])
        mem = f", {kb / 1024**2:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def table(rows: list[dict]) -> str:
    lines = ["| answers | distinct | engine | wall (s) | answers/s | peak RSS (GiB) | "
             "peak all (GiB) | peak/worker (GiB) | load before/after | exit | note |",
             "|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---|"]
    for r in rows:
        note = r["stderr"] if r["code"] else ""
        worker = "-" if r.get("worker_gib") is None else f"{r['worker_gib']:.2f}"
        load = "{:.1f} / {:.1f}".format(*r["load"]) if "load" in r else "-"
        # a run killed at --timeout has no throughput (its wall time is the timeout)
        rate = f"{r['n'] / r['wall_s']:,.0f}" if r["code"] == 0 else "killed"
        lines.append(f"| {r['n']:,} | {r['distinct']:,} | {r.get('engine', 'one')} | "
                     f"{r['wall_s']:.1f} | {rate} | "
                     f"{r['peak_rss_gib']:.2f} | {r.get('tree_gib', 0):.2f} | {worker} | "
                     f"{load} | {r['code']} | {note} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 500_000],
                        help="Numbers of answers to run.")
    parser.add_argument("--k", type=int, default=8, help="Number of themes (--k of themes).")
    parser.add_argument("--engines", nargs="+", default=["one"],
                        help="one, jobs:N or local:N (see the module docstring).")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the resampling.")
    parser.add_argument("--timeout", type=float, default=3600.0,
                        help="Seconds after which a size is killed and reported as such.")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="Copy this parse/terms/embeddings cache folder into each run's "
                             "cache (a warm run: the client's memory after the spaCy stage is "
                             "what it measures; wall times are then warm). Default: cold.")
    parser.add_argument("--write-doc", action="store_true",
                        help=f"Write the table into {DOC.relative_to(REPO)}.")
    parser.add_argument("--worker-rate", type=int, default=0, metavar="N",
                        help="Only measure one worker's cold throughput on N distinct answers "
                             "(CPU time; see worker_rate).")
    args = parser.parse_args()
    if not RAW.is_dir():
        sys.exit(f"Grand Débat samples not found in {RAW}")
    answers = load_answers()
    print(f"{len(answers):,} source answers ({answers.nunique():,} distinct); {machine()}")
    if args.worker_rate:
        with tempfile.TemporaryDirectory(prefix="textmine_bench_rate_") as tmp:
            r = worker_rate(answers, args.worker_rate, Path(tmp))
        print(f"one worker, cold, {r['n']:,} distinct answers: {r['cpu_s']:.1f} CPU s "
              f"({r['n'] / r['cpu_s']:,.0f} answers per CPU second), {r['wall_s']:.1f} s wall "
              f"({r['n'] / r['wall_s']:,.0f}/s), peak {r['peak_gib']:.2f} GiB, load "
              f"{r['load'][0]:.1f} / {r['load'][1]:.1f}")
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="textmine_bench_scale_") as tmp:
        tmp_path = Path(tmp)
        for n in args.sizes:
            frame = resample(answers, n, seed=args.seed)
            csv_path = tmp_path / f"gd_{n}.csv"
            frame.to_csv(csv_path, index=False)
            distinct = int(frame["comment"].nunique())
            del frame
            for engine in args.engines:
                cache = tmp_path / f"cache_{n}"  # cold cache for every size and engine
                if args.cache_dir is not None:
                    shutil.copytree(args.cache_dir, cache)
                result = run_once(csv_path, tmp_path / f"out_{n}", cache, k=args.k,
                                  timeout=args.timeout, engine=engine)
                result.update(n=n, distinct=distinct)
                rows.append(result)
                print(f"{n:>8,} answers, {engine}: {result['wall_s']:8.1f} s, "
                      f"{result['peak_rss_gib']:.2f} GiB (tree {result['tree_gib']:.2f}, "
                      f"worker {result['worker_gib'] or 0:.2f}), load "
                      f"{result['load'][0]:.1f}/{result['load'][1]:.1f}, "
                      f"exit {result['code']} {result['stderr']}", flush=True)
                shutil.rmtree(tmp_path / f"out_{n}", ignore_errors=True)
                shutil.rmtree(cache, ignore_errors=True)
            csv_path.unlink()
    text = table(rows)
    print()
    print(text)
    if args.write_doc:
        done = [r for r in rows if r["code"] == 0]
        peak = max((r["tree_gib"] for r in rows), default=0.0)
        verdict = ("held" if peak < MEMORY_BOUND_GIB and len(done) == len(rows)
                   else "NOT shown (see the table)")
        DOC.write_text(
            "# Scale benchmark (`scripts/bench_scale.py`)\n\n"
            f"Machine: {machine()} (shared with other jobs). Date: "
            f"{dt.date.today().isoformat()}.\n\n"
            f"`textmine themes --k {args.k}` (default method and text settings, cold cache) on "
            "answers resampled with replacement (seed "
            f"{args.seed}) from the {len(answers):,} Grand Débat sample answers. Peak RSS is the "
            "child process's `ru_maxrss`.\n\n"
            f"{text}\n\n"
            f"Memory bound (peak < {MEMORY_BOUND_GIB:g} GiB at every size): {verdict}.\n",
            encoding="utf-8",
        )
        print(f"\nwritten to {DOC}")


if __name__ == "__main__":
    main()
