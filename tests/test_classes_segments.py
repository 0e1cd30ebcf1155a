"""Segments (rainette's cutting rule), classification units, the IRaMuTeQ reader."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.classes.segments import cut_points, group_units, make_segments, split_text, tokenize
from textmine.errors import DataError, OptionError
from textmine.survey.iramuteq import is_iramuteq, read_iramuteq


def test_short_answer_is_one_segment():
    assert split_text("la nature, le calme") == ["la nature, le calme"]
    assert split_text("   ") == []


def test_cut_prefers_strong_punctuation_near_40_words():
    words = [f"mot{i}" for i in range(100)]
    text = " ".join(words[:35]) + ". " + " ".join(words[35:])
    segments = split_text(text)
    assert segments[0].endswith("mot34.")
    # 65 words remain (> 1.25 x 40): no punctuation, so cut after the 40th word, 25 left
    assert [len(s.split()) for s in segments] == [35, 40, 25]
    tokens = [t for t, _, _ in tokenize(text)]
    assert cut_points(tokens)[1] == 35  # after "mot34." (a word weighs by its last character)


def test_rainette_rule_words_between_spaces_and_last_segment():
    """rainette's split_segments: words are split on spaces only; a word weighs by its last
    character; cutting stops once at most segment_size + 0.4 × segment_size words remain."""
    words = [f"m{i}" for i in range(1, 101)]
    # "m30." followed by a line break and the next word: one word "m30.\nm31", weight 0.01
    text = " ".join(words[:29]) + " m30.\nm31 " + " ".join(words[31:])
    assert len(tokenize(text)) == 99
    # no usable punctuation: cut after the 40th word; 59 words remain (> 56): cut again
    assert cut_points([t for t, _, _ in tokenize(text)]) == [0, 40, 80]
    # French typography: " ?" is a word of its own (weight 6) and wins near rank 40
    text = " ".join(words[:44]) + " ? " + " ".join(words[44:])
    assert cut_points([t for t, _, _ in tokenize(text)])[1] == 45
    # 56 words or fewer: one segment; 57 words: two
    assert cut_points(words[:56]) == [0]
    assert cut_points(words[:57]) == [0, 40]
    with pytest.raises(OptionError):
        cut_points(words, segment_size=0)


def test_make_segments_ids_and_blank_answers():
    answers = pd.Series(["un deux trois", None, ""], index=["a", "b", "c"])
    seg = make_segments(answers)
    assert seg.to_dict("records") == [
        {"segment_id": "a_1", "respondent_id": "a", "text": "un deux trois"}]


def test_group_units_merges_short_segments_of_one_respondent():
    units = group_units(["a", "a", "a", "b", "b"], [2, 2, 5, 1, 1], 3)
    assert units.tolist() == [0, 0, 1, 2, 2]
    assert group_units(["a", "a"], [0, 0], 0).tolist() == [0, 1]


def test_manifeste_segment_count(raw):
    path = raw / "rainette_manifeste" / "manifeste_pc.txt"
    corpus = read_iramuteq(path)
    assert corpus.shape == (4, 2) and corpus["partie"].tolist() == ["intro", "I", "II", "III"]
    segments = make_segments(corpus["texte"])
    # rainette's vignette: 278 segments; per part (clusters_by_doc_table) 3, 103, 75, 97
    assert len(segments) == 278
    assert segments.groupby("respondent_id", sort=False).size().tolist() == [3, 103, 75, 97]
    # the first two segments the vignette prints
    first, second = segments["text"].iloc[0], segments["text"].iloc[1]
    assert first.startswith("Un spectre hante") and first.endswith("au pouvoir ?")
    assert second.startswith("Quelle est l’opposition qui,")
    assert second.endswith("que les communistes exposent,")


def test_read_iramuteq_sections_and_errors(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("**** *sexe_f *age_30\n-*theme_a\nun texte\n-*theme_b\nun autre\n"
                    "**** *sexe_h\nsans thème\n", encoding="utf-8")
    assert is_iramuteq(path)
    frame = read_iramuteq(path)
    assert frame.columns.tolist() == ["sexe", "age", "section", "texte"]
    assert frame.values.tolist() == [["f", "30", "theme_a", "un texte"],
                                     ["f", "30", "theme_b", "un autre"],
                                     ["h", "", "", "sans thème"]]
    bad = tmp_path / "bad.txt"
    bad.write_text("pas de ligne étoilée\n", encoding="utf-8")
    assert not is_iramuteq(bad)
    with pytest.raises(DataError, match=r"\*\*\*\*"):
        read_iramuteq(bad)
