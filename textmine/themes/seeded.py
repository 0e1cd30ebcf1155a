"""Seeded themes: turning a codebook's seed words into model columns, and reporting on them.

Seeds go through the same text pipeline as the answers (when a text processor is given), so that
"plateforme collaborative" matches the multi-word feature ``plateforme_collaborative`` and
"outils" matches the lemma ``outil``. A seed whose processed terms are joined by ``_`` is looked
up first as one multi-word feature, then term by term.

Acronyms: the answers' ``SI`` (système d'information) is the feature ``SI``, but a seed is
processed alone, in lower case, so "si" reads as the conjunction *si* (a stop word) and "refonte
du si" loses it. A seed word that is a known acronym (``acronyms.txt``) is therefore looked up
as the acronym's feature first when the vocabulary has it.

A seed matching no feature is reported (one warning line per theme, naming the question when
known): as *absent from the corpus* when no answer writes it, or as *written in the answers but
never a feature* (a stop word, a word masked as personal data...) when some do, so that the
researcher knows which seeds to rewrite.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Collection, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from textmine.codebook import Codebook
from textmine.features import NEGATION_PREFIX
from textmine.text.lexicon import known_acronyms

logger = logging.getLogger(__name__)

#: Turns seed phrases into lists of features (one list per phrase).
SeedProcessor = Callable[[list[str]], list[list[str]]]


def simple_seed_terms(phrases: list[str]) -> list[list[str]]:
    """Fallback processor: lower-case words (no lemmatisation), used without a text pipeline."""
    return [re.findall(r"\w+", p.casefold()) for p in phrases]


def _acronym_option(
    phrase: str, processed: list[str], acronyms: Collection[str], col: Collection[str]
) -> list[str]:
    """The seed's terms with its acronym words as acronym features ("si" -> ``SI``), when the
    vocabulary has them; ``[]`` when the seed holds no such word."""
    found = [w.upper() for w in simple_seed_terms([phrase])[0]
             if w in acronyms and w.upper() in col]
    if not found:
        return []
    # The processor may have kept the word as something else (the lemma "si"): replaced.
    kept = [t for t in processed if t.casefold() not in {a.casefold() for a in found}]
    return list(dict.fromkeys(kept + found))


def _candidates(phrase: str, processed: list[str],
                acronym_option: list[str] | None = None) -> list[list[str]]:
    # Most specific first: the whole phrase as one MWE feature, then its separate terms.
    words = processed or simple_seed_terms([phrase])[0]
    raw_joined = "_".join(simple_seed_terms([phrase])[0])
    options = [acronym_option] if acronym_option else []
    if len(words) > 1:
        options.append(["_".join(words)])
    if raw_joined and raw_joined not in ("_".join(words),):
        options.append([raw_joined])
    options.append(list(words))
    return options


def seed_columns(
    codebook: Codebook,
    vocabulary: Sequence[str],
    *,
    processor: SeedProcessor = simple_seed_terms,
    acronyms: Collection[str] | None = None,
    question: str = "",
    texts: Sequence[str] | None = None,
) -> tuple[tuple[tuple[int, ...], ...], list[dict]]:
    """Map each codebook theme's seeds to vocabulary columns.

    Parameters
    ----------
    codebook : Codebook
        The named themes and their seeds.
    vocabulary : sequence of str
        The features of the corpus (the matrix columns).
    processor : callable
        Turns seed phrases into features (the answers' text pipeline; lower-case words without).
    acronyms : collection of str, optional
        Known acronyms in lower case; default those of the lexicon (``acronyms.txt``).
    question : str
        The open question, named in the warning.
    texts : sequence of str, optional
        The answers: a seed matching no feature but written in them is reported apart from the
        seeds truly absent from the corpus.

    Returns
    -------
    seed_terms : tuple of tuple of int
        Column indices per codebook theme, in codebook order.
    report : list of dict
        Per theme: ``name``, ``seeds``, ``matched_terms`` (features found), ``absent_seeds``
        (written in no answer, or matching no feature when ``texts`` is not given) and
        ``unmatched_seeds`` (written in the answers but never a feature).
    """
    col = {t: i for i, t in enumerate(vocabulary)}
    acronyms = known_acronyms() if acronyms is None else frozenset(a.lower() for a in acronyms)
    phrases = [s for theme in codebook.themes for s in theme.seeds]
    processed = processor(phrases) if phrases else []
    by_phrase = dict(zip(phrases, processed, strict=True))
    written = _written_in(texts)
    seed_terms: list[tuple[int, ...]] = []
    report: list[dict] = []
    for theme in codebook.themes:
        cols: list[int] = []
        matched: list[str] = []
        absent: list[str] = []
        unmatched: list[str] = []
        for phrase in theme.seeds:
            found: list[str] = []
            terms = by_phrase.get(phrase, [])
            acronym = _acronym_option(phrase, terms, acronyms, col)
            for option in _candidates(phrase, terms, acronym):
                # A seed also matches its negated form: "renfort" in a theme "Manque de moyens"
                # is meant to catch "pas de renfort" (feature pas_renfort) as well.
                found = [
                    f for t in option for f in (t, NEGATION_PREFIX + t)
                    if f in col and not (t.startswith(NEGATION_PREFIX) and f != t)
                ]
                if found:
                    break
            if not found:
                (unmatched if written(phrase) else absent).append(phrase)
            for t in found:
                if col[t] not in cols:
                    cols.append(col[t])
                    matched.append(t)
        seed_terms.append(tuple(cols))
        report.append(
            {"name": theme.name, "seeds": list(theme.seeds), "matched_terms": matched,
             "absent_seeds": absent, "unmatched_seeds": unmatched}
        )  # fmt: skip
        said = []
        if absent:
            said.append(f"{len(absent)} of {len(theme.seeds)} seeds absent from the corpus: "
                        f"{', '.join(absent)}")
        if unmatched:
            said.append(f"{len(unmatched)} of {len(theme.seeds)} seeds written in the answers "
                        "but never a feature (stop word, personal data masked...): "
                        f"{', '.join(unmatched)}")
        if said:
            # Each theme's detail at debug level; the run gets one line (below) and run.json
            # lists them (themes.seeded_themes).
            logger.debug("Theme '%s': %s.", theme.name, "; ".join(said))
    where = f"question '{question}': " if question else ""
    missing = [(e["name"], e["absent_seeds"] + e["unmatched_seeds"]) for e in report
               if e["absent_seeds"] or e["unmatched_seeds"]]
    if missing:
        n_missing = sum(len(m) for _, m in missing)
        name, first = missing[0]
        logger.warning(
            "%s%d of the %d codebook seeds never became a feature (e.g. theme '%s': %s); "
            "run.json lists them under themes.seeded_themes.",
            where, n_missing, sum(len(t.seeds) for t in codebook.themes), name, ", ".join(first),
        )  # fmt: skip
    _warn_unseeded_and_twins(report, where=where)
    return tuple(seed_terms), report


def _warn_unseeded_and_twins(report: list[dict], *, where: str) -> None:
    """Say when a codebook theme has no seed among the features, or the same ones as another.

    Both still get answers without a word otherwise (trial 2026-12-01): a theme "Espace" whose
    seeds (astronaute, fusée) no answer writes held 14 % of the INED answers under the codebook's
    name, and two themes with the same seeds split "nature" answers between them at random.
    """
    bare = [e["name"] for e in report if not e["matched_terms"]]
    if bare:
        logger.warning(
            "%sCodebook theme(s) %s: none of the seeds is a term of the answers, so the answers "
            "put under that name are not found by its seeds (nmf: a free theme under the name; "
            "semantic: by the name's meaning only); check them, or give seeds the answers "
            "write.", where, ", ".join(repr(n) for n in bare[:5]) + (" ..." if len(bare) > 5
                                                                   else ""),
        )  # fmt: skip
    by_terms: dict[frozenset[str], list[str]] = {}
    for entry in report:
        if entry["matched_terms"]:
            by_terms.setdefault(frozenset(entry["matched_terms"]), []).append(entry["name"])
    for names in by_terms.values():
        if len(names) > 1:
            logger.warning(
                "%sCodebook themes %s have the same seed terms: their answers cannot be told "
                "apart by them (the split between them is arbitrary); merge them or give each "
                "its own seeds.", where, " and ".join(repr(n) for n in names),
            )  # fmt: skip
    # Seeds shared by two different seed sets (re-trial 2026-12-01: A [nature], B [nature,
    # arbres]: 836 of the 865 answers writing "nature" went to A, B's check skipped the seed).
    for a, b in itertools.combinations(report, 2):
        ta, tb = set(a["matched_terms"]), set(b["matched_terms"])
        shared = sorted(t for t in ta & tb if not t.startswith(NEGATION_PREFIX))
        if shared and ta != tb:
            logger.warning(
                "%sCodebook themes '%s' and '%s' share seed terms (%s): an answer writing them "
                "goes to one of the two; give each its own seeds if they are two ideas.",
                where, a["name"], b["name"], ", ".join(shared[:5]),
            )  # fmt: skip


def _written_in(texts: Sequence[str] | None) -> Callable[[str], bool]:
    """Whether a seed is written, as a whole word in any case, in one of ``texts``."""
    if texts is None:
        return lambda phrase: False
    joined = "\n".join(t for t in texts if isinstance(t, str)).casefold()

    def written(phrase: str) -> bool:
        words = simple_seed_terms([phrase])[0]
        if not words:
            return False
        # Words of the seed in order, any non-word characters between them ("droits d'accès").
        pattern = r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words) + r"(?!\w)"
        return re.search(pattern, joined) is not None

    return written


# -- seed expansion (issue 14): neighbours that co-occur with a theme's seeds ------------------

#: Smallest cosine between a term and a theme's seeds for the term to join the theme's seeds.
MIN_NEIGHBOUR_COSINE = 0.1


def expand_seeds(
    X: sp.spmatrix,
    seed_terms: Sequence[Sequence[int]],
    *,
    n_neighbours: int = 5,
    min_cosine: float = MIN_NEIGHBOUR_COSINE,
) -> tuple[tuple[tuple[int, ...], ...], list[list[tuple[int, float]]]]:
    """Add to each seeded theme the terms that co-occur most with its seeds.

    A codebook written as tag names ("énergie et carburants") matches few answers: the answers
    say *essence*, *prix*, *carburant*. Each term is compared with each theme's seeds by the
    cosine between the term's answer-occurrence vector and the mean of the seeds' (binary
    occurrences, each vector of unit norm); a term joins the seeds of the one theme it is
    closest to, when the cosine is at least ``min_cosine``, up to ``n_neighbours`` per theme
    (best first). Seed terms of any theme are never added to another.

    Parameters
    ----------
    X : sparse matrix (n_answers, n_terms)
        Answers × terms counts.
    seed_terms : sequence of sequence of int
        Seed columns of each seeded theme.
    n_neighbours : int
        Terms added at most per theme (0: none).
    min_cosine : float
        Smallest cosine for a term to be added.

    Returns
    -------
    expanded : tuple of tuple of int
        Seed columns of each theme, its own seeds first, then the added neighbours.
    added : list of list of (int, float)
        Per theme, the added columns and their cosine (best first), for the researcher to
        check (``seed_expansion.csv``).
    """
    k = len(seed_terms)
    added: list[list[tuple[int, float]]] = [[] for _ in range(k)]
    seeds_all = {c for cols in seed_terms for c in cols}
    if n_neighbours <= 0 or not seeds_all:
        return tuple(tuple(c) for c in seed_terms), added
    B = sp.csc_matrix(X, dtype=np.float64, copy=True)
    B.data[:] = 1.0
    G = sp.csr_matrix(normalize(B.T))  # terms × answers, rows of unit norm
    centroids = np.zeros((k, B.shape[0]))
    for j, cols in enumerate(seed_terms):
        if cols:
            centroids[j] = np.asarray(G[list(cols)].mean(axis=0)).ravel()
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    centroids = centroids / np.where(norms > 0, norms, 1.0)
    S = np.asarray(G @ centroids.T)  # terms × themes
    S[list(seeds_all)] = 0.0
    return _closest_terms(S, seed_terms, n_neighbours, min_cosine)


# -- seeded semantic themes (issue 14): codebook entries embedded as anchors -------------------

#: Smallest cosine between a vocabulary term's embedding and a codebook entry's embedding for
#: the term to join the entry's seeds (sentence-encoder cosines of related words run 0.4–0.8).
MIN_SEMANTIC_COSINE = 0.4
SEMANTIC_EXPANSION_RULE = (
    "; with the semantic method also the terms closest in meaning to the theme's codebook "
    f"entry (cosine of their sentence embeddings >= {MIN_SEMANTIC_COSINE}), each to one theme"
)


def _closest_terms(
    S: np.ndarray, seed_terms: Sequence[Sequence[int]], n_neighbours: int, min_cosine: float
) -> tuple[tuple[tuple[int, ...], ...], list[list[tuple[int, float]]]]:
    """Each theme's ``n_neighbours`` closest terms from a terms × themes cosine matrix ``S``.

    A term goes to the theme it is closest to only (ties broken by the first theme), if its
    cosine reaches ``min_cosine``; best first, ties by column. Seed columns must already be
    masked out of ``S``. Returns the seeds followed by the added columns per theme, and the
    added columns with their cosine (rounded to 4 places).
    """
    k = len(seed_terms)
    added: list[list[tuple[int, float]]] = [[] for _ in range(k)]
    owner = S.argmax(axis=1)
    for j in range(k):
        cand = np.flatnonzero((owner == j) & (S[:, j] >= min_cosine))
        order = cand[np.lexsort((cand, -np.round(S[cand, j], 12)))][:n_neighbours]
        added[j] = [(int(c), round(float(S[c, j]), 4)) for c in order]
    expanded = tuple(tuple(seed_terms[j]) + tuple(c for c, _ in added[j]) for j in range(k))
    return expanded, added


def anchor_text(name: str, seeds: Sequence[str]) -> str:
    """The text embedded for a codebook entry: its name, then its seeds other than the name."""
    others = [s for s in seeds if s.casefold() != name.casefold()]
    return f"{name} : {', '.join(others)}" if others else name


def seed_anchor_embeddings(codebook: Codebook, model: str | None = None) -> np.ndarray:
    """Sentence embeddings of the codebook's entries (name and seeds), in codebook order.

    Parameters
    ----------
    codebook : Codebook
    model : str, optional
        Sentence encoder (default: :data:`textmine.text.embeddings.DEFAULT_EMBEDDING_MODEL`,
        the one the answers are embedded with).

    Returns
    -------
    ndarray (n_codebook_themes, n_dims)
        Unit rows (cached like the answers' embeddings).
    """
    from textmine.text.embeddings import DEFAULT_EMBEDDING_MODEL, embed_texts

    texts = [anchor_text(t.name, t.seeds) for t in codebook.themes]
    return embed_texts(texts, model=model or DEFAULT_EMBEDDING_MODEL)


def term_text(feature: str) -> str:
    """A feature as words for the sentence encoder (``pas_renfort`` -> ``pas renfort``)."""
    return feature.replace("_", " ")


def expand_seeds_semantic(
    vocabulary: Sequence[str],
    seed_terms: Sequence[Sequence[int]],
    anchors: np.ndarray,
    *,
    n_neighbours: int = 5,
    min_cosine: float = MIN_SEMANTIC_COSINE,
    term_embeddings: np.ndarray | None = None,
    model: str | None = None,
) -> tuple[tuple[tuple[int, ...], ...], list[list[tuple[int, float]]]]:
    """Add to each seeded theme the vocabulary terms closest in meaning to its codebook entry.

    A tag name ("impôts et taxes") is rarely written as such; the answers write *fiscalité*,
    *TVA*, *taxe foncière*. Each vocabulary term is embedded by the sentence encoder (as words,
    :func:`term_text`) and compared with each entry's embedding (``anchors``); a term joins the
    seeds of the one entry it is closest to when the cosine is at least ``min_cosine``, up to
    ``n_neighbours`` per theme (best first). Terms already seeds of any theme are not added.

    Parameters
    ----------
    vocabulary : sequence of str
        The features (matrix columns).
    seed_terms : sequence of sequence of int
        Seed columns of each seeded theme (codebook order).
    anchors : ndarray (n_themes, n_dims)
        Embeddings of the codebook entries (:func:`seed_anchor_embeddings`).
    n_neighbours : int
        Terms added at most per theme (0: none).
    min_cosine : float
        Smallest cosine for a term to be added.
    term_embeddings : ndarray (n_terms, n_dims), optional
        Embeddings of the vocabulary (computed with ``model`` when not given).
    model : str, optional
        Sentence encoder of the anchors.

    Returns
    -------
    expanded : tuple of tuple of int
        Seed columns of each theme, its own seeds first, then the added terms.
    added : list of list of (int, float)
        Per theme, the added columns and their cosine (best first).

    Raises
    ------
    ValueError
        If ``anchors`` does not have one row per seeded theme.
    """
    k = len(seed_terms)
    A = normalize(np.asarray(anchors, dtype=np.float64))
    if A.shape[0] != k:
        raise ValueError(f"{A.shape[0]} anchors for {k} seeded themes; give one per theme.")
    added: list[list[tuple[int, float]]] = [[] for _ in range(k)]
    if n_neighbours <= 0 or k == 0 or not len(vocabulary):
        return tuple(tuple(c) for c in seed_terms), added
    if term_embeddings is None:
        from textmine.text.embeddings import DEFAULT_EMBEDDING_MODEL, embed_texts

        term_embeddings = embed_texts([term_text(t) for t in vocabulary],
                                      model=model or DEFAULT_EMBEDDING_MODEL)
    T = normalize(np.asarray(term_embeddings, dtype=np.float64))
    S = T @ A.T  # terms × themes
    seeds_all = [c for cols in seed_terms for c in cols]
    S[seeds_all] = -np.inf
    return _closest_terms(S, seed_terms, n_neighbours, min_cosine)
