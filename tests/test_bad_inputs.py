"""Bad inputs through the CLI: a documented result or one clear error line, never damage.

Every case runs one command in-process (``cli`` fixture) on a copy of a file of
``tests/data/bad/`` (written by ``scripts/make_bad_inputs.py``; large inputs are built in
``tmp_path``) and asserts, besides its documented outcome:

- no ``Traceback`` anywhere in the output;
- on error: exit code 2 and exactly one stderr line starting with ``error: ``;
- no partial output: no ``--out`` folder after an error, no ``.out.tmp-*`` sibling ever;
- the input files are byte-identical (SHA-256) and nothing new appears beside them.

Documented outcomes (``docs/robustness.md`` has the same table)
----------------------------------------------------------------
========================================  ==================================================
input                                     outcome (inspect / parse / themes / apply / code)
========================================  ==================================================
empty.csv (0 bytes)                       error: ``... is empty (0 bytes) ...``
blank_lines.csv                           error: ``... has only blank lines ...``
header_only.csv                           error: ``... has a header but no data rows ...``
binary.csv (PNG bytes), xlsx_renamed.csv  error: ``... contains NUL bytes: it is a binary file``
binary_no_nul.csv                         error: ``... does not look like a text table ...``
cp1252.csv, latin1.csv, utf16.csv         read; encoding detected; answers decoded exactly
mixed_encoding.csv (UTF-8 + 1 cp1252 row) error naming the line (no silent mojibake)
bom_crlf.csv (UTF-8 BOM, ``;``, CRLF)     read; first column ``id`` (no BOM), no ``\\r``
semicolon_cr_only.csv (old Mac CR ends)   read (line ends unified after decoding)
ragged_long.csv (row longer than header)  error: ``Cannot parse ... Expected 3 fields ...``
ragged_short.csv (row shorter)            read; missing trailing cells are empty answers
unclosed_quote.csv                        error: ``Cannot parse ... check ... the quotes``
duplicate_columns.csv                     error: ``Duplicate column names ... 'reponse'``
duplicate_ids.csv (--id-col id)           error: ``Duplicate ids in column 'id' ... 'r02'``
missing_ids.csv (--id-col id)             error: ``1 rows have no id in column 'id' ...``
--id-col / --text-col not in the file     error: ``Column 'nope' not found ...; available ...``
text_empty.csv (all blank)                parse: 12 ``empty``; themes: error
text_nonanswers.csv (RAS, NSP, -, /...)   parse: 12 ``non-answer``; themes: error
text_numbers.csv (only numbers)           parse: read, texts as written (``3`` not ``3.0``);
                                          themes: error (no terms to find themes in)
single_answer.csv                         parse: 1 row; themes --k 2: error (too few terms)
formula_ids.csv (ids ``=A2``, ``-1``...)  written ``'=A2`` in CSVs, restored on reading back:
                                          themes then crosstab --by still joins
long answer (300,000 characters)          read, parsed and themed; text kept whole
unicode.csv (emoji, RTL, zero-width, NFD) read and themed; answers.csv keeps texts unchanged
formula_cells.csv (``=HYPERLINK`` ...)    themed; no CSV cell starts with ``= + - @``
multi_sheet.xlsx                          first sheet (Notice) by default; ``--sheet
                                          Réponses`` reads the 12 answers; an empty or
                                          missing sheet: error naming the sheets
merged_header.xlsx (2 header rows)        read with the first row as header (``Profil,
                                          unnamed_2, Question ouverte``); --text-col reponse:
                                          error listing those columns
value_labels.sav (SPSS)                   read; labelled ``taille`` is ordinal in code order
--k larger than the answers allow         error (one line, exit 2); --k 0 / -3 / abc: error
codebook_unknown_keys.yaml                error: ``Unknown key(s) couleurs in codebook ...``
codebook_python_tag.yaml                  error (YAML tag refused); nothing executed
codebook_empty_seeds.yaml                 themed; the seedless theme is still named
labels_unknown_ids.csv (code)             error naming the unknown ids
--out is the input file / a file          error: ``... exists and is a file ...``
--out holds the input (--force or not)    error: ``Output folder ... holds the input``
FIFO named .csv                           refused before reading (not a regular file)
--out "", ".", "..", the current folder   error: ``... is the current folder or one of its
                                          parents; ...`` (even with --force)
========================================  ==================================================

Known defects are ``xfail(strict=True)``: fixed, they turn red so the marker goes. Commands
that are not registered yet, or whose stage is missing (``textmine.text.corpus``), are skipped.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from textmine.cli import commands  # noqa: F401  (registers the commands)
from textmine.cli.app import app

REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "tests" / "data" / "bad"
sys.path.insert(0, str(REPO / "scripts"))
import make_bad_inputs as mk  # noqa: E402

COMMANDS = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands}
HAS_TEXT = importlib.util.find_spec("textmine.text.corpus") is not None
#: Commands that need the French text stage besides being registered.
NEEDS_TEXT = {"parse", "themes", "apply", "code"}

IDS = [f"r{i:02d}" for i in range(1, 13)]
READ_HINT = r"give a \.csv, \.tsv, \.txt, \.xlsx, \.ods, \.parquet, \.sav or \.dta file\."


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Case:
    """One command on one input: ``error`` (a regex of the stderr line) or ``check``."""

    id: str
    command: str
    file: str | Callable[[Path], Path]
    args: tuple[str, ...] = ()
    error: str | None = None
    check: Callable | None = None
    extra: tuple[str, ...] = ()  # more files of tests/data/bad copied beside the input
    either: bool = False  # a graceful result (``check``) or a one-line error are both fine
    xfail: str | None = None
    marks: tuple = field(default=())


def _skip_reason(command: str) -> str | None:
    if command not in COMMANDS:
        return f"command '{command}' not registered yet"
    if command in NEEDS_TEXT and not HAS_TEXT:
        return "textmine.text.corpus (French text stage) not there yet"
    return None


# --- checks of graceful outcomes -------------------------------------------------------------

def read_out(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def inspect_shows(*needles: str) -> Callable:
    def check(res, out, inp):
        for needle in needles:
            assert needle in res.out, f"{needle!r} not in:\n{res.out}"

    return check


def parse_gives(statuses: dict[str, int] | None = None, *, n: int = 12,
                texts: list[str] | None = None) -> Callable:
    def check(res, out, inp):
        terms = read_out(out / "terms.csv")
        assert list(terms.columns[:4]) == ["respondent_id", "text", "status", "terms"]
        assert len(terms) == n
        assert set(terms["status"]) <= {"ok", "non-answer", "empty"}
        if statuses is not None:
            assert terms["status"].value_counts().to_dict() == statuses
        if texts is not None:
            assert terms["text"].tolist() == texts

    return check


def themes_ok(*, n: int = 12, texts: list[str] | None = None,
              labels: tuple[str, ...] = (), model: bool = True) -> Callable:
    def check(res, out, inp):
        answers = read_out(out / "answers.csv")
        themes = read_out(out / "themes.csv")
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        assert len(answers) == n and answers["respondent_id"].is_unique
        assert set(answers["status"]) <= {"themed", "unassigned", "non-answer", "empty"}
        assert run["input"]["sha256"] == sha256(inp)
        for row in answers.itertuples(index=False):  # assignment invariants
            listed = [t for t in row.themes.split(";") if t]
            if row.status == "themed":
                assert row.theme_id in listed and set(listed) <= set(themes["theme_id"])
            else:
                assert listed == [] and row.theme_id == "", row
        if texts is not None:
            assert answers["text"].tolist() == texts
        for label in labels:
            assert label in themes["label"].tolist(), themes["label"].tolist()
        assert (out / "model" / "model.json").is_file() == model

    return check


def no_formula_cells(res, out, inp):
    themes_ok()(res, out, inp)
    for csv_path in out.rglob("*.csv"):
        frame = read_out(csv_path)
        for col in frame.columns:
            bad = frame[col][frame[col].str.match(r"^[=+\-@\t\r]")]
            assert bad.empty, f"{csv_path.name}:{col} {bad.tolist()[:3]}"


def no_mojibake(res, out, inp):
    text = res.out
    if out.exists():
        text += "".join(p.read_text(encoding="utf-8") for p in out.glob("*.csv"))
    assert "Ã" not in text and "â€" not in text, "UTF-8 rows decoded as cp1252 (mojibake)"


def long_csv(folder: Path) -> Path:
    return mk.long_answer_csv(folder / "long_answer.csv", n_chars=300_000)


def long_text() -> str:
    base = mk.ANSWERS[0] + ". "
    return (base * (300_000 // len(base) + 1))[:300_000]


def _unicode_texts() -> list[str]:
    return read_out(BAD / "unicode.csv")["reponse"].tolist()


# --- the cases -------------------------------------------------------------------------------

#: Failures of reading the survey: the same line whatever the command.
READ_ERRORS = {
    "empty.csv": (r"Survey file empty\.csv is empty \(0 bytes\); export the survey again\.", ()),
    "blank_lines.csv": (r"Survey file blank_lines\.csv has only blank lines; ", ()),
    "header_only.csv": (r"header_only\.csv has a header but no data rows; ", ()),
    "binary.csv": (r"binary\.csv contains NUL bytes: it is a binary file, not a text table; "
                   + READ_HINT, ()),
    "xlsx_renamed.csv": (r"xlsx_renamed\.csv contains NUL bytes: it is a binary file", ()),
    "binary_no_nul.csv": (r"binary_no_nul\.csv does not look like a text table \(\d+ control "
                          r"characters\); " + READ_HINT, ()),
    "ragged_long.csv": (r"Cannot parse ragged_long\.csv as a table with separator ',': .*"
                        r"Expected 3 fields in line 4, saw 5; check the separator", ()),
    "unclosed_quote.csv": (r"Cannot parse unclosed_quote\.csv .*check the separator \(--sep\) "
                           r"and the quotes\.", ()),
    "duplicate_columns.csv": (r"Duplicate column names in duplicate_columns\.csv: 'reponse'; ",
                              ()),
    "duplicate_ids.csv": (r"Duplicate ids in column 'id' of duplicate_ids\.csv: 'r02' ",
                          ("--id-col", "id")),
    "missing_ids.csv": (r"1 rows have no id in column 'id' of missing_ids\.csv \(first: data "
                        r"row 3\); ", ("--id-col", "id")),
    "not_a_survey.json": (r"Unsupported file type '\.json' for not_a_survey\.json; " + READ_HINT,
                          ()),
}


def _command_args(command: str) -> tuple[str, ...]:
    if command == "inspect":
        return ("inspect", "{input}")
    if command == "parse":
        return ("parse", "{input}", "--text-col", "reponse", "--out", "{out}")
    if command == "themes":
        return ("themes", "{input}", "--text-col", "reponse", "--k", "2", "--out", "{out}")
    if command == "apply":
        return ("apply", "{model}", "{input}", "--text-col", "reponse", "--out", "{out}")
    raise AssertionError(command)


def _cases() -> list[Case]:
    cases: list[Case] = []
    for command in ("inspect", "parse", "themes", "apply"):
        base = _command_args(command)
        for name, (message, extra_args) in READ_ERRORS.items():
            cases.append(Case(f"{command}-{name}", command, name, base + extra_args,
                              error=message))
        cases.append(Case(f"{command}-missing-id-col", command, "good.csv",
                          base + ("--id-col", "nope"),
                          error=r"Column 'nope' not found in good\.csv; available columns: id, "
                                r"fonction, reponse\."))
        cases.append(Case(f"{command}-mixed-encoding", command, "mixed_encoding.csv", base,
                          check=no_mojibake, error=r".", either=True))
        cases.append(Case(f"{command}-cr-only", command, "semicolon_cr_only.csv", base,
                          error=r".", either=True))
    # inspect: graceful reads
    cases += [
        Case("inspect-cp1252", "inspect", "cp1252.csv", ("inspect", "{input}"),
             check=inspect_shows("encoding: cp1252", "rows: 12")),
        Case("inspect-latin1", "inspect", "latin1.csv", ("inspect", "{input}"),
             check=inspect_shows("encoding: latin-1", "rows: 12", "chargé")),
        Case("inspect-utf16", "inspect", "utf16.csv", ("inspect", "{input}"),
             check=inspect_shows("encoding: utf-16", "rows: 12", "chargé")),
        Case("inspect-bom-crlf", "inspect", "bom_crlf.csv", ("inspect", "{input}", "--id-col",
                                                             "id"),
             check=inspect_shows("encoding: utf-8-sig    separator: ';'", "rows: 12",
                                 "ids: column 'id'")),
        Case("inspect-ragged-short", "inspect", "ragged_short.csv", ("inspect", "{input}"),
             check=inspect_shows("rows: 12", "reponse   open           11")),
        Case("inspect-unicode", "inspect", "unicode.csv", ("inspect", "{input}"),
             check=inspect_shows("rows: 12", "reponse   open")),
        Case("inspect-long", "inspect", long_csv, ("inspect", "{input}"),
             check=inspect_shows("rows: 12", "reponse   open")),
        Case("inspect-single", "inspect", "single_answer.csv", ("inspect", "{input}"),
             check=inspect_shows("rows: 1 ")),
        Case("inspect-text-empty", "inspect", "text_empty.csv", ("inspect", "{input}"),
             check=inspect_shows("reponse   ignore")),
        Case("inspect-numbers", "inspect", "text_numbers.csv", ("inspect", "{input}"),
             check=inspect_shows("reponse   numeric")),
        Case("inspect-multi-sheet-default", "inspect", "multi_sheet.xlsx", ("inspect", "{input}"),
             check=inspect_shows("sheet: Notice", "rows: 1 ")),
        Case("inspect-multi-sheet-named", "inspect", "multi_sheet.xlsx",
             ("inspect", "{input}", "--sheet", "Réponses", "--id-col", "id"),
             check=inspect_shows("sheet: Réponses", "rows: 12", "reponse   open")),
        Case("inspect-multi-sheet-by-index", "inspect", "multi_sheet.xlsx",
             ("inspect", "{input}", "--sheet", "1"), check=inspect_shows("sheet: Réponses")),
        Case("inspect-multi-sheet-empty", "inspect", "multi_sheet.xlsx",
             ("inspect", "{input}", "--sheet", "Vide"),
             error=r"Sheet 'Vide' of multi_sheet\.xlsx is empty; choose another sheet"),
        Case("inspect-multi-sheet-missing", "inspect", "multi_sheet.xlsx",
             ("inspect", "{input}", "--sheet", "7"),
             error=r"Sheet '7' not found in multi_sheet\.xlsx; available sheets: Notice, "
                   r"Réponses, Vide\."),
        Case("inspect-merged-header", "inspect", "merged_header.xlsx", ("inspect", "{input}"),
             check=inspect_shows("rows: 13", "Profil", "unnamed_2", "Question ouverte")),
        Case("inspect-spss", "inspect", "value_labels.sav", ("inspect", "{input}", "--id-col",
                                                             "id"),
             check=inspect_shows("taille   ordinal         12         3", "reponse  open")),
        Case("inspect-bad-encoding-option", "inspect", "latin1.csv",
             ("inspect", "{input}", "--encoding", "utf-8"),
             error=r"Cannot decode latin1\.csv as utf-8 \(byte 0x[0-9a-f]{2} at position \d+\); "),
        Case("inspect-unknown-encoding", "inspect", "good.csv",
             ("inspect", "{input}", "--encoding", "klingon"),
             error=r"Unknown encoding 'klingon'; "),
        Case("inspect-bad-sep", "inspect", "good.csv", ("inspect", "{input}", "--sep", ";;"),
             error=r"Separator ';;' must be one character; "),
    ]
    # parse
    p = _command_args("parse")
    cases += [
        Case("parse-cp1252", "parse", "cp1252.csv", p,
             check=parse_gives(texts=[mk.ANSWERS[0].replace("l'équipe", "l’équipe « vite »"),
                                      *mk.ANSWERS[1:]])),
        Case("parse-latin1", "parse", "latin1.csv", p, check=parse_gives(texts=list(mk.ANSWERS))),
        Case("parse-utf16", "parse", "utf16.csv", p, check=parse_gives(texts=list(mk.ANSWERS))),
        Case("parse-bom-crlf", "parse", "bom_crlf.csv", p + ("--id-col", "id"),
             check=parse_gives(texts=list(mk.ANSWERS))),
        Case("parse-ragged-short", "parse", "ragged_short.csv", p,
             check=parse_gives(texts=[*mk.ANSWERS[:3], "", *mk.ANSWERS[4:]])),
        Case("parse-text-empty", "parse", "text_empty.csv", p, check=parse_gives({"empty": 12})),
        Case("parse-nonanswers", "parse", "text_nonanswers.csv", p,
             check=parse_gives({"non-answer": 12})),
        Case("parse-numbers", "parse", "text_numbers.csv", p,
             check=parse_gives(texts=["3", "12", "7", "0", "45", "12", "9", "1", "30", "2", "8",
                                      "5"])),
        Case("parse-single", "parse", "single_answer.csv", p, check=parse_gives(n=1)),
        Case("parse-long", "parse", long_csv, p,
             check=parse_gives(texts=[long_text(), *mk.ANSWERS[1:]])),
        Case("parse-unicode", "parse", "unicode.csv", p, check=parse_gives(texts=_unicode_texts())),
        Case("parse-missing-text-col", "parse", "good.csv",
             ("parse", "{input}", "--text-col", "nope", "--out", "{out}"),
             error=r"Column 'nope' not found in good\.csv; available columns: id, fonction, "
                   r"reponse\."),
        Case("parse-multi-sheet", "parse", "multi_sheet.xlsx", p + ("--sheet", "Réponses"),
             check=parse_gives(texts=list(mk.ANSWERS))),
        Case("parse-spss", "parse", "value_labels.sav", p + ("--id-col", "id"),
             check=parse_gives(texts=list(mk.ANSWERS))),
    ]
    # themes
    t = _command_args("themes")
    cases += [
        Case("themes-good", "themes", "good.csv", t + ("--id-col", "id"),
             check=themes_ok(texts=list(mk.ANSWERS))),
        Case("themes-cp1252", "themes", "cp1252.csv", t, check=themes_ok()),
        Case("themes-utf16", "themes", "utf16.csv", t, check=themes_ok(texts=list(mk.ANSWERS))),
        Case("themes-bom-crlf", "themes", "bom_crlf.csv", t + ("--id-col", "id"),
             check=themes_ok(texts=list(mk.ANSWERS))),
        Case("themes-unicode", "themes", "unicode.csv", t, check=themes_ok(texts=_unicode_texts())),
        Case("themes-long", "themes", long_csv, t, check=themes_ok()),
        Case("themes-formulas", "themes", "formula_cells.csv", t, check=no_formula_cells),
        Case("themes-multi-sheet", "themes", "multi_sheet.xlsx", t + ("--sheet", "Réponses"),
             check=themes_ok(texts=list(mk.ANSWERS))),
        Case("themes-multi-sheet-default", "themes", "multi_sheet.xlsx", t,
             error=r"Column 'reponse' not found in multi_sheet\.xlsx; available columns: "
                   r"Export de la plateforme d'enquête\."),
        Case("themes-merged-header", "themes", "merged_header.xlsx", t,
             error=r"Column 'reponse' not found in merged_header\.xlsx; available columns: "
                   r"Profil, unnamed_2, Question ouverte\."),
        Case("themes-spss-by", "themes", "value_labels.sav",
             t + ("--id-col", "id", "--by", "taille"), check=themes_ok()),
        Case("themes-missing-text-col", "themes", "good.csv",
             ("themes", "{input}", "--text-col", "nope", "--out", "{out}"),
             error=r"Column 'nope' not found in good\.csv; available columns: id, fonction, "
                   r"reponse\."),
        Case("themes-text-empty", "themes", "text_empty.csv", t,
             error=r"None of the 12 answers has any term left; check the text column and the "
                   r"non-answer list\."),
        Case("themes-nonanswers", "themes", "text_nonanswers.csv", t,
             error=r"None of the 12 answers has any term left; check the text column and the "
                   r"non-answer list\."),
        Case("themes-numbers", "themes", "text_numbers.csv", t,
             error=r"None of the 12 answers has any term left; check the text column and the "
                   r"non-answer list\."),
        Case("themes-single", "themes", "single_answer.csv", t,
             error=r"(--k 2 is more than this data allows \(1 answers with terms, \d+ terms\); "
                   r"a theme model needs at least 2 answers with terms and 2 terms\.|"
                   r"After filtering \(min_df=\d+, "
                   r"max_df=[\d.]+\), no terms remain in 1 answers; )"),
        Case("themes-single-k1", "themes", "single_answer.csv",
             ("themes", "{input}", "--text-col", "reponse", "--k", "1", "--out", "{out}"),
             error=r"k=1 puts every answer in one theme, which is no theme model; give --k 2 "
                   r"or more, or --k auto\."),
        Case("themes-k-too-large", "themes", "good.csv",
             ("themes", "{input}", "--text-col", "reponse", "--k", "50", "--out", "{out}"),
             error=r"--k 50 is more than this data allows \(12 answers with terms, \d+ terms\); "
                   r"use --k \d+ or fewer, or --k auto\."),
        Case("themes-k-zero", "themes", "good.csv",
             ("themes", "{input}", "--text-col", "reponse", "--k", "0", "--out", "{out}"),
             error=r"k=0 must be at least 2; "),
        Case("themes-k-negative", "themes", "good.csv",
             ("themes", "{input}", "--text-col", "reponse", "--k", "-3", "--out", "{out}"),
             error=r"k=-3 must be at least 2; "),
        Case("themes-k-text", "themes", "good.csv",
             ("themes", "{input}", "--text-col", "reponse", "--k", "abc", "--out", "{out}"),
             error=r"k='abc' is neither a number nor 'auto'; give --k 8 or --k auto\."),
        Case("themes-unknown-method", "themes", "good.csv",
             t + ("--method", "bertopic"),
             error=r"Unknown theme method 'bertopic'; choose one of auto, semantic, short, nmf, "
                   r"lda\."),
        Case("themes-codebook-unknown-keys", "themes", "good.csv",
             t + ("--codebook", "{in}/codebook_unknown_keys.yaml"),
             extra=("codebook_unknown_keys.yaml",),
             error=r"Unknown key\(s\) couleurs in codebook .*codebook_unknown_keys\.yaml; "
                   r"allowed: drop, merge, rename, themes\."),
        Case("themes-codebook-python-tag", "themes", "good.csv",
             t + ("--codebook", "{in}/codebook_python_tag.yaml"),
             extra=("codebook_python_tag.yaml",),
             error=r"Codebook .*codebook_python_tag\.yaml is not valid UTF-8 YAML"),
        Case("themes-codebook-missing", "themes", "good.csv",
             t + ("--codebook", "{in}/nope.yaml"),
             error=r"Codebook file .*nope\.yaml not found; check the path\."),
        Case("themes-codebook-empty-seeds", "themes", "good.csv",
             t + ("--codebook", "{in}/codebook_empty_seeds.yaml"),
             extra=("codebook_empty_seeds.yaml",), check=themes_ok(labels=("Outils", "Moyens"))),
        Case("themes-out-is-input", "themes", "good.csv",
             ("themes", "{input}", "--text-col", "reponse", "--k", "2", "--out", "{input}"),
             error=r"Output folder .*good\.csv holds the input file good\.csv; choose another "
                   r"--out \(replacing the folder would delete it\)\."),
        Case("themes-out-holds-input-force", "themes", "good.csv",
             ("themes", "{input}", "--text-col", "reponse", "--k", "2", "--out", "{in}",
              "--force"),
             error=r"Output folder .*in holds the input file good\.csv; choose another --out "),
        Case("parse-out-holds-input-force", "parse", "good.csv",
             ("parse", "{input}", "--text-col", "reponse", "--out", "{in}", "--force"),
             error=r"Output folder .*in holds the input file good\.csv; choose another --out "),
        Case("code-out-holds-input-force", "code", "good.csv",
             ("code", "{input}", "--text-col", "reponse", "--id-col", "id", "--labels",
              "{in}/labels_good.csv", "--out", "{in}", "--force"),
             extra=("labels_good.csv",),
             error=r"Output folder .*in holds the input file "),
        Case("agree-out-holds-input-force", "agree", "good.csv",
             ("agree", "{in}/labels_good.csv", "{in}/labels_good.csv", "--survey", "{input}",
              "--id-col", "id", "--out", "{in}", "--force"),
             extra=("labels_good.csv",),
             error=r"Output folder .*in holds the input file "),
        Case("apply-out-holds-input-force", "apply", "good.csv",
             ("apply", "{model}", "{input}", "--text-col", "reponse", "--out", "{in}",
              "--force"),
             error=r"Output folder .*in holds the input file good\.csv; choose another --out "),
    ]
    # apply (model from a themes run on good.csv)
    a = _command_args("apply")
    cases += [
        Case("apply-unicode", "apply", "unicode.csv", a,
             check=themes_ok(texts=_unicode_texts(), model=False)),
        Case("apply-missing-text-col", "apply", "good.csv",
             ("apply", "{model}", "{input}", "--text-col", "nope", "--out", "{out}"),
             error=r"Column 'nope' not found in good\.csv; "),
        Case("apply-not-a-model", "apply", "good.csv",
             ("apply", "{in}", "{input}", "--text-col", "reponse", "--out", "{out}"),
             error=r".* is not a textmine model folder \(needs model\.json and arrays\.npz\); "),
    ]
    # code
    cases += [
        Case("code-unknown-label-ids", "code", "good.csv",
             ("code", "{input}", "--text-col", "reponse", "--id-col", "id", "--labels",
              "{in}/labels_unknown_ids.csv", "--out", "{out}"),
             extra=("labels_unknown_ids.csv",),
             error=r"2 of \d+ respondent id\(s\) of .*labels_unknown_ids\.csv are not in the "
                   r"survey \(\d+ are\): zz99, nope; check --id-col "),
        Case("code-missing-labels", "code", "good.csv",
             ("code", "{input}", "--text-col", "reponse", "--id-col", "id", "--labels",
              "{in}/nope.csv", "--out", "{out}"), error=r".*nope\.csv"),
    ]
    # other commands on bad inputs
    lab = ("code", "{input}", "--text-col", "reponse", "--id-col", "id", "--labels")
    cases += [
        Case("code-labels-empty", "code", "good.csv", lab + ("{in}/empty.csv", "--out", "{out}"),
             extra=("empty.csv",), error=r"Labels file .*empty\.csv is empty; export the coding"),
        Case("code-labels-binary", "code", "good.csv", lab + ("{in}/binary.csv", "--out", "{out}"),
             extra=("binary.csv",), error=r"binary\.csv contains NUL bytes: it is a binary file"),
        Case("code-labels-are-a-survey", "code", "good.csv", lab + ("{input}", "--out", "{out}"),
             error=r"Column 'respondent_id' not found in .*good\.csv; available columns: id, "
                   r"fonction, reponse\."),
        Case("agree-unknown-ids", "agree", "good.csv",
             ("agree", "{in}/labels_unknown_ids.csv", "{in}/labels_unknown_ids.csv", "--survey",
              "{input}", "--id-col", "id", "--out", "{out}"),
             extra=("labels_unknown_ids.csv",),
             error=r"2 of \d+ respondent id\(s\) of .*labels_unknown_ids\.csv are not in the "
                   r"survey \(\d+ are\): zz99, nope; "),
        Case("sheet-not-a-run", "sheet", "good.csv", ("sheet", "{in}", "--out", "{out}"),
             error=r"Run folder .* has no answers\.csv; give the folder written by "),
        Case("crosstab-not-a-run", "crosstab", "good.csv", ("crosstab", "{in}", "--by", "x"),
             error=r"run\.json not found in .*; pass the folder of a finished themes run\."),
        Case("report-not-a-run", "report", "good.csv", ("report", "{in}"),
             error=r"Run folder .* has no themes\.csv; give the folder written by "),
        Case("init-empty", "init", "empty.csv", ("init", "{input}", "--out", "{out}"),
             error=r"Survey file empty\.csv is empty \(0 bytes\); "),
        Case("init-never-overwrites", "init", "good.csv", ("init", "{input}", "--out", "{input}"),
             error=r".*good\.csv already exists; choose another file with --out "),
        Case("run-not-a-project", "run", "good.csv", ("run", "{input}", "--out", "{out}"),
             error=r"Cannot read project file good\.csv: .*; fix the TOML syntax\."),
    ]
    return cases


CASES = _cases()


def _param(case: Case):
    marks = list(case.marks)
    reason = _skip_reason(case.command)
    if reason:
        marks.append(pytest.mark.skip(reason=reason))
    if case.xfail:
        marks.append(pytest.mark.xfail(reason=case.xfail, strict=True))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """``model/`` of a themes run on good.csv (for the apply cases)."""
    if _skip_reason("apply"):
        pytest.skip(_skip_reason("apply"))
    from textmine.config import ReadOptions, ThemeOptions
    from textmine.pipeline.themes_run import run_themes

    out = tmp_path_factory.mktemp("model_run") / "run"
    run_themes(BAD / "good.csv", text_col="reponse", out=out,
               read_options=ReadOptions(id_col="id"), theme_options=ThemeOptions(k=2))
    return out / "model"


def run_case(cli, tmp_path: Path, case: Case, model: Path | None = None):
    """Run ``case`` on copies of its files; assert the invariants; return (result, out, input)."""
    indir = tmp_path / "in"
    indir.mkdir()
    if callable(case.file):
        inp = case.file(indir)
    else:
        inp = indir / case.file
        shutil.copyfile(BAD / case.file, inp)
    for name in case.extra:
        shutil.copyfile(BAD / name, indir / name)
    before = {p.name: sha256(p) for p in indir.iterdir()}
    out = tmp_path / "out"
    args = [a.format(input=inp, out=out, model=model, **{"in": indir}) for a in case.args]
    res = cli(*args)
    assert "Traceback" not in res.out + res.err
    assert {p.name: sha256(p) for p in indir.iterdir()} == before, "input files changed"
    assert not [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    if case.error is not None and not (case.either and res.code == 0):
        lines = res.err.strip().splitlines()
        assert res.code == 2, (res.code, res.err)
        assert len(lines) == 1, res.err
        assert lines[0].startswith("error: ")
        assert re.match(case.error, lines[0][len("error: "):]), lines[0]
        assert not out.exists(), "an output folder was left after an error"
    else:
        assert res.code == 0, res.err
    return res, out, inp


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.command != "apply"])
def test_bad_input(cli, tmp_path, case):
    res, out, inp = run_case(cli, tmp_path, case)
    if case.check is not None and res.code == 0:
        case.check(res, out, inp)


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.command == "apply"])
def test_bad_input_apply(cli, tmp_path, case, model_dir):
    res, out, inp = run_case(cli, tmp_path, case, model=model_dir)
    if case.check is not None and res.code == 0:
        case.check(res, out, inp)


def test_existing_output_is_kept_on_failure(cli, tmp_path):
    """A failing run with --force leaves the previous output folder exactly as it was."""
    if _skip_reason("themes"):
        pytest.skip(_skip_reason("themes"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "themes.csv").write_text("previous\n", encoding="utf-8")
    res = cli("themes", BAD / "empty.csv", "--text-col", "reponse", "--out", out, "--force")
    assert res.code == 2 and res.err.startswith("error: ")
    assert [p.name for p in out.iterdir()] == ["themes.csv"]
    assert (out / "themes.csv").read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_existing_output_refused_without_force(cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x", encoding="utf-8")
    if _skip_reason("themes"):
        pytest.skip(_skip_reason("themes"))
    res = cli("themes", BAD / "good.csv", "--text-col", "reponse", "--out", out)
    assert res.code == 2
    assert res.err == (f"error: Output folder {out} already exists and is not empty; use "
                       "--force to replace it.\n")
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_committed_files_match_the_generator(tmp_path):
    """tests/data/bad/ is exactly what scripts/make_bad_inputs.py writes (and stays small)."""
    written = mk.build_files(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in BAD.iterdir())
    for path in written:
        assert path.read_bytes() == (BAD / path.name).read_bytes(), path.name
        assert path.stat().st_size < 200_000


@pytest.mark.skipif(_skip_reason("themes") is not None or "crosstab" not in COMMANDS,
                    reason="themes/crosstab not there yet")
def test_ids_that_look_like_formulas_still_join(cli, tmp_path):
    run = tmp_path / "run"
    res = cli("themes", BAD / "formula_ids.csv", "--text-col", "reponse", "--id-col", "id",
              "--k", "2", "--out", run)
    assert res.code == 0, res.err
    res = cli("crosstab", run, "--by", "fonction")
    assert res.code == 0, res.err
    table = read_out(run / "crosstab_fonction.csv")
    assert table["n_modality"].astype(int).max() > 0


def test_non_regular_file_is_refused_before_reading(tmp_path, monkeypatch):
    import os
    import pathlib

    from textmine.errors import InputFileError
    from textmine.survey import read_survey

    fifo = tmp_path / "enquete.csv"
    os.mkfifo(fifo)

    def no_blocking_read(self):
        raise AssertionError(f"read {self} although it is not a regular file")

    monkeypatch.setattr(pathlib.Path, "read_bytes", no_blocking_read)
    with pytest.raises(InputFileError, match=r"enquete\.csv"):
        read_survey(fifo)


@pytest.mark.parametrize("out", ["", ".", "..", "{cwd}"])
def test_out_cannot_be_the_current_folder_or_a_parent(cli, tmp_path, monkeypatch, out):
    """--out . --force would replace the folder the researcher works in (and their survey)."""
    if _skip_reason("parse"):
        pytest.skip(_skip_reason("parse"))
    work = tmp_path / "etude"
    work.mkdir()
    survey = work / "good.csv"
    shutil.copyfile(BAD / "good.csv", survey)
    monkeypatch.chdir(work)
    res = cli("parse", survey, "--text-col", "reponse", "--out", out.format(cwd=work), "--force")
    assert res.code == 2
    assert re.match(r"error: Output folder '.*' is the current folder or one of its parents; "
                    r"give a new folder name\.\n$", res.err), res.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["etude"]
    assert sorted(p.name for p in work.iterdir()) == ["good.csv"]
    assert sha256(survey) == sha256(BAD / "good.csv")
