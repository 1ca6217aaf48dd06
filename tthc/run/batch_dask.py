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
from collections.abc import Callable, Iterator, Sequence
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


def worker_died(exc: BaseException) -> bool:
    """True when a task failed because its worker process died, each time it ran (``KilledWorker``)."""
    return type(exc).__name__ == "KilledWorker"


def as_finished(client, fn: Callable, items: Sequence) -> Iterator[tuple[list[tuple[int, object, float]], list[int]]]:
    """Run ``fn(item)`` for every item on the cluster of ``client``; yield, about every second and whenever
    some finish, ``(finished, running)``: ``(index, result or exception, seconds since sent)`` of each item
    just finished, and the indices of those still running.

    At most one item per worker thread is sent at a time (the next when one finishes): a worker then holds only
    the item it runs, so a worker that dies marks only that item as suspect, and the items go to the workers
    that are free, as they free up."""
    from dask.distributed import TimeoutError as DaskTimeout
    from dask.distributed import wait

    waiting = list(range(len(items)))
    running: dict = {}  # future → item index
    sent: dict[int, float] = {}
    while waiting or running:
        while waiting and len(running) < _slots(client):
            i = waiting.pop(0)
            sent[i] = time.monotonic()
            running[client.submit(fn, items[i], pure=False, key=f"tthc-{i}-{getattr(items[i], 'label', i)}")] = i
        try:
            done, _ = wait(list(running), timeout=1.0, return_when="FIRST_COMPLETED")
        except DaskTimeout:  # nothing finished this second
            done = set()
        finished = []
        for fut in sorted(done, key=running.get):
            i = running.pop(fut)
            try:
                value = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker lost, an item that could not be sent
                value = exc
            finished.append((i, value, time.monotonic() - sent[i]))
        yield finished, sorted(running.values())


def _slots(client) -> int:
    """The worker threads of the cluster now (at least one: items wait on the scheduler for a worker)."""
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 - the scheduler busy or restarting a worker: send one at a time
        return 1
