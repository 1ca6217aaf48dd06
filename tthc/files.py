"""Small facts about the process's files that every layer may need."""

from __future__ import annotations

import os
from pathlib import Path

from tthc import PROJECT_ROOT


def current_umask() -> int:
    """The process's umask, read without changing it (``os.umask`` sets it, which a second thread would see)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def relative(path: Path) -> str:
    """``path`` as a person reads it: from the current folder, else from the project folder, else whole."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        try:
            return str(Path(path).resolve().relative_to(PROJECT_ROOT))
        except ValueError:
            return str(path)
