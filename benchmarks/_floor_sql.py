"""The DuckDB floor's SQL, shared by ``bench_grade.py`` (in-memory table) and ``_e2e_floor.py`` (end to end).

The aggregation the engine does, written apart from it: the population (finished inside the period), the
per-dossier points of indicators 1, 2, 3, 4 and 7, exact half-up means to tenths per unit and per official,
unit totals with the self-scores of 5, 6, 8, and of 9 unless an online dossier is late or open past due, and
the bands. Both expect tables ``dossiers`` (canonical columns), ``units`` and ``self_assessment``.
"""

SQL = """
WITH pop AS (
    SELECT unit_id, official,
           CAST(finished_at AS DATE) AS fin, CAST(due_at AS DATE) AS due,
           CASE WHEN contacts IS NULL THEN NULL
                ELSE greatest(contacts - coalesce(contacts_applicant, 0), 0) END AS eff,
           coalesce(agencies_contacted, CASE WHEN contacts > 0 THEN 1 ELSE 0 END) AS ag,
           CASE WHEN coalesce(field_check, false) THEN 1 ELSE 0 END AS fc,
           coalesce(channel = 'truc_tuyen', false) AS online
    FROM dossiers
    WHERE finished_at IS NOT NULL AND CAST(finished_at AS DATE) BETWEEN DATE '{start}' AND DATE '{end}'
), pts AS (
    SELECT unit_id, official,
           CASE WHEN fin < due THEN 2 WHEN fin = due THEN 1 ELSE 0 END AS t,
           online AND fin > due AS online_late,
           CASE WHEN eff IS NULL THEN NULL WHEN eff <= 0 THEN 2 WHEN eff <= 1 THEN 1 ELSE 0 END AS i3,
           CASE WHEN ag IS NULL THEN NULL WHEN ag <= 0 THEN 2 WHEN ag <= 1 + fc THEN 1 ELSE 0 END AS i4
    FROM pop
),
"""
# exact half-up mean to tenths: floor((20 * sum + count) / (2 * count))
MEAN10 = "((20 * CAST(sum({c}) AS BIGINT) + count({c})) // (2 * count({c})))"
UNIT_SQL = SQL + """
per_unit AS (
    SELECT unit_id, count(*) AS dossiers,
           {m_t} AS i1, {m_t} AS i2, {m_3} AS i3, {m_4} AS i4, {m_t} AS i7,
           bool_or(online_late) AS online_late
    FROM pts GROUP BY unit_id
), open_late AS (  -- online dossiers still open at the period's end and already past due (indicator 9)
    SELECT DISTINCT unit_id FROM dossiers
    WHERE channel = 'truc_tuyen' AND CAST(received_at AS DATE) <= DATE '{end}' AND CAST(due_at AS DATE) < DATE '{end}'
      AND (finished_at IS NULL OR CAST(finished_at AS DATE) > DATE '{end}')
)
SELECT u.unit_id, coalesce(p.dossiers, 0) AS dossiers,
       p.i1 + p.i2 + p.i3 + p.i4 + p.i7
         + round(s.i5 * 10) + round(s.i6 * 10) + round(s.i8 * 10)
         + CASE WHEN p.online_late OR o.unit_id IS NOT NULL THEN 0 ELSE round(s.i9 * 10) END AS total10,
       CASE WHEN p.dossiers IS NULL THEN 'Chưa phát sinh hồ sơ'
            WHEN s.unit_id IS NULL THEN 'Chưa thực hiện chấm điểm'
            WHEN total10 >= 150 THEN 'Xuất sắc' WHEN total10 >= 120 THEN 'Tốt'
            WHEN total10 >= 90 THEN 'Khá' WHEN total10 >= 60 THEN 'Trung bình' ELSE 'Yếu' END AS result
FROM units u LEFT JOIN per_unit p USING (unit_id) LEFT JOIN self_assessment s USING (unit_id)
     LEFT JOIN open_late o USING (unit_id)
ORDER BY u.unit_id
"""
OFFICIAL_SQL = SQL + """
per_official AS (
    SELECT unit_id, official, count(*) AS dossiers,
           3 * {m_t} + {m_3} + {m_4} AS score10
    FROM pts WHERE official IS NOT NULL GROUP BY unit_id, official
)
SELECT unit_id, official, dossiers, score10,
       CASE WHEN score10 >= 50 THEN '100%' WHEN score10 >= 35 THEN '70% đến dưới 100%'
            ELSE 'dưới 70%' END AS completion
FROM per_official ORDER BY unit_id, official
"""


def aggregate_sql(start, end) -> tuple[str, str]:
    """The unit and the officials' queries for the period ``start``..``end`` (ISO dates)."""
    fmt = {"m_t": MEAN10.format(c="t"), "m_3": MEAN10.format(c="i3"), "m_4": MEAN10.format(c="i4")}
    return UNIT_SQL.format(start=start, end=end, **fmt), OFFICIAL_SQL.format(start=start, end=end, **fmt)
