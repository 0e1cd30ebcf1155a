"""Dendrogram of a Reinert classification (matplotlib, Agg): class sizes and top profile terms.

Drawn from the ``classes`` and ``profiles`` frames of
:class:`~textmine.classes.reinert.ReinertResult` (as rainette's ``rainette_plot``: the tree
on top, each class's share and its most characteristic terms under its leaf).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: Height (inches) of the tree panel; the terms' panel below is sized to its lists.
TREE_HEIGHT = 3.2
#: Font size (points) of the terms under each leaf.
TERM_SIZE = 8.0
#: Lines above the terms of a leaf: class number, size, a blank line.
HEADER_LINES = 3


def _leaf_x(classes: pd.DataFrame) -> dict[int, float]:
    positive = classes[classes["class"] > 0]
    if positive["parent"].isna().all():  # double classification: classes without a tree
        leaves = positive["class"].tolist()
    else:
        leaves = positive[positive["height"] == 0]["class"].tolist()
    return {int(c): float(i) for i, c in enumerate(sorted(leaves))}


def plot_dendrogram(classes: pd.DataFrame, profiles: pd.DataFrame, path: str | Path, *,
                    n_terms: int = 8, title: str = "") -> list[Path]:
    """Write the dendrogram as ``<path>.png`` and ``<path>.svg``.

    Parameters
    ----------
    classes : pandas.DataFrame
        ``class, size, share, parent, height`` (leaves have height 0, internal nodes > 0;
        a double classification has no internal node and is drawn as bars only).
    profiles : pandas.DataFrame
        ``class, term, chi2, sign``; the ``n_terms`` strongest ``over`` terms label each leaf.
    path : str or Path
        Output path without suffix (a suffix is replaced).

    Returns
    -------
    list of Path
        The PNG and the SVG written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path).with_suffix("")
    leaves = _leaf_x(classes)
    k = max(len(leaves), 1)
    terms_of = {}
    for leaf in leaves:
        over = profiles[(profiles["class"] == leaf) & (profiles["sign"] == "over")]
        terms_of[leaf] = over.sort_values("chi2", ascending=False).head(n_terms)["term"].tolist()
    # The terms' panel is as tall as its longest list (8-point lines), not a fixed share of the
    # figure: a fixed share left an empty band under short lists.
    lines = max((len(t) for t in terms_of.values()), default=0) + HEADER_LINES
    text_height = lines * TERM_SIZE * 1.25 / 72 + 0.1
    fig, (ax_tree, ax_text) = plt.subplots(
        2, 1, figsize=(max(6.0, 1.6 * k), TREE_HEIGHT + text_height + 0.6),
        gridspec_kw={"height_ratios": [TREE_HEIGHT, text_height], "hspace": 0.0})
    colours = plt.get_cmap("tab10")
    internal = classes[(classes["class"] > 0) & (classes["height"] > 0)
                       & ~classes["class"].isin(list(leaves))]
    x = dict(leaves)
    y = {c: 0.0 for c in leaves}
    for node in sorted(internal["class"].tolist(), key=lambda n: -n):
        y[int(node)] = float(internal.loc[internal["class"] == node, "height"].iloc[0])
    children: dict[int, list[int]] = {}
    for node, parent in zip(classes["class"], classes["parent"], strict=True):
        if not pd.isna(parent):
            children.setdefault(int(parent), []).append(int(node))

    def place(node: int) -> float:
        if node not in x:
            x[node] = float(np.mean([place(c) for c in children.get(node, [])]))
        return x[node]

    for node, kids in children.items():
        place(node)
        for kid in kids:
            place(kid)
            ax_tree.plot([x[kid], x[kid], x[node]], [y[kid], y[node], y[node]], color="#444444",
                         linewidth=1.2)
    sizes = classes.set_index("class")
    for leaf, pos in leaves.items():
        share = float(sizes.loc[leaf, "share"])
        colour = colours((leaf - 1) % 10)
        # Under each leaf: its number and size, then its terms, in the terms' panel (whose
        # height counts both), so that they never overlap.
        ax_text.text(pos, 1.0, f"{leaf}\n{int(sizes.loc[leaf, 'size'])} ({100 * share:.0f} %)",
                     ha="center", va="top", fontsize=TERM_SIZE, linespacing=1.25,
                     fontweight="bold", color=colour)
        ax_text.annotate("\n".join(terms_of[leaf]), (pos, 1.0),
                         xytext=(0, -HEADER_LINES * TERM_SIZE * 1.25), textcoords="offset points",
                         ha="center", va="top", fontsize=TERM_SIZE, linespacing=1.25,
                         color=colour)
    for ax in (ax_tree, ax_text):
        ax.set_xlim(-0.6, k - 0.4)
        ax.set_xticks([])
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
    ax_tree.set_ylabel("χ² cumulé")
    ax_text.set_ylim(0, 1)
    ax_text.axis("off")
    if title:
        ax_tree.set_title(title)
    fig.tight_layout()
    written = []
    for suffix in (".png", ".svg"):
        target = path.with_suffix(suffix)
        meta = {"Software": None} if suffix == ".png" else {"Date": None, "Creator": None}
        # Cropped to what is drawn: no empty band under the terms nor beside the tree.
        fig.savefig(target, dpi=100, metadata=meta, bbox_inches="tight", pad_inches=0.15)
        written.append(target)
    plt.close(fig)
    return written


__all__ = ["plot_dendrogram"]
