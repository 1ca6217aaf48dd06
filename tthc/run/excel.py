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
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from tthc.sanitize import CANDIDATE, safe_text

#: Every workbook says it was made at this moment (determinism; the manifest holds the real context).
FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ONE_DECIMAL = "0.0"
#: Further number formats by name (``numbers``).
FORMATS = {"two_decimals": "0.00", "percent": "0.0%"}
MAX_WIDTH = 60
#: Control characters an XLSX cannot hold (openpyxl's ``ILLEGAL_CHARACTERS_RE``): removed from text.
ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

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


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its table, Vietnamese headers, number columns and an optional title row."""

    name: str
    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)
    #: column → Excel number format; its cells that read as numbers are written as numbers
    formats: dict[str, str] = field(default_factory=dict)
    #: a bold first row above the headers ("Kết quả chấm điểm … Quý II năm 2021")
    title: str | None = None


def workbook_bytes(frame: pd.DataFrame, headers: dict[str, str], sheet: str,
                   decimals: tuple[str, ...] = (), integers: tuple[str, ...] = ()) -> bytes:
    """One sheet without a title row (``book_bytes``)."""
    return book_bytes([Sheet(sheet, frame, headers, numbers(decimals, integers))])


def numbers(decimals: tuple[str, ...] = (), integers: tuple[str, ...] = (), **others: tuple[str, ...]) -> dict:
    """Number formats by column: one decimal, whole numbers, and others given as ``format=columns``."""
    out = {c: ONE_DECIMAL for c in decimals} | {c: "0" for c in integers}
    for fmt, columns in others.items():
        out.update({c: FORMATS[fmt] for c in columns})
    return out


def book_bytes(sheets: list[Sheet]) -> bytes:
    """Sheets with Vietnamese headers, frozen header row, widths, number formats, print setup (A4 landscape,
    fit to the page's width, the header row repeated on every page); deterministic bytes.

    Written with XlsxWriter in constant-memory mode (rows streamed to a temporary file, strings inline):
    the cells are prepared column by column, then written row by row with typed calls (text is never read
    as a formula or a number)."""
    import xlsxwriter

    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="tthc-xlsx-") as tmp:
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "tmpdir": tmp})
        book.set_properties({"author": "tthc", "created": FIXED_TIME})
        formats = {
            "head": book.add_format({"bold": True, "pattern": 1, "fg_color": "#DDEBF7", "text_wrap": True,
                                     "valign": "vcenter"}),
            "title": book.add_format({"bold": True, "font_size": 13}),
        }
        for sheet in sheets:
            for fmt in sheet.formats.values():
                if fmt not in formats:
                    formats[fmt] = book.add_format({"num_format": fmt})
            _write_sheet(book.add_worksheet(sheet.name[:31]), sheet, formats)
        book.close()
    return _fix_zip(buffer.getvalue())


def _write_sheet(ws, sheet: Sheet, formats: dict) -> None:
    frame = sheet.frame
    top = 0 if sheet.title is None else 1  # the header row
    if sheet.title is not None:
        ws.write_string(0, 0, _safe_text(sheet.title), formats["title"])
    columns, kinds = [], []
    for c, name in enumerate(frame.columns):
        title = _safe_text(sheet.headers.get(name, name))
        kind = sheet.formats.get(name)
        cells, shown = _column(frame[name], number=kind is not None)
        width = max(len(title), min(shown, MAX_WIDTH))
        # set_column_pixels(7 w) stores width w exactly (7 pixels a character, Calibri 11)
        ws.set_column_pixels(c, c, 7 * min(max(width + 2, 6), MAX_WIDTH + 2))
        ws.write_string(top, c, title, formats["head"])
        columns.append(cells)
        kinds.append(formats.get(kind))
    for r, row in enumerate(zip(*columns, strict=True), start=top + 1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, value, kinds[c])
    ws.freeze_panes(top + 1, 0)
    if len(frame):
        ws.autofilter(top, 0, top + len(frame), len(columns) - 1)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.repeat_rows(top)


def period_label(result) -> str:
    """The quarter as a reader names it ("Quý II năm 2021"), or the period's dates when there is none."""
    quarter = getattr(result, "quarter", None)
    if quarter is not None:
        return quarter.label_vi
    return f"kỳ {result.start:%d/%m/%Y}–{result.end:%d/%m/%Y}"


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
