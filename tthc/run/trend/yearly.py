"""The year's output folder, ``outputs/<profile>/<year>/``, written whole or not at all (``outputs.publish``).

- ``annual.csv``: one row per unit and segment (``annual.BASE_COLUMNS``: rule set, dossiers, quarters graded,
  annual total, result, rank), then per quarter of the year its total and result: the quarter-by-quarter table.
- ``annual.xlsx``: the annual table with Vietnamese headers, the quarter-by-quarter wide sheet (as
  ``trend.xlsx``'s), the units that fell a band, and each quarter's source.
- ``annual.json``: the method (``annual_method``), each quarter's source, rule set and grades' SHA-256, the
  tool's version (no time stamp).
- ``report.html`` (one self-contained page) and ``report.pdf``: the annual report (``tthc.report.annual``).
"""

from __future__ import annotations

import json

from tthc import __version__
from tthc.parameters.annual import ANNUAL_METHOD, LABELS
from tthc.report.annual import AnnualReportData, QuarterSummary, SegmentSummary, build_annual_report
from tthc.report.export import html_to_pdf
from tthc.run.outputs import csv_bytes
from tthc.run.trend import outputs as trend_outputs
from tthc.run.trend.annual import Year, method_note, year_quarters
from tthc.run.trend.sources import GRADED_NOW
from tthc.run.trend.workbook import Sheet, number_format, workbook_bytes

ANNUAL_HEADERS = {
    "rule_set": "Bộ quy tắc", "unit_id": "Mã đơn vị", "unit_name": "Tên đơn vị", "level": "Cấp",
    "dossiers": "Số hồ sơ cả năm", "quarters_graded": "Số quý được xếp loại", "total": "Tổng điểm cả năm",
    "result": "Xếp loại cả năm", "rank": "Thứ hạng trong cấp",
}


def report_data(year: Year) -> AnnualReportData:
    by_quarter = {qg.quarter: qg for qg in year.trend.quarters}
    missing = {m.quarter: m.reason for m in year.trend.missing}
    quarters = []
    for q in year_quarters(year.year):
        qg = by_quarter.get(q)
        # the units of the rule set's levels (not the index's own row for the whole province)
        rows = [r for r in qg.grades[["level", "result"]].to_dict("records") if r["level"] in qg.levels] \
            if qg is not None else []
        quarters.append(QuarterSummary(str(q), q.label_vi, rows, qg is not None and qg.source == GRADED_NOW,
                                       missing.get(q, "") if qg is None else ""))
    segments = [SegmentSummary(s.span, s.rules.id, s.rules.title, method_note(s, year.method),
                               s.table[s.table["level"].isin(list(s.quarters[-1].levels))], s.places,
                               [str(qg.quarter) for qg in s.quarters]) for s in year.segments]
    return AnnualReportData(year.name, year.year, year.method, quarters, segments, year.trend.falls, year.notes)


def render(year: Year, pdf: bool = True) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """Every file of the year's folder, and the report's warnings."""
    report = build_annual_report(report_data(year), LABELS[year.method])
    html = report.html.encode("utf-8")
    files = {
        "annual.csv": csv_bytes(year.table),
        "annual.xlsx": workbook_bytes(sheets(year)),
        "annual.json": (json.dumps(manifest(year), ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        "report.html": html,
    }
    if pdf:
        files["report.pdf"] = html_to_pdf(report.html)
    return files, report.warnings


def manifest(year: Year) -> dict:
    base = trend_outputs.manifest(year.trend, year_quarters(year.year)[0], year_quarters(year.year)[-1])
    return {
        "tool": {"name": "tthc", "version": __version__},
        "profile": year.name,
        "year": year.year,
        "annual_method": {"value": year.method, "default": ANNUAL_METHOD.default, "label": LABELS[year.method]},
        "segments": [{"rule_set": s.rules.id, "quarters": [str(qg.quarter) for qg in s.quarters],
                      "decimals": s.places} for s in year.segments],
        "quarters": base["quarters"],
        "missing": base["missing"],
        "breaks": base["breaks"],
    }


def sheets(year: Year) -> list[Sheet]:
    names = trend_outputs.level_names(year.trend)
    table = year.table.assign(level=year.table["level"].map(lambda c: names.get(c, c)))
    places = max((s.places for s in year.segments), default=1)
    headers = dict(ANNUAL_HEADERS)
    formats = {"total": number_format(places), "rank": "0", "dossiers": "0", "quarters_graded": "0"}
    for q in year_quarters(year.year):
        headers[f"total_{q}"] = f"Tổng điểm {q.label_vi}"
        headers[f"result_{q}"] = f"Xếp loại {q.label_vi}"
        formats[f"total_{q}"] = number_format(places)
    wide, wide_headers, wide_formats, separators = trend_outputs.wide(year.trend)
    all_sheets = trend_outputs.sheets(year.trend)
    return [
        Sheet("Kết quả năm", table, headers, formats),
        Sheet("Theo quý", wide, wide_headers, wide_formats, separators),
        *[s for s in all_sheets if s.name in ("Tụt bậc xếp loại", "Nguồn dữ liệu")],
    ]
