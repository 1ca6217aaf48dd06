"""The NĐ 118 index read to the letter of DOMAIN_2025.md and DATA_CONTRACT v2: cases worked out by hand where
an earlier reading departed from the text (the period is 2025-Q3)."""

from decimal import Decimal

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
