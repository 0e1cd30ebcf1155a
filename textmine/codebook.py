"""Codebooks: the researcher's named themes with seed words, read from YAML, REFI-QDA or CSV.

:func:`load_codebook` is the one reader used by every command; the format is chosen by the
extension: ``.yaml``/``.yml``, ``.qdc``/``.xml`` (REFI-QDA codebook, as exported by QualCoder,
NVivo, ATLAS.ti and MAXQDA) or ``.csv`` (``name`` column, optional ``description`` and ``seeds``).
Writing and converting codebooks is :mod:`textmine.coding.interchange`.

A YAML codebook file looks like::

    themes:
      - name: Adoption d'outils
        seeds: [visio, teams, cloud, "plateforme collaborative"]
        description: Outils numériques mis en place pendant le confinement.
    # optional theme editing, applied after the model is fitted:
    rename: {"3": "Communication interne"}   # theme id or label -> new label
    merge: [["2", "5"]]                       # groups of theme ids/labels merged into the first
    drop: ["7"]                               # theme ids/labels dropped (answers reassigned)

The REFI-QDA codebook standard (namespace ``urn:QDA-XML:codebook:1.0``) has no field for seed
words, so they travel in the code's ``<Description>`` as a last line ``Mots-clés : a ; b``, which
other tools show as text and textmine reads back. Nested codes are flattened as
``Parent / Child``.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from textmine.errors import DataError, InputFileError, OptionError
from textmine.outputs import restore_cell

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
_NS = {"q": QDC_NAMESPACE}
SEEDS_PREFIX = "Mots-clés :"
_SEEDS_LINE = re.compile(r"^\s*(?:Mots-clés|Keywords)\s*:\s*(.*)$", re.IGNORECASE)
#: Codebook file formats by extension (read here, written by textmine.coding.interchange).
FORMATS = {".qdc": "qdc", ".xml": "qdc", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}

_TOP_KEYS = {"themes", "rename", "merge", "drop"}
_THEME_KEYS = {"name", "seeds", "description"}


@dataclass(frozen=True)
class CodebookTheme:
    """One theme (code) of a codebook."""

    name: str
    seeds: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Codebook:
    """A list of named themes plus optional editing instructions (rename, merge, drop)."""

    themes: tuple[CodebookTheme, ...]
    rename: dict[str, str] = field(default_factory=dict)
    merge: tuple[tuple[str, ...], ...] = ()
    drop: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """Theme names in codebook order."""
        return [t.name for t in self.themes]


def _as_str_list(value: object, where: str, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int, float)):
        value = [value]
    if not isinstance(value, list):
        raise DataError(f"{where} in codebook {path} must be a list; got {type(value).__name__}.")
    nested = [v for v in value if not isinstance(v, (str, int, float))]
    if nested:
        raise DataError(
            f"{where} in codebook {path} must list words or phrases; got {nested[0]!r}."
        )
    return tuple(str(v).strip() for v in value if str(v).strip())


def parse_codebook(data: object, path: Path) -> Codebook:
    """Validate the parsed YAML ``data`` of codebook ``path`` and build a :class:`Codebook`."""
    if isinstance(data, list):  # a bare list of themes is accepted too
        data = {"themes": data}
    if not isinstance(data, dict) or "themes" not in data:
        raise DataError(f"Codebook {path} must have a 'themes:' list of {{name, seeds}} entries.")
    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        raise DataError(
            f"Unknown key(s) {', '.join(unknown)} in codebook {path}; "
            f"allowed: {', '.join(sorted(_TOP_KEYS))}."
        )
    raw_themes = data["themes"]
    if not isinstance(raw_themes, list) or not raw_themes:
        raise DataError(f"Codebook {path} has no themes; list them under 'themes:'.")
    themes: list[CodebookTheme] = []
    for i, entry in enumerate(raw_themes, start=1):
        if not isinstance(entry, dict) or not str(entry.get("name") or "").strip():
            raise DataError(f"Theme {i} of codebook {path} has no 'name'; give each theme a name.")
        name = str(entry["name"]).strip()
        bad = sorted(set(map(str, entry)) - _THEME_KEYS)
        if bad:
            raise DataError(
                f"Unknown key(s) {', '.join(bad)} in theme '{name}' of codebook {path}; "
                f"allowed: {', '.join(sorted(_THEME_KEYS))}."
            )
        seeds = _as_str_list(entry.get("seeds"), f"'seeds' of theme '{name}'", path)
        themes.append(CodebookTheme(name, seeds, str(entry.get("description") or "").strip()))
    names = [t.name for t in themes]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(f"Codebook {path} names theme(s) twice: {', '.join(dupes)}.")
    rename = data.get("rename") or {}
    if not isinstance(rename, dict):
        raise DataError(f"'rename' in codebook {path} must map theme ids or labels to new labels.")
    merge_raw = data.get("merge") or []
    if not isinstance(merge_raw, list):
        raise DataError(f"'merge' in codebook {path} must be a list of lists of theme ids.")
    merge = tuple(_as_str_list(group, "each 'merge' group", path) for group in merge_raw)
    return Codebook(
        themes=tuple(themes),
        rename={str(k): str(v) for k, v in rename.items()},
        merge=tuple(g for g in merge if len(g) > 1),
        drop=_as_str_list(data.get("drop"), "'drop'", path),
    )


def codebook_format(path: Path) -> str:
    """``"qdc"``, ``"yaml"`` or ``"csv"``: the codebook format of ``path``, by its extension.

    Raises
    ------
    OptionError
        If the extension is none of .qdc, .xml, .yaml, .yml, .csv.
    """
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise OptionError(
            f"Unknown codebook format '{path.suffix}' for {path}; use .qdc, .yaml, .yml or .csv."
        )
    return fmt


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


def _load_yaml(path: Path) -> Codebook:
    try:
        text = path.read_text(encoding="utf-8-sig")
        # Aliases let a few lines expand into billions of nodes ("billion laughs"); a codebook
        # never needs them, so they are refused before anything is built.
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text)):
            raise DataError(
                f"Codebook {path} uses YAML aliases (*name); write each theme out in full."
            )
        data = yaml.safe_load(text)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputFileError(f"Codebook {path} is not valid UTF-8 YAML ({first}).") from exc
    return parse_codebook(data, path)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook: YAML, REFI-QDA ``.qdc``/``.xml`` or CSV, by extension.

    Raises
    ------
    OptionError
        If the extension is not one of a codebook format.
    InputFileError
        If the file is missing, not UTF-8, or not valid YAML / XML / CSV.
    DataError
        If its structure is wrong (no themes, unknown keys, theme without a name, duplicates).
    """
    path = Path(path)
    fmt = codebook_format(path)
    if not path.is_file():
        raise InputFileError(f"Codebook file {path} not found; check the path.")
    if fmt == "yaml":
        return _load_yaml(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"Codebook {path} is not UTF-8 text.") from exc
    if fmt == "qdc":
        return parse_qdc(text, source=str(path))
    return parse_codebook_csv(text, source=str(path))
