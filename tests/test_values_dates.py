"""Date cells that lie (issue 10 items 5, 6 and 7): one day/month order per column, unreadable dates that are
never blanks, and years beyond pandas' range that never raise."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from builders import dossier, write_quarter

from tthc.cli import main
from tthc.input.dates import DAY_FIRST, MONTH_FIRST, order_evidence, read_dates
from tthc.input.loading import load_quarter
from tthc.input.values import parse_date
from tthc.parameters.ruleset import ruleset_for
from tthc.quarter import Quarter
from tthc.schemes.tt01.engine import grade_quarter

QUARTER = Quarter.parse("2021-Q2")
RULES = ruleset_for(QUARTER.bounds()[0])
OVERDUE = {"population": "resolved_or_overdue"}

# ------------------------------------------------------------------------------------------ cell level


@pytest.mark.parametrize("text,want", [
    ("05/04/2021", "2021-04-05"), ("5/4/2021", "2021-04-05"), ("05-04-2021", "2021-04-05"),
    ("05.04.2021", "2021-04-05"), ("2021-04-05", "2021-04-05"), ("2021/04/05", "2021-04-05"),
    ("05/04/2021 14:30", "2021-04-05 14:30"), ("05/04/2021 14:30:15", "2021-04-05 14:30:15"),
    ("2021-04-05T14:30:00", "2021-04-05 14:30"), ("2021-04-05 08:05:00.000", "2021-04-05 08:05"),
    ("05/04/2021 2:30 PM", "2021-04-05 14:30"), ("05/04/2021 12:10 AM", "2021-04-05 00:10"),
    ("05/04/2021 02:30 CH", "2021-04-05 14:30"), ("29/02/2024", "2024-02-29"), ("44291", "2021-04-05"),
    ("14:30 05/04/2021", "2021-04-05 14:30"), ("08:30:15 05/04/2021", "2021-04-05 08:30:15"),
    ("ngày 05 tháng 04 năm 2021", "2021-04-05"), ("Ngày 5 tháng 4 năm 2021", "2021-04-05"),
    ("2021-04-05T14:30:00+07:00", "2021-04-05 14:30"), ("2021-04-05T20:30:00Z", "2021-04-06 03:30"),
    ("2021-04-05 14:30:00-0100", "2021-04-05 22:30"), ("05-Apr-2021", "2021-04-05"), ("Apr 5, 2021", "2021-04-05"),
    ("5 April 2021 14:30", "2021-04-05 14:30"), ("1 Sept 2021", "2021-09-01"),
])
def test_text_dates_in_every_accepted_shape(text, want):
    values, bad = parse_date(pd.Series([text], dtype=object))
    assert values[0] == pd.Timestamp(want) and not bad[0]
    assert str(values.dtype) == "datetime64[ns]"


@pytest.mark.parametrize("value", ["31/04/2021", "29/02/2021", "24:00", "05/04/2021 24:00", "05/04/2021 14:60",
                                   "05/04/2021 13:00 PM", "2021-13-01", "ngày 2 tháng 4", "05/04/21", True, 3.0,
                                   "05-Foo-2021", "2021-04-05T14:30:00+25:00", "05/04/2021 14:30 05/04/2021",
                                   "=DATE(2021,4,5)"])
def test_unreadable_values_are_flagged_never_blank(value):
    cells = read_dates(pd.Series([value, "05/04/2021"], dtype=object))
    assert bool(cells.bad[0]) and pd.isna(cells.values[0])
    assert not cells.sentinel[0] and not cells.absurd[0]
    assert cells.values[1] == pd.Timestamp("2021-04-05")


@pytest.mark.parametrize("value", ["2300-01-01", "0021-04-05", "1600-01-01", "05/04/2300", "01/01/1899",
                                   datetime(2300, 4, 14), date(1600, 1, 1), datetime(2263, 1, 1)])
def test_years_out_of_range_are_flagged_and_never_raise(value):
    cells = read_dates(pd.Series([value, datetime(2021, 4, 5)], dtype=object))
    assert bool(cells.absurd[0]) and not cells.bad[0] and pd.isna(cells.values[0])
    assert cells.values[1] == pd.Timestamp("2021-04-05")


@pytest.mark.parametrize("value", ["31/12/9999", "9999-12-31", "9999-12-31 23:59:59", "01/01/0001", "0000-00-00",
                                   "0000-00-00 00:00:00", "00/00/0000", "01/01/1900", "1899-12-30", "1970-01-01 07:00",
                                   datetime(9999, 12, 31), date(1, 1, 1), datetime(1900, 1, 1)])
def test_no_date_sentinels(value):
    cells = read_dates(pd.Series([value], dtype=object))
    assert bool(cells.sentinel[0]) and not cells.bad[0] and not cells.absurd[0] and pd.isna(cells.values[0])


def test_a_native_column_beyond_pandas_range_is_read_safely():
    column = pd.Series([datetime(9999, 12, 31), datetime(2021, 4, 5), datetime(1600, 1, 1)]).infer_objects()
    cells = read_dates(column)
    assert list(cells.sentinel) == [True, False, False] and list(cells.absurd) == [False, False, True]
    assert cells.values[1] == pd.Timestamp("2021-04-05") and str(cells.values.dtype) == "datetime64[ns]"


def test_order_evidence_from_all_values():
    day_first = order_evidence(pd.Series(["05/04/2021", "13/04/2021", "2021-04-30", None]))
    assert day_first.order == DAY_FIRST and day_first.day_first == [(1, "13/04/2021")]
    month_first = order_evidence(pd.Series(["04/05/2021", "04/13/2021", "04/14/2021"]))
    assert month_first.order == MONTH_FIRST and month_first.month_first_count == 2
    both = order_evidence(pd.Series(["13/04/2021", "04/14/2021"]))
    assert both.contradictory and both.order is None
    either = order_evidence(pd.Series(["04/05/2021", "05/04/2021", "06/06/2021", datetime(2021, 4, 30)]))
    assert either.order is None and either.either_count == 2  # 06/06 reads the same either way


def test_excel_locale_mixup_signature():
    # a day-first CSV opened in a month-first Excel: what it could read became dates (day and month swapped)
    mixed = pd.Series([datetime(2021, 5, 4), "13/04/2021", datetime(2021, 6, 4), "20/04/2021"], dtype=object)
    assert order_evidence(mixed).locale_mixup
    typed = pd.Series([datetime(2021, 4, 5), datetime(2021, 4, 25), "13/04/2021"], dtype=object)
    assert not order_evidence(typed).locale_mixup  # a native day above 12: no swap happened
    readable = pd.Series([datetime(2021, 5, 4), "13/04/2021", "05/05/2021"], dtype=object)
    assert not order_evidence(readable).locale_mixup  # Excel would have read 05/05/2021 too
    assert not order_evidence(pd.Series([datetime(2021, 5, 4), "2021-04-13"], dtype=object)).locale_mixup


def test_month_first_text_read_month_first():
    cells = read_dates(pd.Series(["04/13/2021 14:30", "04/05/2021", "2021-04-06"]), MONTH_FIRST)
    assert list(cells.values) == [pd.Timestamp("2021-04-13 14:30"), pd.Timestamp("2021-04-05"),
                                  pd.Timestamp("2021-04-06")]


# --------------------------------------------------------------------------------------- whole files

def _realistic(n: int = 60, seed: int = 7) -> list[dict]:
    """``n`` dossiers across the quarter, some late, some open, for two units."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        received = date(2021, 4, 1) + pd.Timedelta(days=rnd.randrange(0, 80))
        due = received + pd.Timedelta(days=rnd.randrange(3, 15))
        finished = None if i % 9 == 0 else received + pd.Timedelta(days=rnd.randrange(1, 18))
        rows.append(dossier(f"D{i:03d}", unit="H1" if i % 2 else "X1", received=received.isoformat(),
                            due=due.isoformat(), finished=finished.isoformat() if finished else None,
                            official=f"Cán bộ {i % 4}"))
    return rows


def _write(rows: list[dict], fmt: str) -> list[dict]:
    out = []
    for row in rows:
        row = dict(row)
        for key in ("received_at", "due_at", "finished_at"):
            if row[key]:
                row[key] = pd.Timestamp(row[key]).strftime(fmt)
        out.append(row)
    return out


def _grade(data: Path, out: Path, *policy: str) -> tuple[int, dict[str, bytes]]:
    args = ["grade", "--quarter", "2021-Q2", "--data", str(data), "--out", str(out)]
    for p in policy:
        args += ["--policy", p]
    code = main(args)
    return code, ({p.name: p.read_bytes() for p in out.iterdir()} if out.exists() else {})


def _findings(files: dict[str, bytes]) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(files["findings.csv"]), dtype=str, keep_default_na=False)


def _to_xlsx(folder: Path) -> None:
    """dossiers.csv → dossiers.xlsx with every cell a text cell, as exports write them."""
    frame = pd.read_csv(folder / "dossiers.csv", dtype=str, keep_default_na=False)
    book = openpyxl.Workbook()
    book.active.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        book.active.append([v or None for v in row])
    book.save(folder / "dossiers.xlsx")
    (folder / "dossiers.csv").unlink()


@pytest.mark.parametrize("xlsx", [False, True])
@pytest.mark.parametrize("policy", ["population=resolved_in_period", "population=resolved_or_overdue"])
def test_a_month_first_export_grades_like_the_clean_file(tmp_path, xlsx, policy):
    rows = _realistic()
    clean = write_quarter(tmp_path / "clean", _write(rows, "%d/%m/%Y %H:%M"))
    us = write_quarter(tmp_path / "us", _write(rows, "%m/%d/%Y %H:%M"))
    if xlsx:
        _to_xlsx(clean / "2021-Q2")
        _to_xlsx(us / "2021-Q2")
    code_clean, want = _grade(clean, tmp_path / "out_clean", policy)
    code_us, got = _grade(us, tmp_path / "out_us", policy)
    assert code_clean == code_us == 0
    for name in ("grades.csv", "officials.csv", "dossier_scores.csv", "unit_indicators.csv"):
        assert got[name] == want[name], name
    findings = _findings(got)
    month_first = findings[findings["code"] == "month_first"]
    assert set(month_first["column"]) == {"received_at", "due_at", "finished_at"}
    assert set(month_first["severity"]) == {"warning"} and set(month_first["row"]) == {"1"}
    assert not findings["code"].isin(["bad_date", "date_out_of_range"]).any()
    assert not _findings(want)["code"].eq("month_first").any()


def test_a_column_with_both_orders_is_an_error_naming_file_column_and_examples(tmp_path, capsys):
    rows = _write(_realistic(), "%d/%m/%Y")
    rows[4]["due_at"] = "04/15/2021"  # one value typed month-first among day-first ones
    data = write_quarter(tmp_path / "data", rows)
    code, files = _grade(data, tmp_path / "out")
    err = capsys.readouterr().err
    assert code == 2 and not files
    assert "2021-Q2/dossiers.csv" in err and "cột 'due_at'" in err
    assert "'04/15/2021' (dòng 6)" in err and "ngày/tháng/năm" in err and "tháng/ngày/năm" in err
    assert "Traceback" not in err


def test_a_mostly_unreadable_column_is_an_error(tmp_path, capsys):
    rows = _realistic(20)
    for row in rows:
        row["received_at"] = pd.Timestamp(row["received_at"]).strftime("%d/%m/%y")  # "05/04/21": short years
    data = write_quarter(tmp_path / "data", rows)
    code, files = _grade(data, tmp_path / "out")
    err = capsys.readouterr().err
    assert code == 2 and not files
    assert "cột 'received_at'" in err and "20/20 ô" in err and "(dòng 2)" in err


def test_an_export_opened_in_excel_with_the_other_order_is_an_error(tmp_path, capsys):
    data = write_quarter(tmp_path / "data", _write(_realistic(20), "%d/%m/%Y"))
    _to_xlsx(data / "2021-Q2")
    book = openpyxl.load_workbook(data / "2021-Q2" / "dossiers.xlsx")
    column = [c.value for c in book.active[1]].index("received_at") + 1
    for (cell,) in book.active.iter_rows(min_row=2, min_col=column, max_col=column):
        day, month, year = (int(x) for x in cell.value.split("/"))
        if day <= 12:  # Excel read it month-first
            cell.value = datetime(year, day, month)
    book.save(data / "2021-Q2" / "dossiers.xlsx")
    code, files = _grade(data, tmp_path / "out")
    err = capsys.readouterr().err
    assert code == 2 and not files
    assert "cột 'received_at'" in err and "đảo ngày với tháng" in err and "dòng" in err


def test_an_unreadable_column_that_no_grade_uses_is_a_warning(tmp_path):
    rows = _write(_realistic(6), "%d/%m/%Y")
    own = [{"unit_id": u, **{f"i{n}": 2 for n in range(1, 10)}, "submitted_at": "đã nộp"} for u in ("H1", "X1")]
    code, files = _grade(write_quarter(tmp_path / "data", rows, self_assessment=own), tmp_path / "out")
    assert code == 0
    said = _findings(files).query("code == 'dates_unreadable'")
    assert list(said["severity"]) == ["warning"] and "không dùng để chấm điểm" in said.iloc[0]["message"]


def test_a_few_unreadable_cells_are_row_findings_not_a_column_error(tmp_path):
    rows = _write(_realistic(20), "%d/%m/%Y")
    rows[3]["finished_at"] = "31/04/2021"
    code, files = _grade(write_quarter(tmp_path / "data", rows), tmp_path / "out")
    assert code == 0
    bad = _findings(files).query("code == 'bad_date'")
    assert list(bad["row"]) == ["5"] and list(bad["value"]) == ["31/04/2021"]


def test_an_undecidable_column_follows_the_file_and_defaults_to_day_first(tmp_path):
    # received proves month-first (04/13); due and finished only have days up to 12: read month-first too
    rows = [dossier("D1", received="04/13/2021", due="05/10/2021", finished="05/03/2021"),
            dossier("D2", received="04/14/2021", due="05/11/2021", finished="05/12/2021")]
    result = grade_quarter(write_quarter(tmp_path / "us", rows), QUARTER)
    pop = result.population.set_index("dossier_id")
    assert pop.at["D1", "due_day"] == pd.Timestamp("2021-05-10") and pop.at["D1", "finished_day"] == pd.Timestamp(
        "2021-05-03")
    said = [f for f in result.findings.items if f.code == "month_first"]
    assert [f.column for f in said] == ["received_at", "due_at", "finished_at"]
    assert "như cột 'received_at'" in said[1].message
    # nothing proves anything: the Vietnamese day-first, without a finding
    rows = [dossier("D1", received="01/04/2021", due="10/04/2021", finished="05/04/2021")]
    result = grade_quarter(write_quarter(tmp_path / "vn", rows), QUARTER)
    assert result.population.at[0, "finished_day"] == pd.Timestamp("2021-04-05")
    assert not [f for f in result.findings.items if f.code == "month_first"]


# ----------------------------------------------------------------- item 6: unreadable is not "no result"

def _late_if_open() -> list[dict]:
    """D1 on time; D2's finish date is the case under test (due 12/04: overdue at the end if open)."""
    return [dossier("D1", received="2021-04-01", due="2021-04-10", finished="2021-04-08"),
            dossier("D2", received="2021-04-02", due="2021-04-12", finished="2021-04-09")]


@pytest.mark.parametrize("value", ["31/04/2021", "24:00", "09/04/2021 24:00", "2021-04-31", "chưa rõ"])
@pytest.mark.parametrize("policy", [{}, OVERDUE])
def test_an_unreadable_finish_date_leaves_the_dossier_out_under_every_policy(tmp_path, value, policy):
    rows = _late_if_open()
    rows[1]["finished_at"] = value
    result = grade_quarter(write_quarter(tmp_path / "data", rows), QUARTER, policies=policy)
    assert list(result.population["dossier_id"]) == ["D1"]  # not scored as unresolved, not late
    h1 = next(u for u in result.units if u.unit_id == "H1")
    assert h1.dossiers == 1 and h1.scores[0].points == 2
    warning = [f for f in result.findings.items if f.code == "bad_date"]
    assert [(f.severity, f.file, f.row, f.column, f.value) for f in warning] == [
        ("warning", "2021-Q2/dossiers.csv", 3, "finished_at", value)]
    assert "không coi là chưa có kết quả" in warning[0].message
    assert not [f for f in result.findings.items if f.code in ("open_overdue", "open")]
    accounting = result.inputs.accounting["2021-Q2/dossiers.csv"]
    assert accounting.excluded == {"ngày có kết quả không đọc được": 1} and accounting.used == 1


def _formula_workbook(path: Path, cached: str | None) -> None:
    """dossiers.xlsx whose D2 finish date is a formula, saved without (or with) its value."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["dossier_id", "unit_id", "received_at", "due_at", "finished_at"])
    ws.append(["D1", "H1", "01/04/2021", "10/04/2021", "08/04/2021"])
    ws.append(["D2", "H1", "02/04/2021", "12/04/2021", "=DATE(2021,4,9)"])
    buffer = io.BytesIO()
    book.save(buffer)
    if cached is None:
        path.write_bytes(buffer.getvalue())
        return
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w") as dst:  # as Excel saves it: with a value
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                value = f"<v>{cached}</v>".encode()
                data = data.replace(b"<v></v>", value).replace(b"<v />", value)
            dst.writestr(item, data)


@pytest.mark.parametrize("policy", [{}, OVERDUE])
def test_a_formula_without_its_value_is_unreadable_not_blank(tmp_path, policy):
    data = write_quarter(tmp_path / "data", _late_if_open())
    (data / "2021-Q2" / "dossiers.csv").unlink()
    _formula_workbook(data / "2021-Q2" / "dossiers.xlsx", None)
    result = grade_quarter(data, QUARTER, policies=policy)
    assert list(result.population["dossier_id"]) == ["D1"]
    warning = next(f for f in result.findings.items if f.code == "bad_date")
    assert (warning.row, warning.column, warning.value) == (3, "finished_at", "=DATE(2021,4,9)")
    assert "công thức" in warning.suggestion


def test_a_formula_whose_computed_text_is_empty_stays_blank(tmp_path):
    data = write_quarter(tmp_path / "data", _late_if_open())
    (data / "2021-Q2" / "dossiers.csv").unlink()
    _formula_workbook(data / "2021-Q2" / "dossiers.xlsx", None)
    path = data / "2021-Q2" / "dossiers.xlsx"
    source = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(path, "w") as dst:  # as Excel saves ""
        for item in src.infolist():
            part = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b'<c r="E3">', b'<c r="E3" t="str">')
                assert b'<c r="E3" t="str">' in part
            dst.writestr(item, part)
    result = grade_quarter(data, QUARTER, policies=OVERDUE)
    assert sorted(result.population["dossier_id"]) == ["D1", "D2"]  # D2 open and overdue: late
    assert not [f for f in result.findings.items if f.code == "bad_date"]


def test_a_formula_with_its_value_is_read_as_that_value(tmp_path):
    data = write_quarter(tmp_path / "data", _late_if_open())
    (data / "2021-Q2" / "dossiers.csv").unlink()
    _formula_workbook(data / "2021-Q2" / "dossiers.xlsx", "44295")  # 09/04/2021
    result = grade_quarter(data, QUARTER)
    assert sorted(result.population["dossier_id"]) == ["D1", "D2"]
    assert not [f for f in result.findings.items if f.severity != "info"]


COMPLAINT = {"unit_id": "H1", "dossier_id": "", "received_at": "2021-04-05", "due_at": "2021-04-15",
             "prolonged": 0, "about_conduct": 0, "verified_untrue": 0}


def test_a_complaint_with_an_unreadable_answer_is_left_out_of_indicator_8(tmp_path):
    complaints = [{**COMPLAINT, "complaint_id": "PA1", "answered_at": "2021-04-20"},  # late
                  {**COMPLAINT, "complaint_id": "PA2", "answered_at": "31/04/2021"},
                  {**COMPLAINT, "complaint_id": "PA3", "due_at": "2021-13-15", "answered_at": "2021-04-10"}]
    result = grade_quarter(write_quarter(tmp_path / "data", _late_if_open(), complaints=complaints), QUARTER)
    i8 = next(u for u in result.units if u.unit_id == "H1").scores[7]
    assert (i8.points, i8.source) == (0, "complaints")  # 0/1 on time: only PA1 is judged
    assert "0/1 trả lời đúng hạn" in i8.reason and "2 có ngày không đọc được" in i8.reason
    bad = [(f.row, f.column) for f in result.findings.items if f.code == "bad_date"]
    assert bad == [(3, "answered_at"), (4, "due_at")]


def test_complaints_all_unreadable_leave_indicator_8_without_information(tmp_path):
    complaints = [{**COMPLAINT, "complaint_id": "PA1", "answered_at": "31/04/2021"}]
    result = grade_quarter(write_quarter(tmp_path / "data", _late_if_open(), complaints=complaints), QUARTER,
                           policies={"unit_indicator_without_evidence": "exclude"})
    i8 = next(u for u in result.units if u.unit_id == "H1").scores[7]
    assert i8.points is None and "không đọc được" in i8.reason  # not "none received: 2 points"


def test_a_step_with_an_unreadable_finish_decides_nothing_unless_another_is_late(tmp_path):
    rows = [dossier("D1", received="2021-04-01", due="2021-04-20", finished="2021-04-15"),
            dossier("D2", received="2021-04-01", due="2021-04-20", finished="2021-04-15"),
            dossier("D3", unit="X1", received="2021-04-01", due="2021-04-20", finished="2021-04-15")]
    steps = [{"dossier_id": "D1", "unit_id": "X1", "due_at": "2021-04-05", "finished_at": "31/04/2021"},
             {"dossier_id": "D2", "unit_id": "X1", "due_at": "2021-04-05", "finished_at": "31/04/2021"},
             {"dossier_id": "D2", "unit_id": "X1", "due_at": "2021-04-06", "finished_at": "2021-04-10"},  # late
             *[{"dossier_id": d, "unit_id": "H1", "due_at": "2021-04-20", "finished_at": "2021-04-15"}
               for d in ("D1", "D2")]]
    result = grade_quarter(write_quarter(tmp_path / "data", rows, steps=steps), QUARTER)
    parts = result.participants.set_index(["dossier_id", "unit_id"])
    assert pd.isna(parts.at[("D1", "X1"), "points"]) and parts.at[("D1", "X1"), "code"] == "step_unreadable"
    assert parts.at[("D2", "X1"), "points"] == 0 and parts.at[("D2", "X1"), "code"] == "step_late"
    x1 = next(u for u in result.units if u.unit_id == "X1").scores[1]
    # D3 (its own, before the due date: 2) and D2 (late: 0); D1 informs nothing (read as open it would be late)
    assert (x1.points, x1.dossiers) == (1, 2)
    scores = result.dossier_scores.set_index("dossier_id")
    assert scores.at["D1", "i2_reason"] == scores.at["D2", "i2_reason"]  # H1's own steps: unchanged


def test_an_unreadable_own_step_is_explained_not_scored(tmp_path):
    from tthc.audit.explain import explain_dossier

    rows = [dossier("D1", received="2021-04-01", due="2021-04-20", finished="2021-04-15"),
            dossier("D2", received="2021-04-01", due="2021-04-20", finished="2021-04-15")]
    steps = [{"dossier_id": "D1", "unit_id": "H1", "due_at": "2021-04-20", "finished_at": "2021-04-31"},
             {"dossier_id": "D1", "unit_id": "X1", "due_at": "2021-04-05", "finished_at": "31/04/2021"},
             {"dossier_id": "D2", "unit_id": "H1", "due_at": "2021-04-20", "finished_at": "2021-04-15"},
             {"dossier_id": "D2", "unit_id": "X1", "due_at": "2021-04-05", "finished_at": "2021-04-05"}]
    result = grade_quarter(write_quarter(tmp_path / "data", rows, steps=steps), QUARTER)
    scores = result.dossier_scores.set_index("dossier_id")
    assert pd.isna(scores.at["D1", "i2"]) and "ngày hoàn thành không đọc được" in scores.at["D1", "i2_reason"]
    text = " ".join(n.text for n in explain_dossier(result, "D1").trees[0].walk())
    assert "Đơn vị phối hợp X1: không có điểm — bước của đơn vị có ngày hoàn thành không đọc được" in text


def test_a_survey_with_an_unreadable_date_is_left_out_of_satisfaction(tmp_path):
    surveys = [{"form_id": "P1", "form": "4", "unit_id": "H1", "dossier_id": "D1", "submitted_at": "2021-04-09",
                "satisfaction": "Hài lòng"},
               {"form_id": "P2", "form": "4", "unit_id": "H1", "dossier_id": "D2", "submitted_at": "31/04/2021",
                "satisfaction": "Không hài lòng"}]
    result = grade_quarter(write_quarter(tmp_path / "data", _late_if_open(), surveys=surveys), QUARTER)
    sat = result.satisfaction
    assert list(sat["forms"]) == [1] and list(sat["dissatisfied"]) == [0]
    accounting = result.inputs.accounting["2021-Q2/surveys.csv"]
    assert accounting.excluded == {"ngày đánh giá không đọc được": 1}
    warning = next(f for f in result.findings.items if f.code == "bad_date")
    assert (warning.file, warning.row, warning.column) == ("2021-Q2/surveys.csv", 3, "submitted_at")


# ------------------------------------------------------------------- item 7: years out of pandas' range

@pytest.mark.parametrize("xlsx", [False, True])
def test_years_out_of_range_grade_with_findings_in_csv_and_xlsx(tmp_path, xlsx, capsys):
    rows = [dossier("D1", received="2021-04-01", due="2021-04-10", finished="2021-04-08"),
            dossier("D2", received="2021-04-02", due="2021-04-12", finished="2300-04-09"),
            dossier("D3", received="0021-04-02", due="2021-04-12", finished="2021-04-09"),
            dossier("D4", received="2021-04-02", due="2021-04-12", finished="1600-04-09")]
    data = write_quarter(tmp_path / "data", rows)
    if xlsx:  # native Excel date cells, beyond pandas' range
        frame = pd.read_csv(data / "2021-Q2" / "dossiers.csv", dtype=str, keep_default_na=False)
        book = openpyxl.Workbook()
        book.active.append(list(frame.columns))
        for row in frame.to_dict("records"):
            for key in ("received_at", "due_at", "finished_at"):
                row[key] = datetime.strptime(row[key], "%Y-%m-%d") if row[key][:1] != "0" else row[key]
            book.active.append(list(row.values()))
        book.save(data / "2021-Q2" / "dossiers.xlsx")
        (data / "2021-Q2" / "dossiers.csv").unlink()
    code, files = _grade(data, tmp_path / "out")
    assert code == 0 and "Traceback" not in capsys.readouterr().err
    found = _findings(files)
    findings = found.query("code == 'year_out_of_range'")
    # an Excel cell cannot hold 1600: openpyxl wrote a negative serial, which Excel shows as ####
    want = [("3", "finished_at"), ("4", "received_at")] + ([] if xlsx else [("5", "finished_at")])
    assert list(zip(findings["row"], findings["column"], strict=True)) == want
    assert "0021" in findings.iloc[1]["message"] and findings.iloc[1]["suggestion"] == "Có phải năm 2021?"
    if xlsx:
        assert list(found.query("code == 'bad_date'")["row"]) == ["5"]
    grades = pd.read_csv(io.BytesIO(files["grades.csv"]), dtype=str).set_index("unit_id")
    assert grades.at["H1", "dossiers"] == "1"  # only D1: the others cannot be placed in the period


@pytest.mark.parametrize("policy", ["population=resolved_in_period", "population=resolved_or_overdue"])
@pytest.mark.parametrize("sentinel", ["31/12/9999", "9999-12-31 00:00:00", "01/01/0001", "0000-00-00 00:00:00",
                                      "01/01/1900"])
def test_a_no_date_sentinel_reads_as_no_result_yet_with_a_finding(tmp_path, policy, sentinel):
    open_rows = _late_if_open()
    open_rows[1]["finished_at"] = ""
    marked = _late_if_open()
    marked[1]["finished_at"] = sentinel
    code_a, want = _grade(write_quarter(tmp_path / "blank", open_rows), tmp_path / "a", policy)
    code_b, got = _grade(write_quarter(tmp_path / "marked", marked), tmp_path / "b", policy)
    assert code_a == code_b == 0
    for name in ("grades.csv", "dossier_scores.csv", "officials.csv"):
        assert got[name] == want[name], name
    said = _findings(got).query("code == 'no_date'")
    assert list(said["severity"]) == ["info"] and list(said["row"]) == ["3"] and list(said["value"]) == [sentinel]
    assert "chưa có kết quả" in said.iloc[0]["message"]


def test_a_sentinel_in_a_required_date_leaves_the_row_out(tmp_path):
    rows = _late_if_open()
    rows[1]["due_at"] = "31/12/9999"
    result = grade_quarter(write_quarter(tmp_path / "data", rows), QUARTER)
    assert list(result.population["dossier_id"]) == ["D1"]
    found = [(f.severity, f.code, f.row, f.column) for f in result.findings.items if f.row == 3]
    assert found == [("warning", "required_blank", 3, "due_at")]


def test_loading_never_raises_on_any_date_cell(tmp_path):
    values = ["9999-12-31", "0000-00-00", "00/00/0000", "2021-02-30", "1e400", "-1", "99999999", "  ", "\t",
              "2021-04-05T25:00", "31/12/99999", "٢٠٢١-٠٤-٠٥"]
    rows = [dossier(f"D{i}", finished=v) for i, v in enumerate(values)]
    inputs = load_quarter(write_quarter(tmp_path / "data", rows), QUARTER, RULES, strict=False)
    assert not inputs.findings.errors or all(f.code == "dates_unreadable" for f in inputs.findings.errors)


def test_uncached_formulas_found_in_prefixed_xml_and_any_sheet_path(tmp_path):
    from tthc.input.xlsx_formulas import SHARED_FORMULA, uncached_formulas

    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    parts = {
        "xl/workbook.xml": f'<x:workbook {ns} {rel}><x:sheets><x:sheet r:id="R9" name="Hồ sơ &amp; kết quả" '
                           'sheetId="1"/></x:sheets></x:workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships><Relationship Target="data/s.xml" Id="R9" Type="ws"/>'
                                      "</Relationships>",
        "xl/data/s.xml": f'<x:worksheet {ns}><x:sheetData><x:row r="2">'
                         '<x:c r="AB2"><x:f>DATE(2021,4,5)&gt;0</x:f></x:c>'
                         '<x:c r="C2" t="n"><x:f>1+1</x:f><x:v>2</x:v></x:c>'
                         '<x:c r="D2"><x:f t="shared" si="0"/></x:c>'
                         '<x:c r="E2" t="s"><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>',
    }
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(path, "w") as book:
        for name, text in parts.items():
            book.writestr(name, text)
    assert uncached_formulas(path) == {"Hồ sơ & kết quả": {(1, 27): "=DATE(2021,4,5)>0", (1, 3): SHARED_FORMULA}}
    assert uncached_formulas(tmp_path / "missing.xlsx") == {}


def _date_like_texts(seed: int = 5) -> list[str]:
    """Texts near the commonest date shape: every way of missing it by a character or a digit too many."""
    rng = random.Random(seed)
    alphabet = [*"0123456789/ :.-T", "  ", "\u00a0", "PM", "Z", "+07:00", "٣", "May", "\n"]
    texts = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(3000)}
    shapes = ["{d}/{m}/{y}", "{d:02d}/{m:02d}/{y:04d}", "{d}/{m}/{y} {H}:{M}",
              "{d:02d}/{m:02d}/{y} {H:02d}:{M:02d}:{S:02d}",
              "{d}/{m}/{y}  {H}:{M}", "{d}/{m}/{y} {H}:{M}:{S}.5", "{d}/{m}/{y}T{H}:{M}", "{d}/{m}/{y} {H}:{M} PM",
              "{d}/{m}/{y} {H}:{M}Z", "{d}/{m}/{y} {H}:{M}:", "{d}/{m}/{y} {H}", "{d}/{m}/{y}/", "{d}//{m}/{y}",
              "{d}-{m}-{y} {H}:{M}", "{d}/{m}-{y}", "{d}/{m}/{y}{H}:{M}", "{H}:{M} {d}/{m}/{y}", "{d}/{m}/{y}\n"]
    for _ in range(6000):
        texts.add(rng.choice(shapes).format(d=rng.randint(0, 40), m=rng.randint(0, 40), y=rng.randint(0, 12000),
                                            H=rng.randint(0, 130), M=rng.randint(0, 130), S=rng.randint(0, 130)))
    return sorted(texts)


def test_the_commonest_shape_split_by_arrow_gives_the_parts_the_shapes_give(monkeypatch):
    import numpy as np

    from tthc.input import date_texts

    texts = pd.array(_date_like_texts(), dtype="str")
    fast = date_texts.split_texts(texts)
    hit = date_texts._common_shape(pd.Series(texts, dtype=object))[0]
    assert 500 < hit.sum() < len(texts) - 500  # both ways taken
    monkeypatch.setattr(date_texts, "_common_shape",
                        lambda distinct, texts=None: (np.zeros(len(distinct), dtype=bool), {}))
    slow = date_texts.split_texts(texts)
    pd.testing.assert_frame_equal(fast, slow)
    numbers = date_texts.part_numbers(slow)
    for key, values in numbers.items():
        expected = pd.to_numeric(slow[key], errors="coerce").to_numpy(dtype=float)
        assert np.array_equal(values.to_numpy(), expected, equal_nan=True), key


@pytest.mark.parametrize("blank_is_missing", [False, True])
def test_yes_no_cells_of_a_csv_read_once_per_distinct_cell_as_cell_by_cell(blank_is_missing):
    """A CSV's yes/no column (Arrow text, a few labels repeated) is parsed per distinct cell: the same values
    and the same unreadable cells as the cell-by-cell path (an object column), blanks and missing cells too."""
    from tthc.input.values import parse_bool

    labels = ["1", "0", "x", "X", "", "  ", "Có", "không", "true", "FALSE", "có lẽ", "2", None, " co ", "\u00a0"]
    rng = random.Random(7)
    cells = [rng.choice(labels) for _ in range(4000)]
    arrow = pd.Series(cells, dtype="str")
    objects = pd.Series(cells, dtype=object)
    got_values, got_bad = parse_bool(arrow, blank_is_missing)
    want_values, want_bad = parse_bool(objects, blank_is_missing)
    assert got_values.dtype == want_values.dtype == "boolean"
    assert got_values.tolist() == want_values.tolist()
    assert got_bad.tolist() == want_bad.tolist()
    assert got_bad.any()  # 'có lẽ' and '2' are unreadable
