"""Matching a unit written in an evidence or portal row (code or name) to units.csv or the province."""

from __future__ import annotations

import difflib

import pandas as pd

from tthc.text import fold

#: The evidence rows' "whole province" unit.
ALL_UNITS = "*"


class UnitRef:
    """Resolves ``unit_id``/``unit_name`` cells: exact id, id ignoring case and diacritics, then the name."""

    def __init__(self, units: pd.DataFrame, province_id: str, province_names: tuple[str, ...] = ()):
        self.province_id = province_id
        ids = [str(u) for u in units["unit_id"]]
        names = [str(n) for n in units["unit_name"]] if "unit_name" in units else ids
        self.by_id = {u: u for u in ids}
        self.by_fold = {fold(u): u for u in ids}
        self.by_name = {fold(n): u for u, n in zip(ids, names, strict=True) if n}
        for name in province_names:
            self.by_name.setdefault(fold(name), province_id)
        self.by_fold.setdefault(fold(province_id), province_id)
        self.names = dict(zip(ids, names, strict=True))

    def resolve(self, unit_id: object, unit_name: object = None, star: bool = False) -> str | None:
        """The unit id (or the province id, or ``*`` when ``star``), None when unknown."""
        for value in (unit_id, unit_name):
            if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
                continue
            text = str(value).strip()
            if not text:
                continue
            if star and text == ALL_UNITS:
                return ALL_UNITS
            if text == self.province_id:
                return self.province_id
            hit = self.by_id.get(text) or self.by_fold.get(fold(text)) or self.by_name.get(fold(text))
            if hit:
                return hit
        return None

    def suggestion(self, value: object) -> str:
        if value is None:
            return ""
        choices = sorted(set(self.by_fold) | set(self.by_name))
        close = difflib.get_close_matches(fold(value), choices, n=1, cutoff=0.6)
        if not close:
            return ""
        target = self.by_fold.get(close[0]) or self.by_name.get(close[0])
        return f"Có phải là '{target}' ({self.names.get(target, target)})?"
