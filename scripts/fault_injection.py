"""Inject faults into real textmine runs and print what happened (issue 20, docs/robustness.md).

Every case of issue 20 runs a real ``textmine`` command in a temporary folder, through a real
subprocess (``python -c "from textmine.cli import main; main()"`` with this source tree first
on ``PYTHONPATH``) and real signals, then reports the exit code, the first line of stderr (the
error, else the first warning, else what the command showed) and what is left on disk beside
``--out``. Output and signal cases run ``textmine parse`` on a small generated survey; input and
resource cases build the hostile file (long header, spreadsheet and codebook bombs, damaged or
unreadable cache, misleading hints) in the temporary folder. Paths of the temporary folder are
shown as ``…``::

    python scripts/fault_injection.py            # every case
    python scripts/fault_injection.py sigterm    # cases whose name contains "sigterm"
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
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


#: Longest message shown in the table.
WIDTH = 150


def first_line(err: str, work: Path, default: str = "") -> str:
    """The error line of ``err``, else its first warning, else ``default`` (work folder: …)."""
    lines = err.strip().splitlines()
    first = next((ln for ln in lines if not ln.startswith("WARNING")), lines[0] if lines else "")
    first = (first or default).replace(str(work.resolve()), "…").replace(str(work), "…")
    return first if len(first) <= WIDTH else first[: WIDTH - 1] + "…"


def left_in(work: Path, *inputs: str) -> str:
    """Names left in the work folder, besides the cache and the given inputs."""
    left = sorted(p.name for p in work.iterdir() if p.name not in ("cache", "s.csv", *inputs))
    return ", ".join(left) or "(nothing)"


def finish(case: str, proc: subprocess.Popen, work: Path) -> Outcome:
    """Wait for ``proc`` and describe the outcome."""
    _, err = proc.communicate(timeout=900)
    return Outcome(case, proc.returncode, first_line(err.decode(errors="replace"), work),
                   left_in(work))


def run_cli(args: list[str], work: Path) -> subprocess.CompletedProcess:
    """Run ``textmine ARGS`` to its end (cache inside ``work``); stdout and stderr as text."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "TEXTMINE_CACHE_DIR": str(work / "cache")}
    return subprocess.run([sys.executable, "-c", ENTRY, *map(str, args)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=900, check=False)


def outcome(case: str, done: subprocess.CompletedProcess, work: Path, *, shown: str = "",
            inputs: tuple[str, ...] = ()) -> Outcome:
    """Describe a finished run; ``shown`` stands for stderr when the run said nothing."""
    return Outcome(case, done.returncode, first_line(done.stderr, work, shown),
                   left_in(work, *inputs))


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
    # Python's own start-up (before textmine.cli.main installs the handler) takes 0.05 s on an
    # idle machine and far longer on a busy one: measure it, then interrupt the imports.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    began = time.monotonic()
    subprocess.run([sys.executable, "-c", "import textmine.cli"], env=env, check=True)
    delay = time.monotonic() - began + 0.3
    proc = start(parse_args(write_survey(work / "s.csv"), work / "out"), work)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    return finish(f"SIGINT during start-up ({delay:.1f} s, imports)", proc, work)


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


# --- inputs and resources -----------------------------------------------------------------

def case_long_header(work: Path) -> Outcome:
    names = ["id"] + [f"q{j:03d}. Dans quelle mesure êtes-vous d'accord avec l'affirmation "
                      f"suivante sur votre service (item {j:03d}) ?" for j in range(1, 702)]
    lines = [";".join(f'"{n}"' for n in names)]
    lines += [";".join([f"r{i:02d}"] + [str((i + j) % 5) for j in range(1, 702)])
              for i in range(20)]
    (work / "ls.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_cli(["inspect", "ls.csv", "--id-col", "id"], work)
    table = done.stdout.split("\n\n", 1)[-1].strip().splitlines()
    header = len(lines[0].encode("utf-8")) // 1024
    return outcome(f"CSV header of {header} KiB (702 columns, LimeSurvey-like)", done, work,
                   shown=f"(inspect) {max(len(table) - 1, 0)} columns read, ids: column 'id'",
                   inputs=("ls.csv",))


def _xlsx_with_sheet(work: Path, name: str, sheet_xml: Callable[[zipfile.ZipFile], None]) -> Path:
    """An .xlsx written by pandas whose first sheet is replaced by ``sheet_xml``'s member."""
    import pandas as pd

    plain = work / "plain.xlsx"
    pd.DataFrame({"id": ["r1", "r2"], "avis": ["Trop de visio", "Rien"]}).to_excel(
        plain, index=False)
    path = work / name
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                sheet_xml(zout)
            else:
                zout.writestr(info.filename, zin.read(info))
    plain.unlink()
    return path


_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
               'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')


def case_xlsx_huge_cell(work: Path) -> Outcome:
    def sheet(zout: zipfile.ZipFile) -> None:  # one cell of 994 MiB, streamed
        with zout.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write((_SHEET_HEAD + '<row r="1"><c r="A1" t="inlineStr"><is><t>').encode())
            chunk = b"0" * (1 << 20)
            for _ in range(994):
                member.write(chunk)
            member.write(b"</t></is></c></row></sheetData></worksheet>")

    path = _xlsx_with_sheet(work, "cell.xlsx", sheet)
    size = path.stat().st_size / 1e6
    done = run_cli(["inspect", path.name], work)
    return outcome(f".xlsx of {size:.1f} MB holding one 994 MiB cell", done, work,
                   inputs=(path.name,))


def case_xlsx_many_cells(work: Path) -> Outcome:
    rows = '<row r="1"><c r="XFD1"><v>1</v></c></row><row r="2000"><c r="A2000"><v>1</v></c></row>'
    path = _xlsx_with_sheet(work, "wide.xlsx", lambda z: z.writestr(
        "xl/worksheets/sheet1.xml", _SHEET_HEAD + rows + "</sheetData></worksheet>"))
    done = run_cli(["inspect", path.name], work)
    return outcome(".xlsx with 16,384-cell rows (2,000 rows x 16,384 columns)", done, work,
                   inputs=(path.name,))


def case_ods_repeated(work: Path) -> Outcome:
    import pandas as pd

    plain = work / "plain.ods"
    pd.DataFrame({"id": ["r1", "r2"], "avis": ["Trop de visio", "Rien"]}).to_excel(
        plain, index=False, engine="odf")
    path = work / "repeat.ods"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "content.xml":
                data = data.decode("utf-8").replace(
                    "<table:table-cell ",
                    '<table:table-cell table:number-columns-repeated="300000000" ', 1).encode()
            zout.writestr(info, data)
    plain.unlink()
    done = run_cli(["inspect", path.name], work)
    return outcome(f'.ods of {path.stat().st_size / 1e3:.0f} KB, number-columns-repeated='
                   '"300000000"', done, work, inputs=(path.name,))


def _codebook_case(work: Path, case: str, name: str, text: str) -> Outcome:
    (work / name).write_text(text, encoding="utf-8")
    write_survey(work / "s.csv", 50)
    done = run_cli(["themes", "s.csv", "--text-col", "reponse", "--codebook", name,
                    "--out", "out"], work)
    return outcome(case, done, work, inputs=(name,))


def case_codebook_deep(work: Path) -> Outcome:
    text = "themes: [{name: A, seeds: " + "[" * 500 + "x" + "]" * 500 + "}]\n"
    return _codebook_case(work, f"codebook nesting 500 levels ({len(text)} bytes of YAML)",
                          "deep.yaml", text)


def case_codebook_deep_qdc(work: Path) -> Outcome:
    codes = "".join(f'<Code guid="g{i}" name="c{i}" isCodable="true">' for i in range(500))
    text = ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
            f"<Codes>{codes}{'</Code>' * 500}</Codes></CodeBook>")
    return _codebook_case(work, "REFI-QDA codebook nesting 500 codes", "deep.qdc", text)


def case_codebook_seeds(work: Path) -> Outcome:
    text = "themes:\n- name: A\n  seeds:\n" + "".join(f"  - mot{i}\n" for i in range(2_000_000))
    start_time = time.monotonic()
    result = _codebook_case(work, "codebook with 2,000,000 seeds", "seeds.yaml", text)
    result.case += f" ({time.monotonic() - start_time:.0f} s with start-up)"
    return result


def case_codebook_seeds_small(work: Path) -> Outcome:
    text = "themes:\n- name: A\n  seeds:\n" + "".join(f"  - m{i}\n" for i in range(400_000))
    start_time = time.monotonic()
    result = _codebook_case(work, f"codebook with 400,000 seeds ({len(text) / 2**20:.1f} MiB)",
                            "seeds.yaml", text)
    result.case += f" ({time.monotonic() - start_time:.0f} s with start-up)"
    return result


def _terms_digest(out: Path) -> str:
    return hashlib.sha256((out / "terms.csv").read_bytes()).hexdigest()[:12]


def case_cache_meta_bitflip(work: Path) -> Outcome:
    survey = write_survey(work / "s.csv", 50)
    first = run_cli(parse_args(survey, work / "a"), work)
    metas = sorted((work / "cache").rglob("meta.json"))
    for meta in metas:  # three bit flips in the middle of the record
        raw = bytearray(meta.read_bytes())
        for pos in (len(raw) // 4, len(raw) // 2, 3 * len(raw) // 4):
            raw[pos] ^= 0x04
        meta.write_bytes(bytes(raw))
    done = run_cli(parse_args(survey, work / "b"), work)
    same = first.returncode == 0 and _terms_digest(work / "a") == _terms_digest(work / "b")
    result = outcome(f"cache meta.json with 3 bit flips ({len(metas)} entries)", done, work)
    result.left += f"; terms.csv {'identical' if same else 'DIFFERENT'} to the undamaged run"
    return result


def case_cache_entry_unreadable(work: Path) -> Outcome:
    survey = write_survey(work / "s.csv", 50)
    run_cli(parse_args(survey, work / "a"), work)
    files = [p for p in (work / "cache").rglob("*") if p.is_file()]
    for path in files:
        path.chmod(0)
    try:
        done = run_cli(parse_args(survey, work / "b"), work)
    finally:
        for path in files:
            path.chmod(0o644)
    root = " (root: ignored)" if os.geteuid() == 0 else ""
    return outcome(f"cache entry files mode 000{root}", done, work,
                   shown=f"(parse) {done.stdout.splitlines()[1] if done.stdout else ''}")


def _hint_survey(work: Path) -> Path:
    words = ["télétravail", "visio", "réunions", "matériel", "élus", "agents", "DSI", "outils",
             "formation", "écrans", "temps", "cloud"]
    lines = ["id;fonction;reponse"] + [
        f"r{i:03d};{'ab'[i % 2]};{words[i % 12]} {words[(i * 5) % 12]} {words[(i * 7) % 12]} "
        f"{words[(i * 11 + 3) % 12]}" for i in range(60)]
    path = work / "s.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def case_hint_k(work: Path) -> Outcome:
    _hint_survey(work)
    done = run_cli(["themes", "s.csv", "--text-col", "reponse", "--k", "200", "--out", "out"],
                   work)
    limit = re.search(r"use --k (\d+) or fewer", done.stderr)
    if limit:  # the ceiling the hint names is accepted
        ok = run_cli(["themes", "s.csv", "--text-col", "reponse", "--k", limit.group(1),
                      "--min-df", "1", "--out", "ok"], work)
        result = outcome("--k 200 on 60 answers: hint, then --k N as hinted", done, work)
        result.left = f"--k {limit.group(1)}: exit {ok.returncode}; " + left_in(work)
        return result
    return outcome("--k 200 on 60 answers: hint", done, work)


def case_hint_min_df(work: Path) -> Outcome:
    path = work / "s.csv"
    path.write_text("id,reponse\n1,RAS\n2,Néant\n3,Sans objet\n4,/\n", encoding="utf-8")
    done = run_cli(["themes", "s.csv", "--text-col", "reponse", "--min-df", "1", "--out", "out"],
                   work)
    return outcome("no term left, --min-df 1 given (hint must not say --min-df 1)", done, work)


def case_sans_objet(work: Path) -> Outcome:
    path = work / "s.csv"
    path.write_text("id,reponse\n1,Sans objet\n2,S.O.\n3,N/A\n4,ne me concerne pas\n"
                    "5,Sans objet pour moi car je suis en congé\n", encoding="utf-8")
    done = run_cli(parse_args(path, work / "out"), work)
    return outcome("'Sans objet', 'S.O.', 'N/A'... in the answers", done, work,
                   shown=f"(parse) {done.stdout.splitlines()[0] if done.stdout else ''}")


def case_report_small_groups(work: Path) -> Outcome:
    rows = (["a;Plus de moyens humains et une meilleure visio"] * 7
            + ["b;Plus de moyens humains et une meilleure visio"] * 4
            + ["b;Du télétravail mieux organisé entre collègues"] * 3)
    (work / "s.csv").write_text("id;fonction;reponse\n" + "".join(
        f"{i};{r}\n" for i, r in enumerate(rows, start=1)), encoding="utf-8")
    done = run_cli(["themes", "s.csv", "--text-col", "reponse", "--id-col", "id", "--by",
                    "fonction", "--report", "--min-df", "1", "--k", "2", "--out", "out"], work)
    shown = "(themes) report.html written" if (work / "out" / "report.html").is_file() else ""
    return outcome("--report on 14 respondents, groups of 7 and 7 (Wilson bounds)", done, work,
                   shown=shown)


def case_xlsx_identical(work: Path) -> Outcome:
    _hint_survey(work)
    # A first run fills the parse cache: the run information sheet records "miss" or "hit".
    run_cli(["parse", "s.csv", "--text-col", "reponse", "--id-col", "id", "--out", "warm"], work)
    digests = []
    for force in ((), ("--force",)):  # the same run twice, into the same --out
        done = run_cli(["themes", "s.csv", "--text-col", "reponse", "--id-col", "id", "--k", "3",
                        "--report", "--out", "out", *force], work)
        path = work / "out" / "report.xlsx"
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest()[:12]
                       if path.is_file() else "none")
    same = "identical" if digests[0] == digests[1] else "DIFFERENT"
    return outcome("two identical runs (warm cache): report.xlsx", done, work,
                   shown=f"(themes) report.xlsx {same} ({digests[0]})", inputs=("warm",))


def case_umask(work: Path) -> Outcome:
    old = os.umask(0o022)
    try:
        done = run_cli(parse_args(write_survey(work / "s.csv", 50), work / "out"), work)
    finally:
        os.umask(old)
    mode = oct((work / "out").stat().st_mode & 0o777) if (work / "out").is_dir() else "none"
    return outcome("output folder under umask 022", done, work,
                   shown=f"(parse) out/ mode {mode}")


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
    "umask": case_umask,
    "long-header": case_long_header,
    "xlsx-huge-cell": case_xlsx_huge_cell,
    "xlsx-many-cells": case_xlsx_many_cells,
    "ods-repeated": case_ods_repeated,
    "codebook-deep": case_codebook_deep,
    "codebook-deep-qdc": case_codebook_deep_qdc,
    "codebook-seeds": case_codebook_seeds,
    "codebook-seeds-small": case_codebook_seeds_small,
    "cache-meta-bitflip": case_cache_meta_bitflip,
    "cache-entry-unreadable": case_cache_entry_unreadable,
    "hint-k": case_hint_k,
    "hint-min-df": case_hint_min_df,
    "sans-objet": case_sans_objet,
    "report-small-groups": case_report_small_groups,
    "xlsx-identical": case_xlsx_identical,
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
