"""Reading survey files: encodings, separators, formats, bad files (textmine.survey.formats)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from textmine.config import ReadOptions
from textmine.errors import DataError, InputFileError, OptionError
from textmine.survey import read_survey
from textmine.survey.sniff import detect_encoding, sniff_separator

DATA = Path(__file__).parent / "data" / "survey"


def exact(message: str) -> str:
    return "^" + re.escape(message) + "$"


# --- encodings ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("id;avis\n1;très bien\n".encode(), "utf-8"),
        (b"id;avis\n1;ok\n", "utf-8"),
        ("id;avis\n1;très bien\n".encode("utf-8-sig"), "utf-8-sig"),
        ("id;avis\n1;l’équipe « DSI »\n".encode("cp1252"), "cp1252"),
        ("id;avis\n1;5 000 €\n".encode("cp1252"), "cp1252"),
        ("id;avis\n1;très bien\n".encode("latin-1"), "latin-1"),
        ("id\tavis\n1\tété\n".encode("utf-16"), "utf-16"),
    ],
)
def test_detect_encoding(data, expected):
    assert detect_encoding(data) == expected


def test_latin1_file_with_c1_bytes_undefined_in_cp1252_reads_as_latin1(tmp_path):
    # 0x81 is undefined in cp1252: such a file can only be Latin-1.
    path = tmp_path / "x.csv"
    path.write_bytes(b"id;avis\n1;caf\xe9\x81\n2;th\xe9\n")
    survey = read_survey(path)
    assert survey.source.encoding == "latin-1"
    assert survey.data["avis"].tolist() == ["café\x81", "thé"]


def test_forced_encoding_that_fails_names_the_byte(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("id;avis\n1;très\n".encode("latin-1"))
    with pytest.raises(InputFileError, match=exact(
        "Cannot decode x.csv as utf-8 (byte 0xe8 at position 12); give another --encoding "
        "(e.g. cp1252) or leave it out to detect it."
    )):
        read_survey(path, options=ReadOptions(encoding="utf-8"))


def test_unknown_encoding_is_an_option_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"id;avis\n1;ok\n")
    with pytest.raises(OptionError, match=exact(
        "Unknown encoding 'klingon'; use for example utf-8, cp1252 or latin-1."
    )):
        read_survey(path, options=ReadOptions(encoding="klingon"))


def test_forced_encoding_and_separator_are_used(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("a,b;c\n1,2;3\n".encode("cp1252"))
    survey = read_survey(path, options=ReadOptions(encoding="cp1252", sep=","))
    assert list(survey.data.columns) == ["a", "b;c"]
    assert (survey.source.encoding, survey.source.sep) == ("cp1252", ",")


# --- separators -----------------------------------------------------------------------------

@pytest.mark.parametrize("sep", [",", ";", "|", "\t"])
def test_sniff_separator_ignores_separators_inside_quotes(sep):
    other = ";" if sep == "," else ","
    lines = [sep.join(["id", "avis", "note"])]
    for i in range(5):
        text = f'"Trop de visio{sep} pas assez{other} de moyens"'
        lines.append(sep.join([str(i), text, "3"]))
    assert sniff_separator("\n".join(lines)) == sep


def test_sniff_separator_accepts_rows_shorter_than_the_header():
    # Exports that leave out trailing empty fields (the RUA consultation does).
    sample = "type;a;b;c;d\nvote;1\nvote;2;3\nopinion;1;2;3;4\n"
    assert sniff_separator(sample) == ";"


def test_one_column_file_has_no_separator(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("avis\nBien, mais trop long ; vraiment\nTrès bien\n", encoding="utf-8")
    survey = read_survey(path)
    assert survey.source.sep is None
    assert survey.data["avis"].tolist() == ["Bien, mais trop long ; vraiment", "Très bien"]


def test_impossible_separator_is_an_option_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"id;avis\n1;ok\n")
    with pytest.raises(OptionError, match=exact(
        "Separator ';;' must be one character; use one of , ; | or tab."
    )):
        read_survey(path, options=ReadOptions(sep=";;"))


def test_separator_named_tab(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"id\tavis\n1\tok\n")
    assert read_survey(path, options=ReadOptions(sep="tab")).source.sep == "\t"


def test_row_longer_than_header_is_one_line_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"id;avis\n1;ok\n2;ok;en trop;encore\n3;ok\n")
    with pytest.raises(InputFileError, match=r"^Cannot parse x\.csv as a table with separator "
                       r"';': .*; check the separator \(--sep\) and the quotes\.$"):
        read_survey(path)


# --- fixtures in several encodings and separators ---------------------------------------------

@pytest.mark.parametrize(
    ("name", "encoding", "sep", "n_rows"),
    [
        ("enquete_latin1.csv", "latin-1", ";", 12),
        ("limesurvey_cp1252.csv", "cp1252", ",", 6),
        ("avis_bom.txt", "utf-8-sig", "|", 4),
        ("court.tsv", "utf-8", "\t", 3),
    ],
)
def test_fixture_encoding_separator_rows(name, encoding, sep, n_rows):
    source = read_survey(DATA / name).source
    assert (source.encoding, source.sep, source.n_rows) == (encoding, sep, n_rows)
    assert source.format == name.rsplit(".", 1)[1]
    assert source.path == (DATA / name).resolve()
    assert len(source.sha256) == 64


def test_latin1_text_is_decoded_and_ids_keep_leading_zeros():
    survey = read_survey(DATA / "enquete_latin1.csv", options=ReadOptions(id_col="id"))
    assert survey.data.index[:3].tolist() == ["007", "012", "015"]
    assert survey.data.index.name == "respondent_id"
    assert survey.data.loc["007", "fonction"] == "Chargé de communication numérique"


def test_cp1252_specific_characters_are_decoded():
    survey = read_survey(DATA / "limesurvey_cp1252.csv")
    assert survey.data.loc["1", "Q7"] == "Le télétravail s’est imposé « du jour au lendemain »."
    assert survey.data.loc["2", "Q7"] == "Budget de 5 000 € pour les webcams, c’est un vœu pieux."


def test_quoted_separator_inside_a_bom_file():
    survey = read_survey(DATA / "avis_bom.txt")
    assert list(survey.data.columns) == ["code", "service", "avis"]  # no BOM in the name
    assert survey.data.loc["2", "avis"] == "Trop de demandes d'assistance | pas assez de temps."


def test_blank_rows_are_skipped_and_blank_cells_are_missing(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"id;avis;note\n1;  ;3\n\n;;\n2;bien;\n")
    survey = read_survey(path)
    assert survey.source.n_rows == 2
    assert survey.data["avis"].isna().tolist() == [True, False]


def test_extra_missing_markers(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"id;age\n1;34\n2;-99\n3;51\n")
    survey = read_survey(path, options=ReadOptions(na_values=("-99",)))
    assert survey.data["age"].isna().tolist() == [False, True, False]


def test_empty_header_names_are_numbered(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b'"";"avis"\n"1";"bien"\n"2";"mal"\n')
    assert list(read_survey(path).data.columns) == ["unnamed_1", "avis"]


# --- bad files ------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    path = tmp_path / "absent.csv"
    with pytest.raises(InputFileError, match=exact(
        f"Survey file '{path}' not found; check the path."
    )):
        read_survey(path)


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(InputFileError, match=exact(
        f"'{tmp_path}' is a folder without .parquet files; give a survey file's path, or a "
        "folder of Parquet files (one survey split into parts)."
    )):
        read_survey(tmp_path)


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("empty.csv", InputFileError,
         "Survey file empty.csv is empty (0 bytes); export the survey again."),
        ("header_only.csv", DataError,
         "header_only.csv has a header but no data rows; export the survey with its answers."),
        ("binary.csv", InputFileError,
         "binary.csv contains NUL bytes: it is a binary file, not a text table; give a .csv, "
         ".tsv, .txt, .xlsx, .ods, .parquet, .sav or .dta file."),
        ("duplicate_columns.csv", DataError,
         "Duplicate column names in duplicate_columns.csv: 'Q1'; rename them so that every "
         "column name is unique."),
        ("notes.json", InputFileError,
         "Unsupported file type '.json' for notes.json; give a .csv, .tsv, .txt, .xlsx, .ods, "
         ".parquet, .sav or .dta file."),
    ],
)
def test_bad_files(name, error, message):
    with pytest.raises(error, match=exact(message)):
        read_survey(DATA / name)


def test_blank_lines_only(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\n\n  \r\n")
    with pytest.raises(InputFileError, match=exact(
        "Survey file blank.csv has only blank lines; export the survey again."
    )):
        read_survey(path)


def test_control_characters_mean_not_a_text_table(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"id;avis\n" + bytes(range(1, 32)) * 20)
    with pytest.raises(InputFileError, match=r"^x\.txt does not look like a text table "
                       r"\(\d+ control characters\); give a \.csv"):
        read_survey(path)


def test_missing_id_column_lists_the_available_ones():
    with pytest.raises(DataError, match=exact(
        "Column 'Q12' not found in enquete_latin1.csv; available columns: id, fonction, "
        "taille, age, poids, Q5_1, Q5_2, Q5_3, outils, q_evolution."
    )):
        read_survey(DATA / "enquete_latin1.csv", options=ReadOptions(id_col="Q12"))


def test_reading_never_modifies_the_file(tmp_path):
    import hashlib

    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in DATA.iterdir()}
    for p in DATA.iterdir():
        try:
            read_survey(p)
        except (InputFileError, DataError):
            pass
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in DATA.iterdir()}
    assert before == after


# --- other formats: written here with pandas/pyreadstat, read back ------------------------------

def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["007", "012", "015", "021"],
        "taille": ["10 000 - 50 000", "> 50 000", "< 10 000", "10 000 - 50 000"],
        "age": [34, 45, 29, 51],
        "avis": ["Beaucoup plus de visio qu'avant.", "Je suis devenu conseiller du DGS.",
                 "La DSI était débordée, on a aidé.", "Manque de moyens humains."],
    })


@pytest.mark.parametrize(("suffix", "engine"), [(".xlsx", "openpyxl"), (".ods", "odf")])
def test_spreadsheet_round_trip(tmp_path, suffix, engine):
    path = tmp_path / f"enquete{suffix}"
    df = _frame()
    with pd.ExcelWriter(path, engine=engine) as writer:
        df.iloc[:0].to_excel(writer, sheet_name="Notes", index=False)
        df.to_excel(writer, sheet_name="Réponses", index=False)
    survey = read_survey(path, options=ReadOptions(id_col="id", sheet="Réponses"))
    assert survey.source.sheet == "Réponses"
    assert survey.source.format == suffix[1:]
    assert survey.data.index.tolist() == ["007", "012", "015", "021"]
    assert survey.data["age"].tolist() == [34.0, 45.0, 29.0, 51.0]
    assert survey.data["avis"].tolist() == df["avis"].tolist()
    kinds = {q.name: q.kind for q in survey.questions.values()}
    assert kinds == {"id": "id", "taille": "single", "age": "numeric", "avis": "open"}
    by_index = read_survey(path, options=ReadOptions(sheet="1"))
    assert by_index.source.sheet == "Réponses"


def test_empty_first_sheet_is_an_error(tmp_path):
    path = tmp_path / "enquete.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame().to_excel(writer, sheet_name="Vide", index=False)
        _frame().to_excel(writer, sheet_name="Réponses", index=False)
    with pytest.raises(DataError, match=exact(
        "Sheet 'Vide' of enquete.xlsx is empty; choose another sheet with --sheet."
    )):
        read_survey(path)


def test_missing_sheet_lists_the_sheets(tmp_path):
    path = tmp_path / "enquete.xlsx"
    with pd.ExcelWriter(path) as writer:
        _frame().to_excel(writer, sheet_name="Réponses", index=False)
        _frame().to_excel(writer, sheet_name="Codes", index=False)
    with pytest.raises(OptionError, match=exact(
        "Sheet 'Feuil3' not found in enquete.xlsx; available sheets: Réponses, Codes."
    )):
        read_survey(path, options=ReadOptions(sheet="Feuil3"))


def test_duplicate_column_names_in_a_spreadsheet(tmp_path):
    path = tmp_path / "enquete.xlsx"
    pd.DataFrame([["1", "a", "b"], ["2", "c", "d"]], columns=["id", "Q1", "Q1"]).to_excel(
        path, index=False)
    with pytest.raises(DataError, match=exact(
        "Duplicate column names in enquete.xlsx: 'Q1'; rename them so that every column name "
        "is unique."
    )):
        read_survey(path)


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".parquet", ".sav", ".dta"])
def test_damaged_binary_formats_are_one_line_errors(tmp_path, suffix):
    path = tmp_path / f"enquete{suffix}"
    path.write_bytes(b"id;avis\n1;pas un vrai fichier\n")
    with pytest.raises(InputFileError, match=r"^Cannot read (sheet .* of )?enquete\S* "):
        read_survey(path)


def test_parquet_round_trip_keeps_the_order_of_ordered_categories(tmp_path):
    df = _frame()
    order = ["< 10 000", "10 000 - 50 000", "> 50 000"]
    df["taille"] = pd.Categorical(df["taille"], categories=order, ordered=True)
    df["genre"] = pd.Categorical(["f", "h", "f", "f"])
    path = tmp_path / "enquete.parquet"
    df.to_parquet(path, index=False)
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert survey.data.index.tolist() == ["007", "012", "015", "021"]
    assert survey.questions["taille"].kind == "ordinal"
    assert survey.questions["taille"].levels == tuple(order)
    assert survey.questions["genre"].kind == "single"
    assert survey.data["age"].tolist() == [34.0, 45.0, 29.0, 51.0]


def test_parquet_named_index_becomes_a_column(tmp_path):
    df = _frame().set_index("id")
    path = tmp_path / "enquete.parquet"
    df.to_parquet(path)
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert survey.data.index.tolist() == ["007", "012", "015", "021"]


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_spss_stata_value_labels_become_ordered_levels(tmp_path, suffix):
    import pyreadstat

    df = pd.DataFrame({
        "id": [7.0, 12.0, 15.0, 21.0, 33.0],
        "taille": [2.0, 3.0, 1.0, 2.0, 4.0],
        "genre": [1.0, 2.0, 1.0, 1.0, 2.0],
        "avis": ["Beaucoup plus de visio.", "Je suis devenu conseiller.", "La DSI débordée.",
                 "Manque de moyens humains.", "Des lives chaque semaine."],
    })
    value_labels = {
        "taille": {1.0: "< 10 000", 2.0: "10 000 - 50 000", 3.0: "> 50 000"},
        "genre": {1.0: "femme", 2.0: "homme"},
    }
    path = tmp_path / f"enquete{suffix}"
    if suffix == ".sav":
        pyreadstat.write_sav(df, str(path), variable_value_labels=value_labels,
                             column_labels=["Identifiant", "Taille de la collectivité",
                                            "Genre", "Votre avis"],
                             variable_measure={"genre": "nominal"})
    else:
        pyreadstat.write_dta(df, str(path), variable_value_labels=value_labels,
                             column_labels=["Identifiant", "Taille de la collectivité",
                                            "Genre", "Votre avis"])
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert survey.data.index.tolist() == ["7", "12", "15", "21", "33"]
    taille = survey.questions["taille"]
    assert taille.kind == "ordinal"
    # Label order first; the unlabelled code 4 found in the data comes last.
    assert taille.levels == ("< 10 000", "10 000 - 50 000", "> 50 000", "4")
    assert taille.label == "Taille de la collectivité"
    assert survey.data["taille"].tolist() == ["10 000 - 50 000", "> 50 000", "< 10 000",
                                              "10 000 - 50 000", "4"]
    assert survey.data["taille"].cat.ordered
    genre = survey.questions["genre"]
    assert genre.kind == ("single" if suffix == ".sav" else "ordinal")
    assert genre.levels == ("femme", "homme")
    assert survey.questions["avis"].kind == "open"


# --- property: any small table written in any encoding/separator reads back identical ----------

_BASE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ éèàçùô,;|'\"-!?.\n"
_ALPHABETS = {
    "utf-8": _BASE + "’«»€œ✓",
    "utf-8-sig": _BASE + "’«»€œ",
    "cp1252": _BASE + "’€œ",
    "latin-1": _BASE,
}


@st.composite
def small_tables(draw):
    encoding = draw(st.sampled_from(sorted(_ALPHABETS)))
    sep = draw(st.sampled_from([",", ";", "|", "\t"]))
    n = draw(st.integers(min_value=1, max_value=12))
    ids = draw(st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=n, max_size=n,
                        unique=True))
    cell = st.builds(
        lambda head, tail: (head + tail).strip(),
        st.sampled_from("abcdefghéèàAZ"), st.text(_ALPHABETS[encoding], max_size=25),
    )
    texte = draw(st.lists(cell, min_size=n, max_size=n))
    choix = draw(st.lists(st.sampled_from(["oui", "non", "peut-être", "Bof, ça va"]),
                          min_size=n, max_size=n))
    frame = pd.DataFrame({"id": ids, "texte": texte, "choix": choix})
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return frame, encoding, sep, newline


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=small_tables())
def test_any_small_table_reads_back_identical(tmp_path, case):
    frame, encoding, sep, newline = case
    text = frame.to_csv(sep=sep, index=False, lineterminator=newline)
    data = text.encode(encoding)
    if encoding in ("cp1252", "latin-1") and not data.isascii():
        # Such bytes that also form valid UTF-8 are read as UTF-8: a known, accepted limit
        # (real French text in cp1252/Latin-1 essentially never does).
        try:
            data.decode("utf-8")
            assume(False)
        except UnicodeDecodeError:
            pass
    path = tmp_path / "gen.csv"
    path.write_bytes(data)
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert survey.source.sep == sep
    assert survey.data.index.tolist() == frame["id"].tolist()
    for col in ("texte", "choix"):
        assert survey.data[col].astype(object).tolist() == frame[col].tolist()


def test_utf16_tab_export_of_excel(tmp_path):
    # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-separated.
    path = tmp_path / "export.txt"
    path.write_bytes("id\tavis\r\n1\tTrès bien\r\n2\tPas assez de moyens\r\n".encode("utf-16"))
    survey = read_survey(path)
    assert (survey.source.encoding, survey.source.sep) == ("utf-16", "\t")
    assert survey.data["avis"].tolist() == ["Très bien", "Pas assez de moyens"]


# --- line ends, mixed encodings, non-regular files ----------------------------------------------

def test_cr_only_line_ends_are_read(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes("id;avis\r1;très bien\r2;«\u00a0bof\u00a0»\r".encode())
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert survey.data["avis"].tolist() == ["très bien", "«\u00a0bof\u00a0»"]
    assert survey.source.sep == ";"


def test_mixed_encodings_are_refused_with_the_line(tmp_path):
    path = tmp_path / "melange.csv"
    path.write_bytes("id;avis\n1;très bien\n".encode() + "2;déjà vu\n".encode("cp1252")
                     + "3;été\n".encode())
    message = ("melange.csv mixes encodings: line 3 is not UTF-8 while other lines are; "
               "re-save the file as UTF-8 or pass --encoding.")
    with pytest.raises(InputFileError, match=exact(message)):
        read_survey(path)
    with pytest.raises(InputFileError, match=exact(message)):
        detect_encoding(path.read_bytes(), name="melange.csv")
    # Forcing the encoding is the way out that the message names.
    forced = read_survey(path, options=ReadOptions(encoding="cp1252"))
    assert forced.data["avis"].tolist()[1] == "déjà vu"


def test_fifo_is_refused_without_reading(tmp_path):
    import os

    fifo = tmp_path / "enquete.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError, match=exact(
        f"'{fifo}' is not a regular file (a pipe or device); give the path of a saved survey "
        "file."
    )):
        read_survey(fifo)


def test_cp1252_line_that_happens_to_be_utf8_is_not_taken_for_a_mixed_file(tmp_path):
    # "çœ«" in cp1252 is the bytes e7 9c ab, which are valid UTF-8 for a CJK character.
    path = tmp_path / "enquete.csv"
    path.write_bytes("id,avis\n1,«\n2,çœ«\n".encode("cp1252"))
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert survey.source.encoding == "cp1252"
    assert list(survey.data["avis"]) == ["«", "çœ«"]


# --- long headers and long records (issue 20) -----------------------------------------------

def _limesurvey_like(n_cols: int = 702, n_rows: int = 20) -> str:
    """A LimeSurvey-style export: ~110-character question headers, a header line of ~79 KB."""
    names = ["id"] + [
        f"q{j:03d}. Dans quelle mesure êtes-vous d'accord avec l'affirmation suivante "
        f"sur votre service (item {j:03d}) ?"
        for j in range(1, n_cols)
    ]
    lines = [";".join(f'"{n}"' for n in names)]
    for i in range(n_rows):
        lines.append(";".join([f"r{i:02d}"] + [str((i + j) % 5) for j in range(1, n_cols)]))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("forced_sep", [None, ";"])
def test_header_longer_than_64_kib_keeps_every_column(tmp_path, forced_sep):
    text = _limesurvey_like()
    assert len(text.splitlines()[0].encode("utf-8")) > 64 * 1024
    path = tmp_path / "limesurvey.csv"
    path.write_text(text, encoding="utf-8")
    survey = read_survey(path, options=ReadOptions(id_col="id", sep=forced_sep))
    assert survey.data.shape[1] == 702
    assert survey.source.sep == ";"
    assert list(survey.data.index[:2]) == ["r00", "r01"]
    assert survey.data.columns[1].startswith("q001.")


def test_sniffing_reads_whole_quoted_answers_longer_than_the_sample(tmp_path):
    # A quoted, multi-line answer of 200,000 characters (over csv's 128 KiB field limit and
    # the 64 KiB sample) right after the header: the separator is still found.
    long = ("Trop de visio, pas assez de moyens ; vraiment.\n" * 4300)[:200_000]
    rows = ["id,avis,note", f'1,"{long}",3'] + [f"{i},court,{i % 5}" for i in range(2, 8)]
    assert sniff_separator("\n".join(rows)) == ","
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    survey = read_survey(path, options=ReadOptions(id_col="id"))
    assert survey.source.sep == ","
    assert survey.data.loc["1", "avis"] == long.strip()
