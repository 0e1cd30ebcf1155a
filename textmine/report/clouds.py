"""Word clouds of the themes, drawn from each theme's term weights in the theme's colour."""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib
import pandas as pd

from textmine.outputs import safe_filename
from textmine.runfolder import CLOUD_PREFIX

logger = logging.getLogger(__name__)


def font_path() -> str:
    """Path of DejaVu Sans, shipped with matplotlib, which renders every French accent."""
    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


def display_term(term: str) -> str:
    """Show a feature as words: multi-word expressions and negations are joined with ``_``."""
    return term.replace("_", " ").strip()


def term_frequencies(
    term_weights: pd.DataFrame, theme_id: int, *, max_terms: int
) -> dict[str, float]:
    """Return ``{shown term: weight}`` of the ``max_terms`` heaviest positive terms of a theme."""
    rows = term_weights[term_weights["theme_id"].astype(int) == int(theme_id)]
    rows = rows[pd.to_numeric(rows["weight"], errors="coerce") > 0]
    rows = rows.sort_values("weight", ascending=False, kind="stable").head(max_terms)
    freqs: dict[str, float] = {}
    for term, weight in zip(rows["term"].astype(str), rows["weight"].astype(float), strict=True):
        shown = display_term(term)
        if shown:
            freqs[shown] = freqs.get(shown, 0.0) + weight
    return freqs


def draw_wordcloud(
    frequencies: dict[str, float],
    *,
    colour: str,
    width: int = 640,
    height: int = 320,
    seed: int = 0,
):
    """Return a fitted :class:`wordcloud.WordCloud` with every word in ``colour``.

    The layout is random in the wordcloud package; a fixed ``seed`` makes the picture reproducible.
    """
    from wordcloud import WordCloud

    def colour_func(*_args: object, **_kw: object) -> str:
        return colour

    cloud = WordCloud(
        font_path=font_path(),
        width=width,
        height=height,
        background_color="white",
        prefer_horizontal=0.95,
        max_words=len(frequencies),
        relative_scaling=0.4,
        random_state=seed,
        color_func=colour_func,
        collocations=False,
        normalize_plurals=False,
        margin=4,
        min_font_size=7,  # smaller words are specks, not words
    )
    return cloud.generate_from_frequencies(frequencies)


def write_wordclouds(
    term_weights: pd.DataFrame,
    themes: pd.DataFrame,
    colours: dict[int, str],
    folder: Path,
    *,
    max_terms: int = 50,
    svg: bool = True,
    seed: int = 0,
) -> dict[int, Path]:
    """Write one word-cloud PNG (and SVG) per theme into ``folder``.

    Parameters
    ----------
    term_weights : DataFrame
        ``theme_id, term, weight`` (term_weights.csv).
    themes : DataFrame
        ``theme_id, label`` (themes.csv); file names are built from the labels.
    colours : dict
        Theme id -> colour.
    folder : Path
        Where to write ``cloud_<id>_<label>.png``/``.svg``.

    Returns
    -------
    dict
        Theme id -> PNG path, for the themes that have at least one positive term weight.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[int, Path] = {}
    for theme_id, label in zip(themes["theme_id"].astype(int), themes["label"].astype(str),
                               strict=True):
        freqs = term_frequencies(term_weights, theme_id, max_terms=max_terms)
        if not freqs:
            logger.warning("Theme %d has no term with a positive weight; no word cloud.", theme_id)
            continue
        cloud = draw_wordcloud(freqs, colour=colours[theme_id], seed=seed)
        stem = f"{CLOUD_PREFIX}{theme_id:02d}_{safe_filename(label, max_len=40)}"
        png = folder / f"{stem}.png"
        cloud.to_file(str(png))
        if svg:
            # SVG refers to the font by name instead of embedding it (embedding needs fontTools).
            (folder / f"{stem}.svg").write_text(cloud.to_svg(embed_font=False), encoding="utf-8")
        paths[theme_id] = png
    return paths
