"""Codebook interchange: REFI-QDA codebook XML (.qdc), YAML and CSV.

The REFI-QDA codebook standard (namespace ``urn:QDA-XML:codebook:1.0``) is read and written by
QualCoder, NVivo, ATLAS.ti and MAXQDA. It has no field for seed words, so they travel in the
code's ``<Description>`` as a last line ``Mots-clés : a ; b``, which other tools show as text and
textmine reads back. Nested codes are flattened as ``Parent / Child``. GUIDs are derived from the
code names (uuid5) so that exporting the same codebook twice gives the same file.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import yaml

from textmine.codebook import Codebook, CodebookTheme, load_codebook, parse_codebook
from textmine.errors import DataError, InputFileError, OptionError, OutputError
from textmine.outputs import restore_cell, write_csv

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
_NS = {"q": QDC_NAMESPACE}
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:textmine:codebook")
SEEDS_PREFIX = "Mots-clés :"
_SEEDS_LINE = re.compile(r"^\s*(?:Mots-clés|Keywords)\s*:\s*(.*)$", re.IGNORECASE)
FORMATS = {".qdc": "qdc", ".xml": "qdc", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}


def code_guid(name: str) -> str:
    """Deterministic GUID of a code name."""
    return str(uuid.uuid5(_GUID_NAMESPACE, name))


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise OptionError(
            f"Unknown codebook format '{path.suffix}' for {path}; use .qdc, .yaml, .yml or .csv."
        )
    return fmt


# -- REFI-QDA ---------------------------------------------------------------------------------
def codebook_to_qdc(codebook: Codebook, *, origin: str = "textmine") -> str:
    """REFI-QDA codebook XML text of ``codebook`` (UTF-8 declaration, deterministic GUIDs)."""
    ET.register_namespace("", QDC_NAMESPACE)
    root = ET.Element(f"{{{QDC_NAMESPACE}}}CodeBook", {"origin": origin})
    codes = ET.SubElement(root, f"{{{QDC_NAMESPACE}}}Codes")
    for theme in codebook.themes:
        code = ET.SubElement(
            codes,
            f"{{{QDC_NAMESPACE}}}Code",
            {"guid": code_guid(theme.name), "name": theme.name, "isCodable": "true"},
        )
        parts = [theme.description] if theme.description else []
        if theme.seeds:
            parts.append(f"{SEEDS_PREFIX} {' ; '.join(theme.seeds)}")
        if parts:
            ET.SubElement(code, f"{{{QDC_NAMESPACE}}}Description").text = "\n".join(parts)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def _split_description(text: str) -> tuple[str, tuple[str, ...]]:
    lines = text.strip().splitlines()
    if lines:
        match = _SEEDS_LINE.match(lines[-1])
        if match:
            seeds = tuple(s.strip() for s in re.split(r"[;,]", match.group(1)) if s.strip())
            return "\n".join(lines[:-1]).strip(), seeds
    return text.strip(), ()


def parse_qdc(text: str, *, source: str = "codebook") -> Codebook:
    """Parse REFI-QDA codebook XML text into a :class:`Codebook`.

    Documents with a DTD or entity declarations are refused (they can expand into huge or
    external content); the standard needs neither.

    Raises
    ------
    InputFileError
        If the text declares a DTD/entities or is not well-formed XML.
    DataError
        If it is not a REFI-QDA codebook, has no code, or names a code twice.
    """
    if re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise InputFileError(
            f"{source} declares a DTD or entities, which a REFI-QDA codebook never needs; "
            "refusing to read it."
        )
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputFileError(f"{source} is not well-formed XML ({exc}).") from exc
    if root.tag != f"{{{QDC_NAMESPACE}}}CodeBook":
        raise DataError(
            f"{source} is not a REFI-QDA codebook (root <{root.tag}>, expected <CodeBook> in "
            f"namespace {QDC_NAMESPACE})."
        )
    themes: list[CodebookTheme] = []

    def walk(parent: ET.Element, prefix: str) -> None:
        for code in parent.findall("q:Code", _NS):
            name = (code.get("name") or "").strip()
            if not name:
                raise DataError(f"A <Code> of {source} has no name attribute.")
            full = f"{prefix} / {name}" if prefix else name
            if code.get("isCodable", "true").strip().lower() != "false":
                desc_el = code.find("q:Description", _NS)
                desc, seeds = _split_description(desc_el.text or "" if desc_el is not None else "")
                themes.append(CodebookTheme(full, seeds, desc))
            walk(code, full)

    codes_el = root.find("q:Codes", _NS)
    if codes_el is not None:
        walk(codes_el, "")
    if not themes:
        raise DataError(f"{source} has no codable <Code>; nothing to import.")
    names = [t.name for t in themes]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(f"{source} names code(s) twice: {', '.join(dupes)}.")
    return Codebook(themes=tuple(themes))


# -- CSV and YAML -----------------------------------------------------------------------------
def codebook_frame(codebook: Codebook) -> pd.DataFrame:
    """Codebook as a table: ``name``, ``description``, ``seeds`` (``; ``-joined)."""
    return pd.DataFrame(
        {
            "name": [t.name for t in codebook.themes],
            "description": [t.description for t in codebook.themes],
            "seeds": ["; ".join(t.seeds) for t in codebook.themes],
        }
    )


def parse_codebook_csv(text: str, *, source: str = "codebook") -> Codebook:
    """Parse a codebook CSV (``name`` column required; ``description``, ``seeds`` optional)."""
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise InputFileError(f"Cannot read {source} as CSV ({exc}).") from exc
    if "name" not in table.columns:
        raise DataError(
            f"Codebook {source} needs a 'name' column; found: {', '.join(table.columns)}."
        )
    themes = []
    for row in table.to_dict("records"):
        # Undo write_csv's formula guard on every text cell.
        name = restore_cell(row["name"].strip())
        cell = restore_cell(row.get("seeds", ""))
        seeds = [restore_cell(s.strip()) for s in re.split(r"[;]", cell) if s.strip()]
        description = restore_cell(row.get("description", ""))
        themes.append({"name": name, "seeds": seeds, "description": description})
    return parse_codebook({"themes": themes}, Path(source))


def codebook_to_yaml(codebook: Codebook) -> str:
    """YAML text of ``codebook`` in the format read by :func:`textmine.codebook.load_codebook`."""
    data: dict = {
        "themes": [
            {"name": t.name, "seeds": list(t.seeds), "description": t.description}
            for t in codebook.themes
        ]
    }
    if codebook.rename:
        data["rename"] = dict(codebook.rename)
    if codebook.merge:
        data["merge"] = [list(g) for g in codebook.merge]
    if codebook.drop:
        data["drop"] = list(codebook.drop)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# -- files ------------------------------------------------------------------------------------
def read_codebook(path: str | Path) -> Codebook:
    """Read a codebook from .qdc/.xml (REFI-QDA), .yaml/.yml or .csv, chosen by extension."""
    path = Path(path)
    fmt = _format_of(path)
    if fmt == "yaml":
        return load_codebook(path)
    if not path.is_file():
        raise InputFileError(f"Codebook file {path} not found; check the path.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"Codebook {path} is not UTF-8 text.") from exc
    if fmt == "qdc":
        return parse_qdc(text, source=str(path))
    return parse_codebook_csv(text, source=str(path))


def write_codebook(
    codebook: Codebook, path: str | Path, *, origin: str = "textmine"
) -> Path:
    """Write ``codebook`` as .qdc (REFI-QDA), .yaml/.yml or .csv, chosen by extension."""
    path = Path(path)
    fmt = _format_of(path)
    if fmt == "csv":
        return write_csv(codebook_frame(codebook), path)
    text = codebook_to_qdc(codebook, origin=origin) if fmt == "qdc" else codebook_to_yaml(codebook)
    path.write_text(text, encoding="utf-8")
    return path


def convert_codebook(
    source: str | Path, out: str | Path, *, origin: str = "textmine", force: bool = False
) -> Path:
    """Read a codebook in one format and write it in another (formats chosen by extension)."""
    out = Path(out)
    _format_of(out)
    if out.exists() and not force:
        raise OutputError(f"Output file {out} already exists; use --force to replace it.")
    return write_codebook(read_codebook(source), out, origin=origin)
