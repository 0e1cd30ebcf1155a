"""An editable word dictionary: one row per form, edited in a spreadsheet, applied to features.

``textmine dictionary`` writes :data:`COLUMNS` (``form``, ``frequency``, ``lemma``, ``pos``,
``keep``, ``group_as``): every form that is a feature somewhere in the answers, with its weighted
number of occurrences, the feature it gives (its lemma after textmine's corrections) and its most
frequent part of speech. The researcher fills two columns:

* ``keep``: ``no`` (or ``non``, ``0``, ``false``, ``n``) drops the form: its occurrences are no
  longer features. Empty or ``yes`` keeps it.
* ``group_as``: a term; every occurrence of the form becomes that term (several forms given the
  same ``group_as`` are merged into one feature). Chains are followed (``écolo`` -> ``écologiste``
  and ``écologiste`` -> ``écologie`` put ``écolo`` in ``écologie``); a cycle is refused.

The lemmatiser exported by R.temis (``dictionary()``: an unnamed first column holding the form,
``Term``, ``Occurrences``, ``Stopword``), such as INED's ``Pee_dic_lem_extract.csv``, is read as
a dictionary too: ``Term`` is the ``group_as`` of the form (applied in one step, as R.temis's
``combine_terms`` does: a ``Term`` is never looked up again, so its ``arbre``/``arbres`` pairs are
not a cycle) and a true ``Stopword`` (``TRUE``, ``1``, ``yes``, ``x``) drops the form. The format
is detected from the header and said in :attr:`Dictionary.description`.

The dictionary acts on the words that are features (content words); a stop word stays out
whatever its row says (``TextOptions.keep_words`` makes it a feature). Rows are matched on the
lower-case form as written (apostrophes normalised). Its content (not its path or date) enters the
features' cache key through :attr:`Dictionary.digest`.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from textmine.errors import DataError, DataQualityWarning, InputFileError
from textmine.text.normalise import normalise_text

#: Columns of a dictionary written by ``textmine dictionary``.
COLUMNS = ("form", "frequency", "lemma", "pos", "keep", "group_as")
#: Columns of an R.temis lemmatiser (its first column, unnamed, holds the form).
RTEMIS_COLUMNS = ("term", "occurrences", "stopword")
FORMAT_TEXTMINE = "textmine"
FORMAT_RTEMIS = "R.temis"

_NO = frozenset({"no", "non", "n", "0", "false", "faux", "f"})
_YES = frozenset({"", "yes", "oui", "y", "o", "1", "true", "vrai", "t"})
_STOP_TRUE = frozenset({"true", "vrai", "t", "1", "yes", "oui", "x", "y", "o"})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Dictionary:
    """An edited dictionary, ready to apply (see the module docstring).

    Attributes
    ----------
    drop : frozenset of str
        Lower-case forms that are not features.
    group : dict of str to str
        Lower-case form -> the term it becomes (chains already followed).
    path : str
        The file read.
    format : str
        ``"textmine"`` or ``"R.temis"`` (detected from the columns).
    digest : str
        SHA-256 of ``drop`` and ``group`` in canonical JSON (the cache key part).
    n_rows : int
        Rows read.
    """

    drop: frozenset[str]
    group: dict[str, str] = field(default_factory=dict)
    path: str = ""
    format: str = FORMAT_TEXTMINE
    digest: str = ""
    n_rows: int = 0

    @property
    def description(self) -> str:
        """One line saying what was read: format, rows, dropped and grouped forms."""
        kind = ("R.temis lemmatiser (first column = form, Term = group_as, Stopword = drop)"
                if self.format == FORMAT_RTEMIS else "textmine dictionary")
        return (f"{Path(self.path).name}: {kind}, {self.n_rows} rows, {len(self.drop)} forms "
                f"dropped, {len(self.group)} forms grouped into "
                f"{len(set(self.group.values()))} terms")

    def info(self) -> dict:
        """The ``dictionary`` block of ``Corpus.info`` (and so of run.json)."""
        return {"path": self.path, "format": self.format, "sha256": self.digest,
                "rows": self.n_rows, "dropped": len(self.drop), "grouped": len(self.group)}

    def apply(self, value: str, lower: str) -> str | None:
        """The feature of a content word of form ``lower`` and lemma ``value``; ``None`` = drop."""
        if lower in self.drop:
            return None
        return self.group.get(lower, value)


def form_key(form: object) -> str:
    """The key a row is matched on: the form normalised as spaCy sees it, in lower case."""
    return normalise_text(str(form)).strip().lower()


def term_name(term: object) -> str:
    """A ``group_as`` cell as a feature: spaces joined with ``_``, lower case unless capitals."""
    text = _SPACE.sub("_", normalise_text(str(term)).strip())
    return text if text.isupper() and len(text) > 1 else text.lower()


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _read_table(path: Path) -> pd.DataFrame:
    """Read a CSV (any of , ; TAB, UTF-8 or Latin-1) or a spreadsheet, every cell as text."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".ods"):
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"Dictionary {path} not found; give the path of the file.") from None
    except (OSError, ValueError) as exc:
        raise InputFileError(f"Cannot read the dictionary {path} ({exc}); save it as CSV or "
                             ".xlsx.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # R.temis and Excel on Windows write cp1252/Latin-1 (INED's lemmatiser is): read it,
        # and say it was a guess.
        warnings.warn(f"Dictionary {path.name}: not UTF-8 (byte {raw[exc.start]:#04x} at offset "
                      f"{exc.start}); read as cp1252 (Windows Latin-1).", DataQualityWarning,
                      stacklevel=4)
        text = raw.decode("cp1252", errors="replace")
    if not text.strip():
        raise DataError(f"Dictionary {path} is empty; write one with `textmine dictionary`.")
    header = text.lstrip().splitlines()[0]
    sep = max((";", ",", "\t"), key=header.count)
    import io

    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputFileError(f"Cannot read the dictionary {path} as CSV ({exc}).") from None


def _detect(columns: Sequence[str], path: Path) -> str:
    lower = [str(c).strip().lower() for c in columns]
    if "form" in lower:
        unknown = [c for c, low in zip(columns, lower, strict=True) if low not in COLUMNS]
        if unknown:
            raise DataError(
                f"Dictionary {path} has unknown column(s) {', '.join(map(repr, unknown))}; a "
                f"textmine dictionary has {', '.join(COLUMNS)}: remove the other columns."
            )
        return FORMAT_TEXTMINE
    if len(lower) >= 3 and lower[-3:] == list(RTEMIS_COLUMNS) or all(
        c in lower for c in RTEMIS_COLUMNS
    ):
        extra = [c for c, low in zip(columns[1:], lower[1:], strict=True)
                 if low not in RTEMIS_COLUMNS]
        if extra:
            raise DataError(
                f"Dictionary {path} has unknown column(s) {', '.join(map(repr, extra))}; an "
                "R.temis lemmatiser has the form first, then Term, Occurrences, Stopword."
            )
        return FORMAT_RTEMIS
    raise DataError(
        f"Dictionary {path} has unknown columns ({', '.join(map(str, columns)) or 'none'}); "
        f"expected {', '.join(COLUMNS)} (textmine dictionary) or a first column of forms and "
        "Term, Occurrences, Stopword (R.temis lemmatiser)."
    )


def _follow(group: dict[str, str], path: Path) -> dict[str, str]:
    """Follow ``group_as`` chains; refuse a cycle with one line."""
    out: dict[str, str] = {}
    for form in group:
        seen = [form]
        target = group[form]
        while target in group and group[target] != target:
            if target in seen:
                cycle = " -> ".join([*seen[seen.index(target):], target])
                raise DataError(
                    f"Dictionary {path} has a group_as cycle ({cycle}); give these forms one "
                    "common group_as term."
                )
            seen.append(target)
            target = group[target]
        out[form] = target
    return out


def read_dictionary(path: str | Path) -> Dictionary:
    """Read an edited dictionary (textmine's or an R.temis lemmatiser, detected by its columns).

    Parameters
    ----------
    path : str or Path
        CSV (``,`` ``;`` or TAB; UTF-8 or Latin-1) or ``.xlsx``/``.ods`` spreadsheet.

    Returns
    -------
    Dictionary

    Raises
    ------
    InputFileError
        If the file is missing or unreadable.
    DataError
        If it is empty, has unknown columns, an unreadable ``keep`` value or a ``group_as``
        cycle.
    """
    path = Path(path)
    table = _read_table(path)
    if table.empty and not len(table.columns):
        raise DataError(f"Dictionary {path} is empty; write one with `textmine dictionary`.")
    kind = _detect(list(table.columns), path)
    if table.empty:
        raise DataError(f"Dictionary {path} has a header but no rows; write one with "
                        "`textmine dictionary`.")
    drop: set[str] = set()
    group: dict[str, str] = {}
    columns = {str(c).strip().lower(): c for c in table.columns}
    if kind == FORMAT_TEXTMINE and "keep" not in columns and "group_as" not in columns:
        raise DataError(f"Dictionary {path} has neither a keep nor a group_as column, so it "
                        f"would change nothing; fill the keep and group_as columns that "
                        f"`textmine dictionary` writes.")
    choices: dict[str, tuple[int, bool, str]] = {}

    def choose(key: str, row: int, dropped: bool, name: str) -> None:
        """Record a form's choice; the same form twice with other choices is refused."""
        name = "" if dropped or name == key else name
        before = choices.setdefault(key, (row, dropped, name))
        if before[1:] != (dropped, name):
            def say(d: bool, n: str) -> str:
                return "dropped" if d else (f"grouped as {n!r}" if n else "kept")

            raise DataError(
                f"Dictionary {path}: form {key!r} is on line {before[0]} ({say(*before[1:])}) "
                f"and line {row} ({say(dropped, name)}) (forms are compared in lower case); "
                f"keep one row per form.")

    if kind == FORMAT_TEXTMINE:
        forms = table[columns["form"]]
        keeps = table[columns["keep"]] if "keep" in columns else [""] * len(table)
        groups = table[columns["group_as"]] if "group_as" in columns else [""] * len(table)
        for row, (form, keep, target) in enumerate(zip(forms, keeps, groups, strict=True), 2):
            key = form_key(_cell(form))
            if not key:
                continue
            flag = _cell(keep).lower()
            if flag in _NO:
                drop.add(key)
            elif flag not in _YES:
                raise DataError(
                    f"Dictionary {path}, line {row}: keep={_cell(keep)!r} for {key!r} is not "
                    "yes or no; write yes (or leave it empty) to keep the word, no to drop it."
                )
            name = term_name(_cell(target)) if _cell(target) else ""
            choose(key, row, flag in _NO, name)
            if name and name != key:
                group[key] = name
        group = _follow(group, path)
    else:
        first = table.columns[0]
        for row, (form, term, stop) in enumerate(zip(table[first], table[columns["term"]],
                                                     table[columns["stopword"]], strict=True), 2):
            key = form_key(_cell(form))
            if not key:
                continue
            if _cell(stop).lower() in _STOP_TRUE:
                drop.add(key)
            name = term_name(_cell(term)) if _cell(term) else ""
            choose(key, row, _cell(stop).lower() in _STOP_TRUE, name)
            if name and name != key:
                group[key] = name
    for key in drop:
        group.pop(key, None)
    canonical = json.dumps([sorted(drop), sorted(group.items())], ensure_ascii=True)
    return Dictionary(
        drop=frozenset(drop), group=group, path=str(path), format=kind,
        digest=hashlib.sha256(canonical.encode("ascii")).hexdigest(), n_rows=len(table),
    )


def dictionary_frame(
    items: Iterable[tuple[list[tuple[str, str, str]], int]],
) -> pd.DataFrame:
    """The rows of a new dictionary from the feature items of every distinct answer.

    Parameters
    ----------
    items : iterable of (list of (feature, lower form, POS), weight)
        For each distinct parsed answer, its content words (the feature each gives, the form as
        written in lower case, the part of speech) and the number of answers sharing the text.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, most frequent forms first (ties by form); ``keep`` is ``yes`` and
        ``group_as`` empty, for the researcher to fill.
    """
    freq: Counter = Counter()
    lemmas: dict[str, Counter] = {}
    tags: dict[str, Counter] = {}
    for words, weight in items:
        for value, lower, pos in words:
            freq[lower] += weight
            lemmas.setdefault(lower, Counter())[value] += weight
            tags.setdefault(lower, Counter())[pos] += weight
    rows = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))
    return pd.DataFrame({
        "form": [f for f, _ in rows],
        "frequency": [n for _, n in rows],
        "lemma": [_top(lemmas[f]) for f, _ in rows],
        "pos": [_top(tags[f]) for f, _ in rows],
        "keep": ["yes"] * len(rows),
        "group_as": [""] * len(rows),
    }, columns=list(COLUMNS))


def _top(counts: Counter) -> str:
    """Most frequent key, ties broken alphabetically (the same file on every run)."""
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


__all__ = ["COLUMNS", "Dictionary", "dictionary_frame", "read_dictionary"]
