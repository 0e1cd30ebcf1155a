"""write_report / rewrite_report and the ``textmine report`` command."""

from __future__ import annotations

import pytest
from report_fixtures import make_run

from textmine.config import ReportOptions
from textmine.errors import InputFileError
from textmine.pipeline.report_run import rewrite_report
from textmine.report import REPORT_ENTRIES, write_report

FAST = ReportOptions(wordclouds=False)


def test_write_report_returns_the_files_it_wrote(tmp_path):
    folder = make_run(tmp_path / "run")
    before = {p.name for p in folder.iterdir()}
    files = write_report(folder, options=FAST)
    assert all(p.is_file() for p in files)
    assert {p.name for p in folder.iterdir()} - before == set(REPORT_ENTRIES)
    assert {p.relative_to(folder).parts[0] for p in files} == set(REPORT_ENTRIES)


def test_write_report_needs_a_run_folder(tmp_path):
    with pytest.raises(InputFileError, match=r"^Run folder .*nothing does not exist; give the "
                                             r"folder of a finished run\.$"):
        write_report(tmp_path / "nothing")
    (tmp_path / "themes.csv").write_text("theme_id,label\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"has no answers\.csv; give the folder written by "
                                             r"`textmine themes`\.$"):
        write_report(tmp_path)


def test_rewrite_report_replaces_only_the_report(tmp_path):
    folder = make_run(tmp_path / "run")
    write_report(folder, options=FAST)
    (folder / "figures" / "stale.png").write_bytes(b"old")
    themes_before = (folder / "themes.csv").read_bytes()
    rewrite_report(folder, options=ReportOptions(lang="en", wordclouds=False, title="Q?"))
    assert not (folder / "figures" / "stale.png").exists()
    assert (folder / "themes.csv").read_bytes() == themes_before
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Q?" in html
    assert not [p for p in folder.iterdir() if p.name.startswith(".rebuild.tmp-")]


def test_cli_report(tmp_path, cli):
    folder = make_run(tmp_path / "run", tables=False)
    result = cli("report", folder, "--lang", "en", "--no-wordclouds")
    assert result.code == 0, result.err
    assert result.out.endswith(f" report files written to {folder}\n")
    assert (folder / "report.xlsx").is_file()
    bad = cli("report", folder, "--lang", "de")
    assert bad.code == 2
    assert bad.err == "error: Report language 'de' is not available; use one of: fr, en.\n"
    missing = cli("report", tmp_path / "nope")
    assert missing.code == 2 and missing.err.startswith("error: Run folder ")


def test_minimal_run_folder_still_gets_a_report(tmp_path):
    # As left by `textmine apply`: no run record, term weights, k selection or tables.
    folder = make_run(tmp_path / "run", k_auto=False, tables=False)
    for name in ("run.json", "term_weights.csv"):
        (folder / name).unlink()
    files = write_report(folder)
    names = {p.name for p in files}
    assert {"report.html", "report.xlsx", "prevalence.png", "themes.md"} <= names
    assert not any(n.startswith(("cloud_", "k_selection", "prevalence_by_")) for n in names)
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert 'id="k-selection"' not in html and 'id="crosstabs"' not in html
    assert "<h1>Rapport textmine</h1>" in html and "<p class=\"question\">run</p>" in html


def test_report_rerenders_with_the_recorded_options_unless_given(tmp_path, cli):
    import json

    from textmine.runfolder import report_makeup

    folder = make_run(tmp_path / "run", tables=False)
    run_json = folder / "run.json"
    record = json.loads(run_json.read_text(encoding="utf-8"))
    record.setdefault("settings", {})["report_options"] = report_makeup(
        ReportOptions(lang="en", wordclouds=False, title="Recorded title"))
    run_json.write_text(json.dumps(record), encoding="utf-8")
    assert cli("report", folder).code == 0
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Recorded title" in html
    assert not list((folder / "figures").glob("cloud_*"))
    # an option given to `report` wins over the recorded one; the others stay recorded
    assert cli("report", folder, "--lang", "fr").code == 0
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "Recorded title" in html
    assert cli("report", folder, "--title", "Given").code == 0
    assert "Given" in (folder / "report.html").read_text(encoding="utf-8")


def test_report_of_a_run_without_recorded_options_uses_the_defaults(tmp_path):
    folder = make_run(tmp_path / "run", tables=False)
    rewrite_report(folder, wordclouds=False)
    assert '<html lang="fr">' in (folder / "report.html").read_text(encoding="utf-8")
