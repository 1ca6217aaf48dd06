"""What the audit needs of each scheme, keyed by the rule set's ``scheme``: the module building its trees, the
module re-adding them, and how a what-if words a unit's parts and scores.

``tthc.audit.explain`` dispatches the explanations through it; ``tthc.audit.compare`` compares two gradings
of any scheme with it (a unit's result, total and parts: TT 01/2018's indicators, the index's components).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType
from typing import Any

from tthc.schemes.explanation import AuditError, num
from tthc.schemes.nd118 import explain as nd118_explain
from tthc.schemes.nd118 import explain_check as nd118_check
from tthc.schemes.nd118 import explain_subjects as nd118_subjects
from tthc.schemes.tt01 import arithmetic as tt01_arithmetic
from tthc.schemes.tt01 import explain as tt01_explain


@dataclass(frozen=True)
class SchemeAudit:
    #: ``explain_unit(result, key)``, ``explain_official(result, name, unit)``, ``explain_dossier(result, id)``
    explain: ModuleType
    #: ``check_arithmetic(explanation, rounding)``
    arithmetic: ModuleType
    #: what a unit's parts are called ("chỉ số", "chỉ tiêu") and how a score reads
    part: str
    score_text: Callable[[Decimal | None], str]
    #: a unit's parts and their points, and the note on how its total was formed
    unit_parts: Callable[[Any], dict]
    unit_note: Callable[[Any], str]
    #: for officials and dossiers: what a what-if compares (None: the scheme's own code in ``compare``)
    subject_summary: Callable[[Any], dict] | None = None


def _tt01_parts(unit) -> dict:
    return {s.number: s.points for s in unit.scores}


SCHEMES: dict[str, SchemeAudit] = {
    "tt01": SchemeAudit(tt01_explain, tt01_arithmetic, "chỉ số", num, _tt01_parts, lambda u: u.total_note),
    "nd118": SchemeAudit(nd118_subjects, nd118_check, "chỉ tiêu", nd118_explain.score_text,
                         nd118_explain.unit_parts, nd118_explain.unit_note, nd118_subjects.subject_summary),
}


def scheme_named(name: str) -> SchemeAudit:
    try:
        return SCHEMES[name]
    except KeyError:
        raise AuditError(f"Chưa có giải trình cho kết quả chấm theo scheme '{name}'.") from None


def scheme_of(result) -> SchemeAudit:
    """The audit of the scheme that graded ``result``."""
    return scheme_named(getattr(result.rules, "scheme", "tt01"))
