"""Inject faults into real textmine runs and print what happened (issue 20, docs/robustness.md).

Each case runs ``textmine parse`` on a small generated survey in a temporary folder, through a
real subprocess (``python -c "from textmine.cli import main; main()"`` with this source tree
first on ``PYTHONPATH``) and real signals, then reports the exit code, the first line of stderr
and what is left on disk beside ``--out``::

    python scripts/fault_injection.py            # every case
    python scripts/fault_injection.py sigterm    # cases whose name contains "sigterm"
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENTRY = "import sys; sys.argv[0] = 'textmine'; from textmine.cli import main; main()"


@dataclass
class Outcome:
    """Result of one case: exit code, first stderr line, names left in the work folder."""

    case: str
    code: int | None
    first_line: str
    left: str


def write_survey(path: Path, n: int = 1500) -> Path:
    """A survey of ``n`` short French answers (a run of a few seconds)."""
    words = ["télétravail", "visio", "moyens humains", "DSI débordée", "réseaux sociaux",
             "communication interne", "matériel", "webinaires", "élus", "newsletters"]
    lines = ["id,reponse"] + [f'{i},"Manque de {words[i % 10]} et de {words[(i * 7) % 10]}"'
                              for i in range(1, n + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start(args: list[str], work: Path, cwd: Path | None = None) -> subprocess.Popen:
    """Start ``textmine ARGS`` in a child process (cache inside ``work``)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "TEXTMINE_CACHE_DIR": str(work / "cache")}
    return subprocess.Popen([sys.executable, "-c", ENTRY, *args], cwd=cwd or work, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen, timeout: float = 300) -> bool:
    """Poll ``condition`` until true; False if ``proc`` ends or the time runs out first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def finish(case: str, proc: subprocess.Popen, work: Path) -> Outcome:
    """Wait for ``proc`` and describe the outcome."""
    _, err = proc.communicate(timeout=900)
    lines = err.decode(errors="replace").strip().splitlines()
    first = next((ln for ln in lines if not ln.startswith("WARNING")), lines[0] if lines else "")
    left = sorted(p.name for p in work.iterdir() if p.name not in ("cache", "s.csv"))
    return Outcome(case, proc.returncode, first[:110], ", ".join(left) or "(nothing)")


def parse_args(survey: Path, out: Path, *extra: str) -> list[str]:
    return ["parse", str(survey), "--text-col", "reponse", "--out", str(out), *extra]


def previous_output(out: Path) -> None:
    """A folder as an earlier textmine run left it."""
    out.mkdir()
    (out / ".textmine-output").write_text(json.dumps({"tool": "textmine"}), encoding="utf-8")
    (out / "terms.csv").write_text("old\n", encoding="utf-8")


def case_signal(signum: int) -> Callable[[Path], Outcome]:
    def run(work: Path) -> Outcome:
        survey, out = write_survey(work / "s.csv"), work / "out"
        proc = start(parse_args(survey, out), work)
        wait_for(lambda: any(p.name.startswith(".out.tmp-") for p in work.iterdir()), proc)
        proc.send_signal(signum)
        return finish(f"{signal.Signals(signum).name} mid-run", proc, work)
    return run


def case_sigint_start_up(work: Path) -> Outcome:
    proc = start(parse_args(write_survey(work / "s.csv"), work / "out"), work)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    return finish("SIGINT during start-up (0.3 s)", proc, work)


def case_sigkill_rerun(work: Path) -> Outcome:
    survey, out = write_survey(work / "s.csv"), work / "out"
    previous_output(out)
    proc = start(parse_args(survey, out, "--force"), work)
    wait_for(lambda: any(p.name.startswith(".out.tmp-") for p in work.iterdir()), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = finish("SIGKILL during a --force rerun, then a new run", start(
        parse_args(survey, work / "other"), work), work)
    after.left += f"; out/terms.csv: {(out / 'terms.csv').read_text().strip()!r}"
    return after


def case_force_user_folder(work: Path) -> Outcome:
    documents = work / "Documents"
    documents.mkdir()
    (documents / "these.docx").write_text("x", encoding="utf-8")
    proc = start(parse_args(write_survey(work / "s.csv"), documents, "--force"), work)
    return finish("--force on a folder textmine did not write", proc, work)


def case_project_outside(work: Path) -> Outcome:
    write_survey(work / "s.csv")
    (work / "textmine.toml").write_text('[survey]\npath = "s.csv"\n[output]\ndir = '
                                        '"../Documents"\n[[open]]\ncolumn = "reponse"\n',
                                        encoding="utf-8")
    proc = start(["run", str(work / "textmine.toml"), "--force"], work)
    return finish("project [output] dir = ../Documents", proc, work)


def case_two_runs(work: Path) -> Outcome:
    survey, out = write_survey(work / "s.csv"), work / "out"
    first = start(parse_args(survey, out), work)
    wait_for(lambda: (work / ".out.lock").is_file(), first)
    second = finish("second run on the same new --out", start(parse_args(survey, out), work),
                    work)
    first.communicate(timeout=900)
    second.left = f"after both: {', '.join(sorted(p.name for p in work.iterdir()))}"
    return second


def case_read_only_out(work: Path) -> Outcome:
    out = work / "out"
    previous_output(out)
    out.chmod(0o555)
    try:
        proc = start(parse_args(write_survey(work / "s.csv"), out, "--force"), work)
        outcome = finish("--out read-only with --force" + (" (root: ignored)"
                                                            if os.geteuid() == 0 else ""),
                         proc, work)
    finally:
        out.chmod(0o755)
    return outcome


def case_cache_000(work: Path) -> Outcome:
    (work / "cache").mkdir()
    (work / "cache").chmod(0)
    try:
        proc = start(parse_args(write_survey(work / "s.csv", 50), work / "out"), work)
        return finish("cache folder mode 000" + (" (root: ignored)" if os.geteuid() == 0
                                                  else ""), proc, work)
    finally:
        (work / "cache").chmod(0o755)


def case_deleted_cwd(work: Path) -> Outcome:
    gone = work / "gone"
    gone.mkdir()
    proc = start(parse_args(write_survey(work / "s.csv", 50), Path("rel-out")), work, cwd=gone)
    gone.rmdir()
    return finish("current folder deleted", proc, work)


CASES: dict[str, Callable[[Path], Outcome]] = {
    "sigint": case_signal(signal.SIGINT),
    "sigterm": case_signal(signal.SIGTERM),
    "sighup": case_signal(signal.SIGHUP),
    "sigint-start-up": case_sigint_start_up,
    "sigkill-rerun": case_sigkill_rerun,
    "force-user-folder": case_force_user_folder,
    "project-outside": case_project_outside,
    "two-runs": case_two_runs,
    "read-only-out": case_read_only_out,
    "cache-000": case_cache_000,
    "deleted-cwd": case_deleted_cwd,
}


def main(argv: list[str]) -> int:
    """Run the selected cases (all without arguments) and print a Markdown table."""
    selected = [n for n in CASES if not argv or any(a in n for a in argv)]
    print("| case | exit | stderr (first line) | left beside --out |")
    print("|---|---|---|---|")
    for name in selected:
        with tempfile.TemporaryDirectory(prefix=f"fault-{name}-") as tmp:
            outcome = CASES[name](Path(tmp))
        print(f"| {outcome.case} | {outcome.code} | {outcome.first_line} | {outcome.left} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
