"""The schema of a TT 01/2018 rule file (``scheme: tt01``): pydantic models of its keys.

Each indicator is validated by the model of its ``measure`` (``MEASURE_SCHEMAS``, one per measure the engine
registers): points are integers 0..2 (TT 01/2018 Điều 13: each indicator gives 2, 1 or 0 points), shares
lie in [0, 1] (``0.5``, not ``'50%'``), no unknown key. The checks that span keys are in ``tt01_checks.py``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from tthc.parameters.validation import IsoDate, Number, Share, Strict, Text, int_between
from tthc.rounding import MODES

SCHEME = "tt01"
Points = int_between(0, 2)
Count = int_between(0)
OptionalCount = int_between(0, optional=True)

#: The policies the TT 01/2018 engine reads and the values it implements (docs/quy-tac-tt01-2018.md, POLICY).
ENGINE_POLICIES: dict[str, tuple[str, ...]] = {
    "population": ("resolved_in_period", "resolved_or_overdue"),
    "rounding": tuple(MODES),
    "missing_indicator": ("exclude", "rescale_to_18"),
    "indicator2_without_steps": ("same_as_indicator1", "exclude"),
    "indicator9_band": ("at_least_15", "literal"),
    "unit_indicator_without_evidence": ("accept_self_score", "exclude"),
    "missing_self_assessment": ("not_scored", "grade_from_appraisal"),
    "period": ("calendar_quarter", "reporting_cutoff"),
}


# --- models ----------------------------------------------------------------------------------------------

class TimingPoints(Strict):
    before: Points
    on_time: Points
    late: Points


class ConductPoints(Strict):
    before: Points
    on_time: Points
    otherwise: Points


class CountBand(Strict):
    at_most: OptionalCount = None
    points: Points


class DeskPoints(Strict):
    full: Points
    desk: Points
    below: Points


class PublicationPoints(Strict):
    both: Points
    one: Points
    none: Points


class RatioPoints(Strict):
    full: Points
    partial: Points
    below: Points


class IndicatorBase(Strict):
    number: int_between(1)
    name: Text
    short: Text = ""
    scope: Literal["dossier", "unit"]
    measure: Text
    citation: Text


class CompletionTiming(IndicatorBase):
    points: TimingPoints


class StepTiming(IndicatorBase):
    points: TimingPoints
    per_participant: bool = False


class EffectiveContacts(IndicatorBase):
    bands: list[CountBand] = Field(min_length=1)


class AgenciesContacted(EffectiveContacts):
    field_check_allowance: Count = 0


class OneStopDesk(IndicatorBase):
    full_share_min: dict[str, Share]
    desk_share_min: Share
    points: DeskPoints


class Publication(IndicatorBase):
    points: PublicationPoints


class Conduct(IndicatorBase):
    points: ConductPoints


class ComplaintHandling(IndicatorBase):
    on_time_full: Share
    on_time_min: Share
    points: RatioPoints


class OnlineService(IndicatorBase):
    dvc34_min: Share
    online_share_full: Share
    online_share_min: Share
    points: RatioPoints


#: The model of each measure's indicator (head keys + the measure's thresholds and points).
MEASURE_SCHEMAS: dict[str, type[IndicatorBase]] = {
    "completion_timing": CompletionTiming,
    "step_timing": StepTiming,
    "effective_contacts": EffectiveContacts,
    "agencies_contacted": AgenciesContacted,
    "conduct": Conduct,
    "one_stop_desk": OneStopDesk,
    "publication": Publication,
    "complaint_handling": ComplaintHandling,
    "online_service": OnlineService,
}
#: Each measure's scope (per dossier or per unit); the engine's registries hold the same names
#: (``tests/test_config_validation.py`` keeps them in step).
MEASURE_SCOPES: dict[str, str] = {
    "completion_timing": "dossier", "step_timing": "dossier", "effective_contacts": "dossier",
    "agencies_contacted": "dossier", "conduct": "dossier",
    "one_stop_desk": "unit", "publication": "unit", "complaint_handling": "unit", "online_service": "unit",
}


class Band(Strict):
    min: Number
    label: Text
    text: str = ""


class UnitGrading(Strict):
    citation: str = ""
    max_total: Number
    bands: list[Band] = Field(min_length=1)


class OfficialGrading(UnitGrading):
    indicators: list[int_between(1)] = Field(min_length=1)


class Level(Strict):
    name: Text
    aliases: list[Text] = []


class Statuses(Strict):
    no_dossiers: Text
    not_scored: Text


class PolicySpec(Strict):
    default: Text
    values: list[Text] = Field(min_length=1)
    citation: str = ""
    description: str = ""
    aliases: dict[str, Text] = {}


class RuleFile(Strict):
    scheme: Literal["tt01"] = "tt01"
    id: Text
    title: str = ""
    applies_from: IsoDate = None
    applies_until: IsoDate = None
    levels: dict[str, Level] = Field(min_length=1)
    indicators: list[dict[str, Any]] = Field(min_length=1)  # each validated by its measure's model
    unit_grading: UnitGrading
    official_grading: OfficialGrading
    statuses: Statuses
    policies: dict[str, PolicySpec]
