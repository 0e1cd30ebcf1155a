"""Platform profiles (issue 12 part 1): exports of survey platforms read as the researcher means."""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import pandas as pd
import pytest

from textmine.config import ReadOptions
from textmine.errors import DataError, OptionError
from textmine.survey import closed_question, describe_survey, open_answers, read_survey
from textmine.survey.columns import learn_options, split_cell
from textmine.survey.profiles import excel_sep_line


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_rows(tmp_path: Path, name: str, rows: list[list[str]], sep: str = ",") -> Path:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=sep).writerows(rows)
    return path


# --- Excel/LibreOffice sep= first line ---------------------------------------------------------

def test_sep_line_two_columns(tmp_path):
    path = write(tmp_path, "a.csv", "sep=;\nid;reponse\nr1;Manque de moyens humains\n"
                                    "r2;Trop de réunions en visio\n")
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert list(survey.data.columns) == ["id", "reponse"]
    assert survey.source.sep == ";"
    assert list(open_answers(survey, "reponse")) == ["Manque de moyens humains",
                                                     "Trop de réunions en visio"]
    assert "sep=;" in survey.source.detected


@pytest.mark.parametrize("sep", [";", ",", "|", "\t", ":"])
@pytest.mark.parametrize("forced", [False, True])
@pytest.mark.parametrize("prefix", ["", "\ufeff"])
@pytest.mark.parametrize("quoted", [False, True])
def test_sep_line_three_columns_any_separator(tmp_path, sep, forced, prefix, quoted):
    first = f'"sep={sep}"' if quoted else f"sep={sep}"
    rows = [["id", "fonction", "reponse"], ["r1", "DG", "Manque de moyens"],
            ["r2", "DSI", "Trop de réunions"], ["r3", "DG", "Pas assez de temps"]]
    body = "\r\n".join(sep.join(r) for r in rows) + "\r\n"
    path = write(tmp_path, "b.csv", f"{prefix}{first}\r\n{body}")
    options = ReadOptions(id_col="id", sep=sep if forced else None)
    survey = read_survey(path, options=options)
    assert list(survey.data.columns) == ["id", "fonction", "reponse"]
    assert list(survey.data.index) == ["r1", "r2", "r3"]
    assert survey.source.sep == sep


def test_sep_line_helper_leaves_other_files_alone():
    assert excel_sep_line("id;sep=x\n1;2\n") == ("id;sep=x\n1;2\n", None)
    assert excel_sep_line("separation\nx\n")[1] is None
    assert excel_sep_line("sep=;;;\nid;q\n") == ("id;q\n", ";")


# --- Qualtrics -----------------------------------------------------------------------------------

QUALTRICS_HEADER = ["StartDate", "EndDate", "Status", "IPAddress", "Progress",
                    "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                    "RecipientEmail", "LocationLatitude", "Q1", "Q2"]
QUALTRICS_WORDING = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
                     "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
                     "Recipient Email", "Location Latitude",
                     "Que manque-t-il à votre service ?", "Votre fonction"]
QUALTRICS_ROWS = [
    ["2024-01-05 10:00:00", "2024-01-05 10:05:00", "IP Address", "81.2.3.4", "100", "300",
     "True", "2024-01-05 10:05:01", "R_1abc", "a@b.fr", "48.85", "Manque de moyens humains",
     "DG"],
    ["2024-01-06 10:00:00", "2024-01-06 10:09:00", "IP Address", "81.2.3.5", "80", "540",
     "False", "2024-01-06 10:09:01", "R_2abc", "c@d.fr", "45.75", "Trop de réunions en visio",
     "DSI"],
    ["2024-01-07 10:00:00", "2024-01-07 10:02:00", "IP Address", "81.2.3.6", "100", "120",
     "True", "2024-01-07 10:02:01", "R_3abc", "e@f.fr", "43.60", "Pas assez de temps", "DG"],
]


def _import_ids() -> list[str]:
    return [json.dumps({"ImportId": f"QID{i}"}) for i in range(len(QUALTRICS_HEADER))]


@pytest.mark.parametrize("with_import_row", [True, False])
def test_qualtrics_rows_skipped_wording_as_labels(tmp_path, with_import_row):
    rows = [QUALTRICS_HEADER, QUALTRICS_WORDING]
    rows += [_import_ids()] if with_import_row else []
    path = write_rows(tmp_path, "qualtrics.csv", rows + QUALTRICS_ROWS)
    survey = read_survey(path, options=ReadOptions(id_col="ResponseId"))
    assert survey.source.n_rows == 3
    assert survey.source.profile == "qualtrics"
    skipped = "2 extra header rows" if with_import_row else "1 extra header row"
    assert survey.source.detected == (
        f"Qualtrics export, {skipped} skipped, question wording used as labels")
    assert survey.questions["Q1"].label == "Que manque-t-il à votre service ?"
    assert survey.questions["Q1"].kind == "open"
    assert list(open_answers(survey, "Q1"))[0] == "Manque de moyens humains"
    assert list(closed_question(survey, "Q2").cat.categories) == ["DG", "DSI"]
    assert survey.questions["Progress"].kind == "numeric"
    assert survey.questions["Duration (in seconds)"].kind == "numeric"
    for meta in ("StartDate", "EndDate", "RecordedDate", "IPAddress", "LocationLatitude",
                 "RecipientEmail", "Status", "Finished"):
        assert survey.questions[meta].kind == "ignore", meta
    for personal in ("IPAddress", "RecipientEmail", "LocationLatitude"):
        assert survey.questions[personal].personal
        with pytest.raises(DataError, match="personal data"):
            open_answers(survey, personal)
    described = describe_survey(survey).set_index("column")
    assert "a@b.fr" not in described.loc["RecipientEmail"].tolist()


def test_qualtrics_profile_none_reads_as_is(tmp_path):
    path = write_rows(tmp_path, "q.csv", [QUALTRICS_HEADER, QUALTRICS_WORDING, _import_ids(),
                                         *QUALTRICS_ROWS])
    survey = read_survey(path, options=ReadOptions(profile="none"))
    assert survey.source.n_rows == 5
    assert survey.source.detected == ""


def test_unknown_profile_is_an_option_error():
    with pytest.raises(OptionError, match="Unknown survey profile 'spss'"):
        ReadOptions(profile="spss")


# --- SurveyMonkey --------------------------------------------------------------------------------

def test_surveymonkey_two_header_rows(tmp_path):
    rows = [
        ["Respondent ID", "Collector ID", "IP Address", "Quels outils utilisez-vous ?", "", "",
         "", "Que manque-t-il ?", "Votre fonction"],
        ["", "", "", "Visio", "Cloud", "Messagerie", "Other (please specify)",
         "Open-Ended Response", "Response"],
        ["101", "9", "1.2.3.4", "Visio", "", "Messagerie", "", "Manque de moyens humains", "DG"],
        ["102", "9", "1.2.3.5", "", "Cloud", "", "Un wiki interne", "Trop de réunions", "DSI"],
        ["103", "9", "1.2.3.6", "Visio", "Cloud", "", "Un autre outil", "Pas de temps", "DG"],
    ]
    path = write_rows(tmp_path, "sm.csv", rows)
    survey = read_survey(path, options=ReadOptions(id_col="Respondent ID"))
    assert survey.source.profile == "surveymonkey"
    assert survey.source.n_rows == 3
    q = survey.questions["Quels outils utilisez-vous ?"]
    assert q.kind == "multiple" and len(q.columns) == 3
    table = closed_question(survey, "Quels outils utilisez-vous ?")
    assert table.loc["103"].tolist() == [1, 1, 0]
    assert survey.questions["Que manque-t-il ?"].kind == "open"
    assert survey.questions["IP Address"].personal
    assert survey.questions["Quels outils utilisez-vous ? - Other (please specify)"].kind != (
        "multiple")


# --- LimeSurvey ----------------------------------------------------------------------------------

def test_limesurvey_not_shown_is_missing(tmp_path):
    path = write(tmp_path, "ls.csv", "id,Q5[SQ001],Q5[SQ002]\n1,Y,\n2,,Y\n3,N/A,N/A\n")
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert survey.source.profile == "limesurvey"
    table = closed_question(survey, "Q5")
    assert table.loc["1"].tolist() == [1, 0]
    assert table.loc["2"].tolist() == [0, 1]
    assert table.loc["3"].isna().all()


def test_limesurvey_oui_and_several_groups(tmp_path):
    rows = [["id", "submitdate", "lastpage", "startlanguage", "outils[SQ001]", "outils[SQ002]",
             "outils[SQ003]", "freins[A1]", "freins[A2]"],
            ["1", "2024-01-01 10:00:00", "3", "fr", "Oui", "", "Oui", "N/A", "N/A"],
            ["2", "2024-01-01 11:00:00", "3", "fr", "", "Oui", "", "Oui", ""],
            ["3", "2024-01-01 12:00:00", "2", "fr", "N/A", "N/A", "N/A", "", "Oui"],
            ["4", "2024-01-01 13:00:00", "3", "fr", "Oui", "Oui", "", "Oui", "Oui"]]
    survey = read_survey(write_rows(tmp_path, "ls2.csv", rows), options=ReadOptions(id_col="id"))
    outils, freins = closed_question(survey, "outils"), closed_question(survey, "freins")
    assert outils.loc["3"].isna().all() and freins.loc["1"].isna().all()
    assert outils.loc["2"].tolist() == [0, 1, 0]
    assert freins.loc["3"].tolist() == [0, 1]
    assert survey.questions["submitdate"].kind == "ignore"


@pytest.mark.parametrize("profile", [None, "none"])
@pytest.mark.parametrize("marker", ["N/A", "NA", "n/a", "#N/A", "Non affiché", "-"])
def test_multiple_choice_all_not_shown_is_missing(tmp_path, profile, marker):
    """A multi-column question whose cells are all "not shown" is missing, never all ticked."""
    rows = [["id", "submitdate", "lastpage", "startlanguage", "Q5[SQ001]", "Q5[SQ002]", "Q6"]]
    rows += [[str(i), "2020-05-01", "3", "fr", marker, marker, "Manque de moyens"]
             for i in range(30)]
    options = ReadOptions(id_col="id", profile=profile) if profile else ReadOptions(id_col="id")
    survey = read_survey(write_rows(tmp_path, "ls.csv", rows), options=options)
    assert survey.data["Q5[SQ001]"].isna().all()
    assert survey.data["Q5[SQ002]"].isna().all()
    assert survey.question("Q5").kind == "multiple"


@pytest.mark.parametrize("profile", [None, "none"])
def test_multiple_choice_not_shown_markers_are_missing(tmp_path, profile):
    rows = [["id", "Q5_1", "Q5_2"], ["1", "x", ""], ["2", "", "x"], ["3", "#N/A", "#N/A"],
            ["4", "Non affiché", "-"]]
    options = ReadOptions(id_col="id", profile=profile) if profile else ReadOptions(id_col="id")
    survey = read_survey(write_rows(tmp_path, "g.csv", rows), options=options)
    table = closed_question(survey, "Q5")
    assert table.loc["1"].tolist() == [1, 0]
    assert table.loc["3"].isna().all() and table.loc["4"].isna().all()


# --- KoboToolbox ---------------------------------------------------------------------------------

def test_kobo_select_multiple(tmp_path):
    path = write(tmp_path, "kobo.csv", "id;outils;outils/visio;outils/cloud\n1;visio cloud;1;1\n"
                                       "2;visio;1;0\n3;cloud;0;1\n4;;;\n")
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert survey.source.profile == "kobo"
    q = survey.question("outils")
    assert q.kind == "multiple" and "outils" in q.columns
    assert len([n for n in survey.questions if n.startswith("outils")]) == 1
    table = closed_question(survey, "outils")
    assert list(table.columns) == ["outils/visio", "outils/cloud"]
    assert table.loc["2"].tolist() == [1, 0]
    assert table.loc["4"].isna().all()


def test_kobo_labels_and_metadata(tmp_path):
    rows = [["start", "end", "Fonction", "Outils", "Outils/Visio", "Outils/Cloud", "Outils/Wiki",
             "_id", "_uuid", "_submission_time"],
            ["2024-01-01", "2024-01-01", "DG", "Visio Wiki", "1", "0", "1", "1", "a-1", "x"],
            ["2024-01-02", "2024-01-02", "DSI", "Cloud", "0", "1", "0", "2", "a-2", "y"],
            ["2024-01-03", "2024-01-03", "DG", "Wiki Visio Cloud", "1", "1", "1", "3", "a-3", "z"]]
    survey = read_survey(write_rows(tmp_path, "k.csv", rows))
    assert survey.question("Outils").kind == "multiple"
    assert closed_question(survey, "Outils").loc["1"].tolist() == [1, 0, 1]
    assert survey.questions["_uuid"].kind == "ignore"


# --- Google Forms --------------------------------------------------------------------------------

def test_google_forms_checkboxes(tmp_path):
    rows = [["Horodateur", "Outils", "Avis"],
            ["2024/03/05 10:12:33 UTC+1", "Visio, Cloud", "Rien de spécial à dire"],
            ["2024/03/05 11:12:33 UTC+1", "Visio", "Trop de réunions en visio"],
            ["2024/03/06 10:12:33 UTC+1", "Cloud, Outils collaboratifs (Teams, Slack…)",
             "Manque de moyens"]]
    survey = read_survey(write_rows(tmp_path, "gf.csv", rows))
    assert survey.source.profile == "googleforms"
    assert survey.questions["Horodateur"].kind == "ignore"
    q = survey.questions["Outils"]
    assert q.kind == "multiple"
    assert set(q.levels) == {"Visio", "Cloud", "Outils collaboratifs (Teams, Slack…)"}
    table = closed_question(survey, "Outils")
    assert table.loc["3", "Outils collaboratifs (Teams, Slack…)"] == 1
    assert table["Visio"].sum() == 2


def test_google_forms_option_with_comma_seen_alone_never_split(tmp_path):
    rows = [["Timestamp", "Fréquence", "Outils", "Email Address"]]
    answers = ["Oui, souvent", "Non, jamais", "Oui, souvent, Visio", "Visio", "Visio, Non, jamais"]
    single = ["Oui, souvent", "Non, jamais", "Oui, souvent", "Non, jamais", "Oui, souvent"]
    for i, (a, s) in enumerate(zip(answers, single, strict=True)):
        rows.append([f"05/03/2024 1{i}:00:00", s, a, f"p{i}@x.fr"])
    survey = read_survey(write_rows(tmp_path, "gf2.csv", rows))
    assert survey.questions["Fréquence"].kind == "single"
    assert set(survey.questions["Outils"].levels) == {"Oui, souvent", "Non, jamais", "Visio"}
    assert survey.questions["Email Address"].personal


@pytest.mark.parametrize("stamp", ["Horodatage", "Marque temporelle"])
def test_a_generic_timestamp_column_alone_is_not_google_forms(tmp_path, stamp):
    # Any dated export may start with "Horodatage": without a second Google Forms sign the file
    # is read as a plain table (it used to be announced as a Google Forms export).
    rows = [[stamp, "Service", "Avis"]]
    for i in range(6):
        rows.append([f"2024/03/0{i + 1} 10:12:33", ["Com", "DSI"][i % 2], f"Avis numéro {i}"])
    survey = read_survey(write_rows(tmp_path, "export.csv", rows))
    assert survey.source.profile != "googleforms"
    rows[0].append("Adresse e-mail")
    for i, row in enumerate(rows[1:]):
        row.append(f"p{i}@x.fr")
    assert read_survey(write_rows(tmp_path, "gf.csv", rows)).source.profile == "googleforms"


def test_split_and_learn_options():
    assert split_cell("A, B (x, y), C", ", ") == ["A", "B (x, y)", "C"]
    assert learn_options(pd.Series(["Oui, souvent", "Non"]), ", ") == ("Oui, souvent", "Non")


def test_project_option_sep(tmp_path):
    from textmine.project import load_project

    write(tmp_path, "s.csv", "id;outils\n1;Visio / Cloud\n2;Visio\n3;Cloud\n")
    write(tmp_path, "textmine.toml", '[survey]\npath = "s.csv"\nid_col = "id"\n'
          'profile = "none"\n[[closed]]\ncolumn = "outils"\ntype = "multiple"\n'
          'option_sep = " / "\n')
    project = load_project(tmp_path / "textmine.toml")
    assert project.read.profile == "none"
    survey = read_survey(project.survey_path, options=project.read)
    assert closed_question(survey, "outils").loc["1"].tolist() == [1, 1]


# --- Microsoft Forms -----------------------------------------------------------------------------

def test_microsoft_forms_xlsx(tmp_path):
    frame = pd.DataFrame({
        "ID": [1, 2, 3],
        "Start time": ["2024-01-05 10:00:00"] * 3,
        "Completion time": ["2024-01-05 10:05:00"] * 3,
        "Email": ["anonymous", "a@b.fr", "c@d.fr"],
        "Name": ["", "Anne Martin", "Paul Durand"],
        "Outils": ["Visio;Cloud;", "Visio;", "Cloud;Wiki interne;"],
        "Que manque-t-il ?": ["Manque de moyens humains", "Trop de réunions", "Du temps"],
    })
    path = tmp_path / "msforms.xlsx"
    frame.to_excel(path, index=False)
    survey = read_survey(path)
    assert survey.source.profile == "msforms"
    for meta in ("Start time", "Completion time", "Email", "Name"):
        assert survey.questions[meta].kind == "ignore"
    assert survey.questions["Email"].personal and survey.questions["Name"].personal
    assert survey.questions["Outils"].kind == "multiple"
    assert closed_question(survey, "Outils").loc["3", "Wiki interne"] == 1


# --- no detection on weak evidence ---------------------------------------------------------------

def test_plain_files_are_not_detected(tmp_path):
    path = write(tmp_path, "p.csv", 'id,start,end,reponse\n1,a,b,"Oui, mais"\n2,c,d,Non\n')
    survey = read_survey(path)
    assert survey.source.profile == "none" and survey.source.detected == ""


def test_real_files_are_not_detected(raw):
    files = [p for p in sorted(raw.rglob("*")) if p.suffix.lower() in (".csv", ".tsv", ".xlsx")
             and p.stat().st_size < 50_000_000]
    for path in files:
        try:
            survey = read_survey(path, options=ReadOptions())
        except Exception:  # noqa: BLE001 - some raw files are not tables; others test them
            continue
        assert survey.source.profile == "none", path


def test_cli_profile_option_and_inspect(cli, tmp_path):
    path = write_rows(tmp_path, "q.csv", [QUALTRICS_HEADER, QUALTRICS_WORDING, _import_ids(),
                                         *QUALTRICS_ROWS])
    result = cli("inspect", path)
    assert result.code == 0, result.err
    assert "profile: qualtrics" in result.out
    assert "personal data" in result.out
    assert "a@b.fr" not in result.out
    none = cli("inspect", path, "--profile", "none")
    assert none.code == 0 and "rows: 5" in none.out
    bad = cli("inspect", path, "--profile", "spss")
    assert bad.code == 2 and "Unknown survey profile" in bad.err


def test_limesurvey_and_kobo_questions_can_be_crossed(tmp_path):
    from textmine.tables.crosstab import closed_data

    path = write(tmp_path, "ls.csv", "id,Q5[SQ001],Q5[SQ002]\n1,Y,\n2,,Y\n3,N/A,N/A\n")
    data = closed_data(read_survey(path, options=ReadOptions(id_col="id")), "Q5")
    assert data is not None
    kobo = write(tmp_path, "kobo.csv", "id;outils;outils/visio;outils/cloud\n1;visio cloud;1;1\n"
                                       "2;visio;1;0\n3;cloud;0;1\n")
    assert closed_data(read_survey(kobo, options=ReadOptions(id_col="id")), "outils") is not None


def test_sep_line_that_does_not_split_the_header_is_overruled_and_said(tmp_path, caplog):
    # A file re-saved with ';' but still carrying its old "sep=," line.
    path = tmp_path / "resaved.csv"
    rows = ["sep=,", "id;fonction;reponse"] + [
        f"r{i};{'Chargé' if i % 2 else 'Directeur'};Manque de moyens humains et de temps"
        for i in range(12)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert list(survey.data.columns) == ["id", "fonction", "reponse"]
    assert survey.source.sep == ";"
    assert "does not split the header; separator ';' detected instead" in caplog.text


def test_msforms_open_answers_ending_with_a_semicolon_stay_open(tmp_path):
    path = tmp_path / "forms.csv"
    answers = [f"Manque de moyens humains pour le service numéro {i};" for i in range(20)]
    rows = ["ID,Start time,Completion time,Que vous a-t-il manqué ?"] + [
        f"{i},5/1/20 10:00:00,5/1/20 10:05:00,\"{a}\"" for i, a in enumerate(answers)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    survey = read_survey(path, options=ReadOptions(id_col="ID"))
    assert survey.question("Que vous a-t-il manqué ?").kind == "open"
