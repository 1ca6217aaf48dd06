"""The index report's appendices: Phụ lục I, the province and each tier ranked, with the six groups, the index,
the band, the rank and a note per unit; Phụ lục II, citizens' forms per unit (beside the index, never in it);
the closing notes a signer can put their name under; and the scoring settings for the technical annex.

Every phrase comes from the report parameters (``appendix``, ``basis``, ``technical``); this module decides
which phrase a unit needs and fills it. Rows carry display strings and, for the public page's sorting, plain
values (``*_value``).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from tthc.report import wording as w
from tthc.report.index_inputs import IndexTables, UnitRow
from tthc.report.index_sentences import (
    ONLINE,
    PAPER,
    bands_note,
    left_out,
    left_out_items,
    overall_source,
    points,
    ranked,
    signed,
)


def group_labels(t: IndexTables, columns: dict) -> list[str]:
    return [w.fill(columns["group"], code=g.code, max=w.number(g.max)) for g in t.rules.groups]


def groups_legend(t: IndexTables, spec: dict) -> str:
    items = [w.fill(spec["group_legend_item"], code=g.code, name=g.name) for g in t.rules.groups]
    return w.fill(spec["groups_legend"], groups="; ".join(items))


def note(t: IndexTables, unit: UnitRow, notes: dict) -> str:
    """Why a unit has no index, what was left out or counted as zero, which points are the workbench's own,
    where the portal and the recomputation differ by more than the threshold, why it is not ranked."""
    parts = []
    if unit.total is None:
        parts.append(notes["no_data"])
    missing, not_applicable, zero = left_out(t, unit.unit_id)
    if (missing or not_applicable) and unit.total is not None:
        parts.append(w.fill(notes["left_out"], items=left_out_items(missing, not_applicable, notes)))
    if zero:
        parts.append(w.fill(notes["as_zero"], codes=", ".join(zero)))
    comps = [t.component(unit.unit_id, s.code) for s in t.rules.components]
    if unit.source == "recomputed" and unit.total is not None and overall_source(t.units) != "recomputed":
        parts.append(notes["recomputed"])  # (a quarter without any portal figure says so once, in the notes)
    elif unit.source == "mixed":
        own = [c.code for c in comps if c is not None and c.points is not None and c.source != "portal"]
        parts.append(w.fill(notes["mixed"], codes=", ".join(own)))
    threshold = Decimal(t.rules.reconcile_threshold)
    apart = [w.fill(notes["difference_item"], code=c.code, diff=signed(c.difference)) for c in comps
             if c is not None and c.difference is not None and abs(c.difference) > threshold]
    if apart:
        parts.append(w.fill(notes["difference"], items=", ".join(apart)))
    if unit.unit_id != t.province_id and unit.rank is None and unit.total is not None:
        why = notes["abolished"] if unit.level in t.rules.abolished_levels else notes["unknown_level"] \
            if unit.level not in t.rules.levels else ""
        if why:
            parts.append(w.fill(notes["not_ranked"], why=why))
    return notes["separator"].join(parts)


def _row(t: IndexTables, stt: int, unit: UnitRow, notes: dict) -> dict:
    return {
        "stt": stt,
        "unit_name": unit.unit_name,
        "dossiers": w.number(unit.dossiers),
        "dossiers_value": str(unit.dossiers),
        "groups": [points(unit.groups.get(g.code)) for g in t.rules.groups],
        "total": points(unit.total),
        "total_value": "" if unit.total is None else str(unit.total),
        "result": unit.result,
        "rank": "" if unit.rank is None else w.number(unit.rank),
        "rank_value": "" if unit.rank is None else str(unit.rank),
        "note": note(t, unit, notes),
    }


def index_tables(t: IndexTables, levels: dict[str, str], params: dict) -> list[dict]:
    """The province's row, then one table per tier: ranked units by rank, then the others in their order."""
    spec = params["appendix"]
    notes = spec["notes"]
    heading = params["appendix"]["level_heading"]
    province = t.province
    tables = [{"level": province.level, "name": spec["province_heading"],
               "heading": w.fill(heading, index=1, level=spec["province_heading"]),
               "rows": [_row(t, 1, province, notes)]}]
    for code, name in levels.items():
        units = t.tier(code)
        first = ranked(units)
        order = first + [u for u in units if u.rank is None]
        tables.append({"level": code, "name": name, "heading": w.fill(heading, index=len(tables) + 1, level=name),
                       "rows": [_row(t, i, u, notes) for i, u in enumerate(order, start=1)]})
    return tables


def _share(happy: int, forms: int, blank: str) -> str:
    return w.percent(happy, forms) if forms else blank


def citizens_tables(t: IndexTables, levels: dict[str, str], params: dict) -> list[dict]:
    """Per tier, every unit's forms by channel and answer, the share satisfied, and the tier's sum."""
    spec = params["appendix"]
    counts: dict[str, Counter] = {}
    for r in t.citizens or []:
        c = counts.setdefault(r.unit_id, Counter())
        c.update({r.channel: r.forms, "forms": r.forms, "very": r.very_satisfied, "satisfied": r.satisfied,
                  "dissatisfied": r.dissatisfied})
    tables = []
    for code, name in levels.items():
        rows, tier = [], Counter()
        for i, u in enumerate(t.tier(code), start=1):
            c = counts.get(u.unit_id, Counter())
            tier.update(c)
            rows.append(_citizen_row(str(i), u.unit_name, c, spec["no_forms"]))
        total = _citizen_row("", spec["citizens_total"], tier, spec["no_forms"])
        tables.append({"level": code, "name": name,
                       "heading": w.fill(spec["level_heading"], index=len(tables) + 1, level=name),
                       "rows": rows, "total": total})
    return tables


def _citizen_row(stt: str, name: str, c: Counter, blank: str) -> dict:
    return {"stt": stt, "unit_name": name, "paper": w.number(c[PAPER]), "online": w.number(c[ONLINE]),
            "forms": w.number(c["forms"]), "very": w.number(c["very"]), "satisfied": w.number(c["satisfied"]),
            "dissatisfied": w.number(c["dissatisfied"]), "share": _share(c["very"] + c["satisfied"], c["forms"], blank)}


def basis(t: IndexTables, params: dict, words: dict) -> list[str]:
    """The appendix's closing notes: rule set and period, where the official points come from, how many
    components differ from the portal, and the bands' footnote."""
    spec = params["basis"]
    threshold = w.number(Decimal(t.rules.reconcile_threshold))
    lines = [w.fill(spec["rule_set"], rule_set=t.rules.title, start=w.document_date(t.start),
                    end=w.document_date(t.end), **words)]
    source = t.policies.get("index_source", "portal_first")
    if overall_source(t.units) == "recomputed":
        source = "no_portal"
    if source in spec["source"]:
        lines.append(w.fill(spec["source"][source], threshold=threshold, **words))
    limit = Decimal(t.rules.reconcile_threshold)
    apart = sum(1 for c in t.components.values() if c.difference is not None and abs(c.difference) > limit)
    if apart:
        lines.append(w.fill(spec["differences"], count=w.number(apart), threshold=threshold, **words))
    lines.append(bands_note(t, params["results"], words))
    return lines


def technical(t: IndexTables, params: dict, words: dict) -> dict:
    """The technical annex (screen only, not in the signed document): every policy value of the run."""
    spec = params["technical"]
    items = []
    for name, value in t.policies.items():
        label = (spec.get("policies_labels") or {}).get(name) or {}
        shown = (label.get("values") or {}).get(value, value)
        items.append(w.fill(spec["policy_item"], label=label.get("label", name), value=shown))
    return {"heading": w.fill(spec["heading"], **words), "items": items}
