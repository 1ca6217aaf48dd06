"""Grading orchestration: a resolved run, or canonical tables in memory → the scheme's result."""

from __future__ import annotations

import pandas as pd

from tthc.input.frames import inputs_from_frames
from tthc.input.loading import load_quarter
from tthc.parameters.policies import resolve_policies
from tthc.parameters.ruleset import RuleSet, load_ruleset, ruleset_for
from tthc.quarter import Quarter
from tthc.run.resolve import Run
from tthc.schemes.tt01.engine import Result, grade_inputs


def grade_frames(quarter: Quarter | str, units: pd.DataFrame, dossiers: pd.DataFrame,
                 rules: RuleSet | str | None = None, policies: dict[str, str] | None = None,
                 **tables: pd.DataFrame | None) -> Result:
    """Grade in-memory canonical tables with the engine (``grade_inputs``)."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    if rules is None:
        rules = ruleset_for(quarter.bounds()[0])
    elif not isinstance(rules, RuleSet):
        rules = load_ruleset(rules)
    inputs = inputs_from_frames(quarter, units, dossiers, rules, **tables)
    return grade_inputs(inputs, rules, resolve_policies(rules, None, policies))


def is_index(result_or_rules) -> bool:
    """Whether a result (or a rule set) is of the NĐ 118/2025 service index."""
    rules = getattr(result_or_rules, "rules", result_or_rules)
    return getattr(rules, "scheme", "tt01") == "nd118"


def grade_run(run: Run):
    """Load the run's quarter and grade it with the run's rule set and policies (each resolved once), under
    the rule set's scheme: a TT 01/2018 ``Result`` or an index ``IndexResult``."""
    if is_index(run.rules):
        from tthc.schemes.nd118 import grade_index_quarter

        return grade_index_quarter(run.data_dir, run.quarter, run.rules, run.policies,
                                   province_unit_id=province_unit_id(run), province_name=province_name(run))
    inputs = load_quarter(run.data_dir, run.quarter, run.rules)
    return grade_inputs(inputs, run.rules, run.policies)


def province_unit_id(run: Run) -> str:
    """The id of the province's own row under the index (the profile's ``province_unit_id``, else ``TINH``)."""
    from tthc.schemes.nd118.grading import DEFAULT_PROVINCE_ID

    return str((run.profile.settings if run.profile else {}).get("province_unit_id") or DEFAULT_PROVINCE_ID)


def province_name(run: Run) -> str | None:
    """The province's name for its own row: the profile's title."""
    return run.profile.title if run.profile else None
