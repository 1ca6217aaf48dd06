"""Explain a grade: the derivation tree of a unit, an official or a dossier, down to the input rows.

The entry points take a scheme's result and hand it to the scheme that graded it (``SCHEMES``: its
``explain`` module builds the trees, its ``arithmetic`` module re-adds them). The tree is generic
(``tthc.schemes.explanation``); it renders as Vietnamese text (``render_text``) and as JSON (``to_json``),
and as tables for the notebook; ``what_if`` and ``compare_policies`` set another grading beside it.
Nothing here grades: every number is read from the result.
"""

from __future__ import annotations

from types import ModuleType

from tthc.audit.compare import compare_policies, policy_diff, render_changes, render_what_if, what_if
from tthc.audit.render import fact_table, indicator_table, render_text, summary_table
from tthc.schemes.explanation import AuditError, Explanation, Node, to_json
from tthc.schemes.tt01 import arithmetic as tt01_arithmetic
from tthc.schemes.tt01 import explain as tt01_explain

__all__ = [
    "AuditError",
    "Explanation",
    "Node",
    "check_arithmetic",
    "compare_policies",
    "explain_dossier",
    "explain_official",
    "explain_unit",
    "fact_table",
    "indicator_table",
    "policy_diff",
    "render_changes",
    "render_text",
    "render_what_if",
    "summary_table",
    "to_json",
    "what_if",
]

#: Per scheme (the rule set's ``scheme``): the module building its trees, the module re-adding them.
SCHEMES: dict[str, tuple[ModuleType, ModuleType]] = {"tt01": (tt01_explain, tt01_arithmetic)}


def _scheme(name: str) -> tuple[ModuleType, ModuleType]:
    try:
        return SCHEMES[name]
    except KeyError:
        raise AuditError(f"Chưa có giải trình cho kết quả chấm theo scheme '{name}'.") from None


def _of(result) -> ModuleType:
    return _scheme(getattr(result.rules, "scheme", "tt01"))[0]


def explain_unit(result, key: str) -> Explanation:
    """The derivation of one unit's result (``key``: unit id, or its name ignoring case and diacritics)."""
    return _of(result).explain_unit(result, key)


def explain_official(result, name: str, unit: str | None = None) -> Explanation:
    """The derivation of an official's result, one tree per unit the official worked in (or in ``unit``)."""
    return _of(result).explain_official(result, name, unit)


def explain_dossier(result, dossier_id: str) -> Explanation:
    """The points of one dossier (or why it was not scored this period)."""
    return _of(result).explain_dossier(result, dossier_id)


def check_arithmetic(explanation: Explanation, rounding: str | None = None) -> list[str]:
    """Re-add the explanation's numbers as its scheme forms them; the mismatches (empty when they add up)."""
    return _scheme(explanation.scheme)[1].check_arithmetic(explanation, rounding)
