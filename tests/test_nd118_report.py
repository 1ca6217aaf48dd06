"""The report of a quarter graded on the NĐ 118/2025 index (tinh-mau 2026-Q3): its sentences against counts made
here from the output tables, the appendices, the bands' footnote, the synthetic data said, report.docx (real
tables on landscape sections), public.html, the charts (same bytes twice), the notebooks' views, the stage
functions under the index, verify; and a TT 01/2018 run forced on a quarter after its basis lapsed."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from tthc import PROJECT_ROOT
from tthc.cli import main as tthc_main
from tthc.notebooks import reuse
from tthc.report import charts, document, figures, index_charts, index_context, public_page, views
from tthc.report.inputs import ReportInputError
from tthc.run import pipeline
from tthc.run.grading import grade_run
from tthc.run.outputs import render
from tthc.run.verify import verify

QUARTER, PROFILE = "2026-Q3", "tinh-mau"
TIERS = {"tinh": "Cấp tỉnh", "xa": "Cấp xã"}
FIXTURE = Path(__file__).parent / "fixtures" / "workbench-small"


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def vi2(text: str) -> str:
    """``79.92`` → ``79,92`` (points as the report writes them, two decimals)."""
    whole, _, frac = f"{Decimal(text):.2f}".partition(".")
    return f"{int(whole):,}".replace(",", ".") + "," + frac


def vi_int(n: int) -> str:
    """``2589`` → ``2.589``."""
    return f"{n:,}".replace(",", ".")


def flat(html: str) -> str:
    text = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text).replace("&#39;", "'").replace("&amp;", "&")
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("nd118-report") / QUARTER
    assert tthc_main(["grade", "--quarter", QUARTER, "--profile", PROFILE, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def context(graded) -> dict:
    return document.build_context(graded, PROFILE, QUARTER)


@pytest.fixture(scope="module")
def report(graded):
    return document.build_report(QUARTER, PROFILE, out_dir=graded)


@pytest.fixture(scope="module")
def text(report) -> str:
    return flat(report.html)


# --- the body ---------------------------------------------------------------------------------------------


def test_band_counts_per_tier_as_the_seed_writes_them(graded, context, text):
    """Counted here from grades.csv: per tier, "03 đơn vị đạt loại Xuất sắc; …" in the bands' order."""
    grades = rows(graded / "grades.csv")
    bands = [b["label"] for b in json.loads((graded / "manifest.json").read_text(encoding="utf-8"))["bands"]]
    expected = []
    for level, name in TIERS.items():
        counts = Counter(r["result"] for r in grades if r["level"] == level)
        assert sum(counts.values()) == {"tinh": 20, "xa": 60}[level]
        parts = [f"{counts[b]:02d} đơn vị đạt loại {b}" for b in bands if counts[b]]
        expected.append(f"{name}: {'; '.join(parts)}.")
    assert context["results"]["units"]["sentences"] == expected
    for sentence in expected:
        assert f"- {sentence}" in text
    assert expected[0].startswith("Cấp tỉnh: 03 đơn vị đạt loại Xuất sắc; 12 đơn vị đạt loại Tốt")


def test_the_province_index_band_and_groups(graded, context, text):
    province = next(r for r in rows(graded / "grades.csv") if r["level"] == "toan_tinh")
    first = context["results"]["province"]["paragraphs"][0]
    assert f"đạt {vi2(province['total'])}/100 điểm, xếp loại {province['result']}(*)" in first
    assert province["unit_name"] in first and "minh họa" in province["unit_name"]
    groups = context["results"]["province"]["paragraphs"][1]
    for code, name, top in (("1", "Công khai, minh bạch", 18), ("6", "Mức độ hài lòng", 18)):
        assert f"{name} {vi2(province['g' + code])}/{top} điểm" in groups
    assert "lấy theo số liệu của Cổng Dịch vụ công quốc gia" in text  # every row's source is the portal here


def test_the_components_where_the_province_loses_most_and_the_units_that_lose_them(graded, context):
    comps = rows(graded / "components.csv")
    province = [c for c in comps if c["unit_id"] == "TINH" and c["points"]]
    lost = sorted(province, key=lambda c: -(Decimal(c["max"]) - Decimal(c["points"])))  # stable: rule order
    top = [c for c in lost if Decimal(c["max"]) > Decimal(c["points"])][:5]
    items = context["results"]["losses"]["items"]
    assert [re.match(r"- Chỉ tiêu (\S+)\. ", i).group(1) for i in items] == [c["component"] for c in top]
    first = top[0]
    assert f"mất {vi2(str(Decimal(first['max']) - Decimal(first['points'])))} điểm" in items[0]
    units = {r["unit_id"]: r["unit_name"] for r in rows(graded / "grades.csv")}
    mine = [c for c in comps if c["component"] == first["component"] and c["unit_id"] != "TINH" and c["points"]]
    worst = sorted(mine, key=lambda c: Decimal(c["points"]) - Decimal(c["max"]))[:3]  # stable: units' order
    named = ", ".join(f"{units[c['unit_id']]} (mất {vi2(str(Decimal(c['max']) - Decimal(c['points'])))} điểm)"
                      for c in worst)
    assert f"Các đơn vị mất nhiều điểm nhất: {named}." in items[0]


def test_citizens_beside_the_index_never_in_it(graded, context, text):
    citizens = rows(graded / "citizens.csv")
    total = sum(int(r["forms"]) for r in citizens)
    paper = sum(int(r["forms"]) for r in citizens if r["channel"] == "giay")
    happy = sum(int(r["very_satisfied"]) + int(r["satisfied"]) for r in citizens)
    units = len({r["unit_id"] for r in citizens if int(r["forms"])})
    paragraphs = context["results"]["citizens"]["paragraphs"]
    assert f"đã gửi {total} phiếu đánh giá" in paragraphs[0] and f"tại {units} cơ quan, đơn vị ({paper} phiếu giấy" \
        in paragraphs[0]
    share = Decimal(happy * 100) / Decimal(total)
    assert f"Có {str(share.quantize(Decimal('0.1'), 'ROUND_HALF_UP')).replace('.', ',')}% số phiếu hài lòng" \
        in paragraphs[1]
    assert "không cộng vào điểm của Bộ chỉ số" in paragraphs[-1]
    # Phụ lục II: each tier's sum row is the sum of citizens.csv for that tier
    for table in context["appendix"]["citizens_tables"]:
        forms = sum(int(r["forms"]) for r in citizens if r["level"] == table["level"])
        assert table["total"]["forms"] == vi_int(forms)
        assert len(table["rows"]) == sum(1 for r in rows(graded / "grades.csv") if r["level"] == table["level"])


def test_officials_have_no_points_only_their_figures(graded, context):
    officials = rows(graded / "officials.csv")
    paragraphs = context["results"]["officials"]["paragraphs"]
    assert "không được chấm điểm" in paragraphs[0]
    dossiers = sum(int(r["dossiers"]) for r in officials)
    on_time = sum(Decimal(r["on_time_share"]) == 1 for r in officials)
    assert f"{len(officials)} cán bộ, công chức, viên chức đã xử lý {vi_int(dossiers)} hồ sơ" in paragraphs[1]
    assert f"; {on_time} người giải quyết đúng hạn" in paragraphs[1]
    people = [r for r in officials if int(r["petitions_about_conduct"])]
    petitions = sum(int(r["petitions_about_conduct"]) for r in people)
    assert paragraphs[2].startswith(f"{len(people)} người có phản ánh") and f"({petitions} phản ánh)" in paragraphs[2]


def test_bands_footnoted_as_the_profiles_setting_and_the_data_said_to_be_synthetic(graded, context, text):
    assert "Các mức xếp loại là thiết lập của hồ sơ cấu hình (chính sách index_bands = default: Xuất sắc: từ 90 " \
           "điểm; Tốt: từ 80 đến dưới 90 điểm" in text
    assert "Yếu: dưới 50 điểm), không do Nghị định số 118/2025/NĐ-CP quy định" in text
    assert any("thiết lập của hồ sơ cấu hình" in line for line in context["appendix"]["basis"])
    profile = (PROJECT_ROOT / "parameters" / "profiles" / "tinh-mau.yaml").read_text(encoding="utf-8")
    assert "dữ liệu tổng hợp, minh họa" in profile
    assert "Dữ liệu tổng hợp, minh họa: tỉnh Mẫu là tỉnh giả lập" in text  # under the title and the appendix title
    assert text.count("Dữ liệu tổng hợp, minh họa: tỉnh Mẫu là tỉnh giả lập") == 2
    assert "(dữ liệu minh họa)" in context["html_title"]
    assert "tỉnh Mẫu là tỉnh giả lập" in context["public"]["intro"]


def test_legal_bases_are_parameters_the_analyst_confirms(context, report):
    for base in ("Nghị định số 118/2025/NĐ-CP", "Nghị định số 367/2025/NĐ-CP", "Quyết định số 766/QĐ-TTg",
                 "Thông tư số 03/2025/TT-VPCP"):
        assert base in context["legal_bases"]
    assert any("cần người phân tích xác nhận" in warning for warning in report.warnings)
    assert "cần người phân tích xác nhận" not in report.html  # a note for the log, not the document


def test_nd30_layout_and_the_quarter_file(context, report):
    assert context["place_date"] == "Mẫu, ngày \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0 tháng 10 năm 2026"
    assert 'class="tthc-heading"' in report.html and 'class="tthc-signing"' in report.html
    assert report.html.count('<section class="tthc-appendix') == 2  # Phụ lục I and II, on landscape pages


# --- the appendices ---------------------------------------------------------------------------------------


def test_appendix_ranks_every_tier_with_its_group_points(graded, context):
    grades = rows(graded / "grades.csv")
    tables = context["appendix"]["tables"]
    assert [t["name"] for t in tables] == ["Toàn tỉnh", "Cấp tỉnh", "Cấp xã"]
    province = next(r for r in grades if r["level"] == "toan_tinh")
    assert tables[0]["rows"][0]["total"] == vi2(province["total"]) and tables[0]["rows"][0]["rank"] == ""
    for table in tables[1:]:
        mine = [r for r in grades if r["level"] == table["level"]]
        assert len(table["rows"]) == len(mine)
        ranks = [int(r["rank_value"]) for r in table["rows"]]
        assert ranks == sorted(int(r["rank"]) for r in mine)
        by_name = {r["unit_name"]: r for r in mine}
        for row in table["rows"]:
            unit = by_name[row["unit_name"]]
            assert row["groups"] == [vi2(unit[f"g{i}"]) for i in range(1, 7)]
    assert context["appendix"]["group_labels"] == ["1 (18)", "2 (20)", "3 (12)", "4 (10)", "5 (22)", "6 (18)"]


def test_appendix_notes_name_the_portal_differences_above_the_threshold(graded, context):
    comps = rows(graded / "components.csv")
    apart = {(c["unit_id"], c["component"]) for c in comps if c["difference"] and abs(Decimal(c["difference"])) >
             Decimal("0.1")}
    assert apart == {("S03", "2.1"), ("X07", "3.3")}
    notes = {row["unit_name"]: row["note"] for t in context["appendix"]["tables"] for row in t["rows"]}
    assert notes["Sở Tư pháp"] == "Điểm của Cổng lệch với phần tính lại: chỉ tiêu 2.1 (+0,62 điểm)"
    assert "chỉ tiêu 3.3 (-1,00 điểm)" in notes["Xã Đồng Tâm"]
    assert "Có 2 chỉ tiêu mà điểm của Cổng lệch với phần tính lại quá 0,1 điểm." in context["appendix"]["basis"]


def test_same_folder_same_report(graded, report):
    again = document.build_report(QUARTER, PROFILE, out_dir=graded)
    assert again.html == report.html and again.title == report.title


def test_docx_real_tables_on_landscape_sections(context):
    data = document.word(context)
    assert data == document.word(context)  # the same bytes twice
    doc = Document(io.BytesIO(data))
    orientations = [s.orientation for s in doc.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.LANDSCAPE]
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=0.1)
    tables = doc.tables
    assert len(tables) == 2 + len(context["appendix"]["tables"]) + len(context["appendix"]["citizens_tables"])
    province = tables[2]
    assert province.rows[2].cells[1].text == context["appendix"]["tables"][0]["rows"][0]["unit_name"]
    assert province.rows[2].cells[9].text == context["appendix"]["tables"][0]["rows"][0]["total"]
    for table in tables[2:]:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # header repeated on every page
    body = "\n".join(p.text for p in doc.paragraphs)
    assert context["results"]["units"]["sentences"][0] in body and context["results"]["bands_note"] in body
    fonts = doc.styles["Normal"].font
    assert fonts.name == "Times New Roman" and fonts.size.pt == 14


def test_public_page_of_the_index(graded, context):
    page = public_page.build_public_page(QUARTER, PROFILE, out_dir=graded, root=PROJECT_ROOT)
    assert page == document.public_page(context)
    for unit in rows(graded / "grades.csv"):
        assert f">{unit['unit_name']}<" in page
    for official in rows(graded / "officials.csv")[:20]:
        assert official["official"] not in page
    assert "Chỉ số (100 điểm)" in page and 'data-level="toan_tinh"' in page


# --- charts and views -------------------------------------------------------------------------------------


def test_index_charts_same_bytes_twice_without_metadata(graded, tmp_path):
    drawn = figures.build_all(graded)
    assert tuple(drawn) == index_charts.FIGURES
    paths = charts.save_pngs(drawn, tmp_path)
    again = figures.build_all(graded)
    for path, figure in zip(paths, again.values(), strict=True):
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") and charts.png_bytes(figure) == data
        assert b"matplotlib" not in data and b"Software" not in data
    portal = again["cong_va_tinh_lai"].axes[0]
    labels = [t.get_text() for t in portal.get_yticklabels()]
    assert labels[:2] == ["Xã Đồng Tâm – chỉ tiêu 3.3", "Sở Tư pháp – chỉ tiêu 2.1"]  # largest difference first
    html = document.charts_html(QUARTER, PROFILE, out_dir=graded)
    assert html.count("<figure>") == len(index_charts.FIGURES) and "tthc-screen-only" in html


def test_views_of_the_grading_notebook(graded):
    grades = rows(graded / "grades.csv")
    counts = views.results_by_level(graded)
    for level, name in TIERS.items():
        for result, n in Counter(r["result"] for r in grades if r["level"] == level).items():
            assert counts.loc[name, result] == n
    assert [name for name, _table in views.unit_tables(graded)] == ["Toàn tỉnh", "Cấp tỉnh", "Cấp xã"]
    assert "2.589 hồ sơ tiếp nhận trong kỳ" in views.summary(graded)
    assert [d[0] for d in figures.described(graded)] == list(index_charts.FIGURES)
    assert len(views.province_components(graded).data) == 21


def test_a_folder_the_report_cannot_read_is_named(graded, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(graded, broken)
    text = (broken / "grades.csv").read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace(",tinh,", ",tinh,x", 1)  # the dossiers column of the third line
    (broken / "grades.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ReportInputError, match=r"grades.csv dòng 3, cột dossiers"):
        document.build_report(QUARTER, PROFILE, out_dir=broken)
    with pytest.raises(ReportInputError, match="không phải 2026-Q2"):
        index_context.build_report("2026-Q2", PROFILE, out_dir=graded)


# --- the stages, verify ------------------------------------------------------------------------------------


def test_stage_functions_under_the_index(graded, tmp_path):
    reuse.forget()
    run = pipeline.prepare(QUARTER, PROFILE, out_dir=tmp_path / "out")
    loaded = pipeline.load(run, strict=False)
    before = len(loaded.findings.items)
    saved = pipeline.save_loaded(loaded, run.out_dir)
    assert {"index_evidence.parquet", "portal_scores.parquet", "dossiers.parquet", "load.json"} <= \
        {p.name for p in saved.iterdir()}
    back = pipeline.read_loaded(run.out_dir)
    assert len(back.tables["dossiers"]) == 3171 and back.summary["files"]["portal_scores"]["file"] == \
        "2026-Q3/portal_scores.json"
    assert pipeline.files_table(loaded)["Bảng"].tolist() == sorted(loaded.files)
    checked, used = pipeline.check(run)
    assert used["2026-Q3/dossiers.csv"] == 2589
    assert len(checked.findings.items) > before  # the grading's findings (reconciliation) are in
    result = pipeline.grade(run)  # the check stage's grading
    again = pipeline.grade(run)  # graded again from the kept load
    assert render(result) == render(again) == render(grade_run(run))
    assert {name: data for name, data in render(result).items()} == \
        {name: (graded / name).read_bytes() for name in render(result)}
    assert len(pipeline.load(run, strict=False).findings.items) == before  # grading wrote nothing into the load
    lowest = min((r for r in rows(graded / "grades.csv") if r["rank"]),
                 key=lambda r: (Decimal(r["total"]), r["unit_id"]))
    assert pipeline.default_unit(result) == lowest["unit_id"]
    reuse.forget()


def test_verify_regrades_an_index_folder(graded, tmp_path):
    checked = verify(graded)
    assert checked.identical, checked.text()
    manifest = json.loads((graded / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scheme"] == "nd118" and manifest["province_name"] == "UBND tỉnh Mẫu (dữ liệu tổng hợp, minh họa)"
    copy = tmp_path / "copy"
    shutil.copytree(graded, copy)
    lines = (copy / "components.csv").read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(",portal,", ",recomputed,", 1)
    (copy / "components.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [(d.kind, d.name) for d in verify(copy).differences] == [("table", "components.csv")]


# --- TT 01/2018 forced on a quarter after 30/06/2025 -------------------------------------------------------


@pytest.fixture(scope="module")
def forced(tmp_path_factory) -> Path:
    """The small fixture moved to 2025-Q3 (dates three months later), graded with ``--rules tt01-2018``."""
    root = tmp_path_factory.mktemp("forced")
    data = root / "data"
    (data / "2025-Q3").mkdir(parents=True)
    shutil.copy(FIXTURE / "units.csv", data / "units.csv")
    for path in (FIXTURE / "2021-Q2").iterdir():
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(\d\d)/(\d\d)/2021", lambda m: f"{m.group(1)}/{int(m.group(2)) + 3:02d}/2025", text)
        text = re.sub(r"2021-(\d\d)-(\d\d)", lambda m: f"2025-{int(m.group(1)) + 3:02d}-{m.group(2)}", text)
        (data / "2025-Q3" / path.name).write_text(text, encoding="utf-8")
    out = root / "out"
    assert tthc_main(["grade", "--quarter", "2025-Q3", "--data", str(data), "--rules", "tt01-2018",
                      "--out", str(out)]) == 0
    return out


def test_a_forced_tt01_quarter_says_its_basis_lapsed_in_manifest_and_report(forced):
    from tthc.parameters.ruleset import load_ruleset
    from tthc.quarter import Quarter
    from tthc.schemes.nd118 import lapsed_note

    manifest = json.loads((forced / "manifest.json").read_text(encoding="utf-8"))
    note = lapsed_note(load_ruleset("tt01-2018"), Quarter.parse("2025-Q3"))
    assert note and "đã hết hiệu lực từ ngày 01/07/2025" in note
    assert manifest["legal_basis_note"] == note
    assert list(manifest).index("legal_basis_note") == list(manifest).index("rule_set") + 1
    built = document.build_report("2025-Q3", "dien-bien-dong", out_dir=forced)
    context = document.build_context(forced, "dien-bien-dong", "2025-Q3")
    assert context["appendix"]["basis"][-1] == note
    assert note in flat(built.html)  # in the appendix's notes of the signed document
    assert note in built.warnings
    assert verify(forced).identical


def test_a_quarter_in_force_has_no_legal_basis_note(tmp_path):
    out = tmp_path / "out"
    assert tthc_main(["grade", "--quarter", "2021-Q2", "--data", str(FIXTURE), "--out", str(out)]) == 0
    assert "legal_basis_note" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))
