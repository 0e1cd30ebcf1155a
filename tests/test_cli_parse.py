"""``textmine parse`` in-process, on hand-written and real surveys."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "cache"))


def _survey(tmp_path):
    path = tmp_path / "enquete.csv"
    pd.DataFrame({
        "id": ["a1", "a2", "a3", "a4"],
        "q1": ["Pas assez de moyens", "RAS", "", "Mme Martin gère la plateforme du SI"],
    }).to_csv(path, index=False)
    return path


def test_parse_writes_terms_csv_and_summary(cli, tmp_path):
    out = tmp_path / "out"
    res = cli("parse", _survey(tmp_path), "--text-col", "q1", "--id-col", "id", "--out", out)
    assert res.code == 0, res.err
    terms = pd.read_csv(out / "terms.csv", dtype=str, keep_default_na=False)
    assert list(terms.columns) == ["respondent_id", "text", "status", "terms"]
    assert terms["respondent_id"].tolist() == ["a1", "a2", "a3", "a4"]
    assert terms["status"].tolist() == ["ok", "non-answer", "empty", "ok"]
    assert terms.loc[0, "terms"] == "pas_assez pas_moyen"
    assert terms.loc[3, "text"] == "Mme Martin gère la plateforme du SI"  # input as written
    assert terms.loc[3, "terms"].split()[-2:] == ["plateforme", "SI"]
    assert (out / "run.json").is_file()
    assert "answers: 4    non-answers: 1    empty: 1    duplicates: 0" in res.out
    assert "top terms: " in res.out


def test_parse_errors(cli, tmp_path):
    path = _survey(tmp_path)
    res = cli("parse", path, "--text-col", "q9", "--out", tmp_path / "o")
    assert res.code == 2
    assert res.err.strip() == ("error: Column 'q9' not found in enquete.csv; "
                               "available columns: id, q1.")
    assert cli("parse", path, "--text-col", "q1", "--out", tmp_path / "o").code == 0
    again = cli("parse", path, "--text-col", "q1", "--out", tmp_path / "o")
    assert again.code == 2 and "use --force to replace it" in again.err
    assert cli("parse", path, "--text-col", "q1", "--out", tmp_path / "o", "--force").code == 0


def test_parse_real_ined_file(cli, raw, tmp_path):
    out = tmp_path / "ined"
    res = cli("parse", raw / "ined_pee1992_k1" / "PEE_K1_extract.csv", "--text-col", "K1",
              "--out", out)
    assert res.code == 0, res.err
    terms = pd.read_csv(out / "terms.csv", dtype=str, keep_default_na=False)
    assert len(terms) == 2017
    assert set(terms["status"]) <= {"ok", "non-answer", "empty"}
    assert "nature" in " ".join(terms["terms"]).split()


def test_parse_real_assemblee_titles(cli, raw, tmp_path):
    out = tmp_path / "an"
    res = cli("parse", raw / "an_questions_ecrites_16e" / "data.csv", "--text-col", "titre",
              "--id-col", "id", "--out", out)
    assert res.code == 0, res.err
    terms = pd.read_csv(out / "terms.csv", dtype=str, keep_default_na=False)
    assert len(terms) == 1308 and terms["respondent_id"].is_unique
    assert (terms["status"] == "ok").mean() > 0.95


def test_parse_real_grand_debat_slice(cli, raw, tmp_path):
    source = raw / "granddebat_disaitek_samples" / "gd_animation_fiscalite_13.csv"
    path = tmp_path / "gd.csv"
    pd.read_csv(source).iloc[::30].to_csv(path, index=False)  # 299 answers over the file
    out = tmp_path / "gd"
    res = cli("parse", path, "--text-col", "comment", "--out", out, "--no-mask")
    assert res.code == 0, res.err
    terms = pd.read_csv(out / "terms.csv", dtype=str, keep_default_na=False)
    assert len(terms) == 299
    assert int(res.out.split("duplicates: ")[1].split()[0]) > 0  # "TVA", "la TVA"...
    assert terms.loc[terms["text"] == "Aucun", "status"].eq("non-answer").all()
    vocabulary = " ".join(terms["terms"]).split()
    assert {"TVA", "CSG", "impôt_revenu"} <= set(vocabulary)


def test_parse_reads_with_forced_encoding_and_separator(cli, tmp_path):
    path = tmp_path / "enquete.txt"
    path.write_bytes("id|q1\na1|Pas assez de moyens ; vraiment\na2|Très bien\n".encode("cp1252"))
    out = tmp_path / "out"
    res = cli("parse", path, "--text-col", "q1", "--id-col", "id", "--encoding", "cp1252",
              "--sep", "|", "--out", out)
    assert res.code == 0, res.err
    terms = pd.read_csv(out / "terms.csv", dtype=str, keep_default_na=False)
    assert terms["text"].tolist() == ["Pas assez de moyens ; vraiment", "Très bien"]


def test_parse_model_default_is_the_text_options_default(cli):
    from textmine.config import TextOptions

    res = cli("parse", "--help")
    assert res.code == 0 and TextOptions.model in res.out
    assert "--encoding" in res.out and "--sep" in res.out
