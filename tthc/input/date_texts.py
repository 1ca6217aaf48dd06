"""The shapes a written date takes, and the parts of each distinct date text (``dates`` reads them).

A text is split by the first shape it has (``SHAPES``, Python's regular expressions); the commonest shape,
05/04/2021 with an optional time, is split by Arrow first (``_COMMON``), with the same parts. The numbers of
the parts are parsed once per distinct text (``part_numbers``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_CLOCK = (r"(?P<H>\d{1,2}):(?P<M>\d{1,2})(?::(?P<S>\d{1,2})(?:[.,]\d{1,9})?)?"
          r"\s*(?P<p>[AaPp]\.?[Mm]\.?|SA|CH|sa|ch)?")
#: An offset after the time (2021-04-05T14:30:00Z, …+07:00): the time is then shown in Vietnam's UTC+7.
_OFFSET = r"(?:\s*(?P<tz>Z|[+-]\d{2}:?\d{2}))?"
_TIME = r"(?:(?:\s+|T)" + _CLOCK + _OFFSET + r")?"
_DAY_MONTH = r"(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})"
#: The ways a date is written, each with whether its order is fixed (``a`` is then the day) or is day and
#: month in either order (05/04/2021: the column decides).
SHAPES = (
    # day and month in either order, then a four-digit year (05/04/2021, 5-4-2021, 05.04.2021 14:30)
    (re.compile(r"^" + _DAY_MONTH + _TIME + r"$"), False),
    # year first, then month and day (2021-04-05, 2021/04/05, 2021-04-05T14:30:00)
    (re.compile(r"^(?P<y>\d{4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<a>\d{1,2})" + _TIME + r"$"), True),
    # the time first (14:30 05/04/2021, 08:30:15 05/04/2021)
    (re.compile(r"^" + _CLOCK + r"\s+" + _DAY_MONTH + r"$"), False),
    # an English month name, day first or month first (05-Apr-2021, 5 April 2021, Apr 5, 2021)
    (re.compile(r"^(?P<a>\d{1,2})[\s\-/.]+(?P<mon>[A-Za-z]{3,9})\.?[\s\-/.,]+(?P<y>\d{4})" + _TIME + r"$"), True),
    (re.compile(r"^(?P<mon>[A-Za-z]{3,9})\.?[\s\-/.]+(?P<a>\d{1,2}),?[\s\-/.]+(?P<y>\d{4})" + _TIME + r"$"), True),
    # in words (ngày 05 tháng 04 năm 2021)
    (re.compile(r"^ng[aà]y\s*(?P<a>\d{1,2})\s*th[aá]ng\s*(?P<b>\d{1,2})\s*n[aă]m\s*(?P<y>\d{4})$",
                re.IGNORECASE), True),
)
#: The commonest shape (05/04/2021, 05/04/2021 14:30, 05/04/2021 14:30:15) in Arrow's regular expressions
#: (ASCII digits and spaces only): every text it matches, the first of ``SHAPES`` matches with the same parts.
_COMMON = (r"^(?P<a>[0-9]{1,2})/(?P<b>[0-9]{1,2})/(?P<y>[0-9]{4})"
           r"(?:[ ]+(?P<H>[0-9]{1,2}):(?P<M>[0-9]{1,2})(?::(?P<S>[0-9]{1,2}))?)?$")
_MONTHS = {name: n for n, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}


def split_texts(distinct) -> pd.DataFrame:
    """Per distinct text: its parts (``a``, ``b``, ``y``, time, offset; ``fixed`` true when ``a`` is surely
    the day). The commonest shape is split by Arrow (``_COMMON``), the rest by the shapes in order."""
    texts = pa.array(distinct) if isinstance(distinct, pd.arrays.ArrowStringArray) else None
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    distinct = pd.Series(distinct, dtype=object)
    columns = ["a", "b", "y", "H", "M", "S", "p", "tz", "mon"]
    parts = pd.DataFrame(index=distinct.index, columns=columns, dtype=object)
    parts["fixed"] = False
    todo = pd.Series(True, index=distinct.index)
    if not len(distinct):
        return parts
    hit, found = _common_shape(distinct, texts)
    if hit.any():
        rows = distinct.index[hit]
        for name, values in found.items():
            parts.loc[rows, name] = values[hit]
        todo[rows] = False
    for pattern, fixed in SHAPES:
        if not todo.any():
            break
        found = distinct[todo].str.extract(pattern)
        hit = found["y"].notna()
        if hit.any():
            rows = found.index[hit]
            keep = [c for c in columns if c in found.columns]
            parts.loc[rows, keep] = found.loc[rows, keep]
            parts.loc[rows, "fixed"] = fixed
            todo[rows] = False
    named = parts["mon"].notna()
    if named.any():  # an English month name: its number, or no date at all
        number = parts.loc[named, "mon"].str.lower().map(_MONTHS)
        parts.loc[named, "b"] = number.map(lambda n: str(int(n)) if pd.notna(n) else None)
        parts.loc[named & parts["b"].isna(), "y"] = None
    return parts


def _common_shape(distinct: pd.Series, texts=None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Which texts have the commonest shape, and their parts (NaN for a time's part not written); ``texts``:
    the same texts in Arrow if they already are."""
    texts = pa.array(distinct.to_numpy(), type=pa.string()) if texts is None else texts
    found = pc.extract_regex(texts, _COMMON)
    hit = found.is_valid().to_numpy(zero_copy_only=False)
    parts = {}
    for name in ("a", "b", "y", "H", "M", "S"):
        values = found.field(name).to_numpy(zero_copy_only=False)
        parts[name] = np.where(values == "", np.nan, values)  # a group not taken part: "" in Arrow
    return hit, parts


def part_numbers(parts: pd.DataFrame) -> dict[str, pd.Series]:
    """The parts ``a``, ``b``, ``y``, ``H``, ``M``, ``S`` as numbers (``pd.to_numeric(…, errors="coerce")``'s
    values, as float64): ASCII digits converted by Arrow, any other text by pandas."""
    out = {}
    for key in ("a", "b", "y", "H", "M", "S"):
        column = parts[key]
        text = pa.array(column.to_numpy(), type=pa.string(), from_pandas=True)
        digits = pc.fill_null(pc.match_substring_regex(text, "^[0-9]{1,9}$"), False)
        values = pc.cast(pc.if_else(digits, text, pa.scalar(None, pa.string())), pa.float64())
        values = values.to_numpy(zero_copy_only=False)
        rest = ~digits.to_numpy(zero_copy_only=False) & column.notna().to_numpy()
        if rest.any():
            values[rest] = pd.to_numeric(column[rest], errors="coerce").to_numpy(dtype=float)
        out[key] = pd.Series(values, index=parts.index)
    return out
