"""Writing the contract's output tables and ``manifest.json``: deterministic bytes, all-or-nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from tthc import PROJECT_ROOT, __version__
from tthc.days import iso_days
from tthc.input.contract import CONTRACT_VERSION
from tthc.run import csv_writer, file_writer, findings_book, grades_book, publish, run_manifest
from tthc.sanitize import CANDIDATE, safe_text

#: Contract tables first; the rest are additions (the contract allows adding).
TABLES = ("grades.csv", "officials.csv", "official_indicators.csv", "dossier_scores.csv", "findings.csv",
          "unit_indicators.csv",
          "satisfaction.csv", "participants.csv")
#: Every file :func:`render` produces.
OUTPUT_FILES = (*TABLES, "grades.xlsx", "findings.xlsx", "manifest.json")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell through ``safe_text`` (CSV and XLSX outputs); only the cells not starting with a letter
    or a digit are looked at one by one."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            hit = values.str.match(CANDIDATE) if values.dtype != object else \
                values.map(lambda v: isinstance(v, str) and re.match(CANDIDATE, v) is not None)
            hit = hit.fillna(False).to_numpy(dtype=bool)
            if hit.any():
                out.loc[hit, col] = values[hit].map(safe_text)
    return out


#: officials.csv holds exactly the contract's columns; the per-indicator detail goes to official_indicators.csv.
OFFICIALS_COLUMNS = ["official", "unit_id", "dossiers", "score", "completion"]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as CSV, text neutralised: column-wise through Arrow (``csv_writer``), the same bytes as
    pandas' ``to_csv``, which still writes the tables with a column type the fast path does not handle."""
    return file_writer.collect(lambda: csv_pieces(frame))


def csv_pieces(frame: pd.DataFrame) -> Iterable:
    """:func:`csv_bytes` in pieces: the header, then slices of rows (``csv_writer.frame_slices``); a table
    through pandas as one piece."""
    slices = csv_writer.frame_slices(frame)
    if slices is not None:
        return slices
    return (neutralise(frame).to_csv(index=False, lineterminator="\n").encode("utf-8"),)


def _table(build: Callable[[], pd.DataFrame]) -> file_writer.Pieces:
    """A table's CSV pieces, its frame built when the file is written (and freed after it)."""
    return lambda: csv_pieces(build())


def _relative(path: Path) -> str:
    """Relative to the project root when inside it, else absolute (never relative to some other folder)."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(Path(path).resolve())


def _absolute(path: Path) -> str:
    return str(Path(path).resolve())


def manifest(result) -> dict:
    inputs = result.inputs
    fields = {
        "tool": {"name": "tthc", "version": __version__, "contract_version": CONTRACT_VERSION},
        "quarter": str(result.quarter),
        "period": {"start": result.period.start.isoformat(), "end": result.period.end.isoformat()},
        "rule_set": {"id": result.rules.id, "title": result.rules.title, "file": _relative(result.rules.path),
                     "file_absolute": _absolute(result.rules.path), "sha256": result.rules.sha256},
        "policies": result.policies,
        "data_dir": _relative(inputs.data_dir),
        "data_dir_absolute": _absolute(inputs.data_dir),
        "inputs": [
            {"table": name, "file": info.label, "size": info.size, "sha256": info.sha256, "rows": info.rows,
             **({"sheet": info.sheet} if info.sheet else {}), "header_row": info.header_row}
            for name, info in sorted(inputs.files.items(), key=lambda kv: kv[1].label)
        ],
        "row_accounting": {
            label: {"read": acc.read, "used": acc.used, "excluded": dict(sorted(acc.excluded.items())),
                    **({"sheets": {sheet: {"read": a.read, "excluded": dict(sorted(a.excluded.items()))}
                                   for sheet, a in acc.sheets.items()}} if acc.sheets else {})}
            for label, acc in sorted(inputs.accounting.items())
        },
        "counts": {
            "units": len(result.units),
            "population": len(result.scored),
            "officials": len(result.officials),
            "findings": result.findings.counts(),
        },
    }
    note = legal_basis_note(result)
    if not note:  # a rule set in force on the quarter's last day: the manifest says nothing more
        return fields
    ordered = {}
    for key, value in fields.items():
        ordered[key] = value
        if key == "rule_set":
            ordered["legal_basis_note"] = note
    return ordered


def legal_basis_note(result) -> str:
    """The note of a rule set forced on a quarter after its legal basis lapsed (``tthc.schemes.nd118.lapsed_note``:
    TT 01/2018 on a quarter ending after 30/06/2025), else ''."""
    from tthc.schemes.nd118 import lapsed_note

    return lapsed_note(result.rules, result.quarter, result.policies.get("period", "calendar_quarter"))


#: Written by a second process while the tables are written, where it can (``file_writer.write_files``).
WORKBOOKS = ("grades.xlsx", "findings.xlsx")


def parts(result) -> dict[str, file_writer.Pieces]:
    """Every output file as its pieces (``file_writer``), as the result's scheme lays them out: each table
    built and written slice by slice when its file is written."""
    if getattr(result.rules, "scheme", "tt01") == "nd118":
        from tthc.run import index_outputs

        return index_outputs.parts(result)
    files = {
        "grades.csv": _table(lambda: result.grades),
        "officials.csv": _table(lambda: result.officials[OFFICIALS_COLUMNS]),
        "official_indicators.csv": _table(
            lambda: result.officials.drop(columns=["dossiers", "score", "completion"])),
        "dossier_scores.csv": _table(lambda: result.dossier_scores),
        "findings.csv": _table(lambda: result.findings.frame()),
        "unit_indicators.csv": _table(lambda: result.unit_indicators),
        "satisfaction.csv": _table(lambda: result.satisfaction),
        "participants.csv": _table(lambda: _participants(result.participants)),
        "grades.xlsx": lambda: (grades_book.grades_xlsx(result),),
        "findings.xlsx": lambda: (findings_book.findings_xlsx(result),),
    }
    files["manifest.json"] = file_writer.whole(
        (json.dumps(manifest(result), ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8"))
    return files


def render(result) -> dict[str, bytes]:
    """Every output file's bytes, as the result's scheme lays them out (``parts``, each collected in memory)."""
    return {name: file_writer.collect(pieces) for name, pieces in parts(result).items()}


def _participants(parts: pd.DataFrame) -> pd.DataFrame:
    if parts.empty:
        return parts
    out = parts.copy()
    for col in ("due_day", "finished_day"):
        out[col] = iso_days(out[col])
    return out.rename(columns={"due_day": "due_at", "finished_day": "finished_at"})


def write_files(files: dict[str, bytes], folder: Path) -> None:
    """Each file written beside its final name, then renamed onto it."""
    file_writer.write_files({name: file_writer.whole(data) for name, data in files.items()}, Path(folder))


def write_parts(result, folder: Path, digest: bool = False) -> dict[str, file_writer.Written]:
    """Every output file of ``result`` written into ``folder`` piece by piece (each table a slice at a time);
    what was written under each name (``digest``: with its SHA-256)."""
    return file_writer.write_files(parts(result), Path(folder), digest=digest, aside=WORKBOOKS)


def write_outputs(result, out_dir: Path | str, notify: Callable[[str], None] | None = None) -> Path:
    """Write the quarter's tables to ``out_dir``, replacing the whole folder at once (``tthc.run.publish``).

    What the old folder held besides the tables (a run's report, notebooks and charts) is carried into the new
    one; when the tables changed under such a report, ``notify`` gets a Vietnamese note (the report is then
    out of date, and ``tthc verify`` says so). Inside a ``tthc run`` (its staging folder) the tables are
    written directly: the run publishes the folder whole. Raises ``publish.OutputFolderError`` (the folder
    cannot be written there; it is unchanged) or ``publish.FolderBusy`` (another run holds it).
    """
    if publish.is_run_staging(out_dir):
        write_parts(result, Path(out_dir))
        return Path(out_dir)
    out = publish.resolve(out_dir)
    with publish.replacing(out) as staging:
        report = run_manifest.has_report(out)  # its tables' SHA-256 are then needed: computed as written
        written = publish.guard(lambda: write_parts(result, staging, digest=report), out, "ghi thư mục kết quả")
        publish.carry_over(out, staging)
        stale = run_manifest.stale_report(staging, known={name: w.sha256 for name, w in written.items()})
    if stale and notify is not None:
        notify(f"Lưu ý: báo cáo (report.html, report.pdf) trong {publish.shown(out)} được lập từ các bảng "
               "trước lần chấm này; chạy tthc run để lập lại báo cáo.")
    return Path(out_dir)
