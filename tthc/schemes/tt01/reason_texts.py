"""Per-dossier reasons filled from templates: each measure says, per reason code, its text as parts — literal
words and the dossier's facts (:func:`day`, :func:`count`, :func:`text`) — and here a code's template is filled
once per distinct combination of its facts (Arrow's ``binary_join_element_wise``), the column a categorical:
a few thousand texts for millions of dossiers.

The texts are those pandas' row-wise concatenation gave: a missing date reads "(trống)"; a missing count or
text leaves the whole reason missing (blank in the CSV); a column the frame does not have reads as empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tthc.days import STR, TEXT, day_codes

NO_DATE = "(trống)"


@dataclass(frozen=True)
class Fact:
    """A template part naming one of the dossier's facts: ``column`` of the population (``frame="pop"``) or
    of the dossier scores (``"scores"``; ``{ind}`` stands for the indicator's code), read as ``kind``."""

    column: str
    kind: str  # day (dd/mm/yyyy, "(trống)" when missing), count (whole number), zero (count, missing as 0), text
    frame: str = "pop"


def day(column: str, frame: str = "pop") -> Fact:
    """A date as dd/mm/yyyy; "(trống)" without one."""
    return Fact(column, "day", frame)


def count(column: str, missing_as_zero: bool = False) -> Fact:
    """A whole number (the column as ``Int64``); missing leaves the reason missing, unless read as 0."""
    return Fact(column, "zero" if missing_as_zero else "count")


def text(column: str, frame: str = "pop") -> Fact:
    """A value as ``astype(str)`` shows it (a missing value leaves the reason missing)."""
    return Fact(column, "text", frame)


Coded = tuple[np.ndarray, pa.Array]  # per row an index into the distinct texts (a null text: missing)


def _distinct(values: pd.Series) -> Coded:
    """Codes into the distinct values as text; a missing value is the null text at the end."""
    if pd.api.types.is_integer_dtype(values.dtype):  # ``astype(str)`` of the distinct values is the same
        codes, uniques = pd.factorize(values)
        names = pd.Series(uniques).astype(str).to_numpy(dtype=object)
    else:  # text and the rest: as the rows' own ``astype(str)`` shows them
        codes, names = pd.factorize(values.astype(str))
        names = np.asarray(names, dtype=object)
    names = pa.array(names, TEXT, from_pandas=True)
    return np.where(codes < 0, len(names), codes), pa.concat_arrays([names, pa.nulls(1, TEXT)])


class FactTexts:
    """The dossiers' facts the templates name, as codes per row into a few distinct texts: dates and counts
    for the whole column once (shared by every indicator), text for the rows asked."""

    def __init__(self, pop: pd.DataFrame, scores: pd.DataFrame):
        self.frames = {"pop": pop, "scores": scores}
        self._whole: dict[tuple[str, str, str], Coded] = {}

    def _column(self, fact: Fact, ind: str) -> pd.Series:
        frame = self.frames[fact.frame]
        column = fact.column.format(ind=ind)
        return frame[column] if column in frame else pd.Series("", index=frame.index, dtype=object)

    def get(self, fact: Fact, ind: str, rows: np.ndarray) -> Coded:
        if fact.kind == "text":
            return _distinct(self._column(fact, ind).iloc[rows])
        key = (fact.frame, fact.column.format(ind=ind), fact.kind)
        if key not in self._whole:
            values = self._column(fact, ind)
            if fact.kind == "day":
                self._whole[key] = day_codes(values, "%d/%m/%Y", NO_DATE)
            else:
                values = values.astype("Int64")
                self._whole[key] = _distinct(values.fillna(0) if fact.kind == "zero" else values)
        codes, names = self._whole[key]
        return codes[rows], names


def _alternate(parts: list) -> list:
    """Parts as literal, fact, literal, fact, …, literal: adjacent literals merged, empty ones between facts."""
    out: list = [""]
    for part in parts:
        if isinstance(part, Fact):
            out.extend([part, ""])
        else:
            out[-1] += part
    return out


def _fill(parts: list, facts: FactTexts, ind: str, rows: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """One code's template for its ``rows``: per row an index into the distinct texts, and those texts (each
    built once, from one row with its combination of facts)."""
    parts = _alternate(parts)
    if len(parts) == 1:  # literal text only
        return np.zeros(len(rows), dtype=np.int64), pa.array([parts[0]], TEXT)
    named = [facts.get(p, ind, rows) for p in parts[1::2]]
    key, distinct = np.zeros(len(rows), dtype=np.int64), 1
    for codes, names in named:  # distinct ≤ rows, names ≤ rows + 1: the product fits in 64 bits
        key, distinct = _renumber(key * len(names) + codes, distinct * len(names))
    some = np.empty(distinct, dtype=np.int64)
    some[key] = np.arange(len(rows))  # a row of each combination (any: they read alike)
    args = [pa.scalar(p, TEXT) for p in parts[0::2]]
    for i, (codes, names) in enumerate(named):
        args.insert(2 * i + 1, names.take(pa.array(codes[some])))
    return key, pc.binary_join_element_wise(*args, pa.scalar("", TEXT))


def _renumber(values: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """``values`` (in ``range(size)``) as 0, 1, … k-1 for their k distinct values, and k: by a table of the
    possible values when that is small (days × days), else by hashing."""
    if size <= 4 * len(values) + 65_536:
        present = np.zeros(size, dtype=bool)
        present[values] = True
        number = np.cumsum(present) - 1
        return number[values], int(number[-1]) + 1
    codes, uniques = pd.factorize(values)
    return codes, len(uniques)


def reason_column(codes: pd.Series, templates: dict[str, list], facts: FactTexts, ind: str) -> pd.Series:
    """Every dossier's reason for one indicator from its reason code (``templates``: the parts per code of
    the codes present), a categorical of Arrow strings; a reason with a missing fact is missing."""
    cat = codes.astype("category").cat
    index = cat.codes.to_numpy()  # int8 or int16: a stable sort of it is a radix sort
    names = [str(c) for c in cat.categories]
    out = np.full(len(index), -1, dtype=np.int64)
    texts, offset = [], 0
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(len(names) + 1))
    for k, name in enumerate(names):
        rows = order[bounds[k]:bounds[k + 1]]
        if len(rows):
            inverse, distinct = _fill(templates[name], facts, ind, rows)
            out[rows] = inverse + offset
            texts.append(distinct)
            offset += len(distinct)
    if texts:  # the same text may come from two codes: one category
        merged, uniques = pd.factorize(pd.Series(pd.array(pa.concat_arrays(texts), dtype=STR)))
        out = np.where(out < 0, -1, merged[np.maximum(out, 0)])
    else:
        uniques = []
    categories = pd.Index(pd.array(uniques, dtype=STR), dtype=STR)
    return pd.Series(pd.Categorical.from_codes(out, categories=categories, validate=False), index=codes.index)


def present_codes(codes: pd.Series) -> list[str]:
    """The reason codes some dossier has, as text."""
    cat = codes.astype("category").cat
    used = np.unique(cat.codes.to_numpy())
    return [str(cat.categories[i]) for i in used if i >= 0]
