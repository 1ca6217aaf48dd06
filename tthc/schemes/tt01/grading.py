"""From points to grades: unit indicator scores (averaged, rounded), totals, bands, statuses, officials."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tthc.parameters.ruleset import Grading, RuleSet
from tthc.rounding import round_one
from tthc.vi import one_decimal, tenths_text


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator of one unit (or official): the score, or None when left out of the total."""

    number: int
    points: Decimal | None
    source: str       # dossiers, evidence, complaints, self_accepted, override, excluded
    reason: str
    dossiers: int = 0  # dossiers (or participant rows) carrying information
    points_sum: int = 0


@dataclass
class GroupMeans:
    """Per group (0..n-1): rows carrying information, their point sum and the rounded mean in tenths of a
    point (-1 where no row carries information)."""

    count: np.ndarray
    total: np.ndarray
    tenths: np.ndarray

    @classmethod
    def of(cls, count: np.ndarray, total: np.ndarray, rounding: str) -> GroupMeans:
        """From the rows carrying information and their point sums, per group."""
        if rounding == "half_up":  # exact in integers: tenths = floor(10·t/c + 1/2)
            tenths = (20 * total + count) // np.maximum(2 * count, 1)
        else:
            tenths = np.array([int(round_one(Fraction(int(t), int(c)), rounding) * 10) if c else 0
                               for t, c in zip(total, count, strict=True)], dtype=np.int64)
        return cls(count, total, np.where(count > 0, tenths, -1))

    def rollup(self, parent: np.ndarray, n_parents: int, rounding: str) -> GroupMeans:
        """The means of groups made of these groups (``parent``: each group's parent, -1 for none)."""
        has = parent >= 0
        count = np.bincount(parent[has], weights=self.count[has], minlength=n_parents)
        total = np.bincount(parent[has], weights=self.total[has], minlength=n_parents)
        return GroupMeans.of(np.rint(count).astype(np.int64), np.rint(total).astype(np.int64), rounding)

    @cached_property
    def mean(self) -> list[Decimal | None]:
        return [Decimal(int(t)).scaleb(-1) if c else None for t, c in zip(self.tenths, self.count, strict=True)]

    def score(self, group: int, number: int) -> IndicatorScore:
        count, total = int(self.count[group]), int(self.total[group])
        if not count:
            return IndicatorScore(number, None, "excluded", "Không hồ sơ nào có thông tin cho chỉ số này.")
        tenths = int(self.tenths[group])
        return IndicatorScore(number, Decimal(tenths).scaleb(-1), "dossiers",
                              f"Trung bình {total}/{count} hồ sơ = {tenths_text(tenths)}", count, total)


def codes_in(values: pd.Series, labels) -> np.ndarray:
    """The position of each value in ``labels`` (-1 where missing or not among them), as ``int64``; each
    distinct value is looked up once."""
    labels = list(labels)
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow" and all(
            isinstance(label, str) for label in labels):  # Arrow text: looked up in Arrow, no dictionary built
        text = pa.array(values.array)
        found = pc.index_in(text, value_set=pa.array(labels, type=text.type))  # null: not among the labels
        return found.fill_null(-1).to_numpy().astype(np.int64, copy=False)
    codes, uniques = pd.factorize(values, sort=False)
    positions = np.append(pd.Index(labels, dtype=object).get_indexer(np.asarray(uniques, dtype=object)), -1)
    return positions[codes].astype(np.int64, copy=False)


def points_array(points: pd.Series | np.ndarray) -> np.ndarray:
    """Integer points as ``int16`` with -1 where a row carries no information (``<NA>``)."""
    if isinstance(points, np.ndarray):
        return points.astype(np.int16, copy=False)
    return points.to_numpy(dtype=np.int16, na_value=-1)


def group_means(groups: np.ndarray, n_groups: int, points: pd.Series | np.ndarray, rounding: str) -> GroupMeans:
    """Exact per-group means of integer points (``<NA>`` or -1 = no information; group -1 = none)."""
    return Grouping(groups, n_groups).means(points, rounding)


class Grouping:
    """Rows assigned to groups (-1: none), prepared once for the means of several indicators.

    The means are exact, in integers: one ``np.bincount`` of (group, points) pairs counts each point value
    per group, with a slot for "no group" and one for "no information" so that no row is filtered out."""

    WIDTH = 4  # slots per group: no information, then points 0, 1, 2

    def __init__(self, groups: np.ndarray, n_groups: int):
        self.groups, self.n_groups = groups, n_groups
        self._base: np.ndarray | None = None
        self._slots: np.ndarray | None = None  # each row's slot, rewritten for every indicator (no new pages)

    def means(self, points: pd.Series | np.ndarray, rounding: str) -> GroupMeans:
        values = points_array(points)
        width = self.WIDTH
        if len(values) and int(values.max()) > width - 2:  # more points than the slots: filter instead
            has = (values >= 0) & (self.groups >= 0)
            g, v = self.groups[has], values[has]
            width = int(v.max()) + 1 if len(v) else 1
            per_value = np.bincount(g * width + v, minlength=self.n_groups * width).reshape(self.n_groups, width)
        else:
            if self._base is None:  # + 1: a row without information (-1) counts in its group's first slot
                self._base = (self.groups.astype(np.int64) + 1) * width + 1
                self._slots = np.empty_like(self._base)
            np.add(self._base, values, out=self._slots)
            per_value = np.bincount(self._slots, minlength=(self.n_groups + 1) * width)
            per_value = per_value.reshape(self.n_groups + 1, width)[1:, 1:]
        count = per_value.sum(axis=1)
        total = per_value @ np.arange(per_value.shape[1], dtype=np.int64)
        return GroupMeans.of(count, total, rounding)


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
