"""Real exports that lie, end to end: each one is graded as the clean file is, or refused with a Vietnamese
message (exit 2, nothing written). The files are the corpus cases (tests/corpus) or built here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tthc.cli import main
from tthc.input.loading import load_quarter
from tthc.parameters.ruleset import ruleset_for
from tthc.quarter import Quarter

CASES = Path(__file__).parent / "corpus" / "cases"
QUARTER = Quarter.parse("2021-Q2")
RULES = ruleset_for(QUARTER.bounds()[0])
TABLES = ("grades.csv", "officials.csv", "official_indicators.csv", "unit_indicators.csv", "satisfaction.csv")


def _grade(data: Path, out: Path) -> int:
    return main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)])


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "out"
    assert _grade(CASES / "ok", out) == 0
    return out


@pytest.mark.parametrize("case", ["portal_column_and_total_row", "sheets_split_over_pages", "far_stray_cell",
                                  "semicolons_in_comma_csv"])
def test_a_representation_problem_grades_as_the_clean_file(case, clean, tmp_path):
    out = tmp_path / "out"
    assert _grade(CASES / case, out) == 0
    for name in TABLES:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    scores = pd.read_csv(out / "dossier_scores.csv", dtype=str)
    assert sorted(scores["dossier_id"].unique()) == ["D1", "D2", "D3", "D4", "D5", "D6"]


def test_rows_read_from_several_sheets_name_their_sheet_everywhere(tmp_path):
    out = tmp_path / "out"
    assert _grade(CASES / "sheets_split_over_pages", out) == 0
    scores = pd.read_csv(out / "dossier_scores.csv", dtype=str).drop_duplicates("dossier_id").set_index("dossier_id")
    assert scores.at["D1", "source_file"] == "2021-Q2/dossiers.xlsx [Trang 1]" and scores.at["D1", "source_row"] == "5"
    assert scores.at["D4", "source_file"] == "2021-Q2/dossiers.xlsx [Trang 2]" and scores.at["D4", "source_row"] == "2"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    accounting = manifest["row_accounting"]["2021-Q2/dossiers.xlsx"]
    assert (accounting["read"], accounting["used"]) == (6, 6)
    assert accounting["sheets"] == {"2021-Q2/dossiers.xlsx [Trang 1]": {"read": 3, "excluded": {}},
                                    "2021-Q2/dossiers.xlsx [Trang 2]": {"read": 3, "excluded": {}}}
    [info] = [i for i in manifest["inputs"] if i["table"] == "dossiers"]
    assert info["sheet"] == "Trang 1, Trang 2"


def test_findings_on_a_later_sheet_name_that_sheet(tmp_path):
    from builders import corpus_builder

    build = corpus_builder()
    data = tmp_path / "data"
    shutil.copytree(CASES / "ok", data)
    rows = build.DOSSIERS
    bad = list(rows[5])
    bad[2] = "ngày 7 tháng 4"  # an unreadable date on Trang 2
    again = list(rows[1])  # D1 again, on Trang 2: a duplicate of Trang 1's row 2
    (data / "2021-Q2" / "dossiers.csv").unlink()
    (data / "2021-Q2" / "dossiers.xlsx").write_bytes(build.xlsx_bytes(
        {"Trang 1": rows[:5], "Trang 2": [rows[0], bad, rows[6], again]}))
    inputs = load_quarter(data, QUARTER, RULES)
    found = {(f.code, f.file, f.row) for f in inputs.findings.items if f.severity != "info"}
    assert ("bad_date", "2021-Q2/dossiers.xlsx [Trang 2]", 2) in found
    [dup] = [f for f in inputs.findings.items if f.code == "duplicate_row"]
    assert dup.file == "2021-Q2/dossiers.xlsx [Trang 2]" and dup.row == 4
    assert "dòng 2 (2021-Q2/dossiers.xlsx [Trang 1])" in dup.message
    acc = inputs.accounting["2021-Q2/dossiers.xlsx"]
    assert (acc.read, acc.used) == (7, 5)
    page2 = acc.sheets["2021-Q2/dossiers.xlsx [Trang 2]"]
    assert page2.read == 3 and sum(page2.excluded.values()) == 2
    assert acc.sheets["2021-Q2/dossiers.xlsx [Trang 1]"].read == 4


@pytest.mark.parametrize("case,file,words", [
    ("xls_instead_of_xlsx", "2021-Q2/dossiers.xls", "dossiers.xlsx"),
    ("xls_optional_table", "2021-Q2/surveys.xls", "surveys.xlsx"),
    ("encrypted_xlsx", "2021-Q2/dossiers.xlsx", "mật khẩu"),
    ("unclosed_quote", "2021-Q2/dossiers.csv", "dòng 2, cột 'Cán bộ xử lý'"),
])
def test_refused_files_exit_2_with_a_vietnamese_message_and_write_nothing(case, file, words, tmp_path, capsys):
    out = tmp_path / "out"
    assert _grade(CASES / case, out) == 2
    err = capsys.readouterr().err
    assert file in err and words in err and "Traceback" not in err
    assert not out.exists()


def test_an_xls_beside_the_csv_is_a_warning(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(CASES / "ok", data)
    (data / "2021-Q2" / "dossiers.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    inputs = load_quarter(data, QUARTER, RULES)
    [warning] = [f for f in inputs.findings.items if f.code == "unsupported_format"]
    assert warning.severity == "warning" and warning.file == "2021-Q2/dossiers.xls"
    assert "dossiers.csv" in warning.message


def test_an_oversize_cell_is_refused_with_its_row_and_column(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(CASES / "ok", data)
    path = data / "2021-Q2" / "surveys.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Hài lòng", "Hài lòng" + " nhưng" * 40_000)  # ~240,000 characters in one cell
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _grade(data, out) == 2
    err = capsys.readouterr().err
    assert "tệp 2021-Q2/surveys.csv, dòng 3, cột 'Mức độ hài lòng'" in err and "131.072" in err
    assert "field larger" not in err and not out.exists()


def test_a_link_to_a_file_outside_the_data_folder_is_refused(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(CASES / "ok", data)
    elsewhere = tmp_path / "elsewhere" / "dossiers.csv"
    elsewhere.parent.mkdir()
    shutil.move(data / "2021-Q2" / "dossiers.csv", elsewhere)
    (data / "2021-Q2" / "dossiers.csv").symlink_to(elsewhere)
    out = tmp_path / "out"
    assert _grade(data, out) == 2
    err = capsys.readouterr().err
    assert "2021-Q2/dossiers.csv" in err and str(elsewhere) in err and "ngoài thư mục dữ liệu" in err
    assert not out.exists()


def test_links_inside_the_data_folder_are_read_and_broken_ones_refused(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(CASES / "ok", data)
    (data / "shared").mkdir()
    shutil.move(data / "units.csv", data / "shared" / "units.csv")
    (data / "units.csv").symlink_to(Path("shared") / "units.csv")  # relative, inside the data folder
    inputs = load_quarter(data, QUARTER, RULES)
    assert len(inputs.units) == 3
    (data / "2021-Q2" / "surveys.csv").unlink()
    (data / "2021-Q2" / "surveys.csv").symlink_to(tmp_path / "gone.csv")
    out = tmp_path / "out"
    assert _grade(data, out) == 2
    err = capsys.readouterr().err
    assert "2021-Q2/surveys.csv" in err and "gone.csv" in err and "không tồn tại" in err


def test_a_linked_data_folder_is_its_own_place(tmp_path):
    real = tmp_path / "real"
    shutil.copytree(CASES / "ok", real)
    link = tmp_path / "data"
    link.symlink_to(real)  # the profile's data folder itself is a link: its files are inside it
    inputs = load_quarter(link, QUARTER, RULES)
    assert len(inputs.table("dossiers")) == 6


def test_a_quarter_folder_linked_from_elsewhere_is_refused(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(CASES / "ok", data)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(data / "2021-Q2", elsewhere)
    (data / "2021-Q2").symlink_to(elsewhere, target_is_directory=True)
    out = tmp_path / "out"
    assert _grade(data, out) == 2
    err = capsys.readouterr().err
    assert str(elsewhere / "dossiers.csv") in err and "ngoài thư mục dữ liệu" in err and not out.exists()


def test_a_text_file_instead_of_a_csv_is_an_error_saying_to_rename_it(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(CASES / "ok", data)
    (data / "2021-Q2" / "unit_evidence.csv").rename(data / "2021-Q2" / "unit_evidence.txt")
    inputs = load_quarter(data, QUARTER, RULES, strict=False)
    [error] = inputs.findings.errors
    assert (error.code, error.file) == ("unsupported_format", "2021-Q2/unit_evidence.txt")
    assert "unit_evidence.csv" in error.suggestion
