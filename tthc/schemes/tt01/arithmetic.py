"""The arithmetic check of a TT 01 explanation: re-add its tree and list every number that does not follow."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from tthc.rounding import round_one
from tthc.schemes.explanation import Explanation, Node


def check_arithmetic(explanation: Explanation, rounding: str | None = None) -> list[str]:
    """Re-add the tree: every mean from its children, every total from its indicators, every band from its
    total. Returns the mismatches (empty when the numbers add up)."""
    rounding = rounding or explanation.header["policies"]["rounding"]
    problems: list[str] = []
    for tree in explanation.trees:
        grading = explanation.grading["official" if tree.kind == "official_result" else "unit"]
        for node in tree.walk():
            if node.kind == "indicator":
                problems += _check_indicator(node, rounding)
            elif node.kind == "total":
                problems += _check_total(node, rounding)
        if tree.kind in ("unit_result", "official_result") and tree.data.get("status") != "no_dossiers":
            totals = [c for c in tree.children if c.kind == "total"]
            if len(totals) != 1:
                problems.append(f"{tree.text[:40]}: không có nút tổng điểm")
                continue
            total = totals[0].data["total"]
            if total != tree.data["total"]:
                problems.append(f"{tree.text[:40]}: tổng {total} ≠ {tree.data['total']}")
            band = grading.band_for(total)
            if band.label != tree.data["band"]:
                problems.append(f"{tree.text[:40]}: tổng {total} thuộc mức {band.label}, cây ghi {tree.data['band']}")
            if tree.data.get("status") is None and tree.data["result"] != band.label:
                problems.append(f"{tree.text[:40]}: kết quả {tree.data['result']} ≠ mức {band.label}")
    return problems


def _check_indicator(node: Node, rounding: str) -> list[str]:
    d = node.data
    where = f"chỉ số {d['number']}"
    if d["source"] != "dossiers":
        if d["source"] == "excluded" and d["points"] is not None:
            return [f"{where}: bị loại nhưng có điểm"]
        return []
    items = [c.data["points"] for c in node.children if c.kind in ("dossier", "participant")]
    counted = [p for p in items if p is not None]
    out = []
    if len(counted) != d["count"]:
        out.append(f"{where}: {len(counted)} hồ sơ có điểm, chỉ số ghi {d['count']}")
    if sum(counted) != d["sum"]:
        out.append(f"{where}: tổng điểm hồ sơ {sum(counted)}, chỉ số ghi {d['sum']}")
    if counted and round_one(Fraction(sum(counted), len(counted)), rounding) != d["points"]:
        out.append(f"{where}: {sum(counted)}/{len(counted)} làm tròn khác {d['points']}")
    return out


def _check_total(node: Node, rounding: str) -> list[str]:
    d = node.data
    inds = [c.data for c in node.children if c.kind == "indicator"]
    included = [i for i in inds if i["points"] is not None]
    raw = sum((i["points"] for i in included), Decimal(0))
    out = []
    if [i["number"] for i in included] != d["included"] or raw != d["sum"]:
        out.append(f"tổng: các chỉ số cộng lại {raw}, nút ghi {d['sum']}")
    if d["rescaled"]:
        expected = round_one(Fraction(raw) * Fraction(d["max_total"]) / d["possible"], rounding)
    else:
        expected = raw.quantize(Decimal("0.1"))
    if expected != d["total"]:
        out.append(f"tổng: tính lại được {expected}, nút ghi {d['total']}")
    return out
