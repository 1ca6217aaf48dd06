"""A quarter folder under the index: the version-1 files through ``tthc.loading``, then the index's own files.

``load_index_quarter`` returns the canonical tables for ``grade_index`` (absent columns left out of the frames,
so that they read as "no information"), the units with ``e_certified_copy``, the findings and the row
accounting of every file. ``grade_loaded`` grades what it loaded (without writing into it);
``grade_index_quarter`` loads and grades in one call (the CLI's entry point).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from tthc.input.findings import Findings

from .grading import DEFAULT_PROVINCE_ID, IndexResult, grade_index
from .inputs import find_index_file, read_index_evidence, read_portal_scores, read_unit_extras

TABLES = ("dossiers", "complaints", "surveys")


@dataclass
class IndexInputs:
    data_dir: Path
    quarter: object
    units: pd.DataFrame
    tables: dict[str, pd.DataFrame | None]
    findings: Findings
    accounting: dict[str, dict]
    files: dict[str, Path]
    #: (size, SHA-256) per table the version-1 loader read (hashed as read)
    digests: dict[str, tuple[int, str]] = field(default_factory=dict)


def load_index_quarter(data_dir: Path | str, quarter, rules, strict: bool = True) -> IndexInputs:
    """Read a quarter folder for the index (``InputError`` when it cannot be graded, unless ``strict=False``)."""
    from tthc.input.loading import load_quarter

    data_dir = Path(data_dir)
    inputs = load_quarter(data_dir, quarter, rules, strict=strict, only=TABLES)
    findings = inputs.findings
    tables: dict[str, pd.DataFrame | None] = {}
    for name in TABLES:
        frame = inputs.table(name)
        if frame is not None:
            absent = [c for c in frame.columns if not c.startswith("_") and not inputs.has(name, c)]
            frame = frame.drop(columns=absent)
        tables[name] = frame
    accounting = {label: {"rows": acc.read, "used": acc.used, "excluded": dict(sorted(acc.excluded.items()))}
                  for label, acc in inputs.accounting.items()}
    files = {name: info.path for name, info in inputs.files.items()}
    digests = {name: (info.size, info.sha256) for name, info in inputs.files.items()}
    units = inputs.units
    if "units" in inputs.files:
        extras = read_unit_extras(inputs.files["units"].path, inputs.files["units"].label, findings)
        if extras is not None:
            units = units.merge(extras[["unit_id", "e_certified_copy"]], on="unit_id", how="left")
            units["e_certified_copy"] = units["e_certified_copy"].fillna(False).astype(bool)
    folder = data_dir / str(quarter)
    errors_before = len(findings.errors)
    for name, json_ok in (("index_evidence", False), ("portal_scores", True)):
        tables[name] = None
        path = find_index_file(folder, name, findings, str(quarter), json_ok=json_ok)
        if path is None:
            if len(findings.errors) == errors_before:
                findings.info("missing_file", f"Không có tệp {name}: các chỉ tiêu cần tệp này được coi là thiếu dữ "
                              "liệu." if name == "index_evidence" else f"Không có tệp {name}: không có điểm của Cổng "
                              "để đối chiếu.", file=f"{quarter}/{name}.csv")
            continue
        label = f"{quarter}/{path.name}"
        loaded = (read_index_evidence(path, label, findings) if name == "index_evidence"
                  else read_portal_scores(path, label, rules, findings))
        files[name] = path
        if loaded is None:
            continue
        tables[name] = loaded.frame
        accounting[label] = {"rows": loaded.read, "used": len(loaded.frame),
                             "excluded": dict(sorted(loaded.excluded.items()))}
    if strict:
        findings.raise_errors()
    return IndexInputs(data_dir, quarter, units, tables, findings, accounting, files, digests)


def profile_province_id(profile_path: Path) -> str:
    """The profile's ``province_unit_id`` (default ``TINH``)."""
    try:
        data = yaml.safe_load(Path(profile_path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return DEFAULT_PROVINCE_ID
    return str(data.get("province_unit_id") or DEFAULT_PROVINCE_ID)


def grade_loaded(loaded: IndexInputs, rules, policies: dict[str, str] | None = None,
                 province_unit_id: str = DEFAULT_PROVINCE_ID, province_name: str | None = None) -> IndexResult:
    """Grade a loaded quarter folder (``load_index_quarter``) on the index, writing nothing into it: the result's
    findings are the load's, copied, then the grading's. The loader's row accounting comes first, the grading's
    (rows of each table left out of N, of scope…) beside it under the same file label."""
    findings = Findings()
    findings.extend(loaded.findings)
    result = grade_index(loaded.tables, loaded.units, loaded.quarter, rules, policies,
                         province_unit_id=province_unit_id, province_name=province_name, findings=findings)
    merged = dict(loaded.accounting)
    for label, graded in result.accounting.items():
        read = merged.get(label)
        if read is None:
            merged[label] = graded
            continue
        excluded = dict(read["excluded"])
        for reason, count in graded["excluded"].items():  # rows the loader kept and the grading left out
            excluded[reason] = excluded.get(reason, 0) + count
        merged[label] = {"rows": read["rows"], "used": read["rows"] - sum(excluded.values()),
                         "excluded": dict(sorted(excluded.items()))}
    result.accounting = merged
    result.quarter, result.data_dir, result.files = loaded.quarter, loaded.data_dir, dict(loaded.files)
    result.digests = dict(loaded.digests)
    return result


def grade_index_quarter(data_dir: Path | str, quarter, rules, policies: dict[str, str] | None = None,
                        province_unit_id: str = DEFAULT_PROVINCE_ID, province_name: str | None = None) -> IndexResult:
    """Load a quarter folder and grade it on the index (``load_index_quarter``, then ``grade_loaded``)."""
    return grade_loaded(load_index_quarter(data_dir, quarter, rules), rules, policies, province_unit_id,
                        province_name)
