"""Non-answers ("RAS", "NSP", "je ne sais pas", "-", ...): flagged, kept, never themed."""

from __future__ import annotations

from collections.abc import Iterable

from textmine.runfolder import EMPTY as RF_EMPTY
from textmine.runfolder import NON_ANSWER as RF_NON_ANSWER
from textmine.runfolder import OK as RF_OK
from textmine.text.normalise import fold_key, normalise_text
from textmine.text.resources import read_lines

#: Status values of an answer (owned by the run-folder contract: terms.csv, answers.csv).
OK, NON_ANSWER, EMPTY = RF_OK, RF_NON_ANSWER, RF_EMPTY


def nonanswer_keys(extra: Iterable[str] = ()) -> frozenset[str]:
    """Return the folded keys of ``resources/text/nonanswers.txt`` plus ``extra``."""
    entries = list(read_lines("nonanswers.txt")) + list(extra)
    return frozenset(k for k in (fold_key(e) for e in entries) if k)


def answer_status(text: str, keys: frozenset[str]) -> str:
    """Return ``"empty"``, ``"non-answer"`` or ``"ok"`` for one raw answer.

    Blank answers are empty; answers whose folded form is in ``keys``, or that contain no letter
    or digit at all (``-``, ``/``, ``…``, ``?``), are non-answers.
    """
    norm = normalise_text(text)
    if not norm:
        return EMPTY
    key = fold_key(norm)
    if not key or key in keys:
        return NON_ANSWER
    return OK
