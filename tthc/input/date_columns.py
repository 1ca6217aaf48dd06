"""Decisions about a file's date columns as a whole, and their findings.

- **Order**: day-first or month-first is decided once per column from all its values (``dates.order_evidence``).
  A column proving month-first is read month-first, with a warning. A column whose values all read either
  way follows the file's other date columns when they all proved month-first (an export writes every date
  the same way), else the Vietnamese day-first. A column with values that only read day-first and others
  that only read month-first is an error: no single reading fits it.
- **Excel's locale mix-up**: native Excel dates (every one with a day of 12 or less) beside text dates that
  all prove one order is what Excel leaves when it opens a text file written in the other order: the
  dates it could read were turned into dates with day and month swapped. An error: no guess is safe.
- **Mostly unreadable**: more than half of a column's non-blank cells with no usable date (and at least
  ``UNREADABLE_MIN`` of them) is an error: the column is in a format this workbench does not read, and
  grading it cell by cell would leave most rows out.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from tthc.input.dates import DAY_FIRST, MONTH_FIRST, DateCells, DateColumn, Evidence
from tthc.input.findings import ERROR, WARNING, Finding, show
from tthc.input.values import EXPECTED, blank_mask

#: A column is "mostly unreadable" above this share of its non-blank cells…
UNREADABLE_SHARE = 0.5
#: …and with at least this many unreadable cells (one bad cell is a row's problem, not the column's).
UNREADABLE_MIN = 2
EXAMPLES = 3

MONTH_FIRST_SUGGESTION = ("Đối chiếu vài hồ sơ với hệ thống; nên xuất lại tệp với ngày dạng ngày/tháng/năm "
                          "(05/04/2021) hoặc 2021-04-05.")


#: Date columns no grade depends on: their column-level problems are warnings, not errors.
UNUSED = {("self_assessment", "submitted_at")}


def read_date_columns(cells: pd.DataFrame, columns: list[str], headers: dict[str, str], label: str,
                      header_row: int, rows: pd.Series, table: str = "") -> tuple[dict[str, DateCells], list[Finding]]:
    """Each date column read in its order, and the column-level findings (order, mostly unreadable)."""
    scanned = {c: DateColumn(cells[c]) for c in columns}
    evidence = {c: scanned[c].evidence() for c in columns}
    orders, findings = decide_orders(evidence, headers, label, header_row, rows)
    read = {c: scanned[c].read(orders[c]) for c in columns}
    for c in columns:
        finding = _mostly_unreadable(c, cells[c], read[c], headers, label, header_row, rows)
        if finding is not None:
            findings.append(finding)
    unused = {headers.get(c, c) for c in columns if (table, c) in UNUSED}
    return read, [replace(f, severity=WARNING, message=f"{f.message} Cột này không dùng để chấm điểm: vẫn chấm.")
                  if f.severity == ERROR and f.column in unused else f for f in findings]


def decide_orders(evidence: dict[str, Evidence], headers: dict[str, str], label: str, header_row: int,
                  rows: pd.Series) -> tuple[dict[str, str], list[Finding]]:
    """Per column, the order to read its text in, and the findings that say how it was decided."""
    orders: dict[str, str] = {}
    findings: list[Finding] = []
    proven = {c: ev.order for c, ev in evidence.items() if ev.order is not None}
    file_orders = set(proven.values())
    month_columns = [c for c, o in proven.items() if o == MONTH_FIRST]
    for column, ev in evidence.items():
        header = headers.get(column, column)
        if ev.locale_mixup:
            orders[column] = DAY_FIRST
            texts = _examples(ev.day_first or ev.month_first, rows)
            natives = ", ".join(f"'{show(v)}' (dòng {int(rows[i])})" for i, v in ev.natives)
            findings.append(Finding(
                ERROR, "date_locale_mixup", label, header_row, header, "",
                f"Cột '{header}' lẫn {ev.native_count} ô kiểu ngày của Excel (ví dụ {natives}; ngày đều không quá "
                f"12) với ô ngày dạng chữ chỉ đọc được theo một cách ({texts}): dấu hiệu tệp đã được mở bằng "
                "Excel với cách ghi ngày khác, và các ngày có ngày không quá 12 đã bị đảo ngày với tháng. "
                "Không chấm được mà không đoán.",
                "Lấy lại tệp gốc từ hệ thống và dùng trực tiếp (không mở rồi lưu bằng Excel), hoặc nhập vào Excel "
                "bằng Data > From Text/CSV với định dạng ngày DMY.",
            ))
        elif ev.contradictory:
            orders[column] = DAY_FIRST
            findings.append(Finding(
                ERROR, "date_order_conflict", label, header_row, header, "",
                f"Cột '{header}' có ngày chỉ đọc được theo ngày/tháng/năm ({_examples(ev.day_first, rows)}; "
                f"{ev.day_first_count} ô) và ngày chỉ đọc được theo tháng/ngày/năm "
                f"({_examples(ev.month_first, rows)}; {ev.month_first_count} ô): không xác định được cách đọc "
                "chung cho cả cột, nên không chấm được.",
                "Mọi ngày trong một cột phải ghi cùng một cách: sửa các ngày ghi sai thứ tự (nên dùng "
                "ngày/tháng/năm) rồi chạy lại.",
            ))
        elif ev.order == MONTH_FIRST:
            orders[column] = MONTH_FIRST
            findings.append(Finding(
                WARNING, "month_first", label, header_row, header, "",
                f"Cột '{header}' ghi ngày theo tháng/ngày/năm (có {ev.month_first_count} ô chỉ đọc được theo "
                f"cách này, ví dụ {_examples(ev.month_first, rows)}, và không ô nào chỉ đọc được theo "
                "ngày/tháng/năm): mọi ngày của cột được đọc theo tháng/ngày/năm.",
                MONTH_FIRST_SUGGESTION,
            ))
        elif ev.order is None and file_orders == {MONTH_FIRST}:
            orders[column] = MONTH_FIRST
            if ev.either_count:
                others = ", ".join(f"'{headers.get(c, c)}'" for c in month_columns)
                findings.append(Finding(
                    WARNING, "month_first", label, header_row, header, "",
                    f"Các ngày của cột '{header}' đọc được theo cả hai cách (ngày và tháng đều không quá 12); "
                    f"đọc theo tháng/ngày/năm như cột {others} của cùng tệp.",
                    MONTH_FIRST_SUGGESTION,
                ))
        else:
            orders[column] = DAY_FIRST
    return orders, findings


def _mostly_unreadable(column: str, raw: pd.Series, read: DateCells, headers: dict[str, str], label: str,
                       header_row: int, rows: pd.Series) -> Finding | None:
    filled = int((~blank_mask(raw)).sum())
    unreadable = read.unreadable
    count = int(unreadable.sum())
    if count < UNREADABLE_MIN or count <= UNREADABLE_SHARE * filled:
        return None
    header = headers.get(column, column)
    examples = [(idx, show(raw[idx])) for idx in raw.index[unreadable][:EXAMPLES]]
    return Finding(
        ERROR, "dates_unreadable", label, header_row, header, "",
        f"Cột '{header}': {count}/{filled} ô có giá trị không đọc được là ngày (ví dụ {_examples(examples, rows)}); "
        f"cần {EXPECTED['date']}. Chấm điểm với cột này sẽ bỏ sót phần lớn các dòng.",
        "Kiểm tra định dạng ngày của cột khi xuất tệp (ngày/tháng/năm với năm 4 chữ số, hoặc kiểu ngày của "
        "Excel) rồi chạy lại.",
    )


def _examples(examples: list[tuple[object, str]], rows: pd.Series) -> str:
    return ", ".join(f"'{text}' (dòng {int(rows[idx])})" for idx, text in examples)
