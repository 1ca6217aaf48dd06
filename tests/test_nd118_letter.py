"""The NĐ 118 index read to the letter of DOMAIN_2025.md and DATA_CONTRACT v2: cases worked out by hand where
an earlier reading departed from the text (the period is 2025-Q3)."""

from decimal import Decimal

import pandas as pd
from nd118_helpers import comp, dossier, dossiers, grade, petition, petitions

D = Decimal


def test_a_petition_without_a_due_date_is_in_scope_and_not_on_time():
    # "Petitions in scope: received in the period" is 6.1's and 6.2's denominator; "6 when none" only when none
    # was received. A petition without a due date was received: it counts, and cannot be on time.
    rows = [petition(1),                                   # S01: answered before its due date
            petition(2, due=None),                         # S01: received in the period, no due date
            petition(3, unit="X01", due=None, answered=None),  # X01's only petition, no due date
            petition(4, unit="X02", received="2025-06-30", due=None)]  # X02: received before the period
    result = grade({"dossiers": dossiers([dossier(1)]), "complaints": petitions(rows)})
    for code in ("6.1", "6.2"):
        s01, x01, x02 = (comp(result, u, code) for u in ("S01", "X01", "X02"))
        assert (s01.numerator, s01.denominator, s01.points) == (1, 2, D("3.00")), code    # 6 × 1/2
        assert (x01.numerator, x01.denominator, x01.points) == (0, 1, D("0.00")), code    # not "none received"
        assert (x02.denominator, x02.points) == (0, D("6.00")), code                      # none in the period
        province = comp(result, "TINH", code)
        assert (province.numerator, province.denominator, province.points) == (1, 3, D("2.00")), code  # 6 × 1/3
    assert "P002" in list(result.leaf("S01", "6.1")["id"]) and "P003" in list(result.leaf("X01", "6.2")["id"])
    warned = {(f.code, f.row) for f in result.findings.items}
    assert ("nd118_petition_no_due", 3) in warned and ("nd118_petition_no_due", 4) in warned
    assert result.accounting["complaints"]["used"] == 3


def test_a_star_evidence_row_applies_to_every_unit_without_its_own_for_any_component():
    # DATA_CONTRACT v2: "`*` = the whole province: applies to every unit without a row of its own", and a unit's
    # evidence row "is used instead of counting its dossiers" — for a dossier or petition component too.
    evidence = pd.DataFrame([("*", "2.1", 4, 5), ("X02", "ON_TIME", 9, 10), ("*", "6.1", 1, 2)],
                            columns=["unit_id", "component", "numerator", "denominator"])
    result = grade({"dossiers": dossiers([dossier(1)]), "index_evidence": evidence})
    on_time = {u: comp(result, u, "2.1") for u in ("TINH", "S01", "X01", "X02")}
    assert {u: (c.numerator, c.denominator, c.points, c.source) for u, c in on_time.items()} == {
        "TINH": (4, 5, D("16.00"), "evidence"),   # 20 × 4/5
        "S01": (4, 5, D("16.00"), "evidence"),
        "X01": (4, 5, D("16.00"), "evidence"),
        "X02": (9, 10, D("18.00"), "evidence"),   # its own row: 20 × 9/10
    }
    assert on_time["S01"].counted == (1, 1)       # its dossiers say 1 of 1: a finding, the evidence is used
    differs = {f.message.split(",")[0] for f in result.findings.items if f.code == "nd118_evidence_differs"}
    assert "Đơn vị S01" in differs
    # no complaints file: 6.1 comes from the `*` row for every unit (6 × 1/2), 6.2 stays missing
    assert {comp(result, u, "6.1").points for u in ("TINH", "S01", "X01", "X02")} == {D("3.00")}
    assert comp(result, "S01", "6.2").source == "missing"


def test_a_counted_numerator_above_the_evidence_denominator_is_a_finding():
    # 3.2: the evidence gives 1 procedure offered online; the dossiers show 2 procedures (A, B) with an online
    # dossier. A numerator counts only what is inside its denominator: the points cap at the maximum and the
    # inconsistency is a finding naming the evidence row.
    evidence = pd.DataFrame([("S01", "3.2", None, 1, "q/index_evidence.csv", 2),
                             ("S01", "4.2", None, 2, "q/index_evidence.csv", 3)],
                            columns=["unit_id", "component", "numerator", "denominator", "_file", "_row"])
    rows = [dossier(1, channel="truc_tuyen", procedure="A"), dossier(2, channel="truc_tuyen", procedure="B"),
            dossier(3, procedure="A", fee_required=True, paid_online=True)]
    result = grade({"dossiers": dossiers(rows), "index_evidence": evidence})
    online = comp(result, "S01", "3.2")
    assert (online.numerator, online.denominator, online.points) == (2, 1, D("4.00"))
    paid = comp(result, "S01", "4.2")  # 1 of 2 procedures with a fee paid online: 2 × (1/2)/0.8 = 1.25
    assert (paid.numerator, paid.denominator, paid.points) == (1, 2, D("1.25"))
    above = [(f.severity, f.file, f.row, f.column) for f in result.findings.items if f.code == "nd118_counted_above"]
    assert above == [("warning", "q/index_evidence.csv", 2, "denominator")]
