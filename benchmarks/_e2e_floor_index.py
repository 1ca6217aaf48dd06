"""The DuckDB floor of ``bench_e2e.py --scheme index``: an index quarter (NĐ 118/2025) graded end to end in one
fresh process, with nothing but DuckDB (and the rule file's numbers).

    python benchmarks/_e2e_floor_index.py --data DIR --quarter 2025-Q4 --out OUT

For the exports ``scripts/make_province_2025.py`` writes (v2 columns, English or Vietnamese headers):

1. read ``dossiers.csv`` with DuckDB's CSV reader (every cell as text), ``complaints.csv``, ``index_evidence.csv``
   and ``units.csv``;
2. parse: dates (ISO or day-first), the 1/blank flags, the channel, the rating, the units' levels;
3. per dossier: in N, on time, the flags, named by a petition, satisfied, and the engine's reason text, written
   to ``OUT/dossier_scores.csv`` (the engine's columns);
4. per unit and for the province (every unit pooled): each component's numerator and denominator (the dossiers'
   shares, distinct procedures for 3.2/4.2 where the evidence gives no numerator, the evidence rows, the
   communes' e-certified copies, the petitions), exact half-up points (``full_at`` and maxima from the rule
   file), the groups, the total (rescaled to the known components' maxima), the band and the rank within the
   level; written to ``OUT/units.csv`` for the benchmark's cross-check.
"""

from __future__ import annotations

import argparse
import calendar
import sys
from fractions import Fraction
from pathlib import Path

import duckdb
import yaml

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "parameters" / "rules" / "nd118-2025.yaml"
PROVINCE = "TINH"
#: Vietnamese headers (``make_province_2025.VI_HEADERS``) → the contract's names.
VI = {"Mã hồ sơ": "dossier_id", "Mã đơn vị": "unit_id", "Tên thủ tục": "procedure", "Ngày tiếp nhận": "received_at",
      "Ngày hẹn trả": "due_at", "Ngày có kết quả": "finished_at", "Hình thức nộp": "channel",
      "Cán bộ xử lý": "official", "Đồng bộ DVCQG": "synced_on_time", "Có phí": "fee_required",
      "Thanh toán trực tuyến": "paid_online", "Kết quả điện tử": "e_result", "Đã số hóa": "digitised",
      "Tái sử dụng dữ liệu": "data_reused", "Kho dữ liệu cá nhân": "data_store_linked",
      "Dữ liệu dân cư": "population_data_used", "Đánh giá": "rating"}
FLAGS = ("synced_on_time", "fee_required", "paid_online", "e_result", "digitised", "data_reused", "data_store_linked",
         "population_data_used")
#: Component → the per-unit count columns of ``counts`` (numerator, denominator), for the dossiers' components.
DOSSIER_COUNTS = {"1.4": ("synced_on_time", "n"), "2.1": ("on_time", "n"), "3.3": ("online", "n"),
                  "4.1": ("paid_fee", "fee"), "5.1": ("e_result", "n"), "5.2": ("digitised", "n"),
                  "5.4": ("data_reused", "n"), "5.5": ("data_store_linked", "n"),
                  "5.6": ("population_data_used", "n"), "6.3": ("satisfied", "n")}
WHEN = "coalesce(try_strptime({0}, '%Y-%m-%d %H:%M'), try_strptime({0}, '%d/%m/%Y %H:%M'))"
DAY = "CAST(" + WHEN + " AS DATE)"
STATUS = """CASE WHEN NOT in_n THEN 'tiếp nhận ngoài kỳ: không thuộc N'
    WHEN done AND fin < due THEN 'có kết quả trước hạn' WHEN done AND fin = due THEN 'có kết quả đúng ngày hẹn trả'
    WHEN done THEN 'có kết quả sau hạn' WHEN due >= DATE '{end}' THEN 'chưa có kết quả đến hết kỳ, chưa đến hạn'
    ELSE 'chưa có kết quả đến hết kỳ, đã quá hạn' END"""
FACTS = """
CREATE TABLE d AS
WITH p AS (
    SELECT dossier_id, unit_id, procedure, rowid + 2 AS source_row, channel = 'Trực tuyến' AS online,
           {day_rec} AS rec, {day_due} AS due, {day_fin} AS fin, {flags},
           coalesce(lower(trim(rating)) IN ('không hài lòng', 'rất không hài lòng', 'chưa hài lòng'), false)
               AS rating_unsatisfied,
           dossier_id IN (SELECT dossier_id FROM complaints WHERE dossier_id IS NOT NULL) AS named
    FROM raw
), q AS (
    SELECT *, rec BETWEEN DATE '{start}' AND DATE '{end}' AS in_n,
           fin IS NOT NULL AND fin <= DATE '{end}' AS done FROM p
)
SELECT *, in_n AND due IS NOT NULL AND ((done AND fin <= due) OR (NOT done AND due >= DATE '{end}')) AS on_time
FROM q
"""
DOSSIER_SCORES = """
COPY (
    SELECT dossier_id, unit_id, strftime(rec, '%Y-%m-%d') AS received_at, strftime(due, '%Y-%m-%d') AS due_at,
           strftime(fin, '%Y-%m-%d') AS finished_at, CAST(in_n AS INT) AS in_n,
           CASE WHEN in_n THEN CAST(on_time AS INT) END AS on_time, CAST(online AS INT) AS online, {flags},
           CAST(rating_unsatisfied AS INT) AS rating_unsatisfied, CAST(named AS INT) AS petition,
           CASE WHEN in_n THEN CAST(on_time AND NOT named AND NOT rating_unsatisfied AS INT) END AS satisfied,
           {status} || ' (tiếp nhận ' || strftime(rec, '%d/%m/%Y') || ', hẹn trả ' || strftime(due, '%d/%m/%Y')
               || CASE WHEN fin IS NULL THEN ', chưa có kết quả)'
                       ELSE ', có kết quả ' || strftime(fin, '%d/%m/%Y') || ')' END AS reason,
           '{file}' AS source_file, source_row
    FROM d ORDER BY source_row
) TO '{path}' (HEADER, DELIMITER ',')
"""
COUNTS = """
CREATE TABLE counts AS
SELECT coalesce(unit_id, '{province}') AS unit_id, count(*) FILTER (in_n) AS n,
       count(*) FILTER (on_time) AS on_time, count(*) FILTER (in_n AND online) AS online,
       count(*) FILTER (in_n AND fee_required) AS fee, count(*) FILTER (in_n AND fee_required AND paid_online)
           AS paid_fee,
       {flag_counts},
       count(*) FILTER (on_time AND NOT named AND NOT rating_unsatisfied) AS satisfied,
       count(DISTINCT procedure) FILTER (in_n AND online) AS procs_online,
       count(DISTINCT procedure) FILTER (in_n AND fee_required AND paid_online) AS procs_paid
FROM d WHERE unit_id IN (SELECT unit_id FROM units) GROUP BY GROUPING SETS ((unit_id), ())
"""
PETITIONS = """
CREATE TABLE petitions AS
WITH p AS (
    SELECT unit_id, CAST({rec} AS DATE) AS rec, CAST(due_at AS DATE) AS due, {ans} AS ans,
           coalesce(rated_unsatisfied, '0') NOT IN ('', '0') AS unhappy, coalesce(re_raised, '0') NOT IN ('', '0')
               AS again
    FROM complaints WHERE unit_id IN (SELECT unit_id FROM units)
), s AS (
    SELECT *, ans IS NOT NULL AND ans <= DATE '{end}' AS done FROM p WHERE rec BETWEEN DATE '{start}' AND DATE '{end}'
), t AS (
    SELECT *, due IS NOT NULL AND ((done AND ans <= due) OR (NOT done AND due >= DATE '{end}')) AS on_time FROM s
)
SELECT coalesce(unit_id, '{province}') AS unit_id, count(*) AS n, count(*) FILTER (on_time) AS on_time,
       count(*) FILTER (on_time AND NOT unhappy AND NOT again) AS satisfied
FROM t GROUP BY GROUPING SETS ((unit_id), ())
"""
UNITS = """
CREATE TABLE units AS
SELECT unit_id, unit_name, CASE WHEN l IN ({xa}) THEN 'xa' WHEN l IN ({tinh}) THEN 'tinh' ELSE 'huyen' END AS level,
       coalesce(e_certified_copy, '0') NOT IN ('', '0') AS e_copy
FROM (SELECT *, lower(strip_accents(replace(replace(replace(level, '_', ' '), 'Đ', 'D'), 'đ', 'd'))) AS l
      FROM read_csv('{path}', header = true, all_varchar = true))
"""


def quarter_bounds(label: str) -> tuple[str, str]:
    year, q = int(label[:4]), int(label[-1])
    return f"{year}-{3 * q - 2:02d}-01", f"{year}-{3 * q:02d}-{calendar.monthrange(year, 3 * q)[1]:02d}"


def rule_numbers(path: Path = RULES) -> tuple[list[dict], list[tuple[int, str]], dict[str, list[str]]]:
    """The components (code, group, max, full_at as a fraction, full when empty), the bands and the levels'
    aliases, from the rule file (policies at their defaults)."""
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    policies = {k: v.get("default") for k, v in rules["policies"].items()}
    comps = []
    for c in rules["components"]:
        full_at = c["full_at"]
        full_at = Fraction(str(policies[full_at] if isinstance(full_at, str) else full_at))
        comps.append({"code": str(c["code"]), "group": str(c["group"]), "max": int(c["max"]), "fn": full_at.numerator,
                      "fd": full_at.denominator, "empty_full": c.get("when_empty") == "full"})
    bands = [(int(b["min"]), b["label"]) for b in rules["band_sets"]["default"]["bands"]]
    aliases = {code: [code, *lvl.get("aliases", [])] for code, lvl in rules["levels"].items()}
    return comps, bands, aliases


def component_rows(comps: list[dict]) -> str:
    """The long table ``figures(unit_id, code, num, den)``: every unit's and the province's counts."""
    parts = [f"SELECT unit_id, '{code}' AS code, {num} AS num, {den} AS den FROM counts"
             for code, (num, den) in DOSSIER_COUNTS.items()]
    everyone = f"(SELECT unit_id FROM units UNION ALL SELECT '{PROVINCE}')"
    for code, column in (("3.2", "procs_online"), ("4.2", "procs_paid")):  # evidence's numerator, else dossiers'
        parts.append(f"""SELECT e.unit_id, '{code}', coalesce(e.num, c.{column}), e.den FROM ev e
                         JOIN counts c USING (unit_id) WHERE e.code = '{code}'""")
    for code in ("3.1", "4.3", "5.7"):  # the unit's own row, else the ``*`` row
        parts.append(f"""SELECT u.unit_id, '{code}', coalesce(e.num, s.num), coalesce(e.den, s.den) FROM {everyone} u
                         LEFT JOIN ev e ON e.unit_id = u.unit_id AND e.code = '{code}'
                         LEFT JOIN ev s ON s.unit_id = '*' AND s.code = '{code}'
                         WHERE coalesce(e.den, s.den) IS NOT NULL""")
    for code in ("1.1", "1.2", "1.3"):  # province-wide: the ``*`` row for everyone
        parts.append(f"SELECT u.unit_id, '{code}', s.num, s.den FROM {everyone} u JOIN ev s "
                     f"ON s.unit_id = '*' AND s.code = '{code}'")
    parts.append(f"""SELECT u.unit_id, '5.3', x.num, x.den FROM {everyone} u, (SELECT count(*) FILTER (e_copy) AS num,
                     count(*) AS den FROM units WHERE level = 'xa') x""")
    for code, column in (("6.1", "on_time"), ("6.2", "satisfied")):
        parts.append(f"""SELECT u.unit_id, '{code}', coalesce(p.{column}, 0), coalesce(p.n, 0) FROM {everyone} u
                         LEFT JOIN petitions p USING (unit_id)""")
    assert {c["code"] for c in comps} == {*DOSSIER_COUNTS, "3.2", "4.2", "3.1", "4.3", "5.7", "1.1", "1.2", "1.3",
                                          "5.3", "6.1", "6.2"}
    return "CREATE TABLE figures AS " + "\nUNION ALL ".join(parts)


def grade_sql(comps: list[dict], bands: list[tuple[int, str]]) -> str:
    """Points in hundredths (exact half-up of max × min(1, num / den / full_at)), groups, total, band, rank."""
    spec = ", ".join(f"('{c['code']}', '{c['group']}', {c['max']}, {c['fn']}, {c['fd']}, {c['empty_full']})"
                     for c in comps)
    groups = sorted({c["group"] for c in comps})
    group_cols = ", ".join(f"sum(p100) FILTER (grp = '{g}') AS g{g}" for g in groups)
    band = " ".join(f"WHEN total100 >= {lo * 100} THEN '{label}'" for lo, label in bands)
    return f"""
WITH spec(code, grp, mx, fn, fd, empty_full) AS (VALUES {spec}),
pts AS (
    SELECT f.unit_id, s.grp, s.mx,
           CASE WHEN f.den = 0 THEN (CASE WHEN s.empty_full THEN s.mx * 100 ELSE 0 END)
                ELSE least(s.mx * 100, (2 * s.mx * 100 * CAST(f.num AS HUGEINT) * s.fd + f.den * s.fn)
                                       // (2 * f.den * s.fn)) END AS p100
    FROM figures f JOIN spec s USING (code)
), per_unit AS (
    SELECT unit_id, {group_cols},
           (2 * 100 * sum(p100) + sum(mx)) // (2 * sum(mx)) AS total100
    FROM pts GROUP BY unit_id
)
SELECT p.unit_id, coalesce(c.n, 0) AS dossiers, {", ".join(f"g{g}" for g in groups)}, total100,
       CASE {band} END AS result,
       CASE WHEN u.level IN ('tinh', 'xa') THEN rank() OVER (PARTITION BY u.level ORDER BY total100 DESC) END AS rank
FROM per_unit p LEFT JOIN counts c USING (unit_id) LEFT JOIN units u USING (unit_id)
ORDER BY p.unit_id
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--quarter", required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    start, end = quarter_bounds(args.quarter)
    folder = args.data / args.quarter
    args.out.mkdir(parents=True, exist_ok=True)
    comps, bands, aliases = rule_numbers()
    con = duckdb.connect()
    quoted = {k: ", ".join(f"'{a}'" for a in v) for k, v in aliases.items()}
    con.execute(UNITS.format(path=args.data / "units.csv", xa=quoted["xa"], tinh=quoted["tinh"]))
    con.execute(f"CREATE TABLE complaints AS SELECT * FROM read_csv('{folder / 'complaints.csv'}', header = true, "
                "all_varchar = true)")
    con.execute(f"""CREATE TABLE ev AS SELECT unit_id, CASE component WHEN 'FULL' THEN '3.1' ELSE component END AS code,
                    CAST(nullif(numerator, '') AS BIGINT) AS num, CAST(denominator AS BIGINT) AS den
                    FROM read_csv('{folder / 'index_evidence.csv'}', header = true, all_varchar = true)""")
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{folder / 'dossiers.csv'}', header = true, "
                "all_varchar = true)")
    for vi, name in VI.items():
        if vi in [c[0] for c in con.execute("DESCRIBE raw").fetchall()]:
            con.execute(f'ALTER TABLE raw RENAME "{vi}" TO {name}')
    columns = {c[0] for c in con.execute("DESCRIBE raw").fetchall()}
    flags = ", ".join(f"coalesce({f}, '0') NOT IN ('', '0') AS {f}" if f in columns else f"NULL AS {f}" for f in FLAGS)
    con.execute(FACTS.format(day_rec=DAY.format("received_at"), day_due=DAY.format("due_at"),
                             day_fin=DAY.format("finished_at"), flags=flags, start=start, end=end))
    con.execute("DROP TABLE raw")
    con.execute(DOSSIER_SCORES.format(
        flags=", ".join(f"CAST({f} AS INT) AS {f}" for f in FLAGS), status=STATUS.format(end=end),
        file=f"{args.quarter}/dossiers.csv", path=args.out / "dossier_scores.csv"))
    con.execute(COUNTS.format(province=PROVINCE, flag_counts=", ".join(
        f"count(*) FILTER (in_n AND {f}) AS {f}" for f in FLAGS)))
    con.execute(PETITIONS.format(rec=WHEN.format("received_at"), ans=DAY.format("answered_at"), start=start, end=end,
                                 province=PROVINCE))
    con.execute(component_rows(comps))
    con.execute(f"COPY ({grade_sql(comps, bands)}) TO '{args.out / 'units.csv'}' (HEADER, DELIMITER ',')")
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
