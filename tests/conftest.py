"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

#: Real third-party data, read in place (never copied into the repository).
RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
REPO = Path(__file__).resolve().parents[1]


class CliResult:
    """Exit code and captured output of one in-process CLI call."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def cli(capsys):
    """Run ``textmine ARGS`` in-process; returns a :class:`CliResult`."""
    from textmine.cli import commands  # noqa: F401  (registers the commands)
    from textmine.cli.app import run_app

    def _run(*args: str) -> CliResult:
        code = run_app([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return _run


@pytest.fixture
def raw() -> Path:
    """Folder of the real surveys; tests using it are skipped where it is absent."""
    if not RAW.is_dir():
        pytest.skip("../shared/data/raw is not available")
    return RAW


@pytest.fixture(scope="module")
def cluster():
    """A Dask LocalCluster of 2 worker processes (one thread each), shared by a module's tests
    (tests/test_engine.py, tests/test_scale.py); closed with its workers after the module."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local
