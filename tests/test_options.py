"""Options are checked once, when built (``__post_init__``), by every entry: API, CLI, project."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import sys

import pytest

import textmine.survey
from textmine.config import (
    CodingOptions,
    OpenQuestion,
    ReadOptions,
    ReportOptions,
    TableOptions,
    TextOptions,
    ThemeOptions,
    parse_k,
)
from textmine.errors import OptionError
from textmine.project import load_project


@pytest.mark.parametrize(("given", "expected"), [
    (8, 8), ("8", 8), (" 12 ", 12), (2, 2), ("auto", "auto"), (" AUTO ", "auto"),
])
def test_every_accepted_form_of_k_is_normalised(given, expected):
    assert ThemeOptions(k=given).k == expected
    assert parse_k(given) == expected


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"k": "eight"}, "k='eight' is neither a number nor 'auto'; give --k 8 or --k auto."),
    ({"k": 2.5}, "k=2.5 is neither a number nor 'auto'; give --k 8 or --k auto."),
    ({"k": True}, "k=True is neither a number nor 'auto'; give --k 8 or --k auto."),
    ({"k": 0}, "k=0 must be at least 2; give --k 2 or more, or --k auto."),
    ({"k": 1}, "k=1 puts every answer in one theme, which is no theme model; give --k 2 or "
               "more, or --k auto."),
    ({"k": "1"}, "k=1 puts every answer in one theme, which is no theme model; give --k 2 or "
                 "more, or --k auto."),
    ({"k": "1_000"}, "k='1_000' is neither a number nor 'auto'; give --k 8 or --k auto."),
    ({"k": "\u0661"}, "k='\u0661' is neither a number nor 'auto'; give --k 8 or --k auto."),
    ({"method": "bogus"},
     "Unknown theme method 'bogus'; choose one of auto, semantic, short, nmf, lda."),
    ({"k_min": 8, "k_max": 4}, "k range 8..4 is empty; set k_min >= 1 and k_min <= k_max."),
    ({"min_df": 0}, "min_df=0 must be at least 1; give --min-df 1 or more."),
    ({"extra_themes": -1},
     "extra_themes=-1 must be 0 or more; give --extra-themes 0 or more."),
    ({"max_df": 1.5}, "max_df=1.5 must be a number in (0, 1]; 0.5 is usual."),
])
def test_theme_options_refuse_bad_values_when_built(kwargs, message):
    with pytest.raises(OptionError) as info:
        ThemeOptions(**kwargs)
    assert str(info.value) == message


def test_replace_checks_again():
    with pytest.raises(OptionError, match=r"^Unknown theme method 'x'"):
        dataclasses.replace(ThemeOptions(), method="x")


@pytest.mark.parametrize(("cls", "kwargs", "start"), [
    (ReadOptions, {"encoding": "klingon"}, "Unknown encoding 'klingon'; use for example"),
    (ReadOptions, {"encoding": "hex"}, "Encoding 'hex' is not a text encoding"),
    (ReadOptions, {"encoding": "base64"}, "Encoding 'base64' is not a text encoding"),
    (ReadOptions, {"encoding": "rot13"}, "Encoding 'rot13' is not a text encoding"),
    (ReadOptions, {"encoding": "zlib_codec"}, "Encoding 'zlib_codec' is not a text encoding"),
    (ReadOptions, {"sep": ";;"}, "Separator ';;' must be one character; use one of"),
    (ReadOptions, {"id_col": ""}, "id_col='' must be a non-empty text or None"),
    (TextOptions, {"batch_size": 0}, "batch_size (0) and n_process (1) must be >= 1"),
    (TextOptions, {"collocation_threshold": 2.0}, "min_collocation_count (5) must be >= 1 and"),
    (TextOptions, {"max_chars": 0}, "max_chars=0 must be an integer >= 1"),
    (TableOptions, {"alpha": 0}, "alpha=0 must be a number in (0, 1]"),
    (TableOptions, {"n_permutations": 0}, "n_permutations=0 must be an integer >= 1"),
    (CodingOptions, {"target_precision": 1.5}, "--target-precision must be in (0, 1]; got 1.5."),
    (CodingOptions, {"cv_folds": 1}, "cv_folds=1 must be an integer >= 2"),
    (ReportOptions, {"lang": "de"}, "Report language 'de' is not available; use one of: fr, en."),
    (ReportOptions, {"wordclouds": "yes"}, "wordclouds='yes' must be True or False"),
    (OpenQuestion, {"column": ""}, "column='' must name the open question's column."),
])
def test_every_options_class_checks_itself(cls, kwargs, start):
    with pytest.raises(OptionError) as info:
        cls(**kwargs)
    assert str(info.value).startswith(start)
    assert "\n" not in str(info.value)


def test_defaults_and_list_values_are_accepted():
    for cls in (ReadOptions, TextOptions, ThemeOptions, TableOptions, CodingOptions,
                ReportOptions):
        cls()
    assert ThemeOptions(drop=["3"], rename=[["1", "Un"]]).rename == (("1", "Un"),)
    assert ReadOptions(sheet=1, sep="tab").sheet == "1"


def _project(tmp_path, themes: str):
    (tmp_path / "s.csv").write_text("id,q\n1,a\n", encoding="utf-8")
    path = tmp_path / "textmine.toml"
    path.write_text(f'[survey]\npath = "s.csv"\n[themes]\n{themes}\n[[open]]\ncolumn = "q"\n',
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("line", "kwargs"), [
    ('k = "eight"', {"k": "eight"}),
    ('method = "bogus"', {"method": "bogus"}),
    ("k_min = 13", {"k_min": 13}),
])
def test_project_file_errors_are_the_constructors(tmp_path, line, kwargs):
    with pytest.raises(OptionError) as expected:
        ThemeOptions(**kwargs)
    with pytest.raises(OptionError) as got:
        load_project(_project(tmp_path, line))
    assert str(got.value) == str(expected.value)


def test_project_file_k_as_text_is_normalised(tmp_path):
    assert load_project(_project(tmp_path, 'k = "6"')).open[0].themes.k == 6


@pytest.fixture
def reader_spy(monkeypatch):
    """Replace the survey reader the pipeline uses; record whether it was called.

    The pipeline modules are imported first and the spy is set in each module that holds
    ``read_survey`` (monkeypatch puts every one back): a pipeline module imported for the first
    time while only ``textmine.survey`` was patched would keep the spy for the rest of the
    session (``from textmine.survey import read_survey`` binds the name at import), and a later
    test file reading a survey through it would fail.
    """
    calls = []

    def spy(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the survey was read before the options were checked")

    pipeline = importlib.import_module("textmine.pipeline")
    for info in pkgutil.iter_modules(pipeline.__path__, "textmine.pipeline."):
        importlib.import_module(info.name)
    real = textmine.survey.read_survey
    for module in list(sys.modules.values()):
        if (getattr(module, "__name__", "").startswith("textmine")
                and getattr(module, "read_survey", None) is real):
            monkeypatch.setattr(module, "read_survey", spy)
    return calls


@pytest.mark.parametrize(("extra", "message"), [
    (("--k", "eight"), "k='eight' is neither a number nor 'auto'; give --k 8 or --k auto."),
    (("--k", "0"), "k=0 must be at least 2; give --k 2 or more, or --k auto."),
    (("--k", "1"), "k=1 puts every answer in one theme, which is no theme model; give --k 2 or "
                   "more, or --k auto."),
    (("--method", "bogus"),
     "Unknown theme method 'bogus'; choose one of auto, semantic, short, nmf, lda."),
    (("--min-df", "0"), "min_df=0 must be at least 1; give --min-df 1 or more."),
    (("--lang", "de"), "Report language 'de' is not available; use one of: fr, en."),
    (("--encoding", "klingon"),
     "Unknown encoding 'klingon'; use for example utf-8, cp1252 or latin-1."),
    (("--encoding", "hex"),
     "Encoding 'hex' is not a text encoding (it is a hex transform); use for example utf-8, "
     "cp1252 or latin-1."),
])
def test_bad_theme_option_fails_before_the_survey_is_read(cli, tmp_path, reader_spy, extra,
                                                          message):
    survey = tmp_path / "data.csv"
    survey.write_text("x\nbonjour\n", encoding="utf-8")
    res = cli("themes", survey, "--text-col", "x", "--out", tmp_path / "out", *extra)
    assert (res.code, res.err) == (2, f"error: {message}\n")
    assert reader_spy == []
    assert not (tmp_path / "out").exists()


def test_bad_project_range_fails_before_the_survey_is_read(cli, tmp_path, reader_spy):
    res = cli("run", _project(tmp_path, "k_min = 9\nk_max = 4"), "--out", tmp_path / "out")
    assert (res.code, res.err) == (
        2, "error: k range 9..4 is empty; set k_min >= 1 and k_min <= k_max.\n")
    assert reader_spy == []


@pytest.mark.parametrize("cls", ["ThemeOptions", "CodingOptions", "AnalysisOptions",
                                 "ReportOptions"])
@pytest.mark.parametrize("seed", [2**32, 4294967296 * 10, -1])
def test_seeds_are_bounded_to_32_bits(cls, seed):
    import textmine.config as config

    options_cls = getattr(config, cls)
    with pytest.raises(OptionError, match=r"^seed=-?\d+ must be an integer from 0 to "
                                          r"4,294,967,295 \(2\*\*32 - 1\)"):
        options_cls(seed=seed)
    assert options_cls(seed=2**32 - 1).seed == 2**32 - 1


def test_seed_too_large_fails_before_the_survey_is_read(cli, tmp_path, reader_spy):
    survey = tmp_path / "data.csv"
    survey.write_text("x\nbonjour\n", encoding="utf-8")
    res = cli("themes", survey, "--text-col", "x", "--out", tmp_path / "out",
              "--seed", "4294967296")
    assert res.code == 2 and not reader_spy
    assert res.err == ("error: seed=4294967296 must be an integer from 0 to 4,294,967,295 "
                       "(2**32 - 1); give --seed a number in that range.\n")
    assert not (tmp_path / "out").exists()


def test_project_seed_too_large_is_refused_when_loaded(tmp_path):
    (tmp_path / "s.csv").write_text("x\nbonjour\n", encoding="utf-8")
    path = tmp_path / "textmine.toml"
    path.write_text('[survey]\npath = "s.csv"\n\n[themes]\nseed = 4294967296\n',
                    encoding="utf-8")
    with pytest.raises(OptionError, match=r"^seed=4294967296 must be an integer from 0"):
        load_project(path)


@pytest.mark.parametrize(("cls", "kwargs", "message"), [
    ("AnalysisOptions", {"rows": "words"},
     "rows='words' is unknown; give --rows one of terms, themes, classes."),
    ("AnalysisOptions", {"index": "dice"},
     "index='dice' is unknown; give --index one of cooccurrence, jaccard, cosine."),
    ("ReinertOptions", {"unit": "phrases"},
     "unit='phrases' is not a Reinert unit; give --unit one of segments, answers."),
])
def test_option_messages_name_the_cli_option(cls, kwargs, message):
    import textmine.config as config

    with pytest.raises(OptionError) as info:
        getattr(config, cls)(**kwargs)
    assert str(info.value) == message
