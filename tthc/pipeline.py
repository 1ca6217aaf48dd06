"""Running a quarter through the notebooks with papermill, then exporting the report.

``run_quarter`` checks every parameter before any kernel starts (a bad quarter, profile, policy or data
folder is one clear line), executes ``notebooks/01_load`` … ``05_report`` in order with papermill's Python
API (kernel ``python3``, immediate shutdown, IPC transport where the platform has it, working folder = the
project root), keeps the executed copies in ``<out_dir>/notebooks/``, and finally calls
``tthc.export.export_report`` on the executed report notebook. A failing cell stops the run: the executed
notebook keeps the error, :class:`NotebookFailed` names notebook and cell, and the previous
``report.html``/``report.pdf`` stay as they were (the export is the last step and is atomic).

The notebooks call :func:`prepare` with their parameters cell, so the paths they use are the ones the
command line would use. The load stage saves its canonical tables with :func:`save_loaded`; later stages
read them back with :func:`read_loaded`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import PROJECT_ROOT
from .findings import InputError
from .policies import resolve_policies
from .profiles import DEFAULT_PROFILE, Profile, ProfileError, check_name, load_profile
from .quarter import Quarter, QuarterError
from .rules import RuleSet, RuleSetError, load_ruleset, ruleset_for

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
#: The stages, in the order an analyst walks them (file names without ``.ipynb``).
STAGES = ("01_load", "02_check", "03_grade", "04_charts", "05_report")
REPORT_STAGE = "05_report"
KERNEL_NAME = "python3"
#: Sub-folders of the output folder written by the stages.
EXECUTED_DIR = "notebooks"
LOADED_DIR = "tables"
CHARTS_DIR = "charts"
LOCK_FILE = ".tthc-run.lock"

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


class PipelineError(RuntimeError):
    """The run stopped after notebooks started (message in Vietnamese)."""


class ParameterError(ValueError):
    """A parameter of the run that is not usable (message in Vietnamese); raised before any kernel starts."""


class NotebookFailed(PipelineError):
    """A cell of a notebook raised; names the notebook and the cell, and where the executed copy is."""

    def __init__(
        self,
        notebook: str,
        cell: int | None,
        exec_count: int | None,
        ename: str,
        evalue: str,
        executed: Path | None,
        source: str = "",
    ):
        self.notebook, self.cell, self.exec_count = notebook, cell, exec_count
        self.ename, self.evalue, self.executed, self.source = ename, evalue, executed, source
        where = f"ô số {cell + 1}" if cell is not None else "một ô"
        if exec_count is not None:
            where += f" (In [{exec_count}])"
        first = source.strip().splitlines()[0][:80] if source.strip() else ""
        text = f"Sổ tay {notebook} lỗi ở {where}"
        text += f" («{first}»)" if first else ""
        text += f": {ename}: {evalue}".rstrip(": ")
        if executed is not None:
            text += f". Bản đã chạy (có lỗi) lưu tại {executed}"
        super().__init__(text + ". Báo cáo cũ (nếu có) được giữ nguyên.")


class ExportFailed(PipelineError):
    """The report notebook ran but could not become ``report.html``/``report.pdf``."""


# --- parameters ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunParameters:
    """The checked parameters of a run: what every notebook's parameters cell resolves to."""

    quarter: Quarter
    profile: Profile
    data_dir: Path
    out_dir: Path
    rules: RuleSet
    policies: dict[str, str] = field(default_factory=dict)  # the run's own choices (``--policy``)
    rules_choice: str | None = None  # ``--rules`` as given (a name, or an absolute .yaml path); None: by date

    @property
    def base_policies(self) -> dict[str, str]:
        return dict(self.profile.policies)

    @property
    def resolved_policies(self) -> dict[str, str]:
        return resolve_policies(self.rules, self.profile.policies, self.policies)

    def notebook_parameters(self) -> dict:
        """Values for the notebooks' ``parameters`` cell (plain strings and a dict: papermill-safe)."""
        return {
            "quarter": str(self.quarter),
            "profile": self.profile.name,
            "data_dir": str(self.data_dir),
            "out_dir": str(self.out_dir),
            "policies": dict(self.policies),
            "rules": self.rules_choice,
        }


def _clean_path(value: str | os.PathLike, what: str) -> Path:
    text = os.fspath(value)
    if not text.strip() or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ParameterError(f"Đường dẫn {what} '{text!r}' không hợp lệ (rỗng hoặc có ký tự điều khiển).")
    return Path(text).expanduser().resolve()


def prepare(
    quarter: str | Quarter,
    profile: str | None = DEFAULT_PROFILE,
    data_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    policies: Mapping[str, str] | None = None,
    rules: str | None = None,
) -> RunParameters:
    """Check and resolve a run's parameters, without reading any data.

    Raises ``QuarterError``, ``ProfileError``, ``RuleSetError`` (bad policy name or value, bad rule set)
    or :class:`ParameterError`, all with a one-line Vietnamese message.
    """
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(str(quarter))
    prof = load_profile(check_name(profile or DEFAULT_PROFILE))
    data = _clean_path(data_dir, "dữ liệu") if data_dir not in (None, "") else prof.data_dir.resolve()
    out = _clean_path(out_dir, "kết quả") if out_dir not in (None, "") else prof.output_dir(q).resolve()
    if out == data or data in out.parents:
        raise ParameterError(
            f"Thư mục kết quả {out} không được nằm trong thư mục dữ liệu {data} "
            "(dữ liệu gốc không bị ghi đè)."
        )
    choice = None
    if rules not in (None, ""):
        choice = str(Path(rules).resolve()) if Path(rules).suffix in (".yaml", ".yml") else str(rules)
    name = choice or prof.rules
    rule_set = load_ruleset(name) if name else ruleset_for(q.bounds()[0])
    chosen = {str(k): str(v) for k, v in (policies or {}).items()}
    resolve_policies(rule_set, prof.policies, chosen)  # unknown names and values fail here
    return RunParameters(q, prof, data, out, rule_set, chosen, choice)


def check_inputs(params: RunParameters) -> None:
    """The data folder holds the quarter and its files can be graded (else ParameterError/InputError)."""
    from .loading import load_quarter

    if not params.data_dir.is_dir():
        raise ParameterError(f"Không có thư mục dữ liệu {params.data_dir}.")
    if not (params.data_dir / str(params.quarter)).is_dir():
        raise ParameterError(
            f"Không có dữ liệu quý {params.quarter}: thiếu thư mục {params.data_dir / str(params.quarter)}."
        )
    load_quarter(params.data_dir, params.quarter, params.rules)


# --- what the load stage leaves for the later stages ---------------------------------------------------


def save_loaded(inputs, out_dir: Path | str) -> Path:
    """Canonical tables of the load stage as Parquet in ``<out_dir>/tables/``, with its findings and row
    accounting, written all at once (a half-written folder never replaces a whole one)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / LOADED_DIR
    tmp = Path(tempfile.mkdtemp(prefix=f".{LOADED_DIR}.", dir=out_dir))
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
    tables = {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet")) if p.stem != "findings"}
    summary = json.loads((folder / "load.json").read_text(encoding="utf-8"))
    return Loaded(tables, pd.read_parquet(folder / "findings.parquet"), summary)


def accounting_frame(
    accounting: Mapping[str, Mapping], used: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """``row_accounting`` (of ``load.json`` or ``manifest.json``) as a table: file, read, used, excluded.

    ``used`` (rows each file really contributed, counted from the graded tables) adds a "Thực dùng" column.
    """
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


def ipc_available() -> bool:
    """IPC kernel transport needs Unix domain sockets (not on Windows) and a libzmq built with ipc."""
    if os.name == "nt":
        return False
    try:
        import zmq
    except ImportError:  # pragma: no cover
        return False
    return bool(zmq.has("ipc"))


def _kernel_manager_class(ipc_dir: Path | None):
    """nbclient's kernel manager, switched to IPC sockets under ``ipc_dir`` (an absolute, private path).

    Without an explicit ``ip`` jupyter_client names IPC sockets ``kernel-ipc-N`` relative to the kernel's
    working folder (the project root here); a private temporary folder keeps them out of the project and
    apart from any other run.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    if ipc_dir is None:
        return None

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            return str(ipc_dir / "kernel")

    return IPCKernelManager


#: Cells papermill adds to an executed notebook (not in the notebook the analyst edits).
PAPERMILL_TAGS = frozenset({"injected-parameters", "papermill-error-cell-tag"})


def _executed_error(path: Path) -> tuple[int | None, int | None, str, str, str]:
    """The first error of an executed notebook: the cell's position in the notebook as written (papermill's
    injected-parameters and error-banner cells not counted), its execution count, error, value, source."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    position = 0
    for cell in nb.cells:
        if PAPERMILL_TAGS.intersection(cell.get("metadata", {}).get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return (
                    position,
                    cell.get("execution_count"),
                    output.get("ename", ""),
                    output.get("evalue", ""),
                    cell.get("source", ""),
                )
        position += 1
    return None, None, "", "", ""


@contextmanager
def _exclusive(out_dir: Path):
    """One run at a time per output folder (overlapping runs would mix their tables and notebooks)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, run unguarded
        yield
        return
    with open(out_dir / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PipelineError(
                f"Đang có một lần chạy khác ghi vào {out_dir}; chờ lần đó xong rồi chạy lại."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _declared(notebook: Path, values: dict) -> dict:
    """The values the notebook's ``parameters`` cell declares (papermill warns about any other)."""
    from papermill import inspect_notebook

    names = set(inspect_notebook(str(notebook)))
    return {k: v for k, v in values.items() if k in names}


def run_quarter(
    quarter: str | Quarter,
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
    each notebook's name before it starts. Raises ``QuarterError``/``ProfileError``/``RuleSetError``/
    :class:`ParameterError`/``InputError`` before any kernel starts, :class:`NotebookFailed` or
    :class:`ExportFailed` after.
    """
    started = time.monotonic()
    params = prepare(quarter, profile, data_dir, out_dir, policies, rules)
    source = Path(notebooks_dir).resolve() if notebooks_dir else NOTEBOOKS_DIR
    missing = [s for s in stages if not (source / f"{s}.ipynb").is_file()]
    if missing:
        raise ParameterError(f"Thiếu sổ tay {', '.join(m + '.ipynb' for m in missing)} trong {source}.")
    if check_data:
        check_inputs(params)

    params.out_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(params.out_dir):
        executed = _execute(params, source, stages, on_stage, start_timeout, execution_timeout)
        html = pdf = None
        if export and REPORT_STAGE in stages:
            html, pdf = _export(params.out_dir / EXECUTED_DIR / f"{REPORT_STAGE}.ipynb", params.out_dir)
    return RunResult(params.out_dir, executed, html, pdf, time.monotonic() - started)


def _execute(
    params: RunParameters, source: Path, stages, on_stage, start_timeout, execution_timeout
) -> list[Path]:
    """Run each stage's notebook (one kernel, a fresh namespace per stage); the executed copies go to
    ``<out_dir>/notebooks/``."""
    executed_dir = params.out_dir / EXECUTED_DIR
    executed_dir.mkdir(parents=True, exist_ok=True)
    for stage in stages:  # copies from an earlier run would sit beside this run's: remove them first
        (executed_dir / f"{stage}.ipynb").unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="tthc-ipc-") as ipc_dir:
        # One kernel for every stage: each stage starts from an empty namespace (%reset), but the imports
        # (pandas, matplotlib, tthc) and the kernel start are paid once, not five times.
        manager_class = _kernel_manager_class(Path(ipc_dir)) if ipc_available() else None
        km = (manager_class or _default_manager())(kernel_name=KERNEL_NAME)
        engine_kwargs = {"shutdown_kernel": "immediate", "km": km}
        executed: list[Path] = []
        try:
            _run_stages(stages, source, executed_dir, params, on_stage, start_timeout, execution_timeout,
                        engine_kwargs, executed)
        finally:
            _shutdown(km)
    return executed


def _default_manager():
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager


def _shutdown(km) -> None:
    from jupyter_core.utils import run_sync

    if km.has_kernel:
        run_sync(km.shutdown_kernel)(now=True)


def _reset_namespace(km) -> None:
    """Clear the shared kernel's variables between stages, as if each notebook ran alone."""
    from jupyter_core.utils import run_sync

    if not km.has_kernel:
        return
    kc = km.client()
    kc.start_channels()
    try:
        run_sync(kc.wait_for_ready)(timeout=60)
        run_sync(kc.execute_interactive)("%reset -f", timeout=60, output_hook=lambda msg: None)
    finally:
        kc.stop_channels()


def _run_stages(stages, source, executed_dir, params, on_stage, start_timeout, execution_timeout,
                engine_kwargs, executed) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    for stage in stages:
        if on_stage:
            on_stage(stage)
        _reset_namespace(engine_kwargs["km"])
        notebook, target = source / f"{stage}.ipynb", executed_dir / f"{stage}.ipynb"
        try:
            pm.execute_notebook(
                str(notebook),
                str(target),
                parameters=_declared(notebook, params.notebook_parameters()),
                kernel_name=KERNEL_NAME,
                cwd=str(PROJECT_ROOT),
                progress_bar=False,
                start_timeout=start_timeout,
                execution_timeout=execution_timeout,
                **engine_kwargs,
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


def _export(notebook: Path, out_dir: Path) -> tuple[Path, Path]:
    """``report.html`` and ``report.pdf`` from the executed report notebook; on failure the old files stay."""
    from .export import export_report

    try:
        html, pdf = export_report(notebook, out_dir)
    except Exception as exc:
        raise ExportFailed(
            f"Không xuất được báo cáo HTML/PDF từ {notebook.name}: {exc}. "
            "Báo cáo cũ (nếu có) được giữ nguyên."
        ) from exc
    return Path(html), Path(pdf)


#: Errors that mean "the parameters or the input are wrong" (exit status 2).
PARAMETER_ERRORS = (QuarterError, ProfileError, RuleSetError, ParameterError, InputError)
