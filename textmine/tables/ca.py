"""Correspondence analysis (CA, French *analyse factorielle des correspondances*, AFC).

The lexical table of the French school of text statistics (terms x modalities of closed
questions, or themes/classes x modalities) analysed as in Benzécri (1973), *L'analyse des
données, tome 2*; Lebart, Morineau & Piron (1995), *Statistique exploratoire multidimensionnelle*,
ch. 1.4; Lebart & Salem (1994), *Statistique textuelle*, ch. 5; and FactoMineR's ``CA()``
(Husson, Lê, Pagès: *Exploratory Multivariate Analysis by Example Using R*, ch. 2), whose
results these match (``scripts/bench_ca.py``, docs/benchmarks.md).

Computation: the exact singular value decomposition (:func:`scipy.linalg.svd`) of the matrix of
standardised residuals ``S = D_r^{-1/2} (P - r c') D_c^{-1/2}``, with ``P = N / n`` and ``r``,
``c`` its row and column masses. Eigenvalues are the squared singular values; principal
coordinates are ``F = D_r^{-1/2} U Sigma`` (rows) and ``G = D_c^{-1/2} V Sigma`` (columns);
contributions are ``100 r_i F_ik^2 / lambda_k``; cos^2 is ``F_ik^2 / d_i^2`` with ``d_i^2`` the
chi-squared distance of the profile to the mean profile. Supplementary rows and columns are
placed by the transition formulas (``F_sup = profile_sup G / sqrt(lambda)``), so they never move
the axes.

Sign of the axes: an SVD fixes each axis only up to its sign, which changes between LAPACK
builds. The rule here: **on each axis, the active column with the largest absolute coordinate
is on the positive side** (ties: the first such column in table order). Reruns, machines and
versions therefore draw the same map. FactoMineR follows no such rule, so comparisons with it
are made up to the sign of each axis.

Stage ``tables`` (5): imports numpy, scipy, pandas and the shared pieces only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg

from textmine.errors import DataError

#: Eigenvalues below this share of the largest are numerical zeros (axes not kept).
_EIGEN_TOL = 1e-12
#: Smallest table a CA is run on: rows (terms, themes) and columns (modalities).
MIN_ROWS, MIN_COLUMNS = 3, 2


@dataclass
class CAResult:
    """The result of :func:`correspondence_analysis`.

    Attributes
    ----------
    table : DataFrame, shape (I, J)
        The active contingency table analysed (row labels as index, modalities as columns).
    eigenvalues : DataFrame, shape (K, 4)
        ``axis`` (1..K), ``eigenvalue``, ``percent``, ``cumulative_percent`` of the inertia.
    rows, columns : DataFrame
        One line per row (column) of the table, active first then supplementary: ``label``,
        ``mass``, ``dist2`` (squared chi-squared distance to the centroid), ``inertia``,
        ``dim_1..dim_K`` (principal coordinates), ``ctr_1..ctr_K`` (contributions in %, empty
        for supplementary points), ``cos2_1..cos2_K``, ``supplementary`` (bool).
    total_inertia : float
        Sum of the eigenvalues (= phi^2 = chi^2 / n of the table).
    n : float
        Grand total of the table.
    info : dict
        Sizes and the sign rule (for run.json).
    """

    table: pd.DataFrame
    eigenvalues: pd.DataFrame
    rows: pd.DataFrame
    columns: pd.DataFrame
    total_inertia: float
    n: float
    info: dict = field(default_factory=dict)

    @property
    def n_axes(self) -> int:
        """Number of axes kept (K)."""
        return len(self.eigenvalues)

    def coordinates(self, which: str = "rows", *, supplementary: bool | None = None
                    ) -> pd.DataFrame:
        """Coordinates ``dim_1..dim_K`` of the rows or columns, indexed by label."""
        frame = self.rows if which == "rows" else self.columns
        if supplementary is not None:
            frame = frame[frame["supplementary"] == supplementary]
        dims = [f"dim_{k}" for k in range(1, self.n_axes + 1)]
        return frame.set_index("label")[dims]


def _check_table(table: pd.DataFrame) -> np.ndarray:
    values = table.to_numpy(dtype=float)
    if values.ndim != 2 or not np.isfinite(values).all() or (values < 0).any():
        raise DataError("The table of a correspondence analysis must hold counts (finite, >= 0); "
                        "check the table given.")
    if table.shape[1] < MIN_COLUMNS:
        raise DataError(
            f"A correspondence analysis needs at least {MIN_COLUMNS} modalities; the table has "
            f"{table.shape[1]} ({', '.join(map(str, table.columns))}): choose a closed question "
            "with several answered modalities."
        )
    if table.shape[0] < MIN_ROWS:
        raise DataError(
            f"A correspondence analysis needs at least {MIN_ROWS} rows (terms, themes or "
            f"classes); the table has {table.shape[0]}: lower --min-freq or give more answers."
        )
    empty_rows = [str(x) for x, s in zip(table.index, values.sum(axis=1), strict=True) if s <= 0]
    if empty_rows:
        raise DataError(
            f"Row(s) {', '.join(empty_rows[:5])} of the table are empty (no count in any "
            "modality); drop them before the correspondence analysis."
        )
    empty_cols = [str(x) for x, s in zip(table.columns, values.sum(axis=0), strict=True)
                  if s <= 0]
    if empty_cols:
        raise DataError(
            f"Modality(ies) {', '.join(empty_cols[:5])} of the table are empty (no count); "
            "drop them before the correspondence analysis."
        )
    return values


def _frame(labels: Sequence, mass: np.ndarray, dist2: np.ndarray, coords: np.ndarray,
           ctr: np.ndarray | None, supplementary: bool) -> pd.DataFrame:
    k = coords.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        cos2 = np.where(dist2[:, None] > 0, coords**2 / dist2[:, None], 0.0)
    data: dict[str, object] = {"label": [str(x) for x in labels], "mass": mass, "dist2": dist2,
                               "inertia": mass * dist2 if not supplementary else np.nan}
    for j in range(k):
        data[f"dim_{j + 1}"] = coords[:, j]
    for j in range(k):
        data[f"ctr_{j + 1}"] = ctr[:, j] if ctr is not None else np.nan
    for j in range(k):
        data[f"cos2_{j + 1}"] = cos2[:, j]
    data["supplementary"] = supplementary
    return pd.DataFrame(data)


def correspondence_analysis(
    table: pd.DataFrame,
    *,
    supplementary_rows: pd.DataFrame | None = None,
    supplementary_columns: pd.DataFrame | None = None,
    n_axes: int | None = None,
) -> CAResult:
    """Correspondence analysis of a contingency table, with supplementary points.

    Parameters
    ----------
    table : DataFrame, shape (I, J)
        Active counts (non-negative), rows = terms/themes/classes, columns = modalities. At
        least 3 rows and 2 columns, no empty row or column.
    supplementary_rows : DataFrame, shape (I_s, J), optional
        Counts of other rows over the same columns (same column labels, in any order);
        projected without changing the axes. Empty rows are left out.
    supplementary_columns : DataFrame, shape (I, J_s), optional
        Counts of other modalities over the same rows (same index); projected likewise.
    n_axes : int, optional
        Axes kept in the coordinates (default: all non-null axes, at most ``min(I, J) - 1``).

    Returns
    -------
    CAResult

    Raises
    ------
    DataError
        Fewer than 3 rows or 2 columns, an empty row or column, negative or missing counts.

    Notes
    -----
    Matches FactoMineR ``CA(X, ncp=K, row.sup=..., col.sup=...)``: ``eig``, ``row$coord``,
    ``row$contrib``, ``row$cos2``, ``col$...``, ``row.sup$...``, ``col.sup$...``, up to the
    sign of each axis (see the module docstring for the sign rule).
    """
    values = _check_table(table)
    n = values.sum()
    P = values / n
    r = P.sum(axis=1)
    c = P.sum(axis=0)
    S = (P - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    U, sigma, Vt = linalg.svd(S, full_matrices=False, lapack_driver="gesdd")
    eig_all = sigma**2
    keep = int((eig_all > _EIGEN_TOL * max(eig_all.max(initial=0.0), 1e-300)).sum())
    keep = min(keep, min(values.shape) - 1)
    if keep == 0:
        raise DataError("The rows of the table all have the same profile (no inertia); there is "
                        "nothing for a correspondence analysis to show.")
    if n_axes is not None:
        keep = max(1, min(keep, int(n_axes)))
    U, sigma, V = U[:, :keep], sigma[:keep], Vt[:keep].T
    eig = sigma**2
    F = U * sigma / np.sqrt(r)[:, None]
    G = V * sigma / np.sqrt(c)[:, None]
    # Sign rule: the active column with the largest |coordinate| is positive on each axis.
    signs = np.sign(G[np.argmax(np.abs(G), axis=0), np.arange(keep)])
    signs[signs == 0] = 1.0
    F, G = F * signs, G * signs
    row_profiles = P / r[:, None]
    col_profiles = P / c[None, :]
    row_d2 = ((row_profiles - c) ** 2 / c).sum(axis=1)
    col_d2 = ((col_profiles - r[:, None]) ** 2 / r[:, None]).sum(axis=0)
    row_ctr = 100 * r[:, None] * F**2 / eig
    col_ctr = 100 * c[:, None] * G**2 / eig
    rows = [_frame(table.index, r, row_d2, F, row_ctr, False)]
    columns = [_frame(table.columns, c, col_d2, G, col_ctr, False)]
    if supplementary_rows is not None and len(supplementary_rows):
        sup = supplementary_rows.reindex(columns=table.columns, fill_value=0).astype(float)
        sup = sup[sup.sum(axis=1) > 0]
        if len(sup):
            prof = sup.to_numpy() / sup.to_numpy().sum(axis=1, keepdims=True)
            coords = prof @ G / sigma
            d2 = ((prof - c) ** 2 / c).sum(axis=1)
            rows.append(_frame(sup.index, sup.sum(axis=1).to_numpy() / n, d2, coords, None,
                               True))
    if supplementary_columns is not None and supplementary_columns.shape[1]:
        sup = supplementary_columns.reindex(index=table.index, fill_value=0).astype(float)
        sup = sup.loc[:, sup.sum(axis=0) > 0]
        if sup.shape[1]:
            prof = sup.to_numpy() / sup.to_numpy().sum(axis=0, keepdims=True)
            coords = prof.T @ F / sigma
            d2 = ((prof - r[:, None]) ** 2 / r[:, None]).sum(axis=0)
            columns.append(_frame(sup.columns, sup.sum(axis=0).to_numpy() / n, d2, coords,
                                  None, True))
    total = float(eig_all.sum())
    eigen = pd.DataFrame({
        "axis": np.arange(1, keep + 1),
        "eigenvalue": eig,
        "percent": 100 * eig / total,
        "cumulative_percent": 100 * np.cumsum(eig) / total,
    })
    info = {"rows": int(table.shape[0]), "columns": int(table.shape[1]), "n": float(n),
            "total_inertia": total, "axes": keep,
            "sign_rule": "largest |coordinate| active column positive on each axis"}
    return CAResult(table=table, eigenvalues=eigen, rows=pd.concat(rows, ignore_index=True),
                    columns=pd.concat(columns, ignore_index=True), total_inertia=total, n=float(n),
                    info=info)


def modality_labels(column: str, values: pd.Series, *, prefix: bool) -> pd.Series:
    """Column labels of a lexical table: the modality, or ``COL=modality`` when several
    questions share the table (so that two ``oui`` stay apart)."""
    text = values.astype("string")
    return (column + "=" + text) if prefix else text


def indicator(closed: pd.Series, column: str, *, prefix: bool) -> pd.DataFrame:
    """Disjunctive (0/1) table of one closed question, respondents x modalities.

    Parameters
    ----------
    closed : Series, length n
        The answers (index = respondent ids); missing answers give a row of zeros.
    column : str
        The question's name (used in the labels when ``prefix``).
    prefix : bool
        Label modalities ``COL=modality``.

    Returns
    -------
    DataFrame, shape (n, M)
        One column per modality seen (categorical levels in their order, else sorted).
    """
    if isinstance(closed.dtype, pd.CategoricalDtype):
        levels = [lv for lv in closed.cat.categories if (closed == lv).any()]
    else:
        levels = sorted(closed.dropna().astype(str).unique())
        closed = closed.astype("string")
    frame = pd.DataFrame({str(lv): (closed == lv).fillna(False).astype(float).to_numpy()
                          for lv in levels}, index=closed.index)
    if prefix:
        frame.columns = [f"{column}={lv}" for lv in frame.columns]
    return frame


def lexical_table(terms: Sequence[Sequence[str]], ids: Sequence[str], groups: pd.DataFrame, *,
                  min_freq: int = 10, vocabulary: Sequence[str] | None = None
                  ) -> pd.DataFrame:
    """The lexical table: occurrences of each term in the answers of each modality.

    Parameters
    ----------
    terms : sequence of sequences of str, length n
        The terms of each answer (``Corpus.terms``).
    ids : sequence of str, length n
        Respondent id of each answer.
    groups : DataFrame, shape (n_respondents, M)
        Indicator (0/1) table of the modalities (:func:`indicator`), index = respondent ids.
    min_freq : int
        Keep terms with at least this many occurrences in total (over the answers given).
    vocabulary : sequence of str, optional
        Keep these terms instead (for supplementary rows).

    Returns
    -------
    DataFrame, shape (T, M)
        Counts, terms as index (sorted by decreasing frequency, then alphabetically).
    """
    from collections import Counter

    from scipy import sparse

    counts = Counter(t for doc in terms for t in doc)
    if vocabulary is None:
        vocab = sorted((t for t, f in counts.items() if f >= min_freq),
                       key=lambda t: (-counts[t], t))
    else:
        vocab = [t for t in vocabulary if counts.get(t, 0) > 0]
    index = {t: i for i, t in enumerate(vocab)}
    rows, cols, data = [], [], []
    for d, doc in enumerate(terms):
        for t in doc:
            j = index.get(t)
            if j is not None:
                rows.append(d)
                cols.append(j)
                data.append(1.0)
    X = sparse.csr_matrix((data, (rows, cols)), shape=(len(terms), len(vocab)))
    G = groups.reindex([str(i) for i in ids]).fillna(0.0).to_numpy(dtype=float)
    table = np.asarray((X.T @ sparse.csr_matrix(G)).todense())
    return pd.DataFrame(table, index=pd.Index(vocab, name="label"), columns=groups.columns)
