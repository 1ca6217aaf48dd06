"""Vietnamese forms of the index's numbers and dates (Babel ``vi_VN``): ``18,31``, ``91,56%``, ``05/07/2025``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd
from babel.numbers import format_decimal

from .arithmetic import round_half_up

LOCALE = "vi_VN"
#: How many ids a finding lists before "… và N hồ sơ khác".
LIST_LIMIT = 20


@lru_cache(maxsize=4096)
def points_vi(value: Decimal) -> str:
    """``Decimal("18.31")`` → ``18,31``, ``18.30`` → ``18,3``, ``20.00`` → ``20``."""
    return format_decimal(Decimal(value) + 0, format="#,##0.##", locale=LOCALE)


def percent_vi(numerator: int, denominator: int) -> str:
    """``412, 450`` → ``91,56%`` (half-up, two decimals)."""
    return _two_places(round_half_up(Fraction(numerator * 100, denominator)))


@lru_cache(maxsize=16384)
def _two_places(value: Decimal) -> str:
    return format_decimal(value + 0, format="#,##0.00", locale=LOCALE) + "%"


def share_vi(value: str | Fraction) -> str:
    """A share (``"0.5"`` or ``Fraction(1, 2)``) as a percentage: ``50%``."""
    if isinstance(value, Fraction):
        share = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    else:
        share = Decimal(value) * 100
    return format_decimal(share.normalize() + 0, format="#,##0.##", locale=LOCALE) + "%"


def day_vi(value: object) -> str:
    """A date, ``numpy.datetime64`` or Timestamp as ``05/07/2025`` ('' for none)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return ""
    return ts.strftime("%d/%m/%Y")


def date_vi(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def listing(ids: list[str], noun: str = "hồ sơ") -> str:
    """``A, B, C`` or ``A, B, … và 12 hồ sơ khác`` (at most ``LIST_LIMIT`` named)."""
    shown = ", ".join(str(i) for i in ids[:LIST_LIMIT])
    rest = len(ids) - LIST_LIMIT
    return f"{shown} và {rest} {noun} khác" if rest > 0 else shown
