"""``tthc verify`` covers the report (``run-manifest.json``) and finds the data where it was given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import dossier, write_quarter

from tthc import PROJECT_ROOT
from tthc.cli import main
from tthc.run import run_manifest
from tthc.run.outputs import OUTPUT_FILES
from tthc.run.verify import verify


@pytest.fixture
def data(tmp_path):
    return write_quarter(tmp_path / "data", [dossier("D1"), dossier("D2", unit="X1", finished="2021-04-10")])


@pytest.fixture
def run_folder(data, tmp_path):
    """A graded folder with a run's report, notebook and chart, recorded as ``tthc run`` records them."""
    out = tmp_path / "out"
    assert main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)]) == 0
    (out / "report.html").write_text("<html>Báo cáo</html>", encoding="utf-8")
    (out / "report.pdf").write_bytes(b"%PDF-1.7 report")
    (out / "charts").mkdir()
    (out / "charts" / "phan_loai_theo_cap.png").write_bytes(b"\x89PNG chart")
    run_manifest.write(out, OUTPUT_FILES)
    return out


def kinds(report) -> set[tuple[str, str]]:
    return {(d.kind, d.name) for d in report.differences}


def test_the_run_manifest_records_report_tables_and_files(run_folder):
    record = json.loads((run_folder / "run-manifest.json").read_text(encoding="utf-8"))
    assert set(record["report"]) == {"report.html", "report.pdf"}
    assert set(record["built_from"]) == set(OUTPUT_FILES)
    assert set(record["files"]) == {"charts/phan_loai_theo_cap.png"}
    assert all(len(e["sha256"]) == 64 and e["size"] > 0 for s in ("report", "built_from", "files")
               for e in record[s].values())


def test_a_report_built_from_these_tables_verifies(run_folder, capsys):
    report = verify(run_folder)
    assert report.identical and report.checked_run_files == 3
    assert main(["verify", str(run_folder)]) == 0
    assert "báo cáo lập từ đúng các bảng này" in capsys.readouterr().out


def test_new_tables_beside_an_old_report_are_different(run_folder, data, capsys):
    """What a killed run used to leave: tables of another grading beside the report (here the appraiser
    changed the data and graded again by hand into the folder)."""
    write_quarter(data, [dossier("D1"), dossier("D2", unit="X1", finished="2021-04-14")])
    from tthc.run.outputs import render, write_files
    from tthc.schemes.tt01.engine import grade_quarter

    write_files(render(grade_quarter(data, "2021-Q2")), run_folder)  # tables replaced, report kept
    report = verify(run_folder)
    assert not [d for d in report.differences if d.kind == "table"]  # the tables do match the data...
    assert ("report", "grades.csv") in kinds(report)  # ...but not the report
    assert main(["verify", str(run_folder)]) == 1
    out = capsys.readouterr().out
    assert "KHÁC" in out and "report.html, report.pdf được lập từ một grades.csv khác với grades.csv đang có" in out


@pytest.mark.parametrize("name", ["report.pdf", "report.html", "charts/phan_loai_theo_cap.png"])
def test_a_report_or_chart_edited_after_the_run_is_different(run_folder, name):
    path = run_folder / name
    path.write_bytes(path.read_bytes() + b" ")
    assert kinds(verify(run_folder)) == {("report", name)}


def test_a_missing_report_file_is_different(run_folder):
    (run_folder / "report.pdf").unlink()
    report = verify(run_folder)
    assert kinds(report) == {("report", "report.pdf")} and "không còn" in report.differences[0].message


def test_a_report_without_its_record_is_different(run_folder):
    (run_folder / "run-manifest.json").unlink()
    found = kinds(verify(run_folder))
    assert ("report", "report.html, report.pdf") in found
    assert ("extra", "charts/phan_loai_theo_cap.png") in found  # no manifest accounts for it now


def test_an_unreadable_record_is_different(run_folder):
    (run_folder / "run-manifest.json").write_text("{", encoding="utf-8")
    assert ("report", "run-manifest.json") in kinds(verify(run_folder))


def test_a_file_no_manifest_accounts_for_is_different(run_folder):
    (run_folder / "grades-old.csv").write_text("x", encoding="utf-8")
    assert kinds(verify(run_folder)) == {("extra", "grades-old.csv")}


# --- where the data is read again ----------------------------------------------------------------------


def test_a_relative_data_folder_is_found_from_anywhere(data, tmp_path, monkeypatch):
    """``--data data`` given in the folder above it: verify, started elsewhere, reads that folder, not the
    project's own ``data/``."""
    monkeypatch.chdir(tmp_path)
    assert main(["grade", "--quarter", "2021-Q2", "--data", "data", "--out", "out"]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["data_dir_absolute"] == str(data.resolve())
    assert manifest["data_dir"] == str(data.resolve())  # outside the project: absolute, not "data"
    assert Path(manifest["rule_set"]["file_absolute"]).is_file()
    monkeypatch.chdir(PROJECT_ROOT)
    report = verify(tmp_path / "out")
    assert report.identical and report.data_dir == data.resolve()


def test_the_project_folder_paths_stay_relative_and_absolute_both(tmp_path):
    sample = PROJECT_ROOT / "data" / "dien-bien-dong"
    if not (sample / "2021-Q2").is_dir():
        pytest.skip("the bundled sample is not present")
    out = tmp_path / "out"
    assert main(["grade", "--quarter", "2021-Q2", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["data_dir"] == "data/dien-bien-dong"
    assert manifest["data_dir_absolute"] == str(sample.resolve())
    assert manifest["rule_set"]["file"] == "parameters/rules/tt01-2018.yaml"


def test_an_older_manifest_without_absolute_paths_still_finds_its_data(data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    del manifest["data_dir_absolute"], manifest["rule_set"]["file_absolute"]
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report = verify(out)
    assert report.data_dir == data.resolve()
    assert kinds(report) == {("table", "manifest.json")}  # only the fields added since
