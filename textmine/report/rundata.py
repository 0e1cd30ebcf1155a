"""Read a finished run folder (the CSV/JSON files written by ``textmine themes``) for the report.

The report only reads files, never the model: a report can be rewritten from a run folder received
from a colleague without re-running anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from textmine.config import TableOptions
from textmine.errors import InputFileError
from textmine.outputs import FORMULA_PREFIXES, safe_filename
from textmine.report.i18n import number, strings
from textmine.report.reinert import load_reinert, theme_frames
from textmine.runfolder import (
    ANSWER_STATUSES,
    ANSWERS_CSV,
    COUNT_THEMED,
    COUNT_UNASSIGNED,
    CROSSTAB_PREFIX,
    EFFECTS_CSV,
    K_SELECTION_CSV,
    SPECIFICITIES_PREFIX,
    TERM_WEIGHTS_CSV,
    THEMES_CSV,
    RunRecord,
    count_key,
    read_run_csv,
    run_csv_files,
    table_stem,
)

#: Status values of answers.csv, in the order they are reported.
STATUSES = ANSWER_STATUSES


@dataclass
class RunData:
    """The tables of one finished themes run.

    Attributes
    ----------
    folder : Path
        The run folder.
    themes : DataFrame
        ``themes.csv`` (``theme_id`` as int).
    answers : DataFrame
        ``answers.csv`` (``respondent_id`` as str, ``theme_id`` nullable int).
    run : dict
        ``run.json`` as read by :class:`textmine.runfolder.RunRecord` (empty if absent).
    term_weights, k_selection, effects : DataFrame or None
        ``term_weights.csv``, ``k_selection.csv``, ``effects.csv`` when present.
    title : str
        The question as the researcher worded it (shown at the top of the report; optional).
    question_labels : dict of str to str
        Labels of the closed questions (column -> label; optional).
    crosstabs, specificities : dict of str to DataFrame
        ``crosstab_<COL>.csv`` and ``specificities_<COL>.csv`` keyed by ``<COL>``.
    """

    folder: Path
    themes: pd.DataFrame
    answers: pd.DataFrame
    run: dict[str, Any] = field(default_factory=dict)
    term_weights: pd.DataFrame | None = None
    k_selection: pd.DataFrame | None = None
    effects: pd.DataFrame | None = None
    crosstabs: dict[str, pd.DataFrame] = field(default_factory=dict)
    specificities: dict[str, pd.DataFrame] = field(default_factory=dict)
    title: str = ""
    question_labels: dict[str, str] = field(default_factory=dict)
    #: The Reinert tables when the folder holds classes.csv (textmine.report.reinert).
    reinert: Any = None

    @property
    def quote_columns(self) -> list[str]:
        """Names of the ``quote_<i>`` columns of ``themes``, in order."""
        cols = [c for c in self.themes.columns if re.fullmatch(r"quote_\d+", str(c))]
        return sorted(cols, key=lambda c: int(c.split("_")[1]))

    def counts(self) -> dict[str, int]:
        """Number of respondents and of answers in each status (count keys of runfolder)."""
        status = self.answers["status"].astype(str)
        out = {"respondents": len(self.answers)}
        for name in STATUSES:
            out[count_key(name)] = int((status == name).sum())
        out["answers_ok"] = out[COUNT_THEMED] + out[COUNT_UNASSIGNED]
        return out

    def question(self) -> str:
        """The open question: ``title`` if set, else its label or column name from run.json."""
        if self.title:
            return self.title
        for keys in (("question", "label"), ("input", "label"), ("settings", "label"),
                     ("input", "text_col"), ("settings", "text_col")):
            value = _dig(self.run, keys)
            if value:
                return str(value)
        return self.folder.name

    def alpha(self) -> float:
        """Significance level of the tables, as recorded in run.json (default otherwise)."""
        for keys in (("settings", "tables", "alpha"), ("tables", "alpha"), ("settings", "alpha")):
            value = _dig(self.run, keys)
            if isinstance(value, (int, float)) and 0 < value < 1:
                return float(value)
        return TableOptions().alpha

    def k_choice(self, lang: str = "fr") -> tuple[int, str]:
        """The number of themes and why, in words of ``lang``, from run.json's ``themes`` block."""
        info = self.run.get("themes") if isinstance(self.run.get("themes"), dict) else {}
        k = int(info.get("n_themes_final") or len(self.themes))
        return k, k_explanation(info, self.k_selection, lang)

    def chosen_k(self) -> int | None:
        """The k picked by the selection sweep (``chosen`` column of k_selection.csv)."""
        table = self.k_selection
        if table is None or "k" not in table:
            return None
        if "chosen" in table:
            chosen = table.loc[table["chosen"].astype(str).str.lower() == "true", "k"]
            if len(chosen):
                return int(chosen.iloc[0])
        info = self.run.get("themes") if isinstance(self.run.get("themes"), dict) else {}
        return int(info["k"]) if isinstance(info.get("k"), (int, float)) else None


def k_explanation(info: dict[str, Any], k_table: pd.DataFrame | None, lang: str) -> str:
    """Say how the number of themes was chosen, from the ``themes`` block of run.json."""
    words = strings(lang)
    k = info.get("k")
    by = info.get("k_chosen_by")
    final = info.get("n_themes_final")
    parts = []
    if by == "codebook":
        n_seeded = len(info.get("seeded_themes") or [])
        parts.append(words["k_codebook"].format(n=n_seeded))
        if not info.get("k_rule") and isinstance(k, int) and k > n_seeded:
            parts.append(words["k_extra"].format(n=k - n_seeded))
    if info.get("k_rule"):
        tried = ""
        if k_table is not None and "k" in k_table and len(k_table):
            tried = words["k_tried"].format(lo=int(k_table["k"].min()), hi=int(k_table["k"].max()))
        rule = translate_rule(str(info["k_rule"]), lang)
        parts.append(words["k_auto"].format(k=k, tried=tried, rule=rule))
    elif by == "fixed" and k is not None:
        parts.append(words["k_fixed"].format(k=k))
    if final is not None and k is not None and final != k:
        parts.append(words["k_final"].format(n=final))
    return " ".join(parts)


#: k rules recorded by :mod:`textmine.themes.selection`, as patterns -> i18n key of the wording.
K_RULES = (
    (re.compile(r"among k with seed stability >= (?P<s>[\d.]+) \(all k if none\), the k with "
                r"the highest NPMI coherence; ties \(3 decimals\) to higher exclusivity, then "
                r"smaller k"), "k_rule_stability"),
    (re.compile(r"k maximising the mean of min-max scaled NPMI coherence, exclusivity and seed "
                r"stability over the k tried; smallest k on ties"), "k_rule_mean"),
)


def translate_rule(rule: str, lang: str) -> str:
    """Word a recorded k rule in ``lang``; a rule this version does not know is kept as is."""
    words = strings(lang)
    for pattern, key in K_RULES:
        match = pattern.fullmatch(rule.strip())
        if match:
            return words[key].format(**{k: number(float(v), lang, digits=len(v.split(".")[-1])
                                                   if "." in v else 0)
                                        for k, v in match.groupdict().items()})
    return rule


def _dig(obj: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def display_text(value: Any) -> str:
    """Return a CSV text cell as the respondent wrote it, for display (never for spreadsheets).

    ``write_csv`` prefixed formula-like answers with an apostrophe; the HTML report shows the
    answer itself (escaped), so the apostrophe is taken off again.
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def load_run(folder: str | Path) -> RunData:
    """Read the tables of a finished run folder.

    Parameters
    ----------
    folder : path
        Folder written by ``textmine themes`` (must hold ``themes.csv`` and ``answers.csv``).

    Raises
    ------
    InputFileError
        If the folder or one of its two required tables is missing or unreadable.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(
            f"Run folder {folder} does not exist; give the folder of a finished run."
        )
    reinert = load_reinert(folder)
    if reinert is not None and not (folder / THEMES_CSV).is_file():
        # A `textmine reinert` run: its classes are shown as the themes.
        themes, answers = theme_frames(folder)
    else:
        themes = read_run_csv(folder, THEMES_CSV, columns=("theme_id", "label"))
        answers = read_run_csv(folder, ANSWERS_CSV, columns=("respondent_id", "theme_id"))
    if themes["theme_id"].isna().any():
        raise InputFileError(
            f"{folder / THEMES_CSV} has theme ids that are not whole numbers; give the folder "
            "written by `textmine themes`."
        )
    themes["theme_id"] = themes["theme_id"].astype(int)
    record = RunRecord.read_optional(folder)
    run: dict[str, Any] = record.to_dict() if record is not None else {}
    data = RunData(
        folder=folder,
        themes=themes,
        answers=answers,
        run=run,
        term_weights=read_run_csv(folder, TERM_WEIGHTS_CSV, required=False),
        k_selection=read_run_csv(folder, K_SELECTION_CSV, required=False),
        effects=read_run_csv(folder, EFFECTS_CSV, required=False),
        reinert=reinert,
    )
    order = _by_order(run)
    for path in sorted(run_csv_files(folder, CROSSTAB_PREFIX), key=order):
        data.crosstabs[table_stem(path, CROSSTAB_PREFIX)] = read_run_csv(folder, path.name)
    for path in sorted(run_csv_files(folder, SPECIFICITIES_PREFIX), key=order):
        data.specificities[table_stem(path, SPECIFICITIES_PREFIX)] = read_run_csv(
            folder, path.name
        )
    return data


def _by_order(run: dict[str, Any]):
    """Sort key of table files: the order of ``settings.by`` in run.json, then by name."""
    by = _dig(run, ("settings", "by"))
    stems = [safe_filename(str(b)) for b in by] if isinstance(by, list) else []

    def key(path: Path) -> tuple[int, str]:
        stem = path.stem.split("_", 1)[1]
        return (stems.index(stem) if stem in stems else len(stems), stem)

    return key
