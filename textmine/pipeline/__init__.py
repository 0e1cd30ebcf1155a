"""Orchestration: one module per command family, running the stages in order; no logic of its own.

The CLI imports only this package (plus ``config`` and ``errors``); what it needs of the run-folder
contract to print a command's summary is re-exported here.
"""

from textmine.engine import use_engine  # issue 19
from textmine.runfolder import (
    COUNT_EMPTY,
    COUNT_NON_ANSWER,
    COUNT_THEMED,
    COUNT_UNASSIGNED,
    INDEX_HTML,
    TERMS_CSV,
    RunRecord,
)

__all__ = [
    "COUNT_EMPTY", "COUNT_NON_ANSWER", "COUNT_THEMED", "COUNT_UNASSIGNED", "INDEX_HTML",
    "TERMS_CSV", "RunRecord", "use_engine",
]
