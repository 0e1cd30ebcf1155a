"""Bad input for the issue-16 commands (reinert, concordance, export-iramuteq, IRaMuTeQ reading).

Found by a break-it trial (try16): ``--unit answers`` allocated an array of 10**9 × 1.4 words
per answer (killed by the OOM killer); a misspelt ``--by`` was refused only after the whole
classification or theme fit; "made no split" did not say why; an IRaMuTeQ ``****`` line with
unstarred words, ``**`` words, words without a modality or a variable set twice was silently
turned into made-up variables; export of a question without any text wrote an empty corpus;
a concordance of a word that never occurs wrote an empty page; a file output into a missing
folder named a hidden temporary file; the concordance page mixed French headers and an English
caption; the report showed the same short answer three times as a class's quotes.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from textmine.classes.reinert import classify_segments
from textmine.classes.segments import cut_points, make_segments, split_text
from textmine.classes.views import as_themes, distinct_texts
from textmine.config import ReinertOptions
from textmine.errors import DataError, DataQualityWarning, OutputError
from textmine.outputs import atomic_write
from textmine.report.concordance import concordance_caption
from textmine.survey.iramuteq import parse_iramuteq, read_iramuteq
from textmine.text.dictionary import read_dictionary

WORDS = ("nature pollution ville campagne arbre forêt calme bruit air eau propreté déchets "
         "voiture vélo jardin maison vie cadre espace vert").split()


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def _survey(path: Path, n: int = 40, *, text=None) -> Path:
    rng = np.random.default_rng(1)
    texts = text if text is not None else [" ".join(rng.choice(WORDS, 6, replace=False))
                                           for _ in range(n)]
    pd.DataFrame({"id": range(1, len(texts) + 1), "txt": texts,
                  "grp": ["a" if i % 2 else "b" for i in range(len(texts))]}).to_csv(
        path, index=False)
    return path


# --- segments: a huge size means "do not cut", never "allocate" ------------------------------

def test_cut_points_never_allocates_by_segment_size():
    # Before: np.arange(1, 1.4e9 + 1) for every text (10 GiB), whatever its length.
    assert cut_points(["un", "deux", "trois"], segment_size=10**12) == [0]
    assert cut_points([], segment_size=10**12) == [0]


def test_whole_answers_are_one_segment_each():
    long = " ".join(["mot."] * 200)
    assert split_text(long, None) == [long]
    assert len(split_text(long, 40)) > 1
    answers = pd.Series([long, "", "court"], index=["a", "b", "c"], dtype=object)
    segments = make_segments(answers, segment_size=None)
    assert segments["segment_id"].tolist() == ["a_1", "c_1"]


def test_unit_answers_from_the_cli(cli, tmp_path):
    path = _survey(tmp_path / "s.csv")
    for extra in ((), ("--double", "2", "3")):
        out = tmp_path / f"o{len(extra)}"
        res = cli("reinert", path, "--text-col", "txt", "--id-col", "id", "--unit", "answers",
                  "--k", "3", "--no-report", *extra, "--out", out)
        assert res.code == 0, res.err
        segments = pd.read_csv(out / "segments.csv")
        assert len(segments) == 40 and segments["segment_id"].str.endswith("_1").all()


def test_reinert_says_the_guessed_latin1_encoding(cli, tmp_path, caplog):
    # inspect said "encoding: latin-1" but reinert read a Latin-1 file silently.
    rng = np.random.default_rng(2)
    texts = [" ".join(rng.choice(WORDS, 6, replace=False)) + " été" for _ in range(40)]
    path = tmp_path / "latin1.csv"
    pd.DataFrame({"id": range(1, 41), "txt": texts}).to_csv(path, index=False, sep=";",
                                                           encoding="latin-1")
    res = cli("reinert", path, "--text-col", "txt", "--id-col", "id", "--unit", "answers",
              "--k", "3", "--no-report", "--out", tmp_path / "o")
    assert res.code == 0, res.err
    assert caplog.text.count("detected encoding latin-1") == 1
    caplog.clear()
    # inspect prints its own "encoding:" line, so the warning is not repeated there
    seen = cli("inspect", path)
    assert seen.code == 0 and "encoding: latin-1" in seen.out
    assert "detected encoding" not in caplog.text + seen.out + seen.err


# --- why a classification cannot be made ----------------------------------------------------

def _segments(n: int) -> tuple[pd.DataFrame, list[list[str]]]:
    rng = np.random.default_rng(0)
    terms = [list(rng.choice(WORDS, 5, replace=False)) for _ in range(n)]
    frame = pd.DataFrame({"segment_id": [f"{i}_1" for i in range(n)],
                          "respondent_id": [str(i) for i in range(n)], "text": ["x"] * n})
    return frame, terms


def test_no_split_says_why_and_what_to_change():
    segments, terms = _segments(6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        with pytest.raises(DataError, match=r"min_split_members = 10.*--min-split-members"):
            classify_segments(segments, terms, options=ReinertOptions(k=3, min_docfreq=1))
        with pytest.raises(DataError, match=r"minimum segment size 0.*min_split_members"):
            classify_segments(segments, terms,
                              options=ReinertOptions(k=3, min_docfreq=1, double=(0, 1)))


def test_only_nonanswers_is_said(cli, tmp_path):
    path = _survey(tmp_path / "s.csv", text=["RAS"] * 12)
    res = cli("reinert", path, "--text-col", "txt", "--out", tmp_path / "o")
    assert res.code == 2 and "12 are non-answers" in res.err
    assert len(res.err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_identical_answers_say_too_alike(cli, tmp_path):
    path = _survey(tmp_path / "s.csv", text=["la nature est belle et verte"] * 30)
    res = cli("reinert", path, "--text-col", "txt", "--out", tmp_path / "o")
    assert res.code == 2 and "too alike" in res.err and not (tmp_path / "o").exists()


# --- a misspelt --by is refused before the slow steps ----------------------------------------

@pytest.mark.parametrize("command, target", [
    ("reinert", "textmine.pipeline.reinert_run.reinert"),
    ("themes", "textmine.pipeline.themes_run.discover_themes"),
])
@pytest.mark.parametrize("by, message", [("nope", "not found"), ("txt", "type 'open'")])
def test_bad_by_refused_before_the_work(cli, tmp_path, monkeypatch, command, target, by,
                                        message):
    def never(*args, **kwargs):
        raise AssertionError("the slow step ran before --by was checked")

    monkeypatch.setattr(target, never)
    path = _survey(tmp_path / "s.csv", n=12)
    res = cli(command, path, "--text-col", "txt", "--id-col", "id", "--by", by,
              "--out", tmp_path / "o")
    assert res.code == 2 and message in res.err, res.err
    assert not (tmp_path / "o").exists()


# --- IRaMuTeQ '****' lines --------------------------------------------------------------------

@pytest.mark.parametrize("line, message", [
    ("**** sexe_femme *age_30", "'sexe_femme' on a '****' line is not a starred variable"),
    ("**** *sexe_femme **age_30", "'**age_30' on a '****' line"),
    ("**** *sexe_femme *", "'*' on a '****' line"),
    ("**** *sexe", "'*sexe' has no modality"),
    ("**** *sexe_", "'*sexe_' has no modality"),
    ("**** *_femme", "'*_femme' has no variable name"),
    ("**** *sexe_femme *sexe_homme", "variable 'sexe' is set twice"),
])
def test_bad_starred_variables_are_one_line(line, message):
    text = f"**** *sexe_homme\nun texte\n{line}\nun autre texte\n"
    with pytest.raises(DataError, match="line 3") as info:
        parse_iramuteq(text, "c.txt")
    assert message in str(info.value)


def test_bad_stars_from_the_cli(cli, tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("**** *sexe_femme\nla nature\n**** sexe_homme\nla ville\n", encoding="utf-8")
    before = path.read_bytes()
    res = cli("reinert", path, "--text-col", "texte", "--out", tmp_path / "o")
    assert res.code == 2 and "line 3" in res.err and "Traceback" not in res.err
    assert path.read_bytes() == before and not (tmp_path / "o").exists()


def test_bom_crlf_and_cp1252_corpora(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(b"\xef\xbb\xbf**** *sexe_femme\r\nLa nature.\r\n"
                     b"**** *sexe_homme\r\nLa ville.\r\n")
    assert read_iramuteq(path).values.tolist() == [["femme", "La nature."], ["homme", "La ville."]]
    path.write_bytes("**** *sexe_féminin\nTrès belle.\n".encode("cp1252"))
    with pytest.warns(DataQualityWarning, match="read as cp1252"):
        frame = read_iramuteq(path)
    assert frame.values.tolist() == [["féminin", "Très belle."]]


# --- export-iramuteq --------------------------------------------------------------------------

def test_export_without_any_text_writes_nothing(cli, tmp_path):
    path = _survey(tmp_path / "s.csv", text=["RAS", "", "nsp"])
    res = cli("export-iramuteq", path, "--text-col", "txt", "--out", tmp_path / "c.txt")
    assert res.code == 2 and "No text to write" in res.err
    assert not (tmp_path / "c.txt").exists()


def test_export_by_open_question_refused(cli, tmp_path):
    path = _survey(tmp_path / "s.csv", n=5)
    res = cli("export-iramuteq", path, "--text-col", "txt", "--by", "txt",
              "--out", tmp_path / "c.txt")
    assert res.code == 2 and "type 'open'" in res.err and not (tmp_path / "c.txt").exists()


def test_file_outputs_into_missing_or_file_folders(cli, tmp_path):
    path = _survey(tmp_path / "s.csv", n=5)
    res = cli("export-iramuteq", path, "--text-col", "txt", "--out", tmp_path / "new" / "c.txt")
    assert res.code == 0, res.err
    assert (tmp_path / "new" / "c.txt").is_file()
    res = cli("export-iramuteq", path, "--text-col", "txt", "--out", path / "c.txt")
    assert res.code == 2 and "is not a folder" in res.err and ".tmp-" not in res.err
    with pytest.raises(OutputError, match="does not exist"):
        atomic_write(tmp_path / "missing" / "x.txt", "x")


# --- concordance ------------------------------------------------------------------------------

def test_concordance_of_an_absent_word_writes_nothing(cli, tmp_path):
    path = _survey(tmp_path / "s.csv", n=10)
    for extra in ((), ("--lemma",), ("--exact",)):
        res = cli("concordance", path, "--text-col", "txt", "--term", "zzzz", *extra,
                  "--out", tmp_path / "k.html")
        assert res.code == 2 and "occurs in none of the 10 answers" in res.err
        assert not (tmp_path / "k.html").exists()


def test_concordance_caption_in_the_page_language(cli, tmp_path):
    assert concordance_caption("moyen", mode="lemma", column="q", source="s.csv", n_lines=15,
                               n_answers=11, sort="right", lang="fr") == (
        "moyen (lemme) · q · s.csv · 15 lignes dans 11 réponses · triées par contexte droit")
    assert "1 line in 1 answer · sorted by modality" in concordance_caption(
        "x", mode="form", column="q", source="s", n_lines=1, n_answers=1, sort="modality",
        lang="en")
    path = _survey(tmp_path / "s.csv", n=10)
    res = cli("concordance", path, "--text-col", "txt", "--term", "nature",
              "--out", tmp_path / "k.html")
    assert res.code == 0, res.err
    page = (tmp_path / "k.html").read_text(encoding="utf-8")
    assert "lignes dans" in page or "ligne dans" in page
    assert "sorted by" not in page and "lines in" not in page


# --- quotes of a class ------------------------------------------------------------------------

def test_class_quotes_are_distinct_texts():
    texts = ["Des masques au debut !", "Des masques au début", "des masques au début",
             "Du gel", "du  gel."]
    assert distinct_texts(texts, 3) == ["Des masques au debut !", "Du gel"]
    classes = pd.DataFrame({"class": [0, 1, 2, 3], "size": [0, 5, 3, 8],
                            "share": [0, .3, .2, .5], "parent": [None, 3, 3, None],
                            "height": [None, 0.0, 0.0, 9.0]})
    profiles = pd.DataFrame({"class": [1, 2], "term": ["masque", "gel"], "chi2": [9.0, 8.0],
                             "sign": ["over", "over"]})
    answers = pd.DataFrame({"respondent_id": ["a", "b"], "text": ["x", "y"],
                            "status": ["classified"] * 2, "class_id": [1, 2]})
    characteristic = pd.DataFrame({"class": [1] * 4, "rank": [1, 2, 3, 4],
                                   "text": texts[:3] + ["des masques FFP2"]})
    themes, _ = as_themes(classes, profiles, answers, characteristic)
    first = themes[themes["theme_id"] == 1].iloc[0]
    assert [first["quote_1"], first["quote_2"], first["quote_3"]] == [
        "Des masques au debut !", "des masques FFP2", ""]


# --- the editable dictionary ------------------------------------------------------------------

HEADER = "form,frequency,lemma,pos,keep,group_as\n"


@pytest.mark.parametrize("rows, message", [
    ("nature,3,nature,NOUN,yes,\nnature,2,nature,NOUN,no,\n",
     "form 'nature' is on line 2 (kept) and line 3 (dropped)"),
    ("Nature,3,nature,NOUN,no,\nnature,3,nature,NOUN,,\n",
     "form 'nature' is on line 2 (dropped) and line 3 (kept)"),
    ("forêts,3,forêt,NOUN,yes,forêt\nforêts,3,forêt,NOUN,yes,bois\n",
     "line 2 (grouped as 'forêt') and line 3 (grouped as 'bois')"),
])
def test_one_form_with_two_choices_is_refused(tmp_path, rows, message):
    path = tmp_path / "dic.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(DataError, match="keep one row per form") as info:
        read_dictionary(path)
    assert message in str(info.value)


def test_repeated_rows_with_one_choice_and_rtemis_conflicts(tmp_path):
    path = tmp_path / "dic.csv"
    path.write_text(HEADER + "nature,3,nature,NOUN,no,\nNature,1,nature,NOUN,non,\n"
                    "arbres,2,arbre,NOUN,,arbre\narbres,2,arbre,NOUN,yes,arbre\n",
                    encoding="utf-8")
    dic = read_dictionary(path)
    assert dic.drop == {"nature"} and dic.group == {"arbres": "arbre"}
    path.write_text(";Term;Occurrences;Stopword\nforêts;forêt;2;TRUE\nforêts;bois;1;\n",
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"'forêts' is on line 2 \(dropped\) and line 3"):
        read_dictionary(path)


def test_dictionary_without_keep_or_group_as_is_refused(cli, tmp_path):
    path = tmp_path / "dic.csv"
    path.write_text("form,frequency\nnature,3\n", encoding="utf-8")
    with pytest.raises(DataError, match="neither a keep nor a group_as"):
        read_dictionary(path)
    survey = _survey(tmp_path / "s.csv", n=5)
    res = cli("parse", survey, "--text-col", "txt", "--dictionary", path, "--out", tmp_path / "o")
    assert res.code == 2 and "neither a keep" in res.err and not (tmp_path / "o").exists()


def test_latin1_dictionary_is_read_and_said(tmp_path):
    path = tmp_path / "dic.csv"
    path.write_bytes((HEADER + "forêt,3,forêt,NOUN,yes,arbre\n").encode("latin-1"))
    with pytest.warns(DataQualityWarning, match="read as cp1252"):
        dic = read_dictionary(path)
    assert dic.group == {"forêt": "arbre"}


def test_answer_shares_are_empty_for_nonanswers(cli, tmp_path):
    rng = np.random.default_rng(2)
    texts = [" ".join(rng.choice(WORDS, 6, replace=False)) for _ in range(30)] + ["RAS", ""]
    path = _survey(tmp_path / "s.csv", text=texts)
    out = tmp_path / "o"
    res = cli("reinert", path, "--text-col", "txt", "--id-col", "id", "--k", "3",
              "--no-report", "--out", out)
    assert res.code == 0, res.err
    answers = pd.read_csv(out / "answers.csv")
    shares = answers.filter(like="share_")
    silent = answers["status"].isin(["non-answer", "empty"])
    assert set(answers.loc[silent, "status"]) == {"non-answer", "empty"}
    assert shares[silent].isna().all().all()
    classified = answers["status"] == "classified"
    assert np.allclose(shares[classified].sum(axis=1), 1.0)
