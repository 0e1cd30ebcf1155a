"""``textmine inspect`` and ``textmine init``, run in-process."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data" / "survey"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_inspect_prints_reading_and_columns(cli):
    result = cli("inspect", DATA / "enquete_latin1.csv", "--id-col", "id")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[:4] == [
        "file: enquete_latin1.csv (csv)",
        "encoding: latin-1    separator: ';'",
        "rows: 12    ids: column 'id'",
        "questions: 1 id, 2 single, 1 numeric, 1 weight, 2 multiple, 1 open",
    ]
    assert lines[5].split() == ["column", "type", "non-empty", "distinct", "examples"]
    rows = {line.split()[0]: line for line in lines[6:]}
    assert list(rows) == ["id", "fonction", "taille", "age", "poids", "Q5_1", "Q5_2", "Q5_3",
                          "outils", "q_evolution"]
    assert rows["taille"].split()[1:4] == ["single", "12", "3"]
    assert rows["taille"].endswith("10 000 - 50 000 | > 50 000")
    assert rows["Q5_2"].split()[1:3] == ["multiple", "(Q5)"]
    assert rows["q_evolution"].endswith("Beaucoup plus de visio, et… | Je suis devenu le "
                                        "conseille…")
    assert result.err == ""


def test_inspect_without_id_column_says_rows_are_numbered(cli):
    result = cli("inspect", DATA / "court.tsv")
    assert result.code == 0
    assert "encoding: utf-8    separator: tab" in result.out
    assert "ids: row numbers (choose a column with --id-col)" in result.out


def test_inspect_spreadsheet_shows_the_sheet(cli, tmp_path):
    path = tmp_path / "enquete.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"id": ["a", "b"], "avis": ["Très bien merci", "Pas assez de moyens"]}) \
            .to_excel(writer, sheet_name="Réponses", index=False)
    result = cli("inspect", path, "--sheet", "Réponses")
    assert result.code == 0, result.err
    assert result.out.splitlines()[:3] == ["file: enquete.xlsx (xlsx)", "sheet: Réponses",
                                           "rows: 2    ids: row numbers (choose a column with "
                                           "--id-col)"]


def test_inspect_forced_encoding_and_separator(cli):
    result = cli("inspect", DATA / "court.tsv", "--encoding", "latin-1", "--sep", "tab")
    assert result.code == 0
    assert "encoding: latin-1    separator: tab" in result.out


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("empty.csv", (), "Survey file empty.csv is empty (0 bytes); export the survey again."),
        ("header_only.csv", (),
         "header_only.csv has a header but no data rows; export the survey with its answers."),
        ("binary.csv", (),
         "binary.csv contains NUL bytes: it is a binary file, not a text table; give a .csv, "
         ".tsv, .txt, .xlsx, .ods, .parquet, .sav or .dta file."),
        ("duplicate_columns.csv", (),
         "Duplicate column names in duplicate_columns.csv: 'Q1'; rename them so that every "
         "column name is unique."),
        ("duplicate_ids.csv", ("--id-col", "id"),
         "Duplicate ids in column 'id' of duplicate_ids.csv: '007', '012' (2 ids appear more "
         "than once); each respondent needs one row with a unique id."),
        ("notes.json", (),
         "Unsupported file type '.json' for notes.json; give a .csv, .tsv, .txt, .xlsx, .ods, "
         ".parquet, .sav or .dta file."),
        ("enquete_latin1.csv", ("--id-col", "Q12"),
         "Column 'Q12' not found in enquete_latin1.csv; available columns: id, fonction, "
         "taille, age, poids, Q5_1, Q5_2, Q5_3, outils, q_evolution."),
        ("enquete_latin1.csv", ("--encoding", "utf-8"),
         "Cannot decode enquete_latin1.csv as utf-8 (byte 0xe9 at position 73); give another "
         "--encoding (e.g. cp1252) or leave it out to detect it."),
    ],
)
@pytest.mark.parametrize("command", ["inspect", "init"])
def test_bad_inputs_are_one_line_errors(cli, tmp_path, command, name, args, message):
    path = DATA / name
    before = digest(path)
    extra = ("--out", tmp_path / "p.toml") if command == "init" else ()
    result = cli(command, path, *args, *extra)
    assert result.code == 2
    assert result.err == f"error: {message}\n"
    assert "Traceback" not in result.err
    assert result.out == ""
    assert digest(path) == before
    assert not (tmp_path / "p.toml").exists()


def test_missing_file_and_sheet(cli, tmp_path):
    missing = tmp_path / "absent.csv"
    result = cli("inspect", missing)
    assert (result.code, result.err) == (2, f"error: Survey file '{missing}' not found; check "
                                            "the path.\n")
    path = tmp_path / "enquete.xlsx"
    pd.DataFrame({"id": ["a"], "avis": ["ok"]}).to_excel(path, sheet_name="Réponses",
                                                          index=False)
    before = digest(path)
    result = cli("inspect", path, "--sheet", "Feuil1")
    assert (result.code, result.err) == (2, "error: Sheet 'Feuil1' not found in enquete.xlsx; "
                                            "available sheets: Réponses.\n")
    assert digest(path) == before


def test_init_writes_the_project_file(cli, tmp_path, monkeypatch):
    shutil.copy(DATA / "enquete_latin1.csv", tmp_path / "enquete.csv")
    monkeypatch.chdir(tmp_path)
    result = cli("init", "enquete.csv", "--id-col", "id")
    assert result.code == 0, result.err
    target = tmp_path / "textmine.toml"
    assert result.out == (f"wrote {target}; check the question types, labels and level orders "
                          "in it.\n")
    from textmine.project import load_project

    assert load_project(target).read.id_col == "id"
    again = cli("init", "enquete.csv")
    assert again.code == 2
    assert again.err == (f"error: {target} already exists; choose another file with --out or "
                         "edit the existing one.\n")


def test_init_out_option(cli, tmp_path):
    out = tmp_path / "projets" / "enquete.toml"
    result = cli("init", DATA / "limesurvey_cp1252.csv", "--out", out)
    assert result.code == 0, result.err
    text = out.read_text(encoding="utf-8")
    assert 'column = "Q5"\ntype = "multiple"' in text
    assert 'column = "Q7"' in text


@pytest.mark.parametrize("command", ["inspect", "init"])
def test_help(cli, command):
    result = cli(command, "--help")
    assert result.code == 0
    for option in ("--id-col", "--sheet", "--encoding", "--sep"):
        assert option in result.out


def test_inspect_real_ined(cli, raw):
    result = cli("inspect", raw / "ined_pee1992_k1" / "PEE_K1_extract.csv", "--id-col", "qnumq")
    assert result.code == 0, result.err
    assert "encoding: latin-1    separator: ';'" in result.out
    assert "rows: 2017    ids: column 'qnumq'" in result.out
    assert "questions: 2 id, 13 single, 1 open" in result.out


def test_inspect_real_assemblee(cli, raw):
    result = cli("inspect", raw / "an_questions_ecrites_16e" / "data.csv")
    assert result.code == 0, result.err
    assert "encoding: cp1252    separator: '|'" in result.out
    assert "rows: 1308" in result.out


BAD = Path(__file__).parent / "data" / "bad"
_READ_ARGS = ("--id-col", "id", "--encoding", "cp1252", "--sep", ";")


@pytest.mark.parametrize(("module", "func", "args"), [
    ("textmine.pipeline.themes_run", "run_themes",
     ("themes", BAD / "good.csv", "--text-col", "reponse", "--min-df", "1")),
    ("textmine.pipeline.themes_run", "run_apply",
     ("apply", BAD, BAD / "good.csv", "--text-col", "reponse")),
    ("textmine.pipeline.coding_run", "run_code",
     ("code", BAD / "good.csv", "--text-col", "reponse", "--labels", BAD / "labels_good.csv")),
    ("textmine.pipeline.coding_run", "run_agree",
     ("agree", BAD / "labels_good.csv", BAD / "labels_good.csv", "--survey", BAD / "good.csv")),
])
def test_encoding_and_sep_reach_the_survey_reader(cli, monkeypatch, tmp_path, module, func,
                                                  args):
    import importlib

    from textmine.config import ReadOptions
    from textmine.errors import OptionError

    seen = {}

    def record(*_args, **kwargs):
        seen.update(kwargs)
        raise OptionError("recorded.")

    monkeypatch.setattr(importlib.import_module(module), func, record)
    result = cli(*args, *_READ_ARGS, "--out", tmp_path / "out")
    assert (result.code, result.err) == (2, "error: recorded.\n")
    assert seen["read_options"] == ReadOptions(id_col="id", encoding="cp1252", sep=";")
    if func == "run_themes":
        assert seen["theme_options"].min_df == 1


@pytest.mark.parametrize("command", ["themes", "apply", "code", "agree"])
def test_encoding_and_sep_are_documented(cli, command, monkeypatch):
    # A wide terminal: with many options rich wraps the help column mid-sentence at 80.
    monkeypatch.setenv("COLUMNS", "200")
    result = cli(command, "--help")
    assert result.code == 0
    assert "--encoding" in result.out and "--sep" in result.out
    assert "Force the text encoding" in result.out


def test_themes_unknown_encoding_is_one_line(cli, tmp_path):
    result = cli("themes", BAD / "good.csv", "--text-col", "reponse", "--encoding", "nope",
                 "--out", tmp_path / "out")
    assert (result.code, result.err) == (
        2, "error: Unknown encoding 'nope'; use for example utf-8, cp1252 or latin-1.\n")
    assert not (tmp_path / "out").exists()


def test_themes_min_df_below_one_is_refused(cli, tmp_path):
    result = cli("themes", BAD / "good.csv", "--text-col", "reponse", "--min-df", "0",
                 "--out", tmp_path / "out")
    assert (result.code, result.err) == (
        2, "error: min_df=0 must be at least 1; give --min-df 1 or more.\n")
    assert not (tmp_path / "out").exists()


def test_inspect_says_the_iramuteq_detection_once(cli, tmp_path, caplog):
    # The reader's "detected" warning and inspect's own "detected:" line said it twice.
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("**** *sexe_femme *age_30\nle bus est trop rare le soir\n"
                      "**** *sexe_homme *age_40\nil faut plus de pistes cyclables\n",
                      encoding="utf-8")
    res = cli("inspect", corpus)
    assert res.code == 0, res.err
    # the reader's warning reaches the log (caplog in tests), inspect's line stdout
    assert (caplog.text + res.out + res.err).count("IRaMuTeQ corpus") == 1
    assert "profile: iramuteq" in res.out
