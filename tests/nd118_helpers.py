"""Small builders for the NĐ 118 index tests: canonical frames written by hand, one row per dict."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from tthc.parameters.ruleset import load_ruleset
from tthc.schemes.nd118 import grade_index

RULES = load_ruleset("nd118-2025")
Q3 = (date(2025, 7, 1), date(2025, 9, 30))
UNITS = pd.DataFrame({"unit_id": ["S01", "X01", "X02"], "unit_name": ["Sở Tư pháp", "Xã An Bình", "Phường Hòa"],
                      "level": ["tinh", "xa", "phuong"]})


def dossier(i: int, unit: str = "S01", received: str = "2025-07-10", due: str = "2025-07-20",
            finished: str | None = "2025-07-15", **flags) -> dict:
    row = {"dossier_id": f"D{i:04d}", "unit_id": unit, "procedure": flags.pop("procedure", "Thủ tục A"),
           "received_at": received, "due_at": due, "finished_at": finished,
           "channel": flags.pop("channel", "truc_tiep")}
    row.update(flags)
    return row


def dossiers(rows: list[dict], drop: tuple[str, ...] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for col in ("received_at", "due_at", "finished_at"):
        frame[col] = pd.to_datetime(frame[col], format="ISO8601")
    return frame.drop(columns=[c for c in drop if c in frame])


def petition(i: int, unit: str = "S01", received: str = "2025-07-10", due: str | None = "2025-07-20",
             answered: str | None = "2025-07-15", **flags) -> dict:
    row = {"complaint_id": f"P{i:03d}", "unit_id": unit, "dossier_id": flags.pop("dossier_id", None),
           "received_at": received, "due_at": due, "answered_at": answered,
           "rated_unsatisfied": flags.pop("rated_unsatisfied", False), "re_raised": flags.pop("re_raised", False)}
    row.update(flags)
    return row


def petitions(rows: list[dict], columns: list[str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns or ["complaint_id", "unit_id", "dossier_id", "received_at", "due_at",
                                                   "answered_at", "rated_unsatisfied", "re_raised"])
    for col in ("received_at", "due_at", "answered_at"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col], format="ISO8601")
    return frame


def grade(tables: dict, units: pd.DataFrame = UNITS, policies: dict | None = None, **kwargs):
    return grade_index(tables, units, Q3, RULES, policies or {}, **kwargs)


def comp(result, unit: str, code: str):
    return result.unit(unit).component(code)


def D(text: str) -> Decimal:
    return Decimal(text)
