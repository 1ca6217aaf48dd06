"""A CSV's cells as a grid of Arrow-backed text columns (pandas' ``str`` dtype), every cell a string.

A grid column is one field position; an empty field and a field missing from a short (ragged) line are both
``""``, never NA, so the grid holds exactly what the csv module reads. Arrow-backed columns let the reader's
blank and total-row tests and the parsers run as Arrow kernels instead of one Python call per cell.

- ``arrow_grid``: pyarrow's CSV parser on a text whose double quotes all enclose whole fields (``plain_quotes``:
  most exports quote a few cells holding the separator): the two parsers read such a text alike. Any other
  shape (a stray quote, a blank line, a
  line with another number of fields) gives ``None``: the csv module reads it (``rows_grid``).
- ``rows_grid``: the csv module's rows, column by column, short lines padded with ``""``.
"""

from __future__ import annotations

import csv
import io
from itertools import zip_longest

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pandas.arrays import ArrowStringArray

#: pandas' default text dtype (Arrow storage, NaN as the missing value), the one ``infer_objects`` gives.
TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))
#: Above this many quoted fields the csv module reads the text (checking each quote costs about as much).
QUOTED_FIELDS = 200_000
#: Largest block pyarrow's parser takes at once (a record must fit in one block).
_BLOCK = 1 << 24


def text_column(values) -> pd.Series:
    """A ``str`` Series from Arrow strings (no NA) or Python strings."""
    array = values if isinstance(values, pa.ChunkedArray | pa.Array) else pa.array(values, type=pa.large_string())
    return pd.Series(ArrowStringArray(array, dtype=TEXT), copy=False)


def rows_grid(rows: list[list[str]]) -> pd.DataFrame:
    """The grid of ``rows`` (row i is line i + 1), short rows padded with ``""``."""
    if not rows:
        return pd.DataFrame(index=pd.RangeIndex(0))
    columns = zip_longest(*rows, fillvalue="")
    return pd.DataFrame({at: text_column(list(col)) for at, col in enumerate(columns)})


def _has_blank_line(text: str) -> bool:
    """A line with no field at all (the csv module reads it as a row of width 0)."""
    return text[0] in "\r\n" or "\n\n" in text or "\r\r" in text or "\n\r" in text


def plain_quotes(text: str, sep: str, most: int = QUOTED_FIELDS) -> bool:
    """Every double quote of ``text`` belongs to a field quoted whole: opened at the start of a field,
    doubled inside, closed right before the separator or a line break (and at most ``most`` such fields).
    The csv module and pyarrow read such a text alike; a stray quote (``ab"c``, ``"ab" c``) they may not."""
    ends = (sep, "\r", "\n")
    at = text.find('"')
    fields = 0
    while at != -1:
        fields += 1
        if fields > most or (at and text[at - 1] not in ends):
            return False
        close = at + 1
        while True:
            close = text.find('"', close)
            if close == -1:
                return False
            if not text.startswith('""', close):
                break
            close += 2
        after = close + 1
        if after < len(text) and text[after] not in ends:
            return False
        at = text.find('"', after)
    return True


def arrow_grid(text: str, sep: str) -> pd.DataFrame | None:
    """The grid of ``text`` parsed by pyarrow, or ``None`` when the csv module must read it (a double quote,
    a blank line, lines with different numbers of fields, an empty text)."""
    if not text or _has_blank_line(text) or not plain_quotes(text, sep):
        return None
    try:
        width = len(next(csv.reader(io.StringIO(text[:1 << 20], newline=""), delimiter=sep), []))
    except csv.Error:  # an oversize first cell: the csv module says where
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, block_size=_BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True,
                                             escape_char=False, newlines_in_values=True,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[],
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if table.num_columns != width:  # pragma: no cover - the parser checks every line's fields
        return None
    limit = csv.field_size_limit()
    if len(text) > limit and any((pc.max(pc.utf8_length(c)).as_py() or 0) > limit for c in table.columns):
        return None  # a cell longer than the csv module reads: it says where (``csv_reading``)
    return pd.DataFrame({at: text_column(table.column(at)) for at in range(width)})
