"""The run folder: the contract between textmine commands (files, columns, dtypes, run.json).

A run folder is what one command writes and later commands read (``themes`` writes it,
``crosstab``, ``report`` and ``sheet`` read it). This module is the one place that knows

- the name of every file a command writes or reads in a run folder (``THEMES_CSV``...);
- the columns and dtypes of every CSV (:data:`CSV_COLUMNS`, :func:`read_run_csv`);
- the answer statuses (``answers.csv`` column ``status``) and the count keys of ``run.json``;
- ``run.json`` itself, as a typed :class:`RunRecord` with a ``schema_version``.

run.json schema versions
------------------------
``SCHEMA_VERSION`` is the version this textmine writes. A run.json without ``schema_version``
was written by the release before the field existed; its layout is the same, so it is read as
version 1, with the one legacy spelling (``non_answers`` in the counts of ``textmine parse``)
renamed to :data:`COUNT_NON_ANSWER`. A run.json of a newer (or unknown) version is refused with
one line: it comes from a newer textmine, whose files this one cannot promise to understand.

Stage 1 of the layering (``tests/test_layering.py``): imports only ``errors``, ``config`` and
``outputs``, so that every later stage can use it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from textmine.config import ReadOptions, ReportOptions
from textmine.errors import InputFileError
from textmine.outputs import restore_cell, run_versions, write_csv, write_json

# --- file names ---------------------------------------------------------------------------

RUN_JSON = "run.json"
THEMES_CSV = "themes.csv"
ANSWERS_CSV = "answers.csv"
TERMS_CSV = "terms.csv"
TERM_WEIGHTS_CSV = "term_weights.csv"
K_SELECTION_CSV = "k_selection.csv"
K_SELECTION_PNG = "k_selection.png"
#: The neighbours added to a codebook's seeds (issue 14).
SEED_EXPANSION_CSV = "seed_expansion.csv"
MODEL_DIR = "model"
EFFECTS_CSV = "effects.csv"
#: The closed questions of the tables, one row per respondent (``respondent_id`` then one column
#: per single/ordinal/numeric question, one 0/1 column per option of a multiple choice): the
#: report's answers sheet reads them from here, never from the survey file.
CLOSED_CSV = "closed.csv"
CROSSTAB_PREFIX = "crosstab_"
SPECIFICITIES_PREFIX = "specificities_"
#: ``textmine code`` outputs.
CODES_CSV = "codes.csv"
AGREEMENT_CSV = "agreement.csv"  # also ``textmine agree``
TRADEOFF_CSV = "tradeoff.csv"
REVIEW_QUEUE_CSV = "review_queue.csv"
LEARNING_CURVE_CSV = "learning_curve.csv"
LEARNING_CURVE_FIGURE = "learning_curve"  # figures/learning_curve.png + .svg
NEXT_SHEET_XLSX = "next_to_code.xlsx"  # ``code --next N``
#: Report entries added to a run folder (replaced as a whole by ``textmine report``).
REPORT_HTML = "report.html"
REPORT_XLSX = "report.xlsx"
FIGURES_DIR = "figures"
#: Word clouds in figures/ are ``cloud_<id>_<label>.png`` (and ``.svg``).
CLOUD_PREFIX = "cloud_"
TABLES_MD_DIR = "tables_md"
REPORT_ENTRIES = (REPORT_HTML, REPORT_XLSX, FIGURES_DIR, TABLES_MD_DIR)
#: A project folder (``textmine run``): one run folder per open question plus these.
SUMMARY_CSV = "summary.csv"
SUMMARY_MD = "summary.md"
INDEX_HTML = "index.html"
# --- correspondence and similarity analysis (issue 17) ---
#: ``textmine ca --out DIR`` writes these into DIR; ``themes --ca`` into ``RUN/ca/``.
CA_DIR = "ca"
CA_TABLE_CSV = "ca_table.csv"
CA_EIGENVALUES_CSV = "ca_eigenvalues.csv"
CA_ROWS_CSV = "ca_rows.csv"
CA_COLUMNS_CSV = "ca_columns.csv"
CA_MAP = "ca_map"          # .png + .svg
CA_SCREE = "ca_scree"      # .png + .svg
#: ``textmine similarity --out DIR`` writes these into DIR; ``themes --similarity`` into
#: ``RUN/similarity/``.
SIMILARITY_DIR = "similarity"
EDGES_CSV = "edges.csv"
NODES_CSV = "nodes.csv"
SIMILARITY_GRAPHML = "similarity.graphml"
SIMILARITY_GEXF = "similarity.gexf"
SIMILARITY_GRAPH = "similarity_graph"  # .png + .svg
# --- end issue 17 ---


def crosstab_csv(stem: str) -> str:
    """File name of the crosstab of one closed question (``stem``: its file-safe name)."""
    return f"{CROSSTAB_PREFIX}{stem}.csv"


def specificities_csv(stem: str) -> str:
    """File name of the specificities of one closed question (``stem``: its file-safe name)."""
    return f"{SPECIFICITIES_PREFIX}{stem}.csv"


def table_stem(path: Path, prefix: str) -> str:
    """The ``<COL>`` of ``crosstab_<COL>.csv`` or ``specificities_<COL>.csv``."""
    return path.stem[len(prefix):]


# --- answer statuses and count keys -------------------------------------------------------

#: Values of the ``status`` column of answers.csv (an interface: users filter on them).
THEMED, UNASSIGNED, NON_ANSWER, EMPTY = "themed", "unassigned", "non-answer", "empty"
#: Status of a codable answer in terms.csv (before themes are assigned).
OK = "ok"
#: Statuses of answers.csv, in the order they are reported.
ANSWER_STATUSES = (THEMED, UNASSIGNED, NON_ANSWER, EMPTY)
#: Statuses of terms.csv (``textmine parse``).
TERM_STATUSES = (OK, NON_ANSWER, EMPTY)
#: Answers with text to analyse (the default base of percentages).
CODABLE_STATUSES = (THEMED, UNASSIGNED)

#: Count keys of ``run.json`` and of the ``counts`` dictionaries passed between stages. Status
#: values contain a hyphen, so count keys are their identifier form; the one spelling of the
#: number of non-answers is ``non_answer``. (The ``non_answers`` column of ``summary.csv`` is a
#: user-facing interface and keeps its name.)
COUNT_THEMED, COUNT_UNASSIGNED, COUNT_NON_ANSWER, COUNT_EMPTY = (
    "themed", "unassigned", "non_answer", "empty"
)
COUNT_OK = "ok"


def count_key(status: str) -> str:
    """The count key of a status: ``"non-answer"`` -> ``"non_answer"``."""
    return status.replace("-", "_")


# --- CSV columns and dtypes ---------------------------------------------------------------

#: Last column of themes.csv, present only when one text was pasted by many respondents (a
#: campaign): on each theme holding some of them, "14 of its 16 answers are one identical text".
DUPLICATES_NOTE = "duplicates_note"

#: Columns of themes.csv after the quotes: answers writing one of a theme's defining words
#: without carrying it, and its bootstrap stability (absent with ``--stability 0``).
UNDER_ASSIGNED, STABILITY = "under_assigned", "stability"

#: Columns of each CSV a command writes (in order); a ``*`` column stands for ``quote_1..n``
#: (themes.csv may end with :data:`DUPLICATES_NOTE`; ``stability`` is left out when not
#: measured).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    THEMES_CSV: ("theme_id", "label", "top_terms", "n_answers", "share", "quote_*",
                 UNDER_ASSIGNED, STABILITY),
    SEED_EXPANSION_CSV: ("theme_id", "theme", "term", "feature", "cosine", "source"),
    ANSWERS_CSV: ("respondent_id", "text", "status", "theme_id", "weight", "themes"),
    TERMS_CSV: ("respondent_id", "status", "terms"),  # ``parse`` adds ``text`` after the id
    TERM_WEIGHTS_CSV: ("theme_id", "term", "weight"),
    CODES_CSV: ("respondent_id", "code", "score", "assigned", "source", "outcome"),
}

#: ``outcome`` of an answer in codes.csv: given one code or more; read (by a coder) or scored
#: (by the coder model) and given *none of these codes*; not coded (sent to review).
OUTCOME_CODES, OUTCOME_NONE, OUTCOME_NOT_CODED = "codes", "none_of_these_codes", "not_coded"

#: Columns read as text whatever they look like, in every run-folder CSV: ids ("007"), answers,
#: labels and group names ("NA", "2020", "1") must come back as written.
TEXT_COLUMNS = frozenset({
    "respondent_id", "text", "status", "themes", "label", "top_terms", "term", "terms",
    "modality", "code", "source", "outcome", DUPLICATES_NOTE, "theme", "feature",
    "target",  # issue 17: edges.csv of a similarity analysis
})
#: Columns holding theme numbers: read as nullable integers (empty for answers without theme).
THEME_ID_COLUMNS = frozenset({"theme_id"})

# --- Reinert classification (issue 16): ``textmine reinert`` run folders ------------------
CLASSES_CSV = "classes.csv"
PROFILES_CSV = "profiles.csv"
SEGMENTS_CSV = "segments.csv"
CHARACTERISTIC_SEGMENTS_CSV = "characteristic_segments.csv"
#: The dendrogram figure, ``figures/dendrogram.png`` and ``.svg``.
DENDROGRAM = "dendrogram"
#: Folder of the Reinert run inside a question folder of ``textmine run`` (``[reinert]``).
REINERT_DIR = "reinert"
#: ``textmine export-iramuteq`` output default name.
IRAMUTEQ_TXT = "corpus.txt"
#: Statuses of a Reinert answers.csv (``non-answer`` and ``empty`` as for themes).
CLASSIFIED, UNCLASSIFIED = "classified", "unclassified"
REINERT_STATUSES = (CLASSIFIED, UNCLASSIFIED, NON_ANSWER, EMPTY)
#: Columns of a Reinert run's CSVs (answers.csv adds ``share_1..share_k``).
CSV_COLUMNS.update({
    CLASSES_CSV: ("class", "size", "share", "share_classified", "parent", "height", "label"),
    PROFILES_CSV: ("class", "term", "n_units_in_class", "n_units_total", "pct_in_class", "chi2",
                   "p_value", "sign"),
    SEGMENTS_CSV: ("segment_id", "respondent_id", "text", "class"),
    CHARACTERISTIC_SEGMENTS_CSV: ("class", "rank", "segment_id", "respondent_id", "text",
                                  "score"),
})
REINERT_ANSWERS_COLUMNS = ("respondent_id", "text", "status", "class_id", "share_*")
#: Class numbers (read as nullable integers) and the Reinert text columns.
CLASS_ID_COLUMNS = frozenset({"class", "class_id", "parent"})
TEXT_COLUMNS = TEXT_COLUMNS | {"segment_id", "sign"}
# --- end of the Reinert block ----------------------------------------------------------------
_QUOTE = re.compile(r"quote_\d+")


def _text_dtypes(columns: list[str]) -> dict[str, type]:
    return {c: str for c in columns if c in TEXT_COLUMNS or _QUOTE.fullmatch(c)}


def missing_file_message(run_dir: Path, name: str) -> str:
    """The one message for a run folder that lacks a file a command needs."""
    return f"Run folder {run_dir} has no {name}; give the folder written by `textmine themes`."


def read_run_csv(run_dir: str | Path, name: str, *, required: bool = True,
                 columns: tuple[str, ...] = ()) -> pd.DataFrame | None:
    """Read one CSV of a run folder with the dtypes of the contract.

    Text columns (:data:`TEXT_COLUMNS`, ``quote_<i>``) stay strings: ``"007"`` is not 7 and
    ``"NA"`` or ``"RAS"`` are values, not missing (only empty cells are missing); ids neutralised
    on writing (``'-12``) are restored so that they join the survey again. ``theme_id`` is a
    nullable integer (``Int64``); other columns are parsed as numbers where they are numbers.

    Parameters
    ----------
    run_dir : path
        The run folder.
    name : str
        File name (one of the constants of this module, or ``crosstab_csv(stem)``...).
    required : bool
        Raise if the file is absent; otherwise return ``None``.
    columns : tuple of str
        Columns that must be present.

    Raises
    ------
    InputFileError
        Missing (when required) or unreadable file, missing columns, theme ids that are not
        whole numbers.
    """
    run_dir = Path(run_dir)
    path = run_dir / name
    if not path.is_file():
        if required:
            raise InputFileError(missing_file_message(run_dir, name))
        return None
    try:
        head = pd.read_csv(path, nrows=0, encoding="utf-8")
        table = pd.read_csv(path, dtype=_text_dtypes(list(head.columns)), encoding="utf-8",
                            keep_default_na=False, na_values=[""])
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ParserError, EmptyDataError
        raise InputFileError(
            f"Cannot read {path}: {exc}; rerun the analysis that wrote this folder."
        ) from exc
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputFileError(
            f"{path} lacks column(s) {', '.join(missing)}; give the folder written by "
            "`textmine themes`."
        )
    if "respondent_id" in table:
        table["respondent_id"] = table["respondent_id"].map(restore_cell)
    for column in (THEME_ID_COLUMNS | CLASS_ID_COLUMNS) & set(table.columns):
        ids = pd.to_numeric(table[column], errors="coerce")
        # An id that is present but not a whole number means the file is not ours.
        bad = (ids.isna() & table[column].notna()) | (ids.notna() & (ids % 1 != 0))
        if bad.any():
            raise InputFileError(
                f"{path} has theme ids that are not whole numbers; give the folder written by "
                "`textmine themes`."
            )
        table[column] = ids.astype("Int64")
    return table


def write_run_csv(frame: pd.DataFrame, run_dir: str | Path, name: str) -> Path:
    """Write one CSV of a run folder (UTF-8, no index, formula-like cells neutralised)."""
    return write_csv(frame, Path(run_dir) / name)


def run_csv_files(run_dir: str | Path, prefix: str) -> list[Path]:
    """The ``<prefix><COL>.csv`` files of a run folder (crosstabs or specificities), by name."""
    return sorted(Path(run_dir).glob(f"{prefix}*.csv"))


# --- run.json -----------------------------------------------------------------------------

#: Version of the run.json layout written by this textmine.
SCHEMA_VERSION = 1
#: Version given to a run.json without ``schema_version`` (written before the field existed).
LEGACY_SCHEMA_VERSION = 1
#: Spellings of count keys in run.json files of earlier releases -> the key used now.
_LEGACY_COUNT_KEYS = {"non_answers": COUNT_NON_ANSWER}


def relative_path(path: str | Path | None, base: str | Path | None) -> str | None:
    """A path as run.json records it: relative to ``base`` (the run folder), POSIX separators.

    A run folder (or the project folder holding it) can be moved together with its data and
    shared without the absolute path of the data file, which can reveal a user name. Without
    ``base`` the path is kept as given; on another drive (Windows) it stays absolute.

    Parameters
    ----------
    path : str or Path or None
        The file (survey, codebook, model folder).
    base : str or Path or None
        The folder the path is made relative to (the run folder, or its sibling temp folder:
        same parent, same relative path).

    Returns
    -------
    str or None
        The recorded path (``None`` if ``path`` is ``None``).
    """
    if path is None:
        return None
    if base is None:
        return str(path)
    try:
        rel = os.path.relpath(Path(path).resolve(), Path(base).resolve())
    except ValueError:  # other drive
        return str(Path(path).resolve())
    return Path(rel).as_posix()


def resolve_recorded(path: str, run_dir: str | Path) -> Path:
    """The file a run.json path names: relative to the run folder (older runs: as written)."""
    recorded = Path(path)
    if recorded.is_absolute():
        return recorded
    beside = Path(run_dir) / recorded
    return beside if beside.exists() or not recorded.exists() else recorded


def run_survey_path(record: RunRecord, run_dir: str | Path) -> Path:
    """The survey file of a finished run, as its run.json names it (see :func:`resolve_recorded`).

    Raises
    ------
    InputFileError
        If run.json names no survey, or the file is no longer there (one line, what to do).
    """
    recorded = record.input.get("path")
    path = resolve_recorded(str(recorded), run_dir) if recorded else None
    if path is None or not path.is_file():
        raise InputFileError(
            f"Survey file {recorded} named in {Path(run_dir) / RUN_JSON} not found; put it back "
            "or give the survey file."
        )
    return path


def input_block(source: Any, *, text_col: str | None, label: str | None = None,
                base: str | Path | None = None, **extra: Any) -> dict[str, Any]:
    """The ``input`` block of run.json: which survey file, how it was read, which question.

    Parameters
    ----------
    source : textmine.survey.SourceInfo
        ``Survey.source`` (path, sha256, id_col, sheet, n_rows); duck-typed so that this module
        stays below the survey stage.
    text_col : str or None
        The open question (``None`` for commands without one, such as ``agree``).
    label : str or None
        The question's wording when the export carries it (reports use it as the title).
    base : str or Path, optional
        The run folder: ``path`` is then recorded relative to it (:func:`relative_path`), and
        ``name`` holds the file name alone (what shared outputs show, with ``sha256``).
    **extra
        Other inputs of the command (``a``, ``b`` for ``agree``).
    """
    return {
        **extra,
        "path": relative_path(source.path, base) if source is not None else None,
        "name": Path(source.path).name if source is not None else None,
        "sha256": getattr(source, "sha256", None),
        "id_col": getattr(source, "id_col", None),
        "sheet": getattr(source, "sheet", None),
        "text_col": text_col,
        "rows": getattr(source, "n_rows", None),
        # The platform layout read (survey/profiles.py): a guess is always said.
        "profile": getattr(source, "profile", None),
        "detected": getattr(source, "detected", None),
        **({"label": label} if label else {}),
    }


def versions_block(text_info: Mapping[str, Any] | None = None,
                   model: str | None = None) -> dict[str, str]:
    """The ``versions`` block of run.json; the spaCy model from a corpus ``info`` when given."""
    info = text_info or {}
    recorded = info.get("model", model)
    name = recorded.get("name") if isinstance(recorded, dict) else recorded
    version = (recorded.get("version") if isinstance(recorded, dict) else None) or info.get(
        "model_version"
    )
    return run_versions(name, version)


@dataclass
class RunRecord:
    """``run.json``: what a command did, on which input, with which settings and versions.

    Attributes
    ----------
    command : str
        ``themes``, ``apply``, ``parse``, ``code`` or ``agree``.
    settings : dict
        The options of the run (``read``, ``text``, ``themes``, ``tables``, ``by``...).
    versions : dict
        Package versions (:func:`versions_block`).
    input : dict
        The survey read (:func:`input_block`).
    counts : dict
        Counts of the run (keys such as :data:`COUNT_NON_ANSWER`).
    schema_version : int
        Version of this layout (:data:`SCHEMA_VERSION` when written by this textmine).
    themes : dict or None
        ``themes``/``apply``: how the themes were found (k, rule, edits...).
    text : dict or None
        ``themes``/``apply``/``code``: the text processing information of the corpus.
    tables : list of str or None
        ``themes``: the table files written with the run.
    codes : list of str or None
        ``code``: the codes learnt.
    coding : dict or None
        ``code``: ``expected`` (expected precision of automatic codes and share of answers
        coded automatically, with intervals, measured on held-out coded answers), ``review``
        (one entry per code that cannot be assigned automatically: ``code``, ``n_coded``,
        ``needed``, ``reason``, ``sent_to_review``, ``message``), ``raised`` (codes whose
        threshold was raised to hold the target on held-out answers: ``code``, ``threshold``,
        ``chosen_for``, ``message``), ``next`` (``--next``: ``file``, ``n``), ``model``
        (``--model``: the saved coder used, where it was fitted; ``expected`` is then the
        statement measured when it was fitted), ``saved_model`` (``--save-model``).
    notes : list of str or None
        Counted notes on the data (e.g. respondents of weight 0 left out of weighted figures).
    parse, collocations, cache : optional
        ``parse``: parser details, collocations found, cache state.
    extra : dict
        Keys this textmine does not know (kept so that reading and writing loses nothing).
    """

    command: str
    settings: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, Any] = field(default_factory=dict)
    input: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    themes: dict[str, Any] | None = None
    text: dict[str, Any] | None = None
    tables: list[str] | None = None
    codes: list[str] | None = None
    coding: dict[str, Any] | None = None
    notes: list[str] | None = None
    parse: dict[str, Any] | None = None
    collocations: list[Any] | None = None
    cache: Any = None
    #: What readers see instead of column names: ``title`` (report), ``question`` (the open
    #: question's wording), ``closed`` (closed question -> label); kept for ``report``/``edit``.
    labels: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of run.json (optional blocks left out when ``None``)."""
        out: dict[str, Any] = dict(self.extra)
        for f in fields(self):
            if f.name == "extra":
                continue
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any], *, where: str | Path = RUN_JSON) -> RunRecord:
        """Build a record from a run.json object, checking its schema version.

        Raises
        ------
        InputFileError
            If ``obj`` is not an object, or its ``schema_version`` is unknown to this textmine.
        """
        if not isinstance(obj, Mapping):
            raise InputFileError(f"{where} is not a JSON object; rerun the command that wrote it.")
        version = obj.get("schema_version", LEGACY_SCHEMA_VERSION)
        if version != SCHEMA_VERSION or isinstance(version, bool):
            raise InputFileError(
                f"{where} has schema version {version!r}; this textmine reads run.json version "
                f"{SCHEMA_VERSION}: rerun the command with this textmine or upgrade textmine."
            )
        known = {f.name for f in fields(cls)} - {"extra"}
        kwargs = {k: v for k, v in obj.items() if k in known}
        kwargs["schema_version"] = SCHEMA_VERSION
        kwargs.setdefault("command", "")
        for block in ("settings", "versions", "input", "counts"):
            if not isinstance(kwargs.get(block), dict):
                kwargs[block] = {}
        kwargs["counts"] = {_LEGACY_COUNT_KEYS.get(k, k): v for k, v in kwargs["counts"].items()}
        return cls(**kwargs, extra={k: v for k, v in obj.items() if k not in known})

    def write(self, run_dir: str | Path) -> Path:
        """Write ``run_dir/run.json`` (sorted keys, stable bytes); returns its path.

        ``settings.engine`` records where the command's heavy stages ran (``--jobs``,
        ``--scheduler``; :func:`textmine.engine.engine_record`) unless the command set it.
        """
        from textmine.engine import engine_record

        out = self.to_dict()
        out["settings"] = {"engine": engine_record(), **(out.get("settings") or {})}
        return write_json(out, Path(run_dir) / RUN_JSON)

    @classmethod
    def read(cls, run_dir: str | Path) -> RunRecord:
        """Read ``run_dir/run.json``.

        Raises
        ------
        InputFileError
            If the file is missing, is not JSON, or has an unknown schema version.
        """
        run_dir = Path(run_dir)
        path = run_dir / RUN_JSON
        if not path.is_file():
            raise InputFileError(
                f"run.json not found in {run_dir}; pass the folder of a finished themes run."
            )
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputFileError(f"Cannot read {path}: {exc}; rerun the themes command.") from exc
        return cls.from_dict(obj, where=path)

    @classmethod
    def read_optional(cls, run_dir: str | Path) -> RunRecord | None:
        """``run_dir/run.json`` if present, else ``None``; same checks as :meth:`read`."""
        return cls.read(run_dir) if (Path(run_dir) / RUN_JSON).is_file() else None


def _tuples(value: object) -> object:
    """JSON lists back to the tuples of the frozen option dataclasses (recursively)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def recorded_options(cls: type, stored: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The fields of options dataclass ``cls`` recorded in run.json or a model (JSON lists back
    to tuples), and the recorded keys ``cls`` does not know (the caller decides: ignore them,
    or refuse a model from another textmine).
    """
    known = {f.name for f in fields(cls)}
    kwargs = {k: _tuples(v) for k, v in stored.items() if k in known}
    return kwargs, [k for k in stored if k not in known]


#: The report options recorded in run.json (``settings.report_options``): the report's make-up,
#: used again when ``textmine report`` re-renders it (the question labels are read from the run).
REPORT_MAKEUP = ("lang", "wordclouds", "html", "xlsx", "svg", "max_cloud_terms",
                 "top_specific_terms", "sheet_specific_terms", "seed", "title", "question")


def report_makeup(options: ReportOptions) -> dict[str, Any]:
    """The part of ``options`` recorded in run.json as ``settings.report_options``."""
    return {name: getattr(options, name) for name in REPORT_MAKEUP}


def run_report_options(record: RunRecord | Mapping[str, Any]) -> ReportOptions | None:
    """The report options a run was written with (``settings.report_options``), or ``None``
    for a run that did not record them (written before they were recorded)."""
    settings = (record.settings if isinstance(record, RunRecord)
                else record.get("settings") or {})
    saved = settings.get("report_options") if isinstance(settings, dict) else None
    if not isinstance(saved, dict):
        return None
    kwargs, _ = recorded_options(ReportOptions, {k: v for k, v in saved.items()
                                                 if k in REPORT_MAKEUP})
    return ReportOptions(**kwargs)


def run_read_options(record: RunRecord | Mapping[str, Any]) -> ReadOptions:
    """ReadOptions of a run: ``settings.read`` when recorded (types, levels, weights...), else
    the ``input`` block's id column and sheet."""
    if isinstance(record, RunRecord):
        info, settings = record.input, record.settings
    else:
        info, settings = record.get("input") or {}, record.get("settings") or {}
    saved = settings.get("read")
    if isinstance(saved, dict):
        kwargs, _ = recorded_options(ReadOptions, saved)
        kwargs.setdefault("id_col", info.get("id_col"))
        kwargs.setdefault("sheet", info.get("sheet"))
        return ReadOptions(**kwargs)
    return ReadOptions(id_col=info.get("id_col"), sheet=info.get("sheet"))


def model_run_record(model_dir: str | Path) -> RunRecord | None:
    """The run record of the run a saved model comes from, or ``None`` when there is none.

    A model saved by a themes run lives in ``<run>/model/`` beside ``<run>/run.json``; a model
    folder copied elsewhere (such as the shipped ``models/``) has no record. A run folder given
    in place of its ``model/`` folder is accepted too.
    """
    model_dir = Path(model_dir)
    for folder in (model_dir, model_dir.parent):
        if (folder / RUN_JSON).is_file() and (folder / MODEL_DIR).resolve() in (
            model_dir.resolve(), (model_dir / MODEL_DIR).resolve()
        ):
            try:
                return RunRecord.read(folder)
            except InputFileError:
                # The model is what is applied; an unreadable record only loses the id column.
                return None
    return None


def recorded_id_col(record: RunRecord | None) -> str | None:
    """The id column a run read its survey with (``None``: rows were numbered)."""
    return run_read_options(record).id_col if record is not None else None


def read_run(run_dir: str | Path) -> RunRecord:
    """Read ``run.json`` of a finished run that must name its survey in ``input.path``.

    Raises
    ------
    InputFileError
        As :meth:`RunRecord.read`, or if the record names no survey file.
    """
    record = RunRecord.read(run_dir)
    if not record.input.get("path"):
        raise InputFileError(
            f"{Path(run_dir) / RUN_JSON} has no input.path; rerun the themes command to record "
            "the survey file."
        )
    return record


def question_folders_of(folder: str | Path) -> list[Path]:
    """The run folders directly inside a project output folder (those holding run.json)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and (p / RUN_JSON).is_file())


def check_run_folder(run_dir: str | Path, command: str) -> None:
    """Refuse, in one line, a project output folder given for a run, naming the runs inside.

    ``textmine run`` writes one run folder per open question inside its output folder; a
    command given that output folder says which question folders to choose from. Other folders
    are left to the command's own checks.

    Raises
    ------
    InputFileError
        If ``run_dir`` does not exist, or holds no run.json but run folders.
    """
    run_dir = Path(run_dir)
    if run_dir.is_file():
        # a survey given where its run folder goes (trial: "not found" for a file that exists)
        raise InputFileError(f"{run_dir} is a file, not a run folder; give the folder of a "
                             "finished run (the --out of textmine themes or run).")
    if not run_dir.is_dir():
        raise InputFileError(f"Run folder {run_dir} not found; give the folder of a finished run.")
    if (run_dir / RUN_JSON).is_file() or (run_dir / THEMES_CSV).is_file():
        return
    inside = question_folders_of(run_dir)
    if inside:
        choices = ", ".join(str(p) for p in inside)
        raise InputFileError(
            f"{run_dir} is a project output folder, not a run; give one of its question "
            f"folders to textmine {command}: {choices}."
        )
