"""Figures of the correspondence analysis (factor map, scree plot) and of the similarity graph.

Readability rules (a person must be able to read the map):

- factor map: only the rows contributing above the mean (``ctr > 100 / I`` on one of the two
  axes drawn, FactoMineR's ``selectRow = "contrib"`` idea), at most :data:`MAX_ROW_LABELS` of
  them (largest contributions first); labels pushed apart by adjustText (Flannery, PyPI
  ``adjustText``) with a thin leader line when moved; rows (terms/themes) in dark blue roman
  type with dots, modalities in red bold type with triangles, supplementary modalities in green
  italics with open triangles; axis titles carry the share of inertia.
- similarity graph: communities spread apart (:func:`community_layout`: each community laid
  out on its own with Kamada-Kawai, in a disc whose area follows its size; the discs placed by
  a Kamada-Kawai layout of the graph of communities, spaced so that they do not overlap), node
  and label size ~ frequency, edge width ~ index, one colour per community, labels pushed apart
  by adjustText.

Both figures end with one cheap pass (:func:`separate_labels`): adjustText stops at its
iteration limit and can leave a pair of labels on top of each other in a crowded figure; the
pass reads the drawn label boxes once from the renderer, pushes overlapping pairs apart with
numpy, shrinks only the labels that still overlap (recomputing only their boxes), keeps every
label inside the axes, and draws the leader lines from the final positions. adjustText is run
once, never again. Deterministic (no random start).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from adjustText import adjust_text  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

from textmine.report.colours import PALETTE  # noqa: E402

logger = logging.getLogger(__name__)

DPI = 110
#: Pixels kept free between a label and any marker of a factor map / similarity graph.
MAP_MARKER_GAP = 3.0
GRAPH_MARKER_GAP = 6.0
#: Smallest font size (points) :func:`separate_labels` shrinks a label to.
MIN_LABEL_SIZE = 6.0
#: Most row labels drawn on a factor map.
MAX_ROW_LABELS = 45
ROW_COLOUR, COLUMN_COLOUR, SUP_COLOUR = "#1F4E79", "#B2182B", "#1B7837"

_WORDS = {
    "fr": {"axis": "Axe", "inertia": "de l'inertie", "eigen": "Valeur propre",
           "scree": "Valeurs propres (part de l'inertie)", "rows": "lignes",
           "map": "Analyse des correspondances", "graph": "Analyse de similitudes"},
    "en": {"axis": "Axis", "inertia": "of inertia", "eigen": "Eigenvalue",
           "scree": "Eigenvalues (share of inertia)", "rows": "rows",
           "map": "Correspondence analysis", "graph": "Similarity analysis"},
}


def _plain(label: object) -> str:
    return str(label).replace("$", r"\$")


def _wrapped(label: object, width: int = 22) -> str:
    """Long modality names on two lines at most (they dominate the map otherwise)."""
    import textwrap

    # Lines break between words only: "Directeur·rice" cut as "Directeur·ric / e" cannot be
    # read (a word longer than the width keeps its own, longer, line).
    lines = textwrap.wrap(str(label), width=width, break_long_words=False,
                          break_on_hyphens=False) or [""]
    if len(lines) > 2:
        rest = " ".join(lines[1:])
        lines = [lines[0], rest if len(rest) <= width
                 else textwrap.shorten(rest, width=width, placeholder="…")]
    return _plain("\n".join(lines))


def _save(fig: plt.Figure, stem: Path) -> list[Path]:
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    fig.savefig(paths[0], dpi=DPI, metadata={"Software": None})
    fig.savefig(paths[1], metadata={"Date": None})
    plt.close(fig)
    return paths


def selected_rows(rows: pd.DataFrame, axes: tuple[int, int], *, limit: int = MAX_ROW_LABELS
                  ) -> pd.DataFrame:
    """Active rows contributing above the mean (100 / I %) to one of ``axes``, at most
    ``limit`` of them (largest summed contribution first)."""
    active = rows[~rows["supplementary"].astype(bool)]
    mean = 100.0 / max(len(active), 1)
    a, b = (f"ctr_{k}" for k in axes)
    chosen = active[(active[a] > mean) | (active[b] > mean)]
    return chosen.assign(_ctr=chosen[a] + chosen[b]).nlargest(limit, "_ctr").drop(columns="_ctr")


def label_boxes(texts: list, renderer: object, *, pad: float = 0.0) -> np.ndarray:
    """Drawn boxes of ``texts`` in display pixels, grown by ``pad`` pixels on every side.

    Returns
    -------
    ndarray of shape (n, 4)
        ``x0, y0, x1, y1`` of each label.
    """
    if not texts:
        return np.zeros((0, 4))
    ext = [t.get_window_extent(renderer=renderer) for t in texts]
    return np.array([[e.x0 - pad, e.y0 - pad, e.x1 + pad, e.y1 + pad] for e in ext])


def overlapping_pairs(boxes: np.ndarray) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, of boxes (``x0, y0, x1, y1``) whose areas overlap.

    Returns
    -------
    ndarray of shape (m, 2), int
        In row-major order of ``(i, j)`` (deterministic).
    """
    n = len(boxes)
    if n < 2:
        return np.zeros((0, 2), dtype=int)
    ox = (np.minimum(boxes[:, None, 2], boxes[None, :, 2])
          - np.maximum(boxes[:, None, 0], boxes[None, :, 0]))
    oy = (np.minimum(boxes[:, None, 3], boxes[None, :, 3])
          - np.maximum(boxes[:, None, 1], boxes[None, :, 1]))
    i, j = np.nonzero(np.triu((ox > 0) & (oy > 0), k=1))
    return np.column_stack([i, j])


def overlapping_boxes(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Pairs ``(i, j)`` where box ``i`` of ``boxes`` overlaps box ``j`` of ``others`` (both
    ``x0, y0, x1, y1``; touching edges do not overlap).

    Returns
    -------
    ndarray of shape (m, 2), int
        In row-major order of ``(i, j)`` (deterministic).
    """
    if not len(boxes) or not len(others):
        return np.zeros((0, 2), dtype=int)
    ox = (np.minimum(boxes[:, None, 2], others[None, :, 2])
          - np.maximum(boxes[:, None, 0], others[None, :, 0]))
    oy = (np.minimum(boxes[:, None, 3], others[None, :, 3])
          - np.maximum(boxes[:, None, 1], others[None, :, 1]))
    i, j = np.nonzero((ox > 0) & (oy > 0))
    return np.column_stack([i, j])


def marker_boxes(points: np.ndarray, radius: np.ndarray | float, *, gap: float = 0.0
                 ) -> np.ndarray:
    """Boxes (display pixels, ``x0, y0, x1, y1``) of markers of ``radius`` pixels centred on
    ``points`` (shape (n, 2), display pixels), grown by ``gap`` pixels: where no label goes."""
    r = np.broadcast_to(np.asarray(radius, dtype=float), (len(points),)) + gap
    return np.column_stack([points[:, 0] - r, points[:, 1] - r, points[:, 0] + r,
                            points[:, 1] + r])


def _push_apart(boxes: np.ndarray, frame: np.ndarray, *, rounds: int,
                obstacles: np.ndarray | None = None) -> np.ndarray:
    """Shifts (pixels, shape (n, 2)) that move overlapping boxes apart inside ``frame``.

    Each round moves both boxes of every overlapping pair half their overlap (plus half a pixel)
    apart along the axis where they overlap least, then brings every box back inside ``frame``
    (``x0, y0, x1, y1``); boxes that overlap nothing are left where they are. A box on one of
    ``obstacles`` (fixed boxes: the markers) moves its whole overlap (plus half a pixel) off it.
    Stops when nothing overlaps or after ``rounds`` rounds.
    """
    shift = _inside(boxes, frame)
    fixed = np.zeros((0, 4)) if obstacles is None else obstacles
    for _ in range(rounds):
        cur = boxes + np.hstack([shift, shift])
        pairs = overlapping_pairs(cur)
        hits = overlapping_boxes(cur, fixed)
        if not len(pairs) and not len(hits):
            break
        move = np.zeros((len(boxes), 2))
        if len(hits):
            i, j = hits[:, 0], hits[:, 1]
            ox = np.minimum(cur[i, 2], fixed[j, 2]) - np.maximum(cur[i, 0], fixed[j, 0])
            oy = np.minimum(cur[i, 3], fixed[j, 3]) - np.maximum(cur[i, 1], fixed[j, 1])
            along_x = ox <= oy
            gap = np.where(along_x, (cur[i, 0] + cur[i, 2]) - (fixed[j, 0] + fixed[j, 2]),
                           (cur[i, 1] + cur[i, 3]) - (fixed[j, 1] + fixed[j, 3]))
            # A label centred on its marker goes up (fixed, not random).
            sign = np.where(gap < 0, -1.0, 1.0)
            np.add.at(move, (i, np.where(along_x, 0, 1)), sign * (np.where(along_x, ox, oy)
                                                                   + 0.5))
        if not len(pairs):
            shift += move
            shift += _inside(boxes + np.hstack([shift, shift]), frame)
            continue
        i, j = pairs[:, 0], pairs[:, 1]
        ox = np.minimum(cur[i, 2], cur[j, 2]) - np.maximum(cur[i, 0], cur[j, 0])
        oy = np.minimum(cur[i, 3], cur[j, 3]) - np.maximum(cur[i, 1], cur[j, 1])
        along_x = ox <= oy
        step = np.where(along_x, ox, oy) / 2 + 0.5
        centre = np.column_stack([(cur[:, 0] + cur[:, 2]) / 2, (cur[:, 1] + cur[:, 3]) / 2])
        gap = np.where(along_x, centre[j, 0] - centre[i, 0], centre[j, 1] - centre[i, 1])
        # Boxes with the same centre: the later label goes right (or up), fixed, not random.
        sign = np.where(gap < 0, -1.0, 1.0)
        axis = np.where(along_x, 0, 1)
        np.add.at(move, (j, axis), sign * step)
        np.add.at(move, (i, axis), -sign * step)
        shift += move
        shift += _inside(boxes + np.hstack([shift, shift]), frame)
    return shift


def _inside(boxes: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """Shifts (pixels, shape (n, 2)) bringing each box inside ``frame`` (0 for those inside;
    a box larger than the frame keeps its left or bottom edge in)."""
    high = np.minimum(frame[2:] - boxes[:, 2:], 0.0)
    low = np.maximum(frame[:2] - (boxes[:, :2] + high), 0.0)
    return high + low


def _free_slot(box: np.ndarray, target: np.ndarray, placed: np.ndarray,
               frame: np.ndarray) -> np.ndarray | None:
    """Shift (pixels, shape (2,)) putting ``box`` on the free spot inside ``frame`` nearest to
    ``target`` (the point the label names), or None when no spot is free.

    The spots are a grid over the frame with a step of half the box height; a spot is free when
    the box there overlaps none of ``placed`` (shape (m, 4)). Ties go to the first spot of the
    grid (deterministic).
    """
    w, h = box[2] - box[0], box[3] - box[1]
    if w > frame[2] - frame[0] or h > frame[3] - frame[1]:
        return None
    step = max(2.0, h / 2)
    gx, gy = np.meshgrid(np.append(np.arange(frame[0], frame[2] - w, step), frame[2] - w),
                         np.append(np.arange(frame[1], frame[3] - h, step), frame[3] - h))
    x0, y0 = gx.ravel()[:, None], gy.ravel()[:, None]
    if len(placed):
        hit = ((x0 < placed[None, :, 2]) & (x0 + w > placed[None, :, 0])
               & (y0 < placed[None, :, 3]) & (y0 + h > placed[None, :, 1])).any(axis=1)
    else:
        hit = np.zeros(len(x0), dtype=bool)
    if hit.all():
        return None
    far = (x0[:, 0] + w / 2 - target[0]) ** 2 + (y0[:, 0] + h / 2 - target[1]) ** 2
    best = int(np.argmin(np.where(hit, np.inf, far)))
    return np.array([x0[best, 0] - box[0], y0[best, 0] - box[1]])


def separate_labels(ax: plt.Axes, texts: list, x: np.ndarray, y: np.ndarray, *,
                    pad: float = 1.5, rounds: int = 100, shrink_steps: int = 5,
                    shrink: float = 0.85, arrowprops: dict | None = None,
                    min_arrow: float | np.ndarray = 6.0,
                    obstacles: np.ndarray | None = None) -> int:
    """Final pass after adjustText: no two labels overlap, all inside the axes, leader lines.

    The label boxes are read once from the renderer (display pixels, grown by ``pad``). Then:

    1. overlapping pairs are pushed apart with numpy (:func:`_push_apart`, at most ``rounds``
       rounds): small moves that settle a few overlaps left by adjustText;
    2. labels still overlapping (a crowded spot, pushed against the frame) are placed one by
       one, larger fonts first, on the free spot nearest to their point (:func:`_free_slot`),
       the labels that overlap nothing staying where they are;
    3. a label with no free spot is made ``shrink`` times smaller (down to
       :data:`MIN_LABEL_SIZE` points, only its box measured again) and placed again, at most
       ``shrink_steps`` times.

    Labels that overlap nothing are not moved. No random step: the same figure gives the same
    positions. The axes limits and position must be final (they convert pixels to data).

    Parameters
    ----------
    ax : matplotlib Axes
        The axes holding ``texts`` (data coordinates).
    texts : list of matplotlib Text
    x, y : ndarray of shape (n,)
        The point each label names (data coordinates): the target of step 2 and of the leader
        lines.
    pad : float
        Pixels kept free around each label.
    rounds : int
        Most push rounds of step 1.
    shrink_steps : int
        Most font-size reductions.
    shrink : float
        Factor of one font-size reduction.
    arrowprops : dict, optional
        Style of the leader line drawn from a label to its point when they are more than
        ``min_arrow`` pixels apart (none drawn when None).
    min_arrow : float or ndarray of shape (n,)
        Pixels (one per label: a label set beside a large marker needs no line).
    obstacles : ndarray of shape (m, 4), optional
        Boxes no label may cover (display pixels, ``x0, y0, x1, y1``; see
        :func:`marker_boxes`): the markers of the points, so that a label never sits on a
        node. Treated like the other labels in every step, but never moved.

    Returns
    -------
    int
        Pairs of labels, and of a label and an obstacle, still overlapping (0 unless labels at
        :data:`MIN_LABEL_SIZE` cannot fit in the axes).
    """
    if not texts:
        return 0
    fixed = np.zeros((0, 4)) if obstacles is None else np.asarray(obstacles, dtype=float)

    def crowded_of(cur: np.ndarray) -> tuple[np.ndarray, int]:
        pairs, hits = overlapping_pairs(cur), overlapping_boxes(cur, fixed)
        return np.unique(np.concatenate([pairs.ravel(), hits[:, 0]])), len(pairs) + len(hits)

    renderer = ax.figure.canvas.get_renderer()
    to_pixels = ax.transData
    inverse = to_pixels.inverted()
    anchors = to_pixels.transform(np.array([t.get_position() for t in texts], dtype=float))
    targets = to_pixels.transform(np.column_stack([x, y]).astype(float))
    frame = np.array(ax.get_window_extent(renderer=renderer).extents)
    boxes = label_boxes(texts, renderer, pad=pad)
    shift = _push_apart(boxes, frame, rounds=rounds, obstacles=fixed)
    crowded, left = crowded_of(boxes + np.hstack([shift, shift]))
    for step in range(shrink_steps + 1):
        if not left:
            break
        placed = np.ones(len(texts), dtype=bool)
        placed[crowded] = False
        homeless = []
        for k in sorted(crowded, key=lambda k: (-texts[k].get_fontsize(), k)):
            cur = boxes + np.hstack([shift, shift])
            slot = _free_slot(cur[k], targets[k], np.vstack([cur[placed], fixed]), frame)
            if slot is None:
                homeless.append(k)
                continue
            shift[k] += slot
            placed[k] = True
        crowded, left = crowded_of(boxes + np.hstack([shift, shift]))
        smaller = [k for k in homeless if texts[k].get_fontsize() > MIN_LABEL_SIZE + 1e-9]
        if not smaller or step == shrink_steps:
            break
        for k in smaller:
            texts[k].set_fontsize(max(MIN_LABEL_SIZE, texts[k].get_fontsize() * shrink))
            texts[k].set_position(inverse.transform(anchors[k] + shift[k]))
        # Only the shrunk labels are measured again (their box taken back to zero shift).
        boxes[smaller] = (label_boxes([texts[k] for k in smaller], renderer, pad=pad)
                          - np.hstack([shift[smaller], shift[smaller]]))
        crowded, left = crowded_of(boxes + np.hstack([shift, shift]))
    for k in np.flatnonzero(np.abs(shift).max(axis=1) > 0):
        texts[k].set_position(inverse.transform(anchors[k] + shift[k]))
    if left:
        logger.info("%d pairs of labels (or a label and a marker) still overlap at %.0f points",
                    left, MIN_LABEL_SIZE)
    if arrowprops is not None:
        final = label_boxes(texts, renderer)
        least = np.broadcast_to(np.asarray(min_arrow, dtype=float), (len(texts),))
        for k, text in enumerate(texts):
            # Distance from the point to the label's box (0 when the label covers it).
            dx = max(final[k, 0] - targets[k, 0], 0.0, targets[k, 0] - final[k, 2])
            dy = max(final[k, 1] - targets[k, 1], 0.0, targets[k, 1] - final[k, 3])
            if math.hypot(dx, dy) < least[k]:
                continue
            centre = inverse.transform([(final[k, 0] + final[k, 2]) / 2,
                                        (final[k, 1] + final[k, 3]) / 2])
            ax.add_patch(FancyArrowPatch(posA=tuple(centre), posB=(float(x[k]), float(y[k])),
                                         patchA=text, zorder=1, **arrowprops))
    return left


def factor_map(eigenvalues: pd.DataFrame, rows: pd.DataFrame, columns: pd.DataFrame,
               stem: Path, *, axes: tuple[int, int] = (1, 2), lang: str = "fr",
               title: str = "", all_rows: bool = False) -> list[Path]:
    """Draw the factor map of a CA to ``stem``.png and ``stem``.svg.

    Parameters
    ----------
    eigenvalues, rows, columns : DataFrame
        ``ca_eigenvalues.csv``, ``ca_rows.csv``, ``ca_columns.csv`` (see
        :class:`textmine.tables.ca.CAResult`).
    stem : Path
        Path without suffix.
    axes : (int, int)
        The two axes drawn (1-based).
    lang : {"fr", "en"}
    title : str
        Shown above the map.
    all_rows : bool
        Show every active row (themes, Reinert classes: a few rows, each to be read), not only
        the rows contributing above the mean (terms).

    Returns
    -------
    list of Path
        The PNG and the SVG.
    """
    w = _WORDS.get(lang, _WORDS["fr"])
    x, y = (f"dim_{k}" for k in axes)
    shown = (rows[~rows["supplementary"].astype(bool)] if all_rows
             else selected_rows(rows, axes))
    # Drawn at the PNG's resolution: the label boxes measured below are those of the file.
    fig, ax = plt.subplots(figsize=(11, 8.5), dpi=DPI)
    ax.axhline(0, color="#999999", lw=0.7, zorder=0)
    ax.axvline(0, color="#999999", lw=0.7, zorder=0)
    texts = []
    points: list[tuple[float, float]] = []   # the point each label names, in label order
    sizes: list[float] = []                  # its marker's area (points²)
    ax.scatter(shown[x], shown[y], s=14, color=ROW_COLOUR, alpha=0.7, zorder=2)
    for _, r in shown.iterrows():
        # terms are written with "_" joining expressions ("sondage_ligne"): shown with spaces
        texts.append(ax.text(r[x], r[y], _plain(str(r["label"]).replace("_", " ")), fontsize=9,
                             color=ROW_COLOUR, zorder=3, in_layout=False, va="center"))
        points.append((float(r[x]), float(r[y])))
        sizes.append(14.0)
    for sup, colour, marker, style in ((False, COLUMN_COLOUR, "^", "normal"),
                                       (True, SUP_COLOUR, "^", "italic")):
        part = columns[columns["supplementary"].astype(bool) == sup]
        ax.scatter(part[x], part[y], s=46, marker=marker, zorder=4,
                   facecolors="none" if sup else colour, edgecolors=colour)
        for _, c in part.iterrows():
            texts.append(ax.text(c[x], c[y], _wrapped(c["label"]), fontsize=10.5,
                                 color=colour, fontweight="bold", fontstyle=style, zorder=5,
                                 linespacing=0.95, in_layout=False, va="center"))
            points.append((float(c[x]), float(c[y])))
            sizes.append(46.0)
    xs = np.concatenate([shown[x].to_numpy(), columns[x].to_numpy()])
    ys = np.concatenate([shown[y].to_numpy(), columns[y].to_numpy()])
    if len(xs):
        padx = 0.12 * (np.ptp(xs) or 1.0)
        pady = 0.12 * (np.ptp(ys) or 1.0)
        ax.set_xlim(xs.min() - padx, xs.max() + padx)
        ax.set_ylim(ys.min() - pady, ys.max() + pady)
    eig = eigenvalues.set_index("axis")

    def axis_title(k: int) -> str:
        share = float(eig.loc[k, "percent"]) if k in eig.index else float("nan")
        return f"{w['axis']} {k} ({share:.1f} % {w['inertia']})".replace(".", "," if lang == "fr"
                                                                           else ".")

    ax.set_xlabel(axis_title(axes[0]))
    ax.set_ylabel(axis_title(axes[1]))
    ax.set_title(_plain(title or w["map"]), fontsize=12)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    # Layout first: the labels are placed in the final axes (pixels = those of the file).
    fig.tight_layout()
    if texts:
        origins = np.array(points, dtype=float)
        radius, obstacles = _beside_markers(ax, texts, origins, np.array(sizes),
                                            gap=MAP_MARKER_GAP, side="right")
        # The points are obstacles too: a label never covers another point.
        adjust_text(texts, x=xs, y=ys, ax=ax, expand=(1.25, 1.6), max_move=None,
                    iter_lim=2000, ensure_inside_axes=True)
        separate_labels(ax, texts, origins[:, 0], origins[:, 1], obstacles=obstacles,
                        min_arrow=radius + MAP_MARKER_GAP + 4.0,
                        arrowprops={"arrowstyle": "-", "color": "#888888", "lw": 0.5})
    return _save(fig, stem)


def _beside_markers(ax: plt.Axes, texts: list, points: np.ndarray, sizes: np.ndarray, *,
                    gap: float, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Put each label beside its marker, ``gap`` pixels off it, and return the markers.

    A label anchored on its point sits on its own marker (and a large node hides it); it
    starts instead to the right of (``side="right"``, label centred vertically) or above
    (``side="top"``, centred horizontally) the marker. The axes limits and layout must be
    final.

    Parameters
    ----------
    points : ndarray of shape (n, 2)
        The point of each label (data coordinates).
    sizes : ndarray of shape (n,)
        Marker areas as given to ``scatter`` (points²: the marker is ``sqrt(size)`` points
        across).

    Returns
    -------
    radius : ndarray of shape (n,)
        Marker radii in display pixels.
    obstacles : ndarray of shape (n, 4)
        The marker boxes grown by ``gap`` (display pixels), for :func:`separate_labels`.
    """
    pix = ax.transData.transform(points)
    radius = np.sqrt(sizes) / 2 * ax.figure.dpi / 72
    inverse = ax.transData.inverted()
    for text, p, r in zip(texts, pix, radius, strict=True):
        offset = (r + gap, 0.0) if side == "right" else (0.0, r + gap)
        text.set_position(tuple(inverse.transform(p + np.array(offset))))
    return radius, marker_boxes(pix, radius, gap=gap)


def scree_plot(eigenvalues: pd.DataFrame, stem: Path, *, lang: str = "fr") -> list[Path]:
    """Bars of the eigenvalues with their share of inertia, to ``stem``.png/.svg."""
    w = _WORDS.get(lang, _WORDS["fr"])
    eig = eigenvalues.head(20)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.bar(eig["axis"].astype(str), eig["percent"], color="#4477AA")
    for k, p in zip(eig["axis"], eig["percent"], strict=True):
        ax.text(str(k), p, f"{p:.1f}", ha="center", va="bottom", fontsize=8)
    ax.set_xlabel(w["axis"])
    ax.set_ylabel("%")
    ax.set_title(w["scree"], fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return _save(fig, stem)


def community_layout(graph: nx.Graph, community: dict[str, int]) -> dict[str, np.ndarray]:
    """Positions that keep each community of a tree together and the communities apart.

    A single Kamada-Kawai layout of a spanning tree crowds the leaves of its hubs; laying out
    each community on its own, in a disc of radius ~ sqrt(size), and placing the discs with a
    Kamada-Kawai layout of the graph of communities (target distance between two linked
    communities: the sum of their radii plus a margin) gives each community its own region.

    Parameters
    ----------
    graph : networkx.Graph
        The similarity tree (edge attribute ``dist``: wanted length, short for strong links).
    community : dict of str to int
        Community of each node.

    Returns
    -------
    dict of str to ndarray of shape (2,)
    """
    groups: dict[int, list[str]] = {}
    for node in graph.nodes:
        groups.setdefault(int(community[node]), []).append(node)
    radius = {c: 0.5 * math.sqrt(len(members)) for c, members in groups.items()}
    local: dict[int, dict[str, np.ndarray]] = {}
    for c, members in groups.items():
        sub = graph.subgraph(members)
        if len(sub) == 1:
            local[c] = {members[0]: np.zeros(2)}
            continue
        if not nx.is_connected(sub):  # a community of a forest: lay out its parts side by side
            sub = nx.Graph(sub)
            parts = list(nx.connected_components(sub))
            for a, b in zip(parts[:-1], parts[1:], strict=True):
                sub.add_edge(min(a), min(b), dist=2.0)
        xy = nx.kamada_kawai_layout(sub, weight="dist")
        arr = np.array(list(xy.values()))
        arr = arr - arr.mean(axis=0)
        scale = float(np.abs(arr).max()) or 1.0
        local[c] = {n: radius[c] * p / scale for n, p in zip(xy, arr, strict=True)}
    quotient = nx.Graph()
    quotient.add_nodes_from(groups)
    for a, b in graph.edges:
        ca, cb = int(community[a]), int(community[b])
        if ca != cb:
            quotient.add_edge(ca, cb, dist=radius[ca] + radius[cb] + 0.6)
    if len(quotient) > 1:
        if not nx.is_connected(quotient):
            parts = sorted(nx.connected_components(quotient), key=min)
            for a, b in zip(parts[:-1], parts[1:], strict=True):
                ca, cb = min(a), min(b)
                quotient.add_edge(ca, cb, dist=radius[ca] + radius[cb] + 1.2)
        centre = nx.kamada_kawai_layout(quotient, weight="dist")
        # Kamada-Kawai scales the layout: bring it back to the wanted distances, then push apart
        # any two discs that still overlap.
        c = {k: np.asarray(v, dtype=float) for k, v in centre.items()}
        ratios = [(radius[a] + radius[b] + 0.6) / max(np.linalg.norm(c[a] - c[b]), 1e-9)
                  for a in c for b in c if a < b]
        factor = max(ratios) if ratios else 1.0
        centre = {k: v * factor for k, v in c.items()}
    else:
        centre = {k: np.zeros(2) for k in groups}
    return {n: centre[c] + p for c, pos in local.items() for n, p in pos.items()}


def similarity_graph(nodes: pd.DataFrame, edges: pd.DataFrame, stem: Path, *, lang: str = "fr",
                     title: str = "") -> list[Path]:
    """Draw the similarity tree to ``stem``.png/.svg.

    Parameters
    ----------
    nodes : DataFrame
        ``nodes.csv``: ``term``, ``frequency``, ``community``.
    edges : DataFrame
        ``edges.csv``: ``source``, ``target``, ``index``.
    """
    w = _WORDS.get(lang, _WORDS["fr"])
    graph = nx.Graph()
    for _, n in nodes.iterrows():
        graph.add_node(str(n["term"]))
    top = float(edges["index"].max()) if len(edges) else 1.0
    for _, e in edges.iterrows():
        # Layout distance shrinks as the index grows (strong links are short).
        graph.add_edge(str(e["source"]), str(e["target"]),
                       dist=1.0 + 1.0 * (1 - float(e["index"]) / (top or 1.0)))
    freq = nodes.set_index(nodes["term"].astype(str))["frequency"].astype(float)
    comm = nodes.set_index(nodes["term"].astype(str))["community"].astype(int)
    pos = (community_layout(graph, comm.to_dict()) if len(graph) > 1
           else {t: np.zeros(2) for t in graph})
    fmax = float(freq.max()) if len(freq) else 1.0
    fig, ax = plt.subplots(figsize=(12, 10), dpi=DPI)
    for _, e in edges.iterrows():
        (x0, y0), (x1, y1) = pos[str(e["source"])], pos[str(e["target"])]
        width = 0.6 + 5.0 * float(e["index"]) / (top or 1.0)
        ax.plot([x0, x1], [y0, y1], color="#AAAAAA", lw=width, zorder=1, solid_capstyle="round")
    texts = []
    sizes: list[float] = []  # node areas (points²), in label order
    for term in graph.nodes:
        colour = PALETTE[(int(comm[term]) - 1) % len(PALETTE)]
        share = math.sqrt(float(freq[term]) / fmax)
        ax.scatter(*pos[term], s=20 + 380 * share, color=colour, alpha=0.35, zorder=2,
                   edgecolors="none")
        texts.append(ax.text(*pos[term], _plain(term.replace("_", " ")),
                             fontsize=7.5 + 10 * share, color=colour,
                             ha="center", va="bottom", zorder=3, in_layout=False,
                             fontweight="bold" if share > 0.5 else "normal"))
        sizes.append(20 + 380 * share)
    ax.set_axis_off()
    ax.set_title(_plain(title or w["graph"]), fontsize=12)
    ax.margins(0.08)
    # Limits and layout fixed before the labels are placed (pixels = those of the file).
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    fig.tight_layout()
    if texts:
        xy = np.array([pos[t] for t in graph.nodes])
        # Each label starts above its node, GRAPH_MARKER_GAP pixels off the disc; the nodes
        # are obstacles of the final pass: no label sits on or touches a node.
        radius, obstacles = _beside_markers(ax, texts, xy, np.array(sizes),
                                            gap=GRAPH_MARKER_GAP, side="top")
        adjust_text(texts, x=xy[:, 0], y=xy[:, 1], ax=ax, expand=(1.1, 1.3), max_move=None,
                    iter_lim=2000)
        separate_labels(ax, texts, xy[:, 0], xy[:, 1], obstacles=obstacles,
                        min_arrow=radius + GRAPH_MARKER_GAP + 4.0,
                        arrowprops={"arrowstyle": "-", "color": "#BBBBBB", "lw": 0.4})
    return _save(fig, stem)
