"""From points to grades: unit indicator scores (averaged, rounded), totals, bands, statuses, officials."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from .rounding import round_one
from .rules import Grading, RuleSet


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator of one unit (or official): the score, or None when left out of the total."""

    number: int
    points: Decimal | None
    source: str       # dossiers, evidence, complaints, self_accepted, override, excluded
    reason: str
    dossiers: int = 0  # dossiers (or participant rows) carrying information
    points_sum: int = 0


def mean_scores(frame: pd.DataFrame, group: list[str], column: str, rounding: str) -> pd.DataFrame:
    """Per group: the number of rows with information, their point sum and the rounded mean."""
    has = frame[column].notna()
    agg = frame[has].groupby(group, sort=True)[column].agg(["count", "sum"])
    agg["mean"] = [round_one(Fraction(int(s), int(c)), rounding) for s, c in zip(agg["sum"], agg["count"],
                                                                                 strict=True)]
    return agg


def total_of(scores: list[IndicatorScore], rules: RuleSet, grading: Grading, policy: str,
             rounding: str) -> tuple[Decimal, str]:
    """Sum of the included scores; under ``rescale_to_18`` a total with excluded indicators is scaled to the
    grading's maximum. Returns the total and a note on how it was formed."""
    included = [s for s in scores if s.points is not None]
    total = sum((s.points for s in included), Decimal(0))
    excluded = [s.number for s in scores if s.points is None]
    if not excluded:
        return total.quantize(Decimal("0.1")), "tổng các chỉ số"
    names = ", ".join(str(n) for n in excluded)
    if policy == "rescale_to_18" and included:
        possible = sum(rules.indicator(s.number).max_points for s in included)
        scaled = round_one(Fraction(total) * Fraction(grading.max_total) / possible, rounding)
        return scaled, (f"tổng {total} trên {possible} điểm có thể, quy đổi về thang {grading.max_total} "
                        f"(chỉ số {names} không đủ thông tin)")
    return total.quantize(Decimal("0.1")), f"tổng các chỉ số có thông tin; chỉ số {names} không đủ thông tin, " \
                                           "không tính (ngưỡng xếp loại giữ nguyên)"


def fmt(value: Decimal | float | None) -> str:
    """One decimal with a dot, blank for None (the CSV form)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(Decimal(str(value)).quantize(Decimal("0.1")))
