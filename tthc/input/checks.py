"""Running the table schemas (``schemas``) and turning pandera's failure cases into findings.

Every finding says where (file, the row as the analyst sees it in Excel, the column header as written),
what was there, what was expected and, where one can be guessed, a suggestion. The effect of each check
(row left out, value treated as missing, kept and flagged) comes from ``schemas.RULES``.

"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import pandas as pd
import pandera.pandas as pa
from babel.numbers import format_decimal

from tthc.input.contract import Table
from tthc.input.date_columns import read_date_columns
from tthc.input.dates import PLAUSIBLE_YEARS, year_of
from tthc.input.findings import Finding, Findings, show
from tthc.input.reading import ROW, Raw
from tthc.input.schemas import (
    EARLIEST_DATE,
    LATEST_AFTER_QUARTER,
    RULES,
    SCORE_MAX,
    canonical_schema,
    effect_text,
    raw_schema,
)
from tthc.input.values import PARSERS, blank_mask, closest_label, unreadable_column
from tthc.quarter import Quarter
from tthc.text import fold

#: A self-score this far from the appraised score is a warning; any smaller gap is information.

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")
#: A formula cell saved without its value (the file was written by a program, never opened in Excel).
FORMULA_SUGGESTION = ("Ô chứa công thức chưa có giá trị đã tính: mở tệp bằng Excel, để Excel tính lại rồi lưu, "
                      "hoặc thay công thức bằng giá trị.")


@dataclass
class Checked:
    """A table after the checks: canonical values, rows to leave out and the header of each column."""

    frame: pd.DataFrame
    drop: pd.Series
    headers: dict[str, str]


def failure_cases(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """pandera's failure cases (lazy: every failure at once); empty when the frame passes. In place: the
    schemas neither coerce nor add columns, so the frame is not copied first."""
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return pd.DataFrame(columns=["schema_context", "column", "check", "failure_case", "index"])


def check_table(raw: Raw, table: Table, quarter: Quarter, findings: Findings, label: str) -> Checked:
    """Parse and check one quarter table: the raw schema, then the canonical one.

    Returns the canonical frame (``_row`` kept; values blanked where a check says so) and the mask of rows
    to leave out. Missing required columns are errors; the rest are warnings or information.
    """
    cells = raw.frame
    present = set(raw.columns)
    headers = dict(raw.columns)
    rows = cells[ROW] if ROW in cells else pd.Series(range(2, len(cells) + 2), index=cells.index)
    date_columns = [c.name for c in table.columns if c.kind == "date" and c.name in present]
    dates, column_findings = read_date_columns(cells, date_columns, headers, label, raw.header_row, rows,
                                               table.name)
    parsed, bad, blank, flags = {}, {}, {}, {}
    for col in table.columns:
        if col.name not in present:
            continue
        blank[col.name] = blank_mask(cells[col.name])
        if col.name in dates:
            read = dates[col.name]
            parsed[col.name], bad[col.name] = read.values, read.bad
            flags[col.name] = {"year_out_of_range": read.absurd}
            if col.required:  # "no date" in a required column: the value is missing
                blank[col.name] = blank[col.name] | read.sentinel
            else:
                flags[col.name]["no_date"] = read.sentinel
        else:
            parser = PARSERS.get(col.kind, PARSERS["text"])
            parsed[col.name], bad[col.name] = parser(cells[col.name], blank_is_missing=table.blank_is_missing)
    order = _position(table)
    out: list[tuple] = [((-1, order.get(f.column, 99), 0), f) for f in column_findings]
    drop = pd.Series(False, index=cells.index)
    unreadable: dict[str, list] = {}
    raw_failures = failure_cases(raw_schema(table, present, bad, blank, flags), cells)
    settled: set[tuple[int, str]] = set()
    for key, finding, effect, where in _findings(raw_failures, table, cells, headers, raw, label, quarter):
        out.append((key, finding))
        if where is None:
            continue
        idx, column = where
        required = table.column(column).required
        if effect == "drop" or required:
            drop[idx] = True
        elif effect == "unreadable":
            unreadable.setdefault(column, []).append(idx)
        settled.add((idx, column))
    frame = pd.DataFrame(index=cells.index)
    for col in table.columns:
        if col.name in parsed:
            frame[col.name] = parsed[col.name]
        else:
            frame[col.name] = pd.Series(pd.NA, index=cells.index, dtype=object)
    frame[ROW] = rows
    for column, where in unreadable.items():  # carried with the rows, for what the value would inform
        frame[unreadable_column(column)] = cells.index.isin(where)
    canon_failures = failure_cases(canonical_schema(table, present, quarter), frame)
    for key, finding, effect, where in _findings(canon_failures, table, cells, headers, raw, label, quarter):
        if where is not None and where in settled:
            continue
        out.append((key, finding))
        if where is None:
            continue
        idx, column = where
        settled.add(where)
        if effect == "blank":
            frame.loc[idx, column] = pd.NA if frame[column].dtype != "float64" else float("nan")
        elif effect == "drop":
            drop[idx] = True
    out.sort(key=lambda item: item[0])
    findings.extend([f for _key, f in out])
    return Checked(frame, drop, headers)


def _position(table: Table) -> dict[str, int]:
    return {c.name: i for i, c in enumerate(table.columns)}


def _findings(failures: pd.DataFrame, table: Table, cells: pd.DataFrame, headers: dict[str, str], raw: Raw,
              label: str, quarter: Quarter):
    """(sort key, Finding, effect, (row index, column) or None) per failure case, one per cell or row."""
    if failures.empty:
        return
    order = _position(table)
    checks = {}
    seen = set()
    for rec in failures.itertuples(index=False):
        code = str(rec.check)
        if code == "column_in_dataframe":
            column = str(rec.failure_case)
            yield ((-1, order.get(column, 99), 0), _missing_column(table, column, raw, label), "drop", None)
            continue
        rule = RULES.get(code)
        if rule is None:  # pragma: no cover - every check is named after a rule
            continue
        column = rule.column or str(rec.column)
        index = rec.index
        if index is None or pd.isna(index) or (index, column, code) in seen:
            continue
        seen.add((index, column, code))
        checks.setdefault(code, len(checks))
        idx = int(index)
        effect = "drop" if rule.effect != "keep" and table.column(column).required else rule.effect
        value = cells.at[idx, column] if column in cells else ""
        message, suggestion = _explain(code, table.column(column).kind, value, effect, quarter, table.name, column)
        finding = Finding(rule.severity, code, label, int(cells.at[idx, ROW]), headers.get(column, column),
                          show(value), message, suggestion)
        yield ((finding.row, order.get(column, 99), checks[code]), finding, effect, (idx, column))


def _missing_column(table: Table, column: str, raw: Raw, label: str) -> Finding:
    col = table.column(column)
    aliases = ", ".join(f"'{a}'" for a in col.aliases[:3])
    keys = {fold(k): k for k in (col.name, *col.aliases)}
    near = {}
    for header in raw.ignored:
        hit = difflib.get_close_matches(fold(header), list(keys), n=1, cutoff=0.6)
        if hit:
            near.setdefault(header, hit[0])
    suggestion = ""
    if near:
        header, key = next(iter(near.items()))
        suggestion = f"Cột '{header}' có phải là '{keys[key]}'? Đổi tên tiêu đề cột cho đúng."
    return Finding("error", "missing_column", label, raw.header_row, column, "",
                   f"Thiếu cột bắt buộc '{column}' (hoặc {aliases}) trong bảng {table.name}.", suggestion)


def _explain(code: str, kind: str, value: object, effect: str, quarter: Quarter, table: str = "",
             column: str = "") -> tuple[str, str]:
    """The Vietnamese message (what was expected, what happens to the row) and a suggestion."""
    rule = RULES[code]
    what = effect_text(effect, table, column)
    suggestion = ""
    expected = rule.expected
    if code == "date_out_of_range":
        latest = pd.Timestamp(quarter.bounds()[1]) + LATEST_AFTER_QUARTER
        expected = f"Ngày nằm ngoài khoảng hợp lý (từ {EARLIEST_DATE:%d/%m/%Y} đến {latest:%d/%m/%Y})"
        suggestion = "Kiểm tra năm hoặc nhầm ngày/tháng."
    elif code in ("due_before_received", "finished_before_received", "answered_before_received"):
        suggestion = "Kiểm tra nhầm ngày/tháng hoặc nhầm cột."
    elif code == "bad_date":
        text = show(value)
        match = _US_DATE.match(text)
        if text.startswith("="):
            suggestion = FORMULA_SUGGESTION
        elif re.search(r"\b24:00", text):
            suggestion = "Giờ 24:00 không có trong ngày; ghi 00:00 của ngày hôm sau hoặc 23:59."
        elif match and int(match.group(2)) > 12 >= int(match.group(1)):
            suggestion = "Có vẻ ghi theo tháng/ngày/năm; cần ngày/tháng/năm."
        elif match:
            suggestion = "Ngày không tồn tại trong lịch; kiểm tra lại."
    elif code == "year_out_of_range":
        year = year_of(value)
        low, high = PLAUSIBLE_YEARS
        expected = f"Năm {year:04d} nằm ngoài khoảng {low}–{high}, không thể là ngày của hồ sơ"
        suggestion = f"Có phải năm {2000 + year}?" if year is not None and year < 100 else "Kiểm tra lại năm."
    elif code == "required_blank" and show(value):
        suggestion = "Giá trị này là ngày quy ước 'không có ngày' của hệ thống: cần ngày thật."
    elif code == "no_date":
        suggestion = "Hệ thống ghi ngày này khi chưa có ngày; nếu không phải vậy, sửa lại ngày đúng."
    elif code.startswith("bad_") and kind in ("satisfaction", "channel", "form", "scope"):
        label = closest_label(kind, value)
        if label:
            suggestion = f"Có phải là '{label}'?"
    elif code == "score_step":
        number = pd.to_numeric(show(value).replace(",", "."), errors="coerce")
        if pd.notna(number):
            suggestion = f"Làm tròn thành {_vi(Decimal(repr(float(number))))}."
    elif code == "score_range":
        suggestion = f"Mỗi chỉ số tối đa {SCORE_MAX} điểm."
    elif code == "share_range":
        number = pd.to_numeric(show(value).replace(",", ".").rstrip("%"), errors="coerce")
        if pd.notna(number) and 1 < number <= 100:
            suggestion = f"Nếu là {show(float(number))}%, ghi {show(float(number))}% hoặc {number / 100:g}."
    return f"{expected}; {what}.", suggestion


# -------------------------------------------------------------------------- self-score vs appraisal


def _vi(number) -> str:
    """One decimal, Vietnamese form (1,5)."""
    tenths = Decimal(number).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return _vi_tenths(tenths + 0)  # + 0: no "-0,0" (and -0.0 == 0.0 would share a cache entry)


@lru_cache(maxsize=1024)
def _vi_tenths(tenths: Decimal) -> str:
    return format_decimal(tenths, format="#,##0.0", locale="vi_VN")
