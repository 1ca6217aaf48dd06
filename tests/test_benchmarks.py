"""The benchmarks' cross-checks (not their timings): the engine and the DuckDB floor's SQL, written apart,
must agree on every unit total and result and every official's score on a synthetic province."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

duckdb = pytest.importorskip("duckdb", reason="the DuckDB floor needs the scale extra")

import bench_grade  # noqa: E402


@pytest.mark.parametrize("open_share", [0.0, 0.05])
def test_engine_agrees_with_duckdb_floor(capsys, open_share):
    code = bench_grade.main(["--rows", "20000", "--repeat", "1", "--agencies", "8", "--communes", "12",
                             "--open-share", str(open_share), "--seed", "3"])
    out = capsys.readouterr().out
    assert "engine = duckdb on 20 units" in out, out
    last = out.strip().splitlines()[-1]
    assert last.startswith("grade 20000 rows: ") and "ratio to duckdb" in last and "peak memory" in last
    assert code == 0


def test_mismatch_is_reported():
    import pandas as pd

    grades = pd.DataFrame({"unit_id": ["A"], "total": ["15.0"], "result": ["Xuất sắc"]})
    db = pd.DataFrame({"unit_id": ["A"], "total10": [149], "result": ["Tốt"]})
    officials = pd.DataFrame({"unit_id": ["A"], "official": ["X"], "score": ["6.0"], "completion": ["100%"]})
    db_off = pd.DataFrame({"unit_id": ["A"], "official": ["X"], "score10": [60], "completion": ["100%"]})
    assert bench_grade.check(grades, officials, db, db_off).startswith("MISMATCH engine vs duckdb: 1 totals, 1")


def test_end_to_end_benchmark_runs_both_commands_and_checks_them(capsys, tmp_path):
    import re

    import bench_e2e

    code = bench_e2e.main(["--rows", "3000", "--runs", "1", "--keep", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "engine = duckdb on 130 units" in out, out
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(r"e2e 3000 rows: [\d.]+ s; duckdb floor [\d.]+ s; ratio [\d.]+; peak memory \d+ MB", last)
    engine, floor = tmp_path / "engine", tmp_path / "floor"
    assert (engine / "dossier_scores.csv").is_file() and (floor / "dossier_scores.csv").is_file()
    # the floor writes the engine's per-dossier reason texts (same dossiers, same words)
    import pandas as pd

    mine = pd.read_csv(engine / "dossier_scores.csv", dtype=str).set_index("dossier_id").sort_index()
    theirs = pd.read_csv(floor / "dossier_scores.csv", dtype=str).set_index("dossier_id").sort_index()
    assert mine.index.equals(theirs.index) and len(theirs.columns) == 17
    for col in theirs.columns:  # ids, dates, points and reasons of 1, 2, 3, 4, 7
        assert mine[col].equals(theirs[col]), col
    # a floor that disagrees is caught
    units = pd.read_csv(floor / "units.csv", dtype={"unit_id": str})
    units.loc[units["result"] == "Tốt", "total10"] += 1
    units.to_csv(floor / "units.csv", index=False)
    assert bench_e2e.agreement(engine, floor).startswith("MISMATCH")


def test_scaling_report_compares_time_with_n_log_n_and_memory_per_row():
    import bench_e2e

    rows = [{"rows": 250_000, "engine": 2.0, "peak": 400.0}, {"rows": 500_000, "engine": 4.1, "peak": 700.0},
            {"rows": 1_000_000, "engine": 12.0, "peak": 1300.0}]
    lines = bench_e2e.scaling_report(rows)
    assert "within" in lines[0] and "×2.05" in lines[0] and "1,258 bytes per added row" in lines[0]
    assert "WORSE" in lines[1]


def test_index_end_to_end_benchmark_agrees_with_its_floor(capsys, tmp_path):
    """The index scheme (NĐ 118/2025): the floor's per-dossier table is the engine's (same bytes) and every
    unit's N, groups, total, band and rank agree; a floor that disagrees is caught."""
    import re

    import bench_e2e
    import pandas as pd

    code = bench_e2e.main(["--scheme", "index", "--rows", "2000", "--runs", "1", "--keep", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "engine = duckdb on 81 units" in out, out
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(r"e2e 2000 rows: [\d.]+ s; duckdb floor [\d.]+ s; ratio [\d.]+; peak memory \d+ MB", last)
    engine, floor = tmp_path / "engine", tmp_path / "floor"
    scores = (engine / "dossier_scores.csv").read_bytes()
    assert scores == (floor / "dossier_scores.csv").read_bytes() and scores.count(b"\n") > 1500
    units = pd.read_csv(floor / "units.csv", dtype=str, keep_default_na=False)
    assert units["result"].nunique() > 1 and (units["unit_id"] == "TINH").sum() == 1
    units.loc[units["unit_id"] == "X07", "g4"] = str(int(units.loc[units["unit_id"] == "X07", "g4"].iloc[0]) + 1)
    units.to_csv(floor / "units.csv", index=False)
    assert bench_e2e.index_agreement(engine, floor).startswith("MISMATCH engine vs duckdb: 1 of 81 units differ (X07)")
