"""``tthc run``: the notebooks of a quarter (load, check, grade, charts, report), then HTML and PDF."""

from __future__ import annotations

import argparse
import sys

from tthc.cli.common import add_quarter_args, policy_items, relative, resolve_target
from tthc.input.findings import InputError
from tthc.parameters.profiles import DEFAULT_PROFILE
from tthc.run.pipeline import PARAMETER_ERRORS, PipelineError, run_quarter
from tthc.run.resolve import resolve_run


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="chạy các sổ tay của một quý và xuất báo cáo HTML, PDF",
        description="Chạy lần lượt notebooks/01_load … 05_report bằng papermill, lưu bản đã chạy "
        "vào <kết quả>/notebooks/, rồi xuất report.html và report.pdf.",
    )
    add_quarter_args(p)
    p.add_argument("--cell-timeout", type=float, default=None, metavar="GIÂY",
                   help="thời gian tối đa cho một ô của sổ tay (mặc định: không giới hạn)")
    p.set_defaults(handler=run)


def _stage(name: str) -> None:
    print(f"  … {name}.ipynb", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from tthc.cli.common import fail, report_input_error
    from tthc.errors import EXIT_FAILED, EXIT_INPUT

    try:
        target = resolve_target(args)  # the same quarter, folders and policies as ``tthc grade``
        if target.profile is None:  # the report's parameters come from a profile: the default one
            target = resolve_run(args.quarter, DEFAULT_PROFILE, args.data, args.out, policy_items(args.policy),
                                 args.rules)
        print(f"Chạy {target.quarter.label_vi} (cấu hình {target.name}):", file=sys.stderr, flush=True)
        result = run_quarter(target, on_stage=_stage, execution_timeout=args.cell_timeout)
    except InputError as exc:
        report_input_error(exc)
        return EXIT_INPUT
    except PARAMETER_ERRORS as exc:
        return fail(str(exc), EXIT_INPUT)
    except PipelineError as exc:
        return fail(str(exc), EXIT_FAILED)
    except Exception as exc:  # a bug, not the user's doing: still one line, the run's status says "failed"
        return fail(f"lỗi không mong đợi ({type(exc).__name__}: {exc}).", EXIT_FAILED)
    print(f"Xong sau {result.seconds:.1f} giây. Kết quả tại {relative(result.out_dir)}:")
    for path in (result.html, result.pdf):
        if path is not None:
            print(f"  {relative(path)}")
    print(f"  sổ tay đã chạy: {relative(result.out_dir / 'notebooks')}")
    return 0
