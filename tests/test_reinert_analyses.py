"""Reinert runs with the other French-school tools: --dictionary, --ca / --similarity,
``ca --rows classes``, ``crosstab`` on a Reinert folder, the project file (issues 16 and 17)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from textmine.runfolder import (
    CA_DIR,
    CA_TABLE_CSV,
    CLASSES_CSV,
    NODES_CSV,
    PROFILES_CSV,
    SEGMENTS_CSV,
    SIMILARITY_DIR,
    RunRecord,
    read_run_csv,
)

#: Three vocabularies, one per group: a Reinert classification finds them as classes.
WORDS = {
    "a": ["moyens", "budget", "humains", "financement", "subvention", "crédits", "effectifs",
          "recrutement"],
    "b": ["reconnaissance", "élus", "travail", "valorisation", "hiérarchie", "confiance",
          "soutien", "considération"],
    "c": ["ordinateur", "écran", "souris", "réseau", "logiciel", "serveur", "clavier",
          "imprimante"],
}


def _answer(group: str, i: int) -> str:
    """Four words of the group's vocabulary (a different mix for each respondent)."""
    words = WORDS[group]
    picked = [words[(i * 3 + j * (1 + i % 3)) % len(words)] for j in range(4)]
    return f"{picked[0]} et {picked[1]}, {picked[2]} puis {picked[3]}"


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> Path:
    rows = []
    for group in WORDS:
        for i in range(30):
            rows.append({"id": f"{group}{i:02d}", "groupe": group,
                         "taille": "petite" if i % 2 else "grande", "q": _answer(group, i)})
    path = tmp_path_factory.mktemp("reinert_ca") / "survey.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def reinert_run(survey, tmp_path_factory) -> Path:
    """One Reinert run with --ca and --similarity, shared by the tests that only read it."""
    from textmine.cli import commands  # noqa: F401
    from textmine.cli.app import run_app

    out = tmp_path_factory.mktemp("runs") / "r"
    code = run_app(["reinert", str(survey), "--text-col", "q", "--id-col", "id", "--k", "3",
                    "--min-segment-size", "0", "--by", "groupe", "--ca", "--similarity",
                    "--out", str(out)])
    assert code == 0
    return out


def _class_of_group(out: Path) -> dict[str, int]:
    """The class most of each group's segments fall in."""
    seg = read_run_csv(out, SEGMENTS_CSV)
    seg["group"] = seg["respondent_id"].astype(str).str[0]
    return {g: int(part["class"].mode().iloc[0]) for g, part in seg.groupby("group")}


def test_reinert_ca_crosses_classes_with_modalities(reinert_run):
    out = reinert_run
    classes = _class_of_group(out)
    assert len(set(classes.values())) == 3  # the three vocabularies are three classes
    table = pd.read_csv(out / CA_DIR / CA_TABLE_CSV)
    assert table.columns[0] == "label" and set(table.columns[1:]) == {"a", "b", "c"}
    labels = read_run_csv(out, CLASSES_CSV).set_index("class")["label"]
    assert table["label"].tolist() == [labels[c] for c in (1, 2, 3)]
    # segments of each class counted in their respondent's modality
    seg = read_run_csv(out, SEGMENTS_CSV)
    seg = seg[seg["class"] > 0]
    expected = pd.crosstab(seg["class"], seg["respondent_id"].astype(str).str[0])
    counts = table.set_index("label")[["a", "b", "c"]].to_numpy()
    assert (counts == expected.reindex(columns=["a", "b", "c"], fill_value=0).to_numpy()).all()
    for group, label in classes.items():
        row = table[table["label"] == labels[label]].iloc[0]
        assert row[group] == row[["a", "b", "c"]].max()
    record = RunRecord.read(out)
    assert record.extra["analysis"]["options"]["rows"] == "classes"
    assert record.extra["analysis"]["ca"]["rows_kind"] == "classes"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="ca"' in html and 'id="similarity"' in html
    assert "classes de Reinert" in html  # the CA caption of a Reinert run


def test_reinert_similarity_uses_segment_terms(reinert_run):
    nodes = pd.read_csv(reinert_run / SIMILARITY_DIR / NODES_CSV)
    assert {"budget", "reconnaissance", "ordinateur"} <= set(nodes["term"])
    assert (reinert_run / SIMILARITY_DIR / "similarity_graph.png").is_file()


def test_report_of_a_reinert_run_says_classes_and_links_profile_terms(reinert_run):
    html = (reinert_run / "report.html").read_text(encoding="utf-8")
    assert "<h2>Classes</h2>" in html and "<h2>Thèmes</h2>" not in html
    assert "Classes selon les questions fermées" in html
    # every class card of the Reinert section links its profile terms to concordance lines
    for label in (1, 2, 3):
        assert f'href="#rconc-{label}-1"' in html and f'id="rconc-{label}-1"' in html
    ordinateur = html.index('<caption>ordinateur</caption>')
    assert 'class="k">ordinateur<' in html[ordinateur:ordinateur + 400]


def test_ca_rows_classes_on_a_reinert_folder(cli, reinert_run, tmp_path):
    out = tmp_path / "ca"
    res = cli("ca", reinert_run, "--rows", "classes", "--by", "groupe", "--supplementary",
              "taille", "--out", out)
    assert res.code == 0, res.err
    table = pd.read_csv(out / CA_TABLE_CSV)
    assert len(table) == 3 and table["label"].str.startswith("Classe ").all()
    assert table.columns[0] == "label"
    cols = pd.read_csv(out / "ca_columns.csv")
    assert set(cols.loc[cols["supplementary"], "label"]) == {"taille=grande", "taille=petite"}
    assert RunRecord.read(out).extra["ca"]["rows_kind"] == "classes"


def test_ca_rows_classes_needs_a_reinert_folder(cli, survey, tmp_path):
    res = cli("ca", survey, "--text-col", "q", "--id-col", "id", "--rows", "classes",
              "--by", "groupe", "--out", tmp_path / "o")
    assert res.code == 2 and "Reinert run" in res.err
    assert len(res.err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_reinert_ca_needs_by_before_any_work(cli, survey, tmp_path):
    res = cli("reinert", survey, "--text-col", "q", "--id-col", "id", "--ca",
              "--out", tmp_path / "o")
    assert res.code == 2 and "--by" in res.err and not (tmp_path / "o").exists()


def test_crosstab_accepts_a_reinert_folder(cli, survey, tmp_path):
    out = tmp_path / "r"
    res = cli("reinert", survey, "--text-col", "q", "--id-col", "id", "--k", "3",
              "--min-segment-size", "0", "--out", out)
    assert res.code == 0, res.err
    res = cli("crosstab", out, "--by", "groupe")
    assert res.code == 0, res.err
    crosstab = read_run_csv(out, "crosstab_groupe.csv")
    classes = _class_of_group(out)
    rows = crosstab[crosstab["row_type"] == "theme"]
    assert set(rows["theme_id"]) == {1, 2, 3}
    for group, label in classes.items():
        cell = rows[(rows["theme_id"] == label) & (rows["modality"] == group)]
        assert float(cell["pct"].iloc[0]) > 90
    spec = read_run_csv(out, "specificities_groupe.csv")
    assert "ordinateur" in set(spec.loc[spec["modality"] == "c", "term"])
    assert "crosstab_groupe.csv" in RunRecord.read(out).tables


def test_reinert_dictionary_drops_and_groups_forms(cli, survey, tmp_path):
    dic = tmp_path / "dic.csv"
    pd.DataFrame({"form": ["ordinateur", "écran"], "keep": ["no", "yes"],
                  "group_as": ["", "matériel"]}).to_csv(dic, index=False)
    out = tmp_path / "r"
    res = cli("reinert", survey, "--text-col", "q", "--id-col", "id", "--k", "3",
              "--min-segment-size", "0", "--dictionary", dic, "--out", out)
    assert res.code == 0, res.err
    terms = set(read_run_csv(out, PROFILES_CSV)["term"])
    assert "ordinateur" not in terms and "écran" not in terms and "matériel" in terms
    assert RunRecord.read(out).settings["text"]["dictionary"] == str(dic)


def test_project_run_with_analysis_and_reinert(cli, survey, tmp_path):
    (tmp_path / "textmine.toml").write_text(
        f'[survey]\npath = "{survey.as_posix()}"\nid_col = "id"\n[[open]]\ncolumn = "q"\n'
        '[[closed]]\ncolumn = "groupe"\ntype = "single"\n[themes]\nk = 3\n'
        '[report]\nwordclouds = false\n[analysis]\nca = true\nsimilarity = true\nmin_freq = 2\n'
        '[reinert]\nk = 3\nmin_segment_size = 0\n', encoding="utf-8")
    res = cli("run", tmp_path / "textmine.toml", "--out", tmp_path / "out")
    assert res.code == 0, res.err
    question = tmp_path / "out" / "q"
    for folder in (question, question / "reinert"):
        assert (folder / CA_DIR / CA_TABLE_CSV).is_file(), folder
        assert (folder / CA_DIR / "ca_map.png").is_file(), folder
        assert (folder / SIMILARITY_DIR / NODES_CSV).is_file(), folder
        html = (folder / "report.html").read_text(encoding="utf-8")
        assert 'id="ca"' in html and 'id="similarity"' in html
    themes_rows = pd.read_csv(question / CA_DIR / CA_TABLE_CSV)["label"]
    class_rows = pd.read_csv(question / "reinert" / CA_DIR / CA_TABLE_CSV)["label"]
    assert not themes_rows.str.startswith("Classe ").all()  # terms x modalities
    assert class_rows.str.startswith("Classe ").all()  # classes x modalities
    record = RunRecord.read(question / "reinert")
    assert record.extra["analysis"]["options"]["ca"] is True
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="q/report.html"' in index and 'href="q/reinert/report.html"' in index
