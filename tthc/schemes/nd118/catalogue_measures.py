"""Components from the catalogue (procedure counts: evidence only, or a numerator counted from the dossiers)
and from units.csv (5.3).

Readings: 3.2's and 4.2's numerators, when the evidence gives only the denominator, are the distinct
procedures (the dossiers' ``procedure`` cells) with at least one dossier of N submitted online (3.2) or paid
online (4.2; among dossiers carrying a fee when the ``fee_required`` column exists); the province's count is
the distinct procedures over every unit. 5.3 counts the units of the commune level (``level: xa``) and
those of them with ``e_certified_copy``; the same figure is carried by every unit and the province.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .facts import FILE, ROW, Facts
from .measure import LEAF_COLUMNS, Counts, Measure, leaf_frame


class Catalogue(Measure):
    """Procedure counts that only the analyst's figures (``index_evidence``) or the portal give."""

    noun = "TTHC"

    def lacking(self, facts: Facts) -> list[str]:
        return ["index_evidence"]

    def missing_reason(self, facts: Facts) -> str:
        return "không có số liệu của chỉ tiêu trong index_evidence (chỉ tiêu tính theo danh mục TTHC)"

    def counts(self, facts: Facts) -> Counts | None:
        return None


class CatalogueDossiers(Catalogue):
    """3.2, 4.2: the denominator from the evidence; the numerator from it or counted from the dossiers."""

    counts_numerator = True

    def __init__(self, spec):
        super().__init__(spec)
        self.flag = str(spec.params["flag"])

    def numerator_lacking(self, facts: Facts) -> list[str]:
        needed = ["procedure", self.flag]
        return [("channel" if c == "online" else c) for c in needed if c not in facts.dossier_present]

    def _mask(self, facts: Facts) -> np.ndarray:
        d = facts.dossiers
        mask = d["in_n"].to_numpy(dtype=bool) & d[self.flag].to_numpy(dtype=bool)
        mask &= d["procedure_code"].to_numpy() >= 0
        if self.flag == "paid_online" and "fee_required" in facts.dossier_present:
            mask &= d["fee_required"].to_numpy(dtype=bool)
        return mask

    def numerators(self, facts: Facts) -> np.ndarray | None:
        """Distinct procedures with a qualifying dossier, per slot; None when the dossiers cannot say."""
        if self.numerator_lacking(facts):
            return None
        d = facts.dossiers
        mask = self._mask(facts) & (d["slot"].to_numpy() >= 0)
        slots, procs = d["slot"].to_numpy()[mask], d["procedure_code"].to_numpy()[mask]
        width = int(procs.max()) + 1 if len(procs) else 1
        pairs = np.unique(slots * width + procs)  # distinct (unit, procedure)
        out = np.zeros(facts.slots, dtype=np.int64)
        out[:-1] = np.bincount(pairs // width, minlength=facts.slots - 1)
        out[-1] = len(np.unique(procs))
        return out

    def leaf(self, facts: Facts, slot: int) -> pd.DataFrame:
        """The procedures counted in the numerator, each with its first qualifying dossier."""
        if self.numerator_lacking(facts):
            return super().leaf(facts, slot)
        d = facts.dossiers
        mask = self._mask(facts) & facts.of_slot(d, slot)
        rows = d[mask].drop_duplicates("procedure")
        what = "nộp trực tuyến" if self.flag == "online" else "thanh toán trực tuyến"
        facts_text = [f"TTHC có hồ sơ {what} (hồ sơ {i})" for i in rows["dossier_id"]]
        keep = np.zeros(len(d), dtype=bool)
        keep[rows.index.to_numpy()] = True
        return leaf_frame(d, keep, "procedure", facts_text)


class CommuneShare(Measure):
    """5.3: communes offering the service (a units.csv flag) over the communes; province-wide."""

    noun = "xã"

    def __init__(self, spec):
        super().__init__(spec)
        self.flag = str(spec.params["flag"])
        self.level = str(spec.params.get("level", "xa"))

    def lacking(self, facts: Facts) -> list[str]:
        return [] if self.flag in facts.units.columns else [self.flag]

    def missing_reason(self, facts: Facts) -> str:
        return f"units.csv không có cột '{self.flag}'"

    def _communes(self, facts: Facts) -> pd.DataFrame:
        units = facts.units
        return units[units["level"].astype(object).eq(self.level).to_numpy(dtype=bool)]

    def counts(self, facts: Facts) -> Counts | None:
        if not self.available(facts):
            return None
        communes = self._communes(facts)
        offering = int(communes[self.flag].fillna(False).astype(bool).sum())
        slots = facts.slots
        return Counts(np.full(slots, offering, dtype=np.int64), np.full(slots, len(communes), dtype=np.int64))

    def leaf(self, facts: Facts, slot: int) -> pd.DataFrame:
        """The communes that do not offer it (the same for every slot)."""
        if not self.available(facts):
            return super().leaf(facts, slot)
        communes = self._communes(facts)
        lacking = communes[~communes[self.flag].fillna(False).astype(bool).to_numpy()]
        return pd.DataFrame({"id": lacking["unit_id"].to_numpy(dtype=object),
                             "file": lacking[FILE].to_numpy() if FILE in lacking else "units.csv",
                             "row": lacking[ROW].to_numpy() if ROW in lacking else None,
                             "fact": "chưa cung cấp chứng thực điện tử, cấp bản sao điện tử từ sổ gốc"},
                            columns=LEAF_COLUMNS).reset_index(drop=True)
