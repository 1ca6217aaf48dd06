"""The NĐ 118/2025 rule file, its policies, and which scheme grades a quarter (DOMAIN_2025.md)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from tthc.parameters.ruleset import RULES_DIR, RuleSetError, load_ruleset, ruleset_for
from tthc.quarter import Quarter
from tthc.schemes.nd118 import lapsed_note, ruleset_for_quarter

RULES = load_ruleset("nd118-2025")

#: DOMAIN_2025.md's table, copied by hand: code, portal code, group, max, full_at (number or policy).
TABLE = [
    ("1.1", "PUBLISH_ON_TIME", "1", 6, "1"), ("1.2", "PUBLIC_UPDATE_ON_TIME", "1", 4, "1"),
    ("1.3", "PUBLIC_CONTENT_FULL", "1", 2, "1"), ("1.4", "DOSSIER_SYNC", "1", 6, "1"),
    ("2.1", "ON_TIME", "2", 20, "1"), ("3.1", "FULL", "3", 2, "0.8"), ("3.2", "HAS_ONLINE", "3", 4, "1"),
    ("3.3", "ONLINE_DOSSIERS", "3", 6, "online_full_at"), ("4.1", "PAY_DOSSIERS", "4", 6, "1"),
    ("4.2", "PAY_FORMALITIES", "4", 2, "payment_full_at"), ("4.3", "PAY_PROVISION", "4", 2, "payment_full_at"),
    ("5.1", "ORIGINAL_RESULT_AVAILABLE", "5", 6, "1"), ("5.2", "SO_HOA_GIAY_TO_GIAI_QUYET", "5", 4,
                                                       "digitisation_full_at"),
    ("5.3", "ELECTRONIC_CERTIFIED_COPY", "5", 2, "1"), ("5.4", "REUSED_DIGITIZED_DATA", "5", 2, "0.8"),
    ("5.5", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE", "5", 4, "1"), ("5.6", "CITIZEN_DATA_CONNECTED_DOSSIER", "5", 2, "1"),
    ("5.7", "CITIZEN_DATA_CONNECTED_FORMALITY", "5", 2, "1"), ("6.1", "PETITION_PROCESSING_ON_TIME", "6", 6, "1"),
    ("6.2", "PETITION_HANDLING_SATISFACTION", "6", 6, "1"), ("6.3", "DOSSIER_RECEIVING_SATISFACTION", "6", 6, "0.9"),
]


def test_components_match_the_domain_table():
    got = [(c.code, c.portal_code, c.group, int(c.max), c.full_at) for c in RULES.components]
    assert got == TABLE
    assert all(c.provenance == "OPERATIONAL" and c.levels is None for c in RULES.components)
    assert all(c.citation.startswith("NĐ 118/2025 Điều 32 khoản 1 điểm") for c in RULES.components)


def test_groups_are_the_decree_criteria_with_the_portal_maxima():
    assert [(g.code, int(g.max), g.criterion) for g in RULES.groups] == [
        ("1", 18, "a"), ("2", 20, "b"), ("3", 12, "d"), ("4", 10, "d"), ("5", 22, "c"), ("6", 18, "đ")]
    assert RULES.max_total == 100
    assert all(g.provenance == "CONFIRMED" and g.max_provenance == "OPERATIONAL" for g in RULES.groups)
    assert RULES.group("6").citation.startswith("NĐ 118/2025 Điều 32 khoản 1 điểm đ")


def test_rule_file_header():
    assert RULES.scheme == "nd118" and RULES.id == "nd118-2025"
    assert RULES.applies_from == date(2025, 7, 1) and RULES.applies_until is None
    assert any("118/2025/NĐ-CP" in b and "Điều 29–34" in b for b in RULES.legal_basis)
    assert any("766/QĐ-TTg" in b and "23/6/2022" in b for b in RULES.legal_basis)
    assert "367/2025/NĐ-CP" in RULES.amendments
    assert RULES.reconcile_threshold == Decimal("0.1")


def test_levels_after_the_reform():
    for label in ("tinh", "Cấp tỉnh", "Sở", "ban nganh"):
        assert RULES.level_code(label) == "tinh", label
    for label in ("xa", "Cấp xã", "phuong", "Phường", "dac_khu", "Đặc khu"):
        assert RULES.level_code(label) == "xa", label
    assert RULES.level_code("Cấp huyện") == "huyen" and "huyen" in RULES.abolished_levels
    assert RULES.level_code("thôn") is None


def test_policy_defaults():
    assert RULES.resolve_policies() == {
        "digitisation_full_at": "1", "empty_denominator": "zero", "index_bands": "default",
        "index_rounding": "half_up_2", "index_source": "portal_first", "missing_component": "rescale_to_100",
        "online_full_at": "0.5", "payment_full_at": "0.8", "period": "calendar_quarter"}
    for name, policy in RULES.policies.items():
        assert policy.description and policy.citation, name


@pytest.mark.parametrize("given,kept", [("0.5", "0.5"), ("0,8", "0.8"), ("1", "1"), ("1.0", "1"), ("0.65", "0.65")])
def test_share_policies_take_a_decimal_in_zero_one(given, kept):
    assert RULES.resolve_policies({"online_full_at": given})["online_full_at"] == kept


@pytest.mark.parametrize("bad", ["0", "-0.5", "1.01", "50%", "abc", "nan"])
def test_share_policies_refuse_values_outside_zero_one(bad):
    with pytest.raises(RuleSetError, match="online_full_at"):
        RULES.resolve_policies({"online_full_at": bad})


def test_band_policy_names_a_set_or_gives_cut_offs():
    assert [b.label for b in RULES.bands({"index_bands": "four_bands"})] == ["Xuất sắc", "Tốt", "Trung bình", "Yếu"]
    custom = RULES.resolve_policies({"index_bands": "95/85/75/60"})["index_bands"]
    assert [(int(b.min), b.label) for b in RULES.bands({"index_bands": custom})] == [
        (95, "Xuất sắc"), (85, "Tốt"), (75, "Khá"), (60, "Trung bình"), (0, "Yếu")]
    for bad in ("90/80/70", "80/90/70/50", "90/80/80/50", "120/80/70/50", "mềm"):
        with pytest.raises(RuleSetError):
            RULES.resolve_policies({"index_bands": bad})
    with pytest.raises(RuleSetError, match="Không có chính sách"):
        RULES.resolve_policies({"population": "resolved_in_period"})


def test_scheme_is_chosen_by_the_quarter_s_last_day():
    assert ruleset_for(date(2025, 6, 30)).id == "tt01-2018"
    assert ruleset_for(date(2025, 7, 1)).id == "nd118-2025"
    assert ruleset_for_quarter(Quarter.parse("2025-Q2")).id == "tt01-2018"
    assert ruleset_for_quarter(Quarter.parse("2025-Q3")).id == "nd118-2025"
    # under the reporting cut-off 2025-Q3 runs 15/06–14/09/2025: it straddles, its last day decides
    assert ruleset_for_quarter(Quarter.parse("2025-Q3"), "reporting_cutoff").id == "nd118-2025"


def test_a_forced_tt01_run_says_its_basis_lapsed():
    tt01 = load_ruleset("tt01-2018")
    note = lapsed_note(tt01, Quarter.parse("2025-Q4"))
    assert "Quý IV năm 2025" in note and "hết hiệu lực từ ngày 01/07/2025" in note
    assert "Điều 40 khoản 1" in note
    assert lapsed_note(tt01, Quarter.parse("2025-Q2")) == ""
    assert lapsed_note(RULES, Quarter.parse("2026-Q3")) == ""


def _mutated(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((RULES_DIR / "nd118-2025.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("change,message", [
    (lambda d: d["components"][0].update(max=7), "nhóm 1"),
    (lambda d: d["groups"][0].update(max=19), "tổng điểm tối đa các nhóm"),
    (lambda d: d["components"][0].update(measure="no_such"), "measure"),
    (lambda d: d["components"][0].update(full_at="1.5"), "full_at"),
    (lambda d: d["components"][0].update(source="rumour"), "source"),
    (lambda d: d["components"][1].update(code="1.1"), "bị trùng"),
    (lambda d: d["policies"].pop("index_source"), "index_source"),
    (lambda d: d["band_sets"]["default"]["bands"].reverse(), "giảm dần"),
])
def test_a_broken_rule_file_is_refused_with_its_key(tmp_path, change, message):
    with pytest.raises(RuleSetError, match=message):
        load_ruleset(_mutated(tmp_path, change))
