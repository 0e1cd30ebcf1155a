"""``textmine parse``: read a survey, process one open question, write ``terms.csv``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textmine.config import ReadOptions, TextOptions
from textmine.outputs import atomic_output_dir
from textmine.runfolder import (
    TERMS_CSV,
    RunRecord,
    input_block,
    versions_block,
    write_run_csv,
)


def run_parse(
    path: str | Path,
    *,
    text_col: str,
    out: str | Path,
    read_options: ReadOptions = ReadOptions(),
    text_options: TextOptions = TextOptions(),
    force: bool = False,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
):
    """Process the answers of ``text_col`` and write ``OUT/terms.csv`` and ``OUT/run.json``.

    ``terms.csv`` has the columns ``respondent_id, text, status, terms`` (text as written, terms
    space-separated). Returns the :class:`textmine.text.corpus.Corpus`.

    Raises
    ------
    ColumnError
        If ``text_col`` is not a column of the survey (the message lists the available ones).
    OutputError
        If ``out`` exists and is not empty without ``force``.
    """
    from textmine.survey import open_answers, read_survey
    from textmine.text.corpus import process_answers

    survey = read_survey(path, options=read_options)
    answers = open_answers(survey, text_col)
    with atomic_output_dir(out, force=force, inputs=[path]) as tmp:
        corpus = process_answers(
            answers, options=text_options, cache_dir=cache_dir,
            progress=progress,
        )
        write_run_csv(corpus.to_frame(), tmp, TERMS_CSV)
        RunRecord(
            command="parse",
            # The hash is the one taken while reading: the file is read once.
            input=input_block(survey.source, text_col=text_col, base=tmp,
                              label=survey.question(text_col).label),
            settings=corpus.info["settings"],
            versions=versions_block(corpus.info),
            counts=corpus.info["counts"],
            parse=corpus.info["parse"],
            collocations=corpus.info["collocations"],
            cache=corpus.info["cache"],
            notes=[note] if (note := corpus.info["duplicates"].get("note")) else None,
        ).write(tmp)
    return corpus
