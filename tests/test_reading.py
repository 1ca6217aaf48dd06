"""Reading what exports really look like: encodings, separators, title rows, merged headers, sheets,
numbering and total rows, and the Excel row number of every row."""

from __future__ import annotations

import codecs
from datetime import datetime

import pytest
from builders import corpus_builder

from tthc import reading, xlsx_reading
from tthc.contract import DOSSIERS, UNITS
from tthc.findings import Findings
from tthc.reading import ROW, ReadError, read_table

HEADER = ["Mã hồ sơ", "Mã đơn vị", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả"]
ROWS = [["D1", "H1", "01/04/2021", "10/04/2021", "08/04/2021"],
        ["D2", "X1", "02/04/2021", "12/04/2021", ""]]


def _csv(path, rows, encoding="utf-8", sep=",", bom=b""):
    text = "\n".join(sep.join(r) for r in rows) + "\n"
    path.write_bytes(bom + text.encode(encoding))
    return path


def _read(path, table=DOSSIERS):
    findings = Findings()
    raw = read_table(path, table, findings, path.name)
    return raw, findings


def _xlsx(path, sheets, merges=None, hidden=()):
    path.write_bytes(corpus_builder().xlsx_bytes(sheets, merges, tuple(hidden)))
    return path


@pytest.mark.parametrize("encoding,bom,sep", [
    ("utf-8", b"", ","), ("utf-8", codecs.BOM_UTF8, ","), ("utf-8", b"", ";"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "\t"), ("utf-16-be", codecs.BOM_UTF16_BE, "\t"),
    ("utf-16-le", b"", "\t"),
])
def test_csv_encodings_and_separators(tmp_path, encoding, bom, sep):
    raw, findings = _read(_csv(tmp_path / "d.csv", [HEADER, *ROWS], encoding, sep, bom))
    assert raw.columns["received_at"] == "Ngày tiếp nhận"
    assert list(raw.frame["dossier_id"]) == ["D1", "D2"]
    assert list(raw.frame[ROW]) == [2, 3]
    assert not findings.items


def test_windows_1258_is_read_with_a_finding(tmp_path):
    # Windows-1258 writes the tone of "Mã" as a combining tilde after "a"
    text = "M\u00e3 h\u00f4\u0300 s\u01a1,M\u00e3 \u0111\u01a1n vi\u0323,Ng\u00e0y ti\u00ea\u0301p nh\u00e2\u0323n,"
    text += "Ng\u00e0y he\u0323n tra\u0309\nD1,H1,01/04/2021,10/04/2021\n"
    text = text.replace("\u00e3", "a\u0303")
    path = tmp_path / "d.csv"
    path.write_bytes(text.encode("cp1258"))
    raw, findings = _read(path)
    assert set(raw.columns) >= {"dossier_id", "unit_id", "received_at", "due_at"}
    assert raw.columns["dossier_id"] == "Mã hồ sơ"  # recomposed (NFC)
    assert [f.code for f in findings.items] == ["encoding"]


def test_legacy_font_encoding_is_refused_clearly(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"M\xb8 h\xe5 s\xa1,M\xb8 \xae\xa1n v\xfb\nD1,H1\n")
    with pytest.raises(ReadError, match="TCVN3/VNI"):
        _read(path)


def test_ragged_csv_with_title_lines(tmp_path):
    path = _csv(tmp_path / "d.csv", [["DANH SÁCH HỒ SƠ"], [""], HEADER, *ROWS, [""], [""]])
    raw, _ = _read(path)
    assert raw.header_row == 3
    assert list(raw.frame[ROW]) == [4, 5]


def test_xlsx_title_rows_and_excel_row_numbers(tmp_path):
    path = _xlsx(tmp_path / "d.xlsx", {"S": [["UBND HUYỆN"], ["BÁO CÁO"], [], HEADER, *ROWS]},
                 {"S": ["A1:E1"]})
    raw, findings = _read(path)
    assert raw.header_row == 4 and raw.sheet == "S"
    assert list(raw.frame[ROW]) == [5, 6]
    assert not findings.items


def test_xlsx_merged_two_row_header(tmp_path):
    top = ["Mã hồ sơ", "Mã đơn vị", "Thời gian", None, None]
    sub = [None, None, "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả"]
    path = _xlsx(tmp_path / "d.xlsx", {"S": [["TIÊU ĐỀ"], top, sub, *ROWS]},
                 {"S": ["A2:A3", "B2:B3", "C2:E2"]})
    raw, _ = _read(path)
    assert raw.header_row == 3
    assert {"dossier_id", "unit_id", "received_at", "due_at", "finished_at"} <= set(raw.columns)
    assert list(raw.frame["dossier_id"]) == ["D1", "D2"] and list(raw.frame[ROW]) == [4, 5]


def test_xlsx_group_header_joined_with_sub_header(tmp_path):
    # "Ngày" over "tiếp nhận" / "có kết quả": each name only makes sense joined
    top = ["Mã hồ sơ", "Mã đơn vị", "Ngày", None]
    sub = [None, None, "tiếp nhận", "có kết quả"]
    path = _xlsx(tmp_path / "d.xlsx", {"S": [top, sub, ["D1", "H1", "01/04/2021", "10/04/2021"]]},
                 {"S": ["A1:A2", "B1:B2", "C1:D1"]})
    raw, _ = _read(path)
    assert raw.columns["received_at"] == "Ngày tiếp nhận" and raw.columns["finished_at"] == "Ngày có kết quả"


def test_xlsx_vertically_merged_data_cells_belong_to_every_row(tmp_path):
    rows = [HEADER, ["D1", "H1", "01/04/2021", "10/04/2021", ""], ["D2", None, "02/04/2021", "12/04/2021", ""]]
    path = _xlsx(tmp_path / "d.xlsx", {"S": rows}, {"S": ["B2:B3"]})
    raw, _ = _read(path)
    assert list(raw.frame["unit_id"]) == ["H1", "H1"]


def test_xlsx_data_on_a_later_sheet_hidden_sheets_ignored(tmp_path):
    path = _xlsx(tmp_path / "d.xlsx", {"Hướng dẫn": [["Xem trang sau"]], "Ẩn": [HEADER, ["X", "H1", "", "", ""]],
                                       "Hồ sơ": [HEADER, *ROWS]}, hidden=("Ẩn",))
    raw, findings = _read(path)
    assert raw.sheet == "Hồ sơ" and list(raw.frame["dossier_id"]) == ["D1", "D2"]
    # the instructions sheet is named as not read (info); the hidden sheet is not read and not named
    assert [(f.severity, f.code, f.file) for f in findings.items] == [
        ("info", "sheet", "d.xlsx"), ("info", "sheet_skipped", "d.xlsx [Hướng dẫn]")]


def test_native_excel_dates_and_numbers_are_kept_raw(tmp_path):
    rows = [HEADER, ["D1", "H1", datetime(2021, 4, 1, 8, 30), datetime(2021, 4, 10), 44300]]
    raw, _ = _read(_xlsx(tmp_path / "d.xlsx", {"S": rows}))
    assert isinstance(raw.frame.at[0, "received_at"], datetime)
    assert raw.frame.at[0, "finished_at"] == 44300


def test_numbering_row_total_row_and_signatures_are_set_aside(tmp_path):
    rows = [HEADER, ["(1)", "(2)", "(3)", "(4)", "(5)"], *ROWS, ["Tổng cộng", "", "", "", ""], [],
            ["", "", "Người lập biểu", "", ""], ["", "", "Nguyễn Văn A", "", ""]]
    raw, findings = _read(_csv(tmp_path / "d.csv", rows))
    assert list(raw.frame["dossier_id"]) == ["D1", "D2"]
    assert raw.dropped == {reading.REASON_NUMBERING: 1, reading.REASON_TOTAL: 3}
    assert [(f.code, f.row) for f in findings.items] == [("numbering_row", 2), ("total_row", 5),
                                                          ("total_row", 7), ("total_row", 8)]


def test_subtotal_rows_inside_the_data_are_dropped_but_data_after_them_kept(tmp_path):
    rows = [HEADER, ROWS[0], ["Cộng", "", "", "", ""], ROWS[1], ["Tổng cộng", "", "", "", ""]]
    raw, findings = _read(_csv(tmp_path / "d.csv", rows))
    assert list(raw.frame["dossier_id"]) == ["D1", "D2"]
    assert [f.row for f in findings.items if f.code == "total_row"] == [3, 5]


def test_a_unit_named_like_a_total_is_not_a_total_row(tmp_path):
    rows = [["unit_id", "unit_name", "level"], ["T1", "Phòng Tổng hợp", "huyen"]]
    raw, findings = _read(_csv(tmp_path / "u.csv", rows), UNITS)
    assert len(raw.frame) == 1 and not findings.items


def test_openpyxl_fallback_when_calamine_fails(tmp_path, monkeypatch):
    path = _xlsx(tmp_path / "d.xlsx", {"S": [["TIÊU ĐỀ"], HEADER, *ROWS]}, {"S": ["A1:E1"]})

    def broken(_path):
        raise RuntimeError("calamine unavailable")

    monkeypatch.setattr(xlsx_reading, "_calamine_sheets", broken)
    raw, _ = _read(path)
    assert raw.header_row == 2 and list(raw.frame["dossier_id"]) == ["D1", "D2"]


def test_corrupt_xlsx_and_unknown_suffix_are_read_errors(tmp_path):
    bad = tmp_path / "d.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ReadError, match="không mở được tệp Excel"):
        _read(bad)
    other = tmp_path / "d.ods"
    other.write_bytes(b"")
    with pytest.raises(ReadError, match="không được hỗ trợ"):
        _read(other)


def test_no_header_found_is_a_read_error_and_empty_file_is_empty(tmp_path):
    with pytest.raises(ReadError, match="không tìm thấy dòng tiêu đề"):
        _read(_csv(tmp_path / "d.csv", [["a", "b"], ["1", "2"]]))
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    raw, _ = _read(empty)
    assert raw.frame.empty


def test_nul_bytes_are_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("Mã hồ sơ,Mã đơn vị\nD1\x00,H1\n".encode())
    with pytest.raises(ReadError, match="NUL"):
        _read(path)
