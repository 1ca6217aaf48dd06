"""Self-assessment against appraisal: per unit and indicator, the gap between the unit's own score and the
appraised one, as a finding for the appraiser (its severity by the size of the gap)."""

from __future__ import annotations

from decimal import Decimal

from tthc.input.checks import _vi
from tthc.input.findings import INFO, WARNING, Finding, show
from tthc.input.reading import ROW

#: A gap of this many points or more is a warning; a smaller one is information.
GAP_WARNING = Decimal("1.0")


def gap_findings(result) -> list[Finding]:
    """Per unit and indicator, the gap between the self-score and the appraised score.

    A gap of ``GAP_WARNING`` (1 point) or more is a warning, a smaller one information. Indicators the
    appraiser took from the self-score itself (no evidence) or left out are not compared. The row is the
    unit's row in the self-assessment file; the column is the indicator's header as written.
    """
    inputs = result.inputs
    table = inputs.table("self_assessment")
    if table is None or table.empty or "self_assessment" not in inputs.files:
        return []
    label = inputs.files["self_assessment"].label
    rows = dict(zip(table["unit_id"], table[ROW], strict=True))
    headers = inputs.headers.get("self_assessment", {})
    out = []
    for unit in result.units:
        if not unit.submitted or unit.unit_id not in rows:
            continue
        for score in unit.scores:
            own = unit.self_scores.get(score.number)
            if own is None or score.points is None or score.source == "self_accepted":
                continue
            gap = Decimal(own) - Decimal(score.points)
            if gap == 0:
                continue
            severity = WARNING if abs(gap) >= GAP_WARNING else INFO
            code = result.rules.indicator(score.number).code
            direction = "cao hơn" if gap > 0 else "thấp hơn"
            out.append(Finding(
                severity, "self_score_gap", label, int(rows[unit.unit_id]), headers.get(code, code), show(float(own)),
                f"Đơn vị {unit.unit_id} tự chấm chỉ số {score.number} là {_vi(own)}, {direction} điểm thẩm định "
                f"{_vi(score.points)} ({_vi(abs(gap))} điểm).",
                "Người thẩm định xem lại minh chứng và ghi lý do vào biên bản." if severity == WARNING else "",
            ))
    return out
