"""The final label pass of the factor maps and similarity graphs (issue 17: labels that do not
overlap), checked on the boxes the renderer draws."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from adjustText import adjust_text  # noqa: E402

from textmine.report import analysis_figures as af  # noqa: E402
from textmine.report.analysis_figures import (  # noqa: E402
    MIN_LABEL_SIZE,
    label_boxes,
    overlapping_pairs,
    separate_labels,
)


def _crowd(n: int = 40, seed: int = 0):
    """``n`` long labels on nearly the same spot of a small figure."""
    rng = np.random.default_rng(seed)
    x, y = 0.5 + rng.normal(0, 0.02, n), 0.5 + rng.normal(0, 0.02, n)
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=af.DPI)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    texts = [ax.text(a, b, f"communication interne {i}", fontsize=11, ha="center",
                     va="center") for i, (a, b) in enumerate(zip(x, y, strict=True))]
    return fig, ax, texts, x, y


def _drawn(fig, texts):
    """Boxes (display pixels) of the labels as the renderer draws them, after a full draw."""
    fig.canvas.draw()
    return label_boxes(texts, fig.canvas.get_renderer())


def test_overlapping_pairs_on_hand_boxes():
    boxes = np.array([[0, 0, 10, 10], [5, 5, 15, 15], [10, 0, 20, 6], [30, 30, 40, 40]], float)
    # (0, 2) only touch at x = 10: not an overlap
    assert overlapping_pairs(boxes).tolist() == [[0, 1], [1, 2]]
    assert overlapping_pairs(boxes[:1]).shape == (0, 2)


def test_crowded_figure_ends_with_no_overlap_inside_the_axes():
    fig, ax, texts, x, y = _crowd()
    assert len(overlapping_pairs(_drawn(fig, texts))) > 100  # really crowded at the start
    left = separate_labels(ax, texts, x, y, arrowprops={"arrowstyle": "-", "lw": 0.4})
    boxes = _drawn(fig, texts)
    assert left == 0
    assert len(overlapping_pairs(boxes)) == 0
    frame = ax.get_window_extent(renderer=fig.canvas.get_renderer()).extents
    assert (boxes[:, 0] >= frame[0] - 0.5).all() and (boxes[:, 2] <= frame[2] + 0.5).all()
    assert (boxes[:, 1] >= frame[1] - 0.5).all() and (boxes[:, 3] <= frame[3] + 0.5).all()
    # 40 labels of 11 points do not fit in this frame: some were made smaller, none below the floor
    sizes = [t.get_fontsize() for t in texts]
    assert min(sizes) < 11 and min(sizes) >= MIN_LABEL_SIZE
    # leader lines from the moved labels to their points
    assert len(ax.patches) > 0
    plt.close(fig)


def test_crowded_figure_after_adjusttext_is_deterministic():
    def run():
        fig, ax, texts, x, y = _crowd(seed=3)
        adjust_text(texts, x=x, y=y, ax=ax, expand=(1.1, 1.3), max_move=None, iter_lim=200)
        separate_labels(ax, texts, x, y)
        boxes = _drawn(fig, texts)
        out = (np.array([t.get_position() for t in texts]), [t.get_fontsize() for t in texts])
        plt.close(fig)
        return out, boxes

    (pos_a, size_a), boxes = run()
    (pos_b, size_b), _ = run()
    assert len(overlapping_pairs(boxes)) == 0
    np.testing.assert_array_equal(pos_a, pos_b)
    assert size_a == size_b


def test_labels_that_do_not_overlap_are_not_moved():
    fig, ax = plt.subplots(figsize=(8, 6), dpi=af.DPI)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    x = np.array([1.0, 5.0, 1.0, 5.0, 8.5])
    y = np.array([1.0, 1.0, 5.0, 5.0, 9.0])
    texts = [ax.text(a, b, f"libellé {i}", fontsize=10)
             for i, (a, b) in enumerate(zip(x, y, strict=True))]
    # two labels on top of each other, away from the others
    texts += [ax.text(3.0, 8.0, "changement finalement", fontsize=10),
              ax.text(3.05, 8.02, "communication interne", fontsize=10)]
    x, y = np.append(x, [3.0, 3.05]), np.append(y, [8.0, 8.02])
    before = np.array([t.get_position() for t in texts])
    assert overlapping_pairs(_drawn(fig, texts)).tolist() == [[5, 6]]
    assert separate_labels(ax, texts, x, y, arrowprops={"arrowstyle": "-"}) == 0
    after = np.array([t.get_position() for t in texts])
    np.testing.assert_array_equal(after[:5], before[:5])
    assert not np.allclose(after[5:], before[5:])
    assert [t.get_fontsize() for t in texts] == [10] * 7
    assert len(overlapping_pairs(_drawn(fig, texts))) == 0
    plt.close(fig)


def test_nothing_to_do_on_a_figure_without_overlap():
    fig, ax = plt.subplots(dpi=af.DPI)
    texts = [ax.text(0.1, 0.1, "a"), ax.text(0.6, 0.6, "b")]
    before = [t.get_position() for t in texts]
    assert separate_labels(ax, texts, np.array([0.1, 0.6]), np.array([0.1, 0.6]),
                           arrowprops={"arrowstyle": "-"}) == 0
    assert [t.get_position() for t in texts] == before
    assert not ax.patches  # no leader line for a label that sits on its point
    assert separate_labels(ax, [], np.array([]), np.array([])) == 0
    plt.close(fig)


@pytest.fixture
def recorded(monkeypatch):
    """The texts and axes the figure functions hand to :func:`separate_labels`, kept open."""
    seen = []
    real = af.separate_labels

    def spy(ax, texts, x, y, **kw):
        left = real(ax, texts, x, y, **kw)
        seen.append((ax, texts, left))
        return left

    monkeypatch.setattr(af, "separate_labels", spy)
    monkeypatch.setattr(af.plt, "close", lambda fig: None)
    yield seen
    plt.close("all")


def _crowded_ca():
    labels = [f"communication interne {i}" for i in range(20)]
    rng = np.random.default_rng(1)
    rows = pd.DataFrame({"label": labels, "dim_1": rng.normal(0, 0.01, 20),
                         "dim_2": rng.normal(0, 0.01, 20), "ctr_1": 10.0, "ctr_2": 10.0,
                         "supplementary": False})
    columns = pd.DataFrame({"label": ["moins de 30 ans", "30 à 50 ans", "plus de 50 ans"],
                            "dim_1": [0.0, 0.01, 1.0], "dim_2": [0.0, -0.01, 1.0],
                            "supplementary": [False, False, True]})
    eig = pd.DataFrame({"axis": [1, 2], "percent": [60.0, 40.0]})
    return eig, rows, columns


@pytest.mark.parametrize("kind", ["factor_map", "similarity_graph"])
def test_figures_end_without_overlap(kind, recorded, tmp_path):
    if kind == "factor_map":
        eig, rows, columns = _crowded_ca()
        paths = af.factor_map(eig, rows, columns, tmp_path / "map", all_rows=True)
    else:
        terms = [f"changement finalement {i}" for i in range(24)]
        nodes = pd.DataFrame({"term": terms, "frequency": np.arange(24, 0, -1),
                              "community": [1 + i % 3 for i in range(24)]})
        edges = pd.DataFrame({"source": terms[0], "target": terms[1:], "index": 1.0})
        paths = af.similarity_graph(nodes, edges, tmp_path / "graph")
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    ((ax, texts, left),) = recorded
    boxes = _drawn(ax.figure, texts)
    assert left == 0 and len(overlapping_pairs(boxes)) == 0
    frame = ax.get_window_extent(renderer=ax.figure.canvas.get_renderer()).extents
    assert (boxes[:, :2] >= frame[:2] - 0.5).all() and (boxes[:, 2:] <= frame[2:] + 0.5).all()


def _markers(ax, gap: float = 0.0) -> np.ndarray:
    """Boxes (display pixels) of every scatter marker drawn on ``ax``, grown by ``gap``."""
    boxes = []
    for coll in ax.collections:
        offsets = np.asarray(coll.get_offsets(), dtype=float)
        if not len(offsets):
            continue
        sizes = np.broadcast_to(coll.get_sizes(), (len(offsets),))
        centres = ax.transData.transform(offsets)
        boxes.append(af.marker_boxes(centres, np.sqrt(sizes) / 2 * ax.figure.dpi / 72, gap=gap))
    return np.vstack(boxes) if boxes else np.zeros((0, 4))


@pytest.mark.parametrize("kind", ["factor_map", "similarity_graph"])
def test_no_label_sits_on_or_touches_a_marker(kind, recorded, tmp_path):
    """Every label keeps the figure's gap (minus half a pixel of rounding) off every marker:
    its own node, the other nodes, the points and triangles of the map."""
    if kind == "factor_map":
        eig, rows, columns = _crowded_ca()
        af.factor_map(eig, rows, columns, tmp_path / "map", all_rows=True)
        gap = af.MAP_MARKER_GAP
    else:
        terms = [f"mot {i}" for i in range(30)]
        nodes = pd.DataFrame({"term": terms, "frequency": np.arange(30, 0, -1) * 3,
                              "community": [1 + i % 4 for i in range(30)]})
        edges = pd.DataFrame({"source": [terms[i // 2] for i in range(1, 30)],
                              "target": terms[1:], "index": 1.0})
        af.similarity_graph(nodes, edges, tmp_path / "graph")
        gap = af.GRAPH_MARKER_GAP
    ((ax, texts, left),) = recorded
    boxes = _drawn(ax.figure, texts)
    markers = _markers(ax, gap=gap - 0.5)
    assert len(markers) >= len(texts)
    assert left == 0
    assert af.overlapping_boxes(boxes, markers).shape == (0, 2)
    assert len(overlapping_pairs(boxes)) == 0


def test_a_label_on_a_marker_is_moved_off_it_and_others_stay():
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=af.DPI)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    x, y = np.array([5.0, 1.0]), np.array([5.0, 9.0])
    texts = [ax.text(5.0, 5.0, "posé sur le point", ha="center", va="center"),
             ax.text(1.0, 9.0, "loin", fontsize=10)]
    fig.canvas.draw()
    centres = ax.transData.transform(np.column_stack([x, y]))
    obstacles = af.marker_boxes(centres[:1], 10.0, gap=6.0)  # one node, under the first label
    before = [t.get_position() for t in texts]
    assert af.overlapping_boxes(_drawn(fig, texts), obstacles).tolist() == [[0, 0]]
    assert separate_labels(ax, texts, x, y, obstacles=obstacles) == 0
    assert af.overlapping_boxes(_drawn(fig, texts), obstacles).shape == (0, 2)
    assert texts[1].get_position() == before[1]
    # moved the least way out (up: the label is wider than high), still next to its point
    moved = np.array(texts[0].get_position()) - np.array(before[0])
    assert moved[1] > 0 and abs(moved[0]) < 1e-9
    plt.close(fig)


def test_long_modalities_wrap_between_words_only():
    label = "fonction=Directeur·rice de la communication"
    lines = af._wrapped(label).split("\n")
    assert lines == ["fonction=Directeur·rice", "de la communication"]
    # every word of the label is whole on some line (no "Directeur·ric" / "e")
    words = set(" ".join(lines).split())
    assert set(label.split()) <= words
    many = af._wrapped("taille=Plus de 50 000 habitants dans la commune et ses environs proches")
    assert many.count("\n") == 1 and many.endswith("…")
