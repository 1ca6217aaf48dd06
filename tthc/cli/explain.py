"""``tthc explain``: how a unit's, an official's or a dossier's result was reached, down to the input rows."""

from __future__ import annotations

import argparse
import sys

from tthc.cli.common import USER_ERRORS, add_quarter_args, fail, report_input_error, resolve_target
from tthc.input.findings import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain",
        help="giải trình kết quả của một đơn vị, cán bộ hoặc hồ sơ",
        description="In cây giải trình: kết quả và mức xếp loại ← tổng điểm ← từng chỉ số (nguồn, căn cứ) "
        "← hồ sơ với điểm và lý do ← tệp và dòng dữ liệu đầu vào. Các quý theo NĐ 118/2025: kết quả và mức "
        "← chỉ số ← nhóm ← chỉ tiêu ← hồ sơ, phản ánh, số liệu; --unit TINH (hoặc tên tỉnh) cho dòng toàn tỉnh. "
        "Với --policy: so sánh kết quả theo chính sách giả định với kết quả chính thức.",
    )
    add_quarter_args(p, with_out=False)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", help="mã hoặc tên đơn vị (không phân biệt hoa thường, dấu)")
    who.add_argument("--official", help="tên cán bộ")
    who.add_argument("--dossier", help="mã hồ sơ")
    p.add_argument("--in-unit", dest="in_unit", help="với --official: chỉ trong đơn vị này")
    p.add_argument("--format", choices=("text", "json"), default="text", help="định dạng (mặc định text)")
    p.add_argument("--detail", action="store_true",
                   help="in đủ từng hồ sơ, phản ánh dưới mỗi mục (mặc định: tối đa 5 dòng mỗi mục, kèm số dòng "
                   "còn lại)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tthc.audit.explain import (
        DETAIL_LIMIT,
        AuditError,
        explain_dossier,
        explain_official,
        explain_unit,
        render_text,
        to_json,
        what_if,
    )
    from tthc.errors import EXIT_INPUT
    from tthc.run.grading import grade_run

    try:
        run = resolve_target(args)
        official = grade_run(run.official())
        alternative = grade_run(run) if run.choices else None
        if args.unit:
            explanation = explain_unit(official, args.unit)
        elif args.official:
            explanation = explain_official(official, args.official, args.in_unit)
        else:
            explanation = explain_dossier(official, args.dossier)
    except (*USER_ERRORS, AuditError) as exc:
        return fail(str(exc))
    except InputError as exc:
        report_input_error(exc)
        return EXIT_INPUT
    if alternative is not None:
        what_if(explanation, official, alternative)
    if args.format == "json":
        sys.stdout.write(to_json(explanation))
    else:
        sys.stdout.write(render_text(explanation, None if args.detail else DETAIL_LIMIT, rules=run.rules))
    return 0

