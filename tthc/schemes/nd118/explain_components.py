"""The component nodes of an index explanation: a component's points, source, provenance and citation, and
what decided them — the portal's figure with the workbench's own beside it (the difference and the rows that
explain it), the evidence row, the dossiers, petitions, procedures or communes that cost points (or, for 3.2
and 4.2, the procedures counted), the missing input, or the empty denominator. Each row with its file and row.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from tthc.schemes.explanation import Node, missing_leaf, row_leaf

from .catalogue_measures import CatalogueDossiers
from .scoring import EVIDENCE, MISSING, NOT_APPLICABLE, PORTAL, RECOMPUTED
from .wording import LOCALE, percent_vi, points_vi

#: How the provenance labels of the rule file read in Vietnamese (docs/quy-tac-nd118-2025.md).
PROVENANCE = {"CONFIRMED": "XÁC NHẬN", "OPERATIONAL": "VẬN HÀNH", "POLICY": "CHÍNH SÁCH"}
#: How each component source is named to a reader.
SOURCE_LABELS = {
    PORTAL: "điểm của Cổng Dịch vụ công quốc gia",
    RECOMPUTED: "tự tính từ dữ liệu",
    EVIDENCE: "theo số liệu index_evidence",
    NOT_APPLICABLE: "KHÔNG ÁP DỤNG",
    MISSING: "THIẾU DỮ LIỆU",
}
#: How the workbench's own figure is named beside the portal's.
OWN_LABELS = {RECOMPUTED: "Tự tính từ dữ liệu", EVIDENCE: "Tự tính theo số liệu index_evidence"}
#: The node kind and the input table of a measure's rows, by the measure's noun.
FACT_KINDS = {"hồ sơ": ("dossier", "dossiers", "Hồ sơ"), "phản ánh, kiến nghị": ("complaint", "complaints",
                                                                               "Phản ánh, kiến nghị"),
              "TTHC": ("procedure", "dossiers", "TTHC"), "xã": ("commune", "units", "Đơn vị")}
#: Kinds of the nodes that stand for one input row's fact (under a component or an official).
FACT_NODE_KINDS = ("dossier", "complaint", "procedure", "commune")


def score_text(value: Decimal | None) -> str:
    """An index score on two decimals in Vietnamese form: ``79.92`` → ``79,92``, ``20`` → ``20,00``."""
    if value is None:
        return "—"
    return format_decimal(Decimal(value), format="#,##0.00", locale=LOCALE)


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + score_text(value)


def _threshold(spec, policies: dict[str, str]) -> tuple[str, str | None]:
    """The component's full-points threshold as text, and the policy that sets it (None: the rule file)."""
    if spec.full_at in policies:
        return policies[spec.full_at], spec.full_at
    return spec.full_at, None


def component_node(result, u, c) -> Node:
    rules, policies = result.rules, result.policies
    spec = rules.component(c.code)
    full_at, policy = _threshold(spec, policies)
    cite = f"{PROVENANCE[spec.provenance]}; " + (f"ngưỡng: {PROVENANCE['POLICY']} {policy} = {full_at}; "
                                                 if policy else "") + spec.citation
    if c.source == PORTAL:
        fig = c.portal
        how = (f"Cổng: {fig.numerator}/{fig.denominator} ({percent_vi(fig.numerator, fig.denominator)})"
               if fig.numerator is not None and fig.denominator else "Cổng ghi điểm")
    else:
        how = c.reason.rstrip(".")
    shown = f"{score_text(c.points)}/{points_vi(spec.max)} điểm" if c.points is not None else \
        f"không tính (tối đa {points_vi(spec.max)} điểm)"
    text = (f"Chỉ tiêu {c.code} ({spec.name}; mã Cổng {spec.portal_code}): {shown}, nguồn: "
            f"{SOURCE_LABELS[c.source]} — {how} [{cite}]")
    data = {"code": c.code, "portal_code": spec.portal_code, "name": spec.name, "group": spec.group,
            "points": c.points, "max": spec.max, "numerator": c.numerator, "denominator": c.denominator,
            "ratio": c.ratio_text or None, "full_at": full_at, "full_at_policy": policy,
            "when_empty": "full" if spec.full_when_empty else policies["empty_denominator"],
            "source": c.source, "source_label": SOURCE_LABELS[c.source], "recomputed": c.recomputed,
            "recomputed_source": c.recomputed_source,
            "portal_points": None if c.portal is None else c.portal.points, "difference": c.difference,
            "counted": list(c.counted) if c.counted else None, "reason": c.reason, "citation": spec.citation,
            "provenance": spec.provenance}
    node = Node("component", text, data)
    if c.source == PORTAL:
        node.add(portal_leaf(c.portal))
        node.add(recomputed_node(result, u, c, rules.reconcile_threshold))
    else:
        own_children(result, u, c, node)
    return node


def portal_leaf(fig) -> Node:
    counts = f", tử số/mẫu số {fig.numerator}/{fig.denominator}" if fig.numerator is not None and \
        fig.denominator is not None else ""
    how = " (điểm tính từ tử số, mẫu số của Cổng)" if fig.computed else ""
    return Node("input_row", f"{fig.location()}: Cổng ghi {score_text(fig.points)} điểm{counts}{how}",
                {"table": "portal_scores", "values": {"points": fig.points, "numerator": fig.numerator,
                                                      "denominator": fig.denominator, "computed": fig.computed}},
                {"file": fig.file, "row": fig.row, "where": fig.where or None})


def recomputed_node(result, u, c, threshold: Decimal) -> Node:
    """Beside the portal's figure: the workbench's own, the difference and the rows that explain it."""
    data = {"recomputed": c.recomputed, "recomputed_source": c.recomputed_source, "difference": c.difference,
            "threshold": threshold}
    spec = result.rules.component(c.code)
    if c.recomputed_source == MISSING:
        measure = result.measures[c.code]
        node = Node("recomputed", f"Tự tính: không được — {measure.missing_reason(result.facts)}", data)
        node.add(missing_leaf(_table_of(measure), f"Thiếu dữ liệu để tự tính chỉ tiêu {c.code}: "
                              f"{measure.missing_reason(result.facts)}."))
        return node
    if c.recomputed is None:  # not applicable: an empty denominator under empty_denominator = not_applicable
        return Node("recomputed", f"Tự tính: mẫu số 0 (không có {spec.denominator}), không áp dụng theo "
                                  "empty_denominator = not_applicable", data)
    counts = f" ({c.numerator}/{c.denominator} {spec.numerator})" if c.numerator is not None else ""
    fig = c.portal
    if fig.numerator is not None and fig.denominator is not None and (fig.numerator, fig.denominator) != (
            c.numerator, c.denominator):
        counts += f"; Cổng ghi {fig.numerator}/{fig.denominator}"
    diff = c.difference
    if diff:
        above = abs(diff) > threshold
        verdict = (f"chênh lệch Cổng − tự tính: {_signed(diff)} điểm "
                   + (f"(lớn hơn {points_vi(threshold)}: một phát hiện đối chiếu)" if above
                      else f"(không quá {points_vi(threshold)}: không phải phát hiện)"))
    else:
        verdict = "trùng với điểm của Cổng (chênh lệch 0)"
    node = Node("recomputed", f"{OWN_LABELS[c.recomputed_source]}: {score_text(c.recomputed)} điểm{counts} — {verdict}",
                data)
    own_children(result, u, c, node, explains=bool(diff))
    return node


def _table_of(measure) -> str:
    return FACT_KINDS.get(measure.noun, ("", "dossiers", ""))[1]


def own_children(result, u, c, node: Node, explains: bool = False) -> None:
    """What the workbench's own figure came from: the evidence row, the rows that decided the counts, the
    missing input, or the empty denominator."""
    spec = result.rules.component(c.code)
    measure = result.measures[c.code]
    source = c.recomputed_source
    if source == MISSING:
        node.add(missing_leaf(_table_of(measure), f"Thiếu dữ liệu: {measure.missing_reason(result.facts)}."))
        return
    if c.evidence is not None:
        ev = c.evidence
        shown = f"{ev.numerator}/{ev.denominator}" if ev.numerator is not None else f"mẫu số {ev.denominator}"
        node.add(row_leaf("index_evidence", ev.file, ev.row, f"chỉ tiêu {c.code}, đơn vị {ev.unit}: {shown}",
                          {"unit": ev.unit, "numerator": ev.numerator, "denominator": ev.denominator}))
        if source == EVIDENCE:
            if c.counted is not None and tuple(c.counted) != (ev.numerator, ev.denominator):
                node.add(Node("note", f"Dữ liệu hồ sơ cho {c.counted[0]}/{c.counted[1]}, khác số liệu index_evidence "
                                      "(dùng số liệu index_evidence; có phát hiện)", {"counted": list(c.counted)}))
            return
    if c.denominator == 0:
        node.add(Node("note", f"Mẫu số 0: không có {spec.denominator}", {"denominator": 0}))
        return
    rule = "numerator" if isinstance(measure, CatalogueDossiers) else "cost"
    leaf = measure.leaf(result.facts, u.slot)
    kind, table, noun = FACT_KINDS.get(measure.noun, ("dossier", "dossiers", "Hồ sơ"))
    expected = c.numerator if rule == "numerator" else c.denominator - c.numerator
    what = ("được đếm vào tử số (mỗi TTHC một lần)" if rule == "numerator" else "không được tính vào tử số")
    node.data.update(leaf_rule=rule, leaf_count=int(expected), fact_kind=kind)
    if not len(leaf):
        return
    head = "Giải thích chênh lệch: " if explains else ""
    facts = node.add(Node("facts", f"{head}{len(leaf)} {measure.noun} {what}", {"count": len(leaf), "rule": rule}))
    for rec in leaf.itertuples(index=False):
        fact = facts.add(Node(kind, f"{noun} {rec.id}: {rec.fact}", {"id": rec.id, "fact": rec.fact}))
        fact.add(row_leaf(table, str(rec.file), rec.row))
