"""``tthc run`` on a quarter graded on the NĐ 118/2025 index, end to end: a small quarter cut from the synthetic
province (five units of tinh-mau's 2026-Q2, its portal scores as a table), through the notebooks to the report,
the Word document, the public page and the charts; the same bytes from a second run; ``tthc verify`` passes;
input that cannot be graded stops the run before any notebook."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from tthc import PROJECT_ROOT
from tthc.cli import main as tthc_main
from tthc.report import index_charts
from tthc.run import pipeline
from tthc.run.verify import verify

SOURCE = PROJECT_ROOT / "data" / "tinh-mau"
QUARTER = "2026-Q2"
UNITS = ("S01", "S02", "S03", "X01", "X02", "X03")
PROVINCE = "TINH"
#: Files a run writes whose bytes depend only on the inputs (the executed notebooks carry their timings).
SAME_BYTES = ("grades.csv", "components.csv", "officials.csv", "citizens.csv", "dossier_scores.csv", "findings.csv",
              "report.html", "report.docx", "public.html", "report.pdf",
              *(f"charts/{name}.png" for name in index_charts.FIGURES))


def _cut(source: Path, target: Path, column: str, keep: set[str]) -> None:
    """The rows of a CSV whose ``column`` is in ``keep``, header and encoding (BOM included) as they were."""
    raw = source.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    index = rows[0].index(column)
    kept = [rows[0], *(r for r in rows[1:] if r[index] in keep)]
    with open(target, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(kept)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("tinh-nho") / "data"
    (data / QUARTER).mkdir(parents=True)
    _cut(SOURCE / "units.csv", data / "units.csv", "unit_id", set(UNITS))
    for name in ("dossiers.csv", "complaints.csv", "surveys.csv"):
        _cut(SOURCE / QUARTER / name, data / QUARTER / name, "unit_id", set(UNITS))
    _cut(SOURCE / QUARTER / "index_evidence.csv", data / QUARTER / "index_evidence.csv", "unit_id", {"*", *UNITS})
    _cut(SOURCE / QUARTER / "portal_scores.csv", data / QUARTER / "portal_scores.csv", "Mã đơn vị",
         {PROVINCE, *UNITS})
    return data


def _run(data: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tthc.cli", "run", "--quarter", QUARTER, "--profile", "tinh-mau",
                           "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)


@pytest.fixture(scope="module")
def runs(small, tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    first, second = root / "first" / QUARTER, root / "second" / QUARTER
    return (first, _run(small, first)), (second, _run(small, second))


@pytest.mark.slow
def test_the_run_writes_the_index_report_and_everything_beside_it(runs):
    (out, proc), _ = runs
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for name in ("grades.csv", "components.csv", "citizens.csv", "manifest.json", "report.html", "report.pdf",
                 "report.docx", "public.html", "run-manifest.json"):
        assert (out / name).is_file(), name
    assert sorted(p.name for p in (out / "charts").glob("*.png")) == sorted(f"{n}.png" for n in index_charts.FIGURES)
    tables = {p.name for p in (out / "tables").iterdir()}
    assert {"index_evidence.parquet", "portal_scores.parquet", "dossiers.parquet", "load.json"} <= tables
    for stage in pipeline.STAGES:
        nb = nbformat.read(out / "notebooks" / f"{stage}.ipynb", as_version=4)
        assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"], stage
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["scheme"] == "nd118"
    record = json.loads((out / "run-manifest.json").read_text(encoding="utf-8"))
    assert {"grades.csv", "components.csv", "citizens.csv", "manifest.json"} <= set(record["built_from"])


@pytest.mark.slow
def test_the_report_says_what_the_tables_say(runs):
    (out, proc), _ = runs
    assert proc.returncode == 0, proc.stderr
    with open(out / "grades.csv", encoding="utf-8", newline="") as handle:
        grades = list(csv.DictReader(handle))
    html = (out / "report.html").read_text(encoding="utf-8")
    for level, name in (("tinh", "Cấp tỉnh"), ("xa", "Cấp xã")):
        counts = Counter(r["result"] for r in grades if r["level"] == level)
        order = ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
        sentence = f"{name}: " + "; ".join(f"{counts[b]:02d} đơn vị đạt loại {b}" for b in order if counts[b]) + "."
        assert sentence in html
    province = next(r for r in grades if r["level"] == "toan_tinh")
    assert f"đạt {province['total'].replace('.', ',')}/100 điểm, xếp loại {province['result']}" in html
    assert "Phụ lục I" in html and "Phụ lục II" in html and "tỉnh Mẫu là tỉnh giả lập" in html
    assert "@page" in html and "A4" in html  # the official stylesheet: A4, page numbers
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(out / "report.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "BÁO CÁO" in text and "Phụ lục II" in text and "Cấp tỉnh:" in text


@pytest.mark.slow
def test_a_second_run_gives_the_same_bytes(runs):
    (first, one), (second, two) = runs
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    for name in SAME_BYTES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.slow
def test_the_run_verifies_with_its_report(runs, tmp_path):
    (out, proc), _ = runs
    assert proc.returncode == 0, proc.stderr
    checked = verify(out)
    assert checked.identical, checked.text()
    assert checked.checked_run_files > 0
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "report.docx").write_bytes((copy / "report.docx").read_bytes() + b"\0")
    assert {(d.kind, d.name) for d in verify(copy).differences} == {("report", "report.docx")}


def test_index_input_that_cannot_be_graded_exits_2_before_any_notebook(small, tmp_path, capsys, monkeypatch):
    """The command checks the index's own files (here two portal score files) before any kernel runs a notebook."""
    data = tmp_path / "data"
    shutil.copytree(small, data)
    (data / QUARTER / "portal_scores.json").write_text("{}", encoding="utf-8")
    started = []

    class Recorded(pipeline._Kernel):
        def start(self):
            started.append(self)
            return super().start()

    monkeypatch.setattr(pipeline, "_Kernel", Recorded)
    code = tthc_main(["run", "--quarter", QUARTER, "--profile", "tinh-mau", "--data", str(data), "--out",
                      str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "portal_scores" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert all(k.kc is None for k in started)
