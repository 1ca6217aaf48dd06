"""Reading an XLSX export of N dossiers with the project's loader, against openpyxl on the same file.

The file is what a one-stop system exports: a title row and a blank row above the header, Vietnamese
headers, native Excel dates, labels ("Trực tuyến"), counts, officials' names. Both sides are timed from the
file on disk to the data in memory:
- project: ``tthc.input.loading.load_quarter`` on a folder holding ``units.csv`` and the quarter's ``dossiers.xlsx``:
  calamine reading, header search, the contract's checks and parsing of every column, unit resolution and
  de-duplication, giving the canonical, typed table (datetimes, integers, codes);
- openpyxl: ``load_workbook(read_only=True, data_only=True)`` iterating every row's values into lists
  (no parsing at all: the floor a plain-Python reader cannot go below).

    python benchmarks/bench_load.py --rows 100000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _synth  # noqa: E402

QUARTER = "2021-Q2"


def write_export(folder: Path, rows: int, seed: int) -> Path:
    """An XLSX like the one-stop system's export (title rows above the header), written with openpyxl's
    write-only mode (fast and low-memory)."""
    from openpyxl import Workbook

    units = _synth.make_units(30, 100, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    _synth.export_units(units).to_csv(folder / "units.csv", index=False, encoding="utf-8-sig")
    path = folder / QUARTER / "dossiers.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    d = _synth.make_dossiers(rows, units, QUARTER, seed=seed)
    frame = _synth.export_dossiers(d, units, native_dates=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách hồ sơ")
    ws.append(["DANH SÁCH HỒ SƠ THỦ TỤC HÀNH CHÍNH ĐÃ TIẾP NHẬN, GIẢI QUYẾT QUÝ II NĂM 2021"])
    ws.append([])
    ws.append(list(frame.columns))
    cols = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns]
    for values in zip(*cols, strict=True):
        ws.append([v.to_pydatetime() if hasattr(v, "to_pydatetime") else v for v in values])
    wb.save(path)
    return path


def project_load(folder: Path):
    """``load_quarter`` on the folder: units.csv + the quarter's dossiers.xlsx, read, checked, parsed."""
    from tthc.input.loading import load_quarter
    from tthc.parameters.ruleset import load_ruleset
    from tthc.quarter import Quarter

    inputs = load_quarter(folder, Quarter.parse(QUARTER), load_ruleset("tt01-2018"))
    return inputs.table("dossiers"), inputs.findings


def openpyxl_load(path: Path):
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    rows = []
    for ws in wb.worksheets:
        rows.extend(list(r) for r in ws.iter_rows(values_only=True))
    wb.close()
    return rows


def timed(fn, *args, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each reader (median reported)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", type=Path, help="write the data folder here (kept) instead of a temporary one")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tthc-bench-load-") as tmp:
        folder = args.keep or Path(tmp) / "data"
        t = time.perf_counter()
        path = write_export(folder, args.rows, args.seed)
        size = path.stat().st_size / 2**20
        print(f"export: {args.rows:,} dossiers, {size:.1f} MB, written in {time.perf_counter() - t:.1f} s",
              flush=True)
        project_load(folder)  # warm the imports (pandas, calamine) outside the timing
        p_s, (frame, findings) = timed(project_load, folder, repeat=args.repeat)
        bad = [f for f in findings.items if f.severity != "info"]
        print(f"project loader: {p_s:.2f} s -> {len(frame):,} canonical rows, {len(bad)} findings "
              f"(received_at {frame['received_at'].dtype}, contacts {frame['contacts'].dtype})", flush=True)
        o_s, rows = timed(openpyxl_load, path, repeat=args.repeat)
        print(f"openpyxl read-only: {o_s:.2f} s -> {len(rows) - 3:,} data rows (values only, unparsed)", flush=True)
        if len(frame) != args.rows or len(rows) - 3 != args.rows:
            print("MISMATCH: row counts differ", flush=True)
    print(f"load {args.rows} rows: project loader {p_s:.2f} s; openpyxl {o_s:.2f} s; "
          f"speed-up {o_s / p_s:.1f}x (median of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
