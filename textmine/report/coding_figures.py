"""Figures of a coding run: the learning curve (``figures/learning_curve.png`` / ``.svg``)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

DPI = 110
F1_COLOUR, SHARE_COLOUR = "#1F4E79", "#B2182B"

_WORDS = {
    "fr": {"x": "Réponses codées à la main (apprentissage)",
           "f1": "F1 micro (meilleure proposition)", "share": "Part codée automatiquement",
           "title": "Courbe d'apprentissage du codeur",
           "note": "Moyenne ± écart-type sur {r} tirages, réponses codées tenues à l'écart"},
    "en": {"x": "Answers coded by hand (learnt from)", "f1": "Micro-F1 (best guess)",
           "share": "Share coded automatically", "title": "Learning curve of the coder",
           "note": "Mean ± sd over {r} splits, on coded answers held out"},
}  # fmt: skip


def learning_curve_figure(
    curve: pd.DataFrame, stem: Path, *, repeats: int, lang: str = "fr"
) -> list[Path]:
    """Draw micro-F1 and the share coded automatically against the answers coded.

    Parameters
    ----------
    curve : DataFrame
        ``learning_curve.csv`` (:func:`textmine.coding.curve.learning_curve`).
    stem : Path
        Path without suffix; ``stem``.png and ``stem``.svg are written.
    repeats : int
        Number of random splits behind each point (said under the title).
    lang : str
        ``"fr"`` or ``"en"``.

    Returns
    -------
    list of Path
        The PNG and the SVG.
    """
    w = _WORDS.get(lang, _WORDS["fr"])
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    x = curve["n_coded"].to_numpy(dtype=float)
    for col, colour, label, marker in (("micro_f1", F1_COLOUR, w["f1"], "o"),
                                       ("auto_share", SHARE_COLOUR, w["share"], "s")):
        y = curve[col].to_numpy(dtype=float)
        sd = np.nan_to_num(curve[f"{col}_sd"].to_numpy(dtype=float))
        ax.plot(x, y, marker=marker, color=colour, label=label)
        ax.fill_between(x, np.clip(y - sd, 0, 1), np.clip(y + sd, 0, 1), color=colour,
                        alpha=0.15, linewidth=0)  # fmt: skip
    ax.set_ylim(0, 1)
    ax.set_xlabel(w["x"])
    ax.set_title(w["title"] + "\n" + w["note"].format(r=repeats), fontsize=10)
    ax.legend(loc="best", fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    fig.savefig(paths[0], dpi=DPI, metadata={"Software": None})
    fig.savefig(paths[1], metadata={"Date": None})
    plt.close(fig)
    return paths
