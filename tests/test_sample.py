"""The bundled sample ``data/dien-bien-dong``: reproducible, up to date, and graded as the seed report.

The district's report for Quý II năm 2021 gives: cấp huyện 07 Xuất sắc, 05 chưa phát sinh hồ sơ,
01 Trung bình; cấp xã 07 Xuất sắc, 04 Tốt, 01 Trung bình, 02 chưa thực hiện chấm điểm; every official
completes 100 % and every surveyed citizen is satisfied.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from tthc.cli import main as tthc_main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "dien-bien-dong"
SCRIPT = ROOT / "scripts" / "make_sample.py"

SEED_COUNTS = {
    "huyen": {"Xuất sắc": 7, "Chưa phát sinh hồ sơ": 5, "Trung bình": 1},
    "xa": {"Xuất sắc": 7, "Tốt": 4, "Trung bình": 1, "Chưa thực hiện chấm điểm": 2},
}


def load_generator():
    spec = importlib.util.spec_from_file_location("make_sample", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def files(folder: Path) -> dict[str, bytes]:
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in paths}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def generator():
    return load_generator()


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, Path]:
    """The engine's output folder for each bundled quarter, default policies."""
    out = {}
    for quarter in ("2021-Q2", "2021-Q1", "2021-Q3", "2021-Q4"):
        folder = tmp_path_factory.mktemp(quarter) / "out"
        code = tthc_main(["grade", "--quarter", quarter, "--data", str(DATA), "--out", str(folder)])
        assert code == 0, f"tthc grade {quarter} exited with {code}"
        out[quarter] = folder
    return out


def test_generator_is_deterministic_and_bundled_data_is_current(generator, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert generator.main(["--out", str(first), "--quiet"]) == 0
    assert generator.main(["--out", str(second), "--quiet"]) == 0
    made = files(first)
    assert made == files(second), "two runs of make_sample.py differ"
    assert {"units.csv", *(f"2021-Q{n}/dossiers.xlsx" for n in range(1, 5))} <= made.keys()
    bundled = files(DATA)
    stale = sorted(name for name, data in made.items() if bundled.get(name) != data)
    assert not stale, f"data/dien-bien-dong is not what scripts/make_sample.py makes: {stale}"


def test_q2_reproduces_the_seed_report(graded):
    grades = read_csv(graded["2021-Q2"] / "grades.csv")
    assert len(grades) == 27
    counts = {
        level: dict(Counter(g["result"] for g in grades if g["level"] == level)) for level in SEED_COUNTS
    }
    assert counts == SEED_COUNTS
    officials = read_csv(graded["2021-Q2"] / "officials.csv")
    assert officials and {o["completion"] for o in officials} == {"100%"}
    assert all(float(o["score"]) >= 5 for o in officials)


def test_q2_every_surveyed_citizen_is_satisfied(graded):
    rows = read_csv(graded["2021-Q2"] / "satisfaction.csv")
    assert sum(int(r["forms"]) for r in rows) > 0
    assert all(int(r["dissatisfied"]) == 0 for r in rows)


@pytest.mark.parametrize("quarter", ["2021-Q2", "2021-Q1", "2021-Q3", "2021-Q4"])
def test_every_unit_gets_its_planned_result(generator, graded, quarter):
    plans = generator.PLANS[quarter]
    grades = {g["unit_id"]: g for g in read_csv(graded[quarter] / "grades.csv")}
    assert {uid: g["result"] for uid, g in grades.items()} == {uid: p.result for uid, p in plans.items()}
    for uid, g in grades.items():
        assert int(g["dossiers"]) == plans[uid].n, uid
        if g["total"]:  # comfortably inside its band: a rounding slip cannot change a grade
            total = float(g["total"])
            assert min(abs(total - bound) for bound in (15, 12, 9, 6)) >= 0.3 - 1e-9, (uid, total)


def test_q2_findings_flag_dossiers_outside_the_population(graded):
    findings = read_csv(graded["2021-Q2"] / "findings.csv")
    assert not [f for f in findings if f["severity"] == "error"]
    assert any(f["file"].endswith("dossiers.xlsx") for f in findings)
