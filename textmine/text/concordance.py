"""Concordances (keyword in context): every occurrence of a word with the words around it.

A concordance line is ``respondent_id``, ``left`` (up to ``window`` words before, as written),
``keyword`` (the occurrence, as written) and ``right`` (up to ``window`` words after), taken from
the text shown to the reader (the masked answer). Three ways to find the occurrences:

* **form** (:func:`form_spans`): the words of the term as written, case- and accent-insensitive by
  default (``exact=True``: as typed); a word ending with ``*`` is a prefix (``écolo*``); several
  words are an expression (``cadre de vie``), matched on consecutive words (punctuation between
  them ignored).
* **lemma** (:func:`lemma_spans`): every form whose lemma, as the feature stage gives it (spaCy
  plus textmine's corrections and the edited dictionary), is the term's lemma: ``moyen`` finds
  ``moyen`` and ``moyens``. The lemmas come from the parse of each answer
  (:func:`textmine.text.corpus.answer_words`), so a form is matched only in the answers where it
  has that lemma; the matched forms are then located in the shown text.
* **feature** (:func:`feature_spans`): for the report, an answer known to carry a feature
  (``terms.csv``) and the feature's words located by their stem (``cadre_vie`` -> ``cadres de
  vie``); answers where they cannot be located are skipped.

Lines are sorted as concordances are read (:func:`sort_lines`): by the right context (word after
the keyword first), the left context (word before the keyword first) or by modality of a closed
question, then by the right context.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from textmine.errors import OptionError

#: Sort orders of :func:`sort_lines`.
SORTS = ("right", "left", "modality")
#: Columns of a concordance table (closed questions follow).
LINE_COLUMNS = ["respondent_id", "left", "keyword", "right"]

# A word: letters/digits with inner hyphens or apostrophes, an elided word ("l'", "qu'") apart.
_TOKEN = re.compile(r"[^\W_]+['’](?=[^\W_])|[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_SPACES = re.compile(r"\s+")


def fold(word: str) -> str:
    """Lower case, no accents, one apostrophe: the key words are compared on."""
    text = unicodedata.normalize("NFKD", word.lower().replace("’", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("œ", "oe").replace("æ", "ae")


@dataclass(frozen=True)
class Token:
    """One word of a shown text: its character span and its comparison key."""

    start: int
    end: int
    text: str


def tokenize(text: str) -> list[Token]:
    """The words of ``text`` with their character spans (punctuation is not a word)."""
    return [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def term_words(term: str) -> list[str]:
    """The words of a searched term (``"cadre de vie"`` -> three words; ``écolo*`` kept).

    Raises
    ------
    OptionError
        If the term holds no word.
    """
    words = [m.group() + ("*" if term[m.end():m.end() + 1] == "*" else "")
             for m in _TOKEN.finditer(term.strip())]
    if not words:
        raise OptionError(f"--term {term!r} holds no word; give a word such as --term moyen.")
    return words


def _word_match(token: str, word: str, exact: bool) -> bool:
    if word.endswith("*"):
        stem = word[:-1]
        return token.startswith(stem) if exact else fold(token).startswith(fold(stem))
    return token == word if exact else fold(token) == fold(word)


def form_spans(text: str, words: Sequence[str], *, exact: bool = False) -> list[tuple[int, int]]:
    """Token ranges ``[i, j)`` of ``tokenize(text)`` where the term's words occur in a row.

    Parameters
    ----------
    text : str
        The shown answer.
    words : sequence of str
        :func:`term_words` of the term.
    exact : bool
        Compare case and accents as typed (default: insensitive).
    """
    tokens = tokenize(text)
    n, k = len(tokens), len(words)
    return [(i, i + k) for i in range(n - k + 1)
            if all(_word_match(tokens[i + m].text, words[m], exact) for m in range(k))]


def _located(tokens: list[Token], forms: set[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Token ranges whose folded words are one of ``forms`` (longest first, no overlap)."""
    keys = [fold(t.text) for t in tokens]
    out: list[tuple[int, int]] = []
    i = 0
    lengths = sorted({len(f) for f in forms}, reverse=True)
    while i < len(keys):
        for k in lengths:
            if tuple(keys[i:i + k]) in forms:
                out.append((i, i + k))
                i += k - 1
                break
        i += 1
    return out


def lemma_targets(words: Sequence[str], forms_lemmas: Counter) -> list[set[str]]:
    """The lemmas searched for each word of the term: the word itself and, if it is a form of
    the answers, its most frequent lemma there (``moyens`` -> ``moyen``).

    ``forms_lemmas`` counts ``(folded form, folded lemma)`` pairs over the answers.
    """
    by_form: dict[str, Counter] = {}
    for (form, lemma), n in forms_lemmas.items():
        by_form.setdefault(form, Counter())[lemma] += n
    targets = []
    for word in words:
        key = fold(word.rstrip("*"))
        lemmas = {key}
        if key in by_form:
            lemmas.add(min(by_form[key].items(), key=lambda kv: (-kv[1], kv[0]))[0])
        targets.append(lemmas)
    return targets


def lemma_forms(items: Sequence[tuple[str, str, str, str]],
                targets: Sequence[set[str]]) -> set[tuple[str, ...]]:
    """The folded form sequences of one parsed answer whose lemmas are the ``targets``.

    ``items`` are :attr:`textmine.text.corpus.AnswerWords.words` of the answer; punctuation
    items are skipped (as :func:`tokenize` skips them).
    """
    seq = [(fold(value), fold(lower)) for value, lower, kind, _ in items if kind != "B"]
    k = len(targets)
    found: set[tuple[str, ...]] = set()
    for i in range(len(seq) - k + 1):
        if all(seq[i + m][0] in targets[m] for m in range(k)):
            found.add(tuple(form for _, form in seq[i:i + k]))
    return found


def lemma_spans(text: str, forms: set[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Token ranges of ``text`` holding one of the form sequences found by :func:`lemma_forms`.

    The forms are compared folded: the parsed copy of an answer may differ from the shown one in
    accents, apostrophes or capitals only.
    """
    if not forms:
        return []
    # A form the tokenizer of the parse kept whole ("aujourd'hui") may be two words here.
    split = {tuple(w.text for t in f for w in tokenize(t)) or f for f in forms}
    return _located(tokenize(text), {tuple(fold(w) for w in f) for f in forms | split})


def _stem(part: str) -> str:
    key = fold(part)
    return key if len(key) <= 4 else key[: max(4, len(key) - 2)]


def feature_spans(text: str, feature: str, *, gap: int = 3) -> list[tuple[int, int]]:
    """Token ranges of ``text`` showing a feature (report concordances, see the module docstring).

    ``pas_`` of negated features is dropped; each part of ``a_b`` is located by its stem (the
    word without its last two letters), the next part within ``gap`` words of the previous one.
    """
    parts = feature.split("_")
    if len(parts) > 1 and parts[0] == "pas":
        parts = parts[1:]
    stems = [_stem(p) for p in parts if p]
    if not stems:
        return []
    keys = [fold(t.text) for t in tokenize(text)]
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(keys):
        if keys[i].startswith(stems[0]):
            end, ok = i, True
            for stem in stems[1:]:
                nxt = next((j for j in range(end + 1, min(len(keys), end + 1 + gap))
                            if keys[j].startswith(stem)), None)
                if nxt is None:
                    ok = False
                    break
                end = nxt
            if ok:
                out.append((i, end + 1))
                i = end
        i += 1
    return out


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def kwic(respondent_id: str, text: str, spans: Sequence[tuple[int, int]], *,
         window: int = 8) -> list[dict[str, str]]:
    """The concordance lines of one answer.

    Parameters
    ----------
    respondent_id : str
    text : str
        The shown answer.
    spans : sequence of (int, int)
        Token ranges ``[i, j)`` of ``tokenize(text)`` (:func:`form_spans`, :func:`lemma_spans`,
        :func:`feature_spans`).
    window : int
        Words of context each side.

    Returns
    -------
    list of dict
        ``respondent_id``, ``left``, ``keyword``, ``right`` (white space collapsed).
    """
    tokens = tokenize(text)
    lines = []
    for i, j in spans:
        start, end = tokens[i].start, tokens[j - 1].end
        left_from = tokens[max(0, i - window)].start if i > 0 else start
        right_to = tokens[min(len(tokens), j + window) - 1].end if j < len(tokens) else end
        if window == 0:
            left_from, right_to = start, end
        lines.append({"respondent_id": respondent_id, "left": _clean(text[left_from:start]),
                      "keyword": _clean(text[start:end]), "right": _clean(text[end:right_to])})
    return lines


def check_sort(sort: str, by: Sequence[str]) -> None:
    """Refuse an unknown sort order, or ``modality`` without a closed question."""
    if sort not in SORTS:
        raise OptionError(f"Unknown sort {sort!r}; choose one of {', '.join(SORTS)}.")
    if sort == "modality" and not by:
        raise OptionError("--sort modality needs a closed question: give --by COLUMN.")


def _words_key(text: str, *, reverse: bool = False) -> tuple[str, ...]:
    words = [fold(t.text) for t in tokenize(text)]
    return tuple(reversed(words) if reverse else words)


def sort_lines(lines: pd.DataFrame, sort: str = "right", by: Sequence[str] = ()) -> pd.DataFrame:
    """Sort concordance lines as they are read (stable: ties keep the answers' order).

    Parameters
    ----------
    lines : DataFrame
        :data:`LINE_COLUMNS` plus the ``by`` columns.
    sort : {"right", "left", "modality"}
        ``right``: by the words after the keyword (the first one first), then the keyword;
        ``left``: by the words before it, nearest first; ``modality``: by the ``by`` columns
        (in that order), then as ``right``.
    by : sequence of str
        Closed-question columns of ``lines``.
    """
    check_sort(sort, by)
    if lines.empty:
        return lines.reset_index(drop=True)
    right = [_words_key(t) for t in lines["right"]]
    left = [_words_key(t, reverse=True) for t in lines["left"]]
    keyword = [fold(t) for t in lines["keyword"]]
    if sort == "left":
        keys = list(zip(left, keyword, right, strict=True))
    else:
        keys = list(zip(right, keyword, left, strict=True))
    if sort == "modality":
        groups = [tuple(("" if pd.isna(v) else str(v)) for v in row)
                  for row in lines[list(by)].itertuples(index=False)]
        keys = [(g, *k) for g, k in zip(groups, keys, strict=True)]
    order = sorted(range(len(lines)), key=lambda r: keys[r])
    return lines.iloc[order].reset_index(drop=True)


__all__ = ["LINE_COLUMNS", "SORTS", "feature_spans", "form_spans", "kwic", "lemma_forms",
           "lemma_spans", "lemma_targets", "sort_lines", "term_words", "tokenize"]
