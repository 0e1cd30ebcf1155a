// textmine workspace: keyboard-first coding. Plain JavaScript, no external resource.
// Answer texts and code names are only ever set with textContent (never as HTML).
"use strict";

(function () {
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrf = csrfMeta ? csrfMeta.content : "";
  const message = document.getElementById("message");

  function say(text, bad) {
    if (!message) return;
    message.textContent = text || "";
    message.classList.toggle("bad", !!bad);
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { error: "Server error " + response.status }; }
    return { ok: response.ok, status: response.status, data: data };
  }

  // Colours and the progress bar come from data attributes: the CSP forbids inline styles.
  document.querySelectorAll("[data-colour]").forEach(function (el) {
    el.style.backgroundColor = el.dataset.colour;
  });
  document.querySelectorAll(".fill[data-percent]").forEach(function (el) {
    el.style.width = Math.min(100, parseFloat(el.dataset.percent) || 0) + "%";
  });

  // -- login and coder pages -------------------------------------------------------------
  const login = document.getElementById("login-form");
  if (login) {
    login.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      const r = await post("/login", { token: login.dataset.token, password: document.getElementById("password").value });
      if (r.ok) { window.location.href = r.data.next; } else { say(r.data.error, true); }
    });
  }
  const coderForm = document.getElementById("coder-form");
  if (coderForm) {
    coderForm.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      const r = await post("/api/coder", { coder: document.getElementById("coder-name").value });
      if (r.ok) { window.location.href = "/next"; } else { say(r.data.error, true); }
    });
  }

  // -- codebook page ---------------------------------------------------------------------
  const codebook = document.getElementById("codebook");
  if (codebook) {
    codebook.addEventListener("click", async function (ev) {
      const button = ev.target.closest("button[data-op]");
      if (!button) return;
      const row = button.closest("tr");
      const id = parseInt(row.dataset.codeId, 10);
      const version = parseInt(row.dataset.version, 10);
      const op = button.dataset.op;
      let r;
      if (op === "rename") {
        r = await post("/api/codes/rename", { code_id: id, version: version, name: row.querySelector(".rename-name").value });
      } else if (op === "merge") {
        r = await post("/api/codes/merge", { code_id: id, version: version, into_id: parseInt(row.querySelector(".merge-into").value, 10) });
      } else if (op === "split") {
        r = await post("/api/codes/split", { code_id: id, version: version, names: row.querySelector(".split-names").value });
      } else if (op === "memo") {
        const memo = row.querySelector(".code-memo");
        r = await post("/api/memo", { target: "code", target_id: id, text: memo.value, version: parseInt(memo.dataset.version, 10) });
        if (r.ok) { memo.dataset.version = r.data.version; say("Memo saved."); return; }
      }
      if (r.ok) { window.location.reload(); } else { say(r.data.error, true); }
    });
    document.getElementById("add-code").addEventListener("submit", async function (ev) {
      ev.preventDefault();
      const r = await post("/api/codes/add", { name: document.getElementById("new-code").value, parent_id: document.getElementById("new-parent").value });
      if (r.ok) { window.location.reload(); } else { say(r.data.error, true); }
    });
  }

  // -- the coding page -------------------------------------------------------------------
  const answer = document.getElementById("answer");
  const stateNode = document.getElementById("state");
  const search = document.getElementById("search");
  if (!answer || !stateNode) {
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "/" && search && document.activeElement !== search) { ev.preventDefault(); search.focus(); }
    });
    return;
  }
  let state = JSON.parse(stateNode.textContent);
  let busy = false;
  const answerId = parseInt(answer.dataset.answerId, 10);
  const query = answer.dataset.query;
  const memoBox = document.getElementById("memo-box");
  const memo = document.getElementById("memo");

  function render() {
    document.querySelectorAll("#codes button.code").forEach(function (b) {
      const id = parseInt(b.dataset.codeId, 10);
      const on = state.codes.indexOf(id) >= 0;
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.classList.toggle("suggested", state.suggested.indexOf(id) >= 0);
    });
    answer.dataset.version = state.version;
    answer.classList.toggle("coded", state.coded);
  }

  async function change(body, thenNext) {
    if (busy) return;
    busy = true;
    try {
      body.answer_id = answerId;
      body.version = state.version;
      const r = await post("/api/coding", body);
      if (r.ok) {
        state = r.data;
        render();
        say(state.coded ? "Saved (" + state.codes.length + " code" + (state.codes.length === 1 ? "" : "s") + ")." : "Saved.");
        if (thenNext) go("next");
      } else if (r.status === 409 && r.data.current) {
        state = r.data.current;   // show what is stored now; the coder decides again
        render();
        say(r.data.error, true);
      } else {
        say(r.data.error || "Not saved.", true);
      }
    } finally {
      busy = false;
    }
  }

  function go(where) {
    if (where === "next") {
      window.location.href = "/next?after=" + answerId + (query ? "&" + query : "");
    } else {
      window.location.href = "/prev?before=" + answerId + (query ? "&" + query : "");
    }
  }

  async function undo() {
    // The version this page shows: an undo must not take back a change made in another tab.
    const r = await post("/api/undo", { answer_id: answerId, version: state.version });
    if (r.ok) {
      if (r.data.answer_id === answerId) { state = r.data; render(); say("Undone."); }
      else { window.location.href = "/a/" + r.data.answer_id + (query ? "?" + query : ""); }
    } else {
      if (r.data.current) { state = r.data.current; render(); }
      say(r.data.error, true);
    }
  }

  async function saveMemo() {
    const r = await post("/api/memo", { target: "answer", target_id: answerId, text: memo.value, version: state.memo_version });
    if (r.ok) { state.memo_version = r.data.version; showMemo(r.data.text); say("Memo saved."); memoBox.hidden = true; }
    else { if (r.data.current) { memo.value = r.data.current.text; state.memo_version = r.data.current.version; showMemo(r.data.current.text); } say(r.data.error, true); }
  }

  // The memo shown under the answer follows what is saved (no reload needed).
  function showMemo(text) {
    state.memo = text;
    document.getElementById("memo-shown-text").textContent = text;
    document.getElementById("memo-shown").hidden = !text;
  }

  document.getElementById("codes").addEventListener("click", function (ev) {
    const b = ev.target.closest("button.code");
    if (b) change({ action: "toggle", code_id: parseInt(b.dataset.codeId, 10) }, false);
  });
  document.getElementById("memo-save").addEventListener("click", saveMemo);
  memo.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); saveMemo(); }
    if (ev.key === "Escape") { memoBox.hidden = true; memo.blur(); }
  });

  document.addEventListener("keydown", function (ev) {
    const t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) {
      if (ev.key === "Escape") t.blur();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const key = ev.key;
    if (key >= "1" && key <= "9") {
      const b = document.querySelector('#codes button.code[data-key="' + key + '"]');
      if (b) { ev.preventDefault(); change({ action: "toggle", code_id: parseInt(b.dataset.codeId, 10) }, false); }
    } else if (key === "Enter") {
      ev.preventDefault();
      if (state.suggested.length) change({ action: "accept" }, true);
      else say("No suggestion to accept.", true);
    } else if (key === "x") {
      if (state.suggested.length) change({ action: "reject" }, true);
      else say("No suggestion to reject.", true);
    } else if (key === "n") {
      go("next");
    } else if (key === "p") {
      go("previous");
    } else if (key === "u") {
      undo();
    } else if (key === "/") {
      ev.preventDefault();
      search.focus();
      search.select();
    } else if (key === "m") {
      ev.preventDefault();
      memoBox.hidden = false;
      memo.focus();
    }
  });
  render();
  document.body.dataset.ready = "1";  // keys are handled from now on (tests wait for it)
})();
