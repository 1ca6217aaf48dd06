"""The portal's figures (``portal_scores``): checked rows, per unit and component, group totals and totals.

Readings:

- a row's ``component`` is a component code (``2.1``), a portal metric code (``ON_TIME``), a group (``1``, ``g1``,
  ``Nhóm 1`` or its name) or ``total``; group totals and totals are cross-checks, never scores;
- a metric with counts and no score gets its points from the counts by the rule set's formula under the
  run's policies (``computed``); a metric with both is taken at its score, and a score that its own counts
  do not give is an info finding;
- the top unit of a JSON file that matches no unit of units.csv is the province (info finding); a row of
  another unknown unit, an unknown code, a negative score or one above the component's maximum, a negative
  count or a numerator above its denominator is a warning and the row is not used; the first of two rows
  for the same unit and component is used;
- a group total is checked when the portal gives every component of the group; the total against the group
  totals when all six are given (else against the components when all are given). Any difference of 0,01 or
  more is a warning ("does not add up").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from tthc.input.findings import Findings
from tthc.text import fold

from .arithmetic import component_points
from .evidence import count_value
from .portal_json import group_code
from .unitref import UnitRef
from .wording import points_vi

TOTAL_WORDS = {"total", "tong", "tong diem", "tong cong", "chi so", "diem tong"}
REASON_UNIT = "đơn vị không có trong units.csv"
REASON_CODE = "mã chỉ tiêu hoặc nhóm không nhận ra"
REASON_VALUE = "điểm hoặc tử số, mẫu số không dùng được"
REASON_DUPLICATE = "trùng đơn vị và chỉ tiêu"


def location(file: str, row: int | None, where: str) -> str:
    """Where a portal figure was read: the table's row, else the JSON path."""
    if row is not None:
        return f"{file}, dòng {row}"
    return f"{file}, {where}" if where else file


@dataclass(frozen=True)
class PortalFigure:
    unit: str
    code: str
    points: Decimal | None
    numerator: int | None
    denominator: int | None
    computed: bool
    file: str
    row: int | None
    where: str

    def location(self) -> str:
        return location(self.file, self.row, self.where)


@dataclass(frozen=True)
class PortalTotal:
    """A group total or a unit's total: a cross-check."""

    score: Decimal
    file: str
    row: int | None
    where: str

    def location(self) -> str:
        return location(self.file, self.row, self.where)


@dataclass
class Portal:
    figures: dict[tuple[str, str], PortalFigure]
    groups: dict[tuple[str, str], PortalTotal]
    totals: dict[str, PortalTotal]

    def has(self, unit: str) -> bool:
        return any(u == unit for u, _c in self.figures)


def _decimal(value: object) -> Decimal | None | str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else "bad"
    if isinstance(value, bool):
        return "bad"
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        return "bad"


def points_from_counts(spec, numerator: int, denominator: int, policies: dict[str, str]) -> Decimal | None:
    """A component's points from its counts under the run's policies (None: not applicable)."""
    if denominator == 0:
        if spec.full_when_empty:
            return spec.max.quantize(Decimal("0.01"))
        return Decimal("0.00") if policies["empty_denominator"] == "zero" else None
    return component_points(spec.max, numerator, denominator, spec.full_at_value(policies))


def collect_portal(frame: pd.DataFrame | None, rules, ref: UnitRef, policies: dict[str, str],
                   findings: Findings) -> tuple[Portal, dict[str, Counter]]:
    """Check every portal row; the usable figures, and per file the rows left out by reason."""
    portal = Portal({}, {}, {})
    excluded: dict[str, Counter] = {}
    if frame is None or frame.empty:
        return portal, excluded
    for rec in frame.to_dict("records"):
        label = str(rec.get("_file") or "portal_scores")
        line = rec.get("_row")
        line = None if line is None or pd.isna(line) else int(line)
        path = str(rec.get("_where") or "")
        where = {"file": label, "row": line}

        def drop(reason: str, code: str, message: str, column: str, value: object = "", suggestion: str = "",
                 label=label, where=where, path=path) -> None:
            excluded.setdefault(label, Counter())[reason] += 1
            findings.warning(code, message, column=path or column, value=value, suggestion=suggestion, **where)

        raw_unit = rec.get("unit_ref") if rec.get("unit_ref") is not None else rec.get("unit_name")
        unit = ref.resolve(rec.get("unit_ref"), rec.get("unit_name"))
        if unit is None and rec.get("_root"):
            unit = ref.province_id
            findings.info("nd118_portal_root", f"Đơn vị gốc '{raw_unit}' của tệp điểm Cổng không có trong units.csv: "
                          f"hiểu là toàn tỉnh ({ref.province_id}).", column=path, value=raw_unit, **where)
        if unit is None:
            drop(REASON_UNIT, "nd118_portal_unknown_unit", "Đơn vị trong điểm của Cổng không có trong units.csv; "
                 "dòng không được dùng.", "unit_id", raw_unit, ref.suggestion(raw_unit))
            continue
        raw_code = rec.get("component")
        code = rules.component_code(raw_code) if raw_code is not None else None
        group = None if code else group_code(rules, raw_code)
        is_total = code is None and group is None and raw_code is not None and fold(raw_code) in TOTAL_WORDS
        if code is None and group is None and not is_total:
            drop(REASON_CODE, "nd118_portal_unknown_component", "Mã chỉ tiêu (hoặc nhóm, 'total') không có trong bộ "
                 "chỉ số NĐ 118/2025; dòng không được dùng.", "component", raw_code)
            continue
        score = _decimal(rec.get("score"))
        num, den = count_value(rec.get("numerator")), count_value(rec.get("denominator"))
        if score == "bad" or (score is not None and score < 0):
            drop(REASON_VALUE, "nd118_portal_bad_score", "Điểm của Cổng không phải số không âm; dòng không được dùng.",
                 "score", rec.get("score"))
            continue
        if code is None:
            if score is None:
                drop(REASON_VALUE, "nd118_portal_no_score", "Dòng tổng nhóm hoặc tổng điểm không có điểm; không dùng.",
                     "score")
                continue
            key, table = (unit, group) if group else unit, portal.groups if group else portal.totals
            if key in table:
                drop(REASON_DUPLICATE, "nd118_portal_duplicate", "Tổng điểm này đã có ở dòng trước; bỏ dòng này.",
                     "component", raw_code)
                continue
            table[key] = PortalTotal(score, label, line, path)
            continue
        spec = rules.component(code)
        if "bad" in (num, den) or (num is not None and den is not None and num > den):
            drop(REASON_VALUE, "nd118_portal_bad_count", f"Tử số, mẫu số của Cổng (chỉ tiêu {code}) phải là số nguyên "
                 "không âm, tử số không lớn hơn mẫu số; dòng không được dùng.", "numerator",
                 f"{rec.get('numerator')}/{rec.get('denominator')}")
            continue
        if score is not None and score > spec.max:
            drop(REASON_VALUE, "nd118_portal_above_max", f"Điểm {points_vi(score)} của Cổng vượt điểm tối đa "
                 f"{points_vi(spec.max)} của chỉ tiêu {code}; dòng không được dùng.", "score", rec.get("score"))
            continue
        maximum = _decimal(rec.get("max_score"))
        if isinstance(maximum, Decimal) and maximum != spec.max:
            findings.info("nd118_portal_max", f"Cổng ghi điểm tối đa {points_vi(maximum)} cho chỉ tiêu {code}, bộ quy "
                          f"tắc ghi {points_vi(spec.max)}.", column=path or "max_score", value=maximum, **where)
        computed = False
        if score is None:
            if num is None or den is None:
                drop(REASON_VALUE, "nd118_portal_no_score", f"Chỉ tiêu {code} không có điểm, cũng không có tử số và "
                     "mẫu số; dòng không được dùng.", "score")
                continue
            score, computed = points_from_counts(spec, num, den, policies), True
            if score is None:
                findings.info("nd118_portal_not_applicable", f"Chỉ tiêu {code}: Cổng ghi mẫu số 0 và không ghi điểm; "
                              "theo chính sách empty_denominator = not_applicable, chỉ tiêu không áp dụng.",
                              column=path or "denominator", **where)
                continue
        elif num is not None and den is not None:
            own = points_from_counts(spec, num, den, policies)
            if own is not None and own != score:
                findings.info("nd118_portal_inconsistent", f"Đơn vị {unit}, chỉ tiêu {code}: điểm của Cổng "
                              f"{points_vi(score)} khác điểm tính từ tử số, mẫu số của chính Cổng ({num}/{den} → "
                              f"{points_vi(own)}).",
                              column=path or "score", value=score, **where)
        if (unit, code) in portal.figures:
            drop(REASON_DUPLICATE, "nd118_portal_duplicate", f"Đơn vị {unit} đã có điểm chỉ tiêu {code} ở "
                 f"{portal.figures[(unit, code)].location()}; bỏ dòng này.", "component", raw_code)
            continue
        portal.figures[(unit, code)] = PortalFigure(unit, code, score.quantize(Decimal("0.01")), num, den, computed,
                                                    label, line, path)
    _cross_checks(portal, rules, findings)
    return portal, excluded


def _cross_checks(portal: Portal, rules, findings: Findings) -> None:
    """Group totals against their components, totals against the groups (or the components)."""
    for (unit, group), given in sorted(portal.groups.items()):
        members = [c.code for c in rules.components if c.group == group]
        figures = [portal.figures.get((unit, m)) for m in members]
        if all(figures):
            total = sum((f.points for f in figures), Decimal(0))
            if total != given.score:
                findings.warning("nd118_portal_group_sum", f"Đơn vị {unit}, nhóm {group}: tổng điểm nhóm của Cổng "
                                 f"{points_vi(given.score)} khác tổng các chỉ tiêu {points_vi(total)}.",
                                 file=given.file, row=given.row, column=given.where or f"g{group}", value=given.score)
    for unit, given in sorted(portal.totals.items()):
        groups = [portal.groups.get((unit, g.code)) for g in rules.groups]
        figures = [portal.figures.get((unit, c.code)) for c in rules.components]
        if all(groups):
            total, what = sum((g.score for g in groups), Decimal(0)), "tổng các nhóm"
        elif all(figures):
            total, what = sum((f.points for f in figures), Decimal(0)), "tổng các chỉ tiêu"
        else:
            continue
        if total != given.score:
            findings.warning("nd118_portal_total_sum", f"Đơn vị {unit}: tổng điểm của Cổng {points_vi(given.score)} "
                             f"khác {what} {points_vi(total)}.", file=given.file, row=given.row,
                             column=given.where or "total", value=given.score)
