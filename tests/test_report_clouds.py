"""Word clouds: theme colour, accents, file names from labels."""

from __future__ import annotations

import logging

import pandas as pd
from PIL import Image

from textmine.report.clouds import font_path, term_frequencies, write_wordclouds
from textmine.report.colours import hex_to_rgb

WEIGHTS = pd.DataFrame({
    "theme_id": [1, 1, 1, 1, 2],
    "term": ["télétravail", "ne_pas_assez", "réunion", "négatif", "dsi"],
    "weight": [0.9, 0.5, 0.3, -0.1, 0.0],
})
THEMES = pd.DataFrame({"theme_id": [1, 2], "label": ["Télétravail/<b>RH</b>", "../DSI"]})


def test_term_frequencies_keep_positive_weights_and_show_words():
    assert term_frequencies(WEIGHTS, 1, max_terms=50) == {
        "télétravail": 0.9, "ne pas assez": 0.5, "réunion": 0.3}
    assert term_frequencies(WEIGHTS, 1, max_terms=1) == {"télétravail": 0.9}
    assert term_frequencies(WEIGHTS, 2, max_terms=50) == {}


def test_font_renders_french_accents():
    from matplotlib.font_manager import get_font

    font = get_font(font_path())
    assert all(font.get_char_index(ord(c)) for c in "éèêàçôûœÉÀ")


def test_clouds_in_theme_colour_with_safe_names(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        paths = write_wordclouds(WEIGHTS, THEMES, {1: "#CC3311", 2: "#0077BB"}, tmp_path)
    assert list(paths) == [1]
    assert paths[1].name == "cloud_01_Teletravail_b_RH_b.png"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cloud_01_Teletravail_b_RH_b.png", "cloud_01_Teletravail_b_RH_b.svg"]
    assert "Theme 2 has no term with a positive weight; no word cloud." in caplog.text
    with Image.open(paths[1]) as img:
        counts = sorted(img.convert("RGB").getcolors(maxcolors=1 << 20), reverse=True)
    # White background first, then the theme colour (anti-aliased edges aside).
    assert counts[0][1] == (255, 255, 255)
    assert counts[1][1] == hex_to_rgb("#CC3311")
    svg = (tmp_path / "cloud_01_Teletravail_b_RH_b.svg").read_text(encoding="utf-8")
    assert "télétravail" in svg and "<script" not in svg


def test_same_seed_same_picture(tmp_path):
    a = write_wordclouds(WEIGHTS, THEMES, {1: "#CC3311", 2: "#0077BB"}, tmp_path / "a", svg=False)
    b = write_wordclouds(WEIGHTS, THEMES, {1: "#CC3311", 2: "#0077BB"}, tmp_path / "b", svg=False)
    assert a[1].read_bytes() == b[1].read_bytes()
