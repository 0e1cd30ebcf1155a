"""The data flow is one way: a module imports only earlier stages (DESIGN.md, rule of the house)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "textmine"

#: Stage of each top-level module or sub-package; a module may import stages <= its own.
STAGES = {
    "errors": 0,
    "interrupts": 0,
    "config": 0,
    "engine": 0,  # issue 19: where the heavy stages run (processes, Dask)
    "outputs": 0,
    "workbook": 0,
    "runfolder": 1,
    "survey": 1,
    "project": 1,
    "codebook": 1,
    "text": 2,
    "features": 3,
    "themes": 4,
    "classes": 4,
    "tables": 5,
    "coding": 6,
    "workspace": 6,  # issue 18: the coding workspace (web app), at the coding stage
    "report": 7,
    "pipeline": 8,
    "cli": 9,
}


def _stage(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "textmine" or len(parts) < 2:
        return None
    return STAGES.get(parts[1])


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def test_every_module_has_a_stage():
    names = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    names -= {"__init__", "__pycache__", "resources", "__main__"}
    assert names <= set(STAGES), f"give these modules a stage: {sorted(names - set(STAGES))}"


def test_modules_import_only_earlier_stages():
    violations = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        own = _stage(".".join(rel.parts))
        if own is None:
            continue
        for module in _imports(path):
            other = _stage(module)
            if other is not None and other > own:
                violations.append(f"{'.'.join(rel.parts)} imports {module}")
    assert not violations, violations


#: What the command line may import from textmine: the orchestration and the shared pieces.
CLI_ALLOWED = ("textmine.cli", "textmine.pipeline", "textmine.config", "textmine.errors")


def test_cli_imports_only_pipeline_config_and_errors():
    violations = []
    for path in (PACKAGE / "cli").rglob("*.py"):
        for module in _imports(path):
            if module.split(".")[0] == "textmine" and module != "textmine" and not any(
                module == allowed or module.startswith(allowed + ".") for allowed in CLI_ALLOWED
            ):
                violations.append(f"cli/{path.name} imports {module}")
    assert not violations, violations
