"""The per-dossier measures of TT 01/2018 (indicators of scope ``dossier``): points, reasons, audit facts.

Each class is one measure kind (see ``measure.py``): its points for every dossier (vectorised, ``<NA>`` where
the dossier carries no information) with a reason code, the Vietnamese reason of each code as a template of
words and the dossier's own dates and counts (filled by ``reason_texts``), and what the audit shows under each
dossier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tthc.parameters.ruleset import Indicator, RuleSet
from tthc.schemes.explanation import Node, day, is_set, points_of, row_leaf
from tthc.schemes.tt01.measure import (
    NO_INFO,
    OVERRIDE,
    DossierContext,
    DossierMeasure,
    codes,
    int8_points,
    measure_for,
    of_scope,
    register,
    replace_where,
    shared_template,
    with_flag,
)
from tthc.schemes.tt01.reason_texts import FactTexts, count, present_codes, reason_column, text
from tthc.schemes.tt01.reason_texts import day as day_of

TIMING = ["before", "on_time", "late", "open_overdue"]


def _series(d: pd.DataFrame, pts, code) -> tuple[pd.Series, pd.Series]:
    return int8_points(pts, d.index), pd.Series(code, index=d.index)


FINISHED, DUE = day_of("finished_day"), day_of("due_day")


def timing_parts(code: str, finished=FINISHED, due=DUE, done: str = "có kết quả") -> list:
    """'có kết quả 03/05/2021, hẹn trả 05/05/2021: trước hạn' and the like (nothing for another code)."""
    parts: list = []
    for key, word in (("late", "sau hạn"), ("before", "trước hạn"), ("on_time", "đúng hạn")):
        if key in code:
            parts = [f"{done} ", finished, ", hẹn trả ", due, ": " + word]
    if "open_overdue" in code:
        parts = [f"chưa {done} ở cuối kỳ, hẹn trả ", due, " đã quá hạn: tính trễ hạn"]
    return parts


class Timing(DossierMeasure):
    """Measures decided by the dossier's result date against its due date (calendar days)."""

    @staticmethod
    def timing(ctx: DossierContext, points: dict) -> tuple[np.ndarray, np.ndarray]:
        """Points and an index into TIMING: before / on / after the due date by calendar day."""
        idx = ctx.timing()
        late = points.get("late", points.get("otherwise", 0))
        pts = np.array([points["before"], points["on_time"], late, late], dtype=np.int8)[idx]
        return pts, idx

    def template(self, code):
        return timing_parts(code.replace("whole_", ""))


@register("completion_timing")
class CompletionTiming(Timing):
    """Finished before / on / after the due date (calendar days); open and past due scores late."""

    def score(self, ctx, ind):
        pts, idx = self.timing(ctx, ind.params["points"])
        return _series(ctx.dossiers, pts, codes(idx, TIMING))


STEP_WORDS = {
    "before": "trước hạn",
    "on_time": "đúng hạn",
    "late": "sau hạn",
    "open": "chưa xong, chưa đến hạn",
    "open_overdue": "chưa xong, đã quá hạn cuối kỳ: tính trễ hạn",
}


def step_reason(code: str, due, finished) -> str:
    """One unit's own step of a dossier, worded from its step code and dates."""
    word = STEP_WORDS.get(code.replace("step_", ""), code)
    if code == "step_open_overdue":
        return f"bước của đơn vị chưa xong, hạn {day(due)} đã quá hạn cuối kỳ: tính trễ hạn"
    if code == "step_open":
        return f"bước của đơn vị chưa xong, hạn {day(due)}: {word}"
    if code == "step_unreadable":
        return f"bước của đơn vị có ngày hoàn thành không đọc được, hạn {day(due)}: không chấm"
    return f"bước của đơn vị xong {day(finished)}, hạn {day(due)}: {word}"


@register("step_timing")
class StepTiming(Timing):
    """Each participating unit on its own step. Per-step data are joined in ``participants``; here the
    resolving unit's step, which is the whole dossier without step data (policy
    ``indicator2_without_steps``). An indicator with ``per_participant`` averages a unit over every dossier
    it took part in."""

    def score(self, ctx, ind):
        d = ctx.dossiers
        if ctx.policies.get("indicator2_without_steps") == "exclude":
            return _series(d, np.full(len(d), -1, dtype=np.int8), codes(np.zeros(len(d)), ["no_steps_excluded"]))
        pts, idx = self.timing(ctx, ind.params["points"])
        return _series(d, pts, codes(idx, [f"whole_{t}" for t in TIMING]))

    def template(self, code):
        if code.startswith("whole_"):
            return ["Không có dữ liệu từng bước: bước của đơn vị là toàn bộ hồ sơ; ", *super().template(code)]
        own = "Bước của chính đơn vị (tệp steps): "
        if code == "step_unreadable":
            return [own + "ngày hoàn thành không đọc được; không chấm chỉ số này trên hồ sơ"]
        if code == "step_open":
            return [own + "chưa hoàn thành ở cuối kỳ, hẹn trả ", day_of("{ind}_step_due", "scores"),
                    " chưa đến hạn: không chấm chỉ số này trên hồ sơ"]
        if code.startswith("step_"):
            return [own, *timing_parts(code, day_of("{ind}_step_finished", "scores"),
                                       day_of("{ind}_step_due", "scores"), "hoàn thành")]
        if code == "no_steps_excluded":
            return ["Không có dữ liệu từng bước; chính sách loại chỉ số này."]
        return super().template(code)

    def unit_children(self, facts, node, ind, uid, official):
        if ind.params.get("per_participant") and official is None:
            self._participant_children(facts, node, ind, uid)
        else:
            super().unit_children(facts, node, ind, uid, official)

    @staticmethod
    def _participant_children(facts, node: Node, ind: Indicator, uid: str) -> None:
        """Every dossier the unit took part in, resolving or coordinating, with its own step."""
        for pos in facts.participant_rows(unit=uid):
            p = facts.participant(pos)
            pts, did, code = points_of(p["points"]), p["dossier_id"], str(p["code"])
            idx = facts.index_of(did)
            own_code = facts.code(idx, ind) if idx is not None else ""
            if p["role"] == "resolving" and (own_code == OVERRIDE or not code.startswith("step_")):
                reason, code = facts.reason_of(did, ind), own_code
            else:
                reason = step_reason(code, p["due_day"], p["finished_day"])
            role = "đơn vị giải quyết" if p["role"] == "resolving" else "đơn vị phối hợp"
            label = f"{pts} điểm" if pts is not None else "không có thông tin, không tính"
            mark = " [ĐIỀU CHỈNH]" if code == OVERRIDE else ""
            child = node.add(Node("participant", f"Hồ sơ {did} ({role}): {label}{mark} — {reason}",
                                  {"dossier_id": did, "role": p["role"], "points": pts, "reason": reason,
                                   "code": code, "override": code == OVERRIDE}))
            table = "steps" if p["source_file"] == facts.label("steps") and "steps" in facts.inputs.files \
                else "dossiers"
            child.add(row_leaf(table, p["source_file"], p["source_row"]))
            if code == OVERRIDE:
                child.add(facts.override_leaf("dossier", did, ind.number, reason))
            if table == "steps" and idx is not None:  # the dossier itself, for the reader
                child.add(row_leaf("dossiers", facts.score(idx, "source_file"), facts.score(idx, "source_row"),
                                   f"hồ sơ {did}"))

    def dossier_children(self, facts, node, ind, dossier_id):
        if not ind.params.get("per_participant"):
            return
        for pos in facts.participant_rows(dossier=dossier_id):
            p = facts.participant(pos)
            if p["role"] == "resolving":
                continue
            pp = points_of(p["points"])
            child = node.add(Node(
                "participant",
                f"Đơn vị phối hợp {p['unit_id']}: {pp if pp is not None else 'không có'} điểm — "
                f"{step_reason(str(p['code']), p['due_day'], p['finished_day'])} "
                f"(tính vào chỉ số {ind.number} của đơn vị phối hợp)",
                {"unit_id": p["unit_id"], "points": pp, "role": p["role"]}))
            child.add(row_leaf("steps", p["source_file"], p["source_row"]))


def _bands(value: pd.Series, bands: list[dict], shift: np.ndarray | None = None) -> np.ndarray:
    """Points of the first band whose ``at_most`` holds (-1 where the value is missing)."""
    missing = value.isna().to_numpy()
    v = value.to_numpy(dtype=np.int64, na_value=0)
    less = v if shift is None else v - shift  # v <= limit + shift
    out = np.full(len(v), -1, dtype=np.int8)
    for band in reversed(bands):  # the first band that holds wins: written last
        limit = band.get("at_most")
        if limit is None:
            out[:] = band["points"]
        else:
            out[(less if limit > 0 else v) <= limit] = band["points"]
    out[missing] = -1
    return out


def _is(labels: pd.Series, name: str) -> np.ndarray:
    """``labels == name`` without materialising strings when ``labels`` is categorical."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        cats = list(labels.cat.categories)
        return labels.cat.codes.to_numpy() == (cats.index(name) if name in cats else -2)
    return (labels == name).to_numpy(dtype=bool)


@register("effective_contacts")
class EffectiveContacts(DossierMeasure):
    """Contacts the agency caused: contacts − contacts caused by the applicant (never below 0)."""

    def score(self, ctx, ind):
        d = ctx.dossiers
        value = d["contacts_eff"]
        pts = _bands(value, ind.params["bands"])
        idx = 1 + _is(d["contacts_src"], "survey").astype(np.int8)
        idx[value.isna().to_numpy()] = 0
        return _series(d, pts, codes(idx, [NO_INFO, "contacts_system", "contacts_survey"]))

    def template(self, code):
        if code == "contacts_survey":
            return ["Theo phiếu khảo sát: ", text("contacts_eff"), " lần liên hệ"]
        return ["Số lần phải bổ sung ", count("contacts"), ", do người nộp ",
                count("contacts_applicant", missing_as_zero=True), ": tính ", count("contacts_eff"), " lần"]

    def leaves(self, facts, idx, ind):
        return [facts.survey_leaf(facts.score(idx, "dossier_id"), "contacts")] \
            if facts.fact(idx, "contacts_src") == "survey" else []


@register("agencies_contacted")
class AgenciesContacted(DossierMeasure):
    """Agencies the applicant had to contact; a required field check adds its host to the allowance."""

    def score(self, ctx, ind):
        d = ctx.dossiers
        value = d["agencies_val"]
        allowance = ind.params.get("field_check_allowance", 0)
        field = d["field_check"].fillna(False).to_numpy(dtype=bool)
        pts = _bands(value, ind.params["bands"], field * allowance if allowance else None)
        names = [NO_INFO, "agencies_system", "agencies_derived", "agencies_survey"]
        src = d["agencies_src"]
        idx = np.full(len(d), 3, dtype=np.int8)  # the first that holds wins: written last
        idx[_is(src, "derived")] = 2
        idx[_is(src, "system")] = 1
        idx[value.isna().to_numpy()] = 0
        return _series(d, pts, with_flag(codes(idx, names), field & (allowance > 0), "_field"))

    def template(self, code):
        parts = ["Phải liên hệ ", count("agencies_val"), " cơ quan"]  # no_info_field too: no count, no reason
        if code.startswith("agencies_derived"):
            parts = ["Không có cột số cơ quan: ", text("agencies_val"), " cơ quan (suy từ số lần bổ sung)"]
        if code.startswith("agencies_survey"):
            parts = ["Theo phiếu khảo sát: ", text("agencies_val"), " cơ quan"]
        if code.endswith("_field"):
            parts.append(" (có thẩm định thực địa/hội đồng: cộng thêm nơi chủ trì)")
        return parts

    def leaves(self, facts, idx, ind):
        return [facts.survey_leaf(facts.score(idx, "dossier_id"), "agencies_contacted")] \
            if facts.fact(idx, "agencies_src") == "survey" else []


COMPLAINT_COLUMNS = ("conduct_complaints", "untrue_complaints")


@register("conduct")
class Conduct(Timing):
    """A (not untrue) conduct complaint gives the bottom band; otherwise timing decides."""

    def score(self, ctx, ind):
        d = ctx.dossiers
        points = ind.params["points"]
        pts, idx = self.timing(ctx, {"before": points["before"], "on_time": points["on_time"],
                                     "late": points["otherwise"]})
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
        return _series(d, pts, replace_where(code, complained, "complaint"))

    def template(self, code):
        if code == "complaint":
            return ["Có phản ánh về thái độ, nhũng nhiễu: ", text("conduct_complaints")]
        parts = super().template(code)
        if code.startswith("late_no_complaint"):
            parts.append("; không có phản ánh nhưng trễ hạn nên không đạt điều kiện 2 hoặc 1 điểm")
        if "_untrue" in code:
            parts += ["; phản ánh ", text("untrue_complaints"), " đã xác minh không đúng sự thật, không tính"]
        if code.endswith("_nofile"):
            parts.append(" (không có tệp complaints: chỉ xét thời hạn)")
        return parts

    @staticmethod
    def _complaint_ids(facts, idx: int) -> list[str]:
        return [c.strip() for col in COMPLAINT_COLUMNS if not pd.isna(facts.fact(idx, col))
                for c in str(facts.fact(idx, col)).split(",")]

    def leaves(self, facts, idx, ind):
        out = []
        for column in COMPLAINT_COLUMNS:
            ids = facts.fact(idx, column)
            if not pd.isna(ids):
                out.extend(facts.complaint_leaves([c.strip() for c in str(ids).split(",")]))
        return out

    def enrich(self, facts, idx, code, reason):
        """The dates of the complaints that decided the point."""
        if code != "complaint" and "_untrue" not in code:
            return reason
        complaints = facts.table("complaints")
        ids = self._complaint_ids(facts, idx)
        if complaints is None or not ids:
            return reason
        rows = complaints[complaints["complaint_id"].isin(ids)]
        found = "; ".join(
            f"phản ánh {r['complaint_id']} nhận {day(r['received_at'])}"
            + (", đã xác minh không đúng sự thật" if is_set(r.get("verified_untrue")) else "")
            for _, r in rows.iterrows())
        return f"{reason} ({found})" if found else reason


#: The per-dossier measure kinds, by name.
MEASURES = of_scope("dossier")


def score_dossiers(ctx: DossierContext, rules: RuleSet) -> pd.DataFrame:
    """Points and reason codes for every dossier indicator: columns ``iN`` and ``iN_code``."""
    out = pd.DataFrame(index=ctx.dossiers.index)
    for ind in rules.dossier_indicators:
        pts, code = measure_for(ind).score(ctx, ind)
        out[ind.code] = pts
        out[f"{ind.code}_code"] = code
    return out


def dossier_reasons(pop: pd.DataFrame, scores: pd.DataFrame, indicators) -> pd.DataFrame:
    """``iN_reason`` columns for every per-dossier indicator: each measure's templates with the codes every
    measure shares (no information, the appraiser's override), filled once per distinct text (categoricals);
    a measure without templates words its reasons row by row."""
    out = pd.DataFrame(index=pop.index)
    facts = FactTexts(pop, scores)
    for ind in indicators:
        measure, codes = measure_for(ind), scores[f"{ind.code}_code"]
        templates = {c: shared_template(c) or measure.template(c) for c in present_codes(codes)}
        if all(t is not None for t in templates.values()):
            out[f"{ind.code}_reason"] = reason_column(codes, templates, facts, ind.code)
        else:
            out[f"{ind.code}_reason"] = _row_reasons(measure, pop, scores, ind, codes.astype(str))
    return out


def _row_reasons(measure, pop: pd.DataFrame, scores: pd.DataFrame, ind: Indicator, code: pd.Series) -> pd.Series:
    """The reasons of a measure without templates: its own, row by row, then the shared codes."""
    text = measure.reasons(pop, scores, ind, code)
    text[code.str.startswith(NO_INFO)] = "Không có thông tin"
    override = code == OVERRIDE
    text[override] = "Điều chỉnh của người thẩm định: " + scores.get(
        f"{ind.code}_override", pd.Series("", index=code.index))[override].astype(str)
    return text
