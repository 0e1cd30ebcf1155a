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
from textmine.features import document_term_matrix
from textmine.runfolder import (
    COUNT_EMPTY,
    COUNT_NON_ANSWER,
    COUNT_THEMED,
    COUNT_UNASSIGNED,
    DUPLICATES_NOTE,
)
from textmine.themes.assign import ASSIGNMENT_RULE, assign_themes, status_counts, theme_counts
from textmine.themes.edit import edit_map
from textmine.themes.labels import display_term, theme_label, top_terms
from textmine.themes.method_choice import choose_method
from textmine.themes.models import make_model
from textmine.themes.quotes import select_quotes
from textmine.themes.result import FittedThemes, ThemeResult
from textmine.themes.seeded import SeedProcessor, seed_columns, simple_seed_terms
from textmine.themes.selection import K_RULE, k_at_edge, sweep_k

logger = logging.getLogger(__name__)

N_TERM_WEIGHTS = 50


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
    from textmine.text.corpus import duplicate_key

    texts = _texts(corpus)
    seen: set[str] = set()
    keep: list[int] = []
    for r in rows:
        key = duplicate_key(texts[r])
        if key not in seen:
            seen.add(key)
            keep.append(int(r))
    return np.asarray(keep, dtype=np.int64)


def duplicates_notes(
    corpus: CorpusLike, answers: pd.DataFrame, n_themes: int, *, dedupe: bool, n_fitted: int
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
    carriers = [set(str(cell).split(";")) if isinstance(cell, str) and cell else set()
                for cell in answers["themes"]]
    pasted = set(rows)
    per_theme = []
    for j in map(str, range(1, n_themes + 1)):
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


def _term_weights(components: np.ndarray, terms: list[str]) -> pd.DataFrame:
    rows = []
    for j, comp in enumerate(components):
        order = np.lexsort((np.arange(len(comp)), -comp))[:N_TERM_WEIGHTS]
        for i in order:
            if comp[i] > 0:
                rows.append((j + 1, display_term(terms[i]), round(float(comp[i]), 6)))
    return pd.DataFrame(rows, columns=["theme_id", "term", "weight"])


def answer_embeddings(corpus: CorpusLike, model: str | None = None) -> np.ndarray:
    """Sentence embeddings of the corpus answers (one row per answer, cached on disk).

    The original texts are embedded (the masked ones when the corpus keeps no original), with
    :func:`textmine.text.embeddings.embed_texts` and encoder ``model`` (default: its default).
    """
    from textmine.text.embeddings import DEFAULT_EMBEDDING_MODEL, embed_texts

    return embed_texts(list(_texts(corpus)), model=model or DEFAULT_EMBEDDING_MODEL)


def _tables(
    model: FittedThemes,
    corpus: CorpusLike,
    X: sp.csr_matrix,
    *,
    n_quotes: int,
    embeddings: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    has_terms = np.diff(X.indptr) > 0
    W = np.zeros((X.shape[0], model.n_themes))
    if has_terms.any():
        if model.needs_embeddings:
            E = (answer_embeddings(corpus, model.estimator.embedding_model)
                 if embeddings is None else embeddings)
            W[has_terms] = model.weights(X[has_terms], E[has_terms])
        else:
            W[has_terms] = model.weights(X[has_terms])
    # answers.csv leaves the tool like the quotes: it shows the masked text.
    answers = assign_themes(
        W, ids=corpus.ids, texts=corpus.masked, status=corpus.status, has_terms=has_terms,
        relative_threshold=model.relative_threshold, min_weight=model.min_weight,
    )  # fmt: skip
    counts = theme_counts(answers, model.n_themes)
    carriers = np.zeros_like(W, dtype=bool)
    for i, cell in enumerate(answers["themes"]):
        for t in str(cell).split(";") if cell else ():
            carriers[i, int(t) - 1] = True
    rep = sp.csr_matrix(X.shape)
    if has_terms.any():
        # Scatter the represented rows back to their corpus positions (rows without terms: 0).
        rows = np.flatnonzero(has_terms)
        scatter = sp.csr_matrix(
            (np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=(X.shape[0], len(rows))
        )
        rep = sp.csr_matrix(scatter @ model.estimator.represent(X[has_terms]))
    comps = model.components
    quotes = [
        select_quotes(
            W[:, j], carriers[:, j], rep, comps[j], masked=corpus.masked, terms=corpus.terms,
            n_quotes=n_quotes, label=model.labels[j],
        )  # fmt: skip
        for j in range(model.n_themes)
    ]  # quotes' near-duplicate test uses the corpus terms (expressions whole)
    sc = status_counts(answers)
    n_base = sc["themed"] + sc["unassigned"]
    themes = _themes_table(model.labels, model.top_terms, counts, n_base, quotes, n_quotes)
    term_weights = _term_weights(comps, model.terms)
    counts_info = {
        "answers": len(corpus.ids),
        "ok": int(sum(s == "ok" for s in corpus.status)),
        "ok_without_vocabulary_terms": int(
            sum(s == "ok" and not h for s, h in zip(corpus.status, has_terms, strict=True))
        ),
        **sc,
    }
    return themes, answers, term_weights, counts_info


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
            raise OptionError(
                f"--k {k} is more than this data allows ({n_docs} answers with terms, "
                f"{n_terms} terms); use --k {limit} or fewer, or --k auto."
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
                "Seeded themes (--codebook) need --method auto, short or nmf, not lda."
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
    method = options.method
    method_choice = None
    if method == "auto":
        texts = _texts(corpus)
        method_choice = choose_method(X_fit, [texts[r] for r in fit_rows],
                                      seeded=codebook is not None)
        method = method_choice.method
        logger.info("Theme model: %s.", method_choice.reason)
    if codebook is not None and method == "semantic":
        raise OptionError("Seeded themes (--codebook) need --method auto, short or nmf, "
                          "not semantic.")
    if seed_terms and method == "short":
        # Co-occurrence smoothing spreads seed terms over their neighbours and blurs seeded
        # themes: on the demo survey's hand coding, mean F1 of seeded themes 0.39 with it,
        # 0.78 without (docs/bench_themes.md). Seeded runs therefore use plain NMF.
        method = "nmf"
        logger.info("Seeded themes: fitting method 'nmf' (no co-occurrence smoothing).")
    E_fit = None
    if method == "semantic":
        if embeddings is None:
            embeddings = answer_embeddings(corpus)
        E_fit = np.asarray(embeddings)[fit_rows]
    k, k_table = _choose_k(X_fit, options, len(seed_terms), E_fit, method)
    estimator = make_model(method, k, random_state=options.seed, seed_terms=seed_terms)
    if E_fit is not None:
        estimator.fit(X_fit, embeddings=E_fit)
    else:
        estimator.fit(X_fit)
    fitted_tops = top_terms(estimator.components_, dtm.terms, n_top=options.n_top_terms)
    labels = [theme_label(t) for t in fitted_tops]
    seeded_names = [t.name for t in codebook.themes] if codebook is not None else []
    labels[: len(seeded_names)] = seeded_names
    merge = tuple(options.merge) + (codebook.merge if codebook else ())
    drop = tuple(options.drop) + (codebook.drop if codebook else ())
    rename = dict(options.rename) | (codebook.rename if codebook else {})
    M, new_labels, heads, edit_log = edit_map(labels, merge=merge, drop=drop, rename=rename)
    final_comps = M.T @ estimator.components_
    final_tops = top_terms(final_comps, dtm.terms, n_top=options.n_top_terms)
    # Free themes built from a merge get a label from their merged terms; seeded or renamed
    # themes keep the researcher's name.
    # A theme was renamed when its label differs from the one its head theme was fitted with
    # (compared by position: a new name may equal another theme's fitted label).
    for j, h in enumerate(heads):
        if h >= len(seeded_names) and new_labels[j] == labels[h]:
            new_labels[j] = theme_label(final_tops[j])
    seeded_final = [new_labels[j] for j, h in enumerate(heads) if h < len(seeded_names)]
    model = FittedThemes(
        estimator=estimator, method=method, terms=dtm.terms, theme_map=M,
        labels=new_labels, top_terms=final_tops, seeded=seeded_final,
        relative_threshold=options.relative_threshold, min_weight=options.min_weight,
        mwe_parts=options.mwe_parts,
    )  # fmt: skip
    themes, answers, term_weights, counts = _tables(
        model, corpus, dtm.X, n_quotes=options.n_quotes, embeddings=embeddings
    )
    for i, entry in enumerate(seed_report):
        # Seeded theme i is fitted theme i; follow it through the edits to its final theme.
        j = heads.index(i) if i in heads else None
        entry["theme_id"] = None if j is None else j + 1
        entry["n_answers"] = 0 if j is None else int(themes.loc[j, "n_answers"])
    counts.update(vocabulary=len(dtm.terms), answers_with_terms=int(has_terms.sum()),
                  fitted_on=len(fit_rows))
    note, per_theme = duplicates_notes(corpus, answers, model.n_themes,
                                       dedupe=options.dedupe, n_fitted=len(fit_rows))
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
        "edits": edit_log,
        "counts": counts,
        "dedupe": bool(options.dedupe),
        "duplicates_note": note,
        "estimator": {"class": type(estimator).__name__, "n_iter": int(estimator.n_iter_)},
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
    if counts["unassigned"]:
        # Counted in run.json, the command's summary and the report: not a warning.
        logger.info(
            "%d answers have no usable term signal and stay unassigned.", counts["unassigned"]
        )
    return ThemeResult(themes, answers, term_weights, k_table, model, info)


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
