"""``findings.xlsx``: the findings as an analyst works through them.

Two sheets. "Phát hiện": errors first, then warnings, then information; each finding on its own row, except
information repeated many times in one file (``GROUP_AT`` rows or more of one code, such as the dossiers
outside the period): one row per (file, code) with the count and the rows ("12–40, 55, …"). "Chi tiết": every
finding on its own row, in the same severity order. Both carry the Vietnamese severity, a Vietnamese label
for the code where one is known (the code keeps its own column), a suggestion where a fix is known and the
finding gave none, and values written as the messages write them (``1,4``, not ``1.4``).

``findings.csv`` is not touched: it stays one row per finding, in the order found (the contract).
"""

from __future__ import annotations

import re

import pandas as pd

from tthc.input.findings import SEVERITIES, SEVERITY_VI
from tthc.input.schemas import RULES
from tthc.run.excel import Sheet, book_bytes, numbers, period_label

#: Information of one code repeated this many times in one file is shown as one row on the first sheet.
GROUP_AT = 10
#: Runs of rows listed in a grouped row before "…".
RUNS_SHOWN = 8

#: Vietnamese labels of the codes the checks and grading raise (the input rules' own labels are added).
LABELS = {
    "outside_period": "Hồ sơ ngoài kỳ đánh giá",
    "open": "Hồ sơ chưa có kết quả, chưa đến hạn",
    "open_overdue": "Hồ sơ chưa có kết quả, đã quá hạn",
    "override": "Điều chỉnh điểm",
    "bad_override": "Điều chỉnh điểm không hợp lệ",
    "self_score_gap": "Tự chấm khác điểm thẩm định",
    "self_accepted": "Chấm theo kết quả tự chấm",
    "unknown_unit": "Đơn vị không có trong danh mục",
    "bad_level": "Cấp đơn vị không nhận ra",
    "bad_bool": "Giá trị có/không không hợp lệ",
    "duplicate_id": "Mã trùng",
    "duplicate_row": "Dòng trùng",
    "broken_link": "Tham chiếu không khớp",
    "ambiguous_file": "Hai tệp cho cùng một bảng",
    "missing_file": "Thiếu tệp",
    "missing_folder": "Thiếu thư mục quý",
    "empty_file": "Tệp không có dòng dữ liệu",
    "unreadable": "Không đọc được tệp",
    "encoding": "Bảng mã của tệp",
    "numbering_row": "Dòng đánh số cột",
    "sheet": "Trang tính",
    "sheet_skipped": "Trang tính bỏ qua",
    "steps_without_finish": "Bước xử lý chưa có ngày xong",
    "step_outside_population": "Bước xử lý của hồ sơ không được chấm",
    "no_official": "Không ghi cán bộ xử lý",
    "month_first": "Ngày ghi theo kiểu tháng trước",
    "dates_unreadable": "Không đọc được cột ngày",
    "date_order_conflict": "Thứ tự ngày/tháng mâu thuẫn",
    "date_locale_mixup": "Lẫn kiểu ghi ngày",
    "agencies_system": "Danh mục cơ quan của hệ thống",
    "contacts_system": "Danh bạ của hệ thống",
}
#: What to do, for codes whose fix is known, when the finding itself gives no suggestion.
SUGGESTIONS = {
    "outside_period": "Không cần sửa: hồ sơ được chấm ở kỳ có ngày có kết quả.",
    "open": "Không cần sửa: hồ sơ được chấm ở kỳ có kết quả.",
    "open_overdue": "Nếu hồ sơ đã có kết quả, bổ sung 'Ngày có kết quả' trong tệp hồ sơ rồi chạy lại.",
    "unknown_unit": "Thêm đơn vị vào units.csv hoặc sửa mã đơn vị cho đúng danh mục.",
    "duplicate_id": "Giữ một dòng cho mỗi mã; xóa hoặc sửa dòng trùng.",
    "missing_file": "Đặt tệp vào thư mục của quý nếu có dữ liệu.",
    "required_blank": "Điền giá trị còn thiếu trong tệp nguồn rồi chạy lại.",
    "bad_override": "Sửa dòng điều chỉnh theo mẫu overrides.csv (đối tượng, chỉ số, điểm, lý do).",
}


def label(code: str) -> str:
    """The Vietnamese label of a finding code; blank when none is known."""
    if code in LABELS:
        return LABELS[code]
    rule = RULES.get(code)
    return rule.expected if rule is not None else ""


_DECIMAL = re.compile(r"-?\d+\.\d+")
_INTEGER = re.compile(r"-?\d+")


def shown_value(value: str, message: str = "") -> str:
    """A number as the message writes it: a decimal with a comma (``1.4`` -> ``1,4``); a whole number on one
    decimal when the message writes it so (``1`` -> ``1,0`` beside "tự chấm … là 1,0"); anything else as given."""
    if _DECIMAL.fullmatch(value):
        return value.replace(".", ",")
    if _INTEGER.fullmatch(value) and re.search(rf"(?<![\d,.]){re.escape(value)},0(?!\d)", message):
        return f"{value},0"
    return value


def row_runs(rows: list[int], shown: int = RUNS_SHOWN) -> str:
    """Rows as runs: ``[12, 13, 14, 40, 55]`` -> ``12–14, 40, 55``; more than ``shown`` runs end with ``…``."""
    runs: list[list[int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    parts = [str(a) if a == b else f"{a}–{b}" for a, b in runs[:shown]]
    return ", ".join(parts) + (", …" if len(runs) > shown else "")


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Errors, then warnings, then information; the order found within each (a stable sort)."""
    rank = frame["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    return frame.iloc[rank.argsort(kind="stable").to_numpy()].reset_index(drop=True)


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["label"] = out["code"].map(label)
    out["suggestion"] = out["suggestion"].where(out["suggestion"] != "", out["code"].map(SUGGESTIONS).fillna(""))
    numeric = out["value"].str.match(r"-?\d").fillna(False).to_numpy(dtype=bool)
    if numeric.any():
        out.loc[numeric, "value"] = [shown_value(v, m) for v, m in zip(out["value"][numeric], out["message"][numeric],
                                                                      strict=True)]
    out["severity"] = out["severity"].map(lambda s: SEVERITY_VI.get(s, s))
    return out


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """The first sheet's rows: every finding, repeated information grouped by (file, code) in the place of
    its first finding (``row`` as text: "27", or the runs of a group's rows; ``count``: findings in the row)."""
    frame = _ordered(frame)
    info = ((frame["severity"] == "info") & frame["row"].notna()).to_numpy(dtype=bool)
    keys = pd.MultiIndex.from_frame(frame[["file", "code"]])
    sizes = pd.Series(info.astype(int), index=keys).groupby(level=[0, 1], sort=False).sum()
    grouped = info & keys.isin(sizes[sizes >= GROUP_AT].index)
    out = frame.assign(row=frame["row"].astype("string").fillna(""), count=1)
    members = frame[grouped]
    for (_file, code), group in members.groupby(["file", "code"], sort=False):
        first = group.index[0]
        columns = group["column"].unique()
        text = label(code) or code
        out.loc[first, ["row", "count", "column", "value", "message"]] = [
            row_runs([int(r) for r in group["row"]]), len(group), columns[0] if len(columns) == 1 else "", "",
            f"{len(group)} phát hiện — {text}. Ví dụ, dòng {group['row'].iat[0]}: {group['message'].iat[0]} "
            "(đủ từng phát hiện ở trang Chi tiết)"]
    firsts = members.groupby(["file", "code"], sort=False).head(1).index
    keep = ~grouped | frame.index.isin(firsts)
    return out[keep].reset_index(drop=True)


HEADERS = {
    "severity": "Mức độ", "label": "Loại phát hiện", "file": "Tệp", "row": "Dòng", "count": "Số phát hiện",
    "column": "Cột", "value": "Giá trị", "message": "Nội dung", "suggestion": "Gợi ý", "code": "Mã phát hiện",
}
SUMMARY_COLUMNS = ["severity", "label", "file", "row", "count", "column", "value", "message", "suggestion", "code"]
DETAIL_COLUMNS = ["severity", "label", "file", "row", "column", "value", "message", "suggestion", "code"]


def findings_xlsx(result) -> bytes:
    frame = result.findings.frame()
    title = f"Phát hiện khi kiểm tra và chấm điểm — {period_label(result)}"
    return book_bytes([
        Sheet("Phát hiện", _readable(summary(frame))[SUMMARY_COLUMNS], HEADERS, numbers(integers=("row", "count")),
              title=title),
        Sheet("Chi tiết", _readable(_ordered(frame))[DETAIL_COLUMNS], HEADERS, numbers(integers=("row",)), title=title),
    ])
