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
        Level order of ordinal questions (a column given levels without a type is ordinal).
    na_values : tuple of str
        Extra cell values meaning "missing" (besides blank cells), e.g. ``("-99",)``.
    profile : str
        Layout of the survey platform that exported the file (one of :data:`PROFILES`):
        ``auto`` detects it from strong evidence only, ``none`` reads the file as it is (see
        :mod:`textmine.survey.profiles`).
    option_seps : tuple of (column, separator) pairs
        Separator of the options in a one-column multiple-choice question (default ``;``), e.g.
        ``(("outils", ", "),)`` for Google Forms checkboxes; an option containing the separator
        is kept whole when it is also seen alone.
    """

    id_col: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    sep: str | None = None
    weights: str | None = None
    types: tuple[tuple[str, str], ...] = ()
    levels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    na_values: tuple[str, ...] = ()
    profile: str = "auto"
    option_seps: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        check_profile(self.profile)


#: Survey platform layouts understood by :mod:`textmine.survey.profiles` (``--profile``).
PROFILES = ("auto", "none", "qualtrics", "surveymonkey", "limesurvey", "googleforms", "kobo",
            "msforms")


def check_profile(profile: object) -> None:
    """Raise :class:`~textmine.errors.OptionError` unless ``profile`` is one of :data:`PROFILES`."""
    if profile not in PROFILES:
        from textmine.errors import OptionError

        raise OptionError(
            f"Unknown survey profile {profile!r}; choose one of {', '.join(PROFILES)}."
        )


@dataclass(frozen=True)
class TextOptions:
    """French text processing options (see :mod:`textmine.text`).

    Attributes
    ----------
    model : str
        spaCy model: ``fr_core_news_sm`` (default: fastest, no word vectors) or
        ``fr_core_news_md`` (adds 300-d word vectors to ``Corpus.vectors``); docs/bench_text.md.
    mask_pii : bool
        Mask e-mails, phone numbers, URLs and person names in ``Corpus.masked`` (quotes). Personal
        data never becomes a feature either way.
    negation : bool
        Prefix the words governed by a negation with ``pas_`` (``pas de moyens`` -> ``pas_moyen``).
    learn_collocations : bool
        Join word pairs that go together in this corpus (``transition_écologique``).
    min_collocation_count, collocation_threshold : int, float
        A learned pair occurs at least this often and has at least this NPMI (-1..1).
    extra_stop_words, keep_words : tuple of str
        Added to / removed from the stop words (forms or lemmas, lower case).
    extra_lexicon : tuple of (form, lemma) pairs
        Fixed lemmas added to ``resources/text/lexicon.tsv``.
    extra_mwe, extra_nonanswers : tuple of str
        Expressions (lemma sequences) and non-answers added to the data files.
    fast_lemmas : bool
        Tag with a lemma memo filled by the full pipeline on a sample (``memo_sample`` texts) and
        on every text with an unknown or ambiguous word (~2x faster; agreement in bench_text.md).
    memo_sample : int
        Texts parsed by the full pipeline to start the memo.
    batch_size, n_process : int
        spaCy ``nlp.pipe`` batching and worker processes.
    cache : bool
        Keep parsed texts in the on-disk cache (``$TEXTMINE_CACHE_DIR`` or the user cache).
    max_chars : int
        Longer answers are analysed on their first ``max_chars`` characters (a warning counts
        them; the answer itself is kept whole). spaCy refuses texts over 1,000,000 characters
        and needs ~4 GiB for one of 900,000; no survey answer is that long unless a document was
        pasted in.
    """

    model: str = "fr_core_news_sm"
    mask_pii: bool = True
    negation: bool = True
    learn_collocations: bool = True
    min_collocation_count: int = 5
    collocation_threshold: float = 0.5
    extra_stop_words: tuple[str, ...] = ()
    keep_words: tuple[str, ...] = ()
    extra_lexicon: tuple[tuple[str, str], ...] = ()
    extra_mwe: tuple[str, ...] = ()
    extra_nonanswers: tuple[str, ...] = ()
    fast_lemmas: bool = True
    memo_sample: int = 2000
    batch_size: int = 256
    n_process: int = 1
    cache: bool = True
    max_chars: int = 100_000


@dataclass(frozen=True)
class ThemeOptions:
    """Theme discovery options (see :mod:`textmine.themes`).

    Attributes
    ----------
    k : int or "auto"
        Number of themes, or ``"auto"`` to choose it in ``k_min..k_max`` (coherence, exclusivity,
        stability across ``n_seeds_stability`` seeds; see :mod:`textmine.themes.selection`).
        Ignored with a codebook: k = number of codebook themes + ``extra_themes``.
    method : {"short", "nmf", "lda"}
        Theme model (see :mod:`textmine.themes.models`); ``short`` (NMF on TF-IDF smoothed by term
        co-occurrence) recovered human labels best on short answers (docs/bench_themes.md).
        With a codebook, ``short`` fits plain ``nmf`` (smoothing blurs seeded themes).
    seed : int
        Random seed: same input + same seed give byte-identical themes.csv and answers.csv.
    min_df, max_df : int, float
        Keep terms found in at least ``min_df`` answers and at most ``max_df`` of them.
    mwe_parts : bool
        Also count the words of multi-word expressions as features (they connect short answers;
        measured in docs/bench_themes.md).
    relative_threshold, min_weight : float
        An answer carries every theme weighing at least ``relative_threshold`` × its strongest
        theme; it is ``unassigned`` when its strongest weight is below ``min_weight``.
    n_top_terms, n_quotes : int
        Terms and quotes shown per theme.
    extra_themes : int
        Free themes found beside the codebook's seeded themes.
    rename, merge, drop :
        Theme edits applied after fitting (ids or labels), as in a codebook's edit section.
    """

    k: int | str = "auto"
    k_min: int = 3
    k_max: int = 12
    method: str = "short"
    seed: int = 0
    n_seeds_stability: int = 3
    min_df: int = 2
    max_df: float = 0.5
    mwe_parts: bool = True
    relative_threshold: float = 0.5
    min_weight: float = 0.01
    n_top_terms: int = 10
    n_quotes: int = 3
    extra_themes: int = 2
    rename: tuple[tuple[str, str], ...] = ()
    merge: tuple[tuple[str, ...], ...] = ()
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableOptions:
    """Options of the theme × closed question tables (see :mod:`textmine.tables`).

    Attributes
    ----------
    alpha : float
        Significance level used to read the tables (``p_adjusted < alpha``) in reports.
    include_nonanswers : bool
        Count non-answers and empty answers in the base (as mentioning no theme); by default the
        base is the codable answers (``themed`` + ``unassigned``).
    min_expected : float
        Smallest expected count for the Pearson chi-square; below it, Fisher's exact test (2x2)
        or the Monte-Carlo exact test.
    n_permutations : int
        Random tables drawn by the Monte-Carlo exact test.
    seed : int
        Seed of the Monte-Carlo exact test.
    residual_flag : float
        ``|adjusted residual|`` from which a cell is flagged ``over``/``under``.
    spec_min_freq : int
        Smallest corpus frequency of a term reported in the specificities.
    """

    alpha: float = 0.05
    include_nonanswers: bool = False
    min_expected: float = 5.0
    n_permutations: int = 10000
    seed: int = 0
    residual_flag: float = 1.96
    spec_min_freq: int = 2


@dataclass(frozen=True)
class CodingOptions:
    """Assisted coding options (see :mod:`textmine.coding`).

    Attributes
    ----------
    target_precision : float
        Precision that automatically assigned codes must reach (estimated by cross-validation);
        the other answers go to the review queue.
    cv_folds : int
        Folds of the cross-validations (threshold choice, model-vs-human agreement).
    seed : int
        Seed of the cross-validation splits.
    C : float
        Inverse regularisation strength of the per-code logistic regressions.
    char_ngrams : bool
        Add character 2-5-grams of the lemmas to the features (helps short answers).
    min_df : int
        Minimum document frequency of a character n-gram.
    min_positives : int
        Codes with fewer coded answers are scored but never assigned automatically.
    """

    target_precision: float = 0.8
    cv_folds: int = 5
    seed: int = 0
    C: float = 3.0
    char_ngrams: bool = True
    min_df: int = 1
    min_positives: int = 3


@dataclass(frozen=True)
class ReportOptions:
    """Report options (see :mod:`textmine.report`).

    Attributes
    ----------
    lang : str
        Language of the report: ``"fr"`` or ``"en"``.
    wordclouds, html, xlsx : bool
        Draw the word clouds, write ``report.html``, write ``report.xlsx``.
    svg : bool
        Also save each word cloud as SVG.
    max_cloud_terms : int
        Number of heaviest terms of a theme drawn in its word cloud.
    top_specific_terms : int
        Number of specific terms listed per group in the HTML report.
    sheet_specific_terms : int
        Number of most specific terms per group in the workbook (the CSV keeps them all).
    seed : int
        Seed of the word-cloud layout (same seed, same picture).
    title : str
        The open question as worded for readers (top of the report); empty: the column name.
    question_labels : tuple of (column, label) pairs
        Labels of the closed questions, shown beside their column names in the report.
    """

    lang: str = "fr"
    wordclouds: bool = True
    html: bool = True
    xlsx: bool = True
    svg: bool = True
    max_cloud_terms: int = 50
    top_specific_terms: int = 10
    sheet_specific_terms: int = 50
    seed: int = 0
    title: str = ""
    question_labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OpenQuestion:
    """An open question of the project file, with the researcher's label and theme settings."""

    column: str
    label: str = ""
    codebook: str | None = None
    themes: ThemeOptions = field(default_factory=ThemeOptions)
