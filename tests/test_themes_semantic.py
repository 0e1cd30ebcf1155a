"""Tests of the semantic theme model, ``--method auto`` and k chosen against a null."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.metrics import adjusted_rand_score
from test_themes_data import GROUPS, make_corpus

from textmine.codebook import Codebook, CodebookTheme
from textmine.config import ThemeOptions
from textmine.themes import discover_themes
from textmine.themes.discover import code_answers
from textmine.themes.method_choice import MAX_NAME_SEEDS, MIN_SEMANTIC_ANSWERS, choose_method
from textmine.themes.models import SemanticThemes
from textmine.themes.persist import load_model, save_model
from textmine.themes.selection import choose_k, k_at_edge, sweep_k


def planted(n_per: int = 40, k: int = 4, dim: int = 32, seed: int = 0, noise: float = 0.35):
    """Answers in ``k`` groups: each group has its own words and its own embedding direction."""
    rng = np.random.default_rng(seed)
    centres = np.linalg.qr(rng.normal(size=(dim, k)))[0].T  # orthonormal directions
    rows, embeddings, labels = [], [], []
    for g in range(k):
        for _ in range(n_per):
            counts = np.zeros(k * 6)
            counts[rng.choice(np.arange(g * 6, g * 6 + 6), 3, replace=False)] = 1
            counts[rng.integers(0, k * 6)] += 1  # a stray word from anywhere
            rows.append(counts)
            e = centres[g] + noise * rng.normal(size=dim) / np.sqrt(dim)
            embeddings.append(e / np.linalg.norm(e))
            labels.append(g)
    return sp.csr_matrix(np.array(rows)), np.array(embeddings), np.array(labels)


def test_semantic_model_recovers_planted_groups_and_weights_sum_to_one():
    X, E, y = planted()
    model = SemanticThemes(4, random_state=0).fit(X, embeddings=E)
    W = model.transform(X, embeddings=E)
    assert W.shape == (X.shape[0], 4)
    assert np.allclose(W.sum(axis=1), 1.0) and (W >= 0).all()
    assert adjusted_rand_score(y, W.argmax(axis=1)) > 0.9
    assert model.components_.shape == (4, X.shape[1])
    assert np.allclose(np.linalg.norm(model.components_, axis=1), 1.0)


def test_semantic_model_refuses_embeddings_of_other_answers():
    X, E, _ = planted()
    model = SemanticThemes(4).fit(X, embeddings=E)
    with pytest.raises(ValueError, match="embeddings for"):
        model.transform(X, embeddings=E[:-1])


def test_semantic_state_arrays_round_trip_gives_the_same_weights():
    X, E, _ = planted()
    model = SemanticThemes(4).fit(X, embeddings=E)
    copy = SemanticThemes(4).set_state_arrays(model.state_arrays())
    assert all((a >= 0).all() for a in model.state_arrays().values())  # persist's check
    assert np.allclose(copy.transform(X, embeddings=E), model.transform(X, embeddings=E))


def _embeddings(corpus, dim: int = 16) -> np.ndarray:
    """Stand-in sentence embeddings: one direction per hand-written theme, noise for others."""
    rng = np.random.default_rng(1)
    directions = np.eye(dim)
    out = []
    for rid in corpus.ids:
        group = next((i for i, ids in enumerate(GROUPS.values()) if rid in ids), None)
        v = (directions[group] if group is not None else np.zeros(dim)) + 0.2 * rng.normal(
            size=dim) / np.sqrt(dim)
        out.append(v / np.linalg.norm(v))
    return np.array(out, dtype=np.float32)


def test_semantic_themes_through_discover_save_load_and_apply(tmp_path):
    corpus = make_corpus()
    E = _embeddings(corpus)
    result = discover_themes(corpus, options=ThemeOptions(k=3, method="semantic"),
                             embeddings=E)
    assert result.info["method"] == "semantic" and result.info["method_choice"] is None
    assert len(result.themes) == 3 and result.themes["label"].str.len().gt(0).all()
    answers = result.answers.set_index("respondent_id")
    truth = {rid: g for g, ids in GROUPS.items() for rid in ids}
    ids = list(truth)
    assert adjusted_rand_score([truth[i] for i in ids],
                               answers.loc[ids, "theme_id"].astype(int)) > 0.8
    save_model(result.model, tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    assert loaded.needs_embeddings and loaded.estimator.embedding_model == "use-multilingual-v3"
    again = code_answers(loaded, corpus, embeddings=E)
    assert again.answers["themes"].tolist() == result.answers["themes"].tolist()


def test_loading_a_semantic_model_checks_the_centroid_shapes(tmp_path):
    corpus = make_corpus()
    result = discover_themes(corpus, options=ThemeOptions(k=3, method="semantic"),
                             embeddings=_embeddings(corpus))
    folder = save_model(result.model, tmp_path / "model")
    import json

    from textmine.errors import ModelFileError

    meta = json.loads((folder / "model.json").read_text())
    meta["arrays"]["est_centroids_neg"] = [2, 2]
    with np.load(folder / "arrays.npz") as data:
        arrays = {k: data[k] for k in data.files}
    arrays["est_centroids_neg"] = arrays["est_centroids_neg"][:2]
    np.savez(folder / "arrays.npz", **arrays)
    from textmine.outputs import file_sha256

    meta["arrays_sha256"] = file_sha256(folder / "arrays.npz")
    (folder / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="est_centroids_neg"):
        load_model(folder)


def test_auto_rule_semantic_with_enough_answers_short_below_nmf_with_codebook():
    X = sp.csr_matrix(np.ones((MIN_SEMANTIC_ANSWERS, 5)))
    texts = ["un deux trois"] * MIN_SEMANTIC_ANSWERS
    choice = choose_method(X, texts, seeded=False)
    assert choice.method == "semantic" and choice.median_words == 3.0
    assert "50 answers" in choice.reason or str(MIN_SEMANTIC_ANSWERS) in choice.reason
    assert choose_method(X[:-1], texts[:-1], seeded=False).method == "short"
    assert choose_method(X, texts, seeded=True).method == "nmf"
    # A codebook of names (at most MAX_NAME_SEEDS seeds per theme) anchors semantic themes;
    # seed lists, or too few answers, stay with nmf.
    names = choose_method(X, texts, seeded=True, seeds_per_theme=1.0)
    assert names.method == "semantic" and "anchored on the meaning" in names.reason
    assert choose_method(X, texts, seeded=True,
                         seeds_per_theme=MAX_NAME_SEEDS + 0.5).method == "nmf"
    few = choose_method(X[:-1], texts[:-1], seeded=True, seeds_per_theme=1.0)
    assert few.method == "nmf" and "codebook of names, but only" in few.reason
    record = choice.record()
    assert record["asked"] == "auto" and record["method"] == "semantic" and record["rule"]


def test_auto_is_the_default_and_is_recorded_with_its_reason():
    assert ThemeOptions().method == "auto"
    result = discover_themes(make_corpus(), options=ThemeOptions(k=3))
    # 33 answers with terms: fewer than the semantic model needs.
    assert result.info["method"] == "short"
    assert result.info["method_choice"]["method"] == "short"
    assert "fewer than" in result.info["method_choice"]["reason"]


def test_choose_k_takes_the_largest_gain_over_the_null_smaller_k_on_ties():
    table = pd.DataFrame({"k": [3, 4, 5, 6], "stability_gain": [0.2, 0.5, 0.505, 0.1]})
    assert choose_k(table) == 4  # 5 is within the tie margin: the smaller k
    assert choose_k(table.assign(stability_gain=[0.2, 0.3, 0.6, 0.1])) == 5


def test_k_at_edge_names_the_end_of_the_range():
    table = pd.DataFrame({"k": [3, 4, 5], "chosen": [True, False, False]})
    assert k_at_edge(table) == "smallest"
    assert k_at_edge(table.assign(chosen=[False, False, True])) == "largest"
    assert k_at_edge(table.assign(chosen=[False, True, False])) is None


@pytest.mark.parametrize("noise", [0.8, 1.2])
def test_sweep_finds_the_planted_number_of_themes(noise):
    X, E, _ = planted(k=5, n_per=40, noise=noise)
    table, k = sweep_k(X, list(range(3, 9)), method="semantic", embeddings=E, n_seeds=2)
    assert k == 5
    assert list(table.columns) == ["k", "stability_gain", "stability", "stability_null",
                                   "coherence", "exclusivity", "chosen"]
    assert table.loc[table["chosen"], "stability"].iloc[0] > 0.85


def test_sweep_warns_when_the_choice_is_an_end_of_the_range(caplog):
    X, E, _ = planted(k=5, n_per=40, noise=1.0)
    with caplog.at_level(logging.WARNING, logger="textmine.themes.selection"):
        _, k = sweep_k(X, [3, 4], method="semantic", embeddings=E, n_seeds=2)
    # With two k tried, either choice is an end of the range.
    # the hint names a setting that exists (fresh-helper trial: it named a --k-max option)
    side, hint = ("smallest", "k_min") if k == 3 else ("largest", "k_max")
    assert f"k = {k} is the {side} k tried (3..4)" in caplog.text
    assert f"({hint} in a project's textmine.toml" in caplog.text and "--k-m" not in caplog.text


def test_sweep_of_semantic_needs_embeddings():
    X, _, _ = planted()
    with pytest.raises(ValueError, match="embeddings"):
        sweep_k(X, [2, 3], method="semantic")


def test_report_words_the_method_choice_and_the_k_rule():
    from textmine.report.rundata import k_explanation
    from textmine.themes.method_choice import METHOD_RULE
    from textmine.themes.selection import K_RULE

    info = {"k": 6, "k_chosen_by": "auto", "k_rule": K_RULE, "k_at_edge": None,
            "n_themes_final": 6,
            "method_choice": {"method": "semantic", "answers": 350, "median_words": 8.0,
                              "vocabulary": 272, "rule": METHOD_RULE}}
    table = pd.DataFrame({"k": [3, 12]})
    fr = k_explanation(info, table, "fr")
    assert fr.startswith("Modèle « semantic »") and "350 réponses" in fr
    assert "données sans structure" in fr and K_RULE not in fr  # the rule is translated
    en = k_explanation(info | {"k_at_edge": "largest"}, table, "en")
    assert "350 answers (median 8 words, 272 terms)" in en
    assert "This k is the largest tried" in en


@pytest.mark.parametrize("method", ["lda", "nmf", "short"])
def test_sweep_runs_for_the_lexical_methods(method):
    X, _, _ = planted(k=4, n_per=30, noise=1.0)
    table, k = sweep_k(X, [2, 3, 4, 5], method=method, n_seeds=1)
    assert k in (2, 3, 4, 5) and table["chosen"].sum() == 1
    assert table[["stability", "stability_null"]].apply(lambda c: c.between(-1, 1)).all().all()


# -- seeded semantic themes and seed expansion by meaning (issue 14, item 5) -------------------

# Directions as in _embeddings: outils 0, moyens 1, dsi 2.
_WORDS = {"outil": 0, "visio": 0, "teams": 0, "cloud": 0, "moyen": 1, "budget": 1, "effectif": 1,
          "dsi": 2, "informatique": 2}


@pytest.fixture
def fake_encoder(monkeypatch, tmp_path):
    """A stand-in sentence encoder: a text's vector is the sum of its known words' directions."""
    from textmine.text import embeddings as emb

    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))

    def encode(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 512), dtype=np.float32)
        for i, t in enumerate(texts):
            rng = np.random.default_rng(list(t.encode()) or [0])
            out[i, :16] = 0.05 * rng.normal(size=16)
            for w, d in _WORDS.items():
                if w in t.casefold():
                    out[i, d] += 1.0
        return emb._normalise(out)

    monkeypatch.setitem(emb._ENCODERS, "use-multilingual-v3", encode)


def test_seeded_semantic_model_keeps_each_anchor_on_its_planted_group():
    X, E, y = planted()
    # Anchors of groups 2 and 0 (in that order), near their directions: seeded themes first.
    centres = np.vstack([E[y == g].mean(axis=0) for g in (2, 0)])
    model = SemanticThemes(4, seed_terms=((12, 13), (0, 1)), random_state=0)
    model.fit(X, embeddings=E, anchors=centres)
    W = model.transform(X, embeddings=E)
    assert (W[y == 2].argmax(axis=1) == 0).mean() > 0.9
    assert (W[y == 0].argmax(axis=1) == 1).mean() > 0.9
    assert adjusted_rand_score(y, W.argmax(axis=1)) > 0.9


def test_seeded_semantic_model_refuses_more_anchors_than_themes():
    X, E, _ = planted()
    with pytest.raises(ValueError, match="seeded themes for 2 themes"):
        SemanticThemes(2).fit(X, embeddings=E, anchors=E[:3])


def test_centred_embeddings_round_trip_and_old_models_read_uncentred():
    X, E, _ = planted()
    model = SemanticThemes(4, center_embeddings=True).fit(X, embeddings=E)
    assert np.allclose(model.embedding_mean_, E.mean(axis=0))
    arrays = model.state_arrays()
    copy = SemanticThemes(4, center_embeddings=True).set_state_arrays(arrays)
    assert np.allclose(copy.transform(X, embeddings=E), model.transform(X, embeddings=E))
    plain = SemanticThemes(4, center_embeddings=False).fit(X, embeddings=E)
    old = {k: v for k, v in plain.state_arrays().items() if not k.startswith("embedding_mean")}
    restored = SemanticThemes(4).set_state_arrays(old)
    assert not restored.embedding_mean_.any()
    assert np.allclose(restored.transform(X, embeddings=E), plain.transform(X, embeddings=E))


def test_semantic_seed_expansion_adds_the_closest_terms_once_above_the_floor():
    from textmine.themes.seeded import expand_seeds_semantic

    vocab = ["budget", "effectif", "visio", "teams", "météo", "zoom"]
    T = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.1, 0.9, 0], [0, 0, 1],
                  [0.6, 0.8, 0]], dtype=float)
    anchors = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    expanded, added = expand_seeds_semantic(vocab, ((0,), (2,)), anchors, n_neighbours=5,
                                            min_cosine=0.5, term_embeddings=T)
    # "météo" is close to no theme; "zoom" goes to the one theme it is closest to; seeds stay.
    assert [c for c, _ in added[0]] == [1]
    assert [c for c, _ in added[1]] == [3, 5]
    assert expanded == ((0, 1), (2, 3, 5))
    assert added[1][1][1] == pytest.approx(0.8)
    with pytest.raises(ValueError, match="anchors for 2 seeded themes"):
        expand_seeds_semantic(vocab, ((0,), (2,)), anchors[:1], term_embeddings=T)


def test_codebook_with_semantic_method_fits_seeded_semantic_themes(fake_encoder):
    corpus = make_corpus()
    book = Codebook(themes=(CodebookTheme(name="Outils numériques", seeds=("outil",)),
                            CodebookTheme(name="Manque de moyens", seeds=("budget",))))
    result = discover_themes(
        corpus, options=ThemeOptions(method="semantic", extra_themes=1, seed_neighbours=3,
                                     stability_resamples=0),
        codebook=book, embeddings=np.pad(_embeddings(corpus), ((0, 0), (0, 512 - 16))))
    assert result.info["method"] == "semantic"
    assert result.themes["label"].tolist()[:2] == ["Outils numériques", "Manque de moyens"]
    # (which answers each seeded theme gathers: test_seeded_semantic_model_keeps_each_anchor_...)
    assert result.info["seeded_themes"][0]["n_answers"] > 0
    table = result.seed_expansion
    assert set(table["source"]) <= {"co-occurrence", "semantic"}
    semantic = table[table["source"] == "semantic"]
    # The stand-in encoder puts "effectif", "moyens humains" near "Manque de moyens : budget";
    # terms already added by co-occurrence are not listed twice.
    assert {"effectif", "moyens_humains"} & set(
        semantic.loc[semantic["theme"] == "Manque de moyens", "feature"])
    assert not table.duplicated(["theme", "feature"]).any()
    assert (semantic["cosine"] >= 0.4).all()
    assert "meaning" in result.info["seed_expansion"]["rule"]


def test_seeded_semantic_model_is_saved_and_codes_new_answers_the_same(fake_encoder, tmp_path):
    corpus = make_corpus()
    E = np.pad(_embeddings(corpus), ((0, 0), (0, 512 - 16)))
    book = Codebook(themes=(CodebookTheme(name="Outils numériques", seeds=("outil",)),))
    result = discover_themes(corpus, options=ThemeOptions(method="semantic", extra_themes=2,
                                                          stability_resamples=2),
                             codebook=book, embeddings=E)
    assert result.model.estimator.seed_terms and "stability" in result.themes
    loaded = load_model(save_model(result.model, tmp_path / "model"))
    again = code_answers(loaded, corpus, embeddings=E)
    assert again.answers["themes"].tolist() == result.answers["themes"].tolist()


def test_joined_space_in_blocks_equals_one_piece(monkeypatch):
    # Issue 19 (memory at 1M answers): the joined vectors are built block of rows by block of
    # rows into one array; every step is row by row, so the blocks equal one piece bit for bit.
    import textmine.themes.models as models

    X, E, _ = planted()
    E32 = E.astype(np.float32)  # as embed_texts gives them
    model = SemanticThemes(4, random_state=0).fit(X, embeddings=E32)
    Xt = model._represent(X)
    one_piece = np.hstack([np.sqrt(1.0 - model.lexical_weight) * model._semantic_side(E32),
                           np.sqrt(model.lexical_weight)
                           * models.normalize(np.asarray(Xt @ model.svd_components_.T))])
    monkeypatch.setattr(models, "JOINED_BLOCK_ROWS", 7)  # 160 rows: 23 blocks, a short last one
    blocks = model.joined(Xt, E32)
    np.testing.assert_array_equal(blocks, one_piece)
    monkeypatch.setattr(models, "JOINED_BLOCK_ROWS", 8192)
    np.testing.assert_array_equal(model.transform(X, embeddings=E32),
                                  SemanticThemes(4, random_state=0).fit(X, embeddings=E32)
                                  .transform(X, embeddings=E32))


def test_answer_embeddings_are_kept_per_distinct_text(monkeypatch):
    # Issue 19: the encoder gets each distinct text once and discover keeps (vectors, index).
    import textmine.text.embeddings as embeddings
    from textmine.themes.discover import answer_embeddings, answer_embeddings_by_text

    asked = []

    def fake_embed(texts, model=None):
        asked.append(list(texts))
        return np.array([[len(t), t.count("a")] for t in texts], dtype=np.float32)

    monkeypatch.setattr(embeddings, "embed_texts", fake_embed)
    texts = ["un avis", "autre avis", "un avis", "un avis"]
    corpus = make_corpus()
    corpus.texts = texts
    corpus.ids, corpus.status = corpus.ids[:4], corpus.status[:4]
    vectors, index = answer_embeddings_by_text(corpus)
    assert asked[-1] == ["un avis", "autre avis"] and vectors.shape == (2, 2)
    assert index.tolist() == [0, 1, 0, 0]
    np.testing.assert_array_equal(answer_embeddings(corpus), vectors[index])


def test_embedding_rows_give_the_same_model_as_per_answer_rows():
    # Issue 19: the semantic fit, catch-all splits and weights from (distinct vectors, index)
    # equal those from one embedding row per answer: the same partition, and means over the
    # distinct rows weighted by their answers equal to the per-answer means up to rounding
    # (another summation order).
    from textmine.themes.catchall import split_catch_alls
    from textmine.themes.models import EmbeddingRows

    X, E, _ = planted(n_per=30)
    rng = np.random.default_rng(1)
    index = rng.integers(0, X.shape[0], size=300)  # answers repeating 120 distinct texts
    Xa, Ea = X[index], E.astype(np.float32)[index]
    rows = EmbeddingRows(E.astype(np.float32), index)
    assert rows.shape == Ea.shape and len(rows) == 300
    np.testing.assert_array_equal(rows[5:40], Ea[5:40])
    np.testing.assert_array_equal(np.asarray(rows), Ea)
    one = SemanticThemes(4, random_state=0).fit(Xa, embeddings=Ea)
    two = SemanticThemes(4, random_state=0).fit(Xa, embeddings=rows)
    for model, emb in ((one, Ea), (two, rows)):
        split_catch_alls(model, Xa, first_free=0, max_share=0.2, relative_threshold=0.5,
                         min_weight=0.05, random_state=0, embeddings=emb, max_splits=2)
    assert one.n_themes == two.n_themes
    np.testing.assert_allclose(one.centroids_, two.centroids_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(one.components_, two.components_, rtol=0, atol=1e-12)
    W1, W2 = one.transform(Xa, embeddings=Ea), two.transform(Xa, embeddings=rows)
    np.testing.assert_allclose(W1, W2, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(W1.argmax(axis=1), W2.argmax(axis=1))


def test_semantic_model_joins_each_distinct_answer_once(monkeypatch):
    # Issue 19 (memory at 1M answers): with EmbeddingRows, the joined space of the fit, the
    # catch-all split and transform is computed on the distinct answers only, never one row
    # per answer; answers that share an embedding row but not their counts stay apart.
    from textmine.themes.catchall import split_catch_alls
    from textmine.themes.models import EmbeddingRows

    X, E, _ = planted(n_per=30)
    index = np.random.default_rng(1).integers(0, X.shape[0], size=600)
    Xa, rows = X[index], EmbeddingRows(E.astype(np.float32), index)
    n_distinct = len(np.unique(index))
    sizes = []
    joined = SemanticThemes.joined

    def spy(self, Xt, embeddings):
        sizes.append(Xt.shape[0])
        return joined(self, Xt, embeddings)

    monkeypatch.setattr(SemanticThemes, "joined", spy)
    model = SemanticThemes(4, random_state=0).fit(Xa, embeddings=rows)
    split_catch_alls(model, Xa, first_free=0, max_share=0.2, relative_threshold=0.5,
                     min_weight=0.05, random_state=0, embeddings=rows, max_splits=2)
    model.transform(Xa, embeddings=rows)
    assert sizes and set(sizes) == {n_distinct}
    # same embedding row, other counts (not the same text): not merged
    Xb = Xa.tolil()
    Xb[0, 0] += 1
    J = model.joined_rows(Xb.tocsr(), rows)
    assert J.Z.shape[0] == len(Xa.toarray()) and len(J) == 600


def test_seed_labelled_answers_use_terms_of_one_theme_only():
    from textmine.themes.models import seed_labelled

    # columns: 0 "santé" (two themes), 1 "profession", 2 "établissement", 3 other
    X = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 0], [0, 1, 1, 0],
                                [0, 0, 0, 1]]))
    labels = seed_labelled(X, ((0, 1), (0, 2)))
    # the shared "santé" labels nobody; writing both themes' own terms is a tie
    assert labels.tolist() == [0, 1, -1, -1, -1]
    assert seed_labelled(X, ()).tolist() == [-1] * 5


def test_constrained_kmeans_keeps_labelled_answers_on_their_theme():
    from textmine.themes.models import constrained_kmeans

    low = np.array([[0.0], [0.1], [0.2], [5.0], [5.1], [5.2]])
    labels = np.array([-1, -1, -1, -1, -1, 0])  # 5.2 is said to be theme 0
    assign, _ = constrained_kmeans(low, np.array([[0.0], [5.0]]), labels, max_iter=50)
    assert assign.tolist() == [0, 0, 0, 1, 1, 0]


def test_seed_labels_spread_to_the_nearest_unlabelled_answers_only():
    from textmine.themes.models import spread_seed_labels

    # a chain 0 - 1 - 2 - 3 - 4 - 5 labelled at both ends
    G = sp.diags([np.ones(5), np.ones(5)], [-1, 1], format="csr")
    labels = np.array([0, -1, -1, -1, -1, 1])
    spread = spread_seed_labels(G, labels, 2, alpha=0.9, keep=0.5)
    assert spread.tolist() == [0, 0, -1, -1, 1, 1]
    assert spread_seed_labels(G, labels, 2, alpha=0.9, keep=0.0).tolist() == labels.tolist()


def test_seeded_theme_follows_the_answers_writing_its_seed_over_a_vague_anchor():
    # The anchor (the embedded tag name) sits between groups 0 and 1; the answers writing
    # the seed term (a word of group 1) decide: constrained k-means keeps them on theme 0
    # (Basu, Banerjee & Mooney 2002).
    X, E, y = planted(seed=3)
    anchor = E[y == 0].mean(axis=0) + E[y == 1].mean(axis=0)
    model = SemanticThemes(4, seed_terms=((7,),), random_state=0)
    model.fit(X, embeddings=E, anchors=anchor[None, :])
    W = model.transform(X, embeddings=E)
    assert (W[y == 1].argmax(axis=1) == 0).mean() > 0.9  # seeded starts alone: 0.03
    assert all((W[y == g].argmax(axis=1) == 0).mean() < 0.1 for g in (0, 2, 3))


def test_semantic_themes_place_answers_whose_words_are_all_rare_by_their_embedding(caplog):
    # Issue 14 (AN titles: 20 of 370 titles such as "Pénurie d'orthophonistes" have no word in
    # the vocabulary): with min_df 2 an answer of words written once is still themed, by its
    # sentence embedding, in the theme of the answers it is close to; an answer of stop words
    # only and a zero embedding stay unassigned.
    from dataclasses import replace

    corpus = make_corpus()
    E = _embeddings(corpus)
    tools = np.flatnonzero([rid in GROUPS["outils"] for rid in corpus.ids])
    extra = {"texts": ["Logiciel introuvable", "Oui tout à fait", "Zzz qwerty", "bof"],
             "terms": [["logicielx", "introuvablex"], [], ["zzzx"], ["bofx"]]}
    corpus = replace(
        corpus, ids=corpus.ids + ["n1", "n2", "n3", "n4"], texts=corpus.texts + extra["texts"],
        masked=corpus.masked + extra["texts"], status=corpus.status + ["ok"] * 4,
        terms=corpus.terms + extra["terms"])
    # n4 ("bof", the fresh-helper trial's junk) is close to no theme: a direction no group has
    E = np.vstack([E, E[tools].mean(axis=0, keepdims=True), E[tools[:1]],
                   np.zeros((1, E.shape[1])), np.eye(E.shape[1])[-1:]]).astype(np.float32)
    with caplog.at_level(logging.WARNING, logger="textmine"):
        result = discover_themes(corpus, options=ThemeOptions(k=3, method="semantic", min_df=2),
                                 embeddings=E)
    # a guess, said with an example
    assert any("sentence embedding alone" in r.message and '"Logiciel introuvable"' in r.message
               for r in caplog.records)
    answers = result.answers.set_index("respondent_id")
    assert answers.loc["n1", "status"] == "themed"
    tool_theme = answers.loc[GROUPS["outils"], "theme_id"].mode().iloc[0]
    assert answers.loc["n1", "theme_id"] == tool_theme
    assert answers.loc[["n2", "n3", "n4"], "status"].tolist() == ["unassigned"] * 3
    assert result.info["counts"]["ok_without_vocabulary_terms"] >= 4
    assert result.info["counts"]["placed_by_embedding"] == 1
    # the lexical methods have no embedding: the rare-word answer stays unassigned there
    nmf = discover_themes(corpus, options=ThemeOptions(k=3, method="nmf", min_df=2))
    assert nmf.answers.set_index("respondent_id").loc["n1", "status"] == "unassigned"


def test_semantic_layout_is_made_once_per_distinct_answer(monkeypatch):
    # Issue 14 (INED K1: "la nature" x111): laid out one row per copy, the copies of a short
    # answer are each other's only neighbours, an island that k-means takes for a theme (INED
    # NMI 0.636, 0.688 once per distinct answer). The layout sees each distinct answer once, in
    # the order they come, and every copy gets its point.
    from textmine.themes import models

    X, E, y = planted(n_per=40, k=3, seed=2)
    copies = 60
    X = sp.vstack([X, sp.csr_matrix(np.repeat(X[5:6].toarray(), copies, axis=0))]).tocsr()
    E = np.vstack([E, np.repeat(E[5:6], copies, axis=0)])
    y = np.concatenate([y, np.repeat(y[5:6], copies)])
    seen = []
    layout = models.umap_coordinates

    def spy(rows, *args, **kwargs):
        seen.append(np.array(rows))
        return layout(rows, *args, **kwargs)

    monkeypatch.setattr(models, "umap_coordinates", spy)
    model = SemanticThemes(3, random_state=0).fit(X, embeddings=E)
    assert len(seen) == 1 and seen[0].shape[0] == 120  # 120 distinct answers, not 180
    assert np.allclose(seen[0], E[:120])  # in their order
    labels = model.transform(X, embeddings=E).argmax(axis=1)
    assert len(set(labels[[5, *range(120, 180)]])) == 1
    assert adjusted_rand_score(y, labels) > 0.9


def test_semantic_layouts_umap_and_spectral_both_recover_planted_groups():
    X, E, y = planted()
    for layout in ("umap", "spectral"):
        model = SemanticThemes(4, layout=layout, random_state=0).fit(X, embeddings=E)
        assert adjusted_rand_score(y, model.transform(X, embeddings=E).argmax(axis=1)) > 0.9
    with pytest.raises(ValueError, match="too few"):
        from textmine.themes.models import umap_coordinates

        umap_coordinates(E[:6], 3, 5, 0)


def test_semantic_model_fits_answers_with_fewer_distinct_texts_than_a_layout_needs():
    # 30 answers, 3 distinct texts: too few for the UMAP layout (5 dimensions + 2): k-means on
    # the joined vectors, every copy in its text's theme, no error.
    X, E, _ = planted(n_per=1, k=3)
    X = sp.csr_matrix(np.repeat(X.toarray(), 10, axis=0))
    E = np.repeat(E, 10, axis=0)
    labels = SemanticThemes(3, random_state=0).fit(X, embeddings=E).transform(
        X, embeddings=E).argmax(axis=1)
    assert sorted(np.bincount(labels, minlength=3)) == [10, 10, 10]
