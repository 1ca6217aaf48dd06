"""The derivation tree of an index result: a unit's (or the province's) index down to the input rows.

The tree reads top-down as the index was formed bottom-up: the result and its band (bounds, the profile's
``index_bands`` and the band set used) ← the index (the sum of the groups, or the rescaling with its
arithmetic) ← each group (NĐ 118/2025 Điều 32 k1's criterion) ← each component (ratio, points, where the
figure came from, its provenance and citation) ← the dossiers, petitions, procedures or communes that decided
it, the evidence row or the portal's figure, each with its file and row. A portal figure carries the
workbench's own figure beside it, the difference and the rows that explain it.

Every number is read from the result; nothing here grades. The component nodes are built in
``explain_components``; ``explain_dossier`` and ``explain_official`` are in ``explain_subjects``;
``explain_check`` re-adds a tree.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_decimal

from tthc.schemes.explanation import Explanation, Node, bound, find_unit
from tthc.text import fold
from tthc.vi import number

from .explain_components import (
    FACT_KINDS,
    FACT_NODE_KINDS,
    OWN_LABELS,
    PROVENANCE,
    SOURCE_LABELS,
    component_node,
    score_text,
)
from .scoring import PORTAL
from .wording import LOCALE, points_vi

__all__ = ["FACT_KINDS", "FACT_NODE_KINDS", "OWN_LABELS", "PROVENANCE", "SOURCE_LABELS", "explain_unit",
           "find_index_unit", "header", "score_text", "unit_note", "unit_parts", "unit_tree"]


def header(result) -> dict:
    """What every explanation states first: the period, the rule set, the policies, the data."""
    from tthc import __version__

    rules = result.rules
    defaults = rules.default_policies()
    quarter = result.quarter
    period = f"{result.start:%d/%m/%Y}–{result.end:%d/%m/%Y}"
    return {
        "quarter": None if quarter is None else str(quarter),
        "quarter_label": f"Kỳ {period}" if quarter is None else quarter.label_vi,
        "period": {"start": result.start.isoformat(), "end": result.end.isoformat()},
        "rule_set": {"id": rules.id, "title": rules.title, "sha256": rules.sha256},
        "scheme": rules.scheme,
        "policies": dict(result.policies),
        "non_default_policies": {k: v for k, v in result.policies.items() if defaults.get(k) != v},
        "province_unit_id": result.province_id,
        "data_dir": None if result.data_dir is None else str(result.data_dir),
        "tool_version": __version__,
    }


def explanation(result, subject: str, key: str, trees: list[Node]) -> Explanation:
    return Explanation(subject, key, header(result), trees, {}, scheme=result.rules.scheme)


# --------------------------------------------------------------------------------------------- units


def find_index_unit(result, key: str):
    """A unit, or the province's own row by its id (``TINH``), its name or the words ``Toàn tỉnh``."""
    if fold(key) in (fold(result.rules.province_level.name), fold(result.rules.province_level.code)):
        return result.province
    return find_unit(list(result.units), key)


def explain_unit(result, key: str) -> Explanation:
    """The derivation of one unit's index (``key``: unit id or name; the province's id or name)."""
    unit = find_index_unit(result, key)
    return explanation(result, "unit", unit.unit_id, [unit_tree(result, unit)])


def _level_name(rules, level: str | None) -> str:
    if level == rules.province_level.code:
        return rules.province_level.name
    return rules.levels[level].name if level in rules.levels else "không rõ cấp"


def _rank_text(result, u) -> str:
    rules = result.rules
    if u.unit_id == result.province_id:
        return "không xếp hạng (dòng toàn tỉnh: mọi hồ sơ và phản ánh của các đơn vị gộp lại, với số liệu toàn tỉnh)"
    if u.level in rules.abolished_levels:
        return f"không xếp hạng ({_level_name(rules, u.level).lower()} không còn từ 01/07/2025)"
    if u.rank is None:
        return "không xếp hạng" + (" (không rõ cấp)" if u.level not in rules.levels else "")
    peers = sum(1 for v in result.units if v.level == u.level and v.rank is not None)
    return f"hạng {u.rank}/{peers} trong {_level_name(rules, u.level).lower()}"


def unit_tree(result, u) -> Node:
    rules, policies = result.rules, result.policies
    province = u.unit_id == result.province_id
    who = f"{u.unit_name} (mã {u.unit_id}, {_level_name(rules, u.level)})"
    data = {"unit_id": u.unit_id, "unit_name": u.unit_name, "level": u.level, "result": u.result,
            "total": u.total, "dossiers": u.dossiers, "source": u.source, "rank": u.rank, "province": province,
            "citation": rules.citation, "status": None, "band": None, "band_min": None, "band_max": None}
    n_text = f"N = {number(u.dossiers)} hồ sơ tiếp nhận trong kỳ"
    if u.total is None:
        data["status"] = "no_data"
        root = Node("unit_result", f"{who}: {u.result} — không chỉ tiêu nào có điểm; {n_text}; không xếp hạng.",
                    data)
        root.add(total_node(result, u))
        return root
    band_node = bands_node(rules, policies, u.total)
    data.update(band=band_node.data["label"], band_min=band_node.data["band_min"],
                band_max=band_node.data["band_max"], rank_text=_rank_text(result, u))
    root = Node("unit_result", f"{who}: {u.result} — chỉ số {score_text(u.total)} thuộc mức {band_node.data['label']} "
                               f"({band_node.data['bounds']}; mức do profile đặt: index_bands = "
                               f"{policies['index_bands']}); {n_text}; điểm {_source_word(u.source)}; "
                               f"{data['rank_text']} [{rules.citation}]", data)
    root.add(band_node)
    root.add(total_node(result, u))
    return root


def _source_word(source: str) -> str:
    return {"portal": "lấy từ Cổng Dịch vụ công quốc gia (portal)", "recomputed": "tự tính (recomputed)",
            "mixed": "một phần từ Cổng, một phần tự tính (mixed)"}.get(source, source)


def band_range(bands, band, symbol: str = "chỉ số") -> tuple[Decimal, Decimal | None, str]:
    """The band's lower bound (inclusive), upper bound (exclusive, None at the top) and their wording."""
    i = bands.index(band)
    upper = bands[i - 1].min if i > 0 else None
    if upper is None:
        return band.min, None, f"{symbol} ≥ {bound(band.min)}"
    if i == len(bands) - 1 and band.min == 0:
        return band.min, upper, f"{symbol} < {bound(upper)}"
    return band.min, upper, f"{bound(band.min)} ≤ {symbol} < {bound(upper)}"


def bands_node(rules, policies: dict[str, str], total: Decimal) -> Node:
    """The band of ``total``: its bounds, and that the bands are the profile's setting (POLICY index_bands)."""
    bands = list(rules.bands(policies))
    band = rules.band_for(total, policies)
    low, high, bounds = band_range(bands, band)
    value = policies["index_bands"]
    policy = rules.policies["index_bands"]
    listed = "; ".join(_band_word(bands, b) for b in bands)
    named = rules.band_sets.get(value)
    which = f"bộ mức '{value}'" if named else f"các ngưỡng tự đặt '{value}'"
    text = (f"Mức {band.label}: {bounds}. Mức xếp loại là thiết lập của profile, không phải của Nghị định: chính sách "
            f"index_bands = {value} ({which}: {listed}). NĐ 118/2025 không quy định điểm và mức xếp loại; "
            f"Xuất sắc ≥ 90 và Yếu < 50 theo nguồn thứ cấp, các ngưỡng ở giữa chưa được xác nhận "
            f"[{PROVENANCE['POLICY']}; {policy.citation}]")
    return Node("band", text, {"label": band.label, "band_min": low, "band_max": high, "bounds": bounds,
                               "policy": "index_bands", "value": value, "provenance": "POLICY",
                               "citation": policy.citation,
                               "bands": [{"min": b.min, "label": b.label} for b in bands]})


def _band_word(bands, band) -> str:
    i = bands.index(band)
    if i == len(bands) - 1 and band.min == 0 and i > 0:
        return f"{band.label} < {bound(bands[i - 1].min)}"
    return f"{band.label} ≥ {bound(band.min)}"


def _exact(value: Fraction) -> str:
    """An exact quotient on four decimals, with '…' when it goes on (truncated, not rounded)."""
    scaled = value * 10_000
    whole = scaled.numerator // scaled.denominator
    text = format_decimal(Decimal(whole).scaleb(-4), format="#,##0.####", locale=LOCALE)
    return text + ("…" if whole != scaled else "")


def total_node(result, u) -> Node:
    """The index from the groups, or the rescaling of the rounded points over the known maxima."""
    rules, policies = result.rules, result.policies
    known = [c for c in u.components if c.points is not None]
    left = [c for c in u.components if c.points is None]
    raw = sum((c.points for c in known), Decimal("0.00"))
    rescaled = bool(known) and u.known_max != rules.max_total
    counted = [g for g in rules.groups if u.groups.get(g.code) is not None]
    data = {"total": u.total, "sum": raw, "known_max": u.known_max, "max_total": rules.max_total,
            "rescaled": rescaled, "groups": [g.code for g in counted],
            "left_out": [c.code for c in left], "missing_component": policies["missing_component"],
            "empty_denominator": policies["empty_denominator"]}
    left_text = ""
    if left:
        why = "; ".join(f"{c.code} ({SOURCE_LABELS[c.source].lower()})" for c in left)
        left_text = (f"; không tính {len(left)} chỉ tiêu: {why} (missing_component = {policies['missing_component']}, "
                     f"empty_denominator = {policies['empty_denominator']})")
    if u.total is None:
        node = Node("total", f"Chỉ số: không tính được — không chỉ tiêu nào có điểm{left_text}", data)
    elif rescaled:
        exact = Fraction(raw) * Fraction(rules.max_total) / Fraction(u.known_max)
        node = Node("total", f"Chỉ số {score_text(u.total)} = {score_text(raw)} × {points_vi(rules.max_total)} ÷ "
                             f"{points_vi(u.known_max)} = {_exact(exact)} → {score_text(u.total)} (tổng các điểm chỉ "
                             f"tiêu đã làm tròn × 100 ÷ tổng điểm tối đa đã biết, làm tròn nửa lên đến 2 chữ số thập "
                             f"phân một lần; quy đổi về thang 100){left_text}", data)
    else:
        terms = " + ".join(score_text(u.groups[g.code]) for g in counted)
        node = Node("total", f"Chỉ số {score_text(u.total)} = {terms} (tổng {len(counted)} nhóm; mọi chỉ tiêu đều có "
                             f"điểm, không quy đổi){left_text}", data)
    for group in rules.groups:
        node.add(group_node(result, u, group))
    return node


def group_node(result, u, group) -> Node:
    rules = result.rules
    members = [c for c in u.components if rules.component(c.code).group == group.code]
    known = [c for c in members if c.points is not None]
    left = [c.code for c in members if c.points is None]
    points = u.groups.get(group.code)
    known_max = sum((c.maximum for c in known), Decimal(0))
    terms = " + ".join(f"{score_text(c.points)} ({c.code})" for c in known) or "không chỉ tiêu nào có điểm"
    shown = (f"{score_text(points)}/{points_vi(group.max)} điểm" if points is not None
             else f"không tính (tối đa {points_vi(group.max)} điểm)")
    note = f"; không tính {', '.join(left)}, tối đa đã biết {points_vi(known_max)}" if left else ""
    text = (f"Nhóm {group.code} — {group.name}: {shown} = {terms}{note} "
            f"[{group.citation}; tiêu chí: {PROVENANCE[group.provenance]}, điểm tối đa: "
            f"{PROVENANCE[group.max_provenance]}]")
    node = Node("group", text, {"code": group.code, "name": group.name, "points": points, "max": group.max,
                                "known_max": known_max, "members": [c.code for c in members], "left_out": left,
                                "citation": group.citation, "provenance": group.provenance,
                                "max_provenance": group.max_provenance})
    for comp in members:
        node.add(component_node(result, u, comp))
    return node


# --------------------------------------------------------------------------------------------- what-if


def unit_parts(u) -> dict[str, Decimal | None]:
    """A unit's components and the points that count (None: left out), for a what-if."""
    return {c.code: c.points for c in u.components}


def unit_note(u) -> str:
    """How a unit's index was formed, in a few words (for a what-if)."""
    if u.total is None:
        return "không chỉ tiêu nào có điểm"
    full = sum((c.maximum for c in u.components), Decimal(0))
    portal = sum(c.source == PORTAL for c in u.components)
    from_portal = f"; {portal} chỉ tiêu theo điểm của Cổng" if portal else ""
    if u.known_max == full:
        return "tổng các nhóm" + from_portal
    return (f"quy đổi về thang {points_vi(full)} trên {points_vi(u.known_max)} điểm tối đa đã biết; không tính "
            + ", ".join(u.left_out) + from_portal)
