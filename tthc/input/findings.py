"""Findings: every check result, pandera-style (which file, row, column, value, what was expected)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from tthc.errors import TthcError

if TYPE_CHECKING:
    import pandas as pd

ERROR = "error"      # grading impossible: the run stops
WARNING = "warning"  # a row or value was left out, or the data look wrong; grading goes on
INFO = "info"        # worth knowing (a row outside the period, a missing optional file)
SEVERITIES = (ERROR, WARNING, INFO)

#: The contract's columns first (docs/du-lieu-dau-vao.md), then additions.
#: The contract's columns first (severity, file, row, column, message), then the additions.
COLUMNS = ["severity", "file", "row", "column", "message", "code", "value", "suggestion"]
#: Severity names as users read them.
SEVERITY_VI = {ERROR: "Lỗi", WARNING: "Cảnh báo", INFO: "Thông tin"}


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    file: str
    row: int | None
    column: str
    value: str
    message: str
    suggestion: str = ""

    def location(self) -> str:
        parts = [f"tệp {self.file}" if self.file else ""]
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột '{self.column}'")
        return ", ".join(p for p in parts if p)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} Gợi ý: {self.suggestion}" if self.suggestion else text


def show(value: object) -> str:
    """A cell as the analyst would recognise it: blanks empty, dates day-first, 12.0 as 12."""
    import pandas as pd  # here, not at the top: the command line starts without pandas

    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime | date):
        ts = pd.Timestamp(value)
        return ts.strftime("%d/%m/%Y %H:%M" if (ts.hour or ts.minute) else "%d/%m/%Y")
    return str(value)


def sort_key(finding: Finding) -> tuple:
    """Row order within a file: file-level findings first, then by row."""
    return (-1 if finding.row is None else finding.row,)


class InputError(TthcError):
    """Input that cannot be graded; carries the findings that say why."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))


class Findings:
    """An append-only list of findings with a stable order.

    Many findings of one kind (a row each, thousands at a time) can be ``defer``-red: their count is known
    at once, the ``Finding`` objects are built in their place when the list is first read."""

    def __init__(self) -> None:
        self._items: list[Finding] = []
        self._later: list[tuple[int, int, Callable[[], list[Finding]]]] = []  # (position, count, build)

    @property
    def items(self) -> list[Finding]:
        if self._later:
            merged: list[Finding] = []
            done = 0
            for position, count, build in self._later:
                merged.extend(self._items[done:position])
                chunk = build()
                if len(chunk) != count:
                    raise RuntimeError(f"deferred findings: {len(chunk)} built, {count} announced")
                merged.extend(chunk)
                done = position
            merged.extend(self._items[done:])
            self._items, self._later = merged, []
        return self._items

    def __getstate__(self) -> dict:
        """Pickled and copied with every finding built (a deferred builder is a closure over the tables)."""
        return {"_items": list(self.items), "_later": []}

    def defer(self, count: int, build: Callable[[], list[Finding]]) -> None:
        """``count`` findings, built by ``build()`` when the list is first read, in their place in the order."""
        if count:
            self._later.append((len(self._items), count, build))

    def add(
        self,
        severity: str,
        code: str,
        message: str,
        file: str = "",
        row: int | None = None,
        column: str = "",
        value: object = "",
        suggestion: str = "",
    ) -> None:
        import pandas as pd

        if severity not in SEVERITIES:
            raise ValueError(severity)
        self._items.append(Finding(severity, code, file, None if row is None or pd.isna(row) else int(row), column,
                                  show(value), message, suggestion))

    def error(self, code: str, message: str, **where) -> None:
        self.add(ERROR, code, message, **where)

    def warning(self, code: str, message: str, **where) -> None:
        self.add(WARNING, code, message, **where)

    def info(self, code: str, message: str, **where) -> None:
        self.add(INFO, code, message, **where)

    def extend(self, other: Findings | list[Finding]) -> None:
        self._items.extend(other.items if isinstance(other, Findings) else other)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity == ERROR]

    def raise_errors(self) -> None:
        if self.errors:
            raise InputError(self.errors)

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame([asdict(f) for f in self.items], columns=COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def __len__(self) -> int:
        return len(self._items) + sum(count for _position, count, _build in self._later)
