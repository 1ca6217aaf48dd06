"""The ``Quarter`` value: parsing ``2021-Q2``, period bounds and the quarter in Vietnamese words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from tthc.errors import TthcError

_PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

#: Names of the ``period`` policy values.
CALENDAR = "calendar_quarter"
REPORTING_CUTOFF = "reporting_cutoff"
PERIODS = (CALENDAR, REPORTING_CUTOFF)


class QuarterError(TthcError, ValueError):
    """A quarter string that is not ``YYYY-QN``."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _PATTERN.match(str(text).strip())
        if not match:
            raise QuarterError(f"Quý '{text}' không hợp lệ: cần dạng NĂM-QN, ví dụ 2021-Q2.")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def roman(self) -> str:
        return _ROMAN[self.number]

    @property
    def label_vi(self) -> str:
        """``Quý II năm 2021``."""
        return f"Quý {self.roman} năm {self.year}"

    def bounds(self, period: str = CALENDAR) -> tuple[date, date]:
        """First and last day (inclusive) of the period under the ``period`` policy.

        ``calendar_quarter``: Q2 is 1 April to 30 June. ``reporting_cutoff`` (NĐ 09/2019 as commonly
        applied): from the 15th of the month before the quarter to the 14th of its last month.
        """
        first_month = 3 * (self.number - 1) + 1
        if period == CALENDAR:
            start = date(self.year, first_month, 1)
            nxt = date(self.year + (self.number == 4), (first_month + 3 - 1) % 12 + 1, 1)
            return start, nxt - timedelta(days=1)
        if period == REPORTING_CUTOFF:
            start = date(self.year - 1, 12, 15) if first_month == 1 else date(self.year, first_month - 1, 15)
            return start, date(self.year, first_month + 2, 14)
        raise ValueError(f"period policy '{period}' is not one of {PERIODS}")
