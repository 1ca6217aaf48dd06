#!/usr/bin/env python3
"""Generate the bundled sample data set ``data/dien-bien-dong`` (seeded and deterministic).

The sample imitates the one-stop system exports and evaluation records of Điện Biên Đông district
(province of Điện Biên) for the four quarters of 2021. Every unit has an explicit intended outcome per quarter
(:data:`PLANS`): the generator builds exactly that many late, on-due and early dossiers, extra contacts,
online dossiers, evidence values and complaints, scores the result with a small reference implementation
of TT 01/2018 under the default policies (:func:`grade`), and refuses to write anything that misses the
plan. Graded with the default policies, 2021-Q2 reproduces the counts of the district's real report:

* district level (13 units): 07 Xuất sắc, 05 Chưa phát sinh hồ sơ, 01 Trung bình;
* commune level (14 units): 07 Xuất sắc, 04 Tốt, 01 Trung bình, 02 Chưa thực hiện chấm điểm;

every official completes 100 % of the tasks and every surveyed citizen is satisfied. 2021-Q3 and 2021-Q4
continue the same timeline with a plausible drift (a few units move up or down a band, one falls two), for the
trend and the year (``tthc trend``, ``tthc year``); they were added later, without changing one byte of the
2021-Q1 and 2021-Q2 files: the later quarters' dossiers are received from 1 July 2021 and numbered after the
earlier ones, and the dossiers the first half left open are resolved (late) in the second.

The exports are taken the way an analyst would take them: each quarter's ``dossiers.xlsx`` holds the
dossiers received from the 15th of the month before the quarter (so the ``reporting_cutoff`` period policy
can be tried) up to the quarter's end, plus older dossiers still open then, as seen five days after the
quarter's end. Dossiers finished outside the quarter and dossiers still open are therefore present and
must be left out of the population by the engine.

Usage: ``python scripts/make_sample.py [--out DIR] [--quiet]``
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path

# openpyxl's own XML writer whether or not lxml is installed, as tthc pins it (same data, same bytes).
os.environ["OPENPYXL_LXML"] = "False"

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Font  # noqa: E402

SEED = 20210630
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "dien-bien-dong"
#: Fixed workbook properties and zip timestamps: the XLSX files are byte-reproducible.
XLSX_TIMESTAMP = datetime(2021, 7, 5, 8, 0, 0)

XS, TOT, KHA, TB, YEU = "Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"
NO_DOSSIER, NOT_SCORED = "Chưa phát sinh hồ sơ", "Chưa thực hiện chấm điểm"

# --------------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------------

#: Public holidays in the generated span (Bộ luật Lao động 2019; Tết Tân Sửu 10-16/02/2021;
#: 01/5/2021 fell on a Saturday and was compensated on Monday 03/5).
HOLIDAYS = frozenset(
    [date(2021, 1, 1), *(date(2021, 2, d) for d in range(10, 17))]
    + [date(2021, 4, 21), date(2021, 4, 30), date(2021, 5, 1), date(2021, 5, 3)]
    # Quốc khánh 02-03/9/2021; 01/01/2022 fell on a Saturday (Monday 03/01 off); Tết Nhâm Dần 31/01-04/02/2022
    + [date(2021, 9, 2), date(2021, 9, 3), date(2022, 1, 3), date(2022, 1, 31)]
    + [date(2022, 2, d) for d in range(1, 5)]
)


def is_workday(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def add_workdays(day: date, n: int) -> date:
    """The working day ``n`` working days after ``day`` (``n`` may be negative; 0 returns ``day``)."""
    step = 1 if n >= 0 else -1
    for _ in range(abs(n)):
        day += timedelta(days=step)
        while not is_workday(day):
            day += timedelta(days=step)
    return day


def workdays(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Period:
    name: str
    start: date
    end: date

    @property
    def export_from(self) -> date:
        """The 15th of the month before the quarter: the export also covers the reporting-cutoff period."""
        month = self.start.month - 1 or 12
        year = self.start.year if self.start.month > 1 else self.start.year - 1
        return date(year, month, 15)

    @property
    def snapshot(self) -> date:
        """The day the export was taken."""
        return self.end + timedelta(days=5)


Q1 = Period("2021-Q1", date(2021, 1, 1), date(2021, 3, 31))
Q2 = Period("2021-Q2", date(2021, 4, 1), date(2021, 6, 30))
QUARTERS = (Q1, Q2)
Q3 = Period("2021-Q3", date(2021, 7, 1), date(2021, 9, 30))
Q4 = Period("2021-Q4", date(2021, 10, 1), date(2021, 12, 31))
#: Quarters added after the first two; their dossiers are received from ``Q3.start`` (see ``extend_timeline``).
LATER = (Q3, Q4)
ALL_QUARTERS = QUARTERS + LATER

# --------------------------------------------------------------------------------------------------
# Units, catalogues, officials
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name: str
    level: str  # "huyen" or "xa"
    catalogue: str | None  # key of CATALOGUES; None: the unit resolves no procedure in the sample
    officials: int = 0  # officials at the desk who handle its dossiers
    people: str = "xa"  # key of NAME_MIX


UNITS = (
    Unit("H01", "Văn phòng HĐND-UBND", "huyen", "vp", 2, "huyen"),
    Unit("H02", "Phòng Nội vụ", "huyen", "noi_vu", 2, "huyen"),
    Unit("H03", "Phòng Tư pháp", "huyen", "tu_phap", 3, "huyen"),
    Unit("H04", "Phòng Tài chính - Kế hoạch", "huyen", "tckh", 2, "huyen"),
    Unit("H05", "Phòng Tài nguyên và Môi trường", "huyen", "tnmt", 3, "huyen"),
    Unit("H06", "Phòng Lao động - Thương binh và Xã hội", "huyen", "ldtbxh", 2, "huyen"),
    Unit("H07", "Phòng Văn hóa và Thông tin", "huyen", "vhtt", 2, "huyen"),
    Unit("H08", "Phòng Giáo dục và Đào tạo", "huyen", None),
    Unit("H09", "Phòng Y tế", "huyen", None),
    Unit("H10", "Thanh tra huyện", "huyen", None),
    Unit("H11", "Phòng Kinh tế và Hạ tầng", "huyen", "kthht", 2, "huyen"),
    Unit("H12", "Phòng Nông nghiệp và PTNT", "huyen", "nn", 2, "huyen"),
    Unit("H13", "Phòng Dân tộc", "huyen", None),
    Unit("X01", "UBND Thị trấn Điện Biên Đông", "xa", "xa", 4, "thi_tran"),
    Unit("X02", "UBND xã Na Son", "xa", "xa", 3),
    Unit("X03", "UBND xã Phì Nhừ", "xa", "xa", 3),
    Unit("X04", "UBND xã Chiềng Sơ", "xa", "xa", 3),
    Unit("X05", "UBND xã Mường Luân", "xa", "xa", 3),
    Unit("X06", "UBND xã Pú Nhi", "xa", "xa", 3),
    Unit("X07", "UBND xã Nong U", "xa", "xa", 2),
    Unit("X08", "UBND xã Xa Dung", "xa", "xa", 3),
    Unit("X09", "UBND xã Keo Lôm", "xa", "xa", 3),
    Unit("X10", "UBND xã Luân Giới", "xa", "xa", 2),
    Unit("X11", "UBND xã Phình Giàng", "xa", "xa", 2),
    Unit("X12", "UBND xã Pú Hồng", "xa", "xa", 2),
    Unit("X13", "UBND xã Tìa Dình", "xa", "xa", 2),
    Unit("X14", "UBND xã Háng Lìa", "xa", "xa", 2),
)
UNIT_BY_ID = {u.unit_id: u for u in UNITS}


@dataclass(frozen=True)
class Procedure:
    name: str
    days: int  # legal resolution time, working days
    weight: int  # relative frequency
    online: bool = False  # offered online at level 3/4


CERTIFY_COPY = (
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam cấp "
    "hoặc chứng nhận"
)
LAND_FIRST = "Cấp giấy chứng nhận quyền sử dụng đất lần đầu"

CATALOGUES: dict[str, tuple[Procedure, ...]] = {
    "xa": (
        Procedure(CERTIFY_COPY, 1, 38),
        Procedure("Chứng thực chữ ký trong các giấy tờ, văn bản", 1, 8),
        Procedure(
            "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất và nhà ở",
            2,
            3,
        ),
        Procedure("Đăng ký khai sinh", 1, 12, True),
        Procedure("Đăng ký kết hôn", 1, 4, True),
        Procedure("Đăng ký khai tử", 1, 3, True),
        Procedure("Cấp bản sao trích lục hộ tịch", 1, 3, True),
        Procedure("Cấp Giấy xác nhận tình trạng hôn nhân", 3, 6, True),
        Procedure("Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", 3, 2, True),
        Procedure("Đăng ký lại khai sinh", 5, 2),
        Procedure("Đăng ký nhận cha, mẹ, con", 3, 1),
        Procedure("Xác nhận hộ nghèo, hộ cận nghèo", 5, 3),
        Procedure("Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng", 15, 2),
        Procedure("Hòa giải tranh chấp đất đai", 30, 1),
    ),
    "tu_phap": (
        Procedure(CERTIFY_COPY, 1, 50),
        Procedure(
            "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của nước "
            "ngoài cấp",
            1,
            2,
        ),
        Procedure("Chứng thực chữ ký trong các giấy tờ, văn bản", 1, 10),
        Procedure("Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản", 2, 3),
        Procedure("Chứng thực văn bản thỏa thuận phân chia di sản mà di sản là động sản", 3, 1),
        Procedure("Thay đổi, cải chính, bổ sung hộ tịch, xác định lại dân tộc", 3, 4, True),
        Procedure("Cấp bản sao trích lục hộ tịch", 1, 3, True),
        Procedure("Đăng ký khai sinh có yếu tố nước ngoài", 15, 1),
        Procedure("Đăng ký kết hôn có yếu tố nước ngoài", 15, 1),
    ),
    "tckh": (
        Procedure("Đăng ký kinh doanh hộ cá thể", 3, 40, True),
        Procedure("Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", 3, 15, True),
        Procedure(
            "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh",
            3,
            5,
            True,
        ),
        Procedure("Chấm dứt hoạt động hộ kinh doanh", 3, 5, True),
        Procedure("Đăng ký thành lập hợp tác xã", 5, 3, True),
        Procedure("Thẩm tra, phê duyệt quyết toán vốn đầu tư dự án hoàn thành", 20, 2),
    ),
    "tnmt": (
        Procedure(LAND_FIRST, 30, 18),
        Procedure("Đăng ký biến động quyền sử dụng đất do chuyển nhượng, tặng cho, thừa kế", 10, 25),
        Procedure(
            "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền đối với hộ gia "
            "đình, cá nhân",
            15,
            10,
        ),
        Procedure("Tách thửa hoặc hợp thửa đất", 15, 8),
        Procedure("Cấp đổi Giấy chứng nhận quyền sử dụng đất", 7, 10),
        Procedure("Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất", 10, 4),
        Procedure("Đính chính Giấy chứng nhận đã cấp", 10, 3),
        Procedure("Xác nhận đăng ký kế hoạch bảo vệ môi trường", 10, 2),
    ),
    "ldtbxh": (
        Procedure(
            "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng, hỗ trợ kinh phí chăm sóc, nuôi "
            "dưỡng hàng tháng",
            10,
            40,
        ),
        Procedure("Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", 3, 15),
        Procedure("Trợ giúp xã hội khẩn cấp về hỗ trợ làm nhà ở, sửa chữa nhà ở", 10, 6),
        Procedure("Hỗ trợ học văn hóa, học nghề, trợ cấp khó khăn ban đầu cho nạn nhân bị mua bán", 10, 2),
    ),
    "kthht": (
        Procedure("Cấp giấy phép xây dựng nhà ở riêng lẻ", 15, 40),
        Procedure("Cấp giấy phép xây dựng sửa chữa, cải tạo công trình", 15, 8),
        Procedure("Cấp Giấy phép bán lẻ sản phẩm rượu", 10, 15, True),
        Procedure("Cấp Giấy phép bán lẻ sản phẩm thuốc lá", 10, 8, True),
    ),
    "nn": (
        Procedure("Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai, dịch bệnh", 10, 30),
        Procedure(
            "Hỗ trợ đầu tư xây dựng phát triển thủy lợi nhỏ, thủy lợi nội đồng và tưới tiên tiến, tiết kiệm "
            "nước",
            15,
            10,
        ),
    ),
    "noi_vu": (
        Procedure(
            "Thủ tục tặng Giấy khen của Chủ tịch UBND cấp huyện về thực hiện nhiệm vụ chính trị", 20, 30
        ),
        Procedure("Thủ tục tặng danh hiệu Lao động tiên tiến", 20, 10),
        Procedure(
            "Thủ tục thông báo danh mục hoạt động tôn giáo đối với tổ chức có địa bàn hoạt động tôn giáo ở "
            "nhiều xã thuộc một huyện",
            15,
            8,
        ),
    ),
    "vp": (
        Procedure("Thủ tục xử lý đơn tại cấp huyện", 10, 20),
        Procedure("Thủ tục cung cấp thông tin theo yêu cầu", 10, 5),
    ),
    "vhtt": (
        Procedure("Cấp Giấy phép kinh doanh dịch vụ karaoke", 5, 10, True),
        Procedure("Công nhận lần đầu danh hiệu Thôn, bản, tổ dân phố văn hóa", 5, 5),
    ),
}

#: Vietnamese names by community: (family names, male middle, female middle, male given, female given).
NAME_POOLS = {
    "kinh": (
        ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đỗ", "Vũ", "Đặng", "Ngô", "Đinh"),
        ("Văn", "Đức", "Mạnh", "Quang", "Xuân"),
        ("Thị", "Thu", "Thanh", "Ngọc", "Hồng"),
        ("Tuấn", "Hùng", "Dũng", "Cường", "Thắng", "Hiếu", "Long", "Sơn", "Trung", "Khánh"),
        ("Hằng", "Hương", "Hà", "Lan", "Thảo", "Huyền", "Nhung", "Yến", "Hạnh", "Trang"),
    ),
    "thai": (
        ("Lò", "Lường", "Quàng", "Cầm", "Tòng", "Vì", "Lù"),
        ("Văn",),
        ("Thị",),
        ("Ún", "Pâng", "Thanh", "Biên", "Xôm", "Ngoan", "Chiến", "Hặc"),
        ("Xuân", "Hoa", "Phương", "Ánh", "Én", "Thoa", "Ngân"),
    ),
    "hmong": (
        ("Giàng", "Vừ", "Sùng", "Mùa", "Lầu", "Thào", "Hạng", "Lý", "Vàng", "Cứ", "Chá"),
        ("A",),
        ("Thị",),
        ("Dính", "Lử", "Sếnh", "Chứ", "Pó", "Tủa", "Dế", "Chống", "Sử", "Páo"),
        ("Mỷ", "Dợ", "Súa", "Chía", "Pàng", "Mai", "Dua"),
    ),
}
#: Which communities a unit's officials come from (weights).
NAME_MIX = {
    "huyen": (("kinh", 6), ("thai", 3), ("hmong", 1)),
    "thi_tran": (("kinh", 5), ("thai", 3), ("hmong", 2)),
    "xa": (("kinh", 2), ("thai", 3), ("hmong", 5)),
}
#: Share of the unit's dossiers each official handles (integer weights, biggest first).
OFFICIAL_WEIGHTS = {1: (1,), 2: (3, 2), 3: (5, 3, 2), 4: (4, 3, 2, 1)}
RESERVED_NAMES = {"Bùi Ngọc La"}  # the district chairman, who signs the report
APPRAISER = "Đỗ Thị Hồng Nhung (Văn phòng HĐND-UBND huyện)"


def make_officials() -> dict[str, list[str]]:
    """Two to four officials per unit that resolves procedures; names unique across the district."""
    taken = set(RESERVED_NAMES)
    result: dict[str, list[str]] = {}
    for unit in UNITS:
        rng = random.Random(f"{SEED}-officials-{unit.unit_id}")
        names: list[str] = []
        while len(names) < unit.officials:
            pools, weights = zip(*NAME_MIX[unit.people], strict=True)
            family, male_mid, female_mid, male, female = NAME_POOLS[rng.choices(pools, weights)[0]]
            if rng.random() < 0.5:
                name = f"{rng.choice(family)} {rng.choice(male_mid)} {rng.choice(male)}"
            else:
                name = f"{rng.choice(family)} {rng.choice(female_mid)} {rng.choice(female)}"
            if name not in taken:
                taken.add(name)
                names.append(name)
        result[unit.unit_id] = names
    return result


# --------------------------------------------------------------------------------------------------
# Intended outcomes
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """The appraiser's evidence for indicators 5, 6 and 9 (unit_evidence.csv)."""

    desk_full: float  # share of the catalogue the desk itself receives, appraises and approves
    desk: float  # share of non-exempt procedures received and returned at the desk
    posted: bool
    electronic: bool
    dvc34: float  # share of eligible procedures online at level 3/4
    note: str = ""


@dataclass(frozen=True)
class Plan:
    """The intended outcome of one unit in one quarter.

    Shares are of the population (dossiers finished in the quarter) and turn into exact counts.
    ``contact1``: one extra contact caused by the agency (indicator 3 gives 1); ``contact2``: two or more
    (0); ``applicant``: an extra contact the applicant caused (2). Every dossier with an extra contact
    involved one agency (the desk, indicator 4 gives 1); ``agency2`` of them also a second one (0).
    """

    result: str
    evidence: Evidence
    n: int = 0
    late: float = 0.0
    on_due: float = 0.0
    contact1: float = 0.0
    contact2: float = 0.0
    applicant: float = 0.0
    agency2: float = 0.0
    online: float = 0.0
    postal: float = 0.0
    submits: bool = True
    #: self-assessment minus appraisal, per indicator (plausible optimism)
    bias: dict[int, float] = field(default_factory=dict)
    dissatisfied: int = 0  # survey forms answering "Không hài lòng"

    def count(self, share: float) -> int:
        return int(share * self.n + 0.5)


def ev(full: float, desk: float, posted: bool, electronic: bool, dvc34: float, note: str = "") -> Evidence:
    return Evidence(full, desk, posted, electronic, dvc34, note)


NOT_PUBLISHED_ONLINE = "Chưa cập nhật TTHC trên Trang thông tin điện tử"
DESK_INCOMPLETE = "Một số hồ sơ tiếp nhận tại phòng chuyên môn, không qua Bộ phận Một cửa"

PLANS: dict[str, dict[str, Plan]] = {
    "2021-Q2": {
        # district: 7 Xuất sắc, 5 without dossiers, 1 Trung bình
        "H01": Plan(XS, ev(1.0, 1.0, True, True, 0.0), n=6),
        "H02": Plan(XS, ev(0.8, 1.0, True, True, 0.0), n=9),
        "H03": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=170, late=0.01, on_due=0.02, contact1=0.03,
                    applicant=0.02, online=0.02, bias={3: 0.1}),
        "H04": Plan(XS, ev(0.7, 1.0, True, True, 0.5), n=36, on_due=0.03, contact1=0.06, applicant=0.03,
                    online=0.22),
        "H05": Plan(TB, ev(0.3, 0.9, True, True, 0.1, DESK_INCOMPLETE), n=130, late=0.40, on_due=0.15,
                    contact1=0.32, contact2=0.12, applicant=0.04, agency2=0.15, postal=0.05,
                    bias={1: 0.4, 2: 0.4, 7: 0.4, 3: 0.2, 5: 1.0, 8: 2.0}),
        "H06": Plan(XS, ev(0.6, 1.0, True, True, 0.0), n=45, late=0.02, on_due=0.04, contact1=0.04),
        "H07": Plan(NO_DOSSIER, ev(0.6, 1.0, True, True, 0.2)),
        "H08": Plan(NO_DOSSIER, ev(0.6, 1.0, True, True, 0.1)),
        "H09": Plan(NO_DOSSIER, ev(0.6, 1.0, True, True, 0.1)),
        "H10": Plan(NO_DOSSIER, ev(1.0, 1.0, True, True, 0.0)),
        "H11": Plan(XS, ev(0.6, 1.0, True, True, 0.2), n=22, on_due=0.05, contact1=0.05, applicant=0.05,
                    online=0.05, bias={1: 0.1}),
        "H12": Plan(XS, ev(0.55, 1.0, True, True, 0.0), n=11),
        "H13": Plan(NO_DOSSIER, ev(1.0, 1.0, True, True, 0.0)),
        # communes: 7 Xuất sắc, 4 Tốt, 1 Trung bình, 2 without a self-assessment
        "X01": Plan(XS, ev(1.0, 1.0, True, True, 0.3), n=150, late=0.01, on_due=0.03, contact1=0.03,
                    applicant=0.02, online=0.17),
        "X02": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=90, late=0.01, on_due=0.02, contact1=0.02,
                    applicant=0.01, online=0.02),
        "X03": Plan(TOT, ev(1.0, 1.0, True, True, 0.1), n=80, late=0.04, on_due=0.05, contact1=0.08,
                    applicant=0.02, online=0.01, bias={8: 2.0}),
        "X04": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=75, on_due=0.03, contact1=0.04, online=0.01),
        "X05": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=85, late=0.01, on_due=0.02, contact1=0.02,
                    applicant=0.02, bias={1: 0.1, 7: 0.1}),
        "X06": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=95, late=0.01, on_due=0.03, contact1=0.03,
                    online=0.02),
        "X07": Plan(TOT, ev(0.8, 1.0, True, True, 0.1), n=65, late=0.09, on_due=0.08, contact1=0.12,
                    contact2=0.03, applicant=0.03, bias={3: 0.1, 5: 1.0}),
        "X08": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=70, on_due=0.03, contact1=0.03, applicant=0.01),
        "X09": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=80, late=0.01, on_due=0.03, contact1=0.02,
                    applicant=0.02, online=0.01),
        "X10": Plan(TOT, ev(1.0, 1.0, True, False, 0.1, NOT_PUBLISHED_ONLINE), n=60, late=0.06, on_due=0.06,
                    contact1=0.10, contact2=0.02, applicant=0.02, bias={6: 1.0}),
        "X11": Plan(TB, ev(0.6, 0.85, True, False, 0.0, DESK_INCOMPLETE), n=50, late=0.30, on_due=0.20,
                    contact1=0.30, contact2=0.10, applicant=0.04, agency2=0.06,
                    bias={1: 0.3, 2: 0.3, 7: 0.3, 5: 1.0, 8: 2.0}),
        "X12": Plan(TOT, ev(1.0, 1.0, True, True, 0.1), n=55, late=0.03, on_due=0.04, contact1=0.05,
                    applicant=0.02, bias={8: 1.0}),
        "X13": Plan(NOT_SCORED, ev(0.9, 1.0, True, False, 0.0), n=40, late=0.05, on_due=0.08, contact1=0.08,
                    submits=False),
        "X14": Plan(NOT_SCORED, ev(0.8, 1.0, True, False, 0.0), n=35, late=0.06, on_due=0.06, contact1=0.09,
                    contact2=0.03, submits=False),
    },
    "2021-Q1": {
        # district: 6 Xuất sắc, 2 Tốt, 1 Khá, 4 without dossiers
        "H01": Plan(XS, ev(1.0, 1.0, True, True, 0.0), n=4),
        "H02": Plan(XS, ev(0.8, 1.0, True, True, 0.0), n=7),
        "H03": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=150, late=0.01, on_due=0.03, contact1=0.03,
                    applicant=0.01, online=0.01),
        "H04": Plan(TOT, ev(0.4, 1.0, True, True, 0.5), n=30, late=0.07, on_due=0.07, contact1=0.10,
                    applicant=0.03, online=0.10, bias={1: 0.1, 5: 1.0}),
        "H05": Plan(KHA, ev(0.3, 1.0, True, False, 0.1, NOT_PUBLISHED_ONLINE), n=115, late=0.30, on_due=0.15,
                    contact1=0.25,
                    contact2=0.08, applicant=0.04, agency2=0.10, postal=0.04, bias={1: 0.3, 7: 0.3},
                    dissatisfied=2),
        "H06": Plan(XS, ev(0.6, 1.0, True, True, 0.0), n=52, late=0.02, on_due=0.02, contact1=0.04),
        "H07": Plan(XS, ev(0.6, 1.0, True, True, 0.2), n=1),
        "H08": Plan(NO_DOSSIER, ev(0.6, 1.0, True, True, 0.1)),
        "H09": Plan(NO_DOSSIER, ev(0.6, 1.0, True, True, 0.1)),
        "H10": Plan(NO_DOSSIER, ev(1.0, 1.0, True, True, 0.0)),
        "H11": Plan(TOT, ev(0.6, 1.0, True, False, 0.2, NOT_PUBLISHED_ONLINE), n=18, late=0.06, on_due=0.06,
                    contact1=0.11, online=0.05),
        "H12": Plan(XS, ev(0.55, 1.0, True, True, 0.0), n=14),
        "H13": Plan(NO_DOSSIER, ev(1.0, 1.0, True, True, 0.0)),
        # communes: 5 Xuất sắc, 5 Tốt, 2 Khá, 1 Yếu, 1 without a self-assessment
        "X01": Plan(XS, ev(1.0, 1.0, True, True, 0.3), n=140, late=0.01, on_due=0.03, contact1=0.04,
                    applicant=0.01, online=0.12),
        "X02": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=80, on_due=0.03, contact1=0.03, online=0.01),
        "X03": Plan(TOT, ev(0.8, 1.0, True, True, 0.1), n=70, late=0.04, on_due=0.06, contact1=0.07,
                    applicant=0.03, bias={5: 1.0}),
        "X04": Plan(TOT, ev(1.0, 1.0, True, False, 0.1, NOT_PUBLISHED_ONLINE), n=65, late=0.05, on_due=0.05,
                    contact1=0.08, applicant=0.02),
        "X05": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=75, late=0.01, on_due=0.03, contact1=0.03),
        "X06": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=85, on_due=0.02, contact1=0.02, applicant=0.01),
        "X07": Plan(KHA, ev(0.8, 1.0, True, True, 0.1), n=55, late=0.15, on_due=0.12, contact1=0.16,
                    contact2=0.05, applicant=0.04, agency2=0.04, bias={1: 0.2, 2: 0.2, 7: 0.2, 8: 2.0},
                    dissatisfied=1),
        "X08": Plan(TOT, ev(0.7, 1.0, True, True, 0.1), n=60, late=0.03, on_due=0.05, contact1=0.05),
        "X09": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=70, late=0.01, on_due=0.03, contact1=0.03),
        "X10": Plan(TOT, ev(0.8, 1.0, True, True, 0.1), n=52, late=0.08, on_due=0.08, contact1=0.10,
                    contact2=0.02, applicant=0.02, bias={1: 0.1}),
        "X11": Plan(YEU, ev(0.6, 0.8, False, False, 0.0, DESK_INCOMPLETE), n=45, late=0.50, on_due=0.20,
                    contact1=0.40, contact2=0.20, applicant=0.04, agency2=0.10, bias={1: 0.5, 3: 0.5, 6: 1.0},
                    dissatisfied=2),
        "X12": Plan(TOT, ev(0.9, 1.0, True, True, 0.1), n=50, late=0.07, on_due=0.07, contact1=0.08,
                    applicant=0.02),
        "X13": Plan(KHA, ev(0.9, 1.0, True, False, 0.0), n=36, late=0.28, on_due=0.14, contact1=0.20,
                    contact2=0.05, bias={7: 0.1, 6: 1.0}),
        "X14": Plan(NOT_SCORED, ev(0.8, 1.0, True, False, 0.0), n=30, late=0.07, on_due=0.07, contact1=0.10,
                    submits=False),
    },
    "2021-Q3": {
        # drift: H04 falls to Tốt, H05 rises to Khá, H07 has dossiers again; X03 rises to Xuất sắc,
        # X11 falls to Yếu, X13 submits its self-assessment (Tốt)
        "H01": Plan(XS, ev(1.0, 1.0, True, True, 0.0), n=5),
        "H02": Plan(XS, ev(0.8, 1.0, True, True, 0.0), n=8),
        "H03": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=160, late=0.01, on_due=0.02, contact1=0.03,
                    applicant=0.02, online=0.03),
        "H04": Plan(TOT, ev(0.4, 1.0, True, True, 0.5), n=34, late=0.09, on_due=0.06, contact1=0.09,
                    applicant=0.03, online=0.12, bias={1: 0.2, 5: 1.0}),
        "H05": Plan(KHA, ev(0.3, 1.0, True, True, 0.1), n=120, late=0.20, on_due=0.15, contact1=0.20,
                    contact2=0.05, applicant=0.03, agency2=0.05, postal=0.04, bias={1: 0.2, 8: 2.0}),
        "H06": Plan(XS, ev(0.6, 1.0, True, True, 0.0), n=48, late=0.02, on_due=0.04, contact1=0.04),
        "H07": Plan(XS, ev(0.6, 1.0, True, True, 0.2), n=8, late=0.13),
        "H08": Plan(NO_DOSSIER, ev(0.6, 1.0, True, True, 0.1)),
        "H09": Plan(NO_DOSSIER, ev(0.6, 1.0, True, True, 0.1)),
        "H10": Plan(NO_DOSSIER, ev(1.0, 1.0, True, True, 0.0)),
        "H11": Plan(XS, ev(0.6, 1.0, True, True, 0.2), n=24, on_due=0.04, contact1=0.04, applicant=0.04,
                    online=0.08),
        "H12": Plan(XS, ev(0.55, 1.0, True, True, 0.0), n=12),
        "H13": Plan(NO_DOSSIER, ev(1.0, 1.0, True, True, 0.0)),
        "X01": Plan(XS, ev(1.0, 1.0, True, True, 0.3), n=155, late=0.01, on_due=0.03, contact1=0.03,
                    applicant=0.02, online=0.18),
        "X02": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=88, late=0.01, on_due=0.02, contact1=0.02,
                    applicant=0.01, online=0.02),
        "X03": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=82, late=0.01, on_due=0.03, contact1=0.03,
                    applicant=0.02, online=0.02),
        "X04": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=78, on_due=0.03, contact1=0.04, online=0.01),
        "X05": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=86, late=0.01, on_due=0.02, contact1=0.02,
                    applicant=0.02, bias={1: 0.1}),
        "X06": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=92, late=0.01, on_due=0.03, contact1=0.03,
                    online=0.02),
        "X07": Plan(TOT, ev(0.8, 1.0, True, True, 0.1), n=62, late=0.08, on_due=0.08, contact1=0.11,
                    contact2=0.03, applicant=0.03, bias={3: 0.1, 5: 1.0}),
        "X08": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=72, on_due=0.03, contact1=0.03, applicant=0.01),
        "X09": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=78, late=0.01, on_due=0.03, contact1=0.02,
                    applicant=0.02, online=0.01),
        "X10": Plan(TOT, ev(1.0, 1.0, True, False, 0.1, NOT_PUBLISHED_ONLINE), n=58, late=0.06, on_due=0.06,
                    contact1=0.10, contact2=0.02, applicant=0.02, bias={6: 1.0}),
        "X11": Plan(YEU, ev(0.6, 0.8, True, False, 0.0, DESK_INCOMPLETE), n=48, late=0.58, on_due=0.20,
                    contact1=0.40, contact2=0.20, applicant=0.04, agency2=0.10,
                    bias={1: 0.5, 2: 0.5, 7: 0.5, 5: 1.0, 8: 2.0}, dissatisfied=2),
        "X12": Plan(TOT, ev(1.0, 1.0, True, True, 0.1), n=54, late=0.03, on_due=0.04, contact1=0.05,
                    applicant=0.02, bias={8: 1.0}),
        "X13": Plan(TOT, ev(0.9, 1.0, True, False, 0.0), n=42, late=0.05, on_due=0.07, contact1=0.07,
                    bias={6: 1.0}),
        "X14": Plan(NOT_SCORED, ev(0.8, 1.0, True, False, 0.0), n=33, late=0.06, on_due=0.06, contact1=0.09,
                    contact2=0.03, submits=False),
    },
    "2021-Q4": {
        # drift: H04 back to Xuất sắc; X07 falls to Khá, X11 rises to Trung bình, X12 falls two bands to
        # Trung bình (late answers, a prolonged petition, a dissatisfied citizen)
        "H01": Plan(XS, ev(1.0, 1.0, True, True, 0.0), n=7),
        "H02": Plan(XS, ev(0.8, 1.0, True, True, 0.0), n=12),
        "H03": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=175, late=0.01, on_due=0.02, contact1=0.03,
                    applicant=0.02, online=0.03),
        "H04": Plan(XS, ev(0.7, 1.0, True, True, 0.5), n=40, on_due=0.03, contact1=0.05, applicant=0.03,
                    online=0.25),
        "H05": Plan(KHA, ev(0.3, 1.0, True, True, 0.1), n=135, late=0.18, on_due=0.15, contact1=0.20,
                    contact2=0.05, applicant=0.03, agency2=0.05, postal=0.04, bias={1: 0.2, 8: 2.0}),
        "H06": Plan(XS, ev(0.6, 1.0, True, True, 0.0), n=55, late=0.02, on_due=0.04, contact1=0.04),
        "H07": Plan(XS, ev(0.6, 1.0, True, True, 0.2), n=4),
        "H08": Plan(NO_DOSSIER, ev(0.6, 1.0, True, True, 0.1)),
        "H09": Plan(NO_DOSSIER, ev(0.6, 1.0, True, True, 0.1)),
        "H10": Plan(NO_DOSSIER, ev(1.0, 1.0, True, True, 0.0)),
        "H11": Plan(XS, ev(0.6, 1.0, True, True, 0.2), n=26, on_due=0.04, contact1=0.04, applicant=0.04,
                    online=0.08),
        "H12": Plan(XS, ev(0.55, 1.0, True, True, 0.0), n=15),
        "H13": Plan(NO_DOSSIER, ev(1.0, 1.0, True, True, 0.0)),
        "X01": Plan(XS, ev(1.0, 1.0, True, True, 0.3), n=170, late=0.01, on_due=0.03, contact1=0.03,
                    applicant=0.02, online=0.20),
        "X02": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=95, late=0.01, on_due=0.02, contact1=0.02,
                    applicant=0.01, online=0.02),
        "X03": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=85, late=0.01, on_due=0.03, contact1=0.03,
                    applicant=0.02, online=0.02),
        "X04": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=80, on_due=0.03, contact1=0.04, online=0.01),
        "X05": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=90, late=0.01, on_due=0.02, contact1=0.02,
                    applicant=0.02),
        "X06": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=100, late=0.01, on_due=0.03, contact1=0.03,
                    online=0.02),
        "X07": Plan(KHA, ev(0.8, 1.0, True, True, 0.1), n=60, late=0.16, on_due=0.12, contact1=0.16,
                    contact2=0.05, applicant=0.04, agency2=0.04, bias={1: 0.2, 2: 0.2, 7: 0.2, 8: 2.0}),
        "X08": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=75, on_due=0.03, contact1=0.03, applicant=0.01),
        "X09": Plan(XS, ev(1.0, 1.0, True, True, 0.1), n=82, late=0.01, on_due=0.03, contact1=0.02,
                    applicant=0.02, online=0.01),
        "X10": Plan(TOT, ev(1.0, 1.0, True, False, 0.1, NOT_PUBLISHED_ONLINE), n=62, late=0.06, on_due=0.06,
                    contact1=0.10, contact2=0.02, applicant=0.02, bias={6: 1.0}),
        "X11": Plan(TB, ev(0.6, 0.9, True, False, 0.0, DESK_INCOMPLETE), n=52, late=0.48, on_due=0.20,
                    contact1=0.30, contact2=0.10, applicant=0.04, agency2=0.06,
                    bias={1: 0.3, 2: 0.3, 7: 0.3, 5: 1.0, 8: 2.0}),
        "X12": Plan(TB, ev(1.0, 0.9, True, False, 0.1, DESK_INCOMPLETE), n=58, late=0.30, on_due=0.15,
                    contact1=0.20, contact2=0.08, applicant=0.02, agency2=0.05,
                    bias={1: 0.3, 2: 0.3, 7: 0.3, 5: 1.0, 6: 1.0, 8: 2.0}, dissatisfied=1),
        "X13": Plan(TOT, ev(0.9, 1.0, True, False, 0.0), n=45, late=0.05, on_due=0.07, contact1=0.07,
                    bias={6: 1.0}),
        "X14": Plan(NOT_SCORED, ev(0.8, 1.0, True, False, 0.0), n=36, late=0.06, on_due=0.06, contact1=0.09,
                    contact2=0.03, submits=False),
    },
}


@dataclass(frozen=True)
class ComplaintPlan:
    unit_id: str
    kind: str  # "Phản ánh" or "Kiến nghị"
    outcome: str  # "on_time", "late", "prolonged" (answered on time, but kéo dài), "pending" (not yet due)
    summary: str
    #: the dossier it concerns: "early" / "late" (its timing), "contacts" (two or more extra contacts
    #: caused by the agency) or None (no dossier)
    link: str | None = None
    about_conduct: bool = False
    verified_untrue: bool = False


COMPLAINTS: dict[str, tuple[ComplaintPlan, ...]] = {
    "2021-Q2": (
        ComplaintPlan("H03", "Kiến nghị", "on_time",
                      "Đề nghị bố trí thêm công chức chứng thực vào sáng thứ Hai hằng tuần"),
        ComplaintPlan("H05", "Kiến nghị", "late",
                      "Chậm cấp Giấy chứng nhận quyền sử dụng đất lần đầu so với giấy hẹn", link="late"),
        ComplaintPlan("H05", "Phản ánh", "on_time",
                      "Phải đi lại bổ sung hồ sơ đất đai nhiều lần", link="contacts"),
        ComplaintPlan("X01", "Kiến nghị", "on_time",
                      "Đề nghị niêm yết mức lệ phí chứng thực tại Bộ phận Một cửa"),
        ComplaintPlan("X01", "Phản ánh", "pending", "Đề nghị hướng dẫn đăng ký khai sinh trực tuyến"),
        ComplaintPlan("X03", "Kiến nghị", "late", "Chậm trả kết quả chứng thực hợp đồng", link="late"),
        ComplaintPlan("X05", "Phản ánh", "on_time",
                      "Phản ánh công chức tư pháp - hộ tịch gây khó khăn, yêu cầu nộp thêm giấy tờ ngoài "
                      "quy định; xác minh: người phản ánh nộp thiếu tờ khai, nội dung phản ánh không đúng "
                      "sự thật",
                      link="early", about_conduct=True, verified_untrue=True),
        ComplaintPlan("X11", "Phản ánh", "late",
                      "Bộ phận Một cửa không có người trực vào buổi chiều", link="late"),
        ComplaintPlan("X12", "Kiến nghị", "prolonged",
                      "Kiến nghị nhiều lần về việc hòa giải tranh chấp ranh giới đất nương giữa hai hộ"),
    ),
    "2021-Q1": (
        ComplaintPlan("H04", "Kiến nghị", "on_time", "Đề nghị hướng dẫn đăng ký hộ kinh doanh qua mạng"),
        ComplaintPlan("H05", "Phản ánh", "on_time", "Chậm đăng ký biến động quyền sử dụng đất", link="late"),
        ComplaintPlan("X07", "Phản ánh", "late", "Chậm xác nhận hộ nghèo, hộ cận nghèo", link="late"),
        ComplaintPlan("X11", "Kiến nghị", "late",
                      "Đề nghị niêm yết công khai thủ tục hành chính tại Bộ phận Một cửa"),
        ComplaintPlan("X13", "Phản ánh", "on_time",
                      "Phản ánh công chức tư pháp - hộ tịch hẹn trả nhiều lần và có thái độ thiếu tôn trọng; "
                      "xác minh: phản ánh đúng, đã kiểm điểm công chức",
                      link="early", about_conduct=True),
    ),
    "2021-Q3": (
        ComplaintPlan("H05", "Kiến nghị", "late",
                      "Chậm chỉnh lý biến động đất đai sau khi chuyển nhượng", link="late"),
        ComplaintPlan("X03", "Kiến nghị", "on_time", "Đề nghị bố trí ghế chờ tại Bộ phận Một cửa"),
        ComplaintPlan("X07", "Phản ánh", "pending", "Đề nghị hướng dẫn cấp bản sao trích lục hộ tịch trực tuyến"),
        ComplaintPlan("X11", "Phản ánh", "late", "Hẹn trả kết quả xác nhận hộ nghèo nhiều lần", link="late"),
        ComplaintPlan("X11", "Kiến nghị", "late", "Bộ phận Một cửa đóng cửa sớm vào chiều thứ Sáu"),
        ComplaintPlan("X12", "Kiến nghị", "late", "Đề nghị niêm yết số điện thoại đường dây nóng"),
    ),
    "2021-Q4": (
        ComplaintPlan("H04", "Kiến nghị", "on_time", "Đề nghị hướng dẫn tạm ngừng kinh doanh qua mạng"),
        ComplaintPlan("H05", "Phản ánh", "late", "Chậm cấp Giấy chứng nhận quyền sử dụng đất lần đầu", link="late"),
        ComplaintPlan("X05", "Phản ánh", "on_time",
                      "Phản ánh công chức văn hóa - xã hội có thái độ thiếu hòa nhã khi hướng dẫn hồ sơ trợ cấp; "
                      "xác minh: phản ánh đúng, đã nhắc nhở công chức",
                      link="early", about_conduct=True),
        ComplaintPlan("X07", "Phản ánh", "late", "Chậm trả kết quả chứng thực hợp đồng", link="late"),
        ComplaintPlan("X11", "Kiến nghị", "on_time", "Đề nghị bố trí công chức trực vào buổi chiều"),
        ComplaintPlan("X12", "Kiến nghị", "prolonged",
                      "Kiến nghị nhiều lần về việc hòa giải tranh chấp lối đi chung giữa hai hộ"),
        ComplaintPlan("X12", "Phản ánh", "late", "Chậm đăng ký khai sinh cho con", link="late"),
    ),
}

#: Inter-agency dossiers with per-unit steps:
#: (lead unit, procedure, one coordinating commune per dossier, communes whose step is late).
STEPS_PLAN = {
    "2021-Q2": ("H05", LAND_FIRST, ("X02", "X05", "X02", "X06"), ()),
    "2021-Q1": ("H05", LAND_FIRST, ("X05", "X07", "X09"), ("X07",)),
    "2021-Q3": ("H05", LAND_FIRST, ("X04", "X08"), ()),
    "2021-Q4": ("H05", LAND_FIRST, ("X03", "X06", "X10"), ("X10",)),
}
#: Open dossiers already past due at the quarter's end (left out under the default population policy).
#: (The later quarters first resolve, late, every dossier left open before them: ``extend_timeline``.)
OVERDUE_OPEN = {"2021-Q2": {"H05": 2, "X11": 1}, "2021-Q1": {"H05": 1}, "2021-Q3": {"X11": 2},
                "2021-Q4": {"H05": 1}}
SELF_SUBMITTED = {"2021-Q2": date(2021, 6, 18), "2021-Q1": date(2021, 3, 19), "2021-Q3": date(2021, 9, 17),
                  "2021-Q4": date(2021, 12, 17)}

# --------------------------------------------------------------------------------------------------
# Dossiers
# --------------------------------------------------------------------------------------------------


@dataclass
class Dossier:
    unit_id: str
    procedure: Procedure
    received: datetime
    due: datetime
    finished: datetime | None
    official: str
    timing: str = "early"  # intended: early / on / late
    channel: str = "truc_tiep"
    contacts: int = 0
    contacts_applicant: int = 0
    agencies: int = 0
    dossier_id: str = ""


CHANNEL_LABELS = {"truc_tiep": "Trực tiếp", "truc_tuyen": "Trực tuyến", "bcci": "Bưu chính công ích"}


def office_time(rng: random.Random) -> time:
    """A time of day during office hours (07:30-11:30, 13:30-16:55), five-minute steps."""
    morning = rng.random() < 0.6
    minutes = 7 * 60 + 30 + 5 * rng.randrange(49) if morning else 13 * 60 + 30 + 5 * rng.randrange(42)
    return time(minutes // 60, minutes % 60)


def later_same_day(start: datetime, rng: random.Random) -> datetime:
    """A time later the same day (a dossier resolved on the day it was received)."""
    return min(start + timedelta(minutes=20 + 5 * rng.randrange(30)), start.replace(hour=17, minute=30))


def timed(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, office_time(rng))


def schedule(proc: Procedure, finish_day: date, timing: str, rng: random.Random) -> tuple[datetime, ...]:
    """Received, due and finished datetimes of a dossier finished on ``finish_day`` with the given timing.

    The due date is the received date plus the legal time in working days (same clock time, as the
    one-stop software computes it); times compare by calendar date.
    """
    if timing == "early":
        elapsed = rng.randrange(proc.days)
        received_day = add_workdays(finish_day, -elapsed)
    elif timing == "on":
        received_day = add_workdays(finish_day, -proc.days)
    else:
        overrun = rng.randint(1, min(10, max(2, proc.days)))
        received_day = add_workdays(finish_day, -overrun - proc.days)
    received = timed(received_day, rng)
    due = datetime.combine(add_workdays(received_day, proc.days), received.time())
    finished = later_same_day(received, rng) if received_day == finish_day else timed(finish_day, rng)
    return received, due, finished


def smooth_sequence(weights: tuple[int, ...], n: int) -> list[int]:
    """Smooth weighted round robin: ``n`` official indices, each official's turns spread evenly."""
    credit = [0] * len(weights)
    total = sum(weights)
    sequence = []
    for _ in range(n):
        for j, w in enumerate(weights):
            credit[j] += w
        best = max(range(len(weights)), key=lambda j: (credit[j], -j))
        credit[best] -= total
        sequence.append(best)
    return sequence


def pick_procedure(catalogue: tuple[Procedure, ...], rng: random.Random, online: bool = False) -> Procedure:
    choices = [p for p in catalogue if p.online] if online else list(catalogue)
    return rng.choices(choices, [p.weight for p in choices])[0]


def build_population(unit: Unit, plan: Plan, period: Period, officials: list[str], held: Counter | None = None,
                     not_before: date | None = None) -> list[Dossier]:
    """The unit's dossiers finished in the quarter, with exactly the plan's counts.

    Timing and contact categories are dealt to the officials in proportion (a smooth round robin over
    sorted categories), so that every official's average is close to the unit's. ``held``: what the
    dossiers already in the timeline that finish in the quarter contribute (``carried_into``), taken off
    the plan's counts; ``not_before``: no dossier is received before that day.
    """
    rng = random.Random(f"{SEED}-{period.name}-{unit.unit_id}")
    held = held or Counter()

    def count(share: float, key: str) -> int:
        return max(0, plan.count(share) - held[key])

    n = plan.n - held["total"]
    n_late, n_on = count(plan.late, "late"), count(plan.on_due, "on")
    timing = ["late"] * n_late + ["on"] * n_on + ["early"] * (n - n_late - n_on)
    n_two, n_one, n_app = count(plan.contact2, "two"), count(plan.contact1, "one"), count(plan.applicant, "applicant")
    contacts = ["two"] * n_two + ["one"] * n_one + ["applicant"] * n_app
    contacts += ["none"] * (n - len(contacts))
    weights = OFFICIAL_WEIGHTS[min(len(officials), 4)]
    sequence = smooth_sequence(weights, n)
    slots_of: dict[int, list[int]] = defaultdict(list)
    for i, j in enumerate(sequence):
        slots_of[j].append(i)
    for slots in slots_of.values():  # decorrelate timing and contacts within each official
        values = [contacts[i] for i in slots]
        rng.shuffle(values)
        for i, value in zip(slots, values, strict=True):
            contacts[i] = value
    catalogue = CATALOGUES[unit.catalogue or ""]
    procedures = [pick_procedure(catalogue, rng) for _ in range(n)]
    # online dossiers: early ones only (an online dossier late or unresolved would cost indicator 9)
    n_online = count(plan.online, "online")
    early = [i for i in range(n) if timing[i] == "early"]
    rng.shuffle(early)
    early.sort(key=lambda i: not procedures[i].online)
    online = set(early[:n_online])
    for i in online:
        if not procedures[i].online:
            procedures[i] = pick_procedure(catalogue, rng, online=True)
    direct = [i for i in range(n) if i not in online]
    postal = set(rng.sample(direct, count(plan.postal, "postal")))
    with_contact = [i for i in range(n) if contacts[i] in ("one", "two")]
    with_contact.sort(key=lambda i: contacts[i] != "two")
    agency2 = set(with_contact[: count(plan.agency2, "agency2")])
    days = workdays(period.start, period.end)
    dossiers = []
    for i in range(n):
        received, due, finished = schedule(procedures[i], rng.choice(days), timing[i], rng)
        while not_before is not None and received.date() < not_before:
            received, due, finished = schedule(procedures[i], rng.choice(days), timing[i], rng)
        d = Dossier(unit.unit_id, procedures[i], received, due, finished, officials[sequence[i]], timing[i])
        d.channel = "truc_tuyen" if i in online else "bcci" if i in postal else "truc_tiep"
        if contacts[i] == "one":
            d.contacts, d.contacts_applicant = (2, 1) if rng.random() < 0.2 else (1, 0)
        elif contacts[i] == "two":
            d.contacts, d.contacts_applicant = (3, 1) if rng.random() < 0.3 else (2, 0)
        elif contacts[i] == "applicant":
            d.contacts, d.contacts_applicant = 1, 1
        if d.contacts:
            d.agencies = 2 if i in agency2 else 1
        dossiers.append(d)
    return dossiers


def build_tail(unit: Unit, n: int, first: date, last: date, officials: list[str], tag: str) -> list[Dossier]:
    """Ordinary dossiers finished between ``first`` and ``last`` (outside the graded quarters)."""
    rng = random.Random(f"{SEED}-{tag}-{unit.unit_id}")
    catalogue = CATALOGUES[unit.catalogue or ""]
    days = workdays(first, last)
    sequence = smooth_sequence(OFFICIAL_WEIGHTS[min(len(officials), 4)], n)
    result = []
    for i in range(n):
        proc = pick_procedure(catalogue, rng)
        timing = "on" if rng.random() < 0.05 else "early"
        received, due, finished = schedule(proc, rng.choice(days), timing, rng)
        d = Dossier(unit.unit_id, proc, received, due, finished, officials[sequence[i]], timing)
        if proc.online and rng.random() < 0.1:
            d.channel = "truc_tuyen"
        if rng.random() < 0.05:
            d.contacts, d.agencies = 1, 1
        result.append(d)
    return result


def build_head(unit: Unit, n: int, period: Period, officials: list[str]) -> list[Dossier]:
    """Dossiers received in the quarter's last days and finished after it (or still open at the export)."""
    rng = random.Random(f"{SEED}-head-{period.name}-{unit.unit_id}")
    catalogue = CATALOGUES[unit.catalogue or ""]
    days = workdays(period.end - timedelta(days=12), period.end)
    result = []
    sequence = smooth_sequence(OFFICIAL_WEIGHTS[min(len(officials), 4)], n)
    while len(result) < n:
        proc = pick_procedure(catalogue, rng)
        received = timed(rng.choice(days), rng)
        due = datetime.combine(add_workdays(received.date(), proc.days), received.time())
        if due.date() <= period.end:
            continue
        after = [d for d in workdays(period.end + timedelta(days=1), due.date()) if d < due.date()]
        if not after:
            continue
        official = officials[sequence[len(result)]]
        d = Dossier(unit.unit_id, proc, received, due, timed(rng.choice(after), rng), official)
        if proc.online and rng.random() < 0.15:
            d.channel = "truc_tuyen"
        result.append(d)
    return result


def build_overdue(unit: Unit, n: int, period: Period, officials: list[str]) -> list[Dossier]:
    """Direct dossiers received mid-quarter, past due at the quarter's end and still open at the export."""
    rng = random.Random(f"{SEED}-overdue-{period.name}-{unit.unit_id}")
    catalogue = CATALOGUES[unit.catalogue or ""]
    result = []
    while len(result) < n:
        proc = pick_procedure(catalogue, rng)
        received = timed(add_workdays(period.end, -proc.days - rng.randint(3, 12)), rng)
        due = datetime.combine(add_workdays(received.date(), proc.days), received.time())
        d = Dossier(unit.unit_id, proc, received, due, None, officials[len(result) % len(officials)], "late")
        d.contacts, d.agencies = 1, 1
        result.append(d)
    return result


def build_dossiers(officials: dict[str, list[str]]) -> list[Dossier]:
    """All dossiers of the generated span, one timeline; ids are assigned in order of reception."""
    dossiers: list[Dossier] = []
    for unit in UNITS:
        names = officials[unit.unit_id]
        for period in QUARTERS:
            plan = PLANS[period.name][unit.unit_id]
            if plan.n:
                dossiers += build_population(unit, plan, period, names)
            overdue = OVERDUE_OPEN[period.name].get(unit.unit_id, 0)
            if overdue:
                dossiers += build_overdue(unit, overdue, period, names)
        q1, q2 = PLANS["2021-Q1"][unit.unit_id], PLANS["2021-Q2"][unit.unit_id]
        if q1.n:  # finished in the second half of December 2020: in the Q1 export, outside the quarter
            dossiers += build_tail(unit, max(1, q1.n // 5), Q1.export_from, date(2020, 12, 31), names, "dec")
        if q2.n:  # received in late June, finished in July or still open
            dossiers += build_head(unit, max(1, q2.n // 20), Q2, names)
    # Phòng Văn hóa và Thông tin: no dossier finished in Q2, one received in June still open
    vhtt = Procedure("Cấp Giấy phép kinh doanh dịch vụ karaoke", 5, 1, True)
    received = datetime(2021, 6, 25, 9, 10)
    due = datetime.combine(add_workdays(received.date(), vhtt.days), received.time())
    dossiers.append(Dossier("H07", vhtt, received, due, datetime(2021, 7, 8, 15, 20), officials["H07"][0]))
    by_unit: dict[str, list[Dossier]] = defaultdict(list)
    for d in dossiers:
        by_unit[d.unit_id].append(d)
    for unit_id, items in by_unit.items():
        items.sort(key=lambda d: (d.received, d.due, d.procedure.name, d.official))
        for seq, d in enumerate(items, start=1):
            d.dossier_id = f"{unit_id}-{d.received:%y%m%d}-{seq:04d}"
    return sorted(dossiers, key=lambda d: (d.received, d.dossier_id))


def carried_into(dossiers: list[Dossier], unit_id: str, period: Period) -> Counter:
    """What the unit's dossiers already in the timeline that finish in ``period`` add to its population:
    their count, timing (from their dates), contact categories, second agencies, channels. Their ``timing``
    is set from their dates (a dossier left open at the end of an earlier quarter may finish late)."""
    held: Counter = Counter()
    for d in dossiers:
        if d.unit_id != unit_id or d.finished is None or not period.start <= d.finished.date() <= period.end:
            continue
        d.timing = {2: "early", 1: "on", 0: "late"}[timing_points(d.finished, d.due)]
        effective = d.contacts - d.contacts_applicant
        contact = "two" if effective >= 2 else "one" if effective == 1 else "applicant" if d.contacts else ""
        held.update(["total", d.timing, *([contact] if contact else []), *(["agency2"] if d.agencies >= 2 else []),
                     *(["online"] if d.channel == "truc_tuyen" else []), *(["postal"] if d.channel == "bcci" else [])])
    return held


def extend_timeline(dossiers: list[Dossier], officials: dict[str, list[str]]) -> list[Dossier]:
    """The timeline of the first half (``build_dossiers``) continued through ``LATER``, the first half's
    files unchanged: every new dossier is received from ``Q3.start`` and numbered after the unit's earlier
    ones. Each later quarter first resolves, late, the dossiers still open from before it; then each unit
    gets the dossiers its plan needs beyond those already finishing in the quarter (the last quarter's head,
    the resolved backlog), its overdue ones still open at the end and a head finishing after the quarter."""
    later: list[Dossier] = []
    for period in LATER:
        timeline = dossiers + later
        rng = random.Random(f"{SEED}-resolve-{period.name}")
        for d in sorted(timeline, key=lambda d: (d.received, d.due, d.procedure.name, d.official)):
            if d.finished is None and d.received.date() < period.start:
                d.finished = timed(add_workdays(period.start, rng.randint(2, 20)), rng)
        for unit in UNITS:
            names, plan = officials[unit.unit_id], PLANS[period.name][unit.unit_id]
            held = carried_into(timeline, unit.unit_id, period)
            if plan.n < held["total"]:
                raise SystemExit(f"{period.name} {unit.unit_id}: {held['total']} dossiers carried in, plan n={plan.n}")
            if plan.n > held["total"]:
                later += build_population(unit, plan, period, names, held, not_before=Q3.start)
            overdue = OVERDUE_OPEN[period.name].get(unit.unit_id, 0)
            if overdue:
                later += build_overdue(unit, overdue, period, names)
            if plan.n:
                later += build_head(unit, max(1, plan.n // 20), period, names)
    numbered = Counter(d.unit_id for d in dossiers)
    by_unit: dict[str, list[Dossier]] = defaultdict(list)
    for d in later:
        by_unit[d.unit_id].append(d)
    for unit_id, items in by_unit.items():
        items.sort(key=lambda d: (d.received, d.due, d.procedure.name, d.official))
        for seq, d in enumerate(items, start=numbered[unit_id] + 1):
            d.dossier_id = f"{unit_id}-{d.received:%y%m%d}-{seq:04d}"
    return sorted(dossiers + later, key=lambda d: (d.received, d.dossier_id))


@dataclass
class Row:
    """A dossier as the quarter's export shows it."""

    dossier: Dossier
    finished: datetime | None

    @property
    def d(self) -> Dossier:
        return self.dossier


def export(dossiers: list[Dossier], period: Period) -> list[Row]:
    """The quarter's one-stop export: received from the 15th of the month before the quarter to its end,
    plus older dossiers still open then, as seen on the snapshot date."""
    rows = []
    for d in dossiers:
        if d.received.date() > period.end:
            continue
        if d.received.date() < period.export_from and d.finished and d.finished.date() < period.export_from:
            continue
        shown = d.finished if d.finished and d.finished.date() <= period.snapshot else None
        rows.append(Row(d, shown))
    return rows


def population(rows: list[Row], period: Period) -> list[Row]:
    return [r for r in rows if r.finished and period.start <= r.finished.date() <= period.end]


# --------------------------------------------------------------------------------------------------
# Steps, complaints, surveys
# --------------------------------------------------------------------------------------------------


@dataclass
class Step:
    dossier_id: str
    unit_id: str
    due: datetime
    finished: datetime


def build_steps(rows: list[Row], period: Period) -> list[Step]:
    lead, procedure, communes, late_communes = STEPS_PLAN[period.name]
    rng = random.Random(f"{SEED}-steps-{period.name}")
    candidates = [
        r for r in population(rows, period)
        if r.d.unit_id == lead and r.d.procedure.name == procedure and r.d.timing == "early"
        and len(workdays(r.d.received.date(), r.finished.date())) >= 8
    ]
    chosen = rng.sample(candidates, len(communes))
    steps = []
    for r, commune in sorted(zip(chosen, communes, strict=True), key=lambda x: x[0].d.dossier_id):
        d = r.d
        commune_due = datetime.combine(add_workdays(d.received.date(), 5), d.received.time())
        offset = 7 if commune in late_communes else rng.randint(2, 4)
        commune_done = timed(add_workdays(d.received.date(), offset), rng)
        steps.append(Step(d.dossier_id, commune, commune_due, commune_done))
        steps.append(Step(d.dossier_id, d.unit_id, d.due, d.finished))
    return steps


@dataclass
class Complaint:
    complaint_id: str
    unit_id: str
    dossier_id: str
    received: datetime
    due: datetime
    answered: datetime | None
    plan: ComplaintPlan


def concerns(d: Dossier, link: str) -> bool:
    if link == "contacts":
        return d.contacts - d.contacts_applicant >= 2
    return d.timing == link


def build_complaints(rows: list[Row], period: Period) -> list[Complaint]:
    rng = random.Random(f"{SEED}-complaints-{period.name}")
    pop = population(rows, period)
    days = workdays(period.start, period.end)
    used: set[str] = set()
    result = []
    for k, plan in enumerate(COMPLAINTS[period.name], start=1):
        dossier_id = ""
        if plan.outcome == "pending":
            received_day = days[-3]
        elif plan.link:
            options = [
                r for r in pop
                if r.d.unit_id == plan.unit_id and concerns(r.d, plan.link) and r.d.dossier_id not in used
                and days[2] <= r.finished.date() <= days[-25]
            ]
            r = rng.choice(sorted(options, key=lambda r: r.d.dossier_id))
            dossier_id = r.d.dossier_id
            used.add(dossier_id)
            received_day = add_workdays(r.finished.date(), 1 if plan.link == "early" else -1)
        else:
            received_day = rng.choice(days[5:-25])
        received = timed(received_day, rng)
        due = datetime.combine(add_workdays(received_day, 10), time(17, 0))
        if plan.outcome == "pending":
            answered = None
        elif plan.outcome == "late":
            answered = timed(add_workdays(due.date(), rng.randint(2, 6)), rng)
        else:
            answered = timed(add_workdays(received_day, rng.randint(3, 9)), rng)
        cid = f"PAKN-{period.name.replace('-', '')}-{k:02d}"
        result.append(Complaint(cid, plan.unit_id, dossier_id, received, due, answered, plan))
    return result


@dataclass
class Survey:
    form_id: str
    form: str  # "4" paper, "5" online
    unit_id: str
    dossier_id: str
    submitted: datetime
    satisfaction: str
    answers: bool  # the form also answers the contacts / agencies / conduct questions


VERY, SATISFIED, UNSATISFIED = "Rất hài lòng", "Hài lòng", "Không hài lòng"


def build_surveys(rows: list[Row], period: Period) -> list[Survey]:
    """Paper forms (Mẫu phiếu 4) for about one dossier in eight, online forms (Mẫu phiếu 5) for some
    online dossiers. Forms are linked to dossiers whose record shows no extra contact, so a form's answers
    never contradict the system."""
    pop = population(rows, period)
    result = []
    for unit in UNITS:
        plan = PLANS[period.name][unit.unit_id]
        mine = [r for r in pop if r.d.unit_id == unit.unit_id]
        if not mine:
            continue
        rng = random.Random(f"{SEED}-surveys-{period.name}-{unit.unit_id}")
        smooth = [r for r in mine if r.d.contacts == 0 and r.d.agencies == 0]
        paper = rng.sample([r for r in smooth if r.d.channel != "truc_tuyen"], max(1, len(mine) // 8))
        online_rows = [r for r in smooth if r.d.channel == "truc_tuyen"]
        online = rng.sample(online_rows, (len(online_rows) * 2 + 4) // 5)
        forms = [("4", r) for r in paper] + [("5", r) for r in online]
        forms.sort(key=lambda f: (f[1].finished, f[1].d.dossier_id))
        unhappy = set(rng.sample(range(len(forms)), plan.dissatisfied))
        for k, (form, r) in enumerate(forms, start=1):
            linked = form == "5" or rng.random() < 0.75
            if form == "4":
                submitted = r.finished + timedelta(minutes=5 + rng.randrange(30))
            else:
                submitted = timed(min(add_workdays(r.finished.date(), rng.randint(0, 2)), period.end), rng)
                submitted = max(submitted, r.finished + timedelta(minutes=30))
            satisfaction = UNSATISFIED if k - 1 in unhappy else VERY if rng.random() < 0.65 else SATISFIED
            form_id = f"MP{form}-{unit.unit_id}-{period.name[-1]}{k:03d}"
            result.append(
                Survey(form_id, form, unit.unit_id, r.d.dossier_id if linked else "", submitted, satisfaction,
                       linked and form == "4")
            )
    return result


# --------------------------------------------------------------------------------------------------
# Reference grading (default policies): used to verify the plan and to derive the self-assessment
# --------------------------------------------------------------------------------------------------

PER_DOSSIER = (1, 2, 3, 4, 7)
THRESHOLD = {"tinh": 0.2, "huyen": 0.5, "xa": 1.0}


def round1(value: Fraction) -> Fraction:
    """Half-up rounding to one decimal, exact."""
    return Fraction(int(value * 10 + Fraction(1, 2)), 10)


def timing_points(finished: datetime, due: datetime) -> int:
    return 2 if finished.date() < due.date() else 1 if finished.date() == due.date() else 0


def band(total: Fraction) -> str:
    for bound, name in ((15, XS), (12, TOT), (9, KHA), (6, TB)):
        if total >= bound:
            return name
    return YEU


@dataclass(frozen=True)
class Override:
    scope: str
    target: str
    indicator: int
    points: int
    reason: str


@dataclass
class Graded:
    unit_id: str
    n: int
    scores: dict[int, Fraction]
    total: Fraction
    result: str


def dossier_points(rows: list[Row], period: Period, complaints: list[Complaint]) -> dict[str, dict[int, int]]:
    conduct = {c.dossier_id for c in complaints
               if c.dossier_id and c.plan.about_conduct and not c.plan.verified_untrue}
    points = {}
    for r in population(rows, period):
        d = r.d
        t = timing_points(r.finished, d.due)
        effective = d.contacts - d.contacts_applicant
        points[d.dossier_id] = {
            1: t,
            2: t,
            3: 2 if effective <= 0 else 1 if effective == 1 else 0,
            4: 2 if d.agencies == 0 else 1 if d.agencies == 1 else 0,
            7: 0 if d.dossier_id in conduct else t,
        }
    return points


def grade(
    rows: list[Row],
    period: Period,
    steps: list[Step],
    complaints: list[Complaint],
    evidence: dict[str, Evidence],
    overrides: list[Override],
    submitted: set[str],
) -> tuple[dict[str, Graded], dict[tuple[str, str], Fraction]]:
    """Units' appraised scores and results, and officials' scores, under the default policies."""
    pop = population(rows, period)
    points = dossier_points(rows, period, complaints)
    for o in overrides:
        if o.scope == "dossier":
            points[o.target][o.indicator] = o.points
    lists: dict[tuple[str, int], list[int]] = defaultdict(list)
    stepped = {s.dossier_id for s in steps}
    for r in pop:
        d = r.d
        for i in PER_DOSSIER:
            if i == 2 and d.dossier_id in stepped:
                continue
            lists[d.unit_id, i].append(points[d.dossier_id][i])
    in_pop = {r.d.dossier_id for r in pop}
    for s in steps:
        if s.dossier_id in in_pop:
            lists[s.unit_id, 2].append(timing_points(s.finished, s.due))
    official_lists: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    lead_step = {(s.dossier_id, s.unit_id): timing_points(s.finished, s.due) for s in steps}
    for r in pop:
        d = r.d
        for i in PER_DOSSIER:
            value = points[d.dossier_id][i]
            if i == 2 and d.dossier_id in stepped:
                value = lead_step[d.dossier_id, d.unit_id]
            official_lists[d.official, d.unit_id, i].append(value)
    officials = defaultdict(Fraction)
    for (name, unit_id, _i), values in official_lists.items():
        officials[name, unit_id] += round1(Fraction(sum(values), len(values)))

    graded = {}
    for unit in UNITS:
        uid = unit.unit_id
        mine = [r for r in pop if r.d.unit_id == uid]
        scores: dict[int, Fraction] = {}
        for i in PER_DOSSIER:
            if lists[uid, i]:
                scores[i] = round1(Fraction(sum(lists[uid, i]), len(lists[uid, i])))
        e = evidence[uid]
        if e.desk >= 1:
            scores[5] = Fraction(2 if e.desk_full >= THRESHOLD[unit.level] else 1)
        else:
            scores[5] = Fraction(0)
        scores[6] = Fraction(int(e.posted) + int(e.electronic))
        received = [c for c in complaints
                    if c.unit_id == uid and period.start <= c.received.date() <= period.end]
        counted = [c for c in received if c.answered or c.due.date() <= period.end]
        on_time = [c for c in counted if c.answered and c.answered.date() <= c.due.date()]
        prolonged = any(c.plan.outcome == "prolonged" for c in received)
        if not counted:
            scores[8] = Fraction(2)
        else:
            ratio = Fraction(len(on_time), len(counted))
            on_time_points = 2 if ratio == 1 else 1 if ratio >= Fraction(9, 10) else 0
            scores[8] = Fraction(0 if prolonged else on_time_points)
        if mine:
            online = [r for r in mine if r.d.channel == "truc_tuyen"]
            share = Fraction(len(online), len(mine))
            bad = any(timing_points(r.finished, r.d.due) == 0 for r in online) or any(
                r.d.unit_id == uid and r.d.channel == "truc_tuyen" and r.d.due.date() < period.end
                and (r.finished is None or r.finished.date() > period.end)
                for r in rows
            )
            if e.dvc34 >= 0.2 and share >= Fraction(3, 10) and not bad:
                scores[9] = Fraction(2)
            elif e.dvc34 > 0 and share >= Fraction(15, 100) and not bad:
                scores[9] = Fraction(1)
            else:
                scores[9] = Fraction(0)
        for o in overrides:
            if o.scope == "unit" and o.target == uid:
                scores[o.indicator] = Fraction(o.points)
        total = sum(scores.values(), Fraction(0))
        if not mine:
            result = NO_DOSSIER
        elif uid not in submitted:
            result = NOT_SCORED
        else:
            result = band(total)
        graded[uid] = Graded(uid, len(mine), scores, total, result)
    return graded, dict(officials)


def choose_overrides(
    rows: list[Row],
    period: Period,
    steps: list[Step],
    complaints: list[Complaint],
    evidence: dict[str, Evidence],
) -> list[Override]:
    """One or two reasoned appraiser overrides that change no unit's rounded score."""
    submitted = {u for u, p in PLANS[period.name].items() if p.submits}
    base, _ = grade(rows, period, steps, complaints, evidence, [], submitted)
    result = []
    if period.name == "2021-Q2":
        for uid in ("X07", "X10", "X03"):
            candidates = sorted(
                (r for r in population(rows, period)
                 if r.d.unit_id == uid and r.d.contacts == 1 and r.d.contacts_applicant == 0),
                key=lambda r: r.d.dossier_id,
            )
            for r in candidates:
                o = Override(
                    "dossier", r.d.dossier_id, 3, 2,
                    f"Xác minh ngày 22/6/2021 với người nộp hồ sơ {r.d.dossier_id}: lần bổ sung duy nhất do "
                    "người nộp khai sai năm sinh trong tờ khai, không do cơ quan yêu cầu; hệ thống ghi nhận "
                    "thiếu thông tin lỗi của người nộp",
                )
                trial, _ = grade(rows, period, steps, complaints, evidence, [o], submitted)
                if trial[uid].scores == base[uid].scores:
                    result.append(o)
                    break
            if result:
                break
        result.append(Override(
            "unit", "X10", 6, int(base["X10"].scores[6]),
            "Kiểm tra thực tế ngày 24/6/2021: TTHC niêm yết đầy đủ, đúng quy định tại Bộ phận Một cửa; chưa "
            "công khai trên Trang thông tin điện tử của xã; giữ nguyên 1 điểm",
        ))
    elif period.name == "2021-Q1":
        result.append(Override(
            "unit", "H05", 5, int(base["H05"].scores[5]),
            "Kiểm tra ngày 25/3/2021: 100% hồ sơ tiếp nhận và trả kết quả tại Bộ phận Một cửa, nhưng thẩm "
            "định, phê duyệt tại Bộ phận Một cửa chưa đạt 50% danh mục; giữ nguyên 1 điểm",
        ))
    elif period.name == "2021-Q3":
        result.append(Override(
            "unit", "X11", 6, int(base["X11"].scores[6]),
            "Kiểm tra thực tế ngày 15/9/2021: TTHC niêm yết tại Bộ phận Một cửa nhưng chưa công khai trên Trang "
            "thông tin điện tử của xã; giữ nguyên 1 điểm",
        ))
    else:
        result.append(Override(
            "unit", "X12", 5, int(base["X12"].scores[5]),
            "Kiểm tra ngày 14/12/2021: một số hồ sơ tiếp nhận tại công chức chuyên môn, không qua Bộ phận Một "
            "cửa; giữ nguyên 0 điểm",
        ))
    return result


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------

DOSSIER_HEADERS = (
    "STT", "Mã hồ sơ", "Mã đơn vị", "Tên thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả",
    "Hình thức nộp", "Số lần bổ sung", "Số lần do lỗi người nộp", "Số cơ quan phải liên hệ", "Cán bộ xử lý",
    "Trạng thái",
)
COLUMN_WIDTHS = (6, 20, 10, 60, 17, 17, 17, 18, 10, 10, 10, 22, 16)


def write_xlsx(path: Path, rows: list[Row], period: Period) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách hồ sơ"
    ws.append(DOSSIER_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for k, r in enumerate(rows, start=1):
        d = r.d
        if r.finished:
            status = "Đã có kết quả"
        elif d.due.date() < period.snapshot:
            status = "Quá hạn"
        else:
            status = "Đang giải quyết"
        ws.append([
            k, d.dossier_id, d.unit_id, d.procedure.name, d.received, d.due, r.finished,
            CHANNEL_LABELS[d.channel], d.contacts, d.contacts_applicant, d.agencies, d.official, status,
        ])
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=7):
        for cell in row:
            cell.number_format = "dd/mm/yyyy hh:mm"
    for k, width in enumerate(COLUMN_WIDTHS):
        ws.column_dimensions[chr(ord("A") + k)].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = "Hệ thống thông tin một cửa điện tử tỉnh Điện Biên (dữ liệu mẫu)"
    wb.properties.title = f"Danh sách hồ sơ TTHC {period.name}"
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(normalise_xlsx(buffer.getvalue()))


def normalise_xlsx(data: bytes) -> bytes:
    """Fix the workbook's created/modified properties and the zip entries' timestamps."""
    stamp = XLSX_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                for tag in ("dcterms:created", "dcterms:modified"):
                    start = text.index(f"<{tag}")
                    start = text.index(">", start) + 1
                    end = text.index(f"</{tag}>", start)
                    text = text[:start] + stamp + text[end:]
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=XLSX_TIMESTAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()


def write_csv(path: Path, header: list[str], rows: list[list[object]], bom: bool = False) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def iso(value: datetime | date | None, with_time: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and with_time:
        return value.strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


def vn(value: datetime | date | None, with_time: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and with_time:
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def decimal_text(value: float | Fraction, comma: bool = False) -> str:
    text = f"{float(value):.1f}" if isinstance(value, Fraction) else f"{value:g}"
    return text.replace(".", ",") if comma else text


def self_assessment(graded: dict[str, Graded], period: Period) -> list[list[str]]:
    """Each submitting unit's self-scores: the appraised values plus the plan's optimism, capped at 2."""
    rows = []
    for k, unit in enumerate(UNITS):
        plan = PLANS[period.name][unit.unit_id]
        if not plan.submits:
            continue
        g = graded[unit.unit_id]
        values = []
        for i in range(1, 10):
            if g.n == 0 and i in (*PER_DOSSIER, 9):
                values.append(None)
                continue
            values.append(min(Fraction(2), g.scores[i] + Fraction(str(plan.bias.get(i, 0.0)))))
        submitted = add_workdays(SELF_SUBMITTED[period.name], k % 4)
        rows.append([unit.unit_id, values, submitted])
    return rows


def write_quarter(out: Path, period: Period, dossiers: list[Dossier], quiet: bool) -> dict[str, Graded]:
    folder = out / period.name
    folder.mkdir(parents=True, exist_ok=True)
    vietnamese = period.name == "2021-Q1"  # Q1 exercises the Vietnamese headers and value styles
    rows = export(dossiers, period)
    steps = build_steps(rows, period)
    complaints = build_complaints(rows, period)
    surveys = build_surveys(rows, period)
    evidence = {uid: p.evidence for uid, p in PLANS[period.name].items()}
    overrides = choose_overrides(rows, period, steps, complaints, evidence)
    submitted = {uid for uid, p in PLANS[period.name].items() if p.submits}
    graded, officials = grade(rows, period, steps, complaints, evidence, overrides, submitted)
    verify(period, graded, officials, surveys, rows, steps, complaints, evidence, submitted)

    write_xlsx(folder / "dossiers.xlsx", rows, period)

    sa = self_assessment(graded, period)
    if vietnamese:
        header = ["Mã đơn vị", *(f"Chỉ số {i}" for i in range(1, 10)), "Ngày gửi"]
        body = [[uid, *("" if v is None else decimal_text(v, comma=True) for v in values), vn(day)]
                for uid, values, day in sa]
    else:
        header = ["unit_id", *(f"i{i}" for i in range(1, 10)), "submitted_at"]
        body = [[uid, *("" if v is None else decimal_text(v) for v in values), iso(day)]
                for uid, values, day in sa]
    write_csv(folder / "self_assessment.csv", header, body, bom=vietnamese)

    if vietnamese:
        header = ["Mã phiếu", "Mẫu phiếu", "Mã đơn vị", "Mã hồ sơ", "Ngày đánh giá", "Mức độ hài lòng",
                  "Số lần liên hệ", "Số cơ quan phải liên hệ", "Phản ánh thái độ"]
        body = [[s.form_id, "Giấy" if s.form == "4" else "Trực tuyến", s.unit_id, s.dossier_id,
                 vn(s.submitted), s.satisfaction, *(("0", "0", "không") if s.answers else ("", "", ""))]
                for s in surveys]
    else:
        header = ["form_id", "form", "unit_id", "dossier_id", "submitted_at", "satisfaction", "contacts",
                  "agencies_contacted", "conduct_complaint"]
        body = [[s.form_id, s.form, s.unit_id, s.dossier_id, iso(s.submitted), s.satisfaction,
                 *(("0", "0", "0") if s.answers else ("", "", ""))] for s in surveys]
    write_csv(folder / "surveys.csv", header, body, bom=vietnamese)

    date_text = vn if vietnamese else iso
    flag = (lambda b: "x" if b else "") if vietnamese else (lambda b: "1" if b else "0")
    write_csv(
        folder / "complaints.csv",
        ["complaint_id", "unit_id", "dossier_id", "received_at", "due_at", "answered_at", "prolonged",
         "about_conduct", "verified_untrue", "kind", "summary"],
        [[c.complaint_id, c.unit_id, c.dossier_id, date_text(c.received), date_text(c.due, False),
          date_text(c.answered), flag(c.plan.outcome == "prolonged"), flag(c.plan.about_conduct),
          flag(c.plan.verified_untrue), c.plan.kind, c.plan.summary] for c in complaints],
    )

    yes_no = (lambda b: "có" if b else "không") if vietnamese else (lambda b: "1" if b else "0")
    write_csv(
        folder / "unit_evidence.csv",
        ["unit_id", "desk_full_share", "desk_share", "posted", "electronic", "dvc34_share", "note"],
        [[u.unit_id, decimal_text(e.desk_full, vietnamese), decimal_text(e.desk, vietnamese),
          yes_no(e.posted), yes_no(e.electronic), decimal_text(e.dvc34, vietnamese), e.note]
         for u in UNITS for e in [evidence[u.unit_id]]],
    )

    write_csv(
        folder / "steps.csv",
        ["dossier_id", "unit_id", "due_at", "finished_at"],
        [[s.dossier_id, s.unit_id, date_text(s.due), date_text(s.finished)] for s in steps],
    )
    write_csv(
        folder / "overrides.csv",
        ["scope", "id", "indicator", "points", "reason", "by"],
        [[o.scope, o.target, o.indicator, o.points, o.reason, APPRAISER] for o in overrides],
    )
    if not quiet:
        summarise(period, rows, graded, officials, surveys, complaints, steps)
    return graded


# --------------------------------------------------------------------------------------------------
# Verification and summary
# --------------------------------------------------------------------------------------------------

SEED_COUNTS = {
    "huyen": {XS: 7, NO_DOSSIER: 5, TB: 1},
    "xa": {XS: 7, TOT: 4, TB: 1, NOT_SCORED: 2},
}
#: Totals must stay this far from a band's bounds (a 0.1 rounding slip must never change a grade).
MARGIN = Fraction(3, 10)


def verify(
    period: Period,
    graded: dict[str, Graded],
    officials: dict[tuple[str, str], Fraction],
    surveys: list[Survey],
    rows: list[Row],
    steps: list[Step],
    complaints: list[Complaint],
    evidence: dict[str, Evidence],
    submitted: set[str],
) -> None:
    """Refuse to write a sample that misses its plan."""
    errors = []
    for uid, g in graded.items():
        plan = PLANS[period.name][uid]
        if g.result != plan.result:
            errors.append(f"{uid}: planned {plan.result}, got {g.result} (total {float(g.total):.1f})")
        if g.n and g.result in (XS, TOT, KHA, TB, YEU):
            near = min(abs(g.total - b) for b in (15, 12, 9, 6))
            if near < MARGIN:
                errors.append(f"{uid}: total {float(g.total):.1f} is within {float(MARGIN)} of a band bound")
    base, _ = grade(rows, period, steps, complaints, evidence, [], submitted)
    for uid, g in graded.items():
        if base[uid].result != g.result or base[uid].total != g.total:
            errors.append(f"{uid}: the overrides change the unit's score")
    if period.name == "2021-Q2":
        counts = {level: Counter(g.result for g in graded.values() if UNIT_BY_ID[g.unit_id].level == level)
                  for level in SEED_COUNTS}
        for level, expected in SEED_COUNTS.items():
            if dict(counts[level]) != expected:
                errors.append(f"{level}: {dict(counts[level])} != seed {expected}")
        low = {k: float(v) for k, v in officials.items() if v < 5}
        if low:
            errors.append(f"officials under 100 %: {low}")
        if any(s.satisfaction == UNSATISFIED for s in surveys):
            errors.append("a Q2 survey form is not satisfied")
    if errors:
        raise SystemExit(f"{period.name}: the sample misses its plan:\n  " + "\n  ".join(errors))


def summarise(
    period: Period,
    rows: list[Row],
    graded: dict[str, Graded],
    officials: dict[tuple[str, str], Fraction],
    surveys: list[Survey],
    complaints: list[Complaint],
    steps: list[Step],
) -> None:
    pop = population(rows, period)
    print(f"{period.name}: {len(rows)} dossiers exported, {len(pop)} finished in the quarter, "
          f"{len(rows) - len(pop)} outside it or open; {len(surveys)} survey forms, "
          f"{len(complaints)} complaints, {len(steps)} steps, {len(officials)} officials "
          f"(lowest score {float(min(officials.values())):.1f})")
    for unit in UNITS:
        g = graded[unit.unit_id]
        scores = " ".join(f"{float(g.scores[i]):.1f}" if i in g.scores else "  - " for i in range(1, 10))
        total = f"{float(g.total):4.1f}"
        print(f"  {unit.unit_id} {unit.name[:38]:38} n={g.n:4d}  {scores}  = {total}  {g.result}")
    for level in ("huyen", "xa"):
        counts = Counter(g.result for g in graded.values() if UNIT_BY_ID[g.unit_id].level == level)
        print(f"  {level}: " + ", ".join(f"{v:02d} {k}" for k, v in counts.most_common()))


README_HEAD = """\
# Dữ liệu mẫu: huyện Điện Biên Đông, bốn quý năm 2021 (dữ liệu giả lập)

Sinh bởi `scripts/make_sample.py` (hạt giống {seed}); không sửa tay: sửa tập lệnh rồi chạy `make sample`.
Các đơn vị là các cơ quan chuyên môn và xã, thị trấn thật của huyện; hồ sơ, tên người, phản ánh và phiếu khảo sát
đều là bịa. Mỗi đơn vị có một kết quả dự định (`PLANS` trong tập lệnh), được dựng với số lượng chính xác và được
một bộ chấm tham chiếu kiểm tra trước khi ghi ra bất cứ tệp nào. Chấm với các chính sách mặc định, quý 2021-Q2 cho
đúng các con số trong báo cáo Quý II năm 2021 của huyện: cấp huyện 07 Xuất sắc, 05 Chưa phát sinh hồ sơ,
01 Trung bình; cấp xã 07 Xuất sắc, 04 Tốt, 01 Trung bình, 02 Chưa thực hiện chấm điểm; mọi cán bộ hoàn thành
100% nhiệm vụ, mọi người dân được khảo sát đều hài lòng.

Quý 2021-Q3 và 2021-Q4 nối tiếp cùng dòng thời gian, để thử xu hướng qua các quý và kết quả cả năm (`tthc trend`,
`tthc year`): vài đơn vị lên hoặc xuống một mức xếp loại (quý 2021-Q3: Phòng Tài chính - Kế hoạch xuống Tốt, Phòng Tài
nguyên và Môi trường lên Khá, xã Phì Nhừ lên Xuất sắc, xã Phình Giàng xuống Yếu, xã Tìa Dình nộp tự chấm và đạt Tốt;
quý 2021-Q4: Phòng Tài chính - Kế hoạch trở lại Xuất sắc, xã Nong U xuống Khá, xã Phình Giàng lên Trung bình, xã Pú
Hồng xuống hai mức, từ Tốt còn Trung bình). Các tệp của hai quý đầu không đổi một byte khi thêm hai quý sau: hồ sơ
của hai quý sau được tiếp nhận từ 01/7/2021, đánh số tiếp sau hồ sơ cũ của cùng đơn vị; hồ sơ còn tồn từ nửa đầu năm
được giải quyết (trễ hạn) trong quý 2021-Q3, nên có mặt trong số hồ sơ được chấm của quý đó.

Các tệp dùng để thử những gì:
- `dossiers.xlsx`: bản xuất của hệ thống một cửa, tiêu đề tiếng Việt, ngày giờ kiểu Excel, gồm các hồ sơ tiếp nhận
  từ ngày 15 của tháng trước quý đến hết quý (để thử chính sách kỳ `reporting_cutoff`) cùng các hồ sơ cũ hơn còn
  tồn lúc đó, như thấy vào ngày thứ năm sau khi hết quý: hồ sơ có kết quả trước hoặc sau quý, còn mở, hoặc còn mở
  và đã quá hạn đều có mặt và phải được để ra ngoài các hồ sơ được chấm theo chính sách mặc định. Giờ trong ngày
  khác giờ hẹn: một hồ sơ "đúng ngày hẹn" có thể xong sau giờ hẹn vài tiếng.
- Quý 2021-Q2, 2021-Q3 và 2021-Q4 dùng tên cột chuẩn; ở quý 2021-Q1, `self_assessment.csv` và `surveys.csv` dùng
  tiêu đề tiếng Việt, có BOM UTF-8, dấu phẩy thập phân và ngày viết ngày trước; các tệp CSV khác của quý 2021-Q1
  dùng ngày viết ngày trước, `x`/để trống và `có`/`không` cho đúng/sai, và dấu phẩy thập phân.
- Phòng Văn hóa và Thông tin có một hồ sơ trong bản xuất quý 2021-Q2, còn mở: không có hồ sơ nào được chấm. Quý
  2021-Q2 có hai xã có hồ sơ nhưng không có dòng tự chấm (quý 2021-Q1: một xã).
- `complaints.csv`: một phản ánh về thái độ được kết luận không đúng sự thật (quý 2021-Q2, Mường Luân: chỉ số 7
  không bị ảnh hưởng), một phản ánh đúng (quý 2021-Q1, Tìa Dình), các câu trả lời sau hạn, một vụ việc kéo dài và
  một phản ánh chưa đến hạn ở cuối quý (không tính vào chỉ số 8).
- `steps.csv`: hồ sơ đất đai của Phòng Tài nguyên và Môi trường có bước của một xã (quý 2021-Q1 và 2021-Q4 có một
  bước của xã trễ hạn).
- `overrides.csv`: các điều chỉnh có lý do của người thẩm định, không làm thay đổi điểm của đơn vị nào.

"""


def _vi(number: float) -> str:
    """A number as a Vietnamese reader writes it (decimal comma)."""
    return f"{number:g}".replace(".", ",")


def render_readme(results: dict[str, dict[str, Graded]], counts: dict[str, int]) -> str:
    lines = [README_HEAD.format(seed=SEED), "Số dòng của từng tệp:", "", "| tệp | số dòng |", "|---|---|"]
    lines += [f"| `{name}` | {n} |" for name, n in sorted(counts.items())]
    for period in ALL_QUARTERS:
        title = (f"Kết quả dự định, quý {period.name} (tỷ lệ trên các hồ sơ có kết quả trong quý; minh chứng chỉ số 5: "
                 "tỷ lệ tự giải quyết tại Bộ phận Một cửa; tỷ lệ tiếp nhận và trả kết quả tại Bộ phận Một cửa):")
        lines += ["", title, "",
                  "| đơn vị | hồ sơ | trễ hạn | đúng ngày hẹn | liên hệ 1 lần | liên hệ từ 2 lần | trực tuyến "
                  "| minh chứng chỉ số 5 | chỉ số 6 | DVC mức 3, 4 | tổng điểm | kết quả |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for unit in UNITS:
            plan, g = PLANS[period.name][unit.unit_id], results[period.name][unit.unit_id]
            e = plan.evidence
            ways = [w for w, ok in (("niêm yết", e.posted), ("điện tử", e.electronic)) if ok]
            total = f"{float(g.total):.1f}".replace(".", ",") if g.n else ""
            lines.append(
                f"| {unit.unit_id} {unit.name} | {plan.n} | {plan.late:.0%} | {plan.on_due:.0%} "
                f"| {plan.contact1:.0%} | {plan.contact2:.0%} | {plan.online:.0%} "
                f"| {_vi(e.desk_full)}; {_vi(e.desk)} | {', '.join(ways) or '-'} | {_vi(e.dvc34)} | {total} "
                f"| {plan.result} |"
            )
    return "\n".join(lines) + "\n"


def write_units(out: Path) -> None:
    rows = [[u.unit_id, u.name, u.level] for u in UNITS]
    write_csv(out / "units.csv", ["unit_id", "unit_name", "level"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    officials = make_officials()
    dossiers = extend_timeline(build_dossiers(officials), officials)
    write_units(out)
    results = {period.name: write_quarter(out, period, dossiers, args.quiet) for period in (Q2, Q1, Q3, Q4)}
    counts = {}
    for path in sorted(out.rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            counts[path.relative_to(out).as_posix()] = sum(1 for _ in csv.reader(fh)) - 1
    for period in ALL_QUARTERS:
        counts[f"{period.name}/dossiers.xlsx"] = len(export(dossiers, period))
    (out / "README.md").write_text(render_readme(results, counts), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
