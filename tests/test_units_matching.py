"""Units named in a quarter's files, matched to units.csv (issue 10 items 3 and 4): exactly, then by case and
spacing, then without diacritics or leading zeros only when that leaves one unit; an ambiguous name or id is
an error naming every candidate; ids are text, and "1" finds "01" with a finding, never by guessing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tthc.cli import main
from tthc.input.loading import load_quarter
from tthc.input.reading import ROW
from tthc.input.unit_matching import CASE, EXACT, FOLD, ZEROS, UnitMatcher, number_key
from tthc.parameters.ruleset import ruleset_for
from tthc.quarter import Quarter
from tthc.schemes.tt01.engine import grade_quarter

QUARTER = Quarter.parse("2021-Q2")
RULES = ruleset_for(QUARTER.bounds()[0])
HEADER = ["Mã hồ sơ", "Mã đơn vị", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả", "Kênh", "Số lần bổ sung",
          "Cán bộ xử lý"]


def _csv(path: Path, rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _xlsx(path: Path, rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def _registry(units: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(units, columns=["unit_id", "unit_name", "level"])
    frame[ROW] = range(2, len(frame) + 2)
    return frame


def _dossier_rows(units: list[str], per_unit: int = 3) -> list[list[object]]:
    """``per_unit`` dossiers for each unit, resolved on time in April 2021 (some with two-digit days)."""
    rows = []
    for u, unit in enumerate(units):
        for k in range(per_unit):
            day = 1 + (u + 7 * k) % 15
            rows.append([f"D{u:02d}-{k}", unit, f"{day:02d}/04/2021", f"{day + 10:02d}/04/2021",
                         f"{day + 5 + k:02d}/04/2021", "Trực tiếp", "0", f"Cán bộ {u}"])
    return rows


def _quarter(root: Path, units: list[list[object]], dossiers: list[list[object]], xlsx: bool = False,
             header: list[str] = HEADER, self_ids: list[object] | None = None) -> Path:
    _csv(root / "units.csv", [["unit_id", "unit_name", "level"], *units])
    folder = root / "2021-Q2"
    if xlsx:
        _xlsx(folder / "dossiers.xlsx", [header, *dossiers])
    else:
        _csv(folder / "dossiers.csv", [header, *dossiers])
    ids = self_ids if self_ids is not None else [u[0] for u in units]
    header_self = ["unit_id", *[f"i{n}" for n in range(1, 10)]]
    _csv(folder / "self_assessment.csv", [header_self, *[[i, *["2"] * 9] for i in ids]])
    return root


def _grade(data: Path, out: Path, capsys=None) -> tuple[int, dict[str, bytes]]:
    code = main(["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)])
    files = {p.name: p.read_bytes() for p in out.iterdir()} if out.exists() else {}
    return code, files


# ------------------------------------------------------------------------------------------------ matcher


def test_matching_goes_exact_then_case_and_spacing_then_diacritics_only_when_unique():
    matcher = UnitMatcher(_registry([("X1", "UBND xã Na Son", "xa"), ("X2", "UBND xã Nà Sơn", "xa"),
                                     ("H1", "Phòng Tư pháp", "huyen")]))
    assert matcher.resolve(None, "UBND xã Na Son").unit == "X1"
    assert matcher.resolve(None, "UBND xã Nà Sơn").unit == "X2"
    hit = matcher.resolve(None, "  ubnd  XÃ   NÀ SƠN ")
    assert (hit.unit, hit.how) == ("X2", CASE)
    decomposed = "UBND xã Nà Sơn".encode().decode()  # composed; the decomposed form must match too
    import unicodedata

    hit = matcher.resolve(None, unicodedata.normalize("NFD", decomposed))
    assert (hit.unit, hit.how) == ("X2", CASE)
    ambiguous = matcher.resolve(None, "UBND xa Na Son")
    assert ambiguous.unit is None and ambiguous.ambiguous and ambiguous.how == FOLD
    assert set(ambiguous.candidates) == {"X1", "X2"}
    hit = matcher.resolve(None, "Phong Tu Phap")  # unique once diacritics are dropped
    assert (hit.unit, hit.how) == ("H1", FOLD)


def test_ids_are_matched_exactly_first_and_by_leading_zeros_only_when_unique():
    matcher = UnitMatcher(_registry([("01", "A", "xa"), ("1", "B", "xa"), ("02", "C", "xa"), ("h3", "D", "xa"),
                                     ("H3", "E", "xa")]))
    assert (matcher.resolve("01", None).unit, matcher.resolve("1", None).unit) == ("01", "1")
    assert matcher.resolve("001", None).candidates == ("01", "1")  # both are "1" without their zeros
    hit = matcher.resolve("2", None)
    assert (hit.unit, hit.how) == ("02", ZEROS)
    assert (matcher.resolve("2.0", None).unit, matcher.resolve("0002", None).unit) == ("02", "02")
    assert (matcher.resolve("H3", None).unit, matcher.resolve("h3", None).how) == ("H3", EXACT)
    assert matcher.resolve(" H3 ", None).unit == "H3"
    assert matcher.resolve("H 3", None).unit is None  # spacing inside an id is not a way of writing it
    assert matcher.resolve("hЗ", None).unit is None  # a Cyrillic Ze is not a 3


@pytest.mark.parametrize("value,key", [("01", "1"), ("1", "1"), ("007", "7"), ("0", "0"), ("000", "0"),
                                       ("12.0", "12"), ("1.5", None), ("H01", None), ("", None), ("1e3", None)])
def test_number_key(value, key):
    assert number_key(value) == key


def test_a_number_is_never_suggested_for_another_number_that_shares_digits():
    matcher = UnitMatcher(_registry([("23", "UBND xã Phì Nhừ", "xa"), ("13", "UBND xã Na Son", "xa"),
                                     ("H2", "Phòng Nội vụ", "huyen")]))
    assert matcher.resolve("3", None).unit is None
    assert matcher.resolve("3", None).hint == ""
    assert matcher.resolve("33", None).hint == ""
    assert matcher.resolve("H02", None).hint == "Có phải là 'H2' (Phòng Nội vụ)?"  # a close code still helps
    assert matcher.resolve(None, "Phong Noi vu huyen").hint == "Có phải là 'H2' (Phòng Nội vụ)?"


# --------------------------------------------------------------------------------------- whole quarters

LOOKALIKES = [["H1", "Phòng Tư pháp", "huyen"], ["X1", "UBND xã Na Son", "xa"], ["X2", "UBND xã Nà Sơn", "xa"]]
NAME_HEADER = ["Mã hồ sơ", "Đơn vị giải quyết", *HEADER[2:]]


def test_a_name_matching_two_units_without_diacritics_stops_grading_and_names_both(tmp_path, capsys):
    names = ["Phòng Tư pháp", "UBND xa Na Son", "UBND xã Nà Sơn"]  # the export dropped the first commune's marks
    data = _quarter(tmp_path / "data", LOOKALIKES, _dossier_rows(names), header=NAME_HEADER)
    out = tmp_path / "out"
    code, files = _grade(data, out)
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "2021-Q2/dossiers.csv" in err and "dòng 5" in err and "Đơn vị giải quyết" in err
    assert "'X1' (UBND xã Na Son, units.csv dòng 3)" in err and "'X2' (UBND xã Nà Sơn, units.csv dòng 4)" in err
    assert "3 dòng" in err  # once per value, with the number of rows it covers
    assert "Traceback" not in err


def test_exact_names_beside_a_lookalike_go_to_their_own_units(tmp_path):
    names = ["Phòng Tư pháp", "UBND xã Na Son", "UBND XÃ  NÀ SƠN"]  # case and spacing differ: still unique
    data = _quarter(tmp_path / "data", LOOKALIKES, _dossier_rows(names), header=NAME_HEADER)
    result = grade_quarter(data, QUARTER)
    counts = {u.unit_id: u.dossiers for u in result.units}
    assert counts == {"H1": 3, "X1": 3, "X2": 3}
    assert {u.result for u in result.units} == {"Xuất sắc"}
    assert not [f for f in result.findings.items if f.code in ("unknown_unit", "unit_matched")]


def test_a_unique_name_without_diacritics_is_matched_and_said(tmp_path):
    units = [["H1", "Phòng Tư pháp", "huyen"], ["X1", "UBND xã Nà Sơn", "xa"]]
    data = _quarter(tmp_path / "data", units, _dossier_rows(["Phòng Tư pháp", "UBND xa Na Son"]),
                    header=NAME_HEADER)
    result = grade_quarter(data, QUARTER)
    assert {u.unit_id: u.dossiers for u in result.units} == {"H1": 3, "X1": 3}
    said = [f for f in result.findings.items if f.code == "unit_matched"]
    assert len(said) == 1 and said[0].severity == "info" and said[0].row == 5 and said[0].value == "UBND xa Na Son"
    assert "'X1' (UBND xã Nà Sơn" in said[0].message


def _numbered_units(n: int = 27) -> list[list[object]]:
    return [[f"{i:02d}", f"UBND xã số {i}", "xa"] for i in range(1, n + 1)]


@pytest.mark.parametrize("xlsx", [True, False])
def test_ids_that_lost_their_leading_zeros_grade_like_the_clean_file(tmp_path, xlsx):
    units = _numbered_units()
    ids = [u[0] for u in units]
    clean = _quarter(tmp_path / "clean", units, _dossier_rows(ids), xlsx=xlsx)
    # the export: numeric cells in XLSX (1.0 read back), plain numbers in CSV; the self-assessment too
    numbers = [int(i) if xlsx else str(int(i)) for i in ids]
    lost = _quarter(tmp_path / "lost", units, _dossier_rows(numbers), xlsx=xlsx, self_ids=[str(int(i)) for i in ids])
    code_clean, want = _grade(clean, tmp_path / "out_clean")
    code_lost, got = _grade(lost, tmp_path / "out_lost")
    assert code_clean == code_lost == 0
    for name in ("grades.csv", "officials.csv", "dossier_scores.csv", "unit_indicators.csv"):
        assert got[name] == want[name], name
    findings = pd.read_csv(io.BytesIO(got["findings.csv"]), dtype=str, keep_default_na=False)
    matched = findings[findings["code"] == "unit_matched"]
    assert len(matched) == 2 * 9  # "1".."9" (not "10".."27"), once per value in dossiers and self_assessment
    assert set(matched["severity"]) == {"info"}
    assert not findings["severity"].isin(["warning", "error"]).any()
    assert "được hiểu là đơn vị '03'" in " ".join(matched["message"])
    assert not findings["suggestion"].str.contains("Có phải là").any()


def test_numeric_xlsx_ids_are_read_as_text_never_with_a_decimal(tmp_path):
    root = tmp_path / "data"
    _xlsx(root / "units.xlsx", [["unit_id", "unit_name", "level"], [1, "A", "xa"], [2.0, "B", "xa"]])
    _xlsx(root / "2021-Q2" / "dossiers.xlsx", [HEADER, [210406, 1, "01/04/2021", "10/04/2021", "05/04/2021",
                                                       "Trực tiếp", 0, "An"]])
    inputs = load_quarter(root, QUARTER, RULES, strict=False)
    assert list(inputs.units["unit_id"]) == ["1", "2"]
    dossiers = inputs.table("dossiers")
    assert list(dossiers["dossier_id"]) == ["210406"] and list(dossiers["unit_id"]) == ["1"]


def test_an_id_matching_two_units_by_its_number_is_an_error(tmp_path, capsys):
    units = [["1", "UBND xã A", "xa"], ["01", "UBND xã B", "xa"]]
    data = _quarter(tmp_path / "data", units, _dossier_rows(["001", "1"]))
    code, _files = _grade(data, tmp_path / "out")
    err = capsys.readouterr().err
    assert code == 2
    assert "Mã đơn vị '001'" in err and "'1' (UBND xã A, units.csv dòng 2)" in err
    assert "'01' (UBND xã B, units.csv dòng 3)" in err and "số 0 ở đầu" in err


def test_an_unknown_number_gets_no_lookalike_suggestion(tmp_path):
    units = [["23", "UBND xã A", "xa"], ["13", "UBND xã B", "xa"]]
    data = _quarter(tmp_path / "data", units, _dossier_rows(["23", "3"]), self_ids=["23", "13"])
    result = grade_quarter(data, QUARTER)
    unknown = [f for f in result.findings.items if f.code == "unknown_unit"]
    assert [f.value for f in unknown] == ["3"] * 3 and all(f.suggestion == "" for f in unknown)


def test_pair_codes_group_rows_as_a_dict_of_the_pairs_would():
    import numpy as np

    from tthc.input.unit_matching import pair_codes

    ids = pd.Series(["X1", None, "X1", np.nan, "X2", pd.NA, None, "X1", np.nan, "X2"], dtype=object)
    names = pd.Series(["A", "B", "A", "B", np.nan, "B", "B", "C", "B", None], dtype=object)
    keys = list(zip(ids, names, strict=True))
    expected = {k: i for i, k in enumerate(dict.fromkeys(keys))}  # the same blank object: the same key
    codes, pairs = pair_codes(ids, names)
    assert len(pairs) == len(expected) == 7
    assert all(a is b if not isinstance(a, str) else a == b
               for p, q in zip(pairs, expected, strict=True) for a, b in zip(p, q, strict=True))
    assert codes.tolist() == [expected[k] for k in keys]


@pytest.mark.parametrize("xlsx", [False, True])
def test_a_row_without_any_unit_says_the_unit_is_missing(tmp_path, xlsx):
    """A dossier whose unit cell is blank is left out with 'Thiếu đơn vị' (not 'not in units.csv', which would
    send the analyst looking for a unit), once per row, with no value shown."""
    rows = _dossier_rows(["U1"])
    rows[1][1] = ""
    data = _quarter(tmp_path, [["U1", "Phòng Tư pháp", "huyen"]], rows, xlsx=xlsx)
    inputs = load_quarter(data, QUARTER, RULES, strict=False)
    found = [f for f in inputs.findings.items if f.code == "unknown_unit"]
    assert [(f.row, f.message, f.value) for f in found] == [(3, "Thiếu đơn vị; dòng bị loại.", "")]
    assert len(inputs.tables["dossiers"]) == 2
