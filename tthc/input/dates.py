"""Date cells: ISO, Vietnamese day-first or (when a column proves it) month-first text, optionally with a
time, native Excel dates and Excel serial numbers, read without ever overflowing pandas' range.

The reading order of text such as ``04/05/2021`` is decided once per column from all its values
(:func:`order_evidence`): ``13/04/2021`` can only be day-first, ``04/13/2021`` only month-first; ISO text and
native dates say nothing. Each cell is then one of: blank, a date, not a date (``bad``: ``31/04/2021``,
``24:00``, ``ngày 2 tháng 4``), a date whose year cannot be meant (``absurd``: 2300, 0021, 1600) or a
conventional "no date" (``sentinel``: 31/12/9999, 01/01/0001), which a system writes for "not yet".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from tthc.input.cells import blank_mask
from tthc.input.date_texts import SHAPES, part_numbers, split_texts

DAY_FIRST = "dmy"
MONTH_FIRST = "mdy"
#: Years a date of this workbench can have; a year outside is a typing or export mistake, never a date
#: pandas is asked to hold (its range ends in 2262).
PLAUSIBLE_YEARS = (1900, 2100)
#: Dates that systems write for "no date": any day of 9999 (the largest date of databases, .NET, Java)…
SENTINEL_YEAR = 9999
#: …and the "zero" dates: .NET's and Java's smallest, MySQL's zero date, SQL Server's default, Excel's day 0
#: and the Unix epoch.
SENTINEL_DAYS = ((1, 1, 1), (0, 0, 0), (1900, 1, 1), (1899, 12, 30), (1899, 12, 31), (1970, 1, 1))
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Excel serial numbers accepted as dates: 1 Jan 1970 to 31 Dec 2099.
EXCEL_SERIALS = (25569, 73050)
#: Examples of each kind of evidence kept for messages.
EXAMPLES = 3

#: Vietnam's offset from UTC, for times written with another offset.
LOCAL_OFFSET_MINUTES = 7 * 60
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")


@dataclass
class DateCells:
    """A column of date cells, read: ``values`` (``datetime64[ns]``, NaT where there is no usable date) and
    the masks of the cells that are not blank but give no date."""

    values: pd.Series
    bad: pd.Series
    absurd: pd.Series
    sentinel: pd.Series

    @property
    def unreadable(self) -> pd.Series:
        """Cells with something written that is no usable date (sentinels excepted: they mean blank)."""
        return self.bad | self.absurd


@dataclass
class Evidence:
    """What a column's text says about its order: (index, text) of values readable only one way."""

    day_first: list[tuple[object, str]] = field(default_factory=list)
    month_first: list[tuple[object, str]] = field(default_factory=list)
    day_first_count: int = 0
    month_first_count: int = 0
    #: day/month text readable either way (both numbers 12 or less): the order matters for these
    either_count: int = 0
    #: day/month text whose two numbers are equal or both 12 or less (every locale reads it as a date)
    any_locale_count: int = 0
    #: (index, native date) of the column's native date cells, and how many have a day of 12 or less
    natives: list[tuple[object, object]] = field(default_factory=list)
    native_count: int = 0
    native_low_day_count: int = 0

    @property
    def locale_mixup(self) -> bool:
        """Native dates beside text dates that all prove one order, every native date with a day of 12 or
        less: the sign of a text file opened in Excel with the other order (Excel turned the dates it could
        read, with day and month swapped, into dates, and left the others as text)."""
        proven = self.day_first_count + self.month_first_count
        return bool(self.native_count and self.native_low_day_count == self.native_count and proven
                    and not self.any_locale_count and not self.contradictory)

    @property
    def order(self) -> str | None:
        """The order the values prove, ``None`` when they prove nothing or contradict each other."""
        if self.day_first_count and not self.month_first_count:
            return DAY_FIRST
        if self.month_first_count and not self.day_first_count:
            return MONTH_FIRST
        return None

    @property
    def contradictory(self) -> bool:
        return bool(self.day_first_count and self.month_first_count)


class DateColumn:
    """One column of date cells: its text split once, then its order evidence and its reading."""

    def __init__(self, raw: pd.Series):
        self.raw = raw
        self.blank = blank_mask(raw)
        self.native = self.numeric = None
        if raw.dtype.kind == "M":  # native dates only
            self.texts = pd.Series([], dtype=object)
        elif isinstance(raw.dtype, pd.StringDtype) or pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
            self.texts = _texts(raw, ~self.blank)  # CSV cells: all text, no per-cell type test
        else:  # XLSX cells: native dates, numbers (serials) and text side by side
            kinds = raw.map(_kind, na_action="ignore")
            self.native = ~self.blank & kinds.eq("date").fillna(False).astype(bool)
            self.numeric = ~self.blank & kinds.eq("number").fillna(False).astype(bool)
            self.other = ~self.blank & kinds.eq("other").fillna(False).astype(bool)  # a bool…: not a date
            self.texts = _texts(raw, ~self.blank & kinds.eq("text").fillna(False).astype(bool))
        # each distinct text looked at once: whether it is a serial number, and its parts
        codes, uniques = pd.factorize(self.texts)
        serial = _is_serial(uniques)[codes]
        self.serials = self.texts[serial] if serial.any() else self.texts.iloc[:0]
        self.words = self.texts[~serial] if serial.any() else self.texts
        self.parts = split_texts(uniques)
        self._numbers: dict[str, pd.Series] | None = None
        self.codes = pd.Series(codes[~serial] if serial.any() else codes, index=self.words.index)

    @property
    def numbers(self) -> dict[str, pd.Series]:
        """The parts of each distinct text as numbers (parsed once, for the evidence and the reading)."""
        if self._numbers is None:
            self._numbers = part_numbers(self.parts)
        return self._numbers

    def evidence(self) -> Evidence:
        """Which day/month order the column's text values prove (examples in row order)."""
        ev = Evidence()
        if self.native is not None and self.native.any():
            natives = self.raw[self.native]
            ev.native_count = len(natives)
            ev.native_low_day_count = int(natives.map(lambda v: v.day <= 12).sum())
            ev.natives = list(natives.iloc[:EXAMPLES].items())
        if self.words.empty:
            return ev
        parts, codes = self.parts, self.codes.to_numpy()
        dmy = parts["y"].notna() & ~parts["fixed"].astype(bool)
        a = self.numbers["a"].where(dmy)
        b = self.numbers["b"].where(dmy)
        only_day = (a > 12) & (a <= 31) & (b >= 1) & (b <= 12)
        only_month = (b > 12) & (b <= 31) & (a >= 1) & (a <= 12)
        either = (a >= 1) & (a <= 12) & (b >= 1) & (b <= 12) & (a != b)
        ev.either_count = int(either.to_numpy()[codes].sum())
        any_locale = (a >= 1) & (b >= 1) & (((a <= 12) & (b <= 12)) | ((a == b) & (a <= 31)))
        ev.any_locale_count = int(any_locale.to_numpy()[codes].sum())
        for flag, examples, count in ((only_day, ev.day_first, "day_first_count"),
                                      (only_month, ev.month_first, "month_first_count")):
            hit = flag.to_numpy()[codes]
            setattr(ev, count, int(hit.sum()))
            for idx in self.words.index[hit][:EXAMPLES]:
                examples.append((idx, self.words[idx]))
        return ev

    def read(self, order: str = DAY_FIRST) -> DateCells:
        """Every cell as a date (text read in ``order``), with the masks of ``DateCells``."""
        raw, index = self.raw, self.raw.index
        values = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        bad = pd.Series(False, index=index)
        absurd = pd.Series(False, index=index)
        sentinel = pd.Series(False, index=index)
        if raw.dtype.kind == "M":
            _native_column(raw, values, absurd, sentinel)
            return DateCells(values, bad, absurd, sentinel)
        if self.native is not None:
            if self.native.any():
                _native_cells(raw[self.native], values, absurd, sentinel)
            if self.numeric.any():
                _serials(pd.to_numeric(raw[self.numeric], errors="coerce"), values, bad)
            bad[self.other] = True
        if len(self.serials):
            _serials(pd.to_numeric(self.serials, errors="coerce"), values, bad)
        if len(self.words):
            _text_dates(self.words, self.parts, self.numbers, self.codes, order, values, bad, absurd, sentinel)
        return DateCells(values, bad, absurd, sentinel)


def _is_serial(distinct) -> np.ndarray:
    """Which distinct texts are Excel serial numbers."""
    if not len(distinct):
        return np.zeros(0, dtype=bool)
    return pd.Series(distinct).str.match(_SERIAL).fillna(False).to_numpy(dtype=bool)


def _kind(value: object) -> str:
    if isinstance(value, datetime | date):
        return "date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return "number"
    return "other"


def order_evidence(raw: pd.Series) -> Evidence:
    """Which day/month order the text values of ``raw`` prove."""
    return DateColumn(raw).evidence()


def read_dates(raw: pd.Series, order: str = DAY_FIRST) -> DateCells:
    """Every cell of ``raw`` as a date (text read in ``order``), with the masks of ``DateCells``."""
    return DateColumn(raw).read(order)


def _texts(raw: pd.Series, todo: pd.Series) -> pd.Series:
    """The text cells of ``raw`` where ``todo``, stripped."""
    cells = raw[todo]
    if not len(cells):
        return pd.Series([], dtype=object)
    return cells.astype(str).str.strip()


def _serials(numbers: pd.Series, values: pd.Series, bad: pd.Series) -> None:
    ok = numbers.between(*EXCEL_SERIALS)
    days = (EXCEL_EPOCH + pd.to_timedelta(numbers[ok], unit="D")).dt.round("s")
    values[days.index] = days.astype("datetime64[ns]")
    bad[numbers.index[~ok]] = True


def _classify_years(years: pd.Series, month: pd.Series, day: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(sentinel, absurd) masks of dates by their year (and the day, for the "zero" dates)."""
    sentinel = years == SENTINEL_YEAR
    for y, m, d in SENTINEL_DAYS:
        sentinel = sentinel | ((years == y) & (month == m) & (day == d))
    absurd = ~sentinel & ((years < PLAUSIBLE_YEARS[0]) | (years > PLAUSIBLE_YEARS[1]))
    return sentinel, absurd


def _native_column(raw: pd.Series, values, absurd, sentinel) -> None:
    stamps = raw.dt.tz_localize(None) if getattr(raw.dt, "tz", None) is not None else raw
    years, month, day = stamps.dt.year, stamps.dt.month, stamps.dt.day
    is_sentinel, is_absurd = _classify_years(years, month, day)
    ok = stamps.notna() & ~is_sentinel & ~is_absurd
    values[ok] = stamps[ok].astype("datetime64[ns]")
    absurd |= is_absurd.fillna(False).astype(bool)
    sentinel |= is_sentinel.fillna(False).astype(bool)


def _native_cells(cells: pd.Series, values, absurd, sentinel) -> None:
    years = cells.map(lambda v: v.year)
    month, day = cells.map(lambda v: v.month), cells.map(lambda v: v.day)
    is_sentinel, is_absurd = _classify_years(years, month, day)
    ok = ~is_sentinel & ~is_absurd
    if ok.any():
        stamps = cells[ok].map(lambda v: pd.Timestamp(v).tz_localize(None) if getattr(v, "tzinfo", None)
                               else pd.Timestamp(v))
        values[stamps.index] = pd.to_datetime(stamps.tolist()).as_unit("ns")
    absurd[is_absurd[is_absurd].index] = True
    sentinel[is_sentinel[is_sentinel].index] = True


def _text_dates(texts: pd.Series, parts: pd.DataFrame, num: dict[str, pd.Series], codes: pd.Series, order: str,
                values, bad, absurd, sentinel) -> None:
    shaped = parts["y"].notna()
    first_is_day = parts["fixed"].astype(bool) | (order == DAY_FIRST)  # year-first is year-month-day
    day = num["a"].where(first_is_day, num["b"])
    month = num["b"].where(first_is_day, num["a"])
    hour, minute, second = num["H"].fillna(0), num["M"].fillna(0), num["S"].fillna(0)
    written = parts["p"].notna()  # AM/PM, SA/CH: only the few texts that have one are looked at
    meridiem = parts["p"].where(written, "").astype(object)
    if written.any():
        meridiem[written] = meridiem[written].str.replace(".", "", regex=False).str.upper()
    pm = meridiem.isin(["PM", "CH"])
    has_meridiem = meridiem != ""
    clock_ok = (minute < 60) & (second < 60) & ((~has_meridiem & (hour < 24))
                                                | (has_meridiem & (hour >= 1) & (hour <= 12)))
    hour = hour.where(~has_meridiem, (hour % 12) + pm * 12)
    offset = parts["tz"].map(_offset_minutes, na_action="ignore").astype("float64")
    clock_ok &= offset.isna() | offset.between(-14 * 60, 14 * 60)
    is_sentinel, is_absurd = _classify_years(num["y"], month, day)
    is_sentinel &= shaped
    is_absurd &= shaped
    # a day that the calendar has, checked in a leap year when the year itself is not usable
    year_for_check = num["y"].where(shaped & ~is_sentinel & ~is_absurd, 2000)
    stamp = pd.to_datetime(pd.DataFrame({"year": year_for_check.fillna(2000), "month": month.fillna(0),
                                         "day": day.fillna(0)}), errors="coerce")
    calendar_ok = stamp.notna() & clock_ok
    usable = shaped & calendar_ok & ~is_sentinel & ~is_absurd
    shift = (LOCAL_OFFSET_MINUTES - offset.fillna(LOCAL_OFFSET_MINUTES)) * 60
    moment = (stamp + pd.to_timedelta(hour * 3600 + minute * 60 + second + shift, unit="s")).where(usable)
    cell = pd.Series(codes.to_numpy(), index=texts.index)
    got = moment.to_numpy()[cell.to_numpy()]
    values[texts.index] = pd.to_datetime(got).as_unit("ns")
    zero = (num["y"] == 0) & (month == 0) & (day == 0)  # 0000-00-00: no calendar has it, yet it means "none"
    kind = np.select([usable, shaped & is_sentinel & (calendar_ok | zero), shaped & is_absurd & calendar_ok],
                     [0, 1, 2], 3)[cell.to_numpy()]
    sentinel[texts.index[kind == 1]] = True
    absurd[texts.index[kind == 2]] = True
    bad[texts.index[kind == 3]] = True


def year_of(value: object) -> int | None:
    """The year written in a date cell (text or native), for messages; ``None`` if there is none."""
    if isinstance(value, datetime | date):
        return value.year
    text = str(value).strip()
    for pattern, _fixed in SHAPES:
        match = pattern.match(text)
        if match:
            return int(match.group("y"))
    return None


def _offset_minutes(tz: str) -> float:
    """"Z" → 0, "+07:00" → 420, "-0330" → -210."""
    if tz == "Z":
        return 0.0
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return float(sign * (int(digits[:2]) * 60 + int(digits[2:])))
