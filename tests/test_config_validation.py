"""Bad configuration (issue 10 item 12): rule files and profiles are validated by a schema when they load.

Every refusal is Vietnamese and names the file, the key path, what was expected and the value found; the CLI
exits 2 without a traceback and writes nothing; one malformed profile never stops the others.
"""

from __future__ import annotations

import os
import subprocess
import sys
import types
from datetime import date
from pathlib import Path

import pytest
import yaml
from builders import dossier, write_quarter

from tthc.cli import EXIT_FAILED, EXIT_INPUT, main
from tthc.parameters import ruleset as rules_mod
from tthc.parameters.policies import Choices, resolve_policies
from tthc.parameters.profiles import PROFILE_KEYS, ProfileError, load_profile, profile_for_data, scan
from tthc.parameters.ruleset import RULES_DIR, SCHEMES, RuleSetError, load_ruleset, ruleset_for, scheme
from tthc.parameters.tt01_checks import measure_scopes
from tthc.parameters.tt01_schema import MEASURE_SCHEMAS

ROOT = Path(__file__).resolve().parent.parent
SOURCE = RULES_DIR / "tt01-2018.yaml"


def _data() -> dict:
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


def _write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def refusal(tmp_path: Path, change, name: str = "bad.yaml") -> str:
    data = _data()
    change(data)
    path = _write(tmp_path / name, data)
    with pytest.raises(RuleSetError) as info:
        load_ruleset(path)
    message = str(info.value)
    for line in message.splitlines():  # every line names the file
        assert line.startswith(str(path)) or line.startswith(name), line
    return message


def _set(keys: tuple, value):
    def change(d):
        target = d
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


# --- rule files: each case names the key path, what is expected and the value -------------------------------

@pytest.mark.parametrize(("change", "expected"), [
    (_set(("indicators", 0, "measure"), "completion_time"),
     "indicators[0].measure (chỉ số 1): cần tên một phép đo đã đăng ký: completion_timing, step_timing"),
    (_set(("indicators", 1, "measure"), ["step_timing"]),
     "indicators[1].measure (chỉ số 2): cần tên một phép đo đã đăng ký: completion_timing, step_timing, "
     "effective_contacts, agencies_contacted, conduct, one_stop_desk, publication, complaint_handling, "
     "online_service, nhận [\"step_timing\"]"),
    (lambda d: d["indicators"][1].pop("measure"), "indicators[1].measure (chỉ số 2): thiếu khóa bắt buộc (tên một "
                                                  "phép đo: completion_timing"),
    (_set(("indicators", 0, "points", "before"), "hai"),
     "indicators[0].points.before (chỉ số 1): cần một số nguyên từ 0 đến 2, nhận 'hai'"),
    (_set(("indicators", 0, "points", "before"), 3),
     "indicators[0].points.before (chỉ số 1): cần một số nguyên từ 0 đến 2, nhận 3"),
    (_set(("indicators", 5, "points", "none"), -1),
     "indicators[5].points.none (chỉ số 6): cần một số nguyên từ 0 đến 2, nhận -1"),
    (_set(("indicators", 2, "bands", 0, "points"), 2.0),
     "indicators[2].bands[0].points (chỉ số 3): cần một số nguyên từ 0 đến 2, nhận 2.0"),
    (_set(("indicators", 6, "points", "on_time"), True),
     "indicators[6].points.on_time (chỉ số 7): cần một số nguyên từ 0 đến 2, nhận true"),
    (_set(("indicators", 7, "on_time_min"), "90%"),
     "indicators[7].on_time_min (chỉ số 8): cần một tỷ lệ từ 0 đến 1 (viết 0.9 thay cho '90%'), nhận '90%'"),
    (_set(("indicators", 4, "full_share_min", "huyen"), "50 %"), "(viết 0.5 thay cho '50 %')"),
    (_set(("indicators", 8, "online_share_min"), 15),
     "indicators[8].online_share_min (chỉ số 9): cần một tỷ lệ từ 0 đến 1, nhận 15"),
    (_set(("indicators", 8, "dvc34_min"), "0.2"),
     "indicators[8].dvc34_min (chỉ số 9): cần một tỷ lệ từ 0 đến 1, nhận '0.2'"),
    (_set(("indicators", 4, "desk_share_mim"), 1.0),
     "indicators[4].desk_share_mim (chỉ số 5): khóa không dùng được ở đây; các khóa hợp lệ: number, name, short, "
     "scope, measure, citation, full_share_min, desk_share_min, points"),
    (_set(("indicators", 3, "bands", 2, "at_most"), 5),
     "indicators[3].bands[2].at_most (chỉ số 4): mức cuối cùng không có at_most (nhận mọi giá trị còn lại), nhận 5"),
    (_set(("indicators", 3, "bands", 1, "at_most"), 0),
     "indicators[3].bands[1].at_most (chỉ số 4): cần lớn hơn at_most của mức trước (0), nhận 0"),
    (lambda d: d["indicators"][4]["full_share_min"].pop("xa"),
     "indicators[4].full_share_min (chỉ số 5): thiếu ngưỡng cho cấp xa"),
    (_set(("indicators", 4, "full_share_min", "thon"), 0.5),
     "indicators[4].full_share_min.thon (chỉ số 5): không có cấp này trong levels; các cấp: tinh, huyen, xa"),
    (_set(("indicators", 7, "on_time_full"), 0.8),
     "indicators[7].on_time_min (chỉ số 8): không được lớn hơn on_time_full (0.8), nhận 0.9"),
    (_set(("indicators", 0, "scope"), "unit"),
     "indicators[0].scope (chỉ số 1): phép đo 'completion_timing' chấm theo từng hồ sơ: cần 'dossier', nhận 'unit'"),
    (_set(("indicators", 1, "number"), 1),
     "indicators[1].number (chỉ số 1): số chỉ số trùng với indicators[0], nhận 1"),
    (_set(("unit_grading", "max_total"), 19),
     "unit_grading.max_total: cần bằng tổng điểm tối đa của các chỉ số (2 + 2 + 2 + 2 + 2 + 2 + 2 + 2 + 2 = 18), "
     "nhận 19"),
    (_set(("indicators", 5, "points"), {"both": 1, "one": 1, "none": 0}),
     "unit_grading.max_total: cần bằng tổng điểm tối đa của các chỉ số (2 + 2 + 2 + 2 + 2 + 1 + 2 + 2 + 2 = 17), "
     "nhận 18"),
    (_set(("official_grading", "max_total"), 12),
     "official_grading.max_total: cần bằng tổng điểm tối đa của các chỉ số chấm cán bộ (2 + 2 + 2 + 2 + 2 = 10), "
     "nhận 12"),
    (_set(("official_grading", "indicators"), [1, 2, 3, 4, 5]),
     "official_grading.indicators[4]: cán bộ chỉ được chấm theo chỉ số chấm từng hồ sơ (scope: dossier), nhận 5"),
    (_set(("official_grading", "indicators"), [1, 2, 3, 4, 12]),
     "official_grading.indicators[4]: không có chỉ số này trong indicators, nhận 12"),
    (_set(("official_grading", "indicators"), [1, 2, 3, 4, 4]),
     "official_grading.indicators[4]: chỉ số lặp lại, nhận 4"),
    (lambda d: d["unit_grading"]["bands"].reverse(),
     "unit_grading.bands[1].min: các mức xếp theo ngưỡng giảm dần, không trùng nhau: cần nhỏ hơn 0 của mức trước"),
    (_set(("unit_grading", "bands", 2, "min"), 12), "unit_grading.bands[2].min: các mức xếp theo ngưỡng giảm dần"),
    (_set(("unit_grading", "bands", 4, "min"), 1),
     "unit_grading.bands[4].min: mức cuối cùng cần min = 0 (mọi tổng điểm đều được xếp loại), nhận 1"),
    (_set(("unit_grading", "bands", 0, "min"), 18.5),
     "unit_grading.bands[0].min: cần một số từ 0 đến max_total (18), nhận 18.5"),
    (_set(("official_grading", "bands", 2, "min"), -1), "official_grading.bands[2].min: cần một số từ 0 đến max_total"),
    (_set(("official_grading", "bands", 1, "min"), 3.55),
     "official_grading.bands[1].min: tối đa một chữ số thập phân (điểm được làm tròn đến 0,1), nhận 3.55"),
    (_set(("unit_grading", "bands", 0, "min"), "15"), "unit_grading.bands[0].min: cần một số"),
    (_set(("unit_grading", "bands", 1, "label"), "Xuất sắc"), "unit_grading.bands[1].label: tên mức xếp loại lặp lại"),
    (lambda d: d.pop("levels"), "bad.yaml: levels: thiếu khóa bắt buộc"),
    (_set(("levels",), {}), "levels: cần ít nhất 1 phần tử"),
    (_set(("levels", "xa", "aliases"), ["cap xa", "huyen"]),
     "levels.xa.aliases[1]: trùng với cấp 'huyen' (không phân biệt được cấp), nhận 'huyen'"),
    (lambda d: d["statuses"].pop("not_scored"), "statuses.not_scored: thiếu khóa bắt buộc"),
    (_set(("statuses", "no_dossiers"), "Yếu"),
     "statuses.no_dossiers: không được trùng tên một mức xếp loại, nhận 'Yếu'"),
    (_set(("policies", "rounding", "default"), "ceil"),
     "policies.rounding.default: cần một trong values: half_up, half_even, nhận 'ceil'"),
    (_set(("policies", "rounding", "values"), ["half_up", "half_even", "ceil"]),
     "policies.rounding.values[2]: cần một giá trị đã lập trình: half_up, half_even, nhận 'ceil'"),
    (lambda d: d["policies"].pop("period"), "policies.period: thiếu chính sách mà bộ máy chấm điểm cần"),
    (_set(("policies", "weather"), {"default": "sun", "values": ["sun"]}),
     "policies.weather: chính sách không được bộ máy chấm điểm TT 01/2018 biết đến"),
    (_set(("policies", "period", "aliases"), {"calendar": "monthly"}),
     "policies.period.aliases.calendar: cần trỏ tới một trong values: calendar_quarter, reporting_cutoff, nhận "
     "'monthly'"),
    (_set(("applies_until",), "2018-12-31"),
     "applies_until: không được trước applies_from (08/01/2019), nhận '31/12/2018'"),
    (_set(("applies_from",), "2019-02-30"), "applies_from: ngày không có thật"),
    (_set(("applies_from",), "08/01/2019"),
     "applies_from: cần một ngày dạng NĂM-THÁNG-NGÀY, ví dụ 2019-01-08, nhận '08/01/2019'"),
    (_set(("applies_untill",), "2025-06-30"),
     "applies_untill: khóa không dùng được ở đây; các khóa hợp lệ: scheme, id,"),
    (_set(("id",), 2018), "id: cần một chuỗi văn bản, nhận 2018"),
])
def test_a_malformed_rule_file_is_refused_naming_file_key_and_value(tmp_path, change, expected):
    assert expected in refusal(tmp_path, change)


def test_every_problem_is_listed_at_once_up_to_a_limit(tmp_path):
    def many(d):
        for ind in d["indicators"]:
            for key in ind.get("points", {}):
                ind["points"][key] = "hai"
    message = refusal(tmp_path, many)
    assert message.count("cần một số nguyên từ 0 đến 2, nhận 'hai'") == 12
    assert message.splitlines()[-1].endswith("và 9 lỗi khác")  # 21 points keys in all


def test_a_repeated_key_and_broken_yaml_name_the_line(tmp_path):
    text = SOURCE.read_text(encoding="utf-8").replace("policies:\n", "policies:\n  rounding: {default: half_up}\n", 1)
    path = tmp_path / "twice.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleSetError, match=r"khóa 'rounding' lặp lại \(lần đầu ở dòng \d+\)") as info:
        load_ruleset(path)
    assert "twice.yaml" in str(info.value) and "dòng" in str(info.value)
    path.write_text("indicators: [unclosed", encoding="utf-8")
    with pytest.raises(RuleSetError, match=r"không phải YAML hợp lệ \(dòng 1, cột"):
        load_ruleset(path)
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(RuleSetError, match=r"twice.yaml: \(gốc\): cần một bảng khóa: giá trị"):
        load_ruleset(path)
    path.write_bytes(b"id: t\xe9st\n")
    with pytest.raises(RuleSetError, match="UTF-8"):
        load_ruleset(path)


def test_scheme_unknown_absent_or_not_text(tmp_path):
    assert "bad.yaml: scheme: cần tên một scheme đã đăng ký: " in refusal(tmp_path, _set(("scheme",), "tt02"))
    assert "nhận 'tt02'" in refusal(tmp_path, _set(("scheme",), "tt02"))
    assert "scheme: cần tên một scheme đã đăng ký" in refusal(tmp_path, _set(("scheme",), "../../etc"))
    assert "nhận 5" in refusal(tmp_path, _set(("scheme",), 5))
    # a file written before the key existed is read as tt01, and says so when it is refused
    data = _data()
    data.pop("scheme")
    assert load_ruleset(_write(tmp_path / "old.yaml", data)).scheme == "tt01"
    message = refusal(tmp_path, lambda d: (d.pop("scheme"), d["indicators"][0]["points"].update(late=7)))
    assert "tệp không có khóa 'scheme': đã đọc theo scheme tt01" in message


def test_the_bundled_rule_set_declares_its_scheme_and_every_measure_has_a_schema():
    assert yaml.safe_load(SOURCE.read_text(encoding="utf-8"))["scheme"] == "tt01"
    assert load_ruleset("tt01-2018").scheme == "tt01"
    assert set(measure_scopes()) == set(MEASURE_SCHEMAS)
    from tthc.schemes.tt01.measures import MEASURES
    from tthc.schemes.tt01.unit_measures import UNIT_MEASURES

    engine = {**{m: "dossier" for m in MEASURES}, **{m: "unit" for m in UNIT_MEASURES}}
    assert measure_scopes() == engine  # the schema knows exactly the engine's measures, with their scopes


def test_a_rule_set_in_parameters_rules_is_named_by_its_file(tmp_path, monkeypatch):
    monkeypatch.setattr(rules_mod, "RULES_DIR", tmp_path)
    message = refusal(tmp_path, _set(("id",), "tt01-2018"), name="tt01-2019.yaml")
    assert "id: cần trùng tên tệp 'tt01-2019'" in message and "nhận 'tt01-2018'" in message


# --- the scheme registry -------------------------------------------------------------------------------------

class _Demo(types.SimpleNamespace):
    def default_policies(self):
        return {}


def _demo_builder(data, path, sha):
    bad = [k for k in data if k not in ("scheme", "id", "applies_from")]
    if bad:
        raise RuleSetError(f"{path.name}: {bad[0]}: khóa lạ")
    return _Demo(id=data["id"], title="", scheme="demo", path=path, sha256=sha, policies={},
                 applies_from=date.fromisoformat(data["applies_from"]), applies_until=None)


def test_ruleset_for_returns_a_rule_set_of_any_registered_scheme(tmp_path, monkeypatch):
    monkeypatch.setattr(rules_mod, "RULES_DIR", tmp_path)
    monkeypatch.setitem(SCHEMES, "demo", _demo_builder)
    data = _data()
    data["applies_until"] = "2029-12-31"
    _write(tmp_path / "tt01-2018.yaml", data)
    (tmp_path / "demo-2030.yaml").write_text("scheme: demo\nid: demo-2030\napplies_from: 2030-01-01\n",
                                            encoding="utf-8")
    assert ruleset_for(date(2021, 4, 1)).scheme == "tt01"
    later = ruleset_for(date(2030, 4, 1))
    assert (later.scheme, later.id) == ("demo", "demo-2030")
    # the scheme's own validation speaks for its files
    (tmp_path / "demo-2030.yaml").write_text("scheme: demo\nid: demo-2030\napplies_from: 2030-01-01\nx: 1\n",
                                            encoding="utf-8")
    with pytest.raises(RuleSetError, match="demo-2030.yaml: x: khóa lạ"):
        ruleset_for(date(2030, 4, 1))


def test_overlapping_rule_sets_are_an_error_naming_both(tmp_path, monkeypatch):
    monkeypatch.setattr(rules_mod, "RULES_DIR", tmp_path)
    monkeypatch.setitem(SCHEMES, "demo", _demo_builder)
    _write(tmp_path / "tt01-2018.yaml", _data())
    (tmp_path / "demo-2025.yaml").write_text("scheme: demo\nid: demo-2025\napplies_from: 2025-01-01\n",
                                            encoding="utf-8")
    assert ruleset_for(date(2024, 12, 31)).id == "tt01-2018"
    with pytest.raises(RuleSetError, match="Nhiều bộ quy tắc cùng áp dụng cho ngày 01/04/2025") as info:
        ruleset_for(date(2025, 4, 1))
    assert "tt01-2018.yaml (từ 08/01/2019 đến 30/06/2025)" in str(info.value)
    assert "demo-2025.yaml (từ 01/01/2025 đến không giới hạn)" in str(info.value)


def test_a_scheme_package_registers_itself_when_a_file_names_it(tmp_path, monkeypatch):
    """``scheme: <name>`` imports ``tthc.schemes.<name>``, whose import registers the builder."""
    package = tmp_path / "schemes"
    (package / "lazy_demo").mkdir(parents=True)
    (package / "lazy_demo" / "__init__.py").write_text(
        "from tthc.parameters.ruleset import scheme\n"
        "import tests_demo_builder as b\n"
        "scheme('lazy_demo')(b.build)\n", encoding="utf-8")
    (tmp_path / "tests_demo_builder.py").write_text(
        "import types\n"
        "def build(data, path, sha):\n"
        "    return types.SimpleNamespace(id=data['id'], scheme='lazy_demo', path=path, sha256=sha)\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    fake = types.ModuleType("tthc.schemes")
    fake.__path__ = [str(package)]
    monkeypatch.setitem(sys.modules, "tthc.schemes", fake)
    monkeypatch.delitem(SCHEMES, "lazy_demo", raising=False)
    path = tmp_path / "lazy.yaml"
    path.write_text("scheme: lazy_demo\nid: lazy\n", encoding="utf-8")
    try:
        got = load_ruleset(path)
        assert got.scheme == "lazy_demo" and "lazy_demo" in SCHEMES
    finally:
        SCHEMES.pop("lazy_demo", None)
        sys.modules.pop("tthc.schemes.lazy_demo", None)


def test_scheme_decorator_registers():
    @scheme("decorated_demo")
    def build(data, path, sha):
        return None

    try:
        assert SCHEMES["decorated_demo"] is build
    finally:
        SCHEMES.pop("decorated_demo")


# --- profiles ------------------------------------------------------------------------------------------------

@pytest.fixture
def profiles_dir(tmp_path, monkeypatch):
    folder = tmp_path / "profiles"
    folder.mkdir()
    monkeypatch.setattr("tthc.parameters.profiles.PROFILES_DIR", folder)
    return folder


def _profile(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ("policies: [population]\n", "p.yaml: policies: cần một bảng TÊN_CHÍNH_SÁCH: GIÁ_TRỊ (ví dụ population: "
                                 "resolved_or_overdue), nhận [\"population\"]"),
    ("policies: resolved_or_overdue\n", "policies: cần một bảng TÊN_CHÍNH_SÁCH: GIÁ_TRỊ"),
    ("data_dir: 5\n", "p.yaml: data_dir: cần một chuỗi văn bản, nhận 5"),
    ("title: [a, b]\n", "p.yaml: title: cần một chuỗi văn bản"),
    ("rules: tt01-2019\n",
     "p.yaml: rules: cần tên một bộ quy tắc trong parameters/rules: nd118-2025, tt01-2018, nhận 'tt01-2019'"),
    ("rule: tt01-2018\n",
     "p.yaml: rule: khóa không dùng được ở đây; các khóa hợp lệ: title, data_dir, rules, policies"),
    ("policies: {populaton: resolved_or_overdue}\n",
     "p.yaml: policies.populaton: không có chính sách này trong bộ quy tắc nào trong parameters/rules; các chính "
     "sách: digitisation_full_at, empty_denominator, index_bands, index_rounding, index_source, "
     "indicator2_without_steps, indicator9_band, missing_component, missing_indicator, missing_self_assessment, "
     "online_full_at, payment_full_at, period, population, rounding, unit_indicator_without_evidence"),
    ("rules: tt01-2018\npolicies: {colour: red}\n",
     "policies.colour: không có chính sách này trong bộ quy tắc tt01-2018; các chính sách:"),
    ("policies: {rounding: ceil}\n",
     "p.yaml: policies.rounding: cần một trong các giá trị: half_up, half_even, nhận 'ceil'"),
    ("policies: {rounding: 1}\n", "p.yaml: policies.rounding: cần một chuỗi văn bản, nhận 1"),
    ("- a\n", "p.yaml: (gốc): cần một bảng khóa: giá trị (title, data_dir, rules, policies), nhận [\"a\"]"),
    ("policies: {a: 1\n", "p.yaml: tệp profile không phải YAML hợp lệ (dòng"),
    ("title: A\ntitle: B\n", "khóa 'title' lặp lại (lần đầu ở dòng 1)"),
])
def test_a_malformed_profile_is_refused_naming_file_key_and_value(profiles_dir, text, expected):
    _profile(profiles_dir, "p", text)
    with pytest.raises(ProfileError) as info:
        load_profile("p")
    assert expected in str(info.value)


def test_a_valid_profile_keeps_its_choices_and_says_where_they_come_from(profiles_dir):
    _profile(profiles_dir, "p", "title: Thử\ndata_dir: data/x\npolicies: {period: calendar, population: "
                                "resolved_or_overdue}\n")
    prof = load_profile("p")
    assert prof.title == "Thử" and prof.data_dir.parts[-2:] == ("data", "x") and prof.rules is None
    assert prof.policies == {"period": "calendar", "population": "resolved_or_overdue"}
    got = resolve_policies(load_ruleset("tt01-2018"), prof.policies)
    assert got["period"] == "calendar_quarter" and got["population"] == "resolved_or_overdue"
    _profile(profiles_dir, "empty", "")
    empty = load_profile("empty")  # every key has its default
    assert (empty.title, empty.rules, empty.policies) == ("empty", None, {})
    assert empty.data_dir.parts[-2:] == ("data", "empty")


def test_the_rule_set_chosen_by_date_names_the_profile_when_it_refuses_a_choice():
    narrower = types.SimpleNamespace(id="hep", policies={}, default_policies=lambda: {})
    with pytest.raises(RuleSetError) as info:
        resolve_policies(narrower, Choices({"population": "resolved_or_overdue"},
                                           source="parameters/profiles/p.yaml, khóa policies"))
    assert "Không có chính sách 'population' trong bộ quy tắc hep (parameters/profiles/p.yaml, khóa " \
           "policies.population)" in str(info.value)
    with pytest.raises(RuleSetError, match=r"không nhận giá trị 'ceil'.*\(p.yaml, khóa policies.rounding\)"):
        resolve_policies(load_ruleset("tt01-2018"), Choices({"rounding": "ceil"}, source="p.yaml, khóa policies"))


def test_a_scheme_may_add_a_profile_key(profiles_dir, monkeypatch):
    from tthc.parameters.validation import Text

    _profile(profiles_dir, "p", "district_code: H01\n")
    with pytest.raises(ProfileError, match="district_code: khóa không dùng được ở đây"):
        load_profile("p")
    monkeypatch.setitem(PROFILE_KEYS, "district_code", Text)
    assert load_profile("p").settings == {"district_code": "H01"}
    _profile(profiles_dir, "p", "district_code: 12\n")
    with pytest.raises(ProfileError, match="p.yaml: district_code: cần một chuỗi văn bản, nhận 12"):
        load_profile("p")


def test_the_index_scheme_knows_the_province_unit_id():
    assert "province_unit_id" in PROFILE_KEYS
    assert load_profile("tinh-mau").settings["province_unit_id"] == "TINH"


def test_one_malformed_profile_does_not_stop_the_others(profiles_dir, tmp_path):
    good = write_quarter(tmp_path / "good", [dossier("D1")])
    other = write_quarter(tmp_path / "other", [dossier("D1")])
    _profile(profiles_dir, "a-bad", "data_dir: /nowhere\npolicies: [population]\n")
    _profile(profiles_dir, "b-good", f"data_dir: {good}\npolicies: {{population: resolved_or_overdue}}\n")
    _profile(profiles_dir, "c-broken", "policies: {a: 1\n")
    warnings: list[str] = []
    assert profile_for_data(good, warn=warnings.append).name == "b-good"
    assert len(warnings) == 1 and "bỏ qua profile 'a-bad'" in warnings[0] and "a-bad.yaml: policies:" in warnings[0]
    assert profile_for_data(other, warn=warnings.append) is None
    assert any("bỏ qua profile 'c-broken'" in w for w in warnings)
    good_ones, bad = scan()
    assert [p.name for p in good_ones] == ["b-good"] and set(bad) == {"a-bad", "c-broken"}
    # the broken profile of THIS data folder is not skipped: grading without its choices would be wrong
    _profile(profiles_dir, "d-mine", f"data_dir: {other}\npolicies: {{rounding: ceil}}\n")
    with pytest.raises(ProfileError, match=r"Profile 'd-mine' dùng thư mục dữ liệu .* không dùng được") as info:
        profile_for_data(other, warn=warnings.append)
    assert "d-mine.yaml: policies.rounding: cần một trong các giá trị: half_up, half_even, nhận 'ceil'" \
        in str(info.value)


def test_batch_all_reports_the_bad_profile_and_runs_the_others(profiles_dir, tmp_path, capsys):
    good = write_quarter(tmp_path / "good", [dossier("D1")])
    _profile(profiles_dir, "a-bad", f"data_dir: {good}\npolicies: [population]\n")
    _profile(profiles_dir, "b-good", f"data_dir: {good}\n")
    out = tmp_path / "out"
    code = main(["batch", "--quarter", "2021-Q2", "--all", "--grade-only", "--workers", "1", "--out-root", str(out),
                 "--no-progress"])
    printed = capsys.readouterr().out
    assert code == EXIT_FAILED
    assert (out / "b-good" / "2021-Q2" / "grades.csv").is_file()
    assert not (out / "a-bad").exists()
    assert "a-bad.yaml: policies: cần một bảng TÊN_CHÍNH_SÁCH: GIÁ_TRỊ" in printed


def test_grade_with_a_bad_profile_in_process_is_exit_2_and_writes_nothing(profiles_dir, tmp_path, capsys):
    good = write_quarter(tmp_path / "good", [dossier("D1")])
    _profile(profiles_dir, "p", f"data_dir: {good}\npolicies: {{missing_indicator: rescale_to_20}}\n")
    out = tmp_path / "out"
    assert main(["grade", "--quarter", "2021-Q2", "--profile", "p", "--out", str(out)]) == EXIT_INPUT
    assert "p.yaml: policies.missing_indicator: cần một trong các giá trị: exclude, rescale_to_18, nhận " \
           "'rescale_to_20'" in capsys.readouterr().err
    assert not out.exists()


# --- the command line, as a user runs it ----------------------------------------------------------------------

def _cli(args: list[str], cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    if home is not None:
        env["TTHC_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "tthc.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_cli_grade_with_a_bad_rule_file_exits_2_without_traceback(tmp_path):
    data = write_quarter(tmp_path / "data", [dossier("D1")])
    rules = _data()
    rules["indicators"][0]["points"]["before"] = "hai"
    rules["indicators"][8]["online_share_full"] = "30%"
    _write(tmp_path / "x.yaml", rules)
    out = tmp_path / "out"
    done = _cli(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out), "--rules", "x.yaml"],
                cwd=tmp_path)
    assert done.returncode == EXIT_INPUT, done.stderr
    assert "Traceback" not in done.stderr
    assert "Lỗi: x.yaml: indicators[0].points.before (chỉ số 1): cần một số nguyên từ 0 đến 2, nhận 'hai'" \
        in done.stderr
    assert "x.yaml: indicators[8].online_share_full (chỉ số 9): cần một tỷ lệ từ 0 đến 1 (viết 0.3 thay cho '30%')" \
        in done.stderr
    assert not out.exists()


def test_cli_grade_with_a_bad_profile_exits_2_without_traceback(tmp_path):
    home = tmp_path / "home"
    (home / "parameters" / "profiles").mkdir(parents=True)
    (home / "parameters" / "rules").mkdir()
    (home / "parameters" / "rules" / "tt01-2018.yaml").write_bytes(SOURCE.read_bytes())
    data = write_quarter(home / "data" / "p", [dossier("D1")])
    (home / "parameters" / "profiles" / "p.yaml").write_text("title: P\npolicies:\n  - population\n", encoding="utf-8")
    out = tmp_path / "out"
    done = _cli(["grade", "--quarter", "2021-Q2", "--profile", "p", "--out", str(out)], cwd=home, home=home)
    assert done.returncode == EXIT_INPUT, done.stderr
    assert "Traceback" not in done.stderr
    assert "Lỗi: parameters/profiles/p.yaml: policies: cần một bảng TÊN_CHÍNH_SÁCH: GIÁ_TRỊ" in done.stderr
    # --data on the folder of the broken profile: its error, not a silent grade without its choices
    done = _cli(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)], cwd=home, home=home)
    assert done.returncode == EXIT_INPUT and "Traceback" not in done.stderr
    assert "Profile 'p' dùng thư mục dữ liệu data/p nhưng không dùng được" in done.stderr
    assert not out.exists()
