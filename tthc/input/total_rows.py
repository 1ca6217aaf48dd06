"""Rows of an export that are not records: the column-numbering row under the header ("(1) (2) (3)"), total
rows ("Tổng cộng") and the notes and signatures below the last total row.

A total row is a row that says "Tổng cộng", "Tổng", "Cộng"… in some cell, whose key and unit columns
(``dossier_id``, ``unit_id``, ``unit_name``, ``form_id``…) are blank or hold that word, and whose other
required cells do not make a record (a required date blank or unreadable). A row that is a record is never
set aside here, whatever its other cells say: a column holding "Cổng" (the portal) on every online dossier
is data. The total words are matched with their diacritics ("Cổng" is not "Cộng"), or without any.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import numpy as np
import pandas as pd

from tthc.input.cells import SPACE_FIRST_BYTES, byte_table, first_bytes
from tthc.input.contract import Table
from tthc.input.findings import Findings
from tthc.input.values import PARSERS, blank_mask

#: Reasons for rows set aside while reading (row accounting).
REASON_TOTAL = "dòng tổng cộng hoặc chân bảng"
REASON_NUMBERING = "dòng đánh số cột"

#: After the word: nothing, punctuation, a number, or "toàn huyện", "chung", "các đơn vị", "số hồ sơ"…
_TAIL_VI = r"(?:\s*[:.]?$|\s*[:(\-–]|\s+\d|\s+(?:toàn|chung|cả|các|số|hồ sơ)\b)"
_TAIL_ASCII = r"(?:\s*[:.]?$|\s*[:(\-]|\s+\d|\s+(?:toan|chung|ca|cac|so|ho so)\b)"
_TOTAL_VI = re.compile(rf"^(?:tổng cộng chung|tổng cộng|tổng số|cộng chung|tổng|cộng){_TAIL_VI}")
_TOTAL_ASCII = re.compile(rf"^(?:tong cong chung|tong cong|tong so|cong chung|tong|cong){_TAIL_ASCII}")
#: A cheap test before the exact one, so that large tables stay fast.
_TOTAL_HINT = re.compile(r"\s*(t|c)\S*ng", re.IGNORECASE)
_NUMBERING = re.compile(r"^\(?(\d{1,3})\)?$")
#: The first UTF-8 byte of every text the hint matches: t, T, c, C, or that of a character of Python's ``\s``.
_HINT_FIRST_BYTES = byte_table(np.array([*b"tTcC", *SPACE_FIRST_BYTES], dtype=np.uint8))


def is_total_word(value: object) -> bool:
    """"Tổng cộng", "TỔNG CỘNG:", "Cộng", "Tổng số: 58", "Tổng số hồ sơ", "Cộng toàn huyện", "Tong cong"…
    (not "Cổng", "Tổng hợp", "Cộng hoà")."""
    if not isinstance(value, str):
        return False
    text = " ".join(unicodedata.normalize("NFC", value).lower().split())
    return bool(_TOTAL_VI.match(text) or _TOTAL_ASCII.match(text))


def key_columns(table: Table) -> list[str]:
    """The columns that say which record a row is: ids and the unit's name."""
    return [c.name for c in table.columns if c.kind == "id" or c.name == "unit_name"]


def set_aside(body: pd.DataFrame, frame: pd.DataFrame, table: Table, findings: Findings, label: str,
              row_column: str) -> tuple[pd.Series, Counter]:
    """Which rows of the data area to keep, and the rows set aside by reason (each with a finding).

    ``body`` holds every cell of the data rows, ``frame`` their canonical columns and ``row_column``."""
    dropped: Counter = Counter()
    keep = pd.Series(True, index=body.index)
    if len(body) and _is_numbering(body.iloc[0]):
        keep.iloc[0] = False
        dropped[REASON_NUMBERING] += 1
        findings.info("numbering_row", "Dòng đánh số cột ((1), (2), …) dưới tiêu đề; bỏ qua.", file=label,
                      row=int(frame[row_column].iloc[0]))
    totals = total_rows(body, frame, table)
    footer = footer_rows(frame, table, totals[-1]) if totals else []
    for idx in sorted({*totals, *footer}):
        keep[idx] = False
        dropped[REASON_TOTAL] += 1
        total = idx in totals
        findings.info(
            "total_row",
            "Dòng tổng cộng; bỏ qua (điểm được tính lại từ từng dòng)." if total
            else "Dòng dưới dòng tổng cộng (ghi chú, chữ ký), không phải dữ liệu; bỏ qua.",
            file=label, row=int(frame.at[idx, row_column]), value=_first_text(body.loc[idx]),
        )
    return keep, dropped


def total_rows(body: pd.DataFrame, frame: pd.DataFrame, table: Table) -> list:
    """Index of the rows with a total word in some cell, no record key of their own and no record."""
    said = pd.Series(False, index=body.index)
    for pos in range(body.shape[1]):
        text = body.iloc[:, pos]
        if not (text.dtype == object or pd.api.types.is_string_dtype(text.dtype)):
            continue
        leading = first_bytes(text)
        if leading is not None:  # a CSV's text column: only the cells starting as the hint does are looked at
            maybe = _HINT_FIRST_BYTES[leading]
            cells = text[maybe].unique() if maybe.any() else []
        else:
            try:
                # "ng" (any case) is in every cell the hint matches
                maybe = text.str.contains("ng", case=False, regex=False, na=False)
            except AttributeError:  # no text at all in this column
                continue
            cells = text[maybe].unique() if maybe.any() else []
        words = {v for v in cells if len(v) <= 40 and _TOTAL_HINT.match(v) and is_total_word(v)}  # each text once
        if words:
            said |= text.isin(words)
    if not said.any():
        return []
    rows = frame.loc[said[said].index]
    keyless = pd.Series(True, index=rows.index)
    for name in key_columns(table):
        if name in rows.columns:
            keyless &= blank_mask(rows[name]) | rows[name].map(is_total_word).astype(bool)
    return list(rows.index[keyless & ~is_record(rows, table)])


def is_record(rows: pd.DataFrame, table: Table) -> pd.Series:
    """Whether each row's required cells other than its keys are filled and readable (a dossier's dates).
    A table with no such column has no record without a key: False."""
    needed = [c for c in table.columns if c.required and c.name not in key_columns(table) and c.name in rows]
    ok = pd.Series(bool(needed), index=rows.index)
    for col in needed:
        blank = blank_mask(rows[col.name])
        parser = PARSERS.get(col.kind)
        bad = parser(rows[col.name])[1] if parser else pd.Series(False, index=rows.index)
        ok &= ~blank & ~bad.astype(bool)
    return ok


def footer_rows(frame: pd.DataFrame, table: Table, last_total) -> list:
    """Rows below the last total row that are not data: notes and signatures. With required columns: a
    required cell blank and no record (a row whose dates are readable goes on to the checks); without: fewer
    than two cells filled."""
    below = frame.loc[frame.index > last_total]
    required = [c.name for c in table.columns if c.required and c.name in below.columns]
    if required:
        blank = pd.Series(False, index=below.index)
        for name in required:
            blank |= blank_mask(below[name])
        return list(below.index[blank & ~is_record(below, table)])
    mapped = [c for c in below.columns if c in {col.name for col in table.columns}]
    filled = sum((~blank_mask(below[c])).astype(int) for c in mapped) if mapped else pd.Series(0, index=below.index)
    return list(below.index[filled < 2])


def _first_text(row: pd.Series) -> str:
    for v in row.tolist():
        if isinstance(v, str) and v.strip():
            return v.strip()
    return ""


def _is_numbering(row: pd.Series) -> bool:
    """A row of column numbers: (1) (2) (3)… or 1 2 3…, at least three, consecutive."""
    numbers = []
    for v in row.tolist():
        if isinstance(v, str) and not v.strip() or v is None or v == "":
            continue
        text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
        match = _NUMBERING.match(text)
        if not match:
            return False
        numbers.append(int(match.group(1)))
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
