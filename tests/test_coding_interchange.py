"""Codebook interchange: REFI-QDA .qdc, YAML and CSV round trips; hostile XML refused."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest

from textmine.codebook import Codebook, CodebookTheme, load_codebook
from textmine.coding.interchange import (
    QDC_NAMESPACE,
    code_guid,
    codebook_to_qdc,
    parse_qdc,
    read_codebook,
    write_codebook,
)
from textmine.errors import DataError, InputFileError, OptionError

CODEBOOK = Codebook(
    themes=(
        CodebookTheme("Salaire & primes", ("salaire", "prime"), "Rémunération <brute> et primes."),
        CodebookTheme("Télétravail", ("visio", "travail à distance"), ""),
        CodebookTheme("Autre", (), "Ce qui ne rentre nulle part.\nSur deux lignes."),
    )
)


@pytest.mark.parametrize("suffix", [".qdc", ".yaml", ".csv"])
def test_round_trip(tmp_path, suffix):
    path = write_codebook(CODEBOOK, tmp_path / f"codebook{suffix}")
    assert read_codebook(path) == CODEBOOK


def test_qdc_follows_the_refi_qda_codebook_standard():
    root = ET.fromstring(codebook_to_qdc(CODEBOOK, origin="textmine test"))
    assert root.tag == f"{{{QDC_NAMESPACE}}}CodeBook"
    assert root.get("origin") == "textmine test"
    codes = root.findall(f"{{{QDC_NAMESPACE}}}Codes/{{{QDC_NAMESPACE}}}Code")
    assert [c.get("name") for c in codes] == ["Salaire & primes", "Télétravail", "Autre"]
    assert all(c.get("isCodable") == "true" for c in codes)
    assert str(uuid.UUID(codes[0].get("guid"))) == codes[0].get("guid") == code_guid(
        "Salaire & primes"
    )
    desc = codes[0].find(f"{{{QDC_NAMESPACE}}}Description").text
    assert desc == "Rémunération <brute> et primes.\nMots-clés : salaire ; prime"


def test_qdc_is_deterministic():
    assert codebook_to_qdc(CODEBOOK) == codebook_to_qdc(CODEBOOK)


def test_yaml_export_is_read_by_load_codebook(tmp_path):
    edited = Codebook(themes=CODEBOOK.themes, rename={"2": "Outils"}, merge=(("1", "3"),))
    path = write_codebook(edited, tmp_path / "cb.yml")
    assert load_codebook(path) == edited


NESTED = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="{QDC_NAMESPACE}" origin="QualCoder">
  <Codes>
    <Code guid="0f8fad5b-d9cb-469f-a165-70867728950e" name="Conditions" isCodable="false">
      <Code guid="7c9e6679-7425-40de-944b-e07fc1f90ae7" name="Salaire" isCodable="true">
        <Description>Paie.
Keywords: paie, prime</Description>
      </Code>
      <Code guid="1c9e6679-7425-40de-944b-e07fc1f90ae7" name="Horaires" isCodable="true"/>
    </Code>
    <Code guid="2c9e6679-7425-40de-944b-e07fc1f90ae7" name="Autre" isCodable="true"/>
  </Codes>
</CodeBook>"""


def test_nested_codes_from_other_tools_are_flattened():
    cb = parse_qdc(NESTED)
    assert cb.names == ["Conditions / Salaire", "Conditions / Horaires", "Autre"]
    assert cb.themes[0].seeds == ("paie", "prime")
    assert cb.themes[0].description == "Paie."


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY a "aaaa">]><CodeBook/>',
        '<!ENTITY x SYSTEM "file:///etc/passwd"><CodeBook/>',
    ],
)
def test_dtd_and_entities_are_refused(text):
    with pytest.raises(
        InputFileError, match=r"^book\.qdc declares a DTD or entities, which a REFI-QDA codebook"
    ):
        parse_qdc(text, source="book.qdc")


def test_not_a_codebook():
    with pytest.raises(DataError, match=r"^x\.qdc is not a REFI-QDA codebook \(root <Project>"):
        parse_qdc("<Project/>", source="x.qdc")
    with pytest.raises(InputFileError, match=r"^x\.qdc is not well-formed XML"):
        parse_qdc("<CodeBook>", source="x.qdc")
    with pytest.raises(DataError, match=r"^x\.qdc has no codable <Code>; nothing to import\.$"):
        parse_qdc(f'<CodeBook xmlns="{QDC_NAMESPACE}" origin="a"><Codes/></CodeBook>',
                  source="x.qdc")  # fmt: skip


def test_unknown_extension_and_missing_file(tmp_path):
    with pytest.raises(OptionError, match=r"^Unknown codebook format '\.txt' for .*; use \.qdc"):
        read_codebook(tmp_path / "cb.txt")
    with pytest.raises(InputFileError, match=r"^Codebook file .*cb\.qdc not found; check the path"):
        read_codebook(tmp_path / "cb.qdc")


def test_csv_needs_a_name_column(tmp_path):
    path = tmp_path / "cb.csv"
    path.write_text("code,seeds\nSalaire,paie\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"^Codebook .*cb\.csv needs a 'name' column; found: code"):
        read_codebook(path)


def test_cli_converts_yaml_to_qdc_and_back(cli, tmp_path):
    yaml_path = write_codebook(CODEBOOK, tmp_path / "cb.yaml")
    res = cli("codebook", yaml_path, "--out", tmp_path / "cb.qdc")
    assert res.code == 0, res.err
    assert read_codebook(tmp_path / "cb.qdc") == CODEBOOK
    res = cli("codebook", yaml_path, "--out", tmp_path / "cb.qdc")
    assert res.code == 2
    assert res.err == f"error: Output file {tmp_path / 'cb.qdc'} already exists; use --force " \
        "to replace it.\n"


def test_csv_round_trip_restores_formula_like_names_seeds_and_descriptions(tmp_path):
    from textmine.codebook import Codebook, CodebookTheme
    from textmine.coding.interchange import read_codebook, write_codebook

    cb = Codebook(themes=(CodebookTheme("-moins de moyens", ("-x", "budget"), "- manque"),))
    path = tmp_path / "cb.csv"
    write_codebook(cb, path)
    back = read_codebook(path)
    assert back.themes == cb.themes
