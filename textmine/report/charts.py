"""Charts of the report (matplotlib, Agg backend): prevalence with 95 % intervals, k selection."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from textmine.report.i18n import heading, strings  # noqa: E402
from textmine.report.markdown import theme_rows  # noqa: E402
from textmine.report.rundata import display_text  # noqa: E402
from textmine.tables.stats import wilson_interval  # noqa: E402  (re-exported for html.py)

#: Resolution of the PNG files (the HTML shows them at half size for sharp text).
DPI = 110

__all__ = ["group_prevalence_chart", "prevalence_chart", "wilson_interval", "xerr"]


def xerr(share: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Error-bar lengths ``[share - low, high - share]`` in percent, never negative.

    matplotlib refuses negative lengths; a weighted share or float rounding can put the estimate
    a hair outside its interval, which must draw as a zero-length bar, not crash the report.
    """
    return np.maximum(0.0, 100 * np.vstack([share - low, high - share]))


def _plain(label: object) -> str:
    # Matplotlib reads text between two "$" as math: "5$ à 10$" would fail to render.
    return str(label).replace("$", r"\$")


def _short(label: str, width: int = 34) -> str:
    return _plain(textwrap.shorten(str(label), width=width, placeholder="…"))


def _wrap(label: str, width: int = 22) -> str:
    """Wrap a group name on at most two lines (long French modality names are common)."""
    lines = textwrap.wrap(str(label), width=width) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width=width, placeholder="…")]
    return _plain("\n".join(lines))


def prevalence_chart(
    themes: pd.DataFrame, total: int, colours: dict[int, str], path: Path, *, lang: str = "fr",
    classes: bool = False,
) -> Path:
    """Horizontal bars of theme prevalence with 95 % Wilson intervals.

    Parameters
    ----------
    themes : DataFrame
        ``theme_id, label, n_answers``.
    total : int
        Denominator of the shares (usable answers).
    colours : dict
        Theme id -> colour.
    path : Path
        PNG file to write.
    classes : bool
        The groups are Reinert classes (titles say classes, not themes).
    """
    words = strings(lang, classes=classes)
    table = themes.sort_values("theme_id")
    n = table["n_answers"].to_numpy(float)
    share = n / total if total else np.zeros_like(n)
    low, high = wilson_interval(n, np.full_like(n, total))
    y = np.arange(len(table))[::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(table) + 1.3), dpi=DPI)
    ax.barh(y, 100 * share, color=[colours[int(t)] for t in table["theme_id"]], height=0.65)
    ax.errorbar(100 * share, y, xerr=xerr(share, low, high), fmt="none",
                ecolor="#333333", capsize=3, lw=1)
    ax.set_yticks(y, [f"{int(t)}. {_short(display_text(lab))}" for t, lab in
                      zip(table["theme_id"], table["label"], strict=True)])
    ax.set_xlabel(words["share_axis"])
    ax.set_xlim(0, min(100, max(5.0, float(np.nanmax(100 * high, initial=0)) * 1.1)))
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(words["prevalence_chart"], loc="left", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def group_prevalence_chart(
    crosstab: pd.DataFrame,
    colours: dict[int, str],
    path: Path,
    *,
    variable: str,
    lang: str = "fr",
) -> Path:
    """Small multiples, one panel per theme: share of each group mentioning it, with 95 % CIs.

    Parameters
    ----------
    crosstab : DataFrame
        ``theme_id, label, modality, n, n_modality`` (crosstab_<COL>.csv).
    colours : dict
        Theme id -> colour (each panel is drawn in its theme's colour).
    path : Path
        PNG file to write.
    variable : str
        Name of the closed question (panel titles).
    """
    words = strings(lang)
    crosstab = theme_rows(crosstab)
    theme_ids = list(dict.fromkeys(crosstab["theme_id"].astype(int)))
    modalities = list(dict.fromkeys(crosstab["modality"].astype(str)))
    ncols = min(3, len(theme_ids))
    nrows = math.ceil(len(theme_ids) / ncols)
    height = max(1.6, 0.42 * len(modalities) + 0.9)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.0 * ncols + 1.2, height * nrows + 0.6),
                             dpi=DPI, squeeze=False, sharex=True)
    y = np.arange(len(modalities))[::-1]
    for ax in axes.flat[len(theme_ids):]:
        ax.set_visible(False)
    ticks = [_wrap(display_text(m)) for m in modalities]
    for i, (ax, theme_id) in enumerate(zip(axes.flat, theme_ids, strict=False)):
        sub = crosstab[crosstab["theme_id"].astype(int) == theme_id]
        label = display_text(sub["label"].iloc[0])
        rows = sub.set_index(sub["modality"].astype(str)).reindex(modalities)
        tot = rows["n_modality"].to_numpy(float)
        share = rows["share"].to_numpy(float)
        # With survey weights the share is weighted; the interval then uses the unweighted size.
        low, high = wilson_interval(share * tot, tot)
        colour = colours.get(theme_id, "#666666")
        ax.barh(y, 100 * share, color=colour, height=0.6)
        ax.errorbar(100 * share, y, xerr=xerr(share, low, high),
                    fmt="none", ecolor="#333333", capsize=2.5, lw=0.9)
        # Groups are the same in every panel: name them once, on the left of each row.
        ax.set_yticks(y, ticks if i % ncols == 0 else [], fontsize=8)
        ax.set_title(_short(f"{theme_id}. {label}", 40), fontsize=9,
                     loc="left", color=colour)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(axis="x", labelsize=8)
    # The lowest drawn panel of each column carries the axis (hidden panels leave gaps).
    for col in range(ncols):
        last = max(r for r in range(nrows) if r * ncols + col < len(theme_ids))
        axes[last, col].xaxis.set_tick_params(labelbottom=True)
        axes[last, col].set_xlabel("%", fontsize=8)
    fig.suptitle(heading(words["by_group_chart"], _short(variable, 50), lang),
                 x=0.01, ha="left", fontsize=11)
    # Fixed margins in inches instead of tight_layout, which is slow with many panels.
    width, tall = fig.get_size_inches()
    fig.subplots_adjust(left=1.55 / width, right=1 - 0.25 / width, top=1 - 0.65 / tall,
                        bottom=0.55 / tall, wspace=0.12, hspace=0.6 / max(height - 0.6, 0.5))
    fig.savefig(path)
    plt.close(fig)
    return path


def k_selection_chart(k_selection: pd.DataFrame, chosen_k: int | None, path: Path, *,
                      lang: str = "fr") -> Path:
    """One small panel per criterion of ``k_selection.csv`` against k, the chosen k marked.

    Every numeric column other than ``k`` is taken as a criterion, so new criteria added by the
    themes stage appear without a change here.
    """
    words = strings(lang)
    table = k_selection.sort_values("k")
    criteria = [c for c in table.columns if c not in ("k", "chosen")
                and pd.api.types.is_numeric_dtype(table[c])
                and table[c].notna().any() and not pd.api.types.is_bool_dtype(table[c])]
    ncols = max(1, min(3, len(criteria)))
    nrows = max(1, math.ceil(len(criteria) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.4 * nrows + 0.5), dpi=DPI,
                             squeeze=False)
    for ax in axes.flat[len(criteria):]:
        ax.set_visible(False)
    for ax, col in zip(axes.flat, criteria, strict=False):
        ax.plot(table["k"], table[col], marker="o", color="#0077BB", lw=1.5, ms=4)
        if chosen_k is not None:
            ax.axvline(chosen_k, color="#CC3311", ls="--", lw=1)
        ax.set_title(words.get(f"crit_{col}", col.replace("_", " ")), fontsize=9, loc="left")
        ax.set_xlabel("k", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(words["k_selection"], x=0.01, ha="left", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
