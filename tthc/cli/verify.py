"""``tthc verify <output folder>``: the command for ``tthc.run.verify`` (exit 0 identical, 1 different, 2
no readable ``manifest.json``)."""

from __future__ import annotations

import argparse

from tthc.run.verify import EXIT_DIFFERENT, EXIT_IDENTICAL, verify


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="kiểm tra một thư mục kết quả có tái lập được từ dữ liệu đã ghi",
        description="Đọc manifest.json, kiểm tra SHA-256 của từng tệp đầu vào, chấm lại từ thư mục "
        "dữ liệu, quý, tệp quy tắc và các chính sách đã ghi, rồi so sánh từng bảng "
        "theo từng byte. Mã thoát 0: giống hệt; 1: có khác biệt; "
        "2: không có manifest.json đọc được.",
    )
    p.add_argument("out_dir", metavar="THƯ_MỤC_KẾT_QUẢ", help="ví dụ outputs/dien-bien-dong/2021-Q2")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tthc.errors import EXIT_INPUT

    report = verify(args.out_dir)
    print(report.text(), end="")
    if any(d.kind == "manifest" for d in report.differences):
        return EXIT_INPUT  # nothing to verify against
    return EXIT_IDENTICAL if report.identical else EXIT_DIFFERENT
