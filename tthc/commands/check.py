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

from ..findings import ERROR, SEVERITIES, SEVERITY_VI, Finding
from ..policies import resolve_policies
from ..profiles import ProfileError
from ..quarter import QuarterError
from ..rules import RuleSetError, load_ruleset, ruleset_for
from .common import add_quarter_args, relative, resolve_target

if TYPE_CHECKING:
    from ..loading import Inputs

USER_ERRORS = (QuarterError, ProfileError, RuleSetError)
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
    from ..cli import EXIT_INPUT, fail

    try:
        target = resolve_target(args)
        rules = ruleset_for(target.quarter.bounds()[0]) if target.rules is None else load_ruleset(target.rules)
        policies = resolve_policies(rules, target.profile.policies if target.profile else None,
                                    target.policies)
    except USER_ERRORS as exc:
        return fail(str(exc))
    print(f"Kiểm tra dữ liệu {target.quarter.label_vi} ({relative(target.data_dir)}), bộ quy tắc {rules.id}.")
    inputs, used = check_quarter(target.data_dir, target.quarter, rules, policies)
    print_findings(inputs.findings.items, args.limit)
    print_accounting(inputs, used)
    sev = Counter(f.severity for f in inputs.findings.items)
    print(f"Kết quả: {sev.get('error', 0)} lỗi, {sev.get('warning', 0)} cảnh báo, {sev.get('info', 0)} thông tin.")
    if sev.get(ERROR):
        print("Không thể chấm điểm: sửa các lỗi trên rồi chạy lại.")
        return EXIT_INPUT
    return 0


def check_quarter(data_dir, quarter, rules, policies: dict[str, str]) -> tuple[Inputs, dict[str, int] | None]:
    """Load and check every file; without errors, also select the population and grade (for their findings
    and the self-score gaps). Returns the inputs (findings and accounting included) and the rows each file
    really contributed (``None`` when grading was impossible)."""
    from ..engine import grade_inputs
    from ..loading import load_quarter

    inputs = load_quarter(data_dir, quarter, rules, strict=False)
    if inputs.findings.errors:
        return inputs, None
    return inputs, checked_rows(grade_inputs(inputs, rules, policies))


def checked_rows(result) -> dict[str, int]:
    """The check's part after grading: the self-score gaps among the findings (when the grading did not add
    them), and the rows each file really contributed (:func:`used_rows`)."""
    from ..checks import gap_findings

    if not any(f.code == "self_score_gap" for f in result.findings.items):
        result.findings.extend(gap_findings(result))
    return used_rows(result)


def print_findings(items: list[Finding], limit: int = DEFAULT_LIMIT) -> None:
    """Grouped by severity, then file (in the order found); at most ``limit`` per group (0: all)."""
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
                print(f"    - {_line(f)}")
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


def used_rows(result) -> dict[str, int]:
    """Rows each file really contributed, counted from the tables the grading used (not from the
    accounting itself), to verify ``read = used + excluded``."""
    inputs = result.inputs
    out = {}
    for name, info in inputs.files.items():
        if name == "units":
            out[info.label] = len(inputs.units)
        elif name == "dossiers":
            out[info.label] = len(result.scored)
        elif name == "surveys" and result.satisfaction is not None:
            out[info.label] = int(result.satisfaction["forms"].sum()) if len(result.satisfaction) else 0
        elif name == "overrides":
            out[info.label] = sum(f.code == "override" and f.file == info.label for f in result.findings.items)
        elif inputs.table(name) is not None:
            out[info.label] = len(inputs.table(name))
    return out


def accounting_lines(inputs: Inputs, used: dict[str, int] | None = None) -> list[str]:
    """The row accounting per file, in Vietnamese; a mismatch with ``used`` is shown."""
    lines = []
    for label, acc in sorted(inputs.accounting.items()):
        excluded = sum(acc.excluded.values())
        lines.append(f"  {label}: đọc {acc.read} = dùng {acc.used} + loại {excluded}")
        for reason, n in sorted(acc.excluded.items()):
            lines.append(f"      loại {n}: {reason}")
        if used is not None and label in used and used[label] != acc.used:
            lines.append(f"      KHÔNG KHỚP: thực dùng {used[label]} dòng, đối chiếu ghi {acc.used}.")
        for sheet, part in acc.sheets.items():
            causes = "; ".join(f"{reason}: {n}" for reason, n in sorted(part.excluded.items()))
            lines.append(f"      {sheet}: đọc {part.read}, loại khi đọc và kiểm tra {sum(part.excluded.values())}"
                         + (f" ({causes})" if causes else ""))
    return lines


def print_accounting(inputs: Inputs, used: dict[str, int] | None = None) -> None:
    print("\nĐối chiếu số dòng (đọc = dùng + loại):")
    lines = accounting_lines(inputs, used)
    print("\n".join(lines) if lines else "  (không đọc được tệp nào)")
