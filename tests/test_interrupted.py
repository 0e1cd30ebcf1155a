"""Interrupted runs and damaged caches: never half an output, never a poisoned re-run.

``textmine themes`` runs in a child process (the console script) killed with SIGKILL at a few
moments: the output folder must then be absent (first run) or the previous complete output,
byte for byte (re-run with ``--force``). The cache (``TEXTMINE_CACHE_DIR`` in ``tmp_path``)
survives the kills: a later run gives the same results as an undisturbed one. A cache entry
damaged on disk (truncated, garbage, a pickle in place of Parquet) is detected, ignored and
rebuilt, with the same results.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from textmine.cli import commands  # noqa: F401  (registers the commands)
from textmine.cli.app import app

REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "tests" / "data" / "bad"
COMMANDS = {c.name or c.callback.__name__ for c in app.registered_commands}
pytestmark = pytest.mark.skipif(
    "themes" not in COMMANDS or importlib.util.find_spec("textmine.text.corpus") is None,
    reason="textmine themes (with its text stage) not there yet",
)
RESULT_FILES = ("themes.csv", "answers.csv", "terms.csv", "term_weights.csv")

_OPENINGS = ["Mise en place de", "Nous manquons de", "Beaucoup plus de", "Pas assez de",
             "Difficultés avec", "Heureusement nous avions", "Il faudrait davantage de",
             "Le service a développé", "Rien de prévu pour", "Grosse charge liée à"]
_OBJECTS = ["la visio avec Teams", "moyens humains", "matériel informatique", "la DSI débordée",
            "communication interne", "vidéos en direct", "conseils aux élus", "télétravail",
            "outils collaboratifs", "newsletters aux agents", "webinaires", "l'assistance "
            "technique", "budget communication", "réseaux sociaux", "plateforme collaborative"]
_ENDINGS = ["", " pendant le confinement", " pour toute l'équipe", " dès la première semaine",
            ", très compliqué", " et c'était épuisant", " grâce aux collègues"]


def write_survey(path: Path, n: int = 800, seed: int = 0) -> Path:
    """A synthetic survey of ``n`` French answers, big enough for a run of a few seconds."""
    rng = random.Random(seed)
    lines = ["id,reponse"]
    for i in range(1, n + 1):
        text = (f"{rng.choice(_OPENINGS)} {rng.choice(_OBJECTS)}{rng.choice(_ENDINGS)}"
                f" ({rng.randint(1, 60)} agents)")
        lines.append(f'{i},"{text}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def textmine_cmd() -> list[str]:
    script = Path(sys.executable).parent / "textmine"
    return [str(script)] if script.exists() else [sys.executable, "-m", "textmine.cli"]


def snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (relative names)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def themes_args(survey: Path, out: Path, *, k: int = 4) -> list[str]:
    return ["themes", str(survey), "--text-col", "reponse", "--id-col", "id", "--k", str(k),
            "--out", str(out)]


def start(args: list[str], cache: Path) -> subprocess.Popen:
    env = {**os.environ, "TEXTMINE_CACHE_DIR": str(cache)}
    return subprocess.Popen(textmine_cmd() + args, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def kill_after(proc: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL ``proc`` after ``seconds``; return True if it was still running."""
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def assert_complete(out: Path) -> None:
    for name in (*RESULT_FILES, "run.json", "model/model.json", "model/arrays.npz"):
        assert (out / name).is_file(), f"{name} missing from {out}"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """An undisturbed run (own cold cache): the survey, its output and the output's hashes."""
    root = tmp_path_factory.mktemp("baseline")
    survey = write_survey(root / "enquete.csv")
    out = root / "out"
    proc = start(themes_args(survey, out), root / "cache")
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err.decode()
    assert_complete(out)
    return survey, out, snapshot(out)


def test_kill_before_any_output_leaves_no_folder(tmp_path, baseline):
    survey = baseline[0]
    out = tmp_path / "out"
    killed = kill_after(start(themes_args(survey, out), tmp_path / "cache"), 1.0)
    assert killed, "the run finished within 1 s: nothing was interrupted"
    assert not out.exists()


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory) -> Path:
    """One cache for every killed run, checked by the last test of the module."""
    return tmp_path_factory.mktemp("killed") / "cache"


@pytest.mark.parametrize("seconds", [0.5, 3.0, 8.0])
def test_kill_during_rerun_keeps_the_previous_output(tmp_path, baseline, shared_cache, seconds):
    """Killed at any moment, a --force re-run leaves the previous output or the new one."""
    import shutil

    survey, previous, previous_hashes = baseline
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    proc = start(themes_args(survey, out, k=3) + ["--force"], shared_cache)
    killed = kill_after(proc, seconds)
    assert out.is_dir(), f"killed after {seconds} s: the output folder vanished"
    if killed and snapshot(out) != previous_hashes:
        assert_complete(out)  # the swap happened: the new output is whole
    if not killed:
        assert proc.returncode == 0
        assert_complete(out)


def test_cache_left_by_killed_runs_gives_exact_results(tmp_path, baseline, shared_cache):
    """A run re-using the cache of the killed runs gives the undisturbed run's results."""
    survey, _, previous_hashes = baseline
    again = tmp_path / "again"
    proc = start(themes_args(survey, again), shared_cache)
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err.decode()
    assert {n: h for n, h in snapshot(again).items() if n in RESULT_FILES} == {
        n: h for n, h in previous_hashes.items() if n in RESULT_FILES}


@app.command("interrupt-for-test", hidden=True)
def _interrupt_for_test() -> None:
    raise KeyboardInterrupt


def test_keyboard_interrupt_in_a_command_is_exit_130(cli):
    """typer turns Ctrl-C into a *returned* 130 in non-standalone mode: run_app must keep it."""
    res = cli("interrupt-for-test")
    assert res.code == 130
    assert res.err == "error: interrupted; no output was written.\n"


@pytest.mark.parametrize("seconds", [2.0, 6.0])
def test_ctrl_c_is_one_line_exit_130_and_no_output(tmp_path, baseline, seconds):
    """SIGINT (Ctrl-C) mid-run: one stderr line, exit code 130, nothing written."""
    survey = baseline[0]
    out = tmp_path / "out"
    proc = start(themes_args(survey, out), tmp_path / "cache")
    try:
        proc.wait(timeout=seconds)
        pytest.skip(f"the run finished within {seconds} s: nothing was interrupted")
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()
    assert err.decode().strip().splitlines()[-1] == "error: interrupted; no output was written."
    assert "Traceback" not in err.decode()
    assert [p.name for p in tmp_path.iterdir() if p.name != "cache"] == []


def _entries(cache: Path) -> list[Path]:
    return sorted(p.parent for p in cache.rglob("meta.json"))


@pytest.mark.parametrize("damage", ["truncate", "garbage", "pickle", "meta-garbage",
                                    "meta-missing"])
def test_damaged_cache_entry_is_detected_and_rebuilt(cli, tmp_path, monkeypatch, damage):
    import pickle

    cache = tmp_path / "cache"
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(cache))
    args = ["themes", BAD / "good.csv", "--text-col", "reponse", "--id-col", "id", "--k", "2"]
    first = cli(*args, "--out", tmp_path / "first")
    assert first.code == 0, first.err
    entries = _entries(cache)
    assert entries, "nothing cached"
    damaged = {}
    for entry in entries:
        tokens, meta = entry / "tokens.parquet", entry / "meta.json"
        if damage == "truncate":
            tokens.write_bytes(tokens.read_bytes()[: tokens.stat().st_size // 2])
        elif damage == "garbage":
            tokens.write_bytes(os.urandom(tokens.stat().st_size))
        elif damage == "pickle":
            tokens.write_bytes(pickle.dumps({"doc": [0]}))
        elif damage == "meta-garbage":
            meta.write_text("{not json", encoding="utf-8")
        else:
            meta.unlink()
        damaged[entry] = tokens.read_bytes()
    second = cli(*args, "--out", tmp_path / "second")
    assert second.code == 0, second.err
    assert "Traceback" not in second.err
    first_hashes, second_hashes = snapshot(tmp_path / "first"), snapshot(tmp_path / "second")
    for name in RESULT_FILES:
        assert second_hashes[name] == first_hashes[name], name
    for entry, data in damaged.items():  # rebuilt: valid again, not the damaged bytes
        assert (entry / "meta.json").is_file()
        if damage in ("truncate", "garbage", "pickle"):
            assert (entry / "tokens.parquet").read_bytes() != data
    third = cli(*args, "--out", tmp_path / "third")
    assert third.code == 0
    assert snapshot(tmp_path / "third")["answers.csv"] == first_hashes["answers.csv"]


def test_polled_records_a_signal_instead_of_raising_it_and_restores_the_handlers():
    # The workspace server's window before uvicorn installs its handlers: an Interrupted raised
    # there could land in a GC/weakref callback ("Exception ignored", the signal lost and the
    # server never stopping). Inside polled() a signal is only recorded, for the loop to poll.
    from textmine import interrupts

    saved = {n: signal.getsignal(n) for n in interrupts.EXIT_CODES}
    interrupts.install()
    before = signal.getsignal(signal.SIGINT)
    interrupts.arm()
    try:
        with interrupts.polled() as stop_requested:
            assert not stop_requested()
            os.kill(os.getpid(), signal.SIGINT)
            signal.raise_signal(signal.SIGTERM)  # another handled signal, recorded the same way
            assert stop_requested()  # recorded, and nothing raised here
        assert signal.getsignal(signal.SIGINT) is before
    finally:
        interrupts._State.armed = False
        interrupts._State.received = None
        for n, handler in saved.items():
            signal.signal(n, handler)
