"""The result of grading a TT 01 quarter: per unit and official, per dossier, and the tables written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import numpy as np
import pandas as pd

from tthc.days import iso_days
from tthc.input.findings import Findings
from tthc.input.loading import FILE, Accounting, Inputs
from tthc.input.reading import ROW
from tthc.parameters.ruleset import RuleSet
from tthc.quarter import Quarter
from tthc.schemes.tt01.facts import Facts
from tthc.schemes.tt01.grading import IndicatorScore, fmt
from tthc.schemes.tt01.measures import dossier_reasons
from tthc.schemes.tt01.participants import resolving_rows
from tthc.schemes.tt01.population import Period


@dataclass
class UnitResult:
    unit_id: str
    unit_name: str
    level: str | None
    dossiers: int
    scores: list[IndicatorScore]
    total: Decimal | None
    total_note: str
    self_scores: dict[int, Decimal | None]
    self_total: Decimal | None
    submitted: bool
    result: str
    band_min: Decimal | None = None


@dataclass
class Result:
    quarter: Quarter
    rules: RuleSet
    policies: dict[str, str]
    period: Period
    inputs: Inputs  # the quarter as graded: the loaded tables, with this result's findings and accounting
    findings: Findings  # the loader's findings, then the grading's (the loaded ``Inputs`` keep only theirs)
    units: list[UnitResult]
    scored: pd.DataFrame  # the population: the columns the engine scored from, one row per dossier
    dossier_points: pd.DataFrame
    steps_participants: pd.DataFrame | None
    officials: pd.DataFrame
    official_scores: dict[tuple[str, str], list[IndicatorScore]] = field(default_factory=dict)
    satisfaction: pd.DataFrame | None = None
    source: pd.DataFrame | None = None  # every dossier row read, with the day columns
    rows: np.ndarray | None = None      # the population's positions in ``source`` (None: all of them)

    @property
    def accounting(self) -> dict[str, Accounting]:
        """Rows read per file = rows used + rows excluded: the loader's, with the grading's exclusions."""
        return self.inputs.accounting

    @cached_property
    def facts(self) -> Facts:
        """What explaining this result reads, indexed once (the first explanation builds it)."""
        return Facts(self)

    @cached_property
    def population(self) -> pd.DataFrame:
        """The dossiers scored, with every column read and the facts the engine added (built when first
        asked for: grading itself only needs ``scored``)."""
        return population_frame(self.source, self.rows, self.scored)

    @property
    def grades(self) -> pd.DataFrame:
        rows = []
        for u in self.units:
            row = {"unit_id": u.unit_id, "unit_name": u.unit_name, "level": u.level or "", "dossiers": u.dossiers}
            by_number = {s.number: s for s in u.scores}
            for ind in self.rules.indicators:
                s = by_number.get(ind.number)
                row[ind.code] = fmt(s.points) if s else ""
            row.update(total=fmt(u.total), self_total=fmt(u.self_total), result=u.result)
            rows.append(row)
        columns = ["unit_id", "unit_name", "level", "dossiers", *[i.code for i in self.rules.indicators],
                   "total", "self_total", "result"]
        return pd.DataFrame(rows, columns=columns)

    @property
    def participants(self) -> pd.DataFrame:
        """Indicator 2 per participating unit (without step data: the resolving unit, one row per dossier)."""
        if self.steps_participants is not None:
            return self.steps_participants
        ind = next((i for i in self.rules.dossier_indicators if i.params.get("per_participant")), None)
        return pd.DataFrame() if ind is None else resolving_rows(self.population, self.dossier_points, ind)

    @property
    def dossier_scores(self) -> pd.DataFrame:
        pop, pts = self.population, self.dossier_points
        out = pd.DataFrame({
            "dossier_id": pop["dossier_id"], "unit_id": pop["unit_id"], "official": pop["official"],
            "procedure": pop["procedure"], "channel": pop["channel"],
            "received_at": iso_days(pop["received_day"]), "due_at": iso_days(pop["due_day"]),
            "finished_at": iso_days(pop["finished_day"]),
        })
        reasons = dossier_reasons(pop, pts, self.rules.dossier_indicators)
        for ind in self.rules.dossier_indicators:
            out[ind.code] = pts[ind.code]
            out[f"{ind.code}_reason"] = reasons[f"{ind.code}_reason"]
        out["source_file"] = pop[FILE]
        out["source_row"] = pop[ROW]
        return out

    @property
    def unit_indicators(self) -> pd.DataFrame:
        rows = []
        for u in self.units:
            for s in u.scores:
                self_score = u.self_scores.get(s.number)
                rows.append({
                    "unit_id": u.unit_id, "indicator": s.number, "points": fmt(s.points), "source": s.source,
                    "dossiers_with_info": s.dossiers, "points_sum": s.points_sum,
                    "self_score": fmt(self_score), "reason": s.reason,
                    "citation": self.rules.indicator(s.number).citation,
                })
        return pd.DataFrame(rows, columns=["unit_id", "indicator", "points", "source", "dossiers_with_info",
                                           "points_sum", "self_score", "reason", "citation"])


def population_frame(source: pd.DataFrame, rows: np.ndarray | None, scored: pd.DataFrame) -> pd.DataFrame:
    """Every column of the population's rows, with the facts the engine added while scoring."""
    wide = source.reset_index(drop=True) if rows is None else source.take(rows).reset_index(drop=True)
    added = {c: scored[c].array for c in scored.columns  # .array keeps the dtype (Int64, categorical)
             if c not in wide.columns and c not in ("official_code",)}
    return wide.assign(**added) if added else wide



class OfficialScores(Mapping):
    """(unit_id, official) → the official's indicator scores, built when asked for (audit), not for all."""

    def __init__(self, keys: dict[tuple[str, str], int], means: dict, numbers: list[int]):
        self._keys, self._means, self._numbers = keys, means, numbers

    def __getitem__(self, key: tuple[str, str]) -> list[IndicatorScore]:
        group = self._keys[key]
        return [self._means[n].score(group, n) for n in self._numbers]

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
