"""``report.docx``: the quarterly report as an editable Word document, from the same context as the HTML.

Layout of NĐ 30/2020/NĐ-CP Phụ lục I: A4, margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New
Roman 14 pt (13 pt for the issuing body, the number and the national title; the appendix tables 11 pt);
the heading table (issuing body and number on the left, national title and place and date on the right),
the kind and title of the document, the body, then recipients and signature side by side. Page numbers are
centred in the top margin, not on the first page. The appendix follows on landscape sections, one per
level, as real Word tables with repeated header rows; its pages are numbered on their own from 1 (NĐ 30:
an appendix is numbered separately), the first one without a number.

The bytes depend only on the context: fixed core properties (dates from the document's date), no
thumbnail, every zip entry with the same timestamp, so the same inputs give the same file.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.shared import Cm, Mm, Pt

from tthc.report import docx_ooxml as ox

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
BODY_PT, SMALL_PT, TABLE_PT, NOTE_PT = 14, 13, 11, 10
PORTRAIT = (Mm(210), Mm(297))
MARGINS = {"top_margin": Mm(20), "bottom_margin": Mm(20), "left_margin": Mm(30), "right_margin": Mm(15)}
TEXT_WIDTH_MM = {False: 210 - 30 - 15, True: 297 - 30 - 15}  # portrait, landscape
#: Appendix column widths as shares of the text width (as the HTML's stylesheet).
COLUMN_SHARES = {"stt": 3.8, "unit": 18.3, "num": 4.6, "ind": 3.3, "total": 5.5, "result": 11.3, "note": 21.3}


def render(context: dict) -> bytes:
    """The Word document of a report context (``tthc.report.build_context``), as deterministic bytes."""
    return build(context, _body, lambda doc: _appendix(doc, context["appendix"]))


def build(context: dict, body, appendix) -> bytes:
    """A report as deterministic bytes: the page set-up, the heading block, ``body(doc, context)``, the signing
    block, then ``appendix(doc)`` (the index report, ``tthc.report.index_docx``, gives its own body and
    appendix)."""
    doc = Document()
    _document_defaults(doc)
    first = doc.sections[0]
    _set_page(first, landscape=False)
    first.different_first_page_header_footer = True
    ox.page_number(first.header.paragraphs[0], SMALL_PT)
    _heading(doc, context)
    body(doc, context)
    _signing(doc, context)
    appendix(doc)
    _core_properties(doc, context)
    buffer = io.BytesIO()
    doc.save(buffer)
    return ox.normalised_zip(buffer.getvalue(), _document_day(context))


# --- text -----------------------------------------------------------------------------------------------


def _document_defaults(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    ox.fonts(normal.element.get_or_add_rPr(), FONT, LANGUAGE)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing = 1.0
    doc.settings.element.remove_all("w:savePreviewPicture")


def _paragraph(container, text: str = "", *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, bold=False,
               italic=False, size: float | None = None, after: float = 6, before: float = 0):
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Cm(1) if indent else None
    fmt.space_after, fmt.space_before = Pt(after), Pt(before)
    fmt.line_spacing = 1.15 if indent else 1.0
    if text:
        ox.add_text(paragraph, text, bold=bold, italic=italic, size=size)
    return paragraph


def _centred(container, text: str, **kw):
    return _paragraph(container, text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=0, **kw)


# --- page set-up ----------------------------------------------------------------------------------------


def _set_page(section, *, landscape: bool) -> None:
    width, height = PORTRAIT
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for name, value in MARGINS.items():
        setattr(section, name, value)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)


def _borderless_table(doc, shares: tuple[float, ...], width_mm: float):
    table = doc.add_table(rows=1, cols=len(shares))
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    ox.fixed_layout(table)
    ox.widths(table, [Mm(width_mm * share) for share in shares])
    for cell in table.rows[0].cells:
        ox.clear(cell)
    return table


# --- the document ---------------------------------------------------------------------------------------


def _heading(doc, ctx: dict) -> None:
    width = TEXT_WIDTH_MM[False]
    shares = (0.38, 0.62)
    table = _borderless_table(doc, shares, width)
    left, right = table.rows[0].cells
    for line in ctx["issuing_body"]:
        _centred(left, line, bold=True, size=SMALL_PT)
    ox.rule(left, 22, width * shares[0])
    _centred(right, ctx["national_motto"][0], bold=True, size=SMALL_PT)
    for line in ctx["national_motto"][1:]:
        _centred(right, line, bold=True, size=BODY_PT)
    ox.rule(right, 62, width * shares[1])
    row = table.add_row().cells
    for cell in row:
        ox.clear(cell)
    _centred(row[0], f"Số: {ctx['number']}", size=SMALL_PT, before=6)
    _centred(row[1], ctx["place_date"], italic=True, before=6)


def _body(doc, ctx: dict) -> None:
    _centred(doc, ctx["document_kind"], bold=True, before=12)
    _centred(doc, ctx["title"], bold=True)
    ox.rule(doc, 50, TEXT_WIDTH_MM[False])
    _paragraph(doc, "", after=6)
    _paragraph(doc, ctx["legal_bases"])
    _paragraph(doc, ctx["opening"])
    _section(doc, ctx["implementation"]["heading"], ctx["implementation"]["paragraphs"])
    results = ctx["results"]
    _paragraph(doc, results["heading"], bold=True)
    collecting = results["collecting"]
    _section(doc, collecting["heading"], [*collecting["paragraphs"], collecting["forms"],
                                          *collecting["closing_paragraphs"]])
    grades = results["grades"]
    intro = _paragraph(doc, f"{grades['intro']} (")
    ox.add_text(intro, grades["appendix_note"], italic=True)
    ox.add_text(intro, "):")
    for sentence in grades["sentences"]:
        _paragraph(doc, f"{grades['item_prefix']}{sentence}")
    use = results["use"]
    _section(doc, use["heading"], [use["officials"], use["satisfaction"], *use["paragraphs"]])
    _section(doc, ctx["difficulties"]["heading"], ctx["difficulties"]["paragraphs"])
    _paragraph(doc, ctx["closing"])


def _section(doc, heading: str, paragraphs: list[str]) -> None:
    _paragraph(doc, heading, bold=True)
    for text in paragraphs:
        _paragraph(doc, text)


def _signing(doc, ctx: dict) -> None:
    table = _borderless_table(doc, (0.5, 0.5), TEXT_WIDTH_MM[False])
    left, right = table.rows[0].cells
    ox.keep_row(table.rows[0])
    recipients = ctx["recipients"]
    _paragraph(left, recipients["heading"], align=WD_ALIGN_PARAGRAPH.LEFT, indent=False, bold=True,
               italic=True, size=12, after=0, before=6)
    for item in recipients["items"]:
        _paragraph(left, f"- {item}", align=WD_ALIGN_PARAGRAPH.LEFT, indent=False, size=TABLE_PT, after=0)
    authority = ctx["signature"]["authority"]
    for i, line in enumerate(authority):
        _centred(right, line, bold=True, before=6 if i == 0 else 0)
    _centred(right, ctx["signature"]["signer"], bold=True, before=80)


def _appendix(doc, appendix: dict) -> None:
    width = TEXT_WIDTH_MM[True]
    for index, table in enumerate(appendix["tables"]):
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        _set_page(section, landscape=True)
        section.different_first_page_header_footer = index == 0
        ox.numbering(section, restart=index == 0)
        if index == 0:
            _centred(doc, appendix["heading"], bold=True)
            _centred(doc, appendix["title"], bold=True)
            _centred(doc, appendix["subtitle"], italic=True, size=SMALL_PT)
        _paragraph(doc, table["heading"], align=WD_ALIGN_PARAGRAPH.LEFT, indent=False, bold=True, before=8,
                   after=4)
        _grades_table(doc, appendix, table["rows"], width)
    if appendix["basis"]:
        note = _paragraph(doc, "", indent=False, after=0, before=8)
        ox.add_text(note, f"{appendix['basis_heading']} ", bold=True, italic=True, size=TABLE_PT)
        ox.add_text(note, " ".join(appendix["basis"]), italic=True, size=TABLE_PT)


def _grades_table(doc, appendix: dict, rows: list[dict], width_mm: float) -> None:
    columns, labels = appendix["columns"], appendix["indicator_labels"]
    n = len(labels)
    kinds = ["stt", "unit", "num", *(["ind"] * n), "total", "total", "result", "note"]
    scale = width_mm / sum(COLUMN_SHARES[k] for k in kinds)
    widths = [Mm(COLUMN_SHARES[k] * scale) for k in kinds]
    table = doc.add_table(rows=2 + len(rows), cols=len(kinds))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    ox.fixed_layout(table, cell_margin_twips=57)  # 1 mm
    header = [table.rows[0].cells, table.rows[1].cells]
    singles = {0: columns["stt"], 1: columns["unit"], 2: columns["dossiers"], 3 + n: columns["self_total"],
               4 + n: columns["total"], 5 + n: columns["result"], 6 + n: columns["note"]}
    for col, text in singles.items():
        _cell_text(header[0][col].merge(header[1][col]), text, bold=True)
    if n:
        _cell_text(header[0][3].merge(header[0][2 + n]), columns["indicators"], bold=True)
        for i, label in enumerate(labels):
            _cell_text(header[1][3 + i], label, bold=True)
    for row in table.rows[:2]:
        row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row, values in zip(table.rows[2:], rows, strict=True):
        ox.keep_row(row)
        cells = row.cells
        texts = [str(values["stt"]), values["unit_name"], values["dossiers"], *values["indicators"],
                 values["self_total"], values["total"], values["result"], values["note"]]
        for col, text in enumerate(texts):
            kind = kinds[col]
            align = WD_ALIGN_PARAGRAPH.LEFT if kind in ("unit", "note") else WD_ALIGN_PARAGRAPH.CENTER
            _cell_text(cells[col], text, align=align, size=NOTE_PT if kind == "note" else TABLE_PT)
    ox.widths(table, widths)


def _cell_text(cell, text: str, *, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER, size: float = TABLE_PT):
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    paragraph.paragraph_format.alignment = align
    if text:
        ox.add_text(paragraph, text, bold=bold, size=size)


# --- package --------------------------------------------------------------------------------------------


def _document_day(ctx: dict) -> date:
    return date.fromisoformat(ctx["meta"]["date"])


def _core_properties(doc, ctx: dict) -> None:
    """Fixed properties: the document's title and issuing body, dated from the document's date."""
    props = doc.core_properties
    stamp = datetime.combine(_document_day(ctx), time(0, 0), tzinfo=UTC)
    props.title = ctx["html_title"]
    props.subject = ctx["title"]
    props.author = props.last_modified_by = ctx["issuing_body_short"]
    props.comments = props.keywords = props.category = ""
    props.language = LANGUAGE
    props.created = props.modified = stamp
    props.revision = 1
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the template's picture of an empty page
            del package.rels[rel_id]
            package.rels.related_parts.pop(rel_id, None)


