"""A TT 01 measure: one object per measure kind, named by the ``measure:`` of the rule file's indicators.

A measure computes its points, words its reasons and builds its part of the audit tree, so that what an
indicator means lives in one place. Two kinds:

* :class:`DossierMeasure` (indicators of scope ``dossier``): points per dossier, vectorised (``<NA>`` where the
  dossier carries no information) with a reason code (a categorical, cheap at millions of rows); the reasons'
  Vietnamese text as a template per code, literal words and the dossier's facts (``reason_texts`` fills them
  once per distinct combination of facts); in the audit, the facts under each dossier.
* :class:`UnitMeasure` (scope ``unit``): points of one unit from its evidence, with the reason; in the audit,
  the evidence rows (or complaints, dossiers) under the indicator.

Register a new kind with ``@register("name")`` on its class (``measures.py``, ``unit_measures.py``) and name
it in a rule file. The audit's helpers (``facts``: the result's tables, indexed once) are passed in.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from tthc.parameters.ruleset import Indicator
from tthc.schemes.explanation import Node
from tthc.schemes.tt01.population import Period
from tthc.schemes.tt01.reason_texts import text

NO_INFO = "no_info"
OVERRIDE = "override"
#: The codes every dossier measure shares, worded alike: no information, the appraiser's override.
SHARED_TEMPLATES = {NO_INFO: ["Không có thông tin"],
                    OVERRIDE: ["Điều chỉnh của người thẩm định: ", text("{ind}_override", "scores")]}


def shared_template(code: str) -> list | None:
    """The template of a code every measure words alike (a flagged no-information code, ``no_info_field``,
    too: without the fact there is nothing else to say), else None."""
    return SHARED_TEMPLATES[NO_INFO] if code.startswith(NO_INFO) else SHARED_TEMPLATES.get(code)


class Measure:
    """One measure kind; ``name`` is the rule file's ``measure:``, ``scope`` the indicators' scope."""

    name: ClassVar[str] = ""
    scope: ClassVar[str] = ""


REGISTRY: dict[str, Measure] = {}


def register(name: str):
    """Class decorator: the measure kind ``name`` (one instance serves every indicator naming it)."""

    def add(cls: type[Measure]) -> type[Measure]:
        cls.name = name
        REGISTRY[name] = cls()
        return cls

    return add


class _Scope(Mapping):
    """The registered measure kinds of one scope, by name (a live view of the registry)."""

    def __init__(self, scope: str):
        self.scope = scope

    def __getitem__(self, name: str) -> Measure:
        found = REGISTRY[name]
        if found.scope != self.scope:
            raise KeyError(name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter([name for name, m in REGISTRY.items() if m.scope == self.scope])

    def __len__(self) -> int:
        return sum(m.scope == self.scope for m in REGISTRY.values())


def of_scope(scope: str) -> Mapping[str, Measure]:
    """The measure kinds of ``scope`` (``dossier`` or ``unit``), by name."""
    return _Scope(scope)


def measure_for(ind: Indicator) -> Any:
    """The measure an indicator names, of the indicator's scope."""
    found = REGISTRY.get(ind.measure)
    if found is None or found.scope != ind.scope:
        kind = "phép đo cấp đơn vị" if ind.scope == "unit" else "phép đo"
        suffix = "" if ind.scope == "unit" else " (bộ TT 01)"
        raise ValueError(f"Chỉ số {ind.number}: không có {kind} '{ind.measure}'{suffix}")
    return found


# --------------------------------------------------------------------------------------------- per dossier


@dataclass
class DossierContext:
    """What the dossier measures may use: the population with facts, the period and the policies."""

    dossiers: pd.DataFrame  # population with *_day columns, open_overdue and the evidence columns
    period: Period
    policies: dict[str, str]
    has_complaints: bool
    _timing: np.ndarray | None = None

    def timing(self) -> np.ndarray:
        """Per dossier, an index into ``TIMING`` (computed once, shared by the timing measures)."""
        if self._timing is None:
            d = self.dossiers
            fin, due = d["finished_day"].to_numpy(), d["due_day"].to_numpy()
            open_late = d["open_overdue"].to_numpy(dtype=bool)
            timing = np.full(len(d), 2, dtype=np.int8)  # late, or no result (NaT compares False)
            timing -= fin <= due  # on time: 1
            timing -= fin < due  # before: 0
            timing[open_late] = 3
            self._timing = timing
        return self._timing


class DossierMeasure(Measure):
    """Points per dossier. Subclasses give :meth:`score` and :meth:`template` (or :meth:`reasons`), and what
    the audit shows."""

    scope = "dossier"

    def score(self, ctx: DossierContext, ind: Indicator) -> tuple[pd.Series, pd.Series]:
        """Points (nullable ``Int8``) and reason codes (categorical), one per dossier of ``ctx``."""
        raise NotImplementedError

    def template(self, code: str) -> list | None:
        """The Vietnamese reason of a code: parts, literal words and the dossier's facts (``reason_texts.day``,
        ``count``, ``text``). The codes every measure shares (``SHARED_TEMPLATES``) are worded by the caller.
        None: the measure words its reasons row by row (:meth:`reasons`)."""
        return None

    def reasons(self, pop: pd.DataFrame, scores: pd.DataFrame, ind: Indicator, code: pd.Series) -> pd.Series:
        """The reason of each dossier from its code (``code``, as text) and facts, for a measure without
        templates (slower: a string per dossier). The shared codes are worded by the caller."""
        return pd.Series("", index=code.index, dtype=object)

    # --- the audit
    def leaves(self, facts, idx: int, ind: Indicator) -> list[Node | None]:
        """Input rows behind a dossier's point besides its dossiers row (a survey, a complaint)."""
        return []

    def enrich(self, facts, idx: int, code: str, reason: str) -> str:
        """The reason as the audit shows it (facts the table's reason leaves out)."""
        return reason

    def unit_children(self, facts, node: Node, ind: Indicator, uid: str, official: str | None) -> None:
        """The facts under a unit's (or an official's) indicator: each dossier with its point."""
        facts.dossier_children(node, self, ind, uid, official)

    def dossier_children(self, facts, node: Node, ind: Indicator, dossier_id: str) -> None:
        """More under one dossier's indicator in a dossier's explanation (other units' steps)."""


def codes(index: np.ndarray, names: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(index, dtype=np.int16), categories=names, validate=False)


def with_flag(cat: pd.Categorical, mask: np.ndarray, suffix: str) -> pd.Categorical:
    """``code + suffix`` where ``mask``: the categories double, the codes shift into the second half."""
    names = list(cat.categories)
    shifted = cat.codes.astype(np.int16) + len(names) * np.asarray(mask, dtype=np.int16)
    return codes(shifted, names + [n + suffix for n in names])


def replace_where(cat: pd.Categorical, mask: np.ndarray, name: str) -> pd.Categorical:
    names = list(cat.categories)
    if name not in names:
        names.append(name)
    index = np.where(np.asarray(mask, dtype=bool), names.index(name), cat.codes).astype(np.int16)
    return codes(index, names)


def set_codes(frame: pd.DataFrame, column: str, mask, values) -> None:
    """Assign reason codes into a categorical column, adding categories as needed."""
    new = pd.Series(values, index=frame.index[mask] if not isinstance(values, pd.Series) else values.index)
    col = frame[column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        missing = sorted(set(new.dropna().astype(str)) - set(col.cat.categories))
        if missing:
            frame[column] = col.cat.add_categories(missing)
    frame.loc[mask, column] = new.to_numpy()


def int8_points(pts: np.ndarray, index: pd.Index) -> pd.Series:
    """Points as a nullable ``Int8`` Series; negative values mean no information (``<NA>``)."""
    pts = np.asarray(pts)
    return pd.Series(pd.arrays.IntegerArray(pts.astype(np.int8), pts < 0), index=index)


# --------------------------------------------------------------------------------------------- per unit


@dataclass(frozen=True)
class UnitPoints:
    points: Decimal | None  # None: no evidence
    source: str             # evidence, complaints, dossiers, none
    reason: str


@dataclass(frozen=True)
class OnlineFacts:
    total: int          # dossiers in the population
    online: int         # of which submitted online (truc_tuyen)
    late: int           # online dossiers of the population finished after their due date
    open_overdue: int   # online dossiers still open and past due at the period's end


@dataclass
class UnitContext:
    unit: pd.Series                       # the units.csv row
    evidence: pd.Series | None            # unit_evidence row, or None
    has_evidence_file: bool
    complaints: pd.DataFrame | None       # the unit's complaints received in the period; None if no file
    online: OnlineFacts                   # population size and online dossiers of the unit
    has_channel: bool
    period: Period
    policies: dict[str, str]


class UnitMeasure(Measure):
    """Points of one unit from its evidence; ``evidence_fields``: the unit_evidence columns it reads."""

    scope = "unit"
    evidence_fields: ClassVar[tuple[str, ...]] = ()

    def score(self, ctx: UnitContext, ind: Indicator) -> UnitPoints:
        raise NotImplementedError

    def children(self, facts, node: Node, uid: str, score, ind: Indicator) -> None:
        """The input rows under the unit's indicator (its evidence row by default)."""
        node.add(facts.evidence_leaf(uid, self.evidence_fields))
