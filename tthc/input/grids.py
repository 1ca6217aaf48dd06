"""Grids of raw cells as a reader gives them, before any header is found, and what every reader shares.

A grid is a DataFrame of raw cells whose columns are positions (0 = column A, or the first CSV field) and
whose index is the Excel row (or CSV line) number minus one. Dense readers give every row; the reader of a
sheet with a stray far cell keeps only the rows that hold a value, so its index may have gaps.

A cell far to the right of the table (a value typed by mistake in column XFD) would make every row of the
grid 16,384 cells wide: cells beyond a run of more than ``COLUMN_GAP`` empty columns are set aside and
counted, to be named in a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Cells beyond more than this many empty columns (counting from the table's last used column) are stray.
COLUMN_GAP = 30
#: Largest merged range filled cell by cell (a merge over a whole sheet is formatting, not data).
MERGE_FILL_LIMIT = 10_000
#: How many stray cells a finding quotes.
FAR_EXAMPLES = 3


class ReadError(Exception):
    """A file that cannot be read at all. With ``row`` (and ``column``), ``detail`` is what is wrong there and
    the message says where: "Tệp <label>: dòng <row>, cột '<column>': <detail>"."""

    def __init__(self, message: str, row: int | None = None, column: str = "", label: str = ""):
        where = f"dòng {row}" + (f", cột '{column}'" if column else "") if row is not None else ""
        super().__init__(f"Tệp {label}: {where}: {message}" if label and where else message)
        self.detail = message
        self.row = row
        self.column = column


@dataclass
class Far:
    """Cells set aside because they lie far to the right of the table: how many, and the first few."""

    count: int = 0
    examples: list[tuple[int, int, object]] = field(default_factory=list)  # (row, column, value), 0-based

    def add(self, row: int, column: int, value: object) -> None:
        self.count += 1
        if len(self.examples) < FAR_EXAMPLES:
            self.examples.append((row, column, value))


@dataclass
class Sheet:
    """One grid as read: the sheet's name (None for CSV), its cells, the far cells set aside and, for CSV,
    how many fields each line really had (padding makes every row as wide as the widest), the separator and
    whether some cell holds a line break; ``hidden`` for a sheet hidden in Excel (never read as data)."""

    name: str | None
    grid: pd.DataFrame
    far: Far = field(default_factory=Far)
    widths: np.ndarray | None = None
    separator: str | None = None
    multiline: bool = False
    hidden: bool = False


def cell_ref(row: int, column: int) -> str:
    """The A1 reference of a 0-based (row, column)."""
    from openpyxl.utils import get_column_letter  # here: reading a CSV never imports openpyxl

    return f"{get_column_letter(column + 1)}{row + 1}"


def _filled(value: object) -> bool:
    if value is None or (isinstance(value, float) and value != value):
        return False
    return not (isinstance(value, str) and not value.strip())


_FILLED = np.frompyfunc(_filled, 1, 1)


def far_start(occupied) -> int | None:
    """The first occupied column after a run of more than ``COLUMN_GAP`` empty columns, or None."""
    columns = sorted(occupied)
    for left, right in zip(columns, columns[1:], strict=False):
        if right - left - 1 > COLUMN_GAP:
            return right
    return None


def trim_far_columns(grid: pd.DataFrame) -> tuple[pd.DataFrame, Far]:
    """The grid without the columns past a gap of more than ``COLUMN_GAP`` empty columns (and without
    trailing empty columns past such a gap), and the cells that were set aside."""
    far = Far()
    if grid.shape[1] <= COLUMN_GAP + 1:
        return grid, far
    filled = _FILLED(grid.to_numpy(dtype=object)).astype(bool)
    occupied = np.flatnonzero(filled.any(axis=0))
    start = far_start(occupied.tolist())
    if start is None:
        return grid, far
    rows, cols = np.nonzero(filled[:, start:])
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        far.add(int(grid.index[r]), start + c, grid.iat[r, start + c])
    keep = int(occupied[occupied < start].max()) + 1 if (occupied < start).any() else 0
    return grid.iloc[:, :keep], far


def dense_grid(rows: list[list[object]], merges) -> pd.DataFrame:
    """A grid from every row (row i is Excel row i + 1), merged cells filled with their top-left value."""
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


def sparse_grid(cells: dict[int, dict[int, object]], merges, far: Far) -> pd.DataFrame:
    """A grid of the rows that hold a value (0-based row → column → value), indexed by row; columns past a
    gap of more than ``COLUMN_GAP`` empty columns go to ``far``; merged cells filled with their top-left
    value (adding the rows a merge covers)."""
    start = far_start({c for row in cells.values() for c in row})
    if start is not None:
        for r in sorted(cells):
            row = cells[r]
            for c in sorted(c for c in row if c >= start):
                far.add(r, c, row.pop(c))
            if not row:
                del cells[r]
    width = max((c + 1 for row in cells.values() for c in row), default=0)
    for (r0, c0), (r1, c1) in merges:
        value = cells.get(r0, {}).get(c0)
        if value is None or c0 >= width or (r1 - r0 + 1) * (c1 - c0 + 1) > MERGE_FILL_LIMIT:
            continue
        for r in range(r0, r1 + 1):
            row = cells.setdefault(r, {})
            for c in range(c0, min(c1, width - 1) + 1):
                row[c] = value
    index = sorted(cells)
    data = [[cells[r].get(c, "") for c in range(width)] for r in index]
    return pd.DataFrame(data, index=pd.Index(index, dtype="int64"), columns=range(width), dtype=object)
