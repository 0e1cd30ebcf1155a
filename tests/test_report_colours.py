"""Theme colours and residual colours."""

from __future__ import annotations

from textmine.report.colours import PALETTE, hex_to_rgb, residual_colour, theme_colours


def test_theme_colours_follow_sorted_ids_and_are_distinct():
    assert theme_colours([3, 1, 2]) == {1: PALETTE[0], 2: PALETTE[1], 3: PALETTE[2]}
    assert len(set(theme_colours(range(1, 17)).values())) == 16


def test_residual_colours_diverge():
    blue, red = hex_to_rgb(residual_colour(3.0)), hex_to_rgb(residual_colour(-3.0))
    assert blue[2] > blue[0] and red[0] > red[2]
    assert residual_colour(0.0) == "#FFFFFF" and residual_colour(float("nan")) == "#FFFFFF"
    assert residual_colour(10.0) == residual_colour(4.0)
    muted = hex_to_rgb(residual_colour(3.0, muted=True))
    assert min(muted) > min(blue)
