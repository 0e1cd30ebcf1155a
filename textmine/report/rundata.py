"""Read a finished run folder (the CSV/JSON files written by ``textmine themes``) for the report.

The report only reads files, never the model: a report can be rewritten from a run folder received
from a colleague without re-running anything.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from textmine.config import ReportOptions, TableOptions
from textmine.errors import InputFileError
from textmine.outputs import restore_cell, safe_filename
from textmine.report.i18n import number, strings
from textmine.report.reinert import load_reinert, theme_frames
from textmine.runfolder import (
    ANSWER_STATUSES,
    ANSWERS_CSV,
    CLOSED_CSV,
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
from textmine.themes.quotes import copy_counts, quote_key

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
    heading : str
        The report's title (``[report] title``; empty: the default title).
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
    heading: str = ""
    #: ``closed.csv``: the closed questions of the tables per respondent (None when absent).
    closed: pd.DataFrame | None = None

    def use_labels(self, options: ReportOptions) -> None:
        """Take the report title, question wording and closed-question labels to show.

        The options win (``--title``, the project file); otherwise the ``labels`` block that
        run.json recorded when the run was made, so a rewritten report keeps its labels.
        """
        recorded = self.run.get("labels") if isinstance(self.run.get("labels"), dict) else {}
        closed = recorded.get("closed") if isinstance(recorded.get("closed"), dict) else {}
        self.heading = options.title or str(recorded.get("title") or "")
        self.title = options.question or str(recorded.get("question") or "")
        self.question_labels = {**{str(k): str(v) for k, v in closed.items()},
                                **dict(options.question_labels)}
        self.crosstabs = {k: self.option_labelled(v) for k, v in self.crosstabs.items()}
        self.specificities = {k: self.option_labelled(v) for k, v in self.specificities.items()}

    def option_labelled(self, table: pd.DataFrame) -> pd.DataFrame:
        """A crosstab or specificities table with the options of a multiple choice labelled.

        A multi-column multiple choice has one yes/no variable per option column
        (``outils_1``, modality ``outils_1: yes``); where the project file or the platform
        export gave the option a label, it replaces the column name in ``variable`` and
        ``modality`` (``Visio: yes``), so that every output shows the option's wording.
        """
        if "variable" not in table or "modality" not in table or not self.question_labels:
            return table
        variable = table["variable"].astype(str)
        question = table["question"].astype(str) if "question" in table else None
        label = variable.map(lambda v: self.question_labels.get(v, ""))
        option = label.ne("") & (variable != question if question is not None else True)
        modality = table["modality"].astype(str)
        prefixed = option & pd.Series([m.startswith(f"{v}: ") for m, v in
                                       zip(modality, variable, strict=True)], index=table.index)
        if not prefixed.any():
            return table
        table = table.copy()
        table.loc[prefixed, "modality"] = [f"{lab}: {m[len(v) + 2:]}" for lab, m, v in zip(
            label[prefixed], modality[prefixed], variable[prefixed], strict=True)]
        table.loc[prefixed, "variable"] = label[prefixed]
        return table

    def closed_label(self, column: str) -> str:
        """The label of a closed question (its column name when it has none)."""
        return self.question_labels.get(column) or column
    #: The Reinert tables when the folder holds classes.csv (textmine.report.reinert).
    reinert: Any = None

    @property
    def quote_columns(self) -> list[str]:
        """Names of the ``quote_<i>`` columns of ``themes``, in order."""
        cols = [c for c in self.themes.columns if re.fullmatch(r"quote_\d+", str(c))]
        return sorted(cols, key=lambda c: int(c.split("_")[1]))

    def members(self, theme_id: int) -> pd.Series:
        """Boolean mask of the answers assigned to ``theme_id`` (as primary or other theme)."""
        answers = self.answers
        if "themes" in answers:
            lists = answers["themes"].fillna("").astype(str).str.split(";")
            return lists.map(lambda ids: str(theme_id) in {i.strip() for i in ids}).astype(bool)
        return (answers["theme_id"] == theme_id).fillna(False).astype(bool)

    def quotes(self, theme_id: int) -> list[tuple[str, int]]:
        """The theme's quotes with their number of copies among the theme's answers.

        Returns
        -------
        list of (str, int)
            Each quote (as displayed) and how many of the theme's answers have the same text
            (by :func:`textmine.themes.quotes.quote_key`; at least 1).
        """
        row = self.themes.loc[self.themes["theme_id"] == theme_id]
        if not len(row):
            return []
        texts = self.answers.loc[self.members(theme_id), "text"].map(display_text)
        copies = copy_counts(texts) if "text" in self.answers else {}
        out = []
        for col in self.quote_columns:
            quote = display_text(row.iloc[0][col]).strip()
            if quote:
                out.append((quote, max(1, int(copies.get(quote_key(quote), 1)))))
        return out

    def theme_texts(self, theme_id: int) -> pd.DataFrame:
        """The distinct texts of a theme's answers with their counts, best first.

        Returns
        -------
        DataFrame
            ``text`` (first copy, as displayed), ``n`` (answers with this text), ``weight``
            (highest weight on the theme), ``quote`` (rank among the theme's quotes, 0 if not a
            quote) and ``respondent_ids`` (``;``-joined); quotes first in their order, then by
            weight, then by number of copies.
        """
        cols = ["text", "n", "weight", "quote", "respondent_ids"]
        members = self.answers.loc[self.members(theme_id)]
        if not len(members) or "text" not in members:
            return pd.DataFrame(columns=cols)
        frame = pd.DataFrame({
            "text": members["text"].map(display_text).to_numpy(),
            "key": members["text"].map(lambda t: quote_key(display_text(t))).to_numpy(),
            "weight": pd.to_numeric(members.get("weight"), errors="coerce").to_numpy()
            if "weight" in members else float("nan"),
            "id": members["respondent_id"].astype(str).to_numpy(),
        })
        frame = frame[frame["key"] != ""]
        ranks: dict[str, int] = {}
        for i, (quote, _) in enumerate(self.quotes(theme_id), start=1):
            ranks.setdefault(quote_key(quote), i)
        grouped = frame.groupby("key", sort=False).agg(
            text=("text", "first"), n=("id", "size"), weight=("weight", "max"),
            respondent_ids=("id", ";".join))
        grouped["quote"] = [ranks.get(k, 0) for k in grouped.index]
        grouped["_q"] = grouped["quote"].where(grouped["quote"] > 0, len(self.quote_columns) + 1)
        grouped = grouped.sort_values(["_q", "weight", "n"], ascending=[True, False, False],
                                      kind="stable", na_position="last")
        return grouped.reset_index(drop=True)[cols]

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

    def pasted(self) -> dict[str, Any] | None:
        """The text pasted by many respondents (a campaign), as recorded in run.json.

        Returns
        -------
        dict or None
            ``largest`` (answers giving that text), ``share`` (of the answers with content),
            ``dedupe`` (themes fitted on distinct texts) and ``fitted_on``; ``None`` when the
            run has no such note (see :func:`textmine.text.corpus.duplicate_note`).
        """
        dup = _dig(self.run, ("text", "duplicates"))
        if not isinstance(dup, dict) or not dup.get("note"):
            return None
        themes = self.run.get("themes") if isinstance(self.run.get("themes"), dict) else {}
        return {"largest": int(dup.get("largest", 0)), "share": float(dup.get("share", 0.0)),
                "dedupe": bool(themes.get("dedupe")),
                "fitted_on": _dig(self.run, ("counts", "fitted_on"))}

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
    choice = info.get("method_choice")
    if isinstance(choice, dict) and f"method_{choice.get('method')}" in words:
        parts.append(words[f"method_{choice['method']}"].format(
            n=choice.get("answers"), words=number(float(choice.get("median_words") or 0), lang,
                                                  digits=0),
            vocab=choice.get("vocabulary"), min=_min_semantic(choice.get("rule", ""))))
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
    edge = info.get("k_at_edge")
    if edge in ("smallest", "largest"):
        parts.append(words["k_edge"].format(edge=words[f"edge_{edge}"],
                                            more=words[f"more_{edge}"]))
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
    (re.compile(r"the k whose stability across (?P<s>\d+%) resamples \(adjusted Rand index\) "
                r"most exceeds that of the same model on structure-free data \(columns "
                r"shuffled; straight line over k\); gains within (?P<t>[\d.]+) of the best go "
                r"to the smaller k"),
     "k_rule_null"),
)


def _min_semantic(rule: str) -> str:
    """The answer count of the recorded method rule (``... when at least 50 answers ...``)."""
    match = re.search(r"at least (\d+) answers", rule)
    return match.group(1) if match else "?"


def translate_rule(rule: str, lang: str) -> str:
    """Word a recorded k rule in ``lang``; a rule this version does not know is kept as is."""
    words = strings(lang)
    for pattern, key in K_RULES:
        match = pattern.fullmatch(rule.strip())
        if match:
            return words[key].format(**{k: (v.replace("%", "\u00a0%") if lang == "fr" else v)
                                        if v.endswith("%") else
                                        number(float(v), lang, digits=len(v.split(".")[-1])
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
    return restore_cell(str(value))


#: Keys of run.json whose values are file paths (shared outputs show the file name only).
PATH_KEYS = frozenset({"path", "codebook", "labels", "model_dir", "cache_dir", "a", "b",
                       "project", "survey"})


def _looks_like_path(value: str) -> bool:
    return os.path.isabs(value) or value.startswith(("../", "..\\", "~"))


def shareable(obj: Any, key: str = "") -> Any:
    """run.json without paths, for the outputs that are shared (report, workbook, summary).

    A file path can reveal a user name or a folder layout: every path value (``input.path``,
    ``settings.codebook``..., and any absolute path) is replaced by its file name; the file is
    identified by its name and ``sha256``.

    Parameters
    ----------
    obj : Any
        run.json as a dict (or any value of it).
    key : str
        The key ``obj`` is stored under (internal).

    Returns
    -------
    Any
        A copy with file names in place of paths.
    """
    if isinstance(obj, dict):
        return {k: shareable(v, str(k)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [shareable(v, key) for v in obj]
    if isinstance(obj, str) and obj and (key in PATH_KEYS or _looks_like_path(obj)):
        return Path(obj.replace("\\", "/")).name
    return obj


def input_name(run: dict[str, Any]) -> str:
    """The survey file's name (never its path) from run.json's ``input`` block."""
    source = run.get("input") if isinstance(run.get("input"), dict) else {}
    name = source.get("name") or Path(str(source.get("path") or "").replace("\\", "/")).name
    return str(name or "")


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
        closed=read_run_csv(folder, CLOSED_CSV, required=False),
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
