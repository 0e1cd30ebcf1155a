"""The workspace web app (Starlette): server-rendered pages, a JSON API for edits, no CDN.

Safety rules (docs/workspace.md):

- every request needs the access token printed at start (``?token=...``), exchanged once for a
  session cookie (HttpOnly, SameSite=Strict); with a password (required for any host other
  than 127.0.0.1) the token page asks for it too;
- writes are JSON POSTs carrying the session's CSRF token in ``X-CSRF-Token``;
- answers are escaped by jinja2's autoescape in pages and set with ``textContent`` by the
  script, never as HTML;
- ``Content-Security-Policy`` allows only this server's own scripts, styles and requests
  (nothing external, no inline script); the Host header must be the served host (DNS
  rebinding).
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import sqlite3
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from textmine.coding.agreement import ALL_CODES, coder_agreement, krippendorff_alpha
from textmine.errors import DataError, TextmineError
from textmine.workspace import edits, queries
from textmine.workspace.build import check_coder_name
from textmine.workspace.db import connect, database_error
from textmine.workspace.queries import Filters
from textmine.workspace.suggest import Refitter, model_info

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "workspace"

#: Name of the session cookie.
COOKIE = "textmine_session"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token must not leave in a Referer header
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class SecurityHeaders:
    """ASGI middleware adding :data:`HEADERS` to every response."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                for key, value in HEADERS.items():
                    if key.lower().encode() not in names:
                        message.setdefault("headers", []).append(
                            (key.lower().encode(), value.encode()))
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Workspace:
    """The app's state: database path, access token, password, sessions, background refitter."""

    def __init__(self, path: str | Path, *, token: str, password: str | None = None,
                 refitter: Refitter | None = None) -> None:
        self.path = Path(path)
        self.token = token
        self.password = password
        self.refitter = refitter if refitter is not None else Refitter(path)
        self.sessions: dict[str, dict] = {}
        self._closed: list[dict] | None = None
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(RESOURCES / "templates")),
            autoescape=True, undefined=jinja2.StrictUndefined,
        )  # fmt: skip
        self.templates.filters["plural"] = plural

    def closed_questions(self, conn: sqlite3.Connection) -> list[dict]:
        """Closed questions and modalities (fixed at ``init``: read once)."""
        if self._closed is None:
            self._closed = queries.closed_questions(conn)
        return self._closed

    def conn(self) -> sqlite3.Connection:
        return connect(self.path)

    def new_session(self, coder: str | None) -> str:
        sid = secrets.token_urlsafe(32)
        self.sessions[sid] = {"coder": coder, "csrf": secrets.token_urlsafe(32)}
        return sid

    def session(self, request: Request) -> dict | None:
        sid = request.cookies.get(COOKIE)
        return self.sessions.get(sid) if sid else None

    def render(self, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
        return HTMLResponse(self.templates.get_template(name).render(**context),
                            status_code=status_code)  # fmt: skip


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """``"1 answer"``, ``"2 answers"``, ``"1,234 answers"`` (the page's counts)."""
    n = int(n)
    return f"{n:,} {noun if n == 1 else (nouns or noun + 's')}"


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


def _filters(request: Request, conn: sqlite3.Connection) -> Filters:
    params = request.query_params
    names = [q["name"] for q in queries.questions(conn)]
    question = params.get("q") or (names[0] if names else "")
    if question not in names:
        raise DataError(f"Question '{question}' is not in this workspace; choose one of "
                        f"{', '.join(names)}.")
    status = params.get("status", "")
    if status not in queries.STATUSES:
        status = ""
    code, theme = params.get("code", ""), params.get("theme", "")
    code_id = int(code) if code.isdecimal() and len(code) < 19 else None
    theme_id = int(theme) if theme.isdecimal() and len(theme) < 19 else None
    # A filter that names nothing here (a theme of another question or of a replaced themes
    # run, a deleted code: links kept from before) is dropped, not applied unseen: the page
    # would say "any theme" over an empty list.
    known = {c["id"] for c in queries.codes(conn, include_inactive=True)}
    if code_id is not None and code_id not in known:
        code_id = None
    if theme_id is not None and theme_id not in {t["id"] for t in queries.themes(conn, question)}:
        theme_id = None
    return Filters(question=question, status=status, code_id=code_id, theme_id=theme_id,
                   closed=params.get("closed", "")[:500], search=params.get("search", "")[:200])


def _page_context(ws: Workspace, conn: sqlite3.Connection, session: dict,
                  filters: Filters) -> dict:
    model = model_info(conn)
    return {
        "coder": session["coder"], "csrf": session["csrf"], "filters": filters,
        "query": urlencode(filters.query()), "questions": queries.questions(conn),
        "closed_questions": ws.closed_questions(conn), "codes": queries.codes(conn),
        "themes": queries.themes(conn, filters.question),
        "statuses": queries.STATUSES, "model": model, "refitting": ws.refitter.running,
        "progress": queries.progress(conn, filters.question, session["coder"]),
    }  # fmt: skip


def build_app(path: str | Path, *, token: str, password: str | None = None,
              allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
              refitter: Refitter | None = None) -> Starlette:
    """The Starlette application serving the workspace at ``path``.

    Parameters
    ----------
    path : path
        The ``.tmdb`` file (opened once per request: SQLite connections are cheap and each
        request thread gets its own).
    token : str
        Access token every new browser must present once (``/?token=...``).
    password : str, optional
        Also required once per browser (for a server reachable from other machines).
    allowed_hosts : tuple of str
        Values accepted in the Host header.
    refitter : Refitter, optional
        Background refitter (default one on ``path``).
    """
    ws = Workspace(path, token=token, password=password, refitter=refitter)

    def guarded(kind: str) -> Callable:
        """Check the session (and the CSRF token for writes); map errors to one line."""

        def wrap(handler: Callable) -> Callable:
            writes, page = kind.startswith("write"), kind.startswith("page")

            def run(request: Request, session: dict) -> Response:
                try:
                    conn = ws.conn()
                except TextmineError as exc:
                    return _error(kind, str(exc), 503)
                try:
                    return handler(request, session, conn)
                except edits.StaleEdit as exc:
                    return JSONResponse({"error": str(exc), "stale": True,
                                         "current": exc.current}, status_code=409)
                except sqlite3.Error as exc:
                    return _error(kind, str(database_error(exc, ws.path)), 503)
                except TextmineError as exc:
                    return _error(kind, str(exc), 400)
                finally:
                    conn.close()

            async def endpoint(request: Request) -> Response:
                session = ws.session(request)
                if session is None:
                    return _denied(ws, request, kind)
                if writes:
                    if not _same(request.headers.get("x-csrf-token"), session["csrf"]):
                        return JSONResponse({"error": "Missing or wrong CSRF token; reload "
                                             "the page."}, status_code=403)  # fmt: skip
                    if not request.headers.get("content-type", "").startswith(
                            "application/json"):
                        return JSONResponse({"error": "Writes are JSON requests."},
                                            status_code=415)  # fmt: skip
                    try:
                        body = json.loads(await request.body() or b"null")
                    except ValueError:
                        body = None
                    if not isinstance(body, dict):
                        return JSONResponse({"error": "Send a JSON object."}, status_code=400)
                    request.state.body = body
                if session["coder"] is None and not kind.endswith("-coder"):
                    if page:
                        return RedirectResponse("/coder", status_code=303)
                    return JSONResponse({"error": "Choose your coder name first."},
                                        status_code=403)  # fmt: skip
                # SQLite calls block: they run in the thread pool, never on the event loop.
                return await run_in_threadpool(run, request, session)

            return endpoint

        return wrap

    def _error(kind: str, message: str, status: int) -> Response:
        if kind.startswith("page"):
            return ws.render("message.html", status_code=status, title="Error", message=message)
        return JSONResponse({"error": message}, status_code=status)

    # -- entry and sessions ------------------------------------------------------------------
    def home(request: Request) -> Response:
        given = request.query_params.get("token")
        coder = request.query_params.get("coder")
        if given is not None:
            if not _same(given, ws.token):
                return ws.render("message.html", status_code=403, title="Wrong token",
                                 message="This link's access token is not the server's; open "
                                 "the URL printed by 'textmine workspace serve'.")  # fmt: skip
            if ws.password is not None:
                return ws.render("login.html", token=given)
            if coder:
                try:
                    coder = check_coder_name(coder)
                except DataError as exc:
                    return ws.render("message.html", status_code=400, title="Error",
                                     message=str(exc))
            response = RedirectResponse("/next", status_code=303)
            _set_cookie(response, ws.new_session(coder or None))
            return response
        if ws.session(request) is None:
            return _denied(ws, request, "page")
        return RedirectResponse("/next", status_code=303)

    async def login(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "Send JSON."}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "Send a JSON object."}, status_code=400)
        if not _same(str(body.get("token", "")), ws.token) or not _same(
                str(body.get("password", "")), ws.password or ""):
            return JSONResponse({"error": "Wrong token or password."}, status_code=403)
        response = JSONResponse({"ok": True, "next": "/next"})
        _set_cookie(response, ws.new_session(None))
        return response

    @guarded("page-coder")
    def coder_page(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        coders = [r[0] for r in conn.execute("SELECT name FROM coders ORDER BY name")]
        return ws.render("coder.html", coders=coders, csrf=session["csrf"],
                         coder=session["coder"] or "")  # fmt: skip

    @guarded("write-coder")
    def set_coder(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        body = _json(request)
        session["coder"] = check_coder_name(str(body.get("coder", "")))
        return JSONResponse({"ok": True, "coder": session["coder"]})

    # -- pages -------------------------------------------------------------------------------
    @guarded("page")
    def next_answer(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        filters = _filters(request, conn)
        after = request.query_params.get("after", "")
        # The one call site of the queue's choice: swap in textmine.coding.active.select_next
        # (branch codernext) here at merge, keeping its (conn, filters, coder, after) contract.
        found = queries.select_next(conn, filters, session["coder"],
                                    int(after) if after.isdigit() else None)
        return _show(found, filters, request, session, conn)

    @guarded("page")
    def previous_answer(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        filters = _filters(request, conn)
        before = request.query_params.get("before", "")
        found = queries.select_previous(conn, filters, session["coder"],
                                        int(before)) if before.isdigit() else None
        if found is None and before.isdigit():
            found = int(before)
        return _show(found, filters, request, session, conn)

    def _show(found: int | None, filters: Filters, request: Request, session: dict,
              conn: sqlite3.Connection) -> Response:
        if found is None:
            return ws.render("answer.html", answer=None, state=None,
                             **_page_context(ws, conn, session, filters))
        query = urlencode(filters.query())
        return RedirectResponse(f"/a/{found}?{query}", status_code=303)

    @guarded("page")
    def answer_page(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        filters = _filters(request, conn)
        answer_id = int(request.path_params["answer_id"])
        row = queries.answer(conn, answer_id)
        if row is None:
            return ws.render("message.html", status_code=404, title="Not found",
                             message=f"Answer {answer_id} is not in this workspace.")
        if row["question"] != filters.question:
            filters = Filters(question=row["question"])
        state = queries.coding_state(conn, answer_id, session["coder"])
        names = queries.code_names(conn)
        closed = json.loads(row["closed"])
        labels = {q["name"]: q["label"] for q in ws.closed_questions(conn)}
        return ws.render(
            "answer.html", answer=row, state=state, state_json=state,
            closed=[(labels.get(k, k), v) for k, v in closed.items() if v],
            others={c: [names.get(i, "?") for i in ids] for c, ids in state["others"].items()},
            **_page_context(ws, conn, session, filters),
        )

    @guarded("page")
    def list_page(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        filters = _filters(request, conn)
        rows = queries.answer_list(conn, filters, session["coder"], limit=200)
        word = filters.search
        lines = []
        for r in rows:
            left = middle = right = ""
            if word:
                m = re.search(re.escape(word), r["text"], flags=re.IGNORECASE)
                if m:
                    left = r["text"][max(0, m.start() - 60):m.start()]
                    middle, right = m.group(0), r["text"][m.end():m.end() + 60]
            lines.append({"row": r, "left": left, "middle": middle, "right": right})
        return ws.render("list.html", lines=lines,
                         n=queries.count_matching(conn, filters, session["coder"]),
                         **_page_context(ws, conn, session, filters))  # fmt: skip

    @guarded("page")
    def agreement_page(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        filters = _filters(request, conn)
        frames, names, ids = queries.coded_frames(conn, filters.question)
        coders = sorted(frames)
        a = request.query_params.get("a") or (coders[0] if coders else "")
        b = request.query_params.get("b") or (coders[1] if len(coders) > 1 else "")
        table, disagreements, message = [], [], ""
        if a in frames and b in frames and a != b:
            A, B = _wide(frames[a], names), _wide(frames[b], names)
            try:
                result = coder_agreement(A, B, ids=ids, codes=names)
            except DataError as exc:
                message = str(exc)
            else:
                alpha_all = _alpha_all(frames, names, ids)
                for rec in result.to_dict("records"):
                    rec["alpha_all"] = alpha_all.get(rec["code"])
                    table.append(rec)
                id_of = {r[1]: r[0] for r in conn.execute(
                    "SELECT id, respondent_id FROM answers WHERE question = ?",
                    (filters.question,))}  # fmt: skip
                for rid in [i for i in frames[a] if i in frames[b]]:
                    if frames[a][rid] != frames[b][rid]:
                        disagreements.append({
                            "answer_id": id_of[rid], "respondent_id": rid,
                            "a": sorted(frames[a][rid]), "b": sorted(frames[b][rid]),
                        })  # fmt: skip
        elif len(coders) < 2:
            message = "Agreement needs two coders who coded the same answers."
        elif a == b:
            message = f"Both coders are {a}: choose two different coders."
        else:
            message = "Choose two coders of this question."
        return ws.render("agreement.html", table=table, disagreements=disagreements,
                         coders=coders, a=a, b=b, message=message, all_codes=ALL_CODES,
                         **_page_context(ws, conn, session, filters))  # fmt: skip

    @guarded("page")
    def codes_page(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        filters = _filters(request, conn)
        counts = dict(conn.execute("SELECT code_id, COUNT(*) FROM codings GROUP BY code_id"))
        memos = {r[0]: r[1] for r in conn.execute(
            "SELECT target_id, text FROM memos WHERE target = 'code' AND coder = ?",
            (session["coder"],))}  # fmt: skip
        memo_versions = {r[0]: r[1] for r in conn.execute(
            "SELECT target_id, version FROM memos WHERE target = 'code' AND coder = ?",
            (session["coder"],))}  # fmt: skip
        names = queries.code_names(conn)
        history = []
        for r in conn.execute("SELECT * FROM code_history ORDER BY id DESC LIMIT 200"):
            history.append({"time": r["time"], "coder": r["coder"], "operation": r["operation"],
                            "code": names.get(r["code_id"], "?"),
                            "detail": history_detail(json.loads(r["detail"]), names)})
        return ws.render("codes.html", all_codes=queries.codes(conn, include_inactive=True),
                         counts=counts, memos=memos, memo_versions=memo_versions,
                         history=history, names=names,
                         **_page_context(ws, conn, session, filters))  # fmt: skip

    # -- the JSON API ------------------------------------------------------------------------
    @guarded("read")
    def state_api(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        return JSONResponse(queries.coding_state(conn, int(request.path_params["answer_id"]),
                                                 session["coder"]))

    @guarded("write")
    def coding_api(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        body = _json(request)
        state = edits.change_coding(
            conn, _int(body, "answer_id"), session["coder"], version=_int(body, "version"),
            action=str(body.get("action", "")),
            code_id=_int(body, "code_id") if body.get("code_id") is not None else None,
            codes=_ints(body, "codes") if body.get("codes") is not None else None,
        )  # fmt: skip
        ws.refitter.maybe_start(conn)  # starts a thread, never waits for it
        return JSONResponse(state)

    @guarded("write")
    def undo_api(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        body = _json(request)
        # The answer and version the page shows (older pages send none).
        seen = ((_int(body, "answer_id"), _int(body, "version"))
                if body.get("answer_id") is not None and body.get("version") is not None
                else None)  # fmt: skip
        state = edits.undo(conn, session["coder"], seen=seen)
        if state is None:
            return JSONResponse({"error": "Nothing to undo."}, status_code=400)
        return JSONResponse(state)

    @guarded("write")
    def memo_api(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        body = _json(request)
        return JSONResponse(edits.save_memo(
            conn, str(body.get("target", "")), _int(body, "target_id"), session["coder"],
            str(body.get("text", "")), version=_int(body, "version")))

    @guarded("write")
    def codes_api(request: Request, session: dict, conn: sqlite3.Connection) -> Response:
        body = _json(request)
        op, coder = request.path_params["op"], session["coder"]
        if op == "add":
            parent = body.get("parent_id")
            new = edits.add_code(conn, str(body.get("name", "")), coder,
                                 parent_id=_int(body, "parent_id")
                                 if parent not in (None, "") else None)  # fmt: skip
            return JSONResponse({"ok": True, "code_id": new})
        code_id, version = _int(body, "code_id"), _int(body, "version")
        if op == "rename":
            edits.rename_code(conn, code_id, str(body.get("name", "")), coder, version=version)
            return JSONResponse({"ok": True})
        if op == "merge":
            moved = edits.merge_code(conn, code_id, _int(body, "into_id"), coder, version=version)
            return JSONResponse({"ok": True, "codings_moved": moved})
        if op == "split":
            names = str(body.get("names", "")).splitlines()
            return JSONResponse({"ok": True, "code_ids": edits.split_code(
                conn, code_id, names, coder, version=version)})
        return JSONResponse({"error": f"Unknown operation {op!r}."}, status_code=404)

    routes = [
        Route("/", home),
        Route("/login", login, methods=["POST"]),
        Route("/coder", coder_page),
        Route("/api/coder", set_coder, methods=["POST"]),
        Route("/next", next_answer),
        Route("/prev", previous_answer),
        Route("/a/{answer_id:int}", answer_page),
        Route("/list", list_page),
        Route("/agreement", agreement_page),
        Route("/codes", codes_page),
        Route("/api/state/{answer_id:int}", state_api),
        Route("/api/coding", coding_api, methods=["POST"]),
        Route("/api/undo", undo_api, methods=["POST"]),
        Route("/api/memo", memo_api, methods=["POST"]),
        Route("/api/codes/{op}", codes_api, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(RESOURCES / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders),
                    Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))],
    )  # fmt: skip
    app.state.workspace = ws
    return app


def _denied(ws: Workspace, request: Request, kind: str) -> Response:
    message = ("This workspace needs its access link: open the URL printed by 'textmine "
               "workspace serve' (it holds ?token=...).")
    if kind.startswith("page"):
        return ws.render("message.html", status_code=401, title="Access link needed",
                         message=message)
    return JSONResponse({"error": message}, status_code=401)


def _set_cookie(response: Response, sid: str) -> None:
    response.set_cookie(COOKIE, sid, httponly=True, samesite="strict", path="/")


def history_detail(detail: dict, names: dict[int, str]) -> str:
    """A code-history detail as the page reads it: ``key: value`` pairs, names not ids.

    The JSON itself (``{"name": "Propret\\u00e9", "parent_id": null}``) is for programs;
    ids of codes are given by name, lists joined, empty values left out.
    """
    parts = []
    for key, value in detail.items():
        if value is None or value == [] or value == "":
            continue
        if key.endswith(("_id", "_ids")) and key.rsplit("_", 1)[0] in detail:
            continue  # the names are given beside them ("into", "into_id")
        if key.endswith("_id") and isinstance(value, int):
            key, value = key[:-3], names.get(value, value)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)


def _json(request: Request) -> dict:
    """The request's JSON object (read by the guard before the handler's thread starts)."""
    return request.state.body


def _int(body: dict, key: str) -> int:
    """Field ``key`` of a JSON body as a row id or version (one line on anything else)."""
    return _whole(body.get(key), key)


def _ints(body: dict, key: str) -> list[int]:
    """Field ``key`` as a list of whole numbers (a string is not a list of digits)."""
    values = body.get(key)
    if not isinstance(values, list):
        raise DataError(f"Field '{key}' must be a list of whole numbers.")
    return [_whole(v, key) for v in values]


def _whole(value: object, key: str) -> int:
    # Only JSON integers (or their decimal text) within SQLite's 64-bit range: a float, a
    # boolean or a huge number is a malformed request, answered in one line, never a 500.
    if isinstance(value, str) and value.strip().lstrip("-").isdecimal():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
        raise DataError(f"Field '{key}' must be a whole number.")
    return value


def _wide(coded: dict[str, set[str]], names: list[str]):
    """0/1 frame (respondents x codes) of one coder's codings."""
    import pandas as pd

    ids = list(coded)
    return pd.DataFrame([[int(n in coded[i]) for n in names] for i in ids],
                        index=pd.Index(ids, dtype=object), columns=names, dtype=int)


def _alpha_all(frames: dict[str, dict[str, set[str]]], names: list[str],
               ids: list[str]) -> dict[str, float]:
    """Krippendorff's alpha of every coder together, per code (missing where not coded)."""
    import numpy as np

    coders = sorted(frames)
    units = sorted({i for f in frames.values() for i in f})
    out = {}
    for name in names:
        data = np.full((len(coders), len(units)), np.nan)
        for k, c in enumerate(coders):
            for j, u in enumerate(units):
                if u in frames[c]:
                    data[k, j] = float(name in frames[c][u])
        out[name] = krippendorff_alpha(data) if units else float("nan")
    return out
