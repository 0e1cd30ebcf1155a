"""Scoring every answer after a refit: cached features and one sparse product per refit."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest
from workspace_fixtures import answers_frame, make_workspace

from textmine.coding.learn import MultiLabelCoder
from textmine.workspace import db, edits, scoring
from textmine.workspace.suggest import Refitter, refit, training_data


@pytest.fixture
def coded(tmp_path):
    """A workspace of 121 answers, 30 of them coded by alice."""
    path = make_workspace(tmp_path, n=120)
    conn = db.connect(path)
    _, truth = answers_frame(120)
    ids = {r[1]: r[0] for r in conn.execute("SELECT id, respondent_id FROM answers")}
    codes = {r[1]: r[0] for r in conn.execute("SELECT id, name FROM codes")}
    for rid, code in list(truth.items())[:30]:
        edits.change_coding(conn, ids[rid], "alice", version=0, action="toggle",
                            code_id=codes[code])
    yield path, conn
    conn.close()


def _terms(conn):
    return [r[0] for r in conn.execute("SELECT terms FROM answers ORDER BY id")]


@pytest.mark.parametrize("char_ngrams", [True, False])
def test_fast_scores_equal_predict_proba(coded, tmp_path, char_ngrams):
    _, conn = coded
    _, terms, Y = training_data(conn)
    coder = MultiLabelCoder(char_ngrams=char_ngrams, random_state=0).fit(terms, Y)
    features, info = scoring.workspace_features(conn, cache_dir=tmp_path / "cache")
    assert not info["cached"] and info["path"].is_file()
    every = _terms(conn)
    scores, fast = scoring.score_answers(coder, features, every)
    assert fast
    np.testing.assert_allclose(scores, coder.predict_proba(every), atol=1e-5)
    # An answer without terms gets no confident code (predict_proba's rule, kept).
    assert scores.shape == (121, 3)


def test_features_are_read_back_from_the_cache_and_rebuilt_when_damaged(coded, tmp_path,
                                                                        caplog):
    _, conn = coded
    cache = tmp_path / "cache"
    first, info = scoring.workspace_features(conn, cache_dir=cache)
    again, info2 = scoring.workspace_features(conn, cache_dir=cache)
    assert info2["cached"] and info2["path"] == info["path"]
    assert (again.chars != first.chars).nnz == 0 and again.word_index == first.word_index
    info["path"].write_bytes(b"damaged" * 10)
    with caplog.at_level(logging.WARNING):
        rebuilt, info3 = scoring.workspace_features(conn, cache_dir=cache)
    assert not info3["cached"] and "unreadable" in caplog.text
    assert (rebuilt.words != first.words).nnz == 0


def test_cache_key_changes_with_the_answers():
    assert scoring.answers_key([1, 2], ["a b", "c"]) != scoring.answers_key([1, 2], ["a b", "d"])
    assert scoring.answers_key([1, 2], ["a b", "c"]) != scoring.answers_key([1, 3], ["a b", "c"])


def test_a_difference_with_predict_proba_falls_back_to_the_slow_path(coded, tmp_path,
                                                                     monkeypatch, caplog):
    _, conn = coded
    _, terms, Y = training_data(conn)
    coder = MultiLabelCoder(random_state=0).fit(terms, Y)
    features, _ = scoring.workspace_features(conn, cache_dir=tmp_path / "cache")
    monkeypatch.setattr(scoring, "CHECK_TOLERANCE", -1.0)
    with caplog.at_level(logging.WARNING):
        scores, fast = scoring.score_answers(coder, features, _terms(conn))
    assert not fast and "slow way" in caplog.text
    np.testing.assert_allclose(scores, coder.predict_proba(_terms(conn)))
    monkeypatch.setattr(scoring, "_fast_kind", lambda feats: False)
    scores, fast = scoring.score_answers(coder, features, _terms(conn))
    assert not fast


def test_refit_scores_every_answer_in_one_transaction(coded, tmp_path):
    path, conn = coded
    result = refit(path, cache_dir=tmp_path / "cache")
    assert result["fast"] and result["n_scored"] == 121 and not result["features_cached"]
    assert conn.execute("SELECT COUNT(*) FROM answers WHERE scores IS NULL").fetchone()[0] == 0
    # The queue's index is rebuilt by the refit and the file stays consistent.
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'answers_queue'").fetchone()
    assert db.integrity_ok(conn)
    plan = " ".join(r[-1] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM answers WHERE question = 'q1' "
        "ORDER BY usefulness DESC, id LIMIT 1"))
    assert "answers_queue" in plan
    assert refit(path, cache_dir=tmp_path / "cache")["features_cached"]


def test_background_refits_reuse_one_refit_process(coded):
    path, conn = coded
    refitter = Refitter(path, every=1)
    try:
        refitter.warm()
        pids = []
        for _ in range(2):
            assert refitter.start()
            refitter.wait(300)
            assert refitter.last_error is None, refitter.last_error
            pids.append(refitter.last_result["pid"])
            assert refitter.last_result["fast"] and refitter.last_result["n_scored"] == 121
        assert pids[0] == pids[1] != os.getpid()
    finally:
        refitter.close()
    assert refitter._executor is None
