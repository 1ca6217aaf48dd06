"""``grades.xlsx``: the grades laid out like the report's appendix, and the officials, ready to print.

Sheet "Xếp loại": a title row naming the quarter, then the units in the appendix's order (level by level, in
the rule set's order of levels, each level in ``grades.csv``'s order) and its columns: STT, level, unit, number
of dossiers, the indicators (TT 01/2018) or the groups under their names (the index), self-assessed and
appraised totals, result (and the index's rank and source). Sheet "Cán bộ": ``officials.csv`` (TT 01/2018: with
each official's indicators from ``official_indicators.csv``). Every sheet prints on A4 landscape, one page
wide, its header row on every page (``tthc.run.excel``).
"""

from __future__ import annotations

import pandas as pd

from tthc.run.excel import Sheet, book_bytes, numbers, period_label

GRADES_HEADERS = {
    "stt": "STT", "level": "Cấp", "unit_name": "Tên cơ quan, đơn vị", "unit_id": "Mã đơn vị",
    "dossiers": "Số hồ sơ", "self_total": "Tổng điểm tự chấm", "total": "Tổng điểm thẩm định",
    "result": "Xếp loại", "rank": "Hạng trong cấp", "source": "Nguồn điểm",
}
OFFICIALS_HEADERS = {
    "official": "Cán bộ, công chức", "unit_name": "Tên cơ quan, đơn vị", "unit_id": "Mã đơn vị",
    "dossiers": "Số hồ sơ", "score": "Tổng điểm", "completion": "Mức độ hoàn thành",
    "on_time_share": "Tỷ lệ hồ sơ đúng hạn", "petitions_about_conduct": "Phản ánh về thái độ, hành vi",
}
#: The index's source of a unit's points, as a reader says it.
SOURCES = {"portal": "Cổng Dịch vụ công", "recomputed": "tự tính từ dữ liệu", "mixed": "kết hợp"}


def in_appendix_order(grades: pd.DataFrame, levels: dict[str, str]) -> pd.DataFrame:
    """The rows level by level in ``levels``' order (other levels after), each level in its given order;
    ``stt`` numbers them 1, 2, … down the sheet and ``level`` holds the level's name."""
    order = {code: i for i, code in enumerate(levels)}
    rank = grades["level"].map(lambda c: order.get(c, len(order)))
    out = grades.iloc[rank.argsort(kind="stable").to_numpy()].reset_index(drop=True)
    out.insert(0, "stt", range(1, len(out) + 1))
    out["level"] = out["level"].map(lambda c: levels.get(c, c))
    return out


def _title(result, what: str) -> str:
    return f"{what} — {period_label(result)}"


def grades_xlsx(result) -> bytes:
    """TT 01/2018: the grades and the officials."""
    levels = {code: lvl.name for code, lvl in result.rules.levels.items()}
    grades = in_appendix_order(result.grades, levels)
    indicators = [c for c in grades.columns if c.startswith("i") and c[1:].isdigit()]
    headers = dict(GRADES_HEADERS)
    for ind in result.rules.indicators:  # the rule set's indicators, whatever their number
        headers.setdefault(ind.code, f"Chỉ số {ind.number}")
    columns = ["stt", "level", "unit_name", "unit_id", "dossiers", *indicators, "self_total", "total", "result"]
    columns += [c for c in grades.columns if c not in columns]
    officials = result.officials
    official_indicators = [c for c in officials.columns if c.startswith("i") and c[1:].isdigit()]
    officials = officials[["official", "unit_name", "unit_id", "dossiers", *official_indicators, "score",
                           "completion"]]
    return book_bytes([
        Sheet("Xếp loại", grades[columns], headers,
              numbers(decimals=(*indicators, "self_total", "total"), integers=("stt", "dossiers")),
              title=_title(result, "Kết quả chấm điểm giải quyết thủ tục hành chính")),
        Sheet("Cán bộ", officials, headers | OFFICIALS_HEADERS,
              numbers(decimals=(*official_indicators, "score"), integers=("dossiers",)),
              title=_title(result, "Kết quả giải quyết thủ tục hành chính của cán bộ, công chức")),
    ])


def index_grades_xlsx(result, grades: pd.DataFrame, officials: pd.DataFrame) -> bytes:
    """The NĐ 118/2025 index: ``grades.csv`` (groups under their names, two decimals) and ``officials.csv``."""
    rules = result.rules
    levels = {rules.province_level.code: rules.province_level.name}
    levels |= {code: lvl.name for code, lvl in rules.levels.items()}
    grades = in_appendix_order(grades, levels)
    grades["source"] = grades["source"].map(lambda s: SOURCES.get(s, s))
    groups = [g.column for g in rules.groups]
    headers = GRADES_HEADERS | {"total": "Chỉ số phục vụ (điểm)", "result": "Xếp loại"}
    headers |= {g.column: f"Nhóm {g.code}: {g.name}" for g in rules.groups}
    columns = ["stt", "level", "unit_name", "unit_id", "dossiers", *groups, "total", "result", "rank", "source"]
    columns += [c for c in grades.columns if c not in columns]
    names = grades.set_index("unit_id")["unit_name"]
    officials = officials.assign(unit_name=officials["unit_id"].map(names))
    officials = officials[["official", "unit_name", "unit_id", "dossiers", "on_time_share",
                           "petitions_about_conduct"]]
    return book_bytes([
        Sheet("Xếp loại", grades[columns], headers,
              numbers(integers=("stt", "dossiers", "rank"), two_decimals=(*groups, "total")),
              title=_title(result, "Chỉ số phục vụ người dân, doanh nghiệp")),
        Sheet("Cán bộ", officials, OFFICIALS_HEADERS,
              numbers(integers=("dossiers", "petitions_about_conduct"), percent=("on_time_share",)),
              title=_title(result, "Kết quả giải quyết thủ tục hành chính của cán bộ, công chức")),
    ])
