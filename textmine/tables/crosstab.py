"""Theme x closed question tables: counts, percentages, residuals, one test per theme.

One row per theme x modality (tidy). For each theme, the 2 x k table "mentions the theme (yes /
no)" x "modality" is tested (see :func:`textmine.tables.stats.independence_test` for the choice
of test); the p-value is repeated on the theme's rows and adjusted with Benjamini–Hochberg across
every test of the call (all themes x all questions given together).

Question types
--------------
- single / ordinal: the modalities are the categories (level order kept for ordinal); ordinal
  questions also get a Cochran–Armitage trend test (scores 0, 1, 2... in level order) in
  ``trend_p_value``.
- multiple: each option is its own yes/no variable (``variable`` = option, modalities
  ``"<option>: yes"`` / ``"<option>: no"``), tested separately.
- numeric: the theme's test is a Mann–Whitney U test of the values of mentioners vs the others
  (no binning needed for the test). For the descriptive rows the values are grouped into
  modalities that never overlap and cover every value (:func:`numeric_bins`): with at most
  :data:`MAX_DISTINCT_BINS` distinct values (a 1–5 scale), one modality per value (``"3"``);
  otherwise the quartiles of the base (``pandas.qcut``, tied edges merged, so fewer groups
  when values pile up), labelled by the smallest and largest value of each group for whole
  numbers (``"0–3"``, ``"4–5"``, ``"9"``) and by half-open intervals otherwise
  (``"[18.5, 30.2]"``, ``"(30.2, 41]"``). The ``binning`` column says which; residuals and
  Cramér's V describe that grouped table.

Survey weights
--------------
``weighted_n``/``weighted_pct`` are weighted counts and percentages; ``expected`` and
``adj_residual`` are computed on the weighted table rescaled to the sample size and the residuals
divided by the square root of the Rao–Scott design effect; the test is the Rao–Scott first-order
corrected chi-square (``p_value``); ``n``/``pct`` stay unweighted respondent counts. When an
(unweighted) expected count is below ``min_expected`` the chi-square approximation is not
trustworthy, weighted or not, and no weighted exact test exists: the exact test (Fisher or
Monte-Carlo) is then run on the respondent counts and named ``"... (unweighted)"``. Numeric
questions keep the (unweighted) Mann–Whitney test.

Status rows
-----------
Rows with an empty ``theme_id`` and ``row_type == "status"`` report, over every respondent with
a known modality, the share of unassigned answers, non-answers and empty answers per modality (a
non-response pattern is a finding too). Their tests enter the multiple-testing family.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from textmine.config import TableOptions
from textmine.errors import ColumnError, DataError, OptionError
from textmine.survey.weights import check_weights
from textmine.tables import stats
from textmine.tables.respondents import (
    check_overlap,
    clean_id,
    mentions_matrix,
    status_matrix,
    theme_labels,
)

log = logging.getLogger(__name__)

KINDS = ("single", "multiple", "ordinal", "numeric")

#: Column order of the crosstab tables (weighted columns only appear with weights).
COLUMNS = [
    "question",
    "variable",
    "theme_id",
    "label",
    "modality",
    "n",
    "n_modality",
    "pct",
    "pct_of_theme",
    "expected",
    "adj_residual",
    "flag",
    "p_value",
    "test",
    "p_adjusted",
    "cramers_v",
    "trend_p_value",
    "row_type",
    "binning",
]
WEIGHTED_COLUMNS = ["weighted_n", "weighted_pct", "design_effect"]


@dataclass(frozen=True)
class ClosedData:
    """A closed question as plain pandas data.

    Attributes
    ----------
    name : str
        Question name (becomes the ``question`` column and the file name).
    kind : str
        ``single``, ``multiple``, ``ordinal`` or ``numeric``.
    data : Series or DataFrame
        Categorical Series (single/ordinal; ordered categories give the level order), float
        Series (numeric) or 0/1 DataFrame with one column per option (multiple). Index =
        respondent ids.
    """

    name: str
    kind: str
    data: pd.Series | pd.DataFrame


def _text_index(obj: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    out = obj.copy()
    out.index = pd.Index([clean_id(i) for i in out.index], name="respondent_id")
    return out


def ticked(values: pd.Series) -> pd.Series:
    """One multiple-choice option as 1.0 (ticked), 0.0 (not ticked) or NaN (unanswered)."""
    vals = pd.to_numeric(values, errors="coerce").astype(float)
    return (vals > 0).astype(float).where(vals.notna())


def variables(question: ClosedData) -> list[tuple[str, pd.Series, bool]]:
    """Split a closed question into categorical variables ``(name, Series, ordered)``.

    Multiple choice gives one yes/no variable per option; numeric gives the groups of
    :func:`numeric_bins` (never overlapping). Missing values stay NaN.
    """
    if question.kind not in KINDS:
        raise OptionError(
            f"Question '{question.name}' has type '{question.kind}'; tables need one of "
            f"{', '.join(KINDS)}. Set its type in the project file."
        )
    data = _text_index(question.data)
    if question.kind == "multiple":
        if isinstance(data, pd.Series):
            data = data.to_frame(question.name)
        out = []
        for col in data.columns:
            lab = ticked(data[col]).map({1.0: f"{col}: yes", 0.0: f"{col}: no"})
            cats = pd.Categorical(lab, categories=[f"{col}: yes", f"{col}: no"])
            out.append((str(col), pd.Series(cats, index=data.index), False))
        return out
    if isinstance(data, pd.DataFrame):
        raise DataError(
            f"Question '{question.name}' of type '{question.kind}' has {data.shape[1]} columns; "
            "only multiple-choice questions may have several."
        )
    if question.kind == "numeric":
        return [(question.name, numeric_bins(data), True)]
    if isinstance(data.dtype, pd.CategoricalDtype):
        cat = data.cat.remove_unused_categories()
    else:
        cat = data.astype("category")
    ordered = question.kind == "ordinal"
    return [(question.name, cat, ordered)]


#: Numeric questions with at most this many distinct values get one modality per value.
MAX_DISTINCT_BINS = 7
BINNING_VALUES = "one modality per value"
BINNING_QUARTILES = "quartiles (pandas.qcut)"
BINNING_MERGED = "quartiles (pandas.qcut), tied edges merged: {n} groups"
BINNING_ONE = "one value"


def numeric_bins(values: pd.Series) -> pd.Series:
    """Group numeric values into ordered modalities that never overlap (see the module
    docstring); missing values stay missing.

    >>> numeric_bins(pd.Series([1, 2, 2, 3, 5])).cat.categories.tolist()
    ['1', '2', '3', '5']
    >>> numeric_bins(pd.Series(range(11))).cat.categories.tolist()
    ['0–2', '3–5', '6–7', '8–10']
    """
    return _bins(values)[0]


def numeric_binning(values: pd.Series) -> str:
    """How :func:`numeric_bins` grouped ``values`` (the ``binning`` column of the tables)."""
    return _bins(values)[1]


def _bins(values: pd.Series) -> tuple[pd.Series, str]:
    num = pd.to_numeric(values, errors="coerce").astype(float)
    ok = num.dropna()
    distinct = np.unique(ok.to_numpy())
    out = pd.Series(np.nan, index=num.index, dtype=object)
    if len(distinct) <= MAX_DISTINCT_BINS:
        names = [_fmt(v) for v in distinct]
        out[ok.index] = [names[i] for i in np.searchsorted(distinct, ok.to_numpy())]
        how = BINNING_VALUES if len(distinct) > 1 else BINNING_ONE
        return pd.Series(pd.Categorical(out, categories=names, ordered=True),
                         index=num.index), how
    codes, edges = pd.qcut(ok, q=4, labels=False, retbins=True, duplicates="drop")
    codes = np.asarray(codes, dtype=int)
    whole = bool(np.all(ok.to_numpy() == np.round(ok.to_numpy())))
    names: list[str] = []
    label_of: dict[int, str] = {}
    for code in range(len(edges) - 1):
        members = ok.to_numpy()[codes == code]
        if not len(members):  # an interval between two whole numbers holds no value
            continue
        if whole:
            low, high = members.min(), members.max()
            name = _fmt(low) if low == high else f"{_fmt(low)}–{_fmt(high)}"
        else:
            # pandas.qcut intervals are closed on the right; the first one holds its left edge.
            left = "[" if code == 0 else "("
            name = f"{left}{_fmt(edges[code])}, {_fmt(edges[code + 1])}]"
        label_of[code] = name
        names.append(name)
    out[ok.index] = [label_of[int(c)] for c in codes]
    how = BINNING_QUARTILES if len(edges) == 5 and len(names) == 4 else BINNING_MERGED.format(
        n=len(names))
    return pd.Series(pd.Categorical(out, categories=names, ordered=True), index=num.index), how


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _flag(res: float, threshold: float) -> str:
    if np.isnan(res):
        return ""
    if res >= threshold:
        return "over"
    if res <= -threshold:
        return "under"
    return ""


def _one_table(
    indicator: pd.Series,
    modality: pd.Series,
    *,
    ordered: bool,
    weights: pd.Series | None,
    numeric: pd.Series | None,
    options: TableOptions,
    counts: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[pd.DataFrame, dict[str, float | str]]:
    """Rows (one per modality) and test of one indicator x one categorical variable.

    ``indicator`` and ``modality`` share their index; rows with a missing modality were dropped.
    ``counts`` (answers with the indicator per modality, answers per modality) are the reduced
    counts of :func:`crosstab_counts` when they were computed already.
    """
    levels = list(modality.cat.categories)
    codes = modality.cat.codes.to_numpy()
    ind = indicator.to_numpy(bool)
    k = len(levels)
    if counts is None:
        n_mod = np.bincount(codes, minlength=k).astype(float)
        n_yes = np.bincount(codes[ind], minlength=k).astype(float)
    else:
        n_yes, n_mod = (np.asarray(c, dtype=float) for c in counts)
    table = np.vstack([n_yes, n_mod - n_yes])
    big_n = n_mod.sum()
    n_theme = n_yes.sum()
    rows = pd.DataFrame(
        {
            "modality": [str(lv) for lv in levels],
            "n": n_yes.astype(int),
            "n_modality": n_mod.astype(int),
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["pct"] = np.where(n_mod > 0, 100 * n_yes / n_mod, np.nan)
        rows["pct_of_theme"] = np.where(n_theme > 0, 100 * n_yes / n_theme, np.nan)
    summary: dict[str, float | str] = {"trend_p_value": math.nan}
    if weights is None:
        rows["expected"] = n_theme * n_mod / big_n if big_n else np.nan
        rows["adj_residual"] = stats.adjusted_residuals(table)[0]
        res = stats.independence_test(
            table,
            min_expected=options.min_expected,
            n_permutations=options.n_permutations,
            seed=options.seed,
        )
        summary["cramers_v"] = stats.cramers_v(table)
    else:
        w = weights.to_numpy(float)
        w_mod = np.bincount(codes, weights=w, minlength=k)
        w_yes = np.bincount(codes[ind], weights=w[ind], minlength=k)
        # Respondents of weight 0 stay in the counts above but out of every weighted estimate:
        # the weighted table is scaled to, and the Rao–Scott test run on, the others only.
        pos = w > 0
        n_pos = int(pos.sum())
        scale = n_pos / w.sum() if w.sum() > 0 else 0.0
        wtable = np.vstack([w_yes, w_mod - w_yes]) * scale
        stat, p, delta, dof = stats.rao_scott_chi2(ind[pos], codes[pos], w[pos])
        res = stats.TestResult(stat, p, stats.RAO_SCOTT if not np.isnan(p) else stats.NO_TEST, dof)
        # p is NaN for a degenerate table (then there is nothing to fall back on).
        if not np.isnan(p) and (
            stats.expected_counts(stats.drop_empty(table)).min() < options.min_expected
        ):
            # The chi-square approximation fails with small expected counts, weighted or not,
            # and no weighted exact test exists: use the exact test on respondent counts.
            exact = stats.independence_test(
                table,
                min_expected=math.inf,
                n_permutations=options.n_permutations,
                seed=options.seed,
            )
            res = stats.TestResult(exact.statistic, exact.p_value, exact.test + " (unweighted)")
        rows["expected"] = stats.expected_counts(wtable)[0]
        rows["adj_residual"] = stats.adjusted_residuals(wtable)[0] / math.sqrt(
            delta if delta > 0 else 1.0
        )
        rows["weighted_n"] = w_yes
        with np.errstate(divide="ignore", invalid="ignore"):
            rows["weighted_pct"] = np.where(w_mod > 0, 100 * w_yes / w_mod, np.nan)
        rows["design_effect"] = delta
        summary["cramers_v"] = stats.cramers_v(wtable)
    if numeric is not None:
        res = stats.mann_whitney(numeric.to_numpy(float), ind)
    if ordered and k > 2 and numeric is None:
        _, summary["trend_p_value"] = stats.cochran_armitage(n_yes, n_mod)
    summary["p_value"] = res.p_value
    summary["test"] = res.test
    rows["flag"] = [_flag(r, options.residual_flag) for r in rows["adj_residual"]]
    return rows, summary


def crosstab_frame(
    answers: pd.DataFrame,
    themes: pd.DataFrame,
    questions: Sequence[ClosedData],
    *,
    weights: pd.Series | None = None,
    options: TableOptions = TableOptions(),
) -> pd.DataFrame:
    """Theme x closed question tables from plain pandas data (the engine of :func:`crosstab`).

    Parameters
    ----------
    answers, themes : DataFrame
        As in ``answers.csv`` and ``themes.csv`` of a themes run.
    questions : sequence of ClosedData
        The closed questions to cross with the themes.
    weights : Series, optional
        Survey weights indexed by respondent id (numbers >= 0; weight 0 counts the respondent
        in ``n``/``pct`` only; respondents absent from the Series are left out).
    options : TableOptions
        Test thresholds, permutations, seed, inclusion of non-answers.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS` (+ :data:`WEIGHTED_COLUMNS` with weights), one row per theme x
        modality, then the status rows; ``p_adjusted`` is Benjamini–Hochberg over every test of
        the call.
    """
    if not questions:
        raise OptionError("No closed question to cross the themes with; pass at least one --by.")
    mentions = mentions_matrix(answers, themes, include_nonanswers=options.include_nonanswers)
    status = status_matrix(answers)
    labels = theme_labels(themes)
    if weights is not None:
        weights = _check_weights(weights)
    tasks: list[tuple] = []
    for question in questions:
        check_overlap(status.index, _text_index(question.data).index, question.name)
        numeric, binning = None, ""
        if question.kind == "numeric":
            numeric = pd.to_numeric(_text_index(question.data), errors="coerce")
            binning = numeric_binning(numeric)
        for var_name, modality, ordered in variables(question):
            for row_type, frame in (("theme", mentions), ("status", status)):
                tasks.append((frame, modality, {
                    "question": question.name, "variable": var_name, "ordered": ordered,
                    "numeric": numeric, "weights": weights, "labels": labels,
                    "row_type": row_type, "options": options, "binning": binning}))
    parts = [rows for task in _run_tables(tasks) for rows in task]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    out["p_adjusted"] = _adjust(out)
    cols = COLUMNS + (WEIGHTED_COLUMNS if weights is not None else [])
    return out[cols]


#: Below this many respondents the per-variable tables run in this process: starting worker
#: processes would cost more than the tests (issue 19).
PARALLEL_MIN_RESPONDENTS = 20_000


#: Respondents per partition of the map-reduce of table counts (issue 19).
COUNT_PARTITION_ROWS = 100_000


def partition_crosstab_counts(indicators: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    """Map step of the table counts: one partition of respondents.

    Parameters
    ----------
    indicators : ndarray of bool, shape (n_respondents, n_rows)
        One column per table row type (a theme, an answer status).
    codes : ndarray of int, shape (n_respondents,)
        Modality code of each respondent, in ``0 .. k-1``.
    k : int
        Number of modalities.

    Returns
    -------
    ndarray of int64, shape (n_rows + 1, k)
        Row ``j``: respondents of each modality with indicator ``j``; last row: respondents of
        each modality.
    """
    out = np.empty((indicators.shape[1] + 1, k), dtype=np.int64)
    for j in range(indicators.shape[1]):
        out[j] = np.bincount(codes[indicators[:, j]], minlength=k)
    out[-1] = np.bincount(codes, minlength=k)
    return out


def crosstab_counts(indicators: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    """Table counts by map-reduce: :func:`partition_crosstab_counts` per partition, summed.

    On the command's engine (``--jobs``/``--scheduler``) from
    :data:`PARALLEL_MIN_RESPONDENTS` respondents, partitions of :data:`COUNT_PARTITION_ROWS`;
    in this process otherwise. Counts are integers, so the sum equals the one-pass count
    exactly, whatever the partitions (tests/test_scale.py).
    """
    from textmine.engine import current_engine

    engine = current_engine()
    n = len(codes)
    if n < PARALLEL_MIN_RESPONDENTS or (engine.jobs <= 1 and engine.scheduler is None):
        return partition_crosstab_counts(indicators, codes, k)
    parts = [(indicators[a:a + COUNT_PARTITION_ROWS], codes[a:a + COUNT_PARTITION_ROWS], k)
             for a in range(0, n, COUNT_PARTITION_ROWS)]
    return np.sum(engine.map(partition_crosstab_counts, parts), axis=0)


def _variable_rows_task(frame: pd.DataFrame, modality: pd.Series, kwargs: dict
                        ) -> list[pd.DataFrame]:
    """One task of the engine: the tables of one closed variable (see :func:`_variable_rows`)."""
    return _variable_rows(frame, modality, **kwargs, quiet=True)


def _run_tables(tasks: list[tuple]) -> list[list[pd.DataFrame]]:
    """The tables of every (variable, row type), on the command's engine for big surveys.

    Each test is seeded by ``options.seed`` alone, so a table does not depend on where or in
    which order it is computed: ``--jobs N`` gives the same bytes as ``--jobs 1``.
    """
    from textmine.engine import current_engine

    engine = current_engine()
    big = bool(tasks) and len(tasks[0][0]) >= PARALLEL_MIN_RESPONDENTS
    if not big or (engine.jobs <= 1 and engine.scheduler is None):
        return [_variable_rows(frame, modality, **kwargs) for frame, modality, kwargs in tasks]
    # Unweighted tables need only counts: their counts are map-reduced over partitions of
    # respondents (crosstab_counts) and the tests run here on the summed table. Weighted tests
    # (Rao-Scott) need every respondent's weight: one task per variable.
    out: list = [None] * len(tasks)
    remote = [i for i, (_, _, kwargs) in enumerate(tasks) if kwargs["weights"] is not None]
    for i, (frame, modality, kwargs) in enumerate(tasks):
        if kwargs["weights"] is None:
            out[i] = _variable_rows(frame, modality, **kwargs)
        elif kwargs["row_type"] == "theme":  # the log lines are written here, not in workers
            _log_dropped(frame, modality, kwargs["weights"], kwargs["variable"])
    for i, rows in zip(remote, engine.map(_variable_rows_task, [tasks[i] for i in remote]),
                       strict=True):
        out[i] = rows
    return out


def _log_dropped(frame: pd.DataFrame, modality: pd.Series, weights: pd.Series | None,
                 variable: str) -> None:
    common = frame.index.intersection(modality.dropna().index)
    if weights is not None:
        common = common.intersection(weights.dropna().index)
    dropped = len(frame) - len(common)
    if dropped:
        log.info(
            "%d of %d respondents have no answer to '%s'%s and are left out of its table.",
            dropped,
            len(frame),
            variable,
            " or no weight" if weights is not None else "",
        )


def _check_weights(weights: pd.Series) -> pd.Series:
    # The one weight rule (textmine.survey.weights); a Series handed to the engine directly is
    # held to it too. Respondents absent from ``weights`` are left out of the tables.
    w = _text_index(weights)
    return check_weights(w, str(weights.name or "weight"))


def _variable_rows(
    frame: pd.DataFrame,
    modality: pd.Series,
    *,
    question: str,
    variable: str,
    ordered: bool,
    numeric: pd.Series | None,
    weights: pd.Series | None,
    labels: Mapping[str, str],
    row_type: str,
    options: TableOptions,
    binning: str = "",
    quiet: bool = False,
) -> list[pd.DataFrame]:
    common = frame.index.intersection(modality.dropna().index)
    if weights is not None:
        common = common.intersection(weights.dropna().index)
    if row_type == "theme" and not quiet:
        _log_dropped(frame, modality, weights, variable)
    mod = modality.loc[common]
    mod = mod.cat.remove_unused_categories()
    num = numeric.loc[common] if numeric is not None else None
    w = weights.loc[common] if weights is not None else None
    counts = None
    if w is None:
        counts = crosstab_counts(frame.loc[common].to_numpy(bool), mod.cat.codes.to_numpy(),
                                 len(mod.cat.categories))
    parts = []
    for j, col in enumerate(frame.columns):
        ind = frame.loc[common, col]
        if row_type == "status" and not ind.any():
            continue
        rows, summary = _one_table(
            ind, mod, ordered=ordered, weights=w, numeric=num, options=options,
            counts=None if counts is None else (counts[j], counts[-1]),
        )
        rows.insert(0, "question", question)
        rows.insert(1, "variable", variable)
        rows.insert(2, "theme_id", col if row_type == "theme" else "")
        rows.insert(3, "label", labels.get(col, col) if row_type == "theme" else col)
        for key, value in summary.items():
            rows[key] = value
        rows["row_type"] = row_type
        rows["binning"] = binning
        parts.append(rows)
    return parts


def _adjust(table: pd.DataFrame) -> np.ndarray:
    """Benjamini–Hochberg over the distinct tests (one per question x variable x row label)."""
    if table.empty:
        return np.array([], dtype=float)
    keys = ["question", "variable", "theme_id", "label"]
    tests = table.drop_duplicates(keys)[keys + ["p_value"]].copy()
    tests["p_adjusted"] = stats.benjamini_hochberg(tests["p_value"].to_numpy(float))
    merged = table[keys].merge(tests.drop(columns="p_value"), on=keys, how="left")
    return merged["p_adjusted"].to_numpy(float)


def closed_data(survey: object, name: str) -> ClosedData:
    """Fetch a closed question of a :class:`textmine.survey.Survey` as :class:`ClosedData`."""
    from textmine.survey import closed_question

    questions = getattr(survey, "questions", {})
    spec = questions.get(name)
    if spec is None:
        # A column of a multi-column multiple choice names its question too.
        spec = next((q for q in questions.values() if name in q.columns), None)
    if spec is None:
        closed = [q for q, s in questions.items() if s.kind in KINDS]
        raise ColumnError(
            f"Closed question '{name}' not found in the survey; available closed questions: "
            f"{', '.join(closed) or 'none'}."
        )
    if spec.kind not in KINDS:
        raise OptionError(
            f"Question '{spec.name}' has type '{spec.kind}'; tables need one of "
            f"{', '.join(KINDS)}. Set its type in the project file."
        )
    return ClosedData(name=spec.name, kind=spec.kind, data=closed_question(survey, spec.name))


def survey_weight_series(survey: object, weights: str | pd.Series | None) -> pd.Series | None:
    """Resolve ``weights``: a survey column name, a Series, or ``None`` for the survey's own.

    Checked by the one weight rule (:func:`textmine.survey.resolve_weights`).
    """
    from textmine.survey import resolve_weights

    return resolve_weights(survey, weights)


def crosstab(
    answers: pd.DataFrame,
    themes: pd.DataFrame,
    survey: object,
    by: str | Sequence[str],
    *,
    options: TableOptions = TableOptions(),
    weights: str | pd.Series | None = None,
) -> pd.DataFrame:
    """Cross the themes of a run with closed questions of the survey.

    Parameters
    ----------
    answers, themes : DataFrame
        ``answers.csv`` and ``themes.csv`` of a themes run.
    survey : textmine.survey.Survey
        The survey the answers come from.
    by : str or sequence of str
        Closed question name(s); Benjamini–Hochberg runs across all of them together.
    options : TableOptions
        Thresholds, permutations, seed, inclusion of non-answers.
    weights : str, Series or None
        Weight column name, weights Series, or ``None`` for the survey's declared weights (if
        any; unweighted otherwise).

    Returns
    -------
    DataFrame
        See :func:`crosstab_frame`.
    """
    names = [by] if isinstance(by, str) else list(by)
    questions = [closed_data(survey, name) for name in names]
    return crosstab_frame(
        answers,
        themes,
        questions,
        weights=survey_weight_series(survey, weights),
        options=options,
    )
