"""``tthc grade``: load, check, grade and write the tables; runs no notebook."""

from __future__ import annotations

import argparse
from collections import Counter

from tthc.cli.common import USER_ERRORS, add_quarter_args, policy_items, relative, resolve_target
from tthc.input.findings import InputError
from tthc.parameters.policies import parse_assignments


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="chấm điểm một quý và ghi các bảng kết quả",
                       description="Đọc, kiểm tra, chấm điểm và ghi grades.csv, officials.csv, "
                                   "dossier_scores.csv, findings.csv, manifest.json.")
    add_quarter_args(p)
    p.add_argument("--compare-policy", dest="compare_policy", action="append", nargs="+", default=[],
                   metavar="TÊN=GIÁ_TRỊ", help="liệt kê các đơn vị đổi kết quả nếu chọn chính sách này")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tthc.cli.common import fail, report_input_error
    from tthc.errors import EXIT_INPUT
    from tthc.run.grading import grade_run
    from tthc.run.outputs import write_outputs

    try:
        run = resolve_target(args)
        alternative = None
        if args.compare_policy:  # refuse a bad alternative before anything is read or written
            alternative = run.with_choices(parse_assignments(policy_items(args.compare_policy)))
        result = grade_run(run)
    except USER_ERRORS as exc:
        return fail(str(exc))
    except InputError as exc:
        report_input_error(exc)
        return EXIT_INPUT
    out = write_outputs(result, run.out_dir, notify=print)  # a folder problem: TthcError, exit 2 or 3
    summarise(result, out)
    if alternative is not None:
        from tthc.cli.compare import print_comparison

        return print_comparison(result, alternative)
    return 0


def summarise(result, out) -> None:
    """A short Vietnamese summary on stdout."""
    from tthc.run.grading import is_index

    if is_index(result):
        return summarise_index(result, out)
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


def summarise_index(result, out) -> None:
    """The index quarter's summary: the province's index and band, then per tier the count per band."""
    from tthc.vi import number

    rules = result.rules
    province = result.province
    n = int(result.facts.dossiers["in_n"].sum())
    print(f"Đã chấm {result.quarter.label_vi} theo Bộ chỉ số 100 điểm ({rules.id}): {number(n)} hồ sơ tiếp nhận "
          f"trong kỳ, {len(result.units) - 1} đơn vị.")
    if province.total is not None:
        print(f"  Toàn tỉnh: {number(province.total)} điểm, {province.result}")
    order = [b.label for b in rules.bands(result.policies)] + list(rules.statuses.values())
    for code, level in rules.levels.items():
        units = [u for u in result.units if u.level == code and u.unit_id != result.province_id]
        if not units:
            continue
        counts = Counter(u.result for u in units)
        parts = "; ".join(f"{counts[label]:02d} {label}" for label in order if counts[label])
        print(f"  {level.name}: {parts}")
    sev = Counter(f.severity for f in result.findings.items)
    print(f"Phát hiện: {sev.get('error', 0)} lỗi, {sev.get('warning', 0)} cảnh báo, {sev.get('info', 0)} thông tin.")
    print(f"Kết quả ghi tại {relative(out)}")
