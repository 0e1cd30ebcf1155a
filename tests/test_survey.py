"""Public survey API: read_survey, open_answers, closed_question, survey_weights, describe."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from textmine.config import ReadOptions
from textmine.errors import ColumnError, DataError
from textmine.survey import (
    closed_question,
    describe_survey,
    inspect_survey,
    open_answers,
    read_survey,
    survey_weights,
)

DATA = Path(__file__).parent / "data" / "survey"


def exact(message: str) -> str:
    return "^" + re.escape(message) + "$"


@pytest.fixture(scope="module")
def enquete():
    return read_survey(DATA / "enquete_latin1.csv",
                       options=ReadOptions(id_col="id", weights="poids"))


def test_open_answers_are_strings_indexed_by_id(enquete):
    answers = open_answers(enquete, "q_evolution")
    assert answers.index.name == "respondent_id"
    assert answers["007"] == "Beaucoup plus de visio, et on a dû tout réapprendre à distance."
    assert answers["034"] == ""  # blank answer
    assert answers["015"] == "RAS"
    assert answers.map(type).eq(str).all()
    assert len(answers) == 12


def test_open_answers_missing_column(enquete):
    with pytest.raises(ColumnError, match=exact(
        "Column 'Q12' not found in enquete_latin1.csv; available columns: id, fonction, taille, "
        "age, poids, Q5_1, Q5_2, Q5_3, outils, q_evolution."
    )):
        open_answers(enquete, "Q12")


def test_closed_single_is_categorical(enquete):
    fonction = closed_question(enquete, "fonction")
    assert isinstance(fonction.dtype, pd.CategoricalDtype)
    assert not fonction.cat.ordered
    assert fonction["012"] == "Directeur de la communication"
    assert fonction.index.equals(enquete.data.index)


def test_closed_numeric_is_float(enquete):
    age = closed_question(enquete, "age")
    assert age.dtype == float
    assert age["007"] == 34.0
    assert pd.isna(age["034"])


def test_closed_multi_column_multiple(enquete):
    q5 = closed_question(enquete, "Q5")
    assert list(q5.columns) == ["Q5_1", "Q5_2", "Q5_3"]
    assert q5.loc["012"].tolist() == [0, 1, 1]
    assert q5.loc["034"].isna().all()
    # A member column name leads to the same question.
    assert closed_question(enquete, "Q5_2").equals(q5)


def test_closed_one_column_multiple(enquete):
    outils = closed_question(enquete, "outils")
    assert list(outils.columns) == ["Visio", "Cloud", "Formulaires", "Sondages"]
    assert outils.loc["012"].tolist() == [1, 1, 1, 0]
    assert outils.loc["034"].isna().all()
    assert int(outils["Visio"].sum()) == 8


def test_closed_question_refuses_open_questions(enquete):
    with pytest.raises(DataError, match=exact(
        "Question 'q_evolution' of enquete_latin1.csv is typed open, not closed; set its type "
        "(single, multiple, ordinal or numeric) in the project file to use it."
    )):
        closed_question(enquete, "q_evolution")


def test_closed_question_unknown(enquete):
    with pytest.raises(ColumnError, match=r"^Column 'Q12' not found in enquete_latin1\.csv"):
        closed_question(enquete, "Q12")


def test_survey_weights(enquete):
    weights = survey_weights(enquete)
    assert weights.name == "weight"
    assert weights["007"] == 1.2
    assert weights.index.equals(enquete.data.index)
    assert survey_weights(read_survey(DATA / "enquete_latin1.csv")) is None


def test_describe_survey(enquete):
    table = describe_survey(enquete)
    assert list(table.columns) == ["column", "question", "kind", "n_nonempty", "n_distinct",
                                   "example_1", "example_2"]
    row = table.set_index("column").loc["taille"]
    assert (row.kind, row.n_nonempty, row.n_distinct) == ("single", 12, 3)
    assert row.example_1 == "10 000 - 50 000"  # most frequent first
    q5 = table.set_index("column").loc["Q5_2"]
    assert (q5.question, q5.kind) == ("Q5", "multiple")
    first_open = table.set_index("column").loc["q_evolution"].example_1
    assert first_open.startswith("Beaucoup plus de visio")


def test_inspect_survey_reads_and_describes():
    survey, table = inspect_survey(DATA / "court.tsv")
    assert survey.source.sep == "\t"
    assert table["column"].tolist() == ["id", "genre", "commentaire"]


# --- the real files in ../shared/data/raw ------------------------------------------------------

def kinds(survey) -> dict[str, str]:
    return {q.name: q.kind for q in survey.questions.values()}


def test_ined_pee(raw):
    survey = read_survey(raw / "ined_pee1992_k1" / "PEE_K1_extract.csv",
                         options=ReadOptions(id_col="qnumq"))
    src = survey.source
    assert (src.encoding, src.sep, src.n_rows) == ("latin-1", ";", 2017)
    k = kinds(survey)
    assert k["K1"] == "open"
    closed = ["sexe", "aget", "matrim", "pratique", "enf", "activite", "prof", "dipl", "vote",
              "habitat", "localite", "revenu", "region"]
    assert {c: k[c] for c in closed} == dict.fromkeys(closed, "single")
    assert (k["unnamed_1"], k["qnumq"]) == ("id", "id")
    assert survey.data.index[0] == "3041"
    assert survey.questions["sexe"].levels == ("femme", "homme")
    assert closed_question(survey, "sexe").value_counts().to_dict() == {"femme": 1055,
                                                                        "homme": 962}
    answers = open_answers(survey, "K1")
    assert answers.eq("").sum() == 0
    assert answers.nunique() == 1528
    assert answers.iloc[1] == "propreté de l'ensemble, pas d'odeur"


def test_assemblee_nationale(raw):
    survey = read_survey(raw / "an_questions_ecrites_16e" / "data.csv",
                         options=ReadOptions(id_col="id"))
    src = survey.source
    assert (src.encoding, src.sep, src.n_rows) == ("cp1252", "|", 1308)
    k = kinds(survey)
    assert (k["titre"], k["question"]) == ("open", "open")
    assert {k["groupe"], k["rubrique"], k["ministère_interrogé"]} == {"single"}
    assert len(survey.questions["groupe"].levels) == 11
    assert len(survey.questions["rubrique"].levels) == 172
    assert open_answers(survey, "question").str.contains("œ").any()


@pytest.mark.parametrize(
    ("name", "n_rows"),
    [
        ("gd_animation_democratie_30.csv", 8942), ("gd_animation_democratie_39.csv", 8861),
        ("gd_animation_fiscalite_13.csv", 8957), ("gd_animation_fiscalite_16.csv", 8956),
        ("gd_animation_organisation_16.csv", 8888), ("gd_animation_organisation_21.csv", 8938),
        ("gd_animation_transition_14.csv", 8961), ("gd_animation_transition_22.csv", 8945),
    ],
)
def test_grand_debat_samples(raw, name, n_rows):
    survey = read_survey(raw / "granddebat_disaitek_samples" / name)
    src = survey.source
    assert (src.encoding, src.sep, src.n_rows) == ("utf-8", ",", n_rows)
    k = kinds(survey)
    assert k["comment"] == "open"
    assert k["cluster_name"] == "single"
    assert len(survey.questions["cluster_name"].levels) == 9
    assert {k[c] for c in ("cluster_size", "cluster_prop", "x", "y")} == {"numeric"}
    assert open_answers(survey, "comment").eq("").sum() == 0


def test_grand_debat_question_map_is_tab_separated(raw):
    survey = read_survey(raw / "granddebat_disaitek_samples" / "question_map_from_repo_html.tsv")
    assert (survey.source.sep, survey.source.n_rows) == ("\t", 59)
    assert kinds(survey)["question_text"] == "open"


@pytest.mark.parametrize(
    ("name", "n_rows", "text", "closed"),
    [
        ("propositions-libres.csv", 196, "body", "category/name/fr"),
        ("commentaires_debats.csv", 693, "body", "commentable_type"),
        ("commentaires_propositions_libres.csv", 44, "body", "commentable_type"),
        ("debats.csv", 29, "title/fr", "description/fr"),
    ],
)
def test_decidim(raw, name, n_rows, text, closed):
    survey = read_survey(raw / "decidim_mel_granddebat" / name, options=ReadOptions(id_col="id"))
    src = survey.source
    assert (src.encoding, src.sep, src.n_rows) == ("utf-8", ";", n_rows)
    k = kinds(survey)
    assert (k[text], k[closed]) == ("open", "single")
    assert k["created_at"] == "ignore"


def test_decidim_alignment_is_a_closed_stance(raw):
    survey = read_survey(raw / "decidim_mel_granddebat" / "commentaires_debats.csv")
    alignment = closed_question(survey, "alignment")
    assert alignment.value_counts().to_dict() == {0.0: 574, 1.0: 93, -1.0: 26}


def test_rua_consultation(raw):
    survey = read_survey(raw / "rua_consultation_2019" / "rua-fonctionnement.csv")
    src = survey.source
    assert (src.encoding, src.sep, src.n_rows) == ("utf-8", ";", 11831)
    assert survey.data.shape[1] == 69
    k = kinds(survey)
    assert k["type"] == "single"
    assert closed_question(survey, "type").value_counts().to_dict() == {
        "vote": 9601, "argument": 1777, "opinion": 434, "reportings": 13, "source": 6}
    for col in ("contributions_bodyText", "contributions_arguments_body", "contributions_title"):
        assert k[col] == "open"
    for col in ("contributions_section_title", "contributions_arguments_type",
                "contributions_votes_value"):
        assert k[col] == "single"
    stance = closed_question(survey, "contributions_arguments_type").value_counts()
    assert stance.to_dict() == {"FOR": 926, "AGAINST": 851}


@pytest.mark.parametrize(("name", "columns"), [("arguments_counts.csv", ["yes", "no"]),
                                               ("votes_counts.csv", ["ok", "ko", "mitige"])])
def test_republique_numerique_counts(raw, name, columns):
    survey = read_survey(raw / "republique_numerique_2015" / name, options=ReadOptions(
        id_col="id"))
    src = survey.source
    assert (src.encoding, src.sep, src.n_rows) == ("utf-8", ",", 696)
    assert {kinds(survey)[c] for c in columns} == {"numeric"}
    assert survey.data.index[0] == "100"


def test_open_answers_keep_numbers_as_written(tmp_path):
    path = tmp_path / "nombres.csv"
    path.write_text("id;reponse\n1;3\n2;12\n3;\n4;007\n5;3,50\n", encoding="utf-8")
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert survey.questions["reponse"].kind == "numeric"
    answers = open_answers(survey, "reponse")
    assert answers.tolist() == ["3", "12", "", "007", "3,50"]
    assert answers.index.tolist() == ["1", "2", "3", "4", "5"]
