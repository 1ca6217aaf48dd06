"""Which dossiers are scored this period (DOMAIN: Population), with a finding for each one left out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tthc.input.findings import Findings
from tthc.input.reading import ROW
from tthc.input.values import unreadable

FILE = "_file"

RESOLVED_IN_PERIOD = "resolved_in_period"
RESOLVED_OR_OVERDUE = "resolved_or_overdue"
#: Row accounting: a dossier whose finish date was written but cannot be read (its finding is the check's).
REASON_UNREADABLE_FINISH = "ngày có kết quả không đọc được"


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def start_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.start)

    @property
    def end_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.end)

    def label(self) -> str:
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


def add_day_columns(dossiers: pd.DataFrame) -> pd.DataFrame:
    """Calendar-day versions of the dates (times compare by day, DOMAIN reading notes); a shallow copy."""
    if "received_day" in dossiers.columns:
        return dossiers
    return dossiers.assign(**{col.replace("_at", "_day"): calendar_day(dossiers[col])
                              for col in ("received_at", "due_at", "finished_at")})


def calendar_day(values: pd.Series) -> pd.Series:
    """Midnight of each timestamp's day (local time as written), ``NaT`` kept."""
    if values.dtype.kind != "M":  # already datetimes: not copied
        values = pd.to_datetime(values)
    if getattr(values.dt, "tz", None) is not None:
        return values.dt.normalize()
    stamps = values.to_numpy()  # datetime64[ns] or [us]: floored to the day in integers, the unit kept
    ticks = stamps.view(np.int64)
    day = np.timedelta64(1, "D").astype(stamps.dtype.str.replace("M8", "m8")).view(np.int64)
    out = np.floor_divide(ticks, day)  # floors: days before 1970 too (by a scalar: numpy's fast division)
    out *= day
    nat = np.isnat(stamps)
    out[nat] = ticks[nat]
    return pd.Series(out.view(stamps.dtype), index=values.index, copy=False)


def overdue_open(days: pd.DataFrame, period: Period) -> pd.Series:
    """Still open at the period's end (no result, or a result only after it) and already past due then
    (due day before the last day). A dossier whose finish date is unreadable is not known to be open."""
    columns = [days[c] for c in ("finished_day", "received_day", "due_day")]
    if all(c.dtype.kind == "M" for c in columns):  # numpy datetimes: the same comparisons, in numpy (NaT: False)
        fin, received, due = (c.to_numpy() for c in columns)
        end = period.end_ts.to_datetime64()
        mask = (np.isnat(fin) | (fin > end)) & (received <= end) & (due < end) & ~unreadable(days, "finished_at")
        return pd.Series(mask, index=days.index, copy=False)
    return (
        (days["finished_day"].isna() | (days["finished_day"] > period.end_ts))
        & (days["received_day"] <= period.end_ts)
        & (days["due_day"] < period.end_ts)
        & ~unreadable(days, "finished_at")
    )


def population_rows(
    days: pd.DataFrame, period: Period, policy: str, findings: Findings, column: str = "finished_at",
    overdue: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Which rows of ``days`` (with ``add_day_columns``) the ``population`` policy scores; every other row
    gets a finding with its reason.

    Returns the rows kept, the kept rows scored late while still open (``open_overdue``), and the count of
    rows left out per reason, for the row accounting. ``column`` names the finish date's column as the
    analyst's file writes it, for the findings; ``overdue`` is ``overdue_open(days, period)`` if known.
    """
    finished = days["finished_day"].notna().to_numpy()
    fin = days["finished_day"].to_numpy()
    from_start, to_end = fin >= period.start_ts.to_datetime64(), fin <= period.end_ts.to_datetime64()
    in_period = finished & from_start & to_end
    if overdue is None:
        overdue = overdue_open(days, period).to_numpy(dtype=bool)
    unknown = unreadable(days, "finished_at")  # cannot be placed in or out of the period
    overdue = overdue & ~unknown
    keep = (in_period | (overdue if policy == RESOLVED_OR_OVERDUE else False)) & ~unknown
    excluded: dict[str, int] = {}
    if unknown.any():  # each has its warning from the checks (file, row, column, value)
        excluded[REASON_UNREADABLE_FINISH] = int(unknown.sum())

    def note(mask: np.ndarray, severity: str, code: str, reason: str, message) -> None:
        """One finding per row left out (there may be many: built column-wise, when first read)."""
        count = int(mask.sum())
        if not count:
            return
        excluded[reason] = count

        def build() -> pd.DataFrame:  # held as columns (Findings), not one object per row
            sub = days.loc[mask, ["dossier_id", "finished_day", "due_day", FILE, ROW]]
            finished_text = _fmt(sub["finished_day"])
            texts = message(sub["dossier_id"].astype(str), finished_text, _fmt(sub["due_day"]))
            return pd.DataFrame({"severity": severity, "code": code, "file": sub[FILE].to_numpy(),
                                 "row": sub[ROW].to_numpy(), "column": column,
                                 "value": finished_text.to_numpy(), "message": texts.to_numpy()})

        findings.defer(count, build)

    before = finished & ~from_start  # a finish date (not NaT) that is not on or after the start
    after = finished & ~to_end & ~keep
    note(before, "info", "outside_period", "giải quyết trước kỳ",
         lambda d, fin, due: "Hồ sơ " + d + " có kết quả ngày " + fin + f", trước kỳ {period.label()}; "
                             "không thuộc kỳ này.")
    note(after, "info", "outside_period", "giải quyết sau kỳ",
         lambda d, fin, due: "Hồ sơ " + d + " có kết quả ngày " + fin + f", sau kỳ {period.label()}; "
                             "không thuộc kỳ này.")
    open_rows = ~finished & ~keep & ~unknown
    note(open_rows & overdue, "warning", "open_overdue", "chưa giải quyết, đã quá hạn",
         lambda d, fin, due: "Hồ sơ " + d + " chưa có kết quả, hẹn trả " + due + " đã quá hạn cuối kỳ; "
                             f"không chấm theo chính sách population={policy}.")
    note(open_rows & ~overdue, "info", "open", "chưa giải quyết, chưa đến hạn",
         lambda d, fin, due: "Hồ sơ " + d + " chưa có kết quả và chưa quá hạn ở cuối kỳ; không chấm trong kỳ này.")
    return keep, overdue & keep, excluded


def _fmt(values: pd.Series) -> pd.Series:
    """dd/mm/yyyy, blank where there is no date (each distinct day formatted once)."""
    days = pd.to_datetime(values)
    codes, uniques = pd.factorize(days)
    texts = np.append(pd.DatetimeIndex(uniques).strftime("%d/%m/%Y").to_numpy(dtype=object), "")
    return pd.Series(texts[codes], index=values.index, dtype=object)
