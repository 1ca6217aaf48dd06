"""Exact arithmetic of the index: a component's points, rounding half-up to two decimals, rescaling, ranks.

No binary floating point takes part in a decision: ratios are ``Fraction``s, points and totals ``Decimal``s
with two places. ``points = max × min(1, r / full_at)``, rounded half-up to 2 decimals once; a group is the
sum of its components' rounded points; the index is the sum of the groups, or, when components are left
out, ``sum × 100 / known maxima`` rounded half-up to 2 decimals once.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import numpy as np

HUNDREDTH = Decimal("0.01")
RATIO_PLACES = 4


def to_fraction(value: object) -> Fraction:
    """An exact fraction from an int, Fraction, Decimal or decimal text (floats through their shortest repr)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int | Decimal):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value).strip().replace(",", ".")))


def round_half_up(value: object, places: int = 2) -> Decimal:
    """Round exactly, half away from zero, to ``places`` decimals: ``round_half_up(Fraction(107, 40)) == 2.68``
    (``2.675``; binary floating point gives 2.67)."""
    frac = to_fraction(value)
    scale = 10 ** places
    scaled = abs(frac) * scale
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    result = Decimal(whole).scaleb(-places)
    if frac < 0:
        result = -result
    return result.quantize(Decimal(1).scaleb(-places))


def component_points(maximum: object, numerator: int, denominator: int, full_at: object) -> Decimal:
    """``max × min(1, (numerator / denominator) / full_at)``, rounded half-up to 2 decimals.

    The denominator must be positive (an empty denominator is a policy matter, decided by the caller)."""
    if denominator <= 0:
        raise ValueError("component_points needs a positive denominator")
    if numerator < 0:
        raise ValueError("component_points needs a non-negative numerator")
    share = Fraction(numerator, denominator) / to_fraction(full_at)
    return round_half_up(to_fraction(maximum) * min(Fraction(1), share))


def ratio_text(numerator: int, denominator: int) -> str:
    """The ratio for the tables: four decimals, half-up, a dot (``0.9156``)."""
    return str(round_half_up(Fraction(numerator, denominator), RATIO_PLACES))


def ratio_texts(numerators: np.ndarray, denominators: np.ndarray) -> list[str]:
    """``ratio_text`` for many pairs at once, in integers (exact): ``floor(2·n·10⁴ + d) / (2·d))``."""
    num = np.asarray(numerators, dtype=np.int64)
    den = np.asarray(denominators, dtype=np.int64)
    scale = 10 ** RATIO_PLACES
    safe = np.where(den > 0, den, 1)
    scaled = (2 * num * scale + safe) // (2 * safe)
    whole, part = np.divmod(scaled, scale)
    return [f"{w}.{p:0{RATIO_PLACES}d}" if d > 0 else "" for w, p, d in zip(whole.tolist(), part.tolist(),
                                                                             den.tolist(), strict=True)]


def index_total(points: Sequence[Decimal], known_max: Decimal, max_total: Decimal) -> Decimal | None:
    """The index from the components' rounded points: their sum when every maximum is known, else the sum
    rescaled to ``max_total`` over the known maxima, rounded half-up to 2 decimals once. None when nothing is
    known."""
    total = sum(points, Decimal(0))
    if known_max <= 0:
        return None
    if known_max == max_total:
        return total.quantize(HUNDREDTH)
    return round_half_up(Fraction(total) * Fraction(max_total) / Fraction(known_max))


def competition_ranks(totals: Sequence[Decimal | None]) -> list[int | None]:
    """Ranks by total, highest first; equal totals share the best rank and the next rank skips
    ("1, 2, 2, 4"). None for a unit without a total."""
    ordered = sorted((t for t in totals if t is not None), reverse=True)
    first = {}
    for position, total in enumerate(ordered, start=1):
        first.setdefault(total, position)
    return [None if t is None else first[t] for t in totals]
