"""Issue 13's output polish: findings.xlsx (severity order, labels, suggestions, grouped information, the full
list on "Chi tiết"), grades.xlsx (the appendix's columns, officials, print setup, title; the index's too), the
progress lines of ``tthc run`` and the policies named by their descriptions in ``check`` and ``explain``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tthc.audit.explain import explain_unit
from tthc.audit.render import name_policies, policy_label, policy_text, render_text
from tthc.cli import main
from tthc.cli.run import EXPORT_LINE, Progress, seconds
from tthc.run import findings_book
from tthc.run.findings_book import GROUP_AT, row_runs, shown_value, summary
from tthc.run.outputs import render
from tthc.run.pipeline import EXPORT_STAGE, RunResult
from tthc.schemes.tt01.engine import grade_quarter

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "dien-bien-dong"
SEVERITY_ORDER = {"Lỗi": 0, "Cảnh báo": 1, "Thông tin": 2}


@pytest.fixture(scope="module")
def sample():
    result = grade_quarter(SAMPLE, "2021-Q2")
    files = render(result)
    csv = {name: pd.read_csv(io.BytesIO(files[name]), dtype=str, keep_default_na=False)
           for name in files if name.endswith(".csv")}
    return result, files, csv


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _rows(ws, first: int = 3) -> list[tuple]:
    return list(ws.iter_rows(min_row=first, values_only=True))


def _assert_print_setup(ws, header_row: int = 2):
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out of the file
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.freeze_panes == f"A{header_row + 1}"


# ------------------------------------------------------------------------------------------ findings.xlsx


def test_row_runs_and_values_as_the_messages_write_them():
    assert row_runs([40, 12, 13, 14, 55, 13]) == "12–14, 40, 55"
    assert row_runs(list(range(12, 41)) + [55]) == "12–40, 55"
    assert row_runs([1, 3, 5, 7], shown=2) == "1, 3, …"
    assert shown_value("1.4") == "1,4" and shown_value("-0.25") == "-0,25"
    assert shown_value("1", "tự chấm chỉ số 5 là 1,0, cao hơn") == "1,0"
    assert shown_value("1", "chỉ số 1 là 11,0") == "1"  # another number's digits are not this value
    assert shown_value("12", "dòng 12") == "12" and shown_value("18/03/2021") == "18/03/2021"
    assert findings_book.label("outside_period") == "Hồ sơ ngoài kỳ đánh giá"
    assert findings_book.label("required_blank") == "Thiếu giá trị bắt buộc"  # the input rule's own label
    assert findings_book.label("no_such_code") == ""


def _finding(severity, code, row, file="a.csv", message="m"):
    return {"severity": severity, "file": file, "row": row, "column": "c", "message": message, "code": code,
            "value": "", "suggestion": ""}


def test_summary_groups_repeated_information_only_and_puts_errors_first():
    rows = [_finding("info", "outside_period", r) for r in range(2, 2 + GROUP_AT)]
    rows += [_finding("info", "open", r) for r in range(100, 100 + GROUP_AT - 1)]  # one short: not grouped
    rows += [_finding("warning", "unknown_unit", r) for r in range(200, 200 + GROUP_AT)]  # warnings never
    rows += [_finding("info", "outside_period", 7, file="b.csv"), _finding("error", "duplicate_id", 9)]
    frame = pd.DataFrame(rows).astype({"row": "Int64"})
    out = summary(frame)
    assert out["severity"].tolist() == ["error"] + ["warning"] * GROUP_AT + ["info"] * (1 + GROUP_AT - 1 + 1)
    grouped = out[(out["code"] == "outside_period") & (out["file"] == "a.csv")]
    assert len(grouped) == 1 and grouped["count"].iat[0] == GROUP_AT
    assert grouped["row"].iat[0] == f"2–{1 + GROUP_AT}"
    assert grouped["message"].iat[0].startswith(f"{GROUP_AT} phát hiện — Hồ sơ ngoài kỳ đánh giá. Ví dụ, dòng 2")
    assert (out["code"] == "open").sum() == GROUP_AT - 1 and set(out.loc[out["code"] == "open", "count"]) == {1}
    assert out.loc[out["file"] == "b.csv", "row"].tolist() == ["7"]  # another file: its own row


def test_findings_workbook_of_the_sample(sample):
    result, files, csv = sample
    findings = csv["findings.csv"]
    book = _book(files["findings.xlsx"])
    assert book.sheetnames == ["Phát hiện", "Chi tiết"]
    first, detail = book["Phát hiện"], book["Chi tiết"]
    for ws in (first, detail):
        assert "Quý II năm 2021" in ws["A1"].value
        _assert_print_setup(ws)
    head = [c.value for c in first[2]]
    assert head == ["Mức độ", "Loại phát hiện", "Tệp", "Dòng", "Số phát hiện", "Cột", "Giá trị", "Nội dung", "Gợi ý",
                    "Mã phát hiện"]
    rows = [dict(zip(head, r, strict=True)) for r in _rows(first)]
    ranks = [SEVERITY_ORDER[r["Mức độ"]] for r in rows]
    assert ranks == sorted(ranks)
    # the dossiers outside the period: one row per file, counting every one of them, with their rows
    outside = findings[findings["code"] == "outside_period"]
    assert len(outside) > 300
    grouped = [r for r in rows if r["Mã phát hiện"] == "outside_period"]
    assert len(grouped) == outside["file"].nunique() == 1
    assert grouped[0]["Số phát hiện"] == len(outside) and grouped[0]["Loại phát hiện"] == "Hồ sơ ngoài kỳ đánh giá"
    assert grouped[0]["Dòng"] == row_runs([int(r) for r in outside["row"]]) and grouped[0]["Dòng"].endswith("…")
    assert grouped[0]["Gợi ý"] and sum(r["Số phát hiện"] for r in rows) == len(findings)
    assert len(rows) < len(findings) / 10
    # the full list: every finding once, errors and warnings first
    dhead = [c.value for c in detail[2]]
    drows = [dict(zip(dhead, r, strict=True)) for r in _rows(detail)]
    assert len(drows) == len(findings)
    assert sorted((r["Mã phát hiện"], r["Tệp"], r["Dòng"]) for r in drows) == sorted(
        (c, f, int(r)) for c, f, r in zip(findings["code"], findings["file"], findings["row"], strict=True))
    assert [SEVERITY_ORDER[r["Mức độ"]] for r in drows] == sorted(SEVERITY_ORDER[r["Mức độ"]] for r in drows)
    # values as the messages write them
    gap = findings[(findings["code"] == "self_score_gap") & findings["value"].str.contains(r"\.")].iloc[0]
    shown = next(r for r in drows if r["Mã phát hiện"] == "self_score_gap" and r["Dòng"] == int(gap["row"])
                 and r["Nội dung"] == gap["message"])
    assert shown["Giá trị"] == gap["value"].replace(".", ",") and shown["Giá trị"] in gap["message"]


def test_findings_csv_stays_one_row_per_finding_in_the_order_found(sample):
    result, files, csv = sample
    assert list(csv["findings.csv"].columns) == ["severity", "file", "row", "column", "message", "code", "value",
                                                 "suggestion"]
    assert len(csv["findings.csv"]) == len(result.findings)
    assert csv["findings.csv"]["severity"].iloc[0] == "info"  # not re-sorted: the contract's order


# -------------------------------------------------------------------------------------------- grades.xlsx


def test_grades_workbook_follows_the_appendix_and_prints_on_a4_landscape(sample):
    result, files, csv = sample
    book = _book(files["grades.xlsx"])
    assert book.sheetnames == ["Xếp loại", "Cán bộ"]
    ws = book["Xếp loại"]
    assert ws["A1"].value == "Kết quả chấm điểm giải quyết thủ tục hành chính — Quý II năm 2021"
    _assert_print_setup(ws)
    head = [c.value for c in ws[2]]
    assert head == ["STT", "Cấp", "Tên cơ quan, đơn vị", "Mã đơn vị", "Số hồ sơ",
                    *[f"Chỉ số {n}" for n in range(1, 10)], "Tổng điểm tự chấm", "Tổng điểm thẩm định", "Xếp loại"]
    rows = _rows(ws)
    grades = csv["grades.csv"]
    assert [r[0] for r in rows] == list(range(1, len(grades) + 1))
    level_names = [lvl.name for lvl in result.rules.levels.values()]
    order = [level_names.index(r[1]) for r in rows]
    assert order == sorted(order)  # level by level, in the rule set's order
    by_id = grades.set_index("unit_id")
    for r in rows:
        g = by_id.loc[r[3]]
        assert r[2] == g["unit_name"] and r[16] == g["result"] and r[4] == int(g["dossiers"])
        assert r[15] == (float(g["total"]) if g["total"] else None)
    assert ws.cell(row=3, column=16).number_format == "0.0"
    officials = book["Cán bộ"]
    _assert_print_setup(officials)
    ohead = [c.value for c in officials[2]]
    indicators = [c for c in csv["official_indicators.csv"].columns if c.startswith("i")]
    assert ohead == ["Cán bộ, công chức", "Tên cơ quan, đơn vị", "Mã đơn vị", "Số hồ sơ",
                     *[f"Chỉ số {c[1:]}" for c in indicators], "Tổng điểm", "Mức độ hoàn thành"]
    orows = _rows(officials)
    assert len(orows) == len(csv["officials.csv"])
    first = csv["officials.csv"].iloc[0]
    assert orows[0][0] == first["official"] and orows[0][-1] == first["completion"]
    assert orows[0][-2] == float(first["score"])


def test_index_quarter_writes_both_workbooks_from_its_tables(tmp_path):
    from tthc.parameters.ruleset import ruleset_for
    from tthc.quarter import Quarter

    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        assert main(["grade", "--quarter", "2025-Q3", "--profile", "tinh-mau", "--out", str(out)]) == 0
    for name in ("grades.xlsx", "findings.xlsx"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    rules = ruleset_for(Quarter.parse("2025-Q3").bounds()[1])
    book = openpyxl.load_workbook(outs[0] / "grades.xlsx")
    assert book.sheetnames == ["Xếp loại", "Cán bộ"]
    ws = book["Xếp loại"]
    assert "Quý III năm 2025" in ws["A1"].value
    _assert_print_setup(ws)
    head = [c.value for c in ws[2]]
    groups = [f"Nhóm {g.code}: {g.name}" for g in rules.groups]
    assert head == ["STT", "Cấp", "Tên cơ quan, đơn vị", "Mã đơn vị", "Số hồ sơ", *groups, "Chỉ số phục vụ (điểm)",
                    "Xếp loại", "Hạng trong cấp", "Nguồn điểm"]
    grades = pd.read_csv(outs[0] / "grades.csv", dtype=str, keep_default_na=False).set_index("unit_id")
    rows = _rows(ws)
    assert len(rows) == len(grades) and rows[0][1] == "Toàn tỉnh"
    for r in rows:
        g = grades.loc[r[3]]
        assert r[5] == float(g["g1"]) and r[11] == float(g["total"]) and r[12] == g["result"]
        assert r[13] == (int(g["rank"]) if g["rank"] else None)
    assert ws.cell(row=3, column=12).number_format == "0.00"
    officials = book["Cán bộ"]
    assert [c.value for c in officials[2]] == ["Cán bộ, công chức", "Tên cơ quan, đơn vị", "Mã đơn vị", "Số hồ sơ",
                                               "Tỷ lệ hồ sơ đúng hạn", "Phản ánh về thái độ, hành vi"]
    assert len(_rows(officials)) == len(pd.read_csv(outs[0] / "officials.csv"))
    assert officials.cell(row=3, column=5).number_format == "0.0%"
    findings = openpyxl.load_workbook(outs[0] / "findings.xlsx")
    assert findings.sheetnames == ["Phát hiện", "Chi tiết"]
    assert len(_rows(findings["Chi tiết"])) == len(pd.read_csv(outs[0] / "findings.csv"))


# ------------------------------------------------------------------------------------------- tthc run


def test_progress_lines_say_each_stage_and_the_export_with_their_time():
    ticks = iter([0.0, 2.06, 2.06, 5.0, 5.0, 12.34])
    stream = io.StringIO()
    progress = Progress(clock=lambda: next(ticks), stream=stream)
    progress("01_load")
    progress("02_check")
    progress(EXPORT_STAGE)
    progress.done()
    progress.done()  # nothing under way: nothing printed
    assert stream.getvalue().splitlines() == [
        "  … 01_load.ipynb", "  ✓ 01_load.ipynb (2,1 giây)", "  … 02_check.ipynb", "  ✓ 02_check.ipynb (2,9 giây)",
        f"  … {EXPORT_LINE}", f"  ✓ {EXPORT_LINE} (7,3 giây)"]
    assert seconds(0.04) == "0,0" and seconds(61.26) == "61,3" and seconds(1234.5) == "1.234,5"


def test_tthc_run_prints_the_progress_on_stderr(monkeypatch, tmp_path, capsys):
    import tthc.cli.run as cli_run

    def fake_run_quarter(target, on_stage, execution_timeout):
        for stage in ("01_load", "05_report", EXPORT_STAGE):
            on_stage(stage)
        return RunResult(tmp_path, [], None, None, 3.26)

    monkeypatch.setattr(cli_run, "run_quarter", fake_run_quarter)
    assert main(["run", "--quarter", "2021-Q2", "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.startswith("  ")]
    assert [line.split(" (")[0] for line in lines] == [
        "  … 01_load.ipynb", "  ✓ 01_load.ipynb", "  … 05_report.ipynb", "  ✓ 05_report.ipynb",
        f"  … {EXPORT_LINE}", f"  ✓ {EXPORT_LINE}"]
    assert all(line.endswith(" giây)") for line in lines if "✓" in line)
    assert "Xong sau 3,3 giây" in captured.out


# ----------------------------------------------------------------------------------- policies by name


def test_policies_are_named_by_their_description(sample):
    result, _files, _csv = sample
    rules = result.rules
    assert policy_label("population", rules) == "Hồ sơ đưa vào chấm điểm"  # up to its parenthesis
    assert policy_text("population", "resolved_in_period", rules, True) == \
        "Hồ sơ đưa vào chấm điểm: resolved_in_period (mặc định)"
    assert policy_text("rounding", "half_even", rules, False).endswith(": half_even (khác mặc định)")
    assert policy_label("population") == "population"  # without the rule set: the identifier
    text = "không chấm theo chính sách population=resolved_in_period. Giá trị x=1 giữ nguyên."
    assert name_policies(text, rules) == ("không chấm theo chính sách 'Hồ sơ đưa vào chấm điểm: "
                                          "resolved_in_period'. Giá trị x=1 giữ nguyên.")
    explained = render_text(explain_unit(result, "H01"), rules=rules)
    assert "  - Hồ sơ đưa vào chấm điểm: resolved_in_period (mặc định)" in explained
    assert "population=" not in explained
    explanation = explain_unit(result, "H01")
    assert render_text(explanation) == explained  # the bundled rule set of the header's id and SHA-256
    explanation.header["rule_set"] = {**explanation.header["rule_set"], "sha256": "0" * 64}  # another file's
    assert "  - population: resolved_in_period (mặc định)" in render_text(explanation)


def test_check_and_explain_name_policies_and_json_keeps_identifiers(capsys):
    assert main(["check", "--quarter", "2021-Q2"]) == 0
    out = capsys.readouterr().out
    assert "chính sách 'Hồ sơ đưa vào chấm điểm: resolved_in_period'" in out and "population=" not in out
    assert main(["explain", "--quarter", "2021-Q2", "--unit", "H01", "--policy", "rounding=half_even"]) == 0
    out = capsys.readouterr().out
    assert "Làm tròn điểm trung bình đến một chữ số thập phân: half_up (mặc định)" in out
    assert main(["explain", "--quarter", "2021-Q2", "--unit", "H01", "--format", "json"]) == 0
    header = json.loads(capsys.readouterr().out)["header"]
    assert header["policies"]["population"] == "resolved_in_period"
    assert "Hồ sơ đưa vào chấm điểm" not in json.dumps(header, ensure_ascii=False)
