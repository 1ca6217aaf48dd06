"""Vectorised cell parsing: dates, booleans, counts, decimals, shares and the contract's labels.

Every parser takes a Series of raw cells (strings, numbers, datetimes or blanks) and returns the parsed
Series and a boolean mask of the cells that were not blank but could not be understood.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pandas as pd

from tthc.input.cells import blank_mask
from tthc.input.dates import DAY_FIRST, read_dates
from tthc.text import fold

Parsed = tuple[pd.Series, pd.Series]

#: Prefix of the flag column a loaded table carries for a column with unreadable values (see ``schemas``).
UNREADABLE = "_unreadable_"


def unreadable_column(column: str) -> str:
    """The name of the flag column marking the rows where ``column`` held something unreadable."""
    return UNREADABLE + column


def unreadable(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Rows of ``frame`` whose ``column`` held something that is no usable value (never read as blank)."""
    flag = frame.get(unreadable_column(column))
    if flag is None:
        return np.zeros(len(frame), dtype=bool)
    return flag.fillna(False).to_numpy(dtype=bool)

TRUE_WORDS = {"1", "true", "x", "co", "yes", "y", "dung", "v", "1.0"}
FALSE_WORDS = {"0", "false", "khong", "no", "n", "sai", "0.0"}

#: The channel code of dossiers filed online.
ONLINE = "truc_tuyen"
CHANNELS = {
    "truc tiep": "truc_tiep",
    "truc tuyen": "truc_tuyen",
    "bcci": "bcci",
    "buu chinh cong ich": "bcci",
    "buu chinh": "bcci",
    "online": "truc_tuyen",
    "dvc truc tuyen": "truc_tuyen",
    "qua buu chinh cong ich": "bcci",
    "nop truc tiep": "truc_tiep",
    "nop truc tuyen": "truc_tuyen",
}
FORMS = {
    "4": "4", "4.0": "4", "mau phieu 4": "4", "phieu 4": "4", "giay": "4", "phieu giay": "4", "truc tiep": "4",
    "5": "5", "5.0": "5", "mau phieu 5": "5", "phieu 5": "5", "truc tuyen": "5", "online": "5",
}
SATISFACTION = {
    "rat hai long": "rat_hai_long",
    "hai long": "hai_long",
    "khong hai long": "khong_hai_long",
}
SCOPES = {"dossier": "dossier", "ho so": "dossier", "unit": "unit", "don vi": "unit", "co quan": "unit"}

#: Python's ``\s`` as a class of the characters themselves (Arrow's regular expressions read ``\s`` as ASCII
#: only; both engines read literal characters alike), so the test below runs as an Arrow kernel on the CSV's
#: text columns: two spaces in a row, or a tab or line break.
_SPACE = "[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
_SPACE_RUN = _SPACE + _SPACE + "|[\t\r\n\v\f\x85\u2028\u2029]"
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _fold_each(text: pd.Series) -> pd.Series:
    """``fold`` of every cell, computed once per distinct value (exports repeat a few labels many times)."""
    folded = {v: fold(v) for v in text.dropna().unique()}
    return text.map(folded, na_action="ignore")


def _text(raw: pd.Series) -> pd.Series:
    """Cells as stripped text; Excel's integral floats (12.0) become '12'."""

    def one(value: object) -> str:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime | date):
            return value.isoformat()
        return str(value).strip()

    if isinstance(raw.dtype, pd.StringDtype) or pd.api.types.infer_dtype(raw, skipna=True) == "string":
        return raw.str.strip()  # CSV cells: all text, vectorised
    return raw.map(one, na_action="ignore")


def parse_id(raw: pd.Series) -> Parsed:
    """Ids and names: text with every run of spaces, tabs or line breaks (Alt+Enter in Excel) made one
    space, so no cell can break a CSV row or a report line. A CSV's column is done once per distinct cell
    when its cells repeat (names, procedures): the rows then share one Python string per distinct text."""
    if isinstance(raw.dtype, pd.StringDtype) and raw.dtype.storage == "pyarrow":
        codes, uniques = pd.factorize(raw)
        if len(uniques) <= len(raw) // 2:
            distinct, _bad = _ids(pd.Series(uniques, dtype=raw.dtype))
            table = np.empty(len(distinct) + 1, dtype=object)
            table[:-1] = distinct.to_numpy(dtype=object)
            table[-1] = np.nan  # code -1, a missing cell: NaN, the very object the cell by cell way gives
            values = table[codes]
            return pd.Series(values, index=raw.index, dtype=object), pd.Series(False, index=raw.index)
    return _ids(raw)


def _ids(raw: pd.Series) -> Parsed:
    blank = blank_mask(raw)
    text = _text(raw)
    if text.str.contains(_SPACE_RUN, regex=True).fillna(False).any():
        text = text.str.replace(r"\s+", " ", regex=True)
    values = text.where(~blank, None).astype(object)
    return values, pd.Series(False, index=raw.index)


parse_text = parse_id


def parse_date(raw: pd.Series, order: str = DAY_FIRST) -> Parsed:
    """ISO or day-first text (month-first with ``order``), optionally with a time, native Excel dates and
    Excel serial numbers (``dates.read_dates``); cells with no usable date are flagged, never raised on."""
    cells = read_dates(raw, order)
    return cells.values, cells.unreadable


def parse_bool(raw: pd.Series, blank_is_missing: bool = False) -> Parsed:
    """``1/0``, ``true/false``, ``x``/blank, ``có/không``. Blank is False unless ``blank_is_missing``. A CSV's
    column (a few distinct labels) is read once per distinct cell."""
    if isinstance(raw.dtype, pd.StringDtype) and raw.dtype.storage == "pyarrow":
        codes, uniques = pd.factorize(raw)
        if len(uniques) < len(raw) // 2:
            distinct = pd.Series(pd.array([*uniques, None], dtype=raw.dtype))  # the last: a missing cell
            values, bad = _bools(distinct, blank_is_missing)
            codes = np.where(codes < 0, len(uniques), codes)
            return (pd.Series(values.array.take(codes), index=raw.index),
                    pd.Series(bad.to_numpy(dtype=bool)[codes], index=raw.index))
    return _bools(raw, blank_is_missing)


def _bools(raw: pd.Series, blank_is_missing: bool) -> Parsed:
    blank = blank_mask(raw)
    words = _fold_each(_text(raw))
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    values[words.isin(TRUE_WORDS)] = True
    values[words.isin(FALSE_WORDS)] = False
    bad = ~blank & values.isna()
    if not blank_is_missing:
        values[blank] = False
    return values, bad


def per_distinct(raw: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``parse(raw)`` computed once per distinct cell of a text column (a CSV's counts and labels repeat a
    few values); other columns are parsed whole. ``parse`` must give NA for a blank (NA) cell."""
    if not isinstance(raw.dtype, pd.StringDtype):
        return parse(raw)
    codes, uniques = pd.factorize(raw)
    parsed = parse(pd.Series(uniques, dtype=raw.dtype))
    return pd.Series(parsed.array.take(codes, allow_fill=True), index=raw.index)


def _number_values(raw: pd.Series) -> pd.Series:
    text = _text(raw).str.replace(" ", "", regex=False)
    percent = text.str.endswith("%").fillna(False).astype(bool)
    text = text.str.rstrip("%")
    ok = text.str.match(_NUMBER).fillna(False).astype(bool)
    numbers = pd.to_numeric(text.where(ok).str.replace(",", ".", regex=False), errors="coerce")
    return numbers.where(~percent, numbers / 100).astype("float64")


def _numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    blank = blank_mask(raw)
    numbers = per_distinct(raw, _number_values)
    return numbers, blank, ~blank & numbers.isna()


def parse_count(raw: pd.Series, blank_is_missing: bool = False) -> Parsed:
    """Whole numbers ≥ 0; a blank count is zero unless ``blank_is_missing``."""
    numbers, blank, bad = _numbers(raw)
    bad = bad | (numbers < 0) | (numbers.notna() & (numbers != np.floor(numbers)))
    values = numbers.where(~bad).astype("Int64")
    if not blank_is_missing:
        values[blank] = 0
    return values, bad


def parse_decimal(raw: pd.Series, blank_is_missing: bool = True) -> Parsed:
    """Decimals with a dot or a comma (``1,5``); blank stays missing."""
    numbers, _blank, bad = _numbers(raw)
    return numbers, bad


def parse_score(raw: pd.Series, blank_is_missing: bool = True) -> Parsed:
    """A self-score: a decimal; blank means not self-scored. Its range (0–2, steps of 0.1) is a check
    (``schemas``), not a parsing matter."""
    numbers, _blank, bad = _numbers(raw)
    return numbers, bad


def parse_share(raw: pd.Series, blank_is_missing: bool = True) -> Parsed:
    """A share (``0,5`` or ``50%``); blank is missing evidence. Its range (0–1) is a check (``schemas``)."""
    numbers, _blank, bad = _numbers(raw)
    return numbers, bad


def _labels(mapping: dict[str, str]) -> Callable[[pd.Series], Parsed]:
    def parse(raw: pd.Series, blank_is_missing: bool = True) -> Parsed:
        blank = blank_mask(raw)
        values = per_distinct(raw, lambda cells: _fold_each(_text(cells)).map(mapping).astype(object))
        return values.astype(object).where(values.notna(), None), ~blank & values.isna()

    return parse


parse_channel = _labels(CHANNELS)
parse_form = _labels(FORMS)
parse_satisfaction = _labels(SATISFACTION)
parse_scope = _labels(SCOPES)

#: How some folded labels are written with their diacritics.
LABELS_VI = {"rat hai long": "Rất hài lòng", "hai long": "Hài lòng", "khong hai long": "Không hài lòng",
             "truc tiep": "Trực tiếp", "truc tuyen": "Trực tuyến", "buu chinh cong ich": "Bưu chính công ích",
             "giay": "Giấy", "ho so": "hồ sơ", "don vi": "đơn vị"}
#: Labels a user may write, by kind (for suggesting the closest one).
LABELS = {"channel": CHANNELS, "form": FORMS, "satisfaction": SATISFACTION, "scope": SCOPES}


def closest_label(kind: str, value: object) -> str:
    """The accepted label closest to ``value`` (as a user would write it), or ''."""
    import difflib

    mapping = LABELS.get(kind)
    if not mapping or value is None:
        return ""
    close = difflib.get_close_matches(fold(value), list(mapping), n=1, cutoff=0.6)
    return LABELS_VI.get(close[0], close[0]) if close else ""


#: What a cell of each kind must look like, for findings.
EXPECTED = {
    "date": "một ngày dạng 2021-04-05 hoặc 05/04/2021 (có thể kèm giờ)",
    "bool": "1/0, true/false, x/để trống hoặc có/không",
    "count": "một số nguyên không âm",
    "decimal": "một số (dấu phẩy hoặc dấu chấm thập phân)",
    "score": "một điểm từ 0 đến 2",
    "share": "một tỷ lệ từ 0 đến 1 (hoặc 0% đến 100%)",
    "level": "tinh, huyen hoặc xa (Cấp tỉnh, Cấp huyện, Cấp xã)",
    "channel": "truc_tiep, truc_tuyen hoặc bcci (Trực tiếp, Trực tuyến, Bưu chính công ích)",
    "form": "4 hoặc 5 (Giấy, Trực tuyến)",
    "satisfaction": "Rất hài lòng, Hài lòng hoặc Không hài lòng",
    "scope": "dossier hoặc unit (hồ sơ, đơn vị)",
}

PARSERS: dict[str, Callable[..., Parsed]] = {
    "date": lambda raw, blank_is_missing=False: parse_date(raw),
    "bool": parse_bool,
    "count": parse_count,
    "decimal": parse_decimal,
    "score": parse_score,
    "share": parse_share,
    "channel": parse_channel,
    "form": parse_form,
    "satisfaction": parse_satisfaction,
    "scope": parse_scope,
    "id": lambda raw, blank_is_missing=False: parse_id(raw),
    "text": lambda raw, blank_is_missing=False: parse_text(raw),
}
