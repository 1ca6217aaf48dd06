"""Output files written piece by piece into a folder, never held whole.

A file is given as its *pieces*: a function returning an iterable of bytes-like pieces (a CSV table's header
and slices of ``csv_writer.CHUNK`` rows, each built when asked for; a workbook's bytes as one piece). Each
file goes to a hidden temporary name in the folder (``.<name>.tmp``), its size (and, when asked, its SHA-256)
counted as written, and is renamed onto its final name once whole; a failure removes the temporary file and
propagates (``tthc.run.publish``'s staging folder then never replaces the old one). :func:`collect` gives the
same pieces as one ``bytes`` (``render``, ``tthc verify``, tests): the same code, only the sink differs.

The files named ``aside`` (the workbooks: XlsxWriter, pure Python) are written meanwhile by a forked child
process, on Linux when this is the process's only thread: the second core works on them while this one
writes the tables. A second *thread* measured slower on two cores (each return of the tables' Arrow kernels
waits for the GIL the workbook thread holds), see docs/PERFORMANCE.md. Elsewhere (a Jupyter kernel has
threads of its own; Windows has no fork) they are written here, after the others: the same bytes either way.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

#: A file's content: called once, returns its pieces in order (bytes, ``pyarrow.Buffer``, memoryview…).
Pieces = Callable[[], Iterable]


@dataclass(frozen=True)
class Written:
    """What was written under a name: its size, and its SHA-256 when asked for (else '')."""

    size: int
    sha256: str = ""


def collect(pieces: Pieces) -> bytes:
    """A file's pieces as one ``bytes``."""
    return b"".join(pieces())


def whole(data: bytes) -> Pieces:
    """A file already in memory, as pieces."""
    return lambda: (data,)


def same_as_file(pieces: Pieces, path: Path) -> bool:
    """Whether the file at ``path`` holds exactly these pieces: read alongside them, never held whole."""
    with open(path, "rb") as handle:
        for piece in pieces():
            view = memoryview(piece).cast("B")
            if handle.read(len(view)) != view:
                return False
            del view, piece
        return handle.read(1) == b""


def write_file(folder: Path, name: str, pieces: Pieces, digest: bool = False) -> Written:
    """Write ``name`` in ``folder`` from its pieces, beside its final name, then rename it onto it."""
    tmp = folder / f".{name}.tmp"
    sha = hashlib.sha256() if digest else None
    size = 0
    try:
        with open(tmp, "wb") as handle, ThreadPoolExecutor(1, thread_name_prefix="tthc-write") as disk:
            pending = None
            for piece in pieces():
                view = memoryview(piece)
                if pending is not None:
                    pending.result()  # in order; at most one piece waits for the disk
                pending = disk.submit(_put, handle, view, sha)  # write() and hashing release the GIL
                size += view.nbytes
                del view, piece  # the slice is freed once written, while the next one is built
            if pending is not None:
                pending.result()
        os.replace(tmp, folder / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Written(size, sha.hexdigest() if sha is not None else "")


def _put(handle, view: memoryview, sha) -> None:
    handle.write(view)
    if sha is not None:
        sha.update(view)


def write_files(files: Mapping[str, Pieces], folder: Path, digest: bool = False,
                aside: Collection[str] = ()) -> dict[str, Written]:
    """Every file written into ``folder``; the first failure stops (its temporary file removed; the files after
    it not written) and propagates. ``aside``: names written meanwhile by a forked child when the process can
    fork safely (:func:`can_fork`), else here after the others; either way the same bytes."""
    side = {name: pieces for name, pieces in files.items() if name in aside} if can_fork() else {}
    child = _Child(side, Path(folder), digest) if side else None
    written = {}
    try:
        for name, pieces in files.items():
            if name not in side:
                written[name] = write_file(folder, name, pieces, digest)
    except BaseException:
        if child is not None:
            child.stop()
        raise
    if child is not None:
        written.update(child.result())
    return {name: written[name] for name in files}


def can_fork() -> bool:
    """Whether a child may be forked to write files: Linux, and no other thread in this process (a thread
    holding a lock at the fork would leave it held in the child)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


class _Child:
    """A forked process writing ``files`` into ``folder``; :meth:`result` waits for it and gives what it wrote,
    or raises what it raised (an ``OSError`` as itself, so that the caller words a full disk the same way)."""

    def __init__(self, files: Mapping[str, Pieces], folder: Path, digest: bool):
        self.names, self.folder = list(files), folder
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child (its coverage is not collected)
            code = 1
            try:
                os.close(read)
                try:
                    payload = ("ok", {name: write_file(folder, name, pieces, digest) for name, pieces in files.items()})
                except OSError as exc:
                    payload = ("os", (exc.errno, exc.strerror, exc.filename))
                except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
                    payload = ("error", f"{type(exc).__name__}: {exc}")
                with os.fdopen(write, "wb") as pipe:
                    pickle.dump(payload, pipe)
                code = 0
            finally:
                os._exit(code)  # no atexit, no finalizers, no flushing of the parent's buffers
        os.close(write)
        self.read = read

    def result(self) -> dict[str, Written]:
        with os.fdopen(self.read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        if not data:  # killed before it could answer
            self._remove_temporary()
            raise RuntimeError(f"tiến trình ghi {', '.join(self.names)} dừng bất thường "
                               f"(mã {os.waitstatus_to_exitcode(status)})")
        kind, value = pickle.loads(data)
        if kind == "os":
            raise OSError(*value)
        if kind == "error":
            raise RuntimeError(f"khi ghi {', '.join(self.names)}: {value}")
        return value

    def stop(self) -> None:
        """The parent failed: the child is stopped and what it left removed."""
        import signal
        from contextlib import suppress

        with suppress(ProcessLookupError):  # already gone
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.read)
        self._remove_temporary()

    def _remove_temporary(self) -> None:
        for name in self.names:
            (self.folder / f".{name}.tmp").unlink(missing_ok=True)
