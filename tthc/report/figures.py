"""The figures of a quarter's output folder, whichever scheme graded it: their names (also the PNG file names
under ``charts/``), titles and captions, drawn (``build_all``), and shown on screen beside the report
(``charts_html``). TT 01/2018's figures are ``tthc.report.charts``, the index's ``tthc.report.index_charts``;
the output folder's ``manifest.json`` says which (``scheme``).
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from tthc.report import charts, index_charts
from tthc.report.context import figures_section
from tthc.report.index_inputs import scheme_of

INDEX = "nd118"
#: TT 01/2018's figures: title and caption, in the charts notebook's order.
TT01 = {
    "phan_loai_theo_cap": ("Kết quả phân loại đơn vị theo cấp", ""),
    "chi_so_theo_don_vi": ("Điểm từng chỉ số theo đơn vị",
                           "Mỗi hàng là một đơn vị đã được chấm, mỗi cột một chỉ số (tối đa 2 điểm). Ô \"–\" là chỉ "
                           "số không đủ thông tin, không tính vào tổng điểm (TT 01/2018 Điều 15 khoản 4 điểm b)."),
    "tu_cham_va_tham_dinh": ("Tổng điểm tự chấm và điểm thẩm định",
                             "Chênh lệch giữa điểm tự chấm và điểm thẩm định là một phát hiện cần giải trình."),
    "hai_long_theo_kenh": ("Mức độ hài lòng theo kênh lấy phiếu",
                           "Phiếu giấy (Mẫu phiếu 4) và trực tuyến (Mẫu phiếu 5)."),
}


def described(out_dir: Path | str) -> list[tuple[str, str, str]]:
    """``(name, title, caption)`` of each figure of the folder, in order."""
    if scheme_of(out_dir) == INDEX:
        return [(n, index_charts.TITLES[n], index_charts.CAPTIONS[n]) for n in index_charts.FIGURES]
    return [(n, *TT01[n]) for n in charts.FIGURES]


def build_all(out_dir: Path | str) -> dict[str, Figure]:
    """Every figure of the folder, keyed by name."""
    if scheme_of(out_dir) == INDEX:
        return index_charts.build_all(out_dir)
    return charts.build_all(out_dir)


def pngs(out_dir: Path | str) -> dict[str, bytes]:
    """The figures as PNG: those the charts stage saved (``charts/*.png``) when they are newer than the grades,
    otherwise drawn now from the same tables."""
    folder = Path(out_dir)
    saved = {name: folder / "charts" / f"{name}.png" for name, _t, _c in described(folder)}
    grades = folder / "grades.csv"
    if grades.is_file() and all(p.is_file() and p.stat().st_mtime >= grades.stat().st_mtime for p in saved.values()):
        return {name: path.read_bytes() for name, path in saved.items()}
    return {name: charts.png_bytes(fig) for name, fig in build_all(folder).items()}


def charts_html(out_dir: Path | str) -> str:
    """The figures as one self-contained HTML section (inline PNG), shown on screen only (the stylesheet hides
    ``tthc-screen-only`` in print)."""
    return figures_section(pngs(out_dir), {name: title for name, title, _c in described(out_dir)})
