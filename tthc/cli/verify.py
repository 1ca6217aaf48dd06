"""``tthc verify <output folder>``: re-derive the tables from what ``manifest.json`` recorded and compare.

The inputs' SHA-256 are checked first (a changed byte is reported by file), then the quarter is graded
again from the recorded data folder, quarter, rule file and policy values, and every table is compared
byte for byte with the one on disk. Exit 0 when identical, 1 when anything differs, 2 when the folder
has no readable ``manifest.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from tthc import PROJECT_ROOT, __version__
from tthc.cli.common import relative
from tthc.input.findings import InputError
from tthc.parameters.profiles import ProfileError
from tthc.parameters.ruleset import RuleSetError
from tthc.quarter import QuarterError

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

    @property
    def identical(self) -> bool:
        return not self.differences

    def add(self, kind: str, name: str, message: str) -> None:
        self.differences.append(Difference(kind, name, message))

    def text(self) -> str:
        where = relative(self.out_dir)
        if self.identical:
            return (
                f"{where}: giống hệt. Chấm lại từ dữ liệu đã ghi trong manifest.json ({self.checked_inputs} "
                f"tệp đầu vào khớp SHA-256, {self.checked_tables} bảng trùng khớp từng byte).\n"
            )
        if any(d.kind == "manifest" for d in self.differences):
            return f"{where}: không kiểm tra được: {self.differences[0]}\n"
        lines = [f"{where}: KHÁC với khi chấm lại ({len(self.differences)} khác biệt):"]
        lines += [f"  - {d}" for d in self.differences]
        return "\n".join(lines) + "\n"


def _resolve(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else PROJECT_ROOT / p


def _sha256(path: Path) -> tuple[int, str]:
    data = path.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def verify(out_dir: Path | str) -> Verification:
    """Check the recorded inputs and re-derive every table of ``out_dir``."""
    from tthc.run.outputs import render
    from tthc.schemes.tt01.engine import grade_quarter

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
    data_dir = _resolve(manifest["data_dir"])
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
    rule_path = _resolve(rule["file"])
    if not rule_path.is_file():
        report.add("rule_set", rule["file"], "không còn tệp quy tắc")
        return report
    if _sha256(rule_path)[1] != rule["sha256"]:
        report.add("rule_set", rule["file"], "tệp quy tắc đã thay đổi (SHA-256 khác)")
    recorded_version = manifest.get("tool", {}).get("version")
    if recorded_version != __version__:
        report.add("tool", "tthc", f"phiên bản khi chấm {recorded_version}, hiện tại {__version__}")
    try:
        result = grade_quarter(data_dir, manifest["quarter"], rule_path, manifest.get("policies") or {})
    except (QuarterError, ProfileError, RuleSetError) as exc:
        report.add("regrade", "manifest.json", f"không chấm lại được: {exc}")
        return report
    except InputError as exc:
        report.add("regrade", relative(data_dir), f"không chấm lại được: {exc}")
        return report
    recorded = {item["file"] for item in manifest.get("inputs", [])}
    for info in result.inputs.files.values():
        if info.label not in recorded:
            report.add("input", info.label, "tệp đầu vào mới, không có trong manifest.json")
    for name, data in render(result).items():
        report.checked_tables += 1
        on_disk = out_dir / name
        if not on_disk.is_file():
            report.add("table", name, "không có trong thư mục kết quả")
            continue
        old = on_disk.read_bytes()
        if old != data:
            report.add("table", name, _first_difference(old, data))
    return report


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


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="kiểm tra một thư mục kết quả có tái lập được từ dữ liệu đã ghi",
        description="Đọc manifest.json, kiểm tra SHA-256 của từng tệp đầu vào, chấm lại từ thư mục "
        "dữ liệu, quý, tệp quy tắc và các chính sách đã ghi, rồi so sánh từng bảng "
        "theo từng byte. Mã thoát 0: giống hệt; 1: có khác biệt; "
        "2: không có manifest.json đọc được.",
    )
    p.add_argument("out_dir", metavar="THƯ_MỤC_KẾT_QUẢ", help="ví dụ outputs/dien-bien-dong/2021-Q2")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tthc.errors import EXIT_INPUT

    report = verify(args.out_dir)
    print(report.text(), end="")
    if any(d.kind == "manifest" for d in report.differences):
        return EXIT_INPUT  # nothing to verify against
    return EXIT_IDENTICAL if report.identical else EXIT_DIFFERENT
