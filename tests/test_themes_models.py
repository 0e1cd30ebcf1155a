"""Tests of textmine.themes.models (the estimators)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks
from test_themes_data import GROUPS, make_corpus

from textmine.features import document_term_matrix
from textmine.themes.models import LDAThemes, NMFThemes, ShortTextThemes, make_model


@parametrize_with_checks(
    [NMFThemes(3, max_iter=100), ShortTextThemes(3, max_iter=100), LDAThemes(3, max_iter=5)]
)
def test_sklearn_estimator_contract(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def dtm():
    return document_term_matrix(make_corpus())


@pytest.mark.parametrize("cls", [NMFThemes, ShortTextThemes, LDAThemes])
def test_same_seed_same_model(cls, dtm):
    a = cls(3, random_state=4).fit(dtm.X).transform(dtm.X)
    b = cls(3, random_state=4).fit(dtm.X).transform(dtm.X)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("method", ["short", "nmf"])
def test_nmf_methods_recover_the_three_hand_written_themes(method, dtm):
    model = make_model(method, 3, random_state=0).fit(dtm.X)
    primary = model.transform(dtm.X).argmax(axis=1)
    pos = {rid: i for i, rid in enumerate(dtm.ids)}
    majority = []
    for ids in GROUPS.values():
        labels = primary[[pos[i] for i in ids]]
        majority.append(np.bincount(labels).argmax())
        assert (labels == majority[-1]).all()
    assert len(set(majority)) == 3


def test_lda_gives_theme_proportions(dtm):
    # LDA is too weak on 2-4 word answers to recover the groups (see docs/bench_themes.md).
    W = LDAThemes(3, max_iter=20).fit(dtm.X).transform(dtm.X)
    np.testing.assert_allclose(W.sum(axis=1), 1.0)


def test_nmf_rows_without_terms_get_zero_weights(dtm):
    W = NMFThemes(3).fit(dtm.X).transform(dtm.X)
    empty = np.diff(dtm.X.indptr) == 0
    assert empty.any()
    assert np.all(W[empty] == 0)


def test_transform_of_one_answer_equals_its_row_in_a_batch(dtm):
    model = ShortTextThemes(3).fit(dtm.X)
    batch = model.transform(dtm.X)
    one = model.transform(dtm.X[5:6])
    np.testing.assert_allclose(one[0], batch[5], atol=1e-8)


def test_seeded_rows_keep_their_seed_terms_first(dtm):
    col = {t: i for i, t in enumerate(dtm.terms)}
    seeds = ((col["dsi"], col["service_informatique"]), (col["budget"],))
    model = NMFThemes(4, seed_terms=seeds).fit(dtm.X)
    assert np.argmax(model.components_[0]) in seeds[0]
    assert np.argmax(model.components_[1]) == col["budget"]
    assert model.term_weights_[col["budget"]] == 2.0


def test_too_many_seeded_themes():
    with pytest.raises(ValueError, match=r"2 seeded themes need n_themes >= 2"):
        NMFThemes(1, seed_terms=((0,), (1,))).fit(sp.csr_matrix(np.eye(3)))


def test_lda_refuses_seeds_and_unknown_method_is_refused():
    with pytest.raises(ValueError, match=r"seeded themes need method 'short' or 'nmf'"):
        make_model("lda", 3, random_state=0, seed_terms=((0,),))
    with pytest.raises(ValueError, match=r"unknown method 'kmeans'"):
        make_model("kmeans", 3, random_state=0)


def test_state_arrays_round_trip_gives_same_weights(dtm):
    for model in (ShortTextThemes(3).fit(dtm.X), LDAThemes(3, max_iter=20).fit(dtm.X)):
        restored = clone(model).set_state_arrays(model.state_arrays())
        np.testing.assert_allclose(restored.transform(dtm.X), model.transform(dtm.X))


def test_transform_before_fit():
    with pytest.raises(NotFittedError):
        ShortTextThemes(2).transform(sp.csr_matrix(np.ones((2, 3))))
