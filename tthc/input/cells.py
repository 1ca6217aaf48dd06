"""What a cell holds before it is parsed: blank or not (every parser and the reader start from this)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

#: The first UTF-8 byte of each character of Python's whitespace (``str.isspace``, what ``str.strip`` takes
#: away): the ASCII ones, C2 (U+0085, U+00A0), E1 (U+1680), E2 (U+2000–U+205F), E3 (U+3000).
SPACE_FIRST_BYTES = np.array([*range(0x09, 0x0E), *range(0x1C, 0x21), 0xC2, 0xE1, 0xE2, 0xE3], dtype=np.uint8)


def byte_table(first: np.ndarray, empty: bool = False) -> np.ndarray:
    """A lookup table over the 256 byte values: True for those in ``first`` (and for 0, an empty or missing
    cell, with ``empty``); ``table[first_bytes(...)]`` tests every cell at once."""
    table = np.zeros(256, dtype=bool)
    table[np.asarray(first, dtype=np.uint8)] = True
    table[0] |= empty
    return table


#: A cell that may be blank: empty, missing, or starting with a space.
_MAYBE_BLANK = byte_table(SPACE_FIRST_BYTES, empty=True)


def first_bytes(text: pd.Series) -> np.ndarray | None:
    """The first UTF-8 byte of each cell of an Arrow-backed text column, read from its buffers (0 for an
    empty or missing cell); ``None`` for another column."""
    if not isinstance(text.dtype, pd.StringDtype) or text.dtype.storage != "pyarrow":
        return None
    out = []
    array = pa.array(text.array)  # the column's own Arrow data
    for chunk in array.chunks if isinstance(array, pa.ChunkedArray) else [array]:
        _validity, offsets, data = chunk.buffers()
        wide = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets, dtype=wide)[chunk.offset:chunk.offset + len(chunk) + 1]
        octets = np.frombuffer(data, dtype=np.uint8) if data is not None and data.size else np.zeros(1, np.uint8)
        starts = offsets[:-1]
        filled = offsets[1:] > starts
        if chunk.null_count:
            filled &= chunk.is_valid().to_numpy(zero_copy_only=False)
        out.append(np.where(filled, octets[np.minimum(starts, len(octets) - 1)], 0))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.uint8)


def blank_mask(raw: pd.Series) -> pd.Series:
    """True where a cell is empty (None, NaN, NaT or only spaces)."""
    lead = first_bytes(raw)
    if lead is not None:  # only a cell that is empty, missing or starts with a space may be blank
        maybe = _MAYBE_BLANK[lead]
        blank = np.zeros(len(raw), dtype=bool)
        if maybe.any():
            cells = raw[maybe]
            blank[maybe] = (cells.isna() | cells.str.strip().eq("")).fillna(True).to_numpy(dtype=bool)
        return pd.Series(blank, index=raw.index, name=raw.name)
    isna = raw.isna()
    if raw.dtype != object and pd.api.types.is_string_dtype(raw.dtype):  # pandas' own string dtype
        return (isna | raw.str.strip().eq("")).fillna(True).astype(bool)
    if raw.dtype == object:
        as_text = raw.where(~isna, "").astype(str).str.strip()
        return isna | (as_text == "")
    return isna
