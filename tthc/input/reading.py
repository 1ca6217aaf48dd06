"""Reading CSV and XLSX exports into raw frames that keep the Excel row number of every row.

What real exports look like, and what is done about it:

- the header row is found, not assumed: title or blank rows above it are skipped, and a header split over
  two rows by merged cells ("Thời gian" above "Ngày tiếp nhận") is read as one;
- merged cells count for every cell they cover (a unit name merged down several rows belongs to each);
- the data may sit on any sheet: the sheet whose header matches the table best is read;
- CSV may be UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", tab-separated) or Windows-1258;
  text in a legacy font encoding (TCVN3, VNI) is refused with a clear message;
- a column-numbering row under the header ("(1) (2) (3)") and total rows ("Tổng cộng") with anything
  below them (signatures) are set aside with a finding and counted in the row accounting.

Cells are kept raw (text, numbers, native dates); ``values`` parses them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tthc.input.contract import Table
from tthc.input.findings import Findings
from tthc.input.values import blank_mask
from tthc.input.xlsx_formulas import mark_uncached_formulas
from tthc.text import fold

ROW = "_row"
#: How many rows from the top are searched for the header.
HEADER_SEARCH_ROWS = 30
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: Separators tried for CSV, in order of preference on a tie.
SEPARATORS = (",", ";", "\t")
#: Largest merged range filled cell by cell (a merge over a whole sheet is formatting, not data).
MERGE_FILL_LIMIT = 10_000

LEGACY = "cp1258"
_TOTAL = re.compile(r"^(tong cong|tong so|tong|cong|cong chung|tong cong chung)\s*[:.]?$")
_TOTAL_HINT = re.compile(r"\s*(t|c)\S*ng", re.IGNORECASE)
_NUMBERING = re.compile(r"^\(?(\d{1,3})\)?$")
#: Letters of the Vietnamese alphabet (precomposed); other non-ASCII letters hint at a legacy encoding.
_VI_LETTERS = set(
    unicodedata.normalize("NFC", "".join(
        unicodedata.normalize("NFC", base + tone)
        for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
        for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    )) + "đĐ"
)
_VI_PUNCT = set("–—“”‘’…°·«»\u00a0€§±×÷²³½¼¾")

#: Reasons for rows set aside while reading (row accounting).
REASON_TOTAL = "dòng tổng cộng hoặc chân bảng"
REASON_NUMBERING = "dòng đánh số cột"


class ReadError(Exception):
    """A file that cannot be read at all."""


@dataclass
class Raw:
    """A table as read: canonical columns (raw cells), ``_row`` (Excel/line number) and what was found."""

    path: Path
    frame: pd.DataFrame
    columns: dict[str, str]  # canonical name → header as written
    header_row: int
    sheet: str | None = None
    ignored: list[str] = field(default_factory=list)
    #: rows of the data area set aside while reading, by reason (each has a finding)
    dropped: Counter = field(default_factory=Counter)
    encoding: str | None = None


def read_table(path: Path, table: Table, findings: Findings, label: str) -> Raw:
    """Read ``path`` (CSV or XLSX) and map its headers onto ``table``'s canonical columns."""
    suffix = path.suffix.lower()
    encoding = None
    if suffix == ".csv":
        grid, encoding = read_csv_grid(path, label)
        grids = [(None, grid)]
    elif suffix in EXCEL_SUFFIXES:
        grids = read_excel_grids(path, label)
    else:
        raise ReadError(f"Tệp {label}: định dạng '{suffix}' không được hỗ trợ (cần .csv hoặc .xlsx).")
    best = None
    for sheet, grid in grids:
        found = find_header(grid, table)
        if found and (best is None or found[2] > best[4]):
            best = (sheet, grid, *found)
    if best is None:
        if encoding == LEGACY:
            raise ReadError(_legacy_message(label))
        return _empty(path, grids, table, label)
    sheet, grid, header_idx, headers, _score = best
    if sheet is not None and len(grids) > 1 and sheet != grids[0][0]:
        findings.info("sheet", f"Dữ liệu được đọc từ trang tính '{sheet}' (trang có tiêu đề cột phù hợp "
                      "nhất).", file=label, row=header_idx + 1)
    if encoding == LEGACY:
        findings.info("encoding", "Tệp không phải UTF-8; đã đọc theo bảng mã Windows-1258. Nên lưu lại dạng "
                      "'CSV UTF-8' để tránh sai dấu.", file=label)
    raw = _build(path, grid, header_idx, headers, sheet, table, findings, label)
    raw.encoding = encoding
    return raw


# ---------------------------------------------------------------------------------------------- CSV


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
        raise ReadError(_legacy_message(label)) from exc
    if _looks_legacy_font(text):
        raise ReadError(_legacy_message(label))
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


def _legacy_message(label: str) -> str:
    return (f"Tệp {label}: không nhận ra bảng mã (không phải UTF-8, UTF-16 hay Windows-1258; có thể là phông "
            "TCVN3/VNI). Hãy mở bằng Excel và lưu lại dạng 'CSV UTF-8' hoặc .xlsx, hoặc chuyển mã sang "
            "Unicode.")


def sniff_separator(text: str) -> str:
    """The separator that splits the first lines into the most, consistent fields."""
    lines = [ln for ln in text.splitlines()[:HEADER_SEARCH_ROWS] if ln.strip()]
    best, best_score = ",", -1
    for sep in SEPARATORS:
        counts = [ln.count(sep) for ln in lines]
        score = max(counts, default=0)
        if score > best_score:
            best, best_score = sep, score
    return best


def read_csv_grid(path: Path, label: str) -> tuple[pd.DataFrame, str]:
    """Every line of the CSV as a row of text cells (ragged lines padded); row i is line i + 1."""
    text, encoding = decode(path.read_bytes(), label)
    if "\x00" in text:
        raise ReadError(f"Tệp {label}: có ký tự rỗng (NUL): không phải tệp văn bản CSV.")
    sep = "\t" if encoding == "utf-16" and "\t" in text[:4000] else sniff_separator(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise ReadError(f"Tệp {label}: không đọc được CSV ({exc}).") from exc
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    return grid, encoding


# --------------------------------------------------------------------------------------------- Excel


def read_excel_grids(path: Path, label: str) -> list[tuple[str, pd.DataFrame]]:
    """Every visible worksheet as a grid (row i is Excel row i + 1), merged cells filled; calamine first."""
    try:
        grids = _calamine_grids(path)
    except Exception:  # noqa: BLE001 - calamine's errors are not typed; try openpyxl before giving up
        try:
            grids = _openpyxl_grids(path)
        except Exception as exc:  # noqa: BLE001
            raise ReadError(f"Tệp {label}: không mở được tệp Excel ({type(exc).__name__}: {exc}).") from exc
    return mark_uncached_formulas(path, grids)  # a formula saved without its value is not a blank cell


def _calamine_grids(path: Path) -> list[tuple[str, pd.DataFrame]]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    book = CalamineWorkbook.from_path(str(path))
    out = []
    try:
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            merges = [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            out.append((meta.name, _grid(rows, merges)))
    finally:
        book.close()
    return out


def _openpyxl_grids(path: Path) -> list[tuple[str, pd.DataFrame]]:
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    out = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        rows = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
        merges = [((m.min_row - 1, m.min_col - 1), (m.max_row - 1, m.max_col - 1))
                  for m in ws.merged_cells.ranges]
        out.append((ws.title, _grid(rows, merges)))
    book.close()
    return out


def _grid(rows: list[list[object]], merges) -> pd.DataFrame:
    width = max((len(r) for r in rows), default=0)
    cells = [list(r) + [""] * (width - len(r)) for r in rows]
    for (r0, c0), (r1, c1) in merges:
        if r0 >= len(cells) or (r1 - r0 + 1) * (c1 - c0 + 1) > MERGE_FILL_LIMIT:
            continue
        value = cells[r0][c0]
        for r in range(r0, min(r1, len(cells) - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                cells[r][c] = value
    return pd.DataFrame(cells, dtype=object)


# -------------------------------------------------------------------------------------------- header


def _header_text(cell: object) -> str | None:
    if isinstance(cell, str) and cell.strip():
        return " ".join(cell.split())
    return None


def find_header(grid: pd.DataFrame, table: Table) -> tuple[int, list[str | None], int] | None:
    """(index of the last header row, header text per column, matched columns) of the best header.

    A header may span two rows (merged group cells above sub-headers): for each column the lower cell is
    used when it names a column, else the two cells joined, else the upper cell.
    """
    best = None
    top = min(HEADER_SEARCH_ROWS, len(grid))
    texts = [[_header_text(c) for c in grid.iloc[i].tolist()] for i in range(top)]
    for idx in range(top):
        candidates = [texts[idx]]
        if idx > 0:
            candidates.append(_combine(texts[idx - 1], texts[idx], table))
        for headers in candidates:
            matched = {col.name for h in headers if h and (col := table.match(h)) is not None}
            if matched and (best is None or len(matched) > best[2]):
                best = (idx, headers, len(matched))
    return best


def _combine(upper: list[str | None], lower: list[str | None], table: Table) -> list[str | None]:
    out = []
    for up, low in zip(upper, lower, strict=True):
        joined = f"{up} {low}" if up and low and up != low else None
        if low and table.match(low):
            out.append(low)
        elif joined and table.match(joined):
            out.append(joined)
        elif up and table.match(up):
            out.append(up)
        else:
            out.append(low or up)
    return out


def _empty(path: Path, grids, table: Table, label: str) -> Raw:
    grid = grids[0][1] if grids else pd.DataFrame()
    if all(blank_mask(grid[c]).all() for c in grid.columns):
        return Raw(path, pd.DataFrame(columns=[ROW]), {}, 1, grids[0][0] if grids else None)
    raise ReadError(
        f"Tệp {label}: không tìm thấy dòng tiêu đề có các cột của bảng '{table.name}' "
        f"(ví dụ: {', '.join(c.name for c in table.columns[:3])})."
    )


def _build(path, grid, header_idx, headers, sheet, table, findings, label) -> Raw:
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    ignored = []
    for pos, header in enumerate(headers):
        if not header:
            continue
        col = table.match(header)
        if col is None:
            ignored.append(header)
        elif col.name in columns:
            if header != columns[col.name]:
                findings.warning(
                    "duplicate_column",
                    f"Cột '{header}' trùng nghĩa với cột '{columns[col.name]}' ({col.name}); "
                    "chỉ dùng cột đầu tiên.",
                    file=label, row=header_idx + 1, column=header,
                )
        else:
            columns[col.name] = header
            positions[col.name] = pos
    body = grid.iloc[header_idx + 1:]
    frame = pd.DataFrame({name: body.iloc[:, pos] for name, pos in positions.items()}, index=body.index)
    frame[ROW] = body.index + 1
    # rows with no cell at all are not data (Excel's trailing blank rows, blank lines)
    empty = pd.Series(True, index=body.index)
    for pos in range(body.shape[1]):
        empty &= blank_mask(body.iloc[:, pos])
    body, frame = body[~empty], frame[~empty]
    dropped: Counter = Counter()
    keep = pd.Series(True, index=body.index)
    if len(body) and _is_numbering(body.iloc[0]):
        keep.iloc[0] = False
        dropped[REASON_NUMBERING] += 1
        findings.info("numbering_row", "Dòng đánh số cột ((1), (2), …) dưới tiêu đề; bỏ qua.", file=label,
                      row=int(frame[ROW].iloc[0]))
    totals = _total_rows(body)
    footer = _footer_rows(frame, table, totals[-1]) if totals else []
    for idx in body.index:
        if idx in totals or idx in footer:
            keep[idx] = False
            dropped[REASON_TOTAL] += 1
            total = idx in totals
            findings.info(
                "total_row",
                "Dòng tổng cộng; bỏ qua (điểm được tính lại từ từng dòng)." if total
                else "Dòng dưới dòng tổng cộng (ghi chú, chữ ký), không phải dữ liệu; bỏ qua.",
                file=label, row=idx + 1, value=_first_text(body.loc[idx]),
            )
    frame = frame[keep]
    # Columns that hold one kind of value only (native Excel dates, numbers) get their own dtype, so the
    # parsers take their vectorised paths; mixed columns stay as they are.
    frame = frame.reset_index(drop=True)
    data = [c for c in frame.columns if c != ROW and frame[c].dtype == object]
    frame[data] = frame[data].replace({"": None})  # an empty cell is a blank, whatever the reader gave
    frame = frame.infer_objects()
    return Raw(path, frame, columns, header_idx + 1, sheet, ignored, dropped)


def _first_text(row: pd.Series) -> str:
    for v in row.tolist():
        if isinstance(v, str) and v.strip():
            return v.strip()
    return ""


def _total_rows(body: pd.DataFrame) -> list:
    """Indexes of the rows with a cell saying "Tổng cộng", "Tổng", "Cộng"… (a cheap regex first, then
    the folded text, so large tables stay fast)."""
    found = pd.Series(False, index=body.index)
    for pos in range(body.shape[1]):
        text = body.iloc[:, pos]
        if not (text.dtype == object or pd.api.types.is_string_dtype(text.dtype)):
            continue
        try:
            maybe = text.str.match(_TOTAL_HINT, na=False) & (text.str.len() <= 30).fillna(False)
        except AttributeError:  # no text at all in this column
            continue
        if maybe.any():
            totals = {v for v in text[maybe].unique() if _TOTAL.match(fold(v))}  # fold each distinct text once
            if totals:
                found |= text.isin(totals)
    return list(body.index[found])


def _footer_rows(frame: pd.DataFrame, table: Table, last_total) -> list:
    """Rows below the last total row that are not data: a required cell blank (or, for a table without
    required columns, fewer than two cells filled): notes and signatures."""
    below = frame.loc[frame.index > last_total]
    required = [c.name for c in table.columns if c.required and c.name in below.columns]
    mapped = [c for c in below.columns if c != ROW]
    out = []
    for idx in below.index:
        if required:
            footer = any(blank_mask(below.loc[[idx], c]).iloc[0] for c in required)
        else:
            footer = sum(not blank_mask(below.loc[[idx], c]).iloc[0] for c in mapped) < 2
        if footer:
            out.append(idx)
    return out


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
