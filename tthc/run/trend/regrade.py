"""``annual_method = regrade_year``: the year's quarters graded once, as one period (TT 01/2018 only).

Each quarter folder is loaded and checked as ``tthc grade`` loads it; the canonical tables are then put
together and graded with the rule set and policies of the year's last quarter, over one period from the first
quarter's first day to the last quarter's last day (under ``period = reporting_cutoff``, from the first
quarter's cut-off start to the last one's cut-off end). Readings, for tables a quarter export repeats:

- dossiers, complaints, survey forms, steps: each id once, the row of the latest quarter that has it (the
  latest state of a dossier, the latest answer to a complaint);
- unit evidence (indicators 5, 6, 9): each unit's row of the latest quarter that has one;
- self-assessment: a unit submitted for the year if it submitted in any quarter; each indicator's self-score
  is the exact mean of the quarters where it was given;
- overrides: the appraiser's dossier overrides stand; unit overrides were decisions about one quarter and are
  left out.

The index (NĐ 118/2025) is not regraded: the portal's scores are per quarter and do not pool; use
``mean_of_quarters`` there (a clear message, exit 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path

import pandas as pd

from tthc.input.contract import QUARTER_TABLES
from tthc.input.findings import Findings
from tthc.input.loading import FILE, Accounting, FileInfo, Inputs, load_quarter
from tthc.quarter import CALENDAR, Quarter
from tthc.run.resolve import resolve_run
from tthc.run.trend.numbers import TrendInputError
from tthc.run.trend.sources import QuarterGrades

#: The columns that identify a row of each table across quarters (the latest quarter's row is kept).
KEYS = {"dossiers": ["dossier_id"], "complaints": ["complaint_id"], "surveys": ["form_id"],
        "steps": ["dossier_id", "unit_id"], "unit_evidence": ["unit_id"], "overrides": ["scope", "id", "indicator"]}
REGRADABLE = ("tt01",)


@dataclass(frozen=True)
class Span:
    """Consecutive quarters graded as one period (what the engine reads of a quarter: bounds, labels)."""

    first: Quarter
    last: Quarter

    @property
    def year(self) -> int:
        return self.last.year

    @property
    def whole_year(self) -> bool:
        return self.first == Quarter(self.last.year, 1) and self.last.number == 4

    def bounds(self, period: str = CALENDAR) -> tuple[date, date]:
        return self.first.bounds(period)[0], self.last.bounds(period)[1]

    def __str__(self) -> str:
        return str(self.year) if self.whole_year else f"{self.first}..{self.last}"

    @property
    def label_vi(self) -> str:
        if self.whole_year:
            return f"năm {self.year}"
        return f"từ {self.first.label_vi} đến {self.last.label_vi}"


@dataclass(frozen=True)
class Regraded:
    """Per unit id: the year's total (None when not graded), result, dossiers, and how many of the quarters
    graded it."""

    totals: dict
    results: dict
    dossiers: dict
    graded: dict


def regrade(run: list[QuarterGrades], profile: str | None, data_dir: Path | str | None) -> Regraded:
    """The quarters of ``run`` (one rule set) graded as one period."""
    from tthc.schemes.tt01.engine import grade_inputs

    rules = run[-1].rules
    if getattr(rules, "scheme", "") not in REGRADABLE:
        raise TrendInputError(f"Cách tính regrade_year (chấm lại cả năm) chưa áp dụng được cho bộ quy tắc {rules.id}: "
                              "điểm của các quý không gộp được; dùng --annual-method mean_of_quarters.")
    runs = [resolve_run(qg.quarter, profile, data_dir) for qg in run]
    missing = [str(r.quarter) for r in runs if not (r.data_dir / str(r.quarter)).is_dir()]
    if missing:
        raise TrendInputError("Chấm lại cả năm cần dữ liệu của mọi quý; thiếu thư mục dữ liệu: " + ", ".join(missing)
                              + f" (trong {runs[-1].data_dir}).")
    span = Span(run[0].quarter, run[-1].quarter)
    parts = [load_quarter(r.data_dir, r.quarter, rules) for r in runs]
    result = grade_inputs(combine(parts, span, rules), rules, runs[-1].policies)
    graded = {}
    for qg in run:
        bands = set(qg.band_labels)
        for uid, res in zip(qg.grades["unit_id"].str.strip(), qg.grades["result"].str.strip(), strict=True):
            graded[uid] = graded.get(uid, 0) + (res in bands)
    return Regraded({u.unit_id: u.total if u.band_min is not None else None for u in result.units},
                    {u.unit_id: u.result for u in result.units}, {u.unit_id: u.dossiers for u in result.units},
                    {u.unit_id: graded.get(u.unit_id, 0) for u in result.units})


def combine(parts: list[Inputs], span: Span, rules) -> Inputs:
    """One ``Inputs`` for the span from the quarters' (see the module's docstring)."""
    last = parts[-1]
    tables: dict[str, pd.DataFrame | None] = {}
    columns: dict[str, set[str]] = {}
    files: dict[str, FileInfo] = {}
    accounting: dict[str, Accounting] = {}
    for table in QUARTER_TABLES:
        frames = [p.tables[table.name] for p in parts if p.tables.get(table.name) is not None]
        if not frames:
            tables[table.name] = None
            continue
        if table.name == "self_assessment":
            frame = _mean_self_scores(frames, rules)
        else:
            frame = pd.concat(frames, ignore_index=True)
        if table.name == "overrides":
            frame = frame[frame["scope"] == "dossier"]
        key = KEYS.get(table.name)
        if key:
            known = frame[key].notna().all(axis=1)
            frame = frame[~(known & frame.duplicated(key, keep="last"))]
        tables[table.name] = frame.reset_index(drop=True)
        columns[table.name] = set().union(*(p.columns.get(table.name, set()) for p in parts))
        label = f"{span}/{table.name}"
        files[table.name] = FileInfo(label, last.data_dir, 0, "", rows=len(frame))
        accounting[label] = Accounting(read=len(frame))
    return Inputs(last.data_dir, span, last.units, tables, columns, files, accounting, Findings(), last.headers)


def _mean_self_scores(frames: list[pd.DataFrame], rules) -> pd.DataFrame:
    """One row per unit that submitted in any quarter; each indicator the exact mean of the quarters' values."""
    stacked = pd.concat(frames, ignore_index=True)
    codes = [ind.code for ind in rules.indicators if ind.code in stacked.columns]
    rows = []
    for _uid, group in stacked.groupby("unit_id", sort=False):
        row = group.iloc[-1].to_dict()
        for code in codes:
            values = [Fraction(repr(float(v))) for v in group[code] if not pd.isna(v)]
            row[code] = float(sum(values, Fraction(0)) / len(values)) if values else float("nan")
        row[FILE] = group.iloc[-1][FILE]
        rows.append(row)
    out = pd.DataFrame(rows, columns=stacked.columns)
    for code in codes:
        out[code] = out[code].astype("float64")
    return out
