"""Each component's formula at its boundaries, computed by hand (DOMAIN_2025.md; the period is 2025-Q3)."""

from decimal import Decimal

import pandas as pd
import pytest
from nd118_helpers import UNITS, comp, dossier, dossiers, grade, petition, petitions

D = Decimal


def test_on_time_as_2_1_reads_it():
    rows = [
        dossier(1, finished="2025-07-15"),                                     # early
        dossier(2, due="2025-07-20 08:00", finished="2025-07-20 17:00"),      # on the due day (days compare)
        dossier(3, finished="2025-07-21"),                                     # late
        dossier(4, received="2025-09-25", due="2025-09-30", finished=None),    # open, due on the last day
        dossier(5, received="2025-09-20", due="2025-09-29", finished=None),    # open and overdue
        dossier(6, received="2025-09-28", due="2025-10-05", finished="2025-10-03"),  # result after the end
        dossier(7, received="2025-09-01", due="2025-09-25", finished="2025-10-02"),  # open at the end, overdue
        dossier(8, received="2025-06-30", due="2025-07-05", finished="2025-07-02"),  # received before: not in N
        dossier(9, received="2025-07-01 16:30", due="2025-07-05", finished="2025-07-02"),  # first day
        dossier(10, received="2025-09-30", due="2025-10-15", finished=None),   # last day, not yet due
    ]
    result = grade({"dossiers": dossiers(rows)})
    on_time = comp(result, "S01", "2.1")
    # N = 9 (dossier 8 is outside), on time: 1, 2, 4, 6, 9, 10 → 6/9 → 20 × 2/3 = 13.33
    assert (on_time.numerator, on_time.denominator, on_time.points) == (6, 9, D("13.33"))
    assert on_time.source == "recomputed" and result.unit("S01").dossiers == 9
    assert on_time.reason == ("6/9 hồ sơ giải quyết đúng hạn hoặc chưa đến hạn (66,67%); đạt 13,33/20 điểm.")
    leaf = result.leaf("S01", "2.1")
    assert list(leaf["id"]) == ["D0003", "D0005", "D0007"]
    assert list(leaf["row"]) == [4, 6, 8]  # the frame's rows as Excel rows (header on row 1)
    assert leaf["fact"].iloc[0] == "có kết quả 21/07/2025, sau hạn 20/07/2025"
    assert leaf["fact"].iloc[1] == "chưa có kết quả đến hết kỳ (30/09/2025), đã quá hạn 29/09/2025"
    assert result.accounting["dossiers"] == {"rows": 10, "used": 9,
                                             "excluded": {"tiếp nhận ngoài kỳ (không thuộc N)": 1}}


def _flagged(unit: str, n: int, flagged: int, start: int, **flag) -> list[dict]:
    """``n`` on-time dossiers of ``unit``, the first ``flagged`` of them with ``flag``."""
    (name, value), = flag.items()
    other = {"channel": "truc_tiep"}.get(name, False)
    return [dossier(start + i, unit=unit, **{name: value if i < flagged else other}) for i in range(n)]


@pytest.mark.parametrize("name,value,code,points", [
    ("channel", "truc_tuyen", "3.3", ("6.00", "4.80", "6.00")),      # full at 0.5: 5/10, 4/10, 6/10
    ("data_reused", True, "5.4", ("2.00", "1.75", "2.00")),          # full at 0.8: 8/10, 7/10, 9/10
    ("synced_on_time", True, "1.4", ("6.00", "5.40", "6.00")),       # full at 1: 10/10, 9/10, 10/10
])
def test_a_flag_at_just_below_and_above_its_full_at(name, value, code, points):
    counts = {"3.3": (5, 4, 6), "5.4": (8, 7, 9), "1.4": (10, 9, 10)}[code]
    rows = (_flagged("S01", 10, counts[0], 0, **{name: value}) + _flagged("X01", 10, counts[1], 100, **{name: value})
            + _flagged("X02", 10, counts[2], 200, **{name: value}))
    result = grade({"dossiers": dossiers(rows)})
    assert [comp(result, u, code).points for u in ("S01", "X01", "X02")] == [D(p) for p in points]
    assert [comp(result, u, code).numerator for u in ("S01", "X01", "X02")] == list(counts)


def test_online_share_follows_its_policy():
    rows = _flagged("S01", 10, 4, 0, channel="truc_tuyen")
    default = grade({"dossiers": dossiers(rows)})
    assert comp(default, "S01", "3.3").points == D("4.80")                  # 6 × 0.4 / 0.5
    looser = grade({"dossiers": dossiers(rows)}, policies={"online_full_at": "0.4"})
    assert comp(looser, "S01", "3.3").points == D("6.00")
    assert "đủ điểm từ 40%" in comp(looser, "S01", "3.3").reason


def test_paid_online_counts_only_dossiers_carrying_a_fee():
    rows = [dossier(i, fee_required=True, paid_online=i < 3) for i in range(4)]
    rows += [dossier(10 + i, fee_required=False, paid_online=True) for i in range(2)]  # outside 4.1's denominator
    rows += [dossier(20, unit="X01", fee_required=False, paid_online=False)]
    result = grade({"dossiers": dossiers(rows)})
    paid = comp(result, "S01", "4.1")
    assert (paid.numerator, paid.denominator, paid.points) == (3, 4, D("4.50"))      # 6 × 3/4
    empty = comp(result, "X01", "4.1")  # no dossier with a fee: zero denominator, default policy zero
    assert (empty.denominator, empty.points, empty.source) == (0, D("0.00"), "recomputed")
    assert "(empty_denominator = zero)" in empty.reason


def test_zero_denominator_under_both_policies_and_the_rescaling():
    # X01: two dossiers, both synced and on time, one online, none with a fee
    rows = [dossier(1, unit="X01", synced_on_time=True, fee_required=False, paid_online=False, channel="truc_tuyen"),
            dossier(2, unit="X01", synced_on_time=True, fee_required=False, paid_online=False)]
    frame = dossiers(rows)
    zero = grade({"dossiers": frame}).unit("X01")
    # known: 1.4 (6/6), 2.1 (20/20), 3.3 (6/6), 4.1 (0/6) → 32 over 38 → 32 × 100 / 38 = 84.2105… → 84.21
    assert zero.known_max == D(38) and zero.total == D("84.21") and zero.result == "Tốt"
    na = grade({"dossiers": frame}, policies={"empty_denominator": "not_applicable"}).unit("X01")
    assert na.component("4.1").source == "not_applicable" and na.component("4.1").points is None
    assert na.known_max == D(32) and na.total == D("100.00") and na.result == "Xuất sắc"
    assert na.groups["4"] is None and na.groups["2"] == D("20.00")
    counted = grade({"dossiers": frame}, policies={"missing_component": "count_zero"}).unit("X01")
    # every missing component scores 0 of its maximum: 32 out of 100
    assert counted.known_max == D(100) and counted.total == D("32.00") and counted.result == "Yếu"
    assert counted.component("1.1").source == "missing" and counted.component("1.1").points == D("0.00")


def test_a_unit_without_dossiers_scores_zero_on_dossier_components():
    rows = [dossier(1, unit="S01", synced_on_time=True)]
    result = grade({"dossiers": dossiers(rows)})
    x02 = result.unit("X02")
    assert x02.dossiers == 0 and x02.component("2.1").points == D("0.00") and x02.component("1.4").denominator == 0
    assert any(f.code == "nd118_no_dossiers" and f.value == "X02" for f in result.findings.items)


def test_petitions_on_time_and_satisfied():
    rows = [
        petition(1),                                                          # answered before due
        petition(2, answered="2025-07-25"),                                   # late
        petition(3, received="2025-09-25", due="2025-10-10", answered=None),  # open, not yet due
        petition(4, received="2025-09-01", due="2025-09-15", answered=None),  # open, overdue
        petition(5, received="2025-09-20", due="2025-09-30", answered="2025-10-02"),  # answered after the end
        petition(6, rated_unsatisfied=True),                                  # on time, rated unsatisfied
        petition(7, rated_unsatisfied=True, re_raised=True),                  # counted once
        petition(8, received="2025-06-30", due="2025-07-10"),                 # outside the period
        petition(9, due=None),                                                # no due date: in scope, not on time
    ]
    result = grade({"dossiers": dossiers([dossier(1)]), "complaints": petitions(rows)})
    on_time, satisfied = comp(result, "S01", "6.1"), comp(result, "S01", "6.2")
    # in scope: 1–7 and 9; on time: 1, 3, 5, 6, 7 → 6 × 5/8 = 3.75
    assert (on_time.numerator, on_time.denominator, on_time.points) == (5, 8, D("3.75"))
    # satisfied: 1, 3, 5 → 6 × 3/8 = 2.25
    assert (satisfied.numerator, satisfied.denominator, satisfied.points) == (3, 8, D("2.25"))
    assert list(result.leaf("S01", "6.2")["id"]) == ["P002", "P004", "P006", "P007", "P009"]
    codes = {(f.code, f.row) for f in result.findings.items}
    assert ("nd118_petition_no_due", 10) in codes and ("nd118_petition_outside", 9) in codes
    # a unit with no petition in the period: full points on both
    none = comp(result, "X01", "6.1")
    assert (none.denominator, none.points, comp(result, "X01", "6.2").points) == (0, D("6.00"), D("6.00"))
    # even under not_applicable, no petition is full points
    na = grade({"dossiers": dossiers([dossier(1)]), "complaints": petitions(rows)},
               policies={"empty_denominator": "not_applicable"})
    assert comp(na, "X01", "6.1").points == D("6.00")


def test_petitions_absent_are_missing_not_full():
    result = grade({"dossiers": dossiers([dossier(1, rating="Hài lòng")])})
    for code in ("6.1", "6.2", "6.3"):
        c = comp(result, "S01", code)
        assert c.source == "missing" and c.points is None, code
    assert "không có tệp complaints" in comp(result, "S01", "6.1").reason
    without_flags = petitions([petition(1)], columns=["complaint_id", "unit_id", "received_at", "due_at",
                                                      "answered_at"])
    result = grade({"dossiers": dossiers([dossier(1)]), "complaints": without_flags})
    assert comp(result, "S01", "6.1").points == D("6.00")  # 1/1 on time
    assert comp(result, "S01", "6.2").source == "missing"
    assert "'rated_unsatisfied'" in comp(result, "S01", "6.2").reason


def test_dossier_satisfaction_6_3():
    rows = [
        dossier(1, rating="Hài lòng"),
        dossier(2, rating="Rất hài lòng"),      # named by a petition received before the period
        dossier(3, rating="Không hài lòng"),
        dossier(4, finished="2025-07-25", rating="Hài lòng"),  # late
        dossier(5, rating=None),
        dossier(6, rating="Bình thường"),
        dossier(7, rating="Tuyệt vời"),         # unknown label: not unsatisfied, with a warning
    ]
    named = petitions([petition(1, received="2025-06-20", due="2025-07-01", dossier_id="D0002")])
    result = grade({"dossiers": dossiers(rows), "complaints": named})
    satisfied = comp(result, "S01", "6.3")
    # N = 7; satisfied 1, 5, 6, 7 → 4/7 = 0.5714 / 0.9 × 6 = 3.8095 → 3.81
    assert (satisfied.numerator, satisfied.denominator, satisfied.points) == (4, 7, D("3.81"))
    leaf = result.leaf("S01", "6.3").set_index("id")["fact"]
    assert leaf["D0002"] == "bị phản ánh, kiến nghị" and leaf["D0003"] == "người nộp đánh giá không hài lòng"
    assert leaf["D0004"].startswith("có kết quả 25/07/2025")
    unknown = [f for f in result.findings.items if f.code == "nd118_rating_unknown"]
    assert [(f.row, f.value) for f in unknown] == [(8, "Tuyệt vời")]
    # 9 of 10 satisfied is exactly full (0.9); 8 of 10 is 6 × 0.8/0.9 = 5.33
    tens = [dossier(i, rating="Không hài lòng" if i == 0 else "Hài lòng") for i in range(10)]
    tens += [dossier(100 + i, unit="X01", rating="Không hài lòng" if i < 2 else "Hài lòng") for i in range(10)]
    result = grade({"dossiers": dossiers(tens), "complaints": petitions([])})
    assert comp(result, "S01", "6.3").points == D("6.00") and comp(result, "X01", "6.3").points == D("5.33")


def test_an_absent_column_is_missing_and_rescaled():
    rows = [dossier(1, synced_on_time=True), dossier(2, synced_on_time=False)]
    result = grade({"dossiers": dossiers(rows)})
    s01 = result.unit("S01")
    assert s01.component("5.1").source == "missing" and "'e_result'" in s01.component("5.1").reason
    assert s01.component("3.3").source == "recomputed"  # the channel column is there
    # known: 1.4 (1/2 → 3.00), 2.1 (20), 3.3 (0/2 → 0) → 23 over 32 → 71.875 → 71.88
    assert s01.known_max == D(32) and s01.total == D("71.88")
    assert set(s01.left_out) >= {"1.1", "1.2", "1.3", "3.1", "3.2", "4.1", "5.1", "5.7", "6.1", "6.2", "6.3"}


def test_catalogue_components_from_evidence():
    units = UNITS.assign(e_certified_copy=[False, True, False])
    evidence = pd.DataFrame([
        ("*", "1.1", 9, 10), ("S01", "PUBLISH_ON_TIME", 3, 4),       # S01's own row wins over '*'
        ("TINH", "1.2", 5, 8),                                       # the province's figure, carried by every unit
        ("*", "3.1", 3, 4), ("X01", "3.1", 0, 0),                    # X01: eligible none → 0 under zero
        ("S01", "3.2", None, 3),                                     # numerator counted from the dossiers
        ("*", "2.1", 40, 50),                                        # a dossier component: every unit without one
        ("X02", "2.1", 8, 10),                                       # used instead of X02's dossiers
    ], columns=["unit_id", "component", "numerator", "denominator"])
    rows = [dossier(1, channel="truc_tuyen", procedure="A"), dossier(2, channel="truc_tuyen", procedure="A"),
            dossier(3, channel="truc_tuyen", procedure="B"), dossier(4, channel="truc_tiep", procedure="C"),
            dossier(5, unit="X02"), dossier(6, unit="X02")]
    result = grade({"dossiers": dossiers(rows), "index_evidence": evidence}, units=units)
    assert comp(result, "S01", "1.1").points == D("4.50") and comp(result, "X01", "1.1").points == D("5.40")
    assert comp(result, "TINH", "1.1").points == D("5.40")
    assert {comp(result, u, "1.2").points for u in ("S01", "X01", "X02", "TINH")} == {D("2.50")}  # 4 × 5/8
    assert comp(result, "S01", "3.1").points == D("1.88")         # 2 × (3/4) / 0.8 = 1.875
    assert comp(result, "X01", "3.1").points == D("0.00")
    counted = comp(result, "S01", "3.2")                           # procedures A and B online: 2 of 3
    assert (counted.numerator, counted.denominator, counted.points, counted.source) == (2, 3, D("2.67"), "recomputed")
    assert counted.reason.startswith("Tử số đếm từ hồ sơ, mẫu số theo index_evidence")
    assert comp(result, "X01", "3.2").source == "missing"
    assert list(result.leaf("S01", "3.2")["id"]) == ["A", "B"]
    x02 = comp(result, "X02", "2.1")
    assert (x02.points, x02.source, x02.counted) == (D("16.00"), "evidence", (2, 2))
    assert comp(result, "TINH", "2.1").points == D("16.00")
    s01 = comp(result, "S01", "2.1")  # the `*` row instead of S01's 4 dossiers (4 of 4 on time): a finding
    assert (s01.points, s01.source, s01.counted) == (D("16.00"), "evidence", (4, 4))
    # 5.3: communes (xa) offering electronic certified copies: X01 of X01, X02 → 1/2 → 1.00 for everyone
    assert {comp(result, u, "5.3").points for u in ("S01", "X01", "X02", "TINH")} == {D("1.00")}
    assert list(result.leaf("S01", "5.3")["id"]) == ["X02"]
    codes = [f.code for f in result.findings.items]
    assert "nd118_evidence_differs" in codes and "nd118_star_all_units" in codes


def test_bad_evidence_rows_are_findings_and_accounted():
    evidence = pd.DataFrame([
        ("S01", "9.9", 1, 2), ("Z99", "1.1", 1, 2), ("S01", "1.2", 5, 4), ("S01", "1.3", None, 4),
        ("S01", "1.1", -1, 4), ("S01", "5.7", 1, None), ("X01", "5.7", 1, 2), ("X01", "5.7", 2, 2),
        ("Xã An Bình", "4.3", 1, 1),
    ], columns=["unit_id", "component", "numerator", "denominator"]).assign(_file="q/index_evidence.csv",
                                                                           _row=range(2, 11))
    result = grade({"dossiers": dossiers([dossier(1)]), "index_evidence": evidence})
    found = {(f.code, f.row, f.column) for f in result.findings.items if f.file == "q/index_evidence.csv"}
    assert found == {("nd118_unknown_component", 2, "component"), ("nd118_unknown_unit", 3, "unit_id"),
                     ("nd118_numerator_above", 4, "numerator"), ("nd118_no_numerator", 5, "numerator"),
                     ("nd118_bad_count", 6, "numerator"), ("nd118_no_denominator", 7, "denominator"),
                     ("nd118_duplicate_evidence", 9, "component")}
    assert comp(result, "X01", "5.7").points == D("1.00")       # the first of the two rows
    assert comp(result, "X01", "4.3").points == D("2.00")       # matched by the unit's name
    accounting = result.accounting["q/index_evidence.csv"]
    assert accounting["rows"] == 9 and accounting["used"] == 2
    assert sum(accounting["excluded"].values()) == 7


def test_the_province_row_pools_every_unit():
    rows = [dossier(1, unit="S01"), dossier(2, unit="X01", finished="2025-07-25"), dossier(3, unit="X02")]
    result = grade({"dossiers": dossiers(rows)}, province_unit_id="TOAN_TINH", province_name="Tỉnh Mẫu")
    province = result.units[0]
    assert (province.unit_id, province.unit_name, province.level) == ("TOAN_TINH", "Tỉnh Mẫu", "toan_tinh")
    assert province.dossiers == 3 and province.rank is None
    assert province.component("2.1").numerator == 2  # 20 × 2/3 = 13.33
    assert province.component("2.1").points == D("13.33")


def test_levels_ranks_and_abolished_districts():
    units = pd.DataFrame({"unit_id": ["S01", "S02", "S03", "X01", "H01"], "unit_name": list("ABCDE"),
                          "level": ["tinh", "Cấp tỉnh", "tinh", "dac_khu", "huyen"]})
    rows = ([dossier(i, unit="S01") for i in range(4)] + [dossier(10 + i, unit="S02") for i in range(4)]
            + [dossier(20, unit="S03", finished="2025-07-30"), dossier(21, unit="S03")]
            + [dossier(30, unit="X01"), dossier(40, unit="H01")])
    result = grade({"dossiers": dossiers(rows)}, units=units)
    ranks = {u.unit_id: (u.level, u.rank) for u in result.units}
    # S01 and S02 tie (all on time): both 1, S03 next is 3; X01 alone at the commune level
    assert ranks == {"TINH": ("toan_tinh", None), "S01": ("tinh", 1), "S02": ("tinh", 1), "S03": ("tinh", 3),
                     "X01": ("xa", 1), "H01": ("huyen", None)}
    h01 = result.unit("H01")
    assert h01.total is not None and h01.result  # graded for reference, not ranked
    assert any(f.code == "nd118_abolished_level" and "H01" in f.message for f in result.findings.items)


def test_grading_does_not_touch_its_inputs():
    frame = dossiers([dossier(1, synced_on_time=True), dossier(2, unit="Z9")])
    complaints = petitions([petition(1)])
    before = (frame.copy(deep=True), complaints.copy(deep=True))
    result = grade({"dossiers": frame, "complaints": complaints})
    pd.testing.assert_frame_equal(frame, before[0])
    pd.testing.assert_frame_equal(complaints, before[1])
    assert any(f.code == "nd118_unknown_unit" and f.value == "Z9" for f in result.findings.items)
    assert result.accounting["dossiers"]["excluded"] == {"đơn vị không có trong units.csv": 1}
