"""``scripts/install-system.sh`` installs exactly the Debian packages that are missing (stubbed tools, no apt)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tthc import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "install-system.sh"
LIBRARIES = (
    "\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/libpango-1.0.so.0",
    "\tlibharfbuzz.so.0 (libc6,x86-64) => /lib/libharfbuzz.so.0",
    "\tlibharfbuzz-subset.so.0 (libc6,x86-64) => /lib/libharfbuzz-subset.so.0",
)


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755)


def _run(tmp_path: Path, libraries: tuple[str, ...], tools: tuple[str, ...] = ("chromium", "soffice")) -> list[str]:
    """The script with stand-ins for ldconfig, fc-list, pdftotext, id, apt-get and the ``tools`` present; the
    apt-get calls made."""
    if shutil.which("bash") is None or shutil.which("grep") is None:
        pytest.skip("bash and grep are needed")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    calls = tmp_path / "apt-calls"
    listing = tmp_path / "ldconfig.txt"
    listing.write_text("\n".join(libraries) + "\n", encoding="utf-8")
    _stub(stubs, "ldconfig", f"cat '{listing}'")
    _stub(stubs, "fc-list", "echo '/usr/share/fonts/LiberationSerif-Regular.ttf: Liberation Serif:style=Regular'")
    _stub(stubs, "pdftotext", "exit 0")
    for tool in tools:
        _stub(stubs, tool, "exit 0")
    _stub(stubs, "id", "echo 0")
    _stub(stubs, "apt-get", f'echo "$*" >> \'{calls}\'')
    for tool in ("bash", "grep", "cat"):
        os.symlink(shutil.which(tool), stubs / tool)
    subprocess.run(["bash", str(SCRIPT)], check=True, capture_output=True, env={"PATH": str(stubs)})
    return calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []


def test_a_machine_without_harfbuzz_subset_gets_it(tmp_path):
    calls = _run(tmp_path, LIBRARIES[:2])
    assert len(calls) == 2 and calls[0].startswith("update")
    assert calls[1].split()[-1] == "libharfbuzz-subset0"
    assert "libpango-1.0-0" not in calls[1] and "fonts-liberation2" not in calls[1]


def test_a_complete_machine_installs_nothing(tmp_path):
    assert _run(tmp_path, LIBRARIES) == []


def test_a_machine_without_a_browser_or_office_gets_them(tmp_path):
    calls = _run(tmp_path, LIBRARIES, tools=())
    assert len(calls) == 2 and calls[0].startswith("update")
    assert calls[1].split()[-2:] == ["chromium", "libreoffice-writer-nogui"]
