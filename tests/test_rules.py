from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from tthc.parameters.policies import parse_assignments, resolve_policies
from tthc.parameters.ruleset import RULES_DIR, RuleSetError, load_ruleset, ruleset_for

RULES = load_ruleset("tt01-2018")


def test_rule_set_holds_the_nine_indicators_with_citations():
    assert [i.number for i in RULES.indicators] == list(range(1, 10))
    assert {i.number for i in RULES.dossier_indicators} == {1, 2, 3, 4, 7}
    assert {i.number for i in RULES.unit_indicators} == {5, 6, 8, 9}
    for ind in RULES.indicators:
        assert ind.citation.startswith(f"TT 01/2018 Điều 13 khoản {ind.number}")
        assert ind.max_points == 2
    assert RULES.unit_grading.max_total == 18
    assert RULES.official_grading.indicators == (1, 2, 3, 4, 7)


def test_every_domain_policy_has_its_default():
    assert RULES.default_policies() == {
        "indicator2_without_steps": "same_as_indicator1",
        "indicator9_band": "at_least_15",
        "missing_indicator": "exclude",
        "missing_self_assessment": "not_scored",
        "period": "calendar_quarter",
        "population": "resolved_in_period",
        "rounding": "half_up",
        "unit_indicator_without_evidence": "accept_self_score",
    }


@pytest.mark.parametrize(
    ("total", "label"),
    [("18", "Xuất sắc"), ("15", "Xuất sắc"), ("14.9", "Tốt"), ("12", "Tốt"), ("11.9", "Khá"), ("9", "Khá"),
     ("8.9", "Trung bình"), ("6", "Trung bình"), ("5.9", "Yếu"), ("0", "Yếu")],
)
def test_unit_band_boundaries_are_inclusive(total, label):
    assert RULES.unit_grading.band_for(Decimal(total)).label == label


@pytest.mark.parametrize(
    ("score", "label"),
    [("10", "100%"), ("5", "100%"), ("4.9", "70% đến dưới 100%"), ("3.5", "70% đến dưới 100%"),
     ("3.4", "dưới 70%"), ("0", "dưới 70%")],
)
def test_official_band_boundaries(score, label):
    assert RULES.official_grading.band_for(Decimal(score)).label == label


def test_policies_resolve_in_layers_and_refuse_unknowns():
    got = resolve_policies(RULES, {"population": "resolved_or_overdue"}, {"period": "calendar"})
    assert got["population"] == "resolved_or_overdue" and got["period"] == "calendar_quarter"
    with pytest.raises(RuleSetError, match="missing_indicator"):
        resolve_policies(RULES, {"missing_indicator": "rescale_to_20"})
    with pytest.raises(RuleSetError, match="Không có chính sách"):
        resolve_policies(RULES, {"no_such_policy": "x"})
    assert parse_assignments(["a=b", " c = d "]) == {"a": "b", "c": "d"}
    with pytest.raises(RuleSetError):
        parse_assignments(["novalue"])


def test_rule_set_is_chosen_by_date():
    from datetime import date

    assert ruleset_for(date(2021, 4, 1)).id == "tt01-2018"
    assert ruleset_for(date(2026, 1, 1)).id == "nd118-2025"  # NĐ 118/2025 from 1/7/2025 (test_nd118_rules.py)
    with pytest.raises(RuleSetError):
        ruleset_for(date(2018, 1, 1))


def _mutated(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((RULES_DIR / "tt01-2018.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("indicators"), "indicators"),
        (lambda d: d["indicators"][0].update(scope="province"), "scope"),
        (lambda d: d["indicators"][1].update(number=1), "trùng"),
        (lambda d: d["unit_grading"]["bands"].reverse(), "giảm dần"),
        (lambda d: d["unit_grading"]["bands"][0].update(min="abc"), r"bands\[0\]\.min: cần một số"),
        (lambda d: d["policies"]["rounding"].update(default="ceil"), "default: cần một trong values"),
        (lambda d: d["official_grading"].update(indicators=[1, 12]), "12"),
        (lambda d: d["indicators"][2].pop("bands"), r"indicators\[2\]\.bands \(chỉ số 3\): thiếu khóa"),
    ],
)
def test_malformed_rule_files_are_clear_errors(tmp_path, change, message):
    with pytest.raises(RuleSetError, match=message) as info:
        load_ruleset(_mutated(tmp_path, change))
    assert "bad.yaml" in str(info.value)


def test_unparseable_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("indicators: [unclosed", encoding="utf-8")
    with pytest.raises(RuleSetError, match="YAML"):
        load_ruleset(path)


def test_no_threshold_is_hard_coded_a_changed_rule_file_changes_grades(tmp_path):
    """Raising the Xuất sắc bound in the rule file changes the grade without touching code."""
    from builders import dossier, write_quarter

    from tthc.schemes.tt01.engine import grade_quarter

    root = write_quarter(tmp_path / "d", [dossier("D1")])
    unit = grade_quarter(root, "2021-Q2").units[0]
    assert (unit.total, unit.result) == (Decimal("18.0"), "Xuất sắc")

    def stricter(d):
        d["indicators"][8]["dvc34_min"] = 0.6  # the unit's catalogue share is 50 %: indicator 9 drops to 1
        d["unit_grading"]["bands"][0]["min"] = 17.5

    unit = grade_quarter(root, "2021-Q2", rules=_mutated(tmp_path, stricter)).units[0]
    assert (unit.total, unit.result) == (Decimal("17.0"), "Tốt")
