"""Quarter after quarter: each unit's total, result and rank per quarter and its change from the quarter
before; each level's mean of every score column; the units that fell a band or more.

Readings (also in the command's help and the notebook):

- A quarter is compared with the one before it *in the series* (``compared_with``): a quarter without results
  in between is skipped, and said.
- A rule-set change between two quarters (TT 01/2018's 18 points to the index's 100, or any other rule set) is a
  BREAK: no change, rank change or band change is computed across it; the row says so (``break`` = 1, ``note``).
- Changes, ranks and means count the units *graded* that quarter (a band as result; not a status such as
  "Chưa phát sinh hồ sơ" or "Chưa thực hiện chấm điểm"). Ranks are within the level, competition style
  (1, 2, 2, 4), by total; a ``rank`` column in ``grades.csv`` (the index) is used as it is.
- ``band_change`` counts bands (Xuất sắc → Khá is -2); a unit *fell* when it is negative.
- Means are exact and rounded half-up to the decimals the quarter's totals are written with.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

import pandas as pd

from tthc.errors import TthcError
from tthc.quarter import Quarter
from tthc.run.trend.numbers import TrendInputError, decimal_of, mean, text_of
from tthc.run.trend.sources import GRADED_NOW, OUTPUTS, Collected, Missing, QuarterGrades

ALL_LEVELS = "tat_ca"
TOTAL = "total"
UNIT_COLUMNS = ["quarter", "unit_id", "unit_name", "level", "rule_set", "dossiers", "total", "result", "band_order",
                "rank", "compared_with", "total_change", "rank_change", "band_change", "break", "note"]
AVERAGE_COLUMNS = ["quarter", "rule_set", "level", "column", "units", "mean", "change", "break"]
FALL_COLUMNS = ["quarter", "compared_with", "unit_id", "unit_name", "level", "result_before", "result", "bands",
                "total_before", "total"]
SOURCE_COLUMNS = ["quarter", "status", "where", "rule_set", "scheme", "break", "policies", "note"]
MISSING = "missing"


@dataclass(frozen=True)
class UnitQuarter:
    quarter: Quarter
    unit_id: str
    unit_name: str
    level: str
    dossiers: int | None
    total: Decimal | None
    result: str
    band_order: int | None  # 1 = the best band; None: a status, not a grade
    rank: int | None
    scores: dict[str, Decimal | None]


@dataclass
class Trend:
    """The trend of a profile over a range of quarters (``build``)."""

    name: str
    quarters: list[QuarterGrades]
    missing: list[Missing]
    units: pd.DataFrame
    averages: pd.DataFrame
    falls: pd.DataFrame
    sources: pd.DataFrame
    breaks: dict[Quarter, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # score column → its name
    collected: Collected | None = None  # what it was built from

    @property
    def graded_now(self) -> list[Quarter]:
        return [q.quarter for q in self.quarters if q.source == GRADED_NOW]


def unit_rows(qg: QuarterGrades) -> list[UnitQuarter]:
    """The quarter's units, scores as exact decimals, bands numbered, ranks read or computed."""
    where = f"{qg.where}/grades.csv" if qg.source == OUTPUTS else f"{qg.quarter} (chấm trong bộ nhớ)"
    order = {label: i for i, label in enumerate(qg.band_labels, start=1)}
    has_rank = "rank" in qg.grades.columns
    rows = []
    for i, row in enumerate(qg.grades.to_dict("records"), start=2):
        at = f"{where} dòng {i}"
        dossiers = decimal_of(row.get("dossiers", ""), f"{at}, cột dossiers")
        band = order.get(row["result"].strip())
        rank = decimal_of(row["rank"], f"{at}, cột rank") if has_rank else None
        rows.append(UnitQuarter(
            qg.quarter, row["unit_id"].strip(), row["unit_name"].strip() or row["unit_id"].strip(),
            row["level"].strip(), None if dossiers is None else int(dossiers),
            decimal_of(row["total"], f"{at}, cột total"), row["result"].strip(), band,
            None if rank is None else int(rank),
            {c: decimal_of(row[c], f"{at}, cột {c}") for c in qg.score_columns},
        ))
        if band is not None and rows[-1].total is None:
            raise TrendInputError(f"{at}, cột total: xếp loại '{row['result']}' nhưng không có tổng điểm.")
    if not has_rank:
        rows = _ranked(rows, set(qg.levels))
    return rows


def _ranked(rows: list[UnitQuarter], levels: set[str]) -> list[UnitQuarter]:
    """Competition ranks (1, 2, 2, 4) within each level, among graded units of a known level."""
    ranks: dict[str, int] = {}
    for level in levels:
        graded = sorted((r for r in rows if r.level == level and r.band_order is not None),
                        key=lambda r: r.total, reverse=True)
        for r in graded:
            ranks[r.unit_id] = 1 + sum(other.total > r.total for other in graded)
    return [replace(r, rank=ranks.get(r.unit_id)) for r in rows]


def breaks_of(quarters: list[QuarterGrades]) -> dict[Quarter, str]:
    """The quarters whose predecessor in the series was graded under another rule set, with the note."""
    found = {}
    for before, after in zip(quarters, quarters[1:], strict=False):
        if before.rules.id != after.rules.id:
            found[after.quarter] = (f"đổi bộ quy tắc ({before.rules.id} → {after.rules.id}): thang điểm khác, "
                                    "không so sánh qua chỗ đổi")
    return found


def segments(quarters: list[QuarterGrades]) -> list[list[QuarterGrades]]:
    """Runs of consecutive quarters (in the series) under one rule set."""
    runs: list[list[QuarterGrades]] = []
    for qg in quarters:
        if runs and runs[-1][-1].rules.id == qg.rules.id:
            runs[-1].append(qg)
        else:
            runs.append([qg])
    return runs


def build(collected: Collected) -> Trend:
    quarters = sorted(collected.quarters, key=lambda q: q.quarter)
    breaks = breaks_of(quarters)
    per_quarter = {qg.quarter: unit_rows(qg) for qg in quarters}
    units, falls = _unit_table(quarters, per_quarter, breaks)
    return Trend(collected.name, quarters, sorted(collected.missing, key=lambda m: m.quarter), units,
                 _averages(quarters, per_quarter, breaks), falls, _sources(quarters, collected.missing, breaks),
                 breaks, score_labels(quarters), collected)


def score_labels(quarters: list[QuarterGrades]) -> dict[str, str]:
    """Each score column's name from its rule set: ``i3`` → ``Chỉ số 3``, ``g2`` → the group's name."""
    labels = {TOTAL: "Tổng điểm"}
    for qg in quarters:
        for group in getattr(qg.rules, "groups", ()) or ():
            labels.setdefault(getattr(group, "column", ""), getattr(group, "name", ""))
        try:
            for ind in qg.rules.indicators:
                labels.setdefault(ind.code, f"Chỉ số {ind.number}")
        except TthcError:  # a scheme without indicators (the index) refuses the question
            pass
    for qg in quarters:
        for col in qg.score_columns:
            labels.setdefault(col, col)
    return labels


def previous_quarter(q: Quarter) -> Quarter:
    return Quarter(q.year - (q.number == 1), (q.number - 2) % 4 + 1)


def _unit_order(quarters: list[QuarterGrades]) -> list[str]:
    """Units in the latest quarter's order (its registry), then those only earlier quarters had."""
    order: dict[str, None] = {}
    for qg in reversed(quarters):
        order.update(dict.fromkeys(u for u in qg.grades["unit_id"].str.strip() if u not in order))
    return list(order)


def _unit_table(quarters, per_quarter, breaks) -> tuple[pd.DataFrame, pd.DataFrame]:
    places = {qg.quarter: qg.places for qg in quarters}
    rule_set = {qg.quarter: qg.rules.id for qg in quarters}
    by_unit: dict[str, list[UnitQuarter]] = {}
    for q in sorted(per_quarter):
        for r in per_quarter[q]:
            by_unit.setdefault(r.unit_id, []).append(r)
    rows, falls = [], []
    index = {qg.quarter: i for i, qg in enumerate(quarters)}
    for uid in _unit_order(quarters):
        history = by_unit.get(uid, [])
        for cur in history:
            pos = index[cur.quarter]
            before_q = quarters[pos - 1].quarter if pos else None
            prev = next((r for r in history if r.quarter == before_q), None)
            is_break = cur.quarter in breaks
            row = {
                "quarter": str(cur.quarter), "unit_id": uid, "unit_name": cur.unit_name, "level": cur.level,
                "rule_set": rule_set[cur.quarter], "dossiers": text_of(cur.dossiers),
                "total": text_of(cur.total, places[cur.quarter]), "result": cur.result,
                "band_order": text_of(cur.band_order), "rank": text_of(cur.rank), "compared_with": "",
                "total_change": "", "rank_change": "", "band_change": "", "break": "1" if is_break else "0",
                "note": breaks.get(cur.quarter, ""),
            }
            if prev is not None and not is_break:
                row["compared_with"] = str(prev.quarter)
                if previous_quarter(cur.quarter) != prev.quarter:
                    row["note"] = f"so với quý {prev.quarter}: các quý giữa không có kết quả"
                if cur.band_order is not None and prev.band_order is not None:
                    row["total_change"] = text_of(cur.total - prev.total, places[cur.quarter])
                    row["band_change"] = text_of(prev.band_order - cur.band_order)
                    if cur.band_order > prev.band_order:
                        falls.append({
                            "quarter": str(cur.quarter), "compared_with": str(prev.quarter), "unit_id": uid,
                            "unit_name": cur.unit_name, "level": cur.level, "result_before": prev.result,
                            "result": cur.result, "bands": str(cur.band_order - prev.band_order),
                            "total_before": text_of(prev.total, places[prev.quarter]),
                            "total": text_of(cur.total, places[cur.quarter]),
                        })
                if cur.rank is not None and prev.rank is not None and cur.level == prev.level:
                    row["rank_change"] = text_of(prev.rank - cur.rank)
            elif prev is None and before_q is not None and not is_break:
                row["note"] = f"không có trong kết quả quý {before_q}"
            rows.append(row)
    units = pd.DataFrame(rows, columns=UNIT_COLUMNS)
    if not units.empty:
        units = units.sort_values("quarter", kind="stable").reset_index(drop=True)
    falls_frame = pd.DataFrame(falls, columns=FALL_COLUMNS)
    return units, falls_frame.sort_values("quarter", kind="stable").reset_index(drop=True)


def _averages(quarters, per_quarter, breaks) -> pd.DataFrame:
    rows = []
    previous: dict[tuple[str, str], Decimal | None] = {}
    for qg in quarters:
        graded = [r for r in per_quarter[qg.quarter] if r.band_order is not None and r.level in qg.levels]
        if qg.quarter in breaks:
            previous = {}
        current: dict[tuple[str, str], Decimal | None] = {}
        for level in [*[lv for lv in qg.levels if any(r.level == lv for r in graded)], ALL_LEVELS]:
            members = [r for r in graded if level in (ALL_LEVELS, r.level)]
            for col in [*qg.score_columns, TOTAL]:
                values = [v for r in members if (v := (r.total if col == TOTAL else r.scores.get(col))) is not None]
                value = mean(values, qg.places)
                before = previous.get((level, col))
                current[(level, col)] = value
                rows.append({
                    "quarter": str(qg.quarter), "rule_set": qg.rules.id, "level": level, "column": col,
                    "units": str(len(values)), "mean": text_of(value, qg.places),
                    "change": text_of(value - before, qg.places) if value is not None and before is not None else "",
                    "break": "1" if qg.quarter in breaks else "0",
                })
        previous = current
    return pd.DataFrame(rows, columns=AVERAGE_COLUMNS)


def _sources(quarters, missing, breaks) -> pd.DataFrame:
    rows = [{
        "quarter": str(qg.quarter), "status": qg.source, "where": qg.where, "rule_set": qg.rules.id,
        "scheme": getattr(qg.rules, "scheme", ""), "break": "1" if qg.quarter in breaks else "0",
        "policies": "; ".join(f"{k}={v}" for k, v in sorted(qg.policies.items())),
        "note": "; ".join([*([breaks[qg.quarter]] if qg.quarter in breaks else []), *qg.notes]),
    } for qg in quarters]
    rows += [{"quarter": str(m.quarter), "status": MISSING, "where": "", "rule_set": "", "scheme": "", "break": "0",
              "policies": "", "note": m.reason} for m in missing]
    return pd.DataFrame(sorted(rows, key=lambda r: Quarter.parse(r["quarter"])), columns=SOURCE_COLUMNS)
