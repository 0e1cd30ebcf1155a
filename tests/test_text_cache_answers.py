"""Issue 19 (warm text stage): a re-run of the same answers prepares none of them again.

The ``answers`` cache entry (textmine.text.cache) holds what the preparation of the raw answers
gave; a re-run reads it and the features, and must give the very corpus of a cold run.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

import textmine.text.corpus as corpus_module
from textmine.config import TextOptions
from textmine.text.cache import answers_key, texts_digest
from textmine.text.corpus import process_answers

ANSWERS = pd.Series({
    "r1": "Nous n\u2019avons pas de moyens",
    "r2": "nous avons des moyens",
    "r3": "RAS",
    "r4": "   ",
    "r5": None,
    "r6": "Nous n'avons pas de moyens",
    "r7": "Contacter Mme Martin : martin@ville.fr ou 06 12 34 56 78",
    "r8": "-",
    "r9": "probleme a l'hopital, la securite sociale et les impots",
    "r10": "probleme a l'hopital, la securite sociale et les impots",
    "r11": "Nous n'avons pas de moyens",
})


def _same(a, b) -> None:
    assert a.ids == b.ids and a.texts == b.texts and a.masked == b.masked
    assert a.status == b.status and a.terms == b.terms
    assert (a.vectors is None) == (b.vectors is None)
    if a.vectors is not None:
        np.testing.assert_array_equal(a.vectors, b.vectors)
    for key in ("accents", "counts", "parse", "collocations", "top_terms", "language",
                "duplicates"):
        assert a.info[key] == b.info[key], key


@pytest.fixture
def no_preparation(monkeypatch):
    """Fail the test if any answer is prepared (normalised, classified) again."""
    def fail(*args, **kwargs):
        raise AssertionError("an answer was prepared again")

    monkeypatch.setattr(corpus_module, "_classify", fail)


def test_rerun_prepares_no_answer_and_gives_the_cold_corpus(tmp_path, request):
    cold = process_answers(ANSWERS, cache_dir=tmp_path)
    assert cold.info["accents"]["answers"] == 2  # the accents rule ran on the cold path
    request.getfixturevalue("no_preparation")
    warm = process_answers(ANSWERS, cache_dir=tmp_path)
    assert warm.info["cache"] == "hit"
    _same(cold, warm)


def test_answers_entry_is_keyed_by_answers_in_order_and_options(tmp_path):
    process_answers(ANSWERS, cache_dir=tmp_path)
    reordered = ANSWERS.iloc[::-1]
    again = process_answers(reordered, cache_dir=tmp_path)  # other order: prepared again
    assert again.status == process_answers(reordered, options=TextOptions(cache=False)).status
    other = process_answers(ANSWERS, cache_dir=tmp_path,
                            options=TextOptions(extra_nonanswers=["nous avons des moyens"]))
    assert other.status[1] == "non-answer"  # a preparation option is in the key
    entries = sorted(p.parent.name for p in (tmp_path / "answers").rglob("meta.json"))
    assert len(entries) == 3
    settings = {"a": 1}

    def key(texts, s):
        return answers_key(texts_digest(texts), s)

    assert key(["x", "y"], settings) != key(["y", "x"], settings)
    assert key(["x", "y"], settings) != key(["x", "y"], {"a": 2})
    assert key(["xy"], settings) != key(["x", "y"], settings)


def test_preparation_code_is_in_the_key(tmp_path, monkeypatch):
    process_answers(ANSWERS, cache_dir=tmp_path)
    # an edited rule (another source digest) must not be served the old preparation
    monkeypatch.setattr(corpus_module, "_prepare_code_digest", lambda: "edited")
    calls = []
    classify = corpus_module._classify
    monkeypatch.setattr(corpus_module, "_classify",
                        lambda *a, **k: calls.append(1) or classify(*a, **k))
    process_answers(ANSWERS, cache_dir=tmp_path)
    assert calls


def test_features_missing_after_a_prepared_hit_are_computed_again(tmp_path):
    cold = process_answers(ANSWERS, cache_dir=tmp_path)
    for meta in (tmp_path / "terms").rglob("meta.json"):
        meta.unlink()
    again = process_answers(ANSWERS, cache_dir=tmp_path)
    assert again.info["cache"] == "parse"  # features from the cached parse
    _same(cold, again)
    assert process_answers(ANSWERS, cache_dir=tmp_path).info["cache"] == "hit"


def test_corrupt_answers_entry_is_a_miss_with_a_warning(tmp_path, caplog):
    cold = process_answers(ANSWERS, cache_dir=tmp_path)
    (tokens,) = (tmp_path / "answers").rglob("tokens.parquet")
    tokens.write_bytes(tokens.read_bytes()[:-10] + b"0123456789")
    with caplog.at_level(logging.WARNING):
        again = process_answers(ANSWERS, cache_dir=tmp_path)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "is corrupt" in warnings[0]
    assert again.info["cache"] == "hit"  # the features were still good
    _same(cold, again)


def test_long_answers_are_said_on_a_rerun_too(tmp_path, caplog):
    answers = pd.Series({"a": "moyens " * 40, "b": "rien à signaler de plus"})
    options = TextOptions(max_chars=50)
    process_answers(answers, options=options, cache_dir=tmp_path)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        warm = process_answers(answers, options=options, cache_dir=tmp_path)
    assert warm.info["cache"] == "hit"
    said = [r.getMessage() for r in caplog.records if "longer than 50" in r.getMessage()]
    assert said == ["1 answers are longer than 50 characters and are analysed on their first 50."]


def test_cache_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "env"))
    corpus = process_answers(ANSWERS, options=TextOptions(cache=False))
    assert corpus.info["cache"] == "off"
    assert not (tmp_path / "env").exists()


def test_language_and_duplicate_notes_count_every_answer():
    texts = ["the service is not good and we have no time"] * 3 + ["nous avons des moyens"]
    note = corpus_module.language_note(texts)
    assert note["n_decided"] == 4 and note["n_english"] == 3 and "note" in note
    dup = corpus_module.duplicate_note(["Oui c'est bien", "oui  c\u2019est bien", "non", "x"],
                                       ["ok", "ok", "ok", "non-answer"])
    assert dup == {"largest": 2, "share": round(2 / 3, 4), "n_groups": 1, "n_answers": 2}


def test_other_feature_options_keep_the_answers_entry(tmp_path, request):
    process_answers(ANSWERS, cache_dir=tmp_path)
    fresh = process_answers(ANSWERS, cache_dir=tmp_path / "fresh",
                            options=TextOptions(negation=False))
    request.getfixturevalue("no_preparation")  # feature options: the answers are not prepared
    other = process_answers(ANSWERS, cache_dir=tmp_path, options=TextOptions(negation=False))
    assert other.info["cache"] == "parse" and other.terms[0] == ["moyen"]
    _same(fresh, other)
    assert process_answers(ANSWERS, cache_dir=tmp_path,
                           options=TextOptions(negation=False)).info["cache"] == "hit"


def test_no_workers_started_when_the_parse_is_cached_after_an_upgrade(tmp_path, monkeypatch):
    """The hint (answers -> parse key, without code versions) says spaCy will not run."""
    import textmine.text.parse as parse
    from textmine.config import EngineOptions
    from textmine.engine import use_engine

    monkeypatch.setattr(parse, "CHUNK_MIN_CHARS", 10)  # these answers: several tasks' worth
    started = []
    monkeypatch.setattr(corpus_module, "start_workers",
                        lambda model, n: started.append(n) or False)
    cold = process_answers(ANSWERS, cache_dir=tmp_path)
    assert len(started) == 1  # cold: spaCy runs, workers started early
    monkeypatch.setattr(corpus_module, "_prepare_code_digest", lambda: "upgraded")
    with use_engine(EngineOptions(jobs=2)):
        again = process_answers(ANSWERS, cache_dir=tmp_path)  # answers entry: a miss
    assert again.info["cache"] == "hit" and len(started) == 1  # nothing started
    _same(cold, again)
    hints = list((tmp_path / "hints").rglob("*.txt"))
    for hint in hints:  # a damaged hint only costs the early start
        hint.write_text("not a key", encoding="ascii")
    monkeypatch.setattr(corpus_module, "_prepare_code_digest", lambda: "upgraded again")
    _same(cold, process_answers(ANSWERS, cache_dir=tmp_path))
    assert len(started) == 2
