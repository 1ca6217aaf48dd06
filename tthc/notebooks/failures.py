"""What stops a run once its notebooks have started: a kernel that does not start, a failing cell (named, with
the executed copy kept), an export that fails."""

from __future__ import annotations

from pathlib import Path

from tthc.errors import RunFailed


class PipelineError(RunFailed, RuntimeError):
    """The run stopped after notebooks started (message in Vietnamese)."""


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
        super().__init__(text + ". Thư mục kết quả cũ (nếu có) được giữ nguyên.")


class ExportFailed(PipelineError):
    """The report notebook ran but could not become ``report.html``/``report.pdf``."""
