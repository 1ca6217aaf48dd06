"""What a cell holds before it is parsed: blank or not (every parser and the reader start from this)."""

from __future__ import annotations

import pandas as pd


def blank_mask(raw: pd.Series) -> pd.Series:
    """True where a cell is empty (None, NaN, NaT or only spaces)."""
    isna = raw.isna()
    if raw.dtype != object and pd.api.types.is_string_dtype(raw.dtype):  # pandas' own string dtype
        return (isna | raw.str.strip().eq("")).fillna(True).astype(bool)
    if raw.dtype == object:
        as_text = raw.where(~isna, "").astype(str).str.strip()
        return isna | (as_text == "")
    return isna
