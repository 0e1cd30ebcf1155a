"""Reinert's descending hierarchical classification (CHD, "méthode Alceste"), as rainette does it.

Sources: Reinert M. (1983) "Une méthode de classification descendante hiérarchique : application
à l'analyse lexicale par contexte", *Cahiers de l'analyse des données* 8(2); Reinert M. (1990)
"Alceste, une méthodologie d'analyse des données textuelles...", *Bulletin de méthodologie
sociologique* 26; Barnier J., *rainette* (R package, algorithm vignette). Written from those
descriptions; no rainette code is reused.

One split (:func:`split_units`) of a binary unit × term matrix ``X`` (n × p, CSR):

1. order the units on the first axis of the correspondence analysis of ``X`` (truncated SVD of
   the standardised residuals, never densified; row coordinates by the transition formula so
   identical rows get identical coordinates);
2. for every cut ``t = 1..n-1`` of that order, the Pearson chi-square (no correction) of the
   2 × p table of the two groups' column totals; keep the maximum. With ``a`` the first group's
   column totals, ``c`` the column totals, ``N = Σc`` and ``R = Σa``,
   ``χ² = N² / (R (N − R)) · (Σ a_j² / c_j − R² / N)``, updated in O(nnz) over all cuts;
3. move single units to the other group while the best move raises the chi-square (steepest
   ascent: each round computes the chi-square of every possible single move, O(nnz), and
   makes the best one).

   rainette's reading differs: its candidate chi-squares follow the *current* group lists
   (group 1 then group 2, moved units appended) while the unit it moves is looked up at the
   same position in the *initial* CA order; after the first move the two differ, so it may
   move a unit other than the best one and record a chi-square that belongs to another
   partition. This module moves the unit whose chi-square is the best (the correct version);
   the private flag ``_rainette_lookup=True`` reproduces rainette's reading for comparison.
4. term selection for the children: a term is kept in a group where it occurs in at least
   ``tsj`` units; if its contingency coefficient ``C = sqrt(χ² / (χ² + n))`` (χ² of the term's
   2-group split against the groups' totals, n its count) exceeds ``cc_test``, only in the group
   where it is over-represented. Selections accumulate down the tree.

The tree (:func:`reinert_tree`) always splits the largest cluster (first one on ties), and stops
when it has fewer than ``min_split_members`` units or, once its empty rows and columns are
dropped, fewer than 3 rows or columns. Units that lose all their terms drop out: class 0,
"non classés". Dendrogram heights, as in rainette, are cumulative split chi-squares (the last
split at its own chi-square, the root at the sum of all of them).

Double classification (:func:`double_classification`, Reinert 1990; rainette2): two trees on
units built with two minimum segment sizes; every cluster of one tree (at every level) is
crossed with every cluster of the other; crossings with more than ``min_members`` segments and
a 2 × 2 association chi-square above ``min_chi2`` are kept; the set of ``k`` non-overlapping
crossings with the largest total chi-square becomes the classes; other segments are class 0.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats
from scipy.sparse.linalg import LinearOperator, svds

from textmine.config import ReinertOptions, TextOptions
from textmine.errors import DataError, DataQualityWarning, OptionError
from textmine.runfolder import CLASSIFIED, EMPTY, NON_ANSWER, UNCLASSIFIED

CLASS_COLUMNS = ["class", "size", "share", "share_classified", "parent", "height"]
PROFILE_COLUMNS = ["class", "term", "n_units_in_class", "n_units_total", "pct_in_class", "chi2",
                   "p_value", "sign"]
SEGMENT_COLUMNS = ["segment_id", "respondent_id", "text", "class"]
CHARACTERISTIC_COLUMNS = ["class", "rank", "segment_id", "respondent_id", "text", "score"]
#: Label of class 0.
UNCLASSIFIED_LABEL = "non classés"


# --------------------------------------------------------------------------------------------
# One split
# --------------------------------------------------------------------------------------------


@dataclass
class Split:
    """Result of :func:`split_units` on an n × p matrix.

    Attributes
    ----------
    order : ndarray of int, shape (n,)
        Units sorted on the first CA axis.
    cut_chi2 : ndarray of float, shape (n - 1,)
        Chi-square of each cut ``order[:t] | order[t:]``, t = 1..n-1.
    first : ndarray of bool, shape (n,)
        Final membership of the first group (the side holding ``order[0]`` at the best cut).
    chi2 : float
        Chi-square after reassignment (the dendrogram height of this split).
    n_moves : int
        Units moved during reassignment.
    """

    order: np.ndarray
    cut_chi2: np.ndarray
    first: np.ndarray
    chi2: float
    n_moves: int


def _binary(X) -> sp.csr_matrix:
    X = sp.csr_matrix(X, dtype=np.float64)
    X.data[:] = 1.0
    X.eliminate_zeros()
    return X


def ca_order(X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Units sorted on the first axis of the correspondence analysis of ``X``.

    Parameters
    ----------
    X : sparse matrix, shape (n, p), no empty row or column

    Returns
    -------
    order : ndarray of int, shape (n,)
        Stable argsort of the coordinates.
    coords : ndarray of float, shape (n,)
        Row coordinates on axis 1 (up to a positive factor), oriented so that the unit with
        the largest absolute coordinate is negative (a fixed convention; the CA sign is
        arbitrary and rainette's follows its SVD routine).
    """
    X = sp.csr_matrix(X, dtype=np.float64)
    total = X.sum()
    r = np.asarray(X.sum(axis=1)).ravel() / total
    c = np.asarray(X.sum(axis=0)).ravel() / total
    sr, sc = np.sqrt(r), np.sqrt(c)
    P = X / total
    n, p = X.shape
    if n * p <= 250_000:
        S = (P.toarray() - np.outer(r, c)) / np.outer(sr, sc)
        _, _, vt = np.linalg.svd(S, full_matrices=False)
        v = vt[0]
    else:
        PT = P.T.tocsr()

        def matvec(x):
            y = np.ravel(x) / sc
            return (P @ y - r * (c @ y)) / sr

        def rmatvec(x):
            y = np.ravel(x) / sr
            return (PT @ y - c * (r @ y)) / sc

        op = LinearOperator((n, p), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)
        v0 = np.full(min(n, p), 1.0 / np.sqrt(min(n, p)))
        _, _, vt = svds(op, k=1, v0=v0, random_state=0)
        v = vt[0]
    g = v / sc  # column standard coordinates
    rows = np.asarray(X.sum(axis=1)).ravel()
    coords = (X @ g) / rows  # transition formula: identical rows, identical values
    if coords[np.argmax(np.abs(coords))] > 0:
        coords = -coords
    return np.argsort(coords, kind="stable"), coords


def _chi2_from(s2: np.ndarray, ra: np.ndarray, n: float) -> np.ndarray:
    """χ² of 2 × p tables from Σ a²/c, the first group's total and the grand total."""
    rb = n - ra
    with np.errstate(divide="ignore", invalid="ignore"):
        out = n * n / (ra * rb) * (s2 - ra * ra / n)
    out[(ra <= 0) | (rb <= 0)] = np.nan
    return out


def cut_chi2(X: sp.csr_matrix, order: np.ndarray) -> np.ndarray:
    """Chi-square of every cut of ``order`` (O(nnz)).

    Parameters
    ----------
    X : sparse matrix, shape (n, p), binary, no empty column
    order : ndarray of int, shape (n,)

    Returns
    -------
    ndarray of float, shape (n - 1,)
        Entry ``t - 1`` is the Pearson χ² of ``X[order[:t]]`` vs ``X[order[t:]]`` column totals.
    """
    Xo = sp.csc_matrix(X[order])
    Xo.sort_indices()
    c = np.asarray(Xo.sum(axis=0)).ravel()
    counts = np.diff(Xo.indptr)
    # rank of each non-zero within its column = earlier units holding the term
    rank = np.arange(Xo.nnz) - np.repeat(Xo.indptr[:-1], counts)
    col = np.repeat(np.arange(Xo.shape[1]), counts)
    delta = np.bincount(Xo.indices, weights=(2 * rank + 1) / c[col], minlength=Xo.shape[0])
    s2 = np.cumsum(delta)
    ra = np.cumsum(np.asarray(Xo.sum(axis=1)).ravel())
    return _chi2_from(s2, ra, float(c.sum()))[:-1]


def _reassign(X: sp.csr_matrix, order: np.ndarray, best: int, chi2: float,
              rainette_lookup: bool, min_size: int = 1) -> tuple[np.ndarray, float, int]:
    """Move single units between the groups while the chi-square improves (see module doc).

    A move that would leave a group with fewer than ``min_size`` units is not considered.
    """
    n = X.shape[0]
    c = np.asarray(X.sum(axis=0)).ravel()
    total = float(c.sum())
    sizes = np.asarray(X.sum(axis=1)).ravel()
    first = np.zeros(n, dtype=bool)
    first[order[: best + 1]] = True
    # The candidates are scanned as the list "group 1 then group 2", a moved unit going to the
    # end of its new group (rainette's order, which decides ties and the rainette lookup).
    # Instead of rebuilding that list at every move (O(n) Python work per move: minutes on
    # 70k units), each unit keeps a sequence number: its place in the list is its rank by
    # (group, sequence), found with vectorised comparisons.
    seq = np.empty(n, dtype=np.int64)
    seq[order] = np.arange(n)
    counter = n
    a = np.asarray(X[first].sum(axis=0)).ravel()
    moves = 0
    for _ in range(10 * n + 10):
        ra = float(a.sum())
        s2 = float((a * a / c).sum())
        out_gain = X @ ((2 * a - 1) / c)   # Σ_j∈x (2a_j − 1)/c_j, for leaving group 1
        in_gain = X @ ((2 * a + 1) / c)    # Σ_j∈x (2a_j + 1)/c_j, for joining group 1
        new_s2 = np.where(first, s2 - out_gain, s2 + in_gain)
        new_ra = np.where(first, ra - sizes, ra + sizes)
        values = _chi2_from(new_s2, new_ra, total)   # indexed by unit
        n1 = int(first.sum())
        if min_size > 1:
            # leaving group 1 needs n1 - 1 >= min_size; joining it needs n - n1 - 1 >= min_size
            blocked = np.where(first, n1 - 1 < min_size, n - n1 - 1 < min_size)
            values[blocked] = np.nan
        if np.all(np.isnan(values)):
            break
        top = np.nanmax(values)
        if not top > chi2:
            break
        # first maximum in list order: smallest (group, sequence) among the maxima
        tied = np.flatnonzero(values == top)
        key = np.where(first[tied], 0, 1) * (counter + 1) + seq[tied]
        unit = int(tied[int(np.argmin(key))])
        if rainette_lookup:
            # rainette looks the position up in the initial order (module docstring)
            same = first == first[unit]
            pos = int(np.count_nonzero(same & (seq < seq[unit])))
            pos += 0 if first[unit] else n1
            unit = int(order[pos])
        row = X[unit]
        if first[unit]:
            a[row.indices] -= 1
        else:
            a[row.indices] += 1
        first[unit] = not first[unit]
        seq[unit] = counter
        counter += 1
        chi2 = float(top)
        moves += 1
    return first, chi2, moves


def split_units(X, *, min_size: int = 1, _rainette_lookup: bool = False) -> Split:
    """Split the units of a binary matrix in two (one step of Reinert's CHD).

    Parameters
    ----------
    X : sparse matrix, shape (n, p), n >= 3, p >= 3, no empty row or column
        Presence/absence units × terms (any non-zero counts as 1).
    min_size : int
        Smallest group allowed: cuts and reassignment moves leaving a group with fewer units
        are not considered (their ``cut_chi2`` is NaN). 1 = rainette's unconstrained split.
    _rainette_lookup : bool
        Private: reproduce rainette's reassignment lookup (see the module docstring).

    Returns
    -------
    Split
    """
    X = _binary(X)
    if X.shape[0] < 3 or X.shape[1] < 3:
        raise DataError(f"A split needs at least 3 units and 3 terms, not {X.shape[0]} x "
                        f"{X.shape[1]}.")
    if (X.getnnz(axis=1) == 0).any() or (X.getnnz(axis=0) == 0).any():
        raise DataError("A split needs a matrix without empty rows or columns.")
    if X.shape[0] < 2 * min_size:
        raise DataError(f"A split into groups of at least {min_size} units needs at least "
                        f"{2 * min_size} units, not {X.shape[0]}.")
    order, _ = ca_order(X)
    chi2s = cut_chi2(X, order)
    if min_size > 1:
        sizes = np.arange(1, len(chi2s) + 1)
        chi2s[(sizes < min_size) | (len(chi2s) + 1 - sizes < min_size)] = np.nan
    finite = np.where(np.isnan(chi2s), -np.inf, chi2s)
    best = int(np.argmax(finite))  # first maximum, as rainette's strict '>' scan
    first, chi2, moves = _reassign(X, order, best, float(chi2s[best]), _rainette_lookup,
                                   min_size)
    return Split(order=order, cut_chi2=chi2s, first=first, chi2=chi2, n_moves=moves)


def select_terms(X, first: np.ndarray, *, cc_test: float = 0.3,
                 tsj: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Terms kept in each group after a split (rainette's ``select_features`` rule).

    Parameters
    ----------
    X : sparse matrix, shape (n, p), binary
    first : ndarray of bool, shape (n,)

    Returns
    -------
    keep1, keep2 : ndarray of bool, shape (p,)
    """
    X = _binary(X)
    t1 = np.asarray(X[first].sum(axis=0)).ravel()
    t2 = np.asarray(X[~first].sum(axis=0)).ravel()
    tot = t1 + t2
    share = tot / tot.sum()
    e1, e2 = share * t1.sum(), share * t2.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.nan_to_num((t1 - e1) ** 2 / e1) + np.nan_to_num((t2 - e2) ** 2 / e2)
        cc = np.sqrt(chi2 / (chi2 + tot))
    cc = np.nan_to_num(cc)
    low = cc <= cc_test
    keep1 = (t1 >= tsj) & (low | (t1 > e1))
    keep2 = (t2 >= tsj) & (low | (t2 > e2))
    return keep1, keep2


# --------------------------------------------------------------------------------------------
# The tree
# --------------------------------------------------------------------------------------------


@dataclass
class ReinertTree:
    """A descending classification of n units.

    Attributes
    ----------
    levels : list of ndarray of int, each of shape (n,)
        ``levels[i]`` is each unit's cluster (1..i+2, numbered left to right as in the
        dendrogram; 0 = non classé) after ``i + 1`` splits.
    heights : list of float
        Chi-square of each split, in the order made.
    splits : list of (int, int)
        Position (0-based, left to right) of the cluster split at each step, and the number of
        clusters before it.
    stopped : str
        Why the splitting stopped before ``k`` classes (empty when it reached ``k``), so that
        a tree with no split can say why in its error.
    """

    levels: list[np.ndarray] = field(default_factory=list)
    heights: list[float] = field(default_factory=list)
    splits: list[tuple[int, int]] = field(default_factory=list)
    stopped: str = ""

    @property
    def k(self) -> int:
        """Number of classes of the deepest level (1 if no split)."""
        return len(self.levels) + 1

    def cut(self, k: int) -> np.ndarray:
        """Each unit's class with ``k`` classes, shape (n,)."""
        if not 2 <= k <= self.k:
            raise OptionError(f"k must be between 2 and {self.k} for this tree, not {k}.")
        return self.levels[k - 2]

    def nodes(self, k: int | None = None) -> pd.DataFrame:
        """Dendrogram nodes at ``k`` classes: ``node, parent, height, leaf`` (leaf: class id).

        Leaves are nodes 1..k (their class); internal nodes k+1.., the root first. A node's
        height is the sum of the chi-squares of its split and of every later split (rainette's
        ``cumsum(rev(heights))``); leaves are at 0.
        """
        k = self.k if k is None else k
        if not 1 <= k <= self.k:
            raise OptionError(f"k must be between 1 and {self.k} for this tree, not {k}.")
        heights = np.asarray(self.heights[: k - 1], dtype=float)
        cum = np.cumsum(heights[::-1])[::-1]
        positions: list[int] = [0]          # provisional keys, left to right
        parent: dict[int, int | None] = {0: None}
        split_step: dict[int, int] = {}
        for step, (pos, _) in enumerate(self.splits[: k - 1]):
            node = positions[pos]
            split_step[node] = step
            left, right = 2 * step + 1, 2 * step + 2
            parent[left] = parent[right] = node
            positions[pos:pos + 1] = [left, right]
        final = {key: leaf for leaf, key in enumerate(positions, start=1)}
        final.update({key: k + 1 + step for key, step in split_step.items()})
        rows = [(final[key], None if up is None else final[up],
                 float(cum[split_step[key]]) if key in split_step else 0.0,
                 final[key] if key not in split_step else pd.NA)
                for key, up in parent.items()]
        frame = pd.DataFrame(rows, columns=["node", "parent", "height", "leaf"])
        frame = frame.sort_values("node").reset_index(drop=True)
        return frame.astype({"parent": "Int64", "leaf": "Int64"})


def reinert_tree(X, *, k: int = 10, min_split_members: int = 10, cc_test: float = 0.3,
                 tsj: int = 3, min_class_size: int = 1,
                 _rainette_lookup: bool = False) -> ReinertTree:
    """Reinert's descending hierarchical classification of the rows of ``X``.

    Parameters
    ----------
    X : sparse matrix, shape (n, p)
        Units × terms; any non-zero counts as presence.
    k : int
        Wanted number of classes (``k - 1`` splits at most).
    min_split_members, cc_test, tsj :
        See :class:`ReinertOptions`.
    min_class_size : int
        No split makes a cluster of fewer units (see :func:`split_units`); a cluster of fewer
        than ``2 × min_class_size`` units is therefore not split.

    Returns
    -------
    ReinertTree
        ``levels`` may stop before ``k`` classes (then a :class:`DataQualityWarning` says why).

    Raises
    ------
    DataError
        If fewer than 3 units have terms (nothing can be split).
    """
    X = _binary(X)
    n = X.shape[0]
    has_terms = X.getnnz(axis=1) > 0
    if has_terms.sum() < 3 or (X.getnnz(axis=0) > 0).sum() < 3:
        raise DataError(f"Only {int(has_terms.sum())} units with terms and "
                        f"{int((X.getnnz(axis=0) > 0).sum())} terms shared by enough units: a "
                        f"Reinert classification needs at least 3 of each; the answers are too "
                        f"few or too alike to classify.")
    clusters: list[tuple[np.ndarray, np.ndarray]] = [
        (np.flatnonzero(has_terms), np.arange(X.shape[1]))]
    tree = ReinertTree()
    for _step in range(k - 1):
        pos = int(np.argmax([len(idx) for idx, _ in clusters]))
        idx, cols = clusters[pos]
        if len(idx) < min_split_members:
            _warn(tree, f"the largest cluster has {len(idx)} units (< min_split_members = "
                        f"{min_split_members})", k)
            break
        if len(idx) < 2 * min_class_size:
            _warn(tree, f"the largest cluster has {len(idx)} units, too few for two classes of "
                        f"min_class_size = {min_class_size}", k)
            break
        sub = X[idx][:, cols]
        rows_ok = sub.getnnz(axis=1) > 0
        cols_ok = sub.getnnz(axis=0) > 0
        sub = sub[rows_ok][:, cols_ok]
        idx, cols = idx[rows_ok], cols[cols_ok]
        if sub.shape[0] < max(3, 2 * min_class_size) or sub.shape[1] < 3:
            _warn(tree, f"the largest cluster is {sub.shape[0]} units x {sub.shape[1]} terms", k)
            break
        split = split_units(sub, min_size=min_class_size, _rainette_lookup=_rainette_lookup)
        keep1, keep2 = select_terms(sub, split.first, cc_test=cc_test, tsj=tsj)
        clusters[pos:pos + 1] = [(idx[split.first], cols[keep1]),
                                 (idx[~split.first], cols[keep2])]
        tree.heights.append(split.chi2)
        tree.splits.append((pos, len(clusters) - 1))
        level = np.zeros(n, dtype=np.int64)
        for label, (members, _) in enumerate(clusters, start=1):
            level[members] = label
        tree.levels.append(level)
    return tree


def _warn(tree: ReinertTree, reason: str, wanted: int) -> None:
    tree.stopped = reason
    warnings.warn(f"Reinert classification stopped at {tree.k} classes instead of {wanted}: "
                  f"{reason}.", DataQualityWarning, stacklevel=3)


def _no_split(tree: ReinertTree, n_units: int, which: str = "The classification") -> DataError:
    """The error of a tree without any split, saying why it stopped and what to change."""
    why = tree.stopped or "the units share too few terms"
    return DataError(f"{which} made no split ({n_units} units): {why}; classify more answers, "
                     f"or lower --min-split-members / --min-class-share / --min-segment-size.")


# --------------------------------------------------------------------------------------------
# Double classification
# --------------------------------------------------------------------------------------------


def _assoc_chi2(a: int, na: int, nb: int, n: int) -> float:
    """2 × 2 chi-square (no correction) of membership in A and B, ``a = |A ∩ B|``."""
    den = na * nb * (n - na) * (n - nb)
    if den == 0:
        return 0.0
    d = a * n - na * nb  # = a d - b c of the 2 x 2 table
    return float(n) * float(d) * float(d) / float(den)


def double_classification(levels1: list[np.ndarray], levels2: list[np.ndarray], *, k: int,
                          min_members: int = 10, min_chi2: float = 3.84,
                          max_nodes: int = 2_000_000) -> tuple[np.ndarray, pd.DataFrame]:
    """Cross two classifications of the same segments (rainette2, criterion: total chi-square).

    Parameters
    ----------
    levels1, levels2 : list of ndarray of int, each of shape (n_segments,)
        Each tree's classes of every segment at every level (0 = non classé).
    k : int
        Wanted number of classes (crossings).
    min_members, min_chi2 :
        A crossing needs more than ``min_members`` segments and a chi-square above ``min_chi2``.

    Returns
    -------
    classes : ndarray of int, shape (n_segments,)
        1..k' (by decreasing size), 0 for segments in no chosen crossing.
    crossings : pandas.DataFrame
        The chosen crossings: ``class, size, chi2``.
    """
    n = len(levels1[0]) if levels1 else 0

    def clusters(levels):
        seen: dict[bytes, np.ndarray] = {}
        for level in levels:
            for label in np.unique(level[level > 0]):
                mask = level == label
                seen.setdefault(np.packbits(mask).tobytes(), mask)
        return list(seen.values())

    cand: dict[bytes, tuple[float, np.ndarray]] = {}
    for A in clusters(levels1):
        for B in clusters(levels2):
            both = A & B
            size = int(both.sum())
            if size <= min_members:
                continue
            chi2 = _assoc_chi2(size, int(A.sum()), int(B.sum()), n)
            if chi2 <= min_chi2:
                continue
            key = np.packbits(both).tobytes()
            if key not in cand or cand[key][0] < chi2:
                cand[key] = (chi2, both)
    items = sorted(cand.values(), key=lambda t: -t[0])
    chi2s = [c for c, _ in items]
    bits = [int.from_bytes(np.packbits(m).tobytes(), "big") for _, m in items]
    best: dict[int, tuple[float, list[int]]] = {}
    nodes = 0

    def search(start: int, used: int, chosen: list[int], total: float) -> None:
        nonlocal nodes
        nodes += 1
        size = len(chosen)
        if size >= 1 and (size not in best or total > best[size][0]):
            best[size] = (total, list(chosen))
        if size == k or nodes > max_nodes:
            return
        for i in range(start, len(items)):
            # bound: even the next largest chi-squares cannot beat the best of size k
            room = k - size
            bound = total + sum(chi2s[i:i + room])
            if k in best and bound <= best[k][0]:
                return
            if bits[i] & used:
                continue
            chosen.append(i)
            search(i + 1, used | bits[i], chosen, total + chi2s[i])
            chosen.pop()

    search(0, 0, [], 0.0)
    if not best:
        raise DataError(f"No crossing of the two classifications has more than {min_members} "
                        f"segments and a chi-square above {min_chi2}; lower min_members.")
    size = k if k in best else max(best)
    if size < k:
        warnings.warn(f"Double classification: only {size} non-overlapping crossings instead of "
                      f"{k}.", DataQualityWarning, stacklevel=2)
    chosen = sorted(best[size][1], key=lambda i: -int(items[i][1].sum()))
    classes = np.zeros(n, dtype=np.int64)
    rows = []
    for label, i in enumerate(chosen, start=1):
        classes[items[i][1]] = label
        rows.append((label, int(items[i][1].sum()), chi2s[i]))
    return classes, pd.DataFrame(rows, columns=["class", "size", "chi2"])


# --------------------------------------------------------------------------------------------
# Matrices, profiles, result frames
# --------------------------------------------------------------------------------------------


def presence_matrix(terms: list[list[str]], vocabulary: list[str] | None = None
                    ) -> tuple[sp.csr_matrix, list[str]]:
    """Binary rows × terms matrix.

    Returns
    -------
    X : csr_matrix of float, shape (len(terms), n_terms)
    vocabulary : list of str, sorted
    """
    vocab = sorted({t for doc in terms for t in doc}) if vocabulary is None else vocabulary
    index = {t: j for j, t in enumerate(vocab)}
    indptr = [0]
    indices: list[int] = []
    for doc in terms:
        cols = sorted({index[t] for t in doc if t in index})
        indices.extend(cols)
        indptr.append(len(indices))
    X = sp.csr_matrix((np.ones(len(indices)), np.array(indices, dtype=np.int64),
                       np.array(indptr, dtype=np.int64)), shape=(len(terms), len(vocab)))
    return X, vocab


def unit_matrix(X_segments: sp.csr_matrix, unit_of: np.ndarray) -> sp.csr_matrix:
    """Presence matrix of units from segments: shape (n_units, p)."""
    n_units = int(unit_of.max()) + 1 if len(unit_of) else 0
    G = sp.csr_matrix((np.ones(len(unit_of)), (unit_of, np.arange(len(unit_of)))),
                      shape=(n_units, len(unit_of)))
    return _binary(G @ X_segments)


def profiles(X: sp.csr_matrix, vocabulary: list[str], classes: np.ndarray, *,
             min_chi2: float = 3.84) -> pd.DataFrame:
    """Terms over- and under-represented in each class (IRaMuTeQ's profiles).

    Counts units (segments) containing the term among classified units; 2 × 2 Pearson
    chi-square without continuity correction, p-value from ``scipy.stats.chi2`` (1 df).

    Parameters
    ----------
    X : sparse matrix, shape (n_segments, p), binary
    classes : ndarray of int, shape (n_segments,); 0 = non classé (left out)

    Returns
    -------
    pandas.DataFrame with :data:`PROFILE_COLUMNS`, sorted by class, sign (``over`` first), chi2.
    """
    keep = classes > 0
    Xc = sp.csr_matrix(X[keep])
    cls = classes[keep]
    n = int(keep.sum())
    total = np.asarray(Xc.sum(axis=0)).ravel()
    frames = []
    for label in np.unique(cls):
        in_class = cls == label
        nc = int(in_class.sum())
        a = np.asarray(Xc[in_class].sum(axis=0)).ravel()
        b, c_ = nc - a, total - a
        d = n - nc - c_
        den = nc * (n - nc) * total * (n - total)
        with np.errstate(divide="ignore", invalid="ignore"):
            chi2 = np.where(den > 0, n * (a * d - b * c_) ** 2 / den, 0.0)
        expected = nc * total / max(n, 1)
        sel = (chi2 >= min_chi2) & (total > 0)
        frames.append(pd.DataFrame({
            "class": int(label),
            "term": np.asarray(vocabulary, dtype=object)[sel],
            "n_units_in_class": a[sel].astype(np.int64),
            "n_units_total": total[sel].astype(np.int64),
            "pct_in_class": 100.0 * a[sel] / np.maximum(total[sel], 1),
            "chi2": chi2[sel],
            "p_value": stats.chi2.sf(chi2[sel], 1),
            "sign": np.where(a[sel] > expected[sel], "over", "under"),
        }))
    if not frames:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["_s"] = out["sign"] == "under"
    out = out.sort_values(["class", "_s", "chi2", "term"], ascending=[True, True, False, True])
    return out.drop(columns="_s").reset_index(drop=True)[PROFILE_COLUMNS]


@dataclass
class ReinertResult:
    """Frames of a Reinert classification (column lists in this module's constants).

    Attributes
    ----------
    classes : DataFrame (:data:`CLASS_COLUMNS`)
        Class 0 (non classés), the leaf classes 1..k and (simple classification) the internal
        dendrogram nodes k+1.. with their ``parent``; ``size`` and ``share`` count segments
        (``share`` over all segments, ``share_classified`` over the classified ones, empty
        for class 0).
    profiles : DataFrame (:data:`PROFILE_COLUMNS`)
    segments : DataFrame (:data:`SEGMENT_COLUMNS`)
    characteristic_segments : DataFrame (:data:`CHARACTERISTIC_COLUMNS`)
    answers : DataFrame
        ``respondent_id, text, status, class_id, share_1..share_k``.
    tree : ReinertTree or None
        Unit-level tree (None for a double classification).
    info : dict
        Counts and settings (for run.json).
    """

    classes: pd.DataFrame
    profiles: pd.DataFrame
    segments: pd.DataFrame
    characteristic_segments: pd.DataFrame
    answers: pd.DataFrame
    tree: ReinertTree | None
    info: dict


def _class_frame(seg_classes: np.ndarray, k: int, nodes: pd.DataFrame | None,
                 crossings: pd.DataFrame | None) -> pd.DataFrame:
    total = max(len(seg_classes), 1)
    counts = np.bincount(seg_classes, minlength=k + 1)
    rows = [(0, int(counts[0]), counts[0] / total, pd.NA, np.nan)]
    if nodes is not None:
        sizes = dict(enumerate(counts))
        # internal sizes: sum of their leaves
        children: dict[int, list[int]] = {}
        for node, parent in zip(nodes["node"], nodes["parent"], strict=True):
            if not pd.isna(parent):
                children.setdefault(int(parent), []).append(int(node))

        def size(node: int) -> int:
            if node <= k:
                return int(sizes.get(node, 0))
            return sum(size(c) for c in children.get(node, []))

        for node, parent, height in zip(nodes["node"], nodes["parent"], nodes["height"],
                                        strict=True):
            s = size(int(node))
            rows.append((int(node), s, s / total, parent, float(height)))
    else:
        heights = dict(zip(crossings["class"], crossings["chi2"], strict=True))
        for label in range(1, k + 1):
            rows.append((label, int(counts[label]), counts[label] / total, pd.NA,
                         float(heights.get(label, np.nan))))
    frame = pd.DataFrame(rows, columns=[c for c in CLASS_COLUMNS if c != "share_classified"])
    # share_classified: the base IRaMuTeQ uses (classified segments, class 0 left out);
    # ``share`` keeps all segments as its base. Class 0 has no share of the classified.
    classified = int(len(seg_classes) - counts[0])
    frame.insert(3, "share_classified",
                 np.where(frame["class"] == 0, np.nan,
                          frame["size"] / classified if classified else np.nan))
    frame["parent"] = frame["parent"].astype("Int64")
    return frame.sort_values("class").reset_index(drop=True)


def _characteristic(X: sp.csr_matrix, vocabulary: list[str], seg_classes: np.ndarray,
                    prof: pd.DataFrame, segments: pd.DataFrame, n_top: int) -> pd.DataFrame:
    index = {t: j for j, t in enumerate(vocabulary)}
    frames = []
    for label in sorted(set(seg_classes[seg_classes > 0].tolist())):
        pos = prof[(prof["class"] == label) & (prof["sign"] == "over")]
        weights = np.zeros(len(vocabulary))
        weights[[index[t] for t in pos["term"]]] = pos["chi2"].to_numpy()
        members = np.flatnonzero(seg_classes == label)
        score = X[members] @ weights
        top = members[np.lexsort((members, -score))][:n_top]
        top_score = (X[top] @ weights) if len(top) else np.array([])
        part = segments.iloc[top]
        frames.append(pd.DataFrame({
            "class": label, "rank": np.arange(1, len(top) + 1),
            "segment_id": part["segment_id"].to_numpy(),
            "respondent_id": part["respondent_id"].to_numpy(),
            "text": part["text"].to_numpy(), "score": top_score,
        }))
    if not frames:
        return pd.DataFrame(columns=CHARACTERISTIC_COLUMNS)
    return pd.concat(frames, ignore_index=True)[CHARACTERISTIC_COLUMNS]


def _answers_frame(answers: pd.Series | None, segments: pd.DataFrame, seg_classes: np.ndarray,
                   seg_status: list[str], k: int) -> pd.DataFrame:
    if answers is None:
        firsts = segments.drop_duplicates("respondent_id")
        ids = firsts["respondent_id"].tolist()
        texts = segments.groupby("respondent_id", sort=False)["text"].agg(" ".join)
        texts = [texts[i] for i in ids]
    else:
        ids = [str(i) for i in answers.index]
        texts = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                 for v in answers.tolist()]
    rid = segments["respondent_id"].to_numpy()
    counts = pd.crosstab(pd.Series(rid, name="respondent_id"),
                         pd.Series(seg_classes, name="class"))
    counts = counts.reindex(columns=range(k + 1), fill_value=0)
    n_seg = counts.sum(axis=1)
    status_by = pd.Series(seg_status, index=rid).groupby(level=0).agg(set)
    rows = []
    # Shares are empty (NaN) for non-answers and empty answers: they have no class to share,
    # as the 0/1 theme columns of the workbook are empty for them; 0 is for unclassified ones.
    shares = np.full((len(ids), k), np.nan)
    for i, (rid_i, _text) in enumerate(zip(ids, texts, strict=True)):
        if rid_i not in counts.index:
            rows.append((EMPTY, pd.NA))
            continue
        row = counts.loc[rid_i].to_numpy()
        if row[1:].sum() > 0:
            rows.append((CLASSIFIED, int(np.argmax(row[1:])) + 1))
        elif status_by[rid_i] <= {NON_ANSWER, EMPTY}:
            rows.append((NON_ANSWER if NON_ANSWER in status_by[rid_i] else EMPTY, pd.NA))
            continue
        else:
            rows.append((UNCLASSIFIED, pd.NA))
        shares[i] = row[1:] / max(n_seg[rid_i], 1)
    frame = pd.DataFrame({"respondent_id": ids, "text": texts,
                          "status": [r[0] for r in rows],
                          "class_id": pd.array([r[1] for r in rows], dtype="Int64")})
    for label in range(1, k + 1):
        frame[f"share_{label}"] = shares[:, label - 1]
    return frame


def min_class_size(options: ReinertOptions, n_units: int) -> int:
    """Smallest class allowed, in units: ``ceil(min_class_share × n_units)``, at least 1."""
    return max(1, int(np.ceil(options.min_class_share * n_units - 1e-9)))


def classify_segments(segments: pd.DataFrame, terms: list[list[str]], *,
                      options: ReinertOptions = ReinertOptions(),
                      status: list[str] | None = None,
                      answers: pd.Series | None = None,
                      _rainette_lookup: bool = False) -> ReinertResult:
    """Reinert classification of segments whose terms are known (no spaCy here).

    Parameters
    ----------
    segments : pandas.DataFrame, n_segments rows
        ``segment_id, respondent_id, text`` (a respondent's segments consecutive, in order).
    terms : list of list of str, length n_segments
        Terms of each segment (e.g. ``Corpus.terms`` of :func:`segments.segment_corpus`).
    options : ReinertOptions
    status : list of str, optional
        Text-stage status of each segment (``ok``, ``non-answer``, ``empty``).
    answers : pandas.Series, optional
        The original answers (respondent id index), for ``answers`` rows without segments.

    Returns
    -------
    ReinertResult

    Raises
    ------
    DataError
        Empty corpus, fewer than 3 units with terms, or misaligned inputs.
    OptionError
        If ``k`` exceeds the number of units with terms.
    """
    from textmine.classes.segments import group_units

    started = time.perf_counter()
    if len(segments) != len(terms):
        raise DataError(f"{len(segments)} segments but {len(terms)} term lists; they must align.")
    if len(segments) == 0:
        raise DataError("The corpus is empty: no segment to classify; check the text column.")
    status = list(status) if status is not None else ["ok"] * len(segments)
    X_seg, vocab = presence_matrix(terms)
    n_with_terms = int((X_seg.getnnz(axis=1) > 0).sum())
    if n_with_terms < 3:
        n_nonanswers = sum(st != "ok" for st in status)
        said = f", {n_nonanswers} are non-answers (RAS, NSP...)" if n_nonanswers else ""
        raise DataError(f"Only {n_with_terms} of {len(segments)} segments have terms{said}: a "
                        f"Reinert classification needs at least 3; check the text column and "
                        f"the text options.")
    rids = segments["respondent_id"].astype(str).tolist()
    sizes = [len(t) for t in terms]

    def run(min_size: int) -> tuple[np.ndarray, ReinertTree, int]:
        unit_of = group_units(rids, sizes, min_size)
        X_units = unit_matrix(X_seg, unit_of)
        X_units = X_units[:, np.flatnonzero(X_units.getnnz(axis=0) >= options.min_docfreq)]
        n_units = int((X_units.getnnz(axis=1) > 0).sum())
        if options.k > n_units:
            raise OptionError(f"k = {options.k} is larger than the {n_units} units with terms; "
                              f"choose a smaller k.")
        tree = reinert_tree(X_units, k=options.k, min_split_members=options.min_split_members,
                            cc_test=options.cc_test, tsj=options.tsj,
                            min_class_size=min_class_size(options, n_units),
                            _rainette_lookup=_rainette_lookup)
        return unit_of, tree, X_units.shape[0]

    nodes = crossings = None
    tree: ReinertTree | None
    if options.double is None:
        unit_of, tree, n_units = run(options.min_segment_size)
        if not tree.levels:
            raise _no_split(tree, n_units)
        seg_classes = tree.levels[-1][unit_of]
        k = tree.k
        nodes = tree.nodes()
    else:
        unit1, tree1, n1 = run(options.double[0])
        unit2, tree2, n2 = run(options.double[1])
        for tree_, n_, size_ in ((tree1, n1, options.double[0]), (tree2, n2, options.double[1])):
            if not tree_.levels:
                raise _no_split(tree_, n_, f"The classification with minimum segment size "
                                           f"{size_}")
        seg_classes, crossings = double_classification(
            [lv[unit1] for lv in tree1.levels], [lv[unit2] for lv in tree2.levels],
            k=options.k, min_members=options.min_members, min_chi2=options.min_chi2)
        tree, n_units, k = None, n1 + n2, len(crossings)
    seg_frame = segments[["segment_id", "respondent_id", "text"]].reset_index(drop=True).copy()
    seg_frame["respondent_id"] = seg_frame["respondent_id"].astype(str)
    seg_frame["class"] = seg_classes.astype(np.int64)
    prof = profiles(X_seg, vocab, seg_classes, min_chi2=options.profile_min_chi2)
    result = ReinertResult(
        classes=_class_frame(seg_classes, k, nodes, crossings),
        profiles=prof,
        segments=seg_frame[SEGMENT_COLUMNS],
        characteristic_segments=_characteristic(X_seg, vocab, seg_classes, prof, seg_frame,
                                                options.n_characteristic),
        answers=_answers_frame(answers, seg_frame, seg_classes, status, k),
        tree=tree,
        info={
            "method": "reinert-double" if options.double else "reinert",
            "k": k,
            "counts": {"segments": len(segments), "units": n_units,
                       "segments_with_terms": n_with_terms,
                       "unclassified": int((seg_classes == 0).sum()),
                       "vocabulary": len(vocab)},
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
    return result


def reinert(answers: pd.Series, *, options: ReinertOptions = ReinertOptions(),
            text_options: TextOptions = TextOptions(), cache_dir: Path | None = None,
            progress: Callable[[int, int], None] | None = None) -> ReinertResult:
    """Reinert classification of the answers to one open question (segments, terms, tree).

    Parameters
    ----------
    answers : pandas.Series
        Answers indexed by respondent id (:func:`textmine.survey.open_answers`).
    options : ReinertOptions
    text_options, cache_dir, progress :
        Passed to :func:`textmine.text.corpus.process_answers` for the segments' terms.

    Returns
    -------
    ReinertResult
    """
    from textmine.classes.segments import make_segments, segment_corpus

    if not isinstance(answers, pd.Series):
        raise DataError(f"Answers must be a pandas Series indexed by respondent id, not "
                        f"{type(answers).__name__}.")
    size = options.segment_size if options.unit == "segments" else None
    segments = make_segments(answers, segment_size=size)
    if segments.empty:
        raise DataError("The corpus is empty: every answer is blank; check the text column.")
    corpus = segment_corpus(segments, options=text_options, cache_dir=cache_dir,
                            progress=progress)
    return classify_segments(segments, corpus.terms, options=options, status=corpus.status,
                             answers=answers)


__all__ = [
    "CHARACTERISTIC_COLUMNS",
    "CLASS_COLUMNS",
    "PROFILE_COLUMNS",
    "SEGMENT_COLUMNS",
    "UNCLASSIFIED_LABEL",
    "ReinertOptions",
    "ReinertResult",
    "ReinertTree",
    "Split",
    "ca_order",
    "classify_segments",
    "cut_chi2",
    "double_classification",
    "min_class_size",
    "presence_matrix",
    "profiles",
    "reinert",
    "reinert_tree",
    "select_terms",
    "split_units",
    "unit_matrix",
]
