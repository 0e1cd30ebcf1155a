"""Survey weights: one rule, checked in one place for every entry.

Weights reach textmine three ways (``--weights`` of the commands, ``ReadOptions.weights`` and
``[survey] weights`` of the project file); all three name a column that the survey reader checks
with :func:`check_weights`, and the tables take the checked weights from the survey
(:func:`textmine.survey.resolve_weights`). The rule:

- weights are numbers >= 0;
- a weight of 0 keeps the respondent in the unweighted counts and out of every weighted figure
  (weighted percentages, Rao–Scott tests, weighted effects); the run says how many
  (:func:`zero_weight_note`);
- a missing, negative or non-numeric weight is an error naming the first rows, and so is a
  column whose weights are all 0 (nothing would be left to weight).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from textmine.config import ReadOptions
from textmine.errors import DataError, DataQualityWarning, OptionError

__all__ = ["check_weights", "check_weights_role", "warn_zero_weights", "weights_read_options",
           "zero_weight_note"]

#: How many offending rows an error message names.
_SHOWN = 3


#: Bounds on positive weights (see ``check_weights``).
_TINY, _HUGE, _MAX_SPREAD = 1e-100, 1e100, 1e12


def _respondent(label: Hashable) -> str:
    return f"respondent '{label}'"


def check_weights(
    numbers: pd.Series,
    column: str,
    *,
    raw: pd.Series | None = None,
    row_name: Callable[[Hashable], str] = _respondent,
) -> pd.Series:
    """Check survey weights against the one rule and return them as floats.

    Parameters
    ----------
    numbers : Series
        The weights as numbers (``NaN`` where the cell is empty or not a number).
    column : str
        Name of the weight column (for messages).
    raw : Series, optional
        The cells as written (same index), to tell "missing" from "not a number" in messages.
    row_name : callable
        Turns an index label into the words naming the row (default: ``respondent '<id>'``).

    Returns
    -------
    Series
        ``numbers`` as float, unchanged.

    Raises
    ------
    DataError
        A weight is missing, negative, infinite or not a number (the first rows are named),
        positive weights fall outside 1e-100..1e100 or span more than a factor 1e12, or every
        weight is 0.
    """
    w = pd.to_numeric(numbers, errors="coerce").astype(float)
    bad = ~np.isfinite(w.to_numpy()) | (w.to_numpy() < 0)
    if bad.any():
        shown = []
        for label in w.index[bad][:_SHOWN]:
            value = w.loc[label]
            written = None if raw is None else raw.loc[label]
            if pd.notna(value):
                what = f"{value:g}"
            elif written is not None and pd.notna(written) and str(written).strip():
                what = f"'{str(written).strip()}'"
            else:
                what = "missing"
            shown.append(f"{row_name(label)}: {what}")
        more = f" and {int(bad.sum()) - len(shown)} more" if bad.sum() > len(shown) else ""
        n_bad = int(bad.sum())
        rows = "1 row has" if n_bad == 1 else f"{n_bad} rows have"
        raise DataError(
            f"{rows} an invalid weight in column '{column}' ({'; '.join(shown)}{more}); "
            "weights must be numbers >= 0: correct these cells (weight 0 keeps a respondent "
            "out of the weighted figures)."
        )
    positive = w[w > 0]
    if len(positive) and not (
        _TINY < positive.min() and positive.max() < _HUGE
        and positive.max() / positive.min() <= _MAX_SPREAD
    ):
        # Beyond these bounds sums overflow or underflow in float64 and every weighted figure
        # (shares, Rao-Scott, Cramér's V) would be inf/NaN or dominated by one respondent.
        low, high = positive.idxmin(), positive.idxmax()
        raise DataError(
            f"The weights in column '{column}' range from {positive.min():g} "
            f"({row_name(low)}) to {positive.max():g} ({row_name(high)}); "
            f"positive weights must lie between {_TINY:g} and {_HUGE:g} and within a factor "
            f"of {_MAX_SPREAD:g} of each other: rescale or correct the weight column."
        )
    if not (w > 0).any():
        raise DataError(
            f"All weights in column '{column}' are 0; check the weight column or leave out "
            "--weights for unweighted tables."
        )
    return w


def zero_weight_note(weights: pd.Series | None) -> str | None:
    """The counted note on respondents of weight 0, or ``None`` when there are none."""
    if weights is None:
        return None
    n = int((weights == 0).sum())
    if not n:
        return None
    who = "1 respondent has" if n == 1 else f"{n} respondents have"
    return f"{who} weight 0 and {'is' if n == 1 else 'are'} left out of weighted figures."


def warn_zero_weights(weights: pd.Series) -> None:
    """Warn once (``DataQualityWarning``) when some respondents have weight 0."""
    note = zero_weight_note(weights)
    if note:
        warnings.warn(note, DataQualityWarning, stacklevel=3)


def check_weights_role(
    weights: str | None,
    *,
    id_col: str | None = None,
    text_col: str | None = None,
    by: Sequence[str] = (),
) -> None:
    """Refuse a weight column that plays another role in the same command.

    Parameters
    ----------
    weights : str or None
        The weight column (``--weights``).
    id_col, text_col : str or None
        The id column (``--id-col``) and the open question analysed (``--text-col``).
    by : sequence of str
        The closed questions crossed (``--by``).

    Raises
    ------
    OptionError
        ``weights`` is the id column, the open question or one of the ``--by`` questions.
    """
    if weights is None:
        return
    role = (
        "the id column (--id-col)" if weights == id_col
        else "the open question analysed (--text-col)" if weights == text_col
        else "also a --by question" if weights in tuple(by)
        else None
    )
    if role is not None:
        raise OptionError(
            f"The weight column '{weights}' is {role}; give --weights the column holding "
            "the survey weights (numbers >= 0), or leave it out."
        )


def weights_read_options(
    options: ReadOptions,
    weights: str | None,
    *,
    text_col: str | None = None,
    by: Sequence[str] = (),
) -> ReadOptions:
    """Fold a command's ``--weights`` into the read options, so the reader checks it.

    Parameters
    ----------
    options : ReadOptions
        The read options (``weights`` may already be set, from the project file).
    weights : str or None
        The command's ``--weights``.
    text_col : str, optional
        The open question analysed: it cannot be the weight column.
    by : sequence of str
        The closed questions crossed: none of them can be the weight column.

    Raises
    ------
    OptionError
        ``weights`` and ``options.weights`` name two different columns, or the weight column
        is also the id column, the open question or a ``--by`` question
        (:func:`check_weights_role`).
    """
    if weights is not None and weights != options.weights:
        if options.weights is not None:
            raise OptionError(
                f"Two weight columns given ('{options.weights}' and '{weights}'); give one."
            )
        options = replace(options, weights=weights)
    check_weights_role(options.weights, id_col=options.id_col, text_col=text_col, by=by)
    return options
