"""``tthc explain`` for index quarters (NĐ 118/2025): the tree of a hand-made small quarter (numbers, sources,
citations, leaves with file and row), its arithmetic re-check, JSON, dossiers, officials, what-if and policy
comparison, and the CLI on the synthetic province tinh-mau."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from nd118_helpers import dossier, dossiers, grade, petition, petitions

from tthc.audit.explain import (
    AuditError,
    check_arithmetic,
    compare_policies,
    explain_dossier,
    explain_official,
    explain_unit,
    render_changes,
    render_text,
    render_what_if,
    summary_table,
    to_json,
    what_if,
)
from tthc.audit.render import component_table
from tthc.cli import main
from tthc.input.findings import Findings
from tthc.schemes.nd118.explain import FACT_NODE_KINDS
from tthc.schemes.nd118.inputs import read_index_evidence, read_portal_scores
from tthc.schemes.nd118.scoring import EVIDENCE, MISSING, PORTAL, RECOMPUTED

D = Decimal
DOSSIERS_FILE = "2025-Q3/dossiers.csv"
COMPLAINTS_FILE = "2025-Q3/complaints.csv"


def _with_rows(frame, label: str):
    """As the loader gives them: each row with its file and the row number the analyst sees."""
    frame = frame.copy()
    frame["_file"] = label
    frame["_row"] = range(2, len(frame) + 2)
    return frame


def _read(tmp_path, name: str, text: str, reader):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    loaded = reader(path, f"2025-Q3/{name}", Findings())
    return loaded.frame


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """S01 (Sở Tư pháp, tinh): 3 dossiers in N (row 2–4) and one received in June (row 5); X01 (xã): one dossier;
    X02 (phường): none. One petition about D0002. Evidence: 1.1 for the whole province, 3.1 for S01. Portal:
    S01's 2.1 only (20 points, 3/3)."""
    tmp = tmp_path_factory.mktemp("nd118-explain")
    rows = [
        dossier(1, channel="truc_tuyen", synced_on_time=True, rating="Hài lòng", official="Lò Văn A"),
        dossier(2, finished="2025-07-25", synced_on_time=False, rating="Hài lòng", official="Lò Văn A"),
        dossier(3, synced_on_time=True, rating=None, official="Cà Thị B"),
        dossier(4, received="2025-06-01", due="2025-06-10", finished="2025-06-05", synced_on_time=True),
        dossier(100, unit="X01", channel="truc_tuyen", synced_on_time=True, rating="Không hài lòng"),
    ]
    complaints = petitions([petition(1, dossier_id="D0002", about_conduct=True)],
                           columns=["complaint_id", "unit_id", "dossier_id", "received_at", "due_at", "answered_at",
                                    "rated_unsatisfied", "re_raised", "about_conduct"])
    evidence = _read(tmp, "index_evidence.csv", "unit_id,component,numerator,denominator\n*,1.1,401,412\n"
                     "S01,3.1,5,8\n", read_index_evidence)
    from nd118_helpers import RULES

    portal = _read(tmp, "portal_scores.csv", "unit_id,component,score,numerator,denominator\nS01,ON_TIME,20,3,3\n",
                   lambda path, label, findings: read_portal_scores(path, label, RULES, findings))
    return {"dossiers": _with_rows(dossiers(rows), DOSSIERS_FILE),
            "complaints": _with_rows(complaints, COMPLAINTS_FILE), "index_evidence": evidence,
            "portal_scores": portal}


@pytest.fixture(scope="module")
def result(tables):
    return grade(tables, province_name="UBND tỉnh Mẫu")


def _component(tree, code):
    return next(n for n in tree.walk() if n.kind == "component" and n.data["code"] == code)


def _facts(node):
    return [c for f in node.children if f.kind == "facts" for c in f.children if c.kind in FACT_NODE_KINDS]


# ------------------------------------------------------------------------------------------- the unit tree


def test_the_unit_tree_carries_the_numbers_by_hand(result):
    # S01 known: 1.1 5.84 (401/412, evidence *), 1.4 4.00 (2/3), 2.1 20.00 (portal; own 2/3 → 13.33),
    # 3.1 1.56 (5/8 ÷ 0.8), 3.3 4.00 (1/3 ÷ 0.5), 6.1 6.00, 6.2 6.00, 6.3 4.44 (2/3 ÷ 0.9) — maxima 58.
    # Sum 51.84; 51.84 × 100 ÷ 58 = 89.3793… → 89.38: Tốt (80 ≤ chỉ số < 90)
    expl = explain_unit(result, "S01")
    tree = expl.trees[0]
    assert expl.scheme == "nd118" and expl.subject == "unit" and expl.key == "S01"
    assert (tree.data["result"], tree.data["total"], tree.data["band"]) == ("Tốt", D("89.38"), "Tốt")
    assert (tree.data["band_min"], tree.data["band_max"], tree.data["source"]) == (D(80), D(90), "mixed")
    assert "hạng 1/1 trong cấp tỉnh" in tree.text
    total = next(c for c in tree.children if c.kind == "total")
    assert (total.data["sum"], total.data["known_max"], total.data["rescaled"]) == (D("51.84"), D(58), True)
    assert "51,84 × 100 ÷ 58 = 89,3793… → 89,38" in total.text
    assert set(total.data["left_out"]) == {"1.2", "1.3", "3.2", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3", "5.4",
                                           "5.5", "5.6", "5.7"}
    groups = {g.data["code"]: g.data["points"] for g in total.children}
    assert groups == {"1": D("9.84"), "2": D("20.00"), "3": D("5.56"), "4": None, "5": None, "6": D("16.44")}
    points = {n.data["code"]: n.data["points"] for n in tree.walk() if n.kind == "component"}
    assert points["6.3"] == D("4.44") and points["3.3"] == D("4.00") and points["1.2"] is None
    assert check_arithmetic(expl) == []


def test_the_band_node_names_the_profile_s_policy_and_its_bounds(tables, result):
    band = next(c for c in explain_unit(result, "S01").trees[0].children if c.kind == "band")
    assert band.data["policy"] == "index_bands" and band.data["value"] == "default"
    assert band.data["provenance"] == "POLICY"
    assert [b["label"] for b in band.data["bands"]] == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
    assert "80 ≤ chỉ số < 90" in band.text and "thiết lập của profile" in band.text
    assert "Xuất sắc ≥ 90; Tốt ≥ 80; Khá ≥ 70; Trung bình ≥ 50; Yếu < 50" in band.text
    custom = grade(tables, policies={"index_bands": "85/75/60/50"})
    band = next(c for c in explain_unit(custom, "S01").trees[0].children if c.kind == "band")
    assert band.data["label"] == "Xuất sắc" and "chỉ số ≥ 85" in band.text
    assert "ngưỡng tự đặt '85/75/60/50'" in band.text


def test_groups_and_components_carry_their_provenance_and_citation(result):
    tree = explain_unit(result, "S01").trees[0]
    group2 = next(n for n in tree.walk() if n.kind == "group" and n.data["code"] == "2")
    assert group2.data["citation"] == "NĐ 118/2025 Điều 32 khoản 1 điểm b"
    assert (group2.data["provenance"], group2.data["max_provenance"]) == ("CONFIRMED", "OPERATIONAL")
    assert "tiêu chí: XÁC NHẬN, điểm tối đa: VẬN HÀNH" in group2.text
    on_time = _component(tree, "2.1")
    assert on_time.data["provenance"] == "OPERATIONAL" and "QĐ 766/QĐ-TTg (chỉ tiêu ON_TIME)" in on_time.text
    online = _component(tree, "3.3")
    assert online.data["full_at_policy"] == "online_full_at" and online.data["full_at"] == "0.5"
    assert "CHÍNH SÁCH online_full_at = 0.5" in online.text


def test_each_source_is_shown_with_what_decided_it(result):
    tree = explain_unit(result, "S01").trees[0]
    # evidence: the row of index_evidence (the '*' row applies to S01 for a province-wide component)
    publish = _component(tree, "1.1")
    assert publish.data["source"] == EVIDENCE and (publish.data["numerator"], publish.data["denominator"]) == (401, 412)
    leaf = publish.children[0]
    assert leaf.kind == "input_row" and leaf.source == {"file": "2025-Q3/index_evidence.csv", "row": 2}
    # recomputed from dossiers: the dossiers that are not in the numerator, each with its file and row
    sync = _component(tree, "1.4")
    assert sync.data["source"] == RECOMPUTED and sync.data["leaf_count"] == 1
    [late] = _facts(sync)
    assert late.data["id"] == "D0002" and late.children[0].source == {"file": DOSSIERS_FILE, "row": 3}
    online = _component(tree, "3.3")
    assert [f.data["id"] for f in _facts(online)] == ["D0002", "D0003"]
    # missing: the input that is not there
    updated = _component(tree, "1.2")
    assert updated.data["source"] == MISSING and updated.children[0].kind == "missing_input"
    assert "index_evidence" in updated.children[0].text


def test_a_portal_figure_shows_the_recomputed_one_the_difference_and_the_dossiers_behind_it(result):
    on_time = _component(explain_unit(result, "S01").trees[0], "2.1")
    assert on_time.data["source"] == PORTAL and on_time.data["points"] == D("20.00")
    assert (on_time.data["recomputed"], on_time.data["difference"]) == (D("13.33"), D("6.67"))
    portal, own = on_time.children
    assert portal.kind == "input_row" and portal.source["row"] == 2
    assert portal.source["file"] == "2025-Q3/portal_scores.csv"
    assert own.kind == "recomputed" and "13,33" in own.text and "+6,67" in own.text and "Cổng ghi 3/3" in own.text
    assert "lớn hơn 0,1" in own.text
    [late] = _facts(own)
    assert late.data["id"] == "D0002" and "sau hạn 20/07/2025" in late.text
    assert late.children[0].source == {"file": DOSSIERS_FILE, "row": 3}
    assert own.children[0].text.startswith("Giải thích chênh lệch: 1 hồ sơ")


def test_the_province_row_by_its_id_its_name_and_the_words_toan_tinh(result):
    for key in ("TINH", "UBND tỉnh Mẫu", "toàn tỉnh"):
        assert explain_unit(result, key).key == "TINH"
    expl = explain_unit(result, "TINH")
    tree = expl.trees[0]
    assert tree.data["province"] and "không xếp hạng (dòng toàn tỉnh" in tree.text
    assert "N = 4 hồ sơ" in tree.text  # S01's 3 and X01's 1, pooled
    on_time = _component(tree, "2.1")  # no portal row for the province: 3 of 4 on time → 15.00
    assert (on_time.data["source"], on_time.data["points"]) == (RECOMPUTED, D("15.00"))
    assert [f.data["id"] for f in _facts(on_time)] == ["D0002"]
    assert check_arithmetic(expl) == []


def test_unknown_and_ambiguous_units_are_refused_in_vietnamese(result):
    with pytest.raises(AuditError, match="có phải là"):
        explain_unit(result, "Sở Tư phap X")
    with pytest.raises(AuditError, match="nhiều đơn vị"):
        explain_unit(result, "a")


@pytest.mark.parametrize("policies", [{}, {"empty_denominator": "not_applicable"}, {"missing_component": "count_zero"},
                                      {"index_source": "recompute"}, {"index_bands": "four_bands"},
                                      {"online_full_at": "0.3", "period": "reporting_cutoff"}])
def test_every_tree_adds_up_under_every_policy(tables, policies):
    graded = grade(tables, policies=policies)
    for unit in graded.units:
        expl = explain_unit(graded, unit.unit_id)
        assert check_arithmetic(expl) == [], (unit.unit_id, policies)
        tree = expl.trees[0]
        assert tree.data["total"] == unit.total and tree.data["result"] == unit.result


def test_the_arithmetic_check_sees_a_changed_number(result):
    expl = explain_unit(result, "S01")
    _component(expl.trees[0], "3.3").data["points"] = D("5.00")
    problems = check_arithmetic(expl)
    assert any("chỉ tiêu 3.3" in p for p in problems) and any("nhóm 3" in p for p in problems)
    expl = explain_unit(result, "S01")
    next(c for c in expl.trees[0].children if c.kind == "band").data["label"] = "Xuất sắc"
    assert any("thuộc mức Tốt" in p for p in check_arithmetic(expl))
    expl = explain_unit(result, "S01")
    facts = next(f for f in _component(expl.trees[0], "3.3").children if f.kind == "facts")
    facts.children.pop()
    assert any("liệt kê 1 dòng, cần 2" in p for p in check_arithmetic(expl))
    expl = explain_unit(result, "S01")
    next(c for c in expl.trees[0].children if c.kind == "total").data["total"] = D("89.37")
    assert any("tính lại được 89.38" in p for p in check_arithmetic(expl))


def test_a_unit_without_dossiers_scores_zero_on_the_dossier_components(result):
    expl = explain_unit(result, "X02")
    sync = _component(expl.trees[0], "1.4")
    assert sync.data["points"] == D("0.00") and sync.data["denominator"] == 0
    assert any(c.kind == "note" and "Mẫu số 0" in c.text for c in sync.children)
    assert _component(expl.trees[0], "6.1").data["points"] == D("6.00")  # no petition: full points
    assert check_arithmetic(expl) == []


# ------------------------------------------------------------------------------------------- text and JSON


def test_the_text_gives_the_summary_first_and_caps_the_rows(result):
    expl = explain_unit(result, "S01")
    full = render_text(expl)
    assert "Sở Tư pháp (mã S01, Cấp tỉnh): Tốt — chỉ số 89,38" in full
    assert "Hồ sơ D0003: không nộp trực tuyến" in full and "← 2025-Q3/dossiers.csv, dòng 4" in full
    assert "Danh sách đã rút gọn" not in full
    capped = render_text(expl, limit=1)
    assert "Hồ sơ D0003: không nộp trực tuyến" not in capped and "└─ … và 1 hồ sơ khác" in capped
    assert "Danh sách đã rút gọn: mỗi mục hiện tối đa 1 dòng" in capped and "1 dòng khác không hiện" in capped
    first = capped.split("\n\n")[1].splitlines()[0]
    assert first.startswith("Sở Tư pháp (mã S01, Cấp tỉnh): Tốt")  # after the header, the result first


def test_json_round_trip_keeps_every_number_source_and_row(result):
    expl = explain_unit(result, "S01")
    payload = json.loads(to_json(expl))
    assert payload["subject"] == "unit" and payload["header"]["policies"]["index_bands"] == "default"

    def pairs(node, data):
        yield node, data
        assert len(node.children) == len(data["children"])
        for child, child_data in zip(node.children, data["children"], strict=True):
            yield from pairs(child, child_data)

    seen = 0
    for node, data in pairs(expl.trees[0], payload["trees"][0]):
        assert (node.kind, node.text) == (data["kind"], data["text"])
        if node.source is not None:
            assert data["source"] == node.source
        for key in ("points", "recomputed", "difference", "total", "sum", "known_max"):
            if node.data.get(key) is not None:
                assert D(str(data["data"][key])) == node.data[key], (node.text, key)
                seen += 1
    assert seen > 20


def test_the_tables_for_the_notebook(result):
    expl = explain_unit(result, "S01")
    summary = summary_table(expl)
    assert summary.loc[0, "Tổng điểm"] == "89,38" and summary.loc[0, "Mức"] == "Tốt"
    table = component_table(expl)
    on_time = table[table["Chỉ tiêu"] == "2.1"].iloc[0]
    assert (on_time["Điểm"], on_time["Tự tính"], on_time["Chênh lệch"], on_time["Nhãn"]) == (
        "20,00", "13,33", "6,67", "OPERATIONAL")
    assert len(table) == 21


# ------------------------------------------------------------------------------------------- dossiers, officials


def test_a_dossier_s_facts_and_the_components_it_counts_in(result):
    expl = explain_dossier(result, "D0002")
    tree = expl.trees[0]
    assert tree.data["in_n"] and tree.data["on_time"] is False
    assert set(tree.data["denominator_of"]) == {"1.4", "2.1", "3.3", "6.3"}
    assert tree.data["numerator_of"] == []  # late, not synced, not online, named by a petition
    facts = next(c for c in tree.children if c.kind == "dossier_facts")
    words = {n.data["name"]: n.data["value"] for n in facts.children if n.kind == "fact"}
    assert words["on_time"] is False and words["online"] is False and words["named"] is True
    assert words["paid_online"] is None  # no such column: no information
    assert facts.children[-1].source == {"file": DOSSIERS_FILE, "row": 3}
    on_time = next(c for c in tree.children if c.kind == "dossier_component" and c.data["code"] == "2.1")
    assert "sau hạn 20/07/2025" in on_time.text and "lấy từ Cổng" in on_time.text
    petition_node = next(c for c in tree.children if c.kind == "facts")
    assert petition_node.children[0].data["id"] == "P001"
    assert petition_node.children[0].children[0].source == {"file": COMPLAINTS_FILE, "row": 2}


def test_dossier_memberships_add_up_to_the_unit_s_counts(result):
    s01 = result.unit("S01")
    trees = [explain_dossier(result, d).trees[0] for d in ("D0001", "D0002", "D0003")]
    for code in ("1.4", "2.1", "3.3", "6.3"):
        own = s01.component(code)
        assert sum(code in t.data["numerator_of"] for t in trees) == own.numerator, code
        assert sum(code in t.data["denominator_of"] for t in trees) == own.denominator, code


def test_a_dossier_outside_the_period_and_an_unknown_one(result):
    tree = explain_dossier(result, "d0004").trees[0]  # ignoring case
    assert not tree.data["in_n"] and "Không thuộc N" in tree.text and "tiếp nhận ngoài kỳ" in tree.text
    assert not [c for c in tree.children if c.kind == "dossier_component"]
    with pytest.raises(AuditError, match="có phải là D0004"):
        explain_dossier(result, "D00004")


def test_an_official_has_dossiers_an_on_time_share_and_petitions_but_no_points(result):
    expl = explain_official(result, "lo van a")
    tree = expl.trees[0]
    assert (tree.data["dossiers"], tree.data["on_time"], tree.data["petitions_about_conduct"]) == (2, 1, 1)
    row = result.officials[result.officials["official"] == "Lò Văn A"].iloc[0]
    assert (row["dossiers"], row["on_time_share"], row["petitions_about_conduct"]) == (2, "0.5000", 1)
    assert tree.data["total"] is None and "không có điểm và không xếp loại" in tree.text
    dossiers_node = tree.children[0]
    assert [c.data["id"] for c in dossiers_node.children] == ["D0002", "D0001"]  # not on time first
    assert check_arithmetic(expl) == []
    with pytest.raises(AuditError, match="Không có cán bộ"):
        explain_official(result, "Không Ai")


# ------------------------------------------------------------------------------------------- what-if


def test_compare_policies_lists_the_units_whose_band_changes(tables, result):
    # 85/75/60/50: S01 89.38 → Xuất sắc; X01 (1 dossier, all known components full but 6.3: 0/1) and the
    # province keep or change as their totals say; every listed change is a band change at the same total
    other = grade(tables, policies={"index_bands": "85/75/60/50"}, province_name="UBND tỉnh Mẫu")
    changes = compare_policies(result, other)
    s01 = next(c for c in changes if c.unit_id == "S01")
    assert (s01.before, s01.after, s01.total_before, s01.total_after) == ("Tốt", "Xuất sắc", D("89.38"), D("89.38"))
    assert all(c.result_changed and c.total_before == c.total_after and not c.indicators for c in changes)
    moved = {u.unit_id for u in result.units if u.total is not None and
             result.rules.band_for(u.total, other.policies).label != u.result}
    assert {c.unit_id for c in changes} == moved
    text = render_changes(changes, result.policies, other.policies)
    assert "index_bands: default → 85/75/60/50" in text and "S01 Sở Tư pháp: Tốt (89,38) → Xuất sắc (89,38)" in text


def test_what_if_on_a_unit_lists_its_components(tables, result):
    other = grade(tables, policies={"online_full_at": "0.25"}, province_name="UBND tỉnh Mẫu")
    expl = explain_unit(result, "S01")
    out = what_if(expl, result, other)
    # 3.3: 1/3 ≥ 0.25 → 6.00; sum 53.84 × 100 ÷ 58 = 92.827… → 92.83: Xuất sắc
    assert out["result_changed"] and out["alternative"]["total"] == D("92.83")
    assert out["indicators"] == [{"number": "3.3", "before": 4.0, "after": 6.0}]
    text = render_what_if(expl)
    assert "online_full_at=0.25 (chính thức: 0.5)" in text and "Chỉ tiêu 3.3: 4,00 → 6,00" in text
    assert "Theo giả định:      Xuất sắc (tổng 92,83" in text and "THAY ĐỔI" in text


def test_what_if_on_a_dossier_and_an_official(tables, result):
    other = grade(tables, policies={"period": "reporting_cutoff"}, province_name="UBND tỉnh Mẫu")
    # reporting cut-off: 15/06–14/09/2025, so D0004 (received 01/06) stays out; D0002 is still in N
    out = what_if(explain_dossier(result, "D0002"), result, other)
    assert out["official"]["Thuộc N"] == "có" and not out["changed"]
    later = grade(tables, policies={"online_full_at": "0.3"})
    expl = explain_official(result, "Lò Văn A")
    out = what_if(expl, result, later)
    assert not out["changed"] and out["official"]["S01"].startswith("2 hồ sơ, đúng hạn 1/2")
    assert "Không đổi" in render_what_if(expl)


# ------------------------------------------------------------------------------------------- the CLI on tinh-mau


def _run(capsys, *args):
    code = main(["explain", "--quarter", "2026-Q3", "--profile", "tinh-mau", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_explains_the_province_and_a_unit_of_tinh_mau(capsys):
    code, out, err = _run(capsys, "--unit", "TINH")
    assert code == 0 and not err
    assert "(mã TINH, Toàn tỉnh): Khá — chỉ số 79,92" in out
    assert "Nhóm 1 — Công khai, minh bạch" in out and "NĐ 118/2025 Điều 32 khoản 1 điểm a" in out
    assert "… và" in out and "Danh sách đã rút gọn" in out
    code, detail, _ = _run(capsys, "--unit", "TINH", "--detail")
    assert code == 0 and len(detail.splitlines()) > 5 * len(out.splitlines())
    # S03, 2.1: the portal says 32/32, its dossiers 31/32 (the one late dossier explains the difference)
    code, out, _ = _run(capsys, "--unit", "Sở Tư pháp")
    assert code == 0 and "Cổng ghi 32/32" in out and "S03-263-00092: có kết quả 17/08/2026, sau hạn 11/08/2026" in out


def test_cli_json_dossier_official_and_what_if_on_tinh_mau(capsys):
    code, out, _ = _run(capsys, "--unit", "X07", "--format", "json")
    payload = json.loads(out)
    assert code == 0 and payload["trees"][0]["data"]["unit_id"] == "X07"
    code, out, _ = _run(capsys, "--dossier", "S01-263-00005")
    assert code == 0 and "Bị phản ánh, kiến nghị: có" in out and "PAKN-2026-Q3-001" in out
    code, out, _ = _run(capsys, "--official", "Nguyễn Văn An")
    assert code == 0 and "không có điểm và không xếp loại" in out
    code, out, _ = _run(capsys, "--unit", "X07", "--policy", "index_source=recompute")
    assert code == 0 and "Giả định (what-if): index_source=recompute (chính thức: portal_first)" in out
    code, _, err = _run(capsys, "--dossier", "KHONG-CO")
    assert code == 2 and err.startswith("Lỗi: Không có hồ sơ 'KHONG-CO'")


def test_cli_grade_compare_policy_on_an_index_quarter(tmp_path, capsys):
    code = main(["grade", "--quarter", "2026-Q3", "--profile", "tinh-mau", "--out", str(tmp_path / "out"),
                 "--compare-policy", "index_bands=four_bands"])
    out = capsys.readouterr().out
    assert code == 0 and "So sánh chính sách: index_bands: default → four_bands" in out
    listed = [line for line in out.splitlines() if line.startswith("  - ")]
    # four bands have no Khá: exactly the Khá units (70 ≤ chỉ số < 80) become Tốt; the summary counts 4 + 21 Khá
    # units in the two tiers, and the province (79,92) is Khá too
    assert len(listed) == 26 and all(": Khá (" in line and "→ Tốt (" in line for line in listed)
    assert "  - TINH UBND tỉnh Mẫu" in out
