"""Benchmark of assisted coding on real answers that people labelled.

Data (read in place from ../shared/data/raw, never copied; see each PROVENANCE.md):
- ``an_titles``: Assemblée nationale written questions (July–Sept 2022), short ``titre`` labelled
  with its ``rubrique`` by the Assemblée's staff; the 10 most frequent rubriques.
- ``an_titles_all``: the same titles with **every** rubrique (172, most with a handful of
  questions): a coded share then holds a few learnable codes beside many rare ones and answers
  of rubriques nobody coded, as a researcher's free coding of a real survey does; split at
  random (not stratified), codes with fewer than 10 answers kept.
- ``an_questions``: the same questions' full text (``question``) by rubrique.
- ``an_questions_all``: the full text with every rubrique: a second corpus of the rare-code
  kind (long answers where ``an_titles_all`` has short ones), split like it.
- ``rn_arguments``: République numérique (2015) arguments by the bill section they were posted
  under (a noisy label); the 8 most frequent sections, duplicates dropped.
- ``rn_proposals``: République numérique opinions (title + body) by section (type subtitle);
  sections with >= 20 opinions.
- ``rua_proposals``: RUA consultation (2019) proposals (title + body) by section (3 sections).
- ``decidim_proposals``: Grand Débat MEL Decidim free proposals (title + body) by category.

Coder variants (``--variants``), each on the same splits: ``lexical`` (TF-IDF of terms and
character n-grams only), ``use`` (plus USE multilingual v3 sentence embeddings of the raw text,
weight 1), ``use2`` (the same, weight 2), ``spacy`` (plus the mean fr_core_news_md word
vectors, the comparison). Embeddings are computed once per distinct text and cached
(:func:`textmine.text.embeddings.embed_texts`). The default of ``CodingOptions.embedding_model``
is the variant with the best mean best-guess micro-F1 over all corpora and shares.

Protocol: for each corpus, each share coded (10, 30, 50 %) and each of ``--seeds`` random
splits (stratified), the coded share plays the answers a researcher coded; the coder learns from
them and codes the rest. Corpora larger than ``--max-n`` answers are subsampled (stratified,
seed 0) to keep the runtime sane on a shared 2-core machine. The baseline, in the same run and
on the same split: ``TfidfVectorizer(sublinear_tf=True, stop_words=<spaCy French>)`` on the raw
text + one-vs-rest ``LogisticRegression(class_weight="balanced")`` with ``C`` tuned by 3-fold
inner cross-validation (micro-F1) among 0.1, 1, 10, 100, predicting its most likely code (every
corpus has one code per answer). Reported (mean ± sd over splits): best-guess micro-F1 of both,
realised precision of the coder's automatic codes on the held-out answers at targets 0.7, 0.8 and
0.9, the precision the coder expected (held-out folds of the coded answers), and the share of
held-out answers coded automatically.

Usage: ``.venv/bin/python scripts/bench_coding.py [--seeds 5] [--max-n 600] [--variants ...]
[--csv FILE] [--out FILE]``
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import glob
import html
import json
import os
import platform
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.multiclass import OneVsRestClassifier

import textmine.coding.learn as learn
from textmine.coding import MultiLabelCoder, with_embeddings
from textmine.coding.agreement import outer_coders
from textmine.config import TextOptions
from textmine.tables.stats import wilson_interval
from textmine.text.corpus import process_answers
from textmine.text.embeddings import embed_texts

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
TARGETS = (0.7, 0.8, 0.9)
SHARES = (0.1, 0.3, 0.5)
#: What each variant is, for the markdown.
VARIANT_NOTES = {
    "lexical": "TF-IDF of lemmas and character n-grams",
    "use": "+ USE multilingual v3 sentence embeddings, weight 1",
    "use2": "the same, weight 2",
    "spacy": "+ mean fr_core_news_md word vectors, weight 1",
}
#: Threshold rules compared on every fitted coder (no refit: thresholds are chosen from its
#: out-of-fold scores): name -> constants of :mod:`textmine.coding.learn`. ``bound``: the coder's
#: rule (answer level in single-code surveys: one cut on the top code's score chosen on the
#: pooled out-of-fold top codes, Wilson bound z = 1, held-out check on a Wilson bound z = 0.5
#: with at least 25 right held-out codes; per-code lower confidence bounds otherwise);
#: ``percode``: the per-code rule of issue 13's first benchmark (per-code Wilson bounds z = 1,
#: calibrated check, held-out bound z = 1) also in single-code surveys; ``point``: per-code
#: point estimates (the rule before issue 13).
RULES: dict[str, dict[str, float | bool]] = {
    "bound": {"ANSWER_LEVEL": True, "ANSWER_MIN_SCORE": 0.3, "ANSWER_HELDOUT_Z": 0.5,
              "POOLED_MIN_HELDOUT_RIGHT": 25, "PRECISION_BOUND_Z": 1.0,
              "CALIBRATED_CHECK": True, "HELDOUT_BOUND_Z": 1.0},
    "heldout3": {"ANSWER_LEVEL": True, "ANSWER_MIN_SCORE": 0.3, "ANSWER_HELDOUT_Z": 0.5,
                 "POOLED_MIN_HELDOUT_RIGHT": 3, "PRECISION_BOUND_Z": 1.0,
                 "CALIBRATED_CHECK": True, "HELDOUT_BOUND_Z": 1.0},
    "heldout10": {"ANSWER_LEVEL": True, "ANSWER_MIN_SCORE": 0.3, "ANSWER_HELDOUT_Z": 0.5,
                  "POOLED_MIN_HELDOUT_RIGHT": 10, "PRECISION_BOUND_Z": 1.0,
                  "CALIBRATED_CHECK": True, "HELDOUT_BOUND_Z": 1.0},
    "floor05": {"ANSWER_LEVEL": True, "ANSWER_MIN_SCORE": 0.5, "PRECISION_BOUND_Z": 1.0,
                "CALIBRATED_CHECK": True, "HELDOUT_BOUND_Z": 1.0},
    "heldout0": {"ANSWER_LEVEL": True, "ANSWER_MIN_SCORE": 0.3, "ANSWER_HELDOUT_Z": 0.0,
                 "POOLED_MIN_HELDOUT_RIGHT": 3, "PRECISION_BOUND_Z": 1.0,
                 "CALIBRATED_CHECK": True, "HELDOUT_BOUND_Z": 1.0},
    "percode": {"ANSWER_LEVEL": False, "PRECISION_BOUND_Z": 1.0, "CALIBRATED_CHECK": True,
                "HELDOUT_BOUND_Z": 1.0, "POOLED_MIN_HELDOUT_RIGHT": 3},
    "percode25": {"ANSWER_LEVEL": False, "PRECISION_BOUND_Z": 1.0, "CALIBRATED_CHECK": True,
                  "HELDOUT_BOUND_Z": 1.0, "POOLED_MIN_HELDOUT_RIGHT": 25},
    "point": {"ANSWER_LEVEL": False, "PRECISION_BOUND_Z": 0.0, "CALIBRATED_CHECK": False,
              "HELDOUT_BOUND_Z": 0.0},
}
#: ``checked``: what ``textmine code`` writes: the coder's rule (``bound``), then the run's
#: nested check (:func:`textmine.coding.agreement.nested_agreement`: 5 outer coders refitted
#: on 80 % of the coded answers) withholds every automatic code at a target where its
#: automatic codes were right fewer than ``POOLED_MIN_HELDOUT_RIGHT`` times
#: (``pipeline.coding_run._withhold_unchecked``). Costs 5 more coder fits per split.
RULES["checked"] = dict(RULES["bound"])
#: ``vote3``: ``checked``, and an answer keeps an automatic code only if at least 3 of the 5
#: outer coders of the nested check give it that code too (the coders the check measured).
RULES["vote3"] = dict(RULES["bound"])
#: ``gate3``: ``checked``, and ``vote3`` only where the share of new answers coded
#: automatically is above the nested check's held-out share (its upper 95 % Wilson bound: the
#: run's ``share_check`` warning): the coder then behaves unlike the coders the check measured.
RULES["gate3"] = dict(RULES["bound"])
#: ``measured3``: ``checked``, and a code is automatic only where at least 3 of the 5 outer
#: coders could code it automatically too (a code the check did not measure is not promised).
RULES["measured3"] = dict(RULES["bound"])
#: ``thin3``: ``checked``, and ``vote3`` for the codes with fewer than twice
#: ``min_positives`` coded examples only (where the diagnosis found the broken promises).
RULES["thin3"] = dict(RULES["bound"])
#: Thin-code vote variants: rule -> (codes with fewer coded examples than this, votes needed);
#: ``None``: twice ``min_positives``.
THIN_VOTES = {"thin3": (None, 3), "thin10": (10, 3)}
RULES["thin10"] = dict(RULES["bound"])
#: ``closed``: ``checked`` without the open-world rule (``learn.OPEN_WORLD_SHARE``), the
#: command until 2026-12-01 evening.
RULES["closed"] = {**RULES["bound"], "OPEN_WORLD_SHARE": None}
NESTED_RULES = ("checked", "vote3", "gate3", "measured3", *THIN_VOTES, "closed")
#: What each rule is, for the markdown.
RULE_NOTES = {
    "bound": "the coder's: answer level in single-code surveys (one cut on the top code's "
             "score, at least 0.3, chosen on the pooled out-of-fold top codes with a Wilson "
             "bound z = 1, checked on held-out folds with a Wilson bound z = 0.5 and at least 25 "
             "right held-out codes), per-code bounds otherwise",
    "heldout3": "the same with at least 3 right held-out codes (the default until "
                "2026-12-01 04:00)",
    "heldout10": "the same with at least 10 right held-out codes",
    "floor05": "the same with the top code's score at least 0.5",
    "heldout0": "the same with the held-out check on the point estimate of the pooled "
                "held-out precision instead of its Wilson bound z = 0.5, and at least 3 right "
                "held-out codes (the default until 2026-11-30 22:10)",
    "percode": "per-code cuts, Wilson bound z = 1, calibrated-score check, held-out bound "
               "z = 1, each code's own 3 right held-out codes (the rule of the first issue-13 "
               "benchmark; multi-label surveys' rule until 2026-12-01 09:30)",
    "percode25": "the per-code rule as multi-label surveys get it: the same with at least 25 "
                 "right held-out codes, every code together",
    "point": "per-code point estimates, no calibrated check (the rule before issue 13)",
    "checked": "what `textmine code` writes: `bound`, then nothing automatic at a target where "
               "the run's nested check (5 outer coders on 80 % of the coded answers) had fewer "
               "than 25 right automatic codes",
    "vote3": "`checked`, and an automatic code is kept only where at least 3 of the nested "
             "check's 5 outer coders give the answer that code too",
    "gate3": "`checked`, and `vote3` only where the share of new answers coded automatically "
             "is above the nested check's held-out share (upper 95 % Wilson bound)",
    "measured3": "`checked`, and a code is automatic only where at least 3 of the nested "
                 "check's 5 outer coders could code it automatically too",
    "thin3": "`checked`, and `vote3` for the codes with fewer than twice `min_positives` "
             "coded examples only",
    "thin10": "`checked`, and `vote3` for the codes with fewer than 10 coded examples only",
    "closed": "`checked` without the open-world rule (a code needs twice `min_positives` "
              "examples where a third of the coded answers carry only thinner codes)",
}
#: Coder variants: name -> (embedding model or None, embedding weight).
VARIANTS = {
    "lexical": (None, 1.0),
    "use": ("use-multilingual-v3", 1.0),
    "use2": ("use-multilingual-v3", 2.0),
    "spacy": ("fr-core-news-md-mean", 1.0),
}


def _strip(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text or "")).split())


def _series(df: pd.DataFrame, prefix: str, text: str, label: str) -> tuple[pd.Series, pd.Series]:
    df = df[df[text].str.strip() != ""].drop_duplicates(text)
    ids = pd.Index([f"{prefix}{i}" for i in range(len(df))])
    return pd.Series(df[text].values, index=ids), pd.Series(df[label].values, index=ids)


def load_an(column: str, top: int | None = 10) -> tuple[pd.Series, pd.Series]:
    """AN question titles or texts and their rubrique (``top`` most frequent rubriques, every
    one when None)."""
    df = pd.read_csv(RAW / "an_questions_ecrites_16e" / "data.csv", sep="|", encoding="cp1252")
    if top is not None:
        df = df[df["rubrique"].isin(df["rubrique"].value_counts().index[:top])]
    return _series(df, "an", column, "rubrique")


def _rn_opinions() -> list[dict]:
    out = []
    for path in sorted(glob.glob(str(RAW / "republique_numerique_2015" / "opinions" / "*.json"))):
        out.append(json.loads(Path(path).read_text(encoding="utf-8"))["opinion"])
    return out


def load_rn_arguments(top: int = 8) -> tuple[pd.Series, pd.Series]:
    """République numérique arguments and the bill section they were posted under."""
    rows = [(_strip(a.get("body")), o["type"]["subtitle"])
            for o in _rn_opinions() for a in o.get("arguments", [])]  # fmt: skip
    df = pd.DataFrame(rows, columns=["text", "label"])
    df = df[df["label"].isin(df["label"].value_counts().index[:top])]
    return _series(df, "rna", "text", "label")


def load_rn_proposals(min_count: int = 20) -> tuple[pd.Series, pd.Series]:
    """République numérique opinions (title + body) by section."""
    rows = [(f"{o.get('title') or ''}. {_strip(o.get('body'))}", o["type"]["subtitle"])
            for o in _rn_opinions() if not o.get("is_trashed")]  # fmt: skip
    df = pd.DataFrame(rows, columns=["text", "label"])
    counts = df["label"].value_counts()
    df = df[df["label"].isin(counts.index[counts >= min_count])]
    return _series(df, "rnp", "text", "label")


def load_rua() -> tuple[pd.Series, pd.Series]:
    """RUA consultation proposals (title + body) by section."""
    df = pd.read_csv(RAW / "rua_consultation_2019" / "rua-fonctionnement.csv", sep=";",
                     dtype=str, keep_default_na=False)  # fmt: skip
    df = df[df["type"] == "opinion"]
    df = df.assign(text=df["contributions_title"] + ". " + df["contributions_bodyText"])
    return _series(df, "rua", "text", "contributions_section_title")


def load_decidim() -> tuple[pd.Series, pd.Series]:
    """Grand Débat MEL Decidim free proposals (title + body) by category (labelled ones)."""
    df = pd.read_csv(RAW / "decidim_mel_granddebat" / "propositions-libres.csv", sep=";",
                     dtype=str, keep_default_na=False)  # fmt: skip
    df = df[df["category/name/fr"] != ""]
    df = df.assign(text=df["title"] + ". " + df["body"].map(_strip))
    return _series(df, "dec", "text", "category/name/fr")


#: Corpora whose rare codes are kept (and split at random, not stratified): the coder must not
#: promise more than it keeps when most answers belong to codes it cannot learn.
KEEP_RARE = {"an_titles_all", "an_questions_all"}

CORPORA = {
    "an_titles": ("Assemblée nationale titles / rubrique", lambda: load_an("titre")),
    "an_titles_all": ("Assemblée nationale titles / every rubrique",
                      lambda: load_an("titre", top=None)),
    "an_questions": ("Assemblée nationale questions / rubrique", lambda: load_an("question")),
    "an_questions_all": ("Assemblée nationale questions / every rubrique",
                         lambda: load_an("question", top=None)),
    "rn_arguments": ("République numérique arguments / section", load_rn_arguments),
    "rn_proposals": ("République numérique proposals / section", load_rn_proposals),
    "rua_proposals": ("RUA proposals / section", load_rua),
    "decidim_proposals": ("Decidim MEL proposals / category", load_decidim),
}


def load_corpus(key: str, max_n: int | None = None) -> tuple[str, pd.Series, pd.Series, int]:
    """A corpus of :data:`CORPORA` as the benchmarks use it (shared by the coding benchmarks).

    Codes with fewer than 10 answers are left out (a code needs a few examples per split),
    except in :data:`KEEP_RARE`; above ``max_n`` answers (``None``: never) a stratified
    subsample (seed 0) is kept.

    Returns
    -------
    name, texts, labels, n_full
        Description, answers and their code (Series on the same index), and the number of
        answers before subsampling.
    """
    name, loader = CORPORA[key]
    texts, labels = loader()
    if key not in KEEP_RARE:
        keep = labels.map(labels.value_counts()) >= 10
        texts, labels = texts[keep], labels[keep]
    n_full = len(texts)
    # Every answer of a KEEP_RARE corpus: a subsample would thin its rare codes further.
    if key not in KEEP_RARE and max_n is not None and len(texts) >= max_n + labels.nunique():
        idx, _ = train_test_split(np.arange(len(texts)), train_size=max_n, random_state=0,
                                  stratify=labels.values)  # fmt: skip
        idx = np.sort(idx)
        texts, labels = texts.iloc[idx], labels.iloc[idx]
    return name, texts, labels, n_full


def split(key: str, rows: np.ndarray, labels: np.ndarray, *, seed: int,
          train_size: float | int | None = None, test_size: float | None = None):
    """``train_test_split`` of ``rows`` as the coding benchmarks split a corpus: stratified by
    code, except for a :data:`KEEP_RARE` corpus (codes of one answer cannot be stratified)."""
    return train_test_split(rows, train_size=train_size, test_size=test_size, random_state=seed,
                            stratify=None if key in KEEP_RARE else labels)  # fmt: skip


def french_stop_words() -> list[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    return sorted(STOP_WORDS)


def baseline_predict(train: list[str], y_train: np.ndarray, test: list[str]) -> np.ndarray:
    """TF-IDF + one-vs-rest balanced logistic regression, C tuned by inner CV; top code."""
    vec = TfidfVectorizer(sublinear_tf=True, stop_words=french_stop_words())
    Xtr = vec.fit_transform(train)
    labels = y_train.argmax(axis=1)
    folds = int(min(3, np.bincount(labels).min())) if len(labels) else 2
    model = OneVsRestClassifier(LogisticRegression(class_weight="balanced", max_iter=2000))
    if folds >= 2:
        grid = GridSearchCV(model, {"estimator__C": [0.1, 1.0, 10.0, 100.0]}, cv=folds,
                            scoring="f1_micro")  # fmt: skip
        model = grid.fit(Xtr, y_train).best_estimator_
    else:
        model.set_params(estimator__C=10.0).fit(Xtr, y_train)
    proba = model.predict_proba(vec.transform(test))
    out = np.zeros_like(proba, dtype=int)
    out[np.arange(len(out)), proba.argmax(axis=1)] = 1
    return out


@contextlib.contextmanager
def threshold_rule(rule: str, coder: MultiLabelCoder | None = None):
    """Apply a threshold rule of :data:`RULES` to :mod:`textmine.coding.learn` (and to
    ``coder``'s answer-level flag) for a while."""
    values = RULES[rule]
    saved = {n: getattr(learn, n) for n in values}
    saved_level = getattr(coder, "answer_level_", None)
    for n, value in values.items():
        setattr(learn, n, value)
    if coder is not None:
        coder.answer_level_ = bool(learn.ANSWER_LEVEL and coder.single_code_)
    try:
        yield
    finally:
        for n, value in saved.items():
            setattr(learn, n, value)
        if coder is not None:
            coder.answer_level_ = saved_level


def precision_coverage(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    n = pred.sum()
    return (float((pred & truth).sum() / n) if n else float("nan"),
            float((pred.sum(axis=1) > 0).mean()))  # fmt: skip


def _outer_coders(terms: list, Y: pd.DataFrame, seed: int, model: str | None,
                  weight: float) -> list[tuple[np.ndarray, MultiLabelCoder]]:
    """The run's nested check's outer coders (5 on 80 % of the coded answers, seeded like the
    coder, as ``textmine code`` fits them), fitted once per split and variant."""
    base = MultiLabelCoder(random_state=seed, embedding_model=model, embedding_weight=weight)
    return list(outer_coders(terms, Y, base, cv_folds=base.cv_folds, random_state=seed))


def _nested_check(
    outers: list, terms: list, Y: pd.DataFrame, test_terms: list,
) -> tuple[dict[float, int], dict[float, np.ndarray], dict[float, float],
           dict[float, np.ndarray]]:
    """The run's nested check under the rule in force: per target, its right automatic codes,
    how many outer coders give each test answer each code automatically (shape (n_test,
    n_codes)), the upper bound of the share of held-out answers they coded automatically, and
    how many outer coders could code each code automatically (shape (n_codes,))."""
    right, answers = dict.fromkeys(TARGETS, 0), dict.fromkeys(TARGETS, 0)
    votes = {t: np.zeros((len(test_terms), Y.shape[1]), dtype=int) for t in TARGETS}
    measured = {t: np.zeros(Y.shape[1], dtype=int) for t in TARGETS}
    for test, outer in outers:
        held, new = outer.predict_proba([terms[i] for i in test]), outer.predict_proba(test_terms)
        for t in TARGETS:
            th = outer.thresholds_for(t)
            dec = outer.decide(held, th)
            right[t] += int((dec & Y.iloc[test].to_numpy()).sum())
            answers[t] += int(dec.any(axis=1).sum())
            votes[t] += outer.decide(new, th)
            measured[t] += np.isfinite(th)
    # the held-out share's upper 95 % Wilson bound, as the run's share check states it
    high = {t: float(wilson_interval(np.array([answers[t]]), np.array([len(terms)]),
                                     level=0.95)[1][0]) for t in TARGETS}  # fmt: skip
    return right, votes, high, measured


def run(key: str, seeds: int, max_n: int, cache: Path, csv: Path | None = None,
        variants: tuple[str, ...] = tuple(VARIANTS),
        shares: tuple[float, ...] = SHARES, rules: tuple[str, ...] = tuple(RULES),
        first_seed: int = 0) -> list[dict]:
    name, texts, labels, n_full = load_corpus(key, max_n)
    t0 = time.perf_counter()
    corpus = process_answers(texts, options=TextOptions(), cache_dir=cache)
    parse_s = time.perf_counter() - t0
    raw = texts.tolist()
    docs, embed_s = {}, {}
    for v in variants:
        model, _ = VARIANTS[v]
        if model is None:
            docs[v] = corpus.terms
            continue
        t0 = time.perf_counter()
        docs[v] = with_embeddings(corpus.terms, embed_texts(raw, model=model, cache_dir=cache))
        embed_s[model] = embed_s.get(model, time.perf_counter() - t0)
    Y = pd.get_dummies(labels).astype(int).reset_index(drop=True)
    rows = []
    for share in shares:
        for seed in range(first_seed, first_seed + seeds):
            tr, te = split(key, np.arange(len(texts)), labels.values, seed=seed, train_size=share)
            truth = Y.values[te]
            row = {"key": key, "data": name, "n": len(texts), "n_full": n_full,
                   "n_codes": Y.shape[1], "share": share, "seed": seed, "parse_s": parse_s,
                   "n_train": len(tr), "embed_s": sum(embed_s.values())}  # fmt: skip
            t0 = time.perf_counter()
            base = baseline_predict([raw[i] for i in tr], Y.values[tr], [raw[i] for i in te])
            row["base_s"] = time.perf_counter() - t0
            row["base_f1"] = f1_score(truth, base, average="micro", zero_division=0)
            for v in variants:
                model, weight = VARIANTS[v]
                terms = docs[v]
                t0 = time.perf_counter()
                coder = MultiLabelCoder(random_state=seed, embedding_model=model,
                                        embedding_weight=weight)  # fmt: skip
                coder.fit([terms[i] for i in tr], Y.iloc[tr])
                row[f"{v}_fit_s"] = time.perf_counter() - t0
                test_terms = [terms[i] for i in te]
                proba = coder.predict_proba(test_terms)
                row[f"{v}_f1"] = f1_score(truth, coder.suggest(test_terms), average="micro",
                                          zero_division=0)  # fmt: skip
                no_terms = np.array([len(t) == 0 for t in test_terms], dtype=bool)
                outers = None
                for rule in rules:
                    tag = "" if rule == rules[0] else f"_{rule}"
                    with threshold_rule(rule, coder):
                        if rule in NESTED_RULES:
                            train_terms = [terms[i] for i in tr]
                            if outers is None:
                                outers = _outer_coders(train_terms, Y.iloc[tr], seed, model,
                                                       weight)  # fmt: skip
                            nested = _nested_check(outers, train_terms, Y.iloc[tr], test_terms)
                        for t in TARGETS:
                            pred = coder.decide(proba, coder.thresholds_for(t))
                            pred[no_terms] = 0
                            if rule in NESTED_RULES:  # every row has the column (CSV append)
                                withheld = nested[0][t] < learn.POOLED_MIN_HELDOUT_RIGHT
                                row[f"{v}{tag}_withheld_{t}"] = withheld
                                pred[:] = 0 if withheld else pred
                                gate = rule == "gate3" and pred.any(axis=1).mean() > nested[2][t]
                                if rule == "vote3" or gate:
                                    pred &= (nested[1][t] >= 3).astype(int)
                                if rule == "measured3":
                                    pred[:, nested[3][t] < 3] = 0
                                if rule in THIN_VOTES:
                                    below, need = THIN_VOTES[rule]
                                    n_pos = Y.iloc[tr].to_numpy().sum(axis=0)
                                    thin = n_pos < (below or 2 * coder.min_positives)
                                    pred[:, thin] &= (nested[1][t][:, thin] >= need).astype(int)
                                row[f"{v}{tag}_gate_{t}"] = bool(gate)
                            p, c = precision_coverage(pred, truth)
                            row[f"{v}{tag}_prec_{t}"], row[f"{v}{tag}_cov_{t}"] = p, c
                            # Counts, to pool over splits: a mean of per-split ratios over a
                            # handful of automatic codes is mostly noise.
                            row[f"{v}{tag}_tp_{t}"] = int((pred & truth).sum())
                            row[f"{v}{tag}_auto_{t}"] = int(pred.sum())
                            row[f"{v}{tag}_exp_{t}"] = coder.expected_for(t)["precision"]
            rows.append(row)
            if csv is not None:  # one line per split, so that an interrupted run keeps its rows
                pd.DataFrame([row]).to_csv(csv, mode="a", header=not csv.exists(), index=False)
            print(f"{key} {share:.0%} seed {seed}: base {row['base_f1']:.3f} " + " ".join(
                f"{v} {row[f'{v}_f1']:.3f} (@0.8 prec {row[f'{v}_prec_0.8']:.3f} cov "
                f"{row[f'{v}_cov_0.8']:.2f})" for v in variants), flush=True)
    return rows


def _ms(values: pd.Series, pct: bool = False) -> str:
    v = values.astype(float).dropna()
    if not len(v):
        return "n/a"
    if len(v) == 1:  # no spread to show: say so rather than print ± 0
        return f"{100 * v.iloc[0]:.0f} % (1 split)" if pct else f"{v.iloc[0]:.3f} (1 split)"
    if pct:
        return f"{100 * v.mean():.0f} ± {100 * v.std(ddof=1):.0f} %"
    return f"{v.mean():.3f} ± {v.std(ddof=1):.3f}"


def _pooled(rows: pd.DataFrame, prefix: str, t: float) -> str:
    """Right automatic codes / automatic codes summed over splits, with a 95 % Wilson CI."""
    if f"{prefix}_tp_{t}" not in rows.columns:
        return "n/a"
    tp, n = int(rows[f"{prefix}_tp_{t}"].sum()), int(rows[f"{prefix}_auto_{t}"].sum())
    if not n:
        return "0 automatic"
    low, high = wilson_interval(np.array([tp]), np.array([n]), level=0.95)
    return f"{tp}/{n} = {tp / n:.3f} ({low[0]:.2f}–{high[0]:.2f})"


def _variants(table: pd.DataFrame) -> list[str]:
    return [v for v in VARIANTS if f"{v}_f1" in table.columns]


def common_shares(table: pd.DataFrame) -> list[float]:
    """Shares coded that every corpus of the table was measured at (an interrupted run may
    lack some): the default is chosen on these only, so that every corpus weighs the same."""
    per_key = table.groupby("key")["share"].apply(set)
    return sorted(set.intersection(*per_key)) if len(per_key) else []


def choose_default(table: pd.DataFrame) -> tuple[str, pd.Series]:
    """Variant with the best mean micro-F1 over corpora (each corpus: mean over the shares
    every corpus has, and splits)."""
    part = table[table["share"].isin(common_shares(table))]
    means = pd.Series({v: part.groupby("key")[f"{v}_f1"].mean().mean()
                       for v in _variants(table)})  # fmt: skip
    return str(means.idxmax()), means


def _rules(table: pd.DataFrame, variant: str) -> list[tuple[str, str]]:
    """(rule, column prefix) of the threshold rules in the table; the first is unsuffixed."""
    out = []
    for k, rule in enumerate(RULES):
        prefix = variant if k == 0 else f"{variant}_{rule}"
        if f"{prefix}_prec_0.8" in table.columns:
            out.append((rule, prefix))
    return out


def rules_table(table: pd.DataFrame) -> list[str]:
    """Per variant and threshold rule: worst corpus's mean realised precision, corpora that
    miss target − 0.03, and the mean share coded automatically over corpora, per target."""
    lines = [
        "| variant | threshold rule | " + " | ".join(
            f"@{t} lowest realised (corpus, share) | @{t} corpora below {t - 0.03:.2f} "
            f"| @{t} auto, mean over corpora" for t in TARGETS) + " |",
        "|---|---|" + "---|" * (3 * len(TARGETS)),
    ]
    for v in _variants(table):
        for rule, prefix in _rules(table, v):
            cells = [v, rule]
            for t in TARGETS:
                m = table.groupby(["key", "share"])[f"{prefix}_prec_{t}"].mean()
                low = m.dropna()
                worst = (f"{low.min():.3f} ({low.idxmin()[0]}, {low.idxmin()[1]:.0%})"
                         if len(low) else "n/a")  # fmt: skip
                below = m.groupby(level=0).apply(lambda x, t=t: bool((x < t - 0.03).any()))
                cov = table.groupby("key")[f"{prefix}_cov_{t}"].mean().mean()
                cells += [worst, f"{int(below.sum())} of {len(below)}", f"{100 * cov:.0f} %"]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def rules_by_corpus(table: pd.DataFrame, variant: str) -> list[str]:
    """Per corpus, share coded and threshold rule: realised precision (mean of splits and
    pooled over splits) and share coded automatically, per target (the rules side by side)."""
    lines = [
        "| corpus | coded | rule | " + " | ".join(
            f"@{t} realised, mean of splits | @{t} pooled | @{t} auto" for t in TARGETS) + " |",
        "|---|---|---|" + "---|" * (3 * len(TARGETS)),
    ]
    for (key, share), rows in table.groupby(["key", "share"], sort=False):
        for rule, prefix in _rules(table, variant):
            cells = [key, f"{share:.0%}", rule]
            for t in TARGETS:
                cells += [_ms(rows[f"{prefix}_prec_{t}"]), _pooled(rows, prefix, t),
                          _ms(rows[f"{prefix}_cov_{t}"], pct=True)]  # fmt: skip
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown(table: pd.DataFrame, seeds: int, max_n: int, elapsed: float,
             load: str = "") -> str:  # fmt: skip
    variants = _variants(table)
    best, means = choose_default(table)
    lines = [
        "## Assisted coding (`scripts/bench_coding.py`)",
        "",
        f"Machine: 2 cores shared with other jobs{load}, Python {platform.python_version()}; "
        f"{dt.date.today().isoformat()}; {elapsed / 60:.0f} min of summed process time. "
        f"Mean ± sd over {seeds} "
        f"stratified random splits at each share coded; corpora above {max_n} answers "
        "subsampled (stratified, seed 0); codes with fewer than 10 answers left out. Baseline: "
        "TF-IDF (sublinear, spaCy French stop words) + one-vs-rest balanced logistic "
        "regression, C tuned by 3-fold inner CV, in the same run on the same splits. Coder "
        "variants: " + ", ".join(f"*{v}* ({VARIANT_NOTES[v]})" for v in variants)
        + ". *realised*: precision of the coder's automatic codes "
        "on the held-out answers; *expected*: what the coder predicted from its coded answers; "
        "*auto*: share of held-out answers coded automatically. Per-corpus tables use the "
        f"coder's threshold rule (`{next(iter(RULES))}`); the rules compared on the same fitted "
        "coders: " + "; ".join(f"`{r}` ({RULE_NOTES[r]})" for r in RULES) + ". *realised, "
        "mean of splits*: the mean of per-split precisions (splits without any automatic code "
        "left out); *pooled*: right automatic codes / automatic codes summed over splits, with "
        "its 95 % Wilson interval. A target counts as met on the mean of splits.",
        "",
        "**Threshold rules** (mean over splits per corpus and share; a corpus fails when its "
        "mean realised precision at some share is below target − 0.03):",
        "",
        *rules_table(table),
        "",
        "**Threshold rules per corpus** (default variant; the same fitted coders):",
        "",
        *rules_by_corpus(table, choose_default(table)[0]),
        "",
        "**Choice of the default** (mean best-guess micro-F1 over all corpora, each corpus "
        "averaged over splits and the shares every corpus has, "
        + ", ".join(f"{s:.0%}" for s in common_shares(table)) + "): "
        + ", ".join(f"{v} {means[v]:.3f}" for v in variants)
        + f" -> `{best}`.",
        "",
    ]
    worst: dict[float, tuple[float, str]] = {}
    for key, part in table.groupby("key", sort=False):
        first = part.iloc[0]
        sub = f", subsampled from {int(first['n_full'])}" if first["n"] < first["n_full"] else ""
        lines += [
            f"### {first['data']} ({int(first['n'])} answers{sub}, {int(first['n_codes'])} codes)",
            "",
            "| coded | baseline F1 | " + " | ".join(f"{v} F1" for v in variants) + " |",
            "|---|---|" + "---|" * len(variants),
        ]
        for share, rows in part.groupby("share"):
            cells = [f"{share:.0%} (n={int(rows['n_train'].iloc[0])})", _ms(rows["base_f1"])]
            cells += [_ms(rows[f"{v}_f1"]) for v in variants]
            lines.append("| " + " | ".join(cells) + " |")
        lines += [
            "",
            "| coded | variant | " + " | ".join(
                f"@{t} realised, mean of splits | @{t} pooled | @{t} expected | @{t} auto"
                for t in TARGETS) + " |",
            "|---|---|" + "---|" * (4 * len(TARGETS)),
        ]
        for share, rows in part.groupby("share"):
            for v in variants:
                cells = [f"{share:.0%}", v]
                for t in TARGETS:
                    cells += [_ms(rows[f"{v}_prec_{t}"]), _pooled(rows, v, t),
                              _ms(rows[f"{v}_exp_{t}"]),
                              _ms(rows[f"{v}_cov_{t}"], pct=True)]  # fmt: skip
                    m = rows[f"{v}_prec_{t}"].astype(float).mean()
                    if v == best and np.isfinite(m) and (t not in worst or m - t < worst[t][0]):
                        worst[t] = (m - t, f"{key} at {share:.0%}")
                lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    at30 = table[table["share"] == 0.3].groupby("key")[
        ["base_f1"] + [f"{v}_f1" for v in variants]].mean()
    lines += [f"**Targets** (default `{best}`).",
              "- Best-guess micro-F1 minus baseline at 30 % coded, mean over corpora: " + ", ".join(
                  f"{v} {(at30[f'{v}_f1'] - at30['base_f1']).mean():+.3f}" for v in variants)
              + " (target +0.05)."]  # fmt: skip
    for t, (gap, where) in sorted(worst.items()):
        lines.append(f"- Lowest mean realised precision at target {t}: {t + gap:.3f} ({where}; "
                     f"target ≥ {t - 0.03:.2f}).")  # fmt: skip
    an = table[(table["key"] == "an_titles") & (table["share"] == 0.3)]
    if len(an):
        lines.append(f"- Share of AN titles coded automatically at 0.8 with 30 % coded: "
                     f"{_ms(an[f'{best}_cov_0.8'], pct=True)} (target ≥ 50 %).")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="random splits per share coded")
    parser.add_argument("--max-n", type=int, default=600, help="subsample larger corpora")
    parser.add_argument("--corpora", nargs="*", default=list(CORPORA), choices=list(CORPORA))
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--shares", nargs="*", type=float, default=list(SHARES),
                        help="shares coded, run in this order")
    parser.add_argument("--rules", nargs="*", default=["bound", "point"], choices=list(RULES),
                        help="threshold rules; the first is the coder's (its columns unsuffixed)")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seed of the first split (fresh splits: a seed no choice was made on)")
    parser.add_argument("--platt-prior-targets", action="store_true",
                        help="Platt scaling on prior-corrected targets (learn.PLATT_PRIOR_TARGETS)")
    parser.add_argument("--load", default="", help="load average to state (e.g. '28 to 30')")
    parser.add_argument("--out", type=Path, default=None, help="write the markdown table here")
    parser.add_argument("--csv", type=Path, default=None, help="write every split's row here")
    parser.add_argument("--from-csv", type=Path, default=None,
                        help="only render the markdown of the rows of this CSV (--csv output)")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp"))
                        / "textmine_bench_cache", help="parse cache folder")
    args = parser.parse_args()
    learn.PLATT_PRIOR_TARGETS = args.platt_prior_targets
    t0 = time.perf_counter()
    if args.from_csv:
        table = pd.read_csv(args.from_csv)
        timed = ["base_s"] + [c for c in table.columns if c.endswith("_fit_s")]
        elapsed = float(table[timed].sum().sum() + table.groupby("key")[["parse_s", "embed_s"]]
                        .first().sum().sum())  # fmt: skip
    else:
        rows = []
        for key in args.corpora:
            rows += run(key, args.seeds, args.max_n, args.cache, args.csv, tuple(args.variants),
                        tuple(args.shares), tuple(args.rules), args.first_seed)
        table = pd.DataFrame(rows)
        elapsed = time.perf_counter() - t0
    load = f" (load average {args.load})" if args.load else ""
    text = markdown(table, args.seeds, args.max_n, elapsed, load)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
