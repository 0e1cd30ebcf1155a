"""The word lists of textmine's French processing, built once per set of options.

Everything comes from the data files of ``textmine/resources/text/`` (see their headers) plus the
``extra_*`` / ``keep_words`` fields of :class:`textmine.config.TextOptions`:

* stop words = spaCy's French list - ``keep_words.txt`` + ``stop_words_extra.txt``;
* acronyms (``acronyms.txt``): features written in CAPITALS (``SI``, ``DSI``), never lower-cased,
  so that the acronym ``SI`` can never merge with the conjunction ``si``;
* fixed lemmas (``lexicon.tsv``): domain words and corrections of the lemmatiser;
* curated multi-word expressions (``mwe.txt``), as lemma sequences.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from textmine.config import TextOptions
from textmine.errors import OptionError
from textmine.text.normalise import normalise_text
from textmine.text.resources import read_lines

#: Elided function words -> the lemma spaCy gives them (used to match expressions).
ELISIONS = {"d'": "de", "l'": "le", "qu'": "que", "n'": "ne", "s'": "se", "j'": "je",
            "m'": "me", "t'": "te", "c'": "ce", "jusqu'": "jusque", "lorsqu'": "lorsque",
            "puisqu'": "puisque"}
_WORD = re.compile(r"\w+'|\w+(?:-\w+)*", re.UNICODE)


def _spacy_stop_list() -> set[str]:
    """spaCy's French stop list, read from its source file when spaCy is not loaded yet.

    ``from spacy.lang.fr.stop_words import STOP_WORDS`` imports spaCy and its French language
    package, whose tokenizer exceptions compile large regular expressions: most of a warm run
    (every answer in the parse cache) went there (docs/scale.md, "Text-stage speed"). The file
    is a plain literal without imports, so running it alone gives the same set.
    """
    import sys

    loaded = sys.modules.get("spacy.lang.fr.stop_words")
    if loaded is None:
        import importlib.util
        import runpy

        spec = importlib.util.find_spec("spacy")  # locates spaCy without importing it
        if spec is not None and spec.origin:
            path = Path(spec.origin).parent / "lang" / "fr" / "stop_words.py"
            try:
                words = runpy.run_path(str(path)).get("STOP_WORDS")
            except (OSError, SyntaxError):
                words = None
            if isinstance(words, set) and all(isinstance(w, str) for w in words):
                return words
    from spacy.lang.fr.stop_words import STOP_WORDS  # another layout: the import

    return STOP_WORDS


def spacy_stop_words() -> frozenset[str]:
    """Return spaCy's French stop list with apostrophes normalised."""
    return frozenset(normalise_text(w) for w in _spacy_stop_list())


def split_words(text: str) -> list[str]:
    """Split an expression of a data file into words, elisions mapped to their lemma."""
    words = _WORD.findall(normalise_text(text).lower())
    return [ELISIONS.get(w, w) for w in words]


@dataclass(frozen=True)
class Lexicon:
    """Word lists used to turn parsed tokens into features (see the module docstring)."""

    stop_words: frozenset[str]
    function_words: frozenset[str]
    acronyms: dict[str, bool]
    lemmas: dict[str, str]
    mwes: dict[tuple[str, ...], str]

    @property
    def max_mwe(self) -> int:
        """Length in words of the longest curated expression."""
        return max((len(k) for k in self.mwes), default=0)


def mwe_name(words: list[str] | tuple[str, ...], function_words: frozenset[str]) -> str:
    """Name an expression by its content words joined with ``_`` (``impôt_revenu``)."""
    content = [w for w in words if w not in function_words] or list(words)
    return "_".join(content)


@functools.lru_cache(maxsize=16)
def _build(
    keep: tuple[str, ...], extra_stop: tuple[str, ...], extra_lexicon: tuple[tuple[str, str], ...],
    extra_mwe: tuple[str, ...],
) -> Lexicon:
    spacy_stops = spacy_stop_words()
    keep_words = {normalise_text(w).lower() for w in read_lines("keep_words.txt") + keep}
    stops = (spacy_stops - keep_words) | {
        normalise_text(w).lower() for w in read_lines("stop_words_extra.txt") + extra_stop
    }
    acronyms: dict[str, bool] = {}
    for entry in read_lines("acronyms.txt"):
        needs_caps = entry.endswith("*")
        acronyms[entry.rstrip("*").strip().lower()] = needs_caps
    lemmas: dict[str, str] = {}
    for line in read_lines("lexicon.tsv"):
        form, _, lemma = line.partition("\t")
        if not lemma.strip():
            raise OptionError(f"Lexicon line {line!r} has no TAB-separated lemma; fix lexicon.tsv.")
        lemmas[normalise_text(form).lower()] = normalise_text(lemma).lower()
    for form, lemma in extra_lexicon:
        lemmas[normalise_text(form).lower()] = normalise_text(lemma).lower()
    # Words kept for their meaning are not "function" words when naming an expression.
    function_words = frozenset(spacy_stops - keep_words) | frozenset(ELISIONS.values())
    mwes: dict[tuple[str, ...], str] = {}
    for entry in read_lines("mwe.txt") + extra_mwe:
        words = tuple(lemmas.get(w, w) for w in split_words(entry))
        if len(words) >= 2:
            mwes[words] = mwe_name(words, function_words)
    return Lexicon(frozenset(stops), function_words, acronyms, lemmas, mwes)


@functools.lru_cache(maxsize=1)
def known_acronyms() -> frozenset[str]:
    """The acronyms of ``acronyms.txt`` in lower case (``"si"``, ``"dsi"``), without spaCy.

    Their feature is the acronym in capitals; codebook seeds, written in lower case, are mapped
    to it (:mod:`textmine.themes.seeded`).
    """
    return frozenset(e.rstrip("*").strip().lower() for e in read_lines("acronyms.txt"))


def build_lexicon(options: TextOptions) -> Lexicon:
    """Return the :class:`Lexicon` for ``options`` (cached: built once per set of lists)."""
    return _build(
        tuple(options.keep_words), tuple(options.extra_stop_words),
        tuple(tuple(p) for p in options.extra_lexicon), tuple(options.extra_mwe),
    )
