"""Indicators scored per unit (scope ``unit``): the one-stop desk, publication, complaint handling and
online services. Each returns points, where they came from and why, or ``None`` for missing evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from tthc.input.values import unreadable
from tthc.parameters.ruleset import Indicator
from tthc.schemes.tt01.population import Period
from tthc.vi import share


@dataclass(frozen=True)
class UnitPoints:
    points: Decimal | None  # None: no evidence
    source: str             # evidence, complaints, dossiers, none
    reason: str


@dataclass(frozen=True)
class OnlineFacts:
    total: int          # dossiers in the population
    online: int         # of which submitted online (truc_tuyen)
    late: int           # online dossiers of the population finished after their due date
    open_overdue: int   # online dossiers still open and past due at the period's end


@dataclass
class UnitContext:
    unit: pd.Series                       # the units.csv row
    evidence: pd.Series | None            # unit_evidence row, or None
    has_evidence_file: bool
    complaints: pd.DataFrame | None       # the unit's complaints received in the period; None if no file
    online: OnlineFacts                   # population size and online dossiers of the unit
    has_channel: bool
    period: Period
    policies: dict[str, str]


UnitMeasure = Callable[[UnitContext, Indicator], UnitPoints]
UNIT_MEASURES: dict[str, UnitMeasure] = {}


def unit_measure(name: str):
    def register(fn: UnitMeasure) -> UnitMeasure:
        UNIT_MEASURES[name] = fn
        return fn

    return register


def _d(x) -> Decimal:
    return Decimal(str(x))


def _pct(x) -> str:
    return share(x)


def _missing(ctx: UnitContext, fields: list[str]) -> str | None:
    if not ctx.has_evidence_file:
        return "không có tệp unit_evidence"
    if ctx.evidence is None:
        return "đơn vị không có dòng trong unit_evidence"
    blank = [f for f in fields if pd.isna(ctx.evidence.get(f))]
    return f"ô trống: {', '.join(blank)}" if blank else None


@unit_measure("one_stop_desk")
def one_stop_desk(ctx: UnitContext, ind: Indicator) -> UnitPoints:
    p = ind.params
    why = _missing(ctx, ["desk_share", "desk_full_share"])
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
                          f"100% TTHC qua Bộ phận Một cửa ({_pct(desk)}) và Bộ phận Một cửa tự tiếp nhận, thẩm định, "
                          f"phê duyệt {_pct(full)} danh mục, đạt ngưỡng {_pct(need)} của {level_name}.")
    return UnitPoints(_d(p["points"]["desk"]), "evidence",
                      f"100% TTHC qua Bộ phận Một cửa ({_pct(desk)}); tỷ lệ giải quyết tại chỗ {_pct(full)} chưa "
                      f"đạt {_pct(need)} của {level_name}.")


@unit_measure("publication")
def publication(ctx: UnitContext, ind: Indicator) -> UnitPoints:
    pts = ind.params["points"]
    why = _missing(ctx, ["posted", "electronic"])
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


@unit_measure("complaint_handling")
def complaint_handling(ctx: UnitContext, ind: Indicator) -> UnitPoints:
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


@unit_measure("online_service")
def online_service(ctx: UnitContext, ind: Indicator) -> UnitPoints:
    p, pts = ind.params, ind.params["points"]
    f = ctx.online
    if ctx.has_channel and f.late + f.open_overdue:  # decides the band whatever the catalogue share is
        return UnitPoints(_d(pts["below"]), "evidence+dossiers",
                          f"Hồ sơ trực tuyến trễ hạn: {f.late}, quá hạn chưa giải quyết ở cuối kỳ: {f.open_overdue}.")
    why = _missing(ctx, ["dvc34_share"])
    if why:
        return UnitPoints(None, "none", f"Thiếu minh chứng ({why}).")
    if not ctx.has_channel:
        return UnitPoints(None, "none", "Tệp dossiers không có cột kênh nộp (channel) để tính tỷ lệ trực tuyến.")
    dvc = _d(ctx.evidence["dvc34_share"])
    share = Fraction(f.online, f.total) if f.total else Fraction(0)
    n_late = f.late + f.open_overdue
    facts = (f"DVC mức 3, 4: {_pct(dvc)}; hồ sơ trực tuyến {f.online}/{f.total} = "
             f"{_pct(float(share))}; hồ sơ trực tuyến trễ hạn: {f.late}, quá hạn chưa giải quyết: {f.open_overdue}")
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


def score_unit_indicator(ctx: UnitContext, ind: Indicator) -> UnitPoints:
    try:
        fn = UNIT_MEASURES[ind.measure]
    except KeyError as exc:
        raise ValueError(f"Chỉ số {ind.number}: không có phép đo cấp đơn vị '{ind.measure}'") from exc
    return fn(ctx, ind)
