"""What the index report reads from an output folder graded on the NĐ 118/2025 service index: ``grades.csv``,
``components.csv``, ``officials.csv``, ``citizens.csv`` and ``manifest.json`` (the rule set it names gives the
groups' and components' names and maxima), as the scheme wrote them, checked and parsed.

A table or a value the report cannot use raises ``ReportInputError`` with a Vietnamese message naming the
file, the row and the column. Numbers stay exact (``Decimal``); nothing is recomputed here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from tthc.report.inputs import ReportInputError, count, decimal, read_table

GRADES_COLUMNS = ("unit_id", "unit_name", "level", "dossiers", "total", "source", "result", "rank")
COMPONENTS_COLUMNS = ("unit_id", "component", "numerator", "denominator", "points", "max", "source",
                      "portal_points", "difference")
OFFICIALS_COLUMNS = ("official", "unit_id", "dossiers", "on_time_share", "petitions_about_conduct")
CITIZENS_COLUMNS = ("unit_id", "channel", "forms", "very_satisfied", "satisfied", "dissatisfied")


@dataclass(frozen=True)
class UnitRow:
    """One row of ``grades.csv``: a unit's (or the province's) index, groups, band and rank."""

    unit_id: str
    unit_name: str
    level: str
    dossiers: int
    groups: dict[str, Decimal | None]
    total: Decimal | None
    source: str
    result: str
    rank: int | None


@dataclass(frozen=True)
class ComponentRow:
    """One row of ``components.csv``: a unit's figures on one component."""

    unit_id: str
    code: str
    numerator: int | None
    denominator: int | None
    points: Decimal | None
    maximum: Decimal
    source: str
    portal_points: Decimal | None
    difference: Decimal | None


@dataclass(frozen=True)
class CitizenRow:
    unit_id: str
    channel: str
    forms: int
    very_satisfied: int
    satisfied: int
    dissatisfied: int


@dataclass(frozen=True)
class OfficialRow:
    official: str
    unit_id: str
    dossiers: int
    on_time_share: Decimal | None
    petitions: int | None  # None: the data could not say (no complaints file or no conduct column)


@dataclass
class IndexTables:
    """An index quarter's output folder, read."""

    rules: object
    quarter: str
    start: date
    end: date
    policies: dict[str, str]
    bands: list[tuple[Decimal, str]]
    province_id: str
    units: list[UnitRow]  # the province first, then units.csv's order
    components: dict[tuple[str, str], ComponentRow]
    officials: list[OfficialRow] | None  # None: no officials.csv
    citizens: list[CitizenRow] | None  # None: no citizens.csv
    warnings: list[str] = field(default_factory=list)

    @property
    def province(self) -> UnitRow:
        return next(u for u in self.units if u.unit_id == self.province_id)

    def tier(self, level: str) -> list[UnitRow]:
        return [u for u in self.units if u.level == level and u.unit_id != self.province_id]

    def component(self, unit_id: str, code: str) -> ComponentRow | None:
        return self.components.get((unit_id, code))


def scheme_of(out_dir: Path | str) -> str:
    """The scheme an output folder was graded under (``manifest.json``'s ``scheme``; TT 01/2018 without it or
    without a readable manifest)."""
    path = Path(out_dir) / "manifest.json"
    try:
        return str(json.loads(path.read_text(encoding="utf-8")).get("scheme") or "tt01")
    except (OSError, ValueError, AttributeError):
        return "tt01"


def _manifest(path: Path) -> dict:
    if not path.is_file():
        raise ReportInputError(f"Thiếu tệp kết quả {path}: hãy chạy bước chấm điểm trước khi lập báo cáo.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in ("quarter", "period", "rule_set", "policies", "bands", "province_unit_id"):
            data[key]  # noqa: B018 - presence
        return data
    except (ValueError, KeyError, TypeError) as exc:
        raise ReportInputError(f"Tệp {path} không đọc được hoặc thiếu mục {exc}.") from None


def _rules(manifest: dict, path: Path):
    from tthc.parameters.ruleset import RuleSetError, load_ruleset

    info = manifest["rule_set"]
    try:
        return load_ruleset(info.get("file_absolute") if info.get("file_absolute") and
                            Path(info["file_absolute"]).is_file() else info.get("id") or info["file"])
    except (RuleSetError, KeyError, OSError) as exc:
        raise ReportInputError(f"{path}: không đọc được bộ quy tắc {info.get('id', '')} ({exc}).") from None


def _optional_int(value: str, where: str) -> int | None:
    return None if not str(value).strip() else count(value, where)


def read_index(out_dir: Path | str) -> IndexTables:
    """Every table of an index output folder the report uses (``ReportInputError`` when one is unusable)."""
    out_dir = Path(out_dir)
    manifest = _manifest(out_dir / "manifest.json")
    rules = _rules(manifest, out_dir / "manifest.json")
    groups = [g.column for g in rules.groups]
    raw = read_table(out_dir / "grades.csv", (*GRADES_COLUMNS, *groups))
    units = []
    for i, row in enumerate(raw.to_dict("records"), start=2):
        where = f"grades.csv dòng {i}"
        units.append(UnitRow(
            row["unit_id"], row["unit_name"], row["level"], count(row["dossiers"], f"{where}, cột dossiers"),
            {g.code: decimal(row[g.column], f"{where}, cột {g.column}") for g in rules.groups},
            decimal(row["total"], f"{where}, cột total"), row["source"], row["result"],
            _optional_int(row["rank"], f"{where}, cột rank")))
    province_id = str(manifest["province_unit_id"])
    if not any(u.unit_id == province_id for u in units):
        raise ReportInputError(f"grades.csv không có dòng toàn tỉnh (mã {province_id} của manifest.json).")
    components = {}
    for i, row in enumerate(read_table(out_dir / "components.csv", COMPONENTS_COLUMNS).to_dict("records"), start=2):
        where = f"components.csv dòng {i}"
        maximum = decimal(row["max"], f"{where}, cột max")
        if maximum is None:
            raise ReportInputError(f"{where}, cột max: thiếu điểm tối đa.")
        components[(row["unit_id"], row["component"])] = ComponentRow(
            row["unit_id"], row["component"], _optional_int(row["numerator"], f"{where}, cột numerator"),
            _optional_int(row["denominator"], f"{where}, cột denominator"),
            decimal(row["points"], f"{where}, cột points"), maximum, row["source"],
            decimal(row["portal_points"], f"{where}, cột portal_points"),
            decimal(row["difference"], f"{where}, cột difference"))
    officials = citizens = None
    if (out_dir / "officials.csv").is_file():
        officials = []
        for i, r in enumerate(read_table(out_dir / "officials.csv", OFFICIALS_COLUMNS).to_dict("records"), start=2):
            where = f"officials.csv dòng {i}, cột"
            petitions = _optional_int(r["petitions_about_conduct"], f"{where} petitions_about_conduct")
            officials.append(OfficialRow(r["official"], r["unit_id"], count(r["dossiers"], f"{where} dossiers"),
                                         decimal(r["on_time_share"], f"{where} on_time_share"), petitions))
    if (out_dir / "citizens.csv").is_file():
        citizens = []
        for i, r in enumerate(read_table(out_dir / "citizens.csv", CITIZENS_COLUMNS).to_dict("records"), start=2):
            numbers = [count(r[c], f"citizens.csv dòng {i}, cột {c}") for c in CITIZENS_COLUMNS[2:]]
            citizens.append(CitizenRow(r["unit_id"], r["channel"], *numbers))
    try:
        start, end = (date.fromisoformat(manifest["period"][k]) for k in ("start", "end"))
        bands = [(Decimal(str(b["min"])), str(b["label"])) for b in manifest["bands"]]
    except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
        raise ReportInputError(f"manifest.json: kỳ đánh giá hoặc mức xếp loại không đọc được ({exc}).") from None
    return IndexTables(rules, str(manifest["quarter"]), start, end,
                       {str(k): str(v) for k, v in manifest["policies"].items()}, bands, province_id, units,
                       components, officials, citizens)
