"""What-if: the same quarter graded under other policies, beside the official grading.

``compare_policies`` lists every unit whose result, total or a part changes (TT 01/2018's indicators, the
index's components: ``tthc.audit.schemes`` says how each scheme names and words them); ``what_if`` puts the
subject's alternative result on its explanation, ``render_what_if`` words it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tthc.audit.schemes import scheme_named, scheme_of
from tthc.schemes.explanation import AuditError, Explanation, plain, points_of


def policy_diff(a: dict[str, str], b: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {k: (a.get(k), v) for k, v in b.items() if a.get(k) != v}


@dataclass
class UnitChange:
    unit_id: str
    unit_name: str
    level: str | None
    before: str
    after: str
    total_before: Decimal | None
    total_after: Decimal | None
    #: the parts that changed: (indicator number or component code, before, after)
    indicators: list[tuple[int | str, Decimal | None, Decimal | None]]
    scheme: str = "tt01"

    @property
    def result_changed(self) -> bool:
        return self.before != self.after

    def to_dict(self) -> dict[str, Any]:
        return plain(
            {
                "unit_id": self.unit_id,
                "unit_name": self.unit_name,
                "level": self.level,
                "before": self.before,
                "after": self.after,
                "total_before": self.total_before,
                "total_after": self.total_after,
                "result_changed": self.result_changed,
                "part": scheme_named(self.scheme).part,
                "indicators": [{"number": n, "before": x, "after": y} for n, x, y in self.indicators],
            }
        )


def compare_policies(result_a, result_b) -> list[UnitChange]:
    """Every unit whose result, total or a part (indicator, component) differs between two gradings of the
    same data (for the index, the province's own row too)."""
    audit = scheme_of(result_a)
    name = getattr(result_a.rules, "scheme", "tt01")
    after = {u.unit_id: u for u in result_b.units}
    changes = []
    for u in result_a.units:
        v = after.get(u.unit_id)
        if v is None:
            continue
        pa, pb = audit.unit_parts(u), audit.unit_parts(v)
        keys = list(pa) + [k for k in pb if k not in pa]
        inds = [(n, pa.get(n), pb.get(n)) for n in keys if pa.get(n) != pb.get(n)]
        if u.result != v.result or u.total != v.total or inds:
            changes.append(
                UnitChange(u.unit_id, u.unit_name, u.level, u.result, v.result, u.total, v.total, inds, name)
            )
    return changes


def render_changes(changes: list[UnitChange], policies_a: dict[str, str], policies_b: dict[str, str]) -> str:
    diff = policy_diff(policies_a, policies_b)
    what = "; ".join(f"{k}: {x} → {y}" for k, (x, y) in diff.items()) or "(không đổi chính sách nào)"
    lines = [f"So sánh chính sách: {what}"]
    moved = [c for c in changes if c.result_changed]
    kept = [c for c in changes if not c.result_changed]
    if not changes:
        lines.append("Không đơn vị nào thay đổi kết quả.")
        return "\n".join(lines) + "\n"
    lines.append(f"{len(moved)} đơn vị đổi kết quả xếp loại:")
    lines += [f"  - {_change_line(c)}" for c in moved] or ["  (không có)"]
    if kept:
        lines.append(f"{len(kept)} đơn vị đổi điểm nhưng giữ nguyên kết quả:")
        lines += [f"  - {_change_line(c)}" for c in kept]
    return "\n".join(lines) + "\n"


def _change_line(c: UnitChange) -> str:
    audit = scheme_named(c.scheme)
    score = audit.score_text
    inds = ", ".join(
        f"{audit.part} {n}: {score(x) if x is not None else 'không tính'} → "
        f"{score(y) if y is not None else 'không tính'}"
        for n, x, y in c.indicators
    )
    return (
        f"{c.unit_id} {c.unit_name}: {c.before} ({score(c.total_before)}) → {c.after} ({score(c.total_after)})"
        + (f"; {inds}" if inds else "")
    )


def what_if(explanation: Explanation, result_a, result_b) -> dict[str, Any]:
    """The subject's result under the alternative policies beside the official one (kept on it)."""
    diff = policy_diff(result_a.policies, result_b.policies)
    out: dict[str, Any] = {"policies": {k: {"official": x, "alternative": y} for k, (x, y) in diff.items()}}
    audit = scheme_of(result_a)
    if explanation.subject == "unit":
        change = next((c for c in compare_policies(result_a, result_b) if c.unit_id == explanation.key), None)
        u = next(u for u in result_a.units if u.unit_id == explanation.key)
        v = next(u for u in result_b.units if u.unit_id == explanation.key)
        out.update(
            official={"result": u.result, "total": u.total, "note": audit.unit_note(u)},
            alternative={"result": v.result, "total": v.total, "note": audit.unit_note(v)},
            changed=change is not None,
            result_changed=u.result != v.result,
            indicators=[] if change is None else change.to_dict()["indicators"],
        )
    elif audit.subject_summary is not None:
        out.update(_summaries(explanation, audit, result_b))
    elif explanation.subject == "official":
        rows = []
        for tree in explanation.trees:
            key = (tree.data["unit_id"], tree.data["official"])
            b = result_b.officials[
                (result_b.officials["unit_id"] == key[0]) & (result_b.officials["official"] == key[1])
            ]
            rows.append(
                {
                    "unit_id": key[0],
                    "official": {"result": tree.data["result"], "total": tree.data["total"]},
                    "alternative": {
                        "result": b["completion"].iloc[0] if len(b) else None,
                        "total": Decimal(b["score"].iloc[0]) if len(b) and b["score"].iloc[0] else None,
                    },
                }
            )
        out["officials"] = rows
        out["changed"] = any(r["official"] != r["alternative"] for r in rows)
    else:
        sa = result_a.dossier_scores
        sb = result_b.dossier_scores
        ra, rb = sa[sa["dossier_id"] == explanation.key], sb[sb["dossier_id"] == explanation.key]
        codes = [i.code for i in result_a.rules.dossier_indicators]
        pa = {c: points_of(ra[c].iloc[0]) for c in codes} if len(ra) else None
        pb = {c: points_of(rb[c].iloc[0]) for c in codes} if len(rb) else None
        out.update(
            official={"in_population": pa is not None, "points": pa},
            alternative={"in_population": pb is not None, "points": pb},
            changed=pa != pb,
        )
    explanation.what_if = out
    return out


def _summaries(explanation: Explanation, audit, result_b) -> dict[str, Any]:
    """An official's or a dossier's summary (the scheme's ``subject_summary``) under both gradings."""
    explain = getattr(audit.explain, f"explain_{explanation.subject}")
    try:
        other = explain(result_b, explanation.key)
    except AuditError:
        other = None
    mine = audit.subject_summary(explanation)
    theirs = {} if other is None else audit.subject_summary(other)
    if explanation.subject == "official":  # the units the explanation covers (``--in-unit``)
        theirs = {k: v for k, v in theirs.items() if k in mine}
    return {"official": mine, "alternative": theirs, "changed": mine != theirs, "summary": True}


def render_what_if(explanation: Explanation) -> str:
    """The what-if section: the subject's result under the alternative beside the official one."""
    w = explanation.what_if
    audit = scheme_named(explanation.scheme)
    score = audit.score_text
    pol = "; ".join(f"{k}={v['alternative']} (chính thức: {v['official']})" for k, v in w["policies"].items())
    lines = [f"Giả định (what-if): {pol or 'không đổi chính sách nào'}"]
    if explanation.subject == "unit":
        o, alt = w["official"], w["alternative"]
        lines.append(f"  Kết quả chính thức: {o['result']} (tổng {score(o['total'])}; {o['note']})")
        flag = (
            "THAY ĐỔI" if w["result_changed"] else ("đổi điểm, giữ kết quả" if w["changed"] else "không đổi")
        )
        lines.append(
            f"  Theo giả định:      {alt['result']} (tổng {score(alt['total'])}; {alt['note']}) — {flag}"
        )
        for i in w["indicators"]:
            lines.append(
                f"  {audit.part.capitalize()} {i['number']}: "
                f"{score(i['before']) if i['before'] is not None else 'không tính'} → "
                f"{score(i['after']) if i['after'] is not None else 'không tính'}"
            )
    elif w.get("summary"):
        lines.append(f"  {'THAY ĐỔI' if w['changed'] else 'Không đổi'} (chính thức → giả định):")
        for key in list(w["official"]) + [k for k in w["alternative"] if k not in w["official"]]:
            lines.append(f"  {key}: {w['official'].get(key, '—')} → {w['alternative'].get(key, '—')}")
    elif explanation.subject == "official":
        for r in w["officials"]:
            lines.append(
                f"  {r['unit_id']}: chính thức {r['official']['result']} ({score(r['official']['total'])}) — "
                f"giả định {r['alternative']['result']} ({score(r['alternative']['total'])})"
            )
    else:
        for name in ("official", "alternative"):
            part = w[name]
            title = "Chính thức" if name == "official" else "Giả định"
            if not part["in_population"]:
                lines.append(f"  {title}: không thuộc đối tượng chấm điểm")
            else:
                pts = ", ".join(f"{k}={'—' if v is None else v}" for k, v in part["points"].items())
                lines.append(f"  {title}: {pts}")
    return "\n".join(lines)
