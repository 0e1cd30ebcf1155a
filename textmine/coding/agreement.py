"""Agreement between two coders, and between the coder model and the humans.

Between coders, the units are the answers that *both* coders coded: an answer one coder did not
code is "not coded", never "no code applies", so it cannot count as agreement on absence (counting
every blank row of a survey as agreement inflates percent agreement and kappa). The survey's ids
are needed to refuse codes given to respondents the survey does not have.
Cohen's kappa and precision/recall/F1 come from :mod:`sklearn.metrics` (a kept dependency);
textmine only fixes what an undefined value is (NaN, not a warning and 0). Krippendorff's alpha
(nominal) is computed here from its definition so that the library does not depend on the
``krippendorff`` package for one function; the tests check it against that package.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support
from sklearn.model_selection import KFold

from textmine.coding.learn import MultiLabelCoder, as_term_lists, expected_block
from textmine.config import CodingOptions
from textmine.errors import DataError

_DEFAULTS = CodingOptions()

#: Pseudo-code of the row that pools every (respondent, code) decision.
ALL_CODES = "(all codes)"

#: Uniform score thresholds of the coverage/precision trade-off table.
TRADEOFF_TARGETS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def percent_agreement(a: Sequence, b: Sequence) -> float:
    """Share of units on which two coders gave the same value."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 1:
        raise DataError(f"Both coders must rate the same units; got {a.shape} and {b.shape}.")
    return float(np.mean(a == b)) if len(a) else float("nan")


def cohen_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's kappa of two coders on nominal values; NaN when chance agreement is 1.

    Parameters
    ----------
    a, b : sequence of shape (n,)
        Values given by each coder to the same units.

    Returns
    -------
    float
        :func:`sklearn.metrics.cohen_kappa_score` (Cohen 1960); NaN for no units or when both
        coders used one and the same value throughout (chance agreement 1: kappa is 0/0).

    Raises
    ------
    DataError
        If ``a`` and ``b`` are not 1-D sequences of the same length.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 1:
        raise DataError(f"Both coders must rate the same units; got {a.shape} and {b.shape}.")
    # Decided here rather than by scikit-learn, which warns and only lets the caller choose the
    # undefined value from version 1.6 on (replace_undefined_by); the pin allows 1.5.
    if not len(a) or np.unique(np.concatenate([a, b])).size < 2:
        return float("nan")
    return float(cohen_kappa_score(a, b))


def krippendorff_alpha(data: np.ndarray | Sequence[Sequence[float]]) -> float:
    """Krippendorff's alpha for nominal data.

    Parameters
    ----------
    data : array-like of shape (n_coders, n_units)
        Values given by each coder to each unit; NaN marks a missing value. Units with fewer than
        two values are not pairable and are ignored.

    Returns
    -------
    float
        ``1 - D_o / D_e``; NaN when the data hold a single value (no expected disagreement).
    """
    arr = np.asarray(data, dtype=float)
    if arr.ndim != 2:
        raise DataError(f"Reliability data must be coders x units; got shape {arr.shape}.")
    values = np.unique(arr[~np.isnan(arr)])
    if len(values) == 0:
        return float("nan")
    # counts[u, v]: how many coders gave value v to unit u.
    counts = np.stack([(arr == v).sum(axis=0) for v in values], axis=1).astype(float)
    m = counts.sum(axis=1)
    counts, m = counts[m >= 2], m[m >= 2]
    if not len(m):
        return float("nan")
    # Coincidence matrix: each unit contributes its ordered value pairs weighted by 1/(m_u - 1).
    weighted = counts / (m - 1)[:, None]
    o = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    n_c = o.sum(axis=1)
    n = n_c.sum()
    d_o = o.sum() - np.trace(o)
    d_e = (n_c.sum() ** 2 - (n_c**2).sum()) / (n - 1)
    if np.isclose(d_e, 0.0):
        return float("nan")
    return float(1.0 - d_o / d_e)


def _align(
    coded: pd.DataFrame, ids: Sequence[str], codes: Sequence[str]
) -> np.ndarray:
    """0/1 matrix (ids x codes) of coded answers; a code absent from ``coded`` is 0 (absence).

    Every id must be a coded answer of ``coded``: the coder read it and gave it codes (or none).
    """
    # Ids are compared as text: a frame indexed by integers must not silently match nothing.
    coded = coded.set_axis(coded.index.map(str))
    return (
        coded.reindex(index=[str(i) for i in ids], columns=list(codes))
        .fillna(0).to_numpy(dtype=int)
    )


def coder_agreement(
    a: pd.DataFrame, b: pd.DataFrame, *, ids: Sequence[str], codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per-code agreement of two coders on the answers both of them coded.

    Parameters
    ----------
    a, b : DataFrame
        0/1 codes of each coder (index: respondent ids of the answers that coder coded, one
        column per code), as returned by :func:`textmine.coding.read_coded`; a row of zeros is
        an answer coded with no code.
    ids : sequence of str
        Every respondent id of the survey; a coded id outside it is refused.
    codes : sequence of str, optional
        Codes to compare; default the union of both coders' columns (first coder's order first).

    Returns
    -------
    DataFrame
        One row per code plus a pooled ``(all codes)`` row: ``code``, ``n_units`` (answers coded
        by both coders; pairs for the pooled row), ``n_only_a``, ``n_only_b`` (answers coded by
        one coder only, left out), ``n_a``, ``n_b``, ``n_both``, ``percent_agreement``,
        ``cohen_kappa``, ``krippendorff_alpha``.

    Raises
    ------
    DataError
        If a coded id is not in the survey, or no answer was coded by both coders.
    """
    ids = [str(i) for i in ids]
    a_ids, b_ids = list(map(str, a.index)), list(map(str, b.index))
    unknown = sorted((set(a_ids) | set(b_ids)) - set(ids))
    if unknown:
        raise DataError(
            f"{len(unknown)} coded respondent id(s) are not in the survey: "
            f"{', '.join(unknown[:3])}; check --id-col."
        )
    in_b = set(b_ids)
    both = [i for i in a_ids if i in in_b]
    if not both:
        raise DataError(
            f"No answer was coded by both coders ({len(a_ids)} and {len(b_ids)} coded answers); "
            "agreement needs answers that both coded."
        )
    only_a, only_b = len(a_ids) - len(both), len(b_ids) - len(both)
    if codes is None:
        codes = list(dict.fromkeys([*map(str, a.columns), *map(str, b.columns)]))
    A, B = _align(a, both, codes), _align(b, both, codes)
    rows = []
    for j, code in enumerate(codes):
        rows.append(_agreement_row(code, A[:, j], B[:, j], only_a, only_b))
    rows.append(_agreement_row(ALL_CODES, A.ravel(), B.ravel(), only_a, only_b))
    return pd.DataFrame(rows)


def _agreement_row(code: str, x: np.ndarray, y: np.ndarray, only_a: int, only_b: int) -> dict:
    return {
        "code": code,
        "n_units": len(x),
        "n_only_a": only_a,
        "n_only_b": only_b,
        "n_a": int(x.sum()),
        "n_b": int(y.sum()),
        "n_both": int((x & y).sum()),
        "percent_agreement": percent_agreement(x, y),
        "cohen_kappa": cohen_kappa(x, y),
        "krippendorff_alpha": krippendorff_alpha(np.vstack([x, y])),
    }


def _prf(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of 0/1 predictions; NaN where a ratio is 0/0.

    :func:`sklearn.metrics.precision_recall_fscore_support` with ``zero_division=nan``: precision
    is undefined when nothing was assigned, recall when nothing was coded, F1 when neither (an
    undefined score reported as 0 would read as a bad coder).
    """
    p, r, f, _ = precision_recall_fscore_support(
        np.asarray(truth, dtype=int), np.asarray(pred, dtype=int),
        average="binary", pos_label=1, labels=[0, 1], zero_division=np.nan,
    )
    return float(p), float(r), float(f)


def model_agreement(
    X: Sequence[Sequence[str] | str],
    Y: pd.DataFrame,
    *,
    coder: MultiLabelCoder | None = None,
    cv_folds: int = _DEFAULTS.cv_folds,
    random_state: int = _DEFAULTS.seed,
    targets: Sequence[float] = TRADEOFF_TARGETS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cross-validated agreement between the coder model and the human codes.

    :func:`nested_agreement` without the expected-precision block.
    """
    per_code, tradeoff, _ = nested_agreement(
        X, Y, coder=coder, cv_folds=cv_folds, random_state=random_state, targets=targets
    )
    return per_code, tradeoff


def outer_coders(
    docs: list, Y: pd.DataFrame, base: MultiLabelCoder, *, cv_folds: int, random_state: int,
) -> Iterator[tuple[np.ndarray, MultiLabelCoder]]:
    """The outer folds of :func:`nested_agreement`: for each, the held-out rows (indices into
    ``docs``) and a clone of ``base`` fitted on the other rows (its thresholds chosen by its own
    inner cross-validation). ``docs``: term lists (:func:`as_term_lists`), ``Y``: 0/1 codes."""
    folds = KFold(cv_folds, shuffle=True, random_state=random_state)
    for train, test in folds.split(docs):
        yield test, clone(base).fit([docs[i] for i in train], Y.iloc[train])


def nested_agreement(
    X: Sequence[Sequence[str] | str],
    Y: pd.DataFrame,
    *,
    coder: MultiLabelCoder | None = None,
    cv_folds: int = _DEFAULTS.cv_folds,
    random_state: int = _DEFAULTS.seed,
    targets: Sequence[float] = TRADEOFF_TARGETS,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Nested cross-validated agreement between the coder model and the human codes.

    Each outer fold refits a clone of ``coder`` (thresholds chosen by its own inner
    cross-validation) and codes the held-out answers as it would code uncoded ones.

    Parameters
    ----------
    X : sequence of term lists
        Terms of the coded answers.
    Y : DataFrame
        0/1 human codes (one column per code), same rows as ``X``.
    coder : MultiLabelCoder, optional
        Unfitted coder to evaluate; default ``MultiLabelCoder()``.
    cv_folds, random_state : int
        Outer cross-validation.
    targets : sequence of float
        Target precisions of the trade-off table.

    Returns
    -------
    per_code : DataFrame
        ``code``, ``n_coded`` (answers with the code), ``n_assigned``, ``precision``, ``recall``,
        ``f1``, ``cohen_kappa``, plus a pooled ``(all codes)`` row (micro-averages).
    tradeoff : DataFrame
        ``target_precision``, ``coverage`` (share of held-out answers given at least one code),
        ``precision`` of the assigned codes, ``recall``, ``f1``, ``n_assigned``, ``n_right``
        (right assigned codes: below :data:`~textmine.coding.learn.POOLED_MIN_HELDOUT_RIGHT`
        a run withholds its automatic codes at that target).
    expected : dict
        :func:`textmine.coding.learn.expected_block` of the outer folds at the coder's target:
        the expected precision of automatic codes and share coded automatically, with
        intervals (thresholds chosen by each outer fold's own inner cross-validation).
    """
    docs = as_term_lists(X)
    Ya = Y.to_numpy(dtype=int)
    if len(docs) < cv_folds:
        raise DataError(
            f"Only {len(docs)} coded answers for {cv_folds}-fold cross-validation; "
            f"code at least {cv_folds} answers."
        )
    base = coder if coder is not None else MultiLabelCoder(random_state=random_state)
    pred = np.zeros_like(Ya)
    by_target = {t: np.zeros_like(Ya) for t in targets}
    for test, fold_coder in outer_coders(docs, Y, base, cv_folds=cv_folds,
                                         random_state=random_state):
        scores = fold_coder.predict_proba([docs[i] for i in test])
        pred[test] = fold_coder.decide(scores)
        for t in targets:
            by_target[t][test] = fold_coder.decide(scores, fold_coder.thresholds_for(t))
    rows = []
    for j, code in enumerate(Y.columns):
        p, r, f = _prf(pred[:, j], Ya[:, j])
        rows.append(
            {"code": str(code), "n_coded": int(Ya[:, j].sum()), "n_assigned": int(pred[:, j].sum()),
             "precision": p, "recall": r, "f1": f, "cohen_kappa": cohen_kappa(pred[:, j], Ya[:, j])}
        )
    p, r, f = _prf(pred.ravel(), Ya.ravel())
    rows.append(
        {"code": ALL_CODES, "n_coded": int(Ya.sum()), "n_assigned": int(pred.sum()),
         "precision": p, "recall": r, "f1": f, "cohen_kappa": cohen_kappa(pred.ravel(), Ya.ravel())}
    )
    trade = []
    for t in targets:
        P = by_target[t]
        p, r, f = _prf(P.ravel(), Ya.ravel())
        trade.append(
            {"target_precision": t, "coverage": float((P.sum(axis=1) > 0).mean()),
             "precision": p, "recall": r, "f1": f, "n_assigned": int(P.sum()),
             "n_right": int((P & Ya).sum())}
        )
    expected = expected_block(pred, Ya, target_precision=base.target_precision)
    return pd.DataFrame(rows), pd.DataFrame(trade), expected
