"""Personal data (textmine.text.pii)."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.text.corpus import process_answers
from textmine.text.normalise import normalise_text
from textmine.text.pii import has_civility, mask_text, protect


def test_mask_email_phone_url_and_civility():
    text = ("Écrire à jean.dupont@mairie-x.fr ou appeler M. Dupont au 06 12 34 56 78, "
            "voir https://www.service-public.fr/particuliers.")
    masked = mask_text(text)
    assert masked == ("Écrire à [e-mail] ou appeler M. [nom] au [téléphone], "
                      "voir [url].")
    assert text.startswith("Écrire à jean.dupont")  # input untouched (str is immutable anyway)


def test_mask_civility_variants_and_international_phone():
    assert mask_text("Mme Martin et Madame Durand Leroy") == "Mme [nom] et Madame [nom]"
    assert mask_text("tel +33 6 12 34 56 78") == "tel [téléphone]"
    assert mask_text("Monsieur le maire") == "Monsieur le maire"


def test_mask_names_found_by_ner_whole_words_only():
    assert mask_text("Demander à Jean, pas à Jeanne", ["Jean"]) == "Demander à [nom], pas à Jeanne"


def test_protect_puts_placeholder_words():
    assert protect("mail: a.b@c.fr, site www.x.fr") == "mail: EMAILX , site URLX"
    assert protect("voir Mme Martin") == "voir Mme NOMX"
    assert has_civility("voir Mme Martin") and not has_civility("voir madame la ministre")


def test_civility_with_abbreviation_dots_and_no_false_alarm():
    assert mask_text("Mr. Dupont et Dr. House") == "Mr. [nom] et Dr. [nom]"
    assert protect("me voici, merci") == "me voici, merci"
    assert protect("site impots.gouv.fr") == "site URLX"

_ADDRESSES = [
    "jean·dupont@ville.fr", "direction.communication@agglo.fr", "contact·e@mairie.fr",
    "marie-claire.agent·e@ex-ville.gouv.fr", "agent⋅e•s@ville.fr", "a.b-c@d-e.f.org",
]
_URLS = [
    "https://www.ville.fr/agent·e·s/page·html", "http://ex-ville.fr/a-b.c", "www.agent·e·s.fr/x",
    "https://service-public.fr", "impots.gouv.fr/particulier·e·s", "https://",
]


@pytest.mark.parametrize("address", _ADDRESSES)
def test_emails_with_inclusive_dots_are_masked_whole(address):
    text = f"Écrire à {address} svp"
    assert mask_text(text) == "Écrire à [e-mail] svp"
    assert protect(normalise_text(text)) == "Écrire à EMAILX svp"


@pytest.mark.parametrize("url", _URLS)
def test_urls_with_inclusive_dots_are_masked_whole(url):
    text = f"Voir {url} svp"
    assert mask_text(text) == "Voir [url] svp"
    # normalise_text turns "//" into "/": the URL is still found whole.
    assert protect(normalise_text(text)) == "Voir URLX svp"


def test_personal_data_with_inclusive_dots_never_becomes_a_feature(tmp_path):
    answers = ["Écrire à jean·dupont@ville.fr ou direction.communication@agglo.fr",
               "Voir https://www.ville.fr/agent·e·s/page·html et contact·e@mairie.fr",
               "Les agent·e·s du service sont débordé·e·s"]
    corpus = process_answers(pd.Series(answers, index=["a", "b", "c"]), cache_dir=tmp_path)
    terms = {t for doc in corpus.terms for t in doc}
    words = {w for t in terms for w in t.replace("_", " ").split()}
    assert not words & {"jean", "dupont", "contact", "direction", "communication", "agglo",
                        "mairie", "ville", "page", "html", "https", "https:/", "www"}
    assert not any("http" in t or "/" in t or "@" in t for t in terms)
    assert "agent" in words
    assert corpus.masked[0] == "Écrire à [e-mail] ou [e-mail]"
    assert corpus.masked[1] == "Voir [url] et [e-mail]"
