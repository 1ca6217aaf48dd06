"""A quarter folder under the index read from files: the v2 columns and Vietnamese headers, the index's own
files, bad cells as findings with file, row and column, and row accounting (DATA_CONTRACT v2)."""

from decimal import Decimal

import pytest
from nd118_helpers import RULES
from openpyxl import Workbook

from tthc.input.findings import InputError
from tthc.quarter import Quarter
from tthc.schemes.nd118 import grade_index_quarter, load_index_quarter

Q = Quarter.parse("2025-Q3")
UNITS_CSV = ("Mã đơn vị,Tên đơn vị,Cấp,Chứng thực điện tử\n"
             "S01,Sở Tư pháp,Cấp tỉnh,\nX01,Xã An Bình,Cấp xã,x\nX02,Phường Hòa,phuong,0\n"
             "X03,Đặc khu Đảo Ngọc,dac_khu,có\nH01,Huyện Cũ,huyen,\n")
HEADER = ("Mã hồ sơ,Mã đơn vị,Tên thủ tục,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Hình thức nộp,Đồng bộ DVCQG,"
          "Có phí,Thanh toán trực tuyến,Kết quả điện tử,Đã số hóa,Tái sử dụng dữ liệu,Dữ liệu dân cư,Đánh giá\n")
DOSSIERS = [
    "S01-1,S01,Cấp phiếu lý lịch tư pháp,05/07/2025 08:30,15/07/2025,14/07/2025,Trực tuyến,1,có,x,1,1,,1,Hài lòng",
    "S01-2,S01,Cấp phiếu lý lịch tư pháp,06/07/2025,16/07/2025,18/07/2025,Trực tiếp,maybe,có,,1,1,,1,Không hài lòng",
    "S01-3,S01,Chứng thực,20/06/2025,01/07/2025,30/06/2025,Trực tiếp,1,,,1,1,1,1,",
    "X01-1,X01,Đăng ký khai sinh,01/08/2025,05/08/2025,04/08/2025,Trực tuyến,1,,,1,,,1,Rất hài lòng",
    "X03-1,X03,Đăng ký kết hôn,02/08/2025,06/08/2025,,Trực tiếp,,,,,,,,",
    "H01-1,H01,Cấp giấy phép xây dựng,03/08/2025,20/08/2025,10/08/2025,Trực tiếp,1,1,1,1,1,1,1,Hài lòng",
]
COMPLAINTS = ("Mã phản ánh,Mã đơn vị,Mã hồ sơ,Ngày tiếp nhận,Hạn trả lời,Ngày trả lời,Không hài lòng,"
              "Tiếp tục phản ánh\n"
              "PA1,S01,S01-1,10/07/2025,20/07/2025,15/07/2025,,\n"
              "PA2,S01,,11/07/2025,21/07/2025,25/07/2025,x,\n")


@pytest.fixture
def folder(tmp_path):
    data = tmp_path / "tinh"
    quarter = data / "2025-Q3"
    quarter.mkdir(parents=True)
    (data / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    (quarter / "dossiers.csv").write_text(HEADER + "\n".join(DOSSIERS) + "\n", encoding="utf-8-sig")
    (quarter / "complaints.csv").write_text(COMPLAINTS, encoding="utf-8")
    book = Workbook()
    sheet = book.active
    for row in (["Mã đơn vị", "Mã chỉ tiêu", "Tử số", "Mẫu số"], ["*", "1.1", 9, 10], ["S01", "FULL", 3, 4],
                ["X01", "5.7", "abc", 4], ["X01", "3.1", -2, 4], ["X02", "PUBLIC_CONTENT_FULL", 5, 3]):
        sheet.append(row)
    book.save(quarter / "index_evidence.xlsx")
    return data


def test_the_v2_columns_and_headers_are_read(folder):
    loaded = load_index_quarter(folder, Q, RULES)
    frame = loaded.tables["dossiers"]
    assert "data_store_linked" not in frame and "rating" in frame and "synced_on_time" in frame
    assert list(loaded.units["level"]) == ["tinh", "xa", "xa", "xa", "huyen"]
    assert list(loaded.units["e_certified_copy"]) == [False, True, False, True, False]
    assert set(loaded.tables["complaints"]) >= {"rated_unsatisfied", "re_raised"}
    bad_bool = next(f for f in loaded.findings.items if f.code == "bad_bool")
    assert (bad_bool.file, bad_bool.row, bad_bool.column, bad_bool.value) == (
        "2025-Q3/dossiers.csv", 3, "Đồng bộ DVCQG", "maybe")
    bad_counts = sorted((f.row, f.column, f.value) for f in loaded.findings.items if f.code == "bad_count")
    assert bad_counts == [(4, "Tử số", "abc"), (5, "Tử số", "-2")]
    assert all(f.file == "2025-Q3/index_evidence.xlsx" for f in loaded.findings.items if f.code == "bad_count")
    assert loaded.accounting["2025-Q3/index_evidence.xlsx"] == {
        "rows": 5, "used": 3, "excluded": {"giá trị không đọc được": 2}}
    assert any(f.code == "missing_file" and "portal_scores" in f.message for f in loaded.findings.items)


def test_a_quarter_folder_graded_end_to_end(folder):
    result = grade_index_quarter(folder, Q, RULES)
    s01 = result.unit("S01")
    # N = 2 (S01-3 came before the period); on time: S01-1 only → 20 × 1/2
    assert s01.dossiers == 2 and s01.component("2.1").points == Decimal("10.00")
    assert s01.component("1.4").numerator == 1  # 'maybe' was left blank by the loader: not synced
    assert s01.component("5.5").source == "missing" and "'data_store_linked'" in s01.component("5.5").reason
    assert s01.component("3.1").points == Decimal("1.88")   # 2 × (3/4)/0.8, from the 'FULL' row
    # communes (xa, phường, đặc khu): X01 and X03 of three offer electronic certified copies → 2 × 2/3
    assert {u.component("5.3").points for u in result.units} == {Decimal("1.33")}
    # 6.3: S01-1 on time, named by PA1 → not; S01-2 late → not: 0 of 2
    assert s01.component("6.3").numerator == 0
    assert s01.component("6.2").numerator == 1 and s01.component("6.1").numerator == 1
    ranks = {u.unit_id: u.rank for u in result.units}
    assert ranks["H01"] is None and ranks["X03"] is not None and result.unit("X03").level == "xa"
    assert any(f.code == "nd118_abolished_level" and f.file == "units.csv" and f.row == 6
               for f in result.findings.items)
    # the X02 evidence row (5 above 3) is refused with its row
    above = next(f for f in result.findings.items if f.code == "nd118_numerator_above")
    assert (above.file, above.row) == ("2025-Q3/index_evidence.xlsx", 6)
    accounting = result.accounting
    assert accounting["2025-Q3/dossiers.csv"] == {"rows": 6, "used": 5,
                                                  "excluded": {"tiếp nhận ngoài kỳ (không thuộc N)": 1}}
    assert accounting["2025-Q3/index_evidence.xlsx"]["used"] == 2
    assert sum(accounting["2025-Q3/index_evidence.xlsx"]["excluded"].values()) == 3


def test_two_portal_files_are_an_input_error(folder):
    (folder / "2025-Q3" / "portal_scores.csv").write_text("unit_id,component,score\nS01,2.1,1\n", encoding="utf-8")
    (folder / "2025-Q3" / "portal_scores.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="portal_scores"):
        load_index_quarter(folder, Q, RULES)


def test_a_province_id_that_is_also_a_unit_is_an_input_error(folder):
    with pytest.raises(InputError, match="province_unit_id"):
        grade_index_quarter(folder, Q, RULES, province_unit_id="S01")
