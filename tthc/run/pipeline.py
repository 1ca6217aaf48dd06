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

import os
import time
from collections.abc import Callable, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from tthc import PROJECT_ROOT
from tthc.input.findings import InputError
from tthc.notebooks.engine import SHARED_ENGINE, _executed_error, _shared_kernel_engine
from tthc.notebooks.failures import ExportFailed, NotebookFailed, PipelineError
from tthc.notebooks.kernel import KERNEL_NAME, _Kernel
from tthc.parameters.profiles import DEFAULT_PROFILE, ProfileError
from tthc.parameters.ruleset import RuleSetError
from tthc.quarter import Quarter, QuarterError
from tthc.run import publish, run_manifest
from tthc.run.resolve import ParameterError, Run, resolve_run
from tthc.run.stages import (  # noqa: F401 - the stages' functions, offered to the notebooks from here
    LOADED_DIR,
    Loaded,
    accounting_frame,
    check,
    check_folders,
    check_inputs,
    default_unit,
    file_summaries,
    files_table,
    grade,
    load,
    read_loaded,
    row_accounting,
    save_loaded,
)

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
#: The stages, in the order an analyst walks them (file names without ``.ipynb``).
STAGES = ("01_load", "02_check", "03_grade", "04_charts", "05_report")
REPORT_STAGE = "05_report"
#: What ``on_stage`` is called with before the export (HTML, PDF, Word, public page).
EXPORT_STAGE = "export"
#: Sub-folders of the output folder written by the stages.
EXECUTED_DIR = "notebooks"
CHARTS_DIR = "charts"

__all__ = [
    "ExportFailed",
    "NotebookFailed",
    "ParameterError",
    "PipelineError",
    "RunParameters",
    "RunResult",
    "accounting_frame",
    "check",
    "default_unit",
    "files_table",
    "grade",
    "load",
    "prepare",
    "read_loaded",
    "row_accounting",
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
    from tthc.run import index_outputs, outputs
    from tthc.run.grading import is_index

    tables = index_outputs.OUTPUT_FILES if is_index(params.rules) else outputs.OUTPUT_FILES
    out = params.out_dir
    try:
        with publish.locked(out):
            publish.check_target(out)  # again, under the lock: the folder may have changed since the start
            staging = publish.new_staging(out, marker=True)
            try:
                yield replace(params, out_dir=staging)
                publish.guard(lambda: run_manifest.write(staging, tables), out, "ghi thư mục kết quả")
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
