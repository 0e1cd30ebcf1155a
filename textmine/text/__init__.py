"""French processing of survey answers (normalisation, spaCy, lexicon, negation, expressions,
non-answers, personal data). The entry point is :func:`textmine.text.corpus.process_answers`."""

from textmine.text.nonanswers import EMPTY, NON_ANSWER, OK, answer_status, nonanswer_keys
from textmine.text.normalise import fold_key, normalise_text
from textmine.text.pii import mask_text

__all__ = [
    "EMPTY",
    "NON_ANSWER",
    "OK",
    "answer_status",
    "fold_key",
    "mask_text",
    "nonanswer_keys",
    "normalise_text",
]
