"""Saving and loading a fitted coder safely: JSON + NumPy arrays, never pickle.

``DIR/coder.json`` holds the schema version, the textmine and scikit-learn versions, the coder's
parameters, the codes, the text options its terms were made with, the expected precision and
share coded automatically measured when it was fitted, and the SHA-256 of ``arrays.npz``;
``arrays.npz`` holds the learned arrays (TF-IDF vocabularies and IDF of every fold, the
coefficients of every per-code logistic regression, Platt scaling, thresholds, out-of-fold
scores). Loading uses ``allow_pickle=False`` (object arrays are refused), checks the schema, the
checksum and every array's shape and values, and rebuilds the coder from a fixed list of
classes: a coder folder from someone else cannot run code. Same style as
:mod:`textmine.themes.persist`.
"""

from __future__ import annotations

import logging
import math
import zipfile
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from textmine.coding.learn import CodingFeatures, MultiLabelCoder, _identity
from textmine.config import EMBEDDING_MODELS
from textmine.errors import ModelFileError
from textmine.outputs import file_sha256, package_version, read_checked_meta, write_json

logger = logging.getLogger(__name__)

SCHEMA = "textmine.coder"
SCHEMA_VERSION = 1
CODER_JSON = "coder.json"
ARRAYS_NPZ = "arrays.npz"
#: Parameters of :class:`MultiLabelCoder` a saved coder may carry (and their types).
_PARAMS = {"target_precision": float, "cv_folds": int, "C": float, "char_ngrams": bool,
           "min_df": int, "min_positives": int, "random_state": int}  # fmt: skip
_HINT = "fit it again with textmine code ... --save-model DIR"


@dataclass
class SavedCoder:
    """A coder read back from a folder written by :func:`save_coder`.

    Attributes
    ----------
    coder : MultiLabelCoder
        The fitted coder (scores and codes new answers without refitting).
    text_options : dict
        The ``TextOptions`` fields the coder's terms were made with (new answers must be
        processed the same way).
    expected : dict
        The expected precision and share coded automatically measured when the coder was fitted
        (:func:`textmine.coding.learn.expected_block` plus ``sentence``).
    fitted_on : dict
        Where the coded answers came from (survey name and sha256, text column, counts).
    seeds : dict
        Codebook seed words of each code (to find answers mentioning a code sent to review).
    embedding_model : str or None
        The sentence-embedding model of the coder's features, if any.
    """

    coder: MultiLabelCoder
    text_options: dict = field(default_factory=dict)
    expected: dict = field(default_factory=dict)
    fitted_on: dict = field(default_factory=dict)
    seeds: dict = field(default_factory=dict)
    embedding_model: str | None = None


def _terms(vectoriser: TfidfVectorizer) -> np.ndarray:
    vocab = vectoriser.vocabulary_
    out = [""] * len(vocab)
    for term, j in vocab.items():
        out[j] = term
    return np.array(out, dtype=str) if out else np.zeros(0, dtype="<U1")


def _fold_arrays(k: int, feats: CodingFeatures, models: list, n_codes: int) -> dict:
    """Arrays of fold ``k``: vocabularies, IDF, and the linear models as one coefficient matrix."""
    out = {f"fold{k}_words_terms": _terms(feats.words_),
           f"fold{k}_words_idf": np.asarray(feats.words_.idf_, dtype=np.float64)}  # fmt: skip
    n_features = len(feats.words_.vocabulary_)
    if feats.char_ngrams:
        out[f"fold{k}_chars_terms"] = _terms(feats.chars_)
        out[f"fold{k}_chars_idf"] = np.asarray(feats.chars_.idf_, dtype=np.float64)
        n_features += len(feats.chars_.vocabulary_)
    if getattr(feats, "embedding_model", None) is not None:
        n_features += int(feats.embedding_dim_ or 0)  # the embedding block comes last
    coef = np.zeros((n_codes, n_features))
    intercept = np.zeros(n_codes)
    constant = np.zeros(n_codes, dtype=np.int8)
    for j, m in enumerate(models):
        if isinstance(m, float):
            intercept[j], constant[j] = m, 1
        else:
            coef[j] = m.coef_[0]
            intercept[j] = m.intercept_[0]
    out.update({f"fold{k}_coef": coef, f"fold{k}_intercept": intercept,
                f"fold{k}_constant": constant})  # fmt: skip
    return out


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(float(x)) else None


def save_coder(
    coder: MultiLabelCoder,
    folder: str | Path,
    *,
    text_options: dict[str, Any] | None = None,
    expected: dict[str, Any] | None = None,
    fitted_on: dict[str, Any] | None = None,
    seeds: dict[str, list[str]] | None = None,
) -> Path:
    """Write a fitted coder into ``folder`` (created) as coder.json + arrays.npz.

    Parameters
    ----------
    coder : MultiLabelCoder
        A fitted coder.
    folder : str or Path
        Folder to write into (its two files are replaced).
    text_options : dict, optional
        ``dataclasses.asdict`` of the ``TextOptions`` the coder's terms were made with.
    expected : dict, optional
        The expected precision statement measured when fitting (``run.json`` ``coding.expected``).
    fitted_on : dict, optional
        Where the coded answers came from, recorded as is.
    seeds : dict, optional
        Codebook seed words per code.

    Returns
    -------
    Path
        ``folder``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    n_codes = len(coder.classes_)
    arrays: dict[str, np.ndarray] = {
        "cv_scores": np.asarray(coder.cv_scores_, dtype=np.float64),
        "cv_truth": np.asarray(coder.cv_truth_, dtype=np.int8),
        "cv_fold": np.asarray(coder.cv_fold_, dtype=np.int32),
        "platt": np.asarray(coder.platt_, dtype=np.float64),
        "thresholds": np.asarray(coder.thresholds_, dtype=np.float64),
        "best_thresholds": np.asarray(coder.best_thresholds_, dtype=np.float64),
        "code_targets": np.asarray(coder.code_targets_, dtype=np.float64),
        # The code names under the arrays' checksum too: swapped names in coder.json
        # relabelled every code silently (trial 2026-12-01).
        "codes": np.asarray([str(c) for c in coder.classes_], dtype=str),
    }
    for k, (feats, models) in enumerate(coder.fold_models_):
        arrays.update(_fold_arrays(k, feats, models, n_codes))
    npz = folder / ARRAYS_NPZ
    # Fixed entry dates in the zip so that identical coders give identical bytes.
    with zipfile.ZipFile(npz, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w") as fh:
                np.lib.format.write_array(fh, np.ascontiguousarray(arrays[name]),
                                          allow_pickle=False)  # fmt: skip
    feats0 = coder.fold_models_[0][0]
    meta = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "textmine_version": package_version("textmine"),
        "sklearn_version": version("scikit-learn"),
        "params": {k: coder.get_params()[k] for k in _PARAMS},
        "codes": [str(c) for c in coder.classes_],
        "n_folds": len(coder.fold_models_),
        "at_least_one": bool(coder.at_least_one_),
        "single_code": bool(coder.single_code_),
        "answer_level": bool(getattr(coder, "answer_level_", False)),
        # A coder fitted with sentence embeddings is applied with the same encoder and weight.
        "embedding_model": getattr(feats0, "embedding_model", None),
        "embedding_weight": float(getattr(feats0, "embedding_weight", 1.0)),
        "embedding_dim": getattr(feats0, "embedding_dim_", None),
        "text_options": dict(text_options or {}),
        "expected": dict(expected or {}),
        "fitted_on": dict(fitted_on or {}),
        "seeds": {str(k): [str(s) for s in v] for k, v in (seeds or {}).items()},
        "thresholds": [_num(t) for t in coder.thresholds_],
        "arrays": {k: list(v.shape) for k, v in sorted(arrays.items())},
        "arrays_sha256": file_sha256(npz),
    }
    write_json(meta, folder / CODER_JSON)
    return folder


def _vectoriser(terms: np.ndarray, idf: np.ndarray, *, chars: bool, min_df: int) -> TfidfVectorizer:
    if chars:
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                              min_df=min_df, max_features=20000)  # fmt: skip
    else:
        vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=1)
    vec.vocabulary_ = {str(t): j for j, t in enumerate(terms)}
    vec.idf_ = idf
    return vec


def _check_arrays(meta: dict, arrays: dict[str, np.ndarray], npz: Path) -> None:
    """Refuse arrays of unexpected shapes, types or values (one line)."""
    n_codes, n_folds = len(meta["codes"]), int(meta["n_folds"])
    n = arrays["cv_fold"].shape[0] if "cv_fold" in arrays else -1
    chars = bool(meta["params"]["char_ngrams"])
    n_emb = int(meta.get("embedding_dim") or 0) if meta.get("embedding_model") else 0
    shapes: dict[str, tuple[int, ...]] = {
        "cv_scores": (n, n_codes), "cv_truth": (n, n_codes), "cv_fold": (n,),
        "platt": (n_codes, 2), "thresholds": (n_codes,), "best_thresholds": (n_codes,),
        "code_targets": (n_codes,),
    }  # fmt: skip
    if "codes" in arrays:  # coders saved before 2026-12-01 have none
        shapes["codes"] = (n_codes,)
    for k in range(n_folds):
        n_words = arrays.get(f"fold{k}_words_terms", np.zeros(0)).shape[0]
        n_chars = arrays.get(f"fold{k}_chars_terms", np.zeros(0)).shape[0] if chars else 0
        shapes.update({
            f"fold{k}_words_terms": (n_words,), f"fold{k}_words_idf": (n_words,),
            f"fold{k}_coef": (n_codes, n_words + n_chars + n_emb), f"fold{k}_intercept": (n_codes,),
            f"fold{k}_constant": (n_codes,),
        })  # fmt: skip
        if chars:
            shapes.update({f"fold{k}_chars_terms": (n_chars,), f"fold{k}_chars_idf": (n_chars,)})
    bad = [name for name, s in shapes.items() if name not in arrays or arrays[name].shape != s]
    extra = sorted(set(arrays) - set(shapes))
    kinds = [name for name, a in arrays.items()
             if a.dtype.kind not in ("U" if name.endswith("_terms") or name == "codes"
                                     else "fiu")]  # fmt: skip
    if bad or extra or kinds or n < 2:
        raise ModelFileError(
            f"Arrays {', '.join(bad + extra + kinds) or '(none)'} in {npz} have unexpected "
            f"shapes or types; the coder is damaged: {_HINT}."
        )
    finite = [name for name, a in arrays.items() if a.dtype.kind == "f"
              and name not in ("thresholds", "best_thresholds", "code_targets")
              and not np.isfinite(a).all()]  # fmt: skip
    scores = arrays["cv_scores"]
    folds = arrays["cv_fold"]
    if (finite or (scores.size and (scores.min() < 0 or scores.max() > 1))
            or not np.isin(arrays["cv_truth"], (0, 1)).all()
            or (folds.size and (folds.min() < 0 or folds.max() >= n_folds))
            or np.isnan(arrays["thresholds"]).any()):
        raise ModelFileError(
            f"Arrays {', '.join(finite) or 'cv_scores, cv_truth, cv_fold or thresholds'} in "
            f"{npz} hold impossible values; the coder is damaged: {_HINT}."
        )


def load_coder(folder: str | Path) -> SavedCoder:
    """Load a coder saved by :func:`save_coder`.

    Parameters
    ----------
    folder : str or Path
        The folder given to ``--save-model``.

    Returns
    -------
    SavedCoder

    Raises
    ------
    ModelFileError
        If the folder or a file is missing, the schema or its version is unknown, the arrays do
        not match their checksum, their expected shapes or values, or the parameters are not
        those of the coder.
    """
    folder = Path(folder)
    meta, meta_path, npz = read_checked_meta(
        folder, CODER_JSON, ARRAYS_NPZ, schema=SCHEMA, version=SCHEMA_VERSION,
        not_folder=(f"{folder} is not a saved textmine coder (needs {CODER_JSON} and "
                    f"{ARRAYS_NPZ}); give the folder written by textmine code ... "
                    "--save-model DIR."),
        not_schema="a saved textmine coder", hint=_HINT,
        checksum_hint=f"{_HINT}, or ask for the original coder folder")
    try:
        params = meta["params"]
        if set(params) != set(_PARAMS):
            raise ModelFileError(
                f"{meta_path} holds other coder parameters than this textmine's; {_HINT}."
            )
        coder = MultiLabelCoder(**{k: _PARAMS[k](v) for k, v in params.items()})
        with np.load(npz, allow_pickle=False) as data:
            arrays = {k: np.asarray(data[k]) for k in data.files}
        _check_arrays(meta, arrays, npz)
        codes = [str(c) for c in meta["codes"]]
        if len(set(codes)) != len(codes) or (
                "codes" in arrays and arrays["codes"].tolist() != codes):
            raise ModelFileError(
                f"The codes of {meta_path} are not those the coder was saved with (names "
                f"changed, reordered or repeated); {_HINT}.")
        n_codes = len(codes)
        coder.classes_ = np.asarray(codes, dtype=object)
        coder.cv_scores_ = arrays["cv_scores"].astype(np.float64)
        coder.cv_truth_ = arrays["cv_truth"].astype(int)
        coder.cv_fold_ = arrays["cv_fold"].astype(int)
        coder.platt_ = arrays["platt"].astype(np.float64)
        coder.thresholds_ = arrays["thresholds"].astype(np.float64)
        coder.best_thresholds_ = arrays["best_thresholds"].astype(np.float64)
        coder.code_targets_ = arrays["code_targets"].astype(np.float64)
        coder.n_positives_ = coder.cv_truth_.sum(axis=0)
        coder.automatic_ = np.isfinite(coder.thresholds_)
        # A coder saved before the open-world rule (2026-12-01) may code automatically codes
        # with fewer examples than the rule now asks for (its statement would then say "14
        # needed" while coding them): they go to review, as they would from a coder fitted now.
        stale = coder.automatic_ & ~coder.automatic_candidates()
        if stale.any():
            logger.warning(
                "%s was saved before the open-world rule: %d code(s) with fewer than %d coded "
                "examples (%s) are no longer coded automatically; their answers go to review "
                "(refit with 'textmine code --save-model' for an up-to-date statement).",
                folder, int(stale.sum()), coder.needed_positives(),
                ", ".join(str(c) for c in coder.classes_[stale][:5]))  # fmt: skip
            coder.thresholds_[stale] = np.inf
            coder.automatic_[stale] = False
        coder.at_least_one_ = bool(meta["at_least_one"])
        coder.single_code_ = bool(meta["single_code"])
        # Coders saved before the answer-level rule decided per code.
        coder.answer_level_ = bool(meta.get("answer_level", False))
        coder.expected_ = dict(meta.get("expected") or {})
        # "None of these codes" is chosen from the stored out-of-fold scores (as when fitted).
        coder.set_none_thresholds()
        embedding_model = meta.get("embedding_model")
        weight = meta.get("embedding_weight", 1.0)
        # coder.json is not under the arrays' checksum: its encoder and weight are checked here
        # (an edited weight of -1 turned the sentence features upside down without a word).
        if embedding_model is not None and embedding_model not in EMBEDDING_MODELS:
            raise ModelFileError(
                f"{meta_path} names an unknown sentence encoder "
                f"{str(embedding_model)[:40]!r} (known: {', '.join(EMBEDDING_MODELS)}); {_HINT}."
            )
        if (isinstance(weight, bool) or not isinstance(weight, (int, float))
                or not math.isfinite(weight) or not 0 < weight <= 100):
            raise ModelFileError(
                f"{meta_path} has embedding_weight {repr(weight)[:40]}, not a number in "
                f"(0, 100]; {_HINT}."
            )
        coder.fold_models_ = []
        for k in range(int(meta["n_folds"])):
            feats = CodingFeatures(
                char_ngrams=coder.char_ngrams, min_df=coder.min_df,
                embedding_model=None if embedding_model is None else str(embedding_model),
                embedding_weight=float(meta.get("embedding_weight", 1.0)),
            )
            if embedding_model is not None:
                feats.embedding_dim_ = int(meta.get("embedding_dim") or 0)
            feats.words_ = _vectoriser(arrays[f"fold{k}_words_terms"],
                                       arrays[f"fold{k}_words_idf"], chars=False, min_df=1)
            if coder.char_ngrams:
                feats.chars_ = _vectoriser(arrays[f"fold{k}_chars_terms"],
                                           arrays[f"fold{k}_chars_idf"], chars=True,
                                           min_df=coder.min_df)  # fmt: skip
            models: list[LogisticRegression | float] = []
            for j in range(n_codes):
                if arrays[f"fold{k}_constant"][j]:
                    models.append(float(arrays[f"fold{k}_intercept"][j]))
                    continue
                lr = LogisticRegression(C=coder.C, solver="liblinear", intercept_scaling=10.0)
                lr.coef_ = arrays[f"fold{k}_coef"][j : j + 1].astype(np.float64)
                lr.intercept_ = arrays[f"fold{k}_intercept"][j : j + 1].astype(np.float64)
                lr.classes_ = np.array([0, 1])
                models.append(lr)
            coder.fold_models_.append((feats, models))
        return SavedCoder(
            coder=coder,
            text_options=dict(meta.get("text_options") or {}),
            expected=dict(meta.get("expected") or {}),
            fitted_on=dict(meta.get("fitted_on") or {}),
            seeds={str(k): [str(s) for s in v] for k, v in (meta.get("seeds") or {}).items()},
            embedding_model=None if embedding_model is None else str(embedding_model),
        )
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, OSError,
            zipfile.BadZipFile) as exc:  # fmt: skip
        raise ModelFileError(
            f"Coder {folder} cannot be loaded ({type(exc).__name__}: {str(exc)[:80]}); {_HINT}."
        ) from exc
