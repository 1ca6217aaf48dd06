"""Reading the index's own inputs (DATA_CONTRACT v2): ``index_evidence``, ``portal_scores`` (table or JSON)
and the units' ``e_certified_copy``.

Cells are read with ``tthc.input.reading.read_table`` (CSV or XLSX, Vietnamese headers) and parsed with the
``tthc.values`` parsers; a cell that cannot be read is a warning naming file, row and column, and its row is
left out (row accounting). What the rows mean (unknown units or components, numerator above denominator,
scores above the maximum, duplicates, group totals) is checked when grading (``evidence``, ``portal``), so
frames built in memory get the same checks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd

from tthc.input.contract import INDEX_EVIDENCE, PORTAL_SCORES, UNITS, Table
from tthc.input.findings import Findings
from tthc.input.reading import ROW, ReadError, read_table
from tthc.input.values import EXPECTED, PARSERS, blank_mask

from .portal_json import COLUMNS as PORTAL_COLUMNS
from .portal_json import PortalJSONError, read_portal_json

FILE = "_file"
SUFFIXES = (".csv", ".xlsx")
REASON_BAD = "giá trị không đọc được"


@dataclass
class Loaded:
    """One file's canonical rows and its row accounting (read = used + excluded by reason)."""

    label: str
    frame: pd.DataFrame
    read: int = 0
    excluded: Counter = field(default_factory=Counter)


def find_index_file(folder: Path, name: str, findings: Findings, rel: str, json_ok: bool = False) -> Path | None:
    """``name.csv``/``name.xlsx`` (or ``name.json``); two of them is an error."""
    suffixes = SUFFIXES + ((".json",) if json_ok else ())
    present = sorted(p for p in folder.glob(f"{name}.*") if p.is_file() and p.stem == name
                     and p.suffix.lower() in suffixes)
    if len(present) > 1:
        findings.error("ambiguous_file", f"Có nhiều tệp {name} ({', '.join(p.name for p in present)}) trong {rel}: "
                       "chỉ được để một tệp.", file=f"{rel}/{name}.*")
        return None
    return present[0] if present else None


def _to_decimal(value: object) -> Decimal | None:
    """Exact decimal from text (comma or dot), an int or a float (its shortest repr); None if not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        value = repr(value)
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _parse(raw, table: Table, findings: Findings, label: str) -> tuple[pd.DataFrame, pd.Series]:
    """Parsed columns (absent ones left out), and the rows with a cell that could not be read."""
    cells = raw.frame
    out = pd.DataFrame(index=cells.index)
    bad_rows = pd.Series(False, index=cells.index)
    for col in table.columns:
        if col.name not in raw.columns:
            continue
        if col.kind == "decimal":
            values = cells[col.name].map(_to_decimal, na_action="ignore").astype(object)
            bad = ~blank_mask(cells[col.name]) & values.isna()
            values = values.where(values.notna(), None)
        else:
            values, bad = PARSERS[col.kind](cells[col.name], blank_is_missing=True)
        for idx in cells.index[bad.to_numpy(dtype=bool)]:
            expected = EXPECTED.get(col.kind, col.kind)
            findings.warning(f"bad_{col.kind}", f"Giá trị không hợp lệ; cần {expected}; dòng bị loại.",
                             file=label, row=int(cells.at[idx, ROW]), column=raw.columns[col.name],
                             value=cells.at[idx, col.name])
        bad_rows |= bad.astype(bool)
        out[col.name] = values
    out[FILE] = label
    out[ROW] = cells[ROW]
    return out, bad_rows


def _read(path: Path, table: Table, findings: Findings, label: str) -> Loaded | None:
    try:
        raw = read_table(path, table, findings, label)
    except ReadError as exc:
        findings.error("unreadable", str(exc), file=label)
        return None
    for col in table.columns:
        if col.required and col.name not in raw.columns:
            findings.error("missing_column", f"Thiếu cột bắt buộc '{col.name}' (hoặc "
                           + ", ".join(f"'{a}'" for a in col.aliases[:3]) + f") trong bảng {table.name}.",
                           file=label, row=raw.header_row, column=col.name)
            return None
    if not ({"unit_id", "unit_name"} & set(raw.columns)):
        findings.error("missing_column", f"Bảng {table.name} cần cột 'unit_id' (Mã đơn vị) hoặc 'unit_name' "
                       "(Tên đơn vị).", file=label, row=raw.header_row, column="unit_id")
        return None
    frame, bad = _parse(raw, table, findings, label)
    loaded = Loaded(label, frame[~bad.to_numpy()].reset_index(drop=True), len(raw.frame) + sum(raw.dropped.values()))
    loaded.excluded.update(raw.dropped)
    if bad.any():
        loaded.excluded[REASON_BAD] += int(bad.sum())
    return loaded


def read_index_evidence(path: Path, label: str, findings: Findings) -> Loaded | None:
    """``index_evidence``: ``unit_id`` (or ``unit_name``; ``*`` = the whole province), ``component``, ``numerator``,
    ``denominator`` (counts; a blank cell is missing)."""
    loaded = _read(path, INDEX_EVIDENCE, findings, label)
    if loaded is not None:
        for col in ("unit_id", "unit_name", "numerator", "denominator"):
            if col not in loaded.frame:
                loaded.frame[col] = pd.Series(pd.NA, index=loaded.frame.index, dtype=object)
    return loaded


def read_portal_scores(path: Path, label: str, rules, findings: Findings) -> Loaded | None:
    """``portal_scores`` as a table (CSV/XLSX) or the portal's JSON, as canonical rows (``portal_json.COLUMNS``)."""
    if path.suffix.lower() == ".json":
        try:
            rows = read_portal_json(path, label, rules, findings)
        except PortalJSONError as exc:
            findings.error("unreadable", str(exc), file=label)
            return None
        frame = pd.DataFrame(rows, columns=PORTAL_COLUMNS)
        frame["score"] = frame["score"].map(lambda v: _json_number(v, Decimal), na_action="ignore")
        frame["max_score"] = frame["max_score"].map(lambda v: _json_number(v, Decimal), na_action="ignore")
        return Loaded(label, frame.astype(object).where(frame.notna(), None), len(frame))
    loaded = _read(path, PORTAL_SCORES, findings, label)
    if loaded is None:
        return None
    frame = loaded.frame
    out = pd.DataFrame({
        "unit_ref": frame.get("unit_id"),
        "unit_name": frame.get("unit_name"),
        "component": frame["component"],
        "score": frame.get("score"),
        "numerator": frame.get("numerator"),
        "denominator": frame.get("denominator"),
        "max_score": frame.get("max_score"),
        FILE: frame[FILE], ROW: frame[ROW], "_where": "", "_root": False,
    }, columns=PORTAL_COLUMNS)
    loaded.frame = out.astype(object).where(out.notna(), None)
    return loaded


def _json_number(value: object, kind):
    """A JSON number or numeric text as a Decimal; anything else is kept (the checks name it)."""
    number = _to_decimal(value)
    return number if number is not None else value


def read_unit_extras(path: Path, label: str, findings: Findings) -> pd.DataFrame | None:
    """units.csv's ``e_certified_copy`` per unit (``unit_id``, the flag, file and row), or None without it."""
    try:
        raw = read_table(path, UNITS, Findings(), label)  # units.csv's own findings come from its loader
    except ReadError:
        return None
    if "e_certified_copy" not in raw.columns or "unit_id" not in raw.columns:
        return None
    flags, bad = PARSERS["bool"](raw.frame["e_certified_copy"])
    ids, _ = PARSERS["id"](raw.frame["unit_id"])
    for idx in raw.frame.index[bad.to_numpy(dtype=bool)]:
        findings.warning("bad_bool", f"Giá trị không hợp lệ; cần {EXPECTED['bool']}; coi là không cung cấp chứng thực "
                         "điện tử.", file=label, row=int(raw.frame.at[idx, ROW]),
                         column=raw.columns["e_certified_copy"], value=raw.frame.at[idx, "e_certified_copy"])
    return pd.DataFrame({"unit_id": ids, "e_certified_copy": flags.fillna(False).astype(bool), FILE: label,
                         ROW: raw.frame[ROW]})
