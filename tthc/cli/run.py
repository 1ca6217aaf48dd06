"""``tthc run``: the notebooks of a quarter (load, check, grade, charts, report), then HTML and PDF."""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal

from tthc import vi
from tthc.cli.common import add_quarter_args, policy_items, relative, resolve_target
from tthc.input.findings import InputError
from tthc.parameters.profiles import DEFAULT_PROFILE
from tthc.run.pipeline import EXPORT_STAGE, PARAMETER_ERRORS, PipelineError, run_quarter
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


def seconds(value: float) -> str:
    """A duration in seconds on one decimal, Vietnamese form: ``2.06`` -> ``2,1``."""
    return vi.one_decimal(Decimal(f"{value:.1f}"))


#: The export, as the progress line announces it.
EXPORT_LINE = "xuất báo cáo HTML, PDF, Word, trang công khai"


class Progress:
    """The progress lines of ``tthc run`` on stderr: "  … 01_load.ipynb" when a stage starts, then
    "  ✓ 01_load.ipynb (2,1 giây)" when the next one (or the export) starts or the run ends."""

    def __init__(self, clock=time.monotonic, stream=None):
        self.clock, self.stream = clock, stream
        self.current: tuple[str, float] | None = None

    def _print(self, text: str) -> None:
        print(text, file=self.stream or sys.stderr, flush=True)

    def __call__(self, stage: str) -> None:
        self.done()
        label = EXPORT_LINE if stage == EXPORT_STAGE else f"{stage}.ipynb"
        self._print(f"  … {label}")
        self.current = (label, self.clock())

    def done(self) -> None:
        """The stage under way has ended: its line with its time."""
        if self.current is not None:
            label, started = self.current
            self._print(f"  ✓ {label} ({seconds(self.clock() - started)} giây)")
            self.current = None


def run(args: argparse.Namespace) -> int:
    from tthc.cli.common import fail, report_input_error
    from tthc.errors import EXIT_FAILED, EXIT_INPUT

    try:
        target = resolve_target(args)  # the same quarter, folders and policies as ``tthc grade``
        if target.profile is None:  # the report's parameters come from a profile: the default one
            target = resolve_run(args.quarter, DEFAULT_PROFILE, args.data, args.out, policy_items(args.policy),
                                 args.rules)
        print(f"Chạy {target.quarter.label_vi} (cấu hình {target.name}):", file=sys.stderr, flush=True)
        progress = Progress()
        result = run_quarter(target, on_stage=progress, execution_timeout=args.cell_timeout)
        progress.done()
    except InputError as exc:
        report_input_error(exc)
        return EXIT_INPUT
    except PARAMETER_ERRORS as exc:
        return fail(str(exc), EXIT_INPUT)
    except PipelineError as exc:
        return fail(str(exc), EXIT_FAILED)
    except Exception as exc:  # a bug, not the user's doing: still one line, the run's status says "failed"
        return fail(f"lỗi không mong đợi ({type(exc).__name__}: {exc}).", EXIT_FAILED)
    print(f"Xong sau {seconds(result.seconds)} giây. Kết quả tại {relative(result.out_dir)}:")
    for path in (result.html, result.pdf):
        if path is not None:
            print(f"  {relative(path)}")
    print(f"  sổ tay đã chạy: {relative(result.out_dir / 'notebooks')}")
    return 0
