"""CLI plumbing: expected errors are one line on stderr with exit code 2, never a traceback."""

from __future__ import annotations

from textmine.cli.app import app
from textmine.errors import DataError


@app.command("raise-for-test", hidden=True)
def _raise_for_test() -> None:
    raise DataError("Column 'Q12' not found in enquete.xlsx;\n available columns: id, Q3.")


def test_expected_error_is_one_line_exit_2(cli):
    result = cli("raise-for-test")
    assert result.code == 2
    expected = "error: Column 'Q12' not found in enquete.xlsx; available columns: id, Q3.\n"
    assert result.err == expected
    assert "Traceback" not in result.err


def test_unknown_command_exit_2(cli):
    result = cli("no-such-command")
    assert result.code == 2
    assert "No such command" in result.err


def test_version_lists_versions(cli):
    result = cli("version")
    assert result.code == 0
    assert "textmine 0.1.0" in result.out and "spacy 3.8" in result.out


def test_help_lists_commands(cli):
    result = cli("--help")
    assert result.code == 0
    assert "version" in result.out


def test_data_quality_warnings_print_as_one_warning_line():
    from textmine.cli.app import _format_warning
    from textmine.errors import DataQualityWarning

    text = _format_warning(DataQualityWarning("2 respondents have weight 0\n and are left out."),
                           DataQualityWarning, "/x/textmine/survey/columns.py", 518)
    assert text == "WARNING: 2 respondents have weight 0 and are left out.\n"


def test_a_one_value_option_given_twice_is_one_line(cli, tmp_path):
    # Trial 2026-12-01: `code --labels a.xlsx --labels b.xlsx` learnt from b.xlsx alone, without
    # a word (click keeps the last value). Options taking several values are left alone.
    from textmine.cli.app import _repeated_option

    res = cli("code", "s.csv", "--text-col", "avis", "--labels", "a.xlsx", "--seed", "1",
              "--seed=2", "--out", tmp_path / "o")
    assert res.code == 2 and res.err == "error: --seed given 2 times (1, 2); give it once.\n"
    assert not (tmp_path / "o").exists()
    # --labels takes several sheets (learnt together, tests/test_coding_run.py)
    assert _repeated_option(["code", "s.csv", "--labels", "a.xlsx", "--labels", "b.xlsx"]) \
        is None
    assert _repeated_option(["themes", "s.csv", "--k", "3", "--k", "4"]).startswith(
        "--k given 2 times (3, 4); give it once.")
    assert _repeated_option(["crosstab", "run", "--by", "a", "--by", "b"]) is None
    assert _repeated_option(["themes", "s.csv", "--force", "--force"]) is None
    assert _repeated_option(["workspace", "export", "w.tmdb", "--out", "a", "--out", "b"]) \
        .startswith("--out given 2 times")
