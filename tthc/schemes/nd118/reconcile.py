"""Reconciliation: the portal's figures against the workbench's, and the evidence against the dossiers.

- Each difference of more than ``reconcile_threshold`` (0,1 point; exactly 0,1 is not) between the portal's
  points and the workbench's own for a unit and component is a warning, with both counts when known and the
  dossiers or petitions that explain it (the component's audit leaf: for 2.1 the late and overdue dossiers,
  for 3.3 the dossiers not submitted online, …), or the evidence row the workbench used.
- An evidence row whose counts differ from what the dossiers give is a warning (the evidence is used); a
  numerator counted from the dossiers (3.2, 4.2) above the evidence's denominator is a warning (the points cap
  at the maximum: a numerator counts only what is inside its denominator).
- The portal's group totals and total are compared with the final figures where not every component of
  the group (of the unit) came from the portal (otherwise ``portal`` already checked that they add up).
"""

from __future__ import annotations

from decimal import Decimal

from tthc.input.findings import Findings

from .scoring import PORTAL
from .wording import listing, points_vi


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + points_vi(value)


def reconcile(units, rules, facts, measures, portal, findings: Findings) -> None:
    threshold = rules.reconcile_threshold
    for unit in units:
        for comp in unit.components:
            spec = rules.component(comp.code)
            _evidence_check(unit, comp, spec, findings)
            diff = comp.difference
            if diff is None or abs(diff) <= threshold:
                continue
            fig = comp.portal
            text = (f"Đơn vị {unit.unit_id} ({unit.unit_name}), chỉ tiêu {comp.code} ({spec.name}): điểm của Cổng "
                    f"{points_vi(fig.points)}, tự tính {points_vi(comp.recomputed)}, chênh {_signed(diff)} điểm.")
            if fig.numerator is not None and fig.denominator is not None and comp.numerator is not None:
                text += (f" Cổng: {fig.numerator}/{fig.denominator}; dữ liệu: {comp.numerator}/{comp.denominator}.")
            if comp.evidence is not None and comp.recomputed_source == "evidence":
                text += f" Số liệu tự tính theo index_evidence ({comp.evidence.where()})."
            else:
                leaf = measures[comp.code].leaf(facts, unit.slot)
                if len(leaf):
                    noun = measures[comp.code].noun
                    text += f" Giải thích: {len(leaf)} {noun} — {listing(list(leaf['id'].astype(str)), noun)}."
            findings.warning("nd118_portal_difference", text, file=fig.file, row=fig.row,
                             column=fig.where or "score", value=fig.points,
                             suggestion="Đối chiếu với dữ liệu trên Cổng; điểm chính thức theo index_source.")
        _totals_check(unit, rules, portal, threshold, findings)


def _evidence_check(unit, comp, spec, findings: Findings) -> None:
    ev = comp.evidence
    if ev is not None and ev.numerator is None and comp.numerator is not None and comp.numerator > ev.denominator:
        findings.warning("nd118_counted_above", f"Đơn vị {unit.unit_id}, chỉ tiêu {comp.code}: tử số đếm từ hồ sơ "
                         f"({comp.numerator} {spec.numerator}) lớn hơn mẫu số {ev.denominator} theo index_evidence; "
                         "điểm không vượt tối đa.", file=ev.file, row=ev.row, column="denominator",
                         value=ev.denominator, suggestion="Kiểm tra mẫu số hoặc tên thủ tục trong tệp hồ sơ: tử số "
                         "chỉ đếm những TTHC thuộc mẫu số.")
    if ev is None or ev.numerator is None or comp.counted is None:
        return
    counted_num, counted_den = comp.counted
    if (ev.numerator, ev.denominator) == (counted_num, counted_den):
        return
    what = "tử số" if ev.denominator == counted_den else "tử số, mẫu số"
    findings.warning("nd118_evidence_differs", f"Đơn vị {unit.unit_id}, chỉ tiêu {comp.code}: index_evidence ghi "
                     f"{ev.numerator}/{ev.denominator}, dữ liệu hồ sơ cho {counted_num}/{counted_den} (khác {what}); "
                     "dùng số liệu index_evidence.", file=ev.file, row=ev.row, column="numerator",
                     value=f"{ev.numerator}/{ev.denominator}")


def _totals_check(unit, rules, portal, threshold: Decimal, findings: Findings) -> None:
    for group in rules.groups:
        given = portal.groups.get((unit.unit_id, group.code))
        members = [c for c in unit.components if rules.component(c.code).group == group.code]
        if given is None or all(c.source == PORTAL for c in members):
            continue
        ours = unit.groups.get(group.code)
        if ours is None or abs(ours - given.score) > threshold:
            shown = "không tính được" if ours is None else points_vi(ours)
            findings.warning("nd118_portal_group_difference", f"Đơn vị {unit.unit_id}, nhóm {group.code} "
                             f"({group.name}): tổng nhóm của Cổng {points_vi(given.score)}, kết quả {shown}.",
                             file=given.file, row=given.row, column=given.where or f"g{group.code}",
                             value=given.score)
    given = portal.totals.get(unit.unit_id)
    if given is None or all(c.source == PORTAL for c in unit.components):
        return
    if unit.total is None or abs(unit.total - given.score) > threshold:
        shown = "không tính được" if unit.total is None else points_vi(unit.total)
        findings.warning("nd118_portal_total_difference", f"Đơn vị {unit.unit_id}: tổng điểm của Cổng "
                         f"{points_vi(given.score)}, kết quả {shown}.", file=given.file, row=given.row,
                         column=given.where or "total", value=given.score)
