"""Project files (``textmine.toml``): one file naming the survey, its questions and the options.

A project file looks like this (every section but ``[survey]`` is optional; ``textmine init``
writes a commented starter file)::

    [survey]
    path = "demo_survey.csv"   # relative to the project file
    id_col = "id"              # optional; also: weights, sheet, encoding, sep, na_values, profile

    [output]
    dir = "out/demo"           # relative to the project file

    [text]                     # any TextOptions field
    [themes]                   # any ThemeOptions field: defaults for every open question
    [[open]]                   # column, label, codebook + per-question ThemeOptions fields
    [[closed]]                 # column, type (single|multiple|ordinal|numeric), label, levels
    [tables]                   # any TableOptions field, plus by and effects
    [report]                   # any ReportOptions field
    [coding]                   # any CodingOptions field
    [engine]                   # jobs = 4, scheduler = "tcp://host:8786" or "local:2"
    [reinert]                  # any ReinertOptions field: `textmine run` adds a Reinert
                               # classification of each open question in <question>/reinert/

Paths are relative to the folder of the project file. A relative input path (survey,
codebook) may not leave the project folder by more than one ``..``: it must stay inside the
project folder or its parent folder (``../data.csv`` is fine, ``../../x`` is refused); absolute
input paths (and ``~/...``) are taken as written. The output folder (``[output] dir``) must be
a folder *inside* the project folder (no absolute path, ``~``, or ``..`` out of it), so that a
project file received from someone else can never make ``run --force`` write or replace a
folder elsewhere on the machine (``../Documents``); ``--out`` on the command line always wins
over ``[output] dir`` and lifts that rule. The check is on the written path (``..`` parts), not
through symbolic links. Unknown sections and keys are errors
that name the allowed ones, so a typo never silently falls back to a default. The open and
closed questions declared here override the detected types when the survey is read
(:attr:`Project.read`).
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textmine.config import (
    AnalysisOptions,
    CodingOptions,
    EngineOptions,
    OpenQuestion,
    ReadOptions,
    ReinertOptions,
    ReportOptions,
    TableOptions,
    TextOptions,
    ThemeOptions,
)
from textmine.errors import InputFileError, OptionError

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10 needs the tomli backport
    import tomli as tomllib  # type: ignore[no-redef]

__all__ = ["CLOSED_TYPES", "ClosedSpec", "Project", "load_project"]

#: Types a ``[[closed]]`` question may have.
CLOSED_TYPES = ("single", "multiple", "ordinal", "numeric")
_SECTIONS = ("survey", "output", "text", "themes", "open", "closed", "tables", "report", "coding",
             "analysis",  # issue 17: [analysis] ca = true, similarity = true, ...
             "reinert", "engine")  # issue 19: [engine] jobs, scheduler
_SURVEY_KEYS = ("path", "id_col", "weights", "sheet", "encoding", "sep", "na_values", "profile")
_OUTPUT_KEYS = ("dir",)
_OPEN_KEYS = ("column", "label", "codebook")
_CLOSED_KEYS = ("column", "type", "label", "levels", "option_sep", "options")
_TABLE_EXTRA_KEYS = ("by", "effects")
_DEFAULT_OUTPUT = "out"


@dataclass(frozen=True)
class ClosedSpec:
    """A closed question declared in the project file.

    Attributes
    ----------
    column : str
        Column name (for multi-column multiple choice: the shared prefix, e.g. ``Q5``).
    type : str
        ``single``, ``multiple``, ``ordinal`` or ``numeric``.
    label : str
        Human label used in tables and reports.
    levels : tuple of str
        Level order (ordinal) or category order (single).
    option_sep : str
        Option separator of a one-column multiple choice (``""``: the default ``;``, or the
        one a platform profile found).
    options : tuple of (str, str)
        Labels of the options of a multi-column multiple choice (option column, label), as in
        ``options = {outils_1 = "Visio", outils_2 = "Réseaux sociaux"}``: shown instead of the
        column names in every table, figure, sheet and report.
    """

    column: str
    type: str
    label: str = ""
    levels: tuple[str, ...] = ()
    option_sep: str = ""
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Project:
    """A loaded project file; every path is absolute.

    ``read`` already carries the id/weight columns and the declared question types and levels,
    so ``read_survey(project.survey_path, options=project.read)`` reads the survey as declared.
    """

    path: Path
    survey_path: Path
    read: ReadOptions
    open: tuple[OpenQuestion, ...]
    closed: tuple[ClosedSpec, ...]
    text: TextOptions
    themes: ThemeOptions
    tables: TableOptions
    by: tuple[str, ...]
    effects: tuple[str, ...]
    report: ReportOptions
    output_dir: Path
    coding: CodingOptions = field(default_factory=CodingOptions)
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)  # issue 17
    #: ``[reinert]``: Reinert classification of every open question (None: not asked).
    reinert: ReinertOptions | None = None
    #: ``[engine]``: where the heavy stages run (issue 19; ``--jobs``/``--scheduler`` win).
    engine: EngineOptions = field(default_factory=EngineOptions)


def load_project(path: str | Path, *, out_given: bool = False) -> Project:
    """Read and check a ``textmine.toml`` project file.

    Parameters
    ----------
    path : path
        The project file.
    out_given : bool
        The user gave the output folder on the command line (``--out``): the project's
        ``[output] dir`` is then not used, and not checked.

    Raises
    ------
    InputFileError
        Missing file or invalid TOML.
    OptionError
        Unknown section or key (the message lists the allowed ones), missing or ill-typed value,
        a column declared twice; an ``[output] dir`` outside the project folder (absolute,
        ``~/...`` or with ``..``) unless ``out_given``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(
            f"Project file '{path}' not found; create one with `textmine init SURVEY`."
        )
    try:
        # utf-8-sig: Windows Notepad saves UTF-8 with a byte-order mark, which TOML refuses.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"Project file {path.name} is not UTF-8 (byte 0x{exc.object[exc.start]:02x} at "
            f"position {exc.start}); re-save it as UTF-8."
        ) from None
    try:
        spec = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = " ".join(str(exc).split()).rstrip(".")
        raise InputFileError(
            f"Cannot read project file {path.name}: {reason}; fix the TOML syntax."
        ) from None
    return _Loader(path, spec, out_given=out_given).project()


class _Loader:
    """Turns the parsed TOML of one project file into a :class:`Project`."""

    def __init__(self, path: Path, spec: dict[str, Any], *, out_given: bool = False) -> None:
        self.out_given = out_given
        self.path = path.resolve()
        self.base = self.path.parent
        self.name = path.name
        self.spec = spec

    def section(self, key: str) -> dict[str, Any]:
        value = self.spec.get(key, {})
        if not isinstance(value, dict):
            raise OptionError(f"[{key}] in {self.name} must be a table, e.g. [{key}] on its line.")
        return value

    def project(self) -> Project:
        _check_keys(self.spec, _SECTIONS, "section", f"{self.name}", bracket=True)
        survey = self.section("survey")
        _check_keys(survey, _SURVEY_KEYS, "key", f"[survey] of {self.name}")
        if "path" not in survey:
            raise OptionError(
                f"[survey] of {self.name} needs path = \"...\" (the survey file, relative to "
                "the project file)."
            )
        output = self.section("output")
        _check_keys(output, _OUTPUT_KEYS, "key", f"[output] of {self.name}")
        themes = build_options(ThemeOptions, self.section("themes"), f"[themes] of {self.name}")
        opens = tuple(self.open_question(q, i, themes) for i, q in enumerate(self.array("open")))
        closed = tuple(self.closed_question(q, i) for i, q in enumerate(self.array("closed")))
        self.check_unique([q.column for q in opens] + [c.column for c in closed])
        tables_spec = dict(self.section("tables"))
        extra = {k: tables_spec.pop(k) for k in _TABLE_EXTRA_KEYS if k in tables_spec}
        where = f"[tables] of {self.name}"
        tables = build_options(TableOptions, tables_spec, where, extra_keys=_TABLE_EXTRA_KEYS)
        by = _str_tuple(extra.get("by", [c.column for c in closed]), "by", where)
        effects = _str_tuple(extra.get("effects", []), "effects", where)
        read = ReadOptions(
            id_col=_opt_str(survey, "id_col", self.name),
            sheet=_opt_str(survey, "sheet", self.name, allow_int=True),
            encoding=_opt_str(survey, "encoding", self.name),
            sep=_opt_str(survey, "sep", self.name),
            weights=_opt_str(survey, "weights", self.name),
            types=tuple((q.column, "open") for q in opens)
            + tuple((c.column, c.type) for c in closed),
            levels=tuple((c.column, c.levels) for c in closed if c.levels),
            na_values=_str_tuple(survey.get("na_values", []), "na_values",
                                 f"[survey] of {self.name}"),
            profile=_opt_str(survey, "profile", self.name) or "auto",
            option_seps=tuple((c.column, c.option_sep) for c in closed if c.option_sep),
        )
        return Project(
            path=self.path,
            survey_path=self.resolve(survey["path"], "path", "[survey]"),
            read=read,
            open=opens,
            closed=closed,
            text=self.text_options(),
            themes=themes,
            tables=tables,
            by=by,
            effects=effects,
            report=build_options(ReportOptions, self.section("report"),
                                 f"[report] of {self.name}"),
            output_dir=self.output_dir(output.get("dir", _DEFAULT_OUTPUT)),
            coding=build_options(CodingOptions, self.section("coding"),
                                 f"[coding] of {self.name}"),
            analysis=build_options(AnalysisOptions, self.section("analysis"),
                                   f"[analysis] of {self.name}"),  # issue 17
            reinert=build_options(ReinertOptions, self.section("reinert"),
                                  f"[reinert] of {self.name}") if "reinert" in self.spec else None,
            engine=build_options(EngineOptions, self.section("engine"),
                                 f"[engine] of {self.name}"),  # issue 19
        )

    # -- editable dictionary (issue 16, section 3) ------------------------------------------
    def text_options(self) -> TextOptions:
        """``[text]``, with ``dictionary`` resolved relative to the project file."""
        text = build_options(TextOptions, self.section("text"), f"[text] of {self.name}")
        if text.dictionary is not None:
            path = self.resolve(text.dictionary, "dictionary", "[text]")
            text = dataclasses.replace(text, dictionary=str(path))
        return text
    # -- end editable dictionary ------------------------------------------------------------

    def array(self, key: str) -> list[dict[str, Any]]:
        value = self.spec.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise OptionError(
                f"[[{key}]] in {self.name} must be a list of tables, each starting with "
                f"[[{key}]] on its own line."
            )
        return value

    def resolve(self, value: Any, key: str, section: str) -> Path:
        if not isinstance(value, str) or not value.strip():
            raise OptionError(f"Key '{key}' in {section} of {self.name} must be a path (text).")
        written = Path(value).expanduser()
        if not written.is_absolute():
            # Lexical check: ``..`` parts are what a shared project file could abuse.
            target = Path(os.path.normpath(self.base / written))
            if not target.is_relative_to(self.base.parent):
                raise OptionError(
                    f"{section} {key} '{value}' in {self.name} leaves the project folder; use a "
                    "path inside it or its parent folder, or an absolute path."
                )
        return (self.base / written).resolve()

    def output_dir(self, value: Any) -> Path:
        """``[output] dir``: inside the project folder, since ``run --force`` may replace it."""
        resolved = self.resolve(value, "dir", "[output]")
        if self.out_given:
            return resolved
        written = Path(value).expanduser()
        target = Path(os.path.normpath(self.base / written))
        if written.is_absolute() or target == self.base or not target.is_relative_to(self.base):
            raise OptionError(
                f"[output] dir '{value}' in {self.name} is not a folder inside the project "
                "folder; a project file may only write below its own folder: use a relative "
                "path such as \"out\", or give the output folder with --out."
            )
        return resolved

    def open_question(self, spec: dict, i: int, themes: ThemeOptions) -> OpenQuestion:
        where = f"[[open]] number {i + 1} of {self.name}"
        theme_keys = tuple(f.name for f in dataclasses.fields(ThemeOptions))
        _check_keys(spec, _OPEN_KEYS + theme_keys, "key", where)
        column = _required_str(spec, "column", where)
        overrides = {k: v for k, v in spec.items() if k in theme_keys}
        codebook = spec.get("codebook")
        if codebook is not None:
            codebook = str(self.resolve(codebook, "codebook", "[[open]]"))
        return OpenQuestion(
            column=column,
            label=_opt_text(spec, "label", where),
            codebook=codebook,
            themes=build_options(ThemeOptions, overrides, where, base=themes),
        )

    def closed_question(self, spec: dict, i: int) -> ClosedSpec:
        where = f"[[closed]] number {i + 1} of {self.name}"
        _check_keys(spec, _CLOSED_KEYS, "key", where)
        column = _required_str(spec, "column", where)
        kind = _required_str(spec, "type", where)
        if kind not in CLOSED_TYPES:
            raise OptionError(
                f"Unknown type '{kind}' for column '{column}' in {self.name}; use one of: "
                f"{', '.join(CLOSED_TYPES)}."
            )
        levels = _str_tuple(spec.get("levels", []), "levels", where, allow_numbers=True)
        if levels and kind not in ("single", "ordinal"):
            raise OptionError(
                f"Column '{column}' in {self.name} has levels but type '{kind}'; levels only "
                "apply to single and ordinal questions."
            )
        option_sep = _opt_text(spec, "option_sep", where)
        if option_sep and kind != "multiple":
            raise OptionError(
                f"Column '{column}' in {self.name} has option_sep but type '{kind}'; option_sep "
                "only applies to multiple questions."
            )
        options = spec.get("options", {})
        if not isinstance(options, dict) or not all(
                isinstance(v, str) and v.strip() for v in options.values()):
            raise OptionError(
                f"options of column '{column}' in {self.name} must be a table of option column "
                "= label, e.g. options = {outils_1 = \"Visio\", outils_2 = \"Réseaux sociaux\"}."
            )
        if options and kind != "multiple":
            raise OptionError(
                f"Column '{column}' in {self.name} has options but type '{kind}'; options only "
                "apply to multiple questions."
            )
        return ClosedSpec(column=column, type=kind, label=_opt_text(spec, "label", where),
                          levels=levels, option_sep=option_sep,
                          options=tuple((str(k), v.strip()) for k, v in options.items()))

    def check_unique(self, columns: list[str]) -> None:
        seen = set()
        for col in columns:
            if col in seen:
                raise OptionError(
                    f"Column '{col}' is declared more than once in [[open]]/[[closed]] of "
                    f"{self.name}; keep one declaration."
                )
            seen.add(col)


def _check_keys(table: dict, allowed, what: str, where: str, *, bracket: bool = False) -> None:
    for key in table:
        if key not in allowed:
            shown = f"[{key}]" if bracket else f"'{key}'"
            raise OptionError(
                f"Unknown {what} {shown} in {where}; allowed: {', '.join(allowed)}."
            )


def _required_str(spec: dict, key: str, where: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value:
        raise OptionError(f"{where} needs {key} = \"...\" (text).")
    return value


def _opt_text(spec: dict, key: str, where: str) -> str:
    value = spec.get(key, "")
    if not isinstance(value, str):
        raise OptionError(f"Key '{key}' in {where} must be text, not {value!r}.")
    return value


def _opt_str(spec: dict, key: str, name: str, *, allow_int: bool = False) -> str | None:
    value = spec.get(key)
    if value is None:
        return None
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise OptionError(f"Key '{key}' in [survey] of {name} must be text, not {value!r}.")
    return value


def _str_tuple(value: Any, key: str, where: str, *, allow_numbers: bool = False) -> tuple:
    ok_types = (str, int, float) if allow_numbers else (str,)
    if not isinstance(value, list) or not all(
        isinstance(v, ok_types) and not isinstance(v, bool) for v in value
    ):
        raise OptionError(f"Key '{key}' in {where} must be a list of texts, not {value!r}.")
    return tuple(str(v) for v in value)


def _convert(value: Any, annotation: str, key: str, where: str) -> Any:
    """Check and convert one TOML value to the type of an options field (by its annotation)."""

    def bad(expected: str) -> OptionError:
        return OptionError(f"Key '{key}' in {where} must be {expected}, not {value!r}.")

    is_int = isinstance(value, int) and not isinstance(value, bool)
    if annotation.endswith(" | None") and annotation != "str | None":
        # TOML has no null: a value given is of the main type.
        return _convert(value, annotation[: -len(" | None")], key, where)
    if annotation == "bool":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if annotation == "int":
        if not is_int:
            raise bad("an integer")
        return value
    if annotation == "float":
        if not (is_int or isinstance(value, float)):
            raise bad("a number")
        return float(value)
    if annotation in ("str", "str | None"):
        if not isinstance(value, str):
            raise bad("text")
        return value
    if annotation == "int | str":
        if not (is_int or isinstance(value, str)):
            raise bad("an integer or text")
        return value
    if annotation == "tuple[int, int]":  # [reinert] double = [5, 7], [analysis] axes = [1, 2]
        if not isinstance(value, list) or len(value) != 2 or not all(
            isinstance(x, int) and not isinstance(x, bool) for x in value
        ):
            raise bad("a list of two integers")
        return tuple(value)
    if annotation.startswith("tuple[tuple["):
        if isinstance(value, dict) and annotation == "tuple[tuple[str, str], ...]":
            value = [[k, v] for k, v in value.items()]
        if not isinstance(value, list) or not all(
            isinstance(item, list) and all(isinstance(x, str) for x in item) for item in value
        ):
            raise bad("a list of lists of texts")
        if annotation == "tuple[tuple[str, str], ...]" and any(len(i) != 2 for i in value):
            raise bad("a list of [text, text] pairs")
        return tuple(tuple(item) for item in value)
    if annotation.startswith("tuple["):
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise bad("a list of texts")
        return tuple(value)
    return value


def build_options(cls, spec: dict, where: str, *, base=None, extra_keys: tuple = ()):
    """Build the options dataclass ``cls`` from a TOML table, checking keys and value types.

    ``base`` (an instance of ``cls``) supplies the values not given; unknown keys are an
    :class:`~textmine.errors.OptionError` listing the allowed ones.
    """
    fields = {f.name: f for f in dataclasses.fields(cls)}
    _check_keys(spec, tuple(fields) + extra_keys, "key", where)
    values = {k: _convert(v, str(fields[k].type), k, where) for k, v in spec.items()}
    if base is not None:
        return dataclasses.replace(base, **values)
    return cls(**values)


# --- writing a starter project file ---------------------------------------------------------

def _toml(value: Any) -> str:
    """Render ``value`` (str, bool, number, tuple/list) as a TOML value."""
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON strings are TOML basic strings
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if value is None:
        return '""'
    raise TypeError(f"cannot render {type(value).__name__} in TOML")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def option_docs(cls) -> dict[str, str]:
    """First sentence of each field's entry in the ``Attributes`` section of ``cls``'s docstring.

    The option dataclasses document their fields there (numpydoc); ``textmine init`` shows that
    sentence beside each option, so the explanation lives in one place. An entry naming several
    fields (``min_df, max_df : int``) explains each of them.
    """
    doc = inspect.getdoc(cls) or ""
    match = re.search(r"^Attributes\n-+\n(.*?)(?:\n\S[^\n]*\n-+\n|\Z)", doc, re.S | re.M)
    if not match:
        return {}
    docs: dict[str, str] = {}
    names: list[str] = []
    text: list[str] = []

    def flush() -> None:
        sentence = " ".join(" ".join(text).split())
        sentence = re.sub(r"``([^`]*)``", r"\1", sentence)
        sentence = re.sub(r":\w+:`~?([^`]*)`", r"\1", sentence)
        first = re.split(r"(?<=[a-z0-9)\]])\. ", sentence, maxsplit=1)[0].rstrip(".")
        for name in names:
            docs.setdefault(name, first)

    for line in match.group(1).splitlines():
        if line and not line.startswith(" "):
            if names:
                flush()
            names = [n.strip() for n in line.split(":")[0].split(",") if n.strip()]
            text = []
        elif line.strip():
            text.append(line.strip())
    if names:
        flush()
    return docs


def _defaults_as_comments(cls, *, skip: tuple[str, ...] = ()) -> list[str]:
    """One commented line per option: ``# name = default   # what it does``."""
    lines = []
    docs = option_docs(cls)
    for f in dataclasses.fields(cls):
        if f.name in skip:
            continue
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        if default is None or dataclasses.is_dataclass(default):
            continue
        # Pairs (``[tables] reference``, ``[report] question_labels``) read best as a TOML
        # table, the form the docs give ({COL = "LEVEL"}); an empty list would hide it.
        pairs = str(f.type) == "tuple[tuple[str, str], ...]" and not default
        line = f"# {f.name} = {'{}' if pairs else _toml(default)}"
        if docs.get(f.name):
            line += f"   # {_one_line(docs[f.name])}"
        lines.append(line)
    return lines


def _relative(target: Path, start: Path) -> str:
    """``target`` relative to ``start`` when close by (at most one ``..``), else absolute."""
    try:
        rel = Path(os.path.relpath(target, start))
    except ValueError:  # another drive on Windows
        return target.as_posix()
    return rel.as_posix() if rel.parts[:2] != ("..", "..") else target.as_posix()


def starter_text(survey, options: ReadOptions, out: Path) -> str:
    from textmine.outputs import safe_filename
    from textmine.survey.columns import is_id_name
    from textmine.survey.scales import scale_order

    src = survey.source
    questions = list(survey.questions.values())
    opens = [q for q in questions if q.kind == "open"]
    closed = [q for q in questions if q.kind in CLOSED_TYPES]
    weights = options.weights or next((q.name for q in questions if q.kind == "weight"), None)
    named_id = next((q.name for q in questions if q.kind == "id" and is_id_name(q.name)), None)
    chosen_id = options.id_col or named_id
    id_like = [q.name for q in questions if q.kind == "id" and q.name != chosen_id]
    others = [q for q in questions if q.kind in ("id", "ignore") and q.name != chosen_id]
    base = out.resolve().parent
    lines = [
        f"# textmine project file for {src.path.name}, written by `textmine init`.",
        "# Check the question types, labels and level orders below, then run the analysis.",
        "# Paths are relative to this file. Lines starting with # are comments.",
        "",
        "[survey]",
        f"path = {_toml(_relative(src.path, base))}",
    ]
    if options.id_col:
        lines.append(f"id_col = {_toml(options.id_col)}   # respondent ids")
    elif named_id:
        lines.append(f"id_col = {_toml(named_id)}   # detected: unique values, named like an id")
    else:
        hint = f"; id-like columns: {', '.join(id_like)}" if id_like else ""
        lines.append(f"# id_col = \"...\"   # column of respondent ids; without it rows are "
                     f"numbered 1..n{_one_line(hint)}")
    if weights:
        lines.append(f"weights = {_toml(weights)}   # survey weights; remove if it is not one")
    else:
        lines.append("# weights = \"...\"   # column of survey weights")
    if src.sheet is not None:
        lines.append(f"sheet = {_toml(src.sheet)}")
    if src.encoding is not None:
        prefix = "" if options.encoding else "# "
        lines.append(f"{prefix}encoding = {_toml(src.encoding)}   # detected; set to force it")
    if src.format in ("csv", "tsv", "txt"):
        sep = src.sep if src.sep is not None else ","
        prefix = "" if options.sep else "# "
        lines.append(f"{prefix}sep = {_toml(sep)}   # detected; set to force it")
    lines.append('# na_values = ["-99"]   # extra cell values meaning "no answer"')
    prefix = "" if options.profile != "auto" else "# "
    shown = options.profile if options.profile != "auto" or src.profile == "none" else src.profile
    lines.append(f"{prefix}profile = {_toml(shown)}   # platform layout"
                 + (f": {_one_line(src.detected)}" if src.detected else "; auto detects it"))
    lines += [
        "",
        "[output]",
        "# Results are written into this folder (relative to this file).",
        f"dir = {_toml('out/' + safe_filename(src.path.stem))}",
        "",
        "[text]",
        "# French text processing; defaults shown.",
        *_defaults_as_comments(TextOptions),
        "",
        "[themes]",
        "# Theme discovery defaults for every open question (an [[open]] entry may override).",
        *_defaults_as_comments(ThemeOptions),
        "",
        "# Open questions: one [[open]] per free-text column to analyse.",
        "# label: the question as asked; codebook: optional YAML file of named themes.",
    ]
    for q in opens:
        lines += [
            "[[open]]",
            f"column = {_toml(q.name)}",
            f"label = {_toml(_one_line(q.label or q.name))}",
            "# codebook = \"codebook.yaml\"   # optional: named themes with seed words "
            "(YAML, .qdc, CSV)",
            "# k = 6   # number of themes for this question (default: [themes] k)",
            "",
        ]
    if not opens:
        lines += ["# No open question was detected; declare one with [[open]] column = \"...\".",
                  ""]
    lines += [
        "# Closed questions, crossed with the themes. type: single, multiple, ordinal or "
        "numeric.",
        "# levels: the order of the answers (ordinal) or of the categories (single).",
    ]
    for q in closed:
        lines += [
            "[[closed]]",
            f"column = {_toml(q.name)}",
            f"type = {_toml(q.kind)}",
            f"label = {_toml(_one_line(q.label or q.name))}",
        ]
        order = scale_order(q.levels) if q.kind in ("single", "ordinal") else None
        if q.kind == "ordinal":
            lines.append(f"levels = {_toml(q.levels)}")
        elif q.kind == "single" and order is not None:
            # Ordered by the data's own codes or a recognised scale: asked only where plausible.
            lines.append(f"# ordered answers ({order[1]} recognised)? set type = \"ordinal\"; "
                         "these levels are in that order, check them:")
            lines.append(f"# levels = {_toml(order[0])}")
        elif q.kind == "single" and len(q.levels) > 12:
            lines.append(f"# {len(q.levels)} different answers: consider grouping them before "
                         "crossing")
        elif q.kind == "multiple" and q.option_sep != ";":
            lines.append(f"option_sep = {_toml(q.option_sep)}")
        elif q.kind == "multiple" and len(q.columns) > 1:
            lines.append(f"# one 0/1 column per option: {_one_line(', '.join(q.columns))}")
        lines.append("")
    lines += [
        "[tables]",
        "# Closed questions crossed with the themes (default: every [[closed]] column) and",
        "# those entering the regression of each theme (default: none).",
        f"# by = {_toml([q.name for q in closed])}",
        "# effects = []",
        *_defaults_as_comments(TableOptions),
        "",
        "[report]",
        *_defaults_as_comments(ReportOptions),
    ]
    if others:
        lines += ["", "# Columns not analysed (identifiers, dates, links, empty columns):"]
        lines += [f"#   {_one_line(q.name)} ({q.kind})" for q in others]
    return "\n".join(lines) + "\n"
