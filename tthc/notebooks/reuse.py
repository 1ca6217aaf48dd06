"""What one stage computed, reused by the next stage run in the same kernel, when the input is the same.

``tthc run`` executes the stages in one kernel and clears the namespace between them (``%reset -f``), so each
notebook stays runnable on its own. Module state survives the reset: the load stage leaves a copy of the
loaded quarter here, and the check stage a copy of its grading, so the check stage does not read the files
again and the grading stage does not grade again. A notebook run alone (another kernel, JupyterLab) finds
nothing here and computes.

``tthc run`` itself loads the quarter before the notebooks (bad input stops the run before any notebook);
it hands that load over to its kernel through a file in the kernel's private folder, named by the
environment variable ``TTHC_HAND_OVER``, and the load stage takes it instead of reading the files again.

An entry (or the handed-over load) is used only when its key matches: the data folder, the quarter, the
rule file (path and SHA-256), the resolved policies for a grading, and the SHA-256 of every file the loader
can read (``units.*`` in the data folder, every file of the quarter's folder). The files are hashed again
after a load, and a load whose files changed meanwhile is not kept. Only the latest load and the latest
grading are kept; :func:`forget` drops both.

Nothing is deep-copied. Grading is a pure function (it leaves the loaded quarter as it was: the result has
findings and a row accounting of its own), so a kept load can serve every stage. A stage still gets its own
copy of a load (:func:`own_copy`: new containers, a new findings list and accounting, the tables as
copy-on-write copies: pandas 3 copies a table's data only when one side writes into it), so that a notebook
cell that edits its tables or findings never changes what the next stage is handed. A grading is handed out
once, as it was made; the stage that kept it hands out only its own copy of the graded inputs.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

__all__ = [
    "HAND_OVER_ENV",
    "forget",
    "grade_key",
    "hand_over",
    "input_fingerprint",
    "keep_grading",
    "load_key",
    "own_copy",
    "reuse_grading",
    "reuse_load",
]

#: The kernel's environment names the file where ``tthc run`` left its pre-load of the quarter.
HAND_OVER_ENV = "TTHC_HAND_OVER"

_loads: dict[tuple, Any] = {}
_gradings: dict[tuple, Any] = {}


def forget() -> None:
    """Drop every kept load and grading (the next stage computes)."""
    _loads.clear()
    _gradings.clear()


def _files(data_dir: Path, quarter: str) -> list[tuple[str, Path]]:
    """What the loader can read: ``units.*`` in the data folder, every entry of the quarter's folder."""
    found = [(p.name, p) for p in sorted(data_dir.glob("units.*"))] if data_dir.is_dir() else []
    folder = data_dir / quarter
    if folder.is_dir():
        found += [(f"{quarter}/{p.name}", p) for p in sorted(folder.iterdir())]
    return found


def input_fingerprint(data_dir: Path | str, quarter: object) -> str:
    """SHA-256 over the names and contents of the files a load of ``quarter`` can read (and whether the
    folders exist)."""
    data_dir = Path(data_dir)
    digest = hashlib.sha256(f"{data_dir.is_dir()}\0{(data_dir / str(quarter)).is_dir()}\0".encode())
    for name, path in _files(data_dir, str(quarter)):
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        if path.is_file():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        else:
            digest.update(b"<not a file>")
    return digest.hexdigest()


def load_key(data_dir: Path | str, quarter: object, rules) -> tuple:
    return (str(Path(data_dir).resolve()), str(quarter), rules.id, str(rules.path), rules.sha256)


def grade_key(load: tuple, policies: Mapping[str, str]) -> tuple:
    return (*load, tuple(sorted(policies.items())))


def own_copy(inputs):
    """A loaded quarter the caller may change without changing ``inputs``: new containers, findings list and
    accounting; each table a copy-on-write copy (no data is copied until one side writes into it)."""
    from tthc.input.findings import Findings
    from tthc.input.loading import Accounting

    findings = Findings()
    findings.extend(inputs.findings)
    if not hasattr(inputs, "columns"):  # loaded for the index (``tthc.schemes.nd118.IndexInputs``): plain records
        return replace(
            inputs,
            units=inputs.units.copy(deep=False),
            tables={name: None if t is None else t.copy(deep=False) for name, t in inputs.tables.items()},
            files=dict(inputs.files),
            accounting={label: {**acc, "excluded": dict(acc["excluded"])} for label, acc in inputs.accounting.items()},
            findings=findings,
        )
    return replace(
        inputs,
        units=inputs.units.copy(deep=False),
        tables={name: None if t is None else t.copy(deep=False) for name, t in inputs.tables.items()},
        columns={name: set(cols) for name, cols in inputs.columns.items()},
        files={name: replace(info) for name, info in inputs.files.items()},
        accounting={label: Accounting(a.read, Counter(a.excluded)) for label, a in inputs.accounting.items()},
        findings=findings,
        headers={name: dict(h) for name, h in inputs.headers.items()},
    )


def reuse_load(key: tuple, fingerprint: str, rules, load: Callable[[], Any]) -> Any:
    """The kept load for ``key`` if the files still have ``fingerprint``, else ``load()`` (kept when it has no
    error and the files did not change while it ran). Returns an object the caller may change."""
    kept = _loads.get(key)
    if kept is not None and kept[0] == fingerprint:
        return own_copy(kept[1])
    handed = _handed_over(key, fingerprint)
    if handed is not None:
        _loads.clear()
        _loads[key] = (fingerprint, handed)
        return own_copy(handed)
    inputs = load()
    _loads.clear()
    if not inputs.findings.errors and input_fingerprint(key[0], key[1]) == fingerprint:
        _loads[key] = (fingerprint, inputs)
        return own_copy(inputs)
    return inputs


def hand_over(path: Path | str, key: tuple, fingerprint: str, inputs) -> None:
    """Write a load (without errors) for the kernel to take (:data:`HAND_OVER_ENV`); atomically."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        pickle.dump((key, fingerprint, inputs), handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _handed_over(key: tuple, fingerprint: str) -> Any | None:
    """The load ``tthc run`` handed over, if there is one for ``key`` and the files still have ``fingerprint``.

    The file sits in the run's private kernel folder (only this user can write there) and is read once."""
    path = os.environ.get(HAND_OVER_ENV)
    if not path or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as handle:
            handed_key, handed_fingerprint, inputs = pickle.load(handle)
    except Exception:  # noqa: BLE001 - unreadable: load the files instead
        return None
    finally:
        Path(path).unlink(missing_ok=True)
    if (handed_key, handed_fingerprint) != (key, fingerprint) or inputs.findings.errors:
        return None
    return inputs


def keep_grading(key: tuple, fingerprint: str, result) -> None:
    """Keep ``result`` (graded from files with ``fingerprint``) for the next stage, as it is: grading changed
    none of its arguments, and the keeping stage hands out only :func:`own_copy` of its inputs."""
    _gradings.clear()
    _gradings[key] = (fingerprint, result)


def reuse_grading(key: tuple, fingerprint: str) -> Any | None:
    """The kept grading for ``key`` if the files still have ``fingerprint`` (handed out once), else None."""
    kept = _gradings.pop(key, None)
    if kept is not None and kept[0] == fingerprint:
        return kept[1]
    return None
