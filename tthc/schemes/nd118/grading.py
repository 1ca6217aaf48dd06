"""``grade_index``: the 100-point index of every unit and of the province, a pure function.

``grade_index(tables, units, period, rules, policies)`` reads canonical tables (``dossiers``, ``complaints``,
``index_evidence``, ``portal_scores``, ``surveys``; an absent column is "no information") and never writes
into them. It returns an ``IndexResult``: per unit (the province first, then units.csv's order) each
component's figures, the six groups, the index, its band and rank, with findings and row accounting.

Readings:

- a group is the sum of its components' rounded points (blank when none of them is known); the index is the
  sum of the groups, or, when components are left out (missing, not applicable), the sum × 100 / known
  maxima rounded half-up to 2 decimals once; the band is read from that rounded index;
- ``source`` per unit: ``portal`` when every component that counts comes from the portal, ``recomputed`` when
  none does (evidence rows included), else ``mixed``;
- ranks are within a level (``tinh``, ``xa``), highest index first; equal indexes share the best rank and the
  next rank skips (1, 2, 2, 4); the province, units of an abolished level (``huyen`` after 1/7/2025) and units
  without a recognised level are listed with their index and band but not ranked (a warning says so); a unit
  without any known component gets the status ``no_data`` and no rank;
- the province's row (``province_unit_id``) pools every unit's dossiers and petitions, takes the province-wide
  figures, and its own evidence and portal rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from tthc.input.findings import ERROR, Finding, Findings, InputError

from .arithmetic import competition_ranks, index_total
from .evidence import collect_evidence
from .facts import FILE, ROW, Facts, dossier_facts, petition_facts
from .measures import measure_for
from .portal import collect_portal
from .reconcile import reconcile
from .scoring import MISSING, NOT_APPLICABLE, PORTAL, ComponentScore, own_figures, score_component
from .unitref import UnitRef

DEFAULT_PROVINCE_ID = "TINH"


@dataclass(frozen=True)
class UnitIndex:
    unit_id: str
    unit_name: str
    level: str | None
    slot: int
    dossiers: int
    components: tuple[ComponentScore, ...]
    groups: dict[str, Decimal | None]
    total: Decimal | None
    known_max: Decimal
    source: str
    result: str
    rank: int | None
    ranked: bool

    def component(self, code: str) -> ComponentScore:
        return next(c for c in self.components if c.code == code)

    @property
    def left_out(self) -> list[str]:
        """Components not counted in the index (missing or not applicable)."""
        return [c.code for c in self.components if c.points is None]


@dataclass
class IndexResult:
    rules: object
    policies: dict[str, str]
    start: date
    end: date
    province_id: str
    units: tuple[UnitIndex, ...]
    findings: Findings
    accounting: dict[str, dict]
    facts: Facts
    measures: dict
    officials: pd.DataFrame = field(default_factory=pd.DataFrame)
    citizens: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: where the quarter was read from (set by ``grade_index_quarter``): the manifest records them
    quarter: object = None
    data_dir: object = None
    files: dict = field(default_factory=dict)
    #: (size, SHA-256) of the files the loader read, hashed as it read them (the manifest need not read them again)
    digests: dict = field(default_factory=dict)

    def unit(self, unit_id: str) -> UnitIndex:
        return next(u for u in self.units if u.unit_id == unit_id)

    @property
    def province(self) -> UnitIndex:
        return self.unit(self.province_id)

    def leaf(self, unit_id: str, code: str) -> pd.DataFrame:
        """The dossiers, petitions or units that decided a unit's component (with file and row)."""
        return self.measures[code].leaf(self.facts, self.unit(unit_id).slot)


def _bounds(period, policies: dict[str, str]) -> tuple[date, date]:
    if hasattr(period, "bounds"):
        return period.bounds(policies["period"])
    if hasattr(period, "start") and hasattr(period, "end"):
        return period.start, period.end
    start, end = period
    return start, end


def _units_frame(units: pd.DataFrame, rules, province_id: str, findings: Findings) -> pd.DataFrame:
    out = pd.DataFrame({"unit_id": units["unit_id"].astype(str).to_numpy(),
                        "unit_name": (units["unit_name"] if "unit_name" in units else units["unit_id"]).to_numpy()})
    levels = units["level"] if "level" in units else pd.Series(None, index=units.index)
    out["level"] = [lv if lv in rules.levels else (rules.level_code(lv) if lv is not None and not pd.isna(lv) else None)
                    for lv in levels.astype(object)]
    for col in ("e_certified_copy", FILE, ROW):
        if col in units:
            out[col] = units[col].to_numpy()
    if province_id in set(out["unit_id"]):
        raise InputError([Finding(ERROR, "nd118_province_id", "units.csv", None, "unit_id", province_id,
                                  f"Mã toàn tỉnh '{province_id}' (province_unit_id của profile) trùng mã một đơn "
                                  "vị trong units.csv.", "Đổi province_unit_id trong profile hoặc mã đơn vị.")])
    label = str(units[FILE].iloc[0]) if FILE in units and len(units) else "units.csv"
    for rec in out.to_dict("records"):
        row, level, uid = rec.get(ROW), rec["level"], rec["unit_id"]
        if level in rules.abolished_levels:
            findings.warning("nd118_abolished_level",
                             f"Đơn vị {uid} thuộc {rules.levels[level].name.lower()}, cấp không còn từ 01/07/2025 "
                             "(NĐ 118/2025/NĐ-CP: chính quyền địa phương hai cấp): vẫn tính chỉ số để tham khảo, "
                             "không xếp hạng.", file=label, row=row, column="level", value=level)
        elif level is None:
            findings.warning("nd118_unknown_level", f"Đơn vị {uid} không rõ cấp (cần tinh hoặc xa): vẫn tính chỉ số, "
                             "không xếp hạng.", file=label, row=row, column="level")
    return out


def _named(complaints: pd.DataFrame | None) -> set[str] | None:
    if complaints is None or "dossier_id" not in complaints:
        return None
    return {str(d) for d in complaints["dossier_id"].dropna()}


def grade_index(tables: Mapping[str, pd.DataFrame | None], units: pd.DataFrame, period, rules,
                policies: Mapping[str, str] | None = None, *, province_unit_id: str = DEFAULT_PROVINCE_ID,
                province_name: str | None = None, findings: Findings | None = None) -> IndexResult:
    """Grade every unit and the province on the index. ``period`` is a ``Quarter`` (bounds under the ``period``
    policy), a ``(start, end)`` pair of dates, or anything with ``start`` and ``end``."""
    policies = rules.resolve_policies(dict(policies or {}))
    findings = findings if findings is not None else Findings()
    start, end = _bounds(period, policies)
    s, e = np.datetime64(start, "D"), np.datetime64(end, "D")
    ufr = _units_frame(units, rules, province_unit_id, findings)
    unit_ids = tuple(ufr["unit_id"])
    dossiers = tables.get("dossiers")
    if dossiers is None:
        dossiers = pd.DataFrame({"dossier_id": [], "unit_id": [], "received_at": pd.Series([], dtype="datetime64[ns]")})
    complaints = tables.get("complaints")
    d_facts, d_present = dossier_facts(dossiers, unit_ids, s, e, _named(complaints), findings)
    p_facts, p_present = (None, frozenset()) if complaints is None else petition_facts(complaints, unit_ids, s, e,
                                                                                        findings)
    facts = Facts(unit_ids, s, e, d_facts, d_present, p_facts, p_present, ufr)
    accounting = _accounting(facts, findings)
    province_label = province_name or rules.province_level.name
    ref = UnitRef(ufr, province_unit_id, (province_label,))
    measures = {spec.code: measure_for(spec) for spec in rules.components}
    counting = {c for c, m in measures.items() if m.counts_numerator}
    evidence, ev_excluded = collect_evidence(tables.get("index_evidence"), rules, ref, counting, findings)
    portal, po_excluded = collect_portal(tables.get("portal_scores"), rules, ref, policies, findings)
    _file_accounting(accounting, tables.get("index_evidence"), ev_excluded, "index_evidence")
    _file_accounting(accounting, tables.get("portal_scores"), po_excluded, "portal_scores")
    counts = {code: m.counts(facts) for code, m in measures.items()}
    numerators = {code: m.numerators(facts) for code, m in measures.items() if m.counts_numerator}
    n = facts.count_dossiers(d_facts["in_n"].to_numpy(dtype=bool))
    rows = [(province_unit_id, province_label, rules.province_level.code, len(unit_ids))]
    rows += [(u, name, lv, i) for i, (u, name, lv) in enumerate(zip(ufr["unit_id"], ufr["unit_name"], ufr["level"],
                                                                     strict=True))]
    scored = []
    for unit_id, name, level, slot in rows:
        comps = []
        for spec in rules.components:
            m = measures[spec.code]
            own = own_figures(spec, slot, evidence.for_unit(unit_id, spec), counts[spec.code],
                              numerators.get(spec.code), m.missing_reason(facts))
            comps.append(score_component(spec, unit_id, slot, own, portal.figures.get((unit_id, spec.code)), policies))
        scored.append(_unit_index(rules, policies, unit_id, str(name), level, slot, int(n[slot]), tuple(comps)))
    ranked = _ranks(rules, scored)
    reconcile(ranked, rules, facts, measures, portal, findings)
    for u in ranked[1:]:
        if u.dossiers == 0:
            findings.info("nd118_no_dossiers", f"Đơn vị {u.unit_id} không có hồ sơ tiếp nhận trong kỳ (N = 0): các chỉ "
                          f"tiêu tính trên hồ sơ có mẫu số 0 (empty_denominator = {policies['empty_denominator']}).",
                          column="unit_id", value=u.unit_id)
    result = IndexResult(rules, policies, start, end, province_unit_id, tuple(ranked), findings, accounting, facts,
                         measures)
    from .officials import citizens_table, officials_table

    result.officials = officials_table(facts)
    result.citizens = citizens_table(tables.get("surveys"), ufr, start, end, findings, accounting)
    return result


def _unit_index(rules, policies, unit_id, name, level, slot, dossiers, comps) -> UnitIndex:
    known = [c for c in comps if c.points is not None]
    known_max = sum((c.maximum for c in known), Decimal(0))
    groups = {}
    for group in rules.groups:
        members = [c for c in known if rules.component(c.code).group == group.code]
        groups[group.code] = sum((c.points for c in members), Decimal("0.00")) if members else None
    total = index_total([c.points for c in known], known_max, rules.max_total)
    from_portal = sum(c.source == PORTAL for c in known)
    source = "portal" if known and from_portal == len(known) else "mixed" if from_portal else "recomputed"
    ranked = level in rules.levels and level not in rules.abolished_levels
    result = rules.statuses["no_data"] if total is None else rules.band_for(total, policies).label
    return UnitIndex(unit_id, name, level, slot, dossiers, comps, groups, total, known_max, source, result, None,
                     ranked and total is not None)


def _ranks(rules, units: list[UnitIndex]) -> list[UnitIndex]:
    out = list(units)
    for level in rules.levels:
        members = [i for i, u in enumerate(out) if u.level == level and u.ranked]
        for i, rank in zip(members, competition_ranks([out[i].total for i in members]), strict=True):
            out[i] = _replace(out[i], rank=rank)
    return out


def _replace(unit: UnitIndex, **changes) -> UnitIndex:
    from dataclasses import replace

    return replace(unit, **changes)


def _accounting(facts: Facts, findings: Findings) -> dict[str, dict]:
    """Rows given per file: used, and left out by reason (every row listed in the dossier flags table)."""
    out: dict[str, dict] = {}
    d = facts.dossiers
    reasons = {"unknown_unit": "đơn vị không có trong units.csv", "no_received": "thiếu ngày tiếp nhận",
               "outside": "tiếp nhận ngoài kỳ (không thuộc N)"}
    for label, group in d.groupby(FILE, sort=True):
        status = group["status"].value_counts()
        excluded = {reasons[k]: int(status[k]) for k in reasons if status.get(k, 0)}
        out[str(label)] = {"rows": len(group), "used": int(group["in_n"].sum()), "excluded": excluded}
    unknown = np.flatnonzero(d["slot"].to_numpy() < 0)
    if len(unknown):
        files, lines, ids = d[FILE].to_numpy(), d[ROW].to_numpy(), d["unit_id"].to_numpy()

        def build():
            from tthc.input.findings import WARNING

            return [Finding(WARNING, "nd118_unknown_unit", str(files[i]), int(lines[i]), "unit_id",
                            "" if ids[i] is None else str(ids[i]), "Đơn vị không có trong units.csv; hồ sơ không được "
                            "tính.") for i in unknown]

        findings.defer(len(unknown), build)
    p = facts.petitions
    if p is not None:
        for label, group in p.groupby(FILE, sort=True):
            known = group["slot"] >= 0
            excluded = Counter()
            excluded["đơn vị không có trong units.csv"] = int((~known).sum())
            excluded["tiếp nhận ngoài kỳ"] = int((known & ~group["in_scope"]).sum())
            out[str(label)] = {"rows": len(group), "used": int(group["in_scope"].sum()),
                               "excluded": {k: v for k, v in excluded.items() if v}}
    return out


def _file_accounting(accounting: dict, frame: pd.DataFrame | None, excluded: dict[str, Counter], name: str) -> None:
    if frame is None or frame.empty:
        return
    labels = frame[FILE].fillna(name) if FILE in frame else pd.Series(name, index=frame.index)
    for label, group in frame.groupby(labels, sort=True):
        left = excluded.get(str(label), Counter())
        accounting[str(label)] = {"rows": len(group), "used": len(group) - sum(left.values()),
                                  "excluded": dict(sorted(left.items()))}


__all__ = ["IndexResult", "UnitIndex", "grade_index", "MISSING", "NOT_APPLICABLE"]
