"""papermill's engine for a run: the stages on the run's one kernel client, the executed copy saved when a
notebook starts and ends and during a long cell; and how a failed cell is found in an executed copy."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

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


def _shared_kernel_engine():
    """papermill's nbclient engine, on the run's kernel client instead of a client started (and waited for)
    per notebook, and saving the executed copy when the notebook starts and when it ends (done, failed, or
    the kernel died), and during a long cell (papermill's autosave), not before and after every cell.
    Registered with papermill as ``tthc-shared-kernel``."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    global _shared_engine
    if _shared_engine is not None:
        return _shared_engine

    class SharedClient(PapermillNotebookClient):
        def __init__(self, nb_man, kc=None, **kw):
            super().__init__(nb_man, **kw)
            self.kc = kc  # setup_kernel() then neither starts a kernel nor a client, and stops neither

    class FewerSaves(NotebookExecutionManager):
        _quiet = False

        def save(self, **kwargs):
            if not self._quiet:
                super().save(**kwargs)

        @contextmanager
        def _unsaved(self):
            self._quiet = True
            try:
                yield
            finally:
                self._quiet = False

        def cell_start(self, cell, cell_index=None, **kwargs):
            with self._unsaved():
                super().cell_start(cell, cell_index, **kwargs)

        def cell_complete(self, cell, cell_index=None, **kwargs):
            with self._unsaved():
                super().cell_complete(cell, cell_index, **kwargs)

    class SharedKernelEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            # as papermill's Engine.execute_notebook, with FewerSaves
            nb_man = FewerSaves(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            # as NBClientEngine.execute_managed_notebook, with the run's client
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            kc = kwargs.pop("kc")
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log=logger, log_output=log_output,
                                 stdout_file=stdout_file, stderr_file=stderr_file)
            return SharedClient(nb_man, kc=kc, **final).execute()

    papermill_engines.register(SHARED_ENGINE, SharedKernelEngine)
    _shared_engine = SharedKernelEngine
    return SharedKernelEngine


SHARED_ENGINE = "tthc-shared-kernel"
_shared_engine = None
