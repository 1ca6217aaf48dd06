"""Explain a grade: the derivation tree of a unit, an official or a dossier, down to the input rows.

The entry points take a scheme's result and hand it to the scheme that graded it (``SCHEMES`` in
``tthc.audit.schemes``: TT 01/2018 and the NĐ 118/2025 index; its ``explain`` module builds the trees, its
``arithmetic`` module re-adds them). The tree is generic
(``tthc.schemes.explanation``); it renders as Vietnamese text (``render_text``) and as JSON (``to_json``),
and as tables for the notebook; ``what_if`` and ``compare_policies`` set another grading beside it.
Nothing here grades: every number is read from the result.
"""

from __future__ import annotations

from tthc.audit.compare import compare_policies, policy_diff, render_changes, render_what_if, what_if
from tthc.audit.render import DETAIL_LIMIT, fact_table, indicator_table, render_text, summary_table
from tthc.audit.schemes import SCHEMES, scheme_named, scheme_of
from tthc.schemes.explanation import AuditError, Explanation, Node, to_json

__all__ = [
    "DETAIL_LIMIT",
    "SCHEMES",
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


def _of(result):
    return scheme_of(result).explain


def explain_unit(result, key: str) -> Explanation:
    """The derivation of one unit's result (``key``: unit id, or its name ignoring case and diacritics; for the
    index also the province's own row: its id, e.g. ``TINH``, its name or ``Toàn tỉnh``)."""
    return _of(result).explain_unit(result, key)


def explain_official(result, name: str, unit: str | None = None) -> Explanation:
    """The derivation of an official's result, one tree per unit the official worked in (or in ``unit``)."""
    return _of(result).explain_official(result, name, unit)


def explain_dossier(result, dossier_id: str) -> Explanation:
    """The points of one dossier (or why it was not scored this period)."""
    return _of(result).explain_dossier(result, dossier_id)


def check_arithmetic(explanation: Explanation, rounding: str | None = None) -> list[str]:
    """Re-add the explanation's numbers as its scheme forms them; the mismatches (empty when they add up)."""
    return scheme_named(explanation.scheme).arithmetic.check_arithmetic(explanation, rounding)
