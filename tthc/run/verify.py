"""``tthc verify <output folder>``: re-derive the tables from what ``manifest.json`` recorded and compare.

The inputs' SHA-256 are checked first (a changed byte is reported by file), then the quarter is graded
again from the recorded data folder (its absolute path; older manifests: relative to the project root),
quarter, rule file and policy values, and every table is compared byte for byte with the one on disk.
Then the run's files (``run-manifest.json``, written by ``tthc run``): the report is built from exactly these
tables, and the report, executed notebooks and charts are as the run left them; a report without that
record, or a file no manifest accounts for, is a difference too. Exit 0 when identical, 1 when anything
differs, 2 when the folder has no readable ``manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from tthc import PROJECT_ROOT, __version__
from tthc.files import relative
from tthc.input.findings import InputError
from tthc.parameters.profiles import ProfileError
from tthc.parameters.ruleset import RuleSetError
from tthc.quarter import QuarterError
from tthc.run import file_writer, run_manifest

EXIT_IDENTICAL = 0
EXIT_DIFFERENT = 1
SHOWN_LINES = 3


@dataclass
class Difference:
    kind: str  # input, rule_set, tool, table, regrade
    name: str  # file or table
    message: str  # Vietnamese

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


@dataclass
class Verification:
    out_dir: Path
    differences: list[Difference] = field(default_factory=list)
    checked_inputs: int = 0
    checked_tables: int = 0
    checked_run_files: int = 0
    data_dir: Path | None = None

    @property
    def identical(self) -> bool:
        return not self.differences

    def add(self, kind: str, name: str, message: str) -> None:
        self.differences.append(Difference(kind, name, message))

    def text(self) -> str:
        where = relative(self.out_dir)
        if self.identical:
            run = (f"; báo cáo lập từ đúng các bảng này, {self.checked_run_files} tệp của lần chạy không đổi"
                   if self.checked_run_files else "")
            source = f" tại {relative(self.data_dir)}" if self.data_dir is not None else ""
            return (
                f"{where}: giống hệt. Chấm lại từ dữ liệu{source} đã ghi trong manifest.json "
                f"({self.checked_inputs} tệp đầu vào khớp SHA-256, {self.checked_tables} bảng trùng khớp từng "
                f"byte{run}).\n"
            )
        if any(d.kind == "manifest" for d in self.differences):
            return f"{where}: không kiểm tra được: {self.differences[0]}\n"
        lines = [f"{where}: KHÁC với khi chấm lại ({len(self.differences)} khác biệt):"]
        lines += [f"  - {d}" for d in self.differences]
        return "\n".join(lines) + "\n"


def _resolve(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else PROJECT_ROOT / p


def _recorded(absolute: str | None, relative_to_root: str, is_there) -> Path:
    """A recorded path: the absolute one (manifests since it was added), else the one relative to the project
    root (older manifests), else, when neither exists any more, the absolute one (for the message)."""
    candidates = [Path(absolute)] if absolute else []
    candidates.append(_resolve(relative_to_root))
    return next((c for c in candidates if is_there(c)), candidates[0])


def _sha256(path: Path) -> tuple[int, str]:
    with open(path, "rb") as handle:  # a block at a time: an input can be hundreds of MB
        return path.stat().st_size, hashlib.file_digest(handle, "sha256").hexdigest()


def verify(out_dir: Path | str) -> Verification:
    """Check the recorded inputs and re-derive every table of ``out_dir``."""
    from tthc.run.outputs import parts

    out_dir = Path(out_dir)
    report = Verification(out_dir)
    manifest_path = out_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        report.add("manifest", "manifest.json", f"không đọc được ({exc})")
        return report
    missing = [k for k in ("quarter", "data_dir", "rule_set", "policies", "inputs") if k not in manifest]
    if missing or not isinstance(manifest.get("rule_set"), dict) or "file" not in manifest["rule_set"]:
        what = ", ".join(missing) or "rule_set.file"
        report.add("manifest", "manifest.json", f"thiếu mục cần để chấm lại: {what}")
        return report
    data_dir = _recorded(manifest.get("data_dir_absolute"), manifest["data_dir"], Path.is_dir)
    report.data_dir = data_dir
    for item in manifest.get("inputs", []):
        path = data_dir / item["file"]
        report.checked_inputs += 1
        if not path.is_file():
            report.add("input", item["file"], f"không còn tệp trong {relative(data_dir)}")
            continue
        size, sha = _sha256(path)
        if sha != item["sha256"]:
            size_note = (
                f"kích thước {item['size']} → {size} byte"
                if size != item["size"]
                else f"cùng kích thước {size} byte"
            )
            report.add("input", item["file"], f"nội dung đã thay đổi (SHA-256 khác; {size_note})")
    rule = manifest["rule_set"]
    rule_path = _recorded(rule.get("file_absolute"), rule["file"], Path.is_file)
    if not rule_path.is_file():
        report.add("rule_set", rule["file"], "không còn tệp quy tắc")
        return report
    if _sha256(rule_path)[1] != rule["sha256"]:
        report.add("rule_set", rule["file"], "tệp quy tắc đã thay đổi (SHA-256 khác)")
    recorded_version = manifest.get("tool", {}).get("version")
    if recorded_version != __version__:
        report.add("tool", "tthc", f"phiên bản khi chấm {recorded_version}, hiện tại {__version__}")
    try:
        result = _regrade(manifest, data_dir, rule_path)
    except (QuarterError, ProfileError, RuleSetError) as exc:
        report.add("regrade", "manifest.json", f"không chấm lại được: {exc}")
        return report
    except InputError as exc:
        report.add("regrade", relative(data_dir), f"không chấm lại được: {exc}")
        return report
    recorded = {item["file"] for item in manifest.get("inputs", [])}
    for label in _input_labels(result, data_dir):
        if label not in recorded:
            report.add("input", label, "tệp đầu vào mới, không có trong manifest.json")
    rendered = parts(result)
    for name, pieces in rendered.items():
        report.checked_tables += 1
        on_disk = out_dir / name
        if not on_disk.is_file():
            report.add("table", name, "không có trong thư mục kết quả")
            continue
        if not file_writer.same_as_file(pieces, on_disk):  # a slice at a time; a difference is built whole
            report.add("table", name, _first_difference(on_disk.read_bytes(), file_writer.collect(pieces)))
    _check_run_files(report, out_dir, set(rendered))
    return report


def _regrade(manifest: dict, data_dir: Path, rule_path: Path):
    """The quarter graded again from what the manifest recorded, under the scheme it names (``scheme``; a
    manifest without it is of TT 01/2018): the rule file, every policy value, and for the index the
    province's row (its id and name)."""
    policies = manifest.get("policies") or {}
    if manifest.get("scheme", "tt01") == "nd118":
        from tthc.parameters.ruleset import load_ruleset
        from tthc.quarter import Quarter
        from tthc.schemes.nd118 import grade_index_quarter
        from tthc.schemes.nd118.grading import DEFAULT_PROVINCE_ID

        return grade_index_quarter(data_dir, Quarter.parse(str(manifest["quarter"])), load_ruleset(rule_path),
                                   policies, province_unit_id=manifest.get("province_unit_id") or DEFAULT_PROVINCE_ID,
                                   province_name=manifest.get("province_name"))
    from tthc.schemes.tt01.engine import grade_quarter

    return grade_quarter(data_dir, manifest["quarter"], rule_path, policies)


def _input_labels(result, data_dir: Path) -> list[str]:
    """The input files the regrading read, as the manifest names them (relative to the data folder)."""
    if hasattr(result, "inputs"):
        return [info.label for info in result.inputs.files.values()]
    labels = []
    for path in result.files.values():
        try:
            labels.append(Path(path).resolve().relative_to(data_dir.resolve()).as_posix())
        except ValueError:
            labels.append(str(path))
    return labels


def _check_run_files(report: Verification, out_dir: Path, tables: set[str]) -> None:
    """The report and the run's other files are as ``run-manifest.json`` recorded; no file is unaccounted."""
    for name, message in run_manifest.check(out_dir):
        report.add("report", name, message)
    try:
        record = run_manifest.read(out_dir)
    except ValueError:
        record = None
    covered = run_manifest.recorded_files(record)
    report.checked_run_files = len(record["report"]) + len(record["files"]) if record else 0
    for path in sorted(out_dir.rglob("*")):
        name = path.relative_to(out_dir).as_posix()
        hidden = any(part.startswith(".") for part in path.relative_to(out_dir).parts)
        if path.is_file() and not hidden and name not in tables and name not in covered:
            report.add("extra", name, "tệp không có trong manifest.json hay run-manifest.json (không do tthc ghi "
                                      "trong lần chấm hay lần chạy này)")


def _first_difference(old: bytes, new: bytes) -> str:
    a = old.decode("utf-8", errors="replace").splitlines()
    b = new.decode("utf-8", errors="replace").splitlines()
    differing = [
        i
        for i in range(max(len(a), len(b)))
        if (a[i] if i < len(a) else None) != (b[i] if i < len(b) else None)
    ]
    parts = [f"{len(differing)} dòng khác (đang ghi {len(a)} dòng, chấm lại {len(b)} dòng)"]
    for i in differing[:SHOWN_LINES]:
        was = a[i] if i < len(a) else "(không có)"
        now = b[i] if i < len(b) else "(không có)"
        parts.append(f"dòng {i + 1}: đang ghi «{was.strip()}», chấm lại «{now.strip()}»")
    return "; ".join(parts)
