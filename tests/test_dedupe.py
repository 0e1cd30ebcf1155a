"""Pasted duplicates end to end (issue 12): the counted note in the console, run.json,
themes.csv and the report, and ``--dedupe`` / ``[themes] dedupe``."""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import pytest

from textmine.config import ThemeOptions
from textmine.errors import OptionError

CAMPAIGN = "Nous demandons le retrait immédiat du projet de fusion des services techniques."
OTHERS = [f"{a} {b}" for a in ("Trop de réunions", "Manque de formation",
                               "Des outils numériques", "La visio au quotidien")
          for b in ("en télétravail", "avec les élus", "pour les agents", "sans matériel")]
NOTE = "14 answers (47 %) are one identical text"


def _survey(folder: Path) -> Path:
    """30 respondents, 14 of whom paste one text (a campaign), with a closed question."""
    rows = [(f"r{i:02d}", "a" if i % 2 else "b", text)
            for i, text in enumerate([CAMPAIGN] * 14 + OTHERS)]
    path = folder / "campagne.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "groupe", "reponse"])
        writer.writerows(rows)
    return path


def _themes(cli, survey: Path, out: Path, *extra: str):
    return cli("themes", survey, "--text-col", "reponse", "--id-col", "id", "--k", "2",
               "--min-df", "1", "--out", out, *extra)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_pasted_text_noted_in_console_run_json_themes_csv_and_report(cli, tmp_path, caplog):
    survey = _survey(tmp_path)
    with caplog.at_level(logging.WARNING):
        result = _themes(cli, survey, tmp_path / "out", "--report", "--by", "groupe")
    assert result.code == 0, result.err
    lines = [r.getMessage() for r in caplog.records if "identical text" in r.getMessage()]
    assert len(lines) == 1  # said once (the corpus stage only logs it at info level)
    assert lines[0].startswith(NOTE) and "--dedupe" in lines[0]
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert [n for n in run["notes"] if n.startswith(NOTE)] == [lines[0]]
    assert run["themes"]["duplicates_note"] == lines[0]
    assert run["text"]["duplicates"]["largest"] == 14
    themes = _read_csv(tmp_path / "out" / "themes.csv")
    # existing columns first, unchanged; the note is the last column
    assert list(themes[0])[:5] == ["theme_id", "label", "top_terms", "n_answers", "share"]
    assert list(themes[0])[-1] == "duplicates_note"
    noted = [t for t in themes if t["duplicates_note"]]
    assert noted and all("of its" in t["duplicates_note"] for t in noted)
    total = sum(int(t["duplicates_note"].split()[0]) for t in noted)
    assert total >= 14  # every pasted answer carries at least one theme
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "14 réponses (47\u202f%) sont un même texte" in html
    assert "--dedupe les trouve" in html


def test_dedupe_fits_on_distinct_texts_counts_stay_per_respondent(cli, tmp_path, caplog):
    survey = _survey(tmp_path)
    with caplog.at_level(logging.WARNING):
        result = _themes(cli, survey, tmp_path / "dd", "--dedupe", "--report")
    assert result.code == 0, result.err
    run = json.loads((tmp_path / "dd" / "run.json").read_text(encoding="utf-8"))
    assert run["settings"]["themes"]["dedupe"] is True and run["themes"]["dedupe"] is True
    assert run["counts"]["fitted_on"] == 17  # 16 other texts + the campaign once
    note = run["themes"]["duplicates_note"]
    assert note.startswith(NOTE) and "fitted on the 17 distinct texts" in note
    answers = _read_csv(tmp_path / "dd" / "answers.csv")
    assert len(answers) == 30  # every respondent is assigned and counted
    campaign = [a for a in answers if a["text"] == CAMPAIGN]
    assert len(campaign) == 14
    assert len({(a["status"], a["themes"]) for a in campaign}) == 1  # one outcome for all 14
    counts = run["counts"]
    assert counts["themed"] + counts["unassigned"] == 30
    themes = _read_csv(tmp_path / "dd" / "themes.csv")
    n_themed = sum(int(t["n_answers"]) for t in themes)
    in_campaign = 14 if campaign[0]["themes"] else 0
    assert n_themed >= counts["themed"] >= in_campaign  # counted per respondent, not per text
    html = (tmp_path / "dd" / "report.html").read_text(encoding="utf-8")
    assert "textes distincts (--dedupe)" in html


def test_no_note_without_a_campaign(cli, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,reponse\n" + "".join(f"r{i},{t}\n" for i, t in enumerate(OTHERS)),
                    encoding="utf-8")
    result = cli("themes", path, "--text-col", "reponse", "--id-col", "id", "--k", "2",
                 "--min-df", "1", "--out", tmp_path / "out")
    assert result.code == 0, result.err
    assert "duplicates_note" not in _read_csv(tmp_path / "out" / "themes.csv")[0]
    run = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert run["notes"] == [] and run["themes"]["duplicates_note"] is None


def test_parse_says_the_note(cli, tmp_path):
    result = cli("parse", _survey(tmp_path), "--text-col", "reponse", "--id-col", "id",
                 "--out", tmp_path / "p")
    assert result.code == 0, result.err
    assert f"note: {NOTE}" in result.out
    run = json.loads((tmp_path / "p" / "run.json").read_text(encoding="utf-8"))
    assert run["notes"] == [NOTE]


def test_project_file_dedupe(tmp_path):
    from textmine.project import load_project

    _survey(tmp_path)
    base = '[survey]\npath = "campagne.csv"\nid_col = "id"\n[[open]]\ncolumn = "reponse"\n'
    (tmp_path / "textmine.toml").write_text(base + '[themes]\ndedupe = true\n',
                                            encoding="utf-8")
    project = load_project(tmp_path / "textmine.toml")
    assert project.themes.dedupe is True and project.open[0].themes.dedupe is True
    (tmp_path / "textmine.toml").write_text(base + '[themes]\ndedupe = "yes"\n',
                                            encoding="utf-8")
    with pytest.raises(OptionError, match="dedupe"):
        load_project(tmp_path / "textmine.toml")
    with pytest.raises(OptionError, match="dedupe"):
        ThemeOptions(dedupe=1)  # type: ignore[arg-type]
