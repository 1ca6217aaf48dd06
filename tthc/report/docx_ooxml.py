"""WordprocessingML that python-docx has no call for, used by ``tthc.docx_report``: runs whose hyphenated
words keep together (Word's non-breaking hyphen), short centred rules, PAGE fields, page numbering that
restarts, fixed table grids, elements inserted where the schema orders them (Word refuses a file
otherwise), and a zip whose entries all carry one timestamp (the same document, the same bytes).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from tthc.report import wording as w


def fonts(rpr, font: str, language: str) -> None:
    """``font`` for every script slot of run properties, and the language of the text."""
    slots = rpr.find(qn("w:rFonts"))
    if slots is None:
        slots = OxmlElement("w:rFonts")
        rpr.insert(0, slots)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        slots.set(qn(attr), font)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)


def add_text(paragraph, text: str, *, bold=False, italic=False, size: float | None = None) -> None:
    """``text`` as runs; the hyphens of a hyphenated word ("HĐND-UBND") become non-breaking hyphens."""
    start = 0
    for match in w.HYPHENATED.finditer(text):
        _run(paragraph, text[start : match.start()], bold, italic, size)
        for i, part in enumerate(match.group(0).split("-")):
            run = _run(paragraph, "", bold, italic, size)
            if i:
                run._r.append(OxmlElement("w:noBreakHyphen"))
            run._r.add_t(part)
        start = match.end()
    _run(paragraph, text[start:], bold, italic, size)


def _run(paragraph, text: str, bold: bool, italic: bool, size: float | None):
    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if size is not None:
        run.font.size = Pt(size)
    return run


def rule(container, width_mm: float, available_mm: float) -> None:
    """A short centred line (the rule under the issuing body, the national motto and the title)."""
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.space_before = fmt.space_after = Pt(0)
    side = Mm(max(available_mm - width_mm, 0) / 2)
    fmt.left_indent, fmt.right_indent = side, side
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(5)
    borders = OxmlElement("w:pBdr")
    line = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        line.set(qn(key), value)
    borders.append(line)
    ppr = paragraph._p.get_or_add_pPr()
    _insert(ppr, borders)
    mark = OxmlElement("w:rPr")  # the empty paragraph's mark: small, so the line sits just under the text
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "4")
    mark.append(size)
    _insert(ppr, mark)


def page_number(paragraph, size: float) -> None:
    """A PAGE field, centred: Word and LibreOffice fill it in."""
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = Pt(size)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
        else:
            field = OxmlElement("w:instrText")
            field.set(qn("xml:space"), "preserve")
            field.text = text
        run._r.append(field)


def numbering(section, *, restart: bool) -> None:
    """Restart the page numbers at 1 in this section, or go on from the previous one (a new section
    copies its predecessor's settings, a restart included)."""
    number_type = section._sectPr.find(qn("w:pgNumType"))
    if number_type is not None:
        section._sectPr.remove(number_type)
    if restart:
        number_type = OxmlElement("w:pgNumType")
        number_type.set(qn("w:start"), "1")
        _insert(section._sectPr, number_type)


def widths(table, sizes: list) -> None:
    """Column widths in the table's grid (what a fixed layout follows), the table's and every cell's."""
    for column, width in zip(table.columns, sizes, strict=True):
        column.width = width
    table_width = table._tbl.tblPr.find(qn("w:tblW"))
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(Emu(sum(sizes)).twips))
    for row in table.rows:
        start = 0
        for tc in row._tr.tc_lst:  # a merged cell spans several grid columns
            span = tc.grid_span
            tc.width = Emu(sum(sizes[start : start + span]))
            start += span


def clear(cell) -> None:
    """Remove a new cell's empty paragraph (the caller adds the cell's paragraphs)."""
    for paragraph in cell.paragraphs:
        paragraph._p.getparent().remove(paragraph._p)


def fixed_layout(table, cell_margin_twips: int | None = None) -> None:
    """A fixed layout (the grid's widths hold), and narrower left and right cell margins if given."""
    tbl_pr = table._tbl.tblPr
    tbl_pr.get_or_add_tblLayout().set(qn("w:type"), "fixed")
    if cell_margin_twips is not None:
        margins = OxmlElement("w:tblCellMar")
        for side in ("w:left", "w:right"):
            margin = OxmlElement(side)
            margin.set(qn("w:w"), str(cell_margin_twips))
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        _insert(tbl_pr, margins)


#: For each element added here, the elements the schema puts after it in its parent (Word insists
#: on the order): pBdr and rPr in w:pPr, pgNumType in w:sectPr, tblCellMar in w:tblPr.
SUCCESSORS = {
    "pBdr": ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
             "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
             "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
             "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
             "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    "rPr": ("w:sectPr", "w:pPrChange"),
    "pgNumType": ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
                  "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange"),
    "tblCellMar": ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"),
}


def _insert(parent, child) -> None:
    """``child`` in its place among ``parent``'s children, as the schema orders them."""
    parent.insert_element_before(child, *SUCCESSORS[child.tag.split("}")[1]])


def keep_row(row) -> None:
    """A table row that never splits across pages."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def normalised_zip(data: bytes, day: date) -> bytes:
    """The same entries in the same order, each with the document's date as its timestamp."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 0
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
