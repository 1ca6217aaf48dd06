"""``tthc batch`` on Dask distributed: a cluster given by its scheduler, or a local cluster started here.

A local cluster (``tthc batch --local-cluster N``) is N worker *processes* on this machine, one task at a
time each (one thread per worker), started and stopped by the batch; each worker imports the grading modules
before its first task.
The workers are spawned with this process's ``sys.path``, so they import the same ``tthc`` as the command
(the installed package, or the checkout on ``PYTHONPATH``). A worker process that dies (killed, out of
memory) is restarted by its nanny; the task it was running is tried once more and, if its worker dies again,
reported as failed (``KilledWorker``) while the others go on.

The workers of a cluster given by ``--scheduler`` must have ``tthc`` installed and see the same
``parameters/`` and data folders (the tasks name them by path).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

#: Scheduler settings of a local cluster: a task whose worker died twice fails (Dask's default is 3 retries,
#: each waiting for a worker restart).
LOCAL_CONFIG = {"distributed.scheduler.allowed-failures": 1}
#: What a worker imports before its first task (so a task's time is its own work, not the imports).
WARM_UP = ("tthc.run.resolve", "tthc.run.grading", "tthc.run.outputs")
WORKER_DIED_VI = ("Tiến trình worker chạy tác vụ bị dừng đột ngột (hết bộ nhớ hoặc bị tắt), cả khi chạy lại; "
                  "các tác vụ khác vẫn chạy tiếp.")


@contextmanager
def local_cluster(workers: int, memory_limit: str | int = "auto") -> Iterator:
    """A ``dask.distributed.Client`` on ``workers`` local worker processes; both are closed on exit."""
    import dask
    from dask.distributed import Client, LocalCluster

    with dask.config.set(LOCAL_CONFIG):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               memory_limit=memory_limit)
    try:
        with Client(cluster) as client:
            client.run(_warm_up)
            yield client
    finally:
        cluster.close()


def _warm_up() -> None:
    import importlib

    for name in WARM_UP:
        importlib.import_module(name)


def _message(exc: BaseException) -> str:
    from tthc.run.batch import _message as message

    if type(exc).__name__ == "KilledWorker":
        return WORKER_DIED_VI
    return f"Dask: {message(exc)}"


def run_dask(tasks: Sequence, client, progress) -> list:
    """Run ``tasks`` on the cluster of ``client``; results in the order of ``tasks``, each reported to
    ``progress`` as it finishes, with the tasks still running.

    At most one task per worker thread is sent at a time (the next when one finishes): a worker then holds only
    the task it runs, so a worker that dies marks only that task as suspect, and the tasks go to the workers
    that are free, as they free up."""
    from dask.distributed import TimeoutError as DaskTimeout
    from dask.distributed import wait

    from tthc.run.batch import FAILED, TaskResult, run_task

    waiting = list(range(len(tasks)))
    running: dict = {}  # future → task index
    results: dict[int, TaskResult] = {}
    started: dict[int, float] = {}
    while waiting or running:
        while waiting and len(running) < _slots(client):
            i = waiting.pop(0)
            started[i] = time.monotonic()
            running[client.submit(run_task, tasks[i], pure=False, key=f"tthc-{i}-{tasks[i].label}")] = i
        progress.running(tasks[i].label for i in sorted(running.values()))
        try:
            done, _ = wait(list(running), timeout=1.0, return_when="FIRST_COMPLETED")
        except DaskTimeout:  # nothing finished this second
            continue
        for fut in sorted(done, key=running.get):
            i = running.pop(fut)
            try:
                results[i] = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker lost, a task that could not be sent
                results[i] = TaskResult(tasks[i], FAILED, time.monotonic() - started[i], 1, _message(exc))
            progress.done(results[i])
    return [results[i] for i in range(len(tasks))]


def _slots(client) -> int:
    """The worker threads of the cluster now (at least one: tasks wait on the scheduler for a worker)."""
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 - the scheduler busy or restarting a worker: send one at a time
        return 1
