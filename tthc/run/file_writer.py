"""Output files written piece by piece into a folder, never held whole.

A file is given as its *pieces*: a function returning an iterable of bytes-like pieces (a CSV table's header
and slices of ``csv_writer.CHUNK`` rows, each built when asked for; a workbook's bytes as one piece). Each
file goes to a hidden temporary name in the folder (``.<name>.tmp``), its size (and, when asked, its SHA-256)
counted as written, and is renamed onto its final name once whole; a failure removes the temporary file and
propagates (``tthc.run.publish``'s staging folder then never replaces the old one). :func:`collect` gives the
same pieces as one ``bytes`` (``render``, ``tthc verify``, tests): the same code, only the sink differs.

Files named ``background`` (the XLSX workbooks: XlsxWriter is pure Python) are written by a second thread
while this one writes the others (Arrow's kernels and the file writes release the GIL). Every file's bytes
depend only on its own pieces, never on which thread wrote it or when.
"""

from __future__ import annotations

import hashlib
import os
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
        with open(tmp, "wb") as handle:
            for piece in pieces():
                view = memoryview(piece)
                handle.write(view)
                if sha is not None:
                    sha.update(view)
                size += view.nbytes
                del view, piece  # the slice is freed before the next one is built
        os.replace(tmp, folder / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Written(size, sha.hexdigest() if sha is not None else "")


def write_files(files: Mapping[str, Pieces], folder: Path, background: Collection[str] = (),
                digest: bool = False) -> dict[str, Written]:
    """Every file written into ``folder`` (``files``' order for the result); the ``background`` ones by a
    second thread meanwhile. The first failure is raised once every file started has finished (its
    temporary file removed); files not started are not written."""
    later = [name for name in files if name in background]
    if not later:
        return {name: write_file(folder, name, pieces, digest) for name, pieces in files.items()}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tthc-write") as pool:
        futures = {name: pool.submit(write_file, folder, name, files[name], digest) for name in later}
        try:
            written = {name: write_file(folder, name, pieces, digest) for name, pieces in files.items()
                       if name not in futures}
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise
        written |= {name: future.result() for name, future in futures.items()}
    return {name: written[name] for name in files}
