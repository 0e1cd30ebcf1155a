"""Reinert's descending hierarchical classification (CHD): segments, tree, profiles, figure."""

from textmine.classes.reinert import (
    ReinertOptions,
    ReinertResult,
    ReinertTree,
    classify_segments,
    reinert,
    reinert_tree,
    split_units,
)
from textmine.classes.segments import make_segments, split_text

__all__ = [
    "ReinertOptions",
    "ReinertResult",
    "ReinertTree",
    "classify_segments",
    "make_segments",
    "reinert",
    "reinert_tree",
    "split_text",
    "split_units",
]
