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


def grade_run(run: Run) -> Result:
    """Load the run's quarter and grade it with the run's rule set and policies (each resolved once)."""
    inputs = load_quarter(run.data_dir, run.quarter, run.rules)
    return grade_inputs(inputs, run.rules, run.policies)
