"""The appraiser's overrides: a computed point replaced with a written reason, visible in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from tthc.input.findings import Findings
from tthc.input.loading import FILE, Inputs
from tthc.input.reading import ROW
from tthc.parameters.ruleset import RuleSet
from tthc.rounding import round_one
from tthc.schemes.tt01.grading import IndicatorScore
from tthc.schemes.tt01.measure import set_codes


@dataclass(frozen=True)
class Override:
    scope: str
    id: str
    indicator: int
    points: Decimal
    reason: str
    by: str
    file: str
    row: int

    def note(self) -> str:
        who = f" ({self.by})" if self.by else ""
        return f"{self.reason}{who}; {self.file} dòng {self.row}"


@dataclass
class Overrides:
    dossier: dict[tuple[str, int], Override] = field(default_factory=dict)
    unit: dict[tuple[str, int], Override] = field(default_factory=dict)

    def apply_to_dossiers(self, pop: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
        """The dossier points with the overrides applied (``points`` itself is left as it was)."""
        if not self.dossier:
            return points
        points = points.copy(deep=False)  # copy-on-write: the cells set below are the copy's
        wanted = {did for did, _n in self.dossier}
        hit = pop["dossier_id"].isin(wanted).to_numpy()
        position = {d: points.index[i] for i, d in zip(np.flatnonzero(hit), pop["dossier_id"][hit], strict=True)}
        for (did, number), ov in self.dossier.items():
            col = f"i{number}"
            idx = position[did]
            if points.at[idx, f"{col}_code"] == "override":
                continue  # applied already (the second pass only re-applies what step data replaced)
            computed = points.at[idx, col]
            computed = "không có thông tin" if pd.isna(computed) else str(int(computed))
            points.at[idx, col] = int(ov.points)
            mask = points.index == idx
            set_codes(points, f"{col}_code", mask, ["override"])
            if f"{col}_override" not in points:
                points[f"{col}_override"] = pd.Series("", index=points.index, dtype=object)
            points.at[idx, f"{col}_override"] = f"{ov.note()} (điểm tính được: {computed})"
        return points

    def apply_to_unit(self, uid: str, score: IndicatorScore) -> IndicatorScore:
        ov = self.unit.get((uid, score.number))
        if ov is None:
            return score
        before = "không tính" if score.points is None else str(score.points)
        return IndicatorScore(score.number, ov.points, "override",
                              f"Điều chỉnh của người thẩm định: {ov.note()} (điểm tính được: {before})",
                              score.dossiers, score.points_sum)


def collect_overrides(inputs: Inputs, rules: RuleSet, population_ids: pd.Series, findings: Findings) -> Overrides:
    """Validate the overrides file: each row has a reason, a known target and points within the indicator."""
    table = inputs.table("overrides")
    out = Overrides()
    if table is None or table.empty:
        return out
    wanted = set(table.loc[table["scope"] == "dossier", "id"].dropna())
    population_ids = set(population_ids[population_ids.isin(wanted)])
    unit_ids = set(inputs.units["unit_id"])
    numbers = {i.number: i for i in rules.indicators}
    label = inputs.files["overrides"].label
    for _, row in table.iterrows():
        where = {"file": label, "row": row[ROW]}

        def reject(column: str, message: str, value: object = "", where=where) -> None:
            findings.warning("bad_override", message + " Điều chỉnh không được áp dụng.", column=column,
                             value=value, **where)
            inputs.accounting[label].excluded["điều chỉnh không hợp lệ"] += 1

        reason = row.get("reason")
        if reason is None or pd.isna(reason) or not str(reason).strip():
            reject("reason", "Điều chỉnh thiếu lý do (bắt buộc).")
            continue
        number = row["indicator"]
        if pd.isna(number) or int(number) not in numbers:
            reject("indicator", f"Chỉ số '{number}' không có trong bộ quy tắc {rules.id}.", number)
            continue
        ind = numbers[int(number)]
        scope = row["scope"]
        if scope == "dossier" and ind.scope != "dossier":
            reject("indicator", f"Chỉ số {ind.number} chấm theo đơn vị, không điều chỉnh theo hồ sơ.", number)
            continue
        target = row["id"]
        if scope == "dossier" and target not in population_ids:
            reject("id", f"Hồ sơ '{target}' không thuộc các hồ sơ được chấm kỳ này.", target)
            continue
        if scope == "unit" and target not in unit_ids:
            reject("id", f"Đơn vị '{target}' không có trong units.csv.", target)
            continue
        points = row["points"]
        if pd.isna(points) or not 0 <= float(points) <= ind.max_points:
            reject("points", f"Điểm phải từ 0 đến {ind.max_points}.", points)
            continue
        value = round_one(repr(float(points)))
        if scope == "dossier" and value != value.to_integral_value():
            reject("points", "Điểm của một hồ sơ phải là số nguyên (0, 1 hoặc 2).", points)
            continue
        by = "" if pd.isna(row.get("by")) else str(row.get("by"))
        ov = Override(scope, target, ind.number, value, str(reason).strip(), by, row[FILE], int(row[ROW]))
        bucket = out.dossier if scope == "dossier" else out.unit
        if (target, ind.number) in bucket:
            first = bucket[(target, ind.number)]
            reject("id", f"Đã có điều chỉnh cho {target}, chỉ số {ind.number} ở dòng {first.row}.", target)
            continue
        bucket[(target, ind.number)] = ov
        findings.info("override", f"Điều chỉnh {scope} {target}, chỉ số {ind.number} = {value}: {ov.reason}.",
                      column="points", value=value, **where)
    return out
