"""``report.docx`` of a quarter graded on the NĐ 118/2025 index, from the same context as its HTML
(``tthc.report.index_context``).

The page set-up, heading block, signing block and package are those of the TT 01/2018 report
(``tthc.report.docx``: NĐ 30/2020 layout, A4, Times New Roman, page numbers from page 2, the same bytes for the
same context). The body follows the index report; the appendices are real Word tables on landscape sections:
Phụ lục I (the province's row, then each tier ranked with its six group points; numbered on its own from 1, its
first page without a number) and Phụ lục II (citizens' forms per unit, numbered on its own likewise), with repeated
header rows.
"""

from __future__ import annotations

from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Mm

from tthc.report import docx as base
from tthc.report import docx_ooxml as ox

#: Column widths as shares of the landscape text width (as index.css).
INDEX_SHARES = {"stt": 4.2, "unit": 17.0, "num": 6.4, "group": 5.0, "total": 6.2, "result": 8.2, "rank": 5.0,
                "note": 23.0}
CITIZEN_SHARES = {"stt": 4.0, "unit": 26.0, "count": 10.0, "share": 10.0}


def render(context: dict) -> bytes:
    """The Word document of an index report context, as deterministic bytes."""
    return base.build(context, _body, lambda doc: _appendix(doc, context))


def _body(doc, ctx: dict) -> None:
    p = base._paragraph
    base._centred(doc, ctx["document_kind"], bold=True, before=12)
    base._centred(doc, ctx["title"], bold=True)
    if ctx["data_note"]:
        base._centred(doc, ctx["data_note"], italic=True, size=base.SMALL_PT)
    ox.rule(doc, 50, base.TEXT_WIDTH_MM[False])
    p(doc, "", after=6)
    p(doc, ctx["legal_bases"])
    p(doc, ctx["opening"])
    base._section(doc, ctx["implementation"]["heading"], ctx["implementation"]["paragraphs"])
    results = ctx["results"]
    p(doc, results["heading"], bold=True)
    base._section(doc, results["province"]["heading"], results["province"]["paragraphs"])
    units = results["units"]
    p(doc, units["heading"], bold=True)
    intro = p(doc, f"{units['intro']} (")
    ox.add_text(intro, units["appendix_note"], italic=True)
    ox.add_text(intro, "):")
    for sentence in units["sentences"]:
        p(doc, f"{units['item_prefix']}{sentence}")
    for sentence in units["leaders"]:
        p(doc, sentence)
    losses = results["losses"]
    base._section(doc, losses["heading"], [losses["intro"], *losses["items"]])
    base._section(doc, results["citizens"]["heading"], results["citizens"]["paragraphs"])
    base._section(doc, results["officials"]["heading"], results["officials"]["paragraphs"])
    p(doc, results["bands_note"], indent=False, italic=True, size=12, before=6)
    base._section(doc, ctx["difficulties"]["heading"], ctx["difficulties"]["paragraphs"])
    p(doc, ctx["closing"])


def _landscape(doc, *, restart: bool):
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    base._set_page(section, landscape=True)
    section.different_first_page_header_footer = restart
    ox.numbering(section, restart=restart)
    return section


def _titles(doc, heading: str, title: str, subtitle: str, note: str = "") -> None:
    base._centred(doc, heading, bold=True)
    base._centred(doc, title, bold=True)
    base._centred(doc, subtitle, italic=True, size=base.SMALL_PT)
    if note:
        base._centred(doc, note, italic=True, size=base.TABLE_PT)


def _table_heading(doc, text: str) -> None:
    base._paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.LEFT, indent=False, bold=True, before=8, after=4)


def _appendix(doc, ctx: dict) -> None:
    appendix = ctx["appendix"]
    width = base.TEXT_WIDTH_MM[True]
    _landscape(doc, restart=True)
    _titles(doc, appendix["index_heading"], appendix["index_title"], appendix["subtitle"], ctx["data_note"])
    for table in appendix["tables"]:
        _table_heading(doc, table["heading"])
        _index_table(doc, appendix, table["rows"], width)
    note = base._paragraph(doc, "", indent=False, after=0, before=8)
    ox.add_text(note, f"{appendix['basis_heading']} ", bold=True, italic=True, size=base.TABLE_PT)
    ox.add_text(note, " ".join([appendix["groups_legend"], *appendix["basis"]]), italic=True, size=base.TABLE_PT)
    _landscape(doc, restart=True)  # each appendix numbered on its own (NĐ 30/2020), as in the PDF
    _titles(doc, appendix["citizens_heading"], appendix["citizens_title"], appendix["subtitle"])
    for table in appendix["citizens_tables"]:
        _table_heading(doc, table["heading"])
        _citizens_table(doc, appendix, [*table["rows"], table["total"]], width)


def _grid(doc, rows: int, kinds: list[str], shares: dict, width_mm: float):
    table = doc.add_table(rows=rows, cols=len(kinds))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    ox.fixed_layout(table, cell_margin_twips=57)  # 1 mm
    scale = width_mm / sum(shares[k] for k in kinds)
    return table, [Mm(shares[k] * scale) for k in kinds]


def _repeat_header(rows) -> None:
    for row in rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _index_table(doc, appendix: dict, rows: list[dict], width_mm: float) -> None:
    columns, labels = appendix["columns"], appendix["group_labels"]
    n = len(labels)
    kinds = ["stt", "unit", "num", *(["group"] * n), "total", "result", "rank", "note"]
    table, widths = _grid(doc, 2 + len(rows), kinds, INDEX_SHARES, width_mm)
    header = [table.rows[0].cells, table.rows[1].cells]
    singles = {0: columns["stt"], 1: columns["unit"], 2: columns["dossiers"], 3 + n: columns["total"],
               4 + n: columns["result"], 5 + n: columns["rank"], 6 + n: columns["note"]}
    for col, text in singles.items():
        base._cell_text(header[0][col].merge(header[1][col]), text, bold=True)
    if n:
        base._cell_text(header[0][3].merge(header[0][2 + n]), columns["groups"], bold=True)
        for i, label in enumerate(labels):
            base._cell_text(header[1][3 + i], label, bold=True)
    _repeat_header(table.rows[:2])
    for row, values in zip(table.rows[2:], rows, strict=True):
        ox.keep_row(row)
        texts = [str(values["stt"]), values["unit_name"], values["dossiers"], *values["groups"], values["total"],
                 values["result"], values["rank"], values["note"]]
        for col, text in enumerate(texts):
            kind = kinds[col]
            align = WD_ALIGN_PARAGRAPH.LEFT if kind in ("unit", "note") else WD_ALIGN_PARAGRAPH.CENTER
            base._cell_text(row.cells[col], text, align=align, bold=kind == "total",
                            size=base.NOTE_PT if kind == "note" else base.TABLE_PT)
    ox.widths(table, widths)


def _citizens_table(doc, appendix: dict, rows: list[dict], width_mm: float) -> None:
    columns = appendix["citizens_columns"]
    keys = ["stt", "unit", "paper", "online", "total", "very_satisfied", "satisfied", "dissatisfied", "share"]
    kinds = ["stt", "unit", *(["count"] * 6), "share"]
    table, widths = _grid(doc, 1 + len(rows), kinds, CITIZEN_SHARES, width_mm)
    for cell, key in zip(table.rows[0].cells, keys, strict=True):
        base._cell_text(cell, columns[key], bold=True)
    _repeat_header(table.rows[:1])
    for i, (row, values) in enumerate(zip(table.rows[1:], rows, strict=True)):
        ox.keep_row(row)
        texts = [values["stt"], values["unit_name"], values["paper"], values["online"], values["forms"],
                 values["very"], values["satisfied"], values["dissatisfied"], values["share"]]
        total = i == len(rows) - 1
        for col, text in enumerate(texts):
            align = WD_ALIGN_PARAGRAPH.LEFT if kinds[col] == "unit" else WD_ALIGN_PARAGRAPH.CENTER
            base._cell_text(row.cells[col], str(text), align=align, bold=total)
    ox.widths(table, widths)
