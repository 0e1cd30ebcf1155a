"""Codebook interchange: writing REFI-QDA codebook XML (.qdc), YAML and CSV, and converting.

Reading every format is :func:`textmine.codebook.load_codebook` (one reader for every command);
``read_codebook`` and ``parse_qdc`` stay importable from here for existing callers.

The REFI-QDA codebook standard (namespace ``urn:QDA-XML:codebook:1.0``) is read and written by
QualCoder, NVivo, ATLAS.ti and MAXQDA. It has no field for seed words, so they travel in the
code's ``<Description>`` as a last line ``Mots-clés : a ; b``, which other tools show as text and
textmine reads back. Nested codes are flattened as ``Parent / Child``. GUIDs are derived from the
code names (uuid5) so that exporting the same codebook twice gives the same file.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import yaml

from textmine.codebook import (
    QDC_NAMESPACE,
    SEEDS_PREFIX,
    Codebook,
    codebook_format,
    load_codebook,
    parse_codebook_csv,
    parse_qdc,
)
from textmine.errors import OutputError
from textmine.outputs import write_csv

__all__ = [
    "QDC_NAMESPACE", "code_guid", "codebook_frame", "codebook_to_qdc", "codebook_to_yaml",
    "convert_codebook", "parse_codebook_csv", "parse_qdc", "read_codebook", "write_codebook",
]

_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:textmine:codebook")
#: The one codebook reader (kept under its former name here).
read_codebook = load_codebook


def code_guid(name: str) -> str:
    """Deterministic GUID of a code name."""
    return str(uuid.uuid5(_GUID_NAMESPACE, name))


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
def write_codebook(
    codebook: Codebook, path: str | Path, *, origin: str = "textmine"
) -> Path:
    """Write ``codebook`` as .qdc (REFI-QDA), .yaml/.yml or .csv, chosen by extension."""
    path = Path(path)
    fmt = codebook_format(path)
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
    codebook_format(out)
    if out.exists() and not force:
        raise OutputError(f"Output file {out} already exists; use --force to replace it.")
    return write_codebook(read_codebook(source), out, origin=origin)
