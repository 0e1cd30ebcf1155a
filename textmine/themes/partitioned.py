"""Theme weights of many answers computed partition by partition on the command's engine.

Issue 19 asked to compare two ways of fitting themes on more answers than one process should
hold: ``MiniBatchNMF.partial_fit`` over partitions, or a fit on a stated sample followed by a
transform of every partition. ``scripts/bench_theme_fit.py`` measured both on the Grand Débat
answers (docs/scale.md, "Theme fit"): the sample fit is the one textmine uses, and this module
is its distributed half: the fitted model is sent once to each worker and every partition of
the document–term matrix is transformed there.

The transform of an NMF model with fixed components solves each answer's weights separately,
but scikit-learn's coordinate-descent solver stops on a tolerance summed over all the rows it is
given, so weights computed per partition differ from the one-call weights by less than the
solver's tolerance (checked in tests/test_scale.py: same dominant theme, weights within
:data:`WEIGHT_TOLERANCE`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

#: Rows of the document–term matrix per task.
PARTITION_ROWS = 50_000
#: From this many rows, and on an engine that spreads work, :func:`engine_transform`
#: transforms by partition; below, one call in this process (tasks would cost more).
PARALLEL_MIN_ROWS = 200_000
#: Largest absolute difference between partitioned and one-call theme weights that the tests
#: accept (weights of unit-norm TF-IDF rows are of order 0.1-1).
WEIGHT_TOLERANCE = 1e-3


def transform_partition(X: sp.csr_matrix, *, model: Any,
                        embeddings: np.ndarray | None = None) -> np.ndarray:
    """Map step: the theme weights of one partition's answers.

    Parameters
    ----------
    X : scipy.sparse.csr_matrix, shape (n_answers, n_terms)
        Counts of the partition's answers, in the model's vocabulary.
    model : fitted theme model
        Anything with ``transform`` (:mod:`textmine.themes.models`).
    embeddings : ndarray, optional
        The partition's sentence embeddings (semantic themes only).

    Returns
    -------
    ndarray, shape (n_answers, n_themes)
    """
    if embeddings is None:
        return np.asarray(model.transform(X))
    return np.asarray(model.transform(X, embeddings=embeddings))


def partitioned_transform(model: Any, X: sp.csr_matrix, *,
                          embeddings: np.ndarray | None = None,
                          partition_rows: int | None = None) -> np.ndarray:
    """Theme weights of every row of ``X``, one task per partition on the command's engine.

    Parameters
    ----------
    model : fitted theme model
    X : scipy.sparse.csr_matrix, shape (n_answers, n_terms)
    embeddings : ndarray, optional
        Sentence embeddings of the rows of ``X`` (semantic themes).
    partition_rows : int, optional
        Rows per task (default :data:`PARTITION_ROWS`).

    Returns
    -------
    ndarray, shape (n_answers, n_themes)
        The partitions' weights stacked in row order.
    """
    from textmine.engine import current_engine

    size = partition_rows or PARTITION_ROWS
    X = sp.csr_matrix(X)
    bounds = [(a, min(a + size, X.shape[0])) for a in range(0, X.shape[0], size)] or [(0, 0)]
    args = [(X[a:b],) if embeddings is None else (X[a:b], embeddings[a:b]) for a, b in bounds]
    if embeddings is not None:
        parts = current_engine().map(_transform_with_embeddings, args, broadcast={"model": model})
    else:
        parts = current_engine().map(transform_partition, args, broadcast={"model": model})
    return np.vstack(parts)


def _transform_with_embeddings(X: sp.csr_matrix, embeddings: np.ndarray, *,
                               model: Any) -> np.ndarray:
    return transform_partition(X, model=model, embeddings=embeddings)


def engine_transform(model: Any, X: sp.csr_matrix, *,
                     embeddings: np.ndarray | None = None) -> np.ndarray:
    """``model.transform(X)``, by partition on the command's engine for big matrices.

    One call in this process below :data:`PARALLEL_MIN_ROWS` rows or with ``--jobs 1`` (the
    weights are then those of one call, byte for byte); :func:`partitioned_transform`
    otherwise (within :data:`WEIGHT_TOLERANCE` of one call).
    """
    from textmine.engine import current_engine

    engine = current_engine()
    if X.shape[0] < PARALLEL_MIN_ROWS or (engine.jobs <= 1 and engine.scheduler is None):
        return transform_partition(X, model=model, embeddings=embeddings)
    return partitioned_transform(model, X, embeddings=embeddings)
