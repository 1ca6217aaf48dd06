"""Per-dossier points (the indicators whose scope is ``dossier``), vectorised, each with its reason.

Each indicator of the rule set names a measure; a measure returns the points (``<NA>`` where the dossier
carries no information) and a reason code. ``reasons.py`` turns codes and facts into Vietnamese text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .population import Period
from .rules import Indicator, RuleSet

NO_INFO = "no_info"


@dataclass
class DossierContext:
    """What the dossier measures may use: the population with facts, the period and the policies."""

    dossiers: pd.DataFrame  # population with *_day columns, open_overdue and the evidence columns below
    period: Period
    policies: dict[str, str]
    has_complaints: bool


Measure = Callable[[DossierContext, Indicator], tuple[pd.Series, pd.Series]]
MEASURES: dict[str, Measure] = {}


def measure(name: str):
    def register(fn: Measure) -> Measure:
        MEASURES[name] = fn
        return fn

    return register


def _timing(d: pd.DataFrame, points: dict) -> tuple[np.ndarray, np.ndarray]:
    fin, due = d["finished_day"], d["due_day"]
    before, same = (fin < due).to_numpy(), (fin == due).to_numpy()
    open_late = d["open_overdue"].to_numpy(dtype=bool)
    code = np.where(open_late, "open_overdue", np.where(before, "before", np.where(same, "on_time", "late")))
    pts = np.select([before & ~open_late, same & ~open_late], [points["before"], points["on_time"]],
                    points.get("late", points.get("otherwise", 0)))
    return pts, code


def _series(d: pd.DataFrame, pts, code) -> tuple[pd.Series, pd.Series]:
    return pd.Series(pts, index=d.index).astype("Int8"), pd.Series(code, index=d.index, dtype=object)


@measure("completion_timing")
def completion_timing(ctx: DossierContext, ind: Indicator):
    """Finished before / on / after the due date (calendar days); open and past due scores late."""
    pts, code = _timing(ctx.dossiers, ind.params["points"])
    return _series(ctx.dossiers, pts, code)


@measure("step_timing")
def step_timing(ctx: DossierContext, ind: Indicator):
    """The resolving unit's own step. Per-step data are joined in ``participants``; here the policy
    ``indicator2_without_steps`` decides a dossier without steps."""
    d = ctx.dossiers
    if ctx.policies.get("indicator2_without_steps") == "exclude":
        return _series(d, pd.array([pd.NA] * len(d), dtype="Int8"), np.full(len(d), "no_steps_excluded"))
    pts, code = _timing(d, ind.params["points"])
    return _series(d, pts, np.char.add("whole_", code.astype(str)))


def _bands(value: pd.Series, bands: list[dict], shift: pd.Series | None = None) -> np.ndarray:
    v = value.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    extra = np.zeros(len(v)) if shift is None else shift.to_numpy(dtype=float)
    conds, choices = [], []
    for band in bands:
        limit = band.get("at_most")
        if limit is None:
            conds.append(~np.isnan(v))
        else:
            conds.append(v <= limit + (extra if limit > 0 else 0))
        choices.append(band["points"])
    return np.select(conds, choices, default=-1)


@measure("effective_contacts")
def effective_contacts(ctx: DossierContext, ind: Indicator):
    """Contacts the agency caused: contacts − contacts caused by the applicant (never below 0)."""
    d = ctx.dossiers
    value = d["contacts_eff"]
    pts = _bands(value, ind.params["bands"])
    code = np.where(value.isna(), NO_INFO, "contacts_" + d["contacts_src"].astype(str))
    return _series(d, np.where(pts < 0, pd.NA, pts), code)


@measure("agencies_contacted")
def agencies_contacted(ctx: DossierContext, ind: Indicator):
    """Agencies the applicant had to contact; a required field check adds its host to the allowance."""
    d = ctx.dossiers
    value = d["agencies_val"]
    allowance = ind.params.get("field_check_allowance", 0)
    shift = d["field_check"].fillna(False).astype(bool) * allowance
    pts = _bands(value, ind.params["bands"], shift)
    code = np.where(value.isna(), NO_INFO, "agencies_" + d["agencies_src"].astype(str))
    code = np.where(shift.to_numpy() > 0, np.char.add(code.astype(str), "_field"), code)
    return _series(d, np.where(pts < 0, pd.NA, pts), code)


@measure("conduct")
def conduct(ctx: DossierContext, ind: Indicator):
    """A (not untrue) conduct complaint gives the bottom band; otherwise timing decides."""
    d = ctx.dossiers
    points = ind.params["points"]
    pts, code = _timing(d, {"before": points["before"], "on_time": points["on_time"], "late": points["otherwise"]})
    complained = d["conduct_complaints"].notna().to_numpy()
    untrue_only = d["untrue_complaints"].notna().to_numpy() & ~complained
    code = np.where(code == "late", "late_no_complaint", code)
    code = np.where(untrue_only, np.char.add(code.astype(str), "_untrue"), code)
    if not ctx.has_complaints:
        code = np.char.add(code.astype(str), "_nofile")
    pts = np.where(complained, points["otherwise"], pts)
    code = np.where(complained, "complaint", code)
    return _series(d, pts, code)


def score_dossiers(ctx: DossierContext, rules: RuleSet) -> pd.DataFrame:
    """Points and reason codes for every dossier indicator: columns ``iN`` and ``iN_code``."""
    out = pd.DataFrame(index=ctx.dossiers.index)
    for ind in rules.dossier_indicators:
        try:
            fn = MEASURES[ind.measure]
        except KeyError as exc:
            raise ValueError(f"Chỉ số {ind.number}: không có phép đo '{ind.measure}' trong tthc.scoring") from exc
        pts, code = fn(ctx, ind)
        out[ind.code] = pts
        out[f"{ind.code}_code"] = code
    return out
