"""CLI commands of assisted coding: ``textmine code``, ``agree``, ``sheet`` and ``codebook``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import (
    CodingCodebook,
    DictionaryFile,
    Encoding,
    Force,
    ForceFile,
    IdCol,
    Jobs,
    OutDir,
    Profile,
    RunDir,
    Scheduler,
    Sep,
    Sheet,
    Survey,
    TextCol,
    engine_options,
    read_options,
)
from textmine.cli.progress import progress_bar
from textmine.config import CodingOptions, TextOptions
from textmine.errors import OptionError

_CODED_HELP = "coding sheet or long CSV"


#: Codes with too few examples listed one per line up to this many; beyond, one line says all.
REVIEW_LINES = 8


#: Reasons whose codes are said in one line when more than :data:`REVIEW_LINES` share it.
GROUPED_REASONS = {
    "too_few_examples": "not enough to code automatically",
    "too_few_examples_open_world": "not enough to code automatically where many answers belong "
                                   "to codes the coder cannot learn",
}


def review_lines(entries: list[dict]) -> list[str]:
    """Console lines of the codes sent to review: one per code, except that more than
    :data:`REVIEW_LINES` codes with too few examples (:data:`GROUPED_REASONS`) needing the same
    number are said in one line (a sheet whose free column named 110 codes printed 110 lines,
    trial 2026-12-01); run.json keeps every entry.

    In an open world the codes under ``min_positives`` and those under twice it both need
    ``needed_positives``: one line says them, not two lines opening alike.
    """
    by_needed: dict[int, list[dict]] = {}
    for e in entries:
        if e.get("reason") in GROUPED_REASONS:
            by_needed.setdefault(int(e["needed"]), []).append(e)
    grouped = {k: few for k, few in by_needed.items() if len(few) > REVIEW_LINES}
    lines = [e["message"] for e in entries
             if e.get("reason") not in GROUPED_REASONS or int(e["needed"]) not in grouped]
    for needed, few in grouped.items():
        few = sorted(few, key=lambda e: -int(e["n_coded"]))  # the nearest to learnable first
        reason = ("too_few_examples_open_world"
                  if any(e["reason"] == "too_few_examples_open_world" for e in few)
                  else few[0]["reason"])
        names = ", ".join(f"{e['code']} ({e['n_coded']})" for e in few[:REVIEW_LINES])
        lines.append(
            f"{len(few)} codes have fewer than {needed} coded examples, "
            f"{GROUPED_REASONS[reason]}: {names}, and {len(few) - REVIEW_LINES} more (each in "
            "run.json, coding.review); their answers go to review_queue.csv.")
    return lines


@app.command()
def code(
    path: Survey,
    text_col: TextCol,
    out: OutDir,
    labels: Annotated[list[Path] | None, typer.Option(
        "--labels",
        help="Coded answers: a filled coding sheet (xlsx/csv), a long CSV respondent_id,code, or "
             "a workspace (.tmdb). Repeat it to learn from several sheets together (the first "
             "sheet and next_to_code.xlsx).",
    )] = None,
    question: Annotated[str | None, typer.Option(
        "--question", help="With a workspace as --labels: its open question (default "
                           "--text-col, or its only question).")] = None,
    coder: Annotated[str | None, typer.Option(
        "--coder", help="With a workspace as --labels: whose codes (default its only "
                        "coder).")] = None,
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    codebook: CodingCodebook = None,
    target_precision: Annotated[float, typer.Option(
        "--target-precision",
        help="Precision that automatic codes must reach; the rest goes to the review queue.",
    )] = CodingOptions.target_precision,
    seed: Annotated[int, typer.Option(
        "--seed", help="Seed of the cross-validations.")] = CodingOptions.seed,
    next_n: Annotated[int | None, typer.Option(
        "--next", metavar="N",
        help="Also write the N uncoded answers whose coding would help the coder most "
             "(next_to_code.xlsx in --out).",
    )] = None,
    learning_curve: Annotated[bool, typer.Option(
        "--learning-curve/--no-learning-curve",
        help="Write learning_curve.csv and its figure (refits the coder 12 times).",
    )] = CodingOptions.learning_curve,
    save_model: Annotated[Path | None, typer.Option(
        "--save-model", metavar="DIR",
        help="Also save the fitted coder into DIR (JSON + .npz), to code new answers later.",
    )] = None,
    model: Annotated[Path | None, typer.Option(
        "--model", metavar="DIR",
        help="Code the answers with a coder saved by --save-model, without refitting "
             "(no --labels).",
    )] = None,
    dictionary: DictionaryFile = None,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
    force: Force = False,
    embeddings: Annotated[str, typer.Option(
        "--embeddings",
        help="Sentence encoder added to the word features (use-multilingual-v3, "
             "fr-core-news-md-mean) or 'none'.",
    )] = str(CodingOptions.embedding_model),
) -> None:
    """Learn from coded answers, code the others where confident, queue the doubtful ones."""
    from textmine.pipeline import RunRecord, use_engine
    from textmine.pipeline.coding_run import (
        checked_statement,
        features_statement,
        model_statement,
        run_code,
        run_code_with_model,
        share_sentence,
    )

    read = read_options(id_col, sheet, encoding, sep, profile)
    engine = engine_options(jobs, scheduler)  # issue 19
    if model is not None:
        given = [flag for flag, value in (
            ("--labels", labels or None), ("--save-model", save_model), ("--next", next_n),
            ("--question", question), ("--coder", coder),
            ("--dictionary", dictionary)) if value is not None]  # fmt: skip
        # Settings of the fit: a saved coder keeps its own (given anyway, they were ignored
        # without a word; the default value changes nothing, so only another one is refused).
        given += [flag for flag, value, default in (
            ("--target-precision", target_precision, CodingOptions.target_precision),
            ("--seed", seed, CodingOptions.seed),
            ("--embeddings", embeddings, str(CodingOptions.embedding_model)),
            ("--learning-curve" if learning_curve else "--no-learning-curve", learning_curve,
             CodingOptions.learning_curve),
        ) if value != default]  # fmt: skip
        if given:
            raise OptionError(
                f"{given[0]} cannot be used with --model: a saved coder codes new answers as it "
                "was fitted (with its own text options, encoder and target precision); leave "
                "out " + " and ".join(given) + "."
            )
        with use_engine(engine), progress_bar() as progress:
            result = run_code_with_model(
                path, model_dir=model, text_col=text_col, out=out, read_options=read,
                codebook_path=codebook, force=force, progress=progress,
            )  # fmt: skip
    else:
        if not labels:
            raise OptionError(
                "Missing --labels (the coded answers to learn from), or give --model DIR to code "
                "with a saved coder."
            )
        options = CodingOptions(target_precision=target_precision, seed=seed, next_n=next_n,
                                learning_curve=learning_curve,
                                embedding_model=embeddings)  # fmt: skip
        with (use_engine(engine), progress_bar() as progress,
              progress_bar(label="embedding") as embed_progress):
            result = run_code(
                path, text_col=text_col, labels_path=labels, out=out, read_options=read,
                labels_question=question, labels_coder=coder, coding_options=options,
                codebook_path=codebook, force=force,
                progress=progress, save_model=save_model, embed_progress=embed_progress,
                text_options=TextOptions(dictionary=str(dictionary) if dictionary else None),
            )  # fmt: skip
    record = RunRecord.read(result)
    counts, coding = record.counts, record.coding or {}
    # How automatic codes are decided (answer level in a single-code survey), then the codes
    # sent to review and the raised thresholds.
    rule = [coding["rule"]] if (coding.get("rule") or {}).get("message") else []
    for line in [e["message"] for e in rule] + review_lines(coding.get("review", [])) + [
            e["message"] for e in coding.get("raised", [])]:
        typer.echo(line)
    learnt = (f"{counts['coded_used_for_training']} coded answers learnt; " if model is None
              else f"Saved coder {model} (not refitted): ")  # fmt: skip
    # Observed on the uncoded answers, not estimated (the estimate is the precision below).
    typer.echo(f"{learnt}{share_sentence(counts)}.")
    typer.echo(features_statement(record.versions, record.settings.get("coding") or {}))
    if "expected" in coding:
        sentence = checked_statement(coding)
        if "model" in coding:
            typer.echo(f"{model_statement(coding['model'].get('fitted_on') or {})}: {sentence}.")
        else:
            typer.echo(f"Checked on coded answers the coder did not learn from: {sentence}.")
    for key in ("none", "sample", "share_check"):
        if (coding.get(key) or {}).get("message"):
            typer.echo(coding[key]["message"])
    curve = coding.get("learning_curve")
    if curve:
        typer.echo(f"Learning curve: {result / curve['file']}"
                   + (f" and {result / curve['figure']}" if curve.get("figure") else
                      " (too few coded answers: empty)"))  # fmt: skip
    if coding.get("next"):
        nxt = coding["next"]
        if nxt["asked"] > nxt["n"]:
            typer.echo(f"--next {nxt['asked']}: only {nxt['n']} uncoded answers have text; "
                       f"all {nxt['n']} are in the sheet.")  # fmt: skip
        typer.echo(f"The {nxt['n']} answers to code next (most useful first): "
                   f"{result / nxt['file']}")  # fmt: skip
    if coding.get("saved_model"):
        typer.echo(f"Coder saved to {coding['saved_model']}")
    typer.echo(f"Results written to {result}")


@app.command()
def agree(
    a: Annotated[Path, typer.Argument(
        help=f"Codes of the first coder ({_CODED_HELP}, or a workspace .tmdb).")],
    b: Annotated[Path, typer.Argument(
        help=f"Codes of the second coder ({_CODED_HELP}, or a workspace .tmdb).")],
    survey: Annotated[Path, typer.Option(
        "--survey", help="Survey file: its respondents are the units of agreement.")],
    out: OutDir,
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    codebook: CodingCodebook = None,
    question: Annotated[str | None, typer.Option(
        "--question", help="With workspaces (.tmdb): the open question compared.")] = None,
    coder_a: Annotated[str | None, typer.Option(
        "--coder-a", help="With a workspace as A: whose codes.")] = None,
    coder_b: Annotated[str | None, typer.Option(
        "--coder-b", help="With a workspace as B: whose codes.")] = None,
    force: Force = False,
) -> None:
    """Agreement of two coders per code on the answers both coded: kappa, alpha, % agreement.

    A and B may be the same workspace (.tmdb): its two coders are compared (--coder-a and
    --coder-b choose them when it has more).
    """
    from textmine.pipeline.coding_run import agreement_lines, run_agree

    result = run_agree(
        a, b, survey_path=survey, out=out,
        read_options=read_options(id_col, sheet, encoding, sep, profile),
        codebook_path=codebook, question=question, coder_a=coder_a, coder_b=coder_b,
        force=force,
    )  # fmt: skip
    for line in agreement_lines(result):
        typer.echo(line)
    typer.echo(f"Results written to {result}")


@app.command("sheet")
def sheet_cmd(
    run_dir: RunDir,
    out: Annotated[Path, typer.Option(
        "--out", help="Coding sheet file to write (.xlsx or .csv).")],
    csv: Annotated[bool, typer.Option(
        "--csv", help="Write a CSV instead of an XLSX workbook.")] = False,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook",
        help="Codebook (.yaml, .qdc or .csv) whose codes become columns; default the themes.",
    )] = None,
    force: ForceFile = False,
    sample: Annotated[int | None, typer.Option(
        "--sample", help="Only a random sample of N codable answers (seeded: --seed).")] = None,
    seed: Annotated[int, typer.Option(
        "--seed", help="Seed of the --sample draw (same seed, same sample).")] = 0,
) -> None:
    """Write a coding sheet (one row per answer, one 0/1 column per code, a free code column
    autre_code) for a themes run."""
    from textmine.pipeline.coding_run import run_sheet

    result = run_sheet(run_dir, out=out, csv=csv or out.suffix.lower() == ".csv",
                       codebook_path=codebook, force=force, sample=sample,
                       seed=seed)  # fmt: skip
    typer.echo(f"Coding sheet written to {result}")


@app.command("codebook")
def codebook_cmd(
    source: Annotated[Path, typer.Argument(help="Codebook to read (.yaml, .qdc or .csv).")],
    out: Annotated[Path, typer.Option(
        "--out", help="Codebook to write: .qdc (REFI-QDA: QualCoder, NVivo, ATLAS.ti, "
                      "MAXQDA), .yaml or .csv.")],
    force: ForceFile = False,
) -> None:
    """Convert a codebook between YAML, REFI-QDA codebook XML (.qdc) and CSV."""
    from textmine.pipeline.coding_run import run_codebook

    typer.echo(f"Codebook written to {run_codebook(source, out, force=force)}")
