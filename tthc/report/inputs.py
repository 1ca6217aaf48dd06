"""What the report reads from an output folder: ``grades.csv``, ``officials.csv``, ``satisfaction.csv``,
``unit_indicators.csv`` and ``manifest.json``, as the engine wrote them, checked and parsed.

A table or a value the report cannot use raises :class:`ReportInputError` with a Vietnamese message naming
the file, the row and the column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from tthc.errors import TthcError

GRADES_COLUMNS = ("unit_id", "unit_name", "level", "dossiers", "total", "self_total", "result")
OFFICIALS_COLUMNS = ("official", "unit_id", "completion")
SATISFACTION_COLUMNS = ("channel", "forms", "very_satisfied", "satisfied", "dissatisfied")
UNIT_INDICATORS_COLUMNS = ("unit_id", "indicator", "source")
#: ``unit_indicators.csv`` source of a unit indicator kept at its self-score for want of evidence.
SELF_ACCEPTED = "self_accepted"
_INDICATOR = re.compile(r"^i(\d+)$")


class ReportInputError(TthcError, ValueError):
    """An output table or a report parameter the report cannot be built from (message in Vietnamese)."""


@dataclass(frozen=True)
class Manifest:
    """What the report needs from ``manifest.json``: the rule set's title, the period, the policy values, and
    the note of a rule set forced on a quarter after its legal basis lapsed (``legal_basis_note``)."""

    rule_set: str
    start: date
    end: date
    policies: dict[str, str] = field(default_factory=dict)
    #: why the rule set's legal basis no longer held on the quarter's last day ('' when it did)
    legal_basis_note: str = ""


def read_table(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise ReportInputError(f"Thiếu tệp kết quả {path}: hãy chạy bước chấm điểm trước khi lập báo cáo.")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ReportInputError(f"Tệp {path.name} thiếu cột: {', '.join(missing)}.")
    return frame


def decimal(value: str, where: str) -> Decimal | None:
    text = str(value).strip()
    if not text:
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ReportInputError(f"{where}: giá trị '{value}' không phải là số.") from None


def count(value: str, where: str) -> int:
    number = decimal(value, where)
    if number is None:
        return 0
    if number != number.to_integral_value() or number < 0:
        raise ReportInputError(f"{where}: '{value}' không phải là số đếm.")
    return int(number)


def indicator_columns(columns: list[str]) -> list[int]:
    """Indicator numbers present as ``i1`` … ``iN`` columns, in order (the rule set decides how many)."""
    return sorted(int(m.group(1)) for c in columns if (m := _INDICATOR.match(c)))


def parse_grades(raw: list[dict], numbers: list[int], levels: dict) -> list[dict]:
    """``grades.csv`` rows with counts and scores as numbers; a level without a display name is an error."""
    grades = []
    for i, row in enumerate(raw, start=2):
        where = f"grades.csv dòng {i}"
        if row["level"] not in levels:
            raise ReportInputError(f"{where}: cấp '{row['level']}' chưa có tên hiển thị (tham số 'levels').")
        grades.append(
            {
                **row,
                "dossiers": count(row["dossiers"], f"{where}, cột dossiers"),
                "indicators": {n: decimal(row[f"i{n}"], f"{where}, cột i{n}") for n in numbers},
                "total": decimal(row["total"], f"{where}, cột total"),
                "self_total": decimal(row["self_total"], f"{where}, cột self_total"),
            }
        )
    return grades


def read_manifest(path: Path) -> Manifest | None:
    """The manifest's rule set, period and policies; ``None`` when the file is absent (a warning upstream)."""
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        rule_set = str(manifest["rule_set"]["title"])
        start, end = (date.fromisoformat(manifest["period"][k]) for k in ("start", "end"))
        policies = {str(k): str(v) for k, v in (manifest.get("policies") or {}).items()}
        note = str(manifest.get("legal_basis_note") or "")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReportInputError(f"Tệp {path} không đọc được ({exc}).") from None
    return Manifest(rule_set, start, end, policies, note)


def self_accepted(path: Path) -> dict[str, list[int]]:
    """Per unit, the indicators appraised at the unit's own score for want of evidence (from
    ``unit_indicators.csv``; an absent file tells nothing, so nothing is noted)."""
    if not path.is_file():
        return {}
    frame = read_table(path, UNIT_INDICATORS_COLUMNS)
    accepted: dict[str, list[int]] = {}
    for i, row in enumerate(frame.to_dict("records"), start=2):
        if row["source"].strip() != SELF_ACCEPTED:
            continue
        number = count(row["indicator"], f"unit_indicators.csv dòng {i}, cột indicator")
        accepted.setdefault(row["unit_id"], []).append(number)
    return {unit: sorted(set(numbers)) for unit, numbers in accepted.items()}
