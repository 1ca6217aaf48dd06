"""What the notebook stages compute, under the run's scheme: load, check, grade, and what the load stage leaves
for the later stages (``tables/``). ``tthc.run.pipeline`` offers these to the notebooks.

Each function takes the resolved run (``tthc.run.resolve.Run``) and dispatches on its rule set's scheme as
``tthc.run.grading.grade_run`` does: TT 01/2018 loads with ``tthc.input.loading.load_quarter`` and grades
with ``tthc.schemes.tt01.engine``; the NĐ 118/2025 index loads with ``tthc.schemes.nd118.load_index_quarter``
(the version-1 files, then ``index_evidence`` and ``portal_scores``) and grades with
``tthc.schemes.nd118.grade_loaded``, with the profile's province row, so that a stage's tables are those of
``tthc grade``. Within one kernel a stage reuses what an earlier stage computed from the same files, rules
and policies (``tthc.notebooks.reuse``); the load stage takes the command's own pre-load (``check_inputs``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tthc.files import current_umask
from tthc.run.resolve import ParameterError, Run

if TYPE_CHECKING:  # pandas is imported where it is used: ``tthc run`` starts its kernel before loading it
    import pandas as pd

#: Sub-folder of the output folder where the load stage leaves its tables.
LOADED_DIR = "tables"


def check_folders(run: Run) -> None:
    """The data folder and the quarter's folder exist (else ParameterError); reads no file."""
    if not run.data_dir.is_dir():
        raise ParameterError(f"Không có thư mục dữ liệu {run.data_dir}.")
    if not (run.data_dir / str(run.quarter)).is_dir():
        raise ParameterError(
            f"Không có dữ liệu quý {run.quarter}: thiếu thư mục {run.data_dir / str(run.quarter)}."
        )


def is_index(run_or_result) -> bool:
    """Whether a run (or a result) is under the NĐ 118/2025 index (``tthc.run.grading.is_index``; imported
    when called: ``tthc run`` starts its kernel before importing pandas)."""
    from tthc.run.grading import is_index as scheme_is_index

    return scheme_is_index(run_or_result)


def _load_now(run: Run, strict: bool):
    """The quarter's files read now, as the run's scheme reads them."""
    if is_index(run.rules):
        from tthc.schemes.nd118 import load_index_quarter

        return load_index_quarter(run.data_dir, run.quarter, run.rules, strict=strict)
    from tthc.input.loading import load_quarter

    return load_quarter(run.data_dir, run.quarter, run.rules, strict=strict)


def _grade_now(run: Run, inputs, policies: dict[str, str]):
    """A loaded quarter graded under the run's scheme (pure: ``inputs`` is left as it was)."""
    if is_index(run.rules):
        from tthc.run.grading import province_name, province_unit_id
        from tthc.schemes.nd118 import grade_loaded

        return grade_loaded(inputs, run.rules, policies, province_unit_id(run), province_name(run))
    from tthc.schemes.tt01.engine import grade_inputs

    return grade_inputs(inputs, run.rules, policies)


def check_inputs(run: Run, hand_over: Path | None = None):
    """The data folder holds the quarter and its files can be graded (else ParameterError/InputError).

    Returns the loaded quarter. With ``hand_over``, also writes it there for the run's kernel, whose load
    stage then reuses it instead of reading the files again (``tthc.reuse``), if the files did not change.
    """
    from tthc.notebooks import reuse

    check_folders(run)
    fingerprint = reuse.input_fingerprint(run.data_dir, run.quarter)
    inputs = _load_now(run, strict=True)
    if hand_over is not None and reuse.input_fingerprint(run.data_dir, run.quarter) == fingerprint:
        reuse.hand_over(hand_over, reuse.load_key(run.data_dir, run.quarter, run.rules), fingerprint, inputs)
    return inputs


def load(run: Run, strict: bool = True, *, _fingerprint: str | None = None):
    """The quarter's files loaded and checked: the load stage's, when an earlier stage of this kernel loaded
    the same files with the same rules, else read now. ``strict`` raises ``InputError`` on errors."""
    from tthc.notebooks import reuse

    fingerprint = _fingerprint or reuse.input_fingerprint(run.data_dir, run.quarter)
    inputs = reuse.reuse_load(reuse.load_key(run.data_dir, run.quarter, run.rules), fingerprint, run.rules,
                              lambda: _load_now(run, strict=False))
    if strict:
        inputs.findings.raise_errors()
    return inputs


def check(run: Run):
    """What ``tthc check`` computes: every finding of the quarter, with the grading's when the files can be
    graded, and the rows each file contributed (``None`` when they cannot be graded). The load is the load
    stage's when it can be reused; the grading is kept for the grading stage."""
    from tthc.notebooks import reuse

    fingerprint = reuse.input_fingerprint(run.data_dir, run.quarter)
    inputs = load(run, strict=False, _fingerprint=fingerprint)
    if inputs.findings.errors:
        return inputs, None
    policies = run.resolved_policies
    result = _grade_now(run, inputs, policies)
    if reuse.input_fingerprint(run.data_dir, run.quarter) == fingerprint:  # unchanged while loading
        key = reuse.grade_key(reuse.load_key(run.data_dir, run.quarter, run.rules), policies)
        reuse.keep_grading(key, fingerprint, result)
    if is_index(run.rules):  # the load with the grading's findings and row accounting
        checked = replace(inputs, findings=result.findings, accounting=result.accounting)
        return reuse.own_copy(checked), {label: acc["used"] for label, acc in result.accounting.items()}
    from tthc.run.check import checked_rows

    return reuse.own_copy(result.inputs), checked_rows(result)  # the grading's findings and accounting


def grade(run: Run):
    """The quarter graded with the run's rules and policies: the check stage's grading when it was made in
    this kernel from the same files, rules and policies, else graded now (from the load stage's load when
    it can be reused)."""
    from tthc.notebooks import reuse

    policies = run.resolved_policies
    fingerprint = reuse.input_fingerprint(run.data_dir, run.quarter)
    key = reuse.grade_key(reuse.load_key(run.data_dir, run.quarter, run.rules), policies)
    result = reuse.reuse_grading(key, fingerprint)
    if result is None:
        result = _grade_now(run, load(run, _fingerprint=fingerprint), policies)
    return result


def default_unit(result) -> str:
    """The unit an audit looks at when none is named: the lowest index or total among the graded (and, for
    the index, ranked) units, the first by id on a tie."""
    if is_index(result):
        graded = [u for u in result.units if u.ranked and u.total is not None]
    else:
        graded = [u for u in result.units if u.band_min is not None]
    if not graded:
        raise ParameterError("Không có đơn vị nào được xếp loại trong quý: hãy chọn một đơn vị (tham số unit).")
    return min(graded, key=lambda u: (u.total, u.unit_id)).unit_id


# --- the load, as tables a person reads -----------------------------------------------------------------


def row_accounting(inputs) -> dict[str, dict]:
    """Per file label: rows ``read``, ``used`` and ``excluded`` by reason, whichever scheme loaded them."""
    out = {}
    for label, acc in sorted(inputs.accounting.items()):
        if isinstance(acc, Mapping):  # the index's loader and grading keep plain dictionaries
            out[label] = {"read": acc["rows"], "used": acc["used"], "excluded": dict(acc["excluded"])}
        else:
            out[label] = {"read": acc.read, "used": acc.used, "excluded": dict(acc.excluded)}
    return out


def file_summaries(inputs) -> dict[str, dict]:
    """Per table name: the file's label (relative to the data folder), rows read, size and SHA-256."""
    out = {}
    for name, info in sorted(inputs.files.items()):
        if isinstance(info, os.PathLike):  # the index's loader keeps paths
            path = Path(info)
            data = path.read_bytes()
            try:
                label = path.resolve().relative_to(Path(inputs.data_dir).resolve()).as_posix()
            except ValueError:
                label = str(path)
            rows = (inputs.accounting.get(label) or {}).get("rows", 0)
            out[name] = {"file": label, "rows": rows, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        else:
            out[name] = {"file": info.label, "rows": info.rows, "size": info.size, "sha256": info.sha256}
    return out


def files_table(inputs) -> pd.DataFrame:
    """The files read, one row each: table, file, rows, size, the start of the SHA-256."""
    import pandas as pd

    return pd.DataFrame(
        [{"Bảng": name, "Tệp": f["file"], "Số dòng": f["rows"], "Dung lượng (byte)": f["size"],
          "SHA-256": f["sha256"][:12] + "…"} for name, f in file_summaries(inputs).items()],
        columns=["Bảng", "Tệp", "Số dòng", "Dung lượng (byte)", "SHA-256"],
    )


def accounting_frame(
    accounting: Mapping[str, Mapping], used: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """``row_accounting`` (of ``load.json``, ``manifest.json`` or :func:`row_accounting`) as a table: file,
    read, used, excluded. ``used`` (rows each file really contributed, counted from the graded tables) adds a
    "Thực dùng" column. The index's manifests name the rows read ``rows``; both are read."""
    import pandas as pd

    columns = ["Tệp", "Số dòng đọc", "Số dòng dùng", "Số dòng loại", "Lý do loại"]
    rows = []
    for label, acc in accounting.items():
        excluded = acc.get("excluded", {})
        row = {
            "Tệp": label,
            "Số dòng đọc": acc.get("read", acc.get("rows", 0)),
            "Số dòng dùng": acc.get("used", 0),
            "Số dòng loại": sum(excluded.values()),
            "Lý do loại": "; ".join(f"{why}: {n}" for why, n in sorted(excluded.items())),
        }
        if used is not None:
            row["Thực dùng"] = used.get(label, pd.NA)
        rows.append(row)
    return pd.DataFrame(rows, columns=columns + (["Thực dùng"] if used is not None else []))


# --- what the load stage leaves for the later stages ---------------------------------------------------


def save_loaded(inputs, out_dir: Path | str) -> Path:
    """Canonical tables of the load stage as Parquet in ``<out_dir>/tables/``, with its findings and row
    accounting, written all at once (a half-written folder never replaces a whole one)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / LOADED_DIR
    tmp = Path(tempfile.mkdtemp(prefix=f".{LOADED_DIR}.", dir=out_dir))
    tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; the folder is an ordinary one
    try:
        inputs.units.to_parquet(tmp / "units.parquet", index=False)
        for name, frame in sorted(inputs.tables.items()):
            if frame is not None:
                _to_parquet(frame, tmp / f"{name}.parquet")
        inputs.findings.frame().to_parquet(tmp / "findings.parquet", index=False)
        summary = {
            "quarter": str(inputs.quarter),
            "data_dir": str(inputs.data_dir),
            "files": {name: {"file": f["file"], "rows": f["rows"], "size": f["size"], "sha256": f["sha256"]}
                      for name, f in file_summaries(inputs).items()},
            "row_accounting": row_accounting(inputs),
        }
        (tmp / "load.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        old = out_dir / f".{LOADED_DIR}.old"
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _to_parquet(frame: pd.DataFrame, path: Path) -> None:
    """The table as Parquet; a column of mixed Python values that Arrow refuses (exact decimals beside texts,
    as the index's portal and evidence rows may hold) is written as text."""
    import pandas as pd
    import pyarrow as pa

    try:
        frame.to_parquet(path, index=False)
        return
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and len({type(v) for v in out[col].dropna()}) > 1:
            out[col] = out[col].map(lambda v: v if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    out.to_parquet(path, index=False)


@dataclass
class Loaded:
    """What :func:`save_loaded` wrote, read back."""

    tables: dict[str, pd.DataFrame]
    findings: pd.DataFrame
    summary: dict

    def accounting(self) -> pd.DataFrame:
        """Row accounting as a table with Vietnamese headers."""
        return accounting_frame(self.summary.get("row_accounting", {}))


def read_loaded(out_dir: Path | str) -> Loaded:
    folder = Path(out_dir) / LOADED_DIR
    if not (folder / "load.json").is_file():
        raise FileNotFoundError(f"Chưa có kết quả bước nạp dữ liệu trong {folder}: hãy chạy 01_load trước.")
    import pandas as pd

    tables = {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet")) if p.stem != "findings"}
    summary = json.loads((folder / "load.json").read_text(encoding="utf-8"))
    return Loaded(tables, pd.read_parquet(folder / "findings.parquet"), summary)
