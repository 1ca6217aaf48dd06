"""The index's explanations of a dossier and of an official (beside ``explain.explain_unit``).

- A dossier has no points of its own: its tree gives its facts (in N or why not, on time, online, its flags,
  the petitions naming it, each from its file and row) and, per component counted from dossiers, whether it
  is in the denominator and the numerator — asked of the component's own measure on that one dossier, so the
  answer is the counting's own — and whether the unit's figure used those counts (portal, evidence).
- An official gets no points under NĐ 118/2025: the tree gives the dossiers of N they handled, the share on
  time (as 2.1) and the petitions about conduct naming one of their dossiers, each from its file and row.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

import numpy as np
import pandas as pd

from tthc.schemes.explanation import AuditError, Node, row_leaf
from tthc.text import fold

from .dossier_measures import late_fact
from .explain import SOURCE_LABELS, explain_unit, explanation, find_index_unit, score_text
from .facts import FILE, ROW, STATUS_TEXT
from .scoring import EVIDENCE, MISSING, NOT_APPLICABLE, PORTAL
from .wording import day_vi, percent_vi, points_vi

__all__ = ["explain_dossier", "explain_official", "explain_unit", "subject_summary"]

#: A dossier's facts as a reader names them (the facts' columns; ``rating`` and ``named`` as computed).
FACT_WORDS = {
    "online": "Nộp trực tuyến",
    "synced_on_time": "Đồng bộ trạng thái đúng hạn lên Cổng Dịch vụ công quốc gia",
    "fee_required": "Có nghĩa vụ tài chính",
    "paid_online": "Thanh toán trực tuyến",
    "e_result": "Có kết quả điện tử",
    "digitised": "Được số hóa thành phần hồ sơ",
    "data_reused": "Tái sử dụng dữ liệu đã có",
    "data_store_linked": "Liên kết kho dữ liệu cá nhân",
    "population_data_used": "Khai thác dữ liệu dân cư",
    "rating_unsatisfied": "Người nộp đánh giá không hài lòng",
    "named": "Bị phản ánh, kiến nghị",
}
#: The fact each of those needs (``Facts.dossier_present``).
FACT_NEEDS = {"rating_unsatisfied": "rating"}


def _yes(value) -> str:
    return "có" if bool(value) else "không"


# --------------------------------------------------------------------------------------------- dossiers


def _dossier_rows(d: pd.DataFrame, dossier_id: str) -> np.ndarray:
    ids = d["dossier_id"].astype(object)
    hits = np.flatnonzero(ids.map(lambda v: isinstance(v, str) and v == dossier_id).to_numpy(dtype=bool))
    if not len(hits):
        hits = np.flatnonzero(ids.map(lambda v: isinstance(v, str) and fold(v) == fold(dossier_id))
                              .to_numpy(dtype=bool))
    if not len(hits):
        known = [str(v) for v in ids.dropna().unique()]
        close = difflib.get_close_matches(dossier_id, known, n=3, cutoff=0.8)
        hint = f"; có phải là {', '.join(close)}?" if close else ""
        raise AuditError(f"Không có hồ sơ '{dossier_id}' trong tệp hồ sơ của kỳ này{hint}")
    return hits


def explain_dossier(result, dossier_id: str):
    """The facts of one dossier and the components it counts in (a dossier has no points of its own)."""
    d = result.facts.dossiers
    hits = _dossier_rows(d, dossier_id)
    i = int(hits[0])
    return explanation(result, "dossier", str(d.at[i, "dossier_id"]), [_dossier_tree(result, i, len(hits))])


def _unit_of(result, slot: int):
    return next((u for u in result.units if u.slot == slot and u.unit_id != result.province_id), None)


def _dossier_tree(result, i: int, copies: int) -> Node:
    facts = result.facts
    d = facts.dossiers
    row = d.iloc[i]
    status, slot, did = str(row["status"]), int(row["slot"]), str(row["dossier_id"])
    unit = _unit_of(result, slot) if slot >= 0 else None
    official = row["official"] if "official" in d and isinstance(row["official"], str) else None
    who = f"{unit.unit_name}, mã {unit.unit_id}" if unit else f"mã đơn vị {row['unit_id']}"
    who += f", cán bộ {official}" if official else ""
    finished = day_vi(row["finished_day"]) or "chưa có"
    in_n = bool(row["in_n"])
    data = {"dossier_id": did, "unit_id": None if unit is None else unit.unit_id, "official": official,
            "in_n": in_n, "status": status, "on_time": bool(row["on_time"]) if in_n else None,
            "numerator_of": [], "denominator_of": []}
    text = (f"Hồ sơ {did} ({who}): tiếp nhận {day_vi(row['received_day']) or '(trống)'}, hẹn trả "
            f"{day_vi(row['due_day']) or '(trống)'}, có kết quả {finished} — {STATUS_TEXT[status]}. ")
    if in_n:
        text += ("Thuộc N của đơn vị (tiếp nhận trong kỳ). Một hồ sơ không có điểm riêng: nó được đếm vào tử số, "
                 "mẫu số các chỉ tiêu dưới đây của đơn vị và của chỉ số toàn tỉnh (mọi đơn vị gộp lại).")
    else:
        text += "Không thuộc N: không được tính vào chỉ tiêu nào."
    if copies > 1:
        text += f" Mã hồ sơ này có {copies} dòng; đây là dòng đầu."
    root = Node("dossier_result", text, data)
    root.add(_facts_node(result, row, in_n))
    if in_n and unit is not None:
        one = replace(facts, dossiers=d.iloc[[i]].reset_index(drop=True))
        for spec in result.rules.components:
            node = _membership(result, one, spec, unit, row)
            if node is not None:
                root.add(node)
                if node.data["in_numerator"]:
                    data["numerator_of"].append(spec.code)
                if node.data["in_denominator"]:
                    data["denominator_of"].append(spec.code)
    petitions = _petitions_naming(result, did)
    if petitions is not None:
        root.add(petitions)
    return root


def _facts_node(result, row: pd.Series, in_n: bool) -> Node:
    present = result.facts.dossier_present
    node = Node("dossier_facts", "Thông tin của hồ sơ", {})
    if in_n:
        if "on_time" in present:
            on_time = bool(row["on_time"])
            why = STATUS_TEXT[str(row["status"])] if on_time else late_fact(str(row["status"]), row["finished_day"],
                                                                            row["due_day"], result.facts.end)
            node.add(Node("fact", f"Đúng hạn (như chỉ tiêu 2.1): {_yes(on_time)} — {why}",
                          {"name": "on_time", "value": on_time}))
        else:
            node.add(Node("fact", "Đúng hạn: không có thông tin (tệp không có cột 'due_at' hoặc 'finished_at')",
                          {"name": "on_time", "value": None}))
    for name, word in FACT_WORDS.items():
        if FACT_NEEDS.get(name, name) in present and name in row.index:
            node.add(Node("fact", f"{word}: {_yes(row[name])}", {"name": name, "value": bool(row[name])}))
        else:
            node.add(Node("fact", f"{word}: không có thông tin (tệp không có cột này)", {"name": name, "value": None}))
    if "procedure" in present and isinstance(row.get("procedure"), str):
        node.add(Node("fact", f"Thủ tục: {row['procedure']}", {"name": "procedure", "value": row["procedure"]}))
    node.add(row_leaf("dossiers", str(row[FILE]), row[ROW]))
    return node


def _usage(comp, spec) -> str:
    """Whether the unit's figure for the component used the dossiers' counts."""
    if comp.source == PORTAL:
        return f"điểm của đơn vị lấy từ Cổng ({score_text(comp.points)}); hồ sơ dùng để tự tính, đối chiếu"
    if comp.source == EVIDENCE:
        return f"đơn vị dùng số liệu index_evidence ({score_text(comp.points)}); hồ sơ chỉ để đối chiếu"
    if comp.source in (MISSING, NOT_APPLICABLE):
        return f"chỉ tiêu của đơn vị: {SOURCE_LABELS[comp.source].lower()}"
    return (f"điểm của đơn vị {score_text(comp.points)}/{points_vi(spec.max)} "
            f"({comp.numerator}/{comp.denominator})")


def _membership(result, one, spec, unit, row: pd.Series) -> Node | None:
    """Whether the one dossier (``one``: the facts of it alone) is in the component's numerator and
    denominator, asked of the component's own measure."""
    measure = result.measures[spec.code]
    slot = unit.slot
    comp = unit.component(spec.code)
    if measure.counts_numerator:
        numerators = measure.numerators(one)
        if numerators is None:
            return None
        counted = bool(numerators[slot])
        proc = row.get("procedure")
        what = (f"TTHC '{proc}' được đếm vào tử số nhờ hồ sơ này ({spec.numerator}; mỗi TTHC một lần)" if counted
                else f"hồ sơ không góp TTHC '{proc}' vào tử số ({spec.numerator})")
        in_num, in_den = counted, False
    elif spec.source == "dossiers":
        counts = measure.counts(one)
        if counts is None:
            what = f"không có thông tin ({measure.missing_reason(result.facts)})"
            in_num = in_den = False
        else:
            in_num, in_den = bool(counts.numerator[slot]), bool(counts.denominator[slot])
            if not in_den:
                what = f"không thuộc mẫu số ({spec.denominator})"
            elif in_num:
                what = f"thuộc mẫu số và tử số ({spec.numerator})"
            else:
                leaf = measure.leaf(one, slot)
                why = str(leaf["fact"].iloc[0]) if len(leaf) else ""
                what = "thuộc mẫu số, không thuộc tử số" + (f": {why}" if why else "")
    else:
        return None
    return Node("dossier_component", f"Chỉ tiêu {spec.code} ({spec.name}): {what} — {_usage(comp, spec)} "
                                     f"[{spec.citation}]",
                {"code": spec.code, "in_numerator": in_num, "in_denominator": in_den, "unit_points": comp.points,
                 "unit_source": comp.source, "citation": spec.citation})


def _petitions_naming(result, dossier_id: str) -> Node | None:
    p = result.facts.petitions
    if p is None or p["dossier_id"].isna().all():
        return None
    rows = p[p["dossier_id"].astype(object).map(lambda v: isinstance(v, str) and v == dossier_id).to_numpy(bool)]
    if rows.empty:
        return None
    node = Node("facts", f"{len(rows)} phản ánh, kiến nghị ghi mã hồ sơ này (mọi dòng của tệp, bất kể ngày: "
                         "chỉ tiêu 6.3)", {"count": len(rows)})
    for _, rec in rows.iterrows():
        when = day_vi(rec["received_day"]) or "(trống)"
        scope = "trong kỳ" if bool(rec["in_scope"]) else "ngoài kỳ"
        child = node.add(Node("complaint", f"Phản ánh, kiến nghị {rec['complaint_id']}: tiếp nhận {when} ({scope})",
                              {"id": rec["complaint_id"], "in_scope": bool(rec["in_scope"])}))
        child.add(row_leaf("complaints", str(rec[FILE]), rec[ROW]))
    return node


# --------------------------------------------------------------------------------------------- officials


def explain_official(result, name: str, unit: str | None = None):
    """An official's dossiers, on-time share and petitions about conduct, per unit they worked in (no points)."""
    table = result.officials
    names = [str(v) for v in table["official"]] if len(table) else []
    keys = [(str(u), n) for u, n in zip(table["unit_id"], names, strict=True) if fold(n) == fold(name)]
    if not keys:
        keys = [(str(u), n) for u, n in zip(table["unit_id"], names, strict=True) if fold(name) in fold(n)]
        if len({k[1] for k in keys}) > 1:
            raise AuditError(f"'{name}' khớp với nhiều cán bộ: {', '.join(sorted({k[1] for k in keys}))}.")
    if unit is not None:
        uid = find_index_unit(result, unit).unit_id
        keys = [k for k in keys if k[0] == uid]
    if not keys:
        known = {fold(n): n for n in names}
        close = difflib.get_close_matches(fold(name), sorted(known), n=3, cutoff=0.6)
        hint = f"; có phải là {', '.join(known[c] for c in close)}?" if close else ""
        raise AuditError(f"Không có cán bộ '{name}' trong các hồ sơ tiếp nhận kỳ này{hint}")
    return explanation(result, "official", keys[0][1], [_official_tree(result, uid, who) for uid, who in keys])


def _official_tree(result, uid: str, name: str) -> Node:
    facts = result.facts
    d = facts.dossiers
    slot = facts.unit_ids.index(uid)
    mask = (d["in_n"].to_numpy(dtype=bool) & (d["slot"].to_numpy() == slot)
            & d["official"].astype(object).map(lambda v: isinstance(v, str) and v == name).to_numpy(dtype=bool))
    handled = d[mask]
    n = len(handled)
    known_time = "on_time" in facts.dossier_present
    on_time = int(handled["on_time"].sum()) if known_time else None
    conduct = _conduct_rows(result, set(handled["dossier_id"].astype(str)))
    unit = _unit_of(result, slot)
    share = f"đúng hạn {on_time}/{n} ({percent_vi(on_time, n)}) như chỉ tiêu 2.1" if known_time and n else \
        "không xác định được đúng hạn (tệp không có cột 'due_at' hoặc 'finished_at')"
    conduct_text = ("không có thông tin về phản ánh về thái độ (không có tệp complaints hoặc cột 'about_conduct')"
                    if conduct is None else f"{len(conduct)} phản ánh, kiến nghị về thái độ tiếp nhận trong kỳ ghi mã "
                    "hồ sơ của cán bộ (trừ phản ánh được kết luận không đúng sự thật)")
    root = Node("official_result",
                f"Cán bộ {name} ({unit.unit_name}, mã {uid}): {n} hồ sơ tiếp nhận trong kỳ đã xử lý; {share}; "
                f"{conduct_text}. Cán bộ không có điểm và không xếp loại theo NĐ 118/2025 (Điều 34 khoản 2 dùng kết "
                "quả để đánh giá mức độ hoàn thành nhiệm vụ, không đặt mức).",
                {"official": name, "unit_id": uid, "dossiers": n, "on_time": on_time,
                 "petitions_about_conduct": None if conduct is None else len(conduct), "result": None, "total": None,
                 "status": "no_points"})
    late_first = handled.assign(_late=~handled["on_time"].to_numpy(dtype=bool)).sort_values("_late", ascending=False,
                                                                                             kind="stable")
    listed = root.add(Node("facts", f"{n} hồ sơ đã xử lý" + (" (hồ sơ không đúng hạn trước)" if known_time else ""),
                           {"count": n}))
    for _, rec in late_first.iterrows():
        if not known_time:
            what = STATUS_TEXT[str(rec["status"])]
        elif rec["on_time"]:
            what = "đúng hạn — " + STATUS_TEXT[str(rec["status"])]
        else:
            what = "không đúng hạn — " + late_fact(str(rec["status"]), rec["finished_day"], rec["due_day"], facts.end)
        child = listed.add(Node("dossier", f"Hồ sơ {rec['dossier_id']}: {what}",
                                {"id": rec["dossier_id"], "on_time": bool(rec["on_time"]) if known_time else None}))
        child.add(row_leaf("dossiers", str(rec[FILE]), rec[ROW]))
    if conduct is not None and len(conduct):
        node = root.add(Node("facts", f"{len(conduct)} phản ánh, kiến nghị về thái độ", {"count": len(conduct)}))
        for _, rec in conduct.iterrows():
            child = node.add(Node("complaint", f"Phản ánh, kiến nghị {rec['complaint_id']}: về hồ sơ "
                                               f"{rec['dossier_id']}, tiếp nhận {day_vi(rec['received_day'])}",
                                  {"id": rec["complaint_id"], "dossier_id": rec["dossier_id"]}))
            child.add(row_leaf("complaints", str(rec[FILE]), rec[ROW]))
    return root


def _conduct_rows(result, dossier_ids: set[str]) -> pd.DataFrame | None:
    """Petitions about conduct received in the period naming one of the dossiers (not those verified untrue)."""
    facts = result.facts
    p = facts.petitions
    if p is None or "about_conduct" not in facts.petition_present or p["dossier_id"].isna().all():
        return None
    mask = p["in_scope"].to_numpy(dtype=bool) & p["about_conduct"].to_numpy(dtype=bool)
    if "verified_untrue" in facts.petition_present:
        mask &= ~p["verified_untrue"].to_numpy(dtype=bool)
    mask &= p["dossier_id"].astype(object).map(lambda v: isinstance(v, str) and v in dossier_ids).to_numpy(bool)
    return p[mask]


# --------------------------------------------------------------------------------------------- what-if


def subject_summary(expl) -> dict[str, str]:
    """What a what-if compares for an official or a dossier, as a reader sees it (one entry per line)."""
    out: dict[str, str] = {}
    for tree in expl.trees:
        t = tree.data
        if tree.kind == "official_result":
            share = "—" if t["on_time"] is None or not t["dossiers"] else f"{t['on_time']}/{t['dossiers']}"
            conduct = "—" if t["petitions_about_conduct"] is None else str(t["petitions_about_conduct"])
            out[t["unit_id"]] = f"{t['dossiers']} hồ sơ, đúng hạn {share}, {conduct} phản ánh về thái độ"
        else:
            out["Thuộc N"] = _yes(t["in_n"])
            out["Tử số của"] = ", ".join(t["numerator_of"]) or "(không)"
            out["Mẫu số của"] = ", ".join(t["denominator_of"]) or "(không)"
    return out
