"""Seeded themes: turning a codebook's seed words into model columns, and reporting on them.

Seeds go through the same text pipeline as the answers (when a text processor is given), so that
"plateforme collaborative" matches the multi-word feature ``plateforme_collaborative`` and
"outils" matches the lemma ``outil``. A seed whose processed terms are joined by ``_`` is looked
up first as one multi-word feature, then term by term. A seed none of whose terms is in the
vocabulary is reported as absent from the corpus.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from textmine.codebook import Codebook
from textmine.features import NEGATION_PREFIX

logger = logging.getLogger(__name__)

#: Turns seed phrases into lists of features (one list per phrase).
SeedProcessor = Callable[[list[str]], list[list[str]]]


def simple_seed_terms(phrases: list[str]) -> list[list[str]]:
    """Fallback processor: lower-case words (no lemmatisation), used without a text pipeline."""
    return [re.findall(r"\w+", p.casefold()) for p in phrases]


def _candidates(phrase: str, processed: list[str]) -> list[list[str]]:
    # Most specific first: the whole phrase as one MWE feature, then its separate terms.
    words = processed or simple_seed_terms([phrase])[0]
    raw_joined = "_".join(simple_seed_terms([phrase])[0])
    options = []
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
) -> tuple[tuple[tuple[int, ...], ...], list[dict]]:
    """Map each codebook theme's seeds to vocabulary columns.

    Returns
    -------
    seed_terms : tuple of tuple of int
        Column indices per codebook theme, in codebook order.
    report : list of dict
        Per theme: ``name``, ``seeds``, ``matched_terms`` (features found), ``absent_seeds``.
    """
    col = {t: i for i, t in enumerate(vocabulary)}
    phrases = [s for theme in codebook.themes for s in theme.seeds]
    processed = processor(phrases) if phrases else []
    by_phrase = dict(zip(phrases, processed, strict=True))
    seed_terms: list[tuple[int, ...]] = []
    report: list[dict] = []
    for theme in codebook.themes:
        cols: list[int] = []
        matched: list[str] = []
        absent: list[str] = []
        for phrase in theme.seeds:
            found: list[str] = []
            for option in _candidates(phrase, by_phrase.get(phrase, [])):
                # A seed also matches its negated form: "renfort" in a theme "Manque de moyens"
                # is meant to catch "pas de renfort" (feature pas_renfort) as well.
                found = [
                    f for t in option for f in (t, NEGATION_PREFIX + t)
                    if f in col and not (t.startswith(NEGATION_PREFIX) and f != t)
                ]
                if found:
                    break
            if not found:
                absent.append(phrase)
            for t in found:
                if col[t] not in cols:
                    cols.append(col[t])
                    matched.append(t)
        seed_terms.append(tuple(cols))
        report.append(
            {"name": theme.name, "seeds": list(theme.seeds), "matched_terms": matched,
             "absent_seeds": absent}
        )  # fmt: skip
        if absent:
            logger.debug(
                "Theme '%s': %d of %d seeds absent from the corpus: %s.",
                theme.name, len(absent), len(theme.seeds), ", ".join(absent),
            )  # fmt: skip
    absent_seeds = [(entry["name"], entry["absent_seeds"]) for entry in report
                    if entry["absent_seeds"]]
    if absent_seeds:
        # One line for the run; the seeds themselves are in run.json (themes.seeded_themes).
        n_absent = sum(len(a) for _, a in absent_seeds)
        name, first = absent_seeds[0]
        logger.warning(
            "%d of the %d codebook seeds %s absent from the corpus (e.g. theme '%s': %s); "
            "run.json lists them under themes.seeded_themes.",
            n_absent, sum(len(t.seeds) for t in codebook.themes),
            "is" if n_absent == 1 else "are", name, ", ".join(first),
        )  # fmt: skip
    return tuple(seed_terms), report
