"""Eight synthetic provinces graded at once on a local Dask cluster of 1, 2 and 4 worker processes.

    python benchmarks/bench_batch.py                       # 8 provinces × 100 000 dossiers, 1 2 4 workers
    python benchmarks/bench_batch.py --dossiers 5000 --workers 1 2 --keep /tmp/bb    # while developing

1. ``scripts/make_province.py`` writes 8 provinces (30 agencies, 100 communes, ``--dossiers`` dossiers in
   2021-Q2, every quarter table; seeds 1–8) in a temporary folder. Province ``tinh-5`` is broken on purpose:
   its dossiers export lost the "Ngày tiếp nhận" (received date) column, so it cannot be graded.
2. A profile per province (``tinh-1`` … ``tinh-8``) is written in a temporary project home (``TTHC_HOME``:
   ``parameters/profiles`` of its own, ``parameters/rules`` linked to this checkout's): nothing is written in
   this checkout's ``parameters/``, ``data/`` or ``outputs/``.
3. For each worker count, in a fresh process as a user runs it:
   ``tthc batch --quarter 2021-Q2 --profiles tinh-1 … tinh-8 --grade-only --local-cluster N --out-root …``
   (``--grade-only``: read, check, grade and write the tables, XLSX and manifest of each province, as
   ``tthc grade`` does; no notebooks, no report).

Each run must exit with 3 (a task failed), print "7/8 tác vụ xong, 1 lỗi", report ``tinh-5`` as failed with
the missing column named, and write the seven others' ``grades.csv``; anything else stops the benchmark with
exit status 1. Printed per worker count: the command's wall time (process start to exit: imports, cluster
start and stop included), the cluster's start, the grading span (the batch's own wall time less the cluster's
start), the sum of the tasks' times, the CPU time of the command and all its processes (user + system, from
``getrusage(RUSAGE_CHILDREN)``) with the cores it used on average (CPU time ÷ wall: on a machine other work
keeps busy, this shows how much of the CPUs the batch got), speed-up and efficiency (speed-up ÷ workers) against
one worker, on the command's wall time and on the grading span.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "scripts"))

QUARTER = "2021-Q2"
PROVINCES = 8
BROKEN = "tinh-5"
DROPPED = "Ngày tiếp nhận"


def make_provinces(base: Path, dossiers: int) -> list[str]:
    """The provinces' data (``base/data/<name>``) and profiles (``base/home/parameters/profiles``)."""
    from make_province import make_province

    home = base / "home" / "parameters"
    (home / "profiles").mkdir(parents=True)
    for part in ("rules", "reports"):
        (home / part).symlink_to(ROOT / "parameters" / part, target_is_directory=True)
    names = []
    for k in range(1, PROVINCES + 1):
        name = f"tinh-{k}"
        folder = make_province(base / "data" / name, [QUARTER], dossiers=dossiers, seed=k)
        if name == BROKEN:
            drop_column(folder / QUARTER / "dossiers.csv", DROPPED)
        (home / "profiles" / f"{name}.yaml").write_text(
            f"title: Tỉnh tổng hợp {k} (dữ liệu giả lập)\ndata_dir: {folder}\npolicies: {{}}\n", encoding="utf-8")
        names.append(name)
    return names


def drop_column(path: Path, column: str) -> None:
    """Rename ``column`` in the header: the export no longer has it (the data rows are kept)."""
    text = path.read_text(encoding="utf-8-sig")
    header, rest = text.split("\n", 1)
    assert column in header.split(","), f"{column} not in {path}"
    path.write_text(header.replace(column, "Cột lạ") + "\n" + rest, encoding="utf-8-sig")


def run_batch(base: Path, names: list[str], workers: int) -> dict:
    out = base / "out" / f"w{workers}"
    env = dict(os.environ, TTHC_HOME=str(base / "home"),
               PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    cmd = [sys.executable, "-m", "tthc.cli", "batch", "--quarter", QUARTER, "--profiles", *names, "--grade-only",
           "--local-cluster", str(workers), "--out-root", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=base)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and every process it waited for
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    text = proc.stdout + proc.stderr
    problems = check(proc.returncode, proc.stdout, text, out, names)
    if problems:
        print(text, file=sys.stderr)
        sys.exit(f"bench_batch: {workers} worker(s): " + "; ".join(problems))
    batch = float(re.search(r"thời gian chạy cả đợt ([\d.]+) s", proc.stdout).group(1))
    start = float(re.search(r"cụm Dask cục bộ sẵn sàng: \d+ tiến trình worker, sau ([\d.]+) s", text).group(1))
    tasks = float(re.search(r"tổng thời gian các tác vụ ([\d.]+) s", proc.stdout).group(1))
    failed = next(line for line in proc.stdout.splitlines() if line.startswith(f"  - {BROKEN} "))
    return {"workers": workers, "wall": wall, "start": start, "span": batch - start, "tasks": tasks, "cpu": cpu,
            "failed": failed.strip()}


def check(code: int, stdout: str, text: str, out: Path, names: list[str]) -> list[str]:
    problems = []
    if code != 3:
        problems.append(f"exit status {code}, expected 3 (one task failed)")
    if f"{PROVINCES - 1}/{PROVINCES} tác vụ xong, 1 lỗi" not in stdout:
        problems.append("the summary does not say 7/8 done, 1 failed")
    if f"✗ {BROKEN} {QUARTER}: lỗi" not in text or "received_at" not in stdout:
        problems.append(f"{BROKEN} is not reported as failed with its missing column")
    for name in names:
        written = (out / name / QUARTER / "grades.csv").is_file()
        if written != (name != BROKEN):
            problems.append(f"{name}: grades.csv {'written' if written else 'missing'}")
    return problems


def autogroup() -> str:
    """Linux's autogroup scheduling shares the CPUs between sessions, not processes: with other sessions busy,
    a batch gets its session's share however many workers it starts."""
    try:
        on = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return "autogroup scheduling unknown"
    return f"autogroup scheduling {'on (CPUs shared per session)' if on else 'off'}"


def table(rows: list[dict]) -> str:
    one = rows[0]
    lines = ["| worker processes | command wall | cluster start | grading span | sum of task times | CPU time "
             "(cores used) | speed-up (wall / span) | efficiency (wall / span) |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        sw, ss = one["wall"] / r["wall"], one["span"] / r["span"]
        n = r["workers"] / one["workers"]
        lines.append(f"| {r['workers']} | {r['wall']:.1f} s | {r['start']:.1f} s | {r['span']:.1f} s | "
                     f"{r['tasks']:.1f} s | {r['cpu']:.1f} s ({r['cpu'] / r['wall']:.2f}) | {sw:.2f}× / {ss:.2f}× | "
                     f"{sw / n:.0%} / {ss / n:.0%} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dossiers", type=int, default=100_000, help="dossiers per province (one quarter)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="worker counts, the first the base")
    ap.add_argument("--keep", type=Path, help="build in this (new) folder and keep it")
    args = ap.parse_args(argv)
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        started = time.monotonic()
        names = make_provinces(base, args.dossiers)
        print(f"{PROVINCES} provinces × {args.dossiers:,} dossiers ({BROKEN} broken) in "
              f"{time.monotonic() - started:.1f} s; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}; "
              f"{autogroup()}", flush=True)
        rows = []
        for workers in args.workers:
            rows.append(run_batch(base, names, workers))
            r = rows[-1]
            print(f"{workers} worker(s): wall {r['wall']:.1f} s, cluster start {r['start']:.1f} s, grading span "
                  f"{r['span']:.1f} s, tasks {r['tasks']:.1f} s, CPU {r['cpu']:.1f} s; "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        print(f"failed as expected: {rows[0]['failed']}")
        print(table(rows))
        print(f"batch {PROVINCES}×{args.dossiers} rows: " + ", ".join(
            f"{r['workers']} workers {r['wall']:.1f} s" for r in rows) + " (7 ok, 1 failed each time)")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
