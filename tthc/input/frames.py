"""In-memory inputs: grade canonical tables that are already in memory (benchmarks, batch jobs, notebooks).

``load_quarter`` reads files; ``inputs_from_frames`` builds the same ``Inputs`` from DataFrames that
already hold the canonical columns (docs/du-lieu-dau-vao.md) with parsed values: datetimes for dates, ``Int64``
for counts, ``boolean`` for booleans, ``object`` strings for ids. ``tthc.run.grading.grade_frames`` then grades them.
No parsing, no unit resolution, no de-duplication: the caller vouches for the tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tthc.input.contract import QUARTER_TABLES, TABLES
from tthc.input.findings import Findings
from tthc.input.loading import FILE, Accounting, FileInfo, Inputs
from tthc.input.reading import ROW
from tthc.parameters.ruleset import RuleSet
from tthc.quarter import Quarter


def _blank(index: pd.Index) -> pd.Series:
    """An all-NA object column. The absent columns all view this one array (copy-on-write: writing into one
    copies it first); ten of them cost 800 MB at 10 M rows."""
    return pd.Series(np.full(len(index), pd.NA, dtype=object), index=index, dtype=object, copy=False)


def _canonical(name: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    """The frame with every canonical column of ``name`` (absent ones as NA), ``_row`` and ``_file``."""
    table = TABLES[name]
    present = {c.name for c in table.columns if c.name in frame.columns}
    out = frame
    missing = [c.name for c in table.columns if c.name not in frame.columns]
    if missing or ROW not in frame.columns or FILE not in frame.columns:
        out = frame.copy(deep=False)
        blank = _blank(out.index) if missing else None
        for col in missing:
            out[col] = blank
        if ROW not in out.columns:
            out[ROW] = pd.Series(np.arange(2, len(out) + 2), index=out.index, copy=False)
        if FILE not in out.columns:  # one label for every row: a categorical, not a million strings
            out[FILE] = pd.Categorical.from_codes(np.zeros(len(out), dtype=np.int8), [f"{name} (bộ nhớ)"])
    return out, present


def inputs_from_frames(quarter: Quarter | str, units: pd.DataFrame, dossiers: pd.DataFrame,
                       rules: RuleSet, data_dir: Path | str = "<memory>",
                       **tables: pd.DataFrame | None) -> Inputs:
    """An ``Inputs`` from canonical frames: ``units`` (unit_id, unit_name, level) and ``dossiers``; other
    quarter tables (``self_assessment``, ``surveys``, ``complaints``, ``unit_evidence``, ``steps``,
    ``overrides``) by keyword, absent ones treated as missing files."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    known = {t.name for t in QUARTER_TABLES}
    unknown = set(tables) - known
    if unknown:
        raise ValueError(f"unknown tables: {sorted(unknown)}")
    u = units[["unit_id", "unit_name", "level"]].copy()
    u[ROW] = range(2, len(u) + 2)
    u["level_name"] = u["level"].map(lambda c: rules.levels[c].name if c in rules.levels else "")
    frames: dict[str, pd.DataFrame | None] = {"dossiers": dossiers,
                                              **{n: tables.get(n) for n in known if n != "dossiers"}}
    out_tables: dict[str, pd.DataFrame | None] = {}
    columns: dict[str, set[str]] = {}
    files: dict[str, FileInfo] = {}
    accounting: dict[str, Accounting] = {}
    for name, frame in frames.items():
        if frame is None:
            out_tables[name] = None
            continue
        canon, present = _canonical(name, frame)
        label = str(canon[FILE].iloc[0]) if len(canon) else f"{name} (bộ nhớ)"
        out_tables[name], columns[name] = canon, present
        files[name] = FileInfo(label, Path(str(data_dir)), 0, "", rows=len(canon))
        accounting[label] = Accounting(read=len(canon))
    return Inputs(Path(str(data_dir)), quarter, u.reset_index(drop=True), out_tables, columns, files,
                  accounting, Findings())

