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
import tempfile
import zipfile
from datetime import datetime

import numpy as np
import pandas as pd

from tthc.input.findings import SEVERITY_VI
from tthc.sanitize import CANDIDATE, safe_text

#: Every workbook says it was made at this moment (determinism; the manifest holds the real context).
FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ONE_DECIMAL = "0.0"
MAX_WIDTH = 60
#: Control characters an XLSX cannot hold (openpyxl's ``ILLEGAL_CHARACTERS_RE``): removed from text.
ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

GRADES_HEADERS = {
    "unit_id": "Mã đơn vị", "unit_name": "Tên đơn vị", "level": "Cấp", "dossiers": "Số hồ sơ",
    "total": "Tổng điểm thẩm định", "self_total": "Tổng điểm tự chấm", "result": "Kết quả xếp loại",
}
FINDINGS_HEADERS = {
    "severity": "Mức độ", "code": "Mã phát hiện", "file": "Tệp", "row": "Dòng", "column": "Cột",
    "value": "Giá trị", "message": "Nội dung", "suggestion": "Gợi ý",
}


def _safe_text(value: str) -> str:
    return safe_text(ILLEGAL.sub("", value))


def _safe_texts(texts: pd.Series) -> pd.Series:
    """``_safe_text`` on a column of text: only the cells that need it are touched one by one."""
    illegal = texts.str.contains(ILLEGAL, regex=True).to_numpy(dtype=bool)
    if illegal.any():
        texts = texts.where(~illegal, texts.str.replace(ILLEGAL, "", regex=True))
    risky = texts.str.match(CANDIDATE).fillna(False).to_numpy(dtype=bool)
    if risky.any():
        texts = texts.where(~risky, texts[risky].map(safe_text))
    return texts


def _column(values: pd.Series, number: bool) -> tuple[list, int]:
    """The cells of one column (None blank, float a number, str text) and the width of the widest, as shown."""
    if number and (pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_float_dtype(values.dtype)):
        floats = values.to_numpy(dtype=float, na_value=np.nan)
        cells = [None if f != f else f for f in floats.tolist()]
        shown = max((len(f"{f:.1f}") for f in set(cells) if f is not None), default=0)
        return cells, shown
    values = values.reset_index(drop=True)
    numbers = values.map(_number) if number else pd.Series(None, index=values.index, dtype=object)
    is_number = numbers.notna().to_numpy(dtype=bool)
    texts = values.astype(str).astype(object).where(values.notna(), "")
    widths = texts.str.len().where(~is_number, numbers.map(lambda f: len(f"{f:.1f}") if f is not None else 0))
    text = ~is_number & (texts != "").to_numpy(dtype=bool)
    cells = np.full(len(values), None, dtype=object)
    cells[is_number] = numbers[is_number].to_numpy(dtype=float)
    cells[text] = _safe_texts(texts[text]).to_numpy(dtype=object)
    return cells.tolist(), int(widths.max()) if len(widths) else 0


def workbook_bytes(frame: pd.DataFrame, headers: dict[str, str], sheet: str,
                   decimals: tuple[str, ...] = (), integers: tuple[str, ...] = ()) -> bytes:
    """One sheet: Vietnamese headers, frozen header row, widths, number formats; deterministic bytes.

    Written with XlsxWriter in constant-memory mode (rows streamed to a temporary file, strings inline):
    the cells are prepared column by column, then written row by row with typed calls (text is never read
    as a formula or a number)."""
    import xlsxwriter

    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="tthc-xlsx-") as tmp:
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "tmpdir": tmp})
        book.set_properties({"author": "tthc", "created": FIXED_TIME})
        ws = book.add_worksheet(sheet)
        head = book.add_format({"bold": True, "pattern": 1, "fg_color": "#DDEBF7", "text_wrap": True,
                                "valign": "vcenter"})
        number_formats = {"decimal": book.add_format({"num_format": ONE_DECIMAL}),
                          "integer": book.add_format({"num_format": "0"})}
        columns, formats = [], []
        for c, name in enumerate(frame.columns):
            title = _safe_text(headers.get(name, name))
            kind = "decimal" if name in decimals else "integer" if name in integers else None
            cells, shown = _column(frame[name], number=kind is not None)
            width = max(len(title), min(shown, MAX_WIDTH))
            # set_column_pixels(7 w) stores width w exactly (7 pixels a character, Calibri 11)
            ws.set_column_pixels(c, c, 7 * min(max(width + 2, 6), MAX_WIDTH + 2))
            ws.write_string(0, c, title, head)
            columns.append(cells)
            formats.append(number_formats.get(kind))
        for r, row in enumerate(zip(*columns, strict=True), start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value, formats[c])
        ws.freeze_panes(1, 0)
        if len(frame):
            ws.autofilter(0, 0, len(frame), len(columns) - 1)
        book.close()
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
    for ind in result.rules.indicators:  # the rule set's indicators, whatever their number
        headers.setdefault(ind.code, f"Chỉ số {ind.number}")
    return workbook_bytes(grades, headers, "Xếp loại", decimals=decimals, integers=("dossiers",))


def findings_xlsx(result) -> bytes:
    frame = result.findings.frame()
    frame["severity"] = frame["severity"].map(lambda s: SEVERITY_VI.get(s, s))
    return workbook_bytes(frame, FINDINGS_HEADERS, "Phát hiện", integers=("row",))
