"""Numbers in Vietnamese form (Babel's ``vi_VN``): ``1.234``, ``17,5``, ``85,5%``.

The foundation every layer may use for what a person reads: the scoring core words its reasons with it, the
report its sentences (``tthc.report.wording`` builds on it).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from babel.numbers import format_decimal

from tthc.rounding import round_one, to_fraction

LOCALE = "vi_VN"


def number(value: int | Decimal | str) -> str:
    """An integer or an exact decimal in Vietnamese form: ``1234`` -> ``1.234``, ``"1.5"`` -> ``1,5``."""
    if isinstance(value, str):
        value = Decimal(value.strip().replace(",", "."))
    return format_decimal(value, locale=LOCALE, decimal_quantization=False)


def one_decimal(value: int | Decimal | Fraction | float | str | None) -> str:
    """A score on one decimal, rounded half-up exactly: ``17.5`` -> ``17,5``, ``2`` -> ``2,0``, None -> ""."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return _one_decimal(round_one(value))


@lru_cache(maxsize=4096)
def _one_decimal(value: Decimal) -> str:
    return format_decimal(value, format="#,##0.0", locale=LOCALE)


@lru_cache(maxsize=4096)
def tenths_text(tenths: int) -> str:
    """A score given in tenths of a point: ``175`` -> ``17,5`` (as ``one_decimal``)."""
    return _one_decimal(Decimal(int(tenths)).scaleb(-1))


def share(value: float | Decimal | Fraction | str) -> str:
    """A 0–1 share as a percentage with at most one decimal: ``0.855`` -> ``85,5%``, ``1`` -> ``100%``."""
    return format_decimal(round_one(Fraction(to_fraction(value) * 100)), format="#,##0.#", locale=LOCALE) + "%"
