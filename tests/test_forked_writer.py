"""The workbooks written by a forked child while the tables are written (``file_writer.write_files(aside=…)``):
the same bytes as written in one process, and every failure — the child's, the parent's, the child killed —
propagates with nothing left behind."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from test_streamed_outputs import folder_bytes

from tthc.run import file_writer, outputs

SAME_FILES = """
import sys
from pathlib import Path
from tthc.run import file_writer, outputs
from tthc.schemes.tt01.engine import grade_quarter

result = grade_quarter(Path(sys.argv[1]), "2021-Q2")
out = Path(sys.argv[2])
assert file_writer.can_fork(), "a fresh process has one thread"
forked = []
real = file_writer._Child
file_writer._Child = lambda *a: forked.append(sorted(a[0])) or real(*a)
(out / "forked").mkdir()
outputs.write_parts(result, out / "forked")
file_writer.can_fork = lambda: False
(out / "serial").mkdir()
outputs.write_parts(result, out / "serial")
print(forked)
"""


def test_the_workbooks_written_aside_are_the_same_files(tmp_path):
    """In a fresh process (one thread, as ``tthc grade``): the child writes the workbooks, and the folder is
    the one written in a single process, byte for byte."""
    import subprocess
    import sys

    from tthc import PROJECT_ROOT

    done = subprocess.run([sys.executable, "-c", SAME_FILES, str(PROJECT_ROOT / "data" / "dien-bien-dong"),
                           str(tmp_path)], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == str([sorted(outputs.WORKBOOKS)])  # the child wrote them, once
    assert folder_bytes(tmp_path / "forked") == folder_bytes(tmp_path / "serial")
    assert len(folder_bytes(tmp_path / "forked")) == len(outputs.OUTPUT_FILES)
    assert not [p for p in (tmp_path / "forked").iterdir() if p.name.endswith(".tmp")]


@pytest.fixture(autouse=True)
def _fork_here(monkeypatch, request):
    """The small cases fork this (test) process even when a test before left a thread running: the child only
    writes the few bytes given here."""
    if request.function.__name__ != "test_no_fork_while_another_thread_runs":
        monkeypatch.setattr(file_writer, "can_fork", lambda: True)


def files(side, main=lambda: (b"a,b\n", b"1,2\n")) -> dict:
    return {"t.csv": main, "w.xlsx": side}


def test_what_the_child_wrote_is_reported_with_its_size_and_digest(tmp_path):
    written = file_writer.write_files(files(lambda: (b"PK", b"\x00" * 10)), tmp_path, digest=True, aside=["w.xlsx"])
    assert list(written) == ["t.csv", "w.xlsx"]
    assert written["w.xlsx"].size == 12 and len(written["w.xlsx"].sha256) == 64
    assert (tmp_path / "w.xlsx").read_bytes() == b"PK" + b"\x00" * 10


def test_an_error_in_the_child_is_raised_in_the_parent(tmp_path):
    def broken():
        yield b"PK"
        raise ValueError("hỏng")

    with pytest.raises(RuntimeError, match=r"w\.xlsx.*ValueError: hỏng"):
        file_writer.write_files(files(broken), tmp_path, aside=["w.xlsx"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_a_full_disk_in_the_child_is_the_same_os_error(tmp_path):
    def full():
        raise OSError(28, "No space left on device", "w.xlsx")

    with pytest.raises(OSError) as caught:
        file_writer.write_files(files(full), tmp_path, aside=["w.xlsx"])
    assert caught.value.errno == 28 and type(caught.value) is OSError


def test_a_child_killed_is_a_failure_and_leaves_nothing(tmp_path):
    parent = os.getpid()

    def killed():
        yield b"PK"
        assert os.getpid() != parent  # never this process
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(RuntimeError, match="dừng bất thường"):
        file_writer.write_files(files(killed), tmp_path, aside=["w.xlsx"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_the_parent_failing_stops_the_child(tmp_path):
    def slow():
        yield b"PK"
        time.sleep(30)
        yield b"never"

    def broken():
        yield b"a,b\n"
        raise ValueError("bảng hỏng")

    t = time.perf_counter()
    with pytest.raises(ValueError, match="bảng hỏng"):
        file_writer.write_files(files(slow, broken), tmp_path, aside=["w.xlsx"])
    assert time.perf_counter() - t < 10
    assert list(tmp_path.iterdir()) == []


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not file_writer.can_fork()
    finally:
        stop.set()
        other.join()
