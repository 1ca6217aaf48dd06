"""Vietnamese wording: quarters, dates, numbers and the sentences of the quarterly report.

Formatting follows NĐ 30/2020/NĐ-CP and the seed report: "Quý II năm 2021", "ngày 05 tháng 7 năm 2021",
in a document's text "01/4/2021" (padded as the long form: days below 10, months below 3), in tables and
messages "05/04/2021", "1,5", counts of units on two digits ("07"). Numbers go through Babel's ``vi_VN``
locale.
The sentence patterns themselves (what a result is called, how a count is phrased) are parameters of the
report (``parameters/reports/<profile>/report.yaml``) and reach this module as arguments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from fractions import Fraction
from string import Template

from babel.numbers import format_decimal

from tthc.quarter import Quarter
from tthc.vi import LOCALE, number, one_decimal, share, tenths_text  # noqa: F401 (the report writes w.number …)

#: Blank left in a document for a value filled in by hand at signing (day, document number).
BLANK = "\u00a0" * 6


class WordingError(ValueError):
    """A sentence pattern or an ordering parameter that does not fit the data."""


def quarter_in_words(quarter: str | Quarter) -> str:
    """``"2021-Q2"`` -> ``"Quý II năm 2021"``."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    return q.label_vi


def _day_or_month(value: int, pad_below: int) -> str:
    # NĐ 30/2020 Phụ lục I: days below 10 and months below 3 take a leading zero.
    return f"{value:02d}" if value < pad_below else str(value)


def long_date(day: date | None = None, *, month: int | None = None, year: int | None = None) -> str:
    """``ngày 05 tháng 7 năm 2021``; without ``day`` the day is left blank: ``ngày … tháng 6 năm 2021``."""
    if day is not None:
        return f"ngày {_day_or_month(day.day, 10)} tháng {_day_or_month(day.month, 3)} năm {day.year}"
    month_text = _day_or_month(month, 3) if month else BLANK
    year_text = str(year) if year else BLANK
    return f"ngày {BLANK} tháng {month_text} năm {year_text}"


def short_date(day: date) -> str:
    """``05/04/2021`` (tables and messages)."""
    return day.strftime("%d/%m/%Y")


def document_date(day: date) -> str:
    """A date in the text of an official document, padded as NĐ 30/2020 pads the long form (days below 10
    and months below 3 take a leading zero), as the seed report writes its citations: ``01/4/2021``,
    ``15/01/2021``, ``23/11/2018``."""
    return f"{_day_or_month(day.day, 10)}/{_day_or_month(day.month, 3)}/{day.year}"


#: A word joined by hyphens without spaces ("HĐND-UBND", "61/2018/NĐ-CP"): a line must not break inside it.
HYPHENATED = re.compile(r"[^\s-]+(?:-[^\s-]+)+")


def count2(value: int) -> str:
    """A count of units written on at least two digits, as the seed report does: ``7`` -> ``07``."""
    return format_decimal(int(value), format="#,#00", locale=LOCALE)


def percent(part: int, whole: int) -> str:
    """``part / whole`` as a percentage with one decimal, rounded half-up exactly: ``95,2%``."""
    if whole <= 0:
        raise WordingError("percent of an empty total")
    return f"{one_decimal(Fraction(100 * part, whole))}%"


def fill(pattern: str, **values: object) -> str:
    """Substitute ``$name`` placeholders of a parameter text; an unknown placeholder is an error."""
    try:
        return Template(pattern).substitute(values)
    except KeyError as exc:
        known = ", ".join(f"${k}" for k in sorted(values))
        raise WordingError(f"Mẫu câu '{pattern}' dùng biến {exc} không có; các biến có: {known}.") from None
    except ValueError as exc:
        raise WordingError(f"Mẫu câu '{pattern}' không hợp lệ: {exc}.") from None


def counted_parts(
    counts: Mapping[str, int], order: Iterable[str], phrases: Mapping[str, str], pattern: str, *, label: str
) -> list[str]:
    """``["07 đơn vị đạt loại Xuất sắc", ...]`` in the given order, zero counts left out.

    ``counts`` maps a result (or completion level) to its count; every key with a non-zero count must
    appear in ``order`` and ``phrases``, otherwise the sentence would silently omit units.
    """
    order = list(order)
    unknown = sorted(k for k, n in counts.items() if n and (k not in order or k not in phrases))
    if unknown:
        raise WordingError(f"{label}: chưa có thứ tự hoặc cách diễn đạt cho {', '.join(unknown)}.")
    return [
        fill(pattern, count=count2(counts[key]), phrase=phrases[key]) for key in order if counts.get(key, 0)
    ]


def result_sentence(
    level_name: str, counts: Mapping[str, int], order: Iterable[str], phrases: Mapping[str, str], pattern: str
) -> str:
    """``Cấp huyện: 07 đơn vị đạt loại Xuất sắc; 05 đơn vị chưa phát sinh hồ sơ; 01 đơn vị đạt loại …``."""
    parts = counted_parts(counts, order, phrases, pattern, label=level_name)
    return f"{level_name}: {'; '.join(parts)}."


def result_sentences(
    grades: Iterable[Mapping[str, object]],
    levels: Mapping[str, str],
    order: Iterable[str],
    phrases: Mapping[str, str],
    pattern: str,
) -> list[str]:
    """One sentence per level present in ``grades`` (rows with ``level`` and ``result``), in ``levels`` order.

    ``levels`` maps a level code (``huyen``) to its display name (``Cấp huyện``).
    """
    counts: dict[str, dict[str, int]] = {}
    for row in grades:
        level, result = str(row["level"]), str(row["result"])
        if level not in levels:
            raise WordingError(f"Cấp '{level}' chưa có tên hiển thị trong tham số báo cáo.")
        counts.setdefault(level, {}).setdefault(result, 0)
        counts[level][result] += 1
    order = list(order)
    return [
        result_sentence(name, counts[code], order, phrases, pattern)
        for code, name in levels.items()
        if code in counts
    ]
