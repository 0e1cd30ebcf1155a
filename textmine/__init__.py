"""textmine: qualitative text mining of French open-ended survey answers.

The public API, one function or class per stage of the data flow (see docs/architecture.md)::

    survey = textmine.read_survey("enquete.csv", options=textmine.ReadOptions(id_col="id"))
    corpus = textmine.process_answers(textmine.open_answers(survey, "q_manques"))
    result = textmine.discover_themes(corpus, options=textmine.ThemeOptions(k=6))
    table = textmine.crosstab(result.answers, result.themes, survey, "fonction")

Names are imported lazily, so ``import textmine`` stays fast and loads neither spaCy nor
scikit-learn until they are used.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("textmine")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

#: Public name -> module that defines it.
_EXPORTS = {
    "ReadOptions": "textmine.config",
    "TextOptions": "textmine.config",
    "ThemeOptions": "textmine.config",
    "TableOptions": "textmine.config",
    "CodingOptions": "textmine.config",
    "ReportOptions": "textmine.config",
    "TextmineError": "textmine.errors",
    "DataQualityWarning": "textmine.errors",
    "read_survey": "textmine.survey",
    "open_answers": "textmine.survey",
    "closed_question": "textmine.survey",
    "load_project": "textmine.project",
    "load_codebook": "textmine.codebook",
    "process_answers": "textmine.text.corpus",
    "Corpus": "textmine.text.corpus",
    "document_term_matrix": "textmine.features",
    "discover_themes": "textmine.themes",
    "code_answers": "textmine.themes",
    "save_model": "textmine.themes",
    "load_model": "textmine.themes",
    "crosstab": "textmine.tables",
    "specificities": "textmine.tables",
    "effects": "textmine.tables",
    "MultiLabelCoder": "textmine.coding",
    "coder_agreement": "textmine.coding",
    "write_report": "textmine.report",
    "run_themes": "textmine.pipeline.themes_run",
    "run_project": "textmine.pipeline.project_run",
    # Reinert classification and the IRaMuTeQ corpus format (issue 16)
    "ReinertOptions": "textmine.config",
    "reinert": "textmine.classes",
    "read_iramuteq": "textmine.survey.iramuteq",
    "run_reinert": "textmine.pipeline.reinert_run",
    "run_export_iramuteq": "textmine.pipeline.reinert_run",
    # Concordances and the editable dictionary (issue 16)
    "run_concordance": "textmine.pipeline.concordance_run",
    "run_dictionary": "textmine.pipeline.concordance_run",
    "read_dictionary": "textmine.text.dictionary",
    # Correspondence and similarity analysis (issue 17)
    "AnalysisOptions": "textmine.config",
    "correspondence_analysis": "textmine.tables.ca",
    "lexical_table": "textmine.tables.ca",
    "similarity_analysis": "textmine.tables.similarity",
    "run_ca": "textmine.pipeline.ca_run",
    "run_similarity": "textmine.pipeline.ca_run",
    # Editing the themes of a finished run without re-running (issue 15)
    "edit_run": "textmine.pipeline.edit_run",
    # Every core, or a Dask cluster (issue 19)
    "EngineOptions": "textmine.config",
    "use_engine": "textmine.engine",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'textmine' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
