"""Output files written piece by piece into a folder, never held whole.

A file is given as its *pieces*: a function returning an iterable of bytes-like pieces (a CSV table's header
and slices of ``csv_writer.CHUNK`` rows, each built when asked for; a workbook's bytes as one piece). Each
file goes to a hidden temporary name in the folder (``.<name>.tmp``), its size (and, when asked, its SHA-256)
counted as written, and is renamed onto its final name once whole; a failure removes the temporary file and
propagates (``tthc.run.publish``'s staging folder then never replaces the old one). :func:`collect` gives the
same pieces as one ``bytes`` (``render``, ``tthc verify``, tests): the same code, only the sink differs.

One file after the other, in this thread: writing the workbooks (XlsxWriter, pure Python) in a second thread
while the tables were written measured slower on two cores (each return of the tables' Arrow kernels waits
for the GIL the workbook thread holds), see docs/PERFORMANCE.md.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
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


def write_files(files: Mapping[str, Pieces], folder: Path, digest: bool = False) -> dict[str, Written]:
    """Every file written into ``folder``, in ``files``' order; the first failure stops (its temporary file
    removed; the files after it not written)."""
    return {name: write_file(folder, name, pieces, digest) for name, pieces in files.items()}
