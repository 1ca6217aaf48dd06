"""Reading CSV and XLSX exports into raw frames that keep the Excel row number of every row.

The header row is found, not assumed: exports often carry title rows above it, and the data may sit on
a sheet that is not the first. Cells are kept raw (text, numbers, native dates); ``values`` parses them.
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .contract import Table
from .findings import Findings
from .values import blank_mask

ROW = "_row"
#: How many rows from the top are searched for the header.
HEADER_SEARCH_ROWS = 30
CSV_ENCODINGS = ("utf-8", "cp1258")


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


def read_table(path: Path, table: Table, findings: Findings, label: str) -> Raw:
    """Read ``path`` (CSV or XLSX) and map its headers onto ``table``'s canonical columns."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        grids = [(None, _read_csv(path, label))]
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        grids = _read_excel(path, label)
    else:
        raise ReadError(f"Tệp {label}: định dạng '{suffix}' không được hỗ trợ (cần .csv hoặc .xlsx).")
    best = None
    for sheet, grid in grids:
        found = _find_header(grid, table)
        if found and (best is None or found[1] > best[2]):
            best = (sheet, found[0], found[1], grid)
    if best is None:
        return _empty(path, grids, table, label)
    sheet, header_idx, _score, grid = best
    return _build(path, grid, header_idx, sheet, table, findings, label)


def _read_csv(path: Path, label: str) -> pd.DataFrame:
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        for encoding in CSV_ENCODINGS:
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - cp1258 decodes almost anything
            raise ReadError(f"Tệp {label}: không nhận ra bảng mã (cần UTF-8).")
    sep = "\t" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and "\t" in text[:2000] else None
    try:
        return pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            sep=sep or ",",
            engine="python" if sep is None else "c",
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        if isinstance(exc, pd.errors.EmptyDataError):
            return pd.DataFrame()
        raise ReadError(f"Tệp {label}: không đọc được CSV ({exc}).") from exc


def _read_excel(path: Path, label: str) -> list[tuple[str, pd.DataFrame]]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
    except Exception:  # noqa: BLE001 - calamine's errors are not typed; try openpyxl before giving up
        try:
            sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
        except Exception as exc:  # noqa: BLE001
            raise ReadError(f"Tệp {label}: không mở được tệp Excel ({exc}).") from exc
    return [(name, frame.astype(object)) for name, frame in sheets.items()]


def _find_header(grid: pd.DataFrame, table: Table) -> tuple[int, int] | None:
    """(row index, number of matched columns) of the most plausible header row."""
    best = None
    for idx in range(min(HEADER_SEARCH_ROWS, len(grid))):
        cells = [c for c in grid.iloc[idx].tolist() if isinstance(c, str) and c.strip()]
        matched = {col.name for c in cells if (col := table.match(c)) is not None}
        if matched and (best is None or len(matched) > best[1]):
            best = (idx, len(matched))
    return best


def _empty(path: Path, grids, table: Table, label: str) -> Raw:
    grid = grids[0][1] if grids else pd.DataFrame()
    if grid.empty:
        return Raw(path, pd.DataFrame(columns=[ROW]), {}, 1, grids[0][0] if grids else None)
    raise ReadError(
        f"Tệp {label}: không tìm thấy dòng tiêu đề có các cột của bảng '{table.name}' "
        f"(ví dụ: {', '.join(c.name for c in table.columns[:3])})."
    )


def _build(path, grid, header_idx, sheet, table, findings, label) -> Raw:
    headers = grid.iloc[header_idx].tolist()
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    ignored = []
    for pos, header in enumerate(headers):
        if not isinstance(header, str) or not header.strip():
            continue
        col = table.match(header)
        if col is None:
            ignored.append(header.strip())
        elif col.name in columns:
            findings.warning(
                "duplicate_column",
                f"Cột '{header.strip()}' trùng nghĩa với cột '{columns[col.name]}' ({col.name}); "
                "chỉ dùng cột đầu tiên.",
                file=label,
                row=header_idx + 1,
                column=header.strip(),
            )
        else:
            columns[col.name] = header.strip()
            positions[col.name] = pos
    body = grid.iloc[header_idx + 1 :]
    frame = pd.DataFrame({name: body.iloc[:, pos] for name, pos in positions.items()}, index=body.index)
    frame[ROW] = body.index + 1
    # rows with no cell at all are not data (Excel's trailing blank rows)
    empty = pd.Series(True, index=body.index)
    for pos in range(body.shape[1]):
        empty &= blank_mask(body.iloc[:, pos])
    frame = frame[~empty]
    return Raw(path, frame.reset_index(drop=True), columns, header_idx + 1, sheet, ignored)
