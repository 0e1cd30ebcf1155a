"""Progress: the library calls a callback and logs; only the CLI draws a bar."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

from textmine.cli.progress import PROGRESS_MIN, _Bar, progress_bar

PACKAGE = Path(__file__).resolve().parents[1] / "textmine"


def test_only_the_cli_imports_rich():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "cli" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "rich"]
    assert offenders == []


def test_process_answers_reports_progress_through_the_callback(tmp_path):
    from textmine.config import TextOptions
    from textmine.text.corpus import process_answers

    calls: list[tuple[int, int]] = []
    answers = pd.Series(["pas de moyens", "trop de réunions", "pas de moyens", ""])
    process_answers(answers, options=TextOptions(cache=False), cache_dir=tmp_path,
                    progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)  # two distinct texts parsed


def test_short_runs_draw_no_bar():
    bar = _Bar(PROGRESS_MIN)
    bar(0, PROGRESS_MIN - 1)
    bar(PROGRESS_MIN - 1, PROGRESS_MIN - 1)
    assert bar._progress is None


def test_bar_starts_on_long_runs_and_closes_at_the_end():
    bar = _Bar(10)
    bar(0, 20)
    assert bar._progress is not None
    bar(20, 20)
    assert bar._progress is None


def test_disabled_progress_is_none():
    with progress_bar(False) as progress:
        assert progress is None
