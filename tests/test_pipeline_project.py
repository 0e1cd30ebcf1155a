"""``textmine run`` / ``textmine demo``: a whole project into one folder, atomically."""

from __future__ import annotations

import csv
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from report_fixtures import make_run

from textmine.errors import ColumnError, OutputError
from textmine.pipeline.project_run import question_folders
from textmine.report import load_run
from textmine.report.summary import write_summary

VISIO = ["On a tout fait en visio avec Teams, des réunions toute la journée.",
         "Réunions en visio tous les jours, Zoom puis Teams.",
         "Mise en place de la visio pour les élus et les réunions d'équipe."]
DSI = ["J'ai fait l'assistance informatique à la place de la DSI débordée.",
       "La DSI ne suivait pas, on a dépanné les agents en télétravail.",
       "Assistance technique aux collègues, normalement c'est le rôle de la DSI."]
MOYENS = ["Pas assez de moyens humains, personne pour nous aider.",
          "Manque de matériel et de budget, pas assez de personnel.",
          "Les moyens humains ont manqué, pas assez de budget."]
OUTILS = ["Un intranet et une newsletter pour les agents.", "Newsletter hebdomadaire et intranet.",
          "Des lives Facebook et une newsletter aux habitants."]


def _survey(path: Path) -> Path:
    rows = []
    for i in range(36):
        fonction = ["Dircom", "Chargé de communication"][i % 2]
        evolution = (DSI if fonction == "Dircom" and i % 4 else [VISIO, MOYENS][i % 2])[i % 3]
        if i in (5, 17):
            evolution = "RAS"
        if i == 7:
            evolution = "<script>alert(1)</script> visio Teams réunion"
        rows.append({"id": f"R{i:03d}", "fonction": fonction, "q_evolution": evolution,
                     "q_outils": OUTILS[i % 3] if i % 5 else "=HYPERLINK(\"x\") intranet"})
    pd.DataFrame(rows).to_csv(path, sep=";", index=False)
    return path


def _project(folder: Path, *, column: str = "q_evolution") -> Path:
    _survey(folder / "enquete.csv")
    text = f"""
[survey]
path = "enquete.csv"
id_col = "id"

[output]
dir = "resultats"

[themes]
k = 3
min_df = 2

[[open]]
column = "{column}"
label = "Comment votre rôle a-t-il évolué ?"

[[open]]
column = "q_outils"
label = "Quels outils avez-vous mis en place ?"
k = 2

[[closed]]
column = "fonction"
type = "single"
label = "Fonction du répondant"
"""
    path = folder / "textmine.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def project_run(tmp_path_factory):
    from textmine.pipeline.project_run import run_project

    folder = tmp_path_factory.mktemp("project")
    return run_project(_project(folder))


def test_question_folders_are_safe_and_unique():
    assert question_folders(["Q1 évolution", "Q1/évolution", "q1_evolution"]) == {
        "Q1 évolution": "Q1_evolution", "Q1/évolution": "Q1_evolution_2",
        "q1_evolution": "q1_evolution_3"}


def test_project_run_writes_one_report_per_open_question(project_run):
    out = project_run
    assert out.name == "resultats"
    assert sorted(p.name for p in out.iterdir()) == [
        ".textmine-output", "index.html", "q_evolution", "q_outils", "summary.csv", "summary.md",
        "textmine.toml"]
    for name in ("q_evolution", "q_outils"):
        files = {p.name for p in (out / name).iterdir()}
        assert {"report.html", "report.xlsx", "figures", "tables_md", "themes.csv",
                "answers.csv", "crosstab_fonction.csv", "run.json"} <= files
        assert list((out / name / "figures").glob("cloud_*.png"))
    html = (out / "q_evolution" / "report.html").read_text(encoding="utf-8")
    assert "Comment votre rôle a-t-il évolué ?" in html
    assert "Fonction du répondant" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_summary_and_index(project_run):
    summary = pd.read_csv(project_run / "summary.csv")
    assert summary["question"].tolist() == ["q_evolution", "q_outils"]
    assert summary["respondents"].tolist() == [36, 36]
    assert summary["k"].tolist() == [3, 2]
    assert summary.loc[0, "non_answers"] == 2

    class Links(HTMLParser):
        hrefs: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.hrefs.append(dict(attrs)["href"])

    parser = Links()
    parser.feed((project_run / "index.html").read_text(encoding="utf-8"))
    assert parser.hrefs == ["q_evolution/report.html", "q_outils/report.html"]
    assert all((project_run / h).is_file() for h in parser.hrefs)


def test_existing_output_is_not_replaced_without_force(project_run):
    from textmine.pipeline.project_run import run_project

    before = sorted(p.name for p in project_run.iterdir())
    with pytest.raises(OutputError, match=r"already exists and is not empty; use --force"):
        run_project(project_run.parent / "textmine.toml")
    assert sorted(p.name for p in project_run.iterdir()) == before


def test_a_failing_question_leaves_no_output(tmp_path):
    from textmine.pipeline.project_run import run_project

    project = _project(tmp_path, column="q_absente")
    with pytest.raises(ColumnError, match=r"q_absente"):
        run_project(project)
    assert not (tmp_path / "resultats").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_output_folder_holding_an_input_is_refused_even_with_force(tmp_path):
    from textmine.pipeline.project_run import run_project

    project = _project(tmp_path)
    with pytest.raises(OutputError, match=r"^Output folder .* holds the input file "
                                          r"textmine\.toml; choose another --out "):
        run_project(project, out=tmp_path, force=True)
    assert (tmp_path / "enquete.csv").is_file() and project.is_file()


def test_unknown_report_language_fails_before_any_work(tmp_path):
    from textmine.errors import OptionError
    from textmine.pipeline.project_run import run_project

    with pytest.raises(OptionError, match=r"^Report language 'de' is not available"):
        run_project(_project(tmp_path), lang="de")
    assert not (tmp_path / "resultats").exists()


def test_write_summary_escapes_and_neutralises(tmp_path):
    runs = []
    for name in ("a", "b"):
        folder = make_run(tmp_path / name, tables=False)
        data = load_run(folder)
        data.title = "=Question <b>piège</b>"
        runs.append((name, name, data))
    written = write_summary(tmp_path, runs, title="projet.toml", lang="fr")
    assert [p.name for p in written] == ["summary.csv", "summary.md", "index.html"]
    with (tmp_path / "summary.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["label"] == "'=Question <b>piège</b>"
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;piège&lt;/b&gt;" in index and "<b>" not in index
    md = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert md.startswith("# projet.toml\n") and "\\<b>" in md and "&lt;" not in md


def test_cli_run_and_demo_refuse_existing_output(tmp_path, cli):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("x", encoding="utf-8")
    result = cli("demo", "--out", tmp_path / "out")
    assert result.code == 2
    assert result.err == (f"error: Output folder {tmp_path / 'out'} already exists and is not "
                          "empty; use --force to replace it.\n")
    result = cli("run", tmp_path / "absent.toml")
    assert result.code == 2 and "absent.toml' not found" in result.err
    assert (tmp_path / "out" / "keep.txt").read_text(encoding="utf-8") == "x"
