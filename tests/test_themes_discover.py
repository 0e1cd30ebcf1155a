"""Tests of textmine.themes.discover (the theme stage end to end, on a hand-built corpus)."""

from __future__ import annotations

import pytest
from test_themes_data import make_corpus

from textmine.config import ThemeOptions
from textmine.errors import OptionError
from textmine.outputs import write_csv
from textmine.themes import discover_themes


def test_same_input_and_seed_give_byte_identical_tables(tmp_path):
    for run in ("a", "b"):
        result = discover_themes(make_corpus(), options=ThemeOptions(k=3, seed=7))
        (tmp_path / run).mkdir()
        write_csv(result.themes, tmp_path / run / "themes.csv")
        write_csv(result.answers, tmp_path / run / "answers.csv")
    for name in ("themes.csv", "answers.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_tables_have_the_documented_columns():
    result = discover_themes(make_corpus(), options=ThemeOptions(k=3, n_quotes=2))
    assert list(result.themes.columns) == [
        "theme_id", "label", "top_terms", "n_answers", "share", "quote_1", "quote_2",
        "under_assigned", "stability",
    ]
    assert result.themes["theme_id"].tolist() == [1, 2, 3]
    assert list(result.answers.columns) == [
        "respondent_id", "text", "status", "theme_id", "weight", "themes"
    ]
    assert list(result.term_weights.columns) == ["theme_id", "term", "weight"]
    assert result.k_selection is None


def test_statuses_and_counts():
    result = discover_themes(make_corpus(), options=ThemeOptions(k=3))
    by_id = result.answers.set_index("respondent_id")
    assert by_id.loc["r034", "status"] == "non-answer"
    assert by_id.loc["r035", "status"] == "empty"
    # "Mme Dupont a tout géré": its only term is in no theme (min_df=1 keeps it, but it
    # co-occurs with nothing), so it has no usable signal.
    assert by_id.loc["r037", "status"] == "unassigned"
    counts = result.info["counts"]
    assert counts["non_answer"] == 2 and counts["empty"] == 1 and counts["unassigned"] == 1
    assert counts["themed"] == 33
    assert result.themes["n_answers"].sum() == 33 + counts["multi_theme"]


def test_quotes_are_masked_texts():
    corpus = make_corpus()
    corpus.terms[-1] = ["visio", "teams", "gérer", "tout"]  # now a tools answer
    result = discover_themes(corpus, options=ThemeOptions(k=3, n_quotes=12))
    quotes = result.themes.filter(like="quote_").to_numpy().ravel().tolist()
    assert "[PERSONNE] a tout géré" in quotes
    assert not any("Dupont" in q for q in quotes)


def test_auto_k_writes_a_selection_table():
    result = discover_themes(make_corpus(), options=ThemeOptions(k_min=2, k_max=4))
    table = result.k_selection
    assert table["k"].tolist() == [2, 3, 4]
    assert result.info["k"] == int(table.loc[table["chosen"], "k"].iloc[0])
    assert result.info["k_chosen_by"] == "auto"
    assert result.info["k_rule"].startswith("the k whose stability across 80% resamples")
    assert result.info["k_at_edge"] in (None, "smallest", "largest")


def test_k_larger_than_the_data_allows():
    with pytest.raises(OptionError, match=r"--k 500 is more than this data allows \(33 answers "
                                          r"with terms, \d+ terms\); use --k \d+ or fewer"):
        discover_themes(make_corpus(), options=ThemeOptions(k=500))


def test_k_hint_gives_the_true_maximum_and_that_maximum_is_accepted():
    # The hint used to cap its number at k_max (12), while larger k were accepted.
    import re

    corpus = make_corpus()
    with pytest.raises(OptionError) as info:
        discover_themes(corpus, options=ThemeOptions(k=500, k_max=4))
    hinted = int(re.search(r"use --k (\d+) or fewer", str(info.value)).group(1))
    n_terms = int(re.search(r"(\d+) terms\)", str(info.value)).group(1))
    assert hinted == min(33, n_terms)
    assert hinted > 4
    with pytest.raises(OptionError):
        discover_themes(corpus, options=ThemeOptions(k=hinted + 1))
    assert discover_themes(corpus, options=ThemeOptions(k=hinted)).info["k"] == hinted


def test_empty_themes_are_reported(caplog):
    result = discover_themes(make_corpus(), options=ThemeOptions(k=24))
    n_empty = int((result.themes["n_answers"] == 0).sum())
    assert n_empty > 0
    assert f"{n_empty} of the {len(result.themes)} themes have no answer" in caplog.text


def test_bad_options():
    with pytest.raises(OptionError, match=r"Unknown theme method 'bertopic'; choose one of"):
        discover_themes(make_corpus(), options=ThemeOptions(method="bertopic"))
    with pytest.raises(OptionError, match=r"k='many' is neither a number nor 'auto'"):
        discover_themes(make_corpus(), options=ThemeOptions(k="many"))


def test_project_file_edits_rename_and_drop():
    options = ThemeOptions(k=3, rename=(("1", "Premier"),), drop=("3",))
    result = discover_themes(make_corpus(), options=options)
    assert result.themes["label"].tolist()[0] == "Premier"
    assert len(result.themes) == 2


def test_answers_table_shows_masked_text():
    result = discover_themes(make_corpus(), options=ThemeOptions(k=3))
    texts = result.answers.set_index("respondent_id")["text"]
    assert texts["r037"] == "[PERSONNE] a tout géré"


def test_rename_to_the_label_of_a_dropped_theme_is_kept():
    base = discover_themes(make_corpus(), options=ThemeOptions(k=3)).themes["label"].tolist()
    options = ThemeOptions(k=3, drop=("1",), rename=(("3", base[0]),))
    result = discover_themes(make_corpus(), options=options)
    assert result.themes["label"].tolist()[1] == base[0]  # the rename is not undone


def test_fit_time_edits_keep_ids_and_the_first_label_of_a_merge():
    """Issue 15: a drop leaves a gap instead of renumbering; a merged theme keeps its first
    member's id and label (it never takes the second's), as `textmine edit` does."""
    base = discover_themes(make_corpus(), options=ThemeOptions(k=3)).themes["label"].tolist()
    dropped = discover_themes(make_corpus(), options=ThemeOptions(k=3, drop=("1",)))
    assert dropped.themes["theme_id"].tolist() == [2, 3]
    used = {t for cell in dropped.answers["themes"] for t in str(cell).split(";") if t}
    assert used <= {"2", "3"}
    merged = discover_themes(make_corpus(), options=ThemeOptions(k=3, merge=(("2", "3"),)))
    assert merged.themes["theme_id"].tolist() == [1, 2]
    assert merged.themes["label"].tolist() == [base[0], base[1]]
