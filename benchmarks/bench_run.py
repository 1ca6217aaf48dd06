"""``tthc run`` on the sample quarter against one papermill CLI run of a trivial three-cell notebook.

Both are timed as a user runs them: a fresh command (interpreter start, imports, kernel start, shutdown).
``tthc run`` executes the five notebooks (in one kernel) and exports HTML and PDF; the floor is the cost of
one papermill run of a notebook that does nothing. Several runs each, alternating, medians reported.

    python benchmarks/bench_run.py [--runs 5] [--quarter 2021-Q2] [--profile dien-bien-dong]

Exits 2 with a message when ``tthc run`` or the sample data is not there.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def trivial_notebook(path: Path) -> None:
    """Three code cells: a parameters cell, an assignment, a print."""
    cells = [
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": ["x = 1"], "outputs": [],
         "execution_count": None},
        {"cell_type": "code", "metadata": {}, "source": ["y = x + 1"], "outputs": [], "execution_count": None},
        {"cell_type": "code", "metadata": {}, "source": ["print(y)"], "outputs": [], "execution_count": None},
    ]
    nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                       "language_info": {"name": "python"}}}
    path.write_text(json.dumps(nb), encoding="utf-8")


def tool(name: str) -> str | None:
    candidate = BIN / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - t, proc


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quarter", default="2021-Q2")
    ap.add_argument("--profile", default="dien-bien-dong")
    args = ap.parse_args(argv)

    tthc, papermill = tool("tthc"), tool("papermill")
    if tthc is None or papermill is None:
        print("bench_run: cần lệnh 'tthc' và 'papermill' trong môi trường (pip install -e .).", file=sys.stderr)
        return 2
    if subprocess.run([tthc, "run", "--help"], capture_output=True, text=True).returncode != 0:
        print("bench_run: 'tthc run' chưa có (tthc/pipeline.py, tthc/commands/run.py); không đo được.",
              file=sys.stderr)
        return 2
    data = ROOT / "data" / args.profile / args.quarter
    if not data.is_dir():
        print(f"bench_run: chưa có dữ liệu mẫu {data.relative_to(ROOT)}; không đo được.", file=sys.stderr)
        return 2

    run_s, floor_s = [], []
    with tempfile.TemporaryDirectory(prefix="tthc-bench-run-") as tmp:
        tmp = Path(tmp)
        nb = tmp / "trivial.ipynb"
        trivial_notebook(nb)
        for i in range(args.runs):
            s, proc = timed([papermill, str(nb), str(tmp / f"trivial-out-{i}.ipynb"), "-p", "x", str(i),
                             "--no-progress-bar"])
            if proc.returncode != 0:
                print(f"papermill failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
                return 1
            floor_s.append(s)
            s, proc = timed([tthc, "run", "--quarter", args.quarter, "--profile", args.profile,
                             "--out", str(tmp / f"run-{i}")])
            if proc.returncode != 0:
                print(f"tthc run failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}", file=sys.stderr)
                return 1
            run_s.append(s)
            print(f"run {i + 1}/{args.runs}: tthc run {run_s[-1]:.2f} s; papermill trivial {floor_s[-1]:.2f} s",
                  flush=True)
    r, f = statistics.median(run_s), statistics.median(floor_s)
    print(f"run {args.profile} {args.quarter}: tthc run {r:.2f} s; papermill trivial notebook {f:.2f} s; "
          f"ratio {r / f:.1f} (median of {args.runs}; min {min(run_s):.2f} s / {min(floor_s):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
