"""``run-manifest.json``: what ``tthc run`` built from the tables, and from which tables.

Written by ``tthc run`` as the last file of its staging folder, before the folder is published. It records
the SHA-256 (and size) of ``report.html`` and ``report.pdf``, of the tables and ``manifest.json`` they were
built from (``built_from``), and of every other file of the run (executed notebooks, charts, the load
stage's tables). :func:`check` answers whether a folder still holds exactly that: ``tthc verify`` reports
a report whose tables changed, a report or notebook edited after the run, or a file gone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from tthc import __version__

FILE = "run-manifest.json"
REPORT_FILES = ("report.html", "report.pdf")


def digest(path: Path) -> dict:
    """A file's size and SHA-256, read a block at a time (a table can be hundreds of MB)."""
    with open(path, "rb") as handle:
        sha = hashlib.file_digest(handle, "sha256")
    return {"size": path.stat().st_size, "sha256": sha.hexdigest()}


def _files(folder: Path) -> list[str]:
    """Every file under ``folder`` (posix paths, sorted), hidden ones (temporary files, markers) left out."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def build(folder: Path, tables: Iterable[str]) -> dict:
    """The record of ``folder`` as it is now; ``tables`` are the names of the graded tables."""
    tables = set(tables)
    names = _files(folder)
    return {
        "tool": {"name": "tthc", "version": __version__},
        "report": {n: digest(folder / n) for n in REPORT_FILES if n in names},
        "built_from": {n: digest(folder / n) for n in names if n in tables},
        "files": {n: digest(folder / n) for n in names if n not in tables and n not in REPORT_FILES and n != FILE},
    }


def write(folder: Path, tables: Iterable[str]) -> Path:
    path = folder / FILE
    text = json.dumps(build(folder, tables), ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def read(folder: Path) -> dict | None:
    """The record, None when there is none; ValueError when it cannot be read."""
    path = folder / FILE
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"không đọc được ({exc})") from exc
    if not isinstance(record, dict) or not all(isinstance(record.get(k), dict)
                                               for k in ("report", "built_from", "files")):
        raise ValueError("thiếu mục report, built_from hoặc files")
    return record


def recorded_files(record: dict | None) -> set[str]:
    """Every file name the record covers (itself included)."""
    if not record:
        return set()
    return {FILE, *record["report"], *record["built_from"], *record["files"]}


def check(folder: Path) -> list[tuple[str, str]]:
    """``(file, Vietnamese message)`` for everything in ``folder`` that is not as the run left it."""
    try:
        record = read(folder)
    except ValueError as exc:
        return [(FILE, str(exc))]
    if record is None:
        present = [n for n in REPORT_FILES if (folder / n).is_file()]
        if present:
            return [(", ".join(present), f"không có {FILE}: không xác minh được báo cáo lập từ bảng nào "
                                         "(chạy lại tthc run để lập lại báo cáo)")]
        return []
    problems = []
    report = ", ".join(record["report"]) or "báo cáo"
    for name, entry in record["built_from"].items():
        path = folder / name
        if not path.is_file():
            problems.append((name, f"{report} được lập từ {name}, nay không còn tệp này"))
        elif digest(path)["sha256"] != entry.get("sha256"):
            problems.append((name, f"{report} được lập từ một {name} khác với {name} đang có (SHA-256 khác): "
                                   "báo cáo không khớp các bảng; chạy lại tthc run"))
    for section in ("report", "files"):
        for name, entry in record[section].items():
            path = folder / name
            if not path.is_file():
                problems.append((name, "không còn tệp do tthc run ghi"))
            elif digest(path)["sha256"] != entry.get("sha256"):
                problems.append((name, "đã bị sửa sau lần chạy tthc run (SHA-256 khác)"))
    return problems


def has_report(folder: Path) -> bool:
    """``folder`` holds ``report.html`` or ``report.pdf``."""
    return any((folder / n).is_file() for n in REPORT_FILES)


def stale_report(folder: Path, known: dict[str, str] | None = None) -> bool:
    """``folder`` holds a report not shown to be built from its current tables (no record, or other tables).
    ``known``: SHA-256 of files just written there, by name (not read again)."""
    if not has_report(folder):
        return False
    try:
        record = read(folder)
    except ValueError:
        return True
    if record is None:
        return True
    known = {name: sha for name, sha in (known or {}).items() if sha}

    def sha256(name: str) -> str:
        return known[name] if name in known else digest(folder / name)["sha256"]

    return any(not (folder / name).is_file() or sha256(name) != entry.get("sha256")
               for name, entry in record["built_from"].items())
