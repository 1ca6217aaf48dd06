"""``grades.xlsx`` and ``findings.xlsx``: the CSV tables formatted for analysts.

Vietnamese headers, a frozen bold header row, column widths from the content, one-decimal number formats
(Excel shows them with the reader's decimal comma). The bytes are deterministic: fixed workbook
properties and fixed timestamps inside the zip, so the same result gives the same file.

Text is neutralised like the CSVs (``outputs.neutralise``): a cell starting with =, +, - or @ gets a
leading apostrophe and is always stored as text, never as a formula.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tthc.input.findings import SEVERITY_VI
from tthc.sanitize import safe_text

#: Every workbook says it was made at this moment (determinism; the manifest holds the real context).
FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ONE_DECIMAL = "0.0"
MAX_WIDTH = 60

GRADES_HEADERS = {
    "unit_id": "Mã đơn vị", "unit_name": "Tên đơn vị", "level": "Cấp", "dossiers": "Số hồ sơ",
    **{f"i{n}": f"Chỉ số {n}" for n in range(1, 10)},
    "total": "Tổng điểm thẩm định", "self_total": "Tổng điểm tự chấm", "result": "Kết quả xếp loại",
}
FINDINGS_HEADERS = {
    "severity": "Mức độ", "code": "Mã phát hiện", "file": "Tệp", "row": "Dòng", "column": "Cột",
    "value": "Giá trị", "message": "Nội dung", "suggestion": "Gợi ý",
}


def _safe_text(value: str) -> str:
    return safe_text(ILLEGAL_CHARACTERS_RE.sub("", value))


def workbook_bytes(frame: pd.DataFrame, headers: dict[str, str], sheet: str,
                   decimals: tuple[str, ...] = (), integers: tuple[str, ...] = ()) -> bytes:
    """One sheet: Vietnamese headers, frozen header row, widths, number formats; deterministic bytes."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    columns = list(frame.columns)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    widths = []
    for c, name in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c, value=_safe_text(headers.get(name, name)))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        widths.append(len(str(cell.value)))
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        for c, (name, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = ws.cell(row=r, column=c)
            number = _number(value) if name in decimals or name in integers else None
            if number is not None:
                cell.value = number
                cell.number_format = ONE_DECIMAL if name in decimals else "0"
                shown = f"{number:.1f}"
            else:
                text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
                cell.value = _safe_text(text) if text else None
                cell.data_type = "s"
                shown = text
            widths[c - 1] = max(widths[c - 1], min(len(shown), MAX_WIDTH))
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 6), MAX_WIDTH + 2)
    ws.freeze_panes = "A2"
    if len(frame):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    props = book.properties
    props.creator = "tthc"
    props.lastModifiedBy = "tthc"
    props.created = props.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _fix_zip(buffer.getvalue())


def _number(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if pd.isna(value) else float(value)
    text = str(value).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_CREATED = re.compile(rb"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)")


def _fix_zip(data: bytes) -> bytes:
    """The same archive with fixed entry timestamps and fixed document dates."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
                content = _CREATED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, content)
    return out.getvalue()


def grades_xlsx(result) -> bytes:
    grades = result.grades.copy()
    levels = {code: lvl.name for code, lvl in result.rules.levels.items()}
    grades["level"] = grades["level"].map(lambda c: levels.get(c, c))
    decimals = tuple(c for c in grades.columns if re.fullmatch(r"i\d+|total|self_total", c))
    headers = dict(GRADES_HEADERS)
    for ind in result.rules.indicators:
        headers.setdefault(ind.code, f"Chỉ số {ind.number}")
    return workbook_bytes(grades, headers, "Xếp loại", decimals=decimals, integers=("dossiers",))


def findings_xlsx(result) -> bytes:
    frame = result.findings.frame()
    frame["severity"] = frame["severity"].map(lambda s: SEVERITY_VI.get(s, s))
    frame["row"] = frame["row"].astype(object).where(frame["row"].notna(), None)
    return workbook_bytes(frame, FINDINGS_HEADERS, "Phát hiện", integers=("row",))
