"""Which file of a data folder holds each table, and whether the folder really holds it.

A table is ``<name>.csv`` or ``<name>.xlsx`` (whatever the case of the extension); both at once is an error.
A file of another format (.xls, .ods, .txt…) is never silently ignored: alone, it is an error naming it (the
analyst meant to give that table; grading without it would change the grade); beside a .csv or .xlsx, a
warning. A file that resolves outside the data folder (a symbolic link to elsewhere, or a quarter folder
linked from elsewhere) is refused: what is graded, hashed into the manifest and verified later must be what
the folder holds.
"""

from __future__ import annotations

from pathlib import Path

from tthc.input.findings import Findings

SUFFIXES = (".csv", ".xlsx")
#: Files a user may save by mistake: when a table has only such a file, it is an error naming it (ignoring it
#: would grade without what the analyst meant to give); beside a .csv or .xlsx, a warning.
OTHER_SUFFIXES = (".xls", ".xlsm", ".xlsb", ".ods", ".txt", ".tsv")


def find_file(folder: Path, name: str, findings: Findings, rel: str) -> Path | None:
    """The table's .csv or .xlsx file. Both: an error. Only a file of another format (.xls, .ods…): an error
    naming it, for any table (ignoring it would grade without what the analyst meant to give)."""
    # file names match whatever the case of the extension (Excel on Windows writes DOSSIERS.XLSX too)
    candidates = sorted(p for p in folder.glob(f"{name}.*") if p.stem == name and (p.is_file() or p.is_symlink()))
    present = [p for p in candidates if p.suffix.lower() in SUFFIXES]
    others = [p.name for p in candidates if p.suffix.lower() in OTHER_SUFFIXES]
    if len(present) > 1:
        findings.error(
            "ambiguous_file",
            f"Có cả {name}.csv và {name}.xlsx trong {rel}: chỉ được để một tệp cho mỗi bảng.",
            file=f"{rel}/{name}.*",
        )
        return None
    convert = "Mở tệp bằng Excel, chọn Lưu thành 'Excel Workbook (.xlsx)' hoặc 'CSV UTF-8'"
    if not present and others:
        text = others[0].lower().endswith((".txt", ".tsv"))
        findings.error(
            "unsupported_format",
            f"Tệp {others[0]} không đọc được: chỉ nhận .csv hoặc .xlsx, nên bảng {name} không có dữ liệu.",
            file=f"{rel}/{others[0]}",
            suggestion=f"Đổi đuôi tệp thành {name}.csv (tệp văn bản phân tách bằng tab hoặc dấu phẩy được đọc như "
            "CSV)." if text else f"{convert}, đặt tên {name}.xlsx (hoặc {name}.csv) vào {rel}.",
        )
    elif others:
        findings.warning(
            "unsupported_format",
            f"Tệp {others[0]} không được đọc (chỉ nhận .csv hoặc .xlsx); bảng {name} được đọc từ {present[0].name}.",
            file=f"{rel}/{others[0]}", suggestion=f"Nếu {others[0]} mới hơn: {convert} thay cho {present[0].name}.",
        )
    return present[0] if present else None


def outside_link(path: Path, data_dir: Path, findings: Findings, label: str) -> bool:
    """Whether ``path`` really lies outside ``data_dir`` (a symbolic link to elsewhere, or a broken one): an
    error naming the link and its target. The data folder must hold its files: what is graded and recorded
    in the manifest is then what the folder holds."""
    real = path.resolve()
    if path.exists() and real.is_relative_to(data_dir.resolve()):
        return False
    if not path.exists():
        findings.error("broken_link", f"Tệp {label} là liên kết (symlink) tới {real}, tệp này không tồn tại.",
                       file=label, suggestion=f"Chép tệp thật vào {path.parent} thay cho liên kết.")
        return True
    findings.error(
        "outside_link",
        f"Tệp {label} dẫn (qua liên kết/symlink) tới {real}, nằm ngoài thư mục dữ liệu {data_dir}: không đọc. "
        "Thư mục dữ liệu phải chứa chính các tệp của nó (tệp được chấm và ghi vào manifest là tệp trong thư mục).",
        file=label, suggestion=f"Chép tệp {real.name} vào {path.parent} (thay cho liên kết) rồi chấm lại.",
    )
    return True
