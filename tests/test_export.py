"""The official HTML and PDF from an executed report notebook (made with nbformat: no kernel, no engine)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from test_report import HUYEN_SENTENCE, XA_SENTENCE, write_seed_outputs

from tthc import PROJECT_ROOT
from tthc.report import context as rp
from tthc.report import docx as docx_report
from tthc.report import export

pytestmark = pytest.mark.slow
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdfinfo"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (make system) is not installed")
SOURCE_MARKER = "SOURCE_ONLY_MARKER_42"
MM = 72 / 25.4


def make_notebook(path: Path, out_dir: Path, *, error: bool = False) -> Path:
    """An executed report notebook as papermill leaves it: parameters, injected parameters, report output."""
    doc = rp.build_report("2021-Q2", "dien-bien-dong", out_dir=out_dir, root=PROJECT_ROOT)
    report_output = new_output(
        "display_data",
        data={"text/html": doc.html, "text/plain": "<IPython.core.display.HTML object>"},
        metadata={"tthc": {"title": doc.title}},
    )
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        new_markdown_cell("Ghi chú nội bộ của người lập", metadata={"tags": ["remove-cell"]}),
        new_code_cell('quarter = "2021-Q1"\nprofile = "dien-bien-dong"', metadata={"tags": ["parameters"]},
                      execution_count=1),
        new_code_cell('quarter = "2021-Q2"', metadata={"tags": ["injected-parameters"]}, execution_count=2),
        new_code_cell(f"{SOURCE_MARKER} = 1\nimport sys", execution_count=3),
        new_code_cell("display(HTML(doc.html))", execution_count=4, outputs=[report_output]),
    ]
    if error:
        nb.cells.append(
            new_code_cell(
                "1 / 0",
                execution_count=5,
                outputs=[
                    new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])
                ],
            )
        )
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    out = write_seed_outputs(root / "out")
    notebook = make_notebook(root / "report.ipynb", out)
    html_path, pdf_path = export.export_report(notebook, out)
    return notebook, out, html_path, pdf_path


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _pdftotext(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [] if first is None else ["-f", str(first), "-l", str(last or first)]
    return subprocess.run(
        ["pdftotext", *pages, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(count), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return [
        (float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    ]


def test_html_is_the_official_document(exported):
    _, _, html_path, _ = exported
    html = html_path.read_text(encoding="utf-8")
    assert html_path.name == "report.html"
    assert HUYEN_SENTENCE in html and XA_SENTENCE in html
    assert "Quý II năm 2021" in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("Báo cáo kết quả chấm điểm") and "Quý II năm 2021" in title
    assert '<html lang="vi">' in html


def test_html_hides_code_and_parameters_and_is_self_contained(exported):
    html = exported[2].read_text(encoding="utf-8")
    for absent in (
        SOURCE_MARKER,
        "injected-parameters",
        'quarter = "2021',
        "display(HTML",
        "Ghi chú nội bộ",
        "jp-InputArea",
        "jp-CodeCell",
        "In&nbsp;[",
        "<script",
        "mathjax",
        "require.js",
    ):
        assert absent.lower() not in html.lower(), absent
    assert not re.search(r"https?://", html)
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!data:|#)""", html)


@needs_poppler
def test_pdf_text_carries_the_sentences(exported):
    pdf = exported[3]
    text = _flat(_pdftotext(pdf))
    assert HUYEN_SENTENCE in text and XA_SENTENCE in text
    assert "Quý II năm 2021" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Bùi Ngọc La" in text
    assert SOURCE_MARKER not in text


@needs_poppler
def test_pdf_uses_one_serif_family(exported):
    out = subprocess.run(["pdffonts", str(exported[3])], check=True, capture_output=True, text=True).stdout
    names = [line.split()[0] for line in out.splitlines()[2:] if line.strip()]
    assert names
    families = {re.sub(r"^[A-Z]{6}\+", "", n).split("-Bold")[0].split("-Italic")[0] for n in names}
    assert families == {"Liberation-Serif"}, names
    assert all(" yes " in line for line in out.splitlines()[2:] if line.strip())  # embedded


@needs_poppler
def test_pdf_is_a4_with_a_landscape_appendix_and_page_numbers(exported):
    pdf = exported[3]
    sizes = _page_sizes(pdf)
    a4 = (595.28, 841.89)
    appendix_first = next(i for i in range(1, len(sizes) + 1) if "Phụ lục" in _pdftotext(pdf, i))
    assert appendix_first > 1
    for number, (width, height) in enumerate(sizes, start=1):
        expected = a4 if number < appendix_first else a4[::-1]
        assert (width, height) == pytest.approx(expected, abs=1), number
    assert "KẾT QUẢ CHẤM ĐIỂM" in _pdftotext(pdf, appendix_first)
    first_lines = [_pdftotext(pdf, n).strip().splitlines()[0].strip() for n in range(1, len(sizes) + 1)]
    assert first_lines[0] != "1"  # no number on the first page
    assert first_lines[1 : appendix_first - 1] == [str(n) for n in range(2, appendix_first)]
    # NĐ 30: the appendix is numbered on its own, its first page without a number
    assert first_lines[appendix_first - 1] == "Phụ lục"
    assert first_lines[appendix_first:] == [str(n) for n in range(2, len(sizes) - appendix_first + 2)]


@needs_poppler
def test_pdf_appendix_closing_note_is_not_alone_on_a_page(exported):
    pdf = exported[3]
    last = len(_page_sizes(pdf))
    text = _flat(_pdftotext(pdf, last))
    assert "Ghi chú:" in text and "UBND xã số 27" in text  # the last unit's row and the note share a page
    assert "lựa chọn tính điểm" not in _flat(_pdftotext(pdf)).lower()  # settings are not in the signed document


@needs_poppler
def test_pdf_first_page_respects_nd30_margins(exported, tmp_path):
    bbox = tmp_path / "bbox.html"
    subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(exported[3]), str(bbox)], check=True)
    boxes = [
        tuple(map(float, m))
        for m in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"',
            bbox.read_text(encoding="utf-8"),
        )
    ]
    assert boxes
    assert min(b[0] for b in boxes) >= 30 * MM - 1  # left 30-35 mm
    assert max(b[2] for b in boxes) <= 595.28 - 15 * MM + 1  # right 15-20 mm
    assert min(b[1] for b in boxes) >= 20 * MM - 1  # top 20-25 mm
    assert max(b[3] for b in boxes) <= 841.89 - 20 * MM + 1  # bottom 20-25 mm


def test_failed_export_leaves_the_previous_report(tmp_path, monkeypatch):
    out = write_seed_outputs(tmp_path / "out")
    (out / "report.html").write_text("BÁO CÁO CŨ", encoding="utf-8")
    (out / "report.pdf").write_bytes(b"%PDF old")
    (out / "report.docx").write_bytes(b"PK old")
    (out / "public.html").write_text("TRANG CŨ", encoding="utf-8")
    broken = make_notebook(tmp_path / "broken.ipynb", out, error=True)
    with pytest.raises(export.ExportError, match="ZeroDivisionError"):
        export.export_report(broken, out)

    def no_pdf(html):
        raise RuntimeError("PDF renderer failed")

    monkeypatch.setattr(export, "html_to_pdf", no_pdf)
    with pytest.raises(RuntimeError, match="PDF renderer failed"):
        export.export_report(make_notebook(tmp_path / "ok.ipynb", out), out)
    def no_docx(context):
        raise RuntimeError("Word writer failed")

    monkeypatch.undo()
    monkeypatch.setattr(docx_report, "render", no_docx)
    with pytest.raises(RuntimeError, match="Word writer failed"):
        export.export_report(make_notebook(tmp_path / "ok.ipynb", out), out)
    assert (out / "report.html").read_text(encoding="utf-8") == "BÁO CÁO CŨ"
    assert (out / "report.pdf").read_bytes() == b"%PDF old"
    assert (out / "report.docx").read_bytes() == b"PK old"
    assert (out / "public.html").read_text(encoding="utf-8") == "TRANG CŨ"
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_export_writes_the_word_document_and_the_public_page(exported):
    _, out, _, _ = exported
    assert (out / "report.docx").read_bytes()[:2] == b"PK"
    public = (out / "public.html").read_text(encoding="utf-8")
    assert "UBND xã số 27" in public and "Bùi Ngọc La" not in public


def test_a_notebook_that_does_not_name_its_quarter_and_profile_is_refused(tmp_path):
    out = write_seed_outputs(tmp_path / "out")
    notebook = make_notebook(tmp_path / "report.ipynb", out)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if not {"parameters", "injected-parameters"} & set(c.metadata.get("tags", []))]
    nbformat.write(nb, notebook)
    with pytest.raises(export.ExportError, match="profile"):
        export.export_report(notebook, out)
    assert not (out / "report.html").exists() and not (out / "report.docx").exists()


def test_run_parameters_precedence(tmp_path):
    nb = nbformat.read(make_notebook(tmp_path / "report.ipynb", write_seed_outputs(tmp_path / "out")), 4)
    assert export.run_parameters(nb)["quarter"] == "2021-Q2"  # the injected cell overrides the default
    assert export.run_parameters(nb)["profile"] == "dien-bien-dong"
    nb.metadata["papermill"] = {"parameters": {"quarter": "2021-Q1"}}
    assert export.run_parameters(nb)["quarter"] == "2021-Q1"
    nb.cells[-1].outputs[0].metadata["tthc"]["profile"] = "khac"
    assert export.run_parameters(nb)["profile"] == "khac"


def test_nbconvert_command_line_gives_the_same_html(exported, tmp_path):
    notebook, _, html_path, _ = exported
    registered = {ep.name for ep in entry_points(group="nbconvert.exporters")}
    target = "tthc_html" if "tthc_html" in registered else "tthc.report.export.OfficialHTMLExporter"
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", target, str(notebook), "--output-dir", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == html_path.read_text(encoding="utf-8")


#: Renders the report in a fresh process, warmed up or not, with WeasyPrint's HarfBuzz subsetter or its
#: fontTools fallback (the one a machine without ``libharfbuzz-subset0`` uses).
EXPORT_SCRIPT = """\
import sys
import weasyprint.pdf.fonts
from tthc.report import export
notebook, out, warm, subsetter = sys.argv[1:]
if subsetter == "fonttools":
    weasyprint.pdf.fonts.harfbuzz_subset = None
elif weasyprint.pdf.fonts.harfbuzz_subset is None:
    sys.exit("no HarfBuzz-Subset")
if warm == "warm":
    export.warm_up()
export.export_report(notebook, out)
"""


def _harfbuzz_subset_available() -> bool:
    from weasyprint.pdf import fonts

    return fonts.harfbuzz_subset is not None


def _export_in_fresh_process(notebook: Path, out: Path, warm: str, subsetter: str, epoch: int):
    # SOURCE_DATE_EPOCH is fontTools' "now": the two processes run at clearly different times.
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    write_seed_outputs(out)  # the tables the Word document and the public page read
    subprocess.run([sys.executable, "-c", EXPORT_SCRIPT, str(notebook), str(out), warm, subsetter],
                   check=True, capture_output=True, cwd=PROJECT_ROOT, env=env)
    return tuple((out / name).read_bytes() for name in ("report.html", "report.pdf", "report.docx", "public.html"))


@pytest.mark.parametrize("subsetter", ["harfbuzz", "fonttools"])
def test_warming_up_the_exporters_changes_no_byte(exported, tmp_path, subsetter):
    """``tthc run`` warms the exporters up (a tiny document through nbconvert and WeasyPrint) before the
    export: the report is the same, byte for byte, as from a process that did not, and as one rendered at
    another time, whichever font subsetter WeasyPrint has (HarfBuzz, or fontTools without
    ``libharfbuzz-subset0``)."""
    assert subsetter == "fonttools" or _harfbuzz_subset_available(), \
        "libharfbuzz-subset0 is not installed: run `make system` (scripts/install-system.sh installs it)"
    notebook = exported[0]
    cold = _export_in_fresh_process(notebook, tmp_path / "cold", "cold", subsetter, 1_600_000_000)
    warm = _export_in_fresh_process(notebook, tmp_path / "warm", "warm", subsetter, 1_700_000_000)
    assert warm == cold
    assert cold[0] == exported[2].read_bytes()
    assert cold[2] == (exported[1] / "report.docx").read_bytes()  # another process, same Word bytes
    if subsetter == "harfbuzz":
        assert cold[1] == exported[3].read_bytes()  # the test process itself renders with HarfBuzz here
    elif _harfbuzz_subset_available():
        assert cold[1] != exported[3].read_bytes()  # the fallback really ran: other subset fonts


def test_embedded_fonts_keep_their_own_date(exported):
    """The fix for the fontTools fallback: WeasyPrint's ``TTFont`` keeps a font's ``head.modified``."""
    import io

    from fontTools.ttLib import TTFont
    from weasyprint.pdf import fonts

    export.keep_font_dates()
    export.keep_font_dates()  # idempotent: one subclass, not a chain
    assert fonts.TTFont.__mro__[1] is TTFont
    source = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
    assert source.is_file(), "fonts-liberation2 is not installed: run `make system`"
    font = fonts.TTFont(io.BytesIO(source.read_bytes()))
    saved = io.BytesIO()
    font.save(saved)
    assert TTFont(io.BytesIO(saved.getvalue()))["head"].modified == TTFont(str(source))["head"].modified


def test_exporters_are_registered_for_nbconvert():
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'tthc_html = "tthc.report.export:OfficialHTMLExporter"' in pyproject
    assert 'tthc_pdf = "tthc.report.export:OfficialPDFExporter"' in pyproject
    registered = {ep.name: ep for ep in entry_points(group="nbconvert.exporters")}
    if "tthc_pdf" not in registered:
        pytest.skip("tthc is installed without the nbconvert entry points: reinstall (make setup)")
    assert registered["tthc_pdf"].load() is export.OfficialPDFExporter


def test_report_notebook_is_thin_and_clean():
    path = PROJECT_ROOT / "notebooks" / "05_report.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    params = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1
    namespace: dict = {}
    exec("".join(params[0]["source"]), namespace)  # our own parameters cell
    assert {k: namespace[k] for k in ("quarter", "profile", "data_dir", "out_dir")} == {
        "quarter": "2021-Q2",
        "profile": "dien-bien-dong",
        "data_dir": None,
        "out_dir": None,
    }


def test_report_notebook_runs_with_papermill(tmp_path):
    papermill = pytest.importorskip("papermill")
    from jupyter_client.kernelspec import KernelSpecManager

    if "python3" not in KernelSpecManager().find_kernel_specs():
        pytest.skip("no python3 kernel installed")
    out = write_seed_outputs(tmp_path / "out")
    executed = tmp_path / "05_report.ipynb"
    papermill.execute_notebook(
        str(PROJECT_ROOT / "notebooks" / "05_report.ipynb"),
        str(executed),
        parameters={"quarter": "2021-Q2", "out_dir": str(out)},
        cwd=str(PROJECT_ROOT / "notebooks"),
        progress_bar=False,
    )
    html_path, pdf_path = export.export_report(executed, out)
    html = html_path.read_text(encoding="utf-8")
    assert HUYEN_SENTENCE in html and "injected-parameters" not in html and "build_report" not in html
    assert pdf_path.stat().st_size > 10_000
