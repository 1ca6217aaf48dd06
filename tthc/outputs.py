"""Writing the contract's output tables and ``manifest.json``: deterministic bytes, all-or-nothing."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from . import PROJECT_ROOT, __version__, csv_writer, excel
from .contract import CONTRACT_VERSION
from .reasons import iso_days
from .sanitize import FORMULA_START, safe_text

#: Contract tables first; the rest are additions (the contract allows adding).
TABLES = ("grades.csv", "officials.csv", "official_indicators.csv", "dossier_scores.csv", "findings.csv",
          "unit_indicators.csv",
          "satisfaction.csv", "participants.csv")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell through ``safe_text`` (CSV and XLSX outputs); only the cells starting with a formula
    character are looked at one by one."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            hit = values.str.startswith(FORMULA_START) if values.dtype != object else \
                values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START))
            hit = hit.fillna(False).to_numpy(dtype=bool)
            if hit.any():
                out.loc[hit, col] = values[hit].map(safe_text)
    return out


#: officials.csv holds exactly the contract's columns; the per-indicator detail goes to official_indicators.csv.
OFFICIALS_COLUMNS = ["official", "unit_id", "dossiers", "score", "completion"]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as CSV, text neutralised: column-wise through Arrow (``csv_writer``), the same bytes as
    pandas' ``to_csv``, which still writes the tables with a column type the fast path does not handle."""
    fast = csv_writer.frame_csv(frame)
    if fast is not None:
        return fast
    return neutralise(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def _relative(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def manifest(result) -> dict:
    inputs = result.inputs
    return {
        "tool": {"name": "tthc", "version": __version__, "contract_version": CONTRACT_VERSION},
        "quarter": str(result.quarter),
        "period": {"start": result.period.start.isoformat(), "end": result.period.end.isoformat()},
        "rule_set": {"id": result.rules.id, "title": result.rules.title, "file": _relative(result.rules.path),
                     "sha256": result.rules.sha256},
        "policies": result.policies,
        "data_dir": _relative(inputs.data_dir),
        "inputs": [
            {"table": name, "file": info.label, "size": info.size, "sha256": info.sha256, "rows": info.rows,
             **({"sheet": info.sheet} if info.sheet else {}), "header_row": info.header_row}
            for name, info in sorted(inputs.files.items(), key=lambda kv: kv[1].label)
        ],
        "row_accounting": {
            label: {"read": acc.read, "used": acc.used, "excluded": dict(sorted(acc.excluded.items()))}
            for label, acc in sorted(inputs.accounting.items())
        },
        "counts": {
            "units": len(result.units),
            "population": len(result.scored),
            "officials": len(result.officials),
            "findings": result.findings.counts(),
        },
    }


def render(result) -> dict[str, bytes]:
    """Every output file's bytes."""
    files = {
        "grades.csv": csv_bytes(result.grades),
        "officials.csv": csv_bytes(result.officials[OFFICIALS_COLUMNS]),
        "official_indicators.csv": csv_bytes(result.officials.drop(columns=["dossiers", "score", "completion"])),
        "dossier_scores.csv": csv_bytes(result.dossier_scores),
        "findings.csv": csv_bytes(result.findings.frame()),
        "unit_indicators.csv": csv_bytes(result.unit_indicators),
        "satisfaction.csv": csv_bytes(result.satisfaction),
        "participants.csv": csv_bytes(_participants(result.participants)),
        "grades.xlsx": excel.grades_xlsx(result),
        "findings.xlsx": excel.findings_xlsx(result),
    }
    files["manifest.json"] = (json.dumps(manifest(result), ensure_ascii=False, indent=2, sort_keys=False)
                              + "\n").encode("utf-8")
    return files


def _participants(parts: pd.DataFrame) -> pd.DataFrame:
    if parts.empty:
        return parts
    out = parts.copy()
    for col in ("due_day", "finished_day"):
        out[col] = iso_days(out[col])
    return out.rename(columns={"due_day": "due_at", "finished_day": "finished_at"})


def write_atomically(files: dict[str, bytes], out_dir: Path) -> None:
    """Write all files or none: build them in a temporary folder beside ``out_dir``, then move them in.

    A new output folder appears in one rename. An existing one (which may also hold the report and
    executed notebooks) gets each file replaced by ``os.replace``, after every file was written.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        if not out_dir.exists():
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the output folder is an ordinary one
            os.replace(tmp, out_dir)
            return
        for name in files:
            os.replace(tmp / name, out_dir / name)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def write_outputs(result, out_dir: Path | str) -> Path:
    out_dir = Path(out_dir)
    write_atomically(render(result), out_dir)
    return out_dir
