"""Loading a quarter folder into canonical tables, with a finding for every cell or row set aside."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tthc.input.checks import check_table
from tthc.input.contract import QUARTER_TABLES, UNITS, Table
from tthc.input.findings import Findings, sort_key
from tthc.input.input_files import find_file, outside_link
from tthc.input.reading import FILE, ROW, Raw, ReadError, read_table
from tthc.input.unit_matching import FOLD, IGNORED, ZEROS, UnitMatcher, pair_codes
from tthc.input.values import EXPECTED, PARSERS
from tthc.parameters.ruleset import RuleSet
from tthc.quarter import Quarter

#: Reasons for rows left out while loading (row accounting).
REASON_INVALID = "thiếu hoặc sai giá trị bắt buộc"
REASON_UNIT = "đơn vị không có trong units.csv"
REASON_DUPLICATE = "mã trùng lặp"


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
    """Rows read from one file = rows used + rows excluded (each with its reason).

    A table read from several sheets also has, per sheet (by its label, "dossiers.xlsx [Trang 2]"), the
    rows read there and those excluded while loading (the population's exclusions are counted per file)."""

    read: int = 0
    excluded: Counter = field(default_factory=Counter)
    sheets: dict[str, Accounting] = field(default_factory=dict)

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
    #: per table, canonical column → header as written in the file
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def header(self, table: str, column: str) -> str:
        """The header of ``column`` as written in ``table``'s file (for findings), else the canonical name."""
        return self.headers.get(table, {}).get(column, column)

    def has(self, table: str, column: str) -> bool:
        return column in self.columns.get(table, set())


def _file_info(path: Path, label: str) -> FileInfo:
    data = path.read_bytes()
    return FileInfo(label, path, len(data), hashlib.sha256(data).hexdigest())


def _read_message(exc: ReadError) -> str:
    """The reader's message; where the finding itself says the row and column, only what is wrong there."""
    return exc.detail if exc.row is not None else str(exc)


def _missing_required(raw: Raw, table: Table, findings: Findings, label: str) -> None:
    for col in table.columns:
        if col.required and col.name not in raw.columns:
            aliases = ", ".join(f"'{a}'" for a in col.aliases[:3])
            findings.error(
                "missing_column",
                f"Thiếu cột bắt buộc '{col.name}' (hoặc {aliases}) trong bảng {table.name}.",
                file=label, row=raw.header_row, column=col.name,
            )


def _resolve_units(frame: pd.DataFrame, matcher: UnitMatcher, findings: Findings, label: str, has_id: bool,
                   headers: dict[str, str]) -> pd.Series:
    """Resolve each row's unit (``unit_id`` or ``unit_name``) against units.csv; returns the drop mask.

    A unit found only by dropping diacritics or leading zeros is an info finding (once per value); a value
    matching several units is an error (once per value, naming them); one matching none is a warning per
    row, with a suggestion when one is close."""
    codes, pairs = pair_codes(frame["unit_id"], frame["unit_name"])
    matches = [matcher.resolve(*pair) for pair in pairs]
    counts = np.bincount(codes, minlength=len(pairs))
    firsts = np.zeros(len(pairs), dtype=np.int64)
    firsts[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # the first row of each pair
    rows = frame[ROW].to_numpy()
    drop = np.zeros(len(frame), dtype=bool)
    for code, (pair, match) in enumerate(zip(pairs, matches, strict=True)):
        if not (match.ambiguous or match.unit is None or match.how in (FOLD, ZEROS)):
            continue
        by_id = isinstance(pair[0], str) and bool(pair[0].strip())
        column = "unit_id" if by_id or (has_id and not isinstance(pair[1], str)) else "unit_name"
        header = headers.get(column, column)
        value = pair[0] if column == "unit_id" else pair[1]
        first = rows[firsts[code]]
        more = f" ({counts[code]} dòng, dòng đầu là dòng {first})" if counts[code] > 1 else ""
        what = "Mã đơn vị" if column == "unit_id" else "Tên đơn vị"
        if match.ambiguous:
            candidates = ", ".join(matcher.describe(u) for u in match.candidates)
            findings.error(
                "ambiguous_unit",
                f"{what} '{value}'{more} khớp với nhiều đơn vị trong {matcher.label} khi không phân biệt "
                f"{IGNORED[match.how]}: {candidates}; không xác định được dòng thuộc đơn vị nào.",
                file=label, row=first, column=header, value=value,
                suggestion="Ghi đúng mã đơn vị như trong units.csv (định dạng cột là Text để giữ số 0 ở đầu)."
                if column == "unit_id" else
                "Ghi đúng tên đơn vị (đủ dấu) như trong units.csv, hoặc dùng cột mã đơn vị.",
            )
            drop[codes == code] = True
        elif match.unit is None:
            blank = not isinstance(value, str) or not value.strip()  # None, NA or NaN: no unit written
            msg = "Thiếu đơn vị; dòng bị loại." if blank else "Đơn vị không có trong units.csv; dòng bị loại."
            where = codes == code
            for row in rows[where]:
                findings.warning("unknown_unit", msg, file=label, row=row, column=header,
                                 value=value, suggestion=match.hint)
            drop |= where
        elif match.how in (FOLD, ZEROS):
            findings.info(
                "unit_matched",
                f"{what} '{value}'{more} được hiểu là đơn vị {matcher.describe(match.unit)}: khớp khi không "
                f"phân biệt {IGNORED[match.how]}, và chỉ khớp với đơn vị này.",
                file=label, row=first, column=header, value=value,
                suggestion="Nên ghi đúng như units.csv." if match.how == FOLD else
                "Excel đọc mã thành số và bỏ số 0 ở đầu; định dạng cột mã là Text để giữ nguyên mã.",
            )
    frame["unit_id"] = np.array([m.unit for m in matches], dtype=object)[codes].tolist()
    return pd.Series(drop, index=frame.index)


def load_units(data_dir: Path, rules: RuleSet, findings: Findings) -> tuple[pd.DataFrame, FileInfo | None, Raw | None]:
    empty = pd.DataFrame(columns=["unit_id", "unit_name", "level", ROW])
    path = find_file(data_dir, "units", findings, data_dir.name)
    if path is None:
        if not findings.errors:
            findings.error("missing_file", "Thiếu tệp danh mục đơn vị units.csv (hoặc units.xlsx).",
                           file="units.csv")
        return empty, None, None
    label = path.name
    errors_before = len(findings.errors)
    if outside_link(path, data_dir, findings, label):
        return empty, None, None
    try:
        raw = read_table(path, UNITS, findings, label)
    except ReadError as exc:
        findings.error("unreadable", _read_message(exc), file=label, row=exc.row, column=exc.column)
        return empty, None, None
    _missing_required(raw, UNITS, findings, label)
    info = _file_info(path, label)
    info.rows, info.sheet, info.header_row = len(raw.frame), raw.sheet, raw.header_row
    if len(findings.errors) > errors_before:
        return empty, info, raw
    ids, _ = PARSERS["id"](raw.frame["unit_id"])
    names, _ = PARSERS["text"](raw.frame["unit_name"])
    levels = raw.frame["level"].map(lambda v: rules.level_code(v) if not pd.isna(v) else None)
    units = pd.DataFrame({"unit_id": ids, "unit_name": names, "level": levels, ROW: raw.frame[ROW]})
    files = raw.frame[FILE] if FILE in raw.frame else pd.Series(label, index=raw.frame.index)  # several sheets
    for idx in units.index[units["unit_id"].isna()]:
        findings.error("required_blank", "Thiếu mã đơn vị.", file=files[idx], row=units.at[idx, ROW],
                       column=raw.columns["unit_id"])
    dup = units["unit_id"].notna() & units["unit_id"].duplicated(keep="first")
    for idx in units.index[dup]:
        findings.error("duplicate_id", f"Mã đơn vị '{units.at[idx, 'unit_id']}' bị trùng.", file=files[idx],
                       row=units.at[idx, ROW], column=raw.columns["unit_id"], value=units.at[idx, "unit_id"])
    for idx in units.index[units["level"].isna()]:
        findings.warning("bad_level", f"Cấp không hợp lệ; cần {EXPECTED['level']}.", file=files[idx],
                         row=units.at[idx, ROW], column=raw.columns["level"], value=raw.frame.at[idx, "level"])
    units["unit_name"] = units["unit_name"].fillna(units["unit_id"])
    units["level_name"] = units["level"].map(lambda c: rules.levels[c].name if c in rules.levels else "")
    return units.reset_index(drop=True), info, raw


def _accounting(raw: Raw) -> Accounting:
    """Rows read: the data rows plus those set aside while reading (total rows, numbering rows); per sheet
    too when the table was read from several."""
    acc = Accounting(read=len(raw.frame) + sum(raw.dropped.values()))
    acc.excluded.update(raw.dropped)
    for part in raw.parts:
        acc.sheets[part.label] = _accounting(part)
    return acc


def load_quarter(data_dir: Path | str, quarter: Quarter, rules: RuleSet, strict: bool = True,
                 only: tuple[str, ...] | None = None) -> Inputs:
    """Read ``units`` and every file of the quarter folder (or only the quarter tables named in ``only``, for a
    scheme that uses no other), each checked against its schema.

    Raises ``InputError`` when grading is impossible; with ``strict=False`` returns what could be read,
    every finding included (errors too), for ``tthc check``.
    """
    data_dir = Path(data_dir)
    findings = Findings()
    files: dict[str, FileInfo] = {}
    accounting: dict[str, Accounting] = {}
    headers: dict[str, dict[str, str]] = {}
    tables: dict[str, pd.DataFrame | None] = {}
    columns: dict[str, set[str]] = {}
    units = pd.DataFrame(columns=["unit_id", "unit_name", "level", ROW])

    def done() -> Inputs:
        if strict:
            findings.raise_errors()
        return Inputs(data_dir, quarter, units, tables, columns, files, accounting, findings, headers)

    if not data_dir.is_dir():
        findings.error("missing_folder", f"Không có thư mục dữ liệu {data_dir}.", file=str(data_dir))
        return done()
    units, units_info, units_raw = load_units(data_dir, rules, findings)
    if units_info:
        files["units"] = units_info
        accounting[units_info.label] = _accounting(units_raw)
        headers["units"] = dict(units_raw.columns)
    folder = data_dir / str(quarter)
    if not folder.is_dir():
        findings.error("missing_folder", f"Không có thư mục dữ liệu của quý {quarter} ({folder}).",
                       file=str(quarter))
    if findings.errors:
        return done()
    resolver = UnitMatcher(units, units_info.label if units_info else "units.csv")
    for table in QUARTER_TABLES if only is None else [t for t in QUARTER_TABLES if t.name in only]:
        tables[table.name] = None
        errors_before = len(findings.errors)
        path = find_file(folder, table.name, findings, str(quarter))
        if path is None:
            if len(findings.errors) > errors_before:  # both .csv and .xlsx: already said
                continue
            if table.required_file:
                findings.error("missing_file", f"Thiếu tệp bắt buộc {table.name}.csv (hoặc .xlsx).",
                               file=f"{quarter}/{table.name}.csv")
            else:
                findings.info("missing_file", f"Không có tệp {table.name}; các chỉ số cần tệp này áp dụng "
                              "chính sách tương ứng.", file=f"{quarter}/{table.name}.csv")
            continue
        label = f"{quarter}/{path.name}"
        if outside_link(path, data_dir, findings, label):
            continue
        if path.stat().st_size == 0 and not table.required_file:  # an empty optional file says nothing
            findings.info("empty_file", f"Tệp {path.name} rỗng; coi như không có tệp {table.name}, các chỉ số cần "
                          "tệp này áp dụng chính sách tương ứng.", file=label)
            continue
        local = Findings()
        loaded = _load_table(path, table, quarter, resolver, local, label)
        findings.extend(sorted(local.items, key=sort_key))
        if loaded is None:
            continue
        raw, frame = loaded
        info = _file_info(path, label)
        info.rows, info.sheet, info.header_row = len(raw.frame), raw.sheet, raw.header_row
        files[table.name] = info
        accounting[label] = acc = _accounting(raw)
        headers[table.name] = dict(raw.columns)
        if frame is None:
            continue
        keep, reasons = frame
        acc.excluded.update(reasons)
        for part_label, part_reasons in reasons.sheets.items():
            acc.sheets[part_label].excluded.update(part_reasons)
        columns[table.name] = set(raw.columns)
        tables[table.name] = keep
    if findings.errors:
        return done()
    inputs = done()
    _dedupe(inputs)
    return inputs


class Reasons(Counter):
    """Rows left out while loading, by reason; per sheet (by its label) in ``sheets`` when there are several."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheets: dict[str, Counter] = {}


def _load_table(path: Path, table: Table, quarter: Quarter, resolver, findings: Findings, label: str):
    """(raw, (rows kept, rows left out by reason) or None when the table has errors), or None if unreadable.
    A table read from several sheets is checked sheet by sheet (each finding names its sheet)."""
    try:
        raw = read_table(path, table, findings, label)
    except ReadError as exc:
        findings.error("unreadable", _read_message(exc), file=label, row=exc.row, column=exc.column)
        return None
    names = {c.name for c in table.columns}
    unit_ref = {"unit_id", "unit_name"} <= names
    if unit_ref and not ({"unit_id", "unit_name"} & set(raw.columns)):
        findings.error("missing_column", f"Bảng {table.name} cần cột 'unit_id' (Mã đơn vị) hoặc 'unit_name' "
                       "(Tên đơn vị).", file=label, row=raw.header_row, column="unit_id")
    kept, total = [], Reasons()
    for part in raw.parts or [raw]:
        part_label = part.label or label
        checked = check_table(part, table, quarter, findings, part_label)
        if findings.errors:
            return raw, None
        frame, drop = checked.frame, checked.drop
        frame[FILE] = part_label
        reasons: Counter = Counter()
        if unit_ref:
            unknown = _resolve_units(frame, resolver, findings, part_label, "unit_id" in part.columns,
                                     checked.headers)
            reasons[REASON_UNIT] = int((unknown & ~drop).sum())
            drop = drop | unknown
        reasons[REASON_INVALID] = int(drop.sum()) - reasons[REASON_UNIT]
        reasons = Counter({k: v for k, v in reasons.items() if v})
        total.update(reasons)
        if raw.parts:
            total.sheets[part_label] = reasons
        kept.append(frame[~drop])
    frame = kept[0] if len(kept) == 1 else pd.concat([k for k in kept if len(k)] or kept[:1])
    return raw, (frame.reset_index(drop=True), total)


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
        column = inputs.headers.get(name, {}).get(key, key)
        acc = inputs.accounting[label]
        for idx in frame.index[dup]:
            ident = frame.at[idx, key]
            first = first_rows.loc[ident]
            file = frame.at[idx, FILE]
            where = f"dòng {first[ROW]}" + (f" ({first[FILE]})" if first[FILE] != file else "")
            same = all(_same(frame.at[idx, c], first[c]) for c in content if c != key)
            if same:
                inputs.findings.info("duplicate_row", f"Dòng trùng lặp hoàn toàn với {where}; bỏ qua.",
                                     file=file, row=frame.at[idx, ROW], column=column, value=ident)
            else:
                inputs.findings.warning(
                    "duplicate_id",
                    f"Mã '{ident}' đã có ở {where} với nội dung khác; giữ {where}, bỏ dòng này.",
                    file=file, row=frame.at[idx, ROW], column=column, value=ident,
                )
            if file in acc.sheets:
                acc.sheets[file].excluded[REASON_DUPLICATE] += 1
        acc.excluded[REASON_DUPLICATE] += int(dup.sum())
        inputs.tables[name] = frame[~dup].reset_index(drop=True)


def _same(a: object, b: object) -> bool:
    a_na, b_na = pd.isna(a) if not isinstance(a, list) else False, pd.isna(b) if not isinstance(b, list) else False
    if a_na or b_na:
        return bool(a_na and b_na)
    return a == b
