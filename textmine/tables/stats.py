"""Statistics of contingency tables: tests, effect sizes, residuals, multiple testing.

Plain functions on NumPy arrays (rows x columns of counts), so that each can be checked against
scipy/statsmodels on hand-made tables. The tables of :mod:`textmine.tables.crosstab` are
"mentions the theme (yes/no)" x "modality of a closed question", but nothing here assumes two rows
unless the name says so.

Test choice (:func:`independence_test`): Pearson chi-square without continuity correction when
every expected count is at least ``min_expected`` (Cochran's rule, 5 by default); otherwise
Fisher's exact test for a 2x2 table and a Monte-Carlo exact test (random tables with the observed
margins, seeded) for larger ones. With survey weights the test is always the Rao–Scott
first-order corrected chi-square (:func:`rao_scott_chi2`): no exact test exists for weighted data.

Generic methods are delegated to the libraries that maintain them, so that textmine only adds the
survey-specific choices (dropping empty rows/columns, NaN for untestable tables, seeds):
Pearson chi-square and expected counts to :func:`scipy.stats.chi2_contingency`, Cramér's V to
:func:`scipy.stats.contingency.association`, the Monte-Carlo test to ``chi2_contingency`` with a
:class:`scipy.stats.MonteCarloMethod` (scipy >= 1.15), Benjamini–Hochberg to
:func:`scipy.stats.false_discovery_control`, Wilson intervals to
:func:`statsmodels.stats.proportion.proportion_confint`. The Rao–Scott correction stays
hand-written: no Python library implements it for a weights-only design.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Names written in the ``test`` column of the tables.
CHI2 = "chi-square"
FISHER = "fisher-exact"
MONTE_CARLO = "monte-carlo"
RAO_SCOTT = "rao-scott chi-square"
MANN_WHITNEY = "mann-whitney"
KRUSKAL = "kruskal-wallis"
NO_TEST = "none"


@dataclass(frozen=True)
class TestResult:
    """Outcome of one test of independence.

    Attributes
    ----------
    statistic : float
        Test statistic (chi-square, U or H for rank tests); NaN if untestable.
    p_value : float
        Two-sided p-value; NaN when the table is degenerate (a margin has a single non-empty level).
    test : str
        Name of the test used (one of the module constants).
    dof : int
        Degrees of freedom of the chi-square statistic (0 if not applicable).
    """

    statistic: float
    p_value: float
    test: str
    dof: int = 0


def _as_table(table: np.ndarray) -> np.ndarray:
    arr = np.asarray(table, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D table, got shape {arr.shape}")
    return arr


def drop_empty(table: np.ndarray) -> np.ndarray:
    """Remove all-zero rows and columns (they carry no information and break expected counts)."""
    return table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]


def expected_counts(table: np.ndarray) -> np.ndarray:
    """Expected counts under independence, ``row total * column total / grand total``.

    Parameters
    ----------
    table : array of shape (r, c)
        Counts (weighted counts allowed).

    Returns
    -------
    ndarray of shape (r, c)
        :func:`scipy.stats.contingency.expected_freq` of the table; all zeros for an empty table
        (scipy would divide by zero).

    Raises
    ------
    ValueError
        If ``table`` is not 2-D.
    """
    t = _as_table(table)
    if t.sum() == 0:
        return np.zeros_like(t)
    return np.asarray(stats.contingency.expected_freq(t), dtype=float)


def pearson_chi2(table: np.ndarray) -> tuple[float, int, float]:
    """Pearson chi-square statistic without continuity correction.

    Parameters
    ----------
    table : array of shape (r, c)
        Counts (weighted counts allowed).

    Returns
    -------
    (statistic, dof, p_value)
        From :func:`scipy.stats.chi2_contingency` with ``correction=False`` (Yates' correction
        would otherwise apply to 2x2 tables; the tables report the plain Pearson statistic, as
        Cochran's rule assumes). Empty rows/columns are dropped first, and a table with fewer than
        two non-empty rows or columns gives ``(nan, 0, nan)``.
    """
    t = drop_empty(_as_table(table))
    if min(t.shape) < 2:
        return math.nan, 0, math.nan
    res = stats.chi2_contingency(t, correction=False)
    return float(res.statistic), int(res.dof), float(res.pvalue)


def adjusted_residuals(table: np.ndarray) -> np.ndarray:
    """Haberman's adjusted standardized residuals, ``(O - E) / sqrt(E (1 - r/N) (1 - c/N))``.

    Approximately standard normal under independence, so ``|r| > 1.96`` flags a cell over/under
    represented at the 5 % level (cell by cell, not corrected for multiplicity). Cells whose row
    or column holds the whole table (zero variance) get NaN.
    """
    t = _as_table(table)
    n = t.sum()
    if n == 0:
        return np.full_like(t, np.nan)
    e = expected_counts(t)
    row = t.sum(axis=1, keepdims=True) / n
    col = t.sum(axis=0, keepdims=True) / n
    var = e * (1 - row) * (1 - col)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = (t - e) / np.sqrt(var)
    return np.where(var > 0, res, np.nan)


def cramers_v(table: np.ndarray) -> float:
    """Cramér's V, ``sqrt(chi2 / (N (min(r, c) - 1)))`` (no bias correction); phi for 2x2.

    Parameters
    ----------
    table : array of shape (r, c)
        Counts; weighted (non-integer) counts are allowed.

    Returns
    -------
    float
        :func:`scipy.stats.contingency.association` (``method="cramer"``) of the table without
        its empty rows/columns; NaN if fewer than two rows or columns remain. scipy refuses
        non-integer tables, so weighted tables use the same formula on the Pearson statistic of
        :func:`pearson_chi2` (scipy's own definition).
    """
    t = drop_empty(_as_table(table))
    if min(t.shape) < 2:
        return math.nan
    whole = np.rint(t)
    if np.array_equal(t, whole):
        return float(stats.contingency.association(whole.astype(np.int64), method="cramer"))
    stat, _, _ = pearson_chi2(t)
    return float(math.sqrt(stat / (t.sum() * (min(t.shape) - 1))))


def fisher_2x2(table: np.ndarray) -> tuple[float, float]:
    """Fisher's exact test of a 2x2 table: ``(sample odds ratio, two-sided p-value)``."""
    t = np.asarray(table, dtype=np.int64)
    if t.shape != (2, 2):
        raise ValueError(f"Fisher's exact test needs a 2x2 table, got shape {t.shape}")
    res = stats.fisher_exact(t, alternative="two-sided")
    return float(res.statistic), float(res.pvalue)


def monte_carlo_chi2(
    table: np.ndarray, *, n_permutations: int = 10000, seed: int = 0
) -> tuple[float, float]:
    """Monte-Carlo exact test of independence using the Pearson chi-square statistic.

    Parameters
    ----------
    table : array of shape (r, c)
        Counts; rounded to integers (the test conditions on whole-respondent margins).
    n_permutations : int
        Number of random tables drawn.
    seed : int
        Seed of the random generator: the same seed gives the same p-value.

    Returns
    -------
    (statistic, p_value)
        ``scipy.stats.chi2_contingency(..., method=MonteCarloMethod(...))``: random tables with
        the observed margins are drawn by :class:`scipy.stats.random_table` and the p-value is
        ``(1 + #{X2_random >= X2_observed}) / (1 + n_permutations)`` (never 0, valid at any
        size; scipy compares with a relative tolerance so that ties count as extreme). NaN for
        a table with fewer than two non-empty rows or columns.
    """
    t = drop_empty(_as_table(table)).round().astype(np.int64)
    if min(t.shape) < 2:
        return math.nan, math.nan
    method = stats.MonteCarloMethod(n_resamples=n_permutations, rng=np.random.default_rng(seed))
    res = stats.chi2_contingency(t, correction=False, method=method)
    return float(res.statistic), float(res.pvalue)


def independence_test(
    table: np.ndarray,
    *,
    min_expected: float = 5.0,
    n_permutations: int = 10000,
    seed: int = 0,
) -> TestResult:
    """Test independence of rows and columns, choosing the test from the expected counts.

    Pearson chi-square (no continuity correction) if every expected count is
    ``>= min_expected``; else Fisher's exact test for a 2x2 table; else the Monte-Carlo exact
    test. All-zero rows/columns are dropped first; a table left with a single row or column is
    untestable (``test="none"``, p NaN).
    """
    t = drop_empty(_as_table(table))
    if min(t.shape) < 2:
        return TestResult(math.nan, math.nan, NO_TEST)
    stat, dof, p = pearson_chi2(t)
    if expected_counts(t).min() >= min_expected:
        return TestResult(stat, p, CHI2, dof)
    if t.shape == (2, 2):
        _, p_exact = fisher_2x2(t)
        return TestResult(stat, p_exact, FISHER, dof)
    stat, p_mc = monte_carlo_chi2(t, n_permutations=n_permutations, seed=seed)
    return TestResult(stat, p_mc, MONTE_CARLO, dof)


def cochran_armitage(
    successes: np.ndarray, totals: np.ndarray, scores: np.ndarray | None = None
) -> tuple[float, float]:
    """Cochran–Armitage test for a linear trend of a proportion across ordered groups.

    Parameters
    ----------
    successes, totals : array of int
        Respondents mentioning the theme and respondents, per ordered level.
    scores : array, optional
        Level scores; default ``0, 1, 2, ...`` (equally spaced).

    Returns
    -------
    (z, p_value)
        Signed z (positive: the proportion rises with the score) and the two-sided p-value. This
        is the classic statistic with variance ``p(1-p) [sum n t^2 - (sum n t)^2 / N]``; it equals
        the linear-by-linear association statistic times ``sqrt(N / (N - 1))``.
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(totals, dtype=float)
    t = np.arange(x.size, dtype=float) if scores is None else np.asarray(scores, dtype=float)
    keep = n > 0
    x, n, t = x[keep], n[keep], t[keep]
    big_n = n.sum()
    if x.size < 2 or big_n == 0:
        return math.nan, math.nan
    p = x.sum() / big_n
    var = p * (1 - p) * (np.sum(n * t**2) - np.sum(n * t) ** 2 / big_n)
    if var <= 0:
        return math.nan, math.nan
    z = float(np.sum(t * (x - n * p)) / math.sqrt(var))
    return z, float(2 * stats.norm.sf(abs(z)))


def mann_whitney(values: np.ndarray, group: np.ndarray) -> TestResult:
    """Mann–Whitney U test (two-sided, asymptotic with tie correction) of values by a 0/1 group."""
    v = np.asarray(values, dtype=float)
    g = np.asarray(group, dtype=bool)
    ok = ~np.isnan(v)
    a, b = v[ok & g], v[ok & ~g]
    if a.size == 0 or b.size == 0 or np.ptp(v[ok]) == 0:
        return TestResult(math.nan, math.nan, NO_TEST)
    res = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
    return TestResult(float(res.statistic), float(res.pvalue), MANN_WHITNEY)


def kruskal_wallis(values: np.ndarray, groups: np.ndarray) -> TestResult:
    """Kruskal–Wallis H test of values across groups (for example the primary theme)."""
    v = np.asarray(values, dtype=float)
    g = np.asarray(groups)
    ok = ~np.isnan(v)
    samples = [v[ok & (g == level)] for level in np.unique(g[ok])]
    samples = [s for s in samples if s.size]
    if len(samples) < 2 or np.ptp(v[ok]) == 0:
        return TestResult(math.nan, math.nan, NO_TEST)
    res = stats.kruskal(*samples)
    return TestResult(float(res.statistic), float(res.pvalue), KRUSKAL, len(samples) - 1)


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (false discovery rate); NaN entries stay NaN.

    Parameters
    ----------
    p_values : array of shape (m,)
        p-values, NaN for untestable tables.

    Returns
    -------
    ndarray of shape (m,)
        :func:`scipy.stats.false_discovery_control` (``method="bh"``) of the non-NaN p-values,
        ``p_adj(i) = min_{j >= i} (m / j) p_(j)`` capped at 1, with ``m`` the number of non-NaN
        p-values (an untestable table is not a test and must not inflate ``m``); NaN elsewhere.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def wilson_interval(
    successes: np.ndarray | float,
    totals: np.ndarray | float,
    *,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of proportions ``successes / totals`` (two-sided).

    Wilson's interval stays inside [0, 1] and behaves well for small groups and proportions near
    0 or 1, unlike the normal (Wald) interval (Wilson 1927; Brown, Cai & DasGupta 2001).

    Parameters
    ----------
    successes, totals : float or array of the same shape
        Counts and group sizes; non-integer (weighted) counts are allowed.
    level : float
        Confidence level; a one-sided bound at level ``1 - a`` is the bound of the two-sided
        interval at level ``1 - 2a``.

    Returns
    -------
    (low, high) : arrays of the broadcast shape
        :func:`statsmodels.stats.proportion.proportion_confint` with ``method="wilson"``, made
        exact at the ends: ``low = 0`` when ``successes = 0`` and ``high = 1`` when
        ``successes = totals``. In floating point the formula leaves ``~1e-17`` there, a lower
        bound above the estimate 0, which made error bars ``p - low`` negative (matplotlib refuses
        them). Totals of zero give NaN bounds.
    """
    from statsmodels.stats.proportion import proportion_confint  # heavy import, used here only

    k = np.asarray(successes, dtype=float)
    n = np.asarray(totals, dtype=float)
    k, n = np.broadcast_arrays(k, n)
    valid = n > 0
    safe_n = np.where(valid, n, 1.0)  # avoid 0/0 warnings; masked below
    low, high = proportion_confint(np.clip(k, 0, safe_n), safe_n, alpha=1 - level,
                                   method="wilson")
    low = np.where(k <= 0, 0.0, np.clip(low, 0.0, 1.0))
    high = np.where(k >= n, 1.0, np.clip(high, 0.0, 1.0))
    return np.where(valid, low, np.nan), np.where(valid, high, np.nan)


def rao_scott_chi2(
    rows: np.ndarray, cols: np.ndarray, weights: np.ndarray
) -> tuple[float, float, float, int]:
    """Rao–Scott first-order corrected chi-square for weighted respondent data.

    Parameters
    ----------
    rows, cols : array
        Row and column category of each respondent (any sortable codes).
    weights : array of float
        Survey weights (positive).

    Returns
    -------
    (statistic, p_value, mean_design_effect, dof)
        ``X2_RS = X2_w / delta``, referred to chi-square with ``(r-1)(c-1)`` degrees of freedom.

    Notes
    -----
    ``X2_w = n * sum (p_ij - p_i. p_.j)^2 / (p_i. p_.j)`` is Pearson's statistic on the weighted
    cell proportions ``p`` scaled to the unweighted sample size ``n``. ``delta`` is the mean
    eigenvalue (trace / dof) of the generalised design-effect matrix of the interaction
    contrasts, ``(C' D^-1 C / n)^-1 (C' D^-1 V D^-1 C)``, with ``D = diag(p)``, ``C`` the
    interaction columns made orthogonal to the main effects, and ``V`` the linearised covariance
    of the weighted cell proportions under a with-replacement design in which every respondent is
    their own primary unit. This is the ``statistic = "Chisq"`` correction of R's
    ``survey::svychisq`` for a design given by weights only: it captures the unequal-weighting
    effect, not strata or clusters (unknown to textmine). With equal weights ``delta = n/(n-1)``.

    Why hand-written: neither scipy nor statsmodels offers a design-based test of independence
    (statsmodels' ``Table`` assumes multinomial sampling), and ``samplics`` would add a heavy
    dependency for this one statistic. The p-values equal R's
    ``survey::svychisq(statistic = "Chisq")`` to 7 digits on weighted tables (checked by hand)
    and the tests check the design effect against Rao & Scott's closed form (1984, eq. 4.4).

    References
    ----------
    Rao, J. N. K. & Scott, A. J. (1981). The analysis of categorical data from complex sample
    surveys: chi-squared tests for goodness of fit and independence in two-way tables. *Journal
    of the American Statistical Association*, 76(374), 221–230.

    Rao, J. N. K. & Scott, A. J. (1984). On chi-squared tests for multiway contingency tables
    with cell proportions estimated from survey data. *The Annals of Statistics*, 12(1), 46–60.

    Lumley, T. R package ``survey``, function ``svychisq`` (``statistic = "Chisq"``).
    """
    w = np.asarray(weights, dtype=float)
    r_codes, r_idx = np.unique(np.asarray(rows), return_inverse=True)
    c_codes, c_idx = np.unique(np.asarray(cols), return_inverse=True)
    nr, nc = r_codes.size, c_codes.size
    n = w.size
    if nr < 2 or nc < 2 or n < 2:
        return math.nan, math.nan, math.nan, 0
    cells = r_idx + nr * c_idx  # rows vary fastest
    z = np.zeros((n, nr * nc))
    z[np.arange(n), cells] = 1.0
    p = w @ z / w.sum()
    pr = np.bincount(np.arange(nr * nc) % nr, weights=p, minlength=nr)
    pc = np.bincount(np.arange(nr * nc) // nr, weights=p, minlength=nc)
    e = np.outer(pr, pc).ravel(order="F")
    x2 = float(n * np.sum((p - e) ** 2 / e))
    dof = (nr - 1) * (nc - 1)
    if (p == 0).any():
        # An empty cell makes D singular; the design effect of a weighting-only design is then
        # approximated by Kish's (documented fallback, rare for theme x modality tables).
        delta = kish_design_effect(w)
    else:
        infl = w[:, None] * (z - p) / w.sum()
        v = n / (n - 1) * infl.T @ infl
        r_of, c_of = np.arange(nr * nc) % nr, np.arange(nr * nc) // nr
        main = np.column_stack(
            [np.ones(nr * nc)]
            + [(r_of == i).astype(float) for i in range(1, nr)]
            + [(c_of == j).astype(float) for j in range(1, nc)]
        )
        inter = np.column_stack(
            [((r_of == i) & (c_of == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
        )
        q, _ = np.linalg.qr(main)
        cmat = inter - q @ (q.T @ inter)
        idp = cmat / p[:, None]  # D^-1 C
        denom = cmat.T @ idp / n
        numer = idp.T @ v @ idp
        delta = float(np.trace(np.linalg.solve(denom, numer)) / dof)
    if not delta > 0:
        return x2, math.nan, math.nan, dof
    stat = x2 / delta
    return stat, float(stats.chi2.sf(stat, dof)), delta, dof


def kish_design_effect(weights: np.ndarray) -> float:
    """Kish's design effect of unequal weighting, ``n sum w^2 / (sum w)^2`` (1 if weights equal)."""
    w = np.asarray(weights, dtype=float)
    return float(w.size * np.sum(w**2) / w.sum() ** 2)
