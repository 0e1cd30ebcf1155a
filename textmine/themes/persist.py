"""Saving and loading fitted theme models safely: JSON + NumPy arrays, never pickle.

``MODEL_DIR/model.json`` holds the schema version, the textmine version, the method, the
estimator's parameters, the vocabulary, labels, options and the SHA-256 of ``arrays.npz``;
``arrays.npz`` holds the learned arrays. Loading uses ``allow_pickle=False`` (object arrays are
refused), checks the schema, the checksum and every array's shape, and rebuilds the estimator
from a fixed list of classes and parameters: a model file from someone else cannot run code.
"""

from __future__ import annotations

import zipfile
from importlib.metadata import version
from pathlib import Path

import numpy as np

from textmine.config import THEME_METHODS
from textmine.errors import ModelFileError
from textmine.outputs import file_sha256, package_version, read_checked_meta, write_json
from textmine.themes.models import LDAThemes, NMFThemes, SemanticThemes, ShortTextThemes
from textmine.themes.result import FittedThemes

SCHEMA = "textmine.theme_model"
SCHEMA_VERSION = 1
MODEL_JSON = "model.json"
ARRAYS_NPZ = "arrays.npz"
_CLASSES = {c.__name__: c for c in (NMFThemes, ShortTextThemes, LDAThemes, SemanticThemes)}



def _json_params(params: dict) -> dict:
    return {k: [list(s) for s in v] if k == "seed_terms" else v for k, v in params.items()}


def save_model(model: FittedThemes, folder: str | Path) -> Path:
    """Write ``model`` into ``folder`` (created) as model.json + arrays.npz; returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = model.estimator.state_arrays()
    arrays = {f"est_{k}": np.ascontiguousarray(v) for k, v in state.items()}
    arrays["theme_map"] = np.ascontiguousarray(model.theme_map, dtype=np.float64)
    npz = folder / ARRAYS_NPZ
    # Fixed entry dates in the zip so that identical models give identical bytes.
    with zipfile.ZipFile(npz, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w") as fh:
                np.lib.format.write_array(fh, arrays[name], allow_pickle=False)
    meta = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "textmine_version": package_version("textmine"),
        "sklearn_version": version("scikit-learn"),
        "method": model.method,
        "estimator": type(model.estimator).__name__,
        "params": _json_params(model.estimator.get_params()),
        "terms": list(model.terms),
        "labels": list(model.labels),
        "top_terms": [list(t) for t in model.top_terms],
        "seeded": list(model.seeded),
        "relative_threshold": model.relative_threshold,
        "min_weight": model.min_weight,
        "mwe_parts": model.mwe_parts,
        # editable dictionary (issue 16, section 3): recorded only when given, so that models
        # made without one stay byte-identical to those of earlier releases
        "text_options": {k: v for k, v in model.text_options.items()
                         if not (k == "dictionary" and v is None)},
        # textmine edit keeps theme ids (a dropped theme leaves a gap); recorded only then, so
        # that unedited models stay byte-identical to those of earlier releases
        **({"theme_ids": [int(t) for t in model.theme_ids]}
           if model.theme_ids and list(model.theme_ids) != list(range(1, model.n_themes + 1))
           else {}),
        "arrays": {k: list(v.shape) for k, v in sorted(arrays.items())},
        "arrays_sha256": file_sha256(npz),
    }
    write_json(meta, folder / MODEL_JSON)
    return folder


def _expected_shapes(meta: dict, arrays: dict) -> dict[str, tuple[int, ...]]:
    n_terms, k_final = len(meta["terms"]), len(meta["labels"])
    k = int(meta["params"]["n_themes"])
    shapes: dict[str, tuple[int, ...]] = {"theme_map": (k, k_final), "est_components": (k, n_terms)}
    if meta["estimator"] == "LDAThemes":
        shapes["est_pseudo_counts"] = (k, n_terms)
    else:
        nnz = arrays["est_smoothing_data"].shape[0] if "est_smoothing_data" in arrays else -1
        shapes.update(
            est_idf=(n_terms,), est_term_weights=(n_terms,), est_smoothing_indptr=(n_terms + 1,),
            est_smoothing_data=(nnz,), est_smoothing_indices=(nnz,),
        )  # fmt: skip
    if meta["estimator"] == "SemanticThemes":
        # The SVD basis has as many rows as the lexical dimensions kept, the centroids as many
        # columns as embedding dimensions + lexical dimensions.
        n_lex = arrays["est_svd_pos"].shape[0] if "est_svd_pos" in arrays else -1
        n_joined = arrays["est_centroids_pos"].shape[1] if "est_centroids_pos" in arrays else -1
        shapes.update(est_svd_pos=(n_lex, n_terms), est_svd_neg=(n_lex, n_terms),
                      est_centroids_pos=(k, n_joined), est_centroids_neg=(k, n_joined))
    return shapes


def load_model(folder: str | Path) -> FittedThemes:
    """Load a model saved by :func:`save_model`.

    Raises
    ------
    ModelFileError
        If a file is missing, the schema is unknown, the arrays do not match their checksum or
        their expected shapes, or the parameters are not those of a known estimator.
    """
    folder = Path(folder)
    meta, meta_path, npz = read_checked_meta(
        folder, MODEL_JSON, ARRAYS_NPZ, schema=SCHEMA, version=SCHEMA_VERSION,
        not_folder=(f"{folder} is not a textmine model folder (needs {MODEL_JSON} and "
                    f"{ARRAYS_NPZ}); give the model/ folder of a themes run."),
        not_schema="a textmine theme model", hint="re-run textmine themes",
        checksum_hint="re-run textmine themes or ask for the original model folder")
    try:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {k: np.asarray(data[k]) for k in data.files}
        cls = _CLASSES[meta["estimator"]]
        params = dict(meta["params"])
        if "seed_terms" in params:
            params["seed_terms"] = tuple(tuple(int(i) for i in s) for s in params["seed_terms"])
        estimator = cls().set_params(**params)
        shapes = _expected_shapes(meta, arrays)
        bad = [n for n, s in shapes.items() if n not in arrays or arrays[n].shape != s]
        if bad or any(a.dtype.kind not in "fiu" for a in arrays.values()):
            raise ModelFileError(
                f"Arrays {', '.join(bad) or '(types)'} in {npz} have unexpected shapes or types; "
                "the model is damaged: re-run textmine themes."
            )
        # Every learned array is a finite, non-negative quantity (weights, IDF, counts).
        odd = sorted(n for n, a in arrays.items() if a.size and not (
            np.isfinite(a).all() and (a >= 0).all()))
        if odd:
            raise ModelFileError(
                f"Arrays {', '.join(odd)} in {npz} hold non-finite or negative values; "
                "the model is damaged: re-run textmine themes."
            )
        est_arrays = {k[4:]: v for k, v in arrays.items() if k.startswith("est_")}
        if "smoothing_indices" in est_arrays:
            idx = est_arrays["smoothing_indices"]
            if idx.size and (idx.min() < 0 or idx.max() >= len(meta["terms"])):
                raise ModelFileError(f"Smoothing indices out of range in {npz}; re-run themes.")
        estimator.set_state_arrays(est_arrays)
        # model.json is not under the arrays' checksum: its recorded method is checked too
        # (a fitted model has a concrete method; run.json and the report repeat it).
        if meta["method"] not in THEME_METHODS or meta["method"] == "auto":
            raise ModelFileError(
                f"Unknown theme method {str(meta['method'])[:40]!r} in {meta_path}; the model "
                "is damaged: re-run textmine themes."
            )
        theme_ids = [int(t) for t in meta.get("theme_ids", [])]
        if theme_ids and (len(theme_ids) != len(meta["labels"]) or len(set(theme_ids))
                          != len(theme_ids) or min(theme_ids) < 1):
            raise ModelFileError(f"theme_ids in {meta_path} do not match the model's themes; "
                                 "the model is damaged: re-run textmine themes.")
        return FittedThemes(
            estimator=estimator,
            method=str(meta["method"]),
            terms=[str(t) for t in meta["terms"]],
            theme_map=arrays["theme_map"].astype(np.float64),
            labels=[str(x) for x in meta["labels"]],
            top_terms=[[str(t) for t in row] for row in meta["top_terms"]],
            seeded=[str(x) for x in meta.get("seeded", [])],
            relative_threshold=float(meta["relative_threshold"]),
            min_weight=float(meta["min_weight"]),
            mwe_parts=bool(meta["mwe_parts"]),
            text_options=dict(meta.get("text_options") or {}),
            theme_ids=theme_ids,
        )
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise ModelFileError(
            f"Model {folder} cannot be loaded ({type(exc).__name__}: {str(exc)[:80]}); "
            "re-run textmine themes."
        ) from exc
