"""One object per measure kind: the rule file's ``measure:`` names it, and it alone computes the points, words
the reasons and builds the audit's facts (a new kind needs nothing else)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from builders import dossier, write_quarter

from tthc.audit.explain import check_arithmetic, explain_dossier, explain_unit
from tthc.input.loading import load_quarter
from tthc.parameters.policies import resolve_policies
from tthc.parameters.ruleset import ruleset_for
from tthc.quarter import Quarter
from tthc.schemes.explanation import missing_leaf, row_leaf
from tthc.schemes.tt01.engine import grade_inputs
from tthc.schemes.tt01.measure import REGISTRY, DossierMeasure, UnitMeasure, UnitPoints, codes, measure_for, register
from tthc.schemes.tt01.measures import MEASURES
from tthc.schemes.tt01.unit_measures import UNIT_MEASURES

QUARTER = Quarter.parse("2021-Q2")
RULES = ruleset_for(QUARTER.bounds()[0])


def test_every_indicator_names_one_registered_measure_of_its_scope():
    for ind in RULES.indicators:
        m = measure_for(ind)
        assert m is REGISTRY[ind.measure] and m.scope == ind.scope and m.name == ind.measure
    assert set(MEASURES) == {i.measure for i in RULES.dossier_indicators}
    assert set(UNIT_MEASURES) == {i.measure for i in RULES.unit_indicators}
    assert not set(MEASURES) & set(UNIT_MEASURES)
    assert all(isinstance(m, DossierMeasure) for m in MEASURES.values())
    assert all(isinstance(m, UnitMeasure) for m in UNIT_MEASURES.values())


def test_an_unknown_measure_or_one_of_the_other_scope_is_refused_in_vietnamese():
    ind = RULES.dossier_indicators[0]
    with pytest.raises(ValueError, match=f"Chỉ số {ind.number}: không có phép đo 'khong_co'"):
        measure_for(replace(ind, measure="khong_co"))
    unit_ind = RULES.unit_indicators[0]
    with pytest.raises(ValueError, match="không có phép đo cấp đơn vị"):
        measure_for(replace(unit_ind, measure=ind.measure))  # a per-dossier kind named by a per-unit indicator


class _Odd(DossierMeasure):
    """A made-up kind: 2 points for an odd-numbered dossier, 0 for an even one."""

    def score(self, ctx, ind):
        d = ctx.dossiers
        odd = (pd.Series(range(len(d)), index=d.index) % 2 == 0).to_numpy()
        pts = np.where(odd, 2, 0).astype(np.int8)
        return pd.Series(pd.array(pts, dtype="Int8"), index=d.index), pd.Series(
            codes(np.where(odd, 0, 1), ["odd", "even"]), index=d.index)

    def reasons(self, pop, scores, ind, code):
        return "hồ sơ thứ " + code.map({"odd": "lẻ", "even": "chẵn"}).astype(object)

    def leaves(self, facts, idx, ind):
        return [row_leaf("dossiers", "phép-đo-thử", idx + 2, "theo phép đo thử")]


class _Fixed(UnitMeasure):
    """A made-up unit kind: always 1 point."""

    def score(self, ctx, ind):
        return UnitPoints(Decimal(1), "evidence", f"Phép đo thử của {ctx.unit['unit_id']}.")

    def children(self, facts, node, uid, score, ind):
        node.add(missing_leaf("", f"phép đo thử: {uid}"))


@pytest.fixture
def made_up_kinds():
    register("test_odd")(_Odd)
    register("test_fixed")(_Fixed)
    yield
    REGISTRY.pop("test_odd")
    REGISTRY.pop("test_fixed")


def test_a_new_measure_kind_is_graded_worded_and_explained_by_its_own_object(tmp_path, made_up_kinds):
    dossiers = [dossier(f"D{i}", finished="2021-04-11") for i in range(1, 4)]  # all late: 0 on timing
    root = write_quarter(tmp_path / "data", dossiers)
    first, publication = RULES.dossier_indicators[0], next(i for i in RULES.unit_indicators
                                                          if i.measure == "publication")
    rules = replace(RULES, indicators=tuple(
        replace(i, measure="test_odd") if i == first else replace(i, measure="test_fixed") if i == publication
        else i for i in RULES.indicators))
    inputs = load_quarter(root, QUARTER, rules)
    result = grade_inputs(inputs, rules, resolve_policies(rules, None, {}))
    scores = result.dossier_scores.set_index("dossier_id")
    assert list(scores[first.code]) == [2, 0, 2]
    assert list(scores[f"{first.code}_reason"]) == ["hồ sơ thứ lẻ", "hồ sơ thứ chẵn", "hồ sơ thứ lẻ"]
    h1 = next(u for u in result.units if u.unit_id == "H1")
    got = {s.number: s for s in h1.scores}
    assert got[first.number].points == Decimal("1.3")  # 4/3, rounded half up
    assert (got[publication.number].points, got[publication.number].reason) == (Decimal(1), "Phép đo thử của H1.")
    expl = explain_unit(result, "H1")
    assert check_arithmetic(expl) == []
    nodes = {n.data["number"]: n for n in expl.trees[0].walk() if n.kind == "indicator"}
    d2 = next(c for c in nodes[first.number].children if c.data["dossier_id"] == "D2")
    assert "hồ sơ thứ chẵn" in d2.text and [leaf.text for leaf in d2.children][-1] == "phép-đo-thử, dòng 3: " \
                                                                                      "theo phép đo thử"
    assert [c.text for c in nodes[publication.number].children] == ["phép đo thử: H1"]
    one = explain_dossier(result, "D3")
    assert any(leaf.source == {"file": "phép-đo-thử", "row": 4} for leaf in one.trees[0].leaves())
