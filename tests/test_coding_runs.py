"""The coding workflow end to end, through the CLI: themes run -> coding sheet -> coder edits ->
import -> learn -> codes + review queue + agreement; and agreement between two coders."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sklearn.metrics import cohen_kappa_score

from textmine.coding.sheet import SHEET_NAME

# Invented answers: each phrase carries one code; some answers carry two.
PHRASES = {
    "Salaire": [
        "Le salaire est trop bas pour le travail demandé",
        "Pas assez de primes malgré les efforts",
        "Les primes ont été supprimées cette année",
        "Ma rémunération n'a pas augmenté depuis trois ans",
        "Le point d'indice est gelé, le salaire stagne",
        "Une prime de fin d'année serait bienvenue",
        "Les salaires ne suivent pas l'inflation",
        "Rémunération trop faible par rapport au privé",
    ],
    "Télétravail": [
        "Le télétravail deux jours par semaine est un vrai progrès",
        "Trop de réunions en visio depuis le télétravail",
        "Travailler à domicile me fait gagner du temps de trajet",
        "Le télétravail isole les agents de leur équipe",
        "La visio remplace mal les échanges au bureau",
        "Je demande un jour de télétravail supplémentaire",
        "Le matériel pour travailler à domicile manque",
        "Les journées en télétravail sont plus longues",
    ],
    "Formation": [
        "Aucune formation sur les nouveaux logiciels",
        "Les formations sont trop loin et trop courtes",
        "J'aimerais une formation au management",
        "Le plan de formation n'est jamais appliqué",
        "Pas de formation pour les nouveaux arrivants",
        "La formation continue a disparu du service",
        "Des formations en ligne seraient utiles",
        "On apprend sur le tas, sans formation",
    ],
}
CODES = list(PHRASES)


def _answers() -> list[tuple[str, str, list[str]]]:
    rows: list[tuple[str, str, list[str]]] = []
    n = 0
    for round_ in range(4):
        for i in range(8):
            for code in CODES:
                n += 1
                text = PHRASES[code][(i + round_ * 3) % 8]
                truth = [code]
                if (n % 7) == 0:  # a few answers carry two codes
                    other = CODES[(CODES.index(code) + 1) % 3]
                    text += ". " + PHRASES[other][(i + 5) % 8]
                    truth.append(other)
                rows.append((f"R{n:03d}", text, truth))
    rows.append(("R901", "RAS", []))
    rows.append(("R902", "", []))
    rows.append(("R903", "Écrivez-moi à jean.dupont@mairie.fr pour la formation", ["Formation"]))
    return rows


ANSWERS = _answers()
TRUTH = {rid: truth for rid, _, truth in ANSWERS}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A survey and a hand-built themes run folder (as written by ``textmine themes``)."""
    root = tmp_path_factory.mktemp("coding")
    with open(root / "enquete.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "service", "avis"])
        for k, (rid, text, _) in enumerate(ANSWERS):
            w.writerow([rid, ["RH", "DSI"][k % 2], text])
    run = root / "run"
    run.mkdir()
    status = {"R901": "non-answer", "R902": "empty"}
    answers = pd.DataFrame(
        {
            "respondent_id": [r for r, _, _ in ANSWERS],
            "text": [t for _, t, _ in ANSWERS],
            "status": [status.get(r, "themed") for r, _, _ in ANSWERS],
            "theme_id": [str(CODES.index(t[0]) + 1) if t else "" for _, _, t in ANSWERS],
            "weight": ["0.7" if t else "" for _, _, t in ANSWERS],
            "themes": [";".join(str(CODES.index(c) + 1) for c in t) for _, _, t in ANSWERS],
        }
    )
    answers.to_csv(run / "answers.csv", index=False)
    pd.DataFrame(
        {"theme_id": [1, 2, 3], "label": CODES, "top_terms": ["salaire", "visio", "formation"]}
    ).to_csv(run / "themes.csv", index=False)
    (run / "run.json").write_text(json.dumps({"command": "themes", "settings": {}}), "utf-8")
    return root


@pytest.fixture(scope="module")
def coded_sheet(project, tmp_path_factory) -> Path:
    """The coding sheet of the run, filled by a simulated coder for the first 60 answers (the
    run's nested check needs 25 right held-out automatic codes before any code is automatic)."""
    from textmine.cli import commands  # noqa: F401
    from textmine.cli.app import run_app

    sheet = project / "codage.xlsx"
    assert run_app(["sheet", str(project / "run"), "--out", str(sheet)]) == 0
    wb = load_workbook(sheet)
    ws = wb[SHEET_NAME]
    header = [c.value for c in ws[1]]
    for row in list(ws.iter_rows(min_row=2))[:60]:
        rid = row[0].value
        for code in CODES:
            row[header.index(code)].value = int(code in TRUTH[rid])
    edited = project / "codage_rempli.xlsx"
    wb.save(edited)
    return edited


def test_sheet_of_a_themes_run(project, coded_sheet):
    wb = load_workbook(project / "codage.xlsx")
    ws = wb[SHEET_NAME]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == ["respondent_id", "text", "suggestions", *CODES, "autre_code"]
    ids = [r[0] for r in rows[1:]]
    # Non-answers and empty answers are not given to coders.
    assert "R901" not in ids and "R902" not in ids and len(ids) == len(ANSWERS) - 2
    first = rows[1]
    assert first[2] == "Salaire (0.70)"
    masked = next(r for r in rows if r[0] == "R903")[1]
    assert "jean.dupont@mairie.fr" not in masked


def test_sheet_as_csv_and_refusals(project, cli, tmp_path):
    res = cli("sheet", project / "run", "--out", tmp_path / "codage.csv")
    assert res.code == 0, res.err
    frame = pd.read_csv(tmp_path / "codage.csv", dtype=str)
    assert frame.columns.tolist() == ["respondent_id", "text", "suggestions", *CODES,
                                      "autre_code"]
    res = cli("sheet", tmp_path, "--out", tmp_path / "x.xlsx")
    assert res.code == 2
    assert res.err.startswith(f"error: Run folder {tmp_path} has no answers.csv; give the folder")


@pytest.fixture(scope="module")
def code_out(project, coded_sheet, tmp_path_factory) -> Path:
    from textmine.cli import commands  # noqa: F401
    from textmine.cli.app import run_app

    out = project / "codes_out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TEXTMINE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        code = run_app([
            "code", str(project / "enquete.csv"), "--text-col", "avis", "--id-col", "id",
            "--labels", str(coded_sheet), "--out", str(out),
        ])  # fmt: skip
    assert code == 0
    return out


def test_code_writes_human_and_model_codes(code_out):
    codes = pd.read_csv(code_out / "codes.csv", dtype={"respondent_id": str})
    assert codes.columns.tolist() == ["respondent_id", "code", "score", "assigned", "source",
                                      "outcome"]
    human = codes[codes["source"] == "human"]
    model = codes[codes["source"] == "model"]
    assert human["respondent_id"].nunique() == 60
    for rid, code, assigned in human[["respondent_id", "code", "assigned"]].itertuples(False):
        assert assigned == int(code in TRUTH[rid])
    # Every uncoded answer with text is scored for every code; non-answers are not.
    assert model["respondent_id"].nunique() == len(ANSWERS) - 2 - 60
    assert not {"R901", "R902"} & set(model["respondent_id"])
    auto = model[model["assigned"] == 1]
    assert len(auto) > 0
    right = [code in TRUTH[rid] for rid, code in auto[["respondent_id", "code"]].itertuples(False)]
    assert sum(right) / len(right) >= 0.8


def test_review_queue_holds_the_rest_most_uncertain_first(code_out):
    codes = pd.read_csv(code_out / "codes.csv", dtype={"respondent_id": str})
    queue = pd.read_csv(code_out / "review_queue.csv", dtype={"respondent_id": str})
    assert queue.columns.tolist() == [
        "rank", "respondent_id", "text", "uncertainty", "best_code", "best_score", "candidates",
        "check_codes",
    ]
    model = codes[codes["source"] == "model"]
    auto = set(model.loc[model["assigned"] == 1, "respondent_id"])
    assert set(queue["respondent_id"]) == set(model["respondent_id"]) - auto
    assert queue["uncertainty"].is_monotonic_decreasing
    run = json.loads((code_out / "run.json").read_text("utf-8"))
    assert run["counts"]["review_queue"] == len(queue)
    assert run["counts"]["auto_coded"] == len(auto)
    assert run["counts"]["coded"] == 60
    assert run["input"]["text_col"] == "avis"


def test_agreement_of_model_and_humans_is_cross_validated(code_out):
    agreement = pd.read_csv(code_out / "agreement.csv")
    assert agreement["code"].tolist() == [*CODES, "(all codes)"]
    assert {"threshold", "precision", "recall", "f1", "cohen_kappa"} <= set(agreement.columns)
    assert agreement["n_coded"].iloc[:3].tolist() == [
        sum(c in TRUTH[r] for r in list(TRUTH)[:60]) for c in CODES
    ]
    trade = pd.read_csv(code_out / "tradeoff.csv")
    assert trade.columns.tolist() == [
        "target_precision", "coverage", "precision", "recall", "f1", "n_assigned", "n_right"
    ]


def test_code_refuses_unknown_codes_with_one_line(project, cli, tmp_path):
    labels = tmp_path / "codes.csv"
    labels.write_text("respondent_id,code\nR001,Salaire\nR002,Salaires\n", "utf-8")
    codebook = tmp_path / "cb.yaml"
    codebook.write_text("themes:\n" + "".join(f"  - name: {c}\n" for c in CODES), "utf-8")
    res = cli("code", project / "enquete.csv", "--text-col", "avis", "--id-col", "id",
              "--labels", labels, "--codebook", codebook, "--out", tmp_path / "out")  # fmt: skip
    assert res.code == 2
    assert res.err == (
        f"error: Unknown code(s) 'Salaires' in {labels}; codebook codes: Salaire, Télétravail, "
        "Formation. Fix the codes or the codebook.\n"
    )
    assert not (tmp_path / "out").exists()


def test_impossible_target_precision_is_refused_before_any_work(project, cli, tmp_path):
    res = cli("code", project / "enquete.csv", "--text-col", "avis", "--labels", "x.csv",
              "--target-precision", "1.5", "--out", tmp_path / "out")  # fmt: skip
    assert res.code == 2
    assert res.err == "error: --target-precision must be in (0, 1]; got 1.5. Try 0.8.\n"


def test_agree_between_two_coders(project, cli, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    # R003 is coded by a only, R004 by b only; R005 is coded by both with no code.
    a.write_text("respondent_id,code\nR001,Salaire\nR002,Télétravail\nR003,Formation\n"
                 "R005,\n", "utf-8")  # fmt: skip
    b.write_text("respondent_id,code\nR001,Salaire\nR002,Salaire\nR004,Formation\n"
                 "R005,\n", "utf-8")  # fmt: skip
    res = cli("agree", a, b, "--survey", project / "enquete.csv", "--id-col", "id",
              "--out", tmp_path / "agree")  # fmt: skip
    assert res.code == 0, res.err
    table = pd.read_csv(tmp_path / "agree" / "agreement.csv").set_index("code")
    # Units: the answers both coders coded (R001, R002, R005), never the blank rows.
    x, y = [1, 0, 0], [1, 1, 0]
    assert table.loc["Salaire", "n_units"] == 3
    assert table.loc["Salaire", "n_only_a"] == 1 and table.loc["Salaire", "n_only_b"] == 1
    assert table.loc["Salaire", "cohen_kappa"] == pytest.approx(cohen_kappa_score(x, y))
    assert table.loc["Salaire", "percent_agreement"] == pytest.approx(2 / 3)
    assert {"krippendorff_alpha", "percent_agreement"} <= set(table.columns)
    # The table is printed with its n.
    assert "Agreement on the 3 answers both coders coded (1 coded by the first" in res.out
    assert any(line.split()[:2] == ["Salaire", "3"] for line in res.out.splitlines())
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,code\nZ999,Salaire\n", "utf-8")
    res = cli("agree", a, bad, "--survey", project / "enquete.csv", "--id-col", "id",
              "--out", tmp_path / "agree2")  # fmt: skip
    assert res.code == 2
    assert "1 of 1 respondent id(s) of" in res.err and "are not in the survey" in res.err
    assert "Z999" in res.err


def test_ids_matching_row_numbers_without_id_col_are_one_error(project, cli, tmp_path):
    # The survey has an id column R001...; the labels use it, but --id-col is forgotten. Even
    # ids that happen to look like row numbers must not match rows silently.
    labels = tmp_path / "codes.csv"
    labels.write_text("respondent_id,code\nR001,Salaire\nR002,Télétravail\nR003,Formation\n",
                      "utf-8")  # fmt: skip
    res = cli("code", project / "enquete.csv", "--text-col", "avis", "--labels", labels,
              "--out", tmp_path / "out")  # fmt: skip
    assert res.code == 2
    assert res.err == (
        f"error: 3 of 3 respondent ids of {labels} are values of column 'id' of the survey, but "
        "the survey was read without --id-col (respondents numbered by row): add --id-col id.\n"
    )
    res = cli("agree", labels, labels, "--survey", project / "enquete.csv",
              "--out", tmp_path / "agree")  # fmt: skip
    assert res.code == 2 and "add --id-col id." in res.err


def test_partly_matching_ids_are_one_error(project, cli, tmp_path):
    labels = tmp_path / "codes.csv"
    labels.write_text("respondent_id,code\nR001,Salaire\n7,Télétravail\n8,Formation\n", "utf-8")
    res = cli("code", project / "enquete.csv", "--text-col", "avis", "--id-col", "id",
              "--labels", labels, "--out", tmp_path / "out")  # fmt: skip
    assert res.code == 2
    assert res.err.startswith(
        f"error: 2 of 3 respondent id(s) of {labels} are not in the survey (1 is): 7, 8;"
    )
    assert res.err.count("\n") == 1


def test_sheet_suggestions_put_the_primary_theme_first(tmp_path):
    from textmine.pipeline.coding_run import sheet_frame_for_run

    pd.DataFrame(
        {"respondent_id": ["a"], "text": ["visio et salaire"], "status": ["themed"],
         "theme_id": ["2"], "weight": ["0.9"], "themes": ["1;2"]}
    ).to_csv(tmp_path / "answers.csv", index=False)
    pd.DataFrame({"theme_id": [1, 2], "label": ["Salaire", "Visio"]}).to_csv(
        tmp_path / "themes.csv", index=False
    )
    frame = sheet_frame_for_run(tmp_path)
    assert frame["suggestions"].tolist() == ["Visio (0.90); Salaire"]


POLLUTION = [
    "La pollution de l'air près de l'école",
    "Trop de pollution sonore la nuit",
    "Le quartier est pollué par les camions",
    "Pollution",
    "Les usines polluent la rivière",
    "Moins de pollution, plus de vélos",
]


@pytest.fixture(scope="module")
def rare_code_run(tmp_path_factory) -> tuple[Path, str]:
    """A code run where 'Pollution' has 3 coded examples: too few to code automatically."""
    from textmine.cli import commands  # noqa: F401
    from textmine.cli.app import run_app

    root = tmp_path_factory.mktemp("rare")
    rows, labels = [], ["respondent_id,code"]
    for n in range(72):
        code = CODES[n % 3]
        rows.append((f"S{n:03d}", PHRASES[code][(n // 3) % 8] + f" (service {n % 5})", code))
    for k, text in enumerate(POLLUTION):
        rows.append((f"P{k}", text, "Pollution"))
    for rid, _, code in rows[:45] + rows[72:75]:
        labels.append(f"{rid},{code}")
    with open(root / "enquete.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "avis"])
        w.writerows((rid, text) for rid, text, _ in rows)
    (root / "labels.csv").write_text("\n".join(labels) + "\n", "utf-8")
    out = root / "out"
    import contextlib
    import io

    buffer = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(buffer):
        mp.setenv("TEXTMINE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        code = run_app([
            "code", str(root / "enquete.csv"), "--text-col", "avis", "--id-col", "id",
            "--labels", str(root / "labels.csv"), "--out", str(out),
        ])  # fmt: skip
    assert code == 0
    return out, buffer.getvalue()


def test_a_code_with_too_few_examples_is_never_written_as_zero(rare_code_run):
    out, _ = rare_code_run
    codes = pd.read_csv(out / "codes.csv", dtype={"respondent_id": str})
    model = codes[(codes["source"] == "model") & (codes["code"] == "Pollution")]
    assert len(model) == 30  # every uncoded answer is scored...
    assert model["assigned"].isna().all()  # ...but "not coded", never 0
    human = codes[(codes["source"] == "human") & (codes["code"] == "Pollution")]
    assert set(human["assigned"]) == {0, 1}  # coded answers keep their 0/1


def test_answers_with_the_codes_words_go_to_review_first(rare_code_run):
    out, console = rare_code_run
    queue = pd.read_csv(
        out / "review_queue.csv", dtype={"respondent_id": str}, keep_default_na=False
    )
    pollution = {"P3", "P4", "P5"}
    assert pollution <= set(queue["respondent_id"])
    assert set(queue["respondent_id"].iloc[:3]) == pollution
    assert all("Pollution" in c for c in queue["check_codes"].iloc[:3])
    record = json.loads((out / "run.json").read_text("utf-8"))
    entry = record["coding"]["review"][0]
    assert entry["code"] == "Pollution" and entry["n_coded"] == 3 and entry["needed"] == 7
    assert entry["mentioning"] == 3
    assert (
        f"Pollution: 3 coded examples, not enough to code automatically (7 needed); "
        f"{entry['sent_to_review']} answer{'' if entry['sent_to_review'] == 1 else 's'} sent "
        "to review"
    ) in console


def test_every_code_run_states_its_expected_precision(rare_code_run):
    out, console = rare_code_run
    expected = json.loads((out / "run.json").read_text("utf-8"))["coding"]["expected"]
    assert {"precision", "precision_low", "precision_high", "coverage", "coverage_low",
            "coverage_high", "level", "sentence"} <= set(expected)  # fmt: skip
    assert expected["precision_low"] <= expected["precision"] <= expected["precision_high"]
    assert expected["coverage_low"] <= expected["coverage"] <= expected["coverage_high"]
    assert expected["sentence"].startswith("expected precision of automatic codes ")
    assert expected["sentence"] in console
    # Every answer was coded with a code: "none of these codes" cannot be learnt, and is said.
    none = json.loads((out / "run.json").read_text("utf-8"))["coding"]["none"]
    assert none["coded_none"] == 0 and none["automatic"] is False
    assert none["message"].startswith('No coded answer was given no code, so "none of these '
                                      'codes" cannot be learnt')  # fmt: skip
    assert none["message"] in console
    # A single-code survey is coded at the answer level, and the run says so.
    rule = json.loads((out / "run.json").read_text("utf-8"))["coding"]["rule"]
    assert rule["answer_level"] is True and rule["min_positives"] == 7
    assert rule["message"].startswith("single-code survey: ") and rule["message"] in console



def test_sheet_never_replaces_the_run_or_its_survey_even_with_force(project, cli, tmp_path):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(project / "run", run)
    survey = tmp_path / "enquete.csv"
    shutil.copy(project / "enquete.csv", survey)
    record = json.loads((run / "run.json").read_text("utf-8"))
    record["input"] = {"path": "../enquete.csv", "id_col": "id", "text_col": "avis"}
    (run / "run.json").write_text(json.dumps(record), "utf-8")
    before = survey.read_bytes()
    for target in (survey, run / "answers.csv", run / "codage.csv"):
        res = cli("sheet", run, "--csv", "--out", target, "--force")
        assert res.code == 2 and "an output never replaces an input" in res.err, res.err
        assert res.err.count("\n") == 1 and "Traceback" not in res.err
    assert survey.read_bytes() == before and not (run / "codage.csv").exists()


def test_sheet_refuses_csv_into_an_xlsx_name(project, cli, tmp_path):
    res = cli("sheet", project / "run", "--csv", "--out", tmp_path / "codage.xlsx")
    assert res.code == 2 and "name it *.csv or leave out --csv" in res.err
    assert not (tmp_path / "codage.xlsx").exists()
    # any other name too: an XLSX named .txt (or with no extension) opens nowhere (trial)
    for name, says in (("codage.txt", "ends in .txt"), ("codage", "has no extension")):
        res = cli("sheet", project / "run", "--out", tmp_path / name)
        assert res.code == 2 and says in res.err and "name it *.xlsx or add --csv" in res.err
        assert res.err.count("\n") == 1 and not (tmp_path / name).exists()


def test_a_run_whose_coder_codes_nothing_automatically_promises_no_precision(
        tmp_path, monkeypatch):
    # Trial 2026-12-01: "0 of 203 uncoded answers coded automatically" beside "expected
    # precision of automatic codes 0.62 (0.31-0.86)": the nested estimate of the procedure had
    # automatic codes in some folds, the run's coder had none.
    import textmine.coding.learn as learn
    import textmine.pipeline.coding_run as coding_run
    from textmine.cli import commands  # noqa: F401
    from textmine.cli.app import run_app

    real = coding_run.nested_agreement

    def nested_with_a_precision(*args, **kwargs):
        per_code, tradeoff, expected = real(*args, **kwargs)
        return per_code, tradeoff, {**expected, "precision": 0.62, "precision_low": 0.31,
                                    "precision_high": 0.86}

    monkeypatch.setattr(coding_run, "nested_agreement", nested_with_a_precision)
    monkeypatch.setattr(learn, "POOLED_MIN_HELDOUT_RIGHT", 10**6)  # the coder: nothing automatic
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    rows = [(f"S{n:03d}", PHRASES[CODES[n % 3]][(n // 3) % 8], CODES[n % 3]) for n in range(60)]
    with open(tmp_path / "enquete.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("id", "avis"), *((r, t) for r, t, _ in rows)])
    (tmp_path / "labels.csv").write_text(
        "respondent_id,code\n" + "".join(f"{r},{c}\n" for r, _, c in rows[:40]), "utf-8")
    out = tmp_path / "out"
    assert run_app(["code", str(tmp_path / "enquete.csv"), "--text-col", "avis", "--id-col",
                    "id", "--labels", str(tmp_path / "labels.csv"), "--out", str(out),
                    "--no-learning-curve"]) == 0
    statement = json.loads((out / "run.json").read_text("utf-8"))["coding"]["statement"]
    assert "no answer would be coded automatically" in statement and "0.62" not in statement


def test_many_codes_with_too_few_examples_are_said_in_one_line():
    # Trial 2026-12-01: a sheet whose free column named 110 codes printed 110 console lines.
    from textmine.cli.coding_cmds import REVIEW_LINES, review_lines

    few = [{"code": f"c{k}", "n_coded": 1, "needed": 7, "reason": "too_few_examples",
            "message": f"c{k}: 1 coded examples"} for k in range(20)]
    other = {"code": "x", "reason": "precision_not_reached", "message": "x: below"}
    lines = review_lines([other, *few])
    assert lines[0] == "x: below" and len(lines) == 2
    assert lines[1].startswith("20 codes have fewer than 7 coded examples")
    assert f"and {20 - REVIEW_LINES} more" in lines[1]
    assert review_lines(few[:REVIEW_LINES]) == [e["message"] for e in few[:REVIEW_LINES]]


def test_many_codes_too_thin_for_an_open_world_are_said_in_one_line_too():
    from textmine.cli.coding_cmds import REVIEW_LINES, review_lines

    # In an open world a code under min_positives needs 14 too (_review_entries): the codes of
    # 1 and of 9 examples are said in one line, not two lines opening alike (trial 2026-12-01).
    few = [{"code": f"c{k}", "n_coded": 1, "needed": 14, "reason": "too_few_examples",
            "message": f"c{k}: 1 coded examples"} for k in range(REVIEW_LINES + 3)]
    thin = [{"code": f"t{k}", "n_coded": 9, "needed": 14,
             "reason": "too_few_examples_open_world", "message": f"t{k}: 9 coded examples"}
            for k in range(REVIEW_LINES + 2)]  # fmt: skip
    lines = review_lines([*few, *thin])
    assert len(lines) == 1
    assert lines[0].startswith(f"{2 * REVIEW_LINES + 5} codes have fewer than 14 coded "
                               "examples, not enough to code automatically where many answers "
                               "belong")
    assert "t0 (9)" in lines[0] and "c0 (1)" not in lines[0]  # the nearest to 14 first
    assert f"and {REVIEW_LINES + 5} more" in lines[0]
    assert review_lines(thin[:REVIEW_LINES]) == [e["message"] for e in thin[:REVIEW_LINES]]
    # Codes needing different numbers are not put in one line.
    closed = [{**e, "needed": 7} for e in few]
    lines = review_lines([*closed, *thin])
    assert len(lines) == 2 and lines[0].startswith(f"{REVIEW_LINES + 3} codes have fewer than 7")


def test_the_counts_say_how_much_they_overlap():
    # Trial 2026-12-01: "1189 coded automatically ... 1007 in the review queue" for 1,977
    # answers: 219 were both (a code automatic, another to check), unsaid.
    import numpy as np

    from textmine.pipeline.coding_run import _outcome_counts, share_sentence

    assigned = np.array([[1, 0], [1, 0], [0, 0], [0, 0]])
    queue = pd.DataFrame({"respondent_id": ["a", "c"]})
    counts = _outcome_counts(["a", "b", "c", "d"], assigned, np.array([0, 0, 0, 1]), queue)
    assert counts == {"uncoded_with_text": 4, "auto_coded": 2, "auto_none": 1, "coverage": 0.5,
                      "review_queue": 2, "auto_and_review": 1}
    assert share_sentence(counts) == (
        "2 of 4 uncoded answers coded automatically (50 %, observed), 1 given \"none of these "
        "codes\", 2 in the review queue (1 of them coded automatically too, with another code "
        "to check)")


def test_a_share_coded_far_above_the_held_out_share_is_said():
    # Trial 2026-12-01 (AN titles, 120 codes in a free column): 25 % coded automatically
    # against 7.9 % (5.6-11.0 %) held out, and 0.65 right against a stated 0.87 (0.71-0.95).
    from textmine.pipeline.coding_run import share_check

    expected = {"coverage": 0.079, "coverage_low": 0.056, "coverage_high": 0.110}
    entry = share_check({"coverage": 0.25, "auto_coded": 226}, expected)
    assert entry["outside"] is True
    assert entry["message"].startswith("WARNING: 25 % of the uncoded answers were coded "
                                       "automatically, against 8 % (6–11 %) of held-out")
    assert share_check({"coverage": 0.09, "auto_coded": 80}, expected)["message"] is None
    assert share_check({"coverage": 0.0, "auto_coded": 0}, expected)["outside"] is False


def test_a_coder_without_automatic_codes_promises_no_precision_in_either_path():
    # The fitting run and a run with a saved coder (--model) both state the precision only
    # when the coder has an automatic code (a withheld coder saved with --save-model too).
    from textmine.pipeline.coding_run import precision_sentence

    expected = {"precision": 0.8, "precision_low": 0.49, "precision_high": 0.94}
    assert precision_sentence(expected, True).startswith(
        "expected precision of automatic codes 0.80 (0.49–0.94)")
    assert precision_sentence(expected, False).startswith(
        "no answer would be coded automatically")
