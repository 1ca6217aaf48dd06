"""The derivation tree every scheme's explanation is made of, and the wording its leaves share.

A tree reads top-down as a grade was formed bottom-up: the result and its band ← the total ← each indicator
← the facts (dossiers, steps, complaints, evidence rows) ← the input file and row each fact came from.
A scheme builds its trees from its result (``tthc.schemes.<scheme>.explain``) out of :class:`Node`; the
audit (``tthc.audit``) renders them as Vietnamese text and tables, and checks their arithmetic. Nothing
here grades.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from babel.numbers import format_decimal

from tthc.errors import TthcError
from tthc.parameters.ruleset import Band, Grading
from tthc.text import fold

LOCALE = "vi_VN"
#: Kinds of leaves: an input row, or the input that is missing.
LEAF_KINDS = ("input_row", "missing_input")


class AuditError(TthcError, ValueError):
    """A unit, official or dossier that cannot be found (the message says what is close)."""


# --------------------------------------------------------------------------------------------- the tree


@dataclass
class Node:
    """One step of a derivation. ``source`` is set on leaves that are input rows: file and row."""

    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] | None = None
    children: list[Node] = field(default_factory=list)

    def add(self, child: Node | None) -> Node | None:
        if child is not None:
            self.children.append(child)
        return child

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def leaves(self) -> list[Node]:
        return [n for n in self.walk() if not n.children]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text, "data": plain(self.data)}
        if self.source is not None:
            out["source"] = plain(self.source)
        out["children"] = [c.to_dict() for c in self.children]
        return out


@dataclass
class Explanation:
    """The derivation trees of one subject (an official working in two units has two trees)."""

    subject: str  # unit, official, dossier
    key: str
    header: dict[str, Any]
    trees: list[Node]
    grading: dict[str, Grading]  # unit / official, for the arithmetic check
    what_if: dict[str, Any] | None = None
    scheme: str = "tt01"  # the scheme that built the trees (not part of the JSON)

    def to_dict(self) -> dict[str, Any]:
        out = {"subject": self.subject, "key": self.key, "header": plain(self.header),
               "trees": [t.to_dict() for t in self.trees]}
        if self.what_if is not None:
            out["what_if"] = plain(self.what_if)
        return out


def plain(value: Any) -> Any:
    """JSON-ready: Decimals become numbers, pandas NA becomes null, tuples lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def to_json(explanation: Explanation) -> str:
    return json.dumps(explanation.to_dict(), ensure_ascii=False, indent=2) + "\n"


def header(result) -> dict[str, Any]:
    """What every explanation states first: the quarter and period, the rule set, the policies, the data."""
    from tthc import __version__

    rules = result.rules
    defaults = rules.default_policies()
    return {
        "quarter": str(result.quarter),
        "quarter_label": result.quarter.label_vi,
        "period": {"start": result.period.start.isoformat(), "end": result.period.end.isoformat()},
        "rule_set": {"id": rules.id, "title": rules.title, "sha256": rules.sha256},
        "policies": dict(result.policies),
        "non_default_policies": {k: v for k, v in result.policies.items() if defaults.get(k) != v},
        "data_dir": str(result.inputs.data_dir),
        "tool_version": __version__,
    }


# --------------------------------------------------------------------------------------------- wording


def num(value: Decimal | int | float | None) -> str:
    """A score in Vietnamese form on one decimal: ``Decimal('11.6')`` → ``11,6``."""
    if value is None:
        return "—"
    return format_decimal(Decimal(str(value)), format="#,##0.0", locale=LOCALE)


def bound(value: Decimal) -> str:
    """A band's bound as written in the rules, in Vietnamese form (``8.5`` → ``8,5``)."""
    return format_decimal(value, locale=LOCALE, decimal_quantization=False)


def day(value: Any) -> str:
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return "(trống)"
    return pd.Timestamp(value).strftime("%d/%m/%Y")


def cell(value: Any) -> str:
    """An input cell as a reader sees it: booleans có/không, decimals with a comma."""
    if value is None:
        return "(trống)"
    if isinstance(value, bool) or hasattr(value, "dtype") and str(getattr(value, "dtype", "")) == "bool":
        return "có" if value else "không"
    if isinstance(value, float):
        return format_decimal(Decimal(repr(float(value))), locale=LOCALE, decimal_quantization=False)
    return str(value)


def is_set(value: Any) -> bool:
    """A boolean cell: True only when set (blank, NA and absent are not)."""
    return value is not None and not pd.isna(value) and bool(value)


def points_of(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def band_bounds(grading: Grading, band: Band, symbol: str = "T") -> tuple[Decimal, Decimal | None, str]:
    """The band's lower bound (inclusive), upper bound (exclusive, None at the top) and their wording."""
    bands = list(grading.bands)
    i = bands.index(band)
    upper = bands[i - 1].min if i > 0 else None
    if upper is None:
        text = f"{symbol} ≥ {bound(band.min)}"
    elif i == len(bands) - 1 and band.min == 0:
        text = f"{symbol} < {bound(upper)}"
    else:
        text = f"{bound(band.min)} ≤ {symbol} < {bound(upper)}"
    return band.min, upper, text


# --------------------------------------------------------------------------------------------- leaves


def row_leaf(table: str, file: str, row: Any, text: str = "", values: dict | None = None) -> Node:
    """An input row: the file and the row number the analyst sees in Excel."""
    row = None if row is None or pd.isna(row) else int(row)
    where = f"{file}, dòng {row}" if row is not None else file
    data = {"table": table}
    if values:
        data["values"] = values
    return Node("input_row", f"{where}{': ' + text if text else ''}", data, {"file": file, "row": row})


def missing_leaf(table: str, text: str) -> Node:
    """An input that is not there (no file, no row for the unit)."""
    return Node("missing_input", text, {"table": table}, {"file": None, "row": None})


# --------------------------------------------------------------------------------------------- lookups


def find_unit(units: list, key: str):
    """The unit (anything with ``unit_id`` and ``unit_name``) by id, or by name ignoring case and diacritics
    (a unique partial name is accepted)."""
    for test in (lambda u: u.unit_id == key, lambda u: fold(u.unit_id) == fold(key),
                 lambda u: fold(u.unit_name) == fold(key)):
        hits = [u for u in units if test(u)]
        if len(hits) == 1:
            return hits[0]
    partial = [u for u in units if fold(key) in fold(u.unit_name)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = "; ".join(f"{u.unit_id} ({u.unit_name})" for u in partial)
        raise AuditError(f"'{key}' khớp với nhiều đơn vị: {names}. Hãy dùng mã đơn vị.")
    choices = {fold(u.unit_name): u for u in units} | {fold(u.unit_id): u for u in units}
    close = difflib.get_close_matches(fold(key), list(choices), n=3, cutoff=0.5)
    hint = ("; có phải là " + ", ".join(f"'{choices[c].unit_name}' ({choices[c].unit_id})" for c in close) + "?"
            if close else "")
    raise AuditError(f"Không có đơn vị '{key}' trong units.csv{hint}")
