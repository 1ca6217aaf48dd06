"""The per-unit measures of TT 01/2018 (indicators of scope ``unit``): the one-stop desk, publication,
complaint handling and online services. Each gives points, where they came from and why (``None`` points
for missing evidence), and the input rows the audit shows under the indicator."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd

from tthc.input.loading import FILE
from tthc.input.reading import ROW
from tthc.input.values import unreadable
from tthc.parameters.ruleset import Indicator
from tthc.schemes.explanation import Node, day, is_set, missing_leaf, row_leaf
from tthc.schemes.tt01.measure import UnitContext, UnitMeasure, UnitPoints, measure_for, of_scope, register
from tthc.schemes.tt01.population import Period
from tthc.vi import share


def _d(x) -> Decimal:
    return Decimal(str(x))


def _pct(x) -> str:
    return share(x)


def _missing(ctx: UnitContext, fields: tuple[str, ...]) -> str | None:
    if not ctx.has_evidence_file:
        return "không có tệp unit_evidence"
    if ctx.evidence is None:
        return "đơn vị không có dòng trong unit_evidence"
    blank = [f for f in fields if pd.isna(ctx.evidence.get(f))]
    return f"ô trống: {', '.join(blank)}" if blank else None


@register("one_stop_desk")
class OneStopDesk(UnitMeasure):
    """The share of procedures through the one-stop desk, and of those it settles itself (by level)."""

    evidence_fields = ("desk_share", "desk_full_share")

    def score(self, ctx, ind):
        p = ind.params
        why = _missing(ctx, self.evidence_fields)
        if why:
            return UnitPoints(None, "none", f"Thiếu minh chứng ({why}).")
        desk, full = ctx.evidence["desk_share"], ctx.evidence["desk_full_share"]
        if _d(desk) < _d(p["desk_share_min"]):
            return UnitPoints(_d(p["points"]["below"]), "evidence",
                              f"Tỷ lệ TTHC tiếp nhận và trả kết quả tại Bộ phận Một cửa {_pct(desk)}, dưới "
                              f"{_pct(p['desk_share_min'])}.")
        level = ctx.unit.get("level")
        level_name = ctx.unit.get("level_name") or level
        need = p["full_share_min"].get(level)
        if need is None:
            return UnitPoints(None, "none", f"Không xác định được cấp của đơn vị ('{level}') để áp ngưỡng.")
        if _d(full) >= _d(need):
            return UnitPoints(_d(p["points"]["full"]), "evidence",
                              f"100% TTHC qua Bộ phận Một cửa ({_pct(desk)}) và Bộ phận Một cửa tự tiếp nhận, "
                              f"thẩm định, phê duyệt {_pct(full)} danh mục, đạt ngưỡng {_pct(need)} của "
                              f"{level_name}.")
        return UnitPoints(_d(p["points"]["desk"]), "evidence",
                          f"100% TTHC qua Bộ phận Một cửa ({_pct(desk)}); tỷ lệ giải quyết tại chỗ {_pct(full)} "
                          f"chưa đạt {_pct(need)} của {level_name}.")


@register("publication")
class Publication(UnitMeasure):
    """Procedures published by posting and electronically."""

    evidence_fields = ("posted", "electronic")

    def score(self, ctx, ind):
        pts = ind.params["points"]
        why = _missing(ctx, self.evidence_fields)
        if why:
            return UnitPoints(None, "none", f"Thiếu minh chứng ({why}).")
        posted, electronic = bool(ctx.evidence["posted"]), bool(ctx.evidence["electronic"])
        ways = [w for w, ok in (("niêm yết", posted), ("điện tử", electronic)) if ok]
        key = {2: "both", 1: "one", 0: "none"}[len(ways)]
        text = "Công khai bằng " + " và ".join(ways) if ways else "Không công khai bằng hình thức nào"
        return UnitPoints(_d(pts[key]), "evidence", text + ".")


def complaint_status(c: pd.DataFrame, period: Period) -> pd.Series:
    """``on_time``, ``late``, ``pending`` (unanswered, not yet due: left out), ``no_due`` (left out) or
    ``unreadable`` (its due or answer date was written but cannot be read: left out)."""
    # judged as things stood at the period's end: an answer given after it did not exist yet
    answered = pd.to_datetime(c["answered_at"]).dt.normalize()
    answered = answered.where(answered <= period.end_ts)
    due = pd.to_datetime(c["due_at"]).dt.normalize()
    status = pd.Series("late", index=c.index, dtype=object)
    status[answered.notna() & due.notna() & (answered <= due)] = "on_time"
    status[answered.isna() & due.notna() & (due >= period.end_ts)] = "pending"
    status[due.isna()] = "no_due"
    status[unreadable(c, "answered_at") | unreadable(c, "due_at")] = "unreadable"
    return status


COMPLAINT_WORDS = {
    "on_time": "trả lời đúng hạn",
    "late": "không trả lời đúng hạn",
    "pending": "chưa trả lời, chưa đến hạn: không tính vào tỷ lệ",
    "no_due": "không có hạn trả lời: không tính vào tỷ lệ",
    "unreadable": "hạn hoặc ngày trả lời không đọc được: không tính vào tỷ lệ",
}


@register("complaint_handling")
class ComplaintHandling(UnitMeasure):
    """Complaints received in the period answered on time; a prolonged case gives the bottom band."""

    def score(self, ctx, ind):
        p, pts = ind.params, ind.params["points"]
        if ctx.complaints is None:
            return UnitPoints(None, "none", "Thiếu minh chứng (không có tệp complaints).")
        c = ctx.complaints
        if c.empty:
            return UnitPoints(_d(pts["full"]), "complaints", "Không nhận phản ánh, kiến nghị nào trong kỳ.")
        status = complaint_status(c, ctx.period)
        counted = status.isin(["on_time", "late"])
        n, k = int(counted.sum()), int((status == "on_time").sum())
        prolonged = int(c["prolonged"].fillna(False).astype(bool).sum())
        unknown = int((status == "unreadable").sum())
        left = int((~counted).sum()) - unknown
        facts = f"{len(c)} phản ánh, kiến nghị; {k}/{n} trả lời đúng hạn"
        if left:
            facts += f"; {left} chưa đến hạn hoặc không có hạn, không tính vào tỷ lệ"
        if unknown:
            facts += f"; {unknown} có ngày không đọc được, không tính vào tỷ lệ"
        if prolonged:
            return UnitPoints(_d(pts["below"]), "complaints", f"{facts}; {prolonged} vụ việc kéo dài.")
        if unknown and not n:  # nothing left to judge, and it is not known that nothing was due
            return UnitPoints(None, "none", f"Thiếu minh chứng ({facts}).")
        ratio = Fraction(k, n) if n else Fraction(1)
        if ratio >= Fraction(str(p["on_time_full"])):
            return UnitPoints(_d(pts["full"]), "complaints", f"{facts}; không có vụ việc kéo dài.")
        if ratio >= Fraction(str(p["on_time_min"])):
            return UnitPoints(_d(pts["partial"]), "complaints",
                              f"{facts} (từ {_pct(p['on_time_min'])} trở lên); không có vụ việc kéo dài.")
        return UnitPoints(_d(pts["below"]), "complaints", f"{facts}, dưới {_pct(p['on_time_min'])}.")

    def children(self, facts, node, uid, score, ind):
        """Each complaint of the unit received in the period, with how it was answered."""
        if facts.table("complaints") is None:
            node.add(missing_leaf("complaints", "Không có tệp complaints (phản ánh, kiến nghị)."))
            if score.source == "self_accepted":
                node.add(facts.self_leaf(uid, score.number))
            return
        mine = facts.complaints_in_period(uid)
        if mine.empty:
            node.add(missing_leaf("complaints", f"{facts.label('complaints')}: không có phản ánh nào của đơn vị "
                                                f"{uid} nhận trong kỳ."))
            return
        status = complaint_status(mine, facts.r.period)
        for idx, c in mine.iterrows():
            prolonged = "; kéo dài" if is_set(c.get("prolonged")) else ""
            text = (f"Phản ánh {c['complaint_id']}: nhận {day(c['received_at'])}, hạn {day(c['due_at'])}, "
                    f"trả lời {day(c['answered_at'])}: {COMPLAINT_WORDS[status[idx]]}{prolonged}")
            child = node.add(Node("complaint", text, {"complaint_id": c["complaint_id"], "status": status[idx],
                                                      "prolonged": bool(prolonged)}))
            child.add(row_leaf("complaints", c[FILE], c[ROW]))


@register("online_service")
class OnlineService(UnitMeasure):
    """Level 3-4 online services and the share of dossiers filed online; an online dossier late (or open
    and past due at the period's end) gives the bottom band."""

    evidence_fields = ("dvc34_share",)

    def score(self, ctx, ind):
        p, pts = ind.params, ind.params["points"]
        f = ctx.online
        if ctx.has_channel and f.late + f.open_overdue:  # decides the band whatever the catalogue share is
            return UnitPoints(_d(pts["below"]), "evidence+dossiers",
                              f"Hồ sơ trực tuyến trễ hạn: {f.late}, quá hạn chưa giải quyết ở cuối kỳ: "
                              f"{f.open_overdue}.")
        why = _missing(ctx, self.evidence_fields)
        if why:
            return UnitPoints(None, "none", f"Thiếu minh chứng ({why}).")
        if not ctx.has_channel:
            return UnitPoints(None, "none", "Tệp dossiers không có cột kênh nộp (channel) để tính tỷ lệ trực tuyến.")
        dvc = _d(ctx.evidence["dvc34_share"])
        share = Fraction(f.online, f.total) if f.total else Fraction(0)
        n_late = f.late + f.open_overdue
        facts = (f"DVC mức 3, 4: {_pct(dvc)}; hồ sơ trực tuyến {f.online}/{f.total} = "
                 f"{_pct(float(share))}; hồ sơ trực tuyến trễ hạn: {f.late}, quá hạn chưa giải quyết: "
                 f"{f.open_overdue}")
        if n_late:
            return UnitPoints(_d(pts["below"]), "evidence+dossiers", facts + ".")
        full_share, min_share = Fraction(str(p["online_share_full"])), Fraction(str(p["online_share_min"]))
        if dvc >= _d(p["dvc34_min"]) and share >= full_share:
            return UnitPoints(_d(pts["full"]), "evidence+dossiers", facts + ".")
        in_band = share >= min_share
        if ctx.policies.get("indicator9_band") == "literal":
            in_band = in_band and share < full_share
        if dvc > 0 and in_band:
            return UnitPoints(_d(pts["partial"]), "evidence+dossiers", facts + ".")
        return UnitPoints(_d(pts["below"]), "evidence+dossiers", facts + ".")

    def children(self, facts, node, uid, score, ind):
        super().children(facts, node, uid, score, ind)
        if score.points is not None and score.source != "override":
            self._online_dossiers(facts, node, uid)

    @staticmethod
    def _online_dossiers(facts, node: Node, uid: str) -> None:
        """The online dossiers that decided the band: finished late, or open and past due at the period's end
        (the same split as the engine's ``OnlineFacts``)."""
        if "channel" not in facts.pop:
            return
        for _, d in facts.online_late(uid).iterrows():
            _online_leaf(node, d, f"có kết quả {day(d['finished_day'])}, hẹn trả {day(d['due_day'])}: trễ hạn")
        for _, d in facts.online_open_overdue(uid).iterrows():
            _online_leaf(node, d, f"chưa có kết quả ở cuối kỳ, hẹn trả {day(d['due_day'])} đã quá hạn")


def _online_leaf(node: Node, d: pd.Series, text: str) -> None:
    child = node.add(Node("dossier", f"Hồ sơ trực tuyến {d['dossier_id']}: {text}",
                          {"dossier_id": d["dossier_id"], "online_late": True}))
    child.add(row_leaf("dossiers", d[FILE], d[ROW]))


#: The per-unit measure kinds, by name.
UNIT_MEASURES = of_scope("unit")


def score_unit_indicator(ctx: UnitContext, ind: Indicator) -> UnitPoints:
    return measure_for(ind).score(ctx, ind)
