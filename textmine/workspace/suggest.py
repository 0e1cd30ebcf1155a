"""The coder's suggestions: refit :class:`textmine.coding.learn.MultiLabelCoder` in the background.

After every :data:`REFIT_EVERY` new codes the server starts one background refit (never two at
once): a thread hands it to a child process (so that the fit never holds the server's GIL),
which reads the human codes from the database on its own connection, fits the coder (the
same estimator as ``textmine code``: calibrated scores, precision-targeted thresholds, expected
precision from held-out folds), then scores every answer at once from the workspace's cached
features (:mod:`textmine.workspace.scoring`: one sparse matrix product per refit, not one text
analysis per answer and fold) and writes the scores in one ``executemany`` transaction: pages
keep being served from the write-ahead log meanwhile, and coders' edits wait at most that
transaction (about a second for 100,000 answers).

Per answer the thread stores every code's score, the suggested codes (the coder's best guesses:
per-code thresholds maximising cross-validated F1, at least the most likely code when nearly
every coded answer had one, as :meth:`MultiLabelCoder.suggest`) and the *usefulness* of coding
it: the highest binary entropy of its scores (uncertainty sampling, Lewis & Gale 1994) times its
representativeness (information density, Settles & Craven 2008).
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pandas as pd

from textmine.coding.learn import MultiLabelCoder, uncertainty
from textmine.config import CodingOptions
from textmine.errors import DataError
from textmine.workspace.db import QUEUE_INDEX, connect, now, transaction
from textmine.workspace.scoring import score_answers, workspace_features

logger = logging.getLogger(__name__)

#: New codes (codings) between two refits.
REFIT_EVERY = 20


def _coder(options: CodingOptions) -> MultiLabelCoder:
    return MultiLabelCoder(
        target_precision=options.target_precision, cv_folds=options.cv_folds, C=options.C,
        char_ngrams=options.char_ngrams, min_df=options.min_df,
        min_positives=options.min_positives, random_state=options.seed,
    )  # fmt: skip


def n_codings(conn: sqlite3.Connection) -> int:
    """Codings given by humans so far (the refit counter)."""
    return int(conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0])


def training_data(conn: sqlite3.Connection) -> tuple[list[int], list[str], pd.DataFrame]:
    """Answers with terms coded by someone, their terms and 0/1 codes (active codes).

    Where several coders coded an answer, the latest coding is learnt from.

    Returns
    -------
    ids : list of int
        Answer ids.
    terms : list of str
        Space-joined terms of each answer.
    Y : DataFrame of shape (n, n_codes)
        0/1 codes, columns = active code ids as text.
    """
    code_ids = [r[0] for r in conn.execute(
        "SELECT id FROM codes WHERE active = 1 ORDER BY position, id")]
    rows = conn.execute(
        "SELECT ca.answer_id, ca.coder, a.terms FROM coded_answers ca "
        "JOIN answers a ON a.id = ca.answer_id WHERE a.terms != '' "
        "AND ca.time = (SELECT MAX(time) FROM coded_answers x WHERE x.answer_id = ca.answer_id) "
        "ORDER BY ca.answer_id"
    ).fetchall()
    seen: dict[int, tuple[str, str]] = {}
    for r in rows:
        seen.setdefault(r[0], (r[1], r[2]))
    ids = list(seen)
    position = {cid: j for j, cid in enumerate(code_ids)}
    row_of = {aid: i for i, aid in enumerate(ids)}
    values = np.zeros((len(ids), len(code_ids)), dtype=int)
    for r in conn.execute("SELECT answer_id, coder, code_id FROM codings"):
        if r[0] in seen and seen[r[0]][0] == r[1] and r[2] in position:
            values[row_of[r[0]], position[r[2]]] = 1
    Y = pd.DataFrame(values, index=ids, columns=[str(c) for c in code_ids])
    return ids, [seen[i][1] for i in ids], Y


def suggested_codes(coder: MultiLabelCoder, scores: np.ndarray) -> np.ndarray:
    """0/1 best-guess codes from scores, as :meth:`MultiLabelCoder.suggest` decides them."""
    out = (scores >= coder.best_thresholds_).astype(int)
    if not scores.shape[1]:
        return out
    top = np.zeros(scores.shape, dtype=int)
    top[np.arange(len(scores)), scores.argmax(axis=1)] = 1
    if coder.single_code_:
        return np.maximum(top, (scores >= coder.thresholds_).astype(int))
    if coder.at_least_one_:
        none = out.sum(axis=1) == 0
        out[none] = top[none]
    return out


def score_texts(code_ids: list[int], scores: np.ndarray) -> list[str]:
    """Each answer's scores as JSON text ``{"code id": score}`` (3 decimals)."""
    template = "{" + ", ".join(f'"{c}": %.3f' for c in code_ids) + "}"
    return [template % tuple(row) for row in scores.tolist()]


def suggested_texts(code_ids: list[int], suggested: np.ndarray) -> list[str]:
    """Each answer's suggested code ids as JSON text (a list)."""
    cache: dict[bytes, str] = {}
    out = []
    for row in suggested.astype(np.int8):
        key = row.tobytes()
        text = cache.get(key)
        if text is None:
            text = cache[key] = json.dumps([c for c, v in zip(code_ids, row, strict=True) if v])
        out.append(text)
    return out


def refit(path: str | Path, *, options: CodingOptions = CodingOptions(),
          progress: Callable[[str, float], None] | None = None,
          cache_dir: str | Path | None = None) -> dict:
    """Fit the coder on the workspace's human codes and store scores for the uncoded answers.

    Parameters
    ----------
    path : path
        The workspace file (a connection of its own is opened: this runs in a thread).
    options : CodingOptions
        Options of the coder (target precision, folds...).
    progress : callable, optional
        ``progress(stage, seconds)`` after the fit (``"fit"``) and the scoring (``"score"``).
    cache_dir : path, optional
        Root of the feature cache (default ``$TEXTMINE_CACHE_DIR`` or the user cache).

    Returns
    -------
    dict
        ``n_trained``, ``fit_seconds``, ``features_seconds`` (reading the answers' cached
        features, or computing them the first time: ``features_cached``), ``score_seconds``
        (every answer scored), ``write_seconds`` (scores, suggestions and usefulness stored in
        one transaction), ``fast`` (the one-product path of :mod:`textmine.workspace.scoring`
        was used), ``n_scored``, ``expected``.

    Raises
    ------
    DataError
        Too few coded answers to learn from (fewer than the cross-validation folds, or no code
        given at all).
    """
    conn = connect(path)
    try:
        start = time.perf_counter()
        counter = n_codings(conn)
        ids, terms, Y = training_data(conn)
        if len(ids) < options.cv_folds or not Y.to_numpy().any():
            raise DataError(
                f"Only {len(ids)} coded answers with text ({int(Y.to_numpy().sum())} codes); "
                f"code at least {options.cv_folds} answers before the coder can learn."
            )
        coder = _coder(options).fit(terms, Y)
        fit_seconds = time.perf_counter() - start
        if progress:
            progress("fit", fit_seconds)
        expected = dict(coder.expected_)
        code_ids = [int(c) for c in Y.columns]
        with transaction(conn):
            conn.execute(
                "INSERT OR REPLACE INTO model(id, fitted, n_trained, codings_at_fit, expected, "
                "codes, seconds) VALUES (1, ?, ?, ?, ?, ?, ?)",
                (now(), len(ids), counter, json.dumps(expected), json.dumps(code_ids),
                 fit_seconds),
            )  # fmt: skip
        start = time.perf_counter()
        rows = conn.execute(
            "SELECT id, terms, representativeness FROM answers ORDER BY id").fetchall()
        answer_ids, answer_terms = [r[0] for r in rows], [r[1] for r in rows]
        features, info = workspace_features(conn, ids=answer_ids, terms=answer_terms,
                                            cache_dir=cache_dir)  # fmt: skip
        features_seconds = time.perf_counter() - start
        start = time.perf_counter()
        scores, fast = score_answers(coder, features, answer_terms)
        suggested = suggested_codes(coder, scores)
        useful = uncertainty(scores) * np.array([r[2] for r in rows], dtype=float)
        score_seconds = time.perf_counter() - start
        if progress:
            progress("score", score_seconds)
        start = time.perf_counter()
        updates = list(zip(score_texts(code_ids, scores), suggested_texts(code_ids, suggested),
                           useful.tolist(), answer_ids, strict=True))
        # One transaction: the scores of every answer change together (a page never shows half
        # old, half new suggestions); pages keep reading the previous state meanwhile (WAL).
        with transaction(conn):
            # Every row's usefulness changes: rebuilding the queue's index once is about twice
            # as fast as updating it 100,000 times. Readers keep the old index (their snapshot)
            # until the commit; a crash rolls back to the old index and scores.
            conn.execute("DROP INDEX IF EXISTS answers_queue")
            conn.executemany(
                "UPDATE answers SET scores = ?, suggested = ?, usefulness = ? WHERE id = ?",
                updates,
            )
            conn.execute(QUEUE_INDEX)
        write_seconds = time.perf_counter() - start
        return {"n_trained": len(ids), "fit_seconds": fit_seconds,
                "features_seconds": features_seconds, "features_cached": info["cached"],
                "score_seconds": score_seconds, "write_seconds": write_seconds,
                "fast": fast, "n_scored": len(rows), "expected": expected}
    finally:
        conn.close()


def model_info(conn: sqlite3.Connection) -> dict | None:
    """The last fit: time, answers learnt from, expected precision (``None`` before any)."""
    row = conn.execute("SELECT * FROM model WHERE id = 1").fetchone()
    if row is None:
        return None
    return {"fitted": row["fitted"], "n_trained": row["n_trained"],
            "codings_at_fit": row["codings_at_fit"], "expected": json.loads(row["expected"])}


def _lower_priority() -> None:
    """Initialiser of the refit process: on a small machine pages come first.

    Ctrl-C in the terminal reaches the whole process group: the refit process ignores it
    (the server stops it through the pool) instead of printing a KeyboardInterrupt traceback.
    """
    if hasattr(os, "nice"):
        os.nice(10)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while a child process starts (from the main thread only).

    A spawned Python keeps an ignored SIGINT ignored, so a Ctrl-C during its first seconds
    (importing scikit-learn, before :func:`_lower_priority` runs) prints no traceback either.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _refit_in_child(path: Path, options: CodingOptions) -> dict:
    """:func:`refit` in the refit process (its id is returned too, for tests)."""
    return {**refit(path, options=options), "pid": os.getpid()}


def _ready() -> int:
    """A no-op run in the refit process so that it starts (and imports) ahead of the first fit."""
    return os.getpid()


class Refitter:
    """Starts :func:`refit` in a background thread after every ``every`` new codes.

    Parameters
    ----------
    path : path
        The workspace file.
    every : int
        New codes between two refits.
    options : CodingOptions
        Options of the coder.
    """

    def __init__(self, path: str | Path, *, every: int = REFIT_EVERY,
                 options: CodingOptions = CodingOptions()) -> None:
        self.path = Path(path)
        self.every = every
        self.options = options
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.last_result: dict | None = None
        self._executor: ProcessPoolExecutor | None = None

    @property
    def running(self) -> bool:
        """Whether a refit is running now."""
        return self._thread is not None and self._thread.is_alive()

    def maybe_start(self, conn: sqlite3.Connection) -> bool:
        """Start a refit if ``every`` codes were given since the last fit; never waits.

        Returns whether a refit was started.
        """
        info = model_info(conn)
        done = info["codings_at_fit"] if info else 0
        if n_codings(conn) - done < self.every:
            return False
        return self.start()

    def start(self) -> bool:
        """Start a refit now unless one is running; returns whether one was started."""
        with self._lock:
            if self.running:
                return False
            self._thread = threading.Thread(target=self._run, name="textmine-refit", daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running refit (tests and benchmarks)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _pool(self) -> ProcessPoolExecutor:
        # One refit process for the server's life: starting Python and importing scikit-learn
        # cost seconds (tens of seconds on a loaded machine), paid once, not at every refit.
        with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("spawn")
                self._executor = ProcessPoolExecutor(max_workers=1, mp_context=context,
                                                     initializer=_lower_priority)
            return self._executor

    def warm(self) -> None:
        """Start the refit process now, in the background (``serve`` calls it at start)."""
        with _sigint_ignored():  # the process starts in submit()
            self._pool().submit(_ready)

    def close(self) -> None:
        """Stop the refit process (waits for a running refit)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def _run(self) -> None:
        # The fit runs in a child process: scikit-learn and the scoring loop would otherwise
        # hold the server's GIL and slow every page while they run.
        try:
            start = time.perf_counter()
            try:
                result = self._pool().submit(_refit_in_child, self.path, self.options).result()
            except BrokenProcessPool:
                # The refit process died (killed, out of memory): a new one next time.
                with self._lock:
                    self._executor = None
                raise
            # Wall time of the whole background refit: fit, scoring and writing (plus the refit
            # process's start the first time, unless warm() started it).
            result["total_seconds"] = time.perf_counter() - start
            self.last_result = result
            self.last_error = None
        except DataError as exc:
            self.last_error = str(exc)
            logger.info("coder not refitted: %s", exc)
        except Exception as exc:  # a background failure must not stop the server
            self.last_error = f"refit failed: {exc}"
            logger.exception("coder refit failed")
