"""Findings: every check result, pandera-style (which file, row, column, value, what was expected)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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

    Findings added one by one are ``Finding`` objects. Many of one kind (a row each, thousands at a time) are
    held as columns instead: ``add_columns`` takes them as a frame, and ``defer`` takes a count and a builder
    called when they are first needed (a list of ``Finding``, or a frame of ``COLUMNS``). ``frame()``,
    ``len()`` and ``counts()`` never turn columns into objects; ``items`` does, once, for the callers that
    walk them."""

    def __init__(self) -> None:
        #: in order: lists of ``Finding``, frames of ``COLUMNS`` and ``_Deferred`` builders
        self._segments: list[list[Finding] | pd.DataFrame | _Deferred] = []

    @property
    def items(self) -> list[Finding]:
        if len(self._segments) != 1 or not isinstance(self._segments[0], list):
            merged: list[Finding] = []
            for segment in self._built():
                merged.extend(segment if isinstance(segment, list) else _objects(segment))
            self._segments = [merged]
        return self._segments[0]

    def _built(self) -> list[list[Finding] | pd.DataFrame]:
        """The segments with every deferred builder run (once: the result takes its place)."""
        self._segments = [s.build() if isinstance(s, _Deferred) else s for s in self._segments]
        return self._segments

    def __getstate__(self) -> dict:
        """Pickled and copied with every deferred builder run (a builder is a closure over the tables)."""
        return {"_segments": [list(s) if isinstance(s, list) else s for s in self._built()]}

    def defer(self, count: int, build: Callable[[], list[Finding] | pd.DataFrame]) -> None:
        """``count`` findings, built by ``build()`` when first needed, in their place in the order."""
        if count:
            self._segments.append(_Deferred(count, build))

    def add_columns(self, frame: pd.DataFrame) -> None:
        """Many findings at once, as columns (``COLUMNS``; missing text columns are blank, ``row`` may be)."""
        if len(frame):
            self._segments.append(_columns(frame))

    def _tail(self) -> list[Finding]:
        if not self._segments or not isinstance(self._segments[-1], list):
            self._segments.append([])
        return self._segments[-1]

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
        self._tail().append(Finding(severity, code, file, None if row is None or pd.isna(row) else int(row), column,
                                    show(value), message, suggestion))

    def error(self, code: str, message: str, **where) -> None:
        self.add(ERROR, code, message, **where)

    def warning(self, code: str, message: str, **where) -> None:
        self.add(WARNING, code, message, **where)

    def info(self, code: str, message: str, **where) -> None:
        self.add(INFO, code, message, **where)

    def extend(self, other: Findings | list[Finding]) -> None:
        if isinstance(other, Findings):
            for segment in other._segments:
                if isinstance(segment, list):
                    self._tail().extend(segment)
                else:
                    self._segments.append(segment)
        else:
            self._tail().extend(other)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity == ERROR]

    def raise_errors(self) -> None:
        if self.errors:
            raise InputError(self.errors)

    def counts(self) -> dict[str, int]:
        """How many findings of each severity (``SEVERITIES`` order), without building objects."""
        out = dict.fromkeys(SEVERITIES, 0)
        for segment in self._built():
            if isinstance(segment, list):
                for f in segment:
                    out[f.severity] += 1
            else:
                for severity, n in segment["severity"].value_counts().items():
                    out[severity] += int(n)
        return out

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        parts = [_frame_of(s) if isinstance(s, list) else s for s in self._built()]
        parts = [p for p in parts if len(p)]
        if not parts:
            return _frame_of([])
        frame = parts[0].copy() if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        return frame.astype({c: "Int64" if c == "row" else "str" for c in COLUMNS})

    def __len__(self) -> int:
        return sum(len(s) for s in self._segments)


class _Deferred:
    """``count`` findings and the builder that makes them (run once, even when shared by ``extend``)."""

    def __init__(self, count: int, build: Callable[[], list[Finding] | pd.DataFrame]):
        self.count, self._build = count, build
        self._built: list[Finding] | pd.DataFrame | None = None

    def __len__(self) -> int:
        return self.count

    def build(self) -> list[Finding] | pd.DataFrame:
        if self._built is None:
            chunk = self._build()
            if len(chunk) != self.count:
                raise RuntimeError(f"deferred findings: {len(chunk)} built, {self.count} announced")
            self._built = list(chunk) if isinstance(chunk, list) else _columns(chunk)
        return list(self._built) if isinstance(self._built, list) else self._built


def _columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A block of findings in ``COLUMNS`` order: text blank where missing, ``row`` nullable integers."""
    import pandas as pd

    unknown = set(frame["severity"]) - set(SEVERITIES)
    if unknown:
        raise ValueError(sorted(unknown))
    out = pd.DataFrame(index=range(len(frame)))
    for col in COLUMNS:
        values = frame[col].to_numpy() if col in frame else None
        if col == "row":
            out[col] = pd.array([None] * len(frame) if values is None else values, dtype="Int64")
        else:
            out[col] = pd.Series("" if values is None else values, index=out.index, dtype=object).fillna("")
    return out


def _frame_of(findings: list[Finding]) -> pd.DataFrame:
    import pandas as pd

    records = [(f.severity, f.file, f.row, f.column, f.message, f.code, f.value, f.suggestion) for f in findings]
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _objects(frame: pd.DataFrame) -> list[Finding]:
    rows = [None if pd_na else int(r) for r, pd_na in zip(frame["row"].tolist(), frame["row"].isna().tolist(),
                                                           strict=True)]
    return [Finding(severity, code, file, row, column, str(value), str(message), str(suggestion))
            for severity, file, row, column, message, code, value, suggestion in
            zip(frame["severity"].tolist(), frame["file"].tolist(), rows, frame["column"].tolist(),
                frame["message"].tolist(), frame["code"].tolist(), frame["value"].tolist(),
                frame["suggestion"].tolist(), strict=True)]
