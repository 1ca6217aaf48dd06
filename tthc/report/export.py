"""The executed report notebook to ``report.html`` and ``report.pdf`` (nbconvert in-process, WeasyPrint),
and beside them ``report.docx`` (``tthc.report.docx``) and ``public.html`` (``tthc.report.public_page``).

The official template (``tthc/templates/nbconvert/tthc_official``) shows outputs only: no code, no
prompts, no parameters cell, no script, no external resource. The same exporters are registered with
nbconvert (``jupyter nbconvert --to tthc_html`` / ``--to tthc_pdf``). The Word document and the public page
are built from the same report context as the notebook's report (the quarter and profile the notebook ran
with, the tables of the output folder). Every file is written to a temporary file and moved into place
only once all rendered, so a failure leaves the previous report.
"""

from __future__ import annotations

import ast
import os
import tempfile
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import default

from tthc.errors import RunFailed
from tthc.files import current_umask

TEMPLATE_DIR = Path(__file__).parent / "templates" / "nbconvert"
TEMPLATE_NAME = "tthc_official"
#: Cells that never reach the document: papermill's parameters and any cell an analyst marks as working.
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell", "remove_cell"})
#: Key of the output metadata through which the report cell names the document (``<title>``).
TITLE_METADATA = "tthc"
DEFAULT_TITLE = "Báo cáo"


class ExportError(RunFailed, RuntimeError):
    """The notebook cannot become an official report (message in Vietnamese)."""


class OfficialPreprocessor(Preprocessor):
    """Drops hidden cells, refuses notebooks with errors, and takes the title from the report output."""

    def preprocess(self, nb, resources):
        for index, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    name = resources.get("metadata", {}).get("name", "notebook")
                    raise ExportError(
                        f"Sổ tay {name} có lỗi ở ô số {index + 1} "
                        f"({output.get('ename')}: {output.get('evalue')}); không xuất báo cáo."
                    )
        nb.cells = [
            c for c in nb.cells if not HIDDEN_TAGS.intersection(c.get("metadata", {}).get("tags", []))
        ]
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                title = output.get("metadata", {}).get(TITLE_METADATA, {}).get("title")
                if title:
                    nb.metadata["title"] = str(title)
        return nb, resources


class OfficialHTMLExporter(HTMLExporter):
    """HTML of the official document: ``jupyter nbconvert --to tthc_html report.ipynb``."""

    export_from_notebook = "Báo cáo chính thức (HTML)"

    @default("template_name")
    def _template_name_default(self):
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self):
        return [str(TEMPLATE_DIR)]

    @default("exclude_input")
    def _exclude_input_default(self):
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    @default("language_code")
    def _language_code_default(self):
        return "vi"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register_preprocessor(OfficialPreprocessor(parent=self), enabled=True)

    def _init_resources(self, resources):
        resources = super()._init_resources(resources)
        resources["tthc_default_title"] = DEFAULT_TITLE
        return resources


class OfficialPDFExporter(OfficialHTMLExporter):
    """PDF of the official document via WeasyPrint: ``jupyter nbconvert --to tthc_pdf report.ipynb``."""

    export_from_notebook = "Báo cáo chính thức (PDF)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self):
        return ".html.j2"

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources=resources, **kw)
        return html_to_pdf(html), resources


def html_to_pdf(html: str) -> bytes:
    """Render the official HTML as PDF; only ``data:`` URLs may be fetched (the HTML is self-contained)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    keep_font_dates()
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=html, url_fetcher=fetcher, media_type="print").write_pdf()


def keep_font_dates() -> None:
    """Embedded fonts keep their own ``head.modified`` date, whichever subsetter WeasyPrint uses.

    With HarfBuzz-Subset (``libharfbuzz-subset0``) the subset font keeps the date of the font file. Without
    it WeasyPrint falls back to fontTools, whose ``TTFont`` stamps every saved font with the current time
    (``recalcTimestamp=True`` by default; fontTools' own subsetter keeps the date): the PDF's bytes would
    then depend on the second it was written, so a report rendered after the exporters' warm-up, or
    re-rendered later, would differ from the first. The fonts module of WeasyPrint is given a ``TTFont``
    that keeps the date (idempotent; nothing else of WeasyPrint or fontTools changes).
    """
    from weasyprint.pdf import fonts

    if not getattr(fonts.TTFont, "tthc_keeps_font_date", False):
        fonts.TTFont = _font_class_keeping_its_date(fonts.TTFont)


def _font_class_keeping_its_date(base: type) -> type:
    class TTFontKeepingItsDate(base):
        tthc_keeps_font_date = True

        def __init__(self, *args, recalcTimestamp: bool = False, **kwargs):  # noqa: N803 - fontTools' name
            super().__init__(*args, recalcTimestamp=recalcTimestamp, **kwargs)

    return TTFontKeepingItsDate


#: A tiny document in the report's fonts (regular, bold, italic) for :func:`warm_up`.
WARM_UP_HTML = "<p>Tiếng Việt <b>đậm</b> <i>nghiêng</i> <b><i>đậm nghiêng</i></b></p>"


def warm_up() -> None:
    """Render a tiny document through the HTML exporter and WeasyPrint, writing nothing: the imports, the
    template and the fonts are loaded, so a later :func:`export_report` in the same process pays only for
    its own document (``tthc run`` calls this in a background thread while the kernel runs the notebooks)."""
    output = nbformat.v4.new_output("display_data", data={"text/html": WARM_UP_HTML})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[output])])
    html, _ = OfficialHTMLExporter().from_notebook_node(nb, resources={"metadata": {"name": "warm-up"}})
    html_to_pdf(html)


def _write_atomic(path: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        return Path(tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: The file name of the public page written beside the report.
PUBLIC_PAGE = "public.html"
#: Cells whose literal assignments name the quarter and profile a report notebook ran with, in order of
#: precedence (papermill's injected cell overrides the notebook's own defaults).
_PARAMETER_TAGS = ("parameters", "injected-parameters")


def run_parameters(nb) -> dict:
    """The values a report notebook ran with: the literal assignments of its ``parameters`` cell, then of
    papermill's ``injected-parameters`` cell, then papermill's record in the metadata, then a report
    output's ``tthc`` metadata (``quarter``, ``profile``), each overriding the one before."""
    values: dict = {}
    for tag in _PARAMETER_TAGS:
        for cell in nb.cells:
            if cell.get("cell_type") == "code" and tag in cell.get("metadata", {}).get("tags", []):
                values.update(_literal_assignments(cell.get("source", "")))
    values.update(nb.metadata.get("papermill", {}).get("parameters") or {})
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(TITLE_METADATA, {})
            values.update({k: meta[k] for k in ("quarter", "profile") if meta.get(k)})
    return values


def _literal_assignments(source: str) -> dict:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return found


def documents(nb, out_dir: Path, name: str) -> tuple[bytes, str]:
    """``report.docx`` (bytes) and ``public.html`` (text) from the report context of the notebook's quarter
    and profile over the tables in ``out_dir`` (TT 01/2018 or the index, as the folder's manifest says)."""
    from tthc.report import document

    values = run_parameters(nb)
    quarter, profile = values.get("quarter"), values.get("profile")
    if not quarter or not profile:
        raise ExportError(
            f"Sổ tay {name} không cho biết quý (quarter) và hồ sơ (profile) đã chạy; "
            "không lập được report.docx và public.html."
        )
    context = document.build_context(out_dir, str(profile), str(quarter))  # under the folder's scheme
    return document.word(context), document.public_page(context)


def export_report(
    notebook_path: str | os.PathLike, out_dir: str | os.PathLike, stem: str = "report"
) -> tuple[Path, Path]:
    """``<out_dir>/report.html`` and ``<out_dir>/report.pdf`` from the executed report notebook (returned),
    and beside them ``<out_dir>/report.docx`` and ``<out_dir>/public.html``.

    All four are rendered in memory first, then written to temporary files in ``out_dir`` and moved into
    place with ``os.replace``: if anything fails, the previous report stays as it was.
    """
    notebook_path, out_dir = Path(notebook_path), Path(out_dir)
    nb = nbformat.read(notebook_path, as_version=4)
    resources = {"metadata": {"name": notebook_path.stem, "path": str(notebook_path.parent)}}
    html, _ = OfficialHTMLExporter().from_notebook_node(nb, resources=resources)
    pdf = html_to_pdf(html)
    docx, public = documents(nb, out_dir, notebook_path.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = (out_dir / f"{stem}.html", out_dir / f"{stem}.pdf", out_dir / f"{stem}.docx", out_dir / PUBLIC_PAGE)
    temps: list[Path] = []
    try:
        for target, data in zip(targets, (html.encode("utf-8"), pdf, docx, public.encode("utf-8")), strict=True):
            temps.append(_write_atomic(target, data))
        for tmp, target in zip(temps, targets, strict=True):
            os.replace(tmp, target)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return targets[0], targets[1]
