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


# --- limits (issue 20: codebook bombs) --------------------------------------------------------

def _qdc(codes: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
            f"<Codes>{codes}</Codes></CodeBook>")


def _deep_qdc(levels: int) -> str:
    opening = "".join(f'<Code guid="g{i}" name="c{i}" isCodable="true">' for i in range(levels))
    return _qdc(opening + "</Code>" * levels)


@pytest.mark.parametrize("text", [
    # 500 levels in a file of about 1 KB, flow and block styles
    "themes: [{name: A, seeds: " + "[" * 500 + "x" + "]" * 500 + "}]",
    "themes:\n- name: A\n  seeds:\n" + "".join("  " * (i + 2) + "-\n" for i in range(500)),
    "themes:\n  - name: A\n    description: " + "{a: " * 400 + "b" + "}" * 400,
])
def test_deep_yaml_is_refused_in_one_line(tmp_path, text):
    with pytest.raises(DataError, match=r"nests more than 20 levels deep \(limit\)"):
        load_codebook(_write(tmp_path, text))


def test_deep_nesting_beyond_the_recursion_limit(tmp_path):
    # 5,000 levels: PyYAML would recurse 5,000 times; the event scan stops at level 21
    text = "themes: [{name: A, seeds: " + "[" * 5000 + "x" + "]" * 5000 + "}]"
    with pytest.raises(DataError, match="nests more than 20 levels"):
        load_codebook(_write(tmp_path, text))
    path = tmp_path / "deep.qdc"
    path.write_text(_deep_qdc(5000), encoding="utf-8")
    with pytest.raises(DataError, match="nests more than 20 levels"):
        load_codebook(path)


def test_real_nesting_passes(tmp_path):
    path = tmp_path / "ok.qdc"
    path.write_text(_deep_qdc(20), encoding="utf-8")
    assert len(load_codebook(path).themes) == 20
    text = "themes:\n- name: A\n  seeds: [a, b]\nmerge: [[1, 2]]\nrename: {1: B}\n"
    assert load_codebook(_write(tmp_path, text)).names == ["A"]


def test_too_many_seeds_or_themes_are_refused(tmp_path):
    words = ", ".join(f"m{i}" for i in range(2001))
    pattern = r"Theme 'A' of codebook .* has 2,001 seeds \(limit 2,000\)"
    with pytest.raises(DataError, match=pattern):
        load_codebook(_write(tmp_path, f"themes: [{{name: A, seeds: [{words}]}}]"))
    themes = "".join(
        f"  - {{name: T{t}, seeds: [{', '.join(f'm{t}_{i}' for i in range(1900))}]}}\n"
        for t in range(11))
    with pytest.raises(DataError, match=r"has 20,900 seeds in all \(limit 20,000\)"):
        load_codebook(_write(tmp_path, "themes:\n" + themes))
    many = "".join(f"  - name: T{t}\n" for t in range(1001))
    with pytest.raises(DataError, match=r"has 1,001 themes \(limit 1,000\)"):
        load_codebook(_write(tmp_path, "themes:\n" + many))
    # exactly at the limits: read
    at = "".join(f"  - {{name: T{t}, seeds: [{', '.join(f'm{t}_{i}' for i in range(2000))}]}}\n"
                 for t in range(10))
    assert sum(len(t.seeds) for t in load_codebook(_write(tmp_path, "themes:\n" + at)).themes) \
        == 20_000


def test_millions_of_seeds_stop_early(tmp_path):
    import time

    # 400,000 seeds (2,000,000 would pass the 10 MiB size limit): refused while scanning,
    # before PyYAML builds a single list
    text = "themes:\n- name: A\n  seeds:\n" + "".join(f"  - m{i}\n" for i in range(400_000))
    path = _write(tmp_path, text)
    start = time.monotonic()
    with pytest.raises(DataError, match=r"holds more than 30,000 values"):
        load_codebook(path)
    assert time.monotonic() - start < 10


def test_size_limit_for_every_format(tmp_path):
    for name in ("big.yaml", "big.qdc", "big.csv"):
        path = tmp_path / name
        with path.open("wb") as handle:
            handle.truncate(10 * 1024 * 1024 + 1)
        with pytest.raises(InputFileError, match=r"is 10\.0 MiB \(limit 10 MiB\)"):
            load_codebook(path)


def test_qdc_and_csv_limits(tmp_path):
    path = tmp_path / "many.qdc"
    path.write_text(_qdc("".join(f'<Code guid="g{i}" name="c{i}" isCodable="true"/>'
                                 for i in range(1001))), encoding="utf-8")
    with pytest.raises(DataError, match=r"more than 1,000 themes"):
        load_codebook(path)
    seeds = " ; ".join(f"m{i}" for i in range(2001))
    path.write_text(_qdc(f'<Code guid="g" name="A" isCodable="true"><Description>x\n'
                         f"Mots-clés : {seeds}</Description></Code>"), encoding="utf-8")
    with pytest.raises(DataError, match=r"has 2,001 seeds"):
        load_codebook(path)
    csv_path = tmp_path / "many.csv"
    csv_path.write_text("name\n" + "".join(f"T{i}\n" for i in range(1001)), encoding="utf-8")
    with pytest.raises(DataError, match=r"has 1,001 themes"):
        load_codebook(csv_path)
    csv_path.write_text(f"name,seeds\nA,{seeds}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"has 2,001 seeds"):
        load_codebook(csv_path)


def test_codebook_bomb_on_the_command_line(cli, tmp_path):
    survey = tmp_path / "s.csv"
    survey.write_text("id,reponse\n1,Manque de moyens\n2,Trop de visio\n", encoding="utf-8")
    deep = _write(tmp_path, "themes: [{name: A, seeds: " + "[" * 500 + "x" + "]" * 500 + "}]")
    result = cli("themes", survey, "--text-col", "reponse", "--codebook", deep,
                 "--out", tmp_path / "out")
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith("error: Codebook ")
    assert "nests more than 20 levels" in result.err and not (tmp_path / "out").exists()


def test_fault_injection_script_runs_a_codebook_case(capsys):
    import importlib.util
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "fault_injection.py"
    spec = importlib.util.spec_from_file_location("fault_injection", script)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    assert {"long-header", "xlsx-huge-cell", "ods-repeated", "codebook-seeds",
            "cache-meta-bitflip", "hint-k", "sigint", "two-runs"} <= set(module.CASES)
    assert module.main(["codebook-deep-qdc"]) == 0
    row = capsys.readouterr().out.strip().splitlines()[-1]
    assert row.startswith("| REFI-QDA codebook nesting 500 codes | 2 | error: Codebook deep.qdc "
                          "nests more than 20 levels deep")
