"""Components counted from the petitions (phản ánh, kiến nghị) received in the period: 6.1 and 6.2.

A zero denominator gives full points (``when_empty: full`` in the rule file: "none received"); without a
complaints file, or without the columns a component needs, it is missing (no information)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .facts import Facts
from .measure import Counts, Measure, leaf_frame
from .wording import day_vi

#: The complaints' columns behind each petition fact.
COLUMNS = {"on_time": ("due_at", "answered_at"), "satisfied": ("due_at", "answered_at", "rated_unsatisfied",
                                                               "re_raised")}


def late_petition(due, answered, end) -> str:
    if pd.isna(due):
        return "không có hạn trả lời: không xác định được đúng hạn"
    if not pd.isna(answered) and answered <= end:
        return f"trả lời ngày {day_vi(answered)}, sau hạn {day_vi(due)}"
    return f"chưa trả lời đến hết kỳ ({day_vi(end)}), đã quá hạn {day_vi(due)}"


class _Petitions(Measure):
    noun = "phản ánh, kiến nghị"
    fact = "on_time"

    def lacking(self, facts: Facts) -> list[str]:
        if facts.petitions is None:
            return ["complaints"]
        return [] if self.fact in facts.petition_present else [self.fact]

    def missing_reason(self, facts: Facts) -> str:
        if facts.petitions is None:
            return "không có tệp complaints (phản ánh, kiến nghị)"
        have = set(facts.petition_present)
        needed = [c for c in COLUMNS[self.fact] if c not in have]
        return "tệp complaints không có cột " + ", ".join(f"'{c}'" for c in needed or COLUMNS[self.fact])

    def counts(self, facts: Facts) -> Counts | None:
        if not self.available(facts):
            return None
        p = facts.petitions
        return Counts(facts.count_petitions(p[self.fact].to_numpy(dtype=bool)),
                      facts.count_petitions(p["judged"].to_numpy(dtype=bool)))

    def _cost(self, facts: Facts, slot: int) -> np.ndarray:
        p = facts.petitions
        return facts.of_slot(p, slot) & p["judged"].to_numpy(dtype=bool) & ~p[self.fact].to_numpy(dtype=bool)


class PetitionsOnTime(_Petitions):
    """6.1: petitions answered on time or open and not yet due, over those in scope."""

    def leaf(self, facts: Facts, slot: int) -> pd.DataFrame:
        if not self.available(facts):
            return super().leaf(facts, slot)
        p = facts.petitions
        mask = self._cost(facts, slot)
        rows = p[mask]
        texts = [late_petition(d, a, facts.end) for d, a in zip(rows["due_day"], rows["answered_day"], strict=True)]
        return leaf_frame(p, mask, "complaint_id", texts)


class PetitionsSatisfied(_Petitions):
    """6.2: petitions in scope not rated unsatisfied, not re-raised and not late (each counted once)."""

    fact = "satisfied"

    def leaf(self, facts: Facts, slot: int) -> pd.DataFrame:
        if not self.available(facts):
            return super().leaf(facts, slot)
        p = facts.petitions
        mask = self._cost(facts, slot)
        rows = p[mask]
        texts = []
        for due, answered, on_time, unhappy, again in zip(rows["due_day"], rows["answered_day"], rows["on_time"],
                                                          rows["rated_unsatisfied"], rows["re_raised"], strict=True):
            parts = [] if on_time else [late_petition(due, answered, facts.end)]
            if unhappy:
                parts.append("bị đánh giá không hài lòng")
            if again:
                parts.append("tiếp tục phản ánh")
            texts.append("; ".join(parts))
        return leaf_frame(p, mask, "complaint_id", texts)
