#!/usr/bin/env python3
"""Generate ``data/tinh-mau``: a SYNTHETIC post-reform province for the NĐ 118/2025 service index.

Nothing here is real: "tỉnh Mẫu", its 20 provincial agencies (cấp tỉnh) and 60 communes, wards and special
zones (cấp xã: ``xa``, ``phuong``, ``dac_khu`` labels), dossiers, petitions, forms and portal figures are
invented (seeded, byte-deterministic). Quarters 2025-Q3 … 2026-Q3, 30–50 dossiers per unit per quarter,
exported the way an analyst would take them (a few days after the quarter's end, with dossiers received
in the last weeks of the previous quarter still present).

What the files exercise:

- ``dossiers.csv``: the DATA_CONTRACT v2 columns (sync, fee, online payment, electronic result, digitisation,
  data reuse, personal data store, population data, rating). 2025-Q3's export has no ``data_store_linked``
  and no ``population_data_used`` column (5.5 and 5.6 missing: the index is rescaled to 100); 2026-Q1 uses
  the Vietnamese headers and day-first dates.
- ``complaints.csv`` with ``rated_unsatisfied`` and ``re_raised``; some units receive none (6 points).
- ``index_evidence.csv``: a ``*`` row for the province-wide catalogue components 1.1–1.3, per-unit rows for
  3.1, 3.2, 4.2, 4.3 and 5.7 (for some units 3.2's and 4.2's denominators only: their numerators are counted
  from the dossiers).
- ``units.csv`` with ``e_certified_copy`` (5.3); ``surveys.csv`` (citizens' forms).
- the portal's figures: 2026-Q3 as the portal's JSON (``portal_scores.json``; group 5's metrics carry counts
  but no score), 2026-Q2 as a table (``portal_scores.csv``). They equal this script's own reference
  computation except for a few units, so that reconciliation findings show (``PORTAL_CHANGES``), including a
  difference of exactly 0,1 point (not a finding) and a group total that does not add up.

Usage: ``python scripts/make_province_2025.py [--out DIR]``; ``--dossiers N [--quarter 2025-Q4]`` writes instead one
quarter of about N dossiers for the same units (``benchmarks/bench_e2e.py --scheme index``; 500 000 in ~25 s).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

SEED = 20260930
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "tinh-mau"
PROVINCE_ID = "TINH"
PROVINCE_NAME = "UBND tỉnh Mẫu"
QUARTERS = ("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")
#: Export lag after the quarter's end (results dated in these days are after the period).
LAG_DAYS = 5

AGENCIES = (
    "Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Xây dựng", "Sở Công Thương", "Sở Nông nghiệp và Môi trường",
    "Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Dân tộc và Tôn giáo", "Sở Ngoại vụ", "Thanh tra tỉnh", "Ban Quản lý các khu công nghiệp",
    "Văn phòng UBND tỉnh", "Trung tâm Phục vụ hành chính công tỉnh", "Ban Quản lý Khu kinh tế cửa khẩu",
    "Sở Kế hoạch tổng hợp Mẫu", "Ban Dân tộc tổng hợp Mẫu", "Quỹ Phát triển đất Mẫu",
)
PLACES = (
    "An Bình", "An Hòa", "Bắc Sơn", "Bình Minh", "Cẩm Thạch", "Đông Hưng", "Đồng Tâm", "Hòa Lạc", "Hưng Đạo",
    "Kim Liên", "Lạc Long", "Minh Khai", "Nam Cường", "Ngọc Lâm", "Phú Mỹ", "Phúc Thịnh", "Quang Trung",
    "Sơn Thủy", "Tân Lập", "Thạch Bàn", "Thái Hòa", "Thanh Xuân", "Thịnh Vượng", "Thuận An", "Tiên Phong",
    "Trung Hòa", "Trường Sơn", "Vạn Xuân", "Việt Hưng", "Vĩnh Phúc", "Xuân Lộc", "Yên Thế", "Hồng Phong",
    "Hải Đăng", "Lam Sơn", "Mường Mẫu", "Nậm Tiến", "Pá Khoang", "Sín Chải", "Tả Phìn", "Chiềng Mai",
    "Hồng Thái", "Kỳ Sơn", "Long Biên Mẫu", "Mỹ Đức", "Ninh Hải", "Phong Châu", "Quảng Ninh Mẫu", "Sa Pa Mẫu",
    "Tam Đảo", "Tây Hồ Mẫu", "Thanh Sơn", "Trà Lĩnh", "Văn Lang", "Vân Hồ", "Yên Bình", "Ba Vì Mẫu",
    "Cô Tô Mẫu", "Hòn Mẫu", "Đảo Ngọc",
)
PROCEDURES = (
    "Cấp giấy chứng nhận quyền sử dụng đất", "Đăng ký khai sinh", "Chứng thực bản sao từ bản chính",
    "Đăng ký kết hôn", "Cấp giấy phép xây dựng", "Đăng ký hộ kinh doanh", "Cấp phiếu lý lịch tư pháp",
    "Cấp giấy phép lái xe", "Đăng ký thường trú", "Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm",
    "Trợ cấp xã hội hằng tháng", "Cấp giấy phép kinh doanh rượu", "Công nhận hộ nghèo", "Đăng ký khai tử",
    "Cấp giấy phép hoạt động giáo dục", "Thẩm định thiết kế cơ sở", "Cấp chứng chỉ hành nghề",
)
FEE_PROCEDURES = {"Cấp giấy chứng nhận quyền sử dụng đất", "Chứng thực bản sao từ bản chính",
                  "Cấp giấy phép xây dựng", "Đăng ký hộ kinh doanh", "Cấp phiếu lý lịch tư pháp",
                  "Cấp giấy phép lái xe", "Cấp giấy phép kinh doanh rượu", "Cấp chứng chỉ hành nghề"}
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Lò", "Quàng", "Giàng")
GIVEN = ("Văn An", "Thị Bình", "Minh Châu", "Thu Hà", "Đức Huy", "Thị Lan", "Quốc Khánh", "Thị Mai", "Văn Nam",
         "Thanh Tâm", "Hữu Phúc", "Thị Hoa", "Văn Sơn", "Ngọc Anh")
RATINGS = ("Rất hài lòng", "Hài lòng", "Bình thường")
HOLIDAYS = frozenset([date(2025, 9, 1), date(2025, 9, 2), date(2026, 1, 1),
                      *(date(2026, 2, d) for d in range(14, 23)), date(2026, 4, 27), date(2026, 4, 30),
                      date(2026, 5, 1), date(2026, 9, 1), date(2026, 9, 2)])

COMPONENTS = (  # code, portal code, group, max, full_at (defaults of the rule file's policies)
    ("1.1", "PUBLISH_ON_TIME", "1", 6, Fraction(1)), ("1.2", "PUBLIC_UPDATE_ON_TIME", "1", 4, Fraction(1)),
    ("1.3", "PUBLIC_CONTENT_FULL", "1", 2, Fraction(1)), ("1.4", "DOSSIER_SYNC", "1", 6, Fraction(1)),
    ("2.1", "ON_TIME", "2", 20, Fraction(1)), ("3.1", "FULL", "3", 2, Fraction(4, 5)),
    ("3.2", "HAS_ONLINE", "3", 4, Fraction(1)), ("3.3", "ONLINE_DOSSIERS", "3", 6, Fraction(1, 2)),
    ("4.1", "PAY_DOSSIERS", "4", 6, Fraction(1)), ("4.2", "PAY_FORMALITIES", "4", 2, Fraction(4, 5)),
    ("4.3", "PAY_PROVISION", "4", 2, Fraction(4, 5)), ("5.1", "ORIGINAL_RESULT_AVAILABLE", "5", 6, Fraction(1)),
    ("5.2", "SO_HOA_GIAY_TO_GIAI_QUYET", "5", 4, Fraction(1)),
    ("5.3", "ELECTRONIC_CERTIFIED_COPY", "5", 2, Fraction(1)),
    ("5.4", "REUSED_DIGITIZED_DATA", "5", 2, Fraction(4, 5)),
    ("5.5", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE", "5", 4, Fraction(1)),
    ("5.6", "CITIZEN_DATA_CONNECTED_DOSSIER", "5", 2, Fraction(1)),
    ("5.7", "CITIZEN_DATA_CONNECTED_FORMALITY", "5", 2, Fraction(1)),
    ("6.1", "PETITION_PROCESSING_ON_TIME", "6", 6, Fraction(1)),
    ("6.2", "PETITION_HANDLING_SATISFACTION", "6", 6, Fraction(1)),
    ("6.3", "DOSSIER_RECEIVING_SATISFACTION", "6", 6, Fraction(9, 10)),
)
GROUP_NAMES = {"1": "Công khai, minh bạch", "2": "Tiến độ, kết quả giải quyết", "3": "Cung cấp dịch vụ công trực tuyến",
               "4": "Thanh toán trực tuyến", "5": "Số hóa hồ sơ", "6": "Mức độ hài lòng"}
#: Where the portal's figures differ from the data (quarter, unit, component): what the portal shows instead.
PORTAL_CHANGES = {
    ("2026-Q3", "S03", "2.1"): "numerator+4",     # the portal counted 4 late dossiers as on time
    ("2026-Q3", "X07", "3.3"): "numerator-5",     # 5 online dossiers the portal does not see
    ("2026-Q3", "X22", "6.1"): "score-0.10",      # exactly 0,1 point: not a finding
    ("2026-Q3", "X15", "g1"): "score+0.50",       # a group total that does not add up
    ("2026-Q2", "S05", "4.1"): "score-1.25",
    ("2026-Q2", "X30", "total"): "score+2.00",
}
#: Evidence rows whose 3.2 numerator is below what the dossiers show (quarter, unit): by how much.
EVIDENCE_OFF = {("2026-Q3", "S02"): 2, ("2025-Q4", "X12"): 1}
DOSSIER_HEADERS = ["dossier_id", "unit_id", "procedure", "received_at", "due_at", "finished_at", "channel", "official",
                   "synced_on_time", "fee_required", "paid_online", "e_result", "digitised", "data_reused",
                   "data_store_linked", "population_data_used", "rating"]
VI_HEADERS = {"dossier_id": "Mã hồ sơ", "unit_id": "Mã đơn vị", "procedure": "Tên thủ tục",
              "received_at": "Ngày tiếp nhận", "due_at": "Ngày hẹn trả", "finished_at": "Ngày có kết quả",
              "channel": "Hình thức nộp", "official": "Cán bộ xử lý", "synced_on_time": "Đồng bộ DVCQG",
              "fee_required": "Có phí", "paid_online": "Thanh toán trực tuyến", "e_result": "Kết quả điện tử",
              "digitised": "Đã số hóa", "data_reused": "Tái sử dụng dữ liệu",
              "data_store_linked": "Kho dữ liệu cá nhân",
              "population_data_used": "Dữ liệu dân cư", "rating": "Đánh giá"}
ABSENT = {"2025-Q3": ("data_store_linked", "population_data_used")}
VI_QUARTERS = ("2026-Q1",)


@dataclass
class Unit:
    unit_id: str
    name: str
    level_label: str
    level: str
    e_copy: bool | None
    procedures: list[str]
    officials: list[str]
    skill: float  # 0..1: how well the unit does


@dataclass
class Dossier:
    values: dict
    unit: str
    in_n: bool = False
    on_time: bool = False
    named: bool = False


@dataclass
class Quarter:
    label: str
    start: date
    end: date
    dossiers: list[Dossier] = field(default_factory=list)
    petitions: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)


def quarter_bounds(label: str) -> tuple[date, date]:
    year, q = int(label[:4]), int(label[-1])
    start = date(year, 3 * q - 2, 1)
    end = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
    return start, end


def workday(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def add_workdays(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if workday(day):
            n -= 1
    return day


def _exact_half_up(value: Fraction) -> Decimal:
    scaled = value * 100
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return Decimal(whole).scaleb(-2).quantize(Decimal("0.01"))


def points(maximum: int, num: int, den: int, full_at: Fraction, full_when_empty: bool) -> Decimal:
    """The reference formula (DOMAIN_2025.md), independent of the tthc package."""
    if den == 0:
        return Decimal(maximum).quantize(Decimal("0.01")) if full_when_empty else Decimal("0.00")
    return _exact_half_up(maximum * min(Fraction(1), Fraction(num, den) / full_at))


# ------------------------------------------------------------------------------------------------ units


def make_units(rng: random.Random) -> list[Unit]:
    units = []
    for i, name in enumerate(AGENCIES, start=1):
        procs = rng.sample(PROCEDURES, rng.randint(5, 9))
        units.append(Unit(f"S{i:02d}", name, "Cấp tỉnh" if i % 3 else "tinh", "tinh", None, procs,
                          _officials(rng, 3), rng.uniform(0.55, 0.98)))
    for i, place in enumerate(PLACES, start=1):
        if i in (59, 60):
            label, prefix = "dac_khu", "Đặc khu"
        elif i % 5 == 0:
            label, prefix = "phuong", "Phường"
        else:
            label, prefix = ("Cấp xã" if i % 4 == 0 else "xa"), "Xã"
        procs = rng.sample(PROCEDURES[:12], rng.randint(4, 7))
        units.append(Unit(f"X{i:02d}", f"{prefix} {place}", label, "xa", rng.random() < 0.75, procs,
                          _officials(rng, 2), rng.uniform(0.45, 0.97)))
    return units


def _officials(rng: random.Random, n: int) -> list[str]:
    return [f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}" for _ in range(n)]


# --------------------------------------------------------------------------------------------- quarters


def _stamp(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(7, 16), rng.choice((0, 15, 30, 45))))


def make_quarter(label: str, units: list[Unit], rng: random.Random, per_unit: tuple[int, int] = (30, 50)) -> Quarter:
    start, end = quarter_bounds(label)
    q = Quarter(label, start, end)
    days = [start + timedelta(days=k) for k in range(-20, (end - start).days + 1)]
    days = [d for d in days if workday(d)]
    seq = 0
    for unit in units:
        skill = min(0.99, max(0.3, unit.skill + rng.uniform(-0.08, 0.08)))
        for _ in range(rng.randint(*per_unit)):
            seq += 1
            received = rng.choice(days)
            proc = rng.choice(unit.procedures)
            due = add_workdays(received, rng.randint(3, 15))
            finished: date | None
            roll = rng.random()
            if roll < skill:
                finished = add_workdays(received, rng.randint(1, max(1, (due - received).days // 2 + 1)))
                finished = min(finished, due)
            else:
                finished = add_workdays(due, rng.randint(1, 10))
            if finished > end + timedelta(days=LAG_DAYS) or (rng.random() < 0.04 and received > end - timedelta(20)):
                finished = None
            online = rng.random() < skill * 0.75
            fee = proc in FEE_PROCEDURES
            row = {
                "dossier_id": f"{unit.unit_id}-{label[2:4]}{label[-1]}-{seq:05d}", "unit_id": unit.unit_id,
                "procedure": proc, "received_at": _stamp(received, rng), "due_at": _stamp(due, rng),
                "finished_at": None if finished is None else _stamp(finished, rng),
                "channel": "Trực tuyến" if online else rng.choice(("Trực tiếp", "Trực tiếp", "Bưu chính công ích")),
                "official": rng.choice(unit.officials),
                "synced_on_time": rng.random() < skill + 0.05, "fee_required": fee,
                "paid_online": fee and online and rng.random() < skill,
                "e_result": rng.random() < skill, "digitised": rng.random() < skill + 0.02,
                "data_reused": rng.random() < skill * 0.8, "data_store_linked": rng.random() < skill * 0.9,
                "population_data_used": rng.random() < skill,
                "rating": "Không hài lòng" if rng.random() < (1 - skill) * 0.25 else rng.choice(RATINGS + ("",)),
            }
            q.dossiers.append(Dossier(row, unit.unit_id))
    _petitions(q, units, rng)
    _facts(q)
    q.evidence = _evidence(q, units, rng)
    return q


def _petitions(q: Quarter, units: list[Unit], rng: random.Random) -> None:
    by_unit: dict[str, list[Dossier]] = {}
    for d in q.dossiers:
        by_unit.setdefault(d.unit, []).append(d)
    n = 0
    for unit in units:
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            n += 1
            received = q.start + timedelta(days=rng.randint(0, (q.end - q.start).days))
            due = add_workdays(received, 10)
            answered = add_workdays(received, rng.randint(2, 14)) if rng.random() < 0.9 else None
            if answered is not None and answered > q.end + timedelta(days=LAG_DAYS):
                answered = None
            dossier = rng.choice(by_unit[unit.unit_id]) if rng.random() < 0.6 else None
            q.petitions.append({
                "complaint_id": f"PAKN-{q.label}-{n:03d}", "unit_id": unit.unit_id,
                "dossier_id": "" if dossier is None else dossier.values["dossier_id"],
                "received_at": _stamp(received, rng), "due_at": due.isoformat(),
                "answered_at": "" if answered is None else _stamp(answered, rng),
                "prolonged": 0, "about_conduct": int(rng.random() < 0.2), "verified_untrue": 0,
                "rated_unsatisfied": int(rng.random() < 0.15), "re_raised": int(rng.random() < 0.1),
            })
    named = {p["dossier_id"] for p in q.petitions if p["dossier_id"]}
    for d in q.dossiers:
        d.named = d.values["dossier_id"] in named


def _facts(q: Quarter) -> None:
    """In N and on time, by the rules of DOMAIN_2025.md (calendar days)."""
    for d in q.dossiers:
        received = d.values["received_at"].date()
        due = d.values["due_at"].date()
        fin = d.values["finished_at"].date() if d.values["finished_at"] else None
        d.in_n = q.start <= received <= q.end
        done = fin is not None and fin <= q.end
        d.on_time = d.in_n and ((done and fin <= due) or (not done and due >= q.end))


def _evidence(q: Quarter, units: list[Unit], rng: random.Random) -> list[dict]:
    """The analyst's catalogue figures; 3.2's and 4.2's numerators agree with the dossiers except for
    ``EVIDENCE_OFF`` (an evidence figure the dossiers contradict: a finding)."""
    rows = []
    in_n: dict[str, list[Dossier]] = {}
    for d in q.dossiers:
        if d.in_n:
            in_n.setdefault(d.unit, []).append(d)
    for code, den in (("1.1", 412), ("1.2", 412), ("1.3", 398)):
        rows.append({"unit_id": "*", "component": code, "numerator": den - rng.randint(0, 12), "denominator": den})
    for i, unit in enumerate(units):
        procs = len(unit.procedures)
        fee_procs = sum(p in FEE_PROCEDURES for p in unit.procedures)
        eligible = max(0, procs - rng.randint(0, 2)) if unit.level == "tinh" or i % 7 else 0
        rows.append({"unit_id": unit.unit_id, "component": "FULL" if i % 2 else "3.1",
                     "numerator": rng.randint(0, eligible), "denominator": eligible})
        mine = in_n.get(unit.unit_id, [])
        online = len({d.values["procedure"] for d in mine if d.values["channel"] == "Trực tuyến"})
        paid = len({d.values["procedure"] for d in mine if d.values["paid_online"] and d.values["fee_required"]})
        off = EVIDENCE_OFF.get((q.label, unit.unit_id), 0)
        for code, num, den in (("3.2", max(0, online - off), procs), ("4.2", paid, fee_procs)):
            rows.append({"unit_id": unit.unit_id, "component": code, "numerator": "" if i % 3 == 0 else num,
                         "denominator": den})
        rows.append({"unit_id": unit.unit_id, "component": "4.3", "numerator": rng.randint(0, fee_procs),
                     "denominator": fee_procs})
        rows.append({"unit_id": unit.unit_id, "component": "5.7", "numerator": rng.randint(0, procs),
                     "denominator": procs})
    # the province's own catalogue figures (its index is shown above the two tiers)
    catalogue = len(PROCEDURES)
    fees = len(FEE_PROCEDURES)
    for code, num, den in (("3.1", catalogue - 3, catalogue - 1), ("3.2", "", catalogue), ("4.2", "", fees),
                           ("4.3", fees - 1, fees), ("5.7", catalogue - 4, catalogue)):
        rows.append({"unit_id": PROVINCE_ID, "component": code, "numerator": num, "denominator": den})
    return rows


# ------------------------------------------------------------------------------- reference computation


def reference_counts(q: Quarter, units: list[Unit], unit_ids: list[str] | None) -> dict[str, tuple[int, int] | None]:
    """Numerator and denominator per component for the given units pooled (the province: all)."""
    ids = set(unit_ids or [u.unit_id for u in units])
    ds = [d for d in q.dossiers if d.unit in ids and d.in_n]
    absent = ABSENT.get(q.label, ())
    out: dict[str, tuple[int, int] | None] = {}

    def share(flag: str, among=None):
        if flag in absent:
            return None
        base = [d for d in ds if among is None or d.values[among]]
        return sum(bool(d.values[flag]) for d in base), len(base)

    ev = {}
    for row in q.evidence:
        ev.setdefault(row["component"], {})[row["unit_id"]] = row
    codes = {"FULL": "3.1"}
    for key in list(ev):
        if key in codes:
            ev.setdefault(codes[key], {}).update(ev.pop(key))
    one = unit_ids[0] if unit_ids and len(unit_ids) == 1 else PROVINCE_ID
    for code in ("1.1", "1.2", "1.3"):
        row = ev[code]["*"]
        out[code] = (row["numerator"], row["denominator"])
    out["1.4"] = share("synced_on_time")
    out["2.1"] = (sum(d.on_time for d in ds), len(ds))
    online = [d for d in ds if d.values["channel"] == "Trực tuyến"]
    paid = [d for d in ds if d.values["paid_online"] and d.values["fee_required"]]
    for code, qualifying in (("3.1", None), ("3.2", online), ("4.2", paid), ("4.3", None), ("5.7", None)):
        row = ev.get(code, {}).get(one)
        if row is None:
            out[code] = None
        elif row["numerator"] == "":
            out[code] = (len({d.values["procedure"] for d in qualifying}), row["denominator"])
        else:
            out[code] = (row["numerator"], row["denominator"])
    out["3.3"] = (len(online), len(ds))
    out["4.1"] = share("paid_online", "fee_required")
    out["5.1"], out["5.2"] = share("e_result"), share("digitised")
    communes = [u for u in units if u.level == "xa"]
    out["5.3"] = (sum(bool(u.e_copy) for u in communes), len(communes))
    out["5.4"], out["5.5"], out["5.6"] = share("data_reused"), share("data_store_linked"), share("population_data_used")
    ps = [p for p in q.petitions if p["unit_id"] in ids]
    on_time = []
    for p in ps:
        due = date.fromisoformat(p["due_at"])
        ans = p["answered_at"].date() if p["answered_at"] else None
        done = ans is not None and ans <= q.end
        on_time.append((done and ans <= due) or (not done and due >= q.end))
    out["6.1"] = (sum(on_time), len(ps))
    satisfied = [t and not p["rated_unsatisfied"] and not p["re_raised"] for t, p in zip(on_time, ps, strict=True)]
    out["6.2"] = (sum(satisfied), len(ps))
    out["6.3"] = (sum(d.on_time and not d.named and d.values["rating"] != "Không hài lòng" for d in ds), len(ds))
    return out


def reference_points(counts: dict) -> dict[str, Decimal]:
    pts = {}
    for code, _portal, _group, maximum, full_at in COMPONENTS:
        if counts.get(code) is not None:
            num, den = counts[code]
            pts[code] = points(maximum, num, den, full_at, code in ("6.1", "6.2"))
    return pts


# --------------------------------------------------------------------------------------------- writing


def _cell(value: object, vi_dates: bool) -> object:
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M" if vi_dates else "%Y-%m-%d %H:%M")
    return "" if value is None else value


def write_csv(path: Path, header: list[str], rows: list[list[object]], bom: bool = False) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))


def write_quarter(folder: Path, q: Quarter, units: list[Unit], rng: random.Random) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    vi = q.label in VI_QUARTERS
    cols = [c for c in DOSSIER_HEADERS if c not in ABSENT.get(q.label, ())]
    header = [VI_HEADERS[c] for c in cols] if vi else cols
    write_csv(folder / "dossiers.csv", header, [[_cell(d.values[c], vi) for c in cols] for d in q.dossiers], bom=vi)
    pcols = list(q.petitions[0])
    write_csv(folder / "complaints.csv", pcols, [[_cell(p[c], False) for c in pcols] for p in q.petitions])
    write_csv(folder / "index_evidence.csv", ["unit_id", "component", "numerator", "denominator"],
              [[r["unit_id"], r["component"], r["numerator"], r["denominator"]] for r in q.evidence])
    forms = []
    for unit in units:
        for k in range(rng.randint(0, 4)):
            day = q.start + timedelta(days=rng.randint(0, (q.end - q.start).days))
            forms.append([f"PDG-{unit.unit_id}-{q.label}-{k + 1}", rng.choice(("4", "5")), unit.unit_id,
                          f"{day.isoformat()} 10:00", rng.choice(("Rất hài lòng", "Hài lòng", "Hài lòng",
                                                                  "Không hài lòng"))])
    write_csv(folder / "surveys.csv", ["form_id", "form", "unit_id", "submitted_at", "satisfaction"], forms)
    counts = {"dossiers.csv": len(q.dossiers), "complaints.csv": len(q.petitions),
              "index_evidence.csv": len(q.evidence), "surveys.csv": len(forms)}
    if q.label == "2026-Q3":
        counts["portal_scores.json"] = _portal_json(folder / "portal_scores.json", q, units)
    if q.label == "2026-Q2":
        counts["portal_scores.csv"] = _portal_table(folder / "portal_scores.csv", q, units)
    return counts


def _unit_figures(q: Quarter, units: list[Unit], unit_id: str) -> tuple[dict, dict]:
    counts = reference_counts(q, units, None if unit_id == PROVINCE_ID else [unit_id])
    return counts, reference_points(counts)


def _change(q: Quarter, unit_id: str, code: str, counts: dict, pts: dict) -> None:
    change = PORTAL_CHANGES.get((q.label, unit_id, code))
    if change is None:
        return
    what, delta = change.split("+") if "+" in change else change.split("-")
    sign = 1 if "+" in change else -1
    spec = next(c for c in COMPONENTS if c[0] == code)
    if what == "numerator":
        num, den = counts[code]
        num = max(0, min(den, num + sign * int(delta)))
        counts[code] = (num, den)
        pts[code] = points(spec[3], num, den, spec[4], code in ("6.1", "6.2"))
    else:
        pts[code] = pts[code] + sign * Decimal(delta)


def _portal_json(path: Path, q: Quarter, units: list[Unit]) -> int:
    """The 2026-Q3 portal evaluation as saved from its pages: the province and its departments."""
    written = 0

    def groups(unit_id: str) -> tuple[list[dict], Decimal]:
        nonlocal written
        counts, pts = _unit_figures(q, units, unit_id)
        for code in pts:
            _change(q, unit_id, code, counts, pts)
        out, total = [], Decimal(0)
        for g, name in GROUP_NAMES.items():
            metrics, score = [], Decimal(0)
            for code, portal, group, maximum, _full in COMPONENTS:
                if group != g or counts.get(code) is None:
                    continue
                metric = {"code": portal, "numerator": counts[code][0], "denominator": counts[code][1],
                          "maxScore": maximum}
                if g != "5":  # the portal publishes group 5's points only as the group total
                    metric["score"] = float(pts[code])
                metrics.append(metric)
                score += pts[code]
                written += 1
            change = PORTAL_CHANGES.get((q.label, unit_id, f"g{g}"))
            if change:
                score += Decimal(change.split("+")[1])
            out.append({"code": g, "name": name, "score": float(score), "maxScore": sum(
                c[3] for c in COMPONENTS if c[2] == g), "metrics": metrics})
            total += score
            written += 1
        return out, total

    root_groups, root_total = groups(PROVINCE_ID)
    departments = []
    for unit in units:
        detail, total = groups(unit.unit_id)
        entry = {"code": unit.unit_id, "name": unit.name} if unit.level == "tinh" or int(unit.unit_id[1:]) % 4 else \
            {"name": unit.name}  # some communes only by name (matched through units.csv)
        departments.append({**entry, "score": float(total), "groupDetails": detail})
        written += 1
    data = {"code": PROVINCE_ID, "name": PROVINCE_NAME, "period": q.label, "score": float(root_total),
            "groups": root_groups, "departments": departments}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return written + 1


def _portal_table(path: Path, q: Quarter, units: list[Unit]) -> int:
    """The 2026-Q2 portal figures as a table: every unit's components, group totals and total."""
    rows = []
    for unit_id in [PROVINCE_ID] + [u.unit_id for u in units]:
        counts, pts = _unit_figures(q, units, unit_id)
        for code in pts:
            _change(q, unit_id, code, counts, pts)
        for code, _portal, _group, _max, _full in COMPONENTS:
            if code in pts:
                rows.append([unit_id, code, str(pts[code]).replace(".", ","), *counts[code]])
        total = sum(pts.values(), Decimal(0))
        change = PORTAL_CHANGES.get((q.label, unit_id, "total"))
        if change:
            total += Decimal(change.split("+")[1])
        rows.append([unit_id, "total", str(total).replace(".", ","), "", ""])
    rows.append(["X99", "2.1", "18,50", "", ""])   # a unit the province does not have
    rows.append(["S01", "1.4", "7,00", "", ""])    # above the component's maximum (6)
    write_csv(path, ["Mã đơn vị", "Mã chỉ tiêu", "Điểm", "Tử số", "Mẫu số"], rows, bom=True)
    return len(rows)


def write_units(path: Path, units: list[Unit]) -> None:
    write_csv(path, ["unit_id", "unit_name", "level", "e_certified_copy"],
              [[u.unit_id, u.name, u.level_label, "" if u.e_copy is None else ("1" if u.e_copy else "0")]
               for u in units])


def write_readme(path: Path, counts: dict[str, dict[str, int]]) -> None:
    lines = [
        "# Dữ liệu tổng hợp, minh họa: UBND tỉnh Mẫu (SYNTHETIC — không phải số liệu thật)",
        "",
        "Generated by `scripts/make_province_2025.py` (seed " + str(SEED) + "); do not edit by hand. Everything",
        "here is invented: the province, its 20 agencies and 60 communes, wards and special zones, dossiers,",
        "petitions, forms and the portal's figures. It exists to try the NĐ 118/2025 service index",
        "(`parameters/rules/nd118-2025.yaml`, `tthc.schemes.nd118`) on a post-reform, two-tier province.",
        "",
        "What it exercises: the v2 dossier columns (2025-Q3 without `data_store_linked` and",
        "`population_data_used`: 5.5 and 5.6 missing, index rescaled; 2026-Q1 with Vietnamese headers and",
        "day-first dates), petitions with `rated_unsatisfied` and `re_raised`, `index_evidence` (a `*` row for",
        "1.1–1.3; 3.2 and 4.2 with the denominator only for every third unit), `e_certified_copy` in units.csv,",
        "and the portal's figures for 2026-Q3 (`portal_scores.json`, the portal's JSON; group 5 as counts and a",
        "group total) and 2026-Q2 (`portal_scores.csv`). They match the script's reference computation except:",
        "",
    ]
    for (quarter, unit, code), change in sorted(PORTAL_CHANGES.items()):
        lines.append(f"- {quarter}, {unit}, {code}: {change}")
    lines += ["- 2026-Q2: a row for unit X99 (not in units.csv) and a score of 7 for S01's 1.4 (max 6).", "",
              "Rows per file:", "", "| file | rows |", "|---|---|"]
    for quarter, files in counts.items():
        for name, n in sorted(files.items()):
            lines.append(f"| `{quarter}/{name}` | {n} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the synthetic post-reform province data/tinh-mau.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--dossiers", type=int, help="a large export instead: about this many dossiers in ONE "
                        "quarter (--quarter), the same 80 units (for benchmarks)")
    parser.add_argument("--quarter", default="2025-Q4", choices=QUARTERS, help="the quarter of --dossiers")
    args = parser.parse_args(argv)
    make_province(args.out, args.dossiers, args.quarter)
    print(f"Wrote {args.out}")
    return 0


def make_province(out: Path, dossiers: int | None = None, quarter: str = "2025-Q4") -> None:
    """``data/tinh-mau`` (every quarter, 30–50 dossiers per unit), or with ``dossiers`` one quarter of about
    that many (each unit 0.8–1.2 × the mean; seeded, byte-deterministic like the sample)."""
    rng = random.Random(SEED)
    units = make_units(rng)
    out.mkdir(parents=True, exist_ok=True)
    write_units(out / "units.csv", units)
    counts = {}
    if dossiers is not None:
        mean = dossiers / len(units)
        q = make_quarter(quarter, units, rng, (round(0.8 * mean), round(1.2 * mean)))
        counts[quarter] = write_quarter(out / quarter, q, units, rng)
    else:
        for label in QUARTERS:
            q = make_quarter(label, units, rng)
            counts[label] = write_quarter(out / label, q, units, rng)
    write_readme(out / "README.md", counts)


if __name__ == "__main__":
    raise SystemExit(main())
