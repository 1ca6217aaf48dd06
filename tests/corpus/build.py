"""Build the corpus of bad input folders: one folder per problem, each a copy of a small valid quarter with
exactly one thing broken. ``index.yaml`` documents what ``tthc check`` must say about each.

    python tests/corpus/build.py            # (re)writes tests/corpus/cases/
    tthc check --quarter 2021-Q2 --data tests/corpus/cases/<case>

The bytes are deterministic (CSV written by hand, XLSX with fixed zip timestamps), so a test can verify
that the committed folders match this script.
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
QUARTER = "2021-Q2"

UNITS = [["unit_id", "unit_name", "level"],
         ["H1", "Phòng Tư pháp", "huyen"],
         ["H2", "Phòng Nội vụ", "huyen"],
         ["X1", "UBND xã Na Son", "xa"]]
DOSSIER_HEADER = ["Mã hồ sơ", "Mã đơn vị", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả", "Kênh",
                  "Số lần bổ sung", "Số lần do lỗi người nộp", "Cán bộ xử lý"]
DOSSIERS = [DOSSIER_HEADER,
            ["D1", "H1", "01/04/2021", "10/04/2021", "08/04/2021", "Trực tuyến", "0", "0", "Nguyễn Văn An"],
            ["D2", "H1", "02/04/2021", "12/04/2021", "09/04/2021", "Trực tuyến", "0", "0", "Nguyễn Văn An"],
            ["D3", "H2", "05/04/2021", "15/04/2021", "12/04/2021", "Trực tuyến", "0", "0", "Lê Thị Bình"],
            ["D4", "H2", "06/04/2021", "16/04/2021", "14/04/2021", "Trực tuyến", "0", "0", "Lê Thị Bình"],
            ["D5", "X1", "07/04/2021", "17/04/2021", "15/04/2021", "Trực tuyến", "0", "0", "Lò Văn Cường"],
            ["D6", "X1", "08/04/2021", "18/04/2021", "16/04/2021", "Trực tuyến", "0", "0", "Lò Văn Cường"]]
SELF = [["Mã đơn vị", *[f"Chỉ số {n}" for n in range(1, 10)]],
        *[[u, *["2"] * 9] for u in ("H1", "H2", "X1")]]
EVIDENCE = [["unit_id", "desk_full_share", "desk_share", "posted", "electronic", "dvc34_share"],
            *[[u, "1", "1", "x", "x", "0.5"] for u in ("H1", "H2", "X1")]]
SURVEYS = [["Mã phiếu", "Mẫu phiếu", "Mã đơn vị", "Mã hồ sơ", "Ngày đánh giá", "Mức độ hài lòng", "Số lần liên hệ"],
           ["P1", "5", "H1", "D1", "09/04/2021", "Rất hài lòng", "0"],
           ["P2", "4", "H2", "D3", "13/04/2021", "Hài lòng", "0"],
           ["P3", "4", "X1", "D5", "16/04/2021", "Hài lòng", ""]]
OVERRIDES_HEADER = ["scope", "id", "indicator", "points", "reason", "by"]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", sep: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n" if encoding.startswith("utf-16") else "\n",
               quoting=csv.QUOTE_MINIMAL).writerows(rows)
    text = buffer.getvalue()
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return (codecs.BOM_UTF8 if bom else b"") + text.encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None,
               hidden: tuple[str, ...] = (), cells: dict[str, dict[str, object]] | None = None) -> bytes:
    """A workbook of ``sheets`` (rows from A1); ``cells`` adds single cells by reference (a stray XFD2)."""
    # tthc first: importing it pins openpyxl's own XML writer (tthc/__init__.py)
    from tthc.run.excel import FIXED_TIME, _fix_zip  # noqa: I001
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    ws.cell(row=r, column=c, value=value)
        for ref, value in (cells or {}).get(name, {}).items():
            ws[ref] = value
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
        if name in hidden:
            ws.sheet_state = "hidden"
    book.properties.created = book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _fix_zip(buffer.getvalue())


def base() -> dict[str, bytes]:
    """The valid quarter: path inside the case folder → bytes."""
    q = QUARTER
    return {
        "units.csv": csv_bytes(UNITS),
        f"{q}/dossiers.csv": csv_bytes(DOSSIERS),
        f"{q}/self_assessment.csv": csv_bytes(SELF),
        f"{q}/unit_evidence.csv": csv_bytes(EVIDENCE),
        f"{q}/surveys.csv": csv_bytes(SURVEYS),
    }


def _edit(rows: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    """A copy with data row ``row`` (1 = first data row) and ``column`` (a header) changed."""
    out = [list(r) for r in rows]
    out[row][out[0].index(column)] = value
    return out


def _dossiers(**changes) -> bytes:
    rows = DOSSIERS
    for key, value in changes.items():
        row, column = key.split("__")
        rows = _edit(rows, int(row[1:]), column.replace("_", " "), value)
    return csv_bytes(rows)


D = f"{QUARTER}/dossiers.csv"
Q = QUARTER


def _drop_column(rows, column):
    i = rows[0].index(column)
    return [r[:i] + r[i + 1:] for r in rows]


#: case name → function(files) changing the valid quarter's files in place.
CASES_BUILD: dict[str, Callable[[dict[str, bytes]], None]] = {}


def case(fn):
    CASES_BUILD[fn.__name__] = fn
    return fn


@case
def ok(files):
    pass


@case
def missing_dossiers_file(files):
    del files[D]


@case
def missing_required_column(files):
    files[D] = csv_bytes(_drop_column(DOSSIERS, "Ngày hẹn trả"))


@case
def misspelled_header(files):
    rows = [list(r) for r in DOSSIERS]
    rows[0][rows[0].index("Ngày hẹn trả")] = "Ngày hẹn tra kq"
    files[D] = csv_bytes(rows)


@case
def both_csv_and_xlsx(files):
    files[f"{Q}/dossiers.xlsx"] = xlsx_bytes({"Sheet1": DOSSIERS})


@case
def xls_instead_of_xlsx(files):
    files[f"{Q}/dossiers.xls"] = files.pop(D)


@case
def unparseable_date(files):
    files[D] = csv_bytes(_edit(DOSSIERS, 2, "Ngày tiếp nhận", "ngày 2 tháng 4"))


@case
def nonexistent_date(files):
    files[D] = csv_bytes(_edit(DOSSIERS, 3, "Ngày có kết quả", "31/04/2021"))


@case
def due_before_received(files):
    files[D] = csv_bytes(_edit(DOSSIERS, 2, "Ngày hẹn trả", "01/04/2021"))


@case
def finished_before_received(files):
    files[D] = csv_bytes(_edit(DOSSIERS, 4, "Ngày có kết quả", "01/04/2021"))


@case
def date_out_of_range(files):
    files[D] = csv_bytes(_edit(DOSSIERS, 5, "Ngày tiếp nhận", "07/04/1921"))


@case
def required_blank(files):
    files[D] = csv_bytes(_edit(DOSSIERS, 1, "Mã hồ sơ", ""))


@case
def bad_count(files):
    files[D] = csv_bytes(_edit(DOSSIERS, 6, "Số lần bổ sung", "hai"))


@case
def duplicate_identical(files):
    files[D] = csv_bytes([*DOSSIERS, DOSSIERS[2]])


@case
def duplicate_conflicting(files):
    files[D] = csv_bytes([*DOSSIERS, _edit(DOSSIERS, 2, "Ngày có kết quả", "11/04/2021")[2]])


@case
def unknown_unit_id(files):
    files[D] = csv_bytes(_edit(DOSSIERS, 3, "Mã đơn vị", "H02"))


@case
def unknown_unit_name(files):
    rows = [list(r) for r in DOSSIERS]
    names = {"H1": "Phòng Tư pháp", "H2": "Phòng Nội vụ", "X1": "UBND xã Na Son"}
    rows[0][1] = "Đơn vị giải quyết"
    for r in rows[1:]:
        r[1] = names[r[1]]
    rows[4][1] = "Phong Noi vu huyen"
    files[D] = csv_bytes(rows)


@case
def duplicate_unit_in_registry(files):
    files["units.csv"] = csv_bytes([*UNITS, ["H2", "Phòng Nội vụ (cũ)", "huyen"]])


@case
def score_out_of_range(files):
    files[f"{Q}/self_assessment.csv"] = csv_bytes(_edit(SELF, 2, "Chỉ số 3", "2,5"))


@case
def score_not_in_tenths(files):
    files[f"{Q}/self_assessment.csv"] = csv_bytes(_edit(SELF, 1, "Chỉ số 6", "1.25"))


@case
def share_out_of_range(files):
    files[f"{Q}/unit_evidence.csv"] = csv_bytes(_edit(EVIDENCE, 3, "desk_share", "80"))


@case
def unknown_satisfaction(files):
    files[f"{Q}/surveys.csv"] = csv_bytes(_edit(SURVEYS, 2, "Mức độ hài lòng", "Hai long lam"))


@case
def survey_contradiction(files):
    files[f"{Q}/surveys.csv"] = csv_bytes(_edit(SURVEYS, 1, "Số lần liên hệ", "3"))


@case
def override_without_reason(files):
    files[f"{Q}/overrides.csv"] = csv_bytes([OVERRIDES_HEADER, ["dossier", "D1", "3", "1", "", "Trưởng phòng"]])


@case
def override_unknown_id(files):
    files[f"{Q}/overrides.csv"] = csv_bytes([OVERRIDES_HEADER, ["unit", "H9", "6", "1", "Kiểm tra thực tế", "TP"]])


@case
def self_score_gap(files):
    files[D] = csv_bytes(_edit(DOSSIERS, 1, "Ngày có kết quả", "12/04/2021"))


@case
def total_row(files):
    files[D] = csv_bytes([*DOSSIERS, ["Tổng cộng", "", "", "", "", "", "0", "0", ""]])


@case
def legacy_font_encoding(files):
    files[D] = _legacy_font(csv_bytes(DOSSIERS).decode("utf-8"))


@case
def windows_1258(files):
    rows = [[_to_1258(c) for c in r] for r in DOSSIERS]
    files[D] = "\n".join(",".join(r) for r in rows).encode("cp1258") + b"\n"


@case
def utf16_unicode_text(files):
    files[D] = csv_bytes(DOSSIERS, encoding="utf-16", sep="\t")


@case
def xlsx_title_rows_second_sheet(files):
    del files[D]
    sheet = [["UBND HUYỆN ĐIỆN BIÊN ĐÔNG"], ["DANH SÁCH HỒ SƠ QUÝ II NĂM 2021"], [], DOSSIERS[0],
             [f"({i})" for i in range(1, 10)], *DOSSIERS[1:], ["Tổng cộng"], [], [None, "Người lập biểu"]]
    files[f"{Q}/dossiers.xlsx"] = xlsx_bytes({"Hướng dẫn": [["Xem trang Hồ sơ"]], "Hồ sơ": sheet},
                                             {"Hồ sơ": ["A1:I1", "A2:I2"]})


@case
def injection_unit_name(files):
    files["units.csv"] = csv_bytes([*UNITS[:3], ["X1", '=HYPERLINK("http://evil.example","bấm")', "xa"]])


@case
def script_unit_name(files):
    files["units.csv"] = csv_bytes([*UNITS[:3], ["X1", "<script>alert(1)</script>", "xa"]])


# reading cases (issue 10)
FIXTURES = HERE.parent / "fixtures"
#: A column the export adds: where the dossier came from ("Cổng" = the portal, on every online dossier).
SOURCE = "Nguồn"


@case
def portal_column_and_total_row(files):
    rows = [[*DOSSIERS[0], SOURCE]] + [[*r, "Cổng"] for r in DOSSIERS[1:]]
    rows[3][-1] = "Một cửa"
    files[D] = csv_bytes([*rows, ["Tổng cộng", "", "", "", "", "", "0", "0", "", ""]])


@case
def sheets_split_over_pages(files):
    del files[D]
    title = [["UBND HUYỆN ĐIỆN BIÊN ĐÔNG"], ["DANH SÁCH HỒ SƠ (trang 1)"], []]
    summary = [["Đơn vị", "Số hồ sơ"], ["Phòng Tư pháp", 2], ["Phòng Nội vụ", 2], ["UBND xã Na Son", 2]]
    pages = {"Trang 1": [*title, *DOSSIERS[:4]], "Trang 2": [DOSSIERS[0], *DOSSIERS[4:]], "Tổng hợp": summary}
    files[f"{Q}/dossiers.xlsx"] = xlsx_bytes(pages)


@case
def far_stray_cell(files):
    del files[D]
    files[f"{Q}/dossiers.xlsx"] = xlsx_bytes({"Sheet1": DOSSIERS}, cells={"Sheet1": {"XFD1048576": "x"}})


@case
def semicolons_in_comma_csv(files):
    rows = [[*DOSSIERS[0], "Ghi chú"]] + [[*r, ""] for r in DOSSIERS[1:]]
    rows[2][-1] = "Bổ sung: CMND; hộ khẩu; giấy khai sinh; đơn; ảnh; xác nhận; biên lai; tờ khai; phiếu; sổ"
    files[D] = csv_bytes(rows)


@case
def unquoted_separator_in_value(files):
    text = csv_bytes(DOSSIERS).decode("utf-8").replace("Lê Thị Bình\n", "Lê Thị Bình, chuyên viên\n", 1)
    files[D] = text.encode("utf-8")


@case
def unclosed_quote(files):
    text = csv_bytes(DOSSIERS).decode("utf-8").replace(",Nguyễn Văn An\n", ',"Nguyễn Văn An\n', 1)
    files[D] = text.encode("utf-8")


@case
def encrypted_xlsx(files):
    del files[D]
    files[f"{Q}/dossiers.xlsx"] = (FIXTURES / "encrypted-dossiers.xlsx").read_bytes()


@case
def xls_optional_table(files):
    files[f"{Q}/surveys.xls"] = xlsx_bytes({"Sheet1": SURVEYS})
    del files[f"{Q}/surveys.csv"]


#: Bytes a legacy Vietnamese font (TCVN3, VNI) puts where Unicode has accented letters; read as Windows-1258
#: they are symbols (µ ¶ ¸ ¹ º ¼ ¾ © ®), as in a file typed with the ".VnTime" font.
_LEGACY_BYTES = bytes([0xB5, 0xB6, 0xB8, 0xB9, 0xBA, 0xBC, 0xBE, 0xA9, 0xAE])


def _legacy_font(text: str) -> bytes:
    return bytes(ord(ch) if ord(ch) < 128 else _LEGACY_BYTES[ord(ch) % len(_LEGACY_BYTES)] for ch in text)


def _to_1258(text: str) -> str:
    """Windows-1258 has the base letters (â, ơ, đ…) but writes the five tones as combining marks."""
    import unicodedata

    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in tones)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones)) + tone)
    return "".join(out)


# values/units/dates cases (issue 10)

#: A registry with two communes whose names differ only by their diacritics.
UNITS_LOOKALIKE = [*UNITS, ["X2", "UBND xã Nà Sơn", "xa"]]
UNIT_NAMES = {"H1": "Phòng Tư pháp", "H2": "Phòng Nội vụ", "X1": "UBND xã Na Son"}
#: The registry with numeric ids written with a leading zero (as typed in Excel with the column as Text).
ZERO_IDS = {"H1": "01", "H2": "02", "X1": "03"}
DATE_COLUMNS = ("Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả")


def _by_name(names: dict[str, str]) -> list[list[str]]:
    rows = [list(r) for r in DOSSIERS]
    rows[0][1] = "Đơn vị giải quyết"
    for r in rows[1:]:
        r[1] = names[r[1]]
    return rows


def _rekey(rows: list[list], column: int, ids: dict[str, object]) -> list[list]:
    return [rows[0], *[[*r[:column], ids[r[column]], *r[column + 1:]] for r in rows[1:]]]


def _dates(rows: list[list[str]], change: Callable[[str], object]) -> list[list]:
    out = [list(r) for r in rows]
    for r in out[1:]:
        for c in (out[0].index(h) for h in DATE_COLUMNS):
            r[c] = change(r[c]) if r[c] else r[c]
    return out


@case
def ambiguous_unit_name(files):
    files["units.csv"] = csv_bytes(UNITS_LOOKALIKE)
    files[D] = csv_bytes(_by_name({**UNIT_NAMES, "X1": "UBND xa Na Son"}))


@case
def exact_unit_name_beside_lookalike(files):
    files["units.csv"] = csv_bytes(UNITS_LOOKALIKE)
    files[D] = csv_bytes(_by_name(UNIT_NAMES))


@case
def unit_ids_lost_leading_zeros(files):
    files["units.csv"] = csv_bytes(_rekey(UNITS, 0, ZERO_IDS))
    del files[D]
    files[f"{Q}/dossiers.xlsx"] = xlsx_bytes({"Sheet1": _rekey(DOSSIERS, 1, {k: int(v) for k, v in ZERO_IDS.items()})})
    files[f"{Q}/self_assessment.csv"] = csv_bytes(_rekey(SELF, 0, {k: str(int(v)) for k, v in ZERO_IDS.items()}))
    files[f"{Q}/unit_evidence.csv"] = csv_bytes(_rekey(EVIDENCE, 0, ZERO_IDS))
    files[f"{Q}/surveys.csv"] = csv_bytes(_rekey(SURVEYS, 2, ZERO_IDS))


@case
def ambiguous_unit_id_zeros(files):
    files["units.csv"] = csv_bytes([*_rekey(UNITS, 0, {"H1": "1", "H2": "2", "X1": "01"})])
    files[D] = csv_bytes(_rekey(DOSSIERS, 1, {"H1": "001", "H2": "2", "X1": "01"}))
    files[f"{Q}/self_assessment.csv"] = csv_bytes(_rekey(SELF, 0, {"H1": "1", "H2": "2", "X1": "01"}))
    files[f"{Q}/unit_evidence.csv"] = csv_bytes(_rekey(EVIDENCE, 0, {"H1": "1", "H2": "2", "X1": "01"}))
    files[f"{Q}/surveys.csv"] = csv_bytes(_rekey(SURVEYS, 2, {"H1": "1", "H2": "2", "X1": "01"}))


def _month_first(text: str) -> str:
    day, month, year = text.split("/")
    return f"{month}/{day}/{year}"


@case
def month_first_dates(files):
    files[D] = csv_bytes(_dates(DOSSIERS, _month_first))


@case
def date_order_conflict(files):
    rows = _edit(DOSSIERS, 3, "Ngày hẹn trả", "04/15/2021")  # 15 April written month-first among day-first
    files[D] = csv_bytes(rows)


@case
def dates_mostly_unreadable(files):
    files[D] = csv_bytes(_dates(DOSSIERS, lambda t: f"{int(t[:2])}/{int(t[3:5])}/{t[8:]}"))  # 1/4/21: short year


@case
def excel_locale_mixup(files):
    """The day-first CSV opened in a month-first Excel and saved: dates with a day up to 12 became Excel dates
    with day and month swapped, the others stayed text."""
    from datetime import datetime

    def excel(text: str) -> object:
        day, month, year = (int(x) for x in text.split("/"))
        return datetime(year, day, month) if day <= 12 else text

    del files[D]
    files[f"{Q}/dossiers.xlsx"] = xlsx_bytes({"Sheet1": _dates(DOSSIERS, excel)})


@case
def finish_time_24(files):
    files[D] = csv_bytes(_edit(DOSSIERS, 2, "Ngày có kết quả", "09/04/2021 24:00"))


@case
def formula_without_value(files):
    del files[D]
    rows = [list(r) for r in DOSSIERS]
    rows[4][4] = "=DATE(2021,4,14)"  # openpyxl writes the formula with no cached value, as scripts do
    files[f"{Q}/dossiers.xlsx"] = xlsx_bytes({"Sheet1": rows})


@case
def no_date_sentinel(files):
    files[D] = csv_bytes(_edit(DOSSIERS, 2, "Ngày có kết quả", "31/12/9999"))


@case
def year_out_of_range(files):
    rows = _edit(DOSSIERS, 1, "Ngày có kết quả", "2300-04-08")
    files[D] = csv_bytes(_edit(rows, 5, "Ngày tiếp nhận", "07/04/0021"))


@case
def native_dates_out_of_range_xlsx(files):
    from datetime import datetime

    del files[D]
    rows = _dates(DOSSIERS, lambda t: datetime(int(t[6:]), int(t[3:5]), int(t[:2])))
    rows[2][4] = datetime(9999, 12, 31)
    rows[4][4] = datetime(2300, 4, 14)
    files[f"{Q}/dossiers.xlsx"] = xlsx_bytes({"Sheet1": rows})


@case
def complaint_answer_unreadable(files):
    files[f"{Q}/complaints.csv"] = csv_bytes([
        ["Mã phản ánh", "Mã đơn vị", "Ngày tiếp nhận", "Hạn trả lời", "Ngày trả lời", "Kéo dài"],
        ["PA1", "H1", "02/04/2021", "12/04/2021", "10/04/2021", "0"],
        ["PA2", "H1", "05/04/2021", "15/04/2021", "31/04/2021", "0"],
    ])


def build(target: Path = CASES) -> list[str]:
    if target.exists():
        shutil.rmtree(target)
    for name, change in CASES_BUILD.items():
        files = base()
        change(files)
        for rel, data in sorted(files.items()):
            path = target / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return list(CASES_BUILD)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent))
    names = build(Path(sys.argv[1]) if len(sys.argv) > 1 else CASES)
    print(f"{len(names)} cases in {CASES if len(sys.argv) < 2 else sys.argv[1]}")
