"""Safe outputs: atomic folders, inert CSV cells, portable file names."""

from __future__ import annotations

import json
import os
import stat

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from textmine.errors import OutputError
from textmine.outputs import (
    MARKER,
    atomic_output_dir,
    atomic_write,
    atomic_write_text,
    neutralise_cell,
    safe_filename,
    write_csv,
    write_json,
)


@pytest.mark.parametrize("value", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_neutralised(value):
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["manque de moyens", -2.5, 3, None, "a=b"])
def test_other_values_unchanged(value):
    assert neutralise_cell(value) == value


def test_write_csv_neutralises_text_but_not_numbers(tmp_path):
    df = pd.DataFrame({"text": ["=HYPERLINK(\"x\")", "ok"], "score": [-1.5, 2.0]})
    path = write_csv(df, tmp_path / "a.csv")
    back = pd.read_csv(path)
    assert back["text"].tolist() == ["'=HYPERLINK(\"x\")", "ok"]
    assert back["score"].tolist() == [-1.5, 2.0]
    assert df["text"].iloc[0].startswith("=")  # the input frame is not modified


@given(st.text(max_size=80))
def test_safe_filename_is_portable(label):
    name = safe_filename(label)
    assert name and name not in {".", ".."}
    assert "/" not in name and "\\" not in name
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in name)


def test_safe_filename_keeps_meaning():
    assert safe_filename("Moyens humains / matériels") == "Moyens_humains_materiels"
    assert safe_filename("../../etc/passwd") == "etc_passwd"


def test_atomic_dir_moves_into_place_on_success(tmp_path):
    out = tmp_path / "run"
    with atomic_output_dir(out) as tmp:
        (tmp / "a.txt").write_text("x")
        assert not out.exists()
    assert (out / "a.txt").read_text() == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_atomic_dir_leaves_nothing_on_failure(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(RuntimeError), atomic_output_dir(out) as tmp:
        (tmp / "half.txt").write_text("x")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_keeps_previous_output_on_failure(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "old.txt").write_text("old")
    (out / MARKER).write_text('{"tool": "textmine"}')  # a previous textmine output
    with pytest.raises(RuntimeError), atomic_output_dir(out, force=True) as tmp:
        (tmp / "new.txt").write_text("new")
        raise RuntimeError("boom")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "old.txt"]


def test_atomic_dir_refuses_existing_without_force(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(OutputError, match=r"already exists and is not empty; use --force"):
        with atomic_output_dir(out):
            pass
    (out / MARKER).write_text('{"tool": "textmine"}')
    with atomic_output_dir(out, force=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "new.txt"]


def test_write_json_is_stable(tmp_path):
    import numpy as np

    a = write_json({"b": np.int64(2), "a": [np.float64(0.5)]}, tmp_path / "a.json")
    b = write_json({"a": [0.5], "b": 2}, tmp_path / "b.json")
    assert a.read_bytes() == b.read_bytes()
    assert json.loads(a.read_text()) == {"a": [0.5], "b": 2}


def test_atomic_dir_never_replaces_a_folder_holding_an_input(tmp_path):
    out = tmp_path / "project"
    out.mkdir()
    survey = out / "enquete.csv"
    survey.write_text("id;q\n1;a\n")
    with pytest.raises(OutputError, match=r"holds the input file enquete.csv; choose another"):
        with atomic_output_dir(out, force=True, inputs=[survey]):
            pass
    assert survey.read_text() == "id;q\n1;a\n"


@pytest.mark.parametrize("value", ["-12", "=A1", "+33", "@x", "007", "R001"])
def test_neutralised_ids_round_trip(value):
    from textmine.outputs import restore_cell

    assert restore_cell(neutralise_cell(value)) == value


def test_write_csv_neutralises_headers(tmp_path):
    df = pd.DataFrame({'=HYPERLINK("x")': ["a"], "ok": ["b"]})
    write_csv(df, tmp_path / "h.csv")
    assert pd.read_csv(tmp_path / "h.csv").columns.tolist() == ["'=HYPERLINK(\"x\")", "ok"]


def test_unique_filenames_differ_even_ignoring_case():
    from textmine.outputs import unique_filenames

    stems = unique_filenames(["Age", "age", "Q1/évolution", "Q1 evolution"])
    assert stems == {"Age": "Age", "age": "age_2", "Q1/évolution": "Q1_evolution",
                     "Q1 evolution": "Q1_evolution_2"}


def test_atomic_write_takes_text_bytes_or_a_writer(tmp_path):
    assert atomic_write_text(tmp_path / "a.txt", "été\n").read_bytes() == "été\n".encode()
    assert atomic_write(tmp_path / "b.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    atomic_write(tmp_path / "c.csv", lambda p: pd.DataFrame({"x": [1]}).to_csv(p, index=False))
    assert (tmp_path / "c.csv").read_text() == "x\n1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin", "c.csv"]


def test_failed_atomic_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = atomic_write_text(tmp_path / "run.json", "old")

    def broken(path):
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_atomic_write_follows_the_umask_not_mkstemps_0600(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_json({"a": 1}, tmp_path / "run.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_replace_entries_swaps_only_what_was_rebuilt_and_keeps_the_rest_on_failure(tmp_path):
    from textmine.outputs import replace_entries

    folder = tmp_path / "run"
    (folder / "figures").mkdir(parents=True)
    (folder / "figures" / "old.png").write_text("old", encoding="utf-8")
    (folder / "answers.csv").write_text("keep", encoding="utf-8")
    (folder / "report.html").write_text("old", encoding="utf-8")

    def build(tmp):
        (tmp / "report.html").write_text("new", encoding="utf-8")
        return [tmp / "report.html"]

    written = replace_entries(folder, build, names=("report.html", "figures"))
    assert written == [folder / "report.html"]
    assert (folder / "report.html").read_text(encoding="utf-8") == "new"
    assert not (folder / "figures").exists()  # a named entry no longer written is removed
    assert (folder / "answers.csv").read_text(encoding="utf-8") == "keep"

    def broken(tmp):
        (tmp / "report.html").write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device"):
        replace_entries(folder, broken, names=("report.html",))
    assert (folder / "report.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in folder.iterdir()) == ["answers.csv", "report.html"]
