"""Exact points, half-up rounding to 2 decimals, rescaling, bands at every boundary, ranks (DOMAIN_2025.md)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from nd118_helpers import RULES

from tthc.schemes.nd118.arithmetic import (
    competition_ranks,
    component_points,
    index_total,
    ratio_text,
    ratio_texts,
    round_half_up,
)

D = Decimal


@pytest.mark.parametrize("value,expected", [
    (Fraction(107, 40), "2.68"),      # 2.675: float's round(2.675, 2) is 2.67
    (Fraction(145, 8), "18.13"),      # 18.125 (exact in binary): round() gives 18.12 (half-even)
    (Fraction(1001, 40), "25.03"),    # 25.025
    (Fraction(2, 3), "0.67"), (Fraction(1, 3), "0.33"), (Fraction(1, 200), "0.01"), (Fraction(1, 201), "0.00"),
    ("1.005", "1.01"), (1.005, "1.01"),  # a float is read through its shortest repr, not its binary value
])
def test_half_up_on_exact_decimals(value, expected):
    assert round_half_up(value) == D(expected)


def test_float_would_round_these_wrong():
    # the reason for exact arithmetic, shown: the same values through binary floating point
    assert round(2.675, 2) == 2.67 and round(18.125, 2) == 18.12 and round(10.01 * 100 / 40, 2) == 25.02


@pytest.mark.parametrize("maximum,num,den,full_at,expected", [
    (20, 412, 450, 1, "18.31"),          # 412/450 = 91.56 %: 20 × 0.91555… = 18.3111…
    (6, 107, 240, 1, "2.68"),           # 6 × 107/240 = 2.675 exactly: half-up
    (20, 29, 32, 1, "18.13"),           # 20 × 29/32 = 18.125
    (6, 50, 100, "0.5", "6.00"),        # exactly at full_at
    (6, 49, 100, "0.5", "5.88"),        # just below: 6 × 0.49 / 0.5
    (6, 51, 100, "0.5", "6.00"),        # above: capped
    (2, 8, 10, "0.8", "2.00"), (2, 7, 10, "0.8", "1.75"), (2, 79, 100, "0.8", "1.98"),
    (6, 9, 10, "0.9", "6.00"), (6, 8, 10, "0.9", "5.33"), (6, 89, 100, "0.9", "5.93"),
    (4, 0, 7, 1, "0.00"), (4, 7, 7, 1, "4.00"),
    (6, 12, 10, 1, "6.00"),             # a count above its denominator caps at the maximum
])
def test_component_points(maximum, num, den, full_at, expected):
    assert component_points(maximum, num, den, full_at) == D(expected)


def test_component_points_needs_a_denominator():
    with pytest.raises(ValueError):
        component_points(6, 0, 0, 1)


def test_ratio_texts_are_exact_and_agree_one_by_one():
    pairs = [(412, 450), (1, 3), (2, 3), (1, 8), (1, 16), (0, 5), (5, 5), (0, 0)]
    expected = ["0.9156", "0.3333", "0.6667", "0.1250", "0.0625", "0.0000", "1.0000", ""]
    assert ratio_texts([p[0] for p in pairs], [p[1] for p in pairs]) == expected
    assert [ratio_text(n, d) for n, d in pairs[:-1]] == expected[:-1]


def test_index_total_sums_or_rescales_once():
    full = [D("18.31"), D("6.00"), D("75.69")]
    assert index_total(full, D(100), D(100)) == D("100.00")
    # 5.40 + 13.33 + 6.00 = 24.73 over 38 known points: 24.73 × 100 / 38 = 65.0789… → 65.08
    assert index_total([D("5.40"), D("13.33"), D("6.00")], D(38), D(100)) == D("65.08")
    # 10.01 × 100 / 40 = 25.025 exactly: half-up gives 25.03 (float gives 25.02)
    assert index_total([D("10.01")], D(40), D(100)) == D("25.03")
    assert index_total([], D(0), D(100)) is None


@pytest.mark.parametrize("total,label", [
    ("100", "Xuất sắc"), ("90.00", "Xuất sắc"), ("89.99", "Tốt"), ("80.00", "Tốt"), ("79.99", "Khá"),
    ("70.00", "Khá"), ("69.99", "Trung bình"), ("50.00", "Trung bình"), ("49.99", "Yếu"), ("0.00", "Yếu"),
])
def test_every_default_band_boundary(total, label):
    assert RULES.band_for(D(total), {"index_bands": "default"}).label == label


@pytest.mark.parametrize("total,label", [
    ("90.00", "Xuất sắc"), ("89.99", "Tốt"), ("70.00", "Tốt"), ("69.99", "Trung bình"), ("50.00", "Trung bình"),
    ("49.99", "Yếu"),
])
def test_four_band_boundaries(total, label):
    assert RULES.band_for(D(total), {"index_bands": "four_bands"}).label == label


@pytest.mark.parametrize("total,label", [("75.00", "Tốt"), ("74.99", "Khá"), ("60", "Khá"), ("59.99", "Trung bình")])
def test_custom_cut_offs(total, label):
    assert RULES.band_for(D(total), {"index_bands": "95/75/60/50"}).label == label


def test_competition_ranks_share_ties_and_skip():
    assert competition_ranks([D("90.00"), D("85.50"), D("85.50"), D("70.00"), None, D("95.01")]) == [
        2, 3, 3, 5, None, 1]
    assert competition_ranks([]) == []
