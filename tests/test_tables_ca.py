"""Correspondence analysis (tables/ca.py) against FactoMineR 2.7 ``CA()`` printed in R.

The expected numbers were printed by R (FactoMineR 2.7) on the table below:
``CA(X, ncp = 3, row.sup = 7, col.sup = 5)``; scripts/bench_ca.py reruns that check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.errors import DataError
from textmine.tables.ca import correspondence_analysis, indicator, lexical_table

TABLE = pd.DataFrame(
    [[30, 12, 5, 3], [8, 25, 10, 7], [4, 9, 28, 11], [2, 5, 9, 30], [15, 14, 12, 9], [6, 3, 2, 1]],
    index=["r1", "r2", "r3", "r4", "r5", "r6"], columns=["A", "B", "C", "D"])
SUP_ROW = pd.DataFrame([[5, 6, 7, 8]], index=["s1"], columns=["A", "B", "C", "D"])
SUP_COL = pd.DataFrame({"E": [3, 4, 5, 6, 7, 8]}, index=TABLE.index)

EIG = [0.3071430694590295, 0.1182564312997815, 0.0659356943261508]
ROW_COORD = [[-0.779812338236048, 0.2828613471616392], [-0.134146083583380, -0.2490043869292112],
             [0.386856090675669, -0.4842856107512529], [0.878129104545403, 0.4935114026942545],
             [-0.156373993777466, -0.0175590260208403], [-0.582819562031549, 0.1388692103791714]]
COL_COORD = [[-0.749691719785424, 0.273505006429869], [-0.232891789800079, -0.194619379945779],
             [0.285762456316884, -0.446199257091330], [0.749283301238420, 0.408285957154087]]
SUP_ROW_COORD = [0.1977048751350925, 0.0383292580353053]
SUP_COL_COORD = [-0.0781977888148406, 0.1216271694753758]
ROW_CTR_1 = [38.07466938755130, 1.12670943747524, 9.74514158215931, 44.41815412697750,
             1.53103455443944, 5.10429091139722]
COL_COS2_1 = [0.836009683854640, 0.220909239903200, 0.235993803790749, 0.769332811953646]


@pytest.fixture(scope="module")
def result():
    return correspondence_analysis(TABLE, supplementary_rows=SUP_ROW,
                                   supplementary_columns=SUP_COL)


def _up_to_sign(ours: np.ndarray, ref: np.ndarray) -> np.ndarray:
    signs = np.sign((ours * ref).sum(axis=0))
    return ref * signs


def test_eigenvalues_and_inertia(result):
    eig = result.eigenvalues
    np.testing.assert_allclose(eig["eigenvalue"], EIG, rtol=1e-10)
    np.testing.assert_allclose(eig["percent"].sum(), 100.0)
    np.testing.assert_allclose(eig["cumulative_percent"].iloc[-1], 100.0)
    assert list(eig["axis"]) == [1, 2, 3]
    # Total inertia = phi^2 = chi^2 / n.
    from scipy.stats import chi2_contingency
    chi2 = chi2_contingency(TABLE.to_numpy(), correction=False)[0]
    assert result.total_inertia == pytest.approx(chi2 / TABLE.to_numpy().sum())


def test_coordinates_contributions_cos2(result):
    rows = result.coordinates("rows", supplementary=False)[["dim_1", "dim_2"]].to_numpy()
    cols = result.coordinates("columns", supplementary=False)[["dim_1", "dim_2"]].to_numpy()
    np.testing.assert_allclose(rows, _up_to_sign(rows, np.array(ROW_COORD)), atol=1e-10)
    np.testing.assert_allclose(cols, _up_to_sign(cols, np.array(COL_COORD)), atol=1e-10)
    active = result.rows[~result.rows["supplementary"]]
    np.testing.assert_allclose(active["ctr_1"], ROW_CTR_1, atol=1e-9)
    assert active["ctr_1"].sum() == pytest.approx(100.0)
    columns = result.columns[~result.columns["supplementary"]]
    np.testing.assert_allclose(columns["cos2_1"], COL_COS2_1, atol=1e-10)


def test_supplementary_points_do_not_move_the_axes(result):
    alone = correspondence_analysis(TABLE)
    np.testing.assert_allclose(alone.eigenvalues["eigenvalue"], EIG, rtol=1e-10)
    np.testing.assert_allclose(alone.coordinates("rows").to_numpy(),
                               result.coordinates("rows", supplementary=False).to_numpy())
    sup_row = result.rows[result.rows["supplementary"]]
    sup_col = result.columns[result.columns["supplementary"]]
    assert list(sup_row["label"]) == ["s1"] and list(sup_col["label"]) == ["E"]
    signs = np.sign(result.coordinates("columns", supplementary=False)["dim_1"].to_numpy()
                    * np.array(COL_COORD)[:, 0])[0], np.sign(
        result.coordinates("columns", supplementary=False)["dim_2"].to_numpy()
        * np.array(COL_COORD)[:, 1])[0]
    np.testing.assert_allclose(sup_row[["dim_1", "dim_2"]].to_numpy()[0],
                               np.array(SUP_ROW_COORD) * signs, atol=1e-10)
    np.testing.assert_allclose(sup_col[["dim_1", "dim_2"]].to_numpy()[0],
                               np.array(SUP_COL_COORD) * signs, atol=1e-10)
    assert sup_row["ctr_1"].isna().all()


def test_sign_rule_largest_column_positive(result):
    cols = result.coordinates("columns", supplementary=False)
    for axis in cols.columns:
        assert cols[axis].iloc[cols[axis].abs().argmax()] > 0
    # Reversing the order of the rows and columns gives the same signed coordinates.
    flipped = correspondence_analysis(TABLE.iloc[::-1, ::-1])
    np.testing.assert_allclose(flipped.coordinates("rows").loc[TABLE.index].to_numpy(),
                               correspondence_analysis(TABLE).coordinates("rows").to_numpy(),
                               atol=1e-12)


def test_lexical_table_counts_occurrences():
    ids = ["1", "2", "3"]
    terms = [["a", "b", "a"], ["b"], ["a", "c"]]
    groups = indicator(pd.Series(["x", "y", "x"], index=ids), "g", prefix=True)
    table = lexical_table(terms, ids, groups, min_freq=2)
    assert list(table.columns) == ["g=x", "g=y"]
    assert table.loc["a"].tolist() == [3.0, 0.0]
    assert table.loc["b"].tolist() == [1.0, 1.0]
    assert "c" not in table.index


@pytest.mark.parametrize("table, words", [
    (TABLE[["A"]], "at least 2 modalities"),
    (TABLE.iloc[:2], "at least 3 rows"),
    (pd.concat([TABLE, pd.DataFrame([[0, 0, 0, 0]], index=["vide"], columns=TABLE.columns)]),
     "Row(s) vide"),
    (TABLE * -1, "counts"),
])
def test_bad_tables_one_line(table, words):
    with pytest.raises(DataError) as err:
        correspondence_analysis(table)
    assert words in str(err.value) and "\n" not in str(err.value)
