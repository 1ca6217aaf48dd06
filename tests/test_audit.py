"""The audit trail: explanations add up to the grade, reasons name their facts, what-if and verify."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from tthc import PROJECT_ROOT
from tthc.audit.explain import (
    AuditError,
    check_arithmetic,
    compare_policies,
    explain_dossier,
    explain_official,
    explain_unit,
    render_text,
    to_json,
)
from tthc.cli import main
from tthc.rounding import round_one
from tthc.run.outputs import write_outputs
from tthc.run.verify import verify
from tthc.schemes.tt01.engine import grade_quarter

Q = "2021-Q2"
DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
FULL = {f"i{n}": 2 for n in range(1, 10)}
EVIDENCE = {"desk_full_share": 1, "desk_share": 1, "posted": "x", "electronic": "x", "dvc34_share": 0.5}


def _dossier(
    did,
    unit,
    due="2021-04-10",
    finished="2021-04-09",
    channel="truc_tiep",
    contacts=0,
    applicant=0,
    official="Nguyễn Văn An",
):
    return {
        "dossier_id": did,
        "unit_id": unit,
        "received_at": "2021-04-01",
        "due_at": due,
        "finished_at": finished or "",
        "channel": channel,
        "contacts": contacts,
        "contacts_applicant": applicant,
        "official": official,
    }


def build_quarter(root: Path) -> Path:
    """Five units: H1 (complaints, an overridden dossier, coordinates H2's dossier), H2 (a unit override),
    X1 (a self-score accepted without evidence, an indicator left out), X2 (no self-assessment),
    H3 (no dossier in the period)."""
    root.mkdir(parents=True, exist_ok=True)
    units = [
        ("H1", "Phòng Tư pháp", "huyen"),
        ("H2", "Phòng Văn hóa và Thông tin", "huyen"),
        ("X1", "UBND xã Na Son", "xa"),
        ("X2", "UBND xã Keo Lôm", "xa"),
        ("H3", "Phòng Y tế", "huyen"),
    ]
    pd.DataFrame(units, columns=["unit_id", "unit_name", "level"]).to_csv(root / "units.csv", index=False)
    q = root / Q
    q.mkdir(exist_ok=True)
    dossiers = [
        _dossier("D1", "H1"),
        _dossier(
            "D2", "H1", due="2021-04-12", finished="2021-04-12", channel="truc_tuyen", contacts=1, applicant=1
        ),
        _dossier(
            "D3",
            "H1",
            due="2021-04-12",
            finished="2021-04-13",
            channel="truc_tuyen",
            contacts=2,
            official="Lê Thị Bình",
        ),
        _dossier(
            "D4", "H2", due="2021-04-20", finished="2021-04-15", channel="truc_tuyen", official="Lò Văn Cường"
        ),
        _dossier("D5", "X1", due="2021-04-10", finished="2021-04-15", official="Quàng Thị Dung"),
        _dossier("D6", "X2", due="2021-04-10", finished="2021-04-08", official="Mùa A Sử"),
        _dossier("D7", "H3", due="2021-03-10", finished="2021-03-08", official="Vừ A Tráng"),
    ]
    pd.DataFrame(dossiers).to_csv(q / "dossiers.csv", index=False)
    pd.DataFrame(
        [{"unit_id": u, **FULL} for u in ("H1", "H2", "H3")] + [{"unit_id": "X1", **FULL, "i6": ""}]
    ).to_csv(q / "self_assessment.csv", index=False)
    pd.DataFrame(
        [{"unit_id": u, **EVIDENCE} for u in ("H1", "H2", "X2", "H3")]
        + [{"unit_id": "X1", **EVIDENCE, "desk_share": "", "electronic": ""}]
    ).to_csv(q / "unit_evidence.csv", index=False)
    pd.DataFrame(
        [
            {
                "complaint_id": "PA1",
                "unit_id": "H1",
                "dossier_id": "D1",
                "received_at": "2021-04-05",
                "due_at": "2021-04-15",
                "answered_at": "2021-04-10",
                "prolonged": "",
                "about_conduct": "x",
                "verified_untrue": "",
            },
            {
                "complaint_id": "PA2",
                "unit_id": "H1",
                "dossier_id": "",
                "received_at": "2021-05-01",
                "due_at": "2021-05-10",
                "answered_at": "2021-05-12",
                "prolonged": "",
                "about_conduct": "",
                "verified_untrue": "",
            },
        ]
    ).to_csv(q / "complaints.csv", index=False)
    pd.DataFrame(
        [
            {"dossier_id": "D4", "unit_id": "H2", "due_at": "2021-04-20", "finished_at": "2021-04-15"},
            {"dossier_id": "D4", "unit_id": "H1", "due_at": "2021-04-08", "finished_at": "2021-04-08"},
        ]
    ).to_csv(q / "steps.csv", index=False)
    pd.DataFrame(
        [
            {
                "scope": "dossier",
                "id": "D3",
                "indicator": 3,
                "points": 1,
                "reason": "Lần bổ sung thứ hai do thay đổi quy định",
                "by": "Trần Văn Thẩm",
            },
            {
                "scope": "unit",
                "id": "H2",
                "indicator": 6,
                "points": 1,
                "reason": "Niêm yết thiếu 3 thủ tục",
                "by": "Trần Văn Thẩm",
            },
        ]
    ).to_csv(q / "overrides.csv", index=False)
    return root


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return build_quarter(tmp_path_factory.mktemp("audit") / "huyen")


@pytest.fixture(scope="module")
def result(data):
    return grade_quarter(data, Q)


def _indicator(expl, number):
    total = next(c for c in expl.trees[0].children if c.kind == "total")
    return next(c for c in total.children if c.kind == "indicator" and c.data["number"] == number)


# ------------------------------------------------------------------------------------ numbers add up


def recompute_from_json(tree: dict, rules, rounding: str) -> None:
    """An independent re-addition of the JSON tree, asserting every step."""
    totals = [c for c in tree["children"] if c["kind"] == "total"]
    if tree["data"].get("status") == "no_dossiers":
        assert not totals
        return
    total = totals[0]
    included = Decimal(0)
    possible = 0
    for ind in total["children"]:
        d = ind["data"]
        if d["source"] == "dossiers":
            pts = [c["data"]["points"] for c in ind["children"] if c["kind"] in ("dossier", "participant")]
            pts = [p for p in pts if p is not None]
            assert (len(pts), sum(pts)) == (d["count"], d["sum"])
            assert round_one(Fraction(sum(pts), len(pts)), rounding) == Decimal(str(d["points"]))
        if d["points"] is not None:
            included += Decimal(str(d["points"]))
            possible += rules.indicator(d["number"]).max_points
    expected = included
    if total["data"]["rescaled"]:
        expected = round_one(Fraction(included) * 18 / possible, rounding)
    assert expected == Decimal(str(total["data"]["total"])) == Decimal(str(tree["data"]["total"]))
    grading = rules.official_grading if tree["kind"] == "official_result" else rules.unit_grading
    band = grading.band_for(expected)
    assert band.label == tree["data"]["band"]
    assert Decimal(str(tree["data"]["band_min"])) <= expected
    if tree["data"]["band_max"] is not None:
        assert expected < Decimal(str(tree["data"]["band_max"]))
    if tree["data"].get("status") is None:
        assert tree["data"]["result"] == band.label


@pytest.mark.parametrize(
    "policies",
    [
        {},
        {"missing_indicator": "rescale_to_18"},
        {"missing_self_assessment": "grade_from_appraisal"},
        {"rounding": "half_even", "population": "resolved_or_overdue"},
    ],
)
def test_every_unit_explanation_adds_up(data, policies):
    res = grade_quarter(data, Q, policies=policies)
    for unit in res.units:
        expl = explain_unit(res, unit.unit_id)
        assert check_arithmetic(expl) == []
        tree = json.loads(to_json(expl))["trees"][0]
        assert tree["data"]["result"] == unit.result
        recompute_from_json(tree, res.rules, res.policies["rounding"])
        if unit.total is not None:
            grades = res.grades.set_index("unit_id")
            assert Decimal(grades.at[unit.unit_id, "total"]) == Decimal(str(tree["data"]["total"]))


def test_check_arithmetic_catches_a_wrong_number(result):
    expl = explain_unit(result, "H1")
    dossier = next(n for n in _indicator(expl, 1).children if n.kind == "dossier")
    dossier.data["points"] = 2 - dossier.data["points"] if dossier.data["points"] != 1 else 0
    assert any("chỉ số 1" in p for p in check_arithmetic(expl))
    expl = explain_unit(result, "H1")
    expl.trees[0].data["band"] = "Xuất sắc"
    assert check_arithmetic(expl)


def test_officials_explanations_add_up(result):
    for uid, name in result.official_scores:
        expl = explain_official(result, name, uid)
        assert check_arithmetic(expl) == []
        for tree in json.loads(to_json(expl))["trees"]:
            recompute_from_json(tree, result.rules, "half_up")
            row = result.officials[
                (result.officials["official"] == name) & (result.officials["unit_id"] == uid)
            ]
            assert Decimal(row["score"].iloc[0]) == Decimal(str(tree["data"]["total"]))
            assert row["completion"].iloc[0] == tree["data"]["result"]


# ------------------------------------------------------------------------------------ reasons and leaves


def test_every_dossier_reason_names_its_dates_or_counts(result):
    for unit in result.units:
        expl = explain_unit(result, unit.unit_id)
        for node in expl.trees[0].walk():
            if node.kind not in ("dossier", "participant") or node.data.get("points") is None:
                continue
            if node.data.get("override"):
                continue
            number = next(p.data["number"] for p in expl.trees[0].walk() if node in p.children)
            if number in (1, 2, 7):
                assert DATE.search(node.data["reason"]), node.text
            else:
                assert re.search(r"\d", node.data["reason"]), node.text


def test_leaves_are_input_rows(result):
    for unit in result.units:
        expl = explain_unit(result, unit.unit_id)
        for leaf in expl.trees[0].leaves():
            assert leaf.kind in ("input_row", "missing_input"), leaf.text
            if leaf.kind == "input_row":
                assert leaf.source["file"] and leaf.source["row"] >= 2
    # the graded unit's tree ends, under every dossier, in its dossiers.csv row
    h1 = explain_unit(result, "H1")
    d3 = next(n for n in _indicator(h1, 1).children if n.data["dossier_id"] == "D3")
    assert d3.children[0].source == {"file": f"{Q}/dossiers.csv", "row": 4}


def test_overrides_and_accepted_self_scores_are_labelled(result):
    h1 = explain_unit(result, "H1")
    d3 = next(n for n in _indicator(h1, 3).children if n.data["dossier_id"] == "D3")
    assert d3.data["override"] and "ĐIỀU CHỈNH" in d3.text and "Trần Văn Thẩm" in d3.text
    assert any(
        leaf.source["file"] == f"{Q}/overrides.csv" and leaf.source["row"] == 2 for leaf in d3.children
    )
    h2 = explain_unit(result, "Phòng Văn hóa")
    i6 = _indicator(h2, 6)
    assert i6.data["source"] == "override" and "ĐIỀU CHỈNH" in i6.text and "Niêm yết thiếu" in i6.text
    assert any(
        leaf.source["file"] == f"{Q}/overrides.csv" and leaf.source["row"] == 3 for leaf in i6.children
    )
    x1 = explain_unit(result, "ubnd xa na son")
    i5 = _indicator(x1, 5)
    assert i5.data["source"] == "self_accepted" and "CHẤP NHẬN ĐIỂM TỰ CHẤM" in i5.text
    assert any(leaf.source["file"] == f"{Q}/self_assessment.csv" for leaf in i5.children)
    i6 = _indicator(x1, 6)
    assert i6.data["source"] == "excluded" and i6.data["points"] is None and "KHÔNG TÍNH" in i6.text


def test_complaints_steps_and_coordination_are_shown(result):
    h1 = explain_unit(result, "H1")
    d1 = next(n for n in _indicator(h1, 7).children if n.data["dossier_id"] == "D1")
    assert d1.data["points"] == 0 and "PA1" in d1.text
    assert any(leaf.source["file"] == f"{Q}/complaints.csv" for leaf in d1.children)
    i8 = _indicator(h1, 8)
    assert i8.data["points"] == 0 and {c.data["complaint_id"] for c in i8.children} == {"PA1", "PA2"}
    i2 = _indicator(h1, 2)
    coordinated = [c for c in i2.children if c.data["role"] == "coordinating"]
    assert [c.data["dossier_id"] for c in coordinated] == ["D4"]
    assert coordinated[0].data["points"] == 1 and "08/04/2021" in coordinated[0].data["reason"]
    assert coordinated[0].children[0].source["file"] == f"{Q}/steps.csv"


def test_statuses_are_explained(result):
    x2 = explain_unit(result, "X2")
    assert x2.trees[0].data["status"] == "not_scored"
    assert (
        "không nộp kết quả tự chấm" in x2.trees[0].text
        and "missing_self_assessment=not_scored" in x2.trees[0].text
    )
    h3 = explain_unit(result, "Phòng Y tế")
    assert h3.trees[0].data["status"] == "no_dossiers"
    d7 = h3.trees[0].children[0]
    assert "D7" in d7.text and "08/03/2021" in d7.text and d7.children[0].source["row"] == 8


def test_dossier_and_lookup(result):
    expl = explain_dossier(result, "D3")
    assert [n.data["points"] for n in expl.trees[0].children] == [0, 0, 1, 1, 0]
    assert "không xếp loại riêng" in expl.trees[0].text
    outside = explain_dossier(result, "D7")
    assert outside.trees[0].data["status"] == "outside_population" and "trước kỳ" in outside.trees[0].text
    with pytest.raises(AuditError, match="Phòng Tư pháp"):
        explain_unit(result, "Phong Tu phap X")
    with pytest.raises(AuditError, match="nhiều đơn vị"):
        explain_unit(result, "xã")


def test_text_rendering(result):
    text = render_text(explain_unit(result, "H1"))
    assert "Chính sách:" in text and "  - Chỉ số không đủ thông tin để chấm: exclude (mặc định)" in text
    assert "← 2021-Q2/dossiers.csv, dòng 2" in text
    assert "khoảng" in text and "TT 01/2018 Điều 15 khoản 3 điểm b" in text


# ------------------------------------------------------------------------------------ what-if


def _ids(changes, only_result=False):
    return sorted(c.unit_id for c in changes if c.result_changed or not only_result)


def test_what_if_changes_exactly_the_expected_units(data, result):
    rescaled = grade_quarter(data, Q, policies={"missing_indicator": "rescale_to_18"})
    changes = compare_policies(result, rescaled)
    assert _ids(changes) == ["X1"]
    x1 = changes[0]
    assert (x1.before, x1.total_before, x1.after, x1.total_after) == (
        "Trung bình",
        Decimal("8.0"),
        "Khá",
        Decimal("9.0"),
    )
    appraisal = grade_quarter(data, Q, policies={"missing_self_assessment": "grade_from_appraisal"})
    changes = compare_policies(result, appraisal)
    assert _ids(changes) == ["X2"] and changes[0].before == "Chưa thực hiện chấm điểm"
    assert compare_policies(result, grade_quarter(data, Q)) == []


def test_explain_cli_what_if_and_json(data, capsys):
    code = main(
        [
            "explain",
            "--quarter",
            Q,
            "--data",
            str(data),
            "--unit",
            "Na Son",
            "--policy",
            "missing_indicator=rescale_to_18",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Giả định (what-if): missing_indicator=rescale_to_18 (chính thức: exclude)" in out
    assert "Kết quả chính thức: Trung bình (tổng 8,0" in out and "Theo giả định:      Khá (tổng 9,0" in out
    code = main(
        ["explain", "--quarter", Q, "--data", str(data), "--official", "Nguyễn Văn An", "--format", "json"]
    )
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["subject"] == "official" and payload["trees"][0]["data"]["dossiers"] == 2
    assert main(["explain", "--quarter", Q, "--data", str(data), "--unit", "không có"]) != 0


def test_explain_gives_the_summary_and_caps_the_dossier_lines_unless_detail(capsys):
    """Issue 13: a commune's explanation printed 770 lines; the dossier lines are capped with a count."""
    data = PROJECT_ROOT / "data" / "dien-bien-dong"
    if not (data / Q).is_dir():
        pytest.skip("the bundled sample is not present")
    assert main(["explain", "--quarter", Q, "--data", str(data), "--unit", "X01"]) == 0
    short = capsys.readouterr().out
    assert main(["explain", "--quarter", Q, "--data", str(data), "--unit", "X01", "--detail"]) == 0
    full = capsys.readouterr().out
    assert len(short.splitlines()) < 100 < 700 < len(full.splitlines())
    hidden = int(re.search(r"; (\d+) dòng khác không hiện", short).group(1))
    rows = [len([line for line in text.splitlines() if "Hồ sơ " in line and "←" in line]) for text in (short, full)]
    assert rows[1] - rows[0] == hidden
    assert sum(int(n) for n in re.findall(r"… và (\d+) (?:hồ sơ|lượt tham gia) khác", short)) == hidden
    # every indicator line is still there, and the dossiers that lost the most points come first
    assert [line for line in short.splitlines() if "Chỉ số " in line and "[TT 01/2018" in line] == [
        line for line in full.splitlines() if "Chỉ số " in line and "[TT 01/2018" in line]
    assert "X01-210414-0198: 0 điểm" in short
    assert "--detail" not in full and "Thêm --detail" in short


def _grade_comparing(data, out, policy: str) -> int:
    return main(["grade", "--quarter", Q, "--data", str(data), "--out", str(out), "--compare-policy", policy])


def test_grade_compare_policy_lists_changed_units(data, tmp_path, capsys):
    code = _grade_comparing(data, tmp_path / "out", "missing_self_assessment=grade_from_appraisal")
    out = capsys.readouterr().out
    assert code == 0
    listed = [line for line in out.splitlines() if line.startswith("  - ")]
    assert len(listed) == 1 and "X2 UBND xã Keo Lôm: Chưa thực hiện chấm điểm" in listed[0]


# ------------------------------------------------------------------------------------ verify


@pytest.fixture
def graded(tmp_path):
    data = build_quarter(tmp_path / "data")
    out = tmp_path / "out"
    write_outputs(grade_quarter(data, Q), out)
    return data, out


def test_verify_identical(graded, capsys):
    _, out = graded
    assert verify(out).identical
    assert main(["verify", str(out)]) == 0
    assert "giống hệt" in capsys.readouterr().out


def test_verify_detects_one_changed_input_byte(graded, capsys):
    data, out = graded
    path = data / Q / "dossiers.csv"
    raw = bytearray(path.read_bytes())
    at = raw.index(b"2021-04-13")  # D3 finished one day later → one day earlier
    raw[at + 9] = ord("2")
    path.write_bytes(bytes(raw))
    report = verify(out)
    assert not report.identical
    inputs = [d for d in report.differences if d.kind == "input"]
    assert [d.name for d in inputs] == [f"{Q}/dossiers.csv"] and "cùng kích thước" in inputs[0].message
    assert "grades.csv" in {d.name for d in report.differences if d.kind == "table"}
    assert main(["verify", str(out)]) == 1
    assert f"{Q}/dossiers.csv" in capsys.readouterr().out


def test_verify_detects_a_changed_policy(graded):
    _, out = graded
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["policies"]["missing_indicator"] = "rescale_to_18"
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    report = verify(out)
    tables = {d.name for d in report.differences if d.kind == "table"}
    assert "grades.csv" in tables and not [d for d in report.differences if d.kind == "input"]


def test_verify_detects_an_edited_table_and_a_new_input(graded):
    data, out = graded
    grades = (out / "grades.csv").read_text(encoding="utf-8")
    (out / "grades.csv").write_text(grades.replace("Trung bình", "Khá", 1), encoding="utf-8")
    (data / Q / "surveys.csv").write_text(
        "form_id,form,unit_id,submitted_at,satisfaction\nF1,4,H1,2021-04-10,Hài lòng\n", encoding="utf-8"
    )
    report = verify(out)
    names = {(d.kind, d.name) for d in report.differences}
    assert ("table", "grades.csv") in names and ("input", f"{Q}/surveys.csv") in names


def test_verify_uses_the_recorded_policies_and_rule_file(tmp_path):
    data = build_quarter(tmp_path / "data")
    rules = tmp_path / "rules.yaml"
    shutil.copy(PROJECT_ROOT / "parameters" / "rules" / "tt01-2018.yaml", rules)
    out = tmp_path / "out"
    write_outputs(
        grade_quarter(data, Q, rules=str(rules), policies={"missing_indicator": "rescale_to_18"}), out
    )
    assert verify(out).identical  # the non-default policy was recorded and is used again
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("- {min: 9, label: Khá}", "- {min: 9.5, label: Khá}"),
        encoding="utf-8",
    )
    report = verify(out)
    assert ("rule_set", str(rules)) in {(d.kind, d.name) for d in report.differences}
    assert "grades.csv" in {d.name for d in report.differences if d.kind == "table"}


def test_compare_policy_rejects_an_unknown_policy(data, tmp_path, capsys):
    code = _grade_comparing(data, tmp_path / "out", "no_such_policy=1")
    assert code != 0 and "no_such_policy" in capsys.readouterr().err


def test_manifest_records_what_rederivation_needs(graded):
    _, out = graded
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rule_set"]["file"] and len(manifest["rule_set"]["sha256"]) == 64
    assert set(manifest["policies"]) >= {"missing_indicator", "population", "rounding"}
    assert all({"file", "size", "sha256", "rows"} <= set(i) for i in manifest["inputs"])
    assert "tool" in manifest and "version" in manifest["tool"]


# ------------------------------------------------------------------------------------ the sample


SAMPLE = PROJECT_ROOT / "data" / "dien-bien-dong"


@pytest.mark.skipif(not (SAMPLE / Q).is_dir(), reason="the bundled sample is not present")
def test_sample_explanations_add_up_and_verify(tmp_path):
    res = grade_quarter(SAMPLE, Q)
    for unit in res.units:
        expl = explain_unit(res, unit.unit_id)
        assert check_arithmetic(expl) == [], unit.unit_id
        recompute_from_json(json.loads(to_json(expl))["trees"][0], res.rules, res.policies["rounding"])
    average = [u for u in res.units if u.result == "Trung bình" and u.level == "xa"]
    assert average, "the sample's Q2 has a commune graded Trung bình"
    expl = explain_unit(res, average[0].unit_name)
    assert all(leaf.kind in ("input_row", "missing_input") for leaf in expl.trees[0].leaves())
    out = tmp_path / "out"
    shutil.rmtree(out, ignore_errors=True)
    write_outputs(res, out)
    assert verify(out).identical


# ------------------------------------------------------------------------------------ the notebook

NOTEBOOK = PROJECT_ROOT / "notebooks" / "06_audit.ipynb"


def test_audit_notebook_is_committed_clean_and_parameterized():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not any(c.get("outputs") or c.get("execution_count") for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "quarter =" in params[0].source and "unit =" in params[0].source
    assert "audit." in "".join(c.source for c in code)


@pytest.mark.slow
def test_audit_notebook_runs_and_exports_html(data, tmp_path):
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    executed = tmp_path / "06_audit.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        cwd=str(tmp_path),
        progress_bar=False,
        kernel_name="python3",
        parameters={
            "quarter": Q,
            "data_dir": str(data),
            "out_dir": str(tmp_path / "out"),
            "unit": "Na Son",
            "what_if": {"missing_indicator": "rescale_to_18"},
        },
    )
    nb = nbformat.read(executed, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "UBND xã Na Son (mã X1, Cấp xã): Trung bình" in text
    assert "Theo giả định:      Khá (tổng 9,0" in text
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert "Giải trình kết quả" in html and "2021-Q2/dossiers.csv, dòng 6" in html


def test_override_leaf_is_the_row_applied_not_a_rejected_one(tmp_path):
    data = build_quarter(tmp_path / "data")
    path = data / Q / "overrides.csv"
    rows = pd.read_csv(path)
    bad = {"scope": "dossier", "id": "D3", "indicator": 3, "points": 5, "reason": "Điểm sai", "by": "X"}
    pd.concat([pd.DataFrame([bad]), rows]).to_csv(path, index=False)
    res = grade_quarter(data, Q)
    d3 = next(n for n in _indicator(explain_unit(res, "H1"), 3).children if n.data["dossier_id"] == "D3")
    assert [leaf.source["row"] for leaf in d3.children if leaf.source["file"] == f"{Q}/overrides.csv"] == [3]


def test_verify_without_a_usable_manifest(tmp_path, capsys):
    assert main(["verify", str(tmp_path)]) == 2
    (tmp_path / "manifest.json").write_text('{"quarter": "2021-Q2"}', encoding="utf-8")
    assert main(["verify", str(tmp_path)]) == 2
    assert "không kiểm tra được" in capsys.readouterr().out


def test_survey_answers_and_coordination_lead_to_their_rows(tmp_path):
    data = build_quarter(tmp_path / "data")
    dossiers = pd.read_csv(data / Q / "dossiers.csv").drop(columns=["contacts", "contacts_applicant"])
    dossiers.to_csv(data / Q / "dossiers.csv", index=False)
    pd.DataFrame(
        [
            {
                "form_id": "F1",
                "form": "5",
                "unit_id": "H1",
                "dossier_id": "D2",
                "submitted_at": "2021-04-13",
                "satisfaction": "Hài lòng",
                "contacts": 1,
            }
        ]
    ).to_csv(data / Q / "surveys.csv", index=False)
    res = grade_quarter(data, Q)
    d2 = next(n for n in _indicator(explain_unit(res, "H1"), 3).children if n.data["dossier_id"] == "D2")
    assert d2.data["points"] == 1 and "phiếu khảo sát" in d2.data["reason"].lower()
    assert {"file": f"{Q}/surveys.csv", "row": 2} in [leaf.source for leaf in d2.children]
    d4 = explain_dossier(res, "D4").trees[0]
    i2 = next(n for n in d4.children if n.data["number"] == 2)
    coordinating = [c for c in i2.children if c.kind == "participant"]
    assert [(c.data["unit_id"], c.data["points"]) for c in coordinating] == [("H1", 1)]
    assert coordinating[0].children[0].source == {"file": f"{Q}/steps.csv", "row": 3}
