"""Indicator 2 per participating unit: every unit is scored on its own step of a dossier.

Without step data the resolving unit's step is the whole dossier (``measures.StepTiming`` under the
policy ``indicator2_without_steps``). With steps, each unit's step is compared with its own deadline,
and a unit's indicator 2 averages over every dossier it took part in, other units' dossiers included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tthc.input.findings import Findings
from tthc.input.loading import FILE
from tthc.input.reading import ROW
from tthc.input.values import unreadable
from tthc.parameters.ruleset import Indicator
from tthc.schemes.tt01.measure import set_codes
from tthc.schemes.tt01.population import Period


def resolving_rows(pop: pd.DataFrame, scores: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    """The resolving unit's row of every dossier, scored on the whole dossier or its own step."""
    col = ind.code
    return pd.DataFrame({
        "dossier_id": pop["dossier_id"], "unit_id": pop["unit_id"], "role": "resolving",
        "points": scores[col], "code": scores[f"{col}_code"], "due_day": pop["due_day"],
        "finished_day": pop["finished_day"], "source_file": pop[FILE], "source_row": pop[ROW],
    })


def participants(pop: pd.DataFrame, scores: pd.DataFrame, steps: pd.DataFrame | None, ind: Indicator,
                 period: Period, findings: Findings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per (dossier, participating unit): ``dossier_id``, ``unit_id``, ``role``, ``points``, ``code``,
    ``due_day``, ``finished_day``, ``source_file``, ``source_row``; and the dossier scores with the resolving
    unit's own step in ``ind``'s columns where it has one (``scores`` itself is left as it was)."""
    col = ind.code
    base = resolving_rows(pop, scores, ind)
    if steps is None or steps.empty:
        return base, scores
    scores = scores.copy(deep=False)  # copy-on-write: the columns rewritten below are the copy's
    in_pop = steps["dossier_id"].isin(set(pop["dossier_id"]))
    for idx in steps.index[~in_pop]:
        findings.info("step_outside_population",
                      f"Bước xử lý của hồ sơ {steps.at[idx, 'dossier_id']} không thuộc các hồ sơ được chấm kỳ này.",
                      file=steps.at[idx, FILE], row=steps.at[idx, ROW], column="dossier_id",
                      value=steps.at[idx, "dossier_id"])
    s = steps[in_pop].copy()
    s["due_day"] = pd.to_datetime(s["due_at"]).dt.normalize()
    s["finished_day"] = pd.to_datetime(s["finished_at"]).dt.normalize()
    pts_map = ind.params["points"]
    fin, due = s["finished_day"], s["due_day"]
    unknown = unreadable(s, "finished_at")  # a finish date written but unreadable: the step's timing is unknown
    open_late = fin.isna() & (due < period.end_ts) & ~unknown
    s["code"] = np.select([unknown, open_late, fin.isna(), fin < due, fin == due],
                          ["step_unreadable", "step_open_overdue", "step_open", "step_before", "step_on_time"],
                          "step_late")
    s["points"] = pd.Series(np.select([fin < due, fin == due, (fin > due) | open_late],
                                      [pts_map["before"], pts_map["on_time"], pts_map["late"]], -1),
                            index=s.index).where(lambda x: x >= 0).astype("Int8")
    s["_unknown"] = pd.Series(unknown, index=s.index).groupby([s["dossier_id"], s["unit_id"]]).transform("any")
    # several steps of one unit in one dossier: the worst step decides
    s = s.sort_values(["dossier_id", "unit_id", "points"], na_position="last").drop_duplicates(
        ["dossier_id", "unit_id"], keep="first")
    # an unreadable step decides nothing unless a readable step of the unit is already late
    doubt = s["_unknown"] & (s["points"] != pts_map["late"]).fillna(True).astype(bool)
    s.loc[doubt, "points"] = pd.NA
    s.loc[doubt, "code"] = "step_unreadable"
    step_rows = pd.DataFrame({
        "dossier_id": s["dossier_id"], "unit_id": s["unit_id"], "points": s["points"], "code": s["code"],
        "due_day": s["due_day"], "finished_day": s["finished_day"], "source_file": s[FILE],
        "source_row": s[ROW],
    })
    resolving = pop.set_index("dossier_id")["unit_id"]
    step_rows["role"] = np.where(step_rows["dossier_id"].map(resolving) == step_rows["unit_id"],
                                 "resolving", "coordinating")
    own = step_rows[step_rows["role"] == "resolving"].set_index("dossier_id")
    replace = pop["dossier_id"].isin(own.index)
    scores.loc[replace, col] = pop.loc[replace, "dossier_id"].map(own["points"]).astype("Int8")
    set_codes(scores, f"{col}_code", replace, pop.loc[replace, "dossier_id"].map(own["code"]))
    scores[f"{col}_step_due"] = own["due_day"].reindex(pop["dossier_id"]).to_numpy()
    scores[f"{col}_step_finished"] = own["finished_day"].reindex(pop["dossier_id"]).to_numpy()
    base = resolving_rows(pop, scores, ind)  # with the resolving units' own steps now in ``scores``
    keep = base[~base["dossier_id"].isin(own.index)]  # resolving units without a step of their own stay
    out = pd.concat([keep, step_rows[base.columns]], ignore_index=True)
    return out.sort_values(["unit_id", "dossier_id"], kind="stable").reset_index(drop=True), scores
