"""Every rule of TT 01/2018 (docs/quy-tac-tt01-2018.md) on small hand-made quarters, one thing changed per test."""

from decimal import Decimal

import pytest
from builders import UNITS, dossier, write_quarter

from tthc.schemes.tt01.engine import grade_quarter


def grade(tmp_path, dossiers, policies=None, **tables):
    root = write_quarter(tmp_path / "data", dossiers, **tables)
    return grade_quarter(root, "2021-Q2", policies=policies)


def unit(result, uid="H1"):
    return next(u for u in result.units if u.unit_id == uid)


def score(result, number, uid="H1"):
    return next(s for s in unit(result, uid).scores if s.number == number)


def points(result, did, code):
    ds = result.dossier_scores.set_index("dossier_id")
    return ds.at[did, code], ds.at[did, f"{code}_reason"]


# --- indicator 1: calendar dates ---------------------------------------------------------------

@pytest.mark.parametrize(("finished", "expected", "word"), [
    ("2021-04-09", 2, "trước hạn"), ("2021-04-10", 1, "đúng hạn"), ("2021-04-11", 0, "sau hạn"),
    ("10/04/2021 23:59", 1, "đúng hạn"),  # the time of day does not matter, only the date
])
def test_indicator1_compares_calendar_dates(tmp_path, finished, expected, word):
    r = grade(tmp_path, [dossier("D1", due="2021-04-10 08:00", finished=finished)])
    got, reason = points(r, "D1", "i1")
    assert got == expected
    assert word in reason and "10/04/2021" in reason


@pytest.mark.parametrize(("finished", "in_population"), [
    ("2021-03-31", False), ("2021-04-01", True), ("2021-06-30", True), ("2021-07-01", False),
    ("30/06/2021 23:30", True),
])
def test_period_edges(tmp_path, finished, in_population):
    r = grade(tmp_path, [dossier("D0", received="2021-03-01", due="2021-07-10", finished="2021-05-01"),
                         dossier("D1", received="2021-03-01", due="2021-07-10", finished=finished)])
    assert ("D1" in set(r.population["dossier_id"])) is in_population
    if not in_population:
        assert any(f.code == "outside_period" and "D1" in f.message for f in r.findings.items)


def test_reporting_cutoff_period(tmp_path):
    r = grade(tmp_path, [dossier("D1", received="2021-03-10", due="2021-03-20", finished="2021-03-15"),
                         dossier("D2", received="2021-06-01", due="2021-06-20", finished="2021-06-15")],
              policies={"period": "reporting_cutoff"})
    assert list(r.population["dossier_id"]) == ["D1"]


# --- indicator 3: contacts the applicant caused do not count ------------------------------------

@pytest.mark.parametrize(("contacts", "applicant", "expected"), [
    (0, 0, 2), (1, 0, 1), (2, 0, 0), (1, 1, 2), (3, 2, 1), (3, 1, 0),
])
def test_indicator3_effective_contacts(tmp_path, contacts, applicant, expected):
    r = grade(tmp_path, [dossier("D1", contacts=contacts, applicant=applicant)])
    got, reason = points(r, "D1", "i3")
    assert got == expected
    assert f"bổ sung {contacts}" in reason and f"người nộp {applicant}" in reason


def test_indicator3_without_contacts_column_has_no_information(tmp_path):
    rows = [dossier("D1")]
    for row in rows:
        del row["contacts"], row["contacts_applicant"]
    r = grade(tmp_path, rows)
    assert score(r, 3).points is None and score(r, 3).source == "excluded"
    assert score(r, 4).points is None
    assert unit(r).total == Decimal("14.0")  # 18 minus the two excluded indicators, thresholds absolute


# --- indicator 4 -------------------------------------------------------------------------------

def test_indicator4_absent_column_is_derived_from_contacts(tmp_path):
    r = grade(tmp_path, [dossier("D1", contacts=0), dossier("D2", contacts=2, applicant=2)])
    assert points(r, "D1", "i4")[0] == 2
    assert points(r, "D2", "i4")[0] == 1  # the desk


@pytest.mark.parametrize(("agencies", "field_check", "expected"), [
    (0, "", 2), (1, "", 1), (2, "", 0), (2, "x", 1), (3, "x", 0),
])
def test_indicator4_agencies_and_field_check_allowance(tmp_path, agencies, field_check, expected):
    r = grade(tmp_path, [dossier("D1", agencies_contacted=agencies, field_check=field_check)])
    assert points(r, "D1", "i4")[0] == expected


# --- indicator 7 -------------------------------------------------------------------------------

def complaint(cid, did=None, unit="H1", received="2021-04-05", due="2021-04-15", answered="2021-04-10",
              prolonged="", conduct="", untrue=""):
    return {"complaint_id": cid, "unit_id": unit, "dossier_id": did or "", "received_at": received,
            "due_at": due, "answered_at": answered or "", "prolonged": prolonged, "about_conduct": conduct,
            "verified_untrue": untrue}


def test_indicator7_conduct_complaint_gives_zero(tmp_path):
    r = grade(tmp_path, [dossier("D1"), dossier("D2")], complaints=[complaint("PA1", "D1", conduct="x")])
    got, reason = points(r, "D1", "i7")
    assert got == 0 and "PA1" in reason
    assert points(r, "D2", "i7")[0] == 2


def test_indicator7_complaint_verified_untrue_does_not_count(tmp_path):
    r = grade(tmp_path, [dossier("D1")], complaints=[complaint("PA1", "D1", conduct="x", untrue="x")])
    got, reason = points(r, "D1", "i7")
    assert got == 2 and "không đúng sự thật" in reason


def test_indicator7_late_without_complaint_scores_zero_and_says_why(tmp_path):
    r = grade(tmp_path, [dossier("D1", finished="2021-04-12"), dossier("D2", finished="2021-04-10")])
    got, reason = points(r, "D1", "i7")
    assert got == 0 and "không có phản ánh" in reason
    assert points(r, "D2", "i7")[0] == 1


def test_indicator7_without_complaints_file_is_timing_alone(tmp_path):
    r = grade(tmp_path, [dossier("D1")], complaints=False)
    got, reason = points(r, "D1", "i7")
    assert got == 2 and "không có tệp complaints" in reason


# --- indicator 2 -------------------------------------------------------------------------------

def test_indicator2_without_steps_is_indicator1(tmp_path):
    r = grade(tmp_path, [dossier("D1", finished="2021-04-10")])
    assert points(r, "D1", "i2")[0] == points(r, "D1", "i1")[0] == 1


def test_indicator2_without_steps_exclude_policy(tmp_path):
    r = grade(tmp_path, [dossier("D1")], policies={"indicator2_without_steps": "exclude"})
    assert score(r, 2).points is None and unit(r).total == Decimal("16.0")


def test_indicator2_with_steps_scores_each_participant_on_its_own_step(tmp_path):
    steps = [
        {"dossier_id": "D1", "unit_id": "H1", "due_at": "2021-04-05", "finished_at": "2021-04-06"},  # late
        {"dossier_id": "D1", "unit_id": "X1", "due_at": "2021-04-09", "finished_at": "2021-04-08"},  # early
    ]
    r = grade(tmp_path, [dossier("D1"), dossier("D2", unit="X1", finished="2021-04-10")], steps=steps)
    assert points(r, "D1", "i2")[0] == 0  # the resolving unit's own step was late
    assert points(r, "D1", "i1")[0] == 2  # the dossier as a whole was early
    assert score(r, 2, "H1").points == Decimal("0.0")
    # X1 coordinated on H1's dossier (2 points) and resolved D2 on its due date (1 point): mean 1.5
    x1 = score(r, 2, "X1")
    assert (x1.points, x1.dossiers) == (Decimal("1.5"), 2)


# --- indicator 5, 6 ----------------------------------------------------------------------------

@pytest.mark.parametrize(("level", "full", "desk", "expected"), [
    ("huyen", 0.5, 1, 2), ("huyen", 0.49, 1, 1), ("xa", 0.99, 1, 1), ("xa", 1, 1, 2), ("tinh", 0.2, 1, 2),
    ("tinh", 0.19, 1, 1), ("huyen", 0.8, 0.95, 0),
])
def test_indicator5_thresholds_by_level(tmp_path, level, full, desk, expected):
    units = [{"unit_id": "H1", "unit_name": "Đơn vị", "level": level}]
    ev = [{"unit_id": "H1", "desk_full_share": full, "desk_share": desk, "posted": 1, "electronic": 1,
           "dvc34_share": 0.5}]
    r = grade(tmp_path, [dossier("D1")], units=units, evidence=ev)
    assert score(r, 5).points == expected


@pytest.mark.parametrize(("posted", "electronic", "expected"), [("x", "x", 2), ("có", "", 1), ("0", "1", 1),
                                                                ("không", "false", 0)])
def test_indicator6_publication(tmp_path, posted, electronic, expected):
    ev = [{"unit_id": u["unit_id"], "desk_full_share": 1, "desk_share": 1, "posted": posted,
           "electronic": electronic, "dvc34_share": 0.5} for u in UNITS]
    r = grade(tmp_path, [dossier("D1")], evidence=ev)
    # in unit_evidence a blank cell is missing evidence, not false
    if electronic == "":
        assert score(r, 6).source == "self_accepted"
    else:
        assert score(r, 6).points == expected


# --- unit-level evidence missing -----------------------------------------------------------------

def test_missing_evidence_accepts_the_self_score_and_says_so(tmp_path):
    selfs = [{"unit_id": "H1", **{f"i{n}": 2 for n in range(1, 10)}, "i6": 1.5}]
    r = grade(tmp_path, [dossier("D1")], evidence=False, self_assessment=selfs)
    s6 = score(r, 6)
    assert (s6.points, s6.source) == (Decimal("1.5"), "self_accepted")
    assert "tự chấm" in s6.reason
    r2 = grade(tmp_path / "b", [dossier("D1")], evidence=False, self_assessment=selfs,
               policies={"unit_indicator_without_evidence": "exclude"})
    assert score(r2, 6).points is None and score(r2, 5).points is None


# --- indicator 8 -------------------------------------------------------------------------------

def many(n_on_time, n_late, **kw):
    rows = [complaint(f"T{i}", **kw) for i in range(n_on_time)]
    rows += [complaint(f"L{i}", answered="2021-04-20", **kw) for i in range(n_late)]
    return rows


@pytest.mark.parametrize(("complaints", "expected"), [
    ([], 2), (many(3, 0), 2), (many(9, 1), 1), (many(8, 1), 0), (many(17, 2), 0), (many(18, 2), 1),
    (many(3, 0) + [complaint("K", prolonged="x")], 0),
])
def test_indicator8_bands(tmp_path, complaints, expected):
    r = grade(tmp_path, [dossier("D1")], complaints=complaints)
    assert score(r, 8).points == expected


def test_indicator8_unanswered_not_yet_due_is_left_out_and_past_due_is_late(tmp_path):
    pending = complaint("P", due="2021-07-15", answered=None)
    r = grade(tmp_path, [dossier("D1")], complaints=many(9, 0) + [pending])
    assert score(r, 8).points == 2
    overdue = complaint("O", due="2021-06-15", answered=None)
    r = grade(tmp_path / "b", [dossier("D1")], complaints=many(9, 0) + [overdue])
    assert score(r, 8).points == 1


def test_indicator8_counts_only_complaints_received_in_the_period(tmp_path):
    old = complaint("Q1", received="2021-03-20", due="2021-03-25", answered="2021-04-20")
    r = grade(tmp_path, [dossier("D1")], complaints=[old])
    assert score(r, 8).points == 2


# --- indicator 9 -------------------------------------------------------------------------------

def online_case(n_online, n_total, dvc=0.5, **kw):
    rows = [dossier(f"D{i}", channel="truc_tuyen" if i < n_online else "truc_tiep", **kw)
            for i in range(n_total)]
    ev = [{"unit_id": u["unit_id"], "desk_full_share": 1, "desk_share": 1, "posted": 1, "electronic": 1,
           "dvc34_share": dvc} for u in UNITS]
    return rows, ev


@pytest.mark.parametrize(("n_online", "dvc", "policy", "expected"), [
    (3, 0.2, "at_least_15", 2), (2, 0.5, "at_least_15", 1), (1, 0.5, "at_least_15", 0),
    (3, 0.1, "at_least_15", 1), (3, 0.1, "literal", 0), (2, 0.1, "literal", 1), (3, 0.0, "at_least_15", 0),
])
def test_indicator9_bands(tmp_path, n_online, dvc, policy, expected):
    # out of 10 dossiers: 3 online = 30 %, 2 = 20 %, 1 = 10 %
    rows, ev = online_case(n_online, 10, dvc)
    r = grade(tmp_path, rows, evidence=ev, policies={"indicator9_band": policy})
    assert score(r, 9).points == expected


def test_indicator9_an_open_online_dossier_past_due_zeroes_it(tmp_path):
    rows, ev = online_case(5, 10)
    rows.append(dossier("OPEN", channel="truc_tuyen", due="2021-06-20", finished=None))
    r = grade(tmp_path, rows, evidence=ev)
    assert score(r, 9).points == 0
    assert "OPEN" not in set(r.population["dossier_id"])
    rows[-1] = dossier("OPEN", channel="truc_tuyen", due="2021-07-20", finished=None)  # not yet due
    r = grade(tmp_path / "b", rows, evidence=ev)
    assert score(r, 9).points == 2


def test_indicator9_a_late_online_dossier_zeroes_it(tmp_path):
    rows, ev = online_case(5, 10)
    rows[0] = dossier("D0", channel="truc_tuyen", finished="2021-04-11")
    r = grade(tmp_path, rows, evidence=ev)
    assert score(r, 9).points == 0


# --- population, totals, statuses ----------------------------------------------------------------

def test_population_resolved_or_overdue_scores_open_overdue_as_late(tmp_path):
    rows = [dossier("D1"), dossier("OPEN", due="2021-06-01", finished=None)]
    r = grade(tmp_path, rows)
    assert unit(r).dossiers == 1
    r = grade(tmp_path / "b", rows, policies={"population": "resolved_or_overdue"})
    assert unit(r).dossiers == 2
    got, reason = points(r, "OPEN", "i1")
    assert got == 0 and "quá hạn" in reason
    assert points(r, "OPEN", "i7")[0] == 0


def test_averages_are_rounded_half_up_to_one_decimal(tmp_path):
    # i1 points 2,2,2,2,2,2,2,1 … choose 4 dossiers: 2+1+1+1 = 5/4 = 1.25 → 1.3
    rows = [dossier("A"), dossier("B", finished="2021-04-10"), dossier("C", finished="2021-04-10"),
            dossier("D", finished="2021-04-10")]
    r = grade(tmp_path, rows)
    assert score(r, 1).points == Decimal("1.3")
    r = grade(tmp_path / "b", rows, policies={"rounding": "half_even"})
    assert score(r, 1).points == Decimal("1.2")


def test_total_is_the_sum_and_missing_indicator_policy(tmp_path):
    selfs = [{"unit_id": "H1", **{f"i{n}": 2 for n in range(1, 10)}, "i8": ""}]
    r = grade(tmp_path, [dossier("D1")], complaints=False, self_assessment=selfs)
    assert score(r, 8).points is None
    assert unit(r).total == Decimal("16.0") and unit(r).result == "Xuất sắc"
    r = grade(tmp_path / "b", [dossier("D1")], complaints=False, self_assessment=selfs,
              policies={"missing_indicator": "rescale_to_18"})
    assert unit(r).total == Decimal("18.0")


def test_status_no_dossiers_and_not_scored(tmp_path):
    selfs = [{"unit_id": "H1", **{f"i{n}": 2 for n in range(1, 10)}}]
    r = grade(tmp_path, [dossier("D1", unit="X1")], self_assessment=selfs)
    assert unit(r, "H1").result == "Chưa phát sinh hồ sơ"
    assert unit(r, "X1").result == "Chưa thực hiện chấm điểm"
    assert unit(r, "X1").total == Decimal("18.0")  # appraised anyway, shown for the appraiser
    r = grade(tmp_path / "b", [dossier("D1", unit="X1")], self_assessment=selfs,
              policies={"missing_self_assessment": "grade_from_appraisal"})
    assert unit(r, "X1").result == "Xuất sắc"


def test_grade_boundaries_from_data(tmp_path):
    """A unit with exactly 15.0 is Xuất sắc (a real province's software got this wrong)."""
    # i1 = i2 = i7 = 1 (on the due date), everything else 2 → 18 − 3 = 15
    r = grade(tmp_path, [dossier("D1", finished="2021-04-10")])
    assert unit(r).total == Decimal("15.0") and unit(r).result == "Xuất sắc"
    # one contact more: i3 = 1 → 14 → Tốt
    r = grade(tmp_path / "b", [dossier("D1", finished="2021-04-10", contacts=1, agencies_contacted=0)])
    assert unit(r).total == Decimal("14.0") and unit(r).result == "Tốt"


# --- overrides -----------------------------------------------------------------------------------

def test_overrides_replace_points_with_reason(tmp_path):
    overrides = [
        {"scope": "dossier", "id": "D1", "indicator": 1, "points": 2, "reason": "Gia hạn hợp lệ", "by": "VP"},
        {"scope": "unit", "id": "H1", "indicator": 6, "points": 1, "reason": "Niêm yết thiếu", "by": "VP"},
        {"scope": "unit", "id": "H1", "indicator": 5, "points": 0, "reason": "", "by": "VP"},
        {"scope": "dossier", "id": "NOPE", "indicator": 1, "points": 0, "reason": "x", "by": "VP"},
    ]
    r = grade(tmp_path, [dossier("D1", finished="2021-04-11")], overrides=overrides)
    got, reason = points(r, "D1", "i1")
    assert got == 2 and "Gia hạn hợp lệ" in reason
    assert (score(r, 6).points, score(r, 6).source) == (Decimal("1"), "override")
    assert score(r, 5).points == 2  # the override without a reason is ignored…
    codes = [f.code for f in r.findings.items]
    assert codes.count("bad_override") == 2  # …and so is the one on an unknown dossier, each with a finding


# --- officials -----------------------------------------------------------------------------------

def test_officials_completion(tmp_path):
    rows = [dossier("A1", official="An"), dossier("B1", official="Bình", finished="2021-04-11", contacts=1),
            dossier("C1", official="Chi", finished="2021-04-11", contacts=2, agencies_contacted=2)]
    r = grade(tmp_path, rows)
    off = r.officials.set_index("official")
    assert off.at["An", "score"] == "10.0" and off.at["An", "completion"] == "100%"
    # Bình: i1 0, i2 0, i3 1, i4 2 (a blank count is zero), i7 0 → 3 → dưới 70%
    assert off.at["Bình", "score"] == "3.0" and off.at["Bình", "completion"] == "dưới 70%"
    assert off.at["Chi", "completion"] == "dưới 70%"


def test_indicator2_several_steps_of_one_unit_the_worst_decides(tmp_path):
    steps = [
        {"dossier_id": "D2", "unit_id": "H1", "due_at": "2021-04-08", "finished_at": "2021-04-08"},  # on time
        {"dossier_id": "D2", "unit_id": "H1", "due_at": "2021-04-09", "finished_at": "2021-04-12"},  # late
        {"dossier_id": "D2", "unit_id": "H1", "due_at": "2021-07-20", "finished_at": ""},  # open, not yet due
    ]
    r = grade(tmp_path, [dossier("D1"), dossier("D2", unit="X1")], steps=steps)
    parts = r.participants.set_index(["dossier_id", "unit_id"])
    assert parts.at[("D2", "H1"), "points"] == 0
    assert parts.at[("D2", "H1"), "role"] == "coordinating"
    assert score(r, 2, "H1").points == Decimal("1.0")  # (2 for its own D1 + 0 for its late step) / 2


def test_officials_missing_indicator_policy(tmp_path):
    rows = [dossier("D1", official="An", finished="2021-04-10")]  # on the due date: i1 = i2 = i7 = 1
    for row in rows:
        del row["contacts"], row["contacts_applicant"]  # i3 and i4 carry no information
    r = grade(tmp_path, rows)
    off = r.officials.set_index("official")
    assert (off.at["An", "score"], off.at["An", "completion"]) == ("3.0", "dưới 70%")
    assert off.at["An", "i3"] == "" and off.at["An", "i4"] == ""
    r = grade(tmp_path / "b", rows, policies={"missing_indicator": "rescale_to_18"})
    off = r.officials.set_index("official")
    assert (off.at["An", "score"], off.at["An", "completion"]) == ("5.0", "100%")  # 3 of 6 → 5 of 10
    assert [s.points for s in r.official_scores[("H1", "An")]][:2] == [Decimal("1.0"), Decimal("1.0")]


def test_indicator2_resolving_unit_keeps_its_dossier_when_only_a_coordinator_has_steps(tmp_path):
    steps = [{"dossier_id": "D1", "unit_id": "X1", "due_at": "2021-04-05", "finished_at": "2021-04-04"}]
    r = grade(tmp_path, [dossier("D1")], steps=steps)
    assert score(r, 2, "H1").points == Decimal("2.0")  # the whole dossier, as without steps
    assert unit(r, "H1").total == Decimal("18.0")
    assert unit(r, "X1").result == "Chưa phát sinh hồ sơ"  # X1 resolved no dossier of its own


def test_indicator8_is_judged_as_things_stood_at_the_period_end(tmp_path):
    # received in the quarter, due after it, answered after it: unanswered and not yet due on 30/06 → left out
    late_answer = complaint("C1", received="2021-06-20", due="2021-07-05", answered="2021-07-20")
    r = grade(tmp_path, [dossier("D1")], complaints=[late_answer])
    assert score(r, 8).points == 2
    # answered after the period but before its due date: still left out, not counted as on time
    r = grade(tmp_path / "b", [dossier("D1")], complaints=many(8, 1) + [
        complaint("C2", received="2021-06-20", due="2021-07-05", answered="2021-07-01")])
    assert score(r, 8).points == 0  # 8/9 on time


def test_a_dossier_finished_after_the_period_was_open_and_overdue_at_its_end(tmp_path):
    rows, ev = online_case(5, 10)
    rows.append(dossier("LATE", channel="truc_tuyen", due="2021-06-20", finished="2021-07-05"))
    r = grade(tmp_path, rows, evidence=ev)
    assert "LATE" not in set(r.population["dossier_id"])
    assert score(r, 9).points == 0  # an online dossier open and past due on 30/06
    r = grade(tmp_path / "b", rows, evidence=ev, policies={"population": "resolved_or_overdue"})
    got, reason = points(r, "LATE", "i1")
    assert got == 0 and "cuối kỳ" in reason


def test_indicator9_a_late_online_dossier_decides_without_catalogue_evidence(tmp_path):
    rows, _ev = online_case(5, 10)
    rows[0] = dossier("D0", channel="truc_tuyen", finished="2021-04-11")
    ev = [{"unit_id": u["unit_id"], "desk_full_share": 1, "desk_share": 1, "posted": 1, "electronic": 1,
           "dvc34_share": ""} for u in UNITS]
    r = grade(tmp_path, rows, evidence=ev)
    assert (score(r, 9).points, score(r, 9).source) == (Decimal("0"), "evidence+dossiers")


def test_steps_without_a_finish_column_carry_no_information(tmp_path):
    steps = [{"dossier_id": "D1", "unit_id": "H1", "due_at": "2021-04-05"}]
    r = grade(tmp_path, [dossier("D1")], steps=steps)
    assert points(r, "D1", "i2")[0] == 2  # the policy's whole-dossier step, not "late"
    assert any(f.code == "steps_without_finish" for f in r.findings.items)


def test_indicator5_desk_share_under_100_gives_zero_even_without_a_level(tmp_path):
    units = [{"unit_id": "H1", "unit_name": "Đơn vị", "level": "thôn"}]
    ev = [{"unit_id": "H1", "desk_full_share": 0.8, "desk_share": 0.9, "posted": 1, "electronic": 1,
           "dvc34_share": 0.5}]
    r = grade(tmp_path, [dossier("D1")], units=units, evidence=ev)
    assert score(r, 5).points == 0


def test_self_total_is_blank_when_nothing_was_self_scored(tmp_path):
    selfs = [{"unit_id": "H1", **{f"i{n}": "" for n in range(1, 10)}}]
    r = grade(tmp_path, [dossier("D1")], self_assessment=selfs)
    assert unit(r).self_total is None and unit(r).submitted


def test_a_complaint_naming_another_units_dossier_is_a_finding(tmp_path):
    r = grade(tmp_path, [dossier("D1"), dossier("D2", unit="X1")],
              complaints=[complaint("PA1", "D2", unit="H1", conduct="x")])
    assert points(r, "D2", "i7")[0] == 0  # still evidence for that dossier…
    found = [f for f in r.findings.items if f.code == "unit_mismatch"]
    assert len(found) == 1 and "D2" in found[0].message and found[0].row == 2  # …and said
