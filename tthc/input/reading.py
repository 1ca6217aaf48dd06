"""Reading CSV and XLSX exports into raw frames that keep the Excel row number of every row.

What real exports look like, and what is done about it:

- the header row is found, not assumed: title or blank rows above it are skipped, and a header split over
  two rows by merged cells ("Thời gian" above "Ngày tiếp nhận") is read as one;
- merged cells count for every cell they cover (a unit name merged down several rows belongs to each);
- the data may sit on any sheet, and a long list may be split over several sheets ("Trang 1", "Trang 2")
  with the same header: every sheet whose header names the same columns as the best one is read, each row
  keeping its sheet (its file label is "dossiers.xlsx [Trang 2]") and its Excel row; a sheet with another
  header is named in a finding and not read; a hidden sheet is never read, and named when it holds the table;
- a stray cell far to the right (XFD1048576) neither blows up memory nor widens the table: it is named in a
  finding and ignored (``xlsx_reading``, ``grids``);
- CSV encodings and separators, and the faults that would lose rows, are handled in ``csv_reading``;
- a column-numbering row under the header ("(1) (2) (3)") and total rows ("Tổng cộng") with anything
  below them (signatures) are set aside with a finding and counted in the row accounting (``total_rows``).

Cells are kept raw (text, numbers, native dates); ``values`` parses them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tthc.input.contract import Table
from tthc.input.csv_reading import LEGACY, legacy_message, read_csv_sheet, swallowed_records
from tthc.input.findings import Findings
from tthc.input.grids import COLUMN_GAP, ReadError, Sheet, cell_ref
from tthc.input.total_rows import REASON_NUMBERING, REASON_TOTAL, set_aside
from tthc.input.values import blank_mask
from tthc.input.xlsx_reading import read_workbook

__all__ = ["ROW", "FILE", "Raw", "ReadError", "REASON_NUMBERING", "REASON_TOTAL", "find_header", "read_table"]

ROW = "_row"
#: The file label of each row, in a table read from several sheets ("2021-Q2/dossiers.xlsx [Trang 2]").
FILE = "_file"
#: How many rows from the top are searched for the header.
HEADER_SEARCH_ROWS = 30
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Raw:
    """A table as read: canonical columns (raw cells), ``_row`` (Excel/line number) and what was found.

    A table read from several sheets has one ``Raw`` per sheet in ``parts`` (each with its own ``label``)
    and, here, their rows one after the other with the file label of each row in ``_file``."""

    path: Path
    frame: pd.DataFrame
    columns: dict[str, str]  # canonical name → header as written
    header_row: int
    sheet: str | None = None
    ignored: list[str] = field(default_factory=list)
    #: rows of the data area set aside while reading, by reason (each has a finding)
    dropped: Counter = field(default_factory=Counter)
    encoding: str | None = None
    label: str = ""
    parts: list[Raw] = field(default_factory=list)


def sheet_label(label: str, sheet: str) -> str:
    return f"{label} [{sheet}]"


def read_table(path: Path, table: Table, findings: Findings, label: str) -> Raw:
    """Read ``path`` (CSV or XLSX) and map its headers onto ``table``'s canonical columns."""
    suffix = path.suffix.lower()
    encoding = None
    if suffix == ".csv":
        sheet, encoding = read_csv_sheet(path, label, table)
        sheets = [sheet]
    elif suffix in EXCEL_SUFFIXES:
        sheets = read_workbook(path, label)
    else:
        raise ReadError(f"Tệp {label}: định dạng '{suffix}' không được hỗ trợ (cần .csv hoặc .xlsx). Hãy mở bằng "
                        "Excel và lưu lại dạng 'Excel Workbook (.xlsx)' hoặc 'CSV UTF-8'.")
    _hidden_findings([s for s in sheets if s.hidden], table, findings, label)
    sheets = [s for s in sheets if not s.hidden]
    found = [(sheet, find_header(sheet.grid, table)) for sheet in sheets]
    matched = [(sheet, hit) for sheet, hit in found if hit]
    if not matched:
        if encoding == LEGACY:
            raise ReadError(legacy_message(label))
        return _empty(path, sheets, table, label)
    best = matched[0]
    for candidate in matched[1:]:
        if candidate[1][2] > best[1][2]:
            best = candidate
    names = _canonical(best[1][1], table)
    chosen = [(s, hit) for s, hit in matched if _canonical(hit[1], table) == names]
    _sheet_findings(sheets, found, chosen, best, table, findings, label)
    if encoding == LEGACY:
        findings.info("encoding", "Tệp không phải UTF-8; đã đọc theo bảng mã Windows-1258. Nên lưu lại dạng "
                      "'CSV UTF-8' để tránh sai dấu.", file=label)
    several = len(chosen) > 1
    parts = []
    for sheet, (pos, headers, _score) in chosen:
        part_label = sheet_label(label, sheet.name) if several else label
        if sheet.multiline:
            swallowed_records(sheet, pos, part_label, headers)
        parts.append(_build(path, sheet, pos, headers, table, findings, part_label))
    raw = _joined(path, parts, label) if several else parts[0]
    raw.encoding = encoding
    return raw


def _canonical(headers: list[str | None], table: Table) -> frozenset[str]:
    return frozenset(_written(headers, table))


def _written(headers: list[str | None], table: Table) -> dict[str, str]:
    """Canonical column → its header as written (the first one naming it)."""
    out: dict[str, str] = {}
    for h in headers:
        if h and (col := table.match(h)) is not None:
            out.setdefault(col.name, h)
    return out


def _joined(path: Path, parts: list[Raw], label: str) -> Raw:
    frames = [p.frame.assign(**{FILE: p.label}) for p in parts]
    frame = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    dropped: Counter = Counter()
    ignored: list[str] = []
    for p in parts:
        dropped.update(p.dropped)
        ignored += [h for h in p.ignored if h not in ignored]
    return Raw(path, frame, parts[0].columns, parts[0].header_row, ", ".join(str(p.sheet) for p in parts),
               ignored, dropped, label=label, parts=parts)


def _sheet_findings(sheets, found, chosen, best, table: Table, findings: Findings, label: str) -> None:
    """Which sheets were read, which were not and why (a workbook of one sheet says nothing)."""
    if len(sheets) < 2:
        return
    first = sheets[0].name
    if len(chosen) > 1:
        read = ", ".join(f"'{s.name}' (tiêu đề ở dòng {int(s.grid.index[hit[0]]) + 1})" for s, hit in chosen)
        findings.info("sheet", f"Dữ liệu được đọc từ {len(chosen)} trang tính có cùng tiêu đề cột: {read}. Mỗi dòng "
                      "được ghi kèm tên trang tính của nó.", file=label)
    elif chosen[0][0].name != first:
        sheet, hit = chosen[0]
        findings.info("sheet", f"Dữ liệu được đọc từ trang tính '{sheet.name}' (trang có tiêu đề cột phù hợp "
                      "nhất).", file=label, row=int(sheet.grid.index[hit[0]]) + 1)
    chosen_names = {s.name for s, _hit in chosen}
    reference = best[0].name
    names = _written(best[1][1], table)
    for sheet, hit in found:
        if sheet.name in chosen_names:
            continue
        if hit:
            other = _written(hit[1], table)
            missing = ", ".join(f"'{names[c]}'" for c in names if c not in other) or "không"
            extra = ", ".join(f"'{other[c]}'" for c in other if c not in names) or "không"
            findings.warning(
                "sheet_skipped",
                f"Trang tính '{sheet.name}' có tiêu đề cột khác trang '{reference}' (thiếu: {missing}; thừa: {extra}); "
                "không đọc trang này.", file=sheet_label(label, sheet.name), row=int(sheet.grid.index[hit[0]]) + 1,
                suggestion=f"Nếu trang này cũng là dữ liệu của bảng {table.name}, hãy sửa tiêu đề cột cho giống "
                f"trang '{reference}'.")
        elif _looks_like_records(sheet.grid):
            findings.warning(
                "sheet_skipped", f"Trang tính '{sheet.name}' có nhiều dòng dữ liệu nhưng không có dòng tiêu đề cột của "
                f"bảng {table.name}; không đọc trang này.", file=sheet_label(label, sheet.name),
                suggestion=f"Nếu đó là phần tiếp theo của danh sách, hãy chép dòng tiêu đề của trang '{reference}' "
                "lên đầu trang này.")
        elif not _all_blank(sheet.grid):
            findings.info("sheet_skipped", f"Trang tính '{sheet.name}' không có dòng tiêu đề cột của bảng "
                          f"{table.name}; không đọc trang này.", file=sheet_label(label, sheet.name))


def _hidden_findings(hidden: list[Sheet], table: Table, findings: Findings, label: str) -> None:
    """A hidden sheet is never read as data; one that holds the table's header is named (its rows are not
    graded)."""
    for sheet in hidden:
        hit = find_header(sheet.grid, table)
        if hit:
            findings.warning(
                "sheet_hidden", f"Trang tính '{sheet.name}' đang bị ẩn nhưng có tiêu đề cột của bảng {table.name}; "
                "không đọc trang ẩn.", file=sheet_label(label, sheet.name), row=int(sheet.grid.index[hit[0]]) + 1,
                suggestion="Nếu trang này là dữ liệu cần chấm, hãy bỏ ẩn trang (chuột phải vào tên trang > Bỏ ẩn).")


# -------------------------------------------------------------------------------------------- header


def _header_text(cell: object) -> str | None:
    if isinstance(cell, str) and cell.strip():
        return " ".join(cell.split())
    return None


def find_header(grid: pd.DataFrame, table: Table) -> tuple[int, list[str | None], int] | None:
    """(position of the last header row, header text per column, matched columns) of the best header.

    A header may span two rows (merged group cells above sub-headers): for each column the lower cell is
    used when it names a column, else the two cells joined, else the upper cell. ``grid.index`` holds the
    row numbers (minus one): two rows make a header only when they are adjacent.
    """
    best = None
    top = min(HEADER_SEARCH_ROWS, len(grid))
    texts = [[_header_text(c) for c in grid.iloc[i].tolist()] for i in range(top)]
    for idx in range(top):
        candidates = [texts[idx]]
        if idx > 0 and grid.index[idx] - grid.index[idx - 1] == 1:
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


def _looks_like_records(grid: pd.DataFrame) -> bool:
    """At least two rows with three cells or more filled: a list, not a note."""
    filled = sum((~blank_mask(grid[c])).astype(int) for c in grid.columns) if grid.shape[1] else None
    return filled is not None and int((filled >= 3).sum()) >= 2


def _all_blank(grid: pd.DataFrame) -> bool:
    return all(blank_mask(grid[c]).all() for c in grid.columns)


def _empty(path: Path, sheets: list[Sheet], table: Table, label: str) -> Raw:
    if all(_all_blank(sheet.grid) for sheet in sheets):
        return Raw(path, pd.DataFrame(columns=[ROW]), {}, 1, sheets[0].name if sheets else None, label=label)
    raise ReadError(
        f"Tệp {label}: không tìm thấy dòng tiêu đề có các cột của bảng '{table.name}' "
        f"(ví dụ: {', '.join(c.name for c in table.columns[:3])})."
    )


# ---------------------------------------------------------------------------------------------- body


def _build(path: Path, sheet: Sheet, pos: int, headers, table: Table, findings: Findings, label: str) -> Raw:
    grid = sheet.grid
    header_row = int(grid.index[pos]) + 1
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    ignored = []
    for at, header in enumerate(headers):
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
                    file=label, row=header_row, column=header,
                )
        else:
            columns[col.name] = header
            positions[col.name] = at
    _far_finding(sheet, findings, label)
    body = grid.iloc[pos + 1:]
    frame = pd.DataFrame({name: body.iloc[:, at] for name, at in positions.items()}, index=body.index)
    frame[ROW] = body.index + 1
    # rows with no cell at all are not data (Excel's trailing blank rows, blank lines)
    empty = pd.Series(True, index=body.index)
    for at in range(body.shape[1]):
        empty &= blank_mask(body.iloc[:, at])
    body, frame = body[~empty], frame[~empty]
    keep, dropped = set_aside(body, frame, table, findings, label, ROW)
    if sheet.widths is not None:
        _extra_fields(sheet, pos, body[keep], findings, label)
    frame = frame[keep]
    # Columns that hold one kind of value only (native Excel dates, numbers) get their own dtype, so the
    # parsers take their vectorised paths; mixed columns stay as they are.
    frame = frame.reset_index(drop=True)
    data = [c for c in frame.columns if c != ROW and frame[c].dtype == object]
    frame[data] = frame[data].replace({"": None})  # an empty cell is a blank, whatever the reader gave
    for c in frame.columns:  # a CSV's text columns: the same blanks and types as an object column inferred
        if c != ROW and isinstance(frame[c].dtype, pd.StringDtype):
            frame[c] = _blanked(frame[c])
    frame = frame.infer_objects()
    return Raw(path, frame, columns, header_row, sheet.name, ignored, dropped, label=label)


def _blanked(text: pd.Series) -> pd.Series:
    """A text column with its empty cells blank (NA); one with no text at all is an object column of None,
    as ``infer_objects`` leaves such a column."""
    empty = text.eq("").to_numpy(dtype=bool, na_value=True)
    if empty.all():
        return pd.Series([None] * len(text), index=text.index, dtype=object)
    return text.where(~empty) if empty.any() else text


def _far_finding(sheet: Sheet, findings: Findings, label: str) -> None:
    far = sheet.far
    if not far.count:
        return
    row, col, value = far.examples[0]
    refs = ", ".join(cell_ref(r, c) for r, c, _v in far.examples)
    more = f" và {far.count - len(far.examples)} ô khác" if far.count > len(far.examples) else ""
    findings.warning(
        "far_cells",
        f"Có {far.count} ô có dữ liệu nằm cách xa bảng (sau hơn {COLUMN_GAP} cột trống): {refs}{more}; "
        "không đọc các ô này.", file=label, row=row + 1, column=cell_ref(row, col), value=value,
        suggestion="Nếu là ô nhập nhầm, hãy xoá nội dung ô đó trong Excel.")


def _extra_fields(sheet: Sheet, pos: int, body: pd.DataFrame, findings: Findings, label: str) -> None:
    """CSV lines with filled fields past the header's: a value holding the separator without quotes shifts
    every cell after it."""
    width = int(sheet.widths[pos])
    if body.shape[1] <= width:
        return
    extra = pd.Series(False, index=body.index)
    for at in range(width, body.shape[1]):
        extra |= ~blank_mask(body.iloc[:, at])
    sep = {"\t": "tab"}.get(sheet.separator or "", sheet.separator)
    for idx in body.index[extra.to_numpy(dtype=bool)]:
        fields = int(sheet.widths[sheet.grid.index.get_loc(idx)])
        findings.warning(
            "extra_fields",
            f"Dòng có {fields} ô, nhiều hơn {width} cột của dòng tiêu đề: có thể một giá trị chứa dấu phân cách "
            f"'{sep}' mà không đặt trong ngoặc kép, làm lệch các cột sau nó; các ô thừa không được đọc.",
            file=label, row=int(idx) + 1,
            suggestion="Kiểm tra dòng này; đặt giá trị có dấu phân cách trong ngoặc kép hoặc lưu lại từ Excel.")
