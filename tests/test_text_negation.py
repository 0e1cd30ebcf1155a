"""Negation scopes on items (textmine.text.negation), without spaCy."""

from __future__ import annotations

import pytest

from textmine.text.negation import MAX_SCOPE, feature, negate


def items(spec: str):
    """'ne:F avoir:F pas:W moyen:W' -> items (value, lower, kind); ',' is a boundary."""
    out = []
    for tok in spec.split():
        if tok == ",":
            out.append((",", ",", "B"))
        else:
            value, kind = tok.split(":")
            out.append((value, value, kind))
    return out


def feats(spec: str, **kw):
    return [feature(v, n) for v, n, _ in negate(items(spec), **kw)]


def test_ne_pas_scope_and_limit():
    assert feats("ne:F avoir:F pas:W moyen:W") == ["pas_moyen"]
    words = " ".join(f"w{i}:W" for i in range(MAX_SCOPE + 1))
    assert feats("pas:W " + words) == [f"pas_w{i}" for i in range(MAX_SCOPE)] + [f"w{MAX_SCOPE}"]


def test_ne_que_is_not_a_negation():
    assert feats("ne:F faire:W que:F travailler:W") == ["faire", "travailler"]


def test_plus_is_a_negation_only_after_ne():
    assert feats("ne:F plus:W moyen:W") == ["pas_moyen"]
    assert feats("plus:W moyen:W") == ["plus", "moyen"]


def test_backward_insuffisant_and_boundary():
    assert feats("moyen:W être:F insuffisant:W") == ["pas_moyen"]
    assert feats("sans:F moyen:W , temps:W") == ["pas_moyen", "temps"]


def test_linked_flags_mark_adjacent_features():
    out = negate(items("taxe:W de:F habitation:W , impôt:W"))
    assert [linked for _, _, linked in out] == [False, True, False]


def test_disabled_drops_cues_only():
    assert feats("pas:W de:F moyen:W", enabled=False) == ["moyen"]


# --- the scope governs one constituent ---------------------------------------------------------




@pytest.mark.parametrize("spec", [
    "pas:W de:F changement:W notable:W et:F aussi:F le:F bruit:W",
    "pas:W de:F changement:W et:F le:F bruit:W",
    "pas:W de:F changement:W et:F des:F bruit:W",
    "pas:W de:F changement:W ou:F alors:F bruit:W",
    "pas:W de:F changement:W ou:F un:F bruit:W",
    "pas:W de:F changement:W mais:F bruit:W",
    "pas:W de:F changement:W puis:F bruit:W",
    "pas:W de:F changement:W donc:F bruit:W",
    "pas:W de:F changement:W car:F bruit:W",
    "pas:W de:F changement:W ensuite:W bruit:W",
    "pas:W de:F changement:W également:F bruit:W",
    "pas:W de:F changement:W aussi:F bruit:W",
    "pas:W de:F changement:W , bruit:W",
    "pas:W de:F changement:W ; bruit:W",
    "pas:W de:F changement:W qui:F bruit:W",
    "pas:W de:F changement:W dont:F bruit:W",
    "pas:W de:F changement:W où:F bruit:W",
    "pas:W de:F changement:W lorsque:F bruit:W",
    "pas:W de:F changement:W comme:F bruit:W",
])
def test_scope_ends_at_a_new_constituent(spec):
    spec = spec.replace(" ; ", " , ")
    out = feats(spec)
    assert out[0] == "pas_changement"
    assert "bruit" in out and "pas_bruit" not in out


@pytest.mark.parametrize("spec", [
    "manque:W de:F matériel:W informatique:W et:F aussi:F le:F bruit:W",
    "absence:W de:F matériel:W informatique:W et:F beaucoup:F de:F bruit:W",
])
def test_lack_scope_ends_at_a_new_constituent(spec):
    assert feats(spec) == ["pas_matériel", "pas_informatique", "bruit"]


@pytest.mark.parametrize(("spec", "expected"), [
    ("ne:F avoir:F pas:W faire:F en:F 5:F an:W", ["an"]),
    ("pas:W de:F bureau:W depuis:F mars:W", ["pas_bureau", "mars"]),
    ("pas:W de:F formation:W pendant:F deux:F an:W", ["pas_formation", "an"]),
    ("pas:W de:F prime:W durant:F le:F confinement:W", ["pas_prime", "confinement"]),
    ("pas:W de:F réunion:W avant:F lundi:W", ["pas_réunion", "lundi"]),
    ("pas:W de:F réunion:W en:F semaine:W", ["pas_réunion", "semaine"]),
    ("pas:W de:F prime:W en:F 2021:F", ["pas_prime"]),
    ("pas:W de:F réunion:W 3:F fois:W par:F semaine:W", ["pas_réunion", "fois", "semaine"]),
    ("pas:W de:F télétravail:W à:F la:F maison:W", ["pas_télétravail", "maison"]),
    ("pas:W de:F retour:W au:F bureau:W", ["pas_retour", "bureau"]),
    ("pas:W de:F matériel:W chez:F moi:F", ["pas_matériel"]),
    ("pas:W de:F réseau:W dans:F le:F local:W", ["pas_réseau", "local"]),
])
def test_scope_does_not_reach_time_place_number_complements(spec, expected):
    assert feats(spec) == expected


@pytest.mark.parametrize(("spec", "expected"), [
    # "ni" continues the negation; "et de" / "ou de" is the partitive of the negation.
    ("ne:F avoir:F pas:W de:F moyen:W ni:F de:F temps:W", ["pas_moyen", "pas_temps"]),
    ("pas:W de:F moyen:W et:F de:F temps:W", ["pas_moyen", "pas_temps"]),
    ("pas:W de:F visio:W ou:F de:F téléphone:W", ["pas_visio", "pas_téléphone"]),
    # Coordinated adjectives stay inside; an adverb before the first word too.
    ("pas:W de:F moyen:W humain:W et:F financier:W", ["pas_moyen", "pas_humain",
                                                      "pas_financier"]),
    ("ne:F être:F pas:W aussi:F simple:W", ["pas_simple"]),
    # "à jour" is no time complement, "à internet" no place.
    ("ne:F être:F pas:W à:F jour:W", ["pas_jour"]),
    ("pas:W de:F accès:W à:F internet:W", ["pas_accès", "pas_internet"]),
    # A "ne ... plus" clause goes on after "et": the second "plus" is a negation again.
    ("ne:F avoir:F plus:W de:F moyen:W et:F plus:W de:F temps:W", ["pas_moyen", "pas_temps"]),
])
def test_scope_continues_inside_the_constituent(spec, expected):
    assert feats(spec) == expected


@pytest.mark.parametrize("spec", [
    "le:F pas:W de:F porte:W sale:W",       # le pas de la porte
    "à:F deux:F pas:W de:F mairie:W",       # à deux pas de la mairie
    "un:F premier:F pas:W vers:F télétravail:W",
    "avancer:W pas:W à:F pas:W projet:W",   # pas à pas
])
def test_the_noun_pas_is_not_a_negation(spec):
    assert not any(f.startswith("pas_") for f in feats(spec))


def test_the_negation_pas_after_a_verb_still_negates():
    assert feats("on:F ne:F franchir:W pas:W le:F pas:W") == ["pas_franchir"]
    assert feats("il:F y:F a:F pas:W moyen:W") == ["pas_moyen"]
