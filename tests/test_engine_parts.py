"""The engine's building blocks on their own: exact group means, calendar days, deferred findings, the
population's rows, and the lazily built population frame."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tthc.input.findings import INFO, WARNING, Finding, Findings
from tthc.input.reading import ROW
from tthc.rounding import round_one
from tthc.schemes.tt01.grading import codes_in, group_means
from tthc.schemes.tt01.population import Period, add_day_columns, calendar_day, population_rows
from tthc.schemes.tt01.result import population_frame

PERIOD = Period(date(2021, 4, 1), date(2021, 6, 30))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 4), st.one_of(st.none(), st.integers(0, 2), st.integers(0, 5))), max_size=60),
       st.sampled_from(["half_up", "half_even"]))
def test_group_means_equal_exact_fractions(rows, rounding):
    groups = np.array([g for g, _p in rows], dtype=np.int64)
    points = pd.Series(pd.array([p for _g, p in rows], dtype="Int8"))
    got = group_means(groups, 5, points, rounding)
    for g in range(5):
        mine = [p for gg, p in rows if gg == g and p is not None]
        assert got.count[g] == len(mine) and got.total[g] == sum(mine)
        if mine:
            assert got.tenths[g] == int(round_one(Fraction(sum(mine), len(mine)), rounding) * 10)
            assert got.score(g, 1).points == round_one(Fraction(sum(mine), len(mine)), rounding)
        else:
            assert got.tenths[g] == -1 and got.score(g, 1).points is None


def test_group_means_half_up_on_ties():
    # 5/4 = 1.25 -> 1.3; 39/20 = 1.95 -> 2.0 (exact, no binary artefact)
    groups = np.array([0] * 4 + [1] * 20)
    points = pd.Series(pd.array([2, 1, 1, 1] + [2] * 19 + [1], dtype="Int8"))
    got = group_means(groups, 2, points, "half_up")
    assert list(got.tenths) == [13, 20]


def test_codes_in_maps_each_value_to_its_label_position():
    values = pd.Series(["B", "A", None, "Z", "B"], dtype="str")
    assert codes_in(values, ["A", "B"]).tolist() == [1, 0, -1, -1, 1]
    assert codes_in(pd.Series([], dtype=object), ["A"]).tolist() == []


@pytest.mark.parametrize("unit", ["datetime64[ns]", "datetime64[us]"])
def test_calendar_day_is_midnight_of_the_day(unit):
    raw = pd.Series(pd.to_datetime(["1969-12-31 23:59:59", "2021-04-05 13:45:10", None, "1900-01-01 00:00:01"]))
    raw = raw.astype(unit)
    got = calendar_day(raw)
    assert got.dtype == raw.dtype and got.equals(raw.dt.normalize())
    assert got.iloc[0] == pd.Timestamp("1969-12-31") and pd.isna(got.iloc[2])


def test_deferred_findings_keep_their_place_and_count():
    f = Findings()
    f.info("a", "first")
    built = []

    def build():
        built.append(1)
        return [Finding(WARNING, "b", "x.csv", r, "c", "", f"row {r}") for r in (2, 3)]

    f.defer(2, build)
    f.info("c", "last")
    f.defer(0, lambda: [])
    assert len(f) == 4 and not built  # counted, not built yet
    assert [x.code for x in f.items] == ["a", "b", "b", "c"]
    assert [x.row for x in f.items] == [None, 2, 3, None] and built == [1]  # built once
    assert len(f.errors) == 0 and len(f.frame()) == 4


def test_deferred_findings_must_match_their_count():
    f = Findings()
    f.defer(3, lambda: [Finding(INFO, "x", "", None, "", "", "m")])
    with pytest.raises(RuntimeError, match="1 built, 3 announced"):
        _ = f.items


def _dossiers():
    return add_day_columns(pd.DataFrame({
        "dossier_id": ["IN", "BEFORE", "AFTER", "OPEN_LATE", "OPEN_OK"],
        "received_at": pd.to_datetime(["2021-04-01", "2021-03-01", "2021-06-01", "2021-05-01", "2021-06-20"]),
        "due_at": pd.to_datetime(["2021-04-10", "2021-03-10", "2021-06-10", "2021-05-10", "2021-07-20"]),
        "finished_at": pd.to_datetime(["2021-04-09", "2021-03-09", "2021-07-02", None, None]),
        "_file": "dossiers.csv", ROW: [2, 3, 4, 5, 6],
    }))


@pytest.mark.parametrize("policy,kept", [("resolved_in_period", ["IN"]),
                                          ("resolved_or_overdue", ["IN", "AFTER", "OPEN_LATE"])])
def test_population_rows_and_their_findings(policy, kept):
    days, findings = _dossiers(), Findings()
    keep, open_overdue, excluded = population_rows(days, PERIOD, policy, findings)
    assert list(days.loc[keep, "dossier_id"]) == kept
    assert list(days.loc[open_overdue, "dossier_id"]) == [k for k in kept if k in ("AFTER", "OPEN_LATE")]
    assert sum(excluded.values()) == 5 - len(kept) == len(findings)
    named = {f.row for f in findings.items}
    assert named == {r for r, d in zip(days[ROW], days["dossier_id"], strict=True) if d not in kept}
    rows = np.flatnonzero(keep)  # as the engine does: the population's frame from the rows kept
    frame = population_frame(days, rows, pd.DataFrame({"open_overdue": open_overdue[rows]}))
    assert list(frame["dossier_id"]) == kept and list(frame.index) == list(range(len(kept)))
    assert list(frame.loc[frame["open_overdue"], "dossier_id"]) == [k for k in kept if k in ("AFTER", "OPEN_LATE")]


def _frames(n_open: int = 0):
    units = pd.DataFrame({"unit_id": ["H1", "X1"], "unit_name": ["Phòng A", "UBND xã B"], "level": ["huyen", "xa"]})
    finished = ["2021-04-08", "2021-04-09", "2021-04-20"] + [None] * n_open
    n = len(finished)
    dossiers = pd.DataFrame({
        "dossier_id": [f"D{i}" for i in range(n)], "unit_id": (["H1", "H1", "X1"] + ["X1"] * n_open),
        "received_at": pd.to_datetime(["2021-04-01"] * n), "due_at": pd.to_datetime(["2021-04-10"] * n),
        "finished_at": pd.to_datetime(finished), "channel": ["truc_tuyen", "truc_tiep", "truc_tiep"] + [None] * n_open,
        "contacts": pd.array([0, None, 2] + [0] * n_open, dtype="Int64"),
        "official": ["An", None, "Bình"] + ["Bình"] * n_open,
    })
    return units, dossiers


def test_population_frame_keeps_the_types_the_engine_added():
    from tthc.run.grading import grade_frames

    units, dossiers = _frames()
    r = grade_frames("2021-Q2", units, dossiers)
    assert str(r.population["agencies_val"].dtype) == "Int64"  # not floats: "0 cơ quan", never "0.0"
    reasons = r.dossier_scores.set_index("dossier_id")["i4_reason"]
    assert reasons["D0"].startswith("Không có cột số cơ quan: 0 cơ quan")
    assert pd.isna(r.population.at[1, "agencies_val"])
    assert list(r.population["dossier_id"]) == list(r.scored.index.map(lambda i: f"D{i}"))


def test_population_frame_is_built_from_the_rows_kept():
    from tthc.run.grading import grade_frames

    units, dossiers = _frames(n_open=2)
    r = grade_frames("2021-Q2", units, dossiers)
    assert r.rows is not None and list(r.rows) == [0, 1, 2]
    assert list(r.population["dossier_id"]) == ["D0", "D1", "D2"] and len(r.findings) >= 2
    assert {c for c in dossiers.columns} <= set(r.population.columns)
    # an official left blank is graded for the unit only, and said once per unit
    assert [f.message.split(" hồ sơ")[0] for f in r.findings.items if f.code == "no_official"] == ["1"]
    assert set(r.officials["official"]) == {"An", "Bình"}



def test_deferred_findings_survive_pickle_and_deepcopy():
    import copy
    import pickle

    f = Findings()
    f.defer(1, lambda: [Finding(INFO, "x", "a.csv", 2, "", "", "m")])
    f.info("y", "after")
    for g in (pickle.loads(pickle.dumps(f)), copy.deepcopy(f)):
        assert [x.code for x in g.items] == ["x", "y"] and len(g) == 2


def test_grading_leaves_the_callers_frame_alone():
    from tthc.input.frames import _canonical
    from tthc.run.grading import grade_frames
    from tthc.schemes.tt01.population import add_day_columns

    units, dossiers = _frames(n_open=2)
    # every canonical column, row numbers, file label and day columns: no copy is made before the engine
    frame = add_day_columns(_canonical("dossiers", dossiers)[0])
    before = list(frame.columns)
    r = grade_frames("2021-Q2", units, frame)
    assert list(frame.columns) == before
    frame.loc[:, "dossier_id"] = "CHANGED"  # changing the caller's frame later changes nothing graded
    assert list(r.population["dossier_id"]) == ["D0", "D1", "D2"]
    assert all("CHANGED" not in f.message for f in r.findings.items)


def test_vietnamese_decimal_of_negative_zero_is_zero():
    from decimal import Decimal

    from tthc.input.checks import _vi

    assert _vi(Decimal("-0.04")) == "0,0" and _vi(0) == "0,0" and _vi(Decimal("1.25")) == "1,3"


def test_cached_rule_set_keeps_the_path_its_caller_gave(tmp_path, monkeypatch):
    import shutil as sh

    from tthc.parameters.ruleset import RULES_DIR, load_ruleset

    sh.copy(RULES_DIR / "tt01-2018.yaml", tmp_path / "custom.yaml")
    monkeypatch.chdir(tmp_path)
    relative = load_ruleset("custom.yaml")
    monkeypatch.chdir(RULES_DIR)
    absolute = load_ruleset(tmp_path / "custom.yaml")
    assert str(relative.path) == "custom.yaml" and absolute.path == tmp_path / "custom.yaml"
    assert absolute.path.is_file() and load_ruleset(tmp_path / "custom.yaml") is absolute


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(-1, 5), st.one_of(st.none(), st.integers(0, 2))), max_size=60),
       st.lists(st.integers(-1, 2), min_size=6, max_size=6), st.sampled_from(["half_up", "half_even"]))
def test_means_summed_up_from_subgroups_equal_means_of_the_whole(rows, parent, rounding):
    """Units' means from their (unit, official) pairs equal the means computed on the units directly."""
    sub = np.array([g for g, _p in rows], dtype=np.int64)
    points = pd.Series(pd.array([p for _g, p in rows], dtype="Int8"))
    parent = np.array(parent, dtype=np.int64)
    direct_groups = np.where(sub >= 0, parent[np.maximum(sub, 0)], -1)
    direct = group_means(direct_groups, 3, points, rounding)
    rolled = group_means(sub, 6, points, rounding).rollup(parent, 3, rounding)
    assert list(rolled.count) == list(direct.count) and list(rolled.total) == list(direct.total)
    assert list(rolled.tenths) == list(direct.tenths)


def test_absent_columns_share_one_array_until_one_is_written():
    from tthc.input.frames import _canonical

    _units, dossiers = _frames()
    out, _present = _canonical("dossiers", dossiers)
    assert np.shares_memory(out["rating"].to_numpy(), out["e_result"].to_numpy())
    out.loc[0, "rating"] = "5"  # copy-on-write: the other absent columns stay blank
    assert out["e_result"].isna().all() and out["digitised"].isna().all() and out.at[0, "rating"] == "5"
    assert out["e_result"].dtype == object and "rating" not in dossiers.columns


@pytest.mark.parametrize("n_names", [4, 3_000_000])  # a lookup table; too many officials for one: hashing
def test_pairs_group_the_rows_by_unit_and_official(n_names):
    from tthc.schemes.tt01.engine import _Pairs

    rng = np.random.default_rng(5)
    unit = rng.integers(-1, 3, 400)
    official = rng.integers(-1, 4, 400)
    pairs = _Pairs(pd.DataFrame({"unit_code": unit, "official_code": official}), 3, n_names)
    g = pairs.groups
    assert ((g < 0) == (unit < 0)).all()  # no pair without a unit
    assert (pairs.unit[g[g >= 0]] == unit[unit >= 0]).all()
    assert (pairs.official[g[g >= 0]] == official[unit >= 0]).all()  # -1: no official
    assert pairs.rows.tolist() == np.bincount(g[g >= 0], minlength=len(pairs.keys)).tolist()
    assert pairs.rows.sum() == (unit >= 0).sum()
    used = pairs.rows > 0
    assert len(set(zip(pairs.unit[used], pairs.official[used], strict=True))) == used.sum()  # each pair once


@pytest.mark.parametrize("dtype", ["str", object, "category", pd.StringDtype("python")])
def test_codes_in_is_the_same_for_every_text_type(dtype):
    values = pd.Series(["B", "A", None, "Z", "B", "", "a"], dtype=dtype, index=[9, 8, 7, 6, 5, 4, 3])
    assert codes_in(values, ["A", "B", ""]).tolist() == [1, 0, -1, -1, 1, 2, -1]
    assert codes_in(values, []).tolist() == [-1] * 7 and codes_in(values.iloc[:0], ["A"]).tolist() == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(-2, 4)), st.booleans()), max_size=40),
       st.lists(st.integers(-1, 3), min_size=1, max_size=3), st.integers(0, 2))
def test_bands_give_the_first_band_that_holds(rows, limits, allowance):
    """Each value's points are those of the first band whose limit (plus the allowance above 0) it does not
    exceed; a missing value has none (-1)."""
    from tthc.schemes.tt01.measures import _bands

    bands = [{"at_most": limit, "points": 5 - i} for i, limit in enumerate(limits)] + [{"points": 0}]
    value = pd.Series(pd.array([v for v, _f in rows], dtype="Int64"))
    shift = np.array([f for _v, f in rows], dtype=np.int64) * allowance
    expected = [-1 if v is None else next(b["points"] for b in bands if b.get("at_most") is None
                                          or v <= b["at_most"] + (s if b["at_most"] > 0 else 0))
                for (v, _f), s in zip(rows, shift.tolist(), strict=True)]
    assert _bands(value, bands, shift).tolist() == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 4)), st.integers(0, 4), st.booleans()), max_size=40))
def test_timing_before_on_after_or_open_and_overdue(rows):
    from tthc.schemes.tt01.measure import DossierContext

    day = pd.Timestamp("2021-04-01")
    frame = pd.DataFrame({
        "finished_day": pd.Series([pd.NaT if f is None else day + pd.Timedelta(days=f) for f, _d, _o in rows],
                                  dtype="datetime64[ns]"),
        "due_day": pd.Series([day + pd.Timedelta(days=d) for _f, d, _o in rows], dtype="datetime64[ns]"),
        "open_overdue": [o for _f, _d, o in rows]})
    expected = [3 if o else 2 if f is None or f > d else 1 if f == d else 0 for f, d, o in rows]
    got = DossierContext(frame, PERIOD, {}, False).timing()
    assert got.dtype == np.int8 and got.tolist() == expected
