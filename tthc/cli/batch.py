"""``tthc batch``: many profile-quarters at once, on local processes or a Dask distributed cluster."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tthc.parameters.policies import parse_assignments


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "batch", help="chạy nhiều profile và nhiều quý cùng lúc (nhiều tiến trình hoặc cụm Dask)",
        description="Chạy nhiều cặp (profile, quý) song song: mỗi tác vụ một kernel (tthc run), hoặc chỉ chấm "
                    "điểm với --grade-only. Một tác vụ lỗi không dừng các tác vụ khác; cuối cùng in bảng tổng "
                    "hợp. Mã thoát khác 0 nếu có tác vụ lỗi.")
    p.add_argument("--quarter", help="quý, dạng 2021-Q2")
    p.add_argument("--quarters", nargs="+", default=[], metavar="QUÝ", help="thêm các quý khác")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--profiles", nargs="+", default=[], metavar="PROFILE", help="các profile cần chạy")
    who.add_argument("--all", action="store_true", help="mọi profile trong parameters/profiles")
    p.add_argument("--data-dirs", nargs="+", default=[], metavar="THƯ_MỤC",
                   help="thêm các thư mục dữ liệu (bố cục data/<profile>) không cần profile")
    p.add_argument("--workers", type=int, help="số tiến trình chạy song song (mặc định: số lõi CPU)")
    dask = p.add_mutually_exclusive_group()
    dask.add_argument("--scheduler", metavar="tcp://host:8786", help="gửi các tác vụ tới cụm Dask distributed")
    dask.add_argument("--local-cluster", type=int, metavar="N",
                      help="tự dựng một cụm Dask trên máy này với N tiến trình worker (không cần chạy scheduler "
                           "bằng tay), chạy các tác vụ trên đó rồi tắt cụm")
    p.add_argument("--grade-only", action="store_true", help="chỉ chấm điểm và ghi bảng (không chạy sổ tay)")
    p.add_argument("--out-root", help="thư mục gốc kết quả: <gốc>/<profile>/<quý> (mặc định outputs/)")
    p.add_argument("--policy", action="append", nargs="+", default=[], metavar="TÊN=GIÁ_TRỊ",
                   help="chọn giá trị một chính sách (POLICY) cho mọi tác vụ")
    p.add_argument("--retries", type=int, default=2, help="số lần thử lại khi kernel không khởi động được")
    p.add_argument("--no-progress", action="store_true", help="không hiện thanh tiến độ")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tthc.cli.common import fail
    from tthc.errors import EXIT_FAILED, EXIT_INPUT
    from tthc.parameters.profiles import ProfileError, available, check_name
    from tthc.parameters.ruleset import RuleSetError
    from tthc.quarter import Quarter, QuarterError
    from tthc.run.batch import make_tasks, run_batch, summary_table

    try:
        quarters = []
        for q in ([args.quarter] if args.quarter else []) + list(args.quarters):
            text = str(Quarter.parse(q))
            if text not in quarters:
                quarters.append(text)
        if not quarters:
            return fail("cần --quarter (hoặc --quarters).", EXIT_INPUT)
        profiles = available() if args.all else [check_name(p) for p in args.profiles]
        missing = [p for p in profiles if p not in available()]
        if missing:
            return fail(f"không có profile {', '.join(missing)} trong parameters/profiles; các profile hiện có: "
                        f"{', '.join(available()) or '(chưa có)'}.", EXIT_INPUT)
        if not profiles and not args.data_dirs:
            return fail("cần --profiles, --all hoặc --data-dirs.", EXIT_INPUT)
        if args.workers is not None and args.workers < 1:
            return fail("--workers phải từ 1 trở lên.", EXIT_INPUT)
        if args.local_cluster is not None and args.local_cluster < 1:
            return fail("--local-cluster phải từ 1 trở lên (số tiến trình worker của cụm Dask).", EXIT_INPUT)
        policies = parse_assignments(item for group in args.policy for item in group)
    except (QuarterError, ProfileError, RuleSetError) as exc:
        return fail(str(exc), EXIT_INPUT)
    tasks = make_tasks(quarters, profiles, [Path(d) for d in args.data_dirs], grade_only=args.grade_only,
                       policies=policies, out_root=args.out_root, retries=max(0, args.retries))
    if args.local_cluster:
        where = f"cụm Dask cục bộ {args.local_cluster} tiến trình worker"
    else:
        where = f"cụm Dask {args.scheduler}" if args.scheduler else f"{args.workers or 'mọi'} tiến trình"
    mode = "chấm điểm" if args.grade_only else "chạy sổ tay và xuất báo cáo"
    print(f"tthc batch: {len(tasks)} tác vụ ({mode}) trên {where}.", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        results = run_batch(tasks, workers=args.workers, scheduler=args.scheduler,
                            progress=not args.no_progress, local_cluster=args.local_cluster)
    except OSError as exc:  # e.g. the scheduler cannot be reached, the local cluster cannot start
        what = "khởi động được cụm Dask cục bộ" if args.local_cluster else f"kết nối được tới cụm Dask {args.scheduler}"
        return fail(f"không {what}: {exc}", EXIT_FAILED)
    print(summary_table(results, wall=time.monotonic() - started), flush=True)
    return 0 if all(r.ok for r in results) else EXIT_FAILED
