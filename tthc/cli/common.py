"""Arguments and resolution shared by sub-commands: quarter, data folder, output folder, policies."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from tthc import PROJECT_ROOT
from tthc.errors import EXIT_INPUT
from tthc.input.findings import InputError
from tthc.parameters.policies import parse_assignments
from tthc.parameters.profiles import DEFAULT_PROFILE, Profile, ProfileError, check_name, load_profile, profile_for_data
from tthc.parameters.ruleset import RuleSetError
from tthc.quarter import Quarter, QuarterError


def add_quarter_args(p: argparse.ArgumentParser, with_out: bool = True) -> None:
    p.add_argument("--quarter", required=True, help="quý, dạng 2021-Q2")
    p.add_argument("--data", help="thư mục dữ liệu data/<profile> (mặc định: của profile)")
    p.add_argument("--profile", help=f"profile trong parameters/profiles (mặc định {DEFAULT_PROFILE})")
    if with_out:
        p.add_argument("--out", help="thư mục kết quả (mặc định outputs/<profile>/<quý>)")
    p.add_argument("--policy", action="append", nargs="+", default=[], metavar="TÊN=GIÁ_TRỊ",
                   help="chọn giá trị một chính sách (POLICY), có thể lặp lại")
    p.add_argument("--rules", help="bộ quy tắc (tên trong parameters/rules hoặc đường dẫn .yaml)")


@dataclass
class Target:
    quarter: Quarter
    data_dir: Path
    out_dir: Path | None
    profile: Profile | None
    name: str
    policies: dict[str, str]
    rules: str | None


def resolve_target(args: argparse.Namespace) -> Target:
    """Quarter, data folder, output folder and policy layers from the arguments (validated, no I/O)."""
    quarter = Quarter.parse(args.quarter)
    profile = None
    if args.profile:
        profile = load_profile(check_name(args.profile))
    if args.data:
        data_dir = Path(args.data)
        if profile is None:
            profile = profile_for_data(data_dir)
    else:
        profile = profile or load_profile(DEFAULT_PROFILE)
        data_dir = profile.data_dir
    name = profile.name if profile else data_dir.resolve().name
    out = getattr(args, "out", None)
    if out:
        out_dir = Path(out)
    elif profile:
        out_dir = profile.output_dir(quarter)
    else:
        out_dir = Path("outputs") / name / str(quarter)
    policies = parse_assignments(item for group in args.policy for item in group)
    rules = args.rules or (profile.rules if profile else None)
    return Target(quarter, data_dir, out_dir, profile, name, policies, rules)


def relative(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        try:
            return str(Path(path).resolve().relative_to(PROJECT_ROOT))
        except ValueError:
            return str(path)


#: Errors a user's parameters can cause (each with a Vietnamese message).
USER_ERRORS = (QuarterError, ProfileError, RuleSetError)


def fail(message: str, code: int = EXIT_INPUT) -> int:
    print(f"Lỗi: {message}", file=sys.stderr)
    return code


def report_input_error(exc: InputError) -> None:
    print("Lỗi: không thể chấm điểm với dữ liệu đầu vào này:", file=sys.stderr)
    for finding in exc.findings:
        print(f"  - {finding}", file=sys.stderr)
