"""Screenshot of the coding workspace on the demo survey (docs/workspace_screenshot.png).

Builds a workspace from ``data/demo_survey.csv`` (question ``q_evolution``, codebook
``data/codebook_evolution.yaml``) with the themes of a ``textmine themes`` run on the same
question (the page's theme filter), imports the planted codes of 80 answers (``demo_truth.csv``)
as coder ``alice``, a second coder's codes of 40 of them, refits the coder, serves the workspace
and photographs the next answer's page in headless Chromium (Debian's ``chromium`` driven by
Playwright, no browser download).

Usage: python scripts/screenshot_workspace.py [--out docs/workspace_screenshot.png]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import uvicorn
from playwright.sync_api import sync_playwright

from textmine.config import ReadOptions
from textmine.pipeline.workspace_run import (
    run_workspace_import,
    run_workspace_init,
    run_workspace_refit,
)
from textmine.workspace.app import build_app

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "workspace_screenshot.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project = tmp / "demo.tmdb"
        survey = REPO / "data" / "demo_survey.csv"
        subprocess.run([sys.executable, "-m", "textmine.cli", "themes", str(survey),
                        "--text-col", "q_evolution", "--id-col", "id", "--out",
                        str(tmp / "themes"), "--stability", "0"], check=True)  # fmt: skip
        run_workspace_init(project, survey_path=survey,
                           text_cols=["q_evolution"], read_options=ReadOptions(id_col="id"),
                           codebook_path=REPO / "data" / "codebook_evolution.yaml",
                           coder="alice", themes_run=tmp / "themes")  # fmt: skip
        truth = pd.read_csv(REPO / "data" / "demo_truth.csv", dtype=str, keep_default_na=False)
        truth = truth[(truth["question"] == "q_evolution") & (truth["status"] == "themed")]
        rows = [(r.respondent_id, code) for r in truth.head(80).itertuples()
                for code in r.themes.split(";")]
        labels = tmp / "alice.csv"
        pd.DataFrame(rows, columns=["respondent_id", "code"]).to_csv(labels, index=False)
        run_workspace_import(project, labels, coder="alice")
        second = tmp / "bob.csv"
        bob = [(rid, code) for rid, code in rows if int(rid[1:]) % 7][:40]
        pd.DataFrame(bob, columns=["respondent_id", "code"]).to_csv(second, index=False)
        run_workspace_import(project, second, coder="bob")
        run_workspace_refit(project)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(build_app(project, token="shot"), port=port,
                                               log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 760})
            page.goto(f"http://127.0.0.1:{port}/?token=shot&coder=alice")
            page.wait_for_selector("#answer")
            page.keyboard.press("2")
            page.wait_for_selector("#codes button.code.on")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
        server.should_exit = True
        thread.join(10)
    print(f"screenshot written to {args.out}")


if __name__ == "__main__":
    main()
