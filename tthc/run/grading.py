"""Grading orchestration: canonical tables in memory → the scheme's result."""

from __future__ import annotations

import pandas as pd

from tthc.input.frames import inputs_from_frames
from tthc.parameters.policies import resolve_policies
from tthc.parameters.ruleset import RuleSet, load_ruleset, ruleset_for
from tthc.quarter import Quarter
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
