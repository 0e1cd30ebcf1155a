"""Question types: detection rules, multi-column groups, overrides (textmine.survey.columns)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from textmine.config import ReadOptions
from textmine.errors import ColumnError, DataError, DataQualityWarning, OptionError
from textmine.survey import read_survey
from textmine.survey.columns import guess_kind, natural_key, parse_numbers

DATA = Path(__file__).parent / "data" / "survey"


def exact(message: str) -> str:
    return "^" + re.escape(message) + "$"


def kind(values: list[str], name: str = "q") -> str:
    return guess_kind(pd.Series(values, dtype=object), name)


def write(tmp_path: Path, text: str, name: str = "enquete.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- numbers -------------------------------------------------------------------------------

def test_parse_numbers_french_forms():
    values = pd.Series(["3,5", "1 000", "1\u202f000,25", "-2", ".5", "1e3", "10 000 - 50 000",
                        "NSP", None, "inf", "12 %"], dtype=object)
    parsed = parse_numbers(values).tolist()
    assert parsed[:6] == [3.5, 1000.0, 1000.25, -2.0, 0.5, 1000.0]
    assert all(pd.isna(v) for v in parsed[6:])


def test_natural_key_orders_numbers_inside_text():
    assert sorted(["Q10", "Q2", "Q1"], key=natural_key) == ["Q1", "Q2", "Q10"]


# --- one column at a time --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("values", "name", "expected"),
    [
        ([], "q", "ignore"),
        (["http://a.fr/1", "https://b.fr/2", "www.c.fr"], "lien", "ignore"),
        (["05/07/2022", "12/07/2022", "2019-01-17 10:38:20 +0100"], "date", "ignore"),
        (["a1", "b2", "c3"], "id", "id"),
        ([str(i) for i in range(1, 31)], "rang", "id"),
        ([str(i) for i in range(1, 11)], "rang", "numeric"),  # too few to be sure it is an id
        (["34", "45", "29", "51", "34"], "age", "numeric"),
        (["3,5", "4", "2,5", "4"], "note", "numeric"),
        (["0", "1", "1", "0"], "sollicite", "single"),
        (["1", "0,5", "2"], "poids", "weight"),
        (["10 000 - 50 000", "> 50 000", "< 10 000", "10 000 - 50 000"], "taille", "single"),
        (["Visio;Cloud", "Visio", "Cloud;Formulaires", "Visio;Formulaires", "Cloud"],
         "outils", "multiple"),
        (["Beaucoup plus de visio qu'avant.", "On a aidé la DSI tous les jours.",
          "Manque de moyens humains et matériels."], "avis", "open"),
        (["oui", "non", "oui", "oui", "non", "oui"], "q", "single"),
        (["f0175fce-e908-11e9-adee-0242ac110002", "a7175fce-e908-11e9-adee-0242ac110002",
          "f0175fce-e908-11e9-adee-0242ac110002"] * 20
         + [f"{i:08x}-e908-11e9-adee-0242ac110002" for i in range(60)], "auteur", "ignore"),
        ([f"mot{i}" for i in range(60)] + ["mot1"], "en_un_mot", "open"),
    ],
)
def test_guess_kind(values, name, expected):
    assert kind(values, name) == expected


def test_long_text_with_semicolons_is_open_not_multiple():
    values = [f"Il faut être réaliste; remettons à plat le point {i}; sinon rien" for i in range(9)]
    assert kind(values) == "open"


# --- whole files -----------------------------------------------------------------------------

def test_fixture_types():
    survey = read_survey(DATA / "enquete_latin1.csv", options=ReadOptions(id_col="id"))
    kinds = {q.name: q.kind for q in survey.questions.values()}
    assert kinds == {
        "id": "id", "fonction": "single", "taille": "single", "age": "numeric",
        "poids": "weight", "Q5": "multiple", "outils": "multiple", "q_evolution": "open",
    }
    q5 = survey.questions["Q5"]
    assert q5.columns == ("Q5_1", "Q5_2", "Q5_3")
    assert q5.levels == ("Q5_1", "Q5_2", "Q5_3")
    assert survey.questions["outils"].levels == ("Visio", "Cloud", "Formulaires", "Sondages")
    assert survey.questions["taille"].levels == ("10 000 - 50 000", "< 10 000", "> 50 000")
    assert survey.data["poids"].tolist()[:3] == [1.2, 0.8, 1.0]


def test_multi_column_group_values_and_non_answers():
    survey = read_survey(DATA / "enquete_latin1.csv", options=ReadOptions(id_col="id"))
    q5 = survey.data[["Q5_1", "Q5_2", "Q5_3"]]
    assert str(q5.dtypes.iloc[0]) == "Int8"
    assert q5.loc["007"].tolist() == [1, 0, 1]
    assert q5.loc["034"].isna().all()  # answered none of the options: no answer


def test_limesurvey_checked_style_group():
    survey = read_survey(DATA / "limesurvey_cp1252.csv", options=ReadOptions(id_col="id"))
    q5 = survey.questions["Q5"]
    assert q5.kind == "multiple"
    assert q5.columns == ("Q5[SQ001]", "Q5[SQ002]", "Q5[SQ003]")
    assert survey.data.loc["2", list(q5.columns)].tolist() == [0, 1, 0]
    assert survey.data.loc["4", list(q5.columns)].isna().all()


def test_prefix_columns_that_are_not_yes_no_stay_separate(tmp_path):
    path = write(tmp_path, "id;Q1_1;Q1_2\n1;3;5\n2;4;1\n3;2;2\n4;5;5\n")
    survey = read_survey(path)
    assert {q.name: q.kind for q in survey.questions.values()} == {
        "id": "id", "Q1_1": "numeric", "Q1_2": "numeric"}


def test_oui_non_group(tmp_path):
    path = write(tmp_path, "id;outil_1;outil_2\n1;Oui;Non\n2;non;oui\n3;;\n")
    survey = read_survey(path)
    assert survey.questions["outil"].kind == "multiple"
    assert survey.data["outil_1"].tolist()[:2] == [1, 0]


def test_group_name_that_is_also_a_column(tmp_path):
    path = write(tmp_path, "id;Q5;Q5_1;Q5_2\n1;autre chose;1;0\n2;rien;0;1\n")
    survey = read_survey(path)
    assert survey.questions["Q5 (multiple)"].columns == ("Q5_1", "Q5_2")


# --- overrides ---------------------------------------------------------------------------------

def test_type_overrides(tmp_path):
    path = write(tmp_path, "id;age;avis;Q5_1;Q5_2\n1;34;bien;1;0\n2;45;mal;0;1\n3;29;bien;1;1\n")
    options = ReadOptions(types=(("age", "single"), ("avis", "open"), ("Q5_2", "single")))
    survey = read_survey(path, options=options)
    kinds = {q.name: q.kind for q in survey.questions.values()}
    assert kinds == {"id": "id", "age": "single", "avis": "open", "Q5_1": "single",
                     "Q5_2": "single"}


def test_prefix_forced_multiple(tmp_path):
    path = write(tmp_path, "id;Q5_1;Q5_2\n1;Visio;\n2;;Cloud\n3;Visio;Cloud\n4;x;\n")
    survey = read_survey(path, options=ReadOptions(types=(("Q5", "multiple"),)))
    assert survey.questions["Q5"].columns == ("Q5_1", "Q5_2")
    assert survey.data["Q5_1"].tolist() == [1, 0, 1, 1]


def test_levels_make_an_ordinal(tmp_path):
    path = write(tmp_path, "id;taille\n1;> 50 000\n2;< 10 000\n3;10 000 - 50 000\n")
    order = ("< 10 000", "10 000 - 50 000", "> 50 000")
    survey = read_survey(path, options=ReadOptions(levels=(("taille", order),)))
    q = survey.questions["taille"]
    assert (q.kind, q.levels) == ("ordinal", order)
    assert survey.data["taille"].cat.ordered
    assert survey.data["taille"].max() == "> 50 000"


def test_ordinal_numbers_without_levels_are_ordered_numerically(tmp_path):
    path = write(tmp_path, "id;satisfaction\n1;10\n2;2\n3;1\n")
    survey = read_survey(path, options=ReadOptions(types=(("satisfaction", "ordinal"),)))
    assert survey.questions["satisfaction"].levels == ("1", "2", "10")


def test_ordinal_text_without_levels_is_an_error(tmp_path):
    path = write(tmp_path, "id;taille\n1;grande\n2;petite\n")
    with pytest.raises(OptionError, match=exact(
        "Column 'taille' is ordinal but its level order is unknown; give its levels in order "
        "(values: 'grande', 'petite')."
    )):
        read_survey(path, options=ReadOptions(types=(("taille", "ordinal"),)))


def test_values_outside_the_levels(tmp_path):
    path = write(tmp_path, "id;taille\n1;grande\n2;petite\n3;énorme\n")
    with pytest.raises(DataError, match=exact(
        "Column 'taille' has values missing from its levels: 'énorme' (1 rows); add them to the "
        "levels or fix the data."
    )):
        read_survey(path, options=ReadOptions(levels=(("taille", ("petite", "grande")),)))


def test_repeated_levels(tmp_path):
    path = write(tmp_path, "id;taille\n1;grande\n2;petite\n")
    with pytest.raises(OptionError, match=exact(
        "The levels of column 'taille' repeat a value; list each once."
    )):
        read_survey(path, options=ReadOptions(levels=(("taille", ("petite", "petite")),)))


def test_single_with_given_category_order(tmp_path):
    path = write(tmp_path, "id;role\n1;DGS\n2;Dircom\n3;DGS\n")
    options = ReadOptions(types=(("role", "single"),), levels=(("role", ("Dircom", "DGS")),))
    survey = read_survey(path, options=options)
    assert survey.questions["role"].levels == ("Dircom", "DGS")
    assert not survey.data["role"].cat.ordered


def test_unknown_type(tmp_path):
    path = write(tmp_path, "id;role\n1;DGS\n")
    with pytest.raises(OptionError, match=exact(
        "Unknown type 'choix' for column 'role'; use one of: id, open, single, multiple, "
        "ordinal, numeric, weight, ignore."
    )):
        read_survey(path, options=ReadOptions(types=(("role", "choix"),)))


@pytest.mark.parametrize("field", ["types", "levels", "weights"])
def test_override_of_a_missing_column(tmp_path, field):
    path = write(tmp_path, "id;role\n1;DGS\n")
    value = {"types": (("Q12", "single"),), "levels": (("Q12", ("a",)),), "weights": "Q12"}
    with pytest.raises(ColumnError, match=exact(
        "Column 'Q12' not found in enquete.csv; available columns: id, role."
    )):
        read_survey(path, options=ReadOptions(**{field: value[field]}))


def test_forced_numeric_warns_with_counts(tmp_path):
    path = write(tmp_path, "id;age\n1;34\n2;NSP\n3;trente\n4;51\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        survey = read_survey(path, options=ReadOptions(types=(("age", "numeric"),)))
    messages = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    assert messages == ["2 values of column 'age' are not numbers (e.g. 'NSP', 'trente') and "
                        "are treated as missing."]
    assert survey.data["age"].isna().tolist() == [False, True, True, False]


# --- ids and weights -------------------------------------------------------------------------

def test_duplicate_ids_are_named():
    with pytest.raises(DataError, match=exact(
        "Duplicate ids in column 'id' of duplicate_ids.csv: '007', '012' (2 ids appear more "
        "than once); each respondent needs one row with a unique id."
    )):
        read_survey(DATA / "duplicate_ids.csv", options=ReadOptions(id_col="id"))


def test_missing_ids(tmp_path):
    path = write(tmp_path, "id;avis\n1;bien\n;mal\n3;bof\n")
    with pytest.raises(DataError, match=exact(
        "1 rows have no id in column 'id' of enquete.csv (first: data row 2); fill them in or "
        "leave out the id column to number the rows."
    )):
        read_survey(path, options=ReadOptions(id_col="id"))


def test_row_numbers_are_string_ids():
    survey = read_survey(DATA / "duplicate_ids.csv")
    assert survey.data.index.tolist() == ["1", "2", "3", "4", "5"]
    assert survey.source.id_col is None


_WEIGHT_RULE = (
    "weights must be numbers >= 0: correct these cells (weight 0 keeps a respondent out of the "
    "weighted figures)."
)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("1\n2;-1\n3;2", "1 row has an invalid weight in column 'poids' (data row 2: -1); "
                         f"{_WEIGHT_RULE}"),
        ("1\n2;\n3;2", "1 row has an invalid weight in column 'poids' (data row 2: missing); "
                       f"{_WEIGHT_RULE}"),
        ("abc\n2;1\n3;-2", "2 rows have an invalid weight in column 'poids' (data row 1: "
                           f"'abc'; data row 3: -2); {_WEIGHT_RULE}"),
        ("1\n2;x\n3;\n4;-1\n5;-3", "4 rows have an invalid weight in column 'poids' (data row "
                                    "2: 'x'; data row 3: missing; data row 4: -1 and 1 more); "
                                    f"{_WEIGHT_RULE}"),
        ("0\n2;0\n3;0", "All weights in column 'poids' are 0; check the weight column or leave "
                        "out --weights for unweighted tables."),
    ],
)
def test_bad_weights(tmp_path, cells, message):
    path = write(tmp_path, f"id;poids\n1;{cells}\n")
    with pytest.raises(DataError, match=exact(message)):
        read_survey(path, options=ReadOptions(weights="poids"))


def test_zero_weights_are_read_with_one_counted_warning(tmp_path):
    path = write(tmp_path, "id;poids\n1;0\n2;1,5\n3;0\n4;2\n")
    with pytest.warns(DataQualityWarning) as caught:
        survey = read_survey(path, options=ReadOptions(id_col="id", weights="poids"))
    notes = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    assert notes == ["2 respondents have weight 0 and are left out of weighted figures."]
    assert survey.data["poids"].tolist() == [0.0, 1.5, 0.0, 2.0]


def test_a_weight_column_not_used_as_weights_is_not_checked(tmp_path):
    # The rule binds the column named as weights; a column merely named like one may be empty.
    path = write(tmp_path, "id;poids\n1;1\n2;\n3;2\n")
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert survey.weights is None
