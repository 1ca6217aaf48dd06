"""``public.html`` of the graded sample: what it publishes and what it must not, and in a real headless
Chromium (Debian's ``/usr/bin/chromium`` driven by Playwright) that it loads offline, sorts and filters.

The browser tests fail, never skip, when Chromium or Playwright is missing: scripts/install-system.sh
installs Chromium and the dev extra installs Playwright.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tthc import PROJECT_ROOT
from tthc.cli import main as tthc_main
from tthc.report import public_page

DATA = PROJECT_ROOT / "data" / "dien-bien-dong"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ROWS = "#results tbody tr"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("public") / "out"
    assert tthc_main(["grade", "--quarter", "2021-Q2", "--data", str(DATA), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def html(graded) -> str:
    return public_page.build_public_page("2021-Q2", "dien-bien-dong", out_dir=graded, root=PROJECT_ROOT)


@pytest.fixture(scope="module")
def page_file(graded, html) -> Path:
    path = graded / "public.html"
    path.write_text(html, encoding="utf-8")
    return path


# --- the file -------------------------------------------------------------------------------------------


def test_same_inputs_same_page(graded, html):
    assert public_page.build_public_page("2021-Q2", "dien-bien-dong", out_dir=graded, root=PROJECT_ROOT) == html


def test_self_contained_and_accessible(html):
    assert html.startswith("<!DOCTYPE html>") and '<html lang="vi">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "default-src 'none'" in html  # the Content-Security-Policy forbids every fetch
    assert html.count("<caption>") == 1
    assert html.count('<th scope="col"') == 7 and html.count('<th scope="row"') == 27
    assert "@media (max-width:" in html  # cards on a phone
    assert not re.search(r"https?://", html)
    assert not re.search(r"""\b(?:src|href|srcset|action)\s*=""", html, re.I)
    assert not re.search(r"<(?:link|img|iframe|object|embed|audio|video|source)\b", html, re.I)
    assert "@import" not in html and "url(" not in html


def test_publishes_no_names_no_ids(graded, html):
    officials = {row["official"] for row in _csv(graded / "officials.csv")}
    assert officials and not any(name in html for name in officials)
    assert "Bùi Ngọc La" not in html  # nor the signer
    dossiers = {row["dossier_id"] for row in _csv(graded / "dossier_scores.csv")}
    assert len(dossiers) > 100 and not any(re.search(rf"\b{re.escape(d)}\b", html) for d in dossiers)
    units = {row["unit_id"] for row in _csv(graded / "grades.csv")}
    assert not any(re.search(rf"\b{re.escape(u)}\b", html) for u in units)


def test_rows_are_the_graded_units_with_rank_within_level(graded, html):
    grades = _csv(graded / "grades.csv")
    rows = public_page.rows(_context(graded))
    assert [r["unit_name"] for r in rows] == [g["unit_name"] for g in grades]
    assert [r["result"] for r in rows] == [g["result"] for g in grades]
    assert [r["total_value"] for r in rows] == [g["total"] for g in grades]
    rank = {r["unit_name"]: r["rank"] for r in rows}
    assert rank["Phòng Tài chính - Kế hoạch"] == "1" and rank["UBND Thị trấn Điện Biên Đông"] == "1"
    assert rank["Phòng Nội vụ"] == rank["Phòng Tư pháp"] == "2"  # 16,0 shared: same rank
    assert rank["Phòng Tài nguyên và Môi trường"] == "8"
    assert rank["Phòng Y tế"] == "" and rank["UBND xã Tìa Dình"] == ""  # statuses are not ranked
    assert ">Chưa phát sinh hồ sơ<" in html and ">16,8<" in html


def _context(graded: Path) -> dict:
    from tthc.report import context as report

    params, _ = report.load_parameters("dien-bien-dong", "2021-Q2", PROJECT_ROOT)
    return report.build_context(graded, params, "2021-Q2")


# --- in a browser ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's Chromium through Playwright, with a fresh profile; missing pieces fail with what to install."""
    if not CHROMIUM.is_file():
        pytest.fail(f"Không có Chromium tại {CHROMIUM}: chạy scripts/install-system.sh (apt-get install chromium).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Thiếu gói Python playwright: pip install -e '.[dev]' (không cần 'playwright install').")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1200, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


class Recorder:
    """Every request a page makes; any request for something other than the page itself is aborted."""

    def __init__(self, context, allowed: str):
        self.allowed, self.requests, self.aborted, self.errors, self.failed = allowed, [], [], [], {}
        self.page = context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", lambda request: self.failed.update({request.url: request.failure}))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.route("**/*", self._route)

    def _route(self, route):
        if route.request.url == self.allowed:
            route.continue_()
        else:
            self.aborted.append(route.request.url)
            route.abort()

    def open(self):
        self.page.goto(self.allowed, wait_until="load")
        return self.page


@pytest.fixture
def opened(browser, page_file):
    recorder = Recorder(browser, page_file.as_uri())
    page = recorder.open()
    yield recorder, page
    page.close()


def _column(page, index: int) -> list[str]:
    return page.eval_on_selector_all(ROWS, f"rows => rows.filter(r => !r.hidden).map(r => r.cells[{index}]"
                                           ".getAttribute('data-value'))")


@pytest.mark.slow
def test_loads_offline_without_a_single_request_but_itself(opened, page_file):
    recorder, page = opened
    assert recorder.requests == [page_file.as_uri()]
    assert recorder.aborted == [] and recorder.errors == []
    assert page.locator("#controls").is_visible()  # the inline script ran
    assert page.locator("#shown").inner_text() == "Đang hiển thị 27/27 đơn vị."
    assert page.evaluate("document.documentElement.lang") == "vi"


@pytest.mark.slow
def test_the_offline_check_would_see_a_request(browser, page_file, tmp_path):
    """The harness's control: the same page with an image from elsewhere. The recorder sees the attempt;
    with the page's policy the browser blocks it before the network (the route never sees it), without the
    policy the route sees it (and aborts it)."""
    html = page_file.read_text(encoding="utf-8").replace(
        "</main>", '<img alt="" src="https://example.invalid/x.png"></main>'
    )
    guarded = tmp_path / "guarded.html"
    guarded.write_text(html, encoding="utf-8")
    recorder = Recorder(browser, guarded.as_uri())
    recorder.open().close()
    assert recorder.requests == [guarded.as_uri(), "https://example.invalid/x.png"]
    assert recorder.aborted == [] and "csp" in recorder.failed["https://example.invalid/x.png"].lower()
    bare = tmp_path / "bare.html"
    bare.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html), encoding="utf-8")
    recorder = Recorder(browser, bare.as_uri())
    page = recorder.open()
    page.wait_for_timeout(200)
    page.close()
    assert "https://example.invalid/x.png" in recorder.aborted


@pytest.mark.slow
def test_sorting_by_total(opened):
    _, page = opened
    header = page.locator("thead th").nth(4)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    totals = _column(page, 4)
    numbers = [Decimal(v) for v in totals if v]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) == 22
    assert totals[len(numbers):] == [""] * 5  # units without a total stay last
    assert page.locator(ROWS).first.locator("th").inner_text() == "Phòng Tài chính - Kế hoạch"  # 16,8
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    totals = _column(page, 4)
    numbers = [Decimal(v) for v in totals if v]
    assert numbers == sorted(numbers) and totals[len(numbers):] == [""] * 5
    assert page.locator(ROWS).first.locator("th").inner_text() == "UBND xã Phình Giàng"  # 7,6
    page.locator("thead th").nth(0).locator("button").click()  # back to the appendix's order
    assert [int(v) for v in _column(page, 0)] == list(range(1, 28))
    assert page.locator("thead th").nth(4).get_attribute("aria-sort") == "none"


@pytest.mark.slow
def test_sorting_by_unit_name_uses_vietnamese_order(opened):
    _, page = opened
    page.locator("thead th").nth(1).locator("button").click()
    names = _column(page, 1)
    assert names[0] == "Phòng Dân tộc" and names[-1] == "Văn phòng HĐND-UBND"
    assert names.index("UBND xã Chiềng Sơ") < names.index("UBND xã Háng Lìa") < names.index("UBND xã Xa Dung")


@pytest.mark.slow
def test_level_filter(opened):
    _, page = opened
    page.select_option("#level-filter", "xa")
    assert set(_column(page, 2)) == {"Cấp xã"} and len(_column(page, 2)) == 14
    assert page.locator("#shown").inner_text() == "Đang hiển thị 14/27 đơn vị."
    page.locator("thead th").nth(6).locator("button").click()  # sorting keeps the filter
    ranks = [int(v) for v in _column(page, 6) if v]
    assert ranks == sorted(ranks) and ranks[0] == 1 and len(_column(page, 6)) == 14
    page.select_option("#level-filter", "huyen")
    assert set(_column(page, 2)) == {"Cấp huyện"} and len(_column(page, 2)) == 13
    page.select_option("#level-filter", "")
    assert len(_column(page, 2)) == 27
    assert page.locator("#shown").inner_text() == "Đang hiển thị 27/27 đơn vị."


@pytest.mark.slow
def test_readable_on_a_phone(opened):
    _, page = opened
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    label = page.evaluate(
        "getComputedStyle(document.querySelector('#results tbody td:nth-of-type(4)'), '::before').content"
    )
    assert "Tổng điểm thẩm định" in label  # each value is labelled in the card layout


@pytest.mark.slow
def test_report_html_printed_from_the_browser_has_no_blank_page(browser, tmp_path):
    """The report's HTML as an analyst prints it from Chromium: the charts (screen only) come after the
    landscape appendix in their own output and must not leave a blank page behind."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_output
    from test_export import make_notebook
    from test_report import write_seed_outputs

    from tthc.report import export

    out = write_seed_outputs(tmp_path / "out")
    nb = nbformat.read(make_notebook(tmp_path / "report.ipynb", out), as_version=4)
    charts = '<section class="tthc-charts tthc-screen-only"><h2>Biểu đồ</h2><p>…</p></section>'
    nb.cells.append(new_code_cell("display(HTML(charts))", execution_count=9,
                                  outputs=[new_output("display_data", data={"text/html": charts})]))
    html, _ = export.OfficialHTMLExporter().from_notebook_node(nb, resources={"metadata": {"name": "report"}})
    source = tmp_path / "report.html"
    source.write_text(html, encoding="utf-8")
    page = browser.new_page()
    page.goto(source.as_uri())
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    page.close()
    assert shutil.which("pdftotext") and shutil.which("pdfinfo"), "poppler-utils is not installed: make system"
    count = int(re.search(r"^Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                                                              text=True).stdout, re.M).group(1))
    pages = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], check=True,
                            capture_output=True, text=True).stdout for n in range(1, count + 1)]
    assert count >= 5 and all(text.strip() for text in pages), [len(t.strip()) for t in pages]
    assert "Ghi chú:" in pages[-1] and "Biểu đồ" not in " ".join(pages)
