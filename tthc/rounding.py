"""Exact rounding of averages to one decimal (no binary floating point in the decision)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
ONE_DECIMAL = Decimal("0.1")


def to_fraction(value: object) -> Fraction:
    """An exact fraction from an int, a Fraction, a Decimal or a decimal string (floats via their repr)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, float):
        # repr gives the shortest decimal that round-trips: 1.25 stays 1.25, 0.1+0.2 becomes 0.30000000000000004
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value).strip().replace(",", ".")))


def round_one(value: object, mode: str = "half_up") -> Decimal:
    """Round to one decimal with the named mode, exactly: ``round_one(Fraction(5, 4)) == Decimal("1.3")``."""
    frac = to_fraction(value)
    if mode not in MODES:
        raise ValueError(f"rounding mode '{mode}' is not one of {sorted(MODES)}")
    # Fractions with a terminating decimal expansion convert exactly; others cannot sit on a .x5 tie.
    scaled = frac * 10
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * rest
    if twice > scaled.denominator or (twice == scaled.denominator and _up_on_tie(whole, MODES[mode])):
        whole += 1
    return Decimal(whole).scaleb(-1).quantize(ONE_DECIMAL)


def _up_on_tie(whole: int, mode: str) -> bool:
    # divmod floors, so for negatives 'up' means towards +inf; points are never negative here.
    if mode == ROUND_HALF_UP:
        return whole >= 0
    return whole % 2 == 1
