from decimal import Decimal
from fractions import Fraction

import pytest

from tthc.rounding import mean_rounded, round_one


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.25", "1.3"), ("1.95", "2.0"), ("0.05", "0.1"), ("1.24", "1.2"), ("1.249999", "1.2"), ("0", "0.0"),
     ("2", "2.0"), ("0.15", "0.2"), ("1.35", "1.4")],
)
def test_half_up_on_exact_decimals(value, expected):
    assert round_one(value) == Decimal(expected)


def test_binary_float_artefacts_do_not_change_the_result():
    # 1.15 is 1.149999... in binary; as a decimal it must still round up
    assert round_one(1.15) == Decimal("1.2")
    assert round_one(0.1 + 0.2) == Decimal("0.3")
    assert round_one(2.675) == Decimal("2.7")


def test_means_are_exact_fractions():
    assert mean_rounded(5, 4) == Decimal("1.3")     # 1.25
    assert mean_rounded(39, 20) == Decimal("2.0")   # 1.95
    assert mean_rounded(1, 20) == Decimal("0.1")    # 0.05
    assert mean_rounded(4, 3) == Decimal("1.3")     # 1.333…
    assert mean_rounded(5, 3) == Decimal("1.7")     # 1.666…
    assert round_one(Fraction(1, 3)) == Decimal("0.3")


def test_half_even_is_the_alternative():
    assert round_one("1.25", "half_even") == Decimal("1.2")
    assert round_one("1.35", "half_even") == Decimal("1.4")
    with pytest.raises(ValueError):
        round_one("1.25", "banker")
