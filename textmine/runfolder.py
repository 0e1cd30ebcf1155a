"""The run folder: the contract between textmine commands (files, columns, run.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from textmine.config import ReadOptions
from textmine.errors import InputFileError
from textmine.outputs import restore_cell


def read_run_csv(run_dir: Path, name: str, *, required: bool = True) -> pd.DataFrame | None:
    path = run_dir / name
    if not path.is_file():
        if required:
            raise InputFileError(
                f"{name} not found in {run_dir}; pass the folder of a finished themes run."
            )
        return None
    # Ids stay text: "007" must not become 7; ids neutralised on writing are restored.
    # "NA" or "null" are valid ids and labels (the survey reader keeps them): only empty cells
    # are missing.
    table = pd.read_csv(
        path, dtype={"respondent_id": str, "theme_id": str, "themes": str},
        keep_default_na=False, na_values=[""],
    )
    if "respondent_id" in table:
        table["respondent_id"] = table["respondent_id"].map(restore_cell)
    return table


def _tuples(value: object) -> object:
    """JSON lists back to the tuples of the frozen option dataclasses (recursively)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def run_read_options(record: dict) -> ReadOptions:
    """ReadOptions of a run: ``settings.read`` when recorded (types, levels, weights...), else
    the ``input`` block's id column and sheet."""
    info = record.get("input") or {}
    saved = (record.get("settings") or {}).get("read")
    if isinstance(saved, dict):
        known = {f for f in ReadOptions.__dataclass_fields__}
        kwargs = {k: _tuples(v) for k, v in saved.items() if k in known}
        kwargs.setdefault("id_col", info.get("id_col"))
        kwargs.setdefault("sheet", info.get("sheet"))
        return ReadOptions(**kwargs)
    return ReadOptions(id_col=info.get("id_col"), sheet=info.get("sheet"))


def read_run(run_dir: str | Path) -> dict:
    """Read ``run.json`` of a finished run (it must name the survey in ``input.path``)."""
    run_dir = Path(run_dir)
    path = run_dir / "run.json"
    if not path.is_file():
        raise InputFileError(
            f"run.json not found in {run_dir}; pass the folder of a finished themes run."
        )
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(f"Cannot read {path}: {exc}; rerun the themes command.") from exc
    info = record.get("input") if isinstance(record, dict) else None
    if not isinstance(info, dict) or not info.get("path"):
        raise InputFileError(
            f"{path} has no input.path; rerun the themes command to record the survey file."
        )
    return record
