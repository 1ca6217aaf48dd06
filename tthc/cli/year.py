"""``tthc year``: the annual result of a profile from the year's four quarters, and the annual report."""

from __future__ import annotations

import argparse
import sys

from tthc.cli.common import relative
from tthc.parameters.annual import ANNUAL_METHOD
from tthc.parameters.profiles import DEFAULT_PROFILE


def _year(text: str) -> int:
    value = str(text).strip()
    if not (value.isdigit() and len(value) == 4):
        raise argparse.ArgumentTypeError(f"năm '{text}' không hợp lệ: cần dạng 2021")
    return int(value)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "year", help="kết quả cả năm từ bốn quý và báo cáo năm (HTML, PDF)",
        description="Kết quả cả năm của từng đơn vị, tính từ bốn quý của năm theo cách tính annual_method: "
                    "mean_of_quarters (mặc định: trung bình cộng tổng điểm các quý được xếp loại, làm tròn từ 5 trở "
                    "lên, xếp loại theo các mức của bộ quy tắc) hoặc regrade_year (chấm lại cả năm như một kỳ, gộp "
                    "hồ sơ của bốn quý; chỉ TT 01/2018). Quý chưa có thư mục kết quả nhưng có dữ liệu thì được chấm "
                    "lại trong bộ nhớ. Ghi annual.csv, annual.xlsx, annual.json, report.html, report.pdf vào "
                    "outputs/<profile>/<năm>/ (ghi trọn vẹn hoặc không ghi gì). Năm có đổi bộ quy tắc được tính "
                    "riêng từng giai đoạn.")
    p.add_argument("--year", type=_year, required=True, metavar="NĂM", help="năm, dạng 2021")
    p.add_argument("--profile", help=f"profile trong parameters/profiles (mặc định {DEFAULT_PROFILE})")
    p.add_argument("--data", help="thư mục dữ liệu data/<profile> (mặc định: của profile)")
    p.add_argument("--annual-method", choices=ANNUAL_METHOD.values, metavar="CÁCH_TÍNH",
                   help="mean_of_quarters hoặc regrade_year (mặc định: của profile, nếu không thì "
                        f"{ANNUAL_METHOD.default})")
    p.add_argument("--allow-missing-quarters", action="store_true",
                   help="lập kết quả năm dù chưa đủ bốn quý (báo cáo ghi rõ các quý thiếu)")
    p.add_argument("--no-pdf", action="store_true", help="không xuất report.pdf")
    p.add_argument("--quarters-dir", metavar="THƯ_MỤC",
                   help="thư mục chứa các thư mục kết quả quý (mặc định outputs/<profile>)")
    p.add_argument("--out", help="thư mục kết quả (mặc định outputs/<profile>/<năm>)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tthc.cli.trend import summarise
    from tthc.run.trend import make_year
    from tthc.run.trend.annual import method_note
    from tthc.run.trend.outputs import level_names

    made = make_year(args.profile, args.year, args.annual_method, args.data, args.quarters_dir, args.out,
                     allow_missing=args.allow_missing_quarters, pdf=not args.no_pdf)
    year = made.year
    summarise(year.trend)
    names = level_names(year.trend)
    for segment in year.segments:
        print(f"Kết quả {segment.span}: {method_note(segment, year.method)}.")
        last = segment.quarters[-1]
        for level, group in segment.table.groupby("level", sort=False):
            counts = group["result"].value_counts()
            order = [*last.band_labels, *last.statuses, *(r for r in counts.index if r not in last.band_labels
                                                            and r not in last.statuses)]
            print(f"  {names.get(level, level)}: " + "; ".join(f"{counts[r]:02d} {r}" for r in order if r in counts))
    for note in year.notes:
        print(f"  {note}")
    for warning in made.warnings:
        print(f"Cảnh báo: {warning}", file=sys.stderr)
    print(f"Kết quả ghi tại {relative(made.out_dir)}")
    return 0
