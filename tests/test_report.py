"""The report context and body from a fake output folder with the seed report's counts."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from tthc import PROJECT_ROOT
from tthc.report import context as rp
from tthc.report import templating

HUYEN_SENTENCE = (
    "Cấp huyện: 07 đơn vị đạt loại Xuất sắc; 05 đơn vị chưa phát sinh hồ sơ; 01 đơn vị đạt loại Trung bình."
)
XA_SENTENCE = (
    "Cấp xã: 07 đơn vị đạt loại Xuất sắc; 04 đơn vị đạt loại Tốt; 01 đơn vị đạt loại Trung bình; "
    "02 đơn vị chưa thực hiện việc chấm điểm."
)
_FULL = ["2.0"] * 9
_RESULTS = {
    "huyen": [("Xuất sắc", 7), ("Chưa phát sinh hồ sơ", 5), ("Trung bình", 1)],
    "xa": [("Xuất sắc", 7), ("Tốt", 4), ("Trung bình", 1), ("Chưa thực hiện chấm điểm", 2)],
}
_SCORES = {  # indicators, appraised total, self total
    "Xuất sắc": (_FULL, "18.0", "18.0"),
    "Tốt": (["2.0", "1.5", "1.5", "2.0", "1.0", "2.0", "1.5", "", "2.0"], "13.5", "15.0"),
    "Trung bình": (["1.0", "0.5", "1.0", "1.0", "1.0", "1.0", "0.5", "1.0", "0.0"], "7.0", "7.0"),
    "Chưa phát sinh hồ sơ": ([""] * 9, "", ""),
    "Chưa thực hiện chấm điểm": (["2.0", "2.0", "2.0", "2.0", "1.0", "1.0", "2.0", "2.0", "0.0"], "14.0", ""),
}


MANIFEST = {
    "quarter": "2021-Q2",
    "period": {"start": "2021-04-01", "end": "2021-06-30"},
    "rule_set": {
        "id": "tt01-2018",
        "title": "Thông tư số 01/2018/TT-VPCP ngày 23/11/2018 của Văn phòng Chính phủ",
    },
    "policies": {"population": "resolved_in_period", "rounding": "half_up", "future_policy": "some_value"},
}


def write_seed_outputs(
    folder: Path, *, unit_name_suffix: str = "", officials=None, satisfaction=None
) -> Path:
    """An output folder whose grades reproduce the seed report's counts (13 district units, 14 communes)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for level, results in _RESULTS.items():
        for result, count in results:
            for _ in range(count):
                n = len(rows) + 1
                indicators, total, self_total = _SCORES[result]
                name = (f"Phòng số {n}" if level == "huyen" else f"UBND xã số {n}") + unit_name_suffix
                dossiers = "0" if result == "Chưa phát sinh hồ sơ" else str(10 + n)
                rows.append([f"U{n:02d}", name, level, dossiers, *indicators, total, self_total, result])
    header = ["unit_id", "unit_name", "level", "dossiers", *(f"i{i}" for i in range(1, 10))]
    _write(folder / "grades.csv", [*header, "total", "self_total", "result"], rows)
    _write(
        folder / "officials.csv",
        ["official", "unit_id", "dossiers", "score", "completion"],
        officials if officials is not None else [["Nguyễn Văn A", "U01", "12", "10.0", "100%"]],
    )
    _write(
        folder / "satisfaction.csv",
        ["unit_id", "unit_name", "level", "channel", "forms", "very_satisfied", "satisfied", "dissatisfied"],
        satisfaction
        if satisfaction is not None
        else [
            ["U01", "Phòng số 1", "huyen", "giay", "120", "80", "40", "0"],
            ["U01", "Phòng số 1", "huyen", "truc_tuyen", "15", "5", "10", "0"],
            ["U14", "UBND xã số 14", "xa", "giay", "1130", "1000", "130", "0"],
        ],
    )
    (folder / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False), encoding="utf-8")
    return folder


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def params():
    loaded, warnings = rp.load_parameters("dien-bien-dong", "2021-Q2", PROJECT_ROOT)
    assert warnings == []
    return loaded


def test_seed_sentences_and_header(tmp_path, params):
    out = write_seed_outputs(tmp_path / "out")
    ctx = rp.build_context(out, params, "2021-Q2")
    assert ctx["results"]["grades"]["sentences"] == [HUYEN_SENTENCE, XA_SENTENCE]
    assert ctx["title"] == (
        "Kết quả chấm điểm đánh giá việc giải quyết thủ tục hành chính Quý II năm 2021 "
        "trên địa bàn huyện Điện Biên Đông"
    )
    assert ctx["number"].endswith("/BC-UBND") and ctx["number"].strip("\u00a0") == "/BC-UBND"
    assert ctx["place_date"].startswith("Điện Biên Đông, ngày ")
    assert ctx["place_date"].endswith("tháng 6 năm 2021")
    assert ctx["legal_bases"].startswith("Căn cứ Nghị định số 61/2018/NĐ-CP")
    assert ctx["legal_bases"].endswith("Quý II năm 2021.")
    assert "Công văn số 291/VPUB-KSTT ngày 04/6/2021" in ctx["legal_bases"]


def test_forms_officials_and_satisfaction_sentences(tmp_path, params):
    ctx = rp.build_context(write_seed_outputs(tmp_path / "out"), params, "2021-Q2")
    forms = ctx["results"]["collecting"]["forms"]
    assert "1.265 phiếu đánh giá" in forms
    assert "1.250 phiếu đánh giá trực tiếp theo Mẫu phiếu số 4" in forms
    assert "15 phiếu đánh giá trực tuyến theo Mẫu phiếu số 5" in forms
    use = ctx["results"]["use"]
    assert use["officials"].endswith("hoàn thành 100% nhiệm vụ theo các tiêu chí đánh giá.")
    assert "tất cả cá nhân, tổ chức được khảo sát đều hài lòng" in use["satisfaction"]
    assert "Quý II năm 2021" in use["satisfaction"]


def test_mixed_officials_and_dissatisfied_forms(tmp_path, params):
    officials = [
        ["A", "U01", "10", "10.0", "100%"],
        ["B", "U02", "10", "4.0", "70% đến dưới 100%"],
        ["C", "U03", "10", "3.0", "dưới 70%"],
        ["D", "U04", "10", "9.0", "100%"],
    ]
    satisfaction = [["U01", "x", "huyen", "giay", "8", "2", "5", "1"]]
    out = write_seed_outputs(tmp_path / "out", officials=officials, satisfaction=satisfaction)
    use = rp.build_context(out, params, "2021-Q2")["results"]["use"]
    assert (
        "02 người hoàn thành 100% nhiệm vụ; 01 người hoàn thành từ 70% đến dưới 100% nhiệm vụ; "
        "01 người hoàn thành dưới 70% nhiệm vụ" in use["officials"]
    )
    assert "87,5% số phiếu hài lòng trở lên (25,0% rất hài lòng, 62,5% hài lòng)" in use["satisfaction"]
    assert "12,5% số phiếu không hài lòng (1 phiếu)" in use["satisfaction"]


def test_appendix_rows_in_vietnamese_form(tmp_path, params):
    ctx = rp.build_context(write_seed_outputs(tmp_path / "out"), params, "2021-Q2")
    appendix = ctx["appendix"]
    assert [t["heading"] for t in appendix["tables"]] == ["1. Cấp huyện", "2. Cấp xã"]
    assert appendix["indicator_labels"] == [str(n) for n in range(1, 10)]
    assert appendix["title"].endswith("QUÝ II NĂM 2021")
    huyen, xa = appendix["tables"]
    assert len(huyen["rows"]) == 13 and len(xa["rows"]) == 14
    first = huyen["rows"][0]
    assert first["stt"] == 1 and first["indicators"][0] == "2,0" and first["total"] == "18,0"
    good = next(r for r in xa["rows"] if r["result"] == "Tốt")
    assert good["total"] == "13,5" and good["indicators"][7] == ""
    assert "Tự chấm cao hơn thẩm định 1,5 điểm" in good["note"]
    assert "Chỉ số 8 không đủ thông tin" in good["note"]
    empty = next(r for r in huyen["rows"] if r["result"] == "Chưa phát sinh hồ sơ")
    assert empty["total"] == "" and empty["indicators"] == [""] * 9
    # a unit without dossiers says why its indicators are blank and whose total is shown
    assert empty["note"] == "Không có hồ sơ để thẩm định; điểm tự chấm do đơn vị báo cáo"
    unscored = next(r for r in xa["rows"] if r["result"] == "Chưa thực hiện chấm điểm")
    assert unscored["total"] == "14,0" and unscored["self_total"] == ""
    assert unscored["note"] == "Đơn vị chưa gửi kết quả tự chấm điểm nên chưa xếp loại"


def test_render_escapes_input_text(tmp_path, params):
    out = write_seed_outputs(tmp_path / "out", unit_name_suffix=' <script>alert("x")</script> & Co')
    html = rp.render(rp.build_context(out, params, "2021-Q2"))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp; Co" in html
    assert "Quý II năm 2021" in html
    assert HUYEN_SENTENCE in html and XA_SENTENCE in html


def test_build_report_from_profile(tmp_path):
    out = write_seed_outputs(tmp_path / "out")
    doc = rp.build_report("2021-Q2", "dien-bien-dong", out_dir=out, root=PROJECT_ROOT)
    assert doc.title.startswith("Báo cáo kết quả chấm điểm") and "Quý II năm 2021" in doc.title
    assert doc.warnings == ()
    assert 'class="tthc-appendix"' in doc.html


def test_quarter_without_parameter_file_still_reports(tmp_path):
    out = write_seed_outputs(tmp_path / "out")
    doc = rp.build_report("2022-Q3", "dien-bien-dong", out_dir=out, root=PROJECT_ROOT)
    assert "Quý III năm 2022" in doc.html
    assert any("2022-Q3" in warning for warning in doc.warnings)


def test_unknown_form_channel_counts_in_total_only(tmp_path, params):
    satisfaction = [
        ["U01", "x", "huyen", "giay", "3", "1", "2", "0"],
        ["U01", "x", "huyen", "khong_ro", "2", "", "", ""],
    ]
    out = write_seed_outputs(tmp_path / "out", satisfaction=satisfaction)
    forms = rp.build_context(out, params, "2021-Q2")["results"]["collecting"]["forms"]
    assert (
        "5 phiếu đánh giá" in forms
        and "3 phiếu đánh giá trực tiếp" in forms
        and "0 phiếu đánh giá trực tuyến" in forms
    )


def test_errors_are_clear(tmp_path, params):
    with pytest.raises(rp.ReportInputError, match="grades.csv"):
        rp.build_context(tmp_path, params, "2021-Q2")
    with pytest.raises(rp.ReportInputError, match="khong-co"):
        rp.load_parameters("khong-co", "2021-Q2", PROJECT_ROOT)
    with pytest.raises(ValueError, match="không hợp lệ"):
        rp.load_parameters("../parameters", "2021-Q2", PROJECT_ROOT)
    out = write_seed_outputs(tmp_path / "out")
    bad = dict(params, result_order=["Xuất sắc", "Tốt"])
    with pytest.raises(ValueError, match="Chưa phát sinh hồ sơ"):
        rp.build_context(out, bad, "2021-Q2")
    (out / "grades.csv").write_text(
        (out / "grades.csv").read_text(encoding="utf-8").replace(",huyen,", ",quan,", 1), encoding="utf-8"
    )
    with pytest.raises(rp.ReportInputError, match="quan"):
        rp.build_context(out, params, "2021-Q2")


def test_appendix_note_speaks_as_an_appraiser(tmp_path, params):
    """The signed appendix states rule set, scored dossiers and period (dates as the seed report writes
    them: 01/4/2021); the policy values are in the technical annex, not in the signed note."""
    appendix = rp.build_context(write_seed_outputs(tmp_path / "out"), params, "2021-Q2")["appendix"]
    assert appendix["basis"] == [
        "Điểm thẩm định tính theo Thông tư số 01/2018/TT-VPCP ngày 23/11/2018 của Văn phòng Chính phủ, "
        "trên các hồ sơ đã giải quyết trong kỳ đánh giá từ ngày 01/4/2021 đến ngày 30/6/2021."
    ]
    assert not any("giữ điểm tự chấm" in line or "làm tròn" in line for line in appendix["basis"])
    items = appendix["technical"]["items"]
    assert "hồ sơ đưa vào chấm điểm: hồ sơ đã giải quyết trong kỳ" in items
    assert "làm tròn điểm trung bình: đến một chữ số thập phân, từ 5 trở lên làm tròn lên" in items
    assert "future_policy: some_value" in items  # a policy without Vietnamese labels still shows its value


def test_population_without_wording_is_an_error(tmp_path, params):
    out = write_seed_outputs(tmp_path / "out")
    manifest = dict(MANIFEST, policies={"population": "something_new"})
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(rp.ReportInputError, match="something_new"):
        rp.build_context(out, params, "2021-Q2")


def _unit_indicators(folder: Path, rows: list[list[str]]) -> None:
    _write(folder / "unit_indicators.csv", ["unit_id", "indicator", "points", "source", "reason"], rows)


def test_self_scores_kept_for_want_of_evidence_are_said_per_unit_and_once_in_the_note(tmp_path, params):
    out = write_seed_outputs(tmp_path / "out")
    _unit_indicators(out, [
        ["U15", "8", "2.0", "self_accepted", "Chấp nhận điểm tự chấm"],
        ["U15", "5", "1.0", "self_accepted", "Chấp nhận điểm tự chấm"],
        ["U16", "9", "1.0", "evidence+dossiers", "DVC"],
        ["U17", "6", "2.0", "self_accepted", "Chấp nhận điểm tự chấm"],
    ])
    appendix = rp.build_context(out, params, "2021-Q2")["appendix"]
    rows = {r["unit_name"]: r for t in appendix["tables"] for r in t["rows"]}
    assert rows["UBND xã số 15"]["note"].startswith("Chỉ số 5, 8 chấm theo kết quả tự chấm do chưa có minh chứng")
    assert "tự chấm do chưa có minh chứng" not in rows["UBND xã số 16"]["note"]
    assert rows["UBND xã số 17"]["note"].startswith("Chỉ số 6 chấm theo kết quả tự chấm")
    assert appendix["basis"][1] == (
        "Chỉ số 5, 6, 8 của một số đơn vị được chấm theo kết quả tự chấm do chưa có minh chứng "
        "(ghi tại cột Ghi chú)."
    )


def test_notes_follow_the_policies_in_force(tmp_path, params):
    out = write_seed_outputs(tmp_path / "out")
    manifest = dict(MANIFEST, policies={"population": "resolved_or_overdue", "missing_indicator": "rescale_to_18"})
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    appendix = rp.build_context(out, params, "2021-Q2")["appendix"]
    assert "trên các hồ sơ đã giải quyết và các hồ sơ chưa giải quyết đã quá hạn trong kỳ" in appendix["basis"][0]
    good = next(r for t in appendix["tables"] for r in t["rows"] if r["result"] == "Tốt")
    assert "Chỉ số 8 không đủ thông tin; tổng điểm quy đổi về thang 18 điểm" in good["note"]


def test_a_graded_unit_without_self_assessment_says_so(tmp_path, params):
    """Under missing_self_assessment=grade_from_appraisal a unit without self-scores has a grade: its note
    says the grade rests on the appraisal alone."""
    out = write_seed_outputs(tmp_path / "out")
    text = (out / "grades.csv").read_text(encoding="utf-8")
    (out / "grades.csv").write_text(text.replace(",14.0,,Chưa thực hiện chấm điểm", ",14.0,,Tốt"), encoding="utf-8")
    rows = [r for t in rp.build_context(out, params, "2021-Q2")["appendix"]["tables"] for r in t["rows"]]
    graded = [r for r in rows if r["self_total"] == "" and r["total"] == "14,0"]
    assert len(graded) == 2
    assert all(r["note"] == "Đơn vị chưa gửi kết quả tự chấm điểm; xếp loại theo điểm thẩm định" for r in graded)


def test_ranks_within_each_level_skip_statuses_and_share_ties(tmp_path, params):
    tables = rp.build_context(write_seed_outputs(tmp_path / "out"), params, "2021-Q2")["appendix"]["tables"]
    huyen, xa = tables
    # cấp huyện: 7 × 18,0 share rank 1, then 7,0 is 8th; no dossiers: no rank
    assert [r["rank"] for r in huyen["rows"] if r["result"] == "Xuất sắc"] == ["1"] * 7
    assert [r["rank"] for r in huyen["rows"] if r["result"] == "Trung bình"] == ["8"]
    assert {r["rank"] for r in huyen["rows"] if r["result"] == "Chưa phát sinh hồ sơ"} == {""}
    # cấp xã: 7 × 18,0, 4 × 13,5 from 8th, 7,0 is 12th; not self-assessed (14,0): no rank although it has a total
    assert [r["rank"] for r in xa["rows"] if r["result"] == "Tốt"] == ["8"] * 4
    assert [r["rank"] for r in xa["rows"] if r["result"] == "Trung bình"] == ["12"]
    assert {r["rank"] for r in xa["rows"] if r["result"] == "Chưa thực hiện chấm điểm"} == {""}
    assert [r["total_value"] for r in xa["rows"][:1]] == ["18.0"]


def test_ranks_are_competition_ranks():
    from tthc.report.appendix import ranks

    rows = [{"total": Decimal(t) if t else None, "result": r} for t, r in
            [("16.0", "Xuất sắc"), ("16.8", "Xuất sắc"), ("", "Chưa phát sinh hồ sơ"), ("16.0", "Xuất sắc"),
             ("15.9", "Xuất sắc"), ("17.0", "Chưa thực hiện chấm điểm")]]
    assert ranks(rows, {"Chưa phát sinh hồ sơ", "Chưa thực hiện chấm điểm"}) == [2, 1, None, 2, 4, None]
    given = [{"total": Decimal("80"), "result": "A", "rank": "3"}, {"total": None, "result": "B", "rank": ""}]
    assert ranks(given, set()) == [3, None]  # grades.csv of the index rule set carries its own rank


def test_document_dates_and_meta(tmp_path, params):
    ctx = rp.build_context(write_seed_outputs(tmp_path / "out"), params, "2021-Q2")
    assert ctx["meta"] == {"quarter": "2021-Q2", "date": "2021-06-30"}  # no day given: the quarter's end
    dated = dict(params, date="2021-07-05")
    ctx = rp.build_context(write_seed_outputs(tmp_path / "out2"), dated, "2021-Q2")
    assert ctx["meta"]["date"] == "2021-07-05" and ctx["place_date"] == "Điện Biên Đông, ngày 05 tháng 7 năm 2021"
    with pytest.raises(rp.ReportInputError, match="không hợp lệ"):
        rp.build_context(write_seed_outputs(tmp_path / "out3"), dict(params, date="5 July"), "2021-Q2")


def test_hyphenated_words_do_not_break_in_the_html(tmp_path, params):
    html = rp.render(rp.build_context(write_seed_outputs(tmp_path / "out"), params, "2021-Q2"))
    assert '<span class="tthc-nowrap">HĐND-UBND</span>' in html
    assert '<span class="tthc-nowrap">61/2018/NĐ-CP</span>' in html
    assert "Độc lập - Tự do - Hạnh phúc" in html  # spaced dashes stay as they are
    # escaped first, then wrapped: markup in a text never gets through
    assert templating.keep_hyphenated('<b>-c x y-z') == (
        '<span class="tthc-nowrap">&lt;b&gt;-c</span> x <span class="tthc-nowrap">y-z</span>'
    )
    assert templating.keep_hyphenated(7) == 7


def test_missing_manifest_is_a_warning_not_an_error(tmp_path):
    out = write_seed_outputs(tmp_path / "out")
    (out / "manifest.json").unlink()
    doc = rp.build_report("2021-Q2", "dien-bien-dong", out_dir=out, root=PROJECT_ROOT)
    assert any("manifest.json" in warning for warning in doc.warnings)
    assert "tthc-basis" not in doc.html
