"""Orchestration of ``textmine code``, ``agree``, ``sheet`` and ``codebook``.

Each function reads its inputs, calls the coding functions in order and writes one output (an
atomic folder, or one file for the sheet). No logic of its own beyond choosing what to write.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from textmine.codebook import Codebook, load_codebook
from textmine.coding.active import answer_vectors, select_next
from textmine.coding.agreement import coder_agreement, nested_agreement
from textmine.coding.curve import learning_curve
from textmine.coding.interchange import convert_codebook
from textmine.coding.learn import (
    MAX_CODE_TARGET,
    POOLED_MIN_HELDOUT_RIGHT,
    MultiLabelCoder,
    code_word_stems,
    mentions,
    review_queue,
    with_embeddings,
)
from textmine.coding.persist import load_coder, save_coder
from textmine.coding.sample import coded_sample_check
from textmine.coding.sheet import (
    answered_question,
    check_coded_ids,
    check_rows_line_up,
    check_same_question,
    check_sheet_question,
    code_key,
    coding_sheet_frame,
    merge_coded,
    read_coded,
    recorded_question,
    sheet_info,
    sheet_keys,
    unify_code_names,
    write_sheet_csv,
    write_sheet_xlsx,
)
from textmine.config import CodingOptions, ReadOptions, TextOptions, check_seed
from textmine.errors import DataError, InputFileError, ModelFileError, OptionError, OutputError
from textmine.outputs import atomic_output_dir, restore_cell
from textmine.pipeline.workspace_run import is_workspace, read_workspace_codes
from textmine.report.markdown import to_markdown
from textmine.runfolder import (
    AGREEMENT_CSV,
    ANSWERS_CSV,
    CODABLE_STATUSES,
    CODES_CSV,
    FIGURES_DIR,
    LEARNING_CURVE_CSV,
    LEARNING_CURVE_FIGURE,
    NEXT_SHEET_XLSX,
    OK,
    OUTCOME_CODES,
    OUTCOME_NONE,
    OUTCOME_NOT_CODED,
    REVIEW_QUEUE_CSV,
    RUN_JSON,
    SUMMARY_MD,
    THEMES_CSV,
    TRADEOFF_CSV,
    RunRecord,
    check_run_folder,
    input_block,
    read_run_csv,
    recorded_id_col,
    recorded_options,
    relative_path,
    resolve_recorded,
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
        embedding_model=options.embedding_model, embedding_weight=options.embedding_weight,
    )  # fmt: skip


def _answer_vectors(
    corpus, ok: set[str], options: CodingOptions, progress: Callable[[int, int], None] | None
) -> dict[str, np.ndarray] | None:
    """Sentence embeddings of the (masked) texts of the answers in ``ok``, by respondent id.

    ``None`` when the coder uses lexical features only.
    """
    if options.embedding_model is None:
        return None
    from textmine.text.embeddings import embed_texts

    rows = [i for i, rid in enumerate(corpus.ids) if rid in ok]
    vectors = embed_texts([corpus.masked[i] for i in rows], model=options.embedding_model,
                          progress=progress)  # fmt: skip
    return {corpus.ids[i]: v for i, v in zip(rows, vectors, strict=True)}


def _embedding_versions(options: CodingOptions) -> dict[str, str]:
    """``{"embeddings": "<model> <version>"}`` for run.json, empty without embeddings."""
    if options.embedding_model is None:
        return {}
    from textmine.text.embeddings import embedding_model_version

    model = options.embedding_model
    return {"embeddings": f"{model} {embedding_model_version(model)}"}


def _terms_of(corpus, position: dict[str, int], rids: list[str],
              vectors: dict[str, np.ndarray] | None) -> list:
    """Terms of the answers ``rids``, carrying their embeddings when the coder uses them."""
    terms = [corpus.terms[position[rid]] for rid in rids]
    if vectors is None:
        return terms
    dim = next(iter(vectors.values())).shape[0] if vectors else 0
    return with_embeddings(terms, np.array([vectors[r] for r in rids]).reshape(len(rids), dim))


def code_answers_table(
    ids: list[str], coded: pd.DataFrame, uncoded_ids: list[str], scores: np.ndarray,
    assigned: np.ndarray, *, automatic: np.ndarray | None = None, none: np.ndarray | None = None,
) -> pd.DataFrame:
    """Long table of codes: every (respondent, code) pair, human codes first.

    Columns ``respondent_id``, ``code``, ``score`` (1/0 for human codes, the calibrated score
    for model codes), ``assigned``, ``source`` (``human`` | ``model``), ``outcome`` (of the
    answer: ``codes``, ``none_of_these_codes`` or ``not_coded``). ``assigned`` is 1/0 for
    human codes (0: the coder read the answer and the code does not apply; an answer with 0
    for every code is *none of these codes*). For model rows it is 1 where the code was
    assigned automatically, 0 for another automatic code of an answer coded automatically and
    for every code of an answer given *none of these codes* automatically (``none``), and
    empty (*not coded*) for a code that cannot be assigned automatically (``automatic``
    False) of an answer given codes, and for every code of an answer sent to review: nobody
    coded those, so they are never written as 0.
    """
    codes = list(coded.columns)
    human = coded.reindex([i for i in ids if i in coded.index])
    assigned = np.asarray(assigned, dtype=int).reshape(len(uncoded_ids), len(codes))
    auto = (np.ones(len(codes), dtype=bool) if automatic is None
            else np.asarray(automatic, dtype=bool))  # fmt: skip
    given = assigned.any(axis=1)
    settled = (np.zeros(len(uncoded_ids), dtype=bool) if none is None
               else np.asarray(none, dtype=bool) & ~given)  # fmt: skip
    model_values = assigned.astype(float)
    not_coded = (~given[:, None] | ~auto[None, :]) & ~settled[:, None]
    model_values[not_coded] = np.nan
    human_values = human.to_numpy(dtype=int)
    human_outcome = np.where(human_values.any(axis=1), OUTCOME_CODES, OUTCOME_NONE)
    model_outcome = np.where(given, OUTCOME_CODES,
                             np.where(settled, OUTCOME_NONE, OUTCOME_NOT_CODED))  # fmt: skip
    parts = [
        pd.DataFrame(
            {
                "respondent_id": np.repeat(human.index.to_numpy(), len(codes)),
                "code": np.tile(codes, len(human)),
                "score": human_values.astype(float).ravel(),
                "assigned": pd.array(human_values.ravel(), dtype="Int64"),
                "source": "human",
                "outcome": np.repeat(human_outcome, len(codes)),
            }
        ),
        pd.DataFrame(
            {
                "respondent_id": np.repeat(np.asarray(uncoded_ids, dtype=object), len(codes)),
                "code": np.tile(codes, len(uncoded_ids)),
                "score": np.round(scores, 4).ravel(),
                "assigned": pd.array(model_values.ravel(), dtype="Int64"),
                "source": "model",
                "outcome": np.repeat(model_outcome, len(codes)),
            }
        ),
    ]
    return pd.concat(parts, ignore_index=True)


def _review_entries(
    coder: MultiLabelCoder, seeds: dict[str, list[str]], texts: list[str], scores: np.ndarray,
    *, right: int | None = None,
) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """Codes that cannot be assigned automatically and the uncoded answers to check for each.

    An answer is checked for such a code when it holds the code's own words (its name and
    codebook ``seeds``) or when the code is among its best guesses.

    Returns
    -------
    entries : list of dict
        One per such code: ``code``, ``n_coded``, ``needed``, ``reason``, ``sent_to_review``,
        ``mentioning``, ``message`` (the console line).
    to_check, mentioned : arrays of bool, shape (n_uncoded, n_codes)
    """
    n_codes = len(coder.classes_)
    to_check = np.zeros((len(texts), n_codes), dtype=bool)
    mentioned = np.zeros((len(texts), n_codes), dtype=bool)
    entries = []
    # With too few right held-out codes, every code together, no promise can be checked,
    # whatever their precision (more coded answers are what it needs).
    # ``right``: the count of the run's whole-procedure check when it withheld the codes.
    learnable = coder.learnable_codes()
    if right is None and n_codes and not coder.automatic_.any() and learnable.any():
        right = coder.heldout_right(coder.target_precision)
    thin = right is not None and right < POOLED_MIN_HELDOUT_RIGHT
    needed = coder.needed_positives()
    for j, code in enumerate(coder.classes_):
        if coder.automatic_[j]:
            continue
        words = mentions(texts, code_word_stems(str(code), seeds.get(str(code), ())))
        n_coded = int(coder.n_positives_[j])
        # The model's guess counts only for a code it could learn: from one or two examples its
        # best-F1 cut fell near 0 and sent every answer to review (trial 2026-12-01).
        guess = (scores[:, j] >= coder.best_thresholds_[j]
                 if len(texts) and learnable[j] else words)
        mentioned[:, j] = words
        to_check[:, j] = words | guess
        n_without = len(coder.cv_truth_) - n_coded
        if n_coded < coder.min_positives:
            reason = "too_few_examples"
            # In an open world reaching min_positives is not enough: say what is (a thin code
            # was told "7 needed" while the rule line said 14, trial 2026-12-01).
            why = (f"{n_coded} coded example{'' if n_coded == 1 else 's'}, not enough to "
                   "code automatically "
                   + (f"({coder.min_positives} needed)" if needed <= coder.min_positives else
                      f"({needed} needed here, see the rule line)"))  # fmt: skip
        elif n_without < coder.min_positives:
            reason = "too_few_counterexamples"
            why = (f"applied to {n_coded} of the {len(coder.cv_truth_)} coded answers: it "
                   "cannot be told from the other codes without coded answers it does not "
                   f"apply to ({n_without}, {coder.min_positives} needed)")  # fmt: skip
        elif n_coded < needed:
            reason = "too_few_examples_open_world"
            why = (f"{n_coded} coded examples, not enough to code automatically here "
                   f"({needed} needed where {_open_world_clause(coder)})")
        elif thin:
            reason = "too_little_heldout_evidence"
            # A count of every code together, said as such (a trial read "right 22 times" as
            # this code's own count, and found it nowhere in the files: run.json now has it).
            why = (f"{n_coded} coded examples; no code is coded automatically until the "
                   "automatic codes of all codes together are right "
                   f"{POOLED_MIN_HELDOUT_RIGHT} times on held-out coded answers, to check the "
                   f"target {coder.target_precision:g}: they were right {right} times (run.json "
                   "coding.review heldout_right); code more answers")  # fmt: skip
        else:
            reason = "precision_not_reached"
            why = (f"{n_coded} coded examples, held-out precision below the target "
                   f"{coder.target_precision:g} at every threshold up to precision "
                   f"{MAX_CODE_TARGET:g}; not coded automatically")  # fmt: skip
        sent = int(to_check[:, j].sum())
        entries.append({
            "code": str(code), "n_coded": n_coded,
            "needed": int(needed if reason in ("too_few_examples",
                                               "too_few_examples_open_world")
                          else coder.min_positives),
            "reason": reason, "sent_to_review": sent, "mentioning": int(words.sum()),
            **({"heldout_right": int(right)} if reason == "too_little_heldout_evidence" else {}),
            "message": f"{code}: {why}; {sent} answer{'' if sent == 1 else 's'} sent to review",
        })  # fmt: skip
    return entries, to_check, mentioned


def _open_world_clause(coder: MultiLabelCoder) -> str:
    """What makes an open world, as the rule line and each code's line both say it."""
    return (f"{100 * coder.open_world_share():.0f} % of the coded answers carry only codes with "
            f"fewer than {coder.min_positives} examples")


def _rule_entry(coder: MultiLabelCoder) -> dict:
    """How automatic codes are decided (``run.json`` ``coding.rule``; console line).

    In a single-code survey the coder decides at the answer level (one cut on the most likely
    code's score, shared by every automatic code); otherwise each code has its own threshold.
    In an open world (:data:`~textmine.coding.learn.OPEN_WORLD_SHARE`) the message says how
    many coded examples a code needs and why.
    """
    answer_level = bool(getattr(coder, "answer_level_", False))
    needed = coder.needed_positives()
    entry: dict = {"answer_level": answer_level, "min_positives": int(coder.min_positives),
                   "needed_positives": needed,
                   "open_world_share": round(coder.open_world_share(), 4)}
    if not answer_level:
        message = ("each code has its own threshold (answers may carry several codes; a code "
                   f"needs at least {needed} coded examples to be coded automatically)")
    elif not coder.automatic_.any():
        entry.update(cut=None, chosen_for=None)
        message = ("single-code survey: no cut on the most likely code's score holds the target "
                   f"{coder.target_precision:g} on held-out coded answers; every answer goes to "
                   "review")
    else:
        cut = float(coder.thresholds_[coder.automatic_].min())
        aim = float(np.nanmax(coder.code_targets_))
        entry.update(cut=round(cut, 4), chosen_for=round(aim, 4))
        message = (
            "single-code survey: an answer gets its most likely code automatically when that "
            f"code's score reaches {cut:.2f} (one cut for every code with at least {needed} "
            f"coded examples, chosen for precision {aim:.3g} on the coded answers pooled and "
            "checked on held-out folds)")
    if needed > coder.min_positives:
        message += (f"; {_open_world_clause(coder)}, so many answers belong to codes the coder "
                    f"cannot learn: a code needs {needed} coded examples to be coded "
                    "automatically")
    entry["message"] = message
    return entry


def _raised_entries(coder: MultiLabelCoder) -> list[dict]:
    """Codes whose threshold was raised to hold the target on held-out answers (console lines)."""
    entries = []
    if getattr(coder, "answer_level_", False):
        # One cut for every code: raised at most once, said once (see _rule_entry).
        rule = _rule_entry(coder)
        aim = rule.get("chosen_for")
        if aim is not None and aim > coder.target_precision + 1e-9:
            entries.append({
                "code": "(every code)", "threshold": rule["cut"], "chosen_for": aim,
                "message": (f"the cut on the most likely code's score was raised to "
                            f"{rule['cut']:.2f} (chosen for precision {aim:.3g}) so that "
                            f"automatic codes hold the target {coder.target_precision:g} on "
                            "held-out answers"),
            })  # fmt: skip
        return entries
    for j, code in enumerate(coder.classes_):
        aim = coder.code_targets_[j]
        if not coder.automatic_[j] or not aim > coder.target_precision + 1e-9:
            continue
        threshold = round(float(coder.thresholds_[j]), 4)
        entries.append({
            "code": str(code), "threshold": threshold, "chosen_for": round(float(aim), 4),
            "message": (f"{code}: threshold raised to {threshold:.2f} (chosen for precision "
                        f"{aim:.3g}) so that its codes hold the target "
                        f"{coder.target_precision:g} on held-out answers"),
        })  # fmt: skip
    return entries


def _withhold_unchecked(coder: MultiLabelCoder, expected: dict) -> int | None:
    """Take the automatic codes back when the run's own check cannot vouch for them.

    The coder chooses its automatic codes on its cross-validation folds; the run states the
    precision measured by the nested check of the whole procedure (``expected``). When the
    nested check's automatic codes were right fewer than :data:`POOLED_MIN_HELDOUT_RIGHT`
    times, the statement rests on too little (trial 2026-12-01: INED K1, 40 coded answers,
    1,189 answers coded automatically under "0.80 (0.49-0.94)" from 8 right of 10; on AN titles
    60 answers coded automatically under "no answer would be coded automatically"): every
    answer goes to review instead. Returns the nested right count when codes were withheld.
    """
    right = int(expected.get("n_right") or 0)
    if not coder.automatic_.any() or right >= POOLED_MIN_HELDOUT_RIGHT:
        return None
    coder.thresholds_ = np.full(len(coder.classes_), np.inf)
    coder.automatic_ = np.zeros(len(coder.classes_), dtype=bool)
    return right


def _code_uncoded(
    coder: MultiLabelCoder, seeds: dict[str, list[str]], uncoded: list[str],
    terms: list[list[str]], texts: list[str], *, right: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict], pd.DataFrame]:
    """Scores, automatic codes, *none of these codes*, codes sent to review and the review
    queue of uncoded answers.

    An answer gets *none of these codes* only if :meth:`MultiLabelCoder.predict_none` says so
    and it is not to be checked for a code that cannot be assigned automatically (it holds
    that code's words, or that code is its best guess): such an answer goes to review.
    """
    empty = np.zeros((0, len(coder.classes_)))
    scores = coder.predict_proba(terms) if uncoded else empty
    assigned = coder.predict(terms) if uncoded else empty.astype(int)
    none = coder.predict_none(terms) if uncoded else np.zeros(0, dtype=bool)
    review, to_check, mentioned = _review_entries(coder, seeds, texts, scores, right=right)
    if len(none):
        none &= ~to_check.any(axis=1)
    queue = review_queue(
        uncoded, texts, scores, assigned, list(coder.classes_),
        to_check=to_check, mentioned=mentioned, none=none,
    )  # fmt: skip
    return scores, assigned, none, review, queue


def _write_next_sheet(
    folder: Path, coder: MultiLabelCoder, codebook: Codebook | None, *, n: int,
    coded_terms: list[list[str]], uncoded: list[str], terms: list[list[str]], texts: list[str],
    scores: np.ndarray, info: list[tuple[str, str]] = (),
) -> dict:
    """Write the ``n`` most useful uncoded answers as a coding sheet (``--next``).

    ``info`` goes into the sheet's Info sheet (its question, id column, how it was chosen).
    """
    vectors = answer_vectors(list(coded_terms) + list(terms))
    rows = select_next(scores, vectors[len(coded_terms):], n,
                       coded_vectors=vectors[:len(coded_terms)])  # fmt: skip
    classes = list(coder.classes_)
    none_cut = getattr(coder, "best_none_threshold_", np.inf)
    suggestions = []
    for i in rows:
        best = np.argsort(-scores[i], kind="stable")[:3]
        guesses = [f"{classes[j]} ({scores[i, j]:.2f})" for j in best]
        none_score = 1.0 - float(scores[i].max()) if len(classes) else 1.0
        if none_score >= none_cut:  # the best guess is that no code applies
            guesses.insert(0, f"{NONE_SUGGESTION} ({none_score:.2f})")
        suggestions.append("; ".join(guesses))
    frame = coding_sheet_frame([uncoded[i] for i in rows], [texts[i] for i in rows], classes,
                               suggestions=suggestions)  # fmt: skip
    write_sheet_xlsx(frame, folder / NEXT_SHEET_XLSX, codebook=codebook, info=info)
    return {"file": NEXT_SHEET_XLSX, "n": len(rows), "asked": int(n)}


def _write_learning_curve(
    folder: Path, X: list[list[str]], Y: pd.DataFrame, options: CodingOptions,
) -> dict:
    """Write ``learning_curve.csv`` and its figure; returns the run.json entry."""
    from textmine.report.coding_figures import learning_curve_figure

    started = time.perf_counter()
    curve = learning_curve(X, Y, coder=_coder(options), repeats=options.curve_repeats,
                           random_state=options.seed)  # fmt: skip
    write_run_csv(curve, folder, LEARNING_CURVE_CSV)
    figure = None
    if len(curve):
        # English, like summary.md and the console lines of a code run.
        learning_curve_figure(curve, folder / FIGURES_DIR / LEARNING_CURVE_FIGURE,
                              repeats=options.curve_repeats, lang="en")  # fmt: skip
        figure = f"{FIGURES_DIR}/{LEARNING_CURVE_FIGURE}.png"
    else:
        logger.info("Too few coded answers for a learning curve (%d); %s left empty.",
                    len(X), LEARNING_CURVE_CSV)  # fmt: skip
    return {"file": LEARNING_CURVE_CSV, "figure": figure, "points": len(curve),
            "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip


def _write_code_summary(
    folder: Path, *, title: str, statement: str, counts: dict, coding: dict,
    per_code: pd.DataFrame | None = None, curve: pd.DataFrame | None = None,
) -> None:
    """``summary.md`` of a code run: the expected-precision statement first, then the details."""
    parts = [f"# {title}\n", f"**{statement}**\n"]
    table = pd.DataFrame({"count": list(counts), "value": ["" if v is None else str(v)
                                                           for v in counts.values()]})
    parts.append(to_markdown(table))
    for key in ("rule", "sample", "none", "share_check"):
        if (coding.get(key) or {}).get("message"):
            parts.append(f"\n{coding[key]['message']}\n")
    for key, heading in (("review", "Codes sent to review"),
                         ("raised", "Thresholds raised to hold the target")):
        if coding.get(key):
            parts.append(f"\n## {heading}\n")
            parts.extend(f"- {e['message']}" for e in coding[key])
    if per_code is not None and len(per_code):
        parts.append("\n## Codes checked on coded answers the coder did not learn from "
                     f"({AGREEMENT_CSV})\n")
        shown = per_code.copy()
        for col in shown.columns:
            if pd.api.types.is_float_dtype(shown[col]):
                shown[col] = shown[col].round(3)
        if "automatic" in shown:
            shown["automatic"] = shown["automatic"].map(
                lambda v: "" if v is None or pd.isna(v) else ("yes" if v else "no"))
        parts.append(to_markdown(shown))
    if curve is not None and len(curve):
        parts.append(f"\n## Learning curve ({LEARNING_CURVE_CSV})\n")
        parts.append(f"![learning curve]({FIGURES_DIR}/{LEARNING_CURVE_FIGURE}.png)\n")
        parts.append(to_markdown(curve))
    if coding.get("next"):
        parts.append(f"\n## Answers to code next\n\n{coding['next']['n']} answers in "
                     f"`{coding['next']['file']}` (most useful first).")
    (folder / SUMMARY_MD).write_text("\n".join(parts) + "\n", encoding="utf-8")


def _check_model_dir(save_model: str | Path | None, out: str | Path) -> None:
    if save_model is None:
        return
    a, b = Path(save_model).resolve(), Path(out).resolve()
    if a == b or b in a.parents or a in b.parents:
        raise OutputError(
            f"--save-model {save_model} and --out {out} overlap; give the coder its own folder."
        )


#: Best guess of an answer no code applies to, in the ``suggestions`` of ``--next`` sheets.
NONE_SUGGESTION = "none of these codes"

#: ``selection`` recorded in the Info sheet of the sheet written by ``--next`` (read back by
#: ``_sample_check``, which looks for "--next" in it).
NEXT_SELECTION = "chosen by --next: the most useful uncoded answers to code, not a random sample"


def precision_sentence(expected: dict, automatic: bool = True) -> str:
    """The estimated part of a code run's statement: expected precision of automatic codes.

    The share of answers coded automatically is not estimated: it is observed on the answers
    coded (:func:`share_sentence`). ``automatic``: whether the run's coder has an automatic
    code; without one the run promises nothing, whatever the nested check measured of the
    procedure (a trial read "0 of 203 uncoded answers coded automatically" beside "expected
    precision of automatic codes 0.62").
    """
    if expected.get("precision") is None or not automatic:
        return ("no answer would be coded automatically (no code holds the target precision "
                "on enough held-out coded answers; each code's reason is given with it)")
    return (f"expected precision of automatic codes {float(expected['precision']):.2f} "
            f"({float(expected['precision_low']):.2f}–{float(expected['precision_high']):.2f})")


def none_entry(coder: MultiLabelCoder) -> dict:
    """run.json ``coding.none``: when answers get *none of these codes*, and how precise.

    :attr:`MultiLabelCoder.none_expected_` plus ``sentence`` (its held-out precision, when
    given automatically) and ``message`` (a console line when it cannot be learnt).
    """
    entry = dict(coder.none_expected_)
    entry["sentence"] = None
    entry["message"] = None
    if entry.get("automatic") and entry.get("precision") is not None:
        entry["sentence"] = (
            f"expected precision of \"none of these codes\" {entry['precision']:.2f} "
            f"({entry['precision_low']:.2f}–{entry['precision_high']:.2f})")
    elif not entry.get("coded_none"):
        entry["message"] = (
            "No coded answer was given no code, so \"none of these codes\" cannot be learnt: "
            "answers no code applies to go to review (a sheet row of 0, or a long-CSV line "
            "with an empty code, says that no code applies).")
    elif not entry.get("automatic") and len(coder.cv_truth_) - entry["coded_none"] < \
            coder.min_positives:
        entry["message"] = (
            f"{entry['coded_none']} of the {len(coder.cv_truth_)} coded answers were given no "
            "code, so \"none of these codes\" cannot be told from the codes: code answers "
            f"that a code applies to too ({coder.min_positives} needed).")
    elif not entry.get("automatic"):
        # Learnt but not trusted: its held-out check failed (trial: nothing said why).
        entry["message"] = (
            f"\"none of these codes\" is not given automatically: held out, it was right "
            f"{entry.get('n_right', 0)} of {entry.get('n_assigned') or 0} times, "
            f"{POOLED_MIN_HELDOUT_RIGHT} right and precision {coder.target_precision:.2f} needed "
            f"({entry['coded_none']} coded answers were given no code): those answers go to "
            "review.")
    return entry


def checked_statement(coding: dict) -> str:
    """The estimated statement of a code run (precision of codes, and of *none*)."""
    sentence = coding["expected"]["sentence"]
    none = (coding.get("none") or {}).get("sentence")
    return sentence + (f"; {none}" if none else "")


def share_sentence(counts: dict) -> str:
    """The observed part of a code run's statement: what happened to the uncoded answers."""
    n = counts["uncoded_with_text"]
    cov = counts.get("coverage")
    line = (f"{counts['auto_coded']} of {n} uncoded answers coded automatically "
            f"({'n/a' if cov is None else f'{100 * cov:.0f} %'}, observed)")
    both = counts.get("auto_and_review", 0)
    return (f"{line}, {counts.get('auto_none', 0)} given \"none of these codes\", "
            f"{counts['review_queue']} in the review queue"
            + (f" ({both} of them coded automatically too, with another code to check)"
               if both else ""))


def share_check(counts: dict, expected: dict) -> dict:
    """run.json ``coding.share_check``: the share coded automatically on the uncoded answers
    against the held-out share of the nested check (its interval).

    A share far above the held-out interval means the coder sees the new answers differently
    from the coded ones, and the stated precision may not hold there (trial 2026-12-01, AN
    titles coded in a free column with 120 codes: 25 % coded against 7.9 % (5.6-11.0 %) held
    out, and 0.65 right against a stated 0.87 (0.71-0.95)). Said, not acted on: keeping only
    the codes the nested check's outer coders agree on (3 of 5) fixed that split (0.78 at 0.8)
    but cost the AN titles their target share (60 -> 46 % at 0.8), and the share gate shuts on
    the AN titles too, where the extra share is right (docs/benchmarks.md, "What textmine code
    writes").
    """
    observed, high = counts.get("coverage"), expected.get("coverage_high")
    entry = {"observed": observed, "heldout": expected.get("coverage"),
             "heldout_low": expected.get("coverage_low"), "heldout_high": high,
             "outside": False, "message": None}
    if observed is None or high is None or not counts.get("auto_coded") \
            or observed <= float(high):
        return entry
    entry["outside"] = True
    entry["message"] = (
        f"WARNING: {100 * observed:.0f} % of the uncoded answers were coded automatically, "
        f"against {100 * float(expected['coverage']):.0f} % "
        f"({100 * float(expected['coverage_low']):.0f}–{100 * float(high):.0f} %) of held-out "
        "coded answers: the coder sees the new answers differently from the coded ones and the "
        "expected precision may not hold on them; check a sample of the automatic codes, or "
        "code a random sample of answers (textmine sheet --sample).")
    return entry


def _outcome_counts(uncoded: list[str], assigned: np.ndarray, none: np.ndarray,
                    queue: pd.DataFrame) -> dict:
    """What happened to the uncoded answers (run.json ``counts``).

    ``auto_and_review``: answers coded automatically that are in the review queue as well (a
    code of theirs cannot be automatic): the counts overlap by that many.
    """
    auto = assigned.any(axis=1) if len(uncoded) else np.zeros(0, dtype=bool)
    queued = set(queue["respondent_id"].astype(str)) if len(queue) else set()
    return {
        "uncoded_with_text": len(uncoded),
        "auto_coded": int(auto.sum()),
        "auto_none": int(none.sum()),
        "coverage": round(int(auto.sum()) / len(uncoded), 4) if uncoded else None,
        "review_queue": len(queue),
        "auto_and_review": sum(1 for rid, a in zip(uncoded, auto, strict=True)
                               if a and str(rid) in queued),
    }


def _question_texts(values: pd.Series, ids, *, masked: bool) -> dict[str, tuple[str, ...]]:
    """Texts of the answers ``ids`` in ``values`` (as written, and masked if asked), by id."""
    from textmine.text.pii import mask_text

    values = values.set_axis(values.index.map(str))
    out = {}
    for rid in ids:
        if rid in values.index and not pd.isna(values.loc[rid]):
            text = str(values.loc[rid])
            out[rid] = (text, mask_text(text)) if masked else (text,)
    return out


def _texts_by_question(survey, ids, *, masked: bool, but: str | None = None) -> dict:
    """:func:`_question_texts` of every text column of the survey (but ``but``), by column."""
    return {str(c): _question_texts(survey.data[c], ids, masked=masked)
            for c in survey.data.columns if c != but and survey.data[c].dtype == object}


def _check_labels_question(survey, text_col: str, answers: pd.Series, labels_path,
                           coded_ids, sheet: str | None) -> str | None:
    """:func:`check_sheet_question` of a labels file against the survey's question."""
    ids = [str(i) for i in coded_ids]
    others = _texts_by_question(survey, ids, masked=False, but=text_col)
    # The survey's only open question: a file without a record can code nothing else.
    sole = not any(q.kind == "open" and q.name != text_col for q in survey.questions.values())
    return check_sheet_question(labels_path, ids, question=text_col,
                                answers=_question_texts(answers, ids, masked=True),
                                others=others, sheet=sheet, sole_question=sole)  # fmt: skip


def _sample_check(coder: MultiLabelCoder, corpus, position: dict[str, int], train_ids: list[str],
                  uncoded: list[str], scores: np.ndarray, sources: list) -> dict:
    """:func:`coded_sample_check` of the answers learnt from against the uncoded ones.

    ``sources`` holds each labels file with the ids it coded. With several files, the answers
    a ``--next`` sheet chose are counted ("chosen by --next for 20 of the 80": the others may
    be a random sample; re-trial 2026-12-01).
    """
    infos = [(sheet_info(p), ids) for p, ids in sources]
    chosen = {r for info, ids in infos if "--next" in info.get("selection", "") for r in ids}
    n_chosen = sum(r in chosen for r in train_ids)
    chosen_by = None
    if n_chosen:
        chosen_by = ("--next" if n_chosen == len(train_ids) else
                     f"--next for {n_chosen} of the {len(train_ids)}")

    def lengths(rids: list[str]) -> list[int]:
        return [len(corpus.masked[position[r]].split()) for r in rids]

    def top(values: np.ndarray) -> np.ndarray:
        return values.max(axis=1) if values.ndim == 2 and values.shape[1] else np.zeros(0)

    return coded_sample_check(
        {"length": lengths(train_ids), "score": top(coder.cv_scores_),
         "position": [position[r] for r in train_ids]},
        {"length": lengths(uncoded), "score": top(scores),
         "position": [position[r] for r in uncoded]},
        chosen_by=chosen_by, sampled=any("sample" in info for info, _ in infos),
    )  # fmt: skip


def run_code(
    survey_path: str | Path,
    *,
    text_col: str,
    labels_path: str | Path | Sequence[str | Path],
    out: str | Path,
    read_options: ReadOptions = ReadOptions(),
    text_options: TextOptions = TextOptions(),
    coding_options: CodingOptions = CodingOptions(),
    codebook_path: str | Path | None = None,
    labels_sheet: str | None = None,
    labels_question: str | None = None,
    labels_coder: str | None = None,
    save_model: str | Path | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    embed_progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Learn from the coded answers of a survey and code the others (``textmine code``).

    ``progress`` follows the parse, ``embed_progress`` the sentence embeddings of the answers
    (computed once per distinct text and cached, when ``coding_options.embedding_model`` is
    set). ``labels_path`` may be several labels files (a first sheet and ``next_to_code.xlsx``:
    their coded answers are learnt together, :func:`textmine.coding.sheet.merge_coded`), or
    one workspace (``.tmdb``): the codes of ``labels_coder`` (default
    its only coder) on ``labels_question`` (default ``text_col`` when the workspace has it, else
    its only open question) are learnt from.

    Writes into ``out``: ``codes.csv`` (human and model codes; "not coded" left empty),
    ``agreement.csv`` (nested cross-validated model-vs-human metrics per code, with each code's
    threshold and whether it is automatic), ``tradeoff.csv`` (coverage/precision by target
    precision), ``review_queue.csv`` (uncoded answers a person must code: no automatic code,
    or a code that cannot be automatic, answers holding its words first),
    ``learning_curve.csv`` and ``figures/learning_curve.png``/``.svg`` (unless
    ``coding_options.learning_curve`` is False), ``next_to_code.xlsx`` (with
    ``coding_options.next_n``: the most useful uncoded answers to code next, see
    :func:`textmine.coding.active.select_next`), ``summary.md`` and ``run.json`` (with the
    ``coding`` block: expected precision and share coded automatically, codes sent to review,
    raised thresholds). With ``save_model``, the fitted coder is also written into that folder
    (:func:`textmine.coding.persist.save_coder`).

    Returns
    -------
    Path
        The output folder.

    Raises
    ------
    DataError
        Too few coded answers with text; ``--next`` with no uncoded answer left.
    OutputError
        ``save_model`` and ``out`` overlap, or one of them cannot be written.
    """
    from textmine.survey import open_answers
    from textmine.text.corpus import process_answers

    _check_model_dir(save_model, out)
    codebook = load_codebook(codebook_path) if codebook_path else None
    paths = ([labels_path] if isinstance(labels_path, (str, Path)) else list(labels_path))
    workspaces = [p for p in paths if is_workspace(p)]
    if len(paths) > 1 and workspaces:
        raise OptionError(f"A workspace (.tmdb) must be the only --labels: to learn from it "
                          f"beside coding sheets, export its codes first (textmine workspace "
                          f"export {workspaces[0]} --format csv --out codes.csv) and give that "
                          "file as another --labels.")
    if len({Path(p).resolve() for p in paths}) < len(paths):
        raise OptionError("The same file is given twice as --labels; give each once.")
    inputs = [survey_path, *paths] + ([codebook_path] if codebook_path else [])
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(atomic_output_dir(out, force=force, inputs=inputs))
        # its refusals name --save-model (they named --out about the coder's folder: trial)
        model_tmp = (stack.enter_context(atomic_output_dir(save_model, force=force,
                                                           inputs=inputs, option="--save-model"))
                     if save_model is not None else None)  # fmt: skip
        survey, read_options = _read_survey_for_sheets(survey_path, read_options, paths)
        answers = open_answers(survey, text_col)
        ids = [str(i) for i in answers.index]
        parts, sources = [], []
        texts = {str(k): v for k, v in answers.items()}
        for path in paths:
            part = read_labels(path, codes=codebook.names if codebook else None,
                               sheet=labels_sheet, question=labels_question, coder=labels_coder,
                               default_question=text_col, texts=texts)  # fmt: skip
            check_coded_ids(part.index, ids, columns=survey.data, id_col=read_options.id_col,
                            where=str(path))  # fmt: skip
            # A workspace's codes were already read for one question (read_labels chose it).
            assumed = (None if is_workspace(path) else
                       _check_labels_question(survey, text_col, answers, path, part.index,
                                              labels_sheet))  # fmt: skip
            if assumed:
                logger.warning("%s", assumed)
            parts.append((Path(path).name, part))
            sources.append((path, set(part.index)))
        coded = merge_coded(parts)
        corpus = process_answers(answers, options=text_options, progress=progress)
        position = {rid: i for i, rid in enumerate(corpus.ids)}
        ok = {rid for rid, st in zip(corpus.ids, corpus.status, strict=True) if st == OK}
        # In survey order, not the labels files' order: the cross-validation folds follow the
        # rows, and the same coded answers given in another order (--labels B --labels A, a
        # long CSV sorted by code) gave other thresholds (re-trial 2026-12-01: 90 vs 108
        # answers given "none of these codes").
        in_labels = set(coded.index)
        train_ids = [rid for rid in corpus.ids if rid in ok and rid in in_labels]
        if len(train_ids) < coding_options.cv_folds:
            raise DataError(
                f"Only {len(train_ids)} coded answers have text to learn from; code at least "
                f"{coding_options.cv_folds} (ideally {coding_options.min_positives} per code) "
                "before running 'code'."
            )
        uncoded = [rid for rid in corpus.ids if rid in ok and rid not in coded.index]
        if coding_options.next_n is not None and not uncoded:
            raise DataError(
                f"--next {coding_options.next_n}: every answer with text is already coded; "
                "there is nothing left to choose from (leave out --next)."
            )
        vectors = _answer_vectors(corpus, ok, coding_options, embed_progress)
        X = _terms_of(corpus, position, train_ids, vectors)
        Y = coded.loc[train_ids]
        coder = _coder(coding_options).fit(X, Y)
        per_code, tradeoff, expected = nested_agreement(
            X, Y, coder=_coder(coding_options), cv_folds=coding_options.cv_folds,
            random_state=coding_options.seed,
        )  # fmt: skip
        withheld = _withhold_unchecked(coder, expected)
        thresholds = dict(zip(coder.classes_, coder.thresholds_, strict=True))
        per_code.insert(
            2, "threshold",
            [None if np.isinf(thresholds.get(c, np.inf)) else round(float(thresholds[c]), 4)
             for c in per_code["code"]],
        )  # fmt: skip
        automatic = dict(zip(coder.classes_, coder.automatic_, strict=True))
        per_code.insert(3, "automatic", [
            None if c not in automatic else int(automatic[c]) for c in per_code["code"]
        ])  # fmt: skip
        uncoded_terms = _terms_of(corpus, position, uncoded, vectors)
        uncoded_texts = [corpus.masked[position[r]] for r in uncoded]
        seeds = {t.name: list(t.seeds) for t in codebook.themes} if codebook is not None else {}
        scores, assigned, none, review, queue = _code_uncoded(
            coder, seeds, uncoded, uncoded_terms, uncoded_texts, right=withheld)  # fmt: skip
        codes = code_answers_table(ids, coded, uncoded, scores, assigned,
                                   automatic=coder.automatic_, none=none)  # fmt: skip
        write_run_csv(codes, tmp, CODES_CSV)
        write_run_csv(per_code, tmp, AGREEMENT_CSV)
        write_run_csv(tradeoff, tmp, TRADEOFF_CSV)
        write_run_csv(queue, tmp, REVIEW_QUEUE_CSV)
        counts = {
            "respondents": len(ids),
            "coded": len(coded),
            "coded_none": int((coded.sum(axis=1) == 0).sum()),
            "coded_used_for_training": len(train_ids),
            **_outcome_counts(uncoded, assigned, none, queue),
        }
        # Only the precision is estimated; the share coded automatically is observed (counts).
        expected["sentence"] = precision_sentence(expected, coder.automatic_.any())
        sample = _sample_check(coder, corpus, position, train_ids, uncoded, scores, sources)
        coding: dict = {"expected": expected, "none": none_entry(coder),
                        "sample": sample, "review": review, "rule": _rule_entry(coder),
                        "raised": _raised_entries(coder),
                        "share_check": share_check(counts, expected)}  # fmt: skip
        curve = None
        if coding_options.learning_curve:
            coding["learning_curve"] = _write_learning_curve(tmp, X, Y, coding_options)
            curve = read_run_csv(tmp, LEARNING_CURVE_CSV)
        if coding_options.next_n is not None:
            if coding_options.next_n > len(uncoded):
                logger.info(
                    "--next %d: only %d uncoded answers have text; all %d go into %s.",
                    coding_options.next_n, len(uncoded), len(uncoded), NEXT_SHEET_XLSX,
                )
            coding["next"] = _write_next_sheet(
                tmp, coder, codebook, n=coding_options.next_n, coded_terms=X, uncoded=uncoded,
                terms=uncoded_terms, texts=uncoded_texts, scores=scores,
                info=[("question", text_col)]
                + ([("id_column", read_options.id_col)] if read_options.id_col else [])
                + [("selection", NEXT_SELECTION)],
            )  # fmt: skip
        settings = {
            "read": asdict(read_options),
            "text": asdict(text_options),
            "coding": asdict(coding_options),
            "codebook": relative_path(codebook_path, tmp) if codebook_path else None,
            "labels": _one_or_list([relative_path(p, tmp) for p in paths]),
        }
        if model_tmp is not None:
            save_coder(
                coder, model_tmp, text_options=asdict(text_options), expected=expected,
                seeds=seeds,
                fitted_on={"survey": Path(survey.source.path).name if survey.source else None,
                           "sha256": getattr(survey.source, "sha256", None),
                           "text_col": text_col, "id_col": read_options.id_col,
                           "coded": len(train_ids),
                           "labels": _one_or_list([Path(p).name for p in paths])},
            )  # fmt: skip
            coding["saved_model"] = str(save_model)
        label = survey.question(text_col).label
        # One statement for summary.md and run.json (the console prints the same sentences).
        coding["statement"] = ("Checked on coded answers the coder did not learn from: "
                               f"{checked_statement(coding)}. {share_sentence(counts)}.")
        RunRecord(
            command="code",
            settings=settings,
            versions={**versions_block(model=text_options.model),
                      **_embedding_versions(coding_options)},
            input=input_block(survey.source, text_col=text_col, base=tmp, label=label),
            counts=counts,
            codes=list(coder.classes_),
            coding=coding,
            text=dict(corpus.info or {}),
        ).write(tmp)
        _write_code_summary(
            tmp, title=f"Coding of {label or text_col}",
            statement=coding["statement"],
            counts=counts, coding=coding, per_code=per_code, curve=curve,
        )  # fmt: skip
        for entry in review + coding["raised"]:
            logger.info("%s", entry["message"])
        logger.info("%s; %s", share_sentence(counts), checked_statement(coding))
    return Path(out)


def _one_or_list(values: list[str]) -> str | list[str]:
    """A recorded labels entry: the file as before, a list when several were learnt from."""
    return values[0] if len(values) == 1 else values


def read_labels(path: str | Path, *, codes: list[str] | None = None, sheet: str | None = None,
                question: str | None = None, coder: str | None = None,
                default_question: str | None = None,
                texts: dict[str, str] | None = None) -> pd.DataFrame:
    """Coded answers from a labels file (coding sheet, long CSV) or a workspace (``.tmdb``).

    See :func:`textmine.coding.sheet.read_coded` and
    :func:`textmine.pipeline.workspace_run.read_workspace_codes`; ``question``, ``coder`` and
    ``texts`` (the answers the codes must have been given to) apply to a workspace only.
    """
    return _read_labels(path, codes=codes, sheet=sheet, question=question, coder=coder,
                        default_question=default_question, texts=texts)[0]  # fmt: skip


def _read_labels(path: str | Path, *, codes: list[str] | None = None, sheet: str | None = None,
                 question: str | None = None, coder: str | None = None,
                 default_question: str | None = None,
                 texts: dict[str, str] | None = None,
                 coder_flag: str = "--coder") -> tuple[pd.DataFrame, str | None]:
    """:func:`read_labels` and the workspace question read (None for a labels file)."""
    if is_workspace(path):
        coded, info = read_workspace_codes(path, question=question, coder=coder, codes=codes,
                                           default_question=default_question, texts=texts,
                                           coder_flag=coder_flag)  # fmt: skip
        return coded, info["question"]
    if question is not None or coder is not None:
        given = "--question" if question is not None else "--coder"
        raise OptionError(f"{given} chooses codes inside a workspace (.tmdb); {Path(path).name} "
                          "is a labels file: leave it out.")  # fmt: skip
    return read_coded(path, codes=codes, sheet=sheet), None


def _workspace_source(path: str | Path) -> dict:
    from textmine.workspace.db import connect, get_meta

    conn = connect(path)
    try:
        return get_meta(conn, "source") or {}
    finally:
        conn.close()


def _workspace_coders(a_path, b_path, coder_a: str | None, coder_b: str | None,
                      question: str | None) -> tuple[str | None, str | None]:
    """The two coders compared when both codes come from the same workspace."""
    for path, coder, flag in ((a_path, coder_a, "--coder-a"), (b_path, coder_b, "--coder-b")):
        if coder is not None and not is_workspace(path):
            raise OptionError(f"{flag} chooses a coder inside a workspace (.tmdb); "
                              f"{Path(path).name} is a labels file: leave it out.")
    if not (is_workspace(a_path) and is_workspace(b_path)):
        return coder_a, coder_b
    if Path(a_path).resolve() != Path(b_path).resolve():
        return coder_a, coder_b
    if coder_a is not None and coder_a == coder_b:
        # One coder's codes against themselves: a perfect agreement that measures nothing.
        raise OptionError(f"--coder-a and --coder-b are both '{coder_a}' in workspace "
                          f"{Path(a_path).name}; agreement compares two different coders: "
                          "choose another one for --coder-b.")  # fmt: skip
    if coder_a and coder_b:
        return coder_a, coder_b
    from textmine.workspace.db import connect
    from textmine.workspace.exchange import choose_question, coders_of

    conn = connect(a_path)
    try:
        chosen = choose_question(conn, Path(a_path).name, question)
        coders = coders_of(conn, chosen)
    finally:
        conn.close()
    rest = [c for c in coders if c not in (coder_a, coder_b)]
    if coder_a is None and coder_b is None and len(coders) == 2:
        logger.warning("comparing the two coders of %s in %s: %s and %s (--coder-a, --coder-b "
                       "to choose)", chosen, Path(a_path).name, *coders)
        return coders[0], coders[1]
    if (coder_a is None) != (coder_b is None) and len(rest) == 1:
        return coder_a or rest[0], coder_b or rest[0]
    if len(coders) < 2:
        who = f"one coder ({coders[0]})" if coders else "no coder"
        raise OptionError(f"Workspace {Path(a_path).name} holds the codes of {who} on {chosen}; "
                          "agreement needs two coders: let a second coder code answers in the "
                          "workspace, or compare it with another workspace or coding sheet.")
    raise OptionError(f"Workspace {Path(a_path).name} holds the codes of {len(coders)} coders "
                      f"on {chosen} ({', '.join(coders)}); choose two with --coder-a and "
                      "--coder-b.")


def _read_survey_for_sheets(survey_path, read_options: ReadOptions, sheets) -> tuple:
    """Read the survey with the id column the coding sheets recorded when none is given.

    A sheet written by ``textmine sheet`` records the run's id column (its ``Info`` sheet);
    without ``--id-col`` the survey is read with it when the file has that column, and that is
    said in one line.
    """
    from textmine.survey import read_survey, reread_with_id

    survey = read_survey(survey_path, options=read_options)
    if read_options.id_col is not None:
        return survey, read_options
    for sheet in sheets:
        if is_workspace(sheet):
            id_col = _workspace_source(sheet).get("id_col")
        else:
            id_col = sheet_info(sheet).get("id_column")
        if id_col and id_col in survey.data.columns:
            return reread_with_id(survey, survey_path, read_options, id_col,
                                  what=f"the coding sheet {Path(sheet).name}")
    return survey, read_options


def run_code_with_model(
    survey_path: str | Path,
    *,
    model_dir: str | Path,
    text_col: str,
    out: str | Path,
    read_options: ReadOptions = ReadOptions(),
    codebook_path: str | Path | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Code the answers of a survey with a saved coder, without refitting (``code --model``).

    The answers' terms are made with the text options recorded in the coder. Writes into
    ``out``: ``codes.csv`` (model rows only; "not coded" left empty), ``review_queue.csv``,
    ``summary.md`` and ``run.json`` whose ``coding.expected`` is the statement measured when
    the coder was fitted (``coding.model`` says so and where it was fitted).

    Raises
    ------
    ModelFileError
        ``model_dir`` is missing, damaged, of another version, or needs features this textmine
        cannot compute.
    """
    from textmine.survey import open_answers, read_survey, reread_with_id
    from textmine.text.corpus import process_answers

    saved = load_coder(model_dir)  # fails before any output is reserved
    # The new answers are embedded with the encoder the coder was fitted with (if any).
    embedding = CodingOptions(embedding_model=saved.embedding_model)
    kwargs, unknown = recorded_options(TextOptions, saved.text_options)
    if unknown:
        raise ModelFileError(
            f"Coder {model_dir} has text option '{unknown[0]}', unknown to this textmine; fit it "
            "again with textmine code ... --save-model DIR."
        )
    text_options = TextOptions(**kwargs)
    coder = saved.coder
    codebook = load_codebook(codebook_path) if codebook_path else None
    seeds = dict(saved.seeds)
    if codebook is not None:
        # as when fitting, codes outside the codebook are refused (a codebook of other codes
        # was accepted without a word, re-trial 2026-12-01)
        outside = [str(c) for c in coder.classes_ if str(c) not in codebook.names]
        if outside:
            raise DataError(
                f"The saved coder's code(s) {', '.join(repr(c) for c in outside[:5])} are not "
                f"in the codebook {Path(codebook_path).name}; give the codebook it was fitted "
                "with, or leave out --codebook.")
        seeds.update({t.name: list(t.seeds) for t in codebook.themes})
    inputs = [survey_path, model_dir] + ([codebook_path] if codebook_path else [])
    fitted_on = saved.fitted_on
    with atomic_output_dir(out, force=force, inputs=inputs) as tmp:
        survey = read_survey(survey_path, options=read_options)
        survey, read_options = reread_with_id(survey, survey_path, read_options,
                                              fitted_on.get("id_col"), what="the saved coder")
        answers = open_answers(survey, text_col)
        fitted_col = fitted_on.get("text_col")
        if fitted_col and fitted_col != text_col:
            logger.warning("the saved coder was fitted on answers to '%s'; it codes the answers "
                           "to '%s' as if they answered the same question", fitted_col, text_col)
        ids = [str(i) for i in answers.index]
        corpus = process_answers(answers, options=text_options, progress=progress)
        position = {rid: i for i, rid in enumerate(corpus.ids)}
        uncoded = [rid for rid, st in zip(corpus.ids, corpus.status, strict=True) if st == OK]
        vectors = _answer_vectors(corpus, set(uncoded), embedding, None)
        terms = _terms_of(corpus, position, uncoded, vectors)
        texts = [corpus.masked[position[r]] for r in uncoded]
        scores, assigned, none, review, queue = _code_uncoded(coder, seeds, uncoded, terms,
                                                              texts)  # fmt: skip
        none_coded = pd.DataFrame(columns=list(coder.classes_), dtype=int)
        codes = code_answers_table(ids, none_coded, uncoded, scores, assigned,
                                   automatic=coder.automatic_, none=none)  # fmt: skip
        write_run_csv(codes, tmp, CODES_CSV)
        write_run_csv(queue, tmp, REVIEW_QUEUE_CSV)
        counts = {"respondents": len(ids), "coded": 0, "coded_none": 0,
                  "coded_used_for_training": 0,
                  **_outcome_counts(uncoded, assigned, none, queue)}  # fmt: skip
        expected = dict(saved.expected)
        # Only the precision was estimated when fitting; the share is observed on these answers.
        expected["sentence"] = precision_sentence(expected, coder.automatic_.any())
        coding = {
            "expected": expected, "none": none_entry(coder), "review": review,
            "rule": _rule_entry(coder), "raised": _raised_entries(coder),
            "model": {"path": relative_path(model_dir, tmp), "fitted_on": fitted_on,
                      "expected_measured": "when the coder was fitted"},
        }  # fmt: skip
        coding["statement"] = (f"{model_statement(fitted_on)}: {checked_statement(coding)}. "
                               f"{share_sentence(counts)}.")
        RunRecord(
            command="code",
            settings={"read": asdict(read_options), "text": asdict(text_options),
                      "coding": {k: v for k, v in coder.get_params().items()},
                      "model": relative_path(model_dir, tmp),
                      "codebook": relative_path(codebook_path, tmp) if codebook_path else None},
            versions={**versions_block(model=text_options.model),
                      **_embedding_versions(embedding)},
            input=input_block(survey.source, text_col=text_col, base=tmp,
                              label=survey.question(text_col).label),
            counts=counts,
            codes=list(coder.classes_),
            coding=coding,
            text=dict(corpus.info or {}),
        ).write(tmp)  # fmt: skip
        _write_code_summary(
            tmp, title=f"Coding of {survey.question(text_col).label or text_col} with a saved "
                       "coder",
            statement=coding["statement"],
            counts=counts, coding=coding,
        )  # fmt: skip
    return Path(out)


def features_statement(versions: dict, coding_settings: dict) -> str:
    """The features the coder used, for the console: words only, or which sentence encoder.

    Parameters
    ----------
    versions : dict
        The ``versions`` block of run.json (``embeddings``: ``"<encoder> <version>"``).
    coding_settings : dict
        The ``coding`` settings of run.json (``embedding_weight``).
    """
    encoder = versions.get("embeddings")
    if not encoder:
        return ("Features: words and character n-grams only (--embeddings use-multilingual-v3 "
                "adds sentence embeddings).")  # fmt: skip
    from textmine.text.embeddings import embedding_model

    spec = embedding_model(str(encoder).split()[0])
    weight = coding_settings.get("embedding_weight")
    weighted = f", weight {float(weight):g}" if weight is not None else ""
    return (f"Features: words, character n-grams and sentence embeddings from {encoder} "
            f"({spec.description}; weights shipped with the {spec.package} package, nothing "
            f"downloaded{weighted}); --embeddings none for words only.")  # fmt: skip


def model_statement(fitted_on: dict) -> str:
    """How the expected precision of a saved coder was measured (prefix of its statement)."""
    n = fitted_on.get("coded")
    where = f" on {n} coded answers" if n else ""
    survey = fitted_on.get("survey")
    return (f"Measured when the coder was fitted{where}"
            + (f" of {survey}" if survey else "")
            + ", on coded answers it did not learn from (not on these answers)")


def run_agree(
    a_path: str | Path,
    b_path: str | Path,
    *,
    survey_path: str | Path,
    out: str | Path,
    read_options: ReadOptions = ReadOptions(),
    codebook_path: str | Path | None = None,
    question: str | None = None,
    coder_a: str | None = None,
    coder_b: str | None = None,
    force: bool = False,
) -> Path:
    """Agreement between two coders on the answers both coded (``textmine agree``).

    Writes ``agreement.csv`` (per code: ``n_units`` answers coded by both, ``cohen_kappa``,
    ``percent_agreement``, ``krippendorff_alpha``, counts; plus a pooled row) and ``run.json``
    into ``out``. The survey's ids check the coded ids (see
    :func:`textmine.coding.sheet.check_coded_ids`). ``a_path`` and ``b_path`` may be workspaces
    (``.tmdb``): ``coder_a`` and ``coder_b`` choose whose codes (on ``question``); the same
    workspace twice without them compares its two coders when it has exactly two, and says so.
    """
    codebook = load_codebook(codebook_path) if codebook_path else None
    inputs = [a_path, b_path, survey_path] + ([codebook_path] if codebook_path else [])
    with atomic_output_dir(out, force=force, inputs=inputs) as tmp:
        survey, read_options = _read_survey_for_sheets(survey_path, read_options,
                                                       [a_path, b_path])
        ids = [str(i) for i in survey.data.index]
        names = codebook.names if codebook else None
        coder_a, coder_b = _workspace_coders(a_path, b_path, coder_a, coder_b, question)
        a, question_a = _read_labels(a_path, codes=names, question=question, coder=coder_a,
                                     coder_flag="--coder-a")
        b, question_b = _read_labels(b_path, codes=names, question=question, coder=coder_b,
                                     coder_flag="--coder-b")
        # the second coder's codes under the first's spelling (nature / Nature: one code)
        b = unify_code_names(b, str(b_path), {code_key(c): str(c) for c in a.columns})
        for frame, path in ((a, a_path), (b, b_path)):
            check_coded_ids(frame.index, ids, columns=survey.data, id_col=read_options.id_col,
                            where=str(path))  # fmt: skip
        in_b = set(b.index)
        sides = ((a, a_path, question_a), (b, b_path, question_b))
        recorded = {q for q in (question_a or recorded_question(a_path),
                                question_b or recorded_question(b_path)) if q}
        if len(recorded) == 1:
            # Ids checked against their texts first: a sheet whose ids were shifted was said to
            # be "made for a different question" than the other (trial 2026-12-01).
            question = next(iter(recorded))
            _check_agreed_rows(survey, question, *sides)
        assumed = check_same_question(a_path, b_path, [i for i in a.index if i in in_b],
                                      known=(question_a, question_b))  # fmt: skip
        if assumed:
            logger.warning("%s", assumed)
        if len(recorded) != 1:
            question = question_a or question_b
            _check_agreed_rows(survey, question, *sides)
        table = coder_agreement(a, b, ids=ids, codes=names or _codes_both_saw(a, b))
        write_run_csv(table, tmp, AGREEMENT_CSV)
        both = int(table["n_units"].iloc[0]) if len(table) > 1 else 0
        RunRecord(
            command="agree",
            settings={"read": asdict(read_options),
                      "codebook": relative_path(codebook_path, tmp) if codebook_path else None},
            versions=versions_block(),
            input=input_block(survey.source, text_col=question, base=tmp,
                              a=relative_path(a_path, tmp), b=relative_path(b_path, tmp)),
            counts={"respondents": len(ids), "coded_a": len(a), "coded_b": len(b),
                    "coded_both": both, "codes": len(table) - 1},
        ).write(tmp)  # fmt: skip
    return Path(out)


def _check_agreed_rows(survey, question: str | None, *sides) -> None:
    """Refuse a coder's sheet whose ids and texts no longer line up (``agree``).

    Each side is ``(codes, path, question read from a workspace or None)``. The question is
    the one recorded, else the open question whose answers most of the first sheet's texts
    are (sheets without a record); workspaces hold no sheet texts.
    """
    sheets = [(frame, Path(path)) for frame, path, known in sides
              if known is None and not is_workspace(path)]
    if question is None and sheets:
        frame, path = sheets[0]
        keys = sheet_keys(path, list(map(str, frame.index)))
        question = answered_question(keys, _texts_by_question(survey, list(keys), masked=True))
    if question is None or question not in survey.data.columns:
        return
    for frame, path in sheets:
        ids = list(map(str, frame.index))
        keys = sheet_keys(path, ids)
        try:
            check_rows_line_up(path, keys,
                               _question_texts(survey.data[question], ids, masked=True))
        except DataError:
            # Most rows answering another question: a sheet of another question, not shifted
            # ids (re-trial 2026-12-01: a CSV sheet of q_evolution beside one of q_outils).
            other = answered_question(
                keys, _texts_by_question(survey, ids, masked=True, but=question))
            if other is None:
                raise
            raise DataError(
                f"{path.name} holds the answers to '{other}', not to '{question}' like the "
                "other coder's: agreement compares two coders of the same question; give two "
                "sheets of one question.") from None


def _codes_both_saw(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    """Codes of either coder, less those one coder's *sheet* had no column for (said).

    Counting a code missing from B's sheet as B's 0 gave it kappa 0.00 and lowered the pooled
    row (trial 2026-12-01); a long file lists only the codes applied, so there the union holds.
    """
    codes = list(dict.fromkeys([*map(str, a.columns), *map(str, b.columns)]))
    unseen = [c for c in codes if any(f.attrs.get("layout") == "sheet" and c not in f.columns
                                      for f in (a, b))]
    if unseen:
        logger.warning("Code(s) %s have no column in one coder's sheet: left out of the "
                       "agreement (a code a coder was not shown is not a 0).",
                       ", ".join(repr(c) for c in unseen[:5]))
    kept = [c for c in codes if c not in unseen]
    if not kept:
        raise DataError("The two coders' sheets have no code column in common; nothing to "
                        "compare (check that both sheets come from the same coding).")
    return kept


def agreement_lines(run_dir: str | Path) -> list[str]:
    """The agreement table of an ``agree`` run as console lines, with its n.

    One header line (answers coded by both coders, and by one only), then one line per code:
    ``code  n  % agreement  kappa  alpha``.
    """
    table = read_run_csv(Path(run_dir), AGREEMENT_CSV)
    if table.empty:
        return []
    first = table.iloc[0]
    lines = [
        f"Agreement on the {int(first['n_units'])} answers both coders coded "
        f"({int(first['n_only_a'])} coded by the first coder only and "
        f"{int(first['n_only_b'])} by the second only are left out):"
    ]
    width = max(len(str(c)) for c in table["code"])
    lines.append(f"  {'code':<{width}}  {'n':>6}  {'agree':>6}  {'kappa':>6}  {'alpha':>6}")

    def num(x: object, pct: bool = False) -> str:
        if x is None or pd.isna(x):
            return "n/a"
        return f"{100 * float(x):.1f}%" if pct else f"{float(x):.2f}"

    for row in table.itertuples(index=False):
        lines.append(
            f"  {row.code!s:<{width}}  {int(row.n_units):>6}  "
            f"{num(row.percent_agreement, True):>6}  {num(row.cohen_kappa):>6}  "
            f"{num(row.krippendorff_alpha):>6}"
        )
    return lines


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
    codes = list(codebook.names) if codebook is not None else []
    # Free themes found beside the codebook's are codes too (the coder must be able to say so).
    for tid, label in labels.items():
        if codebook is not None and label.casefold() in {c.casefold() for c in codes}:
            continue
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
    sample: int | None = None,
    seed: int = 0,
) -> Path:
    """Write the coding sheet of a themes run as XLSX (or CSV) (``textmine sheet``).

    With ``sample``, a simple random sample of that many codable answers (drawn with
    ``numpy.random.default_rng(seed)``, kept in the run's order) instead of all of them; the
    draw is said in one line and recorded in the XLSX ``Info`` sheet with the run's id column
    (``textmine code``/``agree`` use that id column when ``--id-col`` is not given).

    Raises
    ------
    OutputError
        ``out`` is a file of the run folder or the run's survey (even with ``force``: an output
        never replaces an input), or its extension is not the format written.
    """
    run_dir = Path(run_dir)
    out = Path(out)
    suffix, wanted = out.suffix.lower(), (".csv" if csv else ".xlsx")
    check_seed(seed)
    if sample is not None and sample < 1:
        raise OptionError(f"--sample {sample}: give a number of answers of at least 1.")
    check_run_folder(run_dir, "sheet")
    codebook = _run_codebook(run_dir, codebook_path)
    frame = sheet_frame_for_run(run_dir, codebook=codebook)  # refuses a folder that is no run
    if suffix != wanted:
        # Any other name (sheet.txt, a name without extension) gave an XLSX the spreadsheet
        # application would not open by its name (trial 2026-12-01).
        ends = f"ends in {suffix}" if suffix else "has no extension"
        raise OutputError(
            f"Output file {out.name} {ends} but the sheet is written as "
            f"{wanted[1:].upper()}; name it *{wanted}" + (" or leave out --csv." if csv else
                                                          " or add --csv.")
        )
    _refuse_input_as_output(out, run_dir)
    record = RunRecord.read_optional(run_dir)
    info = [("run", run_dir.resolve().name), ("answers", str(len(frame)))]
    # The question the sheet codes: code and agree refuse the sheet for another question.
    question = record.input.get("text_col") if record is not None else None
    if question:
        info.append(("question", str(question)))
    id_col = recorded_id_col(record)
    if id_col:
        info.append(("id_column", id_col))
    if sample is not None and sample < len(frame):
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.choice(len(frame), size=sample, replace=False))
        logger.warning("coding sheet: random sample of %d of the %d codable answers (seed %d; "
                       "--seed for another draw)", sample, len(frame), seed)
        info.append(("sample", f"{sample} of {len(frame)} codable answers, simple random "
                               f"sample, seed {seed}"))
        frame = frame.iloc[rows].reset_index(drop=True)
    elif sample is not None:
        logger.warning("coding sheet: --sample %d is not smaller than the %d codable answers; "
                       "the sheet has them all", sample, len(frame))
    if csv:
        return write_sheet_csv(frame, out, force=force)
    return write_sheet_xlsx(frame, out, codebook=codebook, force=force, info=info)


def _refuse_input_as_output(out: Path, run_dir: Path) -> None:
    """Refuse an output file inside the run folder or equal to the run's survey file."""
    target = out.resolve()
    protected = [run_dir.resolve()]
    record = RunRecord.read_optional(run_dir)
    if record is not None and record.input.get("path"):
        protected.append(resolve_recorded(str(record.input["path"]), run_dir).resolve())
    for i, path in enumerate(protected):
        if target == path or path in target.parents:
            what = "a file of the run folder" if i == 0 else "the survey file of run"
            raise OutputError(
                f"Output file {out} would replace {what} {run_dir}; an output never replaces an "
                "input: choose a file outside the run folder."
            )


def run_codebook(source: str | Path, out: str | Path, *, force: bool = False) -> Path:
    """Convert a codebook between YAML, REFI-QDA ``.qdc`` and CSV (``textmine codebook``).

    Formats are chosen by the extensions of ``source`` and ``out``; ``out`` is replaced only
    with ``force``. Returns the path written.
    """
    return convert_codebook(source, out, force=force)
