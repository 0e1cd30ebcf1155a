"""Question types of a survey: detected with simple rules, overridable by the researcher.

The second half of :func:`textmine.survey.read_survey`: from a table of strings (see
:mod:`textmine.survey.formats`) to :class:`Question` objects and typed columns.

Detection rules, tried in this order on each column's non-empty values (trimmed)
------------------------------------------------------------------------------------
Overrides come first: ``ReadOptions.types`` (``column -> kind``; a multiple-choice prefix such
as ``Q5`` may be named too), then the id and weight columns named by ``id_col`` and
``weights``, then ``ReadOptions.levels`` (a column given levels is ordinal), then the order a
file carries (SPSS/Stata value labels with numeric codes, ordered Parquet categoricals ->
``ordinal``; nominal SPSS variables and unordered categoricals -> ``single``).

1. **multiple, several columns**: at least two columns sharing a prefix (``Q5_1``, ``Q5_2``;
   ``Q5_SQ001``; LimeSurvey ``Q5[SQ001]``) whose values are all yes/no tokens (``0/1``,
   ``oui/non``, ``yes/no``, ``Y/N``, ``vrai/faux``, ``x``...) or a single "checked" value with
   blanks form ONE question named after the prefix. Values become 1/0; a respondent with all
   columns of the group blank has no answer (``<NA>``). "Not shown" cells (``N/A``, ``#N/A``,
   ``NA``, ``-``, ``Non affiché``...: ``NOT_SHOWN_TOKENS``) are missing, never "ticked".
2. **ignore**: no value at all; URLs (>= 95 % start with ``http``/``www.``); dates and times
   (>= 95 % look like ``2019-01-17``, ``05/07/2022`` or ``05/07/2022 15:47``).
3. **id**: all values distinct and either an id-like name (``id``, ``identifiant``,
   ``*_id``, ``uuid``, an unnamed column) or, with >= 20 values, integers or one-word codes of
   8+ characters. Only ``id_col`` becomes the index; other id columns are simply not analysed.
4. **numeric**: >= 95 % of values are numbers, French style accepted (``3,5``, ``1 000``);
   ranges such as ``10 000 - 50 000`` are not numbers. Numbers that are only 0 and 1 are a
   yes/no **single** question instead. The other values become missing, with a warning.
   Non-negative numbers in a column named like a weight (``poids``, ``pondération``,
   ``weight``...) are a **weight** column (used only when named in ``ReadOptions.weights``).
5. **multiple, one column**: >= 30 % of values hold ``;`` and the ``;``-separated options are
   few (<= 40), short (<= 6 words) and repeat (>= 2 uses per option on average, and options
   used more than once make >= 80 % of the uses).
6. **open**: at least half the values are distinct, they average >= 2.5 words (runs of
   letters: ``10 000 - 50 000`` has no word) and at least half of them hold a space (codes
   such as ``f0175fce-e908`` do not).
7. **single**: <= 50 distinct values, or distinct values <= 30 % of the answers.
8. otherwise **ignore** for codes (one word, 16+ characters on average: hashes, long ids), else
   **open** (many distinct short answers, e.g. "in one word..." questions).

Ordinal questions are never guessed from text: only an override or the file gives an order.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from textmine.errors import DataError, DataQualityWarning, OptionError, plain_list, quote_list
from textmine.survey.formats import RawTable, require_column
from textmine.survey.weights import check_weights, warn_zero_weights

logger = logging.getLogger(__name__)

KINDS = ("id", "open", "single", "multiple", "ordinal", "numeric", "weight", "ignore")
#: Kinds the researcher may set in ``ReadOptions.types`` / the project file.
USER_KINDS = KINDS

NUMERIC_SHARE = 0.95
PATTERN_SHARE = 0.95
ID_MIN_VALUES = 20
ID_MIN_CODE_LEN = 8
MULTI_MIN_SHARE = 0.30
MULTI_MAX_OPTIONS = 40
MULTI_MAX_WORDS = 6.0
MULTI_MIN_USES = 2.0
MULTI_REPEATED_SHARE = 0.8
OPEN_MIN_DISTINCT_SHARE = 0.5
OPEN_MIN_WORDS = 2.5
SINGLE_MAX_LEVELS = 50
SINGLE_MAX_DISTINCT_SHARE = 0.30
CODE_MIN_LEN = 16

TRUE_TOKENS = frozenset({
    "1", "1.0", "oui", "o", "yes", "y", "true", "vrai", "x", "checked", "coché", "cochée",
    "selected", "sélectionné", "sélectionnée",
})
FALSE_TOKENS = frozenset({
    "0", "0.0", "non", "n", "no", "false", "faux", "unchecked", "not checked", "non coché",
    "non cochée", "not selected", "non sélectionné", "non sélectionnée",
})

#: Cells of a multi-column multiple choice meaning "question not shown" (LimeSurvey ``N/A``,
#: spreadsheets' ``#N/A``...): missing for the question, never an option ticked.
NOT_SHOWN_TOKENS = frozenset({
    "n/a", "na", "n.a.", "n.a", "#n/a", "nan", "-", "--", "non affiché", "non affichée",
    "non affichee", "non affiche", "not shown", "not displayed", "not applicable",
    "non applicable", "sans objet",
})

_GROUP_PATTERNS = (
    re.compile(r"^(?P<prefix>.+?)\s*\[(?P<option>[^\[\]]+)\]$"),  # LimeSurvey Q5[SQ001]
    re.compile(r"^(?P<prefix>.+)_(?P<option>[A-Za-z]{0,4}\d+)$"),  # Q5_1, Q5_SQ001
)
_ID_NAME = re.compile(
    r"^(id|ident|identifiant|identifier|respondent|respondent_?id|repondant|répondant|uuid|"
    r"token|num|numero|numéro|n°|no|unnamed_\d+)$|[_/. -]id$",
    re.IGNORECASE,
)
_WORD_RE = r"[^\W\d_]+"
_WEIGHT_NAME = re.compile(
    r"^(poids|pond|pondération|ponderation|coef|coeff|weight|weights|wgt|wt)(_.*)?$",
    re.IGNORECASE,
)
NUMBER_RE = (
    r"[+-]?(?:(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"
)
_INTEGER_RE = r"[+-]?\d+"
_DATE_RE = (
    r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})"
    r"(?:[ T]\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:\s?(?:[+-]\d{2}:?\d{2}|Z|UTC))?"
)
_URL_RE = r"(?:https?://|www\.)\S+"


@dataclass(frozen=True)
class Question:
    """One question of the survey.

    Attributes
    ----------
    name : str
        Column name (for multi-column multiple choice: the shared prefix).
    kind : str
        ``id``, ``open``, ``single``, ``multiple``, ``ordinal``, ``numeric``, ``weight`` or
        ``ignore``.
    columns : tuple of str
        Source column(s).
    levels : tuple of str
        Ordered levels (ordinal), categories (single) or options (multiple).
    label : str
        Question wording when the file carries it (SPSS/Stata variable labels, the wording rows
        of platform exports).
    personal : bool
        The column holds personal data (e-mail, name, IP address: see
        :mod:`textmine.survey.profiles`); it is never themed nor quoted.
    option_sep : str
        Option separator of a one-column multiple choice (``;``, or ``, `` for Google Forms).
    option_labels : tuple of str
        Wording of each option column of a multi-column multiple choice, as the platform export
        gave it (the question's shared wording taken off; ``""`` where none), in ``levels``
        order.
    """

    name: str
    kind: str
    columns: tuple[str, ...]
    levels: tuple[str, ...] = ()
    label: str = ""
    personal: bool = False
    option_sep: str = ";"
    option_labels: tuple[str, ...] = ()

    @property
    def option_columns(self) -> tuple[str, ...]:
        """The 0/1 columns of a multi-column multiple choice (without a summary column)."""
        return self.levels if self.kind == "multiple" and len(self.columns) > 1 else self.columns


def option_wording(labels: list[str]) -> tuple[str, ...]:
    """The option part of the wording of each option column (``"Outils - Visio"`` -> ``Visio``).

    Platform exports word each option column as the question followed by the option
    (``Q5. Outils utilisés [Visio]``, ``Outils utilisés - Visio``, ``Outils utilisés: Visio``);
    the wording the columns share is taken off, with the brackets and separators around the
    option. Returns ``""`` for every option when fewer than two columns have a wording.
    """
    if sum(bool(lab) for lab in labels) < 2:
        return tuple("" for _ in labels)
    given = [lab for lab in labels if lab]
    common = os.path.commonprefix(given)
    out = []
    for lab in labels:
        rest = lab[len(common):] if lab.startswith(common) and len(lab) > len(common) else lab
        out.append(rest.strip().strip("[]()").strip(" -:–|").strip())
    return tuple(out)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Return ``values`` (strings) as floats; French decimals and thousand spaces accepted,
    anything else ``NaN``."""
    codes, uniques = pd.factorize(values.astype(object))
    if len(uniques) == 0:
        return pd.Series(np.nan, index=values.index, dtype=float)
    text = pd.Series(uniques, dtype=object)
    # Plain numbers at C speed first; the French forms go through the regular expression.
    parsed = pd.to_numeric(text, errors="coerce").astype(float).to_numpy(copy=True)
    ok = np.isnan(parsed)
    if ok.any():
        text = text.str.strip()
        ok &= text.str.fullmatch(NUMBER_RE).astype(bool).to_numpy()
    if ok.any():
        cleaned = text[ok].str.replace(r"[ \u00a0\u202f]", "", regex=True).str.replace(",", ".")
        parsed[ok] = cleaned.astype(float).to_numpy()
    parsed[~np.isfinite(parsed)] = np.nan
    out = np.where(codes >= 0, parsed[np.maximum(codes, 0)], np.nan)
    return pd.Series(out, index=values.index, dtype=float)


def is_id_name(name: str) -> bool:
    """True for column names that say "respondent id" (``id``, ``identifiant``, ``*_id``...)."""
    return bool(_ID_NAME.search(name)) and not re.fullmatch(r"unnamed_\d+", name)


def natural_key(value: str) -> tuple:
    """Sort key putting ``Q2`` before ``Q10`` and ``5 ans`` before ``10 ans``."""
    parts = re.split(r"(\d+)", str(value).casefold())
    return tuple((0, int(p), "") if p.isdecimal() else (1, 0, p) for p in parts)


def split_options(
    values: pd.Series, sep: str = ";", known: tuple[str, ...] | frozenset[str] = ()
) -> pd.Series:
    """Split multiple-choice answers into lists of trimmed options.

    Parameters
    ----------
    values : pandas.Series
        One answer per cell (``str``; missing cells stay missing).
    sep : str
        Option separator (``;`` by default; ``, `` for Google Forms checkboxes).
    known : collection of str
        Options that may contain ``sep``: the longest one matching at a position is kept whole
        (and given as written in ``known``). Without ``known``, ``;`` answers split on every
        ``;`` (a trailing one is harmless); other separators never split inside brackets.
    """
    if sep == ";" and not known:
        return values.map(
            lambda v: [p.strip() for p in v.split(";") if p.strip()] if isinstance(v, str) else v
        )
    lookup = _option_lookup(known, sep)
    return values.map(lambda v: _segment_cell(v, sep, lookup) if isinstance(v, str) else v)


_OPEN_BRACKETS, _CLOSE_BRACKETS = "([{«", ")]}»"


def _atoms(cell: str, sep: str) -> tuple[str, ...]:
    """The trimmed pieces of ``cell`` between separators outside brackets.

    Splitting on the separator's visible core (``,`` of ``", "``) makes ``"A,B"`` and
    ``"A,  B"`` read as ``"A, B"``: platforms and spreadsheet edits vary the spaces, not the
    options.
    """
    core = sep.strip() or sep
    pieces: list[str] = []
    depth, start, pos = 0, 0, 0
    while pos < len(cell):
        ch = cell[pos]
        if ch in _OPEN_BRACKETS:
            depth += 1
        elif ch in _CLOSE_BRACKETS:
            depth = max(0, depth - 1)
        elif depth == 0 and cell.startswith(core, pos):
            pieces.append(cell[start:pos])
            pos += len(core)
            start = pos
            continue
        pos += 1
    pieces.append(cell[start:])
    return tuple(p.strip() for p in pieces if p.strip())


def _option_lookup(known, sep: str) -> dict[tuple[str, ...], str]:
    """Known options by their atoms (an option holding ``sep`` has several), first spelling."""
    lookup: dict[tuple[str, ...], str] = {}
    for option in known:
        key = _atoms(option, sep)
        if key:
            lookup.setdefault(key, option.strip())
    return lookup


def _segment(
    atoms: tuple[str, ...], lookup: dict[tuple[str, ...], str],
    exclude: tuple[str, ...] | None = None,
) -> list[tuple[str, ...]]:
    """Cut ``atoms`` into runs: at each position the longest run that is a known option (other
    than ``exclude``), else one atom."""
    longest = max((len(k) for k in lookup), default=1)
    runs: list[tuple[str, ...]] = []
    i = 0
    while i < len(atoms):
        size = 1
        for n in range(min(longest, len(atoms) - i), 0, -1):
            run = atoms[i:i + n]
            if run in lookup and run != exclude:
                size = n
                break
        runs.append(atoms[i:i + size])
        i += size
    return runs


def _segment_cell(cell: str, sep: str, lookup: dict[tuple[str, ...], str]) -> list[str]:
    # A run of several atoms is always a known option; a lone atom may be new.
    return [lookup.get(run, run[0]) for run in _segment(_atoms(cell, sep), lookup)]


def split_cell(cell: str, sep: str, known: tuple[str, ...] = ()) -> list[str]:
    """Split one answer on ``sep`` (outside brackets), keeping the longest ``known`` option whole.

    >>> split_cell("Cloud, Outils (Teams, Slack)", ", ")
    ['Cloud', 'Outils (Teams, Slack)']
    >>> split_cell("Oui, souvent, Visio", ", ", ("Oui, souvent", "Visio"))
    ['Oui, souvent', 'Visio']
    """
    return _segment_cell(cell, sep, _option_lookup(known, sep))


def learn_options(values: pd.Series, sep: str) -> tuple[str, ...]:
    """The options of a one-column multiple-choice question whose options may contain ``sep``.

    Every distinct answer starts as a candidate option. An answer that cuts into pieces, one of
    them another candidate, is a combination: it leaves the candidates and its pieces join them
    (so ``"Cloud, Intranet"`` is a combination once ``"Cloud"`` or ``"Intranet"`` was ticked
    alone, and ``"Intranet, Visio, Cloud"`` once any of its parts is a candidate). This repeats
    until nothing changes; the options are then the pieces of every answer cut with the
    remaining candidates, so the options and :func:`split_options` always agree. An answer never
    found to be a combination is one option, commas and all (``"Oui, souvent"``); a comma
    inside brackets never splits (``"Outils (Teams, Slack)"``).

    >>> learn_options(pd.Series(["Visio, Cloud", "Visio", "Cloud, Outils (Teams, Slack)"]), ", ")
    ('Visio', 'Cloud', 'Outils (Teams, Slack)')
    >>> learn_options(pd.Series(["A, B, C", "A, B", "C", "B"]), ", ")
    ('A', 'B', 'C')
    """
    cells = list(dict.fromkeys(v.strip() for v in values if isinstance(v, str) and v.strip()))
    candidates = _option_lookup(cells, sep)
    changed = True
    while changed:
        changed = False
        # Each pass may turn a candidate into a combination, which only shortens candidates:
        # the loop ends, after a few passes in practice.
        for key in [k for k in candidates if len(k) > 1]:
            runs = _segment(key, candidates, exclude=key)
            if len(runs) > 1 and any(run in candidates and run != key for run in runs):
                del candidates[key]
                for run in runs:
                    candidates.setdefault(run, sep.join(run))
                changed = True
    options = [o for cell in cells for o in _segment_cell(cell, sep, candidates)]
    return tuple(dict.fromkeys(options))


def checkbox_column(values: pd.Series, sep: str) -> bool:
    """True when ``values`` (non-empty answers) look like checkbox answers joined by ``sep``.

    At least two answers (and 10 %) combine options seen alone; the options are few (<= 40),
    short (<= 6 words on average) and mostly reused (options used more than once make >= half
    of the uses). One free-text answer containing commas is not enough.
    """
    cells = values.dropna().map(str).str.strip()
    cells = cells[cells != ""]
    if len(cells) < 2:
        return False
    options = learn_options(cells, sep)
    ordered = tuple(sorted(options, key=len, reverse=True))
    split = split_options(cells, sep, ordered)
    n_combined = int((split.map(len) > 1).sum())
    if n_combined < 2 or n_combined < 0.1 * len(cells):
        return False
    uses = split.explode().value_counts()
    return (
        0 < len(uses) <= MULTI_MAX_OPTIONS
        and float(np.mean([len(o.split()) for o in uses.index])) <= MULTI_MAX_WORDS
        and uses[uses > 1].sum() >= 0.5 * uses.sum()
    )


def _share(mask: pd.Series) -> float:
    return float(mask.mean()) if len(mask) else 0.0


def mask_not_shown(values: pd.Series) -> pd.Series:
    """Return ``values`` (trimmed cells) with the "not shown" markers (:data:`NOT_SHOWN_TOKENS`)
    as missing."""
    return values.mask(values.str.casefold().isin(NOT_SHOWN_TOKENS))


def _binary_style(values: pd.Series) -> str | None:
    """``coded`` (yes/no tokens), ``checked`` (one value + blanks) or ``None``.

    "Not shown" markers (``N/A``...) are left out: they are missing, never the checked value.
    """
    distinct = set(values.str.casefold().unique()) - NOT_SHOWN_TOKENS
    if not distinct:
        return "checked"
    if distinct <= TRUE_TOKENS | FALSE_TOKENS and (len(distinct) > 1 or distinct <= FALSE_TOKENS):
        return "coded"
    return "checked" if len(distinct) == 1 else None


def guess_kind(values: pd.Series, name: str) -> str:
    """Guess the kind of one column from its non-empty, trimmed string ``values``.

    See the module docstring for the rules; multi-column groups are found separately. The
    rules run on the distinct values weighted by their counts, which keeps them fast.
    """
    n = len(values)
    if n == 0:
        return "ignore"
    counts = values.value_counts(sort=False)
    distinct = pd.Series(counts.index, dtype=object)
    weight = counts.to_numpy()

    def share(mask) -> float:
        return float(weight[np.asarray(mask, dtype=bool)].sum()) / n

    numbers = parse_numbers(distinct)
    numeric_share = share(numbers.notna())
    if numeric_share < NUMERIC_SHARE and (
        share(distinct.str.fullmatch(_URL_RE, case=False)) >= PATTERN_SHARE
        or share(distinct.str.fullmatch(_DATE_RE)) >= PATTERN_SHARE
    ):
        return "ignore"
    n_distinct = len(distinct)
    if n_distinct == n and (n > 1 or _ID_NAME.search(name)):
        one_word = not distinct.str.contains(r"\s", regex=True).any()
        integers = numeric_share == 1.0 and bool((numbers % 1 == 0).all())
        code = one_word and numeric_share == 0 and distinct.str.len().min() >= ID_MIN_CODE_LEN
        if _ID_NAME.search(name) and one_word:
            return "id"
        if n >= ID_MIN_VALUES and (integers or code):
            return "id"
    if numeric_share >= NUMERIC_SHARE:
        if set(numbers.dropna().unique()) <= {0.0, 1.0}:
            return "single"
        if _WEIGHT_NAME.search(name) and numeric_share == 1.0 and (numbers >= 0).all():
            return "weight"
        return "numeric"
    if share(distinct.str.contains(";", regex=False)) >= MULTI_MIN_SHARE:
        options = split_options(distinct)
        uses: dict[str, int] = {}
        for opts, w in zip(options, weight, strict=True):
            for opt in opts:
                uses[opt] = uses.get(opt, 0) + int(w)
        if (
            0 < len(uses) <= MULTI_MAX_OPTIONS
            and sum(uses.values()) / len(uses) >= MULTI_MIN_USES
            and sum(u for u in uses.values() if u > 1) >= MULTI_REPEATED_SHARE * sum(uses.values())
            and np.mean([len(o.split()) for o in uses]) <= MULTI_MAX_WORDS
        ):
            return "multiple"
    # Words are runs of letters: "10 000 - 50 000" has none, however many spaces it holds.
    mean_words = float((distinct.str.count(_WORD_RE).to_numpy() * weight).sum()) / n
    one_word_share = share(~distinct.str.contains(r"\s", regex=True))
    if (n_distinct / n >= OPEN_MIN_DISTINCT_SHARE and mean_words >= OPEN_MIN_WORDS
            and one_word_share < 0.5):
        return "open"
    if n_distinct <= SINGLE_MAX_LEVELS or n_distinct / n <= SINGLE_MAX_DISTINCT_SHARE:
        return "single"
    mean_len = float((distinct.str.len().to_numpy() * weight).sum()) / n
    if one_word_share >= PATTERN_SHARE and mean_len >= CODE_MIN_LEN:
        return "ignore"
    return "open"


def find_groups(
    frame: pd.DataFrame, stripped: dict[str, pd.Series], types: dict[str, str]
) -> dict[str, list[str]]:
    """Return ``{prefix: [columns]}`` of the multi-column multiple-choice questions."""
    by_prefix: dict[str, list[str]] = {}
    for col in frame.columns:
        for pattern in _GROUP_PATTERNS:
            match = pattern.match(col)
            if match:
                by_prefix.setdefault(match["prefix"], []).append(col)
                break
    groups = {}
    for prefix, cols in by_prefix.items():
        free = [c for c in cols if c not in types]
        if types.get(prefix) == "multiple":
            members = free
        elif prefix in types:
            continue
        else:
            members = [c for c in free if _binary_style(stripped[c].dropna()) is not None]
            if not any(stripped[c].notna().any() for c in members):
                continue
        if len(members) >= 2:
            groups[prefix] = members
    return groups


class _Typer:
    """Types the columns of one :class:`RawTable` (an object only to share its state)."""

    def __init__(self, raw: RawTable, options) -> None:
        self.raw = raw
        self.name = raw.source.path.name
        self.frame = raw.frame
        self.columns = list(raw.frame.columns)
        self.stripped = {c: raw.stripped[c] for c in self.columns}
        self.types = self._check_types(options.types)
        self.levels = {c: tuple(str(v) for v in lv) for c, lv in options.levels}
        for col in self.levels:
            require_column(self.columns, col, self.name)
        self.id_col = options.id_col
        self.weights = options.weights
        self.profile = raw.profile
        self.option_seps = {**self.profile.option_seps, **dict(options.option_seps)}
        for col in dict(options.option_seps):
            if col not in self.columns:
                require_column(self.columns, col, self.name)
        for col in (self.id_col, self.weights):
            if col is not None:
                require_column(self.columns, col, self.name)
        self.data: dict[str, pd.Series] = {}
        self.questions: dict[str, Question] = {}

    def _check_types(self, pairs) -> dict[str, str]:
        types = {}
        for col, kind in pairs:
            if kind not in USER_KINDS:
                raise OptionError(
                    f"Unknown type '{kind}' for column '{col}'; use one of: "
                    f"{', '.join(USER_KINDS)}."
                )
            is_prefix = any(
                (m := p.match(c)) and m["prefix"] == col for c in self.columns
                for p in _GROUP_PATTERNS
            )
            if col not in self.columns and not (is_prefix and kind == "multiple"):
                require_column(self.columns, col, self.name)
            types[col] = kind
        return types

    def run(self) -> tuple[pd.DataFrame, dict[str, Question]]:
        groups = find_groups(self.frame, self.stripped, self.types)
        for prefix, cols in self.profile.groups.items():
            if prefix in self.types and self.types[prefix] != "multiple":
                continue
            taken = set(cols)
            groups = {p: c for p, c in groups.items() if not taken & set(c)}
            groups[prefix] = [c for c in cols if c not in self.types]
        summaries = {p: s for p, s in self.profile.summaries.items()
                     if p in groups and s not in self.types}
        in_group = {c: prefix for prefix, cols in groups.items() for c in cols}
        in_group.update({s: p for p, s in summaries.items()})
        for col in self.columns:
            if col in in_group:
                prefix = in_group[col]
                members = [summaries[prefix]] if prefix in summaries else []
                members += groups[prefix]
                if min(members, key=self.columns.index) == col:
                    self._add_group(prefix, groups[prefix], summaries.get(prefix))
                continue
            self._add_column(col, self._kind_of(col))
        data = pd.DataFrame({c: self.data[c] for c in self.columns}, index=self.frame.index)
        return data, self.questions

    def _kind_of(self, col: str) -> str:
        if col in self.types:
            return self.types[col]
        if col == self.id_col:
            return "id"
        if col == self.weights:
            return "weight"
        if col in self.levels:
            return "ordinal"
        if col in self.raw.carried:
            return "ordinal" if self.raw.carried[col][1] else "single"
        if col in self.profile.types:
            return self.profile.types[col]
        if col in self.option_seps:
            return "multiple"
        return guess_kind(self.stripped[col].dropna(), col)

    def _add_group(self, prefix: str, cols: list[str], summary: str | None = None) -> None:
        free = prefix not in self.columns or prefix == summary
        name = prefix if free and prefix not in self.questions else f"{prefix} (multiple)"
        if summary is not None:  # the same answers as text (KoboToolbox): kept as written
            self.data[summary] = self.frame[summary]
        shown = {c: mask_not_shown(self.stripped[c]) for c in cols}
        answered = pd.concat([shown[c].notna() for c in cols], axis=1).any(axis=1)
        for col in cols:
            folded = shown[col].str.casefold()
            values = pd.Series(np.where(folded.isna() | folded.isin(FALSE_TOKENS), 0, 1),
                               index=self.frame.index)
            self.data[col] = values.astype("Int8").mask(~answered)
        label = self.raw.labels.get(prefix, "")
        columns = (summary, *cols) if summary is not None else tuple(cols)
        options = option_wording([self.raw.labels.get(c, "") for c in cols])
        self.questions[name] = Question(name, "multiple", columns, tuple(cols), label,
                                        option_labels=options)

    def _add_column(self, col: str, kind: str) -> None:
        raw, values = self.frame[col], self.stripped[col]
        levels: tuple[str, ...] = ()
        if kind in ("numeric", "weight"):
            numbers = parse_numbers(values)
            bad = values.notna() & numbers.isna()
            if col == self.weights:
                self._check_weights(col, numbers)
            elif bad.any():
                examples = quote_list(values[bad].unique()[:3])
                warnings.warn(
                    f"{int(bad.sum())} values of column '{col}' are not numbers (e.g. "
                    f"{examples}) and are treated as missing.",
                    DataQualityWarning, stacklevel=4,
                )
            self.data[col] = numbers
        elif kind in ("single", "ordinal"):
            levels = self._levels(col, kind, values)
            self.data[col] = pd.Series(
                pd.Categorical(values, categories=levels, ordered=kind == "ordinal"),
                index=self.frame.index,
            )
        elif kind == "multiple":
            sep = self.option_seps.get(col, ";")
            known = learn_options(values.dropna(), sep) if sep != ";" else ()
            counts = split_options(values, sep, known).explode().dropna().value_counts()
            levels = tuple(sorted(counts.index, key=lambda o: (-counts[o], natural_key(o))))
            self.data[col] = values
        elif kind == "id":
            self.data[col] = values
        else:  # open, ignore: the text as written
            self.data[col] = raw
        label = self.raw.labels.get(col, "")
        sep = self.option_seps.get(col, ";") if kind == "multiple" else ";"
        self.questions[col] = Question(col, kind, (col,), levels, label,
                                       personal=col in self.profile.personal, option_sep=sep)

    def _levels(self, col: str, kind: str, values: pd.Series) -> tuple[str, ...]:
        present = list(values.dropna().unique())
        if col in self.levels:
            levels = self.levels[col]
            if len(set(levels)) != len(levels):
                raise OptionError(f"The levels of column '{col}' repeat a value; list each once.")
        elif col in self.raw.carried:
            levels = self.raw.carried[col][0]
            levels = levels + tuple(v for v in present if v not in levels)
        elif kind == "single":
            return tuple(sorted(present, key=natural_key))
        elif (numbers := parse_numbers(pd.Series(present, dtype=object))).notna().all():
            levels = tuple(present[i] for i in np.argsort(numbers.to_numpy(), kind="stable"))
        else:
            raise OptionError(
                f"Column '{col}' is ordinal but its level order is unknown; give its levels in "
                f"order (values: {quote_list(sorted(present, key=natural_key), limit=8)})."
            )
        unknown = [v for v in present if v not in levels]
        if unknown:
            n_rows = int(values.isin(unknown).sum())
            raise DataError(
                f"Column '{col}' has values missing from its levels: "
                f"{quote_list(unknown, limit=5)} ({n_rows} rows); add them to the levels or "
                "fix the data."
            )
        return tuple(levels)

    def _check_weights(self, col: str, numbers: pd.Series) -> None:
        # The one rule of every weight entry (textmine.survey.weights); rows named by position.
        check_weights(
            numbers, col, raw=self.stripped[col], row_name=lambda i: f"data row {int(i) + 1}"
        )
        warn_zero_weights(numbers)


def type_columns(raw: RawTable, options) -> tuple[pd.DataFrame, dict[str, Question]]:
    """Type every column of ``raw`` (see the module docstring for the rules).

    Returns the typed data (same index and columns as ``raw.frame``) and the questions by name,
    in file order.
    """
    return _Typer(raw, options).run()


def make_ids(raw: RawTable, id_col: str | None) -> pd.Index:
    """Return the respondent ids: ``id_col`` values as trimmed strings, or ``"1"``..``"n"``.

    Raises
    ------
    DataError
        Missing or duplicated ids (the message names the first duplicated ones).
    """
    frame = raw.frame
    name = raw.source.path.name
    if id_col is None:
        return pd.Index([str(i) for i in range(1, len(frame) + 1)], name="respondent_id")
    require_column(frame.columns, id_col, name)
    ids = frame[id_col].str.strip()
    missing = ids.isna()
    if missing.any():
        first = int(np.flatnonzero(missing.to_numpy())[0]) + 1
        raise DataError(
            f"{int(missing.sum())} rows have no id in column '{id_col}' of {name} (first: data "
            f"row {first}); fill them in or leave out the id column to number the rows."
        )
    duplicated = ids[ids.duplicated(keep=False)]
    if len(duplicated):
        first_ids = list(dict.fromkeys(duplicated))
        raise DataError(
            f"Duplicate ids in column '{id_col}' of {name}: {quote_list(first_ids, limit=5)} "
            f"({len(first_ids)} ids appear more than once); each respondent needs one row "
            "with a unique id."
        )
    return pd.Index(ids.tolist(), name="respondent_id", dtype=object)


__all__ = [
    "KINDS", "Question", "find_groups", "guess_kind", "is_id_name", "make_ids", "natural_key",
    "checkbox_column", "learn_options", "parse_numbers", "plain_list", "split_cell",
    "split_options", "type_columns",
]
