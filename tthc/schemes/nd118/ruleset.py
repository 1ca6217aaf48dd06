"""The index rule set (``parameters/rules/nd118-2025.yaml``, ``scheme: nd118``), loaded and validated.

Groups, components (each naming the ``measure`` that computes it), band sets, levels and policies are
data; this module only checks them and gives them types. ``tthc.rules.load_ruleset`` dispatches here on
``scheme: nd118``.

Numeric policies (``kind: share``: ``online_full_at``, ``payment_full_at``, ``digitisation_full_at``) take any
decimal in (0, 1] given as text ("0.5", "0,8"); ``index_bands`` takes the name of a band set or four
descending cut-offs as text ("90/80/70/50", labels from ``custom_band_labels``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from tthc.rules import Band, Level, Policy, RuleSetError
from tthc.text import fold

SCHEME = "nd118"
SOURCES = ("catalogue", "catalogue_province", "dossiers", "units", "petitions")
PROVENANCES = ("CONFIRMED", "OPERATIONAL", "POLICY")
#: Sources whose figures are the province's, carried by every unit.
PROVINCE_WIDE = ("catalogue_province", "units")
#: Sources counted only from evidence rows (an evidence row for ``*`` applies to every unit without one).
CATALOGUE = ("catalogue", "catalogue_province", "units")


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    max: Decimal
    criterion: str
    citation: str
    provenance: str
    max_provenance: str

    @property
    def column(self) -> str:
        """The group's column in grades.csv (``g1`` … ``g6``)."""
        return f"g{self.code}"


@dataclass(frozen=True)
class ComponentSpec:
    code: str
    portal_code: str
    name: str
    group: str
    max: Decimal
    measure: str
    numerator: str
    denominator: str
    full_at: str  # a number ("1", "0.8") or the name of a share policy
    levels: tuple[str, ...] | None  # None: every level
    source: str
    provenance: str
    citation: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def province_wide(self) -> bool:
        return self.source in PROVINCE_WIDE

    @property
    def from_catalogue(self) -> bool:
        return self.source in CATALOGUE

    @property
    def full_when_empty(self) -> bool:
        return self.params.get("when_empty") == "full"

    def full_at_value(self, policies: dict[str, str]) -> Fraction:
        text = policies.get(self.full_at, self.full_at)
        return Fraction(Decimal(str(text)))

    def applies_to(self, level: str | None) -> bool:
        return self.levels is None or level in self.levels


@dataclass(frozen=True)
class SharePolicy(Policy):
    """A decimal in (0, 1], given as text; ``values`` lists the documented choices, others are accepted."""

    def resolve(self, value: str) -> str:
        text = str(value).strip().replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not Decimal(0) < number <= Decimal(1):
            raise RuleSetError(f"Chính sách '{self.name}' cần một số thập phân lớn hơn 0 và không quá 1 (ví dụ "
                               f"{self.default}); nhận '{value}'.")
        return _plain(number)


_CUTS = re.compile(r"^\s*\d+(?:[.,]\d+)?(?:\s*/\s*\d+(?:[.,]\d+)?)*\s*$")


@dataclass(frozen=True)
class BandsPolicy(Policy):
    """A named band set, or descending cut-offs as text (``90/80/70/50``)."""

    labels: tuple[str, ...] = ()

    def resolve(self, value: str) -> str:
        value = self.aliases.get(value, value)
        if value in self.values:
            return value
        if _CUTS.match(str(value)):
            self.custom_bands(str(value))
            return "/".join(_plain(Decimal(c.strip().replace(",", "."))) for c in str(value).split("/"))
        raise RuleSetError(f"Chính sách '{self.name}' không nhận giá trị '{value}'; các giá trị hợp lệ: "
                           + ", ".join(self.values) + f", hoặc {len(self.labels) - 1} ngưỡng giảm dần dạng 90/80/70/50")

    def custom_bands(self, text: str) -> tuple[Band, ...]:
        cuts = [Decimal(c.strip().replace(",", ".")) for c in text.split("/")]
        if len(cuts) != len(self.labels) - 1 or cuts != sorted(cuts, reverse=True) or len(set(cuts)) != len(cuts) \
                or cuts[0] > 100 or cuts[-1] <= 0:
            raise RuleSetError(f"Chính sách '{self.name}': '{text}' cần đúng {len(self.labels) - 1} ngưỡng giảm dần, "
                               f"không trùng nhau, trong khoảng (0; 100] (cho các mức {', '.join(self.labels)}).")
        return tuple(Band(c, label) for c, label in zip([*cuts, Decimal(0)], self.labels, strict=True))


def _plain(number: Decimal) -> str:
    """``Decimal("0.50")`` → ``"0.5"``, ``Decimal("1.0")`` → ``"1"``."""
    text = format(number.normalize(), "f")
    return text


@dataclass(frozen=True)
class BandSet:
    name: str
    description: str
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class IndexRuleSet:
    """The index rule set. Offers what the loading code shares with TT 01/2018 (``levels``, ``level_code``,
    ``policies``); what only the TT 01/2018 commands and engine use (``default_policies``, ``indicators``…)
    raises a clear ``RuleSetError``, so that a command not yet wired to this scheme stops with a message."""

    id: str
    title: str
    path: Path
    sha256: str
    applies_from: date | None
    applies_until: date | None
    legal_basis: tuple[str, ...]
    amendments: str
    supersedes: dict[str, str]
    max_total: Decimal
    reconcile_threshold: Decimal
    citation: str
    levels: dict[str, Level]
    abolished_levels: frozenset[str]
    province_level: Level
    groups: tuple[Group, ...]
    components: tuple[ComponentSpec, ...]
    band_sets: dict[str, BandSet]
    statuses: dict[str, str]
    policies: dict[str, Policy]
    #: folded component code or portal code → component code
    code_index: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    scheme: str = SCHEME

    def defaults(self) -> dict[str, str]:
        return {name: p.default for name, p in self.policies.items()}

    def resolve_policies(self, *layers: dict[str, str] | None) -> dict[str, str]:
        """Every policy with its value: the defaults, then each layer (profile, ``--policy``), validated."""
        values = self.defaults()
        for layer in layers:
            for name, value in (layer or {}).items():
                if name not in self.policies:
                    raise RuleSetError(f"Không có chính sách '{name}' trong bộ quy tắc {self.id}; các chính sách: "
                                       + ", ".join(sorted(self.policies)))
                values[name] = self.policies[name].resolve(str(value))
        return dict(sorted(values.items()))

    def default_policies(self) -> dict[str, str]:
        """``tthc.policies.resolve_policies`` (the TT 01/2018 commands' entry): refused with a clear message
        until the commands dispatch on ``scheme``; this package resolves with ``resolve_policies``."""
        raise self._not_here()

    def level_code(self, raw: object) -> str | None:
        """The level code for ``xa`` / ``Phường`` / ``dac_khu``…, or None."""
        key = fold(raw)
        for level in self.levels.values():
            if key == fold(level.code) or key == fold(level.name) or key in level.aliases:
                return level.code
        return None

    def component(self, code: str) -> ComponentSpec:
        for comp in self.components:
            if comp.code == code:
                return comp
        raise KeyError(code)

    def group(self, code: str) -> Group:
        for group in self.groups:
            if group.code == code:
                return group
        raise KeyError(code)

    def component_code(self, raw: object) -> str | None:
        """``"2.1"``, ``"ON_TIME"`` or ``"on time"`` → ``"2.1"``; None when unknown."""
        return self.code_index.get(_key(raw))

    def bands(self, policies: dict[str, str]) -> tuple[Band, ...]:
        choice = policies.get("index_bands", self.policies["index_bands"].default)
        if choice in self.band_sets:
            return self.band_sets[choice].bands
        policy = self.policies["index_bands"]
        if isinstance(policy, BandsPolicy):
            return policy.custom_bands(choice)
        raise RuleSetError(f"Không có bộ mức xếp loại '{choice}'.")

    def band_for(self, total: Decimal, policies: dict[str, str]) -> Band:
        bands = self.bands(policies)
        for band in bands:
            if total >= band.min:
                return band
        return bands[-1]

    # --- what the TT 01/2018 engine would ask for: a clear message instead of an AttributeError
    def _not_here(self) -> RuleSetError:
        return RuleSetError(f"Bộ quy tắc {self.id} (chỉ số 100 điểm theo NĐ 118/2025/NĐ-CP) chưa được tích hợp vào "
                            "lệnh này; dùng gói tthc.schemes.nd118, hoặc chọn --rules tt01-2018 để chấm theo "
                            "Thông tư 01/2018/TT-VPCP (căn cứ đã hết hiệu lực từ 01/7/2025).")

    @property
    def indicators(self):
        raise self._not_here()

    @property
    def dossier_indicators(self):
        raise self._not_here()

    @property
    def unit_indicators(self):
        raise self._not_here()

    @property
    def unit_grading(self):
        raise self._not_here()

    @property
    def official_grading(self):
        raise self._not_here()


def _key(raw: object) -> str:
    return fold(raw).replace(" ", "_").upper()


# ------------------------------------------------------------------------------------------ building


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
    applies_until = data.get("applies_until")
    supersedes = {str(k): str(v) for k, v in (data.get("supersedes") or {}).items()}
    return IndexRuleSet(
        id=str(c.get(data, "id", "(gốc)")), title=str(data.get("title", "")), path=path, sha256=sha,
        applies_from=c.get(data, "applies_from", "(gốc)", date), applies_until=applies_until,
        legal_basis=tuple(str(x) for x in data.get("legal_basis") or ()), amendments=str(data.get("amendments", "")),
        supersedes=supersedes, max_total=max_total,
        reconcile_threshold=c.number(c.get(data, "reconcile_threshold", "(gốc)"), "reconcile_threshold"),
        citation=str(data.get("citation", "")), levels=levels,
        abolished_levels=frozenset(abolished), province_level=province_level, groups=tuple(groups),
        components=tuple(components), band_sets=band_sets, statuses=statuses, policies=policies,
        code_index={**{_key(x.code): x.code for x in components}, **{_key(x.portal_code): x.code for x in components}},
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
