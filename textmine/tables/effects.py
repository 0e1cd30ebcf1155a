"""Effects model: logistic regression of "mentions the theme" on chosen closed questions.

The survey researcher's version of stm's ``estimateEffect``: for each theme, a logistic
regression (statsmodels GLM, binomial family, logit link) of the respondent-level indicator
"mentions the theme" on the covariates together, so each odds ratio is adjusted for the others.

Coding of covariates:

- single choice: one dummy per level against a reference level, the most frequent one (the most
  stable comparison); ordinal: against the first level; the ``reference`` column names it;
- multiple choice: one 0/1 covariate per option (reference: not ticked);
- numeric: the value itself (odds ratio per unit).

Respondents missing any covariate are left out (``n`` gives the size used). With survey weights
the fit is pseudo-maximum-likelihood (weights normalised to the sample size as ``var_weights``)
with sandwich (HC0) standard errors, which approximates ``survey::svyglm`` without strata or
clusters. Wald 95 % confidence intervals. A theme whose fit does not converge or shows perfect
separation gets NaN estimates and a ``note``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import statsmodels.api as sm

from textmine.config import TableOptions
from textmine.errors import DataError, OptionError
from textmine.survey.weights import check_weights
from textmine.tables.crosstab import (
    KINDS,
    ClosedData,
    _text_index,
    closed_data,
    survey_weight_series,
    ticked,
)
from textmine.tables.respondents import check_overlap, mentions_matrix, theme_labels
from textmine.tables.stats import benjamini_hochberg

log = logging.getLogger(__name__)

COLUMNS = [
    "theme_id",
    "label",
    "term",
    "covariate",
    "level",
    "reference",
    "odds_ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "n",
    "n_mentions",
    "note",
]

#: |log odds ratio| beyond this is treated as (quasi-)perfect separation, not an estimate.
MAX_ABS_COEF = 15.0


def design_matrix(
    covariates: Sequence[ClosedData], references: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Dummy-coded covariates and a description of each column.

    ``references`` names the reference level of a closed question (column -> level); without
    it, the first level of an ordinal question, the most frequent answer of another one.

    Returns
    -------
    (X, terms)
        ``X``: float DataFrame indexed by respondent id (NaN where a covariate is missing);
        ``terms``: one row per column of ``X`` with ``term``, ``covariate``, ``level``,
        ``reference``.
    """
    blocks: list[pd.DataFrame] = []
    info: list[dict[str, str]] = []
    for cov in covariates:
        if cov.kind not in KINDS:
            raise OptionError(
                f"Covariate '{cov.name}' has type '{cov.kind}'; effects need one of "
                f"{', '.join(KINDS)}."
            )
        data = _text_index(cov.data)
        if cov.kind == "numeric":
            values = pd.to_numeric(data, errors="coerce").astype(float)
            blocks.append(pd.DataFrame({cov.name: values}))
            info.append({"term": cov.name, "covariate": cov.name, "level": "", "reference": ""})
        elif cov.kind == "multiple":
            frame = data if isinstance(data, pd.DataFrame) else data.to_frame(cov.name)
            for col in frame.columns:
                name = f"{cov.name}[{col}]"
                blocks.append(pd.DataFrame({name: ticked(frame[col])}))
                info.append(
                    {
                        "term": name,
                        "covariate": cov.name,
                        "level": str(col),
                        "reference": "not ticked",
                    }
                )
        else:
            if isinstance(data, pd.DataFrame):
                raise DataError(
                    f"Covariate '{cov.name}' of type '{cov.kind}' has {data.shape[1]} columns; "
                    "only multiple-choice questions may have several."
                )
            cat = data if isinstance(data.dtype, pd.CategoricalDtype) else data.astype("category")
            cat = cat.cat.remove_unused_categories()
            levels = [str(lv) for lv in cat.cat.categories]
            if not levels:
                raise DataError(f"Covariate '{cov.name}' has no answers; drop it from --effects.")
            text = cat.astype(object).map(lambda v: v if pd.isna(v) else str(v))
            chosen = (references or {}).get(cov.name)
            if chosen is not None and chosen not in levels:
                raise OptionError(
                    f"Reference level '{chosen}' of '{cov.name}' is not one of its answers "
                    f"({', '.join(levels[:10])}); fix --reference {cov.name}=LEVEL."
                )
            if chosen is not None:
                ref = chosen
            elif cov.kind == "ordinal":
                ref = levels[0]
            else:
                ref = text.value_counts().idxmax()
            for lv in levels:
                if lv == ref:
                    continue
                name = f"{cov.name}[{lv}]"
                blocks.append(pd.DataFrame({name: (text == lv).astype(float).where(text.notna())}))
                info.append({"term": name, "covariate": cov.name, "level": lv, "reference": ref})
    x = pd.concat(blocks, axis=1) if blocks else pd.DataFrame()
    return x, pd.DataFrame(info, columns=["term", "covariate", "level", "reference"])


def fit_logit(
    y: np.ndarray, x: pd.DataFrame, weights: np.ndarray | None = None
) -> tuple[pd.DataFrame, str]:
    """Fit one logistic regression; returns per-term estimates and a note ("" if all is well).

    The returned frame has ``term``, ``odds_ratio``, ``ci_low``, ``ci_high``, ``p_value`` for
    every column of ``x`` (intercept excluded).
    """
    exog = sm.add_constant(x.to_numpy(float), has_constant="add")
    empty = pd.DataFrame(
        {
            "term": list(x.columns),
            "odds_ratio": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
        }
    )
    if y.min() == y.max():
        return empty, "theme mentioned by all or none: not estimable"
    kwargs: dict[str, object] = {}
    fit_kwargs: dict[str, object] = {}
    if weights is not None:
        kwargs["var_weights"] = weights * len(weights) / weights.sum()
        fit_kwargs["cov_type"] = "HC0"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = sm.GLM(y, exog, family=sm.families.Binomial(), **kwargs)
            res = model.fit(**fit_kwargs)
        except (np.linalg.LinAlgError, ValueError) as exc:
            return empty, f"fit failed: {exc}"
    params = np.asarray(res.params)[1:]
    ci = np.asarray(res.conf_int(alpha=0.05))[1:]
    pvals = np.asarray(res.pvalues)[1:]
    bad = ~np.isfinite(params) | (np.abs(params) > MAX_ABS_COEF)
    note = ""
    names = {w.category.__name__ for w in caught}
    if "PerfectSeparationWarning" in names:
        note = "perfect separation: estimates withheld"
        bad[:] = True
    elif "ConvergenceWarning" in names:
        note = "did not converge: estimates withheld"
        bad[:] = True
    elif bad.any():
        # An infinite coefficient drags the intercept along: no estimate of the model is sound.
        note = "quasi-perfect separation: estimates withheld"
        bad[:] = True
    with np.errstate(over="ignore"):
        odds, low, high = np.exp(params), np.exp(ci[:, 0]), np.exp(ci[:, 1])
    out = pd.DataFrame(
        {
            "term": list(x.columns),
            "odds_ratio": np.where(bad, np.nan, odds),
            "ci_low": np.where(bad, np.nan, low),
            "ci_high": np.where(bad, np.nan, high),
            "p_value": np.where(bad, np.nan, pvals),
        }
    )
    return out, note


def effects_frame(
    answers: pd.DataFrame,
    themes: pd.DataFrame,
    covariates: Sequence[ClosedData],
    *,
    weights: pd.Series | None = None,
    options: TableOptions = TableOptions(),
) -> pd.DataFrame:
    """Odds ratios of mentioning each theme, from plain pandas data (engine of :func:`effects`).

    Parameters
    ----------
    answers, themes : DataFrame
        ``answers.csv`` and ``themes.csv`` of a themes run.
    covariates : sequence of ClosedData
        Closed questions entered together in each model.
    weights : Series, optional
        Survey weights indexed by respondent id.
    options : TableOptions
        ``include_nonanswers`` sets the base.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`: one row per theme x model term.
    """
    if not covariates:
        raise OptionError("No covariate for the effects model; pass at least one --effects.")
    mentions = mentions_matrix(answers, themes, include_nonanswers=options.include_nonanswers)
    labels = theme_labels(themes)
    for cov in covariates:
        check_overlap(mentions.index, _text_index(cov.data).index, cov.name)
    # Levels and reference categories come from the respondents of the model (the base), not
    # the whole survey: a reference level nobody in the base has would make the odds ratios
    # meaningless.
    covariates = [
        replace(cov, data=_text_index(cov.data).reindex(mentions.index)) for cov in covariates
    ]
    x, terms = design_matrix(covariates, dict(options.reference))
    x = x.reindex(mentions.index)
    keep = x.notna().all(axis=1).to_numpy()
    w = None
    if weights is not None:
        checked = check_weights(_text_index(weights), str(weights.name or "weight"))
        # Weight 0 leaves the respondent out of the weighted fit (the one weight rule); a
        # respondent absent from ``weights`` (NaN after reindexing) is left out too.
        wser = checked.reindex(mentions.index)
        keep &= (wser > 0).to_numpy()
        w = wser.to_numpy(float)[keep]
    dropped = int((~keep).sum())
    if dropped:
        log.info(
            "%d respondents miss a covariate or weight and are left out of the effects.", dropped
        )
    x = x[keep]
    # A dummy that is constant among kept respondents cannot be estimated: drop it, say so.
    const = [c for c in x.columns if x[c].nunique() < 2]
    if const:
        log.warning(
            "%d covariate levels have no respondent left (e.g. %s); dropped.", len(const), const[0]
        )
        x = x.drop(columns=const)
    if x.shape[1] == 0 or len(x) <= x.shape[1] + 1:
        raise DataError(
            f"Only {len(x)} respondents have every covariate for {x.shape[1]} model terms; "
            "use fewer --effects questions."
        )
    parts = []
    for tid in mentions.columns:
        y = mentions.loc[keep, tid].to_numpy(float)
        est, note = fit_logit(y, x, w)
        est = terms.merge(est, on="term", how="inner")
        est.insert(0, "theme_id", tid)
        est.insert(1, "label", labels.get(tid, tid))
        est["n"] = len(y)
        est["n_mentions"] = int(y.sum())
        est["note"] = note
        if note:  # in effects.csv's note column and the report
            log.info("Theme %s (%s): %s.", tid, labels.get(tid, tid), note)
        parts.append(est)
    out = pd.concat(parts, ignore_index=True)
    # Benjamini-Hochberg over every odds ratio of the run, like the crosstabs' tests.
    out["p_adjusted"] = benjamini_hochberg(out["p_value"].to_numpy(float))
    return out[COLUMNS]


def effects(
    answers: pd.DataFrame,
    themes: pd.DataFrame,
    survey: object,
    covariates: str | Sequence[str],
    *,
    weights: str | pd.Series | None = None,
    options: TableOptions = TableOptions(),
) -> pd.DataFrame:
    """Logistic regression of "mentions the theme" on closed questions, one model per theme.

    Parameters
    ----------
    answers, themes : DataFrame
        ``answers.csv`` and ``themes.csv`` of a themes run.
    survey : textmine.survey.Survey
        The survey the answers come from.
    covariates : str or sequence of str
        Closed question names entered together.
    weights : str, Series or None
        Weight column, Series, or ``None`` for the survey's declared weights (if any).
    options : TableOptions
        ``include_nonanswers`` sets the base.

    Returns
    -------
    DataFrame
        ``theme_id, label, term, covariate, level, reference, odds_ratio, ci_low, ci_high,
        p_value, n, n_mentions, note``.
    """
    names = [covariates] if isinstance(covariates, str) else list(covariates)
    covs = [closed_data(survey, name) for name in names]
    w = survey_weight_series(survey, weights)
    return effects_frame(answers, themes, covs, weights=w, options=options)
