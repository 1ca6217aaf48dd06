"""Reading the index rule file (``parameters/rules/nd118-2025.yaml``): every key checked, with the file and the
key at fault in the message, then the typed rule set (``ruleset``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tthc.parameters.ruleset import Band, Level, Policy, RuleSetError
from tthc.text import fold

from .ruleset import (
    PROVENANCES,
    SOURCES,
    BandSet,
    BandsPolicy,
    ComponentSpec,
    Group,
    IndexRuleSet,
    SharePolicy,
    component_key,
)


class _Check:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, what: str) -> RuleSetError:
        return RuleSetError(f"Tệp quy tắc {self.path}, mục '{where}': {what}")

    def get(self, mapping: Any, key: str, where: str, kind: type | tuple[type, ...] = object) -> Any:
        if not isinstance(mapping, dict) or key not in mapping:
            raise self.fail(where, f"thiếu khóa '{key}'")
        value = mapping[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.fail(f"{where}.{key}", f"giá trị '{value}' sai kiểu")
        return value

    def day(self, value: Any, where: str) -> date | None:
        """A date written ISO (``2025-07-01``): YAML dates arrive as text from the strict reader."""
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise self.fail(where, f"'{value}' không phải là ngày dạng YYYY-MM-DD") from exc

    def number(self, value: Any, where: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.fail(where, f"'{value}' không phải là số")
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:
            raise self.fail(where, f"'{value}' không phải là số") from exc

    def bands(self, raw: Any, where: str) -> tuple[Band, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(where, "cần một danh sách mức xếp loại")
        bands = tuple(Band(self.number(self.get(b, "min", f"{where}[{i}]"), f"{where}[{i}].min"),
                           str(self.get(b, "label", f"{where}[{i}]"))) for i, b in enumerate(raw))
        mins = [b.min for b in bands]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins) or mins[-1] != 0:
            raise self.fail(where, "các mức phải xếp theo ngưỡng giảm dần, không trùng nhau, mức cuối từ 0")
        return bands


def build_ruleset(data: Any, path: Path, sha: str) -> IndexRuleSet:
    """Validate the parsed YAML of an index rule file and build the rule set."""
    from .measures import MEASURES  # the component kinds (imported here: they import this module)

    c = _Check(path)
    if not isinstance(data, dict):
        raise c.fail("(gốc)", "cần một bảng khóa: giá trị")
    levels, abolished = {}, set()
    for code, spec in c.get(data, "levels", "(gốc)", dict).items():
        levels[str(code)] = Level(str(code), str(c.get(spec, "name", f"levels.{code}")),
                                  tuple(fold(a) for a in (spec.get("aliases") or [])))
        if spec.get("abolished"):
            abolished.add(str(code))
    prov = c.get(data, "province_level", "(gốc)", dict)
    province_level = Level(str(c.get(prov, "code", "province_level")), str(c.get(prov, "name", "province_level")), ())
    groups = []
    for i, spec in enumerate(c.get(data, "groups", "(gốc)", list)):
        where = f"groups[{i}]"
        provenance = str(c.get(spec, "provenance", where))
        if provenance not in PROVENANCES:
            raise c.fail(f"{where}.provenance", f"'{provenance}' phải là một trong {PROVENANCES}")
        groups.append(Group(str(c.get(spec, "code", where)), str(c.get(spec, "name", where)),
                            c.number(c.get(spec, "max", where), f"{where}.max"), str(c.get(spec, "criterion", where)),
                            str(c.get(spec, "citation", where)), provenance,
                            str(spec.get("max_provenance", provenance))))
    group_codes = [g.code for g in groups]
    if len(set(group_codes)) != len(group_codes):
        raise c.fail("groups", "mã nhóm bị trùng")
    max_total = c.number(c.get(data, "max_total", "(gốc)"), "max_total")
    if sum(g.max for g in groups) != max_total:
        raise c.fail("groups", f"tổng điểm tối đa các nhóm khác {max_total}")
    policies = _policies(c, data, data.get("custom_band_labels") or [])
    share_policies = {n for n, p in policies.items() if isinstance(p, SharePolicy)}
    components = []
    for i, spec in enumerate(c.get(data, "components", "(gốc)", list)):
        components.append(_component(c, spec, f"components[{i}]", group_codes, levels, share_policies, MEASURES))
    codes = [x.code for x in components]
    portal = [x.portal_code for x in components]
    if len(set(codes)) != len(codes) or len(set(portal)) != len(portal):
        raise c.fail("components", "mã chỉ tiêu hoặc mã của Cổng bị trùng")
    for group in groups:
        total = sum((x.max for x in components if x.group == group.code), Decimal(0))
        if total != group.max:
            raise c.fail("components", f"tổng điểm tối đa các chỉ tiêu nhóm {group.code} là {total}, khác {group.max}")
    band_sets = {}
    for name, spec in c.get(data, "band_sets", "(gốc)", dict).items():
        band_sets[str(name)] = BandSet(str(name), str(spec.get("description", "")),
                                       c.bands(c.get(spec, "bands", f"band_sets.{name}"), f"band_sets.{name}.bands"))
    bands_policy = policies.get("index_bands")
    if bands_policy is None or set(bands_policy.values) - set(band_sets):
        raise c.fail("policies.index_bands", "cần chính sách index_bands với các giá trị là tên trong band_sets")
    statuses = {str(k): str(v) for k, v in c.get(data, "statuses", "(gốc)", dict).items()}
    for key in ("no_data", "not_ranked"):
        c.get(statuses, key, "statuses")
    applies_until = c.day(data.get("applies_until"), "applies_until")
    supersedes = {str(k): str(v) for k, v in (data.get("supersedes") or {}).items()}
    return IndexRuleSet(
        id=str(c.get(data, "id", "(gốc)")), title=str(data.get("title", "")), path=path, sha256=sha,
        applies_from=c.day(c.get(data, "applies_from", "(gốc)"), "applies_from"), applies_until=applies_until,
        legal_basis=tuple(str(x) for x in data.get("legal_basis") or ()), amendments=str(data.get("amendments", "")),
        supersedes=supersedes, max_total=max_total,
        reconcile_threshold=c.number(c.get(data, "reconcile_threshold", "(gốc)"), "reconcile_threshold"),
        citation=str(data.get("citation", "")), levels=levels,
        abolished_levels=frozenset(abolished), province_level=province_level, groups=tuple(groups),
        components=tuple(components), band_sets=band_sets, statuses=statuses, policies=policies,
        code_index={**{component_key(x.code): x.code for x in components},
                    **{component_key(x.portal_code): x.code for x in components}},
    )


def _component(c: _Check, spec: Any, where: str, groups: list[str], levels: dict, shares: set[str],
               measures: dict) -> ComponentSpec:
    known = ("code", "portal_code", "name", "group", "max", "measure", "numerator", "denominator", "full_at", "levels",
             "source", "provenance", "citation")
    group = str(c.get(spec, "group", where))
    if group not in groups:
        raise c.fail(f"{where}.group", f"nhóm '{group}' không có trong 'groups'")
    measure = str(c.get(spec, "measure", where))
    if measure not in measures:
        raise c.fail(f"{where}.measure", f"'{measure}' không phải là một trong {sorted(measures)}")
    full_at = str(c.get(spec, "full_at", where))
    if full_at not in shares:
        value = c.number(full_at, f"{where}.full_at")
        if not Decimal(0) < value <= Decimal(1):
            raise c.fail(f"{where}.full_at", "cần một số trong khoảng (0; 1] hoặc tên một chính sách tỷ lệ")
    raw_levels = spec.get("levels", "all")
    if raw_levels == "all":
        comp_levels = None
    else:
        comp_levels = tuple(str(x) for x in raw_levels)
        if set(comp_levels) - set(levels):
            raise c.fail(f"{where}.levels", f"cấp không có trong 'levels': {sorted(set(comp_levels) - set(levels))}")
    source = str(c.get(spec, "source", where))
    if source not in SOURCES:
        raise c.fail(f"{where}.source", f"'{source}' phải là một trong {SOURCES}")
    provenance = str(c.get(spec, "provenance", where))
    if provenance not in PROVENANCES:
        raise c.fail(f"{where}.provenance", f"'{provenance}' phải là một trong {PROVENANCES}")
    maximum = c.number(c.get(spec, "max", where), f"{where}.max")
    if maximum <= 0:
        raise c.fail(f"{where}.max", "điểm tối đa phải lớn hơn 0")
    return ComponentSpec(
        code=str(c.get(spec, "code", where)), portal_code=str(c.get(spec, "portal_code", where)),
        name=str(c.get(spec, "name", where)), group=group, max=maximum, measure=measure,
        numerator=str(c.get(spec, "numerator", where)), denominator=str(c.get(spec, "denominator", where)),
        full_at=full_at, levels=comp_levels, source=source, provenance=provenance,
        citation=str(c.get(spec, "citation", where)),
        params={k: v for k, v in spec.items() if k not in known},
    )


def _policies(c: _Check, data: dict, labels: list) -> dict[str, Policy]:
    policies: dict[str, Policy] = {}
    for name, spec in (data.get("policies") or {}).items():
        where = f"policies.{name}"
        values = tuple(str(v) for v in c.get(spec, "values", where, list))
        default = str(c.get(spec, "default", where))
        if default not in values:
            raise c.fail(where, f"giá trị mặc định '{default}' không nằm trong {list(values)}")
        common = (str(name), default, values, str(spec.get("citation", "")), str(spec.get("description", "")),
                  {str(k): str(v) for k, v in (spec.get("aliases") or {}).items()})
        kind = spec.get("kind", "choice")
        if kind == "share":
            policy: Policy = SharePolicy(*common)
            for value in values:
                policy.resolve(value)
        elif kind == "bands":
            if len(labels) < 2:
                raise c.fail("custom_band_labels", "cần ít nhất hai nhãn mức xếp loại")
            policy = BandsPolicy(*common, labels=tuple(str(x) for x in labels))
        elif kind == "choice":
            policy = Policy(*common)
        else:
            raise c.fail(f"{where}.kind", f"'{kind}' phải là share, bands hoặc choice")
        policies[str(name)] = policy
    for required in ("online_full_at", "payment_full_at", "digitisation_full_at", "empty_denominator",
                     "missing_component", "index_source", "index_rounding", "index_bands", "period"):
        if required not in policies:
            raise c.fail("policies", f"thiếu chính sách '{required}'")
    return policies
