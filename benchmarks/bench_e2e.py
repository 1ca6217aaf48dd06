"""A province's quarter graded end to end, as a user runs it, against a DuckDB floor doing the same work.

    python benchmarks/bench_e2e.py --rows 500000 [--xlsx] [--runs 3] [--keep DIR]
    python benchmarks/bench_e2e.py --scaling [--runs 1]          # 0.25, 0.5, 1 and 2 M rows
    python benchmarks/bench_e2e.py --scheme index --rows 500000  # an NĐ 118/2025 index quarter

1. ``scripts/make_province.py`` writes the province's export (30 agencies, 100 communes, ``--rows`` dossiers
   in one quarter; ``units.csv``, ``dossiers.csv`` — ``dossiers.xlsx`` with ``--xlsx`` — and
   ``self_assessment.csv``: the unit indicators come from the self-scores, as in ``bench_grade.py``).
2. ``tthc grade`` in a fresh process (``python -m tthc.cli grade`` with this worktree first on PYTHONPATH),
   writing every output (tables, XLSX, manifest).
3. the floor in a fresh process (``_e2e_floor.py``): DuckDB reads the CSV (python-calamine the XLSX), parses
   the dates and labels, writes the per-dossier points with the same reason texts to a CSV and computes the
   unit and officials' aggregates.

With ``--scheme index`` the export is one index quarter (2025-Q4) of ``scripts/make_province_2025.py
--dossiers`` (20 agencies, 60 communes, the v2 columns, petitions, evidence), graded by ``tthc grade`` on the
NĐ 118/2025 index, and the floor is ``_e2e_floor_index.py`` (the per-dossier table with the engine's reason
texts, every component's counts and points, groups, total, band and rank per unit); the engine's ``grades.csv``
is checked against the floor's ``units.csv`` (N, every group, the total, the band and the rank of every unit
and of the province).

The two alternate, ``--runs`` times each; times are wall clock from start to exit, peak memory is each
child's own peak RSS (``os.wait4``'s ``ru_maxrss``). The engine's ``grades.csv`` and ``officials.csv`` are
checked against the floor's aggregates (every unit total and result, every official's score and band); a
mismatch exits with 1. The final line (medians):

    e2e N rows: X s; duckdb floor D s; ratio R; peak memory M MB
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "scripts"))

QUARTER = "2021-Q2"
#: The index scheme's quarter (every v2 column present: nothing rescaled).
INDEX_QUARTER = "2025-Q4"
TABLES = ("dossiers", "self_assessment")
SCALING = (250_000, 500_000, 1_000_000, 2_000_000)


def make_export(folder: Path, rows: int, xlsx: bool, seed: int = 0, scheme: str = "tt01") -> Path:
    if scheme == "index":  # the sample's generator, one large quarter (its own fixed seed), in its own process:
        # its Python objects would stay in this one's memory, and a child's peak RSS starts from its parent's size
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_province_2025.py"), "--out", str(folder),
                        "--dossiers", str(rows), "--quarter", INDEX_QUARTER], check=True, stdout=subprocess.DEVNULL)
        return folder
    # in its own process too (this one's peak RSS would be the floor of every child's reading)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_province.py"), "--out", str(folder),
                    "--quarters", QUARTER, "--dossiers", str(rows), "--seed", str(seed), "--tables", *TABLES,
                    "--no-profile", *(["--xlsx"] if xlsx else [])], check=True, stdout=subprocess.DEVNULL)
    return folder


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one fresh child process; a failure stops the benchmark."""
    with tempfile.TemporaryFile() as log:
        t = time.perf_counter()
        # run from this checkout: ``python -m`` puts the working folder first on sys.path, before PYTHONPATH
        proc = subprocess.Popen(cmd, env=child_env(), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage: its peak RSS alone
        seconds = time.perf_counter() - t
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
            raise SystemExit(f"{' '.join(cmd[:5])} … exited with {code}")
    return seconds, usage.ru_maxrss / 1024


def engine_cmd(data: Path, out: Path, quarter: str = QUARTER) -> list[str]:
    return [sys.executable, "-m", "tthc.cli", "grade", "--quarter", quarter, "--data", str(data), "--out", str(out)]


def floor_cmd(data: Path, out: Path, scheme: str = "tt01") -> list[str]:
    script, quarter = ("_e2e_floor_index.py", INDEX_QUARTER) if scheme == "index" else ("_e2e_floor.py", QUARTER)
    return [sys.executable, str(HERE / script), "--data", str(data), "--quarter", quarter, "--out", str(out)]


def agreement(engine_out: Path, floor_out: Path) -> str:
    import pandas as pd
    from bench_grade import check

    grades = pd.read_csv(engine_out / "grades.csv", dtype=str, keep_default_na=False)
    officials = pd.read_csv(engine_out / "officials.csv", dtype=str, keep_default_na=False)
    db = pd.read_csv(floor_out / "units.csv", dtype={"unit_id": str}, keep_default_na=False)
    db["total10"] = pd.to_numeric(db["total10"], errors="coerce")
    db_off = pd.read_csv(floor_out / "officials.csv", dtype={"unit_id": str, "official": str})
    return check(grades, officials, db, db_off)


def index_agreement(engine_out: Path, floor_out: Path) -> str:
    """The engine's ``grades.csv`` against the floor's ``units.csv``: N, groups, total, band and rank of every unit
    (the floor's points in hundredths)."""
    import pandas as pd

    grades = pd.read_csv(engine_out / "grades.csv", dtype=str, keep_default_na=False).set_index("unit_id")
    db = pd.read_csv(floor_out / "units.csv", dtype=str, keep_default_na=False).set_index("unit_id")
    points = [c for c in db.columns if c.startswith("g")] + ["total100"]
    theirs = db[["dossiers", "result", "rank"]].copy()
    for col in points:
        theirs[col.removesuffix("100")] = [f"{int(v) / 100:.2f}" if v else "" for v in db[col]]
    mine = grades.reindex(index=theirs.index, columns=theirs.columns)
    differs = (mine != theirs).any(axis=1)
    if differs.any() or set(grades.index) != set(db.index):
        return (f"MISMATCH engine vs duckdb: {int(differs.sum())} of {len(db)} units differ "
                f"({', '.join(differs[differs].index[:5])}); units {len(grades)} vs {len(db)}")
    return f"engine = duckdb on {len(db)} units (the province and its units: N, groups, total, band, rank)"


def measure(rows: int, runs: int, xlsx: bool, work: Path, seed: int = 0, scheme: str = "tt01") -> dict:
    """Generate, then alternate engine and floor ``runs`` times; check the last outputs agree."""
    data = work / f"province-{rows}"
    quarter = INDEX_QUARTER if scheme == "index" else QUARTER
    t = time.perf_counter()
    make_export(data, rows, xlsx, seed, scheme)
    size = sum(p.stat().st_size for p in (data / quarter).iterdir()) / 2**20
    print(f"export{' (index)' if scheme == 'index' else ''}: {rows:,} dossiers, {'XLSX' if xlsx else 'CSV'}, "
          f"{size:,.0f} MB "
          f"(generated in {time.perf_counter() - t:.1f} s)", flush=True)
    e_times, e_peaks, f_times, f_peaks = [], [], [], []
    for k in range(runs):
        for out in (work / "engine", work / "floor"):
            shutil.rmtree(out, ignore_errors=True)
        s, m = run(engine_cmd(data, work / "engine", quarter))
        e_times.append(s)
        e_peaks.append(m)
        s, m = run(floor_cmd(data, work / "floor", scheme))
        f_times.append(s)
        f_peaks.append(m)
        print(f"run {k + 1}: tthc grade {e_times[-1]:.2f} s, {e_peaks[-1]:,.0f} MB; "
              f"duckdb floor {f_times[-1]:.2f} s, {f_peaks[-1]:,.0f} MB; load average {os.getloadavg()[0]:.1f}",
              flush=True)
    result = {"rows": rows, "engine": statistics.median(e_times), "floor": statistics.median(f_times),
              "peak": statistics.median(e_peaks), "floor_peak": statistics.median(f_peaks),
              "agreement": (index_agreement if scheme == "index" else agreement)(work / "engine", work / "floor")}
    shutil.rmtree(data, ignore_errors=True)
    print(result["agreement"], flush=True)
    return result


def line(r: dict) -> str:
    return (f"e2e {r['rows']} rows: {r['engine']:.2f} s; duckdb floor {r['floor']:.2f} s; "
            f"ratio {r['engine'] / r['floor']:.1f}; peak memory {r['peak']:.0f} MB")


def scaling_report(results: list[dict]) -> list[str]:
    """Each step against the one before: time against n log n, memory against n."""
    out = []
    for a, b in zip(results, results[1:], strict=False):
        n = b["rows"] / a["rows"]
        nlogn = n * math.log(b["rows"]) / math.log(a["rows"])
        t = b["engine"] / a["engine"]
        per_row = (b["peak"] - a["peak"]) * 2**20 / (b["rows"] - a["rows"])
        out.append(f"{a['rows']:,} → {b['rows']:,} rows (×{n:g}): time ×{t:.2f} (n log n ×{nlogn:.2f}: "
                   f"{'within' if t <= nlogn * 1.05 else 'WORSE'}); peak memory ×{b['peak'] / a['peak']:.2f}, "
                   f"{per_row:,.0f} bytes per added row")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--xlsx", action="store_true", help="the dossiers as an XLSX export (floor: python-calamine)")
    ap.add_argument("--runs", type=int, help="runs of each side, alternating (default 3; 1 with --scaling)")
    ap.add_argument("--scaling", action="store_true", help="0.25, 0.5, 1 and 2 M rows, one after the other")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scheme", choices=["tt01", "index"], default="tt01",
                    help="index: an NĐ 118/2025 index quarter (make_province_2025.py), floor _e2e_floor_index.py")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep the last outputs")
    args = ap.parse_args(argv)
    if args.scheme == "index" and args.xlsx:
        ap.error("--xlsx is for the TT 01 export only")
    runs = args.runs or (1 if args.scaling else 3)
    work = (args.keep or Path(tempfile.mkdtemp(prefix="tthc-e2e-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    try:
        sizes = SCALING if args.scaling else [args.rows]
        results = [measure(n, runs, args.xlsx, work, args.seed, args.scheme) for n in sizes]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    for r in results:
        print(f"floor peak memory {r['floor_peak']:.0f} MB at {r['rows']:,} rows")
    if args.scaling:
        for r in results[:-1]:
            print(line(r))
        print("\n".join(scaling_report(results)))
    print(line(results[-1]))
    return 1 if any(r["agreement"].startswith("MISMATCH") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
