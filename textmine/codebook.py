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

Every format has the same limits (:data:`MAX_BYTES`, :data:`MAX_DEPTH`, :data:`MAX_THEMES`,
:data:`MAX_SEEDS_PER_THEME`, :data:`MAX_SEEDS`), far above any real codebook and checked before
anything large is built: a hostile or broken file is refused in one line instead of recursing
without end or seeding a model with millions of words (docs/robustness.md, "Faults").
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

#: Largest codebook file read (bytes); real codebooks are a few kilobytes.
MAX_BYTES = 10 * 1024 * 1024
#: Deepest nesting of YAML lists and mappings, or of REFI-QDA codes (a YAML codebook needs 4).
MAX_DEPTH = 20
#: Most themes (codes) in a codebook.
MAX_THEMES = 1_000
#: Most seed words or phrases of one theme.
MAX_SEEDS_PER_THEME = 2_000
#: Most seed words or phrases of the whole codebook.
MAX_SEEDS = 20_000
#: Most values (scalars) in a YAML codebook: themes with names, descriptions and seeds, edits.
MAX_YAML_VALUES = MAX_SEEDS + 10 * MAX_THEMES

#: The YAML loader: libyaml's when installed (fast), else PyYAML's; both safe (no tags run).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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


def check_limits(themes: list[CodebookTheme], source: object) -> None:
    """Refuse a codebook with more themes or seeds than the limits of this module.

    Parameters
    ----------
    themes : list of CodebookTheme
        The themes read so far (all of them, or the first ``MAX_THEMES + 1``).
    source : path or str
        The codebook, named in the message.

    Raises
    ------
    DataError
        More than :data:`MAX_THEMES` themes, :data:`MAX_SEEDS_PER_THEME` seeds in one theme or
        :data:`MAX_SEEDS` seeds in all.
    """
    if len(themes) > MAX_THEMES:
        raise DataError(
            f"Codebook {source} has more than {MAX_THEMES:,} themes (limit); keep the themes "
            "you want to find and code, or split the codebook."
        )
    for theme in themes:
        if len(theme.seeds) > MAX_SEEDS_PER_THEME:
            raise DataError(
                f"Theme '{theme.name}' of codebook {source} has {len(theme.seeds):,} seeds (limit "
                f"{MAX_SEEDS_PER_THEME:,}); keep the words and phrases that define the theme."
            )
    total = sum(len(t.seeds) for t in themes)
    if total > MAX_SEEDS:
        raise DataError(
            f"Codebook {source} has {total:,} seeds in all (limit {MAX_SEEDS:,}); keep the "
            "words and phrases that define each theme."
        )


def _too_deep(source: object) -> DataError:
    return DataError(
        f"Codebook {source} nests more than {MAX_DEPTH} levels deep (limit); a codebook is a "
        "list of themes with lists of seeds: check the file."
    )


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
    if len(raw_themes) > MAX_THEMES:
        raise DataError(
            f"Codebook {path} has {len(raw_themes):,} themes (limit {MAX_THEMES:,}); keep the "
            "themes you want to find and code, or split the codebook."
        )
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
    check_limits(themes, path)
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

    def walk(parent: ET.Element, prefix: str, depth: int) -> None:
        for code in parent.findall("q:Code", _NS):
            if depth > MAX_DEPTH:
                raise _too_deep(source)
            name = (code.get("name") or "").strip()
            if not name:
                raise DataError(f"A <Code> of {source} has no name attribute.")
            full = f"{prefix} / {name}" if prefix else name
            if code.get("isCodable", "true").strip().lower() != "false":
                desc_el = code.find("q:Description", _NS)
                desc, seeds = _split_description(desc_el.text or "" if desc_el is not None else "")
                themes.append(CodebookTheme(full, seeds, desc))
                if len(themes) > MAX_THEMES:
                    check_limits(themes, source)
            walk(code, full, depth + 1)

    codes_el = root.find("q:Codes", _NS)
    if codes_el is not None:
        walk(codes_el, "", 1)
    if not themes:
        raise DataError(f"{source} has no codable <Code>; nothing to import.")
    check_limits(themes, source)
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
    if len(table) > MAX_THEMES:
        raise DataError(
            f"Codebook {source} has {len(table):,} themes (limit {MAX_THEMES:,}); keep the "
            "themes you want to find and code, or split the codebook."
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


def _scan_yaml(text: str, path: Path) -> None:
    """Refuse aliases, deep nesting and too many values from the event stream, before PyYAML
    builds anything (building recurses once per level and holds every value)."""
    depth = values = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, yaml.AliasEvent):
            # Aliases let a few lines expand into billions of nodes ("billion laughs"); a
            # codebook never needs them.
            raise DataError(
                f"Codebook {path} uses YAML aliases (*name); write each theme out in full."
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(path)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent):
            values += 1
            if values > MAX_YAML_VALUES:
                raise DataError(
                    f"Codebook {path} holds more than {MAX_YAML_VALUES:,} values (limits: "
                    f"{MAX_THEMES:,} themes, {MAX_SEEDS:,} seeds); keep the words and phrases "
                    "that define each theme."
                )


def _load_yaml(path: Path, text: str) -> Codebook:
    try:
        _scan_yaml(text, path)
        data = yaml.load(text, Loader=_YAML_LOADER)  # a safe loader: no tag runs
    except yaml.YAMLError as exc:
        if "nesting depth" in str(getattr(exc, "problem", "")):  # libyaml's own limit (1,000)
            raise _too_deep(path) from exc
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputFileError(f"Codebook {path} is not valid UTF-8 YAML ({first}).") from exc
    except RecursionError as exc:  # last resort: the scan above refuses deep nesting first
        raise _too_deep(path) from exc
    return parse_codebook(data, path)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook: YAML, REFI-QDA ``.qdc``/``.xml`` or CSV, by extension.

    Raises
    ------
    OptionError
        If the extension is not one of a codebook format.
    InputFileError
        If the file is missing, larger than :data:`MAX_BYTES`, not UTF-8, or not valid YAML /
        XML / CSV.
    DataError
        If its structure is wrong (no themes, unknown keys, theme without a name, duplicates)
        or beyond the limits (nesting deeper than :data:`MAX_DEPTH`, more than
        :data:`MAX_THEMES` themes, :data:`MAX_SEEDS_PER_THEME` seeds in a theme or
        :data:`MAX_SEEDS` in all).
    """
    path = Path(path)
    fmt = codebook_format(path)
    if not path.is_file():
        raise InputFileError(f"Codebook file {path} not found; check the path.")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputFileError(
            f"Codebook {path} is {size / 2**20:.1f} MiB (limit {MAX_BYTES // 2**20} MiB); a "
            "codebook of themes and seed words is a few kilobytes: check the file."
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        if fmt == "yaml":
            raise InputFileError(
                f"Codebook {path} is not valid UTF-8 YAML ({exc.reason}).") from exc
        raise InputFileError(f"Codebook {path} is not UTF-8 text.") from exc
    if fmt == "yaml":
        return _load_yaml(path, text)
    if fmt == "qdc":
        return parse_qdc(text, source=str(path))
    return parse_codebook_csv(text, source=str(path))
