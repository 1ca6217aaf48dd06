"""The checks on every input table, declared as pandera schemas.

Two schemas per table, both validated lazily (every failure at once, pandera's ``failure_cases``):

- the **raw** schema, on the cells as read (text, numbers, native dates): required columns present,
  required cells filled, every cell understandable as its column's kind (a date, a count, a label…);
- the **canonical** schema, on the parsed table: ranges (self-scores 0–2 in steps of 0.1, shares 0–1),
  dates within a sensible range, and the order of dates within a row.

Each check is named by the finding code it produces; ``RULES`` gives, per code, the severity, what was
expected (Vietnamese, for the analyst) and the effect on the row: ``drop`` (the row is left out),
``blank`` (the value is treated as missing), ``unreadable`` (something is written but it is no usable value:
never read as blank, the row is left out of what the value would inform, see ``UNREADABLE_EFFECT``) or
``keep`` (graded as written, flagged for the appraiser). A required column's unreadable value drops the row.
``checks.run_schema`` turns the failure cases into findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd
import pandera.pandas as pa

from tthc.input.contract import Table
from tthc.input.findings import ERROR, INFO, WARNING
from tthc.input.values import EXPECTED
from tthc.quarter import Quarter

#: Dates before this are typing mistakes (the one-stop systems started long after).
EARLIEST_DATE = pd.Timestamp("2000-01-01")
#: Dates later than this after the quarter's end are typing mistakes.
LATEST_AFTER_QUARTER = timedelta(days=366)
SCORE_MAX = 2
SCORE_STEP = 0.1


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    expected: str      # what the cell or row should have been (Vietnamese)
    effect: str        # drop, blank or keep
    column: str = ""   # the column blamed by a row-wide check


_EFFECT = {
    "drop": "dòng bị loại khỏi chấm điểm",
    "blank": "giá trị được coi là không có thông tin",
    "keep": "vẫn chấm theo dữ liệu, cần kiểm tra lại",
    "unreadable": "không coi là để trống; dòng không được dùng cho những gì cần đến giá trị này",
}

#: What a blank (or "no date") value means, per (table, column), where it says more than ``_EFFECT["blank"]``.
BLANK_EFFECT = {
    ("dossiers", "finished_at"): "đọc là để trống: hồ sơ chưa có kết quả",
    ("complaints", "answered_at"): "đọc là để trống: phản ánh chưa được trả lời",
    ("complaints", "due_at"): "đọc là để trống: phản ánh không có hạn trả lời",
    ("steps", "finished_at"): "đọc là để trống: bước chưa xong",
}
#: What an unreadable value of an optional column leaves out, per (table, column); the rest use the general
#: text of ``_EFFECT["unreadable"]``.
UNREADABLE_EFFECT = {
    ("dossiers", "finished_at"): "không xác định được hồ sơ đã có kết quả trong kỳ hay chưa: hồ sơ không được "
                                 "xếp vào kỳ nào và bị loại khỏi chấm điểm (không coi là chưa có kết quả)",
    ("complaints", "answered_at"): "không xác định được đã trả lời đúng hạn hay chưa: phản ánh không được tính "
                                   "vào tỷ lệ của chỉ số 8 (vẫn dùng cho chỉ số 7 nếu gắn với hồ sơ)",
    ("complaints", "due_at"): "không xác định được hạn trả lời: phản ánh không được tính vào tỷ lệ của chỉ số 8 "
                              "(vẫn dùng cho chỉ số 7 nếu gắn với hồ sơ)",
    ("steps", "finished_at"): "không xác định được bước xong đúng hạn hay chưa: bước này không được dùng để chấm "
                              "chỉ số 2 của đơn vị trên hồ sơ đó",
    ("surveys", "submitted_at"): "không xác định được phiếu thuộc kỳ nào: phiếu không được tính vào mức độ hài "
                                 "lòng (vẫn dùng làm minh chứng cho hồ sơ)",
    ("self_assessment", "submitted_at"): "ngày này không được dùng",
}

RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("missing_column", ERROR, "Thiếu cột bắt buộc", "drop"),
    Rule("required_blank", WARNING, "Thiếu giá trị bắt buộc", "drop"),
    *(Rule(f"bad_{kind}", WARNING, f"Giá trị không hợp lệ; cần {text}", "unreadable" if kind == "date" else "blank")
      for kind, text in EXPECTED.items()),
    Rule("year_out_of_range", WARNING, "Năm không thể là năm của một ngày giải quyết thủ tục", "unreadable"),
    Rule("no_date", INFO, "Ngày quy ước 'không có ngày' của hệ thống", "blank"),
    Rule("date_out_of_range", WARNING, "Ngày nằm ngoài khoảng hợp lý", "keep"),
    Rule("due_before_received", WARNING, "Ngày hẹn trả trước ngày tiếp nhận", "keep", "due_at"),
    Rule("finished_before_received", WARNING, "Ngày có kết quả trước ngày tiếp nhận", "keep", "finished_at"),
    Rule("answered_before_received", WARNING, "Ngày trả lời trước ngày tiếp nhận phản ánh", "keep", "answered_at"),
    Rule("score_range", WARNING, f"Điểm tự chấm phải từ 0 đến {SCORE_MAX}", "blank"),
    Rule("score_step", INFO, "Điểm tự chấm thường là bội số của 0,1", "keep"),
    Rule("share_range", WARNING, "Tỷ lệ phải từ 0 đến 1 (hoặc 0% đến 100%)", "blank"),
)}


def effect_text(effect: str, table: str = "", column: str = "") -> str:
    specific = {"unreadable": UNREADABLE_EFFECT, "blank": BLANK_EFFECT}.get(effect, {})
    return specific.get((table, column), _EFFECT[effect])


# ---------------------------------------------------------------------------------------- raw stage


def raw_schema(table: Table, present: set[str], bad: dict[str, pd.Series], blank: dict[str, pd.Series],
               flags: dict[str, dict[str, pd.Series]] | None = None) -> pa.DataFrameSchema:
    """Required columns present and filled; each cell understood as its kind.

    ``bad`` and ``blank`` hold, per present column, the cells its parser could not understand and the
    blank cells (parsing is done once, in ``values``; the schema declares what must hold); ``flags``, per
    column, further checks by name and the cells failing them (a date's year out of range…).
    """
    columns = {}
    for col in table.columns:
        if col.name not in present:
            if col.required:
                columns[col.name] = pa.Column(required=True, nullable=True)
            continue
        checks = []
        if col.required:
            checks.append(pa.Check(_not(blank[col.name]), name="required_blank", ignore_na=False))
        checks.append(pa.Check(_not(bad[col.name]), name=f"bad_{col.kind}", ignore_na=False))
        for name, mask in (flags or {}).get(col.name, {}).items():
            checks.append(pa.Check(_not(mask), name=name, ignore_na=False))
        columns[col.name] = pa.Column(nullable=True, checks=checks)
    return pa.DataFrameSchema(columns, name=f"{table.name}_raw", strict=False)


def _not(mask: pd.Series):
    return lambda s: ~mask.reindex(s.index, fill_value=False).astype(bool)


# ---------------------------------------------------------------------------------- canonical stage


def _day(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce").dt.normalize()


def _before(later: str, earlier: str):
    """Row-wide: ``later`` is not on a day before ``earlier`` (blanks pass)."""
    return lambda d: ~(_day(d[later]) < _day(d[earlier])).fillna(False).astype(bool)


def _date_range(quarter: Quarter) -> pa.Check:
    latest = pd.Timestamp(quarter.bounds()[1]) + LATEST_AFTER_QUARTER
    return pa.Check(lambda s: _day(s).between(EARLIEST_DATE, latest) | s.isna(), name="date_out_of_range",
                    ignore_na=False)


def _on_step(s: pd.Series) -> pd.Series:
    tenths = s.astype("float64") / SCORE_STEP
    return ((tenths - tenths.round()).abs() < 1e-6) | s.isna()


def canonical_schema(table: Table, present: set[str], quarter: Quarter) -> pa.DataFrameSchema:
    """Ranges, steps and date order on the parsed table (only the columns the file had)."""
    columns = {}
    for col in table.columns:
        if col.name not in present:
            continue
        checks = []
        if col.kind == "date":
            checks.append(_date_range(quarter))
        elif col.kind == "score":
            checks += [pa.Check(lambda s: s.between(0, SCORE_MAX) | s.isna(), name="score_range", ignore_na=False),
                       pa.Check(_on_step, name="score_step", ignore_na=False)]
        elif col.kind == "share":
            checks.append(pa.Check(lambda s: s.between(0, 1) | s.isna(), name="share_range", ignore_na=False))
        if checks:
            columns[col.name] = pa.Column(nullable=True, checks=checks)
    wide = [pa.Check(_before(later, earlier), name=code, ignore_na=False)
            for code, later, earlier in ROW_ORDER.get(table.name, ())
            if later in present and earlier in present]
    return pa.DataFrameSchema(columns, checks=wide, name=f"{table.name}_canonical", strict=False)


#: Per table: (check, the later date, the date it cannot precede).
ROW_ORDER = {
    "dossiers": (("due_before_received", "due_at", "received_at"),
                 ("finished_before_received", "finished_at", "received_at")),
    "complaints": (("answered_before_received", "answered_at", "received_at"),),
}
