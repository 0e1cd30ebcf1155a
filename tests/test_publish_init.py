"""``textmine init`` writes a starter project that explains itself (issue 15, point 6)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import tomllib

from textmine.config import ReportOptions, TableOptions, TextOptions, ThemeOptions
from textmine.project import option_docs
from textmine.survey.scales import scale_order


@pytest.mark.parametrize("levels, order, reason", [
    (["Bac", "Be", "Cep", "NOdip", "prof", "Supérieur"],
     ["NOdip", "Cep", "Be", "prof", "Bac", "Supérieur"], "diploma scale"),
    (["60ans+", "20-29ans", "40-49ans", "30-39ans", "50-59ans"],
     ["20-29ans", "30-39ans", "40-49ans", "50-59ans", "60ans+"], "age bands"),
    (["rev2", "RevNSP", "rev1", "rev4", "rev3"], ["rev1", "rev2", "rev3", "rev4", "RevNSP"],
     "numbered codes"),
    (["Plutôt d'accord", "NSP", "Pas du tout d'accord", "Tout à fait d'accord",
      "Plutôt pas d'accord"],
     ["Pas du tout d'accord", "Plutôt pas d'accord", "Plutôt d'accord", "Tout à fait d'accord",
      "NSP"], "agreement scale"),
    (["Souvent", "Jamais", "Parfois", "Rarement"], ["Jamais", "Rarement", "Parfois", "Souvent"],
     "frequency scale"),
    (["Plus de 50 ans", "25 à 50 ans", "Moins de 25 ans"],
     ["Moins de 25 ans", "25 à 50 ans", "Plus de 50 ans"], "age bands"),
])
def test_recognised_scales_are_ordered(levels, order, reason):
    assert scale_order(levels) == (tuple(order), reason)


@pytest.mark.parametrize("levels", [
    ["femme", "homme"], ["Bretagne", "Seine", "Nord", "Centre"], ["oui", "non", "NSP"],
    ["Rural", "Bourg", "Ville", "PGV"], ["agricult", "cadre_lib", "commerc", "employe"],
])
def test_no_order_is_proposed_where_none_is_plausible(levels):
    assert scale_order(levels) is None


def test_init_orders_diplomas_asks_only_where_plausible_and_explains_options(cli, tmp_path):
    n = 60
    pd.DataFrame({
        "id": [f"r{i}" for i in range(n)],
        "sexe": (["femme", "homme"] * n)[:n],
        "dipl": (["Bac", "Be", "Cep", "NOdip", "prof", "Supérieur"] * n)[:n],
        "aget": (["20-29ans", "60ans+", "40-49ans"] * n)[:n],
        "avis": [f"réponse libre numéro {i} sur la nature et la ville" for i in range(n)],
    }).to_csv(tmp_path / "enquete.csv", index=False)
    out = tmp_path / "textmine.toml"
    res = cli("init", tmp_path / "enquete.csv", "--id-col", "id", "--out", out)
    assert res.code == 0, res.err
    text = out.read_text(encoding="utf-8")
    blocks = {part.split('"')[1]: part for part in text.split("[[closed]]\ncolumn = ")[1:]}
    assert "levels" not in blocks["sexe"] and "ordered" not in blocks["sexe"]
    assert '# levels = ["NOdip", "Cep", "Be", "prof", "Bac", "Supérieur"]' in blocks["dipl"]
    assert "diploma scale recognised" in blocks["dipl"]
    assert '# levels = ["20-29ans", "40-49ans", "60ans+"]' in blocks["aget"]
    # One comment per option, with its default.
    options = [line for line in text.splitlines()
               if re.match(r"# [a-z_]+ = ", line) and not line.startswith(("# levels",
                                                                           "# by", "# effects"))]
    assert options and all("   # " in line for line in options), [
        line for line in options if "   # " not in line]
    tomllib.loads(text)  # still a valid project file


@pytest.mark.parametrize("cls", [TextOptions, ThemeOptions, TableOptions, ReportOptions])
def test_every_option_is_documented(cls):
    import dataclasses

    docs = option_docs(cls)
    assert not [f.name for f in dataclasses.fields(cls) if not docs.get(f.name)]


@pytest.mark.parametrize("cls", [TextOptions, ThemeOptions, TableOptions, ReportOptions])
def test_each_option_has_its_own_comment(cls):
    # A shared entry ("wordclouds, html, xlsx : Draw the word clouds, write report.html, write
    # report.xlsx") put the same three-part sentence beside each of the three options in init's
    # file: `html = true   # Draw the word clouds, ...` does not say what html does.
    from textmine.project import _defaults_as_comments

    comments = [line.split("   # ", 1)[1] for line in _defaults_as_comments(cls)]
    assert len(comments) == len(set(comments)), sorted(
        c for c in comments if comments.count(c) > 1)


def test_pair_options_are_shown_as_a_table_and_read_back(tmp_path):
    from textmine.project import _defaults_as_comments, build_options

    lines = _defaults_as_comments(TableOptions) + _defaults_as_comments(ReportOptions)
    shown = {line.split(" = ")[0][2:]: line.split(" = ")[1].split("   #")[0] for line in lines}
    assert shown["reference"] == "{}" and shown["question_labels"] == "{}"
    # Uncommented with a value in the form shown, the line reads back.
    spec = tomllib.loads('reference = {dipl = "Bac"}\n')
    assert build_options(TableOptions, spec, "[tables]").reference == (("dipl", "Bac"),)
