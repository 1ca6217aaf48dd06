"""Figures from a graded quarter: Vietnamese labels, fonts that cover them, deterministic PNGs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from tthc.report import charts
from tthc.run.outputs import write_outputs
from tthc.schemes.tt01.engine import grade_quarter

FIXTURE = Path(__file__).parent / "fixtures" / "workbench-small"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("graded") / "2021-Q2"
    write_outputs(grade_quarter(FIXTURE, "2021-Q2"), out)
    return out


@pytest.fixture(scope="module")
def figures(out_dir):
    return charts.build_all(out_dir)


def texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))


def test_the_four_figures_in_order(figures):
    assert tuple(figures) == charts.FIGURES


def test_labels_are_vietnamese(figures):
    assert "Kết quả phân loại đơn vị theo cấp" in texts(figures["phan_loai_theo_cap"])
    grades = texts(figures["phan_loai_theo_cap"])
    assert "Cấp huyện (4 đơn vị)" in grades and "Chưa phát sinh hồ sơ" in grades
    heat = texts(figures["chi_so_theo_don_vi"])
    assert "Chỉ số 9" in heat and "UBND thị trấn Điện Biên Đông (Cấp xã)" in heat
    assert "1,5" in heat and "1.5" not in heat  # decimal comma
    pair = texts(figures["tu_cham_va_tham_dinh"])
    assert "Tự chấm" in pair and "Thẩm định" in pair and "chưa nộp" in pair
    sat = texts(figures["hai_long_theo_kenh"])
    assert "Phiếu giấy (Mẫu phiếu 4)" in sat and "Rất hài lòng" in sat and "Không hài lòng" in sat


def test_font_covers_every_character_drawn(figures):
    with charts.style():
        path = font_manager.findfont(
            font_manager.FontProperties(family=["sans-serif"]), fallback_to_default=False
        )
    font = FT2Font(path)
    assert Path(path).stem.replace("-", " ").startswith(("DejaVuSans", "LiberationSans", "DejaVu Sans"))
    charmap = font.get_charmap()
    drawn = set("".join(texts(f) for f in figures.values())) - set(" \n")
    missing = sorted(ch for ch in drawn if ord(ch) not in charmap)
    assert not missing
    assert {"ấ", "ệ", "ư", "Đ", "ỉ"} <= drawn


def test_pngs_are_deterministic(out_dir, figures, tmp_path):
    first = {name: charts.png_bytes(fig) for name, fig in figures.items()}
    assert all(data.startswith(PNG) for data in first.values())
    again = charts.build_all(out_dir)
    paths = charts.save_pngs(again, tmp_path / "charts")  # a new build, rendered through save_pngs
    assert [p.name for p in paths] == [f"{n}.png" for n in charts.FIGURES]
    assert {p.stem: p.read_bytes() for p in paths} == first
    assert charts.png_bytes(figures["chi_so_theo_don_vi"]) == first["chi_so_theo_don_vi"]  # re-rendered
    assert not list((tmp_path / "charts").glob(".*"))


def test_png_is_the_figure_laid_out_by_a_full_draw(out_dir):
    """``png_bytes`` lays the figure out without painting it (the PNG is painted once): the bytes are those
    of a figure laid out by a full draw, as before."""
    import io

    fresh = charts.build_all(out_dir)
    for name, fig in charts.build_all(out_dir).items():
        with charts.style():
            fig.canvas.draw()
            fig.set_layout_engine("none")
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", metadata=charts.PNG_METADATA)
        assert charts.png_bytes(fresh[name]) == buffer.getvalue(), name


def test_grade_order_and_colours_follow_the_rule_set(out_dir):
    levels, bands, statuses = charts.labels_from_manifest(out_dir)
    assert levels["huyen"] == "Cấp huyện"
    assert bands == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
    assert statuses == ["Chưa phát sinh hồ sơ", "Chưa thực hiện chấm điểm"]
    fig = charts.grade_distribution(charts.read_grades(out_dir), levels, bands, statuses)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["Xuất sắc", "Tốt", "Khá", "Chưa phát sinh hồ sơ", "Chưa thực hiện chấm điểm"]
    colours = charts.result_colours(labels, bands, statuses)
    assert colours["Chưa phát sinh hồ sơ"] in charts.STATUS_COLOURS
    assert colours["Xuất sắc"] != colours["Khá"]


def test_empty_tables_give_a_figure_with_a_message():
    empty_sat = pd.DataFrame(
        columns=[
            "unit_id",
            "unit_name",
            "level",
            "channel",
            "forms",
            "very_satisfied",
            "satisfied",
            "dissatisfied",
        ]
    )
    assert "Không có phiếu khảo sát trong kỳ" in texts(charts.satisfaction_by_channel(empty_sat))
    grades = pd.DataFrame(
        {
            "unit_id": ["A"],
            "unit_name": ["Phòng A"],
            "level": ["huyen"],
            "dossiers": [0],
            "i1": [float("nan")],
            "total": [float("nan")],
            "self_total": [float("nan")],
            "result": ["Chưa phát sinh hồ sơ"],
        }
    )
    assert "Chưa có đơn vị nào được chấm điểm" in texts(charts.indicator_heatmap(grades))
    assert "Chưa có đơn vị nào có điểm" in texts(charts.self_vs_appraised(grades))
    assert charts.png_bytes(charts.grade_distribution(grades)).startswith(PNG)


def test_vietnamese_numbers():
    assert charts.vi_number(17.5) == "17,5"
    assert charts.vi_number(1234.5) == "1.234,5"
    assert charts.vi_number(12, 0) == "12"
