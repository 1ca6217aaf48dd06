"""Which dossiers are scored this period (DOMAIN: Population), with a finding for each one left out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from .findings import Finding, Findings
from .reading import ROW

FILE = "_file"

RESOLVED_IN_PERIOD = "resolved_in_period"
RESOLVED_OR_OVERDUE = "resolved_or_overdue"


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
    return dossiers.assign(**{col.replace("_at", "_day"): pd.to_datetime(dossiers[col]).dt.normalize()
                              for col in ("received_at", "due_at", "finished_at")})


def overdue_open(days: pd.DataFrame, period: Period) -> pd.Series:
    """Still open at the period's end (no result, or a result only after it) and already past due then
    (due day before the last day)."""
    return (
        (days["finished_day"].isna() | (days["finished_day"] > period.end_ts))
        & (days["received_day"] <= period.end_ts)
        & (days["due_day"] < period.end_ts)
    )


def select_population(
    dossiers: pd.DataFrame, period: Period, policy: str, findings: Findings, column: str = "finished_at"
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The population under the ``population`` policy; every other row gets a finding with its reason.

    Returns the population (with ``open_overdue`` marking dossiers scored late while still open) and the
    count of rows left out per reason, for the row accounting. ``column`` names the finish date's column as
    the analyst's file writes it, for the findings.
    """
    days = add_day_columns(dossiers)
    finished = days["finished_day"].notna()
    in_period = finished & days["finished_day"].between(period.start_ts, period.end_ts)
    overdue = overdue_open(days, period)
    keep = in_period | (overdue if policy == RESOLVED_OR_OVERDUE else False)
    days = days.assign(open_overdue=overdue & keep)
    excluded: dict[str, int] = {}

    def note(mask: pd.Series, severity: str, code: str, reason: str, message) -> None:
        """One finding per row left out, built column-wise (there may be many)."""
        if not mask.any():
            return
        excluded[reason] = int(mask.sum())
        sub = days.loc[mask, ["dossier_id", "finished_day", "due_day", FILE, ROW]]
        texts = message(sub["dossier_id"].astype(str), _fmt(sub["finished_day"]), _fmt(sub["due_day"]))
        findings.extend([Finding(severity, code, f, int(r), column, v, m) for f, r, v, m in
                         zip(sub[FILE], sub[ROW], _fmt(sub["finished_day"]), texts, strict=True)])

    before = finished & (days["finished_day"] < period.start_ts)
    after = finished & (days["finished_day"] > period.end_ts) & ~keep
    note(before, "info", "outside_period", "giải quyết trước kỳ",
         lambda d, fin, due: "Hồ sơ " + d + " có kết quả ngày " + fin + f", trước kỳ {period.label()}; "
                             "không thuộc kỳ này.")
    note(after, "info", "outside_period", "giải quyết sau kỳ",
         lambda d, fin, due: "Hồ sơ " + d + " có kết quả ngày " + fin + f", sau kỳ {period.label()}; "
                             "không thuộc kỳ này.")
    open_rows = ~finished & ~keep
    note(open_rows & overdue, "warning", "open_overdue", "chưa giải quyết, đã quá hạn",
         lambda d, fin, due: "Hồ sơ " + d + " chưa có kết quả, hẹn trả " + due + " đã quá hạn cuối kỳ; "
                             f"không chấm theo chính sách population={policy}.")
    note(open_rows & ~overdue, "info", "open", "chưa giải quyết, chưa đến hạn",
         lambda d, fin, due: "Hồ sơ " + d + " chưa có kết quả và chưa quá hạn ở cuối kỳ; không chấm trong kỳ này.")
    population = days if bool(keep.all()) else days[keep]
    return population.reset_index(drop=True), excluded


def _fmt(values: pd.Series) -> pd.Series:
    """dd/mm/yyyy, blank where there is no date."""
    return pd.to_datetime(values).dt.strftime("%d/%m/%Y").fillna("")
