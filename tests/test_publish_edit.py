"""``textmine edit``: rename, merge and drop themes of a finished run (issue 15, point 5)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_themes_data import make_corpus

from textmine.errors import InputFileError, OptionError
from textmine.themes.edit import parse_run_edits

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A themes run with tables and report (parsed once for the module)."""
    base = tmp_path_factory.mktemp("edit")
    corpus = make_corpus()
    n = len(corpus.ids)
    survey = base / "enquete.csv"
    pd.DataFrame({"id": corpus.ids, "fonction": (["Chargé de com", "Directeur"] * n)[:n],
                  "taille": (["petite", "grande", "moyenne"] * n)[:n],
                  "reponse": corpus.texts}).to_csv(survey, sep=";", index=False)
    pytest.importorskip("textmine.text.corpus")
    from textmine.config import ReadOptions, ReportOptions, ThemeOptions
    from textmine.pipeline.themes_run import run_themes

    out = base / "run"
    run_themes(survey, text_col="reponse", out=out, read_options=ReadOptions(id_col="id"),
               # No catch-all split: the tests name the 4 fitted themes by id.
               theme_options=ThemeOptions(k=4, seed=3, max_theme_share=1.0), by=["fonction"],
               report=True,
               report_options=ReportOptions(wordclouds=False), cache_dir=base / "cache")
    return out


@pytest.fixture
def run(finished_run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(finished_run, copy)
    # run.json names the survey as ../enquete.csv
    shutil.copyfile(finished_run.parent / "enquete.csv", tmp_path / "enquete.csv")
    return copy


def _csv(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_rename_only_keeps_every_assignment_and_changes_the_label_everywhere(run, cli):
    before = _csv(run, "answers.csv")
    res = cli("edit", str(run), "--rename", "2=Pollution")
    assert res.code == 0, res.err
    assert "renamed theme 2" in res.out
    after = _csv(run, "answers.csv")
    pd.testing.assert_frame_equal(before, after)  # recoded from terms.csv: same assignment
    themes = _csv(run, "themes.csv")
    assert themes.set_index("theme_id").loc["2", "label"] == "Pollution"
    assert "Pollution" in (run / "report.html").read_text(encoding="utf-8")
    assert "Pollution" in set(_csv(run, "crosstab_fonction.csv")["label"])
    history = json.loads((run / "run.json").read_text())["themes"]["edit_history"]
    assert history[-1]["rename"] == [[2, "Pollution"]]


def test_merge_keeps_the_first_id_and_the_new_name_and_drop_leaves_a_gap(run, cli):
    old = _csv(run, "themes.csv")
    res = cli("edit", str(run), "--merge", "1,3=Pollution et déchets", "--drop", "4")
    assert res.code == 0, res.err
    themes = _csv(run, "themes.csv")
    assert list(themes["theme_id"]) == ["1", "2"]  # 3 merged into 1, 4 dropped: no renumbering
    assert themes.set_index("theme_id").loc["1", "label"] == "Pollution et déchets"
    assert themes.set_index("theme_id").loc["2", "label"] == old.set_index("theme_id").loc[
        "2", "label"]
    answers = _csv(run, "answers.csv")
    used = {t for cell in answers["themes"] for t in cell.split(";") if t}
    assert used <= {"1", "2"}
    weights = _csv(run, "term_weights.csv")
    assert set(weights["theme_id"]) <= {"1", "2"}
    # A second edit reads the edited model: ids are still those of the first run.
    res = cli("edit", str(run), "--rename", "2=Autre")
    assert res.code == 0, res.err
    assert list(_csv(run, "themes.csv")["theme_id"]) == ["1", "2"]
    record = json.loads((run / "run.json").read_text())
    assert len(record["themes"]["edit_history"]) == 2
    assert record["themes"]["n_themes_final"] == 2
    model = json.loads((run / "model" / "model.json").read_text())
    assert "theme_ids" not in model  # ids 1..k are not recorded (models stay as before)


def test_edited_model_codes_new_answers_with_the_kept_ids(run, cli):
    assert cli("edit", str(run), "--drop", "2").code == 0
    from textmine.themes import load_model

    model = load_model(run / "model")
    assert model.ids == [1, 3, 4]
    assert list(_csv(run, "themes.csv")["theme_id"]) == ["1", "3", "4"]


@pytest.mark.parametrize("args, words", [
    (["--rename", "9=X"], "theme 9 is not a theme of this run"),
    (["--merge", "3=X"], "names one theme"),
    (["--merge", "3,3=X"], "names one theme"),
    (["--drop", "1", "--drop", "2", "--drop", "3", "--drop", "4"], "drop every theme"),
    (["--drop", "x"], "is not a theme id"),
    (["--rename", "2"], "has no '='"),
    (["--merge", "1,2", "--drop", "2"], "also in a --merge"),
    (["--merge", "1,2=A", "--rename", "2=B"], "merged into theme 1"),
    (["--drop", "1", "--rename", "1=B"], "drop it or rename it"),
    (["--drop", "\u00b2"], "is not a theme id"),
    (["--merge", "1,\u00b3"], "is not a theme id"),
    (["--rename", "\u0663=X"], "is not a theme id"),
    (["--rename", "1_0=X"], "is not a theme id"),
    (["--rename", "1=A", "--rename", "1=B"], "given two names"),
    (["--rename", "1=A", "--rename", "2=a"], "like theme"),
    (["--merge", "1,2=B", "--rename", "3=b"], "like theme"),
    ([], "No edit given"),
])
def test_bad_edits_give_one_line_and_leave_the_run_as_it_was(run, cli, args, words):
    before = _snapshot(run)
    res = cli("edit", str(run), *args)
    assert res.code == 2
    assert words in res.err and len(res.err.strip().splitlines()) == 1
    assert "Traceback" not in res.err
    assert _snapshot(run) == before


def test_a_failure_while_writing_leaves_the_run_as_it_was(run, monkeypatch):
    from textmine.pipeline import edit_run as module

    before = _snapshot(run)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(module, "render_report", broken)
    with pytest.raises(Exception, match="disk full"):
        module.edit_run(run, rename=["1=Nouveau"])
    assert _snapshot(run) == before


def test_a_name_another_theme_keeps_is_refused_but_names_can_be_swapped(run, cli):
    labels = dict(zip(_csv(run, "themes.csv")["theme_id"], _csv(run, "themes.csv")["label"],
                      strict=True))
    before = _snapshot(run)
    res = cli("edit", str(run), "--rename", f"1={labels['2'].upper()}")
    assert res.code == 2 and "like theme 2" in res.err, res.err
    assert _snapshot(run) == before
    res = cli("edit", str(run), "--rename", f"1={labels['2']}", "--rename", f"2={labels['1']}")
    assert res.code == 0, res.err
    swapped = dict(zip(_csv(run, "themes.csv")["theme_id"], _csv(run, "themes.csv")["label"],
                       strict=True))
    assert (swapped["1"], swapped["2"]) == (labels["2"], labels["1"])


@pytest.mark.parametrize("summary", [
    b"questionX,folder\nreponse,run\n",             # a column renamed by hand
    b"question,folder\nreponse,run\nautre,q_gone\n",  # a question folder that is gone
    b"\xff\xfe\x00garbage",                          # not a CSV
])
def test_a_broken_project_summary_is_said_and_left_not_a_traceback(run, summary, caplog):
    # The edit rewrote the run, then ended in a KeyError/UnicodeDecodeError traceback on the
    # project's summary.csv.
    from textmine.pipeline.edit_run import edit_run

    (run.parent / "summary.csv").write_bytes(summary)
    edit_run(run, rename=["1=Nouveau"])
    assert "Nouveau" in set(_csv(run, "themes.csv")["label"])
    assert (run.parent / "summary.csv").read_bytes() == summary
    assert "rerun textmine run" in caplog.text


def test_edit_given_dot_rewrites_the_project_summary(run, monkeypatch):
    # `cd out/K1 && textmine edit . --rename ...` left the project summary with the old label:
    # Path(".").name is "", so the folder was not found in summary.csv.
    from textmine.pipeline import edit_run as module

    (run.parent / "summary.csv").write_text("question,folder\nreponse,run\n")
    seen = []
    monkeypatch.setattr(module, "_rewrite_project_summary",
                        lambda run_dir, summary: seen.append(summary is not None))
    monkeypatch.chdir(run)
    module.edit_run(".", rename=["1=Nouveau"])
    assert seen == [True]


def test_edit_keeps_the_make_up_of_the_run_report(run):
    # The run was made with wordclouds = false: the edited report had word clouds all the same
    # (edit rendered with the default ReportOptions). A run without report.xlsx keeps none.
    from textmine.pipeline.edit_run import edit_run

    assert not list((run / "figures").glob("cloud_*"))
    (run / "report.xlsx").unlink()
    edit_run(run, rename=["1=Nouveau"])
    assert not list((run / "figures").glob("cloud_*"))
    assert "<img" not in "".join(line for line in (run / "report.html").read_text().splitlines()
                                 if "cloud" in line)
    assert not (run / "report.xlsx").exists()
    assert "Nouveau" in (run / "report.html").read_text()


def test_edit_does_not_load_the_parser(run):
    code = ("import sys\nfrom textmine.pipeline.edit_run import edit_run\n"
            f"edit_run({str(run)!r}, rename=['1=Sans spaCy'])\n"
            "assert not [m for m in sys.modules if m.startswith('spacy')], 'spaCy loaded'\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Sans spaCy" in set(_csv(run, "themes.csv")["label"])


def test_project_output_folder_names_its_question_folders(tmp_path, cli):
    for name in ("q_a", "q_b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.json").write_text("{}")
    for command in (["edit", str(tmp_path), "--drop", "1"], ["report", str(tmp_path)],
                    ["crosstab", str(tmp_path), "--by", "x"]):
        res = cli(*command)
        assert res.code == 2, (command, res.err)
        assert "project output folder" in res.err and "q_a" in res.err and "q_b" in res.err
        assert len(res.err.strip().splitlines()) == 1


def test_parse_run_edits_reads_quoted_names_and_several_ids():
    edits = parse_run_edits(rename=['3="Pollution"'], merge=["3,4, 5=Pollution et déchets"],
                            drop=["7"])
    assert edits.rename == ((3, "Pollution"),)
    assert edits.merge == (((3, 4, 5), "Pollution et déchets"),)
    assert edits.drop == (7,)
    with pytest.raises(OptionError):
        parse_run_edits(rename=["3="])


@pytest.mark.parametrize(
    "ref", ["\u00b2", "\u00b9\u00b2", "\u0663", "\uff13", "1_0", "+3", "-3", "3.0"])
def test_theme_ids_are_ascii_digits_only(ref):
    # str.isdigit() accepts "²" (int() then raised a ValueError: a traceback) and int() accepts
    # "٣", "３" or "1_0": none of them is a theme id as themes.csv writes it.
    for kwargs in ({"drop": [ref]}, {"rename": [f"{ref}=X"]}, {"merge": [f"1,{ref}"]}):
        with pytest.raises(OptionError, match="is not a theme id"):
            parse_run_edits(**kwargs)
    from textmine.themes.edit import edit_map

    with pytest.raises(OptionError, match="not a theme of this run"):
        edit_map(["a", "b", "c"], drop=[ref])


@pytest.mark.parametrize("raw, label", [
    ("Pollution\net déchets", "Pollution et déchets"),
    ("  Pollution\r\n\tdéchets  ", "Pollution déchets"),
    ("Pollu\x00tion\x1b[31m", "Pollu tion [31m"),
    ('"Cadre de vie"', "Cadre de vie"),
])
def test_labels_are_one_line_without_control_characters(raw, label):
    assert parse_run_edits(rename=[f"1={raw}"]).rename == ((1, label),)
    assert parse_run_edits(merge=[f"1,2={raw}"]).merge == (((1, 2), label),)


def test_a_theme_dropped_or_renamed_twice_the_same_way_is_one_edit():
    edits = parse_run_edits(drop=["3", "3,3"], rename=["1=A", "1=A"])
    assert edits.drop == (3,)
    assert edits.rename == ((1, "A"),)


@pytest.mark.parametrize("command", ["reinert", "ca", "code", "parse"])
def test_a_folder_of_another_command_names_that_command(run, cli, command):
    record = json.loads((run / "run.json").read_text())
    record["command"] = command
    (run / "run.json").write_text(json.dumps(record))
    before = _snapshot(run)
    res = cli("edit", str(run), "--rename", "1=X")
    assert res.code == 2 and f"written by textmine {command}" in res.err, res.err
    assert len(res.err.strip().splitlines()) == 1
    assert _snapshot(run) == before


def test_a_folder_without_model_is_refused(tmp_path):
    from textmine.pipeline.edit_run import edit_run

    (tmp_path / "run.json").write_text(json.dumps({"command": "themes", "input": {"path": "x"}}))
    with pytest.raises(InputFileError, match="model/"):
        edit_run(tmp_path, drop=["1"])


def test_edit_rewrites_the_correspondence_analysis_of_the_run(finished_run, tmp_path):
    from textmine.config import AnalysisOptions, ReadOptions, ReportOptions, ThemeOptions
    from textmine.pipeline.edit_run import edit_run
    from textmine.pipeline.themes_run import run_themes

    survey = finished_run.parent / "enquete.csv"
    out = tmp_path / "run"
    run_themes(survey, text_col="reponse", out=out, read_options=ReadOptions(id_col="id"),
               # No catch-all split: the tests name the 4 fitted themes by id.
               theme_options=ThemeOptions(k=4, seed=3, max_theme_share=1.0), by=["fonction"],
               report=True,
               report_options=ReportOptions(wordclouds=False),
               analysis=AnalysisOptions(ca=True), cache_dir=finished_run.parent / "cache")
    before = (out / "ca").stat().st_mtime_ns if (out / "ca").exists() else None
    edit_run(out, merge=["1,2=Fusion"])
    record = json.loads((out / "run.json").read_text())
    assert "analysis" in record
    if before is not None:
        assert (out / "ca").stat().st_mtime_ns != before
    assert "Fusion" in (out / "report.html").read_text(encoding="utf-8")
    assert (out / "terms.csv").is_file()


def test_closed_csv_keeps_every_crossed_question_after_crosstab(run, cli):
    closed = _csv(run, "closed.csv")
    assert list(closed.columns) == ["respondent_id", "fonction"]
    assert list(closed["respondent_id"]) == list(_csv(run, "answers.csv")["respondent_id"])
    res = cli("crosstab", str(run), "--by", "taille")
    assert res.code == 0, res.err
    assert list(_csv(run, "closed.csv").columns) == ["respondent_id", "fonction", "taille"]
    assert "closed.csv" in json.loads((run / "run.json").read_text())["tables"]


def test_seeded_theme_names_follow_renames_and_merge_names():
    from textmine.pipeline.edit_run import _record_edit, _relabelled
    from textmine.runfolder import RunRecord

    old = pd.DataFrame({"theme_id": [1, 2, 3], "label": ["Budget", "Outils", "Autre"]})
    new = pd.DataFrame({"theme_id": [1, 3], "label": ["Moyens", "Autre"]})  # 2 merged into 1
    assert _relabelled(old, new) == {"Budget": "Moyens"}
    record = RunRecord(command="themes", themes={"seeded_themes": [
        {"name": "Budget", "seeds": ["budget"]}, {"name": "Outils", "seeds": ["visio"]}]})
    edits = parse_run_edits((), ("1,2=Moyens",), ())
    out = _record_edit(record, edits, [], {}, 2, table_names=[],
                       relabelled=_relabelled(old, new))
    assert out.themes["seeded_themes"] == [{"name": "Moyens", "seeds": ["budget"]},
                                           {"name": "Outils", "seeds": ["visio"]}]
