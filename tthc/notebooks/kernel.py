"""The run's one kernel and its one client (IPC sockets in a private folder where the platform has them),
shared by every stage, and what it imports as soon as it is up."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

from tthc import PROJECT_ROOT
from tthc.notebooks.failures import PipelineError

KERNEL_NAME = "python3"


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


#: IPython history of the run's kernel stays in memory (as nbclient does): no shared SQLite file.
KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:",)
#: Modules the stages import, imported by the kernel as soon as it is up, while the command still checks the
#: input files (``%reset -f`` clears names, not modules, so each stage finds them loaded). A module that
#: fails to import is left for the notebook's own cell to report. The warm-up then moves what it loaded out
#: of the garbage collector's sight (``gc.freeze``): ``%reset -f`` runs a full collection, which would
#: otherwise walk every object of pandas, matplotlib and tthc before each stage.
WARM_MODULES = (
    "IPython.display",
    "pandas",
    "pyarrow.parquet",
    "tthc.run.pipeline",
    "tthc.input.loading",
    "tthc.schemes.tt01.engine",
    "tthc.run.check",
    "tthc.run.outputs",
    "tthc.report.charts",
    "tthc.report.context",
)
WARM_UP_CODE = f"""\
def _tthc_warm_up(names):
    import importlib
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:
            pass
_tthc_warm_up({WARM_MODULES!r})
del _tthc_warm_up
__import__("gc").collect()
__import__("gc").freeze()
"""


class _Kernel:
    """The run's one kernel (IPC sockets in a private folder where the platform has them) and its one client,
    shared by every stage: the kernel start, the client's connection and the imports are paid once."""

    def __init__(self, start_timeout: float = 60):
        from jupyter_core.utils import run_sync

        self._sync = run_sync
        self.start_timeout = start_timeout
        self._ipc = tempfile.TemporaryDirectory(prefix="tthc-ipc-")  # private (0700): sockets, hand-over
        manager_class = _kernel_manager_class(Path(self._ipc.name)) if ipc_available() else None
        self.km = (manager_class or _default_manager())(kernel_name=KERNEL_NAME)
        self.kc = None
        self._ready = False
        #: Where the command leaves its pre-load of the quarter for the kernel (``tthc.reuse``).
        self.hand_over = Path(self._ipc.name) / "loaded.pickle"

    def __enter__(self) -> _Kernel:
        return self.start()

    def start(self) -> _Kernel:
        """Start the kernel and its client, and send the warm-up; on failure, clean up and raise PipelineError."""
        from tthc.notebooks.reuse import HAND_OVER_ENV

        try:
            self._sync(self.km.start_kernel)(cwd=str(PROJECT_ROOT), extra_arguments=list(KERNEL_ARGUMENTS),
                                             env={**os.environ, HAND_OVER_ENV: str(self.hand_over)})
            self.kc = self.km.client()
            self.kc.allow_stdin = False
            self.kc.start_channels()
            self.kc.execute(WARM_UP_CODE, silent=True, store_history=False)
        except BaseException as exc:  # Ctrl-C included: no kernel or socket folder left behind
            self.close()
            if not isinstance(exc, Exception):
                raise
            raise PipelineError(f"Không khởi động được kernel {KERNEL_NAME}: {type(exc).__name__}: {exc}") from exc
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def ready(self) -> None:
        """Wait until the kernel answers (after its warm-up imports)."""
        if self._ready:
            return
        try:
            self._sync(self.kc.wait_for_ready)(timeout=self.start_timeout)
        except Exception as exc:
            raise PipelineError(f"Kernel {KERNEL_NAME} không sẵn sàng: {type(exc).__name__}: {exc}") from exc
        self._ready = True

    def reset(self) -> None:
        """Clear the kernel's variables before a stage, as if each notebook ran alone."""
        reply = self._sync(self.kc.execute_interactive)(
            "%reset -f", store_history=False, timeout=60, output_hook=lambda msg: None
        )
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise PipelineError(f"Không xoá được biến của kernel: {content.get('ename')}: {content.get('evalue')}")

    def stop(self) -> None:
        """Stop the client and kill the kernel without waiting for it to end (:meth:`close` waits)."""
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km.has_kernel and hasattr(signal, "SIGKILL"):
            self._sync(self.km.signal_kernel)(signal.SIGKILL)

    def close(self) -> None:
        """Stop the client and the kernel (immediately), remove the socket folder; safe to call again."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc = None
            if self.km.has_kernel:
                self._sync(self.km.shutdown_kernel)(now=True)
        finally:
            self._ipc.cleanup()


def _default_manager():
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager
