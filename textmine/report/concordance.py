"""Concordance files (CSV, workbook, HTML page) and the small concordances of the HTML report.

:func:`write_concordance` writes the lines of ``textmine concordance`` in the format of the file
name: ``.csv`` (UTF-8, formula-like cells made inert), ``.xlsx`` (one sheet, saved
byte-identically by :func:`textmine.workbook.save_workbook`) or ``.html`` (a self-contained page
rendered with the report's jinja2 environment: autoescape on, no script).
:func:`report_concordances` gives each top term of each theme a few lines for the report (see
:func:`textmine.text.concordance.feature_spans`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from textmine.errors import OptionError, OutputError
from textmine.outputs import append_inert, atomic_write, write_csv
from textmine.runfolder import SEGMENTS_CSV, TERMS_CSV, read_run_csv
from textmine.text.concordance import LINE_COLUMNS, feature_spans, kwic
from textmine.workbook import save_workbook

#: Output formats, by file suffix.
FORMATS = (".csv", ".xlsx", ".html")
#: Lines shown per top term in the report, and words of context each side.
REPORT_LINES = 3
REPORT_WINDOW = 6

_HEAD = {
    "fr": {"respondent_id": "Répondant", "left": "Contexte gauche", "keyword": "Mot",
           "right": "Contexte droit", "title": "Concordance"},
    "en": {"respondent_id": "Respondent", "left": "Left context", "keyword": "Keyword",
           "right": "Right context", "title": "Concordance"},
}


def check_format(path: str | Path) -> str:
    """The format of an output file name (``.csv``, ``.xlsx`` or ``.html``).

    Raises
    ------
    OptionError
        For any other suffix.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise OptionError(f"--out {path} must end with .csv, .xlsx or .html (the format of the "
                          "concordance).")
    return suffix


def replace_file(path: Path, force: bool, write: Callable[[Path], object]) -> Path:
    """Write ``path`` through ``write(tmp)``, replacing an existing file only with ``force``."""
    if path.is_dir():
        raise OutputError(f"Output path {path} is a folder; give a file name ending with .csv, "
                          ".xlsx or .html.")
    if path.exists() and not force:
        raise OutputError(f"Output file {path} already exists; use --force to replace it.")
    with contextlib.suppress(OSError):  # a file in the way: atomic_write says it in one line
        path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, write)


def _xlsx(lines: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Concordance"
    append_inert(ws, [str(c) for c in lines.columns])
    for row in lines.itertuples(index=False):
        append_inert(ws, ["" if not isinstance(v, (int, float)) and pd.isna(v) else v
                          for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = {"respondent_id": 14, "left": 60, "keyword": 20, "right": 60}
    for j, col in enumerate(lines.columns, start=1):
        letter = ws.cell(row=1, column=j).column_letter
        ws.column_dimensions[letter].width = widths.get(str(col), 18)
    right = Alignment(horizontal="right")
    if "left" in lines.columns:
        j = list(lines.columns).index("left") + 1
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            cell.alignment = right
    save_workbook(wb, path)


_CAPTION = {
    "fr": {"lemma": "lemme", "exact": "forme exacte", "form": "forme",
           "right": "contexte droit", "left": "contexte gauche", "modality": "modalité",
           "line": ("{n} ligne dans {a} réponse", "{n} lignes dans {a} réponses"),
           "sorted": "triées par {sort}"},
    "en": {"lemma": "lemma", "exact": "exact form", "form": "form",
           "right": "right context", "left": "left context", "modality": "modality",
           "line": ("{n} line in {a} answer", "{n} lines in {a} answers"),
           "sorted": "sorted by {sort}"},
}


def concordance_caption(term: str, *, mode: str, column: str, source: str, n_lines: int,
                        n_answers: int, sort: str, lang: str = "fr") -> str:
    """The line under the title of a concordance page, in the page's language.

    ``mode`` is ``lemma``, ``exact`` or ``form``; ``sort`` ``right``, ``left`` or ``modality``.
    """
    words = _CAPTION.get(lang, _CAPTION["fr"])
    one, many = words["line"]
    counts = (one if n_lines == 1 else many).format(n=n_lines, a=n_answers)
    if lang == "fr" and n_lines != 1 and n_answers == 1:
        counts = counts.replace("réponses", "réponse")
    if lang == "en" and n_lines != 1 and n_answers == 1:
        counts = counts.replace("answers", "answer")
    sorted_by = words["sorted"].format(sort=words.get(sort, sort))
    return f"{term} ({words.get(mode, mode)}) · {column} · {source} · {counts} · {sorted_by}"


def render_concordance(lines: pd.DataFrame, *, title: str, caption: str, by: Sequence[str] = (),
                       lang: str = "fr") -> str:
    """The HTML page of a concordance (self-contained, every value escaped)."""
    from textmine.report.html import _page

    head = _HEAD.get(lang, _HEAD["fr"])
    rows = [{"respondent_id": r["respondent_id"], "left": r["left"], "keyword": r["keyword"],
             "right": r["right"], "by": [r[c] for c in by]}
            for r in lines.to_dict("records")]
    return _page("concordance.html", lang=lang, title=head["title"], question=title, meta="",
                 toc=[], caption=caption, head=head, by=list(by), lines=rows)


def write_concordance(lines: pd.DataFrame, path: str | Path, *, title: str = "",
                      caption: str = "", by: Sequence[str] = (), lang: str = "fr",
                      force: bool = False) -> Path:
    """Write concordance ``lines`` to ``path`` in the format of its suffix.

    Parameters
    ----------
    lines : DataFrame
        ``respondent_id``, ``left``, ``keyword``, ``right`` and the ``by`` columns.
    path : str or Path
        ``.csv``, ``.xlsx`` or ``.html`` file (replaced only with ``force``).
    title, caption : str
        Shown at the top of the HTML page (the searched term, the counts).
    by : sequence of str
        Closed-question columns of ``lines``.
    lang : {"fr", "en"}
        Language of the HTML page's headers.
    force : bool
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    suffix = check_format(path)
    if suffix == ".csv":
        return replace_file(path, force, lambda tmp: write_csv(lines, tmp))
    if suffix == ".xlsx":
        return replace_file(path, force, lambda tmp: _xlsx(lines, tmp))
    page = render_concordance(lines, title=title, caption=caption, by=by, lang=lang)
    return replace_file(path, force, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def report_concordances(folder: Path, themes: pd.DataFrame, answers: pd.DataFrame, *,
                        n_lines: int = REPORT_LINES,
                        window: int = REPORT_WINDOW) -> dict[int, list[dict]]:
    """A few concordance lines for each top term of each theme (the report's ``<details>``).

    Answers of the theme (primary theme first) whose features (``terms.csv``) hold the term, the
    term located in their masked text by :func:`textmine.text.concordance.feature_spans`.

    Returns
    -------
    dict of int to list of dict
        Theme id -> ``[{"term", "lines": [{left, keyword, right, respondent_id}]}]`` in the
        order of ``top_terms`` (terms without a located line have no lines). Empty when the
        run folder has no ``terms.csv``.
    """
    if not (folder / TERMS_CSV).is_file() or "top_terms" not in themes.columns:
        return {}
    terms = read_run_csv(folder, TERMS_CSV)
    features = {str(r): set(str(t).split()) if isinstance(t, str) else set()
                for r, t in zip(terms["respondent_id"], terms["terms"], strict=True)}
    texts = dict(zip(answers["respondent_id"].astype(str),
                     answers["text"].fillna("").astype(str), strict=True))
    primary = answers["theme_id"] if "theme_id" in answers.columns else pd.Series(dtype="Int64")
    out: dict[int, list[dict]] = {}
    for _, row in themes.iterrows():
        tid = int(row["theme_id"])
        mine = [str(r) for r, t in zip(answers["respondent_id"], primary, strict=True)
                if not pd.isna(t) and int(t) == tid]
        mine_set = set(mine)
        others = [r for r in texts if r not in mine_set]
        blocks = []
        top = row["top_terms"] if isinstance(row["top_terms"], str) else ""
        for term in (t.strip() for t in top.split(";")):
            if not term:
                continue
            lines: list[dict] = []
            for rid in (*mine, *others):
                if term not in features.get(rid, ()):
                    continue
                spans = feature_spans(texts.get(rid, ""), term)
                lines.extend(kwic(rid, texts[rid], spans[:1], window=window))
                if len(lines) >= n_lines:
                    break
            blocks.append({"term": term.replace("_", " "), "lines": lines})
        out[tid] = blocks
    return out


def class_concordances(folder: Path, terms: dict[int, list[str]], *,
                       n_lines: int = REPORT_LINES, window: int = REPORT_WINDOW,
                       max_scan: int = 5000) -> dict[int, list[dict]]:
    """A few concordance lines for each profile term of each Reinert class (the report's
    ``<details>``, as :func:`report_concordances` for themes).

    A Reinert run keeps no per-answer terms: the lines come from its ``segments.csv``, the
    segments of the class (an over-represented term occurs there; at most ``max_scan`` of them
    are searched per term, so a large run stays quick), the term located in the segment text
    by :func:`textmine.text.concordance.feature_spans` (only located lines are shown).

    Parameters
    ----------
    folder : Path
        The Reinert run folder.
    terms : dict of int to list of str
        Class -> its profile terms, in the order shown.

    Returns
    -------
    dict of int to list of dict
        Class -> ``[{"term", "lines": [{left, keyword, right, respondent_id}]}]`` aligned with
        ``terms[class]``. Empty when the folder has no ``segments.csv``.
    """
    segments = read_run_csv(folder, SEGMENTS_CSV, required=False)
    if segments is None or not len(segments):
        return {}
    klass = pd.to_numeric(segments["class"], errors="coerce").fillna(0).astype(int).to_numpy()
    rids = segments["respondent_id"].astype(str).tolist()
    texts = segments["text"].fillna("").astype(str).tolist()
    out: dict[int, list[dict]] = {}
    for label, wanted in terms.items():
        order = [i for i in range(len(texts)) if klass[i] == label][:max_scan]
        blocks = []
        for term in wanted:
            lines: list[dict] = []
            for i in order:
                spans = feature_spans(texts[i], term)
                if spans:
                    lines.extend(kwic(rids[i], texts[i], spans[:1], window=window))
                    if len(lines) >= n_lines:
                        break
            blocks.append({"term": term.replace("_", " "), "lines": lines})
        out[label] = blocks
    return out


__all__ = ["FORMATS", "LINE_COLUMNS", "check_format", "class_concordances",
           "render_concordance", "report_concordances", "write_concordance"]
