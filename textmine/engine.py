"""Where the heavy stages run: one process, every core of this machine, or a Dask cluster.

The engine is chosen once per command (:func:`use_engine`, from ``--jobs``/``--scheduler`` or the
project file's ``[engine]``) and read by the stages that split their work into tasks
(:func:`map_tasks`): today the spaCy stage (:func:`textmine.text.parse.parse_texts`), whose tasks
are chunks of distinct texts of about a megabyte, each returning compact token columns.

* ``jobs == 1`` and no scheduler: the tasks run in this process, in order.
* ``jobs > 1``: a :class:`concurrent.futures.ProcessPoolExecutor` of ``jobs`` processes forked
  from a ``forkserver`` that has imported spaCy's French language once (:data:`PRELOAD`), or
  started with ``spawn`` where there is no forkserver (Windows); either way no lock or thread of
  the command is inherited. Each worker loads the spaCy model once, on its first task
  (``load_spacy_model`` is cached per process) and keeps it for the whole command.
* a scheduler (``tcp://host:8786`` or ``local[:N]``): a :class:`distributed.Client`; tasks are
  submitted with ``retries`` so that a killed worker's tasks run again elsewhere; the model is
  loaded once per worker process by the same cached loader (never pickled with the tasks).

The tasks are pure functions of their arguments and their results are gathered in submission
order, so the output does not depend on the engine: ``--jobs 4`` and ``--scheduler local:2``
give the same bytes as ``--jobs 1`` (tests/test_engine.py).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from textmine.config import EngineOptions
from textmine.errors import OptionError, TextmineError

logger = logging.getLogger(__name__)

#: A task submitted to the cluster runs again this many times when its worker dies.
RETRIES = 3
#: Seconds to wait for the scheduler before giving up with one clear line.
CONNECT_TIMEOUT = 10
_LOCAL = re.compile(r"^local(?::(\d+))?$")


class EngineError(TextmineError):
    """The cluster cannot be reached or lost the run (one line naming the scheduler)."""


def available_cores() -> int:
    """Cores this process may run on (affinity and cgroup-aware where Python knows it)."""
    count = getattr(os, "process_cpu_count", None)  # Python >= 3.13
    if count is not None:
        return max(1, count() or 1)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


class Engine:
    """A running engine: ``jobs`` local processes or a Dask client (see the module docstring)."""

    def __init__(self, options: EngineOptions) -> None:
        self.options = options
        self.jobs = options.jobs if options.jobs is not None else available_cores()
        self.scheduler = options.scheduler
        self._pool: ProcessPoolExecutor | None = None
        self._warming: threading.Thread | None = None
        self._client = None
        self._cluster = None

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self, abort: bool = False) -> None:
        """Stop the local processes or the local cluster this engine started.

        With ``abort`` (the run failed or was interrupted) the local processes are stopped at
        once instead of finishing their current task: a Ctrl-C during a parse took up to 5 s
        to act, waiting for the workers' chunks.
        """
        if self._warming is not None:
            if not abort:  # a daemon thread: on abort its submits fail once the pool is shut
                self._warming.join()
            self._warming = None
        if self._pool is not None:
            pool, self._pool = self._pool, None
            if abort:
                _terminate_workers(pool)
            else:
                pool.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()
            self._cluster = None

    @property
    def workers(self) -> int:
        """Number of processes the tasks are spread over."""
        if self.scheduler is not None:
            client = self.client()
            return max(1, len(client.scheduler_info().get("workers", {})))
        return self.jobs

    def describe(self) -> str:
        """Where the tasks run, for logs and ``run.json``."""
        if self.scheduler is not None:
            return f"Dask scheduler {self.scheduler}"
        return "1 process" if self.jobs <= 1 else f"{self.jobs} processes"

    def client(self):
        """The Dask client (started on first use)."""
        if self._client is None:
            self._client = _connect(self.scheduler)
            if isinstance(self._client, tuple):
                self._client, self._cluster = self._client
        return self._client

    def warm_up(self, fn: Callable, **kwargs: Any) -> bool:
        """Start the local worker processes now and run ``fn(**kwargs)`` once in each.

        Returns at once (nothing is awaited; an error of ``fn`` is ignored here and shows in
        the real tasks). Why: a worker spends seconds importing spaCy and loading its model;
        started early, this overlaps with the client's own work (preparing the answers)
        instead of following it. Only ``--jobs N`` processes are started this way: one
        process has nothing to overlap, and a cluster's workers live longer than a command.

        Returns
        -------
        bool
            Whether worker processes were started.
        """
        if self.scheduler is not None or self.jobs <= 1:
            return False
        pool = self._local_pool(preload=True)

        def submit() -> None:
            with contextlib.suppress(RuntimeError):  # the engine closed first: nothing to warm
                for _ in range(self.jobs):
                    pool.submit(fn, **kwargs)

        # In a thread: the first submit waits for the forkserver to import spaCy (seconds),
        # which is exactly the time this process should spend on its own work.
        self._warming = threading.Thread(target=submit, name="textmine-warm-up", daemon=True)
        self._warming.start()
        return True

    def _local_pool(self, preload: bool = False) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=pool_context(preload),
                initializer=exit_with_parent)
        return self._pool

    # -- tasks ----------------------------------------------------------------------------------
    def map(self, fn: Callable, args: Sequence[tuple], *,
            progress: Callable[[int], None] | None = None,
            broadcast: dict[str, Any] | None = None) -> list:
        """``[fn(*a, **broadcast) for a in args]``, computed by the engine, in order.

        Parameters
        ----------
        fn : callable
            A module-level function (picklable by reference).
        args : sequence of tuple
            Positional arguments of each task.
        progress : callable(i) or None
            Called with the index of each task as it finishes (any order).
        broadcast : dict or None
            Keyword arguments shared by every task (sent once per worker on a cluster).
        """
        broadcast = broadcast or {}
        if not args:
            return []
        if self.scheduler is not None:
            return self._map_cluster(fn, args, progress, broadcast)
        if self.jobs <= 1 or len(args) == 1:  # one task: no process to start
            out = []
            for i, a in enumerate(args):
                out.append(fn(*a, **broadcast))
                if progress:
                    progress(i)
            return out
        return self._map_pool(fn, args, progress, broadcast)

    def _map_pool(self, fn, args, progress, broadcast) -> list:
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        pool = self._local_pool()
        if self._warming is not None:  # keep the warm-up tasks ahead of the real ones
            self._warming.join()
            self._warming = None
        futures = {pool.submit(fn, *a, **broadcast): i for i, a in enumerate(args)}
        out: list = [None] * len(args)
        try:
            for future in as_completed(futures):
                i = futures[future]
                out[i] = future.result()
                if progress:
                    progress(i)
        except BrokenProcessPool as exc:
            raise EngineError(
                f"a worker process of --jobs {self.jobs} died ({exc}); nothing was written. "
                "Run again, or with fewer --jobs if memory is short."
            ) from None
        return out

    def _map_cluster(self, fn, args, progress, broadcast) -> list:
        from distributed import as_completed
        from distributed.client import FutureCancelledError

        client = self.client()
        # Big shared arguments (the lemma memo) go to each worker once; unique keys
        # (hash=False) so that a value scattered by an earlier round being released cannot
        # take this round's copy with it.
        shared = {k: v if isinstance(v, (str, int, float, bool)) or v is None
                  else client.scatter(v, broadcast=True, hash=False)
                  for k, v in broadcast.items()}
        futures = [client.submit(fn, *a, **shared, pure=False, retries=RETRIES)
                   for a in args]
        index = {f.key: i for i, f in enumerate(futures)}
        out: list = [None] * len(args)
        try:
            for future in as_completed(futures):
                i = index[future.key]
                out[i] = future.result()
                if progress:
                    progress(i)
        except (OSError, FutureCancelledError) as exc:
            raise EngineError(
                f"the Dask scheduler {self.scheduler} lost the run ({exc}); nothing was written."
            ) from None
        except Exception as exc:
            if type(exc).__name__ == "KilledWorker":
                raise EngineError(
                    f"a task failed on {RETRIES + 1} Dask workers of {self.scheduler} (workers "
                    "died; memory?); nothing was written. Check the workers' logs."
                ) from None
            raise
        finally:
            for f in futures:
                f.release()
        return out


#: Seconds between two checks of a pool worker that its parent is still alive.
PARENT_CHECK_SECONDS = 1.0
#: Modules the forkserver imports once, before it forks the ``--jobs`` workers. Importing
#: spaCy's French language compiles its tokenizer's ``TOKEN_MATCH`` regular expression (1.4
#: million characters): 2.3 s of CPU, plus 0.6 s for spaCy itself, which every spawned worker
#: used to pay again (docs/scale.md, "Text-stage speed", third pass). A module that cannot be
#: imported is skipped by the forkserver (its workers import what they need themselves).
PRELOAD = ("spacy.lang.fr", "textmine.text.terms")


def preloaded() -> list[str]:
    """The modules of :data:`PRELOAD` this process has imported (a worker: before any task)."""
    import sys

    return [name for name in PRELOAD if name in sys.modules]


def pool_context(preload: bool = True) -> multiprocessing.context.BaseContext:
    """Start method of the ``--jobs`` processes: a forkserver (with :data:`PRELOAD`), or spawn.

    Why not ``fork``: the command may hold threads and locks (logging, BLAS, the workspace
    server) that a forked child would inherit in an unknown state. The forkserver is a fresh
    single-threaded process started with ``spawn`` the first time; it imports :data:`PRELOAD`
    and forks each worker from itself, so workers share its imported modules and inherit
    nothing of the command. Where there is no forkserver (Windows), ``spawn``.

    ``preload`` is asked for by :meth:`Engine.warm_up` (the spaCy stage); a pool started by
    other tasks (the partitioned document-term matrix of a warm run) does not import spaCy. The
    forkserver is one per process, so the first pool of the process decides.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD) if preload else [])
    return context


def exit_with_parent() -> None:
    """Pool-worker initializer: end this worker when the process that started it is gone.

    A command killed with SIGKILL (the out-of-memory killer, ``kill -9``, a test killing the
    console script mid-run) cannot shut its pool down, and an idle worker waiting for tasks
    would otherwise live on as an orphan holding its spaCy model. A daemon thread checks the
    parent process id every :data:`PARENT_CHECK_SECONDS`; once the worker has been re-parented
    it exits at once (``os._exit``: nothing of the killed command is left to finish or write).
    The parent is the command (``spawn``) or its forkserver, which exits as soon as the
    command is gone (the end of its "alive" pipe closes), so either way the worker follows
    the command.

    The worker also ignores SIGINT: a Ctrl-C in a terminal goes to the whole process group,
    and the command alone answers it (one line, no output written, the pool shut down); a
    worker answering it too printed a ``KeyboardInterrupt`` traceback of its own.
    """
    import signal
    import time
    from multiprocessing import forkserver

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # A worker forked by the forkserver holds a copy of the write end of the forkserver's
    # "alive" pipe (to start processes of its own, which it never does): while any worker
    # holds it, the forkserver never sees the command go, never exits, and the worker below
    # would watch it forever. Closed here, the command is its only holder again.
    server = forkserver._forkserver
    alive = getattr(server, "_forkserver_alive_fd", None)
    if alive is not None:
        os.close(alive)
        server._forkserver_alive_fd = None
    parent_pid = os.getppid()

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="textmine-exit-with-parent", daemon=True).start()


def _connect(scheduler: str):
    """A Dask client for ``scheduler`` (``local[:N]`` starts a LocalCluster first)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is a dependency
        raise OptionError(
            "--scheduler needs dask.distributed; install it with pip install 'dask[distributed]'."
        ) from None
    m = _LOCAL.match(scheduler)
    if m:
        # the cluster's own start/stop chatter (nanny restarts, "still alive after 4 s") is not
        # the user's business; its errors still show
        logging.getLogger("distributed").setLevel(logging.ERROR)
        n = int(m.group(1)) if m.group(1) else available_cores()
        # The worker processes log on their own: on a busy machine a late heartbeat printed
        # "Failed to communicate with scheduler" and a 25-line traceback in a run that then
        # succeeded (trial 2026-12-01). A failure that matters reaches this client as the
        # task's exception (KilledWorker, a lost scheduler: EngineError, one line).
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.CRITICAL)
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise EngineError(
            f"cannot reach the Dask scheduler {scheduler} ({type(exc).__name__}); start it "
            "with `dask scheduler` and `dask worker " + scheduler + "`, or use --scheduler "
            "local:N."
        ) from None


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the worker processes of ``pool`` now (their running tasks are lost), then shut it.

    The shutdown still waits for the pool's manager thread: it sees the workers die, marks the
    pool broken and kills and joins every worker (one started late by the warm-up thread too)
    before the queues are released. Released first (``shutdown(wait=False)``), a worker still
    starting found its queue's semaphore gone and printed ``FileNotFoundError`` after the
    interrupt's line (CI 2026-12-01).
    """
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    # Before 3.14 the processes are only reachable through the executor's own table.
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


_current: Engine | None = None


@contextlib.contextmanager
def use_engine(options: EngineOptions | None) -> Iterator[Engine]:
    """Make ``options`` the engine of the stages run inside the ``with`` block."""
    global _current
    previous = _current
    engine = Engine(options if options is not None else EngineOptions())
    if options is not None and options.jobs is not None and engine.scheduler is not None:
        logger.warning("--jobs %d is not used with --scheduler %s: the cluster's workers run "
                       "the tasks", options.jobs, engine.scheduler)
    if engine.scheduler is not None and not _LOCAL.match(engine.scheduler):
        # A scheduler the user named is reached at once, even when the run then needs no task
        # (a cached parse): an unreachable address is one clear line, never a run that quietly
        # did everything on this machine (trial 2026-12-01). ``local:N`` starts on first use.
        engine.client()
    _current = engine
    try:
        yield engine
    except BaseException:
        _current = previous
        engine.close(abort=True)
        raise
    _current = previous
    engine.close()


def current_engine() -> Engine:
    """The engine set by :func:`use_engine`, else a one-process engine."""
    return _current if _current is not None else Engine(EngineOptions(jobs=1))


def engine_record() -> dict[str, int | str | None]:
    """Where this command's heavy stages ran, for ``run.json`` (``settings.engine``): ``jobs``
    (processes of this machine; None on a cluster) and ``scheduler`` (None on this machine)."""
    engine = current_engine()
    return {"jobs": None if engine.scheduler else engine.jobs, "scheduler": engine.scheduler}
