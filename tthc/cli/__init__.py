"""The command line (docs/du-lieu-dau-vao.md: stable; scripts and schedulers call it).

Each sub-command lives in its own module exposing ``register(subparsers)``; this file only wires them.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys

from tthc import __version__
from tthc.cli.common import fail, report_input_error
from tthc.errors import EXIT_FAILED, EXIT_INPUT, EXIT_OK, TthcError  # noqa: F401 (exit codes for scripts)

#: Modules that add a sub-command.
COMMANDS = ("tthc.cli.grade", "tthc.cli.explain", "tthc.cli.verify", "tthc.cli.run",
            "tthc.cli.check", "tthc.cli.batch", "tthc.cli.trend", "tthc.cli.year")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tthc",
        description="Chấm điểm đánh giá việc giải quyết thủ tục hành chính theo quý (TT 01/2018/TT-VPCP).",
    )
    parser.add_argument("--version", action="version", version=f"tthc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.handler(args) or 0)
    except TthcError as exc:  # every user-facing error: its message, its exit status, no traceback
        from tthc.input.findings import InputError

        if isinstance(exc, InputError):
            report_input_error(exc)
            code = exc.exit_code
        else:
            code = fail(str(exc), exc.exit_code)
    if argv is None:
        # The program's own command line (the ``tthc`` script, ``python -m tthc.cli``): the process ends
        # now. What is still alive needs no collecting, and the interpreter's last collections would walk
        # every object of pandas, nbconvert and WeasyPrint on the way out (about a second after ``tthc run``).
        gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
