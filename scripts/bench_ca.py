"""Check textmine's correspondence analysis against FactoMineR's ``CA()`` (R), and time it.

Needs R with FactoMineR (Debian: ``apt-get install r-base-core r-cran-factominer``); CI does not
run this script. Tables compared:

- ``hand``: a 6 x 4 hand-made table with one supplementary row and one supplementary column;
- ``ined_k1``: the INED PEE 1992 K1 lexical table (words of >= 3 letters, lower-cased, split on
  non-letters, frequency >= 10) x ``aget`` (5 age bands), with ``sexe`` as supplementary columns
  (../shared/data/raw/ined_pee1992_k1, see its PROVENANCE.md).

For each table and quantity it prints the largest absolute difference (coordinates compared up to
the sign of each axis; FactoMineR fixes no sign) and the largest relative difference of the
eigenvalues; the result goes into docs/benchmarks.md.

Usage: python scripts/bench_ca.py [--raw ../shared/data/raw]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from textmine.tables.ca import correspondence_analysis, indicator, lexical_table

R_CODE = r"""
suppressMessages(library(FactoMineR))
args <- commandArgs(trailingOnly = TRUE)
X <- read.csv(args[1], row.names = 1, check.names = FALSE)
nrs <- as.integer(args[2]); ncs <- as.integer(args[3]); out <- args[4]
I <- nrow(X) - nrs; J <- ncol(X) - ncs
ncp <- min(I - 1, J - 1)
rs <- if (nrs > 0) (I + 1):(I + nrs) else NULL
cs <- if (ncs > 0) (J + 1):(J + ncs) else NULL
res <- CA(X, ncp = ncp, row.sup = rs, col.sup = cs, graph = FALSE)
w <- function(m, name) write.csv(as.data.frame(m), file.path(out, paste0(name, ".csv")))
w(res$eig, "eig")
w(res$row$coord, "row_coord"); w(res$row$contrib, "row_contrib"); w(res$row$cos2, "row_cos2")
w(res$col$coord, "col_coord"); w(res$col$contrib, "col_contrib"); w(res$col$cos2, "col_cos2")
if (nrs > 0) { w(res$row.sup$coord, "rowsup_coord"); w(res$row.sup$cos2, "rowsup_cos2") }
if (ncs > 0) { w(res$col.sup$coord, "colsup_coord"); w(res$col.sup$cos2, "colsup_cos2") }
"""


def factominer(table: pd.DataFrame, sup_rows: pd.DataFrame | None,
               sup_cols: pd.DataFrame | None) -> dict[str, np.ndarray]:
    full = table.copy()
    if sup_cols is not None:
        full = pd.concat([full, sup_cols], axis=1)
    if sup_rows is not None:
        extra = sup_rows.reindex(columns=full.columns, fill_value=0)
        full = pd.concat([full, extra])
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "x.csv"
        full.to_csv(src)
        script = Path(tmp) / "ca.R"
        script.write_text(R_CODE, encoding="utf-8")
        subprocess.run(["Rscript", str(script), str(src),
                        str(0 if sup_rows is None else len(sup_rows)),
                        str(0 if sup_cols is None else sup_cols.shape[1]), tmp], check=True)
        return {p.stem: pd.read_csv(p, index_col=0).to_numpy(dtype=float)
                for p in Path(tmp).glob("*.csv") if p.stem != "x"}


def ours(table, sup_rows, sup_cols) -> tuple[dict[str, np.ndarray], float]:
    start = time.perf_counter()
    res = correspondence_analysis(table, supplementary_rows=sup_rows,
                                  supplementary_columns=sup_cols)
    seconds = time.perf_counter() - start
    k = res.n_axes

    def part(frame, sup, what):
        sub = frame[frame["supplementary"] == sup]
        return sub[[f"{what}_{j}" for j in range(1, k + 1)]].to_numpy(dtype=float)

    out = {"eig": res.eigenvalues[["eigenvalue", "percent", "cumulative_percent"]].to_numpy()}
    for name, frame in (("row", res.rows), ("col", res.columns)):
        out[f"{name}_coord"] = part(frame, False, "dim")
        out[f"{name}_contrib"] = part(frame, False, "ctr")
        out[f"{name}_cos2"] = part(frame, False, "cos2")
        out[f"{name}sup_coord"] = part(frame, True, "dim")
        out[f"{name}sup_cos2"] = part(frame, True, "cos2")
    return out, seconds


def compare(name: str, table, sup_rows=None, sup_cols=None) -> list[dict]:
    ref = factominer(table, sup_rows, sup_cols)
    mine, seconds = ours(table, sup_rows, sup_cols)
    k = mine["row_coord"].shape[1]
    rows = []
    eig_ref = ref["eig"][:k]
    rel = np.max(np.abs(mine["eig"][:, 0] - eig_ref[:, 0]) / eig_ref[:, 0])
    rows.append({"table": name, "quantity": "eigenvalues (relative)", "max_diff": rel})
    rows.append({"table": name, "quantity": "% of inertia",
                 "max_diff": np.max(np.abs(mine["eig"][:, 1] - eig_ref[:, 1]))})
    for key in ("row_coord", "col_coord", "rowsup_coord", "colsup_coord"):
        if key not in ref:
            continue
        a, b = mine[key], ref[key][:, :k]
        signs = np.sign((a * b).sum(axis=0))
        rows.append({"table": name, "quantity": key.replace("_", " ") + " (up to sign)",
                     "max_diff": np.max(np.abs(a - b * signs))})
    for key in ("row_contrib", "col_contrib", "row_cos2", "col_cos2", "rowsup_cos2",
                "colsup_cos2"):
        if key in ref:
            rows.append({"table": name, "quantity": key.replace("_", " "),
                         "max_diff": np.max(np.abs(mine[key] - ref[key][:, :k]))})
    print(f"{name}: {table.shape[0]} x {table.shape[1]} table, {k} axes, CA in {seconds:.4f} s")
    return rows


def hand_table():
    table = pd.DataFrame(
        [[30, 12, 5, 3], [8, 25, 10, 7], [4, 9, 28, 11], [2, 5, 9, 30], [15, 14, 12, 9],
         [6, 3, 2, 1]],
        index=["r1", "r2", "r3", "r4", "r5", "r6"], columns=["A", "B", "C", "D"])
    sup_rows = pd.DataFrame([[5, 6, 7, 8]], index=["s1"], columns=table.columns)
    sup_cols = pd.DataFrame({"E": [3, 4, 5, 6, 7, 8]}, index=table.index)
    return table, sup_rows, sup_cols


def ined_table(raw: Path):
    frame = pd.read_csv(raw / "ined_pee1992_k1" / "PEE_K1_extract.csv", sep=";",
                        encoding="latin-1", dtype=str)
    ids = frame["qnumq"].astype(str).tolist()
    terms = [[w for w in re.split(r"[^a-zàâäçéèêëîïôöùûüÿœ]+", str(t).lower()) if len(w) >= 3]
             for t in frame["K1"]]
    by = pd.Series(frame["aget"].to_numpy(), index=ids)
    sup = pd.Series(frame["sexe"].to_numpy(), index=ids)
    table = lexical_table(terms, ids, indicator(by, "aget", prefix=False), min_freq=10)
    sup_cols = lexical_table(terms, ids, indicator(sup, "sexe", prefix=False),
                             vocabulary=list(table.index))
    return table, None, sup_cols


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--raw", type=Path, default=Path("../shared/data/raw"))
    args = parser.parse_args()
    rows = compare("hand (6 x 4, +1 row, +1 col)", *hand_table())
    rows += compare("INED K1 terms x aget (+ sexe)", *ined_table(args.raw))
    result = pd.DataFrame(rows)
    print("| table | quantity | max abs. difference |\n|---|---|---|")
    for r in result.itertuples():
        print(f"| {r.table} | {r.quantity} | {r.max_diff:.2e} |")
    version = subprocess.run(["Rscript", "-e", "cat(as.character(packageVersion('FactoMineR')))"],
                             capture_output=True, text=True).stdout
    print(json.dumps({"FactoMineR": version}))


if __name__ == "__main__":
    main()
