"""No catch-all themes: split a free theme holding too many answers, or call it "Divers / autres".

A free theme that holds more than ``max_share`` of the answers (35 % by default; with fewer than
five themes, half as much again as an even share, :func:`share_limit`) says little: on
the demo survey the free theme "période / intense / très" of ``q_evolution`` held 51 % of the
answers. Such a theme is **split**: its answers (those carrying it under the assignment rule) are
refitted into two themes (NMF on the representation the model already uses, same seed), which
replace it; this is repeated while a free theme is above the limit, at most ``max_splits`` times.
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
) -> list[dict]:
    """Split, in place, the free themes of a fitted NMF model that hold too many answers.

    Parameters
    ----------
    estimator : NMFThemes
        A fitted NMF-based model (its ``components_`` rows are replaced and appended to).
    X : csr_matrix (n_answers, n_terms)
        The counts the model was fitted on (answers with terms).
    first_free : int
        Index of the first free theme (seeded themes come first and are never split).
    max_share : float
        Largest share of the answers a free theme may hold.
    relative_threshold, min_weight : float
        The assignment rule (see :func:`carriers`).
    random_state : int or None
        Seed of the NMF that splits a theme.
    max_splits : int
        Splits made at most.
    lead_writers : callable(components) -> ndarray of bool (n_answers, k), optional
        The answers writing each theme's lead word (they carry it, see
        :func:`theme_profile`); dominant themes are then not split. Without it, shares follow
        the weights alone (a theme is split on what its weights gather).

    Returns
    -------
    list of dict
        One entry per split: ``theme`` (1-based id of the theme split), ``share`` before,
        ``shares_after`` of the two themes (share of the answers with terms).
    """
    log: list[dict] = []
    n = X.shape[0]
    if n == 0 or not hasattr(estimator, "represent"):
        return log
    Xt = estimator.represent(X)

    def profile() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        W = estimator.transform(X)
        writes = lead_writers(estimator.components_) if lead_writers else None
        shares, dominant = theme_profile(W, writes, relative_threshold=relative_threshold,
                                         min_weight=min_weight)
        return carriers(W, relative_threshold=relative_threshold, min_weight=min_weight), \
            shares, dominant

    C, shares, dominant = profile()
    for _ in range(max_splits):
        free = np.array([j for j in range(first_free, C.shape[1]) if not dominant[j]])
        if free.size == 0:
            break
        j = int(free[np.argmax(shares[free])])
        rows = np.flatnonzero(C[:, j])
        if shares[j] <= max_share or rows.size < 4:
            break
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
        before = shares[j]
        C, shares, dominant = profile()
        log.append({"theme": j + 1, "share": round(float(before), 4),
                    "shares_after": [round(float(shares[j]), 4), round(float(shares[-1]), 4)]})
        logger.info("Free theme %d held %.0f %% of the answers: split in two (%.0f %%, %.0f %%).",
                    j + 1, 100 * before, 100 * shares[j], 100 * shares[-1])
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
