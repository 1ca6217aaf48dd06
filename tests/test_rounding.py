from decimal import Decimal
from fractions import Fraction

import pytest

from tthc.rounding import round_one


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
    # the means are rounded as fractions (sum / count), never through a float
    assert round_one(Fraction(5, 4)) == Decimal("1.3")     # 1.25
    assert round_one(Fraction(39, 20)) == Decimal("2.0")   # 1.95
    assert round_one(Fraction(1, 20)) == Decimal("0.1")    # 0.05
    assert round_one(Fraction(4, 3)) == Decimal("1.3")     # 1.333…
    assert round_one(Fraction(5, 3)) == Decimal("1.7")     # 1.666…
    assert round_one(Fraction(1, 3)) == Decimal("0.3")
    assert round_one(Fraction(5, 4), "half_even") == Decimal("1.2")


def test_half_even_is_the_alternative():
    assert round_one("1.25", "half_even") == Decimal("1.2")
    assert round_one("1.35", "half_even") == Decimal("1.4")
    with pytest.raises(ValueError):
        round_one("1.25", "banker")


def test_group_means_integer_path_matches_exact_rounding():
    """The vectorised half-up path of grading.group_means equals round_one on every fraction it meets."""
    import numpy as np
    import pandas as pd
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tthc.schemes.tt01.grading import group_means

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from([0, 1, 2, None])), min_size=1, max_size=60))
    def check(rows):
        groups = np.array([g for g, _ in rows])
        points = pd.Series([p for _, p in rows], dtype="Int8")
        got = group_means(groups, 4, points, "half_up")
        for g in range(4):
            values = [p for gg, p in rows if gg == g and p is not None]
            expected = round_one(Fraction(sum(values), len(values))) if values else None
            assert got.mean[g] == expected

    check()
