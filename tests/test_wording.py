"""Vietnamese wording: counts, quarters, dates, numbers, result sentences."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from tthc.report import wording as w

ORDER = ["Xuất sắc", "Tốt", "Chưa phát sinh hồ sơ", "Khá", "Trung bình", "Yếu", "Chưa thực hiện chấm điểm"]
PHRASES = {
    "Xuất sắc": "đạt loại Xuất sắc",
    "Tốt": "đạt loại Tốt",
    "Khá": "đạt loại Khá",
    "Trung bình": "đạt loại Trung bình",
    "Yếu": "đạt loại Yếu",
    "Chưa phát sinh hồ sơ": "chưa phát sinh hồ sơ",
    "Chưa thực hiện chấm điểm": "chưa thực hiện việc chấm điểm",
}
COUNT = "$count đơn vị $phrase"


@pytest.mark.parametrize(
    ("n", "text"), [(0, "00"), (1, "01"), (7, "07"), (10, "10"), (14, "14"), (1234, "1.234")]
)
def test_counts_on_two_digits(n, text):
    assert w.count2(n) == text


@pytest.mark.parametrize(
    ("quarter", "text"),
    [
        ("2021-Q1", "Quý I năm 2021"),
        ("2021-Q2", "Quý II năm 2021"),
        ("2020-Q3", "Quý III năm 2020"),
        ("2024-Q4", "Quý IV năm 2024"),
    ],
)
def test_quarter_in_words(quarter, text):
    assert w.quarter_in_words(quarter) == text


def test_quarter_in_words_rejects_bad_input():
    with pytest.raises(ValueError):
        w.quarter_in_words("2021-Q5")


def test_long_dates_follow_nd30():
    assert w.long_date(date(2021, 7, 5)) == "ngày 05 tháng 7 năm 2021"
    assert w.long_date(date(2021, 12, 31)) == "ngày 31 tháng 12 năm 2021"
    # months below 3 take a leading zero, days below 10 too
    assert w.long_date(date(2021, 2, 1)) == "ngày 01 tháng 02 năm 2021"
    blank_day = w.long_date(month=6, year=2021)
    assert blank_day.startswith("ngày \u00a0") and blank_day.endswith(" tháng 6 năm 2021")


def test_short_date():
    assert w.short_date(date(2021, 4, 5)) == "05/04/2021"


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2021, 4, 1), "01/4/2021"),  # as the seed report cites: 08/4/2020, 04/6/2021
        (date(2021, 6, 30), "30/6/2021"),
        (date(2018, 11, 23), "23/11/2018"),
        (date(2021, 1, 15), "15/01/2021"),  # months 1 and 2 take a zero, as in the long form
        (date(2021, 2, 9), "09/02/2021"),
        (date(2021, 3, 9), "09/3/2021"),
        (date(2021, 10, 5), "05/10/2021"),
    ],
)
def test_document_date_pads_as_the_long_form(day, text):
    assert w.document_date(day) == text
    day_part, month_part, _ = text.split("/")
    assert w.long_date(day) == f"ngày {day_part} tháng {month_part} năm {day.year}"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Văn phòng HĐND-UBND huyện", ["HĐND-UBND"]),
        ("Nghị định số 61/2018/NĐ-CP ngày 23/4/2018", ["61/2018/NĐ-CP"]),
        ("Độc lập - Tự do - Hạnh phúc", []),
        ("Phòng Tài chính - Kế hoạch", []),
        ("a-b-c d", ["a-b-c"]),
    ],
)
def test_hyphenated_words(text, words):
    assert [m.group(0) for m in w.HYPHENATED.finditer(text)] == words


def test_numbers_in_vietnamese_form():
    assert w.number(1234567) == "1.234.567"
    assert w.number("1.5") == "1,5"
    assert w.number(Decimal("17.25")) == "17,25"
    assert w.one_decimal("17.5") == "17,5"
    assert w.one_decimal(2) == "2,0"
    assert w.one_decimal(None) == "" and w.one_decimal("") == ""
    # half-up on exact decimals, no binary artefacts
    assert w.one_decimal(Fraction(5, 4)) == "1,3"
    assert w.one_decimal(1.25) == "1,3"
    assert w.one_decimal("0.35") == "0,4"


def test_percent():
    assert w.percent(20, 21) == "95,2%"
    assert w.percent(1, 8) == "12,5%"
    assert w.percent(3, 3) == "100,0%"
    with pytest.raises(w.WordingError):
        w.percent(0, 0)


def _grades(level, counts):
    return [{"level": level, "result": result} for result, n in counts for _ in range(n)]


def test_seed_result_sentences():
    grades = _grades("huyen", [("Trung bình", 1), ("Xuất sắc", 7), ("Chưa phát sinh hồ sơ", 5)]) + _grades(
        "xa", [("Chưa thực hiện chấm điểm", 2), ("Tốt", 4), ("Xuất sắc", 7), ("Trung bình", 1)]
    )
    levels = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện", "xa": "Cấp xã"}
    assert w.result_sentences(grades, levels, ORDER, PHRASES, COUNT) == [
        "Cấp huyện: 07 đơn vị đạt loại Xuất sắc; 05 đơn vị chưa phát sinh hồ sơ; "
        "01 đơn vị đạt loại Trung bình.",
        "Cấp xã: 07 đơn vị đạt loại Xuất sắc; 04 đơn vị đạt loại Tốt; 01 đơn vị đạt loại Trung bình; "
        "02 đơn vị chưa thực hiện việc chấm điểm.",
    ]


def test_sentence_order_and_names_are_data():
    grades = _grades("xa", [("Tốt", 2), ("Xuất sắc", 12)])
    assert w.result_sentences(
        grades, {"xa": "Cấp xã, phường"}, ["Tốt", "Xuất sắc"], PHRASES, "$count $phrase"
    ) == ["Cấp xã, phường: 02 đạt loại Tốt; 12 đạt loại Xuất sắc."]


def test_missing_order_phrase_or_level_is_an_error():
    grades = _grades("xa", [("Khá", 1)])
    with pytest.raises(w.WordingError, match="Khá"):
        w.result_sentences(grades, {"xa": "Cấp xã"}, ["Xuất sắc"], PHRASES, COUNT)
    with pytest.raises(w.WordingError, match="xa"):
        w.result_sentences(grades, {"huyen": "Cấp huyện"}, ORDER, PHRASES, COUNT)


def test_fill_names_unknown_placeholders():
    assert w.fill("Báo cáo $quarter", quarter="Quý II năm 2021") == "Báo cáo Quý II năm 2021"
    with pytest.raises(w.WordingError, match="quater"):
        w.fill("Báo cáo $quater", quarter="Quý II năm 2021")
