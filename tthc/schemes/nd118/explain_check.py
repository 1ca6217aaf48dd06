"""The arithmetic check of an index explanation: re-add its tree and list every number that does not follow.

Each component's points again from its counts (``max × min(1, r / full_at)``, half-up to 2 decimals; an empty
denominator by its rule), the portal's difference, the rows listed under it (those that cost points:
denominator − numerator; procedures counted: the numerator); each group from its components; the index from
the components' rounded points (rescaled over the known maxima, rounded once); the band from the index and
the band set the tree names. Only the tree is read.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from tthc.schemes.explanation import Explanation, Node

from .arithmetic import component_points, index_total, round_half_up
from .explain_components import FACT_NODE_KINDS
from .scoring import EVIDENCE, MISSING, PORTAL, RECOMPUTED


def check_arithmetic(explanation: Explanation, rounding: str | None = None) -> list[str]:
    """The mismatches of the explanation's numbers (empty when they add up). ``rounding`` is not used: the index
    rounds half-up to 2 decimals (``index_rounding``)."""
    problems: list[str] = []
    for tree in explanation.trees:
        if tree.kind == "official_result":
            problems += _check_official(tree)
            continue
        if tree.kind != "unit_result":
            continue
        for node in tree.walk():
            if node.kind == "component":
                problems += _check_component(node)
            elif node.kind == "group":
                problems += _check_group(node)
            elif node.kind == "total":
                problems += _check_total(node)
        problems += _check_result(tree)
    return problems


def _own_points(d: dict, numerator: int | None, denominator: int | None) -> Decimal | None:
    """A component's points from counts, as its rule says (None: not applicable)."""
    if denominator == 0:
        if d["when_empty"] == "full":
            return Decimal(d["max"]).quantize(Decimal("0.01"))
        return Decimal("0.00") if d["when_empty"] == "zero" else None
    return component_points(d["max"], numerator, denominator, Fraction(Decimal(str(d["full_at"]))))


def _listed(node: Node) -> int:
    return sum(1 for facts in node.children if facts.kind == "facts"
               for child in facts.children if child.kind in FACT_NODE_KINDS)


def _check_component(node: Node) -> list[str]:
    d = node.data
    where = f"chỉ tiêu {d['code']}"
    out = []
    own_source = d["recomputed_source"]
    if own_source in (EVIDENCE, RECOMPUTED) and d["numerator"] is not None and d["denominator"] is not None:
        expected = _own_points(d, d["numerator"], d["denominator"])
        if expected != d["recomputed"]:
            out.append(f"{where}: {d['numerator']}/{d['denominator']} cho {expected}, cây ghi {d['recomputed']}")
    if d["source"] == PORTAL:
        if d["points"] != d["portal_points"]:
            out.append(f"{where}: điểm {d['points']} khác điểm của Cổng {d['portal_points']}")
        if d["recomputed"] is not None and d["difference"] != d["portal_points"] - d["recomputed"]:
            out.append(f"{where}: chênh lệch {d['difference']} ≠ {d['portal_points']} − {d['recomputed']}")
    elif d["source"] == MISSING:
        if d["points"] not in (None, Decimal("0.00")):
            out.append(f"{where}: thiếu dữ liệu nhưng có điểm {d['points']}")
    elif d["points"] != d["recomputed"]:
        out.append(f"{where}: điểm {d['points']} khác điểm tự tính {d['recomputed']}")
    holder = next((c for c in node.children if c.kind == "recomputed"), node)
    if "leaf_rule" in holder.data and _listed(holder) != holder.data["leaf_count"]:
        out.append(f"{where}: liệt kê {_listed(holder)} dòng, cần {holder.data['leaf_count']} "
                   f"({'tử số' if holder.data['leaf_rule'] == 'numerator' else 'mẫu số − tử số'})")
    return out


def _check_group(node: Node) -> list[str]:
    d = node.data
    members = [c.data for c in node.children if c.kind == "component"]
    known = [m for m in members if m["points"] is not None]
    expected = sum((m["points"] for m in known), Decimal("0.00")) if known else None
    out = []
    if [m["code"] for m in members] != d["members"]:
        out.append(f"nhóm {d['code']}: các chỉ tiêu {[m['code'] for m in members]} khác {d['members']}")
    if expected != d["points"]:
        out.append(f"nhóm {d['code']}: các chỉ tiêu cộng lại {expected}, nhóm ghi {d['points']}")
    if sum((m["max"] for m in members), Decimal(0)) != d["max"]:
        out.append(f"nhóm {d['code']}: tổng điểm tối đa các chỉ tiêu khác {d['max']}")
    return out


def _check_total(node: Node) -> list[str]:
    d = node.data
    groups = [g.data for g in node.children if g.kind == "group"]
    components = [c.data for g in node.children for c in g.children if c.kind == "component"]
    known = [c for c in components if c["points"] is not None]
    raw = sum((c["points"] for c in known), Decimal("0.00"))
    known_max = sum((c["max"] for c in known), Decimal(0))
    out = []
    if raw != d["sum"] or known_max != d["known_max"]:
        out.append(f"chỉ số: các chỉ tiêu cộng lại {raw} trên {known_max}, nút ghi {d['sum']} trên {d['known_max']}")
    by_groups = sum((g["points"] for g in groups if g["points"] is not None), Decimal("0.00"))
    if by_groups != raw:
        out.append(f"chỉ số: các nhóm cộng lại {by_groups}, các chỉ tiêu {raw}")
    expected = index_total([c["points"] for c in known], known_max, Decimal(d["max_total"]))
    if d["rescaled"] and expected is not None:
        again = round_half_up(Fraction(raw) * Fraction(d["max_total"]) / Fraction(known_max))
        if again != expected:
            out.append(f"chỉ số: quy đổi {raw} × {d['max_total']} ÷ {known_max} cho {again}, không phải {expected}")
    if expected != d["total"]:
        out.append(f"chỉ số: tính lại được {expected}, nút ghi {d['total']}")
    if d["rescaled"] != (bool(known) and known_max != d["max_total"]):
        out.append("chỉ số: cây ghi sai việc quy đổi về thang 100")
    return out


def _check_result(tree: Node) -> list[str]:
    d = tree.data
    totals = [c for c in tree.children if c.kind == "total"]
    if len(totals) != 1:
        return [f"{d['unit_id']}: không có nút chỉ số"]
    total = totals[0].data["total"]
    out = []
    if total != d["total"]:
        out.append(f"{d['unit_id']}: chỉ số {total} ≠ {d['total']}")
    if total is None:
        return out
    band = next((c for c in tree.children if c.kind == "band"), None)
    if band is None:
        return out + [f"{d['unit_id']}: không có nút mức xếp loại"]
    bands = band.data["bands"]
    label = next((b["label"] for b in bands if total >= Decimal(b["min"])), bands[-1]["label"])
    if label != band.data["label"] or label != d["band"] or label != d["result"]:
        out.append(f"{d['unit_id']}: chỉ số {total} thuộc mức {label}, cây ghi {band.data['label']}/{d['result']}")
    return out


def _check_official(tree: Node) -> list[str]:
    d = tree.data
    listed = [c for f in tree.children if f.kind == "facts" for c in f.children if c.kind == "dossier"]
    out = []
    if len(listed) != d["dossiers"]:
        out.append(f"cán bộ {d['official']}: liệt kê {len(listed)} hồ sơ, ghi {d['dossiers']}")
    if d["on_time"] is not None and sum(bool(c.data["on_time"]) for c in listed) != d["on_time"]:
        out.append(f"cán bộ {d['official']}: số hồ sơ đúng hạn không khớp")
    return out
