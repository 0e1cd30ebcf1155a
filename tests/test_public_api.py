"""The package's public API: every exported name resolves, and importing textmine is cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import textmine


@pytest.mark.parametrize("name", [n for n in textmine.__all__ if n != "__version__"])
def test_every_public_name_resolves(name):
    assert getattr(textmine, name) is not None


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        textmine.nope  # noqa: B018


def test_import_loads_neither_spacy_nor_sklearn():
    code = "import sys, textmine; print(sorted({'spacy', 'sklearn'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
