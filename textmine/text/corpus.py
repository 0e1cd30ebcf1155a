"""The processed answers of one open question (:class:`Corpus`) and how they are made.

:func:`process_answers` normalises each answer, flags non-answers and blanks, parses every
distinct normalised answer once with spaCy (cached on disk, see :mod:`textmine.text.cache`),
turns the tokens into features (:mod:`textmine.text.terms`) and masks personal data in a copy of
each answer meant for quotes. The input Series is never modified.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from textmine.config import TextOptions
from textmine.errors import ColumnError, DataError
from textmine.runfolder import COUNT_NON_ANSWER
from textmine.text.cache import (
    CachedTerms,
    PreparedAnswers,
    answers_key,
    cache_root,
    has_entry,
    load_answers,
    load_parse_hint,
    load_parsed,
    load_terms,
    parse_key,
    save_answers,
    save_parse_hint,
    save_parsed,
    save_terms,
    texts_digest,
)
from textmine.text.dictionary import Dictionary, read_dictionary
from textmine.text.french import prepare_text
from textmine.text.lexicon import Lexicon, build_lexicon
from textmine.text.nonanswers import EMPTY, NON_ANSWER, OK, is_nonanswer_key, nonanswer_keys
from textmine.text.normalise import fold_key, normalise_text
from textmine.text.parse import (
    PARSE_VERSION,
    ParsedDocs,
    ProgressFn,
    model_version,
    parse_texts,
    start_workers,
)
from textmine.text.pii import PLACEHOLDERS, mask_text, protect
from textmine.text.resources import resources_digest

logger = logging.getLogger(__name__)

STATUSES = (OK, NON_ANSWER, EMPTY)
_ALNUM = re.compile(r"[^\W_]")
FRAME_COLUMNS = ["respondent_id", "text", "status", "terms"]


@dataclass
class Corpus:
    """Processed answers, aligned with the input Series (see docs/architecture.md).

    Attributes
    ----------
    ids : list of str
        Respondent ids, in the order of the input.
    texts : list of str
        Answers exactly as given.
    masked : list of str
        Answers with e-mails, phone numbers, URLs and person names masked (for quotes).
    status : list of str
        ``"ok"``, ``"non-answer"`` or ``"empty"``.
    terms : list of list of str
        Features: lemmas, ``pas_``-negated forms, expressions joined with ``_``, acronyms in
        capitals; ``[]`` when the status is not ``ok``.
    vectors : ndarray of shape (n, d) or None
        Mean word vector of each answer's content words (models with vectors only; zeros for
        non-answers).
    info : dict
        Model, versions, settings and counts, for ``run.json``.
    doc_of : ndarray of shape (n,), int32, or None
        Index of each answer's distinct parsed text in ``distinct_terms`` (``-1`` for
        non-answers and blanks); ``None`` when the corpus was not made by
        :func:`process_answers` (e.g. :meth:`from_frame`).
    distinct_terms : list of list of str, or None
        Features of each distinct parsed text. ``terms[i]`` is the very list
        ``distinct_terms[doc_of[i]]`` (one list per distinct text, shared by its answers, never
        one per answer: at 1M resampled answers only ~56k are distinct), so consumers must not
        modify a term list in place.
    """

    ids: list[str]
    texts: list[str]
    masked: list[str]
    status: list[str]
    terms: list[list[str]]
    vectors: np.ndarray | None = None
    info: dict = field(default_factory=dict)
    doc_of: np.ndarray | None = None
    distinct_terms: list[list[str]] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def to_frame(self) -> pd.DataFrame:
        """Return ``respondent_id, text, status, terms`` (terms space-joined), one row each."""
        if self.doc_of is not None and self.distinct_terms is not None:
            # Joined once per distinct text; the answers share the strings.
            joined = [" ".join(t) for t in self.distinct_terms] + [""]
            terms = [joined[d] if s == OK else "" for d, s in
                     zip(self.doc_of.tolist(), self.status, strict=True)]
        else:
            terms = [" ".join(t) for t in self.terms]
        return pd.DataFrame({
            "respondent_id": self.ids,
            "text": self.texts,
            "status": self.status,
            "terms": terms,
        })

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> Corpus:
        """Rebuild a corpus from a ``terms.csv``-like frame (``text`` optional, no vectors).

        Raises
        ------
        ColumnError
            If ``respondent_id``, ``status`` or ``terms`` is missing.
        DataError
            If a status is not one of ``ok``, ``non-answer``, ``empty``.
        """
        missing = [c for c in ("respondent_id", "status", "terms") if c not in df.columns]
        if missing:
            raise ColumnError(
                f"Column {missing[0]!r} not found in the terms table; available columns: "
                f"{', '.join(map(str, df.columns))}."
            )
        status = df["status"].astype(str).tolist()
        bad = sorted(set(status) - set(STATUSES))
        if bad:
            raise DataError(
                f"Unknown status {bad[0]!r} in the terms table; expected ok, non-answer or empty."
            )
        texts = (df["text"].fillna("").astype(str).tolist() if "text" in df.columns
                 else [""] * len(df))
        terms = [str(t).split() if isinstance(t, str) else [] for t in df["terms"].tolist()]
        return cls(
            ids=[str(i) for i in df["respondent_id"].tolist()],
            texts=texts,
            masked=list(texts),
            status=status,
            terms=terms,
            vectors=None,
            info={"source": "frame"},
        )


def _parse_settings(options: TextOptions) -> dict:
    """What the parsed tokens depend on (the cache key, with the texts)."""
    from importlib.metadata import version

    return {
        "model": options.model,
        "model_version": model_version(options.model),
        "spacy": version("spacy"),
        "parse_version": PARSE_VERSION,
        "fast_lemmas": options.fast_lemmas,
        "memo_sample": options.memo_sample if options.fast_lemmas else 0,
    }


def _parse(unique: list[str], options: TextOptions, root: Path | None, key: str,
           settings: dict, progress: ProgressFn | None,
           features: dict | None = None) -> tuple[ParsedDocs, str]:
    """Parse the unique texts, through the parse cache; return (parsed, cache state).

    ``features``: see :func:`textmine.text.parse.parse_texts` (used when spaCy runs).
    """
    if root is not None:
        parsed = load_parsed(root, key)
        if parsed is not None and len(parsed) == len(unique):
            return parsed, "parse"
    # The library only reports progress (a log line and the caller's callback); drawing a
    # bar is the CLI's business (textmine.cli.progress).
    logger.info("parsing %d distinct answers with %s", len(unique), options.model)
    if progress is not None and unique:
        progress(0, len(unique))
    parsed = parse_texts(
        unique, model=options.model, fast=options.fast_lemmas,
        memo_sample=options.memo_sample, batch_size=options.batch_size,
        n_process=options.n_process, progress=progress if unique else None,
        features=features,
    )
    if root is not None:
        save_parsed(root, key, parsed, settings)
        return parsed, "miss"
    return parsed, "off"


#: TextOptions fields that change features but not the parse.
_FEATURE_FIELDS = ("negation", "learn_collocations", "min_collocation_count",
                   "collocation_threshold", "extra_stop_words", "keep_words", "extra_lexicon",
                   "extra_mwe")
#: Bump when the feature extraction changes: part of the cache key.
TERMS_VERSION = 6


def _has_parsed(root: Path | None, key: str) -> bool:
    """Whether the parse cache holds an entry ``key`` (not verified: a hint, not a read)."""
    return root is not None and has_entry(root, "parse", key)


def _terms_key(key: str, weights: list[int], options: TextOptions,
               dictionary: Dictionary | None) -> str:
    """The key of the features of the texts of parse key ``key`` (feature options, data files,
    the edited dictionary's content and the multiplicity of each text)."""
    feature_settings = {f: getattr(options, f) for f in _FEATURE_FIELDS}
    # -- editable dictionary (issue 16, section 3): its content, not its path, is in the key --
    if dictionary is not None:
        feature_settings["dictionary_sha256"] = dictionary.digest
    # -- end editable dictionary --
    digest = hashlib.sha256(json.dumps(
        [key, feature_settings, resources_digest(), TERMS_VERSION, weights]).encode("utf-8"))
    return digest.hexdigest()


def _features(unique: list[str], weights: list[int], options: TextOptions, cache_dir,
              progress: ProgressFn | None, *, look: bool = True) -> tuple[CachedTerms, str]:
    """Features of the unique texts, from the terms cache, the parse cache or spaCy.

    Returns the features and the cache state: ``hit`` (features loaded), ``parse`` (parse
    loaded, features recomputed), ``miss`` (parsed and stored) or ``off``. ``look=False``:
    the terms entry was looked up already (and missed).
    """
    settings = _parse_settings(options)
    key = parse_key(unique, settings)
    root = cache_root(cache_dir) if options.cache else None
    dictionary = load_text_dictionary(options)
    terms_key = _terms_key(key, weights, options, dictionary)
    if root is not None and look:
        cached = load_terms(root, terms_key)
        if cached is not None and len(cached.terms) == len(unique):
            return cached, "hit"
    lex = build_lexicon(options)
    # the per-text part of the features runs in the spaCy stage's tasks (in parallel)
    parsed, state = _parse(unique, options, root, key, settings, progress,
                           {"lex": lex, "negation": options.negation, "dictionary": dictionary})
    return _terms_of(parsed, weights, options, root, terms_key, settings), state


def _terms_of(parsed: ParsedDocs, weights: list[int], options: TextOptions, root: Path | None,
              terms_key: str, settings: dict) -> CachedTerms:
    """The features of parsed texts (per-text ones from the tasks when they computed them),
    stored under ``terms_key`` when the cache is on."""
    from textmine.text.terms import extract_terms

    unique_terms, learned = extract_terms(
        parsed, build_lexicon(options), weights=weights, negation=options.negation,
        learn=options.learn_collocations, min_count=options.min_collocation_count,
        threshold=options.collocation_threshold, dictionary=load_text_dictionary(options),
        per_doc=parsed.features,
    )
    cached = CachedTerms(
        terms=[" ".join(t) for t in unique_terms],
        names=["\t".join(parsed.names(i)) for i in range(len(parsed))],
        vectors=parsed.vectors,
        meta={"collocations": learned, "parse": parsed.stats, "settings": settings},
    )
    if root is not None:
        save_terms(root, terms_key, cached)
    return cached


#: Bump when the preparation of answers (normalisation, non-answers, personal data, French
#: rules) changes in a way that the digest of its source files cannot see.
PREPARE_VERSION = 1
#: The modules whose code decides what :func:`_prepare` returns (their source is in the key of
#: the ``answers`` cache entries, so an edit of a rule can never serve a stale preparation).
_PREPARE_MODULES = ("normalise", "french", "nonanswers", "pii", "lexicon", "corpus")


#: TextOptions fields that cannot change the preparation of the answers (features, the edited
#: dictionary, how spaCy is run): changing them keeps the ``answers`` entry. Any other field,
#: including one added later, is part of its key.
_NOT_PREPARATION = ("negation", "learn_collocations", "min_collocation_count",
                    "collocation_threshold", "extra_lexicon", "extra_mwe", "dictionary",
                    "cache", "batch_size", "n_process")


@functools.cache
def _prepare_code_digest() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _PREPARE_MODULES:
        try:
            source = (here / f"{name}.py").read_bytes()
        except OSError:  # installed without its sources (zip, frozen): the version stands in
            from textmine import __version__

            source = f"textmine {__version__}".encode()
        digest.update(name.encode() + b"\0" + source)
    return digest.hexdigest()


def _prepare_settings(options: TextOptions, settings: dict) -> dict:
    """What the preparation of raw answers depends on (the ``answers`` cache key, with them)."""
    from importlib.metadata import version

    return {
        "prepare_version": PREPARE_VERSION,
        "code_sha256": _prepare_code_digest(),
        "resources_sha256": resources_digest(),
        # their data decide which accents are restored and which lemmas are words
        "wordfreq": version("wordfreq"),
        "simplemma": version("simplemma"),
        "options": {k: v for k, v in asdict(options).items() if k not in _NOT_PREPARATION},
        "parse": settings,
    }


def _prepared(texts: list[str], options: TextOptions, root: Path | None,
              settings: dict) -> tuple[tuple[str, str] | None, PreparedAnswers | None]:
    """The ``answers`` cache key of ``texts`` and its hint key, and its entry, if any
    (``None, None`` without cache).

    Why: preparing an answer (normalisation, accents, non-answers) cost most of a re-run whose
    features were all cached (docs/scale.md, "Text-stage speed"); this entry gives a re-run of
    the same answers their statuses and distinct texts without preparing any of them. The hint
    key leaves out the code and data versions: it finds the parse the same answers needed
    last time even after an upgrade (to decide whether to start worker processes early).
    """
    if root is None:
        return None, None
    digest = texts_digest(texts)
    prep_settings = _prepare_settings(options, settings)
    hint_settings = {"hint": 1, "options": prep_settings["options"], "parse": settings}
    key = answers_key(digest, prep_settings)
    return (key, answers_key(digest, hint_settings)), load_answers(root, key)


def process_answers(
    answers: pd.Series,
    *,
    options: TextOptions = TextOptions(),
    cache_dir: Path | None = None,
    progress: ProgressFn | None = None,
) -> Corpus:
    """Process the answers to one open question into a :class:`Corpus`.

    Parameters
    ----------
    answers : pandas.Series
        Answers (str; NaN/None are blank), indexed by respondent id.
    options : TextOptions
        Model, negation, expressions, word lists, masking (:class:`~textmine.config.TextOptions`).
    cache_dir : path, optional
        Parse cache folder; default ``$TEXTMINE_CACHE_DIR`` or the user cache folder.
    progress : callable(done, total), optional
        Called with the number of distinct answers parsed so far and their total while spaCy
        runs (not called when the parse comes from the cache); the CLI draws a bar with it.

    Returns
    -------
    Corpus

    Raises
    ------
    DataError
        If ``answers`` is not a pandas Series.
    OptionError
        If the spaCy model is not installed or an option is out of range.
    """
    if not isinstance(answers, pd.Series):
        raise DataError(
            f"Answers must be a pandas Series indexed by respondent id, not "
            f"{type(answers).__name__}; use textmine.survey.open_answers()."
        )
    ids = [str(i) for i in answers.index]
    texts = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
             for v in answers.tolist()]
    settings = _parse_settings(options)
    root = cache_root(cache_dir) if options.cache else None
    answers_entry, prepared = _prepared(texts, options, root, settings)
    cached = None
    if prepared is not None:  # a re-run of the same answers: no answer prepared again
        _warn_long(texts, options)
        status, doc_of, accents = prepared.status, prepared.doc_of, prepared.accents
        weights = _weights(doc_of, prepared.n_unique)
        dictionary = load_text_dictionary(options)
        terms_key = _terms_key(prepared.parse_key, weights, options, dictionary)
        cached, cache_state = load_terms(root, terms_key), "hit"
        if cached is None or len(cached.terms) != prepared.n_unique:
            # other feature options: the features again from the cached parse, if any
            parsed = (load_parsed(root, prepared.parse_key)
                      if _has_parsed(root, prepared.parse_key) else None)
            cached, cache_state = None, "parse"
            if parsed is not None and len(parsed) == prepared.n_unique:
                cached = _terms_of(parsed, weights, options, root, terms_key, settings)
        if cached is not None:
            n_unique = prepared.n_unique
            masked = [t if m is None else m for t, m in zip(texts, prepared.masked, strict=True)]
            notes = prepared.notes
    if cached is None:
        # the parse these answers need (known, or remembered from the last run as a hint)
        needed = (prepared.parse_key if prepared is not None
                  else load_parse_hint(root, answers_entry[1]) if answers_entry else None)
        if needed is None or not _has_parsed(root, needed):
            # spaCy will (most likely) run: its worker processes load the model while the
            # answers are prepared below
            start_workers(options.model, sum(map(len, texts)))
        status, doc_of, unique, accents = _prepare(texts, options,
                                                   warn=prepared is None)
        weights = _weights(doc_of, len(unique))
        # before the parse: the worker processes may still be loading their model
        notes = {"language": language_note(texts), "duplicates": duplicate_note(texts, status)}
        cached, cache_state = _features(list(unique), weights, options, cache_dir, progress,
                                        look=prepared is None)
        n_unique = len(unique)
        masked = _masked(texts, doc_of, cached) if options.mask_pii else list(texts)
        if answers_entry is not None and prepared is None:
            key = parse_key(list(unique), settings)
            save_answers(root, answers_entry[0], PreparedAnswers(
                status, doc_of, accents, n_unique, key,
                [None if m == t else m for t, m in zip(texts, masked, strict=True)], notes))
            save_parse_hint(root, answers_entry[1], key)
    # Memory at scale (issue 19): the features are split once per distinct text and every
    # answer of that text holds the same list (1M resampled answers: ~56k lists, not 1M lists
    # of 1M x ~15 strings); the answers without a text share one empty list.
    distinct_terms = [t.split() for t in cached.terms]
    no_terms: list[str] = []
    terms = [distinct_terms[d] if d is not None else no_terms for d in doc_of]
    vectors = _vectors(cached.vectors, doc_of)
    info = _info(options, cached.meta, status, distinct_terms, weights, n_unique, cache_state)
    info["accents"] = _Preparer.report(accents)
    if options.dictionary is not None:  # editable dictionary (issue 16, section 3)
        info["dictionary"] = load_text_dictionary(options).info()
    info["language"] = notes["language"]
    if info["language"].get("note"):
        logger.warning("%s", info["language"]["note"])
    info["duplicates"] = notes["duplicates"]
    if info["duplicates"].get("note"):
        # Said once by the command (themes: with what --dedupe did; parse: its summary).
        logger.info("%s", info["duplicates"]["note"])
    logger.info("processed %d answers (%d distinct parsed, cache %s)",
                len(texts), n_unique, cache_state)
    index = np.fromiter((-1 if d is None else d for d in doc_of), dtype=np.int32,
                        count=len(doc_of))
    return Corpus(ids, texts, masked, status, terms, vectors, info, doc_of=index,
                  distinct_terms=distinct_terms)


# Function words that tell French from English text (the usual cause of a non-French survey);
# a word in both lists ("a", "on", "son") is left out.
_FRENCH_WORDS = frozenset(
    "le la les de des du et est un une pas pour que qui dans en au aux nous il elle ils sont "
    "ce cette ne plus avec sur par mais ou je j c est très être avoir fait".split())
_ENGLISH_WORDS = frozenset(
    "the and of to is are was were with for not this that it we they have has would should "
    "be been our their there which from but or very more".split())
_LATIN_WORD = re.compile(r"[a-zà-ÿ]+")
#: Share of the (decidable) answers written in English above which the corpus is flagged.
ENGLISH_SHARE_WARNING = 0.3


def language_note(texts: Sequence[str]) -> dict[str, object]:
    """Count answers that read as English rather than French, with a note when they are many.

    Each answer with at least two French or English function words is called by the larger
    count (ties are left undecided). textmine's lemmas, stop words, negation and themes are
    French: English answers get wrong terms without failing, so a share above
    :data:`ENGLISH_SHARE_WARNING` is said once.

    Returns
    -------
    dict
        ``n_decided``, ``n_english`` and, when the share is above the warning level, ``note``.
    """
    n_decided = n_english = 0
    for text, n in Counter(texts).items():  # each distinct answer read once
        words = _LATIN_WORD.findall(text.lower())
        fr = sum(w in _FRENCH_WORDS for w in words)
        en = sum(w in _ENGLISH_WORDS for w in words)
        if fr + en >= 2 and fr != en:
            n_decided += n
            n_english += n * (en > fr)
    info: dict[str, object] = {"n_decided": n_decided, "n_english": n_english}
    if n_decided and n_english / n_decided > ENGLISH_SHARE_WARNING:
        info["note"] = (
            f"{n_english} of {n_decided} answers read as English, not French; textmine's "
            "lemmas, stop words and themes are French, so check the text column (terms of "
            "English answers will be poor)."
        )
    return info


def _warn_long(texts: list[str], options: TextOptions) -> None:
    n_long = sum(len(t) > options.max_chars for t in texts)
    if n_long:
        logger.warning(
            "%d answers are longer than %d characters and are analysed on their first %d.",
            n_long, options.max_chars, options.max_chars,
        )


def _weights(doc_of: list[int | None], n_unique: int) -> list[int]:
    """Number of answers sharing each distinct prepared text."""
    multiplicity = Counter(d for d in doc_of if d is not None)
    return [multiplicity[d] for d in range(n_unique)]


def _masked(texts: list[str], doc_of: list[int | None], cached: CachedTerms) -> list[str]:
    """Quotable answers: personal data masked, once per distinct (answer, names)."""
    done: dict[tuple[str, int | None], str] = {}
    out = []
    for t, d in zip(texts, doc_of, strict=True):
        m = done.get((t, d))
        if m is None:
            m = done[(t, d)] = mask_text(t, _names(cached, d))
        out.append(m)
    return out


def _prepare(texts: list[str], options: TextOptions, *, warn: bool = True):
    """Status of each answer, the index of its distinct prepared text, the prepared texts.

    Returns ``(status, doc_of, unique, accents)``; duplicates are classified once.
    """
    keys = nonanswer_keys(options.extra_nonanswers)
    longest = max((len(k) for k in keys), default=0)
    prep = _Preparer(build_lexicon(options))
    status: list[str] = []
    doc_of: list[int | None] = []
    unique: dict[str, int] = {}
    # raw answer -> (status, doc, accents restored): duplicates are classified once
    seen: dict[str, tuple[str, int | None, dict[str, str]]] = {}
    accents: list[dict[str, str]] = []
    if warn:
        _warn_long(texts, options)
    for text in texts:
        known = seen.get(text)
        if known is None:
            known = seen[text] = _classify(text[: options.max_chars], keys, longest, unique,
                                           prep)
        status.append(known[0])
        doc_of.append(known[1])
        accents.append(known[2])
    return status, doc_of, unique, accents


class _Preparer:
    """The French rules of :mod:`textmine.text.french` with the lexicon's lists, and a record of
    the accents they restored (per distinct text)."""

    def __init__(self, lex: Lexicon) -> None:
        # Acronyms that are also common words ("SI*") are lower-cased in an answer in capitals.
        self.keep = frozenset(
            [a for a, needs_caps in lex.acronyms.items() if not needs_caps]
            + [p.lower() for p in PLACEHOLDERS]
        )
        self.function_words = lex.function_words
        self.last: dict[str, str] = {}

    def add(self, text: str, unique: dict[str, int]) -> int:
        """Prepare ``text``, register it in ``unique`` and return its index (the accents
        restored in it are left in ``self.last``)."""
        self.last = {}
        out = prepare_text(text, self.keep, self.function_words, self.last)
        return unique.setdefault(out, len(unique))

    @staticmethod
    def report(per_answer: list[dict[str, str]]) -> dict:
        """Accents restored: ``{"answers": n, "words": n, "pairs": {bare: [accented, n]}}``.

        ``answers`` counts the answers with at least one restored word, ``pairs`` each
        unaccented spelling, the accented one given to it and the number of answers.
        """
        pairs: dict[str, list] = {}
        n_answers = 0
        for merges in per_answer:
            if not merges:
                continue
            n_answers += 1
            for bare, target in merges.items():
                pairs.setdefault(bare, [target, 0])[1] += 1
        ordered = dict(sorted(pairs.items(), key=lambda kv: (-kv[1][1], kv[0])))
        return {"answers": n_answers, "words": len(ordered), "pairs": ordered}


def _classify(text: str, keys: frozenset[str], longest: int,
              unique: dict[str, int], prep: _Preparer) -> tuple[str, int | None, dict[str, str]]:
    """Status of one answer, the index of its parsed text (added to ``unique`` if new) and the
    accents restored in it."""
    norm = normalise_text(text)
    if not norm:
        return EMPTY, None, {}
    # Folding is the slow part: only answers short enough to be a listed non-answer, or
    # without any letter or digit, can be non-answers.
    if len(norm) <= 2 * longest + 8 or _ALNUM.search(norm) is None:
        key = fold_key(norm, normalised=True)
        if is_nonanswer_key(key, keys):
            return NON_ANSWER, None, {}
    d = prep.add(protect(norm), unique)
    return OK, d, prep.last


#: A text shared by at least this many answers, and this share of the answers, is reported as
#: one pasted text (a campaign).
DUPLICATE_MIN = 5
DUPLICATE_SHARE = 0.1


def duplicate_key(text: str) -> str:
    """The key under which two answers count as one identical text (typography, case ignored)."""
    return normalise_text(text).lower()


def duplicate_keys(texts: Sequence[str]) -> list[str]:
    """:func:`duplicate_key` of every text, computed once per distinct text.

    Identical answers (the many repeats of a large or resampled consultation) share one key
    string: the time and memory go with the distinct texts, not with the answers.
    """
    memo: dict[str, str] = {}
    out: list[str] = []
    for text in texts:
        key = memo.get(text)
        if key is None:
            key = memo[text] = duplicate_key(text)
        out.append(key)
    return out


def pasted_rows(texts: list[str], status: list[str]) -> list[int]:
    """Positions of the answers that share the largest pasted text, or ``[]`` if none is.

    A text is "pasted" (a campaign) when at least ``DUPLICATE_MIN`` answers with content, and
    at least ``DUPLICATE_SHARE`` of them, give it (:func:`duplicate_key` equal). On a tie the
    text given first wins.
    """
    rows = [i for i, s in enumerate(status) if s == OK]
    keys = duplicate_keys([texts[i] for i in rows])
    counts = Counter(keys)
    if not counts:
        return []
    key, largest = counts.most_common(1)[0]
    if largest < DUPLICATE_MIN or largest / len(keys) < DUPLICATE_SHARE:
        return []
    return [i for i, k in zip(rows, keys, strict=True) if k == key]


def duplicate_note(texts: list[str], status: list[str]) -> dict:
    """Count identical answers (after normalisation) among the answers with content.

    Parameters
    ----------
    texts : list of str
        The answers as written.
    status : list of str
        Their statuses; only ``ok`` answers are counted.

    Returns
    -------
    dict
        ``largest`` (answers sharing the most repeated text), ``share`` (of the ``ok`` answers),
        ``n_groups`` (texts given by 2+ answers), ``n_answers`` (answers in those groups), and a
        ``note`` ("14 answers (47 %) are one identical text") when the largest group has at least
        ``DUPLICATE_MIN`` answers and ``DUPLICATE_SHARE`` of them (see :func:`pasted_rows`).
    """
    counts = Counter(duplicate_keys([t for t, s in zip(texts, status, strict=True) if s == OK]))
    n_ok = sum(counts.values())
    groups = [n for n in counts.values() if n > 1]
    largest = max(groups, default=0)
    out: dict = {
        "largest": largest,
        "share": round(largest / n_ok, 4) if n_ok else 0.0,
        "n_groups": len(groups),
        "n_answers": sum(groups),
    }
    if largest >= DUPLICATE_MIN and n_ok and largest / n_ok >= DUPLICATE_SHARE:
        out["note"] = f"{largest} answers ({largest / n_ok:.0%}) are one identical text".replace(
            "%", " %")
    return out


def _names(cached: CachedTerms, d: int | None) -> list[str]:
    if d is None or not cached.names[d]:
        return []
    return cached.names[d].split("\t")


def _vectors(unique_vectors: np.ndarray | None, doc_of: list[int | None]) -> np.ndarray | None:
    if unique_vectors is None:
        return None
    out = np.zeros((len(doc_of), unique_vectors.shape[1]), dtype=np.float32)
    rows = [i for i, d in enumerate(doc_of) if d is not None]
    out[rows] = unique_vectors[[doc_of[i] for i in rows]]
    return out


def _info(options, meta, status, distinct_terms, weights, n_unique, cache_state) -> dict:
    counts = Counter(status)
    # Counted per distinct text times its answers: the same counts, and the same first-seen
    # order (distinct texts are numbered in the order of their first answer) as counting
    # every answer's terms.
    vocabulary: Counter = Counter()
    for doc, n in zip(distinct_terms, weights, strict=True):
        for t in doc:
            vocabulary[t] += n
    return {
        "model": options.model,
        "model_version": model_version(options.model),
        "settings": asdict(options),
        "resources_sha256": resources_digest(),
        "cache": cache_state,
        "counts": {
            "answers": len(status),
            "ok": counts[OK],
            COUNT_NON_ANSWER: counts[NON_ANSWER],
            "empty": counts[EMPTY],
            "distinct_parsed": n_unique,
            "duplicates": counts[OK] - n_unique,
            "no_terms": sum(n for doc, n in zip(distinct_terms, weights, strict=True)
                            if not doc),
            "vocabulary": len(vocabulary),
        },
        "parse": dict(meta.get("parse", {})),
        "collocations": list(meta.get("collocations", [])),
        "top_terms": vocabulary.most_common(20),
    }


# -- editable dictionary and concordances (issue 16, sections 2 and 3) ------------------------
def load_text_dictionary(options: TextOptions) -> Dictionary | None:
    """The edited dictionary of ``options.dictionary`` (read once per file content), or None."""
    if options.dictionary is None:
        return None
    path = Path(options.dictionary)
    try:
        stamp = path.stat()
    except OSError:
        return read_dictionary(path)  # one clear error
    return _read_dictionary_cached(str(path.resolve()), stamp.st_mtime_ns, stamp.st_size)


@functools.lru_cache(maxsize=8)
def _read_dictionary_cached(path: str, mtime_ns: int, size: int) -> Dictionary:
    return read_dictionary(path)


@dataclass
class AnswerWords:
    """The words of every answer as the feature stage sees them (for concordances, dictionaries).

    Attributes
    ----------
    ids, texts, masked, status : list
        As in :class:`Corpus`.
    doc_of : list of int or None
        Index of each answer's distinct parsed text (``None`` for non-answers and blanks).
    weights : list of int
        Number of answers sharing each distinct parsed text.
    words : list of list of (value, lower, kind, pos)
        Per distinct text, its items (:func:`textmine.text.terms.doc_items`, with the edited
        dictionary applied): feature value (lemma), form in lower case, kind (``word`` for a
        content word that is a feature, ``func``, ``bound``, ``skip``) and part of speech.
    """

    ids: list[str]
    texts: list[str]
    masked: list[str]
    status: list[str]
    doc_of: list[int | None]
    weights: list[int]
    words: list[list[tuple[str, str, str, str]]]


def answer_words(
    answers: pd.Series,
    *,
    options: TextOptions = TextOptions(),
    cache_dir: Path | None = None,
    progress: ProgressFn | None = None,
) -> AnswerWords:
    """Parse the answers (through the parse cache) and return their words with lemmas and tags.

    The same preparation, parse and word rules as :func:`process_answers` (and the edited
    dictionary of ``options.dictionary``), stopped before expressions and negation so that each
    item is one word of the answer.

    Parameters
    ----------
    answers : pandas.Series
        Answers indexed by respondent id.
    options : TextOptions
        As for :func:`process_answers`.
    cache_dir : path, optional
        Parse cache folder.
    progress : callable(done, total), optional
        Called while spaCy runs.

    Returns
    -------
    AnswerWords
    """
    from textmine.text.terms import apply_dictionary, doc_items

    if not isinstance(answers, pd.Series):
        raise DataError("Answers must be a pandas Series indexed by respondent id; use "
                        "textmine.survey.open_answers().")
    ids = [str(i) for i in answers.index]
    texts = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
             for v in answers.tolist()]
    status, doc_of, unique_map, _ = _prepare(texts, options, warn=False)
    unique = list(unique_map)
    settings = _parse_settings(options)
    root = cache_root(cache_dir) if options.cache else None
    parsed, _ = _parse(unique, options, root, parse_key(unique, settings), settings, progress)
    lex = build_lexicon(options)
    dictionary = load_text_dictionary(options)
    words: list[list[tuple[str, str, str, str]]] = []
    for i in range(len(parsed)):
        rows = parsed.tokens(i)
        tags = {parsed.text[r].lower(): parsed.pos[r] for r in rows}
        items = apply_dictionary(doc_items(parsed, i, lex), dictionary)
        words.append([(v, low, kind, tags.get(low) or tags.get(low.split("-")[0], "X"))
                      for v, low, kind in items])
    multiplicity = Counter(d for d in doc_of if d is not None)
    masked = [
        mask_text(t, parsed.names(d) if d is not None else []) if options.mask_pii else t
        for t, d in zip(texts, doc_of, strict=True)
    ]
    return AnswerWords(ids, texts, masked, status, doc_of,
                       [multiplicity[d] for d in range(len(unique))], words)
# -- end editable dictionary and concordances ------------------------------------------------


__all__ = ["AnswerWords", "Corpus", "FRAME_COLUMNS", "STATUSES", "answer_words",
           "process_answers"]
