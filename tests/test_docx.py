"""``report.docx``: read back with python-docx (text, header table, appendix tables, sections, fonts), its
bytes fixed by its inputs, and rendered to PDF by LibreOffice when the converter is installed."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, datetime

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Pt
from test_report import HUYEN_SENTENCE, XA_SENTENCE, write_seed_outputs

from tthc import PROJECT_ROOT
from tthc.report import context as rp
from tthc.report import docx as docx_report

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo"))


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    out = write_seed_outputs(tmp_path_factory.mktemp("docx") / "out")
    params, _ = rp.load_parameters("dien-bien-dong", "2021-Q2", PROJECT_ROOT)
    return rp.build_context(out, params, "2021-Q2")


@pytest.fixture(scope="module")
def data(context) -> bytes:
    return docx_report.render(context)


@pytest.fixture(scope="module")
def doc(data):
    return Document(io.BytesIO(data))


def _mm(length) -> float:
    """A length in millimetres to 0.1 mm (Word stores twips: 210 mm is 11 906 twips)."""
    return round(length.mm, 1)


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _body_texts(doc) -> list[str]:
    return [_flat(p.text) for p in doc.paragraphs]


def _cells(table, row: int) -> list[str]:
    """The row's cells once each (a merged cell spans several grid columns)."""
    seen, texts = set(), []
    for cell in table.rows[row].cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            texts.append(_flat(cell.text))
    return texts


def test_same_context_gives_the_same_bytes(context, data):
    assert docx_report.render(context) == data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        infos = package.infolist()
        assert {info.date_time for info in infos} == {(2021, 6, 30, 0, 0, 0)}  # the document's date
        assert infos[0].filename == "[Content_Types].xml"
        assert not any(info.filename.startswith("docProps/thumbnail") for info in infos)
        assert not any(re.search(r"\.(png|jpe?g|emf|wmf|gif)$", info.filename) for info in infos)


def test_core_properties_are_fixed_by_the_document(doc, context):
    props = doc.core_properties
    stamp = datetime(2021, 6, 30, tzinfo=UTC)
    assert props.created == stamp and props.modified == stamp
    assert props.title == context["html_title"] and props.author == "UBND huyện Điện Biên Đông"
    assert props.revision == 1 and props.language == "vi-VN"
    assert "python-docx" not in (props.comments + props.author + props.last_modified_by)


def test_title_and_key_sentences(doc, context):
    texts = _body_texts(doc)
    assert "BÁO CÁO" in texts
    assert context["title"] in texts
    assert f"- {HUYEN_SENTENCE}" in texts and f"- {XA_SENTENCE}" in texts
    assert any("07 đơn vị đạt loại Xuất sắc" in t for t in texts)
    assert any(t.startswith("Căn cứ Nghị định số 61/2018/NĐ-CP") for t in texts)
    assert any("1.265 phiếu đánh giá" in t for t in texts)
    assert any(t.startswith("Trên đây là Báo cáo") for t in texts)
    for heading in ("I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN", "III. NHỮNG KHÓ KHĂN, VƯỚNG MẮC"):
        paragraph = next(p for p in doc.paragraphs if _flat(p.text) == heading)
        assert all(run.bold for run in paragraph.runs)


def test_header_table_and_signature_blocks(doc, context):
    heading = doc.tables[0]
    assert _cells(heading, 0)[0] == "ỦY BAN NHÂN DÂN HUYỆN ĐIỆN BIÊN ĐÔNG"
    assert _cells(heading, 0)[1] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc"
    assert _cells(heading, 1)[0] == "Số: /BC-UBND"
    assert _cells(heading, 1)[1] == "Điện Biên Đông, ngày tháng 6 năm 2021"
    place = heading.rows[1].cells[1].paragraphs[0]
    assert all(run.italic for run in place.runs)
    signing = doc.tables[1]
    recipients, signature = _cells(signing, 0)
    assert recipients.startswith("Nơi nhận: - Văn phòng UBND tỉnh Điện Biên;") and recipients.endswith("Lưu: VT.")
    assert signature == "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Bùi Ngọc La"
    assert len(signing.rows) == 1 and len(signing.columns) == 2  # side by side


def test_page_set_up_follows_nd30(doc):
    body = doc.sections[0]
    assert body.orientation == WD_ORIENT.PORTRAIT
    assert (_mm(body.page_width), _mm(body.page_height)) == (210, 297)  # A4
    assert 20 <= _mm(body.top_margin) <= 25 and 20 <= _mm(body.bottom_margin) <= 25
    assert 30 <= _mm(body.left_margin) <= 35 and 15 <= _mm(body.right_margin) <= 20
    assert body.different_first_page_header_footer  # no page number on the first page
    header = body.header._element.xml
    assert "PAGE" in header and "fldChar" in header


def test_fonts_are_times_new_roman_13_to_14_in_the_text(doc):
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "cs", "eastAsia")} == {"Times New Roman"}
    sizes = {run.font.size or normal.font.size for p in doc.paragraphs for run in p.runs if run.text.strip()}
    assert sizes <= {Pt(13), Pt(14), Pt(11)}  # 11 pt: the appendix's closing note
    table_sizes = {
        run.font.size for table in doc.tables[2:] for row in table.rows for cell in row.cells
        for p in cell.paragraphs for run in p.runs if run.text.strip()
    }
    assert table_sizes <= {Pt(10), Pt(11)}
    assert not any(run.font.name not in (None, "Times New Roman") for p in doc.paragraphs for run in p.runs)


def test_appendix_is_real_tables_on_landscape_sections_one_per_level(doc, context):
    sections = doc.sections
    assert len(sections) == 3  # the body, then one section per level
    for section in sections[1:]:
        assert section.orientation == WD_ORIENT.LANDSCAPE
        assert (_mm(section.page_width), _mm(section.page_height)) == (297, 210)
        assert (_mm(section.left_margin), _mm(section.right_margin), _mm(section.top_margin)) == (30, 15, 20)
    first, second = (s._sectPr.find(qn("w:pgNumType")) for s in sections[1:])
    assert first is not None and first.get(qn("w:start")) == "1"  # the appendix is numbered on its own
    assert second is None  # ... and goes on across its sections
    assert sections[1].different_first_page_header_footer and not sections[2].different_first_page_header_footer
    texts = _body_texts(doc)
    assert "Phụ lục" in texts and context["appendix"]["title"] in texts
    huyen, xa = doc.tables[2:]
    header = _cells(huyen, 0)
    assert header == ["STT", "Tên cơ quan, đơn vị", "Số hồ sơ", "Điểm thẩm định theo chỉ số", "Tổng điểm tự chấm",
                      "Tổng điểm thẩm định", "Xếp loại", "Ghi chú"]
    assert _cells(huyen, 1)[3:12] == [str(n) for n in range(1, 10)]
    for table in (huyen, xa):
        for row in table.rows[:2]:
            assert row._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page
    assert len(huyen.rows) == 2 + 13 and len(xa.rows) == 2 + 14
    expected = context["appendix"]["tables"][1]["rows"]
    for row_index, row in enumerate(expected, start=2):
        cells = _cells(xa, row_index)
        assert cells == [str(row["stt"]), row["unit_name"], row["dossiers"], *row["indicators"], row["self_total"],
                         row["total"], row["result"], _flat(row["note"])]
    good = _cells(xa, 2 + next(i for i, r in enumerate(expected) if r["result"] == "Tốt"))
    assert good[-4:-2] == ["15,0", "13,5"] and good[10] == ""
    note = texts[-1]
    assert note.startswith("Ghi chú: Điểm thẩm định tính theo Thông tư số 01/2018/TT-VPCP")
    assert "01/4/2021" in note and "30/6/2021" in note


def test_each_level_table_is_in_its_own_section(doc):
    children = list(doc.element.body.iterchildren())
    breaks = [i for i, el in enumerate(children)
              if el.tag == qn("w:p") and el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None]
    tables = [children.index(table._tbl) for table in doc.tables[2:]]
    assert len(breaks) == 2  # the body's section ends before the first level, the first level's before the second
    assert breaks[0] < tables[0] < breaks[1] < tables[1]


def test_hyphenated_words_never_break(doc):
    paragraph = next(p for p in doc.paragraphs if "Văn phòng HĐND-UBND huyện đã xây dựng" in p.text)
    xml = paragraph._p.xml
    assert "<w:noBreakHyphen/>" in xml and "HĐND-UBND" not in xml  # the hyphen is Word's non-breaking one
    spaced = next(p for p in doc.tables[0].rows[0].cells[1].paragraphs if "Tự do" in p.text)
    assert "noBreakHyphen" not in spaced._p.xml  # "Độc lập - Tự do - Hạnh phúc" keeps its plain dashes


def test_unit_names_are_text_not_markup(tmp_path):
    out = write_seed_outputs(tmp_path / "out", unit_name_suffix=" <b>&</b>")
    params, _ = rp.load_parameters("dien-bien-dong", "2021-Q2", PROJECT_ROOT)
    doc = Document(io.BytesIO(docx_report.render(rp.build_context(out, params, "2021-Q2"))))
    assert _cells(doc.tables[2], 2)[1] == "Phòng số 1 <b>&</b>"


@pytest.mark.slow
@pytest.mark.skipif(not SOFFICE, reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
def test_libreoffice_renders_it(data, tmp_path):
    assert POPPLER, "poppler-utils (pdftotext, pdfinfo) is not installed: make system"
    source = tmp_path / "report.docx"
    source.write_bytes(data)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(source)],
        check=True, capture_output=True, timeout=300,
    )
    pdf = tmp_path / "report.pdf"
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)]
    pages = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], check=True,
                            capture_output=True, text=True).stdout for n in range(1, len(sizes) + 1)]
    appendix = next(i for i, text in enumerate(pages) if "Phụ lục" in text)
    assert appendix >= 2
    assert all(w < h for w, h in sizes[:appendix]) and all(w > h for w, h in sizes[appendix:])
    assert all(abs(min(w, h) - 595.3) < 1 and abs(max(w, h) - 841.9) < 1 for w, h in sizes)
    text = _flat(" ".join(pages))
    assert HUYEN_SENTENCE in text and XA_SENTENCE in text and "UBND xã số 27" in text
    first_lines = [page.strip().splitlines()[0].strip() for page in pages]
    assert first_lines[0] != "1" and first_lines[1] == "2"
    assert first_lines[appendix] == "Phụ lục"  # the appendix's first page: no number
    assert first_lines[appendix + 1:] == [str(n) for n in range(2, len(pages) - appendix + 1)]


@pytest.mark.slow
def test_the_word_library_leaves_the_xlsx_bytes_alone(tmp_path):
    """python-docx brings lxml, and openpyxl writes other XLSX bytes through lxml: tthc pins openpyxl's own
    writer, so grading gives the same grades.xlsx and findings.xlsx whether lxml can be imported or not."""
    pytest.importorskip("lxml", reason="lxml comes with python-docx; without it there is nothing to compare")
    script = (
        "import sys\n"
        "if sys.argv[1] == 'hidden':\n    sys.modules['lxml'] = None\n"
        "from tthc.cli import main\n"
        "sys.exit(main(['grade', '--quarter', '2021-Q2', '--data', sys.argv[2], '--out', sys.argv[3]]))\n"
    )
    data = PROJECT_ROOT / "data" / "dien-bien-dong"
    env = {k: v for k, v in os.environ.items() if k != "OPENPYXL_LXML"}  # as a user's shell has it
    for mode in ("importable", "hidden"):
        subprocess.run([sys.executable, "-c", script, mode, str(data), str(tmp_path / mode)], check=True,
                       capture_output=True, cwd=PROJECT_ROOT, env=env, timeout=300)
    for name in ("grades.xlsx", "findings.xlsx"):
        assert (tmp_path / "importable" / name).read_bytes() == (tmp_path / "hidden" / name).read_bytes(), name
