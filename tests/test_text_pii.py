"""Personal data (textmine.text.pii)."""

from __future__ import annotations

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
