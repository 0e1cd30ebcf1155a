"""Theme discovery from a processed corpus: the public entry points of :mod:`textmine.themes`.

``discover_themes`` = document-term matrix -> (seeds) -> k (fixed, auto or codebook) -> fit ->
edits -> assignment -> labels, quotes and tables. ``code_answers`` applies a fitted model to new
answers. Both return a :class:`~textmine.themes.result.ThemeResult`.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp

from textmine.codebook import Codebook
from textmine.config import ThemeOptions
from textmine.errors import OptionError
from textmine.features import NEGATION_PREFIX, document_term_matrix
from textmine.runfolder import (
    COUNT_EMPTY,
    COUNT_NON_ANSWER,
    COUNT_THEMED,
    COUNT_UNASSIGNED,
    DUPLICATES_NOTE,
    OK,
    STABILITY,
    THEMED,
    UNDER_ASSIGNED,
)
from textmine.themes.assign import (
    ASSIGNMENT_RULE,
    N_DEFINING,
    assign_themes,
    defining_columns,
    status_counts,
    theme_counts,
    under_assigned,
    writes_columns,
)
from textmine.themes.catchall import (
    OTHERS_LABEL,
    exclusivity,
    others,
    share_limit,
    split_catch_alls,
    theme_profile,
)
from textmine.themes.catchall import (
    carriers as theme_carriers,
)
from textmine.themes.edit import edit_map
from textmine.themes.labels import (
    POOL,
    distinct_labels,
    fragment_share,
    frex_order,
    surface_forms,
    surface_top_terms,
    theme_label,
    written_by_members,
)
from textmine.themes.method_choice import choose_method
from textmine.themes.models import EmbeddingRows, make_model
from textmine.themes.quotes import select_quotes, typicality
from textmine.themes.result import FittedThemes, ThemeResult
from textmine.themes.seeded import (
    SEMANTIC_EXPANSION_RULE,
    SeedProcessor,
    expand_seeds,
    expand_seeds_semantic,
    seed_anchor_embeddings,
    seed_columns,
    simple_seed_terms,
)
from textmine.themes.selection import K_RULE, k_at_edge, sweep_k
from textmine.themes.stability import UNSTABLE_BELOW, final_stability, theme_stability

logger = logging.getLogger(__name__)

N_TERM_WEIGHTS = 50
#: Catch-all splits tried at most in a ``semantic`` run (a theme that does not split into two
#: stable parts uses a try; :func:`textmine.themes.catchall.split_catch_alls`).
SEMANTIC_MAX_SPLITS = 6


class CorpusLike(Protocol):
    """What the theme stage reads from a :class:`textmine.text.corpus.Corpus`."""

    ids: list[str]
    texts: list[str]
    masked: list[str]
    status: list[str]
    terms: list[list[str]]


def _texts(corpus: CorpusLike) -> list[str]:
    return corpus.texts if any(corpus.texts) else corpus.masked


def distinct_rows(corpus: CorpusLike, rows: np.ndarray) -> np.ndarray:
    """The first of ``rows`` for each distinct answer text (typography and case ignored).

    Used by ``ThemeOptions.dedupe``: a text pasted by many respondents (a campaign) is fitted
    once; every respondent is still assigned and counted.
    """
    from textmine.text.corpus import duplicate_keys

    texts = _texts(corpus)
    seen: set[str] = set()
    keep: list[int] = []
    # Keys computed once per distinct text (issue 19: 1M answers, ~56k texts).
    for r, key in zip(rows, duplicate_keys([texts[r] for r in rows]), strict=True):
        if key not in seen:
            seen.add(key)
            keep.append(int(r))
    return np.asarray(keep, dtype=np.int64)


def duplicates_notes(
    corpus: CorpusLike, answers: pd.DataFrame, n_themes: int, *, dedupe: bool, n_fitted: int,
    ids: list[int] | None = None,
) -> tuple[str | None, list[str]]:
    """The counted note on a pasted text (a campaign) for the run and for each theme.

    Parameters
    ----------
    corpus : Corpus
        The processed answers.
    answers : pandas.DataFrame
        The assignment (``themes`` column: ``;``-joined theme ids), in corpus order.
    n_themes : int
        Number of themes.
    dedupe : bool
        Whether the themes were fitted on distinct texts.
    n_fitted : int
        Number of answers the themes were fitted on.
    ids : list of int, optional
        The theme ids (``1..n_themes`` when not given; an edited run keeps gaps).

    Returns
    -------
    tuple of (str or None, list of str)
        The run's note (``"14 answers (47 %) are one identical text; ..."``, ``None`` when no
        text is pasted by enough answers) and, per theme, ``"14 of its 16 answers are one
        identical text"`` or ``""`` for the themes that hold none of them.
    """
    from textmine.text.corpus import duplicate_note, pasted_rows

    rows = pasted_rows(_texts(corpus), corpus.status)
    if not rows:
        return None, [""] * n_themes
    note = duplicate_note(_texts(corpus), corpus.status)["note"]
    if dedupe:
        note += (f"; themes fitted on the {n_fitted} distinct texts (--dedupe), counts per "
                 "respondent.")
    else:
        note += "; --dedupe ([themes] dedupe = true) fits the themes on distinct texts."
    # One set per distinct cell ("2;5"), shared by the answers holding it (issue 19).
    cells: dict[str, set[str]] = {}
    no_theme: set[str] = set()
    carriers = [cells.setdefault(cell, set(cell.split(";"))) if isinstance(cell, str) and cell
                else no_theme for cell in answers["themes"]]
    pasted = set(rows)
    per_theme = []
    for j in map(str, ids or range(1, n_themes + 1)):
        holders = [i for i, ids in enumerate(carriers) if j in ids]
        inside = sum(i in pasted for i in holders)
        per_theme.append(f"{inside} of its {len(holders)} answers are one identical text"
                         if inside else "")
    return note, per_theme


def _themes_table(
    labels: list[str],
    tops: list[list[str]],
    counts: np.ndarray,
    n_base: int,
    quotes: list[list[str]],
    n_quotes: int,
) -> pd.DataFrame:
    rows = []
    for j, label in enumerate(labels):
        row = {
            "theme_id": j + 1,
            "label": label,
            "top_terms": "; ".join(tops[j]),
            "n_answers": int(counts[j]),
            "share": round(float(counts[j]) / n_base, 4) if n_base else 0.0,
        }
        for q in range(n_quotes):
            row[f"quote_{q + 1}"] = quotes[j][q] if q < len(quotes[j]) else ""
        rows.append(row)
    return pd.DataFrame(rows)


def _heaviest(components: np.ndarray, n: int) -> list[np.ndarray]:
    return [np.lexsort((np.arange(len(c)), -c))[:n] for c in np.asarray(components)]


def surface_map(
    components: np.ndarray, terms: list[str], X: sp.spmatrix, texts: list[str],
    cache: dict | None = None,
) -> dict[str, str | None]:
    """Surface forms of the terms that can show in labels, clouds or the diagnostics.

    Those are each theme's :data:`N_TERM_WEIGHTS` heaviest terms and its FREX pool (see
    :func:`textmine.themes.labels.surface_forms`).
    """
    wanted = {int(i) for idx in _heaviest(components, N_TERM_WEIGHTS) for i in idx}
    wanted |= {int(i) for idx in frex_order(components, n_top=3 * POOL, pool=3 * POOL)
               for i in idx}
    return surface_forms([terms[i] for i in sorted(wanted)], X, terms, texts, cache=cache)


def _term_weights(
    components: np.ndarray, terms: list[str], surface: dict[str, str | None]
) -> pd.DataFrame:
    # The word cloud's words are the labels' words: surface forms, fragments left out, a form
    # shown once per theme (with its heaviest term's weight).
    rows = []
    for j, comp in enumerate(components):
        shown: set[str] = set()
        for i in np.lexsort((np.arange(len(comp)), -comp))[:N_TERM_WEIGHTS]:
            form = surface.get(terms[i])
            if comp[i] > 0 and form and form not in shown:
                shown.add(form)
                rows.append((j + 1, form, round(float(comp[i]), 6)))
    return pd.DataFrame(rows, columns=["theme_id", "term", "weight"])


def answer_embeddings(corpus: CorpusLike, model: str | None = None) -> np.ndarray:
    """Sentence embeddings of the corpus answers (one row per answer, cached on disk).

    The original texts are embedded (the masked ones when the corpus keeps no original), with
    :func:`textmine.text.embeddings.embed_texts` and encoder ``model`` (default: its default).
    """
    vectors, index = answer_embeddings_by_text(corpus, model)
    return vectors[index]


def answer_embeddings_by_text(corpus: CorpusLike,
                              model: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sentence embeddings of the corpus's distinct texts and each answer's row among them.

    ``vectors[index]`` is :func:`answer_embeddings`; kept apart, a consultation of 1M
    resampled answers holds ~56k vectors instead of 1M (2 GiB of float32 at 512 dimensions).

    Returns
    -------
    tuple of (ndarray of float32 (n_distinct, d), ndarray of int64 (n_answers,))
    """
    from textmine.text.embeddings import DEFAULT_EMBEDDING_MODEL, embed_texts

    row_of: dict[str, int] = {}
    texts = _texts(corpus)
    index = np.fromiter((row_of.setdefault(t, len(row_of)) for t in texts), dtype=np.int64,
                        count=len(texts))
    return embed_texts(list(row_of), model=model or DEFAULT_EMBEDDING_MODEL), index


def _has_content(corpus: CorpusLike) -> np.ndarray:
    """Whether each answer is ``ok`` with at least one content word (any feature, before the
    vocabulary's ``min_df`` cut): stop words alone ("oui, tout à fait") place nothing."""
    return np.array([s == OK and len(t) > 0 for s, t in zip(corpus.status, corpus.terms,
                                                             strict=True)], dtype=bool)


def _has_embedding(embeddings: np.ndarray | tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Whether each answer has a non-zero sentence embedding (the spaCy mean encoder gives a
    zero row to a text without any known word)."""
    if isinstance(embeddings, tuple):
        vectors, index = embeddings
        return (np.abs(np.asarray(vectors)).sum(axis=1) > 0)[np.asarray(index)]
    return np.abs(np.asarray(embeddings)).sum(axis=1) > 0


#: run.json count of the answers themed by their sentence embedding alone.
PLACED_BY_EMBEDDING = "placed_by_embedding"
#: An answer placed by its embedding alone needs a closeness to its nearest theme at least this
#: quantile of the answers with vocabulary words (``SemanticThemes.semantic_closeness``).
EMBEDDING_ONLY_QUANTILE = 0.1


def _embedding_rows(embeddings: np.ndarray | tuple[np.ndarray, np.ndarray],
                    rows: np.ndarray) -> np.ndarray:
    """The embeddings of ``rows``: from a per-answer array, or from (vectors, index) as
    :class:`~textmine.themes.models.EmbeddingRows` (no per-answer copy)."""
    if isinstance(embeddings, tuple):
        vectors, index = embeddings
        return EmbeddingRows(vectors, index[rows])
    return np.asarray(embeddings)[rows]


#: A seeded theme is said to lose its seeds when more than this share of the answers writing
#: them (at least :data:`LEAK_MIN_WRITERS`) are in other themes.
LEAK_SHARE, LEAK_MIN_WRITERS = 0.5, 10


def _say_seed_leaks(seed_report: list[dict], X: sp.csr_matrix, terms: list[str],
                    answers: pd.DataFrame, themes: pd.DataFrame, *, question: str = "",
                    catch_all: float = np.inf) -> None:
    """Say the seeds of a seeded theme whose writers are mostly in other themes, and record
    per entry ``seed_writers``, ``seed_writers_elsewhere`` (answers writing any of its seeds,
    and those not in it) and ``seeds_elsewhere`` (the seeds said).

    A free theme can take a seeded theme's own word (trial 2026-12-01, INED K1: "entoure", a
    seed of "Entourage", written by 182 answers, 6 of them in it, 162 in a free theme
    "entoure / personnes / paysage"), which the under-assigned count (top terms) did not show.
    A seed is said when at least :data:`LEAK_MIN_WRITERS` answers write it and more than
    :data:`LEAK_SHARE` of them are elsewhere. Negated forms (``pas_...``) are matched as seeds
    but left out here: "pas de nature" is not a writer of "nature". A seeded theme holding
    more than ``catch_all`` of the answers (the free themes' catch-all share), fewer than half
    of them writing its seeds, is said too.
    """
    from collections import Counter

    where = f"question '{question}': " if question else ""
    col = {t: i for i, t in enumerate(terms)}
    label = dict(zip(themes["theme_id"].astype(str), themes["label"], strict=True))
    cells = answers["themes"].fillna("").astype(str).to_numpy()
    Xc = sp.csc_matrix(X)
    # a seed of two codebook themes cannot be held by both (demo: "conseil municipal" matched
    # "conseil", a seed of "Rôle de conseil" too): only a seed of one theme is checked
    owners = Counter(t for entry in seed_report for t in set(entry["matched_terms"]))
    for entry in seed_report:
        tid = entry.get("theme_id")
        seeds = [t for t in entry["matched_terms"]
                 if t in col and not t.startswith(NEGATION_PREFIX)]
        if tid is None or not seeds:
            continue

        def outside(rows: np.ndarray, tid: str = str(tid)) -> list[str]:
            return [c for c in cells[rows] if tid not in c.split(";")]

        writers = np.flatnonzero(np.asarray((Xc[:, [col[t] for t in seeds]] > 0).sum(axis=1))
                                 .ravel() > 0)  # fmt: skip
        entry["seed_writers"] = len(writers)
        entry["seed_writers_elsewhere"] = len(outside(writers))
        said = []
        for t in seeds:
            if owners[t] > 1:
                continue
            rows = Xc[:, col[t]].nonzero()[0]
            away = outside(rows)
            if len(rows) >= LEAK_MIN_WRITERS and len(away) > LEAK_SHARE * len(rows):
                most = Counter(c.split(";")[0] for c in away if c).most_common(1)
                there = (f", most in theme {most[0][0]} '{label.get(most[0][0], '')}'"
                         if most else "")
                said.append(f"{t!r}: {len(away)} of its {len(rows)} writers{there}")
        entry["seeds_elsewhere"] = said
        held = entry.get("n_answers", 0)
        share = themes.loc[themes["theme_id"].astype(str) == str(tid), "share"]
        writing = len(writers) - entry["seed_writers_elsewhere"]
        if len(share) and float(share.iloc[0]) > catch_all and writing < held / 2:
            # the catch-all rule of free themes (issue 14 item 4) exempts seeded ones; a
            # one-theme codebook's semantic theme held 55 % of INED K1, 17 % of it writing a seed
            logger.warning(
                "%sCodebook theme '%s' holds %.0f %% of the answers, only %d of its %d writing "
                "its seeds: most are there by closeness of meaning; read its quotes, or give "
                "more themes (codebook entries or --extra-themes).", where, entry["name"],
                100 * float(share.iloc[0]), writing, held,
            )  # fmt: skip
        if said:
            logger.warning(
                "%sCodebook theme '%s' does not hold the answers writing some of its seeds "
                "(%s): check that theme (the same idea: merge them with textmine edit) and the "
                "seed.", where, entry["name"],
                "; ".join(said[:3]) + (f"; {len(said) - 3} more in run.json" if len(said) > 3
                                       else ""),
            )  # fmt: skip


def _tables(
    model: FittedThemes,
    corpus: CorpusLike,
    X: sp.csr_matrix,
    *,
    n_quotes: int,
    surface_cache: dict | None = None,
    embeddings: np.ndarray | tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    has_terms = np.diff(X.indptr) > 0
    W = np.zeros((X.shape[0], model.n_themes))
    placed = has_terms
    if model.needs_embeddings:
        E = (answer_embeddings_by_text(corpus, model.estimator.embedding_model)
             if embeddings is None else embeddings)
        # An answer whose content words are all outside the vocabulary (rarer than min_df:
        # "Pénurie d'orthophonistes") is placed by its sentence embedding alone, as a new
        # answer would be (issue 14: 20 of the 370 AN titles were left unassigned).
        rows = np.flatnonzero(has_terms | (_has_content(corpus) & _has_embedding(E)))
        if len(rows):
            W[rows] = model.weights(X[rows], _embedding_rows(E, rows))
            # ... but only when it is as close to a theme as nine in ten of the answers with
            # words are: "bof", "test", "I don't know" are close to no theme and stay
            # unassigned (fresh-helper trial: they were all themed).
            top = model.estimator.semantic_closeness(_embedding_rows(E, rows))
            words = has_terms[rows]
            floor = np.quantile(top[words], EMBEDDING_ONLY_QUANTILE) if words.any() else np.inf
            W[rows[~words & (top < floor)]] = 0.0
            placed = has_terms | (W.sum(axis=1) > 0)
    elif has_terms.any():
        W[has_terms] = model.weights(X[has_terms])
    comps = model.components
    surface = surface_map(comps, model.terms, X, corpus.masked, surface_cache)
    usable = np.array([bool(surface.get(t)) for t in model.terms])
    lead, _ = defining_columns(comps, usable)
    # A seeded theme is defined by the researcher's seeds: its heaviest word does not pull the
    # answers writing it in (demo hand coding: mean F1 of seeded themes 0.762 with, 0.777
    # without; docs/benchmarks.md).
    seeded = set(model.seeded)
    lead = [None if label in seeded else c for label, c in zip(model.labels, lead, strict=True)]
    # The under-assigned diagnostic checks the words a reader sees: the theme's first
    # N_DEFINING top terms (the label's words), through the features written that way.
    shown = [set(tops[:N_DEFINING]) for tops in model.top_terms]
    defining = [[int(i) for i in idx if surface.get(model.terms[i]) in shown[j]]
                for j, idx in enumerate(_heaviest(comps, 3 * POOL))]
    # answers.csv leaves the tool like the quotes: it shows the masked text.
    answers = assign_themes(
        W, ids=corpus.ids, texts=corpus.masked, status=corpus.status, has_terms=placed,
        relative_threshold=model.relative_threshold, min_weight=model.min_weight,
        writes_defining=writes_columns(X, [[c] for c in lead]),
    )  # fmt: skip
    counts = theme_counts(answers, model.n_themes)
    carriers = np.zeros_like(W, dtype=bool)
    for i, cell in enumerate(answers["themes"]):
        for t in str(cell).split(";") if cell else ():
            carriers[i, int(t) - 1] = True
    # Typicality of the answers with terms (others: 0), represented block by block (memory).
    typical = np.zeros((X.shape[0], model.n_themes))
    if has_terms.any():
        typical[has_terms] = typicality(X[has_terms], comps, model.estimator.represent)
    quotes = [
        select_quotes(
            W[:, j], carriers[:, j], typical[:, j], masked=corpus.masked, terms=corpus.terms,
            n_quotes=n_quotes, label=model.labels[j],
        )  # fmt: skip
        for j in range(model.n_themes)
    ]  # quotes' near-duplicate test uses the corpus terms (expressions whole)
    sc = status_counts(answers)
    n_base = sc["themed"] + sc["unassigned"]
    themes = _themes_table(model.labels, model.top_terms, counts, n_base, quotes, n_quotes)
    themes[UNDER_ASSIGNED] = under_assigned(answers, writes_columns(X, defining))
    term_weights = _term_weights(comps, model.terms, surface)
    if model.ids != list(range(1, model.n_themes + 1)):
        themes, answers, term_weights = renumber_themes(themes, answers, term_weights, model.ids)
    counts_info = {
        "answers": len(corpus.ids),
        "ok": int(sum(s == "ok" for s in corpus.status)),
        "ok_without_vocabulary_terms": int(
            sum(s == "ok" and not h for s, h in zip(corpus.status, has_terms, strict=True))
        ),
        PLACED_BY_EMBEDDING: int((placed & ~has_terms).sum()),
        **sc,
    }
    return themes, answers, term_weights, counts_info


def renumber_themes(
    themes: pd.DataFrame, answers: pd.DataFrame, term_weights: pd.DataFrame, ids: list[int]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Give the tables of an edited model its theme ids (position j + 1 -> ``ids[j]``).

    Returns
    -------
    tuple of DataFrame
        ``themes``, ``answers`` and ``term_weights`` with their ``theme_id`` (and ``themes``
        lists) mapped; inputs are not modified.
    """
    to_id = {j + 1: t for j, t in enumerate(ids)}
    themes, answers, term_weights = themes.copy(), answers.copy(), term_weights.copy()
    themes["theme_id"] = [to_id[int(t)] for t in themes["theme_id"]]
    answers["theme_id"] = pd.array([pd.NA if pd.isna(t) else to_id[int(t)]
                                    for t in answers["theme_id"]], dtype="Int64")
    answers["themes"] = [";".join(str(to_id[int(t)]) for t in str(cell).split(";")) if cell
                         else "" for cell in answers["themes"]]
    term_weights["theme_id"] = [to_id[int(t)] for t in term_weights["theme_id"]]
    return themes, answers, term_weights


def _choose_k(
    X: sp.csr_matrix,
    options: ThemeOptions,
    n_seeded: int,
    embeddings: np.ndarray | None,
    method: str,
) -> tuple[int, pd.DataFrame | None]:
    n_docs, n_terms = X.shape
    limit = min(n_docs, n_terms)
    if n_seeded:
        k = n_seeded + options.extra_themes
        if k > limit:
            raise OptionError(
                f"{n_seeded} codebook themes + {options.extra_themes} extra themes = {k} themes, "
                f"more than this data allows ({n_docs} answers with terms, {n_terms} terms); "
                "use fewer --extra-themes or codebook themes."
            )
        return k, None
    if options.k != "auto":
        k = int(options.k)
        if k > limit:
            fix = (f"use --k {limit} or fewer, or --k auto" if limit >= 2 else
                   "a theme model needs at least 2 answers with terms and 2 terms")
            raise OptionError(
                f"--k {k} is more than this data allows ({n_docs} answers with terms, "
                f"{n_terms} terms); {fix}."
            )
        return k, None
    k_values = [k for k in range(options.k_min, options.k_max + 1) if 2 <= k <= limit]
    if not k_values:
        raise OptionError(
            f"No k in {options.k_min}..{options.k_max} fits this data ({n_docs} answers with "
            f"terms, {n_terms} terms); give --k {limit} or fewer."
        )
    table, k = sweep_k(
        X, k_values, method=method, seed=options.seed, embeddings=embeddings,
        n_seeds=options.n_seeds_stability, n_top=options.n_top_terms,
    )  # fmt: skip
    return k, table


def discover_themes(
    corpus: CorpusLike,
    *,
    options: ThemeOptions = ThemeOptions(),
    codebook: Codebook | None = None,
    seed_processor: SeedProcessor | None = None,
    question: str = "",
    embeddings: np.ndarray | None = None,
) -> ThemeResult:
    """Find the themes of a processed corpus and assign them to the answers.

    Parameters
    ----------
    corpus : Corpus
        Processed answers (:func:`textmine.text.corpus.process_answers`).
    options : ThemeOptions
        k, method, seed, thresholds, edits (see :class:`textmine.config.ThemeOptions`).
    codebook : Codebook, optional
        Named themes with seeds: each becomes a seeded theme named as in the codebook, and
        ``options.extra_themes`` free themes are found beside them; its rename/merge/drop
        section is applied after fitting (with those of ``options``).
    seed_processor : callable, optional
        Turns seed phrases into features with the same text pipeline as the answers (without it,
        seeds are lower-cased words).
    question : str
        The open question the corpus answers (named in the warning about absent seeds).
    embeddings : ndarray (n_answers, n_dims), optional
        Sentence embeddings of the corpus answers, in corpus order (method ``semantic``);
        computed with :func:`answer_embeddings` when not given.

    Returns
    -------
    ThemeResult

    Raises
    ------
    OptionError
        Unknown method, impossible k, no term left after filtering, edits naming no theme.
    """
    # ThemeOptions checked k, method and ranges when it was built (textmine.config).
    seed_terms: tuple[tuple[int, ...], ...] = ()
    seed_report: list[dict] = []
    keep: list[str] = []
    if codebook is not None:
        if options.method == "lda":
            raise OptionError(
                "Seeded themes (--codebook) need --method auto, short, nmf or semantic, not lda."
            )
        # Seeds are looked up in the whole vocabulary and kept even when rarer than min_df:
        # the researcher asked for them.
        full = document_term_matrix(corpus, mwe_parts=options.mwe_parts)
        _, seed_report = seed_columns(
            codebook, full.terms, processor=seed_processor or simple_seed_terms,
            question=question, texts=getattr(corpus, "texts", None),
        )
        keep = [t for entry in seed_report for t in entry["matched_terms"]]
    dtm = document_term_matrix(
        corpus, min_df=options.min_df, max_df=options.max_df, mwe_parts=options.mwe_parts,
        keep=keep,
    )  # fmt: skip
    if codebook is not None:
        col = {t: i for i, t in enumerate(dtm.terms)}
        seed_terms = tuple(
            tuple(col[t] for t in entry["matched_terms"] if t in col) for entry in seed_report
        )
    has_terms = dtm.n_terms_per_row > 0
    fit_rows = np.flatnonzero(has_terms)
    if options.dedupe:
        fit_rows = distinct_rows(corpus, fit_rows)
    X_fit = dtm.X[fit_rows]
    # Surface forms of the features, found once per run (labels, clouds, diagnostics).
    surface_cache: dict = {}
    # --- issue 14: seeds expanded with their co-occurrence neighbours ---
    expansion_rows: list[dict] = []
    if seed_terms and options.seed_neighbours:
        seed_terms, added = expand_seeds(X_fit, seed_terms, n_neighbours=options.seed_neighbours)
        forms = surface_forms([dtm.terms[c] for a in added for c, _ in a], dtm.X, dtm.terms,
                              corpus.masked, cache=surface_cache)
        for entry, pairs in zip(seed_report, added, strict=True):
            entry["expanded_terms"] = [dtm.terms[c] for c, _ in pairs]
            expansion_rows += [
                {"theme": entry["name"], "term": forms.get(dtm.terms[c]) or dtm.terms[c],
                 "feature": dtm.terms[c], "cosine": cos, "source": "co-occurrence"}
                for c, cos in pairs
            ]  # fmt: skip
    # --- end issue 14 ---
    method = options.method
    method_choice = None
    if method == "auto":
        texts = _texts(corpus)
        method_choice = choose_method(
            X_fit, [texts[r] for r in fit_rows], seeded=codebook is not None,
            seeds_per_theme=(float(np.mean([len(t.seeds) for t in codebook.themes]))
                             if codebook is not None and codebook.themes else None))
        method = method_choice.method
        logger.info("Theme model: %s.", method_choice.reason)
    if seed_terms and method == "short":
        # Co-occurrence smoothing spreads seed terms over their neighbours and blurs seeded
        # themes: on the demo survey's hand coding, mean F1 of seeded themes 0.39 with it,
        # 0.78 without (docs/bench_themes.md). Seeded runs therefore use plain NMF.
        method = "nmf"
        logger.info("Seeded themes: fitting method 'nmf' (no co-occurrence smoothing).")
    E_fit = None
    anchors = None
    if method == "semantic":
        if embeddings is None:
            # kept per distinct text (issue 19); the fit rows are gathered from them
            embeddings = answer_embeddings_by_text(corpus)
        E_fit = _embedding_rows(embeddings, fit_rows)
        if codebook is not None:
            # Seeded semantic themes: each codebook entry's name and seeds, embedded by the
            # answers' encoder, anchor its theme; the vocabulary terms closest in meaning to it
            # join its seed terms (listed in seed_expansion.csv).
            anchors = seed_anchor_embeddings(codebook)
            if options.seed_neighbours:
                seed_terms, near = expand_seeds_semantic(
                    dtm.terms, seed_terms, anchors, n_neighbours=options.seed_neighbours)
                for entry, pairs in zip(seed_report, near, strict=True):
                    entry["expanded_terms"] = (entry.get("expanded_terms", [])
                                               + [dtm.terms[c] for c, _ in pairs])
                    expansion_rows += [
                        {"theme": entry["name"], "term": dtm.terms[c].replace("_", " "),
                         "feature": dtm.terms[c], "cosine": cos, "source": "semantic"}
                        for c, cos in pairs
                    ]  # fmt: skip
    k, k_table = _choose_k(X_fit, options, len(seed_terms), E_fit, method)

    def build(n_themes: int, random_state: int | None):
        model = make_model(method, n_themes, random_state=random_state, seed_terms=seed_terms)
        if seed_terms and method != "semantic":
            # Weak pull towards the seeds (issue 14): seeded themes then gather the answers
            # that do not write a seed (scripts/bench_seeded.py, docs/benchmarks.md).
            model.set_params(seed_strength=options.seed_strength)
        return model

    def fit(model, rows: np.ndarray | None = None):
        # The semantic model needs the sentence embeddings of the rows it is fitted on.
        X_rows = X_fit if rows is None else X_fit[rows]
        if E_fit is None:
            return model.fit(X_rows)
        return model.fit(X_rows, embeddings=E_fit if rows is None else E_fit[rows],
                         anchors=anchors)

    estimator = fit(build(k, options.seed))
    seeded_names = [t.name for t in codebook.themes] if codebook is not None else []
    n_seeded = len(seeded_names)
    # --- issue 14: no catch-all themes, surface labels, stability ---
    surface: dict[str, str | None] = {}

    def lead_writers(comps: np.ndarray) -> np.ndarray:
        # The answers writing each theme's lead word carry it (assign.defining_columns).
        surface.update(surface_map(comps, dtm.terms, dtm.X, corpus.masked, surface_cache))
        lead, _ = defining_columns(comps, np.array([bool(surface.get(t)) for t in dtm.terms]))
        return writes_columns(X_fit, [[c] for c in lead])

    # Free runs split a catch-all theme; beside a codebook the researcher's themes are the
    # structure and a catch-all free theme becomes "Divers / autres" (a refit would move the
    # seeded themes' answers too). A semantic catch-all is re-clustered from its answers; a
    # split it refuses counts as a try, hence more tries.
    max_share = share_limit(options.max_theme_share, k)
    max_splits = SEMANTIC_MAX_SPLITS if method == "semantic" else 3
    splits = split_catch_alls(
        estimator, X_fit, first_free=n_seeded, max_share=max_share,
        relative_threshold=options.relative_threshold, min_weight=options.min_weight,
        random_state=options.seed, lead_writers=lead_writers, embeddings=E_fit,
        max_splits=max_splits,
    ) if (options.max_theme_share < 1 and method != "lda"
          and codebook is None) else []  # fmt: skip
    writes_lead = lead_writers(estimator.components_)
    W_fit = (estimator.transform(X_fit) if E_fit is None
             else estimator.transform(X_fit, embeddings=E_fit))
    # Labels and top terms only from words the theme's own answers write.
    own_words = written_by_members(
        theme_carriers(W_fit, relative_threshold=options.relative_threshold,
                 min_weight=options.min_weight) | writes_lead, X_fit)
    fitted_tops = surface_top_terms(estimator.components_ * own_words, dtm.terms, surface,
                                    n_top=options.n_top_terms)
    labels = [theme_label(t) for t in fitted_tops]
    labels[:n_seeded] = seeded_names
    # Two free themes never share a label (a reader could not tell them apart).
    labels[n_seeded:] = distinct_labels(labels[n_seeded:], fitted_tops[n_seeded:])
    shares, dominant = theme_profile(
        W_fit, writes_lead, relative_threshold=options.relative_threshold,
        min_weight=options.min_weight,
    )  # fmt: skip
    folded = others(
        shares, dominant, fragment_share(estimator.components_, dtm.terms, surface),
        exclusivity(estimator.components_), first_free=n_seeded,
        max_share=max_share if options.max_theme_share < 1 else np.inf,
        min_exclusivity=options.min_exclusivity if codebook is not None else None,
    )  # fmt: skip
    for j, reason in folded.items():
        logger.info("Free theme '%s' reported as '%s': %s.", labels[j], OTHERS_LABEL, reason)
        labels[j] = OTHERS_LABEL
    auto_merge = ((tuple(str(j + 1) for j in sorted(folded)),) if len(folded) > 1 else ())

    def refit(rows: np.ndarray, seed: int) -> np.ndarray:
        # As the run: same k and seeds, catch-alls split by the same rule (on the weights), so
        # that a theme made by a split can come back.
        X_sample = X_fit[rows]
        model = fit(build(k, seed), rows)
        if splits:
            split_catch_alls(model, X_sample, first_free=n_seeded, max_share=max_share,
                             relative_threshold=options.relative_threshold,
                             min_weight=options.min_weight, random_state=seed,
                             embeddings=None if E_fit is None else E_fit[rows],
                             max_splits=max_splits)
        return model.components_

    stability = theme_stability(
        refit,
        X_fit, estimator.components_, n_resamples=options.stability_resamples,
        random_state=options.seed,
    )  # fmt: skip
    # --- end issue 14 ---
    merge = auto_merge + tuple(options.merge) + (codebook.merge if codebook else ())
    drop = tuple(options.drop) + (codebook.drop if codebook else ())
    rename = dict(options.rename) | (codebook.rename if codebook else {})
    M, new_labels, heads, edit_log = edit_map(labels, merge=merge, drop=drop, rename=rename)
    final_comps = M.T @ estimator.components_
    final_tops = surface_top_terms(final_comps * ((M.T @ own_words) > 0), dtm.terms,
                                   surface | surface_map(final_comps, dtm.terms, dtm.X,
                                                         corpus.masked, surface_cache),
                                   n_top=options.n_top_terms)
    # A merged theme keeps the id and the label of its first member (or the name given by a
    # rename), as `textmine edit` does: no theme takes another's name, and ids are never
    # renumbered (a dropped theme leaves a gap; ``model.theme_ids``).
    seeded_final = [new_labels[j] for j, h in enumerate(heads) if h < len(seeded_names)]
    model = FittedThemes(
        estimator=estimator, method=method, terms=dtm.terms, theme_map=M,
        labels=new_labels, top_terms=final_tops, seeded=seeded_final,
        relative_threshold=options.relative_threshold, min_weight=options.min_weight,
        mwe_parts=options.mwe_parts, theme_ids=[h + 1 for h in heads],
    )  # fmt: skip
    themes, answers, term_weights, counts = _tables(
        model, corpus, dtm.X, n_quotes=options.n_quotes, surface_cache=surface_cache,
        embeddings=embeddings,
    )
    final_stab = final_stability(stability, M)
    if options.stability_resamples:
        themes[STABILITY] = np.round(final_stab, 3)
        unstable = [int(j + 1) for j in np.flatnonzero(final_stab < UNSTABLE_BELOW)]
        if unstable:
            logger.warning(
                "%d of the %d themes are unstable (stability below %.2f over %d bootstrap "
                "refits): %s; read them with care.", len(unstable), model.n_themes,
                UNSTABLE_BELOW, options.stability_resamples,
                ", ".join(f"{j} '{model.labels[j - 1]}'" for j in unstable),
            )  # fmt: skip
    for i, entry in enumerate(seed_report):
        # Seeded theme i is fitted theme i; follow it through the edits to its final theme.
        j = heads.index(i) if i in heads else None
        entry["theme_id"] = None if j is None else model.ids[j]
        entry["n_answers"] = 0 if j is None else int(themes.loc[j, "n_answers"])
    _say_seed_leaks(seed_report, dtm.X, dtm.terms, answers, themes, question=question,
                    catch_all=(share_limit(options.max_theme_share, model.n_themes)
                               if options.max_theme_share < 1 else np.inf))  # fmt: skip
    counts.update(vocabulary=len(dtm.terms), answers_with_terms=int(has_terms.sum()),
                  fitted_on=len(fit_rows))
    note, per_theme = duplicates_notes(corpus, answers, model.n_themes,
                                       dedupe=options.dedupe, n_fitted=len(fit_rows),
                                       ids=model.ids)
    if note:
        themes[DUPLICATES_NOTE] = per_theme
        logger.warning("%s", note)
    info = {
        "method": method,
        "method_choice": method_choice.record() if method_choice else None,
        "k": k,
        "k_chosen_by": "codebook" if codebook else ("auto" if k_table is not None else "fixed"),
        "k_rule": K_RULE if k_table is not None else None,
        "k_at_edge": k_at_edge(k_table) if k_table is not None else None,
        "n_themes_final": model.n_themes,
        "options": asdict(options),
        "assignment": {
            "rule": ASSIGNMENT_RULE,
            "relative_threshold": options.relative_threshold,
            "min_weight": options.min_weight,
        },
        "seeded_themes": seed_report,
        "seed_expansion": {"neighbours": options.seed_neighbours,
                           "rule": "terms closest to the mean of a theme's seeds (cosine of "
                                   "binary answer-occurrence vectors >= 0.1), each term to one "
                                   "theme" + (SEMANTIC_EXPANSION_RULE if method == "semantic"
                                              else "")} if codebook is not None else None,
        "edits": edit_log,
        "counts": counts,
        "dedupe": bool(options.dedupe),
        "duplicates_note": note,
        "estimator": {"class": type(estimator).__name__, "n_iter": int(estimator.n_iter_)},
        "catch_all": {
            "max_share": options.max_theme_share,
            "share_limit": max_share,
            "min_exclusivity": options.min_exclusivity if codebook is not None else None,
            "splits": splits,
            "dominant_ideas": [int(j + 1) for j in np.flatnonzero(dominant)],
            "others": [{"fitted_theme": j + 1, "reason": r} for j, r in sorted(folded.items())],
        },
        "stability": {
            "resamples": options.stability_resamples,
            "unstable_below": UNSTABLE_BELOW,
            "rule": "mean cosine of the theme's term weights with its Hungarian match in "
                    "bootstrap refits (same method, k, seeds and catch-all splits)",
            "unstable": ([int(j + 1) for j in np.flatnonzero(final_stab < UNSTABLE_BELOW)]
                         if options.stability_resamples else []),
        },
        "under_assigned_rule": "answers writing one of the theme's first 3 top terms "
                               "(as written in the answers) but not carrying it",
    }
    logger.info(
        "%d themes; %d answers themed, %d unassigned, %d non-answers, %d empty.",
        model.n_themes, counts[COUNT_THEMED], counts[COUNT_UNASSIGNED],
        counts[COUNT_NON_ANSWER], counts[COUNT_EMPTY],
    )  # fmt: skip
    n_empty = int((themes["n_answers"] == 0).sum())
    if n_empty:
        logger.warning(
            "%d of the %d themes have no answer; a smaller --k (at most %d) gives fewer, "
            "fuller themes.", n_empty, model.n_themes, model.n_themes - n_empty,
        )  # fmt: skip
    if counts[PLACED_BY_EMBEDDING]:
        # a guess: said, with examples to look up in answers.csv
        guessed = answers.loc[(answers["status"] == THEMED).to_numpy() & ~has_terms, "text"]
        logger.warning(
            "%d answers whose words are all rarer than --min-df %d were themed by their "
            "sentence embedding alone (as close to a theme as 9 in 10 answers with words; "
            "run.json counts.%s), e.g. %s: check them in answers.csv before quoting them.",
            counts[PLACED_BY_EMBEDDING], options.min_df, PLACED_BY_EMBEDDING,
            ", ".join(f'"{t[:40]}"' for t in guessed.head(3)),
        )  # fmt: skip
    if counts["unassigned"]:
        # Counted in run.json, the command's summary and the report: not a warning.
        logger.info(
            "%d answers have no usable term signal and stay unassigned.", counts["unassigned"]
        )
    seed_expansion = None
    if codebook is not None and options.seed_neighbours:
        seed_expansion = pd.DataFrame(expansion_rows,
                                      columns=["theme", "term", "feature", "cosine", "source"])
        ids = {e["name"]: e.get("theme_id") for e in seed_report}
        seed_expansion.insert(0, "theme_id", pd.array([ids.get(t) for t in
                                                       seed_expansion["theme"]], dtype="Int64"))
    return ThemeResult(themes, answers, term_weights, k_table, model, info,
                       seed_expansion=seed_expansion)


def code_answers(
    model: FittedThemes,
    corpus: CorpusLike,
    *,
    n_quotes: int = 3,
    embeddings: np.ndarray | None = None,
) -> ThemeResult:
    """Code new answers with a fitted (possibly loaded) model; nothing is refitted.

    A ``semantic`` model needs the answers' sentence embeddings: given as ``embeddings`` (one
    row per corpus answer) or computed with the encoder the model was fitted with.
    """
    dtm = document_term_matrix(corpus, vocabulary=model.terms, mwe_parts=model.mwe_parts)
    themes, answers, term_weights, counts = _tables(model, corpus, dtm.X, n_quotes=n_quotes,
                                                    embeddings=embeddings)
    counts.update(vocabulary=len(model.terms))
    info = {
        "method": model.method,
        "n_themes_final": model.n_themes,
        "assignment": {
            "rule": ASSIGNMENT_RULE,
            "relative_threshold": model.relative_threshold,
            "min_weight": model.min_weight,
        },
        "counts": counts,
    }
    return ThemeResult(themes, answers, term_weights, None, model, info)
