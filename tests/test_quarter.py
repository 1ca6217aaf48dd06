from datetime import date

import pytest

from tthc.quarter import Quarter, QuarterError


def test_parse_and_words():
    q = Quarter.parse("2021-Q2")
    assert (q.year, q.number, str(q)) == (2021, 2, "2021-Q2")
    assert q.label_vi == "Quý II năm 2021"
    assert Quarter.parse("2020-Q4").roman == "IV"


@pytest.mark.parametrize("bad", ["2021-Q5", "2021Q2", "21-Q2", "2021-q2x", "../2021-Q2", "", "2021-Q0"])
def test_bad_quarters_are_refused(bad):
    with pytest.raises(QuarterError):
        Quarter.parse(bad)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("2021-Q1", date(2021, 1, 1), date(2021, 3, 31)), ("2021-Q2", date(2021, 4, 1), date(2021, 6, 30)),
     ("2021-Q3", date(2021, 7, 1), date(2021, 9, 30)), ("2021-Q4", date(2021, 10, 1), date(2021, 12, 31)),
     ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31))],
)
def test_calendar_quarter_bounds(text, start, end):
    assert Quarter.parse(text).bounds("calendar_quarter") == (start, end)


def test_reporting_cutoff_bounds():
    assert Quarter.parse("2021-Q2").bounds("reporting_cutoff") == (date(2021, 3, 15), date(2021, 6, 14))
    assert Quarter.parse("2021-Q1").bounds("reporting_cutoff") == (date(2020, 12, 15), date(2021, 3, 14))
    assert Quarter.parse("2021-Q4").bounds("reporting_cutoff") == (date(2021, 9, 15), date(2021, 12, 14))
