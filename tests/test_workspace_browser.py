"""The workspace in a real browser: Debian's headless Chromium driven by Playwright.

Playwright's Python package drives the system Chromium (``/usr/bin/chromium``, installed by
``.ci/run``); no browser is downloaded. The tests skip only when that Chromium is absent.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from workspace_fixtures import HOSTILE, make_workspace

from textmine.workspace import db, queries
from textmine.workspace.app import build_app

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium"
                                        if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
TOKEN = "browser-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """A workspace served by uvicorn in a thread: (base URL, database path)."""
    import uvicorn

    project = make_workspace(tmp_path)
    port = _free_port()
    app = build_app(project, token=TOKEN)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", project
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _open(browser, base: str, coder: str):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/?token={TOKEN}&coder={coder}")
    page.wait_for_selector("#answer")
    page.wait_for_selector("body[data-ready]")
    return page, errors


def _wait_other(page, answer_id: int) -> None:
    """Wait for another answer's page (a CSS selector: the CSP forbids evaluated script)."""
    page.wait_for_selector(f'#answer:not([data-answer-id="{answer_id}"])')
    page.wait_for_selector("body[data-ready]")


def _answer_id(page) -> int:
    return int(page.get_attribute("#answer", "data-answer-id"))


def test_code_ten_answers_by_keyboard_then_reload(served, browser):
    base, project = served
    page, errors = _open(browser, base, "alice")
    seen = []
    for _ in range(10):
        aid = _answer_id(page)
        seen.append(aid)
        page.keyboard.press("1")
        page.wait_for_selector('#codes button.code.on[data-key="1"]')
        page.keyboard.press("n")
        _wait_other(page, aid)
    assert len(set(seen)) == 10
    page.reload()
    page.wait_for_selector("body[data-ready]")
    conn = db.connect(project)
    rows = conn.execute("SELECT answer_id, code_id FROM codings WHERE coder = 'alice'").fetchall()
    first_code = queries.codes(conn)[0]["id"]
    assert sorted(r[0] for r in rows) == sorted(seen)
    assert {r[1] for r in rows} == {first_code}
    conn.close()
    # Back to a coded answer with "p": its code is shown as given.
    page.goto(f"{base}/a/{seen[-1]}?q=q1")
    page.wait_for_selector("body[data-ready]")
    assert page.get_attribute('#codes button[data-key="1"]', "aria-pressed") == "true"
    page.keyboard.press("u")  # undo the last change
    page.wait_for_selector('#codes button[data-key="1"][aria-pressed="false"]')
    assert not errors


def test_two_coders_at_once_stale_edit_refused(served, browser):
    base, project = served
    first, _ = _open(browser, base, "alice")
    aid = _answer_id(first)
    second, _ = _open(browser, base, "alice")  # the same coder in another browser
    second.goto(f"{base}/a/{aid}?q=q1")
    second.wait_for_selector("body[data-ready]")
    bob, _ = _open(browser, base, "bob")
    bob.goto(f"{base}/a/{aid}?q=q1")
    bob.wait_for_selector("body[data-ready]")
    first.keyboard.press("1")
    first.wait_for_selector('#codes button.code.on[data-key="1"]')
    second.keyboard.press("2")  # made on a page that still shows version 0
    second.wait_for_selector("#message.bad")
    assert "changed elsewhere" in second.inner_text("#message")
    # The page now shows what is stored: code 1 on, code 2 off.
    assert second.get_attribute('#codes button[data-key="1"]', "aria-pressed") == "true"
    assert second.get_attribute('#codes button[data-key="2"]', "aria-pressed") == "false"
    bob.keyboard.press("3")  # another coder's own coding is no conflict
    bob.wait_for_selector('#codes button.code.on[data-key="3"]')
    conn = db.connect(project)
    alice = queries.coding_state(conn, aid, "alice")
    assert len(alice["codes"]) == 1 and alice["version"] == 1
    assert len(queries.coding_state(conn, aid, "bob")["codes"]) == 1
    conn.close()


def test_hostile_answer_is_shown_as_text(served, browser):
    base, project = served
    page, errors = _open(browser, base, "alice")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    conn = db.connect(project)
    aid = conn.execute("SELECT id FROM answers WHERE text = ?", (HOSTILE,)).fetchone()[0]
    conn.close()
    page.goto(f"{base}/a/{aid}?q=q1")
    assert page.inner_text("#answer-text") == HOSTILE
    assert page.locator("#answer-text img").count() == 0
    page.goto(f"{base}/list?q=q1&search=onerror")
    assert page.locator("table.list img").count() == 0
    page.wait_for_timeout(300)
    assert not dialogs and not errors


def test_accept_reject_memo_search_and_previous_by_keyboard(served, browser):
    base, project = served
    conn = db.connect(project)
    code_ids = [c["id"] for c in queries.codes(conn)]
    conn.execute("UPDATE answers SET suggested = ?", (f"[{code_ids[1]}]",))
    conn.close()
    page, errors = _open(browser, base, "alice")
    first = _answer_id(page)
    page.keyboard.press("Enter")  # accept the suggestion, go on
    _wait_other(page, first)
    second = _answer_id(page)
    page.keyboard.press("x")  # reject it, go on
    _wait_other(page, second)
    third = _answer_id(page)
    page.keyboard.press("m")
    page.wait_for_selector("#memo-box", state="visible")
    page.keyboard.type("réponse ambiguë")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#memo-box", state="hidden")
    # The memo shown under the answer follows the saved text, without a reload.
    page.wait_for_selector("#memo-shown", state="visible")
    assert page.inner_text("#memo-shown-text") == "réponse ambiguë"
    page.keyboard.press("p")  # back along the queue
    _wait_other(page, third)
    page.keyboard.press("/")
    page.wait_for_selector("#search:focus")
    page.keyboard.type("visio")
    page.keyboard.press("Enter")
    page.wait_for_url("**search=visio**")
    page.wait_for_selector("body[data-ready]")
    assert "visio" in page.inner_text("#answer-text")
    conn = db.connect(project)
    accepted = queries.coding_state(conn, first, "alice")
    assert accepted["codes"] == [code_ids[1]] and accepted["sources"] == {
        str(code_ids[1]): "model"}
    rejected = queries.coding_state(conn, second, "alice")
    assert rejected["coded"] and rejected["codes"] == []
    assert queries.coding_state(conn, third, "alice")["memo"] == "réponse ambiguë"
    conn.close()
    assert not errors


def test_filter_by_theme_and_numeric_modalities_in_the_page(served, browser):
    import pandas as pd
    from workspace_fixtures import answers_frame

    from textmine.workspace.build import set_themes

    base, project = served
    conn = db.connect(project)
    _, truth = answers_frame(60)
    with db.transaction(conn):
        set_themes(conn, question="q1", answers=pd.DataFrame({
            "respondent_id": list(truth), "theme_id": [
                {"Outils": 1, "Moyens": 2, "Temps": 3}[c] for c in truth.values()]}),
            themes=pd.DataFrame({"theme_id": [1, 2, 3], "label": ["outils", "moyens", "temps"]}),
            run="run", coder="alice")  # fmt: skip
        for i, rid in enumerate(truth):
            conn.execute("INSERT INTO closed_values VALUES ('age', ?, ?)", (str([2, 10, 9][i % 3]),
                                                                           rid))
        conn.execute("INSERT INTO closed_questions VALUES ('age', 'Âge', 'numeric', 9)")
    conn.close()
    page, errors = _open(browser, base, "alice")
    options = page.locator('select[name="closed"] optgroup[label="Âge"] option').all_inner_texts()
    assert options == ["2", "9", "10"]
    theme = page.locator('select[name="theme"] option', has_text="moyens").get_attribute("value")
    page.select_option('select[name="theme"]', label="moyens (20)")
    page.click('form.filters button[type="submit"]')
    page.wait_for_url("**theme=**")
    page.wait_for_selector("body[data-ready]")
    assert truth[page.inner_text("#respondent")] == "Moyens"
    page.keyboard.press("n")
    page.wait_for_selector("body[data-ready]")
    assert truth[page.inner_text("#respondent")] == "Moyens"
    page.goto(f"{base}/list?q=q1&theme={theme}")
    assert page.inner_text("main h2") == "20 answers"
    assert not errors
