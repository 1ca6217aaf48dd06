"""Rule sets: loaded from ``parameters/rules/*.yaml``, validated against their scheme's schema, chosen by date.

A rule set is data: the engine never hard-codes TT 01/2018. Every rule file names its ``scheme``:

- ``tt01``: Thông tư 01/2018/TT-VPCP (9 indicators, bands, levels, statuses, policies): ``RuleSet`` below,
  its schema in ``tt01_schema.py``, validated by ``tt01_checks.py``. A file without ``scheme`` is read as
  ``tt01`` (the files written before the key existed).

Schemes are a registry, ``SCHEMES``: scheme name → ``build(data, path, sha256)``, which validates the parsed
YAML (a mapping) and returns the scheme's rule set, or raises ``RuleSetError`` naming the file and the key
path. Extension point — a new scheme registers itself in its own package, nothing else to edit::

    # tthc/schemes/<name>/__init__.py
    from tthc.parameters.ruleset import scheme

    @scheme("<name>")
    def build(data: dict, path: Path, sha256: str) -> MyRuleSet: ...

A builder words its refusals like tt01's with ``tthc.parameters.validation`` (``Strict`` pydantic models, ``validate``,
``describe``: "file: key.path: expected, nhận value"); a profile key it needs goes in
``tthc.parameters.profiles.PROFILE_KEYS``. A scheme a file names but nobody registered yet is imported on first use
from ``tthc.schemes.<name>``; an unknown scheme is an error naming the file and the key ``scheme``.
``ruleset_for(day)`` returns a rule set of any scheme; what the rest of tthc uses of one is ``AnyRuleSet``.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from tthc import PROJECT_ROOT
from tthc.errors import TthcError
from tthc.parameters.validation import Problem, SchemaProblems, describe, file_label, parse_yaml
from tthc.text import fold

RULES_DIR = PROJECT_ROOT / "parameters" / "rules"
DEFAULT_RULESET = "tt01-2018"
DEFAULT_SCHEME = "tt01"
SCOPES = ("dossier", "unit")


class RuleSetError(TthcError, ValueError):
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


def level_code(levels: Mapping[str, Level], raw: object) -> str | None:
    """The code of the level ``raw`` names (its code, its name or an alias; case, spaces and diacritics
    folded), or None: the same for every scheme."""
    key = fold(raw)
    for level in levels.values():
        if key == fold(level.code) or key == fold(level.name) or key in level.aliases:
            return level.code
    return None


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
    scheme: str = DEFAULT_SCHEME

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
        return level_code(self.levels, raw)


class PolicyLike(Protocol):
    default: str

    def resolve(self, value: str) -> str:
        """The value (an alias resolved); ``RuleSetError`` if the policy does not take it."""


class AnyRuleSet(Protocol):
    """What a rule set of any scheme offers (the manifest, ``ruleset_for``, policies, profiles use it)."""

    id: str
    title: str
    scheme: str
    path: Path
    sha256: str
    applies_from: date | None
    applies_until: date | None
    policies: Mapping[str, PolicyLike]

    def default_policies(self) -> dict[str, str]: ...


SchemeBuilder = Callable[[dict, Path, str], Any]
#: Scheme name → builder (see the module's docstring).
SCHEMES: dict[str, SchemeBuilder] = {}
_SCHEME_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def scheme(name: str) -> Callable[[SchemeBuilder], SchemeBuilder]:
    """Register ``build(data, path, sha256) -> rule set`` for rule files with ``scheme: <name>``."""
    def register(build: SchemeBuilder) -> SchemeBuilder:
        SCHEMES[name] = build
        return build

    return register


def scheme_builder(name: Any, path: Path) -> SchemeBuilder:
    """The builder of ``name``, importing ``tthc.schemes.<name>`` when it is not registered yet."""
    if isinstance(name, str) and name not in SCHEMES and _SCHEME_NAME.match(name):
        try:
            importlib.import_module(f"tthc.schemes.{name}")
        except ModuleNotFoundError as exc:
            if exc.name not in ("tthc.schemes", f"tthc.schemes.{name}"):
                raise
    if isinstance(name, str) and name in SCHEMES:
        return SCHEMES[name]
    raise RuleSetError(describe(path, [Problem(("scheme",), "cần tên một scheme đã đăng ký: "
                                                + ", ".join(sorted(SCHEMES)), name)]))


def ruleset_path(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return RULES_DIR / f"{name_or_path}.yaml"


def available() -> list[str]:
    """The rule sets' names (files in ``parameters/rules``)."""
    return sorted(p.stem for p in RULES_DIR.glob("*.yaml"))


def load_ruleset(name_or_path: str | Path = DEFAULT_RULESET) -> AnyRuleSet:
    """Load and validate a rule set, of any scheme, by name (``tt01-2018``) or path."""
    path = ruleset_path(name_or_path)
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError as exc:
        known = ", ".join(available()) or "(chưa có)"
        raise RuleSetError(f"Không có tệp quy tắc {file_label(path)}; các bộ quy tắc trong "
                           f"{file_label(RULES_DIR)}: {known}.") from exc
    except OSError as exc:
        raise RuleSetError(f"Không đọc được tệp quy tắc {file_label(path)}: {exc.strerror}") from exc
    digest = hashlib.sha256(raw_bytes).hexdigest()
    key = (str(path), str(path.resolve()), digest)  # the rule set records the path as the caller wrote it
    if key not in _BUILT:  # parsed once per file content: the rule set is immutable
        _BUILT[key] = _build(raw_bytes, path, digest)
    return _BUILT[key]


_BUILT: dict[tuple[str, str, str], AnyRuleSet] = {}


def _build(raw_bytes: bytes, path: Path, digest: str) -> AnyRuleSet:
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleSetError(f"{file_label(path)}: tệp quy tắc phải là văn bản UTF-8 (byte lỗi ở vị trí "
                           f"{exc.start})") from exc
    data = parse_yaml(text, path, RuleSetError, "tệp quy tắc")
    if not isinstance(data, dict):
        raise RuleSetError(describe(path, [Problem((), "cần một bảng khóa: giá trị (id, scheme, indicators, ...)",
                                                   data)]))
    rule_set = scheme_builder(data.get("scheme", DEFAULT_SCHEME), path)(data, path, digest)
    if path.resolve().parent == RULES_DIR.resolve() and rule_set.id != path.stem:
        raise RuleSetError(describe(path, [Problem(("id",), f"cần trùng tên tệp '{path.stem}' (bộ quy tắc được "
                                                            "gọi theo tên tệp)", rule_set.id)]))
    return rule_set


def rulesets() -> list[AnyRuleSet]:
    return [load_ruleset(p) for p in sorted(RULES_DIR.glob("*.yaml"))]


def ruleset_for(day: date) -> AnyRuleSet:
    """The rule set in force on ``day`` among those in ``parameters/rules`` (any scheme; exactly one)."""
    found = [rs for rs in rulesets() if (rs.applies_from is None or rs.applies_from <= day)
             and (rs.applies_until is None or day <= rs.applies_until)]
    if not found:
        raise RuleSetError(f"Không có bộ quy tắc nào áp dụng cho ngày {day:%d/%m/%Y} trong {file_label(RULES_DIR)}.")
    if len(found) > 1:
        raise RuleSetError(f"Nhiều bộ quy tắc cùng áp dụng cho ngày {day:%d/%m/%Y}: "
                           + "; ".join(f"{file_label(rs.path)} ({_span(rs)})" for rs in found)
                           + ". Sửa applies_from/applies_until để các khoảng không chồng lên nhau.")
    return found[0]


def _span(rs: AnyRuleSet) -> str:
    start = f"{rs.applies_from:%d/%m/%Y}" if rs.applies_from else "không giới hạn"
    end = f"{rs.applies_until:%d/%m/%Y}" if rs.applies_until else "không giới hạn"
    return f"từ {start} đến {end}"


# --- scheme tt01: TT 01/2018 ------------------------------------------------------------------------------

_HEAD = ("number", "name", "short", "scope", "measure")


@scheme(DEFAULT_SCHEME)
def build_tt01(data: dict, path: Path, sha: str) -> RuleSet:
    """A TT 01/2018 rule set from its validated file (``tt01_checks``)."""
    from tthc.parameters.tt01_checks import indicator_label, validate_rule_file

    try:
        f, indicators = validate_rule_file(data)
    except SchemaProblems as exc:
        note = "" if "scheme" in data else "tệp không có khóa 'scheme': đã đọc theo scheme tt01 (TT 01/2018)."
        raise RuleSetError(describe(path, exc.problems, indicator_label(data), note)) from None
    built = [
        Indicator(
            number=ind.number,
            name=ind.name,
            short=ind.short or ind.name,
            scope=ind.scope,
            measure=ind.measure,
            citation=ind.citation,
            params={k: v for k, v in spec.items() if k not in _HEAD},  # as written: the measures read them
        )
        for ind, spec in zip(indicators, data["indicators"], strict=True)
    ]

    def grading(g, indicators=()) -> Grading:
        return Grading(tuple(Band(b.min, b.label, b.text) for b in g.bands), g.max_total, g.citation,
                       tuple(indicators))

    return RuleSet(
        id=f.id,
        title=f.title,
        path=path,
        sha256=sha,
        applies_from=f.applies_from,
        applies_until=f.applies_until,
        levels={code: Level(code, lvl.name, tuple(fold(a) for a in lvl.aliases)) for code, lvl in f.levels.items()},
        indicators=tuple(sorted(built, key=lambda i: i.number)),
        unit_grading=grading(f.unit_grading),
        official_grading=grading(f.official_grading, f.official_grading.indicators),
        statuses=f.statuses.model_dump(),
        policies={
            name: Policy(name, p.default, tuple(p.values), p.citation, p.description, dict(p.aliases))
            for name, p in f.policies.items()
        },
    )
