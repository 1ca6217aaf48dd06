"""The trend's output folder, ``outputs/<profile>/trend-<from>-<to>/``, written whole or not at all.

- ``trend.csv``: one row per unit and graded quarter (``series.UNIT_COLUMNS``): total, result, rank, the quarter
  compared with, the changes of total, rank and band, the break flag and why.
- ``trend.xlsx``: the same for analysts, and more: a wide sheet (a unit per row, a quarter per column group, a
  dark column at a rule-set change), the means per level and score column, the units that fell a band or more,
  and where each quarter came from (its output folder, or graded now from its data folder).
- ``trend.json``: what the trend was built from (each quarter's source, rule set and the SHA-256 of the
  ``grades.csv`` used, the quarters missing, the breaks), the tool's version. No time stamp: the same inputs
  give the same bytes, in every file.
- ``charts/*.png``: ``xep_loai_theo_quy`` (unit × quarter), then per run of quarters under one rule set
  ``tong_diem_don_vi`` and ``trung_binh_chi_so`` (suffixed ``_1``, ``_2`` when the range holds a break).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from tthc import PROJECT_ROOT, __version__
from tthc.errors import RunFailed
from tthc.report import charts, trend_charts
from tthc.run.outputs import csv_bytes
from tthc.run.resolve import OUTPUTS
from tthc.run.trend.series import ALL_LEVELS, MISSING, Trend, segments
from tthc.run.trend.sources import GRADED_NOW
from tthc.run.trend.sources import OUTPUTS as FROM_OUTPUTS
from tthc.run.trend.workbook import Sheet, number_format, workbook_bytes

STATUS_VI = {FROM_OUTPUTS: "đã chấm (thư mục kết quả)", GRADED_NOW: "chấm lại trong bộ nhớ từ dữ liệu",
             MISSING: "chưa chấm, không có dữ liệu"}
UNIT_HEADERS = {
    "quarter": "Quý", "unit_id": "Mã đơn vị", "unit_name": "Tên đơn vị", "level": "Cấp", "rule_set": "Bộ quy tắc",
    "dossiers": "Số hồ sơ", "total": "Tổng điểm", "result": "Xếp loại", "band_order": "Bậc xếp loại (1 = cao nhất)",
    "rank": "Thứ hạng trong cấp", "compared_with": "So với quý", "total_change": "Thay đổi tổng điểm",
    "rank_change": "Thay đổi thứ hạng (+ là lên)", "band_change": "Thay đổi bậc xếp loại (+ là lên)",
    "break": "Đổi bộ quy tắc", "note": "Ghi chú",
}
AVERAGE_HEADERS = {"quarter": "Quý", "rule_set": "Bộ quy tắc", "level": "Cấp", "column": "Chỉ số / nhóm",
                   "units": "Số đơn vị được xếp loại", "mean": "Điểm trung bình", "change": "Thay đổi so với quý trước",
                   "break": "Đổi bộ quy tắc"}
FALL_HEADERS = {"quarter": "Quý", "compared_with": "So với quý", "unit_id": "Mã đơn vị", "unit_name": "Tên đơn vị",
                "level": "Cấp", "result_before": "Xếp loại quý trước", "result": "Xếp loại", "bands": "Số bậc giảm",
                "total_before": "Tổng điểm quý trước", "total": "Tổng điểm"}
SOURCE_HEADERS = {"quarter": "Quý", "status": "Nguồn kết quả", "where": "Thư mục", "rule_set": "Bộ quy tắc",
                  "scheme": "Phương pháp", "break": "Đổi bộ quy tắc", "policies": "Các chính sách đã áp dụng",
                  "note": "Ghi chú"}


def trend_dir(name: str, start: object, end: object) -> Path:
    return PROJECT_ROOT / OUTPUTS / name / f"trend-{start}-{end}"


def level_names(trend: Trend) -> dict[str, str]:
    names: dict[str, str] = {}
    for qg in trend.quarters:
        for code, name in qg.levels.items():
            names.setdefault(code, name)
    names[ALL_LEVELS] = "Tất cả các cấp"
    return names


def render(trend: Trend, start: object, end: object) -> dict[str, bytes]:
    """Every file of the trend's folder, by relative path."""
    files = {
        "trend.csv": csv_bytes(trend.units),
        "trend.xlsx": workbook_bytes(sheets(trend)),
        "trend.json": (json.dumps(manifest(trend, start, end), ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    }
    for name, fig in figures(trend).items():
        files[f"charts/{name}.png"] = charts.png_bytes(fig)
    return files


def manifest(trend: Trend, start: object, end: object) -> dict:
    return {
        "tool": {"name": "tthc", "version": __version__},
        "profile": trend.name,
        "from": str(start),
        "to": str(end),
        "quarters": [{
            "quarter": str(qg.quarter), "source": qg.source, "where": qg.where,
            "rule_set": {"id": qg.rules.id, "sha256": qg.rules.sha256}, "grades_sha256": qg.sha256,
            "policies": qg.policies, "notes": list(qg.notes),
        } for qg in trend.quarters],
        "missing": [{"quarter": str(m.quarter), "reason": m.reason} for m in trend.missing],
        "breaks": {str(q): note for q, note in sorted(trend.breaks.items())},
    }


def figures(trend: Trend) -> dict:
    quarters = [str(qg.quarter) for qg in trend.quarters]
    latest = trend.quarters[-1] if trend.quarters else None
    names = level_names(trend)
    out = {"xep_loai_theo_quy": trend_charts.heatmap(
        trend.units, quarters, names, latest.band_labels if latest else (), latest.statuses if latest else (),
        [str(q) for q in trend.breaks])}
    runs = segments(trend.quarters)
    for i, run in enumerate(runs, start=1):
        suffix = f"_{i}" if len(runs) > 1 else ""
        first = run[-1]
        span = [str(qg.quarter) for qg in run]
        scale = f" ({first.rules.id})" if len(runs) > 1 else ""
        out[f"tong_diem_don_vi{suffix}"] = trend_charts.small_multiples(
            trend.units, span, [(b.label, float(b.min)) for b in first.bands], float(first.scale_max), names,
            first.band_labels, title=f"Tổng điểm từng đơn vị qua các quý{scale}")
        out[f"trung_binh_chi_so{suffix}"] = trend_charts.level_means(
            trend.averages, span, trend.labels, ALL_LEVELS, {k: float(v) for k, v in first.score_maxima.items()},
            title=f"Điểm trung bình từng chỉ số qua các quý{scale}")
    return out


def _places(trend: Trend) -> int:
    return max((qg.places for qg in trend.quarters), default=1)


def wide(trend: Trend) -> tuple[pd.DataFrame, dict[str, str], dict[str, str], tuple[str, ...]]:
    """A unit per row, per quarter its total, result and rank; a separator column at each break."""
    names = level_names(trend)
    units = trend.units
    order = list(dict.fromkeys(units.iloc[::-1]["unit_id"]))[::-1] if not units.empty else []
    latest = units.drop_duplicates("unit_id", keep="last").set_index("unit_id") if not units.empty else None
    records = {(r["unit_id"], r["quarter"]): r for r in units.to_dict("records")}
    headers = {"unit_id": "Mã đơn vị", "unit_name": "Tên đơn vị", "level": "Cấp"}
    formats: dict[str, str] = {}
    separators: list[str] = []
    columns = ["unit_id", "unit_name", "level"]
    for qg in trend.quarters:
        q = str(qg.quarter)
        if qg.quarter in trend.breaks:
            sep = f"break_{q}"
            columns.append(sep)
            separators.append(sep)
            headers[sep] = "Đổi thang điểm"
        label = qg.quarter.label_vi
        for key, head in (("total", "Tổng điểm"), ("result", "Xếp loại"), ("rank", "Thứ hạng")):
            columns.append(f"{key}_{q}")
            headers[f"{key}_{q}"] = f"{head} {label}"
        formats[f"total_{q}"] = number_format(qg.places)
        formats[f"rank_{q}"] = "0"
    rows = []
    for uid in sorted(order, key=lambda u: _level_rank(latest.at[u, "level"], names)):
        row = {"unit_id": uid, "unit_name": latest.at[uid, "unit_name"],
               "level": names.get(latest.at[uid, "level"], latest.at[uid, "level"])}
        for qg in trend.quarters:
            q = str(qg.quarter)
            found = records.get((uid, q), {})
            row.update({f"total_{q}": found.get("total", ""), f"result_{q}": found.get("result", ""),
                        f"rank_{q}": found.get("rank", "")})
            if qg.quarter in trend.breaks:
                row[f"break_{q}"] = ""
        rows.append(row)
    return pd.DataFrame(rows, columns=columns), headers, formats, tuple(separators)


def _level_rank(level: str, names: dict[str, str]) -> int:
    order = list(names)
    return order.index(level) if level in order else len(order)


def sheets(trend: Trend) -> list[Sheet]:
    names = level_names(trend)
    places = _places(trend)
    frame, headers, formats, separators = wide(trend)
    units = trend.units.assign(level=trend.units["level"].map(lambda c: names.get(c, c)))
    averages = trend.averages.assign(level=trend.averages["level"].map(lambda c: names.get(c, c)),
                                     column=trend.averages["column"].map(lambda c: trend.labels.get(c, c)))
    falls = trend.falls.assign(level=trend.falls["level"].map(lambda c: names.get(c, c)))
    sources = trend.sources.assign(status=trend.sources["status"].map(lambda s: STATUS_VI.get(s, s)))
    score = number_format(places)
    signed = number_format(places, signed=True)
    return [
        Sheet("Theo đơn vị", frame, headers, formats, separators),
        Sheet("Biến động", units, UNIT_HEADERS, {"total": score, "total_change": signed, "rank": "0",
                                                 "rank_change": "+0;-0;0", "band_change": "+0;-0;0",
                                                 "dossiers": "0", "band_order": "0"}),
        Sheet("Trung bình theo cấp", averages, AVERAGE_HEADERS, {"mean": score, "change": signed, "units": "0"}),
        Sheet("Tụt bậc xếp loại", falls, FALL_HEADERS, {"total_before": score, "total": score, "bands": "0"}),
        Sheet("Nguồn dữ liệu", sources, SOURCE_HEADERS),
    ]


def publish(files: dict[str, bytes], out_dir: Path | str) -> Path:
    """Write ``files`` into a new sibling folder, then put it in place of ``out_dir`` in one rename (the old
    folder, if any, is moved aside first and removed after): the folder is whole or as it was."""
    out_dir = Path(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    except OSError as exc:
        raise RunFailed(f"Không tạo được thư mục kết quả {out_dir}: {exc.strerror}.") from exc
    old = None
    try:
        for name, data in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        umask = os.umask(0)
        os.umask(umask)
        for path in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
            path.chmod(0o777 & ~umask)
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
            os.replace(out_dir, old / out_dir.name)
        os.replace(tmp, out_dir)
    except OSError as exc:
        if old is not None and not out_dir.exists() and (old / out_dir.name).exists():
            os.replace(old / out_dir.name, out_dir)
        raise RunFailed(f"Không ghi được thư mục kết quả {out_dir}: {exc.strerror}; thư mục cũ giữ nguyên.") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return out_dir
