"""Running a quarter through the notebooks with papermill, then exporting the report.

``run_quarter`` checks every parameter before any kernel starts (a bad quarter, profile, policy or data
folder is one clear line). It then starts one kernel (``python3``, IPC transport where the platform has it,
working folder = the project root), which boots and imports what the stages use on the other core while
the command loads the quarter's files: input that cannot be graded stops the run there (exit status 2), the
kernel is shut down and nothing is written. The stages ``notebooks/01_load`` … ``05_report`` run in order
on that kernel through one client, each from an empty namespace (``%reset -f``), with papermill's Python
API; the executed copies are kept in ``<out_dir>/notebooks/`` (saved when a notebook starts and ends, and
every 30 s during a long cell). Finally ``tthc.report.export.export_report`` turns the executed report notebook
into ``report.html`` and ``report.pdf`` (the exporters were warmed up in a background thread meanwhile).
Everything is written in a staging folder beside the output folder (``.2021-Q2.staging``, under the output
folder's lock), which then replaces the output folder whole, with ``run-manifest.json`` recording the
report and the tables it was built from (``tthc.run.publish``, ``tthc.run.run_manifest``). A failing cell stops
the run: the executed notebook keeps the error, :class:`NotebookFailed` names notebook and cell and where
the failed run's files were kept (``2021-Q2.failed``), and the previous output folder stays as it was.

The notebooks call :func:`prepare` with their parameters cell, so the paths they use are the ones the
command line would use, and :func:`load`, :func:`check`, :func:`grade` for their work: within one kernel
these reuse what an earlier stage computed from the same files, rules and policies (``tthc.reuse``), and
the load stage takes the command's own pre-load. The load stage saves its canonical tables with
:func:`save_loaded`; later stages read them back with :func:`read_loaded`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tthc import PROJECT_ROOT
from tthc.files import current_umask
from tthc.input.findings import InputError
from tthc.notebooks.engine import SHARED_ENGINE, _executed_error, _shared_kernel_engine
from tthc.notebooks.failures import ExportFailed, NotebookFailed, PipelineError
from tthc.notebooks.kernel import KERNEL_NAME, _Kernel
from tthc.parameters.profiles import DEFAULT_PROFILE, ProfileError
from tthc.parameters.ruleset import RuleSetError
from tthc.quarter import Quarter, QuarterError
from tthc.run import publish, run_manifest
from tthc.run.resolve import ParameterError, Run, resolve_run

if TYPE_CHECKING:  # pandas is imported where it is used: ``tthc run`` starts its kernel before loading it
    import pandas as pd

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
#: The stages, in the order an analyst walks them (file names without ``.ipynb``).
STAGES = ("01_load", "02_check", "03_grade", "04_charts", "05_report")
REPORT_STAGE = "05_report"
#: What ``on_stage`` is called with before the export (HTML, PDF, Word, public page).
EXPORT_STAGE = "export"
#: Sub-folders of the output folder written by the stages.
EXECUTED_DIR = "notebooks"
LOADED_DIR = "tables"
CHARTS_DIR = "charts"

__all__ = [
    "ExportFailed",
    "NotebookFailed",
    "ParameterError",
    "PipelineError",
    "RunParameters",
    "RunResult",
    "prepare",
    "read_loaded",
    "run_quarter",
    "save_loaded",
]


# --- parameters ----------------------------------------------------------------------------------------


#: The notebooks' name for the resolved run (``tthc.run.resolve.Run``).
RunParameters = Run


def prepare(
    quarter: str | Quarter,
    profile: str | None = DEFAULT_PROFILE,
    data_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    policies: Mapping[str, str] | None = None,
    rules: str | None = None,
) -> Run:
    """The run of a notebook's parameters cell (``tthc.run.resolve.resolve_run``), reading no data."""
    return resolve_run(quarter, profile, data_dir, out_dir, policies, rules)


def check_folders(params: RunParameters) -> None:
    """The data folder and the quarter's folder exist (else ParameterError); reads no file."""
    if not params.data_dir.is_dir():
        raise ParameterError(f"Không có thư mục dữ liệu {params.data_dir}.")
    if not (params.data_dir / str(params.quarter)).is_dir():
        raise ParameterError(
            f"Không có dữ liệu quý {params.quarter}: thiếu thư mục {params.data_dir / str(params.quarter)}."
        )


def check_inputs(params: RunParameters, hand_over: Path | None = None):
    """The data folder holds the quarter and its files can be graded (else ParameterError/InputError).

    Returns the loaded quarter. With ``hand_over``, also writes it there for the run's kernel, whose load
    stage then reuses it instead of reading the files again (``tthc.reuse``), if the files did not change.
    """
    from tthc.input.loading import load_quarter
    from tthc.notebooks import reuse

    check_folders(params)
    fingerprint = reuse.input_fingerprint(params.data_dir, params.quarter)
    inputs = load_quarter(params.data_dir, params.quarter, params.rules)
    if hand_over is not None and reuse.input_fingerprint(params.data_dir, params.quarter) == fingerprint:
        reuse.hand_over(hand_over, reuse.load_key(params.data_dir, params.quarter, params.rules), fingerprint,
                        inputs)
    return inputs


# --- what the stages compute (reused by the next stage in the same kernel: tthc.notebooks.reuse) -----------------


def load(run: RunParameters, strict: bool = True, *, _fingerprint: str | None = None):
    """The quarter's files loaded and checked (``load_quarter``): the load stage's, when an earlier stage of
    this kernel loaded the same files with the same rules, else read now. ``strict`` raises ``InputError``
    on errors, as ``load_quarter`` does."""
    from tthc.input.loading import load_quarter
    from tthc.notebooks import reuse

    fingerprint = _fingerprint or reuse.input_fingerprint(run.data_dir, run.quarter)
    inputs = reuse.reuse_load(
        reuse.load_key(run.data_dir, run.quarter, run.rules), fingerprint, run.rules,
        lambda: load_quarter(run.data_dir, run.quarter, run.rules, strict=False),
    )
    if strict:
        inputs.findings.raise_errors()
    return inputs


def check(run: RunParameters):
    """What ``tthc check`` computes (``tthc.run.check.check_quarter``): every finding of the quarter, with
    the population's and the grading's when the files can be graded, and the rows each file contributed.
    The load is the load stage's when it can be reused; the grading is kept for the grading stage."""
    from tthc.notebooks import reuse
    from tthc.run.check import checked_rows
    from tthc.schemes.tt01.engine import grade_inputs

    fingerprint = reuse.input_fingerprint(run.data_dir, run.quarter)
    inputs = load(run, strict=False, _fingerprint=fingerprint)
    if inputs.findings.errors:
        return inputs, None
    policies = run.resolved_policies
    result = grade_inputs(inputs, run.rules, policies)
    if reuse.input_fingerprint(run.data_dir, run.quarter) == fingerprint:  # unchanged while loading
        key = reuse.grade_key(reuse.load_key(run.data_dir, run.quarter, run.rules), policies)
        reuse.keep_grading(key, fingerprint, result)
    return reuse.own_copy(result.inputs), checked_rows(result)  # the grading's findings and accounting


def grade(run: RunParameters):
    """The quarter graded (``engine.grade_quarter`` with the run's rules and policies): the check stage's
    grading when it was made in this kernel from the same files, rules and policies, else graded now
    (from the load stage's load when it can be reused)."""
    from tthc.notebooks import reuse
    from tthc.schemes.tt01.engine import grade_inputs

    policies = run.resolved_policies
    fingerprint = reuse.input_fingerprint(run.data_dir, run.quarter)
    key = reuse.grade_key(reuse.load_key(run.data_dir, run.quarter, run.rules), policies)
    result = reuse.reuse_grading(key, fingerprint)
    if result is None:
        result = grade_inputs(load(run, _fingerprint=fingerprint), run.rules, policies)
    return result


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
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
        inputs.findings.frame().to_parquet(tmp / "findings.parquet", index=False)
        summary = {
            "quarter": str(inputs.quarter),
            "data_dir": str(inputs.data_dir),
            "files": {
                name: {"file": info.label, "rows": info.rows, "size": info.size, "sha256": info.sha256}
                for name, info in sorted(inputs.files.items())
            },
            "row_accounting": {
                label: {"read": acc.read, "used": acc.used, "excluded": dict(acc.excluded)}
                for label, acc in sorted(inputs.accounting.items())
            },
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


def accounting_frame(
    accounting: Mapping[str, Mapping], used: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """``row_accounting`` (of ``load.json`` or ``manifest.json``) as a table: file, read, used, excluded.

    ``used`` (rows each file really contributed, counted from the graded tables) adds a "Thực dùng" column.
    """
    import pandas as pd

    columns = ["Tệp", "Số dòng đọc", "Số dòng dùng", "Số dòng loại", "Lý do loại"]
    rows = []
    for label, acc in accounting.items():
        excluded = acc.get("excluded", {})
        row = {
            "Tệp": label,
            "Số dòng đọc": acc.get("read", 0),
            "Số dòng dùng": acc.get("used", 0),
            "Số dòng loại": sum(excluded.values()),
            "Lý do loại": "; ".join(f"{why}: {n}" for why, n in sorted(excluded.items())),
        }
        if used is not None:
            row["Thực dùng"] = used.get(label, pd.NA)
        rows.append(row)
    return pd.DataFrame(rows, columns=columns + (["Thực dùng"] if used is not None else []))


# --- execution -----------------------------------------------------------------------------------------


@dataclass
class RunResult:
    out_dir: Path
    notebooks: list[Path]
    html: Path | None
    pdf: Path | None
    seconds: float


@contextmanager
def _staged(params: RunParameters):
    """The run's staging folder beside the output folder, under the folder's lock (one run at a time per
    output folder): yields the run's parameters pointing at it. When the block ends, ``run-manifest.json`` is
    written and the staging folder replaces the output folder whole; when it fails, the output folder is
    untouched and the staging folder is kept as ``<name>.failed``, named in the error."""
    from tthc.run.outputs import OUTPUT_FILES

    out = params.out_dir
    try:
        with publish.locked(out):
            publish.check_target(out)  # again, under the lock: the folder may have changed since the start
            staging = publish.new_staging(out, marker=True)
            try:
                yield replace(params, out_dir=staging)
                publish.guard(lambda: run_manifest.write(staging, OUTPUT_FILES), out, "ghi thư mục kết quả")
                publish.swap_in(staging, out)
            except BaseException as exc:
                named = _with_evidence(exc, staging, publish.keep_failed(staging, out))
                if named is exc:
                    raise
                raise named from exc
    except publish.FolderBusy as exc:
        raise PipelineError(str(exc)) from None


def _with_evidence(exc: BaseException, staging: Path, evidence: Path) -> BaseException:
    """The run's error, naming where its files were kept (``<name>.failed``)."""
    if isinstance(exc, NotebookFailed):
        executed = exc.executed
        if executed is not None and staging in executed.parents:
            executed = evidence / executed.relative_to(staging)
        return NotebookFailed(exc.notebook, exc.cell, exc.exec_count, exc.ename, exc.evalue, executed, exc.source)
    where = f" Các tệp của lần chạy này lưu tại {publish.shown(evidence)}."
    if isinstance(exc, publish.OutputFolderError):
        return publish.OutputFolderError(f"{exc}{where}")
    if isinstance(exc, PipelineError):
        return type(exc)(f"{exc}{where}")
    return exc


def _declared(notebook: Path, values: dict) -> dict:
    """The values the notebook's ``parameters`` cell declares (papermill warns about any other)."""
    from papermill import inspect_notebook

    names = set(inspect_notebook(str(notebook)))
    return {k: v for k, v in values.items() if k in names}


def run_quarter(
    quarter: Run | str | Quarter,
    profile: str | None = DEFAULT_PROFILE,
    data_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    policies: Mapping[str, str] | None = None,
    *,
    rules: str | None = None,
    notebooks_dir: str | os.PathLike | None = None,
    stages: tuple[str, ...] = STAGES,
    export: bool = True,
    check_data: bool = True,
    start_timeout: float = 60,
    execution_timeout: float | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> RunResult:
    """Execute the notebooks of a quarter, then export the report. See the module docstring.

    ``notebooks_dir`` replaces ``notebooks/`` (tests, a profile's own notebooks); ``on_stage`` is called with
    each notebook's name before it starts, and with ``EXPORT_STAGE`` before the export. Raises ``QuarterError``/
    ``ProfileError``/``RuleSetError``/:class:`ParameterError`/``InputError`` before any notebook runs,
    :class:`NotebookFailed` or :class:`ExportFailed` after.
    """
    started = time.monotonic()
    params = quarter if isinstance(quarter, Run) else prepare(quarter, profile, data_dir, out_dir, policies, rules)
    source = Path(notebooks_dir).resolve() if notebooks_dir else NOTEBOOKS_DIR
    missing = [s for s in stages if not (source / f"{s}.ipynb").is_file()]
    if missing:
        raise ParameterError(f"Thiếu sổ tay {', '.join(m + '.ipynb' for m in missing)} trong {source}.")
    if check_data:
        check_folders(params)  # a missing folder is one line, before any kernel
    publish.check_target(params.out_dir)  # a file in the way, a folder that is not an output folder
    # The kernel boots (and imports what the stages use) on the other core while the files are checked; bad
    # input shuts it down before any notebook runs or anything is written.
    kernel = _Kernel(start_timeout)
    try:
        kernel.start()
    except PipelineError:
        if check_data:  # bad input is still exit status 2, even when no kernel starts
            check_inputs(params)
        raise
    with closing(kernel):
        if check_data:
            check_inputs(params, hand_over=kernel.hand_over)
        with _staged(params) as staged:  # every stage and the export write into the staging folder
            _shared_kernel_engine()  # imports papermill while the kernel finishes its warm-up
            warm = _ExportWarmUp(stages if export else ())
            try:
                executed = _execute(kernel, staged, source, stages, warm.before_stage, on_stage,
                                    execution_timeout)
            finally:
                warm.join()  # never left running while the command ends on a failed stage
            kernel.stop()  # it ends while the report is exported
            html = pdf = None
            if export and REPORT_STAGE in stages:
                if on_stage:
                    on_stage(EXPORT_STAGE)
                html, pdf = _export(staged.out_dir / EXECUTED_DIR / f"{REPORT_STAGE}.ipynb", staged.out_dir)

    def published(path: Path | None) -> Path | None:
        return None if path is None else params.out_dir / path.relative_to(staged.out_dir)

    return RunResult(params.out_dir, [published(p) for p in executed], published(html), published(pdf),
                     time.monotonic() - started)


def _execute(kernel: _Kernel, params: RunParameters, source: Path, stages, before_stage, on_stage,
             execution_timeout) -> list[Path]:
    """Run each stage's notebook on the run's kernel (a fresh namespace per stage); the executed copies go
    to ``<out_dir>/notebooks/``."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    _shared_kernel_engine()
    executed_dir = params.out_dir / EXECUTED_DIR
    executed_dir.mkdir(parents=True, exist_ok=True)
    for stage in stages:  # copies from an earlier run would sit beside this run's: remove them first
        (executed_dir / f"{stage}.ipynb").unlink(missing_ok=True)
    executed: list[Path] = []
    kernel.ready()
    for stage in stages:
        before_stage(stage)
        if on_stage:
            on_stage(stage)
        notebook, target = source / f"{stage}.ipynb", executed_dir / f"{stage}.ipynb"
        try:
            kernel.reset()
            pm.execute_notebook(
                str(notebook),
                str(target),
                parameters=_declared(notebook, params.notebook_parameters()),
                engine_name=SHARED_ENGINE,
                kernel_name=KERNEL_NAME,
                cwd=str(PROJECT_ROOT),
                progress_bar=False,
                start_timeout=kernel.start_timeout,
                execution_timeout=execution_timeout,
                km=kernel.km,
                kc=kernel.kc,
            )
        except PapermillExecutionError as exc:
            kept = target if target.exists() else None
            cell = _executed_error(target)[0] if kept else None
            raise NotebookFailed(
                target.name, cell, exc.exec_count, exc.ename, exc.evalue, kept, exc.source
            ) from exc
        except Exception as exc:  # the kernel could not start, the notebook could not be read...
            if target.exists():
                cell, count, ename, evalue, src = _executed_error(target)
                if cell is not None:
                    raise NotebookFailed(target.name, cell, count, ename, evalue, target, src) from exc
            raise PipelineError(
                f"Không chạy được sổ tay {stage}.ipynb: {type(exc).__name__}: {exc}"
            ) from exc
        executed.append(target)
    return executed


class _ExportWarmUp:
    """Imports and initialises the exporters (nbconvert's template, WeasyPrint and its fonts: about a second)
    in a background thread of the command while the kernel works, so the export after the notebooks pays
    only for the report itself. It starts with the stage before the report (the charts: one long cell),
    not earlier: while the thread holds the interpreter, the command answers the kernel's messages a little
    later, which short cells would feel. Any failure is left for the real export to report."""

    def __init__(self, stages: tuple[str, ...]):
        self.thread = None
        self.start_at = None
        if REPORT_STAGE in stages:
            self.start_at = stages[max(stages.index(REPORT_STAGE) - 1, 0)]

    def before_stage(self, stage: str) -> None:
        if stage == self.start_at and self.thread is None:
            import threading

            self.thread = threading.Thread(target=self._warm, name="tthc-warm-export", daemon=True)
            self.thread.start()

    def _warm(self) -> None:
        try:
            from tthc.report.export import warm_up

            warm_up()
        except Exception:  # noqa: BLE001 - the real export reports any problem
            pass

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()


def _export(notebook: Path, out_dir: Path) -> tuple[Path, Path]:
    """``report.html`` and ``report.pdf`` from the executed report notebook; on failure the old files stay."""
    from tthc.report.export import export_report

    try:
        html, pdf = export_report(notebook, out_dir)
    except Exception as exc:
        raise ExportFailed(
            f"Không xuất được báo cáo HTML/PDF từ {notebook.name}: {exc}. "
            "Thư mục kết quả cũ (nếu có) được giữ nguyên."
        ) from exc
    return Path(html), Path(pdf)


#: Errors that mean "the parameters or the input are wrong" (exit status 2).
PARAMETER_ERRORS = (QuarterError, ProfileError, RuleSetError, ParameterError, InputError, publish.OutputFolderError)
