"""Issue 19 §2: the document–term matrix and the table counts by map-reduce over partitions,
on every core (--jobs) and on a Dask LocalCluster, equal to the one-process results; the
embeddings follow the command's engine."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import textmine.features as features
from textmine.config import EngineOptions
from textmine.engine import use_engine
from textmine.errors import OptionError
from textmine.features import document_term_matrix
from textmine.tables import ClosedData, crosstab_frame

# the module, not the function of the same name re-exported by textmine.tables
crosstab = importlib.import_module("textmine.tables.crosstab")


@dataclass
class _Terms:
    ids: list[str]
    status: list[str]
    terms: list[list[str]]


@pytest.fixture(scope="module")
def corpus() -> _Terms:
    """400 answers of words drawn from a Zipf-like vocabulary, some non-answers and empties."""
    rng = np.random.default_rng(3)
    words = [f"mot{i}" for i in range(300)] + ["service_public", "pas_moyen"]
    p = 1 / np.arange(1, len(words) + 1)
    p /= p.sum()
    terms, status = [], []
    for i in range(400):
        if i % 37 == 0:
            terms.append([])
            status.append("non-answer" if i % 2 else "empty")
            continue
        terms.append(list(rng.choice(words, size=rng.integers(1, 12), p=p)))
        status.append("ok")
    return _Terms([f"r{i}" for i in range(400)], status, terms)


@pytest.fixture
def partitioned(monkeypatch):
    """Small partitions, and the partitioned path from the first answer."""
    monkeypatch.setattr(features, "PARALLEL_MIN_ANSWERS", 1)
    monkeypatch.setattr(features, "PARTITION_ANSWERS", 64)
    monkeypatch.setattr(crosstab, "PARALLEL_MIN_RESPONDENTS", 1)
    monkeypatch.setattr(crosstab, "COUNT_PARTITION_ROWS", 50)


def _same(a, b) -> None:
    assert a.terms == b.terms
    assert a.ids == b.ids
    assert a.X.shape == b.X.shape
    assert a.X.dtype == b.X.dtype
    for part in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(a.X, part), getattr(b.X, part))


SETTINGS = [
    {},
    {"min_df": 3, "max_df": 0.2},
    {"min_df": 5, "weighting": "binary", "mwe_parts": True, "keep": ["mot299", "absent"]},
]


@pytest.mark.parametrize("kwargs", SETTINGS)
def test_partitioned_matrix_equals_one_process(corpus, partitioned, kwargs):
    one = document_term_matrix(corpus, **kwargs)
    with use_engine(EngineOptions(jobs=2)):
        assert len(features._partitions(len(corpus.ids))) == 7  # the partitioned path runs
        two = document_term_matrix(corpus, **kwargs)
        fixed = document_term_matrix(corpus, vocabulary=one.terms[::-1])
    _same(one, two)
    _same(document_term_matrix(corpus, vocabulary=one.terms[::-1]), fixed)
    assert two.X.sum() > 0


@dataclass
class _DistinctTerms(_Terms):
    """A corpus that knows its distinct texts, as ``process_answers`` makes it."""

    doc_of: np.ndarray
    distinct_terms: list[list[str]]


def _by_distinct_text(corpus: _Terms) -> _DistinctTerms:
    """The same answers, each answer's terms one of a few shared lists (resampled texts)."""
    rng = np.random.default_rng(7)
    distinct = [t for t, s in zip(corpus.terms, corpus.status, strict=True) if s == "ok"][:60]
    doc_of = rng.integers(0, len(distinct), size=len(corpus.ids)).astype(np.int32)
    doc_of[[i for i, s in enumerate(corpus.status) if s != "ok"]] = -1
    terms = [distinct[d] if d >= 0 else [] for d in doc_of]
    return _DistinctTerms(corpus.ids, corpus.status, terms, doc_of, distinct)


@pytest.mark.parametrize("kwargs", SETTINGS)
def test_distinct_matrix_equals_answer_by_answer(corpus, kwargs):
    # Issue 19: counted once per distinct text and expanded by an index, the matrix equals
    # the answer-by-answer count entry for entry (df weighted by the answers of each text).
    by_text = _by_distinct_text(corpus)
    answer_by_answer = _Terms(by_text.ids, by_text.status, [list(t) for t in by_text.terms])
    assert features._distinct_rows(answer_by_answer) is None  # the plain path below
    one = document_term_matrix(answer_by_answer, **kwargs)
    distinct = document_term_matrix(by_text, **kwargs)
    _same(one, distinct)
    _same(document_term_matrix(answer_by_answer, vocabulary=one.terms[::-1]),
          document_term_matrix(by_text, vocabulary=one.terms[::-1]))
    with pytest.raises(OptionError, match="min_df=1000"):
        document_term_matrix(by_text, min_df=1000)


@pytest.mark.parametrize("kwargs", SETTINGS)
def test_distinct_matrix_by_partition_equals_answer_by_answer(corpus, partitioned, monkeypatch,
                                                              kwargs):
    # A corpus of many distinct texts is counted by partition of its distinct texts on the
    # engine, the document frequencies weighted by the answers of each text: still equal.
    monkeypatch.setattr(features, "PARTITION_ANSWERS", 16)
    by_text = _by_distinct_text(corpus)
    answer_by_answer = _Terms(by_text.ids, by_text.status, [list(t) for t in by_text.terms])
    one = document_term_matrix(answer_by_answer, **kwargs)
    calls = []
    real = features._partitioned_matrix
    monkeypatch.setattr(features, "_partitioned_matrix",
                        lambda *a, **k: calls.append(k.get("weights")) or real(*a, **k))
    with use_engine(EngineOptions(jobs=2)):
        two = document_term_matrix(by_text, **kwargs)
    assert calls and calls[0] is not None  # the weighted partitioned path ran
    _same(one, two)


def test_partitioned_matrix_on_the_cluster(corpus, partitioned, cluster):
    one = document_term_matrix(corpus, min_df=2)
    with use_engine(EngineOptions(scheduler=cluster.scheduler_address)):
        dask = document_term_matrix(corpus, min_df=2)
    _same(one, dask)


def test_partitioned_matrix_bad_filters_are_one_line(corpus, partitioned):
    with use_engine(EngineOptions(jobs=2)), pytest.raises(OptionError, match="min_df=1000"):
        document_term_matrix(corpus, min_df=1000)
    same = _Terms(["a", "b"], ["ok", "ok"], [["nature"], ["nature"]])
    with use_engine(EngineOptions(jobs=2)), pytest.raises(OptionError, match="same terms"):
        document_term_matrix(same, max_df=0.4)
    empty = _Terms(["a"], ["empty"], [[]])
    with use_engine(EngineOptions(jobs=2)), pytest.raises(OptionError, match="no.*term|any term"):
        document_term_matrix(empty)


def _survey(n: int = 330):
    rng = np.random.default_rng(5)
    ids = [f"r{i}" for i in range(n)]
    status = rng.choice(["themed", "unassigned", "non-answer", "empty"], size=n,
                        p=[0.7, 0.15, 0.1, 0.05])
    themes = ["" if s != "themed" else ";".join(sorted(
        {str(t) for t in rng.integers(1, 5, size=rng.integers(1, 3))})) for s in status]
    answers = pd.DataFrame({"respondent_id": ids, "status": status,
                            "theme_id": [t.split(";")[0] for t in themes], "weight": 1.0,
                            "themes": themes})
    table = pd.DataFrame({"theme_id": [1, 2, 3, 4],
                          "label": ["Transports", "Impôts", "Services publics", "Écologie"]})
    region = pd.Series(pd.Categorical(rng.choice(["Nord", "Sud", "Est", "Ouest"], size=n)),
                       index=ids)
    region.iloc[::17] = np.nan  # some respondents without an answer to the closed question
    age = pd.Series(pd.Categorical(rng.choice(["18-34", "35-64", "65+"], size=n),
                                   categories=["18-34", "35-64", "65+"], ordered=True),
                    index=ids)
    questions = [ClosedData("region", "single", region), ClosedData("age", "ordinal", age)]
    weights = pd.Series(rng.uniform(0.5, 2.0, size=n), index=ids)
    return answers, table, questions, weights


def test_table_counts_map_reduce_equal_one_process(partitioned):
    answers, themes, questions, weights = _survey()
    one = crosstab_frame(answers, themes, questions)
    one_w = crosstab_frame(answers, themes, questions, weights=weights)
    with use_engine(EngineOptions(jobs=2)):
        two = crosstab_frame(answers, themes, questions)
        two_w = crosstab_frame(answers, themes, questions, weights=weights)
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(one_w, two_w)
    assert one["n"].sum() > 0


def test_table_counts_sum_of_partitions():
    rng = np.random.default_rng(0)
    ind = rng.random((1000, 3)) < 0.3
    codes = rng.integers(0, 4, size=1000)
    whole = crosstab.partition_crosstab_counts(ind, codes, 4)
    parts = sum(crosstab.partition_crosstab_counts(ind[a:a + 97], codes[a:a + 97], 4)
                for a in range(0, 1000, 97))
    np.testing.assert_array_equal(whole, parts)
    assert whole[-1].sum() == 1000
    assert whole[0, 2] == int(ind[codes == 2, 0].sum())


def test_table_counts_on_the_cluster(partitioned, cluster):
    answers, themes, questions, _ = _survey()
    one = crosstab_frame(answers, themes, questions)
    with use_engine(EngineOptions(scheduler=cluster.scheduler_address)):
        dask = crosstab_frame(answers, themes, questions)
    pd.testing.assert_frame_equal(one, dask)


def test_embeddings_follow_the_engine(monkeypatch, tmp_path):
    import textmine.text.embeddings as embeddings

    seen = []

    def fake_compute(model, distinct, missing, vectors, batch_size, progress, jobs):
        seen.append(jobs)
        vectors[missing] = 1.0

    monkeypatch.setattr(embeddings, "_compute", fake_compute)
    monkeypatch.setattr(embeddings, "_write_segment", lambda *a, **k: None)
    embeddings.embed_texts(["un"], cache_dir=tmp_path)
    with use_engine(EngineOptions(jobs=3)):
        embeddings.embed_texts(["deux"], cache_dir=tmp_path)
        embeddings.embed_texts(["trois"], cache_dir=tmp_path, jobs=1)
    assert seen == [1, 3, 1]


# --- a folder of Parquet files (issue 19 §2: read partition by partition) ---------------------

DEMO = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "demo_survey.csv"


def _demo_frame() -> pd.DataFrame:
    return pd.read_csv(DEMO, sep=";", dtype=str)


def _split(frame: pd.DataFrame, folder, parts: int = 3):
    folder.mkdir()
    step = -(-len(frame) // parts)
    for i in range(parts):
        frame.iloc[i * step:(i + 1) * step].to_parquet(folder / f"part-{i:02d}.parquet",
                                                       index=False)
    return folder


def test_parquet_folder_reads_like_one_file(tmp_path, monkeypatch):
    import textmine.survey.formats as formats
    from textmine.survey import read_survey

    monkeypatch.setattr(formats, "PARQUET_BATCH_ROWS", 7)  # several batches per part
    frame = _demo_frame()
    frame.to_parquet(tmp_path / "whole.parquet", index=False)
    folder = _split(frame, tmp_path / "parts")
    (folder / "README.txt").write_text("not a part")  # other files are ignored
    whole = read_survey(tmp_path / "whole.parquet")
    parts = read_survey(folder)
    pd.testing.assert_frame_equal(whole.data, parts.data)
    assert parts.source.n_rows == len(frame)
    assert parts.source.format == "parquet"
    assert parts.source.sha256 != whole.source.sha256
    assert parts.questions == whole.questions


def test_parquet_folder_themes_equal_one_file(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    frame = _demo_frame()
    frame.to_parquet(tmp_path / "whole.parquet", index=False)
    folder = _split(frame, tmp_path / "parts")
    common = ["--text-col", "q_manques", "--id-col", "id", "--k", "3", "--by", "fonction"]
    one = cli("themes", tmp_path / "whole.parquet", *common, "--out", tmp_path / "one")
    assert one.code == 0, one.err
    two = cli("themes", folder, *common, "--out", tmp_path / "two")
    assert two.code == 0, two.err
    for name in ("themes.csv", "answers.csv", "terms.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_parquet_folder_faults_are_one_line(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("x")
    res = cli("parse", empty, "--text-col", "q_manques", "--out", tmp_path / "o1")
    assert res.code == 2
    assert "without .parquet files" in res.err and len(res.err.strip().splitlines()) == 1
    assert not (tmp_path / "o1").exists()

    frame = _demo_frame()
    folder = _split(frame, tmp_path / "mixed", parts=2)
    other = frame.iloc[:5].copy()
    other["anciennete"] = pd.to_numeric(other["anciennete"])
    other.to_parquet(folder / "part-99.parquet", index=False)
    res = cli("parse", folder, "--text-col", "q_manques", "--out", tmp_path / "o2")
    assert res.code == 2
    assert "do not share one schema" in res.err and "part-99.parquet" in res.err
    assert "anciennete (string vs int64)" in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert not (tmp_path / "o2").exists()

    header_only = tmp_path / "header"
    header_only.mkdir()
    frame.iloc[:0].to_parquet(header_only / "a.parquet", index=False)
    res = cli("parse", header_only, "--text-col", "q_manques", "--out", tmp_path / "o3")
    assert res.code == 2 and "hold no data rows" in res.err


# --- theme weights by partition (the distributed half of "fit on a sample, transform") -------

def test_partitioned_transform_within_tolerance(corpus):
    from textmine.themes.models import NMFThemes
    from textmine.themes.partitioned import WEIGHT_TOLERANCE, partitioned_transform

    dtm = document_term_matrix(corpus, min_df=2)
    X = dtm.X[dtm.n_terms_per_row > 0]
    model = NMFThemes(5, random_state=0).fit(X[::2])  # fitted on a sample: every other answer
    whole = model.transform(X)
    with use_engine(EngineOptions(jobs=2)):
        parts = partitioned_transform(model, X, partition_rows=60)
    assert parts.shape == whole.shape
    assert np.abs(parts - whole).max() <= WEIGHT_TOLERANCE
    assert (parts.argmax(axis=1) == whole.argmax(axis=1)).mean() >= 0.99
    # one partition holding every row is the one-call transform exactly
    np.testing.assert_array_equal(partitioned_transform(model, X, partition_rows=10**6), whole)


# --- text-stage speed: a warm run does not import spaCy for its stop list --------------------

def test_stop_list_without_importing_spacy():
    import subprocess
    import sys

    code = ("import sys; from textmine.text.lexicon import spacy_stop_words; "
            "w = spacy_stop_words(); print(len(w), 'spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=__import__("pathlib").Path(__file__).parents[1])
    n, imported = out.stdout.split()
    assert imported == "False"
    from spacy.lang.fr.stop_words import STOP_WORDS

    from textmine.text.lexicon import spacy_stop_words
    from textmine.text.normalise import normalise_text

    assert spacy_stop_words() == frozenset(normalise_text(w) for w in STOP_WORDS)
    assert int(n) == len(spacy_stop_words()) > 400


def test_theme_weights_of_a_big_survey_by_partition(corpus, monkeypatch):
    import textmine.themes.partitioned as partitioned
    from textmine.themes.models import NMFThemes
    from textmine.themes.result import FittedThemes

    dtm = document_term_matrix(corpus, min_df=2)
    X = dtm.X[dtm.n_terms_per_row > 0]
    model = NMFThemes(4, random_state=1).fit(X)
    fitted = FittedThemes(estimator=model, method="nmf", terms=dtm.terms,
                          theme_map=np.eye(4), labels=list("abcd"), top_terms=[[]] * 4)
    one = fitted.weights(X)
    monkeypatch.setattr(partitioned, "PARALLEL_MIN_ROWS", 1)
    monkeypatch.setattr(partitioned, "PARTITION_ROWS", 70)
    np.testing.assert_array_equal(fitted.weights(X), one)  # one process: one call, exact
    with use_engine(EngineOptions(jobs=2)):
        two = fitted.weights(X)
    assert np.abs(two - one).max() <= partitioned.WEIGHT_TOLERANCE
    assert (two.argmax(axis=1) == one.argmax(axis=1)).mean() >= 0.99


def test_parquet_folder_in_a_project_file(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    _split(_demo_frame(), tmp_path / "parts")
    (tmp_path / "textmine.toml").write_text(
        '[survey]\npath = "parts"\nid_col = "id"\n\n[themes]\nk = 3\nseed = 0\n\n'
        '[engine]\njobs = 2\n\n[[open]]\ncolumn = "q_manques"\n\n'
        '[[closed]]\ncolumn = "fonction"\ntype = "single"\n', encoding="utf-8")
    res = cli("run", tmp_path / "textmine.toml", "--out", tmp_path / "out")
    assert res.code == 0, res.err
    record = (tmp_path / "out" / "q_manques" / "run.json").read_text(encoding="utf-8")
    assert '"name": "parts"' in record
    assert (tmp_path / "out" / "q_manques" / "themes.csv").is_file()
