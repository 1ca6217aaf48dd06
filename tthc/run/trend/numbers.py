"""Exact decimals for the trend and the year: scores read as written, means rounded half-up exactly."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from tthc.errors import TthcError


class TrendInputError(TthcError, ValueError):
    """An output folder or a parameter the trend cannot use (message in Vietnamese; exit 2, nothing written)."""


def decimal_of(text: object, where: str) -> Decimal | None:
    """A score cell of ``grades.csv`` (``17.5``; a comma is accepted), ``None`` when blank."""
    value = "" if text is None else str(text).strip()
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise TrendInputError(f"{where}: '{value}' không phải là số.") from None
    if not number.is_finite():
        raise TrendInputError(f"{where}: '{value}' không phải là số.")
    return number


def places_of(texts: Iterable[object]) -> int:
    """How many decimals the scores are written with (the most any cell has; 1 when none has any)."""
    most = 0
    seen = False
    for text in texts:
        value = "" if text is None else str(text).strip()
        if not value:
            continue
        seen = True
        _, dot, tail = value.replace(",", ".").partition(".")
        most = max(most, len(tail) if dot else 0)
    return most if seen else 1


def round_half_up(value: Fraction | Decimal | int, places: int) -> Decimal:
    """``value`` rounded half-up to ``places`` decimals, exactly (``Fraction(25, 2)`` → ``12.5``;
    ``Fraction(1249, 100)`` to one place → ``12.5``; never a binary floating-point artefact)."""
    frac = Fraction(value)
    scaled = frac * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return Decimal(whole).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def mean(values: list[Decimal], places: int) -> Decimal | None:
    """The exact mean of ``values`` rounded half-up to ``places`` decimals; ``None`` for no value."""
    if not values:
        return None
    return round_half_up(sum((Fraction(v) for v in values), Fraction(0)) / len(values), places)


def text_of(value: Decimal | int | None, places: int | None = None) -> str:
    """A number for a CSV cell (dot decimal; ``places`` fixes the decimals); blank for ``None``."""
    if value is None:
        return ""
    if places is None or isinstance(value, int):
        return str(value)
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places)))
