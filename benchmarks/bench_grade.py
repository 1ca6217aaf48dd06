"""Grading N in-memory dossiers with the engine, against two floors on the same table in the same run.

- engine: ``tthc.input.frames.grade_frames`` (an ``Inputs`` built in memory, then ``engine.grade_inputs``), up to
  the unit table (``Result.grades``) and the officials' table;
- pandas floor: per-dossier points for 1, 2, 3, 4, 7 with numpy, then one ``groupby('unit_id').mean()``;
- DuckDB floor: the whole aggregation in SQL (population, points, exact half-up means per unit and per
  official, unit totals with the self-scores of 5, 6, 8 and of 9 unless an online dossier is late or open
  past due, bands), returned as pandas frames.

The DuckDB results are checked against the engine's (every unit total and result, every official score); a
mismatch makes the script exit with 1 after its final line.
Times are the best of ``--repeat`` runs (each side in turn, same table; medians are printed too). Peak
memory is the process's peak RSS during the engine run (the largest over the repeats): Linux ``VmHWM``
after resetting it through ``/proc/self/clear_refs`` (else ``resource.getrusage`` ``ru_maxrss``, the whole
run's peak).

    python benchmarks/bench_grade.py --rows 1000000 [--strings loader|object|str|category] [--repeat 3]
        [--agencies 30] [--communes 100] [--open-share 0.01] [--seed 0] [--profile out.prof]
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _synth  # noqa: E402
import duckdb  # noqa: E402
from _floor_sql import aggregate_sql  # noqa: E402

from tthc.run.grading import grade_frames  # noqa: E402

QUARTER = "2021-Q2"


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_mb(resettable: bool) -> tuple[float, str]:
    if resettable:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024, "peak RSS during grade (VmHWM, reset before the run)"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "peak RSS of the whole process (ru_maxrss)"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- the table's column types -------------------------------------------------------------------------------

def loader_dtypes() -> dict:
    """The column types ``load_quarter`` gives a dossiers table today (read from a tiny generated folder), so
    the in-memory table looks exactly like a loaded one."""
    import tempfile

    from tthc.input.loading import load_quarter
    from tthc.parameters.ruleset import load_ruleset
    from tthc.quarter import Quarter

    with tempfile.TemporaryDirectory(prefix="tthc-bench-") as tmp:
        folder = Path(tmp)
        units = _synth.make_units(2, 2, seed=1)
        _synth.export_units(units).to_csv(folder / "units.csv", index=False)
        _synth.write_quarter(folder / QUARTER, _synth.make_quarter(units, 50, QUARTER, seed=1))
        table = load_quarter(folder, Quarter.parse(QUARTER), load_ruleset("tt01-2018")).table("dossiers")
    return dict(table.dtypes.items())


TEXT = ("dossier_id", "unit_id", "procedure", "channel", "official")


def with_strings(d: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``loader``: the loader's types; ``object``/``str``: every text column so; ``category``: ids as strings,
    the repeated labels (unit, procedure, channel, official) as categoricals."""
    if kind == "loader":
        types = loader_dtypes()
        return d.astype({c: t for c, t in types.items() if c in d.columns and t != d[c].dtype})
    if kind == "category":
        return d.astype({"dossier_id": "str", **{c: "category" for c in TEXT[1:]}})
    return d.astype({c: kind for c in TEXT})


# --- the engine --------------------------------------------------------------------------------------------

def run_engine(units, dossiers, self_assessment):
    result = grade_frames(QUARTER, units, dossiers, self_assessment=self_assessment)
    return result.grades, result.officials


# --- pandas floor ------------------------------------------------------------------------------------------

def pandas_floor(d: pd.DataFrame, start, end) -> pd.DataFrame:
    fin = d["finished_at"].to_numpy().astype("datetime64[D]")
    due = d["due_at"].to_numpy().astype("datetime64[D]")
    keep = ~np.isnat(fin) & (fin >= start) & (fin <= end)
    fin, due = fin[keep], due[keep]
    timing = np.select([fin < due, fin == due], [2, 1], 0).astype(np.int8)
    contacts = d["contacts"].to_numpy(dtype=np.int64, na_value=0)[keep]
    applicant = d["contacts_applicant"].to_numpy(dtype=np.int64, na_value=0)[keep]
    eff = np.maximum(contacts - applicant, 0)
    agencies = d["agencies_contacted"].to_numpy(dtype=np.int64, na_value=0)[keep]
    shift = d["field_check"].to_numpy(dtype=bool, na_value=False)[keep].astype(np.int64)
    points = pd.DataFrame({
        "unit_id": d["unit_id"].to_numpy()[keep],
        "i1": timing, "i2": timing,
        "i3": np.select([eff <= 0, eff <= 1], [2, 1], 0).astype(np.int8),
        "i4": np.select([agencies <= 0, agencies <= 1 + shift], [2, 1], 0).astype(np.int8),
        "i7": timing,
    })
    return points.groupby("unit_id", sort=True).mean()


# --- DuckDB floor (SQL in _floor_sql.py) -------------------------------------------------------------------

def duckdb_floor(units, dossiers, self_assessment, start, end):
    con = duckdb.connect()
    con.register("dossiers", dossiers)
    con.register("units", units)
    con.register("self_assessment", self_assessment)
    unit_sql, official_sql = aggregate_sql(start, end)
    grades = con.execute(unit_sql).df()
    officials = con.execute(official_sql).df()
    con.close()
    return grades, officials


def check(engine_grades, engine_officials, db_grades, db_officials) -> str:
    eg = engine_grades.set_index("unit_id")
    dg = db_grades.set_index("unit_id")
    totals = pd.to_numeric(eg["total"], errors="coerce").reindex(dg.index)
    db_totals = dg["total10"].astype("float") / 10
    scored = dg["result"].isin(["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"])
    bad_total = scored & ((totals - db_totals).abs() > 1e-9)
    bad_result = eg["result"].reindex(dg.index) != dg["result"]
    eo = engine_officials.set_index(["unit_id", "official"]).sort_index()
    do = db_officials.set_index(["unit_id", "official"]).sort_index()
    same_keys = eo.index.equals(do.index)
    bad_off = (not same_keys) or bool(((pd.to_numeric(eo["score"]) - do["score10"] / 10).abs() > 1e-9).any()
                                     or (eo["completion"] != do["completion"]).any())
    if bad_total.any() or bad_result.any() or bad_off:
        return (f"MISMATCH engine vs duckdb: {int(bad_total.sum())} totals, {int(bad_result.sum())} results, "
                f"officials {'differ' if bad_off else 'agree'}")
    return f"engine = duckdb on {len(dg)} units and {len(do)} officials"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--agencies", type=int, default=30)
    ap.add_argument("--communes", type=int, default=100)
    ap.add_argument("--open-share", type=float, default=0.01, help="share of dossiers still open at the end")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--strings", choices=["loader", "object", "str", "category"], default="loader",
                    help="types of the text columns (default: what load_quarter produces)")
    ap.add_argument("--repeat", type=int, help="runs of each side, medians (default 3 up to 2 M rows, else 1)")
    ap.add_argument("--profile", help="write a cProfile of the engine run to this file")
    args = ap.parse_args(argv)

    rss0 = rss_mb()
    t0 = time.perf_counter()
    units = _synth.make_units(args.agencies, args.communes, seed=args.seed)
    dossiers = _synth.make_dossiers(args.rows, units, QUARTER, seed=args.seed, open_share=args.open_share)
    selfs = _synth.make_self_assessment(units, seed=args.seed)
    dossiers = with_strings(dossiers, args.strings)
    kinds = ", ".join(f"{c} {dossiers[c].dtype}" for c in TEXT)
    table_mb = dossiers.memory_usage(deep=True).sum() / 2**20
    shallow_mb = dossiers.memory_usage(deep=False).sum() / 2**20
    print(f"table: {len(dossiers):,} dossiers, {len(units)} units, {dossiers['official'].nunique():,} officials; "
          f"{shallow_mb:,.0f} MB of arrays, {table_mb:,.0f} MB counting every string cell "
          f"(generated in {time.perf_counter() - t0:.1f} s; RSS now {rss_mb():,.0f} MB)\n"
          f"text columns ({args.strings}): {kinds}", flush=True)
    start, end = _synth.quarter_bounds(QUARTER)

    repeat = args.repeat or (3 if args.rows <= 2_000_000 else 1)
    p_times, d_times, x_times, peaks = [], [], [], []
    for _ in range(repeat):
        t = time.perf_counter()
        pfloor = pandas_floor(dossiers, start, end)
        p_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        db_grades, db_officials = duckdb_floor(units, dossiers, selfs, start, end)
        d_times.append(time.perf_counter() - t)
        del pfloor
        gc.collect()
        base = rss_mb()
        resettable = reset_peak()
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        t = time.perf_counter()
        grades, officials = run_engine(units, dossiers, selfs)
        x_times.append(time.perf_counter() - t)
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        peak, how = peak_mb(resettable)
        peaks.append(peak)
        print(f"pandas floor {p_times[-1]:.2f} s; duckdb floor {d_times[-1]:.2f} s; engine {x_times[-1]:.2f} s; "
              f"{how}: {peak:,.0f} MB ({peak - base:+,.0f} MB over the {base:,.0f} MB before it)", flush=True)
    # best of the repeats: other processes on the machine only ever add time
    p_s, d_s, x_s, peak = min(p_times), min(d_times), min(x_times), max(peaks)
    if repeat > 1:
        print(f"medians of {repeat}: engine {statistics.median(x_times):.2f} s; pandas floor "
              f"{statistics.median(p_times):.2f} s; duckdb floor {statistics.median(d_times):.2f} s; ratio "
              f"{statistics.median(x_times) / statistics.median(d_times):.1f}")
    agreement = check(grades, officials, db_grades, db_officials)
    print(agreement, flush=True)
    ratio = x_s / d_s
    print(f"peak memory = peak RSS of the process during the engine run (Linux VmHWM); less the {rss0:,.0f} MB "
          f"of the interpreter and libraries: {(peak - rss0) / table_mb:.1f}x the table's {table_mb:,.0f} MB "
          "(pandas deep size)")
    print(f"grade {args.rows} rows: {x_s:.2f} s; pandas floor {p_s:.2f} s; duckdb floor {d_s:.2f} s; "
          f"ratio to duckdb {ratio:.1f}; peak memory {peak:.0f} MB")
    return 1 if agreement.startswith("MISMATCH") else 0


if __name__ == "__main__":
    sys.exit(main())
