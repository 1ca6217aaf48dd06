"""Matching the units a quarter's files name to units.csv.

A unit is named by its id (``unit_id``) or, without one, by its name (``unit_name``). Each is tried
exactly first, then ignoring case, spacing and Unicode form, then ignoring Vietnamese diacritics; an id
that is a number is also tried ignoring leading zeros and a ".0" (Excel reads "01" as the number 1). The
first of these that finds anything decides: one unit is a match; several units ("UBND xã Na Son" and
"UBND xã Nà Sơn" for "UBND xa Na Son"; "01" and "1" for "001") is ambiguous, an error, never a guess.

Matches that drop diacritics or leading zeros are said in an info finding; a name or id matching nothing
gets a suggestion only when one is close, and never a number that merely shares digits with it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tthc.input.reading import ROW
from tthc.text import fold

EXACT, CASE, FOLD, ZEROS = "exact", "case", "fold", "zeros"
#: What a way of matching ignores, as a user reads it.
IGNORED = {CASE: "chữ hoa/thường và khoảng trắng", FOLD: "dấu tiếng Việt", ZEROS: "số 0 ở đầu"}
_NUMBER = re.compile(r"^0*(\d+)(?:\.0+)?$")


def normal(value: str) -> str:
    """Case, runs of spaces and the Unicode form (composed or not) made alike; diacritics kept."""
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def number_key(value: str) -> str | None:
    """A numeric id without its leading zeros ("007" → "7", "7.0" → "7"); ``None`` for other ids."""
    match = _NUMBER.match(value.strip())
    return (match.group(1).lstrip("0") or "0") if match else None


def _digits_only(value: str) -> bool:
    return number_key(value) is not None


@dataclass(frozen=True)
class Match:
    """The unit found (``None`` if none or several), how, the units it could be when ambiguous, and a
    suggestion for a unit not found."""

    unit: str | None
    how: str = ""
    candidates: tuple[str, ...] = ()
    hint: str = ""

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


class UnitMatcher:
    """Resolves ``(unit_id, unit_name)`` against the units of units.csv (see the module's docstring)."""

    def __init__(self, units: pd.DataFrame, label: str = "units.csv"):
        ids = [str(u) for u in units["unit_id"]]
        names = [str(n) if isinstance(n, str) else "" for n in units["unit_name"]]
        self.label = label
        self.names = dict(zip(ids, names, strict=True))
        self.rows = dict(zip(ids, units[ROW], strict=True)) if ROW in units else {}
        self._by_id = [(EXACT, _index(ids, ids, str.strip)), (CASE, _index(ids, ids, normal)),
                       (FOLD, _index(ids, ids, fold)), (ZEROS, _index(ids, ids, number_key))]
        self._by_name = [(EXACT, _index(names, ids, str.strip)), (CASE, _index(names, ids, normal)),
                         (FOLD, _index(names, ids, fold))]
        # suggestions: folded ids and names, never a bare number (digits in common say nothing)
        self._choices = {}
        for key, unit in [*zip(map(fold, ids), ids, strict=True), *zip(map(fold, names), ids, strict=True)]:
            if key and not _digits_only(key):
                self._choices.setdefault(key, unit)

    def resolve(self, unit_id: object, unit_name: object) -> Match:
        if isinstance(unit_id, str) and unit_id.strip():
            value, ladder = unit_id, self._by_id
        elif isinstance(unit_name, str) and unit_name.strip():
            value, ladder = unit_name, self._by_name
        else:
            return Match(None)
        for how, index in ladder:
            key = _key(how, value)
            hits = index.get(key, ()) if key is not None else ()
            if len(hits) == 1:
                return Match(hits[0], how)
            if hits:
                return Match(None, how, tuple(hits))
        return Match(None, hint=self._hint(value))

    def describe(self, unit: str) -> str:
        """'X1' (UBND xã Na Son, units.csv dòng 4), for messages."""
        row = self.rows.get(unit)
        where = f", {self.label} dòng {int(row)}" if row is not None and not pd.isna(row) else ""
        return f"'{unit}' ({self.names.get(unit, unit)}{where})"

    def _hint(self, value: str) -> str:
        if _digits_only(value):
            return ""
        close = difflib.get_close_matches(fold(value), list(self._choices), n=1, cutoff=0.6)
        if not close:
            return ""
        target = self._choices[close[0]]
        return f"Có phải là '{target}' ({self.names.get(target, target)})?"


def _key(how: str, value: str) -> str | None:
    return {EXACT: str.strip, CASE: normal, FOLD: fold, ZEROS: number_key}[how](value)


def _index(keys: list[str], ids: list[str], make) -> dict[str, list[str]]:
    """key → the units (in units.csv order, each once) whose id or name gives that key."""
    out: dict[str, list[str]] = {}
    for value, unit in zip(keys, ids, strict=True):
        key = make(value) if value else None
        if key is None or key == "":
            continue
        units = out.setdefault(key, [])
        if unit not in units:
            units.append(unit)
    return out


def pair_codes(ids: pd.Series, names: pd.Series) -> tuple[np.ndarray, list[tuple]]:
    """The code of each row's (id, name) pair and the distinct pairs in order of first appearance: the
    pairs ``dict.fromkeys(zip(ids, names))`` would give (a blank is its own object: None, NaN or NA)."""
    id_codes, id_values = _value_codes(ids)
    name_codes, name_values = _value_codes(names)
    codes, uniques = pd.factorize(id_codes * len(name_values) + name_codes)
    return codes, [(id_values[u // len(name_values)], name_values[u % len(name_values)]) for u in uniques]


def _value_codes(column: pd.Series) -> tuple[np.ndarray, list]:
    """A code per cell (equal values, and the very same blank object, share one) and the value of each."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    values = list(uniques)
    blank = np.flatnonzero(codes < 0)
    if len(blank):
        cells = column.to_numpy(dtype=object)
        seen: dict[int, int] = {}
        for at in blank:
            obj = cells[at]
            if id(obj) not in seen:
                seen[id(obj)] = len(values)
                values.append(obj)
            codes[at] = seen[id(obj)]
    return codes.astype(np.int64), values
