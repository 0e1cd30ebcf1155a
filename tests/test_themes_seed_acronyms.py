"""Codebook seeds written in lower case find the acronyms of the answers ("si" -> SI)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd
import pytest

from textmine.codebook import parse_codebook
from textmine.themes.seeded import seed_columns

STOP = {"si", "du", "de", "la", "le", "les", "des"}


def _codebook(**themes: list[str]):
    return parse_codebook({"themes": [{"name": n.replace("_", " "), "seeds": s}
                                      for n, s in themes.items()]}, Path("c.yaml"))


def lower_case_pipeline(phrases: list[str]) -> list[list[str]]:
    """What the text pipeline does to a seed: lower-case words, "si" (if) a stop word."""
    return [[w for w in re.findall(r"\w+", p.lower()) if w not in STOP] for p in phrases]


@pytest.mark.parametrize(("seed", "expected"), [
    ("si", ["SI", "pas_SI"]),
    ("Si", ["SI", "pas_SI"]),
    ("refonte du si", ["refonte", "SI", "pas_SI"]),
    ("drh", ["DRH"]),
    ("rh", ["RH"]),
    ("sirh", ["SIRH"]),
])
def test_lower_case_seed_maps_to_the_acronym_feature(seed, expected):
    vocab = ["SI", "pas_SI", "DRH", "RH", "SIRH", "refonte", "réseau"]
    _, report = seed_columns(_codebook(T=[seed]), vocab, processor=lower_case_pipeline)
    assert report[0]["matched_terms"] == expected
    assert report[0]["absent_seeds"] == [] and report[0]["unmatched_seeds"] == []


def test_acronym_seed_without_the_acronym_in_the_corpus_stays_absent():
    _, report = seed_columns(_codebook(T=["si", "réseau"]), ["réseau", "refonte"],
                             processor=lower_case_pipeline)
    assert report[0]["matched_terms"] == ["réseau"]
    assert report[0]["absent_seeds"] == ["si"]


def test_warning_names_question_and_theme_and_only_truly_absent_seeds(caplog):
    codebook = _codebook(Chevauchement_avec_la_DSI=["dsi", "si", "vpn", "installer"],
                         Outils=["visio", "trello", "zoom"])
    vocab = ["DSI", "SI", "VPN", "visio"]
    texts = ["Le SI et la DSI", "installation du VPN", "Visio et Trello (masqué)"]
    with caplog.at_level(logging.WARNING):
        _, report = seed_columns(codebook, vocab, processor=lower_case_pipeline,
                                 question="q_evolution", texts=texts)
    assert report[0]["absent_seeds"] == ["installer"]
    assert report[1]["absent_seeds"] == ["zoom"]
    assert report[1]["unmatched_seeds"] == ["trello"]
    # One line for the run (make demo stays quiet); each theme's detail at debug level.
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1
    assert lines[0].startswith("question 'q_evolution': 3 of the 7 codebook seeds never became")
    assert "theme 'Chevauchement avec la DSI': installer" in lines[0]
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="textmine.themes.seeded"):
        seed_columns(codebook, vocab, processor=lower_case_pipeline, question="q_evolution",
                     texts=texts)
    details = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert details[0].startswith("Theme 'Chevauchement avec la DSI': ")
    assert "absent from the corpus: installer." in details[0]
    assert "si" not in details[0].split(":")[-1]
    assert "absent from the corpus: zoom" in details[1]
    assert "never a feature" in details[1] and details[1].endswith(": trello.")


def test_demo_kind_through_the_text_pipeline(tmp_path):
    pytest.importorskip("textmine.text.corpus")
    from textmine.config import TextOptions
    from textmine.features import document_term_matrix
    from textmine.pipeline.themes_run import _seed_processor
    from textmine.text.corpus import process_answers

    answers = pd.Series([
        "On a pris en charge une partie du SI sans les compétences.",
        "Le SI de la collectivité est saturé, la DSI débordée.",
        "Refonte du SI et du réseau pendant la crise.",
        "Si besoin on appelle le support technique.",
    ], index=["1", "2", "3", "4"])
    options = TextOptions()
    corpus = process_answers(answers, options=options, cache_dir=tmp_path)
    vocab = document_term_matrix(corpus, mwe_parts=True).terms
    assert "SI" in vocab
    codebook = _codebook(DSI=["si", "dsi", "réseau", "hotline"])
    _, report = seed_columns(codebook, vocab, processor=_seed_processor(options, tmp_path),
                             question="q_evolution", texts=corpus.texts)
    assert "SI" in report[0]["matched_terms"] and "DSI" in report[0]["matched_terms"]
    assert report[0]["absent_seeds"] == ["hotline"]
