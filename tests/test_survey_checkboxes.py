"""Google Forms checkbox questions: one option per label, whatever the combinations seen."""

from __future__ import annotations

import csv
import itertools
import random
from pathlib import Path

import pandas as pd
import pytest

from textmine.config import ReadOptions
from textmine.project import load_project
from textmine.survey import closed_question, read_survey
from textmine.survey.columns import learn_options, split_options
from textmine.tables import ClosedData, crosstab_frame
from textmine.tables.crosstab import closed_data

# An option with a comma in brackets, one with an accent, one never ticked alone.
OPTIONS = ["Cloud", "Intranet", "Messagerie instantanée", "Visio", "Outils (Teams, Slack)"]
NEVER_ALONE = "Messagerie instantanée"


def _cells(seed: int, n: int = 80) -> list[list[str]]:
    """Ticked options per respondent, in form order (as Google Forms joins them)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.choice([1, 1, 2, 2, 3, 4])
        pool = OPTIONS if k > 1 else [o for o in OPTIONS if o != NEVER_ALONE]
        out.append(sorted(rng.sample(pool, min(k, len(pool))), key=OPTIONS.index))
    # Every pair at least once, so long combinations meet their shorter parts.
    out += [list(p) for p in itertools.combinations(OPTIONS, 2)]
    return out


def _write_form(tmp_path: Path, ticked: list[list[str]]) -> Path:
    path = tmp_path / "formulaire.csv"
    rng = random.Random(3)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Horodateur", "id", "Quels outils utilisez-vous ?", "Service"])
        for i, options in enumerate(ticked):
            writer.writerow([f"2020/05/{i % 28 + 1:02d} 10:{i % 60:02d}:00 UTC+2", f"r{i}",
                             ", ".join(options), rng.choice(["Com", "DSI", "RH"])])
    return path


def _expected(ticked: list[list[str]]) -> pd.DataFrame:
    ids = [f"r{i}" for i in range(len(ticked))]
    return pd.DataFrame({o: [int(o in t) for t in ticked] for o in OPTIONS}, index=ids)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_read_survey_alone_gives_one_option_per_label(tmp_path, seed):
    ticked = _cells(seed)
    survey = read_survey(_write_form(tmp_path, ticked), options=ReadOptions(id_col="id"))
    q = survey.questions["Quels outils utilisez-vous ?"]
    assert q.kind == "multiple"
    assert q.option_sep == ", "
    assert set(q.levels) == set(OPTIONS)
    table = closed_question(survey, q.name)
    assert set(table.columns) == set(OPTIONS)
    expected = _expected(ticked)
    pd.testing.assert_frame_equal(table[OPTIONS].astype(int), expected, check_names=False)


def test_learn_options_combinations_met_in_any_order():
    cells = pd.Series(["Intranet, Visio, Cloud", "Intranet, Visio", "Visio", "Cloud, Intranet",
                       "Oui, souvent", "Oui, souvent, Visio", "A (x, y), Visio"])
    assert set(learn_options(cells, ", ")) == {"Intranet", "Visio", "Cloud", "Oui, souvent",
                                               "A (x, y)"}
    split = split_options(cells, ", ", learn_options(cells, ", "))
    assert split.iloc[0] == ["Intranet", "Visio", "Cloud"]
    assert split.iloc[5] == ["Oui, souvent", "Visio"]


def test_init_project_run_crosstab_by_checkbox_question(tmp_path):
    from textmine.pipeline.survey_run import init_project

    ticked = _cells(7)
    path = _write_form(tmp_path, ticked)
    project_file = init_project(path, options=ReadOptions(id_col="id"),
                                out=tmp_path / "textmine.toml")
    text = project_file.read_text(encoding="utf-8")
    assert 'type = "multiple"' in text and 'option_sep = ", "' in text
    project = load_project(project_file)
    survey = read_survey(project.survey_path, options=project.read)
    name = "Quels outils utilisez-vous ?"
    assert set(survey.questions[name].levels) == set(OPTIONS)
    question = closed_data(survey, name)
    assert isinstance(question, ClosedData) and set(question.data.columns) == set(OPTIONS)
    ids = list(survey.data.index)
    answers = pd.DataFrame({"respondent_id": ids, "status": "themed",
                            "theme_id": ["1" if i % 2 else "2" for i in range(len(ids))],
                            "weight": 1.0,
                            "themes": ["1" if i % 2 else "2" for i in range(len(ids))]})
    themes = pd.DataFrame({"theme_id": [1, 2], "label": ["Outils", "Réunions"]})
    table = crosstab_frame(answers, themes, [question])
    rows = table[table["row_type"] != "status"] if "row_type" in table else table
    assert set(rows["variable"]) == set(OPTIONS)
    assert set(rows["modality"]) == {f"{o}: {a}" for o in OPTIONS for a in ("yes", "no")}
