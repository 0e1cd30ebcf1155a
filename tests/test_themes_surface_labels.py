"""Labels made of words the answers write (issue 14, items 4 and 7): surface forms, fragments."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from textmine.themes.labels import (
    fold,
    fragment_share,
    surface_forms,
    surface_top_terms,
)

TEXTS = [
    "Les montagnes et la nature",
    "la montagne, toujours la montagne",
    "Pas de week-end depuis mars",
    "plus de week-end ni de vacances",
    "les consignes nationales changeaient",
    "des consignes nationales floues",
    "commerces ouverts le dimanche",
    "liste des commerces ouverts",
    "bien vivre ensemble",
    "pour bien vivre",
]
# Features as the text pipeline makes them: lemma stubs, expression parts, negations.
ROWS = [
    ["montagn", "nature"],
    ["montagn"],
    ["pas_week", "week", "end", "mars"],
    ["week", "end", "vacance"],
    ["consigne_national", "consigne", "national", "changer"],
    ["consigne_national", "consigne", "national", "flou"],
    ["commerce", "ouvrir", "dimanche"],
    ["liste", "commerce", "ouvrir"],
    ["bien_vivr", "ensemble"],
    ["bien_vivr"],
]
VOCAB = sorted({t for row in ROWS for t in row})


def matrix() -> sp.csr_matrix:
    col = {t: i for i, t in enumerate(VOCAB)}
    X = sp.lil_matrix((len(ROWS), len(VOCAB)))
    for r, row in enumerate(ROWS):
        for t in row:
            X[r, col[t]] += 1
    return sp.csr_matrix(X)


def test_features_are_shown_as_the_answers_write_them():
    forms = surface_forms(VOCAB, matrix(), VOCAB, TEXTS)
    assert forms["montagn"] == "montagne"  # stub -> the form written most (2 answers)
    assert forms["consigne_national"] == "consignes nationales"
    assert forms["pas_week"] == "pas de week-end"  # function words between, compound whole
    assert forms["end"] == "week-end"  # a piece of a word is shown as the word
    assert forms["bien_vivr"] == "bien vivre"
    assert forms["vacance"] == "vacances"
    assert forms["ouvrir"] == "ouverts"  # irregular: the word that goes with the feature


def test_a_feature_no_answer_writes_is_a_fragment():
    X = sp.csr_matrix(np.array([[1.0], [1.0]]))
    forms = surface_forms(["zzz", "absent"], X, ["zzz"], ["la nature", "les arbres"])
    assert forms == {"zzz": None, "absent": None}


def test_every_surface_form_is_text_of_the_answers():
    joined = " ".join(TEXTS).casefold()
    for form in surface_forms(VOCAB, matrix(), VOCAB, TEXTS).values():
        assert form is None or form in joined


def test_top_terms_lead_with_the_heaviest_word_and_skip_fragments_and_repeats():
    terms = ["nature", "arbre", "forêt", "end", "week", "pas_week"]
    surface = {"nature": "nature", "arbre": "arbres", "forêt": "forêt", "end": None,
               "week": "week-end", "pas_week": "pas de week-end"}
    comp = np.array([
        [1.0, 0.3, 0.2, 0.0, 0.0, 0.0],   # nature is heaviest though shared with theme 2
        [0.9, 0.0, 0.0, 0.5, 0.4, 0.3],
    ])
    comp[1, 0] = 0.9
    tops = surface_top_terms(comp, terms, surface, n_top=5)
    assert tops[0][0] == "nature"
    assert tops[1][0] == "nature"
    # "end" is a fragment; "week-end" is inside "pas de week-end": shown once, as the phrase.
    assert "end" not in tops[1]
    assert tops[1].count("pas de week-end") == 1 and "week-end" not in tops[1]


def test_fragment_share_counts_heaviest_terms_without_surface_form():
    comp = np.array([[0.9, 0.8, 0.7, 0.1], [0.1, 0.0, 0.2, 0.9]])
    surface = {"a": None, "b": None, "c": "c", "d": "d"}
    share = fragment_share(comp, ["a", "b", "c", "d"], surface)
    assert share[0] == 2 / 3 and share[1] == 1 / 3


def test_fold_drops_case_and_accents():
    assert fold("Écoles") == "ecoles"


def test_written_by_members_marks_the_terms_a_theme_s_answers_write():
    from textmine.themes.labels import written_by_members

    X = sp.csr_matrix(np.array([[1, 0, 0], [0, 2, 0], [0, 0, 1]], dtype=float))
    members = np.array([[True, False], [True, True], [False, False]])
    assert written_by_members(members, X).tolist() == [[True, True, False],
                                                        [False, True, False]]


@pytest.mark.parametrize("method", ["short", "nmf"])
def test_labels_of_a_tiny_survey_are_words_its_own_answers_write(method):
    """Co-occurrence smoothing reaches words a theme's answers never write: labels must not."""
    from test_themes_data import make_corpus

    from textmine.config import ThemeOptions
    from textmine.themes import discover_themes
    from textmine.themes.labels import fold

    corpus = make_corpus()
    result = discover_themes(corpus, options=ThemeOptions(k=4, method=method,
                                                          stability_resamples=0))
    texts = dict(zip(corpus.ids, corpus.texts, strict=True))
    answers = result.answers.set_index("respondent_id")["themes"]
    for tid, tops in zip(result.themes["theme_id"], result.themes["top_terms"], strict=True):
        own = " ".join(fold(texts[r]) for r, cell in answers.items()
                       if str(tid) in str(cell).split(";"))
        for form in filter(None, str(tops).split("; ")):
            assert all(w in own for w in fold(form).split()), (tid, form)


def test_semantic_themes_of_one_word_answers_are_labelled_with_their_own_words():
    """docs/robustness.md: on 40 one-word answers with ``--method semantic --k 2``, the theme
    holding only the "nature" answers was labelled "nature / pollution / bruit"."""
    from test_themes_data import HandCorpus

    from textmine.config import ThemeOptions
    from textmine.themes import discover_themes

    words = ["nature", "pollution", "arbres", "bruit", "air"]
    texts = [w for w in words for _ in range(8)]
    ids = [f"r{i:02d}" for i in range(len(texts))]
    corpus = HandCorpus(ids=ids, texts=texts, masked=list(texts), status=["ok"] * len(ids),
                        terms=[[t] for t in texts])
    rng = np.random.default_rng(0)
    E = np.array([np.eye(8)[0 if t == "nature" else 1] + 0.05 * rng.normal(size=8)
                  for t in texts])
    result = discover_themes(corpus, options=ThemeOptions(k=2, method="semantic",
                                                          stability_resamples=0,
                                                          max_theme_share=1.0),
                             embeddings=E)
    answers = result.answers.set_index("respondent_id")["themes"]
    written = dict(zip(ids, texts, strict=True))
    alone = 0
    for tid, tops in zip(result.themes["theme_id"], result.themes["top_terms"], strict=True):
        own = {written[r] for r, cell in answers.items() if str(tid) in str(cell).split(";")}
        assert set(tops.split("; ")) <= own, (tops, own)
        alone += len(own) == 1
    assert alone  # a theme of one word's answers is labelled with that word alone
