"""The grading notebook's tables, read from a quarter's output folder, whichever scheme graded it (the manifest's
``scheme``): what was graded, results per level, each level's table of units, the officials, and, for the index,
the province's components. The notebook shows what these return; it holds no scheme's logic of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tthc.report import charts, index_charts
from tthc.report.index_inputs import scheme_of
from tthc.report.index_sentences import points as points_text
from tthc.vi import number

INDEX = "nd118"
TT01_HEADERS = {"unit_id": "Mã", "unit_name": "Đơn vị", "dossiers": "Số hồ sơ", "total": "Tổng thẩm định",
                "self_total": "Tổng tự chấm", "result": "Kết quả", **{f"i{n}": f"Chỉ số {n}" for n in range(1, 10)}}
INDEX_HEADERS = {"unit_id": "Mã", "unit_name": "Đơn vị", "dossiers": "Số hồ sơ tiếp nhận", "total": "Chỉ số (100)",
                 "source": "Nguồn điểm", "result": "Xếp loại", "rank": "Thứ hạng"}
SOURCES = {"portal": "Cổng DVCQG", "recomputed": "tự tính", "mixed": "Cổng và tự tính", "evidence": "số liệu tổng hợp",
           "missing": "không có số liệu", "not_applicable": "không áp dụng"}


def _manifest(out_dir: Path | str) -> dict:
    return json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8"))


def _table(out_dir: Path | str, name: str) -> pd.DataFrame:
    return pd.read_csv(Path(out_dir) / name, dtype=str, keep_default_na=False)


def summary(out_dir: Path | str) -> str:
    """One line (Markdown): what was graded and where it was written."""
    manifest, where = _manifest(out_dir), Path(out_dir)
    counts = manifest.get("counts", {})
    if manifest.get("scheme") == INDEX:
        grades = _table(out_dir, "grades.csv")
        province = grades[grades["unit_id"] == manifest["province_unit_id"]].iloc[0]
        index = f"{points_text(province['total'])} điểm, {province['result']}" if province["total"] else \
            province["result"]
        return (f"Đã chấm theo Bộ chỉ số 100 điểm: {number(counts.get('dossiers_in_n', 0))} hồ sơ tiếp nhận trong kỳ, "
                f"{number(counts.get('units', 0))} đơn vị; toàn tỉnh {index}; kết quả ghi tại `{where}`.")
    return (f"Đã chấm {counts.get('population', 0)} hồ sơ, {counts.get('units', 0)} đơn vị, "
            f"{counts.get('officials', 0)} cán bộ; kết quả ghi tại `{where}`.")


def _labels(out_dir: Path | str) -> tuple[dict[str, str], list[str]]:
    """Level names (the province's level first under the index) and the results' order (bands, then statuses)."""
    if scheme_of(out_dir) == INDEX:
        lab = index_charts.labels(out_dir)
        levels = {lab.province_level: "Toàn tỉnh", **lab.levels}
        return levels, [label for _low, label in lab.bands] + lab.statuses
    levels, bands, statuses = charts.labels_from_manifest(out_dir)
    return levels, bands + statuses


def results_by_level(out_dir: Path | str) -> pd.DataFrame:
    """How many units got each result, per level (bands best first, then statuses)."""
    grades = _table(out_dir, "grades.csv")
    levels, order = _labels(out_dir)
    counts = pd.crosstab(grades["level"].map(levels).fillna(grades["level"]), grades["result"])
    columns = [r for r in order if r in counts.columns] + [r for r in counts.columns if r not in order]
    rows = [name for name in levels.values() if name in counts.index]
    rows += [r for r in counts.index if r not in rows]
    return counts.loc[rows, columns].rename_axis(index="Cấp", columns="Kết quả")


def unit_tables(out_dir: Path | str) -> list[tuple[str, object]]:
    """``(level name, table)`` per level: the index's group points, index, source, band and rank; or TT 01's
    appraised indicators, totals and result."""
    grades = _table(out_dir, "grades.csv")
    levels, _order = _labels(out_dir)
    if scheme_of(out_dir) == INDEX:
        lab = index_charts.labels(out_dir)
        headers = {**INDEX_HEADERS, **{column: f"Nhóm {code} ({number(int(top))})"
                                       for code, column, _name, top in lab.groups}}
        texts = ("Đơn vị", "Nguồn điểm", "Xếp loại")
        grades = grades.assign(source=grades["source"].map(SOURCES).fillna(grades["source"]))
        precision = 2
    else:
        headers, texts, precision = TT01_HEADERS, ("Đơn vị", "Kết quả"), 1
    out = []
    for code, group in grades.groupby("level", sort=False):
        table = group.drop(columns="level").rename(columns=headers).set_index("Mã")
        numbers = [c for c in table.columns if c not in texts]
        table[numbers] = table[numbers].apply(lambda col: pd.to_numeric(col.replace("", pd.NA)))
        out.append((levels.get(code, code or "Không rõ cấp"), charts.vi_table(table, precision)))
    return out


def officials_note(out_dir: Path | str) -> str:
    if scheme_of(out_dir) == INDEX:
        return ("Theo NĐ 118/2025 cán bộ không được chấm điểm: số hồ sơ tiếp nhận trong kỳ đã xử lý, tỷ lệ đúng hạn "
                "(như chỉ tiêu 2.1) và số phản ánh về thái độ ghi mã một hồ sơ của cán bộ.")
    return "Mức hoàn thành nhiệm vụ (chỉ số 1, 2, 3, 4, 7)."


def officials_table(out_dir: Path | str):
    """Each official per unit: under the index, dossiers, on-time share and petitions about conduct; under TT 01,
    the indicators 1, 2, 3, 4, 7 and the completion."""
    officials = _table(out_dir, "officials.csv")
    if scheme_of(out_dir) == INDEX:
        table = officials.rename(columns={"official": "Cán bộ", "unit_id": "Mã đơn vị", "dossiers": "Số hồ sơ",
                                          "on_time_share": "Tỷ lệ đúng hạn",
                                          "petitions_about_conduct": "Phản ánh về thái độ"})
        numbers = ["Số hồ sơ", "Tỷ lệ đúng hạn", "Phản ánh về thái độ"]
        table[numbers] = table[numbers].apply(lambda col: pd.to_numeric(col.replace("", pd.NA)))
        return charts.vi_table(table, 4)
    officials = officials.merge(_table(out_dir, "official_indicators.csv"), on=["official", "unit_id"], how="left")
    officials = officials.rename(columns={
        "official": "Cán bộ", "unit_id": "Mã đơn vị", "unit_name": "Đơn vị", "dossiers": "Số hồ sơ", "score": "Điểm",
        "completion": "Mức hoàn thành", **{f"i{n}": f"Chỉ số {n}" for n in range(1, 10)}})
    numbers = [c for c in officials.columns if c == "Điểm" or c.startswith("Chỉ số")]
    officials[numbers] = officials[numbers].apply(pd.to_numeric)
    return charts.vi_table(officials)


def province_components(out_dir: Path | str):
    """Under the index, the province's 21 components: counts, points of the maximum, source; else a note."""
    if scheme_of(out_dir) != INDEX:
        return "Bộ quy tắc của quý không có chỉ tiêu theo Bộ chỉ số (xem bảng điểm đơn vị ở trên)."
    manifest = _manifest(out_dir)
    lab = index_charts.labels(out_dir)
    names = {code: name for code, _group, name, _top in lab.components}
    comps = _table(out_dir, "components.csv")
    mine = comps[comps["unit_id"] == manifest["province_unit_id"]]
    table = pd.DataFrame({
        "Chỉ tiêu": mine["component"], "Tên": mine["component"].map(names), "Tử số": mine["numerator"],
        "Mẫu số": mine["denominator"], "Điểm": mine["points"], "Tối đa": mine["max"],
        "Nguồn": mine["source"].map(SOURCES).fillna(mine["source"]), "Điểm của Cổng": mine["portal_points"],
        "Chênh lệch": mine["difference"]}).set_index("Chỉ tiêu")
    numbers = ["Tử số", "Mẫu số", "Điểm", "Tối đa", "Điểm của Cổng", "Chênh lệch"]
    table[numbers] = table[numbers].apply(lambda col: pd.to_numeric(col.replace("", pd.NA)))
    return charts.vi_table(table, 2)
