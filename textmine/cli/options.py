"""The typer options shared by the commands, as ``typing.Annotated`` types, and the one helper
that builds the read options.

Declaring each option once keeps its flag, help text and default identical in every command,
and leaves the signatures free of ``typer.Option(...)`` calls in defaults (ruff's B008).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from textmine.config import ReadOptions

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
Weights = Annotated[str | None, typer.Option(
    "--weights", help="Survey weight column (weighted % and Rao-Scott test).")]
Effects = Annotated[list[str] | None, typer.Option(
    "--effects", help="Closed question of the logistic effects model (repeatable).")]
Lang = Annotated[str, typer.Option("--lang", help="Report language: fr or en.")]

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
