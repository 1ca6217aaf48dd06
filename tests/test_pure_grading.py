"""Grading is a pure function: (loaded quarter, rule set, policies) → result, the loaded quarter untouched."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from tthc import PROJECT_ROOT
from tthc.input.loading import load_quarter
from tthc.parameters.policies import resolve_policies
from tthc.parameters.ruleset import ruleset_for
from tthc.quarter import Quarter
from tthc.run.outputs import render
from tthc.schemes.tt01.engine import grade_inputs

SAMPLE = PROJECT_ROOT / "data" / "dien-bien-dong"
QUARTER = Quarter.parse("2021-Q2")
RULES = ruleset_for(QUARTER.bounds()[0])


def snapshot(inputs) -> dict:
    """Everything of a loaded quarter, copied (to compare with the object later)."""
    return {
        "findings": list(inputs.findings.items),
        "accounting": {k: (a.read, dict(a.excluded)) for k, a in inputs.accounting.items()},
        "units": inputs.units.copy(deep=True),
        "tables": {k: None if v is None else v.copy(deep=True) for k, v in inputs.tables.items()},
        "columns": copy.deepcopy(inputs.columns),
        "headers": copy.deepcopy(inputs.headers),
        "files": copy.deepcopy(inputs.files),
    }


def assert_same(inputs, snap: dict) -> None:
    assert list(inputs.findings.items) == snap["findings"] and len(inputs.findings) == len(snap["findings"])
    assert {k: (a.read, dict(a.excluded)) for k, a in inputs.accounting.items()} == snap["accounting"]
    pd.testing.assert_frame_equal(inputs.units, snap["units"])
    assert inputs.tables.keys() == snap["tables"].keys()
    for name, frame in inputs.tables.items():
        if frame is None:
            assert snap["tables"][name] is None
        else:
            pd.testing.assert_frame_equal(frame, snap["tables"][name])
    assert (inputs.columns, inputs.headers, inputs.files) == (snap["columns"], snap["headers"], snap["files"])


@pytest.fixture(scope="module")
def loaded():
    return load_quarter(SAMPLE, QUARTER, RULES)


@pytest.mark.parametrize("choices", [{}, {"population": "resolved_or_overdue", "missing_indicator": "rescale_to_18"}])
def test_grading_a_loaded_quarter_twice_gives_the_same_result_and_leaves_it_alone(loaded, choices):
    policies = resolve_policies(RULES, None, choices)
    before = snapshot(loaded)
    first = grade_inputs(loaded, RULES, policies)
    assert_same(loaded, before)
    second = grade_inputs(loaded, RULES, policies)
    assert_same(loaded, before)
    assert render(first) == render(second)  # every output file, byte for byte
    assert first.findings.items == second.findings.items
    assert first.findings is not loaded.findings and first.findings is not second.findings
    # the result's own findings and accounting: the loader's, then the grading's
    assert first.findings.items[: len(before["findings"])] == before["findings"]
    assert len(first.findings) > len(before["findings"])  # the sample has rows outside the period, overrides…
    dossiers = loaded.files["dossiers"].label
    graded = first.accounting[dossiers]
    assert graded.read == before["accounting"][dossiers][0]
    assert sum(graded.excluded.values()) > sum(before["accounting"][dossiers][1].values())
    assert graded.used == len(first.scored)
    assert first.inputs.findings is first.findings and first.inputs.accounting is first.accounting


def test_grading_does_not_change_what_the_result_of_another_grading_holds(loaded):
    policies = resolve_policies(RULES, None, {})
    first = grade_inputs(loaded, RULES, policies)
    kept = render(first)
    grade_inputs(loaded, RULES, resolve_policies(RULES, None, {"population": "resolved_or_overdue"}))
    assert render(first) == kept
