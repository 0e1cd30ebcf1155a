"""Orchestration of ``textmine code``, ``textmine agree`` and ``textmine sheet``.

Each function reads its inputs, calls the coding functions in order and writes one output (an
atomic folder, or one file for the sheet). No logic of its own beyond choosing what to write.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from textmine.codebook import Codebook
from textmine.coding.agreement import coder_agreement, model_agreement
from textmine.coding.interchange import read_codebook
from textmine.coding.learn import MultiLabelCoder, review_queue
from textmine.coding.sheet import coding_sheet_frame, read_coded, write_sheet_csv, write_sheet_xlsx
from textmine.config import CodingOptions, ReadOptions, TextOptions
from textmine.errors import DataError, InputFileError, OptionError
from textmine.outputs import atomic_output_dir, restore_cell, run_versions, write_csv, write_json

logger = logging.getLogger(__name__)

#: Answer statuses of a themes run that coders are asked to code.
_CODABLE_STATUS = ("themed", "unassigned", "ok")


def _source_info(survey, text_col: str | None) -> dict:
    src = survey.source
    return {
        "path": str(src.path) if src else None,
        "sha256": getattr(src, "sha256", None),
        "id_col": getattr(src, "id_col", None),
        "sheet": getattr(src, "sheet", None),
        "text_col": text_col,
        "profile": getattr(src, "profile", "none"),
        "detected": getattr(src, "detected", ""),
    }


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
    progress: bool = False,
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

    if not 0 < coding_options.target_precision <= 1:
        raise OptionError(
            f"--target-precision must be in (0, 1]; got {coding_options.target_precision}. "
            "Try 0.8."
        )
    codebook = read_codebook(codebook_path) if codebook_path else None
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
        ok = {rid for rid, st in zip(corpus.ids, corpus.status, strict=True) if st == "ok"}
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
        write_csv(codes, tmp / "codes.csv")
        write_csv(per_code, tmp / "agreement.csv")
        write_csv(tradeoff, tmp / "tradeoff.csv")
        write_csv(queue, tmp / "review_queue.csv")
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
        write_json(
            {
                "command": "code",
                "settings": {
                    "read": asdict(read_options),
                    "text": asdict(text_options),
                    "coding": asdict(coding_options),
                    "codebook": str(codebook_path) if codebook_path else None,
                    "labels": str(labels_path),
                },
                "versions": run_versions(text_options.model),
                "input": _source_info(survey, text_col),
                "counts": counts,
                "codes": list(coder.classes_),
                "text": dict(getattr(corpus, "info", {}) or {}),
            },
            tmp / "run.json",
        )
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

    codebook = read_codebook(codebook_path) if codebook_path else None
    inputs = [a_path, b_path, survey_path] + ([codebook_path] if codebook_path else [])
    with atomic_output_dir(out, force=force, inputs=inputs) as tmp:
        survey = read_survey(survey_path, options=read_options)
        ids = [str(i) for i in survey.data.index]
        names = codebook.names if codebook else None
        a = read_coded(a_path, codes=names, ids=ids)
        b = read_coded(b_path, codes=names, ids=ids)
        table = coder_agreement(a, b, ids=ids, codes=names)
        write_csv(table, tmp / "agreement.csv")
        write_json(
            {
                "command": "agree",
                "settings": {"read": asdict(read_options),
                             "codebook": str(codebook_path) if codebook_path else None},
                "versions": run_versions(),
                "input": {"a": str(a_path), "b": str(b_path), **_source_info(survey, None)},
                "counts": {"respondents": len(ids), "coded_a": len(a), "coded_b": len(b),
                           "codes": len(table) - 1},
            },
            tmp / "run.json",
        )  # fmt: skip
    return Path(out)


def _run_codebook(run_dir: Path, codebook_path: str | Path | None) -> Codebook | None:
    """The codebook given, else the one recorded in the run's run.json (if still readable)."""
    if codebook_path:
        return read_codebook(codebook_path)
    run_json = run_dir / "run.json"
    if not run_json.is_file():
        return None
    try:
        recorded = (json.loads(run_json.read_text(encoding="utf-8")).get("settings") or {}).get(
            "codebook"
        )
    except (json.JSONDecodeError, AttributeError):
        return None
    if not recorded:
        return None
    for candidate in (Path(recorded), run_dir / recorded):
        if candidate.is_file():
            return read_codebook(candidate)
    logger.warning("Codebook %s recorded in %s not found; using theme labels.", recorded, run_json)
    return None


def sheet_frame_for_run(run_dir: str | Path, *, codebook: Codebook | None = None) -> pd.DataFrame:
    """Coding sheet table of a themes run: codable answers, masked, with suggested themes.

    Codes are the codebook's names when given, else the run's theme labels.
    """
    from textmine.text.pii import mask_text

    run_dir = Path(run_dir)
    paths = {name: run_dir / f"{name}.csv" for name in ("answers", "themes")}
    for path in paths.values():
        if not path.is_file():
            raise InputFileError(f"{path} not found; RUN_DIR must be a 'textmine themes' output.")
    answers = pd.read_csv(paths["answers"], dtype=str, keep_default_na=False)
    themes = pd.read_csv(paths["themes"], dtype=str, keep_default_na=False)
    # Cells neutralised on writing (ids, answers, labels) are restored: ids must match the
    # survey and coders must see the text as written; the sheet writers neutralise them again.
    for table, column in ((answers, "respondent_id"), (answers, "text"), (themes, "label")):
        if column in table:
            table[column] = table[column].map(restore_cell)
    for table, name, cols in ((answers, "answers", ("respondent_id", "text", "status", "themes")),
                              (themes, "themes", ("theme_id", "label"))):  # fmt: skip
        missing = [c for c in cols if c not in table.columns]
        if missing:
            raise DataError(
                f"{paths[name]} lacks column(s) {', '.join(missing)}; is it a themes run?"
            )
    labels = dict(zip(themes["theme_id"], themes["label"], strict=True))
    answers = answers[answers["status"].isin(_CODABLE_STATUS)]
    suggestions = []
    n = len(answers)
    for cell, primary, weight in zip(
        answers["themes"], answers.get("theme_id", [""] * n), answers.get("weight", [""] * n),
        strict=True,
    ):
        parts = []
        # The primary theme first, with its weight (answers.csv keeps only the primary's weight).
        ids = sorted(filter(None, str(cell).split(";")), key=lambda t: t != primary)
        for tid in ids:
            label = labels.get(tid, f"theme {tid}")
            parts.append(f"{label} ({float(weight):.2f})" if tid == primary and weight else label)
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
