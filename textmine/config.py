"""Options of every stage as frozen dataclasses: the only home of textmine's defaults.

The CLI, the project file (``textmine.toml``) and the Python API all build these objects, so a
default changed here changes everywhere at once.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from textmine.errors import OptionError

#: Theme models of :mod:`textmine.themes.models` (kept here so that options are checked when built).
THEME_METHODS = ("auto", "semantic", "short", "nmf", "lda")
#: Sentence encoders of :mod:`textmine.text.embeddings` (kept here so that options are checked
#: when built); ``None`` in :class:`CodingOptions` means lexical features only.
EMBEDDING_MODELS = ("use-multilingual-v3", "fr-core-news-md-mean")
#: Languages a report can be written in (:mod:`textmine.report.i18n` has their wording).
REPORT_LANGUAGES = ("fr", "en")


def _set(options: object, name: str, value: object) -> None:
    """Store a normalised value on a frozen dataclass (only ever called from __post_init__)."""
    object.__setattr__(options, name, value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_optional_text(options: object, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(options, name)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise OptionError(f"{name}={value!r} must be a non-empty text or None; fix {name}.")


def _check_int(options: object, name: str, minimum: int, flag: str | None = None) -> None:
    value = getattr(options, name)
    if not _is_int(value) or value < minimum:
        hint = f"give {flag} {minimum} or more" if flag else f"set {name} to {minimum} or more"
        raise OptionError(f"{name}={value!r} must be an integer >= {minimum}; {hint}.")


#: Most terms in a similarity graph (``--top``): IRaMuTeQ's graphs show tens to a few hundred
#: words; beyond that the labels cannot be read and their placement takes many minutes.
MAX_SIMILARITY_TOP = 200

#: Largest random seed: scikit-learn and NumPy take seeds in 0..2**32 - 1.
MAX_SEED = 2**32 - 1


def _check_seed(options: Any, flag: str | None = "--seed") -> None:
    """Raise :class:`~textmine.errors.OptionError` unless ``options.seed`` is in 0..2**32-1."""
    check_seed(options.seed, flag)


def check_seed(value: Any, flag: str | None = "--seed") -> None:
    """Raise :class:`~textmine.errors.OptionError` unless ``value`` is a seed NumPy takes.

    For seeds given outside an options dataclass (``textmine sheet --seed``): NumPy refuses a
    negative seed with a bare ValueError.
    """
    if not _is_int(value) or not 0 <= value <= MAX_SEED:
        hint = f"give {flag} a number" if flag else "set seed to a number"
        raise OptionError(
            f"seed={value!r} must be an integer from 0 to {MAX_SEED:,} (2**32 - 1); "
            f"{hint} in that range."
        )


def _check_range(options: object, name: str, low: float, high: float, *,
                 low_open: bool = False, hint: str = "") -> None:
    value = getattr(options, name)
    inside = _is_number(value) and (low < value if low_open else low <= value) and value <= high
    if not inside:
        bounds = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise OptionError(f"{name}={value!r} must be a number in {bounds}{hint}.")


def _check_bools(options: object, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(options, name)
        if not isinstance(value, bool):
            raise OptionError(f"{name}={value!r} must be True or False; fix {name}.")


def _tuple(value: object) -> object:
    """A list given for a tuple field becomes a tuple (frozen options stay hashable)."""
    return tuple(value) if isinstance(value, list) else value


def _tuple_of_tuples(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return tuple(_tuple(item) for item in value)
    return value


def _check_texts(options: object, name: str) -> None:
    value = getattr(options, name)
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise OptionError(f"{name}={value!r} must be a tuple of texts; fix {name}.")


def _check_pairs(options: object, name: str) -> None:
    value = getattr(options, name)
    if not isinstance(value, tuple) or not all(
        isinstance(p, tuple) and len(p) == 2 and all(isinstance(x, str) for x in p)
        for p in value
    ):
        raise OptionError(f"{name}={value!r} must be a tuple of (text, text) pairs; fix {name}.")


def parse_k(value: object) -> int | str:
    """Return the number of themes meant by ``value``: an int >= 2 or ``"auto"``.

    Accepts an int, ``"auto"`` (any case, spaces around) or the digits of an int (the CLI and a
    project file may give ``"8"``). This is the only place where ``k`` is interpreted.

    Raises
    ------
    OptionError
        If ``value`` is neither a number nor ``auto``, or is below 2 (one theme holding every
        answer is no theme model).
    """
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == "auto":
            return "auto"
        # int() also takes '1_000' and non-ASCII digits ('١'); a k is written in ASCII digits.
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise OptionError(
                f"k={value!r} is neither a number nor 'auto'; give --k 8 or --k auto."
            )
        value = int(text)
    if not _is_int(value):
        raise OptionError(f"k={value!r} is neither a number nor 'auto'; give --k 8 or --k auto.")
    if value < 1:
        raise OptionError(f"k={value} must be at least 2; give --k 2 or more, or --k auto.")
    if value == 1:
        # One theme holding every answer describes nothing: refused rather than fitted.
        raise OptionError("k=1 puts every answer in one theme, which is no theme model; "
                          "give --k 2 or more, or --k auto.")
    return value


#: Survey platform layouts understood by :mod:`textmine.survey.profiles` (``--profile``).
PROFILES = ("auto", "none", "qualtrics", "surveymonkey", "limesurvey", "googleforms", "kobo",
            "msforms")


def check_encoding(encoding: str) -> None:
    """Raise :class:`~textmine.errors.OptionError` unless ``encoding`` names a text encoding.

    :func:`codecs.lookup` also knows bytes-to-bytes and str-to-str codecs (``hex``, ``base64``,
    ``rot13``, ``zlib_codec``...), which cannot decode a file into text: they are refused too.
    """
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        raise OptionError(
            f"Unknown encoding '{encoding}'; use for example utf-8, cp1252 or latin-1."
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise OptionError(
            f"Encoding '{encoding}' is not a text encoding (it is a {info.name} transform); "
            "use for example utf-8, cp1252 or latin-1."
        )


def check_profile(profile: object) -> None:
    """Raise :class:`~textmine.errors.OptionError` unless ``profile`` is one of :data:`PROFILES`."""
    if profile not in PROFILES:
        raise OptionError(
            f"Unknown survey profile {profile!r}; choose one of {', '.join(PROFILES)}."
        )


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
        if _is_int(self.sheet):  # a sheet position given as a number from Python
            _set(self, "sheet", str(self.sheet))
        _check_optional_text(self, ("id_col", "sheet", "encoding", "weights"))
        if self.encoding is not None:
            check_encoding(self.encoding)
        if self.weights is not None and self.weights == self.id_col:
            raise OptionError(
                f"The weight column '{self.weights}' is the id column (--id-col); give "
                "--weights the column holding the survey weights (numbers >= 0), or leave it out."
            )
        if self.sep is not None:
            # Same rule as textmine.survey.sniff.normalise_sep, which reads the value as given.
            if not isinstance(self.sep, str) or (
                len(self.sep) != 1 and self.sep.lower() not in ("tab", "\\t")
            ):
                raise OptionError(
                    f"Separator '{self.sep}' must be one character; use one of , ; | or tab."
                )
        _set(self, "types", _tuple_of_tuples(self.types))
        _set(self, "na_values", _tuple(self.na_values))
        _check_pairs(self, "types")
        _check_texts(self, "na_values")
        levels = tuple((col, _tuple(order)) for col, order in _tuple_of_tuples(self.levels))
        if not all(isinstance(c, str) and all(isinstance(v, str) for v in o) for c, o in levels):
            raise OptionError(
                f"levels={self.levels!r} must pair each column with a tuple of its levels "
                "(texts); fix levels."
            )
        _set(self, "levels", levels)
        check_profile(self.profile)
        _set(self, "option_seps", _tuple_of_tuples(self.option_seps))
        _check_pairs(self, "option_seps")


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
    min_collocation_count : int
        A learned pair occurs at least this often in the corpus.
    collocation_threshold : float
        A learned pair has at least this NPMI (normalised pointwise mutual information, -1..1).
    extra_stop_words : tuple of str
        Words added to the stop words (forms or lemmas, lower case).
    keep_words : tuple of str
        Words removed from the stop words, so they are kept (forms or lemmas, lower case).
    extra_lexicon : tuple of (form, lemma) pairs
        Fixed lemmas added to ``resources/text/lexicon.tsv``.
    extra_mwe : tuple of str
        Expressions (lemma sequences) joined into one term, added to the shipped list.
    extra_nonanswers : tuple of str
        Answers meaning "no answer" (``rien``, ``nsp``...), added to the shipped list.
    fast_lemmas : bool
        Tag with a lemma memo filled by the full pipeline on a sample (``memo_sample`` texts) and
        on every text with an unknown or ambiguous word (~2x faster; agreement in bench_text.md).
    memo_sample : int
        Texts parsed by the full pipeline to start the memo.
    batch_size : int
        Texts per spaCy ``nlp.pipe`` batch.
    n_process : int
        spaCy worker processes (1: no extra process).
    cache : bool
        Keep parsed texts in the on-disk cache (``$TEXTMINE_CACHE_DIR`` or the user cache).
    max_chars : int
        Longer answers are analysed on their first ``max_chars`` characters (a warning counts
        them; the answer itself is kept whole). spaCy refuses texts over 1,000,000 characters
        and needs ~4 GiB for one of 900,000; no survey answer is that long unless a document was
        pasted in.
    dictionary : str or None
        Path of an edited word dictionary (``textmine dictionary``, or an R.temis/INED
        lemmatiser with ``Term``/``Occurrences``/``Stopword``): forms marked ``keep = no`` are
        not features, forms with a ``group_as`` term become that term
        (:mod:`textmine.text.dictionary`). Its content is part of the features' cache key.
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
    # -- editable dictionary (issue 16, section 3) --
    dictionary: str | None = None

    def __post_init__(self) -> None:
        # -- editable dictionary (issue 16, section 3): a Path from Python is kept as text --
        if self.dictionary is not None and not isinstance(self.dictionary, str) and hasattr(
            self.dictionary, "__fspath__"
        ):
            _set(self, "dictionary", str(self.dictionary))
        _check_optional_text(self, ("dictionary",))
        # -- end editable dictionary --
        if not isinstance(self.model, str) or not self.model.strip():
            raise OptionError(
                f"model={self.model!r} is not a spaCy model name; use fr_core_news_sm or "
                "fr_core_news_md."
            )
        _check_bools(self, ("mask_pii", "negation", "learn_collocations", "fast_lemmas", "cache"))
        ints = (self.batch_size, self.n_process, self.memo_sample)
        if not all(map(_is_int, ints)) or min(self.batch_size, self.n_process) < 1 or (
            self.memo_sample < 0
        ):
            raise OptionError(
                f"batch_size ({self.batch_size}) and n_process ({self.n_process}) must be >= 1 "
                f"and memo_sample ({self.memo_sample}) >= 0; fix the [text] options."
            )
        if (
            not _is_int(self.min_collocation_count)
            or self.min_collocation_count < 1
            or not _is_number(self.collocation_threshold)
            or not -1 <= self.collocation_threshold <= 1
        ):
            raise OptionError(
                f"min_collocation_count ({self.min_collocation_count}) must be >= 1 and "
                f"collocation_threshold ({self.collocation_threshold}) in [-1, 1]; fix the "
                "options."
            )
        _check_int(self, "max_chars", 1)
        for name in ("extra_stop_words", "keep_words", "extra_mwe", "extra_nonanswers"):
            _set(self, name, _tuple(getattr(self, name)))
            _check_texts(self, name)
        _set(self, "extra_lexicon", _tuple_of_tuples(self.extra_lexicon))
        _check_pairs(self, "extra_lexicon")


@dataclass(frozen=True)
class ThemeOptions:
    """Theme discovery options (see :mod:`textmine.themes`).

    Attributes
    ----------
    k : int or "auto"
        Number of themes, or ``"auto"`` to choose it in ``k_min..k_max`` (stability across
        ``n_seeds_stability`` pairs of resamples beyond that of structure-free data; see
        :mod:`textmine.themes.selection`).
        Ignored with a codebook: k = number of codebook themes + ``extra_themes``.
    k_min : int
        Smallest number of themes tried with ``k = "auto"``.
    k_max : int
        Largest number of themes tried with ``k = "auto"``.
    n_seeds_stability : int
        Random seeds refitted for each k tried with ``k = "auto"`` to measure its stability.
    method : {"auto", "semantic", "short", "nmf", "lda"}
        Theme model (see :mod:`textmine.themes.models`). ``auto`` chooses from the answers
        (:mod:`textmine.themes.method_choice`: ``semantic``, sentence embeddings + words,
        when there are enough answers; ``short`` below; ``nmf`` with a codebook) and says why in
        run.json and the report. ``short`` is NMF on TF-IDF smoothed by term co-occurrence.
        With a codebook, ``short`` fits plain ``nmf`` (smoothing blurs seeded themes).
    seed : int
        Random seed: same input + same seed give byte-identical themes.csv and answers.csv.
    min_df : int
        Keep terms found in at least ``min_df`` answers.
    max_df : float
        Keep terms found in at most this share of the answers (0..1).
    mwe_parts : bool
        Also count the words of multi-word expressions as features (they connect short answers;
        measured in docs/bench_themes.md).
    relative_threshold : float
        An answer carries every theme weighing at least ``relative_threshold`` × its strongest
        theme.
    min_weight : float
        An answer is ``unassigned`` when its strongest theme weight is below ``min_weight``.
    n_top_terms : int
        Terms shown per theme.
    n_quotes : int
        Quotes shown per theme.
    extra_themes : int
        Free themes found beside the codebook's seeded themes.
    rename : tuple of (theme, name) pairs
        Themes renamed after fitting (id or label), as in a codebook's edit section.
    merge : tuple of tuples of str
        Groups of themes merged after fitting (ids or labels; the first keeps its id).
    drop : tuple of str
        Themes dropped after fitting (ids or labels).
    dedupe : bool
        Fit the themes on distinct texts (one text pasted by many respondents counts once), then
        assign them to every respondent: counts and shares stay per respondent.
    max_theme_share : float
        Largest share of the answers a free theme may hold: a free theme above it is split
        (refitted on its answers; a ``semantic`` theme re-clustered into 2 or 3 stable
        sub-themes), or else reported as "Divers / autres" with its share
        (:mod:`textmine.themes.catchall`); 1.0 turns the rule off.
    min_exclusivity : float
        Exclusivity floor of free themes found beside a codebook: a free theme whose heaviest
        words belong as much to other themes folds into "Divers / autres".
    stability_resamples : int
        Bootstrap refits measuring each theme's stability (``stability`` in themes.csv, see
        :mod:`textmine.themes.stability`); 0 turns it off (it costs about that many fits).
    seed_neighbours : int
        Co-occurrence neighbours added to each codebook theme's seed terms, and with the
        semantic method as many terms closest in meaning to the codebook entry (listed in
        ``seed_expansion.csv``, see :mod:`textmine.themes.seeded`); 0 (default) keeps the seeds
        alone: 5 neighbours helped tag-name codebooks on AN titles (NMI +0.024) but not on
        République numérique (-0.007) and moved the demo's seeded themes (docs/benchmarks.md).
    seed_strength : float
        Pull of seeded themes towards their seed terms (``NMFThemes.seed_strength``): 0.02 lets
        a theme named by a few tag words gather the answers that do not write them (0.2 left
        three quarters of the AN titles unassigned; docs/benchmarks.md).
    """

    k: int | str = "auto"
    k_min: int = 3
    k_max: int = 12
    method: str = "auto"
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
    dedupe: bool = False
    max_theme_share: float = 0.35
    min_exclusivity: float = 0.35
    stability_resamples: int = 5
    seed_neighbours: int = 0
    seed_strength: float = 0.02

    def __post_init__(self) -> None:
        _set(self, "k", parse_k(self.k))
        if self.method not in THEME_METHODS:
            raise OptionError(
                f"Unknown theme method '{self.method}'; choose one of {', '.join(THEME_METHODS)}."
            )
        if not (_is_int(self.k_min) and _is_int(self.k_max)) or not (
            1 <= self.k_min <= self.k_max
        ):
            raise OptionError(
                f"k range {self.k_min}..{self.k_max} is empty; set k_min >= 1 and "
                "k_min <= k_max."
            )
        if not _is_int(self.min_df) or self.min_df < 1:
            raise OptionError(f"min_df={self.min_df} must be at least 1; give --min-df 1 or more.")
        if not _is_int(self.extra_themes) or self.extra_themes < 0:
            raise OptionError(f"extra_themes={self.extra_themes} must be 0 or more; "
                              "give --extra-themes 0 or more.")
        if not _is_number(self.relative_threshold) or not 0 < self.relative_threshold <= 1:
            raise OptionError(
                f"relative_threshold={self.relative_threshold} must be in (0, 1]; 0.5 is usual."
            )
        _check_range(self, "max_df", 0, 1, low_open=True, hint="; 0.5 is usual")
        _check_range(self, "min_weight", 0, 1, hint="; 0.01 is usual")
        _check_seed(self)
        _check_int(self, "n_seeds_stability", 1)
        _check_int(self, "n_top_terms", 1)
        _check_int(self, "n_quotes", 0)
        _check_bools(self, ("mwe_parts", "dedupe"))
        _check_range(self, "max_theme_share", 0, 1, low_open=True, hint="; 0.35 is the default")
        _check_range(self, "min_exclusivity", 0, 1, hint="; 0.35 is the default")
        _check_int(self, "stability_resamples", 0, "--stability")
        _check_int(self, "seed_neighbours", 0)
        _check_range(self, "seed_strength", 0, 100, low_open=True, hint="; 0.02 is the default")
        _set(self, "rename", _tuple_of_tuples(self.rename))
        _check_pairs(self, "rename")
        _set(self, "merge", _tuple_of_tuples(self.merge))
        if not all(all(isinstance(x, str) for x in group) for group in self.merge):
            raise OptionError(f"merge={self.merge!r} must be groups of theme ids or labels.")
        _set(self, "drop", _tuple(self.drop))
        _check_texts(self, "drop")


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
    reference : tuple of (column, level) pairs
        Reference category of a closed question in the effects models (``--reference
        COL=LEVEL``, ``[tables] reference = {COL = "LEVEL"}``); default: the first level of an
        ordinal question, the most frequent answer otherwise.
    """

    alpha: float = 0.05
    include_nonanswers: bool = False
    min_expected: float = 5.0
    n_permutations: int = 10000
    seed: int = 0
    residual_flag: float = 1.96
    spec_min_freq: int = 2
    reference: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _check_range(self, "alpha", 0, 1, low_open=True, hint="; 0.05 is usual")
        _check_bools(self, ("include_nonanswers",))
        _check_range(self, "min_expected", 0, float("inf"), hint="; 5 is usual")
        _check_int(self, "n_permutations", 1)
        _check_seed(self)
        _check_range(self, "residual_flag", 0, float("inf"), low_open=True,
                     hint="; 1.96 is usual")
        _check_int(self, "spec_min_freq", 1)
        ref = self.reference
        if isinstance(ref, Mapping):
            ref = tuple((str(k), str(v)) for k, v in ref.items())
        _set(self, "reference", _tuple_of_tuples(ref))
        _check_pairs(self, "reference")


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
        Codes with fewer coded answers are scored but never assigned automatically (their
        answers go to the review queue). 7: with the pooled held-out evidence count of
        :mod:`textmine.coding.learn` guarding the promise, 10, 9, 8, 7 and 6 all kept realised
        precision within 0.03 of every target on 6 labelled corpora (15 splits at 30 % coded,
        5 of them fresh after the choice of the count); the share coded automatically rises
        down to 7 and hardly below (docs/benchmarks.md, "Fewest coded examples").
    learning_curve : bool
        Write ``learning_curve.csv`` and its figure (the coder refitted on subsets of the coded
        answers, ``curve_repeats`` × 4 fits; ``--no-learning-curve`` to skip).
    curve_repeats : int
        Random splits behind each point of the learning curve.
    next_n : int or None
        With ``--next N``: write the N uncoded answers whose coding would help the coder most
        as a coding sheet (``None``: no sheet).
    embedding_model : str or None
        Sentence encoder whose embeddings of the answers are added to the lexical features
        (one of :data:`EMBEDDING_MODELS`; its weights ship with its package, nothing is
        downloaded), or ``None`` for lexical features only (``--embeddings none``).
        ``use-multilingual-v3`` is the default: it gave the best mean best-guess micro-F1 over
        the six corpora of ``scripts/bench_coding.py`` (+0.05 over the tuned baseline) and, with
        the thresholds' lower confidence bounds, kept the precision promise on every corpus at
        targets 0.7 and 0.8 (not at 0.9 on one corpus; docs/benchmarks.md).
    embedding_weight : float
        Weight of the (L2-normalised) embedding block against the TF-IDF blocks (each of unit
        norm per answer); 2 beat 1 on the mean micro-F1 of ``scripts/bench_coding.py``.
    """

    target_precision: float = 0.8
    cv_folds: int = 5
    seed: int = 0
    C: float = 3.0
    char_ngrams: bool = True
    min_df: int = 1
    min_positives: int = 7
    learning_curve: bool = True
    curve_repeats: int = 3
    next_n: int | None = None
    embedding_model: str | None = "use-multilingual-v3"
    embedding_weight: float = 2.0

    def __post_init__(self) -> None:
        if not _is_number(self.target_precision) or not 0 < self.target_precision <= 1:
            raise OptionError(
                f"--target-precision must be in (0, 1]; got {self.target_precision}. Try 0.8."
            )
        _check_int(self, "cv_folds", 2)
        _check_seed(self)
        _check_range(self, "C", 0, float("inf"), low_open=True, hint="; 3 is the default")
        _check_bools(self, ("char_ngrams", "learning_curve"))
        _check_int(self, "min_df", 1)
        _check_int(self, "min_positives", 1)
        _check_int(self, "curve_repeats", 1)
        if self.next_n is not None and (not _is_int(self.next_n) or self.next_n < 1):
            raise OptionError(
                f"--next {self.next_n!r}: give the number of answers to code next, 1 or more "
                "(leave --next out for no sheet)."
            )
        if isinstance(self.embedding_model, str) and self.embedding_model.lower() == "none":
            _set(self, "embedding_model", None)
        if self.embedding_model is not None and self.embedding_model not in EMBEDDING_MODELS:
            raise OptionError(
                f"--embeddings {self.embedding_model!r} is not a sentence encoder; use one of "
                f"{', '.join(EMBEDDING_MODELS)} or none."
            )
        _check_range(self, "embedding_weight", 0, 100, low_open=True,
                     hint="; 2 is the default")  # fmt: skip


@dataclass(frozen=True)
class ReportOptions:
    """Report options (see :mod:`textmine.report`).

    Attributes
    ----------
    lang : str
        Language of the report: ``"fr"`` or ``"en"``.
    wordclouds : bool
        Draw the word clouds.
    html : bool
        Write ``report.html``.
    xlsx : bool
        Write the workbook ``report.xlsx``.
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
        Title of the report (page header, ``[report] title``); empty: "Rapport textmine".
    question : str
        The open question as worded for readers (under the title); empty: the wording recorded
        in run.json (project file label or platform export), else the column name.
    question_labels : tuple of (column, label) pairs
        Labels of the closed questions, shown instead of their column names in the report.
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
    question: str = ""
    question_labels: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.lang not in REPORT_LANGUAGES:
            raise OptionError(
                f"Report language {self.lang!r} is not available; use one of: "
                f"{', '.join(REPORT_LANGUAGES)}."
            )
        _check_bools(self, ("wordclouds", "html", "xlsx", "svg"))
        _check_int(self, "max_cloud_terms", 1)
        _check_int(self, "top_specific_terms", 0)
        _check_int(self, "sheet_specific_terms", 0)
        _check_seed(self, None)
        if not isinstance(self.title, str):
            raise OptionError(f"title={self.title!r} must be text; fix title.")
        if not isinstance(self.question, str):
            raise OptionError(f"question={self.question!r} must be text; fix question.")
        _set(self, "question_labels", _tuple_of_tuples(self.question_labels))
        _check_pairs(self, "question_labels")


@dataclass(frozen=True)
class OpenQuestion:
    """An open question of the project file, with the researcher's label and theme settings."""

    column: str
    label: str = ""
    codebook: str | None = None
    themes: ThemeOptions = field(default_factory=ThemeOptions)

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise OptionError(f"column={self.column!r} must name the open question's column.")
        if not isinstance(self.label, str):
            raise OptionError(
                f"label={self.label!r} of open question '{self.column}' must be text."
            )
        _check_optional_text(self, ("codebook",))
        if not isinstance(self.themes, ThemeOptions):
            raise OptionError(
                f"themes of open question '{self.column}' must be ThemeOptions, not "
                f"{type(self.themes).__name__}."
            )


# --- analysis options (issue 17: correspondence and similarity analysis) ---------------------

#: Rows of a correspondence analysis (``textmine ca --rows``).
CA_ROWS = ("terms", "themes", "classes")
#: Similarity indices (``textmine similarity --index``); same tuple as tables.similarity.
SIMILARITY_INDICES = ("cooccurrence", "jaccard", "cosine")


@dataclass(frozen=True)
class AnalysisOptions:
    """Options of the correspondence analysis (``ca``) and the similarity analysis.

    Attributes
    ----------
    ca, similarity : bool
        Run them with ``themes`` / ``run`` (``--ca``, ``--similarity``; ``[analysis]``).
    rows : {"terms", "themes", "classes"}
        Rows of the CA table.
    min_freq : int
        Terms kept as active CA rows: at least this many occurrences.
    axes : tuple of two int
        Axes of the factor map (1-based).
    top : int
        Terms of the similarity graph (most frequent), 3 to ``MAX_SIMILARITY_TOP`` (200).
    index : {"cooccurrence", "jaccard", "cosine"}
        Similarity index.
    seed : int
        Seed of the Louvain communities.
    drop_generic : bool
        Leave French adverbs and generic words (``plus``, ``très``, ``bien``, ``faire``...;
        :data:`textmine.tables.similarity.GENERIC_TERMS`) out of the similarity terms: they
        co-occur with everything and make one hub the whole tree hangs on
        (``--keep-generic`` / ``drop_generic = false`` keeps them).
    ca_by : tuple of str
        Closed questions whose modalities are the CA columns in ``themes --ca``, ``reinert
        --ca`` and ``run`` (project file ``[analysis] ca_by``); empty: the tables' ``by``
        questions that have modalities (numeric ones left out).
    """

    ca: bool = False
    similarity: bool = False
    rows: str = "terms"
    min_freq: int = 10
    axes: tuple[int, int] = (1, 2)
    top: int = 80
    index: str = "cooccurrence"
    seed: int = 0
    drop_generic: bool = True
    ca_by: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_bools(self, ("ca", "similarity", "drop_generic"))
        _set(self, "ca_by", _tuple(self.ca_by))
        _check_texts(self, "ca_by")
        if self.rows not in CA_ROWS:
            raise OptionError(f"rows={self.rows!r} is unknown; give --rows one of "
                              f"{', '.join(CA_ROWS)}.")
        if self.index not in SIMILARITY_INDICES:
            raise OptionError(f"index={self.index!r} is unknown; give --index one of "
                              f"{', '.join(SIMILARITY_INDICES)}.")
        _check_int(self, "min_freq", 1, "--min-freq")
        _check_int(self, "top", 3, "--top")
        if self.top > MAX_SIMILARITY_TOP:
            raise OptionError(
                f"--top {self.top}: a similarity graph of more than {MAX_SIMILARITY_TOP} terms "
                "cannot be read (labels pile up and placing them takes many minutes); give "
                f"--top {MAX_SIMILARITY_TOP} or less."
            )
        _check_seed(self)
        axes = tuple(self.axes)
        if (len(axes) != 2 or not all(_is_int(a) and a >= 1 for a in axes)
                or axes[0] == axes[1]):
            raise OptionError(f"axes={self.axes!r} must be two different axis numbers >= 1; "
                              "give e.g. --axes 1 2.")
        _set(self, "axes", axes)


# --- Reinert classification (issue 16) -------------------------------------------------------

#: What a Reinert classification classifies (:mod:`textmine.classes.reinert`).
UNITS = ("segments", "answers")


@dataclass(frozen=True)
class ReinertOptions:
    """Options of the Reinert classification (see :mod:`textmine.classes.reinert`).

    Attributes
    ----------
    k : int
        Number of classes (>= 2); the tree makes ``k - 1`` splits.
    min_segment_size : int
        A classification unit holds at least this many terms (short segments of one respondent
        are merged with the next one); 0 keeps one unit per segment.
    min_split_members : int
        A cluster with fewer units is not split (>= 3, as in rainette).
    min_class_share : float
        No split makes a class smaller than this share of the units with terms (IRaMuTeQ's
        minimum class size, as a share; rainette has no such bound and peels off classes of
        1-6 answers on short survey answers). 0 turns it off. The default 0.02 is measured on
        INED K1, the Manifeste and Grand Débat answers (``scripts/bench_reinert.py``,
        docs/benchmarks.md): no class under 2 %, same separation (sum of split chi-squares)
        as 0.01 on Grand Débat and the Manifeste.
    segment_size : int
        Words per segment when cutting long answers (rainette's default 40).
    unit : {"segments", "answers"}
        Classify segments, or whole answers (one segment each).
    cc_test, tsj : float, int
        Term selection after each split: contingency-coefficient threshold and minimum number
        of units containing the term (rainette's defaults 0.3 and 3).
    double : (int, int) or None
        Double classification with these two minimum segment sizes.
    min_members, min_chi2 : int, float
        Double classification: a crossing needs more than ``min_members`` segments and an
        association chi-square above ``min_chi2``.
    profile_min_chi2 : float
        Profiles list the terms whose 2 × 2 chi-square reaches this value (3.84: p < 0.05).
    n_characteristic : int
        Characteristic segments kept per class.
    min_docfreq : int
        Terms found in fewer units are left out of the classification (IRaMuTeQ's active forms
        of frequency >= 3; rainette's users trim the dfm the same way); profiles use all terms.
    """

    k: int = 10
    min_segment_size: int = 5
    min_split_members: int = 10
    min_class_share: float = 0.02
    segment_size: int = 40
    unit: str = "segments"
    cc_test: float = 0.3
    tsj: int = 3
    double: tuple[int, int] | None = None
    min_members: int = 10
    min_chi2: float = 3.84
    profile_min_chi2: float = 3.84
    n_characteristic: int = 10
    min_docfreq: int = 3

    def __post_init__(self) -> None:
        if not _is_int(self.k) or self.k < 2:
            raise OptionError(f"k={self.k!r} must be an integer >= 2; use e.g. --k 10.")
        _check_int(self, "min_segment_size", 0, "--min-segment-size")
        _check_int(self, "min_split_members", 3, "--min-split-members")
        _check_range(self, "min_class_share", 0, 0.5,
                     hint="; give e.g. --min-class-share 0.02 (0 turns it off)")
        _check_int(self, "segment_size", 5)
        if self.unit not in UNITS:
            raise OptionError(
                f"unit={self.unit!r} is not a Reinert unit; give --unit one of "
                f"{', '.join(UNITS)}."
            )
        _check_range(self, "cc_test", 0, 1, low_open=True, hint="; 0.3 is usual")
        _check_int(self, "tsj", 1)
        if self.double is not None:
            _set(self, "double", _tuple(self.double))
            pair = self.double
            if (not isinstance(pair, tuple) or len(pair) != 2 or not all(map(_is_int, pair))
                    or min(pair) < 0 or pair[0] == pair[1]):
                raise OptionError(
                    f"double={self.double!r} needs two different minimum segment sizes >= 0; "
                    "use e.g. --double 5 7."
                )
        _check_int(self, "min_members", 0)
        _check_range(self, "min_chi2", 0, float("inf"), hint="; 3.84 is usual")
        _check_range(self, "profile_min_chi2", 0, float("inf"), hint="; 3.84 is usual")
        _check_int(self, "n_characteristic", 1)
        _check_int(self, "min_docfreq", 1)


# -- issue 19: where the heavy stages run ---------------------------------------------------------
_LOCAL_SCHEDULER = re.compile(r"^local(?::(\d+))?$")
_SCHEDULER_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx)://[^\s/]+$")


@dataclass(frozen=True)
class EngineOptions:
    """Where the heavy stages run (``--jobs``, ``--scheduler``, project file ``[engine]``).

    Attributes
    ----------
    jobs : int or None
        Processes of this machine for the spaCy stage; ``None`` (default): every core this
        process may use (``os.process_cpu_count`` / ``sched_getaffinity``). ``1``: no worker
        processes. The result does not depend on it (docs/scale.md).
    scheduler : str or None
        A Dask scheduler: ``tcp://host:8786`` (a running ``dask scheduler``), ``local`` or
        ``local:N`` (a ``distributed.LocalCluster`` of N worker processes, N defaulting to the
        cores). When given, ``jobs`` is not used.
    """

    jobs: int | None = None
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.jobs is not None:
            _check_int(self, "jobs", 1, "--jobs")
        if self.scheduler is not None:
            text = str(self.scheduler).strip() if isinstance(self.scheduler, str) else None
            m = _LOCAL_SCHEDULER.match(text) if text else None
            if text is None or not (m or _SCHEDULER_ADDRESS.match(text)) or (
                m and m.group(1) is not None and int(m.group(1)) < 1
            ):
                raise OptionError(
                    f"scheduler {self.scheduler!r} is not a Dask scheduler address; use "
                    "tcp://host:8786, or local:N for a local cluster of N >= 1 worker processes."
                )
            _set(self, "scheduler", text)


#: Hosts that only this machine can reach: serving on any other host needs a password.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class WorkspaceOptions:
    """Options of the coding workspace server (``textmine workspace serve``, issue 18).

    Attributes
    ----------
    host : str
        Address to listen on; anything but 127.0.0.1/localhost/::1 needs ``password``.
    port : int
        TCP port (1024–65535).
    password : str or None
        Asked once per browser in addition to the access token (required off this machine).
    refit_every : int
        New codes between two background refits of the coder.
    open_browser : bool
        Open the workspace in the default browser once it listens.
    """

    host: str = "127.0.0.1"
    port: int = 7465
    password: str | None = None
    refit_every: int = 20
    open_browser: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.host, str) or not self.host.strip():
            raise OptionError(f"--host {self.host!r} must be an address such as 127.0.0.1.")
        if not _is_int(self.port) or not 1024 <= self.port <= 65535:
            raise OptionError(f"--port {self.port!r} must be a whole number from 1024 to 65535; "
                              "7465 is the default.")  # fmt: skip
        _check_int(self, "refit_every", 1)
        _check_bools(self, ("open_browser",))
        if self.password is not None and (not isinstance(self.password, str)
                                          or len(self.password) < 8):
            raise OptionError("The workspace password must have at least 8 characters.")
        if self.host not in LOCAL_HOSTS and self.password is None:
            raise OptionError(
                f"--host {self.host} makes the workspace reachable from other machines: set a "
                "password (TEXTMINE_WORKSPACE_PASSWORD, or type it when asked), or keep the "
                "default host 127.0.0.1."
            )
