"""Untrusted files: models, caches and project files are data only, and cannot move outputs.

A model folder, a cache or a project file may come from someone else. Loading one must never run
code (no pickle, no YAML tags, no spaCy model loaded from a path the file names) and a tampered
file must be refused with one clear error; names taken from them (theme labels, question
columns, output folder) must not place files outside the output folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from textmine.cli import commands  # noqa: F401  (registers the commands)
from textmine.cli.app import app
from textmine.config import ThemeOptions
from textmine.errors import ModelFileError, OptionError, TextmineError
from textmine.themes import discover_themes, load_model, save_model

REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "tests" / "data" / "bad"
COMMANDS = {c.name or c.callback.__name__ for c in app.registered_commands}
HAS_TEXT = importlib.util.find_spec("textmine.text.corpus") is not None
needs_text = pytest.mark.skipif(not HAS_TEXT, reason="textmine.text.corpus not there yet")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Payload:
    """Unpickling this creates the file named by ``PWNED`` (proof that code ran)."""

    def __reduce__(self):
        return (os.system, (f"touch {os.environ.get('PWNED', '/nonexistent/x')}",))


@pytest.fixture(scope="module")
def corpus():
    from test_themes_data import make_corpus

    return make_corpus()


@pytest.fixture(scope="module")
def models(tmp_path_factory, corpus):
    """Two saved models (k=3 and k=4) to tamper with; copied per test."""
    root = tmp_path_factory.mktemp("models")
    for k in (3, 4):
        result = discover_themes(corpus, options=ThemeOptions(k=k, method="nmf"))
        save_model(result.model, root / f"k{k}")
    return root


@pytest.fixture
def model(models, tmp_path) -> Path:
    import shutil

    return Path(shutil.copytree(models / "k3", tmp_path / "model"))


def _meta(model: Path) -> dict:
    return json.loads((model / "model.json").read_text(encoding="utf-8"))


def _write_meta(model: Path, meta: dict, *, resign: bool = True) -> None:
    if resign:  # an attacker controls both files, so the checksum proves nothing alone
        meta["arrays_sha256"] = _sha(model / "arrays.npz")
    (model / "model.json").write_text(json.dumps(meta), encoding="utf-8")


def _arrays(model: Path) -> dict[str, np.ndarray]:
    with np.load(model / "arrays.npz", allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def _write_npz(model: Path, arrays: dict, *, raw: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(model / "arrays.npz", "w") as zf:
        for name, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arr), allow_pickle=True)
            zf.writestr(f"{name}.npy", buf.getvalue())
        for name, data in (raw or {}).items():
            zf.writestr(f"{name}.npy", data)
    meta = _meta(model)
    _write_meta(model, meta)


def test_untampered_copy_loads(model):
    assert load_model(model).n_themes == 3


# --- model.json edits -------------------------------------------------------------------------

def _edit(key, value):
    def apply(meta):
        meta[key] = value

    return apply


def _edit_param(key, value):
    def apply(meta):
        meta["params"][key] = value

    return apply


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_edit("schema", "evil"), r"model\.json is not a textmine theme model; re-run"),
        (_edit("schema_version", 99), r"model\.json has schema version 99; this textmine reads"),
        (_edit("estimator", "os.system"), r"cannot be loaded \(KeyError: 'os\.system'\)"),
        (_edit("estimator", "__builtins__"), r"cannot be loaded \(KeyError"),
        (_edit_param("__class__", "x"), r"cannot be loaded \(ValueError: Invalid parameter"),
        (_edit_param("n_themes", 7), r"Arrays .* have unexpected shapes or types"),
        (_edit_param("n_themes", "trois"), r"cannot be loaded \(ValueError"),
        (_edit("terms", ["visio"]), r"Arrays .* have unexpected shapes or types"),
        (_edit("labels", ["a"] * 9), r"Arrays .* have unexpected shapes or types"),
        (_edit("params", None), r"cannot be loaded \(TypeError"),
    ],
    ids=["schema", "schema-version", "estimator-os-system", "estimator-builtins",
         "param-injection", "n-themes", "n-themes-text", "terms", "labels", "params-null"],
)
def test_edited_model_json_is_refused(model, edit, message):
    meta = _meta(model)
    edit(meta)
    _write_meta(model, meta)
    with pytest.raises(ModelFileError, match=message):
        load_model(model)


def test_model_json_that_is_not_an_object_is_refused(model):
    (model / "model.json").write_text("[1, 2, 3]", encoding="utf-8")
    with pytest.raises(ModelFileError, match=r"is not a textmine theme model"):
        load_model(model)


def test_model_json_not_utf8_is_refused(model):
    (model / "model.json").write_bytes(b'{"schema": "\xff\xfe"}')
    with pytest.raises(ModelFileError, match=r"model\.json is not valid JSON; re-run"):
        load_model(model)


def test_deeply_nested_model_json_is_refused(model):
    (model / "model.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ModelFileError, match=r"model\.json is not valid JSON; re-run"):
        load_model(model)


def test_unknown_text_option_in_model_is_refused(model):
    from textmine.pipeline.themes_run import _text_options_from

    meta = _meta(model)
    with pytest.raises(ModelFileError, match=r"Model text option 'exec' is unknown"):
        _text_options_from({**meta.get("text_options", {}), "exec": "rm -rf /"})


# --- arrays.npz swaps ---------------------------------------------------------------------------

def test_npz_swapped_without_checksum_is_refused(model, models):
    (model / "arrays.npz").write_bytes((models / "k4" / "arrays.npz").read_bytes())
    with pytest.raises(ModelFileError, match=r"does not match the checksum in model\.json "
                                             r"\(modified or corrupted\)"):
        load_model(model)


def test_npz_swapped_from_another_model_is_refused(model, models):
    (model / "arrays.npz").write_bytes((models / "k4" / "arrays.npz").read_bytes())
    _write_meta(model, _meta(model))
    with pytest.raises(ModelFileError, match=r"have unexpected shapes or types; the model is "
                                             r"damaged"):
        load_model(model)


def test_npz_with_pickled_object_array_runs_nothing(model, tmp_path, monkeypatch):
    pwned = tmp_path / "pwned"
    monkeypatch.setenv("PWNED", str(pwned))
    arrays = _arrays(model)
    payload = io.BytesIO()
    np.lib.format.write_array(payload, np.array([_Payload()], dtype=object), allow_pickle=True)
    del arrays["theme_map"]
    _write_npz(model, arrays, raw={"theme_map": payload.getvalue()})
    with pytest.raises(ModelFileError, match=r"Object arrays cannot be loaded when "
                                             r"allow_pickle=False"):
        load_model(model)
    assert not pwned.exists()


def test_npz_member_that_is_a_bare_pickle_runs_nothing(model, tmp_path, monkeypatch):
    pwned = tmp_path / "pwned"
    monkeypatch.setenv("PWNED", str(pwned))
    arrays = _arrays(model)
    del arrays["est_components"]
    _write_npz(model, arrays, raw={"est_components": pickle.dumps(_Payload())})
    # np.load hands a member without the .npy magic back as raw bytes: refused by its type.
    with pytest.raises(ModelFileError, match=r"Arrays est_components in .* have unexpected "
                                             r"shapes or types"):
        load_model(model)
    assert not pwned.exists()


def test_npz_that_is_not_a_zip_is_refused(model):
    (model / "arrays.npz").write_bytes(pickle.dumps({"a": 1}))
    _write_meta(model, _meta(model))
    with pytest.raises(ModelFileError, match=r"cannot be loaded"):
        load_model(model)


@pytest.mark.parametrize("dtype", [np.complex128, np.bool_, "U5"])
def test_arrays_of_other_types_are_refused(model, dtype):
    arrays = _arrays(model)
    arrays["est_components"] = arrays["est_components"].astype(dtype)
    _write_npz(model, arrays)
    with pytest.raises(ModelFileError, match=r"unexpected shapes or types"):
        load_model(model)


@pytest.mark.parametrize("value", [np.nan, np.inf, -1.0])
def test_non_finite_or_negative_arrays_are_refused(model, value):
    arrays = _arrays(model)
    arrays["est_components"] = np.full_like(arrays["est_components"], value)
    _write_npz(model, arrays)
    with pytest.raises(ModelFileError, match=r"Arrays est_components in .* hold non-finite or "
                                             r"negative values; the model is damaged"):
        load_model(model)


def test_npz_symlink_to_a_device_is_refused(model):
    (model / "arrays.npz").unlink()
    (model / "arrays.npz").symlink_to("/dev/zero")
    with pytest.raises(ModelFileError, match=r"is not a textmine model folder"):
        load_model(model)


# --- models through the CLI (need the text stage) ----------------------------------------------

@pytest.fixture
def run_dir(tmp_path, monkeypatch) -> Path:
    from textmine.config import ReadOptions
    from textmine.pipeline.themes_run import run_themes

    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    return run_themes(BAD / "good.csv", text_col="reponse", out=tmp_path / "run",
                      read_options=ReadOptions(id_col="id"), theme_options=ThemeOptions(k=2))


@needs_text
def test_apply_refuses_a_tampered_model_in_one_line(cli, run_dir, tmp_path):
    npz = run_dir / "model" / "arrays.npz"
    npz.write_bytes(npz.read_bytes()[:-10])
    res = cli("apply", run_dir / "model", BAD / "good.csv", "--text-col", "reponse",
              "--out", tmp_path / "applied")
    assert res.code == 2 and "Traceback" not in res.err
    assert res.err.startswith("error: ") and len(res.err.strip().splitlines()) == 1
    assert "does not match the checksum" in res.err
    assert not (tmp_path / "applied").exists()


@needs_text
@pytest.mark.parametrize("model_name", ["{evil}", "../../evil", "os", "en_core_web_sm"])
def test_apply_never_loads_a_spacy_model_named_by_the_model_file(cli, run_dir, tmp_path,
                                                                 model_name):
    """A model file may not point spaCy at an arbitrary folder (spaCy pipelines can hold code)."""
    import spacy

    evil = tmp_path / "evil"
    spacy.blank("fr").to_disk(evil)  # a loadable pipeline folder: it must still be refused
    meta = _meta(run_dir / "model")
    meta["text_options"]["model"] = model_name.format(evil=evil)
    (run_dir / "model" / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    res = cli("apply", run_dir / "model", BAD / "good.csv", "--text-col", "reponse",
              "--out", tmp_path / "applied")
    assert res.code == 2 and res.err.startswith("error: "), res.err
    assert len(res.err.strip().splitlines()) == 1 and "Traceback" not in res.err
    assert not (tmp_path / "applied").exists()


@needs_text
def test_labels_with_path_parts_stay_inside_the_output(cli, run_dir, tmp_path):
    """Theme labels from a (tampered) model become file names only through safe_filename."""
    meta = _meta(run_dir / "model")
    meta["labels"] = ["../../../escaped_" + str(i) for i in range(len(meta["labels"]))]
    (run_dir / "model" / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    out = tmp_path / "nest" / "applied"
    res = cli("apply", run_dir / "model", BAD / "good.csv", "--text-col", "reponse", "--out", out)
    assert res.code == 0, res.err
    if "report" in COMMANDS:
        res = cli("report", out)
        assert res.code in (0, 2) and "Traceback" not in res.err
    escaped = [p for p in tmp_path.rglob("*escaped*") if out not in p.parents]
    assert escaped == []


@needs_text
def test_report_xlsx_holds_no_formulas_from_answers(cli, tmp_path, monkeypatch):
    """Answers starting with = + - @ never become spreadsheet formulas (report and sheet)."""
    from openpyxl import load_workbook

    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "run"
    res = cli("themes", BAD / "formula_cells.csv", "--text-col", "reponse", "--k", "2",
              "--out", out, "--report", "--id-col", "id")
    assert res.code == 0, res.err
    books = [out / "report.xlsx"]
    if "sheet" in COMMANDS:
        res = cli("sheet", out, "--out", tmp_path / "sheet.xlsx")
        assert res.code == 0, res.err
        books.append(tmp_path / "sheet.xlsx")
    for book in books:
        wb = load_workbook(book)
        formulas = [(ws.title, c.coordinate, c.value) for ws in wb for row in ws.iter_rows()
                    for c in row if c.data_type == "f"]
        assert formulas == [], (book.name, formulas[:3])


@needs_text
@pytest.mark.skipif("crosstab" not in COMMANDS, reason="command 'crosstab' not registered yet")
def test_crosstab_refuses_a_survey_changed_since_the_run(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    survey = tmp_path / "enquete.csv"
    lines = (BAD / "good.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    survey.write_text("".join(lines), encoding="utf-8")
    res = cli("themes", survey, "--text-col", "reponse", "--k", "2", "--out", tmp_path / "run")
    assert res.code == 0, res.err
    survey.write_text(lines[0] + "".join(reversed(lines[1:])), encoding="utf-8")
    res = cli("crosstab", tmp_path / "run", "--by", "fonction")
    assert res.code == 2 and res.err.startswith("error: "), res.out


# --- caches -----------------------------------------------------------------------------------

@needs_text
def test_cache_holds_no_pickle(tmp_path, monkeypatch):
    from textmine.config import ReadOptions
    from textmine.pipeline.themes_run import run_themes

    cache = tmp_path / "cache"
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(cache))
    run_themes(BAD / "good.csv", text_col="reponse", out=tmp_path / "run",
               read_options=ReadOptions(id_col="id"), theme_options=ThemeOptions(k=2))
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files, "nothing cached in TEXTMINE_CACHE_DIR"
    for path in files:
        head = path.read_bytes()[:2]
        assert path.suffix not in (".pkl", ".pickle", ".joblib", ".dill"), path.name
        assert not (head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")), (
            f"{path.name} looks like a pickle")
        if path.suffix in (".npz", ".npy"):
            np.load(path, allow_pickle=False)


# --- codebooks -------------------------------------------------------------------------------

def test_codebook_with_yaml_aliases_is_refused():
    from textmine.codebook import load_codebook

    with pytest.raises(TextmineError, match=r"codebook_alias_bomb\.yaml"):
        load_codebook(BAD / "codebook_alias_bomb.yaml")


def test_codebook_python_tag_runs_nothing(tmp_path, monkeypatch):
    from textmine.codebook import load_codebook
    from textmine.errors import InputFileError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputFileError, match=r"is not valid UTF-8 YAML"):
        load_codebook(BAD / "codebook_python_tag.yaml")
    assert list(tmp_path.iterdir()) == []


# --- project files ------------------------------------------------------------------------------

def _project(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "projet"
    folder.mkdir(exist_ok=True)
    (folder / "enquete.csv").write_bytes((BAD / "good.csv").read_bytes())
    path = folder / "textmine.toml"
    path.write_text('[survey]\npath = "enquete.csv"\nid_col = "id"\n' + body, encoding="utf-8")
    return path


def test_project_file_is_data_only(tmp_path):
    """TOML has no tags or code: a project file is read with tomllib, never evaluated."""
    from textmine.project import load_project

    path = _project(tmp_path, '[[open]]\ncolumn = "reponse"\nlabel = "__import__(\'os\')"\n')
    project = load_project(path)
    assert project.open[0].label == "__import__('os')"


def test_project_output_dir_cannot_escape_the_project_folder(tmp_path):
    from textmine.project import load_project

    path = _project(tmp_path, '[output]\ndir = "../../escaped"\n[[open]]\ncolumn = "reponse"\n')
    try:
        project = load_project(path)
    except TextmineError:
        return
    assert path.parent in Path(project.output_dir).resolve().parents


def test_project_open_column_with_path_parts_gives_a_safe_folder(tmp_path):
    from textmine.pipeline.project_run import question_folders

    folders = question_folders(["../../etc/passwd", "..", "/abs/x", "a/../../b", "réponse"])
    for name in folders.values():
        assert "/" not in name and "\\" not in name and name not in (".", "..", "")
    assert len(set(folders.values())) == len(folders)


@needs_text
@pytest.mark.skipif("run" not in COMMANDS, reason="command 'run' not registered yet")
def test_project_run_writes_only_inside_out(cli, tmp_path, monkeypatch):
    """Column, label and codebook values with ../ do not place files outside --out."""
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    path = _project(tmp_path, (
        '[output]\ndir = "out"\n'
        '[themes]\nk = 2\n'
        '[[open]]\ncolumn = "reponse"\nlabel = "../../../escaped_label"\n'
    ))
    before = {p for p in tmp_path.rglob("*")}
    out = tmp_path / "projet" / "out"
    res = cli("run", path, "--out", out)
    assert "Traceback" not in res.err
    assert res.code in (0, 2), res.err
    new = {p for p in tmp_path.rglob("*")} - before
    outside = [p for p in new if p != out and out not in p.parents
               and (tmp_path / "cache") not in p.parents and p != tmp_path / "cache"]
    assert outside == []
    assert not list(tmp_path.parent.glob("escaped*"))


def test_option_error_is_a_textmine_error():
    assert issubclass(OptionError, TextmineError) and issubclass(ModelFileError, TextmineError)
