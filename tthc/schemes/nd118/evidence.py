"""The analyst's figures (``index_evidence``): checked rows and which row a unit's component uses.

Readings:

- a unit's own row comes first; a ``*`` row (the whole province) applies to every unit without one, and to the
  province's own row, for every component (DATA_CONTRACT v2: "applies to every unit without a row of its own");
  for a component counted from dossiers or petitions it is then used instead of each unit's own counts, and
  where those differ that is a finding (an info finding says so when the ``*`` row is read);
- the province-wide components (1.1–1.3, 5.3) fall back, for a unit, on the province's own row (the profile's
  ``province_unit_id``) after ``*``;
- a blank numerator is allowed only where the numerator can be counted from the dossiers (3.2, 4.2); a row
  without a denominator, with a numerator above its denominator or a negative count is a warning and is
  not used; the first of two rows for the same unit and component is used.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from tthc.input.findings import Findings

from .unitref import ALL_UNITS, UnitRef

FILE, ROW = "_file", "_row"
REASON_COMPONENT = "chỉ tiêu không có trong bộ chỉ số"
REASON_UNIT = "đơn vị không có trong units.csv"
REASON_VALUE = "tử số, mẫu số không dùng được"
REASON_DUPLICATE = "trùng đơn vị và chỉ tiêu"


@dataclass(frozen=True)
class EvidenceRow:
    unit: str
    code: str
    numerator: int | None
    denominator: int
    file: str
    row: int | None

    def where(self) -> str:
        return f"{self.file}, dòng {self.row}" if self.row is not None else self.file


def count_value(value: object) -> int | None | str:
    """A count cell as an int, None when blank, ``"bad"`` when not a whole number ≥ 0."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "bad"
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        return "bad"
    if not number.is_finite() or number < 0 or number != number.to_integral_value():
        return "bad"
    return int(number)


class Evidence:
    """Usable evidence rows by (unit, component)."""

    def __init__(self, rows: dict[tuple[str, str], EvidenceRow], province_id: str):
        self.rows = rows
        self.province_id = province_id

    def for_unit(self, unit: str, spec) -> EvidenceRow | None:
        """The row a unit (or, with the province id, the province) uses for a component, if any."""
        own = self.rows.get((unit, spec.code))
        if own is not None:
            return own
        star = self.rows.get((ALL_UNITS, spec.code))
        if star is not None or unit == self.province_id:
            return star
        if spec.province_wide:
            return self.rows.get((self.province_id, spec.code))
        return None


def collect_evidence(frame: pd.DataFrame | None, rules, ref: UnitRef, counts_numerator: set[str],
                     findings: Findings) -> tuple[Evidence, dict[str, Counter]]:
    """Check every evidence row; returns the usable ones and, per file, the rows left out by reason."""
    rows: dict[tuple[str, str], EvidenceRow] = {}
    excluded: dict[str, Counter] = {}
    if frame is None or frame.empty:
        return Evidence(rows, ref.province_id), excluded
    for rec in frame.to_dict("records"):
        label, line = str(rec.get(FILE, "index_evidence")), rec.get(ROW)
        line = None if line is None or pd.isna(line) else int(line)
        where = {"file": label, "row": line}

        def drop(reason: str, code: str, message: str, column: str, value: object = "", suggestion: str = "",
                 label=label, where=where) -> None:
            excluded.setdefault(label, Counter())[reason] += 1
            findings.warning(code, message, column=column, value=value, suggestion=suggestion, **where)

        code = rules.component_code(rec.get("component")) if rec.get("component") is not None else None
        if code is None:
            drop(REASON_COMPONENT, "nd118_unknown_component", "Mã chỉ tiêu không có trong bộ chỉ số NĐ 118/2025 "
                 "(cần mã như 2.1 hoặc mã của Cổng như ON_TIME); dòng không được dùng.", "component",
                 rec.get("component"))
            continue
        unit = ref.resolve(rec.get("unit_id"), rec.get("unit_name"), star=True)
        if unit is None:
            shown = rec.get("unit_id") if rec.get("unit_id") is not None else rec.get("unit_name")
            drop(REASON_UNIT, "nd118_unknown_unit", "Đơn vị không có trong units.csv (và không phải '*' hay mã toàn "
                 "tỉnh); dòng không được dùng.", "unit_id", shown, ref.suggestion(shown))
            continue
        spec = rules.component(code)
        num, den = count_value(rec.get("numerator")), count_value(rec.get("denominator"))
        if "bad" in (num, den):
            column = "numerator" if num == "bad" else "denominator"
            drop(REASON_VALUE, "nd118_bad_count", "Tử số, mẫu số phải là số nguyên không âm; dòng không được dùng.",
                 column, rec.get(column))
            continue
        if den is None:
            drop(REASON_VALUE, "nd118_no_denominator", f"Thiếu mẫu số của chỉ tiêu {code}; dòng không được dùng.",
                 "denominator")
            continue
        if num is None and code not in counts_numerator:
            drop(REASON_VALUE, "nd118_no_numerator", f"Thiếu tử số của chỉ tiêu {code} (chỉ tiêu 3.2 và 4.2 mới đếm "
                 "được tử số từ hồ sơ); dòng không được dùng.", "numerator")
            continue
        if num is not None and num > den:
            drop(REASON_VALUE, "nd118_numerator_above", f"Tử số {num} lớn hơn mẫu số {den} (chỉ tiêu {code}); dòng "
                 "không được dùng.", "numerator", num, "Kiểm tra lại số liệu: tử số chỉ đếm những gì thuộc mẫu số.")
            continue
        key = (unit, code)
        if key in rows:
            first = rows[key]
            drop(REASON_DUPLICATE, "nd118_duplicate_evidence", f"Đơn vị {unit} đã có số liệu chỉ tiêu {code} ở "
                 f"{first.where()}; dùng dòng đó, bỏ dòng này.", "component", rec.get("component"))
            continue
        if unit == ALL_UNITS and not spec.from_catalogue:
            findings.info("nd118_star_all_units", f"Dòng '*' của chỉ tiêu {code} (tính từ hồ sơ hoặc phản ánh) áp dụng "
                          "cho toàn tỉnh và mọi đơn vị không có dòng riêng, thay cho số đếm từ dữ liệu của đơn vị.",
                          column="unit_id", value=ALL_UNITS, **where)
        rows[key] = EvidenceRow(unit, code, num, den, label, line)
    return Evidence(rows, ref.province_id), excluded
