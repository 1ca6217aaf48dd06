"""Reading what exports really look like: encodings, separators, title rows, merged headers, sheets,
numbering and total rows, and the Excel row number of every row."""

from __future__ import annotations

import codecs
from datetime import datetime

import pytest
from builders import corpus_builder

from tthc.input import reading, xlsx_reading
from tthc.input.contract import DOSSIERS, SELF_ASSESSMENT, UNITS
from tthc.input.findings import Findings
from tthc.input.reading import ROW, ReadError, read_table
from tthc.input.total_rows import is_total_word

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
    # the hidden sheet is not read, but named since it holds the table; the instructions sheet is named
    assert [(f.severity, f.code, f.file, f.row) for f in findings.items] == [
        ("warning", "sheet_hidden", "d.xlsx [Ẩn]", 1), ("info", "sheet", "d.xlsx", 1),
        ("info", "sheet_skipped", "d.xlsx [Hướng dẫn]", None)]


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


# ------------------------------------------------------------------ real exports that lie (issue 10)

FULL = ["STT", *HEADER]


def _rows(*rows):
    return [FULL, *[[str(i + 1), *r] for i, r in enumerate(rows)]]


@pytest.mark.parametrize("word", ["Tổng cộng", "TỔNG CỘNG:", "Cộng", "Tổng số: 58", "Tong cong", "Tổng 12",
                                  "tổng cộng (toàn huyện)", "Cộng chung", "Tổng số hồ sơ", "Cộng toàn huyện",
                                  "Tổng cộng - 58 hồ sơ", "Tong so ho so", "Cộng: Phòng Tư pháp"])
def test_total_words(word):
    assert is_total_word(word)


@pytest.mark.parametrize("text", ["Cổng", "Cổng DVC", "Tổng hợp", "Phòng Tổng hợp", "Cộng hoà", "cong chuc", "",
                                  "Tổng cục Thuế", "Cổng: 12", "Congo", None, 5])
def test_not_total_words(text):
    assert not is_total_word(text)


def test_a_column_saying_cong_on_every_row_keeps_every_dossier(tmp_path):
    # a real export lost 58 online dossiers: its "Nguồn" column said "Cổng" (the portal) on each of them
    rows = [[*HEADER, "Nguồn", "Ghi chú"], [*ROWS[0], "Cổng", "Cộng"], [*ROWS[1], "Cổng", "Tổng cộng"],
            ["D3", "H1", "03/04/2021", "13/04/2021", "", "CONG", "Tong"]]
    raw, findings = _read(_csv(tmp_path / "d.csv", rows))
    assert list(raw.frame["dossier_id"]) == ["D1", "D2", "D3"]
    assert not raw.dropped and not findings.items


def test_a_total_row_has_no_key_and_no_record(tmp_path):
    rows = _rows(ROWS[0], ROWS[1], ["Tổng cộng", "", "", "", ""], ["", "", "", "", ""])
    rows[3][0] = ""  # the total's STT cell is blank: the word sits in the key column
    rows[4][0] = "Cộng:"  # a second total, its word in the STT column, its keys blank
    raw, findings = _read(_csv(tmp_path / "d.csv", rows))
    assert list(raw.frame["dossier_id"]) == ["D1", "D2"]
    assert raw.dropped == {reading.REASON_TOTAL: 2}
    assert [(f.code, f.row) for f in findings.items] == [("total_row", 4), ("total_row", 5)]


def test_a_row_saying_total_that_is_a_record_is_never_set_aside(tmp_path):
    # keys blank but readable dates: a dossier whose id is missing goes on to the checks (a warning there)
    rows = _rows(ROWS[0], ["", "", "03/04/2021", "13/04/2021", ""], ROWS[1])
    rows[2][0] = "Tổng cộng"
    raw, findings = _read(_csv(tmp_path / "d.csv", rows))
    assert list(raw.frame[ROW]) == [2, 3, 4] and not raw.dropped and not findings.items


def test_a_total_row_whose_key_is_a_dossier_id_is_data(tmp_path):
    rows = [HEADER, ROWS[0], ["Tổng cộng", "", "", "", ""], ["D9", "H1", "05/04/2021", "15/04/2021", ""]]
    rows[2][1] = "H1"  # a unit key: the row names a unit, it is not a total
    raw, _ = _read(_csv(tmp_path / "d.csv", rows))
    assert list(raw.frame["dossier_id"]) == ["D1", "Tổng cộng", "D9"]


def test_rows_below_the_total_that_are_records_are_kept(tmp_path):
    rows = [HEADER, ROWS[0], ["Tổng cộng", "", "", "", ""], ROWS[1], ["", "X1", "04/04/2021", "14/04/2021", ""],
            ["", "Người lập biểu", "", "", ""], ["", "", "Nguyễn Văn A", "", ""]]
    raw, findings = _read(_csv(tmp_path / "d.csv", rows))
    assert list(raw.frame[ROW]) == [2, 4, 5]  # D2 and a keyless row with readable dates go on to the checks
    assert [(f.code, f.row) for f in findings.items] == [("total_row", 3), ("total_row", 6), ("total_row", 7)]


def test_total_rows_of_tables_without_required_dates(tmp_path):
    units = [["unit_id", "unit_name", "level"], ["H1", "Phòng Tư pháp", "huyen"], ["", "Tổng cộng", ""]]
    raw, _ = _read(_csv(tmp_path / "u.csv", units), UNITS)
    assert list(raw.frame["unit_id"]) == ["H1"] and raw.dropped == {reading.REASON_TOTAL: 1}
    scores = [["Mã đơn vị", "Tên đơn vị", "Chỉ số 1"], ["H1", "Phòng Tư pháp", "2"], ["", "Tổng cộng", "2"]]
    raw, _ = _read(_csv(tmp_path / "s.csv", scores), SELF_ASSESSMENT)
    assert list(raw.frame["unit_id"]) == ["H1"] and raw.dropped == {reading.REASON_TOTAL: 1}


def test_every_sheet_with_the_same_header_is_read_and_rows_keep_their_sheet(tmp_path):
    page2 = [["Mã đơn vị", "Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả"],  # columns reordered
             ["X1", "D3", "03/04/2021", "13/04/2021", ""], ["H1", "D4", "04/04/2021", "14/04/2021", ""],
             ["Tổng cộng", "", "", "", ""]]
    other = [["Mã đơn vị", "Số hồ sơ"], ["H1", 3]]
    path = _xlsx(tmp_path / "d.xlsx", {"Trang 1": [["DANH SÁCH"], [], HEADER, *ROWS], "Trang 2": page2,
                                        "Tổng hợp": other, "Ghi chú": [["Số liệu đến 30/6"]], "Trống": []})
    raw, findings = _read(path)
    assert list(raw.frame["dossier_id"]) == ["D1", "D2", "D3", "D4"]
    assert list(raw.frame["unit_id"]) == ["H1", "X1", "X1", "H1"]
    assert list(raw.frame[ROW]) == [4, 5, 2, 3]
    assert list(raw.frame[reading.FILE]) == ["d.xlsx [Trang 1]"] * 2 + ["d.xlsx [Trang 2]"] * 2
    assert [(p.sheet, p.label, p.header_row, len(p.frame), dict(p.dropped)) for p in raw.parts] == [
        ("Trang 1", "d.xlsx [Trang 1]", 3, 2, {}), ("Trang 2", "d.xlsx [Trang 2]", 1, 2, {reading.REASON_TOTAL: 1})]
    assert raw.dropped == {reading.REASON_TOTAL: 1} and raw.sheet == "Trang 1, Trang 2"
    assert [(f.severity, f.code, f.file, f.row) for f in findings.items] == [
        ("info", "sheet", "d.xlsx", None),
        ("warning", "sheet_skipped", "d.xlsx [Tổng hợp]", 1),
        ("info", "sheet_skipped", "d.xlsx [Ghi chú]", None),
        ("info", "total_row", "d.xlsx [Trang 2]", 4),
    ]
    assert "'Ngày tiếp nhận'" in findings.items[1].message  # what the skipped sheet lacks, as written


def test_one_matching_sheet_among_others_is_read_as_before(tmp_path):
    path = _xlsx(tmp_path / "d.xlsx", {"Hồ sơ": [HEADER, *ROWS], "Trống": []})
    raw, findings = _read(path)
    assert raw.sheet == "Hồ sơ" and not raw.parts and reading.FILE not in raw.frame
    assert not findings.items


def _far_xlsx(path, refs):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    for row in [HEADER, *ROWS]:
        ws.append(row)
    for ref in refs:
        ws[ref] = "x"
    book.save(path)
    return path


@pytest.mark.parametrize("refs,sparse", [(["XFD2"], False), (["BZ3"], False), (["AZ1", "XFD9"], False),
                                         (["XFD2", "C200000"], True), (["AZ1", "XFD200000"], True)])
def test_a_stray_far_cell_is_named_and_ignored(tmp_path, refs, sparse):
    import zipfile

    path = _far_xlsx(tmp_path / "d.xlsx", refs)
    with zipfile.ZipFile(path) as book:  # small extents go to calamine, large sparse ones cell by cell
        assert xlsx_reading._too_sparse(book, "xl/worksheets/sheet1.xml") == sparse
    raw, findings = _read(path)
    far = [f for f in findings.items if f.code == "far_cells"]
    assert len(far) == 1 and far[0].severity == "warning"
    assert (far[0].column, far[0].row) == (refs[0], int(refs[0].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")))
    outside = [r for r in refs if len(r.rstrip("0123456789")) > 1]
    assert f"Có {len(outside)} ô" in far[0].message
    kept = ["D1", "D2"] + (["x"] if "C200000" in refs else [])
    assert list(raw.frame["dossier_id"].fillna("x")) == kept and list(raw.frame[ROW])[:2] == [2, 3]


def test_a_stray_cell_near_the_table_is_an_unnamed_column(tmp_path):
    raw, findings = _read(_far_xlsx(tmp_path / "d.xlsx", ["P2"]))
    assert list(raw.frame["dossier_id"]) == ["D1", "D2"] and not findings.items


def test_a_stray_cell_far_below_is_a_row_of_its_own(tmp_path):
    raw, findings = _read(_far_xlsx(tmp_path / "d.xlsx", ["A1048576"]))
    assert list(raw.frame["dossier_id"]) == ["D1", "D2", "x"] and list(raw.frame[ROW]) == [2, 3, 1048576]
    assert not findings.items  # the checks say what is missing on that row


def test_a_stray_cell_at_the_last_cell_loads_in_little_memory(tmp_path):
    """calamine would allocate ~512 GB (and abort the process): read under a 1.5 GB address-space limit."""
    import subprocess
    import sys
    from pathlib import Path

    path = _far_xlsx(tmp_path / "d.xlsx", ["XFD1048576"])
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))\n"
        "from pathlib import Path\n"
        "from tthc.input.contract import DOSSIERS\n"
        "from tthc.input.findings import Findings\n"
        "from tthc.input.reading import read_table\n"
        "f = Findings()\n"
        "raw = read_table(Path(sys.argv[1]), DOSSIERS, f, 'd.xlsx')\n"
        "print(list(raw.frame['dossier_id']), [(x.code, x.row, x.column) for x in f.items])\n"
    )
    root = str(Path(reading.__file__).parent.parent)
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": root, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['D1', 'D2'] [('far_cells', 1048576, 'XFD1048576')]"


def test_stray_far_cells_are_trimmed_on_the_openpyxl_fallback_too(tmp_path, monkeypatch):
    def broken(_path):
        raise RuntimeError("calamine unavailable")

    monkeypatch.setattr(xlsx_reading, "_calamine_sheets", broken)
    raw, findings = _read(_far_xlsx(tmp_path / "d.xlsx", ["BZ3"]))
    assert list(raw.frame["dossier_id"]) == ["D1", "D2"] and [f.code for f in findings.items] == ["far_cells"]


@pytest.mark.parametrize("sep,note", [(",", "CMND; hộ khẩu; đơn; ảnh; biên lai; tờ khai; phiếu; sổ; giấy; bản sao"),
                                      (";", "CMND, hộ khẩu, đơn, ảnh, biên lai, tờ khai, phiếu, sổ, giấy, bản sao"),
                                      ("\t", "CMND, hộ khẩu; đơn, ảnh; biên lai, tờ khai; phiếu, sổ; giấy, bản sao")])
def test_the_separator_is_the_one_that_splits_the_header_into_known_columns(tmp_path, sep, note):
    rows = [[*HEADER, "Ghi chú"], [*ROWS[0], note], [*ROWS[1], ""]]
    text = "\n".join(sep.join(f'"{c}"' if sep in c else c for c in r) for r in rows) + "\n"
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    raw, findings = _read(path)
    assert list(raw.frame["dossier_id"]) == ["D1", "D2"] and raw.columns["due_at"] == "Ngày hẹn trả"
    assert not findings.items


def test_on_a_tie_the_separator_that_gives_the_data_the_header_s_width_wins(tmp_path):
    from tthc.input.csv_reading import choose_separator

    # each separator splits off one known name; only ';' gives every line the header's two fields
    text = "Mã hồ sơ;Ngày tiếp nhận,x\nD1;01/04/2021\nD2;02/04/2021\n"
    assert choose_separator(text, DOSSIERS) == ";"


def test_an_unquoted_separator_in_a_value_is_a_warning_on_its_row(tmp_path):
    rows = [HEADER, ROWS[0], ["D2", "X1", "02/04/2021", "12/04/2021", "", "Nguyễn Văn An", " chuyên viên"]]
    raw, findings = _read(_csv(tmp_path / "d.csv", rows))
    assert list(raw.frame["dossier_id"]) == ["D1", "D2"]
    [warning] = findings.items
    assert (warning.code, warning.row) == ("extra_fields", 3) and "7 ô" in warning.message


def test_an_encrypted_workbook_is_refused_in_vietnamese():
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "encrypted-dossiers.xlsx"  # made with msoffcrypto-tool
    with pytest.raises(ReadError, match="đặt mật khẩu") as caught:
        _read(path)
    assert "BadZipFile" not in str(caught.value) and "bản sao không đặt mật khẩu" in str(caught.value)


def test_an_excel_97_file_renamed_xlsx_and_an_xls_are_refused_in_vietnamese(tmp_path):
    renamed = tmp_path / "d.xlsx"
    renamed.write_bytes(xlsx_reading.OLE_MAGIC + bytes(504))
    with pytest.raises(ReadError, match="Excel 97-2003"):
        _read(renamed)
    xls = tmp_path / "d.xls"
    xls.write_bytes(xlsx_reading.OLE_MAGIC + bytes(504))
    with pytest.raises(ReadError, match="không được hỗ trợ.*Excel Workbook"):
        _read(xls)


def test_an_oversize_cell_is_refused_with_its_line_and_column(tmp_path):
    path = _csv(tmp_path / "d.csv", [HEADER, ROWS[0], ["D2", "X1" * 100_000, "02/04/2021", "12/04/2021", ""]])
    with pytest.raises(ReadError) as caught:
        _read(path)
    assert (caught.value.row, caught.value.column) == (3, "Mã đơn vị")
    assert "131.072 ký tự" in caught.value.detail and "32.767" in caught.value.detail
    assert str(caught.value).startswith("Tệp d.csv: dòng 3, cột 'Mã đơn vị': ")


def test_an_unclosed_quote_swallowing_records_is_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(",".join(HEADER) + '\nD1,H1,01/04/2021,10/04/2021,"08/04/2021\n' + ",".join(ROWS[1]) + "\n",
                    encoding="utf-8")
    with pytest.raises(ReadError) as caught:
        _read(path)
    assert (caught.value.row, caught.value.column) == (2, "Ngày có kết quả")
    assert "ngoặc kép" in caught.value.detail


def test_a_quoted_cell_with_line_breaks_is_data(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(",".join([*HEADER, "Ghi chú"]) + '\nD1,H1,01/04/2021,10/04/2021,,"Số 1, đường A\nphường B"\n'
                    + ",".join(ROWS[1]) + ',""\n', encoding="utf-8")
    raw, findings = _read(path)
    # rows as Excel shows the file: a cell with a line break stays in one row
    assert list(raw.frame["dossier_id"]) == ["D1", "D2"] and list(raw.frame[ROW]) == [2, 3]
    assert not findings.items


@pytest.mark.parametrize("content,words", [
    (b"<html><body><table><tr><td>M\xc3\xa3 h\xe1\xbb\x93 s\xc6\xa1</td></tr></table></body></html>", "trang web"),
    ("\ufeffMã hồ sơ,Mã đơn vị\nD1,H1\n".encode(), "tệp văn bản"),
    (b"PK\x03\x04 truncated", "không phải tệp .xlsx thật"),
])
def test_a_file_named_xlsx_that_is_something_else_is_refused_in_vietnamese(tmp_path, content, words):
    path = tmp_path / "d.xlsx"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=words) as caught:
        _read(path)
    assert "BadZipFile" not in str(caught.value) and "File is not a zip file" not in str(caught.value)


def test_a_later_page_without_its_header_is_a_warning(tmp_path):
    path = _xlsx(tmp_path / "d.xlsx", {"Trang 1": [HEADER, *ROWS], "Trang 2": [["D3", "X1", "03/04/2021", "13/04/2021"],
                                                                          ["D4", "H1", "04/04/2021", "14/04/2021"]]})
    raw, findings = _read(path)
    assert list(raw.frame["dossier_id"]) == ["D1", "D2"]
    assert [(f.severity, f.code, f.file) for f in findings.items] == [("warning", "sheet_skipped", "d.xlsx [Trang 2]")]


@pytest.mark.parametrize("text", ["a\r\nb\rc\nd", "a\n\nb\u2028c\n", "", "x"])
def test_the_error_pass_splits_lines_as_the_reader_does(text):
    import io

    from tthc.input.csv_reading import _lines

    assert list(_lines(text)) == list(io.StringIO(text, newline=""))


def test_total_rows_found_by_first_bytes_on_arrow_text_as_on_object_cells():
    import pandas as pd

    from tthc.input.cells import first_bytes
    from tthc.input.text_grid import text_column
    from tthc.input.total_rows import total_rows

    cells = ["Tổng cộng", " Tổng cộng", "\u00a0Cộng:", "\u3000tổng số 5", "\tCộng", "TỔNG CỘNG", "Cổng", "", "x",
             "Tổng cộng " + "x" * 40, "\u2003Tong cong", "Đăng ký", "Cộng hoà", "c", "ng", "é", "\u1680cộng"]
    body = pd.DataFrame({0: text_column(cells), 1: text_column([""] * len(cells))})
    frame = pd.DataFrame({"dossier_id": [None] * len(cells), "received_at": [None] * len(cells)})
    arrow = total_rows(body, frame, DOSSIERS)
    objects = total_rows(body.astype(object), frame, DOSSIERS)
    assert arrow == objects == [i for i, c in enumerate(cells) if len(c) <= 40 and is_total_word(c)]
    assert len(arrow) == 8
    leading = first_bytes(body[0].iloc[1:])  # a slice: its own cells only
    assert leading.tolist() == [c.encode()[0] if c else 0 for c in cells[1:]]
    assert first_bytes(body[0].astype(object)) is None
