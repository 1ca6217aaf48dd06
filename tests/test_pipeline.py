"""``tthc run`` and the notebooks: parameters checked before any kernel, a run end to end, a failing cell."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tthc import PROJECT_ROOT
from tthc.cli import main as tthc_main
from tthc.notebooks import kernel as kernel_mod
from tthc.run import pipeline, publish

FIXTURE = Path(__file__).parent / "fixtures" / "workbench-small"
SAMPLE = PROJECT_ROOT / "data" / "dien-bien-dong"
#: The end-to-end run uses the bundled sample when it is there (the seed's counts), else the small fixture.
E2E_DATA = SAMPLE if (SAMPLE / "2021-Q2").is_dir() else FIXTURE
SEED_SENTENCE = "Cấp huyện: 07 đơn vị đạt loại Xuất sắc"
NOTEBOOKS = PROJECT_ROOT / "notebooks"
PARAMETERS = {"quarter", "profile", "data_dir", "out_dir"}


# --- the committed notebooks ---------------------------------------------------------------------------


@pytest.mark.parametrize("stage", pipeline.STAGES)
def test_committed_notebook_is_clean_and_has_one_parameters_cell(stage):
    nb = nbformat.read(NOTEBOOKS / f"{stage}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert "injected-parameters" not in json.dumps([c.get("metadata", {}) for c in nb.cells])
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{stage}: committed with outputs"
    names = {line.split("=")[0].strip() for line in tagged[0].source.splitlines() if "=" in line}
    assert names >= PARAMETERS
    assert 'quarter = "2021-Q2"' in tagged[0].source and 'profile = "dien-bien-dong"' in tagged[0].source


@pytest.mark.parametrize("stage", [s for s in pipeline.STAGES if s != pipeline.REPORT_STAGE])
def test_my_notebooks_take_a_policies_dict(stage):
    nb = nbformat.read(NOTEBOOKS / f"{stage}.ipynb", as_version=4)
    source = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert "policies = {}" in source


# --- parameters: one line, exit 2, before any kernel ---------------------------------------------------


def no_kernel(*args, **kwargs):
    raise AssertionError("a kernel was started")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--quarter", "2021-Q5"], "Quý '2021-Q5' không hợp lệ"),
        (["--quarter", "2021-Q2", "--profile", "../../etc"], "không hợp lệ"),
        (["--quarter", "2021-Q2", "--profile", "khong-co"], "Không có profile 'khong-co'"),
        (["--quarter", "2021-Q2", "--policy", "rounding=banker"], "Chính sách 'rounding'"),
        (["--quarter", "2021-Q2", "--policy", "no_such=1"], "Không có chính sách 'no_such'"),
        (["--quarter", "2021-Q2", "--policy", "rounding"], "TÊN=GIÁ_TRỊ"),
        (["--quarter", "2020-Q1"], "Không có dữ liệu quý 2020-Q1"),
    ],
)
def test_bad_parameters_exit_2_before_any_kernel(args, needle, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(pipeline, "_Kernel", no_kernel)
    out = tmp_path / "out"
    data = ["--data", str(FIXTURE)] if "--profile" not in args else []
    started = time.monotonic()
    code = tthc_main(["run", *args, *data, "--out", str(out)])
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("Lỗi:")]
    assert not out.exists()  # no notebooks folder, nothing written
    assert elapsed < 10


def test_missing_data_folder_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(pipeline, "_Kernel", no_kernel)
    code = tthc_main(
        ["run", "--quarter", "2021-Q2", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "out")]
    )
    assert code == 2
    assert "Không có thư mục dữ liệu" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_input_that_cannot_be_graded_exits_2_naming_the_file(tmp_path, capsys, monkeypatch):
    """The kernel boots while the files are checked; input that cannot be graded stops it before any
    notebook runs, and nothing is written."""
    kernels = []

    class Recorded(pipeline._Kernel):
        def start(self):
            kernels.append(self)
            return super().start()

    monkeypatch.setattr(pipeline, "_Kernel", Recorded)
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    (data / "2021-Q2" / "dossiers.csv").unlink()
    code = tthc_main(["run", "--quarter", "2021-Q2", "--data", str(data), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "dossiers" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert len(kernels) == 1 and not kernels[0].km.has_kernel and kernels[0].kc is None  # shut down
    assert not Path(kernels[0]._ipc.name).exists()  # its socket folder removed


def test_bad_input_exits_2_even_when_no_kernel_starts(tmp_path, capsys, monkeypatch):
    """The kernel starts before the input check; if it cannot start, input that cannot be graded is still
    reported as such (exit 2, the file named), not as a kernel failure."""
    monkeypatch.setattr(kernel_mod, "KERNEL_NAME", "no-such-kernel")
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    (data / "2021-Q2" / "dossiers.csv").unlink()
    code = tthc_main(["run", "--quarter", "2021-Q2", "--data", str(data), "--out", str(tmp_path / "out")])
    assert code == 2 and "dossiers" in capsys.readouterr().err
    # with good input, the kernel's failure is the error
    with pytest.raises(pipeline.PipelineError, match="no-such-kernel"):
        pipeline.run_quarter("2021-Q2", data_dir=FIXTURE, out_dir=tmp_path / "out2")


def test_the_command_line_freezes_the_collector_only_for_its_own_process(capsys):
    """``main()`` on the program's own command line freezes the garbage collector before the process ends
    (a faster exit); called with arguments (tests, scripts), it leaves the collector alone."""
    import gc

    frozen = gc.get_freeze_count()
    assert tthc_main(["run", "--quarter", "2021-Q5"]) == 2
    assert gc.get_freeze_count() == frozen


def test_prepare_resolves_paths_and_refuses_odd_ones(tmp_path):
    params = pipeline.prepare("2021-Q2", "dien-bien-dong", FIXTURE, tmp_path / "o", {"rounding": "half_up"})
    assert params.data_dir.is_absolute() and params.out_dir == (tmp_path / "o").resolve()
    assert params.notebook_parameters() == {
        "quarter": "2021-Q2",
        "profile": "dien-bien-dong",
        "data_dir": str(FIXTURE.resolve()),
        "out_dir": str(params.out_dir),
        "policies": {"rounding": "half_up"},
        "rules": None,
    }
    default = pipeline.prepare("2021-Q2")
    assert default.out_dir == PROJECT_ROOT / "outputs" / "dien-bien-dong" / "2021-Q2"
    with pytest.raises(pipeline.ParameterError):
        pipeline.prepare("2021-Q2", data_dir=FIXTURE, out_dir=tmp_path / "a\nb")
    with pytest.raises(pipeline.ParameterError):
        pipeline.prepare("2021-Q2", data_dir=FIXTURE, out_dir=FIXTURE / "2021-Q2")


def test_ipc_kernel_manager_keeps_sockets_in_a_private_folder(tmp_path):
    km_class = kernel_mod._kernel_manager_class(tmp_path)
    km = km_class(kernel_name="python3")
    assert km.transport == "ipc"
    assert km.ip == str(tmp_path / "kernel")
    assert kernel_mod._kernel_manager_class(None) is None


# --- end to end (kernels) ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """One full ``tthc run`` (the sample, or the small fixture), through the command line."""
    out = tmp_path_factory.mktemp("run") / "2021-Q2"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tthc.cli",
            "run",
            "--quarter",
            "2021-Q2",
            "--data",
            str(E2E_DATA),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=240,
    )
    return out, proc


@pytest.mark.slow
def test_run_produces_report_and_executed_notebooks(finished_run):
    out, proc = finished_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    executed = sorted(p.name for p in (out / "notebooks").glob("*.ipynb"))
    assert executed == [f"{s}.ipynb" for s in pipeline.STAGES]
    for name in executed:
        nb = nbformat.read(out / "notebooks" / name, as_version=4)
        assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and str(staging_of(out)) in injected[0].source  # run in the staging folder
    for table in ("grades.csv", "officials.csv", "findings.csv", "manifest.json", "satisfaction.csv"):
        assert (out / table).is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no lock, staging or old folder left
    assert (out / "run-manifest.json").is_file() and not (out / publish.STAGING_MARKER).exists()
    assert sorted(p.name for p in (out / "charts").glob("*.png")) == sorted(
        f"{n}.png" for n in pipeline_charts()
    )
    assert (out / "tables" / "dossiers.parquet").is_file() and (out / "tables" / "load.json").is_file()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Quý II năm 2021" in html
    if E2E_DATA == SAMPLE:
        assert SEED_SENTENCE in html
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "report.html" in proc.stdout and "report.pdf" in proc.stdout
    assert not list(PROJECT_ROOT.glob("kernel-ipc*"))  # IPC sockets never land in the project


@pytest.mark.slow
def test_a_finished_run_verifies_with_its_report(finished_run, tmp_path):
    from tthc.run.verify import verify

    out, proc = finished_run
    assert proc.returncode == 0, proc.stderr
    record = json.loads((out / "run-manifest.json").read_text(encoding="utf-8"))
    assert set(record["report"]) == {"report.html", "report.pdf"}
    assert {"grades.csv", "manifest.json"} <= set(record["built_from"])
    assert "notebooks/05_report.ipynb" in record["files"]
    checked = verify(out)
    assert checked.identical, checked.text()
    assert checked.checked_run_files == len(record["report"]) + len(record["files"])
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "report.pdf").write_bytes((copy / "report.pdf").read_bytes() + b"\n")
    assert {(d.kind, d.name) for d in verify(copy).differences} == {("report", "report.pdf")}


@pytest.mark.slow
def test_stages_share_one_kernel_but_not_their_variables(tmp_path):
    """One kernel runs every stage (same process), each stage starting from an empty namespace; the
    executed copies are saved with their outputs."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    base = nbformat.read(NOTEBOOKS / "01_load.ipynb", as_version=4)
    parameters = [c for c in base.cells if "parameters" in c.metadata.get("tags", [])]
    bodies = {
        "01_load": "import os\nleftover = 1\nprint('kernel', os.getpid())",
        "02_check": "import os\nassert 'leftover' not in globals()\n"
        "assert not [n for n in globals() if n.startswith('_tthc')]\nprint('kernel', os.getpid())",
    }
    for stage, body in bodies.items():
        nb = nbformat.v4.new_notebook(metadata=base.metadata, cells=[*parameters, nbformat.v4.new_code_cell(body)])
        nbformat.write(nb, notebooks / f"{stage}.ipynb")
    out = tmp_path / "out"
    result = pipeline.run_quarter("2021-Q2", data_dir=FIXTURE, out_dir=out, notebooks_dir=notebooks,
                                  stages=tuple(bodies), export=False)
    assert [p.name for p in result.notebooks] == ["01_load.ipynb", "02_check.ipynb"]
    pids = set()
    for path in result.notebooks:
        nb = nbformat.read(path, as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        assert "kernel" in text, path.name
        pids.add(text.split("kernel", 1)[1].split()[0])
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and str(staging_of(out)) in injected[0].source
        assert nb.metadata["papermill"]["duration"] is not None  # saved when the notebook ended
    assert len(pids) == 1


def staging_of(out: Path) -> Path:
    return publish.sibling(publish.resolve(out), publish.STAGING_SUFFIX)


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def pipeline_charts():
    from tthc.report.charts import FIGURES

    return FIGURES


@pytest.mark.slow
def test_failing_cell_keeps_the_earlier_report_and_names_notebook_and_cell(tmp_path):
    out = tmp_path / "2021-Q2"
    out.mkdir()
    before = {"report.html": "<html>Báo cáo quý trước</html>".encode(), "report.pdf": b"%PDF-1.7 earlier"}
    for name, data in before.items():
        (out / name).write_bytes(data)
    (out / "notebooks").mkdir()
    (out / "notebooks" / "03_grade.ipynb").write_text("{}", encoding="utf-8")  # from the earlier run
    mtimes = {name: (out / name).stat().st_mtime_ns for name in before}

    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks)
    first = nbformat.read(notebooks / "01_load.ipynb", as_version=4)  # a quick stage that succeeds
    first.cells = [c for c in first.cells if "parameters" in c.metadata.get("tags", [])]
    nbformat.write(first, notebooks / "01_load.ipynb")
    nb = nbformat.read(notebooks / "02_check.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('raise RuntimeError("hỏng có chủ ý")'))
    nbformat.write(nb, notebooks / "02_check.ipynb")

    old_folder = folder_bytes(out)
    with pytest.raises(pipeline.NotebookFailed) as info:
        pipeline.run_quarter("2021-Q2", data_dir=FIXTURE, out_dir=out, notebooks_dir=notebooks)
    failure = info.value
    assert failure.notebook == "02_check.ipynb"
    assert failure.ename == "RuntimeError" and "hỏng có chủ ý" in failure.evalue
    message = str(failure)
    assert (
        "02_check.ipynb" in message and f"ô số {failure.cell + 1}" in message and "hỏng có chủ ý" in message
    )
    assert failure.cell == 2  # the position of the raising cell in the notebook as written
    failed = tmp_path / "2021-Q2.failed"  # the failed run's files, named in the message
    assert failure.executed == failed / "notebooks" / "02_check.ipynb" and str(failure.executed) in message
    executed = nbformat.read(failure.executed, as_version=4)
    errors = [c for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert len(errors) == 1 and "hỏng có chủ ý" in errors[0].source
    assert f"In [{errors[0].execution_count}]" in message
    assert not (failed / "notebooks" / "03_grade.ipynb").exists()  # stopped there
    assert folder_bytes(out) == old_folder  # the previous folder, untouched: no new table beside the old report
    for name in before:
        assert (out / name).stat().st_mtime_ns == mtimes[name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021-Q2", "2021-Q2.failed", "notebooks"]


@pytest.mark.slow
def test_failing_cell_through_the_command_line_exits_3_in_one_line(tmp_path, monkeypatch, capsys):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.read(NOTEBOOKS / "01_load.ipynb", as_version=4)
    nb.cells = [
        c for c in nb.cells if c.cell_type == "markdown" or "parameters" in c.metadata.get("tags", [])
    ]
    nb.cells.append(nbformat.v4.new_code_cell("1 / 0"))
    for stage in pipeline.STAGES:
        nbformat.write(nb, notebooks / f"{stage}.ipynb")
    monkeypatch.setattr(pipeline, "NOTEBOOKS_DIR", notebooks)
    code = tthc_main(["run", "--quarter", "2021-Q2", "--data", str(FIXTURE), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 3
    lines = [line for line in err.splitlines() if line.startswith("Lỗi:")]
    assert len(lines) == 1 and "01_load.ipynb" in lines[0] and "ZeroDivisionError" in lines[0]
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "report.html").exists()


@pytest.mark.slow
def test_papermill_command_line_runs_a_notebook_alone(tmp_path):
    out = tmp_path / "2021-Q2"
    executed = tmp_path / "out.ipynb"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(NOTEBOOKS / "03_grade.ipynb"),
            str(executed),
            "-p",
            "quarter",
            "2021-Q2",
            "-p",
            "data_dir",
            str(FIXTURE),
            "-p",
            "out_dir",
            str(out),
            "-y",
            "policies: {population: resolved_or_overdue}",
            "-k",
            "python3",
            "--no-progress-bar",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "grades.csv").is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["policies"]["population"] == "resolved_or_overdue"  # the notebook used the parameter
    nb = nbformat.read(executed, as_version=4)
    assert any("Đã chấm" in json.dumps(c.get("outputs", []), ensure_ascii=False) for c in nb.cells)


def test_engine_options_exist_in_the_installed_nbclient():
    """``shutdown_kernel="immediate"`` and ``kernel_manager_class`` reach nbclient through papermill's engine
    kwargs; an upgrade that drops either must fail here, not silently fall back."""
    from nbclient import NotebookClient

    traits = NotebookClient.class_traits()
    assert "immediate" in traits["shutdown_kernel"].values
    assert "kernel_manager_class" in traits


def test_a_second_run_on_the_same_output_folder_is_refused(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    out.mkdir()
    with open(publish.lock_path(out), "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(pipeline.PipelineError, match="Đang có một lần chạy khác"):
            pipeline.run_quarter("2021-Q2", data_dir=FIXTURE, out_dir=out)
    assert not (out / "notebooks").exists() and not staging_of(out).exists()
    assert list(out.iterdir()) == []


def test_interrupted_kernel_start_leaves_nothing_behind(monkeypatch):
    kernel = pipeline._Kernel(5)

    async def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(kernel.km, "start_kernel", interrupted)
    with pytest.raises(KeyboardInterrupt):
        kernel.start()
    assert not Path(kernel._ipc.name).exists() and kernel.kc is None
