"""Formula injection: text whose first visible character is = + - @ is neutralised in every CSV and XLSX,
whatever spaces or invisible characters come before it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tthc.run.outputs import render
from tthc.sanitize import safe_text
from tthc.schemes.tt01.engine import grade_quarter

CASE = Path(__file__).parent / "corpus" / "cases" / "injection_unit_name"
#: Prefixes a reader does not see, or a spreadsheet skips, before a formula.
INVISIBLE = ["", " ", "\u00a0", "\u200b", "\ufeff", "\u200c", "\u200d", "\u2060", "\u3000", "\u00ad", "\u200e",
             " \u200b\u00a0"]


@pytest.mark.parametrize("prefix", INVISIBLE)
@pytest.mark.parametrize("formula", ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", '=HYPERLINK("x")'])
def test_a_formula_behind_invisible_characters_is_neutralised(prefix, formula):
    assert safe_text(prefix + formula) == "'" + prefix + formula


@pytest.mark.parametrize("text", ["\t=1", "\r=1", "\tx", "\u200b\t=1"])
def test_tab_and_carriage_return_starts_are_neutralised(text):
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["-5", "-5,5", "+3.25", " -5", "\u200b-5", "abc", " abc", "\u200babc", "", " ",
                                  "a=b", "Nguyễn Văn An", "5-3"])
def test_numbers_and_ordinary_text_are_left_alone(text):
    assert safe_text(text) == text


@pytest.fixture(scope="module")
def hidden_formulas(tmp_path_factory):
    """The injection case with formulas behind invisible characters: a unit's name, a dossier's channel and a
    survey's satisfaction (both invalid: they reach findings.csv as the value read)."""
    data = tmp_path_factory.mktemp("hidden") / "data"
    shutil.copytree(CASE, data)
    units = data / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace('X1,"=HYPERLINK', 'X1,"\u200b=HYPERLINK'),
                     encoding="utf-8")
    dossiers = data / "2021-Q2" / "dossiers.csv"
    dossiers.write_text(dossiers.read_text(encoding="utf-8").replace(",Trực tuyến,", ",\u00a0\u200b=1+2,", 1),
                        encoding="utf-8")
    surveys = data / "2021-Q2" / "surveys.csv"
    surveys.write_text(surveys.read_text(encoding="utf-8").replace("Rất hài lòng", "\ufeff@SUM(A1)", 1),
                       encoding="utf-8")
    return render(grade_quarter(data, "2021-Q2"))


def _csv(files, name):
    return pd.read_csv(io.BytesIO(files[name]), dtype=str, keep_default_na=False)


def test_findings_csv_neutralises_hidden_formulas(hidden_formulas):
    values = set(_csv(hidden_formulas, "findings.csv")["value"])
    assert "'\u00a0\u200b=1+2" in values
    assert "'\ufeff@SUM(A1)" in values


def test_grades_csv_neutralises_a_hidden_formula_in_a_unit_name(hidden_formulas):
    name = _csv(hidden_formulas, "grades.csv").set_index("unit_id").at["X1", "unit_name"]
    assert name.startswith("'") and name.lstrip("'\u200b").startswith("=HYPERLINK")


@pytest.mark.parametrize("book", ["grades.xlsx", "findings.xlsx"])
def test_xlsx_cells_with_hidden_formulas_are_text(hidden_formulas, tmp_path, book):
    path = tmp_path / book
    path.write_bytes(hidden_formulas[book])
    cells = [c for ws in openpyxl.load_workbook(path).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and any(s in c.value for s in ("HYPERLINK", "=1+2", "@SUM"))]
    assert cells
    for cell in cells:
        assert cell.data_type == "s" and cell.value.startswith("'"), repr(cell.value)
