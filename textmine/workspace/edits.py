"""Changing the workspace: codings, undo, memos, and the codebook (add, rename, merge, split).

Every edit runs in one transaction (:func:`textmine.workspace.db.transaction`), checks the
version number the coder's page was showing and appends to the audit table. An edit made on a
stale page (another browser changed the same coding, memo or code since) is refused with
:class:`StaleEdit`, which carries the current state: nothing is ever silently overwritten.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from textmine.errors import DataError
from textmine.workspace.build import add_coder
from textmine.workspace.db import PALETTE, audit, now, transaction
from textmine.workspace.queries import coding_state

#: Audit actions that change a coding (and that ``undo`` can take back).
CODING_ACTIONS = ("toggle", "accept", "reject", "set")


class StaleEdit(DataError):
    """An edit was made on a page showing an older version; ``current`` is the state now."""

    def __init__(self, message: str, current: dict) -> None:
        super().__init__(message)
        self.current = current


def _answer_exists(conn: sqlite3.Connection, answer_id: int) -> None:
    if conn.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
        raise DataError(f"Answer {answer_id} is not in this workspace; reload the page.")


def _active_code(conn: sqlite3.Connection, code_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM codes WHERE id = ?", (code_id,)).fetchone()
    if row is None:
        raise DataError(f"Code {code_id} is not in this workspace; reload the page.")
    if not row["active"]:
        raise DataError(f"Code '{row['name']}' was merged into another code; reload the page.")
    return row


def refresh_agreement(conn: sqlite3.Connection, answer_ids: Iterable[int]) -> None:
    """Recompute ``n_coders`` and ``disputed`` (coders gave different code sets) of answers."""
    for aid in set(answer_ids):
        sets: dict[str, set[int]] = {}
        for r in conn.execute(
            "SELECT ca.coder, g.code_id FROM coded_answers ca LEFT JOIN codings g "
            "ON g.answer_id = ca.answer_id AND g.coder = ca.coder WHERE ca.answer_id = ?", (aid,),
        ):  # fmt: skip
            sets.setdefault(r[0], set())
            if r[1] is not None:
                sets[r[0]].add(r[1])
        distinct = {frozenset(s) for s in sets.values()}
        conn.execute("UPDATE answers SET n_coders = ?, disputed = ? WHERE id = ?",
                     (len(sets), int(len(distinct) > 1), aid))  # fmt: skip


def _write_coding(conn: sqlite3.Connection, answer_id: int, coder: str,
                  codes: dict[int, str] | None) -> int:
    """Replace ``coder``'s coding of an answer (``None``: not coded); returns the new version."""
    row = conn.execute("SELECT version FROM coded_answers WHERE answer_id = ? AND coder = ?",
                       (answer_id, coder)).fetchone()  # fmt: skip
    version = (int(row[0]) if row else 0) + 1
    conn.execute("DELETE FROM codings WHERE answer_id = ? AND coder = ?", (answer_id, coder))
    if codes is None:
        conn.execute("DELETE FROM coded_answers WHERE answer_id = ? AND coder = ?",
                     (answer_id, coder))  # fmt: skip
    else:
        t = now()
        conn.execute(
            "INSERT INTO coded_answers(answer_id, coder, version, time) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(answer_id, coder) DO UPDATE SET version = excluded.version, "
            "time = excluded.time", (answer_id, coder, version, t),
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO codings(answer_id, coder, code_id, source, time) VALUES (?, ?, ?, ?, ?)",
            [(answer_id, coder, cid, src, t) for cid, src in sorted(codes.items())],
        )
    refresh_agreement(conn, [answer_id])
    return version


def _snapshot(state: dict) -> dict:
    return {"answer_id": state["answer_id"], "version": state["version"],
            "coded": state["coded"], "codes": state["codes"], "sources": state["sources"]}


def change_coding(
    conn: sqlite3.Connection, answer_id: int, coder: str, *, version: int, action: str,
    code_id: int | None = None, codes: Iterable[int] | None = None,
) -> dict:
    """Change ``coder``'s coding of an answer, if the page's ``version`` is still current.

    Parameters
    ----------
    answer_id : int
    coder : str
    version : int
        Version the coder's page showed (0: not coded yet).
    action : {"toggle", "accept", "reject", "set"}
        ``toggle`` adds or removes ``code_id``; ``accept`` adds the model's suggested codes
        (source ``model``); ``reject`` records the answer as read without the suggested codes;
        ``set`` replaces the codes by ``codes`` (an empty list: read, no code applies).

    Returns
    -------
    dict
        The new :func:`textmine.workspace.queries.coding_state`.

    Raises
    ------
    StaleEdit
        ``version`` is not the current version (another page changed this coding).
    DataError
        Unknown answer or code, unknown action.
    """
    if action not in CODING_ACTIONS:
        raise DataError(
            f"Unknown coding action {action!r}; use one of {', '.join(CODING_ACTIONS)}."
        )
    with transaction(conn):
        _answer_exists(conn, answer_id)
        add_coder(conn, coder)
        state = coding_state(conn, answer_id, coder)
        if int(version) != state["version"]:
            raise StaleEdit(
                f"This answer's coding was changed elsewhere (version {state['version']}, your "
                f"page showed {version}); the page now shows the current codes, nothing was "
                "overwritten.",
                state,
            )
        current = {int(k): v for k, v in state["sources"].items()}
        if action == "toggle":
            _active_code(conn, int(code_id))
            if int(code_id) in current:
                del current[int(code_id)]
            else:
                current[int(code_id)] = "human"
        elif action == "accept":
            for cid in state["suggested"]:
                if conn.execute("SELECT active FROM codes WHERE id = ?", (cid,)).fetchone()[0]:
                    current.setdefault(int(cid), "model")
        elif action == "reject":
            for cid in state["suggested"]:
                current.pop(int(cid), None)
        else:
            current = {}
            for cid in codes or ():
                _active_code(conn, int(cid))
                current[int(cid)] = state["sources"].get(str(cid), "human")
        _write_coding(conn, answer_id, coder, current)
        after = coding_state(conn, answer_id, coder)
        audit(conn, coder, action, f"answer:{answer_id}", _snapshot(state), _snapshot(after))
    return after


def undo(conn: sqlite3.Connection, coder: str, *,
         seen: tuple[int, int] | None = None) -> dict | None:
    """Take back ``coder``'s last coding change not yet undone; ``None`` if there is none.

    ``seen`` is the (answer id, coding version) the undoing page shows. Two pages (tabs) of
    one coder share that coder's changes: when the change to undo is on the answer the page
    shows, the page must show its current version, else the undo would take back a change
    made on the other page, which this one never showed.

    Raises
    ------
    StaleEdit
        The coding was changed since by another page: the undo would overwrite it.
    """
    with transaction(conn):
        marks = ",".join("?" * len(CODING_ACTIONS))
        row = conn.execute(
            f"SELECT a.* FROM audit a WHERE a.coder = ? AND a.action IN ({marks}) AND NOT EXISTS "
            "(SELECT 1 FROM audit u WHERE u.action = 'undo' AND u.target = 'audit:' || a.id) "
            "ORDER BY a.id DESC LIMIT 1", (coder, *CODING_ACTIONS),
        ).fetchone()  # fmt: skip
        if row is None:
            return None
        before, after = json.loads(row["before"]), json.loads(row["after"])
        answer_id = int(before["answer_id"])
        state = coding_state(conn, answer_id, coder)
        # The version this coder's own last change (or undo) of the answer left: anything else
        # (a merge of codes, another program) changed it since.
        last = conn.execute(
            "SELECT after FROM audit WHERE coder = ? AND (target = ? OR (action = 'undo' AND "
            "json_extract(after, '$.answer_id') = ?)) ORDER BY id DESC LIMIT 1",
            (coder, f"answer:{answer_id}", answer_id),
        ).fetchone()
        expected = json.loads(last[0])["version"] if last else after["version"]
        if seen is not None and int(seen[0]) == answer_id and int(seen[1]) != state["version"]:
            raise StaleEdit(
                f"Cannot undo: this answer's coding was changed on another page (version "
                f"{state['version']}, your page showed {int(seen[1])}); the page now shows the "
                "current codes, nothing was undone.", state,
            )  # fmt: skip
        if state["version"] != expected:
            raise StaleEdit(
                "Cannot undo: this answer's coding was changed since on another page; the page "
                "now shows the current codes.", state,
            )  # fmt: skip
        codes = ({int(k): v for k, v in before["sources"].items()} if before["coded"] else None)
        _write_coding(conn, answer_id, coder, codes)
        new = coding_state(conn, answer_id, coder)
        audit(conn, coder, "undo", f"audit:{row['id']}", _snapshot(state), _snapshot(new))
    return new


def save_memo(conn: sqlite3.Connection, target: str, target_id: int, coder: str, text: str, *,
              version: int) -> dict:
    """Write ``coder``'s memo on an answer or a code; refused if the page's version is stale.

    Returns ``{"text", "version"}``.
    """
    if target not in ("answer", "code"):
        raise DataError(f"Memos are on an answer or a code, not {target!r}.")
    text = str(text)
    if len(text) > 20_000:
        raise DataError(f"Memo of {len(text)} characters; keep memos under 20,000 characters.")
    with transaction(conn):
        add_coder(conn, coder)
        row = conn.execute(
            "SELECT text, version FROM memos WHERE target = ? AND target_id = ? AND coder = ?",
            (target, target_id, coder),
        ).fetchone()
        current = int(row["version"]) if row else 0
        if int(version) != current:
            raise StaleEdit(
                f"This memo was changed elsewhere (version {current}, your page showed "
                f"{version}); the page now shows the current memo, nothing was overwritten.",
                {"text": row["text"] if row else "", "version": current},
            )
        conn.execute(
            "INSERT INTO memos(target, target_id, coder, text, version, time) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(target, target_id, coder) DO UPDATE SET "
            "text = excluded.text, version = excluded.version, time = excluded.time",
            (target, target_id, coder, text, current + 1, now()),
        )  # fmt: skip
        audit(conn, coder, "memo", f"{target}:{target_id}",
              {"text": row["text"] if row else None}, {"text": text})  # fmt: skip
    return {"text": text, "version": current + 1}


# -- the codebook -------------------------------------------------------------------------------
def _history(conn: sqlite3.Connection, coder: str, operation: str, code_id: int,
             detail: dict) -> None:
    conn.execute(
        "INSERT INTO code_history(time, coder, operation, code_id, detail) VALUES (?, ?, ?, ?, ?)",
        (now(), coder, operation, code_id, json.dumps(detail, ensure_ascii=False)),
    )
    audit(conn, coder, f"code_{operation}", f"code:{code_id}", after=detail)


def _check_name(conn: sqlite3.Connection, name: str, *, keep: int | None = None) -> str:
    name = str(name).strip()
    if not name or len(name) > 200:
        raise DataError("A code name needs 1 to 200 characters.")
    row = conn.execute("SELECT id FROM codes WHERE name = ?", (name,)).fetchone()
    if row is not None and row[0] != keep:
        raise DataError(f"A code named '{name}' already exists; choose another name.")
    return name


def _check_version(conn: sqlite3.Connection, code: sqlite3.Row, version: int) -> None:
    if int(version) != int(code["version"]):
        raise StaleEdit(
            f"Code '{code['name']}' was changed elsewhere (version {code['version']}, your page "
            f"showed {version}); reload the codebook, nothing was changed.",
            dict(code),
        )


def add_code(conn: sqlite3.Connection, name: str, coder: str, *,
             parent_id: int | None = None) -> int:
    """Add a code (at the end of the codebook); returns its id."""
    with transaction(conn):
        add_coder(conn, coder)
        name = _check_name(conn, name)
        if parent_id is not None:
            _active_code(conn, parent_id)
        pos = conn.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM codes").fetchone()[0]
        cur = conn.execute(
            "INSERT INTO codes(name, parent_id, colour, position) VALUES (?, ?, ?, ?)",
            (name, parent_id, PALETTE[(pos - 1) % len(PALETTE)], pos),
        )
        _history(conn, coder, "add", cur.lastrowid, {"name": name, "parent_id": parent_id})
    return int(cur.lastrowid)


def rename_code(conn: sqlite3.Connection, code_id: int, name: str, coder: str, *,
                version: int) -> None:
    """Rename a code; the history keeps the old name."""
    with transaction(conn):
        add_coder(conn, coder)
        code = _active_code(conn, code_id)
        _check_version(conn, code, version)
        name = _check_name(conn, name, keep=code_id)
        conn.execute("UPDATE codes SET name = ?, version = version + 1 WHERE id = ?",
                     (name, code_id))  # fmt: skip
        _history(conn, coder, "rename", code_id, {"from": code["name"], "to": name})


def merge_code(conn: sqlite3.Connection, code_id: int, into_id: int, coder: str, *,
               version: int) -> int:
    """Merge code ``code_id`` into ``into_id``: its codings move, it stays in the history.

    Returns the number of codings moved. The codings changed get a new version number, so a
    page still showing the merged code cannot overwrite them.
    """
    if int(code_id) == int(into_id):
        raise DataError("A code cannot be merged into itself; choose another code.")
    with transaction(conn):
        add_coder(conn, coder)
        code = _active_code(conn, code_id)
        into = _active_code(conn, into_id)
        _check_version(conn, code, version)
        touched = conn.execute("SELECT answer_id, coder FROM codings WHERE code_id = ?",
                               (code_id,)).fetchall()  # fmt: skip
        conn.execute(
            "INSERT OR IGNORE INTO codings(answer_id, coder, code_id, source, time) "
            "SELECT answer_id, coder, ?, source, time FROM codings WHERE code_id = ?",
            (into_id, code_id),
        )
        conn.execute("DELETE FROM codings WHERE code_id = ?", (code_id,))
        conn.executemany(
            "UPDATE coded_answers SET version = version + 1 WHERE answer_id = ? AND coder = ?",
            [(r[0], r[1]) for r in touched],
        )
        conn.execute("UPDATE codes SET parent_id = ? WHERE parent_id = ?", (into_id, code_id))
        conn.execute(
            "UPDATE codes SET active = 0, merged_into = ?, version = version + 1 WHERE id = ?",
            (into_id, code_id),
        )
        conn.execute("UPDATE codes SET version = version + 1 WHERE id = ?", (into_id,))
        refresh_agreement(conn, [r[0] for r in touched])
        _history(conn, coder, "merge", code_id,
                 {"merged": code["name"], "into": into["name"], "into_id": into_id,
                  "codings_moved": len(touched)})  # fmt: skip
    return len(touched)


def split_code(conn: sqlite3.Connection, code_id: int, names: list[str], coder: str, *,
               version: int) -> list[int]:
    """Split a code: new child codes are created under it, its answers keep it until recoded.

    The answers holding the code are found with the page's "by code" filter and recoded with
    the new codes; the history records the split. Returns the new codes' ids.
    """
    names = [str(n).strip() for n in names if str(n).strip()]
    if len(names) < 2:
        raise DataError("Split a code into at least two new codes (one name per line).")
    with transaction(conn):
        add_coder(conn, coder)
        code = _active_code(conn, code_id)
        _check_version(conn, code, version)
        ids = []
        pos = conn.execute("SELECT COALESCE(MAX(position), 0) FROM codes").fetchone()[0]
        for name in names:
            name = _check_name(conn, name)
            pos += 1
            cur = conn.execute(
                "INSERT INTO codes(name, parent_id, colour, position) VALUES (?, ?, ?, ?)",
                (name, code_id, PALETTE[(pos - 1) % len(PALETTE)], pos),
            )
            ids.append(int(cur.lastrowid))
        conn.execute("UPDATE codes SET version = version + 1 WHERE id = ?", (code_id,))
        n = conn.execute("SELECT COUNT(*) FROM codings WHERE code_id = ?", (code_id,)).fetchone()[0]
        _history(conn, coder, "split", code_id,
                 {"split": code["name"], "into": names, "into_ids": ids, "codings_to_recode": n})
    return ids
