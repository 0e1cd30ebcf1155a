"""Themes joined back to the closed questions: crosstabs, tests, effects, specificities.

The unit is the respondent (a respondent counts once per theme); the base is the respondents with
a codable answer (``themed`` or ``unassigned``). See :mod:`textmine.tables.crosstab` for the
tables and the choice of tests, :mod:`textmine.tables.specificities` for Lafon's specificities and
:mod:`textmine.tables.effects` for the logistic effects model.
"""

from textmine.tables.crosstab import ClosedData, crosstab, crosstab_frame
from textmine.tables.effects import effects, effects_frame
from textmine.tables.respondents import combine_answers, mentions_matrix
from textmine.tables.specificities import lafon_specificity, specificities, specificities_frame
from textmine.tables.write import check_closed_questions, write_table_files, write_tables

__all__ = [
    "ClosedData",
    "check_closed_questions",
    "combine_answers",
    "crosstab",
    "crosstab_frame",
    "effects",
    "effects_frame",
    "lafon_specificity",
    "mentions_matrix",
    "specificities",
    "specificities_frame",
    "write_table_files",
    "write_tables",
]
