"""``tthc check``: every problem of a quarter's input files at once, and the row accounting.

Runs the same loading and checks as ``tthc grade`` (and, when nothing stops it, the population selection and
grading, for their findings), writes nothing, and prints the findings grouped by severity and file, then
for each input file: rows read = rows used + rows excluded, each exclusion with its reason.
Exit status 0 when there is no error, 2 when the input cannot be graded.
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import TYPE_CHECKING

from tthc.cli.common import USER_ERRORS, add_quarter_args, relative, resolve_target
from tthc.input.findings import ERROR, SEVERITIES, SEVERITY_VI, Finding

if TYPE_CHECKING:
    from tthc.input.loading import Inputs

#: Findings printed per severity and file before "… và N phát hiện khác".
DEFAULT_LIMIT = 20


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="kiểm tra dữ liệu đầu vào của một quý (không ghi kết quả)",
                       description="Đọc và kiểm tra mọi tệp của một quý, liệt kê mọi phát hiện (tệp, dòng, cột) "
                                   "và đối chiếu số dòng: đọc = dùng + loại. Mã thoát 0 khi không có lỗi, "
                                   "2 khi có lỗi.")
    add_quarter_args(p, with_out=False)
    p.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                   help=f"số phát hiện in ra cho mỗi tệp và mức độ (mặc định {DEFAULT_LIMIT}; 0 = tất cả)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tthc.cli.common import fail
    from tthc.errors import EXIT_INPUT
    from tthc.run.check import check_quarter

    try:
        target = resolve_target(args)
    except USER_ERRORS as exc:
        return fail(str(exc))
    print(f"Kiểm tra dữ liệu {target.quarter.label_vi} ({relative(target.data_dir)}), bộ quy tắc {target.rules.id}.")
    inputs, used = check_quarter(target.data_dir, target.quarter, target.rules, target.policies)
    print_findings(inputs.findings.items, args.limit, target.rules)
    print_accounting(inputs, used)
    sev = Counter(f.severity for f in inputs.findings.items)
    print(f"Kết quả: {sev.get('error', 0)} lỗi, {sev.get('warning', 0)} cảnh báo, {sev.get('info', 0)} thông tin.")
    if sev.get(ERROR):
        print("Không thể chấm điểm: sửa các lỗi trên rồi chạy lại.")
        return EXIT_INPUT
    return 0


def print_findings(items: list[Finding], limit: int = DEFAULT_LIMIT, rules=None) -> None:
    """Grouped by severity, then file (in the order found); at most ``limit`` per group (0: all). A policy
    named in a message (``population=resolved_in_period``) is shown by its description in ``rules``."""
    from tthc.audit.render import name_policies

    if not items:
        print("\nKhông có phát hiện nào.")
        return
    for severity in SEVERITIES:
        found = [f for f in items if f.severity == severity]
        if not found:
            continue
        print(f"\n{SEVERITY_VI[severity]} ({len(found)}):")
        by_file: dict[str, list[Finding]] = {}
        for f in found:
            by_file.setdefault(f.file or "(chung)", []).append(f)
        for file, group in by_file.items():
            print(f"  Tệp {file}:")
            shown = group if limit <= 0 else group[:limit]
            for f in shown:
                print(f"    - {name_policies(_line(f), rules)}")
            if len(group) > len(shown):
                print(f"    … và {len(group) - len(shown)} phát hiện khác (dùng --limit 0 để xem tất cả).")


def _line(f: Finding) -> str:
    where = []
    if f.row is not None:
        where.append(f"dòng {f.row}")
    if f.column:
        where.append(f"cột '{f.column}'")
    if f.value:
        where.append(f"giá trị '{f.value}'")
    text = (", ".join(where) + ": " if where else "") + f.message
    return f"{text} Gợi ý: {f.suggestion}" if f.suggestion else text


def print_accounting(inputs: Inputs, used: dict[str, int] | None = None) -> None:
    from tthc.run.check import accounting_lines

    print("\nĐối chiếu số dòng (đọc = dùng + loại):")
    lines = accounting_lines(inputs, used)
    print("\n".join(lines) if lines else "  (không đọc được tệp nào)")
