"""Codebook YAML reading and validation."""

from __future__ import annotations

import pytest

from textmine.codebook import load_codebook
from textmine.errors import DataError, InputFileError


def _write(tmp_path, text):
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_themes_seeds_and_editing(tmp_path):
    cb = load_codebook(
        _write(
            tmp_path,
            """
themes:
  - name: Manque de moyens
    seeds: [moyens, "moyens humains", budget]
    description: Ressources humaines et matérielles insuffisantes.
  - name: DSI
    seeds: DSI
rename: {3: Communication interne}
merge: [[4, 5]]
drop: [6]
""",
        )
    )
    assert cb.names == ["Manque de moyens", "DSI"]
    assert cb.themes[0].seeds == ("moyens", "moyens humains", "budget")
    assert cb.themes[1].seeds == ("DSI",)
    assert cb.rename == {"3": "Communication interne"}
    assert cb.merge == (("4", "5"),)
    assert cb.drop == ("6",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("themes: []", r"has no themes; list them under 'themes:'"),
        ("foo: 1", r"must have a 'themes:' list"),
        ("themes: [{name: A}]\ncolour: red", r"Unknown key\(s\) colour in codebook"),
        ("themes: [{name: A, sead: [x]}]", r"Unknown key\(s\) sead in theme 'A'"),
        ("themes: [{seeds: [x]}]", r"Theme 1 of codebook .* has no 'name'"),
        ("themes: [{name: A}, {name: A}]", r"names theme\(s\) twice: A"),
    ],
)
def test_bad_codebooks_say_what_is_wrong(tmp_path, text, message):
    with pytest.raises(DataError, match=message):
        load_codebook(_write(tmp_path, text))


def test_missing_and_invalid_files(tmp_path):
    with pytest.raises(InputFileError, match=r"Codebook file .*nope.yaml not found"):
        load_codebook(tmp_path / "nope.yaml")
    with pytest.raises(InputFileError, match=r"is not valid UTF-8 YAML"):
        load_codebook(_write(tmp_path, "themes: [unclosed"))


def test_yaml_cannot_run_code(tmp_path):
    text = "themes: !!python/object/apply:os.system ['echo hacked']"
    with pytest.raises(InputFileError, match="not valid UTF-8 YAML"):
        load_codebook(_write(tmp_path, text))


def test_yaml_aliases_are_refused(tmp_path):
    text = 'a: &a ["x", "x"]\nb: &b [*a, *a]\nthemes: [{name: A, seeds: *b}]\n'
    with pytest.raises(DataError, match=r"uses YAML aliases \(\*name\); write each theme out"):
        load_codebook(_write(tmp_path, text))


def test_nested_seed_lists_are_refused(tmp_path):
    with pytest.raises(DataError, match=r"'seeds' of theme 'A' in codebook .* must list words"):
        load_codebook(_write(tmp_path, "themes: [{name: A, seeds: [[x, y]]}]"))
