"""Reading XLSX workbooks into grids (every visible worksheet), safely.

- A password-protected workbook (an OLE container holding an ``EncryptedPackage``) and an Excel 97-2003
  file renamed ``.xlsx`` are refused with a message saying what to do.
- calamine (fast) builds a dense block from A1 to the last cell holding a value: one stray value in XFD2 or
  XFD1048576 would make it allocate gigabytes (and abort the process). Before calamine runs, each
  worksheet's XML is scanned for its real extent (the rows and columns its cells name); a sheet whose extent
  is far larger than its content is read cell by cell with openpyxl's streaming reader instead, keeping only
  the cells that hold a value.
- Either way, cells beyond a run of more than ``grids.COLUMN_GAP`` empty columns are set aside (and named in
  a finding by the caller).
"""

from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree

from tthc.input.grids import Far, ReadError, Sheet, dense_grid, sparse_grid, trim_far_columns
from tthc.input.xlsx_formulas import mark_uncached_formulas

#: The first bytes of an OLE compound file (Excel 97-2003, or an encrypted Office 2007+ file).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The stream an encrypted (password-protected) Office file keeps its content in (names are UTF-16).
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
#: A sheet whose extent (rows × columns) exceeds both this and a fifth of its XML's bytes is read sparsely.
CELL_BUDGET = 2_000_000
_CHUNK = 1 << 22
#: ` r="123"` (a row's number) or ` r="AB12"` (a cell beyond column Z): enough to bound a sheet's extent.
_EXTENT = re.compile(rb' r="(\d+|[A-Z]{2,3}\d)')
_MERGE = re.compile(rb'mergeCell\s+ref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)"')
_WORKSHEET_TYPE = "spreadsheetml.worksheet+xml"


def read_workbook(path, label: str) -> list[Sheet]:
    """Every worksheet of ``path`` as a grid (row i is Excel row i + 1), merged cells filled; hidden ones
    are marked ``hidden`` (not read as data, but named when they hold the table)."""
    _refuse_impostor(path, label)
    try:
        with zipfile.ZipFile(path) as book:
            sparse = any(_too_sparse(book, member) for member in _worksheets(book))
    except (zipfile.BadZipFile, OSError, KeyError, ElementTree.ParseError) as exc:
        raise ReadError(f"Tệp {label}: không mở được tệp Excel (tệp hỏng hoặc không phải tệp .xlsx thật). "
                        "Hãy mở tệp bằng Excel và lưu lại dạng 'Excel Workbook (.xlsx)'.") from exc
    if sparse:
        return _with_formulas(path, _guarded(_sparse_sheets, path, label))
    try:
        sheets = _calamine_sheets(path)
    except Exception as exc:  # noqa: BLE001 - calamine's errors are not typed; try openpyxl before giving up
        if type(exc).__name__ == "PasswordError":
            raise ReadError(_password_message(label)) from exc
        sheets = _guarded(_openpyxl_sheets, path, label)
    return _with_formulas(path, [_trimmed(sheet) for sheet in sheets])


def _with_formulas(path, sheets: list[Sheet]) -> list[Sheet]:
    """A formula saved without its value is not a blank cell: its text replaces the empty cell
    (``xlsx_formulas``; row i of a grid is Excel row i + 1)."""
    mark_uncached_formulas(path, [(sheet.name, sheet.grid) for sheet in sheets])
    return sheets


def _guarded(reader, path, label: str) -> list[Sheet]:
    try:
        return reader(path)
    except Exception as exc:  # noqa: BLE001 - any failure of the reader is a file that cannot be read
        raise ReadError(f"Tệp {label}: không mở được tệp Excel (tệp hỏng; chi tiết kỹ thuật: {type(exc).__name__}: "
                        f"{exc}). Hãy mở tệp bằng Excel và lưu lại dạng 'Excel Workbook (.xlsx)'.") from exc


def _trimmed(sheet: Sheet) -> Sheet:
    grid, far = trim_far_columns(sheet.grid)
    return Sheet(sheet.name, grid, far, hidden=sheet.hidden)


def _password_message(label: str) -> str:
    return (f"Tệp {label} được đặt mật khẩu (mã hoá) nên không đọc được. Hãy mở tệp bằng Excel, nhập mật khẩu, "
            "gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hoá bằng mật khẩu, xoá mật khẩu) hoặc lưu "
            "một bản sao không đặt mật khẩu, rồi đặt bản đó vào thư mục dữ liệu.")


def _refuse_impostor(path, label: str) -> None:
    """A file named .xlsx that is something else: encrypted, Excel 97-2003, a web page or text."""
    with open(path, "rb") as handle:
        head = handle.read(len(OLE_MAGIC))
        if head == OLE_MAGIC:
            if ENCRYPTED_STREAM in handle.read():
                raise ReadError(_password_message(label))
            raise ReadError(f"Tệp {label} là tệp Excel 97-2003 (.xls) mang đuôi .xlsx: không đọc được. Hãy mở bằng "
                            "Excel và lưu lại dạng 'Excel Workbook (.xlsx)' hoặc 'CSV UTF-8'.")
        if head.startswith(b"PK"):
            return
        start = (head + handle.read(2048)).lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").replace(b"\x00", b"").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")):
        raise ReadError(f"Tệp {label} thực ra là một trang web (HTML/XML) mang đuôi .xlsx, như một số hệ thống xuất "
                        "ra: không đọc được. Hãy mở tệp bằng Excel và lưu lại dạng 'Excel Workbook (.xlsx)'.")
    if start and all(32 <= b < 127 or b in (9, 10, 13) or b >= 128 for b in start[:512]):
        raise ReadError(f"Tệp {label} là tệp văn bản (có thể là CSV) mang đuôi .xlsx: không đọc được như tệp Excel. "
                        "Nếu là CSV, hãy đổi đuôi tệp thành .csv; nếu không, mở bằng Excel và lưu lại dạng .xlsx.")


# ---------------------------------------------------------------------------------------- the extent


def _worksheets(book: zipfile.ZipFile) -> list[str]:
    """The worksheet parts: those [Content_Types].xml declares, and any under xl/worksheets/."""
    names = set(book.namelist())
    members = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    if "[Content_Types].xml" in names:
        for node in ElementTree.fromstring(book.read("[Content_Types].xml")):
            part = (node.get("PartName") or "").lstrip("/")
            if _WORKSHEET_TYPE in (node.get("ContentType") or "") and part in names:
                members.add(part)
    return sorted(members)


def _split(data: bytes) -> tuple[bytes, bytes]:
    """``data`` up to its last tag's start, and the rest (scanned with the next chunk)."""
    cut = data.rfind(b"<")
    return (data, b"") if cut < 0 else (data[:cut], data[cut:])


def _too_sparse(book: zipfile.ZipFile, member: str) -> bool:
    """Whether the block from A1 to the sheet's last row and column is far larger than its content."""
    from openpyxl.utils.cell import column_index_from_string  # here: reading a CSV never imports openpyxl

    last_row, last_col, size = 0, 26, 0
    tail = b""
    with book.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data, tail = _split(tail + chunk)
            size += len(data)
            refs = set(_EXTENT.findall(data))
            rows = [int(r) for r in refs if r.isdigit()]
            if rows:
                last_row = max(last_row, *rows)
            for ref in refs:
                if not ref.isdigit():
                    last_col = max(last_col, column_index_from_string(ref[:-1].decode()))
    size += len(tail)
    if not last_row:  # rows without numbers: at most one per 20 bytes
        last_row = size // 20
    return last_row * last_col > max(CELL_BUDGET, size // 5)


# ------------------------------------------------------------------------------------------ readers


def _calamine_sheets(path) -> list[Sheet]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    book = CalamineWorkbook.from_path(str(path))
    out = []
    try:
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            merges = [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            out.append(Sheet(meta.name, dense_grid(rows, merges), hidden=meta.visible != SheetVisibleEnum.Visible))
    finally:
        book.close()
    return out


def _openpyxl_sheets(path) -> list[Sheet]:
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    out = []
    for ws in book.worksheets:
        rows = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
        merges = [((m.min_row - 1, m.min_col - 1), (m.max_row - 1, m.max_col - 1))
                  for m in ws.merged_cells.ranges]
        out.append(Sheet(ws.title, dense_grid(rows, merges), hidden=ws.sheet_state != "visible"))
    book.close()
    return out


def _sparse_sheets(path) -> list[Sheet]:
    """openpyxl's streaming reader, keeping only the cells that hold a value (never the declared extent)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = []
    try:
        with zipfile.ZipFile(path) as archive:
            for ws in book.worksheets:
                ws.reset_dimensions()  # the declared dimension may be A1:XFD1048576: never pad rows to it
                cells: dict[int, dict[int, object]] = {}
                for r, row in enumerate(ws.iter_rows(values_only=True)):
                    filled = {c: v for c, v in enumerate(row) if v is not None and v != ""}
                    if filled:
                        cells[r] = filled
                member = getattr(ws, "_worksheet_path", None)
                merges = _merges(archive, member) if member else []
                far = Far()
                out.append(Sheet(ws.title, sparse_grid(cells, merges, far), far, hidden=ws.sheet_state != "visible"))
    finally:
        book.close()
    return out


def _merges(archive: zipfile.ZipFile, member: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    from openpyxl.utils.cell import range_boundaries

    out = []
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data, tail = _split(tail + chunk)
            for ref in _MERGE.findall(data):
                c0, r0, c1, r1 = range_boundaries(ref.decode())
                out.append(((r0 - 1, c0 - 1), (r1 - 1, c1 - 1)))
    for ref in _MERGE.findall(tail):
        c0, r0, c1, r1 = range_boundaries(ref.decode())
        out.append(((r0 - 1, c0 - 1), (r1 - 1, c1 - 1)))
    return out
