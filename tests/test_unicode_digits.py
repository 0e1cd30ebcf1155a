"""Strings of digits that are not ASCII: ``str.isdigit`` says yes to ``²`` but ``int`` refuses it.

Every ``x.isdigit()`` guard before ``int(x)`` was a traceback waiting for a superscript (a sheet
named ``²``, a level ``m²``'s lone ``²``, a stray temporary file); guards now ask ``isdecimal``
(exactly what ``int`` accepts) or ASCII digits where the value is one textmine wrote.
"""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.config import ReadOptions
from textmine.errors import OptionError
from textmine.outputs import _lock_owner, atomic_write_text
from textmine.survey import read_survey
from textmine.survey.columns import natural_key
from textmine.tables.respondents import _id_key


def test_natural_key_sorts_superscripts_as_text():
    values = ["²", "10", "2", "m²", "٣"]
    keys = sorted(values, key=natural_key)
    assert keys.index("2") < keys.index("10")
    assert natural_key("²")[0] == (1, 0, "²")


def test_theme_id_key_of_a_superscript_is_not_a_number():
    assert _id_key("code:²") == ("code", 10**9, "code:²")
    assert _id_key("3") == ("", 3, "3")


def test_a_lock_or_temporary_file_with_a_superscript_pid_is_ignored(tmp_path):
    lock = tmp_path / "lock"
    lock.write_text("²")
    assert _lock_owner(lock) is None
    stray = tmp_path / ".out.txt.tmp-²-x"
    stray.write_text("not ours")
    atomic_write_text(tmp_path / "out.txt", "ok")
    assert (tmp_path / "out.txt").read_text() == "ok"
    assert stray.exists()  # not a pid: left alone


def test_a_sheet_named_by_a_superscript_is_one_clear_error(tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "enquete.xlsx"
    pd.DataFrame({"id": [1, 2], "q": ["oui", "non"]}).to_excel(path, index=False)
    with pytest.raises(OptionError, match="Sheet '²' not found"):
        read_survey(path, options=ReadOptions(sheet="²"))
