"""The workbooks written by a forked child while the tables are written (``file_writer.write_files(aside=…)``):
the same bytes as written in one process, and every failure — the child's, the parent's, the child killed —
propagates with nothing left behind."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from test_streamed_outputs import folder_bytes, sample  # noqa: F401 (a fixture)

from tthc.run import file_writer, outputs


def test_the_workbooks_written_aside_are_the_same_files(sample, tmp_path, monkeypatch):  # noqa: F811
    assert file_writer.can_fork()  # Linux, and no thread of the tests' own
    forked = []
    real = file_writer._Child
    monkeypatch.setattr(file_writer, "_Child", lambda *a: forked.append(a[0]) or real(*a))
    (tmp_path / "forked").mkdir()
    (tmp_path / "serial").mkdir()
    outputs.write_parts(sample, tmp_path / "forked")
    assert sorted(forked[0]) == sorted(outputs.WORKBOOKS)  # the child wrote them
    monkeypatch.setattr(file_writer, "can_fork", lambda: False)
    outputs.write_parts(sample, tmp_path / "serial")
    assert len(forked) == 1
    assert folder_bytes(tmp_path / "forked") == folder_bytes(tmp_path / "serial")
    assert not [p for p in (tmp_path / "forked").iterdir() if p.name.endswith(".tmp")]


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
    def killed():
        yield b"PK"
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
    assert file_writer.can_fork()
