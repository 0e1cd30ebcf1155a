"""Orchestration of ``textmine concordance`` and ``textmine dictionary`` (issue 16, sections 2, 3).

run_concordance: survey (or the survey of a finished run) -> words of the answers (parse cache)
-> concordance lines -> closed questions -> sort -> one CSV, workbook or HTML file.
run_dictionary: survey -> words of the answers -> one row per feature form -> ``dic.csv``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from textmine.config import ReadOptions, TextOptions
from textmine.errors import DataError, InputFileError, OptionError
from textmine.report.concordance import check_format, concordance_caption, write_concordance
from textmine.runfolder import (
    RUN_JSON,
    RunRecord,
    recorded_options,
    run_read_options,
    run_survey_path,
)
from textmine.survey import Survey, closed_question, open_answers, read_survey
from textmine.text.concordance import (
    LINE_COLUMNS,
    check_sort,
    form_spans,
    kwic,
    lemma_forms,
    lemma_spans,
    lemma_targets,
    sort_lines,
    term_words,
)
from textmine.text.corpus import AnswerWords, answer_words, load_text_dictionary
from textmine.text.dictionary import dictionary_frame
from textmine.text.negation import WORD
from textmine.text.nonanswers import OK

logger = logging.getLogger(__name__)


@dataclass
class ConcordanceResult:
    """What ``textmine concordance`` did (the CLI prints it).

    Attributes
    ----------
    path : Path
        The file written.
    lines, answers : int
        Concordance lines, and answers holding at least one.
    term : str
        The searched term; ``lemmas`` the lemmas searched (``--lemma``).
    survey : str
        The survey read (from the run folder when one was given).
    text_col : str
    not_located : int
        ``--lemma``: answers whose parse holds the lemma but whose shown text does not hold the
        parsed form (rare: a word rewritten by the French spelling rules).
    """

    path: Path
    lines: int
    answers: int
    term: str
    survey: str
    text_col: str
    lemmas: list[list[str]] = field(default_factory=list)
    not_located: int = 0


def _stored_text_options(stored: object) -> TextOptions:
    """The text options recorded in a run.json (unknown keys ignored)."""
    if not isinstance(stored, dict):
        return TextOptions()
    return TextOptions(**recorded_options(TextOptions, stored)[0])


def resolve_source(
    source: str | Path, *, text_col: str | None, read_options: ReadOptions,
    text_options: TextOptions | None,
) -> tuple[Path, str, ReadOptions, TextOptions]:
    """The survey, open question, read and text options of a survey file or a finished run.

    A folder holding ``run.json`` is a finished run: its survey, question and read options are
    the ones recorded (``--text-col`` may name another question of the same survey); its text
    options too, unless ``text_options`` is given.

    Raises
    ------
    InputFileError
        A folder without run.json, or a run whose survey file is gone.
    OptionError
        No ``--text-col`` for a survey file.
    """
    source = Path(source)
    if source.is_dir():
        if not (source / RUN_JSON).is_file():
            raise InputFileError(f"{source} is a folder without {RUN_JSON}; give a survey file "
                                 "or the folder of a finished run.")
        record = RunRecord.read(source)
        block = record.input or {}
        survey = run_survey_path(record, source)
        settings = record.settings or {}
        read_options = run_read_options(record)
        if text_options is None:
            stored = settings.get("text", settings)
            text_options = _stored_text_options(stored)
        column = text_col or block.get("text_col")
        if not column:
            raise OptionError(f"Run {source} records no open question; give --text-col.")
        return survey, str(column), read_options, text_options
    if not text_col:
        raise OptionError("Give the open question with --text-col COLUMN.")
    return source, text_col, read_options, text_options or TextOptions()


def _closed_values(survey: Survey, column: str) -> pd.Series:
    """One text per respondent for a closed question (options of a multiple one ``; ``-joined)."""
    values = closed_question(survey, column)
    if isinstance(values, pd.DataFrame):
        joined = values.apply(
            lambda row: "; ".join(str(c) for c, v in row.items() if not pd.isna(v) and v == 1),
            axis=1)
        return joined.astype(str)
    return values.astype(object).where(values.notna(), "").astype(str)


def concordance_lines(
    words: AnswerWords, term: str, *, lemma: bool = False, exact: bool = False,
    window: int = 8,
) -> tuple[pd.DataFrame, list[list[str]], int]:
    """The concordance lines of ``term`` in the masked answers (unsorted, answers' order).

    Returns the lines (:data:`~textmine.text.concordance.LINE_COLUMNS`), the lemmas searched
    for each word of the term (``--lemma``) and the number of answers not located.
    """
    parts = term_words(term)
    rows: list[dict[str, str]] = []
    targets: list[set[str]] = []
    not_located = 0
    if lemma:
        from textmine.text.concordance import fold

        pairs: Counter = Counter()
        for items, weight in zip(words.words, words.weights, strict=True):
            for value, lower, kind, _ in items:
                if kind == WORD:
                    pairs[(fold(lower), fold(value))] += weight
        targets = lemma_targets(parts, pairs)
        found = [lemma_forms(items, targets) for items in words.words]
    for rid, text, status, d in zip(words.ids, words.masked, words.status, words.doc_of,
                                    strict=True):
        if status != OK or d is None:
            continue
        if lemma:
            spans = lemma_spans(text, found[d])
            if found[d] and not spans:
                not_located += 1
        else:
            spans = form_spans(text, parts, exact=exact)
        rows.extend(kwic(rid, text, spans, window=window))
    frame = pd.DataFrame(rows, columns=LINE_COLUMNS)
    return frame, [sorted(t) for t in targets], not_located


def run_concordance(
    source: str | Path,
    *,
    term: str,
    out: str | Path,
    text_col: str | None = None,
    lemma: bool = False,
    exact: bool = False,
    window: int = 8,
    by: Sequence[str] = (),
    sort: str = "right",
    read_options: ReadOptions = ReadOptions(),
    text_options: TextOptions | None = None,
    lang: str = "fr",
    force: bool = False,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ConcordanceResult:
    """Write the concordance of ``term`` in one open question to ``out`` (.csv, .xlsx, .html).

    Parameters
    ----------
    source : path
        A survey file, or the folder of a finished run (its survey and question are used).
    term : str
        A word, a prefix (``écolo*``) or an expression (``cadre de vie``).
    out : path
        Output file; its suffix chooses the format.
    text_col : str, optional
        The open question (required with a survey file).
    lemma : bool
        Match every form of the term's lemma (``moyen`` -> ``moyens``).
    exact : bool
        Form matching with case and accents as typed.
    window : int
        Words of context each side.
    by : sequence of str
        Closed questions shown beside each line (and sorted on with ``sort="modality"``).
    sort : {"right", "left", "modality"}
        Order of the lines (:func:`textmine.text.concordance.sort_lines`).
    read_options, text_options :
        How to read the survey and process the text (a run folder's recorded ones by default).
    lang : {"fr", "en"}
        Language of the HTML page.
    force : bool
        Replace an existing output file.

    Returns
    -------
    ConcordanceResult
    """
    check_format(out)
    check_sort(sort, by)
    if not isinstance(window, int) or isinstance(window, bool) or window < 0:
        raise OptionError(f"--window {window!r} must be a whole number >= 0; use e.g. 8.")
    term_words(term)
    survey_path, column, read_options, text_options = resolve_source(
        source, text_col=text_col, read_options=read_options, text_options=text_options)
    if Path(out).resolve() == Path(survey_path).resolve():
        raise OptionError(f"--out {out} is the survey file; give another file name.")
    survey = read_survey(survey_path, options=read_options)
    closed = {col: _closed_values(survey, col) for col in by}
    words = answer_words(open_answers(survey, column), options=text_options,
                         progress=progress, cache_dir=cache_dir)
    lines, lemmas, not_located = concordance_lines(words, term, lemma=lemma, exact=exact,
                                                   window=window)
    if lines.empty:
        # An empty page would look like a result; say it and write nothing.
        n_texts = sum(st == OK for st in words.status)
        hint = ("drop --exact" if exact else "try a prefix such as écolo*" if lemma
                else "try --lemma or a prefix such as écolo*")
        raise DataError(f"--term {term!r} occurs in none of the {n_texts} answers of "
                        f"{column!r}; check the spelling or {hint}. Nothing written.")
    for col, values in closed.items():
        lines[col] = [values.get(r, "") for r in lines["respondent_id"]]
    lines = sort_lines(lines, sort, by)
    n_answers = int(lines["respondent_id"].nunique()) if len(lines) else 0
    caption = concordance_caption(term, mode="lemma" if lemma else ("exact" if exact else "form"),
                                  column=column, source=Path(survey_path).name,
                                  n_lines=len(lines), n_answers=n_answers, sort=sort, lang=lang)
    path = write_concordance(lines, out, title=f"{term} — {column}", caption=caption, by=by,
                             lang=lang, force=force)
    logger.info("concordance of %r: %d lines in %d answers", term, len(lines), n_answers)
    return ConcordanceResult(path=Path(path), lines=len(lines), answers=n_answers, term=term,
                             survey=str(survey_path), text_col=column, lemmas=lemmas,
                             not_located=not_located)


@dataclass
class DictionaryResult:
    """What ``textmine dictionary`` wrote: the file, its rows, and the dictionary applied."""

    path: Path
    rows: int
    applied: str = ""


def run_dictionary(
    path: str | Path,
    *,
    text_col: str,
    out: str | Path,
    read_options: ReadOptions = ReadOptions(),
    text_options: TextOptions = TextOptions(),
    force: bool = False,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DictionaryResult:
    """Write the editable dictionary of one open question (``form, frequency, lemma, pos, keep,
    group_as``; see :mod:`textmine.text.dictionary`) to ``out`` (.csv or .xlsx).

    With ``text_options.dictionary`` the forms are those left by that dictionary and its
    choices are carried over (``keep = no`` rows are listed again with ``no``, grouped forms
    with their ``group_as``), so a dictionary can be edited in several rounds.
    """
    from textmine.outputs import write_csv
    from textmine.report.concordance import replace_file

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise OptionError(f"--out {out} must end with .csv or .xlsx.")
    if out.resolve() == Path(path).resolve():
        raise OptionError(f"--out {out} is the survey file; give another file name.")
    survey = read_survey(path, options=read_options)
    plain = TextOptions(**{f.name: getattr(text_options, f.name) for f in fields(TextOptions)
                           if f.name != "dictionary"})
    edited = load_text_dictionary(text_options)
    words = answer_words(open_answers(survey, text_col), options=plain, cache_dir=cache_dir,
                         progress=progress)
    frame = dictionary_frame(
        ([(v, low, pos) for v, low, kind, pos in items if kind == WORD], weight)
        for items, weight in zip(words.words, words.weights, strict=True))
    if edited is not None:
        frame["keep"] = ["no" if f in edited.drop else "yes" for f in frame["form"]]
        frame["group_as"] = [edited.group.get(f, "") for f in frame["form"]]
    if suffix == ".csv":
        replace_file(out, force, lambda tmp: write_csv(frame, tmp))
    else:
        from openpyxl import Workbook

        from textmine.outputs import append_inert
        from textmine.workbook import save_workbook

        def write(tmp: Path) -> None:
            wb = Workbook()
            ws = wb.active
            ws.title = "dictionary"
            # a form is written as in the answers, never read as a formula ("=", "-t-il")
            append_inert(ws, list(frame.columns))
            for row in frame.itertuples(index=False):
                append_inert(ws, row)
            save_workbook(wb, tmp)

        replace_file(out, force, write)
    return DictionaryResult(out, len(frame), edited.description if edited else "")


__all__ = ["ConcordanceResult", "DictionaryResult", "concordance_lines", "resolve_source",
           "run_concordance", "run_dictionary"]
