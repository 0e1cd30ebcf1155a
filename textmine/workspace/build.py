"""Filling a new workspace from a survey: respondents, closed questions, answers, codebook.

The answers are processed by the text stage once, at ``init``: their terms (lemmas, as the coder
of :mod:`textmine.coding.learn` learns from) are stored, so that the server never loads spaCy.
Each answer also gets its *representativeness*: the cosine similarity of its TF-IDF vector to
the centroid of its question's answers (a cheap density estimate; answers like many others
teach the coder more than outliers, Settles & Craven 2008, "information density").
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from textmine.codebook import Codebook
from textmine.coding.sheet import matching_texts, text_key
from textmine.errors import DataError
from textmine.tables.respondents import clean_id
from textmine.workspace.db import PALETTE, audit, now, set_meta, transaction

#: Kinds of survey questions shown beside each answer and offered as filters.
CLOSED_KINDS = ("single", "ordinal", "multiple", "numeric")


def _split(doc: str) -> list[str]:
    return doc.split()


def representativeness(terms: Sequence[str]) -> np.ndarray:
    """Cosine similarity of each answer's TF-IDF vector to the centroid of all of them.

    Parameters
    ----------
    terms : sequence of str, length n
        Space-joined terms of each answer ("" for none).

    Returns
    -------
    ndarray of shape (n,)
        Values in [0, 1]; 0 for an answer without terms.
    """
    if not any(terms):
        return np.zeros(len(terms))
    X = TfidfVectorizer(analyzer=_split, sublinear_tf=True).fit_transform(list(terms))
    X = normalize(X)
    centroid = np.asarray(X.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return np.zeros(len(terms))
    return np.clip(X @ (centroid / norm), 0.0, 1.0)


def add_coder(conn: sqlite3.Connection, name: str) -> str:
    """Register coder ``name`` (idempotent); returns the name. Call inside a transaction."""
    name = check_coder_name(name)
    conn.execute("INSERT OR IGNORE INTO coders(name, created) VALUES (?, ?)", (name, now()))
    return name


def check_coder_name(name: str) -> str:
    """A coder name: 1–40 printable characters, stripped."""
    name = str(name).strip()
    if not name or len(name) > 40 or not name.isprintable():
        raise DataError(
            f"Coder name {name!r} is not usable; give 1 to 40 printable characters."
        )
    return name


def add_codebook(conn: sqlite3.Connection, codebook: Codebook, *, coder: str) -> int:
    """Add the codes of ``codebook`` not yet in the workspace; returns how many were added.

    A name ``Parent / Child`` (how REFI-QDA codebooks are flattened) gets ``Parent`` as its
    parent code when ``Parent`` is a code too.
    """
    existing = {r["name"]: r["id"] for r in conn.execute("SELECT id, name FROM codes")}
    position = conn.execute("SELECT COALESCE(MAX(position), 0) FROM codes").fetchone()[0]
    added = 0
    for theme in codebook.themes:
        if theme.name in existing:
            if theme.description or theme.seeds:
                conn.execute(
                    "UPDATE codes SET description = ?, seeds = ?, version = version + 1 "
                    "WHERE id = ? AND description = '' AND seeds = ''",
                    (theme.description, "; ".join(theme.seeds), existing[theme.name]),
                )  # fmt: skip
            continue
        position += 1
        parent = None
        if " / " in theme.name:
            parent = existing.get(theme.name.rsplit(" / ", 1)[0])
        cur = conn.execute(
            "INSERT INTO codes(name, parent_id, colour, description, seeds, position) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (theme.name, parent, PALETTE[(position - 1) % len(PALETTE)], theme.description,
             "; ".join(theme.seeds), position),
        )  # fmt: skip
        existing[theme.name] = cur.lastrowid
        conn.execute(
            "INSERT INTO code_history(time, coder, operation, code_id, detail) "
            "VALUES (?, ?, 'add', ?, ?)",
            (now(), coder, cur.lastrowid, json.dumps({"name": theme.name}, ensure_ascii=False)),
        )  # fmt: skip
        added += 1
    if added:
        audit(conn, coder, "codebook", "codes", after={"added": added})
    return added


def closed_values(data: pd.Series | pd.DataFrame, kind: str) -> dict[str, list[str]]:
    """Modalities of each respondent for one closed question, as text.

    A multiple-choice question gives every option ticked; a numeric one its value.
    """
    out: dict[str, list[str]] = {}
    if isinstance(data, pd.DataFrame):
        for rid, row in data.iterrows():
            out[str(rid)] = [str(c) for c, v in row.items() if not pd.isna(v) and int(v) == 1]
        return out
    for rid, value in data.items():
        if pd.isna(value):
            out[str(rid)] = []
        elif kind == "numeric" and float(value).is_integer():
            out[str(rid)] = [str(int(value))]
        else:
            out[str(rid)] = [str(value)]
    return out


def fill_workspace(
    conn: sqlite3.Connection,
    *,
    respondent_ids: Sequence[str],
    closed: dict[str, tuple[str, str, dict[str, list[str]]]],
    answers: dict[str, tuple[str, pd.DataFrame]],
    codebook: Codebook | None,
    coder: str,
    source: dict,
) -> None:
    """Write a new workspace's contents in one transaction.

    Parameters
    ----------
    respondent_ids : sequence of str
        Every respondent of the survey, in file order.
    closed : dict
        ``name -> (label, kind, {respondent_id: [modalities]})`` for each closed question.
    answers : dict
        ``question -> (label, frame)`` with frame columns ``respondent_id``, ``text``,
        ``masked``, ``terms`` (space-joined), ``status``; empty answers are left out.
    codebook : Codebook or None
        Starting codes.
    coder : str
        The first coder.
    source : dict
        Where the survey came from (path, sha256, id column...), kept in ``meta``.
    """
    with transaction(conn):
        add_coder(conn, coder)
        set_meta(conn, "source", source)
        for pos, (name, (label, kind, _)) in enumerate(closed.items()):
            conn.execute(
                "INSERT INTO closed_questions(name, label, kind, position) VALUES (?, ?, ?, ?)",
                (name, label, kind, pos),
            )
        rows = []
        for pos, rid in enumerate(respondent_ids):
            shown = {name: "; ".join(values.get(rid, []))
                     for name, (_, _, values) in closed.items()}
            rows.append((rid, pos, json.dumps(shown, ensure_ascii=False)))
        conn.executemany("INSERT INTO respondents(id, position, closed) VALUES (?, ?, ?)", rows)
        conn.executemany(
            "INSERT INTO closed_values(question, value, respondent_id) VALUES (?, ?, ?)",
            [(name, v, rid) for name, (_, _, values) in closed.items()
             for rid, vs in values.items() for v in vs],
        )  # fmt: skip
        n = 0
        for pos, (question, (label, frame)) in enumerate(answers.items()):
            # The answers of a question never change after init: their count is stored once.
            conn.execute(
                "INSERT INTO questions(name, label, position, n_answers) VALUES (?, ?, ?, ?)",
                (question, label, pos, len(frame)),
            )
            rep = representativeness(frame["terms"].tolist())
            conn.executemany(
                "INSERT INTO answers(respondent_id, question, text, masked, terms, status, "
                "representativeness, usefulness) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(r.respondent_id, question, r.text, r.masked, r.terms, r.status, float(x),
                  float(x)) for r, x in zip(frame.itertuples(index=False), rep, strict=True)],
            )  # fmt: skip
            n += len(frame)
        if codebook is not None:
            add_codebook(conn, codebook, coder=coder)
        audit(conn, coder, "init", "workspace",
              after={"respondents": len(respondent_ids), "answers": n,
                     "questions": list(answers), "closed": list(closed)})  # fmt: skip


def answers_matching(conn: sqlite3.Connection, question: str, keys: dict[str, str]) -> int:
    """How many of ``keys`` (:func:`textmine.coding.sheet.text_key` of a text, by respondent
    id) are the text of that respondent's answer to ``question`` here, as written or masked.
    """
    answers = {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT respondent_id, text, masked FROM answers WHERE question = ?", (question,))}
    return matching_texts(keys, answers)


def other_question(conn: sqlite3.Connection, question: str, keys: dict[str, str]) -> str | None:
    """The workspace's other open question whose answers most of ``keys`` are, if any."""
    others = [r[0] for r in conn.execute(
        "SELECT name FROM questions WHERE name != ? ORDER BY position", (question,))]
    best = max(others, key=lambda q: answers_matching(conn, q, keys), default=None)
    if best is not None and 2 * answers_matching(conn, best, keys) >= len(keys):
        return best
    return None


def _check_run_texts(conn: sqlite3.Connection, question: str, answers: pd.DataFrame,
                     run: str, run_question: str | None) -> None:
    """Refuse a themes run made on another open question of the same survey.

    The respondents of a survey answer every open question, so the ids of a run on another
    question match too: the texts of the run's ``answers.csv`` tell (compared as those of a
    coding sheet, :func:`textmine.coding.sheet.text_key`; most must be the question's
    answers, as written or masked).
    """
    if "text" not in answers.columns:
        return
    keys = {str(rid).strip(): text_key(text)
            for rid, text in zip(answers["respondent_id"], answers["text"], strict=True)
            if isinstance(text, str) and text.strip()}  # fmt: skip
    if not keys:
        return
    hits = answers_matching(conn, question, keys)
    if 2 * hits >= len(keys):
        return
    best = other_question(conn, question, keys)
    if best is not None:
        where = f"they are the answers to '{best}': attach it with --question {best}"
    elif run_question and run_question != question:
        where = (f"the run analysed '{run_question}', which this workspace does not hold; give "
                 f"a themes run made on '{question}'")
    else:
        where = f"give a themes run made on '{question}' of this survey"
    raise DataError(f"The texts of {len(keys) - hits} of the {len(keys)} answers of themes run "
                    f"{run} are not the answers to '{question}' in this workspace; {where}.")


def set_themes(conn: sqlite3.Connection, *, question: str, answers: pd.DataFrame,
               themes: pd.DataFrame, run: str, coder: str,
               run_question: str | None = None) -> dict:
    """Attach the themes of a ``textmine themes`` run to ``question`` (replacing earlier ones).

    Call inside a transaction.

    Parameters
    ----------
    question : str
        Open question of the workspace the run analysed.
    answers : DataFrame
        The run's ``answers.csv``: ``respondent_id`` and ``themes`` (``;``-joined theme ids,
        primary first) or ``theme_id``.
    themes : DataFrame
        The run's ``themes.csv``: ``theme_id`` and ``label``.
    run : str
        Where the themes come from (kept with each theme and in the audit table).
    run_question : str, optional
        The question the run analysed (its ``run.json``), named when its texts do not match.
    coder : str
        Who attached them (audit).

    Returns
    -------
    dict
        ``themes`` (count), ``assigned`` (answers with a theme), ``unknown`` (respondents of
        the run that are not answers to ``question`` here).

    Raises
    ------
    DataError
        No respondent of the run answers ``question`` in the workspace (another survey), the
        run's texts are not the answers to ``question`` (another question of the survey), or
        the tables lack their columns.
    """
    for frame, name, cols in ((answers, "answers.csv", ("respondent_id",)),
                              (themes, "themes.csv", ("theme_id",))):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise DataError(f"Column '{missing[0]}' not found in the run's {name}; give the "
                            "folder of a finished 'textmine themes' run.")  # fmt: skip
    answer_of = {r[0]: r[1] for r in conn.execute(
        "SELECT respondent_id, id FROM answers WHERE question = ?", (question,))}
    ids = [clean_id(t) for t in themes["theme_id"]]
    labels = (themes["label"].fillna("").astype(str).tolist() if "label" in themes.columns
              else ids)
    pairs: list[tuple[str, int]] = []
    unknown = 0
    for row in answers.itertuples(index=False):
        rid = str(row.respondent_id).strip()
        raw = getattr(row, "themes", None)
        given = ([clean_id(t) for t in raw.split(";")] if isinstance(raw, str) and raw.strip()
                 else [clean_id(getattr(row, "theme_id", None))])
        given = [t for t in given if t]
        if rid not in answer_of:
            unknown += bool(given)
            continue
        pairs += [(t, answer_of[rid]) for t in given]
    if not pairs:
        raise DataError(
            f"No respondent of {run} with a theme answers {question} in this workspace; give a "
            "themes run made on the same survey and question (or choose --question)."
        )
    _check_run_texts(conn, question, answers, run, run_question)
    old = [r[0] for r in conn.execute("SELECT id FROM themes WHERE question = ?", (question,))]
    conn.executemany("DELETE FROM answer_themes WHERE theme = ?", [(t,) for t in old])
    conn.execute("DELETE FROM themes WHERE question = ?", (question,))
    key: dict[str, int] = {}
    for pos, (tid, label) in enumerate(zip(ids, labels, strict=True)):
        cur = conn.execute(
            "INSERT INTO themes(question, theme_id, label, position, run) VALUES (?, ?, ?, ?, ?)",
            (question, tid, label or f"theme {tid}", pos, run),
        )  # fmt: skip
        key[tid] = int(cur.lastrowid)
    rows = sorted({(key[t], aid) for t, aid in pairs if t in key})
    conn.executemany("INSERT INTO answer_themes(theme, answer_id) VALUES (?, ?)", rows)
    result = {"themes": len(key), "assigned": len({aid for _, aid in rows}), "unknown": unknown}
    audit(conn, coder, "themes", f"question:{question}", before={"themes": len(old)},
          after={**result, "run": run})
    return result
