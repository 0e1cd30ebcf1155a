"""The editable dictionary: write, edit keep/group_as, apply; INED's R.temis lemmatiser."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.config import TextOptions
from textmine.errors import DataError
from textmine.text.corpus import process_answers
from textmine.text.dictionary import FORMAT_RTEMIS, read_dictionary

ANSWERS = pd.Series({
    "r1": "Pas assez de moyens humains pour la communication.",
    "r2": "Des moyens financiers et du matériel informatique.",
    "r3": "Du matériel et des outils collaboratifs.",
    "r4": "Un outil de visioconférence et du matériel.",
})


@pytest.fixture
def survey(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"id": ANSWERS.index, "q": ANSWERS.values}).to_csv(path, index=False)
    return path


def _terms(corpus) -> set[str]:
    return {t for doc in corpus.terms for t in doc}


def test_round_trip_edit_and_apply(cli, survey, tmp_path):
    dic = tmp_path / "dic.csv"
    r = cli("dictionary", survey, "--text-col", "q", "--id-col", "id", "--out", dic)
    assert r.code == 0, r.err
    frame = pd.read_csv(dic, dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["form", "frequency", "lemma", "pos", "keep", "group_as"]
    rows = frame.set_index("form")
    assert rows.loc["matériel", "frequency"] == "3" and rows.loc["moyens", "lemma"] == "moyen"
    assert set(frame["keep"]) == {"yes"}
    # unchanged dictionary: same features
    plain = process_answers(ANSWERS)
    same = process_answers(ANSWERS, options=TextOptions(dictionary=str(dic)))
    assert same.terms == plain.terms
    # edit: drop "matériel", merge "outil"/"outils" and "visioconférence" into "outil"
    frame.loc[frame["form"] == "matériel", "keep"] = "no"
    frame.loc[frame["form"].isin(["outils", "outil", "visioconférence"]), "group_as"] = "outil"
    frame.to_csv(dic, index=False)
    edited = process_answers(ANSWERS, options=TextOptions(dictionary=str(dic)))
    assert "matériel" in _terms(plain) and "matériel" not in _terms(edited)
    assert "visioconférence" not in _terms(edited)
    assert sum(t == "outil" for doc in edited.terms for t in doc) == 2
    assert edited.info["dictionary"]["dropped"] == 1
    # themes and parse take --dictionary
    r = cli("parse", survey, "--text-col", "q", "--id-col", "id", "--out", tmp_path / "p",
            "--dictionary", dic)
    assert r.code == 0, r.err
    terms = pd.read_csv(tmp_path / "p" / "terms.csv", dtype=str, keep_default_na=False)
    assert "matériel" not in " ".join(terms["terms"])
    # a second round keeps the choices
    r = cli("dictionary", survey, "--text-col", "q", "--id-col", "id", "--out",
            tmp_path / "dic2.csv", "--dictionary", dic)
    assert r.code == 0 and "1 forms dropped" in r.out
    again = pd.read_csv(tmp_path / "dic2.csv", dtype=str, keep_default_na=False)
    assert again.set_index("form").loc["matériel", "keep"] == "no"


def test_changed_dictionary_is_not_served_from_the_cache(tmp_path):
    dic = tmp_path / "dic.csv"
    cache = tmp_path / "cache"
    pd.DataFrame({"form": ["matériel"], "keep": ["yes"], "group_as": [""]}).to_csv(dic, index=False)
    options = TextOptions(dictionary=str(dic))
    first = process_answers(ANSWERS, options=options, cache_dir=cache)
    assert "matériel" in _terms(first)
    pd.DataFrame({"form": ["matériel"], "keep": ["no"], "group_as": [""]}).to_csv(dic, index=False)
    second = process_answers(ANSWERS, options=options, cache_dir=cache)
    assert "matériel" not in _terms(second) and second.info["cache"] == "parse"
    third = process_answers(ANSWERS, options=options, cache_dir=cache)
    assert third.info["cache"] == "hit" and third.terms == second.terms


@pytest.mark.parametrize(("content", "words"), [
    ("", "empty"),
    ("form,keep,colour\nx,yes,red\n", "unknown column"),
    ("form,keep,group_as\na,yes,b\nb,yes,c\nc,yes,a\n", "cycle"),
    ("form,keep\na,maybe\n", "yes or no"),
    ("foo;bar\n1;2\n", "unknown columns"),
])
def test_bad_dictionaries_one_line(cli, survey, tmp_path, content, words):
    dic = tmp_path / "bad.csv"
    dic.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=words):
        read_dictionary(dic)
    r = cli("parse", survey, "--text-col", "q", "--id-col", "id", "--out", tmp_path / "p",
            "--dictionary", dic)
    assert r.code == 2 and words in r.err and len(r.err.strip().splitlines()) == 1


def test_chains_are_followed(tmp_path):
    dic = tmp_path / "d.csv"
    dic.write_text("form,keep,group_as\nécolo,,écologiste\nécologiste,,écologie\n",
                   encoding="utf-8")
    assert read_dictionary(dic).group == {"écolo": "écologie", "écologiste": "écologie"}


def test_ined_lemmatiser_is_read(raw):
    path = raw / "ined_pee1992_k1" / "Pee_dic_lem_extract.csv"
    dic = read_dictionary(path)
    assert dic.format == FORMAT_RTEMIS and dic.n_rows == 1095
    assert dic.group["actuellement"] == "actuel" and dic.group["bruyant"] == "bruit"
    assert not dic.drop  # its Stopword column is empty
    assert "R.temis lemmatiser" in dic.description
    # one step, as R.temis applies it: arbre -> arbres and arbres -> arbre is no cycle
    assert dic.group["arbres"] == "arbre"


def test_xlsx_dictionary_keeps_forms_as_written_and_inert(cli, tmp_path):
    # "@mairie" is a form of the answers: the workbook keeps it as written, a string a
    # spreadsheet will not take for a formula when it is edited (quote prefix), and the
    # dictionary is read back with it.
    from openpyxl import load_workbook

    path = tmp_path / "s.csv"
    pd.DataFrame({"id": ["r1", "r2"], "q": ["@mairie trop loin", "Du matériel et des outils."]}
                 ).to_csv(path, index=False)
    dic = tmp_path / "dic.xlsx"
    r = cli("dictionary", path, "--text-col", "q", "--id-col", "id", "--out", dic)
    assert r.code == 0, r.err
    cells = {c.value: c for row in load_workbook(dic).active.iter_rows() for c in row[:1]}
    assert cells["@mairie"].data_type == "s" and cells["@mairie"].quotePrefix
    assert not cells["matériel"].quotePrefix
    r = cli("parse", path, "--text-col", "q", "--id-col", "id", "--out", tmp_path / "p",
            "--dictionary", dic)
    assert r.code == 0, r.err
