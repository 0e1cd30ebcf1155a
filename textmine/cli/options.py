"""The typer options shared by the commands, as ``typing.Annotated`` types, and the one helper
that builds the read options.

Declaring each option once keeps its flag, help text and default identical in every command,
and leaves the signatures free of ``typer.Option(...)`` calls in defaults (ruff's B008).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from textmine.config import EngineOptions, ReadOptions
from textmine.errors import OptionError

ID_HELP = "Column holding the respondent ids (default: rows are numbered 1..n)."
SHEET_HELP = "Sheet of an .xlsx/.ods file, by name or 0-based position (default: the first)."
ENCODING_HELP = "Force the text encoding (e.g. utf-8, cp1252, latin-1) instead of detecting it."
SEP_HELP = "Force the separator of a text file (, ; | or tab) instead of detecting it."
PROFILE_HELP = ("Layout of the platform export: auto (detect it), none (read as is), qualtrics, "
                "surveymonkey, limesurvey, googleforms, kobo or msforms.")

# -- inputs -----------------------------------------------------------------------------------
Survey = Annotated[Path, typer.Argument(
    metavar="SURVEY", help="Survey file (.csv .tsv .txt .xlsx .ods .parquet .sav .dta).")]
RunDir = Annotated[Path, typer.Argument(help="Folder of a finished `textmine themes` run.")]
TextCol = Annotated[str, typer.Option("--text-col", help="Column of the open question.")]
# -- issue 17: correspondence and similarity analysis ------------------------------------------
SurveyOrRun = Annotated[Path, typer.Argument(
    metavar="SURVEY_OR_RUN",
    help="Survey file, or the folder of a finished run (themes, parse or Reinert).")]
CaFlag = Annotated[bool, typer.Option(
    "--ca", help="Also run a correspondence analysis of the terms x the --by modalities.")]
SimilarityFlag = Annotated[bool, typer.Option(
    "--similarity", help="Also draw the similarity graph of the most frequent terms.")]
# -- end issue 17 ------------------------------------------------------------------------------

# -- read options (built into ReadOptions by read_options) -----------------------------------
IdCol = Annotated[str | None, typer.Option("--id-col", help=ID_HELP)]
Sheet = Annotated[str | None, typer.Option("--sheet", help=SHEET_HELP)]
Encoding = Annotated[str | None, typer.Option("--encoding", help=ENCODING_HELP)]
Sep = Annotated[str | None, typer.Option("--sep", help=SEP_HELP)]
Profile = Annotated[str, typer.Option("--profile", help=PROFILE_HELP)]

# -- text, tables, report -----------------------------------------------------------------------
Model = Annotated[str, typer.Option(
    "--model", help="spaCy model: fr_core_news_sm (fast) or fr_core_news_md (adds word vectors).")]
By = Annotated[list[str] | None, typer.Option(
    "--by", help="Closed question to cross with the themes (repeatable).")]
ByClasses = Annotated[list[str] | None, typer.Option(
    "--by", help="Closed question to cross with the Reinert classes (repeatable).")]
Weights = Annotated[str | None, typer.Option(
    "--weights", help="Survey weight column (weighted % and Rao-Scott test).")]
Effects = Annotated[list[str] | None, typer.Option(
    "--effects", help="Closed question of the logistic effects model (repeatable).")]
Reference = Annotated[list[str] | None, typer.Option(
    "--reference", metavar="COL=LEVEL",
    help="Reference category of a closed question in the effects models (repeatable).")]
Lang = Annotated[str, typer.Option("--lang", help="Report language: fr or en.")]


def reference_pairs(values: list[str] | None) -> tuple[tuple[str, str], ...]:
    """``--reference COL=LEVEL`` values as (column, level) pairs.

    Raises
    ------
    OptionError
        If a value has no ``=``.
    """
    pairs = []
    for value in values or ():
        column, sep, level = value.partition("=")
        if not sep or not column.strip():
            raise OptionError(
                f"--reference {value!r} is not COL=LEVEL; write e.g. --reference "
                "dipl=Bac."
            )
        pairs.append((column.strip(), level.strip()))
    return tuple(pairs)

# -- codebooks --------------------------------------------------------------------------------
ThemeCodebook = Annotated[Path | None, typer.Option(
    "--codebook", help="Codebook (.yaml, .qdc or .csv) of named themes with seed words "
                       "(and edits).")]
CodingCodebook = Annotated[Path | None, typer.Option(
    "--codebook", help="Codebook (.yaml, .qdc or .csv); codes outside it are refused.")]

# -- outputs ----------------------------------------------------------------------------------
OutDir = Annotated[Path, typer.Option("--out", help="Output folder (created).")]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")]
ForceFile = Annotated[bool, typer.Option("--force", help="Replace an existing file.")]


# -- issue 19: where the heavy stages run -----------------------------------------------------
Jobs = Annotated[int | None, typer.Option(
    "--jobs", help="Processes for the spaCy stage (default: every core; 1: none). The result "
                   "does not depend on it.")]
Scheduler = Annotated[str | None, typer.Option(
    "--scheduler", metavar="ADDRESS",
    help="Run the spaCy stage on a Dask cluster: tcp://host:8786, or local:N (a local cluster "
         "of N worker processes).")]


def engine_options(jobs: int | None, scheduler: str | None) -> EngineOptions | None:
    """The :class:`~textmine.config.EngineOptions` of ``--jobs``/``--scheduler``; ``None`` when
    neither is given (the project file's ``[engine]``, else every core)."""
    if jobs is None and scheduler is None:
        return None
    return EngineOptions(jobs=jobs, scheduler=scheduler)
# -- end issue 19 -------------------------------------------------------------------------------


# -- editable dictionary (issue 16, section 3) -------------------------------------------------
DictionaryFile = Annotated[Path | None, typer.Option(
    "--dictionary",
    help="Edited word dictionary (textmine dictionary, or an R.temis lemmatiser): forms with "
         "keep = no are dropped, forms with a group_as term become that term.")]
# -- end editable dictionary --------------------------------------------------------------------


def read_options(
    id_col: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    profile: str = "auto",
) -> ReadOptions:
    """The :class:`~textmine.config.ReadOptions` of the shared read flags (checked when built).

    Every command that reads a survey goes through here, so ``--id-col``, ``--sheet``,
    ``--encoding``, ``--sep`` and ``--profile`` mean the same everywhere.
    """
    return ReadOptions(id_col=id_col, sheet=sheet, encoding=encoding, sep=sep, profile=profile)
