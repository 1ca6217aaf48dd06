"""Validating a TT 01/2018 rule file: each key against the schema (``tt01_schema.py``), each indicator against
its measure's model, then the checks that span keys: the measure registered for the indicator's scope, unique
indicator numbers, the maxima adding up to each ``max_total`` (18 and 10), bands strictly descending down to
0, thresholds for every level, every policy the engine reads with values it implements, dates in order.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tthc.parameters.tt01_schema import (
    ENGINE_POLICIES,
    MEASURE_SCHEMAS,
    MEASURE_SCOPES,
    ComplaintHandling,
    EffectiveContacts,
    IndicatorBase,
    OneStopDesk,
    OnlineService,
    RuleFile,
    UnitGrading,
)
from tthc.parameters.validation import Problem, SchemaProblems, validate
from tthc.text import fold

SCOPE_VI = {"dossier": "từng hồ sơ", "unit": "từng đơn vị"}


def measure_scopes() -> dict[str, str]:
    """Every measure of the scheme and its scope."""
    return dict(MEASURE_SCOPES)


def validate_rule_file(data: Any) -> tuple[RuleFile, list[IndicatorBase]]:
    """The validated file and its indicators (in file order); ``SchemaProblems`` listing every problem."""
    rule_file, problems = validate(RuleFile, data)
    raw = data.get("indicators") if isinstance(data, dict) else None
    indicators = []
    for i, spec in enumerate(raw if isinstance(raw, list) else []):
        ind, found = _indicator(i, spec)
        problems += found
        indicators.append(ind)
    if not problems and rule_file is not None:
        problems = cross_checks(rule_file, indicators)
    if problems:
        raise SchemaProblems(problems)
    return rule_file, indicators


def _indicator(i: int, spec: Any) -> tuple[IndicatorBase | None, list[Problem]]:
    if not isinstance(spec, dict):
        return None, []  # the file model reports it
    where = ("indicators", i)
    measure = spec.get("measure")
    scopes = measure_scopes()
    known = ", ".join(m for m in scopes if m in MEASURE_SCHEMAS)
    if "measure" not in spec:
        return None, [Problem((*where, "measure"), f"thiếu khóa bắt buộc (tên một phép đo: {known})")]
    if not isinstance(measure, str) or measure not in scopes or measure not in MEASURE_SCHEMAS:
        return None, [Problem((*where, "measure"), f"cần tên một phép đo đã đăng ký: {known}", measure)]
    ind, problems = validate(MEASURE_SCHEMAS[measure], spec, where)
    if ind is not None and ind.scope != scopes[measure]:
        problems.append(Problem((*where, "scope"), f"phép đo '{measure}' chấm theo {SCOPE_VI[scopes[measure]]}: "
                                                   f"cần '{scopes[measure]}'", ind.scope))
    return ind, problems


def max_points(ind: IndicatorBase) -> int:
    if isinstance(ind, EffectiveContacts):
        return max(b.points for b in ind.bands)
    return max(ind.points.model_dump().values())


def cross_checks(f: RuleFile, indicators: list[IndicatorBase]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[int, int] = {}
    for i, ind in enumerate(indicators):
        if ind.number in seen:
            problems.append(Problem(("indicators", i, "number"),
                                    f"số chỉ số trùng với indicators[{seen[ind.number]}]", ind.number))
        seen.setdefault(ind.number, i)
        problems += _indicator_checks(i, ind, f)
    maxima = {ind.number: max_points(ind) for ind in indicators}
    total = sum(maxima.values())
    if f.unit_grading.max_total != total:
        problems.append(Problem(("unit_grading", "max_total"),
                                f"cần bằng tổng điểm tối đa của các chỉ số ({_sum(maxima.values())} = {total})",
                                f.unit_grading.max_total))
    problems += _official(f, indicators, maxima)
    problems += _bands(("unit_grading",), f.unit_grading)
    problems += _bands(("official_grading",), f.official_grading)
    labels = {b.label for b in f.unit_grading.bands}
    for key, status in f.statuses.model_dump().items():
        if status in labels:
            problems.append(Problem(("statuses", key), "không được trùng tên một mức xếp loại", status))
    if f.statuses.no_dossiers == f.statuses.not_scored:
        problems.append(Problem(("statuses", "not_scored"), "cần khác statuses.no_dossiers", f.statuses.not_scored))
    problems += _levels(f)
    problems += _policies(f)
    if f.applies_from and f.applies_until and f.applies_from > f.applies_until:
        problems.append(Problem(("applies_until",), f"không được trước applies_from ({f.applies_from:%d/%m/%Y})",
                                f"{f.applies_until:%d/%m/%Y}"))
    return problems


def _sum(values) -> str:
    return " + ".join(str(v) for v in values)


#: Shares of one indicator that must not cross: (lower, upper).
_ORDERED_SHARES = {ComplaintHandling: ("on_time_min", "on_time_full"),
                   OnlineService: ("online_share_min", "online_share_full")}


def _indicator_checks(i: int, ind: IndicatorBase, f: RuleFile) -> list[Problem]:
    where = ("indicators", i)
    problems = []
    if isinstance(ind, EffectiveContacts):
        last = len(ind.bands) - 1
        previous = None
        for j, band in enumerate(ind.bands):
            if j == last and band.at_most is not None:
                problems.append(Problem((*where, "bands", j, "at_most"),
                                        "mức cuối cùng không có at_most (nhận mọi giá trị còn lại)", band.at_most))
            elif j < last and band.at_most is None:
                problems.append(Problem((*where, "bands", j), "thiếu at_most (chỉ mức cuối cùng được bỏ trống)"))
            elif band.at_most is not None and previous is not None and band.at_most <= previous:
                problems.append(Problem((*where, "bands", j, "at_most"),
                                        f"cần lớn hơn at_most của mức trước ({previous})", band.at_most))
            previous = band.at_most if band.at_most is not None else previous
    if isinstance(ind, OneStopDesk):
        missing = [code for code in f.levels if code not in ind.full_share_min]
        unknown = [code for code in ind.full_share_min if code not in f.levels]
        for code in unknown:
            problems.append(Problem((*where, "full_share_min", code),
                                    "không có cấp này trong levels; các cấp: " + ", ".join(f.levels)))
        if missing:
            problems.append(Problem((*where, "full_share_min"), "thiếu ngưỡng cho cấp " + ", ".join(missing)))
    low_high = _ORDERED_SHARES.get(type(ind))
    if low_high:
        low, high = (getattr(ind, key) for key in low_high)
        if Decimal(str(low)) > Decimal(str(high)):
            problems.append(Problem((*where, low_high[0]), f"không được lớn hơn {low_high[1]} ({high})", low))
    return problems


def _official(f: RuleFile, indicators: list[IndicatorBase], maxima: dict[int, int]) -> list[Problem]:
    problems = []
    scopes = {ind.number: ind.scope for ind in indicators}
    chosen = []
    for j, n in enumerate(f.official_grading.indicators):
        where = ("official_grading", "indicators", j)
        if n not in scopes:
            problems.append(Problem(where, "không có chỉ số này trong indicators", n))
        elif scopes[n] != "dossier":
            problems.append(Problem(where, "cán bộ chỉ được chấm theo chỉ số chấm từng hồ sơ (scope: dossier)", n))
        elif n in chosen:
            problems.append(Problem(where, "chỉ số lặp lại", n))
        else:
            chosen.append(n)
    if not problems:
        total = sum(maxima[n] for n in chosen)
        if f.official_grading.max_total != total:
            problems.append(Problem(("official_grading", "max_total"),
                                    f"cần bằng tổng điểm tối đa của các chỉ số chấm cán bộ "
                                    f"({_sum(maxima[n] for n in chosen)} = {total})", f.official_grading.max_total))
    return problems


def _bands(where: tuple, grading: UnitGrading) -> list[Problem]:
    problems = []
    bands = grading.bands
    for j, band in enumerate(bands):
        at = (*where, "bands", j, "min")
        if not 0 <= band.min <= grading.max_total:
            problems.append(Problem(at, f"cần một số từ 0 đến max_total ({grading.max_total})", band.min))
        elif band.min != band.min.quantize(Decimal("0.1")):
            problems.append(Problem(at, "tối đa một chữ số thập phân (điểm được làm tròn đến 0,1)", band.min))
        elif j and band.min >= bands[j - 1].min:
            problems.append(Problem(at, f"các mức xếp theo ngưỡng giảm dần, không trùng nhau: cần nhỏ hơn "
                                        f"{bands[j - 1].min} của mức trước", band.min))
        if j == len(bands) - 1 and band.min != 0:
            problems.append(Problem(at, "mức cuối cùng cần min = 0 (mọi tổng điểm đều được xếp loại)", band.min))
    seen: set[str] = set()
    for j, band in enumerate(bands):
        if band.label in seen:
            problems.append(Problem((*where, "bands", j, "label"), "tên mức xếp loại lặp lại", band.label))
        seen.add(band.label)
    return problems


def _levels(f: RuleFile) -> list[Problem]:
    problems = []
    owner: dict[str, str] = {}
    for code, level in f.levels.items():
        for key, text in [("name", level.name)] + [(f"aliases[{j}]", a) for j, a in enumerate(level.aliases)]:
            for folded in {fold(code), fold(text)} if key == "name" else {fold(text)}:
                if owner.setdefault(folded, code) != code:
                    problems.append(Problem(("levels", code, key),
                                            f"trùng với cấp '{owner[folded]}' (không phân biệt được cấp)", text))
    return problems


def _policies(f: RuleFile) -> list[Problem]:
    problems = []
    for name in ENGINE_POLICIES:
        if name not in f.policies:
            problems.append(Problem(("policies", name), "thiếu chính sách mà bộ máy chấm điểm cần (giá trị: "
                                                        + ", ".join(ENGINE_POLICIES[name]) + ")"))
    for name, spec in f.policies.items():
        where = ("policies", name)
        if name not in ENGINE_POLICIES:
            problems.append(Problem(where, "chính sách không được bộ máy chấm điểm TT 01/2018 biết đến; các chính "
                                           "sách: " + ", ".join(ENGINE_POLICIES)))
            continue
        known = ENGINE_POLICIES[name]
        for j, value in enumerate(spec.values):
            if value not in known:
                problems.append(Problem((*where, "values", j), "cần một giá trị đã lập trình: " + ", ".join(known),
                                        value))
            elif value in spec.values[:j]:
                problems.append(Problem((*where, "values", j), "giá trị lặp lại", value))
        if spec.default not in spec.values:
            problems.append(Problem((*where, "default"), "cần một trong values: " + ", ".join(spec.values),
                                    spec.default))
        for alias, target in spec.aliases.items():
            if target not in spec.values:
                problems.append(Problem((*where, "aliases", alias), "cần trỏ tới một trong values: "
                                        + ", ".join(spec.values), target))
            elif alias in spec.values:
                problems.append(Problem((*where, "aliases", alias), "tên gọi khác không được trùng một giá trị", alias))
    return problems


def indicator_label(data: Any):
    """A key path's ``(chỉ số N)`` for ``indicators[i]...`` (the number as the file gives it)."""
    def label(loc: tuple) -> str:
        if len(loc) >= 2 and loc[0] == "indicators" and isinstance(loc[1], int) and isinstance(data, dict):
            items = data.get("indicators")
            if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
                number = items[loc[1]].get("number")
                if isinstance(number, int) and not isinstance(number, bool):
                    return f" (chỉ số {number})"
        return ""

    return label
