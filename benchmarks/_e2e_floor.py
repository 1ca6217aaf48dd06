"""The DuckDB floor of ``bench_e2e.py``: a quarter graded end to end in one fresh process, as a user's
command would, with nothing but DuckDB (and python-calamine for an XLSX export).

    python benchmarks/_e2e_floor.py --data DIR --quarter 2021-Q2 --out OUT

1. read the province's export: ``dossiers.csv`` with DuckDB's CSV reader (every cell as text), or
   ``dossiers.xlsx`` with python-calamine (the fastest XLSX reader) handed to DuckDB as an Arrow table;
   ``units.csv`` and ``self_assessment.csv`` (Vietnamese headers);
2. parse: dd/mm/yyyy hh:mm dates, channel labels to codes, counts to integers, blank officials to NULL;
3. per-dossier points of indicators 1, 2, 3, 4, 7 WITH the engine's reason texts, written to
   ``OUT/dossier_scores.csv``;
4. unit and officials' aggregates (``_floor_sql``: exact half-up means, totals with the self-scores, bands),
   written to ``OUT/units.csv`` and ``OUT/officials.csv`` for the benchmark's cross-check.
"""

from __future__ import annotations

import argparse
import calendar
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb  # noqa: E402
from _floor_sql import aggregate_sql  # noqa: E402

#: Vietnamese headers of the export (``_synth.DOSSIER_HEADERS``) → canonical names.
HEADERS = {
    "Mã hồ sơ": "dossier_id", "Mã đơn vị": "unit_id", "Tên thủ tục": "procedure", "Ngày tiếp nhận": "received_at",
    "Ngày hẹn trả": "due_at", "Ngày có kết quả": "finished_at", "Hình thức nộp": "channel",
    "Số lần bổ sung": "contacts", "Số lần do lỗi người nộp": "contacts_applicant",
    "Số cơ quan phải liên hệ": "agencies_contacted", "Cán bộ xử lý": "official",
}
PARSE = """
CREATE TABLE dossiers AS SELECT
    "Mã hồ sơ" AS dossier_id, "Mã đơn vị" AS unit_id, "Tên thủ tục" AS procedure,
    {received} AS received_at, {due} AS due_at, {finished} AS finished_at,
    CASE "Hình thức nộp" WHEN 'Trực tuyến' THEN 'truc_tuyen' WHEN 'Trực tiếp' THEN 'truc_tiep' ELSE 'bcci' END
        AS channel,
    CAST("Số lần bổ sung" AS INTEGER) AS contacts, CAST("Số lần do lỗi người nộp" AS INTEGER) AS contacts_applicant,
    CAST("Số cơ quan phải liên hệ" AS INTEGER) AS agencies_contacted,
    NULLIF(trim(CAST("Cán bộ xử lý" AS VARCHAR)), '') AS official, false AS field_check
FROM raw
"""
TEXT_DATE = "strptime(CAST({0} AS VARCHAR), '%d/%m/%Y %H:%M')"
DAY = "strftime(CAST({0} AS DATE), '%d/%m/%Y')"
TIMING = """CASE WHEN fin < due THEN 'trước hạn' WHEN fin = due THEN 'đúng hạn' ELSE 'sau hạn' END"""
DOSSIER_SCORES = """
COPY (
    WITH pop AS (
        SELECT *, CAST(finished_at AS DATE) AS fin, CAST(due_at AS DATE) AS due,
               greatest(contacts - coalesce(contacts_applicant, 0), 0) AS eff
        FROM dossiers
        WHERE finished_at IS NOT NULL AND CAST(finished_at AS DATE) BETWEEN DATE '{start}' AND DATE '{end}'
    ), pts AS (
        SELECT *, CASE WHEN fin < due THEN 2 WHEN fin = due THEN 1 ELSE 0 END AS t,
               'có kết quả ' || {fin_text} || ', hẹn trả ' || {due_text} || ': ' || {timing} AS timing_text
        FROM pop
    )
    SELECT dossier_id, unit_id, official, procedure, channel,
           strftime(CAST(received_at AS DATE), '%Y-%m-%d') AS received_at, strftime(due, '%Y-%m-%d') AS due_at,
           strftime(fin, '%Y-%m-%d') AS finished_at,
           t AS i1, timing_text AS i1_reason,
           t AS i2, 'Không có dữ liệu từng bước: bước của đơn vị là toàn bộ hồ sơ; ' || timing_text AS i2_reason,
           CASE WHEN eff <= 0 THEN 2 WHEN eff <= 1 THEN 1 ELSE 0 END AS i3,
           'Số lần phải bổ sung ' || contacts || ', do người nộp ' || coalesce(contacts_applicant, 0)
               || ': tính ' || eff || ' lần' AS i3_reason,
           CASE WHEN agencies_contacted <= 0 THEN 2 WHEN agencies_contacted <= 1 THEN 1 ELSE 0 END AS i4,
           'Phải liên hệ ' || agencies_contacted || ' cơ quan' AS i4_reason,
           t AS i7, timing_text
               || CASE WHEN t = 0 THEN '; không có phản ánh nhưng trễ hạn nên không đạt điều kiện 2 hoặc 1 điểm'
                       ELSE '' END
               || ' (không có tệp complaints: chỉ xét thời hạn)' AS i7_reason
    FROM pts
) TO '{path}' (HEADER, DELIMITER ',')
"""


def read_raw(con, folder: Path) -> str:
    """The dossiers' cells as table ``raw``; returns the date parser the cells need."""
    csv = folder / "dossiers.csv"
    if csv.is_file():
        con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{csv}', header = true, all_varchar = true)")
        return TEXT_DATE
    import pyarrow as pa
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(folder / "dossiers.xlsx")).get_sheet_by_index(0).to_python()
    header, body = rows[0], rows[1:]
    columns = {}
    for name, values in zip(header, zip(*body, strict=True), strict=True):
        if name in HEADERS:
            columns[name] = pa.array([None if v == "" else v for v in values], from_pandas=True)
    raw = pa.table(columns)  # noqa: F841 - DuckDB reads the local variable by name
    con.execute("CREATE TABLE raw AS SELECT * FROM raw")
    return "CAST({0} AS TIMESTAMP)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--quarter", required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    year, q = int(args.quarter[:4]), int(args.quarter[-1])
    start = f"{year}-{3 * q - 2:02d}-01"
    end = f"{year}-{3 * q:02d}-{calendar.monthrange(year, 3 * q)[1]:02d}"
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    when = read_raw(con, args.data / args.quarter)
    con.execute(PARSE.format(received=when.format('"Ngày tiếp nhận"'), due=when.format('"Ngày hẹn trả"'),
                             finished=when.format('"Ngày có kết quả"')))
    con.execute("DROP TABLE raw")
    con.execute(f"""CREATE TABLE units AS SELECT "Mã đơn vị" AS unit_id
                    FROM read_csv('{args.data / "units.csv"}', header = true, all_varchar = true)""")
    scores = ", ".join(f'CAST("Chỉ số {i}" AS DOUBLE) AS i{i}' for i in range(1, 10))
    con.execute(f"""CREATE TABLE self_assessment AS SELECT "Mã đơn vị" AS unit_id, {scores}
                    FROM read_csv('{args.data / args.quarter / "self_assessment.csv"}', header = true,
                                  all_varchar = true)""")
    con.execute(DOSSIER_SCORES.format(start=start, end=end, fin_text=DAY.format("fin"), due_text=DAY.format("due"),
                                      timing=TIMING, path=out / "dossier_scores.csv"))
    unit_sql, official_sql = aggregate_sql(start, end)
    con.execute(f"COPY ({unit_sql}) TO '{out / 'units.csv'}' (HEADER, DELIMITER ',')")
    con.execute(f"COPY ({official_sql}) TO '{out / 'officials.csv'}' (HEADER, DELIMITER ',')")
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
