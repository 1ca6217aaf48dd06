"""The trend's and the year's tables as the notebook shows them: Vietnamese headers, level names, numbers
with a decimal comma (``charts.vi_table``)."""

from __future__ import annotations

import pandas as pd

from tthc.report.charts import vi_table
from tthc.run.trend import outputs
from tthc.run.trend.series import ALL_LEVELS, Trend
from tthc.run.trend.yearly import ANNUAL_HEADERS


def _numeric(frame: pd.DataFrame, columns) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = pd.to_numeric(out[col].replace("", None))
    return out


def _places(trend: Trend) -> int:
    return max((qg.places for qg in trend.quarters), default=1)


def sources(trend: Trend):
    frame = trend.sources.assign(status=trend.sources["status"].map(lambda s: outputs.STATUS_VI.get(s, s)))
    return frame.drop(columns=["policies"]).rename(columns=outputs.SOURCE_HEADERS)


def by_unit(trend: Trend):
    """A unit per row, per quarter its total, result and rank (a dark column at a break in the workbook)."""
    frame, headers, formats, separators = outputs.wide(trend)
    frame = _numeric(frame.drop(columns=list(separators)), formats)
    return vi_table(frame.rename(columns=headers), precision=_places(trend))


def changes(trend: Trend):
    names = outputs.level_names(trend)
    frame = trend.units.assign(level=trend.units["level"].map(lambda c: names.get(c, c)))
    frame = _numeric(frame[["quarter", "unit_name", "level", "total", "result", "rank", "compared_with",
                            "total_change", "rank_change", "band_change", "note"]],
                     ["total", "rank", "total_change", "rank_change", "band_change"])
    return vi_table(frame.rename(columns=outputs.UNIT_HEADERS), precision=_places(trend))


def falls(trend: Trend):
    names = outputs.level_names(trend)
    frame = trend.falls.assign(level=trend.falls["level"].map(lambda c: names.get(c, c)))
    frame = _numeric(frame, ["bands", "total_before", "total"])
    return vi_table(frame.rename(columns=outputs.FALL_HEADERS), precision=_places(trend))


def means(trend: Trend, level: str = ALL_LEVELS):
    """Score column × quarter: the mean over the units graded at ``level`` (all levels by default)."""
    rows = trend.averages[trend.averages["level"] == level]
    frame = rows.assign(mean=pd.to_numeric(rows["mean"].replace("", None)),
                        column=rows["column"].map(lambda c: trend.labels.get(c, c)))
    table = frame.pivot(index="column", columns="quarter", values="mean")
    table = table.reindex(list(dict.fromkeys(frame["column"])))
    table.index.name, table.columns.name = "Chỉ số / nhóm", "Quý"
    return vi_table(table, precision=_places(trend))


def annual(year) -> object:
    names = outputs.level_names(year.trend)
    frame = year.table[[c for c in ANNUAL_HEADERS if c != "rule_set"]]
    frame = frame.assign(level=frame["level"].map(lambda c: names.get(c, c)))
    frame = _numeric(frame, ["dossiers", "quarters_graded", "total", "rank"])
    places = max((s.places for s in year.segments), default=1)
    return vi_table(frame.rename(columns=ANNUAL_HEADERS), precision=places)
