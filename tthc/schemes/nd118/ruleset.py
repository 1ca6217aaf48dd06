"""The index rule set's model (``parameters/rules/nd118-2025.yaml``, ``scheme: nd118``).

Groups, components (each naming the ``measure`` that computes it), band sets, levels and policies are
data; this module gives them types (``rulefile`` reads and checks the file; ``tthc.parameters.ruleset.load_ruleset``
dispatches there on ``scheme: nd118``).

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

from tthc.parameters.ruleset import Band, Level, Policy, RuleSetError, level_code
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
        return self.defaults()

    def level_code(self, raw: object) -> str | None:
        """The level code for ``xa`` / ``Phường`` / ``dac_khu``…, or None."""
        return level_code(self.levels, raw)

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
        return self.code_index.get(component_key(raw))

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


def component_key(raw: object) -> str:
    return fold(raw).replace(" ", "_").upper()
