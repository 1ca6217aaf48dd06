"""Seeded synthetic data for benchmarks, batch tests and ``scripts/make_province.py``.

Realistic shapes, not real people: a district or province with agencies (phòng, sở) and communes (UBND xã),
a catalogue of procedures with legal times, officials per unit, skewed volumes (communes and land offices
take most dossiers), a per-unit online share (Beta, mean ~25 %), per-unit lateness (Beta, mean ~4 %),
a share resolved on the due day, additional-document requests (mostly none) and a small share still open.

Everything is vectorised with numpy so that 10 million dossiers take seconds. Two forms of each table:
- canonical frames (``make_*``), the parsed form the loader produces (datetimes, ``Int64``, ``boolean``);
- exports (``export_*``) with the Vietnamese headers and text/date cells of the one-stop system's export.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

AGENCIES_HUYEN = (
    "Phòng Tư pháp", "Phòng Tài nguyên và Môi trường", "Phòng Lao động - Thương binh và Xã hội",
    "Phòng Kinh tế và Hạ tầng", "Phòng Nông nghiệp và Phát triển nông thôn", "Phòng Giáo dục và Đào tạo",
    "Phòng Văn hóa và Thông tin", "Phòng Y tế", "Phòng Nội vụ", "Phòng Tài chính - Kế hoạch",
    "Phòng Dân tộc", "Thanh tra huyện", "Chi nhánh Văn phòng đăng ký đất đai", "Văn phòng HĐND và UBND",
)
AGENCIES_TINH = (
    "Sở Tư pháp", "Sở Tài nguyên và Môi trường", "Sở Lao động - Thương binh và Xã hội", "Sở Xây dựng",
    "Sở Giao thông vận tải", "Sở Kế hoạch và Đầu tư", "Sở Tài chính", "Sở Công Thương", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Văn hóa, Thể thao và Du lịch", "Sở Nội vụ", "Sở Nông nghiệp và PTNT",
    "Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ", "Ban Dân tộc", "Ban Quản lý các khu công nghiệp",
)
SYLLABLES = ("Na", "Sơn", "Phì", "Nhừ", "Keo", "Lôm", "Pú", "Hồng", "Chiềng", "Mường", "Luân", "Xa", "Dung",
             "Tìa", "Háng", "Lia", "Pu", "Nhi", "Noong", "U", "Tà", "Lèng", "Phình", "Giàng", "Sính", "Thanh",
             "Bình", "An", "Hòa", "Tân")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Lò", "Quàng", "Giàng", "Sùng", "Lường", "Cà", "Đỗ",
          "Bùi", "Lý", "Vàng", "Mùa", "Thào")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "A", "Hữu", "Thanh", "Ngọc", "Xuân")
GIVEN = ("An", "Bình", "Chung", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Nam", "Nga", "Phong", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Vân", "Sếnh", "Dua",
         "Pó", "Chứ", "Lả", "Súa")
PROCEDURES = {
    "xa": (("Đăng ký khai sinh", 0), ("Đăng ký khai tử", 0), ("Đăng ký kết hôn", 0),
           ("Chứng thực bản sao từ bản chính", 0), ("Chứng thực chữ ký", 0), ("Đăng ký thường trú", 7),
           ("Xác nhận tình trạng hôn nhân", 3), ("Đăng ký lại khai sinh", 5), ("Trợ cấp xã hội hằng tháng", 20),
           ("Hòa giải tranh chấp đất đai", 45), ("Đăng ký giám hộ", 3), ("Cấp bản sao trích lục hộ tịch", 0)),
    "huyen": (("Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", 30), ("Đăng ký biến động đất đai", 10),
              ("Cấp giấy phép xây dựng nhà ở riêng lẻ", 15), ("Đăng ký hộ kinh doanh", 3),
              ("Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm", 15), ("Thay đổi, cải chính hộ tịch", 3),
              ("Chứng thực hợp đồng chuyển nhượng", 2), ("Giải quyết chế độ người có công", 12),
              ("Công nhận xã đạt chuẩn nông thôn mới", 30), ("Cấp giấy phép bán lẻ rượu", 10),
              ("Thành lập nhóm trẻ độc lập", 20), ("Đăng ký khai sinh có yếu tố nước ngoài", 5)),
    "tinh": (("Cấp giấy chứng nhận đăng ký doanh nghiệp", 3), ("Cấp giấy phép lái xe", 10),
             ("Cấp chứng chỉ hành nghề", 20), ("Phê duyệt báo cáo đánh giá tác động môi trường", 45),
             ("Cấp giấy phép lao động cho người nước ngoài", 5), ("Cấp phiếu lý lịch tư pháp", 10),
             ("Cấp giấy phép kinh doanh vận tải", 5), ("Thẩm định thiết kế cơ sở", 30),
             ("Cấp giấy phép khai thác nước", 30), ("Công nhận trường đạt chuẩn quốc gia", 20)),
}
CHANNEL_LABELS = {"truc_tiep": "Trực tiếp", "truc_tuyen": "Trực tuyến", "bcci": "Bưu chính công ích"}
LEVEL_LABELS = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện", "xa": "Cấp xã"}
DOSSIER_HEADERS = {
    "dossier_id": "Mã hồ sơ", "unit_id": "Mã đơn vị", "unit_name": "Đơn vị giải quyết",
    "procedure": "Tên thủ tục", "received_at": "Ngày tiếp nhận", "due_at": "Ngày hẹn trả",
    "finished_at": "Ngày có kết quả", "channel": "Hình thức nộp", "contacts": "Số lần bổ sung",
    "contacts_applicant": "Số lần do lỗi người nộp", "agencies_contacted": "Số cơ quan phải liên hệ",
    "official": "Cán bộ xử lý",
}
DAY = np.timedelta64(1, "D")


@dataclass
class Quarterly:
    """One quarter of one synthetic locality, as canonical frames."""

    units: pd.DataFrame
    dossiers: pd.DataFrame
    self_assessment: pd.DataFrame
    unit_evidence: pd.DataFrame
    complaints: pd.DataFrame
    surveys: pd.DataFrame


def quarter_bounds(quarter: str) -> tuple[np.datetime64, np.datetime64]:
    year, q = int(quarter[:4]), int(quarter[-1])
    start = np.datetime64(f"{year}-{3 * q - 2:02d}-01")
    end = (start.astype("datetime64[M]") + 3).astype("datetime64[D]") - DAY
    return start, end


def make_units(n_agencies: int = 14, n_communes: int = 14, level: str = "huyen", seed: int = 0,
               prefix: str = "") -> pd.DataFrame:
    """Agencies (``level``: huyen or tinh) then communes (xa). Ids ``P01``… and ``X001``…"""
    rng = np.random.default_rng(seed)
    names = AGENCIES_TINH if level == "tinh" else AGENCIES_HUYEN
    rows = []
    for i in range(n_agencies):
        base = names[i % len(names)]
        name = base if i < len(names) else f"{base} ({i // len(names) + 1})"
        rows.append((f"{prefix}{'S' if level == 'tinh' else 'P'}{i + 1:02d}", name, level))
    used: set[str] = set()
    for i in range(n_communes):
        kind = "thị trấn" if i == 0 else "xã"
        while True:
            name = " ".join(rng.choice(SYLLABLES, size=2, replace=False))
            if name not in used or len(used) > 800:
                break
        if name in used:
            name = f"{name} {i}"
        used.add(name)
        rows.append((f"{prefix}X{i + 1:03d}", f"UBND {kind} {name}", "xa"))
    return _objects(pd.DataFrame(rows, columns=["unit_id", "unit_name", "level"]))


def _officials(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.array([f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for _ in range(n)],
                    dtype=object)


def make_dossiers(n: int, units: pd.DataFrame, quarter: str = "2021-Q2", seed: int = 0,
                  open_share: float = 0.01, missing_official: float = 0.005, start_seq: int = 0) -> pd.DataFrame:
    """``n`` canonical dossiers of ``units`` for ``quarter`` (calendar quarter).

    Closed dossiers finish inside the quarter (the population); ``open_share`` of them are still open at
    the end (a few past due). Ids are unique within the call (``start_seq`` offsets them)."""
    rng = np.random.default_rng(seed)
    start, end = quarter_bounds(quarter)
    n_units = len(units)
    levels = units["level"].to_numpy()
    # volumes: lognormal weights, communes x3 (civil status, certification)
    weight = rng.lognormal(0.0, 0.9, n_units) * np.where(levels == "xa", 3.0, 1.0)
    unit_idx = rng.choice(n_units, size=n, p=weight / weight.sum()).astype(np.int32)
    online = rng.beta(2, 6, n_units)
    late_rate = rng.beta(1, 25, n_units)
    same_day_rate = rng.beta(2, 10, n_units)
    # procedures: each level draws from its catalogue with Zipf-like popularity
    proc_names, proc_days, level_slices = [], [], {}
    for lvl, procs in PROCEDURES.items():
        level_slices[lvl] = (len(proc_names), len(procs))
        proc_names += [p for p, _ in procs]
        proc_days += [d for _, d in procs]
    proc_names_arr = np.array(proc_names, dtype=object)
    proc_days_arr = np.array(proc_days, dtype=np.int64)
    offset = np.array([level_slices.get(lv, level_slices["huyen"])[0] for lv in levels])
    size = np.array([level_slices.get(lv, level_slices["huyen"])[1] for lv in levels])
    rank = np.minimum(rng.zipf(1.6, n) - 1, 10_000) % size[unit_idx]
    proc = offset[unit_idx] + rank
    legal = proc_days_arr[proc]
    # outcome: before / on the due day / late / open
    u = rng.random(n)
    late = u < late_rate[unit_idx]
    same = ~late & (u < late_rate[unit_idx] + same_day_rate[unit_idx])
    same |= legal == 0  # same-day procedures cannot finish before their due day
    late &= legal >= 0
    is_open = rng.random(n) < open_share
    span = int((end - start) / DAY) + 1
    fin_day = start + rng.integers(0, span, n) * DAY
    elapsed = np.where(late, legal + rng.geometric(0.3, n), np.where(same, legal,
                       (rng.random(n) * np.maximum(legal, 1)).astype(np.int64) % np.maximum(legal, 1)))
    recv_day = fin_day - elapsed * DAY
    # open dossiers: received in the last 40 days; mostly not yet due, some already past due
    open_recv = end - rng.integers(0, 12, n) * DAY
    recv_day = np.where(is_open, open_recv, recv_day)
    due_day = recv_day + np.where(is_open, np.maximum(legal, 7), legal) * DAY
    minute = np.timedelta64(1, "m")
    recv_at = recv_day + (450 + rng.integers(0, 570, n)) * minute
    due_at = due_day + 1020 * minute
    fin_at = fin_day + (450 + rng.integers(0, 570, n)) * minute
    fin_at = np.where(is_open, np.datetime64("NaT"), fin_at).astype("datetime64[ns]")
    # contacts (additional documents requested), applicant-caused share, agencies
    contacts = rng.choice(4, size=n, p=[0.85, 0.11, 0.03, 0.01])
    applicant = rng.binomial(contacts, 0.5)
    agencies = np.where(contacts == 0, 0, np.where(rng.random(n) < 0.04, 2, 1))
    field_check = rng.random(n) < 0.02
    chan_u = rng.random(n)
    on = online[unit_idx]
    channel_codes = np.where(chan_u < on, 1, np.where(chan_u < on + 0.02, 2, 0))
    channel = np.array(["truc_tiep", "truc_tuyen", "bcci"], dtype=object)[channel_codes]
    # officials: 2-15 per unit, Zipf-skewed workload
    per_unit = rng.integers(2, 16, n_units)
    first = np.concatenate([[0], np.cumsum(per_unit)[:-1]])
    pool = _officials(rng, int(per_unit.sum()))
    pick = np.minimum(rng.zipf(2.0, n) - 1, 1000) % per_unit[unit_idx]
    official = pool[first[unit_idx] + pick]
    official[rng.random(n) < missing_official] = None
    unit_ids = units["unit_id"].to_numpy(dtype=object)
    tag = quarter.replace("-", "")
    ids = np.array([f"{tag}-{i:08d}" for i in range(start_seq, start_seq + n)], dtype=object)
    return _objects(pd.DataFrame({
        "dossier_id": ids,
        "unit_id": unit_ids[unit_idx],
        "procedure": proc_names_arr[proc],
        "received_at": recv_at.astype("datetime64[ns]"),
        "due_at": due_at.astype("datetime64[ns]"),
        "finished_at": fin_at,
        "channel": channel,
        "contacts": pd.array(contacts, dtype="Int64"),
        "contacts_applicant": pd.array(applicant, dtype="Int64"),
        "agencies_contacted": pd.array(agencies, dtype="Int64"),
        "field_check": pd.array(field_check, dtype="boolean"),
        "official": official,
    }))


def _objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as ``object`` (what the loader produces), not pandas 3's inferred ``str``."""
    for col in frame.columns:
        if pd.api.types.is_string_dtype(frame[col].dtype) and frame[col].dtype != object:
            frame[col] = frame[col].astype(object)
    return frame


def make_self_assessment(units: pd.DataFrame, seed: int = 0, submit_share: float = 0.95) -> pd.DataFrame:
    """Self-scores i1..i9 (0-2, one decimal for per-dossier ones) for the units that submitted."""
    rng = np.random.default_rng(seed + 1)
    sub = units[rng.random(len(units)) < submit_share]
    n = len(sub)
    out = pd.DataFrame({"unit_id": sub["unit_id"].to_numpy(dtype=object)})
    for i in range(1, 10):
        if i in (5, 6, 8, 9):
            out[f"i{i}"] = rng.choice([1.0, 2.0], size=n, p=[0.3, 0.7])
        else:
            out[f"i{i}"] = np.round(rng.uniform(1.5, 2.0, n), 1)
    return _objects(out)


def make_unit_evidence(units: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 2)
    n = len(units)
    return _objects(pd.DataFrame({
        "unit_id": units["unit_id"].to_numpy(dtype=object),
        "desk_full_share": np.round(rng.uniform(0.1, 1.0, n), 2),
        "desk_share": np.where(rng.random(n) < 0.9, 1.0, 0.95),
        "posted": pd.array(rng.random(n) < 0.95, dtype="boolean"),
        "electronic": pd.array(rng.random(n) < 0.8, dtype="boolean"),
        "dvc34_share": np.round(rng.uniform(0.0, 0.6, n), 2),
    }))


def make_complaints(units: pd.DataFrame, dossiers: pd.DataFrame, quarter: str, seed: int = 0,
                    per_1000: float = 0.5) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 3)
    start, end = quarter_bounds(quarter)
    n = max(1, int(len(dossiers) * per_1000 / 1000))
    pick = rng.choice(len(dossiers), size=n, replace=False)
    recv = start + rng.integers(0, int((end - start) / DAY) + 1, n) * DAY
    due = recv + 10 * DAY
    answered = recv + rng.integers(1, 14, n) * DAY
    answered = np.where(rng.random(n) < 0.05, np.datetime64("NaT"), answered)
    return _objects(pd.DataFrame({
        "complaint_id": [f"PA{quarter.replace('-', '')}-{i:05d}" for i in range(n)],
        "unit_id": dossiers["unit_id"].to_numpy()[pick],
        "dossier_id": dossiers["dossier_id"].to_numpy()[pick],
        "received_at": recv.astype("datetime64[ns]"),
        "due_at": due.astype("datetime64[ns]"),
        "answered_at": answered.astype("datetime64[ns]"),
        "prolonged": pd.array(rng.random(n) < 0.02, dtype="boolean"),
        "about_conduct": pd.array(rng.random(n) < 0.2, dtype="boolean"),
        "verified_untrue": pd.array(rng.random(n) < 0.1, dtype="boolean"),
    }))


def make_surveys(units: pd.DataFrame, dossiers: pd.DataFrame, quarter: str, seed: int = 0,
                 share: float = 0.05) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 4)
    closed = dossiers[dossiers["finished_at"].notna()]
    n = max(1, int(len(closed) * share))
    pick = rng.choice(len(closed), size=n, replace=False)
    rows = closed.iloc[pick]
    online = (rows["channel"] == "truc_tuyen").to_numpy()
    sat = rng.choice(["rat_hai_long", "hai_long", "khong_hai_long"], size=n, p=[0.45, 0.52, 0.03])
    return _objects(pd.DataFrame({
        "form_id": [f"P{quarter.replace('-', '')}-{i:06d}" for i in range(n)],
        "form": np.where(online, "5", "4").astype(object),
        "unit_id": rows["unit_id"].to_numpy(),
        "dossier_id": rows["dossier_id"].to_numpy(),
        "submitted_at": rows["finished_at"].dt.normalize().to_numpy(),
        "satisfaction": sat.astype(object),
    }))


def make_quarter(units: pd.DataFrame, n: int, quarter: str = "2021-Q2", seed: int = 0,
                 open_share: float = 0.01) -> Quarterly:
    dossiers = make_dossiers(n, units, quarter, seed, open_share=open_share)
    return Quarterly(units, dossiers, make_self_assessment(units, seed), make_unit_evidence(units, seed),
                     make_complaints(units, dossiers, quarter, seed), make_surveys(units, dossiers, quarter, seed))


# --- exports: the one-stop system's layout (Vietnamese headers, text dates) ---------------------------------

def _vn_datetime(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%d/%m/%Y %H:%M").fillna("")


def export_dossiers(d: pd.DataFrame, units: pd.DataFrame, native_dates: bool = False) -> pd.DataFrame:
    """The dossiers as the one-stop system exports them: STT, Vietnamese headers, labels and dd/mm/yyyy
    text dates (``native_dates`` keeps datetimes, as an XLSX export carries them)."""
    names = dict(zip(units["unit_id"], units["unit_name"], strict=True))
    out = pd.DataFrame({"STT": np.arange(1, len(d) + 1)})
    for col, header in DOSSIER_HEADERS.items():
        if col == "unit_name":
            out[header] = d["unit_id"].map(names)
        elif col.endswith("_at"):
            out[header] = d[col] if native_dates else _vn_datetime(d[col])
        elif col == "channel":
            out[header] = d[col].map(CHANNEL_LABELS)
        elif col in ("contacts", "contacts_applicant", "agencies_contacted"):
            out[header] = d[col].astype("int64")
        else:
            out[header] = d[col].fillna("")
    return out


def export_units(units: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Mã đơn vị": units["unit_id"], "Tên đơn vị": units["unit_name"],
                         "Cấp": units["level"].map(LEVEL_LABELS)})


def _bool_text(s: pd.Series) -> pd.Series:
    return s.map({True: "x", False: ""}).fillna("")


#: The quarter tables ``write_quarter`` writes.
TABLES = ("dossiers", "self_assessment", "unit_evidence", "complaints", "surveys")


def write_xlsx(path: Path, frame: pd.DataFrame, sheet: str) -> None:
    """``frame`` as one sheet (header row, then the cells; datetimes as Excel dates), written with
    XlsxWriter's constant-memory mode: seconds for a million rows where pandas' openpyxl writer takes minutes."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet(sheet)
    when = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    ws.write_row(0, 0, [str(c) for c in frame.columns])
    columns = []
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            columns.append([None if v is pd.NaT else v for v in col.dt.to_pydatetime()])
        else:
            columns.append(col.astype(object).where(col.notna(), None).tolist())
    for r, values in enumerate(zip(*columns, strict=True), start=1):
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif hasattr(value, "year"):
                ws.write_datetime(r, c, value, when)
            else:
                ws.write_number(r, c, value)
    book.close()


def write_quarter(folder: Path, q: Quarterly, xlsx: bool = False, tables: tuple[str, ...] = TABLES) -> None:
    """Write one quarter folder: the ``tables`` named (dossiers, self_assessment, unit_evidence, complaints,
    surveys; all by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {
        "dossiers": export_dossiers(q.dossiers, q.units, native_dates=xlsx),
        "self_assessment": q.self_assessment.rename(
            columns={f"i{i}": f"Chỉ số {i}" for i in range(1, 10)} | {"unit_id": "Mã đơn vị"}),
        "unit_evidence": q.unit_evidence.assign(posted=_bool_text(q.unit_evidence["posted"]),
                                                electronic=_bool_text(q.unit_evidence["electronic"])),
        "complaints": q.complaints.assign(**{c: _vn_datetime(q.complaints[c]).str[:10]
                                             for c in ("received_at", "due_at", "answered_at")},
                                          **{c: _bool_text(q.complaints[c])
                                             for c in ("prolonged", "about_conduct", "verified_untrue")}),
        "surveys": q.surveys.assign(submitted_at=q.surveys["submitted_at"].dt.strftime("%Y-%m-%d"),
                                    satisfaction=q.surveys["satisfaction"].map(
                                        {"rat_hai_long": "Rất hài lòng", "hai_long": "Hài lòng",
                                         "khong_hai_long": "Không hài lòng"})),
    }
    for name, frame in frames.items():
        if name not in tables:
            continue
        if xlsx and name == "dossiers":
            write_xlsx(folder / f"{name}.xlsx", frame, "Danh sách hồ sơ")
        else:
            frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")
