"""Beside the index, never in it: officials' figures (no points under NĐ 118/2025) and citizens' forms.

- ``officials.csv`` (v2): per official and unit, the dossiers of N they handled, the share of them on time
  (as 2.1; four decimals) and the petitions about conduct received in the period that name one of their
  dossiers (a petition verified untrue does not count; blank without a complaints file or its
  ``about_conduct`` column). Điều 34 k2 uses results to judge task completion; no band is given.
- citizens' evaluation (Điều 33): forms received in the period per unit and channel (``giay`` = paper,
  ``truc_tuyen`` = online), the counts per answer and the share satisfied (very satisfied or satisfied).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from tthc.input.findings import Findings
from tthc.input.values import parse_date, parse_form, parse_satisfaction

from .arithmetic import RATIO_PLACES, ratio_texts, round_half_up
from .facts import FILE, ROW, Facts
from .wording import day_vi

OFFICIALS_COLUMNS = ["official", "unit_id", "dossiers", "on_time_share", "petitions_about_conduct"]
CITIZENS_COLUMNS = ["unit_id", "unit_name", "level", "channel", "forms", "very_satisfied", "satisfied",
                    "dissatisfied", "satisfied_share"]
CHANNELS = {"4": "giay", "5": "truc_tuyen"}


def _share(part: int, whole: int) -> str:
    return "" if not whole else str(round_half_up(Fraction(part, whole), RATIO_PLACES))


def officials_table(facts: Facts) -> pd.DataFrame:
    d = facts.dossiers
    if "official" not in facts.dossier_present:
        return pd.DataFrame(columns=OFFICIALS_COLUMNS)
    mask = d["in_n"].to_numpy(dtype=bool) & d["official"].notna().to_numpy()
    handled = d.loc[mask, ["slot", "official", "on_time"]].astype({"on_time": np.int64})
    conduct = _conduct_by_dossier(facts)
    if conduct is not None:
        handled["conduct"] = _per_dossier(d.loc[mask, "dossier_id"], conduct)
    if handled.empty:
        return pd.DataFrame(columns=OFFICIALS_COLUMNS)
    sums = handled.groupby(["slot", "official"], sort=True).agg(
        dossiers=("on_time", "size"), on_time=("on_time", "sum"),
        **({"conduct": ("conduct", "sum")} if conduct is not None else {})).reset_index()
    known_time = "on_time" in facts.dossier_present
    units = np.asarray(facts.unit_ids, dtype=object)
    return pd.DataFrame({
        "official": sums["official"].to_numpy(), "unit_id": units[sums["slot"].to_numpy()],
        "dossiers": sums["dossiers"].to_numpy(),
        "on_time_share": ratio_texts(sums["on_time"].to_numpy(), sums["dossiers"].to_numpy()) if known_time else "",
        "petitions_about_conduct": sums["conduct"].astype(int).to_numpy() if conduct is not None else "",
    }, columns=OFFICIALS_COLUMNS)


def _per_dossier(ids: pd.Series, counts: pd.Series) -> np.ndarray:
    """Each dossier's count in ``counts`` (indexed by the ids as text), 0 when none: the ids matched as text
    (``astype(str)``), looked up directly when they are all text already and no count is for a missing id's text."""
    if pd.api.types.infer_dtype(ids, skipna=True) != "string" or counts.index.isin(["None", "nan", "<NA>"]).any():
        return ids.astype(str).map(counts).fillna(0).to_numpy(dtype=np.int64)
    where = pd.Index(counts.index, dtype=object).get_indexer(ids.astype(object))
    return np.where(where >= 0, counts.to_numpy()[where], 0).astype(np.int64)


def _conduct_by_dossier(facts: Facts) -> pd.Series | None:
    """Petitions about conduct in scope per dossier id (None when the data cannot say)."""
    p = facts.petitions
    if p is None or "about_conduct" not in facts.petition_present or p["dossier_id"].isna().all():
        return None
    mask = p["in_scope"].to_numpy(dtype=bool) & p["about_conduct"].to_numpy(dtype=bool)
    if "verified_untrue" in facts.petition_present:
        mask &= ~p["verified_untrue"].to_numpy(dtype=bool)
    return p[mask & p["dossier_id"].notna().to_numpy()]["dossier_id"].astype(str).value_counts()


def citizens_table(surveys: pd.DataFrame | None, units: pd.DataFrame, start, end, findings: Findings,
                   accounting: dict) -> pd.DataFrame:
    if surveys is None or surveys.empty or "unit_id" not in surveys:
        return pd.DataFrame(columns=CITIZENS_COLUMNS)
    s = surveys
    form = s["form"] if "form" in s else pd.Series(None, index=s.index, dtype=object)
    if not form.dropna().astype(str).isin(list(CHANNELS)).all():
        form, _bad = parse_form(form.astype(object))
    answer = s["satisfaction"] if "satisfaction" in s else pd.Series(None, index=s.index, dtype=object)
    if not answer.dropna().isin(["rat_hai_long", "hai_long", "khong_hai_long"]).all():
        answer, _bad = parse_satisfaction(answer.astype(object))
    when = s["submitted_at"] if "submitted_at" in s else pd.Series(pd.NaT, index=s.index)
    if when.dtype == object:
        when, _bad = parse_date(when)
    day = pd.to_datetime(when).to_numpy().astype("datetime64[D]")
    outside = ~np.isnat(day) & ((day < np.datetime64(start, "D")) | (day > np.datetime64(end, "D")))
    known = s["unit_id"].astype(object).isin(set(units["unit_id"])).to_numpy()
    for i in np.flatnonzero(outside & known):
        findings.info("nd118_survey_outside", f"Phiếu đánh giá ngày {day_vi(day[i])}, ngoài kỳ: không tính.",
                      file=str(s[FILE].iloc[i]) if FILE in s else "surveys", row=s[ROW].iloc[i] if ROW in s else None,
                      column="submitted_at")
    label = str(s[FILE].iloc[0]) if FILE in s else "surveys"
    accounting[label] = {"rows": len(s), "used": int((~outside & known).sum()),
                         "excluded": {k: v for k, v in {"phiếu ngoài kỳ": int((outside & known).sum()),
                                                        "đơn vị không có trong units.csv": int((~known).sum())}.items()
                                      if v}}
    frame = pd.DataFrame({"unit_id": s["unit_id"].astype(object).to_numpy(),
                          "channel": form.astype(object).map(CHANNELS).fillna("khong_ro").to_numpy(),
                          "answer": answer.astype(object).to_numpy()})[~outside & known]
    info = units.set_index("unit_id")
    rows = []
    for (unit_id, channel), group in frame.groupby(["unit_id", "channel"], sort=False):
        counts = group["answer"].value_counts()
        very, fine, unhappy = (int(counts.get(k, 0)) for k in ("rat_hai_long", "hai_long", "khong_hai_long"))
        rows.append({"unit_id": unit_id, "unit_name": info.at[unit_id, "unit_name"], "level": info.at[unit_id, "level"],
                     "channel": channel, "forms": len(group), "very_satisfied": very, "satisfied": fine,
                     "dissatisfied": unhappy, "satisfied_share": _share(very + fine, len(group))})
    out = pd.DataFrame(rows, columns=CITIZENS_COLUMNS)
    if out.empty:
        return out
    order = {u: i for i, u in enumerate(units["unit_id"])}
    out["_order"] = out["unit_id"].map(order)
    return out.sort_values(["_order", "channel"], kind="stable").drop(columns="_order").reset_index(drop=True)
