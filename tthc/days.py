"""Calendar days as text, each distinct day formatted once (Arrow strings: millions of dossiers, a few
hundred distinct days)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

TEXT = pa.large_string()
try:  # pandas' Arrow-backed ``str`` (pandas 3; ``pyarrow_numpy`` in pandas 2)
    STR = pd.StringDtype("pyarrow", na_value=np.nan)
except TypeError:  # pragma: no cover - pandas 2
    STR = pd.StringDtype("pyarrow_numpy")



def day_codes(values: pd.Series, fmt: str, missing: str | None = None) -> tuple[np.ndarray, pa.Array]:
    """Per row an index into the distinct days as text (each formatted once): ``missing`` (last) where there
    is no date, else -1."""
    codes, uniques = pd.factorize(pd.to_datetime(values))
    names = pd.DatetimeIndex(uniques).strftime(fmt).tolist()
    if missing is not None:
        names.append(missing)
        codes = np.where(codes < 0, len(names) - 1, codes)
    return codes, pa.array(names, TEXT)


def day_texts(values: pd.Series, fmt: str, missing: str | None = None) -> pa.Array:
    """Dates as text (each distinct day formatted once); ``missing`` where there is no date (else null)."""
    codes, names = day_codes(values, fmt, missing)
    return names.take(pa.array(codes, mask=codes < 0))


def text_series(values: pa.Array, index: pd.Index) -> pd.Series:
    """An Arrow text array as a pandas ``str`` Series (no copy)."""
    return pd.Series(pd.array(values, dtype=STR), index=index)


def iso_days(values: pd.Series) -> pd.Series:
    """``values.dt.strftime("%Y-%m-%d")``, each distinct day formatted once; blank (NaN) without a date."""
    return text_series(day_texts(values, "%Y-%m-%d"), values.index)

