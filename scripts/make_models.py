"""Fit the theme models of the demo survey into the top-level ``models/`` folder.

One model per open question of ``data/textmine.toml`` (the demo project), fitted with that
project's settings (text options, theme options, codebooks) and saved in the safe format of
:mod:`textmine.themes.persist` (``model.json`` + ``arrays.npz``, no pickle) into
``models/<question>/``. ``models/SHA256SUMS`` lists the checksum of every file written, so that
a re-made model can be compared byte for byte (``--check``).

Usage (from the source folder)::

    python scripts/make_models.py            # (re)write models/
    python scripts/make_models.py --check    # re-fit into a temporary folder, compare checksums
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from textmine.codebook import load_codebook
from textmine.config import TextOptions
from textmine.outputs import file_sha256
from textmine.project import load_project
from textmine.survey import open_answers, read_survey
from textmine.text.corpus import process_answers
from textmine.themes import discover_themes, save_model

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "data" / "textmine.toml"
MODELS = ROOT / "models"
SUMS = "SHA256SUMS"


def _seed_processor(text_options: TextOptions):
    """Parse codebook seed phrases with the same text settings as the answers."""

    def process(phrases: list[str]) -> list[list[str]]:
        series = pd.Series(phrases, index=[f"seed_{i}" for i in range(len(phrases))], dtype=str)
        return [list(t) for t in process_answers(series, options=text_options).terms]

    return process


def make_models(
    out: Path, project_file: Path = PROJECT, *, only: Sequence[str] | None = None
) -> dict[str, str]:
    """Fit one model per open question of ``project_file`` into ``out/<question>/``.

    Parameters
    ----------
    out : Path
        Folder receiving one sub-folder per open question (created; files replaced).
    project_file : Path
        The project file whose survey, text and theme settings are used.
    only : sequence of str, optional
        Fit these open questions only (then no ``SHA256SUMS`` is written: it covers all).

    Returns
    -------
    dict of str to str
        sha256 of every file written, keyed by its path relative to ``out`` (POSIX form).
    """
    project = load_project(project_file)
    project_dir = Path(project.path).resolve().parent
    # The survey is read once for every question: the answers differ, the respondents do not.
    survey = read_survey(project.survey_path, options=project.read)
    sums: dict[str, str] = {}
    for question in project.open:
        if only is not None and question.column not in only:
            continue
        corpus = process_answers(open_answers(survey, question.column), options=project.text)
        codebook = (
            load_codebook(project_dir / question.codebook) if question.codebook else None
        )
        result = discover_themes(
            corpus, options=question.themes, codebook=codebook,
            seed_processor=_seed_processor(project.text) if codebook else None,
        )  # fmt: skip
        # Stored so that `textmine apply` parses new answers exactly like the training ones.
        result.model.text_options = asdict(project.text)
        folder = save_model(result.model, out / question.column)
        for path in sorted(folder.iterdir()):
            sums[path.relative_to(out).as_posix()] = file_sha256(path)
    if only is None:
        lines = [f"{digest}  {name}\n" for name, digest in sorted(sums.items())]
        (out / SUMS).write_text("".join(lines), encoding="utf-8")
    return sums


def read_sums(folder: Path) -> dict[str, str]:
    """Checksums recorded in ``folder/SHA256SUMS`` (name -> sha256)."""
    out = {}
    for line in (folder / SUMS).read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        out[name] = digest
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODELS, help="folder to write (models/)")
    parser.add_argument(
        "--check", action="store_true",
        help="re-fit into a temporary folder and compare with the checksums of --out",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = make_models(Path(tmp))
        stored = read_sums(args.out)
        differ = sorted(n for n in fresh.keys() | stored.keys() if fresh.get(n) != stored.get(n))
        for name in differ:
            print(f"differs: {name}", file=sys.stderr)
        print("identical" if not differ else f"{len(differ)} files differ")
        return 1 if differ else 0
    sums = make_models(args.out)
    print(f"wrote {len(sums)} files into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
