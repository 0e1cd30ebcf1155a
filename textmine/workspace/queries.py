"""Reading the workspace: an answer and its codings, filters, the coding queue, progress.

Everything here reads; :mod:`textmine.workspace.edits` writes. Queries are written for a
project of 100,000 answers: the queue walks the ``answers_queue`` index (question, usefulness,
id) with keyset pagination, and "coded by this coder" is a primary-key lookup.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

#: Status filters of the page (relative to the coder looking at it).
STATUSES = ("", "uncoded", "suggested", "coded", "disputed")

#: Keys of the page that toggle a code: the first nine active codes.
CODE_KEYS = 9


@dataclass(frozen=True)
class Filters:
    """What the coder asked to see: a question, a status, a code, a theme, a modality, a text."""

    question: str
    status: str = ""
    code_id: int | None = None
    closed: str = ""  # "question=modality"
    search: str = ""
    theme_id: int | None = None  # row id in the themes table

    def query(self) -> dict[str, str]:
        """The filters as URL query parameters (empty ones left out)."""
        out = {"q": self.question, "status": self.status,
               "code": "" if self.code_id is None else str(self.code_id),
               "theme": "" if self.theme_id is None else str(self.theme_id),
               "closed": self.closed, "search": self.search}  # fmt: skip
        return {k: v for k, v in out.items() if v}

    @property
    def active(self) -> bool:
        """Whether the coder filters (otherwise the queue is "most useful first")."""
        return bool(self.status or self.code_id is not None or self.theme_id is not None
                    or self.closed or self.search)


def questions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Open questions of the project, in survey order."""
    return conn.execute("SELECT name, label FROM questions ORDER BY position").fetchall()


def themes(conn: sqlite3.Connection, question: str) -> list[dict]:
    """Themes of a themes run attached to ``question``: ``id``, ``label``, ``n`` answers."""
    return [dict(r) for r in conn.execute(
        "SELECT t.id, t.label, t.theme_id, (SELECT COUNT(*) FROM answer_themes x "
        "WHERE x.theme = t.id) AS n FROM themes t WHERE t.question = ? ORDER BY t.position",
        (question,))]  # fmt: skip


def _modality_order(value: str) -> tuple:
    """Sort key of modalities: numbers by value (2 before 10), then text."""
    try:
        return (0, float(value.replace(",", ".")), value)
    except ValueError:
        return (1, 0.0, value)


def closed_questions(conn: sqlite3.Connection) -> list[dict]:
    """Closed questions with their modalities (for the filter menu).

    Modalities are in numeric order when they are numbers (``2`` before ``10``), else in
    alphabetical order.
    """
    out = []
    for q in conn.execute("SELECT name, label, kind FROM closed_questions ORDER BY position"):
        values = sorted((r[0] for r in conn.execute(
            "SELECT DISTINCT value FROM closed_values WHERE question = ?", (q["name"],))),
            key=_modality_order)  # fmt: skip
        if q["kind"] == "numeric" and len(values) > 30:
            continue  # a continuous value is no filter menu
        out.append({"name": q["name"], "label": q["label"] or q["name"], "values": values})
    return out


def codes(conn: sqlite3.Connection, *, include_inactive: bool = False) -> list[dict]:
    """Codes in codebook order with their key (1–9 for the first nine active ones)."""
    rows = conn.execute(
        "SELECT c.*, p.name AS parent FROM codes c LEFT JOIN codes p ON p.id = c.parent_id "
        + ("" if include_inactive else "WHERE c.active = 1 ") + "ORDER BY c.position, c.id"
    ).fetchall()
    out, key = [], 0
    for r in rows:
        item = dict(r)
        if r["active"] and key < CODE_KEYS:
            key += 1
            item["key"] = str(key)
        else:
            item["key"] = ""
        out.append(item)
    return out


def code_names(conn: sqlite3.Connection) -> dict[int, str]:
    """Name of every code by id (merged codes included)."""
    return {r["id"]: r["name"] for r in conn.execute("SELECT id, name FROM codes")}


def answer(conn: sqlite3.Connection, answer_id: int) -> sqlite3.Row | None:
    """One answer with its respondent's closed-question values."""
    return conn.execute(
        "SELECT a.*, r.closed FROM answers a JOIN respondents r ON r.id = a.respondent_id "
        "WHERE a.id = ?", (answer_id,),
    ).fetchone()  # fmt: skip


def coding_state(conn: sqlite3.Connection, answer_id: int, coder: str) -> dict:
    """What the page needs to show and edit an answer's coding by ``coder``.

    Returns
    -------
    dict
        ``answer_id``, ``coder``, ``version`` (0: not coded by this coder), ``coded``,
        ``codes`` (code ids, sorted), ``sources`` (code id -> human/model), ``others``
        (other coders' code ids), ``suggested`` (code ids), ``scores`` (code id -> score),
        ``memo`` and ``memo_version`` (this coder's memo on the answer).
    """
    row = conn.execute(
        "SELECT version FROM coded_answers WHERE answer_id = ? AND coder = ?", (answer_id, coder)
    ).fetchone()
    mine = conn.execute(
        "SELECT code_id, source FROM codings WHERE answer_id = ? AND coder = ? ORDER BY code_id",
        (answer_id, coder),
    ).fetchall()
    others: dict[str, list[int]] = {}
    for r in conn.execute(
        "SELECT ca.coder, c.code_id FROM coded_answers ca LEFT JOIN codings c "
        "ON c.answer_id = ca.answer_id AND c.coder = ca.coder "
        "WHERE ca.answer_id = ? AND ca.coder != ? ORDER BY ca.coder, c.code_id",
        (answer_id, coder),
    ):
        others.setdefault(r["coder"], [])
        if r["code_id"] is not None:
            others[r["coder"]].append(r["code_id"])
    a = conn.execute("SELECT scores, suggested FROM answers WHERE id = ?", (answer_id,)).fetchone()
    memo = conn.execute(
        "SELECT text, version FROM memos WHERE target = 'answer' AND target_id = ? AND coder = ?",
        (answer_id, coder),
    ).fetchone()
    return {
        "answer_id": answer_id,
        "coder": coder,
        "version": int(row["version"]) if row else 0,
        "coded": row is not None,
        "codes": [r["code_id"] for r in mine],
        "sources": {str(r["code_id"]): r["source"] for r in mine},
        "others": others,
        "suggested": json.loads(a["suggested"]) if a and a["suggested"] else [],
        "scores": json.loads(a["scores"]) if a and a["scores"] else {},
        "memo": memo["text"] if memo else "",
        "memo_version": int(memo["version"]) if memo else 0,
    }


def _where(filters: Filters, coder: str) -> tuple[str, list]:
    """SQL conditions (on alias ``a``) and parameters of ``filters``."""
    where, params = ["a.question = ?"], [filters.question]
    mine = "EXISTS (SELECT 1 FROM coded_answers c WHERE c.answer_id = a.id AND c.coder = ?)"
    if filters.status in ("uncoded", "suggested"):
        where.append("NOT " + mine)
        params.append(coder)
        if filters.status == "suggested":
            where.append("a.suggested IS NOT NULL AND a.suggested != '[]'")
    elif filters.status == "coded":
        where.append(mine)
        params.append(coder)
    elif filters.status == "disputed":
        where.append("a.disputed = 1")
    if filters.code_id is not None:
        where.append("EXISTS (SELECT 1 FROM codings g WHERE g.answer_id = a.id AND g.code_id = ?)")
        params.append(filters.code_id)
    if filters.theme_id is not None:
        where.append("EXISTS (SELECT 1 FROM answer_themes t WHERE t.theme = ? "
                     "AND t.answer_id = a.id)")
        params.append(filters.theme_id)
    if filters.closed and "=" in filters.closed:
        name, value = filters.closed.split("=", 1)
        where.append(
            "EXISTS (SELECT 1 FROM closed_values v WHERE v.question = ? AND v.value = ? "
            "AND v.respondent_id = a.respondent_id)"
        )
        params += [name, value]
    if filters.search:
        where.append("(a.text LIKE ? ESCAPE '\\')")
        escaped = filters.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    return " AND ".join(where), params


def _step(conn: sqlite3.Connection, filters: Filters, coder: str, after: int | None,
          backwards: bool) -> int | None:
    where, params = _where(filters, coder)
    if after is not None:
        cur = conn.execute("SELECT usefulness FROM answers WHERE id = ?", (after,)).fetchone()
        if cur is not None:
            u = float(cur[0])
            if backwards:
                where += " AND (a.usefulness > ? OR (a.usefulness = ? AND a.id < ?))"
            else:
                where += " AND (a.usefulness < ? OR (a.usefulness = ? AND a.id > ?))"
            params += [u, u, after]
    order = "a.usefulness ASC, a.id DESC" if backwards else "a.usefulness DESC, a.id ASC"
    row = conn.execute(
        f"SELECT a.id FROM answers a WHERE {where} ORDER BY {order} LIMIT 1", params
    ).fetchone()
    return int(row[0]) if row else None


def select_next(conn: sqlite3.Connection, filters: Filters, coder: str,
                after: int | None = None) -> int | None:
    """The next answer to show: the most useful one to code, after ``after`` in that order.

    Usefulness is uncertainty x representativeness (:mod:`textmine.workspace.suggest` stores it
    after each refit; before the first fit it is the representativeness alone). Without a
    filter the queue holds the answers this coder has not coded; a filter replaces that rule
    and keeps the same order.
    """
    if not filters.active:
        filters = replace(filters, status="uncoded")
    found = _step(conn, filters, coder, after, backwards=False)
    if found is None and after is not None and filters.status == "uncoded":
        # Past the end of the queue: start again from the most useful answer left.
        found = _step(conn, filters, coder, None, backwards=False)
    return found


def select_previous(conn: sqlite3.Connection, filters: Filters, coder: str,
                    before: int) -> int | None:
    """The answer shown before ``before`` in the same order (``None`` at the start)."""
    if not filters.active:
        filters = replace(filters, status="")
    return _step(conn, filters, coder, before, backwards=True)


def answer_list(conn: sqlite3.Connection, filters: Filters, coder: str, *,
                limit: int = 100) -> list[sqlite3.Row]:
    """The first ``limit`` answers matching ``filters``, most useful first."""
    where, params = _where(filters, coder)
    return conn.execute(
        f"SELECT a.id, a.respondent_id, a.text, a.n_coders, a.disputed, a.suggested "
        f"FROM answers a WHERE {where} ORDER BY a.usefulness DESC, a.id LIMIT ?",
        [*params, limit],
    ).fetchall()


def count_matching(conn: sqlite3.Connection, filters: Filters, coder: str) -> int:
    """How many answers match ``filters``."""
    where, params = _where(filters, coder)
    return int(conn.execute(f"SELECT COUNT(*) FROM answers a WHERE {where}", params).fetchone()[0])


def _parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


#: Coding time (hours) under which no pace is announced.
MIN_RATE_HOURS = 5 / 60


def progress(conn: sqlite3.Connection, question: str, coder: str) -> dict:
    """Coded / total, answers per hour and time left for ``coder`` on ``question``.

    The rate is the answers the coder coded in the page (imports left out) over the last hour of
    their coding (from the first to the last coding when they coded for less than an hour;
    unknown under three answers or five minutes); the time left is what the answers nobody
    coded yet would take at that rate.
    """
    row = conn.execute("SELECT n_answers FROM questions WHERE name = ?", (question,)).fetchone()
    total = int(row[0]) if row else 0
    any_coder = conn.execute(
        "SELECT COUNT(*) FROM answers WHERE question = ? AND n_coders > 0", (question,)
    ).fetchone()[0]
    # CROSS JOIN fixes SQLite's join order: the coder's rows first (index on coder), not every
    # answer of the question.
    mine = conn.execute(
        "SELECT COUNT(*) FROM coded_answers c CROSS JOIN answers a ON a.id = c.answer_id "
        "WHERE c.coder = ? AND a.question = ?", (coder, question),
    ).fetchone()[0]  # fmt: skip
    # The rate counts answers coded in the page (audit rows of coding actions), not imports;
    # aggregated in SQL (ISO times in one format compare as text).
    actions = "action IN ('toggle', 'accept', 'reject', 'set')"
    n, first, last = conn.execute(
        f"SELECT COUNT(DISTINCT target), MIN(time), MAX(time) FROM audit "
        f"WHERE coder = ? AND {actions}", (coder,),
    ).fetchone()  # fmt: skip
    rate = None
    if n:
        last_t = _parse_time(last)
        start = max(_parse_time(first), last_t - timedelta(hours=1))
        since = start.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        recent = conn.execute(
            f"SELECT COUNT(DISTINCT target) FROM audit WHERE coder = ? AND {actions} "
            "AND time >= ?", (coder, since),
        ).fetchone()[0]  # fmt: skip
        hours = (last_t - start).total_seconds() / 3600
        # Fewer than 3 answers or a few minutes of work say nothing of a pace (6 answers in
        # 4 seconds would announce 5,000 answers per hour).
        if recent >= 3 and hours >= MIN_RATE_HOURS:
            rate = recent / hours
    left = total - any_coder
    return {
        "total": total, "coded": any_coder, "mine": mine,
        "percent": round(100 * any_coder / total, 1) if total else 0.0,
        "per_hour": None if rate is None else round(rate, 1),
        "hours_left": None if not rate else round(left / rate, 1),
    }  # fmt: skip


def coded_frames(conn: sqlite3.Connection, question: str) -> tuple[dict, list[str], list[str]]:
    """Each coder's 0/1 codes on ``question`` (for agreement), code names and answer ids.

    Returns
    -------
    frames : dict of str to dict
        ``coder -> {respondent_id: set of code names}`` (answers the coder coded).
    names : list of str
        Active code names in codebook order.
    ids : list of str
        Respondent ids of every answer to the question.
    """
    names = [c["name"] for c in codes(conn)]
    ids = [r[0] for r in conn.execute(
        "SELECT respondent_id FROM answers WHERE question = ? ORDER BY id", (question,))]
    frames: dict[str, dict[str, set[str]]] = {}
    for r in conn.execute(
        "SELECT ca.coder, a.respondent_id, k.name FROM coded_answers ca "
        "JOIN answers a ON a.id = ca.answer_id "
        "LEFT JOIN codings g ON g.answer_id = ca.answer_id AND g.coder = ca.coder "
        "LEFT JOIN codes k ON k.id = g.code_id WHERE a.question = ? ORDER BY ca.coder, a.id",
        (question,),
    ):
        coded = frames.setdefault(r["coder"], {}).setdefault(r["respondent_id"], set())
        if r["name"] is not None:
            coded.add(r["name"])
    return frames, names, ids
