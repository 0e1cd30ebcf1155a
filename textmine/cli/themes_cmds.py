"""CLI commands ``textmine themes`` (find themes) and ``textmine apply`` (code with a model)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from textmine.cli.app import app
from textmine.cli.options import (
    By,
    CaFlag,
    DictionaryFile,
    Effects,
    Encoding,
    Force,
    IdCol,
    Jobs,
    Lang,
    OutDir,
    Profile,
    Reference,
    Scheduler,
    Sep,
    Sheet,
    SimilarityFlag,
    Survey,
    TextCol,
    ThemeCodebook,
    Weights,
    engine_options,
    read_options,
    reference_pairs,
)
from textmine.cli.progress import progress_bar
from textmine.config import AnalysisOptions, ReportOptions, TableOptions, TextOptions, ThemeOptions


def _summary(out: Path) -> None:
    from textmine.pipeline import (
        COUNT_EMPTY,
        COUNT_NON_ANSWER,
        COUNT_THEMED,
        COUNT_UNASSIGNED,
        RunRecord,
    )

    record = RunRecord.read(out)
    for line in _theme_choices(record.themes or {}):
        typer.echo(line)
    c = record.counts
    typer.echo(
        f"{c.get(COUNT_THEMED, 0)} answers themed, {c.get(COUNT_UNASSIGNED, 0)} unassigned, "
        f"{c.get(COUNT_NON_ANSWER, 0)} non-answers, {c.get(COUNT_EMPTY, 0)} empty."
    )
    typer.echo(f"Results written to {out}")


def _theme_choices(info: dict) -> list[str]:
    """What textmine chose for the user (method, k, catch-all themes), one line each."""
    lines = []
    choice = info.get("method_choice")
    if isinstance(choice, dict) and choice.get("reason"):
        lines.append(f"Theme model (--method auto): {choice['reason']}.")
    if info.get("k_chosen_by") == "auto" and info.get("k") is not None:
        lines.append(f"Number of themes (--k auto): {info['k']}, {info.get('k_rule', '')}.")
    catch = info.get("catch_all") or {}
    split = [s for s in catch.get("splits") or [] if isinstance(s, dict) and s.get("shares_after")]
    if split:
        lines.append(
            f"{len(split)} catch-all theme(s) split (share of the answers before -> after): "
            + "; ".join(f"{s.get('theme')} {100 * float(s['share']):.0f} % -> "
                        + " + ".join(f"{100 * float(x):.0f} %" for x in s["shares_after"])
                        for s in split) + "."
        )
    folded = [o for o in catch.get("others") or [] if isinstance(o, dict)]
    if folded:
        lines.append(
            f"{len(folded)} fitted theme(s) reported as 'Divers / autres': "
            + "; ".join(f"{o.get('fitted_theme')} {o.get('reason')}" for o in folded) + "."
        )
    return lines


@app.command()
def themes(
    path: Survey,
    text_col: TextCol,
    out: OutDir,
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    k: Annotated[str, typer.Option(
        "--k", help=("Number of themes, or 'auto' to choose it. A free theme holding more than "
                     "35 % of the answers (max_theme_share of a project file's themes table) is "
                     "split, which the console and run.json say: a run may end with more themes."),
    )] = str(ThemeOptions.k),
    method: Annotated[str, typer.Option(
        "--method", help="Theme model: auto (default: chosen from the answers, said in run.json "
        "and the report), semantic (sentence embeddings + words), short, nmf or lda.",
    )] = ThemeOptions.method,
    seed: Annotated[int, typer.Option(
        "--seed", help="Random seed (reproducible).")] = ThemeOptions.seed,
    min_df: Annotated[int, typer.Option(
        "--min-df",
        help="Keep only terms found in at least this many answers (1 for very few answers).",
    )] = ThemeOptions.min_df,
    codebook: ThemeCodebook = None,
    extra_themes: Annotated[int, typer.Option(
        "--extra-themes", help="Free themes found beside the codebook's themes.",
    )] = ThemeOptions.extra_themes,
    dedupe: Annotated[bool, typer.Option(
        "--dedupe", help="Fit the themes on distinct texts (a text pasted by many respondents "
                         "counts once); every respondent is still assigned and counted.",
    )] = ThemeOptions.dedupe,
    stability: Annotated[int, typer.Option(
        "--stability", help="Bootstrap refits measuring each theme's stability (0: none; "
                            "costs about that many fits).",
    )] = ThemeOptions.stability_resamples,
    by: By = None,
    weights: Weights = None,
    effects: Effects = None,
    reference: Reference = None,
    report: Annotated[bool, typer.Option(
        "--report", help="Also write report.html/.xlsx.")] = False,
    lang: Lang = ReportOptions.lang,
    dictionary: DictionaryFile = None,
    ca: CaFlag = False,  # issue 17
    similarity: SimilarityFlag = False,  # issue 17
    jobs: Jobs = None,
    scheduler: Scheduler = None,
    force: Force = False,
) -> None:
    """Find the themes of an open question and assign them to the answers."""
    from textmine.pipeline import use_engine
    from textmine.pipeline.themes_run import run_themes

    # Every option is checked here, when built: a bad --k or --method fails before the survey
    # is read.
    options = ThemeOptions(k=k, method=method, seed=seed, extra_themes=extra_themes,
                           min_df=min_df, dedupe=dedupe, stability_resamples=stability)
    report_options = ReportOptions(lang=lang)
    read = read_options(id_col, sheet, encoding, sep, profile)
    analysis = AnalysisOptions(ca=ca, similarity=similarity)  # issue 17
    engine = engine_options(jobs, scheduler)  # issue 19
    with use_engine(engine), progress_bar(sys.stderr.isatty()) as progress:
        result = run_themes(
            path, text_col=text_col, out=out, read_options=read,
            theme_options=options, codebook_path=codebook, force=force, by=tuple(by or ()),
            weights=weights, effects=tuple(effects or ()), report=report,
            report_options=report_options, progress=progress, analysis=analysis,
            text_options=TextOptions(dictionary=str(dictionary) if dictionary else None),
            table_options=TableOptions(reference=reference_pairs(reference)),
        )  # fmt: skip
    _summary(result)


@app.command()
def apply(
    model_dir: Annotated[Path, typer.Argument(
        help="model/ folder of a finished themes run (or the run folder); without --id-col "
        "the run's id column is used when the new file has it.")],
    path: Annotated[Path, typer.Argument(
        metavar="SURVEY", help="Survey file with the answers to code.")],
    text_col: TextCol,
    out: OutDir,
    id_col: IdCol = None,
    sheet: Sheet = None,
    encoding: Encoding = None,
    sep: Sep = None,
    profile: Profile = "auto",
    jobs: Jobs = None,
    scheduler: Scheduler = None,
    force: Force = False,
) -> None:
    """Code new answers with a saved theme model (same text settings as the model's run)."""
    from textmine.pipeline import use_engine
    from textmine.pipeline.themes_run import run_apply

    engine = engine_options(jobs, scheduler)  # issue 19
    with use_engine(engine), progress_bar(sys.stderr.isatty()) as progress:
        result = run_apply(
            model_dir, path, text_col=text_col, out=out,
            read_options=read_options(id_col, sheet, encoding, sep, profile),
            force=force, progress=progress,
        )  # fmt: skip
    _summary(result)
