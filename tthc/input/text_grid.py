"""A CSV's cells as a grid of Arrow-backed text columns (pandas' ``str`` dtype), every cell a string.

A grid column is one field position; an empty field and a field missing from a short (ragged) line are both
``""``, never NA, so the grid holds exactly what the csv module reads. Arrow-backed columns let the reader's
blank and total-row tests and the parsers run as Arrow kernels instead of one Python call per cell.

- ``arrow_grid``: pyarrow's CSV parser on a text with no double quote (most exports): such a text is split
  at the separator and line breaks, the same by either parser. Any other shape (a quote, a blank line, a
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


def arrow_grid(text: str, sep: str) -> pd.DataFrame | None:
    """The grid of ``text`` parsed by pyarrow, or ``None`` when the csv module must read it (a double quote,
    a blank line, lines with different numbers of fields, an empty text)."""
    if not text or '"' in text or _has_blank_line(text):
        return None
    first = text.split("\n", 1)[0].split("\r", 1)[0]
    width = first.count(sep) + 1
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, block_size=_BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=False, double_quote=False,
                                             escape_char=False, newlines_in_values=False,
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
