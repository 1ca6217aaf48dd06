"""One unit's (or the province's) score on one component: where the figure comes from, its points, its reason.

Order of sources: the portal's score when present and ``index_source = portal_first`` (even where the local
data would leave the component out); otherwise the analyst's evidence row (used instead of counting dossiers);
otherwise the counts from the data; otherwise the component is missing. The workbench's own points
(``recomputed``: evidence or counts) are kept beside the portal's for reconciliation.

A zero denominator: petitions score full points (none received); any other component follows
``empty_denominator`` (``zero``: 0 points; ``not_applicable``: left out of the total and rescaled). A missing
component follows ``missing_component`` (``rescale_to_100``: left out and rescaled; ``count_zero``: 0 points).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .arithmetic import component_points, ratio_text
from .evidence import EvidenceRow
from .portal import PortalFigure
from .wording import percent_vi, points_vi, share_vi

PORTAL, RECOMPUTED, EVIDENCE, NOT_APPLICABLE, MISSING = "portal", "recomputed", "evidence", "not_applicable", "missing"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ComponentScore:
    """A component's figures for one unit (or the province)."""

    code: str
    unit_id: str
    slot: int
    maximum: Decimal
    numerator: int | None
    denominator: int | None
    #: the points that count (None: left out of the index)
    points: Decimal | None
    source: str
    #: the workbench's own points and how it got them (evidence, recomputed, not_applicable, missing)
    recomputed: Decimal | None
    recomputed_source: str
    reason: str
    portal: PortalFigure | None = None
    evidence: EvidenceRow | None = None
    #: the data's own counts where an evidence row was used instead
    counted: tuple[int, int] | None = None

    @property
    def ratio(self) -> Fraction | None:
        if self.numerator is None or not self.denominator:
            return None
        return Fraction(self.numerator, self.denominator)

    @property
    def ratio_text(self) -> str:
        return "" if self.ratio is None else ratio_text(self.numerator, self.denominator)

    @property
    def difference(self) -> Decimal | None:
        """The portal's points minus the workbench's (None unless both exist)."""
        if self.portal is None or self.portal.points is None or self.recomputed is None:
            return None
        return self.portal.points - self.recomputed


@dataclass(frozen=True)
class Own:
    """What the workbench alone gives for a component (before the portal is considered)."""

    numerator: int | None
    denominator: int | None
    source: str  # evidence, recomputed, missing
    why: str     # for missing: what is lacking; else how the counts were obtained
    evidence: EvidenceRow | None = None
    counted: tuple[int, int] | None = None


def own_figures(spec, slot: int, evidence: EvidenceRow | None, counts, numerators, missing_reason: str) -> Own:
    """Evidence first, then the data's counts; ``numerators`` are 3.2/4.2's counted numerators (or None)."""
    counted = None if counts is None else (int(counts.numerator[slot]), int(counts.denominator[slot]))
    if counted is None and numerators is not None and evidence is not None:  # 3.2, 4.2: the numerator alone
        counted = (int(numerators[slot]), evidence.denominator)
    if evidence is not None and evidence.numerator is not None:
        return Own(evidence.numerator, evidence.denominator, EVIDENCE, f"theo index_evidence ({evidence.where()})",
                   evidence, counted)
    if evidence is not None:  # a denominator only: the numerator is counted from the dossiers (3.2, 4.2)
        if numerators is None:
            return Own(None, None, MISSING, f"index_evidence ({evidence.where()}) chỉ có mẫu số và {missing_reason}",
                       evidence)
        return Own(int(numerators[slot]), evidence.denominator, RECOMPUTED,
                   f"tử số đếm từ hồ sơ, mẫu số theo index_evidence ({evidence.where()})", evidence)
    if counted is not None:
        return Own(*counted, RECOMPUTED, "")
    return Own(None, None, MISSING, missing_reason)


def score_component(spec, unit_id: str, slot: int, own: Own, portal: PortalFigure | None,
                    policies: dict[str, str]) -> ComponentScore:
    """The component's score for one slot from its own figures and the portal's."""
    full_at = spec.full_at_value(policies)
    recomputed, rsource, text = _points(spec, own, full_at, policies)
    common = dict(code=spec.code, unit_id=unit_id, slot=slot, maximum=spec.max, numerator=own.numerator,
                  denominator=own.denominator, recomputed=recomputed, recomputed_source=rsource, portal=portal,
                  evidence=own.evidence, counted=own.counted)
    if portal is not None and policies["index_source"] == "portal_first":
        said = f"Điểm của Cổng Dịch vụ công quốc gia: {points_vi(portal.points)}/{points_vi(spec.max)} điểm " \
               f"({portal.location()}"
        if portal.computed:
            said += f"; tính từ tử số, mẫu số của Cổng {portal.numerator}/{portal.denominator}"
        said += ")"
        if rsource in (EVIDENCE, RECOMPUTED) or (rsource == NOT_APPLICABLE and own.denominator is not None):
            said += f". Tự tính: {text}"
        elif rsource == MISSING:
            said += f". Dữ liệu không đủ để tự tính ({own.why})"
        return ComponentScore(points=portal.points, source=PORTAL, reason=said + ".", **common)
    points = recomputed
    if rsource == MISSING and policies["missing_component"] == "count_zero":
        points = ZERO
    if portal is not None:
        text += f". Cổng Dịch vụ công quốc gia: {points_vi(portal.points)} điểm ({portal.location()}; không dùng vì " \
                "index_source = recompute)"
    return ComponentScore(points=points, source=rsource, reason=text + ".", **common)


def _points(spec, own: Own, full_at: Fraction, policies: dict[str, str]) -> tuple[Decimal | None, str, str]:
    """(the workbench's points or None, its source, the reason's sentence)."""
    maximum = points_vi(spec.max)
    if own.source == MISSING:
        if policies["missing_component"] == "count_zero":
            return None, MISSING, f"Thiếu dữ liệu: {own.why}; tính 0/{maximum} điểm (missing_component = count_zero)"
        return None, MISSING, (f"Thiếu dữ liệu: {own.why}; không tính vào tổng, chỉ số quy đổi về thang 100 "
                               "(missing_component = rescale_to_100)")
    prefix = own.why[0].upper() + own.why[1:] + ": " if own.why else ""
    num, den = own.numerator, own.denominator
    if den == 0:
        if spec.full_when_empty:
            points = spec.max.quantize(ZERO)
            return points, own.source, f"{prefix}không có {spec.denominator} (mẫu số 0): đạt " \
                                       f"{maximum}/{maximum} điểm"
        if policies["empty_denominator"] == "zero":
            return ZERO, own.source, f"{prefix}không có {spec.denominator} (mẫu số 0): 0/{maximum} điểm " \
                                     "(empty_denominator = zero)"
        return None, NOT_APPLICABLE, f"{prefix}không có {spec.denominator} (mẫu số 0): không áp dụng, không tính " \
                                     "vào tổng (empty_denominator = not_applicable)"
    points = component_points(spec.max, num, den, full_at)
    text = f"{prefix}{num}/{den} {spec.numerator} ({percent_vi(num, den)})"
    if full_at != 1:
        text += f", đủ điểm từ {share_vi(full_at)}"
    return points, own.source, f"{text}; đạt {points_vi(points)}/{maximum} điểm"
