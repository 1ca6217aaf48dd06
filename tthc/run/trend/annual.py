"""The year: each unit's annual result built from the year's four quarters, by the ``annual_method`` setting.

- ``mean_of_quarters`` (default): the exact mean of the unit's totals in the quarters it was graded (a band as
  result), rounded half-up to the decimals the totals are written with (TT 01/2018: one; the index: two); the
  band is read from that rounded total with the scheme's bands (those of the year's last quarter under that rule
  set, with its policies: the index's ``index_bands``). A unit graded in no quarter keeps a status: the one of
  its latest quarter with dossiers, else of its latest quarter.
- ``regrade_year``: the quarters' inputs graded once as one period (``tthc.run.trend.regrade``).

A year across a rule-set change (2025: TT 01/2018 until Q2, the index from Q3) is never averaged across the
break: it has one annual table per run of quarters under one rule set (a *segment*), each on its own scale.
Ranks are within the level, competition style, among the units graded for the year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tthc.parameters.annual import ANNUAL_METHOD, MEAN_OF_QUARTERS, REGRADE_YEAR
from tthc.quarter import Quarter
from tthc.run.trend.numbers import TrendInputError, decimal_of, mean, text_of
from tthc.run.trend.series import Trend, UnitQuarter, segments, unit_rows
from tthc.run.trend.sources import QuarterGrades

BASE_COLUMNS = ["rule_set", "unit_id", "unit_name", "level", "dossiers", "quarters_graded", "total", "result", "rank"]


@dataclass
class Segment:
    """The year's quarters under one rule set and their annual table (``BASE_COLUMNS`` then, per quarter of
    the year, ``total_<quarter>`` and ``result_<quarter>``)."""

    quarters: list[QuarterGrades]
    table: pd.DataFrame
    places: int

    @property
    def rules(self):
        return self.quarters[-1].rules

    @property
    def span(self) -> str:
        first, last = self.quarters[0].quarter, self.quarters[-1].quarter
        if first.number == 1 and last.number == 4 and first.year == last.year:
            return f"năm {first.year}"
        return first.label_vi if first == last else f"từ {first.label_vi} đến {last.label_vi}"


@dataclass
class Year:
    name: str
    year: int
    method: str
    trend: Trend
    segments: list[Segment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        """Every segment's annual table, one after the other (``annual.csv``)."""
        frames = [s.table for s in self.segments]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=BASE_COLUMNS)


def year_quarters(year: int) -> list[Quarter]:
    return [Quarter(year, n) for n in range(1, 5)]


def check_method(method: str | None) -> str:
    value = method or ANNUAL_METHOD.default
    if value not in ANNUAL_METHOD.values:
        raise TrendInputError(f"Cách tính kết quả năm '{value}' không hợp lệ; các giá trị: "
                              + ", ".join(ANNUAL_METHOD.values) + ".")
    return value


def build_year(trend: Trend, year: int, method: str, data_dir: Path | None = None,
               profile: str | None = None) -> Year:
    """The annual tables of ``trend`` (which covers the year's quarters)."""
    method = check_method(method)
    result = Year(trend.name, year, method, trend)
    for run in segments(trend.quarters):
        per_quarter = {qg.quarter: unit_rows(qg) for qg in run}
        places = max(qg.places for qg in run)
        if method == MEAN_OF_QUARTERS:
            annual = mean_of_quarters(run, per_quarter, places)
        else:
            from tthc.run.trend.regrade import regrade

            done = regrade(run, profile, data_dir)
            annual = Annual(done.totals, done.results, done.dossiers, 1, done.graded)
            places = max(places, annual.places)
        result.segments.append(Segment(run, _table(run, per_quarter, annual, places, year), places))
    if len(result.segments) > 1:
        result.notes.append("Năm có đổi bộ quy tắc: kết quả năm tính riêng cho từng giai đoạn, mỗi giai đoạn theo "
                            "thang điểm của mình, không cộng hay so sánh qua chỗ đổi.")
    return result


@dataclass
class Annual:
    """Per unit id: annual total (or None), result, dossiers; ``places`` of the totals."""

    totals: dict[str, object]
    results: dict[str, str]
    dossiers: dict[str, int | None]
    places: int
    graded: dict[str, int] = field(default_factory=dict)


def mean_of_quarters(run: list[QuarterGrades], per_quarter: dict[Quarter, list[UnitQuarter]], places: int) -> Annual:
    last = run[-1]
    history: dict[str, list[UnitQuarter]] = {}
    for q in sorted(per_quarter):
        for r in per_quarter[q]:
            history.setdefault(r.unit_id, []).append(r)
    totals, results, dossiers, graded = {}, {}, {}, {}
    for uid, rows in history.items():
        scored = [r for r in rows if r.band_order is not None]
        graded[uid] = len(scored)
        counts = [r.dossiers for r in rows if r.dossiers is not None]
        dossiers[uid] = sum(counts) if counts else None
        if scored:
            totals[uid] = mean([r.total for r in scored], places)
            results[uid] = last.band_for(totals[uid]).label
        else:
            totals[uid] = None
            with_dossiers = [r for r in rows if r.dossiers]
            results[uid] = (with_dossiers or rows)[-1].result
    return Annual(totals, results, dossiers, places, graded)


def _table(run, per_quarter, annual: Annual, places: int, year: int) -> pd.DataFrame:
    levels = set(run[-1].levels)
    bands = {label: i for i, label in enumerate(run[-1].band_labels, start=1)}
    order: dict[str, UnitQuarter] = {}
    for q in sorted(per_quarter, reverse=True):
        for r in per_quarter[q]:
            order.setdefault(r.unit_id, r)
    rows = []
    by_key = {(r.unit_id, q): r for q, rs in per_quarter.items() for r in rs}
    for uid, latest in order.items():
        if uid not in annual.results:
            continue  # regrade: a unit no longer in units.csv
        total = annual.totals.get(uid)
        row = {
            "rule_set": run[-1].rules.id, "unit_id": uid, "unit_name": latest.unit_name, "level": latest.level,
            "dossiers": text_of(annual.dossiers.get(uid)), "quarters_graded": str(annual.graded.get(uid, 0)),
            "total": text_of(total, places), "result": annual.results[uid], "rank": "",
        }
        for q in (Quarter(year, n) for n in range(1, 5)):
            found = by_key.get((uid, q))
            row[f"total_{q}"] = text_of(found.total, places) if found and found.total is not None else ""
            row[f"result_{q}"] = found.result if found else ""
        rows.append(row)
    _rank(rows, levels, bands)
    columns = BASE_COLUMNS + [f"{k}_{q}" for q in year_quarters(year) for k in ("total", "result")]
    return pd.DataFrame(rows, columns=columns)


def _rank(rows: list[dict], levels: set[str], bands: dict[str, int]) -> None:
    for level in levels:
        graded = [r for r in rows if r["level"] == level and r["result"] in bands and r["total"]]
        values = {id(r): decimal_of(r["total"], "annual") for r in graded}
        for r in graded:
            r["rank"] = str(1 + sum(values[id(o)] > values[id(r)] for o in graded))


METHOD_NOTES = {
    MEAN_OF_QUARTERS: "trung bình cộng tổng điểm của các quý đơn vị được xếp loại, làm tròn đến {places} chữ số "
                      "thập phân (từ 5 trở lên làm tròn lên), xếp loại theo các mức của {rules}",
    REGRADE_YEAR: "chấm lại cả năm như một kỳ đánh giá: gộp hồ sơ, phản ánh, phiếu khảo sát của các quý, "
                  "minh chứng của quý gần nhất, điểm tự chấm bình quân các quý đã nộp; xếp loại theo các mức của "
                  "{rules}",
}
PLACES_VI = {0: "không", 1: "một", 2: "hai", 3: "ba"}


def method_note(segment: Segment, method: str) -> str:
    return METHOD_NOTES[method].format(places=PLACES_VI.get(segment.places, str(segment.places)),
                                       rules=segment.rules.title)


__all__ = ["MEAN_OF_QUARTERS", "REGRADE_YEAR", "Segment", "Year", "build_year", "check_method", "method_note",
           "year_quarters"]
