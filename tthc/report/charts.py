"""Figures of a graded quarter, drawn from the output tables (``grades.csv``, ``satisfaction.csv``).

Every figure is a plain :class:`matplotlib.figure.Figure` on the Agg canvas: no pyplot state, no display
needed, the same bytes for the same tables. Labels are Vietnamese and use DejaVu Sans (bundled with
matplotlib, full Vietnamese coverage) or Liberation Sans. Numbers are written the Vietnamese way (``1,5``)
through Babel.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from babel.numbers import format_decimal
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

LOCALE = "vi_VN"
FONTS = ["DejaVu Sans", "Liberation Sans"]
DPI = 110
#: PNG metadata left out so that the same figure gives the same bytes.
PNG_METADATA = {"Software": None}

CHANNELS = {"giay": "Phiếu giấy (Mẫu phiếu 4)", "truc_tuyen": "Trực tuyến (Mẫu phiếu 5)"}
#: How dossiers were submitted (``dossiers.channel``), for tables.
DOSSIER_CHANNELS = {"truc_tiep": "Trực tiếp", "truc_tuyen": "Trực tuyến", "bcci": "Bưu chính công ích"}
SATISFACTION = (
    ("very_satisfied", "Rất hài lòng", "#1a9850"),
    ("satisfied", "Hài lòng", "#91cf60"),
    ("dissatisfied", "Không hài lòng", "#d73027"),
)
#: Grade bands run from green (best) to red; statuses that are not grades are grey.
BAND_COLOURMAP = "RdYlGn_r"
STATUS_COLOURS = ("#bdbdbd", "#878787", "#5a5a5a")
SELF_COLOUR, APPRAISED_COLOUR = "#9ecae1", "#08519c"

#: Names of the figures, in the order the charts notebook shows them (also the PNG file names).
FIGURES = ("phan_loai_theo_cap", "chi_so_theo_don_vi", "tu_cham_va_tham_dinh", "hai_long_theo_kenh")


# --- style and numbers ---------------------------------------------------------------------------------


@contextmanager
def style():
    """Fonts and sizes for every figure (applies while a figure is built and while it is rendered)."""
    with matplotlib.rc_context(
        {
            "font.family": "sans-serif",
            "font.sans-serif": FONTS,
            "font.size": 9,
            "axes.titlesize": 11,
            "axes.titleweight": "bold",
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "svg.hashsalt": "tthc",
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        yield


def vi_number(value: float, decimals: int = 1) -> str:
    """``1.5`` → ``1,5`` (Vietnamese decimal comma)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(round(float(value), decimals), format=pattern, locale=LOCALE)


def vi_table(frame: pd.DataFrame, precision: int = 1):
    """A table for the notebooks: decimals with a comma, thousands with a dot, blanks left blank."""
    return frame.style.format(precision=precision, decimal=",", thousands=".", na_rep="")


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _empty(fig: Figure, title: str, message: str) -> Figure:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555555")
    return fig


# --- reading the output folder -------------------------------------------------------------------------


def read_grades(out_dir: Path | str) -> pd.DataFrame:
    """``grades.csv`` with ids and names as text and scores as numbers (blank → NaN)."""
    frame = pd.read_csv(Path(out_dir) / "grades.csv", dtype=str, keep_default_na=False)
    for col in frame.columns:
        if col in ("total", "self_total", "dossiers") or _is_indicator(col):
            frame[col] = pd.to_numeric(frame[col].replace("", np.nan))
    return frame


def read_satisfaction(out_dir: Path | str) -> pd.DataFrame:
    path = Path(out_dir) / "satisfaction.csv"
    columns = ["unit_id", "unit_name", "level", "channel", "forms", *(c for c, _, _ in SATISFACTION)]
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    frame = pd.read_csv(
        path, dtype={"unit_id": str, "unit_name": str, "level": str, "channel": str}, keep_default_na=False
    )
    for col in ("forms", *(c for c, _, _ in SATISFACTION)):
        frame[col] = pd.to_numeric(frame[col]).fillna(0).astype(int)
    return frame


def labels_from_manifest(out_dir: Path | str) -> tuple[dict[str, str], list[str], list[str]]:
    """From the rule set the quarter used: level names (``huyen`` → ``Cấp huyện``), the grade bands
    (best first) and the statuses that are not grades."""
    from tthc.parameters.ruleset import load_ruleset

    try:
        info = json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8"))["rule_set"]
        rules = load_ruleset(info.get("id") or info["file"])
    except (OSError, KeyError, ValueError):
        return {}, [], []
    levels = {code: level.name for code, level in rules.levels.items()}
    return levels, [band.label for band in rules.unit_grading.bands], list(rules.statuses.values())


def result_colours(results: Iterable[str], bands: Iterable[str] = (), statuses: Iterable[str] = ()) -> dict:
    """A colour per result: bands from green to red in their order, statuses and unknown labels grey."""
    bands, statuses = list(bands), list(statuses)
    cmap = matplotlib.colormaps[BAND_COLOURMAP]
    colours = {b: cmap(0.1 + 0.8 * i / max(len(bands) - 1, 1)) for i, b in enumerate(bands)}
    others = [r for r in dict.fromkeys([*statuses, *results]) if r not in colours]
    colours.update({r: STATUS_COLOURS[min(i, len(STATUS_COLOURS) - 1)] for i, r in enumerate(others)})
    return colours


def _is_indicator(col: str) -> bool:
    return len(col) > 1 and col[0] == "i" and col[1:].isdigit()


def indicator_columns(frame: pd.DataFrame) -> list[str]:
    return sorted((c for c in frame.columns if _is_indicator(c)), key=lambda c: int(c[1:]))


def _level_order(levels: Iterable[str], names: Mapping[str, str]) -> list[str]:
    seen = list(dict.fromkeys(levels))
    known = [code for code in names if code in seen]
    return known + [code for code in seen if code not in known]


def _unit_label(row: pd.Series) -> str:
    return str(row["unit_name"] or row["unit_id"])


# --- figures -------------------------------------------------------------------------------------------


def grade_distribution(
    grades: pd.DataFrame,
    level_names: Mapping[str, str] | None = None,
    bands: Iterable[str] = (),
    statuses: Iterable[str] = (),
) -> Figure:
    """How many units got each result, one panel per level (bands best first, then statuses)."""
    bands, statuses = list(bands), list(statuses)
    level_names = dict(level_names or {})
    title = "Kết quả phân loại đơn vị theo cấp"
    with style():
        if grades.empty:
            return _empty(_new_figure(7, 2.5), title, "Chưa có đơn vị nào trong grades.csv")
        levels = _level_order(grades["level"], level_names)
        order = [r for r in [*bands, *statuses] if r in set(grades["result"])]
        order += [r for r in dict.fromkeys(grades["result"]) if r not in order]
        colours = result_colours(order, bands, statuses)
        fig = _new_figure(7.5, 0.9 + 0.38 * len(order) * len(levels))
        fig.suptitle(title, fontweight="bold")
        axes = fig.subplots(len(levels), 1, squeeze=False, sharex=True)[:, 0]
        top = int(grades.groupby("level")["result"].value_counts().max())
        for ax, level in zip(axes, levels, strict=True):
            counts = grades.loc[grades["level"] == level, "result"].value_counts()
            values = [int(counts.get(r, 0)) for r in order]
            y = np.arange(len(order))
            ax.barh(y, values, color=[colours[r] for r in order], edgecolor="#333333", linewidth=0.4)
            ax.set_yticks(y, order)
            ax.invert_yaxis()
            ax.set_title(
                f"{level_names.get(level, level or 'Không rõ cấp')} ({sum(values)} đơn vị)",
                loc="left",
                fontsize=10,
            )
            for yi, v in zip(y, values, strict=True):
                if v:
                    ax.text(v + top * 0.01, yi, f"{v:02d}", va="center", fontsize=8)
            ax.set_xlim(0, top * 1.12 + 0.5)
            ax.xaxis.get_major_locator().set_params(integer=True)
        axes[-1].set_xlabel("Số đơn vị")
    return fig


def indicator_heatmap(
    grades: pd.DataFrame, level_names: Mapping[str, str] | None = None, max_points: float = 2.0
) -> Figure:
    """Appraised points of each unit (rows) on each indicator (columns); blank = left out of the total."""
    level_names = dict(level_names or {})
    title = "Điểm thẩm định từng chỉ số theo đơn vị"
    cols = indicator_columns(grades)
    scored = grades[grades[cols].notna().any(axis=1)] if cols else grades.iloc[0:0]
    with style():
        if scored.empty:
            return _empty(_new_figure(7, 2.5), title, "Chưa có đơn vị nào được chấm điểm")
        levels = _level_order(scored["level"], level_names)
        scored = pd.concat([scored[scored["level"] == lv] for lv in levels])
        values = scored[cols].to_numpy(dtype=float)
        fig = _new_figure(1.9 + 0.62 * len(cols) + 2.2, 1.3 + 0.3 * len(scored))
        ax = fig.add_subplot()
        cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#eeeeee")
        image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=max_points, aspect="auto")
        ax.set_xticks(np.arange(len(cols)), [f"Chỉ số {c[1:]}" for c in cols], rotation=45, ha="right")
        ax.set_yticks(
            np.arange(len(scored)),
            [f"{_unit_label(r)} ({level_names.get(r['level'], r['level'])})" for _, r in scored.iterrows()],
        )
        ax.tick_params(length=0)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        for (r, c), v in np.ndenumerate(values):
            text = "–" if np.isnan(v) else vi_number(v)
            colour = (
                "white" if not np.isnan(v) and (v < 0.25 * max_points or v > 0.85 * max_points) else "black"
            )
            ax.text(c, r, text, ha="center", va="center", fontsize=7.5, color=colour)
        bar = fig.colorbar(image, ax=ax, shrink=0.6, pad=0.02)
        bar.set_label("Điểm (tối đa mỗi chỉ số)")
        bar.set_ticks(np.linspace(0, max_points, 5))
        tick = matplotlib.ticker.FuncFormatter(lambda v, _p: vi_number(v, 2 if v % 0.5 else 1))
        bar.ax.yaxis.set_major_formatter(tick)
        ax.set_title(title)
        ax.set_xlabel(
            "Ô '–': chỉ số không đủ thông tin, không tính vào tổng điểm", fontsize=8, color="#555555"
        )
    return fig


def self_vs_appraised(grades: pd.DataFrame, level_names: Mapping[str, str] | None = None) -> Figure:
    """Each unit's self-assessed total beside its appraised total."""
    level_names = dict(level_names or {})
    title = "Tổng điểm tự chấm và điểm thẩm định"
    rows = grades[grades["total"].notna() | grades["self_total"].notna()]
    with style():
        if rows.empty:
            return _empty(_new_figure(7, 2.5), title, "Chưa có đơn vị nào có điểm")
        levels = _level_order(rows["level"], level_names)
        rows = pd.concat([rows[rows["level"] == lv] for lv in levels])
        fig = _new_figure(8, 1.3 + 0.38 * len(rows))
        ax = fig.add_subplot()
        y = np.arange(len(rows))
        h = 0.38
        own, appraised = rows["self_total"].to_numpy(float), rows["total"].to_numpy(float)
        ax.barh(y - h / 2, np.nan_to_num(own), h, color=SELF_COLOUR, label="Tự chấm")
        ax.barh(y + h / 2, np.nan_to_num(appraised), h, color=APPRAISED_COLOUR, label="Thẩm định")
        for yi, a, b in zip(y, own, appraised, strict=True):
            ax.text(
                (0 if np.isnan(a) else a) + 0.15,
                yi - h / 2,
                "chưa nộp" if np.isnan(a) else vi_number(a),
                va="center",
                fontsize=7,
            )
            ax.text(
                (0 if np.isnan(b) else b) + 0.15,
                yi + h / 2,
                "–" if np.isnan(b) else vi_number(b),
                va="center",
                fontsize=7,
            )
        ax.set_yticks(
            y, [f"{_unit_label(r)} ({level_names.get(r['level'], r['level'])})" for _, r in rows.iterrows()]
        )
        ax.invert_yaxis()
        top = np.nanmax(np.concatenate([own, appraised, [0.0]]))
        ax.set_xlim(0, top * 1.12 + 1)
        ax.set_xlabel("Tổng điểm")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        fig.legend(loc="outside lower center", ncol=2, frameon=False)
        ax.set_title(title)
    return fig


def satisfaction_by_channel(
    satisfaction: pd.DataFrame, level_names: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
) -> Figure:
    """Shares of very satisfied / satisfied / dissatisfied forms per level and form channel (``channels``: the
    channels' names, by default TT 01/2018's Mẫu phiếu 4 and 5)."""
    level_names = dict(level_names or {})
    names = CHANNELS if channels is None else dict(channels)
    title = "Mức độ hài lòng theo kênh lấy phiếu"
    with style():
        if satisfaction.empty or int(satisfaction["forms"].sum()) == 0:
            return _empty(_new_figure(7, 2.5), title, "Không có phiếu khảo sát trong kỳ")
        cols = [c for c, _, _ in SATISFACTION]
        groups = satisfaction.groupby(["level", "channel"], sort=False)[["forms", *cols]].sum()
        levels = _level_order(satisfaction["level"], level_names)
        shown = [c for c in names if c in set(satisfaction["channel"])]
        shown += sorted(set(satisfaction["channel"]) - set(shown))
        keys = [(lv, ch) for lv in levels for ch in shown if (lv, ch) in groups.index]
        fig = _new_figure(8, 1.6 + 0.45 * len(keys))
        ax = fig.add_subplot()
        y = np.arange(len(keys))
        left = np.zeros(len(keys))
        for col, label, colour in SATISFACTION:
            counts = np.array([groups.loc[k, col] for k in keys], dtype=float)
            forms = np.array([groups.loc[k, "forms"] for k in keys], dtype=float)
            share = np.divide(100 * counts, forms, out=np.zeros_like(counts), where=forms > 0)
            ax.barh(y, share, left=left, color=colour, label=label, edgecolor="white", linewidth=0.5)
            for yi, lft, s in zip(y, left, share, strict=True):
                if s >= 6:
                    ax.text(lft + s / 2, yi, f"{vi_number(s)}%", ha="center", va="center", fontsize=7.5)
            left += share
        ax.set_yticks(
            y,
            [
                f"{level_names.get(lv, lv)} – {names.get(ch, ch)}\n"
                f"({format_decimal(int(groups.loc[(lv, ch), 'forms']), locale=LOCALE)} phiếu)"
                for lv, ch in keys
            ],
        )
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("Tỷ lệ phiếu (%)")
        fig.legend(loc="outside lower center", ncol=3, frameon=False)
        ax.set_title(title)
    return fig


# --- all figures, PNG ----------------------------------------------------------------------------------


def build_all(out_dir: Path | str) -> dict[str, Figure]:
    """The four figures of a quarter's output folder, keyed by :data:`FIGURES` names."""
    grades = read_grades(out_dir)
    levels, bands, statuses = labels_from_manifest(out_dir)
    return {
        "phan_loai_theo_cap": grade_distribution(grades, levels, bands, statuses),
        "chi_so_theo_don_vi": indicator_heatmap(grades, levels),
        "tu_cham_va_tham_dinh": self_vs_appraised(grades, levels),
        "hai_long_theo_kenh": satisfaction_by_channel(read_satisfaction(out_dir), levels),
    }


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG, without timestamps or version metadata (deterministic)."""
    buffer = io.BytesIO()
    with style():
        if fig.get_layout_engine() is not None:
            # Constrained layout moves things a little on every draw: lay out once, then freeze. The layout
            # pass measures the texts without painting any pixel (the PNG is painted once, by savefig).
            fig.draw_without_rendering()
            fig.set_layout_engine("none")
        fig.savefig(buffer, format="png", metadata=PNG_METADATA)
    return buffer.getvalue()


def save_pngs(figures: Mapping[str, Figure], folder: Path | str) -> list[Path]:
    """Write ``<folder>/<name>.png`` for each figure; returns the paths in order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures.items():
        path = folder / f"{name}.png"
        data = png_bytes(fig)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        paths.append(path)
    return paths
