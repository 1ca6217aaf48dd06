"""The grading pipeline: canonical tables → population → dossier points → unit and official grades."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from tthc.input.findings import Findings
from tthc.input.loading import FILE, Accounting, Inputs, load_quarter
from tthc.input.reading import ROW
from tthc.input.values import ONLINE, unreadable
from tthc.parameters.policies import resolve_policies
from tthc.parameters.ruleset import RuleSet, load_ruleset, ruleset_for
from tthc.quarter import Quarter
from tthc.rounding import round_one
from tthc.schemes.tt01.evidence import attach_evidence
from tthc.schemes.tt01.gaps import gap_findings
from tthc.schemes.tt01.grading import Grouping, IndicatorScore, codes_in, fmt_tenths, group_means, total_of
from tthc.schemes.tt01.measure import DossierContext, OnlineFacts, UnitContext
from tthc.schemes.tt01.measures import score_dossiers
from tthc.schemes.tt01.overrides import Overrides, collect_overrides
from tthc.schemes.tt01.participants import participants
from tthc.schemes.tt01.population import Period, add_day_columns, overdue_open, population_rows
from tthc.schemes.tt01.result import OfficialScores, Result, UnitResult, population_frame
from tthc.schemes.tt01.unit_measures import score_unit_indicator

__all__ = ["Result", "UnitResult", "grade_inputs", "grade_quarter", "population_frame"]


def grade_quarter(data_dir: Path | str, quarter: Quarter | str, rules: RuleSet | str | None = None,
                  policies: dict[str, str] | None = None, base_policies: dict[str, str] | None = None) -> Result:
    """Load a quarter folder and grade it. ``base_policies`` (a profile's) are overridden by ``policies``."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    if rules is None:
        rules = ruleset_for(quarter.bounds()[0])
    elif not isinstance(rules, RuleSet):
        rules = load_ruleset(rules)
    resolved = resolve_policies(rules, base_policies, policies)
    inputs = load_quarter(data_dir, quarter, rules)
    return grade_inputs(inputs, rules, resolved)


def grade_inputs(loaded: Inputs, rules: RuleSet, policies: dict[str, str]) -> Result:
    """Grade a loaded quarter: a pure function of its arguments, which it leaves as they were.

    The result carries its own findings (the loader's, then the grading's) and its own row accounting (the
    loader's, with the rows the grading leaves out); ``result.inputs`` is the loaded quarter with these.
    Grading the same loaded quarter twice gives two equal results."""
    inputs = graded_view(loaded)
    findings = inputs.findings
    period = Period(*inputs.quarter.bounds(policies["period"]))
    unit_ids = list(inputs.units["unit_id"])
    days = add_day_columns(inputs.table("dossiers")).copy(deep=False)  # columns added here stay ours
    days["unit_code"] = codes_in(days["unit_id"], unit_ids)
    days["online"] = days["channel"].isin([ONLINE]).to_numpy(dtype=bool)
    dossier_label = inputs.files["dossiers"].label
    overdue = overdue_open(days, period).to_numpy(dtype=bool)  # open and past due at the period's end
    keep, open_overdue, excluded = population_rows(days, period, policies["population"], findings,
                                                   inputs.header("dossiers", "finished_at"), overdue)
    days["open_overdue"] = open_overdue
    inputs.accounting[dossier_label].excluded.update(excluded)
    rows = None if bool(keep.all()) else np.flatnonzero(keep)
    official_codes, official_names = pd.factorize(days["official"], sort=False)
    pop = _scored_columns(days, rows, inputs, official_codes)
    pop = attach_evidence(pop, inputs, findings)
    complaints = inputs.table("complaints")
    ctx = DossierContext(pop, period, policies, complaints is not None)
    points = score_dossiers(ctx, rules)
    part_ind = next((i for i in rules.dossier_indicators if i.params.get("per_participant")), None)
    overrides = collect_overrides(inputs, rules, pop.get("dossier_id"), findings)
    points = overrides.apply_to_dossiers(pop, points)
    parts = None
    steps = inputs.table("steps")
    if steps is not None and not inputs.has("steps", "finished_at"):
        findings.warning("steps_without_finish", "Tệp steps không có cột ngày hoàn thành (finished_at): không có "
                         "thông tin về từng bước, chỉ số 2 áp dụng chính sách indicator2_without_steps.",
                         file=inputs.files["steps"].label, column="finished_at")
        steps = None
    if part_ind is not None and steps is not None and not steps.empty:
        parts, points = participants(population_frame(days, rows, pop), points, steps, part_ind, period, findings)
        points = overrides.apply_to_dossiers(pop, points)  # an override beats a step, so apply again after steps
        resolving = (parts["role"] == "resolving").to_numpy()
        own = pd.Series(points[part_ind.code].to_numpy(), index=pop["dossier_id"])
        parts.loc[resolving, "points"] = parts.loc[resolving, "dossier_id"].map(own).astype("Int8")
    pairs = _Pairs(pop, len(unit_ids), len(official_names))
    pair_means = {ind.code: pairs.grouping.means(points[ind.code], policies["rounding"])
                  for ind in rules.dossier_indicators}  # per (unit, official) pair, summed up for the units
    unit_means = {ind.number: pair_means[ind.code].rollup(pairs.unit, len(unit_ids), policies["rounding"])
                  for ind in rules.dossier_indicators}
    open_late = overdue & days["online"].to_numpy(dtype=bool)
    units = _grade_units(inputs, rules, policies, period, days["unit_code"].to_numpy(), open_late, pop, unit_means,
                         parts, part_ind, overrides)
    officials, official_scores = _grade_officials(inputs, rules, policies, pop, official_names, pairs, pair_means,
                                                  findings)
    result = Result(inputs.quarter, rules, policies, period, inputs, findings, units, pop, points, parts,
                    officials, official_scores, source=days, rows=rows)
    result.satisfaction = _satisfaction(inputs, period, findings)
    _complaints_outside(inputs, period, findings)
    findings.extend(gap_findings(result))
    return result


def graded_view(loaded: Inputs) -> Inputs:
    """The loaded quarter with a findings list and a row accounting of its own (the tables are shared and
    only read)."""
    findings = Findings()
    findings.extend(loaded.findings)
    accounting = {label: _copy(acc) for label, acc in loaded.accounting.items()}
    return replace(loaded, findings=findings, accounting=accounting)


def _copy(acc: Accounting) -> Accounting:
    """A row accounting of the result's own, its sheets' included."""
    return Accounting(acc.read, Counter(acc.excluded), {sheet: _copy(part) for sheet, part in acc.sheets.items()})


#: The population's columns the engine scores from (``population_frame`` adds the others when asked).
SCORED = ["unit_code", "online", "due_day", "finished_day", "open_overdue",
          "contacts", "contacts_applicant", "agencies_contacted"]
#: Needed as well when surveys, complaints, overrides or steps refer to dossiers and units.
LINKED = ["dossier_id", "unit_id"]


def _scored_columns(days: pd.DataFrame, rows: np.ndarray | None, inputs: Inputs,
                    official_codes: np.ndarray) -> pd.DataFrame:
    """The population's rows of the columns scoring uses, numeric where the source is text."""
    linked = any(inputs.table(n) is not None for n in ("surveys", "complaints", "overrides", "steps"))
    field_check = days["field_check"].isin([True]).to_numpy(dtype=bool) if inputs.has(
        "dossiers", "field_check") else np.zeros(len(days), dtype=bool)
    names = SCORED + (LINKED if linked else [])
    if rows is None:
        return days[names].reset_index(drop=True).assign(official_code=official_codes, field_check=field_check)
    columns = {c: days[c] for c in names} | {"official_code": pd.Series(official_codes, copy=False),
                                             "field_check": pd.Series(field_check, copy=False)}
    # one take per column (a frame's take costs about twice as much), the new arrays held as they are
    return pd.DataFrame({c: pd.Series(s.array.take(rows), dtype=s.dtype, copy=False) for c, s in columns.items()},
                        copy=False)


def _self_scores(inputs: Inputs, rules: RuleSet) -> dict[str, dict[int, Decimal | None]]:
    table = inputs.table("self_assessment")
    out: dict[str, dict[int, Decimal | None]] = {}
    if table is None:
        return out
    codes = [ind.code for ind in rules.indicators if ind.code in table.columns]
    numbers = {ind.code: ind.number for ind in rules.indicators}
    absent = {ind.number: None for ind in rules.indicators if ind.code not in table.columns}
    for row in table[["unit_id", *codes]].to_dict("records"):
        scores = {numbers[c]: None if pd.isna(row[c]) else Decimal(repr(float(row[c]))) for c in codes}
        out[row["unit_id"]] = {ind.number: scores.get(ind.number, absent.get(ind.number)) for ind in rules.indicators}
    return out


def _online_facts(all_codes: np.ndarray, open_late: np.ndarray, pop: pd.DataFrame, unit_ids: list[str]) -> dict:
    """Per unit: population size, online dossiers, online ones finished late, online ones open and overdue."""
    n = len(unit_ids)
    if pop.empty:
        return {uid: OnlineFacts(0, 0, 0, 0) for uid in unit_ids}
    online = pop["online"].to_numpy(dtype=bool)
    late = online & (pop["finished_day"].to_numpy() > pop["due_day"].to_numpy())  # NaT compares False
    late &= ~pop["open_overdue"].to_numpy(dtype=bool)  # counted below as open at the period's end
    # one count of (unit, online, late) slots; the first unit's slots hold the rows without a unit
    slots = (pop["unit_code"].to_numpy() + 1) * 3
    slots += online
    slots += late  # late rows are online: slot 2
    per_slot = np.bincount(slots, minlength=(n + 1) * 3).reshape(n + 1, 3)[1:]
    total, n_online, n_late = per_slot.sum(axis=1), per_slot[:, 1] + per_slot[:, 2], per_slot[:, 2]
    opened = all_codes[np.flatnonzero(open_late)]
    n_open = np.bincount(opened[opened >= 0], minlength=n)
    return {uid: OnlineFacts(int(total[i]), int(n_online[i]), int(n_late[i]), int(n_open[i]))
            for i, uid in enumerate(unit_ids)}


class _Pairs:
    """The population's rows grouped by (unit, official): slot 0 of a unit holds its rows without an official.
    One bincount per indicator over the pairs serves both the officials and, summed up, the units."""

    def __init__(self, pop: pd.DataFrame, n_units: int, n_names: int):
        self.width = width = n_names + 1
        # key (unit + 1, official + 1): rows without a unit fall in the first ``width`` slots (no pair)
        key = (pop["unit_code"].to_numpy() + 1) * width + (pop["official_code"].to_numpy() + 1)
        size = (n_units + 1) * width
        if size <= max(4 * len(key), 1 << 20):  # the pairs that occur, in key order, through a lookup table
            per_key = np.bincount(key, minlength=size)
            per_key[:width] = 0
            keys = np.flatnonzero(per_key)
            lookup = np.full(size, -1, dtype=np.int64)
            lookup[keys] = np.arange(len(keys))
            self.groups = lookup[key]
            self.rows = per_key[keys]
        else:  # too many officials for a table: hash the keys
            groups, keys = pd.factorize(np.where(key < width, -1, key))
            keys = np.asarray(keys, dtype=np.int64)
            self.groups = np.where(key < width, -1, groups)
            self.rows = np.bincount(self.groups[self.groups >= 0], minlength=len(keys))
        self.keys = keys - width  # unit * width + official + 1 (-1 - width or below: no pair)
        self.unit = np.where(self.keys < 0, -1, self.keys // width)  # each pair's unit
        self.official = np.where(self.keys < 0, -1, self.keys % width - 1)  # -1: no official
        self.grouping = Grouping(self.groups, len(self.keys))


def _grade_units(inputs, rules, policies, period, all_codes, open_late, pop, means, parts, part_ind,
                 overrides: Overrides) -> list[UnitResult]:
    """``means``: the dossier indicators' means per unit; ``all_codes``: every dossier row's unit;
    ``open_late``: the rows filed online, still open and past due at the period's end (indicator 9)."""
    rounding = policies["rounding"]
    unit_ids = list(inputs.units["unit_id"])
    n_units = len(unit_ids)
    means = dict(means)
    if parts is not None:
        part_codes = codes_in(parts["unit_id"], unit_ids)
        means[part_ind.number] = group_means(part_codes, n_units, parts["points"], rounding)
    selfs = _self_scores(inputs, rules)
    evidence = inputs.table("unit_evidence")
    ev_by_unit = {} if evidence is None else {r["unit_id"]: r for _, r in evidence.iterrows()}
    complaints = inputs.table("complaints")
    if complaints is not None:
        received = pd.to_datetime(complaints["received_at"]).dt.normalize()
        complaints = complaints[received.between(period.start_ts, period.end_ts)]
    online = _online_facts(all_codes, open_late, pop, unit_ids)
    results = []
    for pos, unit in enumerate(inputs.units.to_dict("records")):
        uid = unit["unit_id"]
        n = online[uid].total
        submitted = uid in selfs
        self_scores = selfs.get(uid, {})
        self_values = [v for v in self_scores.values() if v is not None]
        self_total = round_one(sum(self_values, Decimal(0)), rounding) if self_values else None
        if n == 0:
            results.append(UnitResult(uid, unit["unit_name"], unit["level"], 0, [], None,
                                      "không có hồ sơ trong kỳ", self_scores, self_total, submitted,
                                      rules.statuses["no_dossiers"]))
            continue
        uctx = UnitContext(
            unit=unit, evidence=ev_by_unit.get(uid), has_evidence_file=evidence is not None,
            complaints=None if complaints is None else complaints[complaints["unit_id"] == uid],
            online=online[uid], has_channel=inputs.has("dossiers", "channel"), period=period, policies=policies,
        )
        scores = []
        for ind in rules.indicators:
            if ind.scope == "dossier":
                scores.append(means[ind.number].score(pos, ind.number))
            else:
                scores.append(_unit_indicator(uctx, ind, self_scores, submitted, policies, rounding))
            scores[-1] = overrides.apply_to_unit(uid, scores[-1])
        total, note = total_of(scores, rules, rules.unit_grading, policies["missing_indicator"], rounding)
        band = rules.unit_grading.band_for(total)
        if not submitted and policies["missing_self_assessment"] == "not_scored":
            label, band_min = rules.statuses["not_scored"], None
        else:
            label, band_min = band.label, band.min
        results.append(UnitResult(uid, unit["unit_name"], unit["level"], n, scores, total, note, self_scores,
                                  self_total, submitted, label, band_min))
    return results


def _unit_indicator(uctx, ind, self_scores, submitted, policies, rounding) -> IndicatorScore:
    got = score_unit_indicator(uctx, ind)
    if got.points is not None:
        return IndicatorScore(ind.number, got.points, got.source, got.reason)
    if policies["unit_indicator_without_evidence"] == "accept_self_score":
        own = self_scores.get(ind.number)
        if own is not None:
            return IndicatorScore(ind.number, round_one(own, rounding), "self_accepted",
                                  f"Chấp nhận điểm tự chấm, không có minh chứng ({got.reason})")
        why = "đơn vị không nộp tự chấm" if not submitted else "đơn vị không tự chấm chỉ số này"
        return IndicatorScore(ind.number, None, "excluded", f"{got.reason} Không tính: {why}.")
    return IndicatorScore(ind.number, None, "excluded",
                          f"{got.reason} Không tính theo chính sách unit_indicator_without_evidence=exclude.")


def _grade_officials(inputs, rules, policies, pop, names, pairs: _Pairs, pair_means, findings):
    grading = rules.official_grading
    rounding = policies["rounding"]
    off_codes = pop["official_code"].to_numpy()
    missing = off_codes < 0
    if missing.any():
        unit_ids = list(inputs.units["unit_id"])
        codes = pop["unit_code"].to_numpy()[missing]
        counts = np.bincount(codes[codes >= 0], minlength=len(unit_ids))
        per_unit = sorted((unit_ids[u], int(n)) for u, n in enumerate(counts) if n)
        for uid, n in per_unit:
            findings.info("no_official", f"{n} hồ sơ của đơn vị {uid} không ghi cán bộ xử lý; được chấm cho đơn vị, "
                          "không chấm cho cán bộ.", file=inputs.files["dossiers"].label, column="official")
    unit_ids = list(inputs.units["unit_id"])
    unit_names = list(inputs.units["unit_name"])
    inds = [rules.indicator(n) for n in grading.indicators]
    means = {ind.number: pair_means[ind.code] for ind in inds}  # group = (unit, official) pair
    counts = pairs.rows
    entries = [(int(pairs.unit[g]), str(names[pairs.official[g]]), g)
               for g in np.flatnonzero((counts > 0) & (pairs.official >= 0)).tolist()]
    entries.sort(key=lambda e: (e[0], e[1]))
    order = np.array([g for _u, _o, g in entries], dtype=np.int64)
    tenths = np.column_stack([means[ind.number].tenths[order] for ind in inds]) if len(order) else \
        np.zeros((0, len(inds)), dtype=np.int64)
    total = np.where(tenths >= 0, tenths, 0).sum(axis=1)
    partial = np.flatnonzero((tenths < 0).any(axis=1))
    if policies["missing_indicator"] == "rescale_to_18":  # rare: the exact path for officials with gaps
        for i in partial:
            scores = [means[ind.number].score(int(order[i]), ind.number) for ind in inds]
            total[i] = int(total_of(scores, rules, grading, "rescale_to_18", rounding)[0] * 10)
    bands = grading.bands
    completion = np.select([total >= int(b.min * 10) for b in bands], [b.label for b in bands], bands[-1].label)
    frame = pd.DataFrame({
        "official": [o for _u, o, _g in entries],
        "unit_id": [unit_ids[u] for u, _o, _g in entries],
        "dossiers": counts[order].astype(int) if len(order) else [],
        "score": fmt_tenths(total),
        "completion": completion,
        "unit_name": [unit_names[u] for u, _o, _g in entries],
        **{ind.code: fmt_tenths(tenths[:, j]) for j, ind in enumerate(inds)},
    })
    keyed = {(unit_ids[u], o): g for u, o, g in entries}
    return frame, OfficialScores(keyed, means, [ind.number for ind in inds])


#: Row accounting: a survey whose date was written but cannot be read.
REASON_UNREADABLE_SURVEY = "ngày đánh giá không đọc được"


def _satisfaction(inputs: Inputs, period: Period, findings: Findings) -> pd.DataFrame:
    columns = ["unit_id", "unit_name", "level", "channel", "forms", "very_satisfied", "satisfied", "dissatisfied"]
    surveys = inputs.table("surveys")
    if surveys is None or surveys.empty:
        return pd.DataFrame(columns=columns)
    when = pd.to_datetime(surveys["submitted_at"]).dt.normalize()
    outside = when.notna() & ~when.between(period.start_ts, period.end_ts)
    for idx in surveys.index[outside]:
        findings.info("outside_period", f"Phiếu khảo sát ngày {when[idx]:%d/%m/%Y} ngoài kỳ {period.label()}; "
                      "không tính.", file=surveys.at[idx, FILE], row=surveys.at[idx, ROW], column="submitted_at")
    if outside.any():
        inputs.accounting[inputs.files["surveys"].label].excluded["phiếu ngoài kỳ"] += int(outside.sum())
    unknown = unreadable(surveys, "submitted_at")  # cannot be placed in a period (its warning is the check's)
    if unknown.any():
        inputs.accounting[inputs.files["surveys"].label].excluded[REASON_UNREADABLE_SURVEY] += int(unknown.sum())
    s = surveys[~outside & ~unknown].copy()
    s["channel"] = s["form"].map({"4": "giay", "5": "truc_tuyen"}).fillna("khong_ro")
    rows = []
    units = inputs.units.set_index("unit_id")
    for (uid, channel), g in s.groupby(["unit_id", "channel"], sort=True):
        sat = g["satisfaction"]
        rows.append({"unit_id": uid, "unit_name": units.at[uid, "unit_name"], "level": units.at[uid, "level"],
                     "channel": channel, "forms": len(g), "very_satisfied": int((sat == "rat_hai_long").sum()),
                     "satisfied": int((sat == "hai_long").sum()),
                     "dissatisfied": int((sat == "khong_hai_long").sum())})
    order = {u: i for i, u in enumerate(inputs.units["unit_id"])}
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["unit_id", "channel"], key=lambda c: c.map(order) if c.name == "unit_id" else c,
                           kind="stable").reset_index(drop=True)


def _complaints_outside(inputs: Inputs, period: Period, findings: Findings) -> None:
    complaints = inputs.table("complaints")
    if complaints is None or complaints.empty:
        return
    received = pd.to_datetime(complaints["received_at"]).dt.normalize()
    outside = ~received.between(period.start_ts, period.end_ts)
    for idx in complaints.index[outside]:
        findings.info("outside_period", f"Phản ánh nhận ngày {received[idx]:%d/%m/%Y}, ngoài kỳ {period.label()}; "
                      "không tính vào chỉ số 8 (vẫn dùng cho chỉ số 7 nếu gắn với hồ sơ).",
                      file=complaints.at[idx, FILE], row=complaints.at[idx, ROW], column="received_at")
