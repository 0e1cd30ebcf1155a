"""Theme discovery: models, choice of k, labels, quotes, assignment, seeded themes, persistence."""

from textmine.themes.discover import code_answers, discover_themes
from textmine.themes.models import METHODS, LDAThemes, NMFThemes, ShortTextThemes
from textmine.themes.persist import load_model, save_model
from textmine.themes.result import FittedThemes, ThemeResult
from textmine.themes.selection import plot_k_selection

__all__ = [
    "METHODS",
    "FittedThemes",
    "LDAThemes",
    "NMFThemes",
    "ShortTextThemes",
    "ThemeResult",
    "code_answers",
    "discover_themes",
    "load_model",
    "plot_k_selection",
    "save_model",
]
