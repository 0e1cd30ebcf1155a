"""Orchestration of ``textmine code``, ``agree``, ``sheet`` and ``codebook``.

Each function reads its inputs, calls the coding functions in order and writes one output (an
atomic folder, or one file for the sheet). No logic of its own beyond choosing what to write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from textmine.codebook import Codebook, load_codebook
from textmine.coding.agreement import coder_agreement, model_agreement
from textmine.coding.interchange import convert_codebook
from textmine.coding.learn import MultiLabelCoder, review_queue
from textmine.coding.sheet import coding_sheet_frame, read_coded, write_sheet_csv, write_sheet_xlsx
from textmine.config import CodingOptions, ReadOptions, TextOptions
from textmine.errors import DataError, InputFileError
from textmine.outputs import atomic_output_dir, restore_cell
from textmine.runfolder import (
    AGREEMENT_CSV,
    ANSWERS_CSV,
    CODABLE_STATUSES,
    CODES_CSV,
    OK,
    REVIEW_QUEUE_CSV,
    RUN_JSON,
    THEMES_CSV,
    TRADEOFF_CSV,
    RunRecord,
    input_block,
    read_run_csv,
    relative_path,
    versions_block,
    write_run_csv,
)

logger = logging.getLogger(__name__)

#: Answer statuses that coders are asked to code: those of answers.csv with text, and ``ok``
#: (the status of terms.csv, for an answers table made before themes were assigned).
_CODABLE_STATUS = (*CODABLE_STATUSES, OK)


def _coder(options: CodingOptions) -> MultiLabelCoder:
    return MultiLabelCoder(
        target_precision=options.target_precision, cv_folds=options.cv_folds, C=options.C,
        char_ngrams=options.char_ngrams, min_df=options.min_df,
        min_positives=options.min_positives, random_state=options.seed,
    )  # fmt: skip


def code_answers_table(
    ids: list[str], coded: pd.DataFrame, uncoded_ids: list[str], scores: np.ndarray,
    assigned: np.ndarray,
) -> pd.DataFrame:
    """Long table of codes: every (respondent, code) pair, human codes first.

    Columns ``respondent_id``, ``code``, ``score`` (1/0 for human codes, the calibrated score
    for model codes), ``assigned`` (0/1), ``source`` (``human`` | ``model``).
    """
    codes = list(coded.columns)
    human = coded.reindex([i for i in ids if i in coded.index])
    parts = [
        pd.DataFrame(
            {
                "respondent_id": np.repeat(human.index.to_numpy(), len(codes)),
                "code": np.tile(codes, len(human)),
                "score": human.to_numpy(dtype=float).ravel(),
                "assigned": human.to_numpy(dtype=int).ravel(),
                "source": "human",
            }
        ),
        pd.DataFrame(
            {
                "respondent_id": np.repeat(np.asarray(uncoded_ids, dtype=object), len(codes)),
                "code": np.tile(codes, len(uncoded_ids)),
                "score": np.round(scores, 4).ravel(),
                "assigned": np.asarray(assigned, dtype=int).ravel(),
                "source": "model",
            }
        ),
    ]
    return pd.concat(parts, ignore_index=True)


def run_code(
    survey_path: str | Path,
    *,
    text_col: str,
    labels_path: str | Path,
    out: str | Path,
    read_options: ReadOptions = ReadOptions(),
    text_options: TextOptions = TextOptions(),
    coding_options: CodingOptions = CodingOptions(),
    codebook_path: str | Path | None = None,
    labels_sheet: str | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Learn from the coded answers of a survey and code the others (``textmine code``).

    Writes into ``out``: ``codes.csv`` (human and model codes), ``agreement.csv``
    (cross-validated model-vs-human metrics per code, with each code's threshold),
    ``tradeoff.csv`` (coverage/precision by target precision), ``review_queue.csv``
    (uncoded answers without an automatic code, most informative first) and ``run.json``.

    Returns
    -------
    Path
        The output folder.
    """
    from textmine.survey import open_answers, read_survey
    from textmine.text.corpus import process_answers

    codebook = load_codebook(codebook_path) if codebook_path else None
    inputs = [survey_path, labels_path] + ([codebook_path] if codebook_path else [])
    with atomic_output_dir(out, force=force, inputs=inputs) as tmp:
        survey = read_survey(survey_path, options=read_options)
        answers = open_answers(survey, text_col)
        ids = [str(i) for i in answers.index]
        coded = read_coded(
            labels_path, codes=codebook.names if codebook else None, ids=ids, sheet=labels_sheet
        )
        corpus = process_answers(answers, options=text_options, progress=progress)
        position = {rid: i for i, rid in enumerate(corpus.ids)}
        ok = {rid for rid, st in zip(corpus.ids, corpus.status, strict=True) if st == OK}
        train_ids = [rid for rid in coded.index if rid in ok]
        if len(train_ids) < coding_options.cv_folds:
            raise DataError(
                f"Only {len(train_ids)} coded answers have text to learn from; code at least "
                f"{coding_options.cv_folds} (ideally 10 per code) before running 'code'."
            )
        X = [corpus.terms[position[rid]] for rid in train_ids]
        Y = coded.loc[train_ids]
        coder = _coder(coding_options).fit(X, Y)
        per_code, tradeoff = model_agreement(
            X, Y, coder=_coder(coding_options), cv_folds=coding_options.cv_folds,
            random_state=coding_options.seed,
        )  # fmt: skip
        thresholds = dict(zip(coder.classes_, coder.thresholds_, strict=True))
        per_code.insert(
            2, "threshold",
            [None if np.isinf(thresholds.get(c, np.inf)) else round(float(thresholds[c]), 4)
             for c in per_code["code"]],
        )  # fmt: skip
        uncoded = [rid for rid in corpus.ids if rid in ok and rid not in coded.index]
        uncoded_terms = [corpus.terms[position[r]] for r in uncoded]
        empty = np.zeros((0, len(coder.classes_)))
        scores = coder.predict_proba(uncoded_terms) if uncoded else empty
        assigned = coder.predict(uncoded_terms) if uncoded else empty.astype(int)
        codes = code_answers_table(ids, coded, uncoded, scores, assigned)
        queue = review_queue(
            uncoded, [corpus.masked[position[r]] for r in uncoded], scores, assigned,
            list(coder.classes_),
        )  # fmt: skip
        write_run_csv(codes, tmp, CODES_CSV)
        write_run_csv(per_code, tmp, AGREEMENT_CSV)
        write_run_csv(tradeoff, tmp, TRADEOFF_CSV)
        write_run_csv(queue, tmp, REVIEW_QUEUE_CSV)
        n_auto = int(assigned.any(axis=1).sum())
        counts = {
            "respondents": len(ids),
            "coded": len(coded),
            "coded_used_for_training": len(train_ids),
            "uncoded_with_text": len(uncoded),
            "auto_coded": n_auto,
            "coverage": round(n_auto / len(uncoded), 4) if uncoded else None,
            "review_queue": len(queue),
        }
        RunRecord(
            command="code",
            settings={
                "read": asdict(read_options),
                "text": asdict(text_options),
                "coding": asdict(coding_options),
                "codebook": relative_path(codebook_path, tmp) if codebook_path else None,
                "labels": relative_path(labels_path, tmp),
            },
            versions=versions_block(model=text_options.model),
            input=input_block(survey.source, text_col=text_col, base=tmp,
                              label=survey.question(text_col).label),
            counts=counts,
            codes=list(coder.classes_),
            text=dict(corpus.info or {}),
        ).write(tmp)
        logger.info(
            "%d of %d uncoded answers coded automatically; %d in the review queue",
            n_auto, len(uncoded), len(queue),
        )
    return Path(out)


def run_agree(
    a_path: str | Path,
    b_path: str | Path,
    *,
    survey_path: str | Path,
    out: str | Path,
    read_options: ReadOptions = ReadOptions(),
    codebook_path: str | Path | None = None,
    force: bool = False,
) -> Path:
    """Agreement between two coders over every respondent of the survey (``textmine agree``).

    Writes ``agreement.csv`` (per code: ``cohen_kappa``, ``percent_agreement``,
    ``krippendorff_alpha``, counts; plus a pooled row) and ``run.json`` into ``out``.
    """
    from textmine.survey import read_survey

    codebook = load_codebook(codebook_path) if codebook_path else None
    inputs = [a_path, b_path, survey_path] + ([codebook_path] if codebook_path else [])
    with atomic_output_dir(out, force=force, inputs=inputs) as tmp:
        survey = read_survey(survey_path, options=read_options)
        ids = [str(i) for i in survey.data.index]
        names = codebook.names if codebook else None
        a = read_coded(a_path, codes=names, ids=ids)
        b = read_coded(b_path, codes=names, ids=ids)
        table = coder_agreement(a, b, ids=ids, codes=names)
        write_run_csv(table, tmp, AGREEMENT_CSV)
        RunRecord(
            command="agree",
            settings={"read": asdict(read_options),
                      "codebook": relative_path(codebook_path, tmp) if codebook_path else None},
            versions=versions_block(),
            input=input_block(survey.source, text_col=None, base=tmp,
                              a=relative_path(a_path, tmp), b=relative_path(b_path, tmp)),
            counts={"respondents": len(ids), "coded_a": len(a), "coded_b": len(b),
                    "codes": len(table) - 1},
        ).write(tmp)  # fmt: skip
    return Path(out)


def _run_codebook(run_dir: Path, codebook_path: str | Path | None) -> Codebook | None:
    """The codebook given, else the one recorded in the run's run.json (if still readable)."""
    if codebook_path:
        return load_codebook(codebook_path)
    # A run.json that cannot be read (or from an unknown schema) is refused by the sheet's
    # other readers anyway; here it only means no recorded codebook.
    try:
        record = RunRecord.read_optional(run_dir)
    except InputFileError:
        return None
    recorded = record.settings.get("codebook") if record is not None else None
    if not recorded:
        return None
    for candidate in (Path(recorded), run_dir / recorded):
        if candidate.is_file():
            return load_codebook(candidate)
    logger.warning(
        "Codebook %s recorded in %s not found; using theme labels.", recorded, run_dir / RUN_JSON
    )
    return None


def _id_text(value: object) -> str:
    """A theme id read from a run folder (nullable integer) as the text of ``themes`` cells."""
    return "" if value is None or pd.isna(value) else str(int(value))


def sheet_frame_for_run(run_dir: str | Path, *, codebook: Codebook | None = None) -> pd.DataFrame:
    """Coding sheet table of a themes run: codable answers, masked, with suggested themes.

    Codes are the codebook's names when given, else the run's theme labels.
    """
    from textmine.text.pii import mask_text

    run_dir = Path(run_dir)
    answers = read_run_csv(run_dir, ANSWERS_CSV,
                           columns=("respondent_id", "text", "status", "themes"))
    themes = read_run_csv(run_dir, THEMES_CSV, columns=("theme_id", "label"))
    # Answers and labels neutralised on writing are restored: coders must see the text as
    # written (read_run_csv restores the ids); the sheet writers neutralise them again.
    for table, column in ((answers, "text"), (themes, "label")):
        table[column] = table[column].fillna("").map(restore_cell)
    # Theme ids are compared as text with the ``;``-joined ``themes`` cells.
    labels = dict(zip(themes["theme_id"].map(_id_text), themes["label"].fillna(""), strict=True))
    answers = answers[answers["status"].isin(_CODABLE_STATUS)]
    suggestions = []
    n = len(answers)
    for cell, primary_id, weight in zip(
        answers["themes"].fillna(""), answers.get("theme_id", [None] * n),
        answers.get("weight", [None] * n), strict=True,
    ):
        primary = _id_text(primary_id)
        has_weight = weight is not None and not pd.isna(weight)
        parts = []
        # The primary theme first, with its weight (answers.csv keeps only the primary's weight).
        ids = sorted(filter(None, str(cell).split(";")), key=lambda t: t != primary)
        for tid in ids:
            label = labels.get(tid, f"theme {tid}")
            parts.append(f"{label} ({float(weight):.2f})" if tid == primary and has_weight
                         else label)
        suggestions.append("; ".join(parts))
    if codebook is not None:
        codes = codebook.names
    else:
        codes = []
        for tid, label in labels.items():
            codes.append(label if label not in codes else f"{label} ({tid})")
    return coding_sheet_frame(
        answers["respondent_id"].tolist(), [mask_text(t) for t in answers["text"]], codes,
        suggestions=suggestions,
    )  # fmt: skip


def run_sheet(
    run_dir: str | Path,
    *,
    out: str | Path,
    csv: bool = False,
    codebook_path: str | Path | None = None,
    force: bool = False,
) -> Path:
    """Write the coding sheet of a themes run as XLSX (or CSV) (``textmine sheet``)."""
    run_dir = Path(run_dir)
    codebook = _run_codebook(run_dir, codebook_path)
    frame = sheet_frame_for_run(run_dir, codebook=codebook)
    if csv:
        return write_sheet_csv(frame, out, force=force)
    return write_sheet_xlsx(frame, out, codebook=codebook, force=force)


def run_codebook(source: str | Path, out: str | Path, *, force: bool = False) -> Path:
    """Convert a codebook between YAML, REFI-QDA ``.qdc`` and CSV (``textmine codebook``).

    Formats are chosen by the extensions of ``source`` and ``out``; ``out`` is replaced only
    with ``force``. Returns the path written.
    """
    return convert_codebook(source, out, force=force)
