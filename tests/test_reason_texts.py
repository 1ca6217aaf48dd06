"""Every reason code of every TT 01 per-dossier measure, worded exactly: the texts of ``dossier_scores`` (the
CSV, the audit and the report read them), written out by hand, with a missing fact where one can be missing
(a missing count or text leaves the reason blank; a missing date reads "(trống)")."""

from __future__ import annotations

import pandas as pd
from builders import dossier, write_quarter

from tthc.audit.explain import explain_dossier
from tthc.parameters.ruleset import ruleset_for
from tthc.quarter import Quarter
from tthc.run.outputs import csv_bytes, neutralise
from tthc.schemes.tt01.engine import grade_quarter
from tthc.schemes.tt01.measures import dossier_reasons

QUARTER = Quarter.parse("2021-Q2")
RULES = ruleset_for(QUARTER.bounds()[0])
INDICATORS = ("i1", "i2", "i3", "i4", "i7")

WHOLE = "Không có dữ liệu từng bước: bước của đơn vị là toàn bộ hồ sơ; "
OWN = "Bước của chính đơn vị (tệp steps): "
LATE_NO_COMPLAINT = "; không có phản ánh nhưng trễ hạn nên không đạt điều kiện 2 hoặc 1 điểm"
NOFILE = " (không có tệp complaints: chỉ xét thời hạn)"
FIELD = " (có thẩm định thực địa/hội đồng: cộng thêm nơi chủ trì)"
BEFORE = "có kết quả 09/04/2021, hẹn trả 10/04/2021: trước hạn"
ON_TIME = "có kết quả 10/04/2021, hẹn trả 10/04/2021: đúng hạn"
LATE = "có kết quả 12/04/2021, hẹn trả 10/04/2021: sau hạn"
OPEN = "chưa có kết quả ở cuối kỳ, hẹn trả 01/05/2021 đã quá hạn: tính trễ hạn"
S_BEFORE = "có kết quả 15/04/2021, hẹn trả 20/04/2021: trước hạn"
NONE = "Số lần phải bổ sung 0, do người nộp 0: tính 0 lần"


def _untrue(ids: str) -> str:
    return f"; phản ánh {ids} đã xác minh không đúng sự thật, không tính"


def _texts(result) -> dict[tuple[str, str], str | None]:
    """(indicator, dossier) → the reason (None where it is blank), and the codes behind them."""
    ds = result.dossier_scores
    assert list(ds["dossier_id"]) == list(result.population["dossier_id"])
    texts, codes = {}, set()
    for ind in INDICATORS:
        for did, code, text in zip(ds["dossier_id"], result.dossier_points[f"{ind}_code"].astype(str),
                                   ds[f"{ind}_reason"], strict=True):
            texts[(ind, did)] = None if pd.isna(text) else text
            codes.add((ind, code))
    return texts, codes


def _complaint(cid: str, did: str, untrue: int) -> dict:
    return {"complaint_id": cid, "unit_id": "H1", "dossier_id": did, "received_at": "2021-04-05",
            "due_at": "2021-04-15", "answered_at": "2021-04-10", "prolonged": 0, "about_conduct": 1,
            "verified_untrue": untrue}


def _survey(form: str, did: str, **answers) -> dict:
    return {"form_id": form, "form": "4", "unit_id": "H1", "dossier_id": did, "submitted_at": "2021-04-13",
            **answers}


def test_every_code_with_steps_complaints_surveys_and_overrides_is_worded_exactly(tmp_path):
    rows = [
        dossier("A1", finished="2021-04-09", contacts=0, applicant=0, agencies_contacted=1),
        dossier("A2", finished="2021-04-10", contacts=3, applicant="abc", agencies_contacted=2, field_check="x"),
        dossier("A3", finished="2021-04-12", contacts=2, applicant=1, agencies_contacted="abc"),
        dossier("A4", due="2021-05-01", finished=None, contacts="abc", agencies_contacted="abc", field_check="x"),
        dossier("A5", due="2021-05-01", finished=None, contacts="abc", agencies_contacted="abc", field_check="x"),
        dossier("A6", finished="2021-04-10", contacts="abc", agencies_contacted="abc"),
        dossier("A7", finished="2021-04-12", agencies_contacted=0),
        *[dossier(f"S{i}", due="2021-04-20", finished="2021-04-15", agencies_contacted=0) for i in range(1, 7)],
        dossier("O1", finished="2021-04-11", agencies_contacted=0),
    ]
    step = {"unit_id": "H1", "due_at": "2021-04-12"}
    steps = [{**step, "dossier_id": "S1", "finished_at": "2021-04-11"},
             {**step, "dossier_id": "S2", "finished_at": "2021-04-12"},
             {**step, "dossier_id": "S3", "finished_at": "2021-04-14"},
             {**step, "dossier_id": "S4", "due_at": "2021-07-20", "finished_at": ""},            # open, not due
             {**step, "dossier_id": "S5", "due_at": "2021-06-01", "finished_at": ""},            # open, past due
             {**step, "dossier_id": "S6", "finished_at": "31/04/2021"},                          # unreadable
             {**step, "dossier_id": "O1", "finished_at": "2021-04-11"}]                          # overridden
    complaints = [_complaint("PA1", "A1", 1), _complaint("PA2", "A3", 1), _complaint("PA3", "A2", 0),
                  _complaint("PA4", "A2", 0), _complaint("PA5", "A5", 1), _complaint("PA6", "A6", 1)]
    surveys = [_survey("P1", "A3", contacts=4, agencies_contacted=2),  # contacts: the system's count stays
               _survey("P2", "A4", contacts=1, agencies_contacted=3)]
    override = {"scope": "dossier", "points": 1, "by": "VP"}
    overrides = [{**override, "id": "O1", "indicator": 1, "points": 2, "reason": "Gia hạn hợp lệ"},
                 {**override, "id": "O1", "indicator": 2, "reason": "Bước, chấm lại", "by": ""},
                 {**override, "id": "A5", "indicator": 3, "reason": "Theo biên bản"},
                 {**override, "id": "S1", "indicator": 4, "reason": "Đã đối chiếu"},
                 {**override, "id": "O1", "indicator": 7, "reason": "Có phản ánh qua điện thoại"}]
    root = write_quarter(tmp_path / "data", rows, complaints=complaints, steps=steps, surveys=surveys,
                         overrides=overrides)
    result = grade_quarter(root, QUARTER, policies={"population": "resolved_or_overdue"})
    texts, codes = _texts(result)
    note = "; 2021-Q2/overrides.csv dòng {row} (điểm tính được: {computed})"
    adjusted = "Điều chỉnh của người thẩm định: "
    expected = {
        ("i1", "A1"): BEFORE, ("i1", "A2"): ON_TIME, ("i1", "A3"): LATE, ("i1", "A4"): OPEN, ("i1", "A6"): ON_TIME,
        ("i1", "O1"): adjusted + "Gia hạn hợp lệ (VP)" + note.format(row=2, computed=0),
        ("i2", "A1"): WHOLE + BEFORE, ("i2", "A2"): WHOLE + ON_TIME, ("i2", "A3"): WHOLE + LATE,
        ("i2", "A4"): WHOLE + OPEN,
        ("i2", "S1"): OWN + "hoàn thành 11/04/2021, hẹn trả 12/04/2021: trước hạn",
        ("i2", "S2"): OWN + "hoàn thành 12/04/2021, hẹn trả 12/04/2021: đúng hạn",
        ("i2", "S3"): OWN + "hoàn thành 14/04/2021, hẹn trả 12/04/2021: sau hạn",
        ("i2", "S4"): OWN + "chưa hoàn thành ở cuối kỳ, hẹn trả 20/07/2021 chưa đến hạn: không chấm chỉ số này "
                        "trên hồ sơ",
        ("i2", "S5"): OWN + "chưa hoàn thành ở cuối kỳ, hẹn trả 01/06/2021 đã quá hạn: tính trễ hạn",
        ("i2", "S6"): OWN + "ngày hoàn thành không đọc được; không chấm chỉ số này trên hồ sơ",
        ("i2", "O1"): adjusted + "Bước, chấm lại" + note.format(row=3, computed=2),
        ("i3", "A1"): NONE,
        ("i3", "A2"): "Số lần phải bổ sung 3, do người nộp 0: tính 3 lần",  # unreadable applicant count: 0
        ("i3", "A3"): "Số lần phải bổ sung 2, do người nộp 1: tính 1 lần",
        ("i3", "A4"): "Theo phiếu khảo sát: 1 lần liên hệ",
        ("i3", "A5"): adjusted + "Theo biên bản (VP)" + note.format(row=4, computed="không có thông tin"),
        ("i3", "A6"): "Không có thông tin",
        ("i4", "A1"): "Phải liên hệ 1 cơ quan", ("i4", "A2"): "Phải liên hệ 2 cơ quan" + FIELD,
        ("i4", "A3"): "Theo phiếu khảo sát: 2 cơ quan", ("i4", "A4"): "Theo phiếu khảo sát: 3 cơ quan" + FIELD,
        ("i4", "A5"): "Không có thông tin",  # no information, with a field check: the field check is moot
        ("i4", "A6"): "Không có thông tin",
        ("i4", "S1"): adjusted + "Đã đối chiếu (VP)" + note.format(row=5, computed=2),
        ("i7", "A1"): BEFORE + _untrue("PA1"), ("i7", "A2"): "Có phản ánh về thái độ, nhũng nhiễu: PA3, PA4",
        ("i7", "A3"): LATE + LATE_NO_COMPLAINT + _untrue("PA2"), ("i7", "A4"): OPEN,
        ("i7", "A5"): OPEN + _untrue("PA5"), ("i7", "A6"): ON_TIME + _untrue("PA6"),
        ("i7", "O1"): adjusted + "Có phản ánh qua điện thoại (VP)" + note.format(row=6, computed=0),
    }
    for did in ("S1", "S2", "S3", "S4", "S5", "S6"):
        expected.setdefault(("i1", did), S_BEFORE)
        expected[("i3", did)] = NONE
        expected.setdefault(("i4", did), "Phải liên hệ 0 cơ quan")
        expected[("i7", did)] = S_BEFORE
    expected.update({("i1", "A5"): OPEN, ("i2", "A5"): WHOLE + OPEN, ("i2", "A6"): WHOLE + ON_TIME,
                     ("i3", "O1"): NONE, ("i4", "O1"): "Phải liên hệ 0 cơ quan", ("i1", "A7"): LATE,
                     ("i2", "A7"): WHOLE + LATE, ("i3", "A7"): NONE, ("i4", "A7"): "Phải liên hệ 0 cơ quan",
                     ("i7", "A7"): LATE + LATE_NO_COMPLAINT})
    assert texts == expected
    assert codes == {
        ("i1", c) for c in ("before", "on_time", "late", "open_overdue", "override")} | {
        ("i2", c) for c in ("whole_before", "whole_on_time", "whole_late", "whole_open_overdue", "step_before",
                            "step_on_time", "step_late", "step_open", "step_open_overdue", "step_unreadable",
                            "override")} | {
        ("i3", c) for c in ("contacts_system", "contacts_survey", "no_info", "override")} | {
        ("i4", c) for c in ("agencies_system", "agencies_system_field", "agencies_survey", "agencies_survey_field",
                            "no_info", "no_info_field", "override")} | {
        ("i7", c) for c in ("before_untrue", "complaint", "late_no_complaint_untrue", "open_overdue",
                            "open_overdue_untrue", "on_time_untrue", "before", "late_no_complaint",
                            "override")}
    # the CSV writes the reasons as pandas writes them as plain text; the audit reads the same texts
    ds = result.dossier_scores
    plain = ds.astype({f"{c}_reason": object for c in INDICATORS})
    assert csv_bytes(ds) == neutralise(plain).to_csv(index=False, lineterminator="\n").encode("utf-8")
    audit = [n.text for n in explain_dossier(result, "A3").trees[0].walk()]
    assert any(t.endswith(f"— {expected[('i7', 'A3')]} (phản ánh PA2 nhận 05/04/2021, đã xác minh không đúng sự "
                          "thật) [TT 01/2018 Điều 13 khoản 7]") for t in audit)
    assert any(f"— {expected[('i4', 'A3')]} [" in t for t in audit)


def test_every_code_without_complaints_file_agencies_column_or_steps_is_worded_exactly(tmp_path):
    rows = [dossier("B1", finished="2021-04-09", contacts=2),
            dossier("B2", finished="2021-04-10", contacts=0, field_check="x"),
            dossier("B3", finished="2021-04-12", contacts=1, field_check="x"),
            dossier("B4", due="2021-05-01", finished=None, contacts="abc"),
            dossier("B5", finished="2021-04-09", contacts="abc", field_check="x"),
            dossier("B6", finished="2021-04-09", contacts="abc")]
    root = write_quarter(tmp_path / "data", rows, complaints=False,
                         surveys=[_survey("P1", "B6", agencies_contacted=2)])
    texts, codes = _texts(grade_quarter(root, QUARTER, policies={
        "population": "resolved_or_overdue", "indicator2_without_steps": "exclude"}))
    derived = "Không có cột số cơ quan: {n} cơ quan (suy từ số lần bổ sung)"
    expected = {
        ("i1", "B1"): BEFORE, ("i1", "B2"): ON_TIME, ("i1", "B3"): LATE, ("i1", "B4"): OPEN,
        ("i1", "B5"): BEFORE, ("i1", "B6"): BEFORE,
        **{("i2", f"B{i}"): "Không có dữ liệu từng bước; chính sách loại chỉ số này." for i in range(1, 7)},
        ("i3", "B1"): "Số lần phải bổ sung 2, do người nộp 0: tính 2 lần", ("i3", "B2"): NONE,
        ("i3", "B3"): "Số lần phải bổ sung 1, do người nộp 0: tính 1 lần", ("i3", "B4"): "Không có thông tin",
        ("i3", "B5"): "Không có thông tin", ("i3", "B6"): "Không có thông tin",
        ("i4", "B1"): derived.format(n=1), ("i4", "B2"): derived.format(n=0) + FIELD,
        ("i4", "B3"): derived.format(n=1) + FIELD, ("i4", "B4"): "Không có thông tin",
        ("i4", "B5"): "Không có thông tin",
        ("i4", "B6"): "Theo phiếu khảo sát: 2 cơ quan",
        ("i7", "B1"): BEFORE + NOFILE, ("i7", "B2"): ON_TIME + NOFILE,
        ("i7", "B3"): LATE + LATE_NO_COMPLAINT + NOFILE, ("i7", "B4"): OPEN + NOFILE,
        ("i7", "B5"): BEFORE + NOFILE, ("i7", "B6"): BEFORE + NOFILE,
    }
    assert texts == expected
    assert codes == {("i1", c) for c in ("before", "on_time", "late", "open_overdue")} | {
        ("i2", "no_steps_excluded")} | {("i3", c) for c in ("contacts_system", "no_info")} | {
        ("i4", c) for c in ("agencies_derived", "agencies_derived_field", "no_info", "no_info_field",
                            "agencies_survey")} | {
        ("i7", c) for c in ("before_nofile", "on_time_nofile", "late_no_complaint_nofile", "open_overdue_nofile")}


def _categorical(values: list[str]) -> pd.Series:
    return pd.Series(pd.Categorical(values))


def test_missing_facts_read_as_pandas_concatenation_left_them():
    """Facts grading never leaves missing under these codes, given missing: a missing date reads "(trống)", a
    missing count or text blanks the whole reason, a missing override column reads as empty."""
    day = pd.to_datetime
    pop = pd.DataFrame({
        "finished_day": day([None, None, "2021-04-10"]), "due_day": day(["2021-04-10", "2021-04-10", "2021-04-10"]),
        "contacts": pd.array([None, None, 3], dtype="Int64"),
        "contacts_applicant": pd.array([None, 1, None], dtype="Int64"),
        "contacts_eff": pd.array([2, None, 3], dtype="Int64"),
        "agencies_val": pd.array([None, None, 3], dtype="Int64"),
        "untrue_complaints": pd.Series([pd.NA, pd.NA, "PA9"], dtype=object),
        "conduct_complaints": pd.Series([pd.NA, pd.NA, pd.NA], dtype=object),
    })
    scores = pd.DataFrame({
        "i1_code": _categorical(["late", "override", "on_time"]),
        "i1_override": pd.Series(["", None, ""], dtype=object),
        "i2_code": _categorical(["step_late", "whole_late", "override"]),
        "i2_step_finished": day([None, None, None]), "i2_step_due": day([None, None, None]),
        "i3_code": _categorical(["contacts_system", "contacts_survey", "contacts_system"]),
        "i4_code": _categorical(["agencies_system", "agencies_derived_field", "agencies_survey_field"]),
        "i7_code": _categorical(["before_untrue", "complaint", "late_no_complaint_untrue_nofile"]),
    })
    got = dossier_reasons(pop, scores, RULES.dossier_indicators)
    texts = {c: [None if pd.isna(v) else v for v in got[f"{c}_reason"]] for c in INDICATORS}
    assert texts == {
        "i1": ["có kết quả (trống), hẹn trả 10/04/2021: sau hạn", None, ON_TIME],
        "i2": [OWN + "hoàn thành (trống), hẹn trả (trống): sau hạn",
               WHOLE + "có kết quả (trống), hẹn trả 10/04/2021: sau hạn",
               "Điều chỉnh của người thẩm định: "],  # no override column: nothing after the words
        "i3": [None, None, "Số lần phải bổ sung 3, do người nộp 0: tính 3 lần"],
        "i4": [None, None, "Theo phiếu khảo sát: 3 cơ quan" + FIELD],
        "i7": [None, None,
               "có kết quả 10/04/2021, hẹn trả 10/04/2021: sau hạn" + LATE_NO_COMPLAINT + _untrue("PA9") + NOFILE],
    }


def test_a_template_reads_as_pandas_concatenation_whatever_the_number_of_combinations():
    """The filler itself: few combinations (a table of the possible ones) or about one per row (hashed), a
    missing value blanking the text, counts as whole numbers, the same text from two codes one category."""
    from tthc.schemes.tt01.reason_texts import FactTexts, count, reason_column, text

    n = 1000
    pop = pd.DataFrame({
        "a": pd.Series([f"A{i}" if i % 7 else None for i in range(n)], dtype=object),
        "b": pd.Series([f"B{i % 3}" for i in range(n)], dtype=object),
        "k": pd.array([i if i % 5 else None for i in range(n)], dtype="Int64"),
    })
    code = pd.Series(pd.Categorical([*("many" if i % 2 else "few" for i in range(n - 1)), "same"]))
    templates = {"many": ["a=", text("a"), ", b=", text("b"), ", k=", count("k"), "."],  # ~430 × ~400: hashed
                 "few": ["b=", text("b"), ", k0=", count("k", missing_as_zero=True)],
                 "same": ["b=B0, k0=0"]}
    got = reason_column(code, templates, FactTexts(pop, pd.DataFrame(index=pop.index)), "i1")
    many = "a=" + pop["a"].astype(str) + ", b=" + pop["b"].astype(str) + ", k=" + pop["k"].astype(str) + "."
    few = "b=" + pop["b"].astype(str) + ", k0=" + pop["k"].fillna(0).astype(str)
    want = many.where(code == "many", few).where(code != "same", "b=B0, k0=0")
    assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in want]
    assert got.isna().sum() == sum(1 for i in range(n - 1) if i % 2 and (i % 7 == 0 or i % 5 == 0)) > 0
    assert len(got.cat.categories) == len(set(want.dropna()))  # "b=B0, k0=0" once, from two codes
