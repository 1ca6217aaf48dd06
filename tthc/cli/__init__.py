"""The command line (docs/du-lieu-dau-vao.md: stable; scripts and schedulers call it).

Each sub-command lives in its own module exposing ``register(subparsers)``; this file only wires them.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys

from tthc import __version__
from tthc.cli.common import fail, report_input_error
from tthc.errors import EXIT_FAILED, EXIT_INPUT, EXIT_OK, TthcError  # noqa: F401 (exit codes for scripts)

#: Modules that add a sub-command.
COMMANDS = ("tthc.cli.grade", "tthc.cli.explain", "tthc.cli.verify", "tthc.cli.run",
            "tthc.cli.check", "tthc.cli.batch", "tthc.cli.trend", "tthc.cli.year")


#: argparse's own words, in Vietnamese (argparse looks them up through its module-level ``_`` at each call).
ARGPARSE_VI = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số vị trí",
    "options": "tùy chọn",
    "show this help message and exit": "in hướng dẫn này rồi thoát",
    "show program's version number and exit": "in phiên bản của chương trình rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "không hiểu tham số: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "expected one argument": "cần một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "giá trị %(type)s không hợp lệ: %(value)r",
    "not allowed with argument %s": "không dùng cùng tham số %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn mơ hồ: %(option)s có thể là %(matches)s",
}


def _vietnamese_argparse() -> None:
    argparse._ = lambda text: ARGPARSE_VI.get(text, text)


def build_parser() -> argparse.ArgumentParser:
    _vietnamese_argparse()
    parser = argparse.ArgumentParser(
        prog="tthc",
        description="Chấm điểm đánh giá việc giải quyết thủ tục hành chính theo quý (TT 01/2018/TT-VPCP).",
    )
    parser.add_argument("--version", action="version", version=f"tthc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def _skip_slow_iri_checker() -> None:
    """jsonschema 4.25+ imports ``rfc3987_syntax`` as soon as it is imported (nbformat imports it for papermill
    and nbconvert), and that module compiles about 35 Lark grammars: 1–3 s per process on this class of machine
    (python-jsonschema/jsonschema#1428), for the ``iri`` formats, which no notebook schema uses. The command's
    own process does without that checker; jsonschema skips a checker whose library cannot be imported."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    _skip_slow_iri_checker()
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
    except KeyboardInterrupt:
        code = fail("đã dừng theo yêu cầu (Ctrl+C); không có thư mục kết quả nào bị thay một nửa.", EXIT_FAILED)
    except Exception as exc:  # a bug of the workbench, not the user's doing: one line unless asked for detail
        if os.environ.get("TTHC_DEBUG"):
            raise
        code = fail(f"lỗi không mong đợi của chương trình ({type(exc).__name__}: {exc}). Không có kết quả nào bị "
                    "ghi dở. Chạy lại với biến môi trường TTHC_DEBUG=1 để xem chi tiết kỹ thuật và báo cho người "
                    "phát triển.", EXIT_FAILED)
    if argv is None:
        # The program's own command line (the ``tthc`` script, ``python -m tthc.cli``): the process ends
        # now. What is still alive needs no collecting, and the interpreter's last collections would walk
        # every object of pandas, nbconvert and WeasyPrint on the way out (about a second after ``tthc run``).
        gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
