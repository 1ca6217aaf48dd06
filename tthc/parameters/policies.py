"""Policy values: rule-set defaults, then the profile's choices, then ``--policy NAME=VALUE``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tthc.parameters.ruleset import AnyRuleSet, RuleSetError


class Choices(dict):
    """Policy choices that remember where they were written (``source``, named in error messages)."""

    def __init__(self, values: Mapping[str, str] | None = None, source: str = ""):
        super().__init__(values or {})
        self.source = source


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``["population=resolved_or_overdue"]`` → ``{"population": "resolved_or_overdue"}``.

    A policy given twice with the same value is taken once; with two different values it is refused (the
    command line would otherwise silently keep the last one).
    """
    result: dict[str, str] = {}
    for item in items:
        name, sep, value = str(item).partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise RuleSetError(f"Tham số chính sách '{item}' không hợp lệ: cần dạng TÊN=GIÁ_TRỊ.")
        if name in result and result[name] != value:
            raise RuleSetError(
                f"Chính sách '{name}' được chọn hai lần với hai giá trị khác nhau: '{result[name]}' và "
                f"'{value}'. Chỉ giữ một lựa chọn --policy {name}=… rồi chạy lại."
            )
        result[name] = value
    return result


def resolve_policies(rules: AnyRuleSet, *layers: Mapping[str, str] | None) -> dict[str, str]:
    """Every policy of the rule set with its value; later layers override earlier ones."""
    values = rules.default_policies()
    for layer in layers:
        source = getattr(layer, "source", "")
        where = f" ({source}.{{name}})" if source else ""
        for name, value in (layer or {}).items():
            if name not in rules.policies:
                raise RuleSetError(
                    f"Không có chính sách '{name}' trong bộ quy tắc {rules.id}{where.format(name=name)}; "
                    "các chính sách: " + ", ".join(sorted(rules.policies))
                )
            try:
                values[name] = rules.policies[name].resolve(str(value))
            except RuleSetError as exc:
                raise RuleSetError(f"{exc}{where.format(name=name)}") from None
    return dict(sorted(values.items()))
