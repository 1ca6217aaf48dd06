"""Figures of a trend over quarters, drawn from the trend's tables (``trend.csv``'s rows, the level means).

- ``heatmap``: unit × quarter, each cell coloured by the unit's result that quarter and showing its total; a
  rule-set change between two quarters is a thick line marked "Đổi thang điểm" (the colours read as bands, the
  numbers on each side of the line on their own scale).
- ``small_multiples``: one small panel per unit, its total quarter after quarter over the band bounds; one
  figure per run of quarters under one rule set, so no line ever crosses a scale change.
- ``level_means``: the mean of each score column over the graded units, quarter after quarter (one figure per
  run of quarters under one rule set).

Same conventions as ``tthc.report.charts``: plain Agg figures, DejaVu Sans, Vietnamese numbers, the same bytes
for the same tables (``charts.png_bytes``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from babel.numbers import format_decimal
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from tthc.report.charts import LOCALE, _empty, _new_figure, _unit_label, result_colours, style, vi_number

BREAK_COLOUR = "#000000"
BREAK_TEXT = "Đổi thang điểm"
ABSENT = "#ffffff"


def _number(text: str) -> float:
    return float(text) if str(text).strip() else math.nan


def _places(values: pd.Series) -> int:
    tails = [len(t.partition(".")[2]) for t in values.astype(str) if t.strip()]
    return max(tails, default=1)


def _ordered_units(units: pd.DataFrame, level_names: Mapping[str, str]) -> pd.DataFrame:
    """One row per unit (latest name and level), levels in the rule set's order, units in the table's order."""
    latest = units.drop_duplicates("unit_id", keep="last").set_index("unit_id")
    order = list(dict.fromkeys(units["unit_id"]))
    levels = [lv for lv in level_names if lv in set(latest["level"])]
    levels += [lv for lv in dict.fromkeys(latest["level"]) if lv not in levels]
    rows = [uid for lv in levels for uid in order if latest.at[uid, "level"] == lv]
    return latest.loc[rows].reset_index()


def heatmap(units: pd.DataFrame, quarters: Sequence[str], level_names: Mapping[str, str] | None = None,
            bands: Sequence[str] = (), statuses: Sequence[str] = (), breaks: Sequence[str] = ()) -> Figure:
    """Each unit's result (colour) and total (text) per quarter; ``breaks``: quarters after a rule-set change."""
    level_names = dict(level_names or {})
    title = "Kết quả xếp loại từng đơn vị qua các quý"
    with style():
        if units.empty or not quarters:
            return _empty(_new_figure(7, 2.5), title, "Chưa có quý nào được chấm")
        rows = _ordered_units(units, level_names)
        colours = result_colours(list(dict.fromkeys(units["result"])), bands, statuses)
        cell = {(r["unit_id"], r["quarter"]): r for r in units.to_dict("records")}
        fig = _new_figure(3.6 + 1.05 * len(quarters), 1.6 + 0.27 * len(rows))
        ax = fig.add_subplot()
        for y, unit in enumerate(rows.to_dict("records")):
            for x, quarter in enumerate(quarters):
                found = cell.get((unit["unit_id"], quarter))
                colour = colours.get(found["result"], ABSENT) if found else ABSENT
                ax.add_patch(matplotlib.patches.Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=colour,
                                                          edgecolor="white", linewidth=1))
                if found:
                    value = _number(found["total"]) if found["band_order"] else math.nan
                    places = _places(pd.Series([found["total"]]))
                    text = "–" if math.isnan(value) else vi_number(value, places)
                    ax.text(x, y, text, ha="center", va="center", fontsize=7.5, color="#111111")
        marked = [q for q in breaks if q in quarters]
        for quarter in marked:  # the line across the grid, the words in a strip under it
            x = list(quarters).index(quarter) - 0.5
            ax.plot([x, x], [-0.5, len(rows) - 0.5], color=BREAK_COLOUR, linewidth=2.5, solid_capstyle="butt")
            ax.text(x, len(rows) - 0.35, BREAK_TEXT, ha="center", va="top", fontsize=8, fontweight="bold")
        ax.set_xlim(-0.5, len(quarters) - 0.5)
        ax.set_ylim(len(rows) - 0.5 + (0.8 if marked else 0), -0.5)
        ax.set_xticks(range(len(quarters)), [_quarter_label(q) for q in quarters])
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(rows)), [f"{_unit_label(r)} ({level_names.get(r['level'], r['level'])})"
                                         for _, r in rows.iterrows()])
        ax.tick_params(length=0)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        shown = [r for r in colours if r in set(units["result"])]
        handles = [Patch(facecolor=colours[r], edgecolor="#999999", label=r) for r in shown]
        fig.legend(handles=handles, loc="outside lower center", ncol=min(4, len(handles)), frameon=False,
                   fontsize=8)
        ax.set_title(title, pad=22)
    return fig


def _quarter_label(quarter: str) -> str:
    """``2021-Q3`` → ``Quý III/2021``."""
    year, _, number = str(quarter).partition("-Q")
    roman = {"1": "I", "2": "II", "3": "III", "4": "IV"}.get(number, number)
    return f"Quý {roman}/{year}"


def small_multiples(units: pd.DataFrame, quarters: Sequence[str], band_bounds: Sequence[tuple[str, float]],
                    scale_max: float, level_names: Mapping[str, str] | None = None, bands: Sequence[str] = (),
                    title: str = "Tổng điểm từng đơn vị qua các quý") -> Figure:
    """A panel per unit graded at least once in ``quarters`` (all under one rule set): its total per quarter
    over the band bounds (``(label, lower bound)``, best first)."""
    level_names = dict(level_names or {})
    mine = units[units["quarter"].isin(quarters)]
    graded = mine[mine["band_order"].astype(str).str.strip() != ""]
    with style():
        if graded.empty:
            return _empty(_new_figure(7, 2.5), title, "Chưa có đơn vị nào được xếp loại")
        rows = _ordered_units(mine[mine["unit_id"].isin(set(graded["unit_id"]))], level_names)
        ncols = min(5, len(rows))
        nrows = math.ceil(len(rows) / ncols)
        fig = _new_figure(2.3 * ncols + 0.4, 1.9 * nrows + 0.9)
        fig.suptitle(title, fontweight="bold")
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
        colours = result_colours([], bands, ())
        bounds = [float(b) for _label, b in band_bounds] + [0.0]
        x = np.arange(len(quarters))
        for k, ax in enumerate(axes.flat):
            if k >= len(rows):
                ax.set_axis_off()
                continue
            unit = rows.iloc[k]
            for (label, low), high in zip(band_bounds, [float(scale_max), *bounds[:-2]], strict=True):
                ax.axhspan(float(low), high, color=colours.get(label, "#eeeeee"), alpha=0.18, linewidth=0)
            series = mine[mine["unit_id"] == unit["unit_id"]].set_index("quarter")
            values = np.array([_number(series.at[q, "total"]) if q in series.index and
                               str(series.at[q, "band_order"]).strip() else math.nan for q in quarters])
            ax.plot(x, values, color="#08519c", marker="o", markersize=3.5, linewidth=1.4)
            last = next((i for i in range(len(values) - 1, -1, -1) if not math.isnan(values[i])), None)
            if last is not None:
                places = _places(series["total"])
                ax.annotate(vi_number(values[last], places), (x[last], values[last]), textcoords="offset points",
                            xytext=(0, 5), ha="center", fontsize=7)
            ax.set_title(textwrap.fill(_unit_label(unit), 30), fontsize=7.5, loc="left")
            ax.set_ylim(0, float(scale_max) * 1.05)
            ticks = sorted({*(float(low) for _label, low in band_bounds), float(scale_max)})
            ax.set_yticks(ticks, [format_decimal(t, format="#,##0.##", locale=LOCALE) for t in ticks])
            ax.set_xlim(-0.4, len(quarters) - 0.6)
            ax.set_xticks(x, [_quarter_label(q).replace("Quý ", "") for q in quarters], fontsize=7)
            ax.tick_params(labelsize=7)
        handles = [Patch(facecolor=colours.get(label, "#eeeeee"), alpha=0.35, label=label)
                   for label, _low in band_bounds]
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False, fontsize=8)
    return fig


def level_means(averages: pd.DataFrame, quarters: Sequence[str], labels: Mapping[str, str], level: str,
                maxima: Mapping[str, float], title: str = "Điểm trung bình từng chỉ số qua các quý") -> Figure:
    """The mean of each score column and of the total at ``level``, score column × quarter: the text is the
    mean, the colour its share of the column's maximum (``maxima``)."""
    rows = averages[(averages["quarter"].isin(quarters)) & (averages["level"] == level)]
    with style():
        if rows.empty or rows["mean"].astype(str).str.strip().eq("").all():
            return _empty(_new_figure(7, 2.5), title, "Chưa có đơn vị nào được xếp loại")
        columns = list(dict.fromkeys(rows["column"]))
        cell = {(r["column"], r["quarter"]): r for r in rows.to_dict("records")}
        fig = _new_figure(3.2 + 1.05 * len(quarters), 1.3 + 0.34 * len(columns))
        ax = fig.add_subplot()
        cmap = matplotlib.colormaps["RdYlGn"]
        for y, column in enumerate(columns):
            top = float(maxima.get(column) or 0)
            for x, quarter in enumerate(quarters):
                found = cell.get((column, quarter))
                value = _number(found["mean"]) if found else math.nan
                colour = ABSENT if math.isnan(value) or top <= 0 else cmap(min(1.0, value / top))
                ax.add_patch(matplotlib.patches.Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=colour,
                                                          edgecolor="white", linewidth=1))
                if not math.isnan(value):
                    ax.text(x, y, vi_number(value, _places(pd.Series([found["mean"]]))), ha="center",
                            va="center", fontsize=8, fontweight="bold" if column == "total" else "normal")
        ax.set_xlim(-0.5, len(quarters) - 0.5)
        ax.set_ylim(len(columns) - 0.5, -0.5)
        ax.set_xticks(range(len(quarters)), [_quarter_label(q) for q in quarters])
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(columns)), [labels.get(c, c) for c in columns])
        ax.tick_params(length=0)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(title, pad=10)
        ax.set_xlabel("Màu: điểm trung bình so với điểm tối đa (đỏ: thấp, xanh: cao); tính trên các đơn vị "
                      "được xếp loại", fontsize=7.5, color="#555555")
    return fig
