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
    """Expected counts under independence, ``row total * column total / grand total``."""
    t = _as_table(table)
    total = t.sum()
    if total == 0:
        return np.zeros_like(t)
    return np.outer(t.sum(axis=1), t.sum(axis=0)) / total


def pearson_chi2(table: np.ndarray) -> tuple[float, int, float]:
    """Pearson chi-square statistic without continuity correction.

    Returns ``(statistic, dof, p_value)``; empty rows/columns are dropped first, and a table with
    fewer than two non-empty rows or columns gives ``(nan, 0, nan)``.
    """
    t = drop_empty(_as_table(table))
    if min(t.shape) < 2:
        return math.nan, 0, math.nan
    e = expected_counts(t)
    stat = float(((t - e) ** 2 / e).sum())
    dof = (t.shape[0] - 1) * (t.shape[1] - 1)
    return stat, dof, float(stats.chi2.sf(stat, dof))


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
    """Cramér's V, ``sqrt(chi2 / (N (min(r, c) - 1)))`` (no bias correction); phi for 2x2."""
    t = drop_empty(_as_table(table))
    if min(t.shape) < 2:
        return math.nan
    stat, _, _ = pearson_chi2(t)
    return float(math.sqrt(stat / (t.sum() * (min(t.shape) - 1))))


def fisher_2x2(table: np.ndarray) -> tuple[float, float]:
    """Fisher's exact test of a 2x2 table: ``(sample odds ratio, two-sided p-value)``."""
    t = np.asarray(table, dtype=np.int64)
    if t.shape != (2, 2):
        raise ValueError(f"Fisher's exact test needs a 2x2 table, got shape {t.shape}")
    res = stats.fisher_exact(t, alternative="two-sided")
    return float(res.statistic), float(res.pvalue)


def random_tables(
    row_totals: np.ndarray, col_totals: np.ndarray, n_tables: int, rng: np.random.Generator
) -> np.ndarray:
    """Draw ``n_tables`` random tables with the given margins (uniform over permutations).

    Equivalent to shuffling the column labels of the respondents: each row is drawn from a
    multivariate hypergeometric distribution among the column totals not yet used.

    Returns an array of shape ``(n_tables, n_rows, n_cols)``.
    """
    rows = np.asarray(row_totals, dtype=np.int64)
    remaining = np.tile(np.asarray(col_totals, dtype=np.int64), (n_tables, 1))
    out = np.empty((n_tables, rows.size, remaining.shape[1]), dtype=np.int64)
    for i, size in enumerate(rows[:-1]):
        # One draw per table: the remaining column totals differ between tables after row 0.
        if i == 0:
            draws = rng.multivariate_hypergeometric(remaining[0], int(size), size=n_tables)
        else:
            draws = np.stack([rng.multivariate_hypergeometric(r, int(size)) for r in remaining])
        out[:, i, :] = draws
        remaining = remaining - draws
    out[:, -1, :] = remaining
    return out


def monte_carlo_chi2(
    table: np.ndarray, *, n_permutations: int = 10000, seed: int = 0
) -> tuple[float, float]:
    """Monte-Carlo exact test of independence using the Pearson chi-square statistic.

    Random tables are drawn with the observed margins (:func:`random_tables`) and the p-value is
    ``(1 + #{X2_random >= X2_observed}) / (1 + n_permutations)`` (never 0, valid at any size).
    Two rows (the case of the theme tables) are drawn in one vectorised call.

    Returns ``(statistic, p_value)``.
    """
    t = drop_empty(_as_table(table)).round().astype(np.int64)
    if min(t.shape) < 2:
        return math.nan, math.nan
    stat, _, _ = pearson_chi2(t)
    rng = np.random.default_rng(seed)
    sims = random_tables(t.sum(axis=1), t.sum(axis=0), n_permutations, rng).astype(float)
    e = expected_counts(t)
    sim_stats = ((sims - e) ** 2 / e).sum(axis=(1, 2))
    # Tolerance: equal statistics computed in a different order must count as "as extreme".
    hits = int(np.sum(sim_stats >= stat - 1e-9 * max(1.0, stat)))
    return stat, (1 + hits) / (1 + n_permutations)


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

    ``p_adj(i) = min_{j >= i} (m / j) p_(j)``, capped at 1, with ``m`` the number of non-NaN
    p-values.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    pv = p[ok]
    order = np.argsort(pv)
    ranked = pv[order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(ranked[::-1])[::-1]
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


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
