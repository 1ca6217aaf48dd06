"""``tthc grade``: load, check, grade and write the tables; runs no notebook."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from ..findings import InputError
from ..policies import parse_assignments, resolve_policies
from ..profiles import ProfileError
from ..quarter import QuarterError
from ..rules import RuleSetError
from .common import add_quarter_args, relative, resolve_target

USER_ERRORS = (QuarterError, ProfileError, RuleSetError)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="chấm điểm một quý và ghi các bảng kết quả",
                       description="Đọc, kiểm tra, chấm điểm và ghi grades.csv, officials.csv, "
                                   "dossier_scores.csv, findings.csv, manifest.json.")
    add_quarter_args(p)
    p.add_argument("--compare-policy", dest="compare_policy", action="append", nargs="+", default=[],
                   metavar="TÊN=GIÁ_TRỊ", help="liệt kê các đơn vị đổi kết quả nếu chọn chính sách này")
    p.set_defaults(handler=run)


def report_input_error(exc: InputError) -> None:
    print("Lỗi: không thể chấm điểm với dữ liệu đầu vào này:", file=sys.stderr)
    for finding in exc.findings:
        print(f"  - {finding}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from ..cli import EXIT_FAILED, EXIT_INPUT, fail
    from ..engine import grade_quarter
    from ..outputs import write_outputs
    from ..publish import FolderBusy, OutputFolderError

    try:
        target = resolve_target(args)
        result = grade_quarter(target.data_dir, target.quarter, target.rules, target.policies,
                               base_policies=target.profile.policies if target.profile else None)
    except USER_ERRORS as exc:
        return fail(str(exc))
    except InputError as exc:
        report_input_error(exc)
        return EXIT_INPUT
    if args.compare_policy:  # refuse a bad alternative before anything is written
        try:
            resolve_policies(result.rules, result.policies,
                             parse_assignments(i for group in args.compare_policy for i in group))
        except RuleSetError as exc:
            return fail(str(exc))
    try:
        out = write_outputs(result, target.out_dir, notify=print)
    except OutputFolderError as exc:
        return fail(str(exc))
    except FolderBusy as exc:
        return fail(str(exc), EXIT_FAILED)
    summarise(result, out)
    if args.compare_policy:
        from .explain import print_comparison

        return print_comparison(args, target, result)
    return 0


def summarise(result, out) -> None:
    """A short Vietnamese summary on stdout."""
    print(f"Đã chấm {result.quarter.label_vi}: {len(result.scored)} hồ sơ, {len(result.units)} đơn vị, "
          f"{len(result.officials)} cán bộ.")
    levels = {code: lvl.name for code, lvl in result.rules.levels.items()}
    for level, group in result.grades.groupby("level", sort=False):
        counts = Counter(group["result"])
        order = [b.label for b in result.rules.unit_grading.bands] + list(result.rules.statuses.values())
        parts = "; ".join(f"{counts[label]:02d} {label}" for label in order if counts[label])
        print(f"  {levels.get(level, level or '(không rõ cấp)')}: {parts}")
    sev = Counter(f.severity for f in result.findings.items)
    print(f"Phát hiện: {sev.get('error', 0)} lỗi, {sev.get('warning', 0)} cảnh báo, {sev.get('info', 0)} thông tin.")
    print(f"Kết quả ghi tại {relative(out)}")
