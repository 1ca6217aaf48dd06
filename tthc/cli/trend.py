"""``tthc trend``: quarter after quarter for a profile: per unit its total, result and rank per quarter and the
changes, per level the mean of every indicator or group, the units that fell a band, the charts; a rule-set
change between two quarters is a break (nothing compared across it)."""

from __future__ import annotations

import argparse

from tthc.cli.common import relative
from tthc.parameters.profiles import DEFAULT_PROFILE
from tthc.quarter import Quarter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "trend", help="kết quả qua các quý: thay đổi điểm, thứ hạng, xếp loại; biểu đồ",
        description="Tổng hợp các quý đã chấm của một profile (thư mục outputs/<profile>/<quý>/ có grades.csv và "
                    "manifest.json). Quý chưa có thư mục kết quả nhưng có dữ liệu thì được chấm lại trong bộ nhớ "
                    "(không ghi gì cho quý đó) và được nêu tên. Ghi trend.csv, trend.xlsx, trend.json và charts/ "
                    "vào outputs/<profile>/trend-<từ>-<đến>/ (ghi trọn vẹn hoặc không ghi gì). Hai quý theo hai "
                    "bộ quy tắc khác nhau (ví dụ 2025-Q2 và 2025-Q3) không được so sánh: bảng và biểu đồ đánh dấu "
                    "chỗ đổi.")
    p.add_argument("--profile", help=f"profile trong parameters/profiles (mặc định {DEFAULT_PROFILE})")
    p.add_argument("--data", help="thư mục dữ liệu data/<profile> (mặc định: của profile)")
    p.add_argument("--from", dest="start", required=True, metavar="QUÝ", help="quý đầu, dạng 2021-Q1")
    p.add_argument("--to", dest="end", required=True, metavar="QUÝ", help="quý cuối, dạng 2021-Q4")
    p.add_argument("--quarters-dir", metavar="THƯ_MỤC",
                   help="thư mục chứa các thư mục kết quả quý (mặc định outputs/<profile>)")
    p.add_argument("--out", help="thư mục kết quả (mặc định outputs/<profile>/trend-<từ>-<đến>)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tthc.run.trend import make_trend

    made = make_trend(args.profile, args.start, args.end, args.data, args.quarters_dir, args.out)
    summarise(made.trend)
    print(f"Kết quả ghi tại {relative(made.out_dir)}")
    return 0


def summarise(trend) -> None:
    """A short Vietnamese summary on stdout: the quarters, where they came from, breaks and band falls."""
    first, last = trend.quarters[0].quarter, trend.quarters[-1].quarter
    print(f"Xu hướng {trend.name} từ {first.label_vi} đến {last.label_vi}: {len(trend.quarters)} quý có kết quả.")
    if trend.graded_now:
        print("  Chấm lại trong bộ nhớ từ dữ liệu (chưa có thư mục kết quả): "
              + ", ".join(q.label_vi for q in trend.graded_now) + ".")
    for m in trend.missing:
        print(f"  Không có kết quả {m.quarter.label_vi}: {m.reason}.")
    for qg in trend.quarters:
        for note in qg.notes:
            print(f"  Lưu ý {qg.quarter.label_vi}: {note}.")
    for quarter, note in sorted(trend.breaks.items()):
        print(f"  Đổi bộ quy tắc ở {quarter.label_vi}: {note}.")
    falls = trend.falls.to_dict("records")
    print(f"Đơn vị giảm bậc xếp loại so với quý trước: {len(falls):02d}.")
    for f in falls:
        print(f"  - {Quarter.parse(f['quarter']).label_vi}: {f['unit_name']} ({f['unit_id']}), {f['result_before']} → "
              f"{f['result']}")
