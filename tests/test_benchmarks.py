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
