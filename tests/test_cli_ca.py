"""``textmine ca`` and ``textmine similarity`` from the CLI, and ``themes --ca --similarity``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from textmine.config import AnalysisOptions
from textmine.errors import OptionError
from textmine.runfolder import (
    CA_COLUMNS_CSV,
    CA_DIR,
    CA_EIGENVALUES_CSV,
    CA_ROWS_CSV,
    CA_TABLE_CSV,
    EDGES_CSV,
    NODES_CSV,
    SIMILARITY_DIR,
    SIMILARITY_GEXF,
    SIMILARITY_GRAPHML,
)

WORDS = {
    "a": ["manque de moyens humains", "pas assez de moyens", "moyens matériels insuffisants",
          "budget et moyens limités"],
    "b": ["reconnaissance du travail", "manque de reconnaissance", "reconnaissance des élus",
          "travail pas reconnu"],
    "c": ["ordinateur lent et écran cassé", "écran trop petit, souris lente",
          "ordinateur ancien, souris cassée", "réseau lent et ordinateur ancien"],
}


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> Path:
    rows = []
    for group, texts in WORDS.items():
        for i in range(40):
            rows.append({"id": f"{group}{i}", "groupe": group, "taille": "petite" if i % 2 else
                         "grande", "q": texts[i % len(texts)]})
    path = tmp_path_factory.mktemp("ca") / "survey.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_ca_command(cli, survey, tmp_path):
    out = tmp_path / "ca"
    result = cli("ca", str(survey), "--text-col", "q", "--id-col", "id", "--by", "groupe",
                 "--supplementary", "taille", "--min-freq", "2", "--out", str(out))
    assert result.code == 0, result.err
    for name in (CA_TABLE_CSV, CA_EIGENVALUES_CSV, CA_ROWS_CSV, CA_COLUMNS_CSV,
                 "ca_map.png", "ca_map.svg", "ca_scree.png", "ca_scree.svg"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / CA_TABLE_CSV)
    assert table.columns[0] == "label" and set(table.columns[1:]) == {
        "groupe=a", "groupe=b", "groupe=c"}
    eig = pd.read_csv(out / CA_EIGENVALUES_CSV)
    assert list(eig.columns) == ["axis", "eigenvalue", "percent", "cumulative_percent"]
    cols = pd.read_csv(out / CA_COLUMNS_CSV)
    assert cols["supplementary"].sum() == 2 and {"dim_1", "ctr_1", "cos2_1"} <= set(cols)


def test_ca_one_modality_is_one_line(cli, survey, tmp_path):
    frame = pd.read_csv(survey)
    frame["seul"] = "x"
    path = tmp_path / "one.csv"
    frame.to_csv(path, index=False)
    result = cli("ca", str(path), "--text-col", "q", "--id-col", "id", "--by", "seul",
                 "--min-freq", "2", "--out", str(tmp_path / "o"))
    assert result.code == 2
    assert "at least 2 modalities" in result.err and result.err.strip().count("\n") == 0


def test_similarity_command_and_subcorpus(cli, survey, tmp_path):
    out = tmp_path / "sim"
    result = cli("similarity", str(survey), "--text-col", "q", "--id-col", "id", "--top", "20",
                 "--index", "jaccard", "--out", str(out))
    assert result.code == 0, result.err
    for name in (EDGES_CSV, NODES_CSV, SIMILARITY_GRAPHML, SIMILARITY_GEXF,
                 "similarity_graph.png", "similarity_graph.svg"):
        assert (out / name).is_file(), name
    nodes = pd.read_csv(out / NODES_CSV)
    edges = pd.read_csv(out / EDGES_CSV)
    assert len(edges) <= len(nodes) - 1
    sub = cli("similarity", str(survey), "--text-col", "q", "--id-col", "id", "--by", "groupe",
              "--modality", "c", "--out", str(tmp_path / "sub"))
    assert sub.code == 0, sub.err
    terms = set(pd.read_csv(tmp_path / "sub" / NODES_CSV)["term"])
    assert "ordinateur" in terms and "reconnaissance" not in terms
    bad = cli("similarity", str(survey), "--text-col", "q", "--id-col", "id", "--by", "groupe",
              "--modality", "z", "--out", str(tmp_path / "bad"))
    assert bad.code == 2 and "not a modality" in bad.err


def test_themes_with_ca_and_similarity(cli, survey, tmp_path):
    out = tmp_path / "run"
    result = cli("themes", str(survey), "--text-col", "q", "--id-col", "id", "--k", "2",
                 "--min-df", "1", "--by", "groupe", "--ca", "--similarity", "--report",
                 "--out", str(out))
    assert result.code == 0, result.err
    assert (out / CA_DIR / CA_ROWS_CSV).is_file()
    assert (out / SIMILARITY_DIR / NODES_CSV).is_file()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="ca"' in html and 'id="similarity"' in html
    # The run folder feeds `textmine ca --rows themes`.
    again = cli("ca", str(out), "--by", "groupe", "--rows", "themes", "--out", str(tmp_path / "t"))
    assert again.code in (0, 2)
    if again.code == 2:  # two themes x three groups: fewer than 3 rows is said in one line,
        # with what to change (not "lower --min-freq", which does not apply to themes)
        assert "a CA of themes needs 3 themes or more (a run with a larger --k)" in again.err
        assert "--min-freq" not in again.err and again.err.strip().count("\n") == 0


def test_analysis_options_checked_when_built():
    with pytest.raises(OptionError, match="axes"):
        AnalysisOptions(axes=(1, 1))
    with pytest.raises(OptionError, match="rows"):
        AnalysisOptions(rows="words")
    with pytest.raises(OptionError, match="index"):
        AnalysisOptions(index="dice")


def test_supplementary_question_that_is_active_is_one_line(cli, survey, tmp_path):
    out = tmp_path / "o"
    result = cli("ca", str(survey), "--text-col", "q", "--id-col", "id", "--by", "groupe",
                 "--by", "taille", "--supplementary", "taille", "--min-freq", "2",
                 "--out", str(out))
    assert result.code == 2
    assert "--supplementary taille is already an active question" in result.err
    assert result.err.strip().count("\n") == 0 and not out.exists()


def test_similarity_top_is_capped_with_one_line(cli, survey, tmp_path):
    from textmine.config import MAX_SIMILARITY_TOP

    AnalysisOptions(top=MAX_SIMILARITY_TOP)  # the cap itself is allowed
    out = tmp_path / "o"
    result = cli("similarity", str(survey), "--text-col", "q", "--id-col", "id",
                 "--top", str(MAX_SIMILARITY_TOP + 1), "--out", str(out))
    assert result.code == 2
    assert f"give --top {MAX_SIMILARITY_TOP} or less" in result.err
    assert result.err.strip().count("\n") == 0 and not out.exists()


def test_two_modalities_give_one_axis_and_one_line_that_says_what_to_do(cli, survey, tmp_path):
    out = tmp_path / "o"
    result = cli("ca", str(survey), "--text-col", "q", "--id-col", "id", "--by", "taille",
                 "--min-freq", "2", "--out", str(out))
    assert result.code == 2 and result.err.strip().count("\n") == 0
    # not "choose axes up to 1": no choice of axes can make a map of one axis
    assert "only 1 axis; a factor map needs 2" in result.err
    assert "--by question with 3 modalities or more" in result.err and not out.exists()


def test_two_classes_give_one_axis_and_the_line_asks_for_a_larger_k(survey):
    from textmine.config import ReadOptions
    from textmine.errors import DataError
    from textmine.pipeline.ca_run import AnalysisInput, compute_ca
    from textmine.survey import read_survey

    s = read_survey(survey, options=ReadOptions(id_col="id"))
    ids = [str(i) for i in s.data.index]
    segments = pd.DataFrame({"respondent_id": ids, "class": [1 + i % 2 for i in range(len(ids))]})
    classes = pd.DataFrame({"class": [0, 1, 2], "label": ["", "Classe 1 : a", "Classe 2 : b"]})
    data = AnalysisInput(s, "q", ids, [[] for _ in ids], segments=segments, classes=classes)
    with pytest.raises(DataError, match=r"Only 2 class\(es\) have segments in these "
                                        r"modalities; a CA of classes needs 3 classes or more "
                                        r"\(a larger --k\)"):
        compute_ca(data, by=["groupe"], options=AnalysisOptions(rows="classes"))


@pytest.mark.parametrize("command", ["ca", "similarity"])
def test_an_analysis_output_folder_is_not_an_input(cli, survey, tmp_path, command):
    first = tmp_path / "first"
    args = ["--by", "groupe"] if command == "ca" else []
    made = cli(command, str(survey), "--text-col", "q", "--id-col", "id", "--min-freq", "2",
               *args, "--out", str(first)) if command == "ca" else cli(
        command, str(survey), "--text-col", "q", "--id-col", "id", "--out", str(first))
    assert made.code == 0, made.err
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    for again in ("ca", "similarity"):
        out = tmp_path / f"again_{again}"
        more = ["--by", "groupe"] if again == "ca" else []
        result = cli(again, str(first), *more, "--out", str(out))
        assert result.code == 2 and result.err.strip().count("\n") == 0
        assert f"output folder of a `textmine {command}` run" in result.err
        assert not out.exists()
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
