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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pandas.arrays import ArrowStringArray

#: pandas' default text dtype (Arrow storage, NaN as the missing value), the one ``infer_objects`` gives.
TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))
#: Above this many quoted fields the csv module reads the text (checking each quote costs about as much).
QUOTED_FIELDS = 200_000
#: Records read by the csv module at the top of a file (titles, blank lines, the header)…
HEAD_RECORDS = 32
#: …within this many characters.
HEAD_CHARS = 1 << 20
#: Largest block pyarrow's parser takes at once (a record must fit in one block).
_BLOCK = 1 << 24
#: Bytes looked at a time when finding line breaks.
_SCAN = 1 << 23


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


def line_breaks(data: bytes) -> np.ndarray:
    """The positions of the CR and LF bytes of ``data`` (UTF-8: they are never part of another character),
    found with numpy a block at a time (the bytes up to 13 first: tab, LF, CR and a few controls)."""
    octets = np.frombuffer(data, dtype=np.uint8)
    found = []
    for at in range(0, len(octets), _SCAN):
        block = octets[at:at + _SCAN]
        low = np.flatnonzero(block <= 13)
        found.append(low[(block[low] == 10) | (block[low] == 13)] + at)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _crlf(data: bytes, breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per break but the last: whether it is CR with LF right after it (one line end), and whether the next
    break is right after it."""
    octets = np.frombuffer(data, dtype=np.uint8)
    next_to = np.diff(breaks) == 1
    return next_to & (octets[breaks[:-1]] == 13) & (octets[breaks[1:]] == 10), next_to


def count_lines(data: bytes, breaks: np.ndarray, start: int = 0) -> int:
    """The lines of ``data[start:]`` (its CR, LF and CR LF line ends, and a last line without one), as
    ``io.StringIO(text, newline="")`` splits its text; ``breaks``: ``line_breaks(data)``."""
    breaks = breaks[np.searchsorted(breaks, start):]
    crlf, _next_to = _crlf(data, breaks)
    ends = len(breaks) - int(np.count_nonzero(crlf))
    return ends + (0 if len(data) <= start or data[-1:] in (b"\n", b"\r") else 1)


def _has_blank_line(data: bytes, start: int = 0, breaks: np.ndarray | None = None) -> bool:
    """A line with no field at all in ``data[start:]`` (the csv module reads it as a row of width 0; pyarrow
    as a row of empty fields): the text starts with a line break, or two breaks follow each other other than
    CR LF (LF LF, CR CR, LF CR). ``breaks``: ``line_breaks(data)`` if already found."""
    breaks = line_breaks(data) if breaks is None else breaks
    breaks = breaks[np.searchsorted(breaks, start):]
    if len(breaks) and breaks[0] == start:
        return True
    crlf, next_to = _crlf(data, breaks)
    return bool((next_to & ~crlf).any())


def plain_quotes(text: str | bytes, sep: str, most: int = QUOTED_FIELDS, start: int = 0) -> bool:
    """Every double quote of ``text`` (or of its UTF-8 bytes: the quote, the separator and line breaks are
    ASCII, never part of another character's bytes) belongs to a field quoted whole: opened at the start of a
    field, doubled inside, closed right before the separator or a line break (and at most ``most`` such
    fields). The csv module and pyarrow read such a text alike; a stray quote (``ab"c``, ``"ab" c``) they
    may not. Only ``text[start:]`` is looked at."""
    ends, quote = sep + "\r\n", '"'
    if isinstance(text, bytes):
        ends, quote = ends.encode(), b'"'
    at = text.find(quote, start)
    fields = 0
    while at != -1:
        fields += 1
        if fields > most or (at > start and text[at - 1:at] not in ends):
            return False
        close = at + 1
        while True:
            close = text.find(quote, close)
            if close == -1:
                return False
            if not text.startswith(quote + quote, close):
                break
            close += 2
        after = close + 1
        if after < len(text) and text[after:after + 1] not in ends:
            return False
        at = text.find(quote, after)
    return True


class _Counted:
    """Lines handed to the csv module, counting the characters it has taken."""

    def __init__(self, text: str):
        self.lines = iter(io.StringIO(text, newline=""))
        self.used = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.used += len(line)
        return line


def _head(text: str, sep: str) -> tuple[list[list[str]], list[int]] | None:
    """The first ``HEAD_RECORDS`` records as the csv module reads them and where each starts in ``text``;
    ``None`` when they do not end well before ``HEAD_CHARS`` (a small file: the csv module reads it all)."""
    sample = text[:HEAD_CHARS]
    lines = _Counted(sample)
    rows, starts = [], []
    try:
        for row in csv.reader(lines, delimiter=sep):
            starts.append(lines.used)
            rows.append(row)
            if len(rows) == HEAD_RECORDS:
                break
    except csv.Error:  # an oversize cell: the csv module says where
        return None
    if len(rows) < HEAD_RECORDS or lines.used >= len(sample):
        return None
    # starts[i] is where record i ends; the first starts at 0
    return rows, [0, *starts[:-1]]


def arrow_grid(text: str, sep: str, utf8: bytes | None = None, start: int = 0,
               breaks: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray] | None:
    """The grid of ``text`` and the fields of each line, or ``None`` when the csv module must read it.

    The first ``HEAD_RECORDS`` records (titles, blank lines, the header: the header is searched in the first
    30) are read by the csv module; from the first of them that starts the run of equally wide records
    ending the head, the rest is read by pyarrow when it has plain quoting, no blank line, every line as wide
    and no cell beyond the csv module's limit. ``utf8``: the file's own bytes when it is UTF-8, ``text``
    beginning at byte ``start`` of them (after a BOM), so the text is not encoded again; ``text`` may then
    be only the beginning of the file's text (at least ``HEAD_CHARS`` characters of it): pyarrow reads the
    rest from the bytes, and refuses bytes that are not UTF-8 as Python's decoder does. ``breaks``:
    ``line_breaks(utf8)`` if already found."""
    head = _head(text, sep) if text else None
    if head is None:
        return None
    rows, starts = head
    width = len(rows[-1])
    first = len(rows) - 1
    while first > 0 and len(rows[first - 1]) == width:
        first -= 1
    if utf8 is None:
        utf8, body, breaks = (text[starts[first]:] if first else text).encode("utf-8"), 0, None
    else:
        body = start + len(text[:starts[first]].encode("utf-8"))
    if not width or _has_blank_line(utf8, body, breaks) or not plain_quotes(utf8, sep, start=body):
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(utf8).slice(body)),
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
    if len(utf8) - body > limit and any((pc.max(pc.utf8_length(c)).as_py() or 0) > limit for c in table.columns):
        return None  # a cell longer than the csv module reads: it says where (``csv_reading``)
    titles = rows[:first]
    wide = max([width, *(len(r) for r in titles)])
    columns = list(zip_longest(*titles, fillvalue="")) if titles else []
    grid = {}
    for at in range(wide):
        top = pa.array(list(columns[at]) if at < len(columns) else [""] * first, type=pa.string())
        rest = table.column(at) if at < width else pa.array([""] * table.num_rows, type=pa.string())
        chunks = [top, *rest.chunks] if isinstance(rest, pa.ChunkedArray) else [top, rest]
        grid[at] = text_column(pa.chunked_array(chunks, type=pa.string()))
    widths = np.concatenate([np.array([len(r) for r in titles], dtype=np.int64),
                             np.full(table.num_rows, width, dtype=np.int64)])
    return pd.DataFrame(grid), widths
