"""Components counted from the dossiers of N: a flag's share (1.4, 3.3, 4.1, 5.1, 5.2, 5.4–5.6), on time
(2.1) and satisfied (6.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .facts import STATUS_TEXT, Facts
from .measure import Counts, Measure, leaf_frame
from .wording import day_vi

#: What a dossier lacks when it does not count for a flag's numerator.
FLAG_MISSING = {
    "synced_on_time": "trạng thái hồ sơ chưa đồng bộ đúng hạn lên Cổng Dịch vụ công quốc gia",
    "online": "không nộp trực tuyến (trực tiếp hoặc qua bưu chính công ích)",
    "paid_online": "có nghĩa vụ tài chính nhưng không thanh toán trực tuyến",
    "e_result": "không được cấp kết quả điện tử",
    "digitised": "thành phần hồ sơ chưa được số hóa",
    "data_reused": "không tái sử dụng dữ liệu đã có",
    "data_store_linked": "không liên kết kho dữ liệu cá nhân",
    "population_data_used": "không sử dụng dữ liệu dân cư",
}


def late_fact(status: str, finished, due, end) -> str:
    """Why a dossier of N is not on time, with its dates."""
    if status == "late":
        return f"có kết quả {day_vi(finished)}, sau hạn {day_vi(due)}"
    if status == "open_overdue":
        return f"chưa có kết quả đến hết kỳ ({day_vi(end)}), đã quá hạn {day_vi(due)}"
    return STATUS_TEXT.get(status, status)


class DossierFlag(Measure):
    """Dossiers of N (or of N carrying the ``among`` flag) with the ``flag`` set, over those dossiers."""

    def __init__(self, spec):
        super().__init__(spec)
        self.flag = str(spec.params["flag"])
        self.among = spec.params.get("among")
        self.needs = (self.flag,) + ((str(self.among),) if self.among else ())
        if self.flag == "online":
            self.needs = ("online",)

    def _base(self, d: pd.DataFrame) -> np.ndarray:
        base = d["in_n"].to_numpy(dtype=bool)
        if self.among:
            base = base & d[self.among].to_numpy(dtype=bool)
        return base

    def missing_reason(self, facts: Facts) -> str:
        lacking = [("channel" if c == "online" else c) for c in self.lacking(facts)]
        return "tệp dossiers không có cột " + ", ".join(f"'{c}'" for c in lacking)

    def counts(self, facts: Facts) -> Counts | None:
        if not self.available(facts):
            return None
        d = facts.dossiers
        base = self._base(d)
        return Counts(facts.count_dossiers(base & d[self.flag].to_numpy(dtype=bool)), facts.count_dossiers(base))

    def leaf(self, facts: Facts, slot: int) -> pd.DataFrame:
        if not self.available(facts):
            return super().leaf(facts, slot)
        d = facts.dossiers
        mask = facts.of_slot(d, slot) & self._base(d) & ~d[self.flag].to_numpy(dtype=bool)
        fact = FLAG_MISSING.get(self.flag, f"không có '{self.flag}'")
        return leaf_frame(d, mask, "dossier_id", [fact] * int(mask.sum()))


class OnTime(Measure):
    """2.1: dossiers of N finished on or before the due date, or open at the end and not yet due."""

    needs = ("on_time",)

    def missing_reason(self, facts: Facts) -> str:
        return "tệp dossiers không có cột 'due_at' hoặc 'finished_at'"

    def counts(self, facts: Facts) -> Counts | None:
        if not self.available(facts):
            return None
        d = facts.dossiers
        return Counts(facts.count_dossiers(d["on_time"].to_numpy(dtype=bool)),
                      facts.count_dossiers(d["judged"].to_numpy(dtype=bool)))

    def leaf(self, facts: Facts, slot: int) -> pd.DataFrame:
        """The late and overdue dossiers of the slot."""
        d = facts.dossiers
        mask = facts.of_slot(d, slot) & d["judged"].to_numpy(dtype=bool) & ~d["on_time"].to_numpy(dtype=bool)
        rows = d[mask]
        texts = [late_fact(s, f, u, facts.end) for s, f, u in
                 zip(rows["status"].astype(str), rows["finished_day"], rows["due_day"], strict=True)]
        return leaf_frame(d, mask, "dossier_id", texts)


class DossierSatisfied(Measure):
    """6.3: dossiers of N on time (as 2.1), named by no petition, not rated unsatisfied."""

    needs = ("on_time", "rating", "named")

    def missing_reason(self, facts: Facts) -> str:
        lacking = self.lacking(facts)
        parts = []
        if "on_time" in lacking:
            parts.append("tệp dossiers không có cột 'due_at' hoặc 'finished_at'")
        if "rating" in lacking:
            parts.append("tệp dossiers không có cột 'rating' (đánh giá của người nộp)")
        if "named" in lacking:
            parts.append("không có tệp complaints có cột 'dossier_id' (không biết hồ sơ nào bị phản ánh)")
        return "; ".join(parts)

    def counts(self, facts: Facts) -> Counts | None:
        if not self.available(facts):
            return None
        d = facts.dossiers
        return Counts(facts.count_dossiers(d["satisfied"].to_numpy(dtype=bool)),
                      facts.count_dossiers(d["judged"].to_numpy(dtype=bool)))

    def leaf(self, facts: Facts, slot: int) -> pd.DataFrame:
        if not self.available(facts):
            return super().leaf(facts, slot)
        d = facts.dossiers
        mask = facts.of_slot(d, slot) & d["judged"].to_numpy(dtype=bool) & ~d["satisfied"].to_numpy(dtype=bool)
        rows = d[mask]
        texts = []
        for status, fin, due, on_time, named, unhappy in zip(
                rows["status"].astype(str), rows["finished_day"], rows["due_day"], rows["on_time"], rows["named"],
                rows["rating_unsatisfied"], strict=True):
            parts = [] if on_time else [late_fact(status, fin, due, facts.end)]
            if named:
                parts.append("bị phản ánh, kiến nghị")
            if unhappy:
                parts.append("người nộp đánh giá không hài lòng")
            texts.append("; ".join(parts))
        return leaf_frame(d, mask, "dossier_id", texts)
