"""Output folders are replaced whole or not at all (``tthc.run.publish``): every refusal of the operating system
is a Vietnamese message with exit status 2, and the previous folder keeps every byte."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from builders import dossier, write_quarter

from tthc.cli import main
from tthc.run import publish, run_manifest
from tthc.run.outputs import OUTPUT_FILES
from tthc.run.verify import verify


@pytest.fixture
def data(tmp_path):
    return write_quarter(tmp_path / "data", [dossier("D1"), dossier("D2", unit="X1", finished="2021-04-10")])


def grade(data: Path, out: Path, *extra: str) -> int:
    return main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out), *extra])


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def previous(data, tmp_path):
    """An output folder from an earlier grade (with a non-default policy, so a new grade would change it)."""
    out = tmp_path / "results" / "2021-Q2"
    assert grade(data, out, "--policy", "rounding=half_even") == 0
    return out, folder_bytes(out)


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir())


def assert_refused(capsys, code: int, *named: str) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert len([line for line in err.splitlines() if line.startswith("Lỗi: ")]) == 1 and "Traceback" not in err
    for text in named:
        assert text in err, (text, err)
    return err


@contextmanager
def os_refuses(monkeypatch, name: str, code: int, when):
    """``os.<name>`` fails with ``code`` (as the kernel would) for the calls ``when(*args)`` picks."""
    real = getattr(os, name)

    def refusing(*args, **kwargs):
        if when(*args):
            raise OSError(code, os.strerror(code), str(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, refusing)
    try:
        yield
    finally:
        monkeypatch.setattr(os, name, real)


# --- a file in the way, a folder that is not an output folder ------------------------------------------


def test_a_file_where_the_output_folder_should_be(data, tmp_path, capsys):
    out = tmp_path / "2021-Q2"
    out.write_bytes(b"not a folder")
    err = assert_refused(capsys, grade(data, out), str(out), "là một tệp")
    assert "--out" in err
    assert out.read_bytes() == b"not a folder" and siblings(out) == ["2021-Q2", "data"]


def test_a_file_in_the_way_of_a_parent_folder(data, tmp_path, capsys):
    blocker = tmp_path / "outputs"
    blocker.write_bytes(b"x")
    assert_refused(capsys, grade(data, blocker / "dien-bien-dong" / "2021-Q2"), str(blocker), "là một tệp")
    assert blocker.read_bytes() == b"x"


def test_a_folder_that_is_not_an_output_folder_is_never_replaced(data, tmp_path, capsys):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "luan-van.docx").write_bytes(b"years of work")
    (out / "grades.csv").write_bytes(b"mine")
    assert_refused(capsys, grade(data, out), str(out), "không phải thư mục kết quả của tthc", "luan-van.docx")
    assert folder_bytes(out) == {"luan-van.docx": b"years of work", "grades.csv": b"mine"}


def test_an_empty_folder_or_one_of_ours_is_replaced(data, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert grade(data, out) == 0 and (out / "grades.csv").is_file()
    left = tmp_path / "left"  # what an interrupted earlier version could leave: no manifest, our names only
    (left / "notebooks").mkdir(parents=True)
    (left / publish.LEGACY_LOCK).write_bytes(b"")
    assert grade(data, left) == 0
    assert (left / "manifest.json").is_file() and not (left / publish.LEGACY_LOCK).exists()


# --- the operating system refuses --------------------------------------------------------------------------


@contextmanager
def read_only(folder: Path):
    """``folder`` made read-only for this process: by its mode, or (root ignores modes) immutable."""
    mode = folder.stat().st_mode
    immutable = False
    if os.geteuid() == 0:
        immutable = shutil.which("chattr") is not None and subprocess.run(
            ["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    else:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        probe = folder / ".probe"
        try:
            probe.mkdir()
        except OSError:
            yield
        else:
            probe.rmdir()
            pytest.skip("cannot make a folder read-only here (root without chattr)")
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(mode)


def test_a_read_only_parent_folder(previous, data, capsys):
    out, before = previous
    with read_only(out.parent):
        err = assert_refused(capsys, grade(data, out), str(out.parent), "Không có quyền")
    assert "--out" in err and "được giữ nguyên" in err
    assert folder_bytes(out) == before and siblings(out) == ["2021-Q2"]


def test_no_permission_to_create_the_staging_folder(previous, data, capsys, monkeypatch):
    """The same refusal, on any machine: the staging folder cannot be made (EACCES)."""
    out, before = previous
    with os_refuses(monkeypatch, "mkdir", errno.EACCES, lambda path, *a: str(path).endswith(".staging")):
        assert_refused(capsys, grade(data, out), str(out.parent), "Không có quyền")
    assert folder_bytes(out) == before and siblings(out) == ["2021-Q2"]


@pytest.mark.parametrize("code,words", [(errno.EBUSY, "đang bị chiếm giữ"), (errno.EXDEV, "hệ thống tệp khác"),
                                        (errno.EPERM, "Không có quyền")])
def test_the_old_folder_cannot_be_moved_away(previous, data, capsys, monkeypatch, code, words):
    """A folder in use, a mount point of another filesystem, a locked (immutable) folder."""
    out, before = previous
    with os_refuses(monkeypatch, "rename", code, lambda src, dst: Path(src) == out):
        assert_refused(capsys, grade(data, out), str(out), words)
    assert folder_bytes(out) == before and siblings(out) == ["2021-Q2"]


def test_a_locked_old_folder_for_real(previous, data, capsys):
    """An immutable output folder (``chattr +i``, root only) cannot be renamed away: refused, unchanged."""
    out, before = previous
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("needs root and chattr")
    if subprocess.run(["chattr", "+i", str(out)], capture_output=True).returncode != 0:
        pytest.skip("this filesystem has no immutable flag")
    try:
        assert_refused(capsys, grade(data, out), str(out))
    finally:
        subprocess.run(["chattr", "-i", str(out)], check=True)
    assert folder_bytes(out) == before and siblings(out) == ["2021-Q2"]


def test_the_new_folder_cannot_be_moved_in_and_the_old_one_is_put_back(previous, data, capsys, monkeypatch):
    out, before = previous
    with os_refuses(monkeypatch, "rename", errno.EXDEV,
                    lambda src, dst: Path(dst) == out and Path(src).name.endswith(".staging")):
        assert_refused(capsys, grade(data, out), str(out))
    assert folder_bytes(out) == before and siblings(out) == ["2021-Q2"]


class FillingDisk:
    """A file handle whose disk is full once ``room`` pieces were written."""

    def __init__(self, handle, room: int):
        self.handle, self.room = handle, room

    def write(self, data):
        if self.room == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.handle.name)
        self.room -= 1
        return self.handle.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


@pytest.mark.parametrize("name", ["findings.csv", "dossier_scores.csv", "findings.xlsx"])
def test_a_full_disk_while_writing_the_tables(previous, data, capsys, monkeypatch, name):
    """The disk fills after a table's first piece (its header; a workbook: at once): nothing is published,
    no temporary file is left, the old folder is unchanged."""
    from tthc.run import file_writer

    out, before = previous

    def filling(path, mode="r", *args, **kwargs):
        handle = open(path, mode, *args, **kwargs)  # noqa: SIM115 - returned open, closed by the writer
        if Path(path).parent.name.endswith(".staging") and Path(path).name == f".{name}.tmp":
            return FillingDisk(handle, room=0 if name.endswith(".xlsx") else 1)
        return handle

    monkeypatch.setattr(file_writer, "open", filling, raising=False)
    assert_refused(capsys, grade(data, out), str(out), "Hết chỗ trống")
    monkeypatch.undo()
    assert folder_bytes(out) == before and siblings(out) == ["2021-Q2"]


# --- the lock ----------------------------------------------------------------------------------------------


def test_another_run_holding_the_folder_is_exit_3(previous, data, capsys):
    fcntl = pytest.importorskip("fcntl")
    out, before = previous
    with open(publish.lock_path(out), "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code = grade(data, out)
    err = capsys.readouterr().err
    assert code == 3 and "Đang có một lần chạy khác" in err and str(out) in err
    assert folder_bytes(out) == before


def test_the_lock_is_beside_the_folder_and_gone_afterwards(data, tmp_path):
    out = tmp_path / "out"
    seen = []
    real_mkdir = Path.mkdir

    def watching(path, *args, **kwargs):
        if path.name.endswith(".staging"):
            seen.append(sorted(p.name for p in path.parent.iterdir()))
        return real_mkdir(path, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "mkdir", watching)
        assert grade(data, out) == 0
    assert seen and ".out.lock" in seen[0]  # held while the folder was built
    assert siblings(out) == ["data", "out"]
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


def test_a_lock_file_whose_holder_died_is_taken(previous, data):
    out, _ = previous
    publish.lock_path(out).write_bytes(b"")  # left by a killed process: its flock died with it
    assert grade(data, out) == 0 and siblings(out) == ["2021-Q2"]


# --- permissions, links, a killed swap -------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_folders_follow_the_umask(data, tmp_path, umask):
    old = os.umask(umask)
    try:
        out = tmp_path / "out"
        assert grade(data, out) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask  # not drwx------
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o666 & ~umask}


def test_a_linked_output_folder_stays_a_link(previous, data, tmp_path):
    out, _ = previous
    link = tmp_path / "latest"
    link.symlink_to(out, target_is_directory=True)
    assert grade(data, link) == 0  # default policies this time: the tables change
    assert link.is_symlink() and link.resolve() == out.resolve()
    assert b"half_up" in (out / "manifest.json").read_bytes()
    assert siblings(out) == ["2021-Q2"]


def test_a_swap_killed_halfway_is_put_back(previous, data):
    out, before = previous
    old, staging = publish.sibling(out, publish.OLD_SUFFIX), publish.sibling(out, publish.STAGING_SUFFIX)
    os.rename(out, old)  # killed between the two renames, with a half-built staging folder
    staging.mkdir()
    (staging / "grades.csv").write_bytes(b"half")
    with publish.locked(out):
        assert folder_bytes(out) == before
        assert not old.exists() and not staging.exists()
    assert siblings(out) == ["2021-Q2"]


def test_an_old_folder_left_beside_a_whole_one_is_removed(previous, data):
    out, before = previous
    old = publish.sibling(out, publish.OLD_SUFFIX)
    old.mkdir()
    (old / "grades.csv").write_bytes(b"stale")
    with publish.locked(out):
        assert folder_bytes(out) == before and not old.exists()


# --- a run's report in the folder ------------------------------------------------------------------------


def fake_run_products(out: Path) -> None:
    """What ``tthc run`` adds to the tables, recorded as it records them."""
    (out / "report.html").write_text("<html>Báo cáo</html>", encoding="utf-8")
    (out / "report.pdf").write_bytes(b"%PDF-1.7 report")
    (out / "notebooks").mkdir()
    (out / "notebooks" / "05_report.ipynb").write_text("{}", encoding="utf-8")
    run_manifest.write(out, OUTPUT_FILES)


def test_grade_with_the_same_tables_keeps_a_valid_report(previous, data, capsys):
    out, _ = previous
    fake_run_products(out)
    before = folder_bytes(out)
    capsys.readouterr()
    assert grade(data, out, "--policy", "rounding=half_even") == 0
    assert "Lưu ý" not in capsys.readouterr().out
    assert folder_bytes(out) == before
    assert verify(out).identical


def test_grade_with_other_tables_keeps_the_report_but_says_it_is_stale(previous, data, capsys):
    out, _ = previous
    fake_run_products(out)
    report = {n: (out / n).read_bytes() for n in ("report.html", "report.pdf", "notebooks/05_report.ipynb")}
    write_quarter(data, [dossier("D1"), dossier("D2", unit="X1", finished="2021-04-14")])  # D2 now late
    capsys.readouterr()
    assert grade(data, out) == 0
    said = capsys.readouterr().out
    assert "Lưu ý" in said and "tthc run" in said and str(out) in said
    assert {n: (out / n).read_bytes() for n in report} == report
    checked = verify(out)
    stale = [d for d in checked.differences if d.kind == "report"]
    assert {d.name for d in stale} >= {"grades.csv", "manifest.json"}
    assert all("report.html, report.pdf được lập từ một" in d.message for d in stale)


# --- tthc run ------------------------------------------------------------------------------------------------


def trivial_notebooks(folder: Path, body: str = "pass") -> Path:
    """Every stage as its parameters cell and ``body``: a quick run that writes the notebooks and, at the
    grading stage, the tables (the report's Word file and public page are built from them)."""
    import nbformat

    from tthc.run import pipeline

    folder.mkdir()
    base = nbformat.read(pipeline.NOTEBOOKS_DIR / "01_load.ipynb", as_version=4)
    parameters = [c for c in base.cells if "parameters" in c.metadata.get("tags", [])]
    for stage in pipeline.STAGES:
        cells = [*parameters, nbformat.v4.new_code_cell(body)]
        if stage == "03_grade":
            cells.append(nbformat.v4.new_code_cell(
                "import tthc\nfrom tthc.run import pipeline\nfrom tthc.run.outputs import write_outputs\n"
                "run = tthc.notebook_run(quarter, profile, data_dir, out_dir, policies, rules, show=False)\n"
                "write_outputs(pipeline.grade(run), run.out_dir)"))
        nbformat.write(nbformat.v4.new_notebook(metadata=base.metadata, cells=cells), folder / f"{stage}.ipynb")
    return folder


def test_run_refuses_a_file_in_the_way_before_any_kernel(data, tmp_path, capsys, monkeypatch):
    from tthc.run import pipeline

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(pipeline, "_Kernel", no_kernel)
    out = tmp_path / "2021-Q2"
    out.write_bytes(b"x")
    code = main(["run", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)])
    assert_refused(capsys, code, str(out), "là một tệp")
    assert out.read_bytes() == b"x"


@pytest.mark.slow
def test_a_run_that_cannot_publish_keeps_its_files_and_exits_2(previous, data, tmp_path, capsys, monkeypatch):
    from tthc.run import pipeline

    out, before = previous
    monkeypatch.setattr(pipeline, "NOTEBOOKS_DIR", trivial_notebooks(tmp_path / "notebooks"))
    with os_refuses(monkeypatch, "rename", errno.EBUSY, lambda src, dst: Path(src) == out):
        code = main(["run", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)])
    failed = out.parent / "2021-Q2.failed"
    err = assert_refused(capsys, code, str(out), "đang bị chiếm giữ", str(failed))
    assert folder_bytes(out) == before
    assert siblings(out) == ["2021-Q2", "2021-Q2.failed"]
    kept = folder_bytes(failed)
    assert {"notebooks/05_report.ipynb", "report.pdf", "run-manifest.json"} <= set(kept), err
    assert publish.STAGING_MARKER not in kept


@pytest.mark.slow
def test_a_killed_run_leaves_the_previous_folder_and_the_next_run_cleans_up(previous, data, tmp_path):
    """``kill -9`` in the middle of ``tthc run``: the previous folder keeps every byte (no new table beside the
    old report), and the next command takes the folder over (stale staging folder and lock file)."""
    import signal
    import sys
    import time

    from tthc import PROJECT_ROOT

    out, before = previous
    notebooks = trivial_notebooks(tmp_path / "notebooks", "import time\ntime.sleep(120)")
    staging = publish.sibling(out, publish.STAGING_SUFFIX)
    script = ("import sys\nfrom tthc.run import pipeline\n"
              "pipeline.run_quarter('2021-Q2', data_dir=sys.argv[1], out_dir=sys.argv[2], notebooks_dir=sys.argv[3])")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script, str(data), str(out), str(notebooks)], cwd=PROJECT_ROOT,
                            env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not (staging / "notebooks" / "01_load.ipynb").is_file():  # the first stage has started
            assert proc.poll() is None and time.monotonic() < deadline, "the run did not start its first stage"
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert folder_bytes(out) == before
    assert grade(data, out) == 0
    assert siblings(out) == ["2021-Q2"]
    assert verify(out).identical
