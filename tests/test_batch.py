"""``tthc batch``: many profile-quarters at once give the same outputs as each alone; failures stay local."""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tthc.cli import main
from tthc.errors import EXIT_FAILED
from tthc.run import batch as batch_mod
from tthc.run.batch import FAILED, OK, Task, is_kernel_start_error, make_tasks, run_batch, run_task, summary_table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from make_province import make_province  # noqa: E402

QUARTERS = ["2021-Q1", "2021-Q2"]
#: Every file ``write_outputs`` produces (manifest.json included: same data folder, same bytes).
FILES = ("grades.csv", "officials.csv", "dossier_scores.csv", "findings.csv", "unit_indicators.csv",
         "satisfaction.csv", "participants.csv", "manifest.json")


@pytest.fixture(scope="module")
def provinces(tmp_path_factory):
    """Two small synthetic localities (two quarters each) and one broken folder."""
    root = tmp_path_factory.mktemp("batch")
    a = make_province(root / "tinh-a", QUARTERS, agencies=4, communes=8, dossiers=1500, seed=1)
    b = make_province(root / "huyen-b", QUARTERS, agencies=3, communes=5, dossiers=1000, seed=2)
    broken = root / "hong"
    (broken / "2021-Q1").mkdir(parents=True)
    (broken / "2021-Q2").mkdir(parents=True)
    (broken / "units.csv").write_text("Mã đơn vị,Tên đơn vị,Cấp\nX1,UBND xã Một,Cấp xã\n", encoding="utf-8")
    for q in QUARTERS:  # a dossiers file without its required dates: the input cannot be graded
        (broken / q / "dossiers.csv").write_text("Mã hồ sơ,Mã đơn vị\nHS1,X1\n", encoding="utf-8")
    return {"a": a, "b": b, "broken": broken, "root": root}


@pytest.fixture(scope="module")
def alone(provinces):
    """Each locality-quarter graded alone with ``tthc grade``."""
    out = provinces["root"] / "alone"
    for key in ("a", "b"):
        for q in QUARTERS:
            folder = provinces[key]
            assert main(["grade", "--quarter", q, "--data", str(folder), "--out", str(out / folder.name / q)]) == 0
    return out


def same_outputs(left: Path, right: Path) -> None:
    for name in FILES:
        assert (left / name).read_bytes() == (right / name).read_bytes(), f"{left.name}/{name} differs"


def test_batch_equals_each_alone_and_broken_fails_alone(provinces, alone, capsys):
    out = provinces["root"] / "batch"
    code = main(["batch", "--quarter", QUARTERS[0], "--quarters", QUARTERS[1], "--grade-only", "--workers", "2",
                 "--data-dirs", str(provinces["a"]), str(provinces["broken"]), str(provinces["b"]),
                 "--out-root", str(out), "--no-progress"])
    assert code == EXIT_FAILED  # the broken folder failed
    table = capsys.readouterr().out
    assert "4/6 tác vụ xong, 2 lỗi" in table
    assert "hong" in table and "received_at" in table  # the error names what is missing
    for key in ("a", "b"):
        for q in QUARTERS:
            name = provinces[key].name
            same_outputs(out / name / q, alone / name / q)
    assert not (out / "hong").exists()  # a failed task writes no partial output folder


def test_dask_local_cluster_gives_the_same_outputs(provinces, alone):
    from dask.distributed import Client, LocalCluster

    out = provinces["root"] / "dask"
    tasks = make_tasks(QUARTERS, data_dirs=[provinces["a"], provinces["b"], provinces["broken"]],
                       grade_only=True, out_root=out)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        results = run_batch(tasks, scheduler=client, progress=False)
    assert [r.task for r in results] == tasks  # results in the order of the tasks
    assert [r.status for r in results] == [OK, OK, FAILED] * 2
    for key in ("a", "b"):
        for q in QUARTERS:
            same_outputs(out / provinces[key].name / q, alone / provinces[key].name / q)
    assert "Dữ liệu không chấm được" in results[2].message


def test_local_cluster_from_the_command_line(provinces, alone, capsys):
    """``--local-cluster 2``: two worker processes started by the batch; a line per task as it finishes, the
    summary with the batch's time, the broken folder failed and the others' outputs as each graded alone."""
    out = provinces["root"] / "local-cluster"
    code = main(["batch", "--quarter", QUARTERS[0], "--quarters", QUARTERS[1], "--grade-only", "--local-cluster", "2",
                 "--data-dirs", str(provinces["a"]), str(provinces["broken"]), str(provinces["b"]),
                 "--out-root", str(out)])
    captured = capsys.readouterr()
    both = captured.out + captured.err
    assert code == EXIT_FAILED
    assert "4/6 tác vụ xong, 2 lỗi" in captured.out and "thời gian chạy cả đợt" in captured.out
    assert "cụm Dask cục bộ 2 tiến trình worker" in captured.err
    assert "cụm Dask cục bộ sẵn sàng: 2 tiến trình worker" in both
    for q in QUARTERS:  # one progress line per task, before the summary
        for line in (f"✓ tinh-a {q}: xong sau", f"✓ huyen-b {q}: xong sau", f"✗ hong {q}: lỗi sau"):
            assert line in both
            assert line not in captured.out or captured.out.index(line) < captured.out.index("Profile  Quý")
    for key in ("a", "b"):
        for q in QUARTERS:
            same_outputs(out / provinces[key].name / q, alone / provinces[key].name / q)
    assert not (out / "hong").exists()
    assert main(["batch", "--quarter", "2021-Q2", "--data-dirs", str(provinces["a"]), "--local-cluster", "0"]) != 0


@dataclass(frozen=True)
class KillsItsWorker(Task):
    """A task whose worker process dies under it (as if killed, or out of memory)."""

    def resolve(self):
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_fails_its_task_only(provinces, alone):
    import cloudpickle

    from tthc.run.batch import _Progress, run_dask
    from tthc.run.batch_dask import WORKER_DIED_VI, local_cluster

    out = provinces["root"] / "killed"
    tasks = make_tasks(["2021-Q2"], data_dirs=[provinces["a"], provinces["b"]], grade_only=True, out_root=out)
    tasks.insert(1, KillsItsWorker("2021-Q2", data_dir=str(provinces["a"]), out_dir=str(out / "killer"),
                                   grade_only=True))
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers need not import this test module
    try:
        with local_cluster(2) as client:
            # the worker processes import this checkout's tthc, as the command does
            assert set(client.run(lambda: __import__("tthc").__file__).values()) == {sys.modules["tthc"].__file__}
            results = run_dask(tasks, client, _Progress(len(tasks), enabled=False))
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert [r.status for r in results] == [OK, FAILED, OK]
    assert results[1].message == WORKER_DIED_VI
    for key in ("a", "b"):
        same_outputs(out / provinces[key].name / "2021-Q2", alone / provinces[key].name / "2021-Q2")
    assert "1 lỗi" in summary_table(results) and "bị dừng đột ngột" in summary_table(results)


def test_profiles_are_looked_up_by_name(provinces, alone, tmp_path, monkeypatch):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for key in ("a", "b"):
        (profiles / f"{provinces[key].name}.yaml").write_text(
            f"title: thử\ndata_dir: {provinces[key]}\npolicies: {{}}\n", encoding="utf-8")
    monkeypatch.setattr("tthc.parameters.profiles.PROFILES_DIR", profiles)
    out = tmp_path / "out"
    # one worker runs the tasks in this process, where the temporary profile folder is visible
    code = main(["batch", "--quarter", "2021-Q2", "--all", "--grade-only", "--workers", "1", "--out-root", str(out),
                 "--no-progress"])
    assert code == 0
    for key in ("a", "b"):
        same_outputs(out / provinces[key].name / "2021-Q2", alone / provinces[key].name / "2021-Q2")
    assert main(["batch", "--quarter", "2021-Q2", "--profiles", "khong-co", "--grade-only"]) != 0


def test_kernel_start_failures_are_retried(monkeypatch):
    calls = []

    def flaky(task):
        calls.append(task)
        if len(calls) < 3:
            try:
                raise OSError("zmq.error.ZMQError: Address already in use (addr='tcp://127.0.0.1:50123')")
            except OSError as exc:
                raise RuntimeError("Không chạy được sổ tay 01_load.ipynb") from exc
        return "xong", {}, Path("/tmp/x")

    monkeypatch.setattr(batch_mod, "_run", flaky)
    result = run_task(Task("2021-Q2", profile="p"), sleep=lambda s: None)
    assert result.ok and result.attempts == 3

    def broken_cell(task):
        raise RuntimeError("Sổ tay 03_grade lỗi ở ô số 4: KeyError: 'i1'")

    monkeypatch.setattr(batch_mod, "_run", broken_cell)
    result = run_task(Task("2021-Q2", profile="p"), sleep=lambda s: None)
    assert result.status == FAILED and result.attempts == 1  # a failing cell is not retried
    assert "03_grade" in summary_table([result])


@pytest.mark.parametrize("text, expected", [
    ("RuntimeError: Kernel died before replying to kernel_info", True),
    ("Kernel didn't respond in 60 seconds", True),
    ("ZMQError: Address already in use", True),
    ("NotebookFailed: Sổ tay 01_load lỗi ở ô số 2", False),
])
def test_kernel_start_error_detection(text, expected):
    assert is_kernel_start_error(RuntimeError(text)) is expected


@pytest.mark.slow
def test_full_run_of_the_sample_through_batch(tmp_path):
    """One real task: the notebooks in a kernel of their own, then HTML and PDF."""
    if not (ROOT / "data" / "dien-bien-dong" / "2021-Q2").is_dir():
        pytest.skip("sample data not generated")
    task = Task("2021-Q2", profile="dien-bien-dong", out_dir=str(tmp_path / "out"))
    [result] = run_batch([task], workers=1, progress=False)
    assert result.ok, result.message
    assert (tmp_path / "out" / "report.html").is_file()
    assert (tmp_path / "out" / "grades.csv").is_file()
