"""Surveys: read a survey file as the platform exported it, type its questions, hand out answers.

Rooms: :mod:`~textmine.survey.core` (the :class:`Survey` and what it hands out),
:mod:`~textmine.survey.formats` (file formats into a table of strings),
:mod:`~textmine.survey.sniff` (encoding and separator sniffing),
:mod:`~textmine.survey.columns` (question types),
:mod:`~textmine.survey.weights` (the one rule for survey weights).
"""

from textmine.survey.columns import KINDS, Question
from textmine.survey.core import (
    Survey,
    closed_question,
    describe_survey,
    inspect_survey,
    open_answers,
    read_survey,
    reread_with_id,
    resolve_weights,
    survey_weights,
)
from textmine.survey.formats import SourceInfo
from textmine.survey.sniff import detect_encoding

__all__ = [
    "KINDS", "Question", "SourceInfo", "Survey", "closed_question", "describe_survey",
    "detect_encoding", "inspect_survey", "open_answers", "read_survey", "reread_with_id",
    "resolve_weights",
    "survey_weights",
]
