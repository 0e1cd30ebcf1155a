"""Text segments (Reinert's *unités de contexte élémentaires*) and classification units.

Long answers are cut into segments of about ``segment_size`` words, preferring to cut after
strong punctuation, as IRaMuTeQ and rainette do (Reinert 1990; Barnier's rainette,
``split_segments``): every token gets a weight (``. ? ! …`` 6, ``:`` 5, ``;`` 4, ``,`` 1, any
other token 0.01); in a window of ``1.4 × segment_size`` tokens starting at the current
position, the cut goes after the token maximising ``weight / (|position − segment_size| + 1)``
(positions counted in words from 1, punctuation not counted); cutting stops when at most
``1.25 × segment_size`` words remain, and those form the last segment. Answers shorter than
that are one segment.

Terms of the segments: :func:`segment_corpus` runs the segment texts through the text stage
(:func:`textmine.text.corpus.process_answers`) instead of cutting each answer's term list.
The text stage's terms carry no word offsets (stop words are dropped, expressions joined with
``_``, negated words rewritten ``pas_x``), so a term list cannot be cut at a word position
without guessing; processing the segment text with the very same lexicon, lemmatiser and
negation rules gives terms consistent with every other command. Cuts fall after strong
punctuation, so a negation scope (``ne ... pas`` inside one clause) is almost never split.

Classification units (*unités de contexte*, rainette's ``compute_uc``): consecutive segments of
one respondent are merged until the unit has at least ``min_segment_size`` terms; a short unit
is merged with the next unit of the same respondent (the respondent's last unit may stay short).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from textmine.config import TextOptions
from textmine.errors import DataError, OptionError

#: Cutting weight of a punctuation token (others weigh 0.01).
PUNCT_WEIGHTS = {".": 6.0, "?": 6.0, "!": 6.0, "…": 6.0, ":": 5.0, ";": 4.0, ",": 1.0}
OTHER_WEIGHT = 0.01
SEGMENT_COLUMNS = ["segment_id", "respondent_id", "text"]

# A word: letters/digits, with inner apostrophes or hyphens (``l'Europe``, ``Sainte-Alliance``
# stay one token, as in quanteda's word tokeniser); anything else that is not a space is a
# one-character token ("..." is three tokens).
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|\S", re.UNICODE)
_WORD = re.compile(r"[^\W_]")


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Words and punctuation of ``text`` as ``(token, start, end)`` character spans."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def cut_points(tokens: list[str], segment_size: int = 40,
               window: int | None = None) -> list[int]:
    """Token positions where each segment starts (the first is 0).

    Sizes and positions count *words* only (punctuation tokens take the rank of the word they
    follow, so a full stop right after the 40th word is at distance 1): with this reading the
    Manifeste corpus gives 275 segments against rainette's 278 (punctuation counted as words:
    318), see tests/test_classes_segments.py.

    Parameters
    ----------
    tokens : list of str, length n
        Tokens of one text (:func:`tokenize`).
    segment_size : int
        Wanted segment length in words (rainette's default 40).
    window : int, optional
        Number of words searched for the cut; default ``round(1.4 × segment_size)`` (56).

    Returns
    -------
    list of int
        Increasing start positions; segment ``i`` is ``tokens[starts[i]:starts[i + 1]]``.
    """
    if segment_size < 1:
        raise OptionError(f"segment_size must be >= 1, not {segment_size}; use e.g. 40.")
    window = round(1.4 * segment_size) if window is None else window
    if not tokens:
        return [0]
    weights = np.array([PUNCT_WEIGHTS.get(t, OTHER_WEIGHT) for t in tokens])
    words = np.cumsum([_WORD.match(t) is not None for t in tokens])
    starts = [0]
    while True:
        start = starts[-1]
        before = words[start - 1] if start > 0 else 0
        if words[-1] - before <= 1.25 * segment_size:
            return starts
        rank = words[start:] - before
        keep = (rank >= 1) & (rank <= window)
        positions = np.arange(start, len(tokens))[keep]
        ratio = weights[positions] / (np.abs(rank[keep] - segment_size) + 1.0)
        starts.append(int(positions[int(np.argmax(ratio))]) + 1)


def split_text(text: str, segment_size: int = 40, window: int | None = None) -> list[str]:
    """Cut one text into segments (original characters kept, surrounding spaces stripped).

    Returns ``[]`` for a text without tokens, ``[text.strip()]`` for a short one.
    """
    spans = tokenize(text)
    if not spans:
        return []
    starts = cut_points([t for t, _, _ in spans], segment_size, window)
    bounds = [*starts, len(spans)]
    pairs = zip(bounds[:-1], bounds[1:], strict=True)
    return [text[spans[a][1]:spans[b - 1][2]].strip() for a, b in pairs if b > a]


def make_segments(answers: pd.Series, *, segment_size: int = 40,
                  window: int | None = None) -> pd.DataFrame:
    """Cut every answer into segments.

    Parameters
    ----------
    answers : pandas.Series
        Answers (str; NaN is blank) indexed by respondent id.
    segment_size, window : int
        See :func:`cut_points`.

    Returns
    -------
    pandas.DataFrame of shape (n_segments, 3)
        ``segment_id`` (``<respondent_id>_<k>``, k from 1), ``respondent_id`` (str), ``text``,
        in answer order. Blank answers have no segment.
    """
    if not isinstance(answers, pd.Series):
        raise DataError(f"Answers must be a pandas Series indexed by respondent id, not "
                        f"{type(answers).__name__}.")
    rows: list[tuple[str, str, str]] = []
    for rid, value in zip(answers.index, answers.tolist(), strict=True):
        text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        for k, segment in enumerate(split_text(text, segment_size, window), start=1):
            rows.append((f"{rid}_{k}", str(rid), segment))
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


def segment_corpus(segments: pd.DataFrame, *, options: TextOptions = TextOptions(),
                   cache_dir: Path | None = None,
                   progress: Callable[[int, int], None] | None = None):
    """Terms of each segment, through the text stage (see the module docstring for why).

    Returns
    -------
    textmine.text.corpus.Corpus
        One entry per segment, ``ids`` = ``segment_id``.
    """
    from textmine.text.corpus import process_answers

    series = pd.Series(segments["text"].tolist(), index=segments["segment_id"].tolist(),
                       dtype=object)
    return process_answers(series, options=options, cache_dir=cache_dir, progress=progress)


def group_units(respondents: list[str], n_terms: list[int], min_segment_size: int) -> np.ndarray:
    """Merge consecutive short segments of one respondent into classification units.

    Parameters
    ----------
    respondents : list of str, length n_segments
        Respondent of each segment (a respondent's segments are consecutive, in text order).
    n_terms : list of int, length n_segments
        Number of terms (with repeats) of each segment.
    min_segment_size : int
        A unit is closed once it holds at least this many terms (0 or 1: one unit per segment).

    Returns
    -------
    ndarray of int, shape (n_segments,)
        Unit index of each segment, 0..n_units-1, non-decreasing.
    """
    unit = np.zeros(len(respondents), dtype=np.int64)
    current, size, previous = -1, 0, None
    for i, (rid, n) in enumerate(zip(respondents, n_terms, strict=True)):
        if rid != previous or size >= min_segment_size:
            current += 1
            size = 0
        size += n
        unit[i] = current
        previous = rid
    return unit


__all__ = [
    "OTHER_WEIGHT",
    "PUNCT_WEIGHTS",
    "SEGMENT_COLUMNS",
    "cut_points",
    "group_units",
    "make_segments",
    "segment_corpus",
    "split_text",
    "tokenize",
]
