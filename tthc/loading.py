"""Loading a quarter folder into canonical tables, with a finding for every cell or row set aside."""

from __future__ import annotations

import difflib
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .contract import QUARTER_TABLES, UNITS, Table
from .findings import Findings
from .quarter import Quarter
from .reading import ROW, Raw, ReadError, read_table
from .rules import RuleSet
from .text import fold
from .values import EXPECTED, PARSERS, blank_mask

FILE = "_file"
SUFFIXES = (".csv", ".xlsx")


@dataclass
class FileInfo:
    label: str
    path: Path
    size: int
    sha256: str
    rows: int = 0
    sheet: str | None = None
    header_row: int = 1


@dataclass
class Accounting:
    """Rows read from one file = rows used + rows excluded (each with its reason)."""

    read: int = 0
    excluded: Counter = field(default_factory=Counter)

    @property
    def used(self) -> int:
        return self.read - sum(self.excluded.values())


@dataclass
class Inputs:
    data_dir: Path
    quarter: Quarter
    units: pd.DataFrame
    tables: dict[str, pd.DataFrame | None]
    columns: dict[str, set[str]]  # which canonical columns each file really had
    files: dict[str, FileInfo]
    accounting: dict[str, Accounting]
    findings: Findings

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def has(self, table: str, column: str) -> bool:
        return column in self.columns.get(table, set())

    def exclude(self, table: str, frame: pd.DataFrame, reason: str) -> None:
        """Count rows of ``table`` set aside (each already has its finding)."""
        label = self.files[table].label if table in self.files else table
        self.accounting.setdefault(label, Accounting()).excluded[reason] += len(frame)


def find_file(folder: Path, name: str, findings: Findings, rel: str) -> Path | None:
    present = [folder / f"{name}{s}" for s in SUFFIXES if (folder / f"{name}{s}").is_file()]
    if len(present) > 1:
        findings.error(
            "ambiguous_file",
            f"Có cả {name}.csv và {name}.xlsx trong {rel}: chỉ được để một tệp cho mỗi bảng.",
            file=f"{rel}/{name}.*",
        )
        return None
    return present[0] if present else None


def _file_info(path: Path, label: str) -> FileInfo:
    data = path.read_bytes()
    return FileInfo(label, path, len(data), hashlib.sha256(data).hexdigest())


def _parse(raw: Raw, table: Table, findings: Findings, label: str) -> tuple[pd.DataFrame, pd.Series]:
    """Parse every column by its kind; returns the canonical frame and a mask of rows to drop."""
    frame = pd.DataFrame(index=raw.frame.index)
    drop = pd.Series(False, index=raw.frame.index)
    rows = raw.frame[ROW]
    for col in table.columns:
        if col.name not in raw.columns:
            frame[col.name] = pd.Series(pd.NA, index=frame.index, dtype=object)
            continue
        cells = raw.frame[col.name]
        values, bad = PARSERS.get(col.kind, PARSERS["text"])(cells, blank_is_missing=table.blank_is_missing)
        frame[col.name] = values
        header = raw.columns[col.name]
        if col.required:
            blank = blank_mask(cells)
            for idx in blank[blank].index:
                findings.warning(
                    "required_blank",
                    f"Thiếu giá trị bắt buộc ({col.name}); dòng bị loại khỏi chấm điểm.",
                    file=label, row=rows[idx], column=header,
                )
            drop |= blank
        for idx in bad[bad].index:
            effect = "dòng bị loại khỏi chấm điểm" if col.required else "giá trị được coi là không có thông tin"
            findings.warning(
                f"bad_{col.kind}",
                f"Giá trị không hợp lệ; cần {EXPECTED.get(col.kind, col.kind)}; {effect}.",
                file=label, row=rows[idx], column=header, value=cells[idx],
            )
        if col.required:
            drop |= bad
    frame[ROW] = rows
    frame[FILE] = label
    return frame, drop


def _missing_required(raw: Raw, table: Table, findings: Findings, label: str) -> None:
    for col in table.columns:
        if col.required and col.name not in raw.columns:
            aliases = ", ".join(f"'{a}'" for a in col.aliases[:3])
            findings.error(
                "missing_column",
                f"Thiếu cột bắt buộc '{col.name}' (hoặc {aliases}) trong bảng {table.name}.",
                file=label, row=raw.header_row, column=col.name,
            )


def _unit_resolver(units: pd.DataFrame):
    by_id = {str(u): str(u) for u in units["unit_id"]}
    by_fold_id = {fold(u): str(u) for u in units["unit_id"]}
    by_name = {fold(n): str(u) for u, n in zip(units["unit_id"], units["unit_name"], strict=True) if n}
    choices = sorted(set(by_fold_id) | set(by_name))

    def resolve(unit_id: object, unit_name: object) -> tuple[str | None, str]:
        key = unit_id if isinstance(unit_id, str) else unit_name
        if isinstance(unit_id, str):
            hit = by_id.get(unit_id) or by_fold_id.get(fold(unit_id))
        elif isinstance(unit_name, str):
            hit = by_name.get(fold(unit_name))
        else:
            return None, ""
        if hit:
            return hit, ""
        close = difflib.get_close_matches(fold(key), choices, n=1, cutoff=0.6)
        if close:
            target = by_fold_id.get(close[0]) or by_name.get(close[0])
            return None, f"; có phải là '{target}'?"
        return None, ""

    return resolve


def _resolve_units(frame: pd.DataFrame, resolver, findings: Findings, label: str, has_id: bool) -> pd.Series:
    """Resolve each row's unit (``unit_id`` or ``unit_name``) against units.csv; returns the drop mask."""
    pairs = frame[["unit_id", "unit_name"]].drop_duplicates()
    mapping = {}
    for uid, uname in pairs.itertuples(index=False):
        mapping[(uid, uname)] = resolver(uid, uname)
    resolved = [mapping[(u, n)] for u, n in zip(frame["unit_id"], frame["unit_name"], strict=True)]
    drop = pd.Series(False, index=frame.index)
    for pos, (idx, (unit, hint)) in enumerate(zip(frame.index, resolved, strict=True)):
        if unit is None:
            raw_value = frame.at[idx, "unit_id"] if has_id else frame.at[idx, "unit_name"]
            column = "unit_id" if has_id else "unit_name"
            if raw_value is None or raw_value is pd.NA:
                msg = "Thiếu đơn vị; dòng bị loại."
            else:
                msg = f"Đơn vị không có trong units.csv{hint}; dòng bị loại."
            findings.warning("unknown_unit", msg, file=label, row=frame.at[idx, ROW], column=column,
                             value=raw_value)
            drop.iloc[pos] = True
    frame["unit_id"] = [u for u, _h in resolved]
    return drop


def load_units(data_dir: Path, rules: RuleSet, findings: Findings) -> tuple[pd.DataFrame, FileInfo | None, Raw | None]:
    path = find_file(data_dir, "units", findings, data_dir.name)
    if path is None:
        if not findings.errors:
            findings.error("missing_file", "Thiếu tệp danh mục đơn vị units.csv (hoặc units.xlsx).",
                           file="units.csv")
        return pd.DataFrame(columns=["unit_id", "unit_name", "level", ROW]), None, None
    label = path.name
    raw = read_table(path, UNITS, findings, label)
    _missing_required(raw, UNITS, findings, label)
    info = _file_info(path, label)
    info.rows = len(raw.frame)
    if findings.errors:
        return pd.DataFrame(columns=["unit_id", "unit_name", "level", ROW]), info, raw
    ids, _ = PARSERS["id"](raw.frame["unit_id"])
    names, _ = PARSERS["text"](raw.frame["unit_name"])
    levels = raw.frame["level"].map(lambda v: rules.level_code(v) if not pd.isna(v) else None)
    units = pd.DataFrame({"unit_id": ids, "unit_name": names, "level": levels, ROW: raw.frame[ROW]})
    for idx in units.index[units["unit_id"].isna()]:
        findings.error("required_blank", "Thiếu mã đơn vị.", file=label, row=units.at[idx, ROW], column="unit_id")
    dup = units["unit_id"].notna() & units["unit_id"].duplicated(keep="first")
    for idx in units.index[dup]:
        findings.error("duplicate_id", f"Mã đơn vị '{units.at[idx, 'unit_id']}' bị trùng.", file=label,
                       row=units.at[idx, ROW], column="unit_id", value=units.at[idx, "unit_id"])
    for idx in units.index[units["level"].isna()]:
        findings.warning("bad_level", f"Cấp không hợp lệ; cần {EXPECTED['level']}.", file=label,
                         row=units.at[idx, ROW], column=raw.columns["level"], value=raw.frame.at[idx, "level"])
    units["unit_name"] = units["unit_name"].fillna(units["unit_id"])
    units["level_name"] = units["level"].map(lambda c: rules.levels[c].name if c in rules.levels else "")
    return units.reset_index(drop=True), info, raw


def load_quarter(data_dir: Path | str, quarter: Quarter, rules: RuleSet) -> Inputs:
    """Read ``units`` and every file of the quarter folder. Raises ``InputError`` when grading is impossible."""
    data_dir = Path(data_dir)
    findings = Findings()
    files: dict[str, FileInfo] = {}
    accounting: dict[str, Accounting] = {}
    if not data_dir.is_dir():
        findings.error("missing_folder", f"Không có thư mục dữ liệu {data_dir}.", file=str(data_dir))
        findings.raise_errors()
    units, units_info, _ = load_units(data_dir, rules, findings)
    if units_info:
        files["units"] = units_info
        accounting[units_info.label] = Accounting(read=units_info.rows)
    folder = data_dir / str(quarter)
    if not folder.is_dir():
        findings.error("missing_folder", f"Không có thư mục dữ liệu của quý {quarter} ({folder}).",
                       file=str(quarter))
    findings.raise_errors()
    resolver = _unit_resolver(units)
    tables: dict[str, pd.DataFrame | None] = {}
    columns: dict[str, set[str]] = {}
    for table in QUARTER_TABLES:
        path = find_file(folder, table.name, findings, str(quarter))
        if path is None:
            if table.required_file and not findings.errors:
                findings.error("missing_file", f"Thiếu tệp bắt buộc {table.name}.csv (hoặc .xlsx).",
                               file=f"{quarter}/{table.name}.csv")
            elif not findings.errors:
                findings.info("missing_file", f"Không có tệp {table.name}; các chỉ số cần tệp này áp dụng "
                              "chính sách tương ứng.", file=f"{quarter}/{table.name}.csv")
            tables[table.name] = None
            continue
        label = f"{quarter}/{path.name}"
        info = _file_info(path, label)
        try:
            raw = read_table(path, table, findings, label)
        except ReadError as exc:
            findings.error("unreadable", str(exc), file=label)
            continue
        info.rows, info.sheet, info.header_row = len(raw.frame), raw.sheet, raw.header_row
        files[table.name] = info
        accounting[label] = Accounting(read=len(raw.frame))
        _missing_required(raw, table, findings, label)
        names = {c.name for c in table.columns}
        if {"unit_id", "unit_name"} <= names and not ({"unit_id", "unit_name"} & set(raw.columns)):
            findings.error("missing_column", f"Bảng {table.name} cần cột 'unit_id' (Mã đơn vị) hoặc 'unit_name' "
                           "(Tên đơn vị).", file=label, row=raw.header_row, column="unit_id")
        if findings.errors:
            continue
        frame, drop = _parse(raw, table, findings, label)
        columns[table.name] = set(raw.columns)
        if {"unit_id", "unit_name"} <= names:
            drop |= _resolve_units(frame, resolver, findings, label, "unit_id" in raw.columns)
        if drop.any():
            accounting[label].excluded["dòng thiếu/sai giá trị bắt buộc hoặc đơn vị"] += int(drop.sum())
        tables[table.name] = frame[~drop].reset_index(drop=True)
    findings.raise_errors()
    inputs = Inputs(data_dir, quarter, units, tables, columns, files, accounting, findings)
    _dedupe(inputs)
    return inputs


#: Tables keyed by one id per row, and which column that is.
KEYS = {"dossiers": "dossier_id", "self_assessment": "unit_id", "unit_evidence": "unit_id",
        "surveys": "form_id", "complaints": "complaint_id"}


def _dedupe(inputs: Inputs) -> None:
    """Keep the first row of each id; identical repeats are info, conflicting ones a warning."""
    for name, key in KEYS.items():
        frame = inputs.tables.get(name)
        if frame is None or frame.empty or not inputs.has(name, key) and key != "unit_id":
            continue
        present = frame[key].notna()
        dup = present & frame[key].duplicated(keep="first")
        if not dup.any():
            continue
        content = [c for c in frame.columns if c not in (ROW, FILE)]
        first_rows = frame[present & ~dup].set_index(key)
        label = inputs.files[name].label
        for idx in frame.index[dup]:
            ident = frame.at[idx, key]
            first = first_rows.loc[ident]
            same = all(_same(frame.at[idx, c], first[c]) for c in content if c != key)
            if same:
                inputs.findings.info("duplicate_row", f"Dòng trùng lặp hoàn toàn với dòng {first[ROW]}; bỏ qua.",
                                     file=label, row=frame.at[idx, ROW], column=key, value=ident)
            else:
                inputs.findings.warning(
                    "duplicate_id",
                    f"Mã '{ident}' đã có ở dòng {first[ROW]} với nội dung khác; giữ dòng {first[ROW]}, bỏ dòng này.",
                    file=label, row=frame.at[idx, ROW], column=key, value=ident,
                )
        inputs.accounting[label].excluded["mã trùng lặp"] += int(dup.sum())
        inputs.tables[name] = frame[~dup].reset_index(drop=True)


def _same(a: object, b: object) -> bool:
    a_na, b_na = pd.isna(a) if not isinstance(a, list) else False, pd.isna(b) if not isinstance(b, list) else False
    if a_na or b_na:
        return bool(a_na and b_na)
    return a == b
