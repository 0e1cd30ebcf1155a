"""Text segments (Reinert's *unités de contexte élémentaires*) and classification units.

Long answers are cut into segments of about ``segment_size`` words, preferring to cut after
strong punctuation, with rainette's rule (Barnier's rainette, ``split_segments``, after
Reinert 1990 and IRaMuTeQ):

- *words* are the pieces of the text between space characters (quanteda's ``fastestword``
  tokeniser: only the space `` `` separates words; a line break does not, so
  ``"fin.\\nDébut"`` is one word); punctuation written after a space (French typography,
  ``"pouvoir ?"``) is a word of its own;
- every word weighs by its *last character*: ``. ? ! …`` 6, ``:`` 5, ``;`` 4, ``,`` 1, else
  0.01 (so ``"d’Allemagne."`` weighs 6, ``"d’Allemagne.\\nQuelle"`` 0.01);
- in a window of ``segment_size + window`` words (default window ``0.4 × segment_size``: 56
  words) starting at the current word, the cut goes after the word maximising
  ``weight / (|rank − segment_size| + 1)`` (rank from 1; the first maximum on ties);
- cutting goes on while more than ``segment_size + window`` words remain; the rest is the last
  segment. A text of at most ``segment_size + window`` words is one segment.

With this rule the Manifeste corpus (rainette's vignette) gives rainette's 278 segments, 3, 103,
75 and 97 per part, and the same first segments as the vignette prints. An earlier reading
(punctuation as separate tokens, line breaks as separators, last segment at ``1.25 ×
segment_size``) gave 275.

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

#: Cutting weight of a word ending with this punctuation character (others weigh 0.01).
PUNCT_WEIGHTS = {".": 6.0, "?": 6.0, "!": 6.0, "…": 6.0, ":": 5.0, ";": 4.0, ",": 1.0}
OTHER_WEIGHT = 0.01
SEGMENT_COLUMNS = ["segment_id", "respondent_id", "text"]

# A word: a run of characters other than the space " " (quanteda's "fastestword", which
# rainette's split_segments uses): tabs and line breaks stay inside words.
_WORD = re.compile(r"[^ ]+")


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Words of ``text`` (pieces between spaces) as ``(word, start, end)`` character spans."""
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)
            if not m.group().isspace()]


def cut_points(tokens: list[str], segment_size: int = 40,
               window: int | None = None) -> list[int]:
    """Word positions where each segment starts (the first is 0), by rainette's rule.

    See the module docstring: the weight of a word is that of its last character; the cut goes
    after the word of the window maximising ``weight / (|rank − segment_size| + 1)``; cutting
    stops when at most ``segment_size + window`` words remain.

    Parameters
    ----------
    tokens : list of str, length n
        Words of one text (:func:`tokenize`).
    segment_size : int
        Wanted segment length in words (rainette's default 40).
    window : int, optional
        Extra words searched past ``segment_size``; default ``0.4 × segment_size`` (16: a
        window of 56 words).

    Returns
    -------
    list of int
        Increasing start positions; segment ``i`` is ``tokens[starts[i]:starts[i + 1]]``.

    Raises
    ------
    OptionError
        ``segment_size`` < 1 or ``window`` < 0.
    """
    if segment_size < 1:
        raise OptionError(f"segment_size must be >= 1, not {segment_size}; use e.g. 40.")
    window = int(0.4 * segment_size) if window is None else window
    if window < 0:
        raise OptionError(f"window must be >= 0, not {window}.")
    span = segment_size + window
    if len(tokens) <= span:
        # One segment: nothing to cut. Returning here also keeps every array below sized by
        # the text, never by segment_size (a huge size means "do not cut", not "allocate").
        return [0]
    weights = np.array([PUNCT_WEIGHTS.get(t[-1], OTHER_WEIGHT) if t else OTHER_WEIGHT
                        for t in tokens])
    # ratio denominator of each rank 1..span; np.argmax returns the first maximum (R's which.max)
    distance = np.abs(np.arange(1, span + 1) - segment_size) + 1.0
    starts = [0]
    while len(tokens) - starts[-1] > span:
        start = starts[-1]
        ratio = weights[start:start + span] / distance
        starts.append(start + int(np.argmax(ratio)) + 1)
    return starts


def split_text(text: str, segment_size: int | None = 40,
               window: int | None = None) -> list[str]:
    """Cut one text into segments (original characters kept, surrounding spaces stripped).

    Returns ``[]`` for a text without words, ``[text.strip()]`` for a short one or when
    ``segment_size`` is None (whole answers: ``--unit answers``).
    """
    spans = tokenize(text)
    if not spans:
        return []
    if segment_size is None:
        return [text.strip()]
    starts = cut_points([t for t, _, _ in spans], segment_size, window)
    bounds = [*starts, len(spans)]
    pairs = zip(bounds[:-1], bounds[1:], strict=True)
    return [text[spans[a][1]:spans[b - 1][2]].strip() for a, b in pairs if b > a]


def make_segments(answers: pd.Series, *, segment_size: int | None = 40,
                  window: int | None = None) -> pd.DataFrame:
    """Cut every answer into segments.

    Parameters
    ----------
    answers : pandas.Series
        Answers (str; NaN is blank) indexed by respondent id.
    segment_size, window : int
        See :func:`cut_points`; ``segment_size=None``: one segment per non-blank answer
        (``--unit answers``).

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
