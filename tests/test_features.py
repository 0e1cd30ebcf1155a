"""Tests of textmine.features (document-term matrices)."""

from __future__ import annotations

import numpy as np
import pytest
from test_themes_data import HandCorpus, make_corpus

from textmine.errors import OptionError
from textmine.features import document_term_matrix


def _tiny() -> HandCorpus:
    return HandCorpus(
        ids=["a", "b", "c", "d"],
        texts=["visio visio cloud", "budget", "RAS", "cloud budget"],
        masked=["visio visio cloud", "budget", "RAS", "cloud budget"],
        status=["ok", "ok", "non-answer", "ok"],
        terms=[["visio", "visio", "cloud"], ["budget"], ["ras"], ["cloud", "budget"]],
    )


def test_counts_follow_corpus_order_and_vocabulary_is_sorted():
    dtm = document_term_matrix(_tiny())
    assert dtm.ids == ["a", "b", "c", "d"]
    assert dtm.terms == ["budget", "cloud", "visio"]
    np.testing.assert_array_equal(
        dtm.X.toarray(), [[0, 1, 2], [1, 0, 0], [0, 0, 0], [1, 1, 0]]
    )


def test_non_answers_never_contribute_terms():
    dtm = document_term_matrix(_tiny())
    assert "ras" not in dtm.terms
    assert dtm.n_terms_per_row.tolist() == [2, 1, 0, 2]


def test_binary_weighting():
    dtm = document_term_matrix(_tiny(), weighting="binary")
    assert dtm.X.toarray()[0].tolist() == [0, 1, 1]


def test_min_df_and_max_df_filter_terms():
    assert document_term_matrix(_tiny(), min_df=2).terms == ["budget", "cloud"]
    # max_df is a share of the 3 answers with terms: 0.5 -> at most 1 answer.
    assert document_term_matrix(_tiny(), max_df=0.5).terms == ["visio"]


def test_fixed_vocabulary_ignores_unknown_terms():
    dtm = document_term_matrix(_tiny(), vocabulary=["cloud", "teams"])
    assert dtm.terms == ["cloud", "teams"]
    assert dtm.X.toarray().tolist() == [[1, 0], [0, 0], [0, 0], [1, 0]]


def test_nothing_left_after_filtering_says_what_to_do():
    with pytest.raises(OptionError, match=r"no terms remain in 3 answers; try a lower --min-df "
                                          r"\(e\.g\. --min-df 1\)\.$"):
        document_term_matrix(_tiny(), min_df=5)


def test_no_terms_hint_names_only_options_that_exist_and_can_help():
    # min_df is already 1: no --min-df hint; max_df has no CLI option: the project key is named.
    common = HandCorpus(ids=["a", "b", "c"], texts=["visio teams", "visio teams", "visio"],
                        masked=["visio teams", "visio teams", "visio"], status=["ok"] * 3,
                        terms=[["visio", "teams"], ["visio", "teams"], ["visio"]])
    with pytest.raises(OptionError) as info:
        document_term_matrix(common, min_df=1, max_df=0.5)
    message = str(info.value)
    assert "--min-df" not in message and "--max-df" not in message
    assert "[themes] max_df in textmine.toml" in message
    with pytest.raises(OptionError) as info:
        document_term_matrix(_tiny(), min_df=5, max_df=1.0)
    assert "max_df in" not in str(info.value) and "--min-df 1" in str(info.value)


def test_identical_answers_are_said_to_be_identical_not_filtered_away():
    # 30 x "la nature" (with or without --dedupe): no filter hint can help, say why.
    for n in (2, 30):
        same = HandCorpus(ids=[str(i) for i in range(n)], texts=["la nature"] * n,
                          masked=["la nature"] * n, status=["ok"] * n,
                          terms=[["nature"]] * (n - 1) + [["nature", "nature"]])
        for min_df, max_df in ((1, 0.5), (2, 0.5), (1, 0.9)):
            with pytest.raises(OptionError, match=(
                    rf"^All {n} answers with terms have the same terms \(nature\): there is "
                    r"nothing to tell them apart; themes need answers that differ\.$")):
                document_term_matrix(same, min_df=min_df, max_df=max_df)


def test_no_terms_at_all():
    corpus = HandCorpus(["a"], ["RAS"], ["RAS"], ["non-answer"], [[]])
    with pytest.raises(OptionError, match=r"None of the 1 answers has any term left"):
        document_term_matrix(corpus)


def test_unknown_weighting():
    with pytest.raises(OptionError, match=r"Unknown weighting 'tfidf'; choose one of count"):
        document_term_matrix(make_corpus(), weighting="tfidf")


def test_keep_overrides_the_frequency_filters():
    assert document_term_matrix(_tiny(), min_df=2, keep={"visio"}).terms == [
        "budget", "cloud", "visio"
    ]


def test_mwe_parts_are_counted_beside_the_expression_but_negations_stay_whole():
    corpus = HandCorpus(["a", "b"], ["", ""], ["", ""], ["ok", "ok"],
                        [["noyade_piscine", "pas_moyen_humain"], ["noyade"]])
    dtm = document_term_matrix(corpus, mwe_parts=True)
    assert dtm.terms == ["noyade", "noyade_piscine", "pas_moyen_humain", "piscine"]
    assert dtm.X.toarray().tolist() == [[1, 1, 1, 1], [1, 0, 0, 0]]
    assert document_term_matrix(corpus).terms == ["noyade", "noyade_piscine", "pas_moyen_humain"]
