"""Codebooks: the researcher's named themes with seed words, read from YAML.

A codebook file looks like::

    themes:
      - name: Adoption d'outils
        seeds: [visio, teams, cloud, "plateforme collaborative"]
        description: Outils numériques mis en place pendant le confinement.
    # optional theme editing, applied after the model is fitted:
    rename: {"3": "Communication interne"}   # theme id or label -> new label
    merge: [["2", "5"]]                       # groups of theme ids/labels merged into the first
    drop: ["7"]                               # theme ids/labels dropped (answers reassigned)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from textmine.errors import DataError, InputFileError

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


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a YAML codebook.

    Raises
    ------
    InputFileError
        If the file is missing or is not valid YAML.
    DataError
        If its structure is wrong (no themes, unknown keys, theme without a name, duplicates).
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"Codebook file {path} not found; check the path.")
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
