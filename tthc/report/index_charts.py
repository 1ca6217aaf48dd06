"""Figures of a quarter graded on the NĐ 118/2025 service index, drawn from its output tables (``grades.csv``,
``components.csv``, ``citizens.csv``) and the rule set its manifest names.

- ``phan_loai_theo_cap``: units per band in each tier (the province's own row left out);
- ``nhom_theo_don_vi``: each unit's six group points stacked up to its index, ranked within its tier, over the
  band cut-offs;
- ``chi_tieu_theo_don_vi``: unit × component, each cell the share of the component's maximum it scored (blank:
  left out of the index);
- ``cong_va_tinh_lai``: where the portal's points and the workbench's recomputation differ, side by side;
- ``hai_long_theo_kenh``: citizens' forms by answer, per tier and channel (beside the index, not in it).

Same conventions as ``tthc.report.charts``: plain Agg figures, DejaVu Sans, Vietnamese numbers, and the same PNG
bytes for the same tables (``charts.png_bytes``: no timestamp, no version in the metadata).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from tthc.report.charts import _empty, _new_figure, grade_distribution, satisfaction_by_channel, style, vi_number

FIGURES = ("phan_loai_theo_cap", "nhom_theo_don_vi", "chi_tieu_theo_don_vi", "cong_va_tinh_lai",
           "hai_long_theo_kenh")
TITLES = {
    "phan_loai_theo_cap": "Kết quả xếp loại theo cấp",
    "nhom_theo_don_vi": "Điểm từng nhóm tiêu chí của các đơn vị",
    "chi_tieu_theo_don_vi": "Tỷ lệ điểm đạt từng chỉ tiêu của các đơn vị",
    "cong_va_tinh_lai": "Điểm của Cổng Dịch vụ công quốc gia và điểm tính lại",
    "hai_long_theo_kenh": "Đánh giá của người dân, doanh nghiệp theo hình thức",
}
CAPTIONS = {
    "phan_loai_theo_cap": "Số đơn vị mỗi mức xếp loại trong từng cấp (dòng toàn tỉnh không tính). Các mức xếp loại "
                          "là thiết lập của hồ sơ cấu hình (chính sách index_bands).",
    "nhom_theo_don_vi": "Mỗi thanh là một đơn vị, theo thứ hạng trong cấp: điểm của sáu nhóm cộng lại thành chỉ số; "
                        "các đường đứt là ngưỡng các mức xếp loại.",
    "chi_tieu_theo_don_vi": "Mỗi hàng là một đơn vị, mỗi cột một chỉ tiêu; màu là điểm đạt so với điểm tối đa của chỉ "
                            "tiêu. Ô trắng: chỉ tiêu không tính vào chỉ số (không có số liệu hoặc không áp dụng).",
    "cong_va_tinh_lai": "Những chỉ tiêu mà điểm của Cổng khác điểm tính lại từ dữ liệu của tỉnh, chênh lệch lớn "
                        "nhất trước; chênh lệch lớn hơn ngưỡng đối chiếu là một phát hiện trong findings.csv.",
    "hai_long_theo_kenh": "Tỷ lệ phiếu theo mức độ hài lòng, theo cấp và hình thức đánh giá. Đánh giá của người dân "
                          "(NĐ 118/2025 Điều 33) được báo cáo bên cạnh Bộ chỉ số, không cộng vào điểm.",
}
CHANNELS = {"giay": "Phiếu giấy", "truc_tuyen": "Trực tuyến", "khong_ro": "Không rõ hình thức"}
GROUP_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf")
PORTAL_COLOUR, OWN_COLOUR = "#08519c", "#fdae6b"
#: How many (unit, component) pairs the portal figure shows at most.
MAX_PAIRS = 25


@dataclass(frozen=True)
class Labels:
    """What the figures name, from the rule set of the quarter's manifest."""

    levels: dict[str, str]  # tier code → name (the province's level last)
    province_level: str
    bands: list[tuple[float, str]]  # (lower bound, label), best first
    statuses: list[str]
    groups: list[tuple[str, str, str, float]]  # (code, column, name, max)
    components: list[tuple[str, str, str, float]]  # (code, group, name, max)
    threshold: float


def labels(out_dir: Path | str) -> Labels:
    from tthc.parameters.ruleset import load_ruleset

    manifest = json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8"))
    rules = load_ruleset(manifest["rule_set"].get("id") or manifest["rule_set"]["file"])
    levels = {code: level.name for code, level in rules.levels.items()}
    return Labels(
        levels, rules.province_level.code,
        [(float(b["min"]), str(b["label"])) for b in manifest.get("bands", [])],
        list(rules.statuses.values()),
        [(g.code, g.column, g.name, float(g.max)) for g in rules.groups],
        [(c.code, c.group, c.name, float(c.max)) for c in rules.components],
        float(rules.reconcile_threshold),
    )


def _table(out_dir: Path | str, name: str) -> pd.DataFrame:
    path = Path(out_dir) / name
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else pd.DataFrame()


def _numbers(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        if col in out:
            out[col] = pd.to_numeric(out[col].replace("", np.nan))
    return out


def _tiers(grades: pd.DataFrame, lab: Labels) -> list[tuple[str, pd.DataFrame]]:
    """The tiers present (the rule set's order, then others), each ranked units by rank then the others."""
    units = grades[grades["level"] != lab.province_level]
    codes = [c for c in lab.levels if c in set(units["level"])]
    codes += [c for c in dict.fromkeys(units["level"]) if c not in codes]
    out = []
    for code in codes:
        mine = units[units["level"] == code]
        out.append((code, pd.concat([mine[mine["rank"].notna()].sort_values("rank", kind="stable"),
                                     mine[mine["rank"].isna()]])))
    return out


def band_distribution(grades: pd.DataFrame, lab: Labels) -> Figure:
    units = grades[grades["level"] != lab.province_level]
    return grade_distribution(units, lab.levels, [label for _low, label in lab.bands], lab.statuses)


def group_points(grades: pd.DataFrame, lab: Labels) -> Figure:
    """Stacked group points per unit, one panel per tier, units by rank; the band cut-offs as dashed lines."""
    title = TITLES["nhom_theo_don_vi"]
    tiers = _tiers(grades, lab)
    with style():
        if not tiers:
            return _empty(_new_figure(7, 2.5), title, "Chưa có đơn vị nào trong grades.csv")
        heights = [max(len(units), 1) for _code, units in tiers]
        fig = _new_figure(9, 1.6 + 0.2 * sum(heights) + 0.5 * len(tiers))
        fig.suptitle(title, fontweight="bold")
        axes = fig.subplots(len(tiers), 1, squeeze=False, height_ratios=heights)[:, 0]
        for ax, (code, units) in zip(axes, tiers, strict=True):
            y = np.arange(len(units))
            left = np.zeros(len(units))
            for (gcode, column, name, _max), colour in zip(lab.groups, GROUP_COLOURS, strict=False):
                values = np.nan_to_num(units[column].to_numpy(dtype=float))
                ax.barh(y, values, left=left, color=colour, height=0.78, label=f"{gcode}. {name}")
                left += values
            for yi, total in zip(y, units["total"].to_numpy(dtype=float), strict=True):
                ax.text((0 if np.isnan(total) else total) + 0.6, yi, "–" if np.isnan(total) else vi_number(total, 2),
                        va="center", fontsize=6.5)
            for low, _label in lab.bands:
                if low > 0:
                    ax.axvline(low, color="#444444", linestyle="--", linewidth=0.7)
            ax.set_yticks(y, [n if pd.isna(r) else f"{int(r)}. {n}"
                              for r, n in zip(units["rank"], units["unit_name"], strict=True)], fontsize=6.5)
            ax.set_ylim(len(units) - 0.5, -0.5)
            ax.set_xlim(0, 108)
            ax.set_title(f"{lab.levels.get(code, code or 'Không rõ cấp')} ({len(units)} đơn vị)", loc="left",
                         fontsize=10)
        axes[-1].set_xlabel("Điểm (chỉ số tối đa 100; đường đứt: ngưỡng các mức xếp loại)")
        handles = [Patch(facecolor=c, label=f"Nhóm {g[0]}. {g[2]}") for g, c in zip(lab.groups, GROUP_COLOURS,
                                                                                    strict=False)]
        fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False, fontsize=7.5)
    return fig


def component_heatmap(grades: pd.DataFrame, components: pd.DataFrame, lab: Labels) -> Figure:
    """Share of each component's maximum scored by each unit (the province first); blank = left out."""
    title = TITLES["chi_tieu_theo_don_vi"]
    with style():
        if components.empty or grades.empty:
            return _empty(_new_figure(7, 2.5), title, "Chưa có chỉ tiêu nào trong components.csv")
        province = grades[grades["level"] == lab.province_level]
        rows = pd.concat([province, *(units for _code, units in _tiers(grades, lab))])
        codes = [c[0] for c in lab.components]
        maxima = {c[0]: c[3] for c in lab.components}
        points = components.assign(points=pd.to_numeric(components["points"].replace("", np.nan)))
        grid = points.pivot_table(index="unit_id", columns="component", values="points", aggfunc="first")
        grid = grid.reindex(index=rows["unit_id"], columns=codes)
        share = grid.to_numpy(dtype=float) / np.array([maxima[c] for c in codes])
        fig = _new_figure(2.6 + 0.36 * len(codes) + 1.6, 1.5 + 0.16 * len(rows))
        ax = fig.add_subplot()
        cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#ffffff")
        image = ax.imshow(np.ma.masked_invalid(share), cmap=cmap, vmin=0, vmax=1, aspect="auto",
                          interpolation="nearest")
        ax.set_xticks(np.arange(len(codes)), codes, rotation=90, fontsize=7)
        ax.xaxis.tick_top()
        names = [f"{n} ({lab.levels.get(lv, 'Toàn tỉnh') if lv != lab.province_level else 'Toàn tỉnh'})"
                 for n, lv in zip(rows["unit_name"], rows["level"], strict=True)]
        ax.set_yticks(np.arange(len(rows)), names, fontsize=6)
        ax.tick_params(length=0)
        edges = [i for i in range(1, len(codes)) if lab.components[i][1] != lab.components[i - 1][1]]
        for x in edges:
            ax.axvline(x - 0.5, color="#333333", linewidth=0.8)
        breaks = np.cumsum([len(province), *(len(units) for _code, units in _tiers(grades, lab))])[:-1]
        for yb in breaks:
            ax.axhline(yb - 0.5, color="#333333", linewidth=0.8)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        bar = fig.colorbar(image, ax=ax, shrink=0.4, pad=0.02)
        bar.set_label("Điểm đạt / điểm tối đa")
        bar.set_ticks([0, 0.25, 0.5, 0.75, 1])
        bar.ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: f"{vi_number(100 * v, 0)}%"))
        ax.set_title(title)
        ax.set_xlabel("Ô trắng: chỉ tiêu không tính vào chỉ số (không có số liệu hoặc không áp dụng)", fontsize=7.5,
                      color="#555555")
    return fig


def portal_vs_recomputed(grades: pd.DataFrame, components: pd.DataFrame, lab: Labels) -> Figure:
    """The (unit, component) pairs whose portal points differ from the recomputed ones, largest first: the
    portal's bar beside the recomputation's (``portal - difference``)."""
    title = TITLES["cong_va_tinh_lai"]
    with style():
        if components.empty:
            return _empty(_new_figure(7, 2.5), title, "Chưa có chỉ tiêu nào trong components.csv")
        both = components[(components["portal_points"] != "") & (components["difference"] != "")].copy()
        if both.empty:
            return _empty(_new_figure(7, 2.5), title, "Không có điểm của Cổng Dịch vụ công quốc gia để đối chiếu")
        both["portal"] = both["portal_points"].astype(float)
        both["difference_value"] = both["difference"].astype(float)
        apart = both[both["difference_value"] != 0]
        over = int((both["difference_value"].abs() > lab.threshold + 1e-9).sum())
        summary = (f"{len(both)} chỉ tiêu có cả hai số; {len(apart)} khác nhau, {over} lệch quá "
                   f"{vi_number(lab.threshold, 1)} điểm")
        if apart.empty:
            return _empty(_new_figure(7, 2.5), title, f"Điểm của Cổng khớp với điểm tính lại ({summary})")
        order = {u: i for i, u in enumerate(grades["unit_id"])}
        apart = apart.assign(_size=-apart["difference_value"].abs(), _unit=apart["unit_id"].map(order))
        apart = apart.sort_values(["_size", "_unit", "component"], kind="stable").head(MAX_PAIRS)
        names = dict(zip(grades["unit_id"], grades["unit_name"], strict=True))
        fig = _new_figure(8, 1.6 + 0.42 * len(apart))
        ax = fig.add_subplot()
        y = np.arange(len(apart))
        h = 0.38
        portal = apart["portal"].to_numpy(float)
        own = portal - apart["difference_value"].to_numpy(float)
        ax.barh(y - h / 2, portal, h, color=PORTAL_COLOUR, label="Điểm của Cổng")
        ax.barh(y + h / 2, own, h, color=OWN_COLOUR, label="Điểm tính lại")
        for yi, a, b, d in zip(y, portal, own, apart["difference_value"], strict=True):
            ax.text(a + 0.05, yi - h / 2, vi_number(a, 2), va="center", fontsize=7)
            ax.text(b + 0.05, yi + h / 2, f"{vi_number(b, 2)} (chênh {'+' if d > 0 else ''}{vi_number(d, 2)})",
                    va="center", fontsize=7)
        ax.set_yticks(y, [f"{names.get(u, u)} – chỉ tiêu {c}" for u, c in zip(apart["unit_id"], apart["component"],
                                                                              strict=True)], fontsize=7.5)
        ax.invert_yaxis()
        ax.set_xlim(0, max(np.nanmax(np.concatenate([portal, own])), 1) * 1.35)
        ax.set_xlabel(f"Điểm ({summary})")
        fig.legend(loc="outside lower center", ncol=2, frameon=False)
        ax.set_title(title)
    return fig


def citizens_by_channel(citizens: pd.DataFrame, lab: Labels) -> Figure:
    fig = satisfaction_by_channel(citizens, lab.levels, CHANNELS)
    return fig


def build_all(out_dir: Path | str) -> dict[str, Figure]:
    """The figures of an index quarter's output folder, keyed by :data:`FIGURES` names."""
    lab = labels(out_dir)
    grades = _numbers(_table(out_dir, "grades.csv"), ["dossiers", "total", "rank", *(g[1] for g in lab.groups)])
    components = _table(out_dir, "components.csv")
    citizens = _table(out_dir, "citizens.csv")
    if citizens.empty:
        citizens = pd.DataFrame(columns=["level", "channel", "forms", "very_satisfied", "satisfied", "dissatisfied"])
    for col in ("forms", "very_satisfied", "satisfied", "dissatisfied"):
        citizens[col] = pd.to_numeric(citizens[col]).fillna(0).astype(int)
    return {
        "phan_loai_theo_cap": band_distribution(grades, lab),
        "nhom_theo_don_vi": group_points(grades, lab),
        "chi_tieu_theo_don_vi": component_heatmap(grades, components, lab),
        "cong_va_tinh_lai": portal_vs_recomputed(grades, components, lab),
        "hai_long_theo_kenh": citizens_by_channel(citizens, lab),
    }


def titles() -> Mapping[str, str]:
    return TITLES
