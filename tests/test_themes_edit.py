"""Tests of textmine.themes.edit (merge, drop, rename)."""

from __future__ import annotations

import numpy as np
import pytest

from textmine.errors import OptionError
from textmine.themes.edit import edit_map

LABELS = ["visio / teams", "budget / effectif", "dsi", "divers"]


def test_merge_drop_rename_build_the_theme_map():
    M, labels, heads, log = edit_map(
        LABELS, merge=[["2", "4"]], drop=["dsi"], rename={"1": "Outils"}
    )
    np.testing.assert_array_equal(M, [[1, 0], [0, 1], [0, 0], [0, 1]])
    assert labels == ["Outils", "budget / effectif"]
    assert heads == [0, 1]
    assert log == ["merged budget / effectif, divers into budget / effectif", "dropped dsi",
                   "renamed visio / teams to Outils"]


def test_no_edit_is_identity():
    M, labels, _, log = edit_map(LABELS)
    np.testing.assert_array_equal(M, np.eye(4))
    assert labels == LABELS and log == []


def test_labels_are_matched_without_case():
    _, labels, _, _ = edit_map(LABELS, rename={"DSI": "Informatique"})
    assert labels[2] == "Informatique"


def test_unknown_reference_says_which_and_what_to_use():
    with pytest.raises(OptionError, match=r"Theme '9' in 'drop' is not a theme of this run; "
                                          r"use an id 1\.\.4 or one of the labels: visio"):
        edit_map(LABELS, drop=["9"])


def test_dropping_everything_is_refused():
    with pytest.raises(OptionError, match=r"The edits drop every theme; keep at least one"):
        edit_map(LABELS[:2], drop=["1", "2"])
