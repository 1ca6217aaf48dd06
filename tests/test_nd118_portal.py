"""The portal's figures (JSON and table), portal-first scoring and reconciliation (DATA_CONTRACT v2)."""

import json
from decimal import Decimal

import pandas as pd
import pytest
from nd118_helpers import RULES, comp, dossier, dossiers, grade

from tthc.input.findings import Findings
from tthc.schemes.nd118.inputs import read_portal_scores

D = Decimal

#: Counts for every component of one unit, and their points worked out by hand (see each comment).
COUNTS = {
    "1.1": (401, 412), "1.2": (399, 412), "1.3": (398, 398), "1.4": (412, 450), "2.1": (412, 450),
    "3.1": (5, 8), "3.2": (6, 9), "3.3": (100, 450), "4.1": (37, 80), "4.2": (3, 5), "4.3": (4, 5),
    "5.1": (300, 450), "5.2": (449, 450), "5.3": (45, 60), "5.4": (290, 450), "5.5": (225, 450), "5.6": (421, 450),
    "5.7": (7, 9), "6.1": (0, 0), "6.2": (3, 4), "6.3": (405, 450),
}
BY_HAND = {
    "1.1": "5.84",   # 6 × 401/412 = 5.8398
    "1.2": "3.87",   # 4 × 399/412 = 3.8738
    "1.3": "2.00",
    "1.4": "5.49",   # 6 × 412/450 = 5.4933
    "2.1": "18.31",  # 20 × 412/450 = 18.3111
    "3.1": "1.56",   # 2 × (5/8)/0.8 = 1.5625
    "3.2": "2.67",   # 4 × 6/9 = 2.6667
    "3.3": "2.67",   # 6 × (100/450)/0.5 = 2.6667
    "4.1": "2.78",   # 6 × 37/80 = 2.775: half-up
    "4.2": "1.50",   # 2 × (3/5)/0.8 = 1.5
    "4.3": "2.00",   # (4/5)/0.8 = 1: full
    "5.1": "4.00",   # 6 × 300/450 = 4
    "5.2": "3.99",   # 4 × 449/450 = 3.9911
    "5.3": "1.50",   # 2 × 45/60
    "5.4": "1.61",   # 2 × (290/450)/0.8 = 1.6111
    "5.5": "2.00",   # 4 × 225/450
    "5.6": "1.87",   # 2 × 421/450 = 1.8711
    "5.7": "1.56",   # 2 × 7/9 = 1.5556
    "6.1": "6.00",   # no petition: full
    "6.2": "4.50",   # 6 × 3/4
    "6.3": "6.00",   # (405/450)/0.9 = 1: full
}
GROUPS_BY_HAND = {"1": "17.20", "2": "18.31", "3": "6.90", "4": "6.28", "5": "16.53", "6": "16.50"}
TOTAL_BY_HAND = "81.72"  # 17.20 + 18.31 + 6.90 + 6.28 + 16.53 + 16.50
PORTAL_CODES = {c.code: c.portal_code for c in RULES.components}


def _evidence(unit: str = "S01") -> pd.DataFrame:
    return pd.DataFrame([(unit, code, n, d) for code, (n, d) in COUNTS.items()],
                        columns=["unit_id", "component", "numerator", "denominator"])


def _read(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    findings = Findings()
    loaded = read_portal_scores(path, f"2025-Q3/{name}", RULES, findings)
    return loaded, findings


def test_a_unit_given_as_counts_gets_the_portal_s_points_to_the_hundredth():
    result = grade({"index_evidence": _evidence()})
    s01 = result.unit("S01")
    assert {c.code: str(c.points) for c in s01.components} == BY_HAND
    assert all(c.source == "evidence" for c in s01.components)
    assert {g: str(v) for g, v in s01.groups.items()} == GROUPS_BY_HAND
    assert str(s01.total) == TOTAL_BY_HAND and s01.result == "Tốt" and s01.known_max == 100


def _portal_json(scores: bool = True, group5_counts_only: bool = False) -> str:
    groups = []
    for group in RULES.groups:
        metrics = []
        for code, (n, d) in COUNTS.items():
            if RULES.component(code).group != group.code:
                continue
            metric = {"code": PORTAL_CODES[code], "numerator": n, "denominator": d,
                      "maxScore": int(RULES.component(code).max)}
            if scores and not (group5_counts_only and group.code == "5"):
                metric["score"] = "__" + BY_HAND[code] + "__"  # written below as a bare JSON number
            metrics.append(metric)
        groups.append({"code": group.code, "name": group.name, "score": "__" + GROUPS_BY_HAND[group.code] + "__",
                       "metrics": metrics})
    data = {"code": "TINH", "name": "UBND tỉnh Mẫu", "departments": [
        {"code": "S01", "name": "Sở Tư pháp", "score": "__" + TOTAL_BY_HAND + "__", "groupDetails": groups}]}
    return json.dumps(data, ensure_ascii=False).replace('"__', "").replace('__"', "")


def test_the_portal_json_shape_is_read_exactly(tmp_path):
    text = _portal_json()
    assert '"score": 18.31' in text  # bare JSON numbers, as the portal writes them
    loaded, findings = _read(tmp_path, "portal_scores.json", text)
    frame = loaded.frame
    on_time = frame[(frame["unit_ref"] == "S01") & (frame["component"] == "ON_TIME")].iloc[0]
    assert on_time["score"] == D("18.31") and on_time["numerator"] == 412 and on_time["denominator"] == 450
    assert on_time["_where"] == "$.departments[0].groupDetails[1].metrics[0]"
    assert set(frame.loc[frame["component"].str.startswith("g"), "component"]) == {f"g{i}" for i in range(1, 7)}
    result = grade({"index_evidence": _evidence(), "portal_scores": frame})
    s01 = result.unit("S01")
    assert all(c.source == "portal" and c.difference == 0 for c in s01.components)
    assert s01.source == "portal" and str(s01.total) == TOTAL_BY_HAND
    assert not [f for f in result.findings.items if f.code.startswith("nd118_portal")]


def test_metrics_with_counts_only_get_their_points_from_the_counts(tmp_path):
    loaded, _ = _read(tmp_path, "portal_scores.json", _portal_json(group5_counts_only=True))
    result = grade({"portal_scores": loaded.frame})  # no local data at all: the portal's figures alone
    s01 = result.unit("S01")
    for code in ("5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7"):
        figure = s01.component(code).portal
        assert figure.computed and str(figure.points) == BY_HAND[code], code
    assert str(s01.total) == TOTAL_BY_HAND and s01.source == "portal"
    assert not [f for f in result.findings.items if f.severity == "warning"]


HAND_JSON = """{
  "code": "TINH", "name": "UBND tỉnh Mẫu", "score": 40.5,
  "groups": [{"code": "2", "name": "Tiến độ", "score": 20, "metrics": [
      {"code": "ON_TIME", "numerator": 3, "denominator": 3, "score": 20, "maxScore": 20}]}],
  "departments": [
    {"code": "S01", "name": "Sở Tư pháp", "groupDetails": [
       {"name": "Tiến độ, kết quả giải quyết", "score": 13.23, "metrics": [
          {"code": "ON_TIME", "numerator": 6, "denominator": 9, "score": 13.23, "maxScore": 20}]},
       {"code": "1", "score": 7.0, "metrics": [
          {"code": "DOSSIER_SYNC", "numerator": 9, "denominator": 9, "score": 7, "maxScore": 6},
          {"code": "NOT_A_METRIC", "score": 1}]}]},
    {"name": "Xã An Bình", "groupDetails": [
       {"code": "2", "score": 19.00, "metrics": [{"code": "2.1", "numerator": 10, "denominator": 10, "score": 20.00}]},
       {"code": "5", "score": 4.5, "metrics": [
          {"code": "ORIGINAL_RESULT_AVAILABLE", "numerator": 3, "denominator": 4}]}]},
    {"code": "Z99", "name": "Xã Không Có", "groupDetails": [
       {"code": "2", "metrics": [{"code": "ON_TIME", "score": 10}]}]}
  ]
}"""


def test_a_hand_made_portal_json(tmp_path):
    loaded, read_findings = _read(tmp_path, "portal_scores.json", HAND_JSON)
    assert not read_findings.items
    rows = [dossier(i, finished="2025-07-15" if i < 6 else "2025-07-25") for i in range(9)]  # S01: 6 of 9
    rows += [dossier(100 + i, unit="X01", finished="2025-07-25" if i == 0 else "2025-07-15") for i in range(10)]
    result = grade({"dossiers": dossiers(rows), "portal_scores": loaded.frame})
    found = {(f.code, f.column) for f in result.findings.items}
    assert ("nd118_portal_above_max", "$.departments[0].groupDetails[1].metrics[0]") in found
    assert ("nd118_portal_unknown_component", "$.departments[0].groupDetails[1].metrics[1]") in found
    assert ("nd118_portal_unknown_unit", "$.departments[2].groupDetails[0].metrics[0]") in found
    # X01 (matched by name): group 2 is only 2.1, so its total must be 20.00, not 19.00
    assert ("nd118_portal_group_sum", "$.departments[1].groupDetails[0].score") in found
    x01 = result.unit("X01")
    assert x01.component("5.1").portal.computed and x01.component("5.1").points == D("4.50")  # 6 × 3/4
    # the province: its portal figure for 2.1 is its official figure (20); pooled, its data say 15 of 19 on time
    # (S01 6/9, X01 9/10): 20 × 15/19 = 15.789 → 15.79
    assert comp(result, "TINH", "2.1").points == D("20.00") and comp(result, "TINH", "2.1").recomputed == D("15.79")
    # S01: portal 13.23 against 13.33 recomputed: exactly 0.10, not a finding
    s01 = comp(result, "S01", "2.1")
    assert (s01.points, s01.recomputed, s01.difference) == (D("13.23"), D("13.33"), D("-0.10"))
    differences = [f for f in result.findings.items if f.code == "nd118_portal_difference"]
    assert {f.column for f in differences} == {"$.departments[1].groupDetails[0].metrics[0]", "$.groups[0].metrics[0]"}
    x01_finding = next(f for f in differences if "X01" in f.message)
    # X01: portal 20, recomputed 9/10 → 18.00: +2 and the late dossier that explains it
    assert "chênh +2 điểm" in x01_finding.message and "D0100" in x01_finding.message
    assert x01_finding.file == "2025-Q3/portal_scores.json" and x01_finding.row is None


PORTAL_TABLE = (
    "\ufeffMã đơn vị,Mã chỉ tiêu,Điểm,Tử số,Mẫu số\n"
    "S01,ON_TIME,\"13,23\",,\n"
    "X01,2.1,\"20,00\",10,10\n"
    "X02,2.1,\"18,11\",,\n"
    "X02,ONLINE_DOSSIERS,\"0,00\",,\n"
    "S01,Nhóm 2,\"13,23\",,\n"
    "X01,g2,\"19,00\",,\n"
    "S01,total,50,,\n"
    "Z99,2.1,5,,\n"
    "X01,3.3,\"6,5\",,\n"
    "S01,tong hop,1,,\n"
)


@pytest.fixture
def table_case(tmp_path):
    loaded, read_findings = _read(tmp_path, "portal_scores.csv", PORTAL_TABLE)
    rows = [dossier(i, finished="2025-07-15" if i < 6 else "2025-07-25") for i in range(9)]         # S01: 6/9
    rows += [dossier(100 + i, unit="X01", finished="2025-07-25" if i == 0 else "2025-07-15") for i in range(10)]
    rows += [dossier(200 + i, unit="X02", finished="2025-07-25" if i == 0 else "2025-07-15") for i in range(10)]
    return loaded, read_findings, {"dossiers": dossiers(rows), "portal_scores": loaded.frame}


def test_a_portal_table_with_comma_decimals_and_vietnamese_headers(table_case):
    loaded, read_findings, tables = table_case
    assert not read_findings.items and loaded.read == 10
    result = grade(tables)
    found = {(f.code, f.row) for f in result.findings.items if f.file == "2025-Q3/portal_scores.csv"}
    assert found == {
        ("nd118_portal_difference", 3),        # X01 2.1: 20 against 18.00
        ("nd118_portal_difference", 4),        # X02 2.1: 18.11 against 18.00 (0.11 > 0.1)
        ("nd118_portal_group_sum", 7),         # X01 group 2: 19 ≠ 20
        ("nd118_portal_total_difference", 8),  # S01 total 50 against the result
        ("nd118_portal_unknown_unit", 9),
        ("nd118_portal_above_max", 10),        # 6.5 > 6
        ("nd118_portal_unknown_component", 11),
    }
    assert comp(result, "X02", "2.1").difference == D("0.11")
    assert result.accounting["2025-Q3/portal_scores.csv"] == {
        "rows": 10, "used": 7, "excluded": {"mã chỉ tiêu hoặc nhóm không nhận ra": 1,
                                            "điểm hoặc tử số, mẫu số không dùng được": 1,
                                            "đơn vị không có trong units.csv": 1}}


def test_portal_first_and_recompute(table_case):
    _loaded, _findings, tables = table_case
    first = grade(tables)
    assert comp(first, "S01", "2.1").points == D("13.23") and comp(first, "S01", "2.1").source == "portal"
    sources = {u.unit_id: u.source for u in first.units}
    assert sources["S01"] == "mixed" and sources["X02"] == "portal" and sources["TINH"] == "recomputed"
    assert comp(first, "X02", "3.3").points == D("0.00")  # the portal's figure counts, whatever the data say
    again = grade(tables, policies={"index_source": "recompute"})
    s01 = comp(again, "S01", "2.1")
    assert (s01.points, s01.source, s01.portal.points) == (D("13.33"), "recomputed", D("13.23"))
    assert "index_source = recompute" in s01.reason
    assert {u.unit_id: u.source for u in again.units}["X02"] == "recomputed"
    # the differences are reported under both policies
    assert sum(f.code == "nd118_portal_difference" for f in again.findings.items) == 2


def test_a_portal_score_counts_where_local_data_would_leave_the_component_out():
    portal = pd.DataFrame([{"unit_ref": "X01", "component": "5.5", "score": D("3.10"), "_file": "p.csv", "_row": 2}])
    result = grade({"dossiers": dossiers([dossier(1, unit="X01")]), "portal_scores": portal})
    c = comp(result, "X01", "5.5")
    assert (c.points, c.source, c.recomputed_source) == (D("3.10"), "portal", "missing")
    assert "Dữ liệu không đủ để tự tính" in c.reason
    assert "5.5" not in result.unit("X01").left_out


def test_unknown_json_is_an_error_with_the_file(tmp_path):
    _loaded, findings = _read(tmp_path, "portal_scores.json", "{not json")
    assert [(f.severity, f.file) for f in findings.items] == [("error", "2025-Q3/portal_scores.json")]
