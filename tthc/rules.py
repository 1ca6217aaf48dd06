"""The rule set, loaded from ``parameters/rules/*.yaml`` and validated.

A rule set is data: indicators (each naming a registered measure and its thresholds), unit and official
bands, levels, statuses and the policies with their defaults. The engine never hard-codes TT 01/2018.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from . import PROJECT_ROOT
from .text import fold

RULES_DIR = PROJECT_ROOT / "parameters" / "rules"
DEFAULT_RULESET = "tt01-2018"
SCOPES = ("dossier", "unit")


class RuleSetError(ValueError):
    """A rule file that cannot be used, with the file and the key at fault."""


@dataclass(frozen=True)
class Band:
    min: Decimal
    label: str
    text: str = ""


@dataclass(frozen=True)
class Indicator:
    number: int
    name: str
    short: str
    scope: str
    measure: str
    citation: str
    params: dict[str, Any]

    @property
    def max_points(self) -> int:
        points = self.params.get("points")
        if isinstance(points, dict):
            return max(int(v) for v in points.values())
        return max(int(b["points"]) for b in self.params["bands"])

    @property
    def code(self) -> str:
        return f"i{self.number}"


@dataclass(frozen=True)
class Grading:
    bands: tuple[Band, ...]
    max_total: Decimal
    citation: str
    indicators: tuple[int, ...] = ()

    def band_for(self, total: Decimal) -> Band:
        for band in self.bands:
            if total >= band.min:
                return band
        return self.bands[-1]


@dataclass(frozen=True)
class Policy:
    name: str
    default: str
    values: tuple[str, ...]
    citation: str
    description: str
    aliases: dict[str, str] = field(default_factory=dict)

    def resolve(self, value: str) -> str:
        value = self.aliases.get(value, value)
        if value not in self.values:
            raise RuleSetError(
                f"Chính sách '{self.name}' không nhận giá trị '{value}'; các giá trị hợp lệ: "
                + ", ".join(self.values)
            )
        return value


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    path: Path
    sha256: str
    applies_from: date | None
    applies_until: date | None
    levels: dict[str, Level]
    indicators: tuple[Indicator, ...]
    unit_grading: Grading
    official_grading: Grading
    statuses: dict[str, str]
    policies: dict[str, Policy]

    def indicator(self, number: int) -> Indicator:
        for ind in self.indicators:
            if ind.number == number:
                return ind
        raise KeyError(number)

    @property
    def dossier_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.scope == "dossier")

    @property
    def unit_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.scope == "unit")

    def default_policies(self) -> dict[str, str]:
        return {name: p.default for name, p in self.policies.items()}

    def level_code(self, raw: object) -> str | None:
        """The level code for ``tinh`` / ``Cấp tỉnh`` / ``cap tinh``..., or None."""
        key = fold(raw)
        for level in self.levels.values():
            if key == fold(level.code) or key == fold(level.name) or key in level.aliases:
                return level.code
        return None


def ruleset_path(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return RULES_DIR / f"{name_or_path}.yaml"


def load_ruleset(name_or_path: str | Path = DEFAULT_RULESET) -> RuleSet:
    """Load and validate a rule set by name (``tt01-2018``) or path."""
    path = ruleset_path(name_or_path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise RuleSetError(f"Không đọc được tệp quy tắc {path}: {exc.strerror}") from exc
    digest = hashlib.sha256(raw_bytes).hexdigest()
    key = (str(path), str(path.resolve()), digest)  # the rule set records the path as the caller wrote it
    if key not in _BUILT:  # parsed once per file content: the rule set is immutable
        try:
            data = yaml.safe_load(raw_bytes)
        except yaml.YAMLError as exc:
            raise RuleSetError(f"Tệp quy tắc {path} không phải YAML hợp lệ: {exc}") from exc
        _BUILT[key] = _build_scheme(data, path, digest) if _scheme(data) != "tt01" else _build(data, path, digest)
    return _BUILT[key]


_BUILT: dict[tuple[str, str], RuleSet] = {}


def _scheme(data: Any) -> str:
    """The rule file's ``scheme:`` (``tt01`` when absent: the 9-indicator files predate the key)."""
    return str(data.get("scheme", "tt01")) if isinstance(data, dict) else "tt01"


def _build_scheme(data: Any, path: Path, digest: str):
    """Rule files of another scheme (``scheme: nd118``: the 100-point index of NĐ 118/2025)."""
    if _scheme(data) == "nd118":
        from .schemes.nd118.rulefile import build_ruleset

        return build_ruleset(data, path, digest)
    raise RuleSetError(f"Tệp quy tắc {path}: không biết cơ chế chấm điểm (scheme) '{_scheme(data)}'.")


def rulesets() -> list[RuleSet]:
    return [load_ruleset(p) for p in sorted(RULES_DIR.glob("*.yaml"))]


def ruleset_for(day: date) -> RuleSet:
    """The rule set in force on ``day`` among those in ``parameters/rules``."""
    for rs in rulesets():
        if (rs.applies_from is None or rs.applies_from <= day) and (
            rs.applies_until is None or day <= rs.applies_until
        ):
            return rs
    raise RuleSetError(f"Không có bộ quy tắc nào áp dụng cho ngày {day:%d/%m/%Y} trong {RULES_DIR}")


class _Reader:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, what: str) -> RuleSetError:
        return RuleSetError(f"Tệp quy tắc {self.path}, mục '{where}': {what}")

    def get(self, mapping: Any, key: str, where: str, kind: type | tuple[type, ...] = object) -> Any:
        if not isinstance(mapping, dict) or key not in mapping:
            raise self.fail(where, f"thiếu khóa '{key}'")
        value = mapping[key]
        if not isinstance(value, kind):
            raise self.fail(f"{where}.{key}", f"giá trị '{value}' sai kiểu")
        return value

    def number(self, value: Any, where: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.fail(where, f"'{value}' không phải là số")
        try:
            return Decimal(str(value))
        except ArithmeticError as exc:
            raise self.fail(where, f"'{value}' không phải là số") from exc

    def bands(self, raw: Any, where: str) -> tuple[Band, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(where, "cần một danh sách mức xếp loại")
        bands = tuple(
            Band(
                self.number(self.get(b, "min", f"{where}[{i}]"), f"{where}[{i}].min"),
                str(self.get(b, "label", f"{where}[{i}]")),
                str(b.get("text", "")),
            )
            for i, b in enumerate(raw)
        )
        mins = [b.min for b in bands]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise self.fail(where, "các mức phải xếp theo ngưỡng giảm dần, không trùng nhau")
        return bands


def _build(data: Any, path: Path, sha: str) -> RuleSet:
    r = _Reader(path)
    if not isinstance(data, dict):
        raise r.fail("(gốc)", "cần một bảng khóa: giá trị")
    levels = {}
    for code, spec in r.get(data, "levels", "(gốc)", dict).items():
        levels[str(code)] = Level(
            str(code),
            str(r.get(spec, "name", f"levels.{code}")),
            tuple(fold(a) for a in (spec.get("aliases") or [])),
        )
    indicators = []
    for i, spec in enumerate(r.get(data, "indicators", "(gốc)", list)):
        where = f"indicators[{i}]"
        number = r.get(spec, "number", where, int)
        scope = r.get(spec, "scope", where, str)
        if scope not in SCOPES:
            raise r.fail(f"{where}.scope", f"'{scope}' phải là một trong {SCOPES}")
        params = {k: v for k, v in spec.items() if k not in ("number", "name", "short", "scope", "measure")}
        if "points" not in params and "bands" not in params:
            raise r.fail(where, "thiếu 'points' hoặc 'bands'")
        indicators.append(
            Indicator(
                number=number,
                name=str(r.get(spec, "name", where)),
                short=str(spec.get("short", spec["name"])),
                scope=scope,
                measure=str(r.get(spec, "measure", where)),
                citation=str(r.get(spec, "citation", where)),
                params=params,
            )
        )
    numbers = [i.number for i in indicators]
    if len(set(numbers)) != len(numbers):
        raise r.fail("indicators", "số thứ tự chỉ số bị trùng")
    ug = r.get(data, "unit_grading", "(gốc)", dict)
    og = r.get(data, "official_grading", "(gốc)", dict)
    unit_grading = Grading(
        r.bands(r.get(ug, "bands", "unit_grading"), "unit_grading.bands"),
        r.number(r.get(ug, "max_total", "unit_grading"), "unit_grading.max_total"),
        str(ug.get("citation", "")),
    )
    off_inds = tuple(int(n) for n in r.get(og, "indicators", "official_grading", list))
    for n in off_inds:
        if n not in numbers:
            raise r.fail("official_grading.indicators", f"chỉ số {n} không có trong 'indicators'")
    official_grading = Grading(
        r.bands(r.get(og, "bands", "official_grading"), "official_grading.bands"),
        r.number(r.get(og, "max_total", "official_grading"), "official_grading.max_total"),
        str(og.get("citation", "")),
        off_inds,
    )
    policies = {}
    for name, spec in (data.get("policies") or {}).items():
        where = f"policies.{name}"
        values = tuple(str(v) for v in r.get(spec, "values", where, list))
        default = str(r.get(spec, "default", where))
        if default not in values:
            raise r.fail(where, f"giá trị mặc định '{default}' không nằm trong {list(values)}")
        policies[str(name)] = Policy(
            str(name),
            default,
            values,
            str(spec.get("citation", "")),
            str(spec.get("description", "")),
            {str(k): str(v) for k, v in (spec.get("aliases") or {}).items()},
        )
    statuses = r.get(data, "statuses", "(gốc)", dict)
    for key in ("no_dossiers", "not_scored"):
        r.get(statuses, key, "statuses")
    return RuleSet(
        id=str(r.get(data, "id", "(gốc)")),
        title=str(data.get("title", "")),
        path=path,
        sha256=sha,
        applies_from=data.get("applies_from"),
        applies_until=data.get("applies_until"),
        levels=levels,
        indicators=tuple(sorted(indicators, key=lambda i: i.number)),
        unit_grading=unit_grading,
        official_grading=official_grading,
        statuses={str(k): str(v) for k, v in statuses.items()},
        policies=policies,
    )
