"""What explaining a TT 01 result reads: its tables, built and indexed once per result.

A :class:`Facts` is made the first time a result is explained (``Result.facts``) and then serves every
unit, official and dossier explained from it: the dossier table with its reasons, the positions of each
unit's dossiers and participations, and the input rows the leaves point to. It reads; it never grades.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from tthc.input.loading import FILE
from tthc.input.reading import ROW
from tthc.input.values import ONLINE
from tthc.parameters.ruleset import Indicator
from tthc.schemes.explanation import Node, cell, missing_leaf, num, points_of, row_leaf
from tthc.schemes.tt01.population import add_day_columns, overdue_open


def _groups(values: pd.Series) -> dict[Any, np.ndarray]:
    """Positions of each value (in row order); missing values are left out."""
    return pd.Series(np.arange(len(values)), index=values.index).groupby(values.to_numpy(), sort=False).indices


class Facts:
    """The result's tables and their indexes; each built when first needed."""

    def __init__(self, result):
        self.r = result
        self.rules = result.rules
        self.rounding = result.policies["rounding"]
        self.inputs = result.inputs
        self._columns: dict[tuple[str, str], list] = {}
        self._survey_rows: dict[str, dict[Any, int]] = {}  # per answered column: dossier id → first form
        self._by_unit_in: dict[str, dict[Any, np.ndarray]] = {}  # per input table: unit id → its rows

    # ---- the result's tables
    @cached_property
    def scores(self) -> pd.DataFrame:
        """``dossier_scores`` (points and reasons per dossier), built once."""
        return self.r.dossier_scores

    @cached_property
    def points(self) -> pd.DataFrame:
        return self.r.dossier_points

    @cached_property
    def pop(self) -> pd.DataFrame:
        return self.r.population

    @cached_property
    def participants(self) -> pd.DataFrame:
        return self.r.participants

    def table(self, name: str) -> pd.DataFrame | None:
        return self.inputs.table(name)

    def label(self, name: str) -> str:
        info = self.inputs.files.get(name)
        return info.label if info else f"{self.r.quarter}/{name}.csv"

    # ---- one dossier's values (positions = the population's row numbers)
    def _column(self, frame: str, column: str) -> list:
        key = (frame, column)
        if key not in self._columns:
            self._columns[key] = getattr(self, frame)[column].tolist()
        return self._columns[key]

    def score(self, idx: int, column: str) -> Any:
        """A value of the dossier's row of ``dossier_scores``."""
        return self._column("scores", column)[idx]

    def fact(self, idx: int, column: str) -> Any:
        """A fact the engine used for the dossier (None when the population has no such column)."""
        return self._column("pop", column)[idx] if column in self.pop.columns else None

    def code(self, idx: int, ind: Indicator) -> str:
        """The dossier's reason code on ``ind``."""
        return str(self._column("points", f"{ind.code}_code")[idx])

    def participant(self, pos: int) -> dict[str, Any]:
        return {c: self._column("participants", c)[pos] for c in self.participants.columns}

    # ---- indexes
    @cached_property
    def _by_unit(self) -> dict[Any, np.ndarray]:
        return _groups(self.scores["unit_id"])

    def unit_rows(self, uid: str, official: str | None = None) -> list[int]:
        """Positions of the unit's dossiers (of one official's, when given), in row order."""
        rows = self._by_unit.get(uid, np.array([], dtype=np.int64)).tolist()
        if official is None:
            return rows
        officials = self._column("scores", "official")
        return [i for i in rows if officials[i] == official]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return dict(zip(self._column("scores", "dossier_id"), range(len(self.scores)), strict=True))

    def index_of(self, dossier_id: str) -> int | None:
        """The population's position of a dossier (the last, should an id repeat)."""
        return self._positions.get(dossier_id)

    @cached_property
    def _first_positions(self) -> dict[str, int]:
        first: dict[str, int] = {}
        for i, did in enumerate(self._column("scores", "dossier_id")):
            first.setdefault(did, i)
        return first

    def first_index_of(self, dossier_id: str) -> int | None:
        """The population's position of a dossier (the first, should an id repeat)."""
        return self._first_positions.get(dossier_id)

    def reason_of(self, dossier_id: str, ind: Indicator) -> str:
        idx = self.index_of(dossier_id)
        return "" if idx is None else self.score(idx, f"{ind.code}_reason")

    @cached_property
    def _official_counts(self) -> Counter:
        return Counter(zip(self._column("pop", "unit_id"), self._column("pop", "official"), strict=True))

    def official_dossiers(self, uid: str, name: str) -> int:
        return self._official_counts[(uid, name)]

    @cached_property
    def _parts_by(self) -> dict[str, dict[Any, np.ndarray]]:
        parts = self.participants
        if parts is None or parts.empty:
            return {"unit": {}, "dossier": {}}
        return {"unit": _groups(parts["unit_id"]), "dossier": _groups(parts["dossier_id"])}

    def participant_rows(self, unit: str | None = None, dossier: str | None = None) -> list[int]:
        """Positions in ``participants`` of a unit's (or a dossier's) rows, in table order."""
        by, key = ("unit", unit) if unit is not None else ("dossier", dossier)
        return self._parts_by[by].get(key, np.array([], dtype=np.int64)).tolist()

    @cached_property
    def _online_late(self) -> tuple[pd.DataFrame, dict[Any, np.ndarray]]:
        pop = self.pop
        fin, due = pop["finished_day"], pop["due_day"]
        late = pop["online"] & (fin > due).fillna(False) & ~pop["open_overdue"]
        rows = pop.loc[late, ["dossier_id", "unit_id", "finished_day", "due_day", FILE, ROW]]
        return rows, _groups(rows["unit_id"])

    def online_late(self, uid: str) -> pd.DataFrame:
        """The unit's scored dossiers filed online and finished after their due date (the engine's split:
        those open and past due at the period's end are :meth:`online_open_overdue`)."""
        rows, by_unit = self._online_late
        return rows.take(by_unit.get(uid, np.array([], dtype=np.int64)))

    @cached_property
    def _online_open_overdue(self) -> tuple[pd.DataFrame, dict[Any, np.ndarray]]:
        dossiers = add_day_columns(self.table("dossiers"))
        rows = dossiers[overdue_open(dossiers, self.r.period) & (dossiers["channel"] == ONLINE)]
        return rows, _groups(rows["unit_id"])

    def online_open_overdue(self, uid: str) -> pd.DataFrame:
        """The unit's dossiers (scored or not) filed online, still open and past due at the period's end."""
        if self.table("dossiers") is None:
            return pd.DataFrame()
        rows, by_unit = self._online_open_overdue
        return rows.take(by_unit.get(uid, np.array([], dtype=np.int64)))

    def unit_dossier_rows(self, uid: str) -> pd.DataFrame:
        """Every row of the dossiers file of the unit (scored or not)."""
        return self.table("dossiers").take(self._unit_positions("dossiers").get(uid, np.array([], dtype=np.int64)))

    def _unit_positions(self, name: str) -> dict[Any, np.ndarray]:
        """Per unit id, the positions of its rows in the input table ``name``."""
        if name not in self._by_unit_in:
            self._by_unit_in[name] = _groups(self.table(name)["unit_id"])
        return self._by_unit_in[name]

    @cached_property
    def _complaints_in_period(self) -> pd.DataFrame:
        complaints = self.table("complaints")
        received = pd.to_datetime(complaints["received_at"]).dt.normalize()
        return complaints[received.between(self.r.period.start_ts, self.r.period.end_ts)]

    def complaints_in_period(self, uid: str) -> pd.DataFrame:
        """The unit's complaints received in the period (the complaints file must be there)."""
        complaints = self._complaints_in_period
        return complaints[complaints["unit_id"] == uid]

    @cached_property
    def _findings_by_row(self) -> dict[tuple[str, int], list[str]]:
        out: dict[tuple[str, int], list[str]] = {}
        for f in self.r.findings.items:
            if f.row is not None:
                out.setdefault((f.file, f.row), []).append(f.message)
        return out

    def findings_at(self, file: str, row: int) -> list[str]:
        """The messages of the findings on one input row."""
        return self._findings_by_row.get((file, row), [])

    # ---- leaves
    def dossier_leaves(self, idx: int, ind: Indicator, measure) -> list[Node]:
        """The input rows behind a dossier's point: its dossiers row, the override, the measure's own."""
        leaves = [row_leaf("dossiers", self.score(idx, "source_file"), self.score(idx, "source_row"))]
        if self.code(idx, ind) == "override":
            leaves.append(self.override_leaf("dossier", self.score(idx, "dossier_id"), ind.number,
                                             self.score(idx, f"{ind.code}_reason")))
        leaves.extend(measure.leaves(self, idx, ind))
        return [leaf for leaf in leaves if leaf is not None]

    def dossier_children(self, node: Node, measure, ind: Indicator, uid: str, official: str | None) -> None:
        """Each dossier of the unit (or of the official in it) with its point and reason, and its input rows."""
        for idx in self.unit_rows(uid, official):
            pts = points_of(self.score(idx, ind.code))
            code = self.code(idx, ind)
            reason = measure.enrich(self, idx, code, self.score(idx, f"{ind.code}_reason"))
            label = f"{pts} điểm" if pts is not None else "không có thông tin, không tính"
            mark = " [ĐIỀU CHỈNH]" if code == "override" else ""
            did = self.score(idx, "dossier_id")
            child = node.add(Node("dossier", f"Hồ sơ {did}: {label}{mark} — {reason}",
                                  {"dossier_id": did, "points": pts, "reason": reason, "code": code,
                                   "override": code == "override"}))
            for leaf in self.dossier_leaves(idx, ind, measure):
                child.add(leaf)

    def survey_leaf(self, did: str, column: str) -> Node | None:
        """The first survey form of the dossier that answers ``column``."""
        surveys = self.table("surveys")
        if surveys is None:
            return None
        if column not in self._survey_rows:
            answered = surveys["dossier_id"].notna() & surveys[column].notna()
            first: dict[Any, int] = {}
            for pos, key in zip(np.flatnonzero(answered.to_numpy()).tolist(),
                                surveys["dossier_id"][answered].tolist(), strict=True):
                first.setdefault(key, pos)
            self._survey_rows[column] = first
        pos = self._survey_rows[column].get(did)
        if pos is None:
            return None
        row = surveys.iloc[pos]
        return row_leaf("surveys", row[FILE], row[ROW], f"phiếu {row['form_id']}: {column} = {row[column]}")

    def complaint_leaves(self, ids: list[str]) -> list[Node]:
        complaints = self.table("complaints")
        if complaints is None:
            return []
        rows = complaints[complaints["complaint_id"].isin(ids)]
        return [row_leaf("complaints", r[FILE], r[ROW], f"phản ánh {r['complaint_id']}") for _, r in rows.iterrows()]

    def override_leaf(self, scope: str, target: str, number: int, note: str = "") -> Node | None:
        """The overrides row applied: the one the engine's note names ("… dòng N"), else the first match."""
        table = self.table("overrides")
        if table is None:
            return None
        hit = table[(table["scope"] == scope) & (table["id"] == target)
                    & (pd.to_numeric(table["indicator"], errors="coerce") == number) & table["reason"].notna()]
        named = re.search(re.escape(self.label("overrides")) + r" dòng (\d+)", note)
        if named is not None and (hit[ROW] == int(named.group(1))).any():
            hit = hit[hit[ROW] == int(named.group(1))]
        if hit.empty:
            return None
        row = hit.iloc[0]
        by = "" if pd.isna(row.get("by")) else f" ({row['by']})"
        return row_leaf("overrides", row[FILE], row[ROW], f"điều chỉnh = {cell(row['points'])}: {row['reason']}{by}",
                        {"points": row["points"], "reason": row["reason"], "by": row.get("by")})

    def unit_row(self, name: str, uid: str, absent: str, why: str = "") -> tuple[pd.Series | None, Node | None]:
        """The unit's row of a per-unit table, or the leaf saying why there is none."""
        table = self.table(name)
        if table is None:
            return None, missing_leaf(name, absent)
        rows = self._unit_positions(name).get(uid)
        if rows is None:
            return None, missing_leaf(name, f"Đơn vị {uid} không có dòng trong {self.label(name)}{why}.")
        return table.iloc[int(rows[0])], None

    def self_leaf(self, uid: str, number: int | None = None) -> Node:
        row, missing = self.unit_row("self_assessment", uid, "Không có tệp self_assessment (tự chấm).",
                                     ": không nộp tự chấm")
        if row is None:
            return missing
        if number is None:
            return row_leaf("self_assessment", row[FILE], row[ROW], "kết quả tự chấm")
        code = self.rules.indicator(number).code
        return row_leaf("self_assessment", row[FILE], row[ROW], f"tự chấm chỉ số {number} = {num(row[code])}",
                        {code: row[code]})

    def evidence_leaf(self, uid: str, fields: tuple[str, ...]) -> Node | None:
        """The unit's unit_evidence row with the ``fields`` a measure reads (None when it reads none)."""
        if not fields:
            return None
        row, missing = self.unit_row("unit_evidence", uid, "Không có tệp unit_evidence (minh chứng của đơn vị).")
        if row is None:
            return missing
        values = {f: (None if pd.isna(row.get(f)) else row.get(f)) for f in fields}
        text = ", ".join(f"{f} = {cell(v)}" for f, v in values.items())
        return row_leaf("unit_evidence", row[FILE], row[ROW], text, values)
