"""Surveys: read a survey file as it is, type its questions, hand out answers by respondent id.

>>> survey = read_survey("enquete.csv", options=ReadOptions(id_col="id"))   # doctest: +SKIP
>>> answers = open_answers(survey, "q_evolution")                           # doctest: +SKIP
>>> role = closed_question(survey, "fonction")                              # doctest: +SKIP

How files are read (formats, encodings, separators) is described in
:mod:`textmine.survey.formats`; how question types are detected, in :mod:`textmine.survey.columns`.
Both are overridable through :class:`textmine.config.ReadOptions` (and the project file).
The respondent id (a string) indexes every table handed out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from textmine.config import ReadOptions
from textmine.errors import DataError
from textmine.survey.columns import (
    KINDS,
    Question,
    make_ids,
    parse_numbers,
    split_options,
    type_columns,
)
from textmine.survey.formats import SourceInfo, read_raw, require_column
from textmine.survey.sniff import detect_encoding
from textmine.survey.weights import check_weights, warn_zero_weights

logger = logging.getLogger(__name__)

__all__ = [
    "KINDS", "Question", "SourceInfo", "Survey", "closed_question", "describe_survey",
    "detect_encoding", "inspect_survey", "open_answers", "read_survey", "resolve_weights",
    "survey_weights",
]

_CLOSED_KINDS = ("single", "ordinal", "numeric", "multiple", "weight")


@dataclass(frozen=True)
class Survey:
    """A survey read from a file.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per respondent, index = respondent ids (``str``, named ``respondent_id``),
        every column of the file in file order, typed: open/id/ignore columns as text (missing =
        ``NaN``), single/ordinal as categoricals (ordered for ordinal), numeric/weight as floats,
        multi-column multiple choice as nullable 0/1 integers, one-column multiple choice as
        the ``;``-separated text.
    questions : dict of str to Question
        Questions by name, in file order (a multi-column multiple choice is one question).
    source : SourceInfo
        How and from where the file was read.
    weights : str or None
        Column holding the survey weights (only when asked for in ``ReadOptions.weights``).
    text : pandas.DataFrame or None
        Every cell as written in the file (``str``, missing = ``NaN``), same index and columns as
        ``data``: :func:`open_answers` reads it so that an open column holding only numbers
        gives ``3``, not the ``3.0`` of its typed value.
    """

    data: pd.DataFrame
    questions: dict[str, Question] = field(default_factory=dict)
    source: SourceInfo | None = None
    weights: str | None = None
    text: pd.DataFrame | None = None

    @property
    def name(self) -> str:
        """File name of the survey (for messages)."""
        return self.source.path.name if self.source is not None else "the survey"

    def question(self, name: str) -> Question:
        """Return the question called ``name`` or holding column ``name``.

        Raises
        ------
        ColumnError
            If neither a question nor a column has that name (the message lists the columns).
        """
        if name in self.questions:
            return self.questions[name]
        for q in self.questions.values():
            if name in q.columns:
                return q
        require_column(list(self.data.columns), name, self.name)
        raise AssertionError("unreachable: every column belongs to a question")


def read_survey(path: str | Path, *, options: ReadOptions = ReadOptions()) -> Survey:
    """Read a survey file (csv/tsv/txt, xlsx, ods, parquet, sav, dta) into a :class:`Survey`.

    Parameters
    ----------
    path : str or Path
        The survey file; it is only read, never modified.
    options : ReadOptions
        Id and weight columns, sheet, forced encoding/separator, type and level overrides.

    Raises
    ------
    InputFileError
        Missing, empty, binary, undecodable or damaged file; unsupported extension.
    DataError
        No data rows, duplicate column names, missing or duplicated ids, values outside the
        given levels, invalid weights.
    ColumnError
        A column named in ``options`` does not exist (the message lists the available ones).
    OptionError
        Unknown type, sheet or encoding; an ordinal column without a level order.
    """
    raw = read_raw(path, options=options)
    ids = make_ids(raw, options.id_col)
    data, questions = type_columns(raw, options)
    data.index = ids
    text = raw.frame.set_axis(ids, axis=0)
    counts: dict[str, int] = {}
    for q in questions.values():
        counts[q.kind] = counts.get(q.kind, 0) + 1
    logger.info("%s: %d respondents; questions %s", raw.source.path.name, len(data), counts)
    return Survey(data=data, questions=questions, source=raw.source, weights=options.weights,
                  text=text)


def reread_with_id(survey: Survey, path: str | Path, options: ReadOptions,
                   id_col: str | None, *, what: str) -> tuple[Survey, ReadOptions]:
    """The survey read again with an id column recorded by an earlier step, when none is given.

    Without an id column the respondents are numbered 1..n and their ids (the join key of every
    later table) silently lost. The recorded column (of a themes run, a saved coder, a coding
    sheet: ``what`` names it) is used when the file has it, and said in one line; when the file
    lacks it, that is said too (trial 2026-12-01: both silent for ``code --model``). The
    second reading is quiet: what it guesses (encoding, layout) was said by the first.

    Parameters
    ----------
    survey : Survey
        The survey as read with ``options``.
    path : str or Path
        Its file.
    options : ReadOptions
        How it was read; returned unchanged when they name an id column.
    id_col : str or None
        The recorded id column (None: nothing recorded, nothing done).
    what : str
        Where it was recorded, for the message ("the model's run", "the coding sheet s.xlsx").

    Returns
    -------
    survey, options
        The survey and the options it was read with.
    """
    if options.id_col is not None or not id_col:
        return survey, options
    if id_col not in survey.data.columns:
        logger.warning("%s has no column '%s', the id column of %s: respondents are numbered "
                       "by row (--id-col to choose an id column)", Path(path).name, id_col, what)
        return survey, options
    logger.warning("using id column '%s' as in %s (--id-col to choose another)", id_col, what)
    options = replace(options, id_col=id_col)
    quiet = logging.getLogger("textmine.survey")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        return read_survey(path, options=options), options
    finally:
        quiet.setLevel(level)


def open_answers(survey: Survey, column: str) -> pd.Series:
    """Return the answers of ``column`` as strings (missing -> ``""``), indexed by respondent id.

    The text is the one written in the file (``Survey.text``), whatever type the column got:
    an answer ``3`` stays ``3``, ``3,5`` stays ``3,5``.

    Raises
    ------
    ColumnError
        If ``column`` is not a column of the survey (the message lists the available ones).
    DataError
        If the column holds personal data (see :mod:`textmine.survey.profiles`).
    """
    require_column(list(survey.data.columns), column, survey.name)
    if survey.question(column).personal:
        raise DataError(
            f"Column '{column}' of {survey.name} holds personal data "
            f"({survey.source.detected if survey.source else 'platform export'}); it is never "
            "themed nor quoted. Choose an open question (see textmine inspect)."
        )
    values = survey.text[column] if survey.text is not None else survey.data[column]
    text = values.astype(object).where(values.notna(), "").map(str)
    return text.rename(column)


def closed_question(survey: Survey, name: str) -> pd.DataFrame | pd.Series:
    """Return a closed question's answers, indexed by respondent id.

    Single/ordinal: a categorical Series (ordered for ordinal). Numeric/weight: a float Series.
    Multiple: a DataFrame of nullable 0/1 integer columns, one per option (``<NA>`` for
    respondents who did not answer the question).

    Raises
    ------
    ColumnError
        Unknown question or column.
    DataError
        The question is open, an id or ignored.
    """
    q = survey.question(name)
    if q.kind not in _CLOSED_KINDS:
        raise DataError(
            f"Question '{q.name}' of {survey.name} is typed {q.kind}, not closed; set its type "
            "(single, multiple, ordinal or numeric) in the project file to use it."
        )
    if q.kind != "multiple":
        return survey.data[q.columns[0]].rename(q.name)
    if len(q.columns) > 1:
        return survey.data[list(q.option_columns)].copy()
    options = split_options(survey.data[q.columns[0]], q.option_sep,
                            q.levels if q.option_sep != ";" else ())
    answered = options.notna()
    out = {}
    for level in q.levels:
        has = options.map(lambda opts, lv=level: isinstance(opts, list) and lv in opts)
        out[level] = has.astype("Int8").mask(~answered)
    return pd.DataFrame(out, index=survey.data.index)


def survey_weights(survey: Survey) -> pd.Series | None:
    """Return the survey weights (float Series indexed by respondent id), or ``None``."""
    if survey.weights is None:
        return None
    return survey.data[survey.weights].astype(float).rename("weight")


def _example(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return " ".join(str(value).split())


def describe_survey(survey: Survey) -> pd.DataFrame:
    """Return one row per column: ``column``, ``question``, ``kind``, ``n_nonempty``,
    ``n_distinct``, ``example_1``, ``example_2`` (first answers for open questions, most frequent
    values otherwise)."""
    owner = {c: q for q in survey.questions.values() for c in q.columns}
    rows = []
    for col in survey.data.columns:
        q = owner[col]
        values = survey.data[col].dropna()
        if q.personal:
            examples = ["(personal data, not shown)"]
        elif q.kind in ("open", "id", "ignore"):
            examples = list(dict.fromkeys(values.astype(str)))[:2]
        else:
            examples = list(values.astype(object).value_counts().index[:2])
        examples = [_example(v) for v in examples] + ["", ""]
        rows.append({
            "column": col, "question": q.name, "kind": q.kind,
            "n_nonempty": int(len(values)), "n_distinct": int(values.nunique()),
            "example_1": examples[0], "example_2": examples[1],
        })
    return pd.DataFrame(rows, columns=[
        "column", "question", "kind", "n_nonempty", "n_distinct", "example_1", "example_2",
    ])


def inspect_survey(
    path: str | Path, *, options: ReadOptions = ReadOptions()
) -> tuple[Survey, pd.DataFrame]:
    """Read ``path`` and describe its columns (what ``textmine inspect`` prints)."""
    survey = read_survey(path, options=options)
    return survey, describe_survey(survey)


def resolve_weights(survey: Survey, weights: str | pd.Series | None) -> pd.Series | None:
    """The checked weights to use with ``survey`` (float Series indexed by respondent id).

    Every table takes its weights from here, so one rule holds whatever the entry
    (:mod:`textmine.survey.weights`).

    Parameters
    ----------
    survey : Survey
        The survey (its declared weights were checked when it was read).
    weights : str, Series or None
        ``None`` for the survey's declared weights (unweighted if none), a weight column of the
        survey, or a Series of weights indexed by respondent id; the last two are checked here.

    Raises
    ------
    ColumnError
        ``weights`` names no column of the survey.
    DataError
        The weights break the rule (see :func:`textmine.survey.weights.check_weights`).
    """
    if weights is None or (isinstance(weights, str) and weights == survey.weights):
        return survey_weights(survey)
    if isinstance(weights, pd.Series):
        checked = check_weights(weights, str(weights.name or "weight"))
        checked.index = checked.index.map(str)
    else:
        require_column(list(survey.data.columns), weights, survey.name)
        # The cells as written: a column typed as categories still holds numbers as text.
        text = survey.text[weights] if survey.text is not None else survey.data[weights]
        cells = text.astype(object).where(text.notna(), None)
        checked = check_weights(parse_numbers(cells), weights, raw=cells)
    warn_zero_weights(checked)
    return checked.rename("weight")
