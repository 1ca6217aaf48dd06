"""CSV and XLSX, canonical and Vietnamese headers, ISO and day-first dates give identical results."""

import pandas as pd
from builders import dossier, write_quarter

from tthc.run.outputs import csv_bytes
from tthc.schemes.tt01.engine import grade_quarter

VIETNAMESE = {
    "dossier_id": "Mã hồ sơ", "unit_id": "Mã đơn vị", "received_at": "Ngày tiếp nhận", "due_at": "Ngày hẹn trả",
    "finished_at": "Ngày có kết quả", "channel": "Hình thức nộp", "contacts": "Số lần bổ sung",
    "contacts_applicant": "Số lần do lỗi người nộp", "official": "Cán bộ xử lý",
}
CHANNEL_LABELS = {"truc_tiep": "Trực tiếp", "truc_tuyen": "Trực tuyến", "bcci": "Bưu chính công ích"}


def rows():
    return [
        dossier("D1"), dossier("D2", finished="2021-04-10", contacts=1, channel="truc_tiep"),
        dossier("D3", unit="X1", finished="2021-04-12", contacts=2, applicant=1, channel="bcci"),
        dossier("D4", unit="X1", finished="2021-05-02", due="2021-05-02", official="Lò Văn Sáng"),
        dossier("D5", unit="X1", finished="2021-07-02"),
    ]


def test_csv_and_xlsx_with_vietnamese_headers_give_identical_grades(tmp_path):
    canonical = write_quarter(tmp_path / "csv", rows())
    r1 = grade_quarter(canonical, "2021-Q2")

    viet = write_quarter(tmp_path / "xlsx", rows())
    frame = pd.DataFrame(rows())
    frame["channel"] = frame["channel"].map(CHANNEL_LABELS)
    for col in ("received_at", "due_at"):  # native Excel dates
        frame[col] = pd.to_datetime(frame[col])
    frame["finished_at"] = pd.to_datetime(frame["finished_at"]).dt.strftime("%d/%m/%Y 16:45")  # day-first text
    frame = frame.rename(columns=VIETNAMESE)
    (viet / "2021-Q2" / "dossiers.csv").unlink()
    with pd.ExcelWriter(viet / "2021-Q2" / "dossiers.xlsx") as writer:
        frame.to_excel(writer, index=False, sheet_name="Hồ sơ")
    r2 = grade_quarter(viet, "2021-Q2")

    assert csv_bytes(r1.grades) == csv_bytes(r2.grades)
    assert csv_bytes(r1.officials) == csv_bytes(r2.officials)
    a = r1.dossier_scores.drop(columns=["source_file"])
    b = r2.dossier_scores.drop(columns=["source_file"])
    assert csv_bytes(a) == csv_bytes(b)


def test_headers_match_ignoring_case_spaces_and_diacritics(tmp_path):
    root = write_quarter(tmp_path / "d", rows())
    frame = pd.read_csv(root / "2021-Q2" / "dossiers.csv")
    frame = frame.rename(columns={"dossier_id": "  MA HO SO ", "received_at": "ngay tiep nhan",
                                  "due_at": "NGÀY HẸN TRẢ", "finished_at": "Ngày Kết Thúc Xử Lý"})
    frame["unknown extra column"] = "kept and ignored"
    frame.to_csv(root / "2021-Q2" / "dossiers.csv", index=False, encoding="utf-8-sig")  # with a BOM
    r = grade_quarter(root, "2021-Q2")
    assert len(r.population) == 4


def test_booleans_decimals_and_text_numbers(tmp_path):
    selfs = [{"unit_id": "H1", **{f"i{n}": "2" for n in range(1, 10)}, "i5": "1,5"},
             {"unit_id": "X1", **{f"i{n}": 2 for n in range(1, 10)}}]
    evidence = [{"unit_id": "H1", "desk_full_share": "0,6", "desk_share": "100%", "posted": "có",
                 "electronic": "Không", "dvc34_share": "0.5"},
                {"unit_id": "X1", "desk_full_share": 1, "desk_share": 1, "posted": "x", "electronic": "true",
                 "dvc34_share": 0.5}]
    r = grade_quarter(write_quarter(tmp_path / "d", rows(), self_assessment=selfs, evidence=evidence), "2021-Q2")
    h1 = {s.number: s.points for s in r.units[0].scores}
    assert h1[5] == 2 and h1[6] == 1
    assert str(r.units[0].self_total) == "17.5"
