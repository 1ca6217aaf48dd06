"""The derivation trees of a TT 01 result: a unit's, an official's and a dossier's, down to the input rows.

The tree reads top-down as the grade was formed bottom-up: the result and its band (bounds, citation)
← the total (and how it was formed) ← each indicator (where it came from, citation) ← the dossiers, steps,
complaints or evidence rows with their points and reasons (each indicator's measure builds these:
``measure.py``) ← the input file and row each fact came from. Every number is read from the result; the
tables are indexed once per result (``Result.facts``), so explaining every unit reuses them.
"""

from __future__ import annotations

import difflib
from decimal import Decimal

import pandas as pd

from tthc.input.loading import FILE
from tthc.input.reading import ROW
from tthc.parameters.ruleset import Grading
from tthc.schemes.explanation import (
    AuditError,
    Explanation,
    Node,
    band_bounds,
    bound,
    day,
    find_unit,
    header,
    missing_leaf,
    num,
    points_of,
    row_leaf,
)
from tthc.schemes.tt01.facts import Facts
from tthc.schemes.tt01.grading import IndicatorScore, total_of
from tthc.schemes.tt01.measure import OVERRIDE, measure_for
from tthc.text import fold

#: How each indicator source is named to a reader.
SOURCE_LABELS = {
    "dossiers": "tính từ hồ sơ",
    "evidence": "theo minh chứng",
    "complaints": "theo phản ánh, kiến nghị",
    "evidence+dossiers": "theo minh chứng và hồ sơ",
    "self_accepted": "CHẤP NHẬN ĐIỂM TỰ CHẤM, không có minh chứng",
    "override": "ĐIỀU CHỈNH của người thẩm định",
    "excluded": "KHÔNG TÍNH: không đủ thông tin",
}


def _explanation(result, subject: str, key: str, trees: list[Node]) -> Explanation:
    return Explanation(subject, key, header(result), trees,
                       {"unit": result.rules.unit_grading, "official": result.rules.official_grading}, scheme="tt01")


# --------------------------------------------------------------------------------------------- units


def explain_unit(result, key: str) -> Explanation:
    """The derivation of one unit's result (``key``: unit id or name)."""
    unit = find_unit(result.units, key)
    return _explanation(result, "unit", unit.unit_id, [_unit_tree(result.facts, unit)])


def _unit_tree(f: Facts, u) -> Node:
    rules, grading, policies = f.rules, f.rules.unit_grading, f.r.policies
    level = rules.levels[u.level].name if u.level in rules.levels else (u.level or "không rõ cấp")
    data = {"unit_id": u.unit_id, "unit_name": u.unit_name, "level": u.level, "result": u.result,
            "dossiers": u.dossiers, "total": u.total, "self_total": u.self_total, "submitted": u.submitted,
            "status": None}
    who = f"{u.unit_name} (mã {u.unit_id}, {level})"
    if u.result == rules.statuses["no_dossiers"]:
        data["status"] = "no_dossiers"
        root = Node("unit_result", f"{who}: {u.result} — không có hồ sơ nào thuộc đối tượng chấm điểm trong kỳ "
                                   f"(population={policies['population']}); không xếp loại, không tính vào xếp hạng.",
                    data)
        _no_dossier_children(f, u, root)
        return root
    total_node = _total_node(f, u.scores, u.total, u.total_note, u.self_scores, grading, u.unit_id)
    band = grading.band_for(u.total)
    low, high, bounds = band_bounds(grading, band)
    data.update(band=band.label, band_min=low, band_max=high, citation=grading.citation)
    if u.result == rules.statuses["not_scored"]:
        data["status"] = "not_scored"
        policy = rules.policies.get("missing_self_assessment")
        cite = f" ({policy.citation})" if policy else ""
        root = Node("unit_result",
                    f"{who}: {u.result} — có {u.dossiers} hồ sơ nhưng không nộp kết quả tự chấm; "
                    f"chính sách missing_self_assessment={policies['missing_self_assessment']}{cite}. "
                    f"Điểm thẩm định vẫn được tính: {num(u.total)} (nếu xếp loại theo thẩm định: {band.label}, "
                    f"{bounds}).", data)
        root.add(f.self_leaf(u.unit_id))
        root.add(total_node)
        return root
    self_note = f"; tự chấm {num(u.self_total)}" if u.self_total is not None else ""
    root = Node("unit_result",
                f"{who}: {u.result} — tổng điểm {num(u.total)} thuộc khoảng {bounds} ({grading.citation}){self_note}",
                data)
    root.add(total_node)
    return root


def _no_dossier_children(f: Facts, u, root: Node) -> None:
    """Each row of the unit in the dossiers file, with why it was not scored this period."""
    label = f.label("dossiers")
    rows = None if f.table("dossiers") is None else f.unit_dossier_rows(u.unit_id)
    if rows is None or rows.empty:
        root.add(missing_leaf("dossiers", f"Tệp {label} không có dòng nào của đơn vị {u.unit_id}."))
        return
    for _, row in rows.iterrows():
        why = " ".join(f.findings_at(label, int(row[ROW]))) or "không thuộc đối tượng chấm trong kỳ."
        node = root.add(Node("dossier", f"Hồ sơ {row['dossier_id']}: {why}",
                             {"dossier_id": row["dossier_id"], "points": None}))
        node.add(row_leaf("dossiers", row[FILE], row[ROW]))


def _total_node(f: Facts, scores: list[IndicatorScore], total: Decimal, note: str,
                self_scores: dict[int, Decimal | None], grading: Grading, uid: str,
                official: str | None = None) -> Node:
    included = [s for s in scores if s.points is not None]
    excluded = [s.number for s in scores if s.points is None]
    raw = sum((s.points for s in included), Decimal(0))
    rescaled = bool(excluded and included and f.r.policies["missing_indicator"] == "rescale_to_18")
    possible = sum(f.rules.indicator(s.number).max_points for s in included)
    terms = " + ".join(num(s.points) for s in included) or "0"
    formed = f"({terms}) = {num(raw)} trên {possible} điểm có thể × {bound(grading.max_total)}/{possible}" \
        if rescaled else terms
    node = Node("total", f"Tổng điểm {num(total)} = {formed} ({note})",
                {"total": total, "sum": raw, "included": [s.number for s in included], "excluded": excluded,
                 "rescaled": rescaled, "possible": possible, "max_total": grading.max_total, "note": note})
    for s in scores:
        node.add(_indicator_node(f, s, self_scores.get(s.number), uid, official))
    return node


def _indicator_node(f: Facts, s: IndicatorScore, self_score, uid: str, official: str | None) -> Node:
    """One indicator of a unit (or official): its score, source, reason, citation, and what it came from —
    the measure's facts, the override row, the accepted self-score."""
    ind = f.rules.indicator(s.number)
    how = SOURCE_LABELS.get(s.source, s.source)
    mine = f"; tự chấm {num(self_score)}" if self_score is not None else ""
    reason = s.reason.rstrip(".").removeprefix("Điều chỉnh của người thẩm định: ")
    if s.source == "dossiers":
        what = "lượt tham gia" if ind.params.get("per_participant") and official is None else "hồ sơ"
        reason = f"trung bình {s.points_sum}/{s.dossiers} {what} có thông tin = {num(s.points)}"
    shown = num(s.points) if s.points is not None else "không tính"
    node = Node("indicator", f"Chỉ số {ind.number} ({ind.short}): {shown} — {how}: {reason}{mine} [{ind.citation}]",
                {"number": ind.number, "points": s.points, "source": s.source, "source_label": how,
                 "reason": reason, "count": s.dossiers, "sum": s.points_sum, "self_score": self_score,
                 "citation": ind.citation, "scope": ind.scope})
    if s.source == "override":
        node.add(f.override_leaf("unit", uid, ind.number, s.reason))
    measure = measure_for(ind)
    if ind.scope == "dossier":
        measure.unit_children(f, node, ind, uid, official)
    elif s.source == "self_accepted":
        node.add(f.self_leaf(uid, ind.number))
        node.add(f.evidence_leaf(uid, measure.evidence_fields))
    else:
        measure.children(f, node, uid, s, ind)
    if not node.children and s.source == "excluded":
        node.add(missing_leaf("", "Không có dữ liệu đầu vào cho chỉ số này."))
    return node


# --------------------------------------------------------------------------------------------- officials


def explain_official(result, name: str, unit: str | None = None) -> Explanation:
    """The derivation of an official's completion level, one tree per unit the official worked in."""
    keys = [k for k in result.official_scores if fold(k[1]) == fold(name)]
    if not keys:
        keys = [k for k in result.official_scores if fold(name) in fold(k[1])]
        if len({k[1] for k in keys}) > 1:
            names = ", ".join(sorted({k[1] for k in keys}))
            raise AuditError(f"'{name}' khớp với nhiều cán bộ: {names}.")
    if unit is not None:
        uid = find_unit(result.units, unit).unit_id
        keys = [k for k in keys if k[0] == uid]
    if not keys:
        known = {fold(k[1]): k[1] for k in result.official_scores}
        close = difflib.get_close_matches(fold(name), sorted(known), n=3, cutoff=0.6)
        hint = f"; có phải là {', '.join(known[c] for c in close)}?" if close else ""
        raise AuditError(f"Không có cán bộ '{name}' trong các hồ sơ được chấm kỳ này{hint}")
    return _explanation(result, "official", keys[0][1], [_official_tree(result.facts, k) for k in keys])


def _official_tree(f: Facts, key: tuple[str, str]) -> Node:
    uid, name = key
    grading = f.rules.official_grading
    scores = f.r.official_scores[key]
    total, note = total_of(scores, f.rules, grading, f.r.policies["missing_indicator"], f.rounding)
    band = grading.band_for(total)
    low, high, bounds = band_bounds(grading, band, "S")
    unit_name = next((u.unit_name for u in f.r.units if u.unit_id == uid), uid)
    n = f.official_dossiers(uid, name)
    root = Node("official_result",
                f"Cán bộ {name} ({unit_name}, mã {uid}): {band.text or band.label} — điểm {num(total)} thuộc khoảng "
                f"{bounds} ({grading.citation}); {n} hồ sơ",
                {"official": name, "unit_id": uid, "result": band.label, "total": total, "band": band.label,
                 "band_min": low, "band_max": high, "citation": grading.citation, "dossiers": n, "status": None})
    root.add(_total_node(f, scores, total, note, {}, grading, uid, official=name))
    return root


# --------------------------------------------------------------------------------------------- dossiers


def explain_dossier(result, dossier_id: str) -> Explanation:
    """The points of one dossier on each per-dossier indicator (a dossier gets no grade of its own)."""
    f = result.facts
    idx = f.first_index_of(dossier_id)
    if idx is None:
        folded = f.scores.index[f.scores["dossier_id"].map(fold) == fold(dossier_id)]
        idx = int(folded[0]) if len(folded) else None
    if idx is None:
        return _explanation(result, "dossier", dossier_id, [_dossier_outside(f, dossier_id)])
    did, uid, official = f.score(idx, "dossier_id"), f.score(idx, "unit_id"), f.score(idx, "official")
    unit_name = next((u.unit_name for u in f.r.units if u.unit_id == uid), uid)
    who = "" if pd.isna(official) else f", cán bộ {official}"
    root = Node("dossier_result",
                f"Hồ sơ {did} ({unit_name}, mã {uid}{who}): tiếp nhận {day(f.score(idx, 'received_at'))}, "
                f"hẹn trả {day(f.score(idx, 'due_at'))}, có kết quả {day(f.score(idx, 'finished_at'))}. Một hồ sơ "
                "được chấm điểm từng chỉ số, không xếp loại riêng; điểm được tính vào trung bình của đơn vị"
                + (" và của cán bộ." if who else "."),
                {"dossier_id": did, "unit_id": uid, "official": None if pd.isna(official) else official,
                 "status": None})
    for ind in f.rules.dossier_indicators:
        measure = measure_for(ind)
        pts = points_of(f.score(idx, ind.code))
        code = f.code(idx, ind)
        label = f"{pts} điểm" if pts is not None else "không có thông tin"
        mark = " [ĐIỀU CHỈNH]" if code == OVERRIDE else ""
        reason = measure.enrich(f, idx, code, f.score(idx, f"{ind.code}_reason"))
        node = root.add(Node("dossier_indicator",
                             f"Chỉ số {ind.number} ({ind.short}): {label}{mark} — {reason} [{ind.citation}]",
                             {"number": ind.number, "points": pts, "reason": reason, "code": code,
                              "override": code == OVERRIDE, "citation": ind.citation}))
        for leaf in f.dossier_leaves(idx, ind, measure):
            node.add(leaf)
        measure.dossier_children(f, node, ind, did)
    return _explanation(result, "dossier", did, [root])


def _dossier_outside(f: Facts, dossier_id: str) -> Node:
    """A dossier that was read but not scored this period, or left out while reading."""
    dossiers = f.table("dossiers")
    rows = dossiers[dossiers["dossier_id"].map(lambda v: fold(v) == fold(dossier_id) if isinstance(v, str) else False)]
    if rows.empty:
        related = [x for x in f.r.findings.items if x.value == dossier_id or f" {dossier_id} " in f" {x.message} "]
        if not related:
            raise AuditError(f"Không có hồ sơ '{dossier_id}' trong tệp {f.label('dossiers')}.")
        root = Node("dossier_result", f"Hồ sơ {dossier_id} bị loại khi đọc dữ liệu, không được chấm.",
                    {"dossier_id": dossier_id, "status": "not_loaded"})
        for x in related:
            root.add(row_leaf("dossiers", x.file, x.row, x.message))
        return root
    row = rows.iloc[0]
    why = " ".join(f.findings_at(f.label("dossiers"), int(row[ROW])))
    root = Node("dossier_result", f"Hồ sơ {row['dossier_id']} không thuộc đối tượng chấm điểm kỳ này: "
                                  f"{why or 'không có kết quả trong kỳ.'}",
                {"dossier_id": row["dossier_id"], "unit_id": row["unit_id"], "status": "outside_population"})
    root.add(row_leaf("dossiers", row[FILE], row[ROW]))
    return root
