"""``textmine parse``: read a survey, process one open question, write ``terms.csv``."""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path

from textmine.config import ReadOptions, TextOptions
from textmine.outputs import atomic_output_dir, write_csv, write_json

#: Below this many answers the progress bar is not worth drawing.
PROGRESS_MIN = 2000


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_parse(
    path: str | Path,
    *,
    text_col: str,
    out: str | Path,
    read_options: ReadOptions = ReadOptions(),
    text_options: TextOptions = TextOptions(),
    force: bool = False,
    cache_dir: Path | None = None,
    progress: bool = False,
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
    from importlib.metadata import version

    from textmine.survey import open_answers, read_survey
    from textmine.text.corpus import process_answers

    survey = read_survey(path, options=read_options)
    answers = open_answers(survey, text_col)
    with atomic_output_dir(out, force=force, inputs=[path]) as tmp:
        corpus = process_answers(
            answers, options=text_options, cache_dir=cache_dir,
            progress=progress and len(answers) >= PROGRESS_MIN,
        )
        write_csv(corpus.to_frame(), tmp / "terms.csv")
        write_json(
            {
                "command": "parse",
                "input": {"path": str(Path(path)), "sha256": _sha256(Path(path)),
                          "id_col": read_options.id_col, "sheet": read_options.sheet,
                          "text_col": text_col, "profile": survey.source.profile,
                          "detected": survey.source.detected},
                "settings": corpus.info["settings"],
                "versions": {"textmine": version("textmine"), "spacy": version("spacy"),
                             "model": f"{corpus.info['model']} {corpus.info['model_version']}",
                             "python": platform.python_version()},
                "counts": corpus.info["counts"],
                "parse": corpus.info["parse"],
                "collocations": corpus.info["collocations"],
                "cache": corpus.info["cache"],
            },
            tmp / "run.json",
        )
    return corpus
