"""Arguments and resolution shared by sub-commands: quarter, data folder, output folder, policies."""

from __future__ import annotations

import argparse
import sys

from tthc.errors import EXIT_INPUT
from tthc.files import relative  # noqa: F401 (the commands show paths with it)
from tthc.input.findings import InputError
from tthc.parameters.profiles import DEFAULT_PROFILE, ProfileError
from tthc.parameters.ruleset import RuleSetError
from tthc.quarter import QuarterError
from tthc.run.resolve import Run, resolve_run


def add_quarter_args(p: argparse.ArgumentParser, with_out: bool = True) -> None:
    p.add_argument("--quarter", required=True, help="quý, dạng 2021-Q2")
    p.add_argument("--data", help="thư mục dữ liệu data/<profile> (mặc định: của profile)")
    p.add_argument("--profile", help=f"profile trong parameters/profiles (mặc định {DEFAULT_PROFILE})")
    if with_out:
        p.add_argument("--out", help="thư mục kết quả (mặc định outputs/<profile>/<quý>)")
    p.add_argument("--policy", action="append", nargs="+", default=[], metavar="TÊN=GIÁ_TRỊ",
                   help="chọn giá trị một chính sách (POLICY), có thể lặp lại")
    p.add_argument("--rules", help="bộ quy tắc (tên trong parameters/rules hoặc đường dẫn .yaml)")


def policy_items(groups: list[list[str]]) -> list[str]:
    """``--policy A=x B=y --policy C=z`` as one list of ``NAME=VALUE`` texts."""
    return [item for group in groups for item in group]


def resolve_target(args: argparse.Namespace) -> Run:
    """The run these arguments describe (``tthc.run.resolve``: the same rule for every command)."""
    return resolve_run(args.quarter, args.profile, args.data, getattr(args, "out", None),
                       policy_items(args.policy), args.rules)


#: Errors a user's parameters can cause (each with a Vietnamese message).
USER_ERRORS = (QuarterError, ProfileError, RuleSetError)


def fail(message: str, code: int = EXIT_INPUT) -> int:
    print(f"Lỗi: {message}", file=sys.stderr)
    return code


def report_input_error(exc: InputError) -> None:
    print("Lỗi: không thể chấm điểm với dữ liệu đầu vào này:", file=sys.stderr)
    for finding in exc.findings:
        print(f"  - {finding}", file=sys.stderr)
