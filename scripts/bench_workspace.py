"""Speed of the coding workspace on a project of 100,000 answers (issue 18).

Builds a synthetic workspace (French-like answers mixing the phrases of six codes with filler
words; terms are their words, so spaCy is not timed), codes 1,000 answers as a coder would, then
measures, on a real uvicorn server in this process reached over HTTP by httpx:

- ``next answer``: ``GET /next?after=ID`` (the queue's choice, most useful first) and the answer
  page it redirects to, as pressing ``n`` does; median and 95th percentile over the requests;
- the same while the coder refits in the background (the page must not wait for it);
- filtered next answers (text search, a closed-question modality, coded answers);
- ``static file``: ``GET /static/workspace.css``, the server's floor, as the baseline of ratios;
- the background refit with 1,000 coded answers: the fit (``MultiLabelCoder``: 5-fold
  cross-validation, calibration, thresholds, expected precision), reading the answers' cached
  features, scoring every answer (one sparse product, :mod:`textmine.workspace.scoring`) and
  writing them in one transaction; the whole background refit as the server runs it (child
  process included); the first computation of the features (done once, at ``init``); and, as the
  baseline, ``MultiLabelCoder.predict_proba`` (the previous scoring) on ``--baseline`` answers,
  extrapolated to all of them.

Usage: python scripts/bench_workspace.py [--answers 100000] [--coded 1000] [--requests 300]
       [--baseline 5000]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import uvicorn

from textmine.codebook import Codebook, CodebookTheme
from textmine.config import CodingOptions
from textmine.workspace.app import build_app
from textmine.workspace.build import fill_workspace
from textmine.workspace.db import connect, create_database, transaction
from textmine.workspace.scoring import workspace_features
from textmine.workspace.suggest import Refitter, _coder, refit, training_data

PHRASES = {
    "Outils": ["visio teams", "réunions zoom", "drive partagé", "outils collaboratifs",
               "plateforme en ligne", "formulaire en ligne"],
    "Moyens": ["manque de moyens", "pas de budget", "matériel absent", "ordinateur portable",
               "effectifs réduits", "renfort humain"],
    "Temps": ["pas le temps", "journées longues", "heures supplémentaires", "surcharge horaire",
              "rythme épuisant", "délais courts"],
    "Élus": ["les élus", "le maire", "cabinet du maire", "conseil municipal", "adjoints",
             "vidéo des élus"],
    "Agents": ["lettre aux agents", "intranet", "communication interne", "collègues isolés",
               "moral des agents", "newsletter interne"],
    "Habitants": ["les habitants", "réseaux sociaux", "facebook", "site internet",
                  "population", "seniors isolés"],
}
CODES = list(PHRASES)
FILLER = ("nous avons aussi beaucoup trop encore vraiment plutôt toujours souvent parfois "
          "confinement service travail semaine mois jour équipe mairie commune besoin faire "
          "mettre place gérer suivre aider informer répondre question demande nouveau "
          "difficile simple rapide lent bien mal mieux").split()


def synthetic_answers(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` answers and their true codes (n x 6, 0/1)."""
    rng = np.random.default_rng(seed)
    truth = np.zeros((n, len(CODES)), dtype=int)
    texts = []
    for i in range(n):
        k = 1 + int(rng.random() < 0.3)
        chosen = rng.choice(len(CODES), size=k, replace=False, p=[.25, .2, .2, .15, .1, .1])
        words = []
        for j in chosen:
            truth[i, j] = 1
            words += PHRASES[CODES[j]][rng.integers(6)].split()
        words += list(rng.choice(FILLER, size=rng.integers(3, 9)))
        rng.shuffle(words)
        texts.append(" ".join(words))
    ids = [f"R{i:06d}" for i in range(n)]
    frame = pd.DataFrame({"respondent_id": ids, "text": texts, "masked": texts,
                          "terms": texts, "status": "ok"})
    return frame, truth


def build(path: Path, n: int, n_coded: int) -> tuple[float, float]:
    """Write the workspace and code ``n_coded`` answers; returns both durations (s)."""
    frame, truth = synthetic_answers(n)
    ids = frame["respondent_id"].tolist()
    sizes = {rid: [("< 10 000", "10 000 - 50 000", "> 50 000")[i % 3]]
             for i, rid in enumerate(ids)}
    start = time.perf_counter()
    conn = create_database(path)
    fill_workspace(conn, respondent_ids=ids, closed={"taille": ("Taille", "single", sizes)},
                   answers={"q1": ("Question", frame)},
                   codebook=Codebook(themes=tuple(CodebookTheme(name=c) for c in CODES)),
                   coder="alice", source={"path": "synthetic"})  # fmt: skip
    built = time.perf_counter() - start
    start = time.perf_counter()
    code_ids = [r[0] for r in conn.execute("SELECT id FROM codes ORDER BY position")]
    answer_ids = [r[0] for r in conn.execute("SELECT id FROM answers ORDER BY id")]
    rng = np.random.default_rng(1)
    picked = rng.choice(n, size=n_coded, replace=False)
    with transaction(conn):
        for i in picked:
            aid = int(answer_ids[i])
            conn.execute("INSERT INTO coded_answers VALUES (?, 'alice', 1, "
                         "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", (aid,))  # fmt: skip
            conn.executemany(
                "INSERT INTO codings VALUES (?, 'alice', ?, 'human', "
                "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                [(aid, code_ids[j]) for j in np.flatnonzero(truth[i])],
            )
            conn.execute("UPDATE answers SET n_coders = 1 WHERE id = ?", (aid,))
    coded = time.perf_counter() - start
    conn.close()
    return built, coded


def timed(client: httpx.Client, urls: list[str]) -> list[float]:
    out = []
    for url in urls:
        start = time.perf_counter()
        r = client.get(url, follow_redirects=True)
        out.append(1000 * (time.perf_counter() - start))
        if r.status_code != 200:
            sys.exit(f"GET {url} -> {r.status_code}: {r.text[:200]}")
        if url.startswith("/next") and 'id="answer"' not in r.text:
            sys.exit(f"GET {url} did not reach an answer page ({r.url})")
    return out


def row(name: str, times: list[float], base: float) -> str:
    med = statistics.median(times)
    p95 = float(np.percentile(times, 95))
    return f"| {name} | {len(times)} | {med:.1f} | {p95:.1f} | {med / base:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--coded", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--baseline", type=int, default=5000,
                        help="answers scored by predict_proba (the previous scoring)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.tmdb"
        # The answers' features are cached beside the project, removed with it (the child
        # process of the background refit inherits the variable).
        os.environ["TEXTMINE_CACHE_DIR"] = str(Path(tmp) / "cache")
        built, coded = build(path, args.answers, args.coded)
        print(f"built {args.answers:,} answers in {built:.1f} s; {args.coded} coded in "
              f"{coded:.1f} s; file {path.stat().st_size / 1e6:.0f} MB")
        conn = connect(path)
        start = time.perf_counter()
        workspace_features(conn)  # as at init: the first computation, cached
        features_first = time.perf_counter() - start
        ids, terms, Y = training_data(conn)
        coder = _coder(CodingOptions()).fit(terms, Y)
        every = [r[0] for r in conn.execute("SELECT terms FROM answers ORDER BY id")]
        start = time.perf_counter()
        coder.predict_proba(every[:args.baseline])
        baseline = (time.perf_counter() - start) * len(every) / min(args.baseline, len(every))
        conn.close()
        print(f"features first computed in {features_first:.1f} s; predict_proba on "
              f"{args.baseline:,} answers extrapolates to {baseline:.0f} s for {len(every):,}")
        fits = []
        result = refit(path)  # the first fit also writes scores and usefulness for every answer
        fits.append(result)
        print(f"refit: fit {result['fit_seconds']:.1f} s on {result['n_trained']} answers, "
              f"features {result['features_seconds']:.1f} s, scoring {result['n_scored']:,} "
              f"answers {result['score_seconds']:.1f} s, writing {result['write_seconds']:.1f} "
              f"s; expected precision {result['expected']['precision']}")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        refitter = Refitter(path)
        refitter.warm()  # as 'workspace serve' does: the refit process starts with the server
        app = build_app(path, token="bench", refitter=refitter)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        conn = connect(path)
        queue = [r[0] for r in conn.execute(
            "SELECT id FROM answers WHERE n_coders = 0 ORDER BY usefulness DESC, id "
            "LIMIT ?", (args.requests,))]  # fmt: skip
        conn.close()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            client.get("/?token=bench&coder=alice", follow_redirects=True)
            n = args.requests
            timed(client, ["/static/workspace.css"] * 20)  # warm up
            static = timed(client, ["/static/workspace.css"] * n)
            base = statistics.median(static)
            nxt = timed(client, [f"/next?q=q1&after={a}" for a in queue])
            refitter.start()
            during = []
            k = 0
            while refitter.running and k < n:
                during += timed(client, [f"/next?q=q1&after={queue[k]}"])
                k += 1
            refitter.wait()
            search = timed(client, [f"/next?q=q1&search=maire&after={a}" for a in queue[:100]])
            closed = timed(client, [f"/next?q=q1&closed=taille%3D%3E%2050%20000&after={a}"
                                    for a in queue[:100]])
            coded_f = timed(client, ["/next?q=q1&status=coded"] * 100)
        server.should_exit = True
        thread.join(10)
        refitter.close()
        second = refitter.last_result
    print()
    print(f"Workspace of {args.answers:,} answers, {args.coded} coded "
          "(uvicorn in-process, httpx client, one request at a time; times in ms)")
    print()
    print("| request | n | median (ms) | p95 (ms) | median / static file |")
    print("|---|---|---|---|---|")
    print(row("static file (baseline)", static, base))
    print(row("next answer (n): queue + answer page", nxt, base))
    print(row("next answer during a background refit", during, base))
    print(row("next answer, text search", search, base))
    print(row("next answer, closed-question modality", closed, base))
    print(row("next answer, coded by me", coded_f, base))
    print()
    print(f"| background refit ({args.coded:,} coded, {args.answers:,} answers) | seconds | "
          "ratio to the previous scoring |")
    print("|---|---|---|")
    for name, res in (("refit (foreground)", fits[0]), ("refit while serving", second)):
        if not res:
            continue
        scoring = res["features_seconds"] + res["score_seconds"] + res["write_seconds"]
        print(f"| {name}: fit (5-fold CV, calibration, thresholds) | {res['fit_seconds']:.1f} "
              "| |")
        print(f"| {name}: cached features read | {res['features_seconds']:.1f} | |")
        print(f"| {name}: every answer scored ({res['n_scored']:,}, one sparse product; fast "
              f"path {res['fast']}) | {res['score_seconds']:.1f} | |")
        print(f"| {name}: scores written (one transaction) | {res['write_seconds']:.1f} | |")
        print(f"| {name}: features + scoring + writing | {scoring:.1f} | "
              f"{scoring / baseline:.3f} |")
        total = res.get("total_seconds", res["fit_seconds"] + scoring)
        what = "whole background refit as the server runs it (refit process started" \
            " with the server)" if (
            "total_seconds" in res) else "fit + scoring + writing"
        print(f"| {name}: {what} | {total:.1f} | |")
    print(f"| baseline: predict_proba on every answer (extrapolated from {args.baseline:,}) | "
          f"{baseline:.0f} | 1 |")
    print(f"| once per workspace (at init): features computed and cached | "
          f"{features_first:.1f} | |")


if __name__ == "__main__":
    main()
