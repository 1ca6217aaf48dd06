"""The checks on every input table, declared as pandera schemas.

Two schemas per table, both validated lazily (every failure at once, pandera's ``failure_cases``):

- the **raw** schema, on the cells as read (text, numbers, native dates): required columns present,
  required cells filled, every cell understandable as its column's kind (a date, a count, a label…);
- the **canonical** schema, on the parsed table: ranges (self-scores 0–2 in steps of 0.1, shares 0–1),
  dates within a sensible range, and the order of dates within a row.

Each check is named by the finding code it produces; ``RULES`` gives, per code, the severity, what was
expected (Vietnamese, for the analyst) and the effect on the row: ``drop`` (the row is left out),
``blank`` (the value is treated as missing) or ``keep`` (graded as written, flagged for the appraiser).
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
}

RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("missing_column", ERROR, "Thiếu cột bắt buộc", "drop"),
    Rule("required_blank", WARNING, "Thiếu giá trị bắt buộc", "drop"),
    *(Rule(f"bad_{kind}", WARNING, f"Giá trị không hợp lệ; cần {text}", "blank") for kind, text in EXPECTED.items()),
    Rule("date_out_of_range", WARNING, "Ngày nằm ngoài khoảng hợp lý", "keep"),
    Rule("due_before_received", WARNING, "Ngày hẹn trả trước ngày tiếp nhận", "keep", "due_at"),
    Rule("finished_before_received", WARNING, "Ngày có kết quả trước ngày tiếp nhận", "keep", "finished_at"),
    Rule("answered_before_received", WARNING, "Ngày trả lời trước ngày tiếp nhận phản ánh", "keep", "answered_at"),
    Rule("score_range", WARNING, f"Điểm tự chấm phải từ 0 đến {SCORE_MAX}", "blank"),
    Rule("score_step", INFO, "Điểm tự chấm thường là bội số của 0,1", "keep"),
    Rule("share_range", WARNING, "Tỷ lệ phải từ 0 đến 1 (hoặc 0% đến 100%)", "blank"),
)}


def effect_text(effect: str) -> str:
    return _EFFECT[effect]


# ---------------------------------------------------------------------------------------- raw stage


def raw_schema(table: Table, present: set[str], bad: dict[str, pd.Series], blank: dict[str, pd.Series]
               ) -> pa.DataFrameSchema:
    """Required columns present and filled; each cell understood as its kind.

    ``bad`` and ``blank`` hold, per present column, the cells its parser could not understand and the
    blank cells (parsing is done once, in ``values``; the schema declares what must hold).
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
