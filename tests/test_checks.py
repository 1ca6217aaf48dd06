"""The corpus of bad inputs (tests/corpus): each case gives exactly the finding or error it documents; the
check command's exit codes, findings order and row accounting; security of outputs."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from builders import corpus_builder

from tthc.cli import main
from tthc.input.findings import ERROR, INFO, WARNING
from tthc.parameters.policies import resolve_policies
from tthc.parameters.ruleset import ruleset_for
from tthc.quarter import Quarter
from tthc.run.check import check_quarter
from tthc.run.outputs import render
from tthc.schemes.tt01.engine import grade_quarter
from tthc.schemes.tt01.gaps import gap_findings

CORPUS = Path(__file__).parent / "corpus"
INDEX = yaml.safe_load((CORPUS / "index.yaml").read_text(encoding="utf-8"))
QUARTER = Quarter.parse("2021-Q2")
RULES = ruleset_for(QUARTER.bounds()[0])
POLICIES = resolve_policies(RULES)


def test_every_built_case_is_documented_and_committed_folders_match_the_builder(tmp_path):
    build = corpus_builder()
    names = build.build(tmp_path / "cases")
    assert sorted(names) == sorted(INDEX), "index.yaml and build.py disagree on the cases"
    for name in names:
        fresh = {p.relative_to(tmp_path / "cases" / name): p.read_bytes()
                 for p in sorted((tmp_path / "cases" / name).rglob("*")) if p.is_file()}
        committed = {p.relative_to(CORPUS / "cases" / name): p.read_bytes()
                     for p in sorted((CORPUS / "cases" / name).rglob("*")) if p.is_file()}
        assert fresh == committed, f"{name}: run tests/corpus/build.py"


@pytest.mark.parametrize("case", sorted(INDEX))
def test_corpus_case_gives_its_documented_findings(case):
    spec = INDEX[case]
    inputs, used = check_quarter(CORPUS / "cases" / case, QUARTER, RULES, POLICIES)
    found = inputs.findings.items
    exit_code = 2 if any(f.severity == ERROR for f in found) else 0
    assert exit_code == spec["exit"], [str(f) for f in found if f.severity == ERROR]
    for want in spec["expect"]:
        hits = [f for f in found if (f.severity, f.code, f.file, f.row, f.column)
                == (want["severity"], want["code"], want["file"], want["row"], want["column"])]
        assert hits, f"{case}: no {want} in {[(f.severity, f.code, f.file, f.row, f.column) for f in found]}"
        if "suggestion" in want:
            assert hits[0].suggestion == want["suggestion"]
        assert hits[0].message
    if spec.get("only"):
        expected = {(w["severity"], w["code"], w["file"], w["row"], w["column"]) for w in spec["expect"]}
        extra = [f for f in found if f.severity in (ERROR, WARNING)
                 and (f.severity, f.code, f.file, f.row, f.column) not in expected]
        assert not extra, [str(f) for f in extra]
    if used is not None:  # graded: the row accounting identity holds against what was really used
        for label, acc in inputs.accounting.items():
            assert acc.read == acc.used + sum(acc.excluded.values())
            assert used.get(label, acc.used) == acc.used, label


@pytest.mark.parametrize("case,code", [("ok", 0), ("missing_required_column", 2), ("legacy_font_encoding", 2),
                                       ("xlsx_title_rows_second_sheet", 0)])
def test_check_command_exit_code_and_summary(case, code, capsys):
    assert main(["check", "--quarter", "2021-Q2", "--data", str(CORPUS / "cases" / case)]) == code
    out = capsys.readouterr().out
    assert "Đối chiếu số dòng (đọc = dùng + loại):" in out
    assert "Kết quả:" in out
    if case == "xlsx_title_rows_second_sheet":
        assert "2021-Q2/dossiers.xlsx: đọc 9 = dùng 6 + loại 3" in out
        assert "loại 2: dòng tổng cộng hoặc chân bảng" in out


def test_check_rejects_bad_quarter_and_profile(capsys):
    assert main(["check", "--quarter", "2021-Q2/../../x", "--data", str(CORPUS / "cases" / "ok")]) == 2
    assert main(["check", "--quarter", "2021-Q2", "--profile", "../../etc"]) == 2
    err = capsys.readouterr().err
    assert "Quý" in err and "profile" in err


def test_findings_are_stable_and_in_row_order():
    def codes():
        inputs, _ = check_quarter(CORPUS / "cases" / "xlsx_title_rows_second_sheet", QUARTER, RULES, POLICIES)
        return [(f.code, f.file, f.row, f.column) for f in inputs.findings.items]

    first = codes()
    assert first == codes()
    rows = [r for _c, f, r, _col in first if f.endswith("dossiers.xlsx") and r is not None]
    assert rows == sorted(rows)


def test_gap_findings_severity_by_size():
    result = grade_quarter(CORPUS / "cases" / "self_score_gap", QUARTER)
    gaps = {(f.column, f.severity) for f in gap_findings(result)}
    # D1 finished late: i1, i2, i7 appraised 1.0 (2 dossiers: 0 and 2) against a self-score of 2
    assert ("Chỉ số 1", WARNING) in gaps
    result = grade_quarter(CORPUS / "cases" / "score_not_in_tenths", QUARTER)
    small = [f for f in gap_findings(result) if f.column == "Chỉ số 6"]
    assert small and small[0].severity == INFO


def test_missing_column_is_an_error_that_stops_grade(tmp_path, capsys):
    code = main(["grade", "--quarter", "2021-Q2", "--data", str(CORPUS / "cases" / "missing_required_column"),
                 "--out", str(tmp_path / "out")])
    assert code == 2 and not (tmp_path / "out").exists()
    assert "dòng 1" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------ security


@pytest.mark.parametrize("case,name", [("injection_unit_name", '=HYPERLINK("http://evil.example","bấm")'),
                                       ("script_unit_name", "<script>alert(1)</script>")])
def test_injected_unit_names_are_neutralised_in_csv_and_xlsx(case, name, tmp_path):
    result = grade_quarter(CORPUS / "cases" / case, QUARTER)
    files = render(result)
    grades = pd.read_csv(__import__("io").BytesIO(files["grades.csv"]), dtype=str, keep_default_na=False)
    shown = grades.set_index("unit_id").at["X1", "unit_name"]
    expected = "'" + name if name.startswith("=") else name
    assert shown == expected
    path = tmp_path / "grades.xlsx"
    path.write_bytes(files["grades.xlsx"])
    ws = openpyxl.load_workbook(path).active
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value and "evil" in str(c.value)
             or c.value and "script" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)
    assert all(not str(c.value).startswith(("=", "+", "-", "@")) for c in cells)
    assert cells[0].value == expected


def test_outputs_have_fixed_names_inside_the_output_folder(tmp_path):
    result = grade_quarter(CORPUS / "cases" / "injection_unit_name", QUARTER)
    files = render(result)
    assert all("/" not in n and "\\" not in n and not n.startswith(".") for n in files)
    before = set(tmp_path.iterdir())
    out = tmp_path / "out"
    main(["grade", "--quarter", "2021-Q2", "--data", str(CORPUS / "cases" / "injection_unit_name"),
          "--out", str(out)])
    assert set(tmp_path.iterdir()) - before == {out}
    assert {p.name for p in out.iterdir()} == set(files)


def test_quarter_and_profile_names_are_validated():
    from tthc.parameters.profiles import ProfileError, check_name
    from tthc.quarter import QuarterError

    for bad in ("../2021-Q2", "2021-Q2/..", "/etc/passwd", "2021-Q5", "2021-Q2; rm -rf /", " 2021-Q2\n../"):
        with pytest.raises(QuarterError):
            Quarter.parse(bad)
    for bad in ("..", "../x", "/abs", "a/b", "a b", "$(id)", "x;y", "A" * 80, ""):
        with pytest.raises(ProfileError):
            check_name(bad)
    assert check_name("dien-bien-dong") == "dien-bien-dong"


# ------------------------------------------------------------------------------------------- excel out


def test_excel_outputs_are_formatted_and_byte_deterministic(tmp_path):
    result = grade_quarter(CORPUS / "cases" / "self_score_gap", QUARTER)
    a, b = render(result), render(grade_quarter(CORPUS / "cases" / "self_score_gap", QUARTER))
    assert a["grades.xlsx"] == b["grades.xlsx"] and a["findings.xlsx"] == b["findings.xlsx"]
    (tmp_path / "g.xlsx").write_bytes(a["grades.xlsx"])
    ws = openpyxl.load_workbook(tmp_path / "g.xlsx").active
    assert ws.freeze_panes == "A3"  # the title row, then the header row
    headers = [c.value for c in ws[2]]
    assert headers[:5] == ["STT", "Cấp", "Tên cơ quan, đơn vị", "Mã đơn vị", "Số hồ sơ"] and "Chỉ số 1" in headers
    total = ws.cell(row=3, column=headers.index("Tổng điểm thẩm định") + 1)
    assert isinstance(total.value, int | float) and total.number_format == "0.0"
    assert ws.cell(row=3, column=2).value == "Cấp huyện"
    assert ws.column_dimensions["C"].width > 10
    (tmp_path / "f.xlsx").write_bytes(render(grade_quarter(CORPUS / "cases" / "bad_count", QUARTER))["findings.xlsx"])
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")["Chi tiết"]
    assert [c.value for c in ws[2]] == ["Mức độ", "Loại phát hiện", "Tệp", "Dòng", "Cột", "Giá trị", "Nội dung",
                                        "Gợi ý", "Mã phát hiện"]
    severities = {ws.cell(row=r, column=1).value for r in range(3, ws.max_row + 1)}
    assert severities <= {"Lỗi", "Cảnh báo", "Thông tin"} and "Cảnh báo" in severities
