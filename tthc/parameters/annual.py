"""The annual result's method, ``annual_method``: a choice the texts leave open (POLICY).

Neither TT 01/2018 (Điều 15: a quarter's grade) nor NĐ 118/2025 (Điều 32) says how a year's result is built
from the quarters. Two readings, a named setting with a default: ``mean_of_quarters`` (default), the mean of
the unit's quarterly totals over the quarters it was graded, rounded half-up (one decimal under TT 01/2018,
two under the index), graded with the scheme's bands; ``regrade_year``, the four quarters' dossiers, petitions
and evidence graded once as one period (the whole year). A profile may choose it (``annual_method:`` in
``parameters/profiles/<profile>.yaml``); ``tthc year --annual-method`` chooses it for one run.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from tthc.parameters.ruleset import Policy

MEAN_OF_QUARTERS = "mean_of_quarters"
REGRADE_YEAR = "regrade_year"

ANNUAL_METHOD = Policy(
    name="annual_method",
    default=MEAN_OF_QUARTERS,
    values=(MEAN_OF_QUARTERS, REGRADE_YEAR),
    citation="Không quy định trong TT 01/2018 (Điều 15) và NĐ 118/2025 (Điều 32): văn bản chỉ chấm theo quý",
    description="Cách tính kết quả cả năm: trung bình cộng tổng điểm các quý được xếp loại (mean_of_quarters); "
                "hoặc chấm lại cả năm như một kỳ đánh giá, gộp hồ sơ của bốn quý (regrade_year)",
)
#: How the report names each value.
LABELS = {
    MEAN_OF_QUARTERS: "trung bình cộng tổng điểm của các quý được xếp loại",
    REGRADE_YEAR: "chấm lại cả năm như một kỳ đánh giá, gộp hồ sơ của bốn quý",
}


def _choice(value: Any) -> str:
    if not isinstance(value, str) or value.strip() not in ANNUAL_METHOD.values:
        raise PydanticCustomError("annual_method", "cần một trong các giá trị: " + ", ".join(ANNUAL_METHOD.values))
    return value.strip()


#: The profile key's type (``tthc.parameters.profiles.PROFILE_KEYS``).
AnnualMethod = Annotated[str, BeforeValidator(_choice)]
