"""Many profile-quarters at once: a process pool on one machine, or a Dask distributed cluster (one given by
its scheduler, or a local one started for the batch: ``tthc.run.batch_dask``).

Each task is one (profile or data folder, quarter). A task runs either the whole pipeline
(``tthc.run.pipeline.run_quarter``: one kernel for all its notebook stages, IPC transport, at most
``workers`` kernels at a time) or, with ``grade_only``, ``grade_quarter`` + ``write_outputs``. A task never
raises: its outcome (``ok``/``failed``, the attempts, the time, a one-line Vietnamese message) comes back as a
``TaskResult``, so one failing profile never stops the others.

A kernel that fails to start (port races between processes, papermill issue #511: ``ZMQError: Address
already in use``, ``Kernel died before replying to kernel_info``, ``Kernel didn't respond in N seconds``) is
retried with a short random back-off; any other error is reported at once.
"""

from __future__ import annotations

import os
import random
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

OK, FAILED = "ok", "failed"
#: Substrings (of the exception chain) that mean "the kernel did not start": worth another attempt.
KERNEL_START_ERRORS = (
    "address already in use",
    "kernel died before replying to kernel_info",
    "kernel didn't respond",
    "kernel did not respond",
    "zmqerror",
    "deadkernelerror",
    "kernel died before",
    "failed to start the kernel",
)
STATUS_VI = {OK: "xong", FAILED: "lỗi"}


@dataclass(frozen=True)
class Task:
    """One profile-quarter. ``profile`` names ``parameters/profiles/<name>.yaml``; ``data_dir`` (optional)
    replaces its data folder or, without a profile, is the data folder itself."""

    quarter: str
    profile: str | None = None
    data_dir: str | None = None
    out_dir: str | None = None
    policies: tuple[tuple[str, str], ...] = ()
    grade_only: bool = False
    retries: int = 2

    @property
    def name(self) -> str:
        if self.profile:
            return self.profile
        return Path(self.data_dir).name if self.data_dir else "?"

    @property
    def label(self) -> str:
        return f"{self.name} {self.quarter}"

    def resolve(self):
        """The task's run (``tthc.run.resolve``: the same rule as the command line)."""
        from tthc.run.resolve import resolve_run

        if not self.profile and not self.data_dir:
            raise ValueError("Tác vụ cần một profile hoặc một thư mục dữ liệu.")
        return resolve_run(self.quarter, self.profile, self.data_dir, self.out_dir, dict(self.policies))


@dataclass
class TaskResult:
    task: Task
    status: str
    seconds: float
    attempts: int
    message: str
    out_dir: str | None = None
    details: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == OK


def is_kernel_start_error(exc: BaseException) -> bool:
    """True when ``exc`` (or its cause/context) says the kernel did not start (papermill #511-style)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        text = f"{type(exc).__name__}: {exc}".lower()
        if any(key in text for key in KERNEL_START_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _grade(task: Task) -> tuple[str, dict, Path]:
    from collections import Counter

    from tthc.run.grading import grade_run
    from tthc.run.outputs import write_outputs

    run = task.resolve()
    out = run.out_dir
    result = grade_run(run)
    write_outputs(result, out)
    counts = Counter(result.grades["result"])
    details = {"units": len(result.units), "dossiers": len(result.scored),
               "officials": len(result.officials), "results": dict(counts)}
    summary = (f"{details['units']} đơn vị, {_thousands(details['dossiers'])} hồ sơ, "
               f"{details['officials']} cán bộ")
    return summary, details, out


def _thousands(n: int) -> str:
    """12.345 (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def _run(task: Task) -> tuple[str, dict, Path]:
    from tthc.run.pipeline import run_quarter

    run = run_quarter(task.resolve())
    details = {"notebooks": len(run.notebooks), "html": str(run.html or ""), "pdf": str(run.pdf or "")}
    what = "báo cáo HTML, PDF" if run.pdf else "báo cáo HTML" if run.html else "sổ tay"
    return f"{len(run.notebooks)} sổ tay, {what}", details, Path(run.out_dir)


def _message(exc: BaseException) -> str:
    from tthc.input.findings import InputError

    if isinstance(exc, InputError):
        first = "; ".join(str(f) for f in exc.findings[:3])
        more = f" (và {len(exc.findings) - 3} lỗi khác)" if len(exc.findings) > 3 else ""
        return f"Dữ liệu không chấm được: {first}{more}"
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())


def run_task(task: Task, sleep: Callable[[float], None] = time.sleep) -> TaskResult:
    """Run one task to its end; never raises (picklable: it runs in pool processes and Dask workers)."""
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        try:
            message, details, out = (_grade if task.grade_only else _run)(task)
            return TaskResult(task, OK, time.monotonic() - started, attempts, message, str(out), details)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the batch
            if not task.grade_only and is_kernel_start_error(exc) and attempts <= task.retries:
                sleep(0.5 + random.random() * attempts)
                continue
            details = {"error": type(exc).__name__, "traceback": traceback.format_exc(limit=8)}
            return TaskResult(task, FAILED, time.monotonic() - started, attempts, _message(exc), None, details)


def make_tasks(quarters: Sequence[str], profiles: Sequence[str] = (), data_dirs: Sequence[str | Path] = (),
               grade_only: bool = False, policies: dict[str, str] | None = None,
               out_root: str | Path | None = None, retries: int = 2) -> list[Task]:
    """Every (profile or data folder) × quarter, profiles first, in the order given."""
    pol = tuple(sorted((policies or {}).items()))
    tasks = []
    for quarter in quarters:
        for name in profiles:
            out = str(Path(out_root) / name / quarter) if out_root else None
            tasks.append(Task(quarter, profile=name, out_dir=out, policies=pol, grade_only=grade_only,
                              retries=retries))
        for folder in data_dirs:
            folder = Path(folder).resolve()
            out = str(Path(out_root) / folder.name / quarter) if out_root else None
            tasks.append(Task(quarter, data_dir=str(folder), out_dir=out, policies=pol, grade_only=grade_only,
                              retries=retries))
    return tasks


class _Progress:
    """A tqdm bar with one line per finished task."""

    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="tác vụ", desc="tthc batch", dynamic_ncols=True)
        self.failed = 0

    def running(self, labels: Iterable[str]) -> None:
        if self.bar is not None:
            names = list(labels)
            text = f"đang chạy: {', '.join(names[:3])}{' …' if len(names) > 3 else ''}" if names else ""
            self.bar.set_postfix_str(text + (f"; {self.failed} lỗi" if self.failed else ""), refresh=False)

    def note(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text)

    def done(self, result: TaskResult) -> None:
        self.failed += not result.ok
        if self.bar is None:
            return
        mark = "✓" if result.ok else "✗"
        self.bar.write(f"  {mark} {result.task.label}: {STATUS_VI[result.status]} sau {result.seconds:.1f} s"
                       + (f" ({result.attempts} lần thử)" if result.attempts > 1 else "")
                       + f" — {result.message}")
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.failed} lỗi" if self.failed else "", refresh=True)
            self.bar.close()


def _run_local(tasks: list[Task], workers: int, progress: _Progress) -> list[TaskResult]:
    results: dict[int, TaskResult] = {}
    if workers <= 1:
        for i, task in enumerate(tasks):
            progress.running([task.label])
            results[i] = run_task(task)
            progress.done(results[i])
        return [results[i] for i in range(len(tasks))]
    import multiprocessing

    pending = list(range(len(tasks)))
    while pending:
        # spawn: a clean interpreter per worker (no forked threads or ZeroMQ contexts)
        with ProcessPoolExecutor(max_workers=min(workers, len(pending)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(run_task, tasks[i]): i for i in pending}
            broken = []
            todo = set(futures)
            while todo:
                progress.running(tasks[futures[f]].label for f in todo if f.running())
                done, todo = wait(todo, timeout=1.0, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = futures[fut]
                    try:
                        results[i] = fut.result()
                    except BrokenProcessPool:
                        broken.append(i)
                        continue
                    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be unpickled
                        results[i] = TaskResult(tasks[i], FAILED, 0.0, 1, _message(exc))
                    progress.done(results[i])
        # a worker that died (killed, out of memory) breaks the pool: its tasks run again once, alone
        if broken and len(broken) == len(pending):
            for i in broken:
                results[i] = run_alone(tasks[i])
                progress.done(results[i])
            broken = []
        pending = broken
    return [results[i] for i in range(len(tasks))]


def run_alone(task: Task) -> TaskResult:
    """Run a task in a process of its own; a dead process is a failure of that task only."""
    import multiprocessing

    started = time.monotonic()
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            return pool.submit(run_task, task).result()
        except BrokenProcessPool:
            return TaskResult(task, FAILED, time.monotonic() - started, 1,
                              "Tiến trình chạy tác vụ bị dừng đột ngột (hết bộ nhớ hoặc bị tắt).")


def run_batch(tasks: Sequence[Task], workers: int | None = None, scheduler=None,
              progress: bool = True, local_cluster: int | None = None) -> list[TaskResult]:
    """Run ``tasks`` on ``workers`` local processes, on the Dask cluster ``scheduler`` (an address such as
    ``tcp://host:8786`` or a ``dask.distributed.Client``), or on a local Dask cluster of ``local_cluster``
    worker processes started for the batch (``tthc.run.batch_dask``). Results come back in the order of
    ``tasks``."""
    tasks = list(tasks)
    bar = _Progress(len(tasks), progress)
    try:
        if local_cluster is not None:
            from tthc.run.batch_dask import local_cluster as start_cluster

            started = time.monotonic()
            with start_cluster(local_cluster) as client:
                bar.note(f"  cụm Dask cục bộ sẵn sàng: {local_cluster} tiến trình worker, sau "
                         f"{time.monotonic() - started:.1f} s")
                return run_dask(tasks, client, bar)
        if scheduler is not None:
            return _run_scheduler(tasks, scheduler, bar)
        return _run_local(tasks, workers or default_workers(), bar)
    finally:
        bar.close()


def _run_scheduler(tasks: list[Task], scheduler, progress: _Progress) -> list[TaskResult]:
    from dask.distributed import Client

    if hasattr(scheduler, "submit"):
        return run_dask(tasks, scheduler, progress)
    with Client(scheduler, timeout="15s") as client:
        return run_dask(tasks, client, progress)


def run_dask(tasks: Sequence[Task], client, progress: _Progress) -> list[TaskResult]:
    """``tasks`` on the Dask cluster of ``client``, each reported to ``progress`` as it finishes; a task whose
    worker died (killed, out of memory) each time it ran is a failure of that task only."""
    from tthc.run.batch_dask import WORKER_DIED_VI, as_finished, worker_died

    results: dict[int, TaskResult] = {}
    for finished, running in as_finished(client, run_task, tasks):
        for i, value, seconds in finished:
            if not isinstance(value, TaskResult):
                why = WORKER_DIED_VI if worker_died(value) else f"Dask: {_message(value)}"
                value = TaskResult(tasks[i], FAILED, seconds, 1, why)
            results[i] = value
            progress.done(value)
        progress.running(tasks[i].label for i in running)
    return [results[i] for i in range(len(tasks))]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def summary_table(results: Sequence[TaskResult], wall: float | None = None) -> str:
    """A plain-text table: profile, quarter, status, attempts, seconds, result or error; ``wall``: the
    batch's wall-clock seconds."""
    headers = ("Profile", "Quý", "Trạng thái", "Lần thử", "Thời gian", "Kết quả / lỗi")
    rows = [(r.task.name, r.task.quarter, STATUS_VI[r.status], str(r.attempts), f"{r.seconds:.1f} s",
             r.message if len(r.message) <= 160 else r.message[:157] + "...") for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths[:-1]) + "  " + "-" * min(widths[-1], 60)

    def fmt(row):
        return "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1]

    ok = sum(r.ok for r in results)
    total = sum(r.seconds for r in results)
    out = [fmt(headers), line, *(fmt(row) for row in rows), line,
           f"{ok}/{len(results)} tác vụ xong, {len(results) - ok} lỗi; tổng thời gian các tác vụ {total:.1f} s"
           + (f"; thời gian chạy cả đợt {wall:.1f} s." if wall is not None else ".")]
    failed = [r for r in results if not r.ok]
    if failed:
        out.append("Chi tiết lỗi:")
        out.extend(f"  - {r.task.label}: {r.message}" for r in failed)
    return "\n".join(out)
