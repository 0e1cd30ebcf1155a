"""No catch-all themes: split a free theme holding too many answers, or call it "Divers / autres".

A free theme that holds more than ``max_share`` of the answers (35 % by default; with fewer than
five themes, half as much again as an even share, :func:`share_limit`) says little: on
the demo survey the free theme "période / intense / très" of ``q_evolution`` held 51 % of the
answers. Such a theme is **split**: its answers (those carrying it under the assignment rule) are
refitted into two themes (NMF on the representation the model already uses, same seed), which
replace it; this is repeated while a free theme is above the limit, at most ``max_splits`` times.
A ``semantic`` theme is a cluster of answers: its members are re-clustered (k-means on the
model's own joined embedding + lexical vectors) into 2 or 3 sub-themes, kept only when each
holds at least 10 % of them and the split comes back on a refitted subsample
(:func:`semantic_parts`); a theme that does not split stays whole.
Beside a codebook nothing is split (a refit would move the seeded themes' answers too). A free
theme that stays above the limit, whose heaviest terms are fragments (no answer writes
them as words, see :func:`textmine.themes.labels.surface_forms`), or that sits beside a
codebook without being distinctive (exclusivity below ``min_exclusivity``) is reported as
**"Divers / autres"** with its share (several such themes are merged into one).

Exclusivity of a theme (as in FREX, Bischof & Airoldi 2012; R's stm) is the weighted mean, over
its ``n_top`` heaviest terms, of ``beta[k, t] / sum_j beta[j, t]``: 1 when its words belong to it
alone, ``1 / k`` when they are shared evenly by all themes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import non_negative_factorization

logger = logging.getLogger(__name__)

#: Label of the theme that gathers the free themes too broad or too vague to be named.
OTHERS_LABEL = "Divers / autres"


def share_limit(max_share: float, k: int) -> float:
    """The share above which a free theme is a catch-all: ``max(max_share, 1.5 / k)``.

    With few themes a theme holding more than 35 % of the answers is no catch-all (three even
    themes hold a third each, more with answers carrying two themes): the limit is then half as
    much again as an even share.
    """
    return max(float(max_share), 1.5 / max(int(k), 1))


def carriers(W: np.ndarray, *, relative_threshold: float, min_weight: float) -> np.ndarray:
    """Answers × themes booleans: which themes each answer carries (the assignment rule).

    Parameters
    ----------
    W : ndarray (n_answers, k)
        Non-negative theme weights.
    relative_threshold, min_weight : float
        As in :mod:`textmine.themes.assign`.
    """
    W = np.asarray(W, dtype=np.float64)
    top = W.max(axis=1, keepdims=True) if W.shape[1] else np.zeros((W.shape[0], 1))
    return (W >= relative_threshold * top) & (top >= min_weight) & (top > 0)


def exclusivity(components: np.ndarray, *, n_top: int = 10) -> np.ndarray:
    """Each theme's exclusivity in [1/k, 1] (see the module docstring).

    Parameters
    ----------
    components : ndarray (k, n_terms)
        Non-negative theme × term weights.
    n_top : int
        Heaviest terms of each theme taken into account.
    """
    comp = np.maximum(np.asarray(components, dtype=np.float64), 0.0)
    beta = comp / np.maximum(comp.sum(axis=1, keepdims=True), 1e-300)
    excl = beta / np.maximum(beta.sum(axis=0, keepdims=True), 1e-300)
    out = np.zeros(comp.shape[0])
    for k in range(comp.shape[0]):
        top = np.argsort(-beta[k], kind="stable")[:n_top]
        mass = beta[k, top].sum()
        out[k] = float((beta[k, top] * excl[k, top]).sum() / mass) if mass > 0 else 0.0
    return out


#: Share of a theme's answers that must write its lead word for the theme to be one dominant idea
#: (exempt from the share limit) rather than a catch-all.
DOMINANT_SHARE = 0.9

#: Answers × themes booleans of the answers writing each theme's lead word, given the
#: components (see :func:`textmine.themes.assign.defining_columns`).
LeadWriters = Callable[[np.ndarray], np.ndarray]


def theme_profile(
    W: np.ndarray, writes_lead: np.ndarray | None, *, relative_threshold: float,
    min_weight: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Share of the answers each theme holds, and whether it is one dominant idea.

    Parameters
    ----------
    W : ndarray (n_answers, k)
        Theme weights.
    writes_lead : ndarray of bool (n_answers, k) or None
        Answers writing each theme's lead word: they carry the theme (the assignment rule).
    relative_threshold, min_weight : float
        The assignment rule.

    Returns
    -------
    shares : ndarray (k,)
        Share of the answers carrying each theme.
    dominant : ndarray of bool (k,)
        Themes at least :data:`DOMINANT_SHARE` of whose answers write its lead word: a theme
        that many answers name with one word ("nature" on INED K1: 866 of 2 000 answers) is
        no catch-all: it is neither split nor called "Divers / autres".
    """
    C = carriers(W, relative_threshold=relative_threshold, min_weight=min_weight)
    if writes_lead is None:
        return C.mean(axis=0), np.zeros(C.shape[1], dtype=bool)
    themed = C.any(axis=1, keepdims=True)
    C = C | (writes_lead & themed)
    n_in = C.sum(axis=0)
    with_word = (C & writes_lead).sum(axis=0)
    return C.mean(axis=0), (n_in > 0) & (with_word >= DOMINANT_SHARE * n_in)


#: Smallest part of a split catch-all, as a share of its answers: a split that peels off a
#: handful of answers leaves the catch-all as it was.
MIN_PART_SHARE = 0.1

#: Agreement (adjusted Rand index) a semantic split must reach with the same split refitted on a
#: seeded 80 % subsample of the theme's answers with another seed: below it the two parts are
#: not a structure of the answers but an accident of one fit, and the theme is not split.
MIN_SPLIT_AGREEMENT = 0.5


#: Parts a semantic catch-all is split into: the number whose split is the most stable.
SPLIT_PARTS = (2, 3)


def semantic_parts(estimator, J, random_state: int | None) -> np.ndarray | None:
    """Sub-theme centroids for a semantic catch-all, or ``None`` when it does not split.

    The answers' joined vectors are partitioned by the model's own rule
    (:meth:`textmine.themes.models.SemanticThemes.subpartition`: neighbour graph, spectral
    coordinates, k-means) into 2 or 3 parts (:data:`SPLIT_PARTS`). A split is kept when each
    part holds at least :data:`MIN_PART_SHARE` of the answers and it is stable: refitted on a
    seeded 80 % subsample with another seed (every answer then to its nearest part centroid), it
    agrees with the first at least :data:`MIN_SPLIT_AGREEMENT` (adjusted Rand index). Of the
    kept splits, the most stable wins (three groups cut in two parts can be cut three ways:
    that split is unstable, the cut in three is not).

    Parameters
    ----------
    estimator : SemanticThemes
        The fitted model.
    J : JoinedRows
        Joined vectors of the catch-all's answers (:class:`textmine.themes.models.JoinedRows`,
        n_rows answers).
    random_state : int or None

    Returns
    -------
    ndarray (n_parts, n_dims) or None
        Unit-norm centroids of the parts.
    """
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import normalize

    n = len(J)
    rng = np.random.default_rng(random_state)
    sample = np.sort(rng.choice(n, max(int(0.8 * n), 4), replace=False)) if n >= 10 else None
    other = None if random_state is None else int(random_state) + 1
    best, best_agreement = None, MIN_SPLIT_AGREEMENT
    for parts in SPLIT_PARTS:
        if sample is None or n < 5 * parts:
            break
        labels = estimator.subpartition(J, parts, random_state)
        if np.bincount(labels, minlength=parts).min() < max(MIN_PART_SHARE * n, 3):
            continue
        again = estimator.subpartition(J.take(sample), parts, other)
        if np.bincount(again, minlength=parts).min() == 0:
            continue
        C2 = normalize(np.vstack([J.mean(sample[again == p]) for p in range(parts)]))
        agreement = adjusted_rand_score(labels, J.nearest(C2))
        if agreement >= best_agreement:
            best_agreement = agreement
            best = normalize(np.vstack([J.mean(labels == p) for p in range(parts)]))
    return best


def split_catch_alls(
    estimator,
    X: sp.csr_matrix,
    *,
    first_free: int,
    max_share: float,
    relative_threshold: float,
    min_weight: float,
    random_state: int | None,
    max_splits: int = 3,
    lead_writers: LeadWriters | None = None,
    embeddings: np.ndarray | None = None,
) -> list[dict]:
    """Split, in place, the free themes of a fitted model that hold too many answers.

    An NMF-based theme is refitted in two (NMF on the representation the model uses, same
    seed). A ``semantic`` theme (``embeddings`` given) is a cluster of answers: its answers
    (those whose strongest theme it is) are re-clustered in 2 or 3 by the model's own rule, and
    the split is kept only when the parts are sizeable and stable (:func:`semantic_parts`);
    a theme that does not split is left as it is (and reported as "Divers / autres" by
    :func:`others` if it stays above the limit), and the next largest one is tried.

    Parameters
    ----------
    estimator : NMFThemes or SemanticThemes
        A fitted model (its ``components_`` rows, and ``centroids_`` for ``semantic``, are
        replaced and appended to).
    X : csr_matrix (n_answers, n_terms)
        The counts the model was fitted on (answers with terms).
    first_free : int
        Index of the first free theme (seeded themes come first and are never split).
    max_share : float
        Largest share of the answers a free theme may hold.
    relative_threshold, min_weight : float
        The assignment rule (see :func:`carriers`).
    random_state : int or None
        Seed of the refit that splits a theme.
    max_splits : int
        Splits tried at most.
    lead_writers : callable(components) -> ndarray of bool (n_answers, k), optional
        The answers writing each theme's lead word (they carry it, see
        :func:`theme_profile`); dominant themes are then not split. Without it, shares follow
        the weights alone (a theme is split on what its weights gather).
    embeddings : ndarray (n_answers, n_dims), optional
        Sentence embeddings of the same answers: required by a ``semantic`` model.

    Returns
    -------
    list of dict
        One entry per split tried: ``theme`` (1-based id of the theme), ``share`` before,
        and ``shares_after`` of the themes it became (the theme's id first, then the new
        themes; share of the answers with terms), or
        ``kept: False`` when a semantic theme did not split.
    """
    log: list[dict] = []
    n = X.shape[0]
    if n == 0 or not hasattr(estimator, "represent"):
        return log
    semantic = embeddings is not None and hasattr(estimator, "subpartition")
    # A semantic model's joined vectors are built once per distinct answer and kept for the
    # splits (issue 19: one float64 row per answer was 4.6 GiB at 1M answers).
    J = estimator.joined_rows(X, embeddings) if semantic else None
    Xt = None if semantic else estimator.represent(X)

    def profile() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        # transform() of a semantic model is the softmax of the joined vectors J holds
        W = estimator._soft(J.Z)[J.index] if semantic else estimator.transform(X)
        writes = lead_writers(estimator.components_) if lead_writers else None
        shares, dominant = theme_profile(W, writes, relative_threshold=relative_threshold,
                                         min_weight=min_weight)
        return W, carriers(W, relative_threshold=relative_threshold, min_weight=min_weight), \
            shares, dominant

    W, C, shares, dominant = profile()
    unsplit: set[int] = set()
    for _ in range(max_splits):
        free = np.array([j for j in range(first_free, C.shape[1])
                         if not dominant[j] and j not in unsplit])
        if free.size == 0:
            break
        j = int(free[np.argmax(shares[free])])
        # A semantic theme is re-clustered from its own members; an NMF theme is refitted on
        # every answer carrying it.
        rows = np.flatnonzero(W.argmax(axis=1) == j) if semantic else np.flatnonzero(C[:, j])
        if shares[j] <= max_share or rows.size < 4:
            break
        before = shares[j]
        if semantic:
            parts = semantic_parts(estimator, J.take(rows), random_state)
            if parts is None:
                unsplit.add(j)
                log.append({"theme": j + 1, "share": round(float(before), 4), "kept": False})
                logger.info("Free theme %d holds %.0f %% of the answers but does not split into "
                            "two stable parts.", j + 1, 100 * before)
                continue
            centroids = np.vstack([estimator.centroids_, parts[1:]])
            centroids[j] = parts[0]
            estimator.set_centroids(centroids, X, embeddings=embeddings, joined=J)
            added = len(parts) - 1
        else:
            added = 1
            used = np.flatnonzero(np.asarray(Xt[rows].sum(axis=0)).ravel() > 0)
            sub = Xt[rows][:, used]
            if min(sub.shape) < 2:
                break
            _, H2, _ = non_negative_factorization(
                sub, n_components=2, init="nndsvdar", solver="cd", max_iter=400,
                random_state=random_state,
            )  # fmt: skip
            H = np.zeros((2, Xt.shape[1]))
            H[:, used] = H2
            norms = np.linalg.norm(H, axis=1, keepdims=True)
            if (norms == 0).any():
                break
            H /= norms
            comps = np.vstack([estimator.components_, H[1:]])
            comps[j] = H[0]
            estimator.components_ = comps
            estimator.set_params(n_themes=comps.shape[0])
        W, C, shares, dominant = profile()
        after = [float(shares[j])] + [float(x) for x in shares[len(shares) - added:]]
        log.append({"theme": j + 1, "share": round(float(before), 4),
                    "shares_after": [round(x, 4) for x in after]})
        logger.info("Free theme %d held %.0f %% of the answers: split in %d (%s).", j + 1,
                    100 * before, len(after), ", ".join(f"{100 * x:.0f} %" for x in after))
    return log


def others(
    shares: np.ndarray,
    dominant: np.ndarray,
    fragments: np.ndarray,
    excl: np.ndarray,
    *,
    first_free: int,
    max_share: float,
    min_exclusivity: float | None,
) -> dict[int, str]:
    """The free themes reported as "Divers / autres", with the reason.

    Parameters
    ----------
    shares : ndarray (k,)
        Share of the answers each theme holds.
    dominant : ndarray of bool (k,)
        Dominant ideas (:func:`theme_profile`), exempt from the share limit.
    fragments : ndarray (k,)
        Share of each theme's heaviest terms that are fragments.
    excl : ndarray (k,)
        Each theme's exclusivity (:func:`exclusivity`).
    first_free : int
        Index of the first free theme (themes before it are seeded and never folded).
    max_share : float
        Largest share a named free theme may hold.
    min_exclusivity : float or None
        Exclusivity floor of free themes (applied beside a codebook only: ``None`` otherwise).

    Returns
    -------
    dict of int to str
        Fitted theme index -> reason (``"holds 51 % of the answers"``...).
    """
    out: dict[int, str] = {}
    for j in range(first_free, len(shares)):
        if shares[j] > max_share and not dominant[j]:
            # One decimal when whole percents would read "holds 35 % (limit 35 %)".
            digits = 0 if round(100 * shares[j]) > round(100 * max_share) else 1
            out[j] = (f"holds {100 * shares[j]:.{digits}f} % of the answers "
                      f"(limit {100 * max_share:.{digits}f} %)")
        elif fragments[j] > 0.5:
            out[j] = "its heaviest terms are fragments no answer writes as words"
        elif min_exclusivity is not None and excl[j] < min_exclusivity:
            out[j] = (f"exclusivity {excl[j]:.2f} below {min_exclusivity:.2f}: its words belong "
                      "to other themes as well")
    return out
