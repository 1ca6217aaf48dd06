"""Workbooks of several sheets for the trend and the year, formatted like ``grades.xlsx`` (``tthc.run.excel``):
Vietnamese headers, a frozen bold header row, widths from the content, number formats for scores, text guarded
against formulas, deterministic bytes (fixed properties and zip timestamps)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tthc.run.excel import FIXED_TIME, MAX_WIDTH, _fix_zip, _safe_text

BREAK_FILL = PatternFill("solid", fgColor="404040")


@dataclass(frozen=True)
class Sheet:
    name: str
    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)
    #: column → Excel number format; its non-blank cells are written as numbers
    formats: dict[str, str] = field(default_factory=dict)
    #: columns drawn as a dark separator (a break between two rule sets)
    separators: tuple[str, ...] = ()


def number_format(places: int, signed: bool = False) -> str:
    body = "0" + ("." + "0" * places if places else "")
    return f"+{body};-{body};{body}" if signed else body


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:31])
        columns = list(sheet.frame.columns)
        widths = []
        for c, name in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=c, value=_safe_text(str(sheet.headers.get(name, name))))
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if name in sheet.separators:
                cell.fill = BREAK_FILL
                cell.font = Font(bold=True, color="FFFFFF")
            widths.append(min(len(str(cell.value)), 24))
        for r, values in enumerate(sheet.frame.itertuples(index=False, name=None), start=2):
            for c, (name, value) in enumerate(zip(columns, values, strict=True), start=1):
                cell = ws.cell(row=r, column=c)
                text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
                if name in sheet.separators:
                    cell.fill = BREAK_FILL
                if text and name in sheet.formats:
                    cell.value = float(text)
                    cell.number_format = sheet.formats[name]
                else:
                    cell.value = _safe_text(text) if text else None
                    cell.data_type = "s"
                widths[c - 1] = max(widths[c - 1], min(len(text), MAX_WIDTH))
        for c, width in enumerate(widths, start=1):
            narrow = columns[c - 1] in sheet.separators
            ws.column_dimensions[get_column_letter(c)].width = 3 if narrow else min(max(width + 2, 6), MAX_WIDTH + 2)
        ws.freeze_panes = "A2"
        if len(sheet.frame):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(sheet.frame) + 1}"
    props = book.properties
    props.creator = "tthc"
    props.lastModifiedBy = "tthc"
    props.created = props.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _fix_zip(buffer.getvalue())
