"""The sample's outputs and explanations are what tests/golden/expected/ holds, byte for byte.

The expected folder is committed text (CSV, JSON, the explanations' text), so a change to any grade, reason,
finding or explanation shows in review as the lines that changed; tests/golden/make.py rewrites it when a
change is meant (see its docstring), and the diff of that commit is the record of what changed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def _make():
    spec = importlib.util.spec_from_file_location("golden_make", GOLDEN / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.skipif(not (GOLDEN / "expected").is_dir(), reason="no expected folder committed")
def test_the_sample_grades_and_explains_as_committed(tmp_path):
    make = _make()
    if not (make.DATA / make.QUARTER).is_dir():
        pytest.skip("the bundled sample is not present")
    make.produce(tmp_path)
    got, expected = files(tmp_path), files(GOLDEN / "expected")
    assert sorted(got) == sorted(expected)
    changed = [name for name in expected if got[name] != expected[name]]
    assert not changed, f"differs from tests/golden/expected/: {changed} (tests/golden/make.py, then git diff)"
