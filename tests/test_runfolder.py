"""The run-folder contract: run.json as a typed record, CSV dtypes, one survey read per project."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest
from report_fixtures import make_run
from test_pipeline_project import _project

from textmine import runfolder
from textmine.errors import InputFileError
from textmine.outputs import write_csv
from textmine.runfolder import (
    ANSWERS_CSV,
    COUNT_NON_ANSWER,
    RUN_JSON,
    SCHEMA_VERSION,
    THEMES_CSV,
    RunRecord,
    input_block,
    read_run_csv,
)


def _record() -> RunRecord:
    return RunRecord(
        command="themes",
        settings={"read": {"id_col": "id", "levels": [["taille", ["a", "b"]]]}, "by": ["f"]},
        versions={"textmine": "0.1.0", "python": "3.11"},
        input={"path": "/x/enquete.csv", "sha256": "ab" * 32, "id_col": "id", "sheet": None,
               "text_col": "q", "rows": 3},
        counts={"themed": 2, COUNT_NON_ANSWER: 1, "empty": 0},
        themes={"k": 4, "k_chosen_by": "fixed"},
        text={"model": "fr_core_news_sm"},
        tables=["crosstab_f.csv"],
        extra={"note": "kept"},
    )


def test_run_record_round_trip(tmp_path):
    record = _record()
    path = record.write(tmp_path)
    assert path == tmp_path / RUN_JSON
    # writing adds where the command ran (settings.engine; outside a command: this process)
    engine = {"jobs": 1, "scheduler": None}
    assert RunRecord.read(tmp_path) == dataclasses.replace(
        record, settings={"engine": engine, **record.settings})
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["schema_version"] == SCHEMA_VERSION and stored["settings"]["engine"] == engine
    # a command's own settings.engine is kept
    again = dataclasses.replace(record, settings={**record.settings, "engine": "given"})
    again.write(tmp_path)
    assert RunRecord.read(tmp_path).settings["engine"] == "given"
    assert "codes" not in stored and stored["note"] == "kept"  # None blocks are left out


def test_run_json_of_the_previous_release_is_version_1(tmp_path):
    legacy = {"command": "parse", "input": {"path": "e.csv"}, "counts": {"non_answers": 3}}
    (tmp_path / RUN_JSON).write_text(json.dumps(legacy), encoding="utf-8")
    record = RunRecord.read(tmp_path)
    assert record.schema_version == 1
    assert record.counts == {COUNT_NON_ANSWER: 3}


@pytest.mark.parametrize("version", [999, "1", None, True])
def test_unknown_schema_version_is_refused_with_one_line(tmp_path, version):
    (tmp_path / RUN_JSON).write_text(
        json.dumps({**_record().to_dict(), "schema_version": version}), encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        RunRecord.read(tmp_path)
    message = str(info.value)
    assert "\n" not in message
    assert f"has schema version {version!r}" in message and "upgrade textmine" in message


@pytest.mark.parametrize("command", [("crosstab", "--by", "fonction"), ("report",)])
def test_cli_refuses_a_run_folder_of_an_unknown_schema(cli, tmp_path, command):
    run = make_run(tmp_path / "run")
    record = json.loads((run / RUN_JSON).read_text(encoding="utf-8"))
    record["schema_version"] = 999
    (run / RUN_JSON).write_text(json.dumps(record), encoding="utf-8")
    res = cli(command[0], run, *command[1:])
    assert res.code == 2
    assert res.err.startswith("error: ") and res.err.count("\n") == 1
    assert "schema version 999" in res.err and "Traceback" not in res.err


def test_ids_and_na_values_stay_strings(tmp_path):
    answers = pd.DataFrame({
        "respondent_id": ["007", "NA", "-12", "10"],
        "text": ["NA", "RAS", "null", ""],
        "status": ["themed", "non-answer", "themed", "empty"],
        "theme_id": pd.array([2, None, 1, None], dtype="Int64"),
        "weight": [0.5, None, 1.0, None],
        "themes": ["2;1", "", "1", ""],
    })
    write_csv(answers, tmp_path / ANSWERS_CSV)
    back = read_run_csv(tmp_path, ANSWERS_CSV)
    assert back["respondent_id"].tolist() == ["007", "NA", "-12", "10"]  # '-12 restored
    assert back["text"].tolist()[:3] == ["NA", "RAS", "null"] and pd.isna(back["text"][3])
    assert back["themes"].tolist()[0] == "2;1"
    assert str(back["theme_id"].dtype) == "Int64"
    assert back["theme_id"].tolist()[0] == 2 and pd.isna(back["theme_id"][1])
    themes = pd.DataFrame({"theme_id": [1, 2], "label": ["NA", "2020"], "quote_1": ["007", "x"]})
    write_csv(themes, tmp_path / THEMES_CSV)
    back = read_run_csv(tmp_path, THEMES_CSV)
    assert back["label"].tolist() == ["NA", "2020"] and back["quote_1"].tolist() == ["007", "x"]


def test_missing_and_foreign_csvs_are_one_line_errors(tmp_path):
    with pytest.raises(InputFileError, match=r"has no themes\.csv; give the folder"):
        read_run_csv(tmp_path, THEMES_CSV)
    assert read_run_csv(tmp_path, THEMES_CSV, required=False) is None
    (tmp_path / THEMES_CSV).write_text("theme_id,label\nun,A\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="not whole numbers"):
        read_run_csv(tmp_path, THEMES_CSV)
    with pytest.raises(InputFileError, match=r"lacks column\(s\) top_terms"):
        read_run_csv(tmp_path, THEMES_CSV, columns=("label", "top_terms"))


def test_one_input_block():
    class Source:
        path, sha256, id_col, sheet, n_rows = "/x/e.csv", "ff", "id", None, 7
        profile, detected = "auto", "Qualtrics export, 2 extra header rows skipped"

    assert input_block(Source(), text_col="q", label="Vos besoins ?", a="a.csv") == {
        "a": "a.csv", "path": "/x/e.csv", "name": "e.csv", "sha256": "ff", "id_col": "id",
        "sheet": None, "text_col": "q", "rows": 7, "profile": "auto",
        "detected": "Qualtrics export, 2 extra header rows skipped", "label": "Vos besoins ?"}
    # With the run folder as base, the path is recorded relative to it.
    assert input_block(Source(), text_col="q", base="/x/out/run")["path"] == "../../e.csv"


def test_run_project_reads_and_hashes_the_survey_once(tmp_path, monkeypatch):
    from textmine.pipeline import project_run
    from textmine.survey import core

    reads: list[object] = []
    real = core.read_raw

    def counting(path, **kwargs):
        reads.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(core, "read_raw", counting)
    out = project_run.run_project(_project(tmp_path))
    assert len(reads) == 1  # two open questions, one read (and one SHA-256) of the survey
    hashes = {RunRecord.read(out / q).input["sha256"] for q in ("q_evolution", "q_outils")}
    assert len(hashes) == 1 and None not in hashes
    assert runfolder.read_run(out / "q_outils").input["text_col"] == "q_outils"


def test_a_file_given_for_a_run_folder_is_said_to_be_a_file(tmp_path):
    from textmine.runfolder import check_run_folder

    survey = tmp_path / "enquete.csv"
    survey.write_text("id,avis\n1,oui\n", "utf-8")
    with pytest.raises(InputFileError, match=r"enquete\.csv is a file, not a run folder; give "):
        check_run_folder(survey, "sheet")
    with pytest.raises(InputFileError, match=r"Run folder .*absent not found"):
        check_run_folder(tmp_path / "absent", "sheet")
