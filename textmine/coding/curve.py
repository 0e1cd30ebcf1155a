"""Learning curve of the coder: quality and share coded automatically against answers coded.

Answers the researcher's question "is it worth coding more?". The coded answers are split at
random into a held-out part (:data:`HELDOUT_SHARE`) and a learning pool; the coder is refitted on
growing random subsets of the pool and codes the held-out answers as it would code uncoded ones.
Repeated over ``repeats`` random splits; every size is reported as mean and standard deviation
over the repeats (the held-out answers are the same for every size of one repeat, so the points
of a curve are comparable).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone

from textmine.coding.learn import MultiLabelCoder, as_term_lists
from textmine.errors import DataError

#: Share of the coded answers held out to evaluate every point of the curve.
HELDOUT_SHARE = 0.2

#: Sizes of the learning subsets, as shares of the learning pool.
CURVE_SHARES = (0.25, 0.5, 0.75, 1.0)

#: Fewest answers a point of the curve learns from (fewer say nothing about the coder).
MIN_CURVE_SIZE = 10

#: Columns of ``learning_curve.csv``.
CURVE_COLUMNS = ("n_coded", "micro_f1", "micro_f1_sd", "auto_share", "auto_share_sd",
                 "precision_auto")  # fmt: skip


def _micro_f1(pred: np.ndarray, truth: np.ndarray) -> float:
    tp = float((pred & truth).sum())
    denom = float(pred.sum() + truth.sum())
    return 2 * tp / denom if denom else 0.0


def learning_curve(
    X: Sequence[Sequence[str] | str],
    Y: pd.DataFrame,
    *,
    coder: MultiLabelCoder,
    repeats: int = 3,
    shares: Sequence[float] = CURVE_SHARES,
    random_state: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Held-out micro-F1 and share coded automatically for growing numbers of coded answers.

    Parameters
    ----------
    X : sequence of term lists, length n
        Terms of the coded answers.
    Y : DataFrame of shape (n, n_codes)
        Their 0/1 human codes.
    coder : MultiLabelCoder
        Unfitted coder (cloned for every fit, its options unchanged).
    repeats : int
        Random splits (held-out part / learning pool) averaged.
    shares : sequence of float
        Sizes of the learning subsets as shares of the learning pool, in (0, 1].
    random_state : int
        Seed of the splits and subsets.
    progress : callable, optional
        ``progress(done, total)`` after every fit.

    Returns
    -------
    DataFrame
        One row per size, columns :data:`CURVE_COLUMNS`: ``n_coded`` (answers learnt from),
        ``micro_f1`` / ``micro_f1_sd`` (best-guess codes of
        :meth:`~textmine.coding.learn.MultiLabelCoder.suggest` against the human codes of the
        held-out answers, micro-averaged over codes; mean and sd over repeats),
        ``auto_share`` / ``auto_share_sd`` (share of held-out answers given at least one
        automatic code), ``precision_auto`` (precision of all automatic codes of the repeats
        pooled; empty when none was assigned). Sizes too small for the coder's
        cross-validation (fewer than ``2 cv_folds`` answers, or :data:`MIN_CURVE_SIZE`) are
        left out; an empty table when no size is left.

    Raises
    ------
    DataError
        ``X`` and ``Y`` differ in length.
    """
    docs = as_term_lists(X)
    Ya = Y.to_numpy(dtype=int)
    if len(docs) != len(Ya):
        raise DataError(f"X has {len(docs)} answers but Y has {len(Ya)} rows.")
    n = len(docs)
    n_held = int(round(HELDOUT_SHARE * n))
    pool_n = n - n_held
    smallest = max(2 * coder.cv_folds, MIN_CURVE_SIZE)
    sizes = sorted({int(round(s * pool_n)) for s in shares if int(round(s * pool_n)) >= smallest})
    if n_held < 1 or not sizes:
        return pd.DataFrame(columns=list(CURVE_COLUMNS))
    rng = np.random.default_rng(random_state)
    f1 = np.full((repeats, len(sizes)), np.nan)
    share = np.full((repeats, len(sizes)), np.nan)
    tp = np.zeros(len(sizes))
    assigned = np.zeros(len(sizes))
    done, total = 0, repeats * len(sizes)
    for r in range(repeats):
        perm = rng.permutation(n)
        held, pool = perm[:n_held], perm[n_held:]
        held_docs = [docs[i] for i in held]
        for s, size in enumerate(sizes):
            learn = pool[:size]
            fitted = clone(coder).set_params(random_state=random_state + r)
            fitted.fit([docs[i] for i in learn], Y.iloc[learn])
            truth = Ya[held]
            f1[r, s] = _micro_f1(fitted.suggest(held_docs), truth)
            auto = fitted.predict(held_docs)
            share[r, s] = float(auto.any(axis=1).mean()) if len(auto) else np.nan
            tp[s] += float((auto & truth).sum())
            assigned[s] += float(auto.sum())
            done += 1
            if progress is not None:
                progress(done, total)
    sd = (lambda a: a.std(axis=0, ddof=1)) if repeats > 1 else (lambda a: np.zeros(a.shape[1]))
    return pd.DataFrame({
        "n_coded": sizes,
        "micro_f1": np.round(f1.mean(axis=0), 4),
        "micro_f1_sd": np.round(sd(f1), 4),
        "auto_share": np.round(share.mean(axis=0), 4),
        "auto_share_sd": np.round(sd(share), 4),
        "precision_auto": [round(t / a, 4) if a else np.nan
                           for t, a in zip(tp, assigned, strict=True)],
    })  # fmt: skip
