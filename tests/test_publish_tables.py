"""Tables and labels for a paper (issue 15): title, labels, trend test, effects reference/BH."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from report_fixtures import make_run
from test_tables_effects import THEMES, _data

from textmine.config import ReportOptions, TableOptions
from textmine.errors import OptionError
from textmine.outputs import write_csv
from textmine.pipeline.report_run import rewrite_report
from textmine.report import write_report
from textmine.tables import ClosedData, effects_frame


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    folder = make_run(tmp_path_factory.mktemp("labels") / "run")
    crosstab = pd.read_csv(folder / "crosstab_fonction.csv", dtype={"modality": str})
    crosstab["trend_p_value"] = np.where(crosstab["theme_id"].notna(), 0.015, np.nan)
    write_csv(crosstab, folder / "crosstab_fonction.csv")
    options = ReportOptions(title="Enquête PEE 1992", question="Qu'est-ce que l'environnement ?",
                            question_labels=(("fonction", "Fonction occupée"),),
                            wordclouds=False)
    write_report(folder, options=options)
    return folder


def test_report_header_uses_the_title_and_the_labels(labelled):
    html = (labelled / "report.html").read_text(encoding="utf-8")
    assert "<h1>Enquête PEE 1992</h1>" in html and "Rapport textmine" not in html
    assert "Qu&#39;est-ce que l&#39;environnement ?" in html
    assert "Fonction occupée" in html
    md = (labelled / "tables_md" / "crosstab_fonction.md").read_text(encoding="utf-8")
    assert "Fonction occupée" in md and "&lt;" not in md and "&amp;" not in md


def test_trend_test_shown_beside_the_chi_square_with_the_rule(labelled):
    html = (labelled / "report.html").read_text(encoding="utf-8")
    assert "p tendance" in html and "Cochran–Armitage" in html
    assert "0,015" in html
    md = (labelled / "tables_md" / "crosstab_fonction.md").read_text(encoding="utf-8")
    assert "p tendance" in md and "Cochran–Armitage" in md


def test_rewritten_report_keeps_the_labels_recorded_in_run_json(tmp_path):
    folder = make_run(tmp_path / "run")
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    run["labels"] = {"title": "Mon rapport", "question": "La question",
                     "closed": {"fonction": "Fonction occupée"}}
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    rewrite_report(folder, options=ReportOptions(wordclouds=False))
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "<h1>Mon rapport</h1>" in html and "La question" in html
    assert "Fonction occupée" in html


def test_effects_reference_is_chosen_and_p_values_are_bh_adjusted():
    answers, frame = _data()
    role = pd.Series(pd.Categorical(frame["role"]), index=frame.index)
    size = pd.Series(pd.Categorical(frame["size"]), index=frame.index)
    covs = [ClosedData("role", "single", role), ClosedData("size", "single", size)]
    default = effects_frame(answers, THEMES, covs)
    assert set(default.loc[default["covariate"] == "role", "reference"]) == {"chargé de com"}
    chosen = effects_frame(answers, THEMES, covs,
                           options=TableOptions(reference={"role": "autre"}))
    assert set(chosen.loc[chosen["covariate"] == "role", "reference"]) == {"autre"}
    p, adj = chosen["p_value"].to_numpy(float), chosen["p_adjusted"].to_numpy(float)
    assert (adj >= p - 1e-12).all()
    from scipy.stats import false_discovery_control
    np.testing.assert_allclose(adj, false_discovery_control(p, method="bh"))
    with pytest.raises(OptionError, match="--reference role=LEVEL"):
        effects_frame(answers, THEMES, covs, options=TableOptions(reference={"role": "x"}))


def test_reference_option_is_parsed():
    from textmine.cli.options import reference_pairs

    assert reference_pairs(["dipl=Bac", " taille = Moins de 10 000 "]) == (
        ("dipl", "Bac"), ("taille", "Moins de 10 000"))
    with pytest.raises(OptionError, match="COL=LEVEL"):
        reference_pairs(["dipl"])
