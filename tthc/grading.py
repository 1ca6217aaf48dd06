"""From points to grades: unit indicator scores (averaged, rounded), totals, bands, statuses, officials."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from .rounding import round_one
from .rules import Grading, RuleSet
from .wording import one_decimal


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator of one unit (or official): the score, or None when left out of the total."""

    number: int
    points: Decimal | None
    source: str       # dossiers, evidence, complaints, self_accepted, override, excluded
    reason: str
    dossiers: int = 0  # dossiers (or participant rows) carrying information
    points_sum: int = 0


@dataclass(frozen=True)
class GroupMeans:
    """Per group (0..n-1): rows carrying information, their point sum and the rounded mean (None if no row)."""

    count: np.ndarray
    total: np.ndarray
    mean: list[Decimal | None]

    @property
    def tenths(self) -> np.ndarray:
        """The rounded means in tenths of a point (-1 where no row carries information)."""
        return np.array([-1 if m is None else int(m * 10) for m in self.mean], dtype=np.int64)

    def score(self, group: int, number: int) -> IndicatorScore:
        count, total, mean = int(self.count[group]), int(self.total[group]), self.mean[group]
        if mean is None:
            return IndicatorScore(number, None, "excluded", "Không hồ sơ nào có thông tin cho chỉ số này.")
        return IndicatorScore(number, mean, "dossiers", f"Trung bình {total}/{count} hồ sơ = {one_decimal(mean)}",
                              count, total)


def group_means(groups: np.ndarray, n_groups: int, points: pd.Series, rounding: str) -> GroupMeans:
    """Exact per-group means of integer points (``<NA>`` = no information), by ``np.bincount``."""
    values = points.to_numpy(dtype=np.int16, na_value=-1)
    has = (values >= 0) & (groups >= 0)
    g, v = groups[has], values[has]
    count = np.bincount(g, minlength=n_groups).astype(np.int64)
    total = np.zeros(n_groups, dtype=np.int64)
    for point in np.unique(v):  # integer sums without floating point: one count per point value
        if point:
            total += int(point) * np.bincount(g[v == point], minlength=n_groups)
    if rounding == "half_up":  # exact in integers: tenths = floor(10·t/c + 1/2)
        tenths = (20 * total + count) // np.maximum(2 * count, 1)
        mean = [Decimal(int(x)).scaleb(-1) if c else None for x, c in zip(tenths, count, strict=True)]
    else:
        mean = [round_one(Fraction(int(t), int(c)), rounding) if c else None
                for t, c in zip(total, count, strict=True)]
    return GroupMeans(count, total, mean)


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
        return scaled, (f"tổng {one_decimal(total)} trên {possible} điểm có thể, quy đổi về thang "
                        f"{grading.max_total} "
                        f"(chỉ số {names} không đủ thông tin)")
    return total.quantize(Decimal("0.1")), f"tổng các chỉ số có thông tin; chỉ số {names} không đủ thông tin, " \
                                           "không tính (ngưỡng xếp loại giữ nguyên)"


def fmt_tenths(tenths: np.ndarray) -> list[str]:
    """Tenths of a point as CSV text (``175`` → ``17.5``), blank for -1."""
    return ["" if t < 0 else f"{t // 10}.{t % 10}" for t in tenths.tolist()]


def fmt(value: Decimal | float | None) -> str:
    """One decimal with a dot, blank for None (the CSV form)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(Decimal(str(value)).quantize(Decimal("0.1")))
