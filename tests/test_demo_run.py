"""End to end on the shipped demo survey: what `make demo` shows.

The demo survey (data/README.md) plants four associations between themes and closed questions.
The whole pipeline (reading, French processing, seeded themes, respondent-level tables with
Benjamini-Hochberg adjusted tests) must flag exactly those four at the documented threshold
(adjusted p < 0.05), in the planted direction, and nothing else.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from textmine.pipeline.project_run import run_demo

QUESTIONS = ("q_evolution", "q_outils", "q_manques")
BY = ("fonction", "taille", "sollicite_plus", "outils", "anciennete")

#: (question, closed question, theme label) -> modality over-represented among mentioners.
PLANTED = {
    ("q_evolution", "fonction", "Chevauchement avec la DSI"): "Directeur·rice de la communication",
    ("q_evolution", "sollicite_plus", "Rôle de conseil"): "Oui",
    ("q_outils", "taille", "Live et événements"): "Plus de 50 000 habitants",
    ("q_manques", "taille", "Manque de moyens"): "Moins de 10 000 habitants",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(out=tmp_path_factory.mktemp("demo") / "out", force=True)


def test_demo_writes_every_output(demo):
    for name in ("summary.csv", "summary.md", "index.html"):
        assert (demo / name).is_file()
    for q in QUESTIONS:
        folder = demo / q
        for name in ("themes.csv", "answers.csv", "run.json", "report.html", "report.xlsx"):
            assert (folder / name).is_file(), f"{q}/{name} missing"
        assert list((folder / "figures").glob("*.png")), f"{q} has no figures"
        assert (folder / "model" / "model.json").is_file()
        sheets = load_workbook(folder / "report.xlsx", read_only=True).sheetnames
        expected = {"Synthèse", "Thèmes", "Réponses", "Tableaux croisés", "Informations"}
        assert expected <= set(sheets)
        n_themes = len(pd.read_csv(folder / "themes.csv"))
        assert len(sheets) >= len(expected) + n_themes  # one sheet per theme


def test_demo_report_shows_a_factor_map_and_a_similarity_graph(demo):
    """[analysis] of the demo project: a CA (terms x fonction, taille) and a similarity graph
    for each open question, shown in its report."""
    for q in QUESTIONS:
        folder = demo / q
        for name in ("ca/ca_map.png", "ca/ca_table.csv", "similarity/similarity_graph.png",
                     "similarity/nodes.csv"):
            assert (folder / name).is_file(), f"{q}/{name} missing"
        columns = pd.read_csv(folder / "ca" / "ca_table.csv").columns[1:]
        assert {c.split("=")[0] for c in columns} == {"fonction", "taille"}
        # generic words (plus, très...) are left out of the similarity terms
        assert "plus" not in set(pd.read_csv(folder / "similarity" / "nodes.csv")["term"])
        html = (folder / "report.html").read_text(encoding="utf-8")
        assert 'id="ca"' in html and 'id="similarity"' in html


def test_demo_seeded_themes_are_named_as_in_the_codebook(demo):
    labels = set(pd.read_csv(demo / "q_evolution" / "themes.csv")["label"])
    assert {"Chevauchement avec la DSI", "Rôle de conseil"} <= labels


def test_demo_flags_exactly_the_planted_associations(demo):
    flagged = {}
    for q in QUESTIONS:
        for by in BY:
            table = pd.read_csv(demo / q / f"crosstab_{by}.csv")
            table = table[table["theme_id"].notna() & (table["p_adjusted"] < 0.05)]
            for label, rows in table.groupby("label"):
                top = rows.sort_values("adj_residual").iloc[-1]["modality"]
                flagged[(q, by, label)] = top
    assert flagged == PLANTED


def _shared_texts(folder):
    """Every file of an output folder as text (workbooks: each XML part), with its name."""
    import zipfile

    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix in (".png", ".npz"):
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                for part in z.namelist():
                    yield f"{path}:{part}", z.read(part).decode("utf-8", "replace")
        else:
            yield str(path), path.read_text(encoding="utf-8", errors="replace")


def test_no_absolute_path_in_any_output(demo):
    from conftest import REPO

    from textmine.runfolder import RunRecord

    needles = {str(REPO), str(REPO.resolve()), str(demo), str(demo.resolve())}
    for name, text in _shared_texts(demo):
        if name.endswith("run.json"):
            # run.json may keep paths relative to the run folder, never absolute ones.
            import json

            def values(obj):
                if isinstance(obj, dict):
                    for v in obj.values():
                        yield from values(v)
                elif isinstance(obj, list):
                    for v in obj:
                        yield from values(v)
                elif isinstance(obj, str):
                    yield obj

            for value in values(json.loads(text)):
                assert not any(value.startswith(n) for n in needles), f"{value} in {name}"
            continue
        for needle in needles:
            assert needle not in text, f"{needle} in {name}"
    record = RunRecord.read(demo / "q_manques")
    assert record.input["name"] == "demo_survey.csv" and len(record.input["sha256"]) == 64
    assert not record.input["path"].startswith("/")
    assert (demo / "q_manques" / record.input["path"]).resolve() == (
        REPO / "data" / "demo_survey.csv").resolve()


def test_crosstab_rereads_the_survey_from_the_relative_path(demo, cli, monkeypatch):
    from textmine.runfolder import RunRecord

    monkeypatch.chdir(demo / "q_manques")
    res = cli("crosstab", ".", "--by", "taille", "--effects", "taille",
              "--reference", "taille=Plus de 50 000 habitants")
    assert res.code == 0, res.err
    record = RunRecord.read(demo / "q_manques")
    assert record.settings["effects"] == ["taille"]  # run.json says what effects.csv holds
    assert dict(map(tuple, record.settings["tables"]["reference"])) == {
        "taille": "Plus de 50 000 habitants"}
    effects = pd.read_csv(demo / "q_manques" / "effects.csv")
    assert set(effects["covariate"]) == {"taille"}
    assert set(effects["reference"]) == {"Plus de 50 000 habitants"}
    assert "p_adjusted" in effects


def test_demo_prints_nothing_a_newcomer_cannot_act_on(demo):
    """`make demo` printed 12 warnings, then 3 on seeds of the shipped codebooks; every seed of
    the demo codebooks now becomes a feature of its question (issue 15), so none is printed."""
    import json

    for q in QUESTIONS:
        record = json.loads((demo / q / "run.json").read_text(encoding="utf-8"))
        missing = [(e["name"], e["absent_seeds"] + e["unmatched_seeds"])
                   for e in record["themes"]["seeded_themes"]
                   if e["absent_seeds"] or e["unmatched_seeds"]]
        assert not missing, (q, missing)


def test_demo_tables_show_the_options_labels(demo):
    md = (demo / "q_outils" / "tables_md" / "crosstab_outils.md").read_text(encoding="utf-8")
    assert "Visio (n = " in md and "Live vidéo (n = " in md and "outils_1" not in md
    html = (demo / "q_outils" / "report.html").read_text(encoding="utf-8")
    assert "Réseaux sociaux" in html


def _label_words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text.casefold()))


def test_demo_free_themes_are_no_catch_alls_and_labels_are_words_of_the_answers(demo):
    # Issue 14: q_evolution's free theme "demander / end / pas week" held 53.6 % of the answers.
    from textmine.themes.catchall import OTHERS_LABEL

    for q in QUESTIONS:
        themes = pd.read_csv(demo / q / "themes.csv", dtype={"label": str, "top_terms": str})
        answers = pd.read_csv(demo / q / "answers.csv", dtype=str, keep_default_na=False)
        record = json.loads((demo / q / "run.json").read_text(encoding="utf-8"))
        book = {entry["name"] for entry in record["themes"]["seeded_themes"]}
        joined = " ".join(" ".join(answers["text"]).split()).casefold()
        written = _label_words(joined)
        free = themes[~themes["label"].isin(book) & (themes["label"] != OTHERS_LABEL)]
        assert len(free), q
        assert (free["share"] <= 0.35).all(), (q, free[["label", "share"]])
        for label, top in zip(free["label"], free["top_terms"], strict=True):
            for form in [*label.split(" / "), *top.split("; ")]:
                # Every label and top term is written, as such, in the answers.
                assert _label_words(form) <= written, (q, form)
                assert form.casefold() in joined, (q, form)
        assert {"under_assigned", "stability"} <= set(themes.columns)
