"""The summary of a project run: ``summary.csv``, ``summary.md`` and ``index.html``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from textmine.outputs import write_csv
from textmine.report.html import IndexEntry, render_index
from textmine.report.i18n import strings
from textmine.report.markdown import themes_table, to_markdown
from textmine.report.rundata import RunData, display_text
from textmine.runfolder import (
    COUNT_NON_ANSWER,
    INDEX_HTML,
    REINERT_DIR,
    REPORT_HTML,
    SUMMARY_CSV,
    SUMMARY_MD,
)


def summary_frame(runs: list[tuple[str, str, RunData]], *, lang: str = "fr") -> pd.DataFrame:
    """One row per open question: counts, number of themes and the themes with their shares."""
    rows = []
    for column, folder, data in runs:
        counts = data.counts()
        k, _ = data.k_choice(lang)
        total = counts["answers_ok"]
        themes = data.themes.sort_values("n_answers", ascending=False)
        rows.append({
            "question": column,
            "label": data.question(),
            "folder": folder,
            "respondents": counts["respondents"],
            "answers_ok": total,
            "themed": counts["themed"],
            "unassigned": counts["unassigned"],
            # summary.csv keeps its user-facing column name.
            "non_answers": counts[COUNT_NON_ANSWER],
            "empty": counts["empty"],
            "k": k,
            "themes": "; ".join(
                f"{display_text(label)} ({100 * n / total:.0f} %)" if total else display_text(label)
                for label, n in zip(themes["label"], themes["n_answers"], strict=True)),
        })
    return pd.DataFrame(rows)


def write_summary(folder: Path, runs: list[tuple[str, str, RunData]], *, title: str,
                  lang: str = "fr") -> list[Path]:
    """Write ``summary.csv``, ``summary.md`` and ``index.html`` of a project run into ``folder``."""
    words = strings(lang)
    summary = summary_frame(runs, lang=lang)
    written = [write_csv(summary, folder / SUMMARY_CSV)]
    parts = [f"# {title}\n", to_markdown(summary.drop(columns=["themes"]))]
    for column, _, data in runs:
        parts.append(f"\n## {data.question()} (`{column}`)\n")
        parts.append(to_markdown(themes_table(data, lang=lang)))
    (folder / SUMMARY_MD).write_text("\n".join(parts), encoding="utf-8")
    written.append(folder / SUMMARY_MD)
    entries = []
    for _column, name, data in runs:
        counts = data.counts()
        total = counts["answers_ok"]
        themes = data.themes.sort_values("n_answers", ascending=False)
        entries.append(IndexEntry(
            question=data.question(), folder=name, respondents=counts["respondents"],
            answers_ok=total, k=data.k_choice(lang)[0],
            themes=tuple((int(tid), display_text(label), n / total if total else 0.0)
                         for tid, label, n in zip(themes["theme_id"], themes["label"],
                                                  themes["n_answers"], strict=True)),
            # [reinert] of the project: <question>/reinert/ has its own report
            sub_reports=tuple(sub for sub in (REINERT_DIR,)
                              if (folder / name / sub / REPORT_HTML).is_file()),
        ))
    page = render_index(entries, title=title or words["index_title"], lang=lang)
    (folder / INDEX_HTML).write_text(page, encoding="utf-8")
    written.append(folder / INDEX_HTML)
    return written
