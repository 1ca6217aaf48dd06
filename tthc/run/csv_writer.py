"""CSV bytes exactly as ``DataFrame.to_csv(index=False, lineterminator="\\n")`` writes them, built column by column
with Arrow compute instead of row by row through Python's ``csv`` module.

Same bytes, by construction: minimal quoting with the characters Python's ``csv`` module quotes for (found
out from the module itself when this is imported), quotes doubled inside; blank for a missing value;
integers as digits; floats as ``repr`` (numpy's shortest round trip, as pandas); booleans ``True``/``False``;
the header through the ``csv`` module itself. Text is neutralised against formula injection on the way
(``sanitize.safe_text``: only the cells whose first character, read from the UTF-8 bytes, is a formula
character, a space or an invisible one are looked at in Python; a categorical column's categories once). A
column of any other type (datetimes, nullable floats…) or a one-column table sends the whole frame through
pandas. :func:`frame_slices` gives the bytes ``CHUNK`` rows at a time, for a file written slice by slice.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tthc.sanitize import risky_first, safe_text

TEXT = pa.large_string()
#: Rows per slice: bounds the temporary Arrow arrays to a few tens of MB.
CHUNK = 100_000


def _quoted_characters() -> str:
    """The characters that make Python's ``csv`` writer (as pandas calls it) quote a field."""
    found = []
    for code in [*range(128), 0x85, 0xA0, 0x2028, 0x2029]:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([f"a{chr(code)}b", "c"])
        if buffer.getvalue().startswith('"'):
            found.append(chr(code))
    return "".join(found)


QUOTED = _quoted_characters()
QUOTE = "[" + re.escape(QUOTED) + "]"
#: The bytes that make a field quoted, when they are all ASCII (never part of a longer UTF-8 sequence).
QUOTE_BYTES = [ord(c) for c in QUOTED if ord(c) < 128]


def _scalar(text: str) -> pa.Scalar:
    return pa.scalar(text, TEXT)


def _safe(values: pa.Array) -> pa.Array:
    """``safe_text`` on every value: candidates found on the UTF-8 bytes (``_candidates``), decided in Python
    (a handful)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    hit = _candidates(values)
    if not hit.any():
        return values
    mask = pa.array(hit)
    fixed = [safe_text(v) for v in pc.filter(values, mask).to_pylist()]
    return pc.replace_with_mask(values, mask, pa.array(fixed, TEXT))


def _candidates(values: pa.Array) -> np.ndarray:
    """Which values ``safe_text`` may change: those whose first character is in ``sanitize.risky_first`` (read
    from the UTF-8 bytes: an ASCII byte, else the two- or three-byte sequence decoded; a character beyond the
    Basic Multilingual Plane is always a candidate). Missing values never are."""
    n = len(values)
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int64)[values.offset:values.offset + n + 1]
    data = values.buffers()[2]
    if n == 0 or data is None or offsets[-1] == offsets[0]:
        return np.zeros(n, dtype=bool)
    text = np.frombuffer(data, dtype=np.uint8)
    last = len(text) - 1
    starts = offsets[:-1]
    filled = offsets[1:] > starts
    first = np.where(filled, text[np.minimum(starts, last)], 0).astype(np.uint8)
    table = risky_first()
    hit = filled & table[first] & (first < 0x80)
    lead = np.flatnonzero(first >= 0xC0)
    if len(lead):
        at = starts[lead]
        b0 = first[lead].astype(np.int32)
        b1 = text[np.minimum(at + 1, last)].astype(np.int32) & 0x3F
        two = b0 < 0xE0
        code = np.where(two, ((b0 & 0x1F) << 6) | b1, 0)
        three = ~two
        if three.any():  # a three-byte character (a four-byte one is always a candidate)
            b2 = text[np.minimum(at[three] + 2, last)].astype(np.int32) & 0x3F
            code[three] = ((b0[three] & 0x0F) << 12) | (b1[three] << 6) | b2
        hit[lead] = (b0 >= 0xF0) | table[np.minimum(code, 0xFFFF)]
    if values.null_count:
        hit &= values.is_valid().to_numpy(zero_copy_only=False)
    return hit


def _text(values) -> pa.Array | None:
    """Text (``str`` or ``object`` holding only text and missing values) as Arrow, neutralised; else None."""
    try:
        arr = pa.array(values, type=TEXT, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return _safe(arr)


def _mixed(series: pd.Series) -> pa.Array:
    """An ``object`` column with text and other values: text neutralised, the rest ``str()``-ed, as pandas."""
    missing = pd.isna(series).to_numpy(dtype=bool)
    values = [None if m else (safe_text(v) if isinstance(v, str) else str(v))
              for v, m in zip(series.tolist(), missing, strict=True)]
    return pa.array(values, TEXT)


def _field(series: pd.Series) -> pa.Array | None:
    """The column's fields as Arrow text (``None`` for a missing value, not yet quoted); None if unsupported."""
    dtype = series.dtype
    if pd.api.types.is_object_dtype(dtype):
        arr = _text(series.to_numpy())
        return _mixed(series) if arr is None else arr
    if pd.api.types.is_string_dtype(dtype):
        return _text(series.array)
    if pd.api.types.is_bool_dtype(dtype):
        flags = pa.array(series.array) if isinstance(dtype, pd.BooleanDtype) else pa.array(series.to_numpy())
        return pc.if_else(flags, _scalar("True"), _scalar("False"))
    if pd.api.types.is_integer_dtype(dtype):
        data = series.array if isinstance(dtype, pd.api.extensions.ExtensionDtype) else series.to_numpy()
        return pa.array(data).cast(TEXT)
    if dtype == np.float64:
        values = series.to_numpy()
        return pa.array(values.astype(str), TEXT, mask=np.isnan(values))
    return None


def _csv_field(series: pd.Series, names: pa.Array | None = None) -> pa.Array | None:
    """A field as it is written: missing values blank, quoted where the ``csv`` module would quote. A
    categorical column's categories are written once (``names``: already written, as a slice's are)."""
    if isinstance(series.dtype, pd.CategoricalDtype):  # each category written once, then taken per row
        names = _category_fields(series.dtype) if names is None else names
        if names is None:
            return None
        codes = series.cat.codes.to_numpy()
        return pc.fill_null(names.take(pa.array(codes, mask=codes < 0)), _scalar(""))
    arr = _field(series)
    if arr is None:
        return None
    arr = pc.fill_null(arr, _scalar(""))
    if isinstance(arr, pa.ChunkedArray):  # one buffer to scan (a column built from several sheets' pieces)
        arr = arr.combine_chunks()
    needs, quotes = _needs_quotes(arr)
    if not needs.any():
        return arr
    inner = pc.filter(arr, needs)
    if quotes:
        inner = pc.replace_substring(inner, '"', '""')
    quoted = pc.binary_join_element_wise(_scalar('"'), inner, _scalar('"'), _scalar(""))
    return pc.replace_with_mask(arr, needs, quoted)


def _category_fields(dtype: pd.CategoricalDtype) -> pa.Array | None:
    """A categorical column's categories as written (neutralised, quoted), in code order; None if unsupported."""
    return _csv_field(pd.Series(dtype.categories))


def _needs_quotes(arr: pa.Array) -> tuple[np.ndarray, bool]:
    """Which fields need quotes, and whether any holds a quote character: one pass over the UTF-8 bytes."""
    if len(QUOTED) != len(QUOTE_BYTES):  # pragma: no cover - a non-ASCII character: Arrow's regex
        needs = pc.match_substring_regex(arr, QUOTE).to_numpy(zero_copy_only=False)
        return needs, bool(pc.any(pc.match_substring(arr, '"')).as_py())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    needs = np.zeros(len(arr), dtype=bool)
    data = arr.buffers()[2]
    if data is None or offsets[-1] == offsets[0]:
        return needs, False
    text = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]]
    special = text == QUOTE_BYTES[0]
    for byte in QUOTE_BYTES[1:]:
        special |= text == byte
    hits = np.flatnonzero(special)
    needs[np.searchsorted(offsets, hits + offsets[0], side="right") - 1] = True
    return needs, bool((text[hits] == ord('"')).any())


def _lines(fields: list[pa.Array]) -> pa.Buffer:
    """Fields joined by commas, each line ended by a newline: Arrow's concatenated values, not copied."""
    last = pc.binary_join_element_wise(fields[-1], _scalar(""), _scalar("\n"))  # the last field and "\n"
    ended = pc.binary_join_element_wise(*fields[:-1], last, _scalar(","))
    offsets = np.frombuffer(ended.buffers()[1], dtype=np.int64)[ended.offset:ended.offset + len(ended) + 1]
    data = ended.buffers()[2]
    return pa.py_buffer(b"") if data is None else data.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def header(columns) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([str(c) for c in columns])
    return buffer.getvalue().encode("utf-8")


def frame_csv(frame: pd.DataFrame) -> bytes | None:
    """The CSV bytes of ``frame`` with its text neutralised, or None when a column's type is not handled here."""
    slices = frame_slices(frame)
    return None if slices is None else b"".join(slices)  # the file held twice while joined: see frame_slices


def frame_slices(frame: pd.DataFrame) -> Iterator[bytes | pa.Buffer] | None:
    """The CSV bytes of ``frame`` (as :func:`frame_csv`) in pieces: the header, then ``CHUNK`` rows at a time,
    each slice built when asked for (a file can be written slice by slice); None when a column's type is not
    handled here (known before any piece: the first slice is built here)."""
    if frame.shape[1] < 2:
        return None
    names: dict[int, pa.Array] = {}  # a categorical column's categories, written once for every slice
    for position, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, pd.CategoricalDtype):
            fields = _category_fields(dtype)
            if fields is None:
                return None
            names[position] = fields
    first = _slice(frame, 0, names)
    if first is None:
        return None
    return _pieces(frame, first, names)


def _slice(frame: pd.DataFrame, start: int, names: dict[int, pa.Array]) -> pa.Buffer | None:
    part = frame.iloc[start:start + CHUNK]
    fields = []
    for position in range(part.shape[1]):
        field = _csv_field(part.iloc[:, position], names.get(position))
        if field is None:
            return None
        fields.append(field)
    return _lines(fields)


def _pieces(frame: pd.DataFrame, first: pa.Buffer, names: dict[int, pa.Array]) -> Iterator[bytes | pa.Buffer]:
    yield header(frame.columns)
    if len(frame):
        yield first
    del first
    for start in range(CHUNK, len(frame), CHUNK):
        yield _slice(frame, start, names)  # every slice's columns are of the first's types: never None
