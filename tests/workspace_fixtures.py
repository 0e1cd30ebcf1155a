"""A small coding workspace written without spaCy, for the workspace tests.

Answers are short French sentences about three subjects (tools, means, time) with their terms
(lower-case words), a closed question, and one hostile answer that must show as text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from starlette.testclient import TestClient

from textmine.codebook import Codebook, CodebookTheme
from textmine.workspace.build import fill_workspace
from textmine.workspace.db import create_database

HOSTILE = "<img src=x onerror=alert(1)>"

SUBJECTS = {
    "Outils": ["la visio teams marche bien", "nous avons adopté zoom et teams",
               "les outils collaboratifs en ligne", "un drive partagé et la visio"],
    "Moyens": ["pas assez de moyens humains", "manque de matériel et de budget",
               "seule au service sans moyens", "il manque un ordinateur portable"],
    "Temps": ["pas le temps de tout faire", "des journées trop longues sans temps",
              "le temps manque pour les élus", "du temps pour souffler enfin"],
}
CODES = list(SUBJECTS)


def answers_frame(n: int = 60) -> tuple[pd.DataFrame, dict[str, str]]:
    """``n`` answers cycling over the subjects (plus the hostile one); truth by respondent."""
    rows, truth = [], {}
    for i in range(n):
        code = CODES[i % 3]
        text = SUBJECTS[code][(i // 3) % 4] + f" ({i})"
        rid = f"R{i:03d}"
        rows.append((rid, text, text, " ".join(re.findall(r"[a-zéè]+", text.lower())), "ok"))
        truth[rid] = code
    rid = f"R{n:03d}"
    rows.append((rid, HOSTILE, HOSTILE, "img src onerror alert", "ok"))
    frame = pd.DataFrame(rows, columns=["respondent_id", "text", "masked", "terms", "status"])
    return frame, truth


def make_workspace(folder: Path, n: int = 60, *, coder: str = "alice") -> Path:
    """Write a workspace of ``n`` + 1 answers to question ``q1`` into ``folder/project.tmdb``."""
    path = Path(folder) / "project.tmdb"
    frame, _ = answers_frame(n)
    ids = frame["respondent_id"].tolist()
    sizes = {rid: ["Petite" if i % 2 else "Grande"] for i, rid in enumerate(ids)}
    conn = create_database(path)
    fill_workspace(
        conn, respondent_ids=ids, closed={"taille": ("Taille", "single", sizes)},
        answers={"q1": ("Question 1", frame)},
        codebook=Codebook(themes=tuple(CodebookTheme(name=c) for c in CODES)), coder=coder,
        source={"path": "synthetic"},
    )  # fmt: skip
    conn.close()
    return path


class Browser:
    """An in-process client logged in as one coder, with the page's CSRF token."""

    def __init__(self, app, coder: str, token: str = "secret-token") -> None:
        self.client = TestClient(app, base_url="http://127.0.0.1")
        page = self.client.get(f"/?token={token}&coder={coder}")
        assert page.status_code == 200, page.text
        self.page = page
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)

    def post(self, url: str, body: dict):
        return self.client.post(url, json=body, headers={"X-CSRF-Token": self.csrf})

    def code(self, answer_id: int, code_id: int, version: int):
        return self.post("/api/coding", {"answer_id": answer_id, "version": version,
                                         "action": "toggle", "code_id": code_id})
