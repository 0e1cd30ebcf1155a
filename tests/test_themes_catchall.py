"""No catch-all themes (issue 14, item 4): split, "Divers / autres", exclusivity floor."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from test_themes_data import make_corpus

from textmine.config import ThemeOptions
from textmine.errors import OptionError
from textmine.themes import discover_themes
from textmine.themes.catchall import (
    OTHERS_LABEL,
    carriers,
    exclusivity,
    others,
    share_limit,
    split_catch_alls,
    theme_profile,
)
from textmine.themes.models import NMFThemes


def blocks(per_block: int = 15, words: int = 4) -> sp.csr_matrix:
    """Three groups of answers, each writing 2 of its own ``words`` words; the first two
    groups also write one shared word, so that two themes make one of them a catch-all."""
    rng = np.random.default_rng(0)
    rows = []
    for b in range(3):
        for _ in range(per_block):
            row = np.zeros(1 + 3 * words)
            row[1 + b * words + rng.choice(words, size=2, replace=False)] = 1
            row[0] = 2.0 if b < 2 else 0.0
            rows.append(row)
    return sp.csr_matrix(np.array(rows))


def test_a_theme_holding_most_answers_is_split():
    X = blocks()
    model = NMFThemes(2, random_state=0).fit(X)  # 2 themes for 3 groups: one catch-all
    before = carriers(model.transform(X), relative_threshold=0.5, min_weight=0.01).mean(axis=0)
    assert before.max() > 0.35
    log = split_catch_alls(model, X, first_free=0, max_share=0.35, relative_threshold=0.5,
                           min_weight=0.01, random_state=0)
    after = carriers(model.transform(X), relative_threshold=0.5, min_weight=0.01).mean(axis=0)
    assert log and model.components_.shape[0] == 2 + len(log)
    assert after.max() <= 0.35 + 1e-9
    assert log[0]["share"] > 0.35


def test_seeded_themes_are_never_split():
    X = blocks()
    model = NMFThemes(2, random_state=0).fit(X)
    log = split_catch_alls(model, X, first_free=2, max_share=0.35, relative_threshold=0.5,
                           min_weight=0.01, random_state=0)
    assert log == [] and model.components_.shape[0] == 2


def test_share_limit_grows_with_few_themes():
    assert share_limit(0.35, 8) == 0.35
    assert share_limit(0.35, 3) == 0.5


def test_exclusivity_is_one_for_disjoint_themes_and_one_over_k_for_shared():
    assert np.allclose(exclusivity(np.eye(3)), 1.0)
    assert np.allclose(exclusivity(np.ones((4, 5))), 0.25)


def test_dominant_idea_is_no_catch_all():
    W = np.array([[1.0, 0.0]] * 6 + [[0.0, 1.0]] * 3 + [[0.0, 0.0]])
    writes = np.zeros_like(W, dtype=bool)
    writes[:6, 0] = True  # every answer of theme 1 writes its lead word
    shares, dominant = theme_profile(W, writes, relative_threshold=0.5, min_weight=0.01)
    assert shares[0] == 0.6 and dominant.tolist() == [True, False]
    folded = others(shares, dominant, np.zeros(2), np.ones(2), first_free=0, max_share=0.35,
                    min_exclusivity=None)
    assert folded == {}


def test_others_gives_the_reason():
    folded = others(np.array([0.5, 0.5, 0.2, 0.2]), np.zeros(4, bool),
                    np.array([0.0, 0.0, 1.0, 0.0]), np.array([0.9, 0.9, 0.9, 0.1]),
                    first_free=1, max_share=0.35, min_exclusivity=0.35)
    assert set(folded) == {1, 2, 3}  # theme 0 is seeded
    assert "50 %" in folded[1] and "fragments" in folded[2] and "exclusivity" in folded[3]


def test_vague_free_themes_beside_a_codebook_fold_into_one_others_theme():
    from pathlib import Path

    from textmine.codebook import parse_codebook

    codebook = parse_codebook(
        {"themes": [{"name": "Moyens", "seeds": ["budget", "effectif", "moyen"]},
                    {"name": "Outils", "seeds": ["visio", "teams", "cloud"]},
                    {"name": "DSI", "seeds": ["dsi", "service_informatique"]}]},
        Path("c.yaml"),
    )
    result = discover_themes(make_corpus(), codebook=codebook, options=ThemeOptions(
        extra_themes=2, min_exclusivity=0.99, stability_resamples=0))
    labels = result.themes["label"].tolist()
    assert labels[:3] == ["Moyens", "Outils", "DSI"]
    assert labels.count(OTHERS_LABEL) == 1 and len(labels) == 4
    assert len(result.info["catch_all"]["others"]) == 2


def test_bad_catch_all_options_are_refused():
    with pytest.raises(OptionError, match="max_theme_share"):
        ThemeOptions(max_theme_share=0)
    with pytest.raises(OptionError, match="min_exclusivity"):
        ThemeOptions(min_exclusivity=1.5)


def test_the_reason_never_reads_as_a_share_within_its_limit():
    # The demo's q_evolution: a theme of 35.3 % said "holds 35 % (limit 35 %)".
    for share, said in ((0.353, "holds 35.3 % of the answers (limit 35.0 %)"),
                        (0.3549, "holds 35.5 % of the answers (limit 35.0 %)"),
                        (0.36, "holds 36 % of the answers (limit 35 %)"),
                        (0.502, "holds 50 % of the answers (limit 35 %)")):
        folded = others(np.array([share, 0.1]), np.zeros(2, bool), np.zeros(2), np.ones(2),
                        first_free=0, max_share=0.35, min_exclusivity=None)
        assert folded == {0: said}
