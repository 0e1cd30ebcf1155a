"""Read a corpus in IRaMuTeQ's text format (``**** *var_modality`` lines) as a survey table.

Format (IRaMuTeQ documentation, "formatage des corpus"): every text starts with a line made of
four stars followed by starred variables, ``**** *partie_I *sexe_femme``; the variable is the
part before the first ``_``, the modality the rest. Inside a text, a line starting with ``-*``
(``-*theme_nature``) opens a thematic section. Everything else is text.

:func:`read_iramuteq` returns one row per text (or per thematic section of a text): the starred
variables as columns, ``section`` when the file has thematic lines, the text as ``texte``.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from textmine.errors import DataError, DataQualityWarning, InputFileError

TEXT_COLUMN = "texte"
SECTION_COLUMN = "section"
_HEADER = re.compile(r"^\s*\*{4}(?=\s|$)")
_THEMATIC = re.compile(r"^\s*-\*(\S*)")


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"Cannot read the IRaMuTeQ corpus {str(path)!r}: {exc.strerror}; "
                             f"check the path.") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # IRaMuTeQ's Windows corpora are often cp1252: read them, but say it was a guess.
        warnings.warn(f"{path.name}: not UTF-8 (byte {raw[exc.start]:#04x} at offset "
                      f"{exc.start}); read as cp1252 (Windows Latin-1).", DataQualityWarning,
                      stacklevel=3)
        return raw.decode("cp1252", errors="replace")


def _variables(line: str, where: str = "") -> dict[str, str]:
    """The starred variables of a ``****`` line, ``{variable: modality}``.

    IRaMuTeQ's format is ``*variable_modality`` for every word after the four stars. A word
    that does not fit (no star, two stars, no ``_modality``, a variable set twice on the line)
    is refused with one line naming the word and its line (``where``) instead of being dropped
    or turned into a made-up variable.

    Raises
    ------
    DataError
        A word of the line that is not a ``*variable_modality``.
    """
    out: dict[str, str] = {}
    fix = "write each variable as *variable_modality (e.g. *sexe_femme), separated by spaces"
    for word in _HEADER.sub("", line).split():
        if not word.startswith("*") or word.startswith("**") or len(word) < 2:
            raise DataError(f"{where}: {word!r} on a '****' line is not a starred variable; "
                            f"{fix}.")
        name, _, modality = word[1:].partition("_")
        if not name or not modality:
            missing = "modality" if name else "variable name"
            raise DataError(f"{where}: {word!r} has no {missing}; {fix}.")
        if name in out:
            raise DataError(f"{where}: variable {name!r} is set twice ({name}_{out[name]} and "
                            f"{word[1:]}); keep one modality per variable on a '****' line.")
        out[name] = modality
    return out


def is_iramuteq(path: str | Path) -> bool:
    """Return True if the first non-blank line of ``path`` starts with ``****``."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    return bool(_HEADER.match(line))
    except OSError:
        return False
    return False


def read_iramuteq(path: str | Path) -> pd.DataFrame:
    """Read an IRaMuTeQ corpus into a table, one row per text (or thematic section).

    Parameters
    ----------
    path : str or Path
        UTF-8 text file (cp1252 is accepted as a fallback) in IRaMuTeQ format.

    Returns
    -------
    pandas.DataFrame of shape (n_texts, n_variables + 1 or + 2)
        One column per starred variable (in order of first appearance; empty string when a text
        does not set it), ``section`` (the ``-*`` thematic line's label, only when the file has
        such lines) and ``texte`` (the text's lines joined with newlines, stripped). RangeIndex.

    Raises
    ------
    InputFileError
        If the file cannot be read.
    DataError
        If the file has no ``****`` line, or no text at all.
    """
    path = Path(path)
    return parse_iramuteq(_read_text(path), str(path))


def parse_iramuteq(text: str, name: str = "the corpus") -> pd.DataFrame:
    """Parse the text of an IRaMuTeQ corpus (see :func:`read_iramuteq`; ``name`` for messages)."""
    path = name
    lines = text.splitlines()
    rows: list[dict[str, str]] = []
    names: list[str] = []
    current: dict[str, str] | None = None
    section = ""
    buffer: list[str] = []
    has_sections = False

    def flush() -> None:
        if current is not None:
            text = "\n".join(buffer).strip()
            if text or not has_sections:
                rows.append({**current, SECTION_COLUMN: section, TEXT_COLUMN: text})
        buffer.clear()

    for number, line in enumerate(lines, start=1):
        if _HEADER.match(line):
            flush()
            current = _variables(line, f"{path!r} line {number}")
            names.extend(n for n in current if n not in names)
            section = ""
            continue
        thematic = _THEMATIC.match(line)
        if thematic and current is not None:
            has_sections = True
            flush()
            section = thematic.group(1)
            continue
        if current is None:
            if line.strip():
                raise DataError(
                    f"{path!r} is not an IRaMuTeQ corpus: its first text line does not start "
                    f"with '****'; add a '**** *variable_modality' line before each text."
                )
            continue
        buffer.append(line)
    flush()
    if current is None:
        raise DataError(
            f"{path!r} has no '****' line: it is not an IRaMuTeQ corpus; add a "
            f"'**** *variable_modality' line before each text."
        )
    columns = [*names, *([SECTION_COLUMN] if has_sections else []), TEXT_COLUMN]
    frame = pd.DataFrame(rows).reindex(columns=columns).fillna("")
    frame = frame.astype(str)
    if not (frame[TEXT_COLUMN].str.len() > 0).any():
        raise DataError(f"{path!r} has '****' lines but no text; nothing to analyse.")
    return frame




def looks_like_iramuteq(text: str) -> bool:
    """Whether a ``.txt`` survey is meant as an IRaMuTeQ corpus: a line starts with ``****``.

    The first non-blank line decides in :func:`is_iramuteq`; here any ``****`` line counts, so
    that a corpus with a stray first line gets :func:`parse_iramuteq`'s one-line error instead
    of being read as a one-column table.
    """
    return any(_HEADER.match(line) for line in text.splitlines())


def corpus_grid(text: str, name: str) -> tuple[pd.DataFrame, dict[str, str], str]:
    """An IRaMuTeQ corpus as a grid of strings for the survey reader.

    Returns
    -------
    grid : pandas.DataFrame
        Header row (column names) then one row per text, integer column labels.
    types : dict of str to str
        ``single`` for the starred variables and ``section``, ``open`` for ``texte``.
    detected : str
        One line saying what was read.
    """
    frame = parse_iramuteq(text, name)
    variables = [c for c in frame.columns if c not in (SECTION_COLUMN, TEXT_COLUMN)]
    types = {c: "single" for c in variables}
    if SECTION_COLUMN in frame:
        types[SECTION_COLUMN] = "single"
    types[TEXT_COLUMN] = "open"
    grid = pd.DataFrame([list(frame.columns), *frame.to_numpy().tolist()], dtype=object)
    grid = grid.where(grid != "", None)
    grid.iloc[0] = list(frame.columns)
    shown = ", ".join(variables) if variables else "none"
    texts = f"{len(frame)} text{'s' if len(frame) != 1 else ''}"
    detected = (f"IRaMuTeQ corpus ({texts}; starred variables {shown} read as closed "
                f"questions{'; -* lines as column section' if SECTION_COLUMN in frame else ''}; "
                f"the text is the open question '{TEXT_COLUMN}')")
    return grid, types, detected


# --- writing -----------------------------------------------------------------------------------

_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_]+")


def iramuteq_name(value: object, *, underscore: bool = True) -> str:
    """``value`` made of IRaMuTeQ's allowed characters: ASCII letters, digits (and ``_``).

    Accents are dropped (``é`` -> ``e``), every other run of characters becomes ``_`` (or is
    removed when ``underscore`` is False: variable names, whose first ``_`` would end them).

    >>> iramuteq_name("Directeur·rice com'")
    'Directeur_rice_com'
    >>> iramuteq_name("q_manques", underscore=False)
    'qmanques'
    """
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _NOT_ALLOWED.sub("_", text).strip("_")
    if not underscore:
        text = text.replace("_", "")
    return text


@dataclass(frozen=True)
class IramuteqExport:
    """What :func:`iramuteq_text` wrote.

    Attributes
    ----------
    text : str
        The corpus (``\n`` line ends, ending with a newline).
    n_texts : int
        Texts written (one per answer with something said).
    n_nonanswers, n_empty : int
        Answers left out: non-answers (``RAS``, ``.``...) and blank answers.
    variables : dict of str to str
        Column -> variable name written.
    collisions : list of str
        Names or modalities that became the same once cleaned (made unique with ``_2``...).
    path : Path or None
        The file written (set by the pipeline).
    """

    text: str
    n_texts: int
    n_nonanswers: int
    n_empty: int
    variables: dict[str, str] = field(default_factory=dict)
    collisions: list[str] = field(default_factory=list)
    path: Path | None = None

    def with_path(self, path: Path) -> IramuteqExport:
        """The same export, recording the file written."""
        return replace(self, path=path)

    def collision_line(self) -> str:
        """The collisions in one line (``""`` if none)."""
        if not self.collisions:
            return ""
        return (f"{len(self.collisions)} name collision(s) made unique: "
                f"{'; '.join(self.collisions)}")


def _unique(names: Mapping[str, str], what: str, collisions: list[str]) -> dict[str, str]:
    """Clean names made unique (``x``, ``x_2``...); each clash is noted in ``collisions``."""
    out: dict[str, str] = {}
    owner: dict[str, str] = {}
    for original, clean in names.items():
        base = clean or "x"
        name, i = base, 1
        while name.lower() in owner:
            i += 1
            name = f"{base}_{i}" if what != "variable" else f"{base}{i}"
        if name != base or not clean:
            clash = owner.get(base.lower())
            collisions.append(f"{what} {original!r} -> {name!r}"
                              + (f" ({clash!r} has {base!r})" if clash else ""))
        owner[name.lower()] = original
        out[original] = name
    return out


#: IRaMuTeQ variable carrying the respondent id (``*id_R001``) when the survey has an id column.
ID_VARIABLE = "id"


def iramuteq_text(answers: pd.Series, closed: Mapping[str, pd.Series], *,
                  status: Callable[[str], str], id_column: str | None = None) -> IramuteqExport:
    """Write answers as an IRaMuTeQ corpus, one text per answer with its starred variables.

    Parameters
    ----------
    answers : pandas.Series
        Answers (str) indexed by respondent id.
    closed : mapping of str to pandas.Series
        Closed questions (column -> values indexed by respondent id); a missing value leaves
        the variable out of that text's line.
    status : callable
        ``status(text)`` -> ``"ok"``, ``"non-answer"`` or ``"empty"`` (the text stage's rule);
        only ``ok`` answers are written.
    id_column : str, optional
        Name of the survey's id column: each text's line then starts with the respondent id
        (the index of ``answers``) as the variable :data:`ID_VARIABLE`, ``**** *id_R001``, so
        that IRaMuTeQ's results can be joined back to the respondents. The id is cleaned as
        every modality (:func:`iramuteq_name`; ids that clean to the same name made unique
        and reported in ``collisions``); a closed question whose name cleans to ``id`` is
        renamed (``id2``).

    Returns
    -------
    IramuteqExport
    """
    collisions: list[str] = []
    names = {c: iramuteq_name(c, underscore=False) for c in closed}
    if id_column is not None:
        # The id variable first: it keeps the name "id", a closed question clashing gets "id2".
        names = {id_column: ID_VARIABLE, **{c: n for c, n in names.items() if c != id_column}}
    variables = _unique(names, "variable", collisions)
    ids: dict[str, str] = {}
    if id_column is not None:
        ids = _unique({str(rid): iramuteq_name(rid) for rid in answers.index},
                      f"id of {id_column!r}", collisions)
    modalities: dict[str, dict[str, str]] = {}
    values: dict[str, pd.Series] = {}
    for column, series in closed.items():
        series = series.reindex(answers.index)
        cells = series.astype(object).where(series.notna(), None)
        values[column] = cells
        seen = list(dict.fromkeys(str(v).strip() for v in cells if v is not None
                                  and str(v).strip()))
        modalities[column] = _unique({m: iramuteq_name(m) for m in seen},
                                     f"modality of {column!r}", collisions)
    lines: list[str] = []
    n_texts = n_non = n_empty = 0
    for i, (rid, text) in enumerate(answers.items()):
        text = "" if text is None or (isinstance(text, float) and text != text) else str(text)
        kind = status(text)
        if kind != "ok":
            n_empty += kind == "empty"
            n_non += kind != "empty"
            continue
        stars = ["****"]
        if id_column is not None:
            stars.append(f"*{variables[id_column]}_{ids[str(rid)]}")
        for column in closed:
            cell = values[column].iloc[i]
            if cell is None or not str(cell).strip():
                continue
            stars.append(f"*{variables[column]}_{modalities[column][str(cell).strip()]}")
        body = [" ".join(line.replace("*", " ").split()) for line in text.splitlines()]
        body = [line for line in body if line]
        lines.append(" ".join(stars))
        lines.extend(body)
        lines.append("")
        n_texts += 1
    return IramuteqExport(text="\n".join(lines) + ("\n" if lines else ""), n_texts=n_texts,
                          n_nonanswers=n_non, n_empty=n_empty, variables=variables,
                          collisions=collisions)


__all__ = [
    "ID_VARIABLE", "SECTION_COLUMN", "TEXT_COLUMN", "IramuteqExport", "corpus_grid",
    "iramuteq_name",
    "iramuteq_text", "is_iramuteq", "looks_like_iramuteq", "parse_iramuteq", "read_iramuteq",
]
