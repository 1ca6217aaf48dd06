"""Per-dossier points (the indicators whose scope is ``dossier``), vectorised, each with its reason.

Each indicator of the rule set names a measure; a measure returns the points (``<NA>`` where the dossier
carries no information) and a reason code (a categorical, cheap at millions of rows). ``reasons.py`` turns
codes and the dossier's facts into Vietnamese text when the tables are written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tthc.parameters.ruleset import Indicator, RuleSet
from tthc.schemes.tt01.population import Period

NO_INFO = "no_info"
TIMING = ["before", "on_time", "late", "open_overdue"]


@dataclass
class DossierContext:
    """What the dossier measures may use: the population with facts, the period and the policies."""

    dossiers: pd.DataFrame  # population with *_day columns, open_overdue and the evidence columns
    period: Period
    policies: dict[str, str]
    has_complaints: bool
    _timing: np.ndarray | None = None

    def timing(self) -> np.ndarray:
        """Per dossier, an index into TIMING (computed once, shared by the timing measures)."""
        if self._timing is None:
            d = self.dossiers
            fin, due = d["finished_day"].to_numpy(), d["due_day"].to_numpy()
            open_late = d["open_overdue"].to_numpy(dtype=bool)
            self._timing = np.select([open_late, fin < due, fin == due], [3, 0, 1], 2).astype(np.int8)
        return self._timing


Measure = Callable[[DossierContext, Indicator], tuple[pd.Series, pd.Series]]
MEASURES: dict[str, Measure] = {}


def measure(name: str):
    def register(fn: Measure) -> Measure:
        MEASURES[name] = fn
        return fn

    return register


# --- categorical reason codes ------------------------------------------------------------------

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


# --- measures ----------------------------------------------------------------------------------

def _timing(ctx: DossierContext, points: dict) -> tuple[np.ndarray, np.ndarray]:
    """Points and an index into TIMING: before / on / after the due date by calendar day."""
    idx = ctx.timing()
    late = points.get("late", points.get("otherwise", 0))
    pts = np.array([points["before"], points["on_time"], late, late], dtype=np.int8)[idx]
    return pts, idx


def int8_points(pts: np.ndarray, index: pd.Index) -> pd.Series:
    """Points as a nullable ``Int8`` Series; negative values mean no information (``<NA>``)."""
    pts = np.asarray(pts, dtype=np.int64)
    return pd.Series(pd.arrays.IntegerArray(pts.astype(np.int8), pts < 0), index=index)


def _series(d: pd.DataFrame, pts, code) -> tuple[pd.Series, pd.Series]:
    return int8_points(pts, d.index), pd.Series(code, index=d.index)


@measure("completion_timing")
def completion_timing(ctx: DossierContext, ind: Indicator):
    """Finished before / on / after the due date (calendar days); open and past due scores late."""
    pts, idx = _timing(ctx, ind.params["points"])
    return _series(ctx.dossiers, pts, codes(idx, TIMING))


@measure("step_timing")
def step_timing(ctx: DossierContext, ind: Indicator):
    """The resolving unit's own step. Per-step data are joined in ``participants``; here the policy
    ``indicator2_without_steps`` decides a dossier without steps."""
    d = ctx.dossiers
    if ctx.policies.get("indicator2_without_steps") == "exclude":
        return _series(d, np.full(len(d), -1, dtype=np.int8),
                       codes(np.zeros(len(d)), ["no_steps_excluded"]))
    pts, idx = _timing(ctx, ind.params["points"])
    return _series(d, pts, codes(idx, [f"whole_{t}" for t in TIMING]))


def _bands(value: pd.Series, bands: list[dict], shift: np.ndarray | None = None) -> np.ndarray:
    """Points of the first band whose ``at_most`` holds (-1 where the value is missing)."""
    missing = value.isna().to_numpy()
    v = value.to_numpy(dtype=np.int64, na_value=0)
    extra = 0 if shift is None else shift
    conds, choices = [], []
    for band in bands:
        limit = band.get("at_most")
        conds.append(~missing if limit is None else ~missing & (v <= limit + (extra if limit > 0 else 0)))
        choices.append(band["points"])
    return np.select(conds, choices, default=-1)


def _is(labels: pd.Series, name: str) -> np.ndarray:
    """``labels == name`` without materialising strings when ``labels`` is categorical."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        cats = list(labels.cat.categories)
        return labels.cat.codes.to_numpy() == (cats.index(name) if name in cats else -2)
    return (labels == name).to_numpy(dtype=bool)


def _points_or_na(d: pd.DataFrame, pts: np.ndarray) -> pd.Series:
    return int8_points(pts, d.index)


@measure("effective_contacts")
def effective_contacts(ctx: DossierContext, ind: Indicator):
    """Contacts the agency caused: contacts − contacts caused by the applicant (never below 0)."""
    d = ctx.dossiers
    value = d["contacts_eff"]
    pts = _bands(value, ind.params["bands"])
    src = _is(d["contacts_src"], "survey")
    idx = np.where(value.isna().to_numpy(), 0, np.where(src, 2, 1))
    return _points_or_na(d, pts), pd.Series(codes(idx, [NO_INFO, "contacts_system", "contacts_survey"]),
                                            index=d.index)


@measure("agencies_contacted")
def agencies_contacted(ctx: DossierContext, ind: Indicator):
    """Agencies the applicant had to contact; a required field check adds its host to the allowance."""
    d = ctx.dossiers
    value = d["agencies_val"]
    allowance = ind.params.get("field_check_allowance", 0)
    field = d["field_check"].fillna(False).to_numpy(dtype=bool)
    pts = _bands(value, ind.params["bands"], field * allowance)
    names = [NO_INFO, "agencies_system", "agencies_derived", "agencies_survey"]
    src = d["agencies_src"]
    idx = np.select([value.isna().to_numpy(), _is(src, "system"), _is(src, "derived")], [0, 1, 2], 3)
    code = with_flag(codes(idx, names), field & (allowance > 0), "_field")
    return _points_or_na(d, pts), pd.Series(code, index=d.index)


@measure("conduct")
def conduct(ctx: DossierContext, ind: Indicator):
    """A (not untrue) conduct complaint gives the bottom band; otherwise timing decides."""
    d = ctx.dossiers
    points = ind.params["points"]
    pts, idx = _timing(ctx, {"before": points["before"], "on_time": points["on_time"], "late": points["otherwise"]})
    if ctx.has_complaints:
        complained = d["conduct_complaints"].notna().to_numpy()
        untrue_only = d["untrue_complaints"].notna().to_numpy() & ~complained
    else:  # no complaints file: nothing to look up
        complained = untrue_only = np.zeros(len(d), dtype=bool)
    code = codes(idx, ["before", "on_time", "late_no_complaint", "open_overdue"])
    code = with_flag(code, untrue_only, "_untrue")
    if not ctx.has_complaints:
        code = with_flag(code, np.ones(len(d), dtype=bool), "_nofile")
    pts = np.where(complained, points["otherwise"], pts)
    code = replace_where(code, complained, "complaint")
    return _series(d, pts, code)


def score_dossiers(ctx: DossierContext, rules: RuleSet) -> pd.DataFrame:
    """Points and reason codes for every dossier indicator: columns ``iN`` and ``iN_code``."""
    out = pd.DataFrame(index=ctx.dossiers.index)
    for ind in rules.dossier_indicators:
        try:
            fn = MEASURES[ind.measure]
        except KeyError as exc:
            raise ValueError(f"Chỉ số {ind.number}: không có phép đo '{ind.measure}' (bộ TT 01)") from exc
        pts, code = fn(ctx, ind)
        out[ind.code] = pts
        out[f"{ind.code}_code"] = code
    return out
