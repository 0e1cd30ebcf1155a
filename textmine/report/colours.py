"""One colour per theme, the same in every figure, table and workbook of a run.

The palette is built from Paul Tol's colour-blind-safe qualitative schemes, ordered so that the
first themes get the most distinct colours and every colour stays readable as text on white (word
clouds are drawn in the theme colour).
"""

from __future__ import annotations

from collections.abc import Iterable

#: Theme colours in order of theme id (ids beyond the palette wrap around).
PALETTE: tuple[str, ...] = (
    "#0077BB",  # blue
    "#EE7733",  # orange
    "#009988",  # teal
    "#CC3311",  # red
    "#AA4499",  # purple
    "#117733",  # green
    "#EE3377",  # magenta
    "#332288",  # indigo
    "#999933",  # olive
    "#882255",  # wine
    "#33A0D0",  # cyan (darkened for text)
    "#DDAA33",  # ochre
    "#44AA99",  # light teal
    "#BB5566",  # rose
    "#666666",  # grey
    "#6699CC",  # light blue
)

#: Colour of answers without a theme.
UNASSIGNED = "#BBBBBB"


def theme_colours(theme_ids: Iterable[int]) -> dict[int, str]:
    """Map each theme id to its colour.

    Colours follow the sorted ids, so the same themes always get the same colours whatever order
    they are listed in.
    """
    ids = sorted({int(t) for t in theme_ids})
    return {tid: PALETTE[i % len(PALETTE)] for i, tid in enumerate(ids)}


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """Return the ``(r, g, b)`` integers of a ``#RRGGBB`` colour."""
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def residual_colour(residual: float, *, limit: float = 4.0, muted: bool = False) -> str:
    """Return a light diverging background colour for an adjusted residual.

    Positive residuals (more often than expected) are blue, negative ones red; the intensity grows
    with ``|residual|`` up to ``limit``. Blue/red rather than green/red keeps it colour-blind safe.
    ``muted`` (cells that are not significant) keeps only a faint tint, so the eye goes to the
    cells that are.
    """
    if residual != residual:  # NaN: no test possible, plain background
        return "#FFFFFF"
    strength = min(abs(residual), limit) / limit
    target = (33, 102, 172) if residual > 0 else (178, 24, 43)
    # Blend white with the target colour; capped at 75 % so black text stays readable.
    mix = (0.2 if muted else 0.75) * strength
    rgb = tuple(round(255 + (c - 255) * mix) for c in target)
    return "#{:02X}{:02X}{:02X}".format(*rgb)
