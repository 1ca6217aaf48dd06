"""Reading CSV exports into a grid: the encoding, the separator, and the faults that would lose rows.

- The text may be UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or Windows-1258; text in a
  legacy font encoding (TCVN3, VNI) is refused with a clear message.
- The separator is the one that splits the HEADER into the table's known column names best, confirmed on
  the lines below (the same number of fields as the header); never the character seen most often on some
  line (a free-text cell full of semicolons does not make a comma file semicolon-separated).
- A cell longer than the csv module allows (Excel itself holds at most 32,767 characters a cell) and a
  quoted cell that swallows whole records (an opening double quote never closed) are refused with the line
  and column where they start: reading them would lose the rows they swallow.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import sys
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from babel.numbers import format_decimal

from tthc.input.contract import Table
from tthc.input.grids import ReadError, Sheet
from tthc.input.text_grid import HEAD_CHARS, arrow_grid, count_lines, line_breaks, rows_grid

LEGACY = "cp1258"
#: Separators tried, in order of preference on a tie.
SEPARATORS = (",", ";", "\t", "|")
#: Lines read to choose the separator (the header is searched in the first ``HEADER_LINES``).
SNIFF_LINES = 200
HEADER_LINES = 30
#: Excel's limit on the characters of one cell.
EXCEL_CELL_CHARS = 32_767
#: At most this much text is read to choose the separator.
SNIFF_CHARS = 1 << 20
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

#: Letters of the Vietnamese alphabet (precomposed); other non-ASCII letters hint at a legacy encoding.
_VI_LETTERS = set(
    unicodedata.normalize("NFC", "".join(
        unicodedata.normalize("NFC", base + tone)
        for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
        for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    )) + "đĐ"
)
_VI_PUNCT = set("–—“”‘’…°·«»\u00a0€§±×÷²³½¼¾")


def read_csv_sheet(path: Path, label: str, table: Table) -> tuple[Sheet, str]:
    """Every line of the CSV as a row of text cells (``text_grid``: ragged lines padded with ``""``; row i is
    line i + 1), and the encoding used."""
    data = path.read_bytes()
    read = _large_utf8(data, table)
    if read is not None:
        return read
    text, encoding = decode(data, label)
    if "\x00" in text:
        raise ReadError(f"Tệp {label}: có ký tự rỗng (NUL): không phải tệp văn bản CSV.")
    sep = choose_separator(text, table)
    utf8 = None  # the file's own UTF-8 bytes: pyarrow reads them without the text being encoded again
    if encoding == "utf-8":
        utf8 = data
    elif encoding == "utf-8-sig":
        utf8 = data[len(codecs.BOM_UTF8):]
    del data
    read = arrow_grid(text, sep, utf8)
    del utf8
    if read is not None:  # plain quoting below the head
        grid, widths = read
    else:
        rows = _parse(text, sep, label, table)
        widths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        grid = rows_grid(rows)
        del rows
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    lines = breaks + (0 if not text or text.endswith(("\n", "\r")) else 1)
    return Sheet(None, grid, widths=widths, separator=sep, multiline=len(widths) < lines), encoding


def _large_utf8(data: bytes, table: Table) -> tuple[Sheet, str] | None:
    """A large UTF-8 file (BOM or not) read by pyarrow from its own bytes, only its beginning decoded (the
    separator and the head need it): what ``read_csv_sheet`` would read after decoding it whole, or ``None``
    when that must be done (a small file, another encoding, a NUL, bytes that are not UTF-8, a text the csv
    module must read)."""
    need = max(SNIFF_CHARS, HEAD_CHARS)
    if len(data) <= 4 * need + 4 or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        return None
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:  # the characters of the first 4 × ``need`` bytes (a character cut at the end is left out)
        text, _used = codecs.utf_8_decode(data[start:start + 4 * need + 4], "strict", False)
    except UnicodeDecodeError:
        return None
    if len(text) < need:  # pragma: no cover - at most 4 bytes a character
        return None
    sep = choose_separator(text, table)
    breaks = line_breaks(data)
    read = arrow_grid(text, sep, data, start, breaks)
    if read is None:
        return None
    grid, widths = read
    lines = count_lines(data, breaks, start)
    return Sheet(None, grid, widths=widths, separator=sep, multiline=len(widths) < lines), \
        "utf-8-sig" if start else "utf-8"


# ------------------------------------------------------------------------------------------ encoding


def decode(data: bytes, label: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding used: UTF-8 (BOM or not), UTF-16, else Windows-1258."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8", label), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", label), "utf-16"
    head = data[:4000]
    if len(head) >= 4 and head.count(b"\x00") >= len(head) // 4:  # UTF-16 without a BOM
        even, odd = head[0::2].count(b"\x00"), head[1::2].count(b"\x00")
        return _strict(data, "utf-16-be" if even > odd else "utf-16-le", label), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = unicodedata.normalize("NFC", data.decode(LEGACY))
    except UnicodeDecodeError as exc:
        raise ReadError(legacy_message(label)) from exc
    if _looks_legacy_font(text):
        raise ReadError(legacy_message(label))
    return text, LEGACY


def _strict(data: bytes, encoding: str, label: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(f"Tệp {label}: nội dung không đúng bảng mã {encoding.upper()} "
                        f"(lỗi ở byte {exc.start}).") from exc


def _looks_legacy_font(text: str) -> bool:
    """Text in TCVN3 or VNI read as Windows-1258 shows letters that Vietnamese does not have (µ, Õ, ø…)."""
    letters = [ch for ch in text if ord(ch) > 127 and ch not in _VI_PUNCT]
    if not letters:
        return False
    foreign = sum(ch not in _VI_LETTERS for ch in letters)
    return foreign >= max(3, len(letters) // 5)


def legacy_message(label: str) -> str:
    return (f"Tệp {label}: không nhận ra bảng mã (không phải UTF-8, UTF-16 hay Windows-1258; có thể là phông "
            "TCVN3/VNI). Hãy mở bằng Excel và lưu lại dạng 'CSV UTF-8' hoặc .xlsx, hoặc chuyển mã sang "
            "Unicode.")


# ----------------------------------------------------------------------------------------- separator


def header_match(rows: list[list[str]], table: Table) -> tuple[int, int]:
    """(the most distinct columns of ``table`` one row names, that row's index) over ``rows``."""
    best, at = 0, 0
    for i, row in enumerate(rows):
        names = {col.name for cell in row if cell.strip() and (col := table.match(" ".join(cell.split())))}
        if len(names) > best:
            best, at = len(names), i
    return best, at


def choose_separator(text: str, table: Table) -> str:
    """The separator that splits the header into the most known column names; on a tie, the one whose
    lines below the header have the header's number of fields most often; else the first of SEPARATORS.
    A text naming no known column falls back to the separator splitting one of its lines the most."""
    head = list(itertools.islice(io.StringIO(text[:SNIFF_CHARS], newline=""), SNIFF_LINES))
    best, best_key = None, None
    for rank, sep in enumerate(SEPARATORS):
        rows = _rows_until_error(head, sep)
        matched, at = header_match(rows[:HEADER_LINES], table)
        if not matched:
            continue
        data = [r for r in rows[at + 1:] if any(c.strip() for c in r)]
        consistent = sum(len(r) == len(rows[at]) for r in data) / len(data) if data else 1.0
        key = (matched, consistent, -rank)
        if best_key is None or key > best_key:
            best, best_key = sep, key
    if best is not None:
        return best
    counts = {sep: max((line.count(sep) for line in head[:HEADER_LINES]), default=0) for sep in SEPARATORS}
    return max(SEPARATORS, key=lambda sep: (counts[sep], -SEPARATORS.index(sep)))


def _rows_until_error(lines: list[str], sep: str) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in csv.reader(lines, delimiter=sep):
            rows.append(row)
    except csv.Error:  # an oversize cell: the rows above it still tell the separator
        pass
    return rows


# ------------------------------------------------------------------------------------------- parsing


@contextmanager
def _no_field_limit():
    old = csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _parse(text: str, sep: str, label: str, table: Table) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error:
        pass
    reader = csv.reader(_lines(text), delimiter=sep)  # slices of ``text``: no second copy of it
    rows: list[list[str]] = []
    line = 0
    try:
        for row in reader:
            rows.append(row)
            line = reader.line_num
    except csv.Error as exc:
        raise _located(exc, text, sep, rows, line + 1, label, table) from exc
    return rows  # pragma: no cover - the first pass failed, so this one does too


def _lines(text: str):
    """The lines of ``text`` with their ends, split as ``io.StringIO(text, newline="")`` splits them."""
    start = 0
    for brk in _LINE_BREAK.finditer(text):
        yield text[start:brk.end()]
        start = brk.end()
    if start < len(text):
        yield text[start:]


def _located(exc: csv.Error, text: str, sep: str, rows, line: int, label: str, table: Table) -> ReadError:
    """The csv module's error, in Vietnamese, with the row (as Excel numbers the file's records) and column
    where the faulty cell starts; ``line`` is the physical line it starts on."""
    start = 0
    for n, brk in enumerate(_LINE_BREAK.finditer(text), start=2):
        if n > line:
            break
        start = brk.end()
    found = _LINE_BREAK.search(text, start)
    source = text[start:found.start() if found else len(text)]
    row = len(rows) + 1
    limit = csv.field_size_limit()
    with _no_field_limit():
        fields = next(csv.reader([source], delimiter=sep), [])
    long = [i for i, f in enumerate(fields) if len(f) > limit]
    position = long[0] if long else max(len(fields) - 1, 0)
    column = column_name(rows, position, table)
    if "field larger than field limit" in str(exc):
        return ReadError(
            f"Ô dài hơn {format_decimal(limit, locale='vi_VN')} ký tự "
            f"(một ô Excel chứa tối đa {format_decimal(EXCEL_CELL_CHARS, locale='vi_VN')} ký tự). Thường do một dấu "
            "ngoặc kép (\") mở mà không đóng, khiến các dòng sau bị gộp vào một ô. Hãy sửa ô này (đóng hoặc xoá "
            "dấu ngoặc kép) rồi lưu lại tệp.", row=row, column=column, label=label)
    return ReadError(f"Không đọc được CSV (lỗi cú pháp CSV: {exc}). Hãy mở tệp bằng Excel kiểm tra dòng này rồi "
                     "lưu lại dạng 'CSV UTF-8'.", row=row, column=column, label=label)


def column_name(rows: list[list[str]], position: int, table: Table) -> str:
    """The header of field ``position`` (0-based) if a header is found in ``rows``, else 'thứ N'."""
    matched, at = header_match(rows[:HEADER_LINES], table)
    if matched and position < len(rows[at]) and rows[at][position].strip():
        return " ".join(rows[at][position].split())
    return f"thứ {position + 1}"


def swallowed_records(sheet: Sheet, header_pos: int, label: str, header: list[str | None]) -> None:
    """Refuse a quoted cell holding line breaks followed by whole records (as many separators as the header
    has): an opening double quote that was never closed, swallowing the rows below it."""
    grid, sep = sheet.grid, sheet.separator
    need = int(sheet.widths[header_pos]) - 1 if sheet.widths is not None and len(sheet.widths) else 0
    if not sheet.multiline or not sep or need < 2:
        return
    body = grid.iloc[header_pos + 1:]
    for pos in range(body.shape[1]):
        cells = body.iloc[:, pos]
        multi = cells.str.contains("\n", regex=False, na=False) | cells.str.contains("\r", regex=False, na=False)
        for idx in cells.index[multi.to_numpy(dtype=bool)]:
            lines = str(cells[idx]).splitlines()[1:]
            if any(line.count(sep) >= need for line in lines):
                column = header[pos] if pos < len(header) and header[pos] else f"thứ {pos + 1}"
                raise ReadError(
                    "Ô này chứa cả những dòng trông như dữ liệu (có vẻ một dấu ngoặc kép (\") mở mà không đóng, khiến "
                    "các dòng sau bị gộp vào ô này và mất). Hãy sửa dấu ngoặc kép ở ô này rồi lưu lại tệp.",
                    row=int(idx) + 1, column=column, label=label)
