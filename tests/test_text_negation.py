"""Negation scopes on items (textmine.text.negation), without spaCy."""

from __future__ import annotations

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
