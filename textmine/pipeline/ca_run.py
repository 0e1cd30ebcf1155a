"""``textmine ca`` and ``textmine similarity`` (issue 17), and the ``--ca`` / ``--similarity``
steps of ``themes`` and ``run``. Orchestration only: the computations live in
:mod:`textmine.tables.ca` and :mod:`textmine.tables.similarity`, the figures in
:mod:`textmine.report.analysis_figures`.

SURVEY_OR_RUN is either a survey file (the answers are parsed, with the parse cache) or the folder
of a finished ``themes`` run (its ``run.json`` names the survey and how it was read; its
``terms.csv`` gives the terms without parsing again; its ``answers.csv`` the themes) or of a
finished ``reinert`` run (its ``segments.csv`` gives each segment's class: ``--rows classes``
counts the segments of each class in each modality, as IRaMuTeQ's CA after a classification).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import networkx as nx
import pandas as pd

from textmine.config import AnalysisOptions, ReadOptions, ReportOptions, TextOptions
from textmine.errors import DataError, InputFileError, OptionError
from textmine.outputs import atomic_output_dir, atomic_write
from textmine.report.analysis_figures import factor_map, scree_plot, similarity_graph
from textmine.runfolder import (
    ANSWERS_CSV,
    CA_COLUMNS_CSV,
    CA_EIGENVALUES_CSV,
    CA_MAP,
    CA_ROWS_CSV,
    CA_SCREE,
    CA_TABLE_CSV,
    CLASSES_CSV,
    EDGES_CSV,
    NODES_CSV,
    OK,
    SEGMENTS_CSV,
    SIMILARITY_GEXF,
    SIMILARITY_GRAPH,
    SIMILARITY_GRAPHML,
    TERMS_CSV,
    THEMES_CSV,
    RunRecord,
    input_block,
    read_run_csv,
    run_read_options,
    run_survey_path,
    write_run_csv,
)
from textmine.survey import Survey, closed_question, open_answers, read_survey
from textmine.tables.ca import CAResult, correspondence_analysis, indicator, lexical_table
from textmine.tables.similarity import GENERIC_TERMS, SimilarityResult, similarity_analysis
from textmine.text.corpus import process_answers

logger = logging.getLogger(__name__)


@dataclass
class AnalysisInput:
    """What both analyses read: the survey, the terms of each answer, the run's themes."""

    survey: Survey
    text_col: str
    ids: list[str]
    terms: list[list[str]]
    answers: pd.DataFrame | None = None   # answers.csv of a run folder
    themes: pd.DataFrame | None = None    # themes.csv of a run folder
    source: Path | None = None
    segments: pd.DataFrame | None = None  # segments.csv of a Reinert run (segment classes)
    classes: pd.DataFrame | None = None   # classes.csv of a Reinert run (labels)


def load_input(path: str | Path, *, text_col: str | None = None,
               read_options: ReadOptions = ReadOptions(),
               text_options: TextOptions = TextOptions(), cache_dir: Path | None = None,
               progress: Callable[[int, int], None] | None = None) -> AnalysisInput:
    """Read a survey file (and parse its answers) or a finished run folder."""
    path = Path(path)
    if path.is_dir():
        record = RunRecord.read(path)
        if record.command in ("ca", "similarity"):
            # An analysis' own output holds no terms nor themes: the likely slip is --out given
            # as the input; re-reading its survey silently would hide it.
            raise InputFileError(
                f"{path} is the output folder of a `textmine {record.command}` run, not a run "
                "to analyse; give the survey file, or the folder of a themes, parse or Reinert "
                "run.")
        survey_path = run_survey_path(record, path)
        recorded = record.input.get("text_col")
        if text_col and recorded and text_col != recorded:
            raise OptionError(f"--text-col {text_col} differs from the run's question "
                              f"{recorded}; omit --text-col with a run folder.")
        text_col = text_col or recorded
        survey = read_survey(survey_path, options=run_read_options(record))
        frame = read_run_csv(path, TERMS_CSV, required=False)
        if frame is not None:
            ok = frame[frame["status"] == OK]
            ids = ok["respondent_id"].astype(str).tolist()
            terms = [str(t).split() if isinstance(t, str) else [] for t in ok["terms"]]
        else:
            corpus = process_answers(open_answers(survey, str(text_col)), options=text_options,
                                     cache_dir=cache_dir, progress=progress)
            ids, terms = corpus.ids, corpus.terms
        reinert_run = record.command == "reinert"
        return AnalysisInput(survey, str(text_col), ids, terms,
                             answers=read_run_csv(path, ANSWERS_CSV, required=False),
                             themes=None if reinert_run else read_run_csv(
                                 path, THEMES_CSV, required=False),
                             source=survey_path,
                             segments=read_run_csv(path, SEGMENTS_CSV, required=False)
                             if reinert_run else None,
                             classes=read_run_csv(path, CLASSES_CSV, required=False)
                             if reinert_run else None)
    if not text_col:
        raise OptionError("--text-col is required with a survey file; give the open question.")
    survey = read_survey(path, options=read_options)
    corpus = process_answers(open_answers(survey, text_col), options=text_options,
                             cache_dir=cache_dir, progress=progress)
    keep = [i for i, s in enumerate(corpus.status) if s == OK]
    return AnalysisInput(survey, text_col, [corpus.ids[i] for i in keep],
                         [list(corpus.terms[i]) for i in keep], source=path)


def modality_table(survey: Survey, columns: Sequence[str], *, prefix: bool | None = None
                   ) -> pd.DataFrame:
    """Indicator table (respondents x modalities) of closed questions, side by side."""
    prefix = len(columns) > 1 if prefix is None else prefix
    parts = []
    for column in columns:
        q = survey.question(column)
        if q.kind in ("numeric", "weight"):
            raise OptionError(f"Question '{column}' is numeric; a correspondence analysis needs "
                              "a question with modalities (single, ordinal or multiple).")
        values = closed_question(survey, column)
        if isinstance(values, pd.DataFrame):  # multiple choice: one 0/1 column per option
            frame = values.fillna(0).astype(float)
            frame.columns = [f"{q.name}={c}" if prefix else str(c) for c in frame.columns]
        else:
            frame = indicator(values, q.name, prefix=prefix)
        parts.append(frame)
    table = pd.concat(parts, axis=1)
    table.index = table.index.astype(str)
    return table


def _theme_rows(data: AnalysisInput, groups: pd.DataFrame) -> pd.DataFrame:
    if data.answers is None or data.themes is None:
        raise OptionError("--rows themes needs the folder of a finished themes run "
                          "(answers.csv, themes.csv), not a survey file.")
    names = {int(t): f"{int(t)}. {label}" for t, label in
             zip(data.themes["theme_id"], data.themes["label"], strict=True)}
    member = pd.DataFrame(0.0, index=data.answers["respondent_id"].astype(str),
                          columns=list(names.values()))
    for rid, ids in zip(member.index, data.answers["themes"], strict=True):
        for tid in str(ids).split(";") if isinstance(ids, str) and ids else ():
            if tid.strip().isdecimal() and int(tid) in names:
                member.loc[rid, names[int(tid)]] = 1.0
    G = groups.reindex(member.index).fillna(0.0)
    return pd.DataFrame(member.T.to_numpy() @ G.to_numpy(), index=member.columns,
                        columns=groups.columns)


def _class_rows(data: AnalysisInput, groups: pd.DataFrame) -> pd.DataFrame:
    """Classes x modalities: the segments of each class counted in their respondent's modality.

    IRaMuTeQ's CA after a Reinert classification crosses the classes of the text segments with
    the starred variables of their text; a respondent's segments all carry the respondent's
    answers to the closed questions. Class 0 (*non classés*) is left out.
    """
    if data.segments is None or data.classes is None:
        raise OptionError("--rows classes needs the folder of a finished Reinert run "
                          "(textmine reinert: segments.csv, classes.csv), not a survey file "
                          "or a themes run.")
    # classes.csv labels already carry the class number ("Classe 1 : vélo, bus")
    labels = {int(c): label if isinstance(label, str) and label else f"Classe {int(c)}"
              for c, label in zip(data.classes["class"],
                                  data.classes.get("label", data.classes["class"]), strict=True)}
    seg = data.segments
    cls = pd.to_numeric(seg["class"], errors="coerce").fillna(0).astype(int)
    keep = cls > 0
    rids = seg.loc[keep, "respondent_id"].astype(str)
    G = groups.reindex(rids.to_numpy()).fillna(0.0)
    G.index = cls[keep].to_numpy()
    table = G.groupby(level=0).sum()  # sorted by class number
    table.index = [labels.get(int(c), f"Classe {int(c)}") for c in table.index]
    return table


def compute_ca(data: AnalysisInput, *, by: Sequence[str], supplementary: Sequence[str] = (),
               options: AnalysisOptions = AnalysisOptions()) -> CAResult:
    """The CA of the run or survey: terms (or themes) x modalities of ``by``.

    Modalities without any count and terms without any count in the active modalities are left
    out (a closed question's unused levels); supplementary columns are the modalities of the
    ``supplementary`` questions.
    """
    if not by:
        raise OptionError("A correspondence analysis needs --by COL (a closed question).")
    both = [col for col in supplementary if col in by]
    if both:
        # Projected on axes it built, an active question would only repeat its own coordinates.
        raise OptionError(f"--supplementary {both[0]} is already an active question (--by); "
                          "give another closed question as supplementary, or leave it out.")
    several = len(by) + len(supplementary) > 1
    groups = modality_table(data.survey, by, prefix=several)
    sup_groups = (modality_table(data.survey, supplementary, prefix=several)
                  if supplementary else None)
    if options.rows == "themes":
        table = _theme_rows(data, groups)
        sup = _theme_rows(data, sup_groups) if sup_groups is not None else None
    elif options.rows == "classes":
        table = _class_rows(data, groups)
        sup = _class_rows(data, sup_groups) if sup_groups is not None else None
    else:
        table = lexical_table(data.terms, data.ids, groups, min_freq=options.min_freq)
        sup = (lexical_table(data.terms, data.ids, sup_groups, vocabulary=list(table.index))
               if sup_groups is not None else None)
    table = table.loc[:, table.sum(axis=0) > 0]
    table = table.loc[table.sum(axis=1) > 0]
    if sup is not None:
        sup = sup.reindex(table.index)
    if options.rows == "terms" and len(table) < 3:
        raise DataError(f"Only {len(table)} term(s) occur at least {options.min_freq} times in "
                        "the answers of these modalities; lower --min-freq (a CA needs 3 terms).")
    if options.rows == "classes" and len(table) < 3:
        # 2 classes give one axis (min(rows, columns) - 1): no factor map can be drawn.
        raise DataError(f"Only {len(table)} class(es) have segments in these modalities; a CA "
                        "of classes needs 3 classes or more (a larger --k).")
    if options.rows == "themes" and len(table) < 3:
        raise DataError(f"Only {len(table)} theme(s) have answers in these modalities; a CA "
                        "of themes needs 3 themes or more (a run with a larger --k).")
    result = correspondence_analysis(table, supplementary_columns=sup)
    if result.n_axes < 2:
        # min(rows, columns) - 1 axes: choosing other axes cannot help, the table must grow.
        n_rows, n_cols = table.shape
        more_rows = {"classes": "a larger --k", "themes": "a run with a larger --k",
                     "terms": "a lower --min-freq"}[options.rows]
        fix = ("give a --by question with 3 modalities or more, or add another --by question"
               if n_cols < 3 else f"{more_rows} (3 {options.rows} or more)")
        raise DataError(
            f"The table of {n_rows} {options.rows} x {n_cols} modalities of {', '.join(by)} "
            f"has only {result.n_axes} axis; a factor map needs 2: {fix}.")
    if max(options.axes) > result.n_axes:
        raise OptionError(f"--axes {options.axes[0]} {options.axes[1]}: this table has only "
                          f"{result.n_axes} axes; choose axes up to {result.n_axes}.")
    result.info.update({"rows_kind": options.rows, "by": list(by),
                        "supplementary": list(supplementary), "min_freq": options.min_freq})
    return result


def write_ca(folder: Path, result: CAResult, *, options: AnalysisOptions = AnalysisOptions(),
             lang: str = "fr", title: str = "") -> list[Path]:
    """Write the CA files (run-folder contract names) and figures into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    table = result.table.copy()
    table.insert(0, "label", table.index.astype(str))
    written = [
        write_run_csv(table.reset_index(drop=True), folder, CA_TABLE_CSV),
        write_run_csv(result.eigenvalues, folder, CA_EIGENVALUES_CSV),
        write_run_csv(result.rows, folder, CA_ROWS_CSV),
        write_run_csv(result.columns, folder, CA_COLUMNS_CSV),
    ]
    written += factor_map(result.eigenvalues, result.rows, result.columns, folder / CA_MAP,
                          axes=options.axes, lang=lang, title=title,
                          all_rows=options.rows != "terms")
    written += scree_plot(result.eigenvalues, folder / CA_SCREE, lang=lang)
    return written


def compute_similarity(data: AnalysisInput, *, by: str | None = None,
                       modality: str | None = None,
                       options: AnalysisOptions = AnalysisOptions()) -> SimilarityResult:
    """Similarity analysis of the answers, or of the answers of one modality of ``by``."""
    terms = data.terms
    if (by is None) != (modality is None):
        raise OptionError("Give --by COL and --modality M together for a sub-corpus.")
    if by is not None:
        values = closed_question(data.survey, by)
        if isinstance(values, pd.DataFrame):
            if modality not in values.columns:
                raise OptionError(f"--modality {modality!r} is not an option of {by}; options: "
                                  f"{', '.join(map(str, values.columns))}.")
            chosen = set(values.index[values[modality].fillna(0).astype(int) == 1].astype(str))
        else:
            seen = sorted(values.dropna().astype(str).unique())
            if modality not in seen:
                raise OptionError(f"--modality {modality!r} is not a modality of {by}; "
                                  f"modalities: {', '.join(seen)}.")
            chosen = set(values.index[values.astype("string") == modality].astype(str))
        terms = [t for i, t in zip(data.ids, data.terms, strict=True) if i in chosen]
    drop = GENERIC_TERMS if options.drop_generic else frozenset()
    result = similarity_analysis(terms, top=options.top, index=options.index, seed=options.seed,
                                 drop=drop)
    result.info.update({"by": by, "modality": modality})
    return result


def write_similarity(folder: Path, result: SimilarityResult, *, lang: str = "fr",
                     title: str = "") -> list[Path]:
    """Write nodes.csv, edges.csv, GraphML, GEXF and the figure into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_run_csv(result.nodes, folder, NODES_CSV),
               write_run_csv(result.edges, folder, EDGES_CSV)]
    for name, writer in ((SIMILARITY_GRAPHML, nx.write_graphml),
                         (SIMILARITY_GEXF, nx.write_gexf)):
        written.append(atomic_write(folder / name,
                                    lambda tmp, w=writer: w(result.graph, str(tmp))))
    written += similarity_graph(result.nodes, result.edges, folder / SIMILARITY_GRAPH,
                                lang=lang, title=title)
    return written


def _record(command: str, data: AnalysisInput, settings: dict, info: dict) -> RunRecord:
    return RunRecord(command=command, settings=settings,
                     input=input_block(data.survey.source, text_col=data.text_col),
                     counts={"answers_ok": len(data.ids)}, extra={command: info})


def run_ca(path: str | Path, *, out: str | Path, text_col: str | None = None,
           by: Sequence[str] = (), supplementary: Sequence[str] = (),
           options: AnalysisOptions = AnalysisOptions(),
           read_options: ReadOptions = ReadOptions(), text_options: TextOptions = TextOptions(),
           report_options: ReportOptions = ReportOptions(), force: bool = False,
           cache_dir: Path | None = None,
           progress: Callable[[int, int], None] | None = None) -> Path:
    """``textmine ca``: CA of a survey file or run folder, written into ``out``."""
    out = Path(out)
    with atomic_output_dir(out, force=force, inputs=[path]) as tmp:
        data = load_input(path, text_col=text_col, read_options=read_options,
                          text_options=text_options, cache_dir=cache_dir, progress=progress)
        result = compute_ca(data, by=by, supplementary=supplementary, options=options)
        write_ca(tmp, result, options=options, lang=report_options.lang, title=data.text_col)
        _record("ca", data, {"analysis": asdict(options), "by": list(by),
                             "supplementary": list(supplementary)}, result.info).write(tmp)
    return out


def run_similarity(path: str | Path, *, out: str | Path, text_col: str | None = None,
                   by: str | None = None, modality: str | None = None,
                   options: AnalysisOptions = AnalysisOptions(),
                   read_options: ReadOptions = ReadOptions(),
                   text_options: TextOptions = TextOptions(),
                   report_options: ReportOptions = ReportOptions(), force: bool = False,
                   cache_dir: Path | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Path:
    """``textmine similarity``: similarity graph of a survey file or run folder into ``out``."""
    out = Path(out)
    with atomic_output_dir(out, force=force, inputs=[path]) as tmp:
        data = load_input(path, text_col=text_col, read_options=read_options,
                          text_options=text_options, cache_dir=cache_dir, progress=progress)
        result = compute_similarity(data, by=by, modality=modality, options=options)
        title = data.text_col + (f" — {by} = {modality}" if by else "")
        write_similarity(tmp, result, lang=report_options.lang, title=title)
        _record("similarity", data, {"analysis": asdict(options), "by": by,
                                     "modality": modality}, result.info).write(tmp)
    return out


def write_analyses(folder: Path, survey: Survey, *, text_col: str, ids: Sequence[str],
                   terms: Sequence[Sequence[str]], answers: pd.DataFrame,
                   themes: pd.DataFrame | None, by: Sequence[str], options: AnalysisOptions,
                   lang: str = "fr", segments: pd.DataFrame | None = None,
                   classes: pd.DataFrame | None = None) -> dict:
    """The ``--ca`` / ``--similarity`` step of ``themes``, ``reinert`` and ``run``: writes
    ``folder/ca/`` and ``folder/similarity/``; returns what run.json records. A CA that cannot
    be made (too few terms, one modality) is said in the log and in the record, not fatal.
    A Reinert run passes its ``segments`` and ``classes`` (``options.rows == "classes"``)."""
    from textmine.runfolder import CA_DIR, SIMILARITY_DIR

    data = AnalysisInput(survey, text_col, list(ids), [list(t) for t in terms],
                         answers=answers, themes=themes, segments=segments, classes=classes)
    record: dict = {}
    if options.ca:
        if not by and not options.ca_by:
            raise OptionError("--ca needs --by COL (the closed questions whose modalities "
                              "are the columns of the table).")
        # [analysis] ca_by chooses the CA columns; else the tables' questions with modalities
        ca_by = list(options.ca_by) or [
            b for b in by if survey.question(b).kind not in ("numeric", "weight")]
        left_out = [b for b in by if b not in ca_by] if not options.ca_by else []
        if left_out:
            logger.info("CA of %s: numeric question(s) %s left out of the columns", text_col,
                        ", ".join(left_out))
        try:
            if not ca_by:
                raise DataError(f"no closed question with modalities among {', '.join(by)}")
            result = compute_ca(data, by=ca_by, options=options)
            write_ca(folder / CA_DIR, result, options=options, lang=lang, title=text_col)
            record["ca"] = result.info
        except (DataError, OptionError) as exc:  # e.g. 2 classes: one axis, no map
            logger.warning("No correspondence analysis for %s: %s", text_col, exc)
            record["ca"] = {"skipped": str(exc)}
    if options.similarity:
        try:
            sim = compute_similarity(data, options=options)
            write_similarity(folder / SIMILARITY_DIR, sim, lang=lang, title=text_col)
            record["similarity"] = sim.info
        except DataError as exc:
            logger.warning("No similarity analysis for %s: %s", text_col, exc)
            record["similarity"] = {"skipped": str(exc)}
    return record


__all__ = ["compute_ca", "compute_similarity", "load_input", "run_ca", "run_similarity",
           "write_analyses", "write_ca", "write_similarity"]
